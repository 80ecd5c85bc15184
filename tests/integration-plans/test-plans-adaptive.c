/* Adaptive plans with the real plan-generator and symptom-parser plugins (issue 13, items 2-4
 * of the daemon's part): the weekly re-plan a read makes once the plan's week is over, from
 * adherence derived from the patient's check-ins; task check-ins checked against the current
 * plan; a parsed note with a red flag suppressing the plan at once; bad inputs writing nothing.
 * What the targets are is the plugin's business (its tests); this checks the direction of each
 * step and that no step passes the limits the plan states. */
#include <criterion/criterion.h>
#include <string.h>

#include "plans-test.h"

/* the UTC date @days before today (the patients here have no time zone: UTC) */
static gchar *
day (gint days)
{
	g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
	g_autoptr (GDateTime) then = g_date_time_add_days (now, -days);
	return g_date_time_format (then, "%Y-%m-%d");
}

static JsonObject *
body_of (MvtResponse *r)
{
	g_autoptr (JsonParser) p = json_parser_new ();

	cr_assert (json_parser_load_from_data (p, r->body, (gssize)r->len, NULL), "%s", r->body);
	return json_object_ref (json_node_get_object (json_parser_get_root (p)));
}

static JsonObject *
task_of (JsonObject *plan, const gchar *id)
{
	JsonArray *tasks = json_object_get_array_member (plan, "tasks");

	for (guint i = 0; i < json_array_get_length (tasks); i++) {
		JsonObject *t = json_array_get_object_element (tasks, i);
		if (g_str_equal (json_object_get_string_member (t, "id"), id))
			return t;
	}
	cr_assert_fail ("no task %s", id);
	return NULL;
}

/* minutes (or the target) of a task that rises with adherence */
static gdouble
level (JsonObject *plan, const gchar *id)
{
	JsonObject *t = task_of (plan, id);

	return json_object_has_member (t, "minutes") ? json_object_get_double_member (t, "minutes")
						     : json_object_get_double_member (t, "target");
}

/* no task above its ceiling or below its start, nor a session above the patient's minutes */
static void
assert_within_limits (JsonObject *plan)
{
	JsonArray *tasks = json_object_get_array_member (plan, "tasks");
	JsonArray *limits = json_object_get_array_member (plan, "limits");
	gdouble per_day = G_MAXDOUBLE;

	for (guint i = 0; i < json_array_get_length (limits); i++) {
		JsonObject *l = json_array_get_object_element (limits, i);
		if (g_str_equal (json_object_get_string_member (l, "metric"), "minutes_per_day"))
			per_day = json_object_get_double_member (l, "max");
	}
	cr_assert_lt (per_day, G_MAXDOUBLE, "the plan states no minutes_per_day limit");
	for (guint i = 0; i < json_array_get_length (tasks); i++) {
		JsonObject *t = json_array_get_object_element (tasks, i);
		if (!json_object_has_member (t, "minutes"))
			continue;
		cr_expect_leq (json_object_get_double_member (t, "minutes"), per_day);
		if (json_object_has_member (t, "minutes_ceiling"))
			cr_expect_leq (json_object_get_double_member (t, "minutes"),
				       json_object_get_double_member (t, "minutes_ceiling"));
		if (json_object_has_member (t, "minutes_start"))
			cr_expect_geq (json_object_get_double_member (t, "minutes"),
				       json_object_get_double_member (t, "minutes_start"));
	}
}

static gboolean
has_day (JsonObject *task, const gchar *weekday)
{
	JsonArray *days = json_object_get_array_member (task, "days");

	for (guint i = 0; i < json_array_get_length (days); i++)
		if (g_str_equal (json_array_get_string_element (days, i), weekday))
			return TRUE;
	return FALSE;
}

static MvtResponse *
checkin (const gchar *token, const gchar *body)
{
	return plans_call ("POST", "/v1/me/checkins", token, body);
}

/* active minutes of @task's length on each of its days 1-6 days ago (7 days ago may be past
 * the check-in's age limit at this hour): at least 4 of its 5 days, met */
static void
do_aerobic (const gchar *token, JsonObject *task)
{
	static const gchar *const names[]
		= { NULL, "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
	g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

	for (gint d = 1; d <= 6; d++) {
		g_autoptr (GDateTime) then = g_date_time_add_days (now, -d);
		g_autofree gchar *date = g_date_time_format (then, "%Y-%m-%d");
		g_autofree gchar *body = NULL;
		g_autoptr (MvtResponse) r = NULL;
		if (!has_day (task, names[g_date_time_get_day_of_week (then)]))
			continue;
		body = g_strdup_printf ("{\"id\":\"walk-%s\",\"metric\":\"active_minutes\","
					"\"value\":%d,\"at\":\"%sT12:00:00Z\"}",
					date, (gint)json_object_get_double_member (task, "minutes"),
					date);
		r = checkin (token, body);
		cr_assert_eq (r->status, 201, "%s", r->body);
	}
}

/* The weekly re-plan keeps each follow-up @before scheduled at its date (it would otherwise move
 * a week further at every re-plan and never arrive), so the calendar cancels none of them. */
static void
assert_follow_ups_kept (JsonObject *before, JsonObject *after, const gchar *token)
{
	JsonArray *old = json_object_get_array_member (before, "follow_ups");
	JsonArray *now = json_object_get_array_member (after, "follow_ups");
	g_autoptr (MvtResponse) ics = plans_call ("GET", "/v1/me/plan.ics", token, NULL);

	cr_assert_gt (json_array_get_length (old), 0, "no follow-up to keep");
	cr_assert_eq (json_array_get_length (now), json_array_get_length (old));
	for (guint i = 0; i < json_array_get_length (old); i++) {
		JsonObject *o = json_array_get_object_element (old, i);
		JsonObject *n = json_array_get_object_element (now, i);
		cr_expect_str_eq (json_object_get_string_member (n, "rule"),
				  json_object_get_string_member (o, "rule"));
		cr_expect_str_eq (json_object_get_string_member (n, "date"),
				  json_object_get_string_member (o, "date"));
	}
	cr_assert_eq (ics->status, 200, "%s", ics->body);
	cr_expect (strstr (ics->body, "CANCELLED") == NULL, "%s", ics->body);
}

Test (adaptive, a_past_week_is_replanned_on_the_next_read)
{
	g_autofree gchar *dir = g_build_filename (mvt_getenv ("MVT_ROOT"), "data", NULL);
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *path = NULL, *replan = NULL, *token = NULL;
	g_autofree gchar *d14 = day (14), *d7 = day (7), *d1 = day (1), *body = NULL;
	g_autoptr (JsonObject) v2 = NULL, v3 = NULL;
	g_autoptr (GString) all_met = g_string_new ("{\"adherence\":[");
	PGconn *conn = mvt_db_connect (dir);

	mvt_clinic_make (mvt_shared_url (), dir, &a);
	pid = plans_patient (&a, "ADAPT-1", "male", "en");
	token = plans_patient_token (&a, pid);
	path = g_strdup_printf ("/v1/patients/%s/plan", pid);
	replan = g_strdup_printf ("/v1/patients/%s/plan/replan", pid);
	{
		/* a stage 2 reading before the first plan: "see your doctor within 1 month" */
		g_autofree gchar *when = plans_hours_ago (15 * 24);
		g_autofree gchar *b = g_strdup_printf (
			"{\"code\":\"85354-9\",\"effective_at\":\"%s\",\"components\":[{\"code\":"
			"\"8480-6\",\"value\":148,\"unit\":\"mmHg\"},{\"code\":\"8462-4\","
			"\"value\":92,\"unit\":\"mmHg\"}]}",
			when);
		g_autofree gchar *obs = g_strdup_printf ("/v1/patients/%s/observations", pid);
		g_autoptr (MvtResponse) r = plans_call ("POST", obs, a.clinician, b);
		cr_assert_eq (r->status, 201, "%s", r->body);
	}
	{
		/* a plan made two weeks ago, with time enough for the steps to show */
		g_autofree gchar *b
			= g_strdup_printf ("{\"today\":\"%s\",\"minutes_per_day\":120}", d14);
		g_autoptr (MvtResponse) r = plans_call ("POST", path, a.clinician, b);
		g_autoptr (JsonObject) v1 = NULL;
		JsonArray *tasks;
		cr_assert_eq (r->status, 201, "%s", r->body);
		v1 = body_of (r);
		tasks = json_object_get_array_member (v1, "tasks");
		for (guint i = 0; i < json_array_get_length (tasks); i++)
			g_string_append_printf (
				all_met, "%s{\"id\":\"%s\",\"planned\":5,\"done\":5}",
				i > 0 ? "," : "",
				json_object_get_string_member (
					json_array_get_object_element (tasks, i), "id"));
		g_string_append_printf (all_met, "],\"today\":\"%s\"}", d7);
	}
	{
		/* last week's re-plan, all met (the body's adherence wins, listed as supplied) */
		g_autoptr (MvtResponse) r = plans_call ("POST", replan, a.clinician, all_met->str);
		cr_assert_eq (r->status, 201, "%s", r->body);
		v2 = body_of (r);
		cr_expect_str_eq (
			json_object_get_string_member (
				json_object_get_object_member (v2, "adherence_used"), "source"),
			"supplied");
		cr_expect_str_eq (json_object_get_string_member (v2, "week_start"), d7);
	}
	/* this past week: the aerobic sessions done, nothing else */
	do_aerobic (token, task_of (v2, "aerobic"));
	{
		/* a task check-in naming no task of the plan earns nothing and writes nothing */
		g_autofree gchar *before = mvt_db_clinic_state (conn, a.id);
		g_autofree gchar *after = NULL;
		g_autofree gchar *b = g_strdup_printf ("{\"id\":\"typo-1\",\"metric\":\"task\","
						       "\"task_id\":\"aerobik\",\"at\":\"%sT"
						       "09:00:00Z\"}",
						       d1);
		g_autoptr (MvtResponse) r = checkin (token, b);
		mvt_assert_error (r, 422, "invalid-input");
		cr_expect (strstr (r->body, "/task_id") != NULL && strstr (r->body, "unknown-task"),
			   "%s", r->body);
		after = mvt_db_clinic_state (conn, a.id);
		cr_expect_str_eq (after, before);
	}
	{
		/* the patient's read finds the week over: version 3, from the check-ins */
		g_autoptr (MvtResponse) r = plans_call ("GET", "/v1/me/plan", token, NULL);
		JsonObject *used;
		cr_assert_eq (r->status, 200, "%s", r->body);
		v3 = body_of (r);
		cr_assert_eq (json_object_get_int_member (v3, "version"), 3, "%s", r->body);
		cr_expect_eq (json_object_get_int_member (v3, "plan_version"), 3);
		used = json_object_get_object_member (v3, "adherence_used");
		cr_assert_not_null (used, "%s", r->body);
		cr_expect_str_eq (json_object_get_string_member (used, "source"), "check-ins");
		cr_expect_str_eq (json_object_get_string_member (used, "from"), d7);
		cr_expect_str_eq (json_object_get_string_member (used, "to"), d1);
		body = g_strdup (r->body);
	}
	/* met: up (or held at its ceiling); missed: down (v2 had raised them above the start) */
	if (json_object_has_member (task_of (v2, "aerobic"), "minutes_ceiling")
	    && level (v2, "aerobic")
		       < json_object_get_double_member (task_of (v2, "aerobic"), "minutes_ceiling"))
		cr_expect_gt (level (v3, "aerobic"), level (v2, "aerobic"), "%s", body);
	else
		cr_expect_eq (level (v3, "aerobic"), level (v2, "aerobic"), "%s", body);
	cr_expect_lt (level (v3, "strength"), level (v2, "strength"), "%s", body);
	/* the adult sleep target has no step: missed or met, it stays */
	cr_expect_eq (level (v3, "sleep-routine"), level (v2, "sleep-routine"), "%s", body);
	assert_within_limits (v2);
	assert_within_limits (v3);
	assert_follow_ups_kept (v2, v3, token);
	{
		/* read again, by the clinician and /v1/me/today: no further version */
		g_autoptr (MvtResponse) r = plans_call ("GET", path, a.clinician, NULL);
		g_autoptr (MvtResponse) t = plans_call ("GET", "/v1/me/today", token, NULL);
		g_autofree gchar *hist = g_strdup_printf ("%s/history", path);
		g_autoptr (MvtResponse) h = plans_call ("GET", hist, a.clinician, NULL);
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_expect_eq (json_node_get_int (mvt_member (r, "version")), 3);
		cr_assert_eq (t->status, 200, "%s", t->body);
		cr_assert_eq (h->status, 200, "%s", h->body);
		cr_expect_eq (
			json_array_get_length (json_node_get_array (mvt_member (h, "versions"))), 3,
			"%s", h->body);
	}
	{
		/* a task of the plan done: accepted */
		g_autofree gchar *b = g_strdup_printf ("{\"id\":\"sit-1\",\"metric\":\"task\","
						       "\"task_id\":\"sit-less\",\"at\":\"%sT"
						       "09:00:00Z\"}",
						       d1);
		g_autoptr (MvtResponse) r = checkin (token, b);
		cr_expect_eq (r->status, 201, "%s", r->body);
	}
	PQfinish (conn);
}

Test (adaptive, replan_without_a_body_derives_adherence_and_bad_inputs_write_nothing)
{
	g_autofree gchar *dir = g_build_filename (mvt_getenv ("MVT_ROOT"), "data", NULL);
	g_auto (MvtClinic) a = { 0 };
	g_auto (MvtClinic) b = { 0 };
	g_autofree gchar *pid = NULL, *none = NULL, *path = NULL, *replan = NULL;
	g_autofree gchar *none_replan = NULL, *d3 = day (3);
	PGconn *conn = mvt_db_connect (dir);

	mvt_clinic_make (mvt_shared_url (), dir, &a);
	mvt_clinic_make (mvt_shared_url (), dir, &b);
	pid = plans_patient (&a, "ADAPT-2", "male", "en");
	none = plans_patient (&a, "ADAPT-3", "male", "en");
	path = g_strdup_printf ("/v1/patients/%s/plan", pid);
	replan = g_strdup_printf ("/v1/patients/%s/plan/replan", pid);
	none_replan = g_strdup_printf ("/v1/patients/%s/plan/replan", none);
	{
		g_autofree gchar *body = g_strdup_printf ("{\"today\":\"%s\"}", d3);
		g_autoptr (MvtResponse) r = plans_call ("POST", path, a.clinician, body);
		cr_assert_eq (r->status, 201, "%s", r->body);
	}
	{
		/* refused before the record is read: nothing written, not even an audit entry */
		g_autofree gchar *before = mvt_db_clinic_state (conn, a.id);
		g_autofree gchar *before_b = mvt_db_clinic_state (conn, b.id);
		g_autofree gchar *after = NULL, *after_b = NULL;
		g_autoptr (MvtResponse) negative = plans_call (
			"POST", replan, a.clinician,
			"{\"adherence\":[{\"id\":\"aerobic\",\"planned\":-1,\"done\":1}]}");
		g_autoptr (MvtResponse) stray
			= plans_call ("POST", replan, a.clinician, "{\"weeks\":2}");
		g_autoptr (MvtResponse) stranger = plans_call ("POST", replan, b.clinician, NULL);
		g_autoptr (MvtResponse) stranger_get = plans_call ("GET", path, b.clinician, NULL);
		mvt_assert_error (negative, 422, "invalid-input");
		mvt_assert_error (stray, 422, "invalid-input");
		cr_expect_eq (stranger->status, 404, "%s", stranger->body);
		cr_expect_eq (stranger_get->status, 404, "%s", stranger_get->body);
		after = mvt_db_clinic_state (conn, a.id);
		after_b = mvt_db_clinic_state (conn, b.id);
		cr_expect_str_eq (after, before);
		cr_expect_str_eq (after_b, before_b);
	}
	{
		/* refused once the record is read (the read is audited): no row written */
		g_autofree gchar *before = mvt_db_clinic_state (conn, a.id);
		g_autofree gchar *after = NULL;
		g_autoptr (MvtResponse) unknown = plans_call (
			"POST", replan, a.clinician,
			"{\"adherence\":[{\"id\":\"nope\",\"planned\":3,\"done\":1}]}");
		g_autoptr (MvtResponse) no_plan
			= plans_call ("POST", none_replan, a.clinician, NULL);
		mvt_assert_error (unknown, 422, "invalid-input");
		cr_expect (strstr (unknown->body, "/adherence/0/id") != NULL, "%s", unknown->body);
		cr_expect_eq (no_plan->status, 409, "%s", no_plan->body);
		after = mvt_db_clinic_state (conn, a.id);
		/* the rows' part: all but the audit count after the last '/' */
		*strrchr (before, '/') = '\0';
		*strrchr (after, '/') = '\0';
		cr_expect_str_eq (after, before);
	}
	{
		/* no body: the plan's days that passed, from the check-ins (none: nothing done) */
		g_autoptr (MvtResponse) r = plans_call ("POST", replan, a.clinician, NULL);
		g_autoptr (JsonObject) plan = NULL;
		JsonObject *used;
		JsonArray *items;
		cr_assert_eq (r->status, 201, "%s", r->body);
		plan = body_of (r);
		used = json_object_get_object_member (plan, "adherence_used");
		cr_assert_not_null (used, "%s", r->body);
		cr_expect_str_eq (json_object_get_string_member (used, "source"), "check-ins");
		cr_expect_str_eq (json_object_get_string_member (used, "from"), d3);
		items = json_object_get_array_member (used, "items");
		cr_assert_gt (json_array_get_length (items), 0, "%s", r->body);
		for (guint i = 0; i < json_array_get_length (items); i++)
			cr_expect_eq (json_object_get_int_member (
					      json_array_get_object_element (items, i), "done"),
				      0, "%s", r->body);
		cr_expect_eq (json_object_get_int_member (plan, "version"), 2);
	}
	PQfinish (conn);
}

typedef struct {
	const gchar *token;
	const gchar *path;
	gint64 version; /* of a plan read; 0 for a day */
	guint status;
} Reader;

static gpointer
read_plan (gpointer data)
{
	Reader *r = data;
	g_autoptr (MvtResponse) resp = plans_call ("GET", r->path, r->token, NULL);

	r->status = resp->status;
	if (resp->status == 200 && mvt_member (resp, "version") != NULL)
		r->version = json_node_get_int (mvt_member (resp, "version"));
	return NULL;
}

Test (adaptive, readers_at_once_store_one_replan)
{
	g_autofree gchar *dir = g_build_filename (mvt_getenv ("MVT_ROOT"), "data", NULL);
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *path = NULL, *token = NULL, *hist = NULL, *d9 = day (9);
	Reader readers[4];
	GThread *threads[G_N_ELEMENTS (readers)];

	mvt_clinic_make (mvt_shared_url (), dir, &a);
	pid = plans_patient (&a, "ADAPT-4", "male", "en");
	token = plans_patient_token (&a, pid);
	path = g_strdup_printf ("/v1/patients/%s/plan", pid);
	hist = g_strdup_printf ("%s/history", path);
	{
		g_autofree gchar *b = g_strdup_printf ("{\"today\":\"%s\"}", d9);
		g_free (plans_post (&a, path, b));
	}
	/* the three reads that re-plan, at once: the patient's plan (twice), the patient's day, the
	 * clinician's read */
	readers[0] = (Reader){ .token = token, .path = "/v1/me/plan" };
	readers[1] = (Reader){ .token = token, .path = "/v1/me/plan" };
	readers[2] = (Reader){ .token = token, .path = "/v1/me/today" };
	readers[3] = (Reader){ .token = a.clinician, .path = path };
	for (guint i = 0; i < G_N_ELEMENTS (readers); i++)
		threads[i] = g_thread_new ("reader", read_plan, &readers[i]);
	for (guint i = 0; i < G_N_ELEMENTS (readers); i++) {
		g_thread_join (threads[i]);
		cr_expect_eq (readers[i].status, 200, "reader %u", i);
		/* each plan read answers the one re-plan, its own or the one that won */
		if (i != 2)
			cr_expect_eq (readers[i].version, 2, "reader %u: version %" G_GINT64_FORMAT,
				      i, readers[i].version);
	}
	{
		g_autoptr (MvtResponse) h = plans_call ("GET", hist, a.clinician, NULL);
		cr_assert_eq (h->status, 200, "%s", h->body);
		cr_expect_eq (
			json_array_get_length (json_node_get_array (mvt_member (h, "versions"))), 2,
			"%s", h->body);
	}
}

static MvtResponse *
parsed_note (const MvtClinic *c, const gchar *pid, const gchar *text)
{
	g_autofree gchar *path = g_strdup_printf ("/v1/patients/%s/notes", pid);
	g_autofree gchar *body
		= g_strdup_printf ("{\"text\":\"%s\",\"language\":\"en\",\"parse\":true}", text);
	return plans_call ("POST", path, c->clinician, body);
}

Test (adaptive, a_parsed_note_with_a_red_flag_suppresses_the_plan_at_once)
{
	g_autofree gchar *dir = g_build_filename (mvt_getenv ("MVT_ROOT"), "data", NULL);
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *negated = NULL, *planless = NULL, *token = NULL;
	g_autofree gchar *path = NULL, *neg_path = NULL, *planless_path = NULL, *d1 = day (1);

	mvt_clinic_make (mvt_shared_url (), dir, &a);
	pid = plans_patient (&a, "TRIAGE-1", "male", "en");
	negated = plans_patient (&a, "TRIAGE-2", "male", "en");
	planless = plans_patient (&a, "TRIAGE-3", "male", "en");
	token = plans_patient_token (&a, pid);
	path = g_strdup_printf ("/v1/patients/%s/plan", pid);
	neg_path = g_strdup_printf ("/v1/patients/%s/plan", negated);
	planless_path = g_strdup_printf ("/v1/patients/%s/plan", planless);
	g_free (plans_post (&a, path, "{}"));
	g_free (plans_post (&a, neg_path, "{}"));
	{
		g_autoptr (MvtResponse) r = parsed_note (
			&a, pid, "Crushing chest pain since this morning, short of breath.");
		JsonArray *flags;
		JsonObject *triage;
		cr_assert_eq (r->status, 201, "%s", r->body);
		flags = json_node_get_array (mvt_member (r, "red_flags"));
		cr_assert_gt (json_array_get_length (flags), 0, "%s", r->body);
		cr_expect_str_eq (json_object_get_string_member (
					  json_array_get_object_element (flags, 0), "level"),
				  "emergency", "%s", r->body);
		triage = json_node_get_object (mvt_member (r, "triage"));
		cr_expect_str_eq (json_object_get_string_member (triage, "status"), "plan-updated",
				  "%s", r->body);
		cr_expect_eq (json_object_get_int_member (triage, "plan_version"), 2);
		cr_expect (json_object_has_member (triage, "message_zh"));
	}
	{
		/* the patient's day shows the urgent instruction now, with no task */
		g_autoptr (MvtResponse) r = plans_call ("GET", "/v1/me/today", token, NULL);
		JsonArray *flags;
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_expect_str_eq (mvt_str (r, "status"), "suppressed", "%s", r->body);
		flags = json_node_get_array (mvt_member (r, "red_flags"));
		cr_assert_gt (json_array_get_length (flags), 0, "%s", r->body);
		cr_expect (json_object_has_member (json_array_get_object_element (flags, 0),
						   "instruction"));
		cr_expect_eq (json_array_get_length (json_node_get_array (mvt_member (r, "tasks"))),
			      0);
	}
	{
		/* a task of the suppressed plan earns nothing */
		g_autofree gchar *b = g_strdup_printf (
			"{\"id\":\"t-1\",\"metric\":\"task\",\"task_id\":\"aerobic\",\"at\":\"%sT"
			"09:00:00Z\"}",
			d1);
		g_autoptr (MvtResponse) r = checkin (token, b);
		mvt_assert_error (r, 422, "invalid-input");
		cr_expect (strstr (r->body, "plan-suppressed") != NULL, "%s", r->body);
	}
	{
		/* only a negated chest pain: nothing raised, the plan stays */
		g_autoptr (MvtResponse) r = parsed_note (&a, negated, "No chest pain, feels well.");
		g_autoptr (MvtResponse) p = NULL;
		cr_assert_eq (r->status, 201, "%s", r->body);
		cr_expect_eq (
			json_array_get_length (json_node_get_array (mvt_member (r, "red_flags"))),
			0, "%s", r->body);
		p = plans_call ("GET", neg_path, a.clinician, NULL);
		cr_expect_eq (json_node_get_int (mvt_member (p, "version")), 1, "%s", p->body);
		cr_expect_str_eq (mvt_str (p, "status"), "active");
	}
	{
		/* no plan yet: the note lists the flags, no plan is made */
		g_autoptr (MvtResponse) r
			= parsed_note (&a, planless, "Sudden chest pain and sweating.");
		g_autoptr (MvtResponse) p = NULL;
		cr_assert_eq (r->status, 201, "%s", r->body);
		cr_expect_gt (
			json_array_get_length (json_node_get_array (mvt_member (r, "red_flags"))),
			0, "%s", r->body);
		cr_expect_str_eq (
			json_object_get_string_member (
				json_node_get_object (mvt_member (r, "triage")), "status"),
			"no-plan");
		p = plans_call ("GET", planless_path, a.clinician, NULL);
		cr_expect_eq (p->status, 404, "%s", p->body);
	}
	{
		/* a suppressed plan whose week is over waits for the clinician: no re-plan */
		g_autofree gchar *d9 = day (9);
		g_autofree gchar *b = g_strdup_printf ("{\"today\":\"%s\"}", d9);
		g_autoptr (MvtResponse) made = plans_call ("POST", planless_path, a.clinician, b);
		g_autoptr (MvtResponse) p = NULL;
		cr_assert_eq (made->status, 201, "%s", made->body);
		cr_expect_str_eq (mvt_str (made, "status"), "suppressed", "%s", made->body);
		p = plans_call ("GET", planless_path, a.clinician, NULL);
		cr_assert_eq (p->status, 200, "%s", p->body);
		cr_expect_eq (json_node_get_int (mvt_member (p, "version")), 1, "%s", p->body);
	}
}

int
main (int argc, char **argv)
{
	const gchar *plugins[]
		= { mvt_getenv ("MVT_PLAN_GENERATOR"), mvt_getenv ("MVT_SYMPTOM_PARSER"), NULL };
	g_autofree gchar *config
		= g_strdup_printf ("[plugin.plan-generator]\nrules-dir=%s\nred-flags=%s\n"
				   "[plugin.symptom-parser]\ndata-dir=%s\n",
				   mvt_getenv ("MVT_PLAN_RULES"), mvt_getenv ("MVT_PLAN_RED_FLAGS"),
				   mvt_getenv ("MVT_SYMPTOM_PARSER_DATA"));
	MvtOptions options = { .extra_plugins = plugins, .config = config };

	return mvt_main (argc, argv, &options);
}
