/*
 * The symptom parser inside the real daemon: the convenience route POST /v1/nlp/symptoms, the
 * generic plugin route and D-Bus (the generic Call and the plugin's own object) give the same
 * findings, and bad text gets its status.
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

/* Over HTTP, as a clinic's EHR sends an intake note: each kind with its members in JSON. */
Test (nlp, a_clinical_note_gives_every_kind_over_http)
{
	g_autoptr (MvtResponse) resp = mvt_post_json (
		"/v1/nlp/symptoms",
		"{\"text\":\"Hx of HTN, on metformin 500 mg PO BID. Allergic to penicillin (rash). "
		"BP 150/95, temp 39.2 C. Father had MI at 50. Pain 0/10.\"}");
	JsonObject *body = json_node_get_object (resp->json);
	JsonArray *findings = findings_of (resp);
	JsonObject *htn = finding_with_code (findings, "HP:0000822");
	JsonObject *met = finding_with_code (findings, "ATC:A10BA02");
	JsonObject *pcn = finding_with_code (findings, "ATC:J01CE01");
	JsonObject *sbp = finding_with_code (findings, "LOINC:8480-6");
	JsonObject *temp = finding_with_code (findings, "LOINC:8310-5");
	JsonObject *mi = finding_with_code (findings, "HP:0001658");
	JsonObject *pain = finding_with_code (findings, "HP:0012531");

	cr_assert_not (json_object_get_boolean_member (body, "truncated"));
	cr_assert_str_eq (json_object_get_string_member (htn, "kind"), "condition");
	cr_assert_str_eq (json_object_get_string_member (htn, "status"), "active");
	cr_assert_str_eq (json_object_get_string_member (met, "kind"), "medication");
	cr_assert_float_eq (json_object_get_double_member (met, "dose_value"), 500, 1e-9);
	cr_assert_str_eq (json_object_get_string_member (met, "frequency"), "BID");
	cr_assert_str_eq (json_object_get_string_member (pcn, "kind"), "allergy");
	cr_assert_str_eq (json_object_get_string_member (pcn, "reaction_code"), "HP:0000988");
	cr_assert_float_eq (json_object_get_double_member (sbp, "value"), 150, 1e-9);
	cr_assert_str_eq (json_object_get_string_member (sbp, "unit"), "mm[Hg]");
	cr_assert_str_eq (json_object_get_string_member (sbp, "interpretation"), "high");
	cr_assert_float_eq (json_object_get_double_member (temp, "value"), 39.2, 1e-9);
	cr_assert_str_eq (json_object_get_string_member (temp, "unit"), "Cel");
	cr_assert_str_eq (json_object_get_string_member (mi, "relation"), "father");
	cr_assert_float_eq (json_object_get_double_member (mi, "onset_age"), 50, 1e-9);
	cr_assert_str_eq (json_object_get_string_member (pain, "polarity"), "absent");
	/* the rash is the allergy's reaction, not a present symptom */
	for (guint i = 0; i < json_array_get_length (findings); i++) {
		JsonObject *f = json_array_get_object_element (findings, i);
		cr_assert_str_neq (json_object_get_string_member (f, "code"), "HP:0000988");
	}
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

/* ---- D-Bus parity ---------------------------------------------------------------------------- */

#define SP_PATH "/org/medverse/Health1/plugins/symptom_parser"
#define SP_IFACE "org.medverse.Health1.Plugin.symptom_parser"

/* Asserts @json is @value as the HTTP API writes it (a{sv} an object, an array an array, a v its
 * content, a maybe null or its content, numbers equal), written here apart from the daemon's
 * converter so the two transports are compared, not one converter with itself. */
static void
assert_same (GVariant *value, JsonNode *json, const gchar *path)
{
	const GVariantType *type = g_variant_get_type (value);

	cr_assert_not_null (json, "%s: missing over HTTP", path);
	if (g_variant_is_of_type (value, G_VARIANT_TYPE_VARIANT)) {
		g_autoptr (GVariant) inner = g_variant_get_variant (value);
		assert_same (inner, json, path);
	} else if (g_variant_type_is_maybe (type)) {
		g_autoptr (GVariant) inner = g_variant_get_maybe (value);
		if (inner == NULL)
			cr_assert (JSON_NODE_HOLDS_NULL (json), "%s: null over D-Bus", path);
		else
			assert_same (inner, json, path);
	} else if (g_variant_is_of_type (value, G_VARIANT_TYPE_VARDICT)) {
		JsonObject *object;
		GVariantIter iter;
		const gchar *key;
		GVariant *member;

		cr_assert (JSON_NODE_HOLDS_OBJECT (json), "%s: not an object over HTTP", path);
		object = json_node_get_object (json);
		cr_assert_eq (json_object_get_size (object), g_variant_n_children (value),
			      "%s: %u members over HTTP, %zu over D-Bus", path,
			      json_object_get_size (object), g_variant_n_children (value));
		g_variant_iter_init (&iter, value);
		while (g_variant_iter_next (&iter, "{&sv}", &key, &member)) {
			g_autofree gchar *sub = g_strdup_printf ("%s.%s", path, key);
			assert_same (member, json_object_get_member (object, key), sub);
			g_variant_unref (member);
		}
	} else if (g_variant_type_is_array (type) || g_variant_type_is_tuple (type)) {
		JsonArray *array;

		cr_assert (JSON_NODE_HOLDS_ARRAY (json), "%s: not an array over HTTP", path);
		array = json_node_get_array (json);
		cr_assert_eq (json_array_get_length (array), g_variant_n_children (value),
			      "%s: %u items over HTTP, %zu over D-Bus", path,
			      json_array_get_length (array), g_variant_n_children (value));
		for (gsize i = 0; i < g_variant_n_children (value); i++) {
			g_autoptr (GVariant) item = g_variant_get_child_value (value, i);
			g_autofree gchar *sub = g_strdup_printf ("%s[%zu]", path, i);
			assert_same (item, json_array_get_element (array, i), sub);
		}
	} else if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING)) {
		cr_assert (JSON_NODE_HOLDS_VALUE (json)
				   && json_node_get_value_type (json) == G_TYPE_STRING,
			   "%s: not a string over HTTP", path);
		cr_assert_str_eq (json_node_get_string (json), g_variant_get_string (value, NULL),
				  "%s", path);
	} else if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN)) {
		cr_assert (JSON_NODE_HOLDS_VALUE (json)
				   && json_node_get_value_type (json) == G_TYPE_BOOLEAN,
			   "%s: not a boolean over HTTP", path);
		cr_assert_eq (json_node_get_boolean (json), g_variant_get_boolean (value), "%s",
			      path);
	} else if (g_variant_is_of_type (value, G_VARIANT_TYPE_DOUBLE)) {
		cr_assert (JSON_NODE_HOLDS_VALUE (json), "%s: not a number over HTTP", path);
		/* identical, not merely close */
		cr_assert (json_node_get_double (json) == g_variant_get_double (value),
			   "%s: %.17g over HTTP, %.17g over D-Bus", path,
			   json_node_get_double (json), g_variant_get_double (value));
	} else {
		g_autofree gchar *printed = g_variant_print (value, FALSE);
		gint64 number;

		cr_assert (JSON_NODE_HOLDS_VALUE (json)
				   && json_node_get_value_type (json) == G_TYPE_INT64,
			   "%s: not an integer over HTTP (D-Bus: %s)", path, printed);
		number = json_node_get_int (json);
		cr_assert (g_ascii_string_to_signed (printed, 10, number, number, NULL, NULL),
			   "%s: %" G_GINT64_FORMAT " over HTTP, %s over D-Bus", path, number,
			   printed);
	}
}

/* the same text through POST /v1/nlp/symptoms, the generic D-Bus Call and the plugin's object;
 * @language "" detects it */
static void
assert_parity (const gchar *text, const gchar *language)
{
	g_autoptr (GDBusConnection) bus = mvt_dbus_connect (mvt_shared_bus_address ());
	g_autoptr (JsonBuilder) builder = json_builder_new ();
	g_autoptr (JsonNode) root = NULL;
	g_autofree gchar *body = NULL;
	g_autoptr (MvtResponse) http = NULL;
	g_autoptr (GVariant) generic = NULL;
	g_autoptr (GVariant) generic_output = NULL;
	g_autoptr (GVariant) direct = NULL;
	g_autoptr (GVariant) findings = NULL;
	g_autoptr (GError) error = NULL;
	JsonObject *object;

	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "text");
	json_builder_add_string_value (builder, text);
	if (language[0] != '\0') {
		json_builder_set_member_name (builder, "language");
		json_builder_add_string_value (builder, language);
	}
	json_builder_end_object (builder);
	root = json_builder_get_root (builder);
	body = json_to_string (root, FALSE);
	http = mvt_post_json ("/v1/nlp/symptoms", body);
	cr_assert_eq (http->status, 200, "%s", http->body);

	generic = g_dbus_connection_call_sync (
		bus, "org.medverse.Health1", "/org/medverse/Health1", "org.medverse.Health1",
		"Call",
		g_variant_new ("(ssv)", "symptom-parser", "Parse",
			       g_variant_new ("(ss)", text, language)),
		G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, 30000, NULL, &error);
	cr_assert_not_null (generic, "Call: %s", error != NULL ? error->message : "");
	direct = g_dbus_connection_call_sync (bus, "org.medverse.Health1", SP_PATH, SP_IFACE,
					      "Parse", g_variant_new ("(ss)", text, language),
					      G_VARIANT_TYPE ("(saa{sv}b)"), G_DBUS_CALL_FLAGS_NONE,
					      30000, NULL, &error);
	cr_assert_not_null (direct, "%s.Parse: %s", SP_IFACE, error != NULL ? error->message : "");
	g_variant_get (generic, "(v)", &generic_output);
	cr_assert (g_variant_equal (generic_output, direct), "Call and %s.Parse differ", SP_IFACE);

	/* one member per output argument, in declaration order: language, findings, truncated */
	object = json_node_get_object (http->json);
	cr_assert_eq (json_object_get_size (object), 3, "%s", http->body);
	{
		g_autoptr (GVariant) lang = g_variant_get_child_value (direct, 0);
		assert_same (lang, json_object_get_member (object, "language"), "language");
	}
	findings = g_variant_get_child_value (direct, 1);
	cr_assert_gt (g_variant_n_children (findings), 0, "no findings to compare in \"%s\"", text);
	assert_same (findings, json_object_get_member (object, "findings"), "findings");
}

Test (nlp, dbus_gives_what_http_gives)
{
	assert_parity ("I have had a dry cough for 3 days, no chest pain", "en");
	assert_parity ("Mother had chest pain. Denies fever. Headache 7/10 since yesterday.", "");
	assert_parity ("发烧三天，没有咳嗽", "");
	assert_parity ("头痛两天，伴有恶心", "zh");
}
