/*
 * vr-recommender plugin — the thin SDK glue around the core (vr-core.h): safe, explainable VR
 * content recommendations from the catalog, the patient and the clinic's session outcomes.
 */
#define G_LOG_DOMAIN "vr-recommender"

#include <medverse/medverse-plugin.h>

#include "vr-core.h"

typedef struct {
	VrCatalog *catalog;
} VrPlugin;

static gboolean
vr_plugin_init (MvHost *host, gpointer *plugin_data, GError **error)
{
	g_autofree gchar *configured = mv_host_get_config_string (host, "catalog");
	g_autofree gchar *path
		= configured != NULL && configured[0] != '\0'
			  ? g_strdup (configured)
			  : g_build_filename (mv_host_get_data_dir (host), "catalog.json", NULL);
	g_autoptr (GError) error_local = NULL;
	VrCatalog *cat = vr_catalog_load (path, &error_local);
	VrPlugin *self;

	/* the plugin does not load without a sound catalog: a filter over a half-read item
	 * could pass what it should not.  The daemon logs this message with the plugin's name */
	if (cat == NULL) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "cannot load the VR catalog: %s",
			     error_local->message);
		return FALSE;
	}
	mv_host_log (host, G_LOG_LEVEL_INFO, "loaded %u catalog items", cat->items->len);
	self = g_new0 (VrPlugin, 1);
	self->catalog = cat;
	*plugin_data = self;
	return TRUE;
}

static void
vr_plugin_shutdown (MvHost *host, gpointer plugin_data)
{
	VrPlugin *self = plugin_data;

	(void)host;
	if (self == NULL)
		return;
	vr_catalog_free (self->catalog);
	g_free (self);
}

/* every problem of the input in one invalid-input error (HTTP 422), each with its field */
static gpointer
vr_plugin_refuse (GError **error, GPtrArray *problems)
{
	for (guint i = 0; i < problems->len; i++) {
		const VrProblem *p = g_ptr_array_index (problems, i);
		mv_error_add_problem (error, p->field, p->code, p->en, p->zh);
	}
	return NULL;
}

static JsonNode *
vr_plugin_arg (GVariant *input, guint index)
{
	g_autoptr (GVariant) v = g_variant_get_child_value (input, index);

	return vr_variant_to_json (v);
}

static GVariant *
vr_plugin_list_catalog (MvCall *call, GVariant *input, GError **error)
{
	VrPlugin *self = mv_call_get_plugin_data (call);
	const gchar *lang = NULL;
	g_auto (GVariantBuilder) b = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("aa{sv}"));

	g_variant_get_child (input, 0, "&s", &lang);
	if (lang[0] != '\0' && vr_enum_parse (lang, vr_languages) < 0) {
		mv_error_add_problem (error, "/language", "not-allowed",
				      "must be en, zh or empty (both)",
				      "须为 en、zh 或空（两种语言）");
		return NULL;
	}
	for (guint i = 0; i < self->catalog->items->len; i++)
		g_variant_builder_add_value (
			&b, vr_item_to_variant (g_ptr_array_index (self->catalog->items, i),
						lang[0] != '\0' ? lang : NULL));
	return g_variant_new_tuple ((GVariant *[]){ g_variant_builder_end (&b) }, 1);
}

static GVariant *
vr_plugin_validate_item (MvCall *call, GVariant *input, GError **error)
{
	VrPlugin *self = mv_call_get_plugin_data (call);
	g_autoptr (GPtrArray) problems = vr_problems_new ();
	g_autoptr (JsonNode) node = vr_plugin_arg (input, 0);
	g_autoptr (VrItem) item = vr_item_read (node, "/item", problems);

	if (item != NULL && g_hash_table_contains (self->catalog->by_id, item->id))
		vr_problem_add (problems, "/item/id", "duplicate", "is the id of a catalog item",
				"与目录条目的 id 重复");
	if (problems->len > 0)
		return vr_plugin_refuse (error, problems);
	return g_variant_new_tuple ((GVariant *[]){ vr_item_to_variant (item, NULL) }, 1);
}

static GVariant *
vr_plugin_train (MvCall *call, GVariant *input, GError **error)
{
	g_autoptr (GPtrArray) problems = vr_problems_new ();
	g_autoptr (JsonNode) node = vr_plugin_arg (input, 0);
	g_autoptr (GPtrArray) sessions = vr_sessions_read (node, "/sessions", TRUE, problems);

	(void)call;
	if (sessions == NULL)
		return vr_plugin_refuse (error, problems);
	return g_variant_new_tuple ((GVariant *[]){ vr_train (sessions) }, 1);
}

static GVariant *
vr_plugin_recommend (MvCall *call, GVariant *input, GError **error)
{
	VrPlugin *self = mv_call_get_plugin_data (call);
	g_autoptr (GPtrArray) problems = vr_problems_new ();
	g_autoptr (JsonNode) patient_node = vr_plugin_arg (input, 0);
	g_autoptr (JsonNode) history_node = vr_plugin_arg (input, 1);
	g_autoptr (GVariant) model_v = g_variant_get_child_value (input, 2);
	g_autoptr (JsonNode) options_node = vr_plugin_arg (input, 3);
	g_autoptr (VrPatient) patient = vr_patient_read (patient_node, self->catalog, problems);
	g_autoptr (GPtrArray) history
		= vr_sessions_read (history_node, "/history", FALSE, problems);
	g_autoptr (GHashTable) wanted = g_hash_table_new (g_str_hash, g_str_equal);
	g_autoptr (VrModel) model = NULL;
	VrOptions options = { 0 };
	GVariant *result;

	for (guint i = 0; history != NULL && i < history->len; i++)
		g_hash_table_add (wanted,
				  ((VrSession *)g_ptr_array_index (history, i))->content_id);
	model = vr_model_from_variant (model_v, wanted);
	/* the model's JSON form only when the quick reader met something wrong: to name it */
	if (model == NULL) {
		g_autoptr (JsonNode) model_node = vr_variant_to_json (model_v);
		model = vr_model_read (model_node, problems);
	}
	/* every argument is read before refusing, so the caller sees every problem at once */
	vr_options_read (options_node, &options, problems);
	if (problems->len > 0) {
		vr_options_clear (&options);
		return vr_plugin_refuse (error, problems);
	}
	result = vr_recommend (self->catalog, patient, history, model, &options);
	vr_options_clear (&options);
	return g_variant_new_tuple (&result, 1);
}

static const MvArg vr_list_in[] = {
	{ "language", "s", "en or zh: title and summary as strings in it; empty: both, as {en, zh}",
	  MV_ARG_NONE },
	MV_ARG_END,
};

static const MvArg vr_list_out[] = {
	{ "items", "aa{sv}", "Every catalog item, normalised (README, Catalog)", MV_ARG_NONE },
	MV_ARG_END,
};

static const MvArg vr_item_in[] = {
	{ "item", "a{sv}", "A clinic's own catalog item, members as in catalog.json", MV_ARG_NONE },
	MV_ARG_END,
};

static const MvArg vr_item_out[] = {
	{ "item", "a{sv}", "The item normalised: every member, typed", MV_ARG_NONE },
	MV_ARG_END,
};

static const MvArg vr_train_in[] = {
	{ "sessions", "aa{sv}",
	  "Session outcomes: patient, content_id, date (YYYY-MM-DD), duration_min, completed, "
	  "rating (1-5, optional), cybersickness (none|mild|moderate|severe, optional)",
	  MV_ARG_NONE },
	MV_ARG_END,
};

static const MvArg vr_train_out[] = {
	{ "model", "a{sv}",
	  "format (2), trained_on, items [{id, popularity, patients, neighbours [{id, weight}]}]: "
	  "pass it back to Recommend",
	  MV_ARG_NONE },
	MV_ARG_END,
};

static const MvArg vr_recommend_in[] = {
	{ "patient", "a{sv}",
	  "language (en|zh) required; age_years, sex, pregnant, conditions, findings, "
	  "comfort_tolerance, max_mets, posture, goals, extra_items (README, Recommend); unknown "
	  "members are refused",
	  MV_ARG_NONE },
	{ "history", "aa{sv}", "This patient's sessions, as Train's without patient", MV_ARG_NONE },
	{ "model", "a{sv}", "Train's answer, or {} (cold start)", MV_ARG_NONE },
	{ "options", "a{sv}",
	  "limit (1-50, default 10), include_excluded, exclude, pin (the clinician's pins: an "
	  "indication, never a safety exemption), seed",
	  MV_ARG_NONE },
	MV_ARG_END,
};

static const MvArg vr_recommend_out[] = {
	{ "result", "a{sv}",
	  "items [{id, title, category, score, reasons}], excluded (when asked), "
	  "comfort_tolerance, cold_start, notes, notices [{code, en, zh; unchecked-codes also "
	  "codes}] (always present)",
	  MV_ARG_NONE },
	MV_ARG_END,
};

static const MvMethod vr_methods[] = {
	{ .name = "ListCatalog",
	  .description = "The loaded VR catalog",
	  .in_args = vr_list_in,
	  .out_args = vr_list_out,
	  .handler = vr_plugin_list_catalog },
	{ .name = "ValidateItem",
	  .description = "Checks a clinic's own item exactly like a catalog item (every problem)",
	  .in_args = vr_item_in,
	  .out_args = vr_item_out,
	  .handler = vr_plugin_validate_item },
	{ .name = "Train",
	  .description = "The collaborative model from the clinic's session outcomes",
	  .in_args = vr_train_in,
	  .out_args = vr_train_out,
	  .handler = vr_plugin_train },
	{ .name = "Recommend",
	  .description = "Safe VR content for a patient, ranked, each with its reasons",
	  .in_args = vr_recommend_in,
	  .out_args = vr_recommend_out,
	  .handler = vr_plugin_recommend },
	MV_METHOD_END,
};

static const MvConfigKey vr_config_keys[] = {
	{ "catalog", "s", NULL, "The catalog file; empty: the data directory's catalog.json" },
	MV_CONFIG_KEY_END,
};

MV_PLUGIN_DEFINE (.name = "vr-recommender",
		  .version = "1.0.0",
		  .description
		  = "Safe, explainable VR content recommendations from the catalog and "
		    "the clinic's session outcomes",
		  .methods = vr_methods,
		  .config_keys = vr_config_keys,
		  .init = vr_plugin_init,
		  .shutdown = vr_plugin_shutdown);
