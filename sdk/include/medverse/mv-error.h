/*
 * Medverse plugin SDK — errors shared by plugins, the daemon and its clients.
 *
 * One error domain for the whole public surface.  Each code has a fixed D-Bus
 * error name (org.medverse.Health1.Error.<Name>) and a fixed HTTP status, so a
 * plugin that fails with MV_ERROR_INVALID_INPUT is seen by an HTTP client as a
 * 422 and by a D-Bus client as org.medverse.Health1.Error.InvalidInput.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MV_ERROR (mv_error_quark ())

/**
 * MvError:
 * @MV_ERROR_FAILED: generic failure inside a plugin or the daemon (HTTP 500).
 * @MV_ERROR_MALFORMED: the request could not be parsed at all: bad JSON, invalid UTF-8 (400).
 * @MV_ERROR_INVALID_INPUT: well-formed, but of the wrong shape or value; the message names the
 *   field (422).  This is the code a plugin uses for input it refuses.
 * @MV_ERROR_NOT_FOUND: no such plugin, method or resource (404).
 * @MV_ERROR_NOT_ALLOWED: the method is not allowed on this resource (405).
 * @MV_ERROR_TOO_LARGE: the request body or text is over the configured limit (413).
 * @MV_ERROR_UNSUPPORTED_MEDIA: wrong content type (415).
 * @MV_ERROR_TIMED_OUT: the call ran past its time limit (504).
 * @MV_ERROR_UNAVAILABLE: not ready, e.g. the database is unreachable (503).
 * @MV_ERROR_UNAUTHORIZED: missing, unknown, revoked or expired credentials (401).
 * @MV_ERROR_FORBIDDEN: valid credentials without the required role (403).
 * @MV_ERROR_CONFLICT: the request conflicts with the resource's state, e.g. a duplicate (409).
 * @MV_ERROR_RATE_LIMITED: too many requests for this key (429).
 * @MV_ERROR_INTEGRITY: stored data failed an integrity check (500, logged).
 * @MV_ERROR_PRECONDITION_FAILED: the resource changed since the caller read it (412).
 * @MV_ERROR_PRECONDITION_REQUIRED: an update needs the version it was computed from (428).
 * @MV_ERROR_LENGTH_REQUIRED: the request body has no declared length, e.g. it was sent with
 *   chunked transfer encoding (411).  Only the HTTP adapter uses it; a plugin never needs to.
 * @MV_ERROR_RESPONSE_TOO_LARGE: a plugin's answer is over the daemon's response limit
 *   (`[http] max-response-bytes`); the message names the limit (500).  Since ABI 1, added
 *   in 0.2.
 * @MV_ERROR_REQUEST_TIMEOUT: the request's headers or body did not arrive in time (408).  Only
 *   the HTTP adapter uses it.  Since ABI 1, added in 0.3.
 * @MV_ERROR_HEADERS_TOO_LARGE: the request line and headers are over the size or count limit
 *   (431).  Only the HTTP adapter uses it.  Since ABI 1, added in 0.3.
 * @MV_ERROR_INSUFFICIENT_RESOURCES: the database ran out of a resource (disk space, memory,
 *   connections or a configured limit: SQLSTATE class 53) and the write was not stored; retry
 *   later (503 with Retry-After).  The daemon's, never a plugin's.  Since ABI 1, added in 0.3.
 *
 * New codes are only ever appended, so a plugin built against an older header keeps its
 * numbers; treat a code you do not know as %MV_ERROR_FAILED.
 *
 * Since: ABI 1
 */
typedef enum {
	MV_ERROR_FAILED,
	MV_ERROR_MALFORMED,
	MV_ERROR_INVALID_INPUT,
	MV_ERROR_NOT_FOUND,
	MV_ERROR_NOT_ALLOWED,
	MV_ERROR_TOO_LARGE,
	MV_ERROR_UNSUPPORTED_MEDIA,
	MV_ERROR_TIMED_OUT,
	MV_ERROR_UNAVAILABLE,
	MV_ERROR_UNAUTHORIZED,
	MV_ERROR_FORBIDDEN,
	MV_ERROR_CONFLICT,
	MV_ERROR_RATE_LIMITED,
	MV_ERROR_INTEGRITY,
	MV_ERROR_PRECONDITION_FAILED,
	MV_ERROR_PRECONDITION_REQUIRED,
	MV_ERROR_LENGTH_REQUIRED,
	MV_ERROR_RESPONSE_TOO_LARGE,
	MV_ERROR_REQUEST_TIMEOUT,
	MV_ERROR_HEADERS_TOO_LARGE,
	MV_ERROR_INSUFFICIENT_RESOURCES,
	MV_ERROR_LAST /*< skip >*/
} MvError;

GQuark mv_error_quark (void);

/**
 * mv_error_to_string:
 * @code: an #MvError
 *
 * Returns: the stable machine-readable name of @code, e.g. "invalid-input", as used in the
 * HTTP error body `{"error":{"code":…}}`.  Never %NULL.
 */
const gchar *mv_error_to_string (MvError code);

G_END_DECLS
