/* Unit tests of the vault: key files, key hierarchy, sealed records, blind index. */
#include <criterion/criterion.h>
#include <glib/gstdio.h>
#include <medverse/mv-error.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mv-crypto.h"

#define CLINIC "clinic-7d2f"
#define PATIENT "patient-0001"
#define PROFILE "{\"name\":\"Zyxwv Distinctive\",\"mrn\":\"AB-1234\"}"

static MvVault *
new_vault (void)
{
	g_autoptr (GError) error = NULL;
	MvVault *vault
		= mv_vault_new_from_secret (mv_secret_new_random (MV_VAULT_KEY_SIZE), &error);

	cr_assert_not_null (vault, "%s", error ? error->message : "");
	return vault;
}

typedef struct {
	MvVault *vault;
	MvSecret *kek;
	GBytes *wrapped_kek;
	MvSecret *dek;
	GBytes *wrapped_dek;
} Chain;

static void
chain_init (Chain *c)
{
	g_autoptr (GError) error = NULL;

	c->vault = new_vault ();
	c->wrapped_kek = mv_vault_new_kek (c->vault, CLINIC, &c->kek, &error);
	cr_assert_not_null (c->wrapped_kek, "%s", error ? error->message : "");
	c->wrapped_dek = mv_vault_new_dek (c->kek, CLINIC, PATIENT, &c->dek, &error);
	cr_assert_not_null (c->wrapped_dek, "%s", error ? error->message : "");
}

static void
chain_clear (Chain *c)
{
	mv_vault_free (c->vault);
	mv_secret_free (c->kek);
	mv_secret_free (c->dek);
	g_bytes_unref (c->wrapped_kek);
	g_bytes_unref (c->wrapped_dek);
}

static GBytes *
seal_profile (MvSecret *dek, guint64 version)
{
	g_autoptr (GError) error = NULL;
	GBytes *blob = mv_vault_seal (dek, CLINIC, PATIENT, "profile", version,
				      (const guint8 *)PROFILE, strlen (PROFILE), &error);

	cr_assert_not_null (blob, "%s", error ? error->message : "");
	return blob;
}

static void
assert_integrity_error (gconstpointer result, GError *error)
{
	cr_assert_null (result);
	cr_assert_not_null (error);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INTEGRITY), "got %s", error->message);
}

static void
assert_opens (MvSecret *dek, GBytes *blob, guint64 version)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GBytes) pt
		= mv_vault_open (dek, CLINIC, PATIENT, "profile", version, blob, &error);

	cr_assert_not_null (pt, "%s", error ? error->message : "");
	cr_assert_eq (g_bytes_get_size (pt), strlen (PROFILE));
	cr_assert_arr_eq (g_bytes_get_data (pt, NULL), PROFILE, strlen (PROFILE));
}

Test (vault, seal_open_round_trip)
{
	Chain c = { 0 };
	g_autoptr (GBytes) blob = NULL;
	g_autoptr (GBytes) empty = NULL;
	g_autoptr (GBytes) pt = NULL;
	g_autoptr (GError) error = NULL;
	const guint8 *raw;

	chain_init (&c);
	blob = seal_profile (c.dek, 3);
	cr_assert_eq (g_bytes_get_size (blob), strlen (PROFILE) + MV_VAULT_SEAL_OVERHEAD);
	raw = g_bytes_get_data (blob, NULL);
	cr_assert_eq (raw[0], MV_VAULT_FORMAT_V1);
	/* The plaintext does not appear in the blob. */
	cr_assert_null (
		g_strstr_len ((const gchar *)raw, (gssize)g_bytes_get_size (blob), "Zyxwv"));
	assert_opens (c.dek, blob, 3);

	/* Two seals of the same data differ (random nonce). */
	{
		g_autoptr (GBytes) again = seal_profile (c.dek, 3);
		cr_assert_not (g_bytes_equal (blob, again));
	}

	/* Empty plaintext is a valid record. */
	empty = mv_vault_seal (c.dek, CLINIC, PATIENT, "notes", 1, NULL, 0, &error);
	cr_assert_not_null (empty);
	pt = mv_vault_open (c.dek, CLINIC, PATIENT, "notes", 1, empty, &error);
	cr_assert_not_null (pt, "%s", error ? error->message : "");
	cr_assert_eq (g_bytes_get_size (pt), 0);
	chain_clear (&c);
}

Test (vault, tampered_ciphertext_fails)
{
	Chain c = { 0 };
	g_autoptr (GBytes) blob = NULL;
	gsize len;

	chain_init (&c);
	blob = seal_profile (c.dek, 1);
	len = g_bytes_get_size (blob);
	/* Flip each byte in turn: header, nonce, ciphertext and tag are all covered. */
	for (gsize i = 0; i < len; i++) {
		g_autofree guint8 *copy = g_memdup2 (g_bytes_get_data (blob, NULL), len);
		g_autoptr (GBytes) bad = NULL;
		g_autoptr (GBytes) pt = NULL;
		g_autoptr (GError) error = NULL;

		copy[i] ^= 0x01;
		bad = g_bytes_new (copy, len);
		pt = mv_vault_open (c.dek, CLINIC, PATIENT, "profile", 1, bad, &error);
		assert_integrity_error (pt, error);
		cr_assert (strstr (error->message, "record failed authentication") != NULL);
		cr_assert_null (strstr (error->message, "Zyxwv"));
	}
	/* Truncated and empty blobs. */
	for (gsize cut = 0; cut < len; cut += 7) {
		g_autoptr (GBytes) bad = g_bytes_new_from_bytes (blob, 0, cut);
		g_autoptr (GError) error = NULL;
		g_autoptr (GBytes) pt
			= mv_vault_open (c.dek, CLINIC, PATIENT, "profile", 1, bad, &error);
		assert_integrity_error (pt, error);
	}
	chain_clear (&c);
}

Test (vault, swapped_identity_fails)
{
	Chain c = { 0 };
	g_autoptr (GBytes) blob = NULL;
	struct {
		const gchar *clinic, *patient, *kind;
		guint64 version;
	} cases[] = {
		{ CLINIC, "patient-0002", "profile", 5 },
		{ CLINIC, PATIENT, "plan", 5 },
		{ CLINIC, PATIENT, "profile", 4 },
		{ CLINIC, PATIENT, "profile", 6 },
		{ "clinic-other", PATIENT, "profile", 5 },
		/* Length prefixes: moving a character between fields changes the AD. */
		{ CLINIC "p", "atient-0001", "profile", 5 },
	};

	chain_init (&c);
	blob = seal_profile (c.dek, 5);
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr (GError) error = NULL;
		g_autoptr (GBytes) pt
			= mv_vault_open (c.dek, cases[i].clinic, cases[i].patient, cases[i].kind,
					 cases[i].version, blob, &error);
		assert_integrity_error (pt, error);
	}
	/* Another patient's DEK cannot open it either. */
	{
		g_autoptr (MvSecret) other = NULL;
		g_autoptr (GBytes) w = mv_vault_new_dek (c.kek, CLINIC, PATIENT, &other, NULL);
		g_autoptr (GError) error = NULL;
		g_autoptr (GBytes) pt
			= mv_vault_open (other, CLINIC, PATIENT, "profile", 5, blob, &error);
		assert_integrity_error (pt, error);
	}
	assert_opens (c.dek, blob, 5);
	chain_clear (&c);
}

/* A record kind with its own identity fields (e.g. one observation among many): the ids are
 * bound too, and a record without ids is sealed exactly as by mv_vault_seal(). */
Test (vault, record_ids_are_bound)
{
	Chain c = { 0 };
	const gchar *ids[] = { "obs-1", "2026", NULL };
	const gchar *const other_ids[][4] = { { "obs-2", "2026", NULL },
					      { "obs-1", NULL, NULL },
					      { "obs-12", "026", NULL },
					      { "obs-1", "2026", "x" } };
	const gchar *none[] = { NULL };
	g_autoptr (GError) error = NULL;
	g_autoptr (GBytes) blob = NULL;
	g_autoptr (GBytes) pt = NULL;
	g_autoptr (GBytes) profile = NULL;
	g_autoptr (GBytes) profile_pt = NULL;

	chain_init (&c);
	blob = mv_vault_seal_ids (c.dek, CLINIC, PATIENT, "observation", ids, 3,
				  (const guint8 *)"{}", 2, &error);
	cr_assert_not_null (blob, "%s", error ? error->message : "");
	pt = mv_vault_open_ids (c.dek, CLINIC, PATIENT, "observation", ids, 3, blob, &error);
	cr_assert_not_null (pt, "%s", error ? error->message : "");
	for (guint i = 0; i < G_N_ELEMENTS (other_ids); i++) {
		g_autoptr (GError) e = NULL;
		g_autoptr (GBytes) moved = mv_vault_open_ids (c.dek, CLINIC, PATIENT, "observation",
							      other_ids[i], 3, blob, &e);
		assert_integrity_error (moved, e);
		cr_assert_not_null (strstr (e->message, "observation record obs-"), "%s",
				    e->message);
	}
	{
		g_autoptr (GError) e = NULL;
		g_autoptr (GBytes) no_ids
			= mv_vault_open (c.dek, CLINIC, PATIENT, "observation", 3, blob, &e);
		assert_integrity_error (no_ids, e);
	}
	/* no ids: the same blob as ever, both ways */
	profile = seal_profile (c.dek, 5);
	profile_pt
		= mv_vault_open_ids (c.dek, CLINIC, PATIENT, "profile", none, 5, profile, &error);
	cr_assert_not_null (profile_pt, "%s", error ? error->message : "");
	{
		const gchar *bad[] = { "", NULL };
		g_autoptr (GError) e = NULL;
		cr_assert_null (mv_vault_seal_ids (c.dek, CLINIC, PATIENT, "observation", bad, 1,
						   (const guint8 *)"{}", 2, &e));
		cr_assert (g_error_matches (e, MV_ERROR, MV_ERROR_INVALID_INPUT));
		cr_assert_not_null (strstr (e->message, "record id"), "%s", e->message);
	}
	chain_clear (&c);
}

Test (vault, wrapped_dek_moved_to_other_row_fails)
{
	Chain c = { 0 };
	g_autoptr (GError) error = NULL;
	g_autoptr (MvSecret) dek = NULL;
	g_autoptr (MvSecret) other_kek = NULL;
	g_autoptr (GBytes) other_wrapped_kek = NULL;

	chain_init (&c);
	dek = mv_vault_unwrap_dek (c.kek, CLINIC, "patient-0002", c.wrapped_dek, &error);
	assert_integrity_error (dek, error);
	g_clear_error (&error);
	dek = mv_vault_unwrap_dek (c.kek, "clinic-other", PATIENT, c.wrapped_dek, &error);
	assert_integrity_error (dek, error);
	g_clear_error (&error);

	/* Under another clinic's KEK. */
	other_wrapped_kek = mv_vault_new_kek (c.vault, "clinic-other", &other_kek, &error);
	cr_assert_not_null (other_wrapped_kek);
	dek = mv_vault_unwrap_dek (other_kek, CLINIC, PATIENT, c.wrapped_dek, &error);
	assert_integrity_error (dek, error);
	g_clear_error (&error);

	/* A wrapped KEK moved to another clinic's row. */
	{
		g_autoptr (MvSecret) kek
			= mv_vault_unwrap_kek (c.vault, "clinic-other", c.wrapped_kek, &error);
		assert_integrity_error (kek, error);
		g_clear_error (&error);
	}

	/* The right row still works, and gives the same DEK. */
	dek = mv_vault_unwrap_dek (c.kek, CLINIC, PATIENT, c.wrapped_dek, &error);
	cr_assert_not_null (dek, "%s", error ? error->message : "");
	cr_assert (mv_secret_equal (dek, c.dek));
	chain_clear (&c);
}

Test (vault, master_rotation_rewraps_without_touching_data)
{
	Chain c = { 0 };
	g_autoptr (GError) error = NULL;
	g_autoptr (MvVault) new_master = new_vault ();
	g_autoptr (GBytes) rewrapped = NULL;
	g_autoptr (GBytes) blob = NULL;
	g_autoptr (MvSecret) kek = NULL;
	g_autoptr (MvSecret) dek = NULL;
	g_autofree gchar *wrapped_by = NULL;

	chain_init (&c);
	blob = seal_profile (c.dek, 2);
	cr_assert_str_neq (mv_vault_get_master_key_id (c.vault),
			   mv_vault_get_master_key_id (new_master));

	rewrapped = mv_vault_rewrap_kek (c.vault, new_master, CLINIC, c.wrapped_kek, &error);
	cr_assert_not_null (rewrapped, "%s", error ? error->message : "");
	wrapped_by = mv_vault_wrapped_kek_get_master_key_id (rewrapped, &error);
	cr_assert_str_eq (wrapped_by, mv_vault_get_master_key_id (new_master));

	/* The old master no longer opens the rewrapped KEK... */
	kek = mv_vault_unwrap_kek (c.vault, CLINIC, rewrapped, &error);
	assert_integrity_error (kek, error);
	cr_assert (strstr (error->message, mv_vault_get_master_key_id (new_master)) != NULL);
	g_clear_error (&error);
	/* ...and the new master does not open the old wrapped KEK. */
	kek = mv_vault_unwrap_kek (new_master, CLINIC, c.wrapped_kek, &error);
	assert_integrity_error (kek, error);
	g_clear_error (&error);
	/* Even with a forged key id header, the old master cannot open the rewrapped KEK. */
	{
		g_autofree guint8 *forged
			= g_memdup2 (g_bytes_get_data (rewrapped, NULL), MV_VAULT_WRAPPED_KEK_SIZE);
		g_autoptr (GBytes) fb = NULL;
		g_autoptr (GBytes) old_w = mv_vault_new_kek (c.vault, "x", NULL, NULL);
		memcpy (forged + 1, (const guint8 *)g_bytes_get_data (old_w, NULL) + 1, 8);
		fb = g_bytes_new (forged, MV_VAULT_WRAPPED_KEK_SIZE);
		kek = mv_vault_unwrap_kek (c.vault, CLINIC, fb, &error);
		assert_integrity_error (kek, error);
		g_clear_error (&error);
	}

	/* The data still opens through the new chain; the wrapped DEK and the blob are unchanged.
	 */
	kek = mv_vault_unwrap_kek (new_master, CLINIC, rewrapped, &error);
	cr_assert_not_null (kek, "%s", error ? error->message : "");
	cr_assert (mv_secret_equal (kek, c.kek));
	dek = mv_vault_unwrap_dek (kek, CLINIC, PATIENT, c.wrapped_dek, &error);
	cr_assert_not_null (dek, "%s", error ? error->message : "");
	assert_opens (dek, blob, 2);

	/* Rewrapping with the wrong old master fails cleanly. */
	{
		g_autoptr (GBytes) again
			= mv_vault_rewrap_kek (c.vault, new_master, CLINIC, rewrapped, &error);
		assert_integrity_error (again, error);
	}
	chain_clear (&c);
}

Test (vault, shredded_dek_makes_data_unrecoverable)
{
	Chain c = { 0 };
	g_autoptr (GBytes) blob = NULL;
	g_autoptr (MvSecret) new_dek = NULL;
	g_autoptr (GBytes) new_wrapped = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (GBytes) pt = NULL;

	chain_init (&c);
	blob = seal_profile (c.dek, 1);
	/* Deleting the row drops the only copy of the DEK.  A patient re-created with the same id
	 * gets a fresh DEK that cannot open the old data. */
	g_clear_pointer (&c.dek, mv_secret_free);
	g_clear_pointer (&c.wrapped_dek, g_bytes_unref);
	new_wrapped = mv_vault_new_dek (c.kek, CLINIC, PATIENT, &new_dek, &error);
	cr_assert_not_null (new_wrapped);
	pt = mv_vault_open (new_dek, CLINIC, PATIENT, "profile", 1, blob, &error);
	assert_integrity_error (pt, error);
	chain_clear (&c);
}

Test (vault, kek_rotation_rewraps_deks)
{
	Chain c = { 0 };
	g_autoptr (GError) error = NULL;
	g_autoptr (MvSecret) new_kek = NULL;
	g_autoptr (GBytes) new_wrapped_kek = NULL;
	g_autoptr (GBytes) rewrapped = NULL;
	g_autoptr (GBytes) blob = NULL;
	g_autoptr (MvSecret) dek = NULL;

	chain_init (&c);
	blob = seal_profile (c.dek, 4);
	new_wrapped_kek = mv_vault_new_kek (c.vault, CLINIC, &new_kek, &error);
	cr_assert_not_null (new_wrapped_kek);
	rewrapped = mv_vault_rewrap_dek (c.kek, new_kek, CLINIC, PATIENT, c.wrapped_dek, &error);
	cr_assert_not_null (rewrapped, "%s", error ? error->message : "");
	/* The old KEK no longer opens the rewrapped DEK; the new one does and the data opens. */
	dek = mv_vault_unwrap_dek (c.kek, CLINIC, PATIENT, rewrapped, &error);
	assert_integrity_error (dek, error);
	g_clear_error (&error);
	dek = mv_vault_unwrap_dek (new_kek, CLINIC, PATIENT, rewrapped, &error);
	cr_assert_not_null (dek, "%s", error ? error->message : "");
	assert_opens (dek, blob, 4);
	/* Rewrapping for another patient fails (the AD binds the row). */
	{
		g_autoptr (GBytes) moved = mv_vault_rewrap_dek (
			c.kek, new_kek, CLINIC, "patient-0002", c.wrapped_dek, &error);
		assert_integrity_error (moved, error);
	}
	chain_clear (&c);
}

Test (vault, bad_ids_are_invalid_input)
{
	Chain c = { 0 };
	const gchar *bad[] = { "", "a\nb", "\xff\xfe" };

	chain_init (&c);
	for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
		g_autoptr (GError) error = NULL;
		g_autoptr (GBytes) blob = mv_vault_seal (c.dek, CLINIC, bad[i], "profile", 1,
							 (const guint8 *)"x", 1, &error);
		cr_assert_null (blob);
		cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INVALID_INPUT));
		cr_assert (strstr (error->message, "patient id") != NULL, "%s", error->message);
	}
	chain_clear (&c);
}

/* ---- key files ----------------------------------------------------------------------------- */

static gchar *
tmp_dir (void)
{
	g_autoptr (GError) error = NULL;
	gchar *dir = g_dir_make_tmp ("mv-crypto-XXXXXX", &error);

	cr_assert_not_null (dir, "%s", error ? error->message : "");
	return dir;
}

static void
write_file (const gchar *path, const gchar *contents, gsize len, int mode)
{
	g_autoptr (GError) error = NULL;

	cr_assert (g_file_set_contents (path, contents, (gssize)len, &error));
	cr_assert_eq (g_chmod (path, mode), 0);
}

Test (keyfile, generate_and_load)
{
	g_autofree gchar *dir = tmp_dir ();
	g_autofree gchar *path = g_build_filename (dir, "master.key", NULL);
	g_autoptr (GError) error = NULL;
	g_autoptr (MvVault) a = NULL;
	g_autoptr (MvVault) b = NULL;
	struct stat st;

	cr_assert (mv_vault_generate_key_file (path, &error), "%s", error ? error->message : "");
	cr_assert_eq (stat (path, &st), 0);
	cr_assert_eq (st.st_mode & 0777, 0600);
	cr_assert_eq (st.st_size, 65);
	/* Never overwrites. */
	cr_assert_not (mv_vault_generate_key_file (path, &error));
	cr_assert (strstr (error->message, path) != NULL);
	g_clear_error (&error);

	a = mv_vault_new_from_key_file (path, &error);
	cr_assert_not_null (a, "%s", error ? error->message : "");
	b = mv_vault_new_from_key_file (path, &error);
	cr_assert_not_null (b);
	cr_assert_str_eq (mv_vault_get_master_key_id (a), mv_vault_get_master_key_id (b));
	cr_assert_eq (strlen (mv_vault_get_master_key_id (a)), 16);
	g_unlink (path);
	g_rmdir (dir);
}

Test (keyfile, group_or_other_readable_refused)
{
	g_autofree gchar *dir = tmp_dir ();
	g_autofree gchar *path = g_build_filename (dir, "master.key", NULL);
	const gchar *hex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n";
	int modes[] = { 0644, 0640, 0604, 0660, 0602 };

	for (guint i = 0; i < G_N_ELEMENTS (modes); i++) {
		g_autoptr (GError) error = NULL;
		g_autoptr (MvVault) vault = NULL;
		g_autofree gchar *mode = g_strdup_printf ("%04o", modes[i]);

		write_file (path, hex, strlen (hex), modes[i]);
		vault = mv_vault_new_from_key_file (path, &error);
		cr_assert_null (vault, "mode %s accepted", mode);
		cr_assert (strstr (error->message, path) != NULL, "%s", error->message);
		cr_assert (strstr (error->message, mode) != NULL, "%s", error->message);
		g_unlink (path);
	}
	/* 0600 and 0400 are fine; hex and raw forms give the same key. */
	{
		g_autoptr (GError) error = NULL;
		g_autoptr (MvVault) from_hex = NULL;
		g_autoptr (MvVault) from_raw = NULL;
		guint8 raw[32];

		for (guint i = 0; i < 32; i++)
			raw[i] = (guint8)i;
		write_file (path, hex, strlen (hex), 0400);
		from_hex = mv_vault_new_from_key_file (path, &error);
		cr_assert_not_null (from_hex, "%s", error ? error->message : "");
		g_unlink (path);
		write_file (path, (const gchar *)raw, sizeof raw, 0600);
		from_raw = mv_vault_new_from_key_file (path, &error);
		cr_assert_not_null (from_raw, "%s", error ? error->message : "");
		cr_assert_str_eq (mv_vault_get_master_key_id (from_hex),
				  mv_vault_get_master_key_id (from_raw));
		g_unlink (path);
	}
	g_rmdir (dir);
}

Test (keyfile, other_owner_refused)
{
	g_autofree gchar *dir = NULL;
	g_autofree gchar *path = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (MvVault) vault = NULL;

	/* Only root can give a file away; as anyone else the check is covered by the code path
	 * being the same as for the mode check. */
	if (geteuid () != 0)
		cr_skip_test ("needs root to chown a file to another user");
	dir = tmp_dir ();
	path = g_build_filename (dir, "master.key", NULL);
	cr_assert (mv_vault_generate_key_file (path, &error));
	cr_assert_eq (chown (path, 65534, 65534), 0);
	vault = mv_vault_new_from_key_file (path, &error);
	cr_assert_null (vault);
	cr_assert (strstr (error->message, "owned by uid 65534") != NULL, "%s", error->message);
	cr_assert (strstr (error->message, path) != NULL);
	g_unlink (path);
	g_rmdir (dir);
}

Test (keyfile, malformed_refused)
{
	g_autofree gchar *dir = tmp_dir ();
	g_autofree gchar *path = g_build_filename (dir, "master.key", NULL);
	g_autofree gchar *missing = g_build_filename (dir, "nope.key", NULL);
	const gchar *bad[]
		= { "", "abcd\n",
		    "zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f00\n",
		    /* 32 hex characters: a 16-byte key, not a raw 32-byte one */
		    "000102030405060708090a0b0c0d0e0f",
		    /* far too long */
		    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f0001\n" };
	g_autoptr (GError) error = NULL;
	g_autoptr (MvVault) vault = NULL;

	for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
		g_autoptr (GError) e = NULL;
		g_autoptr (MvVault) v = NULL;

		write_file (path, bad[i], strlen (bad[i]), 0600);
		v = mv_vault_new_from_key_file (path, &e);
		cr_assert_null (v, "case %u accepted", i);
		cr_assert (strstr (e->message, path) != NULL, "%s", e->message);
		g_unlink (path);
	}
	vault = mv_vault_new_from_key_file (missing, &error);
	cr_assert_null (vault);
	cr_assert (strstr (error->message, missing) != NULL);
	g_clear_error (&error);
	vault = mv_vault_new_from_key_file (dir, &error);
	cr_assert_null (vault);
	g_rmdir (dir);
}

/* ---- blind index --------------------------------------------------------------------------- */

Test (blind_index, normalisation)
{
	const gchar *same[] = { "ab-12 34", "AB1234", "  ab1234\t", "A-B-1-2-3-4", "aB12 - 34\n" };
	const gchar *bad[] = { "", "  - -", "\xff",
			       "AB\x01"
			       "12" };

	for (guint i = 0; i < G_N_ELEMENTS (same); i++) {
		g_autoptr (GError) error = NULL;
		g_autofree gchar *n = mv_vault_normalise_mrn (same[i], &error);
		cr_assert_str_eq (n, "AB1234", "%s", same[i]);
	}
	for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
		g_autoptr (GError) error = NULL;
		g_autofree gchar *n = mv_vault_normalise_mrn (bad[i], &error);
		cr_assert_null (n);
		cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INVALID_INPUT));
	}
	{
		g_autofree gchar *long_mrn = g_strnfill (MV_VAULT_MAX_MRN + 1, '7');
		g_autoptr (GError) error = NULL;
		g_autofree gchar *n = mv_vault_normalise_mrn (long_mrn, &error);
		cr_assert_null (n);
	}
}

Test (blind_index, keyed_per_clinic)
{
	Chain c = { 0 };
	g_autoptr (MvSecret) other_kek = NULL;
	g_autoptr (GBytes) other_wrapped = NULL;
	g_autoptr (MvSecret) ik = NULL;
	g_autoptr (MvSecret) ik2 = NULL;
	g_autoptr (MvSecret) other_ik = NULL;
	g_autoptr (GError) error = NULL;
	g_autofree gchar *a = NULL;
	g_autofree gchar *b = NULL;
	g_autofree gchar *d = NULL;
	g_autofree gchar *e = NULL;

	chain_init (&c);
	ik = mv_vault_derive_index_key (c.kek);
	ik2 = mv_vault_derive_index_key (c.kek);
	cr_assert (mv_secret_equal (ik, ik2));
	cr_assert_not (mv_secret_equal (ik, c.kek));
	a = mv_vault_blind_index (ik, CLINIC, "ab-12 34", &error);
	b = mv_vault_blind_index (ik2, CLINIC, "AB1234", &error);
	cr_assert_not_null (a);
	cr_assert_eq (strlen (a), 64);
	cr_assert_str_eq (a, b);
	cr_assert_null (strstr (a, "1234"));

	d = mv_vault_blind_index (ik, CLINIC, "AB1235", &error);
	cr_assert_str_neq (a, d);

	other_wrapped = mv_vault_new_kek (c.vault, CLINIC, &other_kek, &error);
	other_ik = mv_vault_derive_index_key (other_kek);
	e = mv_vault_blind_index (other_ik, CLINIC, "AB1234", &error);
	cr_assert_str_neq (a, e, "a different clinic key must give a different index");

	/* The index survives master rotation: it hangs off the KEK, which rotation keeps. */
	{
		g_autoptr (MvVault) new_master = new_vault ();
		g_autoptr (GBytes) rw
			= mv_vault_rewrap_kek (c.vault, new_master, CLINIC, c.wrapped_kek, &error);
		g_autoptr (MvSecret) kek = mv_vault_unwrap_kek (new_master, CLINIC, rw, &error);
		g_autoptr (MvSecret) ik3 = mv_vault_derive_index_key (kek);
		g_autofree gchar *f = mv_vault_blind_index (ik3, CLINIC, "ab 1234", &error);
		cr_assert_str_eq (a, f);
	}
	chain_clear (&c);
}

/* Every identifier is normalised one way before its index: Unicode NFKC (full-width letters,
 * digits, spaces and hyphens), separators dropped, ASCII upper-cased; errors in English and
 * Chinese, never quoting the value. */
Test (blind_index, identifier_normalisation_nfkc_full_width_case)
{
	static const gchar *const cases[][2] = {
		{ "ＪＡ２０２６００３２", "JA20260032" }, /* full-width letters and digits */
		{ "ja-2026 0032", "JA20260032" },
		{ "ＪＡ－２０２６　００３２",
		  "JA20260032" }, /* full-width hyphen, ideographic space */
		{ "JA\u20102026\u20130032", "JA20260032" }, /* hyphen U+2010, en dash U+2013 */
		{ "JA\u00a02026\u200b0032", "JA20260032" }, /* no-break space, zero-width space */
		{ "\ufeffja20260032", "JA20260032" },	    /* a byte-order mark pasted in */
		{ "11010519491231002x", "11010519491231002X" },
		{ "ｅ１２３４５６７８", "E12345678" },
		{ "①②③", "123" },	     /* NFKC: circled digits are digits */
		{ "ﬁle-7", "FILE7" },	     /* NFKC: the ligature is two letters */
		{ "病历-0042", "病历0042" }, /* non-ASCII letters kept as they are */
		{ "straße", "STRAßE" },	     /* only ASCII letters change case */
	};
	static const gchar *const bad[] = { "",
					    " - ",
					    "\xff\xfe",
					    "AB\x01"
					    "12",
					    "AB\xc2\x85"
					    "12",
					    "\u3000\uff0d" };

	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr (GError) error = NULL;
		g_autofree gchar *n = mv_vault_normalise_identifier (cases[i][0], &error);
		cr_assert_str_eq (n, cases[i][1], "case %u: %s", i,
				  error != NULL ? error->message : "");
	}
	for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
		g_autoptr (GError) error = NULL;
		g_autofree gchar *n = mv_vault_normalise_identifier (bad[i], &error);
		cr_assert_null (n, "case %u accepted", i);
		cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INVALID_INPUT));
		cr_assert_not_null (mv_error_get_message_zh (error));
	}
	{
		/* 22 full-width characters are 66 bytes before NFKC, 22 after: the limit counts
		 * the normalised bytes */
		g_autoptr (GString) s = g_string_new (NULL);
		g_autofree gchar *n = NULL;
		g_autofree gchar *over = g_strnfill (MV_VAULT_MAX_MRN + 1, 'A');
		g_autoptr (GError) error = NULL;
		for (guint i = 0; i < 22; i++)
			g_string_append (s, "Ａ");
		n = mv_vault_normalise_identifier (s->str, NULL);
		cr_assert_eq (strlen (n), 22);
		cr_assert_null (mv_vault_normalise_identifier (over, &error));
		cr_assert_null (strstr (error->message, "AAAA"));
	}
	{
		/* the MRN's normalisation is the same one, its messages naming the MRN */
		g_autoptr (GError) error = NULL;
		g_autofree gchar *a = mv_vault_normalise_mrn ("ＪＡ２０２６００３２", NULL);
		g_autofree gchar *b = mv_vault_normalise_mrn (" - ", &error);
		cr_assert_str_eq (a, "JA20260032");
		cr_assert_null (b);
		cr_assert (g_str_has_prefix (error->message, "medical record number "));
		cr_assert (g_str_has_prefix (mv_error_get_message_zh (error), "病历号"));
	}
}

/* One key per clinic and system: equal numbers of two systems, or two clinics, or two passport
 * issuers, never share an index; the ways of typing one number do. */
Test (blind_index, identifier_index_keyed_per_clinic_and_system)
{
	Chain c = { 0 };
	g_autoptr (MvSecret) other_kek = NULL;
	g_autoptr (GBytes) other_wrapped = NULL;
	g_autoptr (MvSecret) rid = NULL;
	g_autoptr (MvSecret) rid2 = NULL;
	g_autoptr (MvSecret) ins = NULL;
	g_autoptr (MvSecret) pass = NULL;
	g_autoptr (MvSecret) mrn = NULL;
	g_autoptr (MvSecret) other_rid = NULL;
	g_autoptr (GError) error = NULL;
	const gchar *number = "11010519491231002X";
	g_autofree gchar *a = NULL, *b = NULL, *i1 = NULL, *m = NULL, *o = NULL;
	g_autofree gchar *p1 = NULL, *p2 = NULL, *p3 = NULL;

	chain_init (&c);
	rid = mv_vault_derive_identifier_key (c.kek, "resident-id");
	rid2 = mv_vault_derive_identifier_key (c.kek, "resident-id");
	ins = mv_vault_derive_identifier_key (c.kek, "insurance");
	pass = mv_vault_derive_identifier_key (c.kek, "passport");
	mrn = mv_vault_derive_index_key (c.kek);
	cr_assert (mv_secret_equal (rid, rid2));
	cr_assert_not (mv_secret_equal (rid, ins));
	cr_assert_not (mv_secret_equal (rid, mrn));
	a = mv_vault_identifier_index (rid, CLINIC, "resident-id", NULL, number, &error);
	b = mv_vault_identifier_index (rid2, CLINIC, "resident-id", NULL,
				       "１１０１０５ １９４９１２３１ ００２ｘ", &error);
	cr_assert_not_null (a, "%s", error ? error->message : "");
	cr_assert_eq (strlen (a), 64);
	cr_assert_str_eq (a, b);
	cr_assert_null (strstr (a, "1949"));
	i1 = mv_vault_identifier_index (ins, CLINIC, "insurance", NULL, number, &error);
	m = mv_vault_blind_index (mrn, CLINIC, number, &error);
	cr_assert_str_neq (a, i1);
	cr_assert_str_neq (a, m);
	cr_assert_str_neq (i1, m);
	other_wrapped = mv_vault_new_kek (c.vault, CLINIC, &other_kek, &error);
	other_rid = mv_vault_derive_identifier_key (other_kek, "resident-id");
	o = mv_vault_identifier_index (other_rid, CLINIC, "resident-id", NULL, number, &error);
	cr_assert_str_neq (a, o);
	p1 = mv_vault_identifier_index (pass, CLINIC, "passport", "CN", "E12345678", &error);
	p2 = mv_vault_identifier_index (pass, CLINIC, "passport", "cn", "e1234-5678", &error);
	p3 = mv_vault_identifier_index (pass, CLINIC, "passport", "GB", "E12345678", &error);
	cr_assert_str_eq (p1, p2);
	cr_assert_str_neq (p1, p3);
	cr_assert_null (mv_vault_identifier_index (rid, CLINIC, "resident-id", NULL, " ", NULL));
	chain_clear (&c);
}

/* ---- MvSecret: short secrets share one guarded region ----------------------------------- */

/* More secrets alive than the slab has slots: each is zero-filled, distinct and keeps its own
 * bytes; a slot given back is wiped before the next secret gets it. */
Test (secret, many_alive_at_once_are_distinct_and_zeroed)
{
	enum { N = 600 };
	MvSecret *secrets[N];
	g_autoptr (GHashTable) seen = g_hash_table_new (g_direct_hash, g_direct_equal);

	for (guint i = 0; i < N; i++) {
		guint8 *bytes;
		secrets[i] = mv_secret_new_writable (32);
		bytes = mv_secret_get_writable (secrets[i]);
		for (guint k = 0; k < 32; k++)
			cr_assert_eq (bytes[k], 0, "secret %u byte %u not zero", i, k);
		memset (bytes, (int)(i & 0xff), 32);
		mv_secret_seal_readonly (secrets[i]);
		cr_assert (g_hash_table_add (seen, (gpointer)mv_secret_get_data (secrets[i])),
			   "secret %u shares memory with another live secret", i);
	}
	for (guint i = 0; i < N; i++) {
		const guint8 *bytes = mv_secret_get_data (secrets[i]);
		for (guint k = 0; k < 32; k++)
			cr_assert_eq (bytes[k], i & 0xff, "secret %u was overwritten", i);
	}
	for (guint i = 0; i < N; i++)
		mv_secret_free (secrets[i]);
	for (guint i = 0; i < N; i++) {
		g_autoptr (MvSecret) again = mv_secret_new_writable (32);
		const guint8 *bytes = mv_secret_get_data (again);
		for (guint k = 0; k < 32; k++)
			cr_assert_eq (bytes[k], 0, "a reused slot still holds old key bytes");
	}
}

/* A slab secret, a large one and a dedicated one behave alike: size, contents, equality. */
Test (secret, slab_large_and_dedicated_secrets_behave_alike)
{
	guint8 raw[200];
	g_autoptr (MvSecret) small = NULL;
	g_autoptr (MvSecret) large = NULL;
	g_autoptr (MvSecret) dedicated = mv_secret_new_dedicated (32);

	randombytes_buf (raw, sizeof raw);
	small = mv_secret_new_from_data (raw, 32);
	large = mv_secret_new_from_data (raw, sizeof raw);
	memcpy (mv_secret_get_writable (dedicated), raw, 32);
	mv_secret_seal_readonly (dedicated);
	cr_assert_eq (mv_secret_get_size (small), 32);
	cr_assert_eq (mv_secret_get_size (large), sizeof raw);
	cr_assert_eq (memcmp (mv_secret_get_data (large), raw, sizeof raw), 0);
	cr_assert (mv_secret_equal (small, dedicated));
	cr_assert_not (mv_secret_equal (small, large));
}

static gpointer
churn (gpointer data)
{
	GHashTable *shared = data;
	static GMutex lock;

	for (guint round = 0; round < 2000; round++) {
		g_autoptr (MvSecret) s = mv_secret_new_random (32);
		gboolean fresh;
		g_mutex_lock (&lock);
		fresh = g_hash_table_add (shared, (gpointer)mv_secret_get_data (s));
		g_mutex_unlock (&lock);
		if (!fresh)
			return GINT_TO_POINTER (1);
		g_mutex_lock (&lock);
		g_hash_table_remove (shared, mv_secret_get_data (s));
		g_mutex_unlock (&lock);
	}
	return NULL;
}

/* Worker threads take and give back slots at once: never the same slot to two live secrets. */
Test (secret, threads_never_share_a_slot)
{
	g_autoptr (GHashTable) live = g_hash_table_new (g_direct_hash, g_direct_equal);
	GThread *threads[4];

	for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
		threads[i] = g_thread_new ("churn", churn, live);
	for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
		cr_assert_null (g_thread_join (threads[i]), "two live secrets got the same memory");
}
