/*
 * Medverse patients — the encrypted patient store (transport-free).
 *
 * Tables (schemas/sql/0003_patients.sql):
 *   patients         (clinic_id, patient_id, wrapped_dek, mrn_index, version, timestamps)
 *   patient_records  (clinic_id, patient_id, kind, version, blob)   sealed records
 *
 * Every function takes the caller's #MvAuthContext and scopes every SQL statement by its clinic
 * (`WHERE clinic_id = $1`), so another clinic's patient is simply not found.  A patient key
 * reaches only its own patient (anything else is %MV_ERROR_NOT_FOUND, no existence leak).
 *
 * Every function runs one transaction that also appends the audit entry recording it
 * (mv_audit_log_append(): ids only, never patient data): the change and its entry commit
 * together or not at all, and a failure leaves nothing half-written.
 *
 * Keys are taken from the clinic row on every call (the clinic KEK unwrapped by the current
 * master key of #MvServices, the patient DEK by the KEK) and wiped when the call returns:
 * nothing is cached, so several daemons can share the database and a master-key rotation
 * takes effect at once.  The profile is a sealed record; keys, sealed records and clinic-key
 * rotation are the records module's (../records/), which every later record kind uses too.
 * The store's files, one job each: mv-patient-records.c (create, read, update, delete,
 * invites), mv-patient-search.c (MRN), mv-patient-export.c.
 *
 * Errors common to every function: %MV_ERROR_UNAVAILABLE (database unreachable),
 * %MV_ERROR_INTEGRITY (a wrapped key or sealed record failed authentication: moved, altered or
 * made under another key; the message names only ids), %MV_ERROR_FORBIDDEN (a caller without
 * a clinic, e.g. the operator).
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libpq-fe.h>

#include "mv-auth-context.h"
#include "mv-services.h"

G_BEGIN_DECLS

/* The record kind of the profile in patient_records (mv_record_kind_profile). */
#define MV_PATIENT_RECORD_PROFILE "profile"

typedef struct _MvPatientStore MvPatientStore;

/**
 * mv_patient_store_new:
 * @services: (transfer none): the daemon's services; must outlive the store
 *
 * Returns: (transfer full): a store.  Immutable, safe to use from many threads.
 */
MvPatientStore *mv_patient_store_new (MvServices *services);

void mv_patient_store_free (MvPatientStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvPatientStore, mv_patient_store_free)

/**
 * mv_patient_store_create:
 * @caller: a clinician (or clinic admin) of the clinic the patient belongs to
 * @request_id: (nullable): recorded in the audit entry
 * @profile: the profile; validated here (mv_patient_profile_validate())
 * @version_out: (out) (optional): the new profile's version (1)
 *
 * Creates the patient with a fresh DEK and the sealed profile.
 *
 * Errors: %MV_ERROR_INVALID_INPUT naming the field; %MV_ERROR_CONFLICT when a live patient of
 * the clinic already has this MRN (after normalisation).
 *
 * Returns: (transfer full): the new patient id (a UUID), or %NULL.
 */
gchar *mv_patient_store_create (MvPatientStore *store,
				const MvAuthContext *caller,
				const gchar *request_id,
				JsonObject *profile,
				guint64 *version_out,
				GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_patient_store_get:
 * @patient_id: the patient (any UUID spelling)
 * @version_out: (out) (optional): the profile's version (the ETag)
 *
 * Errors: %MV_ERROR_NOT_FOUND when no live patient of the caller's clinic (or, for a patient
 * key, not the caller's own patient) has this id.
 *
 * Returns: (transfer full): the decrypted profile, or %NULL.
 */
JsonObject *mv_patient_store_get (MvPatientStore *store,
				  const MvAuthContext *caller,
				  const gchar *request_id,
				  const gchar *patient_id,
				  guint64 *version_out,
				  GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_patient_store_update:
 * @patch: a JSON merge patch (RFC 7396) of the profile
 * @if_match: the version the caller read; the update happens only if it is still current
 * @version_out: (out) (optional): the new version
 *
 * Applies @patch to the current profile, validates the result and seals it under the next
 * version (re-computing the MRN's blind index).
 *
 * Errors: %MV_ERROR_NOT_FOUND; %MV_ERROR_CONFLICT when the version is no longer @if_match or
 * the new MRN belongs to another patient; %MV_ERROR_INVALID_INPUT naming the field.
 *
 * Returns: (transfer full): the updated profile, or %NULL.
 */
JsonObject *mv_patient_store_update (MvPatientStore *store,
				     const MvAuthContext *caller,
				     const gchar *request_id,
				     const gchar *patient_id,
				     JsonObject *patch,
				     guint64 if_match,
				     guint64 *version_out,
				     GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_patient_store_delete:
 * @if_match: the version the caller read, or 0 for no precondition
 *
 * Crypto-shredding, in one transaction: the sealed records are deleted, the wrapped DEK and
 * the blind index are set to NULL (the DEK exists nowhere else), the row keeps a tombstone
 * (deleted_at), the patient's API keys are revoked and its pending invites dropped.  From then
 * on the patient is %MV_ERROR_NOT_FOUND.
 *
 * Errors: %MV_ERROR_NOT_FOUND; %MV_ERROR_CONFLICT on a stale @if_match.
 */
gboolean mv_patient_store_delete (MvPatientStore *store,
				  const MvAuthContext *caller,
				  const gchar *request_id,
				  const gchar *patient_id,
				  guint64 if_match,
				  GError **error);

/**
 * mv_patient_store_find_by_mrn:
 * @mrn: a medical record number as typed (normalised here)
 * @version_out: (out) (optional): the profile version of the patient found
 *
 * Looks the number up through the clinic's blind index: no plaintext MRN is compared or
 * stored.  A patient key may not search.
 *
 * Errors: %MV_ERROR_INVALID_INPUT ("mrn: …") for a number that cannot be normalised;
 * %MV_ERROR_NOT_FOUND when no live patient of the clinic has it.
 *
 * Returns: (transfer full): the patient id, or %NULL.
 */
gchar *mv_patient_store_find_by_mrn (MvPatientStore *store,
				     const MvAuthContext *caller,
				     const gchar *request_id,
				     const gchar *mrn,
				     guint64 *version_out,
				     GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_patient_store_export:
 *
 * Everything held about the patient, decrypted, for an access request:
 * `{"patient": {id, clinic_id, version, created_at, updated_at}, "records": {kind: {version,
 * updated_at, data}}, "api_keys": [...], "audit": [...]}` where "audit" lists every audit entry
 * naming the patient (before this export, which is itself appended).
 *
 * Returns: (transfer full): the export, or %NULL.
 */
JsonObject *mv_patient_store_export (MvPatientStore *store,
				     const MvAuthContext *caller,
				     const gchar *request_id,
				     const gchar *patient_id,
				     GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_patient_store_create_invite:
 *
 * A one-time invite code for the patient's app (mv_auth_create_patient_invite(), which also
 * appends the "invite.create" audit entry), in one transaction with the check that the patient
 * is live in the caller's clinic.
 *
 * Returns: (transfer full): {"code" (shown once), "expires_at", "patient_id"}, or %NULL with
 * %MV_ERROR_NOT_FOUND.
 */
JsonObject *mv_patient_store_create_invite (MvPatientStore *store,
					    const MvAuthContext *caller,
					    const gchar *request_id,
					    const gchar *patient_id,
					    GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_patient_id_normalise:
 *
 * Returns: (transfer full): @id in canonical lowercase form, or %NULL when it is not a UUID.
 */
gchar *mv_patient_id_normalise (const gchar *id);

/**
 * mv_patient_store_find_by_identifier:
 * @token: "system|value" as FHIR writes a token search: "resident-id|11010519491231002X",
 *   "insurance|…", "mrn|…"; a passport names its issuing country in the system:
 *   "passport:CN|E12345678"
 * @version_out: (out) (optional): the profile version of the patient found
 *
 * Looks the identifier up through its own keyed blind index (the clinic's and the system's:
 * mv_record_keys_identifier_index()); "mrn" uses the MRN's.  The number is normalised as when
 * it was stored (mv_vault_normalise_identifier()), so "ＪＡ２０２６００３２" finds "JA20260032".
 * Audited as "patient.search", like the MRN search, whether or not it finds someone.  A patient
 * key may not search.
 *
 * Errors: %MV_ERROR_INVALID_INPUT (field "identifier") for a token without "|", an unknown
 * system, a passport without its country or a number that cannot be normalised;
 * %MV_ERROR_NOT_FOUND when no live patient of the clinic has it.
 *
 * Returns: (transfer full): the patient id, or %NULL.
 */
gchar *mv_patient_store_find_by_identifier (MvPatientStore *store,
					    const MvAuthContext *caller,
					    const gchar *request_id,
					    const gchar *token,
					    guint64 *version_out,
					    GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
