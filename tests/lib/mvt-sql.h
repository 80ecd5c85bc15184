/*
 * SQL on a daemon's embedded cluster (<data-dir>/pg-socket), to read raw rows and tamper with
 * them, and pg_dump of its database.
 */
#pragma once

#include <glib.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGconn, PQfinish)

/* the conninfo of the cluster of the daemon whose data dir is @data_dir */
gchar *mvt_db_conninfo (const gchar *data_dir) G_GNUC_WARN_UNUSED_RESULT;
/* a connection to it (asserts it worked) */
PGconn *mvt_db_connect (const gchar *data_dir) G_GNUC_WARN_UNUSED_RESULT;
/* the first column of the first row (NULL: no row or SQL NULL) of a statement with text
 * parameters; asserts the statement ran */
gchar *mvt_db_value (PGconn *conn, const gchar *sql, gint n, const gchar *const *values)
	G_GNUC_WARN_UNUSED_RESULT;
/* the same, asserting the answer is exactly one row */
gchar *mvt_db_single (PGconn *conn, const gchar *sql, gint n, const gchar *const *values)
	G_GNUC_WARN_UNUSED_RESULT;
/* a count (or any integer) from mvt_db_value(); -1 for no row or NULL */
gint64 mvt_db_count (PGconn *conn, const gchar *sql, gint n, const gchar *const *values);
/* the rows of clinic @clinic in every table the patient and clinical stores write (count and
 * digest of each) and its audit entries' count: equal before and after a request that must
 * write nothing */
gchar *mvt_db_clinic_state (PGconn *conn, const gchar *clinic) G_GNUC_WARN_UNUSED_RESULT;
/* pg_dump --data-only … of the whole database, as text */
gchar *mvt_pg_dump (const gchar *data_dir) G_GNUC_WARN_UNUSED_RESULT;

/* pg_dump of the whole database with bytea printed in @format ("hex" or "escape") */
gchar *mvt_pg_dump_bytea (const gchar *data_dir, const gchar *format) G_GNUC_WARN_UNUSED_RESULT;
/* every row of @table as text, bytea columns printed in @format: what a reader of the raw table
 * sees */
gchar *
mvt_db_table_text (PGconn *conn, const gchar *table, const gchar *format) G_GNUC_WARN_UNUSED_RESULT;
/* whether @text shows @needle: as itself (case-folded), as the hex of its UTF-8 bytes (bytea in
 * hex form) or with its non-ASCII bytes as octal escapes (bytea in escape form, also doubled as
 * in a dump's COPY text) */
gboolean mvt_text_shows (const gchar *text, const gchar *needle);
/* asserts that no needle (NULL-terminated) shows in a pg_dump of the database (bytea in hex and
 * escape form), in any table's rows (both forms), nor in @log_text (may be NULL) */
void mvt_assert_appears_nowhere (const gchar *data_dir,
				 const gchar *const *needles,
				 const gchar *log_text);

G_END_DECLS
