/*
 * null-handler — a method declared without a handler.  Calling it would jump to address 0 in
 * a worker thread, so the loader must refuse the plugin at load time.
 */
#include <medverse/medverse-plugin.h>

static GVariant *
null_handler_noop (MvCall *call, GVariant *input, GError **error)
{
	return g_variant_new ("()");
}

static const MvMethod null_handler_methods[] = {
	{ .name = "Fine", .description = "Has a handler", .handler = null_handler_noop },
	{ .name = "Hollow", .description = "Has none", .handler = NULL },
	MV_METHOD_END,
};

MV_PLUGIN_DEFINE (.name = "null-handler",
		  .version = "1.0.0",
		  .description = "Test plugin: a method without a handler",
		  .methods = null_handler_methods);
