#define G_LOG_DOMAIN "medverse-metrics"

#include "config.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mv-metrics.h"

/* Upper bounds of the latency histogram, in seconds: from a fast in-process call (well under a
 * millisecond) to the longest time limit a call is likely to be given. */
static const gdouble bucket_bounds[] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
};
#define N_BUCKETS (G_N_ELEMENTS (bucket_bounds) + 1) /* the last one is +Inf */

/* the error codes, plus one slot for an unknown code */
#define N_CODES (MV_ERROR_LAST + 1)

struct _MvMethodMetrics {
	gchar *name;
	atomic_uint_fast64_t calls;
	atomic_uint_fast64_t timeouts;
	atomic_uint_fast64_t sum_us;
	atomic_uint_fast64_t buckets[N_BUCKETS]; /* not cumulative: the renderer adds them up */
	atomic_uint_fast64_t errors[N_CODES];
};

struct _MvPluginMetrics {
	gchar *name;
	guint n_methods;
	MvMethodMetrics *methods;
	atomic_uint_fast64_t crashes;
	atomic_uint_fast64_t restarts;
	atomic_uint_fast64_t reloads;
};

struct _MvMetrics {
	GMutex lock;
	GHashTable *plugins; /* under lock: name -> MvPluginMetrics */
};

static void
plugin_metrics_free (MvPluginMetrics *plugin)
{
	for (guint i = 0; i < plugin->n_methods; i++)
		g_free (plugin->methods[i].name);
	g_free (plugin->methods);
	g_free (plugin->name);
	g_free (plugin);
}

MvMetrics *
mv_metrics_new (void)
{
	MvMetrics *metrics = g_new0 (MvMetrics, 1);

	g_mutex_init (&metrics->lock);
	metrics->plugins = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
						  (GDestroyNotify)plugin_metrics_free);
	return metrics;
}

void
mv_metrics_free (MvMetrics *metrics)
{
	if (metrics == NULL)
		return;
	g_hash_table_unref (metrics->plugins);
	g_mutex_clear (&metrics->lock);
	g_free (metrics);
}

MvPluginMetrics *
mv_metrics_get_plugin (MvMetrics *metrics, const MvPluginInfo *info)
{
	MvPluginMetrics *plugin;

	g_mutex_lock (&metrics->lock);
	plugin = g_hash_table_lookup (metrics->plugins, info->name);
	if (plugin == NULL) {
		plugin = g_new0 (MvPluginMetrics, 1);
		plugin->name = g_strdup (info->name);
		while (info->methods[plugin->n_methods].name != NULL)
			plugin->n_methods++;
		/* zeroed memory is a valid atomic zero on every platform GLib supports */
		plugin->methods = g_new0 (MvMethodMetrics, plugin->n_methods);
		for (guint i = 0; i < plugin->n_methods; i++)
			plugin->methods[i].name = g_strdup (info->methods[i].name);
		g_hash_table_insert (metrics->plugins, plugin->name, plugin);
	}
	g_mutex_unlock (&metrics->lock);
	return plugin;
}

MvMethodMetrics *
mv_plugin_metrics_get_method (MvPluginMetrics *plugin, guint index)
{
	return index < plugin->n_methods ? &plugin->methods[index] : NULL;
}

static void
count (atomic_uint_fast64_t *counter, guint64 n)
{
	atomic_fetch_add_explicit (counter, n, memory_order_relaxed);
}

static guint64
read_counter (atomic_uint_fast64_t *counter)
{
	return atomic_load_explicit (counter, memory_order_relaxed);
}

void
mv_method_metrics_observe (MvMethodMetrics *method, gint64 duration_us, const GError *error)
{
	guint bucket = 0;
	gdouble seconds;

	if (duration_us < 0)
		duration_us = 0;
	seconds = (gdouble)duration_us / G_USEC_PER_SEC;
	while (bucket < G_N_ELEMENTS (bucket_bounds) && seconds > bucket_bounds[bucket])
		bucket++;
	count (&method->calls, 1);
	count (&method->sum_us, (guint64)duration_us);
	count (&method->buckets[bucket], 1);
	if (error == NULL)
		return;
	if (g_error_matches (error, MV_ERROR, MV_ERROR_TIMED_OUT))
		count (&method->timeouts, 1);
	if (error->domain != MV_ERROR)
		count (&method->errors[MV_ERROR_FAILED], 1);
	else if (error->code >= 0 && error->code < MV_ERROR_LAST)
		count (&method->errors[error->code], 1);
	else
		count (&method->errors[MV_ERROR_LAST], 1);
}

void
mv_plugin_metrics_count_crash (MvPluginMetrics *plugin)
{
	count (&plugin->crashes, 1);
}

void
mv_plugin_metrics_count_restart (MvPluginMetrics *plugin)
{
	count (&plugin->restarts, 1);
}

void
mv_plugin_metrics_count_reload (MvPluginMetrics *plugin)
{
	count (&plugin->reloads, 1);
}

gchar *
mv_metrics_escape_label (const gchar *value)
{
	GString *out = g_string_sized_new (strlen (value) + 2);

	for (const gchar *p = value; *p != '\0'; p++) {
		if (*p == '\\')
			g_string_append (out, "\\\\");
		else if (*p == '"')
			g_string_append (out, "\\\"");
		else if (*p == '\n')
			g_string_append (out, "\\n");
		else
			g_string_append_c (out, *p);
	}
	return g_string_free (out, FALSE);
}

static void
header (GString *out, const gchar *name, const gchar *type, const gchar *help)
{
	g_string_append_printf (out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A sample's value: integers as integers, the rest with enough digits for microseconds. */
static void
append_seconds (GString *out, guint64 us)
{
	g_string_append_printf (out, "%" G_GUINT64_FORMAT ".%06" G_GUINT64_FORMAT, us / 1000000,
				us % 1000000);
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
	return g_strcmp0 ((*(MvPluginMetrics *const *)a)->name,
			  (*(MvPluginMetrics *const *)b)->name);
}

/* The plugins' counters, sorted by name (stable output is easier to read and to diff). */
static GPtrArray *
sorted_plugins (MvMetrics *metrics)
{
	GPtrArray *plugins = g_ptr_array_new ();
	GHashTableIter iter;
	gpointer value;

	g_mutex_lock (&metrics->lock);
	g_hash_table_iter_init (&iter, metrics->plugins);
	while (g_hash_table_iter_next (&iter, NULL, &value))
		g_ptr_array_add (plugins, value);
	g_mutex_unlock (&metrics->lock);
	g_ptr_array_sort (plugins, compare_names);
	return plugins;
}

/* One counter per plugin and method: the one at @offset of MvMethodMetrics. */
static void
render_method_counter (
	GString *out, GPtrArray *plugins, const gchar *name, const gchar *help, gsize offset)
{
	header (out, name, "counter", help);
	for (guint i = 0; i < plugins->len; i++) {
		MvPluginMetrics *p = g_ptr_array_index (plugins, i);
		g_autofree gchar *plugin = mv_metrics_escape_label (p->name);
		for (guint m = 0; m < p->n_methods; m++) {
			g_autofree gchar *method = mv_metrics_escape_label (p->methods[m].name);
			atomic_uint_fast64_t *counter
				= (atomic_uint_fast64_t *)((guint8 *)&p->methods[m] + offset);
			g_string_append_printf (
				out, "%s{plugin=\"%s\",method=\"%s\"} %" G_GUINT64_FORMAT "\n",
				name, plugin, method, read_counter (counter));
		}
	}
}

/* Errors by code: a series appears with the first error of its code. */
static void
render_errors (GString *out, GPtrArray *plugins)
{
	const gchar *name = "medverse_plugin_call_errors_total";

	header (out, name, "counter",
		"Plugin calls answered with an error, by error code (the error table's names)");
	for (guint i = 0; i < plugins->len; i++) {
		MvPluginMetrics *p = g_ptr_array_index (plugins, i);
		g_autofree gchar *plugin = mv_metrics_escape_label (p->name);
		for (guint m = 0; m < p->n_methods; m++) {
			g_autofree gchar *method = mv_metrics_escape_label (p->methods[m].name);
			for (guint c = 0; c < N_CODES; c++) {
				guint64 n = read_counter (&p->methods[m].errors[c]);
				const gchar *code = c < MV_ERROR_LAST
							    ? mv_error_to_string ((MvError)c)
							    : "unknown";
				if (n == 0)
					continue;
				g_string_append_printf (out,
							"%s{plugin=\"%s\",method=\"%s\",code=\"%"
							"s\"} %" G_GUINT64_FORMAT "\n",
							name, plugin, method, code, n);
			}
		}
	}
}

static void
render_calls (GString *out, GPtrArray *plugins)
{
	render_method_counter (
		out, plugins, "medverse_plugin_calls_total",
		"Plugin calls answered, by plugin and method (nested calls count in their parent)",
		G_STRUCT_OFFSET (MvMethodMetrics, calls));
	render_errors (out, plugins);
	render_method_counter (out, plugins, "medverse_plugin_call_timeouts_total",
			       "Plugin calls answered with timed-out (past the call time limit, "
			       "running or waiting for a worker)",
			       G_STRUCT_OFFSET (MvMethodMetrics, timeouts));
}

static void
render_histogram (GString *out, GPtrArray *plugins)
{
	const gchar *name = "medverse_plugin_call_duration_seconds";

	header (out, name, "histogram",
		"Time from a plugin call's submission to its answer, in seconds");
	for (guint i = 0; i < plugins->len; i++) {
		MvPluginMetrics *p = g_ptr_array_index (plugins, i);
		g_autofree gchar *plugin = mv_metrics_escape_label (p->name);
		for (guint m = 0; m < p->n_methods; m++) {
			MvMethodMetrics *mm = &p->methods[m];
			g_autofree gchar *method = mv_metrics_escape_label (mm->name);
			guint64 cumulative = 0;
			gchar le[G_ASCII_DTOSTR_BUF_SIZE];

			for (guint b = 0; b < N_BUCKETS; b++) {
				cumulative += read_counter (&mm->buckets[b]);
				if (b < G_N_ELEMENTS (bucket_bounds))
					g_ascii_formatd (le, sizeof le, "%g", bucket_bounds[b]);
				else
					g_strlcpy (le, "+Inf", sizeof le);
				g_string_append_printf (
					out,
					"%s_bucket{plugin=\"%s\",method=\"%s\",le=\"%s\"} "
					"%" G_GUINT64_FORMAT "\n",
					name, plugin, method, le, cumulative);
			}
			g_string_append_printf (out, "%s_sum{plugin=\"%s\",method=\"%s\"} ", name,
						plugin, method);
			append_seconds (out, read_counter (&mm->sum_us));
			/* _count is the +Inf bucket: the buckets were read once, so they agree */
			g_string_append_printf (out,
						"\n%s_count{plugin=\"%s\",method=\"%s\"} "
						"%" G_GUINT64_FORMAT "\n",
						name, plugin, method, cumulative);
		}
	}
}

static void
render_plugin_counter (
	GString *out, GPtrArray *plugins, const gchar *name, const gchar *help, gsize offset)
{
	header (out, name, "counter", help);
	for (guint i = 0; i < plugins->len; i++) {
		MvPluginMetrics *p = g_ptr_array_index (plugins, i);
		g_autofree gchar *plugin = mv_metrics_escape_label (p->name);
		atomic_uint_fast64_t *counter = (atomic_uint_fast64_t *)((guint8 *)p + offset);
		g_string_append_printf (out, "%s{plugin=\"%s\"} %" G_GUINT64_FORMAT "\n", name,
					plugin, read_counter (counter));
	}
}

/* The resident set of @pid in bytes from /proc/PID/statm (its second field, in pages); FALSE
 * when the process is gone. */
static gboolean
read_rss (GPid pid, guint64 *bytes)
{
	g_autofree gchar *path = g_strdup_printf ("/proc/%d/statm", (gint)pid);
	g_autofree gchar *text = NULL;
	guint64 size = 0, resident = 0;

	if (!g_file_get_contents (path, &text, NULL, NULL))
		return FALSE;
	if (sscanf (text, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT, &size, &resident) != 2)
		return FALSE;
	*bytes = resident * (guint64)sysconf (_SC_PAGESIZE);
	return TRUE;
}

static void
render_state (GString *out, const MvMetricsPluginState *plugins, guint n_plugins)
{
	header (out, "medverse_plugin_info", "gauge",
		"A loaded plugin: its version and whether it runs isolated (value 1)");
	for (guint i = 0; i < n_plugins; i++) {
		g_autofree gchar *plugin = mv_metrics_escape_label (plugins[i].name);
		g_autofree gchar *version = mv_metrics_escape_label (plugins[i].version);
		g_string_append_printf (
			out,
			"medverse_plugin_info{plugin=\"%s\",version=\"%s\",isolation=\"%s\"} 1\n",
			plugin, version, plugins[i].isolated ? "process" : "in-process");
	}
	header (out, "medverse_plugin_disabled", "gauge",
		"1 while a plugin is disabled after crashing too often (crash-limit), else 0");
	for (guint i = 0; i < n_plugins; i++) {
		g_autofree gchar *plugin = mv_metrics_escape_label (plugins[i].name);
		g_string_append_printf (out, "medverse_plugin_disabled{plugin=\"%s\"} %d\n", plugin,
					plugins[i].disabled ? 1 : 0);
	}
	header (out, "medverse_plugin_host_resident_bytes", "gauge",
		"Resident set size of a plugin host process, read at scrape time");
	for (guint i = 0; i < n_plugins; i++) {
		g_autofree gchar *plugin = mv_metrics_escape_label (plugins[i].name);
		for (guint j = 0; plugins[i].pids != NULL && j < plugins[i].pids->len; j++) {
			GPid pid = g_array_index (plugins[i].pids, GPid, j);
			guint64 bytes;
			if (!read_rss (pid, &bytes))
				continue;
			g_string_append_printf (
				out,
				"medverse_plugin_host_resident_bytes{plugin=\"%s\",pid=\"%d\"} "
				"%" G_GUINT64_FORMAT "\n",
				plugin, (gint)pid, bytes);
		}
	}
}

gchar *
mv_metrics_render (MvMetrics *metrics, const MvMetricsPluginState *plugins, guint n_plugins)
{
	g_autoptr (GPtrArray) counted = sorted_plugins (metrics);
	GString *out = g_string_new (NULL);

	header (out, "medverse_build_info", "gauge", "The daemon's version (value 1)");
	g_string_append_printf (out, "medverse_build_info{version=\"%s\"} 1\n", MV_VERSION);
	render_calls (out, counted);
	render_histogram (out, counted);
	render_plugin_counter (out, counted, "medverse_plugin_crashes_total",
			       "Host processes of a plugin that died or broke the protocol",
			       G_STRUCT_OFFSET (MvPluginMetrics, crashes));
	render_plugin_counter (out, counted, "medverse_plugin_restarts_total",
			       "Host processes of a plugin started again after they stopped",
			       G_STRUCT_OFFSET (MvPluginMetrics, restarts));
	render_plugin_counter (out, counted, "medverse_plugin_reloads_total",
			       "New versions of a plugin switched in without a restart",
			       G_STRUCT_OFFSET (MvPluginMetrics, reloads));
	render_state (out, plugins, n_plugins);
	return g_string_free (out, FALSE);
}
