/* The systemd watchdog, fed while plugin calls make progress: see mv-watchdog.h. */
#define G_LOG_DOMAIN "medverse-watchdog"

#include "config.h"

#include "mv-watchdog.h"

#if MV_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

struct _MvWatchdog {
	MvEngine *engine; /* unowned */
	gint64 interval_us;
	guint source;
	MvWatchdogState state;
	gboolean feeding;
};

void
mv_watchdog_state_init (MvWatchdogState *state, const MvEngineProgress *progress, gint64 now_us)
{
	state->last_completed = progress->completed;
	state->progress_us = now_us;
}

gboolean
mv_watchdog_should_feed (MvWatchdogState *state,
			 const MvEngineProgress *progress,
			 gint64 now_us,
			 gint64 interval_us)
{
	/* nothing to do is progress too: an idle daemon is healthy */
	if (progress->pending == 0 || progress->completed != state->last_completed)
		state->progress_us = now_us;
	state->last_completed = progress->completed;
	/* calls slower than the interval but within their time limit are no reason to restart;
	 * a call that runs on past its limit (ignoring its cancellation) while nothing else
	 * finishes is */
	return progress->pending == 0 || progress->overdue == 0
	       || now_us - state->progress_us < interval_us;
}

#if MV_HAVE_SYSTEMD
static gboolean
watchdog_tick (gpointer user_data)
{
	MvWatchdog *self = user_data;
	MvEngineProgress progress;
	gint64 now = g_get_monotonic_time ();
	gboolean feed;

	mv_engine_get_progress (self->engine, &progress);
	feed = mv_watchdog_should_feed (&self->state, &progress, now, self->interval_us);
	if (feed)
		sd_notify (0, "WATCHDOG=1");
	if (feed != self->feeding && !feed)
		g_warning ("not feeding the systemd watchdog: %u plugin call(s) pending, %u past "
			   "their time limit, none finished for %" G_GINT64_FORMAT
			   " ms; systemd will restart the daemon",
			   progress.pending, progress.overdue,
			   (now - self->state.progress_us) / 1000);
	else if (feed != self->feeding)
		g_message ("plugin calls finish again; feeding the systemd watchdog");
	self->feeding = feed;
	return G_SOURCE_CONTINUE;
}
#endif

MvWatchdog *
mv_watchdog_start (MvEngine *engine)
{
#if MV_HAVE_SYSTEMD
	guint64 usec = 0;
	MvWatchdog *self;
	MvEngineProgress progress;

	if (sd_watchdog_enabled (0, &usec) <= 0 || usec == 0)
		return NULL;
	self = g_new0 (MvWatchdog, 1);
	self->engine = engine;
	self->interval_us = (gint64)usec;
	self->feeding = TRUE;
	mv_engine_get_progress (engine, &progress);
	mv_watchdog_state_init (&self->state, &progress, g_get_monotonic_time ());
	/* half the interval, as sd_watchdog_enabled(3) advises: one late tick is not fatal */
	self->source = g_timeout_add (MAX (1, (guint)(usec / 2000)), watchdog_tick, self);
	g_message ("feeding the systemd watchdog every %" G_GUINT64_FORMAT
		   " ms while plugin calls make progress",
		   usec / 2000);
	sd_notify (0, "WATCHDOG=1");
	return self;
#else
	(void)engine;
	return NULL;
#endif
}

void
mv_watchdog_free (MvWatchdog *self)
{
	if (self == NULL)
		return;
	if (self->source != 0)
		g_source_remove (self->source);
	g_free (self);
}
