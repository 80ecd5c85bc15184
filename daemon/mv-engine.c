#define G_LOG_DOMAIN "medverse-engine"

#include "config.h"

#include <string.h>

#include <mv-host-private.h>

#include "mv-engine.h"
#include "mv-build-paths.h"
#include "mv-crash.h"
#include "mv-error-table.h"
#include "mv-db.h"
#include "mv-plugin-loader.h"
#include "mv-plugin-process.h"
#include "mv-services.h"

typedef struct {
	MvLoadedPlugin *loaded; /* an isolated plugin's: no module, the proxy's info */
	MvHost *host;		/* an isolated plugin's is never initialised: calls carry it */
	/* NULL for a plugin running in process; its host processes otherwise */
	MvPluginProcessPool *processes;
	GHashTable *config; /* key -> value, copied at load so workers never touch GKeyFile */
	MvEngine *engine;   /* unowned */
	/* each plugin has its own workers, so a plugin whose calls hang cannot take the workers
	 * of the others */
	GThreadPool *pool;
	guint max_workers;
	gint busy;   /* atomic: workers inside this plugin */
	gint queued; /* atomic: calls waiting for one of its workers */
	GMutex running_lock;
	GPtrArray *running; /* under running_lock: the CallJobs its workers are running */
} MvPluginEntry;

struct _MvEngine {
	GObject parent_instance;
	gchar **plugin_dirs;
	gchar **protected_paths; /* no isolated plugin may read these (docs/sandbox.md) */
	GKeyFile *keyfile;
	guint call_timeout_ms;
	guint worker_threads;
	GHashTable *plugins; /* name -> MvPluginEntry */
	gint in_flight;	     /* atomic: calls not yet answered */
	gint busy_workers;   /* atomic: workers inside a plugin; incremented under stop_lock */
	gint completed;	     /* atomic: calls a worker finished (in time or not), wrapping */
	GMutex stop_lock;
	gboolean stopping;    /* under stop_lock: set by mv_engine_shutdown, no call starts after */
	MvDb *db;	      /* unowned; NULL until set */
	MvServices *services; /* owned; NULL until set */
	gchar *sql_dir;
	/* calls answered through a callback (mv_engine_call_then), a reference each, so one
	 * periodic sweep keeps their time limits: a timer source per call would wake the main
	 * loop twice per call (attached, then destroyed) */
	GMutex pending_lock;
	GHashTable *pending;
	guint sweep_source;
};

/* How often the time limits of callback calls are checked: their 504 comes up to this late. */
#define CALL_SWEEP_MS 50

G_DEFINE_TYPE (MvEngine, mv_engine, G_TYPE_OBJECT)

G_STATIC_ASSERT ((guint)MV_ROLE_PATIENT == (guint)MV_CALLER_PATIENT);
G_STATIC_ASSERT ((guint)MV_ROLE_CLINICIAN == (guint)MV_CALLER_CLINICIAN);
G_STATIC_ASSERT ((guint)MV_ROLE_CLINIC_ADMIN == (guint)MV_CALLER_CLINIC_ADMIN);
G_STATIC_ASSERT ((guint)MV_ROLE_OPERATOR == (guint)MV_CALLER_OPERATOR);

/* A call moves QUEUED -> RUNNING -> DONE, or is answered with a time-out from QUEUED (it is
 * then never started) or from RUNNING (its result is dropped).  Every move is one
 * compare-and-swap, so exactly one of the worker, the timer and the waiter answers. */
typedef enum {
	JOB_QUEUED,
	JOB_RUNNING,
	JOB_DONE,
	JOB_EXPIRED,
} JobState;

typedef struct {
	gint ref_count;
	gint state; /* atomic JobState */
	MvEngine *engine;
	MvPluginEntry *entry;
	const MvMethod *method;
	gchar *plugin_name; /* copies: the entry may be gone when a late job is dropped */
	gchar *method_name;
	GVariant *input;
	MvCall *call;
	guint timeout_ms;
	gint64 deadline_us; /* monotonic */
	gint64 started_us;  /* monotonic, set when a worker starts it */
	/* an asynchronous call answers through its task, timed by a source in its context */
	GTask *task;
	GSource *timeout;
	/* a call with a callback answers through it, timed by the engine's sweep */
	MvEngineCallDone done;
	gpointer done_data;
	/* a synchronous call answers through these */
	GMutex lock;
	GCond cond;
	gboolean answered;
	GVariant *output;
	GError *error;
} CallJob;

static CallJob *
call_job_ref (CallJob *job)
{
	g_atomic_int_inc (&job->ref_count);
	return job;
}

static void
call_job_unref (CallJob *job)
{
	if (!g_atomic_int_dec_and_test (&job->ref_count))
		return;
	if (job->timeout != NULL) {
		g_source_destroy (job->timeout);
		g_source_unref (job->timeout);
	}
	g_variant_unref (job->input);
	mv_call_free (job->call);
	g_clear_object (&job->task);
	g_clear_pointer (&job->output, g_variant_unref);
	g_clear_error (&job->error);
	g_mutex_clear (&job->lock);
	g_cond_clear (&job->cond);
	g_object_unref (job->engine);
	g_free (job->plugin_name);
	g_free (job->method_name);
	g_free (job);
}

/* Hands the answer (output or error, transfer full) to whoever waits: once per job. */
static void
call_job_answer (CallJob *job, GVariant *output, GError *error)
{
	g_atomic_int_add (&job->engine->in_flight, -1);
	/* the timer holds a reference to the job: destroy it now (thread-safe), or every call
	 * would leave a live source in the main context until its time limit passed */
	if (job->timeout != NULL)
		g_source_destroy (job->timeout);
	if (job->task != NULL) {
		if (output != NULL)
			g_task_return_pointer (job->task, output, (GDestroyNotify)g_variant_unref);
		else
			g_task_return_error (job->task, error);
		return;
	}
	if (job->done != NULL) {
		MvEngine *engine = job->engine;
		gboolean held;
		g_mutex_lock (&engine->pending_lock);
		held = g_hash_table_steal (engine->pending, job);
		g_mutex_unlock (&engine->pending_lock);
		job->done (output, error, job->done_data);
		if (held)
			call_job_unref (job);
		return;
	}
	g_mutex_lock (&job->lock);
	job->output = output;
	job->error = error;
	job->answered = TRUE;
	g_cond_signal (&job->cond);
	g_mutex_unlock (&job->lock);
}

static gboolean
call_job_move (CallJob *job, JobState from, JobState to)
{
	return g_atomic_int_compare_and_exchange (&job->state, (gint)from, (gint)to);
}

/* Moves a queued job on; the plugin's count of waiting calls follows the state, so /readyz
 * never counts a call that was answered while it waited. */
static gboolean
call_job_leave_queue (CallJob *job, JobState to)
{
	if (!call_job_move (job, JOB_QUEUED, to))
		return FALSE;
	g_atomic_int_add (&job->entry->queued, -1);
	return TRUE;
}

/* The deadline passed: answer with a time-out, saying whether the plugin ever ran. */
static void
call_job_expire (CallJob *job)
{
	if (call_job_leave_queue (job, JOB_EXPIRED)) {
		/* not the plugin's fault: its workers were all busy with other calls */
		g_warning ("[%s] plugin %s: %s waited %u ms for a free worker and was not started",
			   job->call->request_id, job->plugin_name, job->method_name,
			   job->timeout_ms);
		call_job_answer (
			job, NULL,
			mv_error_new_bilingual (
				MV_ERROR_TIMED_OUT,
				"plugin %s: %s waited for a free worker past the time "
				"limit of %u ms and was not started; the plugin is busy, "
				"retry later",
				"插件 %s：%s 等待空闲工作线程超过了 %u 毫秒的时间限制，未能"
				"开始执行；插件正忙，请稍后重试",
				job->plugin_name, job->method_name, job->timeout_ms));
	} else if (call_job_move (job, JOB_RUNNING, JOB_EXPIRED)) {
		g_cancellable_cancel (job->call->cancellable);
		g_warning ("[%s] plugin %s: %s exceeded its time limit of %u ms",
			   job->call->request_id, job->plugin_name, job->method_name,
			   job->timeout_ms);
		call_job_answer (job, NULL,
				 mv_error_new_bilingual (
					 MV_ERROR_TIMED_OUT,
					 "plugin %s: %s exceeded its time limit of %u ms",
					 "插件 %s：%s 超过了 %u 毫秒的时间限制", job->plugin_name,
					 job->method_name, job->timeout_ms));
	}
}

static gboolean
call_job_timed_out (gpointer user_data)
{
	call_job_expire (user_data);
	return G_SOURCE_REMOVE;
}

/* A job the pool never ran (the engine stopped with it still queued). */
static void
call_job_dropped (gpointer data)
{
	CallJob *job = data;

	if (call_job_leave_queue (job, JOB_DONE))
		call_job_answer (job, NULL,
				 mv_error_new_bilingual (MV_ERROR_UNAVAILABLE,
							 "the daemon is shutting down",
							 "守护进程正在关闭"));
	call_job_unref (job);
}

static void
plugin_entry_free (MvPluginEntry *entry)
{
	/* queued jobs are answered "shutting down" by call_job_dropped; a worker still inside
	 * the plugin was waited for by mv_engine_shutdown */
	if (entry->pool != NULL)
		g_thread_pool_free (entry->pool, TRUE, FALSE);
	g_ptr_array_unref (entry->running);
	g_mutex_clear (&entry->running_lock);
	mv_host_free (entry->host);
	mv_loaded_plugin_free (entry->loaded);
	/* after the loaded plugin: its info points into the pool's proxy */
	g_clear_pointer (&entry->processes, mv_plugin_process_pool_free);
	g_hash_table_unref (entry->config);
	g_free (entry);
}

static void call_job_run (gpointer data, gpointer user_data);

static gchar *
engine_get_config (MvHost *host, const gchar *key)
{
	MvPluginEntry *entry = host->host_data;
	return g_strdup (g_hash_table_lookup (entry->config, key));
}

/* Every call of a client carries its job's deadline as the MvCall's host data, and nested
 * calls inherit it (mv_call_new_nested): an isolated plugin's host needs it. */
static gint64
call_deadline (MvCall *call)
{
	const gint64 *deadline = call->host_data;
	return deadline != NULL ? *deadline : G_MAXINT64;
}

/* Runs @method of @entry for @call: in this thread, or on one of its host processes. */
static GVariant *
entry_run (
	MvPluginEntry *entry, MvCall *call, const MvMethod *method, GVariant *input, GError **error)
{
	if (entry->processes == NULL)
		return mv_call_run (call, method, input, error);
	return mv_plugin_process_pool_call (entry->processes, call, method, input,
					    call_deadline (call), entry->engine->call_timeout_ms,
					    error);
}

/* A plugin calling another through the host: in the same worker, under the same deadline and
 * caller; mv_call_invoke() (or, for an isolated caller, its process's INVOKE handling) has
 * already refused it past the nesting limit. */
static GVariant *
engine_invoke (MvCall *call,
	       const gchar *plugin,
	       const gchar *method_name,
	       GVariant *input,
	       GError **error)
{
	MvPluginEntry *caller = call->host->host_data;
	MvPluginEntry *target;
	const MvMethod *method = mv_engine_find_method (caller->engine, plugin, method_name, error);
	g_autoptr (MvCall) child = NULL;

	if (method == NULL)
		return NULL;
	target = g_hash_table_lookup (caller->engine->plugins, plugin);
	child = mv_call_new_nested (call, target->host);
	if (!mv_method_accepts_caller (method, child, error))
		return NULL;
	return entry_run (target, child, method, input, error);
}

static const MvHostVTable engine_host_vtable = {
	.get_config = engine_get_config,
	.invoke = engine_invoke,
};

static gchar *
plugin_data_dir (MvEngine *self, const MvPluginInfo *info)
{
	g_autofree gchar *group = mv_plugin_info_config_group (info);
	g_autofree gchar *configured
		= g_key_file_get_string (self->keyfile, group, "data-dir", NULL);
	const gchar *root = g_getenv ("MEDVERSE_PLUGIN_DATA_ROOT");

	if (configured != NULL)
		return g_steal_pointer (&configured);
	g_autofree gchar *installed = g_build_filename (MV_DATADIR, "plugins", info->name, NULL);
	/* in the build tree each plugin's data is generated into plugins/NAME/data */
	g_autofree gchar *in_build
		= g_build_filename (MV_BUILD_PLUGIN_DATA_ROOT, info->name, "data", NULL);

	if (root != NULL && root[0] != '\0')
		return g_build_filename (root, info->name, NULL);
	/* an uninstalled daemon finds the data its build produced */
	if (!g_file_test (installed, G_FILE_TEST_IS_DIR)
	    && g_file_test (in_build, G_FILE_TEST_IS_DIR))
		return g_steal_pointer (&in_build);
	return g_steal_pointer (&installed);
}

static GHashTable *
plugin_config_table (MvEngine *self, const MvPluginInfo *info)
{
	GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	g_autofree gchar *group = mv_plugin_info_config_group (info);
	g_auto (GStrv) keys = g_key_file_get_keys (self->keyfile, group, NULL, NULL);

	for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
		gchar *value = g_key_file_get_string (self->keyfile, group, keys[i], NULL);
		if (value != NULL)
			g_hash_table_insert (table, g_strdup (keys[i]), value);
	}
	return table;
}

/* A plugin in the daemon's own plugin directory (the installed one, or anything this build
 * tree built) runs in process by default; one from anywhere else runs isolated.
 * $MEDVERSE_PLUGIN_ISOLATION overrides that default (not an explicit `isolation` key). */
static gboolean
default_isolated (const gchar *path)
{
	const gchar *env = g_getenv ("MEDVERSE_PLUGIN_ISOLATION");
	g_autofree gchar *dir = g_path_get_dirname (path);
	g_autofree gchar *canonical = g_canonicalize_filename (dir, NULL);

	if (g_strcmp0 (env, "process") == 0)
		return TRUE;
	if (g_strcmp0 (env, "in-process") == 0)
		return FALSE;
	if (g_strcmp0 (canonical, MV_PLUGINDIR) == 0
	    || g_str_has_prefix (canonical, MV_PLUGINDIR "/"))
		return FALSE;
	return !g_str_has_prefix (canonical, MV_BUILD_ROOT "/");
}

/* Registers a loaded plugin (in process, or isolated with @processes) and initialises it.  A
 * config group that does not match what the plugin declares is the operator's mistake and
 * stops the daemon (@config_error set), as any other bad config key does. */
static gboolean
register_plugin (MvEngine *self,
		 MvLoadedPlugin *loaded_in,
		 MvPluginProcessPool *processes_in,
		 GError **config_error,
		 GError **error)
{
	g_autoptr (MvLoadedPlugin) loaded = loaded_in;
	g_autoptr (MvPluginProcessPool) processes = processes_in;
	MvPluginEntry *existing = g_hash_table_lookup (self->plugins, loaded->info->name);
	MvPluginEntry *entry;
	g_autofree gchar *data_dir = NULL;
	gboolean ok;

	if (existing != NULL) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "duplicate plugin name '%s', already loaded from %s",
			     loaded->info->name, existing->loaded->path);
		return FALSE;
	}
	if (!mv_plugin_info_check_config (loaded->info, self->keyfile, config_error))
		return FALSE;
	entry = g_new0 (MvPluginEntry, 1);
	entry->engine = self;
	g_mutex_init (&entry->running_lock);
	entry->running = g_ptr_array_new ();
	/* an isolated plugin runs as many calls at once as it has host processes: more workers
	 * would only wait for a process, and /readyz counts busy workers */
	entry->max_workers = processes != NULL ? mv_plugin_process_pool_get_processes (processes)
					       : self->worker_threads;
	entry->config = plugin_config_table (self, loaded->info);
	data_dir = plugin_data_dir (self, loaded->info);
	entry->host = mv_host_new (loaded->info, &engine_host_vtable, data_dir, entry);
	entry->loaded = g_steal_pointer (&loaded);
	entry->processes = g_steal_pointer (&processes);
	if (entry->processes != NULL)
		ok = mv_plugin_process_pool_init (entry->processes, data_dir, entry->config, error);
	else
		ok = mv_host_init_plugin (entry->host, error);
	if (!ok) {
		plugin_entry_free (entry);
		return FALSE;
	}
	entry->pool = g_thread_pool_new_full (call_job_run, entry, call_job_dropped,
					      (gint)entry->max_workers, FALSE, NULL);
	g_hash_table_insert (self->plugins, (gpointer)entry->loaded->info->name, entry);
	g_message ("loaded plugin %s %s from %s%s", entry->loaded->info->name,
		   entry->loaded->info->version, entry->loaded->path,
		   entry->processes != NULL ? " (isolated: in host processes of its own)" : "");
	return TRUE;
}

/* The isolation settings of the plugin named @name; TRUE when they differ from @used (the
 * plugin must then be loaded again the other way, or with other limits). */
static gboolean
isolation_changed (MvEngine *self,
		   const gchar *path,
		   const gchar *name,
		   const MvIsolationConfig *used,
		   MvIsolationConfig *wanted,
		   GError **config_error)
{
	g_autofree gchar *group = g_strdup_printf ("plugin.%s", name);

	if (!mv_isolation_config_load (self->keyfile, group, default_isolated (path), wanted,
				       config_error))
		return FALSE;
	return memcmp (wanted, used, sizeof *wanted) != 0;
}

static gboolean load_isolated (MvEngine *self,
			       const gchar *path,
			       const MvIsolationConfig *iso,
			       gboolean may_switch,
			       GError **config_error,
			       GError **error);

static gboolean
load_in_process (MvEngine *self,
		 const gchar *path,
		 const MvIsolationConfig *iso,
		 gboolean may_switch,
		 GError **config_error,
		 GError **error)
{
	g_autoptr (MvLoadedPlugin) loaded = mv_plugin_loader_open (path, error);
	MvIsolationConfig wanted;

	if (loaded == NULL)
		return FALSE;
	/* only a switch to isolation matters here: other isolation keys mean nothing in process */
	if (may_switch
	    && isolation_changed (self, path, loaded->info->name, iso, &wanted, config_error)
	    && wanted.isolated) {
		g_clear_pointer (&loaded, mv_loaded_plugin_free);
		return load_isolated (self, path, &wanted, FALSE, config_error, error);
	}
	if (config_error != NULL && *config_error != NULL)
		return FALSE;
	return register_plugin (self, g_steal_pointer (&loaded), NULL, config_error, error);
}

static gboolean
load_isolated (MvEngine *self,
	       const gchar *path,
	       const MvIsolationConfig *iso,
	       gboolean may_switch,
	       GError **config_error,
	       GError **error)
{
	g_autofree gchar *host_path = mv_plugin_host_path ();
	g_autoptr (MvPluginProcessPool) processes = NULL;
	MvLoadedPlugin *loaded;
	MvIsolationConfig wanted;
	MvIsolationConfig guarded = *iso;

	guarded.protected_paths = (const gchar *const *)self->protected_paths;
	/* a start may take what a call may, and never less than 10 s: init parses data files */
	processes = mv_plugin_process_pool_new (host_path, path, &guarded,
						MAX (self->call_timeout_ms, 10000), engine_invoke,
						error);
	if (processes == NULL)
		return FALSE;
	if (may_switch
	    && isolation_changed (self, path, mv_plugin_process_pool_get_info (processes)->name,
				  iso, &wanted, config_error)) {
		g_clear_pointer (&processes, mv_plugin_process_pool_free);
		if (wanted.isolated)
			return load_isolated (self, path, &wanted, FALSE, config_error, error);
		return load_in_process (self, path, &wanted, FALSE, config_error, error);
	}
	if (config_error != NULL && *config_error != NULL)
		return FALSE;
	loaded = g_new0 (MvLoadedPlugin, 1);
	loaded->path = g_strdup (path);
	loaded->info = mv_plugin_process_pool_get_info (processes);
	return register_plugin (self, loaded, g_steal_pointer (&processes), config_error, error);
}

/* Loads one plugin, in process or isolated.  Which one is decided before anything of it runs,
 * by the group named after the file ([plugin.STEM] for STEM.so, the usual case); when the
 * plugin turns out to have another name whose group says otherwise, it is loaded again. */
static gboolean
load_one (MvEngine *self, const gchar *path, GError **config_error, GError **error)
{
	g_autofree gchar *base = g_path_get_basename (path);
	g_autofree gchar *group = NULL;
	MvIsolationConfig iso;

	if (g_str_has_suffix (base, ".so"))
		base[strlen (base) - strlen (".so")] = '\0';
	group = g_strdup_printf ("plugin.%s", base);
	if (!mv_isolation_config_load (self->keyfile, group, default_isolated (path), &iso,
				       config_error))
		return FALSE;
	if (iso.isolated)
		return load_isolated (self, path, &iso, TRUE, config_error, error);
	return load_in_process (self, path, &iso, TRUE, config_error, error);
}

/* A [plugin.NAME] group for a plugin that is not loaded cannot be checked: say so. */
static void
warn_unused_plugin_groups (MvEngine *self)
{
	g_auto (GStrv) groups = g_key_file_get_groups (self->keyfile, NULL);

	for (guint i = 0; groups[i] != NULL; i++) {
		if (g_str_has_prefix (groups[i], "plugin.")
		    && !g_hash_table_contains (self->plugins, groups[i] + strlen ("plugin.")))
			g_warning ("config group [%s] names no loaded plugin; it is ignored",
				   groups[i]);
	}
}

gboolean
mv_engine_load_plugins (MvEngine *self, GError **error)
{
	g_autoptr (GPtrArray) paths
		= mv_plugin_loader_scan ((const gchar *const *)self->plugin_dirs);

	/* at start even with no plugin to load: a typo there must not pass unnoticed */
	if (!mv_isolation_env_check (error))
		return FALSE;

	for (guint i = 0; i < paths->len; i++) {
		const gchar *path = g_ptr_array_index (paths, i);
		g_autoptr (GError) error_local = NULL;
		g_autoptr (GError) config_error = NULL;

		if (load_one (self, path, &config_error, &error_local))
			continue;
		if (config_error != NULL) {
			g_propagate_error (error, g_steal_pointer (&config_error));
			return FALSE;
		}
		g_warning ("refusing plugin %s: %s", path, error_local->message);
	}
	warn_unused_plugin_groups (self);
	g_message ("%u plugin(s) loaded", g_hash_table_size (self->plugins));
	return TRUE;
}

static gint
compare_info_names (gconstpointer a, gconstpointer b)
{
	const MvPluginInfo *ia = *(const MvPluginInfo *const *)a;
	const MvPluginInfo *ib = *(const MvPluginInfo *const *)b;
	return g_strcmp0 (ia->name, ib->name);
}

GPtrArray *
mv_engine_get_plugins (MvEngine *self)
{
	GPtrArray *infos = g_ptr_array_new ();
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init (&iter, self->plugins);
	while (g_hash_table_iter_next (&iter, NULL, &value))
		g_ptr_array_add (infos, (gpointer)((MvPluginEntry *)value)->loaded->info);
	g_ptr_array_sort (infos, compare_info_names);
	return infos;
}

const MvMethod *
mv_engine_find_method (MvEngine *self,
		       const gchar *plugin,
		       const gchar *method_name,
		       GError **error)
{
	MvPluginEntry *entry = g_hash_table_lookup (self->plugins, plugin);
	const MvMethod *method;

	if (entry == NULL) {
		mv_set_error_bilingual_printf (error, MV_ERROR_NOT_FOUND, "no plugin named '%s'",
					       "没有名为“%s”的插件", plugin);
		return NULL;
	}
	method = mv_plugin_info_find_method (entry->loaded->info, method_name);
	if (method == NULL) {
		mv_set_error_bilingual_printf (error, MV_ERROR_NOT_FOUND,
					       "plugin %s has no method '%s'",
					       "插件 %s 没有名为“%s”的方法", plugin, method_name);
		return NULL;
	}
	return method;
}

static void
call_job_run (gpointer data, gpointer user_data)
{
	CallJob *job = data;
	MvEngine *engine = job->engine;
	MvPluginEntry *entry = user_data;
	g_autoptr (GError) error = NULL;
	GVariant *output;

	/* a call whose deadline passed while it waited is never started, even if the timer has
	 * not fired yet (its main context may be busy) */
	if (g_get_monotonic_time () >= job->deadline_us)
		call_job_expire (job);
	/* the stop check and the count are one step, so mv_engine_shutdown sees every call it
	 * must wait for, and no call starts once it has decided to free the plugins */
	g_mutex_lock (&engine->stop_lock);
	if (engine->stopping) {
		g_mutex_unlock (&engine->stop_lock);
		if (call_job_leave_queue (job, JOB_DONE))
			call_job_answer (job, NULL,
					 mv_error_new_bilingual (MV_ERROR_UNAVAILABLE,
								 "the daemon is shutting down",
								 "守护进程正在关闭"));
		call_job_unref (job);
		return;
	}
	if (!call_job_leave_queue (job, JOB_RUNNING)) {
		g_mutex_unlock (&engine->stop_lock);
		call_job_unref (job);
		return;
	}
	g_atomic_int_inc (&engine->busy_workers);
	g_atomic_int_inc (&entry->busy);
	g_mutex_unlock (&engine->stop_lock);
	g_mutex_lock (&entry->running_lock);
	job->started_us = g_get_monotonic_time ();
	g_ptr_array_add (entry->running, job);
	g_mutex_unlock (&entry->running_lock);

	/* an isolated plugin cannot crash the daemon: its crashes are its host's */
	if (entry->processes == NULL)
		mv_crash_enter_call (job->plugin_name, job->method_name, job->call->request_id);
	output = entry_run (entry, job->call, job->method, job->input, &error);
	if (entry->processes == NULL)
		mv_crash_leave_call ();

	g_mutex_lock (&entry->running_lock);
	g_ptr_array_remove_fast (entry->running, job);
	g_mutex_unlock (&entry->running_lock);
	g_atomic_int_inc (&engine->completed);
	g_atomic_int_add (&entry->busy, -1);
	g_atomic_int_add (&engine->busy_workers, -1);
	if (call_job_move (job, JOB_RUNNING, JOB_DONE)) {
		call_job_answer (job, output, output != NULL ? NULL : g_steal_pointer (&error));
	} else {
		g_debug ("[%s] plugin call finished after its time limit; result dropped",
			 job->call->request_id);
		g_clear_pointer (&output, g_variant_unref);
	}
	call_job_unref (job);
}

/* The time limits of the callback calls (see MvEngine.pending). */
static gboolean
sweep_pending (gpointer user_data)
{
	MvEngine *self = user_data;
	g_autoptr (GPtrArray) due = g_ptr_array_new ();
	gint64 now = g_get_monotonic_time ();
	GHashTableIter iter;
	gpointer key;

	g_mutex_lock (&self->pending_lock);
	g_hash_table_iter_init (&iter, self->pending);
	while (g_hash_table_iter_next (&iter, &key, NULL))
		if (now >= ((CallJob *)key)->deadline_us)
			g_ptr_array_add (due, call_job_ref (key));
	g_mutex_unlock (&self->pending_lock);
	for (guint i = 0; i < due->len; i++) {
		call_job_expire (g_ptr_array_index (due, i));
		call_job_unref (g_ptr_array_index (due, i));
	}
	return G_SOURCE_CONTINUE;
}

/* Checks and queues a call; NULL with @error when it cannot even be queued. */
static CallJob *
call_job_submit (MvEngine *self,
		 const gchar *plugin,
		 const gchar *method_name,
		 GVariant *input,
		 const MvCaller *caller,
		 GTask *task,
		 MvEngineCallDone done,
		 gpointer done_data,
		 GError **error)
{
	g_autoptr (GVariant) input_ref = g_variant_take_ref (input);
	const MvMethod *method = mv_engine_find_method (self, plugin, method_name, error);
	MvPluginEntry *entry;
	g_autoptr (MvCall) call = NULL;
	CallJob *job;

	if (method == NULL)
		return NULL;
	entry = g_hash_table_lookup (self->plugins, plugin);
	call = mv_call_new (entry->host, caller->request_id, NULL, NULL);
	mv_call_set_caller (call, caller->clinic_id, (MvCallerRole)caller->role, caller->locale);
	if (!mv_method_accepts_caller (method, call, error))
		return NULL;

	job = g_new0 (CallJob, 1);
	job->ref_count = 1;
	job->engine = g_object_ref (self);
	job->entry = entry;
	job->method = method;
	job->plugin_name = g_strdup (plugin);
	job->method_name = g_strdup (method_name);
	job->input = g_steal_pointer (&input_ref);
	job->call = g_steal_pointer (&call);
	job->timeout_ms = self->call_timeout_ms;
	job->deadline_us = g_get_monotonic_time () + (gint64)job->timeout_ms * 1000;
	/* see call_deadline(): the job outlives its call */
	job->call->host_data = &job->deadline_us;
	job->task = task != NULL ? g_object_ref (task) : NULL;
	job->done = done;
	job->done_data = done_data;
	g_mutex_init (&job->lock);
	g_cond_init (&job->cond);
	g_atomic_int_inc (&self->in_flight);
	g_atomic_int_inc (&entry->queued);
	if (task != NULL) {
		job->timeout = g_timeout_source_new (job->timeout_ms);
		g_source_set_callback (job->timeout, call_job_timed_out, call_job_ref (job),
				       (GDestroyNotify)call_job_unref);
		g_source_attach (job->timeout, g_task_get_context (task));
	}
	if (done != NULL) {
		/* before the push: a worker may answer (and look for it here) at once */
		g_mutex_lock (&self->pending_lock);
		g_hash_table_add (self->pending, call_job_ref (job));
		if (self->sweep_source == 0)
			self->sweep_source = g_timeout_add (CALL_SWEEP_MS, sweep_pending, self);
		g_mutex_unlock (&self->pending_lock);
	}
	/* the pool holds a reference until call_job_run or call_job_dropped */
	if (!g_thread_pool_push (entry->pool, call_job_ref (job), error)) {
		if (call_job_leave_queue (job, JOB_DONE))
			g_atomic_int_add (&self->in_flight, -1);
		if (done != NULL) {
			g_mutex_lock (&self->pending_lock);
			if (g_hash_table_steal (self->pending, job))
				call_job_unref (job);
			g_mutex_unlock (&self->pending_lock);
		}
		call_job_unref (job);
		call_job_unref (job);
		return NULL;
	}
	return job;
}

void
mv_engine_call_async (MvEngine *self,
		      const gchar *plugin,
		      const gchar *method_name,
		      GVariant *input,
		      const MvCaller *caller,
		      GAsyncReadyCallback callback,
		      gpointer user_data)
{
	g_autoptr (GTask) task = g_task_new (self, NULL, callback, user_data);
	g_autoptr (GError) error = NULL;
	CallJob *job;

	g_task_set_source_tag (task, mv_engine_call_async);
	job = call_job_submit (self, plugin, method_name, input, caller, task, NULL, NULL, &error);
	if (job == NULL) {
		g_task_return_error (task, g_steal_pointer (&error));
		return;
	}
	call_job_unref (job);
}

void
mv_engine_call_then (MvEngine *self,
		     const gchar *plugin,
		     const gchar *method_name,
		     GVariant *input,
		     const MvCaller *caller,
		     MvEngineCallDone done,
		     gpointer user_data)
{
	GError *error = NULL;
	CallJob *job = call_job_submit (self, plugin, method_name, input, caller, NULL, done,
					user_data, &error);

	if (job == NULL) {
		done (NULL, error, user_data);
		return;
	}
	call_job_unref (job);
}

GVariant *
mv_engine_call_finish (MvEngine *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail (g_task_is_valid (result, self), NULL);
	return g_task_propagate_pointer (G_TASK (result), error);
}

GVariant *
mv_engine_call_sync (MvEngine *self,
		     const gchar *plugin,
		     const gchar *method_name,
		     GVariant *input,
		     const MvCaller *caller,
		     GError **error)
{
	CallJob *job = call_job_submit (self, plugin, method_name, input, caller, NULL, NULL, NULL,
					error);
	GVariant *output;

	if (job == NULL)
		return NULL;
	g_mutex_lock (&job->lock);
	while (!job->answered) {
		if (g_cond_wait_until (&job->cond, &job->lock, job->deadline_us))
			continue;
		/* past the deadline: answer with the time-out ourselves, unless the worker
		 * has just answered; either way an answer is now certain */
		g_mutex_unlock (&job->lock);
		call_job_expire (job);
		g_mutex_lock (&job->lock);
		while (!job->answered)
			g_cond_wait (&job->cond, &job->lock);
	}
	g_mutex_unlock (&job->lock);
	output = g_steal_pointer (&job->output);
	if (output == NULL)
		g_propagate_error (error, g_steal_pointer (&job->error));
	call_job_unref (job);
	return output;
}

gboolean
mv_engine_get_plugin_state (MvEngine *self,
			    const gchar *name,
			    gboolean *isolated,
			    gboolean *disabled)
{
	MvPluginEntry *entry = g_hash_table_lookup (self->plugins, name);

	if (entry == NULL)
		return FALSE;
	*isolated = entry->processes != NULL;
	*disabled
		= entry->processes != NULL && mv_plugin_process_pool_is_disabled (entry->processes);
	return TRUE;
}

/* One line per plugin for which @line_for says something (sorted by name), NULL when none. */
static GStrv
plugin_lines (MvEngine *self, gchar *(*line_for) (const MvPluginInfo *info, MvPluginEntry *entry))
{
	g_autoptr (GStrvBuilder) lines = g_strv_builder_new ();
	g_autoptr (GPtrArray) infos = mv_engine_get_plugins (self);
	g_auto (GStrv) result = NULL;

	for (guint i = 0; i < infos->len; i++) {
		const MvPluginInfo *info = g_ptr_array_index (infos, i);
		g_autofree gchar *line
			= line_for (info, g_hash_table_lookup (self->plugins, info->name));

		if (line != NULL)
			g_strv_builder_add (lines, line);
	}
	result = g_strv_builder_end (lines);
	return result[0] != NULL ? g_steal_pointer (&result) : NULL;
}

static gchar *
disabled_line (const MvPluginInfo *info, MvPluginEntry *entry)
{
	if (entry->processes == NULL || !mv_plugin_process_pool_is_disabled (entry->processes))
		return NULL;
	return g_strdup_printf ("%s (disabled after crashing too often; medversectl plugins "
				"enable %s)",
				info->name, info->name);
}

GStrv
mv_engine_list_disabled_plugins (MvEngine *self)
{
	return plugin_lines (self, disabled_line);
}

static gchar *
busy_line (const MvPluginInfo *info, MvPluginEntry *entry)
{
	guint busy = (guint)g_atomic_int_get (&entry->busy);
	guint queued = (guint)g_atomic_int_get (&entry->queued);

	if (busy < entry->max_workers)
		return NULL;
	return g_strdup_printf ("%s (%u of %u workers busy, %u waiting)", info->name, busy,
				entry->max_workers, queued);
}

GStrv
mv_engine_list_busy_plugins (MvEngine *self)
{
	return plugin_lines (self, busy_line);
}

/* A running call is overdue once its deadline passed (its caller has had 504 and the call was
 * cancelled); its worker is stuck once it is overdue by one more time limit, the grace a
 * plugin gets to notice the cancellation (one that checks returns within moments).  Counts
 * the stuck workers of @entry, and the overdue calls into @overdue (nullable). */
static guint
count_stuck (MvPluginEntry *entry, gint64 now, guint *overdue)
{
	guint stuck = 0;

	g_mutex_lock (&entry->running_lock);
	for (guint i = 0; i < entry->running->len; i++) {
		const CallJob *job = g_ptr_array_index (entry->running, i);
		if (now <= job->deadline_us)
			continue;
		if (overdue != NULL)
			(*overdue)++;
		if (now - job->deadline_us > (gint64)job->timeout_ms * 1000)
			stuck++;
	}
	g_mutex_unlock (&entry->running_lock);
	return stuck;
}

GStrv
mv_engine_list_wedged_plugins (MvEngine *self)
{
	g_autoptr (GStrvBuilder) lines = g_strv_builder_new ();
	g_autoptr (GPtrArray) infos = mv_engine_get_plugins (self);
	gint64 now = g_get_monotonic_time ();
	g_auto (GStrv) result = NULL;

	for (guint i = 0; i < infos->len; i++) {
		const MvPluginInfo *info = g_ptr_array_index (infos, i);
		MvPluginEntry *entry = g_hash_table_lookup (self->plugins, info->name);
		guint stuck = count_stuck (entry, now, NULL);

		if (stuck < entry->max_workers)
			continue;
		g_autofree gchar *line = g_strdup_printf (
			"%s (%u of %u workers stuck in calls past their time limit that ignore "
			"cancellation, %u waiting)",
			info->name, stuck, entry->max_workers,
			(guint)g_atomic_int_get (&entry->queued));
		g_strv_builder_add (lines, line);
	}
	result = g_strv_builder_end (lines);
	return result[0] != NULL ? g_steal_pointer (&result) : NULL;
}

void
mv_engine_get_progress (MvEngine *self, MvEngineProgress *progress)
{
	GHashTableIter iter;
	gpointer value;
	gint64 now = g_get_monotonic_time ();

	progress->completed = (guint)g_atomic_int_get (&self->completed);
	progress->pending = 0;
	progress->overdue = 0;
	progress->in_flight = (guint)g_atomic_int_get (&self->in_flight);
	g_hash_table_iter_init (&iter, self->plugins);
	while (g_hash_table_iter_next (&iter, NULL, &value)) {
		MvPluginEntry *entry = value;
		progress->pending += (guint)g_atomic_int_get (&entry->busy)
				     + (guint)g_atomic_int_get (&entry->queued);
		count_stuck (entry, now, &progress->overdue);
	}
}

void
mv_engine_set_database (MvEngine *self, MvDb *db, const gchar *sql_dir)
{
	self->db = db;
	g_free (self->sql_dir);
	self->sql_dir = g_strdup (sql_dir);
}

void
mv_engine_set_services (MvEngine *self, MvServices *services)
{
	g_clear_pointer (&self->services, mv_services_free);
	self->services = services;
}

MvServices *
mv_engine_get_services (MvEngine *self)
{
	return self->services;
}

static void
check_ready_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
	MvEngine *self = source;
	GError *error = NULL;
	g_auto (GStrv) wedged = mv_engine_list_wedged_plugins (self);

	/* not a database matter, and the cheapest check: first */
	if (wedged != NULL) {
		g_autofree gchar *names = g_strjoinv ("; ", wedged);
		g_task_return_new_error (task, MV_ERROR, MV_ERROR_UNAVAILABLE,
					 "not ready: wedged plugin(s): %s", names);
		return;
	}
	if (self->db == NULL) {
		g_task_return_new_error (task, MV_ERROR, MV_ERROR_UNAVAILABLE, "no database yet");
		return;
	}
	if (!mv_db_check_ready (self->db, self->sql_dir, &error)) {
		g_task_return_error (task, error);
		return;
	}
	g_task_return_boolean (task, TRUE);
}

void
mv_engine_check_ready_async (MvEngine *self, GAsyncReadyCallback callback, gpointer user_data)
{
	g_autoptr (GTask) task = g_task_new (self, NULL, callback, user_data);
	g_task_run_in_thread (task, check_ready_thread);
}

gboolean
mv_engine_check_ready_finish (MvEngine *self, GAsyncResult *result, GError **error)
{
	return g_task_propagate_boolean (G_TASK (result), error);
}

guint
mv_engine_get_in_flight (MvEngine *self)
{
	return (guint)g_atomic_int_get (&self->in_flight);
}

void
mv_engine_reconfigure (MvEngine *self, const MvConfig *config)
{
	if (self->call_timeout_ms != config->call_timeout_ms)
		g_message ("plugin call time limit now %u ms", config->call_timeout_ms);
	self->call_timeout_ms = config->call_timeout_ms;
}

gboolean
mv_engine_enable_plugin (MvEngine *self, const gchar *name, GError **error)
{
	MvPluginEntry *entry = g_hash_table_lookup (self->plugins, name);

	if (entry == NULL) {
		mv_set_error_bilingual_printf (error, MV_ERROR_NOT_FOUND, "no plugin named '%s'",
					       "没有名为“%s”的插件", name);
		return FALSE;
	}
	if (entry->processes != NULL)
		mv_plugin_process_pool_enable (entry->processes);
	return TRUE;
}

void
mv_engine_shutdown (MvEngine *self, guint timeout_ms)
{
	gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;
	GHashTableIter iter;
	gpointer value;

	g_mutex_lock (&self->stop_lock);
	self->stopping = TRUE;
	g_mutex_unlock (&self->stop_lock);
	while (g_atomic_int_get (&self->busy_workers) > 0 && g_get_monotonic_time () < deadline)
		g_usleep (10000);
	if (g_atomic_int_get (&self->busy_workers) > 0) {
		g_warning ("%d plugin call(s) still running; skipping plugin shutdown functions",
			   g_atomic_int_get (&self->busy_workers));
		/* isolated plugins' hosts are killed all the same: none outlives the daemon */
		g_hash_table_iter_init (&iter, self->plugins);
		while (g_hash_table_iter_next (&iter, NULL, &value))
			if (((MvPluginEntry *)value)->processes != NULL)
				mv_plugin_process_pool_shutdown (
					((MvPluginEntry *)value)->processes, 0);
		return;
	}
	g_hash_table_iter_init (&iter, self->plugins);
	while (g_hash_table_iter_next (&iter, NULL, &value)) {
		MvPluginEntry *entry = value;
		if (entry->processes != NULL)
			mv_plugin_process_pool_shutdown (entry->processes, deadline);
		else if (entry->loaded->info->shutdown != NULL)
			entry->loaded->info->shutdown (entry->host, entry->host->plugin_data);
	}
	g_hash_table_remove_all (self->plugins);
}

static void
mv_engine_finalize (GObject *object)
{
	MvEngine *self = MV_ENGINE (object);
	/* jobs hold a reference to the engine, so none can be running or pending here */
	if (self->sweep_source != 0)
		g_source_remove (self->sweep_source);
	g_hash_table_unref (self->pending);
	g_mutex_clear (&self->pending_lock);
	g_mutex_clear (&self->stop_lock);
	g_hash_table_unref (self->plugins);
	g_clear_pointer (&self->services, mv_services_free);
	g_strfreev (self->plugin_dirs);
	g_strfreev (self->protected_paths);
	g_free (self->sql_dir);
	g_key_file_unref (self->keyfile);
	G_OBJECT_CLASS (mv_engine_parent_class)->finalize (object);
}

static void
mv_engine_class_init (MvEngineClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = mv_engine_finalize;
}

static void
mv_engine_init (MvEngine *self)
{
	g_mutex_init (&self->stop_lock);
	g_mutex_init (&self->pending_lock);
	self->pending = g_hash_table_new (NULL, NULL);
	self->plugins = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
					       (GDestroyNotify)plugin_entry_free);
}

MvEngine *
mv_engine_new (const MvConfig *config)
{
	MvEngine *self = g_object_new (MV_TYPE_ENGINE, NULL);
	self->plugin_dirs = g_strdupv (config->plugin_dirs);
	{
		GStrvBuilder *b = g_strv_builder_new ();
		if (config->data_dir != NULL)
			g_strv_builder_add (b, config->data_dir);
		if (config->master_key_file != NULL)
			g_strv_builder_add (b, config->master_key_file);
		self->protected_paths = g_strv_builder_end (b);
		g_strv_builder_unref (b);
	}
	self->keyfile = g_key_file_ref (config->keyfile);
	self->call_timeout_ms = config->call_timeout_ms;
	self->worker_threads = config->worker_threads;
	return self;
}
