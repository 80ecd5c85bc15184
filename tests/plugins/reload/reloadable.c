/*
 * reloadable — a test plugin built twice from this file, as version 1.0.0 (reloadable.so) and
 * 2.0.0 (reloadable-v2.so, -DRELOADABLE_VERSION="2.0.0"), for the reload tests
 * (tests/integration/test-reload.c): the same interface, another version.
 *
 * Version() -> (version s) says which build answers.
 * Hold(gate s) -> (version s) is a call in flight for as long as a test wants: it logs
 * "hold: started" (a log line, not a file: an isolated plugin's sandbox lets it write nothing),
 * waits until GATE exists (or the call is cancelled), then says which build ran it, so a test
 * can show a call started before a reload finishes on the old version.  GATE must be where the
 * plugin may read: its data directory.
 */
#define G_LOG_DOMAIN "reloadable"

#include <medverse/medverse-plugin.h>

#ifndef RELOADABLE_VERSION
#define RELOADABLE_VERSION "1.0.0"
#endif

static GVariant *
reloadable_version (MvCall *call, GVariant *input, GError **error)
{
	return g_variant_new ("(s)", RELOADABLE_VERSION);
}

static GVariant *
reloadable_hold (MvCall *call, GVariant *input, GError **error)
{
	const gchar *gate = NULL;

	g_variant_get (input, "(&s)", &gate);
	if (!g_path_is_absolute (gate)) {
		g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
			     "gate: \"%s\" is not an absolute path", gate);
		return NULL;
	}
	mv_call_log (call, G_LOG_LEVEL_MESSAGE, "hold: started, version %s", RELOADABLE_VERSION);
	while (!g_file_test (gate, G_FILE_TEST_EXISTS)) {
		if (mv_call_is_cancelled (call)) {
			g_set_error (error, MV_ERROR, MV_ERROR_TIMED_OUT, "cancelled at %s", gate);
			return NULL;
		}
		g_usleep (10000);
	}
	return g_variant_new ("(s)", RELOADABLE_VERSION);
}

static const MvArg version_out[] = {
	{ "version", "s", "the plugin's version", MV_ARG_NONE },
	{ NULL },
};

static const MvArg hold_in[] = {
	{ "gate", "s", "absolute path of a file to wait for", MV_ARG_NONE },
	{ NULL },
};

static const MvMethod reloadable_methods[] = {
	{ "Version", "Which build answers", NULL, version_out, reloadable_version },
	{ "Hold", "Wait until a file exists, then say which build ran the call", hold_in,
	  version_out, reloadable_hold },
	{ NULL },
};

MV_PLUGIN_DEFINE (.name = "reloadable",
		  .version = RELOADABLE_VERSION,
		  .description = "Test plugin: one source, two versions, for reloads",
		  .methods = reloadable_methods);
