/*
 * Reload in the engine, in process (docs/plugin-isolation.md, "Reload"): a new build written
 * over a plugin's file is switched in, the same file again is unchanged, a file the ABI gate
 * refuses keeps the old version serving, an unknown name is not-found; and calls made without
 * pause from two threads while the plugin is reloaded twenty times all succeed, each answered
 * by one version or the other (no call runs on a version that was stopped or freed).
 *
 * Plugins: MVT_RELOAD_PLUGIN_DIR (reloadable.so 1.0.0, reloadable-v2.so 2.0.0), MVT_BAD_PLUGIN_DIR.
 */
#include <criterion/criterion.h>
#include <glib/gstdio.h>
#include <string.h>

#include "mv-config.h"
#include "mv-engine.h"

static const MvCaller caller = {
	.request_id = "reload-test",
	.clinic_id = "clinic-1",
	.role = MV_ROLE_CLINICIAN,
	.locale = "en",
};

static gchar *plugin_dir;

static void
setup (void)
{
	plugin_dir = g_dir_make_tmp ("mv-reload-XXXXXX", NULL);
	cr_assert_not_null (plugin_dir);
}

static void
teardown (void)
{
	g_autofree gchar *file = g_build_filename (plugin_dir, "reloadable.so", NULL);
	g_unlink (file);
	g_rmdir (plugin_dir);
	g_clear_pointer (&plugin_dir, g_free);
}

/* Writes @name of @dir_var's directory over reloadable.so in place, as `cp` does. */
static void
put (const gchar *dir_var, const gchar *name)
{
	g_autofree gchar *from = g_build_filename (g_getenv (dir_var), name, NULL);
	g_autofree gchar *to = g_build_filename (plugin_dir, "reloadable.so", NULL);
	g_autofree gchar *contents = NULL;
	gsize len = 0;
	FILE *out;

	cr_assert (g_file_get_contents (from, &contents, &len, NULL), "%s", from);
	out = fopen (to, g_file_test (to, G_FILE_TEST_EXISTS) ? "r+b" : "wb");
	cr_assert_not_null (out);
	cr_assert_eq (ftruncate (fileno (out), 0), 0);
	cr_assert_eq (fwrite (contents, 1, len, out), len);
	cr_assert_eq (fclose (out), 0);
}

static MvEngine *
start_engine_with (const gchar *extra)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *text = g_strdup_printf (
		"[daemon]\nplugin-dirs=%s\n[plugin.reloadable]\nisolation=in-process\n%s",
		plugin_dir, extra);
	g_autoptr (MvConfig) config = mv_config_load_from_data (text, strlen (text), &error);
	MvEngine *engine;

	cr_assert_not_null (config, "%s", error != NULL ? error->message : "");
	engine = mv_engine_new (config);
	cr_assert (mv_engine_load_plugins (engine, &error), "%s",
		   error != NULL ? error->message : "");
	return engine;
}

static MvEngine *
start_engine (void)
{
	return start_engine_with ("");
}

/* The version that answers Version(), or NULL with @error. */
static gchar *
version (MvEngine *engine, GError **error)
{
	g_autoptr (GVariant) out = mv_engine_call_sync (engine, "reloadable", "Version",
							g_variant_new ("()"), &caller, error);
	gchar *v = NULL;

	if (out != NULL)
		g_variant_get (out, "(s)", &v);
	return v;
}

static void
assert_version (MvEngine *engine, const gchar *expected)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *v = version (engine, &error);

	cr_assert_str_eq (v != NULL ? v : error->message, expected);
}

/* Reloads reloadable and returns its one result (transfer full). */
static MvPluginReload *
reload (MvEngine *engine)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GPtrArray) results = mv_engine_reload_plugins (engine, "reloadable", &error);

	cr_assert_not_null (results, "%s", error != NULL ? error->message : "");
	cr_assert_eq (results->len, 1);
	return g_ptr_array_steal_index (results, 0);
}

Test (reload, switches_keeps_old_on_refusal_and_names_what_it_did, .init = setup, .fini = teardown)
{
	g_autoptr (MvEngine) engine = NULL;
	g_autoptr (MvPluginReload) same = NULL;
	g_autoptr (MvPluginReload) v2 = NULL;
	g_autoptr (MvPluginReload) bad = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (GPtrArray) none = NULL;

	put ("MVT_RELOAD_PLUGIN_DIR", "reloadable.so");
	engine = start_engine ();
	assert_version (engine, "1.0.0");

	same = reload (engine);
	cr_assert_eq (same->outcome, MV_PLUGIN_UNCHANGED);
	cr_assert_str_eq (same->new_version, "1.0.0");

	put ("MVT_RELOAD_PLUGIN_DIR", "reloadable-v2.so");
	v2 = reload (engine);
	cr_assert_eq (v2->outcome, MV_PLUGIN_RELOADED, "%s", v2->reason);
	cr_assert_str_eq (v2->old_version, "1.0.0");
	cr_assert_str_eq (v2->new_version, "2.0.0");
	assert_version (engine, "2.0.0");

	put ("MVT_BAD_PLUGIN_DIR", "bad-abi.so");
	bad = reload (engine);
	cr_assert_eq (bad->outcome, MV_PLUGIN_KEPT_OLD);
	cr_assert_null (bad->new_version);
	cr_assert (strstr (bad->reason, "ABI 999") != NULL, "%s", bad->reason);
	assert_version (engine, "2.0.0");

	none = mv_engine_reload_plugins (engine, "nope", &error);
	cr_assert_null (none);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_NOT_FOUND));
	mv_engine_shutdown (engine, 3000);
}

typedef struct {
	MvEngine *engine;
	gint stop;	/* atomic */
	guint calls;	/* by the caller thread */
	guint failures; /* by the caller thread: no Criterion assertion off the main thread */
	gchar *first_failure;
} Caller;

static gpointer
call_without_pause (gpointer data)
{
	Caller *c = data;

	while (!g_atomic_int_get (&c->stop)) {
		g_autoptr (GError) error = NULL;
		g_autofree gchar *v = version (c->engine, &error);

		c->calls++;
		if (g_strcmp0 (v, "1.0.0") == 0 || g_strcmp0 (v, "2.0.0") == 0)
			continue;
		if (c->failures++ == 0)
			c->first_failure = g_strdup (v != NULL ? v : error->message);
	}
	return NULL;
}

Test (reload, calls_go_on_across_twenty_reloads, .init = setup, .fini = teardown, .timeout = 120)
{
	g_autoptr (MvEngine) engine = NULL;
	Caller callers[2] = { 0 };
	GThread *threads[2];
	g_autofree gchar *metrics = NULL;

	put ("MVT_RELOAD_PLUGIN_DIR", "reloadable.so");
	engine = start_engine ();
	for (guint i = 0; i < G_N_ELEMENTS (callers); i++) {
		callers[i].engine = engine;
		threads[i] = g_thread_new ("caller", call_without_pause, &callers[i]);
	}
	for (guint i = 0; i < 20; i++) {
		g_autoptr (MvPluginReload) r = NULL;

		put ("MVT_RELOAD_PLUGIN_DIR", i % 2 == 0 ? "reloadable-v2.so" : "reloadable.so");
		r = reload (engine);
		cr_assert_eq (r->outcome, MV_PLUGIN_RELOADED, "reload %u: %s", i, r->reason);
		g_usleep (5000);
	}
	for (guint i = 0; i < G_N_ELEMENTS (callers); i++) {
		g_atomic_int_set (&callers[i].stop, 1);
		g_thread_join (threads[i]);
		cr_assert_eq (callers[i].failures, 0, "%u of %u calls failed, first: %s",
			      callers[i].failures, callers[i].calls, callers[i].first_failure);
		cr_assert_gt (callers[i].calls, 20);
		g_free (callers[i].first_failure);
	}
	assert_version (engine, "1.0.0");
	metrics = mv_engine_render_metrics (engine);
	cr_assert (strstr (metrics, "medverse_plugin_reloads_total{plugin=\"reloadable\"} 20\n")
		   != NULL);
	mv_engine_shutdown (engine, 3000);
}

/* What a call answered through mv_engine_call_then() (in a worker thread). */
typedef struct {
	GMutex lock;
	gboolean done;
	gchar *version;
	gchar *error;
} Answer;

static void
answered (GVariant *output, GError *error, gpointer user_data)
{
	Answer *a = user_data;

	g_mutex_lock (&a->lock);
	if (output != NULL)
		g_variant_get (output, "(s)", &a->version);
	else
		a->error = g_strdup (error->message);
	a->done = TRUE;
	g_mutex_unlock (&a->lock);
	g_clear_pointer (&output, g_variant_unref);
	g_clear_error (&error);
}

static gboolean
is_done (gpointer data)
{
	Answer *a = data;
	gboolean done;

	g_mutex_lock (&a->lock);
	done = a->done;
	g_mutex_unlock (&a->lock);
	return done;
}

/* Runs the main context (the engine's time-limit sweep lives there) until @done or 20 s. */
static gboolean
wait_for (gboolean (*done) (gpointer), gpointer data)
{
	gint64 until = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

	while (!done (data) && g_get_monotonic_time () < until) {
		g_main_context_iteration (NULL, FALSE);
		g_usleep (5000);
	}
	return done (data);
}

static gboolean
one_running_one_waiting (gpointer data)
{
	g_auto (GStrv) busy = mv_engine_list_busy_plugins (data);
	return busy != NULL && strstr (busy[0], "1 of 1 workers busy, 1 waiting") != NULL;
}

/* With one worker: a call running and one queued behind it on 1.0.0 when 2.0.0 is switched in
 * both finish on 1.0.0 (the queued one is not dropped), and a call after the switch gets 2.0.0. */
Test (reload,
      calls_queued_and_running_finish_on_the_old_version,
      .init = setup,
      .fini = teardown,
      .timeout = 60)
{
	g_autoptr (MvEngine) engine = NULL;
	g_autoptr (MvPluginReload) r = NULL;
	g_autofree gchar *gate = g_build_filename (plugin_dir, "gate", NULL);
	Answer held = { 0 }, queued = { 0 };

	put ("MVT_RELOAD_PLUGIN_DIR", "reloadable.so");
	engine = start_engine_with ("[plugins]\nworker-threads=1\n");
	mv_engine_call_then (engine, "reloadable", "Hold", g_variant_new ("(s)", gate), &caller,
			     answered, &held);
	mv_engine_call_then (engine, "reloadable", "Version", g_variant_new ("()"), &caller,
			     answered, &queued);
	cr_assert (wait_for (one_running_one_waiting, engine), "the calls are not in place");

	put ("MVT_RELOAD_PLUGIN_DIR", "reloadable-v2.so");
	r = reload (engine);
	cr_assert_eq (r->outcome, MV_PLUGIN_RELOADED, "%s", r->reason);
	assert_version (engine, "2.0.0");

	cr_assert (g_file_set_contents (gate, "", 0, NULL));
	cr_assert (wait_for (is_done, &held) && wait_for (is_done, &queued));
	cr_assert_str_eq (held.version != NULL ? held.version : held.error, "1.0.0");
	cr_assert_str_eq (queued.version != NULL ? queued.version : queued.error, "1.0.0");
	g_unlink (gate);
	g_free (held.version);
	g_free (held.error);
	g_free (queued.version);
	g_free (queued.error);
	mv_engine_shutdown (engine, 3000);
}
