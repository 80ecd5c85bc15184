/*
 * risk-scorer core — what the parts of the model loader share (rs-model.c, rs-model-features.c,
 * rs-check.c).  Not for the plugin, the trainer or the tests.
 */
#pragma once

#include "rs-model.h"

G_BEGIN_DECLS

typedef struct {
	GPtrArray *problems; /* RsLoadProblem (stage RS_LOAD_INVALID) */
} RsCheck;

void rs_check_add (RsCheck *c, const gchar *path, const gchar *format, ...) G_GNUC_PRINTF (3, 4);
void rs_check_members (RsCheck *c, JsonObject *obj, const gchar *path, const gchar *const *allowed);
gboolean rs_node_is_number (JsonNode *node);
gboolean rs_node_is_string (JsonNode *node);
gboolean rs_node_is_boolean (JsonNode *node);
JsonNode *rs_member (JsonObject *obj, const gchar *name);
const gchar *rs_req_string (RsCheck *c, JsonObject *obj, const gchar *path, const gchar *name);
gboolean rs_get_number (RsCheck *c,
			JsonObject *obj,
			const gchar *path,
			const gchar *name,
			gboolean required,
			gdouble *out);
JsonObject *rs_get_object (RsCheck *c, JsonNode *node, const gchar *path);
JsonArray *
rs_get_array (RsCheck *c, JsonObject *obj, const gchar *path, const gchar *name, gboolean required);
void rs_get_text (RsCheck *c, JsonObject *obj, const gchar *path, const gchar *name, RsText *out);
gboolean rs_name_is_valid (const gchar *name, gboolean dashes);

gint rs_find_feature (const RsModel *m, const gchar *name);
RsFeature *rs_parse_feature (RsCheck *c, JsonNode *node, const gchar *path, const RsModel *m);
void rs_parse_categories (RsCheck *c, JsonObject *root, RsModel *m);

G_END_DECLS
