/*
 * bad-type — a method whose input argument declares a string that is not a GVariant type.  The
 * daemon derives D-Bus signatures and JSON validation from it, so the loader must refuse the
 * plugin rather than fail on the first call.
 */
#include <medverse/medverse-plugin.h>

static GVariant *
bad_type_echo (MvCall *call, GVariant *input, GError **error)
{
	return g_variant_new ("()");
}

static const MvArg bad_type_in[] = {
	{ "value", "a{sv", "an unterminated dictionary type", MV_ARG_NONE },
	MV_ARG_END,
};

static const MvMethod bad_type_methods[] = {
	{ .name = "Echo",
	  .description = "Never runs",
	  .in_args = bad_type_in,
	  .handler = bad_type_echo },
	MV_METHOD_END,
};

MV_PLUGIN_DEFINE (.name = "bad-type",
		  .version = "1.0.0",
		  .description = "Test plugin: an invalid GVariant type string",
		  .methods = bad_type_methods);
