/*
 * crashy — a test plugin that crashes the process it runs in.
 *
 * Crash() dereferences NULL.  Plugins still run inside medversed, so this kills the daemon: the
 * crash tests (tests/integration/test-crash.c) check that it dies with one log line naming the
 * plugin, the method and the request id, and that its embedded PostgreSQL goes with it.  Only
 * those tests load it.
 */
#define G_LOG_DOMAIN "crashy"

#include <medverse/medverse-plugin.h>

static GVariant *
crashy_crash (MvCall *call, GVariant *input, GError **error)
{
	/* volatile: the compiler may neither drop the load nor treat it as unreachable */
	volatile gint *volatile nowhere = NULL;

	return g_variant_new ("(i)", *nowhere);
}

static const MvArg crash_out[] = {
	{ "never", "i", "never returned: the call crashes", MV_ARG_NONE },
	{ NULL },
};

static const MvMethod crashy_methods[] = {
	{ "Crash", "Dereference NULL: the daemon dies of SIGSEGV", NULL, crash_out, crashy_crash },
	{ NULL },
};

MV_PLUGIN_DEFINE (.name = "crashy",
		  .version = "1.0.0",
		  .description = "Test plugin: crashes on request",
		  .methods = crashy_methods);
