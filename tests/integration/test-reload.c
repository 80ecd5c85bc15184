/*
 * Plugin reload without a restart (docs/plugin-isolation.md, "Reload"), in the real daemon,
 * for a plugin in process and for an isolated one: a new build of the plugin copied over its
 * file (cp: written in place) is switched in by `medversectl plugins reload` and by SIGHUP; a
 * call that was running when the switch happened finishes on the old version; reloading the
 * same file changes nothing; a file the ABI gate refuses, or no file at all, leaves the running
 * version serving, with one log line naming the plugin, the file and the reason.  For the
 * isolated plugin also: a host restarted after its file was written over still serves (it runs
 * the daemon's private copy, not the file).
 */
#include <criterion/criterion.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "mvt.h"

#define JSON "application/json"

static MvtEnv *current_env;

static void
fini (void)
{
	g_clear_pointer (&current_env, mvt_env_free);
}

/* A daemon of its own with reloadable 1.0.0 (and wobbly, isolated) running @isolation. */
static MvtEnv *
start_daemon (const gchar *isolation)
{
	g_autofree gchar *v1
		= g_build_filename (mvt_getenv ("MVT_RELOAD_PLUGIN_DIR"), "reloadable.so", NULL);
	const gchar *const extra[] = { v1, NULL };
	const gchar *const good[] = { "wobbly.so", NULL };
	g_autoptr (GError) error = NULL;
	MvtEnv *env = mvt_env_new ();
	/* its data directory: the one place an isolated plugin may read, so Hold's gate is there */
	g_autofree gchar *data = g_build_filename (env->root, "reloadable-data", NULL);
	g_autofree gchar *config
		= g_strdup_printf ("[plugin.reloadable]\nisolation=%s\ndata-dir=%s\n"
				   "[plugin.wobbly]\nisolation=process\ncrash-limit=1000\n",
				   isolation, data);
	MvtOptions options = { .good_plugins = good, .extra_plugins = extra, .config = config };

	current_env = env;
	cr_assert_eq (g_mkdir (data, 0700), 0);
	/* the private copies of the plugins go here, not in the machine's /tmp */
	env->daemon_env = g_new0 (gchar *, 2);
	env->daemon_env[0] = g_strdup_printf ("TMPDIR=%s", env->root);
	mvt_env_prepare (env, &options);
	cr_assert (mvt_bus_start (env, &error), "%s", error != NULL ? error->message : "");
	cr_assert (mvt_daemon_spawn (env, &error), "%s", error != NULL ? error->message : "");
	cr_assert (mvt_daemon_wait_ready (env, 60000, &error), "%s", error->message);
	return env;
}

static void
assert_version (MvtEnv *env, const gchar *version)
{
	g_autoptr (MvtResponse) resp
		= mvt_http (env->url, "POST", "/v1/plugins/reloadable/Version", JSON, "{}", -1);

	cr_assert_eq (resp->status, 200, "%u: %s", resp->status, resp->body);
	cr_assert_str_eq (mvt_str (resp, "version"), version, "%s", resp->body);
}

/* A method without arguments through medversectl's generic call: D-Bus carries no "()", so
 * medversectl sends a placeholder the daemon accepts for such a method (stranger trial). */
static void
assert_version_over_dbus (MvtEnv *env, const gchar *version)
{
	const gchar *const args[] = { "call", "reloadable", "Version", "()", NULL };
	g_autofree gchar *out = NULL, *err = NULL;
	g_autofree gchar *want = g_strdup_printf ("('%s',)", version);

	cr_assert_eq (mvt_run_medversectl (env->bus_address, args, &out, &err), 0, "%s%s", out,
		      err);
	cr_assert_not_null (strstr (out, want), "'%s' not in '%s'", want, out);
}

/* Writes @from over the plugin's file in place, as `cp` does (same inode, new contents). */
static void
cp_over (MvtEnv *env, const gchar *from, const gchar *name)
{
	g_autofree gchar *to = g_build_filename (env->plugin_dir, name, NULL);
	g_autofree gchar *contents = NULL;
	gsize len = 0;
	g_autoptr (GError) error = NULL;
	FILE *out;

	cr_assert (g_file_get_contents (from, &contents, &len, &error), "%s", error->message);
	out = fopen (to, "r+b");
	cr_assert_not_null (out, "%s", to);
	cr_assert_eq (ftruncate (fileno (out), 0), 0);
	cr_assert_eq (fwrite (contents, 1, len, out), len);
	cr_assert_eq (fclose (out), 0);
}

/* @out holds @needle; else the daemon's log says why (it may have died) */
static void
assert_out (MvtEnv *env, const gchar *out, const gchar *needle)
{
	if (strstr (out, needle) == NULL) {
		g_autofree gchar *log = mvt_read_log (env);
		cr_assert_not_null (strstr (out, needle), "'%s' not in '%s'; the log:\n%s", needle,
				    out, log);
	}
}

static gint
reload (MvtEnv *env, gchar **out)
{
	const gchar *const args[] = { "plugins", "reload", "reloadable", NULL };
	g_autofree gchar *err = NULL;
	gint status = mvt_run_medversectl (env->bus_address, args, out, &err);

	if (status != 0)
		g_message ("medversectl: %s%s", *out, err);
	return status;
}

typedef struct {
	MvtEnv *env;
	gchar *gate;
	MvtResponse *resp;
} HeldCall;

static gpointer
hold_thread (gpointer data)
{
	HeldCall *held = data;
	g_autofree gchar *body = g_strdup_printf ("{\"gate\":\"%s\"}", held->gate);
	MvtRequest req = {
		.base_url = held->env->url,
		.method = "POST",
		.path = "/v1/plugins/reloadable/Hold",
		.content_type = JSON,
		.body = body,
		.len = -1,
		.timeout_s = 60,
	};

	held->resp = mvt_request_send (&req, NULL);
	return NULL;
}

/* v1 -> v2 with a call in flight, then the same file again: reloaded, then unchanged. */
static void
reload_with_a_call_in_flight (MvtEnv *env)
{
	g_autofree gchar *v2
		= g_build_filename (mvt_getenv ("MVT_RELOAD_PLUGIN_DIR"), "reloadable-v2.so", NULL);
	g_autofree gchar *started = NULL;
	g_autofree gchar *out = NULL;
	g_autofree gchar *again = NULL;
	g_autofree gchar *line = NULL;
	HeldCall held
		= { env, g_build_filename (env->root, "reloadable-data", "gate", NULL), NULL };
	GThread *thread;

	assert_version (env, "1.0.0");
	thread = g_thread_new ("held-call", hold_thread, &held);
	started = mvt_log_wait_line (env->log_path, "hold: started, version 1.0.0", 30000);
	cr_assert_not_null (started, "the held call never started");

	cp_over (env, v2, "reloadable.so");
	cr_assert_eq (reload (env, &out), 0, "%s", out);
	assert_out (env, out, "reloadable: reloaded 1.0.0 -> 2.0.0");
	assert_version (env, "2.0.0");

	/* the call that was running finishes on the version it started on */
	cr_assert (g_file_set_contents (held.gate, "", 0, NULL));
	g_thread_join (thread);
	cr_assert_not_null (held.resp, "the held call got no answer");
	cr_assert_eq (held.resp->status, 200, "%u: %s", held.resp->status, held.resp->body);
	cr_assert_str_eq (mvt_str (held.resp, "version"), "1.0.0", "%s", held.resp->body);
	line = mvt_log_wait_line (env->log_path, "plugin reloadable 1.0.0 (replaced) stopped",
				  20000);
	cr_assert_not_null (line, "the old version was not stopped after its last call");

	cr_assert_eq (reload (env, &again), 0, "%s", again);
	assert_out (env, again, "reloadable: unchanged 2.0.0");
	g_clear_pointer (&held.resp, mvt_response_free);
	g_free (held.gate);
}

/* A file the ABI gate refuses, via medversectl and SIGHUP, then a good one via SIGHUP, then no
 * file: only the good one switches. */
static void
reload_refused_then_by_sighup (MvtEnv *env)
{
	g_autofree gchar *bad
		= g_build_filename (mvt_getenv ("MVT_BAD_PLUGIN_DIR"), "bad-abi.so", NULL);
	g_autofree gchar *v1
		= g_build_filename (mvt_getenv ("MVT_RELOAD_PLUGIN_DIR"), "reloadable.so", NULL);
	g_autofree gchar *file = g_build_filename (env->plugin_dir, "reloadable.so", NULL);
	g_autofree gchar *needle = g_strdup_printf (
		"reload of plugin reloadable refused, version 2.0.0 keeps serving: %s: ", file);
	g_autofree gchar *out = NULL;
	g_autofree gchar *missing = NULL;
	g_autofree gchar *line = NULL;
	g_autofree gchar *log = NULL;

	cp_over (env, bad, "reloadable.so");
	cr_assert_eq (reload (env, &out), 1, "%s", out);
	assert_out (env, out, "reloadable: kept-old 2.0.0: ");
	line = mvt_log_wait_line (env->log_path, needle, 10000);
	cr_assert_not_null (line, "no log line '%s'", needle);
	cr_assert (strstr (line, "ABI") != NULL || strstr (line, "status 78") != NULL, "%s", line);
	assert_version (env, "2.0.0");

	/* SIGHUP: the same refusal, the same version serving */
	cr_assert_eq (kill (env->daemon_pid, SIGHUP), 0);
	g_free (line);
	line = mvt_log_wait_line (env->log_path, "reload: plugins: 0 reloaded, ", 20000);
	if (line == NULL) {
		g_autofree gchar *whole = mvt_read_log (env);
		cr_assert_not_null (line, "no summary of the SIGHUP reload in:\n%s", whole);
	}
	assert_version (env, "2.0.0");

	cp_over (env, v1, "reloadable.so");
	cr_assert_eq (kill (env->daemon_pid, SIGHUP), 0);
	g_free (line);
	line = mvt_log_wait_line (env->log_path, "reloaded plugin reloadable 2.0.0 -> 1.0.0",
				  20000);
	cr_assert_not_null (line, "SIGHUP did not reload the plugin");
	assert_version (env, "1.0.0");

	cr_assert_eq (g_unlink (file), 0);
	cr_assert_eq (reload (env, &missing), 1, "%s", missing);
	assert_out (env, missing, "reloadable: kept-old 1.0.0: ");
	assert_version (env, "1.0.0");
	log = mvt_read_log (env);
	cr_assert (strstr (log, "CRITICAL") == NULL, "%s", log);
}

/* wobbly's file written over while it runs: its host crashes and the restarted one serves
 * (before reload existed, the restarted host said another HELLO and was refused). */
static void
restart_after_cp_over (MvtEnv *env)
{
	g_autofree gchar *v2
		= g_build_filename (mvt_getenv ("MVT_RELOAD_PLUGIN_DIR"), "reloadable-v2.so", NULL);
	g_autoptr (MvtResponse) crash = NULL;
	g_autoptr (MvtResponse) echo = NULL;

	cp_over (env, v2, "wobbly.so");
	crash = mvt_http (env->url, "POST", "/v1/plugins/wobbly/Crash", JSON, "{}", -1);
	mvt_assert_error (crash, 500, "plugin-crashed");
	echo = mvt_http (env->url, "POST", "/v1/plugins/wobbly/Echo", JSON, "{\"text\":\"still\"}",
			 -1);
	cr_assert_eq (echo->status, 200, "%u: %s", echo->status, echo->body);
	cr_assert_str_eq (mvt_str (echo, "text"), "still");
}

Test (reload, in_process, .timeout = 180, .fini = fini)
{
	g_autoptr (GError) error = NULL;
	MvtEnv *env = start_daemon ("in-process");

	assert_version_over_dbus (env, "1.0.0");
	reload_with_a_call_in_flight (env);
	reload_refused_then_by_sighup (env);
	cr_assert (mvt_daemon_stop (env, &error), "%s", error != NULL ? error->message : "");
}

Test (reload, isolated, .timeout = 180, .fini = fini)
{
	g_autoptr (GError) error = NULL;
	MvtEnv *env = start_daemon ("process");

	restart_after_cp_over (env);
	reload_with_a_call_in_flight (env);
	reload_refused_then_by_sighup (env);
	cr_assert (mvt_daemon_stop (env, &error), "%s", error != NULL ? error->message : "");
}
