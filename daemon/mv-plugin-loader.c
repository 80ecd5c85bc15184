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

/* The arguments as "name:type:flags,…", for comparing and for saying what differs. */
static gchar *
args_text (const MvArg *args)
{
	GString *text = g_string_new (NULL);

	for (guint i = 0; args != NULL && args[i].name != NULL; i++)
		g_string_append_printf (text, "%s%s:%s:%u", i > 0 ? "," : "", args[i].name,
					args[i].type, args[i].flags);
	return g_string_free (text, FALSE);
}

static guint32
roles_of (const MvPluginInfo *info, const gchar *method)
{
	for (const MvMethodRoles *r = info->method_roles; r != NULL && r->method != NULL; r++)
		if (g_strcmp0 (r->method, method) == 0)
			return r->roles;
	return 0;
}

gboolean
mv_plugin_loader_same_interface (const MvPluginInfo *running,
				 const MvPluginInfo *fresh,
				 GError **error)
{
	guint i;

	if (g_strcmp0 (running->name, fresh->name) != 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "the file now holds plugin '%s', not '%s'", fresh->name,
			     running->name);
		return FALSE;
	}
	for (i = 0; running->methods[i].name != NULL; i++) {
		const MvMethod *a = &running->methods[i];
		const MvMethod *b = &fresh->methods[i];
		g_autofree gchar *a_in = NULL, *b_in = NULL, *a_out = NULL, *b_out = NULL;

		if (b->name == NULL || g_strcmp0 (a->name, b->name) != 0) {
			g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
				     "its methods differ: method %u is %s, was %s", i + 1,
				     b->name != NULL ? b->name : "missing", a->name);
			return FALSE;
		}
		a_in = args_text (a->in_args);
		b_in = args_text (b->in_args);
		a_out = args_text (a->out_args);
		b_out = args_text (b->out_args);
		if (g_strcmp0 (a_in, b_in) != 0 || g_strcmp0 (a_out, b_out) != 0) {
			g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
				     "the arguments of %s differ (in %s -> %s, out %s -> %s)",
				     a->name, a_in, b_in, a_out, b_out);
			return FALSE;
		}
		if (roles_of (running, a->name) != roles_of (fresh, b->name)) {
			g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
				     "the roles allowed to call %s differ", a->name);
			return FALSE;
		}
	}
	if (fresh->methods[i].name != NULL) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "its methods differ: %s is new",
			     fresh->methods[i].name);
		return FALSE;
	}
	return TRUE;
}
