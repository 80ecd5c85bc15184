/* Adherence from check-ins (mv-plan-adherence.h): pure, with fixed dates; the week in
 * tests/data/adherence-dst.json crosses the end of daylight saving time in New York
 * (1 November 2026, a 25-hour day). */
#include "clinical-test.h"
#include "mv-plan-adherence.h"

TestSuite (plan_adherence, .init = mvt_clinical_setup, .fini = mvt_clinical_teardown);

static JsonObject *
load (const gchar *name)
{
	g_autofree gchar *path = g_build_filename (MV_PLAN_TEST_DATADIR, name, NULL);
	g_autofree gchar *text = NULL;

	cr_assert (g_file_get_contents (path, &text, NULL, NULL), "%s", path);
	return mvt_parse (text);
}

static JsonObject *
item_of (JsonArray *list, const gchar *id)
{
	for (guint i = 0; i < json_array_get_length (list); i++) {
		JsonObject *o = json_array_get_object_element (list, i);
		if (g_strcmp0 (json_object_get_string_member (o, "id"), id) == 0)
			return o;
	}
	cr_assert_fail ("no adherence for %s", id);
	return NULL;
}

static void
assert_counts (JsonArray *list, const gchar *id, gint64 planned, gint64 done)
{
	JsonObject *o = item_of (list, id);

	cr_assert_eq (json_object_get_int_member (o, "planned"), planned,
		      "%s planned %" G_GINT64_FORMAT, id,
		      json_object_get_int_member (o, "planned"));
	cr_assert_eq (json_object_get_int_member (o, "done"), done, "%s done %" G_GINT64_FORMAT, id,
		      json_object_get_int_member (o, "done"));
}

Test (plan_adherence, week_across_dst_counts_local_days)
{
	g_autoptr (JsonObject) data = load ("adherence-dst.json");
	JsonObject *plan = json_object_get_object_member (data, "plan");
	g_autoptr (JsonArray) a
		= mv_plan_adherence (plan, json_object_get_array_member (data, "observations"),
				     "America/New_York", "2026-10-29", "2026-11-04");

	cr_assert_eq (json_array_get_length (a), 4);
	/* Thursday 30 min; Sunday 15 + 20 min, the 20 at 23:30 EST (04:30 UTC on Monday);
	 * Tuesday only 10 min of the patient's (a clinician's 60 do not count) */
	assert_counts (a, "walk", 3, 2);
	/* 01:30 on the 25-hour Sunday, still daylight time */
	assert_counts (a, "home-bp", 1, 1);
	/* Friday twice counts once; Monday 23:30 EST is 04:30 UTC Tuesday; another task's and
	 * the day after the week do not count */
	assert_counts (a, "stretch", 3, 2);
	/* a task check-in; 7.5 h; 300 min = 5 h is short of 7 h; 480 min = 8 h */
	assert_counts (a, "sleep-routine", 7, 3);
}

Test (plan_adherence, the_zone_dates_the_check_ins)
{
	g_autoptr (JsonObject) data = load ("adherence-dst.json");
	g_autoptr (JsonArray) a
		= mv_plan_adherence (json_object_get_object_member (data, "plan"),
				     json_object_get_array_member (data, "observations"), "UTC",
				     "2026-10-29", "2026-11-04");

	/* in UTC the 30 min fall on Friday and Sunday's minutes are split over two days */
	assert_counts (a, "walk", 3, 1);
}

Test (plan_adherence, done_never_exceeds_planned)
{
	g_autoptr (JsonObject) plan = mvt_parse (
		"{\"week_start\": \"2026-11-30\", \"tasks\": [{\"id\": \"t\", \"days\": "
		"[\"mon\"], \"metric\": \"task\"}, {\"id\": \"none\", \"days\": []}]}");
	g_autoptr (JsonArray) obs = json_array_new ();
	g_autoptr (JsonArray) a = NULL;

	for (guint d = 0; d < 5; d++) {
		g_autofree gchar *text = g_strdup_printf (
			"{\"code\": {\"system\": \"urn:medverse:codesystem:observation\", "
			"\"code\": \"plan-task\"}, \"value\": 1, \"method\": \"plan-task:t\", "
			"\"effective_at\": \"2026-12-0%uT10:00:00Z\", \"source\": \"patient\"}",
			d + 1);
		json_array_add_object_element (obs, mvt_parse (text));
	}
	a = mv_plan_adherence (plan, obs, "no/such-zone", "2026-11-30", "2026-12-06");
	assert_counts (a, "t", 1, 1);
	assert_counts (a, "none", 0, 0);
}

Test (plan_adherence, week_and_window)
{
	g_autoptr (JsonObject) plan = mvt_parse ("{\"week_start\": \"2026-11-30\"}");
	g_autoptr (JsonObject) bad = mvt_parse ("{\"week_start\": \"2026-02-30\"}");
	g_autofree gchar *from = NULL, *to = NULL;

	cr_assert (!mv_plan_week_over (plan, "2026-12-06"));
	cr_assert (mv_plan_week_over (plan, "2026-12-07"));
	cr_assert (mv_plan_week_over (plan, "2027-01-20"));
	cr_assert (!mv_plan_week_over (bad, "2027-01-20"));
	/* the day the plan starts: nothing has passed */
	cr_assert (!mv_plan_adherence_window (plan, "2026-11-30", &from, &to));
	cr_assert (mv_plan_adherence_window (plan, "2026-12-03", &from, &to));
	cr_assert_str_eq (from, "2026-11-30");
	cr_assert_str_eq (to, "2026-12-02");
	g_clear_pointer (&from, g_free);
	g_clear_pointer (&to, g_free);
	/* weeks later: the plan's own week */
	cr_assert (mv_plan_adherence_window (plan, "2027-01-20", &from, &to));
	cr_assert_str_eq (from, "2026-11-30");
	cr_assert_str_eq (to, "2026-12-06");
}

Test (plan_adherence, a_measurement_naming_the_task_counts_for_it)
{
	g_autoptr (JsonObject) plan = mvt_parse (
		"{\"week_start\": \"2026-11-30\", \"tasks\": [{\"id\": \"weigh-in\", \"days\": "
		"[\"mon\", \"thu\"], \"metric\": \"task\"}]}");
	g_autoptr (JsonArray) obs = json_array_new ();
	g_autoptr (JsonArray) a = NULL;

	json_array_add_object_element (
		obs, mvt_parse ("{\"code\": {\"system\": \"http://loinc.org\", \"code\": "
				"\"29463-7\"}, \"value\": 80, \"unit\": \"kg\", \"method\": "
				"\"plan-task:weigh-in\", \"effective_at\": "
				"\"2026-11-30T08:00:00+08:00\", \"source\": \"patient\"}"));
	/* the same reading without the task's id: a weight, not the task */
	json_array_add_object_element (
		obs, mvt_parse ("{\"code\": {\"system\": \"http://loinc.org\", \"code\": "
				"\"29463-7\"}, \"value\": 80, \"unit\": \"kg\", "
				"\"effective_at\": \"2026-12-03T08:00:00+08:00\", \"source\": "
				"\"patient\"}"));
	a = mv_plan_adherence (plan, obs, "Asia/Shanghai", "2026-11-30", "2026-12-06");
	assert_counts (a, "weigh-in", 2, 1);
}
