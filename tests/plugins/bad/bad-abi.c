/*
 * bad-abi — a plugin built for an ABI version that does not exist.  The loader must refuse it
 * before it reads anything but the first two members.
 */
#include <medverse/medverse-plugin.h>

static GVariant *
bad_abi_noop (MvCall *call, GVariant *input, GError **error)
{
	return g_variant_new ("()");
}

static const MvMethod bad_abi_methods[] = {
	{ "Noop", "Does nothing", NULL, NULL, bad_abi_noop },
	{ NULL },
};

/* written out by hand instead of MV_PLUGIN_DEFINE, which would fill in the real version */
G_MODULE_EXPORT const MvPluginInfo mv_plugin_entry = {
	.abi_version = 999,
	.struct_size = sizeof (MvPluginInfo),
	.name = "bad-abi",
	.version = "1.0.0",
	.description = "Test plugin: ABI version 999",
	.methods = bad_abi_methods,
};
