/* Fatal signals: the line the handler writes, and the death that follows (crash-helper runs
 * each case in a process of its own). */
#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "mv-crash.h"

typedef struct {
	gint status;
	gchar *err;
} Crash;

static Crash
run_helper (const gchar *what)
{
	const gchar *argv[] = { g_getenv ("MV_CRASH_HELPER"), what, NULL };
	g_autoptr (GError) error = NULL;
	struct rlimit no_core = { 0, 0 };
	Crash crash = { 0 };

	cr_assert_not_null (argv[0], "MV_CRASH_HELPER is not set; run through `meson test`");
	/* inherited by the helper: no core files from the deliberate crashes */
	cr_assert_eq (setrlimit (RLIMIT_CORE, &no_core), 0);
	cr_assert (g_spawn_sync (NULL, (gchar **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL,
				 &crash.err, &crash.status, &error),
		   "%s", error != NULL ? error->message : "");
	return crash;
}

/* the lines of @text holding "fatal signal" */
static guint
count_fatal_lines (const gchar *text)
{
	guint n = 0;
	for (const gchar *p = strstr (text, "fatal signal"); p != NULL;
	     p = strstr (p + 1, "fatal signal"))
		n++;
	return n;
}

static void
assert_died (Crash *crash, gint sig, const gchar *line)
{
	cr_assert (WIFSIGNALED (crash->status) && WTERMSIG (crash->status) == sig,
		   "expected death by signal %d, got wait status 0x%x; stderr: %s", sig,
		   crash->status, crash->err);
	cr_assert_not_null (strstr (crash->err, line), "no \"%s\" in: %s", line, crash->err);
	cr_assert_eq (count_fatal_lines (crash->err), 1, "one line expected: %s", crash->err);
	g_free (crash->err);
}

Test (crash, null_dereference_in_a_call_names_it)
{
	Crash crash = run_helper ("in-call");
	assert_died (&crash, SIGSEGV,
		     "medversed: fatal signal 11 (SIGSEGV) in plugin crashy method Crash, request "
		     "id req-1; the daemon stops\n");
}

Test (crash, null_dereference_outside_a_call)
{
	Crash crash = run_helper ("outside");
	assert_died (&crash, SIGSEGV,
		     "medversed: fatal signal 11 (SIGSEGV) outside any plugin call; the daemon "
		     "stops\n");
}

Test (crash, a_finished_call_is_not_blamed)
{
	Crash crash = run_helper ("after-leave");
	assert_died (&crash, SIGSEGV, "outside any plugin call");
}

Test (crash, abort_in_a_call)
{
	Crash crash = run_helper ("abort");
	assert_died (&crash, SIGABRT,
		     "fatal signal 6 (SIGABRT) in plugin crashy method Abort, request id req-3");
}

Test (crash, stack_overflow_in_a_worker_thread)
{
	/* only an alternate signal stack lets the handler run on an exhausted stack */
	Crash crash = run_helper ("overflow");
	assert_died (&crash, SIGSEGV,
		     "fatal signal 11 (SIGSEGV) in plugin deep method Recurse, request id "
		     "req-overflow");
}

static gchar *
format_line (gint sig)
{
	gchar buf[512];
	gsize len = mv_crash_format_line (sig, buf, sizeof buf);
	return g_strndup (buf, len);
}

Test (crash, nested_calls_keep_the_outer_record)
{
	g_autofree gchar *outer = NULL;
	g_autofree gchar *after = NULL;

	mv_crash_enter_call ("outer", "First", "req-a");
	mv_crash_enter_call ("inner", "Second", "req-a");
	mv_crash_leave_call ();
	outer = format_line (SIGSEGV);
	mv_crash_leave_call ();
	after = format_line (SIGSEGV);
	cr_assert_str_eq (outer, "medversed: fatal signal 11 (SIGSEGV) in plugin outer method "
				 "First, request id req-a; the daemon stops\n");
	cr_assert_str_eq (after, "medversed: fatal signal 11 (SIGSEGV) outside any plugin call; "
				 "the daemon stops\n");
}

Test (crash, long_and_unprintable_names_stay_one_bounded_line)
{
	g_autofree gchar *plugin = g_strnfill (1000, 'p');
	g_autofree gchar *method = g_strnfill (1000, 'm');
	g_autofree gchar *line = NULL;
	g_autofree gchar *expected = NULL;
	g_autofree gchar *plugin_cut = g_strnfill (MV_CRASH_PLUGIN_MAX, 'p');
	g_autofree gchar *method_cut = g_strnfill (MV_CRASH_METHOD_MAX, 'm');
	gchar small[16];

	mv_crash_enter_call (plugin, method, "evil\nline\x01");
	line = format_line (SIGBUS);
	expected = g_strdup_printf ("medversed: fatal signal %d (SIGBUS) in plugin %s method %s, "
				    "request id evil?line?; the daemon stops\n",
				    SIGBUS, plugin_cut, method_cut);
	cr_assert_str_eq (line, expected);
	/* a buffer too small still ends in a newline, never past its end */
	cr_assert_eq (mv_crash_format_line (SIGBUS, small, sizeof small), sizeof small);
	cr_assert_eq (small[sizeof small - 1], '\n');
	mv_crash_leave_call ();

	mv_crash_enter_call ("p", "m", NULL);
	g_free (line);
	line = format_line (SIGILL);
	cr_assert_not_null (strstr (line, "(SIGILL) in plugin p method m, request id (none);"),
			    "%s", line);
	mv_crash_leave_call ();
}
