/*
 * Errors that list every problem, in English and Chinese (mv-error.h): what a validator hands
 * an adapter survives copying and propagation.
 */
#include <criterion/criterion.h>
#include <medverse/medverse-plugin.h>

Test (error, problems_accumulate_and_name_every_field)
{
	g_autoptr (GError) error = NULL;

	mv_error_add_problem (&error, "/value", "out-of-range", "must be at most 45 °C",
			      "不能高于 45 °C");
	mv_error_add_problem (&error, "/unit", "invalid-code", "is not a known unit", NULL);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INVALID_INPUT));
	cr_assert_eq (mv_error_get_n_problems (error), 2);
	cr_assert_str_eq (mv_error_get_problem (error, 0)->field, "/value");
	cr_assert_str_eq (mv_error_get_problem (error, 1)->code, "invalid-code");
	/* no Chinese given: the English stands in */
	cr_assert_str_eq (mv_error_get_problem (error, 1)->message_zh, "is not a known unit");
	cr_assert_null (mv_error_get_problem (error, 2));
	cr_assert_str_eq (error->message,
			  "/value: must be at most 45 °C; /unit: is not a known unit");
	cr_assert_str_eq (mv_error_get_message_zh (error),
			  "/value: 不能高于 45 °C；/unit: is not a known unit");
}

Test (error, problems_survive_copy_and_propagation)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GError) copy = NULL;
	GError *outer = NULL;

	mv_error_add_problem (&error, "", "required", "text is required", "缺少 text");
	copy = g_error_copy (error);
	g_propagate_prefixed_error (&outer, g_steal_pointer (&error), "bmi: ");
	cr_assert_eq (mv_error_get_n_problems (copy), 1);
	cr_assert_str_eq (mv_error_get_problem (copy, 0)->message_zh, "缺少 text");
	cr_assert_eq (mv_error_get_n_problems (outer), 1);
	cr_assert_str_eq (outer->message, "bmi: text is required");
	g_error_free (outer);
}

Test (error, a_plain_error_has_no_problems_and_other_domains_are_left_alone)
{
	g_autoptr (GError) plain = g_error_new_literal (MV_ERROR, MV_ERROR_NOT_FOUND, "no such x");
	g_autoptr (GError) other = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "io");
	g_autoptr (GError) bilingual = NULL;

	cr_assert_eq (mv_error_get_n_problems (plain), 0);
	cr_assert_null (mv_error_get_message_zh (plain));
	mv_error_add_problem (&other, "/a", "required", "a", "甲");
	cr_assert_str_eq (other->message, "io");
	cr_assert_eq (mv_error_get_n_problems (other), 0);
	mv_set_error_bilingual (&bilingual, MV_ERROR_CONFLICT, "taken", "已被占用");
	cr_assert (g_error_matches (bilingual, MV_ERROR, MV_ERROR_CONFLICT));
	cr_assert_str_eq (mv_error_get_message_zh (bilingual), "已被占用");
	mv_error_add_problem (NULL, "/a", "required", "a", "甲");
}

Test (error, the_message_counts_problems_past_twenty)
{
	g_autoptr (GError) error = NULL;

	for (guint i = 0; i < 25; i++)
		mv_error_add_problem (&error, "/x", "required", "missing", "缺少");
	cr_assert_eq (mv_error_get_n_problems (error), 25);
	cr_assert (g_str_has_suffix (error->message, "; and 5 more"), "%s", error->message);
	cr_assert (g_str_has_suffix (mv_error_get_message_zh (error), "另有 5 个问题"));
}
