/* Versions and the change feed of every record kind: see mv-clinical-history.h. */
#define G_LOG_DOMAIN "medverse-clinical"

#include "mv-clinical-history.h"

#include <medverse/mv-error.h>

#include "../records/mv-sealed-record.h"
#include "mv-db.h"

/* A version's identity beyond its patient and kind, bound as AD: the record id and the status
 * (the status is in clear in the row, and must not be flippable without the DEK). */
static const gchar *const version_id_columns[] = { "record_id", "record_status", NULL };

static MvRecordRef
version_ref (MvRecordKind *holder,
	     const gchar *clinic_id,
	     const gchar *patient_id,
	     const gchar *kind,
	     const gchar *const *ids)
{
	*holder = (MvRecordKind){ kind, "record_versions", version_id_columns };
	return (MvRecordRef){ holder, clinic_id, patient_id, ids };
}

gboolean
mv_clinical_version_insert (PGconn *conn,
			    MvSecret *dek,
			    const gchar *clinic_id,
			    const gchar *patient_id,
			    const gchar *kind,
			    const gchar *record_id,
			    guint64 version,
			    const gchar *status,
			    JsonNode *data,
			    const MvAuthContext *actor,
			    GError **error)
{
	const gchar *ids[] = { record_id, status, NULL };
	MvRecordKind holder;
	MvRecordRef ref = version_ref (&holder, clinic_id, patient_id, kind, ids);
	g_autoptr (GBytes) blob = mv_sealed_record_seal (&ref, dek, version, data, error);
	g_autofree gchar *blob_text = NULL;
	g_autofree gchar *version_text = g_strdup_printf ("%" G_GUINT64_FORMAT, version);
	const gchar *who = actor != NULL && actor->key_id != NULL ? actor->key_id : "system";
	g_autoptr (PGresult) res = NULL;

	if (blob == NULL)
		return FALSE;
	blob_text = mv_db_bytea_bytes_to_text (blob);
	{
		const gchar *values[] = { clinic_id,	patient_id, kind,      record_id,
					  version_text, status,	    blob_text, who };
		res = mv_db_exec_params (
			conn,
			"INSERT INTO record_versions (clinic_id, patient_id, kind, record_id, "
			"version, record_status, blob, actor) VALUES ($1, $2, $3, $4, $5, $6, "
			"$7::bytea, $8)",
			8, values, error);
	}
	return res != NULL;
}

JsonNode *
mv_clinical_version_open (MvSecret *dek,
			  const gchar *clinic_id,
			  const gchar *patient_id,
			  const gchar *kind,
			  const gchar *record_id,
			  guint64 version,
			  const gchar *status,
			  const gchar *blob_text,
			  GError **error)
{
	const gchar *ids[] = { record_id, status, NULL };
	MvRecordKind holder;
	MvRecordRef ref = version_ref (&holder, clinic_id, patient_id, kind, ids);
	g_autoptr (GBytes) blob = mv_db_bytea_from_text (blob_text);

	if (blob == NULL) {
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
			     "%s record %s of patient %s in clinic %s: version %" G_GUINT64_FORMAT
			     " is not valid bytea",
			     kind, record_id, patient_id, clinic_id, version);
		return NULL;
	}
	return mv_sealed_record_open (&ref, dek, version, blob, error);
}

/* Postgres array literal of plain tokens (uuids, numbers, fixed words): no quoting needed, and
 * the array is still a parameter, never SQL text. */
static gchar *
array_literal (GPtrArray *items)
{
	g_autoptr (GString) s = g_string_new ("{");

	for (guint i = 0; i < items->len; i++)
		g_string_append_printf (s, "%s%s", i > 0 ? "," : "",
					(const gchar *)g_ptr_array_index (items, i));
	g_string_append_c (s, '}');
	return g_string_free (g_steal_pointer (&s), FALSE);
}

gboolean
mv_clinical_feed_append (PGconn *conn,
			 const gchar *clinic_id,
			 const MvClinicalChange *changes,
			 guint n_changes,
			 GError **error)
{
	g_autoptr (GPtrArray) patients = g_ptr_array_new ();
	g_autoptr (GPtrArray) kinds = g_ptr_array_new ();
	g_autoptr (GPtrArray) records = g_ptr_array_new ();
	g_autoptr (GPtrArray) versions = g_ptr_array_new_with_free_func (g_free);
	g_autoptr (GPtrArray) what = g_ptr_array_new ();
	g_autofree gchar *p = NULL, *k = NULL, *r = NULL, *v = NULL, *c = NULL;
	g_autoptr (PGresult) res = NULL;

	if (n_changes == 0)
		return TRUE;
	for (guint i = 0; i < n_changes; i++) {
		g_ptr_array_add (patients, (gpointer)changes[i].patient_id);
		g_ptr_array_add (kinds, (gpointer)changes[i].kind);
		g_ptr_array_add (records, (gpointer)changes[i].record_id);
		g_ptr_array_add (versions,
				 g_strdup_printf ("%" G_GUINT64_FORMAT, changes[i].version));
		g_ptr_array_add (what, (gpointer)changes[i].change);
	}
	p = array_literal (patients);
	k = array_literal (kinds);
	r = array_literal (records);
	v = array_literal (versions);
	c = array_literal (what);
	{
		const gchar *values[] = { clinic_id, p, k, r, v, c };
		/* the clinic's audit_trees row is locked by this transaction's audit entry:
		 * nobody else of the clinic numbers a change until we commit (see the header) */
		res = mv_db_exec_params (
			conn,
			"INSERT INTO record_changes (clinic_id, seq, patient_id, kind, record_id, "
			"version, change) "
			"SELECT $1, coalesce((SELECT max(seq) FROM record_changes WHERE "
			"clinic_id = $1), 0) + t.ord, t.p, t.k, t.r, t.v, t.c "
			"FROM unnest($2::uuid[], $3::text[], $4::uuid[], $5::bigint[], $6::text[]) "
			"WITH ORDINALITY AS t(p, k, r, v, c, ord)",
			6, values, error);
	}
	return res != NULL;
}

gboolean
mv_clinical_profile_written (PGconn *conn,
			     MvSecret *dek,
			     const gchar *clinic_id,
			     const gchar *patient_id,
			     guint64 version,
			     JsonNode *profile,
			     const MvAuthContext *actor,
			     GError **error)
{
	MvClinicalChange change = { patient_id, "patient", patient_id, version,
				    version == 1 ? "created" : "updated" };

	if (!mv_clinical_version_insert (conn, dek, clinic_id, patient_id, "profile", patient_id,
					 version, "current", profile, actor, error))
		return FALSE;
	return mv_clinical_feed_append (conn, clinic_id, &change, 1, error);
}

gboolean
mv_clinical_patient_shredded (PGconn *conn,
			      const gchar *clinic_id,
			      const gchar *patient_id,
			      guint64 version,
			      GError **error)
{
	static const gchar *const statements[] = {
		"DELETE FROM record_terms WHERE clinic_id = $1 AND patient_id = $2",
		"DELETE FROM records WHERE clinic_id = $1 AND patient_id = $2",
		"DELETE FROM record_versions WHERE clinic_id = $1 AND patient_id = $2",
		/* the engagement module's rows (0010_engagement.sql): sealed under the DEK that
		 * shredding destroys, and the points and opt-in go with them */
		"DELETE FROM engagement_checkins WHERE clinic_id = $1 AND patient_id = $2",
		"DELETE FROM engagement_ledger WHERE clinic_id = $1 AND patient_id = $2",
		"DELETE FROM engagement_leaderboard WHERE clinic_id = $1 AND patient_id = $2",
	};
	const gchar *values[] = { clinic_id, patient_id };
	MvClinicalChange change = { patient_id, "patient", patient_id, version, "deleted" };

	for (guint i = 0; i < G_N_ELEMENTS (statements); i++) {
		g_autoptr (PGresult) res
			= mv_db_exec_params (conn, statements[i], 2, values, error);
		if (res == NULL)
			return FALSE;
	}
	return mv_clinical_feed_append (conn, clinic_id, &change, 1, error);
}

gboolean
mv_clinical_export_versions (PGconn *conn,
			     MvSecret *dek,
			     const gchar *clinic_id,
			     const gchar *patient_id,
			     JsonObject *out,
			     GError **error)
{
	const gchar *values[] = { clinic_id, patient_id };
	g_autoptr (PGresult) res = NULL;
	JsonArray *versions = json_array_new ();

	json_object_set_array_member (out, "versions", versions);
	res = mv_db_exec_params (conn,
				 "SELECT kind, record_id, version, record_status, " MV_DB_SQL_UTC (
					 "updated_at") ", actor, blob FROM record_versions WHERE "
						       "clinic_id = $1 AND patient_id = $2 ORDER "
						       "BY kind, record_id, version",
				 2, values, error);
	if (res == NULL)
		return FALSE;
	for (gint i = 0; i < PQntuples (res); i++) {
		const gchar *kind = PQgetvalue (res, i, 0);
		const gchar *record_id = PQgetvalue (res, i, 1);
		const gchar *status = PQgetvalue (res, i, 3);
		guint64 version = 0;
		JsonNode *data;
		JsonObject *v;

		if (!mv_record_parse_version (PQgetvalue (res, i, 2), &version)) {
			g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
				     "%s record %s of patient %s: bad version", kind, record_id,
				     patient_id);
			return FALSE;
		}
		data = mv_clinical_version_open (dek, clinic_id, patient_id, kind, record_id,
						 version, status, PQgetvalue (res, i, 6), error);
		if (data == NULL)
			return FALSE;
		v = json_object_new ();
		json_object_set_string_member (v, "kind", kind);
		json_object_set_string_member (v, "id", record_id);
		json_object_set_int_member (v, "version", (gint64)version);
		json_object_set_string_member (v, "record_status", status);
		json_object_set_string_member (v, "updated_at", PQgetvalue (res, i, 4));
		json_object_set_string_member (v, "actor", PQgetvalue (res, i, 5));
		json_object_set_member (v, "data", data);
		json_array_add_object_element (versions, v);
	}
	return TRUE;
}
