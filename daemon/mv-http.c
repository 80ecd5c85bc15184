#define G_LOG_DOMAIN "medverse-http"

#include "config.h"

#include <libsoup/soup.h>
#include <mv-host-private.h>
#include <string.h>

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

static const struct {
	MvError code;
	guint status;
} status_table[] = {
	{ MV_ERROR_FAILED, SOUP_STATUS_INTERNAL_SERVER_ERROR },
	{ MV_ERROR_MALFORMED, SOUP_STATUS_BAD_REQUEST },
	{ MV_ERROR_INVALID_INPUT, SOUP_STATUS_UNPROCESSABLE_ENTITY },
	{ MV_ERROR_NOT_FOUND, SOUP_STATUS_NOT_FOUND },
	{ MV_ERROR_NOT_ALLOWED, SOUP_STATUS_METHOD_NOT_ALLOWED },
	{ MV_ERROR_TOO_LARGE, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE },
	{ MV_ERROR_UNSUPPORTED_MEDIA, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE },
	{ MV_ERROR_TIMED_OUT, SOUP_STATUS_GATEWAY_TIMEOUT },
	{ MV_ERROR_UNAVAILABLE, SOUP_STATUS_SERVICE_UNAVAILABLE },
	{ MV_ERROR_UNAUTHORIZED, SOUP_STATUS_UNAUTHORIZED },
	{ MV_ERROR_FORBIDDEN, SOUP_STATUS_FORBIDDEN },
	{ MV_ERROR_CONFLICT, SOUP_STATUS_CONFLICT },
	{ MV_ERROR_RATE_LIMITED, 429 /* libsoup 3.2 has no name for it */ },
	{ MV_ERROR_INTEGRITY, SOUP_STATUS_INTERNAL_SERVER_ERROR },
	{ MV_ERROR_PRECONDITION_FAILED, SOUP_STATUS_PRECONDITION_FAILED },
	{ MV_ERROR_PRECONDITION_REQUIRED, 428 /* libsoup 3.2 has no name for it */ },
	{ MV_ERROR_LENGTH_REQUIRED, SOUP_STATUS_LENGTH_REQUIRED },
};

guint
mv_http_status_for_error (const GError *error)
{
	if (error->domain != MV_ERROR)
		return SOUP_STATUS_INTERNAL_SERVER_ERROR;
	for (guint i = 0; i < G_N_ELEMENTS (status_table); i++) {
		if (status_table[i].code == (MvError)error->code)
			return status_table[i].status;
	}
	return SOUP_STATUS_INTERNAL_SERVER_ERROR;
}

void
mv_http_respond_json (SoupServerMessage *msg, guint status, JsonNode *body)
{
	g_autofree gchar *text = mv_json_to_string (body);
	SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

	soup_message_headers_replace (headers, "Cache-Control", "no-store");
	soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
	soup_server_message_set_status (msg, status, NULL);
	soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, text,
					  strlen (text));
}

/* Errors the caller may read in full; internal failures are logged and summarised, so no
 * path, SQL or plugin internals reach a client. */
void
mv_http_respond_error (SoupServerMessage *msg, const GError *error)
{
	RequestInfo *info = request_info (msg);
	const gchar *request_id = info != NULL ? info->request_id : "-";
	guint status = mv_http_status_for_error (error);
	MvError code = error->domain == MV_ERROR ? (MvError)error->code : MV_ERROR_FAILED;
	g_autofree gchar *message = NULL;
	g_autoptr(JsonBuilder) builder = json_builder_new ();
	g_autoptr(JsonNode) root = NULL;

	if (status >= 500 && code != MV_ERROR_TIMED_OUT && code != MV_ERROR_UNAVAILABLE) {
		g_warning ("[%s] %s", request_id, error->message);
		message = g_strdup_printf ("internal failure; the daemon log has the details "
					   "under request id %s",
					   request_id);
	} else {
		message = g_strdup (error->message);
	}
	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "error");
	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "code");
	json_builder_add_string_value (builder, mv_error_to_string (code));
	json_builder_set_member_name (builder, "message");
	json_builder_add_string_value (builder, message);
	json_builder_set_member_name (builder, "request_id");
	json_builder_add_string_value (builder, request_id);
	json_builder_end_object (builder);
	json_builder_end_object (builder);
	root = json_builder_get_root (builder);
	mv_http_respond_json (msg, status, root);
}

static void G_GNUC_PRINTF (3, 4)
respond_new_error (SoupServerMessage *msg, MvError code, const gchar *format, ...)
{
	va_list args;
	g_autoptr(GError) error = NULL;

	va_start (args, format);
	error = g_error_new_valist (MV_ERROR, code, format, args);
	va_end (args);
	mv_http_respond_error (msg, error);
}

static void
respond_status (SoupServerMessage *msg, guint status, const gchar *value)
{
	g_autoptr(JsonBuilder) builder = json_builder_new ();
	g_autoptr(JsonNode) root = NULL;

	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "status");
	json_builder_add_string_value (builder, value);
	json_builder_end_object (builder);
	root = json_builder_get_root (builder);
	mv_http_respond_json (msg, status, root);
}

gboolean
mv_http_check_method (SoupServerMessage *msg, const gchar *allowed)
{
	const gchar *method = soup_server_message_get_method (msg);
	g_auto(GStrv) list = g_strsplit (allowed, ", ", -1);

	if (g_strv_contains ((const gchar *const *)list, method))
		return TRUE;
	soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
				      allowed);
	respond_new_error (msg, MV_ERROR_NOT_ALLOWED, "method %s is not allowed here; use %s",
			   method, allowed);
	return FALSE;
}

static JsonNode *
args_to_json (const MvArg *args)
{
	g_autoptr(JsonBuilder) builder = json_builder_new ();

	json_builder_begin_array (builder);
	for (guint i = 0; args != NULL && args[i].name != NULL; i++) {
		json_builder_begin_object (builder);
		json_builder_set_member_name (builder, "name");
		json_builder_add_string_value (builder, args[i].name);
		json_builder_set_member_name (builder, "type");
		json_builder_add_string_value (builder, args[i].type);
		json_builder_set_member_name (builder, "description");
		json_builder_add_string_value (builder, args[i].description ? args[i].description : "");
		json_builder_set_member_name (builder, "optional");
		json_builder_add_boolean_value (builder, (args[i].flags & MV_ARG_OPTIONAL) != 0);
		json_builder_end_object (builder);
	}
	json_builder_end_array (builder);
	return json_builder_get_root (builder);
}

static void
handle_list_plugins (MvHttp *self, SoupServerMessage *msg)
{
	g_autoptr(GPtrArray) infos = mv_engine_get_plugins (self->engine);
	g_autoptr(JsonBuilder) builder = json_builder_new ();
	g_autoptr(JsonNode) root = NULL;

	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "plugins");
	json_builder_begin_array (builder);
	for (guint i = 0; i < infos->len; i++) {
		const MvPluginInfo *info = g_ptr_array_index (infos, i);
		json_builder_begin_object (builder);
		json_builder_set_member_name (builder, "name");
		json_builder_add_string_value (builder, info->name);
		json_builder_set_member_name (builder, "version");
		json_builder_add_string_value (builder, info->version);
		json_builder_set_member_name (builder, "description");
		json_builder_add_string_value (builder, info->description);
		json_builder_set_member_name (builder, "methods");
		json_builder_begin_array (builder);
		for (guint j = 0; info->methods[j].name != NULL; j++) {
			const MvMethod *m = &info->methods[j];
			json_builder_begin_object (builder);
			json_builder_set_member_name (builder, "name");
			json_builder_add_string_value (builder, m->name);
			json_builder_set_member_name (builder, "description");
			json_builder_add_string_value (builder, m->description ? m->description : "");
			json_builder_set_member_name (builder, "input");
			json_builder_add_value (builder, args_to_json (m->in_args));
			json_builder_set_member_name (builder, "output");
			json_builder_add_value (builder, args_to_json (m->out_args));
			json_builder_end_object (builder);
		}
		json_builder_end_array (builder);
		json_builder_end_object (builder);
	}
	json_builder_end_array (builder);
	json_builder_end_object (builder);
	root = json_builder_get_root (builder);
	mv_http_respond_json (msg, SOUP_STATUS_OK, root);
}

typedef struct {
	MvHttp *http;
	SoupServerMessage *msg;
	const MvArg *out_args;
} PendingCall;

static void
plugin_call_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
	PendingCall *pending = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) output = mv_engine_call_finish (MV_ENGINE (source), result, &error);
	g_autoptr(JsonNode) body = NULL;

	if (output != NULL)
		body = mv_value_to_json_args (pending->out_args, output, &error);
	if (body != NULL)
		mv_http_respond_json (pending->msg, SOUP_STATUS_OK, body);
	else
		mv_http_respond_error (pending->msg, error);
	soup_server_message_unpause (pending->msg);
	g_object_unref (pending->msg);
	g_free (pending);
}

gboolean
mv_http_check_json_content_type (SoupServerMessage *msg)
{
	SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
	g_autoptr(GHashTable) params = NULL;
	const gchar *type = soup_message_headers_get_content_type (headers, &params);
	const gchar *charset = params != NULL ? g_hash_table_lookup (params, "charset") : NULL;

	if (type == NULL || g_ascii_strcasecmp (type, "application/json") != 0) {
		respond_new_error (msg, MV_ERROR_UNSUPPORTED_MEDIA,
				   "content type must be application/json, got %s",
				   type != NULL ? type : "none");
		return FALSE;
	}
	if (charset != NULL && g_ascii_strcasecmp (charset, "utf-8") != 0) {
		respond_new_error (msg, MV_ERROR_UNSUPPORTED_MEDIA,
				   "charset must be utf-8, got %s", charset);
		return FALSE;
	}
	return TRUE;
}

JsonNode *
mv_http_read_json_body (SoupServerMessage *msg, guint64 max_body_bytes)
{
	g_autoptr(GBytes) bytes = soup_message_body_flatten (soup_server_message_get_request_body (msg));
	g_autoptr(GError) error = NULL;
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
handle_plugin_call (MvHttp *self, SoupServerMessage *msg, const gchar *plugin, const gchar *method_name)
{
	g_autoptr(GError) error = NULL;
	const MvMethod *method = mv_engine_find_method (self->engine, plugin, method_name, &error);
	g_autoptr(JsonNode) root = NULL;
	g_autoptr(GVariant) input = NULL;
	PendingCall *pending;

	if (method == NULL) {
		mv_http_respond_error (msg, error);
		return;
	}
	if (!mv_http_check_method (msg, "POST") || !mv_http_check_json_content_type (msg))
		return;
	root = mv_http_read_json_body (msg, self->max_body_bytes);
	if (root == NULL)
		return;
	input = mv_value_from_json_args (method->in_args, json_node_get_object (root), &error);
	if (input == NULL) {
		mv_http_respond_error (msg, error);
		return;
	}
	pending = g_new0 (PendingCall, 1);
	pending->http = self;
	pending->msg = g_object_ref (msg);
	pending->out_args = method->out_args;
	soup_server_message_pause (msg);
	mv_engine_call_async (self->engine, plugin, method_name, g_steal_pointer (&input),
			      request_info (msg)->request_id, plugin_call_done, pending);
}

static void
readyz_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
	SoupServerMessage *msg = user_data;
	g_autoptr(GError) error = NULL;

	if (mv_engine_check_ready_finish (MV_ENGINE (source), result, &error)) {
		respond_status (msg, SOUP_STATUS_OK, "ready");
	} else {
		/* the reason names sockets and servers: it goes to the log, not to the prober */
		g_warning ("[%s] not ready: %s", mv_http_message_get_request_id (msg), error->message);
		respond_new_error (msg, MV_ERROR_UNAVAILABLE,
				   "not ready: the database is unreachable or its migrations are "
				   "not applied");
	}
	soup_server_message_unpause (msg);
	g_object_unref (msg);
}

static void
route (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer user_data)
{
	MvHttp *self = user_data;
	g_auto(GStrv) parts = NULL;

	if (!self->accepting) {
		soup_message_headers_replace (soup_server_message_get_response_headers (msg),
					      "Connection", "close");
		respond_new_error (msg, MV_ERROR_UNAVAILABLE, "the daemon is shutting down");
		return;
	}
	if (g_strcmp0 (path, "/healthz") == 0) {
		if (mv_http_check_method (msg, "GET, HEAD"))
			respond_status (msg, SOUP_STATUS_OK, "ok");
		return;
	}
	if (g_strcmp0 (path, "/readyz") == 0) {
		if (!mv_http_check_method (msg, "GET, HEAD"))
			return;
		soup_server_message_pause (msg);
		mv_engine_check_ready_async (self->engine, readyz_done, g_object_ref (msg));
		return;
	}
	if (g_strcmp0 (path, "/v1/plugins") == 0) {
		if (mv_http_check_method (msg, "GET, HEAD"))
			handle_list_plugins (self, msg);
		return;
	}
	if (g_strcmp0 (path, "/v1/nlp/symptoms") == 0) {
		/* a stable route for the most common call, so integrators need not know plugin
		 * names */
		handle_plugin_call (self, msg, "symptom-parser", "Parse");
		return;
	}
	parts = g_strsplit (path, "/", -1);
	/* "", "v1", "plugins", NAME, METHOD */
	if (g_strv_length (parts) == 5 && g_strcmp0 (parts[1], "v1") == 0 &&
	    g_strcmp0 (parts[2], "plugins") == 0 && parts[3][0] != '\0' && parts[4][0] != '\0') {
		handle_plugin_call (self, msg, parts[3], parts[4]);
		return;
	}
	if (mv_http_router_dispatch (self->router, msg, path))
		return;
	respond_new_error (msg, MV_ERROR_NOT_FOUND, "no route for %s", path);
}

static void
note_request (SoupServerMessage *msg)
{
	RequestInfo *info = request_info (msg);
	const gchar *client_id = soup_message_headers_get_one (
		soup_server_message_get_request_headers (msg), "X-Request-Id");

	if (info == NULL)
		return;
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
early_check (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer user_data)
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
	if (encoding == SOUP_ENCODING_CONTENT_LENGTH &&
	    (guint64)soup_message_headers_get_content_length (headers) > self->max_body_bytes) {
		soup_message_headers_replace (soup_server_message_get_response_headers (msg),
					      "Connection", "close");
		respond_new_error (msg, MV_ERROR_TOO_LARGE,
				   "body of %" G_GINT64_FORMAT " bytes is over the limit of %" G_GUINT64_FORMAT " bytes",
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
	/* a client that went away is not a server error: logged as "aborted", as nginx's 499 */
	status = aborted ? g_strdup ("aborted")
			 : g_strdup_printf ("%u", soup_server_message_get_status (msg));
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
	self->router = mv_http_router_new (config->max_body_bytes);
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
	g_autoptr(GInetAddress) address = NULL;
	g_autoptr(GSocketAddress) socket_address = NULL;
	g_autoslist(GUri) uris = NULL;

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
		g_message ("HTTP body limit now %" G_GUINT64_FORMAT " bytes", config->max_body_bytes);
	self->max_body_bytes = config->max_body_bytes;
	mv_http_router_set_max_body_bytes (self->router, config->max_body_bytes);
	if (g_strcmp0 (self->listen, config->http_listen) != 0)
		g_message ("[http] listen changed; it takes effect after a restart");
}

void
mv_http_add_routes (MvHttp *self, const MvHttpRoute *routes, guint n_routes, gpointer user_data)
{
	mv_http_router_add (self->router, routes, n_routes, user_data);
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
