/*
 * The daemon's lifecycle, each test with a daemon of its own: SIGTERM with requests in flight,
 * SIGHUP, sd_notify, the --dev operator key, and config errors that stop it before it opens a
 * socket.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mvt.h"

static const gchar *const good_plugins[] = { "sleepy.so", NULL };

/* the daemon of the running test; freed by fini() whether the test passed or not, since a
 * failed assertion leaves the test function without running its cleanups */
static MvtEnv *current_env;

static void
fini (void)
{
	g_clear_pointer (&current_env, mvt_env_free);
}

static MvtEnv *
start_daemon (const gchar *config)
{
	MvtOptions options = { .good_plugins = good_plugins, .config = config };
	g_autoptr (GError) error = NULL;
	MvtEnv *env = mvt_env_new ();

	mvt_env_prepare (env, &options);
	cr_assert (mvt_bus_start (env, &error), "%s", error != NULL ? error->message : "");
	cr_assert (mvt_daemon_spawn (env, &error), "%s", error != NULL ? error->message : "");
	current_env = env;
	return env;
}

/* A call held open in sleepy.Hold until the test lets it go: in flight for as long as the test
 * needs, however slow the machine (see tests/plugins/good/sleepy.c). */
typedef struct {
	const gchar *url;
	gchar *gate;
	guint status;
	gchar *error;
} Held;

static void
held_init (Held *held, MvtEnv *env, guint i)
{
	g_autofree gchar *name = g_strdup_printf ("gate-%u", i);
	held->url = env->url;
	held->gate = g_build_filename (env->root, name, NULL);
}

static gpointer
hold_call (gpointer data)
{
	Held *held = data;
	g_autoptr (GError) error = NULL;
	g_autofree gchar *body = g_strdup_printf ("{\"gate\":\"%s\"}", held->gate);
	/* no Criterion assertions off the test's main thread */
	g_autoptr (MvtResponse) resp = mvt_http_try (held->url, "POST", "/v1/plugins/sleepy/Hold",
						     "application/json", body, -1, &error);

	if (resp == NULL) {
		held->error = g_strdup (error->message);
		return NULL;
	}
	held->status = resp->status;
	if (resp->status != 200)
		held->error = g_strdup (resp->body);
	return NULL;
}

/* waits until the held call is running in the plugin */
static void
assert_held (Held *held)
{
	g_autofree gchar *started = g_strconcat (held->gate, ".started", NULL);
	cr_assert (mvt_wait_for_file (started, 60000), "the call never reached the plugin: %s",
		   held->error != NULL ? held->error : "no answer yet");
}

static void
release (Held *held)
{
	cr_assert (g_file_set_contents (held->gate, "", 0, NULL), "cannot create %s", held->gate);
}

/* polls until the daemon answers @path with something else than 200; that answer */
static MvtResponse *
first_refusal (MvtEnv *env, const gchar *path)
{
	gint64 deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;
	for (;;) {
		MvtResponse *resp = mvt_http (env->url, "GET", path, NULL, NULL, -1);
		if (resp->status != 200 || g_get_monotonic_time () > deadline)
			return resp;
		mvt_response_free (resp);
		g_usleep (20 * 1000);
	}
}

Test (lifecycle, sigterm_with_requests_in_flight, .timeout = 120, .fini = fini)
{
	/* no limit the test could reach: the calls end when the test lets them go */
	MvtEnv *env = start_daemon ("[plugins]\ncall-timeout-ms=600000\n"
				    "[daemon]\nshutdown-timeout-ms=600000\n");
	g_autoptr (GError) error = NULL;
	Held reqs[3] = { { 0 } };
	GThread *threads[3];
	g_autoptr (MvtResponse) late = NULL;

	cr_assert (mvt_daemon_wait_ready (env, 60000, &error), "%s", error->message);
	for (guint i = 0; i < G_N_ELEMENTS (reqs); i++) {
		held_init (&reqs[i], env, i);
		threads[i] = g_thread_new ("in-flight", hold_call, &reqs[i]);
	}
	for (guint i = 0; i < G_N_ELEMENTS (reqs); i++)
		assert_held (&reqs[i]);
	mvt_daemon_term (env);
	/* while those drain, a new request is told the daemon is going away (and to reconnect
	 * elsewhere), not queued behind them nor dropped */
	late = first_refusal (env, "/v1/plugins");
	mvt_assert_error (late, 503, "unavailable");
	cr_assert_not_null (strstr (mvt_error_message (late), "shutting down"), "%s", late->body);
	for (guint i = 0; i < G_N_ELEMENTS (reqs); i++)
		release (&reqs[i]);
	for (guint i = 0; i < G_N_ELEMENTS (reqs); i++) {
		g_thread_join (threads[i]);
		cr_assert_eq (reqs[i].status, 200, "request %u in flight at SIGTERM: %u %s", i,
			      reqs[i].status, reqs[i].error != NULL ? reqs[i].error : "");
		g_free (reqs[i].error);
		g_free (reqs[i].gate);
	}
	cr_assert (mvt_daemon_stop (env, &error), "%s", error != NULL ? error->message : "");
}

Test (lifecycle, sigterm_idle_cleans_up, .timeout = 90, .fini = fini)
{
	MvtEnv *env = start_daemon (NULL);
	g_autoptr (GError) error = NULL;
	g_autofree gchar *pid_path = g_build_filename (env->data_dir, "pg", "postmaster.pid", NULL);

	cr_assert (mvt_daemon_wait_ready (env, 60000, &error), "%s", error->message);
	cr_assert (env->postmaster_pid > 0, "no embedded PostgreSQL found at %s", pid_path);
	cr_assert (mvt_daemon_stop (env, &error), "%s", error != NULL ? error->message : "");
	cr_assert_not (g_file_test (pid_path, G_FILE_TEST_EXISTS),
		       "postmaster.pid left behind after a clean stop");
}

Test (lifecycle, sigterm_after_connection_without_request, .timeout = 90, .fini = fini)
{
	/* a client that connects and goes away without a word (a port scan, a load balancer's
	 * health check, a benchmark tool stopping) is not a request in flight: were it one, the
	 * ten-minute drain below would hold the daemon past mvt_daemon_stop()'s 30 s */
	MvtEnv *env = start_daemon ("[daemon]\nshutdown-timeout-ms=600000\n");
	g_autoptr (GError) error = NULL;
	g_autoptr (GSocketClient) client = g_socket_client_new ();
	g_autoptr (GSocketConnection) conn = NULL;
	g_autoptr (GUri) uri = NULL;

	cr_assert (mvt_daemon_wait_ready (env, 60000, &error), "%s", error->message);
	uri = g_uri_parse (env->url, G_URI_FLAGS_NONE, &error);
	cr_assert_not_null (uri, "%s", error->message);
	conn = g_socket_client_connect_to_host (client, g_uri_get_host (uri), g_uri_get_port (uri),
						NULL, &error);
	cr_assert_not_null (conn, "%s", error->message);
	/* (the daemon may or may not have accepted it yet: either way it must not wait for it) */
	g_usleep (100 * 1000);
	cr_assert (g_io_stream_close (G_IO_STREAM (conn), NULL, &error), "%s", error->message);
	g_usleep (100 * 1000);
	cr_assert (mvt_daemon_stop (env, &error), "%s", error != NULL ? error->message : "");
}

Test (lifecycle, sigterm_drain_is_bounded, .timeout = 90, .fini = fini)
{
	/* a call that would never end (held until the test lets it go, with no time limit to
	 * reach) does not hold the daemon past shutdown-timeout-ms: it stops within
	 * mvt_daemon_stop()'s 30 s */
	MvtEnv *env = start_daemon (
		"[daemon]\nshutdown-timeout-ms=1000\n[plugins]\ncall-timeout-ms=600000\n");
	g_autoptr (GError) error = NULL;
	Held req = { 0 };
	GThread *thread;

	cr_assert (mvt_daemon_wait_ready (env, 60000, &error), "%s", error->message);
	held_init (&req, env, 0);
	thread = g_thread_new ("held", hold_call, &req);
	assert_held (&req);
	cr_assert (mvt_daemon_stop (env, &error), "%s", error != NULL ? error->message : "");
	g_thread_join (thread);
	cr_assert_neq (req.status, 200, "the held call was answered as if it had finished");
	g_free (req.error);
	g_free (req.gate);
}

/* alive and not a zombie (an orphan's zombie may never be reaped in a container) */
static gboolean
process_running (gint pid)
{
	g_autofree gchar *path = g_strdup_printf ("/proc/%d/stat", pid);
	g_autofree gchar *stat = NULL;
	const gchar *close_paren;

	if (!g_file_get_contents (path, &stat, NULL, NULL))
		return FALSE;
	close_paren = strrchr (stat, ')');
	return close_paren != NULL && close_paren[1] == ' ' && close_paren[2] != 'Z'
	       && close_paren[2] != 'X';
}

Test (lifecycle, restart_after_sigkill, .timeout = 120, .fini = fini)
{
	/* a crashed daemon leaves http.url behind, and its PostgreSQL stopping on its own (it gets
	 * SIGQUIT when the daemon dies): the next start on the same data dir waits for it or stops
	 * what is left of it, and serves */
	MvtEnv *env = start_daemon (NULL);
	g_autoptr (GError) error = NULL;
	g_autoptr (MvtResponse) resp = NULL;
	g_autofree gchar *first_url = NULL;
	g_autofree gchar *url_path = g_build_filename (env->data_dir, "http.url", NULL);
	gint first_postmaster;

	cr_assert (mvt_daemon_wait_ready (env, 60000, &error), "%s", error->message);
	first_url = g_steal_pointer (&env->url);
	first_postmaster = env->postmaster_pid;
	cr_assert_gt (first_postmaster, 0);
	kill (env->daemon_pid, SIGKILL);
	cr_assert (mvt_daemon_wait_exit (env, 10000));

	/* the harness would take the stale http.url for the new daemon's */
	g_unlink (url_path);
	cr_assert (mvt_daemon_spawn (env, &error), "%s", error->message);
	cr_assert (mvt_daemon_wait_ready (env, 60000, &error), "%s", error->message);
	cr_assert_neq (env->postmaster_pid, first_postmaster,
		       "the crashed daemon's PostgreSQL (pid %d) is still the one in use",
		       first_postmaster);
	resp = mvt_http (env->url, "GET", "/readyz", NULL, NULL, 0);
	cr_assert_eq (resp->status, 200, "%s", resp->body);
	cr_assert (mvt_daemon_stop (env, &error), "%s", error != NULL ? error->message : "");
	cr_assert_not (process_running (first_postmaster), "the first PostgreSQL is still running");
}

Test (lifecycle, readyz_503_when_database_down, .timeout = 150, .fini = fini)
{
	MvtEnv *env = start_daemon (NULL);
	g_autoptr (GError) error = NULL;
	g_autoptr (MvtResponse) health = NULL;
	g_autofree gchar *line = NULL;
	MvtResponse *ready = NULL;
	gint64 deadline;

	cr_assert (mvt_daemon_wait_ready (env, 60000, &error), "%s", error->message);
	ready = mvt_http (env->url, "GET", "/readyz", NULL, NULL, 0);
	cr_assert_eq (ready->status, 200, "%s", ready->body);
	mvt_response_free (ready);

	/* PostgreSQL's fast shutdown, as an operator or the OOM killer might cause */
	cr_assert_gt (env->postmaster_pid, 0);
	cr_assert_eq (kill (env->postmaster_pid, SIGINT), 0);
	deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;
	for (;;) {
		ready = mvt_http (env->url, "GET", "/readyz", NULL, NULL, 0);
		if (ready->status != 200 || g_get_monotonic_time () > deadline)
			break;
		mvt_response_free (ready);
		g_usleep (100 * 1000);
	}
	mvt_assert_error (ready, 503, "unavailable");
	mvt_response_free (ready);
	/* alive, though not ready */
	health = mvt_http (env->url, "GET", "/healthz", NULL, NULL, 0);
	cr_assert_eq (health->status, 200, "%s", health->body);
	/* the embedded cluster is the daemon's child: it starts it again, and is ready again */
	line = mvt_log_wait_line (env->log_path, "embedded PostgreSQL is running again", 60000);
	cr_assert_not_null (line, "the daemon did not start its PostgreSQL again");
	deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;
	for (;;) {
		ready = mvt_http (env->url, "GET", "/readyz", NULL, NULL, 0);
		if (ready->status == 200 || g_get_monotonic_time () > deadline)
			break;
		mvt_response_free (ready);
		g_usleep (100 * 1000);
	}
	cr_assert_eq (ready->status, 200, "%s", ready->body);
	mvt_response_free (ready);
	cr_assert (mvt_daemon_stop (env, &error), "%s", error != NULL ? error->message : "");
}

/* a bmi call whose body is @size bytes (JSON padded with spaces) */
static MvtResponse *
post_padded_bmi (MvtEnv *env, gsize size)
{
	g_autoptr (GString) body = g_string_new ("{\"weight_kg\":70,\"height_cm\":175");
	while (body->len + 1 < size)
		g_string_append_c (body, ' ');
	g_string_append_c (body, '}');
	return mvt_http (env->url, "POST", "/v1/plugins/bmi/Compute", "application/json", body->str,
			 -1);
}

/* A generic D-Bus Call whose input is a @size-byte string: the daemon checks the size before
 * anything else, so the error says whether the input limit let it through. */
static gboolean
dbus_call_is_too_large (MvtEnv *env, gsize size)
{
	g_autoptr (GDBusConnection) bus = mvt_dbus_connect (env->bus_address);
	g_autofree gchar *text = g_strnfill (size, 'x');
	g_autoptr (GError) error = NULL;
	g_autoptr (GVariant) reply = g_dbus_connection_call_sync (
		bus, "org.medverse.Health1", "/org/medverse/Health1", "org.medverse.Health1",
		"Call", g_variant_new ("(ssv)", "bmi", "Compute", g_variant_new_string (text)),
		NULL, G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);

	cr_assert_null (reply, "a string is not bmi's input, yet the call succeeded");
	return error != NULL && strstr (error->message, "over the limit") != NULL;
}

Test (lifecycle, sighup_applies_limits_and_names_restart_keys, .timeout = 90, .fini = fini)
{
	MvtEnv *env
		= start_daemon ("[http]\nmax-body-bytes=4096\n[plugins]\ncall-timeout-ms=20000\n");
	g_autoptr (GError) error = NULL;
	g_autoptr (MvtResponse) before = NULL;
	g_autoptr (MvtResponse) slow_before = NULL;
	g_autoptr (MvtResponse) after = NULL;
	g_autoptr (MvtResponse) small = NULL;
	g_autoptr (MvtResponse) slow_after = NULL;
	g_autofree gchar *line = NULL;

	cr_assert (mvt_daemon_wait_ready (env, 60000, &error), "%s", error->message);
	before = post_padded_bmi (env, 2000);
	cr_assert_eq (before->status, 200, "2000 bytes under a 4096 limit: %s", before->body);
	cr_assert_not (dbus_call_is_too_large (env, 2000), "D-Bus: 2000 bytes under a 4096 limit");
	slow_before = mvt_http (env->url, "POST", "/v1/plugins/sleepy/Sleep", "application/json",
				"{\"ms\":600}", -1);
	cr_assert_eq (slow_before->status, 200, "%s", slow_before->body);

	/* lower both limits that apply at once, and change a key that needs a restart */
	cr_assert (g_file_set_contents (env->config_path,
					"[http]\nmax-body-bytes=1024\n"
					"[plugins]\ncall-timeout-ms=200\nworker-threads=2\n",
					-1, &error),
		   "%s", error != NULL ? error->message : "");
	cr_assert_eq (kill (env->daemon_pid, SIGHUP), 0);
	line = mvt_log_wait_line (env->log_path, "reload:", 60000);
	cr_assert_not_null (line, "no reload line in the log 60 s after SIGHUP:\n%s",
			    mvt_read_log (env));
	cr_assert (strstr (line, "[plugins] worker-threads") != NULL
			   && strstr (line, "need a restart") != NULL,
		   "the reload line should name the key that needs a restart: %s", line);
	{
		/* the keys applied at once are named before "changes to", never after it */
		const gchar *restart = strstr (line, "changes to ");
		cr_assert_not_null (restart, "%s", line);
		cr_assert_null (strstr (restart, "max-body-bytes"), "%s", line);
		cr_assert_null (strstr (restart, "call-timeout-ms"), "%s", line);
	}

	after = post_padded_bmi (env, 2000);
	mvt_assert_error (after, 413, "too-large");
	cr_assert (dbus_call_is_too_large (env, 2000), "D-Bus: the reloaded 1024-byte limit");
	small = post_padded_bmi (env, 500);
	cr_assert_eq (small->status, 200, "500 bytes under the new 1024 limit: %s", small->body);
	slow_after = mvt_http (env->url, "POST", "/v1/plugins/sleepy/Sleep", "application/json",
			       "{\"ms\":600}", -1);
	mvt_assert_error (slow_after, 504, "timed-out");
	cr_assert (mvt_daemon_stop (env, &error), "%s", error != NULL ? error->message : "");
}

/* waits for @state (e.g. "READY=1") from the daemon itself; every datagram seen is appended
 * to @seen as "pid: text" */
static gboolean
wait_for_state (MvtEnv *env, MvtNotify *notify, const gchar *state, guint timeout_ms, GString *seen)
{
	gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;

	while (g_get_monotonic_time () < deadline) {
		gint pid = -1;
		g_autofree gchar *text = mvt_notify_receive (notify, 100, &pid);
		g_auto (GStrv) lines = NULL;

		if (text == NULL) {
			if (mvt_daemon_wait_exit (env, 0))
				return FALSE;
			continue;
		}
		g_string_append_printf (seen, "%d: %s\n", pid, text);
		lines = g_strsplit (text, "\n", -1);
		if (pid == env->daemon_pid && g_strv_contains ((const gchar *const *)lines, state))
			return TRUE;
	}
	return FALSE;
}

Test (lifecycle, sd_notify_ready_and_stopping, .timeout = 120, .fini = fini)
{
	MvtOptions options = { .good_plugins = good_plugins };
	g_autoptr (GError) error = NULL;
	g_autoptr (GString) seen = g_string_new (NULL);
	g_autoptr (MvtResponse) ready = NULL;
	g_autofree gchar *others = NULL;
	g_autoptr (MvtNotify) notify = NULL;
	MvtEnv *env;

	if (g_strcmp0 (mvt_getenv ("MVT_HAVE_SYSTEMD"), "1") != 0)
		cr_skip_test ("medversed was built without libsystemd (-Dsystemd=disabled)");
	env = mvt_env_new ();
	current_env = env;
	mvt_env_prepare (env, &options);
	env->notify_socket = g_build_filename (env->root, "notify", NULL);
	/* the sender's pid tells the daemon's notifications from anyone else's */
	notify = mvt_notify_new (env->notify_socket);

	cr_assert (mvt_bus_start (env, &error), "%s", error != NULL ? error->message : "");
	cr_assert (mvt_daemon_spawn (env, &error), "%s", error != NULL ? error->message : "");
	cr_assert (wait_for_state (env, notify, "READY=1", 60000, seen),
		   "no READY=1 from medversed (pid %d); received:\n%s\nlog:\n%s", env->daemon_pid,
		   seen->str, mvt_read_log (env));
	/* READY=1 means serving: http.url is there and the database is ready, no waiting */
	cr_assert (mvt_daemon_wait_ready (env, 0, &error), "READY=1 before http.url: %s",
		   error->message);
	ready = mvt_http (env->url, "GET", "/readyz", NULL, NULL, 0);
	cr_assert_eq (ready->status, 200, "READY=1 sent while /readyz answers %u: %s",
		      ready->status, ready->body);

	mvt_daemon_term (env);
	cr_assert (wait_for_state (env, notify, "STOPPING=1", 30000, seen),
		   "no STOPPING=1 from medversed after SIGTERM; received:\n%s", seen->str);
	cr_assert (mvt_daemon_stop (env, &error), "%s", error != NULL ? error->message : "");
	/* what is still queued came before the socket was closed */
	for (;;) {
		gint pid = -1;
		g_autofree gchar *text = mvt_notify_receive (notify, 0, &pid);
		if (text == NULL)
			break;
		g_string_append_printf (seen, "%d: %s\n", pid, text);
	}
	/* under systemd only the main process may speak for the service (NotifyAccess=main) */
	others = g_strdup (seen->str);
	{
		g_auto (GStrv) lines = g_strsplit (others, "\n", -1);
		g_autofree gchar *prefix = g_strdup_printf ("%d: ", env->daemon_pid);
		for (guint i = 0; lines[i] != NULL; i++) {
			if (lines[i][0] == '\0' || !g_ascii_isdigit (lines[i][0]))
				continue; /* the continuation of a multi-line datagram */
			cr_assert (g_str_has_prefix (lines[i], prefix),
				   "a notification not from medversed (pid %d): %s\nall:\n%s",
				   env->daemon_pid, lines[i], seen->str);
		}
	}
}

/* the effective uid of a running process */
static gint
process_euid (gint pid)
{
	g_autofree gchar *path = g_strdup_printf ("/proc/%d/status", pid);
	g_autofree gchar *status = NULL;
	const gchar *line;
	guint real, effective;

	if (!g_file_get_contents (path, &status, NULL, NULL))
		return -1;
	line = strstr (status, "\nUid:");
	if (line == NULL || sscanf (line, "\nUid:%u%u", &real, &effective) != 2)
		return -1;
	return (gint)effective;
}

static gsize
count_substrings (const gchar *haystack, const gchar *needle)
{
	gsize n = 0;
	for (const gchar *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
		n++;
	return n;
}

Test (lifecycle, dev_operator_key_0600_and_kept, .timeout = 150, .fini = fini)
{
	MvtEnv *env = start_daemon (NULL);
	g_autoptr (GError) error = NULL;
	g_autofree gchar *path = g_build_filename (env->data_dir, "operator.key", NULL);
	g_autofree gchar *first = NULL;
	g_autofree gchar *second = NULL;
	g_autofree gchar *log = NULL;
	struct stat st1, st2;
	gint euid;

	cr_assert (mvt_daemon_wait_ready (env, 60000, &error), "%s", error->message);
	euid = process_euid (env->daemon_pid);
	cr_assert_geq (euid, 0, "cannot read the daemon's uid");
	cr_assert_eq (stat (path, &st1), 0, "%s: %s", path, g_strerror (errno));
	cr_assert (S_ISREG (st1.st_mode), "%s is not a regular file", path);
	cr_assert_eq (st1.st_mode & 07777, 0600, "%s has mode %04o, expected 0600", path,
		      (guint)(st1.st_mode & 07777));
	cr_assert_eq (st1.st_uid, (uid_t)euid, "%s is owned by uid %u, the daemon runs as %d", path,
		      (guint)st1.st_uid, euid);
	cr_assert (g_file_get_contents (path, &first, NULL, &error), "%s", error->message);
	cr_assert (g_regex_match_simple ("^mvop_[0-9a-f]{64}\n$", first, 0, 0),
		   "operator.key does not hold one mvop_ key (%zu bytes)", strlen (first));
	cr_assert (mvt_daemon_stop (env, &error), "%s", error != NULL ? error->message : "");

	/* a second start on the same data dir keeps the key the operator may already use */
	cr_assert (mvt_daemon_spawn (env, &error), "%s", error->message);
	cr_assert (mvt_daemon_wait_ready (env, 60000, &error), "%s", error->message);
	cr_assert_eq (stat (path, &st2), 0, "%s: %s", path, g_strerror (errno));
	cr_assert (g_file_get_contents (path, &second, NULL, &error), "%s", error->message);
	cr_assert_str_eq (second, first, "the second start replaced the operator key");
	cr_assert_eq (st2.st_ino, st1.st_ino, "operator.key was rewritten (new inode)");
	cr_assert (st2.st_mtim.tv_sec == st1.st_mtim.tv_sec
			   && st2.st_mtim.tv_nsec == st1.st_mtim.tv_nsec,
		   "operator.key was rewritten (new mtime)");
	cr_assert_eq (st2.st_mode & 07777, 0600, "mode after the second start: %04o",
		      (guint)(st2.st_mode & 07777));
	cr_assert_eq (st2.st_uid, st1.st_uid);
	cr_assert (mvt_daemon_stop (env, &error), "%s", error != NULL ? error->message : "");
	log = mvt_read_log (env);
	cr_assert_eq (count_substrings (log, "wrote a new operator key"), 1,
		      "expected one \"wrote a new operator key\" line over two starts:\n%s", log);
}

/* starts a daemon with @config (bmi.so is always in its plugin dir) and expects it to refuse
 * it: non-zero exit within a few seconds, the offending key named on stderr, no HTTP socket,
 * and no PostgreSQL ever started (not merely stopped again: a bad key must cost nothing) */
static void
assert_config_refused (const gchar *config, const gchar *key)
{
	MvtEnv *env = start_daemon (config);
	g_autoptr (GError) error = NULL;
	g_autofree gchar *url_path = g_build_filename (env->data_dir, "http.url", NULL);
	g_autofree gchar *pg_dir = g_build_filename (env->data_dir, "pg", NULL);
	g_autofree gchar *log = NULL;
	g_autofree gchar *postgres_seen = NULL;
	gboolean url_seen = FALSE;
	gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

	while (!mvt_daemon_wait_exit (env, 10)) {
		url_seen = url_seen || g_file_test (url_path, G_FILE_TEST_EXISTS);
		if (postgres_seen == NULL)
			postgres_seen = mvt_find_postgres (env);
		cr_assert_lt (g_get_monotonic_time (), deadline,
			      "medversed still running 10 s after a bad config");
	}
	log = mvt_read_log (env);
	cr_assert (WIFEXITED (env->daemon_status) && WEXITSTATUS (env->daemon_status) != 0,
		   "medversed must exit non-zero on a bad config (wait status 0x%x):\n%s",
		   env->daemon_status, log);
	cr_assert_not (url_seen, "http.url appeared: a socket was opened");
	cr_assert_not (g_file_test (url_path, G_FILE_TEST_EXISTS), "http.url left behind");
	cr_assert_not_null (strstr (log, key), "stderr does not name \"%s\":\n%s", key, log);
	cr_assert_null (postgres_seen, "PostgreSQL was started for a daemon with a bad config:\n%s",
			postgres_seen);
	/* initdb would have made it: catches a cluster that came and went between two polls */
	cr_assert_not (g_file_test (pg_dir, G_FILE_TEST_EXISTS),
		       "%s was created: the embedded cluster was set up before the config was "
		       "checked",
		       pg_dir);
	cr_assert (mvt_no_postgres_left (env, 2000, &error), "%s", error->message);
}

Test (config, unknown_key, .timeout = 30, .fini = fini)
{
	assert_config_refused ("[http]\nbogus=1\n", "bogus");
}

Test (config, unknown_group, .timeout = 30, .fini = fini)
{
	assert_config_refused ("[htttp]\nlisten=127.0.0.1:0\n", "htttp");
}

Test (config, bad_value, .timeout = 30, .fini = fini)
{
	assert_config_refused ("[plugins]\ncall-timeout-ms=soon\n", "call-timeout-ms");
}

Test (config, unknown_plugin_key, .timeout = 30, .fini = fini)
{
	/* bmi declares asian-cutoffs only */
	assert_config_refused ("[plugin.bmi]\ncolour=blue\n", "colour");
}

Test (config, bad_plugin_value, .timeout = 30, .fini = fini)
{
	assert_config_refused ("[plugin.bmi]\nasian-cutoffs=perhaps\n", "asian-cutoffs");
}

Test (config, bad_plugin_key_of_second_plugin, .timeout = 30, .fini = fini)
{
	/* sleepy loads after bmi: the error still stops the daemon before any database */
	assert_config_refused ("[plugin.sleepy]\nspeed=fast\n", "speed");
}
