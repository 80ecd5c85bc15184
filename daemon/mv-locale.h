/* The caller's language, as a BCP 47 tag plugins and error texts can use. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The languages the daemon's own texts (error messages) are written in. */
typedef enum {
	MV_LANGUAGE_EN, /* English: the default */
	MV_LANGUAGE_ZH, /* Simplified Chinese (zh-Hans) */
} MvLanguage;

/* The tag of highest weight in an HTTP Accept-Language value (RFC 9110 §12.5.4), e.g. "zh-CN"
 * for "zh-CN,zh;q=0.9,en;q=0.8"; "*", malformed entries and q=0 are skipped.  "en" when
 * @header is NULL or names nothing usable.  Returns: (transfer full). */
gchar *mv_locale_from_accept_language (const gchar *header);

/* Which of the daemon's languages a BCP 47 @tag reads best in: MV_LANGUAGE_ZH for Simplified
 * Chinese ("zh", "zh-CN", "zh-SG", "zh-Hans", "zh-Hans-*"), MV_LANGUAGE_EN for the rest.
 * Traditional Chinese ("zh-Hant*", "zh-TW", "zh-HK", "zh-MO") is not Simplified: English,
 * unless the caller also lists "zh" (docs/api.md, "Languages"). */
MvLanguage mv_locale_language (const gchar *tag);

/* The daemon language an Accept-Language value prefers: its entries in the client's weights,
 * each mapped with mv_locale_language() (other languages count for nothing), "*" standing for
 * the one not named; English when nothing names Chinese with a higher weight. */
MvLanguage mv_locale_language_from_accept_language (const gchar *header);

/* The Content-Language of a text in @language: "en" or "zh-Hans". */
const gchar *mv_language_to_tag (MvLanguage language);

/* TRUE when @tag is a plausible BCP 47 tag: 1-8 letters, then "-" and 1-8 letters or digits,
 * at most 35 bytes in all (the form a D-Bus caller's locale argument must have). */
gboolean mv_locale_is_valid (const gchar *tag);

G_END_DECLS
