/* Unit tests of audit entries, signed tree heads and whole-log verification. */
#include <criterion/criterion.h>
#include <glib/gstdio.h>
#include <medverse/mv-error.h>
#include <sodium.h>
#include <string.h>

#include "mv-crypto.h"

#define H MV_MERKLE_HASH_SIZE
#define CLINIC "clinic-a"
#define LOG "7b0e4c1e-0c8e-4b8a-9d51-3f1d7c2a9e10"

static MvAuditSigner *
new_signer (void)
{
	g_autoptr (GError) error = NULL;
	MvAuditSigner *signer = mv_audit_signer_new_from_seed (mv_secret_new_random (32), &error);

	cr_assert_not_null (signer, "%s", error ? error->message : "");
	return signer;
}

Test (audit, entry_encoding_is_canonical)
{
	MvAuditEntry e = {
		.clinic_id = "c1",
		.seq = 2,
		.timestamp_us = 1,
		.actor = "k",
		.action = "a",
		.resource_type = "patient",
		.resource_id = "",
		.request_id = "r",
	};
	g_autoptr (GError) error = NULL;
	g_autoptr (GBytes) enc = mv_audit_entry_encode (&e, &error);
	static const guint8 expected[] = {
		0,   0,	  0,   23,  'm', 'e', 'd', 'v', 'e', 'r', 's', 'e', '.', 'a', 'u',
		'd', 'i', 't', '.', 'e', 'n', 't', 'r', 'y', '.', 'v', '1', 0,	 0,   0,
		2,   'c', '1', 0,   0,	 0,   8,   0,	0,   0,	  0,   0,   0,	 0,   2,
		0,   0,	  0,   8,   0,	 0,   0,   0,	0,   0,	  0,   1,   0,	 0,   0,
		1,   'k', 0,   0,   0,	 1,   'a', 0,	0,   0,	  7,   'p', 'a', 't', 'i',
		'e', 'n', 't', 0,   0,	 0,   0,   0,	0,   0,	  1,   'r',
	};

	cr_assert_not_null (enc, "%s", error ? error->message : "");
	cr_assert_eq (g_bytes_get_size (enc), sizeof expected);
	cr_assert_arr_eq (g_bytes_get_data (enc, NULL), expected, sizeof expected);

	/* A negative timestamp is two's complement, not an error. */
	e.timestamp_us = -1;
	{
		g_autoptr (GBytes) neg = mv_audit_entry_encode (&e, &error);
		const guint8 *p = g_bytes_get_data (neg, NULL);
		cr_assert_eq (p[27 + 6 + 12 + 4], 0xff);
	}

	/* Missing fields are refused with the field's name. */
	e.action = NULL;
	{
		g_autoptr (GBytes) bad = mv_audit_entry_encode (&e, &error);
		cr_assert_null (bad);
		cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INVALID_INPUT));
		cr_assert (strstr (error->message, "action") != NULL, "%s", error->message);
	}
}

Test (audit, sth_sign_verify_and_tamper)
{
	g_autoptr (MvAuditSigner) signer = new_signer ();
	g_autoptr (MvAuditSigner) other = new_signer ();
	guint8 root[H];
	g_autoptr (MvTreeHead) head = NULL;
	g_autoptr (GError) error = NULL;
	const guint8 *pk = mv_audit_signer_get_public_key (signer);
	g_autofree gchar *pk_hex = mv_audit_signer_get_public_key_hex (signer);

	cr_assert_eq (strlen (pk_hex), 64);
	randombytes_buf (root, sizeof root);
	head = mv_tree_head_new (LOG, CLINIC, 42, root, G_GINT64_CONSTANT (1764050000000000));
	mv_audit_signer_sign (signer, head);
	cr_assert (mv_tree_head_verify (head, pk, &error), "%s", error ? error->message : "");
	cr_assert_not (mv_tree_head_verify (head, mv_audit_signer_get_public_key (other), NULL));

#define TAMPER(stmt)                                                                               \
	do {                                                                                       \
		g_autoptr (MvTreeHead) t                                                           \
			= mv_tree_head_new (head->log_id, head->tree_id, head->tree_size,          \
					    head->root_hash, head->timestamp_us);                  \
		g_autoptr (GError) e = NULL;                                                       \
		memcpy (t->signature, head->signature, MV_AUDIT_SIGNATURE_SIZE);                   \
		stmt;                                                                              \
		cr_assert_not (mv_tree_head_verify (t, pk, &e), "accepted after " #stmt);          \
		cr_assert (g_error_matches (e, MV_ERROR, MV_ERROR_INTEGRITY));                     \
	} while (0)

	TAMPER (t->tree_size++);
	TAMPER (t->timestamp_us--);
	TAMPER (t->root_hash[7] ^= 0x10);
	TAMPER (t->signature[63] ^= 0x01);
	TAMPER (t->signature[0] ^= 0x80);
	TAMPER ((g_free (t->tree_id), t->tree_id = g_strdup ("clinic-b")));
	TAMPER ((g_free (t->log_id), t->log_id = g_strdup ("other-installation")));
#undef TAMPER
}

Test (audit, signer_key_file)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *dir = g_dir_make_tmp ("mv-crypto-XXXXXX", &error);
	g_autofree gchar *path = g_build_filename (dir, "audit-signing.key", NULL);
	g_autoptr (MvAuditSigner) a = NULL;
	g_autoptr (MvAuditSigner) b = NULL;

	cr_assert (mv_audit_signer_generate_key_file (path, &error), "%s",
		   error ? error->message : "");
	a = mv_audit_signer_new_from_key_file (path, &error);
	b = mv_audit_signer_new_from_key_file (path, &error);
	cr_assert_not_null (a, "%s", error ? error->message : "");
	cr_assert_arr_eq (mv_audit_signer_get_public_key (a), mv_audit_signer_get_public_key (b),
			  MV_AUDIT_PUBLIC_KEY_SIZE);
	cr_assert_eq (g_chmod (path, 0644), 0);
	{
		g_autoptr (MvAuditSigner) c = mv_audit_signer_new_from_key_file (path, &error);
		cr_assert_null (c);
		cr_assert (strstr (error->message, "0644") != NULL);
	}
	g_unlink (path);
	g_rmdir (dir);
}

/* ---- whole log ----------------------------------------------------------------------------- */

#define N_ENTRIES 23

typedef struct {
	MvAuditEntry entries[N_ENTRIES];
	gchar *resource_ids[N_ENTRIES];
	guint8 hashes[N_ENTRIES * H];
	MvTreeHead *heads[4];
	MvAuditSigner *signer;
} Log;

static void
log_init (Log *log)
{
	static const guint sizes[] = { 1, 8, 13, N_ENTRIES };
	g_autoptr (MvMerkleFrontier) frontier = mv_merkle_frontier_new ();
	guint next = 0;

	log->signer = new_signer ();
	for (guint i = 0; i < N_ENTRIES; i++) {
		log->resource_ids[i] = g_strdup_printf ("patient-%04u", i % 5);
		log->entries[i] = (MvAuditEntry){
			.clinic_id = CLINIC,
			.seq = i,
			.timestamp_us = G_GINT64_CONSTANT (1764050000000000) + i * 1000,
			.actor = "key-17",
			.action = i % 3 == 0 ? "patient.read" : "patient.update",
			.resource_type = "patient",
			.resource_id = log->resource_ids[i],
			.request_id = "req",
		};
		cr_assert (mv_audit_entry_leaf_hash (&log->entries[i], log->hashes + i * H, NULL));
		mv_merkle_frontier_append (frontier, log->hashes + i * H);
		if (mv_merkle_frontier_get_size (frontier) == sizes[next]) {
			guint8 root[H];
			mv_merkle_frontier_get_root (frontier, root);
			log->heads[next] = mv_tree_head_new (LOG, CLINIC, sizes[next], root, i);
			mv_audit_signer_sign (log->signer, log->heads[next]);
			next++;
		}
	}
	cr_assert_eq (next, 4);
}

static void
log_clear (Log *log)
{
	for (guint i = 0; i < N_ENTRIES; i++)
		g_free (log->resource_ids[i]);
	for (guint i = 0; i < 4; i++)
		mv_tree_head_free (log->heads[i]);
	mv_audit_signer_free (log->signer);
}

static void
expect_log_failure (Log *log, gsize n, gsize n_heads, const gchar *needle)
{
	g_autoptr (GError) error = NULL;
	gboolean ok = mv_audit_verify_log (LOG, CLINIC, log->entries, log->hashes, n, log->heads,
					   n_heads, mv_audit_signer_get_public_key (log->signer),
					   &error);

	cr_assert_not (ok, "tampered log accepted (expected \"%s\")", needle);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INTEGRITY));
	cr_assert (strstr (error->message, needle) != NULL, "\"%s\" not in: %s", needle,
		   error->message);
}

Test (audit, verify_log_intact)
{
	Log log = { 0 };
	g_autoptr (GError) error = NULL;

	log_init (&log);
	cr_assert (mv_audit_verify_log (LOG, CLINIC, log.entries, log.hashes, N_ENTRIES, log.heads,
					4, mv_audit_signer_get_public_key (log.signer), &error),
		   "%s", error ? error->message : "");
	cr_assert (mv_audit_verify_log (LOG, CLINIC, log.entries, NULL, N_ENTRIES, log.heads, 4,
					mv_audit_signer_get_public_key (log.signer), &error),
		   "%s", error ? error->message : "");
	log_clear (&log);
}

Test (audit, verify_log_altered_row)
{
	Log log = { 0 };

	log_init (&log);
	log.entries[9].action = "patient.delete";
	expect_log_failure (&log, N_ENTRIES, 4, "entry 9 was altered");
	/* The attacker also rewrites the stored leaf hash: the tree head catches it. */
	cr_assert (mv_audit_entry_leaf_hash (&log.entries[9], log.hashes + 9 * H, NULL));
	expect_log_failure (&log, N_ENTRIES, 4, "tree head of size 13");
	expect_log_failure (&log, N_ENTRIES, 4, "from 8 to 12");
	log_clear (&log);
}

Test (audit, verify_log_deleted_row)
{
	Log log = { 0 };

	/* Delete entry 4: everything after it shifts down one position. */
	log_init (&log);
	memmove (&log.entries[4], &log.entries[5], (N_ENTRIES - 5) * sizeof (MvAuditEntry));
	memmove (log.hashes + 4 * H, log.hashes + 5 * H, (N_ENTRIES - 5) * H);
	expect_log_failure (&log, N_ENTRIES - 1, 4, "covers more entries");
	/* ...and the newest head deleted too, so the log is not shorter than any head. */
	expect_log_failure (&log, N_ENTRIES - 1, 3, "entry 4 is missing or out of order");
	/* ...and seq renumbered and leaf hashes recomputed: the first head past it fails. */
	for (guint i = 4; i < N_ENTRIES - 1; i++) {
		log.entries[i].seq = i;
		cr_assert (mv_audit_entry_leaf_hash (&log.entries[i], log.hashes + i * H, NULL));
	}
	expect_log_failure (&log, N_ENTRIES - 1, 3, "tree head of size 8 does not match");
	expect_log_failure (&log, N_ENTRIES - 1, 3, "from 1 to 7");
	log_clear (&log);

	/* Delete the newest entry. */
	log_init (&log);
	expect_log_failure (&log, N_ENTRIES - 1, 4, "covers more entries");
	log_clear (&log);

	/* Delete one row from the middle, a copy of its neighbour in its place. */
	log_init (&log);
	log.entries[6] = log.entries[7];
	memcpy (log.hashes + 6 * H, log.hashes + 7 * H, H);
	expect_log_failure (&log, N_ENTRIES, 4, "entry 6 is missing or out of order");
	log_clear (&log);
}

Test (audit, verify_log_reordered_rows)
{
	Log log = { 0 };
	MvAuditEntry tmp;
	guint8 th[H];

	log_init (&log);
	tmp = log.entries[15];
	log.entries[15] = log.entries[16];
	log.entries[16] = tmp;
	memcpy (th, log.hashes + 15 * H, H);
	memcpy (log.hashes + 15 * H, log.hashes + 16 * H, H);
	memcpy (log.hashes + 16 * H, th, H);
	expect_log_failure (&log, N_ENTRIES, 4, "entry 15");

	/* Reordered and seq rewritten to match the new order: leaf hashes no longer match. */
	log.entries[15].seq = 15;
	log.entries[16].seq = 16;
	expect_log_failure (&log, N_ENTRIES, 4, "entry 15 was altered");
	log_clear (&log);
}

Test (audit, verify_log_bad_head)
{
	Log log = { 0 };
	g_autoptr (MvAuditSigner) other = new_signer ();

	log_init (&log);
	mv_audit_signer_sign (other, log.heads[2]);
	expect_log_failure (&log, N_ENTRIES, 4, "size 13 has an invalid signature");
	log_clear (&log);
}
