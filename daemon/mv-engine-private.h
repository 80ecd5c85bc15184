/*
 * What the engine's two files share (mv-engine.c: the call runner; mv-engine-registry.c: loading
 * plugins, reload, metrics): the registry entry and the engine's state.  Private to the engine.
 */
#pragma once

#include <mv-host-private.h>

#include "mv-engine.h"
#include "mv-metrics.h"
#include "mv-plugin-loader.h"
#include "mv-plugin-process.h"

G_BEGIN_DECLS

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

/* The registry entry's reference counting (see MvPluginEntry). */
void mv_engine_entry_free (MvPluginEntry *entry);
void mv_engine_entry_unref (MvPluginEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvPluginEntry, mv_engine_entry_unref)
/* The running version of plugin @name (a reference), or NULL. */
MvPluginEntry *mv_engine_entry_lookup (MvEngine *self, const gchar *name);

/* The call runner's side of an entry: its worker pool's functions, its host's vtable, and the
 * nested calls of its isolated hosts. */
void mv_engine_call_job_run (gpointer data, gpointer user_data);
void mv_engine_call_job_dropped (gpointer data);
extern const MvHostVTable mv_engine_host_vtable;
GVariant *mv_engine_invoke (MvCall *call,
			    const gchar *plugin,
			    const gchar *method_name,
			    GVariant *input,
			    GError **error);

/* Whether the plugin file at @path runs isolated when its config says nothing: not for the
 * bundled plugins in MV_PLUGINDIR (or this build tree's), yes for everything else. */
gboolean mv_engine_plugin_isolated_by_default (const gchar *path);

/* Whether mv_engine_shutdown() has begun. */
gboolean mv_engine_is_stopping (MvEngine *self);

G_END_DECLS
