/*
 * bad-init — a well-formed plugin whose init fails.  The loader must refuse it with init's
 * message and carry on.
 */
#include <medverse/medverse-plugin.h>

static GVariant *
bad_init_noop (MvCall *call, GVariant *input, GError **error)
{
	return g_variant_new ("()");
}

static gboolean
bad_init_init (MvHost *host, gpointer *plugin_data, GError **error)
{
	g_set_error_literal (error, MV_ERROR, MV_ERROR_FAILED, "bad-init always fails to start");
	return FALSE;
}

static const MvMethod bad_init_methods[] = {
	{ "Noop", "Does nothing", NULL, NULL, bad_init_noop },
	{ NULL },
};

MV_PLUGIN_DEFINE (.name = "bad-init",
		  .version = "1.0.0",
		  .description = "Test plugin: init fails",
		  .methods = bad_init_methods,
		  .init = bad_init_init);
