#define G_LOG_DOMAIN "medverse-audit"

#include "mv-audit-log.h"

#include <medverse/mv-error.h>
#include <sodium.h>
#include <string.h>

#include "mv-db.h"

/* Timestamps cross the SQL boundary as integer microseconds; split into seconds and
 * microseconds so no floating-point conversion ever rounds them. */
#define SQL_FROM_US(n)                                                                             \
	"('epoch'::timestamptz + (" n "::bigint / 1000000) * interval '1 second' + (" n            \
	"::bigint % 1000000) * interval '1 microsecond')"
#define SQL_TO_US(col) "(extract(epoch from " col ") * 1000000)::bigint"

/* A caller without a signer (a tool, a test) still appends; say once that heads go unsigned. */
static void
warn_unsigned_once (void)
{
	static gsize warned = 0;

	if (g_once_init_enter (&warned)) {
		g_warning ("no audit signing key given: audit entries are appended without signed "
			   "tree heads");
		g_once_init_leave (&warned, 1);
	}
}

static gboolean
bytea_exact (const gchar *text, guint8 *out, gsize len)
{
	g_autoptr (GBytes) bytes = mv_db_bytea_from_text (text);
	if (bytes == NULL || g_bytes_get_size (bytes) != len)
		return FALSE;
	memcpy (out, g_bytes_get_data (bytes, NULL), len);
	return TRUE;
}

static const gchar *
actor_name (const MvAuthContext *actor)
{
	if (actor == NULL)
		return "system";
	if (actor->key_id != NULL && actor->key_id[0] != '\0')
		return actor->key_id;
	return actor->role == MV_ROLE_OPERATOR ? "operator" : "system";
}

/* Locks the tree's row, creating it for the first entry.  ON CONFLICT DO NOTHING waits for a
 * concurrent creator, so the SELECT that follows always finds the row. */
static PGresult *
lock_tree (PGconn *conn, const gchar *clinic_id, GError **error)
{
	static const gchar *select_sql
		= "SELECT t.size, t.frontier, (SELECT installation_id::text FROM installation) "
		  "FROM audit_trees t WHERE t.clinic_id = $1 FOR UPDATE OF t";
	const gchar *values[] = { clinic_id, NULL, NULL };
	g_autoptr (PGresult) res = NULL;
	g_autoptr (MvMerkleFrontier) empty = NULL;
	g_autoptr (GBytes) empty_bytes = NULL;
	g_autofree gchar *frontier_text = NULL;
	g_autofree gchar *root_text = NULL;
	guint8 root[MV_MERKLE_HASH_SIZE];

	res = mv_db_exec_params (conn, select_sql, 1, values, error);
	if (res == NULL)
		return NULL;
	if (PQntuples (res) == 1)
		return g_steal_pointer (&res);
	g_clear_pointer (&res, PQclear);

	empty = mv_merkle_frontier_new ();
	empty_bytes = mv_merkle_frontier_to_bytes (empty);
	mv_merkle_frontier_get_root (empty, root);
	frontier_text = mv_db_bytea_bytes_to_text (empty_bytes);
	root_text = mv_db_bytea_to_text (root, sizeof root);
	values[1] = frontier_text;
	values[2] = root_text;
	res = mv_db_exec_params (
		conn,
		"INSERT INTO audit_trees (clinic_id, size, frontier, root) "
		"VALUES ($1, 0, $2::bytea, $3::bytea) ON CONFLICT (clinic_id) DO NOTHING",
		3, values, error);
	if (res == NULL)
		return NULL;
	g_clear_pointer (&res, PQclear);
	res = mv_db_exec_params (conn, select_sql, 1, values, error);
	if (res == NULL)
		return NULL;
	if (PQntuples (res) != 1) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "audit tree of clinic %s could not be created", clinic_id);
		return NULL;
	}
	return g_steal_pointer (&res);
}

gboolean
mv_audit_log_append (PGconn *conn,
		     const MvAuditSigner *signer,
		     const MvAuthContext *actor,
		     const gchar *clinic_id,
		     const gchar *action,
		     const gchar *resource_type,
		     const gchar *resource_id,
		     const gchar *request_id,
		     GError **error)
{
	const gchar *tree = clinic_id != NULL ? clinic_id : MV_AUDIT_OPERATOR_TREE;
	MvAuditEntry entry = {
		.clinic_id = tree,
		.timestamp_us = g_get_real_time (),
		.actor = actor_name (actor),
		.action = action,
		.resource_type = resource_type,
		.resource_id = resource_id != NULL ? resource_id : "",
		.request_id = request_id != NULL ? request_id : "",
	};
	guint8 leaf[MV_MERKLE_HASH_SIZE], root[MV_MERKLE_HASH_SIZE];
	g_autoptr (PGresult) locked = NULL;
	g_autoptr (PGresult) res = NULL;
	g_autoptr (GBytes) stored = NULL;
	g_autoptr (GBytes) frontier_bytes = NULL;
	g_autoptr (MvMerkleFrontier) frontier = NULL;
	g_autoptr (MvTreeHead) head = NULL;
	g_autofree gchar *seq_text = NULL, *size_text = NULL, *ts_text = NULL, *leaf_text = NULL;
	g_autofree gchar *frontier_text = NULL, *root_text = NULL, *sig_text = NULL;
	g_autofree gchar *sql = NULL;
	const gchar *values[13];

	/* validate the fields before touching the database (seq is not known yet: any will do) */
	if (!mv_audit_entry_leaf_hash (&entry, leaf, error)) {
		g_prefix_error (error, "audit entry: ");
		return FALSE;
	}
	locked = lock_tree (conn, tree, error);
	if (locked == NULL)
		return FALSE;
	stored = mv_db_bytea_from_text (PQgetvalue (locked, 0, 1));
	if (stored == NULL) {
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
			     "audit tree of clinic %s: stored frontier is not valid bytea", tree);
		return FALSE;
	}
	frontier = mv_merkle_frontier_new_from_bytes (stored, error);
	if (frontier == NULL) {
		g_prefix_error (error, "audit tree of clinic %s: ", tree);
		return FALSE;
	}
	entry.seq = g_ascii_strtoull (PQgetvalue (locked, 0, 0), NULL, 10);
	if (mv_merkle_frontier_get_size (frontier) != entry.seq) {
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
			     "audit tree of clinic %s: stored frontier has size %" G_GUINT64_FORMAT
			     " but the tree has %" G_GUINT64_FORMAT " entries",
			     tree, mv_merkle_frontier_get_size (frontier), entry.seq);
		return FALSE;
	}
	if (!mv_audit_entry_leaf_hash (&entry, leaf, error))
		return FALSE;
	mv_merkle_frontier_append (frontier, leaf);
	mv_merkle_frontier_get_root (frontier, root);
	frontier_bytes = mv_merkle_frontier_to_bytes (frontier);

	seq_text = g_strdup_printf ("%" G_GUINT64_FORMAT, entry.seq);
	size_text = g_strdup_printf ("%" G_GUINT64_FORMAT, entry.seq + 1);
	ts_text = g_strdup_printf ("%" G_GINT64_FORMAT, entry.timestamp_us);
	leaf_text = mv_db_bytea_to_text (leaf, sizeof leaf);
	frontier_text = mv_db_bytea_bytes_to_text (frontier_bytes);
	root_text = mv_db_bytea_to_text (root, sizeof root);
	values[0] = tree;
	values[1] = seq_text;
	values[2] = ts_text;
	values[3] = entry.actor;
	values[4] = entry.action;
	values[5] = entry.resource_type;
	values[6] = entry.resource_id;
	values[7] = entry.request_id;
	values[8] = leaf_text;
	values[9] = size_text;
	values[10] = frontier_text;
	values[11] = root_text;
	values[12] = NULL;

	if (signer == NULL)
		warn_unsigned_once ();
	if (signer != NULL) {
		head = mv_tree_head_new (PQgetvalue (locked, 0, 2), tree, entry.seq + 1, root,
					 entry.timestamp_us);
		mv_audit_signer_sign (signer, head);
		sig_text = mv_db_bytea_to_text (head->signature, sizeof head->signature);
		values[12] = sig_text;
	}
	/* entry, head and the new append point in one statement: one round trip */
	sql = g_strconcat (
		"WITH e AS (INSERT INTO audit_entries (clinic_id, seq, occurred_at, actor, action, "
		"resource_type, resource_id, request_id, leaf_hash) VALUES ($1, $2::bigint, ",
		SQL_FROM_US ("$3"),
		", $4, $5, $6, $7, $8, $9::bytea)), "
		"h AS (INSERT INTO audit_tree_heads (clinic_id, size, root, signed_at, signature) "
		"SELECT $1, $10::bigint, $12::bytea, ",
		SQL_FROM_US ("$3"),
		", $13::bytea WHERE $13::bytea IS NOT NULL) "
		"UPDATE audit_trees SET size = $10::bigint, frontier = $11::bytea, root = "
		"$12::bytea "
		"WHERE clinic_id = $1",
		NULL);
	res = mv_db_exec_params (conn, sql, 13, values, error);
	if (res == NULL) {
		g_prefix_error (error, "audit append to clinic %s: ", tree);
		return FALSE;
	}
	return TRUE;
}

gchar *
mv_audit_log_get_installation_id (PGconn *conn, GError **error)
{
	g_autoptr (PGresult) res = mv_db_exec_params (
		conn, "SELECT installation_id::text FROM installation", 0, NULL, error);
	if (res == NULL)
		return NULL;
	if (PQntuples (res) != 1) {
		g_set_error_literal (error, MV_ERROR, MV_ERROR_FAILED,
				     "table installation has no row");
		return NULL;
	}
	return g_strdup (PQgetvalue (res, 0, 0));
}

void
mv_audit_tree_free (MvAuditTree *tree)
{
	if (tree == NULL)
		return;
	g_free (tree->clinic_id);
	g_free (tree->log_id);
	g_free (tree->entries);
	g_free (tree->leaf_hashes);
	for (gsize i = 0; i < tree->n_heads; i++)
		mv_tree_head_free (tree->heads[i]);
	g_free (tree->heads);
	if (tree->strings != NULL)
		g_string_chunk_free (tree->strings);
	g_free (tree);
}

static gboolean
read_entries (PGconn *conn, MvAuditTree *tree, gint64 min_seq, gint64 max_seq, GError **error)
{
	g_autofree gchar *max_text = g_strdup_printf ("%" G_GINT64_FORMAT, max_seq);
	g_autofree gchar *min_text = g_strdup_printf ("%" G_GINT64_FORMAT, min_seq);
	const gchar *values[] = { tree->clinic_id, max_text, min_text };
	g_autoptr (PGresult) res = mv_db_exec_params (
		conn,
		"SELECT seq, " SQL_TO_US (
			"occurred_at") ", actor, action, resource_type, "
				       "resource_id, request_id, leaf_hash FROM audit_entries "
				       "WHERE clinic_id = $1 AND seq < $2::bigint AND seq >= "
				       "$3::bigint "
				       "ORDER BY seq",
		3, values, error);

	if (res == NULL)
		return FALSE;
	tree->n_entries = PQntuples (res);
	tree->entries = g_new0 (MvAuditEntry, MAX (tree->n_entries, 1));
	tree->leaf_hashes = g_malloc0 (MAX (tree->n_entries, 1) * MV_MERKLE_HASH_SIZE);
	for (gsize i = 0; i < tree->n_entries; i++) {
		MvAuditEntry *e = &tree->entries[i];
		e->clinic_id = tree->clinic_id;
		e->seq = g_ascii_strtoull (PQgetvalue (res, i, 0), NULL, 10);
		e->timestamp_us = g_ascii_strtoll (PQgetvalue (res, i, 1), NULL, 10);
		e->actor = g_string_chunk_insert (tree->strings, PQgetvalue (res, i, 2));
		e->action = g_string_chunk_insert (tree->strings, PQgetvalue (res, i, 3));
		e->resource_type = g_string_chunk_insert (tree->strings, PQgetvalue (res, i, 4));
		e->resource_id = g_string_chunk_insert (tree->strings, PQgetvalue (res, i, 5));
		e->request_id = g_string_chunk_insert (tree->strings, PQgetvalue (res, i, 6));
		if (!bytea_exact (PQgetvalue (res, i, 7),
				  tree->leaf_hashes + i * MV_MERKLE_HASH_SIZE,
				  MV_MERKLE_HASH_SIZE)) {
			g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
				     "audit tree of clinic %s: entry %" G_GUINT64_FORMAT
				     " has a malformed leaf hash",
				     tree->clinic_id, e->seq);
			return FALSE;
		}
	}
	return TRUE;
}

static gboolean
read_heads (PGconn *conn, MvAuditTree *tree, GError **error)
{
	const gchar *values[] = { tree->clinic_id };
	g_autoptr (PGresult) res = mv_db_exec_params (
		conn,
		"SELECT size, root, " SQL_TO_US ("signed_at") ", signature FROM audit_tree_heads "
							      "WHERE clinic_id = $1 ORDER BY size",
		1, values, error);

	if (res == NULL)
		return FALSE;
	tree->n_heads = PQntuples (res);
	tree->heads = g_new0 (MvTreeHead *, tree->n_heads + 1);
	for (gsize i = 0; i < tree->n_heads; i++) {
		guint8 root[MV_MERKLE_HASH_SIZE];
		guint64 size = g_ascii_strtoull (PQgetvalue (res, i, 0), NULL, 10);
		MvTreeHead *head;

		if (!bytea_exact (PQgetvalue (res, i, 1), root, sizeof root))
			memset (root, 0, sizeof root);
		head = mv_tree_head_new (tree->log_id, tree->clinic_id, size, root,
					 g_ascii_strtoll (PQgetvalue (res, i, 2), NULL, 10));
		/* a malformed signature stays all-zero and fails verification, naming the head */
		bytea_exact (PQgetvalue (res, i, 3), head->signature, sizeof head->signature);
		tree->heads[i] = head;
	}
	return TRUE;
}

/* The tree row and entries [min_seq, max_seq); the heads only when asked for. */
static MvAuditTree *
read_tree (PGconn *conn,
	   const gchar *clinic_id,
	   gint64 min_seq,
	   gint64 max_seq,
	   gboolean with_heads,
	   GError **error)
{
	g_autoptr (MvAuditTree) tree = g_new0 (MvAuditTree, 1);
	const gchar *values[] = { clinic_id };
	g_autoptr (PGresult) res = NULL;

	tree->clinic_id = g_strdup (clinic_id);
	tree->strings = g_string_chunk_new (4096);
	tree->log_id = mv_audit_log_get_installation_id (conn, error);
	if (tree->log_id == NULL)
		return NULL;
	res = mv_db_exec_params (conn, "SELECT size, root FROM audit_trees WHERE clinic_id = $1", 1,
				 values, error);
	if (res == NULL)
		return NULL;
	if (PQntuples (res) == 1) {
		tree->has_tree_row = TRUE;
		tree->stored_size = g_ascii_strtoull (PQgetvalue (res, 0, 0), NULL, 10);
		if (!bytea_exact (PQgetvalue (res, 0, 1), tree->stored_root, MV_MERKLE_HASH_SIZE))
			memset (tree->stored_root, 0, MV_MERKLE_HASH_SIZE);
	}
	if (!read_entries (conn, tree, min_seq, max_seq, error))
		return NULL;
	if (with_heads && !read_heads (conn, tree, error))
		return NULL;
	if (!with_heads)
		tree->heads = g_new0 (MvTreeHead *, 1);
	return g_steal_pointer (&tree);
}

MvAuditTree *
mv_audit_log_read_tree (PGconn *conn, const gchar *clinic_id, gint64 max_seq, GError **error)
{
	return read_tree (conn, clinic_id, 0, max_seq, TRUE, error);
}

MvAuditTree *
mv_audit_log_read_page (
	PGconn *conn, const gchar *clinic_id, gint64 from, gint64 limit, GError **error)
{
	gint64 end = from > G_MAXINT64 - limit ? G_MAXINT64 : from + limit;
	return read_tree (conn, clinic_id, from, end, FALSE, error);
}

GStrv
mv_audit_log_list_trees (PGconn *conn, GError **error)
{
	g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
	g_autoptr (PGresult) res = mv_db_exec_params (
		conn,
		"SELECT clinic_id FROM audit_trees UNION SELECT clinic_id FROM audit_entries "
		"UNION SELECT clinic_id FROM audit_tree_heads ORDER BY 1",
		0, NULL, error);

	if (res == NULL)
		return NULL;
	for (gint i = 0; i < PQntuples (res); i++)
		g_strv_builder_add (builder, PQgetvalue (res, i, 0));
	return g_strv_builder_end (builder);
}

gboolean
mv_audit_log_verify_tree (PGconn *conn,
			  const gchar *clinic_id,
			  const guint8 public_key[MV_AUDIT_PUBLIC_KEY_SIZE],
			  guint64 *n_entries,
			  guint64 *n_heads,
			  GError **error)
{
	g_autoptr (MvAuditTree) tree = mv_audit_log_read_tree (conn, clinic_id, G_MAXINT64, error);
	guint8 root[MV_MERKLE_HASH_SIZE];

	if (tree == NULL)
		return FALSE;
	if (n_entries != NULL)
		*n_entries = tree->n_entries;
	if (n_heads != NULL)
		*n_heads = tree->n_heads;
	/* entries first, without heads, so a deleted or reordered row is named by its number
	 * rather than reported through the heads it breaks */
	if (!mv_audit_verify_log (tree->log_id, clinic_id, tree->entries, tree->leaf_hashes,
				  tree->n_entries, NULL, 0, public_key, error)
	    || !mv_audit_verify_log (tree->log_id, clinic_id, tree->entries, tree->leaf_hashes,
				     tree->n_entries, tree->heads, tree->n_heads, public_key,
				     error))
		return FALSE;
	/* the append point must describe exactly these entries: entries deleted from the end
	 * after the last head, or a tampered frontier, show here */
	if (!tree->has_tree_row) {
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
			     "audit tree %s: its audit_trees row is missing", clinic_id);
		return FALSE;
	}
	if (tree->stored_size != tree->n_entries) {
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
			     "audit tree %s: the tree records %" G_GUINT64_FORMAT
			     " entries but %" G_GSIZE_FORMAT " are stored: entry %" G_GSIZE_FORMAT
			     " is missing",
			     clinic_id, tree->stored_size, tree->n_entries,
			     MIN ((gsize)tree->stored_size, tree->n_entries));
		return FALSE;
	}
	mv_merkle_root (tree->leaf_hashes, tree->n_entries, root);
	if (sodium_memcmp (root, tree->stored_root, sizeof root) != 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
			     "audit tree %s: the stored root does not match its %" G_GSIZE_FORMAT
			     " entries",
			     clinic_id, tree->n_entries);
		return FALSE;
	}
	return TRUE;
}
