/*
 * sleepy — a test plugin whose one method takes as long as it is told to.
 *
 * Sleep(ms u) -> (slept_ms u) sleeps in short steps and stops as soon as the call is cancelled,
 * as a well-behaved slow plugin does.  The integration tests use it for the per-call time limit
 * and for requests in flight at SIGTERM.
 */
#define G_LOG_DOMAIN "sleepy"

#include <medverse/medverse-plugin.h>

#define SLEEPY_STEP_MS 10

static GVariant *
sleepy_sleep (MvCall *call, GVariant *input, GError **error)
{
	guint32 ms = 0;
	guint32 slept = 0;

	g_variant_get (input, "(u)", &ms);
	while (slept < ms) {
		guint32 step = MIN (SLEEPY_STEP_MS, ms - slept);
		if (mv_call_is_cancelled (call)) {
			g_set_error (error, MV_ERROR, MV_ERROR_TIMED_OUT,
				     "cancelled after %u ms of %u", slept, ms);
			return NULL;
		}
		g_usleep ((gulong)step * 1000);
		slept += step;
	}
	return g_variant_new ("(u)", slept);
}

static const MvArg sleep_in[] = {
	{ "ms", "u", "how long to sleep, in milliseconds", MV_ARG_NONE },
	{ NULL },
};
static const MvArg sleep_out[] = {
	{ "slept_ms", "u", "how long it slept", MV_ARG_NONE },
	{ NULL },
};

static const MvMethod sleepy_methods[] = {
	{ "Sleep", "Sleep for a while, checking for cancellation", sleep_in, sleep_out,
	  sleepy_sleep },
	{ NULL },
};

MV_PLUGIN_DEFINE (.name = "sleepy",
		  .version = "1.0.0",
		  .description = "Test plugin: sleeps on request",
		  .methods = sleepy_methods);
