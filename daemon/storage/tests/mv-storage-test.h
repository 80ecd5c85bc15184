/* Helpers shared by the storage tests: throwaway clusters in temporary directories. */
#pragma once

#include <glib.h>
#include <libpq-fe.h>

#include "mv-pg-embedded.h"

G_BEGIN_DECLS

/* a new empty directory under the system temp dir (mode 0700, like mkdtemp) */
gchar *mvt_tmpdir (void);

/* rm -rf @dir (a directory made by mvt_tmpdir) */
void mvt_rmdir (const gchar *dir);

/* a started cluster in a new temp dir; fails the test on error */
MvPgEmbedded *mvt_cluster_start (gchar **dir_out);

/* stops and frees @pg, removes @dir; for .fini (NULL-safe) */
void mvt_cluster_destroy (MvPgEmbedded **pg, gchar **dir);

/* a connection to @pg's database; fails the test on error */
PGconn *mvt_connect (MvPgEmbedded *pg);

/* TRUE if no live (non-zombie) process has pid @pid */
gboolean mvt_pid_gone (GPid pid);

/* how many live processes have @cluster_dir as working directory */
guint mvt_count_cluster_processes (const gchar *cluster_dir);

/* the first column of the first row of @sql, or NULL; fails the test on SQL error */
gchar *mvt_query_value (PGconn *conn, const gchar *sql);

/* copies @src into @dst_dir under the same base name */
void mvt_copy_file (const gchar *src, const gchar *dst_dir);

G_END_DECLS
