#define G_LOG_DOMAIN "medverse-error"

#include "mv-error-table.h"

#define DBUS_PREFIX "org.medverse.Health1.Error."

/* One row per code, in code order (checked by the unit test).  Statuses are plain numbers so
 * the core needs no HTTP library; the reason phrases are RFC 9110's (RFC 6585's for 428, 429 and
 * 431), the ones the HTTP library sends and the API document shows. */
static const MvErrorRow rows[] = {
	{ MV_ERROR_FAILED, 500, "Internal Server Error", DBUS_PREFIX "Failed", 0, TRUE,
	  "internal failure; details are in the daemon log under the request id" },
	{ MV_ERROR_MALFORMED, 400, "Bad Request", DBUS_PREFIX "Malformed", 0, FALSE,
	  "the request could not be parsed: bad JSON, invalid UTF-8, a bad path segment" },
	{ MV_ERROR_INVALID_INPUT, 422, "Unprocessable Content", DBUS_PREFIX "InvalidInput", 0,
	  FALSE, "well-formed but of the wrong shape or value; the message names each field" },
	{ MV_ERROR_NOT_FOUND, 404, "Not Found", DBUS_PREFIX "NotFound", 0, FALSE,
	  "no such route, plugin, method or resource (or another clinic's)" },
	{ MV_ERROR_NOT_ALLOWED, 405, "Method Not Allowed", DBUS_PREFIX "NotAllowed", 0, FALSE,
	  "the HTTP method is not allowed here; Allow lists those that are" },
	{ MV_ERROR_TOO_LARGE, 413, "Content Too Large", DBUS_PREFIX "TooLarge", 0, FALSE,
	  "the request body or input is over the configured limit" },
	{ MV_ERROR_UNSUPPORTED_MEDIA, 415, "Unsupported Media Type", DBUS_PREFIX "UnsupportedMedia",
	  0, FALSE, "the body must be application/json in UTF-8" },
	{ MV_ERROR_TIMED_OUT, 504, "Gateway Timeout", DBUS_PREFIX "TimedOut", 0, FALSE,
	  "the call ran past its time limit, or waited for a worker past it" },
	{ MV_ERROR_UNAVAILABLE, 503, "Service Unavailable", DBUS_PREFIX "Unavailable", 5, FALSE,
	  "not ready, shutting down or the database is away; retry after Retry-After seconds" },
	{ MV_ERROR_UNAUTHORIZED, 401, "Unauthorized", DBUS_PREFIX "Unauthorized", 0, FALSE,
	  "missing, unknown, revoked or expired API key" },
	{ MV_ERROR_FORBIDDEN, 403, "Forbidden", DBUS_PREFIX "Forbidden", 0, FALSE,
	  "the key's role may not use this route or method" },
	{ MV_ERROR_CONFLICT, 409, "Conflict", DBUS_PREFIX "Conflict", 0, FALSE,
	  "conflicts with the resource's state, e.g. a duplicate" },
	/* the rate limiter computes its own Retry-After */
	{ MV_ERROR_RATE_LIMITED, 429, "Too Many Requests", DBUS_PREFIX "RateLimited", 0, FALSE,
	  "too many requests for this key; retry after Retry-After seconds" },
	{ MV_ERROR_INTEGRITY, 500, "Internal Server Error", DBUS_PREFIX "Integrity", 0, TRUE,
	  "stored data failed an integrity check; details are in the daemon log" },
	{ MV_ERROR_PRECONDITION_FAILED, 412, "Precondition Failed",
	  DBUS_PREFIX "PreconditionFailed", 0, FALSE,
	  "the resource changed since the If-Match version was read" },
	{ MV_ERROR_PRECONDITION_REQUIRED, 428, "Precondition Required",
	  DBUS_PREFIX "PreconditionRequired", 0, FALSE, "an update needs If-Match" },
	{ MV_ERROR_LENGTH_REQUIRED, 411, "Length Required", DBUS_PREFIX "LengthRequired", 0, FALSE,
	  "send the body with Content-Length, not chunked" },
	{ MV_ERROR_RESPONSE_TOO_LARGE, 500, "Internal Server Error", DBUS_PREFIX "ResponseTooLarge",
	  0, FALSE, "the plugin's answer is over the response limit, which the message names" },
	{ MV_ERROR_REQUEST_TIMEOUT, 408, "Request Timeout", DBUS_PREFIX "RequestTimeout", 0, FALSE,
	  "the request's headers or body did not arrive in time; the connection is closed" },
	{ MV_ERROR_HEADERS_TOO_LARGE, 431, "Request Header Fields Too Large",
	  DBUS_PREFIX "HeadersTooLarge", 0, FALSE,
	  "the request line and headers are over the size or count limit" },
	/* a full disk is not fixed in 5 s: a longer pause spares the database the retries */
	{ MV_ERROR_INSUFFICIENT_RESOURCES, 503, "Service Unavailable",
	  DBUS_PREFIX "InsufficientResources", 30, FALSE,
	  "the database is out of disk space, memory or connections and stored nothing; retry "
	  "after Retry-After seconds" },
};

G_STATIC_ASSERT (G_N_ELEMENTS (rows) == MV_ERROR_LAST);

const MvErrorRow *
mv_error_table_rows (guint *n_rows)
{
	*n_rows = G_N_ELEMENTS (rows);
	return rows;
}

const MvErrorRow *
mv_error_table_lookup_code (MvError code)
{
	if ((guint)code >= G_N_ELEMENTS (rows))
		return &rows[MV_ERROR_FAILED];
	return &rows[code];
}

const MvErrorRow *
mv_error_table_lookup (const GError *error)
{
	if (error == NULL || error->domain != MV_ERROR)
		return &rows[MV_ERROR_FAILED];
	return mv_error_table_lookup_code ((MvError)error->code);
}

gchar *
mv_error_table_client_message (const GError *error, const gchar *request_id)
{
	const MvErrorRow *row = mv_error_table_lookup (error);

	if (!row->internal && error->domain == MV_ERROR)
		return g_strdup (error->message);
	g_warning ("[%s] %s", request_id, error->message);
	return g_strdup_printf ("internal failure; the daemon log has the details under request "
				"id %s",
				request_id);
}
