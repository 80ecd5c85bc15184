/* The auth module's adapters: its HTTP routes and authenticator, its D-Bus admin interface.
 * Only the HTTP and D-Bus adapter libraries include this; the core sees mv-auth.h. */
#pragma once

#include "mv-auth.h"
#include "mv-dbus.h"
#include "mv-http.h"

G_BEGIN_DECLS

/* The admin, invite and whoami routes; their handlers take the MvAuth as user data. */
const MvHttpRoute *mv_auth_http_routes (guint *n_routes);

/* Makes @auth the bearer-token authenticator of every route of @http. */
void mv_auth_set_http_authenticator (MvAuth *auth, MvHttp *http);

/* Adds the org.medverse.Health1.Admin interface (call before mv_dbus_start()). */
void mv_auth_register_dbus (MvAuth *auth, MvDbus *dbus);

G_END_DECLS
