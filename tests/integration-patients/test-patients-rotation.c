/* Master-key rotation end to end: patients of two clinics, RotateMasterKey over D-Bus, restart
 * with the new key file, every patient still readable over HTTP; the old master key unwraps no
 * clinic key of the database any more. */
#include <criterion/criterion.h>
#include <glib/gstdio.h>
#include <medverse/mv-error.h>
#include <sodium.h>
#include <string.h>

#include "mvt.h"
#include "mv-crypto.h"
#include "mv-db.h"
#include "pt-client.h"

static void
read_all (MvtEnv *env, const PtClinic *clinics, GPtrArray *ids, GPtrArray *bodies)
{
	for (guint i = 0; i < ids->len; i++) {
		const PtClinic *c = &clinics[i % 2];
		g_autofree gchar *path
			= g_strdup_printf ("/v1/patients/%s", (gchar *)ids->pdata[i]);
		g_autoptr (PtResponse) r
			= pt_request (env->url, "GET", path, c->clinician, NULL, NULL, NULL);
		g_autoptr (JsonParser) p = json_parser_new ();
		cr_assert_eq (r->status, 200, "patient %u: %s", i, r->body);
		cr_assert (json_parser_load_from_data (p, bodies->pdata[i], -1, NULL));
		cr_assert (json_node_equal (json_parser_get_root (p),
					    json_object_get_member (json_node_get_object (r->json),
								    "profile")),
			   "patient %u changed", i);
	}
}

Test (rotation, rotate_restart_old_master_opens_nothing, .timeout = 140)
{
	g_autoptr (MvtEnv) env = mvt_env_new ();
	const MvtOptions options = { 0 };
	g_autoptr (GError) error = NULL;
	PtClinic clinics[2] = { { 0 } };
	g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
	g_autoptr (GPtrArray) bodies = g_ptr_array_new_with_free_func (g_free);
	g_autofree gchar *new_key = NULL;
	g_autofree gchar *old_key = NULL;
	g_autofree gchar *live_key = NULL;
	g_autoptr (GDBusConnection) bus = NULL;
	g_autoptr (GVariant) reply = NULL;
	g_autoptr (GVariant) result = NULL;
	g_autoptr (MvVault) old_vault = NULL;
	g_autoptr (MvVault) new_vault = NULL;
	PGconn *conn;
	PGresult *res;

	cr_assert (sodium_init () >= 0);
	mvt_env_prepare (env, &options);
	cr_assert (mvt_bus_start (env, &error), "%s", error ? error->message : "");
	cr_assert (mvt_daemon_spawn (env, &error) && mvt_daemon_wait_ready (env, 60000, &error),
		   "%s", error ? error->message : "");
	for (guint c = 0; c < 2; c++)
		pt_clinic_make (env->url, env->data_dir, &clinics[c]);
	for (guint i = 0; i < 6; i++) {
		gchar *body = g_strdup_printf (
			"{\"mrn\":\"ROT-%u\",\"name\":{\"given\":\"Rot%u\"},"
			"\"conditions\":[{\"system\":\"icd-10\",\"code\":\"I10\"}]}",
			i, i);
		g_autoptr (PtResponse) r = pt_request (env->url, "POST", "/v1/patients",
						       clinics[i % 2].clinician, NULL, NULL, body);
		cr_assert_eq (r->status, 201, "%s", r->body);
		g_ptr_array_add (ids, g_strdup (pt_str (r, "id")));
		g_ptr_array_add (bodies, body);
	}

	/* rotate over the admin D-Bus interface */
	new_key = g_build_filename (env->root, "new-master.key", NULL);
	pt_write_key_file (new_key);
	bus = mvt_dbus_connect (env->bus_address);
	reply = g_dbus_connection_call_sync (
		bus, "org.medverse.Health1", "/org/medverse/Health1", "org.medverse.Health1.Admin",
		"RotateMasterKey", g_variant_new ("(s)", new_key), G_VARIANT_TYPE ("(a{sv})"),
		G_DBUS_CALL_FLAGS_NONE, 30000, NULL, &error);
	cr_assert_not_null (reply, "%s", error ? error->message : "");
	g_variant_get (reply, "(@a{sv})", &result);
	cr_assert (g_variant_lookup (result, "master_key_id", "&s", NULL), "no master_key_id");
	/* the running daemon switched at once */
	read_all (env, clinics, ids, bodies);

	/* restart with the new key in place of the old one */
	cr_assert (mvt_daemon_stop (env, &error), "%s", error ? error->message : "");
	live_key = g_build_filename (env->data_dir, "master.key", NULL);
	old_key = g_build_filename (env->root, "old-master.key", NULL);
	cr_assert_eq (g_rename (live_key, old_key), 0);
	{
		g_autofree gchar *text = NULL;
		cr_assert (g_file_get_contents (new_key, &text, NULL, NULL));
		cr_assert (g_file_set_contents_full (live_key, text, -1,
						     G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error));
	}
	cr_assert (mvt_daemon_spawn (env, &error) && mvt_daemon_wait_ready (env, 60000, &error),
		   "%s", error ? error->message : "");
	read_all (env, clinics, ids, bodies);

	/* the old master unwraps no stored clinic key; the new one unwraps all of them */
	old_vault = mv_vault_new_from_key_file (old_key, &error);
	cr_assert_not_null (old_vault, "%s", error ? error->message : "");
	new_vault = mv_vault_new_from_key_file (live_key, &error);
	cr_assert_not_null (new_vault, "%s", error ? error->message : "");
	conn = pt_db_connect (env->data_dir);
	res = PQexec (conn, "SELECT clinic_id, wrapped_kek FROM clinics");
	cr_assert_eq (PQresultStatus (res), PGRES_TUPLES_OK);
	cr_assert_geq (PQntuples (res), 2);
	for (int i = 0; i < PQntuples (res); i++) {
		g_autoptr (GBytes) wrapped = mv_db_bytea_from_text (PQgetvalue (res, i, 1));
		g_autoptr (GError) e_old = NULL;
		g_autoptr (MvSecret) kek_old = NULL;
		g_autoptr (MvSecret) kek_new = NULL;
		kek_old = mv_vault_unwrap_kek (old_vault, PQgetvalue (res, i, 0), wrapped, &e_old);
		cr_assert_null (kek_old, "the old master still opens clinic %s",
				PQgetvalue (res, i, 0));
		cr_assert (g_error_matches (e_old, MV_ERROR, MV_ERROR_INTEGRITY));
		kek_new = mv_vault_unwrap_kek (new_vault, PQgetvalue (res, i, 0), wrapped, NULL);
		cr_assert_not_null (kek_new);
	}
	PQclear (res);
	PQfinish (conn);
	cr_assert (mvt_daemon_stop (env, &error), "%s", error ? error->message : "");
	for (guint c = 0; c < 2; c++)
		pt_clinic_clear (&clinics[c]);
}
