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

gchar *
mvt_pg_dump_bytea (const gchar *data_dir, const gchar *format)
{
	g_autofree gchar *conninfo = mvt_db_conninfo (data_dir);
	g_autofree gchar *options = g_strdup_printf ("-c bytea_output=%s", format);
	g_auto (GStrv) envp = g_environ_setenv (g_get_environ (), "PGOPTIONS", options, TRUE);
	g_autofree gchar *out = NULL;
	g_autofree gchar *err = NULL;
	g_autoptr (GError) error = NULL;
	gint status = 0;
	const gchar *argv[] = { "pg_dump", "--no-owner", "-d", conninfo, NULL };

	cr_assert (g_spawn_sync (NULL, (gchar **)argv, envp, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
				 &err, &status, &error),
		   "pg_dump: %s", error != NULL ? error->message : "");
	cr_assert (g_spawn_check_wait_status (status, NULL), "pg_dump failed: %s", err);
	return g_steal_pointer (&out);
}

gchar *
mvt_db_table_text (PGconn *conn, const gchar *table, const gchar *format)
{
	const gchar *v[] = { format };
	g_autofree gchar *set
		= mvt_db_value (conn, "SELECT set_config('bytea_output', $1, false)", 1, v);
	g_autofree gchar *sql = g_strdup_printf (
		"SELECT coalesce(string_agg(t::text, ' '), '') FROM %s t", table);

	return mvt_db_value (conn, sql, 0, NULL);
}

gboolean
mvt_text_shows (const gchar *text, const gchar *needle)
{
	g_autofree gchar *lower = g_utf8_casefold (text, -1);
	g_autofree gchar *needle_lower = g_utf8_casefold (needle, -1);
	g_autoptr (GString) hex = g_string_new (NULL);
	g_autoptr (GString) octal = g_string_new (NULL);

	/* bytea in hex form prints each byte as two lower-case hex digits; in escape form it
	 * prints printable ASCII as it is and every other byte as \ooo (doubled in a dump's
	 * COPY text) */
	for (const guchar *p = (const guchar *)needle; *p != '\0'; p++) {
		g_string_append_printf (hex, "%02x", *p);
		if (*p >= 0x20 && *p < 0x7f && *p != '\\')
			g_string_append_c (octal, (gchar)*p);
		else
			g_string_append_printf (octal, "\\%03o", *p);
	}
	if (strstr (lower, needle_lower) != NULL || strstr (text, hex->str) != NULL
	    || strstr (text, octal->str) != NULL)
		return TRUE;
	{
		g_autofree gchar *doubled = NULL;
		g_auto (GStrv) parts = g_strsplit (octal->str, "\\", -1);
		doubled = g_strjoinv ("\\\\", parts);
		return strstr (text, doubled) != NULL;
	}
}

void
mvt_assert_appears_nowhere (const gchar *data_dir,
			    const gchar *const *needles,
			    const gchar *log_text)
{
	static const gchar *const formats[] = { "hex", "escape" };
	g_autoptr (PGconn) conn = mvt_db_connect (data_dir);
	g_autofree gchar *tables = mvt_db_value (
		conn,
		"SELECT string_agg(quote_ident(table_schema) || '.' || quote_ident(table_name), "
		"',') "
		"FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', "
		"'information_schema') AND table_type = 'BASE TABLE'",
		0, NULL);
	g_auto (GStrv) names = g_strsplit (tables != NULL ? tables : "", ",", -1);

	for (guint f = 0; f < G_N_ELEMENTS (formats); f++) {
		g_autofree gchar *whole = mvt_pg_dump_bytea (data_dir, formats[f]);
		for (guint n = 0; needles[n] != NULL; n++)
			cr_assert_not (mvt_text_shows (whole, needles[n]),
				       "\"%s\" found in pg_dump (bytea %s)", needles[n],
				       formats[f]);
		for (guint i = 0; names[i] != NULL && names[i][0] != '\0'; i++) {
			g_autofree gchar *rows = mvt_db_table_text (conn, names[i], formats[f]);
			for (guint n = 0; needles[n] != NULL; n++)
				cr_assert_not (mvt_text_shows (rows, needles[n]),
					       "\"%s\" found in table %s (bytea %s)", needles[n],
					       names[i], formats[f]);
		}
	}
	for (guint n = 0; log_text != NULL && needles[n] != NULL; n++)
		cr_assert_not (mvt_text_shows (log_text, needles[n]),
			       "\"%s\" found in the daemon log", needles[n]);
}

gchar *
mvt_db_clinic_state (PGconn *conn, const gchar *clinic)
{
	static const gchar *const tables[]
		= { "patients", "records", "record_versions", "record_terms", "record_changes" };
	const gchar *v[] = { clinic };
	g_autoptr (GString) state = g_string_new (NULL);
	g_autofree gchar *audit = mvt_db_value (
		conn, "SELECT count(*) FROM audit_entries WHERE clinic_id = $1::text", 1, v);

	for (guint i = 0; i < G_N_ELEMENTS (tables); i++) {
		g_autofree gchar *sql = g_strdup_printf (
			"SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, ',' ORDER BY "
			"t::text)), '') FROM %s t WHERE clinic_id = $1",
			tables[i]);
		g_autofree gchar *value = mvt_db_value (conn, sql, 1, v);
		g_string_append_printf (state, "%s/", value);
	}
	g_string_append (state, audit);
	return g_string_free (g_steal_pointer (&state), FALSE);
}
