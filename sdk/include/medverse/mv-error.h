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
 * @MV_ERROR_PLUGIN_CRASHED: the process of an isolated plugin died (a signal, an exit) during
 *   the call; the call is lost, the process is restarted (500).  The daemon's, never a
 *   plugin's.  Since ABI 1, added in 0.6.
 * @MV_ERROR_PLUGIN_DISABLED: the plugin crashed too often and was disabled until an operator
 *   re-enables it (503, no Retry-After).  The daemon's, never a plugin's.  Since ABI 1, added
 *   in 0.6.
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
	MV_ERROR_PLUGIN_CRASHED,
	MV_ERROR_PLUGIN_DISABLED,
	MV_ERROR_LAST /*< skip >*/
} MvError;

GQuark mv_error_quark (void);

/**
 * MvErrorProblem:
 * @field: a JSON Pointer (RFC 6901) to the member at fault in the input, e.g.
 *   `/observations/0/value`; "" for the input as a whole
 * @code: a stable, machine-readable name of what is wrong: "required", "unknown-member",
 *   "wrong-type", "out-of-range", "too-long", "too-short", "invalid-format", "invalid-code",
 *   "unknown-system", "invalid-checksum", "not-allowed", "duplicate", "in-future"…; clients
 *   test this, not the message
 * @message: what is wrong, in English, for people (never quoting the submitted value: it may be
 *   patient data)
 * @message_zh: the same in Simplified Chinese
 *
 * One thing wrong with an input.  A refused input lists every problem at once (an HTTP client
 * sees them as `error.details`), so a clinic's integrator fixes a request in one round.
 *
 * Since: ABI 1.2 (0.4)
 */
typedef struct {
	const gchar *field;
	const gchar *code;
	const gchar *message;
	const gchar *message_zh;
} MvErrorProblem;

/**
 * mv_error_add_problem:
 * @error: (inout) (optional): where problems are collected; may be %NULL (nothing happens) or
 *   point to %NULL (an %MV_ERROR_INVALID_INPUT error is created)
 * @field: JSON Pointer of the member at fault ("" for the whole input)
 * @code: the problem's machine-readable code (see #MvErrorProblem)
 * @message: English text
 * @message_zh: (nullable): Simplified Chinese text; %NULL repeats @message
 *
 * Adds one problem to *@error.  The error's message (and its Chinese message) becomes the
 * problems joined, each prefixed by its field, so a caller that reads only the message still
 * sees all of them.  An *@error of another domain is left as it is.
 *
 * Since: ABI 1.2 (0.4)
 */
void mv_error_add_problem (GError **error,
			   const gchar *field,
			   const gchar *code,
			   const gchar *message,
			   const gchar *message_zh);

/**
 * mv_error_get_n_problems:
 *
 * Returns: how many problems @error lists (0 for an error of another domain, or one made
 *   with g_set_error()).
 *
 * Since: ABI 1.2 (0.4)
 */
guint mv_error_get_n_problems (const GError *error);

/**
 * mv_error_get_problem:
 * @index: below mv_error_get_n_problems()
 *
 * Returns: (transfer none): the problem, owned by @error, or %NULL if @index is out of range.
 *
 * Since: ABI 1.2 (0.4)
 */
const MvErrorProblem *mv_error_get_problem (const GError *error, guint index);

/**
 * mv_error_set_message_zh:
 * @error: an error of %MV_ERROR
 * @message_zh: the error's message in Simplified Chinese
 *
 * Gives @error a Chinese message, which callers who asked for Chinese
 * (`Accept-Language: zh-CN`) read instead of `error->message`.
 *
 * Since: ABI 1.2 (0.4)
 */
void mv_error_set_message_zh (GError *error, const gchar *message_zh);

/**
 * mv_error_get_message_zh:
 *
 * Returns: (nullable): @error's Simplified Chinese message, or %NULL when it has none.
 *
 * Since: ABI 1.2 (0.4)
 */
const gchar *mv_error_get_message_zh (const GError *error);

/**
 * mv_set_error_bilingual:
 * @code: an #MvError
 * @message: English text
 * @message_zh: Simplified Chinese text
 *
 * g_set_error_literal() with a Chinese message besides, in one call.
 *
 * Since: ABI 1.2 (0.4)
 */
void mv_set_error_bilingual (GError **error,
			     MvError code,
			     const gchar *message,
			     const gchar *message_zh);

/**
 * mv_error_to_string:
 * @code: an #MvError
 *
 * Returns: the stable machine-readable name of @code, e.g. "invalid-input", as used in the
 * HTTP error body `{"error":{"code":…}}`.  Never %NULL.
 */
const gchar *mv_error_to_string (MvError code);

G_END_DECLS
