/* Shared by the engagement store's files; not for other modules.
 *
 *   mv-engagement-store.c   the store object, what every operation shares, the check-in write
 *   mv-engagement-read.c    progress, the clinician's check-in list, the leaderboard
 */
#pragma once

#include <libpq-fe.h>

#include "../records/mv-record-keys.h"
#include "mv-db.h"
#include "mv-engagement-store.h"
#include "mv-ledger.h"

G_BEGIN_DECLS

struct _MvEngagementStore {
	MvServices *services;
	MvClinicalStore *clinical;
	MvEngagementRules *rules; /* NULL when the file did not load: routes are unavailable */
};

/* One operation, run as one transaction. */
typedef struct {
	MvEngagementStore *store;
	const MvClinicalCall *call;
	const gchar *clinic_id;
	gchar *patient_id; /* canonical */
	gpointer params;   /* the operation's input, borrowed */
	PGconn *conn;	   /* the running transaction's connection (a write's helpers use it) */
	JsonObject *result;
	gboolean created;
} MvEngagementOp;

void mv_engagement_op_clear (MvEngagementOp *op);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MvEngagementOp, mv_engagement_op_clear)

/* Starts @op: rules loaded (%MV_ERROR_UNAVAILABLE), a caller with a clinic
 * (%MV_ERROR_FORBIDDEN), @patient_id a UUID the caller may reach (a patient key: its own) —
 * else %MV_ERROR_NOT_FOUND. */
gboolean mv_engagement_op_init (MvEngagementOp *op,
				MvEngagementStore *store,
				const MvClinicalCall *call,
				const gchar *patient_id,
				GError **error);

gboolean mv_engagement_op_run (MvEngagementOp *op, MvDbTransactionFunc fn, GError **error);

/* The patient's keys (a writer locks them) and time zone (the profile's
 * preferences.time_zone, else UTC); @zone_name: (out) (transfer full) its name. */
gboolean mv_engagement_op_keys (PGconn *conn,
				MvEngagementOp *op,
				gboolean write,
				MvPatientKeys *keys,
				GTimeZone **zone,
				gchar **zone_name,
				GError **error);

/* Appends "engagement.<verb>" naming the patient. */
gboolean
mv_engagement_op_audit (PGconn *conn, MvEngagementOp *op, const gchar *verb, GError **error);

/* A stored check-in, opened. */
typedef struct {
	MvCheckin *checkin; /* as the ledger and streak take it */
	JsonObject *stored; /* {"input", "answer", "checkin"} */
	gchar *created_at;
} MvStoredCheckin;

void mv_stored_checkin_free (MvStoredCheckin *stored);

/* Every check-in of the patient, opened (element-type MvStoredCheckin), oldest first. */
GPtrArray *mv_engagement_load_checkins (
	PGconn *conn, MvEngagementOp *op, MvSecret *dek, GTimeZone *zone, GError **error);

/* The language of the patient's progress texts ("en" or "zh", static): the profile's
 * language when it names one, else the caller's.  GET /v1/me/progress and a check-in's answer
 * both use it, so the same progress reads the same. */
gboolean mv_engagement_progress_language (PGconn *conn,
					  MvEngagementOp *op,
					  MvPatientKeys *keys,
					  const gchar **language,
					  GError **error);

/* Every ledger entry of the patient, opened (element-type MvLedgerEntry). */
GPtrArray *
mv_engagement_load_ledger (PGconn *conn, MvEngagementOp *op, MvSecret *dek, GError **error);

/* The MvCheckin of each stored one (borrowed pointers). */
GPtrArray *mv_engagement_checkins_of (GPtrArray *stored);

/* The patient's "today" in @zone (the call's now, else the clock's). */
void mv_engagement_today (const MvClinicalCall *call, GTimeZone *zone, GDate *today);

/* "YYYY-MM-DD" (transfer full) */
gchar *mv_engagement_date_text (const GDate *date);

/* @member of @object if it is an object, else NULL (@unused: NULL, the default). */
JsonObject *mv_engagement_object_member (JsonObject *object, const gchar *member, gpointer unused);

/* The progress as the routes answer it, in @language. */
JsonObject *mv_engagement_progress_json (const MvProgress *progress,
					 const gchar *language,
					 const gchar *zone_name,
					 const GDate *today);

/* Refuses the check-ins among @fresh naming a task (task_id) (MvCheckin; @fresh_at: their index in
 * the request, whose JSON Pointers are @pointers) that name no task of the patient's current plan,
 * or a task of a suppressed plan (mv-checkin-plan.c): MV_ERROR_INVALID_INPUT listing each. */
gboolean mv_engagement_check_tasks (PGconn *conn,
				    MvEngagementOp *op,
				    MvSecret *dek,
				    GPtrArray *fresh,
				    GArray *fresh_at,
				    GPtrArray *pointers,
				    GError **error);

G_END_DECLS
