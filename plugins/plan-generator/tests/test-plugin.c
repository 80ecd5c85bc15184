/*
 * The built plan-generator module, loaded with GModule as the daemon loads it and driven
 * through the SDK's test host with JSON, as an HTTP client calls it: declaration, the four
 * methods, errors with every problem, the refusal to start without a red-flag list.
 */
#include <criterion/criterion.h>
#include <json-glib/json-glib.h>
#include <medverse/medverse-plugin.h>
#include <string.h>

#include "test-lib.h"

static const MvPluginInfo *info;

static void
setup (void)
{
	const gchar *path = g_getenv ("PG_PLUGIN_PATH");
	g_autoptr (GError) error = NULL;

	cr_assert_not_null (path, "PG_PLUGIN_PATH is not set");
	info = mv_test_host_load_module (path, &error);
	cr_assert_not_null (info, "%s", error != NULL ? error->message : "");
}

TestSuite (plugin, .init = setup);

static MvTestHost *
new_host (void)
{
	g_autoptr (GError) error = NULL;
	MvTestHost *host = mv_test_host_new (info, NULL, g_getenv ("PG_DATA_DIR"), &error);

	cr_assert_not_null (host, "%s", error != NULL ? error->message : "");
	return host;
}

/* {"context": <patient file>} */
static gchar *
context_input (const gchar *rel)
{
	g_autofree gchar *data = pgt_read (rel);

	return g_strdup_printf ("{\"context\": %s}", data);
}

static JsonObject *
call_ok (MvTestHost *host, const gchar *method, const gchar *json, JsonParser *parser)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *out = mv_test_host_call_json (host, method, json, &error);

	cr_assert_not_null (out, "%s: %s", method, error != NULL ? error->message : "");
	cr_assert (json_parser_load_from_data (parser, out, -1, NULL));
	return json_node_get_object (json_parser_get_root (parser));
}

Test (plugin, declaration_is_valid)
{
	g_autoptr (GError) error = NULL;
	const gchar *const methods[] = { "Generate", "Replan", "Triage", "ListRules", NULL };

	cr_assert (mv_plugin_info_validate (info, &error), "%s", error ? error->message : "");
	cr_assert_str_eq (info->name, "plan-generator");
	for (guint i = 0; methods[i] != NULL; i++)
		cr_assert_not_null (mv_plugin_info_find_method (info, methods[i]), "%s",
				    methods[i]);
}

Test (plugin, list_rules_cites_every_rule_and_flag)
{
	g_autoptr (MvTestHost) host = new_host ();
	g_autoptr (JsonParser) parser = json_parser_new ();
	JsonObject *out = call_ok (host, "ListRules", "{}", parser);
	JsonArray *rules = json_object_get_array_member (out, "rules");
	guint flags = 0;

	cr_assert_geq (json_array_get_length (rules), 30);
	for (guint i = 0; i < json_array_get_length (rules); i++) {
		JsonObject *r = json_array_get_object_element (rules, i);
		cr_assert (strlen (json_object_get_string_member (r, "source")) > 10);
		cr_assert (pgt_has_cjk (json_object_get_string_member (r, "title_zh")));
		cr_assert (g_str_has_suffix (json_object_get_string_member (r, "file"), ".json"));
		flags += g_str_equal (json_object_get_string_member (r, "kind"), "red_flag");
	}
	cr_assert_geq (flags, 12);
}

Test (plugin, generate_over_json_red_flag_first)
{
	g_autoptr (MvTestHost) host = new_host ();
	g_autoptr (JsonParser) parser = json_parser_new ();
	g_autofree gchar *in = context_input ("patients/red-flag-chest-pain.json");
	JsonObject *plan
		= json_object_get_object_member (call_ok (host, "Generate", in, parser), "plan");
	JsonArray *flags = json_object_get_array_member (plan, "red_flags");
	g_autoptr (GList) members = NULL;

	cr_assert_str_eq (json_object_get_string_member (plan, "status"), "suppressed");
	cr_assert_eq (json_array_get_length (flags), 1);
	cr_assert_str_eq (
		json_object_get_string_member (json_array_get_object_element (flags, 0), "id"),
		"chest-pain-breathless");
	cr_assert_eq (json_array_get_length (json_object_get_array_member (plan, "tasks")), 0);
	/* what a client reads first */
	members = json_object_get_members (plan);
	cr_assert_str_eq (members->data, "status");
	cr_assert_str_eq (members->next->data, "red_flags");
}

Test (plugin, triage_over_json)
{
	g_autoptr (MvTestHost) host = new_host ();
	g_autoptr (JsonParser) parser = json_parser_new ();
	g_autofree gchar *flagged = context_input ("patients/possible-chest-pain.json");
	g_autofree gchar *negated = context_input ("patients/negated-chest-pain.json");
	JsonArray *flags
		= json_object_get_array_member (call_ok (host, "Triage", flagged, parser), "flags");

	cr_assert_eq (json_array_get_length (flags), 1);
	cr_assert_str_eq (json_object_get_string_member (json_array_get_object_element (flags, 0),
							 "certainty"),
			  "possible");
	flags = json_object_get_array_member (call_ok (host, "Triage", negated, parser), "flags");
	cr_assert_eq (json_array_get_length (flags), 0);
}

Test (plugin, replan_over_json_increments_the_version)
{
	g_autoptr (MvTestHost) host = new_host ();
	g_autoptr (JsonParser) parser = json_parser_new ();
	g_autoptr (JsonParser) parser2 = json_parser_new ();
	g_autofree gchar *ctx = pgt_read ("patients/sedentary-55-diabetes-risk.json");
	g_autofree gchar *in = context_input ("patients/sedentary-55-diabetes-risk.json");
	JsonObject *v1
		= json_object_get_object_member (call_ok (host, "Generate", in, parser), "plan");
	g_autoptr (JsonNode) v1_node = json_node_init_object (json_node_alloc (), v1);
	g_autofree gchar *v1_json = json_to_string (v1_node, FALSE);
	g_autofree gchar *replan = g_strdup_printf (
		"{\"context\": %s, \"previous\": %s, \"adherence\": [{\"id\": \"aerobic\", "
		"\"planned\": 5, \"done\": 5}, {\"id\": \"activity-weekly\", \"planned\": 150, "
		"\"done\": 160}]}",
		ctx, v1_json);
	JsonObject *v2
		= json_object_get_object_member (call_ok (host, "Replan", replan, parser2), "plan");
	JsonArray *tasks = json_object_get_array_member (v2, "tasks");

	cr_assert_eq (json_object_get_int_member (v2, "version"), 2);
	for (guint i = 0; i < json_array_get_length (tasks); i++) {
		JsonObject *t = json_array_get_object_element (tasks, i);
		if (g_str_equal (json_object_get_string_member (t, "id"), "aerobic"))
			cr_assert_eq (json_object_get_int_member (t, "minutes"), 20);
	}
}

Test (plugin, bad_context_is_one_error_listing_every_problem)
{
	g_autoptr (MvTestHost) host = new_host ();
	g_autoptr (GError) error = NULL;
	g_autofree gchar *in = context_input ("data/contexts/bad-many-problems.json");
	g_autofree gchar *out = mv_test_host_call_json (host, "Generate", in, &error);

	cr_assert_null (out);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INVALID_INPUT), "%s", error->message);
	cr_assert_eq (mv_error_get_n_problems (error), 8);
	cr_assert (strstr (error->message, "/context/pregant") != NULL, "%s", error->message);
	cr_assert_not_null (mv_error_get_message_zh (error));
}

Test (plugin, malformed_json_is_malformed)
{
	g_autoptr (MvTestHost) host = new_host ();
	g_autoptr (GError) error = NULL;
	g_autofree gchar *in = context_input ("data/contexts/malformed.json");
	g_autofree gchar *out = mv_test_host_call_json (host, "Generate", in, &error);

	cr_assert_null (out);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_MALFORMED), "%s", error->message);
}

Test (plugin, replan_refusals_are_listed_with_the_context_ones)
{
	g_autoptr (MvTestHost) host = new_host ();
	g_autoptr (GError) error = NULL;
	g_autofree gchar *out = mv_test_host_call_json (
		host, "Replan",
		"{\"context\": {\"today\": \"2026-13-01\", \"language\": \"en\"}, \"previous\": "
		"{}, "
		"\"adherence\": [{\"id\": \"x\", \"planned\": 5, \"done\": 2, \"extra\": 1}]}",
		&error);

	cr_assert_null (out);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INVALID_INPUT), "%s", error->message);
	/* today's date, previous version, previous goals/tasks, adherence member and id */
	cr_assert_eq (mv_error_get_n_problems (error), 5, "%s", error->message);
}

Test (plugin, no_red_flag_list_no_plugin)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GKeyFile) config = g_key_file_new ();
	MvTestHost *host;

	g_key_file_set_string (config, "plugin.plan-generator", "red-flags",
			       "/nonexistent/red-flags.json");
	host = mv_test_host_new (info, config, g_getenv ("PG_DATA_DIR"), &error);
	cr_assert_null (host);
	cr_assert (strstr (error->message, "red-flag list") != NULL, "%s", error->message);
}
