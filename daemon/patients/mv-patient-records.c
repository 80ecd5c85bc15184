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

#define MRN_CONFLICT_MESSAGE                                                                       \
	"mrn: another patient of this clinic already has this medical record number"

/* A unique violation on insert/update of patients can only be the MRN index (the patient id is
 * a fresh random UUID).  The statements below avoid raising it (a server's log would keep the
 * index in the violation's DETAIL); this is for whatever still gets through. */
static void
explain_mrn_conflict (GError *error)
{
	if (mv_db_error_is_unique_violation (error)) {
		g_free (error->message);
		error->message = g_strdup (MRN_CONFLICT_MESSAGE);
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
			explain_mrn_conflict (*error);
			return FALSE;
		}
		if (PQntuples (res) == 0) {
			g_set_error_literal (error, MV_ERROR, MV_ERROR_CONFLICT,
					     MRN_CONFLICT_MESSAGE);
			return FALSE;
		}
	}
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
		g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT, "profile: is required");
		return NULL;
	}
	if (!mv_patient_profile_validate (profile, NULL, error))
		return NULL;
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
			g_set_error_literal (error, MV_ERROR, MV_ERROR_CONFLICT,
					     MRN_CONFLICT_MESSAGE);
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
			explain_mrn_conflict (*error);
			return FALSE;
		}
	}
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
		g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT, "patch: is required");
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

static gboolean
delete_txn (PGconn *conn, gpointer data, GError **error)
{
	MvPatientOp *op = mv_patient_op_begin (data);
	const gchar *values[] = { op->clinic_id, op->patient_id };
	g_autoptr (PGresult) lock = NULL;
	g_autoptr (PGresult) r1 = NULL;
	g_autoptr (PGresult) r2 = NULL;
	guint64 version = 0;

	/* no key is needed to shred: a patient whose key no longer opens can still be deleted */
	lock = mv_db_exec_params (conn,
				  "SELECT version FROM patients WHERE clinic_id = $1 AND "
				  "patient_id = $2 AND deleted_at IS NULL FOR UPDATE",
				  2, values, error);
	if (lock == NULL)
		return FALSE;
	if (PQntuples (lock) != 1) {
		g_set_error (error, MV_ERROR, MV_ERROR_NOT_FOUND, "no such patient");
		return FALSE;
	}
	if (op->if_match != 0
	    && (!mv_record_parse_version (PQgetvalue (lock, 0, 0), &version)
		|| version != op->if_match)) {
		g_set_error (error, MV_ERROR, MV_ERROR_PRECONDITION_FAILED,
			     "the patient changed: it is at version %s, not %" G_GUINT64_FORMAT
			     "; read it again",
			     PQgetvalue (lock, 0, 0), op->if_match);
		return FALSE;
	}
	r1 = mv_db_exec_params (
		conn, "DELETE FROM patient_records WHERE clinic_id = $1 AND patient_id = $2", 2,
		values, error);
	if (r1 == NULL)
		return FALSE;
	r2 = mv_db_exec_params (conn,
				"UPDATE patients SET wrapped_dek = NULL, mrn_index = NULL, "
				"deleted_at = now(), updated_at = now() "
				"WHERE clinic_id = $1 AND patient_id = $2",
				2, values, error);
	if (r2 == NULL)
		return FALSE;
	/* a shredded patient's keys and invites must not outlive it */
	if (!mv_auth_revoke_patient_keys (conn, op->clinic_id, op->patient_id, error))
		return FALSE;
	/* its clinical records and versions go with it, one 'deleted' change stays */
	if (version == 0 && !mv_record_parse_version (PQgetvalue (lock, 0, 0), &version))
		version = 1;
	return mv_patient_op_audit (conn, op, "patient.delete", error)
	       && mv_clinical_patient_shredded (conn, op->clinic_id, op->patient_id, version,
						error);
}

gboolean
mv_patient_store_delete (MvPatientStore *store,
			 const MvAuthContext *caller,
			 const gchar *request_id,
			 const gchar *patient_id,
			 guint64 if_match,
			 GError **error)
{
	g_auto (MvPatientOp) op = { 0 };

	if (!mv_patient_op_init (&op, store, caller, request_id,
				 "a patient key cannot delete patients", patient_id, error))
		return FALSE;
	op.if_match = if_match;
	if (!mv_patient_op_run (&op, delete_txn, error))
		return FALSE;
	/* the patient's keys were revoked with it: not one more request on a remembered key */
	if (store->services->auth != NULL)
		mv_auth_forget_known_keys (store->services->auth);
	return TRUE;
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
		g_set_error (error, MV_ERROR, MV_ERROR_NOT_FOUND, "no such patient");
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
