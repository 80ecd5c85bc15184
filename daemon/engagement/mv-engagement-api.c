/* The HTTP routes of the engagement store: see mv-engagement-api.h and docs/api.md
 * ("Engagement"). */
#define G_LOG_DOMAIN "medverse-engagement"

#include "mv-engagement-api.h"

#include <medverse/mv-error.h>

#include "mv-engagement-store.h"
#include "mv-http-api.h"

static MvEngagementStore *
store_of (MvHttpRequest *request)
{
	return mv_http_request_get_user_data (request);
}

static MvClinicalCall
call_of (MvHttpRequest *request)
{
	const gchar *locale = mv_http_request_get_locale (request);

	return (MvClinicalCall){
		.caller = mv_http_request_get_auth (request),
		.request_id = mv_http_request_get_id (request),
		.language
		= locale != NULL && g_ascii_strncasecmp (locale, "zh", 2) == 0 ? "zh" : "en",
	};
}

static JsonNode *
object_node (JsonObject *object)
{
	JsonNode *node;

	if (object == NULL)
		return NULL;
	node = json_node_init_object (json_node_alloc (), object);
	json_object_unref (object);
	return node;
}

/* The patient a route is about: {id}, or the caller of /v1/me/…. */
static const gchar *
patient_of (MvHttpRequest *request, gboolean me)
{
	const MvAuthContext *auth = mv_http_request_get_auth (request);

	if (!me)
		return mv_http_request_get_param (request, "id");
	return auth != NULL ? auth->patient_id : NULL;
}

static JsonNode *
handle_checkin (MvHttpRequest *request, GError **error)
{
	MvClinicalCall call = call_of (request);
	gboolean created = FALSE;
	JsonObject *out = mv_engagement_store_checkin (
		store_of (request), &call, mv_http_request_get_body (request), &created, error);

	if (out != NULL)
		mv_http_request_set_status (request, created ? 201 : 200);
	return object_node (out);
}

static JsonNode *
do_progress (MvHttpRequest *request, gboolean me, GError **error)
{
	MvClinicalCall call = call_of (request);
	return object_node (mv_engagement_store_progress (store_of (request), &call,
							  patient_of (request, me), error));
}

static JsonNode *
handle_me_progress (MvHttpRequest *request, GError **error)
{
	return do_progress (request, TRUE, error);
}

static JsonNode *
handle_patient_progress (MvHttpRequest *request, GError **error)
{
	return do_progress (request, FALSE, error);
}

static JsonNode *
handle_patient_checkins (MvHttpRequest *request, GError **error)
{
	MvClinicalCall call = call_of (request);
	return object_node (mv_engagement_store_checkins (store_of (request), &call,
							  patient_of (request, FALSE), error));
}

static JsonNode *
handle_set_leaderboard (MvHttpRequest *request, GError **error)
{
	MvClinicalCall call = call_of (request);
	JsonObject *body = mv_http_request_get_body (request);
	JsonNode *opt_in = body != NULL ? json_object_get_member (body, "opt_in") : NULL;
	g_autoptr (GList) members = body != NULL ? json_object_get_members (body) : NULL;
	GError *problems = NULL;

	for (GList *l = members; l != NULL; l = l->next) {
		g_autofree gchar *pointer = g_strdup_printf ("/%s", (const gchar *)l->data);
		if (g_strcmp0 (l->data, "opt_in") != 0)
			mv_error_add_problem (&problems, pointer, "unknown-member",
					      "is not a member of this object", "不是该对象的成员");
	}
	if (opt_in == NULL)
		mv_error_add_problem (&problems, "/opt_in", "required", "is required", "为必填项");
	else if (!JSON_NODE_HOLDS_VALUE (opt_in)
		 || json_node_get_value_type (opt_in) != G_TYPE_BOOLEAN)
		mv_error_add_problem (&problems, "/opt_in", "wrong-type", "must be true or false",
				      "必须是 true 或 false");
	if (problems != NULL) {
		g_propagate_error (error, problems);
		return NULL;
	}
	return object_node (mv_engagement_store_set_leaderboard (
		store_of (request), &call, json_node_get_boolean (opt_in), error));
}

static JsonNode *
handle_leaderboard (MvHttpRequest *request, GError **error)
{
	MvClinicalCall call = call_of (request);
	return object_node (mv_engagement_store_leaderboard (store_of (request), &call, error));
}

#define READERS (MV_ROLE_CLINICIAN | MV_ROLE_PATIENT)

static const MvHttpRoute routes[] = {
	{ "POST", "/v1/me/checkins", MV_ROLE_PATIENT, handle_checkin,
	  "Check in (steps, blood pressure, mood…) or a batch {\"checkins\": [...]} of up to 100, "
	  "all or none: stored as Observations, points awarded; a repeat of an id answers the "
	  "first answer (200), with other content 409" },
	{ "GET", "/v1/me/progress", MV_ROLE_PATIENT, handle_me_progress,
	  "The calling patient's points, level, streak, badges and this week's challenges" },
	{ "PUT", "/v1/me/leaderboard", MV_ROLE_PATIENT, handle_set_leaderboard,
	  "Join or leave the clinic's leaderboard: {\"opt_in\": true|false}" },
	{ "GET", "/v1/me/leaderboard", MV_ROLE_PATIENT, handle_leaderboard,
	  "The clinic's leaderboard: pseudonymous handles and points only, the caller's row "
	  "marked" },
	{ "GET", "/v1/patients/{id}/progress", READERS, handle_patient_progress,
	  "A patient's points, level, streak, badges and challenges" },
	{ "GET", "/v1/patients/{id}/checkins", READERS, handle_patient_checkins,
	  "A patient's check-ins, newest first, and the days with one among the last 7 and 28" },
};

const MvHttpRoute *
mv_engagement_http_routes (guint *n_routes)
{
	*n_routes = G_N_ELEMENTS (routes);
	return routes;
}
