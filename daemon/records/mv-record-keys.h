/*
 * Medverse records — the keys records are sealed under, as the database holds them.
 *
 * The key hierarchy of docs/security.md in rows: a clinic's KEK is wrapped by the master key
 * in `clinics.wrapped_kek`, a patient's DEK by the KEK in `patients.wrapped_dek`; the MRN's
 * blind index is keyed by a key derived from the KEK, and every other identifier's (resident ID,
 * insurance and passport numbers) by a key derived from the KEK for its system.  These functions
 * read and unwrap them inside the caller's transaction, taking the locks that order them against a
 * clinic-key rotation (mv-clinic-keys.h).  Nothing is cached: keys are wiped when the caller frees
 * them.
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libpq-fe.h>

#include "mv-crypto.h"

G_BEGIN_DECLS

/**
 * MvPatientKeys:
 * @kek: the clinic's KEK
 * @dek: the patient's DEK
 * @version: the patient row's version (the profile's, the ETag)
 * @created_at: the patient row's, RFC 3339 UTC
 * @updated_at: likewise
 */
typedef struct {
	MvSecret *kek;
	MvSecret *dek;
	guint64 version;
	gchar *created_at;
	gchar *updated_at;
} MvPatientKeys;

void mv_patient_keys_clear (MvPatientKeys *keys);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MvPatientKeys, mv_patient_keys_clear)

/**
 * mv_record_keys_clinic_kek:
 * @vault: the current master key
 * @lock: take the clinic row FOR SHARE (writers and the MRN search): a clinic-key rotation
 *   holds it FOR NO KEY UPDATE, so the caller waits for it and then reads the new KEK, and no
 *   DEK is wrapped, nor blind index computed, under a KEK the rotation just replaced
 *
 * Errors: %MV_ERROR_FORBIDDEN when the clinic does not exist; %MV_ERROR_INTEGRITY when its
 * KEK does not unwrap.
 *
 * Returns: (transfer full): the clinic's KEK, or %NULL.
 */
MvSecret *mv_record_keys_clinic_kek (MvVault *vault,
				     PGconn *conn,
				     const gchar *clinic_id,
				     gboolean lock,
				     GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* The label of the key (derived from the clinic's KEK) whose HMAC of a patient id is that
 * patient's pseudonym in the VR recommender's training rows (vr_training, 0011_vr.sql): the VR
 * module writes rows under it, the patient store's shredding finds and deletes them. */
#define MV_RECORD_KEYS_VR_PSEUDONYM_LABEL "vr-training-pseudonym"

/**
 * mv_record_keys_pseudonym:
 * @kek: the clinic's KEK
 * @label: which derived key (e.g. %MV_RECORD_KEYS_VR_PSEUDONYM_LABEL)
 *
 * HMAC-SHA-256 of @text under the key @label derives from @kek, in hex: a pseudonym that only
 * a holder of the clinic's KEK can compute, so the database alone cannot tell whose row it is.
 *
 * Returns: (transfer full): 64 hex digits.
 */
gchar *mv_record_keys_pseudonym (MvSecret *kek, const gchar *label, const gchar *text);

/**
 * mv_patient_keys_load:
 * @lock: for a writer: the clinic row FOR SHARE, then the patient row FOR UPDATE (the order a
 *   rotation takes them, so no deadlock); a reader reads the wrapped KEK and DEK in one
 *   statement, so both come from one snapshot, before a rotation or after it
 * @keys: (out caller-allocates): filled on success; clear with mv_patient_keys_clear()
 *
 * The keys of a live patient of the clinic.
 *
 * Errors: %MV_ERROR_NOT_FOUND when the clinic has no such live patient; %MV_ERROR_INTEGRITY
 * when a wrapped key does not unwrap.
 */
gboolean mv_patient_keys_load (MvVault *vault,
			       PGconn *conn,
			       const gchar *clinic_id,
			       const gchar *patient_id,
			       gboolean lock,
			       MvPatientKeys *keys,
			       GError **error);

/**
 * mv_record_keys_mrn_index:
 * @kek: the clinic's KEK
 * @mrn: a medical record number as typed
 *
 * Errors: %MV_ERROR_INVALID_INPUT ("mrn: …") for a number that cannot be normalised.
 *
 * Returns: (transfer full): the MRN's blind index under @kek (mv_vault_blind_index()).
 */
gchar *mv_record_keys_mrn_index (MvSecret *kek,
				 const gchar *clinic_id,
				 const gchar *mrn,
				 GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_record_keys_identifier_index:
 * @kek: the clinic's KEK
 * @system: "mrn", "resident-id", "insurance" or "passport"
 * @issuer: (nullable): a passport's issuing country; ignored for other systems
 * @value: the number as typed
 *
 * The blind index of one identifier of a patient, under a key of the clinic and the system
 * (mv_vault_derive_identifier_key()): equal numbers of two systems, or of two clinics, never
 * share an index.  For "mrn" it is the MRN's own index (mv_record_keys_mrn_index()), which the
 * patients row holds.
 *
 * Errors: %MV_ERROR_INVALID_INPUT for a number that cannot be normalised.
 *
 * Returns: (transfer full): 64 lowercase hex characters, or %NULL.
 */
gchar *mv_record_keys_identifier_index (MvSecret *kek,
					const gchar *clinic_id,
					const gchar *system,
					const gchar *issuer,
					const gchar *value,
					GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_record_keys_reindex_identifiers:
 * @kek: the clinic's KEK the indexes are to be computed under
 * @profile: the patient's (valid) profile
 *
 * Replaces the patient's rows of patient_identifiers with the indexes of @profile's
 * "identifiers" (the MRN's is the patients row's) under @kek, in the caller's transaction.
 * For a clinic-key rotation, which changes every index: no uniqueness check is made (the
 * numbers were unique under the old key, and stay so).
 */
gboolean mv_record_keys_reindex_identifiers (PGconn *conn,
					     MvSecret *kek,
					     const gchar *clinic_id,
					     const gchar *patient_id,
					     JsonObject *profile,
					     GError **error);

G_END_DECLS
