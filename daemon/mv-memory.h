/*
 * Memory given back to the system after a peak.
 *
 * Eight 885 KB texts to the symptom parser at once took medversed from 30 MB to 1.9 GB of
 * resident memory, and it kept all of it once idle.  Two holders, both measured with
 * malloc_stats() (tests/bench/RESULTS.md, "Memory after a peak"):
 *  - GLib before 2.76 serves GList, GHashTable, GVariant and json-glib nodes from GSlice, which
 *    keeps freed slices in per-thread magazines and a depot that nothing trims while the daemon
 *    idles: 1.2 GB stayed "in use" for malloc after the requests had finished.
 *    G_SLICE=always-malloc makes GSlice plain malloc, but GSlice reads it before main() runs,
 *    so mv_memory_prepare() re-executes the daemon with it set;
 *  - glibc gives each thread that allocates an arena of its own, and malloc_trim() returns the
 *    free pages inside an arena's chunks but not the free top of a thread arena's heap: with
 *    eight arenas 140 MB stayed after a trim, with two (M_ARENA_MAX) 31 MB, the start-up
 *    figure, at the same throughput.
 * Then the trimmer calls malloc_trim(0) once the daemon is idle after a peak.
 */
#pragma once

#include <glib.h>

#include "mv-engine.h"

G_BEGIN_DECLS

/**
 * mv_memory_prepare:
 * @argv: main()'s argv, untouched
 *
 * First thing in main(), before any thread exists: on GLib older than 2.76 without G_SLICE in
 * the environment, re-executes the program (/proc/self/exe) with G_SLICE=always-malloc (and
 * does not return); then limits malloc to two arenas unless MALLOC_ARENA_MAX or
 * GLIBC_TUNABLES says otherwise.  Set G_SLICE to anything to keep it from re-executing.
 */
void mv_memory_prepare (char **argv);

/* TRUE while something outside the engine is still at work (HTTP requests in flight). */
typedef gboolean (*MvMemoryBusyFunc) (gpointer user_data);

typedef struct _MvMemoryTrimmer MvMemoryTrimmer;

/**
 * mv_memory_trimmer_start:
 * @engine: (transfer none): must outlive the trimmer
 * @busy: (nullable): asked along with the engine whether the daemon is idle
 *
 * Every 2 s in the main loop: once the daemon has been idle (no plugin call pending, nothing
 * in flight, @busy FALSE) for two checks in a row, and its resident set is over 64 MiB above
 * what it was at start-up, and something happened since the last trim (a call finished, or the
 * resident set moved by 16 MiB), calls malloc_trim(0) and logs what it gave back.
 *
 * Returns: (transfer full): free with mv_memory_trimmer_free()
 */
MvMemoryTrimmer *
mv_memory_trimmer_start (MvEngine *engine, MvMemoryBusyFunc busy, gpointer user_data);
void mv_memory_trimmer_free (MvMemoryTrimmer *self);

/* The decision, apart from the timer (for tests). */
typedef struct {
	guint64 baseline_bytes;	 /* resident at start */
	guint64 last_trim_bytes; /* resident right after the last trim (0: none yet) */
	guint last_completed;	 /* the engine's count at the last trim */
	guint idle_checks;	 /* consecutive idle checks */
} MvMemoryTrimState;

gboolean mv_memory_should_trim (MvMemoryTrimState *state,
				gboolean idle,
				guint completed,
				guint64 resident_bytes);

/* The resident set of this process, from /proc/self/statm; 0 when unknown. */
guint64 mv_memory_resident_bytes (void);

G_END_DECLS
