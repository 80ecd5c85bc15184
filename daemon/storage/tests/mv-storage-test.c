#include "mv-storage-test.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>

gchar *
mvt_tmpdir (void)
{
	g_autoptr (GError) error = NULL;
	gchar *dir = g_dir_make_tmp ("mv-storage-XXXXXX", &error);
	cr_assert_not_null (dir, "cannot make a temp dir: %s", error ? error->message : "?");
	return dir;
}

void
mvt_rmdir (const gchar *dir)
{
	const gchar *argv[] = { "rm", "-rf", "--", dir, NULL };
	if (dir == NULL || !g_str_has_prefix (dir, g_get_tmp_dir ()))
		return;
	g_spawn_sync (NULL, (gchar **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
		      NULL);
}

MvPgEmbedded *
mvt_cluster_start (gchar **dir_out)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *dir = mvt_tmpdir ();
	g_autoptr (MvPgEmbedded) pg = mv_pg_embedded_new (dir, NULL, NULL);
	gboolean ok = mv_pg_embedded_start (pg, &error);
	cr_assert (ok, "cannot start a cluster in %s: %s", dir, error ? error->message : "?");
	*dir_out = g_steal_pointer (&dir);
	return g_steal_pointer (&pg);
}

void
mvt_cluster_destroy (MvPgEmbedded **pg, gchar **dir)
{
	g_clear_pointer (pg, mv_pg_embedded_free);
	if (*dir != NULL)
		mvt_rmdir (*dir);
	g_clear_pointer (dir, g_free);
}

PGconn *
mvt_connect (MvPgEmbedded *pg)
{
	PGconn *conn = PQconnectdb (mv_pg_embedded_get_conninfo (pg));
	cr_assert_eq (PQstatus (conn), CONNECTION_OK, "cannot connect: %s", PQerrorMessage (conn));
	return conn;
}

gboolean
mvt_pid_gone (GPid pid)
{
	g_autofree gchar *stat_path = g_strdup_printf ("/proc/%d/stat", (gint)pid);
	g_autofree gchar *stat = NULL;
	const gchar *close_paren;

	if (kill (pid, 0) != 0 && errno == ESRCH)
		return TRUE;
	/* a zombie (reaped by nobody, e.g. in a container without init) is gone too */
	if (!g_file_get_contents (stat_path, &stat, NULL, NULL))
		return TRUE;
	close_paren = strrchr (stat, ')');
	return close_paren != NULL && close_paren[1] == ' ' && close_paren[2] == 'Z';
}

guint
mvt_count_cluster_processes (const gchar *cluster_dir)
{
	g_autofree gchar *real = realpath (cluster_dir, NULL);
	g_autoptr (GDir) proc = g_dir_open ("/proc", 0, NULL);
	guint n = 0;

	cr_assert_not_null (proc);
	for (const gchar *name = g_dir_read_name (proc); name != NULL;
	     name = g_dir_read_name (proc)) {
		g_autofree gchar *link = g_strdup_printf ("/proc/%s/cwd", name);
		g_autofree gchar *cwd = g_file_read_link (link, NULL);
		if (real != NULL && cwd != NULL && g_str_equal (cwd, real))
			n++;
	}
	return n;
}

gchar *
mvt_query_value (PGconn *conn, const gchar *sql)
{
	PGresult *res = PQexec (conn, sql);
	gchar *value = NULL;

	cr_assert (PQresultStatus (res) == PGRES_TUPLES_OK, "%s: %s", sql,
		   PQresultErrorMessage (res));
	if (PQntuples (res) > 0 && !PQgetisnull (res, 0, 0))
		value = g_strdup (PQgetvalue (res, 0, 0));
	PQclear (res);
	return value;
}

void
mvt_copy_file (const gchar *src, const gchar *dst_dir)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *contents = NULL;
	g_autofree gchar *base = g_path_get_basename (src);
	g_autofree gchar *dst = g_build_filename (dst_dir, base, NULL);
	gsize len = 0;

	cr_assert (g_file_get_contents (src, &contents, &len, &error), "%s", error->message);
	cr_assert (g_file_set_contents (dst, contents, (gssize)len, &error), "%s", error->message);
}
