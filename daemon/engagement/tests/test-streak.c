/* Streaks: local calendar days (time zones, DST days of 23 and 25 hours), today still open,
 * one grace day per ISO week, duplicates and arrival order. */
#include "engagement-test.h"

/* The week of 2026-11-30 (Monday) to 2026-12-06 (Sunday), then 2026-12-07 to 2026-12-13. */

static MvStreak
streak_of (const gchar *const *days, const gchar *today)
{
	g_autoptr (GArray) dates = g_array_new (FALSE, FALSE, sizeof (GDate));
	GDate t = mvt_date (today);
	MvStreak s;

	for (; *days != NULL; days++) {
		GDate d = mvt_date (*days);
		g_array_append_val (dates, d);
	}
	mv_streak_compute ((const GDate *)dates->data, dates->len, &t, &s);
	return s;
}

#define DAYS(...) ((const gchar *const[]){ __VA_ARGS__, NULL })

static MvStreak
streak_of_checkins (GPtrArray *checkins, const gchar *today)
{
	g_autoptr (GArray) dates = g_array_new (FALSE, FALSE, sizeof (GDate));
	GDate t = mvt_date (today);
	MvStreak s;

	for (guint i = 0; i < checkins->len; i++)
		g_array_append_val (dates,
				    ((MvCheckin *)g_ptr_array_index (checkins, i))->local_date);
	mv_streak_compute ((const GDate *)dates->data, dates->len, &t, &s);
	return s;
}

Test (streak, consecutive_days_count_and_today_is_still_open)
{
	MvStreak done = streak_of (
		DAYS ("2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04", "2026-12-05"),
		"2026-12-05");
	MvStreak open = streak_of (DAYS ("2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04"),
				   "2026-12-05");
	GDate dec1 = mvt_date ("2026-12-01");

	cr_expect_eq (done.current, 5);
	cr_expect_eq (done.longest, 5);
	cr_expect (done.today_done);
	cr_expect_eq (done.grace_days_used, 0);
	cr_expect (done.grace_left_this_week);
	cr_expect_eq (g_date_compare (&done.start, &dec1), 0);
	/* no check-in yet today: yesterday's streak stands */
	cr_expect_eq (open.current, 4);
	cr_expect_not (open.today_done);
}

Test (streak, nothing_gives_zero)
{
	MvStreak none = streak_of (DAYS (NULL), "2026-12-05");
	MvStreak old = streak_of (DAYS ("2026-11-01", "2026-11-02"), "2026-12-05");

	cr_expect_eq (none.current, 0);
	cr_expect_eq (none.longest, 0);
	cr_expect_not (g_date_valid (&none.start));
	cr_expect_eq (old.current, 0);
	cr_expect_eq (old.longest, 2);
}

Test (streak, one_missed_day_in_a_week_is_bridged)
{
	/* Wednesday 2026-12-02 missed */
	MvStreak s = streak_of (DAYS ("2026-11-30", "2026-12-01", "2026-12-03", "2026-12-04"),
				"2026-12-04");

	cr_expect_eq (s.current, 4); /* the grace day does not add */
	cr_expect_eq (s.grace_days_used, 1);
	cr_expect_not (s.grace_left_this_week);
}

Test (streak, a_second_miss_in_the_same_week_breaks_the_streak)
{
	/* Tuesday and Wednesday missed: Monday is cut off, Thursday to Saturday count */
	MvStreak two = streak_of (DAYS ("2026-11-30", "2026-12-03", "2026-12-04", "2026-12-05"),
				  "2026-12-05");
	/* Tuesday and Thursday missed: the streak from Wednesday bridges Thursday, Tuesday is the
	 * second miss of the week and ends it */
	MvStreak apart = streak_of (DAYS ("2026-11-30", "2026-12-02", "2026-12-04", "2026-12-05"),
				    "2026-12-05");

	cr_expect_eq (two.current, 3);
	cr_expect_eq (two.grace_days_used, 0); /* Wednesday's grace bridged nothing */
	cr_expect_eq (apart.current, 3);
	cr_expect_eq (apart.grace_days_used, 1);
	cr_expect_eq (apart.longest, 3);
}

Test (streak, a_grace_in_each_of_two_weeks)
{
	/* Wednesday 2026-12-02 and Tuesday 2026-12-08 missed: one in each ISO week */
	MvStreak s = streak_of (DAYS ("2026-11-30", "2026-12-01", "2026-12-03", "2026-12-04",
				      "2026-12-05", "2026-12-06", "2026-12-07", "2026-12-09"),
				"2026-12-09");

	cr_expect_eq (s.current, 8);
	cr_expect_eq (s.grace_days_used, 2);
	cr_expect_not (s.grace_left_this_week);
}

Test (streak, yesterday_missed_is_a_grace_while_today_is_open)
{
	/* today Friday 2026-12-04 open, Thursday missed: the streak stands on its grace day */
	MvStreak s = streak_of (DAYS ("2026-12-01", "2026-12-02"), "2026-12-04");
	/* a miss before the first check-in is not bridged into the streak */
	MvStreak start = streak_of (DAYS ("2026-12-03", "2026-12-04"), "2026-12-04");

	cr_expect_eq (s.current, 2);
	cr_expect_eq (s.grace_days_used, 1);
	cr_expect_eq (start.current, 2);
	cr_expect_eq (start.grace_days_used, 0);
	cr_expect (start.grace_left_this_week);
}

Test (streak, duplicates_and_order_do_not_matter)
{
	MvStreak in_order = streak_of (
		DAYS ("2026-11-30", "2026-12-01", "2026-12-03", "2026-12-04", "2026-12-05"),
		"2026-12-05");
	MvStreak shuffled
		= streak_of (DAYS ("2026-12-05", "2026-12-01", "2026-12-05", "2026-11-30",
				   "2026-12-04", "2026-12-03", "2026-12-01", "2026-12-05"),
			     "2026-12-05");

	cr_expect_eq (shuffled.current, in_order.current);
	cr_expect_eq (shuffled.longest, in_order.longest);
	cr_expect_eq (shuffled.grace_days_used, in_order.grace_days_used);
	cr_expect_eq (shuffled.today_done, in_order.today_done);
	cr_expect_eq (g_date_compare (&shuffled.start, &in_order.start), 0);
	cr_expect_eq (in_order.current, 5);
}

Test (streak, days_after_today_are_ignored)
{
	MvStreak s = streak_of (DAYS ("2026-12-04", "2026-12-05", "2026-12-06"), "2026-12-05");

	cr_expect_eq (s.current, 2);
	cr_expect_eq (s.longest, 2);
}

Test (streak, the_longest_is_kept_after_a_break)
{
	MvStreak s = streak_of (DAYS ("2026-11-10", "2026-11-11", "2026-11-12", "2026-11-13",
				      "2026-11-14", "2026-11-15", "2026-11-16", "2026-12-04",
				      "2026-12-05"),
				"2026-12-05");
	GDate reached, expected = mvt_date ("2026-11-16");
	g_autoptr (GArray) dates = g_array_new (FALSE, FALSE, sizeof (GDate));
	GDate today = mvt_date ("2026-12-05");

	cr_expect_eq (s.current, 2);
	cr_expect_eq (s.longest, 7);
	for (guint d = 10; d <= 16; d++) {
		g_autofree gchar *text = g_strdup_printf ("2026-11-%02u", d);
		GDate day = mvt_date (text);
		g_array_append_val (dates, day);
	}
	cr_assert (mv_streak_first_reached ((const GDate *)dates->data, dates->len, &today, 7,
					    &reached));
	cr_expect_eq (g_date_compare (&reached, &expected), 0);
	cr_expect_not (mv_streak_first_reached ((const GDate *)dates->data, dates->len, &today, 8,
						&reached));
}

Test (streak, weeks_start_on_monday)
{
	GDate sat = mvt_date ("2026-12-05"), mon = mvt_date ("2026-11-30");
	GDate sun = mvt_date ("2026-12-06"), next = mvt_date ("2026-12-07");

	cr_expect_eq (mv_streak_week_of (&sat), g_date_get_julian (&mon));
	cr_expect_eq (mv_streak_week_of (&sun), g_date_get_julian (&mon));
	cr_expect_eq (mv_streak_week_of (&next), g_date_get_julian (&next));
}

/* The same two instants, for a patient in Shanghai and one in New York. */
Test (streak, the_time_zone_decides_the_day)
{
	g_autoptr (GTimeZone) shanghai = mvt_zone ("Asia/Shanghai");
	g_autoptr (GTimeZone) new_york = mvt_zone ("America/New_York");
	g_autoptr (GPtrArray) sh = g_ptr_array_new_with_free_func ((GDestroyNotify)mv_checkin_free);
	g_autoptr (GPtrArray) ny = g_ptr_array_new_with_free_func ((GDestroyNotify)mv_checkin_free);
	/* 23:30 on 1 December in Shanghai, 10:30 in New York; then 00:30 on 3 December in
	 * Shanghai, 11:30 on 2 December in New York */
	const gchar *instants[] = { "2026-12-01T15:30:00Z", "2026-12-02T16:30:00Z" };
	MvStreak s_sh, s_ny;

	for (guint i = 0; i < G_N_ELEMENTS (instants); i++) {
		g_ptr_array_add (sh, mvt_checkin ("c", MV_CHECKIN_MOOD, 4, instants[i], shanghai));
		g_ptr_array_add (ny, mvt_checkin ("c", MV_CHECKIN_MOOD, 4, instants[i], new_york));
	}
	s_sh = streak_of_checkins (sh, "2026-12-03");
	s_ny = streak_of_checkins (ny, "2026-12-03");
	/* Shanghai: 1 and 3 December, the 2nd bridged; New York: 1 and 2, today open */
	cr_expect_eq (s_sh.current, 2);
	cr_expect_eq (s_sh.grace_days_used, 1);
	cr_expect (s_sh.today_done);
	cr_expect_eq (s_ny.current, 2);
	cr_expect_eq (s_ny.grace_days_used, 0);
	cr_expect_not (s_ny.today_done);
}

/* Berlin's spring-forward day (29 March 2026) has 23 hours: 23:30 on the 28th and 23:30 on the
 * 29th are 23 hours apart and two consecutive days. */
Test (streak, a_23_hour_day_in_berlin)
{
	g_autoptr (GTimeZone) berlin = mvt_zone ("Europe/Berlin");
	g_autoptr (GPtrArray) c = g_ptr_array_new_with_free_func ((GDestroyNotify)mv_checkin_free);
	MvStreak s;

	g_ptr_array_add (
		c, mvt_checkin ("a", MV_CHECKIN_STEPS, 5000, "2026-03-28T23:30:00+01:00", berlin));
	g_ptr_array_add (
		c, mvt_checkin ("b", MV_CHECKIN_STEPS, 5000, "2026-03-29T23:30:00+02:00", berlin));
	g_ptr_array_add (
		c, mvt_checkin ("c", MV_CHECKIN_STEPS, 5000, "2026-03-30T00:30:00+02:00", berlin));
	cr_expect_eq (g_date_time_difference (((MvCheckin *)c->pdata[1])->at,
					      ((MvCheckin *)c->pdata[0])->at),
		      23 * G_TIME_SPAN_HOUR);
	s = streak_of_checkins (c, "2026-03-30");
	cr_expect_eq (s.current, 3);
	cr_expect_eq (s.grace_days_used, 0);
}

/* Berlin's fall-back day (25 October 2026) has 25 hours: 00:10 and 23:50 that day are 24 h 40
 * min apart and still one day; 00:10 the next day is the second. */
Test (streak, a_25_hour_day_in_berlin)
{
	g_autoptr (GTimeZone) berlin = mvt_zone ("Europe/Berlin");
	g_autoptr (GPtrArray) c = g_ptr_array_new_with_free_func ((GDestroyNotify)mv_checkin_free);
	MvStreak s;

	g_ptr_array_add (c,
			 mvt_checkin ("a", MV_CHECKIN_STEPS, 5000, "2026-10-24T22:10:00Z", berlin));
	g_ptr_array_add (c,
			 mvt_checkin ("b", MV_CHECKIN_STEPS, 5000, "2026-10-25T22:50:00Z", berlin));
	g_ptr_array_add (c,
			 mvt_checkin ("c", MV_CHECKIN_STEPS, 5000, "2026-10-25T23:10:00Z", berlin));
	cr_expect_eq (g_date_get_day (&((MvCheckin *)c->pdata[0])->local_date), 25);
	cr_expect_eq (g_date_get_day (&((MvCheckin *)c->pdata[1])->local_date), 25);
	cr_expect_eq (g_date_get_day (&((MvCheckin *)c->pdata[2])->local_date), 26);
	s = streak_of_checkins (c, "2026-10-26");
	cr_expect_eq (s.current, 2);
}

/* New York springs forward on 8 March 2026 and falls back on 1 November 2026. */
Test (streak, new_york_dst_days)
{
	g_autoptr (GTimeZone) ny = mvt_zone ("America/New_York");
	g_autoptr (GPtrArray) spring
		= g_ptr_array_new_with_free_func ((GDestroyNotify)mv_checkin_free);
	g_autoptr (GPtrArray) fall
		= g_ptr_array_new_with_free_func ((GDestroyNotify)mv_checkin_free);
	MvStreak s;

	/* 23:50 on 7 March (EST) and 00:10 on 9 March (EDT): 23 h 20 min apart, yet 8 March
	 * between them has no check-in: a grace day, not a consecutive day */
	g_ptr_array_add (spring, mvt_checkin ("a", MV_CHECKIN_MOOD, 3, "2026-03-08T04:50:00Z", ny));
	g_ptr_array_add (spring, mvt_checkin ("b", MV_CHECKIN_MOOD, 3, "2026-03-09T04:10:00Z", ny));
	s = streak_of_checkins (spring, "2026-03-09");
	cr_expect_eq (s.current, 2);
	cr_expect_eq (s.grace_days_used, 1);
	/* 00:30 (EDT) and 23:30 (EST) on 1 November: 24 hours apart, one day */
	g_ptr_array_add (fall, mvt_checkin ("a", MV_CHECKIN_MOOD, 3, "2026-11-01T04:30:00Z", ny));
	g_ptr_array_add (fall, mvt_checkin ("b", MV_CHECKIN_MOOD, 3, "2026-11-02T04:30:00Z", ny));
	g_ptr_array_add (fall, mvt_checkin ("c", MV_CHECKIN_MOOD, 3, "2026-11-02T14:00:00Z", ny));
	s = streak_of_checkins (fall, "2026-11-02");
	cr_expect_eq (s.current, 2);
	cr_expect_eq (s.grace_days_used, 0);
}
