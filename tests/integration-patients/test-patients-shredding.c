/* Crypto-shredding against backups, end to end: the real daemon, its PostgreSQL and D-Bus, and
 * the built medversectl.  A "backup" of patient A's rows is kept in the test, A is deleted
 * over HTTP, a shredding epoch is run (`medversectl keys rotate-clinic`, then
 * `keys rotate-master`), and the backed-up keys open nothing with what the installation now
 * holds, while patient B of the same clinic is still readable and still found by MRN. */
#include <criterion/criterion.h>
#include <glib/gstdio.h>
#include <medverse/mv-error.h>
#include <sodium.h>
#include <string.h>

#include "mvt.h"
#include "mv-crypto.h"
#include "mv-db.h"
#include "pt-client.h"

#define PROFILE_A "{\"mrn\":\"SHRED-A-1\",\"name\":{\"given\":\"Ashred\"}}"
#define PROFILE_B "{\"mrn\":\"SHRED-B-2\",\"name\":{\"given\":\"Bkeep\"}}"

/* Runs the built medversectl on @env's bus; returns its exit status, stdout in @out. */
static gint
ctl (MvtEnv *env, const gchar *const *args, gchar **out, gchar **err)
{
	return mvt_run_medversectl (env->bus_address, args, out, err);
}

/* medversectl's JSON answer, asserting it exited 0 */
static JsonObject *
ctl_json (MvtEnv *env, const gchar *const *args)
{
	g_autofree gchar *out = NULL;
	g_autofree gchar *err = NULL;
	gint status = ctl (env, args, &out, &err);
	g_autoptr (JsonNode) node = NULL;

	cr_assert_eq (status, 0, "medversectl %s %s: exit %d: %s", args[0], args[1], status, err);
	node = json_from_string (out, NULL);
	cr_assert (node != NULL && JSON_NODE_HOLDS_OBJECT (node), "not a JSON object: %s", out);
	return json_object_ref (json_node_get_object (node));
}

static GBytes *
db_bytes (PGconn *conn, const gchar *sql, gint n, const gchar *const *values)
{
	g_autofree gchar *text = pt_db_value (conn, sql, n, values);

	cr_assert_not_null (text, "%s: no value", sql);
	return mv_db_bytea_from_text (text);
}

static gchar *
create_patient (MvtEnv *env, const PtClinic *clinic, const gchar *profile)
{
	g_autoptr (PtResponse) r = pt_request (env->url, "POST", "/v1/patients", clinic->clinician,
					       NULL, NULL, profile);
	cr_assert_eq (r->status, 201, "%s", r->body);
	return g_strdup (pt_str (r, "id"));
}

/* What a backup taken before the delete holds of patient A and its clinic. */
typedef struct {
	GBytes *wrapped_kek;
	GBytes *wrapped_dek;
	GBytes *profile_blob;
	guint64 profile_version;
} Backup;

static void
backup_clear (Backup *b)
{
	g_clear_pointer (&b->wrapped_kek, g_bytes_unref);
	g_clear_pointer (&b->wrapped_dek, g_bytes_unref);
	g_clear_pointer (&b->profile_blob, g_bytes_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Backup, backup_clear)

static void
take_backup (PGconn *conn, const gchar *clinic, const gchar *patient, Backup *b)
{
	const gchar *vc[] = { clinic };
	const gchar *vp[] = { clinic, patient };
	g_autofree gchar *version = NULL;

	b->wrapped_kek
		= db_bytes (conn, "SELECT wrapped_kek FROM clinics WHERE clinic_id = $1", 1, vc);
	b->wrapped_dek = db_bytes (
		conn, "SELECT wrapped_dek FROM patients WHERE clinic_id = $1 AND patient_id = $2",
		2, vp);
	b->profile_blob = db_bytes (conn,
				    "SELECT blob FROM patient_records WHERE clinic_id = $1 AND "
				    "patient_id = $2 AND kind = 'profile'",
				    2, vp);
	version = pt_db_value (conn,
			       "SELECT version FROM patient_records WHERE clinic_id = $1 AND "
			       "patient_id = $2 AND kind = 'profile'",
			       2, vp);
	b->profile_version = g_ascii_strtoull (version, NULL, 10);
}

/* The backup opens with the keys it was made under: proof that the checks after the epoch
 * fail because the keys are gone, not because the backup is unreadable anyway. */
static void
assert_backup_opens (MvVault *master, const gchar *clinic, const gchar *patient, const Backup *b)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvSecret) kek = mv_vault_unwrap_kek (master, clinic, b->wrapped_kek, &error);
	g_autoptr (MvSecret) dek = NULL;
	g_autoptr (GBytes) plain = NULL;

	cr_assert_not_null (kek, "%s", error ? error->message : "");
	dek = mv_vault_unwrap_dek (kek, clinic, patient, b->wrapped_dek, &error);
	cr_assert_not_null (dek, "%s", error ? error->message : "");
	plain = mv_vault_open (dek, clinic, patient, "profile", b->profile_version, b->profile_blob,
			       &error);
	cr_assert_not_null (plain, "%s", error ? error->message : "");
	cr_assert (memmem (g_bytes_get_data (plain, NULL), g_bytes_get_size (plain), "Ashred", 6)
		   != NULL);
}

static void
assert_integrity_error (GError *error, const gchar *what)
{
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INTEGRITY), "%s: %s", what,
		   error != NULL ? error->message : "it worked");
}

static void
assert_b_readable_and_found (MvtEnv *env, const PtClinic *clinic, const gchar *id_b)
{
	g_autofree gchar *path = g_strdup_printf ("/v1/patients/%s", id_b);
	g_autoptr (PtResponse) get
		= pt_request (env->url, "GET", path, clinic->clinician, NULL, NULL, NULL);
	g_autoptr (PtResponse) search = pt_request (env->url, "GET", "/v1/patients?mrn=shred-b-2",
						    clinic->clinician, NULL, NULL, NULL);
	g_autoptr (JsonNode) expected = json_from_string (PROFILE_B, NULL);
	JsonArray *found;

	cr_assert_eq (get->status, 200, "%s", get->body);
	cr_assert (json_node_equal (
		expected, json_object_get_member (json_node_get_object (get->json), "profile")));
	cr_assert_eq (search->status, 200, "%s", search->body);
	found = json_object_get_array_member (json_node_get_object (search->json), "patients");
	cr_assert_eq (json_array_get_length (found), 1, "%s", search->body);
	cr_assert_str_eq (
		json_object_get_string_member (json_array_get_object_element (found, 0), "id"),
		id_b);
}

Test (shredding, backup_of_a_deleted_patient_opens_nothing_after_the_epoch, .timeout = 140)
{
	g_autoptr (MvtEnv) env = mvt_env_new ();
	/* a patient made a moment ago may be erased: no retention period */
	const MvtOptions options = { .config = "[records]\nretention-years=0\n" };
	g_autoptr (GError) error = NULL;
	g_auto (PtClinic) clinic = { 0 };
	g_auto (Backup) backup = { 0 };
	g_autofree gchar *id_a = NULL;
	g_autofree gchar *id_b = NULL;
	g_autofree gchar *old_key = NULL;
	g_autofree gchar *new_key = NULL;
	g_autoptr (MvVault) old_master = NULL;
	g_autoptr (MvVault) new_master = NULL;
	g_autoptr (JsonObject) rotated = NULL;
	g_autoptr (JsonObject) mastered = NULL;
	g_autoptr (GBytes) kek_now = NULL;
	g_autoptr (MvSecret) current_kek = NULL;
	g_autoptr (MvSecret) dek = NULL;
	g_autoptr (MvSecret) kek_backup = NULL;
	g_autoptr (GError) e_dek = NULL;
	g_autoptr (GError) e_kek = NULL;
	PGconn *conn;

	cr_assert (sodium_init () >= 0);
	mvt_env_prepare (env, &options);
	cr_assert (mvt_bus_start (env, &error), "%s", error ? error->message : "");
	cr_assert (mvt_daemon_spawn (env, &error) && mvt_daemon_wait_ready (env, 60000, &error),
		   "%s", error ? error->message : "");
	pt_clinic_make (env->url, env->data_dir, &clinic);
	id_a = create_patient (env, &clinic, PROFILE_A);
	id_b = create_patient (env, &clinic, PROFILE_B);
	conn = pt_db_connect (env->data_dir);
	take_backup (conn, clinic.id, id_a, &backup);
	old_key = g_build_filename (env->data_dir, "master.key", NULL);
	old_master = mv_vault_new_from_key_file (old_key, &error);
	cr_assert_not_null (old_master, "%s", error ? error->message : "");
	assert_backup_opens (old_master, clinic.id, id_a, &backup);

	{
		g_autofree gchar *path
			= g_strdup_printf ("/v1/patients/%s?reason=patient-request", id_a);
		g_autoptr (PtResponse) del
			= pt_request (env->url, "DELETE", path, clinic.admin, NULL, NULL, NULL);
		cr_assert_eq (del->status, 204, "%s", del->body);
	}

	/* the epoch: the clinic's key, then the master key */
	rotated = ctl_json (env,
			    (const gchar *const[]){ "keys", "rotate-clinic", clinic.id, NULL });
	cr_assert_str_eq (json_object_get_string_member (rotated, "tenant_id"), clinic.id);
	cr_assert_eq (json_object_get_int_member (rotated, "patients_rewrapped"), 1);
	new_key = g_build_filename (env->root, "master-2.key", NULL);
	pt_write_key_file (new_key);
	mastered = ctl_json (env, (const gchar *const[]){ "keys", "rotate-master", new_key, NULL });
	new_master = mv_vault_new_from_key_file (new_key, &error);
	cr_assert_not_null (new_master, "%s", error ? error->message : "");
	cr_assert_str_eq (json_object_get_string_member (mastered, "master_key_id"),
			  mv_vault_get_master_key_id (new_master));

	/* what the installation holds now: the current master and the clinic's current KEK */
	{
		const gchar *vc[] = { clinic.id };
		kek_now = db_bytes (conn, "SELECT wrapped_kek FROM clinics WHERE clinic_id = $1", 1,
				    vc);
	}
	current_kek = mv_vault_unwrap_kek (new_master, clinic.id, kek_now, &error);
	cr_assert_not_null (current_kek, "%s", error ? error->message : "");
	dek = mv_vault_unwrap_dek (current_kek, clinic.id, id_a, backup.wrapped_dek, &e_dek);
	cr_assert_null (dek, "the backed-up DEK unwraps under the clinic's current KEK");
	assert_integrity_error (e_dek, "backed-up DEK under the current KEK");
	kek_backup = mv_vault_unwrap_kek (new_master, clinic.id, backup.wrapped_kek, &e_kek);
	cr_assert_null (kek_backup, "the backed-up KEK unwraps under the current master key");
	assert_integrity_error (e_kek, "backed-up KEK under the current master");
	/* only the old master file, which the operator now destroys, still opens the backup */
	assert_backup_opens (old_master, clinic.id, id_a, &backup);

	assert_b_readable_and_found (env, &clinic, id_b);
	{
		const gchar *v[] = { clinic.id };
		g_autofree gchar *n
			= pt_db_value (conn,
				       "SELECT count(*) FROM audit_entries WHERE "
				       "clinic_id = $1 AND action = 'clinic-key.rotate' "
				       "AND resource_id = $1",
				       1, v);
		cr_assert_str_eq (n, "1");
	}
	PQfinish (conn);
	cr_assert (mvt_daemon_stop (env, &error), "%s", error ? error->message : "");
}

/* `keys rotate-clinic --all` rotates every tenant (each its own transaction) and keeps every
 * patient readable and searchable; an unknown tenant is an error naming nothing secret. */
Test (shredding, rotate_clinic_all_and_errors, .timeout = 140)
{
	g_autoptr (MvtEnv) env = mvt_env_new ();
	const MvtOptions options = { 0 };
	g_autoptr (GError) error = NULL;
	g_auto (PtClinic) one = { 0 };
	g_auto (PtClinic) two = { 0 };
	g_autofree gchar *id_b = NULL;
	g_autofree gchar *out = NULL;
	g_autofree gchar *err = NULL;
	g_autofree gchar *kek_before = NULL;
	g_autofree gchar *kek_after = NULL;
	PGconn *conn;
	gint status;

	mvt_env_prepare (env, &options);
	cr_assert (mvt_bus_start (env, &error), "%s", error ? error->message : "");
	cr_assert (mvt_daemon_spawn (env, &error) && mvt_daemon_wait_ready (env, 60000, &error),
		   "%s", error ? error->message : "");
	pt_clinic_make (env->url, env->data_dir, &one);
	pt_clinic_make (env->url, env->data_dir, &two);
	id_b = create_patient (env, &one, PROFILE_B);
	conn = pt_db_connect (env->data_dir);
	kek_before = pt_db_value (conn,
				  "SELECT string_agg(md5(wrapped_kek), ',' ORDER BY "
				  "clinic_id) FROM clinics",
				  0, NULL);

	status = ctl (env, (const gchar *const[]){ "keys", "rotate-clinic", "--all", NULL }, &out,
		      &err);
	cr_assert_eq (status, 0, "exit %d: %s", status, err);
	cr_assert_not_null (strstr (out, one.id), "%s", out);
	cr_assert_not_null (strstr (out, two.id), "%s", out);
	kek_after = pt_db_value (conn,
				 "SELECT string_agg(md5(wrapped_kek), ',' ORDER BY "
				 "clinic_id) FROM clinics",
				 0, NULL);
	{
		g_auto (GStrv) before = g_strsplit (kek_before, ",", -1);
		g_auto (GStrv) after = g_strsplit (kek_after, ",", -1);
		cr_assert_eq (g_strv_length (before), g_strv_length (after));
		for (guint i = 0; before[i] != NULL; i++)
			cr_assert_str_neq (before[i], after[i], "tenant %u kept its key", i);
	}
	assert_b_readable_and_found (env, &one, id_b);

	g_clear_pointer (&out, g_free);
	g_clear_pointer (&err, g_free);
	status = ctl (env,
		      (const gchar *const[]){ "keys", "rotate-clinic",
					      "00000000-0000-4000-8000-000000000000", NULL },
		      &out, &err);
	cr_assert_eq (status, 1, "exit %d: %s", status, out);
	cr_assert_not_null (strstr (err, "no tenant"), "%s", err);
	g_clear_pointer (&out, g_free);
	g_clear_pointer (&err, g_free);
	status = ctl (env, (const gchar *const[]){ "keys", "rotate-clinic", NULL }, &out, &err);
	cr_assert_eq (status, 1, "exit %d", status);
	cr_assert_not_null (strstr (err, "rotate-clinic TENANT|--all"), "%s", err);
	PQfinish (conn);
	cr_assert (mvt_daemon_stop (env, &error), "%s", error ? error->message : "");
}
