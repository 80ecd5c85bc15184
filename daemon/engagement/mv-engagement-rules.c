/*
 * The engagement rules file: see mv-engagement-rules.h.
 *
 * json-glib keeps no positions in its tree, so the loader listens to the parser's signals
 * while it parses and notes the line of every node (a scalar: the line its member or element
 * ends on; an object or array: the line of its opening bracket).  A problem is then reported
 * at the line of the node it is about, or of the object that lacks a member.
 */
#define G_LOG_DOMAIN "medverse-engagement"

#include "mv-engagement-rules.h"

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

/* ---- lines ------------------------------------------------------------------------------ */

typedef struct {
	const gchar *name;
	GHashTable *lines; /* JsonNode (scalar) / JsonObject / JsonArray → line */
	GArray *open;	   /* lines of the objects and arrays being parsed */
	GPtrArray *problems;
	guint root_line; /* the line of the root object (where a missing section is reported) */
} Loader;

static void
on_start (JsonParser *parser, gpointer data)
{
	Loader *l = data;
	guint line = json_parser_get_current_line (parser);

	g_array_append_val (l->open, line);
}

static void
on_end (JsonParser *parser, gpointer container, gpointer data)
{
	Loader *l = data;

	g_hash_table_insert (l->lines, container,
			     GUINT_TO_POINTER (g_array_index (l->open, guint, l->open->len - 1)));
	g_array_set_size (l->open, l->open->len - 1);
}

static void
note_scalar (JsonParser *parser, JsonNode *node, Loader *l)
{
	if (node != NULL && !JSON_NODE_HOLDS_OBJECT (node) && !JSON_NODE_HOLDS_ARRAY (node))
		g_hash_table_insert (l->lines, node,
				     GUINT_TO_POINTER (json_parser_get_current_line (parser)));
}

static void
on_member (JsonParser *parser, JsonObject *object, const gchar *name, gpointer data)
{
	note_scalar (parser, json_object_get_member (object, name), data);
}

static void
on_element (JsonParser *parser, JsonArray *array, gint index, gpointer data)
{
	note_scalar (parser, json_array_get_element (array, (guint)index), data);
}

static guint
line_of (Loader *l, JsonNode *node)
{
	gpointer key = node;

	if (JSON_NODE_HOLDS_OBJECT (node))
		key = json_node_get_object (node);
	else if (JSON_NODE_HOLDS_ARRAY (node))
		key = json_node_get_array (node);
	return GPOINTER_TO_UINT (g_hash_table_lookup (l->lines, key));
}

static G_GNUC_PRINTF (4, 5) void problem (
	Loader *l, guint line, const gchar *ptr, const gchar *fmt, ...)
{
	va_list args;
	g_autofree gchar *what = NULL;

	va_start (args, fmt);
	what = g_strdup_vprintf (fmt, args);
	va_end (args);
	g_ptr_array_add (l->problems, g_strdup_printf ("%s:%u: %s: %s", l->name, line,
						       *ptr != '\0' ? ptr : "/", what));
}

/* ---- typed members ---------------------------------------------------------------------- */

/* A member of @o (at @line) that must be present; NULL with a problem if not. */
static JsonNode *
need (Loader *l, JsonObject *o, guint line, const gchar *ptr, const gchar *name)
{
	JsonNode *n = json_object_get_member (o, name);

	if (n == NULL)
		problem (l, line, ptr, "\"%s\" is required", name);
	return n;
}

static JsonObject *
as_object (Loader *l, JsonNode *n, const gchar *ptr)
{
	if (n != NULL && JSON_NODE_HOLDS_OBJECT (n))
		return json_node_get_object (n);
	if (n != NULL)
		problem (l, line_of (l, n), ptr, "must be an object");
	return NULL;
}

static JsonArray *
as_array (Loader *l, JsonNode *n, const gchar *ptr)
{
	if (n != NULL && JSON_NODE_HOLDS_ARRAY (n))
		return json_node_get_array (n);
	if (n != NULL)
		problem (l, line_of (l, n), ptr, "must be an array");
	return NULL;
}

static void
only (Loader *l, JsonObject *o, const gchar *ptr, const gchar *const *allowed)
{
	g_autoptr (GList) names = json_object_get_members (o);

	for (GList *m = names; m != NULL; m = m->next) {
		if (!g_strv_contains (allowed, m->data))
			problem (l, line_of (l, json_object_get_member (o, m->data)), ptr,
				 "unknown member \"%s\"", (const gchar *)m->data);
	}
}

static gboolean
number_of (Loader *l,
	   JsonNode *n,
	   const gchar *ptr,
	   gdouble min,
	   gdouble max,
	   gboolean integer,
	   gdouble *out)
{
	GType t = n != NULL && JSON_NODE_HOLDS_VALUE (n) ? json_node_get_value_type (n)
							 : G_TYPE_INVALID;
	gdouble v;

	if (n == NULL)
		return FALSE;
	if (t != G_TYPE_INT64 && t != G_TYPE_DOUBLE) {
		problem (l, line_of (l, n), ptr, "must be a number");
		return FALSE;
	}
	v = json_node_get_double (n);
	if ((integer && v != floor (v)) || v < min || v > max) {
		problem (l, line_of (l, n), ptr, "must be %s from %g to %g",
			 integer ? "a whole number" : "a number", min, max);
		return FALSE;
	}
	*out = v;
	return TRUE;
}

/* A required whole number member, min..max; 0 (and a problem) when wrong. */
static guint
uint_member (Loader *l,
	     JsonObject *o,
	     guint line,
	     const gchar *ptr,
	     const gchar *name,
	     guint min,
	     guint max)
{
	g_autofree gchar *p = g_strdup_printf ("%s/%s", ptr, name);
	gdouble v = 0;

	if (!number_of (l, need (l, o, line, ptr, name), p, min, max, TRUE, &v))
		return 0;
	return (guint)v;
}

static const gchar *
string_member (Loader *l, JsonObject *o, guint line, const gchar *ptr, const gchar *name)
{
	JsonNode *n = need (l, o, line, ptr, name);

	if (n == NULL)
		return NULL;
	if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
	    && *json_node_get_string (n) != '\0')
		return json_node_get_string (n);
	problem (l, line_of (l, n), ptr, "\"%s\" must be a non-empty string", name);
	return NULL;
}

/* An id: 1-64 of [a-z0-9-] (it names a badge or challenge in the API and the ledger). */
static const gchar *
id_member (Loader *l, JsonObject *o, guint line, const gchar *ptr)
{
	const gchar *id = string_member (l, o, line, ptr, "id");

	if (id == NULL)
		return NULL;
	for (const gchar *c = id; *c != '\0'; c++) {
		if (!g_ascii_islower (*c) && !g_ascii_isdigit (*c) && *c != '-') {
			id = NULL;
			break;
		}
	}
	if (id == NULL || strlen (id) > 64) {
		problem (l, line_of (l, json_object_get_member (o, "id")), ptr,
			 "\"id\" must be 1 to 64 of a-z, 0-9 and -");
		return NULL;
	}
	return id;
}

static gboolean
text_member (Loader *l,
	     JsonObject *o,
	     guint line,
	     const gchar *ptr,
	     const gchar *name,
	     gboolean required,
	     MvText *out)
{
	static const gchar *const langs[] = { "en", "zh", NULL };
	g_autofree gchar *p = g_strdup_printf ("%s/%s", ptr, name);
	JsonNode *n = required ? need (l, o, line, ptr, name) : json_object_get_member (o, name);
	JsonObject *t = as_object (l, n, p);
	const gchar *en, *zh;

	if (t == NULL)
		return !required && n == NULL;
	only (l, t, p, langs);
	en = string_member (l, t, line_of (l, n), p, "en");
	zh = string_member (l, t, line_of (l, n), p, "zh");
	if (en == NULL || zh == NULL)
		return FALSE;
	out->en = g_strdup (en);
	out->zh = g_strdup (zh);
	return TRUE;
}

static gboolean
metric_member (Loader *l, JsonObject *o, guint line, const gchar *ptr, MvCheckinMetric *out)
{
	const gchar *name = string_member (l, o, line, ptr, "metric");

	if (name == NULL)
		return FALSE;
	if (mv_checkin_metric_from_name (name, out))
		return TRUE;
	problem (l, line_of (l, json_object_get_member (o, "metric")), ptr,
		 "\"metric\" is not a check-in metric (steps, active_minutes, blood_pressure, "
		 "glucose, weight, sleep, mood, task, vr_session)");
	return FALSE;
}

/* ---- sections --------------------------------------------------------------------------- */

static void
parse_points (Loader *l, JsonObject *root, MvEngagementRules *r)
{
	JsonNode *n = need (l, root, l->root_line, "", "points");
	JsonObject *o = as_object (l, n, "/points");
	const gchar *names[MV_CHECKIN_N_METRICS + 1] = { NULL };

	if (o == NULL)
		return;
	for (guint m = 0; m < MV_CHECKIN_N_METRICS; m++)
		names[m] = mv_checkin_metric_name ((MvCheckinMetric)m);
	only (l, o, "/points", names);
	for (guint m = 0; m < MV_CHECKIN_N_METRICS; m++) {
		g_autofree gchar *p = g_strdup_printf ("/points/%s", names[m]);
		JsonNode *mn = need (l, o, line_of (l, n), "/points", names[m]);
		JsonObject *rule = as_object (l, mn, p);

		if (rule == NULL)
			continue;
		only (l, rule, p, (const gchar *const[]){ "points", "daily_cap", NULL });
		r->points[m].points = uint_member (l, rule, line_of (l, mn), p, "points", 0, 10000);
		r->points[m].daily_cap
			= uint_member (l, rule, line_of (l, mn), p, "daily_cap", 0, 100000);
		if (r->points[m].daily_cap < r->points[m].points)
			problem (l, line_of (l, mn), p,
				 "\"daily_cap\" is below \"points\": no check-in could earn its "
				 "points");
	}
}

static void
parse_milestones (Loader *l, JsonObject *root, MvEngagementRules *r)
{
	JsonArray *a = as_array (l, need (l, root, l->root_line, "", "streak_milestones"),
				 "/streak_milestones");

	for (guint i = 0; a != NULL && i < json_array_get_length (a); i++) {
		g_autofree gchar *p = g_strdup_printf ("/streak_milestones/%u", i);
		JsonNode *n = json_array_get_element (a, i);
		JsonObject *o = as_object (l, n, p);
		MvMilestone m;

		if (o == NULL)
			continue;
		only (l, o, p, (const gchar *const[]){ "days", "points", NULL });
		m.days = uint_member (l, o, line_of (l, n), p, "days", 1, 3650);
		m.points = uint_member (l, o, line_of (l, n), p, "points", 0, 100000);
		if (r->milestones->len > 0
		    && m.days <= g_array_index (r->milestones, MvMilestone, r->milestones->len - 1)
					 .days)
			problem (l, line_of (l, n), p,
				 "milestones must rise: more days than the one before");
		g_array_append_val (r->milestones, m);
	}
}

static void
parse_levels (Loader *l, JsonObject *root, MvEngagementRules *r)
{
	JsonNode *list = need (l, root, l->root_line, "", "levels");
	JsonArray *a = as_array (l, list, "/levels");

	if (a != NULL && json_array_get_length (a) == 0)
		problem (l, line_of (l, list), "/levels", "at least one level is needed");
	for (guint i = 0; a != NULL && i < json_array_get_length (a); i++) {
		g_autofree gchar *p = g_strdup_printf ("/levels/%u", i);
		JsonNode *n = json_array_get_element (a, i);
		JsonObject *o = as_object (l, n, p);
		MvLevel *lv;

		if (o == NULL)
			continue;
		only (l, o, p, (const gchar *const[]){ "min_points", "title", NULL });
		lv = g_new0 (MvLevel, 1);
		lv->min_points = uint_member (l, o, line_of (l, n), p, "min_points", 0, G_MAXINT32);
		text_member (l, o, line_of (l, n), p, "title", TRUE, &lv->title);
		if (i == 0 && lv->min_points != 0)
			problem (l, line_of (l, n), p, "the first level starts at 0 points");
		if (i > 0 && r->levels->len > 0
		    && lv->min_points
			       <= ((MvLevel *)g_ptr_array_index (r->levels, r->levels->len - 1))
					  ->min_points)
			problem (l, line_of (l, n), p,
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
parse_criterion (Loader *l, JsonNode *n, const gchar *ptr, MvBadge *b)
{
	JsonObject *o = as_object (l, n, ptr);
	const gchar *type;
	guint k;
	g_autofree gchar *p = NULL;

	if (o == NULL)
		return FALSE;
	type = string_member (l, o, line_of (l, n), ptr, "type");
	for (k = 0; type != NULL && k < G_N_ELEMENTS (criteria); k++) {
		if (g_str_equal (criteria[k].type, type))
			break;
	}
	if (type == NULL || k == G_N_ELEMENTS (criteria)) {
		if (type != NULL)
			problem (l, line_of (l, json_object_get_member (o, "type")), ptr,
				 "unknown criterion type \"%s\" (checkins, streak, day-value, "
				 "metric-days, metric-count, challenges-won)",
				 type);
		return FALSE;
	}
	b->kind = criteria[k].kind;
	only (l, o, ptr,
	      (const gchar *const[]){ "type", criteria[k].threshold,
				      criteria[k].has_metric ? "metric" : "type", NULL });
	if (criteria[k].has_metric && metric_member (l, o, line_of (l, n), ptr, &b->metric)
	    && b->kind == MV_BADGE_DAY_VALUE
	    && mv_checkin_metric_day_rule (b->metric) == MV_CHECKIN_DAY_NONE)
		problem (l, line_of (l, n), ptr, "a reading (%s) has no day figure to reach",
			 mv_checkin_metric_name (b->metric));
	p = g_strdup_printf ("%s/%s", ptr, criteria[k].threshold);
	return number_of (l, need (l, o, line_of (l, n), ptr, criteria[k].threshold), p, 1, 1e7,
			  b->kind != MV_BADGE_DAY_VALUE, &b->threshold);
}

static void
parse_badges (Loader *l, JsonObject *root, MvEngagementRules *r)
{
	JsonArray *a = as_array (l, need (l, root, l->root_line, "", "badges"), "/badges");

	for (guint i = 0; a != NULL && i < json_array_get_length (a); i++) {
		g_autofree gchar *p = g_strdup_printf ("/badges/%u", i);
		g_autofree gchar *cp = g_strdup_printf ("/badges/%u/criterion", i);
		JsonNode *n = json_array_get_element (a, i);
		JsonObject *o = as_object (l, n, p);
		const gchar *id;
		MvBadge *b;

		if (o == NULL)
			continue;
		only (l, o, p,
		      (const gchar *const[]){ "id", "title", "description", "criterion", NULL });
		b = g_new0 (MvBadge, 1);
		g_ptr_array_add (r->badges, b);
		id = id_member (l, o, line_of (l, n), p);
		if (id != NULL && mv_engagement_rules_badge (r, id) != NULL)
			problem (l, line_of (l, json_object_get_member (o, "id")), p,
				 "badge \"%s\" is defined twice", id);
		b->id = g_strdup (id);
		text_member (l, o, line_of (l, n), p, "title", TRUE, &b->title);
		text_member (l, o, line_of (l, n), p, "description", FALSE, &b->description);
		parse_criterion (l, need (l, o, line_of (l, n), p, "criterion"), cp, b);
	}
}

static void
parse_challenge (Loader *l, JsonNode *n, const gchar *p, MvEngagementRules *r)
{
	static const gchar *const allowed[]
		= { "id", "title", "metric", "measure", "target", "points", NULL };
	JsonObject *o = as_object (l, n, p);
	guint line = line_of (l, n);
	g_autofree gchar *tp = g_strdup_printf ("%s/target", p);
	const gchar *id, *measure;
	MvChallenge *c;

	if (o == NULL)
		return;
	only (l, o, p, allowed);
	c = g_new0 (MvChallenge, 1);
	g_ptr_array_add (r->challenges, c);
	id = id_member (l, o, line, p);
	if (id != NULL && mv_engagement_rules_challenge (r, id) != NULL)
		problem (l, line_of (l, json_object_get_member (o, "id")), p,
			 "challenge \"%s\" is defined twice", id);
	c->id = g_strdup (id);
	text_member (l, o, line, p, "title", TRUE, &c->title);
	measure = string_member (l, o, line, p, "measure");
	if (measure != NULL && !g_str_equal (measure, "sum") && !g_str_equal (measure, "days"))
		problem (l, line_of (l, json_object_get_member (o, "measure")), p,
			 "\"measure\" must be sum or days");
	c->measure = g_strcmp0 (measure, "days") == 0 ? MV_CHALLENGE_DAYS : MV_CHALLENGE_SUM;
	if (metric_member (l, o, line, p, &c->metric) && g_strcmp0 (measure, "sum") == 0
	    && mv_checkin_metric_day_rule (c->metric) == MV_CHECKIN_DAY_NONE)
		problem (l, line_of (l, json_object_get_member (o, "measure")), p,
			 "a reading (%s) cannot be summed: use \"measure\": \"days\"",
			 mv_checkin_metric_name (c->metric));
	number_of (l, need (l, o, line, p, "target"), tp, 1, 1e7, FALSE, &c->target);
	if (c->measure == MV_CHALLENGE_DAYS && c->target > 7)
		problem (l, line, tp, "a week has 7 days");
	c->points = uint_member (l, o, line, p, "points", 0, 100000);
}

static void
parse_root (Loader *l, JsonNode *node, MvEngagementRules *r)
{
	static const gchar *const allowed[]
		= { "$schema", "version", "points",	"streak_milestones",
		    "levels",  "badges",  "challenges", NULL };
	JsonObject *root = node != NULL ? as_object (l, node, "") : NULL;
	JsonArray *challenges;
	const gchar *version;

	if (node == NULL)
		problem (l, 1, "", "the file holds no JSON value");
	if (root == NULL)
		return;
	l->root_line = line_of (l, node);
	only (l, root, "", allowed);
	version = string_member (l, root, l->root_line, "", "version");
	r->version = g_strdup (version);
	parse_points (l, root, r);
	parse_milestones (l, root, r);
	parse_levels (l, root, r);
	/* challenges first: nothing refers to them by id, but a badge list is longer */
	challenges = as_array (l, need (l, root, l->root_line, "", "challenges"), "/challenges");
	for (guint i = 0; challenges != NULL && i < json_array_get_length (challenges); i++) {
		g_autofree gchar *p = g_strdup_printf ("/challenges/%u", i);
		parse_challenge (l, json_array_get_element (challenges, i), p, r);
	}
	parse_badges (l, root, r);
}

MvEngagementRules *
mv_engagement_rules_load_data (const gchar *data, const gchar *name, GError **error)
{
	g_autoptr (JsonParser) parser = json_parser_new ();
	g_autoptr (GError) parse_error = NULL;
	g_autoptr (GHashTable) lines = g_hash_table_new (NULL, NULL);
	g_autoptr (GArray) open = g_array_new (FALSE, FALSE, sizeof (guint));
	g_autoptr (GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
	Loader l = { name, lines, open, problems };
	g_autoptr (MvEngagementRules) r = g_new0 (MvEngagementRules, 1);

	g_signal_connect (parser, "object-start", G_CALLBACK (on_start), &l);
	g_signal_connect (parser, "array-start", G_CALLBACK (on_start), &l);
	g_signal_connect (parser, "object-end", G_CALLBACK (on_end), &l);
	g_signal_connect (parser, "array-end", G_CALLBACK (on_end), &l);
	g_signal_connect (parser, "object-member", G_CALLBACK (on_member), &l);
	g_signal_connect (parser, "array-element", G_CALLBACK (on_element), &l);
	if (!json_parser_load_from_data (parser, data, -1, &parse_error)) {
		/* json-glib says "<data>:LINE:COL: …": the file's name instead of <data> */
		const gchar *msg = parse_error->message;
		if (g_str_has_prefix (msg, "<data>:"))
			msg += strlen ("<data>:");
		g_set_error (error, MV_ENGAGEMENT_ERROR, MV_ENGAGEMENT_ERROR_RULES, "%s:%s", name,
			     msg);
		return NULL;
	}
	r->milestones = g_array_new (FALSE, FALSE, sizeof (MvMilestone));
	r->levels = g_ptr_array_new_with_free_func ((GDestroyNotify)mv_level_free);
	r->badges = g_ptr_array_new_with_free_func ((GDestroyNotify)mv_badge_free);
	r->challenges = g_ptr_array_new_with_free_func ((GDestroyNotify)mv_challenge_free);
	parse_root (&l, json_parser_get_root (parser), r);
	if (problems->len > 0) {
		g_autofree gchar *all = NULL;
		g_ptr_array_add (problems, NULL);
		all = g_strjoinv ("\n", (gchar **)problems->pdata);
		g_set_error (error, MV_ENGAGEMENT_ERROR, MV_ENGAGEMENT_ERROR_RULES, "%s", all);
		return NULL;
	}
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
