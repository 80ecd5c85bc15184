/* The idempotency store against a real PostgreSQL (a throwaway embedded cluster per test):
 * claim, replay, refusal of another request, release of answers that are not kept, waiting for
 * and taking over another request's claim, expiry and purge, master-key rotation, many threads
 * on one key, and nothing of a key, a request or an answer in clear in the table. */
#include <criterion/criterion.h>
#include <medverse/mv-error.h>
#include <string.h>

#include "idempotency/mv-idempotency.h"
#include "mv-migrate.h"
#include "mv-storage-test.h"

#define KEY "5f0c1a9e-4b7d-4c1e-9a53-0d2f3e4b5c6d"
#define BODY "{\"mrn\":\"IDEM-SECRET-MRN-4711\",\"name\":{\"given\":\"Zhang San\"}}"
#define ANSWER "{\"id\":\"patient-answer-0815\",\"token\":\"mvk_secret_token_value\"}"

static MvPgEmbedded *pg;
static gchar *dir;
static MvDb *db;
static MvVault *vault;
static MvVault *old_vault;
static MvIdempotency *store;
static MvAuthContext clinician = { MV_ROLE_CLINICIAN, (gchar *)"00aa11bb22cc33dd",
				   (gchar *)"6c1d2e3f-0000-4000-8000-000000000001", NULL };
static MvAuthContext other_key = { MV_ROLE_CLINICIAN, (gchar *)"99ee88ff77aa66bb",
				   (gchar *)"6c1d2e3f-0000-4000-8000-000000000001", NULL };

static MvVault *
current_vault (gpointer user_data)
{
	return g_atomic_pointer_get (&vault);
}

static MvVault *
new_vault (void)
{
	g_autoptr (GError) error = NULL;
	MvVault *v = mv_vault_new_from_secret (mv_secret_new_random (MV_VAULT_KEY_SIZE), &error);
	cr_assert_not_null (v, "%s", error ? error->message : "");
	return v;
}

static void
make_store (guint64 keep_s, guint64 wait_ms, guint64 lease_ms)
{
	MvIdempotencyLimits limits = { keep_s, wait_ms, lease_ms };
	g_clear_pointer (&store, mv_idempotency_free);
	store = mv_idempotency_new (db, current_vault, NULL, &limits);
}

static void
setup (void)
{
	g_autoptr (GError) error = NULL;
	PGconn *conn;

	pg = mvt_cluster_start (&dir);
	db = mv_db_new (mv_pg_embedded_get_conninfo (pg), 8, &error);
	cr_assert_not_null (db, "%s", error ? error->message : "");
	conn = mv_db_acquire (db, 5000, &error);
	cr_assert_not_null (conn, "%s", error ? error->message : "");
	cr_assert (mv_migrate_apply (conn, MV_TEST_SQLDIR, &error), "%s",
		   error ? error->message : "");
	mv_db_release (db, conn);
	vault = new_vault ();
	make_store (24 * 3600, 2000, 60000);
}

static void
teardown (void)
{
	g_clear_pointer (&store, mv_idempotency_free);
	g_clear_pointer (&vault, mv_vault_free);
	g_clear_pointer (&old_vault, mv_vault_free);
	g_clear_pointer (&db, mv_db_free);
	mvt_cluster_destroy (&pg, &dir);
}

TestSuite (idempotency, .init = setup, .fini = teardown, .timeout = 90);

static MvIdempotencyRequest
request_of (const MvAuthContext *auth, const gchar *target, const gchar *body)
{
	MvIdempotencyRequest r = { KEY, auth, "POST", target, body, body ? strlen (body) : 0 };
	return r;
}

/* begin, asserting it says "run it" */
static MvIdempotencyClaim *
claim (const MvIdempotencyRequest *r)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvIdempotencyAnswer) replay = NULL;
	MvIdempotencyClaim *c = NULL;

	cr_assert (mv_idempotency_begin (store, r, &c, &replay, &error), "%s",
		   error ? error->message : "");
	cr_assert_not_null (c, "a replay where the request should run");
	cr_assert_null (replay);
	return c;
}

/* begin, asserting it replays */
static MvIdempotencyAnswer *
replay (const MvIdempotencyRequest *r)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvIdempotencyClaim) c = NULL;
	MvIdempotencyAnswer *answer = NULL;

	cr_assert (mv_idempotency_begin (store, r, &c, &answer, &error), "%s",
		   error ? error->message : "");
	cr_assert_null (c, "the request would run again");
	cr_assert_not_null (answer);
	return answer;
}

static void
complete (MvIdempotencyClaim *c, guint status, const gchar *body)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GPtrArray) headers = g_ptr_array_new ();
	MvIdempotencyAnswer answer = { status, headers, (gchar *)body };

	g_ptr_array_add (headers, (gpointer) "Location");
	g_ptr_array_add (headers, (gpointer) "/v1/patients/patient-answer-0815");
	g_ptr_array_add (headers, (gpointer) "ETag");
	g_ptr_array_add (headers, (gpointer) "\"1\"");
	cr_assert (mv_idempotency_complete (store, c, &answer, &error), "%s",
		   error ? error->message : "");
}

static gchar *
value (const gchar *statement)
{
	PGconn *conn = mv_db_acquire (db, 5000, NULL);
	gchar *v = mvt_query_value (conn, statement);
	mv_db_release (db, conn);
	return v;
}

static gint
count_rows (void)
{
	g_autofree gchar *n = value ("SELECT count(*) FROM idempotency_keys");
	return atoi (n);
}

Test (idempotency, key_syntax)
{
	g_autofree gchar *long_key = g_strnfill (256, 'k');
	g_autofree gchar *max_key = g_strnfill (255, 'k');
	const gchar *bad[] = { "", "with space", "tab\there", "ctl\x01", "ümlaut", long_key };

	for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
		g_autoptr (GError) error = NULL;
		cr_assert_not (mv_idempotency_check_key (bad[i], FALSE, &error), "key %u", i);
		cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_MALFORMED));
		cr_assert_not_null (mv_error_get_message_zh (error));
		/* the message never quotes the key */
		cr_assert (i == 0 || strstr (error->message, bad[i]) == NULL);
	}
	cr_assert (mv_idempotency_check_key ("a", FALSE, NULL));
	cr_assert (mv_idempotency_check_key (max_key, FALSE, NULL));
	cr_assert (mv_idempotency_check_key ("~!#$%&'*+-.^_`|:;<>=?@[]{}()/\\\"", FALSE, NULL));
	/* without authentication: long enough to be unguessable */
	cr_assert_not (mv_idempotency_check_key ("short-key-1", TRUE, NULL));
	cr_assert (mv_idempotency_check_key (KEY, TRUE, NULL));
}

Test (idempotency, kept_statuses)
{
	const guint kept[] = { 200, 201, 202, 204, 400, 404, 412, 413, 422 };
	const guint not_kept[] = { 408, 409, 425, 429, 500, 502, 503, 504 };

	for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
		cr_assert (mv_idempotency_status_is_kept (kept[i]), "%u", kept[i]);
	for (guint i = 0; i < G_N_ELEMENTS (not_kept); i++)
		cr_assert_not (mv_idempotency_status_is_kept (not_kept[i]), "%u", not_kept[i]);
}

Test (idempotency, replays_the_first_answer_and_stores_nothing_in_clear)
{
	MvIdempotencyRequest r = request_of (&clinician, "/v1/patients", BODY);
	g_autoptr (MvIdempotencyClaim) c = claim (&r);
	g_autoptr (MvIdempotencyAnswer) a = NULL;
	g_autofree gchar *dump = NULL;

	complete (c, 201, ANSWER);
	a = replay (&r);
	cr_assert_eq (a->status, 201);
	cr_assert_str_eq (a->body, ANSWER);
	cr_assert_eq (a->headers->len, 4);
	cr_assert_str_eq (g_ptr_array_index (a->headers, 0), "Location");
	cr_assert_str_eq (g_ptr_array_index (a->headers, 3), "\"1\"");
	cr_assert_eq (count_rows (), 1);

	/* the row as text, bytea in hex and in escape form: no key, body or answer */
	dump = value ("SELECT string_agg(t::text, ' ') || ' ' || string_agg(encode(answer, "
		      "'escape'), ' ') || ' ' || string_agg(encode(key_hash || fingerprint, "
		      "'escape'), ' ') FROM idempotency_keys t");
	cr_assert_not_null (dump);
	const gchar *secrets[] = { KEY,
				   "IDEM-SECRET-MRN",
				   "Zhang San",
				   "patient-answer-0815",
				   "mvk_secret_token_value",
				   "Location",
				   "/v1/patients" };
	for (guint i = 0; i < G_N_ELEMENTS (secrets); i++) {
		g_autofree gchar *hex = NULL;
		GString *h = g_string_new (NULL);
		cr_assert_null (strstr (dump, secrets[i]), "%s in clear", secrets[i]);
		for (const gchar *p = secrets[i]; *p; p++)
			g_string_append_printf (h, "%02x", (guchar)*p);
		hex = g_string_free (h, FALSE);
		cr_assert_null (strstr (dump, hex), "%s in hex", secrets[i]);
	}
}

Test (idempotency, another_request_with_the_key_is_refused)
{
	MvIdempotencyRequest r = request_of (&clinician, "/v1/patients", BODY);
	MvIdempotencyRequest other_body
		= request_of (&clinician, "/v1/patients", "{\"mrn\":\"X\"}");
	MvIdempotencyRequest other_path = request_of (&clinician, "/v1/other", BODY);
	MvIdempotencyRequest no_body = request_of (&clinician, "/v1/patients", NULL);
	const MvIdempotencyRequest *refused[] = { &other_body, &other_path, &no_body };
	g_autoptr (MvIdempotencyClaim) c = claim (&r);

	/* refused while the first runs, and once it answered */
	for (guint round = 0; round < 2; round++) {
		for (guint i = 0; i < G_N_ELEMENTS (refused); i++) {
			g_autoptr (GError) error = NULL;
			g_autoptr (MvIdempotencyClaim) c2 = NULL;
			g_autoptr (MvIdempotencyAnswer) a2 = NULL;
			cr_assert_not (mv_idempotency_begin (store, refused[i], &c2, &a2, &error));
			cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INVALID_INPUT), "%s",
				   error->message);
			cr_assert_not_null (strstr (error->message, "Idempotency-Key"));
			cr_assert_not_null (strstr (mv_error_get_message_zh (error), "请求"));
			cr_assert_null (c2);
			cr_assert_null (a2);
		}
		if (round == 0)
			complete (c, 201, ANSWER);
	}
	cr_assert_eq (count_rows (), 1);
}

Test (idempotency, scopes_do_not_share_answers)
{
	MvIdempotencyRequest r = request_of (&clinician, "/v1/patients", BODY);
	MvIdempotencyRequest other = request_of (&other_key, "/v1/patients", BODY);
	MvIdempotencyRequest anonymous = request_of (NULL, "/v1/patients", BODY);
	g_autoptr (MvIdempotencyClaim) c = claim (&r);
	g_autoptr (MvIdempotencyClaim) c_other = NULL;
	g_autoptr (MvIdempotencyClaim) c_anon = NULL;

	complete (c, 201, ANSWER);
	/* another API key of the same clinic, and a caller without one: their own requests */
	c_other = claim (&other);
	c_anon = claim (&anonymous);
	cr_assert_eq (count_rows (), 3);
}

Test (idempotency, answers_not_kept_release_the_key)
{
	MvIdempotencyRequest r = request_of (&clinician, "/v1/patients", BODY);
	const guint statuses[] = { 500, 503, 429, 409 };

	for (guint i = 0; i < G_N_ELEMENTS (statuses); i++) {
		g_autoptr (MvIdempotencyClaim) c = claim (&r);
		complete (c, statuses[i], "{\"error\":{}}");
		cr_assert_eq (count_rows (), 0, "status %u kept", statuses[i]);
	}
	/* a 4xx answer is kept and replayed, error body and all */
	{
		g_autoptr (MvIdempotencyClaim) c = claim (&r);
		g_autoptr (MvIdempotencyAnswer) a = NULL;
		complete (c, 422, "{\"error\":{\"code\":\"invalid-input\"}}");
		a = replay (&r);
		cr_assert_eq (a->status, 422);
		cr_assert_str_eq (a->body, "{\"error\":{\"code\":\"invalid-input\"}}");
	}
	/* and an empty body stays empty */
	{
		MvIdempotencyRequest r2 = request_of (&other_key, "/v1/x", "{}");
		g_autoptr (MvIdempotencyClaim) c = claim (&r2);
		g_autoptr (MvIdempotencyAnswer) a = NULL;
		complete (c, 204, NULL);
		a = replay (&r2);
		cr_assert_eq (a->status, 204);
		cr_assert_null (a->body);
	}
}

typedef struct {
	MvIdempotencyRequest request;
	MvIdempotencyClaim *claim;
	MvIdempotencyAnswer *answer;
	GError *error;
} Racer;

static gpointer
race (gpointer data)
{
	Racer *racer = data;
	gboolean ok = mv_idempotency_begin (store, &racer->request, &racer->claim, &racer->answer,
					    &racer->error);
	/* the outcome is in *racer; a failure must come with an error */
	g_assert (ok || racer->error != NULL);
	return NULL;
}

Test (idempotency, a_retry_waits_for_the_first_answer_or_gives_up)
{
	MvIdempotencyRequest r = request_of (&clinician, "/v1/patients", BODY);
	g_autoptr (MvIdempotencyClaim) c = claim (&r);
	Racer waiter = { r };
	GThread *thread;
	gint64 start = g_get_monotonic_time ();

	/* nobody answers: 409 after the wait */
	make_store (24 * 3600, 300, 60000);
	race (&waiter);
	cr_assert (g_error_matches (waiter.error, MV_ERROR, MV_ERROR_CONFLICT));
	cr_assert_not_null (mv_error_get_message_zh (waiter.error));
	cr_assert_geq ((g_get_monotonic_time () - start) / 1000, 300);
	g_clear_error (&waiter.error);

	/* the first answers while the retry waits: the retry gets that answer */
	make_store (24 * 3600, 20000, 60000);
	thread = g_thread_new ("waiter", race, &waiter);
	g_usleep (300 * 1000);
	complete (c, 201, ANSWER);
	g_thread_join (thread);
	cr_assert_null (waiter.error, "%s", waiter.error ? waiter.error->message : "");
	cr_assert_null (waiter.claim);
	cr_assert_not_null (waiter.answer);
	cr_assert_str_eq (waiter.answer->body, ANSWER);
	mv_idempotency_answer_free (waiter.answer);
}

Test (idempotency, a_claim_whose_daemon_died_is_taken_over)
{
	MvIdempotencyRequest r = request_of (&clinician, "/v1/patients", BODY);
	g_autoptr (MvIdempotencyClaim) dead = NULL;
	g_autoptr (MvIdempotencyClaim) next = NULL;
	g_autoptr (MvIdempotencyAnswer) a = NULL;

	make_store (24 * 3600, 5000, 200);
	dead = claim (&r);
	/* the retry waits for the lease to end, then runs the request itself */
	next = claim (&r);
	complete (next, 201, ANSWER);
	/* the first one comes back late: it does not overwrite its successor's answer */
	complete (dead, 201, "{\"id\":\"late\"}");
	a = replay (&r);
	cr_assert_str_eq (a->body, ANSWER);
}

Test (idempotency, expired_answers_run_again_and_are_purged)
{
	MvIdempotencyRequest r = request_of (&clinician, "/v1/patients", BODY);
	MvIdempotencyRequest r2 = request_of (&other_key, "/v1/patients", BODY);
	g_autoptr (MvIdempotencyClaim) c = NULL;
	g_autoptr (MvIdempotencyClaim) c2 = NULL;
	g_autoptr (MvIdempotencyClaim) again = NULL;
	g_autoptr (GError) error = NULL;
	guint n = 0;

	make_store (1, 2000, 60000);
	c = claim (&r);
	complete (c, 201, ANSWER);
	c2 = claim (&r2);
	complete (c2, 201, ANSWER);
	g_usleep (1200 * 1000);
	/* past its time the key runs again, even with another body */
	r.body = "{\"other\":true}";
	r.body_len = strlen (r.body);
	again = claim (&r);
	complete (again, 201, ANSWER);
	cr_assert (mv_idempotency_purge (store, &n, &error), "%s", error ? error->message : "");
	cr_assert_eq (n, 1, "purged %u", n);
	cr_assert_eq (count_rows (), 1);
}

Test (idempotency, a_master_key_rotation_forgets_the_answers)
{
	MvIdempotencyRequest r = request_of (&clinician, "/v1/patients", BODY);
	g_autoptr (MvIdempotencyClaim) c = claim (&r);
	g_autoptr (MvIdempotencyClaim) after = NULL;

	complete (c, 201, ANSWER);
	old_vault = g_atomic_pointer_exchange (&vault, new_vault ());
	after = claim (&r);
	cr_assert_eq (count_rows (), 2);
}

Test (idempotency, an_answer_that_no_longer_opens_is_run_again)
{
	MvIdempotencyRequest r = request_of (&clinician, "/v1/patients", BODY);
	g_autoptr (MvIdempotencyClaim) c = claim (&r);
	g_autoptr (MvIdempotencyClaim) again = NULL;
	g_autofree gchar *flipped = NULL;

	complete (c, 201, ANSWER);
	g_free (value ("UPDATE idempotency_keys SET answer = set_byte(answer, 30, "
		       "get_byte(answer, 30) # 1) RETURNING 1"));
	again = claim (&r);
	complete (again, 201, ANSWER);
	flipped = value ("SELECT state FROM idempotency_keys");
	cr_assert_str_eq (flipped, "done");
	cr_assert_eq (count_rows (), 1);
}

#define N_RACERS 16

Test (idempotency, many_threads_one_key_one_run)
{
	Racer racers[N_RACERS];
	GThread *threads[N_RACERS];
	MvIdempotencyClaim *winner = NULL;
	guint n_claims = 0, n_replays = 0;

	make_store (24 * 3600, 20000, 60000);
	for (guint i = 0; i < N_RACERS; i++) {
		racers[i] = (Racer){ request_of (&clinician, "/v1/patients", BODY) };
		threads[i] = g_thread_new ("racer", race, &racers[i]);
	}
	/* the winner answers once every racer had a chance to find its claim */
	while (winner == NULL) {
		for (guint i = 0; i < N_RACERS && winner == NULL; i++)
			winner = g_atomic_pointer_get (&racers[i].claim);
		g_usleep (10 * 1000);
	}
	g_usleep (200 * 1000);
	complete (winner, 201, ANSWER);
	for (guint i = 0; i < N_RACERS; i++) {
		g_thread_join (threads[i]);
		cr_assert_null (racers[i].error, "%s", racers[i].error->message);
		n_claims += racers[i].claim != NULL;
		n_replays += racers[i].answer != NULL;
		if (racers[i].answer != NULL)
			cr_assert_str_eq (racers[i].answer->body, ANSWER);
		mv_idempotency_claim_free (racers[i].claim);
		mv_idempotency_answer_free (racers[i].answer);
	}
	cr_assert_eq (n_claims, 1);
	cr_assert_eq (n_replays, N_RACERS - 1);
}

/* the keys the store derives: fixed for a master and a purpose, different for any other */
Test (idempotency_keys, derived_keys_follow_the_master_and_the_purpose)
{
	g_autoptr (MvVault) a = new_vault ();
	g_autoptr (MvVault) b = new_vault ();
	g_autoptr (MvSecret) a1 = mv_vault_derive_master_subkey (a, "MvIdemp1", 1);
	g_autoptr (MvSecret) a1_again = mv_vault_derive_master_subkey (a, "MvIdemp1", 1);
	g_autoptr (MvSecret) a2 = mv_vault_derive_master_subkey (a, "MvIdemp1", 2);
	g_autoptr (MvSecret) a1_other = mv_vault_derive_master_subkey (a, "MvOther1", 1);
	g_autoptr (MvSecret) b1 = mv_vault_derive_master_subkey (b, "MvIdemp1", 1);

	cr_assert_eq (mv_secret_get_size (a1), MV_VAULT_KEY_SIZE);
	cr_assert (mv_secret_equal (a1, a1_again));
	cr_assert_not (mv_secret_equal (a1, a2));
	cr_assert_not (mv_secret_equal (a1, a1_other));
	cr_assert_not (mv_secret_equal (a1, b1));
}
