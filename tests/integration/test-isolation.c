/*
 * Isolated plugins in the real daemon (docs/plugin-isolation.md): the wobbly test plugin runs in
 * host processes of its own and crashes, aborts or spins on request.  Each time only its call
 * fails (500 plugin-crashed, 504 timed-out), the log names the plugin, the method, the request
 * id and the signal, its next call is served by a restarted host, and a load on another plugin
 * and /healthz runs throughout without one failed request.  A plugin that crashes too often is
 * disabled (503) until the operator re-enables it; a plugin the ABI gate refuses costs its host
 * alone; the daemon's environment does not reach a plugin's process.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <string.h>

#include "mvt.h"

#define JSON "application/json"
#define BMI_BODY "{\"weight_kg\":70,\"height_cm\":175}"

/* bmi isolated as well, so a nested call crosses two process boundaries; the rate limit out
 * of the way of the load */
#define CONFIG                                                                                     \
	"[plugins]\ncall-timeout-ms=3000\n"                                                        \
	"[auth]\nrate-limit-per-second=100000\nrate-limit-burst=1000000\n"                         \
	"[plugin.wobbly]\nisolation=process\nprocesses=2\ncrash-limit=1000\n"                      \
	"[plugin.bmi]\nisolation=process\nprocesses=2\n"                                           \
	"[plugin.probe]\nisolation=process\nprocesses=3\n"

int
main (int argc, char **argv)
{
	const gchar *const plugins[] = { "wobbly.so", "probe.so", NULL };
	MvtOptions options = { .good_plugins = plugins, .config = CONFIG };

	return mvt_main (argc, argv, &options);
}

static MvtResponse *
post (const gchar *url, const gchar *path, const gchar *body)
{
	return mvt_http (url, "POST", path, JSON, body, -1);
}

static void
assert_echo (const gchar *url, const gchar *text)
{
	g_autofree gchar *body = g_strdup_printf ("{\"text\":\"%s\"}", text);
	g_autoptr (MvtResponse) resp = post (url, "/v1/plugins/wobbly/Echo", body);

	cr_assert_eq (resp->status, 200, "%u: %s", resp->status, resp->body);
	cr_assert_str_eq (mvt_str (resp, "text"), text);
}

/* @method kills its host with @signal: the call alone fails, with the log line it must have */
static void
assert_crash (const gchar *method, const gchar *signal_text)
{
	g_autofree gchar *path = g_strdup_printf ("/v1/plugins/wobbly/%s", method);
	g_autoptr (MvtResponse) resp = post (mvt_shared_url (), path, "{}");
	g_autofree gchar *needle = NULL;
	g_autofree gchar *line = NULL;

	mvt_assert_error (resp, 500, "plugin-crashed");
	cr_assert (strstr (mvt_error_message (resp), "plugin wobbly") != NULL, "%s", resp->body);
	cr_assert (strstr (mvt_error_message (resp), signal_text) != NULL, "%s", resp->body);
	needle = g_strdup_printf ("died during method %s, request id %s: killed by signal %s",
				  method, resp->request_id, signal_text);
	line = mvt_shared_log_line (needle, 10000);
	cr_assert_not_null (line, "no log line with '%s'", needle);
	cr_assert (strstr (line, "plugin wobbly: host process ") != NULL, "%s", line);
}

Test (isolation, a_crash_costs_one_call_and_the_next_is_served, .timeout = 120)
{
	MvtLoad *load = mvt_load_start (mvt_shared_url ());

	assert_echo (mvt_shared_url (), "before");
	assert_crash ("Crash", "11 (SIGSEGV)");
	assert_echo (mvt_shared_url (), "after-segv");
	assert_crash ("Abort", "6 (SIGABRT)");
	assert_echo (mvt_shared_url (), "after-abort");
	mvt_load_finish (load);
}

Test (isolation, a_spinning_call_is_504_and_its_host_is_replaced, .timeout = 120)
{
	MvtLoad *load = mvt_load_start (mvt_shared_url ());
	g_autoptr (MvtResponse) resp = post (mvt_shared_url (), "/v1/plugins/wobbly/Spin", "{}");
	g_autofree gchar *needle = NULL;
	g_autofree gchar *line = NULL;

	mvt_assert_error (resp, 504, "timed-out");
	cr_assert_geq (resp->elapsed_ms, 2900, "answered after %" G_GINT64_FORMAT " ms",
		       resp->elapsed_ms);
	needle = g_strdup_printf ("[%s] plugin wobbly: Spin exceeded its time limit of 3000 ms; "
				  "host process ",
				  resp->request_id);
	line = mvt_shared_log_line (needle, 10000);
	cr_assert_not_null (line, "no log line with '%s'", needle);
	cr_assert (strstr (line, "killed (SIGKILL) and replaced") != NULL, "%s", line);
	assert_echo (mvt_shared_url (), "after-spin");
	mvt_load_finish (load);
}

Test (isolation, nested_calls_and_log_lines_cross_the_boundary)
{
	g_autoptr (MvtResponse) bmi = post (mvt_shared_url (), "/v1/plugins/wobbly/Bmi", BMI_BODY);
	g_autoptr (MvtResponse) echo
		= post (mvt_shared_url (), "/v1/plugins/wobbly/Echo", "{\"text\":\"a\\nb\"}");
	g_autoptr (MvtResponse) bad = post (mvt_shared_url (), "/v1/plugins/bmi/Compute",
					    "{\"weight_kg\":\"heavy\",\"height_cm\":175}");
	g_autofree gchar *needle = NULL;
	g_autofree gchar *line = NULL;

	cr_assert_eq (bmi->status, 200, "%u: %s", bmi->status, bmi->body);
	cr_assert_str_eq (mvt_str (bmi, "category"), "normal");
	cr_assert_eq (echo->status, 200, "%u: %s", echo->status, echo->body);
	/* the plugin's own line, under its own domain, with the daemon's request id */
	needle = g_strdup_printf ("[%s] echo of 3 bytes for clinic -", echo->request_id);
	line = mvt_shared_log_line (needle, 10000);
	cr_assert_not_null (line, "no log line with '%s'", needle);
	cr_assert (strstr (line, "plugin-wobbly") != NULL, "%s", line);
	/* an input error is refused in the daemon as for a plugin in process */
	cr_assert_eq (bad->status, 422, "%u: %s", bad->status, bad->body);
}

/* A plugin calling itself needs one host process per level: past its processes the nested call
 * fails at once (500) instead of waiting for itself until the deadline. */
Test (isolation, a_plugin_calling_itself_runs_out_of_processes_at_once)
{
	g_autoptr (MvtResponse) resp
		= post (mvt_shared_url (), "/v1/plugins/probe/Recurse", "{\"depth\":0}");
	g_autofree gchar *needle = NULL;
	g_autofree gchar *line = NULL;

	mvt_assert_error (resp, 500, "failed");
	cr_assert_lt (resp->elapsed_ms, 2000, "answered after %" G_GINT64_FORMAT " ms",
		      resp->elapsed_ms);
	needle = g_strdup_printf (
		"[%s] plugin probe: calling probe.Recurse from within its own "
		"call would wait for itself: all 3 of its host processes are busy",
		resp->request_id);
	line = mvt_shared_log_line (needle, 10000);
	cr_assert_not_null (line, "no log line '%s'", needle);
}

/* ---- a daemon of its own: crash loop, re-enable, the ABI gate, shutdown ----------------- */

/* running medverse-plugin-host processes whose command line holds @text (a plugin's path or
 * its directory) */
/* Host processes whose command line holds @text and (nullable) @also.  A host loads a private
 * copy of its plugin (docs/plugin-isolation.md, "Reload"), made in the daemon's TMPDIR: the
 * test sets that to its own root, so @text = env->root finds this daemon's hosts. */
static guint
hosts_running_with (const gchar *text, const gchar *also)
{
	g_autoptr (GDir) proc = g_dir_open ("/proc", 0, NULL);
	const gchar *name;
	guint n = 0;

	while (proc != NULL && (name = g_dir_read_name (proc)) != NULL) {
		g_autofree gchar *path = g_build_filename ("/proc", name, "cmdline", NULL);
		g_autofree gchar *cmdline = NULL;
		gsize len = 0;

		if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (path, &cmdline, &len, NULL))
			continue;
		for (gsize i = 0; i + 1 < len; i++)
			if (cmdline[i] == '\0')
				cmdline[i] = ' ';
		if (strstr (cmdline, "medverse-plugin-host") != NULL
		    && strstr (cmdline, text) != NULL
		    && (also == NULL || strstr (cmdline, also) != NULL))
			n++;
	}
	return n;
}

static guint
hosts_running (const gchar *text)
{
	return hosts_running_with (text, NULL);
}

static MvtEnv *current_env;

static void
fini (void)
{
	g_clear_pointer (&current_env, mvt_env_free);
}

/* A disabled plugin is visible beyond the log (docs/api.md "Health"): /readyz is 200
 * "degraded" naming it, /v1/plugins and `medversectl plugins` say its state; once enabled,
 * plain "ready" and "serving" again. */
static void
assert_disabled_is_visible (MvtEnv *env, gboolean disabled)
{
	const gchar *const list[] = { "plugins", NULL };
	g_autoptr (MvtResponse) ready = mvt_http (env->url, "GET", "/readyz", NULL, NULL, 0);
	g_autoptr (MvtResponse) plugins = mvt_http (env->url, "GET", "/v1/plugins", NULL, NULL, 0);
	g_autofree gchar *out = NULL;
	g_autofree gchar *err = NULL;
	const gchar *want = disabled ? "\"name\":\"wobbly\",\"isolation\":\"process\","
				       "\"state\":\"disabled\""
				     : "\"name\":\"wobbly\",\"isolation\":\"process\","
				       "\"state\":\"serving\"";

	cr_assert_eq (ready->status, 200, "%u: %s", ready->status, ready->body);
	cr_assert_str_eq (mvt_str (ready, "status"), disabled ? "degraded" : "ready", "%s",
			  ready->body);
	cr_assert_eq (strstr (ready->body, "\"disabled_plugins\":[\"wobbly (") != NULL, disabled,
		      "%s", ready->body);
	cr_assert (strstr (plugins->body, want) != NULL, "%s", plugins->body);
	cr_assert (strstr (plugins->body, "\"name\":\"bmi\",\"isolation\":\"in-process\","
					  "\"state\":\"serving\"")
			   != NULL,
		   "%s", plugins->body);
	cr_assert_eq (mvt_run_medversectl (env->bus_address, list, &out, &err), 0, "%s%s", out,
		      err);
	cr_assert (strstr (out, disabled ? "isolation: process, state: disabled"
					 : "isolation: process, state: serving")
			   != NULL,
		   "%s", out);
}

Test (isolation_own, crash_loop_disables_until_the_operator_enables, .timeout = 180, .fini = fini)
{
	const gchar *const good[] = { "wobbly.so", NULL };
	const gchar *const bad[] = { "bad-abi.so", NULL };
	MvtOptions options = {
		.good_plugins = good,
		.bad_plugins = bad,
		/* no `isolation` for wobbly and bad-abi: a plugin dir of its own, outside the
		 * daemon's, makes them isolated by default; bmi is kept in process by its key */
		.config = "[plugin.wobbly]\ncrash-limit=2\n"
			  "[plugin.bmi]\nisolation=in-process\n",
	};
	const gchar *const enable[] = { "plugins", "enable", "wobbly", NULL };
	g_autoptr (GError) error = NULL;
	g_autofree gchar *out = NULL;
	g_autofree gchar *err = NULL;
	g_autofree gchar *line = NULL;
	MvtEnv *env = mvt_env_new ();

	current_env = env;
	/* what the daemon's environment may hold must not reach a plugin's process */
	{
		g_autofree gchar *vars = g_strdup_printf (
			"MEDVERSE_TEST_SECRET=do-not-leak;"
			/* empty: the harness's in-process default is lifted */
			"MEDVERSE_PLUGIN_ISOLATION=;"
			/* where the hosts' copies of the plugins go: see hosts_running_with() */
			"TMPDIR=%s",
			env->root);
		env->daemon_env = g_strsplit (vars, ";", -1);
	}
	mvt_env_prepare (env, &options);
	cr_assert (mvt_bus_start (env, &error), "%s", error != NULL ? error->message : "");
	cr_assert (mvt_daemon_spawn (env, &error), "%s", error != NULL ? error->message : "");
	cr_assert (mvt_daemon_wait_ready (env, 60000, &error), "%s", error->message);

	/* the ABI gate refused bad-abi in its host: one line, and the daemon serves the rest */
	line = mvt_log_wait_line (env->log_path, "bad-abi.so: its host process", 10000);
	cr_assert_not_null (line, "no refusal of bad-abi.so in the log");
	cr_assert (strstr (line, "exited with status 78") != NULL, "%s", line);
	assert_echo (env->url, "first");
	cr_assert_eq (hosts_running_with (env->root, "/wobbly."), 2,
		      "wobbly is not isolated by default (two: the default of `processes`)");
	cr_assert_eq (hosts_running_with (env->root, "/bmi."), 0,
		      "bmi runs isolated despite its key");
	{
		g_autoptr (MvtResponse) secret = post (env->url, "/v1/plugins/wobbly/Getenv",
						       "{\"name\":\"MEDVERSE_TEST_SECRET\"}");
		g_autoptr (MvtResponse) kept
			= post (env->url, "/v1/plugins/wobbly/Getenv", "{\"name\":\"G_DEBUG\"}");
		cr_assert_eq (secret->status, 200, "%u: %s", secret->status, secret->body);
		cr_assert_str_eq (mvt_str (secret, "value"), "", "%s", secret->body);
		/* the control: what GLib reads does reach it */
		cr_assert_str_eq (mvt_str (kept, "value"), "fatal-criticals", "%s", kept->body);
	}

	for (guint i = 0; i < 2; i++) {
		g_autoptr (MvtResponse) crash = post (env->url, "/v1/plugins/wobbly/Crash", "{}");
		mvt_assert_error (crash, 500, "plugin-crashed");
	}
	g_free (line);
	line = mvt_log_wait_line (env->log_path, "plugin wobbly disabled: 2 crashes within 300 s",
				  10000);
	cr_assert_not_null (line, "no line saying wobbly was disabled");
	for (guint i = 0; i < 2; i++) {
		g_autoptr (MvtResponse) off
			= post (env->url, "/v1/plugins/wobbly/Echo", "{\"text\":\"x\"}");
		mvt_assert_error (off, 503, "plugin-disabled");
		cr_assert_null (off->retry_after, "Retry-After: %s", off->retry_after);
	}
	{
		g_autoptr (MvtResponse) other
			= post (env->url, "/v1/plugins/bmi/Compute", BMI_BODY);
		cr_assert_eq (other->status, 200, "%u: %s", other->status, other->body);
	}

	assert_disabled_is_visible (env, TRUE);

	cr_assert_eq (mvt_run_medversectl (env->bus_address, enable, &out, &err), 0, "%s%s", out,
		      err);
	cr_assert (strstr (out, "plugin wobbly enabled") != NULL, "%s", out);
	assert_echo (env->url, "enabled-again");
	assert_disabled_is_visible (env, FALSE);
	/* enabling what serves says so, not "enabled" */
	g_clear_pointer (&out, g_free);
	g_clear_pointer (&err, g_free);
	cr_assert_eq (mvt_run_medversectl (env->bus_address, enable, &out, &err), 0, "%s%s", out,
		      err);
	cr_assert (strstr (out, "was not disabled (state: serving)") != NULL, "%s", out);

	/* a clean stop takes every host process with it */
	cr_assert_gt (hosts_running (env->root), 0);
	cr_assert (mvt_daemon_stop (env, &error), "%s", error != NULL ? error->message : "");
	cr_assert_eq (hosts_running (env->root), 0, "host processes outlived the daemon");
}
