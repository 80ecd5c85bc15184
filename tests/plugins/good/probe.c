/*
 * probe — a test plugin that shows the integration tests what a plugin sees and does.
 *
 * Whoami() -> (clinic_id s, role u, locale s, request_id s): the caller as the host gave it,
 *   and a log line through mv_call_log ("probe whoami").
 * Hang(ms u, marker s) -> (slept_ms u): creates the file @marker (when not empty) as soon as it
 *   starts, then sleeps @ms ignoring cancellation: a hung plugin, for the worker-pool tests.
 * Recurse(depth u) -> (depth u): calls itself through the host without end: the nesting limit
 *   must stop it.
 * Big(bytes u) -> (text s): a string of @bytes letters, for the response limit.
 * ForAdmins() -> (ok b): declared for clinic administrators and the operator only.
 */
#define G_LOG_DOMAIN "probe"

#include <glib/gstdio.h>
#include <medverse/medverse-plugin.h>

static GVariant *
probe_whoami (MvCall *call, GVariant *input, GError **error)
{
	const gchar *clinic = mv_call_get_clinic_id (call);

	mv_call_log (call, G_LOG_LEVEL_MESSAGE, "probe whoami");
	return g_variant_new ("(suss)", clinic != NULL ? clinic : "",
			      (guint32)mv_call_get_caller_role (call), mv_call_get_locale (call),
			      mv_call_get_request_id (call));
}

static GVariant *
probe_hang (MvCall *call, GVariant *input, GError **error)
{
	guint32 ms = 0;
	const gchar *marker = NULL;

	g_variant_get (input, "(u&s)", &ms, &marker);
	if (marker[0] != '\0' && !g_file_set_contents (marker, "started\n", -1, error))
		return NULL;
	g_usleep ((gulong)ms * 1000);
	return g_variant_new ("(u)", ms);
}

static GVariant *
probe_recurse (MvCall *call, GVariant *input, GError **error)
{
	guint32 depth = 0;

	g_variant_get (input, "(u)", &depth);
	return mv_call_invoke (call, "probe", "Recurse", g_variant_new ("(u)", depth + 1), error);
}

static GVariant *
probe_big (MvCall *call, GVariant *input, GError **error)
{
	guint32 bytes = 0;
	g_autofree gchar *text = NULL;

	g_variant_get (input, "(u)", &bytes);
	text = g_strnfill (bytes, 'x');
	return g_variant_new ("(s)", text);
}

static GVariant *
probe_for_admins (MvCall *call, GVariant *input, GError **error)
{
	return g_variant_new ("(b)", TRUE);
}

static const MvArg whoami_out[] = {
	{ "clinic_id", "s", "the caller's clinic, empty for none", MV_ARG_NONE },
	{ "role", "u", "the caller's MvCallerRole bit", MV_ARG_NONE },
	{ "locale", "s", "the caller's language", MV_ARG_NONE },
	{ "request_id", "s", "the request id", MV_ARG_NONE },
	{ NULL },
};
static const MvArg hang_in[] = {
	{ "ms", "u", "how long to hang, in milliseconds", MV_ARG_NONE },
	{ "marker", "s", "a file to create when the call starts", MV_ARG_OPTIONAL },
	{ NULL },
};
static const MvArg hang_out[] = {
	{ "slept_ms", "u", "how long it hung", MV_ARG_NONE },
	{ NULL },
};
static const MvArg depth_arg[] = {
	{ "depth", "u", "nesting depth so far", MV_ARG_NONE },
	{ NULL },
};
static const MvArg big_in[] = {
	{ "bytes", "u", "length of the answer's text", MV_ARG_NONE },
	{ NULL },
};
static const MvArg big_out[] = {
	{ "text", "s", "that many letters", MV_ARG_NONE },
	{ NULL },
};
static const MvArg ok_out[] = {
	{ "ok", "b", "always true", MV_ARG_NONE },
	{ NULL },
};

static const MvMethod probe_methods[] = {
	{ .name = "Whoami",
	  .description = "Who is calling",
	  .out_args = whoami_out,
	  .handler = probe_whoami },
	{ .name = "Hang",
	  .description = "Hang, ignoring cancellation",
	  .in_args = hang_in,
	  .out_args = hang_out,
	  .handler = probe_hang },
	{ .name = "Recurse",
	  .description = "Call itself without end",
	  .in_args = depth_arg,
	  .out_args = depth_arg,
	  .handler = probe_recurse },
	{ .name = "Big",
	  .description = "A long answer",
	  .in_args = big_in,
	  .out_args = big_out,
	  .handler = probe_big },
	{ .name = "ForAdmins",
	  .description = "Only for clinic administrators and the operator",
	  .out_args = ok_out,
	  .handler = probe_for_admins },
	MV_METHOD_END,
};

static const MvMethodRoles probe_roles[] = {
	{ "ForAdmins", MV_CALLER_CLINIC_ADMIN | MV_CALLER_OPERATOR },
	MV_METHOD_ROLES_END,
};

MV_PLUGIN_DEFINE (.name = "probe",
		  .version = "1.0.0",
		  .description = "Test plugin: shows what a plugin sees",
		  .methods = probe_methods,
		  .method_roles = probe_roles);
