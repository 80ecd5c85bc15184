/*
 * Medverse crypto core — the vault: key hierarchy, record sealing, blind index.
 *
 *     master key (file, 32 bytes)                     id = short keyed hash of the key
 *       └─ clinic KEK (random, 32 bytes)              stored wrapped: clinics.wrapped_kek
 *            ├─ patient DEK (random, 32 bytes)        stored wrapped: patients.wrapped_dek
 *            │    └─ sealed records                   patient_records.blob
 *            └─ blind-index key (derived, never stored)
 *
 * Wrapping and sealing are XChaCha20-Poly1305 (IETF) with a random 24-byte nonce and additional
 * data binding what the blob belongs to, so a blob copied to another row fails to open.  Every
 * failure to unwrap or open is %MV_ERROR_INTEGRITY; no partial plaintext is ever returned.
 * All layouts are documented in docs/security.md.
 *
 * Nothing here touches a database or a transport: callers pass ids and blobs in and out.
 * An #MvVault is immutable after construction and safe to use from many threads.
 */
#pragma once

#include <gio/gio.h>

#include "mv-secret.h"

G_BEGIN_DECLS

#define MV_VAULT_KEY_SIZE 32
/* Format version: the first byte of every wrapped key and sealed record. */
#define MV_VAULT_FORMAT_V1 0x01
/* version byte + master key id (8) + nonce (24) + key (32) + tag (16) */
#define MV_VAULT_WRAPPED_KEK_SIZE (1 + 8 + 24 + 32 + 16)
/* version byte + nonce (24) + key (32) + tag (16) */
#define MV_VAULT_WRAPPED_DEK_SIZE (1 + 24 + 32 + 16)
/* version byte + nonce (24) + tag (16); a sealed record is this many bytes longer than its
 * plaintext */
#define MV_VAULT_SEAL_OVERHEAD (1 + 24 + 16)
/* Largest plaintext mv_vault_seal() accepts (a patient record, not a file store). */
#define MV_VAULT_MAX_PLAINTEXT (16 * 1024 * 1024)
/* Longest medical record number after normalisation. */
#define MV_VAULT_MAX_MRN 64

typedef struct _MvVault MvVault;

/**
 * mv_vault_new_from_key_file:
 * @path: master key file (32 bytes, mode 0600, owned by the running user; see mv-keyfile.h)
 * @error: return location for an error
 *
 * Returns: (transfer full): a vault holding the master key, or %NULL.
 */
MvVault *mv_vault_new_from_key_file (const gchar *path, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_vault_new_from_secret:
 * @master_key: (transfer full): a %MV_VAULT_KEY_SIZE-byte secret
 * @error: return location for an error (%MV_ERROR_INVALID_INPUT on a wrong size)
 *
 * Returns: (transfer full): a vault, or %NULL.
 */
MvVault *mv_vault_new_from_secret (MvSecret *master_key, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_vault_generate_key_file:
 * @path: must not exist
 *
 * Creates a fresh master key file (O_EXCL, mode 0600).  For `--dev`.
 */
gboolean mv_vault_generate_key_file (const gchar *path, GError **error);

/**
 * mv_vault_get_master_key_id:
 *
 * Returns: a 16-character hex id of the master key: the first 8 bytes of keyed BLAKE2b of a
 * fixed label under the master key.  Safe to store and log; reveals nothing about the key.
 * Owned by the vault.
 */
const gchar *mv_vault_get_master_key_id (const MvVault *vault);

void mv_vault_free (MvVault *vault);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvVault, mv_vault_free)

/* ---- clinic key-encryption keys ---------------------------------------------------------- */

/**
 * mv_vault_new_kek:
 * @vault: the master
 * @clinic_id: the clinic the key belongs to
 * @kek_out: (out) (optional) (transfer full): the new KEK in clear, if the caller needs it now
 * @error: return location for an error
 *
 * Generates a random KEK for @clinic_id and wraps it under the master key with
 * AD = canon("medverse.kek.v1", clinic_id, master_key_id).
 *
 * Returns: (transfer full): the wrapped KEK (%MV_VAULT_WRAPPED_KEK_SIZE bytes), or %NULL.
 */
GBytes *mv_vault_new_kek (MvVault *vault,
			  const gchar *clinic_id,
			  MvSecret **kek_out,
			  GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_vault_unwrap_kek:
 *
 * Returns: (transfer full): the clinic KEK, or %NULL with %MV_ERROR_INTEGRITY when @wrapped was
 * not made by this master for @clinic_id (other master, other clinic, altered bytes), or
 * %MV_ERROR_INVALID_INPUT on a bad id.
 */
MvSecret *mv_vault_unwrap_kek (MvVault *vault,
			       const gchar *clinic_id,
			       GBytes *wrapped,
			       GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_vault_wrapped_kek_get_master_key_id:
 *
 * Returns: (transfer full): the id of the master key that wrapped @wrapped (read from its
 * header, not authenticated until unwrapped), or %NULL with %MV_ERROR_INTEGRITY when the blob is
 * not a wrapped KEK.
 */
gchar *mv_vault_wrapped_kek_get_master_key_id (GBytes *wrapped, GError **error);

/**
 * mv_vault_rewrap_kek:
 * @old_vault: the master that wrapped @wrapped
 * @new_vault: the master to wrap under
 *
 * Master-key rotation: unwraps a clinic KEK with the old master and wraps the same KEK under
 * the new one.  DEKs and records are untouched because the KEK itself does not change.
 *
 * Returns: (transfer full): the KEK wrapped by @new_vault, or %NULL.
 */
GBytes *mv_vault_rewrap_kek (MvVault *old_vault,
			     MvVault *new_vault,
			     const gchar *clinic_id,
			     GBytes *wrapped,
			     GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* ---- patient data keys -------------------------------------------------------------------- */

/**
 * mv_vault_new_dek:
 * @kek: the clinic KEK
 * @dek_out: (out) (optional) (transfer full): the new DEK in clear
 *
 * Generates a random DEK for the patient and wraps it under @kek with
 * AD = canon("medverse.dek.v1", clinic_id, patient_id).  Crypto-shredding a patient is
 * deleting this wrapped blob: the DEK exists nowhere else.
 *
 * Returns: (transfer full): the wrapped DEK (%MV_VAULT_WRAPPED_DEK_SIZE bytes), or %NULL.
 */
GBytes *mv_vault_new_dek (MvSecret *kek,
			  const gchar *clinic_id,
			  const gchar *patient_id,
			  MvSecret **dek_out,
			  GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_vault_unwrap_dek:
 *
 * Returns: (transfer full): the patient DEK, or %NULL with %MV_ERROR_INTEGRITY when @wrapped
 * does not belong to (@clinic_id, @patient_id) under @kek.
 */
MvSecret *mv_vault_unwrap_dek (MvSecret *kek,
			       const gchar *clinic_id,
			       const gchar *patient_id,
			       GBytes *wrapped,
			       GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_vault_rewrap_dek:
 * @old_kek: the clinic KEK that wrapped @wrapped
 * @new_kek: the clinic's new KEK
 *
 * Clinic-KEK rotation: the same DEK, wrapped under @new_kek.  Records are untouched.  Rotating
 * the KEK (and the master) after deletions is what makes older database backups unable to
 * bring shredded patients back; see docs/security.md, "Crypto-shredding".
 *
 * Returns: (transfer full): the DEK wrapped by @new_kek, or %NULL with %MV_ERROR_INTEGRITY.
 */
GBytes *mv_vault_rewrap_dek (MvSecret *old_kek,
			     MvSecret *new_kek,
			     const gchar *clinic_id,
			     const gchar *patient_id,
			     GBytes *wrapped,
			     GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* ---- sealed records ----------------------------------------------------------------------- */

/**
 * mv_vault_seal:
 * @dek: the patient DEK
 * @clinic_id: clinic id of the row
 * @patient_id: patient id of the row
 * @record_kind: what the record is, e.g. "profile", "plan"
 * @version: the row version (bumped on every update)
 * @plaintext: bytes to seal
 * @len: length of @plaintext, at most %MV_VAULT_MAX_PLAINTEXT
 *
 * Blob = 0x01 || nonce (24) || XChaCha20-Poly1305(plaintext) with
 * AD = canon("medverse.record.v1", clinic_id, patient_id, record_kind, u64 version).
 * mv_vault_seal_ids() with no record ids.
 *
 * Returns: (transfer full): the sealed blob, or %NULL with %MV_ERROR_INVALID_INPUT.
 */
GBytes *mv_vault_seal (MvSecret *dek,
		       const gchar *clinic_id,
		       const gchar *patient_id,
		       const gchar *record_kind,
		       guint64 version,
		       const guint8 *plaintext,
		       gsize len,
		       GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_vault_open:
 *
 * The inverse of mv_vault_seal() with the same identity.
 *
 * Returns: (transfer full): the plaintext, whose memory is wiped when the last reference goes,
 * or %NULL with %MV_ERROR_INTEGRITY ("record failed authentication") for any blob that was not
 * sealed under @dek for exactly this identity, including truncated and unknown-format blobs.
 */
GBytes *mv_vault_open (MvSecret *dek,
		       const gchar *clinic_id,
		       const gchar *patient_id,
		       const gchar *record_kind,
		       guint64 version,
		       GBytes *blob,
		       GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_vault_seal_ids:
 * @record_ids: (nullable) (array zero-terminated=1): the record's own identity fields beyond
 *   the patient and the kind (e.g. an observation id), each a non-empty identifier; %NULL or
 *   empty for a record of which a patient has one (the profile)
 *
 * mv_vault_seal() of a record with more identity than its patient and kind: AD =
 * canon("medverse.record.v1", clinic_id, patient_id, record_kind, u64 version, record_ids…).
 * With no @record_ids the AD and the blob are exactly those of mv_vault_seal(); a blob moved
 * to a row with other ids (or none) fails to open.
 *
 * Returns: (transfer full): the sealed blob, or %NULL with %MV_ERROR_INVALID_INPUT.
 */
GBytes *mv_vault_seal_ids (MvSecret *dek,
			   const gchar *clinic_id,
			   const gchar *patient_id,
			   const gchar *record_kind,
			   const gchar *const *record_ids,
			   guint64 version,
			   const guint8 *plaintext,
			   gsize len,
			   GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_vault_open_ids:
 *
 * The inverse of mv_vault_seal_ids() with the same identity; errors as mv_vault_open(), the
 * message naming the ids.
 *
 * Returns: (transfer full): the plaintext (wiped when released), or %NULL.
 */
GBytes *mv_vault_open_ids (MvSecret *dek,
			   const gchar *clinic_id,
			   const gchar *patient_id,
			   const gchar *record_kind,
			   const gchar *const *record_ids,
			   guint64 version,
			   GBytes *blob,
			   GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* ---- blind index -------------------------------------------------------------------------- */

/**
 * mv_vault_normalise_identifier:
 * @value: an identifier as typed (a medical record number, a resident ID, an insurance or
 *   passport number, a passport's issuer)
 *
 * The one normalisation of every identifier before its blind index, so that the ways one
 * number gets typed give one index (docs/api.md, "Identifiers"):
 *   1. Unicode NFKC (utf8proc): full-width "ＪＡ２０２６００３２" becomes "JA20260032", an
 *      ideographic space a space, a full-width hyphen-minus "-";
 *   2. separators removed everywhere (which also trims): white space (ASCII and Unicode space
 *      separators), dashes (Unicode Pd: "-", "‐", "–", "—"…) and invisible format characters
 *      (zero-width space, byte-order mark);
 *   3. ASCII letters upper-cased; other characters kept as NFKC left them.
 * An ASCII-only number normalises exactly as before NFKC was added ("ab-12 34" → "AB1234"), so
 * blind indexes computed by earlier versions stay valid.
 *
 * Returns: (transfer full): the normalised identifier, or %NULL with %MV_ERROR_INVALID_INPUT
 * (English and Chinese, never quoting @value) when @value is not UTF-8, has control characters,
 * is empty after normalisation or longer than %MV_VAULT_MAX_MRN bytes.
 */
gchar *mv_vault_normalise_identifier (const gchar *value, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_vault_normalise_mrn:
 * @mrn: a medical record number as typed
 *
 * mv_vault_normalise_identifier(), its messages naming the medical record number.  "ab-12 34",
 * "AB1234" and "ＡＢ１２３４" are the same number.
 *
 * Returns: (transfer full): the normalised number, or %NULL with %MV_ERROR_INVALID_INPUT.
 */
gchar *mv_vault_normalise_mrn (const gchar *mrn, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_vault_derive_index_key:
 * @kek: the clinic KEK
 *
 * Returns: (transfer full): the clinic's blind-index key,
 * crypto_kdf_derive_from_key(32, subkey 1, context "MvBlindX", kek).  Never stored.
 */
MvSecret *mv_vault_derive_index_key (MvSecret *kek) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_vault_blind_index:
 * @index_key: from mv_vault_derive_index_key()
 * @clinic_id: the clinic
 * @mrn: the record number as typed (normalised here)
 *
 * Returns: (transfer full): 64 lowercase hex characters,
 * BLAKE2b-256 keyed with @index_key of canon("medverse.mrn-index.v1", clinic_id, normalised),
 * or %NULL with %MV_ERROR_INVALID_INPUT.
 */
gchar *mv_vault_blind_index (MvSecret *index_key,
			     const gchar *clinic_id,
			     const gchar *mrn,
			     GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_vault_derive_identifier_key:
 * @kek: the clinic KEK
 * @system: an identifier system ("resident-id", "insurance", "passport"…)
 *
 * The blind-index key of one identifier system of a clinic: BLAKE2b-256 keyed with
 * crypto_kdf_derive_from_key(32, subkey 1, context "MvIdentX", kek) of
 * canon("medverse.identifier-key.v1", system).  Each system has its own key, so equal numbers
 * of two systems never share an index.  Never stored.
 *
 * Returns: (transfer full): the key.
 */
MvSecret *mv_vault_derive_identifier_key (MvSecret *kek,
					  const gchar *system) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_vault_identifier_index:
 * @identifier_key: from mv_vault_derive_identifier_key() for @system
 * @clinic_id: the clinic
 * @system: the identifier's system (bound in again, besides the key)
 * @issuer: (nullable): what qualifies the number within its system (a passport's issuing
 *   country), normalised here like the number
 * @value: the number as typed (normalised here: mv_vault_normalise_identifier())
 *
 * Returns: (transfer full): 64 lowercase hex characters, BLAKE2b-256 keyed with
 * @identifier_key of canon("medverse.identifier-index.v1", clinic_id, system, issuer or "",
 * normalised value), or %NULL with %MV_ERROR_INVALID_INPUT.
 */
gchar *mv_vault_identifier_index (MvSecret *identifier_key,
				  const gchar *clinic_id,
				  const gchar *system,
				  const gchar *issuer,
				  const gchar *value,
				  GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* ---- keys derived from the master ------------------------------------------------------- */

/**
 * mv_vault_derive_master_subkey:
 * @vault: the master
 * @context: exactly 8 characters naming the purpose (a libsodium KDF context), e.g. "MvIdemp1"
 * @subkey_id: which key of that purpose
 *
 * For data that belongs to no clinic and is only kept for a while (stored HTTP answers of
 * Idempotency-Key requests): crypto_kdf_derive_from_key(32, @subkey_id, @context, master).
 * Never stored; a master-key rotation changes it, so whatever it sealed no longer opens.
 *
 * Returns: (transfer full): a read-only %MV_VAULT_KEY_SIZE-byte key.
 */
MvSecret *mv_vault_derive_master_subkey (MvVault *vault,
					 const gchar *context,
					 guint64 subkey_id) G_GNUC_WARN_UNUSED_RESULT;

/* ---- per-patient term index (codes of clinical records) ------------------------------------ */

/**
 * mv_vault_derive_term_key:
 * @dek: the patient's DEK
 *
 * Returns: (transfer full): the patient's term-index key,
 * crypto_kdf_derive_from_key(32, subkey 1, context "MvTermsX", dek).  Never stored; gone with
 * the DEK when the patient is shredded.
 */
MvSecret *mv_vault_derive_term_key (MvSecret *dek) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_vault_term_index:
 * @term_key: from mv_vault_derive_term_key()
 * @term: a code as the record kind names it ("system|code", or "|code" for any system), exact
 *
 * Returns: (transfer full): 64 lowercase hex characters, BLAKE2b-256 keyed with @term_key of
 * canon("medverse.record-term.v1", clinic_id, patient_id, term), or %NULL with
 * %MV_ERROR_INVALID_INPUT (a bad id, or a term that is empty, not UTF-8 or over 1024 bytes).
 */
gchar *mv_vault_term_index (MvSecret *term_key,
			    const gchar *clinic_id,
			    const gchar *patient_id,
			    const gchar *term,
			    GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
