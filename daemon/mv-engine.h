/*
 * The engine: the plugin registry and the call runner, with no transport in it.  The HTTP and
 * D-Bus adapters (and later a plugin host process) are siblings calling the same functions.
 */
#pragma once

#include <gio/gio.h>
#include <medverse/medverse-plugin.h>

#include "mv-auth-context.h"
#include "mv-config.h"

G_BEGIN_DECLS

#define MV_TYPE_ENGINE (mv_engine_get_type ())
G_DECLARE_FINAL_TYPE (MvEngine, mv_engine, MV, ENGINE, GObject)

MvEngine *mv_engine_new (const MvConfig *config);

/* Loads every plugin in the configured directories.  A plugin that is malformed, of another
 * ABI, a duplicate, or whose init fails is refused with one log line ("refusing plugin PATH:
 * REASON"); the rest carry on.  A [plugin.NAME] config group with a key the plugin does not
 * declare, or a value of the wrong type, is a configuration error: FALSE, naming the key. */
gboolean mv_engine_load_plugins (MvEngine *self, GError **error);

/* (element-type MvPluginInfo) (transfer container): loaded plugins, sorted by name. */
GPtrArray *mv_engine_get_plugins (MvEngine *self);

/* Resolves @plugin and @method, or fails with MV_ERROR_NOT_FOUND naming which one. */
const MvMethod *
mv_engine_find_method (MvEngine *self, const gchar *plugin, const gchar *method, GError **error);

/* Who is calling, as the adapter established it (borrowed for the duration of the call). */
typedef struct {
	const gchar *request_id;
	const gchar *clinic_id; /* NULL: the operator or a local D-Bus caller */
	MvRole role;		/* one bit */
	const gchar *locale;	/* BCP 47 tag; NULL means "en" */
} MvCaller;

/* Runs a method in the plugin's own worker pool under the configured time limit.  @input
 * (transfer full, or floating) must be of the method's input tuple type (the runner checks it
 * again).  Completes in the thread-default main context of the caller: with the output tuple,
 * or an MV_ERROR: FORBIDDEN (the method does not accept the caller's role), TIMED_OUT (past
 * the limit, running or still waiting for a worker), UNAVAILABLE (shutting down). */
void mv_engine_call_async (MvEngine *self,
			   const gchar *plugin,
			   const gchar *method,
			   GVariant *input,
			   const MvCaller *caller,
			   GAsyncReadyCallback callback,
			   gpointer user_data);
GVariant *mv_engine_call_finish (MvEngine *self, GAsyncResult *result, GError **error);

/* Receives a call's answer: @output or @error, both transfer full, exactly one of them set. */
typedef void (*MvEngineCallDone) (GVariant *output, GError *error, gpointer user_data);

/* The same call, answered by @done exactly once from whichever thread answers it: the plugin's
 * worker (usually), the main loop (the time limit passed) or the caller's own thread (it could
 * not be queued).  For a caller that needs no thread of its own while the plugin runs (an HTTP
 * route whose connection waits suspended): one thread hop fewer than mv_engine_call_sync().  The
 * time limit is kept by a sweep of the main loop every 50 ms, so its 504 comes up to 50 ms late
 * (and only while the main loop runs). */
void mv_engine_call_then (MvEngine *self,
			  const gchar *plugin,
			  const gchar *method,
			  GVariant *input,
			  const MvCaller *caller,
			  MvEngineCallDone done,
			  gpointer user_data);

/* The same call, blocking: for a worker thread (an HTTP route handler) that calls a plugin
 * and stores what it returns in one request.  Same pool, time limit and accounting; it waits
 * at most the time limit however busy the plugin's workers are.  Never call it from a plugin
 * handler (use mv_call_invoke()) or from the main loop. */
GVariant *mv_engine_call_sync (MvEngine *self,
			       const gchar *plugin,
			       const gchar *method,
			       GVariant *input,
			       const MvCaller *caller,
			       GError **error);

/* How plugin @name runs: @isolated (in host processes of its own, or in process) and
 * @disabled (an isolated plugin disabled after crashing crash-limit times, until an operator
 * enables it).  FALSE when no plugin has that name. */
gboolean mv_engine_get_plugin_state (MvEngine *self,
				     const gchar *name,
				     gboolean *isolated,
				     gboolean *disabled);

/* NULL when no plugin is disabled; else (transfer full) one line per disabled plugin, e.g.
 * "bmi (disabled after crashing too often; medversectl plugins enable bmi)". */
GStrv mv_engine_list_disabled_plugins (MvEngine *self);

/* NULL when every plugin has a free worker; else (transfer full) one line per plugin whose
 * workers are all busy, e.g. "bmi (2 of 2 workers busy, 1 waiting)". */
GStrv mv_engine_list_busy_plugins (MvEngine *self);

/* NULL when no plugin is wedged; else (transfer full) one line per wedged plugin, e.g.
 * "probe (2 of 2 workers stuck in calls past their time limit that ignore cancellation,
 * 1 waiting)".  A call is overdue once its deadline passed (the time limit after it was made:
 * its caller has had 504 and the call was cancelled); a worker is stuck when the call it runs
 * is overdue by more than one further time limit, the grace a plugin has to notice the
 * cancellation; a plugin is wedged when every one of its workers is stuck.  Such a plugin
 * answers nothing until a call returns, so mv_engine_check_ready_async() fails while one is. */
GStrv mv_engine_list_wedged_plugins (MvEngine *self);

/* What the systemd watchdog feeds on (mv-watchdog.h). */
typedef struct {
	guint completed; /* calls finished by a worker so far (wraps; compare for change) */
	guint pending;	 /* calls running in a worker or waiting for one */
	guint overdue;	 /* running calls past their deadline (see above) */
	guint in_flight; /* calls not yet answered */
} MvEngineProgress;
void mv_engine_get_progress (MvEngine *self, MvEngineProgress *progress);

/* The database the engine's readiness depends on (borrowed: the daemon stops it last). */
typedef struct _MvDb MvDb;
void mv_engine_set_database (MvEngine *self, MvDb *db, const gchar *sql_dir);

/* The shared services (transfer full): the engine frees them when it is finalised, after the
 * plugins.  NULL until the database is up. */
typedef struct _MvServices MvServices;
void mv_engine_set_services (MvEngine *self, MvServices *services);
MvServices *mv_engine_get_services (MvEngine *self);

/* Ready = no plugin is wedged (mv_engine_list_wedged_plugins()), the database answers, every
 * migration is applied and writes work (mv_db_check_ready()).  Runs off the main loop.  The
 * error says which (MV_ERROR_UNAVAILABLE naming the wedged plugins, or the database's). */
void mv_engine_check_ready_async (MvEngine *self, GAsyncReadyCallback callback, gpointer user_data);
gboolean mv_engine_check_ready_finish (MvEngine *self, GAsyncResult *result, GError **error);

/* Calls not yet answered. */
guint mv_engine_get_in_flight (MvEngine *self);

/* Applies what can change without a restart (the call time limit). */
void mv_engine_reconfigure (MvEngine *self, const MvConfig *config);

/* Lets a plugin disabled after crashing too often (docs/plugin-isolation.md) serve again: its
 * crash history is cleared and its host processes start at once.  TRUE for any loaded plugin
 * (a plugin that is not disabled stays as it is); FALSE with MV_ERROR_NOT_FOUND otherwise. */
gboolean mv_engine_enable_plugin (MvEngine *self, const gchar *name, GError **error);

/* Runs the plugins' shutdown functions once no worker is busy, waiting at most @timeout_ms;
 * if a worker is still stuck in a plugin, the shutdown functions are skipped (logged) rather
 * than freeing data under its feet. */
void mv_engine_shutdown (MvEngine *self, guint timeout_ms);

/* What a reload did with one plugin. */
typedef enum {
	MV_PLUGIN_RELOADED,  /* the new version serves new calls */
	MV_PLUGIN_UNCHANGED, /* the file is the one running (same SHA-256): nothing done */
	MV_PLUGIN_KEPT_OLD,  /* the new file was refused (@reason); the old version serves */
} MvPluginReloadOutcome;

typedef struct {
	gchar *name;
	MvPluginReloadOutcome outcome;
	gchar *old_version;
	gchar *new_version; /* NULL when kept-old */
	gchar *reason;	    /* kept-old: why (English), else NULL */
} MvPluginReload;

void mv_plugin_reload_free (MvPluginReload *reload);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvPluginReload, mv_plugin_reload_free)
/* "reloaded", "unchanged", "kept-old". */
const gchar *mv_plugin_reload_outcome_to_string (MvPluginReloadOutcome outcome);

/* Loads the file each loaded plugin (or only @name, nullable) was loaded from again, in the way
 * it runs (isolated: new host processes; in process: a private copy of the file, see
 * docs/plugin-isolation.md "Reload"), checks its ABI, its interface (the same methods) and its
 * init, then switches new calls to it; calls queued or running on the old version finish there,
 * then the old version is stopped.  A file that fails any check leaves the old version serving,
 * with one log line naming the plugin, the file and the reason.  Blocking (a plugin's start):
 * call it from a thread of its own, never the main loop.  (element-type MvPluginReload)
 * (transfer full): one per plugin, sorted by name; NULL with MV_ERROR_NOT_FOUND for an unknown
 * @name, MV_ERROR_UNAVAILABLE while shutting down. */
GPtrArray *mv_engine_reload_plugins (MvEngine *self, const gchar *name, GError **error);

/* The metrics exposition (docs/plugin-isolation.md, "Metrics"; transfer full). */
gchar *mv_engine_render_metrics (MvEngine *self);

G_END_DECLS
