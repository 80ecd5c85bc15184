/* Skipped tests reported as skipped: see mvt-report.h. */
#include "mvt-report.h"

#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* meson's exit status for a skipped test */
#define MVT_EXIT_SKIP 77

static gsize skipped;
static gboolean own_exit;
static gboolean exit_skipped;

gsize
mvt_report_skipped (void)
{
	return skipped;
}

void
mvt_report_own_exit (void)
{
	own_exit = TRUE;
}

int
mvt_report_exit_status (int status)
{
	return status == 0 && skipped > 0 ? MVT_EXIT_SKIP : status;
}

/* Registered first, so it runs last of the exit handlers: by then Criterion's main() returned
 * 0 (it returns non-zero only on a failure, and then exit_skipped is not set). */
static void
exit_hook (void)
{
	if (!exit_skipped)
		return;
	fflush (NULL);
	_exit (MVT_EXIT_SKIP);
}

__attribute__ ((constructor)) static void
install_exit_hook (void)
{
	atexit (exit_hook);
}

ReportHook (POST_ALL) (struct criterion_global_stats *stats)
{
	/* a --filter run counts every test it left out as skipped: a developer's run of a few
	 * tests, not a skip to report */
	if (criterion_options.pattern != NULL)
		return;
	skipped = stats->tests_skipped;
	if (skipped == 0)
		return;
	fprintf (stderr,
		 "mvt-report: %zu test(s) skipped: the binary exits %d, reported as SKIP; "
		 "scripts/test fails on a skip in CI\n",
		 stats->tests_skipped, MVT_EXIT_SKIP);
	if (!own_exit && stats->tests_failed == 0 && stats->tests_crashed == 0)
		exit_skipped = TRUE;
}
