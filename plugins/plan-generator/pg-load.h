/*
 * plan-generator core — what the rule loader's parts share (pg-rules.c, pg-pred.c).  Not for
 * the plugin or the tests.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "pg-rules.h"

G_BEGIN_DECLS

/* one file being checked: where each object and array starts, and the problems so far */
typedef struct {
	const gchar *name;
	GHashTable *lines; /* JsonObject* or JsonArray* -> line (GUINT_TO_POINTER) */
	GArray *stack;
	GPtrArray *problems; /* gchar* "NAME:LINE: /pointer: what" */
} PgLoad;

void pg_load_add (PgLoad *l, gconstpointer where, const gchar *path, const gchar *format, ...)
	G_GNUC_PRINTF (4, 5);
void pg_load_members (PgLoad *l, JsonObject *obj, const gchar *path, const gchar *const *allowed);
JsonNode *pg_load_member (JsonObject *obj, const gchar *name);
gboolean pg_node_is_number (JsonNode *node);
gboolean pg_node_is_string (JsonNode *node);
gboolean pg_node_is_boolean (JsonNode *node);
const gchar *pg_load_string (
	PgLoad *l, JsonObject *obj, const gchar *path, const gchar *name, gboolean required);
gboolean pg_load_number (PgLoad *l,
			 JsonObject *obj,
			 const gchar *path,
			 const gchar *name,
			 gboolean required,
			 gdouble *out);
JsonObject *pg_load_object (PgLoad *l, JsonObject *parent, JsonNode *node, const gchar *path);
JsonArray *
pg_load_array (PgLoad *l, JsonObject *obj, const gchar *path, const gchar *name, gboolean required);
gchar **pg_load_strv (PgLoad *l,
		      JsonObject *obj,
		      const gchar *path,
		      const gchar *name,
		      gboolean required,
		      const gchar *const *allowed);
gchar **pg_load_strv_node (
	PgLoad *l, JsonObject *obj, const gchar *path, JsonNode *node, const gchar *const *allowed);
gboolean pg_load_range (PgLoad *l, JsonObject *obj, const gchar *path, PgRange *out);

PgPred *
pg_pred_parse (PgLoad *l, JsonObject *parent, JsonNode *node, const gchar *path, guint depth);

G_END_DECLS
