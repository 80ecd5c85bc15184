/* SIGTERM while a patient request is still running in its worker thread, blocked on the
 * database past [daemon] shutdown-timeout-ms: the daemon must exit cleanly (status 0, its
 * PostgreSQL stopped), not free the router, the services and the connection pool from under
 * the worker. */
#include <criterion/criterion.h>
#include <string.h>
#include <sys/wait.h>

#include "mvt.h"
#include "pt-client.h"

typedef struct {
	gchar *url;
	gchar *request; /* the raw HTTP request */
	gchar *answer;	/* whatever came back before the connection closed */
} RawCall;

/* a hand-made HTTP request on a socket of its own: no assertion, safe in a thread */
static gpointer
raw_call (gpointer data)
{
	RawCall *call = data;
	g_autoptr (GSocketClient) client = g_socket_client_new ();
	g_autoptr (GSocketConnection) conn = NULL;
	g_autoptr (GString) answer = g_string_new (NULL);
	GOutputStream *out;
	GInputStream *in;
	gchar buf[4096];
	gssize n;

	g_socket_client_set_timeout (client, 60);
	conn = g_socket_client_connect_to_uri (client, call->url, 80, NULL, NULL);
	if (conn == NULL)
		return NULL;
	out = g_io_stream_get_output_stream (G_IO_STREAM (conn));
	in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
	if (!g_output_stream_write_all (out, call->request, strlen (call->request), NULL, NULL,
					NULL))
		return NULL;
	while ((n = g_input_stream_read (in, buf, sizeof buf, NULL, NULL)) > 0)
		g_string_append_len (answer, buf, n);
	call->answer = g_string_free (g_steal_pointer (&answer), FALSE);
	return NULL;
}

static MvtEnv *current_env;

static void
fini (void)
{
	g_clear_pointer (&current_env, mvt_env_free);
}

Test (shutdown, sigterm_while_a_patient_request_waits_on_the_database, .timeout = 120, .fini = fini)
{
	const MvtOptions options = { .config = "[daemon]\nshutdown-timeout-ms=500\n" };
	g_autoptr (GError) error = NULL;
	g_auto (PtClinic) clinic = { 0 };
	g_autofree gchar *id = NULL;
	g_autofree gchar *log = NULL;
	RawCall call = { 0 };
	GThread *thread;
	PGconn *holder, *watcher;
	PGresult *res;
	gboolean waiting = FALSE;

	current_env = mvt_env_new ();
	mvt_env_prepare (current_env, &options);
	cr_assert (mvt_bus_start (current_env, &error), "%s", error ? error->message : "");
	cr_assert (mvt_daemon_spawn (current_env, &error)
			   && mvt_daemon_wait_ready (current_env, 60000, &error),
		   "%s", error ? error->message : "");
	pt_clinic_make (current_env->url, current_env->data_dir, &clinic);
	{
		g_autoptr (PtResponse) r = pt_request (
			current_env->url, "POST", "/v1/patients", clinic.clinician, NULL, NULL,
			"{\"mrn\":\"SD-1\",\"name\":{\"given\":\"Shut\"}}");
		cr_assert_eq (r->status, 201, "%s", r->body);
		id = g_strdup (pt_str (r, "id"));
	}

	/* hold the patient's row so the PATCH's SELECT … FOR UPDATE waits */
	holder = pt_db_connect (current_env->data_dir);
	watcher = pt_db_connect (current_env->data_dir);
	{
		const gchar *v[] = { clinic.id, id };
		res = PQexec (holder, "BEGIN");
		PQclear (res);
		res = PQexecParams (
			holder,
			"SELECT 1 FROM patients WHERE clinic_id = $1 AND patient_id = $2 "
			"FOR UPDATE",
			2, NULL, v, NULL, NULL, 0);
		cr_assert_eq (PQntuples (res), 1, "%s", PQerrorMessage (holder));
		PQclear (res);
	}
	call.url = g_strdup (current_env->url);
	call.request = g_strdup_printf (
		"PATCH /v1/patients/%s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
		"Authorization: Bearer %s\r\nIf-Match: \"1\"\r\n"
		"Content-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"sex\":\"f\"}",
		id, clinic.clinician);
	thread = g_thread_new ("patch", raw_call, &call);
	for (guint i = 0; i < 500 && !waiting; i++) {
		g_autofree gchar *n = pt_db_value (
			watcher,
			"SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
			"AND query LIKE '%FOR UPDATE%'",
			0, NULL);
		waiting = g_strcmp0 (n, "0") != 0;
		if (!waiting)
			g_usleep (20 * 1000);
	}
	cr_assert (waiting, "the PATCH never waited for the row lock");
	PQfinish (watcher);

	/* the drain gives up after 500 ms while the worker still waits */
	mvt_daemon_term (current_env);
	cr_assert (mvt_daemon_wait_exit (current_env, 30000), "the daemon did not exit");
	log = mvt_read_log (current_env);
	cr_assert (WIFEXITED (current_env->daemon_status)
			   && WEXITSTATUS (current_env->daemon_status) == 0,
		   "medversed did not exit 0 (status %d); log:\n%s", current_env->daemon_status,
		   log);
	cr_assert_null (strstr (log, "CRITICAL"), "log:\n%s", log);
	cr_assert (mvt_daemon_stop (current_env, &error), "%s", error ? error->message : "");

	PQfinish (holder);
	g_thread_join (thread);
	g_free (call.url);
	g_free (call.request);
	g_free (call.answer);
}
