/* The clinical store's read of what a computation needs from a patient's record: the profile
 * and the current records of some kinds, in one transaction, one audit entry
 * (mv-clinical-store.h, mv_clinical_store_snapshot()). */
#define G_LOG_DOMAIN "medverse-clinical"

#include "mv-clinical-store-private.h"

#include <medverse/mv-error.h>

/* not clang-formatted: it would split the SQL text around the macro calls */
/* clang-format off */
static const gchar CURRENT_SQL[] =
	"SELECT " MV_CLINICAL_RECORD_COLUMNS " FROM " MV_CLINICAL_RECORD_JOIN
	" WHERE r.clinic_id = $1 AND r.patient_id = $2 AND r.kind = $3"
	" AND r.record_status = 'current'"
	" ORDER BY r.sort_at DESC, r.record_id DESC LIMIT $4::int";
/* clang-format on */

static gboolean
read_kind (
	PGconn *conn, MvClinicalOp *op, MvSecret *dek, const MvClinicalKind *kind, GError **error)
{
	g_autofree gchar *limit = g_strdup_printf ("%d", MV_CLINICAL_SNAPSHOT_MAX);
	const gchar *values[] = { op->clinic_id, op->patient_id, kind->name, limit };
	g_autoptr (PGresult) res = mv_db_exec_params (conn, CURRENT_SQL, 4, values, error);
	g_autoptr (JsonArray) list = json_array_new ();

	if (res == NULL)
		return FALSE;
	/* rows open under their own kind's additional data */
	op->kind_name = kind->name;
	for (gint i = 0; i < PQntuples (res); i++) {
		JsonObject *record = mv_clinical_row_to_record (op, dek, res, i, NULL, error);
		if (record == NULL)
			return FALSE;
		json_array_add_object_element (list, record);
	}
	json_object_set_array_member (op->result, kind->plural, g_steal_pointer (&list));
	return TRUE;
}

static gboolean
snapshot_txn (PGconn *conn, gpointer data, GError **error)
{
	MvClinicalOp *op = mv_clinical_op_begin (data);
	const MvClinicalKind *const *kinds = op->params;
	g_auto (MvPatientKeys) keys = { 0 };
	g_autoptr (MvSealedRecord) profile = NULL;
	MvRecordRef ref = { &mv_record_kind_profile, op->clinic_id, op->patient_id, NULL };

	if (!mv_clinical_op_keys (conn, op, FALSE, &keys, error))
		return FALSE;
	profile = mv_sealed_record_read (conn, &ref, keys.dek, keys.version, error);
	if (profile == NULL)
		return FALSE;
	op->result = json_object_new ();
	json_object_set_object_member (op->result, "profile",
				       json_object_ref (json_node_get_object (profile->data)));
	json_object_set_int_member (op->result, "profile_version", (gint64)keys.version);
	for (guint i = 0; kinds[i] != NULL; i++)
		if (!read_kind (conn, op, keys.dek, kinds[i], error))
			return FALSE;
	op->kind_name = "record";
	return mv_clinical_op_audit (conn, op, "snapshot", error);
}

JsonObject *
mv_clinical_store_snapshot (MvClinicalStore *store,
			    const MvClinicalCall *call,
			    const gchar *patient_id,
			    const MvClinicalKind *const *kinds,
			    GError **error)
{
	g_auto (MvClinicalOp) op = { 0 };

	if (!mv_clinical_op_init (&op, store, call, NULL, FALSE, patient_id, NULL, error))
		return NULL;
	op.params = (gpointer)kinds;
	if (!mv_clinical_op_run (&op, snapshot_txn, error))
		return NULL;
	return g_steal_pointer (&op.result);
}

static gboolean
check_txn (PGconn *conn, gpointer data, GError **error)
{
	MvClinicalOp *op = mv_clinical_op_begin (data);
	g_auto (MvPatientKeys) keys = { 0 };

	return mv_clinical_op_keys (conn, op, FALSE, &keys, error);
}

gboolean
mv_clinical_store_check_patient (MvClinicalStore *store,
				 const MvClinicalCall *call,
				 const gchar *patient_id,
				 GError **error)
{
	g_auto (MvClinicalOp) op = { 0 };

	if (!mv_clinical_op_init (&op, store, call, NULL, FALSE, patient_id, NULL, error))
		return FALSE;
	return mv_clinical_op_run (&op, check_txn, error);
}
