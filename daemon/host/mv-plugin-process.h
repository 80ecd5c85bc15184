/*
 * Isolated plugins, the daemon's side (docs/plugin-isolation.md): a pool of
 * medverse-plugin-host processes per plugin — spawn, handshake, calls over the channel, kill,
 * restart with backoff, crash accounting and disabling.
 *
 * Thread-safe: the engine's workers call mv_plugin_process_pool_call() concurrently; each call
 * takes one idle host process for itself (a host serves one call at a time) and waits for one
 * otherwise, up to the call's deadline.
 */
#pragma once

#include <gio/gio.h>
#include <medverse/medverse-plugin.h>

G_BEGIN_DECLS

/* [plugin.NAME] keys the daemon owns (defaults in mv-plugin-process.c's table). */
typedef struct {
	gboolean isolated;
	guint processes;
	guint64 memory_mb;
	guint64 cpu_seconds;
	guint64 max_files;
	guint crash_limit;
	guint crash_window_s;
	/* what no host may be granted to read even when a config value names it: the daemon's
	 * state directory and key files (borrowed; the pool keeps a copy) */
	const gchar *const *protected_paths;
} MvIsolationConfig;

/* Reads the isolation keys of @group in @keyfile (NULL: none), each with its default; the
 * default of `isolation` is @default_isolated.  FALSE with MV_ERROR_INVALID_INPUT naming the
 * group and key for a bad value. */
gboolean mv_isolation_config_load (GKeyFile *keyfile,
				   const gchar *group,
				   gboolean default_isolated,
				   MvIsolationConfig *config,
				   GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* FALSE with MV_ERROR_INVALID_INPUT when $MEDVERSE_PLUGIN_ISOLATION is set to anything but
 * process or in-process (mv_isolation_config_load checks it too). */
gboolean mv_isolation_env_check (GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* The commented [plugin.NAME] block of the example configuration (transfer full). */
gchar *mv_isolation_config_example (void);

/* The medverse-plugin-host to run: $MEDVERSE_PLUGIN_HOST, else the installed one, else the
 * one of this build tree (transfer full). */
gchar *mv_plugin_host_path (void);

/* Runs a plugin's mv_call_invoke() for its host: a nested call of @parent. */
typedef GVariant *(*MvPluginProcessInvoke) (
	MvCall *parent, const gchar *plugin, const gchar *method, GVariant *input, GError **error);

typedef struct _MvPluginProcessPool MvPluginProcessPool;

/* Starts the first host process of @plugin_path and reads its HELLO; the plugin is not
 * initialised yet (mv_plugin_process_pool_init).  @start_timeout_ms bounds each start. */
MvPluginProcessPool *mv_plugin_process_pool_new (const gchar *host_path,
						 const gchar *plugin_path,
						 const MvIsolationConfig *config,
						 guint start_timeout_ms,
						 MvPluginProcessInvoke invoke,
						 GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* The plugin as its HELLO declared it (owned by the pool). */
const MvPluginInfo *mv_plugin_process_pool_get_info (MvPluginProcessPool *pool);

/* Sends INIT (@data_dir, @config: key -> value) to the first process, then starts the other
 * `processes - 1`; every later (re)start gets the same INIT. */
gboolean mv_plugin_process_pool_init (MvPluginProcessPool *pool,
				      const gchar *data_dir,
				      GHashTable *config,
				      GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Runs @method on a free host process: the input check, CALL, INVOKEs and LOGs while it runs,
 * then the same output checks as in process.  A host that dies or breaks the protocol fails
 * the call with MV_ERROR_PLUGIN_CRASHED; past @deadline_us the host is killed and the call
 * fails with MV_ERROR_TIMED_OUT (@timeout_ms for the message); a disabled plugin answers
 * MV_ERROR_PLUGIN_DISABLED. */
GVariant *mv_plugin_process_pool_call (MvPluginProcessPool *pool,
				       MvCall *call,
				       const MvMethod *method,
				       GVariant *input,
				       gint64 deadline_us,
				       guint timeout_ms,
				       GError **error) G_GNUC_WARN_UNUSED_RESULT;

gboolean mv_plugin_process_pool_is_disabled (MvPluginProcessPool *pool);

/* Where the pool counts its crashes and restarts (/metrics); set before init, borrowed. */
typedef struct _MvPluginMetrics MvPluginMetrics;
void mv_plugin_process_pool_set_metrics (MvPluginProcessPool *pool, MvPluginMetrics *metrics);

/* (element-type GPid) (transfer full): the pids of the host processes started and ready. */
GArray *mv_plugin_process_pool_list_pids (MvPluginProcessPool *pool);

/* `processes`: how many host processes the plugin has when all run. */
guint mv_plugin_process_pool_get_processes (MvPluginProcessPool *pool);

/* Host processes started and ready (idle or in a call). */
guint mv_plugin_process_pool_count_running (MvPluginProcessPool *pool);

/* Clears the crash history and starts the stopped processes again (TRUE if it was disabled).
 * A process that crashed is restarted by a thread of its own once its backoff is over. */
gboolean mv_plugin_process_pool_enable (MvPluginProcessPool *pool);

/* SHUTDOWN to every idle process, then waits for them until @deadline_us (monotonic), then
 * SIGKILL for what is left (busy ones included).  No call starts afterwards. */
void mv_plugin_process_pool_shutdown (MvPluginProcessPool *pool, gint64 deadline_us);

/* Kills what still runs. */
void mv_plugin_process_pool_free (MvPluginProcessPool *pool);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvPluginProcessPool, mv_plugin_process_pool_free)

G_END_DECLS
