/* The plan routes against the real daemon, its embedded PostgreSQL and a real plugin call: the
 * plan-generator stand-in (plan-generator-stub.c) until plugins/plan-generator is merged.  A
 * plan generated from the record is stored as a sealed, versioned "plan" record and read back
 * with its history; supplied values win and are carried over; a red flag suppresses the plan
 * until a clinician clears it (audited; a patient may not); the weekly re-plan from adherence;
 * the patient's own plan, today's tasks and calendar (parsed by python3-icalendar); another
 * clinic's or patient's plan is 404, bad bodies are 4xx with every problem and write nothing,
 * and a plugin's plan the kind refuses writes nothing either. */
#include <criterion/criterion.h>
#include <glib/gstdio.h>
#include <string.h>

#include "plans-test.h"

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

static gchar *
post_record (const MvtClinic *c, const gchar *pid, const gchar *plural, const gchar *body)
{
	g_autofree gchar *path = g_strdup_printf ("/v1/patients/%s/%s", pid, plural);
	g_autoptr (MvtResponse) r = plans_call ("POST", path, c->clinician, body);

	cr_assert_eq (r->status, 201, "%s: %s", plural, r->body);
	return g_strdup (mvt_str (r, "id"));
}

static gchar *
today_utc (void)
{
	g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
	return g_date_time_format (now, "%Y-%m-%d");
}

static void
blood_pressure (const MvtClinic *c, const gchar *pid)
{
	g_autofree gchar *when = plans_hours_ago (48);
	g_autofree gchar *body = g_strdup_printf (
		"{\"code\":\"85354-9\",\"effective_at\":\"%s\",\"components\":[{\"code\":"
		"\"8480-6\",\"value\":148,\"unit\":\"mmHg\"},{\"code\":\"8462-4\",\"value\":92,"
		"\"unit\":\"mmHg\"}]}",
		when);
	g_free (post_record (c, pid, "observations", body));
}

/* a note whose findings hold chest pain with @polarity */
static void
chest_pain_note (const MvtClinic *c, const gchar *pid, const gchar *polarity)
{
	g_autofree gchar *when = plans_hours_ago (1);
	g_autofree gchar *body = g_strdup_printf (
		"{\"text\":\"chest pain since this morning\",\"written_at\":\"%s\",\"findings\":{"
		"\"parser\":{\"name\":\"symptom-parser\",\"version\":\"test\"},\"items\":[{"
		"\"code\":"
		"\"HP:0100749\",\"start\":0,\"end\":10,\"text\":\"chest pain\",\"polarity\":\"%s\","
		"\"experiencer\":\"patient\"}]}}",
		when, polarity);
	g_free (post_record (c, pid, "notes", body));
}

static JsonObject *
body_of (MvtResponse *r)
{
	cr_assert_not_null (r->json, "%s", r->body);
	return json_node_get_object (r->json);
}

static JsonObject *
element (JsonObject *o, const gchar *member, guint i)
{
	JsonArray *a = json_object_get_array_member (o, member);
	cr_assert_not_null (a, "no %s", member);
	cr_assert_lt (i, json_array_get_length (a), "%s", member);
	return json_array_get_object_element (a, i);
}

static gint64
count_plans (PGconn *conn, const gchar *clinic, const gchar *pid)
{
	const gchar *v[] = { clinic, pid };
	return mvt_db_count (conn,
			     "SELECT count(*) FROM records WHERE clinic_id = $1 AND patient_id = "
			     "$2::uuid AND kind = 'plan'",
			     2, v);
}

static gint64
count_audit (PGconn *conn, const gchar *clinic, const gchar *action)
{
	const gchar *v[] = { clinic, action };
	return mvt_db_count (
		conn, "SELECT count(*) FROM audit_entries WHERE clinic_id = $1 AND action = $2", 2,
		v);
}

Test (plans, a_plan_from_the_record_is_stored_versioned_and_read_back)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *path = NULL, *history = NULL, *v1 = NULL, *plan_id = NULL;
	g_autoptr (PGconn) conn = mvt_db_connect (dir);

	mvt_clinic_make (url (), dir, &a);
	pid = plans_patient (&a, "PLAN-1", "female", "en");
	blood_pressure (&a, pid);
	g_free (post_record (&a, pid, "conditions",
			     "{\"code\":{\"system\":\"icd-10\",\"code\":\"I10\"}}"));
	g_free (post_record (&a, pid, "medications",
			     "{\"name\":\"valsartan\",\"code\":{\"system\":\"atc\",\"code\":"
			     "\"C09CA03\"}}"));
	/* the context's statuses are active, resolved, unknown (the plugin refuses others); a
	 * medication not taken is none */
	g_free (post_record (&a, pid, "medications",
			     "{\"name\":\"metformin\",\"status\":\"stopped\",\"code\":{"
			     "\"system\":\"atc\",\"code\":\"A10BA02\"}}"));
	g_free (post_record (&a, pid, "medications",
			     "{\"name\":\"insulin\",\"status\":\"not-taken\",\"code\":{"
			     "\"system\":\"atc\",\"code\":\"A10AB01\"}}"));
	path = g_strdup_printf ("/v1/patients/%s/plan", pid);
	{
		g_autoptr (MvtResponse) r = plans_call ("POST", path, a.clinician, NULL);
		JsonObject *plan, *walk, *used;
		cr_assert_eq (r->status, 201, "%s", r->body);
		cr_expect_str_eq (r->etag, "\"1\"");
		plan = body_of (r);
		plan_id = g_strdup (mvt_str (r, "id"));
		cr_expect_str_eq (mvt_str (r, "status"), "active");
		cr_expect_eq (json_object_get_int_member (plan, "plan_version"), 1);
		/* the plugin got the record: one condition, one medication, the panel's two
		 * components; the age of someone born 1971-06-15 */
		walk = element (plan, "tasks", 0);
		cr_expect (strstr (json_object_get_string_member (walk, "detail"),
				   "conditions=1 medications=2 measurements=2 findings=0")
				   != NULL,
			   "%s", r->body);
		cr_expect (strstr (json_object_get_string_member (walk, "detail"), "age=5") != NULL,
			   "%s", r->body);
		cr_expect_str_eq (json_object_get_string_member (element (plan, "tasks", 1), "id"),
				  "bp-check");
		cr_expect_not (json_object_has_member (plan, "stub_extra"));
		used = json_object_get_object_member (plan, "context_used");
		cr_expect_str_eq (json_object_get_string_member (used, "time_zone"), "UTC");
		cr_expect_eq (
			json_array_get_length (json_object_get_array_member (used, "sources")), 5,
			"%s", r->body);
	}
	{
		/* supplied values win, and are said to be supplied */
		g_autoptr (MvtResponse) r
			= plans_call ("POST", path, a.clinician,
				      "{\"minutes_per_day\":20,\"mobility\":\"limited\",\"today\":"
				      "\"2031-05-05\"}");
		JsonObject *walk;
		cr_assert_eq (r->status, 201, "%s", r->body);
		cr_expect_str_eq (r->etag, "\"2\"");
		cr_expect_str_eq (mvt_str (r, "id"), plan_id);
		walk = element (body_of (r), "tasks", 0);
		cr_expect_eq (json_object_get_int_member (walk, "minutes"), 20);
		cr_expect (
			strstr (json_object_get_string_member (walk, "detail"), "mobility=limited")
			!= NULL);
	}
	{
		/* and carried over to the next plan */
		g_autoptr (MvtResponse) r = plans_call ("POST", path, a.clinician, "{}");
		JsonObject *supplied;
		cr_assert_eq (r->status, 201, "%s", r->body);
		cr_expect_eq (
			json_object_get_int_member (element (body_of (r), "tasks", 0), "minutes"),
			20);
		supplied = json_object_get_object_member (
			json_object_get_object_member (body_of (r), "context_used"), "supplied");
		cr_expect_str_eq (json_object_get_string_member (supplied, "mobility"), "limited");
		/* a date to plan for is the request's own: not carried, not left behind */
		cr_expect_not (json_object_has_member (supplied, "today"), "%s", r->body);
		cr_expect_str_neq (
			json_object_get_string_member (
				json_object_get_object_member (body_of (r), "context_used"),
				"today"),
			"2026-12-07");
	}
	{
		g_autoptr (MvtResponse) r = plans_call ("GET", path, a.clinician, NULL);
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_expect_str_eq (r->etag, "\"3\"");
		cr_expect_str_eq (mvt_str (r, "id"), plan_id);
	}
	history = g_strdup_printf ("/v1/patients/%s/plan/history", pid);
	v1 = g_strdup_printf ("/v1/patients/%s/plan/versions/1", pid);
	{
		g_autoptr (MvtResponse) h = plans_call ("GET", history, a.clinician, NULL);
		g_autoptr (MvtResponse) v = plans_call ("GET", v1, a.clinician, NULL);
		cr_assert_eq (h->status, 200, "%s", h->body);
		cr_expect_eq (json_array_get_length (
				      json_object_get_array_member (body_of (h), "versions")),
			      3, "%s", h->body);
		cr_assert_eq (v->status, 200, "%s", v->body);
		cr_expect_eq (
			json_object_get_int_member (element (body_of (v), "tasks", 0), "minutes"),
			30);
	}
	cr_expect_eq (count_plans (conn, a.id, pid), 1);
	cr_expect_eq (count_audit (conn, a.id, "plan.create"), 1);
	cr_expect_eq (count_audit (conn, a.id, "plan.update"), 2);
}

Test (plans, a_red_flag_suppresses_the_plan_until_a_clinician_clears_it)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *path = NULL, *clear = NULL, *token = NULL, *today = NULL;
	g_autoptr (PGconn) conn = mvt_db_connect (dir);

	mvt_clinic_make (url (), dir, &a);
	pid = plans_patient (&a, "PLAN-2", "female", "zh-CN");
	chest_pain_note (&a, pid, "possible");
	token = plans_patient_token (&a, pid);
	path = g_strdup_printf ("/v1/patients/%s/plan", pid);
	clear = g_strdup_printf ("/v1/patients/%s/plan/clear-red-flags", pid);
	{
		g_autoptr (MvtResponse) r = plans_call ("POST", path, a.clinician, "{}");
		JsonObject *flag;
		cr_assert_eq (r->status, 201, "%s", r->body);
		cr_expect_str_eq (mvt_str (r, "status"), "suppressed");
		cr_expect_str_eq (mvt_str (r, "language"), "zh");
		flag = element (body_of (r), "red_flags", 0);
		cr_expect_str_eq (json_object_get_string_member (flag, "certainty"), "possible");
		cr_expect_str_eq (json_object_get_string_member (flag, "instruction"),
				  "立即拨打 120。");
		cr_expect_eq (
			json_array_get_length (json_object_get_array_member (body_of (r), "tasks")),
			0);
	}
	{
		/* the patient sees the urgent instruction and nothing to do */
		g_autoptr (MvtResponse) r = plans_call ("GET", "/v1/me/today", token, NULL);
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_expect_str_eq (mvt_str (r, "status"), "suppressed");
		cr_expect_eq (json_array_get_length (
				      json_object_get_array_member (body_of (r), "red_flags")),
			      1);
		cr_expect_eq (
			json_array_get_length (json_object_get_array_member (body_of (r), "tasks")),
			0);
	}
	{
		/* a patient may not clear it (the route is a clinician's) */
		g_autoptr (MvtResponse) r = plans_call ("POST", clear, token, "{}");
		mvt_assert_error (r, 403, "forbidden");
	}
	cr_expect_eq (count_audit (conn, a.id, "plan.clear-red-flags"), 0);
	{
		g_autoptr (MvtResponse) r = plans_call ("POST", clear, a.clinician,
							"{\"note\":\"seen today, ECG normal\"}");
		cr_assert_eq (r->status, 201, "%s", r->body);
		cr_expect_str_eq (r->etag, "\"2\"");
		cr_expect_str_eq (mvt_str (r, "status"), "active");
		today = today_utc ();
		cr_expect_str_eq (mvt_str (r, "red_flags_cleared_on"), today);
		cr_expect_str_eq (mvt_str (r, "red_flags_cleared_by"), a.clinician_key_id);
		cr_expect_str_eq (mvt_str (r, "red_flags_cleared_note"), "seen today, ECG normal");
		cr_expect_eq (json_array_get_length (
				      json_object_get_array_member (body_of (r), "red_flags")),
			      0);
	}
	cr_expect_eq (count_audit (conn, a.id, "plan.clear-red-flags"), 1);
	{
		/* a plan made later keeps the clearing: the same finding raises nothing */
		g_autoptr (MvtResponse) r = plans_call ("POST", path, a.clinician, "{}");
		cr_assert_eq (r->status, 201, "%s", r->body);
		cr_expect_str_eq (mvt_str (r, "status"), "active");
		cr_expect_str_eq (mvt_str (r, "red_flags_cleared_on"), today);
		cr_expect_str_eq (mvt_str (r, "red_flags_cleared_note"), "seen today, ECG normal");
	}
	{
		/* a re-plan by another clinician keeps who cleared them, and why */
		g_autofree gchar *other_id = NULL;
		g_autofree gchar *other
			= mvt_create_key (url (), a.admin, a.id, "clinician", &other_id);
		g_autofree gchar *replan = g_strdup_printf ("/v1/patients/%s/plan/replan", pid);
		g_autoptr (MvtResponse) r
			= plans_call ("POST", replan, other, "{\"adherence\":[]}");
		cr_assert_eq (r->status, 201, "%s", r->body);
		cr_expect_str_neq (other_id, a.clinician_key_id);
		cr_expect_str_eq (mvt_str (r, "red_flags_cleared_by"), a.clinician_key_id);
		cr_expect_str_eq (mvt_str (r, "red_flags_cleared_note"), "seen today, ECG normal");
	}
	cr_expect_eq (count_audit (conn, a.id, "plan.clear-red-flags"), 1);
}

Test (plans, the_weekly_replan_from_adherence)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *path = NULL, *replan = NULL;
	g_autoptr (PGconn) conn = mvt_db_connect (dir);

	mvt_clinic_make (url (), dir, &a);
	pid = plans_patient (&a, "PLAN-3", "female", "en");
	path = g_strdup_printf ("/v1/patients/%s/plan", pid);
	replan = g_strdup_printf ("/v1/patients/%s/plan/replan", pid);
	{
		/* no plan to re-plan yet */
		g_autoptr (MvtResponse) r
			= plans_call ("POST", replan, a.clinician, "{\"adherence\":[]}");
		mvt_assert_error (r, 409, "conflict");
	}
	{
		g_autoptr (MvtResponse) r = plans_call ("POST", path, a.clinician, "{}");
		cr_assert_eq (r->status, 201, "%s", r->body);
	}
	{
		g_autoptr (MvtResponse) r = plans_call (
			"POST", replan, a.clinician,
			"{\"adherence\":[{\"id\":\"walk\",\"planned\":3,\"done\":3},{\"id\":"
			"\"walk-week\",\"planned\":150,\"done\":90}]}");
		cr_assert_eq (r->status, 201, "%s", r->body);
		cr_expect_eq (json_object_get_int_member (body_of (r), "plan_version"), 2);
		cr_expect_eq (
			json_object_get_int_member (element (body_of (r), "tasks", 0), "minutes"),
			35);
	}
	{
		/* an id that is no goal or task of the plan is refused, not taken as undone */
		g_autoptr (MvtResponse) r = plans_call (
			"POST", replan, a.clinician,
			"{\"adherence\":[{\"id\":\"wlak\",\"planned\":3,\"done\":0}]}");
		mvt_assert_error (r, 422, "invalid-input");
		cr_expect (strstr (r->body, "/adherence/0/id") != NULL, "%s", r->body);
	}
	cr_expect_eq (count_audit (conn, a.id, "plan.replan"), 1);
}

Test (plans, the_patient_s_own_plan_today_and_calendar)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *path = NULL, *token = NULL, *ics = NULL;
	g_autofree gchar *other = NULL, *other_token = NULL, *via_id = NULL;

	mvt_clinic_make (url (), dir, &a);
	pid = plans_patient (&a, "PLAN-4", "female", "zh-CN");
	other = plans_patient (&a, "PLAN-5", "female", "en");
	blood_pressure (&a, pid);
	token = plans_patient_token (&a, pid);
	other_token = plans_patient_token (&a, other);
	path = g_strdup_printf ("/v1/patients/%s/plan", pid);
	{
		/* planned from Monday 7 December 2026 on, whatever today is */
		g_autoptr (MvtResponse) r
			= plans_call ("POST", path, a.clinician, "{\"today\":\"2026-12-07\"}");
		cr_assert_eq (r->status, 201, "%s", r->body);
		cr_expect_str_eq (mvt_str (r, "week_start"), "2026-12-07");
	}
	{
		g_autoptr (MvtResponse) mine = plans_call ("GET", "/v1/me/plan", token, NULL);
		g_autoptr (MvtResponse) theirs
			= plans_call ("GET", "/v1/me/plan", other_token, NULL);
		cr_assert_eq (mine->status, 200, "%s", mine->body);
		cr_expect_str_eq (mvt_str (mine, "language"), "zh");
		/* the other patient has none; and cannot reach this one's */
		mvt_assert_error (theirs, 404, "not-found");
		/* what a patient app shows as it is: who makes the plan */
		cr_expect (strstr (theirs->body, "ask your clinic") != NULL, "%s", theirs->body);
		via_id = g_strdup_printf ("/v1/patients/%s/plan", pid);
		{
			g_autoptr (MvtResponse) r = plans_call ("GET", via_id, other_token, NULL);
			mvt_assert_error (r, 404, "not-found");
		}
	}
	{
		/* Tuesday: the blood-pressure check only */
		g_autoptr (MvtResponse) r
			= plans_call ("GET", "/v1/me/today?date=2026-12-08", token, NULL);
		g_autoptr (MvtResponse) bad
			= plans_call ("GET", "/v1/me/today?date=2026-12-32", token, NULL);
		JsonArray *tasks;
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_expect_str_eq (mvt_str (r, "weekday"), "tue");
		tasks = json_object_get_array_member (body_of (r), "tasks");
		cr_assert_eq (json_array_get_length (tasks), 1, "%s", r->body);
		cr_expect_str_eq (json_object_get_string_member (
					  json_array_get_object_element (tasks, 0), "title"),
				  "测量血压");
		mvt_assert_error (bad, 422, "invalid-input");
	}
	{
		g_autoptr (MvtResponse) r = plans_call ("GET", "/v1/me/plan.ics", token, NULL);
		g_autofree gchar *file = NULL;
		g_autofree gchar *out = NULL, *err = NULL;
		gint status = -1;
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_expect (g_str_has_prefix (r->content_type, "text/calendar"), "%s",
			   r->content_type);
		cr_expect (g_str_has_prefix (r->body, "BEGIN:VCALENDAR\r\n"));
		file = g_build_filename (dir, "plan.ics", NULL);
		cr_assert (g_file_set_contents (file, r->body, (gssize)r->len, NULL));
		ics = g_strdup (r->body);
		{
			/* two tasks and a follow-up; the walk's Chinese title */
			const gchar *argv[] = { mvt_getenv ("MVT_PYTHON"),
						mvt_getenv ("MVT_CHECK_ICS"),
						file,
						"3",
						"快走",
						NULL };
			cr_assert (g_spawn_sync (NULL, (gchar **)argv, NULL, G_SPAWN_DEFAULT, NULL,
						 NULL, &out, &err, &status, NULL));
			cr_expect (g_spawn_check_wait_status (status, NULL), "%s%s", out, err);
		}
		g_unlink (file);
	}
	{
		/* a clinician has no /v1/me */
		g_autoptr (MvtResponse) r
			= plans_call ("GET", "/v1/me/plan.ics", a.clinician, NULL);
		mvt_assert_error (r, 403, "forbidden");
	}
}

/* check-ics.py on @ics: @events events, one titled with @summary, @cancelled cancelled */
static void
check_ics (const gchar *dir,
	   const gchar *ics,
	   const gchar *events,
	   const gchar *summary,
	   const gchar *cancelled)
{
	g_autofree gchar *file = g_build_filename (dir, "plan-clinician.ics", NULL);
	g_autofree gchar *out = NULL, *err = NULL;
	const gchar *argv[] = { mvt_getenv ("MVT_PYTHON"),
				mvt_getenv ("MVT_CHECK_ICS"),
				file,
				events,
				summary,
				cancelled,
				NULL };
	gint status = -1;

	cr_assert (g_file_set_contents (file, ics, -1, NULL));
	cr_assert (g_spawn_sync (NULL, (gchar **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
				 &err, &status, NULL));
	cr_expect (g_spawn_check_wait_status (status, NULL), "%s%s", out, err);
	g_unlink (file);
}

Test (plans, the_clinician_s_calendar_and_a_dropped_task_cancelled_in_it)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (MvtClinic) a = { 0 };
	g_auto (MvtClinic) b = { 0 };
	g_autofree gchar *pid = NULL, *other = NULL, *token = NULL, *other_token = NULL;
	g_autofree gchar *ics = NULL, *plan = NULL, *bp = NULL, *bp_path = NULL, *when = NULL;
	g_autofree gchar *body = NULL;

	mvt_clinic_make (url (), dir, &a);
	mvt_clinic_make (url (), dir, &b);
	pid = plans_patient (&a, "PLAN-7", "female", "en");
	other = plans_patient (&a, "PLAN-8", "female", "en");
	token = plans_patient_token (&a, pid);
	other_token = plans_patient_token (&a, other);
	when = plans_hours_ago (48);
	body = g_strdup_printf (
		"{\"code\":\"85354-9\",\"effective_at\":\"%s\",\"components\":[{\"code\":"
		"\"8480-6\",\"value\":148,\"unit\":\"mmHg\"},{\"code\":\"8462-4\",\"value\":92,"
		"\"unit\":\"mmHg\"}]}",
		when);
	bp = post_record (&a, pid, "observations", body);
	plan = g_strdup_printf ("/v1/patients/%s/plan", pid);
	ics = g_strdup_printf ("/v1/patients/%s/plan.ics", pid);
	{
		g_autoptr (MvtResponse) r = plans_call ("POST", plan, a.clinician, "{}");
		cr_assert_eq (r->status, 201, "%s", r->body);
	}
	{
		/* the clinician reads the feed the patient's calendar app reads */
		g_autoptr (MvtResponse) r = plans_call ("GET", ics, a.clinician, NULL);
		g_autoptr (MvtResponse) mine = plans_call ("GET", "/v1/me/plan.ics", token, NULL);
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_expect (g_str_has_prefix (r->content_type, "text/calendar"), "%s",
			   r->content_type);
		cr_expect (strstr (r->body, "-task-bp-check@medverse") != NULL, "%s", r->body);
		cr_expect (strstr (r->body, "SEQUENCE:1\r\n") != NULL, "%s", r->body);
		cr_expect (strstr (r->body, "CANCELLED") == NULL, "%s", r->body);
		cr_assert_eq (mine->status, 200, "%s", mine->body);
		cr_expect_eq (mine->len, r->len, "%s\n%s", mine->body, r->body);
	}
	{
		/* a day that is not on the calendar is named as such, on each route's date */
		g_autoptr (MvtResponse) posted
			= plans_call ("POST", plan, a.clinician, "{\"today\":\"2026-02-30\"}");
		g_autoptr (MvtResponse) query
			= plans_call ("GET", "/v1/me/today?date=2026-02-30", token, NULL);
		mvt_assert_error (posted, 422, "invalid-input");
		cr_expect (strstr (posted->body, "past the end of its month (28 days)") != NULL
				   && strstr (posted->body, "2026-02-30") == NULL,
			   "%s", posted->body);
		mvt_assert_error (query, 422, "invalid-input");
		cr_expect (strstr (query->body, "past the end of its month (28 days)") != NULL,
			   "%s", query->body);
	}
	{
		/* another clinic's clinician and another patient's key: no such patient */
		g_autoptr (MvtResponse) stranger = plans_call ("GET", ics, b.clinician, NULL);
		g_autoptr (MvtResponse) theirs = plans_call ("GET", ics, other_token, NULL);
		g_autoptr (MvtResponse) own = plans_call ("GET", ics, token, NULL);
		mvt_assert_error (stranger, 404, "not-found");
		mvt_assert_error (theirs, 404, "not-found");
		cr_expect_eq (own->status, 200, "%s", own->body);
	}
	/* the reading was entered in error: the next plan has no blood-pressure check */
	bp_path = g_strdup_printf ("/v1/patients/%s/observations/%s", pid, bp);
	{
		g_autoptr (MvtResponse) r = plans_call ("DELETE", bp_path, a.clinician, NULL);
		cr_assert_eq (r->status, 200, "%s", r->body);
	}
	{
		g_autoptr (MvtResponse) r = plans_call ("POST", plan, a.clinician, "{}");
		cr_assert_eq (r->status, 201, "%s", r->body);
		cr_expect_eq (
			json_array_get_length (json_object_get_array_member (body_of (r), "tasks")),
			1, "%s", r->body);
	}
	{
		/* the check is cancelled under its UID, so a calendar app removes it */
		g_autoptr (MvtResponse) r = plans_call ("GET", ics, a.clinician, NULL);
		g_autofree gchar *flat = NULL;
		g_autoptr (GRegex) fold = g_regex_new ("\r\n[ \t]", 0, 0, NULL);
		cr_assert_eq (r->status, 200, "%s", r->body);
		flat = g_regex_replace_literal (fold, r->body, -1, 0, "", 0, NULL);
		cr_expect (strstr (flat, "-task-bp-check@medverse\r\nDTSTAMP:") != NULL, "%s",
			   flat);
		cr_expect (strstr (flat, "SEQUENCE:2\r\nDTSTART;VALUE=DATE:") != NULL, "%s", flat);
		check_ics (dir, r->body, "3", "Brisk walk", "1");
	}
}

Test (plans, a_clearing_is_an_instant_a_symptom_reported_again_after_it_flags_again)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *path = NULL, *clear = NULL, *today = NULL;

	mvt_clinic_make (url (), dir, &a);
	pid = plans_patient (&a, "PLAN-9", "female", "en");
	chest_pain_note (&a, pid, "present");
	path = g_strdup_printf ("/v1/patients/%s/plan", pid);
	clear = g_strdup_printf ("/v1/patients/%s/plan/clear-red-flags", pid);
	{
		g_autoptr (MvtResponse) r = plans_call ("POST", path, a.clinician, "{}");
		cr_assert_eq (r->status, 201, "%s", r->body);
		cr_expect_str_eq (mvt_str (r, "status"), "suppressed");
	}
	{
		/* cleared at an instant; the patient's date stays for older readers */
		g_autoptr (MvtResponse) r = plans_call ("POST", clear, a.clinician, "{}");
		g_autoptr (GDateTime) at = NULL;
		cr_assert_eq (r->status, 201, "%s", r->body);
		cr_expect_str_eq (mvt_str (r, "status"), "active");
		cr_assert_not_null (mvt_str (r, "red_flags_cleared_at"), "%s", r->body);
		at = g_date_time_new_from_iso8601 (mvt_str (r, "red_flags_cleared_at"), NULL);
		cr_expect_not_null (at, "%s", r->body);
		today = today_utc ();
		cr_expect_str_eq (mvt_str (r, "red_flags_cleared_on"), today);
	}
	{
		/* the note the clinician saw stays cleared */
		g_autoptr (MvtResponse) r = plans_call ("POST", path, a.clinician, "{}");
		cr_assert_eq (r->status, 201, "%s", r->body);
		cr_expect_str_eq (mvt_str (r, "status"), "active");
	}
	/* the patient reports the same symptom again, the same day, after the clearing */
	chest_pain_note (&a, pid, "present");
	{
		g_autoptr (MvtResponse) r = plans_call ("POST", path, a.clinician, "{}");
		cr_assert_eq (r->status, 201, "%s", r->body);
		cr_expect_str_eq (mvt_str (r, "status"), "suppressed", "%s", r->body);
		cr_expect_eq (json_array_get_length (
				      json_object_get_array_member (body_of (r), "red_flags")),
			      1, "%s", r->body);
		/* and the clearing is still on record */
		cr_expect_str_eq (mvt_str (r, "red_flags_cleared_on"), today);
	}
}

Test (plans, strangers_get_404_bad_bodies_4xx_and_nothing_is_written)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (MvtClinic) a = { 0 };
	g_auto (MvtClinic) b = { 0 };
	g_autofree gchar *pid = NULL, *before = NULL, *after = NULL, *path = NULL;
	g_autoptr (PGconn) conn = mvt_db_connect (dir);

	mvt_clinic_make (url (), dir, &a);
	mvt_clinic_make (url (), dir, &b);
	pid = plans_patient (&a, "PLAN-6", "female", "en");
	path = g_strdup_printf ("/v1/patients/%s/plan", pid);
	{
		g_autoptr (MvtResponse) r = plans_call ("POST", path, a.clinician, "{}");
		cr_assert_eq (r->status, 201, "%s", r->body);
	}
	before = mvt_db_clinic_state (conn, a.id);
	{
		static const gchar *const posts[]
			= { "plan", "plan/clear-red-flags", "plan/replan" };
		static const gchar *const gets[] = { "plan", "plan/history", "plan/versions/1" };
		for (guint i = 0; i < G_N_ELEMENTS (posts); i++) {
			g_autofree gchar *p = g_strdup_printf ("/v1/patients/%s/%s", pid, posts[i]);
			g_autoptr (MvtResponse) r
				= plans_call ("POST", p, b.clinician, "{\"adherence\":[]}");
			mvt_assert_error (r, 404, "not-found");
		}
		for (guint i = 0; i < G_N_ELEMENTS (gets); i++) {
			g_autofree gchar *p = g_strdup_printf ("/v1/patients/%s/%s", pid, gets[i]);
			g_autoptr (MvtResponse) r = plans_call ("GET", p, b.clinician, NULL);
			mvt_assert_error (r, 404, "not-found");
		}
	}
	{
		g_autoptr (MvtResponse) malformed
			= plans_call ("POST", path, a.clinician, "{\"today\":");
		g_autoptr (MvtResponse) wrong = plans_call (
			"POST", path, a.clinician,
			"{\"minutes_per_day\":\"lots\",\"mobility\":\"flying\",\"pregnant\":1,"
			"\"today\":\"2026-13-01\",\"minutes\":30}");
		g_autoptr (MvtResponse) not_object = plans_call ("POST", path, a.clinician, "[1]");
		g_autofree gchar *huge_note = g_strnfill (1100 * 1024, 'x');
		g_autofree gchar *huge = g_strdup_printf ("{\"note\":\"%s\"}", huge_note);
		g_autofree gchar *clear
			= g_strdup_printf ("/v1/patients/%s/plan/clear-red-flags", pid);
		g_autoptr (MvtResponse) oversize = plans_call ("POST", clear, a.clinician, huge);
		g_autoptr (MvtResponse) replan_bad = NULL;
		g_autofree gchar *replan_path
			= g_strdup_printf ("/v1/patients/%s/plan/replan", pid);
		mvt_assert_error (malformed, 400, "malformed");
		mvt_assert_error (wrong, 422, "invalid-input");
		cr_expect_eq (json_array_get_length (json_object_get_array_member (
				      json_object_get_object_member (body_of (wrong), "error"),
				      "details")),
			      5, "%s", wrong->body);
		for (guint i = 0; i < 5; i++) {
			static const gchar *const fields[] = { "/minutes_per_day", "/mobility",
							       "/pregnant", "/today", "/minutes" };
			g_autofree gchar *quoted = g_strdup_printf ("\"%s\"", fields[i]);
			cr_expect (strstr (wrong->body, quoted) != NULL, "%s: %s", fields[i],
				   wrong->body);
		}
		cr_expect (not_object->status == 400 || not_object->status == 422, "%s",
			   not_object->body);
		mvt_assert_error (oversize, 413, "too-large");
		replan_bad = plans_call (
			"POST", replan_path, a.clinician,
			"{\"adherence\":[{\"id\":\"walk\",\"planned\":-1}],\"note\":\"x\"}");
		mvt_assert_error (replan_bad, 422, "invalid-input");
		cr_expect (strstr (replan_bad->body, "/adherence/0/planned") != NULL);
		cr_expect (strstr (replan_bad->body, "/adherence/0/done") != NULL);
		cr_expect (strstr (replan_bad->body, "/note") != NULL);
	}
	after = mvt_db_clinic_state (conn, a.id);
	cr_assert_str_eq (before, after, "a refused request wrote something");
	{
		/* the plugin's plan broke the spec: its failure, nothing stored; the record was
		 * read for it (audited as a read, the one entry more) */
		gint64 reads = count_audit (conn, a.id, "record.snapshot");
		g_autoptr (MvtResponse) r
			= plans_call ("POST", path, a.clinician, "{\"minutes_per_day\":13}");
		g_autoptr (MvtResponse) got = plans_call ("GET", path, a.clinician, NULL);
		mvt_assert_error (r, 500, "failed");
		cr_expect_eq (count_audit (conn, a.id, "record.snapshot"), reads + 1);
		cr_expect_eq (count_audit (conn, a.id, "plan.update"), 0);
		cr_expect_str_eq (got->etag, "\"1\"");
	}
	cr_expect_eq (count_plans (conn, a.id, pid), 1);
}

int
main (int argc, char **argv)
{
	const gchar *plugins[] = { mvt_getenv ("MVT_PLAN_GENERATOR"), NULL };
	MvtOptions options = { .extra_plugins = plugins };

	return mvt_main (argc, argv, &options);
}
