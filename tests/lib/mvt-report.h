/*
 * Skipped Criterion tests reported to meson as skipped.
 *
 * Criterion counts a cr_skip_test() as a pass: the binary exits 0 and meson says OK, so a test
 * that never ran looks green.  Every Criterion test binary of the build links mvt-report.c (the
 * root meson.build folds it into the `criterion` dependency): when a run had no failure but at
 * least one skipped test, the binary exits 77, meson's SKIP, and scripts/test fails on a SKIP
 * in CI.  A run with --filter is left alone: Criterion counts every test it left out as
 * skipped.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* how many tests of the finished run were skipped (0 before the run ends) */
gsize mvt_report_skipped (void);
/* for a main() of its own (mvt_main): it maps its status with mvt_report_exit_status()
 * instead of the exit hook that serves Criterion's default main() */
void mvt_report_own_exit (void);
/* @status, or 77 when it is 0 and tests were skipped */
int mvt_report_exit_status (int status);

G_END_DECLS
