/* Clinic-key rotation: see mv-clinic-keys.h. */
#define G_LOG_DOMAIN "medverse-records"

#include "mv-clinic-keys.h"

#include <medverse/mv-error.h>

#include "mv-db.h"
#include "mv-record-keys.h"
#include "mv-sealed-record.h"

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

/* One live patient: its DEK re-wrapped under @new_kek and its identifiers' blind indexes (the
 * MRN's and the others') recomputed with keys derived from @new_kek (the profile is opened to
 * read them). */
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
	MvRecordRef ref = { &mv_record_kind_profile, clinic_id, patient_id, NULL };
	g_autoptr (MvSecret) dek = NULL;
	g_autoptr (MvSealedRecord) profile = NULL;
	g_autoptr (GBytes) rewrapped = NULL;
	g_autofree gchar *index = NULL;
	g_autofree gchar *dek_text = NULL;
	g_autoptr (PGresult) res = NULL;

	dek = mv_vault_unwrap_dek (old_kek, clinic_id, patient_id, wrapped_dek, error);
	if (dek == NULL)
		return FALSE;
	profile = mv_sealed_record_read (conn, &ref, dek, version, error);
	if (profile == NULL)
		return FALSE;
	index = mv_record_keys_mrn_index (
		new_kek, clinic_id,
		json_object_get_string_member_with_default (json_node_get_object (profile->data),
							    "mrn", NULL),
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
	/* the other identifiers' indexes hang off the KEK too */
	return res != NULL
	       && mv_record_keys_reindex_identifiers (conn, new_kek, clinic_id, patient_id,
						      json_node_get_object (profile->data), error);
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

		if (!mv_record_parse_version (PQgetvalue (res, i, 2), &version)) {
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
mv_clinic_keys_rotate_conn (
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
