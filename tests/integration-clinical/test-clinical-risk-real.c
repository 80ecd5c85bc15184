/* Risk scores from the record with the real risk-scorer plugin and its shipped models (built
 * only when plugins/risk-scorer is in the tree): the Pooled Cohort Equations' published worked
 * example (Goff et al. 2013: a white man of 55, total cholesterol 213 mg/dL, HDL 50 mg/dL,
 * systolic 120 mmHg untreated, non-smoker, no diabetes: 5.3 %) recorded as observations, a
 * smoking status and a refuted diabetes diagnosis, scored from the record and stored; the
 * equations for women are not applicable to him. */
#include <criterion/criterion.h>
#include <string.h>

#include "risk-test.h"

/* an observation of ten days ago: {"code", …@members} */
static void
observe (const MvtClinic *c, const gchar *pid, const gchar *members)
{
	g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
	g_autoptr (GDateTime) then = g_date_time_add_days (now, -10);
	g_autofree gchar *when = g_date_time_format (then, "%Y-%m-%dT08:00:00Z");
	g_autofree gchar *body = g_strdup_printf ("{%s,\"effective_at\":\"%s\"}", members, when);

	g_free (rt_post (c, pid, "observations", body));
}

Test (risk_real, the_published_pce_example_from_the_record)
{
	g_autofree gchar *dir = g_build_filename (mvt_getenv ("MVT_ROOT"), "data", NULL);
	g_auto (MvtClinic) a = { 0 };
	g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
	/* 55 years and 100 days old: 55 in completed years */
	g_autoptr (GDateTime) y55 = g_date_time_add_years (now, -55);
	g_autoptr (GDateTime) born = g_date_time_add_days (y55, -100);
	g_autofree gchar *birth = g_date_time_format (born, "%Y-%m-%d");
	g_autofree gchar *profile = g_strdup_printf ("{\"mrn\":\"PCE-1\",\"name\":{\"given\":\"x\"}"
						     ",\"birth_date\":\"%s\",\"sex\":\"male\"}",
						     birth);
	g_autofree gchar *pid = NULL, *refuted = NULL, *path = NULL;

	mvt_clinic_make (mvt_shared_url (), dir, &a);
	{
		g_autoptr (MvtResponse) r = rt_call ("POST", "/v1/patients", a.clinician, profile);
		cr_assert_eq (r->status, 201, "%s", r->body);
		pid = g_strdup (mvt_str (r, "id"));
	}
	observe (&a, pid, "\"code\":\"2093-3\",\"value\":213,\"unit\":\"mg/dL\"");
	observe (&a, pid, "\"code\":\"2085-9\",\"value\":50,\"unit\":\"mg/dL\"");
	observe (&a, pid,
		 "\"code\":\"85354-9\",\"components\":[{\"code\":\"8480-6\",\"value\":120,\"unit\":"
		 "\"mmHg\"},{\"code\":\"8462-4\",\"value\":80,\"unit\":\"mmHg\"}]");
	observe (&a, pid, "\"code\":\"72166-2\",\"value_code\":\"LA18978-9\"");
	refuted = rt_post (&a, pid, "conditions",
			   "{\"code\":{\"system\":\"icd-10\",\"code\":\"E11\"},"
			   "\"verification_status\":\"refuted\"}");
	path = g_strdup_printf ("/v1/patients/%s/risk", pid);
	{
		g_autoptr (MvtResponse) r = rt_call ("POST", path, a.clinician, "{}");
		JsonObject *white_men, *assessment, *diabetes;
		cr_assert_eq (r->status, 201, "%s", r->body);
		white_men = rt_entry_for (r, "pce-2013-white-men");
		cr_assert_str_eq (json_object_get_string_member (white_men, "status"), "scored",
				  "%s", r->body);
		assessment = json_object_get_object_member (white_men, "assessment");
		/* the same as Score of the example's inputs given directly: the record gave the
		 * plugin exactly these */
		{
			g_autoptr (MvtResponse) d = rt_call (
				"POST", "/v1/risk/models/pce-2013-white-men/score", a.clinician,
				"{\"inputs\":{\"age\":55,\"sex\":\"male\",\"total_cholesterol\":"
				"213,"
				"\"hdl_cholesterol\":50,\"systolic_bp\":120,\"on_bp_treatment\":"
				"false,"
				"\"smoker\":\"never\",\"diabetes\":false}}");
			cr_assert_eq (d->status, 200, "%s", d->body);
			cr_expect_float_eq (
				json_object_get_double_member (assessment, "probability"),
				json_object_get_double_member (
					json_object_get_object_member (
						json_node_get_object (d->json), "result"),
					"probability"),
				1e-12);
		}
		/* the publication prints 5.3 %; its sum of terms (60.69) gives 5.38 %, so within
		 * a tenth of a point (the model file's own test holds it to its precision) */
		cr_expect_float_eq (json_object_get_double_member (assessment, "probability"),
				    0.053, 0.001, "%s", r->body);
		diabetes = json_object_get_object_member (
			json_object_get_object_member (assessment, "inputs_used"), "diabetes");
		cr_expect_not (json_object_get_boolean_member (diabetes, "value"));
		cr_expect_str_eq (json_object_get_string_member (
					  json_object_get_object_member (diabetes, "source"), "id"),
				  refuted);
		cr_expect_str_eq (json_object_get_string_member (
					  rt_entry_for (r, "pce-2013-white-women"), "status"),
				  "not-applicable");
	}
}

/* Framingham Offspring (Wilson 2007) takes parental history from family history and "blood
 * pressure 130/85 or treated" from the readings: without them the model is incomplete, with
 * what is missing; ARIC, which also needs an input no record holds (African-American), is
 * needs-input.  Once the mother's diabetes and a reading of 135/86 are recorded, the model is
 * scored from the record alone (the model file's first example: a woman of 55, BMI 31, HDL 45,
 * TG 160, glucose 105 mg/dL, both true: 0.486753), each input's provenance a record.  An input
 * the record cannot hold is then supplied: ARIC's is used and stored as "supplied". */
Test (risk_real, framingham_from_family_history_and_readings_aric_needs_input)
{
	g_autofree gchar *dir = g_build_filename (mvt_getenv ("MVT_ROOT"), "data", NULL);
	g_auto (MvtClinic) a = { 0 };
	g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
	g_autoptr (GDateTime) y55 = g_date_time_add_years (now, -55);
	g_autoptr (GDateTime) born = g_date_time_add_days (y55, -100);
	g_autofree gchar *birth = g_date_time_format (born, "%Y-%m-%d");
	g_autofree gchar *profile = g_strdup_printf ("{\"mrn\":\"FOS-1\",\"name\":{\"given\":\"x\"}"
						     ",\"birth_date\":\"%s\",\"sex\":\"female\"}",
						     birth);
	g_autofree gchar *pid = NULL, *path = NULL, *one = NULL, *mother = NULL;

	mvt_clinic_make (mvt_shared_url (), dir, &a);
	{
		g_autoptr (MvtResponse) r = rt_call ("POST", "/v1/patients", a.clinician, profile);
		cr_assert_eq (r->status, 201, "%s", r->body);
		pid = g_strdup (mvt_str (r, "id"));
	}
	observe (&a, pid, "\"code\":\"39156-5\",\"value\":31,\"unit\":\"kg/m2\"");
	observe (&a, pid, "\"code\":\"2085-9\",\"value\":45,\"unit\":\"mg/dL\"");
	observe (&a, pid, "\"code\":\"2571-8\",\"value\":160,\"unit\":\"mg/dL\"");
	observe (&a, pid, "\"code\":\"1558-6\",\"value\":105,\"unit\":\"mg/dL\"");
	path = g_strdup_printf ("/v1/patients/%s/risk", pid);
	one = g_strdup_printf ("%s/framingham-offspring-diabetes-2007", path);
	{
		/* no body at all: every model listed */
		g_autoptr (MvtResponse) r = rt_call ("POST", path, a.clinician, NULL);
		JsonObject *fos, *aric;
		JsonArray *missing;
		cr_assert_eq (r->status, 200, "%s", r->body);
		fos = rt_entry_for (r, "framingham-offspring-diabetes-2007");
		cr_expect_str_eq (json_object_get_string_member (fos, "status"), "incomplete");
		missing = json_object_get_array_member (fos, "missing");
		cr_assert_eq (json_array_get_length (missing), 2, "%s", r->body);
		cr_expect_str_eq (json_object_get_string_member (
					  json_array_get_object_element (missing, 0), "input"),
				  "parental_diabetes");
		cr_expect_str_eq (json_object_get_string_member (
					  json_array_get_object_element (missing, 1), "reason"),
				  "no-value");
		cr_expect_str_eq (json_object_get_string_member (
					  json_array_get_object_element (missing, 1), "label"),
				  "Blood pressure 130/85 mm Hg or more, or treated");
		aric = rt_entry_for (r, "aric-diabetes-2005");
		cr_expect_str_eq (json_object_get_string_member (aric, "status"), "needs-input",
				  "%s", r->body);
	}
	mother = rt_post (&a, pid, "conditions",
			  "{\"code\":{\"system\":\"icd-10\",\"code\":\"E11\"},"
			  "\"family_member\":{\"relationship\":\"mother\"}}");
	observe (&a, pid,
		 "\"code\":\"85354-9\",\"components\":[{\"code\":\"8480-6\",\"value\":135,\"unit\":"
		 "\"mmHg\"},{\"code\":\"8462-4\",\"value\":86,\"unit\":\"mmHg\"}]");
	{
		g_autoptr (MvtResponse) r = rt_call ("POST", one, a.clinician, NULL);
		JsonObject *stored, *used, *entry;
		cr_assert_eq (r->status, 201, "%s", r->body);
		entry = json_node_get_object (r->json);
		cr_expect_str_eq (json_object_get_string_member (entry, "status"), "scored", "%s",
				  r->body);
		stored = json_object_get_object_member (entry, "assessment");
		cr_expect_float_eq (json_object_get_double_member (stored, "probability"), 0.486753,
				    1e-6, "%s", r->body);
		used = json_object_get_object_member (stored, "inputs_used");
		for (guint i = 0; i < 2; i++) {
			const gchar *name = i == 0 ? "parental_diabetes" : "elevated_bp";
			JsonObject *source = json_object_get_object_member (
				json_object_get_object_member (used, name), "source");
			cr_expect_str_neq (json_object_get_string_member (source, "kind"),
					   "supplied", "%s: %s", name, r->body);
			cr_expect_str_neq (json_object_get_string_member (source, "kind"),
					   "model-default", "%s: %s", name, r->body);
		}
		cr_expect_str_eq (
			json_object_get_string_member (
				json_object_get_object_member (
					json_object_get_object_member (used, "bmi"), "source"),
				"kind"),
			"observation");
	}
	{
		/* what no record holds is supplied, used and stored as such */
		g_autofree gchar *aric = g_strdup_printf ("%s/aric-diabetes-2005", path);
		g_autoptr (MvtResponse) r = rt_call ("POST", aric, a.clinician,
						     "{\"inputs\":{\"african_american\":false}}");
		JsonObject *entry = json_node_get_object (r->json);
		cr_assert (r->status == 200 || r->status == 201, "%s", r->body);
		if (r->status == 201) {
			JsonObject *used = json_object_get_object_member (
				json_object_get_object_member (entry, "assessment"), "inputs_used");
			cr_expect_str_eq (json_object_get_string_member (
						  json_object_get_object_member (
							  json_object_get_object_member (
								  used, "african_american"),
							  "source"),
						  "kind"),
					  "supplied");
		} else {
			/* ARIC also needs waist and height, which this record lacks: incomplete,
			 * no longer needs-input, and african_american not among the missing */
			cr_expect_str_eq (json_object_get_string_member (entry, "status"),
					  "incomplete", "%s", r->body);
			cr_expect_null (strstr (r->body, "\"input\":\"african_american\""), "%s",
					r->body);
		}
	}
}

/* The model routes of the real plugin: Describe and ScoreBatch under /v1/risk, answers in the
 * language asked. */
Test (risk_real, describe_and_score_batch_routes)
{
	const gchar *zh[] = { "Accept-Language", "zh-CN", NULL };

	{
		MvtRequest req = { .base_url = mvt_shared_url (),
				   .method = "GET",
				   .path = "/v1/risk/models/pce-2013-white-men",
				   .headers = zh };
		g_autoptr (MvtResponse) r = mvt_request (&req);
		JsonObject *model;
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_expect_str_eq (mvt_response_header (r, "Content-Language"), "zh-Hans");
		model = json_object_get_object_member (json_node_get_object (r->json), "model");
		cr_expect_str_eq (json_object_get_string_member (model, "id"),
				  "pce-2013-white-men");
		cr_expect_gt (
			json_array_get_length (json_object_get_array_member (model, "inputs")), 5);
	}
	{
		g_autoptr (MvtResponse) r = rt_call (
			"POST", "/v1/risk/models/framingham-offspring-diabetes-2007/score-batch",
			NULL,
			"{\"input_sets\":[{\"age\":55,\"sex\":\"female\",\"parental_diabetes\":"
			"true,"
			"\"bmi\":31,\"elevated_bp\":true,\"hdl_cholesterol\":45,\"triglycerides\":"
			"160,"
			"\"fasting_glucose\":105},{\"age\":55}]}");
		JsonArray *results;
		cr_assert_eq (r->status, 200, "%s", r->body);
		results = json_object_get_array_member (json_node_get_object (r->json), "results");
		cr_assert_eq (json_array_get_length (results), 2, "%s", r->body);
		cr_expect_float_eq (
			json_object_get_double_member (json_array_get_object_element (results, 0),
						       "probability"),
			0.486753, 1e-6);
		cr_expect (json_object_has_member (json_array_get_object_element (results, 1),
						   "error"),
			   "%s", r->body);
	}
	{
		g_autoptr (MvtResponse) r
			= rt_call ("GET", "/v1/risk/models/no-such-model", NULL, NULL);
		mvt_assert_error (r, 404, "not-found");
	}
}

/* the "details" of an error answer: every problem's field, space-separated (asserts there are
 * some) */
static gchar *
detail_fields (MvtResponse *r)
{
	JsonObject *error = json_object_get_object_member (json_node_get_object (r->json), "error");
	JsonArray *details = json_object_get_array_member (error, "details");
	g_autoptr (GString) fields = g_string_new (NULL);

	cr_assert_gt (json_array_get_length (details), 0, "%s", r->body);
	for (guint i = 0; i < json_array_get_length (details); i++)
		g_string_append_printf (
			fields, "%s ",
			json_object_get_string_member (json_array_get_object_element (details, i),
						       "field"));
	return g_string_free (g_steal_pointer (&fields), FALSE);
}

/* POST /v1/risk/models/{id}/score-columns: the model file's first Framingham example as row 0
 * (its glucose in mmol/L through units), an age out of range in row 1, which alone gets null and
 * is listed; Score's detail "summary" over HTTP gives the same probability. */
Test (risk_real, score_columns_route)
{
	const gchar *const path
		= "/v1/risk/models/framingham-offspring-diabetes-2007/score-columns";
	g_autoptr (MvtResponse) r = rt_call (
		"POST", path, NULL,
		"{\"columns\":{\"age\":[55,500],\"sex\":[\"female\",\"female\"],"
		"\"parental_diabetes\":[true,true],\"bmi\":[31,31],\"elevated_bp\":[true,true],"
		"\"hdl_cholesterol\":[45,45],\"triglycerides\":[160,160],"
		"\"fasting_glucose\":[5.8282,105]},"
		"\"units\":{\"fasting_glucose\":[\"mmol/L\",\"mg/dL\"]},\"language\":\"zh\"}");
	JsonObject *o;
	JsonArray *p, *categories, *problems;
	JsonObject *problem;

	cr_assert_eq (r->status, 200, "%s", r->body);
	cr_expect_str_eq (mvt_response_header (r, "Content-Language"), "zh-Hans");
	o = json_node_get_object (r->json);
	p = json_object_get_array_member (o, "probability");
	cr_assert_eq (json_array_get_length (p), 2, "%s", r->body);
	/* 5.8282 mmol/L is 105 mg/dL at the model's factor 18.016 (to 4 decimals) */
	cr_expect_float_eq (json_array_get_double_element (p, 0), 0.486753, 1e-4, "%s", r->body);
	cr_expect (JSON_NODE_HOLDS_NULL (json_array_get_element (p, 1)), "%s", r->body);
	cr_expect (JSON_NODE_HOLDS_NULL (json_array_get_element (
			   json_object_get_array_member (o, "linear_predictor"), 1)),
		   "%s", r->body);
	cr_expect_eq (json_array_get_int_element (json_object_get_array_member (o, "category"), 1),
		      255);
	categories = json_object_get_array_member (o, "categories");
	cr_expect_lt (json_array_get_int_element (json_object_get_array_member (o, "category"), 0),
		      json_array_get_length (categories));
	cr_expect_eq (json_object_get_int_member (o, "failed"), 1);
	problems = json_object_get_array_member (o, "problems");
	cr_assert_eq (json_array_get_length (problems), 1, "%s", r->body);
	problem = json_array_get_object_element (problems, 0);
	cr_expect_str_eq (json_object_get_string_member (problem, "field"), "/columns/age");
	cr_expect_str_eq (json_object_get_string_member (problem, "code"), "out-of-range");
	cr_expect_eq (json_array_get_length (json_object_get_array_member (problem, "rows")), 1);
	cr_expect_eq (
		json_array_get_int_element (json_object_get_array_member (problem, "rows"), 0), 1);
	{
		g_autoptr (MvtResponse) s = rt_call (
			"POST", "/v1/risk/models/framingham-offspring-diabetes-2007/score", NULL,
			"{\"detail\":\"summary\",\"inputs\":{\"age\":55,\"sex\":\"female\","
			"\"parental_diabetes\":true,\"bmi\":31,\"elevated_bp\":true,"
			"\"hdl_cholesterol\":45,\"triglycerides\":160,\"fasting_glucose\":105}}");
		JsonObject *result;
		cr_assert_eq (s->status, 200, "%s", s->body);
		result = json_object_get_object_member (json_node_get_object (s->json), "result");
		cr_expect_eq (json_object_get_size (result), 3, "%s", s->body);
		cr_expect_float_eq (json_object_get_double_member (result, "probability"), 0.486753,
				    1e-6);
	}
	{
		g_autoptr (MvtResponse) s = rt_call (
			"POST", "/v1/risk/models/framingham-offspring-diabetes-2007/score", NULL,
			"{\"detail\":\"brief\",\"inputs\":{\"age\":55}}");
		mvt_assert_error (s, 422, "invalid-input");
	}
}

/* Columns wrong in several ways at once: one 422 naming each (an unknown input, a number where
 * a column (array) belongs, a column of another length, a required input without a column);
 * nothing scored.  (A wrong value inside a column is that row's problem: score_columns_route.) */
Test (risk_real, score_columns_bad_columns)
{
	g_autoptr (MvtResponse) r = rt_call (
		"POST", "/v1/risk/models/framingham-offspring-diabetes-2007/score-columns", NULL,
		"{\"columns\":{\"age\":[55,60],\"sex\":[\"female\"],\"bmi\":31,"
		"\"shoe_size\":[42,43]}}");
	g_autofree gchar *fields = NULL;

	mvt_assert_error (r, 422, "invalid-input");
	fields = detail_fields (r);
	cr_expect_not_null (strstr (fields, "/columns/shoe_size "), "%s", r->body);
	cr_expect_not_null (strstr (fields, "/columns/bmi "), "%s", r->body);
	cr_expect_not_null (strstr (fields, "/columns/sex "), "%s", r->body);
	cr_expect_not_null (strstr (fields, "/columns/hdl_cholesterol "), "%s", r->body);
	{
		/* a member ScoreColumns does not take (Score's detail) is listed with the columns'
		 * problems, not instead of them: one 422 listing each */
		g_autoptr (MvtResponse) d = rt_call (
			"POST", "/v1/risk/models/framingham-offspring-diabetes-2007/score-columns",
			NULL,
			"{\"detail\":\"summary\",\"columns\":{\"age\":[55,60],\"sex\":[\"female\"],"
			"\"bmi\":31,\"shoe_size\":[42,43]}}");
		g_autofree gchar *all = NULL;
		mvt_assert_error (d, 422, "invalid-input");
		all = detail_fields (d);
		cr_expect_not_null (strstr (all, "/detail "), "%s", d->body);
		cr_expect_not_null (strstr (all, "/columns/shoe_size "), "%s", d->body);
		cr_expect_not_null (strstr (all, "/columns/bmi "), "%s", d->body);
		cr_expect_not_null (strstr (all, "/columns/sex "), "%s", d->body);
		cr_expect_not_null (strstr (all, "/columns/hdl_cholesterol "), "%s", d->body);
	}
	{
		/* well-formed columns: the unknown member alone still refuses the call */
		g_autoptr (MvtResponse) d = rt_call (
			"POST", "/v1/risk/models/framingham-offspring-diabetes-2007/score-columns",
			NULL,
			"{\"detail\":\"summary\",\"columns\":{\"age\":[55],\"sex\":[\"female\"],"
			"\"parental_diabetes\":[true],\"bmi\":[31],\"elevated_bp\":[true],"
			"\"hdl_cholesterol\":[45],\"triglycerides\":[160],"
			"\"fasting_glucose\":[105]}}");
		g_autofree gchar *only = NULL;
		mvt_assert_error (d, 422, "invalid-input");
		only = detail_fields (d);
		cr_expect_str_eq (only, "/detail ", "%s", d->body);
	}
	{
		/* an unknown model is a 404 whatever else is wrong */
		g_autoptr (MvtResponse) d
			= rt_call ("POST", "/v1/risk/models/no-such-model/score-columns", NULL,
				   "{\"detail\":\"summary\",\"columns\":{\"age\":[55]}}");
		cr_expect_eq (d->status, 404, "%s", d->body);
	}
	{
		/* not an object of columns at all: the body's own check */
		g_autoptr (MvtResponse) b = rt_call (
			"POST", "/v1/risk/models/framingham-offspring-diabetes-2007/score-columns",
			NULL, "{\"columns\":[1,2]}");
		mvt_assert_error (b, 422, "invalid-input");
	}
}

/* Too many rows (docs/api.md): a body over [http] max-body-bytes (1 MiB) is 413 before it is
 * read; 100,001 rows within it are 422 too-long at /columns, from the plugin's limit. */
Test (risk_real, score_columns_too_many_rows)
{
	const gchar *const path
		= "/v1/risk/models/framingham-offspring-diabetes-2007/score-columns";
	g_autoptr (GString) body = g_string_new ("{\"columns\":{\"age\":[55");

	for (guint i = 1; i < 100001; i++)
		g_string_append (body, ",55");
	g_string_append (body, "]}}");
	cr_assert_lt (body->len, 1048576);
	{
		g_autoptr (MvtResponse) r = rt_call ("POST", path, NULL, body->str);
		g_autofree gchar *fields = NULL;
		mvt_assert_error (r, 422, "invalid-input");
		fields = detail_fields (r);
		cr_expect_not_null (strstr (fields, "/columns "), "%s", fields);
		cr_expect_not_null (strstr (r->body, "too-long"), "%s", fields);
	}
	g_string_truncate (body, body->len - 3);
	while (body->len < 1100000)
		g_string_append (body, ",55.000000");
	g_string_append (body, "]}}");
	{
		g_autoptr (MvtResponse) r = rt_call ("POST", path, NULL, body->str);
		mvt_assert_error (r, 413, "too-large");
	}
}

int
main (int argc, char **argv)
{
	const gchar *plugins[] = { mvt_getenv ("MVT_RISK_SCORER"), NULL };
	g_autofree gchar *config = g_strdup_printf ("[plugin.risk-scorer]\nmodels-dir=%s\n",
						    mvt_getenv ("MVT_RISK_MODELS"));
	MvtOptions options = { .extra_plugins = plugins, .config = config };

	return mvt_main (argc, argv, &options);
}
