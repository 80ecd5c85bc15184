/* The route table of resource routes and the request object handlers see. */
#define G_LOG_DOMAIN "medverse-http"

#include <medverse/mv-error.h>
#include <mv-host-private.h>
#include <string.h>

#include "mv-http-private.h"
#include "mv-locale.h"

typedef struct {
	MvHttpRoute route;
	gchar **segments; /* the pattern split on '/' */
	gpointer user_data;
} RouteEntry;

struct _MvHttpRouter {
	GPtrArray *routes; /* of RouteEntry */
	MvHttpAuthFunc auth_func;
	gpointer auth_data;
	guint64 max_body_bytes;
	guint max_response_bytes; /* atomic: read by workers, set by SIGHUP */
	gint running; /* atomic: handlers in worker threads, which use the router and services */
};

struct _MvHttpRequest {
	SoupServerMessage *msg;
	const RouteEntry *entry;
	MvHttpRouter *router;
	gchar *request_id;
	gchar *method;
	GHashTable *params;	     /* name -> value */
	GHashTable *query;	     /* name -> value */
	SoupMessageHeaders *headers; /* request headers, read-only in the worker */
	JsonNode *body;
	gchar *locale;
	gchar *token;
	MvAuthContext *auth;
	guint status;
	GPtrArray *response_headers; /* name, value, name, value… */
	gchar *response_text;	     /* the answer, serialised in the worker */
};

static void
route_entry_free (RouteEntry *entry)
{
	g_strfreev (entry->segments);
	g_free (entry);
}

MvHttpRouter *
mv_http_router_new (guint64 max_body_bytes, guint64 max_response_bytes)
{
	MvHttpRouter *router = g_new0 (MvHttpRouter, 1);
	router->routes = g_ptr_array_new_with_free_func ((GDestroyNotify)route_entry_free);
	router->max_body_bytes = max_body_bytes;
	router->max_response_bytes = (guint)MIN (max_response_bytes, G_MAXINT);
	return router;
}

GPtrArray *
mv_http_router_get_routes (MvHttpRouter *router)
{
	GPtrArray *routes = g_ptr_array_new ();
	for (guint i = 0; i < router->routes->len; i++)
		g_ptr_array_add (routes,
				 &((RouteEntry *)g_ptr_array_index (router->routes, i))->route);
	return routes;
}

void
mv_http_router_free (MvHttpRouter *router)
{
	if (router == NULL)
		return;
	g_ptr_array_unref (router->routes);
	g_free (router);
}

guint
mv_http_router_get_running (MvHttpRouter *router)
{
	return (guint)g_atomic_int_get (&router->running);
}

void
mv_http_router_set_limits (MvHttpRouter *router, guint64 max_body_bytes, guint64 max_response_bytes)
{
	router->max_body_bytes = max_body_bytes;
	g_atomic_int_set (&router->max_response_bytes, (guint)MIN (max_response_bytes, G_MAXINT));
}

void
mv_http_router_add (MvHttpRouter *router,
		    const MvHttpRoute *routes,
		    guint n_routes,
		    gpointer user_data)
{
	for (guint i = 0; i < n_routes; i++) {
		RouteEntry *entry = g_new0 (RouteEntry, 1);
		entry->route = routes[i];
		entry->segments = g_strsplit (routes[i].pattern, "/", -1);
		entry->user_data = user_data;
		g_ptr_array_add (router->routes, entry);
	}
}

void
mv_http_router_set_authenticator (MvHttpRouter *router, MvHttpAuthFunc func, gpointer user_data)
{
	router->auth_func = func;
	router->auth_data = user_data;
}

/* Matches @parts against @entry; fills @params (if given) with the placeholders.  libsoup has
 * already percent-decoded the path (and refuses "%00" itself), so a segment is used as it is:
 * decoding it again would turn "%2500" into a NUL.  A segment that is not UTF-8 ("%ff") is
 * stored as NULL: the caller refuses the request with 400. */
static gboolean
match (const RouteEntry *entry, gchar **parts, GHashTable *params)
{
	guint n = g_strv_length (entry->segments);

	if (g_strv_length (parts) != n)
		return FALSE;
	for (guint i = 0; i < n; i++) {
		const gchar *seg = entry->segments[i];
		gsize len = strlen (seg);
		if (len > 2 && seg[0] == '{' && seg[len - 1] == '}') {
			if (parts[i][0] == '\0')
				return FALSE;
			if (params != NULL)
				g_hash_table_insert (params, g_strndup (seg + 1, len - 2),
						     g_utf8_validate (parts[i], -1, NULL)
							     ? g_strdup (parts[i])
							     : NULL);
			continue;
		}
		if (strcmp (seg, parts[i]) != 0)
			return FALSE;
	}
	return TRUE;
}

static void
request_free (MvHttpRequest *request)
{
	g_object_unref (request->msg);
	g_free (request->request_id);
	g_free (request->method);
	g_hash_table_unref (request->params);
	g_clear_pointer (&request->query, g_hash_table_unref);
	g_clear_pointer (&request->headers, soup_message_headers_unref);
	g_clear_pointer (&request->body, json_node_unref);
	g_free (request->locale);
	g_free (request->response_text);
	if (request->token != NULL) {
		memset (request->token, 0, strlen (request->token));
		g_free (request->token);
	}
	mv_auth_context_free (request->auth);
	g_clear_pointer (&request->response_headers, g_ptr_array_unref);
	g_free (request);
}

/* Serialises the answer off the main loop and holds it to the response limit. */
static void
serialise_answer (GTask *task, MvHttpRequest *request, JsonNode *body)
{
	guint64 limit = (guint)g_atomic_int_get (&request->router->max_response_bytes);
	g_autofree gchar *text = mv_json_to_string (body);
	gsize len = strlen (text);

	if (len > limit) {
		g_task_return_new_error (task, MV_ERROR, MV_ERROR_RESPONSE_TOO_LARGE,
					 "the answer of %" G_GSIZE_FORMAT
					 " bytes is over the response "
					 "limit of %" G_GUINT64_FORMAT " bytes ([http] "
					 "max-response-bytes)",
					 len, limit);
		return;
	}
	request->response_text = g_steal_pointer (&text);
	g_task_return_boolean (task, TRUE);
}

static void
run_route (GTask *task, MvHttpRequest *request)
{
	const MvHttpRoute *route = &request->entry->route;
	GError *error = NULL;
	JsonNode *result;

	if (route->roles != MV_ROLE_NONE) {
		if (request->token == NULL) {
			g_task_return_new_error (task, MV_ERROR, MV_ERROR_UNAUTHORIZED,
						 "this route needs an API key: "
						 "Authorization: Bearer <key>");
			return;
		}
		if (request->router->auth_func == NULL) {
			g_task_return_new_error (task, MV_ERROR, MV_ERROR_UNAVAILABLE,
						 "authentication is not available");
			return;
		}
		request->auth = request->router->auth_func (request, request->token,
							    request->router->auth_data, &error);
		if (request->auth == NULL) {
			g_task_return_error (task, error);
			return;
		}
		if ((request->auth->role & route->roles) == 0) {
			g_task_return_new_error (task, MV_ERROR, MV_ERROR_FORBIDDEN,
						 "%s %s key may not use this route",
						 request->auth->role == MV_ROLE_OPERATOR ? "an"
											 : "a",
						 mv_role_to_string (request->auth->role));
			return;
		}
	}
	result = route->func (request, &error);
	if (result == NULL && error != NULL) {
		g_task_return_error (task, error);
		return;
	}
	if (result == NULL) {
		g_task_return_boolean (task, TRUE);
		return;
	}
	serialise_answer (task, request, result);
	json_node_unref (result);
}

static void
run_in_worker (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
	MvHttpRequest *request = task_data;
	MvHttpRouter *router = request->router;

	run_route (task, request);
	/* last touch of the router: from here on the worker uses nothing the daemon frees */
	g_atomic_int_add (&router->running, -1);
}

static void
worker_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
	MvHttpRequest *request = g_task_get_task_data (G_TASK (result));
	SoupMessageHeaders *out = soup_server_message_get_response_headers (request->msg);
	g_autoptr (GError) error = NULL;
	gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);
	guint status = request->status;

	for (guint i = 0; i + 1 < request->response_headers->len; i += 2)
		soup_message_headers_replace (out, g_ptr_array_index (request->response_headers, i),
					      g_ptr_array_index (request->response_headers, i + 1));
	if (!ok)
		mv_http_respond_error (request->msg, error);
	else if (request->response_text != NULL)
		mv_http_respond_text (request->msg, status != 0 ? status : 200,
				      g_steal_pointer (&request->response_text));
	else
		soup_server_message_set_status (request->msg, status != 0 ? status : 204, NULL);
	soup_server_message_unpause (request->msg);
}

static gchar *
bearer_token (SoupServerMessage *msg)
{
	const gchar *value = soup_message_headers_get_one (
		soup_server_message_get_request_headers (msg), "Authorization");
	if (value == NULL || g_ascii_strncasecmp (value, "Bearer ", 7) != 0)
		return NULL;
	value += 7;
	while (*value == ' ')
		value++;
	return value[0] != '\0' ? g_strdup (value) : NULL;
}

static gboolean
params_are_valid (SoupServerMessage *msg, GHashTable *params)
{
	GHashTableIter iter;
	gpointer name, value;

	g_hash_table_iter_init (&iter, params);
	while (g_hash_table_iter_next (&iter, &name, &value)) {
		g_autoptr (GError) error = NULL;
		if (value != NULL)
			continue;
		g_set_error (&error, MV_ERROR, MV_ERROR_MALFORMED,
			     "path parameter {%s} is not valid: it must be percent-encoded UTF-8 "
			     "text",
			     (const gchar *)name);
		mv_http_respond_error (msg, error);
		return FALSE;
	}
	return TRUE;
}

static gboolean
method_has_body (const gchar *method)
{
	return g_strcmp0 (method, "POST") == 0 || g_strcmp0 (method, "PUT") == 0
	       || g_strcmp0 (method, "PATCH") == 0;
}

gboolean
mv_http_router_dispatch (MvHttpRouter *router, SoupServerMessage *msg, const gchar *path)
{
	g_auto (GStrv) parts = g_strsplit (path, "/", -1);
	const gchar *method = soup_server_message_get_method (msg);
	const RouteEntry *entry = NULL;
	g_autoptr (GString) allowed = g_string_new (NULL);
	MvHttpRequest *request;
	g_autoptr (GTask) task = NULL;
	const gchar *query;

	for (guint i = 0; i < router->routes->len; i++) {
		const RouteEntry *candidate = g_ptr_array_index (router->routes, i);
		if (!match (candidate, parts, NULL))
			continue;
		if (strcmp (candidate->route.method, method) == 0
		    || (strcmp (method, "HEAD") == 0
			&& strcmp (candidate->route.method, "GET") == 0)) {
			entry = candidate;
			break;
		}
		g_string_append_printf (allowed, "%s%s", allowed->len > 0 ? ", " : "",
					candidate->route.method);
	}
	if (entry == NULL && allowed->len == 0)
		return FALSE;
	if (entry == NULL) {
		mv_http_check_method (msg, allowed->str);
		return TRUE;
	}

	request = g_new0 (MvHttpRequest, 1);
	request->msg = g_object_ref (msg);
	request->entry = entry;
	request->router = router;
	request->request_id = g_strdup (mv_http_message_get_request_id (msg));
	request->method = g_strdup (method);
	request->params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	match (entry, parts, request->params);
	if (!params_are_valid (msg, request->params)) {
		request_free (request);
		return TRUE;
	}
	request->locale = mv_locale_from_accept_language (soup_message_headers_get_one (
		soup_server_message_get_request_headers (msg), "Accept-Language"));
	query = g_uri_get_query (soup_server_message_get_uri (msg));
	if (query != NULL)
		request->query = soup_form_decode (query);
	request->headers = soup_message_headers_ref (soup_server_message_get_request_headers (msg));
	request->token = bearer_token (msg);
	request->response_headers = g_ptr_array_new_with_free_func (g_free);
	if (method_has_body (method)) {
		if (!mv_http_check_json_content_type (msg)) {
			request_free (request);
			return TRUE;
		}
		request->body = mv_http_read_json_body (msg, router->max_body_bytes);
		if (request->body == NULL) {
			request_free (request);
			return TRUE;
		}
	}
	task = g_task_new (NULL, NULL, worker_done, NULL);
	g_task_set_task_data (task, request, (GDestroyNotify)request_free);
	soup_server_message_pause (msg);
	g_atomic_int_inc (&router->running);
	g_task_run_in_thread (task, run_in_worker);
	return TRUE;
}

const gchar *
mv_http_request_get_id (MvHttpRequest *request)
{
	return request->request_id;
}

const gchar *
mv_http_request_get_method (MvHttpRequest *request)
{
	return request->method;
}

const gchar *
mv_http_request_get_param (MvHttpRequest *request, const gchar *name)
{
	return g_hash_table_lookup (request->params, name);
}

const gchar *
mv_http_request_get_query (MvHttpRequest *request, const gchar *name)
{
	return request->query != NULL ? g_hash_table_lookup (request->query, name) : NULL;
}

const gchar *
mv_http_request_get_header (MvHttpRequest *request, const gchar *name)
{
	return soup_message_headers_get_one (request->headers, name);
}

JsonObject *
mv_http_request_get_body (MvHttpRequest *request)
{
	return request->body != NULL ? json_node_get_object (request->body) : NULL;
}

const gchar *
mv_http_request_get_locale (MvHttpRequest *request)
{
	return request->locale;
}

const MvAuthContext *
mv_http_request_get_auth (MvHttpRequest *request)
{
	return request->auth;
}

gpointer
mv_http_request_get_user_data (MvHttpRequest *request)
{
	return request->entry->user_data;
}

void
mv_http_request_set_status (MvHttpRequest *request, guint status)
{
	request->status = status;
}

void
mv_http_request_set_header (MvHttpRequest *request, const gchar *name, const gchar *value)
{
	g_ptr_array_add (request->response_headers, g_strdup (name));
	g_ptr_array_add (request->response_headers, g_strdup (value));
}

const gchar *
mv_http_request_get_client_address (MvHttpRequest *request)
{
	return soup_server_message_get_remote_host (request->msg);
}
