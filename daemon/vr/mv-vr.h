/*
 * Medverse VR — a patient's VR sessions, stored as the clinical record kind "vr-session", and
 * the VR content the vr-recommender plugin recommends from the record (transport-free core;
 * the HTTP routes are mv-vr-api.c).  Decisions: docs/vr.md.
 *
 *   mv-vr-kind.c      the kind: a session as the patient's headset reports it, validated
 *   mv-vr-override.c  the kind "vr-override": a clinician's blocked and pinned items
 *   mv-vr-catalog.c   a clinic's own catalog items (table vr_items)
 *   mv-vr-service.c   storing a session (with its points), recommending content
 */
#pragma once

#include <json-glib/json-glib.h>

#include "clinical/mv-clinical-kind.h"
#include "plans/mv-plan-service.h"
#include "records/mv-record-schema.h"

G_BEGIN_DECLS

/* The plugin the daemon calls. */
#define MV_VR_PLUGIN "vr-recommender"

/* A session is at most this long (the plugin's Train takes 0–240). */
#define MV_VR_MAX_MINUTES 240
/* The check-in a session earns points through is "vr-<client_id>" (a check-in id has at most
 * 64 characters). */
#define MV_VR_CLIENT_ID_MAX 61
/* The code system a session's client_id is indexed under (a term of the record: its blind
 * index finds a retry's session). */
#define MV_VR_CLIENT_ID_SYSTEM "urn:medverse:vr-session-client"

extern const MvClinicalKind mv_vr_session_kind;
extern const MvField mv_vr_session_members[];
extern const MvClinicalKind mv_vr_override_kind;
extern const MvField mv_vr_override_members[];

/* The clinic's model is trained again when it is older than this, or this many sessions
 * behind; training reads at most the newest MV_VR_MODEL_MAX_SESSIONS (docs/vr.md). */
#define MV_VR_MODEL_MAX_AGE_HOURS 24
#define MV_VR_MODEL_RETRAIN_SESSIONS 20
#define MV_VR_MODEL_MAX_SESSIONS 20000

/* A recommendation shows this many items unless ?limit= says otherwise (1 to
 * MV_VR_LIST_MAX: what the plugin is asked for, so pins can come first). */
#define MV_VR_LIST_LENGTH 10
#define MV_VR_LIST_MAX 50

/* One request's VR work: a plan job (store, engine, call, caller, clock, patient). */
typedef MvPlanJob MvVrJob;
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MvVrJob, mv_plan_job_clear)

/* Whether the vr-recommender plugin is loaded in @engine (nullable). */
gboolean mv_vr_plugin_loaded (MvEngine *engine);

/**
 * mv_vr_session_post:
 * @body: the session as the client sent it (mv_vr_session_members)
 * @created: (out): whether it was written now (201) or is a repeat of its client_id (200)
 *
 * Validates @body (every problem at once), refuses a content id the plugin's catalog does not
 * hold (422), and stores it: the record (sealed, audited) and, for a session of one minute or
 * more, a `vr_session` check-in "vr-<client_id>" of its minutes, which earns the points of
 * the engagement rules.  A repeat of the client_id answers the stored session; with another
 * content it is %MV_ERROR_CONFLICT.
 *
 * Errors: %MV_ERROR_UNAVAILABLE (no plugin), %MV_ERROR_INVALID_INPUT, %MV_ERROR_CONFLICT,
 * %MV_ERROR_FORBIDDEN (not a patient key), the store's.
 *
 * Returns: (transfer full): `{"session": record, "awarded": [...]?, "progress": {...}?}`
 */
JsonObject *mv_vr_session_post (MvVrJob *job, JsonObject *body, gboolean *created, GError **error);

/* The patient's sessions, newest first: `{"vr-sessions": [...], "next_cursor"}`. */
JsonObject *mv_vr_sessions (MvVrJob *job, const MvClinicalQuery *query, GError **error);

/**
 * mv_vr_recommend:
 * @patients_own: the patient's own route (/v1/me, D-Bus): no clinician's `notes`
 * @include_excluded: list what the safety filter removed, with its reasons
 * @limit: how many items to show (1 to %MV_VR_LIST_MAX)
 * @title_language: (nullable): "en" or "zh": the items' titles in it; %NULL: in the
 *   patient's language (the profile's, else the caller's: the plan's rule)
 * @language: (out): the language the titles are in ("en" or "zh")
 *
 * Assembles the plugin's patient from one snapshot of the record (docs/vr.md: where each
 * member comes from), the patient's sessions as the history, and asks Recommend.
 *
 * Returns: (transfer full): the plugin's result, plus `patient_used` (what was read, no
 *   values of the record but the tolerance and limits applied)
 */
JsonObject *mv_vr_recommend (MvVrJob *job,
			     gboolean patients_own,
			     gboolean include_excluded,
			     guint limit,
			     const gchar *title_language,
			     const gchar **language,
			     GError **error);

/* Every id of the catalogs the caller's clinic sees (the plugin's and its own): id → TRUE.
 * (transfer full) */
GHashTable *mv_vr_known_ids (MvVrJob *job, GError **error);

/* The clinic's own items, as ValidateItem normalised them, in id order.  (transfer full) */
JsonArray *mv_vr_items_load (MvVrJob *job, GError **error);

/**
 * mv_vr_item_add:
 * @body: the item, members as in the plugin's catalog.json
 *
 * Errors: %MV_ERROR_INVALID_INPUT with every problem ValidateItem found (an id of the shipped
 * catalog included), %MV_ERROR_CONFLICT for an id the clinic already has,
 * %MV_ERROR_UNAVAILABLE without the plugin.  Nothing is written when refused.
 *
 * Returns: (transfer full): the item as stored (normalised)
 */
JsonObject *mv_vr_item_add (MvVrJob *job, JsonObject *body, GError **error);

/* Deletes the clinic's item @item_id (%MV_ERROR_NOT_FOUND when it has none). */
gboolean mv_vr_item_delete (MvVrJob *job, const gchar *item_id, GError **error);

/* `{"items": the shipped catalog in @language ("en", "zh", "" both), "clinic_items": the
 * clinic's}`.  (transfer full) */
JsonObject *mv_vr_catalog (MvVrJob *job, const gchar *language, GError **error);

/* The patient's current override, `{}` when none.  (transfer full) */
JsonObject *mv_vr_override_current (MvVrJob *job, GError **error);

/**
 * mv_vr_override_put:
 * @body: `{"block": [ids], "pin": [ids], "note"?}`
 * @known: mv_vr_known_ids()
 * @if_match: the version the change was made from (0: none given)
 * @notes: what the answer's `notes` get: an id no longer in the catalogs that the current
 *   override already holds is kept, with a note `not-in-catalog`
 *
 * Stores the patient's override as a new version of their one vr-override record (audited).
 * An id in no catalog (and not already held), or both blocked and pinned, is
 * %MV_ERROR_INVALID_INPUT, every problem at once.  Changing a stored override needs
 * @if_match (%MV_ERROR_PRECONDITION_REQUIRED without, %MV_ERROR_PRECONDITION_FAILED when
 * stale).
 *
 * Returns: (transfer full): the stored record
 */
JsonObject *mv_vr_override_put (MvVrJob *job,
				JsonObject *body,
				GHashTable *known,
				guint64 if_match,
				JsonArray *notes,
				GError **error);

/* Marks the patient's override entered-in-error (then they have none); @if_match: 0 or the
 * version read (%MV_ERROR_PRECONDITION_FAILED when stale).  %MV_ERROR_NOT_FOUND when none.
 * Returns: (transfer full): the record as it is now. */
JsonObject *mv_vr_override_delete (MvVrJob *job, guint64 if_match, GError **error);

/* Adds a stored session @record of the job's patient to the clinic's training set
 * (pseudonymous, sealed).  Never fails: a failure is logged. */
void mv_vr_model_add_session (MvVrJob *job, JsonObject *record);

/**
 * mv_vr_model_current:
 * @trained_on: (out): how many sessions the model answered was trained on (0: none)
 *
 * The clinic's model for Recommend, trained again first when it is missing, stale or behind
 * (a training that fails leaves the last model in use, logged).
 *
 * Returns: (transfer full): the model a{sv}, `{}` when the clinic has none
 */
GVariant *mv_vr_model_current (MvVrJob *job, gint64 *trained_on, GError **error);

G_END_DECLS
