/*
 * The built vr-recommender module, loaded with GModule as the daemon loads it and driven
 * through the SDK's test host with JSON, as an HTTP client calls it: the declaration, the four
 * methods, errors with every problem, the refusal to start with a bad catalog.
 */
#include <criterion/criterion.h>
#include <json-glib/json-glib.h>
#include <medverse/medverse-plugin.h>
#include <string.h>

static const MvPluginInfo *info;

/* VR_TEST_DIR/@rel; the core is not linked here: the module under test carries its own copy */
static gchar *
vrt_path (const gchar *rel)
{
	const gchar *dir = g_getenv ("VR_TEST_DIR");

	cr_assert_not_null (dir, "VR_TEST_DIR is not set");
	return g_build_filename (dir, rel, NULL);
}

static void
setup (void)
{
	const gchar *path = g_getenv ("VR_PLUGIN_PATH");
	g_autoptr (GError) error = NULL;

	cr_assert_not_null (path, "VR_PLUGIN_PATH is not set");
	info = mv_test_host_load_module (path, &error);
	cr_assert_not_null (info, "%s", error != NULL ? error->message : "");
}

TestSuite (plugin, .init = setup);

static MvTestHost *
new_host (void)
{
	g_autoptr (GError) error = NULL;
	MvTestHost *host = mv_test_host_new (info, NULL, g_getenv ("VR_DATA_DIR"), &error);

	cr_assert_not_null (host, "%s", error != NULL ? error->message : "");
	return host;
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

static GError *
call_refused (MvTestHost *host, const gchar *method, const gchar *json)
{
	GError *error = NULL;
	g_autofree gchar *out = mv_test_host_call_json (host, method, json, &error);

	cr_assert_null (out, "%s accepted %s", method, json);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INVALID_INPUT), "%s", error->message);
	return error;
}

static gboolean
has_problem (const GError *error, const gchar *field, const gchar *code)
{
	for (guint i = 0; i < mv_error_get_n_problems (error); i++) {
		const MvErrorProblem *p = mv_error_get_problem (error, i);
		if (g_strcmp0 (p->field, field) == 0 && g_strcmp0 (p->code, code) == 0)
			return p->message_zh != NULL && strcmp (p->message, p->message_zh) != 0;
	}
	return FALSE;
}

Test (plugin, declaration_is_valid)
{
	g_autoptr (GError) error = NULL;
	const gchar *const methods[]
		= { "ListCatalog", "ValidateItem", "Train", "Recommend", NULL };

	cr_assert (mv_plugin_info_validate (info, &error), "%s", error ? error->message : "");
	cr_assert_str_eq (info->name, "vr-recommender");
	for (guint i = 0; methods[i] != NULL; i++)
		cr_assert_not_null (mv_plugin_info_find_method (info, methods[i]), "%s",
				    methods[i]);
}

Test (plugin, list_catalog_in_each_language)
{
	g_autoptr (MvTestHost) host = new_host ();
	g_autoptr (JsonParser) pz = json_parser_new ();
	g_autoptr (JsonParser) pb = json_parser_new ();
	JsonArray *zh = json_object_get_array_member (
		call_ok (host, "ListCatalog", "{\"language\":\"zh\"}", pz), "items");
	JsonArray *both = json_object_get_array_member (
		call_ok (host, "ListCatalog", "{\"language\":\"\"}", pb), "items");
	g_autoptr (GError) error = call_refused (host, "ListCatalog", "{\"language\":\"fr\"}");
	JsonObject *first = json_array_get_object_element (both, 0);

	cr_assert_geq (json_array_get_length (zh), 60);
	cr_assert_eq (json_array_get_length (zh), json_array_get_length (both));
	cr_assert_str_eq (
		json_object_get_string_member (json_array_get_object_element (zh, 0), "title"),
		"花园伸手");
	cr_assert_str_eq (json_object_get_string_member (
				  json_object_get_object_member (first, "title"), "en"),
			  "Garden Reach");
	cr_assert (has_problem (error, "/language", "not-allowed"));
}

static gchar *
item_input (const gchar *rel)
{
	g_autofree gchar *path = vrt_path (rel);
	g_autofree gchar *text = NULL;

	cr_assert (g_file_get_contents (path, &text, NULL, NULL));
	return g_strdup_printf ("{\"item\": %s}", text);
}

Test (plugin, validate_item_normalises_and_refuses)
{
	g_autoptr (MvTestHost) host = new_host ();
	g_autoptr (JsonParser) parser = json_parser_new ();
	g_autofree gchar *good = item_input ("data/good-item.json");
	g_autofree gchar *bad = item_input ("data/bad-item.json");
	JsonObject *item = json_object_get_object_member (
		call_ok (host, "ValidateItem", good, parser), "item");
	g_autoptr (GError) error = call_refused (host, "ValidateItem", bad);
	g_autoptr (GError) dup = call_refused (
		host, "ValidateItem",
		"{\"item\":{\"id\":\"reach-garden\",\"title\":{\"en\":\"A\",\"zh\":\"甲\"},"
		"\"summary\":{\"en\":\"B\",\"zh\":\"乙\"},\"category\":\"relaxation\",\"targets\":["
		"],"
		"\"regions\":[\"none\"],\"mets\":1.3,\"duration_min\":10,\"min_age\":12,"
		"\"comfort\":\"comfortable\",\"locomotion\":\"none\",\"posture\":\"seated\","
		"\"contraindications\":[],\"languages\":[\"en\"],\"evidence\":\"Riches S, et al. "
		"2021\"}}");

	cr_assert_str_eq (json_object_get_string_member (item, "id"), "clinic-arm-reach");
	cr_assert_eq (json_object_get_int_member (item, "duration_min"), 15);
	cr_assert_eq (mv_error_get_n_problems (error), 5, "%s", error->message);
	cr_assert (has_problem (error, "/item/mets", "wrong-type"));
	cr_assert (has_problem (error, "/item/evidence", "required"));
	cr_assert (has_problem (error, "/item/max_age", "inconsistent"));
	cr_assert (has_problem (dup, "/item/id", "duplicate"));
}

#define SESSIONS                                                                                   \
	"{\"sessions\":[{\"patient\":\"a\",\"content_id\":\"forest-bathing\",\"date\":"            \
	"\"2026-11-01\",\"duration_min\":15,\"completed\":true,\"rating\":5},"                     \
	"{\"patient\":\"a\",\"content_id\":\"breathing-beach\",\"date\":\"2026-11-02\","           \
	"\"duration_min\":10.5,\"completed\":true},"                                               \
	"{\"patient\":\"b\",\"content_id\":\"forest-bathing\",\"date\":\"2026-11-01\","            \
	"\"duration_min\":15,\"completed\":true},"                                                 \
	"{\"patient\":\"b\",\"content_id\":\"breathing-beach\",\"date\":\"2026-11-03\","           \
	"\"duration_min\":10,\"completed\":true,\"cybersickness\":\"none\"}]}"

Test (plugin, train_then_recommend)
{
	g_autoptr (MvTestHost) host = new_host ();
	g_autoptr (JsonParser) pm = json_parser_new ();
	g_autoptr (JsonParser) pr = json_parser_new ();
	g_autoptr (JsonGenerator) gen = json_generator_new ();
	JsonObject *model
		= json_object_get_object_member (call_ok (host, "Train", SESSIONS, pm), "model");
	g_autoptr (JsonNode) model_node = json_node_init_object (json_node_alloc (), model);
	g_autofree gchar *model_text = NULL;
	g_autofree gchar *input = NULL;
	JsonObject *result;
	JsonArray *items;

	cr_assert_eq (json_object_get_int_member (model, "trained_on"), 4);
	/* format 2: each item counts the patients who completed it */
	cr_assert_eq (json_object_get_int_member (model, "format"), 2);
	cr_assert_eq (json_object_get_int_member (
			      json_array_get_object_element (
				      json_object_get_array_member (model, "items"), 0),
			      "patients"),
		      2);
	json_generator_set_root (gen, model_node);
	model_text = json_generator_to_data (gen, NULL);
	input = g_strdup_printf (
		"{\"patient\":{\"language\":\"zh\",\"age_years\":40,\"comfort_tolerance\":"
		"\"comfortable\"},\"history\":[{\"content_id\":\"forest-bathing\",\"date\":"
		"\"2026-11-20\",\"duration_min\":15,\"completed\":true}],\"model\":%s,"
		"\"options\":{\"limit\":5,\"include_excluded\":true,\"seed\":3}}",
		model_text);
	result = json_object_get_object_member (call_ok (host, "Recommend", input, pr), "result");
	items = json_object_get_array_member (result, "items");
	cr_assert_eq (json_array_get_length (items), 5);
	/* completed before: continued first; then what the patients who did it also did */
	cr_assert_str_eq (
		json_object_get_string_member (json_array_get_object_element (items, 0), "id"),
		"forest-bathing");
	cr_assert_str_eq (
		json_object_get_string_member (json_array_get_object_element (items, 1), "id"),
		"breathing-beach");
	cr_assert_str_eq (json_object_get_string_member (result, "comfort_tolerance"),
			  "comfortable");
	cr_assert_gt (json_array_get_length (json_object_get_array_member (result, "excluded")), 0);
	cr_assert (!json_object_get_boolean_member (result, "cold_start"));
	/* always there, empty for this patient */
	cr_assert_eq (json_array_get_length (json_object_get_array_member (result, "notices")), 0);
}

/* a seizure history, at 72 after a stroke, no plan: the notices as HTTP sends them, the
 * clinician's pin of a preparation no code names */
Test (plugin, recommend_gives_notices_and_respects_pins)
{
	g_autoptr (MvTestHost) host = new_host ();
	g_autoptr (JsonParser) pr = json_parser_new ();
	JsonObject *result = json_object_get_object_member (
		call_ok (host, "Recommend",
			 "{\"patient\":{\"language\":\"zh\",\"age_years\":72,\"conditions\":["
			 "{\"code\":\"DOID:1826\",\"status\":\"inactive\"},{\"code\":"
			 "\"ICD10:I69.3\",\"status\":\"active\"}]},\"history\":[],\"model\":{},"
			 "\"options\":{\"limit\":50,\"pin\":[\"mri-rehearsal\"]}}",
			 pr),
		"result");
	JsonArray *notices = json_object_get_array_member (result, "notices");
	JsonArray *items = json_object_get_array_member (result, "items");
	gboolean seizure = FALSE, fall = FALSE, mri = FALSE;

	for (guint i = 0; i < json_array_get_length (notices); i++) {
		JsonObject *n = json_array_get_object_element (notices, i);
		const gchar *code = json_object_get_string_member (n, "code");
		cr_assert (strlen (json_object_get_string_member (n, "zh")) > 0);
		seizure = seizure || g_str_equal (code, "ask-doctor-first");
		fall = fall || g_str_equal (code, "fall-risk");
	}
	cr_assert (seizure && fall, "notices: seizure %d, fall risk %d", seizure, fall);
	for (guint i = 0; i < json_array_get_length (items); i++) {
		JsonObject *item = json_array_get_object_element (items, i);
		mri = mri
		      || g_str_equal (json_object_get_string_member (item, "id"), "mri-rehearsal");
	}
	cr_assert (mri, "the pinned MRI rehearsal is not in the list");
}

Test (plugin, recommend_refuses_with_every_problem)
{
	g_autoptr (MvTestHost) host = new_host ();
	g_autoptr (GError) error = call_refused (
		host, "Recommend",
		"{\"patient\":{\"age_years\":40,\"pregnant\":\"yes\"},\"history\":[{\"content_id\":"
		"\"forest-bathing\",\"date\":\"2026-11-20\",\"duration_min\":-1,\"completed\":true}"
		"],"
		"\"model\":{\"format\":3},\"options\":{}}");

	cr_assert (has_problem (error, "/language", "required"));
	cr_assert (has_problem (error, "/pregnant", "wrong-type"));
	cr_assert (has_problem (error, "/history/0/duration_min", "out-of-range"));
	cr_assert (has_problem (error, "/model/format", "not-allowed"));
	cr_assert (has_problem (error, "/model/items", "required"));
}

Test (plugin, train_refuses_a_session_without_its_patient)
{
	g_autoptr (MvTestHost) host = new_host ();
	g_autoptr (GError) error = call_refused (
		host, "Train",
		"{\"sessions\":[{\"content_id\":\"forest-bathing\",\"date\":\"2026-11-20\","
		"\"duration_min\":5,\"completed\":true,\"rating\":9}]}");

	cr_assert (has_problem (error, "/sessions/0/patient", "required"));
	cr_assert (has_problem (error, "/sessions/0/rating", "out-of-range"));
}

Test (plugin, a_bad_catalog_stops_the_plugin_and_says_why)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GKeyFile) config = g_key_file_new ();
	g_autofree gchar *bad = vrt_path ("data/bad-catalog.json");
	g_autoptr (MvTestHost) host = NULL;

	g_key_file_set_string (config, "plugin.vr-recommender", "catalog", bad);
	host = mv_test_host_new (info, config, g_getenv ("VR_DATA_DIR"), &error);
	cr_assert_null (host);
	cr_assert_not_null (strstr (error->message, "cannot load the VR catalog: 9 problems"), "%s",
			    error->message);
	cr_assert_not_null (strstr (error->message, "bad-catalog.json: /items/1/mets"), "%s",
			    error->message);
}
