/*
 * Errors in the caller's language, listing every problem, against the real daemon: the same bad
 * requests on the routes that exist (plugin calls, the router's 404/405, authentication 401/403,
 * the front's 413/415, strict JSON, the admin API, patients, health), asked once with
 * `Accept-Language: zh-CN` and once with none.  Each answer is checked for its language (the
 * message and Content-Language), the documented shape, and `details` when a body had several
 * problems; and nothing is written by any of them (rows and audit entries unchanged).
 */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <string.h>

#include "mvt.h"

/* a small body limit, so a 413 needs no megabytes */
static const gchar config[] = "[http]\nmax-body-bytes = 4096\n";

int
main (int argc, char **argv)
{
	const MvtOptions options = { .config = config };
	return mvt_main (argc, argv, &options);
}

typedef struct {
	const gchar *method;
	const gchar *path;
	const gchar *token; /* NULL: the operator key */
	gboolean anonymous;
	const gchar *content_type;
	const gchar *body;
	const gchar *language; /* Accept-Language; NULL: none */
	gboolean chunked;
	guint padding; /* this many X-Pad-N headers besides */
} Call;

static MvtResponse *
send_call (const Call *call)
{
	g_autoptr (GPtrArray) headers = g_ptr_array_new_with_free_func (g_free);
	MvtRequest req = {
		.base_url = mvt_shared_url (),
		.method = call->method,
		.path = call->path,
		.content_type = call->body != NULL ? call->content_type : NULL,
		.body = call->body,
		.len = -1,
		.token = call->token,
		.anonymous = call->anonymous,
		.chunked = call->chunked,
	};

	if (call->language != NULL) {
		g_ptr_array_add (headers, g_strdup ("Accept-Language"));
		g_ptr_array_add (headers, g_strdup (call->language));
	}
	for (guint i = 0; i < call->padding; i++) {
		g_ptr_array_add (headers, g_strdup_printf ("X-Pad-%u", i));
		g_ptr_array_add (headers, g_strdup ("x"));
	}
	g_ptr_array_add (headers, NULL);
	req.headers = (const gchar *const *)headers->pdata;
	return mvt_request (&req);
}

static gboolean
has_han (const gchar *text)
{
	for (const gchar *p = text; p != NULL && *p != '\0'; p = g_utf8_next_char (p)) {
		gunichar c = g_utf8_get_char (p);
		if (c >= 0x4E00 && c <= 0x9FFF)
			return TRUE;
	}
	return FALSE;
}

/* asserts @resp is the documented error in Chinese (zh) or English, naming @needle if given */
static void
assert_language (MvtResponse *resp,
		 guint status,
		 const gchar *code,
		 gboolean zh,
		 const gchar *needle,
		 const gchar *what)
{
	const gchar *message;
	const gchar *language = mvt_response_header (resp, "Content-Language");

	cr_assert_eq (resp->status, status, "%s: expected %u, got %u %s", what, status,
		      resp->status, resp->body);
	mvt_assert_error (resp, status, code);
	message = mvt_error_message (resp);
	cr_assert_str_eq (language != NULL ? language : "(none)", zh ? "zh-Hans" : "en",
			  "%s: Content-Language", what);
	cr_assert_eq (has_han (message), zh, "%s: message in the wrong language: %s", what,
		      message);
	if (needle != NULL)
		cr_assert_not_null (strstr (message, needle), "%s: \"%s\" does not name %s", what,
				    message, needle);
}

/* the error's details, asserted present with @n problems */
static JsonArray *
details_of (MvtResponse *resp, guint n, const gchar *what)
{
	JsonObject *error
		= json_object_get_object_member (json_node_get_object (resp->json), "error");
	JsonArray *details;

	cr_assert (json_object_has_member (error, "details"), "%s: no details: %s", what,
		   resp->body);
	details = json_object_get_array_member (error, "details");
	cr_assert_eq (json_array_get_length (details), n, "%s: %s", what, resp->body);
	return details;
}

/* asserts @details holds a problem at @field with @code whose message is in the language */
static void
assert_detail (JsonArray *details, const gchar *field, const gchar *code, gboolean zh)
{
	for (guint i = 0; i < json_array_get_length (details); i++) {
		JsonObject *d = json_array_get_object_element (details, i);
		if (g_strcmp0 (json_object_get_string_member (d, "field"), field) != 0)
			continue;
		cr_assert_str_eq (json_object_get_string_member (d, "code"), code, "%s", field);
		cr_assert_eq (has_han (json_object_get_string_member (d, "message")), zh, "%s: %s",
			      field, json_object_get_string_member (d, "message"));
		return;
	}
	cr_assert_fail ("no problem at %s", field);
}

/* The clinic's rows: the binary's tests run side by side, each with a clinic of its own. */
static gchar *
db_state (PGconn *conn, const gchar *clinic)
{
	const gchar *v[] = { clinic };
	g_autofree gchar *patients
		= mvt_db_value (conn, "SELECT count(*) FROM patients WHERE clinic_id = $1", 1, v);
	g_autofree gchar *records = mvt_db_value (
		conn, "SELECT count(*) FROM patient_records WHERE clinic_id = $1", 1, v);
	g_autofree gchar *audit = mvt_db_value (
		conn, "SELECT count(*) FROM audit_entries WHERE clinic_id = $1::text", 1, v);
	g_autofree gchar *keys
		= mvt_db_value (conn, "SELECT count(*) FROM api_keys WHERE clinic_id = $1", 1, v);

	return g_strdup_printf ("%s patients, %s records, %s audit entries, %s keys", patients,
				records, audit, keys);
}

/* One bad request, asked in Chinese and in English: the same status and code, each language's
 * message naming @needle_zh / @needle_en. */
static void
both_languages (
	Call call, guint status, const gchar *code, const gchar *needle_zh, const gchar *needle_en)
{
	g_autofree gchar *what = g_strdup_printf ("%s %s", call.method, call.path);
	g_autoptr (MvtResponse) zh = NULL;
	g_autoptr (MvtResponse) en = NULL;

	call.language = "zh-CN";
	zh = send_call (&call);
	assert_language (zh, status, code, TRUE, needle_zh, what);
	call.language = NULL;
	en = send_call (&call);
	assert_language (en, status, code, FALSE, needle_en, what);
}

Test (errors_i18n, every_route_answers_in_the_callers_language, .timeout = 120)
{
	g_auto (MvtClinic) clinic = { 0 };
	g_autoptr (PGconn) conn = NULL;
	g_autofree gchar *before = NULL, *after = NULL, *keys_path = NULL;
	g_autofree gchar *big = g_strnfill (6000, ' ');
	const gchar *json = "application/json";

	mvt_clinic_make (mvt_shared_url (), mvt_shared_data_dir (), &clinic);
	keys_path = g_strdup_printf ("/v1/admin/tenants/%s/keys", clinic.id);
	conn = mvt_db_connect (mvt_shared_data_dir ());
	before = db_state (conn, clinic.id);

	/* the router: no route, a method not allowed */
	both_languages ((Call){ "GET", "/v1/nowhere" }, 404, "not-found", "没有与 /v1/nowhere",
			"no route for /v1/nowhere");
	both_languages ((Call){ "DELETE", "/healthz" }, 405, "not-allowed", "此处不允许使用 DELETE",
			"method DELETE is not allowed");
	both_languages ((Call){ "PUT", keys_path, .content_type = json, .body = "{}" }, 405,
			"not-allowed", "此处不允许使用 PUT", "method PUT is not allowed");
	/* authentication: none, a wrong key, a role that may not */
	both_languages ((Call){ "GET", "/v1/patients", .anonymous = TRUE }, 401, "unauthorized",
			"此路由需要 API 密钥", "needs an API key");
	both_languages ((Call){ "GET", "/v1/patients", .token = "mvk_not-a-key" }, 401,
			"unauthorized", "API 密钥无效", "not valid");
	both_languages ((Call){ "GET", "/v1/admin/tenants", .token = clinic.clinician }, 403,
			"forbidden", "无权使用此路由", "may not use this route");
	both_languages ((Call){ "POST", "/v1/plugins/bmi/Compute", .token = clinic.clinician }, 415,
			"unsupported-media-type", "需要 JSON 请求体", "needs a JSON body");
	/* the front: a body over the limit, refused before it is read */
	both_languages (
		(Call){ "POST", "/v1/plugins/bmi/Compute", .content_type = json, .body = big }, 413,
		"too-large", "4096 字节的上限", "limit of 4096 bytes");
	/* the front's refusals of a head: too many fields, a chunked body */
	both_languages ((Call){ "GET", "/healthz", .padding = 120 }, 431, "headers-too-large",
			"最多接受 100 个", "at most 100 are accepted");
	both_languages ((Call){ "POST", "/v1/plugins/bmi/Compute", .content_type = json,
				.body = "{}", .chunked = TRUE },
			411, "length-required", "不接受分块传输", "chunked request bodies");
	/* strict JSON */
	both_languages ((Call){ "POST", "/v1/plugins/bmi/Compute", .content_type = json,
				.body = "{\"weight_kg\":1,\"weight_kg\":2}" },
			400, "malformed", "键“weight_kg”重复", "duplicate key \"weight_kg\"");
	both_languages (
		(Call){ "POST", "/v1/plugins/bmi/Compute", .content_type = json, .body = "  " },
		400, "malformed", "JSON 文本为空", "JSON text is empty");
	/* a plugin that refuses in English only: the code's Chinese sentence, English kept */
	both_languages ((Call){ "POST", "/v1/plugins/bmi/Compute", .content_type = json,
				.body = "{\"weight_kg\":1000,\"height_cm\":175}" },
			422, "invalid-input", "weight_kg", "weight_kg");
	both_languages (
		(Call){ "POST", "/v1/plugins/nope/Compute", .content_type = json, .body = "{}" },
		404, "not-found", "没有名为“nope”的插件", "no plugin named 'nope'");
	/* patients (their own validator): in Chinese at least through the fallback */
	both_languages ((Call){ "POST", "/v1/patients", .token = clinic.clinician,
				.content_type = json, .body = "{\"mrn\":7,\"x\":1}" },
			422, "invalid-input", NULL, NULL);
	both_languages ((Call){ "GET", "/v1/patients/not-a-patient", .token = clinic.clinician },
			404, "not-found", NULL, NULL);

	after = db_state (conn, clinic.id);
	cr_assert_str_eq (after, before, "a refused request wrote something: %s -> %s", before,
			  after);
}

Test (errors_i18n, several_problems_are_listed_as_details, .timeout = 60)
{
	g_auto (MvtClinic) clinic = { 0 };
	g_autoptr (PGconn) conn = NULL;
	g_autofree gchar *before = NULL, *after = NULL, *keys_path = NULL;
	const gchar *langs[] = { "zh-CN", NULL };

	mvt_clinic_make (mvt_shared_url (), mvt_shared_data_dir (), &clinic);
	keys_path = g_strdup_printf ("/v1/admin/tenants/%s/keys", clinic.id);
	conn = mvt_db_connect (mvt_shared_data_dir ());
	before = db_state (conn, clinic.id);
	for (guint l = 0; l < G_N_ELEMENTS (langs); l++) {
		gboolean zh = langs[l] != NULL;
		/* a plugin's declared arguments: an unknown member and two wrong types */
		Call plugin
			= { "POST", "/v1/plugins/bmi/Compute", .content_type = "application/json",
			    .body = "{\"weight_kg\":\"70\",\"height_cm\":true,\"age\":3}",
			    .language = langs[l] };
		/* the admin API: a wrong role type, a bad time and an unknown member */
		Call key = { "POST",
			     keys_path,
			     .token = clinic.admin,
			     .content_type = "application/json",
			     .body = "{\"role\":1,\"expires_at\":\"tomorrow\",\"x\":true}",
			     .language = langs[l] };
		g_autoptr (MvtResponse) a = send_call (&plugin);
		g_autoptr (MvtResponse) b = send_call (&key);
		JsonArray *details;

		assert_language (a, 422, "invalid-input", zh, "/weight_kg", "plugin arguments");
		details = details_of (a, 3, "plugin arguments");
		assert_detail (details, "/age", "unknown-member", zh);
		assert_detail (details, "/weight_kg", "wrong-type", zh);
		assert_detail (details, "/height_cm", "wrong-type", zh);
		/* the value sent is never quoted back */
		cr_assert_null (strstr (a->body, "\"70\""), "%s", a->body);

		assert_language (b, 422, "invalid-input", zh, "/role", "key body");
		details = details_of (b, 3, "key body");
		assert_detail (details, "/x", "unknown-member", zh);
		assert_detail (details, "/role", "wrong-type", zh);
		assert_detail (details, "/expires_at", "invalid-format", zh);
		cr_assert_null (strstr (b->body, "tomorrow"), "%s", b->body);
	}
	after = db_state (conn, clinic.id);
	cr_assert_str_eq (after, before, "a refused request wrote something: %s -> %s", before,
			  after);
}

Test (errors_i18n, weights_and_tags_choose_the_language, .timeout = 60)
{
	static const struct {
		const gchar *header;
		gboolean zh;
	} cases[] = {
		{ "zh", TRUE },
		{ "zh-Hans", TRUE },
		{ "zh-SG", TRUE },
		{ "zh-Hans-HK", TRUE },
		{ "en;q=0.5, zh-CN;q=0.9", TRUE },
		{ "fr, zh;q=0.3", TRUE },
		{ "zh-CN;q=0.4, en", FALSE },
		{ "zh-TW", FALSE },
		{ "zh-Hant", FALSE },
		{ "zh-HK, zh;q=0.5", TRUE },
		{ "de", FALSE },
		{ "*", FALSE },
		{ "zh;q=abc", FALSE },
	};

	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		Call call = { "GET", "/v1/nowhere", .language = cases[i].header };
		g_autoptr (MvtResponse) resp = send_call (&call);
		assert_language (resp, 404, "not-found", cases[i].zh, NULL, cases[i].header);
	}
	/* a successful answer is not an error: no Content-Language is claimed for it */
	{
		Call call = { "GET", "/healthz", .language = "zh-CN" };
		g_autoptr (MvtResponse) resp = send_call (&call);
		cr_assert_eq (resp->status, 200);
	}
}

/* D-Bus has no Accept-Language: English, unless the call names its locale (CallWithLocale) */
Test (errors_i18n, dbus_speaks_the_locale_of_call_with_locale, .timeout = 60)
{
	g_autoptr (GDBusConnection) bus = mvt_dbus_connect (mvt_shared_bus_address ());
	static const struct {
		const gchar *method;
		const gchar *locale;
		const gchar *needle;
	} cases[] = {
		{ "CallWithLocale", "zh-CN", "没有名为“nope”的插件" },
		{ "CallWithLocale", "en", "no plugin named 'nope'" },
		{ "CallWithLocale", "zh-TW", "no plugin named 'nope'" },
		{ "Call", NULL, "no plugin named 'nope'" },
	};

	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr (GError) error = NULL;
		g_autoptr (GVariant) reply = NULL;
		GVariant *params = cases[i].locale != NULL
					   ? g_variant_new ("(sssv)", "nope", "X", cases[i].locale,
							    g_variant_new ("a{sv}", NULL))
					   : g_variant_new ("(ssv)", "nope", "X",
							    g_variant_new ("a{sv}", NULL));

		reply = g_dbus_connection_call_sync (
			bus, "org.medverse.Health1", "/org/medverse/Health1",
			"org.medverse.Health1", cases[i].method, params, NULL,
			G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);
		cr_assert_null (reply);
		cr_assert_not_null (strstr (error->message, cases[i].needle), "%s %s: %s",
				    cases[i].method, cases[i].locale, error->message);
		cr_assert_not_null (strstr (error->message, "NotFound"), "%s", error->message);
	}
}

/* the first answer that is not 200 of a thousand requests at full speed */
static MvtResponse *
first_refusal (const gchar *url, const gchar *const *headers)
{
	for (guint i = 0; i < 1000; i++) {
		g_autoptr (MvtResponse) r = mvt_http_with_headers (url, "GET", "/v1/auth/whoami",
								   NULL, NULL, 0, headers);
		if (r->status != 200)
			return g_steal_pointer (&r);
	}
	cr_assert_fail ("no refusal in a thousand requests");
	return NULL;
}

/* 429 comes from the key's bucket: a daemon of its own, with a bucket of two */
Test (errors_i18n, rate_limited_in_the_callers_language, .timeout = 120)
{
	MvtOptions options = { .config = "[auth]\nrate-limit-per-second=1\nrate-limit-burst=2\n" };
	g_autoptr (GError) error = NULL;
	g_autoptr (MvtEnv) env = mvt_env_new ();
	g_autoptr (MvtResponse) limited = NULL;
	g_autoptr (MvtResponse) english = NULL;
	const gchar *zh[] = { "Accept-Language", "zh-CN", NULL };
	const gchar *none[] = { NULL };

	mvt_env_prepare (env, &options);
	cr_assert (mvt_bus_start (env, &error), "%s", error != NULL ? error->message : "");
	cr_assert (mvt_daemon_spawn (env, &error), "%s", error != NULL ? error->message : "");
	cr_assert (mvt_daemon_wait_ready (env, 60000, &error), "%s",
		   error != NULL ? error->message : "");
	/* the operator key's bucket runs dry well before a thousand requests */
	limited = first_refusal (env->url, zh);
	assert_language (limited, 429, "rate-limited", TRUE, "请求过多", "429 in Chinese");
	cr_assert_not_null (limited->retry_after);
	english = first_refusal (env->url, none);
	assert_language (english, 429, "rate-limited", FALSE, "too many requests", "429");
}
