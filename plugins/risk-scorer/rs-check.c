/*
 * risk-scorer core — the checks every part of a model file shares: members of the right JSON
 * type, each problem recorded with its JSON Pointer (rs-model-private.h).
 */
#define G_LOG_DOMAIN "risk-scorer"

#include <math.h>
#include <string.h>

#include "rs-model-private.h"

void
rs_check_add (RsCheck *c, const gchar *path, const gchar *format, ...)
{
	va_list args;
	RsLoadProblem *p = g_new0 (RsLoadProblem, 1);

	va_start (args, format);
	p->message = g_strdup_vprintf (format, args);
	va_end (args);
	p->stage = RS_LOAD_INVALID;
	p->pointer = g_strdup (path);
	g_ptr_array_add (c->problems, p);
}

const gchar *
rs_transform_to_string (RsTransform transform)
{
	static const gchar *const names[] = { "linear",	   "ln",	  "ln_squared", "square",
					      "indicator", "interaction", "spline",	"band" };
	return names[transform];
}

const gchar *
rs_input_type_to_string (RsInputType type)
{
	static const gchar *const names[] = { "number", "boolean", "category" };
	return names[type];
}

gboolean
rs_node_is_number (JsonNode *node)
{
	GType t;

	if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
		return FALSE;
	t = json_node_get_value_type (node);
	return t == G_TYPE_INT64 || t == G_TYPE_DOUBLE;
}

gboolean
rs_node_is_string (JsonNode *node)
{
	return node != NULL && JSON_NODE_HOLDS_VALUE (node)
	       && json_node_get_value_type (node) == G_TYPE_STRING;
}

gboolean
rs_node_is_boolean (JsonNode *node)
{
	return node != NULL && JSON_NODE_HOLDS_VALUE (node)
	       && json_node_get_value_type (node) == G_TYPE_BOOLEAN;
}

JsonNode *
rs_member (JsonObject *obj, const gchar *name)
{
	return json_object_has_member (obj, name) ? json_object_get_member (obj, name) : NULL;
}

/* Every member of @obj not in @allowed is a problem: a misspelt "coeficient" must not load as a
 * model without that coefficient. */
void
rs_check_members (RsCheck *c, JsonObject *obj, const gchar *path, const gchar *const *allowed)
{
	g_autoptr (GList) names = json_object_get_members (obj);

	for (GList *l = names; l != NULL; l = l->next) {
		if (!g_strv_contains (allowed, l->data))
			rs_check_add (c, path, "unknown member \"%s\"", (const gchar *)l->data);
	}
}

const gchar *
rs_req_string (RsCheck *c, JsonObject *obj, const gchar *path, const gchar *name)
{
	JsonNode *node = rs_member (obj, name);

	if (node == NULL) {
		rs_check_add (c, path, "missing member \"%s\"", name);
		return NULL;
	}
	if (!rs_node_is_string (node)) {
		rs_check_add (c, path, "\"%s\" must be a string", name);
		return NULL;
	}
	return json_node_get_string (node);
}

/* TRUE when @name is present and a finite number (stored in @out); a problem when present and
 * anything else, or absent and @required. */
gboolean
rs_get_number (RsCheck *c,
	       JsonObject *obj,
	       const gchar *path,
	       const gchar *name,
	       gboolean required,
	       gdouble *out)
{
	JsonNode *node = rs_member (obj, name);

	if (node == NULL) {
		if (required)
			rs_check_add (c, path, "missing member \"%s\"", name);
		return FALSE;
	}
	if (!rs_node_is_number (node) || !isfinite (json_node_get_double (node))) {
		rs_check_add (c, path, "\"%s\" must be a finite number", name);
		return FALSE;
	}
	*out = json_node_get_double (node);
	return TRUE;
}

JsonObject *
rs_get_object (RsCheck *c, JsonNode *node, const gchar *path)
{
	if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node)) {
		rs_check_add (c, path, "must be an object");
		return NULL;
	}
	return json_node_get_object (node);
}

JsonArray *
rs_get_array (RsCheck *c, JsonObject *obj, const gchar *path, const gchar *name, gboolean required)
{
	JsonNode *node = rs_member (obj, name);

	if (node == NULL) {
		if (required)
			rs_check_add (c, path, "missing member \"%s\"", name);
		return NULL;
	}
	if (!JSON_NODE_HOLDS_ARRAY (node)) {
		rs_check_add (c, path, "\"%s\" must be an array", name);
		return NULL;
	}
	return json_node_get_array (node);
}

/* {"en": …, "zh": …}: English required, Chinese falls back to it */
void
rs_get_text (RsCheck *c, JsonObject *obj, const gchar *path, const gchar *name, RsText *out)
{
	static const gchar *const allowed[] = { "en", "zh", NULL };
	JsonNode *node = rs_member (obj, name);
	g_autofree gchar *sub = g_strdup_printf ("%s/%s", path, name);
	JsonObject *t;
	const gchar *en;

	if (node == NULL)
		return;
	t = rs_get_object (c, node, sub);
	if (t == NULL)
		return;
	rs_check_members (c, t, sub, allowed);
	en = rs_req_string (c, t, sub, "en");
	out->en = g_strdup (en);
	if (json_object_has_member (t, "zh")) {
		const gchar *zh = rs_req_string (c, t, sub, "zh");
		out->zh = g_strdup (zh);
	}
	if (out->en == NULL) /* refused: the caller's fallback sets both */
		g_clear_pointer (&out->zh, g_free);
	else if (out->zh == NULL)
		out->zh = g_strdup (out->en);
}

gboolean
rs_name_is_valid (const gchar *name, gboolean dashes)
{
	gsize len = strlen (name);

	if (len == 0 || len > 64)
		return FALSE;
	for (const gchar *p = name; *p != '\0'; p++) {
		/* ids: [a-z0-9-]; input and feature names: also upper case, '_' and '.', as CSV
		 * columns a trainer turns into names have them (never '/' or '~', which a JSON
		 * Pointer to /inputs/NAME would have to escape) */
		gboolean ok = dashes ? g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '-'
				     : g_ascii_isalnum (*p) || *p == '_' || *p == '.' || *p == '-';
		if (!ok)
			return FALSE;
	}
	return dashes ? len >= 3 : g_ascii_isalpha (name[0]);
}
