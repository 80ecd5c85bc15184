/*
 * The symptom parser inside the real daemon: the convenience route POST /v1/nlp/symptoms, the
 * generic plugin route and D-Bus give the same findings, and bad text gets its status.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mvt.h"

int
main (int argc, char **argv)
{
	const gchar *plugins[] = { mvt_getenv ("MVT_SYMPTOM_PARSER"), NULL };
	g_autofree gchar *config = g_strdup_printf ("[http]\nmax-body-bytes=4194304\n"
						    "[plugin.symptom-parser]\ndata-dir=%s\n",
						    mvt_getenv ("MVT_SYMPTOM_PARSER_DATA"));
	MvtOptions options = { .extra_plugins = plugins, .config = config };
	return mvt_main (argc, argv, &options);
}

static JsonArray *
findings_of (MvtResponse *resp)
{
	cr_assert_eq (resp->status, 200, "%u: %s", resp->status, resp->body);
	cr_assert_not_null (resp->json);
	return json_object_get_array_member (json_node_get_object (resp->json), "findings");
}

static JsonObject *
finding_with_code (JsonArray *findings, const gchar *code)
{
	for (guint i = 0; i < json_array_get_length (findings); i++) {
		JsonObject *f = json_array_get_object_element (findings, i);
		if (g_strcmp0 (json_object_get_string_member (f, "code"), code) == 0)
			return f;
	}
	cr_assert_fail ("no finding %s", code);
	return NULL;
}

Test (nlp, english_with_negation_and_duration)
{
	g_autoptr (MvtResponse) resp
		= mvt_post_json ("/v1/nlp/symptoms",
				 "{\"text\":\"I have had a dry cough for 3 days, no chest pain\"}");
	JsonArray *findings = findings_of (resp);
	JsonObject *cough = finding_with_code (findings, "HP:0031246");
	JsonObject *chest = finding_with_code (findings, "HP:0100749");

	cr_assert_str_eq (json_object_get_string_member (cough, "polarity"), "present");
	cr_assert_float_eq (json_object_get_double_member (cough, "duration_hours"), 72.0, 1e-9);
	cr_assert_str_eq (json_object_get_string_member (chest, "polarity"), "absent");
	cr_assert_str_eq (json_object_get_string_member (chest, "text"), "chest pain");
}

Test (nlp, chinese_auto_detected)
{
	g_autoptr (MvtResponse) resp
		= mvt_post_json ("/v1/nlp/symptoms", "{\"text\":\"发烧三天，没有咳嗽\"}");
	JsonArray *findings = findings_of (resp);

	cr_assert_str_eq (
		json_object_get_string_member (json_node_get_object (resp->json), "language"),
		"zh");
	cr_assert_str_eq (json_object_get_string_member (finding_with_code (findings, "HP:0001945"),
							 "polarity"),
			  "present");
	cr_assert_str_eq (json_object_get_string_member (finding_with_code (findings, "HP:0012735"),
							 "polarity"),
			  "absent");
}

Test (nlp, convenience_route_equals_plugin_route)
{
	const gchar *body
		= "{\"text\":\"Mother had chest pain. Denies fever.\",\"language\":\"en\"}";
	g_autoptr (MvtResponse) a = mvt_post_json ("/v1/nlp/symptoms", body);
	g_autoptr (MvtResponse) b = mvt_post_json ("/v1/plugins/symptom-parser/Parse", body);

	cr_assert_eq (a->status, 200, "%s", a->body);
	cr_assert_str_eq (a->body, b->body);
}

Test (nlp, bad_text)
{
	static const gchar invalid[] = "{\"text\":\"fever \xc3\x28\"}";
	g_autoptr (MvtResponse) utf8 = mvt_http (mvt_shared_url (), "POST", "/v1/nlp/symptoms",
						 "application/json", invalid, sizeof invalid - 1);
	g_autoptr (MvtResponse) empty = mvt_post_json ("/v1/nlp/symptoms", "{\"text\":\"\"}");
	g_autoptr (MvtResponse) wrong = mvt_post_json ("/v1/nlp/symptoms", "{\"text\":42}");
	g_autoptr (GString) huge = g_string_new ("{\"text\":\"");
	g_autoptr (MvtResponse) too_long = NULL;

	mvt_assert_error (utf8, 400, "malformed");
	cr_assert_eq (json_array_get_length (findings_of (empty)), 0);
	mvt_assert_error (wrong, 422, "invalid-input");
	/* the plugin's own limit is 1 MiB of text (its README); the HTTP limit here is larger */
	for (guint i = 0; i < 1100000 / 8; i++)
		g_string_append (huge, "cough ab");
	g_string_append (huge, "\"}");
	too_long = mvt_post_json ("/v1/nlp/symptoms", huge->str);
	mvt_assert_error (too_long, 413, "too-large");
}
