/* The connection pool against a real throwaway cluster, including the server going away
 * and coming back under the same pool. */
#include <criterion/criterion.h>

#include <medverse/mv-error.h>

#include "mv-db.h"
#include "mv-migrate.h"
#include "mv-storage-test.h"

static MvPgEmbedded *pg;
static gchar *dir;
static MvDb *db;

static void
teardown (void)
{
	g_clear_pointer (&db, mv_db_free);
	mvt_cluster_destroy (&pg, &dir);
}

TestSuite (db, .fini = teardown, .timeout = 60);

static MvDb *
pool_for (MvPgEmbedded *cluster, guint max)
{
	g_autoptr (GError) error = NULL;
	MvDb *pool = mv_db_new (mv_pg_embedded_get_conninfo (cluster), max, &error);
	cr_assert_not_null (pool, "%s", error ? error->message : "");
	return pool;
}

Test (db, acquire_release_and_busy_pool)
{
	g_autoptr (GError) error = NULL;
	PGconn *a, *b, *c;
	guint n_open = 0, n_idle = 0;

	pg = mvt_cluster_start (&dir);
	db = pool_for (pg, 2);
	mv_db_get_stats (db, &n_open, &n_idle);
	cr_assert_eq (n_open, 0, "connections are opened lazily");

	a = mv_db_acquire (db, 1000, &error);
	cr_assert_not_null (a, "%s", error ? error->message : "");
	{
		g_autofree gchar *who = mvt_query_value (a, "SELECT current_user || '/' || "
							    "current_database() || '/' || "
							    "current_setting('application_name')");
		cr_assert_str_eq (who, "medverse/medverse/medversed");
	}
	b = mv_db_acquire (db, 1000, &error);
	cr_assert_not_null (b, "%s", error ? error->message : "");
	cr_assert_neq (a, b);
	c = mv_db_acquire (db, 100, &error);
	cr_assert_null (c, "a pool of 2 has no third connection");
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_UNAVAILABLE));
	cr_assert (strstr (error->message, "busy") != NULL, "%s", error->message);
	g_clear_error (&error);

	mv_db_release (db, a);
	c = mv_db_acquire (db, 100, &error);
	cr_assert_eq (c, a, "a released connection is reused");
	mv_db_release (db, b);
	mv_db_release (db, c);
	mv_db_get_stats (db, &n_open, &n_idle);
	cr_assert_eq (n_open, 2);
	cr_assert_eq (n_idle, 2);

	/* a connection given back inside a transaction is not reused */
	a = mv_db_acquire (db, 100, &error);
	cr_assert (mv_db_exec (a, "BEGIN", &error), "%s", error ? error->message : "");
	mv_db_release (db, a);
	mv_db_get_stats (db, &n_open, &n_idle);
	cr_assert_eq (n_open, 1);
	cr_assert_eq (n_idle, 1);
}

Test (db, exec_params_keeps_values_out_of_sql)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (PGresult) res = NULL;
	g_autoptr (PGresult) dup = NULL;
	g_autoptr (PGresult) bad = NULL;
	const gchar *hostile = "x'); DROP TABLE notes; --";
	const gchar *const values[] = { "1", hostile };
	PGconn *conn;

	pg = mvt_cluster_start (&dir);
	db = pool_for (pg, 1);
	conn = mv_db_acquire (db, 1000, &error);
	cr_assert_not_null (conn, "%s", error ? error->message : "");
	cr_assert (mv_db_exec (conn, "CREATE TABLE notes (id int PRIMARY KEY, body text)", &error));
	res = mv_db_exec_params (conn, "INSERT INTO notes VALUES ($1, $2) RETURNING body", 2,
				 values, &error);
	cr_assert_not_null (res, "%s", error ? error->message : "");
	cr_assert_str_eq (PQgetvalue (res, 0, 0), hostile);

	dup = mv_db_exec_params (conn, "INSERT INTO notes VALUES ($1, $2)", 2, values, &error);
	cr_assert_null (dup);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_CONFLICT), "%s", error->message);
	cr_assert (strstr (error->message, "23505") != NULL, "%s", error->message);
	cr_assert (strstr (error->message, hostile) == NULL, "values must not leak into errors");
	cr_assert (mv_db_error_is_unique_violation (error));
	cr_assert_not (mv_db_error_is_retryable (error));
	g_clear_error (&error);

	bad = mv_db_exec_params (conn, "SELEC 1", 0, NULL, &error);
	cr_assert_null (bad);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_FAILED), "%s", error->message);
	mv_db_release (db, conn);
}

/* The SQLSTATE is the server's diagnostic field, not a guess from the text: an error whose
 * message mentions 23505 is no unique violation, and an error that did not come from a
 * statement has none. */
Test (db, sqlstate_comes_from_the_server_not_the_message)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GError) other = NULL;
	g_autoptr (PGresult) res = NULL;
	PGconn *conn;

	pg = mvt_cluster_start (&dir);
	db = pool_for (pg, 1);
	conn = mv_db_acquire (db, 1000, &error);
	cr_assert_not_null (conn, "%s", error ? error->message : "");
	res = mv_db_exec_params (conn,
				 "DO $$ BEGIN RAISE EXCEPTION 'not a 23505 (SQLSTATE 23505)' "
				 "USING ERRCODE = 'serialization_failure'; END $$",
				 0, NULL, &error);
	cr_assert_null (res);
	cr_assert (strstr (error->message, "23505") != NULL, "%s", error->message);
	cr_assert_str_eq (mv_db_error_get_sqlstate (error), MV_DB_SQLSTATE_SERIALIZATION_FAILURE);
	cr_assert_not (mv_db_error_is_unique_violation (error));
	cr_assert (mv_db_error_is_retryable (error));
	/* an error made elsewhere, even with the same code, has no SQLSTATE */
	g_set_error (&other, MV_ERROR, MV_ERROR_CONFLICT, "unique violation (SQLSTATE 23505)");
	cr_assert_null (mv_db_error_get_sqlstate (other));
	cr_assert_not (mv_db_error_is_unique_violation (other));
	cr_assert_null (mv_db_error_get_sqlstate (NULL));
	mv_db_release (db, conn);
}

static gboolean
insert_then (PGconn *conn, gpointer user_data, GError **error)
{
	const gchar *mode = user_data;
	g_autoptr (PGresult) res
		= mv_db_exec_params (conn, "INSERT INTO t VALUES (1)", 0, NULL, error);
	if (res == NULL)
		return FALSE;
	if (g_str_equal (mode, "fail")) {
		g_set_error_literal (error, MV_ERROR, MV_ERROR_INVALID_INPUT, "refused by fn");
		return FALSE;
	}
	if (g_str_equal (mode, "swallow")) {
		/* a failing statement whose error is ignored: the transaction is doomed */
		PQclear (PQexec (conn, "SELECT 1/0"));
	}
	return TRUE;
}

Test (db, transaction_commits_or_leaves_nothing)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *n = NULL;
	PGconn *conn;

	pg = mvt_cluster_start (&dir);
	db = pool_for (pg, 2);
	conn = mvt_connect (pg);
	PQclear (PQexec (conn, "CREATE TABLE t (x int)"));

	cr_assert_not (mv_db_transaction (db, insert_then, (gpointer) "fail", &error));
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INVALID_INPUT));
	g_clear_error (&error);
	cr_assert_not (mv_db_transaction (db, insert_then, (gpointer) "swallow", &error));
	cr_assert (strstr (error->message, "rolled back") != NULL, "%s", error->message);
	g_clear_error (&error);
	n = mvt_query_value (conn, "SELECT count(*) FROM t");
	cr_assert_str_eq (n, "0", "failed transactions must leave nothing");

	cr_assert (mv_db_transaction (db, insert_then, (gpointer) "ok", &error), "%s",
		   error ? error->message : "");
	g_free (n);
	n = mvt_query_value (conn, "SELECT count(*) FROM t");
	cr_assert_str_eq (n, "1");
	PQfinish (conn);
}

/* ---- work deferred to the commit -------------------------------------------------------- */

typedef struct {
	PGconn *other; /* a second session: what it sees when a hook runs */
	const gchar *mode;
	guint runs;	     /* hooks called */
	guint destroyed;     /* their data freed */
	gchar *seen_by_hook; /* count(*) FROM t as the second session saw it in the hook */
} Deferred;

static void
deferred_hook (gpointer data)
{
	Deferred *d = data;
	d->runs++;
	g_free (d->seen_by_hook);
	d->seen_by_hook = mvt_query_value (d->other, "SELECT count(*) FROM t");
}

static void
deferred_destroy (gpointer data)
{
	((Deferred *)data)->destroyed++;
}

static gboolean
insert_and_defer (PGconn *conn, gpointer data, GError **error)
{
	Deferred *d = data;

	cr_assert (mv_db_on_commit (conn, deferred_hook, d, deferred_destroy));
	return insert_then (conn, (gpointer)d->mode, error);
}

Test (db, on_commit_runs_only_after_a_commit)
{
	g_autoptr (GError) error = NULL;
	Deferred d = { 0 };

	pg = mvt_cluster_start (&dir);
	db = pool_for (pg, 2);
	d.other = mvt_connect (pg);
	PQclear (PQexec (d.other, "CREATE TABLE t (x int)"));

	/* refused by fn, and a statement failed inside it: never run, always freed */
	d.mode = "fail";
	cr_assert_not (mv_db_transaction (db, insert_and_defer, &d, &error));
	g_clear_error (&error);
	d.mode = "swallow";
	cr_assert_not (mv_db_transaction (db, insert_and_defer, &d, &error));
	g_clear_error (&error);
	cr_assert_eq (d.runs, 0);
	cr_assert_eq (d.destroyed, 2);

	/* committed: run once, and the commit is visible to everyone by then */
	d.mode = "ok";
	cr_assert (mv_db_transaction (db, insert_and_defer, &d, &error), "%s",
		   error ? error->message : "");
	cr_assert_eq (d.runs, 1);
	cr_assert_eq (d.destroyed, 3);
	cr_assert_str_eq (d.seen_by_hook, "1");

	/* outside mv_db_transaction() nothing is registered */
	{
		PGconn *conn = mv_db_acquire (db, 5000, &error);
		cr_assert_not_null (conn);
		cr_assert_not (mv_db_on_commit (conn, deferred_hook, &d, deferred_destroy));
		mv_db_release (db, conn);
		cr_assert_eq (d.runs, 1);
		cr_assert_eq (d.destroyed, 3);
	}
	g_free (d.seen_by_hook);
	PQfinish (d.other);
}

Test (db, server_down_fails_fast_then_recovers)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (PGresult) res = NULL;
	PGconn *conn;
	gint64 t0, elapsed;

	pg = mvt_cluster_start (&dir);
	db = pool_for (pg, 2);
	conn = mv_db_acquire (db, 1000, &error);
	cr_assert_not_null (conn, "%s", error ? error->message : "");
	mv_db_release (db, conn); /* now idle in the pool, soon stale */

	cr_assert (mv_pg_embedded_stop (pg, &error), "%s", error ? error->message : "");
	t0 = g_get_monotonic_time ();
	conn = mv_db_acquire (db, 5000, &error);
	elapsed = g_get_monotonic_time () - t0;
	cr_assert_null (conn);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_UNAVAILABLE), "%s",
		   error ? error->message : "");
	cr_assert_lt (elapsed, 2 * G_USEC_PER_SEC, "acquire took %" G_GINT64_FORMAT " us", elapsed);
	/* libpq's text names the socket path: a caller (and its HTTP client) gets none of it */
	cr_assert_str_eq (error->message, MV_DB_UNAVAILABLE_MESSAGE);
	cr_assert_null (strstr (error->message, dir), "%s", error->message);
	g_clear_error (&error);
	cr_assert_not (mv_db_check_ready (db, MV_TEST_SQLDIR, &error));
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_UNAVAILABLE));
	cr_assert_str_eq (error->message, MV_DB_UNAVAILABLE_MESSAGE);
	g_clear_error (&error);
	cr_assert_not (mv_db_wait_reachable (db, 300, &error));
	cr_assert_str_eq (error->message, MV_DB_UNAVAILABLE_MESSAGE);
	g_clear_error (&error);

	/* a pool made while the server is down is fine */
	{
		g_autoptr (MvDb) later = mv_db_new (mv_pg_embedded_get_conninfo (pg), 1, &error);
		cr_assert_not_null (later, "%s", error ? error->message : "");
	}

	cr_assert (mv_pg_embedded_start (pg, &error), "%s", error ? error->message : "");
	conn = mv_db_acquire (db, 1000, &error);
	cr_assert_not_null (conn, "the same pool must reconnect: %s", error ? error->message : "");
	res = mv_db_exec_params (conn, "SELECT 1", 0, NULL, &error);
	cr_assert_not_null (res, "%s", error ? error->message : "");
	mv_db_release (db, conn);
}

Test (db, lost_connection_maps_to_unavailable)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (PGresult) res = NULL;
	g_autofree gchar *pid = NULL;
	const gchar *values[1];
	PGconn *conn;
	PGconn *killer;
	guint n_open = 0;

	pg = mvt_cluster_start (&dir);
	db = pool_for (pg, 1);
	conn = mv_db_acquire (db, 1000, &error);
	cr_assert_not_null (conn);
	pid = g_strdup_printf ("%d", PQbackendPID (conn));
	values[0] = pid;
	killer = mvt_connect (pg);
	PQclear (PQexecParams (killer, "SELECT pg_terminate_backend($1::int)", 1, NULL, values,
			       NULL, NULL, 0));
	PQfinish (killer);
	res = mv_db_exec_params (conn, "SELECT 1", 0, NULL, &error);
	cr_assert_null (res);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_UNAVAILABLE), "%s", error->message);
	cr_assert_str_eq (error->message, MV_DB_UNAVAILABLE_MESSAGE);
	mv_db_release (db, conn);
	mv_db_get_stats (db, &n_open, NULL);
	cr_assert_eq (n_open, 0, "a broken connection is discarded");
}

Test (db, check_ready_before_and_after_migrations)
{
	g_autoptr (GError) error = NULL;
	PGconn *conn;

	pg = mvt_cluster_start (&dir);
	db = pool_for (pg, 2);
	cr_assert_not (mv_db_check_ready (db, MV_TEST_SQLDIR, &error));
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_UNAVAILABLE), "%s", error->message);
	g_clear_error (&error);

	conn = mv_db_acquire (db, 1000, &error);
	cr_assert_not_null (conn);
	cr_assert (mv_migrate_apply (conn, MV_TEST_SQLDIR, &error), "%s",
		   error ? error->message : "");
	mv_db_release (db, conn);
	cr_assert (mv_db_check_ready (db, MV_TEST_SQLDIR, &error), "%s",
		   error ? error->message : "");
}

/* SQLSTATE class 53 (here 53400, a temp file over temp_file_limit: the real thing, cheaply) is
 * a 503 with a message naming nothing internal, and makes the pool not ready until a write
 * probe succeeds; the probe is held back by a trigger raising disk_full (53100), then let
 * through. */
Test (db, resource_exhaustion_is_not_ready_until_a_write_probe_succeeds, .timeout = 90)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (PGresult) res = NULL;
	g_autofree gchar *left = NULL;
	PGconn *conn;
	PGconn *admin;
	gint64 deadline;

	pg = mvt_cluster_start (&dir);
	db = pool_for (pg, 2);
	conn = mv_db_acquire (db, 1000, &error);
	cr_assert_not_null (conn);
	cr_assert (mv_migrate_apply (conn, MV_TEST_SQLDIR, &error), "%s",
		   error ? error->message : "");
	mv_db_release (db, conn);
	admin = mvt_connect (pg);
	cr_assert (
		mv_db_exec (admin,
			    "CREATE FUNCTION full_disk() RETURNS trigger LANGUAGE plpgsql AS $$ "
			    "BEGIN RAISE EXCEPTION 'no space' USING ERRCODE = 'disk_full'; END $$",
			    &error),
		"%s", error->message);
	cr_assert (mv_db_exec (admin,
			       "CREATE TRIGGER full_disk BEFORE INSERT ON storage_probe "
			       "FOR EACH ROW EXECUTE FUNCTION full_disk()",
			       &error),
		   "%s", error->message);
	cr_assert (mv_db_check_ready (db, MV_TEST_SQLDIR, &error),
		   "no probe while nothing failed: "
		   "%s",
		   error ? error->message : "");

	conn = mv_db_acquire (db, 1000, &error);
	cr_assert_not_null (conn);
	cr_assert (mv_db_exec (conn, "SET work_mem = '64kB'", &error));
	cr_assert (mv_db_exec (conn, "SET temp_file_limit = '64kB'", &error));
	res = mv_db_exec_params (conn,
				 "SELECT count(*) FROM (SELECT g FROM generate_series(1, 300000) g "
				 "ORDER BY g DESC) s",
				 0, NULL, &error);
	cr_assert_null (res, "the sort stayed under temp_file_limit");
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INSUFFICIENT_RESOURCES), "%s",
		   error->message);
	cr_assert_str_eq (error->message, MV_DB_NO_RESOURCES_MESSAGE);
	cr_assert_str_eq (mv_db_error_get_sqlstate (error), "53400");
	g_clear_error (&error);
	cr_assert_not (mv_db_get_exhausted (db), "noted on release, not before");
	mv_db_release (db, conn);
	cr_assert (mv_db_get_exhausted (db));

	/* the probe fails: not ready, naming the probe's SQLSTATE; asked again at once, the
	 * last outcome stands without a second probe */
	cr_assert_not (mv_db_check_ready (db, MV_TEST_SQLDIR, &error));
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INSUFFICIENT_RESOURCES), "%s",
		   error->message);
	cr_assert (strstr (error->message, "SQLSTATE 53100") != NULL, "%s", error->message);
	g_clear_error (&error);
	cr_assert_not (mv_db_check_ready (db, MV_TEST_SQLDIR, &error));
	cr_assert (strstr (error->message, "SQLSTATE 53100") != NULL, "%s", error->message);
	g_clear_error (&error);

	/* space is back: the next probe succeeds and leaves no row behind */
	cr_assert (mv_db_exec (admin, "DROP TRIGGER full_disk ON storage_probe", &error), "%s",
		   error->message);
	deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
	while (!mv_db_check_ready (db, MV_TEST_SQLDIR, &error)) {
		cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INSUFFICIENT_RESOURCES), "%s",
			   error->message);
		cr_assert_lt (g_get_monotonic_time (), deadline, "still not ready: %s",
			      error->message);
		g_clear_error (&error);
		g_usleep (200 * 1000);
	}
	cr_assert_not (mv_db_get_exhausted (db));
	left = mvt_query_value (admin, "SELECT count(*) FROM storage_probe");
	cr_assert_str_eq (left, "0");
	PQfinish (admin);
}

Test (db, bad_conninfo_is_refused)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvDb) bad = mv_db_new ("host=/tmp nonsense_key=1 password=hunter2", 2, &error);
	cr_assert_null (bad);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INVALID_INPUT));
	cr_assert (strstr (error->message, "hunter2") == NULL, "never echo a password");
	g_clear_error (&error);
	cr_assert_null (mv_db_new ("dbname=x", 0, &error));
}

typedef struct {
	MvDb *db;
	GMutex lock;
	GHashTable *backends; /* backend pids seen */
	guint failures;
	guint max_open;
} Hammer;

static gpointer
hammer_thread (gpointer data)
{
	Hammer *h = data;
	for (guint i = 0; i < 20; i++) {
		g_autoptr (GError) error = NULL;
		g_autoptr (PGresult) res = NULL;
		guint n_open = 0;
		PGconn *conn = mv_db_acquire (h->db, 5000, &error);
		if (conn == NULL) {
			g_mutex_lock (&h->lock);
			h->failures++;
			g_mutex_unlock (&h->lock);
			continue;
		}
		res = mv_db_exec_params (conn, "SELECT pg_backend_pid(), pg_sleep(0.002)", 0, NULL,
					 &error);
		mv_db_get_stats (h->db, &n_open, NULL);
		g_mutex_lock (&h->lock);
		if (res == NULL)
			h->failures++;
		else
			g_hash_table_add (h->backends, g_strdup (PQgetvalue (res, 0, 0)));
		h->max_open = MAX (h->max_open, n_open);
		g_mutex_unlock (&h->lock);
		mv_db_release (h->db, conn);
	}
	return NULL;
}

Test (db, many_threads_share_a_small_pool)
{
	Hammer h = { 0 };
	GThread *threads[8];

	pg = mvt_cluster_start (&dir);
	db = pool_for (pg, 3);
	h.db = db;
	g_mutex_init (&h.lock);
	h.backends = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
		threads[i] = g_thread_new ("hammer", hammer_thread, &h);
	for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
		g_thread_join (threads[i]);
	cr_assert_eq (h.failures, 0);
	cr_assert_leq (h.max_open, 3);
	cr_assert_leq (g_hash_table_size (h.backends), 3, "at most 3 server sessions expected");
	g_hash_table_unref (h.backends);
	g_mutex_clear (&h.lock);
}

static gpointer
wait_reachable_thread (gpointer data)
{
	return GINT_TO_POINTER (mv_db_wait_reachable (data, 20000, NULL));
}

Test (db, wait_reachable_until_the_server_starts)
{
	g_autoptr (GError) error = NULL;
	GThread *waiter;
	gint64 t0;

	pg = mvt_cluster_start (&dir);
	db = pool_for (pg, 2);
	cr_assert (mv_pg_embedded_stop (pg, &error), "%s", error ? error->message : "");

	t0 = g_get_monotonic_time ();
	cr_assert_not (mv_db_wait_reachable (db, 300, &error));
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_UNAVAILABLE));
	cr_assert_lt (g_get_monotonic_time () - t0, G_USEC_PER_SEC);
	g_clear_error (&error);

	/* the server is started from this thread, the wait runs in another: the postmaster gets
	 * its parent-death signal when the thread that started it exits */
	waiter = g_thread_new ("waiter", wait_reachable_thread, db);
	g_usleep (500 * G_TIME_SPAN_MILLISECOND);
	cr_assert (mv_pg_embedded_start (pg, &error), "%s", error ? error->message : "");
	cr_assert (GPOINTER_TO_INT (g_thread_join (waiter)), "the server was not seen coming up");
}

/* ---- deadlock and serialization failures are retried ------------------------------------- */

typedef struct {
	PGconn *other;		 /* autocommit: changes the row behind the transaction's back */
	guint conflicts_to_make; /* on that many attempts */
	guint attempts;
} Serial;

/* REPEATABLE READ: the snapshot is taken by the SELECT; a row committed by another session
 * after it cannot be updated (SQLSTATE 40001, "could not serialize access"). */
static gboolean
serial_update (PGconn *conn, gpointer data, GError **error)
{
	Serial *s = data;
	g_autoptr (PGresult) snapshot = NULL;
	g_autoptr (PGresult) update = NULL;

	s->attempts++;
	if (!mv_db_exec (conn, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", error))
		return FALSE;
	snapshot = mv_db_exec_params (conn, "SELECT v FROM t WHERE id = 1", 0, NULL, error);
	if (snapshot == NULL)
		return FALSE;
	if (s->attempts <= s->conflicts_to_make) {
		g_autofree gchar *done = mvt_query_value (
			s->other, "UPDATE t SET v = v + 1 WHERE id = 1 RETURNING v");
		cr_assert_not_null (done);
	}
	update = mv_db_exec_params (conn, "UPDATE t SET v = v + 10 WHERE id = 1", 0, NULL, error);
	return update != NULL;
}

static PGconn *
two_rows (void)
{
	PGconn *conn;

	pg = mvt_cluster_start (&dir);
	db = pool_for (pg, 2);
	conn = mvt_connect (pg);
	PQclear (PQexec (conn, "CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL)"));
	PQclear (PQexec (conn, "INSERT INTO t VALUES (1, 0), (2, 0)"));
	return conn;
}

Test (db, serialization_failure_is_retried)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *v = NULL;
	Serial s = { two_rows (), 1, 0 };

	cr_assert (mv_db_transaction (db, serial_update, &s, &error), "not retried: %s",
		   error ? error->message : "");
	cr_assert_eq (s.attempts, 2);
	v = mvt_query_value (s.other, "SELECT v FROM t WHERE id = 1");
	cr_assert_str_eq (v, "11", "the other session's +1, then our +10 once");
	PQfinish (s.other);
}

typedef struct {
	Serial serial;
	Deferred deferred;
} SerialDeferred;

static gboolean
serial_update_and_defer (PGconn *conn, gpointer data, GError **error)
{
	SerialDeferred *sd = data;

	cr_assert (mv_db_on_commit (conn, deferred_hook, &sd->deferred, deferred_destroy));
	return serial_update (conn, &sd->serial, error);
}

/* the attempt that ran into the conflict rolled back: only the one that committed runs its
 * hook */
Test (db, on_commit_of_a_retried_transaction_runs_once)
{
	g_autoptr (GError) error = NULL;
	SerialDeferred sd = { { two_rows (), 1, 0 }, { 0 } };

	sd.deferred.other = sd.serial.other;
	cr_assert (mv_db_transaction (db, serial_update_and_defer, &sd, &error), "%s",
		   error ? error->message : "");
	cr_assert_eq (sd.serial.attempts, 2);
	cr_assert_eq (sd.deferred.runs, 1);
	cr_assert_eq (sd.deferred.destroyed, 2);
	g_free (sd.deferred.seen_by_hook);
	PQfinish (sd.serial.other);
}

Test (db, retries_are_bounded)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *v = NULL;
	Serial s = { two_rows (), G_MAXUINT, 0 };

	cr_assert_not (mv_db_transaction (db, serial_update, &s, &error));
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_CONFLICT), "%s", error->message);
	cr_assert_str_eq (mv_db_error_get_sqlstate (error), MV_DB_SQLSTATE_SERIALIZATION_FAILURE);
	cr_assert_eq (s.attempts, 4, "1 attempt and 3 retries, got %u", s.attempts);
	v = mvt_query_value (s.other, "SELECT v FROM t WHERE id = 1");
	cr_assert_str_eq (v, "4", "no attempt of ours may have committed");
	PQfinish (s.other);
}

typedef struct {
	GMutex lock;
	GCond cond;
	guint holding; /* sides that updated their first row */
} Meet;

typedef struct {
	Meet *meet;
	const gchar *first;
	const gchar *second;
	guint attempts;
	gboolean ok;
	GError *error;
} Side;

/* Updates row @first, waits (on the first attempt) until the other side holds its own first
 * row, then updates @second: the two sides wait for each other, and PostgreSQL cancels one
 * of them with SQLSTATE 40P01. */
static gboolean
deadlock_side (PGconn *conn, gpointer data, GError **error)
{
	Side *side = data;
	const gchar *first[] = { side->first };
	const gchar *second[] = { side->second };
	g_autoptr (PGresult) a = NULL;
	g_autoptr (PGresult) b = NULL;
	gint64 deadline = g_get_monotonic_time () + 20 * G_TIME_SPAN_SECOND;

	side->attempts++;
	if (!mv_db_exec (conn, "SET LOCAL deadlock_timeout = '50ms'", error))
		return FALSE;
	a = mv_db_exec_params (conn, "UPDATE t SET v = v + 1 WHERE id = $1::int", 1, first, error);
	if (a == NULL)
		return FALSE;
	g_mutex_lock (&side->meet->lock);
	side->meet->holding++;
	g_cond_broadcast (&side->meet->cond);
	while (side->meet->holding < 2)
		if (!g_cond_wait_until (&side->meet->cond, &side->meet->lock, deadline))
			break;
	g_mutex_unlock (&side->meet->lock);
	b = mv_db_exec_params (conn, "UPDATE t SET v = v + 1 WHERE id = $1::int", 1, second, error);
	return b != NULL;
}

static gpointer
deadlock_thread (gpointer data)
{
	Side *side = data;
	side->ok = mv_db_transaction (db, deadlock_side, side, &side->error);
	return NULL;
}

Test (db, deadlock_is_retried)
{
	g_autofree gchar *v = NULL;
	PGconn *conn = two_rows ();
	Meet meet = { 0 };
	Side a = { &meet, "1", "2" };
	Side b = { &meet, "2", "1" };
	GThread *thread;

	g_mutex_init (&meet.lock);
	g_cond_init (&meet.cond);
	thread = g_thread_new ("side-b", deadlock_thread, &b);
	deadlock_thread (&a);
	g_thread_join (thread);
	cr_assert (a.ok, "side a: %s", a.error ? a.error->message : "");
	cr_assert (b.ok, "side b: %s", b.error ? b.error->message : "");
	cr_assert_eq (meet.holding, 3, "one side ran twice (attempts %u + %u)", a.attempts,
		      b.attempts);
	v = mvt_query_value (conn, "SELECT string_agg(v::text, ',' ORDER BY id) FROM t");
	cr_assert_str_eq (v, "2,2", "each side committed once");
	g_clear_error (&a.error);
	g_clear_error (&b.error);
	g_mutex_clear (&meet.lock);
	g_cond_clear (&meet.cond);
	PQfinish (conn);
}

/* ---- timestamps ------------------------------------------------------------------------ */

/* One form for every timestamp a caller sees, whatever the session's time zone and date style:
 * the raw text of a timestamptz would be "2026-12-05 18:32:47.297481+08". */
Test (db, timestamps_are_rfc3339_utc_with_microseconds)
{
	g_autofree gchar *micros = NULL;
	g_autofree gchar *whole = NULL;
	g_autofree gchar *null = NULL;
	g_autofree gchar *raw = NULL;
	PGconn *conn;

	pg = mvt_cluster_start (&dir);
	conn = mvt_connect (pg);
	PQclear (PQexec (conn, "SET TimeZone = 'Asia/Shanghai'"));
	PQclear (PQexec (conn, "SET DateStyle = 'SQL, DMY'"));
	PQclear (PQexec (conn, "CREATE TABLE ts (at timestamptz)"));
	PQclear (PQexec (conn, "INSERT INTO ts VALUES ('2026-12-05 18:32:47.297481+08'), "
			       "('2030-01-31 12:00:00Z'), (NULL)"));
	raw = mvt_query_value (conn, "SELECT at::text FROM ts LIMIT 1");
	cr_assert_str_neq (raw, "2026-12-05T10:32:47.297481Z", "the test needs a non-UTC zone");
	micros = mvt_query_value (conn, "SELECT " MV_DB_SQL_UTC ("at") " FROM ts "
								       "WHERE at < '2027-01-01Z'");
	cr_assert_str_eq (micros, "2026-12-05T10:32:47.297481Z");
	whole = mvt_query_value (conn, "SELECT " MV_DB_SQL_UTC ("at") " FROM ts "
								      "WHERE at > '2027-01-01Z'");
	cr_assert_str_eq (whole, "2030-01-31T12:00:00.000000Z");
	null = mvt_query_value (conn, "SELECT " MV_DB_SQL_UTC ("at") " FROM ts WHERE at IS NULL");
	cr_assert_null (null);
	PQfinish (conn);
}

/* ---- bytea ------------------------------------------------------------------------------ */

/* The one encoder and decoder round-trip through the server, in both output formats. */
Test (db, bytea_round_trips_through_the_server)
{
	const guint8 data[] = { 0x00, 0x01, 0x5c, 0x27, 0x7f, 0x80, 0xff, 'A', 'z' };
	g_autofree gchar *text = mv_db_bytea_to_text (data, sizeof data);
	g_autoptr (GBytes) expected = g_bytes_new_static (data, sizeof data);
	const gchar *values[] = { text };
	PGconn *conn;

	cr_assert_str_eq (text, "\\x00015c277f80ff417a");
	pg = mvt_cluster_start (&dir);
	conn = mvt_connect (pg);
	for (guint i = 0; i < 2; i++) {
		g_autoptr (PGresult) res = NULL;
		g_autoptr (GBytes) back = NULL;

		PQclear (PQexec (conn, i == 0 ? "SET bytea_output = 'hex'"
					      : "SET bytea_output = 'escape'"));
		res = PQexecParams (conn, "SELECT $1::bytea", 1, NULL, values, NULL, NULL, 0);
		cr_assert_eq (PQresultStatus (res), PGRES_TUPLES_OK, "%s", PQerrorMessage (conn));
		back = mv_db_bytea_from_text (PQgetvalue (res, 0, 0));
		cr_assert (g_bytes_equal (back, expected), "round trip %u failed", i);
	}
	cr_assert_null (mv_db_bytea_from_text (NULL));
	PQfinish (conn);
}
