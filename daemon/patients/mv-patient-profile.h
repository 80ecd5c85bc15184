/*
 * Medverse patients — the patient profile: validation against the documented schema
 * (schemas/json/patient-profile.schema.json) and JSON merge-patch (RFC 7396).
 *
 * Pure functions over JSON: no database, no keys, no transport.  Every error is
 * %MV_ERROR_INVALID_INPUT and its message starts with the path of the field at fault
 * ("conditions[1].code: …"); no message quotes a submitted value (it may be patient data).
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

/**
 * mv_patient_profile_validate:
 * @profile: a candidate profile
 * @today: (nullable): the date birth and onset dates must not be after; %NULL means today (UTC)
 * @error: return location for an error
 *
 * Checks @profile against the schema: no unknown member anywhere (no mass assignment: "id",
 * "version" and the like are refused too), required members present, types, string lengths,
 * numeric ranges, RFC 3339 full-dates not in the future, code patterns per coding system
 * (ICD-10, SNOMED CT with its Verhoeff check digit, ATC, RxNorm), enums (language en|zh…).
 *
 * Returns: %TRUE if valid; %FALSE with %MV_ERROR_INVALID_INPUT naming the field.
 */
gboolean mv_patient_profile_validate (JsonObject *profile, GDate *today, GError **error);

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

G_END_DECLS
