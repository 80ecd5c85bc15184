#define G_LOG_DOMAIN "medverse-audit"

#include "mv-audit-log.h"

#include <medverse/mv-error.h>
#include <sodium.h>
#include <string.h>

#include "mv-audit-witness.h"
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

typedef struct {
	MvAuditWitness *witness;
	MvTreeHead *head;
} Witnessing;

static void
witnessing_free (gpointer data)
{
	Witnessing *w = data;
	mv_tree_head_free (w->head);
	g_free (w);
}

/* After the commit: a failure is logged by the witness (the entry is committed, the request
 * stands); verify then sees a witness behind the database, which is no alarm. */
static void
witness_committed_head (gpointer data)
{
	Witnessing *w = data;
	g_autoptr (GError) error = NULL;

	if (!mv_audit_witness_append (w->witness, w->head, &error))
		g_debug ("%s", error->message);
}

/* The head goes to the witness only once its transaction committed, so the witness never
 * holds a head the database never had (docs/security.md, "The witness file"). */
static void
witness_after_commit (PGconn *conn, MvAuditWitness *witness, MvTreeHead *head)
{
	Witnessing *w = g_new0 (Witnessing, 1);

	w->witness = witness;
	w->head = head;
	if (mv_db_on_commit (conn, witness_committed_head, w, witnessing_free))
		return;
	/* no mv_db_transaction() runs: in autocommit the statement has committed already */
	witness_committed_head (w);
	witnessing_free (w);
}

gboolean
mv_audit_log_append (PGconn *conn,
		     const MvAuditSigner *signer,
		     MvAuditWitness *witness,
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
	if (head != NULL && witness != NULL)
		witness_after_commit (conn, witness, g_steal_pointer (&head));
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
	/* every clinic too: one whose tree was deleted outright has no audit row left */
	g_autoptr (PGresult) res = mv_db_exec_params (
		conn,
		"SELECT clinic_id FROM audit_trees UNION SELECT clinic_id FROM audit_entries "
		"UNION SELECT clinic_id FROM audit_tree_heads "
		"UNION SELECT clinic_id::text FROM clinics ORDER BY 1",
		0, NULL, error);

	if (res == NULL)
		return NULL;
	for (gint i = 0; i < PQntuples (res); i++)
		g_strv_builder_add (builder, PQgetvalue (res, i, 0));
	return g_strv_builder_end (builder);
}

/* Whether @clinic_id is a row of the clinics table, and how many patients and API keys it has:
 * each of those was audited in the clinic's tree when it was made. */
static gboolean
read_clinic_holdings (PGconn *conn,
		      const gchar *clinic_id,
		      gboolean *is_clinic,
		      guint64 *n_patients,
		      guint64 *n_keys,
		      GError **error)
{
	const gchar *values[] = { clinic_id };
	g_autoptr (PGresult) res = NULL;

	*is_clinic = FALSE;
	*n_patients = *n_keys = 0;
	/* clinic ids are UUIDs; other tree ids ("_operator") name no clinic */
	if (!g_uuid_string_is_valid (clinic_id))
		return TRUE;
	res = mv_db_exec_params (
		conn,
		"SELECT EXISTS (SELECT 1 FROM clinics WHERE clinic_id = $1::uuid), "
		"(SELECT count(*) FROM patients WHERE clinic_id = $1::uuid), "
		"(SELECT count(*) FROM api_keys WHERE clinic_id = $1::uuid)",
		1, values, error);
	if (res == NULL)
		return FALSE;
	*is_clinic = g_str_equal (PQgetvalue (res, 0, 0), "t");
	*n_patients = g_ascii_strtoull (PQgetvalue (res, 0, 1), NULL, 10);
	*n_keys = g_ascii_strtoull (PQgetvalue (res, 0, 2), NULL, 10);
	return TRUE;
}

/* Every witnessed head must be a head this log signed: of this installation and tree, with a
 * valid signature.  Returns the largest witnessed size in @max_size. */
static gboolean
check_witness_signatures (const MvAuditTree *tree,
			  MvTreeHead *const *witnessed,
			  gsize n_witnessed,
			  const guint8 public_key[MV_AUDIT_PUBLIC_KEY_SIZE],
			  guint64 *max_size,
			  GError **error)
{
	*max_size = 0;
	for (gsize i = 0; i < n_witnessed; i++) {
		const MvTreeHead *w = witnessed[i];
		if (g_strcmp0 (w->log_id, tree->log_id) != 0
		    || g_strcmp0 (w->tree_id, tree->clinic_id) != 0) {
			g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
				     "witness: the head of size %" G_GUINT64_FORMAT
				     " names installation %s, tree %s, not this database's %s, "
				     "%s",
				     w->tree_size, w->log_id, w->tree_id, tree->log_id,
				     tree->clinic_id);
			return FALSE;
		}
		if (!mv_tree_head_verify (w, public_key, error)) {
			g_prefix_error (error, "witness: ");
			return FALSE;
		}
		*max_size = MAX (*max_size, w->tree_size);
	}
	return TRUE;
}

static gint
compare_head_size (gconstpointer a, gconstpointer b)
{
	const MvTreeHead *ha = *(MvTreeHead *const *)a;
	const MvTreeHead *hb = *(MvTreeHead *const *)b;
	return ha->tree_size < hb->tree_size ? -1 : ha->tree_size > hb->tree_size ? 1 : 0;
}

/* The database against the witness, once the database is consistent with itself: it must
 * reach every witnessed size, and its root at that size must be the witnessed root.  The
 * root is recomputed from the stored leaves, which verify has just checked against the rows:
 * the same test as verifying a consistency proof from the witnessed head to the current
 * tree, without building the proof.  Every witnessed head is checked, not only the newest:
 * a tail deleted and then appended to again reaches the witnessed size with another root. */
static gboolean
check_witnessed (const MvAuditTree *tree,
		 MvTreeHead *const *witnessed,
		 gsize n_witnessed,
		 const guint8 public_key[MV_AUDIT_PUBLIC_KEY_SIZE],
		 guint64 *witnessed_size,
		 GError **error)
{
	g_autofree MvTreeHead **sorted = NULL;
	g_autoptr (MvMerkleFrontier) frontier = NULL;
	guint8 root[MV_MERKLE_HASH_SIZE];
	gsize next = 0;

	if (!check_witness_signatures (tree, witnessed, n_witnessed, public_key, witnessed_size,
				       error))
		return FALSE;
	if (*witnessed_size > tree->n_entries) {
		g_autofree gchar *lost
			= *witnessed_size - tree->n_entries == 1
				  ? g_strdup_printf ("entry %" G_GSIZE_FORMAT " was",
						     tree->n_entries)
				  : g_strdup_printf ("entries %" G_GSIZE_FORMAT
						     " to %" G_GUINT64_FORMAT " were",
						     tree->n_entries, *witnessed_size - 1);
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
			     "rolled back: the witness holds a signed tree head of size "
			     "%" G_GUINT64_FORMAT " but the database has %" G_GSIZE_FORMAT
			     " entries: %s deleted from the end, with the heads and tree size "
			     "counting them",
			     *witnessed_size, tree->n_entries, lost);
		return FALSE;
	}
	sorted = g_memdup2 (witnessed, MAX (n_witnessed, 1) * sizeof *sorted);
	/* qsort() of nothing still wants an array (UBSan) */
	if (n_witnessed > 1)
		qsort (sorted, n_witnessed, sizeof *sorted, compare_head_size);
	frontier = mv_merkle_frontier_new ();
	for (gsize i = 0; i <= tree->n_entries && next < n_witnessed; i++) {
		if (i > 0)
			mv_merkle_frontier_append (
				frontier, tree->leaf_hashes + (i - 1) * MV_MERKLE_HASH_SIZE);
		mv_merkle_frontier_get_root (frontier, root);
		for (; next < n_witnessed && sorted[next]->tree_size == i; next++) {
			if (sodium_memcmp (root, sorted[next]->root_hash, sizeof root) == 0)
				continue;
			g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
				     "rewritten: the first %" G_GSIZE_FORMAT
				     " entries do not match the witnessed signed tree head of that "
				     "size: the log was rolled back and appended to again, or "
				     "rewritten",
				     i);
			return FALSE;
		}
	}
	return TRUE;
}

/* A tree with no row in any audit table: deleted if the witness knows it, or if its clinic
 * has data whose creation was audited there. */
static gboolean
verify_absent_tree (PGconn *conn,
		    const MvAuditTree *tree,
		    MvTreeHead *const *witnessed,
		    gsize n_witnessed,
		    const guint8 public_key[MV_AUDIT_PUBLIC_KEY_SIZE],
		    MvAuditVerifyStats *stats,
		    GError **error)
{
	guint64 n_patients = 0, n_keys = 0, witnessed_size = 0;
	g_autofree gchar *holdings = NULL;

	if (!read_clinic_holdings (conn, tree->clinic_id, &stats->is_clinic, &n_patients, &n_keys,
				   error)
	    || !check_witness_signatures (tree, witnessed, n_witnessed, public_key, &witnessed_size,
					  error))
		return FALSE;
	if (n_patients + n_keys > 0)
		holdings = g_strdup_printf ("the clinic has %" G_GUINT64_FORMAT
					    " patient(s) and %" G_GUINT64_FORMAT " API key(s)",
					    n_patients, n_keys);
	if (witnessed_size > 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
			     "deleted: the witness holds signed tree heads up to size "
			     "%" G_GUINT64_FORMAT
			     " but the database has no entry, head or tree row of this tree%s%s",
			     witnessed_size, holdings != NULL ? "; " : "",
			     holdings != NULL ? holdings : "");
		return FALSE;
	}
	if (holdings != NULL) {
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
			     "no audit tree, although %s, each of them audited there when made: "
			     "the clinic's audit log was deleted",
			     holdings);
		return FALSE;
	}
	return TRUE;
}

gboolean
mv_audit_log_verify_tree (PGconn *conn,
			  const gchar *clinic_id,
			  const guint8 public_key[MV_AUDIT_PUBLIC_KEY_SIZE],
			  MvTreeHead *const *witnessed,
			  gsize n_witnessed,
			  MvAuditVerifyStats *stats,
			  GError **error)
{
	g_autoptr (MvAuditTree) tree = mv_audit_log_read_tree (conn, clinic_id, G_MAXINT64, error);
	MvAuditVerifyStats local = { 0 };
	guint8 root[MV_MERKLE_HASH_SIZE];

	if (stats == NULL)
		stats = &local;
	memset (stats, 0, sizeof *stats);
	if (tree == NULL)
		return FALSE;
	stats->n_entries = tree->n_entries;
	stats->n_heads = tree->n_heads;
	stats->in_database = tree->has_tree_row || tree->n_entries > 0 || tree->n_heads > 0;
	if (!stats->in_database)
		return verify_absent_tree (conn, tree, witnessed, n_witnessed, public_key, stats,
					   error);
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
	/* consistent with itself; a database rolled back as a whole still is: the witness
	 * says what it once held */
	return check_witnessed (tree, witnessed, n_witnessed, public_key, &stats->witnessed_size,
				error);
}
