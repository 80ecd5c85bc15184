/*
 * dup-method — two methods with the same name.  Only one could be reached over HTTP and
 * D-Bus, so the loader must refuse the plugin instead of silently picking one.
 */
#include <medverse/medverse-plugin.h>

static GVariant *
dup_method_noop (MvCall *call, GVariant *input, GError **error)
{
	return g_variant_new ("()");
}

static const MvMethod dup_method_methods[] = {
	{ .name = "Twice", .description = "First", .handler = dup_method_noop },
	{ .name = "Other", .description = "Between the two", .handler = dup_method_noop },
	{ .name = "Twice", .description = "Second", .handler = dup_method_noop },
	MV_METHOD_END,
};

MV_PLUGIN_DEFINE (.name = "dup-method",
		  .version = "1.0.0",
		  .description = "Test plugin: a method name declared twice",
		  .methods = dup_method_methods);
