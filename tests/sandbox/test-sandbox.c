/*
 * The plugin sandbox, layer by layer (docs/sandbox.md): sandbox-probe applies
 * mv_sandbox_apply() in a child and tries one action; each test asserts the exact outcome.
 * The hostile test plugins (tests/plugins/hostile/) run through the same probe, loaded and
 * called in the sandbox, as medverse-plugin-host does (the sandbox comes before dlopen).
 *
 * A Landlock assertion on a kernel without Landlock is a skip, never a pass.
 */
#include <criterion/criterion.h>
#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <sys/stat.h>

/* AddressSanitizer reserves terabytes of address space for its shadow memory: under it any
 * RLIMIT_AS makes its next mmap fail, so mv_sandbox_apply() leaves RLIMIT_AS unset in a
 * sanitizer build and the memory limit is only tested without it. */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN TRUE
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN TRUE
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN FALSE
#endif

static gchar *root;
static gchar *data_dir;
static gchar *state_dir;

static void
setup (void)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *readme = NULL;
	g_autofree gchar *key = NULL;

	root = g_dir_make_tmp ("mv-sandbox-XXXXXX", &error);
	cr_assert_not_null (root, "%s", error ? error->message : "");
	data_dir = g_build_filename (root, "data", NULL);
	state_dir = g_build_filename (root, "state", NULL);
	cr_assert_eq (g_mkdir (data_dir, 0755), 0);
	cr_assert_eq (g_mkdir (state_dir, 0700), 0);
	readme = g_build_filename (data_dir, "readme.txt", NULL);
	cr_assert (g_file_set_contents (readme, "model data\n", -1, &error));
	/* a fake master key as the daemon keeps it: 0600 in its state directory */
	key = g_build_filename (state_dir, "master.key", NULL);
	cr_assert (g_file_set_contents_full (key, "0123456789abcdef0123456789abcdef", -1,
					     G_FILE_SET_CONTENTS_NONE, 0600, &error));
}

static void
teardown (void)
{
	g_autofree gchar *cmd = g_strdup_printf ("rm -rf '%s'", root);
	cr_assert_eq (system (cmd), 0);
	g_clear_pointer (&root, g_free);
	g_clear_pointer (&data_dir, g_free);
	g_clear_pointer (&state_dir, g_free);
}

TestSuite (sandbox, .init = setup, .fini = teardown, .timeout = 60);
TestSuite (hostile, .init = setup, .fini = teardown, .timeout = 60);

/* set by a test whose probe must fail to apply the sandbox */
static gboolean expect_sandbox_error;

/* Runs sandbox-probe ACTION with the temp dirs and @extra (NULL-terminated) and returns its
 * lines as key -> value ("result" -> "refused EPERM (socket)"). */
static GHashTable *
run_probe (const gchar *action, ...)
{
	const gchar *probe = g_getenv ("MVT_SANDBOX_PROBE");
	g_autoptr (GPtrArray) argv = g_ptr_array_new ();
	g_autoptr (GError) error = NULL;
	g_autofree gchar *out = NULL;
	g_autofree gchar *err = NULL;
	g_auto (GStrv) lines = NULL;
	GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	int status = 0;
	va_list ap;

	cr_assert_not_null (probe, "MVT_SANDBOX_PROBE is not set");
	g_ptr_array_add (argv, (gpointer)probe);
	g_ptr_array_add (argv, "--data-dir");
	g_ptr_array_add (argv, data_dir);
	g_ptr_array_add (argv, "--state-dir");
	g_ptr_array_add (argv, state_dir);
	va_start (ap, action);
	for (const gchar *arg; (arg = va_arg (ap, const gchar *)) != NULL;)
		g_ptr_array_add (argv, (gpointer)arg);
	va_end (ap);
	g_ptr_array_add (argv, (gpointer)action);
	g_ptr_array_add (argv, NULL);
	cr_assert (g_spawn_sync (NULL, (gchar **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
				 &out, &err, &status, &error),
		   "%s", error ? error->message : "");
	cr_assert (g_spawn_check_wait_status (status, &error), "probe %s: %s\n%s%s", action,
		   error ? error->message : "", out, err);
	lines = g_strsplit (out, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		gchar *sep = strstr (lines[i], ": ");
		if (sep != NULL)
			g_hash_table_insert (table, g_strndup (lines[i], sep - lines[i]),
					     g_strdup (sep + 2));
	}
	if (!expect_sandbox_error)
		cr_assert_null (g_hash_table_lookup (table, "sandbox-error"), "%s",
				(gchar *)g_hash_table_lookup (table, "sandbox-error"));
	return table;
}

static const gchar *
line (GHashTable *probe, const gchar *key)
{
	const gchar *value = g_hash_table_lookup (probe, key);
	return value != NULL ? value : "(none)";
}

/* The child applied the sandbox, used the channel and returned normally with @result. */
static void
assert_result (GHashTable *probe, const gchar *result)
{
	cr_assert_str_eq (line (probe, "channel"), "ready");
	cr_assert_str_eq (line (probe, "result"), result);
	cr_assert_str_eq (line (probe, "exit"), "0", "signal: %s", line (probe, "signal"));
}

static void
skip_without_landlock (GHashTable *probe)
{
	if (strstr (line (probe, "report"), "landlock ABI") == NULL)
		cr_skip_test ("no Landlock here (%s): the file-system layer is untested",
			      line (probe, "report"));
}

Test (sandbox, report_names_every_layer)
{
	g_autoptr (GHashTable) probe = run_probe ("state", "--max-files", "64", NULL);
	const gchar *report = line (probe, "report");

	assert_result (probe, "ok nnp=1 dumpable=0 pdeathsig=9");
	cr_assert (strstr (report, "fds closed") != NULL, "%s", report);
	cr_assert (strstr (report, "NOFILE=64") != NULL, "%s", report);
	cr_assert (strstr (report, "seccomp (") != NULL, "%s", report);
	cr_assert (strstr (report, "landlock") != NULL, "%s", report);
}

/* a failed layer is an error the host exits on, and the plugin's code never runs */
static void
assert_sandbox_error (GHashTable *probe, const gchar *message)
{
	cr_assert_str_eq (line (probe, "sandbox-error"), message);
	cr_assert_str_eq (line (probe, "exit"), "2");
	cr_assert_str_eq (line (probe, "channel"), "");
	cr_assert_not (g_hash_table_contains (probe, "result"));
}

Test (sandbox, too_few_files_is_an_error)
{
	g_autoptr (GHashTable) probe = NULL;

	expect_sandbox_error = TRUE;
	probe = run_probe ("state", "--max-files", "4", NULL);
	assert_sandbox_error (
		probe, "sandbox rlimit: RLIMIT_NOFILE 4 is below 8, too few for the host itself");
}

Test (sandbox, a_second_thread_is_an_error)
{
	g_autoptr (GHashTable) probe = NULL;

	expect_sandbox_error = TRUE;
	probe = run_probe ("state", "--thread-before", NULL);
	if (strstr (line (probe, "sandbox-error"), "landlock") == NULL
	    && g_hash_table_contains (probe, "report"))
		cr_skip_test ("no Landlock here: a second thread is no error (%s)",
			      line (probe, "report"));
	assert_sandbox_error (
		probe, "sandbox landlock: 2 threads already run, it would bind only this one");
}

Test (sandbox, inherited_fds_are_closed)
{
	g_autoptr (GHashTable) probe = run_probe ("leaked-fd", NULL);
	assert_result (probe, "refused EBADF (fcntl)");
}

Test (sandbox, parent_death_signal_stays)
{
	g_autoptr (GHashTable) probe = run_probe ("undo-pdeathsig", NULL);
	assert_result (probe, "refused EPERM (prctl)");
}

Test (sandbox, reads_its_data_dir)
{
	g_autoptr (GHashTable) probe = run_probe ("read-data", NULL);
	assert_result (probe, "ok read 11 bytes");
}

Test (sandbox, master_key_refused)
{
	g_autoptr (GHashTable) probe = run_probe ("read-key", NULL);
	skip_without_landlock (probe);
	assert_result (probe, "refused EACCES (open)");
}

Test (sandbox, daemon_proc_files_refused)
{
	g_autoptr (GHashTable) probe = run_probe ("read-proc-parent", NULL);
	skip_without_landlock (probe);
	assert_result (probe, "refused EACCES (open)");
}

/* Writing is refused twice: seccomp refuses an open for writing anywhere (EPERM, what the
 * plugin sees), Landlock would refuse it too (EACCES) where seccomp did not. */
Test (sandbox, no_write_in_data_dir)
{
	g_autoptr (GHashTable) create = run_probe ("write-data", NULL);
	g_autoptr (GHashTable) truncate = run_probe ("truncate-data", NULL);
	g_autoptr (GHashTable) truncate_path = run_probe ("truncate-path", NULL);
	g_autoptr (GHashTable) unlink = run_probe ("unlink-data", NULL);
	g_autofree gchar *readme = g_build_filename (data_dir, "readme.txt", NULL);
	g_autofree gchar *created = g_build_filename (data_dir, "new.txt", NULL);
	g_autofree gchar *text = NULL;

	assert_result (create, "refused EPERM (open)");
	assert_result (truncate, "refused EPERM (open)");
	assert_result (truncate_path, "refused EPERM (truncate)");
	assert_result (unlink, "refused EPERM (unlink)");
	cr_assert (g_file_get_contents (readme, &text, NULL, NULL));
	cr_assert_str_eq (text, "model data\n");
	cr_assert_not (g_file_test (created, G_FILE_TEST_EXISTS));
}

Test (sandbox, no_write_elsewhere)
{
	g_autoptr (GHashTable) probe = run_probe ("write-state", NULL);
	g_autofree gchar *dropped = g_build_filename (state_dir, "dropped.txt", NULL);

	assert_result (probe, "refused EPERM (open)");
	cr_assert_not (g_file_test (dropped, G_FILE_TEST_EXISTS));
}

/* chmod is no file access Landlock knows: only seccomp keeps a plugin from making the key
 * readable to every local user */
Test (sandbox, key_mode_unchanged)
{
	g_autoptr (GHashTable) probe = run_probe ("chmod-key", NULL);
	g_autofree gchar *key = g_build_filename (state_dir, "master.key", NULL);
	GStatBuf st;

	assert_result (probe, "refused EPERM (chmod)");
	cr_assert_eq (g_stat (key, &st), 0);
	cr_assert_eq (st.st_mode & 0777, 0600);
}

/* The listener must see no connection: accept on a non-blocking socket would block. */
static void
assert_nothing_accepted (GSocket *listener)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GSocket) conn = NULL;

	g_socket_set_blocking (listener, FALSE);
	conn = g_socket_accept (listener, NULL, &error);
	cr_assert_null (conn, "the sandboxed child connected");
	cr_assert (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK), "%s",
		   error->message);
}

static GSocket *
listen_unix (const gchar *path)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GSocketAddress) addr = g_unix_socket_address_new (path);
	GSocket *sock = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM,
				      G_SOCKET_PROTOCOL_DEFAULT, &error);

	cr_assert_not_null (sock, "%s", error ? error->message : "");
	cr_assert (g_socket_bind (sock, addr, TRUE, &error), "%s", error ? error->message : "");
	cr_assert (g_socket_listen (sock, &error), "%s", error ? error->message : "");
	return sock;
}

static GSocket *
listen_tcp (guint16 *port)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
	g_autoptr (GSocketAddress) addr = g_inet_socket_address_new (lo, 0);
	g_autoptr (GSocketAddress) bound = NULL;
	GSocket *sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
				      G_SOCKET_PROTOCOL_DEFAULT, &error);

	cr_assert_not_null (sock, "%s", error ? error->message : "");
	cr_assert (g_socket_bind (sock, addr, TRUE, &error), "%s", error ? error->message : "");
	cr_assert (g_socket_listen (sock, &error), "%s", error ? error->message : "");
	bound = g_socket_get_local_address (sock, &error);
	*port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
	return sock;
}

Test (sandbox, database_socket_refused)
{
	g_autofree gchar *path = g_build_filename (state_dir, ".s.PGSQL.5432", NULL);
	g_autoptr (GSocket) listener = listen_unix (path);
	g_autoptr (GHashTable) probe = run_probe ("connect-unix", "--socket", path, NULL);

	assert_result (probe, "refused EPERM (socket)");
	assert_nothing_accepted (listener);
}

Test (sandbox, tcp_to_localhost_refused)
{
	guint16 port = 0;
	g_autoptr (GSocket) listener = listen_tcp (&port);
	g_autofree gchar *port_arg = g_strdup_printf ("%u", port);
	g_autoptr (GHashTable) probe = run_probe ("connect-tcp", "--port", port_arg, NULL);

	assert_result (probe, "refused EPERM (socket)");
	assert_nothing_accepted (listener);
}

Test (sandbox, exec_refused)
{
	g_autoptr (GHashTable) probe = run_probe ("exec", NULL);
	assert_result (probe, "refused EPERM (execve)");
}

Test (sandbox, fork_refused)
{
	g_autoptr (GHashTable) probe = run_probe ("fork", NULL);
	assert_result (probe, "refused EPERM (fork)");
}

Test (sandbox, clone3_looks_absent)
{
	g_autoptr (GHashTable) probe = run_probe ("clone3", NULL);
	assert_result (probe, "refused ENOSYS (clone3)");
}

Test (sandbox, threads_allowed)
{
	g_autoptr (GHashTable) probe = run_probe ("thread", NULL);
	assert_result (probe, "ok thread returned 42");
}

Test (sandbox, memory_limit_contains_allocation)
{
	g_autoptr (GHashTable) probe = NULL;
	const gchar *result;
	guint64 mib = 0;

	if (UNDER_ASAN)
		cr_skip_test ("RLIMIT_AS cannot be tested under AddressSanitizer");
	probe = run_probe ("alloc", "--memory-mb", "256", NULL);
	result = line (probe, "result");
	/* malloc fails, the process lives on to report it */
	cr_assert (g_str_has_prefix (result, "refused NULL after "), "%s", result);
	mib = g_ascii_strtoull (result + strlen ("refused NULL after "), NULL, 10);
	cr_assert_lt (mib, 256, "%s", result);
	assert_result (probe, result);
}

Test (sandbox, cpu_limit_kills_a_spinner)
{
	g_autoptr (GHashTable) probe = run_probe ("spin", "--cpu-seconds", "1", NULL);
	const gchar *sig = line (probe, "signal");

	cr_assert_str_eq (line (probe, "channel"), "ready");
	cr_assert (g_str_equal (sig, "SIGXCPU") || g_str_equal (sig, "SIGKILL"), "%s", sig);
	cr_assert_not (g_hash_table_contains (probe, "result"));
}

Test (sandbox, file_limit)
{
	g_autoptr (GHashTable) probe = run_probe ("files", "--max-files", "16", NULL);
	const gchar *result = line (probe, "result");
	guint64 opens;

	cr_assert (g_str_has_prefix (result, "refused EMFILE after "), "%s", result);
	opens = g_ascii_strtoull (result + strlen ("refused EMFILE after "), NULL, 10);
	/* 16 minus stdin/out/err and the channel: at most 12 */
	cr_assert (opens >= 1 && opens <= 12, "%s", result);
	cr_assert_str_eq (line (probe, "exit"), "0");
}

Test (sandbox, ptrace_parent_refused)
{
	g_autoptr (GHashTable) probe = run_probe ("ptrace", NULL);
	assert_result (probe, "refused EPERM (ptrace)");
}

Test (sandbox, signals_to_the_daemon_refused)
{
	g_autoptr (GHashTable) probe = run_probe ("kill-parent", NULL);
	assert_result (probe, "refused EPERM (kill)");
}

Test (sandbox, namespaces_refused)
{
	g_autoptr (GHashTable) probe = run_probe ("unshare", NULL);
	assert_result (probe, "refused EPERM (unshare)");
}

Test (sandbox, io_uring_refused)
{
	g_autoptr (GHashTable) probe = run_probe ("io-uring", NULL);
	assert_result (probe, "refused EPERM (io_uring_setup)");
}

/* --- the hostile plugins, each in the sandbox --- */

static GHashTable *
run_hostile (const gchar *name,
	     const gchar *method,
	     const gchar *config,
	     const gchar *limit,
	     const gchar *limit_value)
{
	const gchar *dir = g_getenv ("MVT_HOSTILE_PLUGIN_DIR");
	g_autofree gchar *so = NULL;

	cr_assert_not_null (dir, "MVT_HOSTILE_PLUGIN_DIR is not set");
	so = g_strdup_printf ("%s/hostile-%s.so", dir, name);
	return run_probe ("plugin", "--plugin", so, "--method", method, "--config",
			  config != NULL ? config : "", limit != NULL ? limit : "--port",
			  limit_value != NULL ? limit_value : "0", NULL);
}

Test (hostile, segfault_is_contained)
{
	g_autoptr (GHashTable) probe = run_hostile ("segfault", "Segfault", NULL, NULL, NULL);

	cr_assert_str_eq (line (probe, "channel"), "ready");
	/* AddressSanitizer catches the SIGSEGV, reports it and aborts */
	cr_assert_str_eq (line (probe, "signal"), UNDER_ASAN ? "SIGABRT" : "SIGSEGV");
}

Test (hostile, abort_is_contained)
{
	g_autoptr (GHashTable) probe = run_hostile ("abort", "Abort", NULL, NULL, NULL);

	cr_assert_str_eq (line (probe, "channel"), "ready");
	cr_assert_str_eq (line (probe, "signal"), "SIGABRT");
}

Test (hostile, allocation_stops_at_the_limit)
{
	g_autoptr (GHashTable) probe = NULL;
	const gchar *result;

	if (UNDER_ASAN)
		cr_skip_test ("RLIMIT_AS cannot be tested under AddressSanitizer");
	probe = run_hostile ("allocate", "Allocate", NULL, "--memory-mb", "256");
	result = line (probe, "result");
	cr_assert (g_str_has_prefix (result, "ok (false, 'malloc: NULL after "), "%s", result);
	assert_result (probe, result);
}

Test (hostile, spinner_is_killed)
{
	g_autoptr (GHashTable) probe = run_hostile ("spin", "Spin", NULL, "--cpu-seconds", "1");
	const gchar *sig = line (probe, "signal");

	cr_assert (g_str_equal (sig, "SIGXCPU") || g_str_equal (sig, "SIGKILL"), "%s", sig);
}

Test (hostile, fork_loop_refused)
{
	g_autoptr (GHashTable) probe = run_hostile ("fork-loop", "ForkLoop", NULL, NULL, NULL);
	assert_result (probe, "ok (false, 'fork: EPERM after 0 forks')");
}

Test (hostile, database_socket_refused)
{
	g_autofree gchar *path = g_build_filename (state_dir, ".s.PGSQL.5432", NULL);
	g_autoptr (GSocket) listener = listen_unix (path);
	g_autofree gchar *config = g_strdup_printf ("path=%s", path);
	g_autoptr (GHashTable) probe
		= run_hostile ("open-db-socket", "OpenDbSocket", config, NULL, NULL);

	assert_result (probe, "ok (false, 'socket: EPERM')");
	assert_nothing_accepted (listener);
}

Test (hostile, master_key_refused)
{
	g_autofree gchar *config = g_strdup_printf ("path=%s/master.key", state_dir);
	g_autoptr (GHashTable) probe
		= run_hostile ("read-master-key", "ReadMasterKey", config, NULL, NULL);

	skip_without_landlock (probe);
	assert_result (probe, "ok (false, 'open: EACCES')");
}

Test (hostile, localhost_refused)
{
	guint16 port = 0;
	g_autoptr (GSocket) listener = listen_tcp (&port);
	g_autofree gchar *config = g_strdup_printf ("port=%u", port);
	g_autoptr (GHashTable) probe
		= run_hostile ("connect-localhost", "ConnectLocalhost", config, NULL, NULL);

	assert_result (probe, "ok (false, 'socket: EPERM')");
	assert_nothing_accepted (listener);
}

Test (hostile, shell_refused)
{
	g_autoptr (GHashTable) probe = run_hostile ("exec-shell", "ExecShell", NULL, NULL, NULL);
	assert_result (probe, "ok (false, 'execve: EPERM')");
}

/* --- a bundled plugin still works in the sandbox (the read-only paths are enough) --- */

Test (sandbox, bundled_plugin_works)
{
	const gchar *so = g_getenv ("MVT_SYMPTOM_PARSER_SO");
	const gchar *data = g_getenv ("MVT_SYMPTOM_PARSER_DATA");
	g_autoptr (GHashTable) probe = NULL;
	const gchar *result;

	cr_assert (so != NULL && data != NULL, "MVT_SYMPTOM_PARSER_SO/DATA are not set");
	/* the host's defaults: memory-mb 1024, max-files 64; init loads its 11 MB of data in
	 * the sandbox, then a call parses English and Chinese (the trie) */
	probe = run_probe ("plugin", "--data-dir", data, "--memory-mb", "1024", "--max-files", "64",
			   "--plugin", so, "--method", "Parse", "--json",
			   "{\"text\":\"fever for 3 days, 咳嗽\"}", NULL);
	result = line (probe, "result");
	cr_assert_str_eq (line (probe, "exit"), "0", "signal: %s", line (probe, "signal"));
	cr_assert (g_str_has_prefix (result, "ok {\"language\":"), "%s", result);
	cr_assert (strstr (result, "\"HP:0001945\"") != NULL, "no fever in %s", result);
	cr_assert (strstr (result, "\"text\":\"咳嗽\"") != NULL, "no cough in %s", result);
}
