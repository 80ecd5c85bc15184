/*
 * Medverse engagement — the streak rule, on local calendar days.
 *
 * A streak counts consecutive local days (the patient's IANA time zone: mv-checkin.h dates
 * every check-in) with at least one check-in, ending today or yesterday: today is still open,
 * so a streak is not lost before the day is over.  One missed day per ISO week (Monday to
 * Sunday, local) is bridged as a grace day: it neither adds to the count nor breaks it; a
 * second miss in the same week breaks the streak.  A grace day only bridges: a miss before the
 * streak's first check-in is not part of it.  Duplicates and order do not matter (a set of
 * days goes in).  Days after @today are ignored.  docs/engagement.md explains it in words.
 *
 * Pure: no clock (today is an argument), no time zone (the dates are already local).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
	guint current;	       /* days with a check-in in the streak ending today or yesterday */
	guint longest;	       /* the longest streak ever (the current one included) */
	guint grace_days_used; /* grace days bridged inside the current streak */
	gboolean today_done;   /* today has a check-in */
	/* the current streak may still bridge a miss this week (no grace used this week) */
	gboolean grace_left_this_week;
	GDate start; /* the current streak's first day (invalid when current is 0) */
} MvStreak;

/**
 * mv_streak_compute:
 * @dates: (array length=n_dates): the local days with a check-in, in any order, repeats allowed
 * @today: the patient's local date today
 * @out: (out caller-allocates): the streak
 */
void mv_streak_compute (const GDate *dates, guint n_dates, const GDate *today, MvStreak *out);

/**
 * mv_streak_first_reached:
 * @days: a streak length (a milestone: 7, 30, 100)
 * @out: (out caller-allocates): the first day on which a streak reached @days
 *
 * Returns: %TRUE if some streak up to @today reached @days days
 */
gboolean mv_streak_first_reached (
	const GDate *dates, guint n_dates, const GDate *today, guint days, GDate *out);

/* The Monday of @date's ISO week, as a Julian day number (the week's key). */
guint32 mv_streak_week_of (const GDate *date);

G_END_DECLS
