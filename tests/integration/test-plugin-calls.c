/*
 * Plugin calls as a client, a plugin author and an attacker see them: keys (401 without one or
 * with a bad one), roles (403), the rate limit (429 with Retry-After), what the plugin is told
 * about its caller, the response limit, the nesting limit, and fairness: a plugin whose workers
 * all hang does not stop another plugin from answering, and a call that waited past its
 * deadline for a worker is never started.  /readyz reports such a plugin and stays 200.
 */
#include <criterion/criterion.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mvt.h"

static const gchar *const good_plugins[] = { "probe.so", NULL };

#define JSON "application/json"
#define COMPUTE "/v1/plugins/bmi/Compute"
#define BMI_BODY "{\"weight_kg\":70,\"height_cm\":175}"

int
main (int argc, char **argv)
{
	/* isolated (integration-plugin-calls-isolated), probe's calls run in its host processes,
	 * one call each: Recurse needs one per level up to the nesting limit (in process the key
	 * means nothing) */
	MvtOptions options = {
		.good_plugins = good_plugins,
		.config = "[http]\nmax-response-bytes=4096\n[plugin.probe]\nprocesses=8\n",
	};
	return mvt_main (argc, argv, &options);
}

static MvtResponse *
call_as (const gchar *token, const gchar *path, const gchar *body)
{
	return mvt_http_with_token (mvt_shared_url (), "POST", path, JSON, body, -1, token);
}

Test (plugin_auth, no_key_and_bad_key_are_401_everywhere)
{
	const gchar *bad[] = { NULL, "garbage", "mvk_0000000000000000", "" };

	for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
		g_autoptr (MvtResponse) list = mvt_http_with_token (
			mvt_shared_url (), "GET", "/v1/plugins", NULL, NULL, 0, bad[i]);
		g_autoptr (MvtResponse) compute = call_as (bad[i], COMPUTE, BMI_BODY);
		g_autoptr (MvtResponse) nlp
			= call_as (bad[i], "/v1/nlp/symptoms", "{\"text\":\"x\"}");
		g_autoptr (MvtResponse) unknown = call_as (bad[i], "/v1/plugins/nope/Nope", "{}");

		mvt_assert_error (list, 401, "unauthorized");
		mvt_assert_error (compute, 401, "unauthorized");
		mvt_assert_error (nlp, 401, "unauthorized");
		/* no key, no hint whether a plugin exists */
		mvt_assert_error (unknown, 401, "unauthorized");
	}
}

Test (plugin_auth, a_call_without_a_key_never_runs_the_plugin)
{
	g_autofree gchar *marker
		= g_build_filename (g_get_tmp_dir (), "mv-probe-anon-XXXXXX", NULL);
	g_autofree gchar *body = NULL;
	g_autoptr (MvtResponse) resp = NULL;
	gint fd = g_mkstemp (marker);

	close (fd);
	g_unlink (marker);
	body = g_strdup_printf ("{\"ms\":0,\"marker\":\"%s\"}", marker);
	resp = call_as (NULL, "/v1/plugins/probe/Hang", body);
	mvt_assert_error (resp, 401, "unauthorized");
	cr_assert_not (g_file_test (marker, G_FILE_TEST_EXISTS), "the plugin ran without a key");
}

Test (plugin_auth, every_role_may_call_and_the_plugin_knows_who)
{
	g_auto (MvtClinic) clinic = { 0 };
	const gchar *const zh[] = { "Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8", NULL };
	g_autoptr (MvtResponse) compute = NULL;
	g_autoptr (MvtResponse) who = NULL;
	g_autoptr (MvtResponse) who_default = NULL;
	g_autoptr (MvtResponse) operator= NULL;
	g_autofree gchar *line = NULL;
	g_autofree gchar *needle = NULL;
	g_autofree gchar *auth = NULL;

	mvt_clinic_make (mvt_shared_url (), mvt_shared_data_dir (), &clinic);
	compute = call_as (clinic.clinician, COMPUTE, BMI_BODY);
	cr_assert_eq (compute->status, 200, "%s", compute->body);
	cr_assert_str_eq (mvt_str (compute, "category"), "normal");

	auth = g_strdup_printf ("Bearer %s", clinic.clinician);
	{
		const gchar *const headers[] = { "Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8",
						 "Authorization", auth, NULL };
		who = mvt_http_with_headers (mvt_shared_url (), "POST", "/v1/plugins/probe/Whoami",
					     JSON, "{}", -1, headers);
	}
	cr_assert_eq (who->status, 200, "%s", who->body);
	cr_assert_str_eq (mvt_str (who, "clinic_id"), clinic.id);
	cr_assert_eq (json_node_get_int (mvt_member (who, "role")), 2 /* MV_CALLER_CLINICIAN */);
	cr_assert_str_eq (mvt_str (who, "locale"), "zh-CN");
	cr_assert_str_eq (mvt_str (who, "request_id"), who->request_id);
	/* mv_call_log puts the request id in front of the plugin's line */
	needle = g_strdup_printf ("[%s] probe whoami", who->request_id);
	line = mvt_shared_log_line (needle, 10000);
	cr_assert_not_null (line, "no log line '%s'", needle);

	who_default = call_as (clinic.admin, "/v1/plugins/probe/Whoami", "{}");
	cr_assert_eq (who_default->status, 200, "%s", who_default->body);
	cr_assert_str_eq (mvt_str (who_default, "locale"), "en");
	cr_assert_eq (json_node_get_int (mvt_member (who_default, "role")), 4);

	operator= mvt_http_with_headers (mvt_shared_url (), "POST", "/v1/plugins/probe/Whoami",
					 JSON, "{}", -1, zh);
	cr_assert_eq (operator->status, 200, "%s", operator->body);
	cr_assert_str_eq (mvt_str (operator, "clinic_id"), "");
	cr_assert_eq (json_node_get_int (mvt_member (operator, "role")), 8);
}

Test (plugin_auth, a_method_narrows_its_callers)
{
	g_auto (MvtClinic) clinic = { 0 };
	g_autoptr (MvtResponse) clinician = NULL;
	g_autoptr (MvtResponse) admin = NULL;
	g_autoptr (MvtResponse) operator= NULL;

	mvt_clinic_make (mvt_shared_url (), mvt_shared_data_dir (), &clinic);
	clinician = call_as (clinic.clinician, "/v1/plugins/probe/ForAdmins", "{}");
	admin = call_as (clinic.admin, "/v1/plugins/probe/ForAdmins", "{}");
	operator= mvt_post_json ("/v1/plugins/probe/ForAdmins", "{}");
	mvt_assert_error (clinician, 403, "forbidden");
	cr_assert (strstr (mvt_error_message (clinician), "clinician") != NULL, "%s",
		   clinician->body);
	cr_assert_eq (admin->status, 200, "%s", admin->body);
	cr_assert_eq (operator->status, 200, "%s", operator->body);
}

Test (plugin_limits, an_answer_over_the_response_limit_is_refused_whole)
{
	g_autoptr (MvtResponse) small = mvt_post_json ("/v1/plugins/probe/Big", "{\"bytes\":1000}");
	g_autoptr (MvtResponse) big = mvt_post_json ("/v1/plugins/probe/Big", "{\"bytes\":10000}");

	cr_assert_eq (small->status, 200, "%s", small->body);
	cr_assert_eq (strlen (mvt_str (small, "text")), 1000);
	mvt_assert_error (big, 500, "response-too-large");
	cr_assert (strstr (mvt_error_message (big), "4096") != NULL, "the limit is not named: %s",
		   big->body);
	cr_assert (big->len < 1000, "part of the answer was sent: %zu bytes", big->len);
}

Test (plugin_limits, a_plugin_calling_itself_stops_at_the_nesting_limit)
{
	g_autoptr (MvtResponse) resp = mvt_post_json ("/v1/plugins/probe/Recurse", "{\"depth\":0}");
	g_autoptr (MvtResponse) after = mvt_post_json (COMPUTE, BMI_BODY);
	g_autofree gchar *needle = NULL;
	g_autofree gchar *line = NULL;

	mvt_assert_error (resp, 500, "failed");
	needle = g_strdup_printf ("[%s] plugin probe: calling probe.Recurse would nest plugin "
				  "calls deeper than the limit of 8",
				  resp->request_id);
	line = mvt_shared_log_line (needle, 10000);
	cr_assert_not_null (line, "no log line '%s'", needle);
	cr_assert_eq (after->status, 200, "the daemon is still serving");
}

Test (plugin_dbus, the_locale_is_an_argument_over_dbus)
{
	g_autoptr (GDBusConnection) bus = mvt_dbus_connect (mvt_shared_bus_address ());
	g_autoptr (GError) error = NULL;
	g_autoptr (GVariant) reply = NULL;
	g_autoptr (GVariant) output = NULL;
	const gchar *clinic, *locale, *request_id;
	guint32 role;

	reply = g_dbus_connection_call_sync (bus, "org.medverse.Health1", "/org/medverse/Health1",
					     "org.medverse.Health1", "CallWithLocale",
					     g_variant_new ("(sssv)", "probe", "Whoami", "zh-Hans",
							    g_variant_new ("a{sv}", NULL)),
					     G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, 10000,
					     NULL, &error);
	cr_assert_not_null (reply, "%s", error != NULL ? error->message : "");
	g_variant_get (reply, "(v)", &output);
	g_variant_get (output, "(&su&s&s)", &clinic, &role, &locale, &request_id);
	cr_assert_str_eq (locale, "zh-Hans");
	cr_assert_eq (role, 8, "a local D-Bus caller acts as the operator");
	cr_assert_str_eq (clinic, "");

	g_clear_pointer (&reply, g_variant_unref);
	reply = g_dbus_connection_call_sync (
		bus, "org.medverse.Health1", "/org/medverse/Health1", "org.medverse.Health1",
		"CallWithLocale",
		g_variant_new ("(sssv)", "probe", "Whoami", "zh CN; DROP",
			       g_variant_new ("a{sv}", NULL)),
		G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);
	cr_assert_null (reply);
	cr_assert (strstr (error->message, "InvalidInput") != NULL, "%s", error->message);
}

/* ---- a daemon of its own: fairness and the rate limit ----------------------------------- */

static MvtEnv *
own_daemon (const gchar *config)
{
	const gchar *const plugins[] = { "probe.so", NULL };
	MvtOptions options = { .good_plugins = plugins, .config = config };
	g_autoptr (GError) error = NULL;
	MvtEnv *env = mvt_env_new ();

	mvt_env_prepare (env, &options);
	cr_assert (mvt_bus_start (env, &error), "%s", error != NULL ? error->message : "");
	cr_assert (mvt_daemon_spawn (env, &error), "%s", error != NULL ? error->message : "");
	cr_assert (mvt_daemon_wait_ready (env, 60000, &error), "%s",
		   error != NULL ? error->message : "");
	return env;
}

/* a probe.Hang of @ms, ignoring cancellation */
static MvtBackgroundPost *
hang (const gchar *url, guint ms, const gchar *marker)
{
	g_autofree gchar *body = g_strdup_printf ("{\"ms\":%u,\"marker\":\"%s\"}", ms, marker);
	return mvt_background_post (url, "/v1/plugins/probe/Hang", body);
}

typedef struct {
	const gchar *url;
} ProbeFree;

/* the hung calls run: both of probe's workers are busy */
static gboolean
probe_busy (gpointer data)
{
	ProbeFree *p = data;
	g_autoptr (MvtResponse) ready
		= mvt_http_try (p->url, "GET", "/readyz", NULL, NULL, 0, NULL);
	return ready != NULL && strstr (ready->body, "probe (2 of 2 workers busy") != NULL;
}

/* a probe call answers once one of its workers is free again */
static gboolean
probe_answers (gpointer data)
{
	ProbeFree *p = data;
	g_autoptr (MvtResponse) resp
		= mvt_http_try (p->url, "POST", "/v1/plugins/probe/Whoami", JSON, "{}", -1, NULL);
	return resp != NULL && resp->status == 200;
}

Test (plugin_pool,
      hung_calls_starve_no_other_plugin_and_an_expired_call_never_starts,
      .timeout = 120)
{
	/* two at once, in process (workers) or isolated (host processes) */
	g_autoptr (MvtEnv) env = own_daemon (
		"[plugins]\nworker-threads=2\ncall-timeout-ms=1500\n[plugin.probe]\nprocesses=2\n");
	g_autofree gchar *marker_a = g_build_filename (env->root, "hang-a", NULL);
	g_autofree gchar *marker_b = g_build_filename (env->root, "hang-b", NULL);
	g_autofree gchar *marker_c = g_build_filename (env->root, "hang-c", NULL);
	g_autofree gchar *body_c = g_strdup_printf ("{\"ms\":10,\"marker\":\"%s\"}", marker_c);
	MvtBackgroundPost *hang_a, *hang_b;
	MvtResponse *a, *b;
	g_autoptr (MvtResponse) ready = NULL;
	g_autoptr (MvtResponse) bmi = NULL;
	g_autoptr (MvtResponse) queued = NULL;
	g_autoptr (MvtResponse) ready_after = NULL;
	g_autofree gchar *log = NULL;
	g_autofree gchar *needle = NULL;
	ProbeFree probe = { env->url };
	gboolean isolated = g_strcmp0 (g_getenv ("MEDVERSE_PLUGIN_ISOLATION"), "process") == 0;
	g_autoptr (GError) error = NULL;

	/* both workers of probe hang, ignoring cancellation; a sandboxed (isolated) plugin may
	 * write no file, so there the calls leave no marker and are seen in /readyz alone */
	hang_a = hang (env->url, 6000, isolated ? "" : marker_a);
	hang_b = hang (env->url, 6000, isolated ? "" : marker_b);
	cr_assert (isolated
			   || (mvt_wait_for_file (marker_a, 30000)
			       && mvt_wait_for_file (marker_b, 30000)),
		   "the hung calls did not start");
	cr_assert (mvt_wait_until (probe_busy, &probe, 30000), "the hung calls did not start");

	/* reported, but the daemon stays ready: everything else still answers */
	ready = mvt_http (env->url, "GET", "/readyz", NULL, NULL, 0);
	cr_assert_eq (ready->status, 200, "%s", ready->body);
	cr_assert_str_eq (mvt_str (ready, "status"), "ready-busy");
	cr_assert (strstr (ready->body, "probe (2 of 2 workers busy") != NULL, "%s", ready->body);

	/* another plugin still answers at once */
	bmi = mvt_http (env->url, "POST", COMPUTE, JSON, BMI_BODY, -1);
	cr_assert_eq (bmi->status, 200, "bmi starved by probe's hung calls: %s", bmi->body);

	if (isolated) {
		/* isolated, a hung call's host is killed at its deadline, which frees its worker
		 * (docs/plugin-isolation.md): a call queued behind it runs on a new host */
		g_usleep (500 * 1000);
		queued = mvt_http (env->url, "POST", "/v1/plugins/probe/Hang", JSON, "{\"ms\":10}",
				   -1);
		cr_assert_eq (queued->status, 200, "%s", queued->body);
	} else {
		/* in process a hung call keeps its worker: a third probe call waits for a
		 * worker past its own deadline: 504, and never runs */
		queued = mvt_http (env->url, "POST", "/v1/plugins/probe/Hang", JSON, body_c, -1);
		mvt_assert_error (queued, 504, "timed-out");
		cr_assert (strstr (mvt_error_message (queued), "waited for a free worker") != NULL,
			   "%s", queued->body);
		cr_assert (strstr (mvt_error_message (queued), "not started") != NULL, "%s",
			   queued->body);
	}

	a = mvt_background_post_finish (hang_a);
	b = mvt_background_post_finish (hang_b);
	cr_assert_not_null (a);
	cr_assert_not_null (b);
	mvt_assert_error (a, 504, "timed-out");
	mvt_assert_error (b, 504, "timed-out");
	cr_assert (strstr (mvt_error_message (a), "exceeded its time limit") != NULL, "%s",
		   a->body);

	/* once a worker is free the queue has been drained past the expired call */
	cr_assert (mvt_wait_until (probe_answers, &probe, 30000), "probe never came back");
	cr_assert_not (g_file_test (marker_c, G_FILE_TEST_EXISTS),
		       "a call whose deadline passed in the queue was started");
	log = mvt_read_log (env);
	needle = g_strdup_printf (
		"[%s] plugin probe: Hang waited 1500 ms for a free worker and was "
		"not started",
		queued->request_id);
	cr_assert (isolated || strstr (log, needle) != NULL, "no log line '%s'", needle);
	ready_after = mvt_http (env->url, "GET", "/readyz", NULL, NULL, 0);
	cr_assert_eq (ready_after->status, 200, "%s", ready_after->body);
	cr_assert_str_eq (mvt_str (ready_after, "status"), "ready");

	mvt_response_free (a);
	mvt_response_free (b);
	cr_assert (mvt_daemon_stop (env, &error), "%s", error != NULL ? error->message : "");
}

Test (plugin_pool, the_key_rate_limit_applies_to_plugin_calls, .timeout = 120)
{
	g_autoptr (MvtEnv) env
		= own_daemon ("[auth]\nrate-limit-per-second=1\nrate-limit-burst=3\n");
	g_auto (MvtClinic) clinic = { 0 };
	g_autoptr (GError) error = NULL;
	guint ok = 0, limited = 0;

	mvt_clinic_make (env->url, env->data_dir, &clinic);
	for (guint i = 0; i < 10; i++) {
		g_autoptr (MvtResponse) resp = mvt_http_with_token (env->url, "POST", COMPUTE, JSON,
								    BMI_BODY, -1, clinic.clinician);
		if (resp->status == 200) {
			ok++;
			continue;
		}
		mvt_assert_error (resp, 429, "rate-limited");
		cr_assert_str_eq (resp->reason, "Too Many Requests");
		cr_assert_not_null (resp->retry_after, "429 without Retry-After");
		cr_assert_gt (atoi (resp->retry_after), 0);
		limited++;
	}
	cr_assert_geq (ok, 3, "the burst was not granted");
	cr_assert_gt (limited, 0, "10 calls at once passed a limit of 3");
	cr_assert (mvt_daemon_stop (env, &error), "%s", error != NULL ? error->message : "");
}

/* ---- the router's own refusals ------------------------------------------------------------ */

Test (router, a_path_parameter_that_is_not_text_is_400_never_204)
{
	/* not UTF-8: the router refuses it */
	const gchar *not_text[] = { "/v1/audit/%ff%fe/head", "/v1/patients/ab%c3" };
	/* "%2500" is the text "%00" (libsoup decodes the path once; decoding it again made a NUL,
	 * and the handler answered 204): an ordinary id that names nothing.  A raw "%00" or a bad
	 * escape never reaches a handler: libsoup answers 400 itself (and its client will not
	 * even send one). */
	const gchar *literal[] = { "/v1/audit/ab%2500cd/head", "/v1/patients/%2500" };

	for (guint i = 0; i < G_N_ELEMENTS (not_text); i++) {
		g_autoptr (MvtResponse) resp
			= mvt_http (mvt_shared_url (), "GET", not_text[i], NULL, NULL, 0);
		mvt_assert_error (resp, 400, "malformed");
		cr_assert_str_eq (resp->reason, "Bad Request");
	}
	for (guint i = 0; i < G_N_ELEMENTS (literal); i++) {
		g_autoptr (MvtResponse) resp
			= mvt_http (mvt_shared_url (), "GET", literal[i], NULL, NULL, 0);
		/* the operator key may not read patients (403); the clinic does not exist (404) */
		cr_assert (resp->status >= 400 && resp->status < 500, "%s: %u %s", literal[i],
			   resp->status, resp->body);
		cr_assert_not_null (mvt_error_code (resp));
	}
}

Test (router, an_update_without_if_match_is_428_with_its_reason_phrase)
{
	g_auto (MvtClinic) clinic = { 0 };
	g_autoptr (MvtResponse) made = NULL;
	g_autoptr (MvtResponse) patch = NULL;
	g_autofree gchar *path = NULL;

	mvt_clinic_make (mvt_shared_url (), mvt_shared_data_dir (), &clinic);
	made = mvt_http_with_token (mvt_shared_url (), "POST", "/v1/patients", JSON,
				    "{\"mrn\":\"R-428\",\"name\":{\"given\":\"Ada\"}}", -1,
				    clinic.clinician);
	cr_assert_eq (made->status, 201, "%s", made->body);
	path = g_strdup_printf ("/v1/patients/%s", mvt_str (made, "id"));
	patch = mvt_http_with_token (mvt_shared_url (), "PATCH", path, JSON,
				     "{\"language\":\"zh\"}", -1, clinic.clinician);
	mvt_assert_error (patch, 428, "precondition-required");
	cr_assert_str_eq (patch->reason, "Precondition Required");
}
