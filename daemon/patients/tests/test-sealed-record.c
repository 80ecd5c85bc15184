/* The sealed-record module against a real PostgreSQL: the profile kind, and a kind with its
 * own id column (as every later record kind will have) in a table of its own, written, read,
 * moved between rows and replayed at another version. */
#include <criterion/criterion.h>
#include <medverse/mv-error.h>
#include <string.h>

#include "../../records/mv-record-keys.h"
#include "../../records/mv-sealed-record.h"
#include "mv-db.h"
#include "mv-patients-test.h"

TestSuite (sealed_record, .init = mvt_patients_setup, .fini = mvt_patients_teardown, .timeout = 60);

static const gchar *const observation_ids[] = { "record_id", NULL };
static const MvRecordKind observation = { "observation", "test_observations", observation_ids };

/* A patient of clinic A made through the store, and its keys. */
static gchar *
patient_with_keys (MvPatientKeys *keys)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (JsonObject) profile = mvt_patients_load ("profile-minimal.json");
	gchar *id
		= mv_patient_store_create (mvt.store, &mvt.clinician_a, "r", profile, NULL, &error);
	PGconn *conn;

	cr_assert_not_null (id, "%s", error ? error->message : "");
	conn = mvt_patients_conn ();
	cr_assert (mv_patient_keys_load (mv_services_get_vault (mvt.services), conn, mvt.clinic_a,
					 id, FALSE, keys, &error),
		   "%s", error ? error->message : "");
	mv_db_release (mvt.db, conn);
	return id;
}

static JsonNode *
json (const gchar *text)
{
	return json_from_string (text, NULL);
}

Test (sealed_record, profile_reads_what_the_store_wrote)
{
	g_auto (MvPatientKeys) keys = { 0 };
	g_autofree gchar *id = patient_with_keys (&keys);
	MvRecordRef ref = { &mv_record_kind_profile, mvt.clinic_a, id, NULL };
	g_autoptr (GError) error = NULL;
	g_autoptr (MvSealedRecord) record = NULL;
	g_autoptr (MvSealedRecord) stale = NULL;
	PGconn *conn = mvt_patients_conn ();

	record = mv_sealed_record_read (conn, &ref, keys.dek, keys.version, &error);
	cr_assert_not_null (record, "%s", error ? error->message : "");
	cr_assert_eq (record->version, 1);
	cr_assert (g_str_has_suffix (record->updated_at, "Z"), "%s", record->updated_at);
	cr_assert_str_eq (
		json_object_get_string_member (json_node_get_object (record->data), "mrn"), "A-1");
	/* expected at another version: an integrity error, not another record */
	stale = mv_sealed_record_read (conn, &ref, keys.dek, 2, &error);
	cr_assert_null (stale);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INTEGRITY), "%s", error->message);
	mv_db_release (mvt.db, conn);
}

Test (sealed_record, a_kind_with_an_id_column)
{
	g_auto (MvPatientKeys) keys = { 0 };
	g_autofree gchar *id = patient_with_keys (&keys);
	const gchar *obs1[] = { "obs-1", NULL };
	const gchar *obs2[] = { "obs-2", NULL };
	MvRecordRef ref1 = { &observation, mvt.clinic_a, id, obs1 };
	MvRecordRef ref2 = { &observation, mvt.clinic_a, id, obs2 };
	g_autoptr (JsonNode) v1 = json ("{\"code\":\"8480-6\",\"value\":120}");
	g_autoptr (JsonNode) v2 = json ("{\"code\":\"8480-6\",\"value\":135}");
	g_autoptr (JsonNode) other = json ("{\"code\":\"8462-4\",\"value\":80}");
	g_autoptr (GError) error = NULL;
	g_autoptr (MvSealedRecord) got = NULL;
	g_autoptr (MvSealedRecord) moved = NULL;
	g_autoptr (MvSealedRecord) missing = NULL;
	g_autofree gchar *table = mvt_patients_query (
		"CREATE TABLE test_observations (clinic_id uuid, patient_id uuid, kind text, "
		"record_id text, version bigint, blob bytea, updated_at timestamptz DEFAULT now(), "
		"PRIMARY KEY (clinic_id, patient_id, kind, record_id))",
		0, NULL);
	PGconn *conn = mvt_patients_conn ();

	cr_assert (mv_sealed_record_insert (conn, &ref1, keys.dek, 1, v1, &error), "%s",
		   error ? error->message : "");
	cr_assert (mv_sealed_record_insert (conn, &ref2, keys.dek, 1, other, &error), "%s",
		   error ? error->message : "");
	cr_assert (mv_sealed_record_update (conn, &ref1, keys.dek, 2, v2, &error), "%s",
		   error ? error->message : "");
	got = mv_sealed_record_read (conn, &ref1, keys.dek, 0, &error);
	cr_assert_not_null (got, "%s", error ? error->message : "");
	cr_assert_eq (got->version, 2);
	cr_assert (json_node_equal (got->data, v2));

	/* obs-2's blob copied into obs-1's row: bound to its id, it does not open there */
	g_free (mvt_patients_query ("UPDATE test_observations SET blob = (SELECT blob FROM "
				    "test_observations WHERE record_id = 'obs-2'), version = 1 "
				    "WHERE record_id = 'obs-1' RETURNING 1",
				    0, NULL));
	moved = mv_sealed_record_read (conn, &ref1, keys.dek, 0, &error);
	cr_assert_null (moved);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INTEGRITY), "%s", error->message);
	cr_assert_not_null (strstr (error->message, "observation record obs-1 version 1"), "%s",
			    error->message);
	cr_assert_null (strstr (error->message, "8462"), "data in an error: %s", error->message);
	g_clear_error (&error);

	/* no such record: not found; an update of it: integrity (the caller held its lock) */
	{
		const gchar *none[] = { "obs-3", NULL };
		MvRecordRef ref3 = { &observation, mvt.clinic_a, id, none };
		missing = mv_sealed_record_read (conn, &ref3, keys.dek, 0, &error);
		cr_assert_null (missing);
		cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_NOT_FOUND), "%s",
			   error->message);
		g_clear_error (&error);
		cr_assert_not (mv_sealed_record_update (conn, &ref3, keys.dek, 2, v1, &error));
		cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INTEGRITY), "%s",
			   error->message);
	}
	mv_db_release (mvt.db, conn);
}
