/*
 * Medverse storage — schema migrations.
 *
 * A migration is a file `NNNN_name.sql` in the migrations directory (NNNN: at least four
 * digits, the version; name: letters, digits, '_' and '-').  Files are applied in version
 * order, each in its own transaction, and recorded in the table
 * `schema_migrations (version, name, checksum, applied_at)`.  A migration file must not
 * contain BEGIN/COMMIT/ROLLBACK nor statements that cannot run in a transaction.  Once
 * applied, a file must never change: its SHA-256 is recorded and checked.  Other files in the
 * directory are ignored, except `*.sql` files with a malformed name, which are an error so a
 * typo cannot silently skip a migration.
 */
#pragma once

#include <glib.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

/**
 * mv_migrate_apply:
 * @conn: an open connection, not inside a transaction
 * @sql_dir: the migrations directory
 * @error: return location for a #GError
 *
 * Applies every migration of @sql_dir not yet recorded, in order.  The whole run holds a
 * session-level pg_advisory_lock, so daemons starting together against one database apply
 * each migration once: the others wait, then find nothing left to do.  A migration that fails
 * is rolled back entirely (the schema stays as the previous migration left it) and the run
 * stops there.  Migrations recorded in the database but absent from @sql_dir (a newer daemon
 * migrated it) are logged, not refused.
 *
 * Errors: %MV_ERROR_FAILED naming the file, the line (when PostgreSQL gives a position), its
 * message and SQLSTATE, or a malformed/unreadable/non-UTF-8 file or missing @sql_dir;
 * %MV_ERROR_INTEGRITY if an applied file's checksum or name changed;
 * %MV_ERROR_UNAVAILABLE if the connection is lost.
 *
 * Thread safety: @conn is used by this call alone; distinct connections may run it at once.
 *
 * Returns: %TRUE when every migration is applied
 */
G_GNUC_WARN_UNUSED_RESULT gboolean mv_migrate_apply (PGconn *conn,
						     const gchar *sql_dir,
						     GError **error);

/**
 * mv_migrate_check:
 * @conn: an open connection
 * @sql_dir: the migrations directory
 * @error: return location for a #GError
 *
 * Read-only check that every migration of @sql_dir is applied, with an unchanged checksum.
 *
 * Errors: %MV_ERROR_UNAVAILABLE naming the first migration not applied (or none applied);
 * %MV_ERROR_INTEGRITY if an applied file changed; %MV_ERROR_FAILED if @sql_dir is unreadable.
 *
 * Returns: %TRUE if the schema is up to date
 */
gboolean mv_migrate_check (PGconn *conn, const gchar *sql_dir, GError **error);

G_END_DECLS
