/* The clinical store (see mv-clinical-store.h): the store object and what its operations
 * share.  The operations: mv-clinical-records.c, mv-clinical-lists.c. */
#define G_LOG_DOMAIN "medverse-clinical"

#include "mv-clinical-store-private.h"

#include <medverse/mv-error.h>

#include "../audit/mv-audit-log.h"
#include "../patients/mv-patient-store.h"
#include "mv-note-parse.h"

MvClinicalStore *
mv_clinical_store_new (MvServices *services)
{
	MvClinicalStore *store = g_new0 (MvClinicalStore, 1);
	store->services = services;
	return store;
}

void
mv_clinical_store_set_engine (MvClinicalStore *store, MvEngine *engine)
{
	store->engine = engine;
}

MvEngine *
mv_clinical_store_get_engine (MvClinicalStore *store)
{
	return store->engine;
}

gboolean
mv_clinical_op_parse_note (MvClinicalOp *op, JsonObject *input, GError **error)
{
	const MvClinicalCall *call = op->call;
	MvCaller caller = {
		.request_id = call->request_id,
		.clinic_id = call->caller->clinic_id,
		.role = call->caller->role,
		.locale = call->language,
	};

	if (g_strcmp0 (op->kind->name, "note") != 0
	    || !json_object_get_boolean_member_with_default (input, "parse", FALSE))
		return TRUE;
	if (op->store->engine == NULL) {
		mv_set_error_bilingual (error, MV_ERROR_UNAVAILABLE,
					"the symptom parser is not available to this store",
					"症状解析器不可用");
		return FALSE;
	}
	return mv_note_parse_input (op->store->engine, input,
				    call->language != NULL ? call->language : "en", &caller, error);
}

void
mv_clinical_store_free (MvClinicalStore *store)
{
	g_free (store);
}

void
mv_clinical_op_clear (MvClinicalOp *op)
{
	g_clear_pointer (&op->result, json_object_unref);
	g_clear_pointer (&op->patient_id, g_free);
	g_clear_pointer (&op->record_id, g_free);
	g_clear_pointer (&op->records, g_ptr_array_unref);
}

MvClinicalOp *
mv_clinical_op_begin (gpointer data)
{
	MvClinicalOp *op = data;
	g_clear_pointer (&op->result, json_object_unref);
	return op;
}

gboolean
mv_clinical_op_init (MvClinicalOp *op,
		     MvClinicalStore *store,
		     const MvClinicalCall *call,
		     const MvClinicalKind *kind,
		     gboolean write,
		     const gchar *patient_id,
		     const gchar *record_id,
		     GError **error)
{
	const MvAuthContext *caller = call->caller;

	op->store = store;
	op->call = call;
	op->kind = kind;
	op->kind_name = kind != NULL ? kind->name : MV_CLINICAL_PROFILE_KIND;
	if (caller == NULL || caller->clinic_id == NULL || caller->clinic_id[0] == '\0') {
		mv_set_error_bilingual (error, MV_ERROR_FORBIDDEN,
					"patient data can only be reached with a key of its clinic",
					"只有患者所属机构的密钥才能访问患者数据");
		return FALSE;
	}
	op->clinic_id = caller->clinic_id;
	if (write && caller->role == MV_ROLE_PATIENT && !call->on_patients_behalf) {
		mv_set_error_bilingual (error, MV_ERROR_FORBIDDEN,
					"a patient key cannot change clinical records",
					"患者密钥不能修改临床记录");
		return FALSE;
	}
	if (patient_id != NULL) {
		op->patient_id = mv_patient_id_normalise (patient_id);
		if (op->patient_id == NULL
		    || (caller->role == MV_ROLE_PATIENT
			&& g_strcmp0 (op->patient_id, caller->patient_id) != 0)) {
			mv_set_error_bilingual (error, MV_ERROR_NOT_FOUND, "no such patient",
						"没有该患者");
			return FALSE;
		}
	}
	if (record_id != NULL) {
		/* a record id is a UUID too: the same canonical form */
		op->record_id = mv_patient_id_normalise (record_id);
		if (op->record_id == NULL) {
			mv_set_error_bilingual (error, MV_ERROR_NOT_FOUND, "no such record",
						"没有该记录");
			return FALSE;
		}
	}
	return TRUE;
}

gboolean
mv_clinical_op_run (MvClinicalOp *op, MvDbTransactionFunc fn, GError **error)
{
	return mv_db_transaction (op->store->services->db, fn, op, error);
}

gboolean
mv_clinical_op_keys (
	PGconn *conn, MvClinicalOp *op, gboolean write, MvPatientKeys *keys, GError **error)
{
	g_autoptr (GError) local = NULL;

	if (mv_patient_keys_load (mv_services_get_vault (op->store->services), conn, op->clinic_id,
				  op->patient_id, write, keys, &local))
		return TRUE;
	if (g_error_matches (local, MV_ERROR, MV_ERROR_NOT_FOUND))
		mv_error_set_message_zh (local, "没有该患者");
	g_propagate_error (error, g_steal_pointer (&local));
	return FALSE;
}

gboolean
mv_clinical_op_audit (PGconn *conn, MvClinicalOp *op, const gchar *verb, GError **error)
{
	g_autofree gchar *action = g_strdup_printf ("%s.%s", op->kind_name, verb);
	MvServices *services = op->store->services;

	return mv_audit_log_append (conn, services->signer, services->witness, op->call->caller,
				    op->clinic_id, action, "patient", op->patient_id,
				    op->call->request_id, error);
}

MvClinicalContext
mv_clinical_op_context (MvClinicalOp *op, GDateTime **owned_now)
{
	const MvClinicalCall *call = op->call;

	*owned_now = call->now != NULL ? g_date_time_ref (call->now) : g_date_time_new_now_utc ();
	return (MvClinicalContext){
		.now = *owned_now,
		.language = call->language != NULL ? call->language : "en",
		.actor = call->caller->key_id,
	};
}

JsonObject *
mv_clinical_record_response (const gchar *record_id,
			     guint64 version,
			     const gchar *status,
			     const gchar *created_at,
			     const gchar *updated_at,
			     JsonObject *data)
{
	JsonObject *out = json_object_new ();
	g_autoptr (GList) members = data != NULL ? json_object_get_members (data) : NULL;

	json_object_set_string_member (out, "id", record_id);
	json_object_set_int_member (out, "version", (gint64)version);
	json_object_set_string_member (out, "record_status", status);
	json_object_set_string_member (out, "created_at", created_at);
	json_object_set_string_member (out, "updated_at", updated_at);
	/* the kind never returns the server's members (mv-clinical-kind.h); if one slipped in,
	 * the server's value wins */
	for (GList *l = members; l != NULL; l = l->next)
		if (!json_object_has_member (out, l->data))
			json_object_set_member (
				out, l->data,
				json_node_copy (json_object_get_member (data, l->data)));
	return out;
}

JsonObject *
mv_clinical_row_to_record (MvClinicalOp *op,
			   MvSecret *dek,
			   PGresult *res,
			   gint row,
			   guint64 *version_out,
			   GError **error)
{
	const gchar *record_id = PQgetvalue (res, row, COL_ID);
	const gchar *status = PQgetvalue (res, row, COL_STATUS);
	guint64 version = 0;
	g_autoptr (JsonNode) data = NULL;

	if (!mv_record_parse_version (PQgetvalue (res, row, COL_VERSION), &version)) {
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY, "%s record %s: bad version",
			     op->kind_name, record_id);
		return NULL;
	}
	data = mv_clinical_version_open (dek, op->clinic_id, op->patient_id, op->kind_name,
					 record_id, version, status,
					 PQgetvalue (res, row, COL_BLOB), error);
	if (data == NULL)
		return NULL;
	if (version_out != NULL)
		*version_out = version;
	return mv_clinical_record_response (
		record_id, version, status, PQgetvalue (res, row, COL_CREATED),
		PQgetvalue (res, row, COL_UPDATED), json_node_get_object (data));
}

gchar *
mv_clinical_term_any_system (const gchar *term)
{
	const gchar *bar = strchr (term, '|');
	return g_strconcat ("|", bar != NULL ? bar + 1 : term, NULL);
}

gboolean
mv_clinical_write_terms (PGconn *conn,
			 MvClinicalOp *op,
			 MvSecret *dek,
			 const gchar *record_id,
			 GPtrArray *codes,
			 GError **error)
{
	g_autoptr (MvSecret) key = mv_vault_derive_term_key (dek);
	g_autoptr (GString) terms = g_string_new ("{");
	g_autoptr (PGresult) del = NULL;
	g_autoptr (PGresult) ins = NULL;
	const gchar *values[] = { op->clinic_id, op->patient_id, op->kind_name, record_id, NULL };

	del = mv_db_exec_params (
		conn,
		"DELETE FROM record_terms WHERE clinic_id = $1 AND patient_id = $2 "
		"AND kind = $3 AND record_id = $4",
		4, values, error);
	if (del == NULL)
		return FALSE;
	for (guint i = 0; codes != NULL && i < codes->len; i++) {
		const gchar *code = g_ptr_array_index (codes, i);
		g_autofree gchar *any = mv_clinical_term_any_system (code);
		const gchar *forms[] = { code, any };
		for (guint j = 0; j < G_N_ELEMENTS (forms); j++) {
			g_autofree gchar *index = mv_vault_term_index (
				key, op->clinic_id, op->patient_id, forms[j], error);
			if (index == NULL)
				return FALSE;
			g_string_append_printf (terms, "%s%s", terms->len > 1 ? "," : "", index);
		}
	}
	if (terms->len == 1)
		return TRUE;
	g_string_append_c (terms, '}');
	values[4] = terms->str;
	ins = mv_db_exec_params (
		conn,
		"INSERT INTO record_terms (clinic_id, patient_id, kind, record_id, "
		"term) SELECT $1, $2, $3, $4, t FROM unnest($5::text[]) AS t "
		"ON CONFLICT DO NOTHING",
		5, values, error);
	return ins != NULL;
}
