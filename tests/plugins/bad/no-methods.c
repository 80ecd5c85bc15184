/*
 * no-methods — a plugin whose method table is empty.  It could never be called, which is almost
 * certainly a packaging mistake; the loader refuses it so the operator hears about it.
 */
#include <medverse/medverse-plugin.h>

static const MvMethod no_methods_methods[] = {
	MV_METHOD_END,
};

MV_PLUGIN_DEFINE (.name = "no-methods",
		  .version = "1.0.0",
		  .description = "Test plugin: declares no methods",
		  .methods = no_methods_methods);
