/* The rules file: the shipped one loads with what docs/engagement.md says; broken ones are
 * refused with every problem at its file and line. */
#include <string.h>

#include "engagement-test.h"

static MvEngagementRules *
load (const gchar *name, GError **error)
{
	g_autofree gchar *path = g_build_filename (MV_ENGAGEMENT_TEST_DATADIR, name, NULL);
	return mv_engagement_rules_load_file (path, error);
}

/* @error's message has a line "<name>:<line>: <pointer>: …<text>…" */
static void
expect_line (
	const GError *error, const gchar *name, guint line, const gchar *pointer, const gchar *text)
{
	g_auto (GStrv) lines = g_strsplit (error->message, "\n", -1);
	g_autofree gchar *prefix = g_strdup_printf ("%s:%u: %s: ", name, line, pointer);

	for (guint i = 0; lines[i] != NULL; i++) {
		const gchar *base = strstr (lines[i], name);
		if (base != NULL && g_str_has_prefix (base, prefix) && strstr (base, text) != NULL)
			return;
	}
	cr_expect_fail ("no \"%s…%s\" in:\n%s", prefix, text, error->message);
}

Test (rules, the_shipped_file_loads_as_documented)
{
	g_autoptr (MvEngagementRules) r = mvt_shipped_rules ();
	const MvLevel *level;
	const MvBadge *b;

	cr_expect_str_eq (r->version, "2026-12-06");
	cr_expect_eq (strlen (r->digest), 64);
	cr_expect_eq (r->points[MV_CHECKIN_STEPS].points, 10);
	cr_expect_eq (r->points[MV_CHECKIN_TASK].daily_cap, 60);
	cr_assert_eq (r->milestones->len, 3);
	cr_expect_eq (g_array_index (r->milestones, MvMilestone, 0).days, 7);
	cr_expect_eq (g_array_index (r->milestones, MvMilestone, 1).days, 30);
	cr_expect_eq (g_array_index (r->milestones, MvMilestone, 2).days, 100);
	cr_expect_eq (mv_engagement_rules_level (r, 0, &level), 1);
	cr_expect_str_eq (level->title.zh, "起步者");
	cr_expect_eq (mv_engagement_rules_level (r, 99, NULL), 1);
	cr_expect_eq (mv_engagement_rules_level (r, 100, &level), 2);
	cr_expect_str_eq (level->title.en, "Walker");
	cr_expect_eq (mv_engagement_rules_level (r, 1000000, NULL), r->levels->len);
	/* the badges the issue names */
	for (const gchar *const *id
	     = (const gchar *const[]){ "first-checkin", "streak-7", "streak-30", "streak-100",
				       "steps-10000", "bp-14-days", "vr-5", "challenge-won", NULL };
	     *id != NULL; id++)
		cr_expect_not_null (mv_engagement_rules_badge (r, *id), "%s", *id);
	b = mv_engagement_rules_badge (r, "bp-14-days");
	cr_expect_eq (b->kind, MV_BADGE_METRIC_DAYS);
	cr_expect_eq (b->metric, MV_CHECKIN_BLOOD_PRESSURE);
	cr_expect_eq (b->threshold, 14);
	b = mv_engagement_rules_badge (r, "steps-10000");
	cr_expect_eq (b->kind, MV_BADGE_DAY_VALUE);
	cr_expect_eq (b->threshold, 10000);
	cr_expect_geq (r->challenges->len, 1);
	cr_expect_null (mv_engagement_rules_badge (r, "nope"));
}

Test (rules, a_syntax_error_is_reported_at_its_file_and_line)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvEngagementRules) r = load ("broken-syntax.json", &error);

	cr_assert_null (r);
	cr_assert (g_error_matches (error, MV_ENGAGEMENT_ERROR, MV_ENGAGEMENT_ERROR_RULES));
	cr_expect (strstr (error->message, "broken-syntax.json:4:") != NULL, "%s", error->message);
	cr_expect (strstr (error->message, "<data>") == NULL, "%s", error->message);
}

Test (rules, every_problem_is_reported_with_its_line)
{
	const gchar *f = "broken-many-problems.json";
	g_autoptr (GError) error = NULL;
	g_autoptr (MvEngagementRules) r = load (f, &error);

	cr_assert_null (r);
	cr_assert (g_error_matches (error, MV_ENGAGEMENT_ERROR, MV_ENGAGEMENT_ERROR_RULES));
	expect_line (error, f, 13, "/points", "unknown member \"pulse\"");
	expect_line (error, f, 6, "/points/blood_pressure", "below \"points\"");
	expect_line (error, f, 17, "/streak_milestones/1", "must rise");
	expect_line (error, f, 21, "/levels/1", "must rise");
	expect_line (error, f, 21, "/levels/1/title", "\"zh\" is required");
	expect_line (error, f, 30, "/badges/1", "defined twice");
	expect_line (error, f, 32, "/badges/1/criterion", "unknown criterion type \"logins\"");
	expect_line (error, f, 37, "/badges/2/criterion", "no day figure");
	expect_line (error, f, 45, "/challenges/0", "cannot be summed");
	{
		g_auto (GStrv) lines = g_strsplit (error->message, "\n", -1);
		guint last = 0;

		cr_expect_eq (g_strv_length (lines), 9, "%s", error->message);
		/* top to bottom, as a person fixes the file */
		for (guint i = 0; lines[i] != NULL; i++) {
			guint line = (guint)g_ascii_strtoull (strstr (lines[i], f) + strlen (f) + 1,
							      NULL, 10);
			cr_expect_geq (line, last, "%s", error->message);
			last = line;
		}
	}
}

Test (rules, missing_sections_are_named)
{
	const gchar *f = "broken-missing-sections.json";
	g_autoptr (GError) error = NULL;
	g_autoptr (MvEngagementRules) r = load (f, &error);

	cr_assert_null (r);
	expect_line (error, f, 1, "/", "\"levels\" is required");
	expect_line (error, f, 1, "/", "\"badges\" is required");
	expect_line (error, f, 1, "/", "\"challenges\" is required");
	expect_line (error, f, 1, "/", "\"streak_milestones\" is required");
	expect_line (error, f, 3, "/points", "\"steps\" is required");
}

Test (rules, unreadable_and_empty_files_are_refused)
{
	g_autoptr (GError) missing = NULL;
	g_autoptr (GError) empty = NULL;
	g_autoptr (GError) array = NULL;

	cr_expect_null (load ("no-such-file.json", &missing));
	cr_expect (g_error_matches (missing, MV_ENGAGEMENT_ERROR, MV_ENGAGEMENT_ERROR_RULES));
	cr_expect_null (mv_engagement_rules_load_data ("", "empty.json", &empty));
	cr_expect (strstr (empty->message, "empty.json:") != NULL, "%s", empty->message);
	cr_expect_null (mv_engagement_rules_load_data ("\n[1]", "array.json", &array));
	cr_expect (strstr (array->message, "array.json:2: /: must be an object") != NULL, "%s",
		   array->message);
}

Test (rules, the_small_test_file_loads)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvEngagementRules) r = load ("small-rules.json", &error);

	cr_assert_not_null (r, "%s", error != NULL ? error->message : "");
	cr_expect_eq (r->badges->len, 6);
	cr_expect_eq (r->challenges->len, 2);
	cr_expect_eq (((MvChallenge *)g_ptr_array_index (r->challenges, 1))->measure,
		      MV_CHALLENGE_DAYS);
}
