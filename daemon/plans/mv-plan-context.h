/*
 * Medverse plans — the plan-generator's `context` (issue 13, spec A) assembled from one
 * snapshot of the patient's record (mv_clinical_store_snapshot()) and what a clinician
 * supplies.  Pure: no database, no plugin, no clock (the present is an argument).
 *
 * Where each member comes from (daemon/plans/README.md says why):
 *   today          the present's date in the patient's time zone: the profile's
 *                  preferences.time_zone (an IANA name) when it has one, else UTC
 *   language       the profile's language ("zh…" → zh, "en…" → en), else the caller's
 *   age_years      from birth_date, on `today` (completed years plus the fraction of the year
 *                  since the last birthday: an infant's weeks count)
 *   sex            sex_at_birth, else sex (intersex → other)
 *   pregnant       an active condition coded ICD-10 Z33, Z34 or O09 (true); else absent
 *   conditions     current conditions of the patient (not a relative's, not refuted)
 *   medications    current medication statements with a code
 *   measurements   the latest observation of each code (a panel's components too) not older
 *                  than MV_PLAN_MEASUREMENT_MAX_AGE_DAYS
 *   smoking        the latest smoking status (72166-2) in that window
 *   risks          the latest risk assessment of each model
 *   findings       the parser findings of notes of the last MV_PLAN_NOTES_MAX_AGE_DAYS, each
 *                  with the note's local date (mention text and offsets left out)
 *   checkins       observations the patient recorded (source "patient") in the last
 *                  MV_PLAN_CHECKINS_MAX_AGE_DAYS, as {metric, value, date}
 *   supplied       minutes_per_day, mobility, pregnant, today: the request's, else those
 *                  supplied for the current plan (carried over), winning over the record's
 */
#pragma once

#include <json-glib/json-glib.h>

#include "mv-plan.h"

G_BEGIN_DECLS

typedef struct {
	/* the snapshot: {"profile", "profile_version", "observations", "conditions",
	 * "medications", "notes", "risk-assessments"} (any list may be absent) */
	JsonObject *snapshot;
	const gchar *patient_id;
	GDateTime *now;
	const gchar *caller_language; /* "en" or "zh" */
	/* nullable: name → value the request supplied (checked: mv_plan_supplied_members) */
	JsonObject *supplied;
	/* nullable: the current plan's context_used.supplied, carried over unless replaced */
	JsonObject *previous_supplied;
	/* nullable: the date a clinician cleared the red flags (an older record's) */
	const gchar *red_flags_cleared_on;
	/* nullable: the instant a clinician cleared them (RFC 3339): wins over the date */
	const gchar *red_flags_cleared_at;
} MvPlanRecord;

typedef struct {
	JsonObject *context; /* the plugin's context, as JSON */
	JsonObject *used;    /* the record's context_used: today, language, time_zone, sources,
			      * supplied */
} MvPlanContext;

void mv_plan_context_free (MvPlanContext *context);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvPlanContext, mv_plan_context_free)

/* The members a request may supply (rows for mv_schema_check()). */
extern const MvField mv_plan_supplied_members[];

/* (transfer full) */
MvPlanContext *mv_plan_context_assemble (const MvPlanRecord *record);

/* The profile's time zone (preferences.time_zone when valid, else UTC): its name.
 * (transfer full) */
gchar *mv_plan_time_zone_name (JsonObject *profile);

/* @time's date in the zone named @tz (invalid: UTC), "YYYY-MM-DD".  (transfer full) */
gchar *mv_plan_local_date (GDateTime *time, const gchar *tz);

/* "ICD10:I10", "LOINC:8480-6", "ATC:C09AA02", "HP:0000822"… of a stored coding
 * ({"system": URI, "code"}), or NULL.  (transfer full) */
gchar *mv_plan_code_curie (JsonObject *coding);

/* A context, plan or adherence item as GVariant (a{sv}): strings s, booleans b, numbers d
 * (minutes_per_day, minutes, planned, done, version: u), objects a{sv}, lists aa{sv} but the
 * spec's lists of strings (a task's days, a red flag's findings): as, empty ones too.
 * (transfer floating) */
GVariant *mv_plan_json_to_vardict (JsonObject *object);
/* A list of objects as aa{sv}.  (transfer floating) */
GVariant *mv_plan_json_to_vardicts (JsonArray *array);

G_END_DECLS
