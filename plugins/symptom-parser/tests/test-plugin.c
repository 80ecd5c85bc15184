/*
 * The built plugin module, loaded with GModule as the daemon does and driven through the SDK's
 * test host: declaration, JSON in and out, error codes.
 */
#define G_LOG_DOMAIN "test-symptom-parser"

#include <criterion/criterion.h>
#include <medverse/medverse-plugin.h>
#include <string.h>

static const MvPluginInfo *info;

static void
setup (void)
{
	const gchar *path = g_getenv ("SP_PLUGIN_PATH");
	g_autoptr (GError) error = NULL;

	cr_assert_not_null (path, "SP_PLUGIN_PATH is not set");
	info = mv_test_host_load_module (path, &error);
	cr_assert_not_null (info, "%s", error != NULL ? error->message : "");
}

TestSuite (plugin, .init = setup);

static MvTestHost *
new_host (GKeyFile *config, GError **error)
{
	return mv_test_host_new (info, config, g_getenv ("SP_TEST_DATA_DIR"), error);
}

Test (plugin, declaration_is_valid)
{
	g_autoptr (GError) error = NULL;
	cr_assert (mv_plugin_info_validate (info, &error), "%s",
		   error != NULL ? error->message : "");
	cr_assert_str_eq (info->name, "symptom-parser");
	cr_assert_not_null (mv_plugin_info_find_method (info, "Parse"));
}

Test (plugin, parse_json)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvTestHost) host = new_host (NULL, &error);
	g_autofree gchar *out = NULL;
	g_autoptr (JsonParser) jp = json_parser_new ();
	JsonObject *root;
	JsonArray *findings;
	JsonObject *f0;
	JsonObject *f1;

	cr_assert_not_null (host, "%s", error != NULL ? error->message : "");
	out = mv_test_host_call_json (
		host, "Parse", "{\"text\":\"Severe headache for 3 days, no fever.\"}", &error);
	cr_assert_not_null (out, "%s", error != NULL ? error->message : "");
	cr_assert (json_parser_load_from_data (jp, out, -1, NULL));
	root = json_node_get_object (json_parser_get_root (jp));
	cr_assert_str_eq (json_object_get_string_member (root, "language"), "en");
	findings = json_object_get_array_member (root, "findings");
	cr_assert_eq (json_array_get_length (findings), 2);
	f0 = json_array_get_object_element (findings, 0);
	cr_assert_str_eq (json_object_get_string_member (f0, "code"), "HP:0002315");
	cr_assert_str_eq (json_object_get_string_member (f0, "label_en"), "Headache");
	cr_assert_str_eq (json_object_get_string_member (f0, "label_zh"), "头痛");
	cr_assert_eq (json_object_get_int_member (f0, "start"), 7);
	cr_assert_eq (json_object_get_int_member (f0, "end"), 15);
	cr_assert_str_eq (json_object_get_string_member (f0, "text"), "headache");
	cr_assert_str_eq (json_object_get_string_member (f0, "polarity"), "present");
	cr_assert_str_eq (json_object_get_string_member (f0, "experiencer"), "patient");
	cr_assert_str_eq (json_object_get_string_member (f0, "temporality"), "current");
	cr_assert_str_eq (json_object_get_string_member (f0, "severity"), "severe");
	cr_assert_float_eq (json_object_get_double_member (f0, "duration_hours"), 72, 1e-9);
	cr_assert_not (json_object_has_member (f0, "site"));
	cr_assert_not (json_object_has_member (f0, "laterality"));
	f1 = json_array_get_object_element (findings, 1);
	cr_assert_str_eq (json_object_get_string_member (f1, "code"), "HP:0001945");
	cr_assert_str_eq (json_object_get_string_member (f1, "polarity"), "absent");
}

Test (plugin, chinese_with_language)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvTestHost) host = new_host (NULL, &error);
	g_autoptr (GVariant) out = NULL;
	g_autoptr (GVariant) findings = NULL;
	const gchar *lang = NULL;

	out = mv_test_host_call (host, "Parse", g_variant_new ("(ss)", "左膝盖疼一周", "zh"),
				 &error);
	cr_assert_not_null (out, "%s", error != NULL ? error->message : "");
	g_variant_get (out, "(&s@aa{sv}b)", &lang, &findings, NULL);
	cr_assert_str_eq (lang, "zh");
	cr_assert_eq (g_variant_n_children (findings), 1);
	{
		g_autoptr (GVariant) f = g_variant_get_child_value (findings, 0);
		g_autoptr (GVariantDict) d = g_variant_dict_new (f);
		const gchar *lat = NULL;
		gdouble hours = 0;
		guint32 start = 99;
		cr_assert (g_variant_dict_lookup (d, "laterality", "&s", &lat));
		cr_assert_str_eq (lat, "left");
		cr_assert (g_variant_dict_lookup (d, "duration_hours", "d", &hours));
		cr_assert_float_eq (hours, 168, 1e-9);
		cr_assert (g_variant_dict_lookup (d, "start", "u", &start));
		cr_assert_eq (start, 1);
	}
}

Test (plugin, errors_map_to_mv_error_codes)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GKeyFile) config = g_key_file_new ();
	g_autoptr (MvTestHost) host = NULL;
	g_autofree gchar *out = NULL;
	g_autofree gchar *empty = NULL;

	g_key_file_set_string (config, "plugin.symptom-parser", "max-text-bytes", "16");
	host = new_host (config, &error);
	cr_assert_not_null (host, "%s", error != NULL ? error->message : "");
	out = mv_test_host_call_json (host, "Parse", "{\"text\":\"fever fever fever fever\"}",
				      &error);
	cr_assert_null (out);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_TOO_LARGE), "%s", error->message);
	g_clear_error (&error);
	out = mv_test_host_call_json (host, "Parse", "{\"text\":\"fever\",\"language\":\"xx\"}",
				      &error);
	cr_assert_null (out);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INVALID_INPUT));
	g_clear_error (&error);
	empty = mv_test_host_call_json (host, "Parse", "{\"text\":\"\"}", &error);
	cr_assert_not_null (empty, "%s", error != NULL ? error->message : "");
	cr_assert_not_null (strstr (empty, "\"findings\":[]") != NULL
				    ? empty
				    : strstr (empty, "\"findings\" : [ ]"),
			    "%s", empty);
}

Test (plugin, invalid_utf8_is_malformed)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvTestHost) host = new_host (NULL, &error);
	g_autofree gchar *out
		= mv_test_host_call_json (host, "Parse", "{\"text\":\"fever \xff\"}", &error);
	cr_assert_null (out);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_MALFORMED), "%s", error->message);
}

Test (plugin, bad_data_dir_refuses_to_load)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvTestHost) host = mv_test_host_new (info, NULL, "/nonexistent", &error);
	cr_assert_null (host);
	cr_assert_not_null (error);
	cr_assert_not_null (strstr (error->message, "concepts.tsv"), "%s", error->message);
}

Test (plugin, real_data_directory)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvTestHost) host
		= mv_test_host_new (info, NULL, g_getenv ("SP_REAL_DATA_DIR"), &error);
	g_autofree gchar *out = NULL;

	cr_assert_not_null (host, "%s", error != NULL ? error->message : "");
	out = mv_test_host_call_json (host, "Parse", "{\"text\":\"我肚子疼三天了，没有发烧。\"}",
				      &error);
	cr_assert_not_null (out, "%s", error != NULL ? error->message : "");
	cr_assert_not_null (strstr (out, "\"HP:0002027\""), "%s", out);
	cr_assert_not_null (strstr (out, "\"absent\""), "%s", out);
	cr_assert_not_null (strstr (out, "\"zh\""), "%s", out);
}

Test (plugin, max_findings_truncates_and_is_bounded)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GKeyFile) config = g_key_file_new ();
	g_autoptr (MvTestHost) host = NULL;
	g_autoptr (MvTestHost) plain = NULL;
	g_autoptr (GVariant) out = NULL;
	g_autoptr (GVariant) all = NULL;
	g_autoptr (GVariant) findings = NULL;
	gboolean truncated = FALSE;
	const gchar *text = "fever, cough, headache and diarrhea; fever again";

	g_key_file_set_integer (config, "plugin.symptom-parser", "max-findings", 2);
	host = new_host (config, &error);
	cr_assert_not_null (host, "%s", error != NULL ? error->message : "");
	out = mv_test_host_call (host, "Parse", g_variant_new ("(ss)", text, ""), &error);
	cr_assert_not_null (out, "%s", error != NULL ? error->message : "");
	g_variant_get (out, "(&s@aa{sv}b)", NULL, &findings, &truncated);
	cr_assert_eq (g_variant_n_children (findings), 2);
	cr_assert (truncated);
	/* the default (200) keeps all four, and says nothing was dropped */
	plain = new_host (NULL, &error);
	all = mv_test_host_call (plain, "Parse", g_variant_new ("(ss)", text, ""), &error);
	g_clear_pointer (&findings, g_variant_unref);
	g_variant_get (all, "(&s@aa{sv}b)", NULL, &findings, &truncated);
	cr_assert_eq (g_variant_n_children (findings), 4);
	cr_assert_not (truncated);
	/* out of range: the plugin refuses to load */
	for (guint i = 0; i < 2; i++) {
		g_autoptr (GKeyFile) bad = g_key_file_new ();
		g_autoptr (MvTestHost) refused = NULL;
		g_autoptr (GError) error_bad = NULL;
		g_key_file_set_integer (bad, "plugin.symptom-parser", "max-findings",
					i == 0 ? 0 : 10001);
		refused = new_host (bad, &error_bad);
		cr_assert_null (refused);
		cr_assert_not_null (strstr (error_bad->message, "max-findings"), "%s",
				    error_bad->message);
	}
}

Test (plugin, clinical_members_in_json)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvTestHost) host = new_host (NULL, &error);
	g_autoptr (JsonParser) jp = json_parser_new ();
	g_autofree gchar *out = NULL;
	JsonObject *root;
	JsonArray *findings;

	cr_assert_not_null (host, "%s", error != NULL ? error->message : "");
	out = mv_test_host_call_json (
		host, "Parse",
		"{\"text\":\"Allergic to penicillin (rash). Hx of HTN, father had MI at 50. "
		"Fever, fever.\"}",
		&error);
	cr_assert_not_null (out, "%s", error != NULL ? error->message : "");
	cr_assert (json_parser_load_from_data (jp, out, -1, NULL));
	root = json_node_get_object (json_parser_get_root (jp));
	cr_assert_not (json_object_get_boolean_member (root, "truncated"));
	findings = json_object_get_array_member (root, "findings");
	cr_assert_eq (json_array_get_length (findings), 4, "%s", out);
	{
		JsonObject *a = json_array_get_object_element (findings, 0);
		cr_assert_str_eq (json_object_get_string_member (a, "kind"), "allergy");
		cr_assert_str_eq (json_object_get_string_member (a, "code"), "ATC:J01CE01");
		cr_assert_str_eq (json_object_get_string_member (a, "reaction_code"), "HP:0000988");
		cr_assert_str_eq (json_object_get_string_member (a, "reaction_label_zh"), "皮疹");
		cr_assert_eq (json_array_get_length (json_object_get_array_member (a, "xrefs")), 2);
	}
	{
		JsonObject *h = json_array_get_object_element (findings, 1);
		cr_assert_str_eq (json_object_get_string_member (h, "code"), "HP:0000822");
		cr_assert_str_eq (json_object_get_string_member (h, "kind"), "condition");
		cr_assert_str_eq (json_object_get_string_member (h, "status"), "active");
		cr_assert_str_eq (json_object_get_string_member (h, "temporality"), "current");
	}
	{
		JsonObject *m = json_array_get_object_element (findings, 2);
		cr_assert_str_eq (json_object_get_string_member (m, "relation"), "father");
		cr_assert_float_eq (json_object_get_double_member (m, "onset_age"), 50, 1e-9);
		cr_assert_not (json_object_has_member (m, "status"));
	}
	{
		JsonObject *f = json_array_get_object_element (findings, 3);
		JsonArray *spans = json_object_get_array_member (f, "spans");
		cr_assert_eq (json_object_get_int_member (f, "mentions"), 2);
		cr_assert_eq (json_array_get_length (spans), 2);
		cr_assert_eq (
			json_array_get_int_element (json_array_get_array_element (spans, 1), 0),
			json_object_get_int_member (f, "start") + 7);
	}
}
