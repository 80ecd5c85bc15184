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
 * invites), mv-patient-search.c (MRN), mv-patient-list.c (the list), mv-patient-export.c.
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
 * mv_patient_shred_reason_is_valid:
 * @reason: (nullable): a reason code
 *
 * Why a patient may be erased: one code of %MV_PATIENT_SHRED_REASONS, never free text (staff
 * typing a reason could put patient data in clear into a row and an audit entry that outlive
 * the patient's key).  The code is kept on the tombstone (patients.deletion_reason) and in the
 * audit action (patient.delete.<reason>).
 */
#define MV_PATIENT_SHRED_REASONS                                                                   \
	"patient-request, legal-order, duplicate-registration, retention-expired"
gboolean mv_patient_shred_reason_is_valid (const gchar *reason);

/* Adds the problem of a missing or unknown @reason (field "/reason") to @error, so a caller can
 * list it with its own problems.  Returns: %TRUE when @reason is valid. */
gboolean mv_patient_shred_reason_check (const gchar *reason, GError **error);

/**
 * mv_patient_store_delete:
 * @caller: a clinic admin of the patient's clinic
 * @reason: why (mv_patient_shred_reason_is_valid())
 * @if_match: the version the caller read, or 0 for no precondition
 *
 * Crypto-shredding, in one transaction: the sealed records are deleted, the wrapped DEK and
 * the blind index are set to NULL (the DEK exists nowhere else), the row keeps a tombstone
 * (deleted_at, deletion_reason), the patient's API keys are revoked and its pending invites
 * dropped.  From then on the patient is %MV_ERROR_NOT_FOUND.  Audited as
 * "patient.delete.<reason>".
 *
 * Retention: while the patient's last change (patients.updated_at) is less than
 * `[records] retention-years` ago, the erasure is refused with %MV_ERROR_CONFLICT naming the
 * end of the period, and the refusal is itself audited ("patient.delete-refused.<reason>",
 * committed although the call fails): an attempt to destroy records under retention is an
 * event of the record's life, unlike malformed input.  Only the operator erases inside it
 * (mv_patient_store_force_delete()).
 *
 * Errors: %MV_ERROR_FORBIDDEN for a clinician (clinicians mark records entered-in-error; the
 * message says so, in English and Chinese) or a patient key; %MV_ERROR_INVALID_INPUT for a
 * missing or unknown @reason (field "/reason"); %MV_ERROR_NOT_FOUND; %MV_ERROR_CONFLICT inside
 * the retention period; %MV_ERROR_PRECONDITION_FAILED on a stale @if_match.
 */
gboolean mv_patient_store_delete (MvPatientStore *store,
				  const MvAuthContext *caller,
				  const gchar *request_id,
				  const gchar *patient_id,
				  const gchar *reason,
				  guint64 if_match,
				  GError **error);

/**
 * mv_patient_store_force_delete:
 * @caller: the operator
 * @clinic_id: the patient's clinic
 * @reason: why (mv_patient_shred_reason_is_valid())
 *
 * mv_patient_store_delete() without the retention check, for the operator (an erasure a
 * retention rule must yield to, e.g. a court order).  Audited in the clinic's tree as
 * "patient.delete-forced.<reason>" with the operator's key id as the actor.
 *
 * Errors: %MV_ERROR_FORBIDDEN for anyone but the operator; %MV_ERROR_INVALID_INPUT for a bad
 * @reason; %MV_ERROR_NOT_FOUND when the clinic has no such live patient.
 */
gboolean mv_patient_store_force_delete (MvPatientStore *store,
					const MvAuthContext *caller,
					const gchar *request_id,
					const gchar *clinic_id,
					const gchar *patient_id,
					const gchar *reason,
					GError **error);

/**
 * MvPatientListQuery:
 * @limit: (nullable): page size as text, 1..%MV_PATIENT_LIST_MAX_LIMIT; %NULL for
 *   %MV_PATIENT_LIST_DEFAULT_LIMIT
 * @cursor: (nullable): the `next_cursor` of the previous page; %NULL for the first page
 * @updated_since: (nullable): RFC 3339 with an offset: only patients changed at or after it
 *
 * The inputs of mv_patient_store_list() as the caller sent them (text), so that every problem
 * is found and named in one place.
 */
typedef struct {
	const gchar *limit;
	const gchar *cursor;
	const gchar *updated_since;
} MvPatientListQuery;

#define MV_PATIENT_LIST_DEFAULT_LIMIT 50
#define MV_PATIENT_LIST_MAX_LIMIT 1000

/**
 * mv_patient_store_list:
 *
 * One page of the clinic's live patients in (created_at, id) order, by keyset (one range scan
 * of an index, whatever the page): each patient that existed when the walk began is seen
 * exactly once; one created during the walk may or may not be (docs/api.md, "Listing
 * patients").  The cursor is opaque and authenticated with a key derived from the clinic's KEK:
 * altered, or another clinic's, it is refused (%MV_ERROR_INVALID_INPUT, field "/cursor"), and
 * it does not survive a rotation of the clinic's key.  Ids, versions and timestamps only: no
 * key is unwrapped but the KEK, nothing is decrypted.  Each page is one audit entry
 * ("patient.list").
 *
 * Returns: (transfer full): `{"patients": [{"id", "version", "created_at", "updated_at"}],
 *   "next_cursor": string or null, "limit": n}`, or %NULL with %MV_ERROR_INVALID_INPUT listing
 *   every problem of @query (fields "/limit", "/cursor", "/updated_since").
 */
JsonObject *mv_patient_store_list (MvPatientStore *store,
				   const MvAuthContext *caller,
				   const gchar *request_id,
				   const MvPatientListQuery *query,
				   GError **error) G_GNUC_WARN_UNUSED_RESULT;

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
