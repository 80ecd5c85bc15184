#include "mv-modules.h"

#include "audit/mv-audit-api.h"
#include "auth/mv-auth-adapters.h"
#include "mv-plugin-routes.h"
#include "mv-services.h"
#include "patients/mv-patients-api.h"

typedef struct {
	const gchar *name;
	const MvHttpRoute *(*http_routes) (guint *n_routes);
	/* what the module's route handlers get as user data */
	gpointer (*route_data) (MvEngine *engine);
} MvModule;

static gpointer
auth_of (MvEngine *engine)
{
	return mv_engine_get_services (engine)->auth;
}

static gpointer
patients_of (MvEngine *engine)
{
	return mv_engine_get_services (engine)->patients;
}

static gpointer
services_of (MvEngine *engine)
{
	return mv_engine_get_services (engine);
}

static gpointer
engine_itself (MvEngine *engine)
{
	return engine;
}

static const MvModule modules[] = {
	{ "auth", mv_auth_http_routes, auth_of },
	{ "patients", mv_patients_http_routes, patients_of },
	{ "audit", mv_audit_http_routes, services_of },
	{ "plugins", mv_plugin_http_routes, engine_itself },
};

void
mv_modules_register_http (MvHttp *http, MvEngine *engine)
{
	mv_auth_set_http_authenticator (mv_engine_get_services (engine)->auth, http);
	for (guint i = 0; i < G_N_ELEMENTS (modules); i++) {
		guint n = 0;
		const MvHttpRoute *routes = modules[i].http_routes (&n);
		mv_http_add_routes (http, routes, n, modules[i].route_data (engine));
	}
}

void
mv_modules_register_dbus (MvDbus *dbus, MvEngine *engine)
{
	mv_auth_register_dbus (mv_engine_get_services (engine)->auth, dbus);
}

GPtrArray *
mv_modules_all_routes (void)
{
	GPtrArray *all = g_ptr_array_new ();

	for (guint i = 0; i < G_N_ELEMENTS (modules); i++) {
		guint n = 0;
		const MvHttpRoute *routes = modules[i].http_routes (&n);
		for (guint j = 0; j < n; j++)
			g_ptr_array_add (all, (gpointer)&routes[j]);
	}
	return all;
}
