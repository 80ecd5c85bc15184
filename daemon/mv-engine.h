/*
 * The engine: the plugin registry and the call runner, with no transport in it.  The HTTP and
 * D-Bus adapters (and later a plugin host process) are siblings calling the same functions.
 */
#pragma once

#include <gio/gio.h>
#include <medverse/medverse-plugin.h>

#include "mv-config.h"

G_BEGIN_DECLS

#define MV_TYPE_ENGINE (mv_engine_get_type ())
G_DECLARE_FINAL_TYPE (MvEngine, mv_engine, MV, ENGINE, GObject)

MvEngine *
mv_engine_new (const MvConfig *config);

/* Loads every plugin in the configured directories.  A plugin that is malformed, of another
 * ABI, a duplicate, or whose init fails is refused with one log line ("refusing plugin PATH:
 * REASON"); the rest carry on.  A [plugin.NAME] config group with a key the plugin does not
 * declare, or a value of the wrong type, is a configuration error: FALSE, naming the key. */
gboolean
mv_engine_load_plugins (MvEngine *self, GError **error);

/* (element-type MvPluginInfo) (transfer container): loaded plugins, sorted by name. */
GPtrArray *
mv_engine_get_plugins (MvEngine *self);

/* Resolves @plugin and @method, or fails with MV_ERROR_NOT_FOUND naming which one. */
const MvMethod *
mv_engine_find_method (MvEngine *self, const gchar *plugin, const gchar *method, GError **error);

/* Runs a method in a worker thread under the configured time limit.  @input (transfer full, or
 * floating) must be of the
 * method's input tuple type (the runner checks it again).  Completes in the thread-default main
 * context of the caller: with the output tuple, or an MV_ERROR (TIMED_OUT past the limit). */
void
mv_engine_call_async (MvEngine *self,
		      const gchar *plugin,
		      const gchar *method,
		      GVariant *input,
		      const gchar *request_id,
		      GAsyncReadyCallback callback,
		      gpointer user_data);
GVariant *
mv_engine_call_finish (MvEngine *self, GAsyncResult *result, GError **error);

/* The database the engine's readiness (and later the patient store) depends on. */
typedef struct _MvDb MvDb;
void
mv_engine_set_database (MvEngine *self, MvDb *db, const gchar *sql_dir);

/* Ready = the database answers and every migration is applied.  Runs off the main loop. */
void
mv_engine_check_ready_async (MvEngine *self, GAsyncReadyCallback callback, gpointer user_data);
gboolean
mv_engine_check_ready_finish (MvEngine *self, GAsyncResult *result, GError **error);

/* Calls not yet answered. */
guint
mv_engine_get_in_flight (MvEngine *self);

/* Applies what can change without a restart (the call time limit). */
void
mv_engine_reconfigure (MvEngine *self, const MvConfig *config);

/* Runs the plugins' shutdown functions once no worker is busy, waiting at most @timeout_ms;
 * if a worker is still stuck in a plugin, the shutdown functions are skipped (logged) rather
 * than freeing data under its feet. */
void
mv_engine_shutdown (MvEngine *self, guint timeout_ms);

G_END_DECLS
