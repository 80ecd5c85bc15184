/*
 * plan-generator core — triage first, then the plan: goals, a weekly schedule fitted to the
 * patient's time, follow-ups and the safe limits that shaped it (pg-plan.h).
 *
 * Safety comes before the schedule: every limit a fired rule sets (no vigorous activity,
 * a longest session, the patient's minutes a day) caps intensities and the ceilings targets
 * rise to, in Generate and in every Replan, so adherence can never push a target past it.
 */
#define G_LOG_DOMAIN "plan-generator"

#include "pg-plan-private.h"

#include <math.h>
#include <string.h>

static const gchar *const pg_days[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL };

/* the days a task of N sessions a week falls on, spread out (index 0 unused) */
static const guint8 pg_day_patterns[8][7] = {
	{ 0 },
	{ 2 },
	{ 1, 4 },
	{ 0, 2, 4 },
	{ 0, 1, 3, 5 },
	{ 0, 1, 2, 4, 5 },
	{ 0, 1, 2, 3, 4, 5 },
	{ 0, 1, 2, 3, 4, 5, 6 },
};

/* a value that rises with adherence: minutes of a session or a per-session target */
typedef struct {
	gboolean present;
	gdouble value;
	gdouble start;
	gdouble step;
	gdouble ceiling;
} PgLevel;

typedef struct {
	const PgRule *rule;
	const PgTaskSpec *spec;
	const gchar *intensity;
	PgLevel minutes;
	PgLevel target;
	gboolean day[7];
	guint n_days;
} PgTask;

typedef struct {
	const PgRule *rule;
	gconstpointer spec;
} PgPick;

/* what Replan carries over from last week for one task */
typedef struct {
	gboolean has_minutes, has_target;
	gdouble minutes, minutes_start, target, target_start;
	gint verdict; /* +1 met, -1 missed, 0 neither or not reported */
} PgCarry;

static gint
pg_intensity_rank (const gchar *intensity)
{
	if (g_strcmp0 (intensity, "light") == 0)
		return 1;
	if (g_strcmp0 (intensity, "moderate") == 0)
		return 2;
	return 3;
}

/* rules */

/* one goal or task per id: the highest priority's (the first on a tie) */
static void
pg_pick (GPtrArray *picks, GHashTable *by_id, const PgRule *r, gconstpointer spec, const gchar *id)
{
	PgPick *old = g_hash_table_lookup (by_id, id);

	if (old == NULL) {
		PgPick *p = g_new0 (PgPick, 1);
		p->rule = r;
		p->spec = spec;
		g_ptr_array_add (picks, p);
		g_hash_table_insert (by_id, (gpointer)id, p);
	} else if (r->priority > old->rule->priority) {
		old->rule = r;
		old->spec = spec;
	}
}

typedef struct {
	GPtrArray *fired; /* const PgRule* */
	GPtrArray *goals; /* PgPick */
	GPtrArray *tasks; /* PgPick */
	gint intensity_max;
	gdouble session_max;
	GHashTable *metric_max; /* metric -> gdouble* */
} PgSelection;

static void
pg_selection_clear (PgSelection *s)
{
	g_clear_pointer (&s->fired, g_ptr_array_unref);
	g_clear_pointer (&s->goals, g_ptr_array_unref);
	g_clear_pointer (&s->tasks, g_ptr_array_unref);
	g_clear_pointer (&s->metric_max, g_hash_table_unref);
}

static void
pg_select (const PgRuleSet *set, const PgContext *ctx, PgSelection *s)
{
	g_autoptr (GHashTable) goal_ids = g_hash_table_new (g_str_hash, g_str_equal);
	g_autoptr (GHashTable) task_ids = g_hash_table_new (g_str_hash, g_str_equal);

	s->fired = g_ptr_array_new ();
	s->goals = g_ptr_array_new_with_free_func (g_free);
	s->tasks = g_ptr_array_new_with_free_func (g_free);
	s->metric_max = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
	s->intensity_max = 3;
	s->session_max = ctx->minutes_per_day;
	for (guint i = 0; i < set->rules->len; i++) {
		const PgRule *r = g_ptr_array_index (set->rules, i);
		/* a plan rule needs a clear yes: an uncertain finding changes no plan */
		if (pg_pred_eval (r->when, ctx, NULL, NULL) != PG_MATCH_YES)
			continue;
		g_ptr_array_add (s->fired, (gpointer)r);
		for (guint j = 0; j < r->goals->len; j++) {
			const PgGoalSpec *g = g_ptr_array_index (r->goals, j);
			pg_pick (s->goals, goal_ids, r, g, g->id);
		}
		for (guint j = 0; j < r->tasks->len; j++) {
			const PgTaskSpec *t = g_ptr_array_index (r->tasks, j);
			pg_pick (s->tasks, task_ids, r, t, t->id);
		}
		for (guint j = 0; j < r->limits->len; j++) {
			const PgLimitSpec *l = g_ptr_array_index (r->limits, j);
			gdouble *old;
			if (!l->has_max)
				continue;
			if (g_str_equal (l->metric, "intensity"))
				s->intensity_max = MIN (s->intensity_max, (gint)l->max);
			else if (g_str_equal (l->metric, "session_minutes"))
				s->session_max = MIN (s->session_max, l->max);
			old = g_hash_table_lookup (s->metric_max, l->metric);
			if (old == NULL)
				g_hash_table_insert (s->metric_max, l->metric,
						     g_memdup2 (&l->max, sizeof l->max));
			else
				*old = MIN (*old, l->max);
		}
	}
}

/* tasks: levels, limits, the schedule */

static void
pg_level_init (
	PgLevel *lv, const PgProgress *p, gdouble cap, const PgCarry *carry, gboolean minutes)
{
	gboolean has = carry != NULL && (minutes ? carry->has_minutes : carry->has_target);
	gdouble value = has ? (minutes ? carry->minutes : carry->target) : p->start;
	gdouble start = has ? (minutes ? carry->minutes_start : carry->target_start) : p->start;

	lv->present = p->present;
	if (!p->present)
		return;
	lv->step = p->step;
	lv->ceiling = MIN (p->ceiling, cap);
	lv->start = MIN (start, lv->ceiling);
	if (carry != NULL && carry->verdict > 0)
		value += lv->step;
	else if (carry != NULL && carry->verdict < 0)
		value = MAX (value - lv->step, lv->start);
	lv->value = CLAMP (value, 0, lv->ceiling);
}

static gboolean
pg_task_init (PgTask *t,
	      const PgPick *pick,
	      const PgSelection *s,
	      const PgContext *ctx,
	      const PgCarry *carry)
{
	const PgTaskSpec *spec = pick->spec;
	gdouble *metric_cap
		= spec->metric != NULL ? g_hash_table_lookup (s->metric_max, spec->metric) : NULL;

	t->rule = pick->rule;
	t->spec = spec;
	t->intensity = spec->intensity;
	/* a task harder than a limit allows is left out, not toned down: its text describes
	 * that intensity ("vigorous play"), and a gentler task comes from the rule that set
	 * the limit */
	if (spec->intensity != NULL && pg_intensity_rank (spec->intensity) > s->intensity_max)
		return FALSE;
	pg_level_init (&t->minutes, &spec->minutes, MIN (s->session_max, ctx->minutes_per_day),
		       carry, TRUE);
	pg_level_init (&t->target, &spec->target, metric_cap != NULL ? *metric_cap : INFINITY,
		       carry, FALSE);
	/* a timed task with no time left for it (minutes_per_day 0) is left out */
	return !t->minutes.present || t->minutes.ceiling >= 1;
}

static void
pg_schedule_untimed (PgTask *t)
{
	const PgTaskSpec *spec = t->spec;

	for (guint i = 0; spec->days != NULL && spec->days[i] != NULL; i++) {
		for (guint d = 0; d < 7; d++)
			t->day[d] |= g_str_equal (spec->days[i], pg_days[d]);
	}
	if (spec->days == NULL) {
		for (guint i = 0; i < spec->sessions; i++)
			t->day[pg_day_patterns[spec->sessions][i]] = TRUE;
	}
	for (guint d = 0; d < 7; d++)
		t->n_days += t->day[d] ? 1 : 0;
}

/* A timed task goes on its pattern's days; a day without room is swapped for the roomiest
 * free one, and if the time still does not fit, the session is shortened to what does. */
static void
pg_schedule_timed (PgTask *t, guint budget[7])
{
	guint want = (guint)ceil (t->minutes.value);
	guint fit = want;

	pg_schedule_untimed (t);
	for (guint d = 0; d < 7; d++) {
		gint best = -1;
		if (!t->day[d] || budget[d] >= want)
			continue;
		for (guint o = 0; o < 7; o++) {
			if (!t->day[o] && budget[o] >= want
			    && (best < 0 || budget[o] > budget[best]))
				best = (gint)o;
		}
		if (best >= 0 && t->spec->days == NULL) {
			t->day[d] = FALSE;
			t->day[best] = TRUE;
		}
	}
	for (guint d = 0; d < 7; d++) {
		if (t->day[d])
			fit = MIN (fit, budget[d]);
	}
	if (fit < want) {
		t->minutes.value = fit;
		t->minutes.start = MIN (t->minutes.start, fit);
	}
	for (guint d = 0; d < 7; d++) {
		if (t->day[d])
			budget[d] -= MIN (budget[d], fit);
	}
}

static gchar *
pg_render (const gchar *text, const PgTask *t)
{
	g_autoptr (GString) s = g_string_new (text);
	g_autofree gchar *minutes = g_strdup_printf ("%u", (guint)ceil (t->minutes.value));
	g_autofree gchar *sessions = g_strdup_printf ("%u", t->n_days);
	gchar target[G_ASCII_DTOSTR_BUF_SIZE];

	g_ascii_formatd (target, sizeof target, "%g", t->target.value);
	g_string_replace (s, "{minutes}", minutes, 0);
	g_string_replace (s, "{sessions}", sessions, 0);
	g_string_replace (s, "{target}", target, 0);
	return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
pg_insert_level (GVariantDict *d, const gchar *prefix, const PgLevel *lv)
{
	g_autofree gchar *start = g_strconcat (prefix, "_start", NULL);
	g_autofree gchar *step = g_strconcat (prefix, "_step", NULL);
	g_autofree gchar *ceiling = g_strconcat (prefix, "_ceiling", NULL);

	g_variant_dict_insert (d, start, "d", lv->start);
	g_variant_dict_insert (d, step, "d", lv->step);
	g_variant_dict_insert (d, ceiling, "d", lv->ceiling);
}

static GVariant *
pg_task_to_variant (const PgTask *t, PgLang lang)
{
	GVariantDict d;
	GVariantBuilder days;
	g_autofree gchar *title = pg_render (pg_text_get (&t->spec->title, lang), t);
	g_autofree gchar *detail = pg_render (pg_text_get (&t->spec->detail, lang), t);

	g_variant_builder_init (&days, G_VARIANT_TYPE_STRING_ARRAY);
	for (guint i = 0; i < 7; i++) {
		if (t->day[i])
			g_variant_builder_add (&days, "s", pg_days[i]);
	}
	g_variant_dict_init (&d, NULL);
	g_variant_dict_insert (&d, "id", "s", t->spec->id);
	g_variant_dict_insert (&d, "category", "s", t->spec->category);
	g_variant_dict_insert (&d, "title", "s", title);
	g_variant_dict_insert (&d, "detail", "s", detail);
	g_variant_dict_insert_value (&d, "days", g_variant_builder_end (&days));
	if (t->minutes.present) {
		g_variant_dict_insert (&d, "minutes", "u", (guint)ceil (t->minutes.value));
		pg_insert_level (&d, "minutes", &t->minutes);
	}
	/* a task without a measurement is completed by a "task" check-in naming its id */
	g_variant_dict_insert (&d, "metric", "s",
			       t->spec->metric != NULL ? t->spec->metric : "task");
	if (t->target.present) {
		g_variant_dict_insert (&d, "target", "d", t->target.value);
		pg_insert_level (&d, "target", &t->target);
	} else if (t->minutes.present && g_strcmp0 (t->spec->metric, "active_minutes") == 0) {
		g_variant_dict_insert (&d, "target", "d", ceil (t->minutes.value));
	}
	if (t->intensity != NULL)
		g_variant_dict_insert (&d, "intensity", "s", t->intensity);
	g_variant_dict_insert (&d, "rule", "s", t->rule->id);
	g_variant_dict_insert (&d, "source", "s", t->rule->source.citation);
	return g_variant_dict_end (&d);
}

static GVariant *
pg_tasks_build (const PgSelection *s, const PgContext *ctx, GHashTable *carry)
{
	g_autofree PgTask *tasks = g_new0 (PgTask, s->tasks->len + 1);
	guint budget[7];
	GVariantBuilder b;

	for (guint d = 0; d < 7; d++)
		budget[d] = ctx->minutes_per_day;
	g_variant_builder_init (&b, G_VARIANT_TYPE ("aa{sv}"));
	/* timed tasks first, in rule order, so that the guideline's main activity gets the time */
	for (guint pass = 0; pass < 2; pass++) {
		for (guint i = 0; i < s->tasks->len; i++) {
			const PgPick *pick = g_ptr_array_index (s->tasks, i);
			const PgTaskSpec *spec = pick->spec;
			PgTask *t = &tasks[i];
			if (spec->minutes.present != (pass == 0))
				continue;
			if (!pg_task_init (t, pick, s, ctx,
					   carry != NULL ? g_hash_table_lookup (carry, spec->id)
							 : NULL))
				continue;
			if (pass == 0)
				pg_schedule_timed (t, budget);
			else
				pg_schedule_untimed (t);
		}
	}
	for (guint i = 0; i < s->tasks->len; i++) {
		if (tasks[i].spec != NULL && tasks[i].n_days > 0
		    && (!tasks[i].minutes.present || tasks[i].minutes.value >= 1))
			g_variant_builder_add_value (&b, pg_task_to_variant (&tasks[i], ctx->lang));
	}
	return g_variant_builder_end (&b);
}

/* goals, follow-ups, limits */

/* Where a goal starts from: the record's reading, else last week's check-ins of its metric
 * (summed for a weekly goal, the latest weight, else their mean), else the BMI computed. */
static gboolean
pg_goal_baseline (const PgGoalSpec *g, const PgContext *ctx, gdouble *out)
{
	g_autofree gchar *from = pg_date_add_days (ctx->today, -7);
	const gchar *latest = NULL;
	gdouble sum = 0;
	guint n = 0;

	if (g->baseline_code != NULL && pg_context_measurement (ctx, g->baseline_code, NULL, out))
		return TRUE;
	for (guint i = 0; i < ctx->checkins->len; i++) {
		const PgCheckin *c = g_ptr_array_index (ctx->checkins, i);
		if (g_strcmp0 (c->metric, g->metric) != 0 || c->date == NULL
		    || strcmp (c->date, from) < 0 || strcmp (c->date, ctx->today) >= 0)
			continue;
		sum += c->value;
		n++;
		if (latest == NULL || strcmp (c->date, latest) >= 0) {
			latest = c->date;
			if (g_str_equal (g->metric, "weight"))
				*out = c->value;
		}
	}
	if (n > 0) {
		if (!g_str_equal (g->metric, "weight"))
			*out = g_str_has_suffix (g->unit, "/wk") ? sum : sum / n;
		return TRUE;
	}
	if (!g_str_equal (g->metric, "bmi") || !pg_context_bmi (ctx, out))
		return FALSE;
	*out = round (*out * 10) / 10; /* as a BMI is read: one decimal */
	return TRUE;
}

static GVariant *
pg_goal_to_variant (const PgPick *pick, const PgContext *ctx)
{
	const PgGoalSpec *g = pick->spec;
	GVariantDict d;
	gdouble baseline = 0;
	gboolean has_baseline = pg_goal_baseline (g, ctx, &baseline);
	g_autofree gchar *due = pg_date_add_days (ctx->today, (gint)g->due_weeks * 7);

	g_variant_dict_init (&d, NULL);
	g_variant_dict_insert (&d, "id", "s", g->id);
	g_variant_dict_insert (&d, "metric", "s", g->metric);
	g_variant_dict_insert (&d, "direction", "s", g->direction);
	if (has_baseline)
		g_variant_dict_insert (&d, "baseline", "d", baseline);
	if (g->has_target) {
		g_variant_dict_insert (&d, "target", "d", g->target);
		g_variant_dict_insert (&d, "unit", "s", g->unit);
	} else if (has_baseline) {
		/* "lose 7 %" as the weight to reach, to one decimal */
		gdouble target = round (baseline * (1 + g->change_percent / 100) * 10) / 10;
		g_variant_dict_insert (&d, "target", "d", target);
		g_variant_dict_insert (&d, "unit", "s", g->unit);
	} else {
		g_variant_dict_insert (&d, "target", "d", g->change_percent);
		g_variant_dict_insert (&d, "unit", "s", "%");
		g_variant_dict_insert (&d, "relative", "b", TRUE);
	}
	g_variant_dict_insert (&d, "due", "s", due);
	g_variant_dict_insert (&d, "title", "s", pg_text_get (&g->title, ctx->lang));
	g_variant_dict_insert (&d, "rule", "s", pick->rule->id);
	g_variant_dict_insert (&d, "source", "s", pick->rule->source.citation);
	return g_variant_dict_end (&d);
}

static GVariant *
pg_goals_build (const PgSelection *s, const PgContext *ctx)
{
	GVariantBuilder b;

	g_variant_builder_init (&b, G_VARIANT_TYPE ("aa{sv}"));
	for (guint i = 0; i < s->goals->len; i++)
		g_variant_builder_add_value (
			&b, pg_goal_to_variant (g_ptr_array_index (s->goals, i), ctx));
	return g_variant_builder_end (&b);
}

typedef struct {
	gchar *date;
	GVariant *value;
} PgDated;

static gint
pg_dated_compare (gconstpointer a, gconstpointer b)
{
	const PgDated *x = a;
	const PgDated *y = b;

	return strcmp (x->date, y->date);
}

static void
pg_add_follow_up (
	GArray *out, const gchar *date, const gchar *reason, const gchar *rule, const gchar *source)
{
	GVariantDict d;
	PgDated item;

	g_variant_dict_init (&d, NULL);
	g_variant_dict_insert (&d, "date", "s", date);
	g_variant_dict_insert (&d, "reason", "s", reason);
	g_variant_dict_insert (&d, "rule", "s", rule);
	g_variant_dict_insert (&d, "source", "s", source);
	item.date = g_strdup (date);
	item.value = g_variant_ref_sink (g_variant_dict_end (&d));
	g_array_append_val (out, item);
}

/* The dates of a rule's follow-ups: the ones a previous version already scheduled for this rule
 * (@kept: rule id -> its dates, sorted) keep their date, so a weekly re-plan never pushes a
 * visit back by measuring "within a month" from the new today; overdue ones stay overdue. A
 * rule that fires anew gets fresh dates. Paired by order: the earliest kept date goes to the
 * spec that comes first from the same day. */
static GPtrArray *
pg_follow_up_dates (const PgRule *r, const PgContext *ctx, GHashTable *kept)
{
	GPtrArray *dates = g_ptr_array_new_with_free_func (g_free);
	GPtrArray *old = kept != NULL ? g_hash_table_lookup (kept, r->id) : NULL;
	g_autofree guint *rank = g_new0 (guint, r->follow_ups->len + 1);

	for (guint j = 0; j < r->follow_ups->len; j++) {
		const PgFollowUpSpec *f = g_ptr_array_index (r->follow_ups, j);
		g_ptr_array_add (dates, pg_date_add_days (ctx->today, (gint)f->in_days));
	}
	/* rank[j]: how many of the rule's specs come before spec j */
	for (guint j = 0; j < dates->len; j++)
		for (guint k = 0; k < dates->len; k++)
			if (strcmp (dates->pdata[k], dates->pdata[j]) < 0
			    || (strcmp (dates->pdata[k], dates->pdata[j]) == 0 && k < j))
				rank[j]++;
	for (guint j = 0; old != NULL && j < dates->len; j++) {
		if (rank[j] >= old->len)
			continue;
		g_free (dates->pdata[j]);
		dates->pdata[j] = g_strdup (g_ptr_array_index (old, rank[j]));
	}
	return dates;
}

static GVariant *
pg_follow_ups_build (const PgSelection *s, GPtrArray *hits, const PgContext *ctx, GHashTable *kept)
{
	g_autoptr (GArray) items = g_array_new (FALSE, FALSE, sizeof (PgDated));
	GVariantBuilder b;

	/* a red flag: today, its instruction as the reason */
	for (guint i = 0; i < hits->len; i++) {
		const PgFlagHit *h = g_ptr_array_index (hits, i);
		pg_add_follow_up (items, ctx->today, pg_text_get (&h->flag->instruction, ctx->lang),
				  h->flag->id, h->flag->source.citation);
	}
	for (guint i = 0; i < s->fired->len; i++) {
		const PgRule *r = g_ptr_array_index (s->fired, i);
		g_autoptr (GPtrArray) dates = pg_follow_up_dates (r, ctx, kept);
		for (guint j = 0; j < r->follow_ups->len; j++) {
			const PgFollowUpSpec *f = g_ptr_array_index (r->follow_ups, j);
			pg_add_follow_up (items, dates->pdata[j],
					  pg_text_get (&f->reason, ctx->lang), r->id,
					  r->source.citation);
		}
	}
	g_array_sort (items, pg_dated_compare);
	g_variant_builder_init (&b, G_VARIANT_TYPE ("aa{sv}"));
	for (guint i = 0; i < items->len; i++) {
		PgDated *item = &g_array_index (items, PgDated, i);
		g_variant_builder_add_value (&b, item->value);
		g_variant_unref (item->value);
		g_free (item->date);
	}
	return g_variant_builder_end (&b);
}

static GVariant *
pg_limits_build (const PgSelection *s, const PgContext *ctx)
{
	GVariantBuilder b;
	GVariantDict d;

	g_variant_builder_init (&b, G_VARIANT_TYPE ("aa{sv}"));
	for (guint i = 0; i < s->fired->len; i++) {
		const PgRule *r = g_ptr_array_index (s->fired, i);
		for (guint j = 0; j < r->limits->len; j++) {
			const PgLimitSpec *l = g_ptr_array_index (r->limits, j);
			g_variant_dict_init (&d, NULL);
			g_variant_dict_insert (&d, "metric", "s", l->metric);
			if (l->has_max)
				g_variant_dict_insert (&d, "max", "d", l->max);
			if (l->has_min)
				g_variant_dict_insert (&d, "min", "d", l->min);
			g_variant_dict_insert (&d, "rule", "s", r->id);
			g_variant_dict_insert (&d, "reason", "s",
					       pg_text_get (&l->reason, ctx->lang));
			g_variant_builder_add_value (&b, g_variant_dict_end (&d));
		}
	}
	/* the patient's own time is a limit too: no session is planned longer than it */
	g_variant_dict_init (&d, NULL);
	g_variant_dict_insert (&d, "metric", "s", "minutes_per_day");
	g_variant_dict_insert (&d, "max", "d", (gdouble)ctx->minutes_per_day);
	g_variant_dict_insert (&d, "rule", "s", "context");
	g_variant_dict_insert (&d, "reason", "s",
			       ctx->lang == PG_LANG_ZH ? "您每天可用于计划的时间"
						       : "The time you have for the plan each day");
	g_variant_builder_add_value (&b, g_variant_dict_end (&d));
	return g_variant_builder_end (&b);
}

static GVariant *
pg_plan_build (const PgRuleSet *set,
	       const PgContext *ctx,
	       GHashTable *carry,
	       GHashTable *kept,
	       guint version)
{
	g_autoptr (GPtrArray) hits = pg_triage_hits (set, ctx);
	PgSelection s = { 0 };
	GVariantBuilder b;
	gboolean suppressed = hits->len > 0;

	pg_select (set, ctx, &s);
	/* a builder, not a dict: the members keep this order (red flags at the top) in JSON too */
	g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add (&b, "{sv}", "status",
			       g_variant_new_string (suppressed ? "suppressed" : "active"));
	g_variant_builder_add (&b, "{sv}", "red_flags", pg_flags_to_variant (hits, ctx->lang));
	/* a red flag withholds the gamified plan until a clinician clears it */
	g_variant_builder_add (&b, "{sv}", "goals",
			       suppressed ? g_variant_new ("aa{sv}", NULL)
					  : pg_goals_build (&s, ctx));
	g_variant_builder_add (&b, "{sv}", "tasks",
			       suppressed ? g_variant_new ("aa{sv}", NULL)
					  : pg_tasks_build (&s, ctx, carry));
	g_variant_builder_add (&b, "{sv}", "follow_ups", pg_follow_ups_build (&s, hits, ctx, kept));
	g_variant_builder_add (&b, "{sv}", "limits", pg_limits_build (&s, ctx));
	g_variant_builder_add (&b, "{sv}", "language",
			       g_variant_new_string (ctx->lang == PG_LANG_ZH ? "zh" : "en"));
	g_variant_builder_add (&b, "{sv}", "generated_on", g_variant_new_string (ctx->today));
	g_variant_builder_add (&b, "{sv}", "week_start", g_variant_new_string (ctx->today));
	g_variant_builder_add (&b, "{sv}", "rules_version", g_variant_new_string (set->version));
	g_variant_builder_add (&b, "{sv}", "version", g_variant_new_uint32 (version));
	pg_selection_clear (&s);
	return g_variant_builder_end (&b);
}

GVariant *
pg_plan_generate (const PgRuleSet *set, const PgContext *ctx)
{
	return pg_plan_build (set, ctx, NULL, NULL, 1);
}

/* Replan */

static gboolean
pg_lookup_number (GVariant *dict, const gchar *key, gdouble *out)
{
	g_autoptr (GVariant) v = g_variant_lookup_value (dict, key, NULL);

	return v != NULL && pg_variant_number (v, out);
}

static gchar *
pg_lookup_string (GVariant *dict, const gchar *key)
{
	g_autoptr (GVariant) v = g_variant_lookup_value (dict, key, NULL);
	GVariant *s = v != NULL ? pg_variant_unbox (v) : NULL;

	return s != NULL && g_variant_is_of_type (s, G_VARIANT_TYPE_STRING)
		       ? g_variant_dup_string (s, NULL)
		       : NULL;
}

static gint
pg_str_ptr_compare (gconstpointer a, gconstpointer b)
{
	return strcmp (*(const gchar *const *)a, *(const gchar *const *)b);
}

/* The follow-up dates a previous version scheduled, by rule (sorted): what Replan keeps.
 * Lenient: an entry without a rule or a valid date is passed over (the rule then dates afresh),
 * since an older plan with no follow-ups at all is valid input. */
static GHashTable *
pg_read_kept_follow_ups (GVariant *previous)
{
	GHashTable *kept = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
						  (GDestroyNotify)g_ptr_array_unref);
	g_autoptr (GVariant) list = g_variant_lookup_value (previous, "follow_ups", NULL);
	g_autoptr (GPtrArray) dicts = NULL;
	g_autoptr (GPtrArray) ignored = pg_problems_new ();
	GHashTableIter iter;
	gpointer value;

	if (list != NULL)
		dicts = pg_variant_dicts (list, "/previous/follow_ups", ignored);
	for (guint i = 0; dicts != NULL && i < dicts->len; i++) {
		g_autofree gchar *rule = pg_lookup_string (dicts->pdata[i], "rule");
		g_autofree gchar *date = pg_lookup_string (dicts->pdata[i], "date");
		GPtrArray *dates;
		GDate d;

		if (rule == NULL || date == NULL || !pg_date_parse (date, &d))
			continue;
		dates = g_hash_table_lookup (kept, rule);
		if (dates == NULL) {
			dates = g_ptr_array_new_with_free_func (g_free);
			g_hash_table_insert (kept, g_strdup (rule), dates);
		}
		g_ptr_array_add (dates, g_steal_pointer (&date));
	}
	g_hash_table_iter_init (&iter, kept);
	while (g_hash_table_iter_next (&iter, NULL, &value))
		g_ptr_array_sort (value, pg_str_ptr_compare);
	return kept;
}

/* last week's tasks (their levels) and the ids a report may name */
static GHashTable *
pg_read_previous (GVariant *previous, GPtrArray *problems, GHashTable *ids, guint *version)
{
	g_autoptr (GHashTable) carry
		= g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	g_autoptr (GVariant) tasks = g_variant_lookup_value (previous, "tasks", NULL);
	g_autoptr (GVariant) goals = g_variant_lookup_value (previous, "goals", NULL);
	g_autoptr (GPtrArray) task_dicts = NULL;
	g_autoptr (GPtrArray) goal_dicts = NULL;
	gdouble v = 0;
	guint before = problems->len;

	if (!pg_lookup_number (previous, "version", &v) || v < 1 || v != floor (v)
	    || v >= G_MAXUINT)
		pg_problem_add (problems, "/previous/version", "required",
				"the previous plan's version (a whole number from 1) is required",
				"需要上一版计划的版本号（从 1 开始的整数）");
	*version = (guint)v;
	if (tasks == NULL || goals == NULL)
		pg_problem_add (problems, "/previous", "required",
				"the previous plan needs its goals and tasks",
				"上一版计划需包含 goals 和 tasks");
	if (tasks != NULL)
		task_dicts = pg_variant_dicts (tasks, "/previous/tasks", problems);
	if (goals != NULL)
		goal_dicts = pg_variant_dicts (goals, "/previous/goals", problems);
	for (guint i = 0; goal_dicts != NULL && i < goal_dicts->len; i++) {
		gchar *id = pg_lookup_string (g_ptr_array_index (goal_dicts, i), "id");
		if (id != NULL)
			g_hash_table_add (ids, id);
	}
	for (guint i = 0; task_dicts != NULL && i < task_dicts->len; i++) {
		GVariant *t = g_ptr_array_index (task_dicts, i);
		PgCarry *c = g_new0 (PgCarry, 1);
		gchar *id = pg_lookup_string (t, "id");
		if (id == NULL) {
			g_autofree gchar *f = g_strdup_printf ("/previous/tasks/%u/id", i);
			pg_problem_add (problems, f, "required", "a task needs its id",
					"任务需要 id");
			g_free (c);
			continue;
		}
		c->has_minutes = pg_lookup_number (t, "minutes", &c->minutes)
				 && pg_lookup_number (t, "minutes_start", &c->minutes_start);
		c->has_target = pg_lookup_number (t, "target", &c->target)
				&& pg_lookup_number (t, "target_start", &c->target_start);
		g_hash_table_add (ids, g_strdup (id));
		g_hash_table_insert (carry, id, c);
	}
	return problems->len > before ? NULL : g_steal_pointer (&carry);
}

static void
pg_read_adherence (GVariant *adherence, GHashTable *carry, GHashTable *ids, GPtrArray *problems)
{
	g_autoptr (GPtrArray) dicts = pg_variant_dicts (adherence, "/adherence", problems);
	static const gchar *const known[] = { "id", "planned", "done", NULL };

	for (guint i = 0; dicts != NULL && i < dicts->len; i++) {
		GVariant *a = g_ptr_array_index (dicts, i);
		g_autofree gchar *field = g_strdup_printf ("/adherence/%u", i);
		g_autofree gchar *id = pg_lookup_string (a, "id");
		gdouble planned = -1, done = -1;
		GVariantIter iter;
		const gchar *key;
		PgCarry *c;

		g_variant_iter_init (&iter, a);
		while (g_variant_iter_next (&iter, "{&sv}", &key, NULL)) {
			g_autofree gchar *f = g_strdup_printf ("%s/%s", field, key);
			if (!g_strv_contains (known, key))
				pg_problem_add (problems, f, "unknown-member",
						"is not a member this method knows",
						"不是本方法认识的成员");
		}
		if (id == NULL || !g_hash_table_contains (ids, id)) {
			g_autofree gchar *f = g_strdup_printf ("%s/id", field);
			pg_problem_add (problems, f, id == NULL ? "required" : "not-found",
					"must name a goal or task of the previous plan",
					"应为上一版计划中的目标或任务 id");
		}
		if (!pg_lookup_number (a, "planned", &planned)
		    || !pg_lookup_number (a, "done", &done) || planned < 0 || done < 0
		    || planned != floor (planned) || done != floor (done)) {
			pg_problem_add (problems, field, "wrong-type",
					"planned and done must be whole numbers from 0",
					"planned 和 done 应为非负整数");
			continue;
		}
		c = id != NULL && carry != NULL ? g_hash_table_lookup (carry, id) : NULL;
		if (c == NULL || planned == 0)
			continue; /* a goal's count, or nothing planned: no step */
		c->verdict = done >= PG_ADHERENCE_MET * planned	    ? 1
			     : done < PG_ADHERENCE_MISSED * planned ? -1
								    : 0;
	}
}

GVariant *
pg_plan_replan (const PgRuleSet *set,
		const PgContext *ctx,
		GVariant *previous,
		GVariant *adherence,
		GPtrArray *problems)
{
	g_autoptr (GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	g_autoptr (GHashTable) carry = NULL;
	g_autoptr (GHashTable) kept = NULL;
	guint before = problems->len;
	guint version = 0;

	carry = pg_read_previous (previous, problems, ids, &version);
	pg_read_adherence (adherence, carry, ids, problems);
	if (problems->len > before || carry == NULL)
		return NULL;
	kept = pg_read_kept_follow_ups (previous);
	return pg_plan_build (set, ctx, carry, kept, version + 1);
}

void
pg_plan_replan_check (GVariant *previous, GVariant *adherence, GPtrArray *problems)
{
	g_autoptr (GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	g_autoptr (GHashTable) carry = NULL;
	guint version = 0;

	carry = pg_read_previous (previous, problems, ids, &version);
	pg_read_adherence (adherence, carry, ids, problems);
}
