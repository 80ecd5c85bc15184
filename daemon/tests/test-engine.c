/*
 * The engine in process (as fwupd tests fu-engine without its daemon): synchronous and
 * asynchronous calls, the caller a plugin sees, method roles, the nesting limit, the worker pool
 * of each plugin and the queue deadline; and the router: a route handler, in its worker thread,
 * calls a plugin synchronously and stores what it returns in PostgreSQL, in one request.
 *
 * Plugins come from the build: MVT_GOOD_PLUGIN_DIR (probe, sleepy…) and MVT_BMI_PLUGIN_DIR.
 */
#include <criterion/criterion.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "mv-config.h"
#include "mv-db.h"
#include "mv-engine.h"
#include "mv-http.h"
#include "mv-storage-test.h"
#include "mv-watchdog.h"

static MvConfig *
test_config (const gchar *extra)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *text = g_strdup_printf ("[daemon]\nplugin-dirs=%s;%s\n"
						  "[http]\nlisten=127.0.0.1:0\n%s",
						  g_getenv ("MVT_GOOD_PLUGIN_DIR"),
						  g_getenv ("MVT_BMI_PLUGIN_DIR"), extra);
	MvConfig *config = mv_config_load_from_data (text, strlen (text), &error);

	cr_assert_not_null (config, "%s", error != NULL ? error->message : "");
	return config;
}

static MvEngine *
test_engine (MvConfig *config)
{
	g_autoptr (GError) error = NULL;
	MvEngine *engine = mv_engine_new (config);

	cr_assert (mv_engine_load_plugins (engine, &error), "%s",
		   error != NULL ? error->message : "");
	return engine;
}

static const MvCaller clinician = {
	.request_id = "engine-test",
	.clinic_id = "clinic-1",
	.role = MV_ROLE_CLINICIAN,
	.locale = "zh-CN",
};

typedef struct {
	MvEngine *engine;
	const gchar *method;
	GVariant *input;
	GVariant *output;
	GError *error;
} SyncCall;

static gpointer
sync_call_thread (gpointer data)
{
	SyncCall *c = data;
	c->output = mv_engine_call_sync (c->engine, "probe", c->method, c->input, &clinician,
					 &c->error);
	return NULL;
}

/* calls probe.@method from a thread of its own, as a route handler's worker does */
static GThread *
sync_call_start (SyncCall *c, MvEngine *engine, const gchar *method, GVariant *input)
{
	c->engine = engine;
	c->method = method;
	c->input = input;
	return g_thread_new (method, sync_call_thread, c);
}

Test (engine, sync_call_from_a_worker_sees_its_caller)
{
	g_autoptr (MvConfig) config = test_config ("");
	g_autoptr (MvEngine) engine = test_engine (config);
	SyncCall c = { 0 };
	const gchar *clinic, *locale, *request_id;
	guint32 role;

	g_thread_join (sync_call_start (&c, engine, "Whoami", g_variant_new ("()")));
	cr_assert_not_null (c.output, "%s", c.error != NULL ? c.error->message : "");
	g_variant_get (c.output, "(&su&s&s)", &clinic, &role, &locale, &request_id);
	cr_assert_str_eq (clinic, "clinic-1");
	cr_assert_eq (role, MV_ROLE_CLINICIAN);
	cr_assert_str_eq (locale, "zh-CN");
	cr_assert_str_eq (request_id, "engine-test");
	cr_assert_eq (mv_engine_get_in_flight (engine), 0);
	g_variant_unref (c.output);
	mv_engine_shutdown (engine, 1000);
}

Test (engine, roles_and_nesting_are_refused_cleanly)
{
	g_autoptr (MvConfig) config = test_config ("");
	g_autoptr (MvEngine) engine = test_engine (config);
	SyncCall admins = { 0 }, recurse = { 0 };

	g_thread_join (sync_call_start (&admins, engine, "ForAdmins", g_variant_new ("()")));
	cr_assert_null (admins.output);
	cr_assert (g_error_matches (admins.error, MV_ERROR, MV_ERROR_FORBIDDEN), "%s",
		   admins.error->message);
	g_thread_join (sync_call_start (&recurse, engine, "Recurse", g_variant_new ("(u)", 0)));
	cr_assert_null (recurse.output);
	cr_assert (g_error_matches (recurse.error, MV_ERROR, MV_ERROR_FAILED));
	cr_assert (strstr (recurse.error->message, "deeper than the limit of 8") != NULL, "%s",
		   recurse.error->message);
	cr_assert_eq (mv_engine_get_in_flight (engine), 0);
	g_error_free (admins.error);
	g_error_free (recurse.error);
	mv_engine_shutdown (engine, 1000);
}

Test (engine, a_call_that_waited_past_its_deadline_is_never_started, .timeout = 60)
{
	g_autoptr (MvConfig) config = test_config ("[plugins]\nworker-threads=2\n"
						   "call-timeout-ms=500\n");
	g_autoptr (MvEngine) engine = test_engine (config);
	g_autofree gchar *dir = g_dir_make_tmp ("mv-engine-XXXXXX", NULL);
	g_autofree gchar *marker = g_build_filename (dir, "third", NULL);
	g_auto (GStrv) busy = NULL;
	SyncCall a = { 0 }, b = { 0 }, third = { 0 };
	GThread *ta, *tb;
	g_autoptr (GError) error = NULL;
	g_autoptr (GVariant) bmi = NULL;

	ta = sync_call_start (&a, engine, "Hang", g_variant_new ("(us)", 2500, ""));
	tb = sync_call_start (&b, engine, "Hang", g_variant_new ("(us)", 2500, ""));
	while ((busy = mv_engine_list_busy_plugins (engine)) == NULL)
		g_usleep (1000);
	cr_assert (g_str_has_prefix (busy[0], "probe (2 of 2 workers busy"), "%s", busy[0]);
	cr_assert_null (busy[1]);

	/* another plugin has workers of its own */
	bmi = mv_engine_call_sync (engine, "bmi", "Compute", g_variant_new ("(dd)", 70.0, 175.0),
				   &clinician, &error);
	cr_assert_not_null (bmi, "%s", error != NULL ? error->message : "");

	g_thread_join (sync_call_start (&third, engine, "Hang", g_variant_new ("(us)", 0, marker)));
	cr_assert (g_error_matches (third.error, MV_ERROR, MV_ERROR_TIMED_OUT));
	/* answered while it waited: no longer counted as waiting */
	g_clear_pointer (&busy, g_strfreev);
	busy = mv_engine_list_busy_plugins (engine);
	cr_assert_not_null (busy);
	cr_assert_str_eq (busy[0], "probe (2 of 2 workers busy, 0 waiting)");
	cr_assert (strstr (third.error->message, "not started") != NULL, "%s",
		   third.error->message);
	g_thread_join (ta);
	g_thread_join (tb);
	cr_assert (g_error_matches (a.error, MV_ERROR, MV_ERROR_TIMED_OUT));
	cr_assert (strstr (a.error->message, "exceeded its time limit") != NULL, "%s",
		   a.error->message);
	/* the hung workers are free again: the queue has been drained past the expired call */
	g_clear_error (&error);
	for (guint tries = 0;; tries++) {
		SyncCall after = { 0 };
		/* the hung handlers sleep on past their time limit, holding their workers */
		g_thread_join (sync_call_start (&after, engine, "Whoami", g_variant_new ("()")));
		if (after.output != NULL) {
			g_variant_unref (after.output);
			break;
		}
		cr_assert_lt (tries, 20, "probe's workers never came back");
		g_clear_error (&after.error);
	}
	cr_assert_not (g_file_test (marker, G_FILE_TEST_EXISTS), "an expired call was started");
	cr_assert_eq (mv_engine_get_in_flight (engine), 0);
	g_clear_error (&a.error);
	g_clear_error (&b.error);
	g_clear_error (&third.error);
	g_rmdir (dir);
	mv_engine_shutdown (engine, 3000);
}

static void
ready_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
	GError **error = user_data;

	if (mv_engine_check_ready_finish (MV_ENGINE (source), result, error))
		g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "ready");
}

/* A plugin is wedged once every worker runs a call one further time limit past its deadline
 * (calls that ignore their cancellation): readiness fails naming it, and the watchdog's
 * figures show the overdue calls; when they return, both clear. */
Test (engine, a_plugin_whose_workers_all_hang_past_the_limit_is_wedged, .timeout = 60)
{
	g_autoptr (MvConfig) config = test_config ("[plugins]\nworker-threads=2\n"
						   "call-timeout-ms=300\n");
	g_autoptr (MvEngine) engine = test_engine (config);
	g_auto (GStrv) busy = NULL;
	g_auto (GStrv) wedged = NULL;
	g_auto (GStrv) after = NULL;
	g_autoptr (GError) ready = NULL;
	MvEngineProgress before, hung, done;
	SyncCall a = { 0 }, b = { 0 };
	GThread *ta, *tb;

	mv_engine_get_progress (engine, &before);
	cr_assert_eq (before.pending, 0);
	ta = sync_call_start (&a, engine, "Hang", g_variant_new ("(us)", 2500, ""));
	tb = sync_call_start (&b, engine, "Hang", g_variant_new ("(us)", 2500, ""));
	while ((busy = mv_engine_list_busy_plugins (engine)) == NULL)
		g_usleep (1000);
	/* busy is not wedged: the calls are within their limit (or just past it) */
	while ((wedged = mv_engine_list_wedged_plugins (engine)) == NULL)
		g_usleep (10 * 1000);
	cr_assert_str_eq (wedged[0], "probe (2 of 2 workers stuck in calls past their time limit "
				     "that ignore cancellation, 0 waiting)");
	cr_assert_null (wedged[1]);
	mv_engine_get_progress (engine, &hung);
	cr_assert_eq (hung.pending, 2);
	cr_assert_eq (hung.overdue, 2);
	cr_assert_eq (hung.completed, before.completed);

	mv_engine_check_ready_async (engine, ready_done, &ready);
	while (ready == NULL)
		g_main_context_iteration (NULL, TRUE);
	cr_assert (g_error_matches (ready, MV_ERROR, MV_ERROR_UNAVAILABLE), "%s", ready->message);
	cr_assert (strstr (ready->message, "wedged plugin(s): probe (2 of 2") != NULL, "%s",
		   ready->message);

	g_thread_join (ta);
	g_thread_join (tb);
	/* the workers are back once the handlers return, just after the callers were answered */
	for (guint tries = 0; (after = mv_engine_list_wedged_plugins (engine)) != NULL; tries++) {
		cr_assert_lt (tries, 3000, "still wedged: %s", after[0]);
		g_clear_pointer (&after, g_strfreev);
		g_usleep (1000);
	}
	do {
		mv_engine_get_progress (engine, &done);
		g_usleep (1000);
	} while (done.pending > 0);
	cr_assert_eq (done.completed, before.completed + 2);
	cr_assert_eq (done.overdue, 0);
	g_clear_error (&a.error);
	g_clear_error (&b.error);
	mv_engine_shutdown (engine, 3000);
}

/* The watchdog is fed while idle, while calls finish, and while calls are slow but within
 * their limit; not once calls are overdue and none has finished for a whole interval. */
Test (watchdog, fed_unless_overdue_calls_stall_for_an_interval)
{
	const gint64 interval = 10 * G_USEC_PER_SEC;
	MvEngineProgress p = { .completed = 7 };
	MvWatchdogState state;
	gint64 t = 1000 * G_USEC_PER_SEC;

	mv_watchdog_state_init (&state, &p, t);
	/* idle for a long time */
	cr_assert (mv_watchdog_should_feed (&state, &p, t + 60 * G_USEC_PER_SEC, interval));
	t += 60 * G_USEC_PER_SEC;
	/* work arrives; slow, within its limit, nothing finishes: still fed */
	p.pending = 2;
	cr_assert (mv_watchdog_should_feed (&state, &p, t + 5 * G_USEC_PER_SEC, interval));
	cr_assert (mv_watchdog_should_feed (&state, &p, t + 30 * G_USEC_PER_SEC, interval));
	/* overdue, but less than an interval since work began: still fed */
	p.overdue = 1;
	p.completed = 8; /* one finished at t + 31 s */
	cr_assert (mv_watchdog_should_feed (&state, &p, t + 31 * G_USEC_PER_SEC, interval));
	cr_assert (mv_watchdog_should_feed (&state, &p, t + 40 * G_USEC_PER_SEC, interval));
	/* a whole interval without a finished call while one is overdue: not fed */
	cr_assert_not (mv_watchdog_should_feed (&state, &p, t + 41 * G_USEC_PER_SEC, interval));
	cr_assert_not (mv_watchdog_should_feed (&state, &p, t + 50 * G_USEC_PER_SEC, interval));
	/* a call finishes: fed again */
	p.completed = 9;
	cr_assert (mv_watchdog_should_feed (&state, &p, t + 51 * G_USEC_PER_SEC, interval));
	/* the overdue calls return and nothing is pending: fed */
	p.pending = 0;
	p.overdue = 0;
	cr_assert (mv_watchdog_should_feed (&state, &p, t + 90 * G_USEC_PER_SEC, interval));
}

static void
async_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
	GVariant **output = user_data;
	g_autoptr (GError) error = NULL;

	*output = mv_engine_call_finish (MV_ENGINE (source), result, &error);
	cr_assert_not_null (*output, "%s", error != NULL ? error->message : "");
}

Test (engine, async_call_answers_in_the_callers_context)
{
	g_autoptr (MvConfig) config = test_config ("");
	g_autoptr (MvEngine) engine = test_engine (config);
	GVariant *output = NULL;
	gdouble bmi = 0;
	const gchar *category;

	mv_engine_call_async (engine, "bmi", "Compute", g_variant_new ("(dd)", 70.0, 175.0),
			      &clinician, async_done, &output);
	while (output == NULL)
		g_main_context_iteration (NULL, TRUE);
	g_variant_get (output, "(d&s)", &bmi, &category);
	cr_assert_float_eq (bmi, 22.9, 0.05);
	cr_assert_str_eq (category, "normal");
	g_variant_unref (output);
	mv_engine_shutdown (engine, 1000);
}

typedef struct {
	GMutex lock;
	guint answers;
	GThread *thread; /* the thread that answered */
	GVariant *output;
	GError *error;
} ThenCall;

static void
then_done (GVariant *output, GError *error, gpointer user_data)
{
	ThenCall *c = user_data;

	g_mutex_lock (&c->lock);
	c->answers++;
	c->thread = g_thread_self ();
	c->output = output;
	c->error = error;
	g_mutex_unlock (&c->lock);
}

static guint
then_answers (ThenCall *c)
{
	guint n;

	g_mutex_lock (&c->lock);
	n = c->answers;
	g_mutex_unlock (&c->lock);
	return n;
}

/* The callback form answers exactly once: from the plugin's worker, from the main loop when the
 * time limit passes (a handler that ignores it), and at once when the call cannot be queued. */
Test (engine, a_call_with_a_callback_is_answered_once_by_whoever_answers, .timeout = 60)
{
	g_autoptr (MvConfig) config = test_config ("[plugins]\ncall-timeout-ms=300\n");
	g_autoptr (MvEngine) engine = test_engine (config);
	ThenCall ok = { 0 }, late = { 0 }, refused = { 0 };
	gdouble bmi = 0;
	const gchar *category;

	mv_engine_call_then (engine, "bmi", "Compute", g_variant_new ("(dd)", 70.0, 175.0),
			     &clinician, then_done, &ok);
	while (then_answers (&ok) == 0)
		g_usleep (1000);
	cr_assert_not_null (ok.output, "%s", ok.error != NULL ? ok.error->message : "");
	cr_assert_neq (ok.thread, g_thread_self (), "answered by the caller, not the worker");
	g_variant_get (ok.output, "(d&s)", &bmi, &category);
	cr_assert_float_eq (bmi, 22.9, 0.05);

	/* the time limit: answered from the main loop while the handler still sleeps */
	mv_engine_call_then (engine, "probe", "Hang", g_variant_new ("(us)", 2000, ""), &clinician,
			     then_done, &late);
	while (then_answers (&late) == 0)
		g_main_context_iteration (NULL, TRUE);
	cr_assert (g_error_matches (late.error, MV_ERROR, MV_ERROR_TIMED_OUT), "%s",
		   late.error != NULL ? late.error->message : "answered");
	cr_assert_eq (late.thread, g_thread_self ());

	mv_engine_call_then (engine, "nope", "Nope", g_variant_new ("()"), &clinician, then_done,
			     &refused);
	cr_assert_eq (then_answers (&refused), 1, "not answered at once");
	cr_assert (g_error_matches (refused.error, MV_ERROR, MV_ERROR_NOT_FOUND));

	/* the hung handler finishing later answers no one a second time */
	g_usleep (2200 * 1000);
	cr_assert_eq (then_answers (&ok) + then_answers (&late) + then_answers (&refused), 3);
	g_variant_unref (ok.output);
	g_clear_error (&late.error);
	g_clear_error (&refused.error);
	mv_engine_shutdown (engine, 3000);
}

/* ---- the router: a handler calls a plugin and stores its answer --------------------------- */

typedef struct {
	MvEngine *engine;
	MvDb *db;
} StoreRoute;

/* POST /v1/test/bmi {"weight_kg", "height_cm"}: computes and stores, answers the stored row */
static JsonNode *
compute_and_store (MvHttpRequest *request, GError **error)
{
	StoreRoute *s = mv_http_request_get_user_data (request);
	JsonObject *body = mv_http_request_get_body (request);
	MvCaller caller = { .request_id = mv_http_request_get_id (request),
			    .role = MV_ROLE_OPERATOR,
			    .locale = mv_http_request_get_locale (request) };
	g_autoptr (GVariant) output = NULL;
	g_autofree gchar *bmi_text = NULL;
	const gchar *category;
	gdouble bmi;
	PGconn *conn;
	g_autoptr (PGresult) res = NULL;
	g_autoptr (JsonBuilder) builder = json_builder_new ();

	output = mv_engine_call_sync (
		s->engine, "bmi", "Compute",
		g_variant_new ("(dd)", json_object_get_double_member (body, "weight_kg"),
			       json_object_get_double_member (body, "height_cm")),
		&caller, error);
	if (output == NULL)
		return NULL;
	g_variant_get (output, "(d&s)", &bmi, &category);
	bmi_text = g_strdup_printf ("%.1f", bmi);
	conn = mv_db_acquire (s->db, 10000, error);
	if (conn == NULL)
		return NULL;
	res = mv_db_exec_params (conn,
				 "INSERT INTO results (request_id, bmi, category) VALUES ($1, $2, "
				 "$3) RETURNING id",
				 3, (const gchar *[]){ caller.request_id, bmi_text, category },
				 error);
	mv_db_release (s->db, conn);
	if (res == NULL)
		return NULL;
	mv_http_request_set_status (request, 201);
	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "id");
	json_builder_add_string_value (builder, PQgetvalue (res, 0, 0));
	json_builder_end_object (builder);
	return json_builder_get_root (builder);
}

static const MvHttpRoute store_routes[] = {
	{ "POST", "/v1/test/bmi", MV_ROLE_NONE, compute_and_store, "test route" },
};

typedef struct {
	SoupMessage *msg;
	GBytes *body;
	gboolean done;
} ClientCall;

static void
client_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
	ClientCall *c = user_data;
	c->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
	c->done = TRUE;
}

Test (router, a_handler_calls_a_plugin_and_stores_the_answer_in_one_request, .timeout = 120)
{
	g_autoptr (MvConfig) config = test_config ("");
	g_autoptr (MvEngine) engine = test_engine (config);
	g_autofree gchar *dir = NULL;
	g_autoptr (MvPgEmbedded) pg = mvt_cluster_start (&dir);
	g_autoptr (GError) error = NULL;
	MvDb *db = mv_db_new (mv_pg_embedded_get_conninfo (pg), 2, &error);
	StoreRoute route_data = { engine, db };
	g_autoptr (MvHttp) http = NULL;
	g_autoptr (SoupSession) session = soup_session_new ();
	g_autofree gchar *url = NULL;
	g_autoptr (SoupMessage) msg = NULL;
	const gchar *json = "{\"weight_kg\":70,\"height_cm\":175}";
	ClientCall call = { 0 };
	PGconn *conn;
	g_autoptr (PGresult) rows = NULL;

	cr_assert_not_null (db, "%s", error != NULL ? error->message : "");
	conn = mv_db_acquire (db, 10000, &error);
	cr_assert (mv_db_exec (conn,
			       "CREATE TABLE results (id serial PRIMARY KEY, request_id text, "
			       "bmi numeric, category text)",
			       &error),
		   "%s", error != NULL ? error->message : "");
	mv_db_release (db, conn);

	http = mv_http_new (engine, config);
	mv_http_add_routes (http, store_routes, G_N_ELEMENTS (store_routes), &route_data);
	cr_assert (mv_http_start (http, &error), "%s", error != NULL ? error->message : "");
	url = g_strdup_printf ("%s/v1/test/bmi", mv_http_get_url (http));
	msg = soup_message_new ("POST", url);
	soup_message_headers_append (soup_message_get_request_headers (msg), "X-Request-Id",
				     "router-store-1");
	soup_message_set_request_body_from_bytes (msg, "application/json",
						  g_bytes_new_static (json, strlen (json)));
	soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, client_done,
					  &call);
	while (!call.done)
		g_main_context_iteration (NULL, TRUE);
	cr_assert_eq (soup_message_get_status (msg), 201, "%.*s",
		      call.body != NULL ? (int)g_bytes_get_size (call.body) : 0,
		      call.body != NULL ? (const gchar *)g_bytes_get_data (call.body, NULL) : "");

	conn = mv_db_acquire (db, 10000, &error);
	rows = mv_db_exec_params (conn, "SELECT request_id, bmi::text, category FROM results", 0,
				  NULL, &error);
	mv_db_release (db, conn);
	cr_assert_not_null (rows, "%s", error != NULL ? error->message : "");
	cr_assert_eq (PQntuples (rows), 1);
	/* the daemon's own request id, never the client's (it is only logged beside it) */
	cr_assert_str_eq (PQgetvalue (rows, 0, 0),
			  soup_message_headers_get_one (soup_message_get_response_headers (msg),
							"X-Request-Id"));
	cr_assert_str_neq (PQgetvalue (rows, 0, 0), "router-store-1");
	cr_assert_str_eq (PQgetvalue (rows, 0, 1), "22.9");
	cr_assert_str_eq (PQgetvalue (rows, 0, 2), "normal");

	g_bytes_unref (call.body);
	while (mv_http_get_running_workers (http) > 0)
		g_main_context_iteration (NULL, FALSE);
	mv_http_close (http);
	mv_engine_shutdown (engine, 1000);
	mv_db_free (db);
	mv_pg_embedded_stop (pg, NULL);
	mvt_cluster_destroy (&pg, &dir);
}
