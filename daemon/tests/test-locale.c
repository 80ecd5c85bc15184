/* The caller's language from Accept-Language, and the tags a D-Bus caller may send. */
#include <criterion/criterion.h>

#include "mv-locale.h"

static void
expect (const gchar *header, const gchar *tag)
{
	g_autofree gchar *got = mv_locale_from_accept_language (header);
	cr_assert_str_eq (got, tag, "Accept-Language: %s", header != NULL ? header : "(none)");
}

Test (locale, the_tag_of_highest_weight_wins)
{
	expect (NULL, "en");
	expect ("", "en");
	expect ("zh-CN", "zh-CN");
	expect ("zh-CN,zh;q=0.9,en;q=0.8", "zh-CN");
	expect ("en;q=0.5, zh-Hans;q=0.9", "zh-Hans");
	expect ("fr;q=0.7, de;q=0.7", "fr");
	expect ("*", "en");
	expect ("*;q=1, zh", "zh");
	expect ("zh;q=0, en-GB", "en-GB");
}

Test (locale, malformed_entries_are_skipped)
{
	expect ("zh;q=abc, en", "en");
	expect ("zh;q=2", "en");
	expect ("../../etc, zh", "zh");
	expect ("zh_CN", "en");
	expect ("verylongtag-x", "en");
	expect ("en-\xe4\xb8\xad", "en");
}

Test (locale, dbus_tags_are_checked)
{
	cr_assert (mv_locale_is_valid ("en"));
	cr_assert (mv_locale_is_valid ("zh-Hans-CN"));
	cr_assert (mv_locale_is_valid ("es-419"));
	cr_assert_not (mv_locale_is_valid (""));
	cr_assert_not (mv_locale_is_valid ("419"));
	cr_assert_not (mv_locale_is_valid ("zh CN"));
	cr_assert_not (mv_locale_is_valid ("zh--CN"));
	cr_assert_not (mv_locale_is_valid ("zh-"));
	cr_assert_not (mv_locale_is_valid (NULL));
}

static void
expect_language (const gchar *header, MvLanguage language)
{
	cr_assert_eq (mv_locale_language_from_accept_language (header), language,
		      "Accept-Language: %s should give %s", header != NULL ? header : "(none)",
		      mv_language_to_tag (language));
}

Test (locale, simplified_chinese_tags_pick_chinese)
{
	const gchar *zh[]
		= { "zh",	  "zh-CN",	"zh-cn",      "ZH-Hans", "zh-Hans",	  "zh-SG",
		    "zh-Hans-CN", "zh-Hans-HK", "zh-Hans-TW", "zh-MY",	 "zh-CN,en;q=0.9" };
	const gchar *en[] = { "en",	    "en-US", "zh-TW", "zh-HK",	 "zh-MO", "zh-Hant",
			      "zh-Hant-CN", "fr",    "de-DE", "zh-Latn", "",	  "*" };

	for (guint i = 0; i < G_N_ELEMENTS (zh); i++)
		expect_language (zh[i], MV_LANGUAGE_ZH);
	for (guint i = 0; i < G_N_ELEMENTS (en); i++)
		expect_language (en[i], MV_LANGUAGE_EN);
	expect_language (NULL, MV_LANGUAGE_EN);
	cr_assert_str_eq (mv_language_to_tag (MV_LANGUAGE_ZH), "zh-Hans");
	cr_assert_str_eq (mv_language_to_tag (MV_LANGUAGE_EN), "en");
	cr_assert_eq (mv_locale_language ("zh-CN"), MV_LANGUAGE_ZH);
	cr_assert_eq (mv_locale_language ("zh-TW"), MV_LANGUAGE_EN);
	cr_assert_eq (mv_locale_language ("ja"), MV_LANGUAGE_EN);
}

Test (locale, weights_decide_between_english_and_chinese)
{
	expect_language ("en;q=0.5, zh-CN;q=0.9", MV_LANGUAGE_ZH);
	expect_language ("zh-CN;q=0.5, en;q=0.9", MV_LANGUAGE_EN);
	/* equal weights: the one listed first */
	expect_language ("zh;q=0.8, en;q=0.8", MV_LANGUAGE_ZH);
	expect_language ("en;q=0.8, zh;q=0.8", MV_LANGUAGE_EN);
	/* a language without texts counts for nothing: the next one the client accepts */
	expect_language ("fr, zh;q=0.5", MV_LANGUAGE_ZH);
	expect_language ("ja, fr;q=0.9", MV_LANGUAGE_EN);
	/* Traditional first, Simplified accepted after it */
	expect_language ("zh-TW, zh;q=0.8, en;q=0.5", MV_LANGUAGE_ZH);
	expect_language ("zh-TW, en;q=0.8, zh;q=0.5", MV_LANGUAGE_EN);
	/* q=0 refuses, "*" stands for the languages not named */
	expect_language ("zh;q=0", MV_LANGUAGE_EN);
	expect_language ("en;q=0, *", MV_LANGUAGE_ZH);
	expect_language ("en;q=0.1, *;q=0.5", MV_LANGUAGE_ZH);
	expect_language ("*, zh;q=0", MV_LANGUAGE_EN);
	/* malformed weights and tags are skipped, not guessed at */
	expect_language ("zh;q=abc, en", MV_LANGUAGE_EN);
	expect_language ("zh;q=2", MV_LANGUAGE_EN);
	expect_language ("zh_CN", MV_LANGUAGE_EN);
	expect_language ("zh-CN;q=0.9;q=0.1", MV_LANGUAGE_ZH);
}
