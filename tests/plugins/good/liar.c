/*
 * liar — a test plugin that breaks the contract in every way a handler can.
 *
 * Lie returns a value of another type than it declared; Silent fails without setting an error;
 * Fail fails with a message full of internals that must never reach an HTTP client.  The daemon
 * must answer each with a plugin failure and keep serving.
 */
#define G_LOG_DOMAIN "liar"

#include <medverse/medverse-plugin.h>

static GVariant *
liar_lie (MvCall *call, GVariant *input, GError **error)
{
	/* declared "(s)" */
	return g_variant_new ("(i)", 42);
}

static GVariant *
liar_silent (MvCall *call, GVariant *input, GError **error)
{
	return NULL;
}

static GVariant *
liar_fail (MvCall *call, GVariant *input, GError **error)
{
	g_set_error_literal (error, MV_ERROR, MV_ERROR_FAILED,
			     "secret internals /etc/x: connection to 10.0.0.1 refused");
	return NULL;
}

static const MvArg text_out[] = {
	{ "text", "s", "never what it claims", MV_ARG_NONE },
	{ NULL },
};

static const MvMethod liar_methods[] = {
	{ "Lie", "Returns an integer where a string was declared", NULL, text_out, liar_lie },
	{ "Silent", "Fails without saying why", NULL, text_out, liar_silent },
	{ "Fail", "Fails with a message holding internals", NULL, text_out, liar_fail },
	{ NULL },
};

MV_PLUGIN_DEFINE (.name = "liar",
		  .version = "1.0.0",
		  .description = "Test plugin: breaks the handler contract",
		  .methods = liar_methods);
