/* Shared between the HTTP adapter's files; nothing outside mv-http*.c includes this. */
#pragma once

#include <libsoup/soup.h>

#include "mv-http-api.h"

G_BEGIN_DECLS

void mv_http_respond_json (SoupServerMessage *msg, guint status, JsonNode *body);
/* @json_text: (transfer full) */
void mv_http_respond_text (SoupServerMessage *msg, guint status, gchar *json_text);
void mv_http_respond_error (SoupServerMessage *msg, const GError *error);
gboolean mv_http_check_method (SoupServerMessage *msg, const gchar *allowed);
gboolean mv_http_check_json_content_type (SoupServerMessage *msg);
/* The body as a JSON object, or NULL after responding with the error. */
JsonNode *mv_http_read_json_body (SoupServerMessage *msg, guint64 max_body_bytes);
const gchar *mv_http_message_get_request_id (SoupServerMessage *msg);

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
/* Handles @msg if a route's pattern matches @path (responding, or pausing it until a worker
 * thread answers); FALSE if no pattern matches. */
gboolean mv_http_router_dispatch (MvHttpRouter *router, SoupServerMessage *msg, const gchar *path);

G_END_DECLS
