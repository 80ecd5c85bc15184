/*
 * Prints a JSON document with an audit tree built by the crypto core: entries (fields, canonical
 * encoding, leaf hash), every root, every inclusion and consistency proof up to the tree size,
 * signed tree heads and the public key.  tests/tools/verify_audit.py checks it with its own
 * implementation of RFC 6962/9162 and Ed25519; the pair is a meson test.
 *
 * --corrupt WHAT flips one bit in one proof, root, leaf hash or signature so the tests can show
 * that the verifier notices (those tests are expected to fail).
 */
#include <json-glib/json-glib.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "mv-crypto.h"

#define H MV_MERKLE_HASH_SIZE
#define N_ENTRIES 20
#define TREE "clinic-3f6c1a"
#define LOG "7b0e4c1e-0c8e-4b8a-9d51-3f1d7c2a9e10"

static gchar *
hex (const guint8 *data, gsize len)
{
	gchar *out = g_malloc (2 * len + 1);

	sodium_bin2hex (out, 2 * len + 1, data, len);
	return out;
}

static void
add_hex (JsonBuilder *b, const gchar *member, const guint8 *data, gsize len)
{
	g_autofree gchar *h = hex (data, len);

	if (member != NULL)
		json_builder_set_member_name (b, member);
	json_builder_add_string_value (b, h);
}

static void
add_path (JsonBuilder *b, GBytes *proof, gboolean corrupt)
{
	gsize len = 0;
	const guint8 *p = g_bytes_get_data (proof, &len);

	json_builder_set_member_name (b, "path");
	json_builder_begin_array (b);
	for (gsize off = 0; off < len; off += H) {
		guint8 h[H];

		memcpy (h, p + off, H);
		if (corrupt && off == 0)
			h[5] ^= 0x04;
		add_hex (b, NULL, h, H);
	}
	json_builder_end_array (b);
}

int
main (int argc, char **argv)
{
	const gchar *corrupt = argc == 3 && g_str_equal (argv[1], "--corrupt") ? argv[2] : "";
	static const gchar *actions[] = { "patient.create", "patient.read",   "patient.update",
					  "patient.export", "patient.delete", "key.create" };
	g_autoptr (MvAuditSigner) signer = NULL;
	g_autoptr (JsonBuilder) b = json_builder_new ();
	g_autoptr (JsonGenerator) gen = json_generator_new ();
	g_autoptr (JsonNode) root_node = NULL;
	g_autoptr (GError) error = NULL;
	g_autofree gchar *text = NULL;
	g_autofree gchar *pk = NULL;
	guint8 leaves[N_ENTRIES * H];
	gchar *ids[N_ENTRIES];
	MvAuditEntry entries[N_ENTRIES];

	if (argc != 1 && corrupt[0] == '\0') {
		g_printerr ("usage: %s [--corrupt inclusion|consistency|root|leaf|sth]\n", argv[0]);
		return 2;
	}
	signer = mv_audit_signer_new_from_seed (mv_secret_new_random (32), &error);
	g_assert_no_error (error);
	pk = mv_audit_signer_get_public_key_hex (signer);

	json_builder_begin_object (b);
	json_builder_set_member_name (b, "log_id");
	json_builder_add_string_value (b, LOG);
	json_builder_set_member_name (b, "tree_id");
	json_builder_add_string_value (b, TREE);
	json_builder_set_member_name (b, "public_key");
	json_builder_add_string_value (b, pk);

	json_builder_set_member_name (b, "entries");
	json_builder_begin_array (b);
	for (guint i = 0; i < N_ENTRIES; i++) {
		g_autoptr (GBytes) enc = NULL;

		/* Non-ASCII and empty fields on purpose: the verifier must encode them too. */
		ids[i] = i % 7 == 3 ? g_strdup ("") : g_strdup_printf ("patient-%02u-é", i % 6);
		entries[i] = (MvAuditEntry){
			.clinic_id = TREE,
			.seq = i,
			.timestamp_us = G_GINT64_CONSTANT (1764050000000000) + (gint64)i * 1234567,
			.actor = i % 2 ? "key-5b1e" : "operator",
			.action = actions[i % G_N_ELEMENTS (actions)],
			.resource_type = i % 6 == 5 ? "api-key" : "patient",
			.resource_id = ids[i],
			.request_id = i % 4 == 2 ? "" : "req-9a0f",
		};
		enc = mv_audit_entry_encode (&entries[i], &error);
		g_assert_no_error (error);
		mv_merkle_leaf_hash (g_bytes_get_data (enc, NULL), g_bytes_get_size (enc),
				     leaves + i * H);

		json_builder_begin_object (b);
		json_builder_set_member_name (b, "clinic_id");
		json_builder_add_string_value (b, entries[i].clinic_id);
		json_builder_set_member_name (b, "seq");
		json_builder_add_int_value (b, (gint64)entries[i].seq);
		json_builder_set_member_name (b, "timestamp_us");
		json_builder_add_int_value (b, entries[i].timestamp_us);
		json_builder_set_member_name (b, "actor");
		json_builder_add_string_value (b, entries[i].actor);
		json_builder_set_member_name (b, "action");
		json_builder_add_string_value (b, entries[i].action);
		json_builder_set_member_name (b, "resource_type");
		json_builder_add_string_value (b, entries[i].resource_type);
		json_builder_set_member_name (b, "resource_id");
		json_builder_add_string_value (b, entries[i].resource_id);
		json_builder_set_member_name (b, "request_id");
		json_builder_add_string_value (b, entries[i].request_id);
		add_hex (b, "encoding", g_bytes_get_data (enc, NULL), g_bytes_get_size (enc));
		{
			guint8 lh[H];
			memcpy (lh, leaves + i * H, H);
			if (g_str_equal (corrupt, "leaf") && i == 11)
				lh[0] ^= 0x01;
			add_hex (b, "leaf_hash", lh, H);
		}
		json_builder_end_object (b);
	}
	json_builder_end_array (b);

	json_builder_set_member_name (b, "roots");
	json_builder_begin_array (b);
	for (guint n = 0; n <= N_ENTRIES; n++) {
		guint8 r[H];

		mv_merkle_root (leaves, n, r);
		if (g_str_equal (corrupt, "root") && n == 13)
			r[31] ^= 0x80;
		add_hex (b, NULL, r, H);
	}
	json_builder_end_array (b);

	json_builder_set_member_name (b, "inclusion");
	json_builder_begin_array (b);
	for (guint n = 1; n <= N_ENTRIES; n++) {
		for (guint m = 0; m < n; m++) {
			g_autoptr (GBytes) proof = mv_merkle_inclusion_proof (leaves, n, m, &error);

			g_assert_no_error (error);
			json_builder_begin_object (b);
			json_builder_set_member_name (b, "index");
			json_builder_add_int_value (b, m);
			json_builder_set_member_name (b, "tree_size");
			json_builder_add_int_value (b, n);
			add_path (b, proof,
				  g_str_equal (corrupt, "inclusion") && n == 17 && m == 9);
			json_builder_end_object (b);
		}
	}
	json_builder_end_array (b);

	json_builder_set_member_name (b, "consistency");
	json_builder_begin_array (b);
	for (guint n = 0; n <= N_ENTRIES; n++) {
		for (guint m = 0; m <= n; m++) {
			g_autoptr (GBytes) proof
				= mv_merkle_consistency_proof (leaves, m, n, &error);

			g_assert_no_error (error);
			json_builder_begin_object (b);
			json_builder_set_member_name (b, "size1");
			json_builder_add_int_value (b, m);
			json_builder_set_member_name (b, "size2");
			json_builder_add_int_value (b, n);
			add_path (b, proof,
				  g_str_equal (corrupt, "consistency") && n == 19 && m == 6);
			json_builder_end_object (b);
		}
	}
	json_builder_end_array (b);

	json_builder_set_member_name (b, "sths");
	json_builder_begin_array (b);
	for (guint n = 0; n <= N_ENTRIES; n += 5) {
		guint8 r[H];
		g_autoptr (MvTreeHead) head = NULL;

		mv_merkle_root (leaves, n, r);
		head = mv_tree_head_new (LOG, TREE, n, r, G_GINT64_CONSTANT (1764060000000000) + n);
		mv_audit_signer_sign (signer, head);
		if (!mv_tree_head_verify (head, mv_audit_signer_get_public_key (signer), &error))
			g_error ("%s", error->message);
		if (g_str_equal (corrupt, "sth") && n == 10)
			head->signature[17] ^= 0x02;
		json_builder_begin_object (b);
		json_builder_set_member_name (b, "log_id");
		json_builder_add_string_value (b, head->log_id);
		json_builder_set_member_name (b, "tree_id");
		json_builder_add_string_value (b, head->tree_id);
		json_builder_set_member_name (b, "tree_size");
		json_builder_add_int_value (b, (gint64)head->tree_size);
		add_hex (b, "root_hash", head->root_hash, H);
		json_builder_set_member_name (b, "timestamp_us");
		json_builder_add_int_value (b, head->timestamp_us);
		add_hex (b, "signature", head->signature, MV_AUDIT_SIGNATURE_SIZE);
		json_builder_end_object (b);
	}
	json_builder_end_array (b);
	json_builder_end_object (b);

	for (guint i = 0; i < N_ENTRIES; i++)
		g_free (ids[i]);
	root_node = json_builder_get_root (b);
	json_generator_set_root (gen, root_node);
	json_generator_set_pretty (gen, TRUE);
	text = json_generator_to_data (gen, NULL);
	fputs (text, stdout);
	fputc ('\n', stdout);
	return 0;
}
