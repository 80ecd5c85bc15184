/*
 * vr-recommender offline evaluation — calling the built plugin through the SDK's test host.
 */
#include "vr-eval-host.h"

MvTestHost *
vr_eval_host_open (const gchar *plugin_path, const gchar *data_dir, GError **error)
{
	const MvPluginInfo *info = mv_test_host_load_module (plugin_path, error);

	if (info == NULL)
		return NULL;
	return mv_test_host_new (info, NULL, data_dir, error);
}

JsonNode *
vr_eval_read_json (const gchar *path, GError **error)
{
	g_autoptr (JsonParser) parser = json_parser_new ();

	if (!json_parser_load_from_file (parser, path, error))
		return NULL;
	return json_node_copy (json_parser_get_root (parser));
}

GVariant *
vr_eval_value (const gchar *type, JsonNode *node, GError **error)
{
	GVariant *v = mv_value_from_json (G_VARIANT_TYPE (type), node, "", error);

	return v != NULL ? g_variant_ref_sink (v) : NULL;
}

GVariant *
vr_eval_without_patient (GVariant *session)
{
	g_autoptr (GVariantDict) d = g_variant_dict_new (session);

	g_variant_dict_remove (d, "patient");
	return g_variant_ref_sink (g_variant_dict_end (d));
}

GVariant *
vr_eval_recommend (MvTestHost *host,
		   GVariant *patient,
		   GVariant *history,
		   GVariant *model,
		   guint limit,
		   gboolean include_excluded,
		   GError **error)
{
	GVariantDict options;
	g_autoptr (GVariant) out = NULL;

	g_variant_dict_init (&options, NULL);
	g_variant_dict_insert (&options, "limit", "u", limit);
	g_variant_dict_insert (&options, "seed", "u", 1u);
	if (include_excluded)
		g_variant_dict_insert (&options, "include_excluded", "b", TRUE);
	out = mv_test_host_call (
		host, "Recommend",
		g_variant_new ("(@a{sv}@aa{sv}@a{sv}@a{sv})", patient, history,
			       model != NULL
				       ? model
				       : g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0),
			       g_variant_dict_end (&options)),
		error);
	if (out == NULL)
		return NULL;
	return g_variant_get_child_value (out, 0);
}

gchar **
vr_eval_result_ids (GVariant *result, gboolean excluded)
{
	g_autoptr (GVariant) list = g_variant_lookup_value (result, excluded ? "excluded" : "items",
							    G_VARIANT_TYPE ("aa{sv}"));
	g_autoptr (GPtrArray) ids = g_ptr_array_new ();
	GVariantIter iter;
	GVariant *item;

	if (list != NULL) {
		g_variant_iter_init (&iter, list);
		while ((item = g_variant_iter_next_value (&iter)) != NULL) {
			const gchar *id = NULL;
			if (g_variant_lookup (item, "id", "&s", &id))
				g_ptr_array_add (ids, g_strdup (id));
			g_variant_unref (item);
		}
	}
	g_ptr_array_add (ids, NULL);
	return (gchar **)g_ptr_array_free (g_steal_pointer (&ids), FALSE);
}

gchar **
vr_eval_catalog_ids (MvTestHost *host, GError **error)
{
	g_autoptr (GVariant) out
		= mv_test_host_call (host, "ListCatalog", g_variant_new ("(s)", "en"), error);
	g_autoptr (GVariant) items = NULL;
	g_autoptr (GVariantBuilder) b = NULL;
	g_autoptr (GVariant) wrapped = NULL;

	if (out == NULL)
		return NULL;
	items = g_variant_get_child_value (out, 0);
	b = g_variant_builder_new (G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add (b, "{sv}", "items", items);
	wrapped = g_variant_ref_sink (g_variant_builder_end (b));
	return vr_eval_result_ids (wrapped, FALSE);
}
