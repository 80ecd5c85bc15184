/*
 * medversed — the Medverse daemon.
 *
 * Start-up order matters: the configuration is validated before anything else (a bad key stops
 * the daemon before it opens a socket); the plugins are loaded next, because their [plugin.NAME]
 * groups can only be checked against what each plugin declares, and plugins are pure computation
 * that need no database, so a mistake there costs no PostgreSQL start; then the database is
 * brought up and migrated; HTTP and D-Bus open last, and <data-dir>/http.url is written only once
 * both serve, so a supervisor or a test can wait for it.
 */
#define G_LOG_DOMAIN "medversed"

#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <medverse/mv-error.h>
#include <sodium.h>
#include <unistd.h>
#if MV_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "audit/mv-audit-log.h"
#include "auth/mv-auth.h"
#include "mv-build-paths.h"
#include "mv-config.h"
#include "mv-crash.h"
#include "mv-db.h"
#include "mv-dbus-patient.h"
#include "mv-dbus.h"
#include "mv-engine.h"
#include "mv-http.h"
#include "mv-log-limit.h"
#include "mv-memory.h"
#include "mv-migrate.h"
#include "mv-modules.h"
#include "mv-openapi.h"
#include "mv-pg-embedded.h"
#include "mv-services.h"
#include "mv-watchdog.h"

typedef struct {
	MvConfig *config;
	const gchar *config_path;
	gboolean config_required;
	MvConfigOverrides overrides;
	GMainLoop *loop;
	MvPgEmbedded *pg;
	MvDb *db;
	MvServices *services; /* borrowed from the engine, which owns them */
	gchar *sql_dir;
	MvEngine *engine;
	MvHttp *http;
	MvDbus *dbus;
	MvWatchdog *watchdog;
	MvMemoryTrimmer *trimmer;
	gchar *url_file;
	gboolean stopping;
	guint pg_supervisor;	   /* source id; 0: no embedded cluster */
	guint pg_backoff_s;	   /* 0 while the cluster runs */
	gint64 pg_next_attempt_us; /* monotonic */
} Daemon;

static void
notify (const gchar *state)
{
#if MV_HAVE_SYSTEMD
	sd_notify (0, state);
#else
	(void)state;
#endif
}

static gchar *
find_sql_dir (void)
{
	const gchar *env = g_getenv ("MEDVERSE_SQL_DIR");
	if (env != NULL && env[0] != '\0')
		return g_strdup (env);
	/* an uninstalled build runs against the source tree's migrations */
	if (!g_file_test (MV_SQLDIR, G_FILE_TEST_IS_DIR)
	    && g_file_test (MV_SOURCE_SQLDIR, G_FILE_TEST_IS_DIR))
		return g_strdup (MV_SOURCE_SQLDIR);
	return g_strdup (MV_SQLDIR);
}

static gboolean
prepare_data_dir (Daemon *d, GError **error)
{
	const gchar *dir = d->config->data_dir;
	/* root's data dir must be traversable by the embedded cluster's unprivileged user;
	 * the secrets inside stay 0600 */
	int mode = (getuid () == 0 && mv_config_uses_embedded_database (d->config)) ? 0711 : 0700;

	if (g_mkdir_with_parents (dir, mode) != 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "cannot create data dir %s: %s", dir,
			     g_strerror (errno));
		return FALSE;
	}
	if (mode == 0711 && g_chmod (dir, mode) != 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "cannot chmod data dir %s: %s", dir,
			     g_strerror (errno));
		return FALSE;
	}
	return TRUE;
}

/* --dev: an operator key the developer can use straight away.  Only a hash of it will be
 * stored once keys are in the database; the file itself is the only plaintext copy. */
static gboolean
ensure_operator_key (Daemon *d, GError **error)
{
	g_autofree gchar *path = g_build_filename (d->config->data_dir, "operator.key", NULL);
	guint8 raw[32];
	gchar hex[sizeof raw * 2 + 1];
	g_autofree gchar *contents = NULL;

	if (g_file_test (path, G_FILE_TEST_EXISTS))
		return TRUE;
	randombytes_buf (raw, sizeof raw);
	sodium_bin2hex (hex, sizeof hex, raw, sizeof raw);
	sodium_memzero (raw, sizeof raw);
	contents = g_strdup_printf ("mvop_%s\n", hex);
	sodium_memzero (hex, sizeof hex);
	if (!g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
				       error)) {
		sodium_memzero (contents, strlen (contents));
		return FALSE;
	}
	sodium_memzero (contents, strlen (contents));
	g_message ("wrote a new operator key to %s (mode 0600)", path);
	return TRUE;
}

#define PG_RESTART_MAX_BACKOFF_S 8

/* The embedded postmaster is our child and nothing else restarts it: a PANIC it cannot
 * recover from (a full disk refuses the WAL it writes at the end of crash recovery, and it
 * shuts down) or a kill would leave the daemon without a database until a restart.  Checked
 * every second; while starting fails (the disk is still full) the attempts back off to every
 * PG_RESTART_MAX_BACKOFF_S.  An attempt runs in the main thread, which the cluster's
 * parent-death signal is tied to (mv-pg-embedded.h), and blocks it as long as PostgreSQL takes
 * to start or to fail: well under a second on a full disk, longer for a long crash recovery. */
static gboolean
supervise_database (gpointer user_data)
{
	static MvLogLimit limit;
	Daemon *d = user_data;
	gint64 now = g_get_monotonic_time ();
	g_autoptr (GError) error = NULL;
	g_autofree gchar *suffix = NULL;

	if (d->stopping || mv_pg_embedded_is_running (d->pg)) {
		d->pg_backoff_s = 0;
		return G_SOURCE_CONTINUE;
	}
	if (now < d->pg_next_attempt_us)
		return G_SOURCE_CONTINUE;
	if (mv_pg_embedded_start (d->pg, &error)) {
		g_message ("embedded PostgreSQL is running again");
		mv_log_limit_reset (&limit);
		d->pg_backoff_s = 0;
		return G_SOURCE_CONTINUE;
	}
	d->pg_backoff_s = CLAMP (d->pg_backoff_s * 2, 1, PG_RESTART_MAX_BACKOFF_S);
	d->pg_next_attempt_us = now + (gint64)d->pg_backoff_s * G_USEC_PER_SEC;
	if (mv_log_limit_take (&limit, &suffix))
		g_warning (
			"embedded PostgreSQL did not start again (retrying, at least every %u s): "
			"%s%s",
			PG_RESTART_MAX_BACKOFF_S, error->message, suffix);
	return G_SOURCE_CONTINUE;
}

static gboolean
start_database (Daemon *d, GError **error)
{
	const gchar *conninfo = d->config->database_url;
	PGconn *conn;
	gboolean ok;

	if (mv_config_uses_embedded_database (d->config)) {
		d->pg = mv_pg_embedded_new (d->config->data_dir, d->config->embedded_bindir,
					    d->config->embedded_user);
		if (!mv_pg_embedded_start (d->pg, error)) {
			g_prefix_error (error, "embedded PostgreSQL: ");
			return FALSE;
		}
		conninfo = mv_pg_embedded_get_conninfo (d->pg);
	}
	d->db = mv_db_new (conninfo, d->config->pool_size, error);
	if (d->db == NULL)
		return FALSE;
	/* a server that is still booting (systemd starts us alongside it) gets 30 s */
	if (!mv_db_wait_reachable (d->db, 30000, error)) {
		g_prefix_error (error, "database: ");
		return FALSE;
	}
	conn = mv_db_acquire (d->db, 30000, error);
	if (conn == NULL) {
		g_prefix_error (error, "database: ");
		return FALSE;
	}
	ok = mv_migrate_apply (conn, d->sql_dir, error);
	mv_db_release (d->db, conn);
	if (ok && d->pg != NULL)
		d->pg_supervisor = g_timeout_add_seconds (1, supervise_database, d);
	return ok;
}

static gboolean
write_url_file (Daemon *d, GError **error)
{
	const gchar *url = d->http != NULL ? mv_http_get_url (d->http) : "";
	g_autofree gchar *contents = g_strdup_printf ("%s\n", url);

	d->url_file = g_build_filename (d->config->data_dir, "http.url", NULL);
	return g_file_set_contents_full (d->url_file, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT,
					 0644, error);
}

static gboolean
on_stop_signal (gpointer user_data)
{
	Daemon *d = user_data;
	if (d->stopping) {
		g_message ("already stopping");
		return G_SOURCE_CONTINUE;
	}
	d->stopping = TRUE;
	g_message ("stopping: no new requests, finishing those in flight");
	notify ("STOPPING=1");
	g_main_loop_quit (d->loop);
	return G_SOURCE_CONTINUE;
}

/* SIGHUP reloads the plugins too (medversectl plugins reload, for every plugin), off the main
 * loop: a plugin's start may take seconds.  The engine logs each plugin's outcome. */
static void
reload_plugins_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GPtrArray) results = mv_engine_reload_plugins (source, NULL, &error);
	guint counts[3] = { 0 };

	if (results == NULL) {
		g_warning ("reload: plugins not reloaded: %s", error->message);
		return;
	}
	for (guint i = 0; i < results->len; i++)
		counts[((MvPluginReload *)g_ptr_array_index (results, i))->outcome]++;
	g_message ("reload: plugins: %u reloaded, %u unchanged, %u kept their old version",
		   counts[MV_PLUGIN_RELOADED], counts[MV_PLUGIN_UNCHANGED],
		   counts[MV_PLUGIN_KEPT_OLD]);
}

static gboolean
on_reload_signal (gpointer user_data)
{
	Daemon *d = user_data;
	g_autoptr (GError) error = NULL;
	g_autoptr (MvConfig) fresh = NULL;
	g_auto (GStrv) pending = NULL;

	notify ("RELOADING=1");
	fresh = mv_config_load (d->config_path, d->config_required, &d->overrides, &error);
	if (fresh == NULL) {
		g_warning ("reload refused, keeping the running configuration: %s", error->message);
		notify ("READY=1");
		return G_SOURCE_CONTINUE;
	}
	mv_engine_reconfigure (d->engine, fresh);
	if (d->http != NULL)
		mv_http_reconfigure (d->http, fresh);
	if (d->dbus != NULL)
		mv_dbus_set_limits (d->dbus, fresh->max_body_bytes, fresh->max_response_bytes);
	/* compared with the configuration the daemon started with, which stays in use for
	 * everything else: a change made in an earlier reload is still pending */
	pending = mv_config_restart_changes (d->config, fresh);
	if (pending[0] != NULL) {
		g_autofree gchar *keys = g_strjoinv (", ", pending);
		g_message ("reload: applied [http] max-body-bytes, [http] max-response-bytes and "
			   "[plugins] call-timeout-ms; "
			   "changes to %s need a restart",
			   keys);
	} else {
		g_message ("reload: configuration applied");
	}
	{
		g_autoptr (GTask) task = g_task_new (d->engine, NULL, NULL, NULL);
		g_task_run_in_thread (task, reload_plugins_thread);
	}
	notify ("READY=1");
	return G_SOURCE_CONTINUE;
}

static gboolean
drain_tick (gpointer user_data)
{
	return G_SOURCE_CONTINUE;
}

/* Waits, serving, until nothing is in flight or the shutdown time limit passes. */
static void
drain (Daemon *d)
{
	gint64 deadline = g_get_monotonic_time () + (gint64)d->config->shutdown_timeout_ms * 1000;
	GMainContext *context = g_main_context_default ();

	guint tick;

	if (d->http != NULL)
		mv_http_stop_accepting (d->http);
	/* a blocking iteration must still wake up to notice the deadline */
	tick = g_timeout_add (50, drain_tick, NULL);
	while (g_get_monotonic_time () < deadline
	       && (mv_engine_get_in_flight (d->engine) > 0
		   || (d->http != NULL && mv_http_get_active (d->http) > 0)
		   || (d->services != NULL
		       && mv_auth_get_running_admin_calls (d->services->auth) > 0)
		   || mv_dbus_patient_get_running (d->engine) > 0))
		g_main_context_iteration (context, TRUE);
	g_source_remove (tick);
	/* let the last responses be written out */
	while (g_main_context_iteration (context, FALSE))
		;
	if (mv_engine_get_in_flight (d->engine) > 0)
		g_warning ("%u call(s) still in flight after %u ms; exiting anyway",
			   mv_engine_get_in_flight (d->engine), d->config->shutdown_timeout_ms);
}

static void
stop_everything (Daemon *d)
{
	g_autoptr (GError) error = NULL;

	/* a route handler still running after the drain (blocked on the database) uses the
	 * router, auth, the services, the signer and the pool: those stay in place until the
	 * process exits; stopping the database below makes its query fail and the worker end */
	guint workers
		= (d->http != NULL ? mv_http_get_running_workers (d->http) : 0)
		  + (d->services != NULL ? mv_auth_get_running_admin_calls (d->services->auth) : 0)
		  + (d->engine != NULL ? mv_dbus_patient_get_running (d->engine) : 0);

	g_clear_pointer (&d->watchdog, mv_watchdog_free);
	g_clear_pointer (&d->trimmer, mv_memory_trimmer_free);
	if (d->pg_supervisor != 0)
		g_clear_handle_id (&d->pg_supervisor, g_source_remove);
	if (d->url_file != NULL)
		g_unlink (d->url_file);
	g_clear_pointer (&d->url_file, g_free);
	g_clear_pointer (&d->dbus, mv_dbus_free);
	if (workers > 0) {
		g_warning ("%u request(s) still running after the drain; exiting without "
			   "waiting for them",
			   workers);
		mv_http_close (d->http);
	} else {
		g_clear_pointer (&d->http, mv_http_free);
	}
	if (d->engine != NULL)
		mv_engine_shutdown (d->engine, d->config->shutdown_timeout_ms);
	if (workers == 0) {
		d->services = NULL;
		/* the engine frees the services with it */
		g_clear_object (&d->engine);
		g_clear_pointer (&d->db, mv_db_free);
	}
	if (d->pg != NULL && !mv_pg_embedded_stop (d->pg, &error))
		g_warning ("embedded PostgreSQL did not stop cleanly: %s", error->message);
	g_clear_pointer (&d->pg, mv_pg_embedded_free);
}

static gboolean
start (Daemon *d, GError **error)
{
	g_autofree gchar *operator_key_path
		= g_build_filename (d->config->data_dir, "operator.key", NULL);

	g_autofree gchar *stale_url = NULL;

	/* before any side effect: a bad [plugin.NAME] group is a configuration error like any
	 * other, and must stop the daemon before it touches the data dir or starts PostgreSQL */
	d->engine = mv_engine_new (d->config);
	if (!mv_engine_load_plugins (d->engine, error)) {
		g_prefix_error (error, "configuration: ");
		return FALSE;
	}
	if (!prepare_data_dir (d, error))
		return FALSE;
	/* left behind by a daemon that was killed: whoever waits for it must not get a dead port */
	stale_url = g_build_filename (d->config->data_dir, "http.url", NULL);
	g_unlink (stale_url);
	if (d->overrides.dev && !ensure_operator_key (d, error))
		return FALSE;
	if (!start_database (d, error))
		return FALSE;
	d->services = mv_services_new (d->config, d->db, d->overrides.dev, error);
	if (d->services == NULL)
		return FALSE;
	mv_engine_set_services (d->engine, d->services);
	if (!mv_auth_start (d->services->auth, operator_key_path, error))
		return FALSE;
	mv_engine_set_database (d->engine, d->db, d->sql_dir);
	if (d->config->http_listen != NULL && d->config->http_listen[0] != '\0') {
		d->http = mv_http_new (d->engine, d->config);
		mv_modules_register_http (d->http, d->engine);
		if (!mv_http_start (d->http, error))
			return FALSE;
	}
	d->dbus = mv_dbus_new (d->engine, d->config->max_body_bytes, d->config->max_response_bytes);
	mv_modules_register_dbus (d->dbus, d->engine);
	if (!mv_dbus_start (d->dbus, d->config->bus, error))
		return FALSE;
	return write_url_file (d, error);
}

/* HTTP requests still in flight keep the memory trimmer waiting */
static gboolean
http_busy (gpointer user_data)
{
	Daemon *d = user_data;
	return d->http != NULL && mv_http_get_active (d->http) > 0;
}

/* --print-openapi: the API document of this build with the plugins of the plugin dirs.  Loads
 * the plugins and nothing else: no data dir, database, key or config file (unless one is named
 * with --config or MEDVERSE_CONFIG), so the build can run it. */
static int
print_openapi (const gchar *config_path, const MvConfigOverrides *overrides)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvConfig) config = NULL;
	g_autoptr (MvEngine) engine = NULL;
	g_autoptr (GPtrArray) routes = NULL;
	g_autoptr (GPtrArray) plugins = NULL;
	g_autoptr (JsonNode) document = NULL;
	g_autofree gchar *text = NULL;

	/* stdout carries the document and nothing else */
	g_log_writer_default_set_use_stderr (TRUE);
	config = mv_config_load (config_path, config_path != NULL, overrides, &error);
	if (config == NULL) {
		g_printerr ("medversed: configuration: %s\n", error->message);
		return 1;
	}
	engine = mv_engine_new (config);
	if (!mv_engine_load_plugins (engine, &error)) {
		g_printerr ("medversed: configuration: %s\n", error->message);
		return 1;
	}
	routes = mv_modules_all_routes ();
	plugins = mv_engine_get_plugins (engine);
	document = mv_openapi_build (routes, plugins, MV_VERSION);
	text = mv_openapi_to_text (document);
	fputs (text, stdout);
	mv_engine_shutdown (engine, config->shutdown_timeout_ms);
	return fflush (stdout) == 0 ? 0 : 1;
}

int
main (int argc, char **argv)
{
	Daemon d = { 0 };
	gboolean version = FALSE, print_example = FALSE, print_api = FALSE;
	g_autofree gchar *config_path = NULL;
	g_autofree gchar *data_dir = NULL;
	g_autofree gchar *http = NULL;
	g_autofree gchar *bus = NULL;
	g_auto (GStrv) plugin_dirs = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (GOptionContext) context = NULL;
	const GOptionEntry entries[] = {
		{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path,
		  "Configuration file (default " MV_SYSCONFDIR "/medversed.conf)", "FILE" },
		{ "dev", 0, 0, G_OPTION_ARG_NONE, &d.overrides.dev,
		  "Development mode: embedded PostgreSQL, operator key in the data dir", NULL },
		{ "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &data_dir, "State directory", "DIR" },
		{ "http", 0, 0, G_OPTION_ARG_STRING, &http,
		  "HTTP listen address (port 0: any free)", "ADDR:PORT" },
		{ "plugin-dir", 'p', 0, G_OPTION_ARG_FILENAME_ARRAY, &plugin_dirs,
		  "Plugin directory (repeatable; replaces the configured ones)", "DIR" },
		{ "bus", 0, 0, G_OPTION_ARG_STRING, &bus, "D-Bus bus: system, session or none",
		  "BUS" },
		{ "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit",
		  NULL },
		{ "print-config-example", 0, 0, G_OPTION_ARG_NONE, &print_example,
		  "Print a commented configuration file with every key and exit", NULL },
		{ "print-openapi", 0, 0, G_OPTION_ARG_NONE, &print_api,
		  "Print the OpenAPI document with the plugins of the plugin dirs and exit", NULL },
		{ NULL },
	};

	/* before anything else: it may run the program again with another environment */
	mv_memory_prepare (argv);
	/* first: a crash from here on is reported with the plugin call it happened in */
	mv_crash_install_handlers ();
	setlocale (LC_ALL, "");
	context = g_option_context_new ("- the Medverse health-data daemon");
	g_option_context_add_main_entries (context, entries, NULL);
	if (!g_option_context_parse (context, &argc, &argv, &error)) {
		g_printerr ("medversed: %s\n", error->message);
		return 2;
	}
	if (version) {
		g_print ("medversed %s (plugin ABI %d)\n", MV_VERSION, MV_PLUGIN_ABI_VERSION);
		return 0;
	}
	if (print_example) {
		g_autofree gchar *example = mv_config_example ();
		g_print ("%s", example);
		return 0;
	}
	if (print_api) {
		d.overrides.plugin_dirs = (const gchar *const *)plugin_dirs;
		if (config_path == NULL && g_getenv ("MEDVERSE_CONFIG") != NULL)
			config_path = g_strdup (g_getenv ("MEDVERSE_CONFIG"));
		return print_openapi (config_path, &d.overrides);
	}
	if (sodium_init () < 0) {
		g_printerr ("medversed: libsodium failed to initialise\n");
		return 1;
	}

	/* --dev without a data dir keeps its state per user, never in a system directory */
	if (d.overrides.dev && data_dir == NULL && g_getenv ("MEDVERSE_DATA_DIR") == NULL) {
		/* root's home is closed to the embedded cluster's unprivileged user */
		data_dir = getuid () == 0 ? g_strdup ("/var/lib/medverse-dev")
					  : g_build_filename (g_get_user_state_dir (),
							      "medverse-dev", NULL);
	}
	if (d.overrides.dev && bus == NULL)
		bus = g_strdup (g_getenv ("DBUS_SESSION_BUS_ADDRESS") != NULL ? "session" : "none");
	d.overrides.data_dir = data_dir;
	d.overrides.http_listen = http;
	d.overrides.plugin_dirs = (const gchar *const *)plugin_dirs;
	d.overrides.bus = bus;
	d.config_required = config_path != NULL || g_getenv ("MEDVERSE_CONFIG") != NULL;
	if (config_path == NULL)
		config_path = g_strdup (g_getenv ("MEDVERSE_CONFIG") != NULL
						? g_getenv ("MEDVERSE_CONFIG")
						: MV_SYSCONFDIR "/medversed.conf");
	d.config_path = config_path;
	d.config = mv_config_load (config_path, d.config_required, &d.overrides, &error);
	if (d.config == NULL) {
		g_printerr ("medversed: configuration: %s\n", error->message);
		return 1;
	}
	d.sql_dir = find_sql_dir ();
	d.loop = g_main_loop_new (NULL, FALSE);
	g_unix_signal_add (SIGTERM, on_stop_signal, &d);
	g_unix_signal_add (SIGINT, on_stop_signal, &d);
	g_unix_signal_add (SIGHUP, on_reload_signal, &d);

	g_message ("medversed %s starting, data dir %s", MV_VERSION, d.config->data_dir);
	if (!start (&d, &error)) {
		g_printerr ("medversed: %s\n", error->message);
		stop_everything (&d);
		mv_config_free (d.config);
		return 1;
	}
	g_message ("ready%s%s", d.http != NULL ? " at " : "",
		   d.http != NULL ? mv_http_get_url (d.http) : "");
	notify ("READY=1");
	d.watchdog = mv_watchdog_start (d.engine);
	d.trimmer = mv_memory_trimmer_start (d.engine, http_busy, &d);
	g_main_loop_run (d.loop);

	drain (&d);
	stop_everything (&d);
	g_main_loop_unref (d.loop);
	g_free (d.sql_dir);
	mv_config_free (d.config);
	g_message ("stopped");
	return 0;
}
