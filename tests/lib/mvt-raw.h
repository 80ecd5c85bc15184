/*
 * A raw HTTP/1.1 client for the tests of the HTTP front itself: one TCP connection, bytes sent
 * exactly as the test wrote them (malformed framing, oversize headers, a request dribbled a
 * byte at a time), bytes read against a deadline, and a parser that splits what came back into
 * responses, so a test can count them.  mvt-http.h is the client for everything else: it only
 * sends well-formed requests.
 *
 * Nothing here asserts: every function reports failure through its result (and a GError where
 * it says so), so it is safe off the test's main thread.  The socket is non-blocking; a send
 * that has to wait for the peer keeps reading meanwhile, so a daemon that answers before it has
 * read the whole request (a 431 after 16 KB of a 100 KB header) never deadlocks the test.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum {
	MVT_RAW_OPEN,  /* still open as far as the client knows */
	MVT_RAW_EOF,   /* the daemon closed it (a read returned 0) */
	MVT_RAW_RESET, /* the daemon reset it (ECONNRESET or EPIPE) */
} MvtRawState;

typedef struct _MvtRaw MvtRaw;

/* One response as it came over the wire. */
typedef struct {
	gchar *version; /* "HTTP/1.1" */
	guint status;
	gchar *reason;
	/* the header fields in the order received: name, value, name, value, ..., NULL */
	GStrv headers;
	gchar *body; /* NUL-terminated copy; the body may contain NULs, @len counts them */
	gsize len;
	JsonNode *json; /* the body parsed as JSON; NULL when it is not JSON */
	/* the body ran to the end of the connection (no Content-Length, not chunked) */
	gboolean close_delimited;
} MvtRawResponse;

void mvt_raw_response_free (MvtRawResponse *resp);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvtRawResponse, mvt_raw_response_free)

/* the value of the first header field named @name (case-insensitive); NULL when absent */
const gchar *mvt_raw_response_header (const MvtRawResponse *resp, const gchar *name);
/* how many header fields named @name the response has */
guint mvt_raw_response_count_header (const MvtRawResponse *resp, const gchar *name);

/* TRUE when the server means to keep the connection open after @resp: HTTP/1.1 without a
 * "close" token in Connection */
gboolean mvt_raw_response_keeps_alive (const MvtRawResponse *resp);

/* TRUE when @resp carries the daemon's JSON error: Content-Type application/json, a UTF-8
 * body {"error": {"code": ..., "message": ..., "request_id": ...}} of non-empty strings, the
 * request id the one in the X-Request-Id header.  FALSE with what is wrong in @why (may be
 * NULL; free it). */
gboolean mvt_raw_response_is_json_error (const MvtRawResponse *resp, gchar **why);

/* Splits @data (@len bytes) into the HTTP responses it holds, in order.  @at_eof: the data ends
 * where the connection ended, which completes a body without a length.  @rest is set to the
 * number of bytes after the last whole response (an incomplete one, or bytes that are no
 * response at all).  Never NULL; free with g_ptr_array_unref(). */
GPtrArray *mvt_raw_parse_responses (const gchar *data, gsize len, gboolean at_eof, gsize *rest);

/* Connects to the daemon at @url ("http://HOST:PORT", as in <data-dir>/http.url). */
MvtRaw *mvt_raw_connect (const gchar *url, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* The same from the local address @source (e.g. "127.0.0.2": every 127/8 address is local on
 * Linux), so a test can be a second client by address. */
MvtRaw *mvt_raw_connect_from (const gchar *url,
			      const gchar *source,
			      GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* closes the socket (an orderly close: FIN, unless unread data makes the kernel send RST) */
void mvt_raw_free (MvtRaw *raw);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvtRaw, mvt_raw_free)

/* Sends @len bytes of @data (-1: strlen), reading whatever arrives meanwhile.  FALSE with
 * @error set when the daemon closed or reset the connection before taking everything, or
 * @timeout_ms passed; what it answered before that is still in the received bytes. */
gboolean
mvt_raw_send (MvtRaw *raw, const gchar *data, gssize len, guint timeout_ms, GError **error);

/* Reads until the daemon ends the connection or @timeout_ms passes; returns the state. */
MvtRawState mvt_raw_read_until_closed (MvtRaw *raw, guint timeout_ms);
/* Reads until new bytes arrive, the connection ends, or @timeout_ms passes; TRUE when
 * anything happened (data or end). */
gboolean mvt_raw_wait_activity (MvtRaw *raw, guint timeout_ms);
/* Reads until one more whole response is buffered and returns it (the next one after those
 * this function returned before); NULL when the connection ended or @timeout_ms passed
 * first, with @error set saying which and what had arrived. */
MvtRawResponse *
mvt_raw_read_response (MvtRaw *raw, guint timeout_ms, GError **error) G_GNUC_WARN_UNUSED_RESULT;

MvtRawState mvt_raw_get_state (MvtRaw *raw);
/* monotonic time (µs) the first byte arrived or the connection ended, whichever came first;
 * 0 while neither happened */
gint64 mvt_raw_get_answered_at (MvtRaw *raw);
/* monotonic time (µs) the connection ended; 0 while it is open */
gint64 mvt_raw_get_ended_at (MvtRaw *raw);
/* every byte received so far, NUL-terminated; @len (may be NULL) counts them */
const gchar *mvt_raw_get_received (MvtRaw *raw, gsize *len);
/* the responses in everything received so far (mvt_raw_parse_responses(), complete at the end
 * of the connection); @rest as there */
GPtrArray *mvt_raw_get_responses (MvtRaw *raw, gsize *rest);
/* the received bytes as printable text for a failure message: control bytes as \r \n \xNN,
 * at most @max bytes of it */
gchar *mvt_raw_describe (MvtRaw *raw, gsize max) G_GNUC_WARN_UNUSED_RESULT;

/* Connects to @url, sends @data (@len bytes, -1: strlen) and reads until the daemon ends the
 * connection or @timeout_ms passes.  NULL with @error set when it could not connect; a send cut
 * short by the daemon closing is no error (the answer is in the received bytes). */
MvtRaw *mvt_raw_exchange (const gchar *url,
			  const gchar *data,
			  gssize len,
			  guint timeout_ms,
			  GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
