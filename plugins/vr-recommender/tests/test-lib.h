/*
 * vr-recommender tests — shared helpers: test data, JSON in, results out.
 */
#pragma once

#include "vr-core.h"

G_BEGIN_DECLS

/* VR_TEST_DIR/@rel */
gchar *vrt_path (const gchar *rel);
/* the shipped catalog (VR_CATALOG), asserted to load */
VrCatalog *vrt_catalog (void);
/* @text parsed, asserted to be JSON */
JsonNode *vrt_json (const gchar *text);
/*
 * Recommend through the core, every argument as JSON text (model may be a GVariant from
 * vr_train, when @model_v is not NULL).  NULL when refused, with @problems filled.
 */
GVariant *vrt_recommend (const VrCatalog *cat,
			 const gchar *patient,
			 const gchar *history,
			 GVariant *model_v,
			 const gchar *options,
			 GPtrArray *problems);
/* the ids of the result's items, in order */
GPtrArray *vrt_ids (GVariant *result, const gchar *list);
/* the element of the result's @list with @id */
GVariant *vrt_find (GVariant *result, const gchar *list, const gchar *id);
/* whether the element's reasons hold @code */
gboolean vrt_has_reason (GVariant *element, const gchar *code);
/* whether @problems holds one at @field with @code */
gboolean vrt_has_problem (GPtrArray *problems, const gchar *field, const gchar *code);
/* sessions parsed (Train's when @with_patient) */
GPtrArray *vrt_sessions (const gchar *json, gboolean with_patient);

G_END_DECLS
