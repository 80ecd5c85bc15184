/* The daemon's picture of an isolated plugin: an MvPluginInfo built from the HELLO frame of its
 * host process, so the engine, the routes and the D-Bus adapter see an isolated plugin as they
 * see a loaded one, without the daemon ever dlopen-ing it (a hostile constructor never runs in
 * the daemon). */
#pragma once

#include <medverse/medverse-plugin.h>

G_BEGIN_DECLS

typedef struct _MvPluginProxy MvPluginProxy;

/* Builds the proxy from a HELLO payload (MV_HOST_HELLO_TYPE) and checks it with the loader's
 * own mv_plugin_info_validate().  The method handlers are stubs that fail: an isolated
 * plugin's methods are called through its host process, never in the daemon. */
MvPluginProxy *mv_plugin_proxy_new (GVariant *hello, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Owned by the proxy. */
const MvPluginInfo *mv_plugin_proxy_get_info (MvPluginProxy *proxy);
void mv_plugin_proxy_free (MvPluginProxy *proxy);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvPluginProxy, mv_plugin_proxy_free)

G_END_DECLS
