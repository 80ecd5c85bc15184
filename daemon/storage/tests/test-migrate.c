/* Migrations against a real throwaway cluster: order, record, idempotence, rollback of a
 * broken file, checksum, and concurrent migrators serialised by the advisory lock. */
#include <criterion/criterion.h>
#include <glib/gstdio.h>

#include <medverse/mv-error.h>

#include "mv-migrate.h"
#include "mv-storage-test.h"

static MvPgEmbedded *pg;
static gchar *dir;
static gchar *sql_dir; /* a scratch migrations dir, removed in teardown */

static void
teardown (void)
{
	mvt_cluster_destroy (&pg, &dir);
	if (sql_dir != NULL)
		mvt_rmdir (sql_dir);
	g_clear_pointer (&sql_dir, g_free);
}

TestSuite (migrate, .fini = teardown, .timeout = 60);

/* the repository's own migrations */
static guint
count_source_migrations (void)
{
	g_autoptr (GDir) d = g_dir_open (MV_TEST_SQLDIR, 0, NULL);
	guint n = 0;
	cr_assert_not_null (d);
	for (const gchar *name = g_dir_read_name (d); name != NULL; name = g_dir_read_name (d))
		n += g_str_has_suffix (name, ".sql");
	return n;
}

static gchar *
scratch_sql_dir (const gchar *const *files)
{
	gchar *d = mvt_tmpdir ();
	for (guint i = 0; files[i] != NULL; i++)
		mvt_copy_file (files[i], d);
	return d;
}

Test (migrate, applies_in_order_recorded_and_idempotent)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *n = NULL;
	g_autofree gchar *first = NULL;
	g_autofree gchar *applied_at = NULL;
	g_autofree gchar *applied_at_again = NULL;
	g_autofree gchar *expected = NULL;
	PGconn *conn;

	pg = mvt_cluster_start (&dir);
	conn = mvt_connect (pg);
	cr_assert (mv_migrate_apply (conn, MV_TEST_SQLDIR, &error), "%s",
		   error ? error->message : "");
	n = mvt_query_value (conn, "SELECT count(*) FROM schema_migrations");
	expected = g_strdup_printf ("%u", count_source_migrations ());
	cr_assert_str_eq (n, expected);
	first = mvt_query_value (conn,
				 "SELECT name FROM schema_migrations ORDER BY version LIMIT 1");
	cr_assert_str_eq (first, "0001_core.sql");
	g_free (n);
	n = mvt_query_value (conn, "SELECT count(*) FROM installation");
	cr_assert_str_eq (n, "1", "0001_core seeds one installation row");
	applied_at = mvt_query_value (conn, "SELECT max(applied_at)::text FROM schema_migrations");

	/* a second run changes nothing */
	cr_assert (mv_migrate_apply (conn, MV_TEST_SQLDIR, &error), "%s",
		   error ? error->message : "");
	g_free (n);
	n = mvt_query_value (conn, "SELECT count(*) FROM schema_migrations");
	cr_assert_str_eq (n, expected);
	applied_at_again
		= mvt_query_value (conn, "SELECT max(applied_at)::text FROM schema_migrations");
	cr_assert_str_eq (applied_at, applied_at_again);
	g_free (n);
	n = mvt_query_value (conn, "SELECT count(*) FROM installation");
	cr_assert_str_eq (n, "1");
	cr_assert (mv_migrate_check (conn, MV_TEST_SQLDIR, &error), "%s",
		   error ? error->message : "");
	PQfinish (conn);
}

Test (migrate, broken_migration_leaves_schema_and_names_file)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *core = g_build_filename (MV_TEST_SQLDIR, "0001_core.sql", NULL);
	g_autofree gchar *broken
		= g_build_filename (MV_TEST_DATADIR, "broken", "0002_broken.sql", NULL);
	const gchar *const files[] = { core, broken, NULL };
	g_autofree gchar *versions = NULL;
	g_autofree gchar *table = NULL;
	g_autofree gchar *core_table = NULL;
	PGconn *conn;

	sql_dir = scratch_sql_dir (files);
	pg = mvt_cluster_start (&dir);
	conn = mvt_connect (pg);
	cr_assert_not (mv_migrate_apply (conn, sql_dir, &error));
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_FAILED), "%s", error->message);
	cr_assert (strstr (error->message, "0002_broken.sql") != NULL, "%s", error->message);
	cr_assert (strstr (error->message, "line 5") != NULL, "%s", error->message);
	cr_assert (strstr (error->message, "no_such_column") != NULL, "%s", error->message);

	/* 0001 stays applied; nothing of 0002 exists */
	versions = mvt_query_value (conn, "SELECT string_agg(version::text, ',' ORDER BY version) "
					  "FROM schema_migrations");
	cr_assert_str_eq (versions, "1");
	table = mvt_query_value (conn, "SELECT to_regclass('created_before_the_error')::text");
	cr_assert_null (table, "the broken migration's first statement must be rolled back");
	core_table = mvt_query_value (conn, "SELECT to_regclass('daemon_instances')::text");
	cr_assert_str_eq (core_table, "daemon_instances");
	cr_assert_eq (PQtransactionStatus (conn), PQTRANS_IDLE);

	/* not ready: 0002 is missing */
	g_clear_error (&error);
	cr_assert_not (mv_migrate_check (conn, sql_dir, &error));
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_UNAVAILABLE), "%s", error->message);
	cr_assert (strstr (error->message, "0002_broken.sql") != NULL, "%s", error->message);
	PQfinish (conn);
}

Test (migrate, changed_applied_file_is_refused)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *core = g_build_filename (MV_TEST_SQLDIR, "0001_core.sql", NULL);
	const gchar *const files[] = { core, NULL };
	g_autofree gchar *copy = NULL;
	g_autofree gchar *contents = NULL;
	g_autofree gchar *edited = NULL;
	PGconn *conn;

	sql_dir = scratch_sql_dir (files);
	pg = mvt_cluster_start (&dir);
	conn = mvt_connect (pg);
	cr_assert (mv_migrate_apply (conn, sql_dir, &error), "%s", error ? error->message : "");

	copy = g_build_filename (sql_dir, "0001_core.sql", NULL);
	cr_assert (g_file_get_contents (copy, &contents, NULL, NULL));
	edited = g_strconcat (contents, "\n-- edited after the fact\n", NULL);
	cr_assert (g_file_set_contents (copy, edited, -1, NULL));
	cr_assert_not (mv_migrate_apply (conn, sql_dir, &error));
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INTEGRITY), "%s", error->message);
	cr_assert (strstr (error->message, "0001_core.sql changed") != NULL, "%s", error->message);
	g_clear_error (&error);
	cr_assert_not (mv_migrate_check (conn, sql_dir, &error));
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INTEGRITY), "%s", error->message);
	PQfinish (conn);
}

Test (migrate, malformed_file_name_is_refused)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *bad = NULL;
	PGconn *conn;

	sql_dir = mvt_tmpdir ();
	bad = g_build_filename (sql_dir, "01_short.sql", NULL);
	cr_assert (g_file_set_contents (bad, "SELECT 1;", -1, NULL));
	pg = mvt_cluster_start (&dir);
	conn = mvt_connect (pg);
	cr_assert_not (mv_migrate_apply (conn, sql_dir, &error));
	cr_assert (strstr (error->message, "01_short.sql") != NULL, "%s", error->message);
	PQfinish (conn);
}

typedef struct {
	const gchar *conninfo;
	const gchar *sql_dir;
	GError *error;
	gboolean ok;
} Migrator;

static gpointer
migrator_thread (gpointer data)
{
	Migrator *m = data;
	PGconn *conn = PQconnectdb (m->conninfo);
	if (PQstatus (conn) == CONNECTION_OK)
		m->ok = mv_migrate_apply (conn, m->sql_dir, &m->error);
	else
		g_set_error (&m->error, MV_ERROR, MV_ERROR_UNAVAILABLE, "%s",
			     PQerrorMessage (conn));
	PQfinish (conn);
	return NULL;
}

Test (migrate, concurrent_migrators_do_not_race)
{
	g_autofree gchar *slow1 = g_build_filename (MV_TEST_DATADIR, "slow", "0001_slow.sql", NULL);
	g_autofree gchar *slow2 = g_build_filename (MV_TEST_DATADIR, "slow", "0002_slow.sql", NULL);
	const gchar *const files[] = { slow1, slow2, NULL };
	Migrator migrators[4] = { 0 };
	GThread *threads[G_N_ELEMENTS (migrators)];
	g_autofree gchar *rows = NULL;
	PGconn *conn;

	sql_dir = scratch_sql_dir (files);
	pg = mvt_cluster_start (&dir);
	for (guint i = 0; i < G_N_ELEMENTS (migrators); i++) {
		migrators[i].conninfo = mv_pg_embedded_get_conninfo (pg);
		migrators[i].sql_dir = sql_dir;
		threads[i] = g_thread_new ("migrator", migrator_thread, &migrators[i]);
	}
	for (guint i = 0; i < G_N_ELEMENTS (migrators); i++) {
		g_thread_join (threads[i]);
		cr_assert (migrators[i].ok, "migrator %u: %s", i,
			   migrators[i].error ? migrators[i].error->message : "?");
	}
	conn = mvt_connect (pg);
	rows = mvt_query_value (conn, "SELECT string_agg(version::text, ',' ORDER BY version) "
				      "FROM schema_migrations");
	cr_assert_str_eq (rows, "1,2", "each migration recorded once");
	PQfinish (conn);
}
