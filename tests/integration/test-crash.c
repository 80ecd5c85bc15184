/*
 * A daemon that dies: a plugin that segfaults, and kill -9.  Plugins still run inside medversed,
 * so a crashing plugin takes the daemon down; what is checked is that the death is visible (one
 * log line naming the plugin, the method and the request id) and clean (no PostgreSQL of its
 * data dir outlives it).  Each test has a daemon of its own; only these tests load crashy.so.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "mvt.h"

static const gchar *const good_plugins[] = { "crashy.so", NULL };

/* the daemon of the running test; freed by fini() whether the test passed or not */
static MvtEnv *current_env;

static void
fini (void)
{
	g_clear_pointer (&current_env, mvt_env_free);
}

static MvtEnv *
start_daemon (void)
{
	MvtOptions options = { .good_plugins = good_plugins };
	g_autoptr (GError) error = NULL;
	struct rlimit no_core = { 0, 0 };
	MvtEnv *env = mvt_env_new ();

	/* the daemon inherits it: the crash must not leave a core file (or a report) behind */
	cr_assert_eq (setrlimit (RLIMIT_CORE, &no_core), 0);
	mvt_env_prepare (env, &options);
	cr_assert (mvt_daemon_spawn (env, &error), "%s", error != NULL ? error->message : "");
	current_env = env;
	cr_assert (mvt_daemon_wait_ready (env, 60000, &error), "%s", error->message);
	cr_assert_gt (env->postmaster_pid, 0, "no embedded PostgreSQL found");
	return env;
}

static gchar *
describe_status (gint status)
{
	if (WIFSIGNALED (status))
		return g_strdup_printf ("killed by signal %d (%s)", WTERMSIG (status),
					g_strsignal (WTERMSIG (status)));
	return g_strdup_printf ("wait status 0x%x", status);
}

/* POST /v1/plugins/crashy/Crash with the operator key (the client's default) and @request_id.
 * The daemon dies on it, so no answer is expected: returns the HTTP status that came anyway, 0
 * when none did. */
static guint
post_crash (MvtEnv *env, const gchar *request_id)
{
	const gchar *const headers[] = { "X-Request-Id", request_id, NULL };
	const MvtRequest req = { .base_url = env->url,
				 .method = "POST",
				 .path = "/v1/plugins/crashy/Crash",
				 .content_type = "application/json",
				 .body = "{}",
				 .len = -1,
				 .headers = headers,
				 .timeout_s = 30 };
	g_autoptr (MvtResponse) resp = mvt_request_send (&req, NULL);

	return resp != NULL ? resp->status : 0;
}

/* the lines of @log holding every one of @needles, joined by '\n'; *n_out: how many */
static gchar *
lines_with (const gchar *log, const gchar *const *needles, guint *n_out)
{
	g_auto (GStrv) lines = g_strsplit (log, "\n", -1);
	g_autoptr (GString) found = g_string_new (NULL);

	*n_out = 0;
	for (guint i = 0; lines[i] != NULL; i++) {
		gboolean all = TRUE;
		for (guint j = 0; needles[j] != NULL && all; j++)
			all = strstr (lines[i], needles[j]) != NULL;
		if (!all)
			continue;
		g_string_append_printf (found, "%s\n", lines[i]);
		(*n_out)++;
	}
	return g_string_free (g_steal_pointer (&found), FALSE);
}

Test (crash, segfaulting_plugin_is_named_and_takes_postgres_along, .timeout = 120, .fini = fini)
{
	MvtEnv *env = start_daemon ();
	g_autoptr (GError) error = NULL;
	g_autofree gchar *request_id = g_strdup_printf ("crash-test-%08x", g_random_int ());
	const gchar *needles[] = { "crashy", "Crash", "request id ", NULL };
	const gchar *id;
	g_autofree gchar *how = NULL;
	g_autofree gchar *log = NULL;
	g_autofree gchar *named = NULL;
	guint status;
	guint n = 0;

	status = post_crash (env, request_id);
	cr_assert_eq (status, 0, "the crashing call was answered with HTTP %u", status);
	cr_assert (mvt_daemon_wait_exit (env, 30000), "medversed still runs after the crash");
	how = describe_status (env->daemon_status);
	/* the handler re-raised the signal: the exit status (and a core, if enabled) are real */
	cr_assert (WIFSIGNALED (env->daemon_status) && WTERMSIG (env->daemon_status) == SIGSEGV,
		   "medversed %s, expected SIGSEGV", how);

	log = mvt_read_log (env);
	named = lines_with (log, needles, &n);
	cr_assert_eq (n, 1, "expected one line naming crashy, Crash and a request id, got %u:\n%s",
		      n, named);
	cr_assert_not_null (strstr (named, "fatal signal 11 (SIGSEGV) in plugin crashy method "
					   "Crash, request id "),
			    "%s", named);
	/* the daemon's own id (16 hex digits), never the client's X-Request-Id */
	id = strstr (named, "request id ") + strlen ("request id ");
	cr_assert (strspn (id, "0123456789abcdef") == 16, "%s", named);
	cr_assert_null (strstr (named, request_id), "%s", named);

	cr_assert (mvt_no_postgres_left (env, 10000, &error), "10 s after the crash: %s",
		   error->message);
}

Test (crash, kill_9_takes_postgres_along, .timeout = 120, .fini = fini)
{
	MvtEnv *env = start_daemon ();
	g_autoptr (GError) error = NULL;
	g_autofree gchar *how = NULL;

	cr_assert_eq (kill (env->daemon_pid, SIGKILL), 0);
	cr_assert (mvt_daemon_wait_exit (env, 10000));
	how = describe_status (env->daemon_status);
	cr_assert (WIFSIGNALED (env->daemon_status) && WTERMSIG (env->daemon_status) == SIGKILL,
		   "medversed %s", how);
	cr_assert (mvt_no_postgres_left (env, 10000, &error), "10 s after kill -9: %s",
		   error->message);
}
