/*
 * Benchmark: encrypted patient create and read through the patient store (mv_patient_store_*:
 * unwrap the clinic KEK, new/unwrapped DEK, blind index, seal/open, SQL, audit append) against
 * the same transactions without encryption (same table shapes with the plaintext profile in the
 * bytea column and the MRN in clear, same statements, same audit append), in the same run on
 * the same PostgreSQL.  Prints operations per second and the encrypted/plain ratios.
 *
 *   bench-patients [N]      N creates and N reads of each kind (default 2000)
 *   BENCH_PLAIN_MRN=random  the plain peer's MRNs in random order (see RESULTS.md)
 *   BENCH_WITNESS=none      no audit witness file (both peers)
 *   BENCH_WITNESS=compare   then N more encrypted creates, rounds alternately with and without
 *                           the witness: what witnessing adds to a create (docs/security.md)
 *
 * Run through tests/bench/patients/run.sh.  Not part of the test suite.
 */
#define G_LOG_DOMAIN "medverse-bench"

#include <glib/gstdio.h>
#include <medverse/mv-error.h>
#include <sodium.h>
#include <string.h>

#include "../../../daemon/audit/mv-audit-log.h"
#include "mv-db.h"
#include "mv-migrate.h"
#include "mv-patient-store.h"
#include "mv-pg-embedded.h"
#include "mv-services.h"

static const gchar *plain_ddl[] = {
	"CREATE TABLE bench_plain_patients (clinic_id uuid NOT NULL REFERENCES clinics "
	"(clinic_id), "
	"patient_id uuid NOT NULL, mrn text, version bigint NOT NULL DEFAULT 1, "
	"created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT "
	"now(), "
	"deleted_at timestamptz, PRIMARY KEY (clinic_id, patient_id))",
	"CREATE UNIQUE INDEX bench_plain_mrn ON bench_plain_patients (clinic_id, mrn)",
	"CREATE TABLE bench_plain_records (clinic_id uuid NOT NULL, patient_id uuid NOT NULL, "
	"kind text NOT NULL, version bigint NOT NULL, blob bytea NOT NULL, "
	"updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (clinic_id, patient_id, kind), "
	"FOREIGN KEY (clinic_id, patient_id) REFERENCES bench_plain_patients (clinic_id, "
	"patient_id))",
};

typedef struct {
	const MvAuthContext *caller;
	const gchar *patient_id;
	const gchar *mrn;
	const gchar *profile_text;
	gchar *read_back;
	const MvAuditSigner *signer;
	/* witnessed like the store's heads, so only the crypto differs */
	MvAuditWitness *witness;
} PlainOp;

/* The same statements as the store's create, minus the crypto. */
static gboolean
plain_create_txn (PGconn *conn, gpointer data, GError **error)
{
	PlainOp *op = data;
	const gchar *clinic = op->caller->clinic_id;
	g_autofree gchar *blob
		= mv_db_bytea_to_text ((const guint8 *)op->profile_text, strlen (op->profile_text));
	const gchar *v1[] = { clinic };
	const gchar *v2[] = { clinic, op->patient_id, op->mrn };
	const gchar *v3[] = { clinic, op->patient_id, "profile", blob };
	g_autoptr (PGresult) r1 = mv_db_exec_params (
		conn, "SELECT wrapped_kek FROM clinics WHERE clinic_id = $1", 1, v1, error);
	g_autoptr (PGresult) r2 = NULL;
	g_autoptr (PGresult) r3 = NULL;

	if (r1 == NULL)
		return FALSE;
	r2 = mv_db_exec_params (conn,
				"INSERT INTO bench_plain_patients (clinic_id, patient_id, mrn, "
				"version) VALUES ($1, $2, $3, 1)",
				3, v2, error);
	if (r2 == NULL)
		return FALSE;
	r3 = mv_db_exec_params (conn,
				"INSERT INTO bench_plain_records (clinic_id, patient_id, kind, "
				"version, blob) VALUES ($1, $2, $3, 1, $4)",
				4, v3, error);
	if (r3 == NULL)
		return FALSE;
	return mv_audit_log_append (conn, op->signer, op->witness, op->caller, clinic,
				    "patient.create", "patient", op->patient_id, "bench", error);
}

/* The same statements as the store's read, minus the crypto. */
static gboolean
plain_read_txn (PGconn *conn, gpointer data, GError **error)
{
	PlainOp *op = data;
	const gchar *clinic = op->caller->clinic_id;
	const gchar *v1[] = { clinic, op->patient_id };
	const gchar *v2[] = { clinic };
	const gchar *v3[] = { clinic, op->patient_id, "profile" };
	g_autoptr (PGresult) r1 = mv_db_exec_params (
		conn,
		"SELECT mrn, version, created_at, updated_at FROM bench_plain_patients WHERE "
		"clinic_id = $1 AND patient_id = $2 AND deleted_at IS NULL",
		2, v1, error);
	g_autoptr (PGresult) r2 = NULL;
	g_autoptr (PGresult) r3 = NULL;
	g_autoptr (GBytes) blob = NULL;

	if (r1 == NULL || PQntuples (r1) != 1)
		return r1 != NULL ? (g_set_error (error, MV_ERROR, MV_ERROR_NOT_FOUND, "no row"),
				     FALSE)
				  : FALSE;
	r2 = mv_db_exec_params (conn, "SELECT wrapped_kek FROM clinics WHERE clinic_id = $1", 1, v2,
				error);
	if (r2 == NULL)
		return FALSE;
	r3 = mv_db_exec_params (conn,
				"SELECT version, blob FROM bench_plain_records WHERE clinic_id = "
				"$1 AND patient_id = $2 AND kind = $3",
				3, v3, error);
	if (r3 == NULL || PQntuples (r3) != 1)
		return FALSE;
	blob = mv_db_bytea_from_text (PQgetvalue (r3, 0, 1));
	op->read_back = g_strndup (g_bytes_get_data (blob, NULL), g_bytes_get_size (blob));
	return mv_audit_log_append (conn, op->signer, op->witness, op->caller, clinic,
				    "patient.read", "patient", op->patient_id, "bench", error);
}

static gchar *
profile_text (guint i)
{
	return g_strdup_printf (
		"{\"mrn\":\"BENCH-%06u\",\"name\":{\"given\":\"Given%u\",\"family\":\"Family%u\"},"
		"\"birth_date\":\"1961-12-10\",\"sex\":\"female\",\"language\":\"en\","
		"\"conditions\":[{\"system\":\"icd-10\",\"code\":\"I10\",\"display\":\"Essential "
		"hypertension\",\"status\":\"active\"},"
		"{\"system\":\"snomed-ct\",\"code\":\"44054006\",\"display\":\"Diabetes mellitus "
		"type 2\"}],"
		"\"medications\":[{\"system\":\"atc\",\"code\":\"C09AA05\",\"display\":"
		"\"ramipril\",\"dose\":\"5 mg daily\"}],"
		"\"allergies\":[{\"system\":\"snomed-ct\",\"code\":\"91936005\",\"display\":"
		"\"Penicillin allergy\",\"severity\":\"severe\"}],"
		"\"preferences\":{\"units\":\"metric\",\"contact_opt_in\":true,\"daily_step_goal\":"
		"8000},"
		"\"notes\":\"Prefers morning appointments. Lives alone. Walks the dog twice a "
		"day.\"}",
		i, i, i);
}

static gchar *
add_clinic (MvDb *db, MvServices *services)
{
	g_autoptr (GError) error = NULL;
	MvVault *vault = mv_services_get_vault (services);
	gchar *id = g_uuid_string_random ();
	g_autoptr (GBytes) wrapped = mv_vault_new_kek (vault, id, NULL, &error);
	g_autofree gchar *hex = mv_db_bytea_bytes_to_text (wrapped);
	PGconn *conn = mv_db_acquire (db, 5000, &error);
	const gchar *values[] = { id, "Bench clinic", hex, mv_vault_get_master_key_id (vault) };
	g_autoptr (PGresult) res = NULL;

	res = mv_db_exec_params (conn,
				 "INSERT INTO clinics (clinic_id, name, wrapped_kek, "
				 "master_key_id) VALUES ($1, $2, $3, $4)",
				 4, values, &error);
	if (res == NULL)
		g_error ("clinic: %s", error->message);
	mv_db_release (db, conn);
	return id;
}

static gdouble
now_s (void)
{
	return (gdouble)g_get_monotonic_time () / G_USEC_PER_SEC;
}

/* @n encrypted creates in @rounds rounds, the witness on in even rounds and off in odd ones, so
 * the load of a shared machine hits both alike; prints the mean time of a create each way. */
static void
witness_cost (MvPatientStore *store, MvServices *services, MvAuthContext *caller, guint n)
{
	const guint rounds = 20;
	MvAuditWitness *witness = services->witness;
	gdouble t[2] = { 0, 0 };

	for (guint r = 0; r < rounds; r++) {
		gdouble t0 = now_s ();
		services->witness = r % 2 == 0 ? witness : NULL;
		for (guint i = r * (n / rounds); i < (r + 1) * (n / rounds); i++) {
			g_autoptr (GError) error = NULL;
			g_autoptr (JsonParser) parser = json_parser_new ();
			g_autofree gchar *text = profile_text (3 * n + i);
			g_autofree gchar *id = NULL;

			json_parser_load_from_data (parser, text, -1, NULL);
			id = mv_patient_store_create (
				store, caller, "bench",
				json_node_get_object (json_parser_get_root (parser)), NULL, &error);
			if (id == NULL)
				g_error ("create: %s", error->message);
		}
		t[r % 2] += now_s () - t0;
	}
	services->witness = witness;
	g_print (
		"create  with witness %.2f ms   without %.2f ms   witness adds %.2f ms (%u creates "
		"each, alternating rounds)\n",
		t[0] * 2000 / n, t[1] * 2000 / n, (t[0] - t[1]) * 2000 / n, n / 2);
}

int
main (int argc, char **argv)
{
	guint n = argc > 1 ? (guint)g_ascii_strtoull (argv[1], NULL, 10) : 2000;
	const guint rounds = 20; /* alternate the two peers so drift hits both alike */
	g_autoptr (GError) error = NULL;
	g_autofree gchar *dir = g_dir_make_tmp ("mv-bench-XXXXXX", NULL);
	g_autoptr (MvPgEmbedded) pg = NULL;
	g_autoptr (MvDb) db = NULL;
	MvConfig config = { 0 };
	g_autoptr (MvServices) services = NULL;
	g_autoptr (MvPatientStore) store = NULL;
	g_autofree gchar *clinic = NULL;
	MvAuthContext caller = { .role = MV_ROLE_CLINICIAN, .key_id = (gchar *)"bench" };
	g_autoptr (GPtrArray) enc_ids = g_ptr_array_new_with_free_func (g_free);
	g_autoptr (GPtrArray) plain_ids = g_ptr_array_new_with_free_func (g_free);
	g_autoptr (GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
	gdouble t_enc_create = 0, t_plain_create = 0, t_enc_read = 0, t_plain_read = 0;
	gboolean random_mrn = g_strcmp0 (g_getenv ("BENCH_PLAIN_MRN"), "random") == 0;
	PGconn *conn;

	if (sodium_init () < 0 || n == 0 || n % rounds != 0)
		g_error ("usage: bench-patients [N, a multiple of %u]", rounds);
	g_chmod (dir, 0755);
	pg = mv_pg_embedded_new (dir, NULL, NULL);
	if (!mv_pg_embedded_start (pg, &error))
		g_error ("%s", error->message);
	db = mv_db_new (mv_pg_embedded_get_conninfo (pg), 4, &error);
	conn = mv_db_acquire (db, 30000, &error);
	if (conn == NULL || !mv_migrate_apply (conn, MV_BENCH_SQLDIR, &error))
		g_error ("%s", error->message);
	for (guint i = 0; i < G_N_ELEMENTS (plain_ddl); i++) {
		if (!mv_db_exec (conn, plain_ddl[i], &error))
			g_error ("%s", error->message);
	}
	mv_db_release (db, conn);
	config.data_dir = g_build_filename (dir, "keys", NULL);
	g_mkdir (config.data_dir, 0700);
	services = mv_services_new (&config, db, TRUE, &error);
	if (services == NULL)
		g_error ("%s", error->message);
	if (g_strcmp0 (g_getenv ("BENCH_WITNESS"), "none") == 0)
		g_clear_pointer (&services->witness, mv_audit_witness_free);
	store = mv_patient_store_new (services);
	clinic = add_clinic (db, services);
	caller.clinic_id = clinic;
	for (guint i = 0; i < 2 * n; i++)
		g_ptr_array_add (texts, profile_text (i));

	for (guint r = 0; r < rounds; r++) {
		guint lo = r * (n / rounds), hi = (r + 1) * (n / rounds);
		gdouble t0 = now_s ();
		for (guint i = lo; i < hi; i++) {
			g_autoptr (JsonParser) parser = json_parser_new ();
			gchar *id;
			/* the HTTP adapter hands the store a parsed body: parse here too */
			json_parser_load_from_data (parser, texts->pdata[i], -1, NULL);
			id = mv_patient_store_create (
				store, &caller, "bench",
				json_node_get_object (json_parser_get_root (parser)), NULL, &error);
			if (id == NULL)
				g_error ("create: %s", error->message);
			g_ptr_array_add (enc_ids, id);
		}
		t_enc_create += now_s () - t0;
		t0 = now_s ();
		for (guint i = lo; i < hi; i++) {
			g_autoptr (JsonParser) parser = json_parser_new ();
			g_autoptr (JsonNode) node = NULL;
			/* BENCH_PLAIN_MRN=random: the plain index gets keys in random order, as the
			 * blind index does, to separate index locality from crypto cost */
			g_autofree gchar *mrn
				= random_mrn ? g_strdup_printf ("%08x%06u", g_random_int (), n + i)
					     : g_strdup_printf ("BENCH-%06u", n + i);
			PlainOp op = { &caller,		 NULL, mrn, NULL, NULL, services->signer,
				       services->witness };
			gchar *id = g_uuid_string_random ();
			/* same parse and serialisation as the store, so only the crypto differs */
			json_parser_load_from_data (parser, texts->pdata[n + i], -1, NULL);
			node = json_node_copy (json_parser_get_root (parser));
			{
				g_autofree gchar *text = json_to_string (node, FALSE);
				op.patient_id = id;
				op.profile_text = text;
				if (!mv_db_transaction (db, plain_create_txn, &op, &error))
					g_error ("plain create: %s", error->message);
			}
			g_ptr_array_add (plain_ids, id);
		}
		t_plain_create += now_s () - t0;
	}
	for (guint r = 0; r < rounds; r++) {
		guint lo = r * (n / rounds), hi = (r + 1) * (n / rounds);
		gdouble t0 = now_s ();
		for (guint i = lo; i < hi; i++) {
			g_autoptr (JsonObject) p = mv_patient_store_get (
				store, &caller, "bench", enc_ids->pdata[i], NULL, &error);
			g_autoptr (JsonNode) node = NULL;
			g_autofree gchar *text = NULL;
			if (p == NULL)
				g_error ("read: %s", error->message);
			node = json_node_init_object (json_node_alloc (), p);
			text = json_to_string (node, FALSE);
		}
		t_enc_read += now_s () - t0;
		t0 = now_s ();
		for (guint i = lo; i < hi; i++) {
			PlainOp op = { &caller,		 plain_ids->pdata[i], NULL, NULL, NULL,
				       services->signer, services->witness };
			g_autoptr (JsonParser) parser = json_parser_new ();
			g_autoptr (JsonNode) node = NULL;
			g_autofree gchar *text = NULL;
			if (!mv_db_transaction (db, plain_read_txn, &op, &error))
				g_error ("plain read: %s", error->message);
			json_parser_load_from_data (parser, op.read_back, -1, NULL);
			node = json_node_copy (json_parser_get_root (parser));
			text = json_to_string (node, FALSE);
			g_free (op.read_back);
		}
		t_plain_read += now_s () - t0;
	}

	g_print ("patients bench: %u creates and %u reads per peer, 1 client thread, embedded "
		 "PostgreSQL on a Unix socket, audit append in every transaction (both peers), "
		 "%s\n",
		 n, n,
		 services->witness != NULL ? "heads witnessed (fdatasync)" : "no audit witness");
	g_print ("create  encrypted %8.0f /s   plain %8.0f /s   ratio %.2f\n", n / t_enc_create,
		 n / t_plain_create, t_plain_create / t_enc_create);
	g_print ("read    encrypted %8.0f /s   plain %8.0f /s   ratio %.2f\n", n / t_enc_read,
		 n / t_plain_read, t_plain_read / t_enc_read);
	g_print ("goal: ratio >= 0.80 for both: %s\n",
		 t_plain_create / t_enc_create >= 0.8 && t_plain_read / t_enc_read >= 0.8
			 ? "met"
			 : "NOT met");

	if (g_strcmp0 (g_getenv ("BENCH_WITNESS"), "compare") == 0 && services->witness != NULL)
		witness_cost (store, services, &caller, n);

	g_clear_pointer (&store, mv_patient_store_free);
	g_clear_pointer (&services, mv_services_free);
	g_free (config.data_dir);
	g_clear_pointer (&db, mv_db_free);
	if (!mv_pg_embedded_stop (pg, &error))
		g_warning ("%s", error->message);
	{
		const gchar *rm[] = { "rm", "-rf", dir, NULL };
		g_spawn_sync (NULL, (gchar **)rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
			      NULL, NULL);
	}
	return 0;
}
