/* The patient store's search by medical record number, through the clinic's blind index: no
 * plaintext MRN is compared or stored (mv_patient_store_find_by_mrn() in mv-patient-store.h). */
#define G_LOG_DOMAIN "medverse-patients"

#include "mv-patient-store-private.h"

#include <medverse/mv-error.h>
#include <sodium.h>
#include <string.h>

#include "mv-db.h"

static gboolean
find_txn (PGconn *conn, gpointer data, GError **error)
{
	MvPatientOp *op = mv_patient_op_begin (data);
	g_autoptr (MvSecret) kek = NULL;
	g_autofree gchar *index = NULL;
	g_autoptr (PGresult) res = NULL;

	kek = mv_record_keys_clinic_kek (mv_patient_op_vault (op), conn, op->clinic_id, TRUE,
					 error);
	if (kek == NULL)
		return FALSE;
	index = mv_record_keys_mrn_index (kek, op->clinic_id, op->mrn, error);
	if (index == NULL)
		return FALSE;
	{
		const gchar *values[] = { op->clinic_id, index };
		res = mv_db_exec_params (conn,
					 "SELECT patient_id, version FROM patients WHERE "
					 "clinic_id = $1 AND mrn_index = $2 AND deleted_at IS NULL",
					 2, values, error);
		if (res == NULL)
			return FALSE;
	}
	if (PQntuples (res) == 1) {
		op->found_id = g_strdup (PQgetvalue (res, 0, 0));
		if (!mv_record_parse_version (PQgetvalue (res, 0, 1), &op->version))
			op->version = 0;
	}
	/* the search is recorded whether or not it found someone */
	return mv_patient_op_audit (conn, op, "patient.search", error);
}

gchar *
mv_patient_store_find_by_mrn (MvPatientStore *store,
			      const MvAuthContext *caller,
			      const gchar *request_id,
			      const gchar *mrn,
			      guint64 *version_out,
			      GError **error)
{
	g_auto (MvPatientOp) op = { 0 };
	g_autofree gchar *normalised = NULL;

	if (!mv_patient_op_init (&op, store, caller, request_id, "a patient key cannot search",
				 NULL, error))
		return NULL;
	normalised = mv_vault_normalise_mrn (mrn != NULL ? mrn : "", error);
	if (normalised == NULL) {
		g_prefix_error (error, "mrn: ");
		return NULL;
	}
	sodium_memzero (normalised, strlen (normalised));
	op.mrn = mrn;
	if (!mv_patient_op_run (&op, find_txn, error))
		return NULL;
	if (op.found_id == NULL) {
		g_set_error (error, MV_ERROR, MV_ERROR_NOT_FOUND,
			     "no patient of this clinic has this medical record number");
		return NULL;
	}
	if (version_out != NULL)
		*version_out = op.version;
	return g_steal_pointer (&op.found_id);
}
