/*
 * The engine's plugin registry: loading the plugins at start (in process or isolated, each
 * from a private copy of its file), reloading them without a restart, and the metrics of what
 * they did.  The call runner is mv-engine.c.
 */
#define G_LOG_DOMAIN "medverse-engine"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "mv-engine-private.h"
#include "mv-build-paths.h"
#include "mv-error-table.h"

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

/* One of the plugins this build installs, in the daemon's own plugin directory (or anything
 * this build tree built, for the tests), runs in process by default; any other plugin runs
 * isolated, wherever it lies: a third party's package installs into the same directory
 * (sdk/template).  $MEDVERSE_PLUGIN_ISOLATION overrides that default (not an explicit
 * `isolation` key). */
gboolean
mv_engine_plugin_isolated_by_default (const gchar *path)
{
	const gchar *env = g_getenv ("MEDVERSE_PLUGIN_ISOLATION");
	g_autofree gchar *dir = g_path_get_dirname (path);
	g_autofree gchar *canonical = g_canonicalize_filename (dir, NULL);
	g_autofree gchar *base = g_path_get_basename (path);
	g_auto (GStrv) bundled = g_strsplit (MV_BUNDLED_PLUGINS, ";", -1);

	if (g_strcmp0 (env, "process") == 0)
		return TRUE;
	if (g_strcmp0 (env, "in-process") == 0)
		return FALSE;
	if (g_strcmp0 (canonical, MV_PLUGINDIR) == 0) {
		for (guint i = 0; bundled[i] != NULL; i++) {
			g_autofree gchar *file = g_strconcat (bundled[i], ".so", NULL);
			if (g_strcmp0 (base, file) == 0)
				return FALSE;
		}
		return TRUE;
	}
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
	entry->host = mv_host_new (loaded->info, &mv_engine_host_vtable, entry->data_dir, entry);
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
		mv_engine_entry_free (entry);
		return NULL;
	}
	entry->pool
		= g_thread_pool_new_full (mv_engine_call_job_run, entry, mv_engine_call_job_dropped,
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

	if (!mv_isolation_config_load (self->keyfile, group,
				       mv_engine_plugin_isolated_by_default (path), wanted,
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
						MAX (self->call_timeout_ms, 10000),
						mv_engine_invoke, error);
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
	if (!mv_isolation_config_load (self->keyfile, group,
				       mv_engine_plugin_isolated_by_default (path), &iso,
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
	/* mv_engine_entry_free() needs no info: a fake one keeps its path for nobody */
	entry->loaded = g_new0 (MvLoadedPlugin, 1);
	mv_engine_entry_unref (entry);
}

gboolean
mv_engine_is_stopping (MvEngine *self)
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

		if (mv_engine_is_stopping (self))
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
							mv_engine_invoke, error);
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
	if (mv_engine_is_stopping (self)) {
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
		old = mv_engine_entry_lookup (self, info->name);
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
		= g_ptr_array_new_with_free_func ((GDestroyNotify)mv_engine_entry_unref);
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
