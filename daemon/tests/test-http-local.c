/* mv_http_route_run_local(): a route's handler run in process for another adapter's caller
 * (the D-Bus patient interface) goes through the authenticator and the route's role check, and
 * sees the caller's locale, query, body and address as an HTTP request would carry them. */
#include <criterion/criterion.h>
#include <medverse/mv-error.h>

#include "mv-http-api.h"

static gchar *seen_address;

static MvAuthContext *
fake_auth (MvHttpRequest *request, const gchar *token, gpointer user_data, GError **error)
{
	MvAuthContext *ctx;

	g_free (seen_address);
	seen_address = g_strdup (mv_http_request_get_client_address (request));
	if (g_strcmp0 (token, "patient-key") != 0 && g_strcmp0 (token, "staff-key") != 0) {
		g_set_error_literal (error, MV_ERROR, MV_ERROR_UNAUTHORIZED, "unknown key");
		return NULL;
	}
	ctx = g_new0 (MvAuthContext, 1);
	ctx->role = g_str_equal (token, "staff-key") ? MV_ROLE_CLINICIAN : MV_ROLE_PATIENT;
	ctx->key_id = g_strdup ("k1");
	ctx->clinic_id = g_strdup ("c1");
	ctx->patient_id = ctx->role == MV_ROLE_PATIENT ? g_strdup ("p1") : NULL;
	return ctx;
}

/* answers what it saw */
static JsonNode *
echo (MvHttpRequest *request, GError **error)
{
	JsonObject *body = mv_http_request_get_body (request);
	JsonObject *out = json_object_new ();
	const gchar *date = mv_http_request_get_query (request, "date");

	json_object_set_string_member (out, "patient",
				       mv_http_request_get_auth (request)->patient_id);
	json_object_set_string_member (out, "locale", mv_http_request_get_locale (request));
	json_object_set_string_member (out, "user_data", mv_http_request_get_user_data (request));
	json_object_set_string_member (out, "date", date != NULL ? date : "");
	json_object_set_string_member (
		out, "id", body != NULL ? json_object_get_string_member (body, "id") : "");
	cr_assert_null (mv_http_request_get_header (request, "Authorization"));
	if (body != NULL)
		mv_http_request_set_status (request, 201);
	return json_node_init_object (json_node_alloc (), out);
}

static const MvHttpRoute routes[] = {
	{ "GET", "/v1/me/thing", MV_ROLE_PATIENT, echo, "a patient's thing" },
	{ "POST", "/v1/me/thing", MV_ROLE_PATIENT, echo, "make a patient's thing" },
};

static JsonNode *
run (const gchar *method,
     const gchar *token,
     GHashTable *query,
     JsonObject *body,
     guint *status,
     GError **error)
{
	MvHttpLocalCall call = {
		.request_id = "r1",
		.token = token,
		.client_address = "dbus:uid=1000",
		.locale = "zh-CN",
		.query = query,
		.body = body,
		.auth_func = fake_auth,
	};
	const MvHttpRoute *route
		= mv_http_routes_find (routes, G_N_ELEMENTS (routes), method, "/v1/me/thing");

	cr_assert_not_null (route);
	return mv_http_route_run_local (route, (gpointer) "the store", &call, status, error);
}

Test (http_local, the_handler_sees_what_the_caller_sent)
{
	g_autoptr (GHashTable) query = g_hash_table_new (g_str_hash, g_str_equal);
	g_autoptr (JsonObject) body = json_object_new ();
	g_autoptr (GError) error = NULL;
	g_autoptr (JsonNode) got = NULL, posted = NULL;
	JsonObject *o;
	guint status = 0;

	g_hash_table_insert (query, "date", "2031-05-05");
	got = run ("GET", "patient-key", query, NULL, &status, &error);
	cr_assert_not_null (got, "%s", error != NULL ? error->message : "");
	o = json_node_get_object (got);
	cr_assert_str_eq (json_object_get_string_member (o, "patient"), "p1");
	cr_assert_str_eq (json_object_get_string_member (o, "locale"), "zh-CN");
	cr_assert_str_eq (json_object_get_string_member (o, "user_data"), "the store");
	cr_assert_str_eq (json_object_get_string_member (o, "date"), "2031-05-05");
	cr_assert_str_eq (seen_address, "dbus:uid=1000");
	cr_assert_eq (status, 200);

	json_object_set_string_member (body, "id", "c-1");
	posted = run ("POST", "patient-key", NULL, body, &status, &error);
	cr_assert_not_null (posted, "%s", error != NULL ? error->message : "");
	cr_assert_str_eq (json_object_get_string_member (json_node_get_object (posted), "id"),
			  "c-1");
	cr_assert_eq (status, 201);
}

Test (http_local, keys_and_roles_are_checked_before_the_handler)
{
	const struct {
		const gchar *token;
		MvError code;
	} refused[] = {
		{ NULL, MV_ERROR_UNAUTHORIZED },
		{ "", MV_ERROR_UNAUTHORIZED },
		{ "bogus", MV_ERROR_UNAUTHORIZED },
		{ "staff-key", MV_ERROR_FORBIDDEN },
	};

	for (guint i = 0; i < G_N_ELEMENTS (refused); i++) {
		g_autoptr (GError) error = NULL;
		guint status = 0;
		g_autoptr (JsonNode) got
			= run ("GET", refused[i].token, NULL, NULL, &status, &error);

		cr_assert_null (got);
		cr_assert (g_error_matches (error, MV_ERROR, refused[i].code), "%u: %s", i,
			   error != NULL ? error->message : "no error");
	}
}
