#define G_LOG_DOMAIN "medverse-engine"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include <mv-host-private.h>

#include "mv-engine.h"
#include "mv-build-paths.h"
#include "mv-crash.h"
#include "mv-error-table.h"
#include "mv-db.h"
#include "mv-metrics.h"
#include "mv-plugin-loader.h"
#include "mv-plugin-process.h"
#include "mv-services.h"

/* One loaded version of a plugin.  The registry holds a reference; so does whoever is between
 * finding it and queueing a call on it (the count of queued calls holds it from there), a nested
 * call running on it, and a reload draining it.  A version a reload replaced is stopped once no
 * call is queued or running on it (drain_thread()); its MvPluginInfo is kept until the engine is
 * finalised (retire_entry()), since pointers into it were handed out (mv_engine_find_method()). */
typedef struct {
	gint ref_count;		/* atomic */
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
	gchar *data_dir;
	MvIsolationConfig iso; /* an isolated plugin's settings, for a reload's new pool */
	gchar *checksum;       /* SHA-256 of the file as loaded: a reload of the same is a no-op */
	gchar *snapshot;       /* the private copy it runs from (write_snapshot()), or NULL */
	MvPluginMetrics *metrics; /* owned by the engine's MvMetrics */
} MvPluginEntry;

struct _MvEngine {
	GObject parent_instance;
	gchar **plugin_dirs;
	gchar **protected_paths; /* no isolated plugin may read these (docs/sandbox.md) */
	GKeyFile *keyfile;
	guint call_timeout_ms;
	guint worker_threads;
	GHashTable *plugins; /* under registry_lock: name -> MvPluginEntry (a reference) */
	GMutex registry_lock;
	GMutex reload_lock;	   /* one reload at a time; shutdown waits for it */
	GPtrArray *old_entries;	   /* under registry_lock: replaced versions still draining */
	GPtrArray *drains;	   /* under reload_lock: their drain threads */
	GPtrArray *retired_loaded; /* under registry_lock: MvLoadedPlugin of stopped versions */
	GPtrArray *retired_pools;  /* under registry_lock: their process pools, shut down */
	gchar *snapshot_dir;	   /* under reload_lock: private copies of plugin files */
	guint snapshot_serial;	   /* under reload_lock */
	MvMetrics *metrics;
	gint in_flight;	   /* atomic: calls not yet answered */
	gint busy_workers; /* atomic: workers inside a plugin; incremented under stop_lock */
	gint completed;	   /* atomic: calls a worker finished (in time or not), wrapping */
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
	gint64 submitted_us;
	MvMethodMetrics *metrics; /* the method's counters: every answer is counted once */
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
	if (job->metrics != NULL)
		mv_method_metrics_observe (job->metrics,
					   g_get_monotonic_time () - job->submitted_us, error);
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
	/* its hosts are gone: nothing maps the private copy any more */
	if (entry->snapshot != NULL)
		g_unlink (entry->snapshot);
	g_free (entry->snapshot);
	g_free (entry->checksum);
	g_free (entry->data_dir);
	g_hash_table_unref (entry->config);
	g_free (entry);
}

static void
entry_unref (MvPluginEntry *entry)
{
	if (entry != NULL && g_atomic_int_dec_and_test (&entry->ref_count))
		plugin_entry_free (entry);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvPluginEntry, entry_unref)

/* The running version of plugin @name (a reference), or NULL. */
static MvPluginEntry *
entry_lookup (MvEngine *self, const gchar *name)
{
	MvPluginEntry *entry;

	g_mutex_lock (&self->registry_lock);
	entry = g_hash_table_lookup (self->plugins, name);
	if (entry != NULL)
		g_atomic_int_inc (&entry->ref_count);
	g_mutex_unlock (&self->registry_lock);
	return entry;
}

static void call_job_run (gpointer data, gpointer user_data);

/* @method of @entry (nullable: no such plugin), or NULL with MV_ERROR_NOT_FOUND. */
static const MvMethod *
entry_find_method (MvPluginEntry *entry,
		   const gchar *plugin,
		   const gchar *method_name,
		   GError **error)
{
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
	/* the version found serves the whole nested call, even if a reload replaces it meanwhile */
	g_autoptr (MvPluginEntry) target = entry_lookup (caller->engine, plugin);
	const MvMethod *method = entry_find_method (target, plugin, method_name, error);
	g_autoptr (MvCall) child = NULL;

	if (method == NULL)
		return NULL;
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

/* A new version of a plugin (in process, or isolated with @processes), initialised; NULL with
 * @error when its init fails, with @config_error when its config group does not match what it
 * declares (the operator's mistake: at start it stops the daemon, as any bad config key does). */
static MvPluginEntry *
entry_create (MvEngine *self,
	      MvLoadedPlugin *loaded_in,
	      MvPluginProcessPool *processes_in,
	      GError **config_error,
	      GError **error)
{
	g_autoptr (MvLoadedPlugin) loaded = loaded_in;
	g_autoptr (MvPluginProcessPool) processes = processes_in;
	MvPluginEntry *entry;
	gboolean ok;

	if (!mv_plugin_info_check_config (loaded->info, self->keyfile, config_error))
		return NULL;
	entry = g_new0 (MvPluginEntry, 1);
	entry->ref_count = 1;
	entry->engine = self;
	g_mutex_init (&entry->running_lock);
	entry->running = g_ptr_array_new ();
	/* an isolated plugin runs as many calls at once as it has host processes: more workers
	 * would only wait for a process, and /readyz counts busy workers */
	entry->max_workers = processes != NULL ? mv_plugin_process_pool_get_processes (processes)
					       : self->worker_threads;
	entry->config = plugin_config_table (self, loaded->info);
	entry->data_dir = plugin_data_dir (self, loaded->info);
	entry->metrics = mv_metrics_get_plugin (self->metrics, loaded->info);
	entry->host = mv_host_new (loaded->info, &engine_host_vtable, entry->data_dir, entry);
	entry->loaded = g_steal_pointer (&loaded);
	entry->processes = g_steal_pointer (&processes);
	if (entry->processes != NULL) {
		mv_plugin_process_pool_set_metrics (entry->processes, entry->metrics);
		ok = mv_plugin_process_pool_init (entry->processes, entry->data_dir, entry->config,
						  error);
	} else {
		ok = mv_host_init_plugin (entry->host, error);
	}
	if (!ok) {
		plugin_entry_free (entry);
		return NULL;
	}
	entry->pool = g_thread_pool_new_full (call_job_run, entry, call_job_dropped,
					      (gint)entry->max_workers, FALSE, NULL);
	return entry;
}

/* Registers a loaded plugin at start and initialises it (see entry_create()).  @checksum and
 * @snapshot (transfer full, nullable) describe the file it came from. */
static gboolean
register_plugin (MvEngine *self,
		 MvLoadedPlugin *loaded_in,
		 MvPluginProcessPool *processes_in,
		 const MvIsolationConfig *iso,
		 gchar *checksum,
		 gchar *snapshot,
		 GError **config_error,
		 GError **error)
{
	g_autoptr (MvLoadedPlugin) loaded = loaded_in;
	g_autoptr (MvPluginProcessPool) processes = processes_in;
	g_autofree gchar *sum = checksum;
	g_autofree gchar *copy = snapshot;
	MvPluginEntry *existing;
	MvPluginEntry *entry;

	g_mutex_lock (&self->registry_lock);
	existing = g_hash_table_lookup (self->plugins, loaded->info->name);
	g_mutex_unlock (&self->registry_lock);
	if (existing != NULL) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "duplicate plugin name '%s', already loaded from %s",
			     loaded->info->name, existing->loaded->path);
		if (copy != NULL)
			g_unlink (copy);
		return FALSE;
	}
	entry = entry_create (self, g_steal_pointer (&loaded), g_steal_pointer (&processes),
			      config_error, error);
	if (entry == NULL) {
		if (copy != NULL)
			g_unlink (copy);
		return FALSE;
	}
	entry->iso = *iso;
	entry->checksum = g_steal_pointer (&sum);
	entry->snapshot = g_steal_pointer (&copy);
	g_mutex_lock (&self->registry_lock);
	g_hash_table_insert (self->plugins, (gpointer)entry->loaded->info->name, entry);
	g_mutex_unlock (&self->registry_lock);
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

/* @path's contents and their SHA-256 (both transfer full). */
static gboolean
read_plugin_file (const gchar *path, GBytes **contents, gchar **checksum, GError **error)
{
	gchar *data = NULL;
	gsize len = 0;

	if (!g_file_get_contents (path, &data, &len, error))
		return FALSE;
	*contents = g_bytes_new_take (data, len);
	*checksum = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, *contents);
	return TRUE;
}

/* A private copy of a plugin file under a name used once (transfer full): every plugin runs
 * from one.  Two reasons: glibc's dlopen() of a path it has loaded returns the module already
 * loaded (it matches the name before it looks at the file), so a new version in process must
 * come from another path; and what runs must not change under it when someone `cp`s a new file
 * over the original (the pages of a mapped file change with it: the daemon, or a host, would
 * crash at its next call; a restarted host would run another version than its siblings).  The
 * copy is removed when the version is freed. */
static gchar *
write_snapshot (MvEngine *self, const gchar *name, GBytes *contents, GError **error)
{
	g_autofree gchar *base = NULL;
	g_autofree gchar *path = NULL;
	gsize len = 0;
	gconstpointer data = g_bytes_get_data (contents, &len);

	if (self->snapshot_dir == NULL) {
		/* made at start, by mv_engine_load_plugins(): never concurrently */
		self->snapshot_dir = g_dir_make_tmp ("medversed-plugins-XXXXXX", error);
		if (self->snapshot_dir == NULL)
			return NULL;
	}
	base = g_strdup_printf ("%s.%u.so", name,
				(guint)g_atomic_int_add (&self->snapshot_serial, 1));
	path = g_build_filename (self->snapshot_dir, base, NULL);
	if (!g_file_set_contents_full (path, data, (gssize)len, G_FILE_SET_CONTENTS_NONE, 0600,
				       error))
		return NULL;
	return g_steal_pointer (&path);
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
	g_autoptr (MvLoadedPlugin) loaded = NULL;
	g_autoptr (GBytes) contents = NULL;
	g_autofree gchar *checksum = NULL;
	g_autofree gchar *snapshot = NULL;
	g_autofree gchar *stem = g_path_get_basename (path);
	g_autoptr (GError) copy_error = NULL;
	MvIsolationConfig wanted;

	if (!read_plugin_file (path, &contents, &checksum, error))
		return FALSE;
	/* from a private copy (see write_snapshot()); failing that (TMPDIR not writable, or
	 * mounted noexec) from the file itself, which a `cp` over it will then crash */
	if (g_str_has_suffix (stem, ".so"))
		stem[strlen (stem) - strlen (".so")] = '\0';
	snapshot = write_snapshot (self, stem, contents, &copy_error);
	if (snapshot != NULL)
		loaded = mv_plugin_loader_open (snapshot, &copy_error);
	if (loaded == NULL) {
		if (snapshot != NULL)
			g_unlink (snapshot);
		g_clear_pointer (&snapshot, g_free);
		loaded = mv_plugin_loader_open (path, error);
		if (loaded == NULL)
			return FALSE;
		g_warning ("plugin %s runs from %s itself, not from a private copy (%s): replace "
			   "that file with a new one (install, mv), never write over it",
			   loaded->info->name, path, copy_error->message);
	} else {
		g_free (loaded->path);
		loaded->path = g_strdup (path);
	}
	/* only a switch to isolation matters here: other isolation keys mean nothing in process */
	if (may_switch
	    && isolation_changed (self, path, loaded->info->name, iso, &wanted, config_error)
	    && wanted.isolated) {
		g_clear_pointer (&loaded, mv_loaded_plugin_free);
		if (snapshot != NULL)
			g_unlink (snapshot);
		return load_isolated (self, path, &wanted, FALSE, config_error, error);
	}
	if (config_error != NULL && *config_error != NULL) {
		if (snapshot != NULL)
			g_unlink (snapshot);
		return FALSE;
	}
	return register_plugin (self, g_steal_pointer (&loaded), NULL, iso,
				g_steal_pointer (&checksum), g_steal_pointer (&snapshot),
				config_error, error);
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
	g_autoptr (GBytes) contents = NULL;
	g_autofree gchar *checksum = NULL;
	g_autofree gchar *snapshot = NULL;
	g_autofree gchar *stem = g_path_get_basename (path);
	MvLoadedPlugin *loaded;
	MvIsolationConfig wanted;
	MvIsolationConfig guarded = *iso;

	guarded.protected_paths = (const gchar *const *)self->protected_paths;
	if (!read_plugin_file (path, &contents, &checksum, error))
		return FALSE;
	/* its hosts load a private copy: see write_snapshot() */
	if (g_str_has_suffix (stem, ".so"))
		stem[strlen (stem) - strlen (".so")] = '\0';
	snapshot = write_snapshot (self, stem, contents, error);
	if (snapshot == NULL)
		return FALSE;
	/* a start may take what a call may, and never less than 10 s: init parses data files */
	processes = mv_plugin_process_pool_new (host_path, snapshot, &guarded,
						MAX (self->call_timeout_ms, 10000), engine_invoke,
						error);
	if (processes == NULL) {
		g_unlink (snapshot);
		return FALSE;
	}
	if (may_switch
	    && isolation_changed (self, path, mv_plugin_process_pool_get_info (processes)->name,
				  iso, &wanted, config_error)) {
		g_clear_pointer (&processes, mv_plugin_process_pool_free);
		g_unlink (snapshot);
		if (wanted.isolated)
			return load_isolated (self, path, &wanted, FALSE, config_error, error);
		return load_in_process (self, path, &wanted, FALSE, config_error, error);
	}
	if (config_error != NULL && *config_error != NULL) {
		g_unlink (snapshot);
		return FALSE;
	}
	loaded = g_new0 (MvLoadedPlugin, 1);
	loaded->path = g_strdup (path);
	loaded->info = mv_plugin_process_pool_get_info (processes);
	return register_plugin (self, loaded, g_steal_pointer (&processes), &guarded,
				g_steal_pointer (&checksum), g_steal_pointer (&snapshot),
				config_error, error);
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

	/* the infos outlive a reload (see MvPluginEntry) */
	g_mutex_lock (&self->registry_lock);
	g_hash_table_iter_init (&iter, self->plugins);
	while (g_hash_table_iter_next (&iter, NULL, &value))
		g_ptr_array_add (infos, (gpointer)((MvPluginEntry *)value)->loaded->info);
	g_mutex_unlock (&self->registry_lock);
	g_ptr_array_sort (infos, compare_info_names);
	return infos;
}

const MvMethod *
mv_engine_find_method (MvEngine *self,
		       const gchar *plugin,
		       const gchar *method_name,
		       GError **error)
{
	g_autoptr (MvPluginEntry) entry = entry_lookup (self, plugin);

	/* the pointer stays valid after a reload: replaced versions' infos are kept */
	return entry_find_method (entry, plugin, method_name, error);
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
	/* busy before the queue is left: a reload's drain sees the call in one count or the
	 * other, never in neither */
	g_atomic_int_inc (&entry->busy);
	if (!call_job_leave_queue (job, JOB_RUNNING)) {
		g_atomic_int_add (&entry->busy, -1);
		g_mutex_unlock (&engine->stop_lock);
		call_job_unref (job);
		return;
	}
	g_atomic_int_inc (&engine->busy_workers);
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
	/* held until the call is counted as queued on it (see MvPluginEntry) */
	g_autoptr (MvPluginEntry) entry = entry_lookup (self, plugin);
	const MvMethod *method = entry_find_method (entry, plugin, method_name, error);
	g_autoptr (MvCall) call = NULL;
	CallJob *job;

	if (method == NULL)
		return NULL;
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
	job->submitted_us = g_get_monotonic_time ();
	job->deadline_us = job->submitted_us + (gint64)job->timeout_ms * 1000;
	job->metrics = mv_plugin_metrics_get_method (
		entry->metrics, (guint)(method - entry->loaded->info->methods));
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

GStrv
mv_engine_list_busy_plugins (MvEngine *self)
{
	g_autoptr (GStrvBuilder) lines = g_strv_builder_new ();
	g_autoptr (GPtrArray) infos = mv_engine_get_plugins (self);
	g_auto (GStrv) result = NULL;

	for (guint i = 0; i < infos->len; i++) {
		const MvPluginInfo *info = g_ptr_array_index (infos, i);
		g_autoptr (MvPluginEntry) entry = entry_lookup (self, info->name);
		guint busy;

		if (entry == NULL)
			continue;
		busy = (guint)g_atomic_int_get (&entry->busy);
		guint queued = (guint)g_atomic_int_get (&entry->queued);

		if (busy < entry->max_workers)
			continue;
		g_autofree gchar *line
			= g_strdup_printf ("%s (%u of %u workers busy, %u waiting)", info->name,
					   busy, entry->max_workers, queued);
		g_strv_builder_add (lines, line);
	}
	result = g_strv_builder_end (lines);
	return result[0] != NULL ? g_steal_pointer (&result) : NULL;
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
		g_autoptr (MvPluginEntry) entry = entry_lookup (self, info->name);
		guint stuck = entry != NULL ? count_stuck (entry, now, NULL) : 0;

		if (entry == NULL || stuck < entry->max_workers)
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
	g_mutex_lock (&self->registry_lock);
	g_hash_table_iter_init (&iter, self->plugins);
	while (g_hash_table_iter_next (&iter, NULL, &value)) {
		MvPluginEntry *entry = value;
		progress->pending += (guint)g_atomic_int_get (&entry->busy)
				     + (guint)g_atomic_int_get (&entry->queued);
		count_stuck (entry, now, &progress->overdue);
	}
	/* a replaced version's calls still count until they finish */
	for (guint i = 0; i < self->old_entries->len; i++) {
		MvPluginEntry *entry = g_ptr_array_index (self->old_entries, i);
		progress->pending += (guint)g_atomic_int_get (&entry->busy)
				     + (guint)g_atomic_int_get (&entry->queued);
		count_stuck (entry, now, &progress->overdue);
	}
	g_mutex_unlock (&self->registry_lock);
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
	g_autoptr (MvPluginEntry) entry = entry_lookup (self, name);

	if (entry == NULL) {
		mv_set_error_bilingual_printf (error, MV_ERROR_NOT_FOUND, "no plugin named '%s'",
					       "没有名为“%s”的插件", name);
		return FALSE;
	}
	if (entry->processes != NULL)
		mv_plugin_process_pool_enable (entry->processes);
	return TRUE;
}

/* Stops a version no call runs on (or the daemon is stopping): its workers, then its hosts or
 * its shutdown function.  @deadline_us bounds the hosts' SHUTDOWN. */
static void
entry_stop (MvPluginEntry *entry, gint64 deadline_us)
{
	if (entry->pool != NULL) {
		/* nothing is queued: this only waits for the idle workers to go */
		g_thread_pool_free (entry->pool, TRUE, TRUE);
		entry->pool = NULL;
	}
	if (entry->processes != NULL)
		mv_plugin_process_pool_shutdown (entry->processes, deadline_us);
	else if (entry->loaded->info->shutdown != NULL)
		entry->loaded->info->shutdown (entry->host, entry->host->plugin_data);
}

/* Stops a replaced version and frees it, but keeps what its MvPluginInfo points into (the
 * module stays mapped, the pool's proxy alive) until the engine is finalised: pointers into it
 * were handed out by mv_engine_find_method() and mv_engine_get_plugins().  A few pages per
 * reload. */
static void
retire_entry (MvEngine *self, MvPluginEntry *entry)
{
	entry_stop (entry, g_get_monotonic_time () + 2 * G_USEC_PER_SEC);
	g_mutex_lock (&self->registry_lock);
	g_ptr_array_add (self->retired_loaded, g_steal_pointer (&entry->loaded));
	if (entry->processes != NULL)
		g_ptr_array_add (self->retired_pools, g_steal_pointer (&entry->processes));
	g_mutex_unlock (&self->registry_lock);
	/* plugin_entry_free() needs no info: a fake one keeps its path for nobody */
	entry->loaded = g_new0 (MvLoadedPlugin, 1);
	entry_unref (entry);
}

static gboolean
engine_stopping (MvEngine *self)
{
	gboolean stopping;

	g_mutex_lock (&self->stop_lock);
	stopping = self->stopping;
	g_mutex_unlock (&self->stop_lock);
	return stopping;
}

/* Waits until no call is queued or running on a replaced version (@data, in old_entries, which
 * holds the registry's reference), then takes it from there and retires it.  Calls started before
 * the reload finish on the version they started on.  When the daemon stops first,
 * mv_engine_shutdown() takes the version over. */
static gpointer
drain_thread (gpointer data)
{
	MvPluginEntry *old = data;
	MvEngine *self = old->engine;
	gint64 warn_at = g_get_monotonic_time () + 2 * (gint64)self->call_timeout_ms * 1000;
	gboolean warned = FALSE;

	for (;;) {
		gboolean idle, mine = FALSE;
		guint index;

		if (engine_stopping (self))
			return NULL;
		g_mutex_lock (&self->registry_lock);
		idle = g_atomic_int_get (&old->ref_count) == 1 && g_atomic_int_get (&old->busy) == 0
		       && g_atomic_int_get (&old->queued) == 0;
		if (idle && g_ptr_array_find (self->old_entries, old, &index)) {
			g_ptr_array_steal_index_fast (self->old_entries, index);
			mine = TRUE;
		}
		g_mutex_unlock (&self->registry_lock);
		if (idle) {
			if (mine) {
				g_message (
					"plugin %s %s (replaced) stopped: its last call finished",
					old->loaded->info->name, old->loaded->info->version);
				retire_entry (self, old);
			}
			return NULL;
		}
		if (!warned && g_get_monotonic_time () > warn_at) {
			g_warning (
				"plugin %s %s (replaced) still has %d call(s) running past their "
				"time limit; it stays loaded until they return",
				old->loaded->info->name, old->loaded->info->version,
				g_atomic_int_get (&old->busy));
			warned = TRUE;
		}
		g_usleep (10000);
	}
}

void
mv_plugin_reload_free (MvPluginReload *reload)
{
	if (reload == NULL)
		return;
	g_free (reload->name);
	g_free (reload->old_version);
	g_free (reload->new_version);
	g_free (reload->reason);
	g_free (reload);
}

const gchar *
mv_plugin_reload_outcome_to_string (MvPluginReloadOutcome outcome)
{
	switch (outcome) {
	case MV_PLUGIN_RELOADED:
		return "reloaded";
	case MV_PLUGIN_UNCHANGED:
		return "unchanged";
	case MV_PLUGIN_KEPT_OLD:
	default:
		return "kept-old";
	}
}

/* The new version of @old from @contents, started and initialised in the way @old runs (in
 * process: from a private copy; isolated: new host processes on one), or NULL with @error. */
static MvPluginEntry *
load_new_version (MvEngine *self, MvPluginEntry *old, GBytes *contents, GError **error)
{
	const MvPluginInfo *running = old->loaded->info;
	g_autofree gchar *snapshot = write_snapshot (self, running->name, contents, error);
	g_autoptr (MvLoadedPlugin) loaded = NULL;
	g_autoptr (MvPluginProcessPool) processes = NULL;
	g_autoptr (GError) config_error = NULL;
	MvPluginEntry *entry;

	if (snapshot == NULL)
		return NULL;
	if (old->processes != NULL) {
		g_autofree gchar *host_path = mv_plugin_host_path ();
		processes = mv_plugin_process_pool_new (host_path, snapshot, &old->iso,
							MAX (self->call_timeout_ms, 10000),
							engine_invoke, error);
		if (processes != NULL) {
			loaded = g_new0 (MvLoadedPlugin, 1);
			loaded->info = mv_plugin_process_pool_get_info (processes);
		}
	} else {
		loaded = mv_plugin_loader_open (snapshot, error);
	}
	if (loaded == NULL || !mv_plugin_loader_same_interface (running, loaded->info, error)) {
		g_clear_pointer (&loaded, mv_loaded_plugin_free);
		g_clear_pointer (&processes, mv_plugin_process_pool_free);
		if (snapshot != NULL)
			g_unlink (snapshot);
		return NULL;
	}
	g_free (loaded->path);
	loaded->path = g_strdup (old->loaded->path);
	entry = entry_create (self, g_steal_pointer (&loaded), g_steal_pointer (&processes),
			      &config_error, error);
	if (entry == NULL) {
		if (config_error != NULL)
			g_propagate_error (error, g_steal_pointer (&config_error));
		else
			g_prefix_error (error, "init failed: ");
		if (snapshot != NULL)
			g_unlink (snapshot);
		return NULL;
	}
	entry->iso = old->iso;
	entry->snapshot = g_steal_pointer (&snapshot);
	return entry;
}

/* Reloads one plugin: the answer for it (transfer full).  Under reload_lock. */
static MvPluginReload *
reload_one (MvEngine *self, MvPluginEntry *old)
{
	MvPluginReload *reload = g_new0 (MvPluginReload, 1);
	const MvPluginInfo *info = old->loaded->info;
	g_autoptr (GBytes) contents = NULL;
	g_autofree gchar *checksum = NULL;
	g_autoptr (GError) error = NULL;
	MvPluginEntry *fresh = NULL;
	MvPluginEntry *replaced;

	reload->name = g_strdup (info->name);
	reload->old_version = g_strdup (info->version);
	if (read_plugin_file (old->loaded->path, &contents, &checksum, &error)
	    && g_strcmp0 (checksum, old->checksum) == 0) {
		reload->outcome = MV_PLUGIN_UNCHANGED;
		reload->new_version = g_strdup (info->version);
		return reload;
	}
	if (error == NULL)
		fresh = load_new_version (self, old, contents, &error);
	if (fresh == NULL) {
		reload->outcome = MV_PLUGIN_KEPT_OLD;
		reload->reason = g_strdup (error->message);
		g_warning ("reload of plugin %s refused, version %s keeps serving: %s: %s",
			   info->name, info->version, old->loaded->path, error->message);
		return reload;
	}
	fresh->checksum = g_steal_pointer (&checksum);
	reload->outcome = MV_PLUGIN_RELOADED;
	reload->new_version = g_strdup (fresh->loaded->info->version);
	/* the switch: calls looked up from now on get the new version; those queued or running
	 * on the old one finish there (drain_thread()) */
	g_mutex_lock (&self->registry_lock);
	g_hash_table_steal_extended (self->plugins, info->name, NULL, (gpointer *)&replaced);
	g_hash_table_insert (self->plugins, (gpointer)fresh->loaded->info->name, fresh);
	/* the registry's reference moves to old_entries, whence the drain thread takes it */
	g_ptr_array_add (self->old_entries, replaced);
	g_mutex_unlock (&self->registry_lock);
	mv_plugin_metrics_count_reload (fresh->metrics);
	g_message ("reloaded plugin %s %s -> %s from %s%s", info->name, info->version,
		   reload->new_version, fresh->loaded->path,
		   fresh->processes != NULL ? " (new host processes)" : "");
	g_ptr_array_add (self->drains, g_thread_new ("mv-plugin-drain", drain_thread, replaced));
	return reload;
}

GPtrArray *
mv_engine_reload_plugins (MvEngine *self, const gchar *name, GError **error)
{
	g_autoptr (GPtrArray) results
		= g_ptr_array_new_with_free_func ((GDestroyNotify)mv_plugin_reload_free);
	g_autoptr (GPtrArray) infos = mv_engine_get_plugins (self);
	gboolean found = FALSE;

	g_mutex_lock (&self->reload_lock);
	if (engine_stopping (self)) {
		g_mutex_unlock (&self->reload_lock);
		mv_set_error_bilingual (error, MV_ERROR_UNAVAILABLE, "the daemon is shutting down",
					"守护进程正在关闭");
		return NULL;
	}
	for (guint i = 0; i < infos->len; i++) {
		const MvPluginInfo *info = g_ptr_array_index (infos, i);
		g_autoptr (MvPluginEntry) old = NULL;

		if (name != NULL && g_strcmp0 (name, info->name) != 0)
			continue;
		found = TRUE;
		old = entry_lookup (self, info->name);
		if (old != NULL)
			g_ptr_array_add (results, reload_one (self, old));
	}
	g_mutex_unlock (&self->reload_lock);
	if (name != NULL && !found) {
		mv_set_error_bilingual_printf (error, MV_ERROR_NOT_FOUND, "no plugin named '%s'",
					       "没有名为“%s”的插件", name);
		return NULL;
	}
	return g_steal_pointer (&results);
}

gchar *
mv_engine_render_metrics (MvEngine *self)
{
	g_autoptr (GPtrArray) entries
		= g_ptr_array_new_with_free_func ((GDestroyNotify)entry_unref);
	g_autoptr (GArray) states = g_array_new (FALSE, TRUE, sizeof (MvMetricsPluginState));
	GHashTableIter iter;
	gpointer value;
	gchar *text;

	g_mutex_lock (&self->registry_lock);
	g_hash_table_iter_init (&iter, self->plugins);
	while (g_hash_table_iter_next (&iter, NULL, &value)) {
		g_atomic_int_inc (&((MvPluginEntry *)value)->ref_count);
		g_ptr_array_add (entries, value);
	}
	g_mutex_unlock (&self->registry_lock);
	for (guint i = 0; i < entries->len; i++) {
		MvPluginEntry *entry = g_ptr_array_index (entries, i);
		MvMetricsPluginState state = {
			.name = entry->loaded->info->name,
			.version = entry->loaded->info->version,
			.isolated = entry->processes != NULL,
		};
		if (entry->processes != NULL) {
			state.disabled = mv_plugin_process_pool_is_disabled (entry->processes);
			state.pids = mv_plugin_process_pool_list_pids (entry->processes);
		}
		g_array_append_val (states, state);
	}
	text = mv_metrics_render (self->metrics, (MvMetricsPluginState *)(gpointer)states->data,
				  states->len);
	for (guint i = 0; i < states->len; i++)
		g_clear_pointer (&g_array_index (states, MvMetricsPluginState, i).pids,
				 g_array_unref);
	return text;
}

void
mv_engine_shutdown (MvEngine *self, guint timeout_ms)
{
	gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;
	g_autoptr (GPtrArray) entries
		= g_ptr_array_new_with_free_func ((GDestroyNotify)entry_unref);
	GHashTableIter iter;
	gpointer value;

	/* a reload under way finishes first (at most a plugin's start) */
	g_mutex_lock (&self->reload_lock);
	g_mutex_lock (&self->stop_lock);
	self->stopping = TRUE;
	g_mutex_unlock (&self->stop_lock);
	for (guint i = 0; i < self->drains->len; i++)
		g_thread_join (g_ptr_array_index (self->drains, i));
	g_ptr_array_set_size (self->drains, 0);
	g_mutex_unlock (&self->reload_lock);
	/* the running versions and the replaced ones not yet drained: no reload changes them now */
	g_mutex_lock (&self->registry_lock);
	g_hash_table_iter_init (&iter, self->plugins);
	while (g_hash_table_iter_next (&iter, NULL, &value)) {
		g_atomic_int_inc (&((MvPluginEntry *)value)->ref_count);
		g_ptr_array_add (entries, value);
	}
	while (self->old_entries->len > 0)
		g_ptr_array_add (entries, g_ptr_array_steal_index (self->old_entries, 0));
	g_mutex_unlock (&self->registry_lock);

	while (g_atomic_int_get (&self->busy_workers) > 0 && g_get_monotonic_time () < deadline)
		g_usleep (10000);
	if (g_atomic_int_get (&self->busy_workers) > 0) {
		g_warning ("%d plugin call(s) still running; skipping plugin shutdown functions",
			   g_atomic_int_get (&self->busy_workers));
		/* isolated plugins' hosts are killed all the same: none outlives the daemon */
		for (guint i = 0; i < entries->len; i++) {
			MvPluginEntry *entry = g_ptr_array_index (entries, i);
			if (entry->processes != NULL)
				mv_plugin_process_pool_shutdown (entry->processes, 0);
		}
		/* the entries a worker may still be in are leaked rather than freed under it */
		for (guint i = 0; i < entries->len; i++)
			g_atomic_int_inc (
				&((MvPluginEntry *)g_ptr_array_index (entries, i))->ref_count);
		return;
	}
	for (guint i = 0; i < entries->len; i++) {
		MvPluginEntry *entry = g_ptr_array_index (entries, i);
		if (entry->processes != NULL)
			mv_plugin_process_pool_shutdown (entry->processes, deadline);
		else if (entry->loaded->info->shutdown != NULL)
			entry->loaded->info->shutdown (entry->host, entry->host->plugin_data);
	}
	g_mutex_lock (&self->registry_lock);
	g_hash_table_remove_all (self->plugins);
	g_mutex_unlock (&self->registry_lock);
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
	g_ptr_array_unref (self->old_entries);
	g_ptr_array_unref (self->drains);
	/* after the entries: their infos point into these */
	g_ptr_array_unref (self->retired_loaded);
	g_ptr_array_unref (self->retired_pools);
	g_mutex_clear (&self->registry_lock);
	g_mutex_clear (&self->reload_lock);
	mv_metrics_free (self->metrics);
	if (self->snapshot_dir != NULL && g_rmdir (self->snapshot_dir) != 0)
		g_debug ("%s not removed: %s", self->snapshot_dir, g_strerror (errno));
	g_free (self->snapshot_dir);
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
					       (GDestroyNotify)entry_unref);
	g_mutex_init (&self->registry_lock);
	g_mutex_init (&self->reload_lock);
	self->old_entries = g_ptr_array_new_with_free_func ((GDestroyNotify)entry_unref);
	self->drains = g_ptr_array_new ();
	self->retired_loaded
		= g_ptr_array_new_with_free_func ((GDestroyNotify)mv_loaded_plugin_free);
	self->retired_pools
		= g_ptr_array_new_with_free_func ((GDestroyNotify)mv_plugin_process_pool_free);
	self->metrics = mv_metrics_new ();
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
