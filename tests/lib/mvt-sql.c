/* SQL on a daemon's embedded cluster: see mvt-sql.h. */
#include "mvt-sql.h"

#include <criterion/criterion.h>
#include <string.h>

gchar *
mvt_db_conninfo (const gchar *data_dir)
{
	g_autofree gchar *socket_dir = g_build_filename (data_dir, "pg-socket", NULL);
	return g_strdup_printf ("host=%s port=5432 dbname=medverse user=medverse", socket_dir);
}

PGconn *
mvt_db_connect (const gchar *data_dir)
{
	g_autofree gchar *conninfo = mvt_db_conninfo (data_dir);
	PGconn *conn = PQconnectdb (conninfo);

	cr_assert_eq (PQstatus (conn), CONNECTION_OK, "connect: %s", PQerrorMessage (conn));
	return conn;
}

static PGresult *
run (PGconn *conn, const gchar *sql, gint n, const gchar *const *values)
{
	PGresult *res = PQexecParams (conn, sql, n, NULL, values, NULL, NULL, 0);

	cr_assert (PQresultStatus (res) == PGRES_TUPLES_OK
			   || PQresultStatus (res) == PGRES_COMMAND_OK,
		   "%s: %s", sql, PQerrorMessage (conn));
	return res;
}

gchar *
mvt_db_value (PGconn *conn, const gchar *sql, gint n, const gchar *const *values)
{
	PGresult *res = run (conn, sql, n, values);
	gchar *value = NULL;

	if (PQresultStatus (res) == PGRES_TUPLES_OK && PQntuples (res) > 0
	    && !PQgetisnull (res, 0, 0))
		value = g_strdup (PQgetvalue (res, 0, 0));
	PQclear (res);
	return value;
}

gchar *
mvt_db_single (PGconn *conn, const gchar *sql, gint n, const gchar *const *values)
{
	PGresult *res = run (conn, sql, n, values);
	gint rows = PQntuples (res);
	gchar *value = NULL;

	if (rows == 1 && !PQgetisnull (res, 0, 0))
		value = g_strdup (PQgetvalue (res, 0, 0));
	PQclear (res);
	cr_assert_eq (rows, 1, "%s: %d rows", sql, rows);
	return value;
}

gint64
mvt_db_count (PGconn *conn, const gchar *sql, gint n, const gchar *const *values)
{
	g_autofree gchar *v = mvt_db_value (conn, sql, n, values);
	return v != NULL ? g_ascii_strtoll (v, NULL, 10) : -1;
}

gchar *
mvt_pg_dump (const gchar *data_dir)
{
	g_autofree gchar *conninfo = mvt_db_conninfo (data_dir);
	g_autofree gchar *out = NULL;
	g_autofree gchar *err = NULL;
	g_autoptr (GError) error = NULL;
	gint status = 0;
	const gchar *argv[] = { "pg_dump", "--no-owner", "-d", conninfo, NULL };

	cr_assert (g_spawn_sync (NULL, (gchar **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
				 &err, &status, &error),
		   "pg_dump: %s", error != NULL ? error->message : "");
	cr_assert (g_spawn_check_wait_status (status, NULL), "pg_dump failed: %s", err);
	cr_assert_gt (strlen (out), 1000, "pg_dump printed almost nothing");
	return g_steal_pointer (&out);
}
