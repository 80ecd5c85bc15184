/*
 * A process that crashes the way test-crash.c asks it to, with medversed's fatal signal handlers
 * installed: argv[1] names the case.  Its stderr is what the handler wrote.
 */
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "mv-crash.h"

/* no_sanitize: UndefinedBehaviorSanitizer would report the NULL load itself (and may stop
 * there); the case is about the fault that follows */
__attribute__ ((noinline, no_sanitize ("undefined"))) static gint
load_null (void)
{
	volatile gint *volatile nowhere = NULL;
	return *nowhere;
}

/* a frame the compiler can neither inline nor turn into a loop */
__attribute__ ((noinline)) static gint
recurse (volatile gint depth)
{
	volatile gchar frame[512];

	frame[0] = (gchar)depth;
	if (depth < 0) /* never: the stack runs out long before */
		return 0;
	return recurse (depth + 1) + frame[0];
}

static gpointer
overflow_thread (gpointer data)
{
	mv_crash_enter_call ("deep", "Recurse", "req-overflow");
	return GINT_TO_POINTER (recurse (0));
}

int
main (int argc, char **argv)
{
	const gchar *what = argc > 1 ? argv[1] : "";

	mv_crash_install_handlers ();
	if (g_str_equal (what, "in-call")) {
		mv_crash_enter_call ("crashy", "Crash", "req-1");
		return load_null ();
	}
	if (g_str_equal (what, "outside")) {
		return load_null ();
	}
	if (g_str_equal (what, "after-leave")) {
		mv_crash_enter_call ("crashy", "Crash", "req-2");
		mv_crash_leave_call ();
		return load_null ();
	}
	if (g_str_equal (what, "abort")) {
		mv_crash_enter_call ("crashy", "Abort", "req-3");
		abort ();
	}
	if (g_str_equal (what, "overflow")) {
		/* in a thread, as a plugin call runs in a worker */
		return GPOINTER_TO_INT (
			g_thread_join (g_thread_new ("worker", overflow_thread, NULL)));
	}
	g_printerr ("crash-helper: unknown case '%s'\n", what);
	return 2;
}
