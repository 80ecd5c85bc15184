/*
 * hostile-big — Big() answers a string of 65 MiB: more than the plugin channel carries (64
 * MiB a frame).  Isolated, the host refuses to send it and answers response-too-large (500,
 * the plugin and method named); the host lives on, so it is no crash.  Before, the host sent
 * the frame anyway, the daemon dropped the channel and the host exited 70, counted as a crash.
 */
#define G_LOG_DOMAIN "hostile-big"

#include "hostile.h"

static const MvArg big_out[] = {
	{ "text", "s", "65 MiB of 'x'", MV_ARG_NONE },
	{ NULL },
};

static GVariant *
big_big (MvCall *call, GVariant *input, GError **error)
{
	return g_variant_new ("(@s)", g_variant_new_take_string (g_strnfill (65 << 20, 'x')));
}

static const MvMethod big_methods[] = {
	{ "Big", "Answer more than the channel carries", NULL, big_out, big_big },
	{ NULL },
};

MV_PLUGIN_DEFINE (.name = "hostile-big",
		  .version = "1.0.0",
		  .description = "Hostile test plugin: answers 65 MiB",
		  .methods = big_methods);
