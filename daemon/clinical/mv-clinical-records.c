/* The clinical store's writes and reads of one record: create (one, or a batch of up to 100,
 * all or none), read, update (merge patch on the kind's client form, If-Match) and
 * entered-in-error; each one transaction with its audit entry and change-feed rows
 * (mv-clinical-store.h). */
#define G_LOG_DOMAIN "medverse-clinical"

#include "mv-clinical-store-private.h"

#include <medverse/mv-error.h>

#include "../patients/mv-patient-profile.h"

#define STATUS_CURRENT "current"
#define STATUS_EIE "entered-in-error"

/* ---- shared steps ------------------------------------------------------------------------- */

/* Adds the problems of @one (a kind's refusal) to @all; an error without problems becomes
 * one problem at @pointer. */
static void
merge_problems (GError **all, const GError *one, const gchar *pointer)
{
	guint n = mv_error_get_n_problems (one);

	for (guint i = 0; i < n; i++) {
		const MvErrorProblem *p = mv_error_get_problem (one, i);
		mv_error_add_problem (all, p->field, p->code, p->message, p->message_zh);
	}
	if (n == 0)
		mv_error_add_problem (all, pointer, "invalid", one->message,
				      mv_error_get_message_zh (one));
}

static void
set_no_record (GError **error)
{
	mv_set_error_bilingual (error, MV_ERROR_NOT_FOUND, "no such record", "没有该记录");
}

/* The record's row and current version; FOR UPDATE OF the records row for a writer (the
 * patient row is locked already, this is for clarity and for a reader's consistency). */
static PGresult *
select_record (PGconn *conn, MvClinicalOp *op, gboolean for_update, GError **error)
{
	const gchar *values[] = { op->clinic_id, op->patient_id, op->kind_name, op->record_id };
	g_autofree gchar *sql
		= g_strconcat ("SELECT " MV_CLINICAL_RECORD_COLUMNS " FROM " MV_CLINICAL_RECORD_JOIN
			       " WHERE r.clinic_id = $1 AND r.patient_id = $2 AND r.kind = $3 AND "
			       "r.record_id = $4",
			       for_update ? " FOR UPDATE OF r" : "", NULL);
	g_autoptr (PGresult) res = mv_db_exec_params (conn, sql, 4, values, error);

	if (res == NULL)
		return NULL;
	if (PQntuples (res) != 1) {
		set_no_record (error);
		return NULL;
	}
	return g_steal_pointer (&res);
}

/* The kind's terms of @record: effective time (owned by @terms) and codes. */
static void
record_terms (MvClinicalOp *op, JsonObject *record, MvClinicalTerms *terms)
{
	op->kind->terms (record, terms);
}

/* ---- create ------------------------------------------------------------------------------- */

static gboolean
insert_one (PGconn *conn,
	    MvClinicalOp *op,
	    MvSecret *dek,
	    JsonObject *record,
	    const gchar *record_id,
	    JsonObject **response,
	    GError **error)
{
	g_auto (MvClinicalTerms) terms = { 0 };
	g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), record);
	g_autoptr (PGresult) res = NULL;

	record_terms (op, record, &terms);
	{
		const gchar *values[] = { op->clinic_id, op->patient_id, op->kind_name, record_id,
					  terms.effective_at };
		res = mv_db_exec_params (
			conn,
			"INSERT INTO records (clinic_id, patient_id, kind, record_id, version, "
			"effective_at) VALUES ($1, $2, $3, $4, 1, $5::timestamptz) "
			"RETURNING " MV_DB_SQL_UTC ("created_at") ", " MV_DB_SQL_UTC ("updated_at"),
			5, values, error);
	}
	if (res == NULL)
		return FALSE;
	if (!mv_clinical_version_insert (conn, dek, op->clinic_id, op->patient_id, op->kind_name,
					 record_id, 1, STATUS_CURRENT, node, op->call->caller,
					 error))
		return FALSE;
	if (!mv_clinical_write_terms (conn, op, dek, record_id, terms.codes, error))
		return FALSE;
	*response
		= mv_clinical_record_response (record_id, 1, STATUS_CURRENT, PQgetvalue (res, 0, 0),
					       PQgetvalue (res, 0, 1), record);
	return TRUE;
}

/* A body that is exactly {"<plural>": [ … ]} is a batch. */
static gboolean
is_batch (const MvClinicalKind *kind, JsonObject *body)
{
	JsonNode *list = json_object_get_member (body, kind->plural);
	return list != NULL && json_object_get_size (body) == 1 && JSON_NODE_HOLDS_ARRAY (list);
}

/* Normalises every input of the body (op->patch: one record, or a batch) into op->records,
 * collecting every problem of every input into one error. */
static gboolean
normalise_inputs (MvClinicalOp *op, GError **error)
{
	const MvClinicalKind *kind = op->kind;
	JsonObject *body = op->patch;
	g_autoptr (GDateTime) now = NULL;
	MvClinicalContext ctx = mv_clinical_op_context (op, &now);
	JsonNode *list = json_object_get_member (body, kind->plural);
	g_autofree gchar *list_pointer = g_strdup_printf ("/%s", kind->plural);
	GError *problems = NULL;
	guint n;

	g_clear_pointer (&op->records, g_ptr_array_unref);
	op->records = g_ptr_array_new_with_free_func ((GDestroyNotify)json_object_unref);
	if (!is_batch (kind, body)) {
		g_autoptr (GError) one = NULL;
		JsonObject *record = kind->normalise (body, "", &ctx, &one);
		if (record == NULL) {
			merge_problems (&problems, one, "");
			g_propagate_error (error, problems);
			return FALSE;
		}
		g_ptr_array_add (op->records, record);
		return TRUE;
	}
	n = json_array_get_length (json_node_get_array (list));
	if (n == 0 || n > MV_CLINICAL_MAX_BATCH) {
		g_autofree gchar *en = g_strdup_printf ("must hold 1 to %d records, not %u",
							MV_CLINICAL_MAX_BATCH, n);
		g_autofree gchar *zh = g_strdup_printf ("必须包含 1 到 %d 条记录，而不是 %u 条",
							MV_CLINICAL_MAX_BATCH, n);
		mv_error_add_problem (error, list_pointer, n == 0 ? "too-short" : "too-long", en,
				      zh);
		return FALSE;
	}
	for (guint i = 0; i < n; i++) {
		JsonNode *item = json_array_get_element (json_node_get_array (list), i);
		g_autofree gchar *pointer = g_strdup_printf ("%s/%u", list_pointer, i);
		g_autoptr (GError) one = NULL;
		JsonObject *record;
		if (!JSON_NODE_HOLDS_OBJECT (item)) {
			mv_error_add_problem (&problems, pointer, "wrong-type", "must be an object",
					      "必须是对象");
			continue;
		}
		record = kind->normalise (json_node_get_object (item), pointer, &ctx, &one);
		if (record == NULL) {
			merge_problems (&problems, one, pointer);
			continue;
		}
		g_ptr_array_add (op->records, record);
	}
	if (problems != NULL) {
		g_propagate_error (error, problems);
		return FALSE;
	}
	return TRUE;
}

static gboolean
create_txn (PGconn *conn, gpointer data, GError **error)
{
	MvClinicalOp *op = mv_clinical_op_begin (data);
	g_auto (MvPatientKeys) keys = { 0 };
	g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
	g_autofree MvClinicalChange *changes = NULL;
	g_autoptr (JsonArray) created = json_array_new ();

	/* the patient first: a stranger's request is 404 whatever its body */
	if (!mv_clinical_op_keys (conn, op, TRUE, &keys, error))
		return FALSE;
	if (!normalise_inputs (op, error))
		return FALSE;
	changes = g_new0 (MvClinicalChange, op->records->len);
	for (guint i = 0; i < op->records->len; i++) {
		JsonObject *response = NULL;
		gchar *id = g_uuid_string_random ();
		g_ptr_array_add (ids, id);
		if (!insert_one (conn, op, keys.dek, g_ptr_array_index (op->records, i), id,
				 &response, error))
			return FALSE;
		json_array_add_object_element (created, response);
		changes[i] = (MvClinicalChange){ op->patient_id, op->kind_name, id, 1, "created" };
	}
	if (!mv_clinical_op_audit (conn, op,
				   op->call->audit_verb != NULL ? op->call->audit_verb : "create",
				   error))
		return FALSE;
	if (!mv_clinical_feed_append (conn, op->clinic_id, changes, op->records->len, error))
		return FALSE;
	op->result = json_object_new ();
	json_object_set_array_member (op->result, "records", json_array_ref (created));
	return TRUE;
}

JsonObject *
mv_clinical_store_create (MvClinicalStore *store,
			  const MvClinicalCall *call,
			  const MvClinicalKind *kind,
			  const gchar *patient_id,
			  JsonObject *body,
			  gboolean *batch_out,
			  GError **error)
{
	g_auto (MvClinicalOp) op = { 0 };
	gboolean batch = FALSE;
	JsonArray *created;
	JsonObject *out;

	if (!mv_clinical_op_init (&op, store, call, kind, TRUE, patient_id, NULL, error))
		return NULL;
	if (body == NULL) {
		mv_error_add_problem (error, "", "required", "a JSON object is required",
				      "需要一个 JSON 对象");
		return NULL;
	}
	batch = is_batch (kind, body);
	/* a note's findings come from the parser before the transaction: no database connection
	 * is held while the plugin runs, and a retried transaction does not ask again */
	if (!batch && !mv_clinical_op_parse_note (&op, body, error))
		return NULL;
	for (guint i = 0;
	     batch && i < json_array_get_length (json_object_get_array_member (body, kind->plural));
	     i++) {
		JsonNode *item = json_array_get_element (
			json_object_get_array_member (body, kind->plural), i);
		if (JSON_NODE_HOLDS_OBJECT (item)
		    && !mv_clinical_op_parse_note (&op, json_node_get_object (item), error))
			return NULL;
	}
	op.patch = body; /* the input, normalised in the transaction */
	if (!mv_clinical_op_run (&op, create_txn, error))
		return NULL;
	if (batch_out != NULL)
		*batch_out = batch;
	created = json_object_get_array_member (op.result, "records");
	if (!batch)
		return json_object_ref (json_array_get_object_element (created, 0));
	out = json_object_new ();
	json_object_set_array_member (out, kind->plural, json_array_ref (created));
	return out;
}

/* ---- create inside another module's transaction ------------------------------------------- */

GPtrArray *
mv_clinical_store_create_in (PGconn *conn,
			     MvClinicalStore *store,
			     const MvClinicalCall *call,
			     const MvClinicalKind *kind,
			     const gchar *patient_id,
			     MvSecret *dek,
			     GPtrArray *inputs,
			     GError **error)
{
	g_auto (MvClinicalOp) op = { 0 };
	g_autoptr (GPtrArray) out
		= g_ptr_array_new_with_free_func ((GDestroyNotify)json_object_unref);
	g_autofree MvClinicalChange *changes = g_new0 (MvClinicalChange, inputs->len);
	g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
	g_autoptr (GDateTime) now = NULL;
	MvClinicalContext ctx;

	/* a reader's init: the caller may be the patient's own key, writing on their own behalf
	 * through a module that checked what it writes (an engagement check-in) */
	if (!mv_clinical_op_init (&op, store, call, kind, FALSE, patient_id, NULL, error))
		return NULL;
	ctx = mv_clinical_op_context (&op, &now);
	for (guint i = 0; i < inputs->len; i++) {
		g_autoptr (JsonObject) record
			= kind->normalise (g_ptr_array_index (inputs, i), "", &ctx, error);
		JsonObject *response = NULL;
		gchar *id;

		if (record == NULL)
			return NULL;
		id = g_uuid_string_random ();
		g_ptr_array_add (ids, id);
		if (!insert_one (conn, &op, dek, record, id, &response, error))
			return NULL;
		g_ptr_array_add (out, response);
		changes[i] = (MvClinicalChange){ op.patient_id, op.kind_name, id, 1, "created" };
	}
	if (!mv_clinical_op_audit (conn, &op, "create", error))
		return NULL;
	if (!mv_clinical_feed_append (conn, op.clinic_id, changes, inputs->len, error))
		return NULL;
	return g_steal_pointer (&out);
}

/* ---- read --------------------------------------------------------------------------------- */

static gboolean
get_txn (PGconn *conn, gpointer data, GError **error)
{
	MvClinicalOp *op = mv_clinical_op_begin (data);
	g_auto (MvPatientKeys) keys = { 0 };
	g_autoptr (PGresult) res = NULL;

	if (!mv_clinical_op_keys (conn, op, FALSE, &keys, error))
		return FALSE;
	res = select_record (conn, op, FALSE, error);
	if (res == NULL)
		return FALSE;
	op->result = mv_clinical_row_to_record (op, keys.dek, res, 0, NULL, error);
	if (op->result == NULL)
		return FALSE;
	return mv_clinical_op_audit (conn, op, "read", error);
}

JsonObject *
mv_clinical_store_get (MvClinicalStore *store,
		       const MvClinicalCall *call,
		       const MvClinicalKind *kind,
		       const gchar *patient_id,
		       const gchar *record_id,
		       GError **error)
{
	g_auto (MvClinicalOp) op = { 0 };

	if (!mv_clinical_op_init (&op, store, call, kind, FALSE, patient_id, record_id, error))
		return NULL;
	if (!mv_clinical_op_run (&op, get_txn, error))
		return NULL;
	return g_steal_pointer (&op.result);
}

/* ---- new versions: update and entered-in-error ---------------------------------------------- */

/* Writes version @version of the record with @status and @record, and makes it current. */
static gboolean
write_version (PGconn *conn,
	       MvClinicalOp *op,
	       MvSecret *dek,
	       guint64 version,
	       const gchar *status,
	       JsonObject *record,
	       const gchar *change,
	       GError **error)
{
	g_auto (MvClinicalTerms) terms = { 0 };
	g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), record);
	g_autofree gchar *version_text = g_strdup_printf ("%" G_GUINT64_FORMAT, version);
	g_autoptr (PGresult) res = NULL;
	MvClinicalChange feed = { op->patient_id, op->kind_name, op->record_id, version, change };

	record_terms (op, record, &terms);
	if (!mv_clinical_version_insert (conn, dek, op->clinic_id, op->patient_id, op->kind_name,
					 op->record_id, version, status, node, op->call->caller,
					 error))
		return FALSE;
	{
		const gchar *values[]
			= { op->clinic_id, op->patient_id, op->kind_name,     op->record_id,
			    version_text,  status,	   terms.effective_at };
		res = mv_db_exec_params (
			conn,
			"UPDATE records SET version = $5::bigint, record_status = $6, "
			"effective_at = $7::timestamptz, updated_at = now() WHERE clinic_id = $1 "
			"AND patient_id = $2 AND kind = $3 AND record_id = $4 "
			"RETURNING " MV_DB_SQL_UTC ("created_at") ", " MV_DB_SQL_UTC ("updated_at"),
			7, values, error);
	}
	if (res == NULL)
		return FALSE;
	if (!mv_clinical_write_terms (conn, op, dek, op->record_id, terms.codes, error))
		return FALSE;
	op->result = mv_clinical_record_response (op->record_id, version, status,
						  PQgetvalue (res, 0, 0), PQgetvalue (res, 0, 1),
						  record);
	if (!mv_clinical_op_audit (conn, op,
				   g_strcmp0 (status, STATUS_EIE) == 0 ? STATUS_EIE
				   : op->call->audit_verb != NULL      ? op->call->audit_verb
								       : "update",
				   error))
		return FALSE;
	return mv_clinical_feed_append (conn, op->clinic_id, &feed, 1, error);
}

static gboolean
check_version (MvClinicalOp *op, guint64 version, GError **error)
{
	g_autofree gchar *en = NULL;
	g_autofree gchar *zh = NULL;

	if (op->if_match == 0 || op->if_match == version)
		return TRUE;
	en = g_strdup_printf ("the record changed: it is at version %" G_GUINT64_FORMAT
			      ", not %" G_GUINT64_FORMAT "; read it again",
			      version, op->if_match);
	zh = g_strdup_printf ("记录已被修改：当前版本为 %" G_GUINT64_FORMAT
			      "，而不是 %" G_GUINT64_FORMAT "；请重新读取",
			      version, op->if_match);
	mv_set_error_bilingual (error, MV_ERROR_PRECONDITION_FAILED, en, zh);
	return FALSE;
}

/* The merged, normalised record of a patch, or the current one when nothing changes. */
static JsonObject *
patched_record (MvClinicalOp *op, JsonObject *current, GError **error)
{
	g_autoptr (JsonObject) input = NULL;
	g_autoptr (JsonNode) input_node = NULL;
	g_autoptr (JsonNode) patch_node = NULL;
	g_autoptr (JsonNode) merged = NULL;
	g_autoptr (GDateTime) now = NULL;
	MvClinicalContext ctx = mv_clinical_op_context (op, &now);
	g_autoptr (GError) one = NULL;
	JsonObject *record;

	if (json_object_get_size (op->patch) == 0)
		return json_object_ref (current);
	input = op->kind->to_input (current);
	input_node = json_node_init_object (json_node_alloc (), input);
	patch_node = json_node_init_object (json_node_alloc (), op->patch);
	merged = mv_json_merge_patch (input_node, patch_node);
	if (!mv_clinical_op_parse_note (op, json_node_get_object (merged), error))
		return NULL;
	record = op->kind->normalise (json_node_get_object (merged), "", &ctx, &one);
	if (record == NULL) {
		GError *problems = NULL;
		merge_problems (&problems, one, "");
		g_propagate_error (error, problems);
	}
	return record;
}

static gboolean
update_txn (PGconn *conn, gpointer data, GError **error)
{
	MvClinicalOp *op = mv_clinical_op_begin (data);
	g_auto (MvPatientKeys) keys = { 0 };
	g_autoptr (PGresult) res = NULL;
	g_autoptr (JsonNode) current = NULL;
	g_autoptr (JsonObject) record = NULL;
	g_autoptr (JsonNode) record_node = NULL;
	guint64 version = 0;

	if (!mv_clinical_op_keys (conn, op, TRUE, &keys, error))
		return FALSE;
	res = select_record (conn, op, TRUE, error);
	if (res == NULL)
		return FALSE;
	if (!mv_record_parse_version (PQgetvalue (res, 0, COL_VERSION), &version)
	    || !check_version (op, version, error))
		return FALSE;
	if (g_strcmp0 (PQgetvalue (res, 0, COL_STATUS), STATUS_EIE) == 0) {
		mv_set_error_bilingual (error, MV_ERROR_CONFLICT,
					"the record was entered in error and cannot be changed",
					"该记录已标记为录入错误，不能再修改");
		return FALSE;
	}
	current = mv_clinical_version_open (keys.dek, op->clinic_id, op->patient_id, op->kind_name,
					    op->record_id, version, STATUS_CURRENT,
					    PQgetvalue (res, 0, COL_BLOB), error);
	if (current == NULL)
		return FALSE;
	record = patched_record (op, json_node_get_object (current), error);
	if (record == NULL)
		return FALSE;
	record_node = json_node_init_object (json_node_alloc (), record);
	if (json_node_equal (record_node, current)) {
		/* nothing changes: no version, the record as it is (its disclosure audited) */
		op->result = mv_clinical_row_to_record (op, keys.dek, res, 0, NULL, error);
		return op->result != NULL && mv_clinical_op_audit (conn, op, "read", error);
	}
	return write_version (conn, op, keys.dek, version + 1, STATUS_CURRENT, record, "updated",
			      error);
}

JsonObject *
mv_clinical_store_update (MvClinicalStore *store,
			  const MvClinicalCall *call,
			  const MvClinicalKind *kind,
			  const gchar *patient_id,
			  const gchar *record_id,
			  JsonObject *patch,
			  guint64 if_match,
			  GError **error)
{
	g_auto (MvClinicalOp) op = { 0 };

	if (!mv_clinical_op_init (&op, store, call, kind, TRUE, patient_id, record_id, error))
		return NULL;
	if (patch == NULL) {
		mv_error_add_problem (error, "", "required", "a JSON merge patch is required",
				      "需要一个 JSON 合并补丁");
		return NULL;
	}
	op.patch = patch;
	op.if_match = if_match;
	if (!mv_clinical_op_run (&op, update_txn, error))
		return NULL;
	return g_steal_pointer (&op.result);
}

static gboolean
entered_in_error_txn (PGconn *conn, gpointer data, GError **error)
{
	MvClinicalOp *op = mv_clinical_op_begin (data);
	g_auto (MvPatientKeys) keys = { 0 };
	g_autoptr (PGresult) res = NULL;
	g_autoptr (JsonNode) current = NULL;
	const gchar *status;
	guint64 version = 0;

	if (!mv_clinical_op_keys (conn, op, TRUE, &keys, error))
		return FALSE;
	res = select_record (conn, op, TRUE, error);
	if (res == NULL)
		return FALSE;
	if (!mv_record_parse_version (PQgetvalue (res, 0, COL_VERSION), &version)
	    || !check_version (op, version, error))
		return FALSE;
	status = PQgetvalue (res, 0, COL_STATUS);
	if (g_strcmp0 (status, STATUS_EIE) == 0) {
		/* already: nothing to write, the record as it is (its disclosure audited) */
		op->result = mv_clinical_row_to_record (op, keys.dek, res, 0, NULL, error);
		return op->result != NULL && mv_clinical_op_audit (conn, op, "read", error);
	}
	current = mv_clinical_version_open (keys.dek, op->clinic_id, op->patient_id, op->kind_name,
					    op->record_id, version, status,
					    PQgetvalue (res, 0, COL_BLOB), error);
	if (current == NULL)
		return FALSE;
	return write_version (conn, op, keys.dek, version + 1, STATUS_EIE,
			      json_node_get_object (current), STATUS_EIE, error);
}

JsonObject *
mv_clinical_store_mark_entered_in_error (MvClinicalStore *store,
					 const MvClinicalCall *call,
					 const MvClinicalKind *kind,
					 const gchar *patient_id,
					 const gchar *record_id,
					 guint64 if_match,
					 GError **error)
{
	g_auto (MvClinicalOp) op = { 0 };

	if (!mv_clinical_op_init (&op, store, call, kind, TRUE, patient_id, record_id, error))
		return NULL;
	op.if_match = if_match;
	if (!mv_clinical_op_run (&op, entered_in_error_txn, error))
		return NULL;
	return g_steal_pointer (&op.result);
}
