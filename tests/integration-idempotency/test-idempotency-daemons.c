/*
 * Two daemons on one database receive the same Idempotency-Key at the same moment: exactly one
 * of them runs the request, the other waits and replays its answer; one patient is created.
 * And a request answered by one daemon is replayed by the other.
 *
 * The test owns the PostgreSQL server (a cluster started with mv_pg_embedded in a temp dir, as
 * tests/integration-failover does) and runs two real medversed against it as an external
 * database ([database] url), both with the same master, audit-signing and operator key files,
 * as two instances behind a load balancer would be.
 */
#include <criterion/criterion.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

#include "idem-client.h"
#include "mv-crypto.h"
#include "mv-db.h"
#include "mv-pg-embedded.h"

#define N_PER_DAEMON 6

static void
write_secret_files (const gchar *data_dir)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *master = g_build_filename (data_dir, "master.key", NULL);
	g_autofree gchar *signing = g_build_filename (data_dir, "audit-signing.key", NULL);
	g_autofree gchar *op = g_build_filename (data_dir, "operator.key", NULL);
	g_autofree gchar *token = NULL;
	guint8 raw[32];
	gchar hex[65];

	cr_assert_eq (g_mkdir_with_parents (data_dir, 0700), 0);
	mvt_write_key_file (master);
	cr_assert (mv_audit_signer_generate_key_file (signing, &error), "%s",
		   error ? error->message : "");
	randombytes_buf (raw, sizeof raw);
	sodium_bin2hex (hex, sizeof hex, raw, sizeof raw);
	token = g_strdup_printf ("mvop_%s", hex);
	cr_assert (g_file_set_contents_full (op, token, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
					     &error),
		   "%s", error ? error->message : "");
}

/* the second daemon's data dir: the same key files as the first (mode 0600 kept) */
static void
copy_secret_files (const gchar *from, const gchar *to)
{
	const gchar *names[] = { "master.key", "audit-signing.key", "operator.key" };

	cr_assert_eq (g_mkdir_with_parents (to, 0700), 0);
	for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
		g_autofree gchar *src = g_build_filename (from, names[i], NULL);
		g_autofree gchar *dst = g_build_filename (to, names[i], NULL);
		g_autofree gchar *contents = NULL;
		gsize len = 0;
		cr_assert (g_file_get_contents (src, &contents, &len, NULL));
		cr_assert (g_file_set_contents_full (dst, contents, (gssize)len,
						     G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL));
	}
}

/* without --dev, against the shared server */
static void
start_daemon (MvtEnv *env, const gchar *config)
{
	g_autoptr (GError) error = NULL;

	cr_assert (g_file_set_contents (env->config_path, config, -1, NULL));
	env->production = TRUE;
	cr_assert (mvt_daemon_spawn (env, &error), "%s", error ? error->message : "");
	cr_assert (mvt_daemon_wait_ready (env, 60000, &error), "%s", error ? error->message : "");
}

static gint64
n_patients (PGconn *conn, const gchar *clinic)
{
	const gchar *v[] = { clinic };
	g_autoptr (PGresult) res
		= PQexecParams (conn, "SELECT count(*) FROM patients WHERE clinic_id = $1::uuid", 1,
				NULL, v, NULL, NULL, 0);
	cr_assert_eq (PQresultStatus (res), PGRES_TUPLES_OK, "%s", PQresultErrorMessage (res));
	return g_ascii_strtoll (PQgetvalue (res, 0, 0), NULL, 10);
}

/* N_PER_DAEMON requests to each daemon, all let go at once; returns the patient id all
 * answered, asserting one of them ran and the rest replayed */
static gchar *
race (const gchar *const urls[2], const gchar *token, const gchar *key, const gchar *body)
{
	MvtResponse *responses[2 * N_PER_DAEMON];
	guint n_replayed = 0;
	gchar *id = NULL;

	idem_post_at_once (urls, 2, G_N_ELEMENTS (responses), "/v1/patients", token, key, body,
			   responses);
	for (guint i = 0; i < G_N_ELEMENTS (responses); i++) {
		MvtResponse *r = responses[i];
		cr_assert_not_null (r, "request %u got no answer", i);
		cr_assert_eq (r->status, 201, "request %u (daemon %u): %u %s", i, i % 2, r->status,
			      r->body);
		if (id == NULL)
			id = g_strdup (mvt_str (r, "id"));
		cr_assert_str_eq (mvt_str (r, "id"), id, "request %u answered another patient", i);
		n_replayed += mvt_response_header (r, "Idempotency-Replayed") != NULL;
		mvt_response_free (r);
	}
	cr_assert_eq (n_replayed, G_N_ELEMENTS (responses) - 1, "%u replayed of %u", n_replayed,
		      (guint)G_N_ELEMENTS (responses));
	return id;
}

Test (idempotency_daemons, two_daemons_one_key_one_patient, .timeout = 180)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvtEnv) a = mvt_env_new ();
	g_autoptr (MvtEnv) b = mvt_env_new ();
	g_autofree gchar *pg_root = g_dir_make_tmp ("mv-idem-pg-XXXXXX", &error);
	g_autoptr (MvPgEmbedded) pg = NULL;
	g_autofree gchar *config = NULL;
	g_autofree gchar *op = NULL;
	g_autofree gchar *clinic = NULL;
	g_autofree gchar *clinician = NULL;
	PGconn *conn;

	cr_assert_not_null (pg_root);
	cr_assert_eq (g_chmod (pg_root, 0755), 0);
	pg = mv_pg_embedded_new (pg_root, NULL, NULL);
	cr_assert (mv_pg_embedded_start (pg, &error), "%s", error ? error->message : "");
	config = g_strdup_printf ("[database]\nurl = %s\npool-size = 8\n"
				  "[auth]\nrate-limit-per-second = 100000\n"
				  "rate-limit-burst = 100000\n",
				  mv_pg_embedded_get_conninfo (pg));
	write_secret_files (a->data_dir);
	copy_secret_files (a->data_dir, b->data_dir);
	start_daemon (a, config);
	start_daemon (b, config);
	cr_assert_str_neq (a->url, b->url);
	op = mvt_operator_token (a->data_dir);
	clinic = mvt_create_tenant (a->url, op, "Two Daemons Clinic");
	clinician = mvt_create_key (b->url, op, clinic, "clinician", NULL);
	conn = PQconnectdb (mv_pg_embedded_get_conninfo (pg));
	cr_assert_eq (PQstatus (conn), CONNECTION_OK);

	/* both daemons, the same key, the same moment: one patient (a few rounds, as the
	 * winner is whichever daemon's INSERT comes first) */
	for (guint round = 0; round < 3; round++) {
		const gchar *urls[] = { a->url, b->url };
		g_autofree gchar *key = g_uuid_string_random ();
		g_autofree gchar *body
			= g_strdup_printf ("{\"mrn\":\"TWO-%u-%u\",\"name\":{\"given\":\"Both\"}}",
					   round, g_random_int ());
		g_autofree gchar *id = race (urls, clinician, key, body);

		cr_assert_not_null (id);
		cr_assert_eq (n_patients (conn, clinic), round + 1, "round %u", round);
	}
	/* answered by one, retried at the other */
	{
		g_autofree gchar *key = g_uuid_string_random ();
		g_autoptr (MvtResponse) first
			= idem_post (a->url, "/v1/patients", clinician, key,
				     "{\"mrn\":\"TWO-SEQ\",\"name\":{\"given\":\"Seq\"}}");
		g_autoptr (MvtResponse) again
			= idem_post (b->url, "/v1/patients", clinician, key,
				     "{\"mrn\":\"TWO-SEQ\",\"name\":{\"given\":\"Seq\"}}");
		g_autoptr (MvtResponse) other
			= idem_post (b->url, "/v1/patients", clinician, key,
				     "{\"mrn\":\"TWO-SEQ-2\",\"name\":{\"given\":\"Seq\"}}");

		cr_assert_eq (first->status, 201, "%s", first->body);
		cr_assert_eq (again->status, 201, "%s", again->body);
		cr_assert_str_eq (again->body, first->body);
		cr_assert_str_eq (mvt_response_header (again, "Idempotency-Replayed"), "true");
		cr_assert_eq (other->status, 422, "%s", other->body);
		cr_assert_eq (n_patients (conn, clinic), 4);
	}
	PQfinish (conn);

	cr_assert (mvt_daemon_stop (a, &error), "%s", error ? error->message : "");
	cr_assert (mvt_daemon_stop (b, &error), "%s", error ? error->message : "");
	cr_assert (mv_pg_embedded_stop (pg, &error), "%s", error ? error->message : "");
	g_clear_pointer (&pg, mv_pg_embedded_free);
	{
		const gchar *argv[] = { "rm", "-rf", pg_root, NULL };
		g_spawn_sync (NULL, (gchar **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
			      NULL, NULL, NULL);
	}
}
