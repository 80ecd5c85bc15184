/* Memory given back to the system after a peak: see mv-memory.h. */
#define G_LOG_DOMAIN "medverse-memory"

#include "mv-memory.h"

#include <errno.h>
#include <stdio.h>
#include <malloc.h>
#include <string.h>
#include <unistd.h>

#define TRIM_CHECK_MS 2000
#define TRIM_IDLE_CHECKS 2
#define TRIM_PEAK_BYTES (64 * 1024 * 1024)
#define TRIM_MOVED_BYTES (16 * 1024 * 1024)
/* Arenas per CPU, at most MALLOC_ARENAS_MAX.  Each arena keeps the free top of its heap after a
 * peak; glibc's default (8 per CPU) kept 140 MB after eight large NLP texts.  One arena in all
 * made threads queue on malloc's lock: on 2 CPUs, 2 arenas ran the authenticated plugin call at
 * 9.7-10.1k requests/s, 4 at 12.3-12.8k (tests/bench/RESULTS.md, 2026-12-05). */
#define MALLOC_ARENAS_PER_CPU 2
#define MALLOC_ARENAS_MAX 8

struct _MvMemoryTrimmer {
	MvEngine *engine; /* unowned */
	MvMemoryBusyFunc busy;
	gpointer busy_data;
	MvMemoryTrimState state;
	guint source;
};

/* the operator's own choice wins */
static gboolean
arena_max_configured (void)
{
	const gchar *tunables = g_getenv ("GLIBC_TUNABLES");
	return g_getenv ("MALLOC_ARENA_MAX") != NULL
	       || (tunables != NULL && strstr (tunables, "malloc.arena_max") != NULL);
}

void
mv_memory_prepare (char **argv)
{
	if (glib_check_version (2, 76, 0) != NULL && g_getenv ("G_SLICE") == NULL) {
		g_setenv ("G_SLICE", "always-malloc", TRUE);
		execv ("/proc/self/exe", argv);
		/* not fatal: only memory after a peak is not given back */
		g_warning ("cannot run again with G_SLICE=always-malloc (%s); memory freed by GLib "
			   "stays with the daemon",
			   g_strerror (errno));
	}
	/* before the first thread, so no thread gets an arena of its own past the limit */
	if (!arena_max_configured ())
		mallopt (M_ARENA_MAX, (int)MIN (MALLOC_ARENAS_MAX,
						MALLOC_ARENAS_PER_CPU
							* MAX (1, sysconf (_SC_NPROCESSORS_ONLN))));
}

guint64
mv_memory_resident_bytes (void)
{
	g_autofree gchar *statm = NULL;
	gulong size = 0, resident = 0;

	if (!g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL)
	    || sscanf (statm, "%lu %lu", &size, &resident) != 2)
		return 0;
	return (guint64)resident * (guint64)sysconf (_SC_PAGESIZE);
}

gboolean
mv_memory_should_trim (MvMemoryTrimState *state,
		       gboolean idle,
		       guint completed,
		       guint64 resident_bytes)
{
	guint64 since_last;

	state->idle_checks = idle ? state->idle_checks + 1 : 0;
	/* not between two requests of a burst: idle for a while */
	if (state->idle_checks < TRIM_IDLE_CHECKS)
		return FALSE;
	/* no peak: nothing worth a trim */
	if (resident_bytes < state->baseline_bytes + TRIM_PEAK_BYTES)
		return FALSE;
	/* a trim already gave back what it could: only news makes another worth it */
	since_last = resident_bytes > state->last_trim_bytes
			     ? resident_bytes - state->last_trim_bytes
			     : state->last_trim_bytes - resident_bytes;
	return state->last_trim_bytes == 0 || completed != state->last_completed
	       || since_last >= TRIM_MOVED_BYTES;
}

static gboolean
trim_tick (gpointer user_data)
{
	MvMemoryTrimmer *self = user_data;
	MvEngineProgress progress;
	guint64 before, after;
	gint64 start;
	gboolean idle;

	mv_engine_get_progress (self->engine, &progress);
	idle = progress.pending == 0 && progress.in_flight == 0
	       && (self->busy == NULL || !self->busy (self->busy_data));
	before = mv_memory_resident_bytes ();
	if (!mv_memory_should_trim (&self->state, idle, progress.completed, before))
		return G_SOURCE_CONTINUE;
	start = g_get_monotonic_time ();
	malloc_trim (0);
	after = mv_memory_resident_bytes ();
	self->state.last_trim_bytes = MAX (after, 1);
	self->state.last_completed = progress.completed;
	g_message ("idle after a peak: returned %" G_GUINT64_FORMAT
		   " MB to the system (resident %" G_GUINT64_FORMAT " -> %" G_GUINT64_FORMAT
		   " MB, %" G_GINT64_FORMAT " ms)",
		   before > after ? (before - after) >> 20 : 0, before >> 20, after >> 20,
		   (g_get_monotonic_time () - start) / 1000);
	return G_SOURCE_CONTINUE;
}

MvMemoryTrimmer *
mv_memory_trimmer_start (MvEngine *engine, MvMemoryBusyFunc busy, gpointer user_data)
{
	MvMemoryTrimmer *self = g_new0 (MvMemoryTrimmer, 1);
	MvEngineProgress progress;

	self->engine = engine;
	self->busy = busy;
	self->busy_data = user_data;
	mv_engine_get_progress (engine, &progress);
	self->state.baseline_bytes = mv_memory_resident_bytes ();
	self->state.last_completed = progress.completed;
	self->source = g_timeout_add (TRIM_CHECK_MS, trim_tick, self);
	return self;
}

void
mv_memory_trimmer_free (MvMemoryTrimmer *self)
{
	if (self == NULL)
		return;
	if (self->source != 0)
		g_source_remove (self->source);
	g_free (self);
}
