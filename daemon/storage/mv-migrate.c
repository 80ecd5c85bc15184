/*
 * Schema migrations: NNNN_name.sql files applied in order, once, under an advisory lock.
 */
#include "mv-migrate.h"

#include <string.h>

#include <medverse/mv-error.h>

#include "mv-db.h"

/* pg_advisory_lock key for migrations; any constant unlikely to collide ("MVMIGRAT") */
#define MV_MIGRATE_LOCK_KEY "5572391604565557588"

typedef struct {
	gint64 version;
	gchar *name; /* the file name, e.g. 0001_core.sql */
	gchar *sql;
	gchar *checksum; /* SHA-256, hex */
} MvMigration;

static void
mv_migration_free (MvMigration *m)
{
	g_free (m->name);
	g_free (m->sql);
	g_free (m->checksum);
	g_free (m);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvMigration, mv_migration_free)

/* NNNN_name.sql: at least four digits, '_', then [A-Za-z0-9_-]+ */
static gboolean
parse_file_name (const gchar *name, gint64 *version)
{
	gsize n_digits = strspn (name, "0123456789");
	gsize len = strlen (name);
	const gchar *rest = name + n_digits;
	g_autofree gchar *digits = NULL;
	guint64 v = 0;

	if (n_digits < 4 || rest[0] != '_' || len < n_digits + 1 + 1 + 4
	    || !g_str_has_suffix (name, ".sql"))
		return FALSE;
	for (const gchar *p = rest + 1; p < name + len - 4; p++) {
		if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-')
			return FALSE;
	}
	digits = g_strndup (name, n_digits);
	if (!g_ascii_string_to_unsigned (digits, 10, 0, G_MAXINT32, &v, NULL))
		return FALSE;
	*version = (gint64)v;
	return TRUE;
}

static gint
migration_cmp (gconstpointer a, gconstpointer b)
{
	const MvMigration *ma = *(MvMigration *const *)a;
	const MvMigration *mb = *(MvMigration *const *)b;
	return ma->version < mb->version ? -1 : ma->version > mb->version;
}

static MvMigration *
load_migration (const gchar *sql_dir, const gchar *name, gint64 version, GError **error)
{
	g_autoptr (MvMigration) m = g_new0 (MvMigration, 1);
	g_autofree gchar *path = g_build_filename (sql_dir, name, NULL);
	g_autoptr (GError) error_local = NULL;
	gsize len = 0;

	m->version = version;
	m->name = g_strdup (name);
	if (!g_file_get_contents (path, &m->sql, &len, &error_local)) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "cannot read migration %s: %s", path,
			     error_local->message);
		return NULL;
	}
	if (memchr (m->sql, '\0', len) != NULL || !g_utf8_validate (m->sql, (gssize)len, NULL)) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "migration %s is not valid UTF-8 text", path);
		return NULL;
	}
	m->checksum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *)m->sql, len);
	return g_steal_pointer (&m);
}

/* The migrations of @sql_dir, sorted by version. */
static GPtrArray *
load_migrations (const gchar *sql_dir, GError **error)
{
	g_autoptr (GPtrArray) list
		= g_ptr_array_new_with_free_func ((GDestroyNotify)mv_migration_free);
	g_autoptr (GError) error_local = NULL;
	g_autoptr (GDir) dir = g_dir_open (sql_dir, 0, &error_local);

	if (dir == NULL) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "cannot read migrations directory: %s", error_local->message);
		return NULL;
	}
	for (const gchar *name = g_dir_read_name (dir); name != NULL;
	     name = g_dir_read_name (dir)) {
		gint64 version = 0;
		MvMigration *m;
		if (name[0] == '.' || !g_str_has_suffix (name, ".sql"))
			continue;
		if (!parse_file_name (name, &version)) {
			g_set_error (
				error, MV_ERROR, MV_ERROR_FAILED,
				"migration file name %s in %s is not of the form "
				"NNNN_name.sql (digits, '_', then letters, digits, '_' or '-')",
				name, sql_dir);
			return NULL;
		}
		m = load_migration (sql_dir, name, version, error);
		if (m == NULL)
			return NULL;
		g_ptr_array_add (list, m);
	}
	g_ptr_array_sort (list, migration_cmp);
	for (guint i = 1; i < list->len; i++) {
		MvMigration *a = g_ptr_array_index (list, i - 1);
		MvMigration *b = g_ptr_array_index (list, i);
		if (a->version == b->version) {
			g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
				     "migrations %s and %s in %s have the same version", a->name,
				     b->name, sql_dir);
			return NULL;
		}
	}
	return g_steal_pointer (&list);
}

/* version (as a decimal string) -> "name\nchecksum" of every recorded migration, or NULL
 * with *missing_table set when the table does not exist yet. */
static GHashTable *
fetch_applied (PGconn *conn, gboolean *missing_table, GError **error)
{
	g_autoptr (PGresult) exists = NULL;
	g_autoptr (PGresult) res = NULL;
	g_autoptr (GHashTable) applied
		= g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

	*missing_table = FALSE;
	exists = mv_db_exec_params (conn, "SELECT to_regclass('schema_migrations') IS NOT NULL", 0,
				    NULL, error);
	if (exists == NULL)
		return NULL;
	if (g_strcmp0 (PQgetvalue (exists, 0, 0), "t") != 0) {
		*missing_table = TRUE;
		return NULL;
	}
	res = mv_db_exec_params (conn, "SELECT version, name, checksum FROM schema_migrations", 0,
				 NULL, error);
	if (res == NULL)
		return NULL;
	for (gint i = 0; i < PQntuples (res); i++) {
		g_hash_table_insert (
			applied, g_strdup (PQgetvalue (res, i, 0)),
			g_strdup_printf ("%s\n%s", PQgetvalue (res, i, 1), PQgetvalue (res, i, 2)));
	}
	return g_steal_pointer (&applied);
}

/* Checks an applied migration against its file.  Returns FALSE with MV_ERROR_INTEGRITY if
 * the file was renamed or edited after it was applied. */
static gboolean
verify_applied (const MvMigration *m, const gchar *recorded, GError **error)
{
	g_autofree gchar *expected = g_strdup_printf ("%s\n%s", m->name, m->checksum);
	g_auto (GStrv) parts = NULL;

	if (g_str_equal (recorded, expected))
		return TRUE;
	parts = g_strsplit (recorded, "\n", 2);
	if (g_strcmp0 (parts[0], m->name) != 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
			     "migration version %" G_GINT64_FORMAT
			     " was applied as %s but the file "
			     "is now %s; applied migrations must not be renamed",
			     m->version, parts[0], m->name);
	} else {
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
			     "migration %s changed after it was applied (checksum %s, recorded "
			     "%s); write a new migration instead of editing an applied one",
			     m->name, m->checksum, parts[1] != NULL ? parts[1] : "?");
	}
	return FALSE;
}

/* The 1-based line of a 1-based character position in @sql, or 0. */
static guint
line_of_position (const gchar *sql, const gchar *position)
{
	guint64 pos = 0;
	const gchar *end;
	guint line = 1;

	if (position == NULL
	    || !g_ascii_string_to_unsigned (position, 10, 1, G_MAXINT32, &pos, NULL))
		return 0;
	if ((glong)pos > g_utf8_strlen (sql, -1))
		return 0;
	end = g_utf8_offset_to_pointer (sql, (glong)pos - 1);
	for (const gchar *p = sql; p < end; p++)
		line += *p == '\n';
	return line;
}

static gboolean
run_migration_sql (PGconn *conn, const MvMigration *m, GError **error)
{
	g_autoptr (PGresult) res = PQexec (conn, m->sql);
	ExecStatusType status = PQresultStatus (res);
	const gchar *primary;
	const gchar *state;
	guint line;

	if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK
	    || status == PGRES_EMPTY_QUERY) {
		if (PQtransactionStatus (conn) == PQTRANS_INTRANS)
			return TRUE;
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "migration %s ended its transaction itself; BEGIN, COMMIT and "
			     "ROLLBACK are not allowed in a migration",
			     m->name);
		return FALSE;
	}
	primary = PQresultErrorField (res, PG_DIAG_MESSAGE_PRIMARY);
	state = PQresultErrorField (res, PG_DIAG_SQLSTATE);
	line = line_of_position (m->sql, PQresultErrorField (res, PG_DIAG_STATEMENT_POSITION));
	if (primary == NULL) {
		g_autofree gchar *msg = g_strdup (PQerrorMessage (conn));
		g_set_error (error, MV_ERROR,
			     PQstatus (conn) == CONNECTION_OK ? MV_ERROR_FAILED
							      : MV_ERROR_UNAVAILABLE,
			     "migration %s failed: %s", m->name, g_strstrip (msg));
	} else if (line > 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "migration %s failed at line %u: %s (SQLSTATE %s)", m->name, line,
			     primary, state != NULL ? state : "?");
	} else {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "migration %s failed: %s (SQLSTATE %s)", m->name, primary,
			     state != NULL ? state : "?");
	}
	return FALSE;
}

static gboolean
apply_one (PGconn *conn, const MvMigration *m, GError **error)
{
	g_autofree gchar *version = g_strdup_printf ("%" G_GINT64_FORMAT, m->version);
	const gchar *const values[] = { version, m->name, m->checksum };
	g_autoptr (PGresult) res = NULL;
	g_autoptr (PGresult) commit = NULL;

	if (!mv_db_exec (conn, "BEGIN", error))
		return FALSE;
	if (!run_migration_sql (conn, m, error)) {
		PQclear (PQexec (conn, "ROLLBACK"));
		g_prefix_error (error, "schema left as it was: ");
		return FALSE;
	}
	res = mv_db_exec_params (conn,
				 "INSERT INTO schema_migrations (version, name, checksum) "
				 "VALUES ($1, $2, $3)",
				 3, values, error);
	if (res == NULL) {
		PQclear (PQexec (conn, "ROLLBACK"));
		g_prefix_error (error, "cannot record migration %s: ", m->name);
		return FALSE;
	}
	commit = mv_db_exec_params (conn, "COMMIT", 0, NULL, error);
	if (commit == NULL) {
		g_prefix_error (error, "cannot commit migration %s: ", m->name);
		return FALSE;
	}
	if (g_strcmp0 (PQcmdStatus (commit), "COMMIT") != 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "migration %s was rolled back",
			     m->name);
		return FALSE;
	}
	return TRUE;
}

static gboolean
apply_locked (PGconn *conn, GPtrArray *migrations, GError **error)
{
	g_autoptr (GHashTable) applied = NULL;
	gboolean missing = FALSE;
	guint n_applied = 0;

	applied = fetch_applied (conn, &missing, error);
	if (applied == NULL && !missing)
		return FALSE;
	if (applied == NULL) {
		/* first run; we hold the lock, so nobody else is creating it */
		if (!mv_db_exec (conn,
				 "CREATE TABLE schema_migrations ("
				 " version integer PRIMARY KEY,"
				 " name text NOT NULL,"
				 " checksum text NOT NULL,"
				 " applied_at timestamptz NOT NULL DEFAULT now())",
				 error))
			return FALSE;
		applied = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	}
	for (guint i = 0; i < migrations->len; i++) {
		const MvMigration *m = g_ptr_array_index (migrations, i);
		g_autofree gchar *version = g_strdup_printf ("%" G_GINT64_FORMAT, m->version);
		const gchar *recorded = g_hash_table_lookup (applied, version);
		if (recorded != NULL) {
			if (!verify_applied (m, recorded, error))
				return FALSE;
			g_hash_table_remove (applied, version);
			continue;
		}
		if (!apply_one (conn, m, error))
			return FALSE;
		g_message ("applied migration %s", m->name);
		n_applied++;
	}
	if (g_hash_table_size (applied) > 0)
		g_warning ("the database has %u migration(s) unknown to this daemon (applied by a "
			   "newer version?)",
			   g_hash_table_size (applied));
	g_debug ("%u migration(s) applied, %u already present", n_applied,
		 migrations->len - n_applied);
	return TRUE;
}

gboolean
mv_migrate_apply (PGconn *conn, const gchar *sql_dir, GError **error)
{
	g_autoptr (GPtrArray) migrations = NULL;
	g_autoptr (PGresult) lock = NULL;
	g_autoptr (PGresult) unlock = NULL;
	const gchar *const key[] = { MV_MIGRATE_LOCK_KEY };
	gboolean ok;

	g_return_val_if_fail (conn != NULL, FALSE);
	g_return_val_if_fail (sql_dir != NULL, FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	migrations = load_migrations (sql_dir, error);
	if (migrations == NULL)
		return FALSE;
	if (PQtransactionStatus (conn) != PQTRANS_IDLE) {
		g_set_error_literal (error, MV_ERROR, MV_ERROR_FAILED,
				     "cannot migrate on a connection inside a transaction");
		return FALSE;
	}
	/* session-level, so it spans the per-migration transactions; a concurrent daemon
	 * blocks here until we are done, then finds everything applied */
	lock = mv_db_exec_params (conn, "SELECT pg_advisory_lock($1::bigint)", 1, key, error);
	if (lock == NULL) {
		g_prefix_error (error, "cannot take the migration lock: ");
		return FALSE;
	}
	ok = apply_locked (conn, migrations, error);
	/* if the connection is gone, so is the lock */
	unlock = PQexecParams (conn, "SELECT pg_advisory_unlock($1::bigint)", 1, NULL, key, NULL,
			       NULL, 0);
	return ok;
}

gboolean
mv_migrate_check (PGconn *conn, const gchar *sql_dir, GError **error)
{
	g_autoptr (GPtrArray) migrations = NULL;
	g_autoptr (GHashTable) applied = NULL;
	gboolean missing = FALSE;

	g_return_val_if_fail (conn != NULL, FALSE);
	g_return_val_if_fail (sql_dir != NULL, FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	migrations = load_migrations (sql_dir, error);
	if (migrations == NULL)
		return FALSE;
	applied = fetch_applied (conn, &missing, error);
	if (applied == NULL && missing && migrations->len == 0)
		return TRUE;
	if (applied == NULL) {
		if (missing)
			g_set_error (error, MV_ERROR, MV_ERROR_UNAVAILABLE,
				     "no migration applied yet (%u pending)", migrations->len);
		return FALSE;
	}
	for (guint i = 0; i < migrations->len; i++) {
		const MvMigration *m = g_ptr_array_index (migrations, i);
		g_autofree gchar *version = g_strdup_printf ("%" G_GINT64_FORMAT, m->version);
		const gchar *recorded = g_hash_table_lookup (applied, version);
		if (recorded == NULL) {
			g_set_error (error, MV_ERROR, MV_ERROR_UNAVAILABLE,
				     "migration %s is not applied", m->name);
			return FALSE;
		}
		if (!verify_applied (m, recorded, error))
			return FALSE;
	}
	return TRUE;
}
