/* Unit tests of the RFC 6962 Merkle tree: known answers, proofs, frontier. */
#include <criterion/criterion.h>
#include <medverse/mv-error.h>
#include <sodium.h>
#include <string.h>

#include "mv-crypto.h"

#define H MV_MERKLE_HASH_SIZE

/* The test leaves of RFC 6962's reference implementation (certificate-transparency
 * merkle_tree_test), and the expected heads and proofs, computed independently with a
 * straightforward Python transcription of RFC 6962 §2.1 at test-writing time. */
static const gchar *kat_leaves[] = {
	"",
	"00",
	"10",
	"2021",
	"3031",
	"40414243",
	"5051525354555657",
	"606162636465666768696a6b6c6d6e6f",
};
static const gchar *kat_roots[] = {
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

static void
from_hex (const gchar *hex, guint8 *out, gsize cap, gsize *len)
{
	size_t n = 0;

	cr_assert_eq (sodium_hex2bin (out, cap, hex, strlen (hex), NULL, &n, NULL), 0);
	if (len != NULL)
		*len = n;
}

static guint8 *
kat_leaf_hashes (void)
{
	guint8 *leaves = g_malloc (8 * H);

	for (guint i = 0; i < 8; i++) {
		guint8 buf[64];
		gsize len = 0;

		from_hex (kat_leaves[i], buf, sizeof buf, &len);
		mv_merkle_leaf_hash (buf, len, leaves + i * H);
	}
	return leaves;
}

static void
assert_hash_hex (const guint8 *hash, const gchar *hex, const gchar *what)
{
	gchar got[2 * H + 1];

	sodium_bin2hex (got, sizeof got, hash, H);
	cr_assert_str_eq (got, hex, "%s", what);
}

static void
assert_proof (GBytes *proof, const gchar *const *expected, guint n, const gchar *what)
{
	cr_assert_not_null (proof);
	cr_assert_eq (g_bytes_get_size (proof), n * H, "%s: proof length", what);
	for (guint i = 0; i < n; i++)
		assert_hash_hex ((const guint8 *)g_bytes_get_data (proof, NULL) + i * H,
				 expected[i], what);
}

Test (merkle, known_answer_roots)
{
	g_autofree guint8 *leaves = kat_leaf_hashes ();
	g_autoptr (MvMerkleFrontier) frontier = mv_merkle_frontier_new ();

	for (guint n = 0; n <= 8; n++) {
		guint8 root[H];
		g_autofree gchar *what = g_strdup_printf ("root of size %u", n);

		mv_merkle_root (leaves, n, root);
		assert_hash_hex (root, kat_roots[n], what);
		mv_merkle_frontier_get_root (frontier, root);
		assert_hash_hex (root, kat_roots[n], what);
		cr_assert_eq (mv_merkle_frontier_get_size (frontier), n);
		if (n < 8)
			mv_merkle_frontier_append (frontier, leaves + n * H);
	}
}

Test (merkle, known_answer_proofs)
{
	g_autofree guint8 *leaves = kat_leaf_hashes ();
	const gchar *incl_0_8[] = {
		"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
		"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
	};
	const gchar *incl_5_8[] = {
		"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
		"ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
		"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	};
	const gchar *incl_2_3[] = {
		"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	};
	const gchar *cons_6_8[] = {
		"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
		"ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
		"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	};
	const gchar *cons_2_5[] = {
		"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
	};
	g_autoptr (GBytes) p1 = mv_merkle_inclusion_proof (leaves, 8, 0, NULL);
	g_autoptr (GBytes) p2 = mv_merkle_inclusion_proof (leaves, 8, 5, NULL);
	g_autoptr (GBytes) p3 = mv_merkle_inclusion_proof (leaves, 3, 2, NULL);
	g_autoptr (GBytes) p4 = mv_merkle_consistency_proof (leaves, 1, 8, NULL);
	g_autoptr (GBytes) p5 = mv_merkle_consistency_proof (leaves, 6, 8, NULL);
	g_autoptr (GBytes) p6 = mv_merkle_consistency_proof (leaves, 2, 5, NULL);
	g_autoptr (GBytes) p7 = mv_merkle_consistency_proof (leaves, 8, 8, NULL);
	g_autoptr (GBytes) p8 = mv_merkle_inclusion_proof (leaves, 1, 0, NULL);

	assert_proof (p1, incl_0_8, 3, "inclusion 0 in 8");
	assert_proof (p2, incl_5_8, 3, "inclusion 5 in 8");
	assert_proof (p3, incl_2_3, 1, "inclusion 2 in 3");
	/* RFC 6962: consistency 1 -> 8 is the audit path of leaf 0. */
	assert_proof (p4, incl_0_8, 3, "consistency 1 to 8");
	assert_proof (p5, cons_6_8, 3, "consistency 6 to 8");
	assert_proof (p6, cons_2_5, 2, "consistency 2 to 5");
	assert_proof (p7, NULL, 0, "consistency 8 to 8");
	assert_proof (p8, NULL, 0, "inclusion 0 in 1");
}

static guint8 *
make_leaves (guint n)
{
	guint8 *leaves = g_malloc ((gsize)MAX (n, 1) * H);

	for (guint i = 0; i < n; i++) {
		g_autofree gchar *entry = g_strdup_printf ("entry %u", i);
		mv_merkle_leaf_hash ((const guint8 *)entry, strlen (entry), leaves + i * H);
	}
	return leaves;
}

static void
flip_each_bit_and_expect_failure_incl (
	const guint8 *leaf, guint m, guint n, GBytes *proof, const guint8 *root)
{
	gsize len = g_bytes_get_size (proof);
	g_autofree guint8 *copy = g_memdup2 (g_bytes_get_data (proof, NULL), MAX (len, 1));
	guint8 bad_root[H];
	guint8 bad_leaf[H];

	for (gsize i = 0; i < len * 8; i += 5) {
		copy[i / 8] ^= (guint8)(1u << (i % 8));
		cr_assert_not (mv_merkle_verify_inclusion (leaf, m, n, copy, len, root, NULL),
			       "flipped bit %zu of inclusion proof %u/%u accepted", i, m, n);
		copy[i / 8] ^= (guint8)(1u << (i % 8));
	}
	memcpy (bad_root, root, H);
	bad_root[n % H] ^= 0x80;
	cr_assert_not (mv_merkle_verify_inclusion (leaf, m, n, copy, len, bad_root, NULL));
	memcpy (bad_leaf, leaf, H);
	bad_leaf[m % H] ^= 0x01;
	cr_assert_not (mv_merkle_verify_inclusion (bad_leaf, m, n, copy, len, root, NULL));
	/* A proof for one position must not prove another.  (The same path can be valid for the
	 * same root at a neighbouring tree size: RFC 9162 binds the size through the signed tree
	 * head, not the proof, so that is not checked here.) */
	if (n > 1) {
		cr_assert_not (
			mv_merkle_verify_inclusion (leaf, (m + 1) % n, n, copy, len, root, NULL),
			"inclusion %u/%u accepted at index %u", m, n, (m + 1) % n);
	}
	/* A truncated or extended proof. */
	if (len > 0)
		cr_assert_not (mv_merkle_verify_inclusion (leaf, m, n, copy, len - H, root, NULL));
	cr_assert_not (mv_merkle_verify_inclusion (leaf, m, n + 0, copy, len + 1, root, NULL));
}

Test (merkle, inclusion_all_sizes_to_20)
{
	g_autofree guint8 *leaves = make_leaves (20);

	for (guint n = 1; n <= 20; n++) {
		guint8 root[H];

		mv_merkle_root (leaves, n, root);
		for (guint m = 0; m < n; m++) {
			g_autoptr (GError) error = NULL;
			g_autoptr (GBytes) proof = mv_merkle_inclusion_proof (leaves, n, m, &error);

			cr_assert_not_null (proof, "%s", error ? error->message : "");
			cr_assert (mv_merkle_verify_inclusion (
					   leaves + m * H, m, n, g_bytes_get_data (proof, NULL),
					   g_bytes_get_size (proof), root, &error),
				   "inclusion %u/%u: %s", m, n, error ? error->message : "");
			flip_each_bit_and_expect_failure_incl (leaves + m * H, m, n, proof, root);
		}
	}
	{
		g_autoptr (GError) error = NULL;
		g_autoptr (GBytes) proof = mv_merkle_inclusion_proof (leaves, 5, 5, &error);
		cr_assert_null (proof);
		cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INVALID_INPUT));
	}
}

Test (merkle, consistency_all_sizes_to_20)
{
	g_autofree guint8 *leaves = make_leaves (20);
	guint8 roots[21][H];

	for (guint n = 0; n <= 20; n++)
		mv_merkle_root (leaves, n, roots[n]);
	for (guint n = 0; n <= 20; n++) {
		for (guint m = 0; m <= n; m++) {
			g_autoptr (GError) error = NULL;
			g_autoptr (GBytes) proof
				= mv_merkle_consistency_proof (leaves, m, n, &error);
			gsize len;
			g_autofree guint8 *copy = NULL;

			cr_assert_not_null (proof, "%s", error ? error->message : "");
			len = g_bytes_get_size (proof);
			copy = g_memdup2 (g_bytes_get_data (proof, NULL), MAX (len, 1));
			cr_assert (mv_merkle_verify_consistency (m, n, copy, len, roots[m],
								 roots[n], &error),
				   "consistency %u->%u: %s", m, n, error ? error->message : "");
			for (gsize i = 0; i < len * 8; i += 3) {
				copy[i / 8] ^= (guint8)(1u << (i % 8));
				cr_assert_not (mv_merkle_verify_consistency (
						       m, n, copy, len, roots[m], roots[n], NULL),
					       "flipped bit %zu of consistency %u->%u accepted", i,
					       m, n);
				copy[i / 8] ^= (guint8)(1u << (i % 8));
			}
			if (m > 0 && m < n) {
				/* Against the wrong old or new root. */
				cr_assert_not (mv_merkle_verify_consistency (
					m, n, copy, len, roots[m - 1], roots[n], NULL));
				cr_assert_not (mv_merkle_verify_consistency (
					m, n, copy, len, roots[m], roots[m], NULL));
				cr_assert_not (mv_merkle_verify_consistency (
					m, n, copy, len - H, roots[m], roots[n], NULL));
			}
			if (m == n && m > 0)
				cr_assert_not (mv_merkle_verify_consistency (
					m, n, copy, 0, roots[m], roots[m - 1], NULL));
		}
	}
	{
		g_autoptr (GError) error = NULL;
		g_autoptr (GBytes) proof = mv_merkle_consistency_proof (leaves, 6, 5, &error);
		cr_assert_null (proof);
		cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INVALID_INPUT));
	}
}

Test (merkle, frontier_matches_root_and_round_trips)
{
	g_autofree guint8 *leaves = make_leaves (300);
	g_autoptr (MvMerkleFrontier) frontier = mv_merkle_frontier_new ();

	for (guint n = 0; n <= 300; n++) {
		guint8 a[H], b[H];
		g_autoptr (GBytes) bytes = mv_merkle_frontier_to_bytes (frontier);
		g_autoptr (GError) error = NULL;
		g_autoptr (MvMerkleFrontier) back
			= mv_merkle_frontier_new_from_bytes (bytes, &error);

		cr_assert_not_null (back, "%s", error ? error->message : "");
		mv_merkle_root (leaves, n, a);
		mv_merkle_frontier_get_root (back, b);
		cr_assert_arr_eq (a, b, H, "frontier root at size %u", n);
		cr_assert_eq (g_bytes_get_size (bytes), 8 + (gsize)__builtin_popcount (n) * H);
		if (n < 300)
			mv_merkle_frontier_append (frontier, leaves + n * H);
	}
	{
		guint8 junk[9] = { 0, 0, 0, 0, 0, 0, 0, 1, 0 };
		g_autoptr (GBytes) bytes = g_bytes_new (junk, sizeof junk);
		g_autoptr (GError) error = NULL;
		g_autoptr (MvMerkleFrontier) back
			= mv_merkle_frontier_new_from_bytes (bytes, &error);
		cr_assert_null (back);
		cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INTEGRITY));
	}
}
