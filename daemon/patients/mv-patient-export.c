/* The patient store's export: everything held about a patient, decrypted, for an access
 * request (mv_patient_store_export() in mv-patient-store.h). */
#define G_LOG_DOMAIN "medverse-patients"

#include "mv-patient-store-private.h"

#include <medverse/mv-error.h>
#include <mv-host-private.h>

#include "../clinical/mv-clinical-history.h"
#include "mv-db.h"

static JsonNode *
record_data (GBytes *plain)
{
	gsize len = 0;
	const gchar *data = g_bytes_get_data (plain, &len);
	JsonNode *node = mv_json_parse_strict (data, (gssize)len, NULL);
	g_autofree gchar *b64 = NULL;

	if (node != NULL)
		return node;
	/* not strict JSON: the bytes themselves, so the export still holds everything */
	b64 = g_base64_encode ((const guchar *)data, len);
	return json_node_init_string (json_node_alloc (), b64);
}

static gboolean
export_records (
	PGconn *conn, MvPatientOp *op, const MvPatientKeys *keys, JsonObject *out, GError **error)
{
	const gchar *values[] = { op->clinic_id, op->patient_id };
	g_autoptr (PGresult) res = NULL;
	JsonObject *records = json_object_new ();

	json_object_set_object_member (out, "records", records);
	res = mv_db_exec_params (
		conn,
		"SELECT kind, version, blob, " MV_DB_SQL_UTC (
			"updated_at") " FROM patient_records "
				      "WHERE clinic_id = $1 AND patient_id = $2 ORDER BY kind",
		2, values, error);
	if (res == NULL)
		return FALSE;
	for (int i = 0; i < PQntuples (res); i++) {
		const gchar *kind = PQgetvalue (res, i, 0);
		guint64 version = 0;
		g_autoptr (GBytes) blob = mv_db_bytea_from_text (PQgetvalue (res, i, 2));
		g_autoptr (GBytes) plain = NULL;
		/* whatever kinds the patient has, each sealed under its own name */
		MvRecordKind row_kind = { kind, mv_record_kind_profile.table, NULL };
		MvRecordRef ref = { &row_kind, op->clinic_id, op->patient_id, NULL };
		JsonObject *record;

		if (!mv_record_parse_version (PQgetvalue (res, i, 1), &version)) {
			g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
				     "%s record of patient %s: bad version", kind, op->patient_id);
			return FALSE;
		}
		plain = mv_sealed_record_open_bytes (&ref, keys->dek, version, blob, error);
		if (plain == NULL)
			return FALSE;
		record = json_object_new ();
		json_object_set_int_member (record, "version", (gint64)version);
		json_object_set_string_member (record, "updated_at", PQgetvalue (res, i, 3));
		json_object_set_member (record, "data", record_data (plain));
		json_object_set_object_member (records, kind, record);
	}
	return TRUE;
}

static gboolean
export_keys (PGconn *conn, MvPatientOp *op, JsonObject *out, GError **error)
{
	const gchar *values[] = { op->clinic_id, op->patient_id };
	g_autoptr (PGresult) res = NULL;
	JsonArray *keys = json_array_new ();
	static const gchar *const columns[]
		= { "key_id", "label", "created_at", "expires_at", "revoked_at", "last_used_at" };

	json_object_set_array_member (out, "api_keys", keys);
	res = mv_db_exec_params (
		conn,
		"SELECT key_id, label, " MV_DB_SQL_UTC ("created_at") ", " MV_DB_SQL_UTC (
			"expires_at") ", " MV_DB_SQL_UTC ("revoked_at") ", " MV_DB_SQL_UTC ("last_"
											    "used_"
											    "at") " FROM api_keys "
												  "WHERE clinic_id "
												  "= $1 AND "
												  "patient_id = $2 "
												  "ORDER BY "
												  "created_at, "
												  "key_id",
		2, values, error);
	if (res == NULL)
		return FALSE;
	for (int i = 0; i < PQntuples (res); i++) {
		JsonObject *key = json_object_new ();
		for (guint c = 0; c < G_N_ELEMENTS (columns); c++) {
			if (PQgetisnull (res, i, (int)c))
				json_object_set_null_member (key, columns[c]);
			else
				json_object_set_string_member (key, columns[c],
							       PQgetvalue (res, i, (int)c));
		}
		json_array_add_object_element (keys, key);
	}
	return TRUE;
}

static gboolean
export_audit (PGconn *conn, MvPatientOp *op, JsonObject *out, GError **error)
{
	const gchar *values[] = { op->clinic_id, op->patient_id };
	g_autoptr (PGresult) res = NULL;
	JsonArray *entries = json_array_new ();

	json_object_set_array_member (out, "audit", entries);
	res = mv_db_exec_params (
		conn,
		"SELECT seq, " MV_DB_SQL_UTC (
			"occurred_at") ", actor, action, request_id "
				       "FROM audit_entries "
				       "WHERE clinic_id = $1 AND resource_type = 'patient' AND "
				       "resource_id = $2 ORDER BY seq",
		2, values, error);
	if (res == NULL)
		return FALSE;
	for (int i = 0; i < PQntuples (res); i++) {
		JsonObject *entry = json_object_new ();
		json_object_set_int_member (entry, "seq",
					    g_ascii_strtoll (PQgetvalue (res, i, 0), NULL, 10));
		json_object_set_string_member (entry, "occurred_at", PQgetvalue (res, i, 1));
		json_object_set_string_member (entry, "actor", PQgetvalue (res, i, 2));
		json_object_set_string_member (entry, "action", PQgetvalue (res, i, 3));
		json_object_set_string_member (entry, "request_id", PQgetvalue (res, i, 4));
		json_array_add_object_element (entries, entry);
	}
	return TRUE;
}

static gboolean
export_txn (PGconn *conn, gpointer data, GError **error)
{
	MvPatientOp *op = mv_patient_op_begin (data);
	g_auto (MvPatientKeys) keys = { 0 };
	g_autoptr (JsonObject) out = json_object_new ();
	JsonObject *patient = json_object_new ();

	json_object_set_object_member (out, "patient", patient);
	if (!mv_patient_keys_load (mv_patient_op_vault (op), conn, op->clinic_id, op->patient_id,
				   FALSE, &keys, error))
		return FALSE;
	json_object_set_string_member (patient, "id", op->patient_id);
	json_object_set_string_member (patient, "clinic_id", op->clinic_id);
	json_object_set_int_member (patient, "version", (gint64)keys.version);
	json_object_set_string_member (patient, "created_at", keys.created_at);
	json_object_set_string_member (patient, "updated_at", keys.updated_at);
	if (!export_records (conn, op, &keys, out, error) || !export_keys (conn, op, out, error)
	    || !export_audit (conn, op, out, error))
		return FALSE;
	/* every version of every record, the clinical record's and the profile's */
	if (!mv_clinical_export_versions (conn, keys.dek, op->clinic_id, op->patient_id, out,
					  error))
		return FALSE;
	op->result = g_steal_pointer (&out);
	return mv_patient_op_audit (conn, op, "patient.export", error);
}

JsonObject *
mv_patient_store_export (MvPatientStore *store,
			 const MvAuthContext *caller,
			 const gchar *request_id,
			 const gchar *patient_id,
			 GError **error)
{
	g_auto (MvPatientOp) op = { 0 };

	if (!mv_patient_op_init (&op, store, caller, request_id, NULL, patient_id, error))
		return NULL;
	if (!mv_patient_op_run (&op, export_txn, error))
		return NULL;
	return g_steal_pointer (&op.result);
}
