/*
 * plan-generator core — loading rule files and the red-flag list (pg-rules.h).
 *
 * A clinic edits these files; a mistake must show where it is.  json-glib keeps no positions
 * in its tree, so the loader listens to the parser's object/array signals and remembers the
 * line each object starts on: a problem is reported as FILE:LINE: /json/pointer: what.
 */
#define G_LOG_DOMAIN "plan-generator"

#include "pg-load.h"

#include <string.h>

G_DEFINE_QUARK (pg - rules - error - quark, pg_rules_error)

static const gchar *const pg_categories[]
	= { "activity", "monitoring", "diet", "sleep", "medication", "education", "smoking", NULL };
static const gchar *const pg_intensities[] = { "light", "moderate", "vigorous", NULL };
static const gchar *const pg_directions[] = { "at_least", "at_most", "below", NULL };
static const gchar *const pg_levels[] = { "emergency", "urgent", NULL };
static const gchar *const pg_day_names[]
	= { "mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL };

static void
pg_goal_spec_free (PgGoalSpec *g)
{
	g_free (g->id);
	g_free (g->metric);
	g_free (g->unit);
	g_free (g->direction);
	g_free (g->baseline_code);
	pg_text_clear (&g->title);
	g_free (g);
}

static void
pg_task_spec_free (PgTaskSpec *t)
{
	g_free (t->id);
	g_free (t->category);
	g_free (t->metric);
	g_free (t->intensity);
	pg_text_clear (&t->title);
	pg_text_clear (&t->detail);
	g_strfreev (t->days);
	g_free (t);
}

static void
pg_follow_up_spec_free (PgFollowUpSpec *f)
{
	pg_text_clear (&f->reason);
	g_free (f);
}

static void
pg_limit_spec_free (PgLimitSpec *l)
{
	g_free (l->metric);
	pg_text_clear (&l->reason);
	g_free (l);
}

void
pg_rule_free (PgRule *r)
{
	if (r == NULL)
		return;
	g_free (r->id);
	g_free (r->file);
	pg_text_clear (&r->title);
	pg_source_clear (&r->source);
	pg_pred_free (r->when);
	g_clear_pointer (&r->goals, g_ptr_array_unref);
	g_clear_pointer (&r->tasks, g_ptr_array_unref);
	g_clear_pointer (&r->follow_ups, g_ptr_array_unref);
	g_clear_pointer (&r->limits, g_ptr_array_unref);
	g_free (r);
}

void
pg_red_flag_free (PgRedFlag *f)
{
	if (f == NULL)
		return;
	g_free (f->id);
	g_free (f->level);
	pg_text_clear (&f->title);
	pg_text_clear (&f->instruction);
	pg_source_clear (&f->source);
	g_free (f->reviewed_by);
	g_free (f->reviewed_on);
	g_strfreev (f->overrides);
	pg_pred_free (f->when);
	g_free (f);
}

void
pg_rule_set_free (PgRuleSet *set)
{
	if (set == NULL)
		return;
	g_clear_pointer (&set->rules, g_ptr_array_unref);
	g_clear_pointer (&set->red_flags, g_ptr_array_unref);
	g_clear_pointer (&set->refused, g_ptr_array_unref);
	g_free (set->version);
	g_free (set);
}

/* {"en": …, "zh": …}: both, since a plan speaks only the patient's language */
static void
pg_load_text (PgLoad *l, JsonObject *obj, const gchar *path, const gchar *name, PgText *out)
{
	static const gchar *const allowed[] = { "en", "zh", NULL };
	g_autofree gchar *sub = g_strdup_printf ("%s/%s", path, name);
	JsonNode *node = pg_load_member (obj, name);
	JsonObject *t;

	if (node == NULL) {
		pg_load_add (l, obj, path, "missing member \"%s\"", name);
		return;
	}
	t = pg_load_object (l, obj, node, sub);
	if (t == NULL)
		return;
	pg_load_members (l, t, sub, allowed);
	out->en = g_strdup (pg_load_string (l, t, sub, "en", TRUE));
	out->zh = g_strdup (pg_load_string (l, t, sub, "zh", TRUE));
}

static void
pg_load_source (PgLoad *l, JsonObject *obj, const gchar *path, PgSource *out)
{
	static const gchar *const allowed[] = { "org", "title", "year", "url", NULL };
	g_autofree gchar *sub = g_strdup_printf ("%s/source", path);
	JsonNode *node = pg_load_member (obj, "source");
	JsonObject *s;
	gdouble year = 0;
	const gchar *url;

	if (node == NULL) {
		pg_load_add (l, obj, path,
			     "missing member \"source\": every rule cites its source");
		return;
	}
	s = pg_load_object (l, obj, node, sub);
	if (s == NULL)
		return;
	pg_load_members (l, s, sub, allowed);
	out->org = g_strdup (pg_load_string (l, s, sub, "org", TRUE));
	out->title = g_strdup (pg_load_string (l, s, sub, "title", TRUE));
	if (pg_load_number (l, s, sub, "year", TRUE, &year)
	    && (year < 1900 || year > 2100 || year != (gint)year))
		pg_load_add (l, s, sub, "\"year\" must be a year");
	out->year = (gint)year;
	url = pg_load_string (l, s, sub, "url", FALSE);
	if (url != NULL && !g_str_has_prefix (url, "https://")
	    && !g_str_has_prefix (url, "http://"))
		pg_load_add (l, s, sub, "\"url\" must be an http(s) address");
	out->url = g_strdup (url);
	out->citation = g_strdup_printf ("%s. %s. %d.%s%s", out->org ? out->org : "",
					 out->title ? out->title : "", out->year,
					 out->url != NULL ? " " : "", out->url ? out->url : "");
}

static gboolean
pg_id_is_valid (const gchar *id)
{
	gsize len = strlen (id);

	if (len < 2 || len > 64 || !g_ascii_islower (id[0]))
		return FALSE;
	for (const gchar *p = id; *p != '\0'; p++) {
		if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '-')
			return FALSE;
	}
	return TRUE;
}

static gchar *
pg_load_id (PgLoad *l, JsonObject *obj, const gchar *path)
{
	const gchar *id = pg_load_string (l, obj, path, "id", TRUE);

	if (id != NULL && !pg_id_is_valid (id)) {
		pg_load_add (l, obj, path, "\"id\" must be 2 to 64 of a-z, 0-9 and '-'");
		return NULL;
	}
	return g_strdup (id);
}

static gchar *
pg_load_enum (PgLoad *l,
	      JsonObject *obj,
	      const gchar *path,
	      const gchar *name,
	      gboolean required,
	      const gchar *const *allowed)
{
	const gchar *s = pg_load_string (l, obj, path, name, required);

	if (s != NULL && !g_strv_contains (allowed, s)) {
		g_autofree gchar *list = g_strjoinv (", ", (gchar **)allowed);
		pg_load_add (l, obj, path, "\"%s\" must be one of %s", name, list);
		return NULL;
	}
	return g_strdup (s);
}

static guint
pg_load_uint (PgLoad *l,
	      JsonObject *obj,
	      const gchar *path,
	      const gchar *name,
	      guint lo,
	      guint hi,
	      guint fallback)
{
	gdouble v = 0;

	if (!pg_load_number (l, obj, path, name, FALSE, &v))
		return fallback;
	if (v != (guint)v || v < lo || v > hi) {
		pg_load_add (l, obj, path, "\"%s\" must be a whole number from %u to %u", name, lo,
			     hi);
		return fallback;
	}
	return (guint)v;
}

static PgGoalSpec *
pg_load_goal (PgLoad *l, JsonObject *parent, JsonNode *node, const gchar *path)
{
	static const gchar *const allowed[] = { "id",
						"metric",
						"unit",
						"direction",
						"target",
						"change_percent",
						"baseline_code",
						"due_weeks",
						"title",
						NULL };
	JsonObject *o = pg_load_object (l, parent, node, path);
	PgGoalSpec *g;

	if (o == NULL)
		return NULL;
	g = g_new0 (PgGoalSpec, 1);
	pg_load_members (l, o, path, allowed);
	g->id = pg_load_id (l, o, path);
	g->metric = g_strdup (pg_load_string (l, o, path, "metric", TRUE));
	g->unit = g_strdup (pg_load_string (l, o, path, "unit", TRUE));
	g->direction = pg_load_enum (l, o, path, "direction", TRUE, pg_directions);
	g->has_target = pg_load_number (l, o, path, "target", FALSE, &g->target);
	g->has_change_percent
		= pg_load_number (l, o, path, "change_percent", FALSE, &g->change_percent);
	g->baseline_code = g_strdup (pg_load_string (l, o, path, "baseline_code", FALSE));
	if (g->has_target == g->has_change_percent)
		pg_load_add (l, o, path, "needs exactly one of \"target\" and \"change_percent\"");
	if (g->has_change_percent && g->baseline_code == NULL)
		pg_load_add (l, o, path, "\"change_percent\" needs a \"baseline_code\"");
	g->due_weeks = pg_load_uint (l, o, path, "due_weeks", 1, 520, 12);
	pg_load_text (l, o, path, "title", &g->title);
	return g;
}

/* {"start", "step", "ceiling"}: how a per-session target rises week by week */
static void
pg_load_progress (PgLoad *l, JsonObject *obj, const gchar *path, const gchar *name, PgProgress *out)
{
	static const gchar *const allowed[] = { "start", "step", "ceiling", NULL };
	g_autofree gchar *sub = g_strdup_printf ("%s/%s", path, name);
	JsonNode *node = pg_load_member (obj, name);
	JsonObject *o;

	if (node == NULL)
		return;
	o = pg_load_object (l, obj, node, sub);
	if (o == NULL)
		return;
	pg_load_members (l, o, sub, allowed);
	out->present = pg_load_number (l, o, sub, "start", TRUE, &out->start);
	pg_load_number (l, o, sub, "step", TRUE, &out->step);
	pg_load_number (l, o, sub, "ceiling", TRUE, &out->ceiling);
	if (out->start < 0 || out->step < 0 || out->start > out->ceiling)
		pg_load_add (l, o, sub, "needs 0 <= start <= ceiling and step >= 0");
}

static PgTaskSpec *
pg_load_task (PgLoad *l, JsonObject *parent, JsonNode *node, const gchar *path)
{
	static const gchar *const allowed[]
		= { "id",     "category", "metric",  "intensity",	  "title",
		    "detail", "days",	  "minutes", "sessions_per_week", "target",
		    NULL };
	JsonObject *o = pg_load_object (l, parent, node, path);
	PgTaskSpec *t;

	if (o == NULL)
		return NULL;
	t = g_new0 (PgTaskSpec, 1);
	pg_load_members (l, o, path, allowed);
	t->id = pg_load_id (l, o, path);
	t->category = pg_load_enum (l, o, path, "category", TRUE, pg_categories);
	t->metric = g_strdup (pg_load_string (l, o, path, "metric", FALSE));
	t->intensity = pg_load_enum (l, o, path, "intensity", FALSE, pg_intensities);
	if ((t->intensity != NULL) != (g_strcmp0 (t->category, "activity") == 0))
		pg_load_add (l, o, path, "\"intensity\" is given for activity tasks and only them");
	pg_load_text (l, o, path, "title", &t->title);
	pg_load_text (l, o, path, "detail", &t->detail);
	t->days = pg_load_strv (l, o, path, "days", FALSE, pg_day_names);
	t->sessions = pg_load_uint (l, o, path, "sessions_per_week", 1, 7, 0);
	if ((t->days == NULL) == (t->sessions == 0))
		pg_load_add (l, o, path, "needs exactly one of \"days\" and \"sessions_per_week\"");
	if (t->days != NULL)
		t->sessions = g_strv_length (t->days);
	pg_load_progress (l, o, path, "minutes", &t->minutes);
	pg_load_progress (l, o, path, "target", &t->target);
	if (t->target.present && t->metric == NULL)
		pg_load_add (l, o, path, "a \"target\" needs the \"metric\" it is measured in");
	return t;
}

static PgFollowUpSpec *
pg_load_follow_up (PgLoad *l, JsonObject *parent, JsonNode *node, const gchar *path)
{
	static const gchar *const allowed[] = { "in_days", "reason", NULL };
	JsonObject *o = pg_load_object (l, parent, node, path);
	PgFollowUpSpec *f;

	if (o == NULL)
		return NULL;
	f = g_new0 (PgFollowUpSpec, 1);
	pg_load_members (l, o, path, allowed);
	if (!json_object_has_member (o, "in_days"))
		pg_load_add (l, o, path, "missing member \"in_days\"");
	f->in_days = pg_load_uint (l, o, path, "in_days", 0, 3650, 0);
	pg_load_text (l, o, path, "reason", &f->reason);
	return f;
}

static PgLimitSpec *
pg_load_limit (PgLoad *l, JsonObject *parent, JsonNode *node, const gchar *path)
{
	static const gchar *const allowed[] = { "metric", "max", "min", "reason", NULL };
	JsonObject *o = pg_load_object (l, parent, node, path);
	PgLimitSpec *s;

	if (o == NULL)
		return NULL;
	s = g_new0 (PgLimitSpec, 1);
	pg_load_members (l, o, path, allowed);
	s->metric = g_strdup (pg_load_string (l, o, path, "metric", TRUE));
	s->has_max = pg_load_number (l, o, path, "max", FALSE, &s->max);
	s->has_min = pg_load_number (l, o, path, "min", FALSE, &s->min);
	if (!s->has_max && !s->has_min)
		pg_load_add (l, o, path, "needs \"max\" or \"min\"");
	pg_load_text (l, o, path, "reason", &s->reason);
	return s;
}

typedef gpointer (*PgItemLoader) (PgLoad *l, JsonObject *parent, JsonNode *node, const gchar *path);

static GPtrArray *
pg_load_items (PgLoad *l,
	       JsonObject *obj,
	       const gchar *path,
	       const gchar *name,
	       PgItemLoader loader,
	       GDestroyNotify free_func)
{
	JsonArray *a = pg_load_array (l, obj, path, name, FALSE);
	GPtrArray *out = g_ptr_array_new_with_free_func (free_func);

	for (guint i = 0; a != NULL && i < json_array_get_length (a); i++) {
		g_autofree gchar *sub = g_strdup_printf ("%s/%s/%u", path, name, i);
		gpointer item = loader (l, obj, json_array_get_element (a, i), sub);
		if (item != NULL)
			g_ptr_array_add (out, item);
	}
	return out;
}

static PgRule *
pg_load_rule (PgLoad *l, JsonObject *parent, JsonNode *node, const gchar *path)
{
	static const gchar *const allowed[] = { "id",	 "title", "source",	"priority", "when",
						"goals", "tasks", "follow_ups", "limits",   NULL };
	JsonObject *o = pg_load_object (l, parent, node, path);
	g_autofree gchar *when_path = g_strdup_printf ("%s/when", path);
	PgRule *r;
	gdouble priority = 0;

	if (o == NULL)
		return NULL;
	r = g_new0 (PgRule, 1);
	r->file = g_path_get_basename (l->name);
	pg_load_members (l, o, path, allowed);
	r->id = pg_load_id (l, o, path);
	pg_load_text (l, o, path, "title", &r->title);
	pg_load_source (l, o, path, &r->source);
	if (pg_load_number (l, o, path, "priority", FALSE, &priority)
	    && (priority != (gint)priority || priority < -1000 || priority > 1000))
		pg_load_add (l, o, path, "\"priority\" must be a whole number from -1000 to 1000");
	r->priority = (gint)priority;
	if (!json_object_has_member (o, "when"))
		pg_load_add (l, o, path, "missing member \"when\"");
	else
		r->when = pg_pred_parse (l, o, json_object_get_member (o, "when"), when_path, 0);
	r->goals = pg_load_items (l, o, path, "goals", (PgItemLoader)pg_load_goal,
				  (GDestroyNotify)pg_goal_spec_free);
	r->tasks = pg_load_items (l, o, path, "tasks", (PgItemLoader)pg_load_task,
				  (GDestroyNotify)pg_task_spec_free);
	r->follow_ups = pg_load_items (l, o, path, "follow_ups", (PgItemLoader)pg_load_follow_up,
				       (GDestroyNotify)pg_follow_up_spec_free);
	r->limits = pg_load_items (l, o, path, "limits", (PgItemLoader)pg_load_limit,
				   (GDestroyNotify)pg_limit_spec_free);
	if (r->goals->len + r->tasks->len + r->follow_ups->len + r->limits->len == 0)
		pg_load_add (l, o, path, "yields nothing: give goals, tasks, follow_ups or limits");
	return r;
}

static void
pg_load_reviewed (PgLoad *l, JsonObject *o, const gchar *path, PgRedFlag *f)
{
	static const gchar *const allowed[] = { "by", "date", NULL };
	g_autofree gchar *sub = g_strdup_printf ("%s/reviewed", path);
	JsonNode *node = pg_load_member (o, "reviewed");
	JsonObject *r;
	GDate d;

	if (node == NULL) {
		pg_load_add (l, o, path, "missing member \"reviewed\": every red flag is reviewed");
		return;
	}
	r = pg_load_object (l, o, node, sub);
	if (r == NULL)
		return;
	pg_load_members (l, r, sub, allowed);
	f->reviewed_by = g_strdup (pg_load_string (l, r, sub, "by", TRUE));
	f->reviewed_on = g_strdup (pg_load_string (l, r, sub, "date", TRUE));
	if (f->reviewed_on != NULL && !pg_date_parse (f->reviewed_on, &d))
		pg_load_add (l, r, sub, "\"date\" must be YYYY-MM-DD");
}

static PgRedFlag *
pg_load_red_flag (PgLoad *l, JsonObject *parent, JsonNode *node, const gchar *path)
{
	static const gchar *const allowed[]
		= { "id",	"level",     "title", "instruction", "source",
		    "reviewed", "overrides", "when",  NULL };
	JsonObject *o = pg_load_object (l, parent, node, path);
	g_autofree gchar *when_path = g_strdup_printf ("%s/when", path);
	PgRedFlag *f;

	if (o == NULL)
		return NULL;
	f = g_new0 (PgRedFlag, 1);
	pg_load_members (l, o, path, allowed);
	f->id = pg_load_id (l, o, path);
	f->level = pg_load_enum (l, o, path, "level", TRUE, pg_levels);
	pg_load_text (l, o, path, "title", &f->title);
	pg_load_text (l, o, path, "instruction", &f->instruction);
	pg_load_source (l, o, path, &f->source);
	pg_load_reviewed (l, o, path, f);
	f->overrides = pg_load_strv (l, o, path, "overrides", FALSE, NULL);
	if (!json_object_has_member (o, "when"))
		pg_load_add (l, o, path, "missing member \"when\"");
	else
		f->when = pg_pred_parse (l, o, json_object_get_member (o, "when"), when_path, 0);
	return f;
}

/* the parser's signals: where each object and array starts */
static void
pg_on_start (JsonParser *parser, gpointer data)
{
	PgLoad *l = data;
	guint line = json_parser_get_current_line (parser);

	g_array_append_val (l->stack, line);
}

static void
pg_on_end (JsonParser *parser, gpointer container, gpointer data)
{
	PgLoad *l = data;

	if (l->stack->len == 0)
		return;
	g_hash_table_insert (l->lines, container,
			     GUINT_TO_POINTER (g_array_index (l->stack, guint, l->stack->len - 1)));
	g_array_set_size (l->stack, l->stack->len - 1);
}

typedef gpointer (*PgTopLoader) (PgLoad *l, JsonObject *parent, JsonNode *node, const gchar *path);

static void
pg_error_from_problems (GError **error, GPtrArray *problems)
{
	g_autoptr (GString) s = g_string_new (NULL);

	for (guint i = 0; i < problems->len; i++)
		g_string_append_printf (s, "%s%s", i > 0 ? "\n" : "",
					(const gchar *)g_ptr_array_index (problems, i));
	g_set_error_literal (error, PG_RULES_ERROR, PG_RULES_ERROR_INVALID, s->str);
}

/* the items of @list_member checked one by one; the file is refused if any is wrong, as a
 * rule that half loads would change plans silently */
static GPtrArray *
pg_parse_file (const gchar *data,
	       gsize len,
	       const gchar *name,
	       const gchar *list_member,
	       PgTopLoader loader,
	       GDestroyNotify free_func,
	       GError **error)
{
	g_autoptr (JsonParser) parser = json_parser_new ();
	g_autoptr (GError) error_local = NULL;
	g_autoptr (GHashTable) lines = g_hash_table_new (NULL, NULL);
	g_autoptr (GArray) stack = g_array_new (FALSE, FALSE, sizeof (guint));
	g_autoptr (GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
	g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (free_func);
	g_autoptr (GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
	PgLoad l = { name, lines, stack, problems };
	const gchar *const allowed[] = { list_member, "description", NULL };
	JsonNode *root;
	JsonObject *top;
	JsonArray *list;

	g_signal_connect (parser, "object-start", G_CALLBACK (pg_on_start), &l);
	g_signal_connect (parser, "array-start", G_CALLBACK (pg_on_start), &l);
	g_signal_connect (parser, "object-end", G_CALLBACK (pg_on_end), &l);
	g_signal_connect (parser, "array-end", G_CALLBACK (pg_on_end), &l);
	if (!g_utf8_validate (data, (gssize)len, NULL)) {
		g_set_error (error, PG_RULES_ERROR, PG_RULES_ERROR_INVALID, "%s: not valid UTF-8",
			     name);
		return NULL;
	}
	if (!json_parser_load_from_data (parser, data, (gssize)len, &error_local)) {
		/* json-glib says "<data>:LINE:COLUMN: Parse error: …" */
		const gchar *msg = error_local->message;
		if (g_str_has_prefix (msg, "<data>"))
			msg += strlen ("<data>");
		g_set_error (error, PG_RULES_ERROR, PG_RULES_ERROR_INVALID, "%s%s%s", name,
			     msg[0] == ':' ? "" : ": ", msg);
		return NULL;
	}
	root = json_parser_get_root (parser);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
		g_set_error (error, PG_RULES_ERROR, PG_RULES_ERROR_INVALID,
			     "%s:1: the file must hold one JSON object", name);
		return NULL;
	}
	top = json_node_get_object (root);
	pg_load_members (&l, top, "", allowed);
	pg_load_string (&l, top, "", "description", FALSE);
	list = pg_load_array (&l, top, "", list_member, TRUE);
	for (guint i = 0; list != NULL && i < json_array_get_length (list); i++) {
		g_autofree gchar *path = g_strdup_printf ("/%s/%u", list_member, i);
		gpointer item = loader (&l, top, json_array_get_element (list, i), path);
		/* both PgRule and PgRedFlag start with their id */
		const gchar *id = item != NULL ? *(gchar **)item : NULL;
		if (item == NULL)
			continue;
		if (id != NULL && !g_hash_table_add (ids, (gpointer)id))
			pg_load_add (&l, json_array_get_object_element (list, i), path,
				     "id \"%s\" is given twice", id);
		g_ptr_array_add (items, item);
	}
	if (list != NULL && json_array_get_length (list) == 0)
		pg_load_add (&l, top, "", "\"%s\" is empty", list_member);
	if (problems->len > 0) {
		pg_error_from_problems (error, problems);
		return NULL;
	}
	return g_steal_pointer (&items);
}

GPtrArray *
pg_rules_parse (const gchar *data, gsize len, const gchar *name, GError **error)
{
	return pg_parse_file (data, len, name, "rules", (PgTopLoader)pg_load_rule,
			      (GDestroyNotify)pg_rule_free, error);
}

GPtrArray *
pg_red_flags_parse (const gchar *data, gsize len, const gchar *name, GError **error)
{
	return pg_parse_file (data, len, name, "red_flags", (PgTopLoader)pg_load_red_flag,
			      (GDestroyNotify)pg_red_flag_free, error);
}

static gint
pg_compare_paths (gconstpointer a, gconstpointer b)
{
	return strcmp (*(const gchar *const *)a, *(const gchar *const *)b);
}

static gchar **
pg_list_rule_files (const gchar *dir, GError **error)
{
	g_autoptr (GDir) d = g_dir_open (dir, 0, error);
	g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
	const gchar *n;

	if (d == NULL)
		return NULL;
	while ((n = g_dir_read_name (d)) != NULL) {
		if (g_str_has_suffix (n, ".json"))
			g_ptr_array_add (names, g_build_filename (dir, n, NULL));
	}
	g_ptr_array_sort (names, pg_compare_paths);
	g_ptr_array_add (names, NULL);
	return (gchar **)g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

/* a rule id already loaded from an earlier file refuses the later file: an id names one rule */
static gboolean
pg_rule_ids_free (PgRuleSet *set, GPtrArray *rules, const gchar *name, GError **error)
{
	for (guint i = 0; i < rules->len; i++) {
		const PgRule *r = g_ptr_array_index (rules, i);
		for (guint j = 0; j < set->rules->len; j++) {
			const PgRule *o = g_ptr_array_index (set->rules, j);
			if (g_strcmp0 (r->id, o->id) == 0) {
				g_set_error (error, PG_RULES_ERROR, PG_RULES_ERROR_INVALID,
					     "%s: rule id \"%s\" is already given by %s", name,
					     r->id, o->file);
				return FALSE;
			}
		}
	}
	return TRUE;
}

static void
pg_load_rule_file (PgRuleSet *set, const gchar *path, GChecksum *sum)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *data = NULL;
	g_autofree gchar *base = g_path_get_basename (path);
	g_autoptr (GPtrArray) rules = NULL;
	gsize len = 0;

	if (!g_file_get_contents (path, &data, &len, &error)) {
		g_ptr_array_add (set->refused, g_strdup_printf ("%s: %s", base, error->message));
		return;
	}
	rules = pg_rules_parse (data, len, base, &error);
	if (rules == NULL || !pg_rule_ids_free (set, rules, base, &error)) {
		g_ptr_array_add (set->refused, g_strdup (error->message));
		return;
	}
	g_checksum_update (sum, (const guchar *)base, -1);
	g_checksum_update (sum, (const guchar *)data, (gssize)len);
	g_ptr_array_extend_and_steal (set->rules, g_steal_pointer (&rules));
}

PgRuleSet *
pg_rule_set_load (const gchar *rules_dir, const gchar *red_flags_path, GError **error)
{
	g_autoptr (PgRuleSet) set = g_new0 (PgRuleSet, 1);
	g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
	g_autoptr (GError) error_local = NULL;
	g_autofree gchar *flags_data = NULL;
	g_autofree gchar *flags_base = g_path_get_basename (red_flags_path);
	g_auto (GStrv) files = NULL;
	gsize len = 0;

	set->rules = g_ptr_array_new_with_free_func ((GDestroyNotify)pg_rule_free);
	set->refused = g_ptr_array_new_with_free_func (g_free);
	if (!g_file_get_contents (red_flags_path, &flags_data, &len, &error_local)) {
		g_set_error (error, PG_RULES_ERROR, PG_RULES_ERROR_NONE,
			     "the red-flag list cannot be read: %s", error_local->message);
		return NULL;
	}
	set->red_flags = pg_red_flags_parse (flags_data, len, flags_base, &error_local);
	if (set->red_flags == NULL) {
		g_propagate_error (error, g_steal_pointer (&error_local));
		return NULL;
	}
	g_checksum_update (sum, (const guchar *)flags_base, -1);
	g_checksum_update (sum, (const guchar *)flags_data, (gssize)len);
	files = pg_list_rule_files (rules_dir, error);
	if (files == NULL)
		return NULL;
	for (guint i = 0; files[i] != NULL; i++)
		pg_load_rule_file (set, files[i], sum);
	if (set->rules->len == 0) {
		g_set_error (error, PG_RULES_ERROR, PG_RULES_ERROR_NONE,
			     "no rule file in %s loads (%u refused)", rules_dir, set->refused->len);
		return NULL;
	}
	set->version = g_strndup (g_checksum_get_string (sum), 16);
	return g_steal_pointer (&set);
}
