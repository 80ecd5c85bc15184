/* The configuration refuses what it does not know, naming the key, and applies overrides in
 * the documented order. */
#include <criterion/criterion.h>
#include <glib/gstdio.h>

#include "config.h"
#include "mv-config.h"
#include "mv-engine-private.h"
#include "mv-plugin-process.h"

static gchar *
write_conf (const gchar *text)
{
	gchar *path = NULL;
	gint fd = g_file_open_tmp ("mv-config-XXXXXX.conf", &path, NULL);
	cr_assert (fd >= 0);
	close (fd);
	cr_assert (g_file_set_contents (path, text, -1, NULL));
	return path;
}

static MvConfig *
load_text (const gchar *text, GError **error)
{
	g_autofree gchar *path = write_conf (text);
	MvConfig *config = mv_config_load (path, TRUE, NULL, error);
	g_unlink (path);
	return config;
}

Test (config, defaults_without_file)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvConfig) config
		= mv_config_load ("/nonexistent/medversed.conf", FALSE, NULL, &error);
	cr_assert_not_null (config, "%s", error ? error->message : "");
	cr_assert_str_eq (config->http_listen, "127.0.0.1:8080");
	cr_assert_eq (config->max_body_bytes, 1048576);
	cr_assert_eq (config->call_timeout_ms, 10000);
	cr_assert_eq (config->bus, MV_BUS_SYSTEM);
	cr_assert (mv_config_uses_embedded_database (config));
}

Test (config, missing_required_file)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvConfig) config
		= mv_config_load ("/nonexistent/medversed.conf", TRUE, NULL, &error);
	cr_assert_null (config);
	cr_assert (strstr (error->message, "/nonexistent/medversed.conf") != NULL);
}

Test (config, unknown_key_is_named)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvConfig) config = load_text ("[http]\nbogus=1\n", &error);
	cr_assert_null (config);
	cr_assert (strstr (error->message, "bogus") != NULL, "%s", error->message);
	cr_assert (strstr (error->message, "[http]") != NULL, "%s", error->message);
}

Test (config, unknown_group_is_named)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvConfig) config = load_text ("[htp]\nlisten=127.0.0.1:1\n", &error);
	cr_assert_null (config);
	cr_assert (strstr (error->message, "[htp]") != NULL, "%s", error->message);
}

Test (config, bad_values_are_named)
{
	const gchar *cases[][2] = {
		{ "[http]\nmax-body-bytes=lots\n", "max-body-bytes" },
		{ "[http]\nmax-body-bytes=1\n", "max-body-bytes" }, /* below the minimum */
		{ "[plugins]\ncall-timeout-ms=-5\n", "call-timeout-ms" },
		{ "[plugins]\nworker-threads=100000\n", "worker-threads" },
		{ "[daemon]\nbus=telepathy\n", "bus" },
		{ "[http]\nlisten=localhost\n", "listen" },
		{ "[http]\nlisten=127.0.0.1:99999\n", "listen" },
		{ "not a key file", "" },
	};
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr (GError) error = NULL;
		g_autoptr (MvConfig) config = load_text (cases[i][0], &error);
		cr_assert_null (config, "case %u accepted", i);
		cr_assert (strstr (error->message, cases[i][1]) != NULL, "case %u: %s", i,
			   error->message);
	}
}

Test (config, plugin_groups_are_left_to_plugins)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvConfig) config = load_text ("[plugin.bmi]\nasian-cutoffs=true\n", &error);
	cr_assert_not_null (config, "%s", error ? error->message : "");
}

Test (config, overrides_win_over_file)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *path = write_conf ("[daemon]\ndata-dir=/srv/a\nbus=session\n"
					     "[database]\nurl=host=/tmp dbname=x\n");
	const gchar *dirs[] = { "/p1", "/p2", NULL };
	MvConfigOverrides o
		= { .dev = TRUE, .data_dir = "/srv/b", .plugin_dirs = dirs, .bus = "none" };
	g_autoptr (MvConfig) config = mv_config_load (path, TRUE, &o, &error);

	g_unlink (path);
	cr_assert_not_null (config, "%s", error ? error->message : "");
	cr_assert_str_eq (config->data_dir, "/srv/b");
	cr_assert_eq (config->bus, MV_BUS_NONE);
	cr_assert_str_eq (config->plugin_dirs[1], "/p2");
	/* --dev always uses the embedded cluster */
	cr_assert (mv_config_uses_embedded_database (config));
}

Test (config, example_lists_every_key)
{
	g_autofree gchar *example = mv_config_example ();
	const gchar *keys[] = { "data-dir",
				"plugin-dirs",
				"bus",
				"shutdown-timeout-ms",
				"listen",
				"max-body-bytes",
				"call-timeout-ms",
				"worker-threads",
				"url",
				"pool-size",
				"embedded-user",
				"embedded-bindir",
				"master-key-file",
				"signing-key-file",
				"external-witness-file",
				"rate-limit-per-second",
				"rate-limit-burst",
				"address-rate-limit-per-minute",
				"address-rate-limit-burst",
				"retention-years" };
	for (guint i = 0; i < G_N_ELEMENTS (keys); i++) {
		g_autofree gchar *line = g_strdup_printf ("\n#%s=", keys[i]);
		cr_assert (strstr (example, line) != NULL, "%s missing", keys[i]);
	}
}

Test (config, retention_years_defaults_to_15_and_is_bounded)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvConfig) deflt = load_text ("", &error);
	g_autoptr (MvConfig) none = NULL;
	g_autoptr (MvConfig) too_long = NULL;

	cr_assert_not_null (deflt, "%s", error ? error->message : "");
	cr_assert_eq (deflt->records_retention_years, 15);
	none = load_text ("[records]\nretention-years=0\n", &error);
	cr_assert_not_null (none, "%s", error ? error->message : "");
	cr_assert_eq (none->records_retention_years, 0);
	too_long = load_text ("[records]\nretention-years=101\n", &error);
	cr_assert_null (too_long);
	cr_assert (strstr (error->message, "retention-years") != NULL, "%s", error->message);
}

Test (config, reload_lists_only_restart_changes)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvConfig) running = load_text ("[http]\nmax-body-bytes=4096\n"
						  "[plugin.bmi]\nasian-cutoffs=false\n",
						  &error);
	g_autoptr (MvConfig) hot = load_text ("[http]\nmax-body-bytes=1024\n"
					      "[plugins]\ncall-timeout-ms=50\n"
					      "[plugin.bmi]\nasian-cutoffs=false\n",
					      &error);
	g_autoptr (MvConfig) cold = load_text ("[http]\nmax-body-bytes=4096\nlisten=127.0.0.1:9\n"
					       "[plugins]\nworker-threads=2\n"
					       "[plugin.bmi]\nasian-cutoffs=true\n"
					       "[plugin.other]\nx=1\n",
					       &error);
	g_auto (GStrv) none = NULL;
	g_auto (GStrv) some = NULL;

	cr_assert (running != NULL && hot != NULL && cold != NULL, "%s",
		   error != NULL ? error->message : "");
	/* the two keys applied at once need no restart */
	none = mv_config_restart_changes (running, hot);
	cr_assert_eq (g_strv_length (none), 0, "unexpected: %s", none[0]);
	some = mv_config_restart_changes (running, cold);
	cr_assert_eq (g_strv_length (some), 4, "got %u entries", g_strv_length (some));
	cr_assert (g_strv_contains ((const gchar *const *)some, "[http] listen"));
	cr_assert (g_strv_contains ((const gchar *const *)some, "[plugins] worker-threads"));
	cr_assert (g_strv_contains ((const gchar *const *)some, "[plugin.bmi]"));
	cr_assert (g_strv_contains ((const gchar *const *)some, "[plugin.other]"));
}

/* Who runs isolated when the config says nothing (docs/plugin-isolation.md): the bundled
 * plugins in the daemon's own directory run in process; a third party's file in that same
 * directory (what sdk/template's package installs) or anywhere else runs isolated; the
 * environment variable overrides both ways. */
Test (config, isolation_default_follows_what_the_daemon_ships)
{
	g_unsetenv ("MEDVERSE_PLUGIN_ISOLATION");
	cr_assert_not (mv_engine_plugin_isolated_by_default (MV_PLUGINDIR "/symptom-parser.so"));
	cr_assert_not (mv_engine_plugin_isolated_by_default (MV_PLUGINDIR "/vr-recommender.so"));
	cr_assert (mv_engine_plugin_isolated_by_default (MV_PLUGINDIR "/hello.so"));
	cr_assert (mv_engine_plugin_isolated_by_default (MV_PLUGINDIR "/symptom-parser.so.bak"));
	cr_assert (mv_engine_plugin_isolated_by_default (MV_PLUGINDIR "/sub/symptom-parser.so"));
	cr_assert (mv_engine_plugin_isolated_by_default ("/opt/vendor/plugins/symptom-parser.so"));
	g_setenv ("MEDVERSE_PLUGIN_ISOLATION", "in-process", TRUE);
	cr_assert_not (mv_engine_plugin_isolated_by_default (MV_PLUGINDIR "/hello.so"));
	g_setenv ("MEDVERSE_PLUGIN_ISOLATION", "process", TRUE);
	cr_assert (mv_engine_plugin_isolated_by_default (MV_PLUGINDIR "/symptom-parser.so"));
	g_unsetenv ("MEDVERSE_PLUGIN_ISOLATION");
}

/* The [plugin.NAME] keys the daemon owns (docs/plugin-isolation.md): documented in the example,
 * defaulted as the spec says, bounded, and `isolation` only takes its two words. */
Test (config, isolation_keys_are_documented_defaulted_and_bounded)
{
	g_autofree gchar *example = mv_config_example ();
	g_autoptr (GKeyFile) keyfile = g_key_file_new ();
	g_autoptr (GError) error = NULL;
	MvIsolationConfig iso;
	const gchar *keys[] = { "isolation", "processes",   "memory-mb",     "cpu-seconds",
				"max-files", "crash-limit", "crash-window-s" };

	for (guint i = 0; i < G_N_ELEMENTS (keys); i++) {
		g_autofree gchar *line = g_strdup_printf ("\n#%s=", keys[i]);
		cr_assert (strstr (example, line) != NULL, "%s missing", keys[i]);
	}
	cr_assert (mv_isolation_config_load (NULL, "plugin.x", TRUE, &iso, &error));
	cr_assert (iso.isolated);
	cr_assert_eq (iso.processes, 2);
	cr_assert_eq (iso.memory_mb, 1024);
	cr_assert_eq (iso.cpu_seconds, 0);
	cr_assert_eq (iso.max_files, 64);
	cr_assert_eq (iso.crash_limit, 5);
	cr_assert_eq (iso.crash_window_s, 300);

	cr_assert (g_key_file_load_from_data (keyfile,
					      "[plugin.x]\nisolation=in-process\nprocesses=4\n"
					      "memory-mb=256\ncrash-limit=2\n",
					      -1, G_KEY_FILE_NONE, NULL));
	cr_assert (mv_isolation_config_load (keyfile, "plugin.x", TRUE, &iso, &error));
	cr_assert_not (iso.isolated);
	cr_assert_eq (iso.processes, 4);
	cr_assert_eq (iso.memory_mb, 256);
	cr_assert_eq (iso.crash_limit, 2);

	g_key_file_set_string (keyfile, "plugin.x", "processes", "65");
	cr_assert_not (mv_isolation_config_load (keyfile, "plugin.x", TRUE, &iso, &error));
	cr_assert (strstr (error->message, "[plugin.x] processes") != NULL, "%s", error->message);
	g_clear_error (&error);

	g_key_file_set_string (keyfile, "plugin.x", "processes", "2");
	g_key_file_set_string (keyfile, "plugin.x", "isolation", "sandbox");
	cr_assert_not (mv_isolation_config_load (keyfile, "plugin.x", FALSE, &iso, &error));
	cr_assert (strstr (error->message, "[plugin.x] isolation") != NULL, "%s", error->message);
}

/* Limits a host cannot start with are refused when the config is read, naming the key (the
 * stranger's trial: max-files 1-7 and memory-mb 8 were accepted and the plugin failed later
 * with messages naming no key); 0 still means no limit. */
Test (config, isolation_limits_below_a_host_start_refused)
{
	const gchar *bad[][2] = { { "max-files", "1" },
				  { "max-files", "7" },
				  { "memory-mb", "8" },
				  { "memory-mb", "31" } };
	const gchar *good[][2] = { { "max-files", "8" },
				   { "max-files", "0" },
				   { "memory-mb", "32" },
				   { "memory-mb", "0" } };

	for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
		g_autoptr (GKeyFile) keyfile = g_key_file_new ();
		g_autoptr (GError) error = NULL;
		g_autofree gchar *needle
			= g_strdup_printf ("[plugin.x] %s: %s is below", bad[i][0], bad[i][1]);
		MvIsolationConfig iso;

		g_key_file_set_string (keyfile, "plugin.x", bad[i][0], bad[i][1]);
		cr_assert_not (mv_isolation_config_load (keyfile, "plugin.x", TRUE, &iso, &error),
			       "%s=%s accepted", bad[i][0], bad[i][1]);
		cr_assert (strstr (error->message, needle) != NULL, "%s", error->message);
	}
	for (guint i = 0; i < G_N_ELEMENTS (good); i++) {
		g_autoptr (GKeyFile) keyfile = g_key_file_new ();
		g_autoptr (GError) error = NULL;
		MvIsolationConfig iso;

		g_key_file_set_string (keyfile, "plugin.x", good[i][0], good[i][1]);
		cr_assert (mv_isolation_config_load (keyfile, "plugin.x", TRUE, &iso, &error),
			   "%s=%s: %s", good[i][0], good[i][1], error->message);
	}
}

/* A typo in $MEDVERSE_PLUGIN_ISOLATION is an error naming the variable and both values, not
 * a silent fall back to the default. */
Test (config, isolation_env_typo_refused)
{
	const gchar *typos[] = { "inprocess", "yes", "Process" };
	MvIsolationConfig iso;

	for (guint i = 0; i < G_N_ELEMENTS (typos); i++) {
		g_autoptr (GError) error = NULL;

		g_setenv ("MEDVERSE_PLUGIN_ISOLATION", typos[i], TRUE);
		cr_assert_not (mv_isolation_config_load (NULL, "plugin.x", TRUE, &iso, &error),
			       "%s accepted", typos[i]);
		cr_assert (strstr (error->message, "MEDVERSE_PLUGIN_ISOLATION") != NULL, "%s",
			   error->message);
		cr_assert (strstr (error->message, "neither process nor in-process") != NULL, "%s",
			   error->message);
	}
	g_setenv ("MEDVERSE_PLUGIN_ISOLATION", "in-process", TRUE);
	cr_assert (mv_isolation_config_load (NULL, "plugin.x", TRUE, &iso, NULL));
	g_unsetenv ("MEDVERSE_PLUGIN_ISOLATION");
}
