/*
 * vr-recommender tests — shared helpers.
 */
#include <criterion/criterion.h>

#include "test-lib.h"

gchar *
vrt_path (const gchar *rel)
{
	const gchar *dir = g_getenv ("VR_TEST_DIR");

	cr_assert_not_null (dir, "VR_TEST_DIR is not set");
	return g_build_filename (dir, rel, NULL);
}

VrCatalog *
vrt_catalog (void)
{
	g_autoptr (GError) error = NULL;
	const gchar *path = g_getenv ("VR_CATALOG");
	VrCatalog *cat;

	cr_assert_not_null (path, "VR_CATALOG is not set");
	cat = vr_catalog_load (path, &error);
	cr_assert_not_null (cat, "%s", error != NULL ? error->message : "");
	return cat;
}

JsonNode *
vrt_json (const gchar *text)
{
	g_autoptr (JsonParser) parser = json_parser_new ();
	g_autoptr (GError) error = NULL;

	cr_assert (json_parser_load_from_data (parser, text, -1, &error), "%s: %s", text,
		   error != NULL ? error->message : "");
	return json_node_copy (json_parser_get_root (parser));
}

GVariant *
vrt_recommend (const VrCatalog *cat,
	       const gchar *patient,
	       const gchar *history,
	       GVariant *model_v,
	       const gchar *options,
	       GPtrArray *problems)
{
	g_autoptr (JsonNode) pn = vrt_json (patient);
	g_autoptr (JsonNode) hn = vrt_json (history);
	g_autoptr (JsonNode) mn = model_v != NULL ? vr_variant_to_json (model_v) : vrt_json ("{}");
	g_autoptr (JsonNode) on = vrt_json (options);
	g_autoptr (VrPatient) p = vr_patient_read (pn, cat, problems);
	g_autoptr (GPtrArray) h = vr_sessions_read (hn, "/history", FALSE, problems);
	g_autoptr (VrModel) m = vr_model_read (mn, problems);
	VrOptions o = { 0 };
	GVariant *result = NULL;

	vr_options_read (on, &o, problems);
	if (problems->len == 0)
		result = g_variant_ref_sink (vr_recommend (cat, p, h, m, &o));
	vr_options_clear (&o);
	return result;
}

GPtrArray *
vrt_ids (GVariant *result, const gchar *list)
{
	GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
	g_autoptr (GVariant) items = g_variant_lookup_value (result, list, NULL);
	GVariantIter it;
	GVariant *e;

	cr_assert_not_null (items, "no %s in the result", list);
	g_variant_iter_init (&it, items);
	while ((e = g_variant_iter_next_value (&it)) != NULL) {
		const gchar *id = NULL;
		g_variant_lookup (e, "id", "&s", &id);
		g_ptr_array_add (ids, g_strdup (id));
		g_variant_unref (e);
	}
	return ids;
}

GVariant *
vrt_find (GVariant *result, const gchar *list, const gchar *id)
{
	g_autoptr (GVariant) items = g_variant_lookup_value (result, list, NULL);
	GVariantIter it;
	GVariant *e;

	if (items == NULL)
		return NULL;
	g_variant_iter_init (&it, items);
	while ((e = g_variant_iter_next_value (&it)) != NULL) {
		const gchar *eid = NULL;
		if (g_variant_lookup (e, "id", "&s", &eid) && g_strcmp0 (eid, id) == 0)
			return e;
		g_variant_unref (e);
	}
	return NULL;
}

gboolean
vrt_has_reason (GVariant *element, const gchar *code)
{
	g_autoptr (GVariant) reasons = g_variant_lookup_value (element, "reasons", NULL);

	for (gsize i = 0; reasons != NULL && i < g_variant_n_children (reasons); i++) {
		g_autoptr (GVariant) r = g_variant_get_child_value (reasons, i);
		const gchar *c = NULL;
		if (g_variant_lookup (r, "code", "&s", &c) && g_strcmp0 (c, code) == 0)
			return TRUE;
	}
	return FALSE;
}

gboolean
vrt_has_problem (GPtrArray *problems, const gchar *field, const gchar *code)
{
	for (guint i = 0; i < problems->len; i++) {
		const VrProblem *p = g_ptr_array_index (problems, i);
		if (g_strcmp0 (p->field, field) == 0 && g_strcmp0 (p->code, code) == 0)
			return TRUE;
	}
	return FALSE;
}

GPtrArray *
vrt_sessions (const gchar *json, gboolean with_patient)
{
	g_autoptr (GPtrArray) problems = vr_problems_new ();
	g_autoptr (JsonNode) node = vrt_json (json);
	GPtrArray *s = vr_sessions_read (node, "/sessions", with_patient, problems);

	cr_assert_not_null (s, "sessions refused: %u problems", problems->len);
	return s;
}
