/* Risk scores from the record against the real daemon, its embedded PostgreSQL and a real
 * plugin call: the risk-scorer stand-in (risk-scorer-stub.c, two logistic models with made-up
 * coefficients) until plugins/risk-scorer is merged.  A patient with blood pressure, lipids,
 * glucose, smoking status, conditions and medications gets both scores from the record, stored as
 * risk-assessment records with the record versions used, and read back; a patient without
 * lipids gets the lipid model listed with exactly what is missing and nothing stored for it;
 * another clinic's key gets 404 and nothing is written; an unknown model is 404.  And the
 * plugin's stable routes: GET /v1/risk/models, GET /v1/risk/models/{id}, POST
 * /v1/risk/models/{id}/score.  And what a caller adds (issue 12's stranger): an empty body,
 * inputs the record cannot hold (supplied, stored so), a model needing them listed with what
 * to supply, a supplied value the record also holds (the record's unless "override"), the
 * answer's Content-Language. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "risk-test.h"

static const gchar *
url (void)
{
	return mvt_shared_url ();
}

static gchar *
data_dir (void)
{
	return g_build_filename (mvt_getenv ("MVT_ROOT"), "data", NULL);
}

/* RFC 3339 UTC of @days days ago, 08:00 */
static gchar *
days_ago (gint days)
{
	g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
	g_autoptr (GDateTime) then = g_date_time_add_days (now, -days);
	return g_date_time_format (then, "%Y-%m-%dT08:00:00Z");
}

/* completed years of someone born on @birth (YYYY-MM-DD) today (UTC) */
static gint
age_of (gint y, gint m, gint d)
{
	g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
	gint ny, nm, nd;

	g_date_time_get_ymd (now, &ny, &nm, &nd);
	return ny - y - (nm < m || (nm == m && nd < d) ? 1 : 0);
}

static gchar *
make_patient_born (const MvtClinic *c, const gchar *mrn, const gchar *birth_date)
{
	g_autofree gchar *body = g_strdup_printf (
		"{\"mrn\":\"%s\",\"name\":{\"given\":\"x\"},\"birth_date\":\"%s\","
		"\"sex\":\"male\"}",
		mrn, birth_date);
	g_autoptr (MvtResponse) r = rt_call ("POST", "/v1/patients", c->clinician, body);

	cr_assert_eq (r->status, 201, "%s", r->body);
	return g_strdup (mvt_str (r, "id"));
}

static gchar *
make_patient (const MvtClinic *c, const gchar *mrn)
{
	return make_patient_born (c, mrn, "1960-03-15");
}

/* a LOINC-coded observation @days days ago */
static gchar *
observe (const MvtClinic *c,
	 const gchar *pid,
	 const gchar *code,
	 const gchar *value,
	 const gchar *unit,
	 gint days)
{
	g_autofree gchar *when = days_ago (days);
	g_autofree gchar *body = g_strdup_printf (
		"{\"code\":\"%s\",\"value\":%s,\"unit\":\"%s\",\"effective_at\":\"%s\"}", code,
		value, unit, when);
	return rt_post (c, pid, "observations", body);
}

static gchar *
blood_pressure (const MvtClinic *c, const gchar *pid, gint systolic, gint days)
{
	g_autofree gchar *when = days_ago (days);
	g_autofree gchar *body = g_strdup_printf (
		"{\"code\":\"85354-9\",\"effective_at\":\"%s\",\"components\":[{\"code\":"
		"\"8480-6\",\"value\":%d,\"unit\":\"mmHg\"},{\"code\":\"8462-4\",\"value\":85,"
		"\"unit\":\"mmHg\"}]}",
		when, systolic);
	return rt_post (c, pid, "observations", body);
}

/* a smoking status (72166-2) with LOINC answer @answer, @days days ago */
static gchar *
smoking (const MvtClinic *c, const gchar *pid, const gchar *answer, gint days)
{
	g_autofree gchar *when = days_ago (days);
	g_autofree gchar *body = g_strdup_printf (
		"{\"code\":\"72166-2\",\"value_code\":\"%s\",\"effective_at\":\"%s\"}", answer,
		when);
	return rt_post (c, pid, "observations", body);
}

static JsonObject *
object_at (JsonObject *o, const gchar *member)
{
	cr_assert (json_object_has_member (o, member), "no %s", member);
	return json_object_get_object_member (o, member);
}

static gint64
count_assessments (PGconn *conn, const gchar *clinic, const gchar *pid)
{
	const gchar *v[] = { clinic, pid };
	return mvt_db_count (conn,
			     "SELECT count(*) FROM records WHERE clinic_id = $1 AND patient_id = "
			     "$2::uuid AND kind = 'risk-assessment'",
			     2, v);
}

/* the source {kind, id, version} of input @name in a stored assessment */
static void
expect_source (JsonObject *assessment, const gchar *name, const gchar *kind, const gchar *id)
{
	JsonObject *used = object_at (object_at (assessment, "inputs_used"), name);
	JsonObject *source = object_at (used, "source");

	cr_expect_str_eq (json_object_get_string_member (source, "kind"), kind, "%s", name);
	if (id != NULL)
		cr_expect_str_eq (json_object_get_string_member (source, "id"), id, "%s", name);
	cr_expect_eq (json_object_get_int_member (source, "version"), 1, "%s", name);
}

Test (risk, scores_from_the_record_are_stored_and_read_back)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *bp = NULL, *tc = NULL, *glu = NULL, *dm = NULL, *med = NULL;
	g_autofree gchar *old_tc = NULL, *hdl = NULL, *path = NULL, *smoke = NULL;
	PGconn *conn = mvt_db_connect (dir);
	gint age = age_of (1960, 3, 15);
	JsonObject *lipids, *glucose, *stored;

	mvt_clinic_make (url (), dir, &a);
	pid = make_patient (&a, "RISK-1");
	bp = blood_pressure (&a, pid, 142, 10);
	old_tc = observe (&a, pid, "2093-3", "6.2", "mmol/L", 200);
	tc = observe (&a, pid, "2093-3", "213", "mg/dL", 20);
	hdl = observe (&a, pid, "2085-9", "1.29", "mmol/L", 20);
	glu = observe (&a, pid, "2339-0", "126", "mg/dL", 5);
	/* a current every-day smoker */
	smoke = smoking (&a, pid, "LA18976-3", 30);
	dm = rt_post (
		&a, pid, "conditions",
		"{\"code\":{\"system\":\"icd-10\",\"code\":\"E11.9\"},\"onset\":\"2019-03-01\"}");
	g_free (rt_post (&a, pid, "conditions",
			 "{\"code\":{\"system\":\"icd-10\",\"code\":\"I10\"},"
			 "\"verification_status\":\"refuted\"}"));
	med = rt_post (
		&a, pid, "medications",
		"{\"name\":\"amlodipine\",\"code\":{\"system\":\"atc\",\"code\":\"C08CA01\"}}");
	path = g_strdup_printf ("/v1/patients/%s/risk", pid);
	{
		g_autoptr (MvtResponse) r = rt_call ("POST", path, a.clinician, "{}");
		gdouble lp_lipids, lp_glucose;

		cr_assert_eq (r->status, 201, "%s", r->body);
		/* stub-manual has an input without a source: listed as needing it */
		cr_assert_eq (json_array_get_length (json_object_get_array_member (
				      json_node_get_object (r->json), "models")),
			      3, "%s", r->body);
		cr_expect_str_eq (
			json_object_get_string_member (rt_entry_for (r, "stub-manual"), "status"),
			"needs-input");
		lipids = rt_entry_for (r, "stub-lipids");
		glucose = rt_entry_for (r, "stub-glucose");
		cr_assert_str_eq (json_object_get_string_member (lipids, "status"), "scored");
		cr_assert_str_eq (json_object_get_string_member (glucose, "status"), "scored");
		/* the plugin got the record's values: its probability is theirs.  213 mg/dL as
		 * written (not the older 6.2 mmol/L), HDL 1.29 mmol/L × 38.67, the panel's
		 * systolic, diabetes from E11.9, amlodipine (C08) as BP treatment */
		lp_lipids = -7 + 0.05 * age + 0.3 + 0.01 * 142 + 0.004 * 213 - 0.01 * 1.29 * 38.67
			    + 0.6 + 0.4 + 0.7;
		/* glucose 126 mg/dL stored as 6.99 mmol/L, the model's unit */
		lp_glucose = -4 + 0.03 * age + 0.2 * 6.99 + 1.0;
		stored = object_at (lipids, "assessment");
		cr_expect_float_eq (json_object_get_double_member (stored, "probability"),
				    1 / (1 + exp (-lp_lipids)), 1e-9, "%s", r->body);
		cr_expect_float_eq (json_object_get_double_member (
					    object_at (glucose, "assessment"), "probability"),
				    1 / (1 + exp (-lp_glucose)), 1e-9, "%s", r->body);
		cr_expect_str_eq (json_object_get_string_member (stored, "model_version"), "0.1.0");
		expect_source (stored, "total_cholesterol", "observation", tc);
		expect_source (stored, "hdl_cholesterol", "observation", hdl);
		expect_source (stored, "systolic", "observation", bp);
		expect_source (stored, "diabetes", "condition", dm);
		expect_source (stored, "on_bp_treatment", "medication", med);
		expect_source (stored, "age", "profile", pid);
		expect_source (stored, "smoker", "observation", smoke);
		cr_expect_str_eq (
			json_object_get_string_member (
				object_at (object_at (stored, "inputs_used"), "smoker"), "value"),
			"current");
		expect_source (object_at (glucose, "assessment"), "glucose", "observation", glu);
		cr_expect_eq (json_array_get_length (
				      json_object_get_array_member (stored, "contributions")),
			      8);
		cr_expect_eq (
			json_array_get_length (json_object_get_array_member (stored, "defaulted")),
			0);
		{
			/* read back by GET, as any record */
			g_autofree gchar *one
				= g_strdup_printf ("/v1/patients/%s/risk-assessments/%s", pid,
						   json_object_get_string_member (stored, "id"));
			g_autoptr (MvtResponse) got = rt_call ("GET", one, a.clinician, NULL);
			cr_assert_eq (got->status, 200, "%s", got->body);
			cr_expect_str_eq (got->etag, "\"1\"");
			cr_expect_float_eq (
				json_object_get_double_member (json_node_get_object (got->json),
							       "probability"),
				json_object_get_double_member (stored, "probability"), 1e-12);
			cr_expect_str_eq (mvt_str (got, "model"), "stub-lipids");
		}
	}
	{
		g_autofree gchar *list = g_strdup_printf ("/v1/patients/%s/risk-assessments", pid);
		g_autofree gchar *by_model = g_strdup_printf (
			"/v1/patients/%s/risk-assessments?code=stub-glucose", pid);
		g_autoptr (MvtResponse) l = rt_call ("GET", list, a.clinician, NULL);
		g_autoptr (MvtResponse) m = rt_call ("GET", by_model, a.clinician, NULL);
		cr_assert_eq (l->status, 200, "%s", l->body);
		cr_expect_eq (json_array_get_length (json_object_get_array_member (
				      json_node_get_object (l->json), "risk-assessments")),
			      2, "%s", l->body);
		cr_expect_eq (json_array_get_length (json_object_get_array_member (
				      json_node_get_object (m->json), "risk-assessments")),
			      1, "%s", m->body);
	}
	cr_expect_eq (count_assessments (conn, a.id, pid), 2);
	PQfinish (conn);
}

Test (risk, missing_lipids_are_listed_and_nothing_is_stored_for_that_model)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *one = NULL, *all = NULL;
	PGconn *conn = mvt_db_connect (dir);

	mvt_clinic_make (url (), dir, &a);
	pid = make_patient (&a, "RISK-2");
	g_free (blood_pressure (&a, pid, 130, 3));
	g_free (observe (&a, pid, "2339-0", "5.4", "mmol/L", 3));
	g_free (smoking (&a, pid, "LA18978-9", 3));
	/* a cholesterol of over a year ago: too old for the model's 365 days */
	g_free (observe (&a, pid, "2093-3", "5.0", "mmol/L", 400));
	one = g_strdup_printf ("/v1/patients/%s/risk/stub-lipids", pid);
	{
		g_autoptr (MvtResponse) r = rt_call ("POST", one, a.clinician, "{}");
		JsonArray *missing;
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_expect_str_eq (mvt_str (r, "status"), "incomplete");
		cr_expect_not (
			json_object_has_member (json_node_get_object (r->json), "assessment"));
		missing = json_object_get_array_member (json_node_get_object (r->json), "missing");
		cr_assert_eq (json_array_get_length (missing), 2, "%s", r->body);
		cr_expect_str_eq (json_object_get_string_member (
					  json_array_get_object_element (missing, 0), "input"),
				  "total_cholesterol");
		cr_expect_str_eq (json_object_get_string_member (
					  json_array_get_object_element (missing, 0), "reason"),
				  "too-old");
		cr_expect_str_eq (json_object_get_string_member (
					  json_array_get_object_element (missing, 1), "input"),
				  "hdl_cholesterol");
		cr_expect_str_eq (json_object_get_string_member (
					  json_array_get_object_element (missing, 1), "reason"),
				  "no-value");
	}
	cr_expect_eq (count_assessments (conn, a.id, pid), 0);
	all = g_strdup_printf ("/v1/patients/%s/risk", pid);
	{
		g_autoptr (MvtResponse) r = rt_call ("POST", all, a.clinician, "{}");
		JsonObject *glucose;
		cr_assert_eq (r->status, 201, "%s", r->body);
		cr_expect_str_eq (
			json_object_get_string_member (rt_entry_for (r, "stub-lipids"), "status"),
			"incomplete");
		glucose = rt_entry_for (r, "stub-glucose");
		cr_expect_str_eq (json_object_get_string_member (glucose, "status"), "scored");
		/* no diabetes in the record: the model's declared default, said so */
		cr_expect_str_eq (json_array_get_string_element (
					  json_object_get_array_member (
						  object_at (glucose, "assessment"), "defaulted"),
					  0),
				  "diabetes");
	}
	cr_expect_eq (count_assessments (conn, a.id, pid), 1);
	PQfinish (conn);
}

Test (risk, another_clinic_gets_404_and_an_unknown_model_404_and_nothing_is_written)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (MvtClinic) a = { 0 };
	g_auto (MvtClinic) b = { 0 };
	g_autofree gchar *pid = NULL, *before = NULL, *after = NULL;
	PGconn *conn = mvt_db_connect (dir);

	mvt_clinic_make (url (), dir, &a);
	mvt_clinic_make (url (), dir, &b);
	pid = make_patient (&a, "RISK-3");
	g_free (blood_pressure (&a, pid, 120, 3));
	g_free (observe (&a, pid, "2339-0", "5.4", "mmol/L", 3));
	before = mvt_db_clinic_state (conn, a.id);
	{
		static const gchar *const tails[] = { "risk", "risk/stub-glucose", "risk/nope" };
		for (guint i = 0; i < G_N_ELEMENTS (tails); i++) {
			g_autofree gchar *path
				= g_strdup_printf ("/v1/patients/%s/%s", pid, tails[i]);
			g_autoptr (MvtResponse) r = rt_call ("POST", path, b.clinician, "{}");
			mvt_assert_error (r, 404, "not-found");
		}
	}
	{
		g_autofree gchar *path
			= g_strdup_printf ("/v1/patients/%s/risk/no-such-model", pid);
		g_autoptr (MvtResponse) r = rt_call ("POST", path, a.clinician, "{}");
		mvt_assert_error (r, 404, "not-found");
	}
	after = mvt_db_clinic_state (conn, a.id);
	cr_assert_str_eq (before, after, "a refused request wrote something");
	cr_expect_eq (count_assessments (conn, a.id, pid), 0);
	PQfinish (conn);
}

Test (risk, a_score_the_plugin_refuses_is_listed_with_its_problems_and_not_stored)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *path = NULL;
	PGconn *conn = mvt_db_connect (dir);

	mvt_clinic_make (url (), dir, &a);
	/* 116 years old: outside the stub's range for age */
	pid = make_patient_born (&a, "RISK-4", "1910-01-01");
	g_free (observe (&a, pid, "2339-0", "5.4", "mmol/L", 3));
	path = g_strdup_printf ("/v1/patients/%s/risk/stub-glucose", pid);
	{
		g_autoptr (MvtResponse) r = rt_call ("POST", path, a.clinician, "{}");
		JsonObject *error;
		JsonArray *problems;
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_expect_str_eq (mvt_str (r, "status"), "refused");
		error = object_at (json_node_get_object (r->json), "error");
		cr_expect_str_eq (json_object_get_string_member (error, "code"), "invalid-input");
		problems = json_object_get_array_member (error, "problems");
		cr_assert_eq (json_array_get_length (problems), 1, "%s", r->body);
		cr_expect_str_eq (json_object_get_string_member (
					  json_array_get_object_element (problems, 0), "field"),
				  "/inputs/age");
		cr_expect_str_eq (json_object_get_string_member (
					  json_array_get_object_element (problems, 0), "code"),
				  "out-of-range");
	}
	cr_expect_eq (count_assessments (conn, a.id, pid), 0);
	PQfinish (conn);
}

Test (risk, the_models_and_a_score_from_given_inputs)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (MvtClinic) a = { 0 };

	mvt_clinic_make (url (), dir, &a);
	{
		g_autoptr (MvtResponse) r = rt_call ("GET", "/v1/risk/models", a.clinician, NULL);
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_expect_eq (json_array_get_length (json_object_get_array_member (
				      json_node_get_object (r->json), "models")),
			      3, "%s", r->body);
	}
	{
		g_autoptr (MvtResponse) r = rt_call (
			"POST", "/v1/risk/models/stub-glucose/score", a.clinician,
			"{\"inputs\":{\"age\":50,\"glucose\":{\"value\":6},\"diabetes\":true}}");
		g_autoptr (MvtResponse) ok
			= rt_call ("POST", "/v1/risk/models/stub-glucose/score", a.clinician,
				   "{\"inputs\":{\"age\":50,\"glucose\":6.0,\"diabetes\":true}}");
		JsonObject *result;
		/* the stub takes plain numbers only: {"value"} is its wrong-type problem */
		mvt_assert_error (r, 422, "invalid-input");
		cr_assert_eq (ok->status, 200, "%s", ok->body);
		result = object_at (json_node_get_object (ok->json), "result");
		cr_expect_float_eq (json_object_get_double_member (result, "probability"),
				    1 / (1 + exp (-(-4 + 0.03 * 50 + 0.2 * 6 + 1.0))), 1e-9, "%s",
				    ok->body);
	}
	{
		g_autoptr (MvtResponse) unknown = rt_call ("POST", "/v1/risk/models/nope/score",
							   a.clinician, "{\"inputs\":{}}");
		g_autoptr (MvtResponse) twice
			= rt_call ("POST", "/v1/risk/models/stub-glucose/score", a.clinician,
				   "{\"model\":\"stub-lipids\",\"inputs\":{}}");
		mvt_assert_error (unknown, 404, "not-found");
		mvt_assert_error (twice, 422, "invalid-input");
	}
}

/* @method @path with an Accept-Language and an exact body (NULL: none) and content type */
static MvtResponse *
call_raw (const gchar *path,
	  const gchar *token,
	  const gchar *content_type,
	  const gchar *body,
	  const gchar *language)
{
	const gchar *headers[] = { "Accept-Language", language, NULL };
	MvtRequest req = {
		.base_url = url (),
		.method = "POST",
		.path = path,
		.content_type = content_type,
		.body = body,
		.len = body != NULL ? -1 : 0,
		.token = token,
		.headers = language != NULL ? headers : NULL,
	};
	return mvt_request (&req);
}

Test (risk, an_empty_body_is_taken_as_an_empty_object)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *path = NULL;

	mvt_clinic_make (url (), dir, &a);
	pid = make_patient (&a, "RISK-5");
	g_free (observe (&a, pid, "2339-0", "5.4", "mmol/L", 3));
	path = g_strdup_printf ("/v1/patients/%s/risk/stub-glucose", pid);
	{
		/* no body, no content type (curl -X POST) */
		g_autoptr (MvtResponse) r = call_raw (path, a.clinician, NULL, NULL, NULL);
		cr_assert_eq (r->status, 201, "%s", r->body);
		cr_expect_str_eq (mvt_str (r, "status"), "scored");
	}
	{
		/* an empty body declared JSON (curl -d '' -H 'Content-Type: application/json') */
		g_autoptr (MvtResponse) r
			= call_raw (path, a.clinician, "application/json", "", NULL);
		cr_assert_eq (r->status, 201, "%s", r->body);
	}
	{
		/* an empty body declared as something else is still refused */
		g_autoptr (MvtResponse) r = call_raw (path, a.clinician, "text/plain", "", NULL);
		mvt_assert_error (r, 415, "unsupported-media-type");
	}
	{
		/* and a body that is not an object of the known members */
		g_autoptr (MvtResponse) r
			= call_raw (path, a.clinician, "application/json",
				    "{\"inputs\":{\"age\":[1]},\"overide\":true}", NULL);
		mvt_assert_error (r, 422, "invalid-input");
		cr_expect (strstr (r->body, "/inputs/age") != NULL, "%s", r->body);
		cr_expect (strstr (r->body, "/overide") != NULL, "%s", r->body);
	}
}

Test (risk, a_model_needing_an_input_is_listed_with_it_and_scored_once_supplied)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *all = NULL, *one = NULL;
	PGconn *conn = mvt_db_connect (dir);

	mvt_clinic_make (url (), dir, &a);
	pid = make_patient (&a, "RISK-6");
	all = g_strdup_printf ("/v1/patients/%s/risk", pid);
	one = g_strdup_printf ("/v1/patients/%s/risk/stub-manual", pid);
	{
		g_autoptr (MvtResponse) r = call_raw (all, a.clinician, NULL, NULL, "zh-CN");
		JsonObject *manual, *m;
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_expect_str_eq (mvt_response_header (r, "Content-Language"), "zh-Hans");
		manual = rt_entry_for (r, "stub-manual");
		cr_expect_str_eq (json_object_get_string_member (manual, "status"), "needs-input");
		m = json_array_get_object_element (json_object_get_array_member (manual, "missing"),
						   0);
		cr_expect_str_eq (json_object_get_string_member (m, "input"), "score");
		cr_expect_str_eq (json_object_get_string_member (m, "reason"), "no-source");
		cr_expect_str_eq (json_object_get_string_member (m, "type"), "number");
		cr_expect_str_eq (json_object_get_string_member (m, "unit"), "1");
		/* a readable message in the caller's language */
		cr_expect (strstr (json_object_get_string_member (m, "message"), "inputs") != NULL
				   && strstr (json_object_get_string_member (m, "message"), "来源")
					      != NULL,
			   "%s", r->body);
		/* the record-fed models say what they looked for, and how far back */
		m = json_array_get_object_element (
			json_object_get_array_member (rt_entry_for (r, "stub-glucose"), "missing"),
			0);
		cr_expect_str_eq (json_object_get_string_member (m, "reason"), "no-value");
		cr_expect_str_eq (json_array_get_string_element (
					  json_object_get_array_member (m, "loinc"), 0),
				  "2339-0");
		cr_expect_eq (json_object_get_int_member (m, "max_age_days"), 90);
		cr_expect (strstr (json_object_get_string_member (m, "message"), "2339-0") != NULL,
			   "%s", r->body);
	}
	{
		g_autoptr (MvtResponse) r
			= rt_call ("POST", one, a.clinician, "{\"inputs\":{\"score\":3}}");
		JsonObject *stored, *score;
		cr_assert_eq (r->status, 201, "%s", r->body);
		cr_expect_str_eq (mvt_str (r, "status"), "scored");
		cr_expect_str_eq (mvt_response_header (r, "Content-Language"), "en");
		stored = object_at (json_node_get_object (r->json), "assessment");
		cr_expect_float_eq (json_object_get_double_member (stored, "probability"),
				    1 / (1 + exp (-(-1.0 + 0.1 * 3))), 1e-9, "%s", r->body);
		score = object_at (object_at (stored, "inputs_used"), "score");
		cr_expect_str_eq (
			json_object_get_string_member (object_at (score, "source"), "kind"),
			"supplied");
		cr_expect_float_eq (json_object_get_double_member (score, "value"), 3, 1e-12);
		cr_expect_str_eq (json_array_get_string_element (
					  json_object_get_array_member (stored, "supplied"), 0),
				  "score");
		{
			/* read back: stored with its provenance */
			g_autofree gchar *back
				= g_strdup_printf ("/v1/patients/%s/risk-assessments/%s", pid,
						   json_object_get_string_member (stored, "id"));
			g_autoptr (MvtResponse) got = rt_call ("GET", back, a.clinician, NULL);
			cr_assert_eq (got->status, 200, "%s", got->body);
			cr_expect (strstr (got->body, "\"supplied\"") != NULL, "%s", got->body);
		}
	}
	{
		/* a name no model has is refused, not ignored */
		g_autoptr (MvtResponse) r
			= rt_call ("POST", all, a.clinician, "{\"inputs\":{\"scroe\":3}}");
		mvt_assert_error (r, 422, "invalid-input");
		cr_expect (strstr (r->body, "/inputs/scroe") != NULL, "%s", r->body);
	}
	cr_expect_eq (count_assessments (conn, a.id, pid), 1);
	PQfinish (conn);
}

Test (risk, a_supplied_value_the_record_holds_is_used_only_with_override)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *path = NULL, *glu = NULL;
	gint age = age_of (1960, 3, 15);

	mvt_clinic_make (url (), dir, &a);
	pid = make_patient (&a, "RISK-7");
	glu = observe (&a, pid, "2339-0", "5.4", "mmol/L", 3);
	path = g_strdup_printf ("/v1/patients/%s/risk/stub-glucose", pid);
	{
		g_autoptr (MvtResponse) r
			= rt_call ("POST", path, a.clinician, "{\"inputs\":{\"glucose\":9.0}}");
		JsonObject *stored;
		cr_assert_eq (r->status, 201, "%s", r->body);
		stored = object_at (json_node_get_object (r->json), "assessment");
		expect_source (stored, "glucose", "observation", glu);
		cr_expect_float_eq (json_object_get_double_member (stored, "probability"),
				    1 / (1 + exp (-(-4 + 0.03 * age + 0.2 * 5.4))), 1e-9);
		cr_expect_str_eq (
			json_object_get_string_member (
				json_array_get_object_element (
					json_object_get_array_member (
						json_node_get_object (r->json), "not_used"),
					0),
				"reason"),
			"record-has-value", "%s", r->body);
	}
	{
		g_autoptr (MvtResponse) r
			= rt_call ("POST", path, a.clinician,
				   "{\"inputs\":{\"glucose\":9.0},\"override\":true}");
		JsonObject *stored;
		cr_assert_eq (r->status, 201, "%s", r->body);
		stored = object_at (json_node_get_object (r->json), "assessment");
		cr_expect_str_eq (
			json_object_get_string_member (
				object_at (object_at (object_at (stored, "inputs_used"), "glucose"),
					   "source"),
				"kind"),
			"supplied");
		cr_expect_float_eq (json_object_get_double_member (stored, "probability"),
				    1 / (1 + exp (-(-4 + 0.03 * age + 0.2 * 9.0))), 1e-9);
		/* the other inputs still come from the record */
		expect_source (stored, "age", "profile", pid);
	}
}

Test (risk, a_model_described_and_the_answer_language)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (MvtClinic) a = { 0 };
	const gchar *zh[] = { "Accept-Language", "zh-CN", NULL };

	mvt_clinic_make (url (), dir, &a);
	{
		g_autoptr (MvtResponse) r
			= rt_call ("GET", "/v1/risk/models/stub-lipids", a.clinician, NULL);
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_expect_str_eq (
			json_object_get_string_member (
				object_at (json_node_get_object (r->json), "model"), "id"),
			"stub-lipids");
	}
	{
		g_autoptr (MvtResponse) r
			= rt_call ("GET", "/v1/risk/models/no-such-model", a.clinician, NULL);
		mvt_assert_error (r, 404, "not-found");
	}
	{
		MvtRequest req = { .base_url = url (),
				   .method = "GET",
				   .path = "/v1/risk/models",
				   .token = a.clinician,
				   .headers = zh };
		g_autoptr (MvtResponse) r = mvt_request (&req);
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_expect_str_eq (mvt_response_header (r, "Content-Language"), "zh-Hans");
	}
}

int
main (int argc, char **argv)
{
	const gchar *plugins[] = { mvt_getenv ("MVT_RISK_SCORER"), NULL };
	MvtOptions options = { .extra_plugins = plugins };

	return mvt_main (argc, argv, &options);
}
