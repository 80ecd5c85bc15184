/*
 * Medverse audit — the tamper-evident audit log in PostgreSQL.
 *
 * One RFC 6962 Merkle tree per clinic (and MV_AUDIT_OPERATOR_TREE for operator actions that
 * belong to no clinic), stored in the tables of schemas/sql/0004_audit.sql:
 *
 *   audit_trees       (clinic_id, size, frontier, root)       the append point, one row a tree
 *   audit_entries     (clinic_id, seq, occurred_at, actor, action, resource_type, resource_id,
 *                      request_id, leaf_hash)                 the leaves
 *   audit_tree_heads  (clinic_id, size, root, signed_at, signature)   signed tree heads
 *
 * Appending happens inside the caller's transaction, so the entry commits if and only if the
 * data change it records commits.  The clinic's audit_trees row is locked FOR UPDATE: appends
 * to one clinic's tree are serialised, appends to different clinics never wait for each other.
 * Each append signs a tree head for the new size (see docs/security.md for why per append), and
 * once the transaction has committed the head is also written to the witness files
 * (mv-audit-witness.h), which the database cannot reach: `medversectl audit verify` compares
 * the two, so a tail or a tree cut from the database is reported.
 */
#pragma once

#include <gio/gio.h>
#include <libpq-fe.h>

#include "mv-audit-witness.h"
#include "mv-audit.h"
#include "mv-auth-context.h"

G_BEGIN_DECLS

/**
 * mv_audit_log_append:
 * @conn: a connection inside the caller's transaction (BEGIN already sent)
 * @signer: (nullable): the key the new tree head is signed with: the services' signer, never a
 *   global.  %NULL appends the entry without signing a head (a warning is logged once): the
 *   gap is visible to `medversectl audit verify` as entries not covered by any head.
 * @witness: (nullable): where the signed head is also written once the transaction commits:
 *   the services' witness (mv_db_on_commit(); outside mv_db_transaction() it is written at
 *   once, which is right in autocommit only).  %NULL: no witness (tools, tests)
 * @actor: (nullable): who; its key_id is recorded ("operator" for an operator context without
 *   a key id, "system" for %NULL)
 * @clinic_id: (nullable): the clinic whose tree gets the entry; %NULL: the operator tree
 * @action: e.g. "patient.read", "patient.update", "key.revoke"
 * @resource_type: e.g. "patient", "api-key", "clinic"
 * @resource_id: (nullable): which one (an id, never patient data); %NULL for none
 * @request_id: (nullable): the request it was part of; %NULL for none
 * @error: return location for a #GError
 *
 * Appends one entry: locks the tree's row, computes the leaf hash over the canonical encoding
 * (mv_audit_entry_leaf_hash()), inserts the entry, advances the stored frontier (O(log n), no
 * old entry is read) and inserts a signed tree head for the new size.  Two round trips (three
 * for a clinic's first entry).  The head's witness line is written after the commit, before
 * mv_db_transaction() returns.
 *
 * Errors: %MV_ERROR_INVALID_INPUT naming a malformed field (empty action, control characters,
 * over 256 bytes…); the errors of mv_db_exec_params() (%MV_ERROR_UNAVAILABLE when the
 * connection is lost); %MV_ERROR_INTEGRITY if the stored frontier is corrupt.  On error the
 * caller must roll back (mv_db_transaction() does).
 *
 * Thread safety: @conn is used by this call alone; any number of threads may append at once.
 *
 * Returns: %TRUE when the entry is written (committed with the caller's transaction)
 */
G_GNUC_WARN_UNUSED_RESULT gboolean mv_audit_log_append (PGconn *conn,
							const MvAuditSigner *signer,
							MvAuditWitness *witness,
							const MvAuthContext *actor,
							const gchar *clinic_id,
							const gchar *action,
							const gchar *resource_type,
							const gchar *resource_id,
							const gchar *request_id,
							GError **error);

/**
 * mv_audit_log_get_installation_id:
 *
 * Returns: (transfer full): the installation id the tree heads name (table installation), or
 *   %NULL with an error
 */
gchar *mv_audit_log_get_installation_id (PGconn *conn, GError **error);

/**
 * MvAuditTree:
 *
 * A tree read back from the database for verification or proofs: every entry in seq order
 * (their strings owned by @strings), the stored leaf hashes and every stored signed head.
 */
typedef struct {
	gchar *clinic_id;
	gchar *log_id;
	MvAuditEntry *entries;
	guint8 *leaf_hashes; /* n_entries × 32 */
	gsize n_entries;
	MvTreeHead **heads;
	gsize n_heads;
	GStringChunk *strings;
	/* audit_trees row as stored */
	guint64 stored_size;
	guint8 stored_root[MV_MERKLE_HASH_SIZE];
	gboolean has_tree_row;
} MvAuditTree;

void mv_audit_tree_free (MvAuditTree *tree);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvAuditTree, mv_audit_tree_free)

/**
 * mv_audit_log_read_tree:
 * @conn: a connection
 * @clinic_id: the tree
 * @max_seq: read entries with seq < @max_seq only (G_MAXINT64 for all)
 * @error: return location for a #GError
 *
 * Reads the tree's entries ordered by seq, exactly as stored (no gap is filled, so a deleted
 * row shows up as a seq mismatch), and every head.  Scoped in SQL by @clinic_id.
 *
 * Returns: (transfer full): the tree, or %NULL with an error
 */
MvAuditTree *
mv_audit_log_read_tree (PGconn *conn, const gchar *clinic_id, gint64 max_seq, GError **error);

/**
 * mv_audit_log_read_page:
 * @conn: a connection
 * @clinic_id: the tree
 * @from: first seq
 * @limit: at most this many entries
 * @error: return location for a #GError
 *
 * Entries with @from <= seq < @from + @limit and the tree row, no heads: the cost of a page is
 * the page, not the tree before it.
 *
 * Returns: (transfer full): the page, or %NULL with an error
 */
MvAuditTree *mv_audit_log_read_page (
	PGconn *conn, const gchar *clinic_id, gint64 from, gint64 limit, GError **error);

/**
 * mv_audit_log_list_trees:
 *
 * Returns: (transfer full): the ids having an audit tree, entries or heads, and every clinic
 *   of the clinics table (a clinic whose tree was deleted outright has no audit row left),
 *   sorted, or %NULL with an error
 */
GStrv mv_audit_log_list_trees (PGconn *conn, GError **error);

/**
 * MvAuditVerifyStats:
 * @n_entries: entries read
 * @n_heads: signed heads in the database checked
 * @witnessed_size: the largest witnessed size checked (0: the witness has no head of the tree)
 * @in_database: the tree has a row in some audit table
 * @is_clinic: the id is a row of the clinics table
 */
typedef struct {
	guint64 n_entries;
	guint64 n_heads;
	guint64 witnessed_size;
	gboolean in_database;
	gboolean is_clinic;
} MvAuditVerifyStats;

/**
 * mv_audit_log_verify_tree:
 * @conn: a connection; run every tree of one check in one REPEATABLE READ transaction, after
 *   the witness was read, so a head committed meanwhile is in neither or in the database
 * @clinic_id: the tree
 * @public_key: the log's Ed25519 public key
 * @witnessed: (array length=n_witnessed): the heads of this tree read from witness files
 *   (mv_audit_witness_file_read()), any order, duplicates allowed
 * @n_witnessed: how many
 * @stats: (out) (optional): what was checked
 * @error: %MV_ERROR_INTEGRITY naming the entry (seq), the head (size) or the kind of loss
 *
 * What `medversectl audit verify` runs per tree: mv_audit_verify_log() over the rows, the
 * audit_trees row (size and root) must match the entries, and then the witness: every
 * witnessed head must be correctly signed, no larger than the tree ("rolled back: …"), and its
 * root must be the root of the tree's entries up to its size ("rewritten: …").  A tree with no
 * row at all fails when the witness holds a head of it ("deleted: …") or when its clinic has
 * patients or API keys, whose creation was audited there ("no audit tree, …"); otherwise it
 * passes with @stats->in_database %FALSE.
 *
 * Returns: %TRUE when the tree is intact
 */
gboolean mv_audit_log_verify_tree (PGconn *conn,
				   const gchar *clinic_id,
				   const guint8 public_key[MV_AUDIT_PUBLIC_KEY_SIZE],
				   MvTreeHead *const *witnessed,
				   gsize n_witnessed,
				   MvAuditVerifyStats *stats,
				   GError **error);

G_END_DECLS
