/* Shared between the HTTP adapter's files; nothing outside mv-http*.c includes this. */
#pragma once

#include "mv-http-api.h"

G_BEGIN_DECLS

/*
 * One request on its way through the HTTP front: what was read (method, raw target, headers,
 * body) and the answer being built (status, headers, body).  The front (mv-http.c) owns it and
 * frees it when the request completes.  Request-side getters are for the connection's thread;
 * the answer may be set from any thread as long as one thread does it at a time, and
 * mv_http_exchange_resume() is the last touch of a suspended exchange.
 */
typedef struct _MvHttpExchange MvHttpExchange;

const gchar *mv_http_exchange_get_request_id (MvHttpExchange *ex);
const gchar *mv_http_exchange_get_method (MvHttpExchange *ex);
/* The path as sent, still percent-encoded. */
const gchar *mv_http_exchange_get_raw_path (MvHttpExchange *ex);
/* The query string as sent (without '?'), or NULL. */
const gchar *mv_http_exchange_get_raw_query (MvHttpExchange *ex);
const gchar *mv_http_exchange_get_client_address (MvHttpExchange *ex);
/* A request header (case-insensitive name; repeated fields joined with ", "), or NULL. */
const gchar *mv_http_exchange_get_header (MvHttpExchange *ex, const gchar *name);
/* Every request header, lower-case names (transfer full), for a worker thread. */
GHashTable *mv_http_exchange_copy_headers (MvHttpExchange *ex);
const guint8 *mv_http_exchange_get_body (MvHttpExchange *ex, gsize *len);

void mv_http_exchange_set_header (MvHttpExchange *ex, const gchar *name, const gchar *value);
/* The answer is being computed elsewhere: the connection waits without polling. */
void mv_http_exchange_suspend (MvHttpExchange *ex);
/* The answer is set: the connection sends it.  Any thread; last touch of @ex. */
void mv_http_exchange_resume (MvHttpExchange *ex);

void mv_http_respond_json (MvHttpExchange *ex, guint status, JsonNode *body);
/* @json_text: (transfer full) */
void mv_http_respond_text (MvHttpExchange *ex, guint status, gchar *json_text);
void mv_http_respond_empty (MvHttpExchange *ex, guint status);
void mv_http_respond_error (MvHttpExchange *ex, const GError *error);
/* An MV_ERROR answer with its English and Simplified Chinese message, both made from the same
 * arguments in the same order (mv_error_new_bilingual()). */
void mv_http_respond_new_error (MvHttpExchange *ex,
				gint code,
				const gchar *format,
				const gchar *format_zh,
				...) G_GNUC_PRINTF (3, 5) G_GNUC_PRINTF (4, 5);
gboolean mv_http_check_method (MvHttpExchange *ex, const gchar *allowed);
gboolean mv_http_check_json_content_type (MvHttpExchange *ex, gboolean merge_patch);
/* The body as a JSON object, or NULL after responding with the error. */
JsonNode *mv_http_read_json_body (MvHttpExchange *ex, guint64 max_body_bytes);

typedef struct _MvHttpRouter MvHttpRouter;

MvHttpRouter *mv_http_router_new (guint64 max_body_bytes, guint64 max_response_bytes);
void mv_http_router_free (MvHttpRouter *router);
/* handlers still running in worker threads */
guint mv_http_router_get_running (MvHttpRouter *router);
void mv_http_router_set_limits (MvHttpRouter *router,
				guint64 max_body_bytes,
				guint64 max_response_bytes);
/* (transfer container): the routes, elements borrowed */
GPtrArray *mv_http_router_get_routes (MvHttpRouter *router);
void mv_http_router_add (MvHttpRouter *router,
			 const MvHttpRoute *routes,
			 guint n_routes,
			 gpointer user_data);
void
mv_http_router_set_authenticator (MvHttpRouter *router, MvHttpAuthFunc func, gpointer user_data);
typedef struct _MvIdempotency MvIdempotency;
/* @idempotency: (transfer full) (nullable): the store every POST with an Idempotency-Key
 * goes through (daemon/idempotency/) */
void mv_http_router_set_idempotency (MvHttpRouter *router, MvIdempotency *idempotency);
/* Handles @ex if a route's pattern matches its path (responding, or suspending it until a worker
 * thread answers); FALSE if no pattern matches. */
gboolean mv_http_router_dispatch (MvHttpRouter *router, MvHttpExchange *ex);

G_END_DECLS
