/*
 * The one table of error policy.  Each MV_ERROR code has one row: its HTTP status and reason
 * phrase, its D-Bus error name, whether a client may be told to retry later, and whether its
 * message is internal (logged with the request id, replaced by a summary for the caller).
 * The HTTP and D-Bus adapters, and anything else that answers a client, read this table and
 * nothing else, so a code cannot mean one thing over HTTP and another over D-Bus.
 */
#pragma once

#include <glib.h>
#include <medverse/mv-error.h>

#include "mv-locale.h"

G_BEGIN_DECLS

typedef struct {
	MvError code;
	guint http_status;
	const gchar *reason;	/* the HTTP reason phrase, e.g. "Too Many Requests" */
	const gchar *dbus_name; /* org.medverse.Health1.Error.* */
	guint retry_after_s;	/* > 0: answers carry Retry-After with this many seconds */
	gboolean internal;	/* the message may name files, SQL or plugin internals */
	const gchar *summary;	/* one line for the API document */
	/* the code in one Chinese sentence: what a caller reading Chinese sees of an error raised
	 * without a Chinese message (a third-party plugin's, say), and the API document's summary
	 */
	const gchar *message_zh;
} MvErrorRow;

/* Every row, in code order; @n_rows receives the count. */
const MvErrorRow *mv_error_table_rows (guint *n_rows);

/* The row of @error; errors of another domain are internal failures (MV_ERROR_FAILED's row). */
const MvErrorRow *mv_error_table_lookup (const GError *error);

/* The row of @code (MV_ERROR_FAILED's for an unknown code). */
const MvErrorRow *mv_error_table_lookup_code (MvError code);

/* What a caller may read of @error in @language: its own message, or for an internal error a
 * summary that points to the log under @request_id (the full message is logged here, once, as a
 * warning).  In Chinese: the error's Chinese message (mv_error_get_message_zh()); for an error
 * raised without one, the code's Chinese sentence followed by the English message in brackets,
 * so the field, limit or plugin it names is not lost.  Returns: (transfer full). */
gchar *
mv_error_table_client_message (const GError *error, const gchar *request_id, MvLanguage language);

/* The text of one of @error's problems (mv_error_get_problem()) in @language. */
const gchar *mv_error_table_problem_message (const MvErrorProblem *problem, MvLanguage language);

/* An MV_ERROR @code with an English and a Simplified Chinese message made from the same
 * arguments (both formats take them in the same order; the compiler checks both). */
GError *mv_error_new_bilingual (MvError code, const gchar *format, const gchar *format_zh, ...)
	G_GNUC_PRINTF (2, 4) G_GNUC_PRINTF (3, 4);
/* The same into @error (which may be NULL), like g_set_error(). */
void mv_set_error_bilingual_printf (GError **error,
				    MvError code,
				    const gchar *format,
				    const gchar *format_zh,
				    ...) G_GNUC_PRINTF (3, 5) G_GNUC_PRINTF (4, 5);

G_END_DECLS
