/* The HTTP routes of the patient store: see mv-patients-api.h and docs/api.md.  Handlers only
 * translate HTTP (ids, ETags, status codes) to the transport-free store. */
#define G_LOG_DOMAIN "medverse-patients"

#include "mv-patients-api.h"

#include <medverse/mv-error.h>
#include <string.h>

#include "mv-http-api.h"
#include "mv-patient-profile.h"
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
		mv_set_error_bilingual (error, MV_ERROR_NOT_FOUND, "no such patient", "没有该患者");
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

/* PUT /v1/me/preferences: a patient sets its own language and time zone, a profile change like
 * a clinician's PATCH (validated, versioned, audited "patient.update"); If-Match optional (a
 * patient app rarely holds the profile's ETag): without it, the version just read. */
static JsonNode *
handle_me_preferences (MvHttpRequest *request, GError **error)
{
	const MvAuthContext *auth = mv_http_request_get_auth (request);
	g_autoptr (JsonObject) patch = NULL;
	g_autoptr (JsonObject) current = NULL;
	g_autoptr (JsonObject) profile = NULL;
	guint64 expected = 0, version = 0;

	if (auth == NULL || auth->patient_id == NULL) {
		mv_set_error_bilingual (error, MV_ERROR_FORBIDDEN,
					"only a patient key has a /v1/me",
					"只有患者密钥才有 /v1/me");
		return NULL;
	}
	patch = mv_patient_own_preferences_patch (mv_http_request_get_body (request), error);
	if (patch == NULL || !mv_http_request_get_if_match (request, FALSE, &expected, error))
		return NULL;
	if (expected == 0) {
		current = mv_patient_store_get (store_of (request), auth,
						mv_http_request_get_id (request), auth->patient_id,
						&expected, error);
		if (current == NULL)
			return NULL;
	}
	profile = mv_patient_store_update (store_of (request), auth,
					   mv_http_request_get_id (request), auth->patient_id,
					   patch, expected, &version, error);
	if (profile == NULL)
		return NULL;
	return patient_body (request, auth->patient_id, version, profile);
}

/* DELETE /v1/patients/{id}?reason=…: a clinic admin's erasure, refused inside the retention
 * period (mv_patient_store_delete()). */
static JsonNode *
handle_delete (MvHttpRequest *request, GError **error)
{
	const MvAuthContext *auth = mv_http_request_get_auth (request);
	guint64 expected = 0;

	/* a clinician hears what to do instead before anything about the request itself */
	if (auth->role == MV_ROLE_CLINIC_ADMIN
	    && !mv_http_request_get_if_match (request, FALSE, &expected, error))
		return NULL;
	if (!mv_patient_store_delete (store_of (request), auth, mv_http_request_get_id (request),
				      mv_http_request_get_param (request, "id"),
				      mv_http_request_get_query (request, "reason"), expected,
				      error))
		return NULL;
	mv_http_request_set_status (request, 204);
	return NULL;
}

/* A lookup's answer: {"patients": []} or one {id, version}; only "not found" is no error. */
static JsonNode *
lookup_answer (gchar *id, guint64 version, GError *local, GError **error)
{
	g_autofree gchar *owned = id;
	g_autoptr (GError) failure = local;
	JsonObject *body = json_object_new ();
	JsonArray *list = json_array_new ();

	json_object_set_array_member (body, "patients", list);
	if (owned == NULL && !g_error_matches (failure, MV_ERROR, MV_ERROR_NOT_FOUND)) {
		json_object_unref (body);
		g_propagate_error (error, g_steal_pointer (&failure));
		return NULL;
	}
	if (owned != NULL) {
		JsonObject *hit = json_object_new ();
		json_object_set_string_member (hit, "id", owned);
		json_object_set_int_member (hit, "version", (gint64)version);
		json_array_add_object_element (list, hit);
	}
	return json_node_init_object (json_node_alloc (), body);
}

/* GET /v1/patients?identifier=system|value: the same answer as the MRN search, through the
 * identifier's own blind index (mv_patient_store_find_by_identifier()). */
static JsonNode *
handle_search_identifier (MvHttpRequest *request, GError **error)
{
	GError *local = NULL;
	guint64 version = 0;
	gchar *id = mv_patient_store_find_by_identifier (
		store_of (request), mv_http_request_get_auth (request),
		mv_http_request_get_id (request), mv_http_request_get_query (request, "identifier"),
		&version, &local);

	return lookup_answer (id, version, local, error);
}

/* DELETE /v1/admin/tenants/{id}/patients/{patient}?reason=…&force=true: the operator's erasure,
 * inside the retention period too.  force=true is required so that no one forces by accident. */
static JsonNode *
handle_force_delete (MvHttpRequest *request, GError **error)
{
	g_autoptr (GError) problems = NULL;

	if (g_strcmp0 (mv_http_request_get_query (request, "force"), "true") != 0)
		mv_error_add_problem (
			&problems, "/force", "required",
			"must be true: this route erases a patient whatever its retention "
			"period; a clinic admin erases outside it with DELETE /v1/patients/{id}",
			"必须为 "
			"true：此路由不论保存期如何都会删除患者；保存期外的删除由诊所管理员"
			"通过 DELETE /v1/patients/{id} 执行");
	/* both problems at once, before the store looks at the reason again */
	mv_patient_shred_reason_check (mv_http_request_get_query (request, "reason"), &problems);
	if (problems != NULL) {
		g_propagate_error (error, g_steal_pointer (&problems));
		return NULL;
	}
	if (!mv_patient_store_force_delete (store_of (request), mv_http_request_get_auth (request),
					    mv_http_request_get_id (request),
					    mv_http_request_get_param (request, "id"),
					    mv_http_request_get_param (request, "patient"),
					    mv_http_request_get_query (request, "reason"), error))
		return NULL;
	mv_http_request_set_status (request, 204);
	return NULL;
}

/* GET /v1/patients?mrn=…: one patient through the MRN's blind index. */
static JsonNode *
handle_search_mrn (MvHttpRequest *request, GError **error)
{
	GError *local = NULL;
	guint64 version = 0;
	gchar *id = mv_patient_store_find_by_mrn (
		store_of (request), mv_http_request_get_auth (request),
		mv_http_request_get_id (request), mv_http_request_get_query (request, "mrn"),
		&version, &local);

	return lookup_answer (id, version, local, error);
}

/* The `next` link of a list page: this route with the same limit and filter and the new
 * cursor, every value percent-encoded. */
static gchar *
next_link (guint limit, const gchar *cursor, const gchar *updated_since)
{
	GString *link = g_string_new ("/v1/patients?limit=");

	g_string_append_printf (link, "%u&cursor=", limit);
	g_string_append_uri_escaped (link, cursor, NULL, FALSE);
	if (updated_since != NULL) {
		g_string_append (link, "&updated_since=");
		g_string_append_uri_escaped (link, updated_since, NULL, FALSE);
	}
	return g_string_free (link, FALSE);
}

/* GET /v1/patients: the clinic's live patients, a keyset page at a time. */
static JsonNode *
handle_list (MvHttpRequest *request, GError **error)
{
	MvPatientListQuery query = {
		.limit = mv_http_request_get_query (request, "limit"),
		.cursor = mv_http_request_get_query (request, "cursor"),
		.updated_since = mv_http_request_get_query (request, "updated_since"),
	};
	const gchar *include = mv_http_request_get_query (request, "include");
	g_autoptr (JsonObject) page = NULL;
	const gchar *cursor;

	/* no page of decrypted profiles (docs/api.md, "Listing patients"): refused, not ignored */
	if (include != NULL) {
		mv_error_add_problem (error, "/include", "not-allowed",
				      "the list gives ids, versions and timestamps only; read a "
				      "profile with GET /v1/patients/{id}",
				      "列表只返回标识、版本和时间戳；请用 GET /v1/patients/{id} "
				      "读取档案");
		return NULL;
	}
	page = mv_patient_store_list (store_of (request), mv_http_request_get_auth (request),
				      mv_http_request_get_id (request), &query, error);
	if (page == NULL)
		return NULL;
	cursor = json_object_get_string_member_with_default (page, "next_cursor", NULL);
	if (cursor != NULL) {
		g_autofree gchar *next
			= next_link ((guint)json_object_get_int_member (page, "limit"), cursor,
				     query.updated_since);
		json_object_set_string_member (page, "next", next);
	} else {
		json_object_set_null_member (page, "next");
	}
	json_object_remove_member (page, "next_cursor");
	json_object_remove_member (page, "limit");
	return object_node (page);
}

/* GET /v1/patients: a lookup when the query names an identifier, the list otherwise.  A new
 * lookup (e.g. ?identifier=system|value) is one more row. */
static const struct {
	const gchar *parameter;
	MvHttpApiFunc func;
} patient_lookups[] = {
	/* first: an identifier search names its system, so it wins over mrn */
	{ "identifier", handle_search_identifier },
	{ "mrn", handle_search_mrn },
};

static JsonNode *
handle_patients (MvHttpRequest *request, GError **error)
{
	for (guint i = 0; i < G_N_ELEMENTS (patient_lookups); i++) {
		if (mv_http_request_get_query (request, patient_lookups[i].parameter) != NULL)
			return patient_lookups[i].func (request, error);
	}
	return handle_list (request, error);
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
	{ "GET", "/v1/patients", MV_ROLE_CLINICIAN, handle_patients,
	  "List the clinic's patients (limit, cursor, updated_since; a next link), or find one "
	  "by MRN (?mrn=) or another identifier (?identifier=system|value) through its blind "
	  "index" },
	{ "GET", "/v1/patients/{id}", MV_ROLE_CLINICIAN | MV_ROLE_PATIENT, handle_get,
	  "Read a patient's profile (a patient token: its own only)" },
	{ "PATCH", "/v1/patients/{id}", MV_ROLE_CLINICIAN, handle_patch,
	  "Merge-patch a profile; If-Match with the ETag is required" },
	{ "DELETE", "/v1/patients/{id}", MV_ROLE_ANY_CLINIC_STAFF, handle_delete,
	  "Erase a patient by destroying its key (crypto-shredding): a clinic admin, with a "
	  "?reason= code, outside the retention period" },
	{ "GET", "/v1/patients/{id}/export", MV_ROLE_CLINICIAN | MV_ROLE_PATIENT, handle_export,
	  "Everything held about a patient, for a data-access request" },
	{ "POST", "/v1/patients/{id}/invites", MV_ROLE_CLINICIAN, handle_invite,
	  "An invite code for the patient app" },
	{ "GET", "/v1/me", MV_ROLE_PATIENT, handle_me, "The calling patient's own profile" },
	{ "PUT", "/v1/me/preferences", MV_ROLE_PATIENT, handle_me_preferences,
	  "The calling patient sets its own time zone (an IANA name) and language (\"en\" or "
	  "\"zh\"): {time_zone?, language?}; the plan's today and streak days follow "
	  "them; If-Match optional; audited as a profile change" },
	{ "DELETE", "/v1/admin/tenants/{id}/patients/{patient}", MV_ROLE_OPERATOR,
	  handle_force_delete,
	  "The operator erases a patient of a clinic, inside its retention period too "
	  "(?reason=…&force=true)" },
};

const MvHttpRoute *
mv_patients_http_routes (guint *n_routes)
{
	*n_routes = G_N_ELEMENTS (routes);
	return routes;
}
