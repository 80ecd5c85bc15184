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

G_BEGIN_DECLS

typedef struct {
	MvError code;
	guint http_status;
	const gchar *reason;	/* the HTTP reason phrase, e.g. "Too Many Requests" */
	const gchar *dbus_name; /* org.medverse.Health1.Error.* */
	guint retry_after_s;	/* > 0: answers carry Retry-After with this many seconds */
	gboolean internal;	/* the message may name files, SQL or plugin internals */
	const gchar *summary;	/* one line for the API document */
} MvErrorRow;

/* Every row, in code order; @n_rows receives the count. */
const MvErrorRow *mv_error_table_rows (guint *n_rows);

/* The row of @error; errors of another domain are internal failures (MV_ERROR_FAILED's row). */
const MvErrorRow *mv_error_table_lookup (const GError *error);

/* The row of @code (MV_ERROR_FAILED's for an unknown code). */
const MvErrorRow *mv_error_table_lookup_code (MvError code);

/* What a caller may read of @error: its own message, or for an internal error a summary that
 * points to the log under @request_id (the full message is logged here, once, as a warning).
 * Returns: (transfer full). */
gchar *mv_error_table_client_message (const GError *error, const gchar *request_id);

G_END_DECLS
