/* The encrypted patient store: see mv-patient-store.h. */
#define G_LOG_DOMAIN "medverse-patients"

#include "mv-patient-store.h"

#include <medverse/mv-error.h>
#include <sodium.h>
#include <string.h>

#include "../audit/mv-audit-log.h"
#include "../auth/mv-auth.h"
#include "mv-crypto.h"
#include "mv-db.h"
#include "mv-patient-profile.h"

struct _MvPatientStore {
	MvServices *services;
};

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

/* ---- helpers ----------------------------------------------------------------------------- */

/* Plaintext JSON of patient data: wiped before it is freed. */
static void
wipe_free (gchar *s)
{
	if (s == NULL)
		return;
	sodium_memzero (s, strlen (s));
	g_free (s);
}

typedef gchar WipedString;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WipedString, wipe_free)

/* The caller's clinic, or an error: patient data belongs to a clinic. */
static const gchar *
caller_clinic (const MvAuthContext *caller, GError **error)
{
	if (caller == NULL || caller->clinic_id == NULL || caller->clinic_id[0] == '\0') {
		g_set_error (error, MV_ERROR, MV_ERROR_FORBIDDEN,
			     "patient data can only be reached with a key of its clinic");
		return NULL;
	}
	return caller->clinic_id;
}

/* The patient id the caller may reach: canonical, and for a patient key its own only. */
static gchar *
caller_patient (const MvAuthContext *caller, const gchar *patient_id, GError **error)
{
	g_autofree gchar *id = mv_patient_id_normalise (patient_id);

	if (id == NULL
	    || (caller->role == MV_ROLE_PATIENT
		&& g_ascii_strcasecmp (id, caller->patient_id != NULL ? caller->patient_id : "")
			   != 0)) {
		g_set_error (error, MV_ERROR, MV_ERROR_NOT_FOUND, "no such patient");
		return NULL;
	}
	return g_steal_pointer (&id);
}

/* The clinic KEK.  Writers (and the MRN search) pass @lock: FOR SHARE makes them wait for a
 * clinic-key rotation (which holds the row FOR NO KEY UPDATE) and then read the new KEK, so no DEK
 * is wrapped, and no blind index computed, under a KEK the rotation has just replaced. */
static MvSecret *
clinic_kek (
	MvPatientStore *store, PGconn *conn, const gchar *clinic_id, gboolean lock, GError **error)
{
	const gchar *values[] = { clinic_id };
	g_autoptr (PGresult) res = NULL;
	g_autoptr (GBytes) wrapped = NULL;

	res = mv_db_exec_params (
		conn,
		lock ? "SELECT wrapped_kek FROM clinics WHERE clinic_id = $1 FOR SHARE"
		     : "SELECT wrapped_kek FROM clinics WHERE clinic_id = $1",
		1, values, error);
	if (res == NULL)
		return NULL;
	if (PQntuples (res) != 1) {
		g_set_error (error, MV_ERROR, MV_ERROR_FORBIDDEN, "clinic %s does not exist",
			     clinic_id);
		return NULL;
	}
	wrapped = mv_db_bytea_from_text (PQgetvalue (res, 0, 0));
	return mv_vault_unwrap_kek (mv_services_get_vault (store->services), clinic_id, wrapped,
				    error);
}

static gboolean
parse_u64 (const gchar *text, guint64 *out)
{
	return g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT64, out, NULL);
}

/* The live patient row, locked when @lock: its DEK (unwrapped) and version. */
typedef struct {
	MvSecret *kek;
	MvSecret *dek;
	guint64 version;
	gchar *created_at;
	gchar *updated_at;
} PatientKeys;

static void
patient_keys_clear (PatientKeys *keys)
{
	g_clear_pointer (&keys->kek, mv_secret_free);
	g_clear_pointer (&keys->dek, mv_secret_free);
	g_clear_pointer (&keys->created_at, g_free);
	g_clear_pointer (&keys->updated_at, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PatientKeys, patient_keys_clear)

static gboolean
load_patient (MvPatientStore *store,
	      PGconn *conn,
	      const gchar *clinic_id,
	      const gchar *patient_id,
	      gboolean lock,
	      PatientKeys *keys,
	      GError **error)
{
	const gchar *values[] = { clinic_id, patient_id };
	g_autoptr (PGresult) res = NULL;
	g_autoptr (GBytes) wrapped = NULL;
	g_autoptr (GBytes) wrapped_kek = NULL;

	/* A writer locks the clinic before the patient, in the order a clinic-key rotation
	 * takes them (no deadlock).  A reader reads the wrapped KEK and DEK in one statement, so
	 * both come from one snapshot: before a rotation or after it, never half of each. */
	if (lock) {
		keys->kek = clinic_kek (store, conn, clinic_id, TRUE, error);
		if (keys->kek == NULL)
			return FALSE;
	}
	res = mv_db_exec_params (
		conn,
		lock ? "SELECT p.wrapped_dek, p.version, " MV_DB_SQL_UTC (
			"p.created_at") ", " MV_DB_SQL_UTC ("p.updated_at") ", NULL "
									    "FROM patients p WHERE "
									    "p.clinic_id = $1 AND "
									    "p.patient_id = $2 AND "
									    "p.deleted_at IS NULL "
									    "FOR UPDATE"
		     : "SELECT p.wrapped_dek, p.version, " MV_DB_SQL_UTC (
			     "p.created_at") ", " MV_DB_SQL_UTC ("p.updated_at") ", c.wrapped_kek "
										 "FROM patients p "
										 "JOIN clinics c "
										 "ON c.clinic_id = "
										 "p.clinic_id "
										 "WHERE "
										 "p.clinic_id = $1 "
										 "AND p.patient_id "
										 "= $2 AND "
										 "p.deleted_at IS "
										 "NULL",
		2, values, error);
	if (res == NULL)
		return FALSE;
	if (PQntuples (res) != 1) {
		g_set_error (error, MV_ERROR, MV_ERROR_NOT_FOUND, "no such patient");
		return FALSE;
	}
	if (!parse_u64 (PQgetvalue (res, 0, 1), &keys->version)) {
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY, "patient %s: bad version",
			     patient_id);
		return FALSE;
	}
	keys->created_at = g_strdup (PQgetvalue (res, 0, 2));
	keys->updated_at = g_strdup (PQgetvalue (res, 0, 3));
	if (!lock) {
		wrapped_kek = mv_db_bytea_from_text (PQgetvalue (res, 0, 4));
		keys->kek = mv_vault_unwrap_kek (mv_services_get_vault (store->services), clinic_id,
						 wrapped_kek, error);
		if (keys->kek == NULL)
			return FALSE;
	}
	wrapped = mv_db_bytea_from_text (PQgetvalue (res, 0, 0));
	keys->dek = mv_vault_unwrap_dek (keys->kek, clinic_id, patient_id, wrapped, error);
	return keys->dek != NULL;
}

/* Opens the sealed profile of the patient, checking its version is the row's. */
static JsonObject *
open_profile (PGconn *conn,
	      const gchar *clinic_id,
	      const gchar *patient_id,
	      const PatientKeys *keys,
	      GError **error)
{
	const gchar *values[] = { clinic_id, patient_id, MV_PATIENT_RECORD_PROFILE };
	g_autoptr (PGresult) res = NULL;
	g_autoptr (GBytes) blob = NULL;
	g_autoptr (GBytes) plain = NULL;
	g_autoptr (JsonParser) parser = json_parser_new ();
	guint64 version = 0;
	gsize len = 0;
	const gchar *data;

	res = mv_db_exec_params (conn,
				 "SELECT version, blob FROM patient_records "
				 "WHERE clinic_id = $1 AND patient_id = $2 AND kind = $3",
				 3, values, error);
	if (res == NULL)
		return NULL;
	if (PQntuples (res) != 1 || !parse_u64 (PQgetvalue (res, 0, 0), &version)
	    || version != keys->version) {
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
			     "profile record of patient %s in clinic %s is missing or not at the "
			     "patient's version %" G_GUINT64_FORMAT,
			     patient_id, clinic_id, keys->version);
		return NULL;
	}
	blob = mv_db_bytea_from_text (PQgetvalue (res, 0, 1));
	plain = mv_vault_open (keys->dek, clinic_id, patient_id, MV_PATIENT_RECORD_PROFILE,
			       keys->version, blob, error);
	if (plain == NULL)
		return NULL;
	data = g_bytes_get_data (plain, &len);
	if (!json_parser_load_from_data (parser, data, (gssize)len, NULL)
	    || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))) {
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
			     "profile record of patient %s in clinic %s is not a JSON object",
			     patient_id, clinic_id);
		return NULL;
	}
	return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static GBytes *
seal_profile (MvSecret *dek,
	      const gchar *clinic_id,
	      const gchar *patient_id,
	      guint64 version,
	      JsonObject *profile,
	      GError **error)
{
	g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), profile);
	g_autoptr (WipedString) text = json_to_string (node, FALSE);

	return mv_vault_seal (dek, clinic_id, patient_id, MV_PATIENT_RECORD_PROFILE, version,
			      (const guint8 *)text, strlen (text), error);
}

static gchar *
mrn_index (MvSecret *kek, const gchar *clinic_id, const gchar *mrn, GError **error)
{
	g_autoptr (MvSecret) index_key = mv_vault_derive_index_key (kek);
	gchar *index = mv_vault_blind_index (index_key, clinic_id, mrn, error);

	if (index == NULL)
		g_prefix_error (error, "mrn: ");
	return index;
}

/* A unique violation on insert/update of patients can only be the MRN index (the patient id is
 * a fresh random UUID). */
static void
explain_mrn_conflict (GError *error)
{
	if (mv_db_error_is_unique_violation (error)) {
		g_free (error->message);
		error->message = g_strdup ("mrn: another patient of this clinic already has this "
					   "medical record number");
	}
}

static gboolean
audit (PGconn *conn,
       const MvAuthContext *caller,
       const gchar *action,
       const gchar *patient_id,
       const gchar *request_id,
       GError **error)
{
	return mv_audit_log_append (conn, caller, caller->clinic_id, action, "patient", patient_id,
				    request_id, error);
}

/* ---- create -------------------------------------------------------------------------------- */

typedef struct {
	MvPatientStore *store;
	const MvAuthContext *caller;
	const gchar *request_id;
	const gchar *clinic_id;
	const gchar *patient_id;
	JsonObject *input; /* profile or patch */
	guint64 if_match;  /* 0: none */
	const gchar *mrn;  /* search */
	/* out */
	guint64 version;
	JsonObject *result;
	gchar *found_id;
} Op;

static void
op_clear (Op *op)
{
	g_clear_pointer (&op->result, json_object_unref);
	g_clear_pointer (&op->found_id, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Op, op_clear)

/* A transaction may run again after a deadlock (mv_db_transaction()): each starts afresh. */
static Op *
op_begin (gpointer data)
{
	Op *op = data;
	op_clear (op);
	op->version = 0;
	return op;
}

static gboolean
create_txn (PGconn *conn, gpointer data, GError **error)
{
	Op *op = op_begin (data);
	g_autoptr (MvSecret) kek = NULL;
	g_autoptr (MvSecret) dek = NULL;
	g_autoptr (GBytes) wrapped_dek = NULL;
	g_autoptr (GBytes) blob = NULL;
	g_autofree gchar *index = NULL;
	g_autofree gchar *dek_text = NULL;
	g_autofree gchar *blob_text = NULL;
	g_autoptr (PGresult) r1 = NULL;
	g_autoptr (PGresult) r2 = NULL;

	kek = clinic_kek (op->store, conn, op->clinic_id, TRUE, error);
	if (kek == NULL)
		return FALSE;
	index = mrn_index (kek, op->clinic_id, json_object_get_string_member (op->input, "mrn"),
			   error);
	if (index == NULL)
		return FALSE;
	wrapped_dek = mv_vault_new_dek (kek, op->clinic_id, op->patient_id, &dek, error);
	if (wrapped_dek == NULL)
		return FALSE;
	blob = seal_profile (dek, op->clinic_id, op->patient_id, 1, op->input, error);
	if (blob == NULL)
		return FALSE;
	dek_text = mv_db_bytea_bytes_to_text (wrapped_dek);
	blob_text = mv_db_bytea_bytes_to_text (blob);
	{
		const gchar *values[] = { op->clinic_id, op->patient_id, dek_text, index };
		r1 = mv_db_exec_params (conn,
					"INSERT INTO patients (clinic_id, patient_id, wrapped_dek, "
					"mrn_index, version) VALUES ($1, $2, $3, $4, 1)",
					4, values, error);
		if (r1 == NULL) {
			explain_mrn_conflict (*error);
			return FALSE;
		}
	}
	{
		const gchar *values[]
			= { op->clinic_id, op->patient_id, MV_PATIENT_RECORD_PROFILE, blob_text };
		r2 = mv_db_exec_params (conn,
					"INSERT INTO patient_records (clinic_id, patient_id, kind, "
					"version, blob) VALUES ($1, $2, $3, 1, $4)",
					4, values, error);
		if (r2 == NULL)
			return FALSE;
	}
	op->version = 1;
	return audit (conn, op->caller, "patient.create", op->patient_id, op->request_id, error);
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
	g_auto (Op) op = { store, caller, request_id };

	op.clinic_id = caller_clinic (caller, error);
	if (op.clinic_id == NULL)
		return NULL;
	if (caller->role == MV_ROLE_PATIENT) {
		g_set_error (error, MV_ERROR, MV_ERROR_FORBIDDEN,
			     "a patient key cannot create patients");
		return NULL;
	}
	if (profile == NULL) {
		g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT, "profile: is required");
		return NULL;
	}
	if (!mv_patient_profile_validate (profile, NULL, error))
		return NULL;
	op.patient_id = patient_id;
	op.input = profile;
	if (!mv_db_transaction (store->services->db, create_txn, &op, error))
		return NULL;
	if (version_out != NULL)
		*version_out = op.version;
	return g_steal_pointer (&patient_id);
}

/* ---- read --------------------------------------------------------------------------------- */

static gboolean
get_txn (PGconn *conn, gpointer data, GError **error)
{
	Op *op = op_begin (data);
	g_auto (PatientKeys) keys = { 0 };

	if (!load_patient (op->store, conn, op->clinic_id, op->patient_id, FALSE, &keys, error))
		return FALSE;
	op->result = open_profile (conn, op->clinic_id, op->patient_id, &keys, error);
	if (op->result == NULL)
		return FALSE;
	op->version = keys.version;
	return audit (conn, op->caller, "patient.read", op->patient_id, op->request_id, error);
}

JsonObject *
mv_patient_store_get (MvPatientStore *store,
		      const MvAuthContext *caller,
		      const gchar *request_id,
		      const gchar *patient_id,
		      guint64 *version_out,
		      GError **error)
{
	g_auto (Op) op = { store, caller, request_id };
	g_autofree gchar *id = NULL;

	op.clinic_id = caller_clinic (caller, error);
	if (op.clinic_id == NULL)
		return NULL;
	id = caller_patient (caller, patient_id, error);
	if (id == NULL)
		return NULL;
	op.patient_id = id;
	if (!mv_db_transaction (store->services->db, get_txn, &op, error))
		return NULL;
	if (version_out != NULL)
		*version_out = op.version;
	return g_steal_pointer (&op.result);
}

/* ---- update ------------------------------------------------------------------------------- */

static gboolean
update_txn (PGconn *conn, gpointer data, GError **error)
{
	Op *op = op_begin (data);
	g_auto (PatientKeys) keys = { 0 };
	g_autoptr (JsonObject) current = NULL;
	g_autoptr (JsonNode) current_node = NULL;
	g_autoptr (JsonNode) patch_node = NULL;
	g_autoptr (JsonNode) merged = NULL;
	g_autoptr (GBytes) blob = NULL;
	g_autofree gchar *blob_text = NULL;
	g_autofree gchar *index = NULL;
	g_autofree gchar *version_text = NULL;
	g_autoptr (PGresult) r1 = NULL;
	g_autoptr (PGresult) r2 = NULL;
	JsonObject *profile;

	if (!load_patient (op->store, conn, op->clinic_id, op->patient_id, TRUE, &keys, error))
		return FALSE;
	if (keys.version != op->if_match) {
		g_set_error (error, MV_ERROR, MV_ERROR_PRECONDITION_FAILED,
			     "the patient changed: it is at version %" G_GUINT64_FORMAT
			     ", not %" G_GUINT64_FORMAT "; read it again",
			     keys.version, op->if_match);
		return FALSE;
	}
	current = open_profile (conn, op->clinic_id, op->patient_id, &keys, error);
	if (current == NULL)
		return FALSE;
	current_node = json_node_init_object (json_node_alloc (), current);
	patch_node = json_node_init_object (json_node_alloc (), op->input);
	merged = mv_json_merge_patch (current_node, patch_node);
	profile = json_node_get_object (merged);
	if (!mv_patient_profile_validate (profile, NULL, error))
		return FALSE;
	index = mrn_index (keys.kek, op->clinic_id, json_object_get_string_member (profile, "mrn"),
			   error);
	if (index == NULL)
		return FALSE;
	op->version = keys.version + 1;
	blob = seal_profile (keys.dek, op->clinic_id, op->patient_id, op->version, profile, error);
	if (blob == NULL)
		return FALSE;
	blob_text = mv_db_bytea_bytes_to_text (blob);
	version_text = g_strdup_printf ("%" G_GUINT64_FORMAT, op->version);
	{
		const gchar *values[] = { op->clinic_id, op->patient_id, version_text, index };
		r1 = mv_db_exec_params (
			conn,
			"UPDATE patients SET version = $3, mrn_index = $4, "
			"updated_at = now() WHERE clinic_id = $1 AND patient_id = $2",
			4, values, error);
		if (r1 == NULL) {
			explain_mrn_conflict (*error);
			return FALSE;
		}
	}
	{
		const gchar *values[] = { op->clinic_id, op->patient_id, MV_PATIENT_RECORD_PROFILE,
					  version_text, blob_text };
		r2 = mv_db_exec_params (conn,
					"UPDATE patient_records SET version = $4, blob = $5, "
					"updated_at = now() "
					"WHERE clinic_id = $1 AND patient_id = $2 AND kind = $3",
					5, values, error);
		if (r2 == NULL)
			return FALSE;
	}
	op->result = json_object_ref (profile);
	return audit (conn, op->caller, "patient.update", op->patient_id, op->request_id, error);
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
	g_auto (Op) op = { store, caller, request_id };
	g_autofree gchar *id = NULL;

	op.clinic_id = caller_clinic (caller, error);
	if (op.clinic_id == NULL)
		return NULL;
	id = caller_patient (caller, patient_id, error);
	if (id == NULL)
		return NULL;
	if (patch == NULL) {
		g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT, "patch: is required");
		return NULL;
	}
	if (!mv_patient_profile_check_patch (patch, error))
		return NULL;
	op.patient_id = id;
	op.input = patch;
	op.if_match = if_match;
	if (!mv_db_transaction (store->services->db, update_txn, &op, error))
		return NULL;
	if (version_out != NULL)
		*version_out = op.version;
	return g_steal_pointer (&op.result);
}

/* ---- delete (crypto-shredding) -------------------------------------------------------------- */

static gboolean
delete_txn (PGconn *conn, gpointer data, GError **error)
{
	Op *op = op_begin (data);
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
	    && (!parse_u64 (PQgetvalue (lock, 0, 0), &version) || version != op->if_match)) {
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
	return audit (conn, op->caller, "patient.delete", op->patient_id, op->request_id, error);
}

gboolean
mv_patient_store_delete (MvPatientStore *store,
			 const MvAuthContext *caller,
			 const gchar *request_id,
			 const gchar *patient_id,
			 guint64 if_match,
			 GError **error)
{
	g_auto (Op) op = { store, caller, request_id };
	g_autofree gchar *id = NULL;

	op.clinic_id = caller_clinic (caller, error);
	if (op.clinic_id == NULL)
		return FALSE;
	if (caller->role == MV_ROLE_PATIENT) {
		g_set_error (error, MV_ERROR, MV_ERROR_FORBIDDEN,
			     "a patient key cannot delete patients");
		return FALSE;
	}
	id = caller_patient (caller, patient_id, error);
	if (id == NULL)
		return FALSE;
	op.patient_id = id;
	op.if_match = if_match;
	return mv_db_transaction (store->services->db, delete_txn, &op, error);
}

/* ---- clinic-key rotation (the shredding epoch) --------------------------------------------- */

/* The clinic row, locked FOR NO KEY UPDATE: every writer of the clinic (FOR SHARE) waits until
 * we commit, but the FOR KEY SHARE that PostgreSQL's foreign-key checks take on the clinic row
 * (an invite, a delete's audit entry) does not.  With FOR UPDATE, a transaction holding a
 * patient row and inserting a row that references the clinic would wait for us while we wait
 * for its patient row: a deadlock. */
static MvSecret *
lock_clinic_for_rotation (MvVault *vault, PGconn *conn, const gchar *clinic_id, GError **error)
{
	const gchar *values[] = { clinic_id };
	g_autoptr (PGresult) res = NULL;
	g_autoptr (GBytes) wrapped = NULL;

	res = mv_db_exec_params (conn,
				 "SELECT wrapped_kek, master_key_id FROM clinics "
				 "WHERE clinic_id = $1 FOR NO KEY UPDATE",
				 1, values, error);
	if (res == NULL)
		return NULL;
	if (PQntuples (res) != 1) {
		g_set_error (error, MV_ERROR, MV_ERROR_NOT_FOUND, "no tenant %s", clinic_id);
		return NULL;
	}
	/* a master rotation committed but not yet switched to: wrapping under the old master
	 * would make the clinic unreadable */
	if (g_strcmp0 (PQgetvalue (res, 0, 1), mv_vault_get_master_key_id (vault)) != 0) {
		g_set_error (
			error, MV_ERROR, MV_ERROR_CONFLICT,
			"tenant %s: its key is wrapped under master key %s, not the loaded %s; "
			"retry once the master-key rotation is complete",
			clinic_id, PQgetvalue (res, 0, 1), mv_vault_get_master_key_id (vault));
		return NULL;
	}
	wrapped = mv_db_bytea_from_text (PQgetvalue (res, 0, 0));
	return mv_vault_unwrap_kek (vault, clinic_id, wrapped, error);
}

/* One live patient: its DEK re-wrapped under @new_kek and its MRN's blind index recomputed
 * with the index key derived from @new_kek (the profile is opened to read the MRN). */
static gboolean
rotate_patient (PGconn *conn,
		const gchar *clinic_id,
		const gchar *patient_id,
		GBytes *wrapped_dek,
		guint64 version,
		MvSecret *old_kek,
		MvSecret *new_kek,
		GError **error)
{
	g_auto (PatientKeys) keys = { 0 };
	g_autoptr (JsonObject) profile = NULL;
	g_autoptr (GBytes) rewrapped = NULL;
	g_autofree gchar *index = NULL;
	g_autofree gchar *dek_text = NULL;
	g_autoptr (PGresult) res = NULL;

	keys.version = version;
	keys.dek = mv_vault_unwrap_dek (old_kek, clinic_id, patient_id, wrapped_dek, error);
	if (keys.dek == NULL)
		return FALSE;
	profile = open_profile (conn, clinic_id, patient_id, &keys, error);
	if (profile == NULL)
		return FALSE;
	index = mrn_index (new_kek, clinic_id, json_object_get_string_member (profile, "mrn"),
			   error);
	if (index == NULL)
		return FALSE;
	rewrapped
		= mv_vault_rewrap_dek (old_kek, new_kek, clinic_id, patient_id, wrapped_dek, error);
	if (rewrapped == NULL)
		return FALSE;
	dek_text = mv_db_bytea_bytes_to_text (rewrapped);
	{
		const gchar *values[] = { clinic_id, patient_id, dek_text, index };
		res = mv_db_exec_params (conn,
					 "UPDATE patients SET wrapped_dek = $3, mrn_index = $4 "
					 "WHERE clinic_id = $1 AND patient_id = $2",
					 4, values, error);
	}
	return res != NULL;
}

static gboolean
rotate_patients (PGconn *conn,
		 const gchar *clinic_id,
		 MvSecret *old_kek,
		 MvSecret *new_kek,
		 guint *n_patients,
		 GError **error)
{
	const gchar *values[] = { clinic_id };
	g_autoptr (PGresult) res = NULL;

	res = mv_db_exec_params (conn,
				 "SELECT patient_id, wrapped_dek, version FROM patients "
				 "WHERE clinic_id = $1 AND deleted_at IS NULL "
				 "ORDER BY patient_id FOR UPDATE",
				 1, values, error);
	if (res == NULL)
		return FALSE;
	for (int i = 0; i < PQntuples (res); i++) {
		const gchar *patient_id = PQgetvalue (res, i, 0);
		g_autoptr (GBytes) wrapped = mv_db_bytea_from_text (PQgetvalue (res, i, 1));
		guint64 version = 0;

		if (!parse_u64 (PQgetvalue (res, i, 2), &version)) {
			g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY, "patient %s: bad version",
				     patient_id);
			return FALSE;
		}
		if (!rotate_patient (conn, clinic_id, patient_id, wrapped, version, old_kek,
				     new_kek, error)) {
			g_prefix_error (error, "tenant %s: ", clinic_id);
			return FALSE;
		}
	}
	*n_patients = (guint)PQntuples (res);
	return TRUE;
}

gboolean
mv_patient_store_rotate_clinic_key_conn (
	PGconn *conn, MvVault *vault, const gchar *clinic_id, guint *n_patients, GError **error)
{
	g_autoptr (MvSecret) old_kek = NULL;
	g_autoptr (MvSecret) new_kek = NULL;
	g_autoptr (GBytes) new_wrapped = NULL;
	g_autofree gchar *kek_text = NULL;
	g_autoptr (PGresult) res = NULL;

	old_kek = lock_clinic_for_rotation (vault, conn, clinic_id, error);
	if (old_kek == NULL)
		return FALSE;
	new_wrapped = mv_vault_new_kek (vault, clinic_id, &new_kek, error);
	if (new_wrapped == NULL)
		return FALSE;
	if (!rotate_patients (conn, clinic_id, old_kek, new_kek, n_patients, error))
		return FALSE;
	kek_text = mv_db_bytea_bytes_to_text (new_wrapped);
	{
		const gchar *values[] = { clinic_id, kek_text };
		res = mv_db_exec_params (conn,
					 "UPDATE clinics SET wrapped_kek = $2, updated_at = now() "
					 "WHERE clinic_id = $1",
					 2, values, error);
	}
	return res != NULL;
}

/* ---- search by MRN ------------------------------------------------------------------------- */

static gboolean
find_txn (PGconn *conn, gpointer data, GError **error)
{
	Op *op = op_begin (data);
	g_autoptr (MvSecret) kek = NULL;
	g_autofree gchar *index = NULL;
	g_autoptr (PGresult) res = NULL;

	kek = clinic_kek (op->store, conn, op->clinic_id, TRUE, error);
	if (kek == NULL)
		return FALSE;
	index = mrn_index (kek, op->clinic_id, op->mrn, error);
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
		if (!parse_u64 (PQgetvalue (res, 0, 1), &op->version))
			op->version = 0;
	}
	/* the search is recorded whether or not it found someone */
	return audit (conn, op->caller, "patient.search", op->found_id, op->request_id, error);
}

gchar *
mv_patient_store_find_by_mrn (MvPatientStore *store,
			      const MvAuthContext *caller,
			      const gchar *request_id,
			      const gchar *mrn,
			      guint64 *version_out,
			      GError **error)
{
	g_auto (Op) op = { store, caller, request_id };
	g_autofree gchar *normalised = NULL;

	op.clinic_id = caller_clinic (caller, error);
	if (op.clinic_id == NULL)
		return NULL;
	if (caller->role == MV_ROLE_PATIENT) {
		g_set_error (error, MV_ERROR, MV_ERROR_FORBIDDEN, "a patient key cannot search");
		return NULL;
	}
	normalised = mv_vault_normalise_mrn (mrn != NULL ? mrn : "", error);
	if (normalised == NULL) {
		g_prefix_error (error, "mrn: ");
		return NULL;
	}
	sodium_memzero (normalised, strlen (normalised));
	op.mrn = mrn;
	if (!mv_db_transaction (store->services->db, find_txn, &op, error))
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

/* ---- export ------------------------------------------------------------------------------- */

static JsonNode *
record_data (GBytes *plain)
{
	gsize len = 0;
	const gchar *data = g_bytes_get_data (plain, &len);
	g_autoptr (JsonParser) parser = json_parser_new ();
	g_autofree gchar *b64 = NULL;

	if (json_parser_load_from_data (parser, data, (gssize)len, NULL)
	    && json_parser_get_root (parser) != NULL)
		return json_node_copy (json_parser_get_root (parser));
	b64 = g_base64_encode ((const guchar *)data, len);
	return json_node_init_string (json_node_alloc (), b64);
}

static gboolean
export_records (PGconn *conn, Op *op, const PatientKeys *keys, JsonObject *out, GError **error)
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
		JsonObject *record;

		if (!parse_u64 (PQgetvalue (res, i, 1), &version)) {
			g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
				     "%s record of patient %s: bad version", kind, op->patient_id);
			return FALSE;
		}
		plain = mv_vault_open (keys->dek, op->clinic_id, op->patient_id, kind, version,
				       blob, error);
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
export_keys (PGconn *conn, Op *op, JsonObject *out, GError **error)
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
export_audit (PGconn *conn, Op *op, JsonObject *out, GError **error)
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
	Op *op = op_begin (data);
	g_auto (PatientKeys) keys = { 0 };
	g_autoptr (JsonObject) out = json_object_new ();
	JsonObject *patient = json_object_new ();

	json_object_set_object_member (out, "patient", patient);
	if (!load_patient (op->store, conn, op->clinic_id, op->patient_id, FALSE, &keys, error))
		return FALSE;
	json_object_set_string_member (patient, "id", op->patient_id);
	json_object_set_string_member (patient, "clinic_id", op->clinic_id);
	json_object_set_int_member (patient, "version", (gint64)keys.version);
	json_object_set_string_member (patient, "created_at", keys.created_at);
	json_object_set_string_member (patient, "updated_at", keys.updated_at);
	if (!export_records (conn, op, &keys, out, error) || !export_keys (conn, op, out, error)
	    || !export_audit (conn, op, out, error))
		return FALSE;
	op->result = g_steal_pointer (&out);
	return audit (conn, op->caller, "patient.export", op->patient_id, op->request_id, error);
}

JsonObject *
mv_patient_store_export (MvPatientStore *store,
			 const MvAuthContext *caller,
			 const gchar *request_id,
			 const gchar *patient_id,
			 GError **error)
{
	g_auto (Op) op = { store, caller, request_id };
	g_autofree gchar *id = NULL;

	op.clinic_id = caller_clinic (caller, error);
	if (op.clinic_id == NULL)
		return NULL;
	id = caller_patient (caller, patient_id, error);
	if (id == NULL)
		return NULL;
	op.patient_id = id;
	if (!mv_db_transaction (store->services->db, export_txn, &op, error))
		return NULL;
	return g_steal_pointer (&op.result);
}

/* ---- invites ------------------------------------------------------------------------------- */

static gboolean
invite_txn (PGconn *conn, gpointer data, GError **error)
{
	Op *op = op_begin (data);
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
	if (!mv_auth_create_patient_invite (conn, op->caller, op->patient_id, op->request_id, &code,
					    &expires_at, error))
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
	g_auto (Op) op = { store, caller, request_id };
	g_autofree gchar *id = NULL;

	op.clinic_id = caller_clinic (caller, error);
	if (op.clinic_id == NULL)
		return NULL;
	if (caller->role == MV_ROLE_PATIENT) {
		g_set_error (error, MV_ERROR, MV_ERROR_FORBIDDEN, "a patient key cannot invite");
		return NULL;
	}
	id = caller_patient (caller, patient_id, error);
	if (id == NULL)
		return NULL;
	op.patient_id = id;
	if (!mv_db_transaction (store->services->db, invite_txn, &op, error))
		return NULL;
	return g_steal_pointer (&op.result);
}
