/*
 * The one HTTP client of the tests (libsoup 3): a request to a daemon, its answer with the
 * headers the tests read and the body parsed as JSON when it is JSON.
 *
 * Authorization: a request the caller gave no Authorization sends `Bearer <operator key>` of
 * the daemon it goes to, when that daemon is known and has one: the binary's shared daemon
 * (mvt_main) and every daemon a test saw ready through mvt_daemon_wait_ready() run with --dev,
 * so <data-dir>/operator.key exists; it is read once (mvt-token.h).  mvt_http_with_token()
 * sends a given token or none at all.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct {
	guint status;
	gchar *reason; /* the reason phrase of the status line */
	gchar *body;
	gsize len;
	JsonNode *json; /* NULL when the body is not JSON */
	/* response headers the tests read most; any other through mvt_response_header() */
	gchar *request_id;
	gchar *allow;
	gchar *content_type;
	gchar *etag;
	gchar *location;
	gchar *retry_after;
	gint64 elapsed_ms;
	/*< private >*/
	gpointer headers;
} MvtResponse;

void mvt_response_free (MvtResponse *resp);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvtResponse, mvt_response_free)

/* a response header, NULL when absent */
const gchar *mvt_response_header (MvtResponse *resp, const gchar *name);

/* Every part of a request.  Only base_url, method and path are required. */
typedef struct {
	const gchar *base_url;
	const gchar *method;
	const gchar *path;
	/* NULL: no body */
	const gchar *content_type;
	const gchar *body;
	gssize len; /* -1: strlen (body) */
	/* the bearer token; NULL: the daemon's operator key (see above), unless anonymous */
	const gchar *token;
	/* no Authorization at all */
	gboolean anonymous;
	/* further request headers: name, value, name, value, ..., NULL; an Authorization here
	 * replaces the default one */
	const gchar *const *headers;
	/* the body with chunked transfer encoding and no Content-Length */
	gboolean chunked;
	/* seconds; 0: 30 */
	guint timeout_s;
} MvtRequest;

/* sends @req; safe in any thread, no assertions: NULL with @error set if no answer came */
MvtResponse *mvt_request_send (const MvtRequest *req, GError **error);
/* sends @req and asserts an answer with an X-Request-Id came: the test's own thread only */
MvtResponse *mvt_request (const MvtRequest *req);

/* a request to @base_url + @path; @content_type may be NULL for no body.  Asserts that it got
 * an answer with an X-Request-Id: call it from the test's own thread only. */
MvtResponse *mvt_http (const gchar *base_url,
		       const gchar *method,
		       const gchar *path,
		       const gchar *content_type,
		       const gchar *body,
		       gssize len);
/* the same with @token as the bearer token, or no Authorization when @token is NULL */
MvtResponse *mvt_http_with_token (const gchar *base_url,
				  const gchar *method,
				  const gchar *path,
				  const gchar *content_type,
				  const gchar *body,
				  gssize len,
				  const gchar *token);
/* the same as mvt_http() with further request headers (name, value, ..., NULL) */
MvtResponse *mvt_http_with_headers (const gchar *base_url,
				    const gchar *method,
				    const gchar *path,
				    const gchar *content_type,
				    const gchar *body,
				    gssize len,
				    const gchar *const *headers);
/* a JSON request (@body NULL: none) with @token as the bearer token (NULL: none) and
 * Accept-Language @language (NULL: none) */
MvtResponse *mvt_http_in_language (const gchar *base_url,
				   const gchar *language,
				   const gchar *method,
				   const gchar *path,
				   const gchar *token,
				   const gchar *body);
/* mvt_http() without assertions, safe in any thread; NULL with @error set if no answer came */
MvtResponse *mvt_http_try (const gchar *base_url,
			   const gchar *method,
			   const gchar *path,
			   const gchar *content_type,
			   const gchar *body,
			   gssize len,
			   GError **error);
/* A JSON POST sent from a thread of its own, for calls that hang (a plugin's workers held busy)
 * while the test goes on; mvt_background_post_finish() waits for it and returns its response
 * (transfer full; NULL when none came). */
typedef struct _MvtBackgroundPost MvtBackgroundPost;
MvtBackgroundPost *
mvt_background_post (const gchar *base_url, const gchar *path, const gchar *json);
MvtResponse *mvt_background_post_finish (MvtBackgroundPost *post);
/* a POST whose body is sent with chunked transfer encoding, no Content-Length; asserts as
 * mvt_http() does */
MvtResponse *mvt_http_chunked (const gchar *base_url,
			       const gchar *path,
			       const gchar *content_type,
			       const gchar *body);
/* to the shared daemon */
MvtResponse *mvt_get (const gchar *path);
MvtResponse *mvt_post_json (const gchar *path, const gchar *json);

/* asserts @resp is an error with @status and @code in the documented shape, with a request id */
void mvt_assert_error (MvtResponse *resp, guint status, const gchar *code);
/* the code and message of an error response (asserts it is one) */
const gchar *mvt_error_code (MvtResponse *resp);
const gchar *mvt_error_message (MvtResponse *resp);
/* a string member of the "error" object; NULL when @resp is no error response or lacks it */
const gchar *mvt_error_member (MvtResponse *resp, const gchar *name);
/* a member of the JSON object body (asserts the body is an object) */
JsonNode *mvt_member (MvtResponse *resp, const gchar *name);
/* a string member of the JSON object body; NULL when it is absent or null */
const gchar *mvt_str (MvtResponse *resp, const gchar *name);

/* @url's answers default to @data_dir's operator key (mvt_daemon_wait_ready() calls it) */
void mvt_http_register_daemon (const gchar *url, const gchar *data_dir);

G_END_DECLS
