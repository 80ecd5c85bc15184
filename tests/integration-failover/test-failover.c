/*
 * PostgreSQL stopped and restarted under a steady, bounded loopback load (issue 3, point 6).
 *
 * The test owns the PostgreSQL server (a cluster it starts with mv_pg_embedded in a temp dir)
 * and runs the real medversed against it as an external database ([database] url), so it can
 * stop and start the server behind the daemon's back.  Four client threads write at a bounded
 * pace, two creating tenants (POST /v1/admin/tenants) and two creating patients of one clinic
 * (POST /v1/patients: sealed profile, wrapped key, blind index and audit entry in one
 * transaction), while a fifth polls /readyz.  Checked:
 *   - while the server is down, requests answer 503 quickly (no hang, no 500) and /readyz is
 *     503;
 *   - when it is back, the daemon serves writes again by itself (no restart) and /readyz is 200;
 *   - every write acknowledged with 201 is there afterwards (each tenant in the database,
 *     each patient read back and decrypted over HTTP), and the audit log verifies.
 * Figures are printed (requests, statuses, worst latency while down, time to recover).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <medverse/mv-error.h>
#include <sodium.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mvt.h"
#include "mv-crypto.h"
#include "mv-db.h"
#include "mv-pg-embedded.h"

#define N_WRITERS 4
#define PACE_MS 25

typedef enum { PHASE_UP, PHASE_DOWN, PHASE_BACK, PHASE_DONE } Phase;

typedef struct {
	gchar *url;
	gchar *token;	  /* operator */
	gchar *clinician; /* a key of the clinic the patient writers fill */
	volatile gint phase;
	GMutex lock;
	GPtrArray *acked;	   /* tenant ids acknowledged with 201 */
	GPtrArray *acked_patients; /* patient ids acknowledged with 201 */
	guint n_requests[PHASE_DONE];
	guint n_ok[PHASE_DONE];
	guint n_503[PHASE_DONE];
	guint n_other[PHASE_DONE];
	gint64 worst_down_ms;
	guint ready_503;
	guint ready_200_after;
	gint64 first_ok_after_us;
	gchar *other_example;
	GHashTable *down_messages;	/* error messages of the 503s while down (a set) */
	guint down_without_retry_after; /* 503s while down without a Retry-After of 1 s or more */
} Load;

/* @member_out: the string member @member of a 201 answer */
static guint
request (Load *load,
	 const gchar *token,
	 const gchar *method,
	 const gchar *path,
	 const gchar *body,
	 const gchar *member,
	 gchar **member_out,
	 gint64 *elapsed_ms)
{
	MvtRequest req = {
		.base_url = load->url,
		.method = method,
		.path = path,
		.content_type = body != NULL ? "application/json" : NULL,
		.body = body,
		.len = -1,
		.token = token,
		.timeout_s = 20,
	};
	gint64 start = g_get_monotonic_time ();
	g_autoptr (MvtResponse) resp = mvt_request_send (&req, NULL);
	guint status = resp != NULL ? resp->status : 0;

	*elapsed_ms = (g_get_monotonic_time () - start) / 1000;
	if (status == 503 && g_atomic_int_get (&load->phase) == PHASE_DOWN) {
		const gchar *message = mvt_error_member (resp, "message");
		g_mutex_lock (&load->lock);
		g_hash_table_add (load->down_messages, g_strdup (message != NULL ? message : "-"));
		/* a client must be told when to come back */
		if (resp->retry_after == NULL || atoi (resp->retry_after) <= 0)
			load->down_without_retry_after++;
		g_mutex_unlock (&load->lock);
	}
	if (status == 201 && member_out != NULL)
		*member_out = g_strdup (mvt_str (resp, member));
	return status;
}

typedef struct {
	Load *load;
	gboolean patients; /* creates patients, not tenants */
	guint index;
} Writer;

static gpointer
writer (gpointer data)
{
	Writer *w = data;
	Load *load = w->load;
	guint n = 0;

	while (g_atomic_int_get (&load->phase) != PHASE_DONE) {
		g_autofree gchar *body
			= w->patients ? g_strdup_printf ("{\"mrn\":\"FO-%u-%u\",\"name\":"
							 "{\"given\":\"Failover\"}}",
							 w->index, n++)
				      : g_strdup_printf ("{\"name\": \"failover %u %u\"}", w->index,
							 n++);
		g_autofree gchar *id = NULL;
		gint phase = g_atomic_int_get (&load->phase);
		gint64 elapsed = 0;
		guint status = w->patients
				       ? request (load, load->clinician, "POST", "/v1/patients",
						  body, "id", &id, &elapsed)
				       : request (load, load->token, "POST", "/v1/admin/tenants",
						  body, "id", &id, &elapsed);

		g_mutex_lock (&load->lock);
		load->n_requests[phase]++;
		if (status == 201 && id != NULL) {
			load->n_ok[phase]++;
			g_ptr_array_add (w->patients ? load->acked_patients : load->acked,
					 g_steal_pointer (&id));
			if (phase == PHASE_BACK && load->first_ok_after_us == 0)
				load->first_ok_after_us = g_get_monotonic_time ();
		} else if (status == 503) {
			load->n_503[phase]++;
		} else {
			load->n_other[phase]++;
			if (load->other_example == NULL)
				load->other_example
					= g_strdup_printf ("status %u in phase %d", status, phase);
		}
		/* a 2xx that raced the stop is fine; only requests sent while down count */
		if (phase == PHASE_DOWN && g_atomic_int_get (&load->phase) == PHASE_DOWN)
			load->worst_down_ms = MAX (load->worst_down_ms, elapsed);
		g_mutex_unlock (&load->lock);
		g_usleep (PACE_MS * 1000);
	}
	return NULL;
}

static gpointer
ready_poller (gpointer data)
{
	Load *load = data;

	while (g_atomic_int_get (&load->phase) != PHASE_DONE) {
		gint phase = g_atomic_int_get (&load->phase);
		gint64 elapsed = 0;
		guint status
			= request (load, load->token, "GET", "/readyz", NULL, NULL, NULL, &elapsed);

		g_mutex_lock (&load->lock);
		if (phase == PHASE_DOWN && status == 503)
			load->ready_503++;
		if (phase == PHASE_BACK && status == 200)
			load->ready_200_after++;
		g_mutex_unlock (&load->lock);
		g_usleep (100 * 1000);
	}
	return NULL;
}

/* the phases end on what happened, not after a time: a count of @load reaching @n */
typedef struct {
	Load *load;
	const guint *counter;
	guint n;
} Goal;

static gboolean
goal_met (gpointer data)
{
	Goal *goal = data;
	gboolean met;

	g_mutex_lock (&goal->load->lock);
	met = *goal->counter >= goal->n;
	g_mutex_unlock (&goal->load->lock);
	return met;
}

static void
wait_for_count (Load *load, const guint *counter, guint n, const gchar *what)
{
	Goal goal = { load, counter, n };
	cr_assert (mvt_wait_until (goal_met, &goal, 60000), "%s: fewer than %u in 60 s", what, n);
}

static void
write_secret_files (const gchar *data_dir, gchar **token)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *master = g_build_filename (data_dir, "master.key", NULL);
	g_autofree gchar *signing = g_build_filename (data_dir, "audit-signing.key", NULL);
	g_autofree gchar *op = g_build_filename (data_dir, "operator.key", NULL);
	guint8 raw[32];
	gchar hex[65];

	cr_assert_eq (g_mkdir_with_parents (data_dir, 0700), 0);
	cr_assert (mv_vault_generate_key_file (master, &error), "%s", error ? error->message : "");
	cr_assert (mv_audit_signer_generate_key_file (signing, &error), "%s",
		   error ? error->message : "");
	randombytes_buf (raw, sizeof raw);
	sodium_bin2hex (hex, sizeof hex, raw, sizeof raw);
	*token = g_strdup_printf ("mvop_%s", hex);
	cr_assert (g_file_set_contents_full (op, *token, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
					     &error),
		   "%s", error ? error->message : "");
}

/* without --dev, as in production: the key files above must do */
static void
spawn_daemon (MvtEnv *env)
{
	g_autoptr (GError) error = NULL;

	env->production = TRUE;
	cr_assert (mvt_daemon_spawn (env, &error), "%s", error ? error->message : "");
}

static gboolean
all_acked_present (MvDb *db, GPtrArray *acked, guint *n_missing, gchar **example)
{
	g_autoptr (GError) error = NULL;
	PGconn *conn = mv_db_acquire (db, 5000, &error);

	cr_assert_not_null (conn, "%s", error ? error->message : "");
	*n_missing = 0;
	for (guint i = 0; i < acked->len; i++) {
		const gchar *values[] = { g_ptr_array_index (acked, i) };
		g_autoptr (PGresult) res = mv_db_exec_params (
			conn, "SELECT 1 FROM clinics WHERE clinic_id = $1::uuid", 1, values,
			&error);
		cr_assert_not_null (res, "%s", error ? error->message : "");
		if (PQntuples (res) != 1) {
			if (*n_missing == 0)
				*example = g_strdup (values[0]);
			(*n_missing)++;
		}
	}
	mv_db_release (db, conn);
	return *n_missing == 0;
}

/* every acknowledged patient answers 200 over HTTP: its row, wrapped key and sealed profile
 * all survived, and still open */
static guint
patients_unreadable (Load *load, gchar **example)
{
	guint n = 0;

	for (guint i = 0; i < load->acked_patients->len; i++) {
		const gchar *id = g_ptr_array_index (load->acked_patients, i);
		g_autofree gchar *path = g_strconcat ("/v1/patients/", id, NULL);
		gint64 elapsed = 0;
		guint status
			= request (load, load->clinician, "GET", path, NULL, NULL, NULL, &elapsed);
		if (status != 200) {
			if (n == 0)
				*example = g_strdup_printf ("%s: %u", id, status);
			n++;
		}
	}
	return n;
}

/* a clinic and a clinician key for the patient writers, made while the server is up */
static void
make_clinic (Load *load)
{
	g_autofree gchar *clinic = NULL;
	g_autofree gchar *path = NULL;
	gint64 elapsed = 0;

	cr_assert_eq (request (load, load->token, "POST", "/v1/admin/tenants",
			       "{\"name\":\"Failover Clinic\"}", "id", &clinic, &elapsed),
		      201);
	cr_assert_not_null (clinic);
	path = g_strdup_printf ("/v1/admin/tenants/%s/keys", clinic);
	cr_assert_eq (request (load, load->token, "POST", path, "{\"role\":\"clinician\"}", "token",
			       &load->clinician, &elapsed),
		      201);
	cr_assert_not_null (load->clinician);
}

static gint
run_audit_verify (MvtEnv *env, gchar **out)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *o = NULL, *e = NULL;
	gint status = -1;
	const gchar *argv[] = { mvt_getenv ("MEDVERSECTL"),
				"--config",
				env->config_path,
				"--data-dir",
				env->data_dir,
				"audit",
				"verify",
				NULL };

	cr_assert (
		g_spawn_sync (NULL, (gchar **)argv, NULL, 0, NULL, NULL, &o, &e, &status, &error),
		"%s", error ? error->message : "");
	*out = g_strconcat (o, e, NULL);
	return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

/* A 503 while the database is away says so in general terms: libpq's own text names the
 * socket path or host ("connection to server on socket \"/…/.s.PGSQL.5432\" failed"). */
static void
assert_down_messages_generic (Load *load)
{
	GHashTableIter iter;
	const gchar *message;

	cr_assert_eq (load->down_without_retry_after, 0, "%u 503s without Retry-After",
		      load->down_without_retry_after);
	cr_assert (g_hash_table_contains (load->down_messages, MV_DB_UNAVAILABLE_MESSAGE),
		   "no 503 said \"%s\" (%u distinct messages)", MV_DB_UNAVAILABLE_MESSAGE,
		   g_hash_table_size (load->down_messages));
	g_hash_table_iter_init (&iter, load->down_messages);
	while (g_hash_table_iter_next (&iter, (gpointer *)&message, NULL)) {
		cr_assert_null (strstr (message, "/"), "a 503 names a path: %s", message);
		cr_assert_null (strstr (message, "PGSQL"), "a 503 names a socket: %s", message);
		cr_assert_null (strstr (message, "connection to server"), "libpq's text: %s",
				message);
	}
}

Test (failover, postgres_restart_under_load, .timeout = 120)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvtEnv) env = mvt_env_new ();
	g_autofree gchar *pg_root = g_dir_make_tmp ("mv-failover-pg-XXXXXX", &error);
	g_autoptr (MvPgEmbedded) pg = NULL;
	g_autoptr (MvDb) db = NULL;
	g_autofree gchar *config = NULL;
	g_autofree gchar *missing_example = NULL, *verify_out = NULL, *unreadable_example = NULL;
	GThread *threads[N_WRITERS + 1];
	Writer writers[N_WRITERS];
	Load load = { 0 };
	gint64 down_at, back_at;
	guint n_missing = 0;
	guint n_unreadable;
	gint verify_status;

	/* the server: the cluster user must be able to reach it when the test runs as root */
	cr_assert_not_null (pg_root);
	cr_assert_eq (g_chmod (pg_root, 0755), 0);
	pg = mv_pg_embedded_new (pg_root, NULL, NULL);
	cr_assert (mv_pg_embedded_start (pg, &error), "%s", error ? error->message : "");
	db = mv_db_new (mv_pg_embedded_get_conninfo (pg), 2, &error);
	cr_assert_not_null (db);

	/* the daemon, against it as an external database */
	config = g_strdup_printf ("[database]\nurl = %s\npool-size = 6\n"
				  "[auth]\nrate-limit-per-second = 100000\n"
				  "rate-limit-burst = 100000\n",
				  mv_pg_embedded_get_conninfo (pg));
	cr_assert (g_file_set_contents (env->config_path, config, -1, NULL));
	write_secret_files (env->data_dir, &load.token);
	spawn_daemon (env);
	cr_assert (mvt_daemon_wait_ready (env, 60000, &error), "%s", error ? error->message : "");
	load.url = g_strdup (env->url);
	load.acked = g_ptr_array_new_with_free_func (g_free);
	load.acked_patients = g_ptr_array_new_with_free_func (g_free);
	load.down_messages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	g_mutex_init (&load.lock);
	make_clinic (&load);

	for (guint i = 0; i < N_WRITERS; i++) {
		writers[i] = (Writer){ &load, i % 2 == 1, i };
		threads[i] = g_thread_new ("writer", writer, &writers[i]);
	}
	threads[N_WRITERS] = g_thread_new ("readyz", ready_poller, &load);

	wait_for_count (&load, &load.n_ok[PHASE_UP], 11, "writes before the stop");
	/* the server goes away (fast shutdown: sessions are ended, committed work kept) */
	cr_assert (mv_pg_embedded_stop (pg, &error), "%s", error ? error->message : "");
	g_atomic_int_set (&load.phase, PHASE_DOWN);
	down_at = g_get_monotonic_time ();
	wait_for_count (&load, &load.n_503[PHASE_DOWN], 11, "503s while the server is down");
	wait_for_count (&load, &load.ready_503, 1, "/readyz 503 while the server is down");
	/* and comes back on the same socket */
	back_at = g_get_monotonic_time ();
	g_atomic_int_set (&load.phase, PHASE_BACK);
	cr_assert (mv_pg_embedded_start (pg, &error), "%s", error ? error->message : "");
	wait_for_count (&load, &load.n_ok[PHASE_BACK], 11, "writes after the restart");
	wait_for_count (&load, &load.ready_200_after, 1, "/readyz 200 after the restart");
	wait_for_count (&load, &load.acked_patients->len, 11, "patients acknowledged");
	g_atomic_int_set (&load.phase, PHASE_DONE);
	for (guint i = 0; i <= N_WRITERS; i++)
		g_thread_join (threads[i]);

	cr_log_info ("failover: up %u req (%u ok) | down %.1f s: %u req, %u 503, %u ok, %u other, "
		     "worst latency %" G_GINT64_FORMAT " ms, readyz 503 x%u | back: %u req, %u ok, "
		     "first 201 %.2f s after restart, readyz 200 x%u | %u tenants, %u patients "
		     "acknowledged",
		     load.n_requests[PHASE_UP], load.n_ok[PHASE_UP], (back_at - down_at) / 1e6,
		     load.n_requests[PHASE_DOWN], load.n_503[PHASE_DOWN], load.n_ok[PHASE_DOWN],
		     load.n_other[PHASE_DOWN], load.worst_down_ms, load.ready_503,
		     load.n_requests[PHASE_BACK], load.n_ok[PHASE_BACK],
		     load.first_ok_after_us ? (load.first_ok_after_us - back_at) / 1e6 : -1.0,
		     load.ready_200_after, load.acked->len, load.acked_patients->len);
	g_print ("failover: up %u req (%u ok) | down: %u req, %u x 503, worst latency "
		 "%" G_GINT64_FORMAT
		 " ms, readyz 503 x%u | back: %u req, %u ok, first 201 %.2f s after the server "
		 "was started | %u tenants, %u patients acknowledged\n",
		 load.n_requests[PHASE_UP], load.n_ok[PHASE_UP], load.n_requests[PHASE_DOWN],
		 load.n_503[PHASE_DOWN], load.worst_down_ms, load.ready_503,
		 load.n_requests[PHASE_BACK], load.n_ok[PHASE_BACK],
		 load.first_ok_after_us ? (load.first_ok_after_us - back_at) / 1e6 : -1.0,
		 load.acked->len, load.acked_patients->len);

	cr_assert (load.n_ok[PHASE_UP] > 10, "the load did not get going");
	cr_assert (load.n_503[PHASE_DOWN] > 10, "requests while the server was down: %u, 503: %u",
		   load.n_requests[PHASE_DOWN], load.n_503[PHASE_DOWN]);
	cr_assert_eq (load.n_other[PHASE_DOWN] + load.n_other[PHASE_UP] + load.n_other[PHASE_BACK],
		      0, "unexpected statuses: %s", load.other_example);
	/* quickly: well under the clients' 20 s time-out, with room for a busy machine */
	cr_assert (load.worst_down_ms < 10000, "a request took %" G_GINT64_FORMAT " ms while down",
		   load.worst_down_ms);
	cr_assert (load.ready_503 > 0, "/readyz never said 503 while the server was down");
	assert_down_messages_generic (&load);
	cr_assert (load.n_ok[PHASE_BACK] > 10, "the daemon did not recover: %u ok of %u",
		   load.n_ok[PHASE_BACK], load.n_requests[PHASE_BACK]);
	cr_assert (load.ready_200_after > 0, "/readyz did not turn 200 again");
	cr_assert (all_acked_present (db, load.acked, &n_missing, &missing_example),
		   "%u acknowledged write(s) missing, e.g. tenant %s", n_missing, missing_example);
	cr_assert (load.acked_patients->len > 10, "only %u patients acknowledged",
		   load.acked_patients->len);
	n_unreadable = patients_unreadable (&load, &unreadable_example);
	cr_assert_eq (n_unreadable, 0, "%u of %u acknowledged patients not readable, e.g. %s",
		      n_unreadable, load.acked_patients->len, unreadable_example);

	verify_status = run_audit_verify (env, &verify_out);
	cr_assert_eq (verify_status, 0, "audit verify after the failover:\n%s", verify_out);

	cr_assert (mvt_daemon_stop (env, &error), "%s", error ? error->message : "");
	g_clear_pointer (&db, mv_db_free);
	cr_assert (mv_pg_embedded_stop (pg, &error), "%s", error ? error->message : "");
	g_clear_pointer (&pg, mv_pg_embedded_free);
	{
		const gchar *argv[] = { "rm", "-rf", pg_root, NULL };
		g_spawn_sync (NULL, (gchar **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
			      NULL, NULL, NULL);
	}
	g_ptr_array_unref (load.acked);
	g_ptr_array_unref (load.acked_patients);
	g_hash_table_unref (load.down_messages);
	g_free (load.url);
	g_free (load.token);
	g_free (load.clinician);
	g_free (load.other_example);
	g_mutex_clear (&load.lock);
}
