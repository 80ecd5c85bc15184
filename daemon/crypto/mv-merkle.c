#include "mv-merkle.h"

#include <medverse/mv-error.h>
#include <sodium.h>
#include <string.h>

#define H MV_MERKLE_HASH_SIZE

G_STATIC_ASSERT (H == crypto_hash_sha256_BYTES);

void
mv_merkle_leaf_hash (const guint8 *entry, gsize len, guint8 out[H])
{
	static const guint8 prefix = 0x00;
	crypto_hash_sha256_state st;

	crypto_hash_sha256_init (&st);
	crypto_hash_sha256_update (&st, &prefix, 1);
	if (len > 0)
		crypto_hash_sha256_update (&st, entry, len);
	crypto_hash_sha256_final (&st, out);
}

void
mv_merkle_node_hash (const guint8 left[H], const guint8 right[H], guint8 out[H])
{
	guint8 buf[1 + 2 * H];

	buf[0] = 0x01;
	memcpy (buf + 1, left, H);
	memcpy (buf + 1 + H, right, H);
	crypto_hash_sha256 (out, buf, sizeof buf);
}

/* ---- frontier ------------------------------------------------------------------------------ */

struct _MvMerkleFrontier {
	guint64 size;
	/* Roots of the perfect subtrees, largest (leftmost) first; popcount(size) of them. */
	guint8 hashes[64][H];
};

MvMerkleFrontier *
mv_merkle_frontier_new (void)
{
	return g_new0 (MvMerkleFrontier, 1);
}

MvMerkleFrontier *
mv_merkle_frontier_copy (const MvMerkleFrontier *frontier)
{
	return g_memdup2 (frontier, sizeof *frontier);
}

void
mv_merkle_frontier_free (MvMerkleFrontier *frontier)
{
	g_free (frontier);
}

guint64
mv_merkle_frontier_get_size (const MvMerkleFrontier *frontier)
{
	return frontier->size;
}

void
mv_merkle_frontier_append (MvMerkleFrontier *frontier, const guint8 leaf_hash[H])
{
	guint count = (guint)__builtin_popcountll (frontier->size);
	guint64 carry = frontier->size;

	g_return_if_fail (frontier->size < G_MAXUINT64);
	memcpy (frontier->hashes[count], leaf_hash, H);
	count++;
	/* Each trailing one bit of the old size is a subtree of the same size as the one just
	 * completed on its right: merge them, like a binary carry. */
	while (carry & 1) {
		mv_merkle_node_hash (frontier->hashes[count - 2], frontier->hashes[count - 1],
				     frontier->hashes[count - 2]);
		count--;
		carry >>= 1;
	}
	frontier->size++;
}

void
mv_merkle_frontier_get_root (const MvMerkleFrontier *frontier, guint8 out[H])
{
	guint count = (guint)__builtin_popcountll (frontier->size);
	guint8 acc[H];

	if (count == 0) {
		crypto_hash_sha256 (out, NULL, 0);
		return;
	}
	memcpy (acc, frontier->hashes[count - 1], H);
	for (guint i = count - 1; i > 0; i--)
		mv_merkle_node_hash (frontier->hashes[i - 1], acc, acc);
	memcpy (out, acc, H);
}

GBytes *
mv_merkle_frontier_to_bytes (const MvMerkleFrontier *frontier)
{
	guint count = (guint)__builtin_popcountll (frontier->size);
	GByteArray *buf = g_byte_array_sized_new (8 + count * H);
	guint8 be[8];

	for (guint i = 0; i < 8; i++)
		be[i] = (guint8)(frontier->size >> (56 - 8 * i));
	g_byte_array_append (buf, be, 8);
	for (guint i = 0; i < count; i++)
		g_byte_array_append (buf, frontier->hashes[i], H);
	return g_byte_array_free_to_bytes (buf);
}

MvMerkleFrontier *
mv_merkle_frontier_new_from_bytes (GBytes *data, GError **error)
{
	g_autoptr (MvMerkleFrontier) frontier = mv_merkle_frontier_new ();
	gsize len = g_bytes_get_size (data);
	const guint8 *p = g_bytes_get_data (data, NULL);
	guint count;

	if (len < 8) {
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
			     "Merkle frontier is %" G_GSIZE_FORMAT " bytes, too short for its size",
			     len);
		return NULL;
	}
	for (guint i = 0; i < 8; i++)
		frontier->size = (frontier->size << 8) | p[i];
	count = (guint)__builtin_popcountll (frontier->size);
	if (len != 8 + (gsize)count * H) {
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
			     "Merkle frontier of tree size %" G_GUINT64_FORMAT
			     " must be %" G_GSIZE_FORMAT " bytes, not %" G_GSIZE_FORMAT,
			     frontier->size, 8 + (gsize)count * H, len);
		return NULL;
	}
	memcpy (frontier->hashes, p + 8, (gsize)count * H);
	return g_steal_pointer (&frontier);
}

/* ---- tree heads and proofs ----------------------------------------------------------------- */

/* MTH(D[lo:hi]) */
static void
subtree_root (const guint8 *leaves, guint64 lo, guint64 hi, guint8 out[H])
{
	MvMerkleFrontier frontier = { 0 };

	for (guint64 i = lo; i < hi; i++)
		mv_merkle_frontier_append (&frontier, leaves + i * H);
	mv_merkle_frontier_get_root (&frontier, out);
}

void
mv_merkle_root (const guint8 *leaves, guint64 n, guint8 out[H])
{
	subtree_root (leaves, 0, n, out);
}

/* Largest power of two strictly smaller than n, n >= 2. */
static guint64
split_point (guint64 n)
{
	guint64 k = 1;

	while (k << 1 < n)
		k <<= 1;
	return k;
}

/* RFC 6962 §2.1.1: PATH(m, D[lo:hi]) appended to @proof. */
static void
audit_path (const guint8 *leaves, guint64 m, guint64 lo, guint64 hi, GByteArray *proof)
{
	guint64 k;
	guint8 sibling[H];

	if (hi - lo <= 1)
		return;
	k = split_point (hi - lo);
	if (m < lo + k) {
		audit_path (leaves, m, lo, lo + k, proof);
		subtree_root (leaves, lo + k, hi, sibling);
	} else {
		audit_path (leaves, m, lo + k, hi, proof);
		subtree_root (leaves, lo, lo + k, sibling);
	}
	g_byte_array_append (proof, sibling, H);
}

GBytes *
mv_merkle_inclusion_proof (const guint8 *leaves, guint64 n, guint64 m, GError **error)
{
	GByteArray *proof;

	if (m >= n) {
		g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
			     "leaf index %" G_GUINT64_FORMAT
			     " is not in a tree of size %" G_GUINT64_FORMAT,
			     m, n);
		return NULL;
	}
	proof = g_byte_array_new ();
	audit_path (leaves, m, 0, n, proof);
	return g_byte_array_free_to_bytes (proof);
}

/* RFC 6962 §2.1.2: SUBPROOF(m, D[lo:hi], b) appended to @proof. */
static void
subproof (const guint8 *leaves, guint64 m, guint64 lo, guint64 hi, gboolean b, GByteArray *proof)
{
	guint64 n = hi - lo;
	guint64 k;
	guint8 hash[H];

	if (m == n) {
		if (!b) {
			subtree_root (leaves, lo, hi, hash);
			g_byte_array_append (proof, hash, H);
		}
		return;
	}
	k = split_point (n);
	if (m <= k) {
		subproof (leaves, m, lo, lo + k, b, proof);
		subtree_root (leaves, lo + k, hi, hash);
	} else {
		subproof (leaves, m - k, lo + k, hi, FALSE, proof);
		subtree_root (leaves, lo, lo + k, hash);
	}
	g_byte_array_append (proof, hash, H);
}

GBytes *
mv_merkle_consistency_proof (const guint8 *leaves, guint64 m, guint64 n, GError **error)
{
	GByteArray *proof;

	if (m > n) {
		g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
			     "cannot prove consistency from tree size %" G_GUINT64_FORMAT
			     " to the smaller size %" G_GUINT64_FORMAT,
			     m, n);
		return NULL;
	}
	proof = g_byte_array_new ();
	if (m > 0 && m < n)
		subproof (leaves, m, 0, n, TRUE, proof);
	return g_byte_array_free_to_bytes (proof);
}

/* ---- verifiers (RFC 9162) ------------------------------------------------------------------ */

static gboolean
check_proof_len (gsize proof_len, GError **error)
{
	if (proof_len % H != 0 || proof_len / H > 64) {
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
			     "proof of %" G_GSIZE_FORMAT
			     " bytes is not a list of at most 64 hashes",
			     proof_len);
		return FALSE;
	}
	return TRUE;
}

gboolean
mv_merkle_verify_inclusion (const guint8 leaf_hash[H],
			    guint64 index,
			    guint64 tree_size,
			    const guint8 *proof,
			    gsize proof_len,
			    const guint8 root[H],
			    GError **error)
{
	guint64 fn = index;
	guint64 sn;
	guint8 r[H];

	if (!check_proof_len (proof_len, error))
		return FALSE;
	if (index >= tree_size) {
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
			     "inclusion proof for leaf %" G_GUINT64_FORMAT
			     " cannot hold in a tree of size %" G_GUINT64_FORMAT,
			     index, tree_size);
		return FALSE;
	}
	sn = tree_size - 1;
	memcpy (r, leaf_hash, H);
	for (gsize off = 0; off < proof_len; off += H) {
		const guint8 *p = proof + off;

		if (sn == 0) {
			g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
				     "inclusion proof for leaf %" G_GUINT64_FORMAT
				     " in tree size %" G_GUINT64_FORMAT " has too many hashes",
				     index, tree_size);
			return FALSE;
		}
		if ((fn & 1) || fn == sn) {
			mv_merkle_node_hash (p, r, r);
			if (!(fn & 1)) {
				while (!(fn & 1) && fn != 0) {
					fn >>= 1;
					sn >>= 1;
				}
			}
		} else {
			mv_merkle_node_hash (r, p, r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
			     "inclusion proof for leaf %" G_GUINT64_FORMAT
			     " in tree size %" G_GUINT64_FORMAT " has too few hashes",
			     index, tree_size);
		return FALSE;
	}
	if (sodium_memcmp (r, root, H) != 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
			     "inclusion proof for leaf %" G_GUINT64_FORMAT
			     " does not lead to the root of tree size %" G_GUINT64_FORMAT,
			     index, tree_size);
		return FALSE;
	}
	return TRUE;
}

gboolean
mv_merkle_verify_consistency (guint64 size1,
			      guint64 size2,
			      const guint8 *proof,
			      gsize proof_len,
			      const guint8 root1[H],
			      const guint8 root2[H],
			      GError **error)
{
	g_autoptr (GByteArray) path = NULL;
	guint64 fn, sn;
	guint8 fr[H], sr[H];

	if (!check_proof_len (proof_len, error))
		return FALSE;
	if (size1 > size2) {
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
			     "tree size %" G_GUINT64_FORMAT
			     " cannot be consistent with the smaller "
			     "size %" G_GUINT64_FORMAT,
			     size1, size2);
		return FALSE;
	}
	if (size1 == size2 || size1 == 0) {
		if (proof_len != 0) {
			g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
				     "consistency proof from size %" G_GUINT64_FORMAT
				     " to %" G_GUINT64_FORMAT " must be empty",
				     size1, size2);
			return FALSE;
		}
		if (size1 == size2 && sodium_memcmp (root1, root2, H) != 0) {
			g_set_error (
				error, MV_ERROR, MV_ERROR_INTEGRITY,
				"two different roots for the same tree size %" G_GUINT64_FORMAT,
				size1);
			return FALSE;
		}
		return TRUE;
	}
	if (proof_len == 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
			     "consistency proof from size %" G_GUINT64_FORMAT
			     " to %" G_GUINT64_FORMAT " is empty",
			     size1, size2);
		return FALSE;
	}

	/* Step 1: a power-of-two old tree is itself the first node of the proof. */
	path = g_byte_array_new ();
	if ((size1 & (size1 - 1)) == 0)
		g_byte_array_append (path, root1, H);
	g_byte_array_append (path, proof, (guint)proof_len);

	fn = size1 - 1;
	sn = size2 - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	memcpy (fr, path->data, H);
	memcpy (sr, path->data, H);
	for (guint off = H; off < path->len; off += H) {
		const guint8 *c = path->data + off;

		if (sn == 0) {
			g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
				     "consistency proof from size %" G_GUINT64_FORMAT
				     " to %" G_GUINT64_FORMAT " has too many hashes",
				     size1, size2);
			return FALSE;
		}
		if ((fn & 1) || fn == sn) {
			mv_merkle_node_hash (c, fr, fr);
			mv_merkle_node_hash (c, sr, sr);
			if (!(fn & 1)) {
				while (!(fn & 1) && fn != 0) {
					fn >>= 1;
					sn >>= 1;
				}
			}
		} else {
			mv_merkle_node_hash (sr, c, sr);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
			     "consistency proof from size %" G_GUINT64_FORMAT
			     " to %" G_GUINT64_FORMAT " has too few hashes",
			     size1, size2);
		return FALSE;
	}
	if (sodium_memcmp (fr, root1, H) != 0 || sodium_memcmp (sr, root2, H) != 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
			     "consistency proof from size %" G_GUINT64_FORMAT
			     " to %" G_GUINT64_FORMAT " does not match the two roots",
			     size1, size2);
		return FALSE;
	}
	return TRUE;
}
