/* The plan-generator's context from a snapshot of the record (mv-plan-context.h) and the plan
 * kind (mv-plan-kind.c): pure, the snapshot and the plan in tests/data. */
#include <string.h>

#include "clinical-test.h"
#include "mv-plan-context.h"
#include "mv-plan.h"

TestSuite (plan, .init = mvt_clinical_setup, .fini = mvt_clinical_teardown);

static JsonObject *
load (const gchar *name)
{
	g_autofree gchar *path = g_build_filename (MV_PLAN_TEST_DATADIR, name, NULL);
	g_autofree gchar *text = NULL;

	cr_assert (g_file_get_contents (path, &text, NULL, NULL), "%s", path);
	return mvt_parse (text);
}

/* 2026-12-05T20:00:00Z: already 6 December in Shanghai */
static GDateTime *
evening_utc (void)
{
	return g_date_time_new_utc (2026, 12, 5, 20, 0, 0);
}

static MvPlanContext *
assemble (JsonObject *snapshot, JsonObject *supplied, JsonObject *previous)
{
	g_autoptr (GDateTime) now = evening_utc ();
	MvPlanRecord record = {
		.snapshot = snapshot,
		.patient_id = "p-1",
		.now = now,
		.caller_language = "en",
		.supplied = supplied,
		.previous_supplied = previous,
	};
	return mv_plan_context_assemble (&record);
}

static JsonArray *
list (JsonObject *o, const gchar *member)
{
	cr_assert (json_object_has_member (o, member), "no %s", member);
	return json_object_get_array_member (o, member);
}

static JsonObject *
item (JsonObject *o, const gchar *member, guint i)
{
	JsonArray *a = list (o, member);
	cr_assert_lt (i, json_array_get_length (a), "%s has %u", member, json_array_get_length (a));
	return json_array_get_object_element (a, i);
}

/* whether context_used.sources names @kind @id at @version */
static gboolean
has_source (JsonObject *used, const gchar *kind, const gchar *id, gint64 version)
{
	JsonArray *sources = list (used, "sources");

	for (guint i = 0; i < json_array_get_length (sources); i++) {
		JsonObject *s = json_array_get_object_element (sources, i);
		if (g_str_equal (json_object_get_string_member (s, "kind"), kind)
		    && g_str_equal (json_object_get_string_member (s, "id"), id)
		    && json_object_get_int_member (s, "version") == version)
			return TRUE;
	}
	return FALSE;
}

Test (plan, the_context_from_the_record)
{
	g_autoptr (JsonObject) snapshot = load ("snapshot.json");
	g_autoptr (MvPlanContext) c = assemble (snapshot, NULL, NULL);
	JsonObject *ctx = c->context;
	g_autofree gchar *json = mvt_to_json (ctx);
	JsonObject *m;

	/* today in the profile's time zone, not UTC's */
	cr_expect_str_eq (json_object_get_string_member (ctx, "today"), "2026-12-06");
	cr_expect_str_eq (json_object_get_string_member (c->used, "time_zone"), "Asia/Shanghai");
	/* the profile's language wins over the caller's */
	cr_expect_str_eq (json_object_get_string_member (ctx, "language"), "zh");
	/* 55 years and 174 of 365 days since the birthday */
	cr_expect_float_eq (json_object_get_double_member (ctx, "age_years"), 55 + 174.0 / 365,
			    1e-3, "%s", json);
	cr_expect_str_eq (json_object_get_string_member (ctx, "sex"), "female");
	/* Z33.1, active */
	cr_expect (json_object_get_boolean_member (ctx, "pregnant"));
	/* the patient's own, not refuted: I10, Z33.1 and the resolved DOID */
	cr_assert_eq (json_array_get_length (list (ctx, "conditions")), 3, "%s", json);
	cr_expect_str_eq (json_object_get_string_member (item (ctx, "conditions", 0), "code"),
			  "ICD10:I10");
	cr_expect_str_eq (json_object_get_string_member (item (ctx, "conditions", 2), "code"),
			  "DOID:10763");
	cr_expect_str_eq (json_object_get_string_member (item (ctx, "conditions", 2), "status"),
			  "resolved");
	/* coded medications the patient takes or took, with the context's statuses */
	cr_assert_eq (json_array_get_length (list (ctx, "medications")), 3, "%s", json);
	cr_expect_str_eq (json_object_get_string_member (item (ctx, "medications", 0), "code"),
			  "ATC:C09CA03");
	cr_expect_str_eq (json_object_get_string_member (item (ctx, "medications", 0), "status"),
			  "active");
	cr_expect_str_eq (json_object_get_string_member (item (ctx, "medications", 1), "status"),
			  "resolved");
	cr_expect_str_eq (json_object_get_string_member (item (ctx, "medications", 2), "code"),
			  "ATC:B01AC06");
	cr_expect_str_eq (json_object_get_string_member (item (ctx, "medications", 2), "status"),
			  "unknown");
	/* the latest of each code within a year: mood, active minutes, steps, the newer panel's
	 * components, weight; not the older panel, not the 2024 glucose */
	cr_assert_eq (json_array_get_length (list (ctx, "measurements")), 6, "%s", json);
	cr_expect_str_eq (json_object_get_string_member (item (ctx, "measurements", 0), "code"),
			  "mood");
	m = item (ctx, "measurements", 3);
	cr_expect_str_eq (json_object_get_string_member (m, "code"), "LOINC:8480-6");
	cr_expect_float_eq (json_object_get_double_member (m, "value"), 148, 1e-9);
	cr_expect_str_eq (json_object_get_string_member (m, "unit"), "mm[Hg]");
	cr_expect_str_eq (json_object_get_string_member (m, "date"), "2026-12-01");
	cr_expect (strstr (json, "2339-0") == NULL, "%s", json);
	cr_expect_str_eq (json_object_get_string_member (ctx, "smoking"), "former");
	/* the newest risk of each model */
	cr_assert_eq (json_array_get_length (list (ctx, "risks")), 1);
	cr_expect_float_eq (json_object_get_double_member (item (ctx, "risks", 0), "probability"),
			    0.31, 1e-9);
	cr_expect_str_eq (json_object_get_string_member (item (ctx, "risks", 0), "category"),
			  "high");
	/* the recent note's findings with its local date, without the mention's text */
	cr_assert_eq (json_array_get_length (list (ctx, "findings")), 2, "%s", json);
	cr_expect_str_eq (json_object_get_string_member (item (ctx, "findings", 0), "date"),
			  "2026-12-05");
	cr_expect_str_eq (json_object_get_string_member (item (ctx, "findings", 1), "polarity"),
			  "absent");
	cr_expect_not (json_object_has_member (item (ctx, "findings", 0), "text"));
	cr_expect_not (json_object_has_member (item (ctx, "findings", 0), "start"));
	/* what the patient recorded lately, as the engagement module's metrics */
	cr_assert_eq (json_array_get_length (list (ctx, "checkins")), 3, "%s", json);
	cr_expect_str_eq (json_object_get_string_member (item (ctx, "checkins", 0), "metric"),
			  "mood");
	cr_expect_str_eq (json_object_get_string_member (item (ctx, "checkins", 1), "metric"),
			  "active_minutes");
	cr_expect_float_eq (json_object_get_double_member (item (ctx, "checkins", 1), "value"), 25,
			    1e-9);
	cr_expect_str_eq (json_object_get_string_member (item (ctx, "checkins", 2), "metric"),
			  "steps");
	cr_expect_str_eq (json_object_get_string_member (item (ctx, "checkins", 2), "date"),
			  "2026-12-05");
	/* and where it came from */
	cr_expect (has_source (c->used, "profile", "p-1", 3));
	cr_expect (has_source (c->used, "condition", "c-htn", 2));
	cr_expect (has_source (c->used, "observation", "o-bp-new", 1));
	cr_expect (has_source (c->used, "observation", "o-smoke", 2));
	cr_expect (has_source (c->used, "risk-assessment", "r-new", 1));
	cr_expect (has_source (c->used, "note", "n-recent", 1));
	cr_expect_not (has_source (c->used, "observation", "o-bp-old", 1));
	cr_expect_not (has_source (c->used, "condition", "c-fam", 1));
	cr_expect_not (has_source (c->used, "note", "n-old", 1));
	cr_expect_not (json_object_has_member (ctx, "minutes_per_day"));
}

Test (plan, supplied_values_win_and_are_carried_over_but_not_the_date)
{
	g_autoptr (JsonObject) snapshot = load ("snapshot.json");
	g_autoptr (JsonObject) supplied = mvt_parse (
		"{\"pregnant\":false,\"minutes_per_day\":20,\"today\":\"2027-01-04\"}");
	g_autoptr (JsonObject) previous
		= mvt_parse ("{\"mobility\":\"limited\",\"minutes_per_day\":45,"
			     "\"today\":\"2020-01-01\"}");
	g_autoptr (MvPlanContext) c = assemble (snapshot, supplied, previous);
	JsonObject *used = json_object_get_object_member (c->used, "supplied");

	cr_expect_not (json_object_get_boolean_member (c->context, "pregnant"));
	cr_expect_eq (json_object_get_int_member (c->context, "minutes_per_day"), 20);
	cr_expect_str_eq (json_object_get_string_member (c->context, "mobility"), "limited");
	cr_expect_str_eq (json_object_get_string_member (c->context, "today"), "2027-01-04");
	cr_expect_str_eq (json_object_get_string_member (c->used, "today"), "2027-01-04");
	cr_expect_eq (json_object_get_size (used), 4);
	cr_expect_str_eq (json_object_get_string_member (used, "today"), "2027-01-04");
	/* ages count from the date planned for: 55 and 203 days */
	cr_expect_float_eq (json_object_get_double_member (c->context, "age_years"),
			    55 + 203.0 / 365, 1e-3);
}

Test (plan, no_time_zone_is_utc_and_no_language_is_the_caller_s)
{
	g_autoptr (JsonObject) snapshot = mvt_parse (
		"{\"profile\":{\"birth_date\":\"2026-10-06\",\"sex_at_birth\":\"intersex\","
		"\"preferences\":{\"time_zone\":\"Mars/Olympus\"}},\"profile_version\":1}");
	g_autoptr (MvPlanContext) c = assemble (snapshot, NULL, NULL);

	cr_expect_str_eq (json_object_get_string_member (c->context, "today"), "2026-12-05");
	cr_expect_str_eq (json_object_get_string_member (c->used, "time_zone"), "UTC");
	cr_expect_str_eq (json_object_get_string_member (c->context, "language"), "en");
	cr_expect_str_eq (json_object_get_string_member (c->context, "sex"), "other");
	/* an infant of 60 days: the weeks count (a fever rule needs < 3 months) */
	cr_expect_float_eq (json_object_get_double_member (c->context, "age_years"), 60.0 / 365,
			    1e-3);
	cr_expect_eq (json_array_get_length (json_object_get_array_member (c->context, "findings")),
		      0);
}

Test (plan, the_context_as_the_plugin_s_typed_dictionary)
{
	g_autoptr (JsonObject) snapshot = load ("snapshot.json");
	g_autoptr (JsonObject) supplied = mvt_parse ("{\"minutes_per_day\":20,\"pregnant\":true}");
	g_autoptr (MvPlanContext) c = assemble (snapshot, supplied, NULL);
	g_autoptr (GVariant) v = g_variant_ref_sink (mv_plan_json_to_vardict (c->context));
	g_autoptr (GVariant) conditions = NULL, first = NULL, measurements = NULL, m = NULL;
	guint32 minutes = 0;
	gdouble age = 0, value = 0;
	gboolean pregnant = FALSE;
	const gchar *code = NULL;

	cr_assert (g_variant_lookup (v, "minutes_per_day", "u", &minutes));
	cr_expect_eq (minutes, 20);
	cr_assert (g_variant_lookup (v, "age_years", "d", &age));
	cr_assert (g_variant_lookup (v, "pregnant", "b", &pregnant));
	cr_expect (pregnant);
	conditions = g_variant_lookup_value (v, "conditions", G_VARIANT_TYPE ("aa{sv}"));
	cr_assert_not_null (conditions);
	first = g_variant_get_child_value (conditions, 0);
	cr_assert (g_variant_lookup (first, "code", "&s", &code));
	cr_expect_str_eq (code, "ICD10:I10");
	measurements = g_variant_lookup_value (v, "measurements", G_VARIANT_TYPE ("aa{sv}"));
	cr_assert_not_null (measurements);
	/* integers of the record (4200 steps) are numbers: d */
	m = g_variant_get_child_value (measurements, 2);
	cr_assert (g_variant_lookup (m, "value", "d", &value));
	cr_expect_float_eq (value, 4200, 1e-9);
}

Test (plan, empty_lists_keep_their_declared_types)
{
	g_autoptr (JsonObject) o
		= mvt_parse ("{\"conditions\":[],\"findings\":[],\"tasks\":[{\"days\":[]}],"
			     "\"red_flags\":[{\"findings\":[]}],\"minutes\":0}");
	g_autoptr (GVariant) v = g_variant_ref_sink (mv_plan_json_to_vardict (o));
	g_autofree gchar *text = g_variant_print (v, TRUE);

	/* the context's findings are objects, a red flag's are codes */
	cr_expect (strstr (text, "'conditions': <@aa{sv} []>") != NULL, "%s", text);
	cr_expect (strstr (text, "'findings': <@aa{sv} []>") != NULL, "%s", text);
	cr_expect (strstr (text, "'days': <@as []>") != NULL, "%s", text);
	cr_expect (strstr (text, "'findings': <@as []>") != NULL, "%s", text);
	cr_expect (strstr (text, "'minutes': <uint32 0>") != NULL, "%s", text);
}

/* A parsed note's findings carry "xrefs" (a list of codes): they reach the plugin as strings,
 * or the plugin refuses the whole context and no plan can be made after a parsed note. */
Test (plan, a_findings_xrefs_are_strings)
{
	g_autoptr (JsonObject) o
		= mvt_parse ("{\"findings\":[{\"code\":\"HP:0100749\",\"xrefs\":[\"SYMP:0000576\"],"
			     "\"polarity\":\"present\"},{\"code\":\"HP:0002094\",\"xrefs\":[],"
			     "\"later\":[\"a\",\"b\"]}]}");
	g_autoptr (GVariant) v = g_variant_ref_sink (mv_plan_json_to_vardict (o));
	g_autofree gchar *text = g_variant_print (v, TRUE);

	cr_expect (strstr (text, "'xrefs': <['SYMP:0000576']>") != NULL, "%s", text);
	cr_expect (strstr (text, "'xrefs': <@as []>") != NULL, "%s", text);
	cr_expect (strstr (text, "'later': <['a', 'b']>") != NULL, "%s", text);
}

/* ---- the kind ------------------------------------------------------------------------------ */

Test (plan, a_plugin_plan_becomes_a_record_and_back)
{
	g_autoptr (JsonObject) plan = mvt_parse (
		"{\"status\":\"active\",\"red_flags\":[],\"goals\":[{\"id\":\"g\",\"metric\":"
		"\"weight\",\"direction\":\"below\",\"target\":-7,\"unit\":\"%\",\"relative\":true,"
		"\"title\":\"Lose 7 %\"}],\"tasks\":[{\"id\":\"t\","
		"\"category\":\"sleep\",\"title\":\"Sleep 7 hours\",\"days\":[\"mon\"],"
		"\"minutes\":20,\"minutes_start\":20.0,\"minutes_step\":5.0,\"minutes_ceiling\":60."
		"0,"
		"\"later_member\":1}],\"language\":\"en\",\"generated_on\":\"2027-03-01\","
		"\"week_start\":\"2027-03-01\",\"rules_version\":\"r1\",\"version\":3,"
		"\"plugin_extra\":true}");
	g_autoptr (JsonObject) rec = mv_plan_record_from_plugin (plan);
	g_autoptr (JsonObject) back = NULL;
	g_autoptr (JsonObject) stored = NULL;
	JsonObject *used = mvt_parse ("{\"today\":\"2027-03-01\",\"language\":\"en\","
				      "\"time_zone\":\"UTC\",\"sources\":[],\"supplied\":{}}");

	/* members the spec does not name are left out; the plan's version is plan_version */
	cr_expect_not (json_object_has_member (rec, "plugin_extra"));
	cr_expect_not (json_object_has_member (rec, "version"));
	cr_expect_eq (json_object_get_int_member (rec, "plan_version"), 3);
	cr_expect_not (json_object_has_member (
		json_array_get_object_element (json_object_get_array_member (rec, "tasks"), 0),
		"later_member"));
	json_object_set_object_member (rec, "context_used", used);
	json_object_set_string_member (rec, "generated_at", "2026-12-05T11:00:00Z");
	{
		/* future dates are a plan's business: due dates, week starts */
		g_autofree gchar *json = mvt_to_json (rec);
		stored = mvt_normalise_ok (&mv_plan_kind, json);
	}
	mvt_expect_round_trip (&mv_plan_kind, stored);
	back = mv_plan_record_to_plugin (stored);
	cr_expect_eq (json_object_get_int_member (back, "version"), 3);
	/* what Replan reads back: the levels of a task, a goal's direction */
	{
		JsonObject *t = json_array_get_object_element (
			json_object_get_array_member (back, "tasks"), 0);
		JsonObject *g = json_array_get_object_element (
			json_object_get_array_member (back, "goals"), 0);
		cr_expect_float_eq (json_object_get_double_member (t, "minutes_start"), 20, 1e-9);
		cr_expect_float_eq (json_object_get_double_member (t, "minutes_ceiling"), 60, 1e-9);
		cr_expect_str_eq (json_object_get_string_member (g, "direction"), "below");
		cr_expect (json_object_get_boolean_member (g, "relative"));
	}
	cr_expect_not (json_object_has_member (back, "context_used"));
}

Test (plan, the_kind_refuses_a_plan_that_breaks_the_spec)
{
	g_autoptr (GError) e = mvt_normalise_refused (
		&mv_plan_kind,
		"{\"status\":\"suppressed\",\"red_flags\":[],\"tasks\":[{\"id\":\"a\",\"category\":"
		"\"activity\",\"title\":\"x\",\"days\":[\"mon\",\"funday\",\"mon\"],\"minutes\":0},"
		"{\"id\":\"a\",\"category\":\"dancing\",\"title\":\"y\",\"days\":[\"tue\"]}],"
		"\"language\":\"fr\",\"generated_on\":\"2026-02-30\",\"week_start\":\"2026-12-07\","
		"\"rules_version\":\"r\",\"plan_version\":0,\"generated_at\":\"2026-12-05T11:00:"
		"00Z\","
		"\"context_used\":{\"today\":\"2026-12-07\",\"language\":\"en\",\"time_zone\":"
		"\"UTC\"}}");

	mvt_expect_problem (e, "/tasks/0/days/1", "not-allowed", NULL);
	mvt_expect_problem (e, "/tasks/0/days/2", "duplicate", NULL);
	mvt_expect_problem (e, "/tasks/0/minutes", "out-of-range", NULL);
	mvt_expect_problem (e, "/tasks/1/category", "not-allowed", NULL);
	mvt_expect_problem (e, "/tasks/1/id", "duplicate", NULL);
	mvt_expect_problem (e, "/tasks", "not-allowed", "suppressed");
	mvt_expect_problem (e, "/red_flags", "required", NULL);
	mvt_expect_problem (e, "/language", "not-allowed", NULL);
	mvt_expect_problem (e, "/generated_on", "invalid-format", NULL);
	mvt_expect_problem (e, "/plan_version", "out-of-range", NULL);
}

Test (plan, the_kind_s_rules_survive_items_of_the_wrong_type)
{
	g_autoptr (GError) e = mvt_normalise_refused (
		&mv_plan_kind,
		"{\"status\":\"active\",\"red_flags\":[\"x\"],\"tasks\":[7,{\"id\":\"b\","
		"\"category\":\"diet\",\"title\":\"t\",\"days\":[3,{}]}],\"goals\":[[]]}");

	mvt_expect_problem (e, "/tasks/0", "wrong-type", NULL);
	mvt_expect_problem (e, "/tasks/1/days/0", "wrong-type", NULL);
	mvt_expect_problem (e, "/red_flags/0", "wrong-type", NULL);
	mvt_expect_problem (e, "/goals/0", "wrong-type", NULL);
}

Test (plan, replan_s_previous_plan_always_has_goals_and_tasks)
{
	g_autoptr (JsonObject) record
		= mvt_parse ("{\"status\":\"suppressed\",\"red_flags\":[],\"plan_version\":2}");
	g_autoptr (JsonObject) back = mv_plan_record_to_plugin (record);

	cr_expect_eq (json_array_get_length (json_object_get_array_member (back, "goals")), 0);
	cr_expect_eq (json_array_get_length (json_object_get_array_member (back, "tasks")), 0);
	cr_expect_eq (json_object_get_int_member (back, "version"), 2);
	cr_expect_not (json_object_has_member (back, "plan_version"));
}
