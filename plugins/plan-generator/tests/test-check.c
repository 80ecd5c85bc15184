/*
 * medverse-plan-check, run as a clinic runs it: the shipped rules and red-flag list load; of
 * a directory with broken files, each is refused with FILE:LINE while the good one loads, and
 * the exit status says which.
 */
#include <criterion/criterion.h>
#include <glib.h>
#include <string.h>
#include <sys/wait.h>

static gint
run_check (gchar **out, const gchar *lang, const gchar *first, const gchar *second)
{
	g_autoptr (GError) error = NULL;
	const gchar *argv[] = { g_getenv ("PG_CHECK"), "--lang", lang, first, second, NULL };
	gint status = 0;

	cr_assert (g_spawn_sync (NULL, (gchar **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, NULL,
				 &status, &error),
		   "%s", error != NULL ? error->message : "");
	return g_spawn_check_wait_status (status, NULL) ? 0 : WEXITSTATUS (status);
}

Test (check, shipped_rules_and_red_flags_load)
{
	g_autofree gchar *out = NULL;

	cr_assert_eq (run_check (&out, "en", g_getenv ("PG_RULES_DIR"), g_getenv ("PG_RED_FLAGS")),
		      0, "%s", out);
	cr_assert (strstr (out, "physical-activity.json: loads, 8 rules") != NULL, "%s", out);
	cr_assert (strstr (out, "red-flags.json: loads, 14 red flags") != NULL, "%s", out);
}

Test (check, broken_files_refused_with_file_and_line)
{
	g_autofree gchar *out = NULL;
	g_autofree gchar *dir
		= g_build_filename (g_getenv ("PG_TEST_DIR"), "data", "broken-rules", NULL);

	cr_assert_eq (run_check (&out, "zh", dir, g_getenv ("PG_RED_FLAGS")), 1, "%s", out);
	cr_assert (strstr (out, "a-good.json：可以加载，1 条规则") != NULL, "%s", out);
	cr_assert (strstr (out, "bad-predicate.json:9: /rules/0/when/all/1: unknown predicate")
			   != NULL,
		   "%s", out);
	cr_assert (strstr (out, "syntax-error.json:4:") != NULL, "%s", out);
	cr_assert (strstr (out, "missing-source.json：未通过") != NULL, "%s", out);
}
