/*
 * Medverse plans — making and storing plans (transport-free): a plan generated, re-planned
 * (from a body's adherence or the check-ins'), generated again after a clearing or after a
 * note that raised a red flag, and the weekly re-plan a read makes when the plan's week is
 * over.  The HTTP routes (mv-plan-api.c) and the note route (daemon/clinical) call these.
 *
 * Every function reads the record through the clinical store (audited there) and stores a new
 * plan as a new version of the patient's one plan record, with the version read as the
 * precondition: of two daemons re-planning at once, one stores, the other reads its plan.
 */
#pragma once

#include <json-glib/json-glib.h>
#include <medverse/medverse-plugin.h>

#include "clinical/mv-clinical-store.h"

G_BEGIN_DECLS

typedef enum {
	MV_PLAN_GENERATE, /* a clinician's POST …/plan */
	MV_PLAN_REPLAN,	  /* a clinician's POST …/plan/replan */
	MV_PLAN_CLEAR,	  /* a clinician's POST …/plan/clear-red-flags */
	MV_PLAN_WEEKLY,	  /* a read found the plan's week over */
	MV_PLAN_TRIAGE,	  /* a note raised a red flag */
} MvPlanMode;

/* One request's plan work. */
typedef struct {
	MvClinicalStore *store;
	MvEngine *engine;
	MvClinicalCall call; /* .now is @now */
	MvCaller caller;     /* the engine's view of the caller */
	const gchar *patient_id;
	GDateTime *now;	      /* owned */
	JsonObject *supplied; /* owned, nullable: the body's context values */
	JsonArray *adherence; /* borrowed, nullable: the body's adherence (Replan) */
	const gchar *note;    /* borrowed, nullable: a clearing's note */
} MvPlanJob;

/* Fills @job for @auth's call about @patient_id (borrowed) in @language ("en", "zh"). */
void mv_plan_job_init (MvPlanJob *job,
		       MvClinicalStore *store,
		       const MvAuthContext *auth,
		       const gchar *request_id,
		       const gchar *language,
		       const gchar *patient_id);
void mv_plan_job_clear (MvPlanJob *job);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MvPlanJob, mv_plan_job_clear)

/* Whether the plan-generator plugin is loaded in @engine (nullable). */
gboolean mv_plan_generator_loaded (MvEngine *engine);

/**
 * mv_plan_make:
 *
 * Makes the plan of @mode from one snapshot of the record and stores it (the first plan
 * creates the record).  A re-plan without `adherence` derives it from the check-ins
 * (mv-plan-adherence.h); the record's `adherence_used` says which.  %MV_PLAN_WEEKLY answers the
 * current plan unchanged when its week is not over or it is suppressed (another daemon
 * re-planned first, or a red flag awaits a clinician).
 *
 * Errors: %MV_ERROR_UNAVAILABLE (no plugin), %MV_ERROR_CONFLICT (no plan to re-plan),
 * %MV_ERROR_INVALID_INPUT (adherence naming what the plan lacks), %MV_ERROR_PRECONDITION_FAILED
 * (another version was stored since the snapshot), the plugin's and the store's.
 *
 * Returns: (transfer full): the stored plan record, or %NULL
 */
JsonObject *mv_plan_make (MvPlanJob *job, MvPlanMode mode, GError **error);

/* The patient's current plan (%MV_ERROR_NOT_FOUND when none).  (transfer full) */
JsonObject *mv_plan_current (MvPlanJob *job, GError **error);

/**
 * mv_plan_current_weekly:
 *
 * The current plan, re-planned first when its week is over (`week_start` + 7 days <= today in
 * the patient's zone), it is active and the plugin is loaded: the new version is stored and
 * answered.  A re-plan that fails leaves the plan as it was (logged, no patient data): a read
 * does not fail because the re-plan did.
 *
 * Returns: (transfer full): the plan, or %NULL (%MV_ERROR_NOT_FOUND when none)
 */
JsonObject *mv_plan_current_weekly (MvPlanJob *job, GError **error);

/**
 * mv_plan_triage_notes:
 * @notes: the notes just stored (records as the clinical store answers them)
 *
 * Asks the plugin's Triage about the findings of @notes (with the patient's age and readings
 * from the record); when it raises a red flag and the patient has a plan, generates the plan
 * again from the record (which holds the notes now) and stores it: suppressed, the flag on top.
 * Never fails: the notes are stored whatever happens here.
 *
 * Returns: (transfer full) (nullable): `{"red_flags": [...], "triage": {"status", "message",
 *   "message_zh", "plan_version"?}}` to add to the notes' answer, or %NULL when there was
 *   nothing to triage (no findings, or no plan-generator loaded)
 */
JsonObject *mv_plan_triage_notes (MvPlanJob *job, JsonArray *notes);

G_END_DECLS
