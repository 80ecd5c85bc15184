/*
 * sleepy — a test plugin whose methods take as long as they are told to.
 *
 * Sleep(ms u) -> (slept_ms u) sleeps in short steps and stops as soon as the call is cancelled,
 * as a well-behaved slow plugin does.  The integration tests use it for the per-call time limit.
 *
 * Hold(gate s) -> (held_ms u) is a call in flight for exactly as long as a test wants, whatever
 * the machine's speed: it creates the file GATE.started when it starts, then waits until the
 * file GATE exists (or the call is cancelled).  A test waits for GATE.started instead of
 * guessing how long a call takes to arrive, and creates GATE to let it finish.
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

static GVariant *
sleepy_hold (MvCall *call, GVariant *input, GError **error)
{
	const gchar *gate = NULL;
	g_autofree gchar *started = NULL;
	g_autoptr (GError) local = NULL;
	gint64 start = g_get_monotonic_time ();

	g_variant_get (input, "(&s)", &gate);
	if (!g_path_is_absolute (gate)) {
		g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
			     "gate: \"%s\" is not an absolute path", gate);
		return NULL;
	}
	started = g_strconcat (gate, ".started", NULL);
	if (!g_file_set_contents (started, "", 0, &local)) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "%s", local->message);
		return NULL;
	}
	while (!g_file_test (gate, G_FILE_TEST_EXISTS)) {
		if (mv_call_is_cancelled (call)) {
			g_set_error (error, MV_ERROR, MV_ERROR_TIMED_OUT,
				     "cancelled while holding at %s", gate);
			return NULL;
		}
		g_usleep (SLEEPY_STEP_MS * 1000);
	}
	return g_variant_new ("(u)", (guint32)((g_get_monotonic_time () - start) / 1000));
}

static const MvArg sleep_in[] = {
	{ "ms", "u", "how long to sleep, in milliseconds", MV_ARG_NONE },
	{ NULL },
};
static const MvArg sleep_out[] = {
	{ "slept_ms", "u", "how long it slept", MV_ARG_NONE },
	{ NULL },
};

static const MvArg hold_in[] = {
	{ "gate", "s", "absolute path: GATE.started is created, GATE is waited for", MV_ARG_NONE },
	{ NULL },
};
static const MvArg hold_out[] = {
	{ "held_ms", "u", "how long the call was held", MV_ARG_NONE },
	{ NULL },
};

static const MvMethod sleepy_methods[] = {
	{ "Sleep", "Sleep for a while, checking for cancellation", sleep_in, sleep_out,
	  sleepy_sleep },
	{ "Hold", "Wait until a file exists, checking for cancellation", hold_in, hold_out,
	  sleepy_hold },
	{ NULL },
};

MV_PLUGIN_DEFINE (.name = "sleepy",
		  .version = "1.0.0",
		  .description = "Test plugin: sleeps on request",
		  .methods = sleepy_methods);
