#include "mv-audit.h"

#include <medverse/mv-error.h>
#include <sodium.h>
#include <string.h>

#include "mv-canon-private.h"
#include "mv-keyfile.h"

#define SEED_SIZE crypto_sign_SEEDBYTES

G_STATIC_ASSERT (MV_AUDIT_SIGNATURE_SIZE == crypto_sign_BYTES);
G_STATIC_ASSERT (MV_AUDIT_PUBLIC_KEY_SIZE == crypto_sign_PUBLICKEYBYTES);

/* ---- entries ------------------------------------------------------------------------------- */

/* Like mv_canon_check_id() but an empty string is allowed. */
static gboolean
check_optional (const gchar *what, const gchar *value, GError **error)
{
	if (value == NULL) {
		g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT, "audit entry has no %s",
			     what);
		return FALSE;
	}
	return value[0] == '\0' || mv_canon_check_id (what, value, error);
}

GBytes *
mv_audit_entry_encode (const MvAuditEntry *entry, GError **error)
{
	g_autoptr (GByteArray) buf = NULL;

	g_return_val_if_fail (entry != NULL, NULL);
	if (!mv_canon_check_id ("audit entry clinic id", entry->clinic_id, error)
	    || !mv_canon_check_id ("audit entry actor", entry->actor, error)
	    || !mv_canon_check_id ("audit entry action", entry->action, error)
	    || !mv_canon_check_id ("audit entry resource type", entry->resource_type, error)
	    || !check_optional ("resource id", entry->resource_id, error)
	    || !check_optional ("request id", entry->request_id, error))
		return NULL;
	buf = mv_canon_new ("medverse.audit.entry.v1");
	mv_canon_add_str (buf, entry->clinic_id);
	mv_canon_add_u64 (buf, entry->seq);
	mv_canon_add_u64 (buf, (guint64)entry->timestamp_us);
	mv_canon_add_str (buf, entry->actor);
	mv_canon_add_str (buf, entry->action);
	mv_canon_add_str (buf, entry->resource_type);
	mv_canon_add_str (buf, entry->resource_id);
	mv_canon_add_str (buf, entry->request_id);
	return g_byte_array_free_to_bytes (g_steal_pointer (&buf));
}

gboolean
mv_audit_entry_leaf_hash (const MvAuditEntry *entry,
			  guint8 out[MV_MERKLE_HASH_SIZE],
			  GError **error)
{
	g_autoptr (GBytes) enc = mv_audit_entry_encode (entry, error);
	gsize len = 0;
	const guint8 *data;

	if (enc == NULL)
		return FALSE;
	data = g_bytes_get_data (enc, &len);
	mv_merkle_leaf_hash (data, len, out);
	return TRUE;
}

/* ---- tree heads ---------------------------------------------------------------------------- */

MvTreeHead *
mv_tree_head_new (const gchar *log_id,
		  const gchar *tree_id,
		  guint64 tree_size,
		  const guint8 root_hash[MV_MERKLE_HASH_SIZE],
		  gint64 timestamp_us)
{
	MvTreeHead *head = g_new0 (MvTreeHead, 1);

	g_return_val_if_fail (log_id != NULL && tree_id != NULL, NULL);
	head->log_id = g_strdup (log_id);
	head->tree_id = g_strdup (tree_id);
	head->tree_size = tree_size;
	memcpy (head->root_hash, root_hash, MV_MERKLE_HASH_SIZE);
	head->timestamp_us = timestamp_us;
	return head;
}

void
mv_tree_head_free (MvTreeHead *head)
{
	if (head == NULL)
		return;
	g_free (head->log_id);
	g_free (head->tree_id);
	g_free (head);
}

GBytes *
mv_tree_head_encode (const MvTreeHead *head)
{
	GByteArray *buf = mv_canon_new ("medverse.audit.sth.v1");

	mv_canon_add_str (buf, head->log_id);
	mv_canon_add_str (buf, head->tree_id);
	mv_canon_add_u64 (buf, head->tree_size);
	mv_canon_add_bytes (buf, head->root_hash, MV_MERKLE_HASH_SIZE);
	mv_canon_add_u64 (buf, (guint64)head->timestamp_us);
	return g_byte_array_free_to_bytes (buf);
}

gboolean
mv_tree_head_verify (const MvTreeHead *head,
		     const guint8 public_key[MV_AUDIT_PUBLIC_KEY_SIZE],
		     GError **error)
{
	g_autoptr (GBytes) msg = NULL;
	gsize len = 0;
	const guint8 *data;

	g_return_val_if_fail (head != NULL && head->log_id != NULL && head->tree_id != NULL, FALSE);
	mv_crypto_init ();
	msg = mv_tree_head_encode (head);
	data = g_bytes_get_data (msg, &len);
	if (crypto_sign_verify_detached (head->signature, data, len, public_key) != 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
			     "tree head of %s at size %" G_GUINT64_FORMAT
			     " has an invalid signature",
			     head->tree_id, head->tree_size);
		return FALSE;
	}
	return TRUE;
}

/* ---- signer -------------------------------------------------------------------------------- */

struct _MvAuditSigner {
	MvSecret *secret_key; /* libsodium's 64-byte form: seed || public key */
	guint8 public_key[MV_AUDIT_PUBLIC_KEY_SIZE];
};

MvAuditSigner *
mv_audit_signer_new_from_seed (MvSecret *seed, GError **error)
{
	g_autoptr (MvSecret) owned = seed;
	g_autoptr (MvSecret) sk = NULL;
	MvAuditSigner *signer;

	if (owned == NULL || mv_secret_get_size (owned) != SEED_SIZE) {
		g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
			     "the audit signing key must be a %d-byte Ed25519 seed", SEED_SIZE);
		return NULL;
	}
	signer = g_new0 (MvAuditSigner, 1);
	sk = mv_secret_new_dedicated (crypto_sign_SECRETKEYBYTES); /* lives as long as the daemon */
	crypto_sign_seed_keypair (signer->public_key, mv_secret_get_writable (sk),
				  mv_secret_get_data (owned));
	mv_secret_seal_readonly (sk);
	signer->secret_key = g_steal_pointer (&sk);
	return signer;
}

MvAuditSigner *
mv_audit_signer_new_from_key_file (const gchar *path, GError **error)
{
	g_autoptr (MvSecret) seed = mv_key_file_load (path, SEED_SIZE, error);

	if (seed == NULL)
		return NULL;
	return mv_audit_signer_new_from_seed (g_steal_pointer (&seed), error);
}

gboolean
mv_audit_signer_generate_key_file (const gchar *path, GError **error)
{
	return mv_key_file_generate (path, SEED_SIZE, error);
}

const guint8 *
mv_audit_signer_get_public_key (const MvAuditSigner *signer)
{
	return signer->public_key;
}

gchar *
mv_audit_signer_get_public_key_hex (const MvAuditSigner *signer)
{
	gchar hex[2 * MV_AUDIT_PUBLIC_KEY_SIZE + 1];

	sodium_bin2hex (hex, sizeof hex, signer->public_key, MV_AUDIT_PUBLIC_KEY_SIZE);
	return g_strdup (hex);
}

void
mv_audit_signer_sign (const MvAuditSigner *signer, MvTreeHead *head)
{
	g_autoptr (GBytes) msg = mv_tree_head_encode (head);
	gsize len = 0;
	const guint8 *data = g_bytes_get_data (msg, &len);

	crypto_sign_detached (head->signature, NULL, data, len,
			      mv_secret_get_data (signer->secret_key));
}

void
mv_audit_signer_free (MvAuditSigner *signer)
{
	if (signer == NULL)
		return;
	mv_secret_free (signer->secret_key);
	g_free (signer);
}

/* ---- log verification ---------------------------------------------------------------------- */

static gint
head_by_size (gconstpointer a, gconstpointer b)
{
	const MvTreeHead *ha = *(MvTreeHead *const *)a;
	const MvTreeHead *hb = *(MvTreeHead *const *)b;

	return ha->tree_size < hb->tree_size ? -1 : ha->tree_size > hb->tree_size ? 1 : 0;
}

static gboolean
check_entry (const gchar *tree_id,
	     const MvAuditEntry *entry,
	     guint64 position,
	     const guint8 *stored_hash,
	     guint8 leaf_hash[MV_MERKLE_HASH_SIZE],
	     GError **error)
{
	g_autoptr (GError) local = NULL;

	if (entry->seq != position) {
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
			     "audit log %s: entry %" G_GUINT64_FORMAT " is missing or out of order "
			     "(found entry %" G_GUINT64_FORMAT " in its place)",
			     tree_id, position, entry->seq);
		return FALSE;
	}
	if (g_strcmp0 (entry->clinic_id, tree_id) != 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
			     "audit log %s: entry %" G_GUINT64_FORMAT " belongs to another tree",
			     tree_id, position);
		return FALSE;
	}
	if (!mv_audit_entry_leaf_hash (entry, leaf_hash, &local)) {
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
			     "audit log %s: entry %" G_GUINT64_FORMAT " is malformed: %s", tree_id,
			     position, local->message);
		return FALSE;
	}
	if (stored_hash != NULL
	    && sodium_memcmp (stored_hash, leaf_hash, MV_MERKLE_HASH_SIZE) != 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
			     "audit log %s: entry %" G_GUINT64_FORMAT
			     " was altered (its contents no "
			     "longer match its leaf hash)",
			     tree_id, position);
		return FALSE;
	}
	return TRUE;
}

gboolean
mv_audit_verify_log (const gchar *log_id,
		     const gchar *tree_id,
		     const MvAuditEntry *entries,
		     const guint8 *stored_leaf_hashes,
		     gsize n_entries,
		     MvTreeHead *const *heads,
		     gsize n_heads,
		     const guint8 public_key[MV_AUDIT_PUBLIC_KEY_SIZE],
		     GError **error)
{
	g_autofree MvTreeHead **sorted = g_memdup2 (heads, n_heads * sizeof (MvTreeHead *));
	g_autoptr (MvMerkleFrontier) frontier = mv_merkle_frontier_new ();
	guint64 last_good = 0;
	gsize next_head = 0;

	/* no heads: g_memdup2() gave NULL, and qsort() must not be handed NULL even for 0 */
	if (n_heads > 1)
		qsort (sorted, n_heads, sizeof (MvTreeHead *), head_by_size);
	for (gsize h = 0; h < n_heads; h++) {
		if (g_strcmp0 (sorted[h]->log_id, log_id) != 0) {
			g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
				     "audit log %s: tree head of size %" G_GUINT64_FORMAT
				     " belongs to installation %s, not %s",
				     tree_id, sorted[h]->tree_size, sorted[h]->log_id, log_id);
			return FALSE;
		}
		if (g_strcmp0 (sorted[h]->tree_id, tree_id) != 0) {
			g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
				     "audit log %s: tree head of size %" G_GUINT64_FORMAT
				     " belongs to tree %s",
				     tree_id, sorted[h]->tree_size, sorted[h]->tree_id);
			return FALSE;
		}
		if (!mv_tree_head_verify (sorted[h], public_key, error))
			return FALSE;
		if (sorted[h]->tree_size > n_entries) {
			g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
				     "audit log %s: tree head of size %" G_GUINT64_FORMAT
				     " covers more entries than the %" G_GSIZE_FORMAT
				     " in the log (entries were deleted from the end)",
				     tree_id, sorted[h]->tree_size, n_entries);
			return FALSE;
		}
	}

	for (gsize i = 0; i <= n_entries; i++) {
		/* Check every head whose size is reached before appending entry i. */
		while (next_head < n_heads && sorted[next_head]->tree_size == i) {
			guint8 root[MV_MERKLE_HASH_SIZE];

			mv_merkle_frontier_get_root (frontier, root);
			if (sodium_memcmp (root, sorted[next_head]->root_hash, MV_MERKLE_HASH_SIZE)
			    != 0) {
				g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
					     "audit log %s: tree head of size %" G_GSIZE_FORMAT
					     " does not match the entries; an entry from "
					     "%" G_GUINT64_FORMAT " to %" G_GSIZE_FORMAT
					     " was altered",
					     tree_id, i, last_good, i == 0 ? 0 : i - 1);
				return FALSE;
			}
			last_good = i;
			next_head++;
		}
		if (i < n_entries) {
			guint8 leaf[MV_MERKLE_HASH_SIZE];
			const guint8 *stored
				= stored_leaf_hashes != NULL
					  ? stored_leaf_hashes + i * MV_MERKLE_HASH_SIZE
					  : NULL;

			if (!check_entry (tree_id, &entries[i], i, stored, leaf, error))
				return FALSE;
			mv_merkle_frontier_append (frontier, leaf);
		}
	}
	return TRUE;
}
