/*
 * Descriptors and memory of the HTTP front under many connections, the daemon started under
 * `ulimit -n 1024` (MvtEnv.nofile_limit), each test with a daemon of its own.  The attack this
 * answers: keep-alive connections the client closed stayed open in the daemon (CLOSE_WAIT)
 * until it ran out of descriptors and stopped answering.
 *
 * The figures measured are printed to stderr ("fds: ..."): meson keeps them in its test log.
 * Meson runs this binary alone (is_parallel: false) and Criterion one test at a time: the
 * numbers are only worth something on a machine that is not also running the other tests.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>

#include "mvt.h"

#define NOFILE 1024
#define TOTAL 20000
#define WARM_UP 2000
#define WORKERS 8
/* descriptors the daemon may hold over the warm-up figure at the end: a lazily opened database
 * connection or plugin pipe, not one per thousand connections */
#define FD_MARGIN 4
#define RSS_MARGIN_PERCENT 5
/* for the daemon to notice the last closes */
#define SETTLE_MS 2000
#define ANSWER_MS 5000
/* a daemon that stopped answering fails the test after this many, not after 20,000 time-outs */
#define MAX_FAILURES 16

static const gchar keep_alive_get[] = "GET /healthz HTTP/1.1\r\nHost: localhost\r\n"
				      "Connection: keep-alive\r\n\r\n";

static MvtEnv *current_env;

static void
fini (void)
{
	g_clear_pointer (&current_env, mvt_env_free);
}

static MvtEnv *
start_daemon_under_ulimit (void)
{
	MvtOptions options = { 0 };
	g_autoptr (GError) error = NULL;
	g_autofree gchar *limits_path = NULL;
	g_autofree gchar *limits = NULL;
	const gchar *line;
	gchar *end = NULL;
	guint64 soft, hard;

	current_env = mvt_env_new ();
	current_env->nofile_limit = NOFILE;
	mvt_env_prepare (current_env, &options);
	cr_assert (mvt_daemon_spawn (current_env, &error), "%s", error->message);
	cr_assert (mvt_daemon_wait_ready (current_env, 60000, &error), "%s", error->message);
	/* the limit is in force, or the test proves nothing: "Max open files  SOFT  HARD  files" */
	limits_path = g_strdup_printf ("/proc/%d/limits", current_env->daemon_pid);
	cr_assert (g_file_get_contents (limits_path, &limits, NULL, NULL));
	line = strstr (limits, "Max open files ");
	cr_assert_not_null (line, "%s", limits);
	soft = g_ascii_strtoull (line + strlen ("Max open files "), &end, 10);
	hard = g_ascii_strtoull (end, NULL, 10);
	cr_assert (soft == NOFILE && hard == NOFILE, "%s", limits);
	return current_env;
}

static guint
fd_count (GPid pid)
{
	g_autofree gchar *path = g_strdup_printf ("/proc/%d/fd", pid);
	g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
	guint n = 0;

	cr_assert_not_null (dir, "%s: the daemon is gone", path);
	while (g_dir_read_name (dir) != NULL)
		n++;
	return n;
}

static guint64
rss_kb (GPid pid)
{
	g_autofree gchar *path = g_strdup_printf ("/proc/%d/status", pid);
	g_autofree gchar *status = NULL;
	const gchar *line;

	cr_assert (g_file_get_contents (path, &status, NULL, NULL), "%s", path);
	line = strstr (status, "\nVmRSS:");
	cr_assert_not_null (line);
	return g_ascii_strtoull (line + strlen ("\nVmRSS:"), NULL, 10);
}

/* the fd count once it stopped falling (or @timeout_ms passed): the daemon has noticed the
 * closes it is going to notice */
static guint
settled_fd_count (GPid pid, guint target, guint timeout_ms)
{
	gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;
	guint n = fd_count (pid);

	while (n > target && g_get_monotonic_time () < deadline) {
		g_usleep (50 * 1000);
		n = fd_count (pid);
	}
	return n;
}

/* one keep-alive GET /healthz on a connection of its own, answered 200, then the client
 * closes the connection; @kept_alive (may be NULL): the daemon meant to keep it open, so the
 * close was the client's.  No Criterion assertion: it runs in the workers. */
static gboolean
one_connection (const gchar *url, gboolean *kept_alive, GError **error)
{
	g_autoptr (MvtRaw) raw = mvt_raw_connect (url, error);
	g_autoptr (MvtRawResponse) resp = NULL;

	if (raw == NULL || !mvt_raw_send (raw, keep_alive_get, -1, ANSWER_MS, error))
		return FALSE;
	resp = mvt_raw_read_response (raw, ANSWER_MS, error);
	if (resp == NULL)
		return FALSE;
	if (resp->status != 200) {
		g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "answered %u: %s", resp->status,
			     resp->body);
		return FALSE;
	}
	if (kept_alive != NULL)
		*kept_alive = mvt_raw_response_keeps_alive (resp);
	return TRUE;
}

typedef struct {
	const gchar *url;
	gint next;  /* the next connection to make, from 0 */
	gint limit; /* connections in this phase end before this one */
	gint ok;
	gint kept_alive; /* of those ok */
	gint failed;
	GMutex lock;
	gchar *first_failure;
} Load;

static gpointer
worker (gpointer data)
{
	Load *load = data;

	for (;;) {
		g_autoptr (GError) error = NULL;
		gint i = g_atomic_int_add (&load->next, 1);
		gboolean kept_alive = FALSE;

		if (i >= load->limit || g_atomic_int_get (&load->failed) >= MAX_FAILURES)
			return NULL;
		if (one_connection (load->url, &kept_alive, &error)) {
			g_atomic_int_inc (&load->ok);
			if (kept_alive)
				g_atomic_int_inc (&load->kept_alive);
			continue;
		}
		g_atomic_int_inc (&load->failed);
		g_mutex_lock (&load->lock);
		if (load->first_failure == NULL)
			load->first_failure
				= g_strdup_printf ("connection %d: %s", i, error->message);
		g_mutex_unlock (&load->lock);
	}
}

/* makes connections until @upto were made in all, WORKERS at a time */
static void
run_until (Load *load, gint upto)
{
	GThread *threads[WORKERS];

	load->next = MIN (load->next, load->limit);
	load->limit = upto;
	for (guint i = 0; i < WORKERS; i++)
		threads[i] = g_thread_new ("load", worker, load);
	for (guint i = 0; i < WORKERS; i++)
		g_thread_join (threads[i]);
	cr_assert_eq (load->failed, 0, "%d of %d connections failed; the first: %s", load->failed,
		      load->ok + load->failed, load->first_failure);
}

Test (fds, client_closed_keep_alive_connections_leak_nothing, .timeout = 240, .fini = fini)
{
	MvtEnv *env = start_daemon_under_ulimit ();
	Load load = { .url = env->url };
	guint fds_start, fds_warm, fds_end;
	guint64 rss_warm, rss_end;
	gint64 started;

	g_mutex_init (&load.lock);
	fds_start = fd_count (env->daemon_pid);
	started = g_get_monotonic_time ();
	run_until (&load, WARM_UP);
	fds_warm = settled_fd_count (env->daemon_pid, fds_start, SETTLE_MS);
	rss_warm = rss_kb (env->daemon_pid);

	run_until (&load, TOTAL);
	fds_end = settled_fd_count (env->daemon_pid, fds_warm, SETTLE_MS);
	rss_end = rss_kb (env->daemon_pid);
	g_printerr ("fds: %d of %d connections answered 200 under ulimit -n %d in %.1f s, %d of "
		    "them kept alive by the daemon until the client closed; descriptors %u at "
		    "the start, %u after %d, %u at the end; VmRSS %" G_GUINT64_FORMAT
		    " kB after %d, %" G_GUINT64_FORMAT " kB at the end (%+.1f %%)\n",
		    load.ok, TOTAL, NOFILE, (g_get_monotonic_time () - started) / 1e6,
		    load.kept_alive, fds_start, fds_warm, WARM_UP, fds_end, rss_warm, WARM_UP,
		    rss_end, 100.0 * ((gdouble)rss_end - (gdouble)rss_warm) / (gdouble)rss_warm);
	g_mutex_clear (&load.lock);
	g_free (load.first_failure);

	cr_assert_eq (load.ok, TOTAL);
	/* a daemon that closes every connection itself never meets a client's close */
	cr_assert_eq (load.kept_alive, TOTAL,
		      "%d of %d answers closed the connection (Connection: close)",
		      TOTAL - load.kept_alive, TOTAL);
	cr_assert_leq (fds_end, fds_warm + FD_MARGIN,
		       "descriptors grew from %u to %u over %d connections", fds_warm, fds_end,
		       TOTAL - WARM_UP);
	cr_assert_leq (rss_end * 100, rss_warm * (100 + RSS_MARGIN_PERCENT),
		       "VmRSS grew from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT " kB",
		       rss_warm, rss_end);
}

/* ---- more clients than descriptors ----------------------------------------------------------- */

/* opening stops after this many connections in a row got no answer: the daemon is at its limit */
#define UNANSWERED_IN_A_ROW 5
#define OPEN_AT_MOST (NOFILE + 100)
/* connections per source address (127.0.0.2, .3, ...): under max-connections-per-client, so
 * the limit reached is the descriptors' */
#define PER_SOURCE 200

/* sends @request on @raw and returns the answer (asserts one came) */
static MvtRawResponse *
answer_on (MvtRaw *raw, const gchar *request)
{
	g_autoptr (GError) error = NULL;
	MvtRawResponse *resp;

	cr_assert (mvt_raw_send (raw, request, -1, ANSWER_MS, &error), "%s", error->message);
	resp = mvt_raw_read_response (raw, ANSWER_MS, &error);
	cr_assert_not_null (resp, "%s", error->message);
	return resp;
}

Test (fds, more_clients_than_descriptors_leave_the_daemon_answering, .timeout = 240, .fini = fini)
{
	MvtEnv *env = start_daemon_under_ulimit ();
	g_autoptr (GPtrArray) held = g_ptr_array_new_with_free_func ((GDestroyNotify)mvt_raw_free);
	MvtRaw *first_served = NULL;
	guint served = 0, unanswered = 0, closed_by_daemon = 0, in_a_row = 0;
	guint fds_start, fds_end;
	gint64 deadline;
	gboolean answering = FALSE;

	fds_start = fd_count (env->daemon_pid);
	while (held->len < OPEN_AT_MOST && in_a_row < UNANSWERED_IN_A_ROW) {
		g_autofree gchar *source
			= g_strdup_printf ("127.0.0.%u", 2 + held->len / PER_SOURCE);
		MvtRaw *raw = mvt_raw_connect_from (env->url, source, NULL);
		g_autoptr (MvtRawResponse) resp = NULL;

		if (raw == NULL)
			break; /* the backlog is full too */
		g_ptr_array_add (held, raw);
		if (mvt_raw_send (raw, keep_alive_get, -1, ANSWER_MS, NULL))
			resp = mvt_raw_read_response (raw, 2000, NULL);
		if (resp != NULL && resp->status == 200) {
			served++;
			closed_by_daemon += !mvt_raw_response_keeps_alive (resp);
			in_a_row = 0;
			first_served = first_served != NULL ? first_served : raw;
		} else {
			unanswered++;
			in_a_row++;
		}
	}
	g_printerr ("fds: %u connections opened one after the other from %u addresses under "
		    "ulimit -n %d: %u served (%u of them closed by the daemon after the answer), "
		    "%u not; the daemon "
		    "held %u descriptors\n",
		    held->len, (held->len + PER_SOURCE - 1) / PER_SOURCE, NOFILE, served,
		    closed_by_daemon, unanswered, fd_count (env->daemon_pid));
	cr_assert_eq (kill (env->daemon_pid, 0), 0, "the daemon died");
	/* or no connection is held and the limit is never reached */
	cr_assert_eq (closed_by_daemon, 0, "%u keep-alive requests answered with Connection: close",
		      closed_by_daemon);
	/* most descriptors serve clients: the cap is below the limit, not far below it */
	cr_assert_geq (served, NOFILE / 2, "only %u connections were served", served);
	cr_assert_gt (unanswered, 0, "%u connections and the limit was never reached", held->len);
	/* the daemon kept descriptors for its own work: a served connection still gets /readyz,
	 * which asks the database */
	cr_assert_not_null (first_served);
	{
		g_autoptr (MvtRawResponse) ready = answer_on (
			first_served, "GET /readyz HTTP/1.1\r\nHost: localhost\r\n\r\n");
		cr_assert_eq (ready->status, 200, "/readyz with every descriptor taken: %u %s",
			      ready->status, ready->body);
	}

	g_ptr_array_set_size (held, 0);
	deadline = g_get_monotonic_time () + (gint64)(SETTLE_MS + ANSWER_MS) * 1000;
	while (!answering && g_get_monotonic_time () < deadline) {
		g_autoptr (GError) error = NULL;
		answering = one_connection (env->url, NULL, &error);
		if (!answering)
			g_usleep (100 * 1000);
	}
	cr_assert (answering, "the daemon answers no new connection after the clients left");
	fds_end = settled_fd_count (env->daemon_pid, fds_start + FD_MARGIN, SETTLE_MS);
	g_printerr ("fds: after they closed: %u descriptors (%u before)\n", fds_end, fds_start);
	cr_assert_leq (fds_end, fds_start + FD_MARGIN, "descriptors: %u before, %u after",
		       fds_start, fds_end);
}
