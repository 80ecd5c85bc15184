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
