/*
 * The daemon's side of isolation against host processes that break the protocol (fake-host.c
 * plays a compromised plugin): a lie about a result type is the plugin's failure as in
 * process; garbage, an oversize frame, a frame for another call or an exit cost the call as
 * plugin-crashed and the process is replaced; a host that never answers is killed at the
 * deadline; crash-limit disables the plugin until it is enabled again; a refused or malformed
 * HELLO refuses the plugin.
 */
#include <criterion/criterion.h>
#include <glib/gstdio.h>
#include <string.h>

#include <mv-host-private.h>

#include "mv-plugin-process.h"

static MvIsolationConfig
test_config (guint crash_limit)
{
	MvIsolationConfig config = {
		.isolated = TRUE,
		.processes = 1,
		.crash_limit = crash_limit,
		.crash_window_s = 300,
	};
	return config;
}

static GVariant *
no_invoke (
	MvCall *parent, const gchar *plugin, const gchar *method, GVariant *input, GError **error)
{
	g_set_error_literal (error, MV_ERROR, MV_ERROR_NOT_FOUND, "no nested calls here");
	return NULL;
}

static MvPluginProcessPool *
start (const gchar *mode, guint crash_limit, GError **error)
{
	g_autofree gchar *path = g_build_filename ("/nonexistent", mode, NULL);
	MvIsolationConfig config = test_config (crash_limit);
	g_autoptr (GHashTable) table = g_hash_table_new (g_str_hash, g_str_equal);
	g_autoptr (MvPluginProcessPool) pool = mv_plugin_process_pool_new (
		g_getenv ("MV_FAKE_HOST"), path, &config, 5000, no_invoke, error);

	if (pool == NULL || !mv_plugin_process_pool_init (pool, "/nonexistent", table, error))
		return NULL;
	return g_steal_pointer (&pool);
}

/* Echo("hello") on @pool within @timeout_ms */
static GVariant *
echo (MvPluginProcessPool *pool, guint timeout_ms, GError **error)
{
	const MvPluginInfo *info = mv_plugin_process_pool_get_info (pool);
	static const MvHostVTable vtable = { 0 };
	g_autoptr (MvHost) host = mv_host_new (info, &vtable, "/nonexistent", NULL);
	g_autoptr (MvCall) call = mv_call_new (host, "req-1", NULL, NULL);
	g_autoptr (GVariant) input = g_variant_ref_sink (g_variant_new ("(s)", "hello"));

	return mv_plugin_process_pool_call (
		pool, call, mv_plugin_info_find_method (info, "Echo"), input,
		g_get_monotonic_time () + (gint64)timeout_ms * 1000, timeout_ms, error);
}

static void
assert_echo_fails (const gchar *mode, MvError code, const gchar *needle)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvPluginProcessPool) pool = start (mode, 100, &error);
	g_autoptr (GVariant) out = NULL;

	cr_assert_not_null (pool, "%s: %s", mode, error ? error->message : "");
	out = echo (pool, 5000, &error);
	cr_assert_null (out, "%s answered", mode);
	cr_assert (g_error_matches (error, MV_ERROR, code), "%s: %s (%d)", mode, error->message,
		   error->code);
	cr_assert (strstr (error->message, needle) != NULL, "%s: %s", mode, error->message);
	cr_assert (g_str_has_prefix (error->message, "plugin fake: "), "%s", error->message);
}

Test (plugin_process, a_good_host_answers_through_the_checks)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvPluginProcessPool) pool = start ("good", 100, &error);
	g_autoptr (GVariant) out = NULL;

	cr_assert_not_null (pool, "%s", error ? error->message : "");
	cr_assert_str_eq (mv_plugin_process_pool_get_info (pool)->name, "fake");
	out = echo (pool, 5000, &error);
	cr_assert_not_null (out, "%s", error ? error->message : "");
	cr_assert_str_eq (g_variant_get_type_string (out), "(s)");
	mv_plugin_process_pool_shutdown (pool, g_get_monotonic_time () + G_USEC_PER_SEC);
}

Test (plugin_process, a_lie_about_the_output_type_is_the_plugins_failure)
{
	assert_echo_fails ("liar", MV_ERROR_FAILED, "Echo returned type (i), declared (s)");
}

Test (plugin_process, an_error_of_another_domain_is_a_failure)
{
	assert_echo_fails ("foreign", MV_ERROR_FAILED, "disk on fire");
}

Test (plugin_process, garbage_oversize_or_a_stray_id_is_a_crash)
{
	assert_echo_fails ("garbage", MV_ERROR_PLUGIN_CRASHED, "killed by signal 9 (SIGKILL)");
	assert_echo_fails ("oversize", MV_ERROR_PLUGIN_CRASHED, "during Echo");
	assert_echo_fails ("wrong-id", MV_ERROR_PLUGIN_CRASHED, "during Echo");
	assert_echo_fails ("exit", MV_ERROR_PLUGIN_CRASHED, "exited with status 3");
}

Test (plugin_process, a_host_that_never_answers_is_killed_at_the_deadline)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvPluginProcessPool) pool = start ("hang", 100, &error);
	gint64 t0 = g_get_monotonic_time ();
	g_autoptr (GVariant) out = NULL;

	cr_assert_not_null (pool, "%s", error ? error->message : "");
	out = echo (pool, 300, &error);
	cr_assert_null (out);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_TIMED_OUT), "%s", error->message);
	cr_assert_geq (g_get_monotonic_time () - t0, 300000);
	cr_assert_lt (g_get_monotonic_time () - t0, 3 * G_USEC_PER_SEC);
	/* the timed-out host is replaced at once: the next call reaches a new one (and hangs) */
	g_clear_error (&error);
	out = echo (pool, 300, &error);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_TIMED_OUT), "%s", error->message);
	cr_assert (strstr (error->message, "exceeded its time limit") != NULL, "%s",
		   error->message);
	cr_assert_not (mv_plugin_process_pool_is_disabled (pool));
}

static gboolean
one_running (gpointer data)
{
	return mv_plugin_process_pool_count_running (data) == 1;
}

static gboolean
wait_until (gboolean (*done) (gpointer), gpointer data, guint timeout_ms)
{
	gint64 until = g_get_monotonic_time () + (gint64)timeout_ms * 1000;

	while (!done (data)) {
		if (g_get_monotonic_time () > until)
			return FALSE;
		g_usleep (5000);
	}
	return TRUE;
}

/* a host that dies between calls costs no call: the next one finds it gone and restarts it */
Test (plugin_process, a_host_that_died_while_idle_costs_no_call)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *dir = g_dir_make_tmp ("mv-fake-XXXXXX", NULL);
	g_autofree gchar *path = g_build_filename (dir, "idle-exit", NULL);
	g_autofree gchar *died = g_build_filename (dir, "died", NULL);
	MvIsolationConfig config = test_config (100);
	g_autoptr (GHashTable) table = g_hash_table_new (g_str_hash, g_str_equal);
	g_autoptr (MvPluginProcessPool) pool = mv_plugin_process_pool_new (
		g_getenv ("MV_FAKE_HOST"), path, &config, 5000, no_invoke, &error);
	g_autoptr (GVariant) out = NULL;

	cr_assert_not_null (pool, "%s", error ? error->message : "");
	cr_assert (mv_plugin_process_pool_init (pool, "/nonexistent", table, &error), "%s",
		   error->message);
	/* it has exited by now (50 ms after INIT), unseen */
	g_usleep (300000);
	cr_assert (g_file_test (died, G_FILE_TEST_EXISTS));
	out = echo (pool, 5000, &error);
	cr_assert_not_null (out, "%s", error ? error->message : "");
	g_unlink (died);
	g_rmdir (dir);
}

/* no call needed: the crashed process is back after its backoff (100 ms) */
Test (plugin_process, a_crashed_host_is_restarted_without_waiting_for_a_call)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvPluginProcessPool) pool = start ("exit", 100, &error);
	g_autoptr (GVariant) out = NULL;

	cr_assert_not_null (pool, "%s", error ? error->message : "");
	cr_assert_eq (mv_plugin_process_pool_count_running (pool), 1);
	out = echo (pool, 5000, &error);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_PLUGIN_CRASHED), "%s",
		   error->message);
	cr_assert (wait_until (one_running, pool, 5000), "not restarted within 5 s");
}

Test (plugin_process, crash_limit_disables_until_enabled)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvPluginProcessPool) pool = start ("exit", 2, &error);

	cr_assert_not_null (pool, "%s", error ? error->message : "");
	for (guint i = 0; i < 2; i++) {
		g_autoptr (GVariant) out = echo (pool, 5000, &error);
		cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_PLUGIN_CRASHED), "%u: %s", i,
			   error->message);
		g_clear_error (&error);
	}
	cr_assert (mv_plugin_process_pool_is_disabled (pool));
	{
		g_autoptr (GVariant) out = echo (pool, 5000, &error);
		cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_PLUGIN_DISABLED), "%s",
			   error->message);
		g_clear_error (&error);
	}
	cr_assert_eq (mv_plugin_process_pool_count_running (pool), 0);
	cr_assert (mv_plugin_process_pool_enable (pool));
	cr_assert_not (mv_plugin_process_pool_is_disabled (pool));
	/* enabling starts it at once */
	cr_assert (wait_until (one_running, pool, 5000), "not started within 5 s of enabling");
	{
		/* served again: by a new process, which exits as its plugin does */
		g_autoptr (GVariant) out = echo (pool, 5000, &error);
		cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_PLUGIN_CRASHED), "%s",
			   error->message);
	}
}

Test (plugin_process, a_refused_or_malformed_hello_refuses_the_plugin)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvPluginProcessPool) refused = start ("no-hello", 100, &error);
	g_autoptr (MvPluginProcessPool) malformed = NULL;

	cr_assert_null (refused);
	cr_assert (strstr (error->message, "exited with status 78") != NULL, "%s", error->message);
	g_clear_error (&error);
	malformed = start ("bad-hello", 100, &error);
	cr_assert_null (malformed);
	cr_assert (strstr (error->message, "invalid type") != NULL
			   || strstr (error->message, "no tuple type") != NULL,
		   "%s", error->message);
}
