/* The embedded PostgreSQL launcher against real PostgreSQL binaries, one throwaway cluster per
 * test.  These tests run as root on CI, which exercises the unprivileged-user path. */
#include <criterion/criterion.h>
#include <glib/gstdio.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <medverse/mv-error.h>

#include "mv-storage-test.h"

static MvPgEmbedded *pg;
static gchar *dir;

static void
teardown (void)
{
	mvt_cluster_destroy (&pg, &dir);
}

TestSuite (pg_embedded, .fini = teardown, .timeout = 60);

static gchar *
socket_dir (void)
{
	return g_build_filename (dir, "pg-socket", NULL);
}

Test (pg_embedded, first_start_stop_and_reuse)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *sock = NULL;
	g_autofree gchar *value = NULL;
	PGconn *conn;
	GPid first_pid;
	GStatBuf st;

	pg = mvt_cluster_start (&dir);
	cr_assert (mv_pg_embedded_get_initialized (pg), "first start must run initdb");
	first_pid = mv_pg_embedded_get_pid (pg);
	cr_assert_gt (first_pid, 0);

	/* the socket directory guards trust authentication: private to the cluster user */
	sock = socket_dir ();
	cr_assert_eq (g_stat (sock, &st), 0);
	cr_assert_eq (st.st_mode & 0777, 0700, "socket dir mode %o", st.st_mode & 0777);
	if (geteuid () == 0)
		cr_assert_neq (st.st_uid, 0, "as root, the cluster must run as another user");

	conn = mvt_connect (pg);
	value = mvt_query_value (conn, "SELECT current_user || '/' || current_database()");
	cr_assert_str_eq (value, "medverse/medverse");
	g_free (value);
	value = mvt_query_value (conn, "SHOW listen_addresses");
	cr_assert_str_eq (value, "", "no TCP listener expected, got '%s'", value);
	PQclear (PQexec (conn, "CREATE TABLE kept (x int)"));
	PQfinish (conn);

	cr_assert (mv_pg_embedded_stop (pg, &error), "%s", error ? error->message : "");
	cr_assert_eq (mv_pg_embedded_get_pid (pg), 0);
	cr_assert (mvt_pid_gone (first_pid), "postmaster %d still alive after stop", first_pid);
	cr_assert_eq (mvt_count_cluster_processes (mv_pg_embedded_get_cluster_dir (pg)), 0);

	/* second start, from a new object as after a daemon restart: no initdb, data kept */
	g_clear_pointer (&pg, mv_pg_embedded_free);
	pg = mv_pg_embedded_new (dir, NULL, NULL);
	cr_assert (mv_pg_embedded_start (pg, &error), "%s", error ? error->message : "");
	cr_assert_not (mv_pg_embedded_get_initialized (pg), "second start must reuse the cluster");
	conn = mvt_connect (pg);
	g_free (value);
	value = mvt_query_value (conn, "SELECT to_regclass('kept')::text");
	cr_assert_str_eq (value, "kept");
	PQfinish (conn);
	first_pid = mv_pg_embedded_get_pid (pg);
	cr_assert (mv_pg_embedded_stop (pg, &error), "%s", error ? error->message : "");
	cr_assert (mvt_pid_gone (first_pid));
	cr_assert_eq (mvt_count_cluster_processes (mv_pg_embedded_get_cluster_dir (pg)), 0);
}

Test (pg_embedded, stale_postmaster_pid_after_kill9)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *value = NULL;
	PGconn *conn;
	GPid killed;

	pg = mvt_cluster_start (&dir);
	conn = mvt_connect (pg);
	PQclear (PQexec (conn, "CREATE TABLE survived (x int); INSERT INTO survived VALUES (7)"));
	/* the open session's backend (and the auxiliary processes) outlive the postmaster */
	killed = mv_pg_embedded_get_pid (pg);
	cr_assert_eq (kill (killed, SIGKILL), 0);
	for (guint i = 0; i < 500 && !mvt_pid_gone (killed); i++)
		g_usleep (10000);
	cr_assert (mvt_pid_gone (killed));

	/* start again: our dead child is reaped, its orphans waited for, the pid file removed */
	cr_assert (mv_pg_embedded_start (pg, &error), "%s", error ? error->message : "");
	cr_assert_neq (mv_pg_embedded_get_pid (pg), killed);
	cr_assert_not (mv_pg_embedded_get_initialized (pg));
	PQfinish (conn);
	conn = mvt_connect (pg);
	value = mvt_query_value (conn, "SELECT x FROM survived");
	cr_assert_str_eq (value, "7", "committed data must survive the crash");
	PQfinish (conn);
	cr_assert (mv_pg_embedded_stop (pg, &error), "%s", error ? error->message : "");
}

Test (pg_embedded, stale_postmaster_pid_of_reused_pid)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *pidfile = NULL;
	g_autofree gchar *contents = NULL;

	pg = mvt_cluster_start (&dir);
	cr_assert (mv_pg_embedded_stop (pg, &error), "%s", error ? error->message : "");

	/* as after a reboot: postmaster.pid names a pid now used by an unrelated process
	 * (pid 1), which postgres alone would take for a running postmaster */
	pidfile = g_build_filename (mv_pg_embedded_get_cluster_dir (pg), "postmaster.pid", NULL);
	contents = g_strdup_printf ("1\n%s\n0\n5432\n\n\n0 0\n",
				    mv_pg_embedded_get_cluster_dir (pg));
	cr_assert (g_file_set_contents (pidfile, contents, -1, &error), "%s",
		   error ? error->message : "");
	cr_assert (mv_pg_embedded_start (pg, &error), "%s", error ? error->message : "");
	cr_assert_neq (mv_pg_embedded_get_pid (pg), 1);
}

Test (pg_embedded, orphaned_postmaster_of_crashed_daemon)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvPgEmbedded) other = NULL;
	g_autofree gchar *pidfile = NULL;
	g_autofree gchar *contents = NULL;
	GPid child;
	GPid orphan;
	gint status = 0;

	dir = mvt_tmpdir ();
	/* a "daemon" that starts the cluster and dies without stopping it.  The postmaster gets
	 * SIGQUIT when it dies (cluster_stops_when_its_daemon_is_killed); holding it stopped
	 * keeps it alive, as when the next daemon starts before the last one's cluster has
	 * finished going away, or when the cluster comes from a daemon without that signal. */
	child = fork ();
	cr_assert_geq (child, 0);
	if (child == 0) {
		MvPgEmbedded *crashing = mv_pg_embedded_new (dir, NULL, NULL);
		GPid postmaster;
		if (!mv_pg_embedded_start (crashing, NULL))
			_exit (1);
		postmaster = mv_pg_embedded_get_pid (crashing);
		kill (postmaster, SIGSTOP);
		_exit (waitpid (postmaster, &status, WUNTRACED) == postmaster && WIFSTOPPED (status)
			       ? 0
			       : 2);
	}
	cr_assert_eq (waitpid (child, &status, 0), child);
	cr_assert (WIFEXITED (status) && WEXITSTATUS (status) == 0, "the crashing daemon failed");

	pg = mv_pg_embedded_new (dir, NULL, NULL);
	pidfile = g_build_filename (mv_pg_embedded_get_cluster_dir (pg), "postmaster.pid", NULL);
	cr_assert (g_file_get_contents (pidfile, &contents, NULL, NULL));
	orphan = atoi (contents);
	cr_assert_gt (orphan, 1);
	cr_assert_not (mvt_pid_gone (orphan), "the orphaned postmaster should be running");

	/* while one daemon holds the cluster, a second one is refused */
	cr_assert (mv_pg_embedded_start (pg, &error), "%s", error ? error->message : "");
	cr_assert (mvt_pid_gone (orphan), "the orphaned postmaster %d must be stopped", orphan);
	cr_assert_neq (mv_pg_embedded_get_pid (pg), orphan);
	PQfinish (mvt_connect (pg));

	other = mv_pg_embedded_new (dir, NULL, NULL);
	cr_assert_not (mv_pg_embedded_start (other, &error));
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_FAILED));
	cr_assert (strstr (error->message, "in use by another process") != NULL, "%s",
		   error->message);
	cr_assert_not (mvt_pid_gone (mv_pg_embedded_get_pid (pg)), "the refused start must not "
								   "touch the running cluster");
}

Test (pg_embedded, cluster_stops_when_its_daemon_is_killed)
{
	g_autofree gchar *cluster = NULL;
	GPid child;
	GPid postmaster = 0;
	gint status = 0;
	gint fds[2];
	gint64 deadline;

	dir = mvt_tmpdir ();
	cluster = g_build_filename (dir, "pg", NULL);
	cr_assert_eq (pipe (fds), 0);
	/* a "daemon" that starts the cluster, says which postmaster it has, and is killed: no
	 * handler, no atexit, nothing of ours runs */
	child = fork ();
	cr_assert_geq (child, 0);
	if (child == 0) {
		MvPgEmbedded *daemon = mv_pg_embedded_new (dir, NULL, NULL);
		close (fds[0]);
		if (!mv_pg_embedded_start (daemon, NULL))
			_exit (1);
		postmaster = mv_pg_embedded_get_pid (daemon);
		if (write (fds[1], &postmaster, sizeof postmaster) != sizeof postmaster)
			_exit (2);
		raise (SIGKILL);
	}
	close (fds[1]);
	cr_assert_eq (read (fds[0], &postmaster, sizeof postmaster), sizeof postmaster,
		      "the daemon did not start its cluster");
	close (fds[0]);
	cr_assert_eq (waitpid (child, &status, 0), child);
	cr_assert (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);

	/* the kernel sends the postmaster its parent-death signal; it takes its children along */
	deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
	while ((!mvt_pid_gone (postmaster) || mvt_count_cluster_processes (cluster) > 0)
	       && g_get_monotonic_time () < deadline)
		g_usleep (20 * G_TIME_SPAN_MILLISECOND);
	if (!mvt_pid_gone (postmaster)) {
		kill (postmaster, SIGQUIT); /* the test fails; leave nothing running */
		cr_assert_fail ("postmaster %d outlived its daemon by 10 s", (gint)postmaster);
	}
	cr_assert_eq (mvt_count_cluster_processes (cluster), 0,
		      "processes of the cluster outlived their daemon by 10 s");

	/* and the next daemon starts on the same data directory (crash recovery) */
	pg = mv_pg_embedded_new (dir, NULL, NULL);
	cr_assert (mv_pg_embedded_start (pg, NULL));
	PQfinish (mvt_connect (pg));
}

/* The path a daemon running as an ordinary user takes: everything runs as that user. */
Test (pg_embedded, as_unprivileged_user)
{
	struct passwd *pw = getpwnam ("postgres");
	GPid child;
	gint status = 0;

	if (geteuid () != 0 || pw == NULL)
		cr_skip_test ("needs root and a postgres user to switch to");
	dir = mvt_tmpdir ();
	cr_assert_eq (chown (dir, pw->pw_uid, pw->pw_gid), 0);
	child = fork ();
	cr_assert_geq (child, 0);
	if (child == 0) {
		g_autoptr (MvPgEmbedded) own = NULL;
		g_autoptr (GError) error = NULL;
		GPid pid;
		PGconn *conn;
		if (setgid (pw->pw_gid) != 0 || setuid (pw->pw_uid) != 0)
			_exit (2);
		own = mv_pg_embedded_new (dir, NULL, "nobody-ignored-when-not-root");
		if (!mv_pg_embedded_start (own, &error)) {
			g_printerr ("%s\n", error->message);
			_exit (3);
		}
		pid = mv_pg_embedded_get_pid (own);
		conn = PQconnectdb (mv_pg_embedded_get_conninfo (own));
		if (PQstatus (conn) != CONNECTION_OK)
			_exit (4);
		PQfinish (conn);
		if (!mv_pg_embedded_stop (own, &error) || !mvt_pid_gone (pid))
			_exit (5);
		_exit (0);
	}
	cr_assert_eq (waitpid (child, &status, 0), child);
	cr_assert (WIFEXITED (status) && WEXITSTATUS (status) == 0, "child status %d", status);
}

Test (pg_embedded, socket_path_too_long)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *longdir = NULL;
	g_autofree gchar *pgdir = NULL;
	g_autoptr (GString) name = g_string_new (NULL);

	dir = mvt_tmpdir ();
	while (name->len < 100)
		g_string_append (name, "long-name-");
	longdir = g_build_filename (dir, name->str, NULL);
	pg = mv_pg_embedded_new (longdir, NULL, NULL);
	cr_assert_not (mv_pg_embedded_start (pg, &error));
	cr_assert (strstr (error->message, "107-byte limit") != NULL, "%s", error->message);
	pgdir = g_build_filename (longdir, "pg", NULL);
	cr_assert_not (g_file_test (pgdir, G_FILE_TEST_EXISTS), "nothing may be created");
}

Test (pg_embedded, unreachable_data_dir_as_root)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *hidden = NULL;
	g_autofree gchar *data = NULL;

	if (geteuid () != 0)
		cr_skip_test ("only meaningful as root");
	/* mkdtemp gives 0700 root: a parent the cluster user cannot traverse */
	dir = mvt_tmpdir ();
	hidden = g_build_filename (dir, "hidden", NULL);
	cr_assert_eq (g_mkdir (hidden, 0700), 0);
	data = g_build_filename (hidden, "data", NULL);
	cr_assert_eq (g_chmod (dir, 0711), 0);
	pg = mv_pg_embedded_new (data, NULL, NULL);
	cr_assert_not (mv_pg_embedded_start (pg, &error));
	cr_assert (strstr (error->message, "'postgres'") != NULL, "%s", error->message);
	cr_assert (strstr (error->message, hidden) != NULL, "error must name %s: %s", hidden,
		   error->message);
}

Test (pg_embedded, bad_bindir)
{
	g_autoptr (GError) error = NULL;

	dir = mvt_tmpdir ();
	pg = mv_pg_embedded_new (dir, dir, NULL);
	cr_assert_not (mv_pg_embedded_start (pg, &error));
	cr_assert (strstr (error->message, "no PostgreSQL server binaries") != NULL, "%s",
		   error->message);
}
