/*
 * The points ledger and the progress derived from check-ins: see mv-ledger.h.
 *
 * Everything is computed from the check-ins put in a fixed order first (local day, time, id),
 * so the same set of check-ins gives the same entries whatever order they arrived in.
 */
#define G_LOG_DOMAIN "medverse-engagement"

#include "mv-ledger.h"

#include <string.h>

void
mv_ledger_entry_free (MvLedgerEntry *entry)
{
	if (entry == NULL)
		return;
	g_free (entry->id);
	g_free (entry->source);
	g_free (entry->reason);
	g_free (entry);
}

MvLedgerEntry *
mv_ledger_entry_new (const gchar *source, gint points, const gchar *reason, const GDate *date)
{
	MvLedgerEntry *e = g_new0 (MvLedgerEntry, 1);
	g_autofree gchar *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, source, -1);

	e->id = g_strndup (digest, 32);
	e->source = g_strdup (source);
	e->points = points;
	e->reason = g_strdup (reason);
	e->date = *date;
	return e;
}

/* ---- the facts: check-ins once each, in order, and their day figures --------------------- */

typedef struct {
	GPtrArray *checkins;			   /* MvCheckin (not owned), unique ids, ordered */
	GHashTable *figures[MV_CHECKIN_N_METRICS]; /* julian day → gdouble * */
	guint counts[MV_CHECKIN_N_METRICS];
	GArray *dates; /* GDate of each check-in */
} Facts;

static gint
by_day_time_id (gconstpointer a, gconstpointer b)
{
	const MvCheckin *x = *(MvCheckin *const *)a;
	const MvCheckin *y = *(MvCheckin *const *)b;
	gint c = g_date_compare (&x->local_date, &y->local_date);

	if (c == 0)
		c = g_date_time_compare (x->at, y->at);
	return c != 0 ? c : g_strcmp0 (x->id, y->id);
}

static void
add_figure (Facts *f, const MvCheckin *c)
{
	gpointer day = GUINT_TO_POINTER (g_date_get_julian (&c->local_date));
	gdouble *v = g_hash_table_lookup (f->figures[c->metric], day);

	if (v == NULL) {
		v = g_new0 (gdouble, 1);
		*v = mv_checkin_metric_day_rule (c->metric) == MV_CHECKIN_DAY_NONE ? 1 : c->value;
		g_hash_table_insert (f->figures[c->metric], day, v);
		return;
	}
	switch (mv_checkin_metric_day_rule (c->metric)) {
	case MV_CHECKIN_DAY_MAX:
		*v = MAX (*v, c->value);
		break;
	case MV_CHECKIN_DAY_SUM:
		*v += c->value;
		break;
	case MV_CHECKIN_DAY_NONE:
		break;
	}
}

static void
facts_init (Facts *f, GPtrArray *checkins, const GDate *today)
{
	g_autoptr (GPtrArray) sorted = g_ptr_array_new ();
	g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

	memset (f, 0, sizeof *f);
	f->checkins = g_ptr_array_new ();
	f->dates = g_array_new (FALSE, FALSE, sizeof (GDate));
	for (guint m = 0; m < MV_CHECKIN_N_METRICS; m++)
		f->figures[m] = g_hash_table_new_full (NULL, NULL, NULL, g_free);
	for (guint i = 0; checkins != NULL && i < checkins->len; i++) {
		MvCheckin *c = g_ptr_array_index (checkins, i);
		/* a check-in dated after today (a clock a few minutes ahead at midnight) waits */
		if (g_date_compare (&c->local_date, today) <= 0)
			g_ptr_array_add (sorted, c);
	}
	/* the first of a repeated id by time: sort by time before dropping repeats */
	g_ptr_array_sort (sorted, by_day_time_id);
	for (guint i = 0; i < sorted->len; i++) {
		MvCheckin *c = g_ptr_array_index (sorted, i);
		if (!g_hash_table_add (seen, c->id))
			continue;
		g_ptr_array_add (f->checkins, c);
		g_array_append_val (f->dates, c->local_date);
		f->counts[c->metric]++;
		add_figure (f, c);
	}
}

static void
facts_clear (Facts *f)
{
	g_clear_pointer (&f->checkins, g_ptr_array_unref);
	g_clear_pointer (&f->dates, g_array_unref);
	for (guint m = 0; m < MV_CHECKIN_N_METRICS; m++)
		g_clear_pointer (&f->figures[m], g_hash_table_unref);
}

/* ---- challenges ------------------------------------------------------------------------- */

typedef struct {
	guint32 week; /* the Monday's Julian day */
	gdouble total;
	gboolean won;
	guint32 won_on; /* the day the target was reached */
} Week;

static gint
by_uint (gconstpointer a, gconstpointer b)
{
	guint32 x = GPOINTER_TO_UINT (*(gconstpointer *)a);
	guint32 y = GPOINTER_TO_UINT (*(gconstpointer *)b);
	return x < y ? -1 : x > y;
}

/* Each ISO week with a check-in of @c's metric, in order, with its total and win. */
static GArray *
challenge_weeks (const Facts *f, const MvChallenge *c)
{
	GArray *weeks = g_array_new (FALSE, TRUE, sizeof (Week));
	g_autoptr (GPtrArray) days = g_ptr_array_new ();
	GHashTableIter it;
	gpointer key;

	g_hash_table_iter_init (&it, f->figures[c->metric]);
	while (g_hash_table_iter_next (&it, &key, NULL))
		g_ptr_array_add (days, key);
	g_ptr_array_sort (days, by_uint);
	for (guint i = 0; i < days->len; i++) {
		guint32 day = GPOINTER_TO_UINT (g_ptr_array_index (days, i));
		gdouble *v = g_hash_table_lookup (f->figures[c->metric], GUINT_TO_POINTER (day));
		guint32 week = day - (day - 1) % 7;
		Week *w;

		if (weeks->len == 0 || g_array_index (weeks, Week, weeks->len - 1).week != week) {
			Week fresh = { week, 0, FALSE, 0 };
			g_array_append_val (weeks, fresh);
		}
		w = &g_array_index (weeks, Week, weeks->len - 1);
		w->total += c->measure == MV_CHALLENGE_DAYS ? 1 : *v;
		if (!w->won && w->total >= c->target) {
			w->won = TRUE;
			w->won_on = day;
		}
	}
	return weeks;
}

/* ---- awarding --------------------------------------------------------------------------- */

static gchar *
date_string (const GDate *d)
{
	return g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (d), g_date_get_month (d),
				g_date_get_day (d));
}

/* "(metric, day)" → points already paid, from the entries' reasons "checkin:<metric>" */
static gchar *
cap_key (const gchar *reason, const GDate *date)
{
	return g_strdup_printf ("%s@%u", reason, g_date_get_julian (date));
}

typedef struct {
	GHashTable *sources; /* every source written or awarded now */
	GHashTable *paid;    /* cap_key → points (GINT_TO_POINTER) */
	GPtrArray *out;
} Award;

static void
award_add (Award *a, const gchar *source, gint points, const gchar *reason, const GDate *date)
{
	MvLedgerEntry *e = mv_ledger_entry_new (source, points, reason, date);

	g_hash_table_add (a->sources, g_strdup (source));
	g_ptr_array_add (a->out, e);
}

/* @points of @metric's rule for @source on @c's day, within the metric's daily cap */
static void
award_capped (const MvEngagementRules *rules,
	      Award *a,
	      const MvCheckin *c,
	      MvCheckinMetric metric,
	      const gchar *source)
{
	const MvPointRule *rule = &rules->points[metric];
	g_autofree gchar *reason = g_strdup_printf ("checkin:%s", mv_checkin_metric_name (metric));
	g_autofree gchar *key = cap_key (reason, &c->local_date);
	gint paid = GPOINTER_TO_INT (g_hash_table_lookup (a->paid, key));
	gint points = MIN ((gint)rule->points, (gint)rule->daily_cap - paid);

	if (g_hash_table_contains (a->sources, source) || points <= 0)
		return;
	award_add (a, source, points, reason, &c->local_date);
	g_hash_table_insert (a->paid, g_steal_pointer (&key), GINT_TO_POINTER (paid + points));
}

/* A check-in earns its metric's points; one naming a plan task (a `task` check-in, or a
 * measurement the task asked for) also earns the task's points, once per task and day. */
static void
award_checkins (const MvEngagementRules *rules, const Facts *f, Award *a)
{
	for (guint i = 0; i < f->checkins->len; i++) {
		const MvCheckin *c = g_ptr_array_index (f->checkins, i);
		g_autofree gchar *day = date_string (&c->local_date);

		if (c->metric != MV_CHECKIN_TASK) {
			g_autofree gchar *source = g_strdup_printf ("checkin:%s", c->id);
			award_capped (rules, a, c, c->metric, source);
		}
		if (c->task_id != NULL) {
			g_autofree gchar *source = g_strdup_printf ("task:%s:%s", c->task_id, day);
			award_capped (rules, a, c, MV_CHECKIN_TASK, source);
		}
	}
}

static void
award_milestones (const MvEngagementRules *rules, const Facts *f, const GDate *today, Award *a)
{
	for (guint i = 0; i < rules->milestones->len; i++) {
		const MvMilestone *m = &g_array_index (rules->milestones, MvMilestone, i);
		g_autofree gchar *source = g_strdup_printf ("streak:%u", m->days);
		GDate reached;

		if (m->points == 0 || g_hash_table_contains (a->sources, source)
		    || !mv_streak_first_reached ((const GDate *)f->dates->data, f->dates->len,
						 today, m->days, &reached))
			continue;
		award_add (a, source, (gint)m->points, "streak-milestone", &reached);
	}
}

static void
award_challenges (const MvEngagementRules *rules, const Facts *f, Award *a)
{
	for (guint i = 0; i < rules->challenges->len; i++) {
		const MvChallenge *c = g_ptr_array_index (rules->challenges, i);
		g_autoptr (GArray) weeks = challenge_weeks (f, c);

		for (guint w = 0; w < weeks->len && c->points > 0; w++) {
			const Week *wk = &g_array_index (weeks, Week, w);
			GDate monday, won_on;
			g_autofree gchar *monday_s = NULL;
			g_autofree gchar *source = NULL;

			if (!wk->won)
				continue;
			g_date_clear (&monday, 1);
			g_date_clear (&won_on, 1);
			g_date_set_julian (&monday, wk->week);
			g_date_set_julian (&won_on, wk->won_on);
			monday_s = date_string (&monday);
			source = g_strdup_printf ("challenge:%s:%s", c->id, monday_s);
			if (!g_hash_table_contains (a->sources, source))
				award_add (a, source, (gint)c->points, "challenge", &won_on);
		}
	}
}

static gint
by_entry_date (gconstpointer a, gconstpointer b)
{
	const MvLedgerEntry *x = *(MvLedgerEntry *const *)a;
	const MvLedgerEntry *y = *(MvLedgerEntry *const *)b;
	gint c = g_date_compare (&x->date, &y->date);

	return c != 0 ? c : strcmp (x->source, y->source);
}

GPtrArray *
mv_ledger_award (const MvEngagementRules *rules,
		 GPtrArray *checkins,
		 GPtrArray *ledger,
		 const GDate *today)
{
	Facts f;
	g_autoptr (GHashTable) sources
		= g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	g_autoptr (GHashTable) paid = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	Award a = { sources, paid,
		    g_ptr_array_new_with_free_func ((GDestroyNotify)mv_ledger_entry_free) };

	g_return_val_if_fail (rules != NULL && today != NULL, NULL);
	for (guint i = 0; ledger != NULL && i < ledger->len; i++) {
		const MvLedgerEntry *e = g_ptr_array_index (ledger, i);
		g_hash_table_add (sources, g_strdup (e->source));
		if (g_str_has_prefix (e->reason, "checkin:")) {
			gchar *key = cap_key (e->reason, &e->date);
			gint before = GPOINTER_TO_INT (g_hash_table_lookup (paid, key));
			g_hash_table_insert (paid, key, GINT_TO_POINTER (before + e->points));
		}
	}
	facts_init (&f, checkins, today);
	award_checkins (rules, &f, &a);
	award_milestones (rules, &f, today, &a);
	award_challenges (rules, &f, &a);
	facts_clear (&f);
	g_ptr_array_sort (a.out, by_entry_date);
	return a.out;
}

/* ---- progress --------------------------------------------------------------------------- */

void
mv_progress_free (MvProgress *progress)
{
	if (progress == NULL)
		return;
	g_clear_pointer (&progress->badges, g_ptr_array_unref);
	g_clear_pointer (&progress->challenges, g_array_unref);
	g_free (progress);
}

static gboolean
badge_earned (const MvBadge *b, const Facts *f, const MvProgress *p)
{
	GHashTableIter it;
	gpointer v;

	switch (b->kind) {
	case MV_BADGE_CHECKINS:
		return f->checkins->len >= b->threshold;
	case MV_BADGE_STREAK:
		return p->streak.longest >= b->threshold;
	case MV_BADGE_METRIC_DAYS:
		return g_hash_table_size (f->figures[b->metric]) >= b->threshold;
	case MV_BADGE_METRIC_COUNT:
		return f->counts[b->metric] >= b->threshold;
	case MV_BADGE_CHALLENGES_WON:
		return p->challenges_won >= b->threshold;
	case MV_BADGE_DAY_VALUE:
		g_hash_table_iter_init (&it, f->figures[b->metric]);
		while (g_hash_table_iter_next (&it, NULL, &v)) {
			if (*(gdouble *)v >= b->threshold)
				return TRUE;
		}
		return FALSE;
	}
	return FALSE;
}

static void
standings (const MvEngagementRules *rules, const Facts *f, const GDate *today, MvProgress *p)
{
	guint32 this_week = mv_streak_week_of (today);

	for (guint i = 0; i < rules->challenges->len; i++) {
		const MvChallenge *c = g_ptr_array_index (rules->challenges, i);
		g_autoptr (GArray) weeks = challenge_weeks (f, c);
		MvChallengeStanding s = { c, 0, FALSE };

		for (guint w = 0; w < weeks->len; w++) {
			const Week *wk = &g_array_index (weeks, Week, w);
			p->challenges_won += wk->won ? 1 : 0;
			if (wk->week == this_week) {
				s.progress = wk->total;
				s.won = wk->won;
			}
		}
		g_array_append_val (p->challenges, s);
	}
}

MvProgress *
mv_progress_compute (const MvEngagementRules *rules,
		     GPtrArray *checkins,
		     GPtrArray *ledger,
		     const GDate *today)
{
	MvProgress *p = g_new0 (MvProgress, 1);
	Facts f;

	facts_init (&f, checkins, today);
	for (guint i = 0; ledger != NULL && i < ledger->len; i++)
		p->points += ((MvLedgerEntry *)g_ptr_array_index (ledger, i))->points;
	p->level = mv_engagement_rules_level (rules, p->points, &p->level_def);
	p->next_level = p->level < rules->levels->len ? g_ptr_array_index (rules->levels, p->level)
						      : NULL;
	mv_streak_compute ((const GDate *)f.dates->data, f.dates->len, today, &p->streak);
	p->challenges = g_array_new (FALSE, TRUE, sizeof (MvChallengeStanding));
	standings (rules, &f, today, p);
	p->badges = g_ptr_array_new ();
	for (guint i = 0; i < rules->badges->len; i++) {
		const MvBadge *b = g_ptr_array_index (rules->badges, i);
		if (badge_earned (b, &f, p))
			g_ptr_array_add (p->badges, (gpointer)b);
	}
	facts_clear (&f);
	return p;
}
