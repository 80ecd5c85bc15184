/* The /metrics text renderer: label escaping, cumulative histogram buckets whose +Inf bucket is
 * _count, errors by the error table's code names, HELP and TYPE before every family. */
#include "config.h"

#include <criterion/criterion.h>
#include <string.h>
#include <unistd.h>

#include "mv-metrics.h"

static GVariant *
nothing (MvCall *call, GVariant *input, GError **error)
{
	return NULL;
}

static const MvMethod methods[] = {
	{ "Fast", "", NULL, NULL, nothing },
	{ "Slow", "", NULL, NULL, nothing },
	MV_METHOD_END,
};

static const MvPluginInfo info = {
	.abi_version = MV_PLUGIN_ABI_VERSION,
	.struct_size = sizeof (MvPluginInfo),
	.name = "probe",
	.version = "1.0",
	.methods = methods,
};

/* Whether @text has the line @line exactly. */
static gboolean
has_line (const gchar *text, const gchar *line)
{
	g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
	return g_strv_contains ((const gchar *const *)lines, line);
}

Test (metrics, label_values_are_escaped)
{
	g_autofree gchar *plain = mv_metrics_escape_label ("bmi");
	g_autofree gchar *odd = mv_metrics_escape_label ("a\\b\"c\nd");

	cr_assert_str_eq (plain, "bmi");
	cr_assert_str_eq (odd, "a\\\\b\\\"c\\nd");
}

Test (metrics, histogram_buckets_are_cumulative_and_count_is_inf)
{
	g_autoptr (MvMetrics) metrics = mv_metrics_new ();
	MvPluginMetrics *plugin = mv_metrics_get_plugin (metrics, &info);
	MvMethodMetrics *fast = mv_plugin_metrics_get_method (plugin, 0);
	MvMethodMetrics *slow = mv_plugin_metrics_get_method (plugin, 1);
	g_autoptr (GError) timed_out = g_error_new_literal (MV_ERROR, MV_ERROR_TIMED_OUT, "late");
	g_autoptr (GError) invalid = g_error_new_literal (MV_ERROR, MV_ERROR_INVALID_INPUT, "no");
	g_autoptr (GError) foreign = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "io");
	g_autofree gchar *text = NULL;

	cr_assert_null (mv_plugin_metrics_get_method (plugin, 2));
	cr_assert_eq (mv_metrics_get_plugin (metrics, &info), plugin, "one object per name");
	mv_method_metrics_observe (fast, 300, NULL);	 /* 0.0003 s: first bucket */
	mv_method_metrics_observe (fast, 1000, NULL);	 /* exactly 0.001: le is inclusive */
	mv_method_metrics_observe (fast, 2000, invalid); /* 0.002 s */
	mv_method_metrics_observe (slow, 30 * G_USEC_PER_SEC, timed_out); /* +Inf only */
	mv_method_metrics_observe (slow, 20000, foreign);
	mv_plugin_metrics_count_crash (plugin);
	mv_plugin_metrics_count_restart (plugin);
	mv_plugin_metrics_count_restart (plugin);

	text = mv_metrics_render (metrics, NULL, 0);
	cr_assert (has_line (text, "# TYPE medverse_plugin_call_duration_seconds histogram"));
	cr_assert (has_line (text, "# TYPE medverse_plugin_calls_total counter"));
	cr_assert (
		has_line (text, "medverse_plugin_calls_total{plugin=\"probe\",method=\"Fast\"} 3"));
	cr_assert (has_line (text, "medverse_plugin_call_duration_seconds_bucket{plugin=\"probe\","
				   "method=\"Fast\",le=\"0.0005\"} 1"));
	cr_assert (has_line (text, "medverse_plugin_call_duration_seconds_bucket{plugin=\"probe\","
				   "method=\"Fast\",le=\"0.001\"} 2"));
	cr_assert (has_line (text, "medverse_plugin_call_duration_seconds_bucket{plugin=\"probe\","
				   "method=\"Fast\",le=\"0.0025\"} 3"));
	cr_assert (has_line (text, "medverse_plugin_call_duration_seconds_bucket{plugin=\"probe\","
				   "method=\"Fast\",le=\"+Inf\"} 3"));
	cr_assert (has_line (text, "medverse_plugin_call_duration_seconds_sum{plugin=\"probe\","
				   "method=\"Fast\"} 0.003300"));
	cr_assert (has_line (text, "medverse_plugin_call_duration_seconds_count{plugin=\"probe\","
				   "method=\"Fast\"} 3"));
	cr_assert (has_line (text, "medverse_plugin_call_duration_seconds_bucket{plugin=\"probe\","
				   "method=\"Slow\",le=\"10\"} 1"));
	cr_assert (has_line (text, "medverse_plugin_call_duration_seconds_bucket{plugin=\"probe\","
				   "method=\"Slow\",le=\"+Inf\"} 2"));
	cr_assert (has_line (text, "medverse_plugin_call_errors_total{plugin=\"probe\","
				   "method=\"Fast\",code=\"invalid-input\"} 1"));
	cr_assert (has_line (text, "medverse_plugin_call_errors_total{plugin=\"probe\","
				   "method=\"Slow\",code=\"timed-out\"} 1"));
	cr_assert (has_line (text, "medverse_plugin_call_errors_total{plugin=\"probe\","
				   "method=\"Slow\",code=\"failed\"} 1"));
	cr_assert (has_line (text, "medverse_plugin_call_timeouts_total{plugin=\"probe\","
				   "method=\"Slow\"} 1"));
	cr_assert (has_line (text, "medverse_plugin_call_timeouts_total{plugin=\"probe\","
				   "method=\"Fast\"} 0"));
	cr_assert (has_line (text, "medverse_plugin_crashes_total{plugin=\"probe\"} 1"));
	cr_assert (has_line (text, "medverse_plugin_restarts_total{plugin=\"probe\"} 2"));
	cr_assert (has_line (text, "medverse_plugin_reloads_total{plugin=\"probe\"} 0"));
	cr_assert (g_str_has_suffix (text, "\n"));
}

Test (metrics, every_family_has_help_and_type_and_state_is_rendered)
{
	g_autoptr (MvMetrics) metrics = mv_metrics_new ();
	g_autoptr (GArray) pids = g_array_new (FALSE, FALSE, sizeof (GPid));
	GPid self = getpid ();
	GPid gone = 0x7ffffff0;
	MvMetricsPluginState state = { "we\"ird", "2.0\n", TRUE, TRUE, pids };
	g_autofree gchar *text = NULL;
	g_autofree gchar *rss_prefix = NULL;
	g_auto (GStrv) lines = NULL;
	g_autoptr (GHashTable) typed
		= g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

	g_array_append_val (pids, self);
	g_array_append_val (pids, gone);
	text = mv_metrics_render (metrics, &state, 1);
	cr_assert (has_line (text, "medverse_build_info{version=\"" MV_VERSION "\"} 1"));
	cr_assert (has_line (text, "medverse_plugin_info{plugin=\"we\\\"ird\",version=\"2.0\\n\","
				   "isolation=\"process\"} 1"));
	cr_assert (has_line (text, "medverse_plugin_disabled{plugin=\"we\\\"ird\"} 1"));
	rss_prefix = g_strdup_printf ("medverse_plugin_host_resident_bytes{plugin=\"we\\\"ird\","
				      "pid=\"%d\"} ",
				      (gint)self);
	cr_assert (strstr (text, rss_prefix) != NULL, "%s", text);
	cr_assert (strstr (text, "pid=\"2147483632\"") == NULL,
		   "a process that is gone is left out");
	/* every sample's family was declared by a TYPE line before it */
	lines = g_strsplit (text, "\n", -1);
	for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++) {
		g_auto (GStrv) words = g_strsplit (lines[i], " ", 4);
		if (g_str_has_prefix (lines[i], "# TYPE ")) {
			g_hash_table_add (typed, g_strdup (words[2]));
			continue;
		}
		if (g_str_has_prefix (lines[i], "# HELP "))
			continue;
		g_autofree gchar *family = g_strndup (lines[i], strcspn (lines[i], "{ "));
		cr_assert (g_hash_table_contains (typed, family), "no TYPE for %s", family);
	}
}
