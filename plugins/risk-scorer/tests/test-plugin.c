/*
 * The built risk-scorer module, loaded with GModule as the daemon loads it and driven through
 * the SDK's test host: declaration, JSON in and out, error codes and problems, languages, the
 * refusal of broken model files at init.
 */
#define G_LOG_DOMAIN "test-risk-scorer"

#include <criterion/criterion.h>
#include <math.h>
#include <medverse/medverse-plugin.h>
#include <string.h>

static GModule *module;
static const MvPluginInfo *info;

static void
setup (void)
{
	gpointer sym = NULL;
	const gchar *path = g_getenv ("RS_PLUGIN_PATH");

	cr_assert_not_null (path, "RS_PLUGIN_PATH is not set");
	module = g_module_open (path, G_MODULE_BIND_LOCAL);
	cr_assert_not_null (module, "%s", g_module_error ());
	cr_assert (g_module_symbol (module, MV_PLUGIN_ENTRY_SYMBOL, &sym));
	info = sym;
}

static void
teardown (void)
{
	g_clear_pointer (&module, g_module_close);
}

TestSuite (plugin, .init = setup, .fini = teardown);

static MvTestHost *
new_host (const gchar *extra_dir)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GKeyFile) config = g_key_file_new ();
	MvTestHost *host;

	if (extra_dir != NULL)
		g_key_file_set_string (config, "plugin.risk-scorer", "extra-models-dir", extra_dir);
	host = mv_test_host_new (info, config, g_getenv ("RS_DATA_DIR"), &error);
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

static JsonObject *
find_by (JsonArray *a, const gchar *member, const gchar *value)
{
	for (guint i = 0; i < json_array_get_length (a); i++) {
		JsonObject *o = json_array_get_object_element (a, i);
		if (g_strcmp0 (json_object_get_string_member (o, member), value) == 0)
			return o;
	}
	cr_assert_fail ("no element with %s = %s", member, value);
	return NULL;
}

Test (plugin, declaration_is_valid)
{
	g_autoptr (GError) error = NULL;
	const gchar *const methods[] = { "ListModels", "Describe", "Score", "ScoreBatch", NULL };

	cr_assert (mv_plugin_info_validate (info, &error), "%s", error ? error->message : "");
	cr_assert_str_eq (info->name, "risk-scorer");
	for (guint i = 0; methods[i] != NULL; i++)
		cr_assert_not_null (mv_plugin_info_find_method (info, methods[i]), "%s",
				    methods[i]);
}

Test (plugin, list_models)
{
	g_autoptr (MvTestHost) host = new_host (NULL);
	g_autoptr (JsonParser) jp = json_parser_new ();
	JsonObject *root = call_ok (host, "ListModels", "{}", jp);
	JsonArray *models = json_object_get_array_member (root, "models");
	JsonObject *pce;
	JsonObject *citation;

	cr_assert_eq (json_array_get_length (models), 10);
	pce = find_by (models, "id", "pce-2013-white-women");
	cr_assert_str_eq (json_object_get_string_member (pce, "link"), "cox");
	cr_assert_float_eq (json_object_get_double_member (pce, "horizon_years"), 10, 1e-12);
	citation = json_object_get_object_member (pce, "citation");
	cr_assert_str_eq (json_object_get_string_member (citation, "doi"),
			  "10.1161/01.cir.0000437741.48606.98");
	cr_assert_eq (json_array_get_length (json_object_get_array_member (pce, "inputs")), 8);
	find_by (models, "id", "framingham-offspring-diabetes-2007");
}

Test (plugin, list_models_in_chinese)
{
	g_autoptr (MvTestHost) host = new_host (NULL);
	g_autoptr (JsonParser) jp = json_parser_new ();
	JsonObject *root = call_ok (host, "ListModels", "{\"language\":\"zh-CN\"}", jp);
	JsonObject *fos = find_by (json_object_get_array_member (root, "models"), "id",
				   "framingham-offspring-diabetes-2007");

	cr_assert_str_eq (json_object_get_string_member (fos, "title"),
			  "Framingham 子代研究糖尿病风险（简易临床模型）");
}

Test (plugin, describe)
{
	g_autoptr (MvTestHost) host = new_host (NULL);
	g_autoptr (JsonParser) jp = json_parser_new ();
	g_autoptr (GError) error = NULL;
	g_autofree gchar *missing = NULL;
	JsonObject *m = json_object_get_object_member (
		call_ok (host, "Describe", "{\"model\":\"pce-2013-white-men\"}", jp), "model");
	JsonObject *tc
		= find_by (json_object_get_array_member (m, "inputs"), "name", "total_cholesterol");
	JsonObject *source = json_object_get_object_member (tc, "source");

	cr_assert_str_eq (json_object_get_string_member (tc, "unit"), "mg/dL");
	cr_assert_str_eq (
		json_array_get_string_element (json_object_get_array_member (source, "loinc"), 0),
		"2093-3");
	cr_assert_float_eq (json_object_get_double_member (m, "baseline_survival"), 0.9144, 1e-12);
	cr_assert_eq (json_array_get_length (json_object_get_array_member (m, "examples")), 2);
	missing = mv_test_host_call_json (host, "Describe", "{\"model\":\"no-such-model\"}",
					  &error);
	cr_assert_null (missing);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_NOT_FOUND));
	cr_assert_str_eq (mv_error_get_message_zh (error),
			  "插件 risk-scorer：没有风险模型“no-such-model”");
}

Test (plugin, score_pooled_cohort_example)
{
	g_autoptr (MvTestHost) host = new_host (NULL);
	g_autoptr (JsonParser) jp = json_parser_new ();
	JsonObject *r = json_object_get_object_member (
		call_ok (host, "Score",
			 "{\"model\":\"pce-2013-african-american-women\",\"inputs\":{\"age\":55,"
			 "\"sex\":\"female\",\"total_cholesterol\":213,\"hdl_cholesterol\":50,"
			 "\"systolic_bp\":120,\"smoker\":\"never\",\"diabetes\":false}}",
			 jp),
		"result");
	JsonArray *contributions = json_object_get_array_member (r, "contributions");
	JsonObject *ln_age = find_by (contributions, "feature", "ln_age");
	JsonArray *defaulted = json_object_get_array_member (r, "defaulted");
	gdouble sum = 0;

	cr_assert_float_eq (json_object_get_double_member (r, "probability"), 0.030263, 1e-6);
	cr_assert_str_eq (json_object_get_string_member (r, "category"), "low");
	cr_assert_str_eq (json_object_get_string_member (r, "version"), "1.0.0");
	cr_assert_float_eq (json_object_get_double_member (ln_age, "term_value"), log (55), 1e-12);
	cr_assert_float_eq (json_object_get_double_member (ln_age, "coefficient"), 17.114, 1e-12);
	cr_assert_float_eq (json_object_get_double_member (ln_age, "value"), 55, 1e-12);
	for (guint i = 0; i < json_array_get_length (contributions); i++)
		sum += json_object_get_double_member (
			json_array_get_object_element (contributions, i), "contribution");
	cr_assert_float_eq (sum, json_object_get_double_member (r, "linear_predictor"), 1e-9);
	cr_assert_eq (json_array_get_length (defaulted), 1);
	cr_assert_str_eq (json_array_get_string_element (defaulted, 0), "on_bp_treatment");
	cr_assert (g_str_has_prefix (
		json_object_get_string_member (r, "explanation"),
		"Estimated 10-year risk of a first hard ASCVD event (heart attack, "
		"coronary death or stroke): 3.0% (Low). Raised most by age"));
	cr_assert (g_str_has_prefix (json_object_get_string_member (r, "citation"), "Goff DC Jr"));
}

/* Part of Score's answer (the contributions) is written in GVariant's serialised form by the
 * plugin itself: GLib must find the whole answer in normal form, in both languages, with
 * numbers, booleans and levels as values, and read the members back. */
Test (plugin, score_answer_normal_form)
{
	g_autoptr (MvTestHost) host = new_host (NULL);
	const gchar *const inputs[] = {
		"('pce-2013-african-american-women', {'age': <55.0>, 'sex': <'female'>, "
		"'total_cholesterol': <213.0>, 'hdl_cholesterol': <50.0>, 'systolic_bp': <120.0>, "
		"'smoker': <'never'>, 'diabetes': <false>}, '",
		"('san-antonio-diabetes-2002', {'age': <45.0>, 'sex': <'female'>, "
		"'mexican_american': <true>, 'fasting_glucose': <100.0>, 'systolic_bp': <125.0>, "
		"'hdl_cholesterol': <40.0>, 'bmi': <32.0>, 'family_history': <true>}, '",
	};
	const gchar *const langs[] = { "en", "zh" };

	for (guint i = 0; i < G_N_ELEMENTS (inputs); i++) {
		for (guint l = 0; l < G_N_ELEMENTS (langs); l++) {
			g_autoptr (GError) error = NULL;
			g_autofree gchar *text = g_strconcat (inputs[i], langs[l], "', '')", NULL);
			GVariant *in = g_variant_parse (NULL, text, NULL, NULL, &error);
			g_autoptr (GVariant) out = NULL;
			g_autoptr (GVariant) result = NULL;
			g_autoptr (GVariant) contributions = NULL;
			g_autoptr (GVariant) first = NULL;
			const gchar *feature = NULL;
			gdouble contribution = NAN;

			cr_assert_not_null (in, "%s", error != NULL ? error->message : "");
			out = mv_test_host_call (host, "Score", in, &error);
			cr_assert_not_null (out, "%s", error != NULL ? error->message : "");
			cr_assert (g_variant_is_normal_form (out), "%s %s", inputs[i], langs[l]);
			result = g_variant_get_child_value (out, 0);
			contributions = g_variant_lookup_value (result, "contributions",
								G_VARIANT_TYPE ("aa{sv}"));
			cr_assert_not_null (contributions);
			cr_assert_gt (g_variant_n_children (contributions), 2);
			first = g_variant_get_child_value (contributions, 0);
			cr_assert (g_variant_lookup (first, "feature", "&s", &feature));
			cr_assert (g_variant_lookup (first, "contribution", "d", &contribution));
			cr_assert (feature[0] != '\0');
			cr_assert (isfinite (contribution));
		}
	}
}

/* The caller's locale (Accept-Language) picks the language when the argument is empty. */
Test (plugin, score_explains_in_chinese)
{
	g_autoptr (MvTestHost) host = new_host (NULL);
	g_autoptr (JsonParser) jp = json_parser_new ();
	JsonObject *r;
	const gchar *explanation;

	mv_test_host_set_caller (host, "clinic-a", MV_CALLER_CLINICIAN, "zh-CN");
	r = json_object_get_object_member (
		call_ok (host, "Score",
			 "{\"model\":\"framingham-offspring-diabetes-2007\",\"inputs\":{\"age\":55,"
			 "\"sex\":\"female\",\"parental_diabetes\":true,\"bmi\":31,"
			 "\"elevated_bp\":true,\"hdl_cholesterol\":45,\"triglycerides\":160,"
			 "\"fasting_glucose\":{\"value\":5.8,\"unit\":\"mmol/L\"}}}",
			 jp),
		"result");
	explanation = json_object_get_string_member (r, "explanation");
	cr_assert_str_eq (json_object_get_string_member (r, "category_label"), "高危");
	/* HDL 45 is low for a woman: it counts against its reference 60, not the range's end */
	cr_assert_str_eq (
		explanation,
		"8 年新发2型糖尿病风险估计为 48.7%（高危）。升高风险最多的因素：空腹血糖、"
		"高密度脂蛋白胆固醇、体重指数。");
	cr_assert_float_eq (
		json_object_get_double_member (json_object_get_object_member (r, "inputs_used"),
					       "fasting_glucose"),
		5.8 * 18.016, 1e-9);
}

Test (plugin, score_lists_every_problem)
{
	g_autoptr (MvTestHost) host = new_host (NULL);
	g_autoptr (GError) error = NULL;
	g_autofree gchar *out = mv_test_host_call_json (
		host, "Score",
		"{\"model\":\"pce-2013-white-women\",\"inputs\":{\"age\":95,\"sex\":\"female\","
		"\"total_cholesterol\":{\"value\":5,\"unit\":\"g/"
		"L\"},\"hdl_cholesterol\":\"fifty\","
		"\"smoker\":\"sometimes\",\"diabetes\":false,\"weight\":70}}",
		&error);
	const gchar *const fields[] = { "/inputs/age",
					"/inputs/total_cholesterol",
					"/inputs/hdl_cholesterol",
					"/inputs/systolic_bp",
					"/inputs/smoker",
					"/inputs/weight" };
	const gchar *const codes[] = { "out-of-range", "unknown-unit",	"wrong-type",
				       "missing",      "unknown-level", "unknown-input" };

	cr_assert_null (out);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INVALID_INPUT), "%s", error->message);
	cr_assert_eq (mv_error_get_n_problems (error), 6, "%s", error->message);
	for (guint i = 0; i < G_N_ELEMENTS (fields); i++) {
		const MvErrorProblem *p = mv_error_get_problem (error, i);
		cr_assert_str_eq (p->field, fields[i]);
		cr_assert_str_eq (p->code, codes[i]);
	}
	/* units as people write them: "years", not UCUM's "a" */
	cr_assert (strstr (error->message, "/inputs/age: out of range: valid from 40 to 79 years;"),
		   "%s", error->message);
	cr_assert (strstr (mv_error_get_message_zh (error),
			   "/inputs/age: 超出范围：有效范围 40 至 79 岁"),
		   "%s", mv_error_get_message_zh (error));
	cr_assert (strstr (error->message, "use one of: mg/dL, mmol/L"), "%s", error->message);
	cr_assert (strstr (mv_error_get_message_zh (error), "/inputs/hdl_cholesterol: 应为数值或"),
		   "%s", mv_error_get_message_zh (error));
	cr_assert (strstr (mv_error_get_message_zh (error), "/inputs/systolic_bp: 缺失（必填）"),
		   "%s", mv_error_get_message_zh (error));
	/* no submitted value is quoted back */
	cr_assert_null (strstr (error->message, "95"));
	cr_assert_null (strstr (error->message, "fifty"));
}

Test (plugin, score_unknown_model)
{
	g_autoptr (MvTestHost) host = new_host (NULL);
	g_autoptr (GError) error = NULL;
	g_autofree gchar *out = mv_test_host_call_json (
		host, "Score", "{\"model\":\"nope\",\"inputs\":{}}", &error);

	cr_assert_null (out);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_NOT_FOUND));
}

Test (plugin, score_batch)
{
	g_autoptr (MvTestHost) host = new_host (NULL);
	g_autoptr (JsonParser) jp = json_parser_new ();
	JsonArray *results = json_object_get_array_member (
		call_ok (host, "ScoreBatch",
			 "{\"model\":\"san-antonio-diabetes-2002\",\"language\":\"en\","
			 "\"input_sets\":["
			 "{\"age\":45,\"sex\":\"female\",\"mexican_american\":true,"
			 "\"fasting_glucose\":100,\"systolic_bp\":125,\"hdl_cholesterol\":40,"
			 "\"bmi\":32,\"family_history\":true},"
			 "{\"age\":45,\"sex\":\"other\"},"
			 "{\"age\":40,\"sex\":\"male\",\"mexican_american\":false,"
			 "\"fasting_glucose\":90,\"systolic_bp\":118,\"hdl_cholesterol\":48,"
			 "\"bmi\":24,\"family_history\":false}]}",
			 jp),
		"results");
	JsonObject *bad;
	JsonObject *p;
	JsonArray *problems;

	cr_assert_eq (json_array_get_length (results), 3);
	cr_assert_float_eq (json_object_get_double_member (
				    json_array_get_object_element (results, 0), "probability"),
			    0.557001, 1e-6);
	bad = json_array_get_object_element (results, 1);
	cr_assert (!json_object_has_member (bad, "probability"));
	cr_assert_str_eq (json_object_get_string_member (bad, "error"), "invalid inputs");
	problems = json_object_get_array_member (bad, "problems");
	cr_assert_eq (json_array_get_length (problems), 7);
	/* the same members as Score's error details, and the input's name */
	p = json_array_get_object_element (problems, 0);
	cr_assert_str_eq (json_object_get_string_member (p, "field"), "/input_sets/1/sex");
	cr_assert_str_eq (json_object_get_string_member (p, "input"), "sex");
	cr_assert_str_eq (json_object_get_string_member (p, "code"), "unknown-level");
	cr_assert_str_eq (json_object_get_string_member (p, "message"),
			  "unknown level; use one of: female, male");
	p = json_array_get_object_element (problems, 1);
	cr_assert_str_eq (json_object_get_string_member (p, "input"), "mexican_american");
	cr_assert_str_eq (json_object_get_string_member (p, "code"), "missing");
	cr_assert (
		json_object_has_member (json_array_get_object_element (results, 2), "probability"));
}

/* detail "summary": three members a set, the same values as the full answer's; "full" and the
 * default: Score's members; anything else: an input error naming /detail */
Test (plugin, score_batch_detail)
{
	g_autoptr (MvTestHost) host = new_host (NULL);
	const gchar *const set = "{\"model\":\"san-antonio-diabetes-2002\",\"language\":\"en\","
				 "\"input_sets\":[{\"age\":45,\"sex\":\"female\","
				 "\"mexican_american\":true,\"fasting_glucose\":100,"
				 "\"systolic_bp\":125,\"hdl_cholesterol\":40,\"bmi\":32,"
				 "\"family_history\":true},{\"age\":45,\"sex\":\"other\"}]";
	const gchar *const details[] = { "", ",\"detail\":\"full\"", ",\"detail\":\"summary\"" };
	JsonObject *full_result = NULL;
	/* every answer's parser lives to the end: full_result is compared with the later ones */
	g_autoptr (GPtrArray) parsers = g_ptr_array_new_with_free_func (g_object_unref);

	for (guint d = 0; d < G_N_ELEMENTS (details); d++) {
		g_autofree gchar *json = g_strdup_printf ("%s%s}", set, details[d]);
		JsonParser *jp = json_parser_new ();
		JsonArray *results;
		JsonObject *r;
		JsonObject *bad;
		g_autoptr (GList) members = NULL;

		g_ptr_array_add (parsers, jp);
		results = json_object_get_array_member (call_ok (host, "ScoreBatch", json, jp),
							"results");
		r = json_array_get_object_element (results, 0);
		bad = json_array_get_object_element (results, 1);
		members = json_object_get_members (r);

		cr_assert_eq (json_array_get_length (results), 2);
		/* a failing set lists its problems whatever the detail */
		cr_assert_str_eq (json_object_get_string_member (bad, "error"), "invalid inputs");
		if (d == 0) {
			full_result = r;
		} else if (d == 1) {
			cr_assert_eq (json_object_get_size (r), json_object_get_size (full_result));
		} else {
			const gchar *const summary[]
				= { "probability", "category", "linear_predictor" };
			cr_assert_eq (g_list_length (members), 3);
			for (guint i = 0; i < G_N_ELEMENTS (summary); i++)
				cr_assert_str_eq (g_list_nth_data (members, i), summary[i]);
			cr_assert_eq (json_object_get_double_member (r, "probability"),
				      json_object_get_double_member (full_result, "probability"));
			cr_assert_eq (
				json_object_get_double_member (r, "linear_predictor"),
				json_object_get_double_member (full_result, "linear_predictor"));
			cr_assert_str_eq (json_object_get_string_member (r, "category"),
					  json_object_get_string_member (full_result, "category"));
		}
	}
	cr_assert (json_object_has_member (full_result, "contributions"));
	cr_assert (json_object_has_member (full_result, "explanation"));
	{
		g_autoptr (GError) error = NULL;
		g_autofree gchar *json = g_strdup_printf ("%s,\"detail\":\"brief\"}", set);
		g_autofree gchar *out = mv_test_host_call_json (host, "ScoreBatch", json, &error);

		cr_assert_null (out);
		cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INVALID_INPUT));
		cr_assert_not_null (strstr (error->message, "/detail"), "%s", error->message);
	}
}

/* Score's detail as ScoreBatch's: "summary" answers exactly probability, category and
 * linear_predictor with the full answer's values; absent and "full" the full answer; a bad set
 * still lists its problems; an unknown detail is one input error naming /detail, in English
 * and Chinese. */
Test (plugin, score_detail)
{
	g_autoptr (MvTestHost) host = new_host (NULL);
	const gchar *const call = "{\"model\":\"pce-2013-african-american-women\",\"language\":"
				  "\"en\",\"inputs\":{\"age\":55,\"sex\":\"female\","
				  "\"total_cholesterol\":213,\"hdl_cholesterol\":50,"
				  "\"systolic_bp\":120,\"smoker\":\"never\",\"diabetes\":false}";
	const gchar *const details[] = { "", ",\"detail\":\"full\"", ",\"detail\":\"summary\"" };
	const gchar *const summary[] = { "probability", "category", "linear_predictor" };
	g_autoptr (GPtrArray) parsers = g_ptr_array_new_with_free_func (g_object_unref);
	JsonObject *r[3];

	for (guint d = 0; d < G_N_ELEMENTS (details); d++) {
		g_autofree gchar *json = g_strdup_printf ("%s%s}", call, details[d]);
		JsonParser *jp = json_parser_new ();

		g_ptr_array_add (parsers, jp);
		r[d] = json_object_get_object_member (call_ok (host, "Score", json, jp), "result");
	}
	cr_assert (json_object_has_member (r[0], "explanation"));
	cr_assert (json_object_has_member (r[0], "contributions"));
	cr_assert_eq (json_object_get_size (r[1]), json_object_get_size (r[0]));
	{
		g_autoptr (GList) members = json_object_get_members (r[2]);

		cr_assert_eq (g_list_length (members), 3);
		for (guint i = 0; i < G_N_ELEMENTS (summary); i++)
			cr_assert_str_eq (g_list_nth_data (members, i), summary[i]);
	}
	cr_assert_float_eq (json_object_get_double_member (r[2], "probability"), 0.030263, 1e-6);
	cr_assert_eq (json_object_get_double_member (r[2], "probability"),
		      json_object_get_double_member (r[0], "probability"));
	cr_assert_eq (json_object_get_double_member (r[2], "linear_predictor"),
		      json_object_get_double_member (r[0], "linear_predictor"));
	cr_assert_str_eq (json_object_get_string_member (r[2], "category"),
			  json_object_get_string_member (r[0], "category"));
	{
		g_autoptr (GError) error = NULL;
		g_autofree gchar *out = mv_test_host_call_json (
			host, "Score",
			"{\"model\":\"pce-2013-african-american-women\",\"detail\":\"summary\","
			"\"inputs\":{\"age\":200,\"sex\":\"female\"}}",
			&error);

		cr_assert_null (out);
		cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INVALID_INPUT));
		cr_assert_not_null (strstr (error->message, "/inputs/age"), "%s", error->message);
		cr_assert_not_null (strstr (error->message, "/inputs/total_cholesterol"), "%s",
				    error->message);
	}
	{
		g_autoptr (GError) error = NULL;
		g_autofree gchar *json = g_strdup_printf ("%s,\"detail\":\"brief\"}", call);
		g_autofree gchar *out = mv_test_host_call_json (host, "Score", json, &error);

		cr_assert_null (out);
		cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INVALID_INPUT));
		cr_assert_not_null (strstr (error->message, "/detail"), "%s", error->message);
		cr_assert_not_null (strstr (mv_error_get_message_zh (error), "detail"));
	}
}

static guint warnings;
static GString *warning_text;

static GLogWriterOutput
count_warnings (GLogLevelFlags level, const GLogField *fields, gsize n, gpointer user_data)
{
	if (level & G_LOG_LEVEL_WARNING) {
		warnings++;
		for (gsize i = 0; i < n; i++) {
			if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
				g_string_append_printf (warning_text, "%s\n",
							(const gchar *)fields[i].value);
		}
	}
	return G_LOG_WRITER_HANDLED;
}

/* A clinic's directory of broken files: one warning per file, naming it and its problems; the
 * shipped models all load. */
Test (plugin, broken_models_refused_others_load)
{
	g_autofree gchar *broken = g_build_filename (g_getenv ("RS_TEST_DATA_DIR"), "broken", NULL);
	g_autoptr (MvTestHost) host = NULL;
	g_autoptr (JsonParser) jp = json_parser_new ();
	JsonObject *root;

	warning_text = g_string_new (NULL);
	g_log_set_writer_func (count_warnings, NULL, NULL);
	host = new_host (broken);
	cr_assert_eq (warnings, 7, "%u warnings:\n%s", warnings, warning_text->str);
	cr_assert (strstr (warning_text->str, "broken-unknown-transform.json: 1 problem: "
					      "/features/1: unknown transform \"log10\""),
		   "%s", warning_text->str);
	cr_assert (strstr (warning_text->str, "broken-wrong-sign.json: 1 worked example failed"),
		   "%s", warning_text->str);
	root = call_ok (host, "ListModels", "{}", jp);
	cr_assert_eq (json_array_get_length (json_object_get_array_member (root, "models")), 10);
	g_string_free (warning_text, TRUE);
}

/* A clinic's own model, from its directory, beside the shipped ones. */
Test (plugin, clinic_model_from_extra_dir)
{
	g_autoptr (MvTestHost) host = new_host (g_getenv ("RS_TEST_DATA_DIR"));
	g_autoptr (JsonParser) jp = json_parser_new ();
	JsonObject *r = json_object_get_object_member (
		call_ok (
			host, "Score",
			"{\"model\":\"test-weight-model\",\"inputs\":{\"weight\":{\"value\":176.37,"
			"\"unit\":\"[lb_av]\"},\"height\":175,\"age\":50,\"smoker\":\"current\"}}",
			jp),
		"result");

	cr_assert_float_eq (json_object_get_double_member (
				    json_object_get_object_member (r, "inputs_used"), "weight"),
			    80.0, 0.001);
	cr_assert_float_eq (json_object_get_double_member (r, "probability"), 0.07638, 1e-4);
}

/* A file without a horizon (a prevalence model) has no horizon_years member, not 0. */
Test (plugin, list_models_no_horizon_member)
{
	g_autoptr (MvTestHost) host = new_host (NULL);
	g_autoptr (JsonParser) jp = json_parser_new ();
	JsonArray *models
		= json_object_get_array_member (call_ok (host, "ListModels", "{}", jp), "models");

	cr_assert (!json_object_has_member (
		find_by (models, "id", "tabaei-herman-diabetes-screen-2002"), "horizon_years"));
	cr_assert (json_object_has_member (
		find_by (models, "id", "framingham-offspring-diabetes-2007"), "horizon_years"));
}

static const gchar pce_men_female[]
	= "{\"model\":\"pce-2013-white-men\",\"inputs\":{\"age\":55,\"sex\":\"female\","
	  "\"total_cholesterol\":213,\"hdl_cholesterol\":50,\"systolic_bp\":120,"
	  "\"smoker\":\"never\",\"diabetes\":false}}";

/* The women's value on the men's equation: the problem says what the equation is for and
 * names the women's equation of the same group, in both languages. */
Test (plugin, level_refused_names_sibling_model)
{
	g_autoptr (MvTestHost) host = new_host (NULL);
	g_autoptr (GError) error = NULL;
	g_autofree gchar *out = mv_test_host_call_json (host, "Score", pce_men_female, &error);
	const MvErrorProblem *p;

	cr_assert_null (out);
	cr_assert_eq (mv_error_get_n_problems (error), 1, "%s", error->message);
	p = mv_error_get_problem (error, 0);
	cr_assert_str_eq (p->code, "unknown-level");
	cr_assert_str_eq (p->message,
			  "unknown level; use one of: male (this equation is for men); for this "
			  "sex use the model pce-2013-white-women");
	cr_assert_str_eq (p->message_zh,
			  "取值无效，可用：male（该方程仅适用于男性）；该性别请使用模型 "
			  "pce-2013-white-women");
}

/* mmol/l and MG/DL are the units they spell, as the clinical record reads them. */
Test (plugin, unit_case_ignored_when_unambiguous)
{
	g_autoptr (MvTestHost) host = new_host (NULL);
	g_autoptr (JsonParser) jp = json_parser_new ();
	JsonObject *used = json_object_get_object_member (
		json_object_get_object_member (
			call_ok (host, "Score",
				 "{\"model\":\"pce-2013-white-men\",\"inputs\":{\"age\":55,"
				 "\"sex\":\"male\",\"total_cholesterol\":{\"value\":5.5,"
				 "\"unit\":\"mmol/l\"},\"hdl_cholesterol\":{\"value\":50,"
				 "\"unit\":\"MG/DL\"},\"systolic_bp\":{\"value\":120,\"unit\":"
				 "\"mm[hg]\"},\"smoker\":\"never\",\"diabetes\":false}}",
				 jp),
			"result"),
		"inputs_used");

	cr_assert_float_eq (json_object_get_double_member (used, "total_cholesterol"), 5.5 * 38.67,
			    0.05);
	cr_assert_float_eq (json_object_get_double_member (used, "hdl_cholesterol"), 50, 1e-9);
	cr_assert_float_eq (json_object_get_double_member (used, "systolic_bp"), 120, 1e-9);
	/* and an unknown unit still lists the codes to send, with their readable form */
	{
		g_autoptr (MvTestHost) clinic = new_host (g_getenv ("RS_TEST_DATA_DIR"));
		g_autoptr (GError) error = NULL;
		g_autofree gchar *out = mv_test_host_call_json (
			clinic, "Score",
			"{\"model\":\"test-weight-model\",\"inputs\":{\"weight\":{\"value\":"
			"176,\"unit\":\"stone\"},\"height\":175,\"age\":50,\"smoker\":"
			"\"current\"}}",
			&error);
		cr_assert_null (out);
		cr_assert (strstr (error->message, "use one of: kg, [lb_av] (lb)"), "%s",
			   error->message);
	}
}

/* Over 1000 sets: a refused member (422 invalid-input naming /input_sets), not 413. */
Test (plugin, score_batch_over_limit_is_invalid_input)
{
	g_autoptr (MvTestHost) host = new_host (NULL);
	g_autoptr (GError) error = NULL;
	g_autoptr (GString) json
		= g_string_new ("{\"model\":\"pce-2013-white-men\",\"input_sets\":[");
	g_autofree gchar *out = NULL;

	for (guint i = 0; i < 1001; i++)
		g_string_append (json, i > 0 ? ",{}" : "{}");
	g_string_append (json, "]}");
	out = mv_test_host_call_json (host, "ScoreBatch", json->str, &error);
	cr_assert_null (out);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INVALID_INPUT), "%s", error->message);
	cr_assert_eq (mv_error_get_n_problems (error), 1);
	cr_assert_str_eq (mv_error_get_problem (error, 0)->field, "/input_sets");
	cr_assert_str_eq (mv_error_get_problem (error, 0)->code, "too-long");
}

/* Per-set problems in the caller's language, with the range's unit apart. */
Test (plugin, score_batch_problems_in_chinese)
{
	g_autoptr (MvTestHost) host = new_host (NULL);
	g_autoptr (JsonParser) jp = json_parser_new ();
	JsonArray *results = json_object_get_array_member (
		call_ok (host, "ScoreBatch",
			 "{\"model\":\"pce-2013-white-men\",\"language\":\"zh\",\"input_sets\":["
			 "{\"age\":95,\"sex\":\"female\",\"total_cholesterol\":213,"
			 "\"hdl_cholesterol\":50,\"systolic_bp\":120,\"smoker\":\"never\","
			 "\"diabetes\":\"no\"}]}",
			 jp),
		"results");
	JsonArray *problems = json_object_get_array_member (
		json_array_get_object_element (results, 0), "problems");
	JsonObject *age = json_array_get_object_element (problems, 0);
	JsonObject *sex = json_array_get_object_element (problems, 1);
	JsonObject *diabetes = json_array_get_object_element (problems, 2);

	cr_assert_eq (json_array_get_length (problems), 3);
	cr_assert_str_eq (json_object_get_string_member (age, "message"),
			  "超出范围：有效范围 40 至 79 岁");
	cr_assert_str_eq (json_object_get_string_member (age, "unit"), "a");
	cr_assert (g_str_has_suffix (json_object_get_string_member (sex, "message"),
				     "该性别请使用模型 pce-2013-white-women"));
	cr_assert_str_eq (json_object_get_string_member (diabetes, "message"),
			  "应为 true 或 false");
}

static GString *messages;

static GLogWriterOutput
keep_messages (GLogLevelFlags level, const GLogField *fields, gsize n, gpointer user_data)
{
	for (gsize i = 0; i < n; i++) {
		if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
			g_string_append_printf (messages, "%s\n", (const gchar *)fields[i].value);
	}
	return G_LOG_WRITER_HANDLED;
}

/* One line at load names how many models loaded and their ids. */
Test (plugin, load_names_models)
{
	g_autoptr (MvTestHost) host = NULL;

	messages = g_string_new (NULL);
	g_log_set_writer_func (keep_messages, NULL, NULL);
	host = new_host (g_getenv ("RS_TEST_DATA_DIR"));
	cr_assert (strstr (messages->str,
			   "loaded 12 risk models: aric-diabetes-2005, china-par-2016-men, "
			   "china-par-2016-women, framingham-offspring-diabetes-2007, "
			   "pce-2013-african-american-men"),
		   "%s", messages->str);
	cr_assert (strstr (messages->str, "pima-diabetes, test-weight-model\n"), "%s",
		   messages->str);
	g_string_free (messages, TRUE);
}
