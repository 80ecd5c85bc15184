/* The encrypted patient store (see mv-patient-store.h): the store object and what its
 * operations share.  The operations: mv-patient-records.c, mv-patient-search.c,
 * mv-patient-export.c. */
#define G_LOG_DOMAIN "medverse-patients"

#include "mv-patient-store-private.h"

#include <medverse/mv-error.h>

#include "../audit/mv-audit-log.h"
#include "mv-db.h"

MvPatientStore *
mv_patient_store_new (MvServices *services)
{
	MvPatientStore *store = g_new0 (MvPatientStore, 1);
	store->services = services;
	return store;
}

void
mv_patient_store_free (MvPatientStore *store)
{
	g_free (store);
}

gchar *
mv_patient_id_normalise (const gchar *id)
{
	if (id == NULL || !g_uuid_string_is_valid (id))
		return NULL;
	return g_ascii_strdown (id, -1);
}

static void
op_clear_outputs (MvPatientOp *op)
{
	g_clear_pointer (&op->result, json_object_unref);
	g_clear_pointer (&op->found_id, g_free);
	g_clear_pointer (&op->retained_until, g_free);
	op->version = 0;
}

void
mv_patient_op_clear (MvPatientOp *op)
{
	op_clear_outputs (op);
	g_clear_pointer (&op->owned_patient_id, g_free);
}

MvPatientOp *
mv_patient_op_begin (gpointer data)
{
	MvPatientOp *op = data;
	op_clear_outputs (op);
	return op;
}

gboolean
mv_patient_op_init (MvPatientOp *op,
		    MvPatientStore *store,
		    const MvAuthContext *caller,
		    const gchar *request_id,
		    const gchar *not_for_patients,
		    const gchar *patient_id,
		    GError **error)
{
	op->store = store;
	op->caller = caller;
	op->request_id = request_id;
	if (caller == NULL || caller->clinic_id == NULL || caller->clinic_id[0] == '\0') {
		g_set_error (error, MV_ERROR, MV_ERROR_FORBIDDEN,
			     "patient data can only be reached with a key of its clinic");
		return FALSE;
	}
	op->clinic_id = caller->clinic_id;
	if (not_for_patients != NULL && caller->role == MV_ROLE_PATIENT) {
		g_set_error_literal (error, MV_ERROR, MV_ERROR_FORBIDDEN, not_for_patients);
		return FALSE;
	}
	if (patient_id == NULL)
		return TRUE;
	op->owned_patient_id = mv_patient_id_normalise (patient_id);
	if (op->owned_patient_id == NULL
	    || (caller->role == MV_ROLE_PATIENT
		&& g_ascii_strcasecmp (op->owned_patient_id,
				       caller->patient_id != NULL ? caller->patient_id : "")
			   != 0)) {
		mv_set_error_bilingual (error, MV_ERROR_NOT_FOUND, "no such patient", "没有该患者");
		return FALSE;
	}
	op->patient_id = op->owned_patient_id;
	return TRUE;
}

gboolean
mv_patient_op_run (MvPatientOp *op, MvDbTransactionFunc fn, GError **error)
{
	return mv_db_transaction (op->store->services->db, fn, op, error);
}

MvVault *
mv_patient_op_vault (MvPatientOp *op)
{
	return mv_services_get_vault (op->store->services);
}

MvRecordRef
mv_patient_op_profile (MvPatientOp *op)
{
	return (MvRecordRef){ &mv_record_kind_profile, op->clinic_id, op->patient_id, NULL };
}

gboolean
mv_patient_op_audit (PGconn *conn, MvPatientOp *op, const gchar *action, GError **error)
{
	/* the search names the patient found, or none */
	const gchar *patient_id = op->found_id != NULL ? op->found_id : op->patient_id;

	return mv_audit_log_append (conn, op->store->services->signer, op->store->services->witness,
				    op->caller, op->clinic_id, action, "patient", patient_id,
				    op->request_id, error);
}
