/*
 * org.medverse.Health1.Patient: the calling patient's plan, today's tasks, check-ins and
 * progress over D-Bus, for a local VR gateway or kiosk acting for one patient at a time
 * (schemas/dbus/org.medverse.Health1.Patient.xml, docs/dbus.md).
 *
 * Each method runs the handler of the /v1/me route it mirrors (GET /v1/me/plan, GET
 * /v1/me/today, POST /v1/me/checkins, GET /v1/me/progress) through
 * mv_http_route_run_local(), with the patient key the caller passes as its first argument:
 * the same authentication, scope, rate limits, validation, writes and audit entries as over
 * HTTP, in one code path.  What is D-Bus's own is only the shape: the arguments become the
 * route's query or body, the answer becomes typed values (mv-dbus-json.h), an error becomes
 * its named D-Bus error (mv-error-table.h) in the caller's locale.
 */
#pragma once

#include "mv-dbus.h"
#include "mv-engine.h"
#include "mv-http-api.h"

G_BEGIN_DECLS

typedef struct _MvDbusPatient MvDbusPatient;

/* The interface of @engine, made on first use and owned by @engine (a call still running in a
 * worker at shutdown uses it after the adapter is gone); @auth_func with @auth_data checks the
 * keys (the HTTP adapter's authenticator). */
MvDbusPatient *
mv_dbus_patient_ensure (MvEngine *engine, MvHttpAuthFunc auth_func, gpointer auth_data);
/* Offers a module's routes with their user data; the interface takes those it mirrors. */
void mv_dbus_patient_add_routes (MvDbusPatient *self,
				 const MvHttpRoute *routes,
				 guint n_routes,
				 gpointer user_data);
/* Adds the interface to @dbus (before mv_dbus_start()). */
void mv_dbus_patient_register (MvDbusPatient *self, MvDbus *dbus);
/* Calls of @engine's interface still running in worker threads (0 without one). */
guint mv_dbus_patient_get_running (MvEngine *engine);

G_END_DECLS
