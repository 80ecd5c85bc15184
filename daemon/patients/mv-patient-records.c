/* The patient store's records: create, read, update, delete (crypto-shredding) and invites,
 * each one transaction with its audit entry (mv-patient-store.h).  The profile is a sealed
 * record (../records/mv-sealed-record.h). */
#define G_LOG_DOMAIN "medverse-patients"

#include "mv-patient-store-private.h"

#include <medverse/mv-error.h>
#include <sodium.h>
#include <string.h>

#include "../auth/mv-auth.h"
#include "../clinical/mv-clinical-history.h"
#include "mv-db.h"
#include "mv-patient-profile.h"

/* A duplicate identifier is a 409 naming the member at fault, as a problem of the error
 * (field, code "duplicate", English and Chinese), so clients read it as they read a 422. */
static void
set_conflict (GError **error, const gchar *field, gboolean mrn)
{
	mv_set_error_bilingual (error, MV_ERROR_CONFLICT, "conflict", "冲突");
	mv_error_add_problem (error, field, "duplicate",
			      mrn ? "another patient of this clinic already has this medical "
				    "record number"
				  : "another patient of this clinic already has this identifier",
			      mrn ? "本机构已有其他患者使用此病历号"
				  : "本机构已有其他患者使用此标识符");
}

/* A unique violation on insert/update of patients can only be the MRN index (the patient id is
 * a fresh random UUID).  The statements below avoid raising it (a server's log would keep the
 * index in the violation's DETAIL); this is for whatever still gets through. */
static void
explain_mrn_conflict (GError **error)
{
	if (mv_db_error_is_unique_violation (*error)) {
		g_clear_error (error);
		set_conflict (error, "/mrn", TRUE);
	}
}

/* A duplicate record number is an expected outcome, not an error of the database: it must not
 * reach PostgreSQL's log, where `DETAIL: Key (clinic_id, mrn_index)=(…)` would keep the blind
 * index past any crypto-shredding (docs/security.md, "PostgreSQL's log").  So every write of
 * an index first takes a transaction lock on (clinic, index): creates and updates of the same
 * record number then run one after the other, and each sees the other's committed row without
 * meeting the unique index. */
static gboolean
lock_mrn_index (PGconn *conn, const gchar *clinic_id, const gchar *index, GError **error)
{
	const gchar *values[] = { clinic_id, index };
	g_autoptr (PGresult) res
		= mv_db_exec_params (conn,
				     "SELECT pg_advisory_xact_lock(hashtextextended($1::uuid::text "
				     "|| '/' || $2::text, 0))",
				     2, values, error);
	return res != NULL;
}

/* ---- identifier indexes ------------------------------------------------------------------ */

typedef struct {
	guint position; /* in the profile's "identifiers", for the JSON Pointer */
	const gchar *system;
	gchar *index;
} IdentifierRow;

static gint
row_cmp (gconstpointer a, gconstpointer b)
{
	return strcmp (((const IdentifierRow *)a)->index, ((const IdentifierRow *)b)->index);
}

static void
row_clear (gpointer data)
{
	g_free (((IdentifierRow *)data)->index);
}

/* The indexes of @profile's identifiers other than the MRN (its index is the patients row's),
 * sorted by index: writers then take their locks in one order and never deadlock. */
static GArray *
identifier_rows (MvSecret *kek,
		 const gchar *clinic_id,
		 JsonObject *profile,
		 GPtrArray **ids_out,
		 GError **error)
{
	g_autoptr (GPtrArray) ids = mv_patient_profile_identifiers (profile);
	g_autoptr (GArray) rows = g_array_new (FALSE, TRUE, sizeof (IdentifierRow));

	g_array_set_clear_func (rows, row_clear);
	for (guint i = 0; i < ids->len; i++) {
		MvPatientIdentifier *id = g_ptr_array_index (ids, i);
		IdentifierRow row = { id->index, id->system, NULL };
		if (strcmp (id->system, "mrn") == 0)
			continue;
		row.index = mv_record_keys_identifier_index (kek, clinic_id, id->system, id->issuer,
							     id->value, error);
		if (row.index == NULL)
			return NULL;
		g_array_append_val (rows, row);
	}
	g_array_sort (rows, row_cmp);
	*ids_out = g_steal_pointer (&ids); /* the rows' systems point into it */
	return g_steal_pointer (&rows);
}

/* Replaces the patient's identifier rows with those of @profile, in the caller's transaction:
 * a number another live patient of the clinic has is a conflict naming its member.  As for the
 * MRN, a transaction lock per index comes first, so no unique violation (whose DETAIL would
 * keep the index) ever reaches PostgreSQL's log. */
static gboolean
write_identifiers (
	PGconn *conn, MvPatientOp *op, MvSecret *kek, JsonObject *profile, GError **error)
{
	g_autoptr (GPtrArray) ids = NULL;
	g_autoptr (GArray) rows = identifier_rows (kek, op->clinic_id, profile, &ids, error);
	const gchar *who[] = { op->clinic_id, op->patient_id };
	g_autoptr (PGresult) cleared = NULL;

	if (rows == NULL)
		return FALSE;
	for (guint i = 0; i < rows->len; i++) {
		IdentifierRow *row = &g_array_index (rows, IdentifierRow, i);
		const gchar *values[] = { op->clinic_id, row->system, row->index, op->patient_id };
		g_autoptr (PGresult) taken = NULL;

		if (!lock_mrn_index (conn, op->clinic_id, row->index, error))
			return FALSE;
		taken = mv_db_exec_params (
			conn,
			"SELECT 1 FROM patient_identifiers WHERE clinic_id = $1 "
			"AND system = $2 AND blind_index = $3 AND patient_id <> $4",
			4, values, error);
		if (taken == NULL)
			return FALSE;
		if (PQntuples (taken) > 0) {
			g_autofree gchar *item
				= mv_json_pointer_index ("/identifiers", row->position);
			g_autofree gchar *field = mv_json_pointer_child (item, "value");
			set_conflict (error, field, FALSE);
			return FALSE;
		}
	}
	cleared = mv_db_exec_params (
		conn, "DELETE FROM patient_identifiers WHERE clinic_id = $1 AND patient_id = $2", 2,
		who, error);
	if (cleared == NULL)
		return FALSE;
	for (guint i = 0; i < rows->len; i++) {
		IdentifierRow *row = &g_array_index (rows, IdentifierRow, i);
		const gchar *values[] = { op->clinic_id, row->system, row->index, op->patient_id };
		g_autoptr (PGresult) res = mv_db_exec_params (
			conn,
			"INSERT INTO patient_identifiers (clinic_id, system, blind_index, "
			"patient_id) VALUES ($1, $2, $3, $4)",
			4, values, error);
		if (res == NULL)
			return FALSE;
	}
	return TRUE;
}

/* ---- create -------------------------------------------------------------------------------- */

static gboolean
create_txn (PGconn *conn, gpointer data, GError **error)
{
	MvPatientOp *op = mv_patient_op_begin (data);
	g_autoptr (MvSecret) kek = NULL;
	g_autoptr (MvSecret) dek = NULL;
	g_autoptr (GBytes) wrapped_dek = NULL;
	g_autoptr (JsonNode) profile = json_node_init_object (json_node_alloc (), op->input);
	MvRecordRef ref = mv_patient_op_profile (op);
	g_autofree gchar *index = NULL;
	g_autofree gchar *dek_text = NULL;
	g_autoptr (PGresult) res = NULL;

	kek = mv_record_keys_clinic_kek (mv_patient_op_vault (op), conn, op->clinic_id, TRUE,
					 error);
	if (kek == NULL)
		return FALSE;
	index = mv_record_keys_mrn_index (kek, op->clinic_id,
					  json_object_get_string_member (op->input, "mrn"), error);
	if (index == NULL)
		return FALSE;
	wrapped_dek = mv_vault_new_dek (kek, op->clinic_id, op->patient_id, &dek, error);
	if (wrapped_dek == NULL)
		return FALSE;
	dek_text = mv_db_bytea_bytes_to_text (wrapped_dek);
	if (!lock_mrn_index (conn, op->clinic_id, index, error))
		return FALSE;
	{
		const gchar *values[] = { op->clinic_id, op->patient_id, dek_text, index };
		/* no row back: the record number is taken */
		res = mv_db_exec_params (
			conn,
			"INSERT INTO patients (clinic_id, patient_id, wrapped_dek, "
			"mrn_index, version) VALUES ($1, $2, $3, $4, 1) "
			"ON CONFLICT (clinic_id, mrn_index) DO NOTHING RETURNING patient_id",
			4, values, error);
		if (res == NULL) {
			explain_mrn_conflict (error);
			return FALSE;
		}
		if (PQntuples (res) == 0) {
			set_conflict (error, "/mrn", TRUE);
			return FALSE;
		}
	}
	if (!write_identifiers (conn, op, kek, op->input, error))
		return FALSE;
	if (!mv_sealed_record_insert (conn, &ref, dek, 1, profile, error))
		return FALSE;
	op->version = 1;
	/* the version and the change-feed row after the audit entry (mv-clinical-history.h) */
	return mv_patient_op_audit (conn, op, "patient.create", error)
	       && mv_clinical_profile_written (conn, dek, op->clinic_id, op->patient_id, 1, profile,
					       op->caller, error);
}

gchar *
mv_patient_store_create (MvPatientStore *store,
			 const MvAuthContext *caller,
			 const gchar *request_id,
			 JsonObject *profile,
			 guint64 *version_out,
			 GError **error)
{
	g_autofree gchar *patient_id = g_uuid_string_random ();
	g_auto (MvPatientOp) op = { 0 };

	if (!mv_patient_op_init (&op, store, caller, request_id,
				 "a patient key cannot create patients", NULL, error))
		return NULL;
	if (profile == NULL) {
		mv_error_add_problem (error, "", "required", "a profile is required",
				      "必须提供患者资料");
		return NULL;
	}
	if (!mv_patient_profile_validate (profile, NULL, error))
		return NULL;
	mv_patient_profile_normalise (profile);
	op.patient_id = patient_id;
	op.input = profile;
	if (!mv_patient_op_run (&op, create_txn, error))
		return NULL;
	if (version_out != NULL)
		*version_out = op.version;
	return g_steal_pointer (&patient_id);
}

/* ---- read --------------------------------------------------------------------------------- */

static gboolean
get_txn (PGconn *conn, gpointer data, GError **error)
{
	MvPatientOp *op = mv_patient_op_begin (data);
	g_auto (MvPatientKeys) keys = { 0 };
	g_autoptr (MvSealedRecord) profile = NULL;
	MvRecordRef ref = mv_patient_op_profile (op);

	if (!mv_patient_keys_load (mv_patient_op_vault (op), conn, op->clinic_id, op->patient_id,
				   FALSE, &keys, error))
		return FALSE;
	profile = mv_sealed_record_read (conn, &ref, keys.dek, keys.version, error);
	if (profile == NULL)
		return FALSE;
	op->result = json_object_ref (json_node_get_object (profile->data));
	op->version = keys.version;
	return mv_patient_op_audit (conn, op, "patient.read", error);
}

JsonObject *
mv_patient_store_get (MvPatientStore *store,
		      const MvAuthContext *caller,
		      const gchar *request_id,
		      const gchar *patient_id,
		      guint64 *version_out,
		      GError **error)
{
	g_auto (MvPatientOp) op = { 0 };

	if (!mv_patient_op_init (&op, store, caller, request_id, NULL, patient_id, error))
		return NULL;
	if (!mv_patient_op_run (&op, get_txn, error))
		return NULL;
	if (version_out != NULL)
		*version_out = op.version;
	return g_steal_pointer (&op.result);
}

/* ---- update ------------------------------------------------------------------------------- */

static gboolean
update_txn (PGconn *conn, gpointer data, GError **error)
{
	MvPatientOp *op = mv_patient_op_begin (data);
	g_auto (MvPatientKeys) keys = { 0 };
	g_autoptr (MvSealedRecord) current = NULL;
	g_autoptr (JsonNode) patch_node = NULL;
	g_autoptr (JsonNode) merged = NULL;
	MvRecordRef ref = mv_patient_op_profile (op);
	g_autofree gchar *index = NULL;
	g_autofree gchar *version_text = NULL;
	g_autoptr (PGresult) res = NULL;
	JsonObject *profile;

	if (!mv_patient_keys_load (mv_patient_op_vault (op), conn, op->clinic_id, op->patient_id,
				   TRUE, &keys, error))
		return FALSE;
	if (keys.version != op->if_match) {
		g_set_error (error, MV_ERROR, MV_ERROR_PRECONDITION_FAILED,
			     "the patient changed: it is at version %" G_GUINT64_FORMAT
			     ", not %" G_GUINT64_FORMAT "; read it again",
			     keys.version, op->if_match);
		return FALSE;
	}
	current = mv_sealed_record_read (conn, &ref, keys.dek, keys.version, error);
	if (current == NULL)
		return FALSE;
	patch_node = json_node_init_object (json_node_alloc (), op->input);
	merged = mv_json_merge_patch (current->data, patch_node);
	profile = json_node_get_object (merged);
	if (!mv_patient_profile_validate (profile, NULL, error))
		return FALSE;
	mv_patient_profile_normalise (profile);
	/* an empty patch, or one that changes nothing: no version is written, the ETag stays */
	if (json_node_equal (merged, current->data)) {
		op->version = keys.version;
		op->result = json_object_ref (profile);
		return mv_patient_op_audit (conn, op, "patient.read", error);
	}
	index = mv_record_keys_mrn_index (keys.kek, op->clinic_id,
					  json_object_get_string_member (profile, "mrn"), error);
	if (index == NULL)
		return FALSE;
	if (!lock_mrn_index (conn, op->clinic_id, index, error))
		return FALSE;
	{
		const gchar *values[] = { op->clinic_id, index, op->patient_id };
		g_autoptr (PGresult) taken = mv_db_exec_params (
			conn,
			"SELECT 1 FROM patients WHERE clinic_id = $1 AND mrn_index = $2 "
			"AND patient_id <> $3",
			3, values, error);
		if (taken == NULL)
			return FALSE;
		if (PQntuples (taken) > 0) {
			set_conflict (error, "/mrn", TRUE);
			return FALSE;
		}
	}
	op->version = keys.version + 1;
	version_text = g_strdup_printf ("%" G_GUINT64_FORMAT, op->version);
	{
		const gchar *values[] = { op->clinic_id, op->patient_id, version_text, index };
		res = mv_db_exec_params (
			conn,
			"UPDATE patients SET version = $3, mrn_index = $4, "
			"updated_at = now() WHERE clinic_id = $1 AND patient_id = $2",
			4, values, error);
		if (res == NULL) {
			explain_mrn_conflict (error);
			return FALSE;
		}
	}
	if (!write_identifiers (conn, op, keys.kek, profile, error))
		return FALSE;
	if (!mv_sealed_record_update (conn, &ref, keys.dek, op->version, merged, error))
		return FALSE;
	op->result = json_object_ref (profile);
	return mv_patient_op_audit (conn, op, "patient.update", error)
	       && mv_clinical_profile_written (conn, keys.dek, op->clinic_id, op->patient_id,
					       op->version, merged, op->caller, error);
}

JsonObject *
mv_patient_store_update (MvPatientStore *store,
			 const MvAuthContext *caller,
			 const gchar *request_id,
			 const gchar *patient_id,
			 JsonObject *patch,
			 guint64 if_match,
			 guint64 *version_out,
			 GError **error)
{
	g_auto (MvPatientOp) op = { 0 };

	if (!mv_patient_op_init (&op, store, caller, request_id, NULL, patient_id, error))
		return NULL;
	if (patch == NULL) {
		mv_error_add_problem (error, "", "required", "a patch is required",
				      "必须提供修改内容");
		return NULL;
	}
	if (!mv_patient_profile_check_patch (patch, error))
		return NULL;
	op.input = patch;
	op.if_match = if_match;
	if (!mv_patient_op_run (&op, update_txn, error))
		return NULL;
	if (version_out != NULL)
		*version_out = op.version;
	return g_steal_pointer (&op.result);
}

/* ---- delete (crypto-shredding) -------------------------------------------------------------- */

static const gchar *const shred_reasons[] = {
	"patient-request",
	"legal-order",
	"duplicate-registration",
	"retention-expired",
};

gboolean
mv_patient_shred_reason_is_valid (const gchar *reason)
{
	for (guint i = 0; reason != NULL && i < G_N_ELEMENTS (shred_reasons); i++) {
		if (strcmp (reason, shred_reasons[i]) == 0)
			return TRUE;
	}
	return FALSE;
}

/* The retention period in years ([records] retention-years); without a configuration (tools,
 * unit tests built on a zeroed one) the configuration's own zero. */
static guint
retention_years (MvPatientOp *op)
{
	const MvConfig *config = op->store->services->config;
	return config != NULL ? config->records_retention_years : 0;
}

/* The patient's row locked, its version checked against the If-Match and, unless forced, its
 * retention period: inside it op->retained_until is set and nothing is shredded.  The period
 * runs from updated_at, the patient's last change (docs/operations.md, "Retention"). */
/* clang-format off */
/* The patient row, locked, and whether its retention period still runs: the last change is the
 * profile's or any clinical record's, whichever is later. */
static const gchar lock_for_delete_sql[]
	= "SELECT version, last + make_interval(years => $3::int) > now(), "
	  MV_DB_SQL_UTC ("last + make_interval(years => $3::int)")
	" FROM (SELECT p.version, GREATEST(p.updated_at, (SELECT max(r.updated_at) FROM records r"
	" WHERE r.clinic_id = $1 AND r.patient_id = $2)) AS last FROM patients p"
	" WHERE p.clinic_id = $1 AND p.patient_id = $2 AND p.deleted_at IS NULL"
	" FOR UPDATE OF p) AS locked";

/* clang-format on */

/* The VR recommender's training copies of the patient's sessions (0011_vr.sql) are keyed by a
 * pseudonym only the clinic's KEK can compute: computed here, they go with the patient (a
 * sealed outcome under a clinic key would otherwise outlive the erasure). */
static gboolean
forget_vr_training (PGconn *conn, MvPatientOp *op, GError **error)
{
	g_autoptr (MvSecret) kek = mv_record_keys_clinic_kek (mv_patient_op_vault (op), conn,
							      op->clinic_id, FALSE, error);
	g_autofree gchar *pseudonym = NULL;
	g_autoptr (PGresult) res = NULL;

	if (kek == NULL)
		return FALSE;
	pseudonym
		= mv_record_keys_pseudonym (kek, MV_RECORD_KEYS_VR_PSEUDONYM_LABEL, op->patient_id);
	res = mv_db_exec_params (conn,
				 "DELETE FROM vr_training WHERE clinic_id = $1 AND pseudonym = $2",
				 2, (const gchar *const[]){ op->clinic_id, pseudonym }, error);
	return res != NULL;
}

static gboolean
lock_for_delete (PGconn *conn, MvPatientOp *op, GError **error)
{
	g_autofree gchar *years = g_strdup_printf ("%u", op->force ? 0 : retention_years (op));
	const gchar *values[] = { op->clinic_id, op->patient_id, years };
	g_autoptr (PGresult) lock = NULL;
	guint64 version = 0;

	/* no key is needed to shred: a patient whose key no longer opens can still be deleted */
	lock = mv_db_exec_params (conn, lock_for_delete_sql, 3, values, error);
	if (lock == NULL)
		return FALSE;
	if (PQntuples (lock) != 1) {
		mv_set_error_bilingual (error, MV_ERROR_NOT_FOUND, "no such patient", "没有该患者");
		return FALSE;
	}
	if (!mv_record_parse_version (PQgetvalue (lock, 0, 0), &version))
		version = 0;
	op->version = version;
	if (op->if_match != 0 && version != op->if_match) {
		g_set_error (error, MV_ERROR, MV_ERROR_PRECONDITION_FAILED,
			     "the patient changed: it is at version %s, not %" G_GUINT64_FORMAT
			     "; read it again",
			     PQgetvalue (lock, 0, 0), op->if_match);
		return FALSE;
	}
	if (strcmp (years, "0") != 0 && strcmp (PQgetvalue (lock, 0, 1), "t") == 0)
		op->retained_until = g_strdup (PQgetvalue (lock, 0, 2));
	return TRUE;
}

static gboolean
delete_txn (PGconn *conn, gpointer data, GError **error)
{
	MvPatientOp *op = mv_patient_op_begin (data);
	const gchar *values[] = { op->clinic_id, op->patient_id, op->reason };
	g_autoptr (PGresult) r1 = NULL;
	g_autoptr (PGresult) r2 = NULL;
	g_autofree gchar *action = NULL;

	if (!lock_for_delete (conn, op, error))
		return FALSE;
	if (op->retained_until != NULL) {
		/* refused, and the refusal committed: who tried to erase whom, and why */
		action = g_strdup_printf ("patient.delete-refused.%s", op->reason);
		return mv_patient_op_audit (conn, op, action, error);
	}
	r1 = mv_db_exec_params (
		conn, "DELETE FROM patient_records WHERE clinic_id = $1 AND patient_id = $2", 2,
		values, error);
	if (r1 == NULL)
		return FALSE;
	{
		/* the identifiers' blind indexes go with the key: nothing links a shredded
		 * patient to a number any more */
		g_autoptr (PGresult) r = mv_db_exec_params (
			conn,
			"DELETE FROM patient_identifiers WHERE clinic_id = $1 AND patient_id = $2",
			2, values, error);
		if (r == NULL)
			return FALSE;
	}
	r2 = mv_db_exec_params (conn,
				"UPDATE patients SET wrapped_dek = NULL, mrn_index = NULL, "
				"deleted_at = now(), updated_at = now(), deletion_reason = $3 "
				"WHERE clinic_id = $1 AND patient_id = $2",
				3, values, error);
	if (r2 == NULL)
		return FALSE;
	/* a shredded patient's keys and invites must not outlive it */
	if (!mv_auth_revoke_patient_keys (conn, op->clinic_id, op->patient_id, error))
		return FALSE;
	if (!forget_vr_training (conn, op, error))
		return FALSE;
	action = g_strdup_printf (op->force ? "patient.delete-forced.%s" : "patient.delete.%s",
				  op->reason);
	/* its clinical records and versions go with it, one 'deleted' change stays */
	return mv_patient_op_audit (conn, op, action, error)
	       && mv_clinical_patient_shredded (conn, op->clinic_id, op->patient_id,
						MAX (op->version, 1), error);
}

gboolean
mv_patient_shred_reason_check (const gchar *reason, GError **error)
{
	if (reason == NULL) {
		mv_error_add_problem (error, "/reason", "required",
				      "is required, one of " MV_PATIENT_SHRED_REASONS,
				      "必填，取值为 " MV_PATIENT_SHRED_REASONS " 之一");
		return FALSE;
	}
	if (!mv_patient_shred_reason_is_valid (reason)) {
		mv_error_add_problem (error, "/reason", "invalid-code",
				      "not a reason code; one of " MV_PATIENT_SHRED_REASONS,
				      "不是有效的原因代码，取值为 " MV_PATIENT_SHRED_REASONS
				      " 之一");
		return FALSE;
	}
	return TRUE;
}

/* Runs the shredding of @op and, when it was refused inside the retention period (the
 * refusal's audit entry committed), fails with the period's end. */
static gboolean
run_delete (MvPatientOp *op, GError **error)
{
	g_autofree gchar *en = NULL;
	g_autofree gchar *zh = NULL;

	if (!mv_patient_op_run (op, delete_txn, error))
		return FALSE;
	if (op->retained_until != NULL) {
		en = g_strdup_printf (
			"the patient's record is under retention until %s (%u years after its last "
			"change, [records] retention-years): it cannot be erased before then; the "
			"operator can force the erasure (DELETE "
			"/v1/admin/tenants/{clinic}/patients/{id}?reason=…&force=true)",
			op->retained_until, retention_years (op));
		zh = g_strdup_printf (
			"该患者的病历在保存期内，保存期至 %s 止（自最后一次修改起 %u "
			"年，[records] retention-years）：此前不能删除；如确需删除，"
			"须由运维人员强制执行（DELETE "
			"/v1/admin/tenants/{clinic}/patients/{id}?reason=…&force=true）",
			op->retained_until, retention_years (op));
		mv_set_error_bilingual (error, MV_ERROR_CONFLICT, en, zh);
		return FALSE;
	}
	/* the patient's keys were revoked with it: not one more request on a remembered key */
	if (op->store->services->auth != NULL)
		mv_auth_forget_known_keys (op->store->services->auth);
	return TRUE;
}

gboolean
mv_patient_store_delete (MvPatientStore *store,
			 const MvAuthContext *caller,
			 const gchar *request_id,
			 const gchar *patient_id,
			 const gchar *reason,
			 guint64 if_match,
			 GError **error)
{
	g_auto (MvPatientOp) op = { 0 };

	if (!mv_patient_op_init (&op, store, caller, request_id,
				 "a patient key cannot delete patients", NULL, error))
		return FALSE;
	if (caller->role != MV_ROLE_CLINIC_ADMIN) {
		mv_set_error_bilingual (
			error, MV_ERROR_FORBIDDEN,
			"clinicians mark records entered-in-error; erasing a patient "
			"(crypto-shredding) is a clinic-admin action",
			"临床人员只能将记录标记为“录入错误”；删除患者（加密销毁）须由诊所管理员执"
			"行");
		return FALSE;
	}
	if (!mv_patient_shred_reason_check (reason, error))
		return FALSE;
	/* the patient last: a clinician or a bad reason is refused whatever the id */
	op.owned_patient_id = mv_patient_id_normalise (patient_id);
	op.patient_id = op.owned_patient_id;
	if (op.patient_id == NULL) {
		mv_set_error_bilingual (error, MV_ERROR_NOT_FOUND, "no such patient", "没有该患者");
		return FALSE;
	}
	op.if_match = if_match;
	op.reason = reason;
	return run_delete (&op, error);
}

gboolean
mv_patient_store_force_delete (MvPatientStore *store,
			       const MvAuthContext *caller,
			       const gchar *request_id,
			       const gchar *clinic_id,
			       const gchar *patient_id,
			       const gchar *reason,
			       GError **error)
{
	g_auto (MvPatientOp) op = { 0 };
	g_autofree gchar *clinic = mv_patient_id_normalise (clinic_id);

	if (caller == NULL || caller->role != MV_ROLE_OPERATOR) {
		mv_set_error_bilingual (error, MV_ERROR_FORBIDDEN,
					"only the operator can force an erasure",
					"只有运维人员可以强制删除");
		return FALSE;
	}
	if (!mv_patient_shred_reason_check (reason, error))
		return FALSE;
	op.store = store;
	op.caller = caller;
	op.request_id = request_id;
	op.clinic_id = clinic;
	op.owned_patient_id = mv_patient_id_normalise (patient_id);
	op.patient_id = op.owned_patient_id;
	if (clinic == NULL || op.patient_id == NULL) {
		mv_set_error_bilingual (error, MV_ERROR_NOT_FOUND, "no such patient", "没有该患者");
		return FALSE;
	}
	op.reason = reason;
	op.force = TRUE;
	return run_delete (&op, error);
}

/* ---- invites ------------------------------------------------------------------------------- */

static gboolean
invite_txn (PGconn *conn, gpointer data, GError **error)
{
	MvPatientOp *op = mv_patient_op_begin (data);
	const gchar *values[] = { op->clinic_id, op->patient_id };
	g_autoptr (PGresult) res = NULL;
	g_autofree gchar *code = NULL;
	g_autofree gchar *expires_at = NULL;

	/* the patient must be live in the caller's clinic; lock it against a concurrent delete */
	res = mv_db_exec_params (conn,
				 "SELECT 1 FROM patients WHERE clinic_id = $1 AND patient_id = $2 "
				 "AND deleted_at IS NULL FOR SHARE",
				 2, values, error);
	if (res == NULL)
		return FALSE;
	if (PQntuples (res) != 1) {
		mv_set_error_bilingual (error, MV_ERROR_NOT_FOUND, "no such patient", "没有该患者");
		return FALSE;
	}
	if (!mv_auth_create_patient_invite (
		    conn, op->store->services->signer, op->store->services->witness, op->caller,
		    op->patient_id, op->request_id, &code, &expires_at, error))
		return FALSE;
	op->result = json_object_new ();
	json_object_set_string_member (op->result, "code", code);
	json_object_set_string_member (op->result, "expires_at", expires_at);
	json_object_set_string_member (op->result, "patient_id", op->patient_id);
	sodium_memzero (code, strlen (code));
	return TRUE;
}

JsonObject *
mv_patient_store_create_invite (MvPatientStore *store,
				const MvAuthContext *caller,
				const gchar *request_id,
				const gchar *patient_id,
				GError **error)
{
	g_auto (MvPatientOp) op = { 0 };

	if (!mv_patient_op_init (&op, store, caller, request_id, "a patient key cannot invite",
				 patient_id, error))
		return NULL;
	if (!mv_patient_op_run (&op, invite_txn, error))
		return NULL;
	return g_steal_pointer (&op.result);
}
