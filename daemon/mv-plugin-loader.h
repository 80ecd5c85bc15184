/* Finds, opens and checks plugin shared objects.  A refused plugin costs one log line. */
#pragma once

#include <gmodule.h>
#include <medverse/medverse-plugin.h>

G_BEGIN_DECLS

typedef struct {
	gchar *path;
	GModule *module;
	const MvPluginInfo *info; /* points into module */
} MvLoadedPlugin;

void mv_loaded_plugin_free (MvLoadedPlugin *plugin);

/* Opens @path and checks its declaration: ABI version and size first, then the method table.
 * The module is unloaded again on failure. */
MvLoadedPlugin *mv_plugin_loader_open (const gchar *path, GError **error);

/* Every "*.so" in @dirs, sorted by name within a directory, directories in order.  Missing
 * directories are skipped with a debug line. */
GPtrArray *mv_plugin_loader_scan (const gchar *const *dirs);

/* Whether @fresh declares the interface @running does: the same name and the same methods in
 * the same order, with the same arguments (names, types, flags) and roles.  A reload switches
 * only to such a version (docs/plugin-isolation.md, "Reload"): the D-Bus objects, the API
 * document and the per-method counters were built from the running one.  FALSE with
 * MV_ERROR_FAILED saying the first difference. */
gboolean mv_plugin_loader_same_interface (const MvPluginInfo *running,
					  const MvPluginInfo *fresh,
					  GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvLoadedPlugin, mv_loaded_plugin_free)

G_END_DECLS
