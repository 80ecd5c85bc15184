/*
 * Medverse patients — the patient profile: its schema (a table of the records' schema engine,
 * ../records/mv-record-schema.h, documented in schemas/json/patient-profile.schema.json), the
 * rules between its members, and the identifiers it carries.
 *
 * Pure functions over JSON: no database, no keys, no transport.  A refused profile is one
 * %MV_ERROR_INVALID_INPUT error listing every problem (mv_error_get_problem()), each with the
 * JSON Pointer of the member at fault ("/identifiers/0/value"), a stable code
 * ("invalid-checksum") and a message in English and Simplified Chinese; no message quotes a
 * submitted value (it may be patient data).
 */
#pragma once

#include <json-glib/json-glib.h>

/* mv_json_merge_patch() */
#include "../records/mv-record-schema.h"

G_BEGIN_DECLS

/* Longest free-text notes, in characters. */
#define MV_PATIENT_NOTES_MAX 20000
/* Most entries in one coded list (conditions, medications, allergies). */
#define MV_PATIENT_LIST_MAX 200
/* Most identifiers (one per system, a passport per issuing country). */
#define MV_PATIENT_IDENTIFIERS_MAX 8
/* Most phone numbers and e-mail addresses. */
#define MV_PATIENT_TELECOM_MAX 10

/**
 * mv_patient_profile_validate:
 * @profile: a candidate profile
 * @today: (nullable): the date birth and onset dates must not be after; %NULL means today (UTC)
 * @error: problems are added here
 *
 * Checks @profile against the schema: no unknown member anywhere (no mass assignment: "id",
 * "version" and the like are refused too), required members present, types, string lengths,
 * numeric ranges, RFC 3339 full-dates not in the future, codings of the coded lists against
 * their code systems (../records/mv-code-systems.h), identifiers (a resident ID's shape, birth
 * date and check character; one per system), phones (E.164), e-mail addresses, the language
 * (BCP 47), the address's country (ISO 3166-1) and a Chinese postal code — every problem.
 *
 * Returns: %TRUE if valid; %FALSE with %MV_ERROR_INVALID_INPUT listing every problem.
 */
gboolean mv_patient_profile_validate (JsonObject *profile, GDate *today, GError **error);

/**
 * mv_patient_profile_normalise:
 * @profile: a profile mv_patient_profile_validate() accepted
 *
 * Rewrites the values the profile keeps in one canonical form: phone numbers (telecom and the
 * emergency contact's) in E.164 ("+86 138-0013-8000" → "+8613800138000"), the language tag in
 * RFC 5646 case ("zh-hans" → "zh-Hans").  Identifiers are kept as typed: their blind indexes
 * are computed from their normalised form (mv_vault_normalise_identifier()).
 */
void mv_patient_profile_normalise (JsonObject *profile);

/**
 * mv_patient_profile_check_patch:
 * @patch: a JSON merge-patch document for a profile
 *
 * Refuses a patch naming a member the schema does not know, even to delete it (a merge patch
 * `{"id": null}` would otherwise pass silently).  The patched result must still be validated
 * with mv_patient_profile_validate().
 *
 * Returns: %TRUE if every member named is known.
 */
gboolean mv_patient_profile_check_patch (JsonObject *patch, GError **error);

/**
 * mv_patient_own_preferences_patch:
 * @body: what a patient sends to set its own preferences: `{"time_zone"?, "language"?}`, at
 *   least one (`time_zone` an IANA name the system's time zone database knows, `language`
 *   "en" or "zh")
 *
 * The only profile members a patient key may change itself (PUT /v1/me/preferences), checked
 * with every problem at once, as a merge patch of the profile: `{"language", "preferences":
 * {"time_zone"}}`.
 *
 * Returns: (transfer full): the patch, or %NULL with %MV_ERROR_INVALID_INPUT.
 */
JsonObject *mv_patient_own_preferences_patch (JsonObject *body, GError **error);

/**
 * MvPatientIdentifier:
 * @index: its position in the profile's "identifiers" (for JSON Pointers)
 * @system: "mrn", "resident-id", "insurance" or "passport"
 * @value: the number, normalised (mv_vault_normalise_identifier()); wiped when freed
 * @issuer: (nullable): a passport's issuing country, normalised; %NULL for other systems
 */
typedef struct {
	guint index;
	gchar *system;
	gchar *value;
	gchar *issuer;
} MvPatientIdentifier;

void mv_patient_identifier_free (MvPatientIdentifier *id);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvPatientIdentifier, mv_patient_identifier_free)

/**
 * mv_patient_profile_identifiers:
 * @profile: a valid profile
 *
 * Returns: (transfer container) (element-type MvPatientIdentifier): the entries of its
 * "identifiers", in order (the top-level mrn is not among them unless repeated there).
 */
GPtrArray *mv_patient_profile_identifiers (JsonObject *profile);

G_END_DECLS
