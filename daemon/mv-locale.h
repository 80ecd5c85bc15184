/* The caller's language, as a BCP 47 tag plugins and error texts can use. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The tag of highest weight in an HTTP Accept-Language value (RFC 9110 §12.5.4), e.g. "zh-CN"
 * for "zh-CN,zh;q=0.9,en;q=0.8"; "*", malformed entries and q=0 are skipped.  "en" when
 * @header is NULL or names nothing usable.  Returns: (transfer full). */
gchar *mv_locale_from_accept_language (const gchar *header);

/* TRUE when @tag is a plausible BCP 47 tag: 1-8 letters, then "-" and 1-8 letters or digits,
 * at most 35 bytes in all (the form a D-Bus caller's locale argument must have). */
gboolean mv_locale_is_valid (const gchar *tag);

G_END_DECLS
