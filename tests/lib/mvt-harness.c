/* The daemon harness: see mvt-harness.h. */
#include "mvt-harness.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mvt-http.h"
#include "mvt-report.h"

const gchar *
mvt_getenv (const gchar *name)
{
	const gchar *value = g_getenv (name);
	if (value == NULL || value[0] == '\0') {
		/* not a skip: the test cannot run, so it fails */
		g_printerr ("harness: %s is not set; run the tests through `meson test`\n", name);
		abort ();
	}
	return value;
}

MvtEnv *
mvt_env_new (void)
{
	g_autoptr (GError) error = NULL;
	MvtEnv *env = g_new0 (MvtEnv, 1);

	env->root = g_dir_make_tmp ("mv-it-XXXXXX", &error);
	g_assert_no_error (error);
	/* the daemon runs its embedded PostgreSQL as an unprivileged user when started as root:
	 * that user must be able to reach the data dir */
	g_assert_cmpint (g_chmod (env->root, 0755), ==, 0);
	env->data_dir = g_build_filename (env->root, "data", NULL);
	env->plugin_dir = g_build_filename (env->root, "plugins", NULL);
	env->config_path = g_build_filename (env->root, "medversed.conf", NULL);
	env->log_path = g_build_filename (env->root, "medversed.log", NULL);
	g_assert_cmpint (g_mkdir (env->plugin_dir, 0755), ==, 0);
	env->daemon_pid = -1;
	env->bus_pid = -1;
	return env;
}

static void
kill_and_reap (GPid pid, gint *status)
{
	gint dummy;
	kill (pid, SIGKILL);
	while (waitpid (pid, status != NULL ? status : &dummy, 0) < 0 && errno == EINTR)
		;
}

/* alive and not a zombie: an orphan's zombie may never be reaped in a container */
static gboolean
proc_alive (gint pid)
{
	g_autofree gchar *path = g_strdup_printf ("/proc/%d/stat", pid);
	g_autofree gchar *stat = NULL;
	const gchar *paren;

	if (pid <= 0 || !g_file_get_contents (path, &stat, NULL, NULL))
		return FALSE;
	paren = strrchr (stat, ')');
	return paren != NULL && paren[1] == ' ' && paren[2] != 'Z' && paren[2] != 'X';
}

/* the postmaster of env's cluster, from its pid file, if it is still running */
static gint
running_postmaster (MvtEnv *env)
{
	g_autofree gchar *pid_path = g_build_filename (env->data_dir, "pg", "postmaster.pid", NULL);
	g_autofree gchar *text = NULL;
	gint pid;

	if (!g_file_get_contents (pid_path, &text, NULL, NULL))
		return proc_alive (env->postmaster_pid) ? env->postmaster_pid : 0;
	pid = atoi (text);
	return proc_alive (pid) ? pid : 0;
}

void
mvt_env_free (MvtEnv *env)
{
	gint postmaster;

	if (env == NULL)
		return;
	/* a test that failed half-way: stop the daemon the polite way first, so it stops its
	 * PostgreSQL, and never leave a cluster running in a directory about to be removed */
	if (env->daemon_pid > 0 && !env->daemon_exited) {
		kill (env->daemon_pid, SIGTERM);
		if (!mvt_daemon_wait_exit (env, 15000))
			kill_and_reap (env->daemon_pid, NULL);
		env->daemon_exited = TRUE;
	}
	postmaster = running_postmaster (env);
	if (postmaster > 0) {
		/* immediate shutdown: the data is thrown away anyway */
		kill (postmaster, SIGQUIT);
		for (guint i = 0; i < 100 && proc_alive (postmaster); i++)
			g_usleep (50 * 1000);
	}
	mvt_bus_stop (env);
	if (g_getenv ("MVT_KEEP") == NULL) {
		const gchar *argv[] = { "rm", "-rf", env->root, NULL };
		g_spawn_sync (NULL, (gchar **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
			      NULL, NULL, NULL);
	} else {
		g_printerr ("harness: kept %s\n", env->root);
	}
	g_free (env->root);
	g_free (env->data_dir);
	g_free (env->plugin_dir);
	g_free (env->config_path);
	g_free (env->log_path);
	g_free (env->bus_address);
	g_free (env->url);
	g_free (env->notify_socket);
	g_strfreev (env->daemon_env);
	g_free (env);
}

static void
copy_file (const gchar *src, const gchar *dir, const gchar *name)
{
	g_autofree gchar *dest_path = g_build_filename (dir, name, NULL);
	g_autoptr (GFile) source = g_file_new_for_path (src);
	g_autoptr (GFile) dest = g_file_new_for_path (dest_path);
	g_autoptr (GError) error = NULL;

	if (!g_file_copy (source, dest, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error))
		g_error ("harness: copying %s: %s", src, error->message);
}

void
mvt_env_prepare (MvtEnv *env, const MvtOptions *options)
{
	const gchar *bmi = mvt_getenv ("MVT_BMI_PLUGIN");
	g_autoptr (GError) error = NULL;

	copy_file (bmi, env->plugin_dir, "bmi.so");
	for (guint i = 0; options->good_plugins != NULL && options->good_plugins[i] != NULL; i++) {
		g_autofree gchar *src = g_build_filename (mvt_getenv ("MVT_GOOD_PLUGIN_DIR"),
							  options->good_plugins[i], NULL);
		copy_file (src, env->plugin_dir, options->good_plugins[i]);
	}
	for (guint i = 0; options->bad_plugins != NULL && options->bad_plugins[i] != NULL; i++) {
		g_autofree gchar *src = g_build_filename (mvt_getenv ("MVT_BAD_PLUGIN_DIR"),
							  options->bad_plugins[i], NULL);
		copy_file (src, env->plugin_dir, options->bad_plugins[i]);
	}
	for (guint i = 0; options->extra_plugins != NULL && options->extra_plugins[i] != NULL;
	     i++) {
		g_autofree gchar *name = g_path_get_basename (options->extra_plugins[i]);
		copy_file (options->extra_plugins[i], env->plugin_dir, name);
	}
	if (options->add_corrupt) {
		g_autofree gchar *path = g_build_filename (env->plugin_dir, "corrupt.so", NULL);
		guint8 junk[4096];
		for (gsize i = 0; i < sizeof junk; i++)
			junk[i] = (guint8)g_random_int_range (0, 256);
		junk[0] = 'J'; /* never an ELF magic by chance */
		g_file_set_contents (path, (const gchar *)junk, sizeof junk, &error);
		g_assert_no_error (error);
	}
	if (options->add_duplicate)
		copy_file (bmi, env->plugin_dir, "bmi-copy.so");
	g_file_set_contents (env->config_path, options->config != NULL ? options->config : "", -1,
			     &error);
	g_assert_no_error (error);
}

/* fork + exec with the child killed when we die, so a crashed or timed-out test leaves no
 * daemon behind.  Everything the child needs is prepared before fork().  @nofile_limit > 0:
 * the child's RLIMIT_NOFILE, soft and hard, as `ulimit -n` in a shell would set it. */
static GPid
spawn (const gchar *program,
       gchar **argv,
       gchar **envp,
       int stdout_fd,
       int stderr_fd,
       guint nofile_limit)
{
	struct rlimit nofile = { nofile_limit, nofile_limit };

	GPid pid = fork ();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		/* SIGTERM, not SIGKILL: the daemon then still stops its PostgreSQL */
		prctl (PR_SET_PDEATHSIG, SIGTERM);
		if (stdout_fd >= 0)
			dup2 (stdout_fd, STDOUT_FILENO);
		if (stderr_fd >= 0)
			dup2 (stderr_fd, STDERR_FILENO);
		if (nofile_limit > 0 && setrlimit (RLIMIT_NOFILE, &nofile) < 0)
			_exit (126);
		execve (program, argv, envp);
		_exit (127);
	}
	return pid;
}

gboolean
mvt_bus_start (MvtEnv *env, GError **error)
{
	g_autofree gchar *conf_path = g_build_filename (env->root, "bus.conf", NULL);
	g_autofree gchar *socket_path = g_build_filename (env->root, "bus", NULL);
	g_autofree gchar *program = g_find_program_in_path ("dbus-daemon");
	g_autofree gchar *config_arg = NULL;
	g_autofree gchar *conf = NULL;
	g_auto (GStrv) envp = g_get_environ ();
	GString *line = g_string_new (NULL);
	int fds[2];
	gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

	if (program == NULL) {
		g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
				     "dbus-daemon not in PATH");
		return FALSE;
	}
	conf = g_strdup_printf (
		"<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration "
		"1.0//EN\"\n"
		" \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
		"<busconfig>\n"
		"  <type>session</type>\n"
		"  <listen>unix:path=%s</listen>\n"
		"  <auth>EXTERNAL</auth>\n"
		"  <policy context=\"default\">\n"
		"    <allow user=\"*\"/>\n"
		"    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
		"    <allow eavesdrop=\"true\"/>\n"
		"    <allow own=\"*\"/>\n"
		"  </policy>\n"
		"</busconfig>\n",
		socket_path);
	if (!g_file_set_contents (conf_path, conf, -1, error))
		return FALSE;
	config_arg = g_strdup_printf ("--config-file=%s", conf_path);
	if (pipe2 (fds, O_CLOEXEC) < 0) {
		g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "pipe: %s",
			     g_strerror (errno));
		return FALSE;
	}
	{
		const gchar *argv[] = { program, config_arg, "--nofork", "--print-address", NULL };
		env->bus_pid = spawn (program, (gchar **)argv, envp, fds[1], -1, 0);
	}
	close (fds[1]);
	while (g_get_monotonic_time () < deadline && strchr (line->str, '\n') == NULL) {
		struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
		gchar buf[256];
		gssize n;
		if (poll (&pfd, 1, 100) <= 0)
			continue;
		n = read (fds[0], buf, sizeof buf);
		if (n <= 0)
			break;
		g_string_append_len (line, buf, n);
	}
	close (fds[0]);
	if (strchr (line->str, '\n') == NULL) {
		g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
			     "dbus-daemon printed no address (got \"%s\")", line->str);
		g_string_free (line, TRUE);
		return FALSE;
	}
	env->bus_address = g_strstrip (g_string_free (line, FALSE));
	return TRUE;
}

void
mvt_bus_stop (MvtEnv *env)
{
	gint status;
	if (env->bus_pid <= 0)
		return;
	kill (env->bus_pid, SIGTERM);
	while (waitpid (env->bus_pid, &status, 0) < 0 && errno == EINTR)
		;
	env->bus_pid = -1;
}

gboolean
mvt_daemon_spawn (MvtEnv *env, GError **error)
{
	const gchar *program = mvt_getenv ("MEDVERSED");
	g_auto (GStrv) envp = g_get_environ ();
	int log_fd;
	const gchar *argv[] = {
		program,
		"--data-dir",
		env->data_dir,
		"--http",
		"127.0.0.1:0",
		"--bus",
		env->bus_address != NULL ? "session" : "none",
		"--plugin-dir",
		env->plugin_dir,
		"--config",
		env->config_path,
		/* last, so production drops it by ending the list early */
		env->production ? NULL : "--dev",
		NULL,
	};

	if (env->bus_address != NULL)
		envp = g_environ_setenv (envp, "DBUS_SESSION_BUS_ADDRESS", env->bus_address, TRUE);
	/* a critical warning in the daemon is a bug: make it crash the daemon and fail the test */
	envp = g_environ_setenv (envp, "G_DEBUG", "fatal-criticals", TRUE);
	/* every log line, debug included, is checked for what it must not carry */
	envp = g_environ_setenv (envp, "G_MESSAGES_DEBUG", "all", TRUE);
	if (env->notify_socket != NULL)
		envp = g_environ_setenv (envp, "NOTIFY_SOCKET", env->notify_socket, TRUE);
	else
		envp = g_environ_unsetenv (envp, "NOTIFY_SOCKET");
	/* the plugins are copied into a temp dir, which the daemon would run isolated (outside
	 * its own plugin directory): suites written for plugins in process keep them there,
	 * unless the run asks for isolation (MEDVERSE_PLUGIN_ISOLATION=process) or a test's
	 * config sets `isolation` (docs/plugin-isolation.md) */
	envp = g_environ_setenv (envp, "MEDVERSE_PLUGIN_ISOLATION", "in-process", FALSE);
	/* nothing of the test runner's own service manager reaches the daemon unasked */
	envp = g_environ_unsetenv (envp, "WATCHDOG_USEC");
	envp = g_environ_unsetenv (envp, "WATCHDOG_PID");
	for (guint i = 0; env->daemon_env != NULL && env->daemon_env[i] != NULL; i++) {
		g_auto (GStrv) kv = g_strsplit (env->daemon_env[i], "=", 2);
		envp = g_environ_setenv (envp, kv[0], kv[1] != NULL ? kv[1] : "", TRUE);
	}
	log_fd = open (env->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (log_fd < 0) {
		g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s",
			     env->log_path, g_strerror (errno));
		return FALSE;
	}
	env->daemon_exited = FALSE;
	env->term_sent = FALSE;
	env->daemon_pid = spawn (program, (gchar **)argv, envp, log_fd, log_fd, env->nofile_limit);
	close (log_fd);
	if (env->daemon_pid < 0) {
		g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "fork: %s",
			     g_strerror (errno));
		return FALSE;
	}
	return TRUE;
}

static gboolean
daemon_poll_exit (MvtEnv *env)
{
	if (env->daemon_exited)
		return TRUE;
	if (waitpid (env->daemon_pid, &env->daemon_status, WNOHANG) == env->daemon_pid)
		env->daemon_exited = TRUE;
	return env->daemon_exited;
}

gboolean
mvt_daemon_wait_exit (MvtEnv *env, guint timeout_ms)
{
	gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;
	while (!daemon_poll_exit (env)) {
		if (g_get_monotonic_time () > deadline)
			return FALSE;
		g_usleep (10 * 1000);
	}
	return TRUE;
}

gchar *
mvt_read_log (MvtEnv *env)
{
	gchar *text = NULL;
	if (!g_file_get_contents (env->log_path, &text, NULL, NULL))
		return g_strdup ("");
	return text;
}

static gchar *
describe_status (gint status)
{
	if (WIFEXITED (status))
		return g_strdup_printf ("exited with status %d", WEXITSTATUS (status));
	if (WIFSIGNALED (status))
		return g_strdup_printf ("killed by signal %d (%s)", WTERMSIG (status),
					g_strsignal (WTERMSIG (status)));
	return g_strdup_printf ("ended with wait status 0x%x", status);
}

gboolean
mvt_daemon_wait_ready (MvtEnv *env, guint timeout_ms, GError **error)
{
	g_autofree gchar *url_path = g_build_filename (env->data_dir, "http.url", NULL);
	g_autofree gchar *pid_path = g_build_filename (env->data_dir, "pg", "postmaster.pid", NULL);
	gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;
	g_autofree gchar *pid_text = NULL;

	for (;;) {
		gchar *text = NULL;
		if (g_file_get_contents (url_path, &text, NULL, NULL)) {
			env->url = g_strstrip (text);
			break;
		}
		if (daemon_poll_exit (env)) {
			g_autofree gchar *how = describe_status (env->daemon_status);
			g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
				     "medversed %s before it was ready", how);
			return FALSE;
		}
		if (g_get_monotonic_time () > deadline) {
			g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
				     "%s did not appear within %u ms", url_path, timeout_ms);
			return FALSE;
		}
		g_usleep (20 * 1000);
	}
	if (!g_str_has_prefix (env->url, "http://")) {
		g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s holds \"%s\", not a URL",
			     url_path, env->url);
		return FALSE;
	}
	/* remembered so the stray-process check also finds postmaster children, whose command
	 * lines no longer name the data dir */
	if (g_file_get_contents (pid_path, &pid_text, NULL, NULL))
		env->postmaster_pid = atoi (pid_text);
	mvt_http_register_daemon (env->url, env->data_dir);
	return TRUE;
}

static gchar *
read_proc (gint pid, const gchar *what, gsize *len)
{
	g_autofree gchar *path = g_strdup_printf ("/proc/%d/%s", pid, what);
	gchar *text = NULL;
	if (!g_file_get_contents (path, &text, len, NULL))
		return NULL;
	return text;
}

static gint
proc_ppid (gint pid)
{
	g_autofree gchar *status = read_proc (pid, "status", NULL);
	const gchar *line = status != NULL ? strstr (status, "\nPPid:") : NULL;
	return line != NULL ? atoi (line + strlen ("\nPPid:")) : -1;
}

gchar *
mvt_find_postgres (MvtEnv *env)
{
	g_autoptr (GDir) dir = g_dir_open ("/proc", 0, NULL);
	g_autoptr (GString) found = g_string_new (NULL);
	g_autofree gchar *cluster_path = g_build_filename (env->data_dir, "pg", NULL);
	/* as the kernel shows a cwd: without symbolic links */
	g_autofree gchar *cluster_dir = realpath (cluster_path, NULL);
	const gchar *name;

	while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
		gint pid = atoi (name);
		gsize len = 0;
		g_autofree gchar *cmdline = NULL;
		gboolean ours;

		if (pid <= 0 || pid == getpid ())
			continue;
		cmdline = read_proc (pid, "cmdline", &len);
		if (cmdline == NULL || len == 0)
			continue;
		for (gsize i = 0; i + 1 < len; i++)
			if (cmdline[i] == '\0')
				cmdline[i] = ' ';
		if (strstr (cmdline, "postgres") == NULL && strstr (cmdline, "postmaster") == NULL)
			continue;
		ours = strstr (cmdline, env->root) != NULL;
		/* every postgres process chdirs to its cluster: this finds the backends of a
		 * postmaster that is gone too (reparented, their command line names no dir) */
		if (!ours) {
			g_autofree gchar *cwd_link = g_strdup_printf ("/proc/%d/cwd", pid);
			g_autofree gchar *cwd = g_file_read_link (cwd_link, NULL);
			ours = cluster_dir != NULL && g_strcmp0 (cwd, cluster_dir) == 0;
		}
		if (env->postmaster_pid > 0)
			ours = ours || pid == env->postmaster_pid
			       || proc_ppid (pid) == env->postmaster_pid;
		if (ours)
			g_string_append_printf (found, "%d %s\n", pid, cmdline);
	}
	if (found->len == 0)
		return NULL;
	return g_string_free (g_steal_pointer (&found), FALSE);
}

gboolean
mvt_no_postgres_left (MvtEnv *env, guint grace_ms, GError **error)
{
	gint64 deadline = g_get_monotonic_time () + (gint64)grace_ms * 1000;
	for (;;) {
		g_autofree gchar *left = mvt_find_postgres (env);
		if (left == NULL)
			return TRUE;
		if (g_get_monotonic_time () > deadline) {
			g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
				     "postgres processes left behind:\n%s", left);
			return FALSE;
		}
		g_usleep (20 * 1000);
	}
}

void
mvt_daemon_term (MvtEnv *env)
{
	/* once: a second SIGTERM could mean "stop now" to a daemon that is draining */
	if (!env->term_sent && !env->daemon_exited)
		kill (env->daemon_pid, SIGTERM);
	env->term_sent = TRUE;
}

gboolean
mvt_daemon_stop (MvtEnv *env, GError **error)
{
	g_autofree gchar *url_path = g_build_filename (env->data_dir, "http.url", NULL);

	mvt_daemon_term (env);
	if (!mvt_daemon_wait_exit (env, 30000)) {
		kill_and_reap (env->daemon_pid, &env->daemon_status);
		env->daemon_exited = TRUE;
		g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
				     "medversed did not exit within 30 s of SIGTERM (killed)");
		return FALSE;
	}
	if (!WIFEXITED (env->daemon_status) || WEXITSTATUS (env->daemon_status) != 0) {
		g_autofree gchar *how = describe_status (env->daemon_status);
		g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "medversed %s after SIGTERM",
			     how);
		return FALSE;
	}
	if (g_file_test (url_path, G_FILE_TEST_EXISTS)) {
		g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s left behind at exit",
			     url_path);
		return FALSE;
	}
	return mvt_no_postgres_left (env, 2000, error);
}

static void
print_log_tail (MvtEnv *env)
{
	g_autofree gchar *log = mvt_read_log (env);
	gsize len = strlen (log);
	g_printerr ("---- medversed log (last 8 KiB) ----\n%s\n----\n",
		    len > 8192 ? log + len - 8192 : log);
}

int
mvt_main (int argc, char **argv, const MvtOptions *options)
{
	struct criterion_test_set *tests = criterion_initialize ();
	g_autoptr (MvtEnv) env = NULL;
	g_autoptr (GError) error = NULL;
	int result = 0;

	mvt_report_own_exit ();
	if (!criterion_handle_args (argc, argv, true)) {
		criterion_finalize (tests);
		return 0;
	}
	env = mvt_env_new ();
	mvt_env_prepare (env, options);
	if (!mvt_bus_start (env, &error) || !mvt_daemon_spawn (env, &error)
	    || !mvt_daemon_wait_ready (env, 60000, &error)) {
		g_printerr ("harness: %s\n", error->message);
		print_log_tail (env);
		criterion_finalize (tests);
		return 1;
	}
	g_setenv ("MVT_URL", env->url, TRUE);
	g_setenv ("MVT_BUS_ADDRESS", env->bus_address, TRUE);
	g_setenv ("MVT_LOG", env->log_path, TRUE);
	g_setenv ("MVT_ROOT", env->root, TRUE);
	g_setenv ("MVT_DATA_DIR", env->data_dir, TRUE);
	result = !criterion_run_all_tests (tests);
	criterion_finalize (tests);
	if (!mvt_daemon_stop (env, &error)) {
		g_printerr ("harness: shutting the shared daemon down: %s\n", error->message);
		print_log_tail (env);
		result = 1;
	} else if (result != 0) {
		print_log_tail (env);
	}
	/* a skipped test is reported as a skip, never as a pass */
	return mvt_report_exit_status (result);
}

const gchar *
mvt_shared_url (void)
{
	return mvt_getenv ("MVT_URL");
}

const gchar *
mvt_shared_bus_address (void)
{
	return mvt_getenv ("MVT_BUS_ADDRESS");
}

const gchar *
mvt_shared_data_dir (void)
{
	return mvt_getenv ("MVT_DATA_DIR");
}

gchar *
mvt_shared_log (void)
{
	gchar *text = NULL;
	if (!g_file_get_contents (mvt_getenv ("MVT_LOG"), &text, NULL, NULL))
		return g_strdup ("");
	return text;
}

gchar *
mvt_shared_log_wait_for (const gchar *needle, guint timeout_ms)
{
	gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;
	for (;;) {
		g_autofree gchar *log = mvt_shared_log ();
		if (strstr (log, needle) != NULL)
			return g_steal_pointer (&log);
		if (g_get_monotonic_time () > deadline)
			return NULL;
		g_usleep (20 * 1000);
	}
}

static gchar *
line_with (const gchar *text, const gchar *needle)
{
	const gchar *hit = strstr (text, needle);
	const gchar *start, *end;

	if (hit == NULL)
		return NULL;
	for (start = hit; start > text && start[-1] != '\n'; start--)
		;
	end = strchr (hit, '\n');
	return g_strndup (start, end != NULL ? (gsize)(end - start) : strlen (start));
}

gchar *
mvt_log_wait_line (const gchar *log_path, const gchar *needle, guint timeout_ms)
{
	gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;
	for (;;) {
		g_autofree gchar *log = NULL;
		gchar *line;

		if (!g_file_get_contents (log_path, &log, NULL, NULL))
			log = g_strdup ("");
		line = line_with (log, needle);
		if (line != NULL)
			return line;
		if (g_get_monotonic_time () > deadline)
			return NULL;
		g_usleep (20 * 1000);
	}
}

gchar *
mvt_shared_log_line (const gchar *needle, guint timeout_ms)
{
	return mvt_log_wait_line (mvt_getenv ("MVT_LOG"), needle, timeout_ms);
}

gboolean
mvt_wait_until (gboolean (*done) (gpointer data), gpointer data, guint timeout_ms)
{
	gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;
	for (;;) {
		if (done (data))
			return TRUE;
		if (g_get_monotonic_time () > deadline)
			return FALSE;
		g_usleep (10 * 1000);
	}
}

static gboolean
file_exists (gpointer path)
{
	return g_file_test (path, G_FILE_TEST_EXISTS);
}

gboolean
mvt_wait_for_file (const gchar *path, guint timeout_ms)
{
	return mvt_wait_until (file_exists, (gpointer)path, timeout_ms);
}

GDBusConnection *
mvt_dbus_connect (const gchar *address)
{
	g_autoptr (GError) error = NULL;
	GDBusConnection *conn = g_dbus_connection_new_for_address_sync (
		address,
		G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
			| G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
		NULL, NULL, &error);
	cr_assert_not_null (conn, "connecting to %s: %s", address,
			    error != NULL ? error->message : "?");
	return conn;
}

gint
mvt_run_medversectl (const gchar *bus_address, const gchar *const *args, gchar **out, gchar **err)
{
	g_autoptr (GPtrArray) argv = g_ptr_array_new ();
	g_auto (GStrv) envp = g_environ_setenv (g_get_environ (), "DBUS_SESSION_BUS_ADDRESS",
						bus_address, TRUE);
	g_autoptr (GError) error = NULL;
	gint status = -1;

	g_ptr_array_add (argv, (gpointer)mvt_getenv ("MEDVERSECTL"));
	g_ptr_array_add (argv, "--bus");
	g_ptr_array_add (argv, "session");
	for (guint i = 0; args[i] != NULL; i++)
		g_ptr_array_add (argv, (gpointer)args[i]);
	g_ptr_array_add (argv, NULL);
	cr_assert (g_spawn_sync (NULL, (gchar **)argv->pdata, envp, 0, NULL, NULL, out, err,
				 &status, &error),
		   "%s", error ? error->message : "");
	return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}
