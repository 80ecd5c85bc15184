/* Rate-limited warnings: one line per interval and kind, with the count held back. */
#include <criterion/criterion.h>

#include "mv-log-limit.h"

#define SECOND G_USEC_PER_SEC

Test (log_limit, one_line_per_interval_with_the_count_held_back)
{
	MvLogLimit limit = { 0 };
	g_autofree gchar *first = NULL;
	g_autofree gchar *later = NULL;
	g_autofree gchar *quiet = NULL;
	gchar *held = NULL;

	cr_assert (mv_log_limit_take_at (&limit, 100 * SECOND, 30 * SECOND, &first));
	cr_assert_str_eq (first, "");
	for (guint i = 0; i < 5; i++) {
		cr_assert_not (
			mv_log_limit_take_at (&limit, (101 + i) * SECOND, 30 * SECOND, &held));
		cr_assert_null (held);
	}
	/* the interval counts from the last line let through */
	cr_assert_not (mv_log_limit_take_at (&limit, 129 * SECOND, 30 * SECOND, &held));
	cr_assert (mv_log_limit_take_at (&limit, 130 * SECOND, 30 * SECOND, &later));
	cr_assert_str_eq (later, " (and 6 more like it since the last one, not logged)");
	/* the count starts again */
	cr_assert (mv_log_limit_take_at (&limit, 200 * SECOND, 30 * SECOND, &quiet));
	cr_assert_str_eq (quiet, "");
}

Test (log_limit, kinds_are_independent_and_reset_makes_the_next_line_news)
{
	MvLogLimit a = { 0 }, b = { 0 };
	g_autofree gchar *sa = NULL;
	g_autofree gchar *sb = NULL;
	g_autofree gchar *again = NULL;
	gchar *held = NULL;

	cr_assert (mv_log_limit_take_at (&a, 10 * SECOND, 30 * SECOND, &sa));
	cr_assert (mv_log_limit_take_at (&b, 10 * SECOND, 30 * SECOND, &sb));
	cr_assert_not (mv_log_limit_take_at (&a, 11 * SECOND, 30 * SECOND, &held));
	mv_log_limit_reset (&a);
	cr_assert (mv_log_limit_take_at (&a, 12 * SECOND, 30 * SECOND, &again));
	cr_assert_str_eq (again, "", "a reset forgets what was held back");
}
