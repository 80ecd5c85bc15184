#include "mv-modules.h"

#include "config.h"

#include "audit/mv-audit-api.h"
#include "auth/mv-auth-adapters.h"
#include "clinical/mv-clinical-api.h"
#include "clinical/mv-clinical-store.h"
#include "engagement/mv-engagement-api.h"
#include "engagement/mv-engagement-store.h"
#include "idempotency/mv-idempotency.h"
#include "mv-dbus-patient.h"
#include "mv-openapi.h"
#include "mv-plugin-routes.h"
#include "mv-services.h"
#include "patients/mv-patients-api.h"
#include "plans/mv-plan-api.h"
#include "vr/mv-vr-api.h"

typedef struct {
	const gchar *name;
	const MvHttpRoute *(*http_routes) (guint *n_routes);
	/* what the module's route handlers get as user data */
	gpointer (*route_data) (MvEngine *engine, MvHttp *http);
} MvModule;

static gpointer
auth_of (MvEngine *engine, MvHttp *http)
{
	return mv_engine_get_services (engine)->auth;
}

static gpointer
patients_of (MvEngine *engine, MvHttp *http)
{
	return mv_engine_get_services (engine)->patients;
}

/* the clinical store lives as long as the engine (its services' lifetime); both adapters'
 * routes share one (the D-Bus adapter makes it when HTTP is off) */
static gpointer
clinical_of (MvEngine *engine, MvHttp *http)
{
	MvClinicalStore *store = g_object_get_data (G_OBJECT (engine), "mv-clinical-store");

	if (store != NULL)
		return store;
	store = mv_clinical_store_new (mv_engine_get_services (engine));
	mv_clinical_store_set_engine (store, engine);

	g_object_set_data_full (G_OBJECT (engine), "mv-clinical-store", store,
				(GDestroyNotify)mv_clinical_store_free);
	return store;
}

/* the engagement store writes check-ins through the clinical store (made just before it) */
static gpointer
engagement_of (MvEngine *engine, MvHttp *http)
{
	MvClinicalStore *clinical = g_object_get_data (G_OBJECT (engine), "mv-clinical-store");
	MvEngagementStore *store = g_object_get_data (G_OBJECT (engine), "mv-engagement-store");

	if (store != NULL)
		return store;
	store = mv_engagement_store_new (mv_engine_get_services (engine), clinical, NULL);
	g_object_set_data_full (G_OBJECT (engine), "mv-engagement-store", store,
				(GDestroyNotify)mv_engagement_store_free);
	return store;
}

/* the plans are a record kind of the clinical store (registered before: clinical_of) */
static gpointer
plans_of (MvEngine *engine, MvHttp *http)
{
	return g_object_get_data (G_OBJECT (engine), "mv-clinical-store");
}

static gpointer
services_of (MvEngine *engine, MvHttp *http)
{
	return mv_engine_get_services (engine);
}

static gpointer
engine_itself (MvEngine *engine, MvHttp *http)
{
	return engine;
}

/* The API document, built for each request from what this daemon serves: its router's routes
 * and its loaded plugins (mv-openapi.h).  Cheap next to a plugin call, and never stale. */
typedef struct {
	MvEngine *engine;
	MvHttp *http;
} OpenapiSource;

static JsonNode *
serve_openapi (MvHttpRequest *request, GError **error)
{
	OpenapiSource *source = mv_http_request_get_user_data (request);
	g_autoptr (GPtrArray) routes = mv_http_get_routes (source->http);
	g_autoptr (GPtrArray) plugins = mv_engine_get_plugins (source->engine);

	return mv_openapi_build (routes, plugins, MV_VERSION);
}

static const MvHttpRoute openapi_routes[] = {
	{ "GET", "/v1/openapi.json", MV_ROLE_NONE, serve_openapi,
	  "This document: every route, the loaded plugins' methods and the errors (OpenAPI 3.1)" },
};

static const MvHttpRoute *
openapi_http_routes (guint *n_routes)
{
	*n_routes = G_N_ELEMENTS (openapi_routes);
	return openapi_routes;
}

/* lives as long as the engine, which the daemon frees after the HTTP adapter */
static gpointer
openapi_source (MvEngine *engine, MvHttp *http)
{
	OpenapiSource *source = g_new0 (OpenapiSource, 1);

	source->engine = engine;
	source->http = http;
	g_object_set_data_full (G_OBJECT (engine), "mv-openapi-source", source, g_free);
	return source;
}

static const MvModule modules[] = {
	{ "auth", mv_auth_http_routes, auth_of },
	/* before patients: GET /v1/patients/changes must match before /v1/patients/{id} */
	{ "clinical", mv_clinical_http_routes, clinical_of },
	/* after clinical, whose store it uses; before patients, as clinical */
	{ "engagement", mv_engagement_http_routes, engagement_of },
	{ "plans", mv_plan_http_routes, plans_of },
	/* a VR session is a record kind of the clinical store; its points go through the
	 * engagement store (both made before) */
	{ "vr", mv_vr_http_routes, plans_of },
	{ "patients", mv_patients_http_routes, patients_of },
	{ "audit", mv_audit_http_routes, services_of },
	{ "plugins", mv_plugin_http_routes, engine_itself },
	{ "openapi", openapi_http_routes, openapi_source },
};

void
mv_modules_register_http (MvHttp *http, MvEngine *engine)
{
	MvServices *services = mv_engine_get_services (engine);
	MvIdempotencyLimits limits;

	mv_auth_set_http_authenticator (services->auth, http);
	mv_idempotency_limits_from_config (services->config, &limits);
	mv_http_set_idempotency (http,
				 mv_idempotency_new (services->db,
						     (MvIdempotencyVaultFunc)mv_services_get_vault,
						     services, &limits));
	for (guint i = 0; i < G_N_ELEMENTS (modules); i++) {
		guint n = 0;
		const MvHttpRoute *routes = modules[i].http_routes (&n);
		mv_http_add_routes (http, routes, n, modules[i].route_data (engine, http));
	}
}

/* the modules whose /v1/me routes org.medverse.Health1.Patient runs (mv-dbus-patient.h), in
 * the table's order: clinical first, as its store is the others' */
static const gchar *const patient_dbus_modules[]
	= { "clinical", "engagement", "plans", "vr", NULL };

void
mv_modules_register_dbus (MvDbus *dbus, MvEngine *engine)
{
	MvServices *services = mv_engine_get_services (engine);
	MvDbusPatient *patient
		= mv_dbus_patient_ensure (engine, mv_auth_http_authenticate, services->auth);

	mv_auth_register_dbus (services->auth, dbus);
	for (guint i = 0; i < G_N_ELEMENTS (modules); i++) {
		guint n = 0;
		const MvHttpRoute *routes;

		if (!g_strv_contains (patient_dbus_modules, modules[i].name))
			continue;
		routes = modules[i].http_routes (&n);
		mv_dbus_patient_add_routes (patient, routes, n,
					    modules[i].route_data (engine, NULL));
	}
	mv_dbus_patient_register (patient, dbus);
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
