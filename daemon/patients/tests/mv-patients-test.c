/* Fixture of the patient-store tests: see mv-patients-test.h. */
#include "mv-patients-test.h"

#include <criterion/criterion.h>
#include <glib/gstdio.h>
#include <medverse/mv-error.h>

#include "../../audit/mv-audit-log.h"
#include "mv-db.h"
#include "mv-migrate.h"
#include "mv-storage-test.h"

MvtPatients mvt;

PGconn *
mvt_patients_conn (void)
{
	g_autoptr (GError) error = NULL;
	PGconn *conn = mv_db_acquire (mvt.db, 5000, &error);
	cr_assert_not_null (conn, "%s", error ? error->message : "");
	return conn;
}

gchar *
mvt_patients_query (const gchar *sql, gint n, const gchar *const *values)
{
	g_autoptr (GError) error = NULL;
	PGconn *conn = mvt_patients_conn ();
	g_autoptr (PGresult) res = mv_db_exec_params (conn, sql, n, values, &error);
	gchar *value = NULL;

	cr_assert_not_null (res, "%s: %s", sql, error ? error->message : "");
	if (PQntuples (res) > 0 && !PQgetisnull (res, 0, 0))
		value = g_strdup (PQgetvalue (res, 0, 0));
	mv_db_release (mvt.db, conn);
	return value;
}

gchar *
mvt_patients_add_clinic (const gchar *name)
{
	g_autoptr (GError) error = NULL;
	MvVault *vault = mv_services_get_vault (mvt.services);
	g_autofree gchar *id = g_uuid_string_random ();
	g_autoptr (GBytes) wrapped = mv_vault_new_kek (vault, id, NULL, &error);
	g_autofree gchar *bytea = NULL;
	g_autofree gchar *got = NULL;

	cr_assert_not_null (wrapped, "%s", error ? error->message : "");
	bytea = mv_db_bytea_bytes_to_text (wrapped);
	{
		const gchar *values[] = { id, name, bytea, mv_vault_get_master_key_id (vault) };
		got = mvt_patients_query (
			"INSERT INTO clinics (clinic_id, name, wrapped_kek, "
			"master_key_id) VALUES ($1, $2, $3, $4) RETURNING clinic_id",
			4, values);
	}
	cr_assert_str_eq (got, id);
	return g_steal_pointer (&id);
}

MvAuthContext
mvt_patients_patient_ctx (const gchar *clinic, const gchar *patient_id)
{
	MvAuthContext ctx = { .role = MV_ROLE_PATIENT,
			      .key_id = (gchar *)"kp-patient",
			      .clinic_id = (gchar *)clinic,
			      .patient_id = (gchar *)patient_id };
	return ctx;
}

JsonObject *
mvt_patients_parse (const gchar *text)
{
	g_autoptr (JsonParser) parser = json_parser_new ();
	g_autoptr (GError) error = NULL;

	cr_assert (json_parser_load_from_data (parser, text, -1, &error), "%s",
		   error ? error->message : "");
	return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

JsonObject *
mvt_patients_load (const gchar *name)
{
	g_autofree gchar *path = g_build_filename (MV_TEST_DATADIR, name, NULL);
	g_autofree gchar *text = NULL;

	cr_assert (g_file_get_contents (path, &text, NULL, NULL), "cannot read %s", path);
	return mvt_patients_parse (text);
}

void
mvt_patients_setup (void)
{
	g_autoptr (GError) error = NULL;
	PGconn *conn;

	memset (&mvt, 0, sizeof mvt);
	mvt.pg = mvt_cluster_start (&mvt.dir);
	mvt.db = mv_db_new (mv_pg_embedded_get_conninfo (mvt.pg), 8, &error);
	cr_assert_not_null (mvt.db, "%s", error ? error->message : "");
	conn = mvt_patients_conn ();
	cr_assert (mv_migrate_apply (conn, MV_TEST_SQLDIR, &error), "%s",
		   error ? error->message : "");
	mv_db_release (mvt.db, conn);
	/* the services read their key files from the data dir; dev mode creates them */
	mvt.config = g_new0 (MvConfig, 1);
	mvt.config->data_dir = g_build_filename (mvt.dir, "keys", NULL);
	cr_assert_eq (g_mkdir (mvt.config->data_dir, 0700), 0);
	mvt.services = mv_services_new (mvt.config, mvt.db, TRUE, &error);
	cr_assert_not_null (mvt.services, "%s", error ? error->message : "");
	mvt.store = mv_patient_store_new (mvt.services);
	mvt.clinic_a = mvt_patients_add_clinic ("Clinic A");
	mvt.clinic_b = mvt_patients_add_clinic ("Clinic B");
	mvt.clinician_a = (MvAuthContext){ .role = MV_ROLE_CLINICIAN,
					   .key_id = (gchar *)"ka-clinician",
					   .clinic_id = mvt.clinic_a };
	mvt.clinician_b = (MvAuthContext){ .role = MV_ROLE_CLINICIAN,
					   .key_id = (gchar *)"kb-clinician",
					   .clinic_id = mvt.clinic_b };
	mvt.admin_a = (MvAuthContext){ .role = MV_ROLE_CLINIC_ADMIN,
				       .key_id = (gchar *)"ka-admin",
				       .clinic_id = mvt.clinic_a };
	mvt.admin_b = (MvAuthContext){ .role = MV_ROLE_CLINIC_ADMIN,
				       .key_id = (gchar *)"kb-admin",
				       .clinic_id = mvt.clinic_b };
}

void
mvt_patients_teardown (void)
{
	g_clear_pointer (&mvt.store, mv_patient_store_free);
	g_clear_pointer (&mvt.services, mv_services_free);
	if (mvt.config != NULL) {
		g_free (mvt.config->data_dir);
		g_clear_pointer (&mvt.config, g_free);
	}
	g_clear_pointer (&mvt.db, mv_db_free);
	mvt_cluster_destroy (&mvt.pg, &mvt.dir);
	g_clear_pointer (&mvt.clinic_a, g_free);
	g_clear_pointer (&mvt.clinic_b, g_free);
}
