/*
 * The bmi example plugin under a second name, "bmi-twin", for the HTTP isolation bench
 * (run.sh http): one daemon loads bmi in process and bmi-twin isolated, so both modes serve the
 * same handler in the same run.  The engine refuses two plugins of one name, and a plugin's
 * name is the one its entry declares, so the twin is the same source with another entry.
 */
#include <medverse/medverse-plugin.h>

/* bmi.c defines it again (its lines keep bmi's domain) */
#undef G_LOG_DOMAIN

/* bmi.c's own declaration becomes a private object of this file: only the twin's entry below
 * is exported under the SDK's entry symbol */
#pragma push_macro("MV_PLUGIN_DEFINE")
#undef MV_PLUGIN_DEFINE
#define MV_PLUGIN_DEFINE(...) G_GNUC_UNUSED static const MvPluginInfo bmi_entry = { __VA_ARGS__ }
#include "bmi/bmi.c"
#pragma pop_macro("MV_PLUGIN_DEFINE")

MV_PLUGIN_DEFINE (.name = "bmi-twin",
		  .version = "1.0.0",
		  .description = "The bmi example plugin under a second name (isolation bench)",
		  .methods = bmi_methods,
		  .config_keys = bmi_config_keys,
		  .init = bmi_init,
		  .shutdown = bmi_shutdown);
