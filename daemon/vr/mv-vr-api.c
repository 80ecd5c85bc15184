/* The VR routes: see mv-vr-api.h.  Handlers translate HTTP to the VR service (mv-vr.h). */
#define G_LOG_DOMAIN "medverse-vr"

#include "mv-vr-api.h"

#include <medverse/mv-error.h>

#include "mv-http-api.h"
#include "mv-vr.h"

/* Fills @job for the request; a /v1/me route (@me) without a patient key is FORBIDDEN. */
static gboolean
vr_job_init (MvVrJob *job, MvHttpRequest *request, gboolean me, GError **error)
{
	const gchar *locale = mv_http_request_get_locale (request);
	const MvAuthContext *auth = mv_http_request_get_auth (request);
	const gchar *language
		= locale != NULL && g_ascii_strncasecmp (locale, "zh", 2) == 0 ? "zh" : "en";

	mv_plan_job_init (job, mv_http_request_get_user_data (request), auth,
			  mv_http_request_get_id (request), language,
			  me ? (auth != NULL ? auth->patient_id : NULL)
			     : mv_http_request_get_param (request, "id"));
	if (job->patient_id != NULL)
		return TRUE;
	mv_set_error_bilingual (error, MV_ERROR_FORBIDDEN, "only a patient key has a /v1/me",
				"只有患者密钥才有 /v1/me");
	return FALSE;
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

static JsonNode *
handle_me_session (MvHttpRequest *request, GError **error)
{
	g_auto (MvVrJob) job = { 0 };
	gboolean created = FALSE;
	JsonObject *out;

	if (!vr_job_init (&job, request, TRUE, error))
		return NULL;
	out = mv_vr_session_post (&job, mv_http_request_get_body (request), &created, error);
	if (out != NULL)
		mv_http_request_set_status (request, created ? 201 : 200);
	return object_node (out);
}

static JsonNode *
handle_sessions (MvHttpRequest *request, GError **error)
{
	g_auto (MvVrJob) job = { 0 };
	MvClinicalQuery query = {
		.from = mv_http_request_get_query (request, "from"),
		.to = mv_http_request_get_query (request, "to"),
		.limit = mv_http_request_get_query (request, "limit"),
		.cursor = mv_http_request_get_query (request, "cursor"),
	};

	if (!vr_job_init (&job, request, FALSE, error))
		return NULL;
	return object_node (mv_vr_sessions (&job, &query, error));
}

/* ?include_excluded=true|false (anything else is a problem at /include_excluded) */
static gboolean
include_excluded (MvHttpRequest *request, gboolean *out, GError **error)
{
	const gchar *v = mv_http_request_get_query (request, "include_excluded");

	*out = g_strcmp0 (v, "true") == 0;
	if (v == NULL || *out || g_str_equal (v, "false"))
		return TRUE;
	mv_error_add_problem (error, "/include_excluded", "wrong-type", "must be true or false",
			      "必须是 true 或 false");
	return FALSE;
}

static JsonNode *
do_recommend (MvHttpRequest *request, gboolean me, GError **error)
{
	g_auto (MvVrJob) job = { 0 };
	gboolean excluded = FALSE;

	if (!include_excluded (request, &excluded, error)
	    || !vr_job_init (&job, request, me, error))
		return NULL;
	return object_node (mv_vr_recommend (&job, excluded, error));
}

static JsonNode *
handle_me_recommend (MvHttpRequest *request, GError **error)
{
	return do_recommend (request, TRUE, error);
}

static JsonNode *
handle_recommend (MvHttpRequest *request, GError **error)
{
	return do_recommend (request, FALSE, error);
}

#define READERS (MV_ROLE_CLINICIAN | MV_ROLE_PATIENT)

static const MvHttpRoute routes[] = {
	{ "POST", "/v1/me/vr/sessions", MV_ROLE_PATIENT, handle_me_session,
	  "Report a VR session ({client_id, content_id, started_at, duration_min, completed, "
	  "rating?, cybersickness?, pain_before?, pain_after?, performance?}): stored sealed, "
	  "points earned; a repeat of its client_id answers the stored session (200)" },
	{ "GET", "/v1/me/vr/recommendations", MV_ROLE_PATIENT, handle_me_recommend,
	  "The calling patient's VR content, safe for them and ranked, each with its reasons "
	  "(?include_excluded=true: what the safety filter removed, and why)" },
	{ "GET", "/v1/patients/{id}/vr/sessions", READERS, handle_sessions,
	  "A patient's VR sessions, newest first (?from, ?to, ?limit, ?cursor)" },
	{ "GET", "/v1/patients/{id}/vr/recommendations", READERS, handle_recommend,
	  "A patient's VR recommendations (?include_excluded=true: what the safety filter "
	  "removed, and why)" },
};

const MvHttpRoute *
mv_vr_http_routes (guint *n_routes)
{
	*n_routes = G_N_ELEMENTS (routes);
	return routes;
}
