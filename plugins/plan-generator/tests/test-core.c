/*
 * plan-generator core: the shipped rules load and cite their sources; broken rule files are
 * refused with file:line while the others load; the must-show patients of issue 13
 * (tests/patients/) get the right targets, nothing contraindicated, red flags first and
 * their language; bad contexts list every problem; Replan steps within the safe limits.
 */
#include <criterion/criterion.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "pg-plan.h"
#include "test-lib.h"

static PgRuleSet *rules;

static void
setup (void)
{
	g_autoptr (GError) error = NULL;

	rules = pg_rule_set_load (g_getenv ("PG_RULES_DIR"), g_getenv ("PG_RED_FLAGS"), &error);
	cr_assert_not_null (rules, "%s", error != NULL ? error->message : "");
}

static void
teardown (void)
{
	g_clear_pointer (&rules, pg_rule_set_free);
}

TestSuite (core, .init = setup, .fini = teardown);

static PgContext *
context_from (GVariant *dict)
{
	g_autoptr (GPtrArray) problems = pg_problems_new ();
	PgContext *ctx = pg_context_read (dict, "/context", problems);

	for (guint i = 0; i < problems->len; i++) {
		const PgProblem *p = g_ptr_array_index (problems, i);
		cr_log_error ("%s: %s", p->field, p->message);
	}
	cr_assert_not_null (ctx, "the context was refused");
	return ctx;
}

static GVariant *
plan_for (const gchar *patient)
{
	g_autofree gchar *rel = g_strdup_printf ("patients/%s.json", patient);
	g_autoptr (GVariant) dict = pgt_load_dict (rel);
	g_autoptr (PgContext) ctx = context_from (dict);

	return g_variant_ref_sink (pg_plan_generate (rules, ctx));
}

/* every goal, task and follow-up names its rule and its source */
static void
assert_cited (GVariant *plan)
{
	const gchar *const lists[] = { "goals", "tasks", "follow_ups", NULL };

	for (guint l = 0; lists[l] != NULL; l++) {
		g_autoptr (GPtrArray) items = pgt_items (plan, lists[l]);
		for (guint i = 0; i < items->len; i++) {
			GVariant *item = g_ptr_array_index (items, i);
			cr_assert (pgt_str (item, "rule") != NULL
					   && pgt_str (item, "rule")[0] != '\0',
				   "%s/%u has no rule", lists[l], i);
			cr_assert (pgt_str (item, "source") != NULL
					   && strstr (pgt_str (item, "source"), ". ") != NULL,
				   "%s/%u has no source", lists[l], i);
		}
	}
}

/* no task harder than the limits allow: vigorous only when no limit says otherwise */
static void
assert_no_vigorous (GVariant *plan)
{
	g_autoptr (GPtrArray) tasks = pgt_items (plan, "tasks");

	for (guint i = 0; i < tasks->len; i++) {
		GVariant *t = g_ptr_array_index (tasks, i);
		cr_assert_str_neq (pgt_str (t, "intensity") ? pgt_str (t, "intensity") : "",
				   "vigorous", "task %s is vigorous", pgt_str (t, "id"));
	}
}

static void
assert_texts (GVariant *plan, gboolean zh)
{
	const struct {
		const gchar *list;
		const gchar *member;
	} texts[]
		= { { "goals", "title" },	   { "tasks", "title" },   { "tasks", "detail" },
		    { "follow_ups", "reason" },	   { "limits", "reason" }, { "red_flags", "title" },
		    { "red_flags", "instruction" } };
	guint checked = 0;

	for (guint k = 0; k < G_N_ELEMENTS (texts); k++) {
		g_autoptr (GPtrArray) items = pgt_items (plan, texts[k].list);
		for (guint i = 0; i < items->len; i++) {
			const gchar *s = pgt_str (g_ptr_array_index (items, i), texts[k].member);
			cr_assert_not_null (s);
			if (zh)
				cr_assert (!pgt_has_latin (s) && pgt_has_cjk (s),
					   "%s/%u/%s is not Chinese: %s", texts[k].list, i,
					   texts[k].member, s);
			else
				cr_assert (!pgt_has_cjk (s), "%s/%u/%s is not English: %s",
					   texts[k].list, i, texts[k].member, s);
			checked++;
		}
	}
	cr_assert_gt (checked, 1);
}

Test (core, shipped_rules_load_and_cite_sources)
{
	cr_assert_eq (rules->refused->len, 0, "refused: %s",
		      rules->refused->len ? (gchar *)g_ptr_array_index (rules->refused, 0) : "");
	cr_assert_geq (rules->rules->len, 20);
	cr_assert_geq (rules->red_flags->len, 12);
	cr_assert_eq (strlen (rules->version), 16);
	for (guint i = 0; i < rules->rules->len; i++) {
		const PgRule *r = g_ptr_array_index (rules->rules, i);
		cr_assert (r->source.org != NULL && r->source.year >= 2000, "%s", r->id);
		cr_assert (r->title.zh != NULL && pgt_has_cjk (r->title.zh), "%s", r->id);
	}
	for (guint i = 0; i < rules->red_flags->len; i++) {
		const PgRedFlag *f = g_ptr_array_index (rules->red_flags, i);
		cr_assert (f->source.url != NULL && f->reviewed_by != NULL
				   && f->reviewed_on != NULL,
			   "%s", f->id);
	}
}

Test (core, broken_rule_files_are_refused_with_file_and_line_others_load)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *dir
		= g_build_filename (g_getenv ("PG_TEST_DIR"), "data", "broken-rules", NULL);
	g_autoptr (PgRuleSet) set = pg_rule_set_load (dir, g_getenv ("PG_RED_FLAGS"), &error);
	const gchar *const expected[] = {
		"bad-predicate.json:9: /rules/0/when/all/1: unknown predicate \"agee\"",
		"missing-source.json:3: /rules/0: missing member \"source\"",
		"unknown-field.json:10: /rules/0/tasks/0/minutes: unknown member \"ceilng\"",
		"syntax-error.json:4:",
	};
	g_autofree gchar *all = NULL;

	cr_assert_not_null (set, "%s", error != NULL ? error->message : "");
	cr_assert_eq (set->rules->len, 1);
	cr_assert_str_eq (((PgRule *)g_ptr_array_index (set->rules, 0))->id, "good-sleep");
	cr_assert_eq (set->refused->len, 4);
	g_ptr_array_add (set->refused, NULL);
	all = g_strjoinv ("\n", (gchar **)set->refused->pdata);
	g_ptr_array_remove_index (set->refused, set->refused->len - 1);
	for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
		cr_assert (strstr (all, expected[i]) != NULL, "missing \"%s\" in:\n%s", expected[i],
			   all);
}

Test (core, red_flag_list_refused_means_no_plugin)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *bad = g_build_filename (g_getenv ("PG_TEST_DIR"), "data", "broken-rules",
						  "syntax-error.json", NULL);
	g_autoptr (PgRuleSet) set = pg_rule_set_load (g_getenv ("PG_RULES_DIR"), bad, &error);

	cr_assert_null (set);
	cr_assert (strstr (error->message, "syntax-error.json:") != NULL, "%s", error->message);
}

Test (core, sedentary_55_with_high_diabetes_risk)
{
	g_autoptr (GVariant) plan = plan_for ("sedentary-55-diabetes-risk");
	g_autoptr (GVariant) activity = pgt_find (plan, "goals", "id", "activity-weekly");
	g_autoptr (GVariant) weight = pgt_find (plan, "goals", "id", "weight");
	g_autoptr (GVariant) bmi = pgt_find (plan, "goals", "id", "bmi");
	g_autoptr (GVariant) aerobic = pgt_find (plan, "tasks", "id", "aerobic");
	g_autoptr (GVariant) yearly = pgt_find (plan, "follow_ups", "rule", "dm-prevention");

	cr_assert_str_eq (pgt_str (plan, "status"), "active");
	cr_assert_eq (pgt_num (plan, "version"), 1);
	cr_assert_not_null (activity);
	cr_assert_eq (pgt_num (activity, "target"), 150);
	cr_assert_str_eq (pgt_str (activity, "unit"), "min/wk");
	cr_assert_str_eq (pgt_str (activity, "rule"), "pa-adult");
	/* last week's check-ins (10 + 15 min; the one of 23 November is older) */
	cr_assert_eq (pgt_num (activity, "baseline"), 25);
	cr_assert_not_null (bmi);
	cr_assert_str_eq (pgt_str (bmi, "rule"), "bmi-who");
	cr_assert_float_eq (pgt_num (bmi, "baseline"), 31.0, 1e-9); /* 95 kg, 1.75 m */
	/* ADA: 7 % of 95 kg */
	cr_assert_not_null (weight);
	cr_assert_float_eq (pgt_num (weight, "target"), 88.4, 1e-9);
	cr_assert_eq (pgt_num (weight, "baseline"), 95);
	cr_assert_str_eq (pgt_str (weight, "due"), "2027-06-07");
	cr_assert_str_eq (pgt_str (weight, "rule"), "dm-prevention");
	cr_assert_not_null (aerobic);
	cr_assert_str_eq (pgt_str (aerobic, "intensity"), "moderate");
	cr_assert_eq (pgt_num (aerobic, "minutes"), 15);
	cr_assert_eq (pgt_num (aerobic, "minutes_ceiling"), 30);
	cr_assert_not_null (yearly);
	cr_assert_str_eq (pgt_str (yearly, "date"), "2027-12-07");
	cr_assert_str_eq (pgt_str (plan, "generated_on"), "2026-12-07");
	assert_cited (plan);
	assert_texts (plan, FALSE);
}

Test (core, pregnant_woman_gets_nothing_contraindicated)
{
	g_autoptr (GVariant) plan = plan_for ("pregnant");
	g_autoptr (GVariant) aerobic = pgt_find (plan, "tasks", "id", "aerobic");
	g_autoptr (GVariant) supine = pgt_find (plan, "limits", "metric", "supine_exercise");
	g_autoptr (GVariant) intensity = pgt_find (plan, "limits", "metric", "intensity");
	g_autoptr (GVariant) weight = pgt_find (plan, "goals", "id", "weight");
	g_autoptr (GVariant) quit = pgt_find (plan, "tasks", "id", "quit-support");
	g_autoptr (GVariant) safety = pgt_find (plan, "tasks", "id", "pregnancy-safety");

	cr_assert_str_eq (pgt_str (plan, "status"), "active");
	cr_assert_str_eq (pgt_str (aerobic, "rule"), "pa-pregnancy");
	cr_assert_eq (pgt_num (supine, "max"), 0);
	cr_assert_eq (pgt_num (intensity, "max"), 2);
	assert_no_vigorous (plan);
	cr_assert_not_null (safety);
	cr_assert (strstr (pgt_str (safety, "detail"), "lying flat on your back") != NULL);
	/* no weight-loss goal in pregnancy, even with prediabetes and a BMI of 27.5 */
	cr_assert_null (weight);
	/* stop-smoking counselling, no medicines without advice (USPSTF) */
	cr_assert_str_eq (pgt_str (quit, "rule"), "smoking-pregnancy");
	assert_cited (plan);
}

Test (core, eighty_year_old_with_limited_mobility)
{
	g_autoptr (GVariant) plan = plan_for ("older-80-limited-mobility");
	g_autoptr (GVariant) aerobic = pgt_find (plan, "tasks", "id", "aerobic");
	g_autoptr (GVariant) balance = pgt_find (plan, "tasks", "id", "balance-supported");
	g_autoptr (GVariant) unsupported = pgt_find (plan, "tasks", "id", "balance-strength");
	g_autoptr (GVariant) strength = pgt_find (plan, "tasks", "id", "strength");
	g_autoptr (GVariant) physio = pgt_find (plan, "follow_ups", "rule", "pa-limited-mobility");
	g_autoptr (GPtrArray) tasks = pgt_items (plan, "tasks");
	g_autoptr (GPtrArray) days = NULL;

	cr_assert_str_eq (pgt_str (aerobic, "rule"), "pa-limited-mobility");
	cr_assert (strstr (pgt_str (aerobic, "title"), "Chair exercises or a supported walk")
		   != NULL);
	/* balance only with support; strength 2 to 3 days a week */
	cr_assert_not_null (balance);
	cr_assert_null (unsupported);
	cr_assert (strstr (pgt_str (balance, "detail"), "hold a sturdy chair") != NULL);
	cr_assert_not_null (strength);
	assert_no_vigorous (plan);
	for (guint i = 0; i < tasks->len; i++) {
		GVariant *t = g_ptr_array_index (tasks, i);
		if (pgt_has (t, "minutes"))
			cr_assert_leq (pgt_num (t, "minutes_ceiling"), 20, "%s", pgt_str (t, "id"));
	}
	cr_assert_not_null (physio);
	cr_assert_str_eq (pgt_str (balance, "metric"), "task");
	cr_assert_str_eq (pgt_str (aerobic, "metric"), "active_minutes");
	assert_cited (plan);
}

static guint
n_days (GVariant *task)
{
	g_autofree const gchar **days = NULL;

	cr_assert (g_variant_lookup (task, "days", "^a&s", &days));
	return g_strv_length ((gchar **)days);
}

Test (core, teenager_sixty_minutes_a_day)
{
	g_autoptr (GVariant) plan = plan_for ("teenager");
	g_autoptr (GVariant) bones = pgt_find (plan, "tasks", "id", "vigorous-bones");
	g_autoptr (GVariant) daily = pgt_find (plan, "goals", "id", "activity-daily");
	g_autoptr (GVariant) task = pgt_find (plan, "tasks", "id", "aerobic-daily");
	g_autoptr (GVariant) adult = pgt_find (plan, "goals", "id", "activity-weekly");
	g_autoptr (GVariant) sleep = pgt_find (plan, "goals", "id", "sleep");

	cr_assert_eq (pgt_num (daily, "target"), 60);
	cr_assert_str_eq (pgt_str (daily, "unit"), "min/d");
	cr_assert_null (adult);
	cr_assert_eq (n_days (task), 7);
	cr_assert_eq (pgt_num (task, "minutes_ceiling"), 60);
	cr_assert_eq (pgt_num (sleep, "target"), 8);
	/* WHO: vigorous and muscle- and bone-strengthening activity 3 days a week */
	cr_assert_str_eq (pgt_str (bones, "intensity"), "vigorous");
	cr_assert_eq (n_days (bones), 3);
	assert_cited (plan);
}

Test (core, chinese_patient_with_hypertension)
{
	g_autoptr (GVariant) plan = plan_for ("zh-hypertension");
	g_autoptr (GVariant) sys = pgt_find (plan, "goals", "id", "bp-systolic");
	g_autoptr (GVariant) dia = pgt_find (plan, "goals", "id", "bp-diastolic");
	g_autoptr (GVariant) bmi = pgt_find (plan, "goals", "id", "bmi");
	g_autoptr (GVariant) waist = pgt_find (plan, "goals", "id", "waist");
	g_autoptr (GVariant) stage2 = pgt_find (plan, "follow_ups", "rule", "bp-stage2");
	g_autoptr (GVariant) home = pgt_find (plan, "tasks", "id", "home-bp");
	g_autoptr (GVariant) medicine = pgt_find (plan, "tasks", "id", "bp-medicine");

	cr_assert_str_eq (pgt_str (plan, "language"), "zh");
	/* ACC/AHA 2017: below 130/80 */
	cr_assert_eq (pgt_num (sys, "target"), 130);
	cr_assert_eq (pgt_num (sys, "baseline"), 148);
	cr_assert_str_eq (pgt_str (sys, "direction"), "below");
	cr_assert_eq (pgt_num (dia, "target"), 80);
	/* BMI 24.8: overweight by WS/T 428 (24), not by WHO (25) */
	cr_assert_not_null (bmi);
	cr_assert_str_eq (pgt_str (bmi, "rule"), "bmi-china");
	cr_assert_eq (pgt_num (bmi, "target"), 24);
	cr_assert_eq (pgt_num (waist, "target"), 85);
	cr_assert_str_eq (pgt_str (stage2, "date"), "2027-01-04");
	cr_assert_eq (n_days (home), 2);
	cr_assert_not_null (medicine);
	assert_cited (plan);
	assert_texts (plan, TRUE);
}

Test (core, very_high_blood_pressure_no_vigorous_activity_and_a_follow_up)
{
	g_autoptr (GVariant) plan = plan_for ("teen-severe-hypertension");
	g_autoptr (GVariant) limit = pgt_find (plan, "limits", "rule", "bp-severe");
	g_autoptr (GVariant) soon = pgt_find (plan, "follow_ups", "rule", "bp-severe");
	g_autoptr (GVariant) bones = pgt_find (plan, "tasks", "id", "vigorous-bones");
	g_autoptr (GVariant) daily = pgt_find (plan, "tasks", "id", "aerobic-daily");

	cr_assert_str_eq (pgt_str (plan, "status"), "active");
	cr_assert_str_eq (pgt_str (limit, "metric"), "intensity");
	cr_assert_eq (pgt_num (limit, "max"), 2);
	cr_assert_str_eq (pgt_str (soon, "date"), "2026-12-14");
	/* the youth rule's vigorous play is left out, its moderate daily activity stays */
	cr_assert_null (bones);
	cr_assert_str_eq (pgt_str (daily, "intensity"), "moderate");
	assert_no_vigorous (plan);
}

Test (core, insulin_means_glucose_checks_around_exercise)
{
	g_autoptr (GVariant) plan = plan_for ("insulin-diabetes");
	g_autoptr (GVariant) check = pgt_find (plan, "tasks", "id", "glucose-exercise");
	g_autoptr (GVariant) aerobic = pgt_find (plan, "tasks", "id", "aerobic");
	g_autoptr (GVariant) hba1c = pgt_find (plan, "follow_ups", "rule", "dm-hba1c");
	g_autoptr (GVariant) prevention = pgt_find (plan, "goals", "id", "weight");
	g_autofree const gchar **check_days = NULL;
	g_autofree const gchar **aerobic_days = NULL;

	cr_assert_not_null (check);
	cr_assert_str_eq (pgt_str (check, "metric"), "glucose");
	/* on the days of the exercise it goes with */
	cr_assert (g_variant_lookup (check, "days", "^a&s", &check_days));
	cr_assert (g_variant_lookup (aerobic, "days", "^a&s", &aerobic_days));
	for (guint i = 0; aerobic_days[i] != NULL; i++)
		cr_assert (g_strv_contains (check_days, aerobic_days[i]), "%s", aerobic_days[i]);
	cr_assert_str_eq (pgt_str (hba1c, "date"), "2027-03-07");
	/* diabetes already: no prevention goal */
	cr_assert_null (prevention);
}

Test (core, wheelchair_users_get_no_balance_task)
{
	g_autoptr (GVariant) dict = pgt_load_dict ("patients/older-80-limited-mobility.json");
	g_autoptr (GVariant) wheelchair = NULL;
	g_autoptr (PgContext) ctx = NULL;
	g_autoptr (GVariant) plan = NULL;
	g_autoptr (GVariant) aerobic = NULL;
	GVariantDict d;

	g_variant_dict_init (&d, dict);
	g_variant_dict_insert (&d, "mobility", "s", "wheelchair");
	wheelchair = g_variant_ref_sink (g_variant_dict_end (&d));
	ctx = context_from (wheelchair);
	plan = g_variant_ref_sink (pg_plan_generate (rules, ctx));
	aerobic = pgt_find (plan, "tasks", "id", "aerobic");
	cr_assert_str_eq (pgt_str (aerobic, "rule"), "pa-wheelchair");
	cr_assert_null (pgt_find (plan, "tasks", "id", "balance-supported"));
	cr_assert_null (pgt_find (plan, "tasks", "id", "balance-strength"));
	assert_no_vigorous (plan);
}

Test (core, red_flag_first_and_plan_suppressed)
{
	g_autoptr (GVariant) plan = plan_for ("red-flag-chest-pain");
	g_autoptr (GPtrArray) flags = pgt_items (plan, "red_flags");
	g_autoptr (GPtrArray) goals = pgt_items (plan, "goals");
	g_autoptr (GPtrArray) tasks = pgt_items (plan, "tasks");
	g_autoptr (GPtrArray) follow = pgt_items (plan, "follow_ups");
	g_autofree const gchar **codes = NULL;
	GVariant *flag;

	cr_assert_str_eq (pgt_str (plan, "status"), "suppressed");
	cr_assert_eq (goals->len, 0);
	cr_assert_eq (tasks->len, 0);
	/* the emergency covers the plain chest-pain flag */
	cr_assert_eq (flags->len, 1);
	flag = g_ptr_array_index (flags, 0);
	cr_assert_str_eq (pgt_str (flag, "id"), "chest-pain-breathless");
	cr_assert_str_eq (pgt_str (flag, "level"), "emergency");
	cr_assert_str_eq (pgt_str (flag, "certainty"), "present");
	cr_assert (strstr (pgt_str (flag, "instruction"), "Call emergency services now") != NULL);
	cr_assert (g_variant_lookup (flag, "findings", "^a&s", &codes));
	cr_assert (g_strv_contains (codes, "HP:0100749") && g_strv_contains (codes, "HP:0002094"));
	cr_assert_geq (follow->len, 1);
	cr_assert_str_eq (pgt_str (g_ptr_array_index (follow, 0), "date"), "2026-12-07");
	cr_assert_str_eq (pgt_str (g_ptr_array_index (follow, 0), "rule"), "chest-pain-breathless");
}

Test (core, negated_chest_pain_raises_nothing)
{
	g_autoptr (GVariant) plan = plan_for ("negated-chest-pain");
	g_autoptr (GPtrArray) flags = pgt_items (plan, "red_flags");
	g_autoptr (GPtrArray) tasks = pgt_items (plan, "tasks");

	cr_assert_eq (flags->len, 0);
	cr_assert_str_eq (pgt_str (plan, "status"), "active");
	cr_assert_gt (tasks->len, 0);
}

Test (core, possible_chest_pain_is_worded_as_possible)
{
	g_autoptr (GVariant) plan = plan_for ("possible-chest-pain");
	g_autoptr (GPtrArray) flags = pgt_items (plan, "red_flags");
	GVariant *flag;

	cr_assert_str_eq (pgt_str (plan, "status"), "suppressed");
	cr_assert_eq (flags->len, 1);
	flag = g_ptr_array_index (flags, 0);
	cr_assert_str_eq (pgt_str (flag, "id"), "chest-pain");
	cr_assert_str_eq (pgt_str (flag, "certainty"), "possible");
	cr_assert (g_str_has_prefix (pgt_str (flag, "title"), "Possible: "));
	cr_assert (strstr (pgt_str (flag, "instruction"), "may be happening") != NULL);
}

Test (core, red_flags_speak_chinese)
{
	g_autoptr (GVariant) dict = pgt_load_dict ("patients/possible-chest-pain.json");
	g_autoptr (GVariant) zh = NULL;
	g_autoptr (PgContext) ctx = NULL;
	g_autoptr (GVariant) plan = NULL;
	g_autoptr (GVariant) flag = NULL;
	GVariantDict d;

	g_variant_dict_init (&d, dict);
	g_variant_dict_insert (&d, "language", "s", "zh");
	zh = g_variant_ref_sink (g_variant_dict_end (&d));
	ctx = context_from (zh);
	plan = g_variant_ref_sink (pg_plan_generate (rules, ctx));
	flag = pgt_find (plan, "red_flags", "id", "chest-pain");
	cr_assert_not_null (flag);
	cr_assert (g_str_has_prefix (pgt_str (flag, "title"), "可能："), "%s",
		   pgt_str (flag, "title"));
	assert_texts (plan, TRUE);
}

Test (core, family_history_raises_nothing)
{
	g_autoptr (GVariant) plan = plan_for ("family-history-mi");
	g_autoptr (GPtrArray) flags = pgt_items (plan, "red_flags");

	cr_assert_eq (flags->len, 0);
	cr_assert_str_eq (pgt_str (plan, "status"), "active");
}

Test (core, cleared_red_flags_stay_cleared_new_ones_do_not)
{
	g_autoptr (GVariant) plan = plan_for ("cleared-red-flags");
	g_autoptr (GPtrArray) flags = pgt_items (plan, "red_flags");
	g_autoptr (GVariant) dict = pgt_load_dict ("patients/cleared-red-flags.json");
	GVariantDict d;
	g_autoptr (GVariant) earlier = NULL;
	g_autoptr (PgContext) ctx = NULL;
	g_autoptr (GVariant) triage = NULL;

	cr_assert_eq (flags->len, 0);
	cr_assert_str_eq (pgt_str (plan, "status"), "active");
	/* cleared before the findings: they raise their flag again */
	g_variant_dict_init (&d, dict);
	g_variant_dict_insert (&d, "red_flags_cleared_on", "s", "2026-11-29");
	earlier = g_variant_ref_sink (g_variant_dict_end (&d));
	ctx = context_from (earlier);
	triage = g_variant_ref_sink (pg_triage (rules, ctx));
	cr_assert_eq (g_variant_n_children (triage), 1);
}

/* the red flags Triage raises for chest pain (HP:0100749) recorded at @recorded_at (NULL:
 * none) on @date, after a clearing at 10:00 in Shanghai on 6 December 2026 */
static guint
flags_after_clearing (const gchar *date, const gchar *recorded_at)
{
	g_autofree gchar *json = g_strdup_printf (
		"{\"today\":\"2026-12-07\",\"language\":\"en\",\"age_years\":58,"
		"\"red_flags_cleared_at\":\"2026-12-06T10:00:00+08:00\",\"findings\":[{"
		"\"kind\":\"symptom\",\"code\":\"HP:0100749\",\"polarity\":\"present\","
		"\"experiencer\":\"patient\",\"temporality\":\"current\",\"date\":\"%s\"%s%s%s}]}",
		date, recorded_at != NULL ? ",\"recorded_at\":\"" : "",
		recorded_at != NULL ? recorded_at : "", recorded_at != NULL ? "\"" : "");
	g_autoptr (JsonNode) node = json_from_string (json, NULL);
	g_autoptr (GVariant) dict = NULL;
	g_autoptr (PgContext) ctx = NULL;
	g_autoptr (GVariant) triage = NULL;

	cr_assert_not_null (node, "%s", json);
	dict = g_variant_ref_sink (json_gvariant_deserialize (node, "a{sv}", NULL));
	ctx = context_from (dict);
	triage = g_variant_ref_sink (pg_triage (rules, ctx));
	return (guint)g_variant_n_children (triage);
}

Test (core, a_clearing_is_an_instant_a_symptom_reported_again_that_day_raises_its_flag)
{
	/* cleared at 10:00; the same symptom reported again at 15:00 the same day flags again */
	cr_expect_eq (flags_after_clearing ("2026-12-06", "2026-12-06T15:00:00+08:00"), 1);
	/* what the clinician saw (recorded at 09:30, or 02:00 UTC = 10:00 Shanghai) stays
	 * cleared */
	cr_expect_eq (flags_after_clearing ("2026-12-06", "2026-12-06T09:30:00+08:00"), 0);
	cr_expect_eq (flags_after_clearing ("2026-12-06", "2026-12-06T02:00:00Z"), 0);
	/* without a recording time: the clearing's day is cleared, a later day is not */
	cr_expect_eq (flags_after_clearing ("2026-12-06", NULL), 0);
	cr_expect_eq (flags_after_clearing ("2026-12-07", NULL), 1);
}

Test (core, a_clearing_instant_without_an_offset_is_refused)
{
	g_autoptr (JsonNode) node
		= json_from_string ("{\"today\":\"2026-12-07\",\"language\":\"en\","
				    "\"red_flags_cleared_at\":\"2026-12-06T10:00:00\"}",
				    NULL);
	g_autoptr (GVariant) dict
		= g_variant_ref_sink (json_gvariant_deserialize (node, "a{sv}", NULL));
	g_autoptr (GPtrArray) problems = pg_problems_new ();
	g_autoptr (PgContext) ctx = pg_context_read (dict, "/context", problems);
	const PgProblem *p;

	cr_assert_null (ctx);
	cr_assert_eq (problems->len, 1);
	p = g_ptr_array_index (problems, 0);
	cr_expect_str_eq (p->field, "/context/red_flags_cleared_at");
	cr_expect_str_eq (p->code, "invalid-format");
}

Test (core, bad_context_lists_every_problem)
{
	g_autoptr (GVariant) dict = pgt_load_dict ("data/contexts/bad-many-problems.json");
	g_autoptr (GPtrArray) problems = pg_problems_new ();
	g_autoptr (PgContext) ctx = pg_context_read (dict, "/context", problems);
	const struct {
		const gchar *field;
		const gchar *code;
	} expected[] = {
		{ "/context/age_years", "wrong-type" },
		{ "/context/pregant", "unknown-member" },
		{ "/context/red_flags_cleared_on", "invalid-format" },
		{ "/context/conditions/0/code", "wrong-type" },
		{ "/context/minutes_per_day", "out-of-range" },
		{ "/context/mobility", "not-allowed" },
		{ "/context/today", "required" },
		{ "/context/language", "required" },
	};

	cr_assert_null (ctx);
	cr_assert_eq (problems->len, G_N_ELEMENTS (expected));
	for (guint i = 0; i < G_N_ELEMENTS (expected); i++) {
		gboolean found = FALSE;
		for (guint j = 0; j < problems->len; j++) {
			const PgProblem *p = g_ptr_array_index (problems, j);
			found |= g_str_equal (p->field, expected[i].field)
				 && g_str_equal (p->code, expected[i].code)
				 && pgt_has_cjk (p->message_zh);
		}
		cr_assert (found, "no %s problem at %s", expected[i].code, expected[i].field);
	}
}

Test (core, dbus_context_with_a_repeated_member_is_refused)
{
	GVariantBuilder b;
	g_autoptr (GVariant) dict = NULL;
	g_autoptr (GPtrArray) problems = pg_problems_new ();
	g_autoptr (PgContext) ctx = NULL;

	/* D-Bus can repeat a key, JSON cannot: which "pregnant" would count? */
	g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add (&b, "{sv}", "today", g_variant_new_string ("2026-12-07"));
	g_variant_builder_add (&b, "{sv}", "language", g_variant_new_string ("en"));
	g_variant_builder_add (&b, "{sv}", "pregnant", g_variant_new_boolean (TRUE));
	g_variant_builder_add (&b, "{sv}", "pregnant", g_variant_new_boolean (FALSE));
	dict = g_variant_ref_sink (g_variant_builder_end (&b));
	ctx = pg_context_read (dict, "/context", problems);
	cr_assert_null (ctx);
	cr_assert_eq (problems->len, 1);
	cr_assert_str_eq (((PgProblem *)problems->pdata[0])->code, "duplicate");
	cr_assert_str_eq (((PgProblem *)problems->pdata[0])->field, "/context/pregnant");
}

/* Replan */

static GVariant *
adherence (const gchar *id, guint planned, guint done)
{
	GVariantBuilder b;
	GVariantDict d;

	g_variant_builder_init (&b, G_VARIANT_TYPE ("aa{sv}"));
	g_variant_dict_init (&d, NULL);
	g_variant_dict_insert (&d, "id", "s", id);
	g_variant_dict_insert (&d, "planned", "u", planned);
	g_variant_dict_insert (&d, "done", "u", done);
	g_variant_builder_add_value (&b, g_variant_dict_end (&d));
	return g_variant_ref_sink (g_variant_builder_end (&b));
}

static GVariant *
replan (const PgContext *ctx, GVariant *previous, const gchar *id, guint planned, guint done)
{
	g_autoptr (GPtrArray) problems = pg_problems_new ();
	g_autoptr (GVariant) a = adherence (id, planned, done);
	GVariant *plan = pg_plan_replan (rules, ctx, previous, a, problems);

	cr_assert_not_null (plan, "%s",
			    problems->len ? ((PgProblem *)problems->pdata[0])->message : "");
	return g_variant_ref_sink (plan);
}

static gdouble
minutes_of (GVariant *plan, const gchar *task)
{
	g_autoptr (GVariant) t = pgt_find (plan, "tasks", "id", task);

	cr_assert_not_null (t, "no task %s", task);
	return pgt_num (t, "minutes");
}

Test (core, replan_met_rises_missed_falls_back_never_past_limits)
{
	g_autoptr (GVariant) dict = pgt_load_dict ("patients/sedentary-55-diabetes-risk.json");
	g_autoptr (PgContext) ctx = context_from (dict);
	g_autoptr (GVariant) v1 = g_variant_ref_sink (pg_plan_generate (rules, ctx));
	g_autoptr (GVariant) v2 = replan (ctx, v1, "aerobic", 5, 5);
	g_autoptr (GVariant) same = replan (ctx, v2, "aerobic", 5, 3);
	g_autoptr (GVariant) down = replan (ctx, v2, "aerobic", 5, 1);
	g_autoptr (GVariant) floor_ = replan (ctx, v1, "aerobic", 5, 0);
	GVariant *cur = g_variant_ref (v2);

	cr_assert_eq (minutes_of (v1, "aerobic"), 15);
	cr_assert_eq (minutes_of (v2, "aerobic"), 20);
	cr_assert_eq (pgt_num (v2, "version"), 2);
	cr_assert_eq (minutes_of (same, "aerobic"), 20);
	cr_assert_eq (pgt_num (same, "version"), 3);
	cr_assert_eq (minutes_of (down, "aerobic"), 15);
	/* never below the first plan's starting point */
	cr_assert_eq (minutes_of (floor_, "aerobic"), 15);
	/* never past the rule's ceiling (30: 5 x 30 = 150 min a week) */
	for (guint i = 0; i < 6; i++) {
		GVariant *next = replan (ctx, cur, "aerobic", 5, 5);
		g_variant_unref (cur);
		cur = next;
	}
	cr_assert_eq (minutes_of (cur, "aerobic"), 30);
	cr_assert_eq (pgt_num (cur, "version"), 8);
	g_variant_unref (cur);
}

static void
assert_bp_follow_up (GVariant *plan, const gchar *date)
{
	g_autoptr (GVariant) f = pgt_find (plan, "follow_ups", "rule", "bp-severe");

	cr_assert_not_null (f);
	cr_assert_str_eq (pgt_str (f, "date"), date);
}

/* A follow-up a previous version scheduled keeps its date in every re-plan (the weekly re-plan
 * must not measure "within a week" from each new today, or the visit never arrives; past its
 * date it stays, overdue); a rule that fires anew (here: a previous plan without the
 * follow-up) gets a fresh date. */
Test (core, replan_keeps_a_scheduled_follow_up_date_a_new_one_is_dated_fresh)
{
	g_autoptr (GVariant) dict = pgt_load_dict ("patients/teen-severe-hypertension.json");
	g_autoptr (PgContext) ctx = context_from (dict);
	g_autoptr (GVariant) v1 = g_variant_ref_sink (pg_plan_generate (rules, ctx));
	g_autoptr (GVariant) v2 = NULL;
	g_autoptr (GVariant) v3 = NULL;
	g_autoptr (GVariant) fresh = NULL;
	g_autoptr (GVariant) stripped = NULL;
	GVariantDict d;

	assert_bp_follow_up (v1, "2026-12-14");
	g_free (ctx->today);
	ctx->today = g_strdup ("2026-12-14");
	v2 = replan (ctx, v1, "aerobic-daily", 7, 7);
	assert_bp_follow_up (v2, "2026-12-14");
	g_free (ctx->today);
	ctx->today = g_strdup ("2026-12-21");
	v3 = replan (ctx, v2, "aerobic-daily", 7, 7);
	/* overdue: kept, not moved to a week after the new today */
	assert_bp_follow_up (v3, "2026-12-14");
	g_variant_dict_init (&d, v2);
	g_variant_dict_remove (&d, "follow_ups");
	stripped = g_variant_ref_sink (g_variant_dict_end (&d));
	fresh = replan (ctx, stripped, "aerobic-daily", 7, 7);
	assert_bp_follow_up (fresh, "2026-12-28");
}

Test (core, replan_respects_the_safe_limit_of_the_context_now)
{
	g_autoptr (GVariant) dict = pgt_load_dict ("patients/older-80-limited-mobility.json");
	g_autoptr (PgContext) ctx = context_from (dict);
	g_autoptr (GVariant) sedentary = pgt_load_dict ("patients/sedentary-55-diabetes-risk.json");
	g_autoptr (PgContext) fit = context_from (sedentary);
	GVariant *cur = g_variant_ref_sink (pg_plan_generate (rules, fit));
	g_autoptr (GVariant) limited = NULL;

	/* a fit patient's plan at its ceiling (30 min) ... */
	for (guint i = 0; i < 4; i++) {
		GVariant *next = replan (fit, cur, "aerobic", 5, 5);
		g_variant_unref (cur);
		cur = next;
	}
	cr_assert_eq (minutes_of (cur, "aerobic"), 30);
	/* ... re-planned after mobility became limited: capped at that limit (20), even when met */
	limited = replan (ctx, cur, "aerobic", 5, 5);
	cr_assert_eq (minutes_of (limited, "aerobic"), 20);
	cr_assert_not_null (pgt_find (limited, "limits", "metric", "session_minutes"));
	g_variant_unref (cur);
}

Test (core, replan_after_a_cleared_red_flag_starts_the_plan_fresh)
{
	g_autoptr (GVariant) flagged = plan_for ("red-flag-chest-pain");
	g_autoptr (GVariant) dict = pgt_load_dict ("patients/cleared-red-flags.json");
	g_autoptr (PgContext) ctx = context_from (dict);
	g_autoptr (GVariant) none = g_variant_ref_sink (g_variant_new ("aa{sv}", NULL));
	g_autoptr (GPtrArray) problems = pg_problems_new ();
	g_autoptr (GVariant) plan = NULL;

	cr_assert_str_eq (pgt_str (flagged, "status"), "suppressed");
	plan = pg_plan_replan (rules, ctx, flagged, none, problems);
	cr_assert_not_null (plan);
	g_variant_ref_sink (plan);
	cr_assert_str_eq (pgt_str (plan, "status"), "active");
	cr_assert_eq (pgt_num (plan, "version"), 2);
	cr_assert_eq (minutes_of (plan, "aerobic"), 15);
}

Test (core, replan_refuses_unknown_ids_and_bad_counts)
{
	g_autoptr (GVariant) dict = pgt_load_dict ("patients/teenager.json");
	g_autoptr (PgContext) ctx = context_from (dict);
	g_autoptr (GVariant) v1 = g_variant_ref_sink (pg_plan_generate (rules, ctx));
	g_autoptr (GVariant) unknown = adherence ("aerobic-nightly", 5, 5);
	g_autoptr (GPtrArray) problems = pg_problems_new ();
	g_autoptr (GVariant) empty = g_variant_ref_sink (g_variant_new ("a{sv}", NULL));

	cr_assert_null (pg_plan_replan (rules, ctx, v1, unknown, problems));
	cr_assert_eq (problems->len, 1);
	cr_assert_str_eq (((PgProblem *)problems->pdata[0])->code, "not-found");
	g_ptr_array_set_size (problems, 0);
	cr_assert_null (pg_plan_replan (rules, ctx, empty, unknown, problems));
	/* no version, no goals and tasks, and the id is then unknown too */
	cr_assert_eq (problems->len, 3);
}

Test (core, schedule_fits_minutes_per_day)
{
	g_autoptr (GVariant) plan = plan_for ("older-80-limited-mobility");
	g_autoptr (GPtrArray) tasks = pgt_items (plan, "tasks");
	guint per_day[7] = { 0 };
	const gchar *const names[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

	for (guint i = 0; i < tasks->len; i++) {
		GVariant *t = g_ptr_array_index (tasks, i);
		g_autofree const gchar **days = NULL;
		if (!pgt_has (t, "minutes"))
			continue;
		cr_assert (g_variant_lookup (t, "days", "^a&s", &days));
		for (guint d = 0; d < 7; d++)
			per_day[d] += g_strv_contains (days, names[d])
					      ? (guint)pgt_num (t, "minutes")
					      : 0;
	}
	for (guint d = 0; d < 7; d++)
		cr_assert_leq (per_day[d], 40, "%s: %u minutes", names[d], per_day[d]);
}
