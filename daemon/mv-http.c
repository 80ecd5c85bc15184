#define G_LOG_DOMAIN "medverse-http"

#include "config.h"

#include <libsoup/soup.h>
#include <mv-host-private.h>
#include <string.h>

#include "mv-error-table.h"
#include "mv-http-private.h"
#include "mv-http.h"
#include "mv-request-id.h"

struct _MvHttp {
	MvEngine *engine;
	SoupServer *server;
	gchar *listen;
	gchar *url;
	guint64 max_body_bytes;
	gboolean accepting;
	guint active;
	MvHttpRouter *router;
};

/* What we remember about one request, attached to its SoupServerMessage. */
typedef struct {
	MvHttp *http;
	gchar *request_id;
	gint64 started_us;
	gchar *method;
	gchar *path;
	gboolean counted; /* headers were read: the request is in flight */
	gboolean written; /* the whole answer went to the socket */
} RequestInfo;

static void
request_info_free (RequestInfo *info)
{
	g_free (info->request_id);
	g_free (info->method);
	g_free (info->path);
	g_free (info);
}

static RequestInfo *
request_info (SoupServerMessage *msg)
{
	return g_object_get_data (G_OBJECT (msg), "mv-request");
}

void
mv_http_respond_text (SoupServerMessage *msg, guint status, gchar *json_text)
{
	SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

	soup_message_headers_replace (headers, "Cache-Control", "no-store");
	soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
	soup_server_message_set_status (msg, status, NULL);
	soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, json_text,
					  strlen (json_text));
}

void
mv_http_respond_json (SoupServerMessage *msg, guint status, JsonNode *body)
{
	mv_http_respond_text (msg, status, mv_json_to_string (body));
}

/* Every error answer: status, reason phrase, Retry-After and what the caller may read all come
 * from the one error table. */
void
mv_http_respond_error (SoupServerMessage *msg, const GError *error)
{
	RequestInfo *info = request_info (msg);
	const gchar *request_id = info != NULL ? info->request_id : "-";
	const MvErrorRow *row = mv_error_table_lookup (error);
	SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
	g_autofree gchar *message = mv_error_table_client_message (error, request_id);
	g_autoptr (JsonBuilder) builder = json_builder_new ();
	g_autoptr (JsonNode) root = NULL;

	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "error");
	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "code");
	json_builder_add_string_value (builder, mv_error_to_string (row->code));
	json_builder_set_member_name (builder, "message");
	json_builder_add_string_value (builder, message);
	json_builder_set_member_name (builder, "request_id");
	json_builder_add_string_value (builder, request_id);
	json_builder_end_object (builder);
	json_builder_end_object (builder);
	root = json_builder_get_root (builder);
	mv_http_respond_json (msg, row->http_status, root);
	soup_server_message_set_status (msg, row->http_status, row->reason);
	if (row->retry_after_s > 0
	    && soup_message_headers_get_one (headers, "Retry-After") == NULL) {
		g_autofree gchar *seconds = g_strdup_printf ("%u", row->retry_after_s);
		soup_message_headers_replace (headers, "Retry-After", seconds);
	}
}

static void G_GNUC_PRINTF (3, 4)
	respond_new_error (SoupServerMessage *msg, MvError code, const gchar *format, ...)
{
	va_list args;
	g_autoptr (GError) error = NULL;

	va_start (args, format);
	error = g_error_new_valist (MV_ERROR, code, format, args);
	va_end (args);
	mv_http_respond_error (msg, error);
}

/* {"status": @value} and, when @busy names plugins whose workers are all busy, "busy_plugins" */
static void
respond_status (SoupServerMessage *msg, guint status, const gchar *value, gchar **busy)
{
	g_autoptr (JsonBuilder) builder = json_builder_new ();
	g_autoptr (JsonNode) root = NULL;

	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "status");
	json_builder_add_string_value (builder, value);
	if (busy != NULL) {
		json_builder_set_member_name (builder, "busy_plugins");
		json_builder_begin_array (builder);
		for (guint i = 0; busy[i] != NULL; i++)
			json_builder_add_string_value (builder, busy[i]);
		json_builder_end_array (builder);
	}
	json_builder_end_object (builder);
	root = json_builder_get_root (builder);
	mv_http_respond_json (msg, status, root);
}

gboolean
mv_http_check_method (SoupServerMessage *msg, const gchar *allowed)
{
	const gchar *method = soup_server_message_get_method (msg);
	g_auto (GStrv) list = g_strsplit (allowed, ", ", -1);

	if (g_strv_contains ((const gchar *const *)list, method))
		return TRUE;
	soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
				      allowed);
	respond_new_error (msg, MV_ERROR_NOT_ALLOWED, "method %s is not allowed here; use %s",
			   method, allowed);
	return FALSE;
}

gboolean
mv_http_check_json_content_type (SoupServerMessage *msg)
{
	SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
	g_autoptr (GHashTable) params = NULL;
	const gchar *type = soup_message_headers_get_content_type (headers, &params);
	const gchar *charset = params != NULL ? g_hash_table_lookup (params, "charset") : NULL;

	if (type == NULL || g_ascii_strcasecmp (type, "application/json") != 0) {
		respond_new_error (msg, MV_ERROR_UNSUPPORTED_MEDIA,
				   "content type must be application/json, got %s",
				   type != NULL ? type : "none");
		return FALSE;
	}
	if (charset != NULL && g_ascii_strcasecmp (charset, "utf-8") != 0) {
		respond_new_error (msg, MV_ERROR_UNSUPPORTED_MEDIA, "charset must be utf-8, got %s",
				   charset);
		return FALSE;
	}
	return TRUE;
}

JsonNode *
mv_http_read_json_body (SoupServerMessage *msg, guint64 max_body_bytes)
{
	g_autoptr (GBytes) bytes
		= soup_message_body_flatten (soup_server_message_get_request_body (msg));
	g_autoptr (GError) error = NULL;
	JsonNode *root;

	/* the early handler refused a declared oversize body; this catches the rest */
	if (g_bytes_get_size (bytes) > max_body_bytes) {
		respond_new_error (msg, MV_ERROR_TOO_LARGE,
				   "body is over the limit of %" G_GUINT64_FORMAT " bytes",
				   max_body_bytes);
		return NULL;
	}
	if (g_bytes_get_size (bytes) == 0) {
		respond_new_error (msg, MV_ERROR_MALFORMED, "empty body; send a JSON object");
		return NULL;
	}
	root = mv_value_parse_json_object (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
					   &error);
	if (root == NULL)
		mv_http_respond_error (msg, error);
	return root;
}

const gchar *
mv_http_message_get_request_id (SoupServerMessage *msg)
{
	RequestInfo *info = request_info (msg);
	return info != NULL ? info->request_id : "-";
}

static void
readyz_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
	SoupServerMessage *msg = user_data;
	g_autoptr (GError) error = NULL;

	g_auto (GStrv) busy = NULL;

	/* a plugin whose workers are all busy is reported, not made a reason to take the whole
	 * daemon out of a load balancer: every other route and plugin still answers, and every
	 * instance would run the same slow plugin */
	if (mv_engine_check_ready_finish (MV_ENGINE (source), result, &error)) {
		busy = mv_engine_list_busy_plugins (MV_ENGINE (source));
		respond_status (msg, SOUP_STATUS_OK, busy == NULL ? "ready" : "ready-busy", busy);
	} else {
		/* the reason is for the operator: it goes to the log, not to the prober */
		g_warning ("[%s] not ready: %s", mv_http_message_get_request_id (msg),
			   error->message);
		respond_new_error (msg, MV_ERROR_UNAVAILABLE,
				   "not ready: the database is unreachable or its migrations are "
				   "not applied");
	}
	soup_server_message_unpause (msg);
	g_object_unref (msg);
}

static void
route (SoupServer *server,
       SoupServerMessage *msg,
       const char *path,
       GHashTable *query,
       gpointer user_data)
{
	MvHttp *self = user_data;

	if (!self->accepting) {
		soup_message_headers_replace (soup_server_message_get_response_headers (msg),
					      "Connection", "close");
		respond_new_error (msg, MV_ERROR_UNAVAILABLE, "the daemon is shutting down");
		return;
	}
	if (g_strcmp0 (path, "/healthz") == 0) {
		if (mv_http_check_method (msg, "GET, HEAD"))
			respond_status (msg, SOUP_STATUS_OK, "ok", NULL);
		return;
	}
	if (g_strcmp0 (path, "/readyz") == 0) {
		if (!mv_http_check_method (msg, "GET, HEAD"))
			return;
		soup_server_message_pause (msg);
		mv_engine_check_ready_async (self->engine, readyz_done, g_object_ref (msg));
		return;
	}
	if (mv_http_router_dispatch (self->router, msg, path))
		return;
	respond_new_error (msg, MV_ERROR_NOT_FOUND, "no route for %s", path);
}

static void
note_written (SoupServerMessage *msg, gpointer user_data)
{
	RequestInfo *info = user_data;
	info->written = TRUE;
}

static void
note_request (SoupServerMessage *msg)
{
	RequestInfo *info = request_info (msg);
	const gchar *client_id = soup_message_headers_get_one (
		soup_server_message_get_request_headers (msg), "X-Request-Id");

	if (info == NULL)
		return;
	g_signal_connect (msg, "wrote-body", G_CALLBACK (note_written), info);
	/* counted from here, not from request-started: libsoup starts a message as soon as a
	 * connection is idle, and an idle keep-alive connection is not a request in flight */
	if (!info->counted) {
		info->counted = TRUE;
		info->http->active++;
	}
	if (mv_request_id_is_valid (client_id)) {
		g_free (info->request_id);
		info->request_id = g_strdup (client_id);
	}
	info->method = g_strdup (soup_server_message_get_method (msg));
	/* the path only: a query string may carry identifiers that must not reach a log */
	info->path = g_strdup (g_uri_get_path (soup_server_message_get_uri (msg)));
	soup_message_headers_replace (soup_server_message_get_response_headers (msg),
				      "X-Request-Id", info->request_id);
}

/* Runs when the headers are read, before the body: an oversize body is refused without
 * reading it, which is what makes a large upload cost nothing. */
static void
early_check (SoupServer *server,
	     SoupServerMessage *msg,
	     const char *path,
	     GHashTable *query,
	     gpointer user_data)
{
	MvHttp *self = user_data;
	SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
	SoupEncoding encoding = soup_message_headers_get_encoding (headers);

	note_request (msg);
	/* without a length the size limit could only be enforced after reading the body */
	if (encoding == SOUP_ENCODING_CHUNKED) {
		respond_new_error (msg, MV_ERROR_LENGTH_REQUIRED,
				   "chunked request bodies are not accepted; send Content-Length");
		return;
	}
	if (encoding == SOUP_ENCODING_CONTENT_LENGTH
	    && (guint64)soup_message_headers_get_content_length (headers) > self->max_body_bytes) {
		soup_message_headers_replace (soup_server_message_get_response_headers (msg),
					      "Connection", "close");
		respond_new_error (msg, MV_ERROR_TOO_LARGE,
				   "body of %" G_GINT64_FORMAT
				   " bytes is over the limit of %" G_GUINT64_FORMAT " bytes",
				   soup_message_headers_get_content_length (headers),
				   self->max_body_bytes);
	}
}

static void
request_started (SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
	MvHttp *self = user_data;
	RequestInfo *info = g_new0 (RequestInfo, 1);

	info->http = self;
	info->started_us = g_get_monotonic_time ();
	/* the client's id is kept when it is safe to log; otherwise a fresh one */
	info->request_id = mv_request_id_new ();
	g_object_set_data_full (G_OBJECT (msg), "mv-request", info,
				(GDestroyNotify)request_info_free);
}

static void
log_request (MvHttp *self, SoupServerMessage *msg, gboolean aborted)
{
	RequestInfo *info = request_info (msg);
	g_autofree gchar *status = NULL;

	if (info == NULL)
		return;
	if (info->counted && self->active > 0)
		self->active--;
	if (!info->counted) {
		/* a connection that closed without sending a request: nothing to log */
		g_object_set_data (G_OBJECT (msg), "mv-request", NULL);
		return;
	}
	/* a client that went away before its answer was written is not a server error: logged as
	 * "aborted", as nginx's 499.  libsoup signals every 500 as aborted too, even one it wrote
	 * in full: what counts is whether the answer reached the socket. */
	if (aborted && !info->written)
		status = g_strdup ("aborted");
	else
		status = g_strdup_printf ("%u", soup_server_message_get_status (msg));
	g_message ("http: %s %s %s %s %" G_GINT64_FORMAT "ms", info->request_id,
		   info->method != NULL ? info->method : soup_server_message_get_method (msg),
		   info->path != NULL ? info->path : "-", status,
		   (g_get_monotonic_time () - info->started_us) / 1000);
	/* detach so a second signal (finished after aborted) cannot count twice */
	g_object_set_data (G_OBJECT (msg), "mv-request", NULL);
}

static void
request_finished (SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
	log_request (user_data, msg, FALSE);
}

static void
request_aborted (SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
	log_request (user_data, msg, TRUE);
}

MvHttp *
mv_http_new (MvEngine *engine, const MvConfig *config)
{
	MvHttp *self = g_new0 (MvHttp, 1);

	self->engine = g_object_ref (engine);
	self->listen = g_strdup (config->http_listen);
	self->max_body_bytes = config->max_body_bytes;
	self->accepting = TRUE;
	self->router = mv_http_router_new (config->max_body_bytes, config->max_response_bytes);
	self->server = soup_server_new ("server-header", "medversed/" MV_VERSION " ", NULL);
	soup_server_add_early_handler (self->server, NULL, early_check, self, NULL);
	soup_server_add_handler (self->server, NULL, route, self, NULL);
	g_signal_connect (self->server, "request-started", G_CALLBACK (request_started), self);
	g_signal_connect (self->server, "request-finished", G_CALLBACK (request_finished), self);
	g_signal_connect (self->server, "request-aborted", G_CALLBACK (request_aborted), self);
	return self;
}

gboolean
mv_http_start (MvHttp *self, GError **error)
{
	const gchar *colon = strrchr (self->listen, ':');
	g_autofree gchar *host = g_strndup (self->listen, colon - self->listen);
	guint64 port = g_ascii_strtoull (colon + 1, NULL, 10);
	g_autoptr (GInetAddress) address = NULL;
	g_autoptr (GSocketAddress) socket_address = NULL;
	g_autoslist (GUri) uris = NULL;

	/* accept [::1]:8080 as well as 127.0.0.1:8080 */
	if (host[0] == '[' && host[strlen (host) - 1] == ']') {
		gchar *inner = g_strndup (host + 1, strlen (host) - 2);
		g_free (host);
		host = inner;
	}
	address = g_inet_address_new_from_string (host);
	if (address == NULL) {
		g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
			     "[http] listen: '%s' is not a numeric IP address", host);
		return FALSE;
	}
	socket_address = g_inet_socket_address_new (address, (guint16)port);
	if (!soup_server_listen (self->server, socket_address, 0, error)) {
		g_prefix_error (error, "cannot listen on %s: ", self->listen);
		return FALSE;
	}
	uris = soup_server_get_uris (self->server);
	if (uris != NULL) {
		GUri *uri = uris->data;
		const gchar *uri_host = g_uri_get_host (uri);
		gboolean v6 = strchr (uri_host, ':') != NULL;
		self->url = g_strdup_printf ("http://%s%s%s:%d", v6 ? "[" : "", uri_host,
					     v6 ? "]" : "", g_uri_get_port (uri));
	}
	g_message ("listening on %s", self->url);
	return TRUE;
}

const gchar *
mv_http_get_url (MvHttp *self)
{
	return self->url;
}

void
mv_http_stop_accepting (MvHttp *self)
{
	self->accepting = FALSE;
}

guint
mv_http_get_active (MvHttp *self)
{
	return self->active;
}

guint
mv_http_get_running_workers (MvHttp *self)
{
	return mv_http_router_get_running (self->router);
}

void
mv_http_close (MvHttp *self)
{
	self->accepting = FALSE;
	soup_server_disconnect (self->server);
}

void
mv_http_reconfigure (MvHttp *self, const MvConfig *config)
{
	if (self->max_body_bytes != config->max_body_bytes)
		g_message ("HTTP body limit now %" G_GUINT64_FORMAT " bytes",
			   config->max_body_bytes);
	self->max_body_bytes = config->max_body_bytes;
	mv_http_router_set_limits (self->router, config->max_body_bytes,
				   config->max_response_bytes);
	if (g_strcmp0 (self->listen, config->http_listen) != 0)
		g_message ("[http] listen changed; it takes effect after a restart");
}

void
mv_http_add_routes (MvHttp *self, const MvHttpRoute *routes, guint n_routes, gpointer user_data)
{
	mv_http_router_add (self->router, routes, n_routes, user_data);
}

GPtrArray *
mv_http_get_routes (MvHttp *self)
{
	return mv_http_router_get_routes (self->router);
}

void
mv_http_set_authenticator (MvHttp *self, MvHttpAuthFunc func, gpointer user_data)
{
	mv_http_router_set_authenticator (self->router, func, user_data);
}

void
mv_http_free (MvHttp *self)
{
	if (self == NULL)
		return;
	soup_server_disconnect (self->server);
	g_object_unref (self->server);
	mv_http_router_free (self->router);
	g_object_unref (self->engine);
	g_free (self->listen);
	g_free (self->url);
	g_free (self);
}
