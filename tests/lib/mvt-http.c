/* The one HTTP client of the tests: see mvt-http.h. */
#include "mvt-http.h"

#include <criterion/criterion.h>
#include <libsoup/soup.h>
#include <string.h>

#include "mvt-harness.h"
#include "mvt-token.h"

/* ---- the default token: each daemon's operator key, read once ------------------------------ */

static GMutex daemons_lock;
/* url -> data dir, of daemons seen ready in this process */
static GHashTable *daemon_dirs;
/* url -> operator key ("" when the daemon has none), read once */
static GHashTable *default_tokens;

void
mvt_http_register_daemon (const gchar *url, const gchar *data_dir)
{
	g_mutex_lock (&daemons_lock);
	if (daemon_dirs == NULL)
		daemon_dirs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	g_hash_table_replace (daemon_dirs, g_strdup (url), g_strdup (data_dir));
	/* a new daemon on a recycled port has a key of its own */
	if (default_tokens != NULL)
		g_hash_table_remove (default_tokens, url);
	g_mutex_unlock (&daemons_lock);
}

/* the data dir of the daemon at @url: registered in this process, or the binary's shared
 * daemon (whose tests run in processes of their own and see it in the environment) */
static gchar *
data_dir_of (const gchar *url)
{
	const gchar *shared_url = g_getenv ("MVT_URL");
	const gchar *dir = daemon_dirs != NULL ? g_hash_table_lookup (daemon_dirs, url) : NULL;

	if (dir != NULL)
		return g_strdup (dir);
	if (shared_url != NULL && g_strcmp0 (shared_url, url) == 0)
		return g_strdup (g_getenv ("MVT_DATA_DIR"));
	return NULL;
}

/* the operator key of the daemon at @url; NULL when it is not known or has none */
static gchar *
default_token (const gchar *url)
{
	const gchar *cached;
	gchar *token = NULL;

	g_mutex_lock (&daemons_lock);
	if (default_tokens == NULL)
		default_tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	cached = g_hash_table_lookup (default_tokens, url);
	if (cached == NULL) {
		g_autofree gchar *dir = data_dir_of (url);
		g_autofree gchar *path
			= dir != NULL ? g_build_filename (dir, "operator.key", NULL) : NULL;
		gchar *read = path != NULL ? mvt_token_read (path, NULL) : NULL;

		cached = read != NULL ? read : g_strdup ("");
		g_hash_table_replace (default_tokens, g_strdup (url), (gpointer)cached);
	}
	if (cached[0] != '\0')
		token = g_strdup (cached);
	g_mutex_unlock (&daemons_lock);
	return token;
}

/* ---- requests -------------------------------------------------------------------------------- */

void
mvt_response_free (MvtResponse *resp)
{
	if (resp == NULL)
		return;
	g_free (resp->body);
	g_free (resp->request_id);
	g_free (resp->allow);
	g_free (resp->content_type);
	g_free (resp->etag);
	g_free (resp->location);
	g_free (resp->retry_after);
	g_free (resp->reason);
	if (resp->json != NULL)
		json_node_unref (resp->json);
	g_clear_pointer (&resp->headers, soup_message_headers_unref);
	g_free (resp);
}

const gchar *
mvt_response_header (MvtResponse *resp, const gchar *name)
{
	return soup_message_headers_get_one (resp->headers, name);
}

static gboolean
has_header (const gchar *const *headers, const gchar *name)
{
	for (guint i = 0; headers != NULL && headers[i] != NULL && headers[i + 1] != NULL; i += 2)
		if (g_ascii_strcasecmp (headers[i], name) == 0)
			return TRUE;
	return FALSE;
}

/* the request as a SoupMessage; with req->chunked the body goes out with chunked transfer
 * encoding (a stream of unknown length), otherwise with Content-Length */
static SoupMessage *
new_message (const MvtRequest *req, GError **error)
{
	g_autofree gchar *uri = g_strconcat (req->base_url, req->path, NULL);
	g_autoptr (SoupMessage) msg = soup_message_new (req->method, uri);
	g_autofree gchar *token = NULL;
	SoupMessageHeaders *headers;

	if (msg == NULL) {
		g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "not a URI: %s", uri);
		return NULL;
	}
	headers = soup_message_get_request_headers (msg);
	if (!req->anonymous && !has_header (req->headers, "Authorization"))
		token = req->token != NULL ? g_strdup (req->token) : default_token (req->base_url);
	if (token != NULL) {
		g_autofree gchar *value = g_strconcat ("Bearer ", token, NULL);
		soup_message_headers_replace (headers, "Authorization", value);
	}
	for (guint i = 0; req->headers != NULL && req->headers[i] != NULL; i += 2) {
		g_return_val_if_fail (req->headers[i + 1] != NULL, NULL);
		soup_message_headers_replace (headers, req->headers[i], req->headers[i + 1]);
	}
	if (req->content_type != NULL) {
		const gchar *body = req->body != NULL ? req->body : "";
		g_autoptr (GBytes) bytes
			= g_bytes_new (body, req->len < 0 ? strlen (body) : (gsize)req->len);
		if (req->chunked) {
			g_autoptr (GInputStream) stream
				= g_memory_input_stream_new_from_bytes (bytes);
			soup_message_set_request_body (msg, req->content_type, stream, -1);
		} else {
			soup_message_set_request_body_from_bytes (msg, req->content_type, bytes);
		}
	}
	return g_steal_pointer (&msg);
}

MvtResponse *
mvt_request_send (const MvtRequest *req, GError **error)
{
	g_autoptr (SoupSession) session = g_object_new (
		SOUP_TYPE_SESSION, "timeout", req->timeout_s != 0 ? req->timeout_s : 30, NULL);
	g_autoptr (SoupMessage) msg = new_message (req, error);
	g_autoptr (GBytes) bytes = NULL;
	g_autoptr (JsonParser) parser = json_parser_new ();
	SoupMessageHeaders *headers;
	MvtResponse *resp;
	gint64 start;
	gsize size = 0;
	const gchar *data;

	if (msg == NULL)
		return NULL;
	start = g_get_monotonic_time ();
	bytes = soup_session_send_and_read (session, msg, NULL, error);
	if (bytes == NULL) {
		g_prefix_error (error, "%s %s%s: ", req->method, req->base_url, req->path);
		return NULL;
	}
	resp = g_new0 (MvtResponse, 1);
	resp->elapsed_ms = (g_get_monotonic_time () - start) / 1000;
	resp->status = soup_message_get_status (msg);
	resp->reason = g_strdup (soup_message_get_reason_phrase (msg));
	data = g_bytes_get_data (bytes, &size);
	resp->body = g_strndup (data != NULL ? data : "", size);
	resp->len = size;
	headers = soup_message_get_response_headers (msg);
	resp->headers = soup_message_headers_ref (headers);
	resp->request_id = g_strdup (soup_message_headers_get_one (headers, "X-Request-Id"));
	resp->allow = g_strdup (soup_message_headers_get_one (headers, "Allow"));
	resp->content_type = g_strdup (soup_message_headers_get_content_type (headers, NULL));
	resp->etag = g_strdup (soup_message_headers_get_one (headers, "ETag"));
	resp->location = g_strdup (soup_message_headers_get_one (headers, "Location"));
	resp->retry_after = g_strdup (soup_message_headers_get_one (headers, "Retry-After"));
	if (size > 0 && json_parser_load_from_data (parser, resp->body, (gssize)size, NULL)
	    && json_parser_get_root (parser) != NULL)
		resp->json = json_node_copy (json_parser_get_root (parser));
	return resp;
}

MvtResponse *
mvt_request (const MvtRequest *req)
{
	g_autoptr (GError) error = NULL;
	MvtResponse *resp = mvt_request_send (req, &error);

	cr_assert_not_null (resp, "%s", error != NULL ? error->message : "?");
	/* every response, success or error, carries a request id */
	cr_assert (resp->request_id != NULL && resp->request_id[0] != '\0',
		   "%s %s%s -> %u without an X-Request-Id header", req->method, req->path,
		   req->chunked ? " (chunked)" : "", resp->status);
	return resp;
}

MvtResponse *
mvt_http (const gchar *base_url,
	  const gchar *method,
	  const gchar *path,
	  const gchar *content_type,
	  const gchar *body,
	  gssize len)
{
	MvtRequest req = { base_url, method, path, content_type, body, len };
	return mvt_request (&req);
}

MvtResponse *
mvt_http_with_token (const gchar *base_url,
		     const gchar *method,
		     const gchar *path,
		     const gchar *content_type,
		     const gchar *body,
		     gssize len,
		     const gchar *token)
{
	MvtRequest req = { base_url, method, path, content_type, body, len };

	req.token = token;
	req.anonymous = token == NULL;
	return mvt_request (&req);
}

MvtResponse *
mvt_http_with_headers (const gchar *base_url,
		       const gchar *method,
		       const gchar *path,
		       const gchar *content_type,
		       const gchar *body,
		       gssize len,
		       const gchar *const *headers)
{
	MvtRequest req = { base_url, method, path, content_type, body, len };

	req.headers = headers;
	return mvt_request (&req);
}

MvtResponse *
mvt_http_in_language (const gchar *base_url,
		      const gchar *language,
		      const gchar *method,
		      const gchar *path,
		      const gchar *token,
		      const gchar *body)
{
	const gchar *const headers[] = { "Accept-Language", language, NULL };
	MvtRequest req
		= { base_url, method, path, body != NULL ? "application/json" : NULL, body, -1 };

	req.token = token;
	req.anonymous = token == NULL;
	req.headers = language != NULL ? headers : NULL;
	return mvt_request (&req);
}

MvtResponse *
mvt_http_try (const gchar *base_url,
	      const gchar *method,
	      const gchar *path,
	      const gchar *content_type,
	      const gchar *body,
	      gssize len,
	      GError **error)
{
	MvtRequest req = { base_url, method, path, content_type, body, len };
	return mvt_request_send (&req, error);
}

MvtResponse *
mvt_http_chunked (const gchar *base_url,
		  const gchar *path,
		  const gchar *content_type,
		  const gchar *body)
{
	MvtRequest req = { base_url, "POST", path, content_type, body, -1 };

	req.chunked = TRUE;
	return mvt_request (&req);
}

MvtResponse *
mvt_get (const gchar *path)
{
	return mvt_http (mvt_shared_url (), "GET", path, NULL, NULL, 0);
}

MvtResponse *
mvt_post_json (const gchar *path, const gchar *json)
{
	return mvt_http (mvt_shared_url (), "POST", path, "application/json", json, -1);
}

/* ---- answers --------------------------------------------------------------------------------- */

JsonNode *
mvt_member (MvtResponse *resp, const gchar *name)
{
	cr_assert (resp->json != NULL && JSON_NODE_HOLDS_OBJECT (resp->json),
		   "response body is not a JSON object: %s", resp->body);
	return json_object_get_member (json_node_get_object (resp->json), name);
}

const gchar *
mvt_str (MvtResponse *resp, const gchar *name)
{
	JsonNode *node;

	if (resp->json == NULL || !JSON_NODE_HOLDS_OBJECT (resp->json))
		return NULL;
	node = json_object_get_member (json_node_get_object (resp->json), name);
	if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string (node);
}

/* the "error" object of the body, or NULL */
static JsonObject *
error_object (MvtResponse *resp)
{
	JsonNode *node;

	if (resp->json == NULL || !JSON_NODE_HOLDS_OBJECT (resp->json))
		return NULL;
	node = json_object_get_member (json_node_get_object (resp->json), "error");
	return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

const gchar *
mvt_error_member (MvtResponse *resp, const gchar *name)
{
	JsonObject *err = error_object (resp);
	JsonNode *node = err != NULL ? json_object_get_member (err, name) : NULL;

	if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string (node);
}

static JsonObject *
assert_error_object (MvtResponse *resp)
{
	JsonObject *err = error_object (resp);
	cr_assert_not_null (err, "no \"error\" object in %s", resp->body);
	return err;
}

const gchar *
mvt_error_code (MvtResponse *resp)
{
	return json_object_get_string_member_with_default (assert_error_object (resp), "code", "");
}

const gchar *
mvt_error_message (MvtResponse *resp)
{
	return json_object_get_string_member_with_default (assert_error_object (resp), "message",
							   "");
}

void
mvt_assert_error (MvtResponse *resp, guint status, const gchar *code)
{
	JsonObject *err;
	const gchar *got_code, *message, *request_id;

	cr_assert_eq (resp->status, status, "expected HTTP %u, got %u: %s", status, resp->status,
		      resp->body);
	cr_assert_str_eq (resp->content_type != NULL ? resp->content_type : "(none)",
			  "application/json", "error content type");
	err = assert_error_object (resp);
	got_code = json_object_get_string_member_with_default (err, "code", NULL);
	message = json_object_get_string_member_with_default (err, "message", NULL);
	request_id = json_object_get_string_member_with_default (err, "request_id", NULL);
	cr_assert_str_eq (got_code != NULL ? got_code : "(none)", code, "error code in %s",
			  resp->body);
	cr_assert (message != NULL && message[0] != '\0', "no error message in %s", resp->body);
	cr_assert_str_eq (request_id != NULL ? request_id : "(none)",
			  resp->request_id != NULL ? resp->request_id : "(no header)",
			  "error.request_id must be the X-Request-Id header: %s", resp->body);
}

struct _MvtBackgroundPost {
	gchar *base_url;
	gchar *path;
	gchar *json;
	MvtResponse *resp;
	GThread *thread;
};

static gpointer
background_post (gpointer data)
{
	MvtBackgroundPost *post = data;
	post->resp = mvt_http_try (post->base_url, "POST", post->path, "application/json",
				   post->json, -1, NULL);
	return NULL;
}

MvtBackgroundPost *
mvt_background_post (const gchar *base_url, const gchar *path, const gchar *json)
{
	MvtBackgroundPost *post = g_new0 (MvtBackgroundPost, 1);

	post->base_url = g_strdup (base_url);
	post->path = g_strdup (path);
	post->json = g_strdup (json);
	post->thread = g_thread_new ("background-post", background_post, post);
	return post;
}

MvtResponse *
mvt_background_post_finish (MvtBackgroundPost *post)
{
	MvtResponse *resp;

	g_thread_join (post->thread);
	resp = post->resp;
	g_free (post->base_url);
	g_free (post->path);
	g_free (post->json);
	g_free (post);
	return resp;
}
