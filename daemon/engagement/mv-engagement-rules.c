/*
 * The engagement rules file: see mv-engagement-rules.h.  Reading with lines is
 * mv-rules-json.c's; what each section must hold is here.
 */
#define G_LOG_DOMAIN "medverse-engagement"

#include "mv-engagement-rules.h"

#include "mv-rules-json.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

G_DEFINE_QUARK (mv - engagement - error - quark, mv_engagement_error)

static void
mv_level_free (MvLevel *l)
{
	g_free (l->title.en);
	g_free (l->title.zh);
	g_free (l);
}

static void
mv_badge_free (MvBadge *b)
{
	g_free (b->id);
	g_free (b->title.en);
	g_free (b->title.zh);
	g_free (b->description.en);
	g_free (b->description.zh);
	g_free (b);
}

static void
mv_challenge_free (MvChallenge *c)
{
	g_free (c->id);
	g_free (c->title.en);
	g_free (c->title.zh);
	g_free (c);
}

void
mv_engagement_rules_free (MvEngagementRules *rules)
{
	if (rules == NULL)
		return;
	g_free (rules->version);
	g_free (rules->digest);
	g_clear_pointer (&rules->milestones, g_array_unref);
	g_clear_pointer (&rules->levels, g_ptr_array_unref);
	g_clear_pointer (&rules->badges, g_ptr_array_unref);
	g_clear_pointer (&rules->challenges, g_ptr_array_unref);
	g_free (rules);
}

static gboolean
metric_member (MvRulesJson *l, JsonObject *o, guint line, const gchar *ptr, MvCheckinMetric *out)
{
	const gchar *name = mv_rj_string (l, o, line, ptr, "metric");

	if (name == NULL)
		return FALSE;
	if (mv_checkin_metric_from_name (name, out))
		return TRUE;
	mv_rj_problem (
		l, mv_rj_line (l, json_object_get_member (o, "metric")), ptr,
		"\"metric\" is not a check-in metric (steps, active_minutes, blood_pressure, "
		"glucose, weight, sleep, mood, task, vr_session)");
	return FALSE;
}

/* ---- sections --------------------------------------------------------------------------- */

static void
parse_points (MvRulesJson *l, JsonObject *root, MvEngagementRules *r)
{
	JsonNode *n = mv_rj_need (l, root, mv_rj_root_line (l), "", "points");
	JsonObject *o = mv_rj_object (l, n, "/points");
	const gchar *names[MV_CHECKIN_N_METRICS + 1] = { NULL };

	if (o == NULL)
		return;
	for (guint m = 0; m < MV_CHECKIN_N_METRICS; m++)
		names[m] = mv_checkin_metric_name ((MvCheckinMetric)m);
	mv_rj_only (l, o, "/points", names);
	for (guint m = 0; m < MV_CHECKIN_N_METRICS; m++) {
		g_autofree gchar *p = g_strdup_printf ("/points/%s", names[m]);
		JsonNode *mn = mv_rj_need (l, o, mv_rj_line (l, n), "/points", names[m]);
		JsonObject *rule = mv_rj_object (l, mn, p);

		if (rule == NULL)
			continue;
		mv_rj_only (l, rule, p, (const gchar *const[]){ "points", "daily_cap", NULL });
		r->points[m].points
			= mv_rj_uint (l, rule, mv_rj_line (l, mn), p, "points", 0, 10000);
		r->points[m].daily_cap
			= mv_rj_uint (l, rule, mv_rj_line (l, mn), p, "daily_cap", 0, 100000);
		if (r->points[m].daily_cap < r->points[m].points)
			mv_rj_problem (
				l, mv_rj_line (l, mn), p,
				"\"daily_cap\" is below \"points\": no check-in could earn its "
				"points");
	}
}

static void
parse_milestones (MvRulesJson *l, JsonObject *root, MvEngagementRules *r)
{
	JsonArray *a = mv_rj_array (
		l, mv_rj_need (l, root, mv_rj_root_line (l), "", "streak_milestones"),
		"/streak_milestones");

	for (guint i = 0; a != NULL && i < json_array_get_length (a); i++) {
		g_autofree gchar *p = g_strdup_printf ("/streak_milestones/%u", i);
		JsonNode *n = json_array_get_element (a, i);
		JsonObject *o = mv_rj_object (l, n, p);
		MvMilestone m;

		if (o == NULL)
			continue;
		mv_rj_only (l, o, p, (const gchar *const[]){ "days", "points", NULL });
		m.days = mv_rj_uint (l, o, mv_rj_line (l, n), p, "days", 1, 3650);
		m.points = mv_rj_uint (l, o, mv_rj_line (l, n), p, "points", 0, 100000);
		if (r->milestones->len > 0
		    && m.days <= g_array_index (r->milestones, MvMilestone, r->milestones->len - 1)
					 .days)
			mv_rj_problem (l, mv_rj_line (l, n), p,
				       "milestones must rise: more days than the one before");
		g_array_append_val (r->milestones, m);
	}
}

static void
parse_levels (MvRulesJson *l, JsonObject *root, MvEngagementRules *r)
{
	JsonNode *list = mv_rj_need (l, root, mv_rj_root_line (l), "", "levels");
	JsonArray *a = mv_rj_array (l, list, "/levels");

	if (a != NULL && json_array_get_length (a) == 0)
		mv_rj_problem (l, mv_rj_line (l, list), "/levels", "at least one level is needed");
	for (guint i = 0; a != NULL && i < json_array_get_length (a); i++) {
		g_autofree gchar *p = g_strdup_printf ("/levels/%u", i);
		JsonNode *n = json_array_get_element (a, i);
		JsonObject *o = mv_rj_object (l, n, p);
		MvLevel *lv;

		if (o == NULL)
			continue;
		mv_rj_only (l, o, p, (const gchar *const[]){ "min_points", "title", NULL });
		lv = g_new0 (MvLevel, 1);
		lv->min_points
			= mv_rj_uint (l, o, mv_rj_line (l, n), p, "min_points", 0, G_MAXINT32);
		mv_rj_text (l, o, mv_rj_line (l, n), p, "title", TRUE, &lv->title);
		if (i == 0 && lv->min_points != 0)
			mv_rj_problem (l, mv_rj_line (l, n), p,
				       "the first level starts at 0 points");
		if (i > 0 && r->levels->len > 0
		    && lv->min_points
			       <= ((MvLevel *)g_ptr_array_index (r->levels, r->levels->len - 1))
					  ->min_points)
			mv_rj_problem (l, mv_rj_line (l, n), p,
				       "levels must rise: more points than the one before");
		g_ptr_array_add (r->levels, lv);
	}
}

static const struct {
	const gchar *type;
	MvBadgeKind kind;
	const gchar *threshold; /* the member holding it */
	gboolean has_metric;
} criteria[] = {
	{ "checkins", MV_BADGE_CHECKINS, "count", FALSE },
	{ "streak", MV_BADGE_STREAK, "days", FALSE },
	{ "day-value", MV_BADGE_DAY_VALUE, "min", TRUE },
	{ "metric-days", MV_BADGE_METRIC_DAYS, "days", TRUE },
	{ "metric-count", MV_BADGE_METRIC_COUNT, "count", TRUE },
	{ "challenges-won", MV_BADGE_CHALLENGES_WON, "count", FALSE },
};

static gboolean
parse_criterion (MvRulesJson *l, JsonNode *n, const gchar *ptr, MvBadge *b)
{
	JsonObject *o = mv_rj_object (l, n, ptr);
	const gchar *type;
	guint k;
	g_autofree gchar *p = NULL;

	if (o == NULL)
		return FALSE;
	type = mv_rj_string (l, o, mv_rj_line (l, n), ptr, "type");
	for (k = 0; type != NULL && k < G_N_ELEMENTS (criteria); k++) {
		if (g_str_equal (criteria[k].type, type))
			break;
	}
	if (type == NULL || k == G_N_ELEMENTS (criteria)) {
		if (type != NULL)
			mv_rj_problem (
				l, mv_rj_line (l, json_object_get_member (o, "type")), ptr,
				"unknown criterion type \"%s\" (checkins, streak, day-value, "
				"metric-days, metric-count, challenges-won)",
				type);
		return FALSE;
	}
	b->kind = criteria[k].kind;
	mv_rj_only (l, o, ptr,
		    (const gchar *const[]){ "type", criteria[k].threshold,
					    criteria[k].has_metric ? "metric" : "type", NULL });
	if (criteria[k].has_metric && metric_member (l, o, mv_rj_line (l, n), ptr, &b->metric)
	    && b->kind == MV_BADGE_DAY_VALUE
	    && mv_checkin_metric_day_rule (b->metric) == MV_CHECKIN_DAY_NONE)
		mv_rj_problem (l, mv_rj_line (l, n), ptr,
			       "a reading (%s) has no day figure to reach",
			       mv_checkin_metric_name (b->metric));
	p = g_strdup_printf ("%s/%s", ptr, criteria[k].threshold);
	return mv_rj_number (l, mv_rj_need (l, o, mv_rj_line (l, n), ptr, criteria[k].threshold), p,
			     1, 1e7, b->kind != MV_BADGE_DAY_VALUE, &b->threshold);
}

static void
parse_badges (MvRulesJson *l, JsonObject *root, MvEngagementRules *r)
{
	JsonArray *a = mv_rj_array (l, mv_rj_need (l, root, mv_rj_root_line (l), "", "badges"),
				    "/badges");

	for (guint i = 0; a != NULL && i < json_array_get_length (a); i++) {
		g_autofree gchar *p = g_strdup_printf ("/badges/%u", i);
		g_autofree gchar *cp = g_strdup_printf ("/badges/%u/criterion", i);
		JsonNode *n = json_array_get_element (a, i);
		JsonObject *o = mv_rj_object (l, n, p);
		const gchar *id;
		MvBadge *b;

		if (o == NULL)
			continue;
		mv_rj_only (
			l, o, p,
			(const gchar *const[]){ "id", "title", "description", "criterion", NULL });
		b = g_new0 (MvBadge, 1);
		g_ptr_array_add (r->badges, b);
		id = mv_rj_id (l, o, mv_rj_line (l, n), p);
		if (id != NULL && mv_engagement_rules_badge (r, id) != NULL)
			mv_rj_problem (l, mv_rj_line (l, json_object_get_member (o, "id")), p,
				       "badge \"%s\" is defined twice", id);
		b->id = g_strdup (id);
		mv_rj_text (l, o, mv_rj_line (l, n), p, "title", TRUE, &b->title);
		mv_rj_text (l, o, mv_rj_line (l, n), p, "description", FALSE, &b->description);
		parse_criterion (l, mv_rj_need (l, o, mv_rj_line (l, n), p, "criterion"), cp, b);
	}
}

static void
parse_challenge (MvRulesJson *l, JsonNode *n, const gchar *p, MvEngagementRules *r)
{
	static const gchar *const allowed[]
		= { "id", "title", "metric", "measure", "target", "points", NULL };
	JsonObject *o = mv_rj_object (l, n, p);
	guint line = mv_rj_line (l, n);
	g_autofree gchar *tp = g_strdup_printf ("%s/target", p);
	const gchar *id, *measure;
	MvChallenge *c;

	if (o == NULL)
		return;
	mv_rj_only (l, o, p, allowed);
	c = g_new0 (MvChallenge, 1);
	g_ptr_array_add (r->challenges, c);
	id = mv_rj_id (l, o, line, p);
	if (id != NULL && mv_engagement_rules_challenge (r, id) != NULL)
		mv_rj_problem (l, mv_rj_line (l, json_object_get_member (o, "id")), p,
			       "challenge \"%s\" is defined twice", id);
	c->id = g_strdup (id);
	mv_rj_text (l, o, line, p, "title", TRUE, &c->title);
	measure = mv_rj_string (l, o, line, p, "measure");
	if (measure != NULL && !g_str_equal (measure, "sum") && !g_str_equal (measure, "days"))
		mv_rj_problem (l, mv_rj_line (l, json_object_get_member (o, "measure")), p,
			       "\"measure\" must be sum or days");
	c->measure = g_strcmp0 (measure, "days") == 0 ? MV_CHALLENGE_DAYS : MV_CHALLENGE_SUM;
	if (metric_member (l, o, line, p, &c->metric) && g_strcmp0 (measure, "sum") == 0
	    && mv_checkin_metric_day_rule (c->metric) == MV_CHECKIN_DAY_NONE)
		mv_rj_problem (l, mv_rj_line (l, json_object_get_member (o, "measure")), p,
			       "a reading (%s) cannot be summed: use \"measure\": \"days\"",
			       mv_checkin_metric_name (c->metric));
	mv_rj_number (l, mv_rj_need (l, o, line, p, "target"), tp, 1, 1e7, FALSE, &c->target);
	if (c->measure == MV_CHALLENGE_DAYS && c->target > 7)
		mv_rj_problem (l, line, tp, "a week has 7 days");
	c->points = mv_rj_uint (l, o, line, p, "points", 0, 100000);
}

static void
parse_root (MvRulesJson *l, JsonNode *node, MvEngagementRules *r)
{
	static const gchar *const allowed[]
		= { "$schema", "version", "points",	"streak_milestones",
		    "levels",  "badges",  "challenges", NULL };
	JsonObject *root = mv_rj_object (l, node, "");
	JsonArray *challenges;
	const gchar *version;

	if (root == NULL)
		return;
	mv_rj_only (l, root, "", allowed);
	version = mv_rj_string (l, root, mv_rj_root_line (l), "", "version");
	r->version = g_strdup (version);
	parse_points (l, root, r);
	parse_milestones (l, root, r);
	parse_levels (l, root, r);
	/* challenges first: nothing refers to them by id, but a badge list is longer */
	challenges = mv_rj_array (l, mv_rj_need (l, root, mv_rj_root_line (l), "", "challenges"),
				  "/challenges");
	for (guint i = 0; challenges != NULL && i < json_array_get_length (challenges); i++) {
		g_autofree gchar *p = g_strdup_printf ("/challenges/%u", i);
		parse_challenge (l, json_array_get_element (challenges, i), p, r);
	}
	parse_badges (l, root, r);
}

MvEngagementRules *
mv_engagement_rules_load_data (const gchar *data, const gchar *name, GError **error)
{
	g_autoptr (MvRulesJson) l = mv_rj_new (name);
	g_autoptr (MvEngagementRules) r = g_new0 (MvEngagementRules, 1);
	g_autoptr (GError) syntax = NULL;
	JsonNode *root = mv_rj_parse (l, data, &syntax);

	if (syntax != NULL) {
		g_propagate_error (error, g_steal_pointer (&syntax));
		return NULL;
	}
	r->milestones = g_array_new (FALSE, FALSE, sizeof (MvMilestone));
	r->levels = g_ptr_array_new_with_free_func ((GDestroyNotify)mv_level_free);
	r->badges = g_ptr_array_new_with_free_func ((GDestroyNotify)mv_badge_free);
	r->challenges = g_ptr_array_new_with_free_func ((GDestroyNotify)mv_challenge_free);
	if (root != NULL)
		parse_root (l, root, r);
	if (!mv_rj_check (l, error))
		return NULL;
	r->digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, data, -1);
	return g_steal_pointer (&r);
}

MvEngagementRules *
mv_engagement_rules_load_file (const gchar *path, GError **error)
{
	g_autofree gchar *data = NULL;
	g_autoptr (GError) local = NULL;

	if (!g_file_get_contents (path, &data, NULL, &local)) {
		g_set_error (error, MV_ENGAGEMENT_ERROR, MV_ENGAGEMENT_ERROR_RULES, "%s",
			     local->message);
		return NULL;
	}
	return mv_engagement_rules_load_data (data, path, error);
}

guint
mv_engagement_rules_level (const MvEngagementRules *rules, gint64 points, const MvLevel **level)
{
	guint n = 0;

	for (guint i = 0; i < rules->levels->len; i++) {
		if (points >= ((MvLevel *)g_ptr_array_index (rules->levels, i))->min_points)
			n = i + 1;
	}
	if (level != NULL)
		*level = n > 0 ? g_ptr_array_index (rules->levels, n - 1) : NULL;
	return n;
}

const MvBadge *
mv_engagement_rules_badge (const MvEngagementRules *rules, const gchar *id)
{
	for (guint i = 0; id != NULL && i < rules->badges->len; i++) {
		MvBadge *b = g_ptr_array_index (rules->badges, i);
		if (g_strcmp0 (b->id, id) == 0)
			return b;
	}
	return NULL;
}

const MvChallenge *
mv_engagement_rules_challenge (const MvEngagementRules *rules, const gchar *id)
{
	for (guint i = 0; id != NULL && i < rules->challenges->len; i++) {
		MvChallenge *c = g_ptr_array_index (rules->challenges, i);
		if (g_strcmp0 (c->id, id) == 0)
			return c;
	}
	return NULL;
}
