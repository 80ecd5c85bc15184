/*
 * sandbox-probe — tries one action inside the plugin sandbox and prints what happened.
 *
 *   sandbox-probe [--data-dir D] [--state-dir S] [--socket P] [--port N] [--memory-mb N]
 *                 [--cpu-seconds N] [--max-files N] [--thread-before]
 *                 [--plugin SO --method M [--config K=V…] [--json BODY]] ACTION
 *
 * It forks a child that applies mv_sandbox_apply() (channel: one end of a socketpair), sends
 * "ready" over the channel, tries ACTION and prints `result: …`.  The parent then prints
 * what came over the channel and how the child ended.  Output, one `key: value` per line:
 *   report: the sandbox's own line      result: ok … | refused ERRNO … | error …
 *   channel: ready                      exit: N | signal: SIGNAME
 * The child inherits a descriptor of S/master.key opened without O_CLOEXEC (leaked-fd).
 * tests/sandbox/test-sandbox.c runs it for every action; ACTION "plugin" loads a plugin module
 * before the sandbox and calls one method in it afterwards, as medverse-plugin-host does.
 */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <medverse/medverse-plugin.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mv-sandbox.h"

typedef struct {
	gchar *data_dir;
	gchar *state_dir;
	gchar *socket_path;
	gint port;
	gint memory_mb;
	gint cpu_seconds;
	gint max_files;
	gchar *plugin;
	gchar *method;
	gchar **config;
	gchar *json;		/* the call's input as a JSON body, for a plugin taking one */
	gboolean thread_before; /* a second thread runs when the sandbox is applied */
	int leaked_fd;
	const MvPluginInfo *info; /* the plugin, loaded in the sandbox */
} Probe;

static gchar *
refused (const gchar *what, int errsv)
{
	return g_strdup_printf ("refused %s (%s)", strerrorname_np (errsv), what);
}

static gchar *
try_open (const gchar *path, int flags)
{
	int fd = open (path, flags | O_CLOEXEC, 0600);

	if (fd < 0)
		return refused ("open", errno);
	close (fd);
	return g_strdup ("ok opened");
}

static gchar *
action_read_data (Probe *p)
{
	g_autofree gchar *path = g_build_filename (p->data_dir, "readme.txt", NULL);
	g_autofree gchar *text = NULL;
	g_autoptr (GError) error = NULL;

	if (!g_file_get_contents (path, &text, NULL, &error))
		return g_strdup_printf ("error %s", error->message);
	return g_strdup_printf ("ok read %zu bytes", strlen (text));
}

static gchar *
action_read_key (Probe *p)
{
	g_autofree gchar *path = g_build_filename (p->state_dir, "master.key", NULL);
	return try_open (path, O_RDONLY);
}

static gchar *
action_read_proc_parent (Probe *p)
{
	g_autofree gchar *path = g_strdup_printf ("/proc/%d/environ", (int)getppid ());
	return try_open (path, O_RDONLY);
}

static gchar *
action_write_data (Probe *p)
{
	g_autofree gchar *path = g_build_filename (p->data_dir, "new.txt", NULL);
	return try_open (path, O_WRONLY | O_CREAT | O_EXCL);
}

static gchar *
action_truncate_data (Probe *p)
{
	g_autofree gchar *path = g_build_filename (p->data_dir, "readme.txt", NULL);
	return try_open (path, O_WRONLY | O_TRUNC);
}

static gchar *
action_write_tmp (Probe *p)
{
	g_autofree gchar *path = g_build_filename (p->state_dir, "dropped.txt", NULL);
	return try_open (path, O_WRONLY | O_CREAT | O_EXCL);
}

static gchar *
action_chmod_key (Probe *p)
{
	g_autofree gchar *path = g_build_filename (p->state_dir, "master.key", NULL);

	if (chmod (path, 0644) != 0)
		return refused ("chmod", errno);
	return g_strdup ("ok chmod");
}

static gchar *
action_truncate_path (Probe *p)
{
	g_autofree gchar *path = g_build_filename (p->data_dir, "readme.txt", NULL);

	if (truncate (path, 0) != 0)
		return refused ("truncate", errno);
	return g_strdup ("ok truncated");
}

static gchar *
action_unlink_data (Probe *p)
{
	g_autofree gchar *path = g_build_filename (p->data_dir, "readme.txt", NULL);

	if (unlink (path) != 0)
		return refused ("unlink", errno);
	return g_strdup ("ok unlinked");
}

static gchar *
try_connect (int domain, const struct sockaddr *addr, socklen_t len)
{
	int fd = socket (domain, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return refused ("socket", errno);
	if (connect (fd, addr, len) != 0) {
		int errsv = errno;
		close (fd);
		return refused ("connect", errsv);
	}
	close (fd);
	return g_strdup ("ok connected");
}

static gchar *
action_connect_unix (Probe *p)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	g_strlcpy (addr.sun_path, p->socket_path != NULL ? p->socket_path : "",
		   sizeof (addr.sun_path));
	return try_connect (AF_UNIX, (struct sockaddr *)&addr, sizeof (addr));
}

static gchar *
action_connect_tcp (Probe *p)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };

	addr.sin_port = htons ((guint16)p->port);
	addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
	return try_connect (AF_INET, (struct sockaddr *)&addr, sizeof (addr));
}

static gchar *
action_exec (Probe *p)
{
	execl ("/bin/sh", "sh", "-c", "exit 0", (char *)NULL);
	return refused ("execve", errno);
}

static gchar *
action_fork (Probe *p)
{
	pid_t pid = fork ();

	if (pid < 0)
		return refused ("fork", errno);
	if (pid == 0)
		_exit (0);
	waitpid (pid, NULL, 0);
	return g_strdup ("ok forked");
}

static gchar *
action_clone3 (Probe *p)
{
	/* struct clone_args's first members: flags, pidfd, child_tid, parent_tid, exit_signal */
	guint64 args[8] = { 0, 0, 0, 0, SIGCHLD, 0, 0, 0 };
	long pid = syscall (SYS_clone3, args, sizeof (args));

	if (pid < 0)
		return refused ("clone3", errno);
	if (pid == 0)
		_exit (0);
	waitpid ((pid_t)pid, NULL, 0);
	return g_strdup ("ok cloned");
}

static gpointer
thread_main (gpointer data)
{
	return GINT_TO_POINTER (42);
}

static gchar *
action_thread (Probe *p)
{
	g_autoptr (GError) error = NULL;
	GThread *thread = g_thread_try_new ("probe", thread_main, NULL, &error);

	if (thread == NULL)
		return g_strdup_printf ("error %s", error->message);
	return g_strdup_printf ("ok thread returned %d", GPOINTER_TO_INT (g_thread_join (thread)));
}

static gchar *
action_alloc (Probe *p)
{
	const gsize block = 16 * 1024 * 1024;
	guint64 limit = (guint64)(p->memory_mb > 0 ? p->memory_mb : 1024) * 4;
	guint64 total_mb = 0;

	/* never freed: the child exits right after */
	while (total_mb < limit) {
		char *mem = malloc (block);
		if (mem == NULL)
			return g_strdup_printf ("refused NULL after %" G_GUINT64_FORMAT " MiB",
						total_mb);
		memset (mem, 1, block);
		total_mb += block / (1024 * 1024);
	}
	return g_strdup_printf ("ok allocated %" G_GUINT64_FORMAT " MiB", total_mb);
}

static gchar *
action_spin (Probe *p)
{
	volatile guint64 turns = 0;

	while (turns < G_MAXUINT64)
		turns++;
	return g_strdup ("ok spun");
}

static gchar *
action_files (Probe *p)
{
	g_autofree gchar *path = g_build_filename (p->data_dir, "readme.txt", NULL);

	/* kept open: the count is what the limit allowed */
	for (guint n = 0; n < 100000; n++) {
		if (open (path, O_RDONLY | O_CLOEXEC) < 0)
			return g_strdup_printf ("refused %s after %u opens",
						strerrorname_np (errno), n);
	}
	return g_strdup ("ok opened 100000");
}

static gchar *
action_ptrace (Probe *p)
{
	pid_t parent = getppid ();

	if (ptrace (PTRACE_ATTACH, parent, NULL, NULL) != 0)
		return refused ("ptrace", errno);
	/* attached: wait for the stop, then let it go, or the parent would hang stopped */
	waitpid (parent, NULL, __WALL);
	ptrace (PTRACE_DETACH, parent, NULL, NULL);
	return g_strdup ("ok attached");
}

static gchar *
action_kill_parent (Probe *p)
{
	/* signal 0: asks whether a signal would be delivered, without sending one */
	if (kill (getppid (), 0) != 0)
		return refused ("kill", errno);
	return g_strdup ("ok may signal");
}

static gchar *
action_unshare (Probe *p)
{
	if (unshare (CLONE_NEWUSER) != 0)
		return refused ("unshare", errno);
	return g_strdup ("ok unshared");
}

static gchar *
action_io_uring (Probe *p)
{
	guint32 params[30] = { 0 }; /* struct io_uring_params is 120 bytes */
	long fd = syscall (SYS_io_uring_setup, 4, params);

	if (fd < 0)
		return refused ("io_uring_setup", errno);
	close ((int)fd);
	return g_strdup ("ok io_uring");
}

static gchar *
action_leaked_fd (Probe *p)
{
	if (fcntl (p->leaked_fd, F_GETFD) < 0)
		return refused ("fcntl", errno);
	return g_strdup ("ok still open");
}

static gchar *
action_undo_pdeathsig (Probe *p)
{
	if (prctl (PR_SET_PDEATHSIG, 0, 0, 0, 0) != 0)
		return refused ("prctl", errno);
	return g_strdup ("ok cleared");
}

static gchar *
action_state (Probe *p)
{
	int sig = -1;

	prctl (PR_GET_PDEATHSIG, &sig, 0, 0, 0);
	return g_strdup_printf ("ok nnp=%d dumpable=%d pdeathsig=%d",
				prctl (PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0),
				prctl (PR_GET_DUMPABLE, 0, 0, 0, 0), sig);
}

static gchar *
action_plugin (Probe *p)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GKeyFile) config = g_key_file_new ();
	g_autoptr (MvTestHost) host = NULL;
	g_autoptr (GVariant) out = NULL;
	g_autofree gchar *group = g_strdup_printf ("plugin.%s", p->info->name);
	g_autofree gchar *text = NULL;

	for (guint i = 0; p->config != NULL && p->config[i] != NULL; i++) {
		g_auto (GStrv) kv = g_strsplit (p->config[i], "=", 2);
		if (kv[0] != NULL && kv[1] != NULL)
			g_key_file_set_string (config, group, kv[0], kv[1]);
	}
	/* init runs in the sandbox, as in the host: it is third-party code too */
	host = mv_test_host_new (p->info, config, p->data_dir, &error);
	if (host == NULL)
		return g_strdup_printf ("error %s", error->message);
	if (p->json != NULL) {
		g_autofree gchar *body = mv_test_host_call_json (host, p->method, p->json, &error);
		if (body == NULL)
			return g_strdup_printf ("error %s", error->message);
		return g_strdup_printf ("ok %s", body);
	}
	out = mv_test_host_call (host, p->method, g_variant_new_parsed ("()"), &error);
	if (out == NULL && g_error_matches (error, MV_ERROR, MV_ERROR_INVALID_INPUT)) {
		/* Allocate(limit_mb): the only hostile method with an input; 0 = its own cap */
		g_clear_error (&error);
		out = mv_test_host_call (host, p->method, g_variant_new ("(u)", 0), &error);
	}
	if (out == NULL)
		return g_strdup_printf ("error %s", error->message);
	text = g_variant_print (out, FALSE);
	return g_strdup_printf ("ok %s", text);
}

typedef struct {
	const gchar *name;
	gchar *(*run) (Probe *p);
} ProbeAction;

static const ProbeAction probe_actions[] = {
	{ "state", action_state },
	{ "read-data", action_read_data },
	{ "read-key", action_read_key },
	{ "read-proc-parent", action_read_proc_parent },
	{ "write-data", action_write_data },
	{ "truncate-data", action_truncate_data },
	{ "write-state", action_write_tmp },
	{ "chmod-key", action_chmod_key },
	{ "truncate-path", action_truncate_path },
	{ "unlink-data", action_unlink_data },
	{ "connect-unix", action_connect_unix },
	{ "connect-tcp", action_connect_tcp },
	{ "exec", action_exec },
	{ "fork", action_fork },
	{ "clone3", action_clone3 },
	{ "thread", action_thread },
	{ "alloc", action_alloc },
	{ "spin", action_spin },
	{ "files", action_files },
	{ "ptrace", action_ptrace },
	{ "kill-parent", action_kill_parent },
	{ "unshare", action_unshare },
	{ "io-uring", action_io_uring },
	{ "leaked-fd", action_leaked_fd },
	{ "undo-pdeathsig", action_undo_pdeathsig },
	{ "plugin", action_plugin },
};

static gpointer
idle_thread_main (gpointer data)
{
	for (;;)
		g_usleep (G_USEC_PER_SEC);
	return NULL;
}

static G_NORETURN void
run_child (Probe *p, const ProbeAction *action, int channel)
{
	g_auto (GStrv) library_dirs = mv_sandbox_loaded_library_dirs ();
	MvSandboxPolicy policy = {
		.data_dir = p->data_dir,
		.plugin_path = p->plugin,
		.library_dirs = (const gchar *const *)library_dirs,
		.channel_fd = channel,
		.memory_bytes = (guint64)p->memory_mb * 1024 * 1024,
		.cpu_seconds = (guint64)p->cpu_seconds,
		.max_files = (guint64)p->max_files,
	};
	g_autoptr (GError) error = NULL;
	g_autofree gchar *report = NULL;
	g_autofree gchar *result = NULL;

	if (p->thread_before)
		g_thread_unref (g_thread_new ("before", idle_thread_main, NULL));
	if (!mv_sandbox_apply (&policy, &report, &error)) {
		printf ("sandbox-error: %s\n", error->message);
		fflush (stdout);
		_exit (2);
	}
	printf ("report: %s\n", report);
	fflush (stdout);
	/* loaded in the sandbox, as the host does: its constructors and its libraries too */
	if (p->plugin != NULL) {
		p->info = mv_test_host_load_module (p->plugin, &error);
		if (p->info == NULL) {
			printf ("result: error %s\n", error->message);
			fflush (stdout);
			_exit (2);
		}
	}
	/* the inherited channel still carries data after the sandbox */
	if (write (channel, "ready", 5) != 5)
		printf ("channel-error: %s\n", g_strerror (errno));
	result = action->run (p);
	printf ("result: %s\n", result);
	fflush (stdout);
	/* _exit: no atexit handler (LeakSanitizer's would fork a tracer the sandbox refuses) */
	_exit (0);
}

static int
run_parent (pid_t child, int channel)
{
	char buf[64];
	gssize got = 0;
	int status = 0;

	for (gssize n; (n = read (channel, buf + got, sizeof (buf) - 1 - (gsize)got)) > 0;)
		got += n;
	buf[MAX (got, 0)] = '\0';
	printf ("channel: %s\n", buf);
	if (waitpid (child, &status, 0) < 0) {
		printf ("wait-error: %s\n", g_strerror (errno));
		return 1;
	}
	if (WIFSIGNALED (status))
		printf ("signal: SIG%s\n", sigabbrev_np (WTERMSIG (status)));
	else
		printf ("exit: %d\n", WEXITSTATUS (status));
	return 0;
}

static const ProbeAction *
find_action (const gchar *name)
{
	for (guint i = 0; i < G_N_ELEMENTS (probe_actions); i++) {
		if (g_strcmp0 (probe_actions[i].name, name) == 0)
			return &probe_actions[i];
	}
	return NULL;
}

int
main (int argc, char **argv)
{
	Probe p = { .leaked_fd = -1 };
	GOptionEntry entries[] = {
		{ "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &p.data_dir, "data dir", "D" },
		{ "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &p.state_dir, "state dir", "S" },
		{ "socket", 0, 0, G_OPTION_ARG_FILENAME, &p.socket_path, "Unix socket", "P" },
		{ "port", 0, 0, G_OPTION_ARG_INT, &p.port, "TCP port on 127.0.0.1", "N" },
		{ "memory-mb", 0, 0, G_OPTION_ARG_INT, &p.memory_mb, "RLIMIT_AS", "N" },
		{ "cpu-seconds", 0, 0, G_OPTION_ARG_INT, &p.cpu_seconds, "RLIMIT_CPU", "N" },
		{ "max-files", 0, 0, G_OPTION_ARG_INT, &p.max_files, "RLIMIT_NOFILE", "N" },
		{ "plugin", 0, 0, G_OPTION_ARG_FILENAME, &p.plugin, "plugin module", "SO" },
		{ "method", 0, 0, G_OPTION_ARG_STRING, &p.method, "its method", "M" },
		{ "config", 0, 0, G_OPTION_ARG_STRING_ARRAY, &p.config, "config key", "K=V" },
		{ "json", 0, 0, G_OPTION_ARG_STRING, &p.json, "the call's JSON input", "BODY" },
		{ "thread-before", 0, 0, G_OPTION_ARG_NONE, &p.thread_before,
		  "start a thread before the sandbox", NULL },
		{ NULL },
	};
	g_autoptr (GOptionContext) context = g_option_context_new ("ACTION");
	g_autoptr (GError) error = NULL;
	const ProbeAction *action;
	int sv[2];
	pid_t child;

	setlocale (LC_ALL, "");
	g_option_context_add_main_entries (context, entries, NULL);
	if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2) {
		g_printerr ("usage: sandbox-probe [options] ACTION%s%s\n", error ? ": " : "",
			    error ? error->message : "");
		return 2;
	}
	action = find_action (argv[1]);
	if (action == NULL || (action->run == action_plugin && p.method == NULL)) {
		g_printerr ("sandbox-probe: unknown action %s (or plugin without --method)\n",
			    argv[1]);
		return 2;
	}
	if (p.state_dir != NULL) {
		g_autofree gchar *key = g_build_filename (p.state_dir, "master.key", NULL);
		p.leaked_fd = open (key, O_RDONLY); /* no O_CLOEXEC on purpose: leaked-fd */
	}
	if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		g_printerr ("sandbox-probe: socketpair: %s\n", g_strerror (errno));
		return 1;
	}
	fflush (stdout);
	child = fork ();
	if (child < 0) {
		g_printerr ("sandbox-probe: fork: %s\n", g_strerror (errno));
		return 1;
	}
	if (child == 0) {
		close (sv[0]);
		run_child (&p, action, sv[1]);
	}
	close (sv[1]);
	return run_parent (child, sv[0]);
}
