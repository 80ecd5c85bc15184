/* The HTTP routes of the patient store: see mv-patients-api.h and docs/api.md.  Handlers only
 * translate HTTP (ids, ETags, status codes) to the transport-free store. */
#define G_LOG_DOMAIN "medverse-patients"

#include "mv-patients-api.h"

#include <medverse/mv-error.h>
#include <string.h>

#include "mv-http-api.h"
#include "mv-patient-store.h"

static MvPatientStore *
store_of (MvHttpRequest *request)
{
	return mv_http_request_get_user_data (request);
}

static JsonNode *
patient_body (MvHttpRequest *request, const gchar *id, guint64 version, JsonObject *profile)
{
	JsonObject *body = json_object_new ();
	JsonNode *node;

	mv_http_request_set_etag (request, version);
	json_object_set_string_member (body, "id", id);
	json_object_set_int_member (body, "version", (gint64)version);
	json_object_set_object_member (body, "profile", json_object_ref (profile));
	node = json_node_init_object (json_node_alloc (), body);
	json_object_unref (body);
	return node;
}

static JsonNode *
object_node (JsonObject *object)
{
	JsonNode *node = json_node_init_object (json_node_alloc (), object);
	return node;
}

static JsonNode *
handle_create (MvHttpRequest *request, GError **error)
{
	guint64 version = 0;
	g_autofree gchar *id = NULL;
	g_autofree gchar *location = NULL;

	id = mv_patient_store_create (store_of (request), mv_http_request_get_auth (request),
				      mv_http_request_get_id (request),
				      mv_http_request_get_body (request), &version, error);
	if (id == NULL)
		return NULL;
	location = g_strdup_printf ("/v1/patients/%s", id);
	mv_http_request_set_header (request, "Location", location);
	mv_http_request_set_status (request, 201);
	{
		g_autoptr (JsonObject) empty = json_object_new ();
		g_autoptr (JsonNode) node = NULL;
		JsonObject *body;
		/* the created profile is not echoed: the client has it */
		node = patient_body (request, id, version, empty);
		body = json_node_get_object (node);
		json_object_remove_member (body, "profile");
		return g_steal_pointer (&node);
	}
}

static JsonNode *
handle_get (MvHttpRequest *request, GError **error)
{
	const gchar *id = mv_http_request_get_param (request, "id");
	g_autofree gchar *canonical = mv_patient_id_normalise (id);
	guint64 version = 0;
	g_autoptr (JsonObject) profile
		= mv_patient_store_get (store_of (request), mv_http_request_get_auth (request),
					mv_http_request_get_id (request), id, &version, error);

	if (profile == NULL)
		return NULL;
	return patient_body (request, canonical, version, profile);
}

static JsonNode *
handle_me (MvHttpRequest *request, GError **error)
{
	const MvAuthContext *auth = mv_http_request_get_auth (request);
	guint64 version = 0;
	g_autoptr (JsonObject) profile = NULL;

	if (auth->patient_id == NULL) {
		g_set_error (error, MV_ERROR, MV_ERROR_FORBIDDEN,
			     "only a patient key has a /v1/me");
		return NULL;
	}
	profile = mv_patient_store_get (store_of (request), auth, mv_http_request_get_id (request),
					auth->patient_id, &version, error);
	if (profile == NULL)
		return NULL;
	return patient_body (request, auth->patient_id, version, profile);
}

static JsonNode *
handle_patch (MvHttpRequest *request, GError **error)
{
	const gchar *id = mv_http_request_get_param (request, "id");
	g_autofree gchar *canonical = mv_patient_id_normalise (id);
	guint64 expected = 0, version = 0;
	g_autoptr (JsonObject) profile = NULL;

	if (canonical == NULL) {
		g_set_error (error, MV_ERROR, MV_ERROR_NOT_FOUND, "no such patient");
		return NULL;
	}
	if (!mv_http_request_get_if_match (request, TRUE, &expected, error))
		return NULL;
	profile = mv_patient_store_update (store_of (request), mv_http_request_get_auth (request),
					   mv_http_request_get_id (request), id,
					   mv_http_request_get_body (request), expected, &version,
					   error);
	if (profile == NULL)
		return NULL;
	return patient_body (request, canonical, version, profile);
}

static JsonNode *
handle_delete (MvHttpRequest *request, GError **error)
{
	guint64 expected = 0;

	if (!mv_http_request_get_if_match (request, FALSE, &expected, error))
		return NULL;
	if (!mv_patient_store_delete (store_of (request), mv_http_request_get_auth (request),
				      mv_http_request_get_id (request),
				      mv_http_request_get_param (request, "id"), expected, error))
		return NULL;
	mv_http_request_set_status (request, 204);
	return NULL;
}

static JsonNode *
handle_search (MvHttpRequest *request, GError **error)
{
	const gchar *mrn = mv_http_request_get_query (request, "mrn");
	g_autoptr (GError) local = NULL;
	g_autofree gchar *id = NULL;
	g_autoptr (JsonObject) body = json_object_new ();
	JsonArray *list = json_array_new ();
	guint64 version = 0;

	json_object_set_array_member (body, "patients", list);
	if (mrn == NULL) {
		g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
			     "mrn: the query parameter is required (GET /v1/patients?mrn=…)");
		return NULL;
	}
	id = mv_patient_store_find_by_mrn (store_of (request), mv_http_request_get_auth (request),
					   mv_http_request_get_id (request), mrn, &version, &local);
	if (id == NULL && !g_error_matches (local, MV_ERROR, MV_ERROR_NOT_FOUND)) {
		g_propagate_error (error, g_steal_pointer (&local));
		return NULL;
	}
	if (id != NULL) {
		JsonObject *hit = json_object_new ();
		json_object_set_string_member (hit, "id", id);
		json_object_set_int_member (hit, "version", (gint64)version);
		json_array_add_object_element (list, hit);
	}
	return object_node (body);
}

static JsonNode *
handle_export (MvHttpRequest *request, GError **error)
{
	g_autoptr (JsonObject) out = mv_patient_store_export (
		store_of (request), mv_http_request_get_auth (request),
		mv_http_request_get_id (request), mv_http_request_get_param (request, "id"), error);

	return out != NULL ? object_node (out) : NULL;
}

static JsonNode *
handle_invite (MvHttpRequest *request, GError **error)
{
	JsonObject *body = mv_http_request_get_body (request);
	g_autoptr (JsonObject) out = NULL;

	/* no options yet: an empty object; anything else is refused, not ignored */
	if (body != NULL && json_object_get_size (body) > 0) {
		g_autoptr (GList) names = json_object_get_members (body);
		g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
			     "body: unknown field \"%.64s\" (send {})", (const gchar *)names->data);
		return NULL;
	}
	out = mv_patient_store_create_invite (
		store_of (request), mv_http_request_get_auth (request),
		mv_http_request_get_id (request), mv_http_request_get_param (request, "id"), error);
	if (out == NULL)
		return NULL;
	mv_http_request_set_status (request, 201);
	return object_node (out);
}

static const MvHttpRoute routes[] = {
	{ "POST", "/v1/patients", MV_ROLE_CLINICIAN, handle_create,
	  "Register a patient (201 with ETag; 409 for a duplicate MRN)" },
	{ "GET", "/v1/patients", MV_ROLE_CLINICIAN, handle_search,
	  "Find a patient by MRN (?mrn=), through the blind index" },
	{ "GET", "/v1/patients/{id}", MV_ROLE_CLINICIAN | MV_ROLE_PATIENT, handle_get,
	  "Read a patient's profile (a patient token: its own only)" },
	{ "PATCH", "/v1/patients/{id}", MV_ROLE_CLINICIAN, handle_patch,
	  "Merge-patch a profile; If-Match with the ETag is required" },
	{ "DELETE", "/v1/patients/{id}", MV_ROLE_CLINICIAN, handle_delete,
	  "Erase a patient by destroying its key (crypto-shredding)" },
	{ "GET", "/v1/patients/{id}/export", MV_ROLE_CLINICIAN | MV_ROLE_PATIENT, handle_export,
	  "Everything held about a patient, for a data-access request" },
	{ "POST", "/v1/patients/{id}/invites", MV_ROLE_CLINICIAN, handle_invite,
	  "An invite code for the patient app" },
	{ "GET", "/v1/me", MV_ROLE_PATIENT, handle_me, "The calling patient's own profile" },
};

const MvHttpRoute *
mv_patients_http_routes (guint *n_routes)
{
	*n_routes = G_N_ELEMENTS (routes);
	return routes;
}
