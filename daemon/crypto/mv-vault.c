#include "mv-vault.h"

#include <medverse/mv-error.h>
#include <sodium.h>
#include <string.h>
#include <utf8proc.h>

#include "mv-canon-private.h"
#include "mv-keyfile.h"

#define NONCE_SIZE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_SIZE crypto_aead_xchacha20poly1305_ietf_ABYTES
#define KEY_ID_SIZE 8
#define KEY_ID_LABEL "medverse.master-key-id.v1"
#define INDEX_KDF_CONTEXT "MvBlindX"
#define INDEX_KDF_SUBKEY 1
#define IDENTIFIER_KDF_CONTEXT "MvIdentX"
#define IDENTIFIER_KDF_SUBKEY 1
/* the per-patient key of the term index of clinical records (from the DEK) */
#define TERM_KDF_CONTEXT "MvTermsX"
#define TERM_KDF_SUBKEY 1
#define TERM_MAX_BYTES 1024

G_STATIC_ASSERT (MV_VAULT_KEY_SIZE == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
G_STATIC_ASSERT (MV_VAULT_KEY_SIZE == crypto_kdf_KEYBYTES);
G_STATIC_ASSERT (sizeof INDEX_KDF_CONTEXT - 1 == crypto_kdf_CONTEXTBYTES);
G_STATIC_ASSERT (sizeof IDENTIFIER_KDF_CONTEXT - 1 == crypto_kdf_CONTEXTBYTES);
G_STATIC_ASSERT (MV_VAULT_SEAL_OVERHEAD == 1 + NONCE_SIZE + TAG_SIZE);

struct _MvVault {
	MvSecret *master;
	guint8 key_id[KEY_ID_SIZE];
	gchar key_id_hex[2 * KEY_ID_SIZE + 1];
};

/* ---- helpers ------------------------------------------------------------------------------- */

static gboolean
check_key (const gchar *what, MvSecret *key, GError **error)
{
	if (key == NULL || mv_secret_get_size (key) != MV_VAULT_KEY_SIZE) {
		g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT, "%s must be a %d-byte key",
			     what, MV_VAULT_KEY_SIZE);
		return FALSE;
	}
	return TRUE;
}

/* Encrypts @msg into out[header_len + NONCE_SIZE ...] with a fresh random nonce; the caller has
 * written the header bytes.  @out must hold header_len + NONCE_SIZE + len + TAG_SIZE. */
static void
aead_encrypt (const MvSecret *key,
	      const GByteArray *ad,
	      const guint8 *msg,
	      gsize len,
	      guint8 *out,
	      gsize header_len)
{
	guint8 *nonce = out + header_len;
	unsigned long long clen = 0;

	randombytes_buf (nonce, NONCE_SIZE);
	crypto_aead_xchacha20poly1305_ietf_encrypt (out + header_len + NONCE_SIZE, &clen, msg, len,
						    ad->data, ad->len, NULL, nonce,
						    mv_secret_get_data (key));
	g_assert (clen == len + TAG_SIZE);
}

/* Decrypts blob[header_len:] into @out (len - header_len - NONCE_SIZE - TAG_SIZE bytes).  The
 * caller has checked the size.  Returns FALSE if authentication fails; libsodium writes nothing
 * to @out in that case. */
static gboolean
aead_decrypt (const MvSecret *key,
	      const GByteArray *ad,
	      const guint8 *blob,
	      gsize blob_len,
	      gsize header_len,
	      guint8 *out)
{
	const guint8 *nonce = blob + header_len;
	const guint8 *ct = nonce + NONCE_SIZE;
	gsize ct_len = blob_len - header_len - NONCE_SIZE;
	unsigned long long mlen = 0;

	return crypto_aead_xchacha20poly1305_ietf_decrypt (out, &mlen, NULL, ct, ct_len, ad->data,
							   ad->len, nonce, mv_secret_get_data (key))
	       == 0;
}

static GByteArray *
kek_ad (const gchar *clinic_id, const gchar *master_key_id)
{
	GByteArray *ad = mv_canon_new ("medverse.kek.v1");

	mv_canon_add_str (ad, clinic_id);
	mv_canon_add_str (ad, master_key_id);
	return ad;
}

static GByteArray *
dek_ad (const gchar *clinic_id, const gchar *patient_id)
{
	GByteArray *ad = mv_canon_new ("medverse.dek.v1");

	mv_canon_add_str (ad, clinic_id);
	mv_canon_add_str (ad, patient_id);
	return ad;
}

/* The record's own identity fields (@record_ids) follow the version; a record without any
 * (the profile) has exactly the v1 layout it always had. */
static GByteArray *
record_ad (const gchar *clinic_id,
	   const gchar *patient_id,
	   const gchar *record_kind,
	   const gchar *const *record_ids,
	   guint64 version)
{
	GByteArray *ad = mv_canon_new ("medverse.record.v1");

	mv_canon_add_str (ad, clinic_id);
	mv_canon_add_str (ad, patient_id);
	mv_canon_add_str (ad, record_kind);
	mv_canon_add_u64 (ad, version);
	for (guint i = 0; record_ids != NULL && record_ids[i] != NULL; i++)
		mv_canon_add_str (ad, record_ids[i]);
	return ad;
}

/* ---- the vault ----------------------------------------------------------------------------- */

MvVault *
mv_vault_new_from_secret (MvSecret *master_key, GError **error)
{
	g_autoptr (MvSecret) master = master_key;
	MvVault *vault;

	if (!check_key ("the master key", master, error))
		return NULL;
	vault = g_new0 (MvVault, 1);
	vault->master = g_steal_pointer (&master);
	crypto_generichash (vault->key_id, KEY_ID_SIZE, (const guint8 *)KEY_ID_LABEL,
			    strlen (KEY_ID_LABEL), mv_secret_get_data (vault->master),
			    MV_VAULT_KEY_SIZE);
	sodium_bin2hex (vault->key_id_hex, sizeof vault->key_id_hex, vault->key_id, KEY_ID_SIZE);
	return vault;
}

MvVault *
mv_vault_new_from_key_file (const gchar *path, GError **error)
{
	g_autoptr (MvSecret) master = mv_key_file_load (path, MV_VAULT_KEY_SIZE, error);

	if (master == NULL)
		return NULL;
	return mv_vault_new_from_secret (g_steal_pointer (&master), error);
}

gboolean
mv_vault_generate_key_file (const gchar *path, GError **error)
{
	return mv_key_file_generate (path, MV_VAULT_KEY_SIZE, error);
}

const gchar *
mv_vault_get_master_key_id (const MvVault *vault)
{
	g_return_val_if_fail (vault != NULL, NULL);
	return vault->key_id_hex;
}

void
mv_vault_free (MvVault *vault)
{
	if (vault == NULL)
		return;
	mv_secret_free (vault->master);
	g_free (vault);
}

/* ---- KEKs ---------------------------------------------------------------------------------- */

static GBytes *
wrap_kek (MvVault *vault, const gchar *clinic_id, const MvSecret *kek)
{
	g_autoptr (GByteArray) ad = kek_ad (clinic_id, vault->key_id_hex);
	guint8 *out = g_malloc (MV_VAULT_WRAPPED_KEK_SIZE);

	out[0] = MV_VAULT_FORMAT_V1;
	memcpy (out + 1, vault->key_id, KEY_ID_SIZE);
	aead_encrypt (vault->master, ad, mv_secret_get_data (kek), MV_VAULT_KEY_SIZE, out,
		      1 + KEY_ID_SIZE);
	return g_bytes_new_take (out, MV_VAULT_WRAPPED_KEK_SIZE);
}

GBytes *
mv_vault_new_kek (MvVault *vault, const gchar *clinic_id, MvSecret **kek_out, GError **error)
{
	g_autoptr (MvSecret) kek = NULL;
	GBytes *wrapped;

	g_return_val_if_fail (vault != NULL, NULL);
	if (!mv_canon_check_id ("clinic id", clinic_id, error))
		return NULL;
	kek = mv_secret_new_random (MV_VAULT_KEY_SIZE);
	wrapped = wrap_kek (vault, clinic_id, kek);
	if (kek_out != NULL)
		*kek_out = g_steal_pointer (&kek);
	return wrapped;
}

static gboolean
check_wrapped_kek (GBytes *wrapped, const gchar *clinic_id, GError **error)
{
	gsize len = wrapped != NULL ? g_bytes_get_size (wrapped) : 0;
	const guint8 *data = wrapped != NULL ? g_bytes_get_data (wrapped, NULL) : NULL;

	if (len != MV_VAULT_WRAPPED_KEK_SIZE || data[0] != MV_VAULT_FORMAT_V1) {
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
			     "wrapped key of clinic %s failed authentication: not a version-%d "
			     "wrapped key (%" G_GSIZE_FORMAT " bytes)",
			     clinic_id != NULL ? clinic_id : "(none)", MV_VAULT_FORMAT_V1, len);
		return FALSE;
	}
	return TRUE;
}

gchar *
mv_vault_wrapped_kek_get_master_key_id (GBytes *wrapped, GError **error)
{
	gchar hex[2 * KEY_ID_SIZE + 1];

	if (!check_wrapped_kek (wrapped, NULL, error))
		return NULL;
	sodium_bin2hex (hex, sizeof hex, (const guint8 *)g_bytes_get_data (wrapped, NULL) + 1,
			KEY_ID_SIZE);
	return g_strdup (hex);
}

MvSecret *
mv_vault_unwrap_kek (MvVault *vault, const gchar *clinic_id, GBytes *wrapped, GError **error)
{
	g_autoptr (GByteArray) ad = NULL;
	g_autoptr (MvSecret) kek = NULL;
	const guint8 *data;

	g_return_val_if_fail (vault != NULL, NULL);
	if (!mv_canon_check_id ("clinic id", clinic_id, error))
		return NULL;
	if (!check_wrapped_kek (wrapped, clinic_id, error))
		return NULL;
	data = g_bytes_get_data (wrapped, NULL);
	if (sodium_memcmp (data + 1, vault->key_id, KEY_ID_SIZE) != 0) {
		g_autofree gchar *other = mv_vault_wrapped_kek_get_master_key_id (wrapped, NULL);
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
			     "wrapped key of clinic %s failed authentication: it was wrapped by "
			     "master key %s, the configured master key is %s",
			     clinic_id, other, vault->key_id_hex);
		return NULL;
	}
	ad = kek_ad (clinic_id, vault->key_id_hex);
	kek = mv_secret_new_writable (MV_VAULT_KEY_SIZE);
	if (!aead_decrypt (vault->master, ad, data, MV_VAULT_WRAPPED_KEK_SIZE, 1 + KEY_ID_SIZE,
			   mv_secret_get_writable (kek))) {
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
			     "wrapped key of clinic %s failed authentication under master key %s",
			     clinic_id, vault->key_id_hex);
		return NULL;
	}
	mv_secret_seal_readonly (kek);
	return g_steal_pointer (&kek);
}

GBytes *
mv_vault_rewrap_kek (MvVault *old_vault,
		     MvVault *new_vault,
		     const gchar *clinic_id,
		     GBytes *wrapped,
		     GError **error)
{
	g_autoptr (MvSecret) kek = NULL;

	g_return_val_if_fail (old_vault != NULL && new_vault != NULL, NULL);
	kek = mv_vault_unwrap_kek (old_vault, clinic_id, wrapped, error);
	if (kek == NULL)
		return NULL;
	return wrap_kek (new_vault, clinic_id, kek);
}

/* ---- DEKs ---------------------------------------------------------------------------------- */

static GBytes *
wrap_dek (MvSecret *kek, const gchar *clinic_id, const gchar *patient_id, const MvSecret *dek)
{
	g_autoptr (GByteArray) ad = dek_ad (clinic_id, patient_id);
	guint8 *out = g_malloc (MV_VAULT_WRAPPED_DEK_SIZE);

	out[0] = MV_VAULT_FORMAT_V1;
	aead_encrypt (kek, ad, mv_secret_get_data (dek), MV_VAULT_KEY_SIZE, out, 1);
	return g_bytes_new_take (out, MV_VAULT_WRAPPED_DEK_SIZE);
}

GBytes *
mv_vault_new_dek (MvSecret *kek,
		  const gchar *clinic_id,
		  const gchar *patient_id,
		  MvSecret **dek_out,
		  GError **error)
{
	g_autoptr (MvSecret) dek = NULL;
	GBytes *wrapped;

	if (!check_key ("the clinic key", kek, error)
	    || !mv_canon_check_id ("clinic id", clinic_id, error)
	    || !mv_canon_check_id ("patient id", patient_id, error))
		return NULL;
	dek = mv_secret_new_random (MV_VAULT_KEY_SIZE);
	wrapped = wrap_dek (kek, clinic_id, patient_id, dek);
	if (dek_out != NULL)
		*dek_out = g_steal_pointer (&dek);
	return wrapped;
}

MvSecret *
mv_vault_unwrap_dek (MvSecret *kek,
		     const gchar *clinic_id,
		     const gchar *patient_id,
		     GBytes *wrapped,
		     GError **error)
{
	g_autoptr (MvSecret) dek = NULL;
	g_autoptr (GByteArray) ad = NULL;
	gsize len = wrapped != NULL ? g_bytes_get_size (wrapped) : 0;
	const guint8 *data = wrapped != NULL ? g_bytes_get_data (wrapped, NULL) : NULL;

	if (!check_key ("the clinic key", kek, error)
	    || !mv_canon_check_id ("clinic id", clinic_id, error)
	    || !mv_canon_check_id ("patient id", patient_id, error))
		return NULL;
	if (len != MV_VAULT_WRAPPED_DEK_SIZE || data[0] != MV_VAULT_FORMAT_V1) {
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
			     "data key of patient %s in clinic %s failed authentication: not a "
			     "version-%d wrapped key (%" G_GSIZE_FORMAT " bytes)",
			     patient_id, clinic_id, MV_VAULT_FORMAT_V1, len);
		return NULL;
	}
	ad = dek_ad (clinic_id, patient_id);
	dek = mv_secret_new_writable (MV_VAULT_KEY_SIZE);
	if (!aead_decrypt (kek, ad, data, len, 1, mv_secret_get_writable (dek))) {
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
			     "data key of patient %s in clinic %s failed authentication",
			     patient_id, clinic_id);
		return NULL;
	}
	mv_secret_seal_readonly (dek);
	return g_steal_pointer (&dek);
}

GBytes *
mv_vault_rewrap_dek (MvSecret *old_kek,
		     MvSecret *new_kek,
		     const gchar *clinic_id,
		     const gchar *patient_id,
		     GBytes *wrapped,
		     GError **error)
{
	g_autoptr (MvSecret) dek = NULL;

	if (!check_key ("the new clinic key", new_kek, error))
		return NULL;
	dek = mv_vault_unwrap_dek (old_kek, clinic_id, patient_id, wrapped, error);
	if (dek == NULL)
		return NULL;
	return wrap_dek (new_kek, clinic_id, patient_id, dek);
}

/* ---- records ------------------------------------------------------------------------------- */

static gboolean
check_record_identity (MvSecret *dek,
		       const gchar *clinic_id,
		       const gchar *patient_id,
		       const gchar *record_kind,
		       const gchar *const *record_ids,
		       GError **error)
{
	if (!check_key ("the patient data key", dek, error)
	    || !mv_canon_check_id ("clinic id", clinic_id, error)
	    || !mv_canon_check_id ("patient id", patient_id, error)
	    || !mv_canon_check_id ("record kind", record_kind, error))
		return FALSE;
	for (guint i = 0; record_ids != NULL && record_ids[i] != NULL; i++)
		if (!mv_canon_check_id ("record id", record_ids[i], error))
			return FALSE;
	return TRUE;
}

/* "profile record version 3" or "observation record 1f0…/2 version 3": ids, never data */
static gchar *
record_name (const gchar *record_kind, const gchar *const *record_ids, guint64 version)
{
	g_autofree gchar *ids = record_ids != NULL && record_ids[0] != NULL
					? g_strjoinv ("/", (gchar **)record_ids)
					: NULL;

	return g_strdup_printf ("%s record%s%s version %" G_GUINT64_FORMAT, record_kind,
				ids != NULL ? " " : "", ids != NULL ? ids : "", version);
}

GBytes *
mv_vault_seal_ids (MvSecret *dek,
		   const gchar *clinic_id,
		   const gchar *patient_id,
		   const gchar *record_kind,
		   const gchar *const *record_ids,
		   guint64 version,
		   const guint8 *plaintext,
		   gsize len,
		   GError **error)
{
	g_autoptr (GByteArray) ad = NULL;
	gsize out_len;
	guint8 *out;

	if (!check_record_identity (dek, clinic_id, patient_id, record_kind, record_ids, error))
		return NULL;
	if (len > MV_VAULT_MAX_PLAINTEXT) {
		g_set_error (error, MV_ERROR, MV_ERROR_TOO_LARGE,
			     "%s record is %" G_GSIZE_FORMAT " bytes, the limit is %d", record_kind,
			     len, MV_VAULT_MAX_PLAINTEXT);
		return NULL;
	}
	if (plaintext == NULL && len > 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT, "%s record has no data",
			     record_kind);
		return NULL;
	}
	ad = record_ad (clinic_id, patient_id, record_kind, record_ids, version);
	out_len = len + MV_VAULT_SEAL_OVERHEAD;
	out = g_malloc (out_len);
	out[0] = MV_VAULT_FORMAT_V1;
	aead_encrypt (dek, ad, plaintext, len, out, 1);
	return g_bytes_new_take (out, out_len);
}

GBytes *
mv_vault_seal (MvSecret *dek,
	       const gchar *clinic_id,
	       const gchar *patient_id,
	       const gchar *record_kind,
	       guint64 version,
	       const guint8 *plaintext,
	       gsize len,
	       GError **error)
{
	return mv_vault_seal_ids (dek, clinic_id, patient_id, record_kind, NULL, version, plaintext,
				  len, error);
}

typedef struct {
	gsize len;
	guint8 data[];
} WipedBuf;

static void
wiped_buf_free (gpointer user_data)
{
	WipedBuf *buf = user_data;

	sodium_memzero (buf->data, buf->len);
	g_free (buf);
}

GBytes *
mv_vault_open_ids (MvSecret *dek,
		   const gchar *clinic_id,
		   const gchar *patient_id,
		   const gchar *record_kind,
		   const gchar *const *record_ids,
		   guint64 version,
		   GBytes *blob,
		   GError **error)
{
	g_autoptr (GByteArray) ad = NULL;
	g_autofree gchar *name = NULL;
	gsize len = blob != NULL ? g_bytes_get_size (blob) : 0;
	const guint8 *data = blob != NULL ? g_bytes_get_data (blob, NULL) : NULL;
	WipedBuf *buf;
	gsize pt_len;

	if (!check_record_identity (dek, clinic_id, patient_id, record_kind, record_ids, error))
		return NULL;
	name = record_name (record_kind, record_ids, version);
	if (len < MV_VAULT_SEAL_OVERHEAD || data[0] != MV_VAULT_FORMAT_V1) {
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
			     "record failed authentication: %s of patient %s in clinic %s is not a "
			     "version-%d sealed blob",
			     name, patient_id, clinic_id, MV_VAULT_FORMAT_V1);
		return NULL;
	}
	pt_len = len - MV_VAULT_SEAL_OVERHEAD;
	ad = record_ad (clinic_id, patient_id, record_kind, record_ids, version);
	buf = g_malloc (sizeof (WipedBuf) + pt_len + 1);
	buf->len = pt_len;
	if (!aead_decrypt (dek, ad, data, len, 1, buf->data)) {
		wiped_buf_free (buf);
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
			     "record failed authentication: %s of patient %s in clinic %s", name,
			     patient_id, clinic_id);
		return NULL;
	}
	/* A trailing NUL (not part of the GBytes) so JSON text can be parsed in place. */
	buf->data[pt_len] = '\0';
	return g_bytes_new_with_free_func (buf->data, pt_len, wiped_buf_free, buf);
}

GBytes *
mv_vault_open (MvSecret *dek,
	       const gchar *clinic_id,
	       const gchar *patient_id,
	       const gchar *record_kind,
	       guint64 version,
	       GBytes *blob,
	       GError **error)
{
	return mv_vault_open_ids (dek, clinic_id, patient_id, record_kind, NULL, version, blob,
				  error);
}

/* ---- blind index --------------------------------------------------------------------------- */

/* Characters an identifier is typed with but that are not part of it: white space, dashes and
 * invisible format characters (after NFKC, which maps their full-width forms to these). */
static gboolean
is_separator (gunichar c)
{
	GUnicodeType type = g_unichar_type (c);

	return g_unichar_isspace (c) || type == G_UNICODE_SPACE_SEPARATOR
	       || type == G_UNICODE_DASH_PUNCTUATION || type == G_UNICODE_FORMAT;
}

gchar *
mv_vault_normalise_identifier (const gchar *value, GError **error)
{
	g_autoptr (GString) out = NULL;
	utf8proc_uint8_t *nfkc = NULL;

	if (value == NULL || !g_utf8_validate (value, -1, NULL)) {
		mv_set_error_bilingual (error, MV_ERROR_INVALID_INPUT, "is not valid UTF-8",
					"不是有效的 UTF-8 文本");
		return NULL;
	}
	nfkc = utf8proc_NFKC ((const utf8proc_uint8_t *)value);
	if (nfkc == NULL) {
		mv_set_error_bilingual (error, MV_ERROR_INVALID_INPUT, "is not valid Unicode",
					"不是有效的 Unicode 文本");
		return NULL;
	}
	out = g_string_new (NULL);
	for (const gchar *p = (const gchar *)nfkc; *p != '\0'; p = g_utf8_next_char (p)) {
		gunichar c = g_utf8_get_char (p);

		if (is_separator (c))
			continue;
		if (g_unichar_iscntrl (c)) {
			sodium_memzero (out->str, out->len);
			sodium_memzero (nfkc, strlen ((const gchar *)nfkc));
			free (nfkc);
			mv_set_error_bilingual (error, MV_ERROR_INVALID_INPUT,
						"contains a control character", "包含控制字符");
			return NULL;
		}
		if (c < 0x80)
			g_string_append_c (out, g_ascii_toupper ((gchar)c));
		else
			g_string_append_unichar (out, c);
	}
	sodium_memzero (nfkc, strlen ((const gchar *)nfkc));
	free (nfkc);
	if (out->len == 0) {
		mv_set_error_bilingual (error, MV_ERROR_INVALID_INPUT,
					"is empty once spaces and hyphens are removed",
					"去除空格和连字符后为空");
		return NULL;
	}
	if (out->len > MV_VAULT_MAX_MRN) {
		g_autofree gchar *en = g_strdup_printf (
			"is %" G_GSIZE_FORMAT " bytes long after normalisation, the limit is %d",
			out->len, MV_VAULT_MAX_MRN);
		g_autofree gchar *zh
			= g_strdup_printf ("规范化后长 %" G_GSIZE_FORMAT " 字节，上限为 %d 字节",
					   out->len, MV_VAULT_MAX_MRN);
		sodium_memzero (out->str, out->len);
		mv_set_error_bilingual (error, MV_ERROR_INVALID_INPUT, en, zh);
		return NULL;
	}
	return g_string_free (g_steal_pointer (&out), FALSE);
}

gchar *
mv_vault_normalise_mrn (const gchar *mrn, GError **error)
{
	g_autoptr (GError) local = NULL;
	gchar *out = mv_vault_normalise_identifier (mrn, &local);

	if (out == NULL) {
		g_autofree gchar *en = g_strdup_printf ("medical record number %s", local->message);
		g_autofree gchar *zh
			= g_strdup_printf ("病历号%s", mv_error_get_message_zh (local));
		mv_set_error_bilingual (error, MV_ERROR_INVALID_INPUT, en, zh);
	}
	return out;
}

MvSecret *
mv_vault_derive_index_key (MvSecret *kek)
{
	g_autoptr (MvSecret) key = NULL;

	g_return_val_if_fail (kek != NULL && mv_secret_get_size (kek) == MV_VAULT_KEY_SIZE, NULL);
	key = mv_secret_new_writable (MV_VAULT_KEY_SIZE);
	crypto_kdf_derive_from_key (mv_secret_get_writable (key), MV_VAULT_KEY_SIZE,
				    INDEX_KDF_SUBKEY, INDEX_KDF_CONTEXT, mv_secret_get_data (kek));
	mv_secret_seal_readonly (key);
	return g_steal_pointer (&key);
}

gchar *
mv_vault_blind_index (MvSecret *index_key, const gchar *clinic_id, const gchar *mrn, GError **error)
{
	g_autofree gchar *norm = NULL;
	g_autoptr (GByteArray) msg = NULL;
	guint8 mac[32];
	gchar hex[2 * sizeof mac + 1];

	if (!check_key ("the blind-index key", index_key, error)
	    || !mv_canon_check_id ("clinic id", clinic_id, error))
		return NULL;
	norm = mv_vault_normalise_mrn (mrn, error);
	if (norm == NULL)
		return NULL;
	msg = mv_canon_new ("medverse.mrn-index.v1");
	mv_canon_add_str (msg, clinic_id);
	mv_canon_add_str (msg, norm);
	crypto_generichash (mac, sizeof mac, msg->data, msg->len, mv_secret_get_data (index_key),
			    MV_VAULT_KEY_SIZE);
	sodium_memzero (norm, strlen (norm));
	sodium_memzero (msg->data, msg->len);
	sodium_bin2hex (hex, sizeof hex, mac, sizeof mac);
	return g_strdup (hex);
}

MvSecret *
mv_vault_derive_identifier_key (MvSecret *kek, const gchar *system)
{
	g_autoptr (MvSecret) base = NULL;
	g_autoptr (MvSecret) key = NULL;
	g_autoptr (GByteArray) msg = NULL;

	g_return_val_if_fail (kek != NULL && mv_secret_get_size (kek) == MV_VAULT_KEY_SIZE, NULL);
	g_return_val_if_fail (system != NULL && *system != '\0', NULL);
	base = mv_secret_new_writable (MV_VAULT_KEY_SIZE);
	crypto_kdf_derive_from_key (mv_secret_get_writable (base), MV_VAULT_KEY_SIZE,
				    IDENTIFIER_KDF_SUBKEY, IDENTIFIER_KDF_CONTEXT,
				    mv_secret_get_data (kek));
	mv_secret_seal_readonly (base);
	/* one key per system: the system's name, hashed under the clinic's identifier key */
	msg = mv_canon_new ("medverse.identifier-key.v1");
	mv_canon_add_str (msg, system);
	key = mv_secret_new_writable (MV_VAULT_KEY_SIZE);
	crypto_generichash (mv_secret_get_writable (key), MV_VAULT_KEY_SIZE, msg->data, msg->len,
			    mv_secret_get_data (base), MV_VAULT_KEY_SIZE);
	mv_secret_seal_readonly (key);
	return g_steal_pointer (&key);
}

gchar *
mv_vault_identifier_index (MvSecret *identifier_key,
			   const gchar *clinic_id,
			   const gchar *system,
			   const gchar *issuer,
			   const gchar *value,
			   GError **error)
{
	g_autofree gchar *norm = NULL;
	g_autofree gchar *norm_issuer = NULL;
	g_autoptr (GByteArray) msg = NULL;
	guint8 mac[32];
	gchar hex[2 * sizeof mac + 1];

	if (!check_key ("the identifier key", identifier_key, error)
	    || !mv_canon_check_id ("clinic id", clinic_id, error))
		return NULL;
	g_return_val_if_fail (system != NULL, NULL);
	if (issuer != NULL) {
		norm_issuer = mv_vault_normalise_identifier (issuer, error);
		if (norm_issuer == NULL)
			return NULL;
	}
	norm = mv_vault_normalise_identifier (value, error);
	if (norm == NULL)
		return NULL;
	msg = mv_canon_new ("medverse.identifier-index.v1");
	mv_canon_add_str (msg, clinic_id);
	mv_canon_add_str (msg, system);
	mv_canon_add_str (msg, norm_issuer != NULL ? norm_issuer : "");
	mv_canon_add_str (msg, norm);
	crypto_generichash (mac, sizeof mac, msg->data, msg->len,
			    mv_secret_get_data (identifier_key), MV_VAULT_KEY_SIZE);
	sodium_memzero (norm, strlen (norm));
	sodium_memzero (msg->data, msg->len);
	sodium_bin2hex (hex, sizeof hex, mac, sizeof mac);
	return g_strdup (hex);
}

MvSecret *
mv_vault_derive_master_subkey (MvVault *vault, const gchar *context, guint64 subkey_id)
{
	g_autoptr (MvSecret) key = NULL;

	g_return_val_if_fail (vault != NULL, NULL);
	g_return_val_if_fail (context != NULL && strlen (context) == crypto_kdf_CONTEXTBYTES, NULL);
	key = mv_secret_new_writable (MV_VAULT_KEY_SIZE);
	crypto_kdf_derive_from_key (mv_secret_get_writable (key), MV_VAULT_KEY_SIZE, subkey_id,
				    context, mv_secret_get_data (vault->master));
	mv_secret_seal_readonly (key);
	return g_steal_pointer (&key);
}

MvSecret *
mv_vault_derive_term_key (MvSecret *dek)
{
	g_autoptr (MvSecret) key = NULL;

	g_return_val_if_fail (dek != NULL && mv_secret_get_size (dek) == MV_VAULT_KEY_SIZE, NULL);
	key = mv_secret_new_writable (MV_VAULT_KEY_SIZE);
	crypto_kdf_derive_from_key (mv_secret_get_writable (key), MV_VAULT_KEY_SIZE,
				    TERM_KDF_SUBKEY, TERM_KDF_CONTEXT, mv_secret_get_data (dek));
	mv_secret_seal_readonly (key);
	return g_steal_pointer (&key);
}

gchar *
mv_vault_term_index (MvSecret *term_key,
		     const gchar *clinic_id,
		     const gchar *patient_id,
		     const gchar *term,
		     GError **error)
{
	g_autoptr (GByteArray) msg = NULL;
	guint8 mac[32];
	gchar hex[2 * sizeof mac + 1];

	if (!check_key ("the term-index key", term_key, error)
	    || !mv_canon_check_id ("clinic id", clinic_id, error)
	    || !mv_canon_check_id ("patient id", patient_id, error))
		return NULL;
	/* the term is a code: its value is never quoted in the message */
	if (term == NULL || term[0] == '\0' || strlen (term) > TERM_MAX_BYTES
	    || !g_utf8_validate (term, -1, NULL)) {
		g_set_error_literal (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
				     "a record term must be 1-1024 bytes of UTF-8");
		return NULL;
	}
	msg = mv_canon_new ("medverse.record-term.v1");
	mv_canon_add_str (msg, clinic_id);
	mv_canon_add_str (msg, patient_id);
	mv_canon_add_str (msg, term);
	crypto_generichash (mac, sizeof mac, msg->data, msg->len, mv_secret_get_data (term_key),
			    MV_VAULT_KEY_SIZE);
	sodium_memzero (msg->data, msg->len);
	sodium_bin2hex (hex, sizeof hex, mac, sizeof mac);
	return g_strdup (hex);
}
