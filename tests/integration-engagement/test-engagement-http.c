/* Engagement against the real daemon and its embedded PostgreSQL, over HTTP: a check-in is an
 * Observation the record shows; points and the streak across local days (the patient's time
 * zone from the profile) and out of order; a repeat by id answers the first answer, another
 * body under the same id is 409; implausible, malformed, mistyped, unknown-member, oversize and
 * over-long-batch bodies are 4xx with nothing written (rows and audit log unchanged); another
 * patient's progress and check-ins are 404; the leaderboard shows handles and points only. */
#include <criterion/criterion.h>
#include <string.h>

#include "mvt.h"

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

/* @language NULL: no Accept-Language */
static MvtResponse *
call_in (const gchar *language,
	 const gchar *method,
	 const gchar *path,
	 const gchar *token,
	 const gchar *body)
{
	return mvt_http_in_language (url (), language, method, path, token, body);
}

static MvtResponse *
call (const gchar *method, const gchar *path, const gchar *token, const gchar *body)
{
	return call_in (NULL, method, path, token, body);
}

static JsonObject *
obj (MvtResponse *r)
{
	return json_node_get_object (r->json);
}

static gchar *
make_patient (const MvtClinic *c, const gchar *mrn)
{
	g_autofree gchar *body = g_strdup_printf (
		"{\"mrn\":\"%s\",\"name\":{\"given\":\"Zhiyuan\",\"family\":\"Wumingshi\"},"
		"\"preferences\":{\"time_zone\":\"Asia/Shanghai\"}}",
		mrn);
	g_autoptr (MvtResponse) r = call ("POST", "/v1/patients", c->clinician, body);

	cr_assert_eq (r->status, 201, "%s", r->body);
	return g_strdup (mvt_str (r, "id"));
}

static gchar *
patient_token (const MvtClinic *c, const gchar *pid)
{
	g_autofree gchar *path = g_strdup_printf ("/v1/patients/%s/invites", pid);
	g_autoptr (MvtResponse) inv = call ("POST", path, c->clinician, "{}");
	g_autofree gchar *redeem = NULL;
	g_autoptr (MvtResponse) r = NULL;

	cr_assert_eq (inv->status, 201, "%s", inv->body);
	redeem = g_strdup_printf ("{\"code\":\"%s\"}", mvt_str (inv, "code"));
	r = call ("POST", "/v1/invites/redeem", NULL, redeem);
	cr_assert_eq (r->status, 201, "%s", r->body);
	return g_strdup (mvt_str (r, "token"));
}

/* now - @seconds_ago, in Shanghai's offset: RFC 3339 */
static gchar *
at_ago (gint64 seconds_ago)
{
	g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
	g_autoptr (GDateTime) then = g_date_time_add_seconds (now, (gdouble)-seconds_ago);
	g_autoptr (GTimeZone) sh = g_time_zone_new_identifier ("Asia/Shanghai");
	g_autoptr (GDateTime) local = g_date_time_to_timezone (then, sh);

	return g_date_time_format (local, "%Y-%m-%dT%H:%M:%S%:z");
}

static gchar *
steps_body (const gchar *id, gint steps, gint64 seconds_ago)
{
	g_autofree gchar *at = at_ago (seconds_ago);
	return g_strdup_printf ("{\"id\":\"%s\",\"metric\":\"steps\",\"value\":%d,\"at\":\"%s\"}",
				id, steps, at);
}

static MvtResponse *
checkin (const gchar *token, const gchar *body)
{
	return call ("POST", "/v1/me/checkins", token, body);
}

/* every engagement row of the clinic and the clinic's records and audit: equal before and
 * after a request that must write nothing */
static gchar *
state (PGconn *conn, const gchar *clinic)
{
	static const gchar *const tables[]
		= { "engagement_checkins", "engagement_ledger", "engagement_leaderboard" };
	const gchar *v[] = { clinic };
	g_autofree gchar *base = mvt_db_clinic_state (conn, clinic);
	g_autoptr (GString) s = g_string_new (base);

	for (guint i = 0; i < G_N_ELEMENTS (tables); i++) {
		g_autofree gchar *sql = g_strdup_printf (
			"SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, ',' ORDER BY "
			"t::text)), '') FROM %s t WHERE clinic_id = $1",
			tables[i]);
		g_autofree gchar *value = mvt_db_value (conn, sql, 1, v);
		g_string_append_printf (s, "/%s", value);
	}
	return g_string_free (g_steal_pointer (&s), FALSE);
}

Test (engagement, checkins_are_observations_with_points_and_a_streak_across_days)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *token = NULL, *today = NULL, *two = NULL, *one = NULL;
	g_autofree gchar *obs_id = NULL, *path = NULL;

	mvt_clinic_make (url (), dir, &a);
	pid = make_patient (&a, "E-1");
	token = patient_token (&a, pid);
	/* out of order: today, two days ago, then yesterday */
	today = steps_body ("s-today", 8000, 60);
	two = steps_body ("s-two", 12000, 2 * 86400);
	one = steps_body ("s-one", 6000, 86400);
	{
		g_autoptr (MvtResponse) r = checkin (token, today);
		JsonObject *answer;
		cr_assert_eq (r->status, 201, "%s", r->body);
		answer = json_object_get_object_member (obj (r), "checkin");
		cr_assert_str_eq (json_object_get_string_member (answer, "id"), "s-today");
		cr_assert_eq (json_object_get_int_member (answer, "points"), 10);
		obs_id = g_strdup (json_object_get_string_member (answer, "observation_id"));
	}
	{
		g_autoptr (MvtResponse) r2 = checkin (token, two);
		g_autoptr (MvtResponse) r1 = checkin (token, one);
		cr_assert_eq (r2->status, 201, "%s", r2->body);
		cr_assert_eq (r1->status, 201, "%s", r1->body);
	}
	/* the Observation is in the record, LOINC 41950-7, for the patient and the clinician */
	{
		g_autofree gchar *mine = g_strdup_printf ("/v1/me/observations/%s", obs_id);
		g_autofree gchar *theirs
			= g_strdup_printf ("/v1/patients/%s/observations/%s", pid, obs_id);
		g_autoptr (MvtResponse) m = call ("GET", mine, token, NULL);
		g_autoptr (MvtResponse) c = call ("GET", theirs, a.clinician, NULL);
		cr_assert_eq (m->status, 200, "%s", m->body);
		cr_assert (strstr (m->body, "41950-7") != NULL, "%s", m->body);
		cr_assert (strstr (m->body, "8000") != NULL, "%s", m->body);
		cr_assert_eq (c->status, 200, "%s", c->body);
	}
	/* three local days in a row, 10 points each (the steps cap is one check-in a day) */
	{
		g_autoptr (MvtResponse) r = call ("GET", "/v1/me/progress", token, NULL);
		JsonObject *streak;
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_assert_eq (json_object_get_int_member (obj (r), "points"), 30, "%s", r->body);
		streak = json_object_get_object_member (obj (r), "streak");
		cr_assert_eq (json_object_get_int_member (streak, "current"), 3, "%s", r->body);
		cr_assert (json_object_get_boolean_member (streak, "today_done"));
		cr_assert_str_eq (json_object_get_string_member (obj (r), "time_zone"),
				  "Asia/Shanghai");
		cr_assert (strstr (r->body, "\"first-checkin\"") != NULL, "%s", r->body);
		cr_assert (strstr (r->body, "\"steps-10000\"") != NULL, "%s", r->body);
		cr_assert (strstr (r->body, "Starter") != NULL, "%s", r->body);
	}
	/* the same in Chinese; the clinician's view agrees */
	{
		g_autoptr (MvtResponse) zh
			= call_in ("zh-CN", "GET", "/v1/me/progress", token, NULL);
		g_autofree gchar *p = g_strdup_printf ("/v1/patients/%s/progress", pid);
		g_autofree gchar *l = g_strdup_printf ("/v1/patients/%s/checkins", pid);
		g_autoptr (MvtResponse) c = call ("GET", p, a.clinician, NULL);
		g_autoptr (MvtResponse) list = call ("GET", l, a.clinician, NULL);
		JsonArray *items;
		cr_assert_eq (zh->status, 200, "%s", zh->body);
		cr_assert (strstr (zh->body, "起步者") != NULL, "%s", zh->body);
		cr_assert_eq (c->status, 200, "%s", c->body);
		cr_assert_eq (json_object_get_int_member (obj (c), "points"), 30);
		cr_assert_eq (list->status, 200, "%s", list->body);
		items = json_object_get_array_member (obj (list), "checkins");
		cr_assert_eq (json_array_get_length (items), 3);
		cr_assert_eq (json_object_get_int_member (obj (list), "days_last_7"), 3);
		/* newest first: the one sent first is today's */
		path = g_strdup (json_object_get_string_member (
			json_array_get_object_element (items, 0), "id"));
		cr_assert_str_eq (path, "s-today");
	}
}

Test (engagement, a_repeat_by_id_answers_the_first_answer_and_another_body_is_409)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *token = NULL, *body = NULL, *other = NULL;
	g_autofree gchar *after_first = NULL, *after_repeat = NULL, *after_conflict = NULL;
	g_autofree gchar *first_answer = NULL, *at = at_ago (120);
	PGconn *conn = mvt_db_connect (dir);

	mvt_clinic_make (url (), dir, &a);
	pid = make_patient (&a, "E-2");
	token = patient_token (&a, pid);
	body = g_strdup_printf ("{\"id\":\"bp-1\",\"metric\":\"blood_pressure\",\"systolic\":128,"
				"\"diastolic\":82,\"at\":\"%s\"}",
				at);
	other = g_strdup_printf ("{\"id\":\"bp-1\",\"metric\":\"blood_pressure\",\"systolic\":150,"
				 "\"diastolic\":90,\"at\":\"%s\"}",
				 at);
	{
		g_autoptr (MvtResponse) r = checkin (token, body);
		cr_assert_eq (r->status, 201, "%s", r->body);
		first_answer = json_to_string (json_object_get_member (obj (r), "checkin"), FALSE);
	}
	after_first = state (conn, a.id);
	{
		g_autoptr (MvtResponse) r = checkin (token, body);
		g_autofree gchar *answer = NULL;
		cr_assert_eq (r->status, 200, "%s", r->body);
		answer = json_to_string (json_object_get_member (obj (r), "checkin"), FALSE);
		cr_assert_str_eq (answer, first_answer);
		cr_assert_eq (
			json_array_get_length (json_object_get_array_member (obj (r), "awarded")),
			0);
	}
	after_repeat = state (conn, a.id);
	/* only the audit count may differ (the repeat was a read of the stored answer) */
	{
		g_auto (GStrv) f = g_strsplit (after_first, "/", -1);
		g_auto (GStrv) r = g_strsplit (after_repeat, "/", -1);
		for (guint i = 0; f[i] != NULL; i++)
			if (i != 5)
				cr_assert_str_eq (f[i], r[i], "part %u changed on a repeat", i);
	}
	{
		g_autoptr (MvtResponse) r = checkin (token, other);
		mvt_assert_error (r, 409, "conflict");
	}
	after_conflict = state (conn, a.id);
	cr_assert_str_eq (after_repeat, after_conflict, "a conflict wrote something");
	/* the client id and the values are not in the engagement tables in clear */
	{
		static const gchar *const tables[] = { "engagement_checkins", "engagement_ledger" };
		for (guint t = 0; t < G_N_ELEMENTS (tables); t++) {
			g_autofree gchar *rows = mvt_db_table_text (conn, tables[t], "hex");
			cr_assert_not (mvt_text_shows (rows, "bp-1"), "the client id in %s",
				       tables[t]);
			cr_assert_not (mvt_text_shows (rows, "blood_pressure"), "the metric in %s",
				       tables[t]);
		}
	}
	/* the ledger is append-only, whoever asks */
	{
		PGresult *res = PQexec (conn, "UPDATE engagement_ledger SET points = 1000");
		gboolean refused = PQresultStatus (res) == PGRES_FATAL_ERROR
				   && strstr (PQresultErrorMessage (res), "append-only") != NULL;
		PQclear (res);
		cr_assert (refused, "an UPDATE of the ledger was not refused");
	}
	PQfinish (conn);
}

Test (engagement, a_batch_is_all_or_none_and_may_repeat_an_earlier_checkin)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *token = NULL, *first = NULL, *at = at_ago (300);
	g_autofree gchar *batch = NULL, *bad = NULL, *before = NULL, *after = NULL;
	PGconn *conn = mvt_db_connect (dir);

	mvt_clinic_make (url (), dir, &a);
	pid = make_patient (&a, "E-9");
	token = patient_token (&a, pid);
	first = g_strdup_printf ("{\"id\":\"m-1\",\"metric\":\"mood\",\"value\":4,\"at\":\"%s\"}",
				 at);
	{
		g_autoptr (MvtResponse) r = checkin (token, first);
		cr_assert_eq (r->status, 201, "%s", r->body);
	}
	batch = g_strdup_printf ("{\"checkins\":[%s,{\"id\":\"s-1\",\"metric\":\"sleep\","
				 "\"value\":7.5,\"at\":\"%s\"},{\"id\":\"a-1\",\"metric\":"
				 "\"active_minutes\",\"value\":30,\"at\":\"%s\"}]}",
				 first, at, at);
	bad = g_strdup_printf ("{\"checkins\":[{\"id\":\"ok-1\",\"metric\":\"mood\",\"value\":3,"
			       "\"at\":\"%s\"},{\"id\":\"bad-1\",\"metric\":\"mood\",\"value\":9,"
			       "\"at\":\"%s\"},{\"id\":\"ok-1\",\"metric\":\"mood\",\"value\":3,"
			       "\"at\":\"%s\"}]}",
			       at, at, at);
	{
		g_autoptr (MvtResponse) r = checkin (token, batch);
		JsonArray *answers;
		cr_assert_eq (r->status, 201, "%s", r->body);
		answers = json_object_get_array_member (obj (r), "checkins");
		cr_assert_eq (json_array_get_length (answers), 3);
		cr_assert_str_eq (json_object_get_string_member (
					  json_array_get_object_element (answers, 0), "id"),
				  "m-1");
		cr_assert_str_eq (json_object_get_string_member (
					  json_array_get_object_element (answers, 2), "metric"),
				  "active_minutes");
	}
	before = state (conn, a.id);
	{
		g_autoptr (MvtResponse) r = checkin (token, bad);
		mvt_assert_error (r, 422, "invalid-input");
		cr_assert (strstr (r->body, "/checkins/1/value") != NULL, "%s", r->body);
		cr_assert (strstr (r->body, "/checkins/2/id") != NULL, "%s", r->body);
	}
	/* a repeated id on a check-in that is wrong in another way too: both problems at once */
	{
		g_autofree gchar *twice = g_strdup_printf (
			"{\"checkins\":[{\"id\":\"d-1\",\"metric\":\"mood\",\"value\":3,"
			"\"at\":\"%s\"},{\"id\":\"d-1\",\"metric\":\"mood\",\"value\":9,"
			"\"at\":\"%s\"}]}",
			at, at);
		g_autoptr (MvtResponse) r = checkin (token, twice);
		mvt_assert_error (r, 422, "invalid-input");
		cr_assert (strstr (r->body, "/checkins/1/value") != NULL, "%s", r->body);
		cr_assert (strstr (r->body, "/checkins/1/id") != NULL, "%s", r->body);
	}
	after = state (conn, a.id);
	cr_assert_str_eq (before, after, "a refused batch wrote something");
	/* a bare offset is no time zone: the profile refuses it */
	{
		g_autoptr (MvtResponse) r = call ("POST", "/v1/patients", a.clinician,
						  "{\"mrn\":\"E-10\",\"name\":{\"given\":\"x\"},"
						  "\"preferences\":{\"time_zone\":\"+08:00\"}}");
		mvt_assert_error (r, 422, "invalid-input");
		cr_assert (strstr (r->body, "/preferences/time_zone") != NULL, "%s", r->body);
	}
	PQfinish (conn);
}

Test (engagement, refused_bodies_write_nothing)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *token = NULL, *before = NULL, *after = NULL;
	g_autofree gchar *huge_steps = NULL, *wrong_type = NULL, *unknown = NULL, *future = NULL;
	g_autofree gchar *at = at_ago (60);
	g_autoptr (GString) oversize
		= g_string_new ("{\"id\":\"x\",\"metric\":\"mood\",\"value\":3,"
				"\"at\":\"2026-12-05T10:00:00Z\",\"pad\":\"");
	g_autoptr (GString) batch = g_string_new ("{\"checkins\":[");
	PGconn *conn = mvt_db_connect (dir);

	mvt_clinic_make (url (), dir, &a);
	pid = make_patient (&a, "E-3");
	token = patient_token (&a, pid);
	before = state (conn, a.id);
	huge_steps = steps_body ("too-many", 150000, 60);
	{
		g_autoptr (MvtResponse) r = checkin (token, huge_steps);
		JsonObject *detail;
		mvt_assert_error (r, 422, "invalid-input");
		detail = json_array_get_object_element (
			json_object_get_array_member (
				json_object_get_object_member (obj (r), "error"), "details"),
			0);
		cr_assert_str_eq (json_object_get_string_member (detail, "field"), "/value");
		cr_assert_str_eq (json_object_get_string_member (detail, "code"), "out-of-range");
		cr_assert_null (strstr (r->body, "150000"), "the value was quoted back");
	}
	wrong_type = g_strdup_printf (
		"{\"id\":\"w\",\"metric\":\"steps\",\"value\":\"many\",\"at\":\"%s\"}", at);
	unknown = g_strdup_printf (
		"{\"id\":\"u\",\"metric\":\"steps\",\"value\":10,\"at\":\"%s\",\"cheat\":true}",
		at);
	future = steps_body ("f", 100, -3600);
	for (guint i = 0; i < 101; i++)
		g_string_append_printf (batch,
					"%s{\"id\":\"b%u\",\"metric\":\"mood\",\"value\":3,"
					"\"at\":\"%s\"}",
					i > 0 ? "," : "", i, at);
	g_string_append (batch, "]}");
	for (guint i = 0; i < 2 * 1024 * 1024; i += 64)
		g_string_append (
			oversize,
			"0123456789012345678901234567890123456789012345678901234567890123");
	g_string_append (oversize, "\"}");
	{
		g_autoptr (MvtResponse) malformed = checkin (token, "{\"id\": \"m\", ");
		g_autoptr (MvtResponse) typed = checkin (token, wrong_type);
		g_autoptr (MvtResponse) extra = checkin (token, unknown);
		g_autoptr (MvtResponse) ahead = checkin (token, future);
		g_autoptr (MvtResponse) long_batch = checkin (token, batch->str);
		g_autoptr (MvtResponse) big = checkin (token, oversize->str);
		g_autoptr (MvtResponse) not_object = checkin (token, "[1,2]");
		mvt_assert_error (malformed, 400, "malformed");
		mvt_assert_error (typed, 422, "invalid-input");
		mvt_assert_error (extra, 422, "invalid-input");
		cr_assert (strstr (extra->body, "/cheat") != NULL, "%s", extra->body);
		mvt_assert_error (ahead, 422, "invalid-input");
		mvt_assert_error (long_batch, 422, "invalid-input");
		cr_assert (strstr (long_batch->body, "/checkins") != NULL, "%s", long_batch->body);
		mvt_assert_error (big, 413, "too-large");
		cr_assert (not_object->status >= 400 && not_object->status < 500, "%s",
			   not_object->body);
	}
	/* a clinician key does not check in for the patient */
	{
		g_autoptr (MvtResponse) r = checkin (a.clinician, huge_steps);
		cr_assert (r->status == 403 || r->status == 404, "%u %s", r->status, r->body);
	}
	after = state (conn, a.id);
	cr_assert_str_eq (before, after, "a refused check-in wrote something");
	PQfinish (conn);
}

Test (engagement, another_patients_progress_and_checkins_are_404)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (MvtClinic) a = { 0 };
	g_auto (MvtClinic) b = { 0 };
	g_autofree gchar *p1 = NULL, *p2 = NULL, *t1 = NULL;
	static const gchar *const what[] = { "progress", "checkins" };

	mvt_clinic_make (url (), dir, &a);
	mvt_clinic_make (url (), dir, &b);
	p1 = make_patient (&a, "E-4");
	p2 = make_patient (&a, "E-5");
	t1 = patient_token (&a, p1);
	for (guint i = 0; i < G_N_ELEMENTS (what); i++) {
		g_autofree gchar *other = g_strdup_printf ("/v1/patients/%s/%s", p2, what[i]);
		g_autofree gchar *own = g_strdup_printf ("/v1/patients/%s/%s", p1, what[i]);
		g_autoptr (MvtResponse) r1 = call ("GET", other, t1, NULL);
		g_autoptr (MvtResponse) r2 = call ("GET", own, b.clinician, NULL);
		g_autoptr (MvtResponse) r3 = call ("GET", own, t1, NULL);
		g_autoptr (MvtResponse) r4
			= call ("GET", "/v1/patients/not-a-uuid/progress", a.clinician, NULL);
		mvt_assert_error (r1, 404, "not-found");
		mvt_assert_error (r2, 404, "not-found");
		cr_assert_eq (r3->status, 200, "%s", r3->body);
		mvt_assert_error (r4, 404, "not-found");
	}
}

Test (engagement, the_leaderboard_shows_handles_and_points_only)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *p1 = NULL, *p2 = NULL, *p3 = NULL, *t1 = NULL, *t2 = NULL, *t3 = NULL;
	g_autofree gchar *s1 = NULL, *s2 = NULL, *at = at_ago (60);

	mvt_clinic_make (url (), dir, &a);
	p1 = make_patient (&a, "E-6");
	p2 = make_patient (&a, "E-7");
	p3 = make_patient (&a, "E-8");
	t1 = patient_token (&a, p1);
	t2 = patient_token (&a, p2);
	t3 = patient_token (&a, p3);
	s1 = steps_body ("lb-1", 7777, 60);
	s2 = g_strdup_printf ("{\"id\":\"lb-2\",\"metric\":\"blood_pressure\",\"systolic\":131.5,"
			      "\"diastolic\":86.5,\"at\":\"%s\"}",
			      at);
	{
		g_autoptr (MvtResponse) c1 = checkin (t1, s1);
		g_autoptr (MvtResponse) c2 = checkin (t2, s2);
		g_autoptr (MvtResponse) j1
			= call ("PUT", "/v1/me/leaderboard", t1, "{\"opt_in\":true}");
		g_autoptr (MvtResponse) j2
			= call ("PUT", "/v1/me/leaderboard", t2, "{\"opt_in\":true}");
		g_autoptr (MvtResponse) bad
			= call ("PUT", "/v1/me/leaderboard", t3, "{\"opt_in\":\"yes\",\"x\":1}");
		cr_assert_eq (c1->status, 201, "%s", c1->body);
		cr_assert_eq (c2->status, 201, "%s", c2->body);
		cr_assert_eq (j1->status, 200, "%s", j1->body);
		cr_assert_eq (j2->status, 200, "%s", j2->body);
		mvt_assert_error (bad, 422, "invalid-input");
	}
	{
		g_autoptr (MvtResponse) r = call ("GET", "/v1/me/leaderboard", t1, NULL);
		g_autoptr (MvtResponse) out = call ("GET", "/v1/me/leaderboard", t3, NULL);
		JsonArray *rows;
		guint mine = 0;
		cr_assert_eq (r->status, 200, "%s", r->body);
		rows = json_object_get_array_member (obj (r), "rows");
		cr_assert_eq (json_array_get_length (rows), 2, "%s", r->body);
		for (guint i = 0; i < 2; i++) {
			JsonObject *row = json_array_get_object_element (rows, i);
			g_autoptr (GList) members = json_object_get_members (row);
			for (GList *l = members; l != NULL; l = l->next)
				cr_assert (g_str_equal (l->data, "rank")
						   || g_str_equal (l->data, "handle")
						   || g_str_equal (l->data, "points")
						   || g_str_equal (l->data, "you"),
					   "member %s on a leaderboard row", (gchar *)l->data);
			mine += json_object_has_member (row, "you");
		}
		cr_assert_eq (mine, 1);
		cr_assert (json_object_get_boolean_member (obj (r), "opt_in"));
		/* no id, no name, no record number, no health value (handles end in 3 digits, so
		 * the values have 4 digits or a fraction) */
		for (guint i = 0; i < 8; i++) {
			const gchar *needles[] = { p1,	  p2,	  "Zhiyuan", "Wumingshi",
						   "E-6", "7777", "131.5",   "86.5" };
			cr_assert_null (strstr (r->body, needles[i]), "%s in %s", needles[i],
					r->body);
		}
		cr_assert_eq (out->status, 200, "%s", out->body);
		cr_assert_not (json_object_get_boolean_member (obj (out), "opt_in"));
		cr_assert_null (strstr (out->body, "\"you\""), "%s", out->body);
	}
	/* leaving removes the row */
	{
		g_autoptr (MvtResponse) leave
			= call ("PUT", "/v1/me/leaderboard", t2, "{\"opt_in\":false}");
		g_autoptr (MvtResponse) r = call ("GET", "/v1/me/leaderboard", t1, NULL);
		cr_assert_eq (leave->status, 200, "%s", leave->body);
		cr_assert_eq (
			json_array_get_length (json_object_get_array_member (obj (r), "rows")), 1,
			"%s", r->body);
	}
}

int
main (int argc, char **argv)
{
	const MvtOptions options = {
		.config = "[auth]\nrate-limit-per-second=1000\nrate-limit-burst=1000\n",
	};
	return mvt_main (argc, argv, &options);
}
