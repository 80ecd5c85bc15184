/*
 * Medverse engagement — the store: check-ins, the points ledger and the leaderboard in
 * PostgreSQL (schemas/sql/0010_engagement.sql), on top of the pure core (mv-checkin.h,
 * mv-ledger.h, mv-pseudonym.h).  Transport-free; the HTTP routes are mv-engagement-api.h.
 *
 * A check-in is written in one transaction with everything it causes: the Observation (through
 * the clinical store, mv_clinical_store_create_in()), the check-in row (sealed; the client id
 * only as a blind index) and the ledger entries mv_ledger_award() returns (INSERT … ON
 * CONFLICT DO NOTHING on the source's blind index).  A refused check-in writes nothing, not
 * even an audit entry.  The patient's calendar is `preferences.time_zone` of their profile
 * (an IANA name; UTC when it is not set).  docs/engagement.md ("Storage and routes").
 *
 * Callers: the patient's own key writes check-ins and reads its progress and the leaderboard;
 * a clinician of the patient's clinic reads a patient's progress and check-ins.  Another
 * clinic's patient, a patient key asking for another patient and a malformed id are all
 * %MV_ERROR_NOT_FOUND.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "../clinical/mv-clinical-store.h"
#include "mv-engagement-rules.h"

G_BEGIN_DECLS

/* A batch holds at most this many check-ins, all or none. */
#define MV_ENGAGEMENT_MAX_BATCH 100
/* The leaderboard shows this many rows from the top (and the caller's own). */
#define MV_ENGAGEMENT_LEADERBOARD_TOP 20
/* A clinician's check-in list shows at most this many, newest first. */
#define MV_ENGAGEMENT_MAX_CHECKINS 500

typedef struct _MvEngagementStore MvEngagementStore;

/**
 * mv_engagement_store_new:
 * @clinical: the clinical store the Observations go through (borrowed; outlives this)
 * @rules_path: (nullable): the rules file; %NULL: mv_engagement_rules_default_path()
 *
 * A rules file that does not load is logged with its problems and every route answers
 * %MV_ERROR_UNAVAILABLE (the rest of the daemon keeps running).
 */
MvEngagementStore *
mv_engagement_store_new (MvServices *services, MvClinicalStore *clinical, const gchar *rules_path);
void mv_engagement_store_free (MvEngagementStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvEngagementStore, mv_engagement_store_free)

/* $MEDVERSE_ENGAGEMENT_RULES, else the installed engagement.json, else (an uninstalled build)
 * the source tree's.  (transfer full) */
gchar *mv_engagement_rules_default_path (void);

/**
 * mv_engagement_store_checkin:
 * @body: one check-in, or a batch `{"checkins": [check-in, …]}` (1 to
 *   %MV_ENGAGEMENT_MAX_BATCH, all or none; problems point into it: /checkins/3/value)
 * @created: (out): whether anything new was written (201) or every check-in was a repeat (200)
 *
 * A repeat of a check-in (the same client id) with the same body answers what the first one
 * was answered; with another body it is %MV_ERROR_CONFLICT.
 *
 * Errors: %MV_ERROR_INVALID_INPUT listing every problem of every check-in (nothing written);
 * %MV_ERROR_CONFLICT; %MV_ERROR_FORBIDDEN for a caller that is not a patient.
 *
 * Returns: (transfer full): `{"checkin": answer, "awarded": [...], "progress": {…}}` for one,
 *   `{"checkins": [answer, …], "awarded": [...], "progress": {…}}` for a batch
 */
JsonObject *mv_engagement_store_checkin (MvEngagementStore *store,
					 const MvClinicalCall *call,
					 JsonObject *body,
					 gboolean *created,
					 GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_engagement_store_progress:
 * @patient_id: the patient (a patient key: its own)
 *
 * Returns: (transfer full): `{"points", "level", "next_level", "streak", "badges",
 *   "challenges", "challenges_won", "time_zone", "today"}` in the call's language
 */
JsonObject *mv_engagement_store_progress (MvEngagementStore *store,
					  const MvClinicalCall *call,
					  const gchar *patient_id,
					  GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_engagement_store_checkins:
 *
 * A clinician's view of adherence: the patient's check-ins, newest first (at most
 * %MV_ENGAGEMENT_MAX_CHECKINS), and the days with a check-in among the last 7 and 28.
 *
 * Returns: (transfer full): `{"checkins": [{"id", "metric", "value", …, "date",
 *   "observation_id"}], "days_last_7", "days_last_28", "time_zone", "today"}`
 */
JsonObject *mv_engagement_store_checkins (MvEngagementStore *store,
					  const MvClinicalCall *call,
					  const gchar *patient_id,
					  GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* The calling patient's opt-in (PUT /v1/me/leaderboard).  Returns: `{"opt_in": b}` */
JsonObject *mv_engagement_store_set_leaderboard (MvEngagementStore *store,
						 const MvClinicalCall *call,
						 gboolean opt_in,
						 GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_engagement_store_leaderboard:
 *
 * The caller's clinic's leaderboard: handles and points only, ties sharing a rank, the
 * caller's own row marked (`"you": true`) when they opted in.
 *
 * Returns: (transfer full): `{"opt_in": b, "rows": [{"rank", "handle", "points", "you"?}]}`
 */
JsonObject *mv_engagement_store_leaderboard (MvEngagementStore *store,
					     const MvClinicalCall *call,
					     GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
