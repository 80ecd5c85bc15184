/* The keys records are sealed under: see mv-record-keys.h. */
#define G_LOG_DOMAIN "medverse-records"

#include "mv-record-keys.h"

#include <medverse/mv-error.h>
#include <string.h>

#include "mv-db.h"
#include "mv-sealed-record.h"

void
mv_patient_keys_clear (MvPatientKeys *keys)
{
	g_clear_pointer (&keys->kek, mv_secret_free);
	g_clear_pointer (&keys->dek, mv_secret_free);
	g_clear_pointer (&keys->created_at, g_free);
	g_clear_pointer (&keys->updated_at, g_free);
}

MvSecret *
mv_record_keys_clinic_kek (
	MvVault *vault, PGconn *conn, const gchar *clinic_id, gboolean lock, GError **error)
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
	return mv_vault_unwrap_kek (vault, clinic_id, wrapped, error);
}

/* not clang-formatted: it would split the SQL text around the macro calls */
/* clang-format off */
static const gchar PATIENT_LOCKED_SQL[] =
	"SELECT p.wrapped_dek, p.version, " MV_DB_SQL_UTC ("p.created_at") ", "
	MV_DB_SQL_UTC ("p.updated_at") ", NULL "
	"FROM patients p WHERE p.clinic_id = $1 AND p.patient_id = $2 AND "
	"p.deleted_at IS NULL FOR UPDATE";
static const gchar PATIENT_READ_SQL[] =
	"SELECT p.wrapped_dek, p.version, " MV_DB_SQL_UTC ("p.created_at") ", "
	MV_DB_SQL_UTC ("p.updated_at") ", c.wrapped_kek "
	"FROM patients p JOIN clinics c ON c.clinic_id = p.clinic_id "
	"WHERE p.clinic_id = $1 AND p.patient_id = $2 AND p.deleted_at IS NULL";
/* clang-format on */

gboolean
mv_patient_keys_load (MvVault *vault,
		      PGconn *conn,
		      const gchar *clinic_id,
		      const gchar *patient_id,
		      gboolean lock,
		      MvPatientKeys *keys,
		      GError **error)
{
	const gchar *values[] = { clinic_id, patient_id };
	g_autoptr (PGresult) res = NULL;
	g_autoptr (GBytes) wrapped = NULL;
	g_autoptr (GBytes) wrapped_kek = NULL;

	if (lock) {
		keys->kek = mv_record_keys_clinic_kek (vault, conn, clinic_id, TRUE, error);
		if (keys->kek == NULL)
			return FALSE;
	}
	res = mv_db_exec_params (conn, lock ? PATIENT_LOCKED_SQL : PATIENT_READ_SQL, 2, values,
				 error);
	if (res == NULL)
		return FALSE;
	if (PQntuples (res) != 1) {
		mv_set_error_bilingual (error, MV_ERROR_NOT_FOUND, "no such patient", "没有该患者");
		return FALSE;
	}
	if (!mv_record_parse_version (PQgetvalue (res, 0, 1), &keys->version)) {
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY, "patient %s: bad version",
			     patient_id);
		return FALSE;
	}
	keys->created_at = g_strdup (PQgetvalue (res, 0, 2));
	keys->updated_at = g_strdup (PQgetvalue (res, 0, 3));
	if (!lock) {
		wrapped_kek = mv_db_bytea_from_text (PQgetvalue (res, 0, 4));
		keys->kek = mv_vault_unwrap_kek (vault, clinic_id, wrapped_kek, error);
		if (keys->kek == NULL)
			return FALSE;
	}
	wrapped = mv_db_bytea_from_text (PQgetvalue (res, 0, 0));
	keys->dek = mv_vault_unwrap_dek (keys->kek, clinic_id, patient_id, wrapped, error);
	return keys->dek != NULL;
}

gchar *
mv_record_keys_mrn_index (MvSecret *kek, const gchar *clinic_id, const gchar *mrn, GError **error)
{
	g_autoptr (MvSecret) index_key = mv_vault_derive_index_key (kek);
	gchar *index = mv_vault_blind_index (index_key, clinic_id, mrn, error);

	if (index == NULL)
		g_prefix_error (error, "mrn: ");
	return index;
}

gchar *
mv_record_keys_identifier_index (MvSecret *kek,
				 const gchar *clinic_id,
				 const gchar *system,
				 const gchar *issuer,
				 const gchar *value,
				 GError **error)
{
	g_autoptr (MvSecret) key = NULL;

	if (g_strcmp0 (system, "mrn") == 0)
		return mv_record_keys_mrn_index (kek, clinic_id, value, error);
	/* only a passport number is qualified by its issuer: a resident ID or an insurance
	 * number names one person whoever wrote it down */
	if (g_strcmp0 (system, "passport") != 0)
		issuer = NULL;
	key = mv_vault_derive_identifier_key (kek, system);
	return mv_vault_identifier_index (key, clinic_id, system, issuer, value, error);
}

gboolean
mv_record_keys_reindex_identifiers (PGconn *conn,
				    MvSecret *kek,
				    const gchar *clinic_id,
				    const gchar *patient_id,
				    JsonObject *profile,
				    GError **error)
{
	const gchar *who[] = { clinic_id, patient_id };
	JsonNode *node = json_object_get_member (profile, "identifiers");
	g_autoptr (PGresult) cleared = NULL;
	JsonArray *array;

	cleared = mv_db_exec_params (
		conn, "DELETE FROM patient_identifiers WHERE clinic_id = $1 AND patient_id = $2", 2,
		who, error);
	if (cleared == NULL)
		return FALSE;
	if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
		return TRUE;
	array = json_node_get_array (node);
	for (guint i = 0; i < json_array_get_length (array); i++) {
		JsonObject *id = json_array_get_object_element (array, i);
		const gchar *system = json_object_get_string_member_with_default (id, "system", "");
		g_autofree gchar *index = NULL;
		g_autoptr (PGresult) res = NULL;

		if (strcmp (system, "mrn") == 0)
			continue;
		index = mv_record_keys_identifier_index (
			kek, clinic_id, system,
			json_object_get_string_member_with_default (id, "issuer", NULL),
			json_object_get_string_member_with_default (id, "value", NULL), error);
		if (index == NULL)
			return FALSE;
		{
			const gchar *values[] = { clinic_id, system, index, patient_id };
			res = mv_db_exec_params (
				conn,
				"INSERT INTO patient_identifiers (clinic_id, system, "
				"blind_index, patient_id) VALUES ($1, $2, $3, $4)",
				4, values, error);
		}
		if (res == NULL)
			return FALSE;
	}
	return TRUE;
}

gchar *
mv_record_keys_pseudonym (MvSecret *kek, const gchar *label, const gchar *text)
{
	g_autoptr (MvSecret) key = mv_vault_derive_identifier_key (kek, label);

	return g_compute_hmac_for_string (G_CHECKSUM_SHA256, mv_secret_get_data (key),
					  mv_secret_get_size (key), text, -1);
}
