/*
 * Medverse crypto core — audit log entries, signed tree heads, log verification.
 *
 * Each clinic has its own append-only Merkle tree (see docs/security.md for why per-clinic
 * trees); key and clinic changes made by the operator go to the tree "_operator".  An entry
 * never carries patient data in clear: only ids (the actor's key id, the resource id) and the
 * action.  Its canonical encoding, from which the leaf hash is computed, is
 *
 *     canon("medverse.audit.entry.v1", clinic_id, u64 seq, i64 timestamp_us, actor, action,
 *           resource_type, resource_id, request_id)
 *
 * (see mv-canon-private.h for canon()).  A signed tree head (STH) is Ed25519 over
 *
 *     canon("medverse.audit.sth.v1", log_id, tree_id, u64 tree_size, root_hash (32 bytes),
 *           i64 timestamp_us)
 *
 * where log_id names the installation (installation.installation_id), so heads of two
 * installations, or of two clinics, can never be swapped for one another.
 *
 * Both can be recomputed from database rows by an outside verifier (tests/tools/verify_audit.py
 * is one).
 */
#pragma once

#include <gio/gio.h>

#include "mv-merkle.h"
#include "mv-secret.h"

G_BEGIN_DECLS

#define MV_AUDIT_OPERATOR_TREE "_operator"
#define MV_AUDIT_SIGNATURE_SIZE 64
#define MV_AUDIT_PUBLIC_KEY_SIZE 32

/**
 * MvAuditEntry:
 * @clinic_id: the tree the entry belongs to (clinic id, or %MV_AUDIT_OPERATOR_TREE)
 * @seq: its leaf index in that tree, from 0, no gaps
 * @timestamp_us: when, in microseconds since the Unix epoch (PostgreSQL timestamptz precision)
 * @actor: who: the id of the API key (or "operator", "system"); never a secret
 * @action: what, e.g. "patient.read", "patient.update", "key.revoke"
 * @resource_type: e.g. "patient", "api-key"
 * @resource_id: which one; may be empty (e.g. a search)
 * @request_id: the request it was part of; may be empty (e.g. a D-Bus call without one)
 *
 * Strings are borrowed; none may be %NULL.
 */
typedef struct {
	const gchar *clinic_id;
	guint64 seq;
	gint64 timestamp_us;
	const gchar *actor;
	const gchar *action;
	const gchar *resource_type;
	const gchar *resource_id;
	const gchar *request_id;
} MvAuditEntry;

/**
 * mv_audit_entry_encode:
 *
 * Returns: (transfer full): the canonical encoding, or %NULL with %MV_ERROR_INVALID_INPUT
 * naming the field that is missing or malformed.
 */
GBytes *mv_audit_entry_encode (const MvAuditEntry *entry, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_audit_entry_leaf_hash:
 *
 * @out = SHA-256(0x00 || mv_audit_entry_encode(@entry)).
 */
gboolean mv_audit_entry_leaf_hash (const MvAuditEntry *entry,
				   guint8 out[MV_MERKLE_HASH_SIZE],
				   GError **error);

/* ---- signed tree heads --------------------------------------------------------------------- */

typedef struct {
	gchar *log_id;
	gchar *tree_id;
	guint64 tree_size;
	guint8 root_hash[MV_MERKLE_HASH_SIZE];
	gint64 timestamp_us;
	guint8 signature[MV_AUDIT_SIGNATURE_SIZE];
} MvTreeHead;

MvTreeHead *mv_tree_head_new (const gchar *log_id,
			      const gchar *tree_id,
			      guint64 tree_size,
			      const guint8 root_hash[MV_MERKLE_HASH_SIZE],
			      gint64 timestamp_us);

void mv_tree_head_free (MvTreeHead *head);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvTreeHead, mv_tree_head_free)

/**
 * mv_tree_head_encode:
 *
 * Returns: (transfer full): the bytes that are signed (see the top of this file).
 */
GBytes *mv_tree_head_encode (const MvTreeHead *head);

/**
 * mv_tree_head_verify:
 * @public_key: the Ed25519 public key of the log
 *
 * Returns: %TRUE if @head->signature is valid; otherwise %MV_ERROR_INTEGRITY naming the tree
 * and size.
 */
gboolean mv_tree_head_verify (const MvTreeHead *head,
			      const guint8 public_key[MV_AUDIT_PUBLIC_KEY_SIZE],
			      GError **error);

typedef struct _MvAuditSigner MvAuditSigner;

/**
 * mv_audit_signer_new_from_key_file:
 * @path: a key file holding the 32-byte Ed25519 seed (mode 0600, see mv-keyfile.h)
 */
MvAuditSigner *mv_audit_signer_new_from_key_file (const gchar *path,
						  GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_audit_signer_new_from_seed:
 * @seed: (transfer full): 32 bytes
 */
MvAuditSigner *mv_audit_signer_new_from_seed (MvSecret *seed,
					      GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_audit_signer_generate_key_file:
 *
 * Creates a fresh signing key file (O_EXCL, 0600), for `--dev`.
 */
gboolean mv_audit_signer_generate_key_file (const gchar *path, GError **error);

const guint8 *mv_audit_signer_get_public_key (const MvAuditSigner *signer);

/**
 * mv_audit_signer_get_public_key_hex:
 *
 * Returns: (transfer full): the public key as 64 hex characters, for export to verifiers.
 */
gchar *mv_audit_signer_get_public_key_hex (const MvAuditSigner *signer);

/**
 * mv_audit_signer_sign:
 *
 * Fills @head->signature.
 */
void mv_audit_signer_sign (const MvAuditSigner *signer, MvTreeHead *head);

void mv_audit_signer_free (MvAuditSigner *signer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvAuditSigner, mv_audit_signer_free)

/* ---- whole-log verification ---------------------------------------------------------------- */

/**
 * mv_audit_verify_log:
 * @log_id: the installation the heads must name
 * @tree_id: the tree being checked
 * @entries: (array length=n_entries): the tree's entries in seq order, as read back
 * @stored_leaf_hashes: (nullable): n_entries × 32 bytes as stored beside the entries, or %NULL
 * @n_entries: number of entries
 * @heads: (array length=n_heads): every stored tree head of @tree_id, any order
 * @n_heads: number of heads
 * @public_key: the log's Ed25519 public key
 * @error: %MV_ERROR_INTEGRITY naming the entry (by seq) or the tree head (by size) at fault
 *
 * What `medversectl audit verify` runs after reading the rows: every entry must belong to
 * @tree_id and carry seq == its position (a deleted or reordered row is named); its recomputed
 * leaf hash must equal the stored one (an altered row is named); every head must be correctly
 * signed, no larger than the log, and its root must equal the root recomputed over the first
 * tree_size entries (an alteration that also rewrote the stored hash is caught here and named
 * by the range of entries since the last good head).  One pass, O(n log n).
 *
 * Returns: %TRUE if the whole log is intact.
 */
gboolean mv_audit_verify_log (const gchar *log_id,
			      const gchar *tree_id,
			      const MvAuditEntry *entries,
			      const guint8 *stored_leaf_hashes,
			      gsize n_entries,
			      MvTreeHead *const *heads,
			      gsize n_heads,
			      const guint8 public_key[MV_AUDIT_PUBLIC_KEY_SIZE],
			      GError **error);

G_END_DECLS
