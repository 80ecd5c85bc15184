/*
 * GET /metrics (docs/plugin-isolation.md, "Metrics") in the real daemon over real HTTP: after
 * a known set of calls — five that succeed, one the plugin refuses, one past the time limit,
 * one that crashes an isolated plugin's host — the counters, the histogram's count and the
 * crash and restart counters say exactly that; the text is the Prometheus format 0.0.4; only
 * the operator key may read it (a clinic's key is 403, no key 401).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mvt.h"

#define JSON "application/json"
#define BMI_BODY "{\"weight_kg\":70,\"height_cm\":175}"

int
main (int argc, char **argv)
{
	const gchar *const plugins[] = { "sleepy.so", "wobbly.so", NULL };
	MvtOptions options = {
		.good_plugins = plugins,
		.config = "[plugins]\ncall-timeout-ms=1000\n"
			  "[plugin.wobbly]\nisolation=process\ncrash-limit=1000\n",
	};

	return mvt_main (argc, argv, &options);
}

static MvtResponse *
scrape (void)
{
	MvtResponse *resp = mvt_get ("/metrics");

	cr_assert_eq (resp->status, 200, "%u: %s", resp->status, resp->body);
	return resp;
}

/* The value of the sample @series ("name{labels}") in @text, or -1 when there is none. */
static gdouble
sample (const gchar *text, const gchar *series)
{
	g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
	g_autofree gchar *prefix = g_strconcat (series, " ", NULL);

	for (guint i = 0; lines[i] != NULL; i++)
		if (g_str_has_prefix (lines[i], prefix))
			return g_ascii_strtod (lines[i] + strlen (prefix), NULL);
	return -1;
}

static void
assert_sample (const gchar *text, const gchar *series, gdouble expected)
{
	cr_assert_eq (sample (text, series), expected, "%s is %g, not %g", series,
		      sample (text, series), expected);
}

static gboolean
restarted (gpointer data)
{
	g_autoptr (MvtResponse) resp = scrape ();
	return sample (resp->body, "medverse_plugin_restarts_total{plugin=\"wobbly\"}") == 1;
}

Test (metrics, counters_say_exactly_what_happened, .timeout = 120)
{
	g_autoptr (MvtResponse) resp = NULL;
	const gchar *text;

	for (guint i = 0; i < 5; i++) {
		g_autoptr (MvtResponse) ok = mvt_post_json ("/v1/plugins/bmi/Compute", BMI_BODY);
		cr_assert_eq (ok->status, 200, "%u: %s", ok->status, ok->body);
	}
	{
		/* the plugin's own refusal: a relative gate */
		g_autoptr (MvtResponse) refused
			= mvt_post_json ("/v1/plugins/sleepy/Hold", "{\"gate\":\"relative\"}");
		mvt_assert_error (refused, 422, "invalid-input");
	}
	{
		g_autoptr (MvtResponse) late
			= mvt_post_json ("/v1/plugins/sleepy/Sleep", "{\"ms\":5000}");
		mvt_assert_error (late, 504, "timed-out");
	}
	{
		g_autoptr (MvtResponse) crash = mvt_post_json ("/v1/plugins/wobbly/Crash", "{}");
		mvt_assert_error (crash, 500, "plugin-crashed");
	}
	/* its host comes back after its backoff, without a call asking for it */
	cr_assert (mvt_wait_until (restarted, NULL, 20000), "wobbly's host was not restarted");

	resp = scrape ();
	text = resp->body;
	cr_assert (g_str_has_prefix (mvt_response_header (resp, "Content-Type"),
				     "text/plain; version=0.0.4"),
		   "%s", mvt_response_header (resp, "Content-Type"));
	assert_sample (text, "medverse_plugin_calls_total{plugin=\"bmi\",method=\"Compute\"}", 5);
	assert_sample (
		text,
		"medverse_plugin_call_duration_seconds_count{plugin=\"bmi\",method=\"Compute\"}",
		5);
	assert_sample (text,
		       "medverse_plugin_call_duration_seconds_bucket{plugin=\"bmi\","
		       "method=\"Compute\",le=\"+Inf\"}",
		       5);
	cr_assert_lt (sample (text, "medverse_plugin_call_errors_total{plugin=\"bmi\","
				    "method=\"Compute\",code=\"invalid-input\"}"),
		      0, "bmi had no error");
	assert_sample (text, "medverse_plugin_calls_total{plugin=\"sleepy\",method=\"Hold\"}", 1);
	assert_sample (text,
		       "medverse_plugin_call_errors_total{plugin=\"sleepy\",method=\"Hold\","
		       "code=\"invalid-input\"}",
		       1);
	assert_sample (text, "medverse_plugin_calls_total{plugin=\"sleepy\",method=\"Sleep\"}", 1);
	assert_sample (
		text, "medverse_plugin_call_timeouts_total{plugin=\"sleepy\",method=\"Sleep\"}", 1);
	assert_sample (text,
		       "medverse_plugin_call_errors_total{plugin=\"sleepy\",method=\"Sleep\","
		       "code=\"timed-out\"}",
		       1);
	/* answered at the time limit (1 s, the sweep up to 50 ms later): not in the 0.5 s bucket */
	assert_sample (text,
		       "medverse_plugin_call_duration_seconds_bucket{plugin=\"sleepy\","
		       "method=\"Sleep\",le=\"0.5\"}",
		       0);
	assert_sample (text,
		       "medverse_plugin_call_duration_seconds_bucket{plugin=\"sleepy\","
		       "method=\"Sleep\",le=\"+Inf\"}",
		       1);
	assert_sample (text,
		       "medverse_plugin_call_timeouts_total{plugin=\"sleepy\",method=\"Hold\"}", 0);
	assert_sample (text, "medverse_plugin_calls_total{plugin=\"wobbly\",method=\"Crash\"}", 1);
	assert_sample (text,
		       "medverse_plugin_call_errors_total{plugin=\"wobbly\",method=\"Crash\","
		       "code=\"plugin-crashed\"}",
		       1);
	assert_sample (text, "medverse_plugin_crashes_total{plugin=\"wobbly\"}", 1);
	assert_sample (text, "medverse_plugin_restarts_total{plugin=\"wobbly\"}", 1);
	assert_sample (text, "medverse_plugin_crashes_total{plugin=\"sleepy\"}", 0);
	assert_sample (text, "medverse_plugin_disabled{plugin=\"wobbly\"}", 0);
	assert_sample (text, "medverse_plugin_reloads_total{plugin=\"wobbly\"}", 0);
	assert_sample (text,
		       "medverse_plugin_info{plugin=\"wobbly\",version=\"1.0.0\","
		       "isolation=\"process\"}",
		       1);
	cr_assert (strstr (text, "# TYPE medverse_plugin_call_duration_seconds histogram\n"));
	cr_assert (strstr (text, "# HELP medverse_plugin_calls_total "));
	cr_assert (strstr (text, "\nmedverse_build_info{version=\""));
	{
		/* the resident set of wobbly's host, read now: a real, plausible figure */
		const gchar *rss
			= strstr (text, "medverse_plugin_host_resident_bytes{plugin=\"wobbly\"");
		cr_assert_not_null (rss, "%s", text);
		cr_assert_gt (g_ascii_strtod (strchr (rss, '}') + 2, NULL), 100000.0);
	}
}

Test (metrics, only_the_operator_key_may_scrape, .timeout = 60)
{
	g_auto (MvtClinic) clinic = { 0 };
	g_autoptr (MvtResponse) clinician = NULL;
	g_autoptr (MvtResponse) admin = NULL;
	g_autoptr (MvtResponse) nobody = NULL;

	mvt_clinic_make (mvt_shared_url (), mvt_shared_data_dir (), &clinic);
	clinician = mvt_http_with_token (mvt_shared_url (), "GET", "/metrics", NULL, NULL, 0,
					 clinic.clinician);
	admin = mvt_http_with_token (mvt_shared_url (), "GET", "/metrics", NULL, NULL, 0,
				     clinic.admin);
	nobody = mvt_http_with_token (mvt_shared_url (), "GET", "/metrics", NULL, NULL, 0, NULL);
	mvt_assert_error (clinician, 403, "forbidden");
	mvt_assert_error (admin, 403, "forbidden");
	mvt_assert_error (nobody, 401, "unauthorized");
	cr_assert (strstr (clinician->body, "medverse_") == NULL, "%s", clinician->body);
}
