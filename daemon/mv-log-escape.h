/* Making client-controlled text safe to put into a log line. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Returns @text with every byte that could forge or garble a log line written as an escape:
 * control characters (CR and LF included), DEL, backslash, double quote and every non-ASCII
 * byte become "\xHH"; printable ASCII is kept.  The result is pure printable ASCII, at most
 * @max_bytes long (0: no limit) before an ellipsis "..." that marks a cut.  NULL gives "-".
 * (transfer full) */
gchar *mv_log_escape (const gchar *text, gsize max_bytes) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
