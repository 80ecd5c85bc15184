/*
 * The daemon harness of tests/lib: a private D-Bus bus and the real medversed in a temp dir, and
 * a real D-Bus client (GDBus).  The HTTP client is mvt-http.h, the token and key files
 * mvt-token.h.
 *
 * Criterion runs every test in a process of its own, re-executed from the test binary: state
 * in memory set up in main() is not seen by the tests, the environment is.  mvt_main() starts
 * the bus and the daemon once per binary, exports where they are through MVT_* environment
 * variables, runs the tests and stops everything; a test reads the variables through
 * mvt_shared_*().  A test that needs a daemon of its own (lifecycle, config errors) uses
 * mvt_env_new()/mvt_daemon_start() directly.
 *
 * Waiting: nothing here assumes how fast a busy machine is.  Every wait polls for the event
 * (a file, a log line, a process gone) up to a deadline meant to be reached only on failure.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Everything one daemon run lives in: a temp dir with the bus socket, the data dir, the plugin
 * dir, the config file and the daemon's log. */
typedef struct {
	gchar *root;
	gchar *data_dir;
	gchar *plugin_dir;
	gchar *config_path;
	gchar *log_path;
	gchar *bus_address;
	GPid bus_pid;
	GPid daemon_pid;
	gint daemon_status; /* waitpid status once it exited */
	gboolean daemon_exited;
	gboolean term_sent; /* SIGTERM was sent: mvt_daemon_stop() does not send another */
	gint postmaster_pid;
	gchar *url;
	/* NOTIFY_SOCKET for the daemon; NULL: unset, as outside systemd */
	gchar *notify_socket;
	/* further NAME=VALUE entries for the daemon's environment (e.g. WATCHDOG_USEC); NULL:
	 * none */
	gchar **daemon_env;
	/* started without --dev, as in production: the key files must be there already */
	gboolean production;
	/* > 0: the daemon's RLIMIT_NOFILE, soft and hard (`ulimit -n`), set before it starts */
	guint nofile_limit;
} MvtEnv;

/* what a test binary's shared daemon is made of */
typedef struct {
	/* file names from the good plugin build dir, NULL terminated; bmi.so always comes too */
	const gchar *const *good_plugins;
	/* file names from the bad plugin build dir, NULL terminated */
	const gchar *const *bad_plugins;
	/* written as the daemon's config file; may be NULL */
	const gchar *config;
	/* extra files made in the plugin dir at test time: corrupt.so, bmi-copy.so */
	gboolean add_corrupt;
	gboolean add_duplicate;
	/* absolute paths of further plugins to copy in, NULL terminated */
	const gchar *const *extra_plugins;
} MvtOptions;

MvtEnv *mvt_env_new (void);
void mvt_env_free (MvtEnv *env);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvtEnv, mvt_env_free)

/* fills the plugin dir and writes the config */
void mvt_env_prepare (MvtEnv *env, const MvtOptions *options);
gboolean mvt_bus_start (MvtEnv *env, GError **error);
void mvt_bus_stop (MvtEnv *env);
/* spawns medversed; does not wait */
gboolean mvt_daemon_spawn (MvtEnv *env, GError **error);
/* waits until <data-dir>/http.url appears (TRUE, env->url set) or the daemon exits or the
 * timeout passes (FALSE with @error set).  From then on mvt_http() to env->url sends the
 * daemon's --dev operator key by default (mvt-http.h). */
gboolean mvt_daemon_wait_ready (MvtEnv *env, guint timeout_ms, GError **error);
/* waits for the daemon to exit on its own; FALSE on time-out */
gboolean mvt_daemon_wait_exit (MvtEnv *env, guint timeout_ms);
/* sends SIGTERM once */
void mvt_daemon_term (MvtEnv *env);
/* SIGTERM (unless sent already), wait, then check: exit status 0, http.url removed, no postgres
 * left under root */
gboolean mvt_daemon_stop (MvtEnv *env, GError **error);
/* the postgres processes that belong to @env (command line naming env->root, working directory
 * in its cluster, or the recorded postmaster and its children), as "pid cmdline" lines; NULL if
 * there are none */
gchar *mvt_find_postgres (MvtEnv *env);
/* TRUE when no postgres process whose command line names env->root (or the recorded
 * postmaster and its children) remains, after waiting up to @grace_ms */
gboolean mvt_no_postgres_left (MvtEnv *env, guint grace_ms, GError **error);
gchar *mvt_read_log (MvtEnv *env);

/* main() of a test binary with one shared daemon; exits 77 (meson's SKIP) when tests were
 * skipped and none failed */
int mvt_main (int argc, char **argv, const MvtOptions *options);

/* what the tests of such a binary see */
const gchar *mvt_shared_url (void);
const gchar *mvt_shared_bus_address (void);
const gchar *mvt_shared_data_dir (void);
gchar *mvt_shared_log (void);
/* polls the shared log until it contains @needle: the whole log, or NULL when @timeout_ms
 * passed without it */
gchar *mvt_shared_log_wait_for (const gchar *needle, guint timeout_ms) G_GNUC_WARN_UNUSED_RESULT;
/* polls the log at @log_path until a line contains @needle: that line, or NULL after
 * @timeout_ms */
gchar *mvt_log_wait_line (const gchar *log_path,
			  const gchar *needle,
			  guint timeout_ms) G_GNUC_WARN_UNUSED_RESULT;
/* the same on the shared daemon's log */
gchar *mvt_shared_log_line (const gchar *needle, guint timeout_ms) G_GNUC_WARN_UNUSED_RESULT;

/* polls @done (every 10 ms) until it returns TRUE or @timeout_ms passed; TRUE when it did */
gboolean mvt_wait_until (gboolean (*done) (gpointer data), gpointer data, guint timeout_ms);
/* waits until @path exists; TRUE when it does within @timeout_ms */
gboolean mvt_wait_for_file (const gchar *path, guint timeout_ms);

/* the test plugin build dirs and the SDK's bmi.so, from the meson test environment */
const gchar *mvt_getenv (const gchar *name);

/* D-Bus */
GDBusConnection *mvt_dbus_connect (const gchar *address);
/* runs the built medversectl (MEDVERSECTL) with `--bus session` on the bus at @bus_address;
 * returns its exit status (-1 if it did not exit), its stdout in @out and stderr in @err */
gint
mvt_run_medversectl (const gchar *bus_address, const gchar *const *args, gchar **out, gchar **err);

G_END_DECLS
