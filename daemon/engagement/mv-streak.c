/*
 * The streak rule: see mv-streak.h.  Days are Julian day numbers (GDate's), so a day is an
 * integer and "yesterday" is one less, whatever the length of the day in hours (a DST change
 * made it 23 or 25): the time zone was applied once, when each check-in was dated.
 */
#define G_LOG_DOMAIN "medverse-engagement"

#include "mv-streak.h"

#include <string.h>

/* Julian day 1 (1 January of year 1, proleptic Gregorian) is a Monday. */
static guint32
week_of (guint32 julian)
{
	return julian - (julian - 1) % 7;
}

guint32
mv_streak_week_of (const GDate *date)
{
	return week_of (g_date_get_julian (date));
}

/* Which days in [first, last] have a check-in: a byte per day. */
typedef struct {
	guint32 first;
	guint32 last;
	GByteArray *has;
} Days;

static void
days_init (Days *d, const GDate *dates, guint n, const GDate *today)
{
	d->last = g_date_get_julian (today);
	d->first = d->last;
	for (guint i = 0; i < n; i++) {
		guint32 j = g_date_get_julian (&dates[i]);
		if (j <= d->last && j < d->first)
			d->first = j;
	}
	d->has = g_byte_array_sized_new (d->last - d->first + 1);
	g_byte_array_set_size (d->has, d->last - d->first + 1);
	memset (d->has->data, 0, d->has->len);
	for (guint i = 0; i < n; i++) {
		guint32 j = g_date_get_julian (&dates[i]);
		if (j <= d->last)
			d->has->data[j - d->first] = 1;
	}
}

static gboolean
has (const Days *d, guint32 j)
{
	return j >= d->first && j <= d->last && d->has->data[j - d->first] != 0;
}

typedef struct {
	guint count;
	guint graces;
	guint32 start;		 /* 0: none */
	guint32 last_grace_week; /* 0: none; the latest week whose grace the run used */
} Run;

/* The streak ending at @end, walking back: a miss is bridged if its week has not bridged one
 * yet; graces count only once a check-in day behind them is reached (a grace bridges, it does
 * not extend the streak into the time before it started). */
static Run
run_ending (const Days *d, guint32 end)
{
	Run r = { 0 };
	guint pending = 0;
	guint32 grace_week = 0;	  /* the week of the latest miss met */
	guint32 pending_week = 0; /* the week of the first pending miss (the latest in time) */

	for (guint32 j = end; j >= d->first && j > 0; j--) {
		if (has (d, j)) {
			r.count++;
			if (pending > 0 && r.last_grace_week == 0)
				r.last_grace_week = pending_week;
			r.graces += pending;
			pending = 0;
			r.start = j;
			continue;
		}
		if (week_of (j) == grace_week)
			break;
		grace_week = week_of (j);
		if (pending == 0)
			pending_week = grace_week;
		pending++;
	}
	return r;
}

void
mv_streak_compute (const GDate *dates, guint n_dates, const GDate *today, MvStreak *out)
{
	Days d;
	guint32 t = g_date_get_julian (today);
	Run current;

	g_return_if_fail (g_date_valid (today));
	memset (out, 0, sizeof *out);
	g_date_clear (&out->start, 1);
	days_init (&d, dates, n_dates, today);
	out->today_done = has (&d, t);
	current = run_ending (&d, out->today_done ? t : t - 1);
	out->current = current.count;
	out->grace_days_used = current.graces;
	out->grace_left_this_week = current.count > 0 && current.last_grace_week != week_of (t);
	if (current.count > 0)
		g_date_set_julian (&out->start, current.start);
	out->longest = current.count;
	/* a run ends on a check-in day whose next day has none: only there can it be longest */
	for (guint32 j = d.first; j <= d.last; j++) {
		if (has (&d, j) && !has (&d, j + 1)) {
			Run r = run_ending (&d, j);
			out->longest = MAX (out->longest, r.count);
		}
	}
	g_byte_array_unref (d.has);
}

gboolean
mv_streak_first_reached (
	const GDate *dates, guint n_dates, const GDate *today, guint days, GDate *out)
{
	Days d;
	gboolean found = FALSE;

	g_return_val_if_fail (g_date_valid (today) && days > 0, FALSE);
	days_init (&d, dates, n_dates, today);
	for (guint32 j = d.first; j <= d.last && !found; j++) {
		if (has (&d, j) && run_ending (&d, j).count >= days) {
			g_date_clear (out, 1);
			g_date_set_julian (out, j);
			found = TRUE;
		}
	}
	g_byte_array_unref (d.has);
	return found;
}
