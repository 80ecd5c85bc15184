/*
 * Reading a rules file with every problem at its line: see mv-rules-json.h.
 */
#define G_LOG_DOMAIN "medverse-engagement"

#include "mv-rules-json.h"

#include <math.h>
#include <string.h>

struct _MvRulesJson {
	const gchar *name;
	GHashTable *lines;     /* JsonNode (scalar) / JsonObject / JsonArray → line */
	GArray *open;	       /* lines of the objects and arrays being parsed */
	GPtrArray *problems;   /* "NAME:LINE: …", in the order found */
	GArray *problem_lines; /* the LINE of each */
	guint root_line; /* the line of the root object (where a missing section is reported) */
	JsonParser *parser;
};

static void
on_start (JsonParser *parser, gpointer data)
{
	MvRulesJson *l = data;
	guint line = json_parser_get_current_line (parser);

	g_array_append_val (l->open, line);
}

static void
on_end (JsonParser *parser, gpointer container, gpointer data)
{
	MvRulesJson *l = data;

	g_hash_table_insert (l->lines, container,
			     GUINT_TO_POINTER (g_array_index (l->open, guint, l->open->len - 1)));
	g_array_set_size (l->open, l->open->len - 1);
}

static void
note_scalar (JsonParser *parser, JsonNode *node, MvRulesJson *l)
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

guint
mv_rj_line (MvRulesJson *l, JsonNode *node)
{
	gpointer key = node;

	if (JSON_NODE_HOLDS_OBJECT (node))
		key = json_node_get_object (node);
	else if (JSON_NODE_HOLDS_ARRAY (node))
		key = json_node_get_array (node);
	return GPOINTER_TO_UINT (g_hash_table_lookup (l->lines, key));
}

void
mv_rj_problem (MvRulesJson *l, guint line, const gchar *ptr, const gchar *fmt, ...)
{
	va_list args;
	g_autofree gchar *what = NULL;

	va_start (args, fmt);
	what = g_strdup_vprintf (fmt, args);
	va_end (args);
	g_array_append_val (l->problem_lines, line);
	g_ptr_array_add (l->problems, g_strdup_printf ("%s:%u: %s: %s", l->name, line,
						       *ptr != '\0' ? ptr : "/", what));
}

/* ---- typed members ---------------------------------------------------------------------- */

/* A member of @o (at @line) that must be present; NULL with a problem if not. */
JsonNode *
mv_rj_need (MvRulesJson *l, JsonObject *o, guint line, const gchar *ptr, const gchar *name)
{
	JsonNode *n = json_object_get_member (o, name);

	if (n == NULL)
		mv_rj_problem (l, line, ptr, "\"%s\" is required", name);
	return n;
}

JsonObject *
mv_rj_object (MvRulesJson *l, JsonNode *n, const gchar *ptr)
{
	if (n != NULL && JSON_NODE_HOLDS_OBJECT (n))
		return json_node_get_object (n);
	if (n != NULL)
		mv_rj_problem (l, mv_rj_line (l, n), ptr, "must be an object");
	return NULL;
}

JsonArray *
mv_rj_array (MvRulesJson *l, JsonNode *n, const gchar *ptr)
{
	if (n != NULL && JSON_NODE_HOLDS_ARRAY (n))
		return json_node_get_array (n);
	if (n != NULL)
		mv_rj_problem (l, mv_rj_line (l, n), ptr, "must be an array");
	return NULL;
}

void
mv_rj_only (MvRulesJson *l, JsonObject *o, const gchar *ptr, const gchar *const *allowed)
{
	g_autoptr (GList) names = json_object_get_members (o);

	for (GList *m = names; m != NULL; m = m->next) {
		if (!g_strv_contains (allowed, m->data))
			mv_rj_problem (l, mv_rj_line (l, json_object_get_member (o, m->data)), ptr,
				       "unknown member \"%s\"", (const gchar *)m->data);
	}
}

gboolean
mv_rj_number (MvRulesJson *l,
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
		mv_rj_problem (l, mv_rj_line (l, n), ptr, "must be a number");
		return FALSE;
	}
	v = json_node_get_double (n);
	if ((integer && v != floor (v)) || v < min || v > max) {
		mv_rj_problem (l, mv_rj_line (l, n), ptr, "must be %s from %g to %g",
			       integer ? "a whole number" : "a number", min, max);
		return FALSE;
	}
	*out = v;
	return TRUE;
}

/* A required whole number member, min..max; 0 (and a problem) when wrong. */
guint
mv_rj_uint (MvRulesJson *l,
	    JsonObject *o,
	    guint line,
	    const gchar *ptr,
	    const gchar *name,
	    guint min,
	    guint max)
{
	g_autofree gchar *p = g_strdup_printf ("%s/%s", ptr, name);
	gdouble v = 0;

	if (!mv_rj_number (l, mv_rj_need (l, o, line, ptr, name), p, min, max, TRUE, &v))
		return 0;
	return (guint)v;
}

const gchar *
mv_rj_string (MvRulesJson *l, JsonObject *o, guint line, const gchar *ptr, const gchar *name)
{
	JsonNode *n = mv_rj_need (l, o, line, ptr, name);

	if (n == NULL)
		return NULL;
	if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
	    && *json_node_get_string (n) != '\0')
		return json_node_get_string (n);
	mv_rj_problem (l, mv_rj_line (l, n), ptr, "\"%s\" must be a non-empty string", name);
	return NULL;
}

/* An id: 1-64 of [a-z0-9-] (it names a badge or challenge in the API and the ledger). */
const gchar *
mv_rj_id (MvRulesJson *l, JsonObject *o, guint line, const gchar *ptr)
{
	const gchar *id = mv_rj_string (l, o, line, ptr, "id");

	if (id == NULL)
		return NULL;
	for (const gchar *c = id; *c != '\0'; c++) {
		if (!g_ascii_islower (*c) && !g_ascii_isdigit (*c) && *c != '-') {
			id = NULL;
			break;
		}
	}
	if (id == NULL || strlen (id) > 64) {
		mv_rj_problem (l, mv_rj_line (l, json_object_get_member (o, "id")), ptr,
			       "\"id\" must be 1 to 64 of a-z, 0-9 and -");
		return NULL;
	}
	return id;
}

gboolean
mv_rj_text (MvRulesJson *l,
	    JsonObject *o,
	    guint line,
	    const gchar *ptr,
	    const gchar *name,
	    gboolean required,
	    MvText *out)
{
	static const gchar *const langs[] = { "en", "zh", NULL };
	g_autofree gchar *p = g_strdup_printf ("%s/%s", ptr, name);
	JsonNode *n
		= required ? mv_rj_need (l, o, line, ptr, name) : json_object_get_member (o, name);
	JsonObject *t = mv_rj_object (l, n, p);
	const gchar *en, *zh;

	if (t == NULL)
		return !required && n == NULL;
	mv_rj_only (l, t, p, langs);
	en = mv_rj_string (l, t, mv_rj_line (l, n), p, "en");
	zh = mv_rj_string (l, t, mv_rj_line (l, n), p, "zh");
	if (en == NULL || zh == NULL)
		return FALSE;
	out->en = g_strdup (en);
	out->zh = g_strdup (zh);
	return TRUE;
}

MvRulesJson *
mv_rj_new (const gchar *name)
{
	MvRulesJson *l = g_new0 (MvRulesJson, 1);

	l->name = name;
	l->lines = g_hash_table_new (NULL, NULL);
	l->open = g_array_new (FALSE, FALSE, sizeof (guint));
	l->problems = g_ptr_array_new_with_free_func (g_free);
	l->problem_lines = g_array_new (FALSE, FALSE, sizeof (guint));
	l->parser = json_parser_new ();
	g_signal_connect (l->parser, "object-start", G_CALLBACK (on_start), l);
	g_signal_connect (l->parser, "array-start", G_CALLBACK (on_start), l);
	g_signal_connect (l->parser, "object-end", G_CALLBACK (on_end), l);
	g_signal_connect (l->parser, "array-end", G_CALLBACK (on_end), l);
	g_signal_connect (l->parser, "object-member", G_CALLBACK (on_member), l);
	g_signal_connect (l->parser, "array-element", G_CALLBACK (on_element), l);
	return l;
}

void
mv_rj_free (MvRulesJson *l)
{
	if (l == NULL)
		return;
	g_hash_table_unref (l->lines);
	g_array_unref (l->open);
	g_ptr_array_unref (l->problems);
	g_array_unref (l->problem_lines);
	g_object_unref (l->parser);
	g_free (l);
}

JsonNode *
mv_rj_parse (MvRulesJson *l, const gchar *data, GError **error)
{
	g_autoptr (GError) parse_error = NULL;
	JsonNode *root;

	if (!json_parser_load_from_data (l->parser, data, -1, &parse_error)) {
		/* json-glib says "<data>:LINE:COL: …": the file's name instead of <data> */
		const gchar *msg = parse_error->message;
		if (g_str_has_prefix (msg, "<data>:"))
			msg += strlen ("<data>:");
		g_set_error (error, MV_ENGAGEMENT_ERROR, MV_ENGAGEMENT_ERROR_RULES, "%s:%s",
			     l->name, msg);
		return NULL;
	}
	root = json_parser_get_root (l->parser);
	if (root == NULL)
		mv_rj_problem (l, 1, "", "the file holds no JSON value");
	else
		l->root_line = mv_rj_line (l, root);
	return root;
}

gboolean
mv_rj_check (MvRulesJson *l, GError **error)
{
	g_autoptr (GString) all = g_string_new (NULL);
	g_autofree gboolean *done = g_new0 (gboolean, l->problems->len);

	if (l->problems->len == 0)
		return TRUE;
	/* by line, so the file reads top to bottom; the order found within a line (a selection
	 * sort: a file has a handful of problems) */
	for (guint n = 0; n < l->problems->len; n++) {
		guint best = G_MAXUINT;
		for (guint i = 0; i < l->problems->len; i++) {
			if (!done[i]
			    && (best == G_MAXUINT
				|| g_array_index (l->problem_lines, guint, i)
					   < g_array_index (l->problem_lines, guint, best)))
				best = i;
		}
		done[best] = TRUE;
		g_string_append_printf (all, "%s%s", n > 0 ? "\n" : "",
					(const gchar *)g_ptr_array_index (l->problems, best));
	}
	g_set_error (error, MV_ENGAGEMENT_ERROR, MV_ENGAGEMENT_ERROR_RULES, "%s", all->str);
	return FALSE;
}

guint
mv_rj_root_line (MvRulesJson *l)
{
	return l->root_line;
}
