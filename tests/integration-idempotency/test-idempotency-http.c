/*
 * Idempotency-Key against the real daemon and its embedded PostgreSQL: a retried POST gets the
 * first answer and writes nothing (row counts and the audit log unchanged); another request
 * with the key is 422 and writes nothing; a malformed key is 400; a refusal is replayed as
 * well; invite redemption (no API key) needs a long key and replays the token; many threads
 * with one key create one patient; a deferred plugin answer is kept, and a retry while the
 * first still runs gets 409 with Retry-After; nothing of a key, a body or an answer is in the
 * database in clear (pg_dump and every table, hex and escape forms of bytea) or in the log.
 * Two daemons on one database: test-idempotency-daemons.c.
 */
#include <criterion/criterion.h>
#include <glib/gstdio.h>
#include <string.h>

#include "idem-client.h"

static const gchar *const good_plugins[] = { "sleepy.so", NULL };

static const gchar *
url (void)
{
	return mvt_shared_url ();
}

/* a POST to the shared daemon: see idem_post() */
static MvtResponse *
post (const gchar *path, const gchar *token, const gchar *key, const gchar *body)
{
	return idem_post (url (), path, token, key, body);
}

static gchar *
new_key (void)
{
	return g_uuid_string_random ();
}

/* the rows a clinic's POSTs may write: patients, sealed records, invites, audit entries */
static gchar *
db_state (const gchar *clinic)
{
	g_autoptr (PGconn) conn = mvt_db_connect (mvt_shared_data_dir ());
	const gchar *v[] = { clinic };
	g_autofree gchar *patients = mvt_db_value (
		conn, "SELECT count(*) FROM patients WHERE clinic_id = $1::uuid", 1, v);
	g_autofree gchar *records = mvt_db_value (
		conn,
		"SELECT count(*) || ':' || coalesce(md5(string_agg(r::text, ',' ORDER BY "
		"patient_id)), '') FROM patient_records r WHERE clinic_id = $1::uuid",
		1, v);
	g_autofree gchar *invites = mvt_db_value (
		conn, "SELECT count(*) FROM patient_invites WHERE clinic_id = $1::uuid", 1, v);
	g_autofree gchar *audit = mvt_db_value (
		conn, "SELECT count(*) FROM audit_entries WHERE clinic_id = $1::text", 1, v);

	return g_strdup_printf ("patients %s, records %s, invites %s, audit %s", patients, records,
				invites, audit);
}

static gint64
n_patients (const gchar *clinic)
{
	g_autoptr (PGconn) conn = mvt_db_connect (mvt_shared_data_dir ());
	const gchar *v[] = { clinic };
	return mvt_db_count (conn, "SELECT count(*) FROM patients WHERE clinic_id = $1::uuid", 1,
			     v);
}

/* none of @secrets in the database (pg_dump and every table's rows, bytea in hex and escape
 * form) nor in the daemon's log */
static void
assert_not_stored (const gchar *const *secrets)
{
	g_autofree gchar *log = mvt_shared_log ();
	mvt_assert_appears_nowhere (mvt_shared_data_dir (), secrets, log);
}

Test (idempotency_http, a_retry_gets_the_first_patient_and_writes_nothing)
{
	g_auto (MvtClinic) clinic = { 0 };
	g_autofree gchar *key = new_key ();
	g_autofree gchar *mrn = g_strdup_printf ("IDEM-%u", g_random_int ());
	g_autofree gchar *body = g_strdup_printf (
		"{\"mrn\":\"%s\",\"name\":{\"given\":\"Wenjing\",\"family\":\"Idemtest\"}}", mrn);
	g_autofree gchar *spaced = g_strdup_printf (
		"{ \"mrn\" : \"%s\",\n \"name\" : { \"given\" : \"Wenjing\", \"family\" : "
		"\"Idemtest\" } }",
		mrn);
	g_autoptr (MvtResponse) first = NULL;
	g_autoptr (MvtResponse) again = NULL;
	g_autoptr (MvtResponse) respaced = NULL;
	g_autofree gchar *before = NULL;
	g_autofree gchar *after = NULL;

	mvt_clinic_make (url (), mvt_shared_data_dir (), &clinic);
	first = post ("/v1/patients", clinic.clinician, key, body);
	cr_assert_eq (first->status, 201, "%s", first->body);
	cr_assert_not_null (first->location);
	cr_assert_not_null (first->etag);
	cr_assert_null (mvt_response_header (first, "Idempotency-Replayed"));
	before = db_state (clinic.id);

	again = post ("/v1/patients", clinic.clinician, key, body);
	cr_assert_eq (again->status, 201, "%s", again->body);
	cr_assert_str_eq (again->body, first->body);
	cr_assert_str_eq (mvt_str (again, "id"), mvt_str (first, "id"));
	cr_assert_str_eq (again->location, first->location);
	cr_assert_str_eq (again->etag, first->etag);
	cr_assert_str_eq (again->content_type, "application/json");
	cr_assert_str_eq (mvt_response_header (again, "Idempotency-Replayed"), "true");
	cr_assert_str_neq (again->request_id, first->request_id);
	/* the same JSON spaced otherwise is the same request */
	respaced = post ("/v1/patients", clinic.clinician, key, spaced);
	cr_assert_eq (respaced->status, 201, "%s", respaced->body);
	cr_assert_str_eq (mvt_str (respaced, "id"), mvt_str (first, "id"));

	after = db_state (clinic.id);
	cr_assert_str_eq (after, before, "a replay wrote: %s -> %s", before, after);
	cr_assert_eq (n_patients (clinic.id), 1);

	/* without the key the same body runs again: the MRN exists */
	{
		g_autoptr (MvtResponse) plain = post ("/v1/patients", clinic.clinician, NULL, body);
		mvt_assert_error (plain, 409, "conflict");
	}
	{
		const gchar *secrets[] = { key, mrn, "Wenjing", "Idemtest", NULL };
		assert_not_stored (secrets);
	}
}

Test (idempotency_http, another_request_with_the_key_is_422_and_writes_nothing)
{
	g_auto (MvtClinic) clinic = { 0 };
	g_autofree gchar *key = new_key ();
	g_autofree gchar *mrn = g_strdup_printf ("IDEM-%u", g_random_int ());
	g_autofree gchar *body
		= g_strdup_printf ("{\"mrn\":\"%s\",\"name\":{\"given\":\"Ke\"}}", mrn);
	g_autofree gchar *other_body
		= g_strdup_printf ("{\"mrn\":\"%s-2\",\"name\":{\"given\":\"Ke\"}}", mrn);
	g_autoptr (MvtResponse) first = NULL;
	g_autofree gchar *invites_path = NULL;
	g_autofree gchar *before = NULL;
	g_autofree gchar *second_clinician = NULL;

	mvt_clinic_make (url (), mvt_shared_data_dir (), &clinic);
	first = post ("/v1/patients", clinic.clinician, key, body);
	cr_assert_eq (first->status, 201, "%s", first->body);
	invites_path = g_strdup_printf ("/v1/patients/%s/invites", mvt_str (first, "id"));
	before = db_state (clinic.id);

	/* another body, another path: refused, nothing written */
	{
		g_autoptr (MvtResponse) r
			= post ("/v1/patients", clinic.clinician, key, other_body);
		g_autoptr (MvtResponse) p = post (invites_path, clinic.clinician, key, "{}");
		g_autofree gchar *after = NULL;

		mvt_assert_error (r, 422, "invalid-input");
		cr_assert_not_null (strstr (mvt_error_message (r), "Idempotency-Key"), "%s",
				    r->body);
		cr_assert_null (mvt_response_header (r, "Idempotency-Replayed"));
		mvt_assert_error (p, 422, "invalid-input");
		after = db_state (clinic.id);
		cr_assert_str_eq (after, before, "a refusal wrote: %s -> %s", before, after);
	}
	/* the key belongs to the API key that sent it: another clinician's is its own request
	 * (which runs, and finds the MRN taken) */
	{
		g_autofree gchar *op = mvt_operator_token (mvt_shared_data_dir ());
		second_clinician = mvt_create_key (url (), op, clinic.id, "clinician", NULL);
	}
	{
		g_autoptr (MvtResponse) r = post ("/v1/patients", second_clinician, key, body);
		mvt_assert_error (r, 409, "conflict");
		cr_assert_null (mvt_response_header (r, "Idempotency-Replayed"));
	}
}

Test (idempotency_http, a_malformed_key_is_400_and_writes_nothing)
{
	g_auto (MvtClinic) clinic = { 0 };
	g_autofree gchar *long_key = g_strnfill (256, 'k');
	const gchar *bad[] = { "has space", long_key, "tab\tinside" };
	g_autofree gchar *before = NULL;

	mvt_clinic_make (url (), mvt_shared_data_dir (), &clinic);
	before = db_state (clinic.id);
	for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
		g_autoptr (MvtResponse) r = post ("/v1/patients", clinic.clinician, bad[i],
						  "{\"mrn\":\"BAD-KEY-1\"}");
		g_autofree gchar *after = NULL;
		mvt_assert_error (r, 400, "malformed");
		cr_assert_not_null (strstr (mvt_error_message (r), "Idempotency-Key"));
		after = db_state (clinic.id);
		cr_assert_str_eq (after, before, "key %u: %s -> %s", i, before, after);
	}
}

Test (idempotency_http, a_refusal_is_replayed)
{
	g_auto (MvtClinic) clinic = { 0 };
	g_autofree gchar *key = new_key ();
	g_autoptr (MvtResponse) first = NULL;
	g_autoptr (MvtResponse) again = NULL;
	const gchar *body = "{\"mrn\":5,\"unknown\":true}";

	mvt_clinic_make (url (), mvt_shared_data_dir (), &clinic);
	first = post ("/v1/patients", clinic.clinician, key, body);
	mvt_assert_error (first, 422, "invalid-input");
	again = post ("/v1/patients", clinic.clinician, key, body);
	cr_assert_eq (again->status, 422);
	/* the first answer itself, its request id included */
	cr_assert_str_eq (again->body, first->body);
	cr_assert_str_eq (mvt_response_header (again, "Idempotency-Replayed"), "true");
	cr_assert_eq (n_patients (clinic.id), 0);
}

Test (idempotency_http, invite_redemption_needs_a_long_key_and_replays_the_token)
{
	g_auto (MvtClinic) clinic = { 0 };
	g_autofree gchar *key = g_strdup_printf ("%s-%s", g_uuid_string_random (), "redeem");
	g_autoptr (MvtResponse) patient = NULL;
	g_autoptr (MvtResponse) invite = NULL;
	g_autoptr (MvtResponse) first = NULL;
	g_autoptr (MvtResponse) again = NULL;
	g_autofree gchar *invites_path = NULL;
	g_autofree gchar *redeem = NULL;

	mvt_clinic_make (url (), mvt_shared_data_dir (), &clinic);
	patient = post ("/v1/patients", clinic.clinician, NULL,
			"{\"mrn\":\"INV-1\",\"name\":{\"given\":\"Yao\"}}");
	cr_assert_eq (patient->status, 201, "%s", patient->body);
	invites_path = g_strdup_printf ("/v1/patients/%s/invites", mvt_str (patient, "id"));
	invite = post (invites_path, clinic.clinician, NULL, "{}");
	cr_assert_eq (invite->status, 201, "%s", invite->body);
	redeem = g_strdup_printf ("{\"code\":\"%s\"}", mvt_str (invite, "code"));

	/* a short key on a route without an API key: 400, the invite still unused */
	{
		g_autoptr (MvtResponse) r = post ("/v1/invites/redeem", NULL, "retry-1", redeem);
		mvt_assert_error (r, 400, "malformed");
	}
	first = post ("/v1/invites/redeem", NULL, key, redeem);
	cr_assert_eq (first->status, 201, "%s", first->body);
	cr_assert_not_null (mvt_str (first, "token"));
	/* the answer was lost on the way: the retry gets the same token */
	again = post ("/v1/invites/redeem", NULL, key, redeem);
	cr_assert_eq (again->status, 201, "%s", again->body);
	cr_assert_str_eq (mvt_str (again, "token"), mvt_str (first, "token"));
	cr_assert_str_eq (mvt_response_header (again, "Idempotency-Replayed"), "true");
	/* the code itself is used up: without the key (or with another) it redeems nothing */
	{
		g_autoptr (MvtResponse) r = post ("/v1/invites/redeem", NULL, NULL, redeem);
		g_autofree gchar *other = g_strdup_printf ("%s-other", key);
		g_autoptr (MvtResponse) o = post ("/v1/invites/redeem", NULL, other, redeem);
		cr_assert (r->status >= 400 && r->status < 500, "%u %s", r->status, r->body);
		cr_assert_eq (o->status, r->status, "%s", o->body);
		cr_assert_null (mvt_response_header (o, "Idempotency-Replayed"));
	}
	{
		const gchar *secrets[]
			= { key, mvt_str (first, "token"), mvt_str (invite, "code"), NULL };
		assert_not_stored (secrets);
	}
}

#define N_THREADS 12

Test (idempotency_http, many_threads_with_one_key_create_one_patient)
{
	g_auto (MvtClinic) clinic = { 0 };
	g_autofree gchar *key = new_key ();
	g_autofree gchar *body = g_strdup_printf (
		"{\"mrn\":\"RACE-%u\",\"name\":{\"given\":\"Race\"}}", g_random_int ());
	const gchar *urls[] = { url () };
	MvtResponse *responses[N_THREADS];
	guint n_replayed = 0;
	const gchar *id = NULL;

	mvt_clinic_make (url (), mvt_shared_data_dir (), &clinic);
	idem_post_at_once (urls, 1, N_THREADS, "/v1/patients", clinic.clinician, key, body,
			   responses);
	for (guint i = 0; i < N_THREADS; i++) {
		MvtResponse *r = responses[i];
		cr_assert_not_null (r, "request %u got no answer", i);
		cr_assert_eq (r->status, 201, "request %u: %u %s", i, r->status, r->body);
		if (id == NULL)
			id = mvt_str (r, "id");
		cr_assert_str_eq (mvt_str (r, "id"), id);
		n_replayed += mvt_response_header (r, "Idempotency-Replayed") != NULL;
	}
	cr_assert_eq (n_replayed, N_THREADS - 1);
	cr_assert_eq (n_patients (clinic.id), 1);
	for (guint i = 0; i < N_THREADS; i++)
		mvt_response_free (responses[i]);
}

typedef struct {
	const gchar *token;
	const gchar *key;
	const gchar *body;
	MvtResponse *response;
} Held;

static gpointer
post_held (gpointer data)
{
	Held *held = data;
	held->response = post ("/v1/plugins/sleepy/Hold", held->token, held->key, held->body);
	return NULL;
}

/* sleepy.Hold runs until its gate file exists: a plugin call (answered later, from the plugin's
 * worker) that is still running for as long as the test needs */
Test (idempotency_http, a_deferred_plugin_answer_is_kept_and_a_retry_meanwhile_is_409)
{
	g_auto (MvtClinic) clinic = { 0 };
	g_autofree gchar *dir = g_dir_make_tmp ("mv-idem-gate-XXXXXX", NULL);
	g_autofree gchar *gate = g_build_filename (dir, "gate", NULL);
	g_autofree gchar *started = g_strconcat (gate, ".started", NULL);
	g_autofree gchar *body = g_strdup_printf ("{\"gate\":\"%s\"}", gate);
	g_autofree gchar *key = new_key ();
	g_autoptr (MvtResponse) meanwhile = NULL;
	g_autoptr (MvtResponse) again = NULL;
	Held held = { NULL, key, body, NULL };
	GThread *thread;

	cr_assert_not_null (dir);
	mvt_clinic_make (url (), mvt_shared_data_dir (), &clinic);
	held.token = clinic.clinician;
	thread = g_thread_new ("held", post_held, &held);
	cr_assert (mvt_wait_for_file (started, 30000), "the plugin call did not start");

	/* the first still runs: the retry waits ([http] idempotency-wait-ms), then 409 */
	meanwhile = post ("/v1/plugins/sleepy/Hold", clinic.clinician, key, body);
	cr_assert_not_null (meanwhile);
	mvt_assert_error (meanwhile, 409, "conflict");
	cr_assert_str_eq (meanwhile->retry_after, "1");
	cr_assert_geq (meanwhile->elapsed_ms, 2000, "gave up after %" G_GINT64_FORMAT " ms",
		       meanwhile->elapsed_ms);

	/* the first answers; a retry gets that answer without calling the plugin again */
	cr_assert_eq (g_remove (started), 0);
	cr_assert (g_file_set_contents (gate, "", 0, NULL));
	g_thread_join (thread);
	cr_assert_not_null (held.response);
	cr_assert_eq (held.response->status, 200, "%s", held.response->body);
	again = post ("/v1/plugins/sleepy/Hold", clinic.clinician, key, body);
	cr_assert_eq (again->status, 200, "%s", again->body);
	cr_assert_str_eq (again->body, held.response->body);
	cr_assert_str_eq (mvt_response_header (again, "Idempotency-Replayed"), "true");
	cr_assert_not (g_file_test (started, G_FILE_TEST_EXISTS), "the plugin ran again");

	mvt_response_free (held.response);
	g_remove (gate);
	g_rmdir (dir);
}

int
main (int argc, char **argv)
{
	const MvtOptions options = {
		.good_plugins = good_plugins,
		.config = "[http]\nidempotency-wait-ms = 3000\n"
			  "[auth]\nrate-limit-per-second = 100000\nrate-limit-burst = 100000\n",
	};
	return mvt_main (argc, argv, &options);
}
