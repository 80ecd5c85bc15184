/* A host for plugin unit tests: the daemon's checks without the daemon. */
#include "mv-host-private.h"

struct _MvTestHost {
	GPtrArray *hosts; /* of MvHost, the first is the plugin under test */
	GKeyFile *config;
	GPtrArray *initialised; /* of MvHost whose init ran */
	gchar *clinic_id;	/* the caller mv_test_host_set_caller() set */
	MvCallerRole role;
	gchar *locale;
};

static gchar *
test_host_get_config (MvHost *host, const gchar *key)
{
	MvTestHost *self = host->host_data;
	g_autofree gchar *group = mv_plugin_info_config_group (host->info);
	if (self->config == NULL)
		return NULL;
	return g_key_file_get_string (self->config, group, key, NULL);
}

static MvHost *
find_host (MvTestHost *self, const gchar *plugin)
{
	for (guint i = 0; i < self->hosts->len; i++) {
		MvHost *host = g_ptr_array_index (self->hosts, i);
		if (g_strcmp0 (host->info->name, plugin) == 0)
			return host;
	}
	return NULL;
}

/* @parent: the call of the plugin that invoked this one, or NULL for a call from the test */
static GVariant *
run_in_host (
	MvHost *host, MvCall *parent, const gchar *method_name, GVariant *input, GError **error)
{
	MvTestHost *self = host->host_data;
	const MvMethod *method = mv_plugin_info_find_method (host->info, method_name);
	g_autoptr (MvCall) call = NULL;

	if (method == NULL) {
		g_set_error (error, MV_ERROR, MV_ERROR_NOT_FOUND, "plugin %s has no method %s",
			     host->info->name, method_name);
		return NULL;
	}
	if (parent != NULL) {
		call = mv_call_new_nested (parent, host);
	} else {
		call = mv_call_new (host, "test", NULL, NULL);
		mv_call_set_caller (call, self->clinic_id, self->role, self->locale);
	}
	if (!mv_method_accepts_caller (method, call, error))
		return NULL;
	return mv_call_run (call, method, input, error);
}

static GVariant *
test_host_invoke (
	MvCall *call, const gchar *plugin, const gchar *method, GVariant *input, GError **error)
{
	MvTestHost *self = call->host->host_data;
	MvHost *target = find_host (self, plugin);
	if (target == NULL) {
		g_set_error (error, MV_ERROR, MV_ERROR_NOT_FOUND, "no plugin %s", plugin);
		return NULL;
	}
	return run_in_host (target, call, method, input, error);
}

static const MvHostVTable test_host_vtable = {
	.get_config = test_host_get_config,
	.invoke = test_host_invoke,
};

gboolean
mv_test_host_add_plugin (MvTestHost *self, const MvPluginInfo *info, GError **error)
{
	g_autofree gchar *cwd = g_get_current_dir ();
	g_autoptr (MvHost) host = NULL;
	g_autofree gchar *data_dir = NULL;

	g_return_val_if_fail (self != NULL, FALSE);
	if (!mv_plugin_info_validate (info, error))
		return FALSE;
	if (find_host (self, info->name) != NULL) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "plugin %s added twice", info->name);
		return FALSE;
	}
	if (!mv_plugin_info_check_config (info, self->config, error))
		return FALSE;
	if (self->config != NULL) {
		g_autofree gchar *group = mv_plugin_info_config_group (info);
		data_dir = g_key_file_get_string (self->config, group, "data-dir", NULL);
	}
	host = mv_host_new (info, &test_host_vtable, data_dir != NULL ? data_dir : cwd, self);
	if (!mv_host_init_plugin (host, error))
		return FALSE;
	g_ptr_array_add (self->hosts, g_steal_pointer (&host));
	return TRUE;
}

MvTestHost *
mv_test_host_new (const MvPluginInfo *info, GKeyFile *config, const gchar *data_dir, GError **error)
{
	g_autoptr (MvTestHost) self = g_new0 (MvTestHost, 1);

	self->hosts = g_ptr_array_new ();
	self->role = MV_CALLER_CLINICIAN;
	self->clinic_id = g_strdup ("test-clinic");
	self->locale = g_strdup ("en");
	self->config = config != NULL ? g_key_file_ref (config) : g_key_file_new ();
	if (data_dir != NULL && info != NULL && info->name != NULL) {
		g_autofree gchar *group = g_strdup_printf ("plugin.%s", info->name);
		if (!g_key_file_has_key (self->config, group, "data-dir", NULL)) {
			/* copy, so the caller's key file is left as it was */
			g_autofree gchar *text = g_key_file_to_data (self->config, NULL, NULL);
			g_autoptr (GKeyFile) copy = g_key_file_new ();
			g_key_file_load_from_data (copy, text, -1, G_KEY_FILE_NONE, NULL);
			g_key_file_set_string (copy, group, "data-dir", data_dir);
			g_key_file_unref (self->config);
			self->config = g_steal_pointer (&copy);
		}
	}
	if (!mv_test_host_add_plugin (self, info, error))
		return NULL;
	return g_steal_pointer (&self);
}

GVariant *
mv_test_host_call (MvTestHost *self, const gchar *method, GVariant *input, GError **error)
{
	g_autoptr (GVariant) input_ref = g_variant_ref_sink (input);
	g_return_val_if_fail (self != NULL && self->hosts->len > 0, NULL);
	return run_in_host (g_ptr_array_index (self->hosts, 0), NULL, method, input_ref, error);
}

gchar *
mv_test_host_call_json (MvTestHost *self,
			const gchar *method_name,
			const gchar *json,
			GError **error)
{
	MvHost *host;
	const MvMethod *method;
	g_autoptr (JsonNode) body = NULL;
	g_autoptr (GVariant) input = NULL;
	g_autoptr (GVariant) output = NULL;
	g_autoptr (JsonNode) result = NULL;

	g_return_val_if_fail (self != NULL && self->hosts->len > 0, NULL);
	host = g_ptr_array_index (self->hosts, 0);
	method = mv_plugin_info_find_method (host->info, method_name);
	if (method == NULL) {
		g_set_error (error, MV_ERROR, MV_ERROR_NOT_FOUND, "plugin %s has no method %s",
			     host->info->name, method_name);
		return NULL;
	}
	body = mv_value_parse_json_object (json, -1, error);
	if (body == NULL)
		return NULL;
	input = mv_value_from_json_args (method->in_args, json_node_get_object (body), error);
	if (input == NULL)
		return NULL;
	output = run_in_host (host, NULL, method_name, input, error);
	if (output == NULL)
		return NULL;
	result = mv_value_to_json_args (method->out_args, output, error);
	if (result == NULL)
		return NULL;
	return mv_json_to_string (result);
}

const MvPluginInfo *
mv_test_host_load_module (const gchar *path, GError **error)
{
	GModule *module;
	gpointer symbol = NULL;

	g_return_val_if_fail (path != NULL, NULL);
	module = g_module_open (path, G_MODULE_BIND_LOCAL);
	if (module == NULL) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "%s: cannot load: %s", path,
			     g_module_error ());
		return NULL;
	}
	if (!g_module_symbol (module, MV_PLUGIN_ENTRY_SYMBOL, &symbol) || symbol == NULL) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "%s: no %s symbol: not a Medverse plugin", path,
			     MV_PLUGIN_ENTRY_SYMBOL);
		g_module_close (module);
		return NULL;
	}
	g_module_make_resident (module);
	return symbol;
}

void
mv_test_host_free (MvTestHost *self)
{
	if (self == NULL)
		return;
	/* shut down in reverse order of init */
	for (guint i = self->hosts->len; i > 0; i--) {
		MvHost *host = g_ptr_array_index (self->hosts, i - 1);
		if (host->info->shutdown != NULL)
			host->info->shutdown (host, host->plugin_data);
		mv_host_free (host);
	}
	g_ptr_array_unref (self->hosts);
	g_key_file_unref (self->config);
	g_free (self->clinic_id);
	g_free (self->locale);
	g_free (self);
}

void
mv_test_host_set_caller (MvTestHost *self,
			 const gchar *clinic_id,
			 MvCallerRole role,
			 const gchar *locale)
{
	g_return_if_fail (self != NULL);
	g_free (self->clinic_id);
	g_free (self->locale);
	self->clinic_id = g_strdup (clinic_id);
	self->role = role;
	self->locale = g_strdup (locale != NULL ? locale : "en");
}
