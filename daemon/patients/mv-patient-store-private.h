/* Shared by the patient store's files; not for other modules.
 *
 * The store, one job a file:
 *   mv-patient-store.c     the store object and what its operations share (below)
 *   mv-patient-records.c   create, read, update, delete (crypto-shredding), invites
 *   mv-patient-search.c    the searches by MRN and by identifier through blind indexes
 *   mv-patient-list.c      the list of a clinic's patients, by keyset pages
 *   mv-patient-export.c    everything held about a patient, for an access request
 * Sealed records and the keys they are sealed under belong to the records module
 * (../records/mv-sealed-record.h, ../records/mv-record-keys.h), clinic-key rotation too
 * (../records/mv-clinic-keys.h).
 */
#pragma once

#include "mv-patient-store.h"

#include "../records/mv-record-keys.h"
#include "../records/mv-sealed-record.h"

G_BEGIN_DECLS

struct _MvPatientStore {
	MvServices *services;
};

/* One operation of the store, run as one transaction: its input, and what it hands out. */
typedef struct {
	MvPatientStore *store;
	const MvAuthContext *caller;
	const gchar *request_id;
	const gchar *clinic_id;
	const gchar *patient_id;
	JsonObject *input; /* profile or patch */
	guint64 if_match;  /* 0: none */
	const gchar *mrn;  /* search */
	/* search by identifier: system, passport issuer (or NULL), number as typed */
	const gchar *id_system;
	const gchar *id_issuer;
	const gchar *id_value;
	const gchar *reason; /* delete: a shred reason code */
	gboolean force;	     /* delete: by the operator, retention not applied */
	/* out */
	guint64 version;
	JsonObject *result;
	gchar *found_id;
	gchar *retained_until; /* delete: refused inside retention, until then (RFC 3339) */
	/* private */
	gchar *owned_patient_id;
} MvPatientOp;

void mv_patient_op_clear (MvPatientOp *op);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MvPatientOp, mv_patient_op_clear)

/* The op of a transaction function, its outputs reset: mv_db_transaction() may run a
 * transaction again after a deadlock, and each attempt starts afresh. */
MvPatientOp *mv_patient_op_begin (gpointer data);

/* Starts @op for @caller, checking in this order: that it has a clinic
 * (%MV_ERROR_FORBIDDEN: patient data belongs to a clinic); when @not_for_patients is given,
 * that it is no patient key (%MV_ERROR_FORBIDDEN with that message); when @patient_id is
 * given, that the caller may reach it (a UUID, for a patient key its own: anything else is
 * %MV_ERROR_NOT_FOUND, no existence leak), which then becomes op->patient_id, canonical. */
gboolean mv_patient_op_init (MvPatientOp *op,
			     MvPatientStore *store,
			     const MvAuthContext *caller,
			     const gchar *request_id,
			     const gchar *not_for_patients,
			     const gchar *patient_id,
			     GError **error);

/* Runs @fn for @op in one transaction of the store's pool. */
gboolean mv_patient_op_run (MvPatientOp *op, MvDbTransactionFunc fn, GError **error);

/* The vault of the store's services (the current master key). */
MvVault *mv_patient_op_vault (MvPatientOp *op);

/* The record ref of @op's patient's profile. */
MvRecordRef mv_patient_op_profile (MvPatientOp *op);

/* Appends the audit entry of @op (ids only) to its clinic's tree, in its transaction. */
gboolean mv_patient_op_audit (PGconn *conn, MvPatientOp *op, const gchar *action, GError **error);

G_END_DECLS
