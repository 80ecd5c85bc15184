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

/* The bearer-token authenticator (an MvHttpAuthFunc, @user_data the MvAuth): the per-address
 * limit of failed attempts (the address is mv_http_request_get_client_address()), then the key
 * (revocation, expiry, the per-key rate limit).  Also what the D-Bus patient interface runs a
 * /v1/me route's handler with (mv-dbus-patient.c), so a key is checked one way. */
MvAuthContext *mv_auth_http_authenticate (MvHttpRequest *request,
					  const gchar *token,
					  gpointer user_data,
					  GError **error);

/* Adds the org.medverse.Health1.Admin interface (call before mv_dbus_start()). */
void mv_auth_register_dbus (MvAuth *auth, MvDbus *dbus);

G_END_DECLS
