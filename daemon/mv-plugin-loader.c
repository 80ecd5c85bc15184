#define G_LOG_DOMAIN "medverse-loader"

#include "mv-plugin-loader.h"

void
mv_loaded_plugin_free (MvLoadedPlugin *plugin)
{
	if (plugin == NULL)
		return;
	if (plugin->module != NULL)
		g_module_close (plugin->module);
	g_free (plugin->path);
	g_free (plugin);
}

MvLoadedPlugin *
mv_plugin_loader_open (const gchar *path, GError **error)
{
	g_autoptr (MvLoadedPlugin) plugin = g_new0 (MvLoadedPlugin, 1);
	gpointer symbol = NULL;

	plugin->path = g_strdup (path);
	/* LOCAL: plugins must not see each other's symbols; LAZY is not used so that a plugin
	 * with unresolved symbols is refused now, not when a handler first runs */
	plugin->module = g_module_open (path, G_MODULE_BIND_LOCAL);
	if (plugin->module == NULL) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "cannot load: %s",
			     g_module_error ());
		return NULL;
	}
	if (!g_module_symbol (plugin->module, MV_PLUGIN_ENTRY_SYMBOL, &symbol) || symbol == NULL) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "no %s symbol: not a Medverse plugin", MV_PLUGIN_ENTRY_SYMBOL);
		return NULL;
	}
	plugin->info = symbol;
	if (!mv_plugin_info_validate (plugin->info, error))
		return NULL;
	return g_steal_pointer (&plugin);
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
	return g_strcmp0 (*(const gchar *const *)a, *(const gchar *const *)b);
}

GPtrArray *
mv_plugin_loader_scan (const gchar *const *dirs)
{
	GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);

	for (guint i = 0; dirs != NULL && dirs[i] != NULL; i++) {
		g_autoptr (GDir) dir = NULL;
		g_autoptr (GError) error = NULL;
		g_autoptr (GPtrArray) found = g_ptr_array_new ();
		const gchar *name;

		if (dirs[i][0] == '\0')
			continue;
		dir = g_dir_open (dirs[i], 0, &error);
		if (dir == NULL) {
			g_message ("plugin directory %s skipped: %s", dirs[i], error->message);
			continue;
		}
		while ((name = g_dir_read_name (dir)) != NULL) {
			if (g_str_has_suffix (name, ".so"))
				g_ptr_array_add (found, g_build_filename (dirs[i], name, NULL));
		}
		g_ptr_array_sort (found, compare_strings);
		for (guint j = 0; j < found->len; j++)
			g_ptr_array_add (paths, g_ptr_array_index (found, j));
	}
	return paths;
}
