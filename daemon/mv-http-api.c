/* The route table of resource routes and the request object handlers see. */
#define G_LOG_DOMAIN "medverse-http"

#include <medverse/mv-error.h>
#include <mv-host-private.h>
#include <string.h>

#include "idempotency/mv-idempotency.h"
#include "mv-error-table.h"
#include "mv-http-exchange.h"
#include "mv-http-private.h"
#include "mv-locale.h"

typedef struct {
	MvHttpRoute route;
	gchar **segments; /* the pattern split on '/' */
	gpointer user_data;
} RouteEntry;

struct _MvHttpRouter {
	GPtrArray *routes; /* of RouteEntry */
	GThreadPool *workers;
	MvHttpAuthFunc auth_func;
	gpointer auth_data;
	guint64 max_body_bytes;
	guint max_response_bytes; /* atomic: read by workers, set by SIGHUP */
	gint running; /* atomic: handlers in worker threads, which use the router and services */
	MvIdempotency *idempotency;	  /* owned; NULL: Idempotency-Key is ignored */
	GThreadPool *idempotency_keepers; /* answers of the main loop's thread, kept off it */
};

struct _MvHttpRequest {
	MvHttpExchange *ex;
	const RouteEntry *entry;
	MvHttpRouter *router;
	gchar *request_id;
	gchar *method;
	GHashTable *params;  /* name -> value */
	GHashTable *query;   /* name -> value */
	GHashTable *headers; /* lower-case name -> value, read-only in the worker */
	JsonNode *body;
	gchar *locale;
	gchar *token;
	MvAuthContext *auth;
	guint status;
	GPtrArray *response_headers; /* name, value, name, value… */
	gchar *response_text;	     /* the answer, serialised in the worker */
	gboolean deferred;	     /* answered later by mv_http_request_finish() */
	gint ref_count;		     /* the worker's, and a deferred answer's */

	MvIdempotencyClaim *idempotency; /* this request holds its Idempotency-Key */
	gchar *client_address;		 /* a local request's (no exchange) */
};

/* A path segment that is not valid percent-encoded UTF-8 text (or decodes to a NUL) */
static const gchar invalid_segment[] = "";

static void run_in_worker (gpointer data, gpointer user_data);

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
	/* handlers block on the database: more threads than CPUs, bounded */
	router->workers = g_thread_pool_new (run_in_worker, router, 64, FALSE, NULL);
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
	g_thread_pool_free (router->workers, FALSE, TRUE);
	g_ptr_array_unref (router->routes);
	/* waits for the answers still being kept: they use the store */
	if (router->idempotency_keepers != NULL)
		g_thread_pool_free (router->idempotency_keepers, FALSE, TRUE);
	mv_idempotency_free (router->idempotency);
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

/* Matches the decoded path segments @parts against @entry; fills @params (if given) with the
 * placeholders.  A segment that is not valid text (invalid_segment) matches no literal and is
 * stored as a NULL parameter: the caller refuses the request with 400. */
static gboolean
match (const RouteEntry *entry, GPtrArray *parts, GHashTable *params)
{
	guint n = g_strv_length (entry->segments);

	if (parts->len != n)
		return FALSE;
	for (guint i = 0; i < n; i++) {
		const gchar *seg = entry->segments[i];
		const gchar *part = g_ptr_array_index (parts, i);
		gsize len = strlen (seg);
		if (len > 2 && seg[0] == '{' && seg[len - 1] == '}') {
			if (part != invalid_segment && part[0] == '\0')
				return FALSE;
			if (params != NULL)
				g_hash_table_insert (params, g_strndup (seg + 1, len - 2),
						     part != invalid_segment ? g_strdup (part)
									     : NULL);
			continue;
		}
		if (part == invalid_segment || strcmp (seg, part) != 0)
			return FALSE;
	}
	return TRUE;
}

/* The path split on '/' and each segment percent-decoded once ("%2500" stays "%00" text). */
static GPtrArray *
decode_path (const gchar *raw_path)
{
	g_auto (GStrv) raw = g_strsplit (raw_path, "/", -1);
	GPtrArray *parts = g_ptr_array_new_with_free_func (NULL);

	for (guint i = 0; raw[i] != NULL; i++) {
		gchar *decoded = g_uri_unescape_segment (raw[i], NULL, NULL);
		if (decoded == NULL || !g_utf8_validate (decoded, -1, NULL)) {
			g_free (decoded);
			g_ptr_array_add (parts, (gpointer)invalid_segment);
			continue;
		}
		g_ptr_array_add (parts, decoded);
	}
	return parts;
}

static void
parts_free (GPtrArray *parts)
{
	for (guint i = 0; i < parts->len; i++)
		if (g_ptr_array_index (parts, i) != invalid_segment)
			g_free (g_ptr_array_index (parts, i));
	g_ptr_array_unref (parts);
}

typedef GPtrArray PathParts;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PathParts, parts_free)

static void
request_free (MvHttpRequest *request)
{
	g_free (request->request_id);
	g_free (request->method);
	g_hash_table_unref (request->params);
	g_clear_pointer (&request->query, g_hash_table_unref);
	g_clear_pointer (&request->headers, g_hash_table_unref);
	g_clear_pointer (&request->body, json_node_unref);
	g_free (request->locale);
	g_free (request->client_address);
	g_free (request->response_text);
	if (request->token != NULL) {
		memset (request->token, 0, strlen (request->token));
		g_free (request->token);
	}
	mv_auth_context_free (request->auth);
	mv_idempotency_claim_free (request->idempotency);
	g_clear_pointer (&request->response_headers, g_ptr_array_unref);
	g_free (request);
}

/* Serialises the answer in the worker and holds it to the response limit. */
static gboolean
serialise_answer (MvHttpRequest *request, JsonNode *body, GError **error)
{
	guint64 limit = (guint)g_atomic_int_get (&request->router->max_response_bytes);
	g_autofree gchar *text = mv_json_to_string (body);
	gsize len = strlen (text);

	if (len > limit) {
		mv_set_error_bilingual_printf (
			error, MV_ERROR_RESPONSE_TOO_LARGE,
			"the answer of %" G_GSIZE_FORMAT " bytes is over the response limit of "
			"%" G_GUINT64_FORMAT " bytes ([http] max-response-bytes)",
			"应答为 %" G_GSIZE_FORMAT " 字节，超过了 %" G_GUINT64_FORMAT
			" 字节的响应上限（[http] max-response-bytes）",
			len, limit);
		return FALSE;
	}
	request->response_text = g_steal_pointer (&text);
	return TRUE;
}

static gboolean
authenticate (MvHttpRequest *request, MvHttpAuthFunc auth_func, gpointer auth_data, GError **error)
{
	const MvHttpRoute *route = &request->entry->route;
	g_autoptr (GError) invalid = NULL;

	if (route->roles == MV_ROLE_NONE)
		return TRUE;
	if (request->token == NULL) {
		mv_set_error_bilingual (error, MV_ERROR_UNAUTHORIZED,
					"this route needs an API key: Authorization: Bearer <key>",
					"此路由需要 API 密钥：Authorization: Bearer <密钥>");
		return FALSE;
	}
	if (auth_func == NULL) {
		mv_set_error_bilingual (error, MV_ERROR_UNAVAILABLE,
					"authentication is not available", "身份验证暂不可用");
		return FALSE;
	}
	request->auth = auth_func (request, request->token, auth_data, &invalid);
	if (request->auth == NULL && request->ex == NULL
	    && g_error_matches (invalid, MV_ERROR, MV_ERROR_UNAUTHORIZED)) {
		/* the key checker's advice is HTTP's (a header); a D-Bus caller passes an argument
		 */
		mv_set_error_bilingual (
			error, MV_ERROR_UNAUTHORIZED,
			"the key is not valid (pass the patient's key as the first argument)",
			"密钥无效（请将患者的密钥作为第一个参数传递）");
		return FALSE;
	}
	if (request->auth == NULL) {
		g_propagate_error (error, g_steal_pointer (&invalid));
		return FALSE;
	}
	if ((request->auth->role & route->roles) == 0) {
		/* a D-Bus caller calls a method: name what it called, not the route behind it */
		gboolean method = request->ex == NULL;
		gboolean an = request->auth->role == MV_ROLE_OPERATOR;

		mv_set_error_bilingual_printf (error, MV_ERROR_FORBIDDEN,
					       method ? (an ? "an %s key may not use this method"
							    : "a %s key may not use this method")
						      : (an ? "an %s key may not use this route"
							    : "a %s key may not use this route"),
					       method ? "%s 角色的密钥无权使用此方法"
						      : "%s 角色的密钥无权使用此路由",
					       mv_role_to_string (request->auth->role));
		return FALSE;
	}
	return TRUE;
}

/* ---- Idempotency-Key (daemon/idempotency/): every POST route, plugin routes included ---- */

typedef struct {
	MvIdempotency *store;
	MvIdempotencyClaim *claim;
	MvIdempotencyAnswer *answer;
	gchar *request_id;
} KeptAnswer;

static void
keep_answer (gpointer data, gpointer user_data)
{
	KeptAnswer *kept = data;
	g_autoptr (GError) error = NULL;

	if (!mv_idempotency_complete (kept->store, kept->claim, kept->answer, &error))
		g_warning ("[%s] keeping the answer for its Idempotency-Key failed: %s",
			   kept->request_id, error->message);
	mv_idempotency_claim_free (kept->claim);
	mv_idempotency_answer_free (kept->answer);
	g_free (kept->request_id);
	g_free (kept);
}

void
mv_http_router_set_idempotency (MvHttpRouter *router, MvIdempotency *idempotency)
{
	mv_idempotency_free (router->idempotency);
	router->idempotency = idempotency;
	if (router->idempotency_keepers == NULL)
		router->idempotency_keepers = g_thread_pool_new (keep_answer, NULL, 2, FALSE, NULL);
}

/* Before the handler, once the caller is known (the key's scope): claims the key, or puts the
 * first answer in place of the handler's (*replayed).  FALSE with @error: 400 for a bad key,
 * 422 for a key used for another request, 409 while the first still runs. */
static gboolean
idempotency_begin (MvHttpRequest *request, gboolean *replayed, GError **error)
{
	const gchar *key = g_hash_table_lookup (request->headers, "idempotency-key");
	g_autoptr (MvIdempotencyAnswer) replay = NULL;
	g_autofree gchar *body = NULL;
	const gchar *query = mv_http_exchange_get_raw_query (request->ex);
	g_autofree gchar *target = g_strconcat (mv_http_exchange_get_raw_path (request->ex),
						query != NULL ? "?" : "", query, NULL);
	MvIdempotencyRequest idem = { key, request->auth, request->method, target };

	*replayed = FALSE;
	if (key == NULL || request->router->idempotency == NULL
	    || strcmp (request->method, "POST") != 0)
		return TRUE;
	/* the body as parsed: the same JSON with other spacing is the same request */
	body = request->body != NULL ? mv_json_to_string (request->body) : NULL;
	idem.body = body;
	idem.body_len = body != NULL ? strlen (body) : 0;
	if (!mv_idempotency_begin (request->router->idempotency, &idem, &request->idempotency,
				   &replay, error)) {
		if (g_error_matches (*error, MV_ERROR, MV_ERROR_CONFLICT))
			mv_http_request_set_header (request, "Retry-After", "1");
		return FALSE;
	}
	if (replay == NULL)
		return TRUE;
	*replayed = TRUE;
	request->status = replay->status;
	request->response_text = g_steal_pointer (&replay->body);
	for (guint i = 0; i + 1 < replay->headers->len; i += 2)
		mv_http_request_set_header (request, g_ptr_array_index (replay->headers, i),
					    g_ptr_array_index (replay->headers, i + 1));
	mv_http_request_set_header (request, "Idempotency-Replayed", "true");
	return TRUE;
}

/* After the answer is in @ex (the handler's, or its error rendered): keeps it for retries, or
 * releases the key (5xx, 429…).  The headers kept are those that describe the result.  A
 * deferred answer that arrives on the main loop's thread (a plugin call's time-out) is kept
 * from another thread, not to block the loop on the database; a retry meanwhile waits for it. */
static gboolean
is_kept_header (const gchar *name)
{
	static const gchar *const kept[]
		= { "Location", "ETag", "Content-Type", "Content-Location", "Last-Modified", NULL };

	for (guint i = 0; kept[i] != NULL; i++)
		if (g_ascii_strcasecmp (name, kept[i]) == 0)
			return TRUE;
	return FALSE;
}

static void
idempotency_complete (MvHttpRequest *request, MvHttpExchange *ex)
{
	KeptAnswer *kept;

	if (request->idempotency == NULL)
		return;
	kept = g_new0 (KeptAnswer, 1);
	kept->store = request->router->idempotency;
	kept->claim = g_steal_pointer (&request->idempotency);
	kept->request_id = g_strdup (request->request_id);
	kept->answer = g_new0 (MvIdempotencyAnswer, 1);
	kept->answer->status = ex->status;
	kept->answer->body = g_strdup (ex->answer_text);
	kept->answer->headers = g_ptr_array_new_with_free_func (g_free);
	for (guint i = 0; i + 1 < ex->answer_headers->len; i += 2)
		if (is_kept_header (g_ptr_array_index (ex->answer_headers, i))) {
			g_ptr_array_add (kept->answer->headers,
					 g_strdup (g_ptr_array_index (ex->answer_headers, i)));
			g_ptr_array_add (kept->answer->headers,
					 g_strdup (g_ptr_array_index (ex->answer_headers, i + 1)));
		}
	if (g_main_context_is_owner (g_main_context_default ()))
		g_thread_pool_push (request->router->idempotency_keepers, kept, NULL);
	else
		keep_answer (kept, NULL);
}

/* The handler's result: TRUE with the answer serialised (or none), FALSE with @error, or TRUE
 * with request->deferred set when the handler answers later. */
static gboolean
run_route (MvHttpRequest *request, GError **error)
{
	g_autoptr (JsonNode) result = NULL;
	GError *local = NULL;
	gboolean replayed = FALSE;

	if (!authenticate (request, request->router->auth_func, request->router->auth_data, error)
	    || !idempotency_begin (request, &replayed, error))
		return FALSE;
	if (replayed)
		return TRUE;
	result = request->entry->route.func (request, &local);
	if (result == NULL && local != NULL) {
		g_propagate_error (error, local);
		return FALSE;
	}
	return result == NULL || serialise_answer (request, result, error);
}

static void
request_unref (MvHttpRequest *request)
{
	MvHttpRouter *router = request->router;

	if (!g_atomic_int_dec_and_test (&request->ref_count))
		return;
	request_free (request);
	/* last touch of the router: from here on the thread uses nothing the daemon frees */
	g_atomic_int_add (&router->running, -1);
}

/* Writes the answer into the exchange and wakes the connection: the last touch of the exchange
 * (the connection may complete and free it at once). */
static void
answer (MvHttpRequest *request, gboolean ok, GError *error)
{
	MvHttpExchange *ex = request->ex;
	guint status = request->status; /* the handler may have set it */

	if (!ok)
		mv_http_respond_error (ex, error);
	else if (request->response_text != NULL)
		mv_http_respond_text (ex, status != 0 ? status : 200,
				      g_steal_pointer (&request->response_text));
	else
		mv_http_respond_empty (ex, status != 0 ? status : 204);
	for (guint i = 0; i + 1 < request->response_headers->len; i += 2)
		mv_http_exchange_set_header (ex, g_ptr_array_index (request->response_headers, i),
					     g_ptr_array_index (request->response_headers, i + 1));
	idempotency_complete (request, ex);
	request->ex = NULL;
	mv_http_exchange_resume (ex);
}

/* In a worker: runs the handler, then answers (or leaves that to mv_http_request_finish). */
static void
run_in_worker (gpointer data, gpointer user_data)
{
	MvHttpRequest *request = data;
	g_autoptr (GError) error = NULL;
	gboolean ok = run_route (request, &error);

	/* a deferred request may be answered already; it is alive until its answer's unref */
	if (!ok || !request->deferred)
		answer (request, ok, error);
	request_unref (request);
}

void
mv_http_request_defer (MvHttpRequest *request)
{
	/* a local request is answered when its handler returns (mv_http_route_run_local()) */
	g_return_if_fail (request->ex != NULL);
	g_atomic_int_inc (&request->ref_count);
	request->deferred = TRUE;
}

void
mv_http_request_finish (MvHttpRequest *request, JsonNode *result, GError *error)
{
	g_autoptr (JsonNode) owned = result;
	g_autoptr (GError) local = error;
	gboolean ok = local == NULL;

	if (ok && owned != NULL)
		ok = serialise_answer (request, owned, &local);
	answer (request, ok, local);
	request_unref (request);
}

static gchar *
bearer_token (MvHttpExchange *ex)
{
	const gchar *value = mv_http_exchange_get_header (ex, "Authorization");
	if (value == NULL || g_ascii_strncasecmp (value, "Bearer ", 7) != 0)
		return NULL;
	value += 7;
	while (*value == ' ')
		value++;
	return value[0] != '\0' ? g_strdup (value) : NULL;
}

static gboolean
params_are_valid (MvHttpExchange *ex, GHashTable *params)
{
	GHashTableIter iter;
	gpointer name, value;

	g_hash_table_iter_init (&iter, params);
	while (g_hash_table_iter_next (&iter, &name, &value)) {
		g_autoptr (GError) error = NULL;
		if (value != NULL)
			continue;
		mv_set_error_bilingual_printf (
			&error, MV_ERROR_MALFORMED,
			"path parameter {%s} is not valid: it must be percent-encoded UTF-8 text",
			"路径参数 {%s} 无效：必须是百分号编码的 UTF-8 文本", (const gchar *)name);
		mv_http_respond_error (ex, error);
		return FALSE;
	}
	return TRUE;
}

/* The query string's parameters; FALSE (after answering 400) when it is not valid
 * percent-encoded UTF-8 text. */
static gboolean
parse_query (MvHttpExchange *ex, GHashTable **query)
{
	const gchar *raw = mv_http_exchange_get_raw_query (ex);
	g_autoptr (GError) error = NULL;
	GHashTableIter iter;
	gpointer name, value;

	*query = NULL;
	if (raw == NULL || raw[0] == '\0')
		return TRUE;
	/* a NUL would cut the value a handler sees */
	if (strstr (raw, "%00") == NULL)
		*query = g_uri_parse_params (raw, -1, "&", G_URI_PARAMS_WWW_FORM, &error);
	if (*query != NULL) {
		g_hash_table_iter_init (&iter, *query);
		while (g_hash_table_iter_next (&iter, &name, &value))
			if (!g_utf8_validate (name, -1, NULL)
			    || !g_utf8_validate (value, -1, NULL)) {
				g_clear_pointer (query, g_hash_table_unref);
				break;
			}
	}
	if (*query != NULL)
		return TRUE;
	mv_http_respond_new_error (ex, MV_ERROR_MALFORMED,
				   "the query string is not valid: it must be percent-encoded "
				   "UTF-8 text",
				   "查询字符串无效：必须是百分号编码的 UTF-8 文本");
	return FALSE;
}

static gboolean
method_has_body (const gchar *method)
{
	return g_strcmp0 (method, "POST") == 0 || g_strcmp0 (method, "PUT") == 0
	       || g_strcmp0 (method, "PATCH") == 0;
}

/* No body at all, or an empty one without a content type or declared as JSON: for a route
 * whose body is optional, that is {} (curl -X POST, or -d '' with -H 'Content-Type:
 * application/json'); an empty body declared as something else is still refused (415). */
static gboolean
body_is_empty (MvHttpExchange *ex)
{
	const gchar *type = mv_http_exchange_get_header (ex, "Content-Type");
	gsize len = 0;

	mv_http_exchange_get_body (ex, &len);
	if (len > 0)
		return FALSE;
	return type == NULL || type[0] == '\0'
	       || g_ascii_strncasecmp (type, "application/json", strlen ("application/json")) == 0;
}

gboolean
mv_http_router_dispatch (MvHttpRouter *router, MvHttpExchange *ex)
{
	g_autoptr (PathParts) parts = decode_path (mv_http_exchange_get_raw_path (ex));
	const gchar *method = mv_http_exchange_get_method (ex);
	const RouteEntry *entry = NULL;
	g_autoptr (GString) allowed = g_string_new (NULL);
	MvHttpRequest *request;

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
		mv_http_check_method (ex, allowed->str);
		return TRUE;
	}

	request = g_new0 (MvHttpRequest, 1);
	request->ref_count = 1;
	request->ex = ex;
	request->entry = entry;
	request->router = router;
	request->request_id = g_strdup (mv_http_exchange_get_request_id (ex));
	request->method = g_strdup (method);
	request->params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	request->response_headers = g_ptr_array_new_with_free_func (g_free);
	match (entry, parts, request->params);
	if (!params_are_valid (ex, request->params) || !parse_query (ex, &request->query)) {
		request_free (request);
		return TRUE;
	}
	request->locale = mv_locale_from_accept_language (
		mv_http_exchange_get_header (ex, "Accept-Language"));
	request->headers = mv_http_exchange_copy_headers (ex);
	request->token = bearer_token (ex);
	if (method_has_body (method) && entry->route.body_optional && body_is_empty (ex)) {
		request->body = json_node_new (JSON_NODE_OBJECT);
		json_node_take_object (request->body, json_object_new ());
	} else if (method_has_body (method)) {
		if (!mv_http_check_json_content_type (ex, strcmp (method, "PATCH") == 0)) {
			request_free (request);
			return TRUE;
		}
		request->body = mv_http_read_json_body (ex, router->max_body_bytes);
		if (request->body == NULL) {
			request_free (request);
			return TRUE;
		}
	}
	/* suspended before the worker can answer: a resume must never come first */
	mv_http_exchange_suspend (ex);
	g_atomic_int_inc (&router->running);
	g_thread_pool_push (router->workers, request, NULL);
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
	g_autofree gchar *lower = g_ascii_strdown (name, -1);
	return request->headers != NULL ? g_hash_table_lookup (request->headers, lower) : NULL;
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

void
mv_http_request_set_text (MvHttpRequest *request, const gchar *content_type, gchar *text)
{
	g_free (request->response_text);
	request->response_text = text;
	mv_http_request_set_header (request, "Content-Type", content_type);
}

const gchar *
mv_http_request_get_client_address (MvHttpRequest *request)
{
	if (request->ex == NULL)
		return request->client_address;
	return mv_http_exchange_get_client_address (request->ex);
}

void
mv_http_request_set_etag (MvHttpRequest *request, guint64 version)
{
	g_autofree gchar *etag = g_strdup_printf ("\"%" G_GUINT64_FORMAT "\"", version);
	mv_http_request_set_header (request, "ETag", etag);
}

gboolean
mv_http_request_get_if_match (MvHttpRequest *request,
			      gboolean required,
			      guint64 *version,
			      GError **error)
{
	const gchar *value = mv_http_request_get_header (request, "If-Match");
	g_autofree gchar *inner = NULL;
	gsize n;

	*version = 0;
	if (value == NULL && !required)
		return TRUE;
	if (value == NULL) {
		mv_set_error_bilingual (
			error, MV_ERROR_PRECONDITION_REQUIRED,
			"If-Match is required: send the ETag of the version the change was "
			"computed from",
			"必须提供 If-Match：请发送修改所依据版本的 ETag");
		return FALSE;
	}
	n = strlen (value);
	while (n > 0 && value[n - 1] == ' ')
		n--;
	while (*value == ' ') {
		value++;
		n--;
	}
	if (n < 3 || value[0] != '"' || value[n - 1] != '"') {
		mv_set_error_bilingual (
			error, MV_ERROR_MALFORMED,
			"If-Match: expected one ETag as returned by this API, e.g. "
			"\"3\" (weak tags, lists and * are not accepted)",
			"If-Match：应为本 API 返回的一个 ETag，例如 \"3\"（不接受弱标签、"
			"列表和 *）");
		return FALSE;
	}
	inner = g_strndup (value + 1, n - 2);
	if (!g_ascii_string_to_unsigned (inner, 10, 1, G_MAXINT64, version, NULL)) {
		mv_set_error_bilingual (
			error, MV_ERROR_MALFORMED,
			"If-Match: not an ETag of this API (expected a quoted version number)",
			"If-Match：不是本 API 的 ETag（应为带引号的版本号）");
		return FALSE;
	}
	return TRUE;
}

/* ---- a route run in process for another adapter's caller ----------------------------- */

const MvHttpRoute *
mv_http_routes_find (const MvHttpRoute *routes,
		     guint n_routes,
		     const gchar *method,
		     const gchar *pattern)
{
	for (guint i = 0; i < n_routes; i++)
		if (g_strcmp0 (routes[i].method, method) == 0
		    && g_strcmp0 (routes[i].pattern, pattern) == 0)
			return &routes[i];
	return NULL;
}

JsonNode *
mv_http_route_run_local (const MvHttpRoute *route,
			 gpointer user_data,
			 const MvHttpLocalCall *call,
			 guint *status,
			 GError **error)
{
	/* no placeholders: the routes run this way name their resource by the caller's key */
	RouteEntry entry = { *route, NULL, user_data };
	MvHttpRequest *request = g_new0 (MvHttpRequest, 1);
	g_autoptr (JsonNode) result = NULL;
	GError *local = NULL;

	request->entry = &entry;
	request->ref_count = 1;
	request->request_id = g_strdup (call->request_id);
	request->method = g_strdup (route->method);
	request->params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	request->query = call->query != NULL ? g_hash_table_ref (call->query) : NULL;
	request->locale = g_strdup (call->locale != NULL ? call->locale : "en");
	request->client_address = g_strdup (call->client_address);
	request->token
		= call->token != NULL && call->token[0] != '\0' ? g_strdup (call->token) : NULL;
	request->response_headers = g_ptr_array_new_with_free_func (g_free);
	if (call->body != NULL)
		request->body = json_node_init_object (json_node_alloc (), call->body);
	*status = 0;
	if (request->token == NULL)
		mv_set_error_bilingual (&local, MV_ERROR_UNAUTHORIZED,
					"this method needs the caller's key",
					"此方法需要调用者的密钥");
	else if (authenticate (request, call->auth_func, call->auth_data, &local))
		result = route->func (request, &local);
	*status = request->status != 0 ? request->status : result != NULL ? 200 : 204;
	request_free (request);
	if (local != NULL) {
		g_propagate_error (error, local);
		return NULL;
	}
	return g_steal_pointer (&result);
}
