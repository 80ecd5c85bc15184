/*
 * hello — the template of a third-party Medverse plugin.  Rename it (the file, the plugin name
 * below, meson.build's project and debian/'s package) and replace Greet with your methods.
 */
#define G_LOG_DOMAIN "hello"

#include <medverse/medverse-plugin.h>

static GVariant *
hello_greet (MvCall *call, GVariant *input, GError **error)
{
	const gchar *name = NULL;
	g_autofree gchar *greeting = NULL;

	g_variant_get (input, "(&s)", &name);
	if (*name == '\0') {
		/* a message the caller reads: name the field, in English and Chinese */
		mv_set_error_bilingual (error, MV_ERROR_INVALID_INPUT, "name: must not be empty",
					"name：不能为空");
		return NULL;
	}
	/* answer in the caller's language (Accept-Language over HTTP) */
	if (g_str_has_prefix (mv_call_get_locale (call), "zh"))
		greeting = g_strdup_printf ("你好，%s", name);
	else
		greeting = g_strdup_printf ("hello, %s", name);
	return g_variant_new ("(s)", greeting);
}

static const MvArg greet_in[] = {
	{ "name", "s", "who to greet (not empty)", MV_ARG_NONE },
	MV_ARG_END,
};
static const MvArg greet_out[] = {
	{ "greeting", "s", "the greeting, in the caller's language", MV_ARG_NONE },
	MV_ARG_END,
};
static const MvMethod hello_methods[] = {
	{
		.name = "Greet",
		.description = "A greeting in the caller's language",
		.in_args = greet_in,
		.out_args = greet_out,
		.handler = hello_greet,
	},
	MV_METHOD_END,
};

MV_PLUGIN_DEFINE (.name = "hello",
		  .version = "0.1.0",
		  .description = "Template of a third-party plugin",
		  .methods = hello_methods);
