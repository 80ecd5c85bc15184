/* The patient store's searches by medical record number and by any identifier, through the
 * clinic's blind indexes: no plaintext number is compared or stored
 * (mv_patient_store_find_by_mrn(), mv_patient_store_find_by_identifier() in
 * mv-patient-store.h). */
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
	{
		g_autoptr (GError) local = NULL;
		normalised = mv_vault_normalise_mrn (mrn != NULL ? mrn : "", &local);
		if (normalised == NULL) {
			/* the query parameter's name as the field: "mrn: medical record number…" */
			mv_error_add_problem (error, "/mrn", "invalid-format", local->message,
					      mv_error_get_message_zh (local));
			return NULL;
		}
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

/* ---- by identifier ------------------------------------------------------------------------ */

static gboolean
find_identifier_txn (PGconn *conn, gpointer data, GError **error)
{
	MvPatientOp *op = mv_patient_op_begin (data);
	g_autoptr (MvSecret) kek = NULL;
	g_autofree gchar *index = NULL;
	g_autoptr (PGresult) res = NULL;
	gboolean mrn = strcmp (op->id_system, "mrn") == 0;

	kek = mv_record_keys_clinic_kek (mv_patient_op_vault (op), conn, op->clinic_id, TRUE,
					 error);
	if (kek == NULL)
		return FALSE;
	index = mv_record_keys_identifier_index (kek, op->clinic_id, op->id_system, op->id_issuer,
						 op->id_value, error);
	if (index == NULL)
		return FALSE;
	if (mrn) {
		const gchar *values[] = { op->clinic_id, index };
		res = mv_db_exec_params (conn,
					 "SELECT patient_id, version FROM patients WHERE "
					 "clinic_id = $1 AND mrn_index = $2 AND deleted_at IS NULL",
					 2, values, error);
	} else {
		const gchar *values[] = { op->clinic_id, op->id_system, index };
		res = mv_db_exec_params (
			conn,
			"SELECT p.patient_id, p.version FROM patient_identifiers i JOIN patients p "
			"ON p.clinic_id = i.clinic_id AND p.patient_id = i.patient_id "
			"WHERE i.clinic_id = $1 AND i.system = $2 AND i.blind_index = $3 "
			"AND p.deleted_at IS NULL",
			3, values, error);
	}
	if (res == NULL)
		return FALSE;
	if (PQntuples (res) == 1) {
		op->found_id = g_strdup (PQgetvalue (res, 0, 0));
		if (!mv_record_parse_version (PQgetvalue (res, 0, 1), &op->version))
			op->version = 0;
	}
	/* recorded whether or not it found someone, with ids only, as the MRN search */
	return mv_patient_op_audit (conn, op, "patient.search", error);
}

static gboolean
token_problem (GError **error, const gchar *en, const gchar *zh)
{
	mv_error_add_problem (error, "/identifier", "invalid-format", en, zh);
	return FALSE;
}

/* "system|value", "passport:CN|value" → its parts (pointing into *@owned) */
static gboolean
parse_token (const gchar *token,
	     gchar **owned,
	     const gchar **system,
	     const gchar **issuer,
	     const gchar **value,
	     GError **error)
{
	static const gchar *const systems[]
		= { "mrn", "resident-id", "insurance", "passport", NULL };
	gchar *bar;
	gchar *colon;

	*owned = g_strdup (token != NULL ? token : "");
	bar = strchr (*owned, '|');
	if (bar == NULL)
		return token_problem (
			error,
			"must be system|value, e.g. "
			"identifier=resident-id|44030519900101123X",
			"格式应为 体系|号码，例如 identifier=resident-id|44030519900101123X");
	*bar = '\0';
	*value = bar + 1;
	*issuer = NULL;
	colon = strchr (*owned, ':');
	if (colon != NULL) {
		*colon = '\0';
		*issuer = colon + 1;
	}
	*system = *owned;
	if (!g_strv_contains (systems, *system))
		return token_problem (error,
				      "names an unknown identifier system; use mrn, resident-id, "
				      "insurance or passport:<country>",
				      "标识符体系未知；请使用 mrn、resident-id、insurance 或 "
				      "passport:<国家代码>");
	if ((strcmp (*system, "passport") == 0) != (*issuer != NULL && **issuer != '\0'))
		return token_problem (error,
				      "a passport names its issuing country (passport:CN|…), and "
				      "only a passport does",
				      "护照须注明签发国家（passport:CN|…），其他体系不可注明");
	return TRUE;
}

gchar *
mv_patient_store_find_by_identifier (MvPatientStore *store,
				     const MvAuthContext *caller,
				     const gchar *request_id,
				     const gchar *token,
				     guint64 *version_out,
				     GError **error)
{
	g_auto (MvPatientOp) op = { 0 };
	g_autofree gchar *owned = NULL;
	g_autofree gchar *normalised = NULL;
	g_autoptr (GError) local = NULL;
	const gchar *system = NULL, *issuer = NULL, *value = NULL;

	if (!mv_patient_op_init (&op, store, caller, request_id, "a patient key cannot search",
				 NULL, error))
		return NULL;
	if (!parse_token (token, &owned, &system, &issuer, &value, error)) {
		sodium_memzero (owned, strlen (token != NULL ? token : ""));
		return NULL;
	}
	normalised = mv_vault_normalise_identifier (value, &local);
	if (normalised == NULL) {
		sodium_memzero (owned, strlen (token));
		mv_error_add_problem (error, "/identifier", "invalid-format", local->message,
				      mv_error_get_message_zh (local));
		return NULL;
	}
	sodium_memzero (normalised, strlen (normalised));
	op.id_system = system;
	op.id_issuer = issuer;
	op.id_value = value;
	if (!mv_patient_op_run (&op, find_identifier_txn, error)) {
		sodium_memzero (owned, strlen (token));
		return NULL;
	}
	sodium_memzero (owned, strlen (token));
	if (op.found_id == NULL) {
		mv_set_error_bilingual (error, MV_ERROR_NOT_FOUND,
					"no patient of this clinic has this identifier",
					"本机构没有患者使用此标识符");
		return NULL;
	}
	if (version_out != NULL)
		*version_out = op.version;
	return g_steal_pointer (&op.found_id);
}
