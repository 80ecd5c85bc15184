/* The HTTP adapter: a libmicrohttpd server over the engine (docs/decisions.md).  No engine logic
 * lives here. */
#pragma once

#include "mv-config.h"
#include "mv-engine.h"
#include "mv-http-api.h"

G_BEGIN_DECLS

typedef struct _MvHttp MvHttp;

MvHttp *mv_http_new (MvEngine *engine, const MvConfig *config);
/* Listens on config's http.listen; the bound URL (with the real port) via mv_http_get_url(). */
gboolean mv_http_start (MvHttp *self, GError **error);
const gchar *mv_http_get_url (MvHttp *self);
/* New requests get 503 from now on; requests already taken carry on. */
void mv_http_stop_accepting (MvHttp *self);
/* Requests read but not yet answered. */
guint mv_http_get_active (MvHttp *self);
/* Route handlers still running in worker threads (they use the router, the services and the
 * database pool, so none of those may be freed while this is not 0). */
guint mv_http_get_running_workers (MvHttp *self);
/* Closes the listening socket and every connection, without freeing anything. */
void mv_http_close (MvHttp *self);
void mv_http_reconfigure (MvHttp *self, const MvConfig *config);
/* Resource routes (see mv-http-api.h); @user_data reaches the handlers. */
void
mv_http_add_routes (MvHttp *self, const MvHttpRoute *routes, guint n_routes, gpointer user_data);
void mv_http_set_authenticator (MvHttp *self, MvHttpAuthFunc func, gpointer user_data);
typedef struct _MvIdempotency MvIdempotency;
/* (transfer full): the Idempotency-Key store of every POST route (daemon/idempotency/) */
void mv_http_set_idempotency (MvHttp *self, MvIdempotency *idempotency);
void mv_http_free (MvHttp *self);

/* Every route served, in the order they were added (transfer container, elements borrowed);
 * /healthz and /readyz are not in it.  For the API document and its coverage test. */
GPtrArray *mv_http_get_routes (MvHttp *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvHttp, mv_http_free)

G_END_DECLS
