/*
 * Medverse crypto core — Merkle trees as in RFC 6962 / RFC 9162 (Certificate Transparency).
 *
 *     leaf hash  = SHA-256(0x00 || entry)
 *     node hash  = SHA-256(0x01 || left || right)
 *     MTH({})    = SHA-256("")
 *     MTH(D[n])  = node(MTH(D[0:k]), MTH(D[k:n])), k the largest power of two < n
 *
 * Trees are given as arrays of leaf hashes (n × 32 bytes, leaf i at offset 32·i).  Proofs are
 * arrays of 32-byte hashes in the order of RFC 6962 §2.1.1 / §2.1.2.  Verifiers follow the
 * algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2, so they accept exactly the proofs another CT
 * implementation would.
 *
 * For appends, #MvMerkleFrontier keeps the roots of the perfect subtrees that make up the tree
 * (one per set bit of the size, at most 64 hashes), so appending a leaf and computing the root
 * are O(log n) and the state can be stored beside the tree.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define MV_MERKLE_HASH_SIZE 32

void mv_merkle_leaf_hash (const guint8 *entry, gsize len, guint8 out[MV_MERKLE_HASH_SIZE]);

void mv_merkle_node_hash (const guint8 left[MV_MERKLE_HASH_SIZE],
			  const guint8 right[MV_MERKLE_HASH_SIZE],
			  guint8 out[MV_MERKLE_HASH_SIZE]);

/**
 * mv_merkle_root:
 * @leaves: (array): @n leaf hashes, 32 bytes each (may be %NULL when @n is 0)
 * @n: tree size
 * @out: the tree head MTH(D[n])
 *
 * O(n) time, O(log n) space.
 */
void mv_merkle_root (const guint8 *leaves, guint64 n, guint8 out[MV_MERKLE_HASH_SIZE]);

/**
 * mv_merkle_inclusion_proof:
 * @leaves: the first @n leaf hashes of the tree
 * @n: tree size
 * @m: leaf index, < @n
 * @error: %MV_ERROR_INVALID_INPUT when @m >= @n
 *
 * Returns: (transfer full): the audit path PATH(m, D[n]) as concatenated hashes (possibly empty),
 * or %NULL.
 */
GBytes *mv_merkle_inclusion_proof (const guint8 *leaves, guint64 n, guint64 m, GError **error)
	G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_merkle_consistency_proof:
 * @leaves: the first @n leaf hashes
 * @m: the older tree size, 0 <= m <= n
 * @n: the newer tree size
 * @error: %MV_ERROR_INVALID_INPUT when @m > @n
 *
 * Returns: (transfer full): PROOF(m, D[n]) (empty when m is 0 or m == n), or %NULL.
 */
GBytes *mv_merkle_consistency_proof (const guint8 *leaves, guint64 m, guint64 n, GError **error)
	G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_merkle_verify_inclusion:
 * @leaf_hash: hash of the leaf being proven
 * @index: its index
 * @tree_size: size of the tree
 * @proof: (array length=proof_len): concatenated hashes
 * @proof_len: in bytes; must be a multiple of 32
 * @root: the tree head the proof must lead to
 * @error: %MV_ERROR_INTEGRITY with what failed
 *
 * RFC 9162 §2.1.3.2.  Root comparison is constant-time.
 */
gboolean mv_merkle_verify_inclusion (const guint8 leaf_hash[MV_MERKLE_HASH_SIZE],
				     guint64 index,
				     guint64 tree_size,
				     const guint8 *proof,
				     gsize proof_len,
				     const guint8 root[MV_MERKLE_HASH_SIZE],
				     GError **error);

/**
 * mv_merkle_verify_consistency:
 * @size1: older tree size
 * @size2: newer tree size, >= @size1
 * @root1: head of the older tree
 * @root2: head of the newer tree
 *
 * RFC 9162 §2.1.4.2, plus the trivial cases: size1 == size2 needs an empty proof and equal
 * roots; size1 == 0 needs an empty proof.
 */
gboolean mv_merkle_verify_consistency (guint64 size1,
				       guint64 size2,
				       const guint8 *proof,
				       gsize proof_len,
				       const guint8 root1[MV_MERKLE_HASH_SIZE],
				       const guint8 root2[MV_MERKLE_HASH_SIZE],
				       GError **error);

/* ---- frontier (compact range [0, size)) --------------------------------------------------- */

typedef struct _MvMerkleFrontier MvMerkleFrontier;

MvMerkleFrontier *mv_merkle_frontier_new (void);

/**
 * mv_merkle_frontier_new_from_bytes:
 * @data: a serialised frontier from mv_merkle_frontier_to_bytes()
 * @error: %MV_ERROR_INTEGRITY when @data is malformed
 */
MvMerkleFrontier *mv_merkle_frontier_new_from_bytes (GBytes *data,
						     GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_merkle_frontier_to_bytes:
 *
 * Serialisation: u64 big-endian size || one 32-byte hash per set bit of size, largest subtree
 * (the leftmost) first.
 */
GBytes *mv_merkle_frontier_to_bytes (const MvMerkleFrontier *frontier);

void mv_merkle_frontier_append (MvMerkleFrontier *frontier,
				const guint8 leaf_hash[MV_MERKLE_HASH_SIZE]);

guint64 mv_merkle_frontier_get_size (const MvMerkleFrontier *frontier);

void mv_merkle_frontier_get_root (const MvMerkleFrontier *frontier,
				  guint8 out[MV_MERKLE_HASH_SIZE]);

MvMerkleFrontier *mv_merkle_frontier_copy (const MvMerkleFrontier *frontier);

void mv_merkle_frontier_free (MvMerkleFrontier *frontier);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvMerkleFrontier, mv_merkle_frontier_free)

G_END_DECLS
