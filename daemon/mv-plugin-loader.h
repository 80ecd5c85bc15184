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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvLoadedPlugin, mv_loaded_plugin_free)

G_END_DECLS
