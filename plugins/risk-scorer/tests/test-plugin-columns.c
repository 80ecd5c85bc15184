/*
 * The built risk-scorer module's ScoreColumns through the SDK's test host: JSON in and out as a
 * clinic sends it, the same probabilities as Score, bad rows that fail alone, problems of the
 * call that fail it with every problem listed, the row cap, NaN and infinity (which only a
 * D-Bus caller can send), Chinese texts.
 */
#define G_LOG_DOMAIN "test-risk-scorer"

#include <criterion/criterion.h>
#include <math.h>
#include <medverse/medverse-plugin.h>
#include <string.h>

#define MAX_ROWS 100000

static const MvPluginInfo *info;

static void
setup (void)
{
	const gchar *path = g_getenv ("RS_PLUGIN_PATH");
	g_autoptr (GError) error = NULL;

	cr_assert_not_null (path, "RS_PLUGIN_PATH is not set");
	info = mv_test_host_load_module (path, &error);
	cr_assert_not_null (info, "%s", error != NULL ? error->message : "");
}

TestSuite (columns, .init = setup);

static MvTestHost *
new_host (void)
{
	g_autoptr (GError) error = NULL;
	MvTestHost *host = mv_test_host_new (info, NULL, g_getenv ("RS_DATA_DIR"), &error);

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

/* Score's probability for one set (JSON inputs) */
static gdouble
score_one (MvTestHost *host, const gchar *model, const gchar *inputs)
{
	g_autoptr (JsonParser) jp = json_parser_new ();
	g_autofree gchar *json
		= g_strdup_printf ("{\"model\":\"%s\",\"inputs\":%s}", model, inputs);
	JsonObject *root = call_ok (host, "Score", json, jp);

	return json_object_get_double_member (json_object_get_object_member (root, "result"),
					      "probability");
}

Test (columns, declared)
{
	const MvMethod *m = mv_plugin_info_find_method (info, "ScoreColumns");

	cr_assert_not_null (m);
	cr_assert_str_eq (m->in_args[1].name, "columns");
	cr_assert_str_eq (m->out_args[0].type, "ad");
	cr_assert_str_eq (m->out_args[2].type, "ay");
}

/* Three patients as a clinic's JSON: integers and decimals, one column in mmol/L, a boolean
 * input left out (its default): each row's probability is Score's for the same set. */
Test (columns, json_rows_equal_score)
{
	g_autoptr (MvTestHost) host = new_host ();
	g_autoptr (JsonParser) jp = json_parser_new ();
	JsonObject *root = call_ok (
		host, "ScoreColumns",
		"{\"model\":\"pce-2013-white-men\",\"columns\":{"
		"\"age\":[55,62,47.5],\"sex\":[\"male\",\"male\",\"male\"],"
		"\"total_cholesterol\":[5.508,6.2,4.1],\"hdl_cholesterol\":[50,38,61],"
		"\"systolic_bp\":[120,148,131],\"smoker\":[\"never\",\"current\",\"former\"],"
		"\"diabetes\":[false,true,false]},"
		"\"units\":{\"total_cholesterol\":\"mmol/L\"}}",
		jp);
	const gchar *const sets[] = {
		"{\"age\":55,\"sex\":\"male\",\"total_cholesterol\":{\"value\":5.508,\"unit\":"
		"\"mmol/L\"},\"hdl_cholesterol\":50,\"systolic_bp\":120,\"smoker\":\"never\","
		"\"diabetes\":false}",
		"{\"age\":62,\"sex\":\"male\",\"total_cholesterol\":{\"value\":6.2,\"unit\":"
		"\"mmol/L\"},\"hdl_cholesterol\":38,\"systolic_bp\":148,\"smoker\":\"current\","
		"\"diabetes\":true}",
		"{\"age\":47.5,\"sex\":\"male\",\"total_cholesterol\":{\"value\":4.1,\"unit\":"
		"\"mmol/L\"},\"hdl_cholesterol\":61,\"systolic_bp\":131,\"smoker\":\"former\","
		"\"diabetes\":false}",
	};
	JsonArray *p = json_object_get_array_member (root, "probability");
	JsonArray *lp = json_object_get_array_member (root, "linear_predictor");
	JsonArray *cat = json_object_get_array_member (root, "category");
	JsonArray *ids = json_object_get_array_member (root, "categories");

	cr_assert_eq (json_array_get_length (p), 3);
	cr_assert_eq (json_array_get_length (lp), 3);
	for (guint r = 0; r < 3; r++) {
		gdouble one = score_one (host, "pce-2013-white-men", sets[r]);
		gint64 c = json_array_get_int_element (cat, r);

		cr_assert_eq (json_array_get_double_element (p, r), one, "row %u: %.17g vs %.17g",
			      r, json_array_get_double_element (p, r), one);
		cr_assert_lt (c, json_array_get_length (ids));
	}
	/* the published example (Goff 2013): 5.3% on the 55-year-old, low (< 5%) he is not */
	cr_assert_float_eq (json_array_get_double_element (p, 0), 0.0538, 0.0005);
	cr_assert_str_eq (json_array_get_string_element (ids, json_array_get_int_element (cat, 0)),
			  "borderline");
	cr_assert_eq (json_object_get_int_member (root, "failed"), 0);
	cr_assert_eq (json_array_get_length (json_object_get_array_member (root, "problems")), 0);
}

static JsonObject *
find_problem (JsonArray *problems, const gchar *input, const gchar *code)
{
	for (guint i = 0; i < json_array_get_length (problems); i++) {
		JsonObject *o = json_array_get_object_element (problems, i);
		if (g_str_equal (json_object_get_string_member (o, "input"), input)
		    && g_str_equal (json_object_get_string_member (o, "code"), code))
			return o;
	}
	cr_assert_fail ("no problem %s %s", input, code);
	return NULL;
}

static void
assert_rows (JsonObject *problem, const guint *rows, guint n)
{
	JsonArray *a = json_object_get_array_member (problem, "rows");

	cr_assert_eq (json_array_get_length (a), n);
	for (guint i = 0; i < n; i++)
		cr_assert_eq (json_array_get_int_element (a, i), rows[i]);
}

/* Rows out of range, with an unknown level, with an element of the wrong type: each fails alone
 * (null, category 255) and is listed once per problem with its rows; the good rows score. */
Test (columns, bad_rows_fail_alone)
{
	g_autoptr (MvTestHost) host = new_host ();
	g_autoptr (JsonParser) jp = json_parser_new ();
	JsonObject *root = call_ok (
		host, "ScoreColumns",
		"{\"model\":\"pce-2013-white-men\",\"columns\":{"
		"\"age\":[55,95,60,30,70],\"sex\":[\"male\",\"male\",\"male\",\"male\",\"male\"],"
		"\"total_cholesterol\":[213,213,213,213,213],"
		"\"hdl_cholesterol\":[50,50,\"fifty\",50,50],"
		"\"systolic_bp\":[120,120,120,120,120],"
		"\"smoker\":[\"never\",\"never\",\"never\",\"sometimes\",\"current\"],"
		"\"diabetes\":[false,false,false,false,true]}}",
		jp);
	JsonArray *p = json_object_get_array_member (root, "probability");
	JsonArray *cat = json_object_get_array_member (root, "category");
	JsonArray *problems = json_object_get_array_member (root, "problems");
	JsonObject *range = find_problem (problems, "age", "out-of-range");
	const guint age_rows[] = { 1, 3 }, hdl_rows[] = { 2 }, smoker_rows[] = { 3 };

	cr_assert_eq (json_object_get_int_member (root, "failed"), 3);
	for (guint r = 1; r < 4; r++) {
		cr_assert (JSON_NODE_HOLDS_NULL (json_array_get_element (p, r)), "row %u", r);
		cr_assert_eq (json_array_get_int_element (cat, r), 255);
	}
	cr_assert_eq (json_array_get_double_element (p, 0),
		      score_one (host, "pce-2013-white-men",
				 "{\"age\":55,\"sex\":\"male\",\"total_cholesterol\":213,"
				 "\"hdl_cholesterol\":50,\"systolic_bp\":120,\"smoker\":\"never\","
				 "\"diabetes\":false}"));
	cr_assert_eq (
		json_array_get_double_element (p, 4),
		score_one (host, "pce-2013-white-men",
			   "{\"age\":70,\"sex\":\"male\",\"total_cholesterol\":213,"
			   "\"hdl_cholesterol\":50,\"systolic_bp\":120,\"smoker\":\"current\","
			   "\"diabetes\":true}"));
	cr_assert_eq (json_array_get_length (problems), 3);
	assert_rows (range, age_rows, 2);
	cr_assert_str_eq (json_object_get_string_member (range, "field"), "/columns/age");
	cr_assert_str_eq (json_object_get_string_member (range, "unit"), "a");
	cr_assert_str_eq (json_object_get_string_member (range, "message"),
			  "out of range: valid from 40 to 79 years");
	assert_rows (find_problem (problems, "hdl_cholesterol", "wrong-type"), hdl_rows, 1);
	assert_rows (find_problem (problems, "smoker", "unknown-level"), smoker_rows, 1);
}

/* What is wrong with the call as a whole fails it, every problem in one error. */
Test (columns, call_problems_listed_at_once)
{
	g_autoptr (MvTestHost) host = new_host ();
	g_autoptr (GError) error = NULL;
	g_autofree gchar *out = mv_test_host_call_json (
		host, "ScoreColumns",
		"{\"model\":\"pce-2013-white-men\",\"columns\":{"
		"\"age\":[55,60],\"sex\":[\"male\",\"male\",\"male\"],"
		"\"total_cholesterol\":213,\"hdl_cholesterol\":[50,50],"
		"\"smoker\":{\"a\":1},\"diabetes\":[false,true],\"weight\":[70,80]},"
		"\"units\":{\"hdl_cholesterol\":\"g/L\",\"smoker\":\"mg/dL\",\"height\":\"cm\"}}",
		&error);
	const gchar *const fields[] = { "/columns/total_cholesterol",
					"/columns/smoker",
					"/columns/weight",
					"/columns/sex",
					"/columns/systolic_bp",
					"/units/hdl_cholesterol",
					"/units/smoker",
					"/units/height" };
	const gchar *const codes[]
		= { "wrong-type", "wrong-type",	  "unknown-input", "wrong-length",
		    "missing",	  "unknown-unit", "wrong-type",	   "unknown-input" };

	cr_assert_null (out);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INVALID_INPUT), "%s", error->message);
	cr_assert_eq (mv_error_get_n_problems (error), G_N_ELEMENTS (fields), "%s", error->message);
	for (guint i = 0; i < G_N_ELEMENTS (fields); i++) {
		gboolean found = FALSE;
		for (guint k = 0; k < mv_error_get_n_problems (error); k++) {
			const MvErrorProblem *p = mv_error_get_problem (error, k);
			found |= g_str_equal (p->field, fields[i])
				 && g_str_equal (p->code, codes[i]);
		}
		cr_assert (found, "%s %s not in: %s", fields[i], codes[i], error->message);
	}
	cr_assert (strstr (error->message, "use one of: mg/dL, mmol/L"), "%s", error->message);
	cr_assert (strstr (mv_error_get_message_zh (error), "/columns/sex: 有 3 行，第一列有 2 行"),
		   "%s", mv_error_get_message_zh (error));
}

Test (columns, unknown_model)
{
	g_autoptr (MvTestHost) host = new_host ();
	g_autoptr (GError) error = NULL;
	g_autofree gchar *out = mv_test_host_call_json (
		host, "ScoreColumns", "{\"model\":\"nope\",\"columns\":{}}", &error);

	cr_assert_null (out);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_NOT_FOUND));
}

/* typed columns of @n rows of the Framingham diabetes model, as a D-Bus caller sends them;
 * @age: the age column's values (NULL: 50 in every row) */
static GVariant *
framingham_input (gsize n, const gdouble *age, const gchar *language)
{
	g_autofree gdouble *ages = g_new (gdouble, n);
	g_autofree gdouble *bmi = g_new (gdouble, n);
	g_autofree gdouble *lab = g_new (gdouble, n);
	g_autofree guint8 *bytes = g_new0 (guint8, n);
	g_autofree const gchar **sex = g_new0 (const gchar *, n + 1);
	GVariantBuilder c;

	for (gsize r = 0; r < n; r++) {
		ages[r] = age != NULL ? age[r] : 50;
		bmi[r] = 20 + (gdouble)(r % 30);
		lab[r] = 90 + (gdouble)(r % 20);
		sex[r] = r % 2 ? "male" : "female";
		bytes[r] = r % 3 == 0;
	}
	g_variant_builder_init (&c, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add (&c, "{sv}", "age",
			       g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, ages, n, 8));
	g_variant_builder_add (&c, "{sv}", "bmi",
			       g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, bmi, n, 8));
	g_variant_builder_add (&c, "{sv}", "sex", g_variant_new_strv (sex, (gssize)n));
	g_variant_builder_add (&c, "{sv}", "parental_diabetes",
			       g_variant_new_fixed_array (G_VARIANT_TYPE_BOOLEAN, bytes, n, 1));
	g_variant_builder_add (&c, "{sv}", "elevated_bp",
			       g_variant_new_fixed_array (G_VARIANT_TYPE_BOOLEAN, bytes, n, 1));
	g_variant_builder_add (&c, "{sv}", "hdl_cholesterol",
			       g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, bmi, n, 8));
	g_variant_builder_add (&c, "{sv}", "triglycerides",
			       g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, lab, n, 8));
	g_variant_builder_add (&c, "{sv}", "fasting_glucose",
			       g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, lab, n, 8));
	return g_variant_new ("(sa{sv}a{sv}s)", "framingham-offspring-diabetes-2007", &c, NULL,
			      language);
}

/* 100,000 rows score in one call; one more is refused as a whole, naming the limit. */
Test (columns, row_cap)
{
	g_autoptr (MvTestHost) host = new_host ();
	g_autoptr (GError) error = NULL;
	g_autoptr (GVariant) out = mv_test_host_call (
		host, "ScoreColumns", framingham_input (MAX_ROWS, NULL, "en"), &error);
	g_autoptr (GVariant) probability = NULL;
	g_autoptr (GVariant) over = NULL;
	const MvErrorProblem *p;

	cr_assert_not_null (out, "%s", error != NULL ? error->message : "");
	probability = g_variant_get_child_value (out, 0);
	cr_assert_eq (g_variant_n_children (probability), MAX_ROWS);
	over = mv_test_host_call (host, "ScoreColumns", framingham_input (MAX_ROWS + 1, NULL, "en"),
				  &error);
	cr_assert_null (over);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INVALID_INPUT));
	cr_assert_eq (mv_error_get_n_problems (error), 1, "%s", error->message);
	p = mv_error_get_problem (error, 0);
	cr_assert_str_eq (p->field, "/columns");
	cr_assert_str_eq (p->code, "too-long");
	cr_assert (strstr (p->message, "at most 100000"), "%s", p->message);
}

/* NaN and infinity (D-Bus can carry them, JSON cannot): those rows fail as not finite, in the
 * caller's language, and the categories come with their Chinese labels. */
Test (columns, not_finite_rows_in_chinese)
{
	g_autoptr (MvTestHost) host = new_host ();
	g_autoptr (GError) error = NULL;
	const gdouble age[] = { 50, NAN, INFINITY, 64, -INFINITY, 20 - 1e-9 };
	g_autoptr (GVariant) out = mv_test_host_call (
		host, "ScoreColumns", framingham_input (G_N_ELEMENTS (age), age, "zh"), &error);
	g_autoptr (GVariant) p = NULL;
	g_autoptr (GVariant) cat = NULL;
	g_autoptr (GVariant) labels = NULL;
	g_autoptr (GVariant) problems = NULL;
	g_autoptr (GVariant) first = NULL;
	g_autoptr (GVariant) rows = NULL;
	const gdouble *probs;
	const guint8 *cats;
	const guint32 *listed;
	const gchar *message = NULL;
	gsize n;

	cr_assert_not_null (out, "%s", error != NULL ? error->message : "");
	p = g_variant_get_child_value (out, 0);
	cat = g_variant_get_child_value (out, 2);
	labels = g_variant_get_child_value (out, 4);
	problems = g_variant_get_child_value (out, 6);
	probs = g_variant_get_fixed_array (p, &n, sizeof (gdouble));
	cats = g_variant_get_fixed_array (cat, &n, 1);
	cr_assert (isfinite (probs[0]) && isfinite (probs[3]));
	cr_assert (isnan (probs[1]) && isnan (probs[2]) && isnan (probs[4]) && isnan (probs[5]));
	cr_assert_eq (cats[1], 255);
	cr_assert_lt (cats[0], 3);
	cr_assert_eq (g_variant_n_children (problems), 2); /* not finite; out of range */
	first = g_variant_get_child_value (problems, 0);
	cr_assert (g_variant_lookup (first, "message", "&s", &message));
	cr_assert_str_eq (message, "应为有限数值");
	rows = g_variant_lookup_value (first, "rows", G_VARIANT_TYPE ("au"));
	listed = g_variant_get_fixed_array (rows, &n, sizeof (guint32));
	cr_assert_eq (n, 3);
	cr_assert (listed[0] == 1 && listed[1] == 2 && listed[2] == 4);
	{
		g_autoptr (GVariant) label = g_variant_get_child_value (labels, 0);
		cr_assert_str_eq (g_variant_get_string (label, NULL), "低危");
	}
}

/* No rows: an empty answer, not an error. */
Test (columns, no_rows)
{
	g_autoptr (MvTestHost) host = new_host ();
	g_autoptr (JsonParser) jp = json_parser_new ();
	JsonObject *root
		= call_ok (host, "ScoreColumns",
			   "{\"model\":\"framingham-offspring-diabetes-2007\",\"columns\":{"
			   "\"age\":[],\"sex\":[],\"parental_diabetes\":[],\"bmi\":[],"
			   "\"elevated_bp\":[],\"hdl_cholesterol\":[],\"triglycerides\":[],"
			   "\"fasting_glucose\":[]}}",
			   jp);

	cr_assert_eq (json_array_get_length (json_object_get_array_member (root, "probability")),
		      0);
	cr_assert_eq (json_object_get_int_member (root, "failed"), 0);
}

/* A unit a row, as an export's unit column gives it: each row converted by its own unit (case
 * ignored as in Score), a row whose unit is not accepted fails alone at /units/NAME. */
Test (columns, unit_a_row)
{
	g_autoptr (MvTestHost) host = new_host ();
	g_autoptr (JsonParser) jp = json_parser_new ();
	JsonObject *root = call_ok (
		host, "ScoreColumns",
		"{\"model\":\"pce-2013-white-men\",\"columns\":{"
		"\"age\":[55,55,55],\"sex\":[\"male\",\"male\",\"male\"],"
		"\"total_cholesterol\":[213,5.508,213],\"hdl_cholesterol\":[50,50,50],"
		"\"systolic_bp\":[120,120,120],\"smoker\":[\"never\",\"never\",\"never\"],"
		"\"diabetes\":[false,false,false]},"
		"\"units\":{\"total_cholesterol\":[\"mg/dL\",\"MMOL/L\",\"g/L\"]}}",
		jp);
	JsonArray *p = json_object_get_array_member (root, "probability");
	JsonArray *problems = json_object_get_array_member (root, "problems");
	JsonObject *unit;
	const guint rows[] = { 2 };

	cr_assert_eq (json_array_get_double_element (p, 0),
		      score_one (host, "pce-2013-white-men",
				 "{\"age\":55,\"sex\":\"male\",\"total_cholesterol\":213,"
				 "\"hdl_cholesterol\":50,\"systolic_bp\":120,\"smoker\":\"never\","
				 "\"diabetes\":false}"));
	cr_assert_eq (json_array_get_double_element (p, 1),
		      score_one (host, "pce-2013-white-men",
				 "{\"age\":55,\"sex\":\"male\",\"total_cholesterol\":{\"value\":"
				 "5.508,\"unit\":\"MMOL/L\"},\"hdl_cholesterol\":50,"
				 "\"systolic_bp\":120,\"smoker\":\"never\",\"diabetes\":false}"));
	cr_assert (JSON_NODE_HOLDS_NULL (json_array_get_element (p, 2)));
	cr_assert_eq (json_array_get_length (problems), 1);
	unit = find_problem (problems, "total_cholesterol", "unknown-unit");
	cr_assert_str_eq (json_object_get_string_member (unit, "field"),
			  "/units/total_cholesterol");
	assert_rows (unit, rows, 1);
}

Test (columns, units_of_another_length_refused)
{
	g_autoptr (MvTestHost) host = new_host ();
	g_autoptr (GError) error = NULL;
	g_autofree gchar *out = mv_test_host_call_json (
		host, "ScoreColumns",
		"{\"model\":\"pce-2013-white-men\",\"columns\":{"
		"\"age\":[55,60],\"sex\":[\"male\",\"male\"],\"total_cholesterol\":[213,200],"
		"\"hdl_cholesterol\":[50,50],\"systolic_bp\":[120,130],"
		"\"smoker\":[\"never\",\"never\"],\"diabetes\":[false,true]},"
		"\"units\":{\"total_cholesterol\":[\"mg/dL\"],\"systolic_bp\":7}}",
		&error);

	cr_assert_null (out);
	cr_assert_eq (mv_error_get_n_problems (error), 2, "%s", error->message);
	cr_assert_str_eq (mv_error_get_problem (error, 0)->field, "/units/total_cholesterol");
	cr_assert_str_eq (mv_error_get_problem (error, 0)->code, "wrong-length");
	cr_assert_str_eq (mv_error_get_problem (error, 1)->field, "/units/systolic_bp");
	cr_assert_str_eq (mv_error_get_problem (error, 1)->code, "wrong-type");
}
