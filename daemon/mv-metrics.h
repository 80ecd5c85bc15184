/*
 * Counters of plugin calls and plugin host processes, and their rendering in the Prometheus
 * text exposition format 0.0.4 (docs/plugin-isolation.md, "Metrics").  Part of the core: the
 * engine's call runner and the process pool update the counters, the HTTP adapter serves the
 * text (GET /metrics); nothing here knows HTTP.
 *
 * Thread-safe.  Updating a counter is a few relaxed atomic additions (no lock, no allocation):
 * it runs once per call.  A plugin's counters live as long as the MvMetrics, across reloads of
 * the plugin, so a reload does not reset them.
 */
#pragma once

#include <glib.h>
#include <medverse/medverse-plugin.h>

G_BEGIN_DECLS

typedef struct _MvMetrics MvMetrics;
typedef struct _MvPluginMetrics MvPluginMetrics;
typedef struct _MvMethodMetrics MvMethodMetrics;

MvMetrics *mv_metrics_new (void);
void mv_metrics_free (MvMetrics *metrics);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvMetrics, mv_metrics_free)

/* The counters of @info's plugin (transfer none: owned by @metrics), made with one set of
 * method counters per method of @info on first use; later calls with the same name return the
 * same object (a reload keeps the method table: mv_plugin_loader_same_interface()). */
MvPluginMetrics *mv_metrics_get_plugin (MvMetrics *metrics, const MvPluginInfo *info);

/* The counters of the method at @index of the plugin's method table; NULL past its end. */
MvMethodMetrics *mv_plugin_metrics_get_method (MvPluginMetrics *plugin, guint index);

/* One call answered after @duration_us (from submission to answer): with @error (NULL for a
 * success; an error of another domain counts as "failed", as the error table reads it). */
void mv_method_metrics_observe (MvMethodMetrics *method, gint64 duration_us, const GError *error);

/* A host process died or broke the protocol (it counts toward crash-limit). */
void mv_plugin_metrics_count_crash (MvPluginMetrics *plugin);
/* A host process was started again after it stopped (crash, time-out kill, failed start). */
void mv_plugin_metrics_count_restart (MvPluginMetrics *plugin);
/* A new version of the plugin was switched in (medversectl plugins reload, SIGHUP). */
void mv_plugin_metrics_count_reload (MvPluginMetrics *plugin);

/* What the renderer asks of the engine at scrape time, per loaded plugin. */
typedef struct {
	const gchar *name;
	const gchar *version;
	gboolean isolated;
	gboolean disabled;
	GArray *pids; /* (element-type GPid) (nullable): the plugin's running host processes */
} MvMetricsPluginState;

/* The whole exposition (transfer full): every counter of @metrics, the state of @plugins (the
 * resident set of each host process read from /proc/PID/statm now; a process that is gone is
 * left out), and medverse_build_info. */
gchar *mv_metrics_render (MvMetrics *metrics, const MvMetricsPluginState *plugins, guint n_plugins);

/* @value as a label value of the text format: backslash, double quote and line feed escaped
 * (transfer full). */
gchar *mv_metrics_escape_label (const gchar *value);

/* The media type of mv_metrics_render()'s text. */
#define MV_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

G_END_DECLS
