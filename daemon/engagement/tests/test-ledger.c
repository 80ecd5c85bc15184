/* The ledger: points per check-in with daily caps, idempotent per source whatever the order,
 * tasks once a day, streak milestones once, weekly challenges; badges, levels and the
 * challenge standing; leaderboard pseudonyms. */
#include <string.h>

#include "engagement-test.h"
#include "mv-pseudonym.h"

static MvEngagementRules *rules;
static GTimeZone *zone;

static void
setup (void)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *path
		= g_build_filename (MV_ENGAGEMENT_TEST_DATADIR, "small-rules.json", NULL);

	rules = mv_engagement_rules_load_file (path, &error);
	cr_assert_not_null (rules, "%s", error != NULL ? error->message : "");
	zone = mvt_zone ("Asia/Shanghai");
}

static void
teardown (void)
{
	g_clear_pointer (&rules, mv_engagement_rules_free);
	g_clear_pointer (&zone, g_time_zone_unref);
}

TestSuite (ledger, .init = setup, .fini = teardown);

static GPtrArray *
checkins_new (void)
{
	return g_ptr_array_new_with_free_func ((GDestroyNotify)mv_checkin_free);
}

/* a check-in at @hhmm Shanghai time on @day */
static MvCheckin *
at (const gchar *id, MvCheckinMetric metric, gdouble value, const gchar *day, const gchar *hhmm)
{
	g_autofree gchar *when = g_strdup_printf ("%sT%s:00+08:00", day, hhmm);
	return mvt_checkin (id, metric, value, when, zone);
}

static GPtrArray *
award (GPtrArray *checkins, GPtrArray *ledger, const gchar *today)
{
	GDate t = mvt_date (today);
	return mv_ledger_award (rules, checkins, ledger, &t);
}

static const MvLedgerEntry *
entry (GPtrArray *entries, const gchar *source)
{
	for (guint i = 0; i < entries->len; i++) {
		const MvLedgerEntry *e = g_ptr_array_index (entries, i);
		if (g_str_equal (e->source, source))
			return e;
	}
	return NULL;
}

/* appends @more to @ledger (taking them) */
static void
append (GPtrArray *ledger, GPtrArray *more)
{
	for (guint i = 0; i < more->len; i++)
		g_ptr_array_add (ledger, g_steal_pointer (&more->pdata[i]));
	g_ptr_array_set_free_func (more, NULL);
	g_ptr_array_unref (more);
}

Test (ledger, a_checkin_earns_its_metrics_points_up_to_the_daily_cap)
{
	g_autoptr (GPtrArray) c = checkins_new ();
	g_autoptr (GPtrArray) e = NULL;
	const MvLedgerEntry *first;

	g_ptr_array_add (c, at ("s1", MV_CHECKIN_STEPS, 5000, "2026-12-05", "09:00"));
	g_ptr_array_add (c, at ("s2", MV_CHECKIN_STEPS, 8000, "2026-12-05", "20:00"));
	for (guint i = 0; i < 3; i++) {
		g_autofree gchar *id = g_strdup_printf ("bp%u", i);
		g_ptr_array_add (c, at (id, MV_CHECKIN_BLOOD_PRESSURE, 120, "2026-12-05", "08:00"));
	}
	g_ptr_array_add (c, at ("m1", MV_CHECKIN_MOOD, 4, "2026-12-04", "21:00"));
	e = award (c, NULL, "2026-12-05");
	first = entry (e, "checkin:s1");
	cr_assert_not_null (first);
	cr_expect_eq (first->points, 10);
	cr_expect_str_eq (first->reason, "checkin:steps");
	cr_expect_eq (g_date_get_day (&first->date), 5);
	cr_expect_eq (strlen (first->id), 32);
	/* steps: 10 a check-in, 10 a day; blood pressure: 10 each, 20 a day */
	cr_expect_null (entry (e, "checkin:s2"));
	cr_expect_not_null (entry (e, "checkin:bp0"));
	cr_expect_not_null (entry (e, "checkin:bp1"));
	cr_expect_null (entry (e, "checkin:bp2"));
	cr_expect_eq (entry (e, "checkin:m1")->points, 2);
	cr_expect_eq (mvt_points (e), 10 + 20 + 2);
	/* in date order */
	cr_expect_str_eq (((MvLedgerEntry *)g_ptr_array_index (e, 0))->source, "checkin:m1");
}

Test (ledger, awarding_again_appends_nothing)
{
	g_autoptr (GPtrArray) c = checkins_new ();
	g_autoptr (GPtrArray) ledger
		= g_ptr_array_new_with_free_func ((GDestroyNotify)mv_ledger_entry_free);
	g_autoptr (GPtrArray) again = NULL;

	g_ptr_array_add (c, at ("s1", MV_CHECKIN_STEPS, 5000, "2026-12-03", "09:00"));
	g_ptr_array_add (c, at ("s2", MV_CHECKIN_STEPS, 5000, "2026-12-04", "09:00"));
	g_ptr_array_add (c, at ("s3", MV_CHECKIN_STEPS, 5000, "2026-12-05", "09:00"));
	/* a retried request: the same id again */
	g_ptr_array_add (c, at ("s3", MV_CHECKIN_STEPS, 5000, "2026-12-05", "09:01"));
	append (ledger, award (c, NULL, "2026-12-05"));
	cr_expect_eq (mvt_points (ledger), 30 + 30); /* three days and the 3-day milestone */
	again = award (c, ledger, "2026-12-05");
	cr_expect_eq (again->len, 0);
}

static gint
sort_strings (const gchar **a, const gchar **b)
{
	return strcmp (*a, *b);
}

/* The same check-ins, all at once in two orders and one by one in two orders: the same total,
 * the same sources. */
Test (ledger, arrival_order_does_not_change_the_result)
{
	const struct {
		const gchar *id;
		MvCheckinMetric metric;
		gdouble value;
		const gchar *day, *time;
	} all[] = {
		{ "a", MV_CHECKIN_STEPS, 12000, "2026-12-01", "08:00" },
		{ "b", MV_CHECKIN_STEPS, 9000, "2026-12-01", "21:00" },
		{ "c", MV_CHECKIN_VR_SESSION, 20, "2026-12-02", "10:00" },
		{ "d", MV_CHECKIN_VR_SESSION, 20, "2026-12-02", "11:00" },
		{ "e", MV_CHECKIN_VR_SESSION, 20, "2026-12-02", "12:00" },
		{ "f", MV_CHECKIN_BLOOD_PRESSURE, 130, "2026-12-02", "07:00" },
		{ "g", MV_CHECKIN_BLOOD_PRESSURE, 130, "2026-12-03", "07:00" },
		{ "h", MV_CHECKIN_STEPS, 11000, "2026-12-03", "22:00" },
	};
	const guint orders[4][G_N_ELEMENTS (all)] = {
		{ 0, 1, 2, 3, 4, 5, 6, 7 },
		{ 7, 6, 5, 4, 3, 2, 1, 0 },
		{ 3, 0, 7, 1, 5, 2, 6, 4 },
		{ 4, 6, 2, 5, 1, 7, 0, 3 },
	};
	gint64 totals[4];
	gchar *sources[4] = { NULL };

	for (guint o = 0; o < 4; o++) {
		g_autoptr (GPtrArray) c = checkins_new ();
		g_autoptr (GPtrArray) ledger
			= g_ptr_array_new_with_free_func ((GDestroyNotify)mv_ledger_entry_free);
		g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

		for (guint i = 0; i < G_N_ELEMENTS (all); i++) {
			guint k = orders[o][i];
			g_ptr_array_add (c, at (all[k].id, all[k].metric, all[k].value, all[k].day,
						all[k].time));
			/* orders 2 and 3 arrive one by one, the ledger growing */
			if (o >= 2)
				append (ledger, award (c, ledger, "2026-12-05"));
		}
		if (o < 2)
			append (ledger, award (c, NULL, "2026-12-05"));
		totals[o] = mvt_points (ledger);
		for (guint i = 0; i < ledger->len; i++) {
			const MvLedgerEntry *e = g_ptr_array_index (ledger, i);
			if (!g_str_has_prefix (e->source, "checkin:"))
				g_ptr_array_add (names,
						 g_strdup_printf ("%s=%d", e->source, e->points));
		}
		/* one by one, the entries come in arrival order: compare them as a set */
		g_ptr_array_sort (names, (GCompareFunc)sort_strings);
		g_ptr_array_add (names, NULL);
		sources[o] = g_strjoinv (" ", (gchar **)names->pdata);
	}
	/* steps 10 + 10 (two days), VR 15 + 15 (cap 30), BP 10 + 10, the 3-day milestone 30,
	 * the BP-days challenge 20, the 20,000-step week (12,000 + 11,000) 40 */
	cr_expect_eq (totals[0], 10 + 10 + 30 + 20 + 30 + 20 + 40);
	for (guint o = 1; o < 4; o++) {
		cr_expect_eq (totals[o], totals[0], "order %u", o);
		cr_expect_str_eq (sources[o], sources[0], "order %u", o);
	}
	cr_expect_str_eq (sources[0], "challenge:bp-2-days:2026-11-30=20 "
				      "challenge:steps-20000:2026-11-30=40 streak:3=30");
	for (guint o = 0; o < 4; o++)
		g_free (sources[o]);
}

Test (ledger, a_task_earns_once_a_day_within_the_cap)
{
	g_autoptr (GPtrArray) c = checkins_new ();
	g_autoptr (GPtrArray) e = NULL;
	MvCheckin *t;
	const gchar *tasks[] = { "walk", "walk", "stretch", "read", "walk" };
	const gchar *days[]
		= { "2026-12-05", "2026-12-05", "2026-12-05", "2026-12-05", "2026-12-04" };

	for (guint i = 0; i < G_N_ELEMENTS (tasks); i++) {
		g_autofree gchar *id = g_strdup_printf ("t%u", i);
		t = at (id, MV_CHECKIN_TASK, 1, days[i], "10:00");
		t->task_id = g_strdup (tasks[i]);
		g_ptr_array_add (c, t);
	}
	e = award (c, NULL, "2026-12-05");
	cr_expect_eq (entry (e, "task:walk:2026-12-05")->points, 15);
	cr_expect_eq (entry (e, "task:stretch:2026-12-05")->points, 15);
	cr_expect_null (entry (e, "task:read:2026-12-05")); /* over the cap of 30 */
	cr_expect_eq (entry (e, "task:walk:2026-12-04")->points, 15);
	cr_expect_eq (mvt_points (e), 45);
}

/* A plan task done by a measurement (the plan's "measure blood pressure" task): the
 * measurement's points and the task's. */
Test (ledger, a_measurement_that_completes_a_task_earns_both)
{
	g_autoptr (GPtrArray) c = checkins_new ();
	g_autoptr (GPtrArray) e = NULL;
	MvCheckin *bp = at ("bp", MV_CHECKIN_BLOOD_PRESSURE, 128, "2026-12-05", "07:30");
	MvCheckin *again = at ("bp2", MV_CHECKIN_BLOOD_PRESSURE, 126, "2026-12-05", "07:35");

	bp->task_id = g_strdup ("home-bp");
	again->task_id = g_strdup ("home-bp");
	g_ptr_array_add (c, bp);
	g_ptr_array_add (c, again);
	e = award (c, NULL, "2026-12-05");
	cr_expect_eq (entry (e, "checkin:bp")->points, 10);
	cr_expect_eq (entry (e, "checkin:bp2")->points, 10);
	cr_expect_eq (entry (e, "task:home-bp:2026-12-05")->points, 15);
	cr_expect_str_eq (entry (e, "task:home-bp:2026-12-05")->reason, "checkin:task");
	cr_expect_eq (mvt_points (e), 35);
}

Test (ledger, a_streak_milestone_is_paid_once_dated_the_day_reached)
{
	g_autoptr (GPtrArray) c = checkins_new ();
	g_autoptr (GPtrArray) ledger
		= g_ptr_array_new_with_free_func ((GDestroyNotify)mv_ledger_entry_free);
	g_autoptr (GPtrArray) later = NULL;
	const MvLedgerEntry *m;
	const gchar *days[] = { "2026-11-20", "2026-11-21", "2026-11-22",
				"2026-12-03", "2026-12-04", "2026-12-05" };

	for (guint i = 0; i < G_N_ELEMENTS (days); i++) {
		g_autofree gchar *id = g_strdup_printf ("m%u", i);
		g_ptr_array_add (c, at (id, MV_CHECKIN_MOOD, 4, days[i], "12:00"));
	}
	append (ledger, award (c, NULL, "2026-12-05"));
	m = entry (ledger, "streak:3");
	cr_assert_not_null (m);
	cr_expect_eq (m->points, 30);
	cr_expect_str_eq (m->reason, "streak-milestone");
	cr_expect_eq (g_date_get_day (&m->date), 22);
	cr_expect_eq (g_date_get_month (&m->date), 11);
	cr_expect_null (entry (ledger, "streak:7"));
	/* the second 3-day run pays nothing more */
	later = award (c, ledger, "2026-12-06");
	cr_expect_eq (later->len, 0);
}

Test (ledger, a_weekly_challenge_is_won_once_per_week_and_stands_this_week)
{
	g_autoptr (GPtrArray) c = checkins_new ();
	g_autoptr (GPtrArray) e = NULL;
	g_autoptr (MvProgress) p = NULL;
	const MvLedgerEntry *won;
	GDate today = mvt_date ("2026-12-08");

	/* week of 30 November: 8,000 + max(7,000, 9,000) + 4,000 = 21,000 by Wednesday */
	g_ptr_array_add (c, at ("a", MV_CHECKIN_STEPS, 8000, "2026-11-30", "21:00"));
	g_ptr_array_add (c, at ("b", MV_CHECKIN_STEPS, 7000, "2026-12-01", "18:00"));
	g_ptr_array_add (c, at ("c", MV_CHECKIN_STEPS, 9000, "2026-12-01", "22:00"));
	g_ptr_array_add (c, at ("d", MV_CHECKIN_STEPS, 4000, "2026-12-02", "22:00"));
	/* week of 7 December, so far: 6,000 */
	g_ptr_array_add (c, at ("e", MV_CHECKIN_STEPS, 6000, "2026-12-07", "22:00"));
	e = award (c, NULL, "2026-12-08");
	won = entry (e, "challenge:steps-20000:2026-11-30");
	cr_assert_not_null (won);
	cr_expect_eq (won->points, 40);
	cr_expect_str_eq (won->reason, "challenge");
	cr_expect_eq (g_date_get_day (&won->date), 2);
	cr_expect_null (entry (e, "challenge:steps-20000:2026-12-07"));
	p = mv_progress_compute (rules, c, e, &today);
	cr_assert_eq (p->challenges->len, 2);
	cr_expect_eq (g_array_index (p->challenges, MvChallengeStanding, 0).progress, 6000);
	cr_expect_not (g_array_index (p->challenges, MvChallengeStanding, 0).won);
	cr_expect_eq (p->challenges_won, 1);
}

static gboolean
has_badge (MvProgress *p, const gchar *id)
{
	for (guint i = 0; i < p->badges->len; i++) {
		if (g_str_equal (((MvBadge *)g_ptr_array_index (p->badges, i))->id, id))
			return TRUE;
	}
	return FALSE;
}

Test (ledger, badges_and_levels_follow_the_checkins)
{
	g_autoptr (GPtrArray) c = checkins_new ();
	g_autoptr (GPtrArray) ledger
		= g_ptr_array_new_with_free_func ((GDestroyNotify)mv_ledger_entry_free);
	g_autoptr (MvProgress) first = NULL;
	g_autoptr (MvProgress) p = NULL;
	GDate today = mvt_date ("2026-12-05");

	g_ptr_array_add (c, at ("s1", MV_CHECKIN_STEPS, 9999, "2026-12-03", "21:00"));
	append (ledger, award (c, NULL, "2026-12-05"));
	first = mv_progress_compute (rules, c, ledger, &today);
	cr_expect (has_badge (first, "first-checkin"));
	cr_expect_not (has_badge (first, "steps-10000")); /* 9,999 */
	cr_expect_not (has_badge (first, "streak-3"));
	cr_expect_eq (first->level, 1);
	cr_expect_str_eq (first->level_def->title.en, "One");
	cr_expect_str_eq (first->next_level->title.en, "Two");
	/* 3 December, 4 December bridged (a grace day), today still open */
	cr_expect_eq (first->streak.current, 1);
	cr_expect_eq (first->streak.grace_days_used, 1);

	g_ptr_array_add (c, at ("s2", MV_CHECKIN_STEPS, 10000, "2026-12-04", "21:00"));
	g_ptr_array_add (c, at ("s3", MV_CHECKIN_STEPS, 3000, "2026-12-05", "09:00"));
	g_ptr_array_add (c, at ("v1", MV_CHECKIN_VR_SESSION, 15, "2026-12-05", "10:00"));
	g_ptr_array_add (c, at ("v2", MV_CHECKIN_VR_SESSION, 15, "2026-12-05", "11:00"));
	for (guint d = 3; d <= 5; d++) {
		g_autofree gchar *id = g_strdup_printf ("bp%u", d);
		g_autofree gchar *day = g_strdup_printf ("2026-12-%02u", d);
		g_ptr_array_add (c, at (id, MV_CHECKIN_BLOOD_PRESSURE, 125, day, "07:30"));
	}
	append (ledger, award (c, ledger, "2026-12-05"));
	p = mv_progress_compute (rules, c, ledger, &today);
	for (const gchar *const *id
	     = (const gchar *const[]){ "first-checkin", "streak-3", "steps-10000", "bp-3-days",
				       "vr-2", "challenge-won", NULL };
	     *id != NULL; id++)
		cr_expect (has_badge (p, *id), "%s", *id);
	cr_expect_eq (p->streak.current, 3);
	cr_expect (p->streak.today_done);
	/* steps 30, VR 30, BP 30, streak 30, BP-days challenge 20, 20,000-step week 40 */
	cr_expect_eq (p->points, 180);
	cr_expect_eq (p->level, 2);
	cr_expect_str_eq (p->level_def->title.zh, "二级");
}

Test (ledger, entry_ids_come_from_the_source)
{
	GDate d = mvt_date ("2026-12-05");
	g_autoptr (MvLedgerEntry) a = mv_ledger_entry_new ("checkin:x", 10, "checkin:steps", &d);
	g_autoptr (MvLedgerEntry) b = mv_ledger_entry_new ("checkin:x", 10, "checkin:steps", &d);
	g_autoptr (MvLedgerEntry) c = mv_ledger_entry_new ("checkin:y", 10, "checkin:steps", &d);

	cr_expect_str_eq (a->id, b->id);
	cr_expect_str_neq (a->id, c->id);
	cr_expect_eq (strspn (a->id, "0123456789abcdef"), 32);
}

Test (ledger, pseudonyms_are_stable_keyed_and_reveal_nothing)
{
	guint8 salt[MV_PSEUDONYM_SALT_LEN], other[MV_PSEUDONYM_SALT_LEN];
	g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	g_autofree gchar *en = NULL, *zh = NULL, *again = NULL, *salted = NULL;
	const gchar *digits;

	for (guint i = 0; i < sizeof salt; i++) {
		salt[i] = (guint8)(i * 7 + 1);
		other[i] = (guint8)(i * 7 + 2);
	}
	en = mv_pseudonym_handle (salt, sizeof salt, "patient-0042", "en");
	zh = mv_pseudonym_handle (salt, sizeof salt, "patient-0042", "zh");
	again = mv_pseudonym_handle (salt, sizeof salt, "patient-0042", "en");
	salted = mv_pseudonym_handle (other, sizeof other, "patient-0042", "en");
	cr_expect_str_eq (en, again);
	cr_expect_str_neq (en, salted);
	cr_expect (strstr (en, "0042") == NULL && strstr (en, "patient") == NULL, "%s", en);
	/* the same number in both languages: the same handle, translated */
	digits = en + strcspn (en, "0123456789");
	cr_expect_eq (strlen (digits), 3, "%s", en);
	cr_expect (g_str_has_suffix (zh, digits), "%s / %s", en, zh);
	cr_expect (g_utf8_validate (zh, -1, NULL));
	/* 1,000 patients of a clinic: collisions are rare (expected about 0.14) */
	for (guint i = 0; i < 1000; i++) {
		g_autofree gchar *id = g_strdup_printf ("p%u", i);
		g_hash_table_add (seen, mv_pseudonym_handle (salt, sizeof salt, id, "en"));
	}
	cr_expect_geq (g_hash_table_size (seen), 998);
}

Test (ledger, the_leaderboard_shows_handles_points_and_ranks_only)
{
	guint8 salt[MV_PSEUDONYM_SALT_LEN];
	const MvLeaderboardInput players[] = {
		{ "patient-a", 120 }, { "patient-b", 300 }, { "patient-c", 120 },
		{ "patient-d", 50 },  { "patient-e", 10 },
	};
	g_autoptr (GArray) top = NULL;
	g_autofree gchar *d_handle = NULL;
	const MvLeaderboardRow *r;

	memset (salt, 0x5a, sizeof salt);
	top = mv_leaderboard_rank (salt, sizeof salt, players, G_N_ELEMENTS (players), "patient-e",
				   "en", 3);
	/* the top three and the caller's own row */
	cr_assert_eq (top->len, 4);
	r = &g_array_index (top, MvLeaderboardRow, 0);
	cr_expect_eq (r->points, 300);
	cr_expect_eq (r->rank, 1);
	cr_expect_eq (g_array_index (top, MvLeaderboardRow, 1).rank, 2);
	cr_expect_eq (g_array_index (top, MvLeaderboardRow, 2).rank, 2); /* a tie */
	cr_expect (g_strcmp0 (g_array_index (top, MvLeaderboardRow, 1).handle,
			      g_array_index (top, MvLeaderboardRow, 2).handle)
		   < 0);
	r = &g_array_index (top, MvLeaderboardRow, 3);
	cr_expect_eq (r->rank, 5);
	cr_expect (r->is_caller);
	cr_expect_eq (r->points, 10);
	d_handle = mv_pseudonym_handle (salt, sizeof salt, "patient-d", "en");
	for (guint i = 0; i < top->len; i++) {
		r = &g_array_index (top, MvLeaderboardRow, i);
		cr_expect (strstr (r->handle, "patient") == NULL, "%s", r->handle);
		cr_expect_str_neq (r->handle, d_handle); /* 4th place is not shown */
		cr_expect (i == 3 || !r->is_caller);
	}
}
