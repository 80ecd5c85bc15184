/* The VR routes: see mv-vr-api.h.  Handlers translate HTTP to the VR service (mv-vr.h). */
#define G_LOG_DOMAIN "medverse-vr"

#include "mv-vr-api.h"

#include <medverse/mv-error.h>

#include "clinical/mv-clinical-api.h"
#include "mv-http-api.h"
#include "mv-locale.h"
#include "mv-vr.h"

/* The caller's language as every route reads it (docs/api.md, "Errors"): Accept-Language with
 * its weights, Traditional Chinese not taken for Simplified; a D-Bus call's locale argument
 * when there is no header.  "en" or "zh". */
static const gchar *
caller_language (MvHttpRequest *request)
{
	const gchar *header = mv_http_request_get_header (request, "Accept-Language");
	MvLanguage language = header != NULL
				      ? mv_locale_language_from_accept_language (header)
				      : mv_locale_language (mv_http_request_get_locale (request));

	return language == MV_LANGUAGE_ZH ? "zh" : "en";
}

/* Fills @job for the request; a /v1/me route (@me) without a patient key is FORBIDDEN. */
static gboolean
vr_job_init (MvVrJob *job, MvHttpRequest *request, gboolean me, GError **error)
{
	const MvAuthContext *auth = mv_http_request_get_auth (request);

	mv_plan_job_init (job, mv_http_request_get_user_data (request), auth,
			  mv_http_request_get_id (request), caller_language (request),
			  me ? (auth != NULL ? auth->patient_id : NULL)
			     : mv_http_request_get_param (request, "id"));
	if (job->patient_id != NULL)
		return TRUE;
	mv_set_error_bilingual (error, MV_ERROR_FORBIDDEN, "only a patient key has a /v1/me",
				"只有患者密钥才有 /v1/me");
	return FALSE;
}

/* The answer's texts are in @language: say so (RFC 9110 Content-Language), as the risk and
 * plugin routes do. */
static void
set_content_language (MvHttpRequest *request, const gchar *language)
{
	mv_http_request_set_header (request, "Content-Language",
				    mv_language_to_tag (g_strcmp0 (language, "zh") == 0
								? MV_LANGUAGE_ZH
								: MV_LANGUAGE_EN));
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
do_sessions (MvHttpRequest *request, gboolean me, GError **error)
{
	g_auto (MvVrJob) job = { 0 };
	MvClinicalQuery query = {
		.code = mv_http_request_get_query (request, "code"),
		.from = mv_http_request_get_query (request, "from"),
		.to = mv_http_request_get_query (request, "to"),
		.limit = mv_http_request_get_query (request, "limit"),
		.cursor = mv_http_request_get_query (request, "cursor"),
	};

	g_autofree gchar *lower = NULL;
	g_autofree gchar *path = NULL;
	JsonObject *out;

	if (!vr_job_init (&job, request, me, error))
		return NULL;
	out = mv_vr_sessions (&job, &query, error);
	if (out == NULL)
		return NULL;
	/* `next` as every record list builds it (the clinical routes' helper) */
	lower = g_ascii_strdown (job.patient_id, -1);
	path = me ? g_strdup ("/v1/me/vr/sessions")
		  : g_strdup_printf ("/v1/patients/%s/vr/sessions", lower);
	mv_clinical_list_set_next (request, out, path);
	return object_node (out);
}

static JsonNode *
handle_sessions (MvHttpRequest *request, GError **error)
{
	return do_sessions (request, FALSE, error);
}

static JsonNode *
handle_me_sessions (MvHttpRequest *request, GError **error)
{
	return do_sessions (request, TRUE, error);
}

/* ?limit=1..MV_VR_LIST_MAX, default MV_VR_LIST_LENGTH (anything else: a problem at /limit) */
static gboolean
list_limit (MvHttpRequest *request, guint *out, GError **error)
{
	const gchar *v = mv_http_request_get_query (request, "limit");
	guint64 n = 0;

	*out = MV_VR_LIST_LENGTH;
	if (v == NULL)
		return TRUE;
	if (g_ascii_string_to_unsigned (v, 10, 1, MV_VR_LIST_MAX, &n, NULL)) {
		*out = (guint)n;
		return TRUE;
	}
	mv_error_add_problem (error, "/limit", "out-of-range", "must be a whole number, 1 to 50",
			      "必须是 1 至 50 的整数");
	return FALSE;
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

/* The titles: the patient's own app reads them in the patient's language (the profile's, else
 * the app's Accept-Language: the plan's rule); a clinician in theirs.  The ranking always
 * uses the patient's (the narration's language counts). */
static JsonNode *
do_recommend (MvHttpRequest *request, gboolean me, GError **error)
{
	g_auto (MvVrJob) job = { 0 };
	g_autoptr (GError) problems = NULL;
	gboolean excluded = FALSE;
	gboolean patients_own;
	guint limit = MV_VR_LIST_LENGTH;
	const gchar *language = NULL;
	JsonObject *out;

	/* every problem of the query at once */
	include_excluded (request, &excluded, &problems);
	list_limit (request, &limit, &problems);
	if (problems != NULL) {
		g_propagate_error (error, g_steal_pointer (&problems));
		return NULL;
	}
	if (!vr_job_init (&job, request, me, error))
		return NULL;
	/* a patient reading their own through the clinician's path is still the patient */
	patients_own = me || (job.call.caller != NULL && job.call.caller->role == MV_ROLE_PATIENT);
	out = mv_vr_recommend (&job, patients_own, excluded, limit, me ? NULL : job.call.language,
			       &language, error);
	if (out != NULL)
		set_content_language (request, language);
	return object_node (out);
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

/* ---- the clinic's catalog and a clinician's override ---------------------------------- */

static void
clinic_job_init (MvVrJob *job, MvHttpRequest *request)
{
	mv_plan_job_init (job, mv_http_request_get_user_data (request),
			  mv_http_request_get_auth (request), mv_http_request_get_id (request),
			  caller_language (request), NULL);
}

static JsonNode *
handle_catalog (MvHttpRequest *request, GError **error)
{
	g_auto (MvVrJob) job = { 0 };
	const gchar *language = mv_http_request_get_query (request, "language");

	if (language != NULL && !g_str_equal (language, "en") && !g_str_equal (language, "zh")) {
		mv_error_add_problem (error, "/language", "not-allowed", "must be en or zh",
				      "必须是 en 或 zh");
		return NULL;
	}
	clinic_job_init (&job, request);
	/* in one language only when asked for one; else both, and no Content-Language */
	if (language != NULL)
		set_content_language (request, language);
	return object_node (mv_vr_catalog (&job, language, error));
}

static JsonNode *
handle_item_add (MvHttpRequest *request, GError **error)
{
	g_auto (MvVrJob) job = { 0 };
	JsonObject *item;

	clinic_job_init (&job, request);
	item = mv_vr_item_add (&job, mv_http_request_get_body (request), error);
	if (item != NULL)
		mv_http_request_set_status (request, 201);
	return object_node (item);
}

static JsonNode *
handle_item_delete (MvHttpRequest *request, GError **error)
{
	g_auto (MvVrJob) job = { 0 };

	clinic_job_init (&job, request);
	if (!mv_vr_item_delete (&job, mv_http_request_get_param (request, "item"), error))
		return NULL;
	mv_http_request_set_status (request, 204);
	return NULL;
}

/* said with every override stored: what a pin does and does not do */
static JsonObject *
pin_notice (void)
{
	JsonObject *n = json_object_new ();

	json_object_set_string_member (n, "en",
				       "Pinned items come first only when the safety filter allows "
				       "them: a pin never overrides safety.");
	json_object_set_string_member (
		n, "zh", "置顶内容只有在通过安全筛查时才会排在前面：置顶不会越过安全筛查。");
	return n;
}

static JsonNode *
handle_override_put (MvHttpRequest *request, GError **error)
{
	g_auto (MvVrJob) job = { 0 };
	g_autoptr (GHashTable) known = NULL;
	g_autoptr (JsonArray) notes = json_array_new ();
	guint64 if_match = 0;
	JsonObject *stored;

	if (!vr_job_init (&job, request, FALSE, error)
	    || !mv_http_request_get_if_match (request, FALSE, &if_match, error)
	    || !mv_clinical_store_check_patient (job.store, &job.call, job.patient_id, error))
		return NULL;
	if (!mv_vr_plugin_loaded (job.engine)) {
		mv_set_error_bilingual (error, MV_ERROR_UNAVAILABLE,
					"the vr-recommender plugin is not loaded: the ids cannot "
					"be checked",
					"VR 推荐插件（vr-recommender）未加载，无法核对 id");
		return NULL;
	}
	known = mv_vr_known_ids (&job, error);
	if (known == NULL)
		return NULL;
	stored = mv_vr_override_put (&job, mv_http_request_get_body (request), known, if_match,
				     notes, error);
	if (stored == NULL)
		return NULL;
	mv_http_request_set_etag (request, (guint64)json_object_get_int_member (stored, "version"));
	json_object_set_object_member (stored, "notice", pin_notice ());
	json_object_set_array_member (stored, "notes", g_steal_pointer (&notes));
	return object_node (stored);
}

static JsonNode *
handle_override_get (MvHttpRequest *request, GError **error)
{
	g_auto (MvVrJob) job = { 0 };
	JsonObject *current;

	if (!vr_job_init (&job, request, FALSE, error)
	    || !mv_clinical_store_check_patient (job.store, &job.call, job.patient_id, error))
		return NULL;
	current = mv_vr_override_current (&job, error);
	if (current != NULL && json_object_has_member (current, "version"))
		mv_http_request_set_etag (request,
					  (guint64)json_object_get_int_member (current, "version"));
	return object_node (current);
}

static JsonNode *
handle_override_delete (MvHttpRequest *request, GError **error)
{
	g_auto (MvVrJob) job = { 0 };
	guint64 if_match = 0;
	JsonObject *record;

	if (!vr_job_init (&job, request, FALSE, error)
	    || !mv_http_request_get_if_match (request, FALSE, &if_match, error)
	    || !mv_clinical_store_check_patient (job.store, &job.call, job.patient_id, error))
		return NULL;
	record = mv_vr_override_delete (&job, if_match, error);
	if (record != NULL)
		mv_http_request_set_etag (request,
					  (guint64)json_object_get_int_member (record, "version"));
	return object_node (record);
}

#define READERS (MV_ROLE_CLINICIAN | MV_ROLE_PATIENT)
#define STAFF (MV_ROLE_CLINICIAN | MV_ROLE_CLINIC_ADMIN)

static const MvHttpRoute routes[] = {
	{ "POST", "/v1/me/vr/sessions", MV_ROLE_PATIENT, handle_me_session,
	  "Report a VR session ({client_id, content_id, started_at, duration_min, completed, "
	  "rating?, cybersickness?, pain_before?, pain_after?, performance?}): stored sealed "
	  "with its safety_flags, points earned (points_note says why none); a repeat of its "
	  "client_id with the same members answers the stored "
	  "session (200), with other members 409" },
	{ "GET", "/v1/me/vr/sessions", MV_ROLE_PATIENT, handle_me_sessions,
	  "The calling patient's VR sessions, newest first (?code, ?from, ?to, ?limit, ?cursor; "
	  "next)" },
	{ "GET", "/v1/me/vr/recommendations", MV_ROLE_PATIENT, handle_me_recommend,
	  "The calling patient's VR content, safe for them and ranked, each with its reasons "
	  "(?limit=1..50, default 10; ?include_excluded=true: what the safety filter removed, "
	  "and why)" },
	{ "GET", "/v1/patients/{id}/vr/sessions", READERS, handle_sessions,
	  "A patient's VR sessions, newest first (?code, ?from, ?to, ?limit, ?cursor; next), "
	  "each with its safety_flags" },
	{ "GET", "/v1/patients/{id}/vr/recommendations", READERS, handle_recommend,
	  "A patient's VR recommendations, titles in the caller's language (?limit=1..50, "
	  "default 10; ?include_excluded=true: what the safety filter removed, and why)" },
	{ "PUT", "/v1/patients/{id}/vr/overrides", MV_ROLE_CLINICIAN, handle_override_put,
	  "Block items for a patient and pin others ({block: [ids], pin: [ids], note?}): pinned "
	  "items come first only when the safety filter allows them; If-Match required to change "
	  "a stored override; audited" },
	{ "GET", "/v1/patients/{id}/vr/overrides", MV_ROLE_CLINICIAN, handle_override_get,
	  "The patient's current VR override ({} when none), ETag its version" },
	{ "DELETE", "/v1/patients/{id}/vr/overrides", MV_ROLE_CLINICIAN, handle_override_delete,
	  "Remove the patient's VR override (entered-in-error; If-Match optional)" },
	{ "GET", "/v1/vr/catalog", STAFF | MV_ROLE_PATIENT, handle_catalog,
	  "The VR catalog: the shipped items (?language=en|zh) and the clinic's own" },
	{ "POST", "/v1/vr/catalog/items", STAFF, handle_item_add,
	  "Add a clinic item (members as in the shipped catalog), checked by the plugin's "
	  "ValidateItem: every problem at once, nothing written when refused" },
	{ "DELETE", "/v1/vr/catalog/items/{item}", STAFF, handle_item_delete,
	  "Delete one of the clinic's own items" },
};

const MvHttpRoute *
mv_vr_http_routes (guint *n_routes)
{
	*n_routes = G_N_ELEMENTS (routes);
	return routes;
}
