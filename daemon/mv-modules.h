/*
 * The daemon's modules and what each brings to the adapters: one table, read by medversed.c to
 * wire the running daemon and by the API document, which needs every route without a database.
 */
#pragma once

#include "mv-dbus.h"
#include "mv-engine.h"
#include "mv-http.h"

G_BEGIN_DECLS

/* Adds every module's routes (and the bearer-token authenticator) to @http.  The engine's
 * services must be set: the routes' user data comes from them. */
void mv_modules_register_http (MvHttp *http, MvEngine *engine);

/* Adds every module's D-Bus interfaces (before mv_dbus_start()). */
void mv_modules_register_dbus (MvDbus *dbus, MvEngine *engine);

/* (transfer container): every module's routes, elements borrowed from static tables. */
GPtrArray *mv_modules_all_routes (void);

G_END_DECLS
