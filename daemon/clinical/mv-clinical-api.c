/* The HTTP routes of the clinical store: see mv-clinical-api.h and docs/api.md ("Clinical
 * record").  Handlers only translate HTTP (ids, query, ETags, statuses) to the store. */
#define G_LOG_DOMAIN "medverse-clinical"

#include "mv-clinical-api.h"

#include <medverse/mv-error.h>
#include <string.h>

#include "mv-clinical-store.h"
#include "mv-http-api.h"
#include "mv-risk-api.h"
#include "plans/mv-plan-service.h"

static MvClinicalStore *
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
	JsonNode *node = json_node_init_object (json_node_alloc (), object);
	json_object_unref (object);
	return node;
}

/* The patient a route is about: {id} of /v1/patients/{id}/…, or the caller of /v1/me/…. */
static const gchar *
patient_of (MvHttpRequest *request, gboolean me, GError **error)
{
	const MvAuthContext *auth = mv_http_request_get_auth (request);

	if (!me)
		return mv_http_request_get_param (request, "id");
	if (auth == NULL || auth->patient_id == NULL) {
		mv_set_error_bilingual (error, MV_ERROR_FORBIDDEN,
					"only a patient key has a /v1/me",
					"只有患者密钥才有 /v1/me");
		return NULL;
	}
	return auth->patient_id;
}

/* A record answer: its version is the ETag. */
static JsonNode *
record_node (MvHttpRequest *request, JsonObject *record)
{
	if (record == NULL)
		return NULL;
	mv_http_request_set_etag (request, (guint64)json_object_get_int_member (record, "version"));
	return object_node (record);
}

/* ---- handlers, by kind ------------------------------------------------------------------- */

/* A stored note's findings go to the plan generator's triage: a red flag suppresses the
 * patient's plan at once, and the answer (@out: the note, or the batch) lists the flags
 * (mv_plan_triage_notes(); nothing is added when there was nothing to triage). */
static void
triage_notes (MvHttpRequest *request, const MvClinicalCall *call, JsonObject *out, gboolean batch)
{
	g_auto (MvPlanJob) job = { 0 };
	g_autoptr (JsonArray) notes = NULL;
	g_autoptr (JsonObject) extra = NULL;

	if (batch) {
		notes = json_array_ref (json_object_get_array_member (out, "notes"));
	} else {
		notes = json_array_new ();
		json_array_add_object_element (notes, json_object_ref (out));
	}
	mv_plan_job_init (&job, store_of (request), call->caller, call->request_id, call->language,
			  mv_http_request_get_param (request, "id"));
	extra = mv_plan_triage_notes (&job, notes);
	if (extra == NULL)
		return;
	if (json_object_has_member (extra, "red_flags"))
		json_object_set_member (
			out, "red_flags",
			json_node_copy (json_object_get_member (extra, "red_flags")));
	json_object_set_member (out, "triage",
				json_node_copy (json_object_get_member (extra, "triage")));
}

static JsonNode *
do_create (MvHttpRequest *request, const gchar *plural, GError **error)
{
	const MvClinicalKind *kind = mv_clinical_kind_lookup (plural);
	MvClinicalCall call = call_of (request);
	const gchar *patient_id = mv_http_request_get_param (request, "id");
	gboolean batch = FALSE;
	JsonObject *out
		= mv_clinical_store_create (store_of (request), &call, kind, patient_id,
					    mv_http_request_get_body (request), &batch, error);
	g_autofree gchar *location = NULL;
	g_autofree gchar *lower = NULL;

	if (out == NULL)
		return NULL;
	if (g_str_equal (plural, "notes"))
		triage_notes (request, &call, out, batch);
	mv_http_request_set_status (request, 201);
	if (batch)
		return object_node (out);
	lower = g_ascii_strdown (patient_id, -1);
	location = g_strdup_printf ("/v1/patients/%s/%s/%s", lower, plural,
				    json_object_get_string_member (out, "id"));
	mv_http_request_set_header (request, "Location", location);
	return record_node (request, out);
}

/* "&name=value" for a query parameter that was given */
static void
append_query (GString *link, MvHttpRequest *request, const gchar *name, const gchar *value)
{
	g_autofree gchar *escaped = NULL;

	if (value == NULL)
		value = mv_http_request_get_query (request, name);
	if (value == NULL)
		return;
	escaped = g_uri_escape_string (value, NULL, FALSE);
	g_string_append_printf (link, "%s%s=%s", strchr (link->str, '?') != NULL ? "&" : "?", name,
				escaped);
}

void
mv_clinical_list_set_next (MvHttpRequest *request, JsonObject *out, const gchar *path)
{
	static const gchar *const kept[] = { "code", "from", "to", "include", "limit" };
	const gchar *next = json_object_get_string_member_with_default (out, "next_cursor", NULL);
	g_autoptr (GString) link = NULL;

	if (next == NULL) {
		json_object_set_null_member (out, "next");
		return;
	}
	link = g_string_new (path);
	for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
		append_query (link, request, kept[i], NULL);
	append_query (link, request, "cursor", next);
	json_object_set_string_member (out, "next", link->str);
}

static JsonNode *
do_list (MvHttpRequest *request, const gchar *plural, gboolean me, GError **error)
{
	const MvClinicalKind *kind = mv_clinical_kind_lookup (plural);
	MvClinicalCall call = call_of (request);
	const gchar *patient_id = patient_of (request, me, error);
	MvClinicalQuery query = {
		.code = mv_http_request_get_query (request, "code"),
		.from = mv_http_request_get_query (request, "from"),
		.to = mv_http_request_get_query (request, "to"),
		.include = mv_http_request_get_query (request, "include"),
		.limit = mv_http_request_get_query (request, "limit"),
		.cursor = mv_http_request_get_query (request, "cursor"),
	};
	g_autofree gchar *lower = NULL;
	g_autofree gchar *path = NULL;
	JsonObject *out;

	if (patient_id == NULL)
		return NULL;
	out = mv_clinical_store_list (store_of (request), &call, kind, patient_id, &query, error);
	if (out == NULL)
		return NULL;
	lower = g_ascii_strdown (patient_id, -1);
	if (me)
		path = g_strdup_printf ("/v1/me/%s", plural);
	else
		path = g_strdup_printf ("/v1/patients/%s/%s", lower, plural);
	mv_clinical_list_set_next (request, out, path);
	return object_node (out);
}

static JsonNode *
do_get (MvHttpRequest *request, const gchar *plural, gboolean me, GError **error)
{
	MvClinicalCall call = call_of (request);
	const gchar *patient_id = patient_of (request, me, error);

	if (patient_id == NULL)
		return NULL;
	return record_node (
		request, mv_clinical_store_get (store_of (request), &call,
						mv_clinical_kind_lookup (plural), patient_id,
						mv_http_request_get_param (request, "rid"), error));
}

static JsonNode *
do_patch (MvHttpRequest *request, const gchar *plural, GError **error)
{
	MvClinicalCall call = call_of (request);
	guint64 expected = 0;

	if (!mv_http_request_get_if_match (request, TRUE, &expected, error))
		return NULL;
	return record_node (request,
			    mv_clinical_store_update (
				    store_of (request), &call, mv_clinical_kind_lookup (plural),
				    mv_http_request_get_param (request, "id"),
				    mv_http_request_get_param (request, "rid"),
				    mv_http_request_get_body (request), expected, error));
}

static JsonNode *
do_delete (MvHttpRequest *request, const gchar *plural, GError **error)
{
	MvClinicalCall call = call_of (request);
	guint64 expected = 0;

	if (!mv_http_request_get_if_match (request, FALSE, &expected, error))
		return NULL;
	return record_node (request,
			    mv_clinical_store_mark_entered_in_error (
				    store_of (request), &call, mv_clinical_kind_lookup (plural),
				    mv_http_request_get_param (request, "id"),
				    mv_http_request_get_param (request, "rid"), expected, error));
}

/* @kind_name NULL: the profile, whose record is the patient */
static JsonNode *
do_history (MvHttpRequest *request, const gchar *plural, gboolean me, GError **error)
{
	MvClinicalCall call = call_of (request);
	const gchar *patient_id = patient_of (request, me, error);
	const MvClinicalKind *kind = plural != NULL ? mv_clinical_kind_lookup (plural) : NULL;
	JsonObject *out;

	if (patient_id == NULL)
		return NULL;
	out = mv_clinical_store_history (
		store_of (request), &call, kind != NULL ? kind->name : MV_CLINICAL_PROFILE_KIND,
		patient_id, kind != NULL ? mv_http_request_get_param (request, "rid") : patient_id,
		error);
	return out != NULL ? object_node (out) : NULL;
}

static JsonNode *
do_version (MvHttpRequest *request, const gchar *plural, gboolean me, GError **error)
{
	MvClinicalCall call = call_of (request);
	const gchar *patient_id = patient_of (request, me, error);
	const MvClinicalKind *kind = plural != NULL ? mv_clinical_kind_lookup (plural) : NULL;
	JsonObject *out;

	if (patient_id == NULL)
		return NULL;
	out = mv_clinical_store_get_version (
		store_of (request), &call, kind != NULL ? kind->name : MV_CLINICAL_PROFILE_KIND,
		patient_id, kind != NULL ? mv_http_request_get_param (request, "rid") : patient_id,
		mv_http_request_get_param (request, "v"), error);
	return out != NULL ? object_node (out) : NULL;
}

static JsonNode *
handle_changes (MvHttpRequest *request, GError **error)
{
	MvClinicalCall call = call_of (request);
	JsonObject *out = mv_clinical_store_changes (
		store_of (request), &call, mv_http_request_get_query (request, "since"),
		mv_http_request_get_query (request, "limit"), error);

	return out != NULL ? object_node (out) : NULL;
}

#define PROFILE_HANDLERS(me, tag)                                                                  \
	static JsonNode *handle_profile_history_##tag (MvHttpRequest *r, GError **e)               \
	{                                                                                          \
		return do_history (r, NULL, me, e);                                                \
	}                                                                                          \
	static JsonNode *handle_profile_version_##tag (MvHttpRequest *r, GError **e)               \
	{                                                                                          \
		return do_version (r, NULL, me, e);                                                \
	}
PROFILE_HANDLERS (FALSE, patients)
PROFILE_HANDLERS (TRUE, me)

/* The eleven handlers of one kind, named after its plural. */
#define KIND_HANDLERS(K)                                                                           \
	static JsonNode *handle_create_##K (MvHttpRequest *r, GError **e)                          \
	{                                                                                          \
		return do_create (r, #K, e);                                                       \
	}                                                                                          \
	static JsonNode *handle_list_##K (MvHttpRequest *r, GError **e)                            \
	{                                                                                          \
		return do_list (r, #K, FALSE, e);                                                  \
	}                                                                                          \
	static JsonNode *handle_get_##K (MvHttpRequest *r, GError **e)                             \
	{                                                                                          \
		return do_get (r, #K, FALSE, e);                                                   \
	}                                                                                          \
	static JsonNode *handle_patch_##K (MvHttpRequest *r, GError **e)                           \
	{                                                                                          \
		return do_patch (r, #K, e);                                                        \
	}                                                                                          \
	static JsonNode *handle_delete_##K (MvHttpRequest *r, GError **e)                          \
	{                                                                                          \
		return do_delete (r, #K, e);                                                       \
	}                                                                                          \
	static JsonNode *handle_history_##K (MvHttpRequest *r, GError **e)                         \
	{                                                                                          \
		return do_history (r, #K, FALSE, e);                                               \
	}                                                                                          \
	static JsonNode *handle_version_##K (MvHttpRequest *r, GError **e)                         \
	{                                                                                          \
		return do_version (r, #K, FALSE, e);                                               \
	}                                                                                          \
	static JsonNode *handle_me_list_##K (MvHttpRequest *r, GError **e)                         \
	{                                                                                          \
		return do_list (r, #K, TRUE, e);                                                   \
	}                                                                                          \
	static JsonNode *handle_me_get_##K (MvHttpRequest *r, GError **e)                          \
	{                                                                                          \
		return do_get (r, #K, TRUE, e);                                                    \
	}                                                                                          \
	static JsonNode *handle_me_history_##K (MvHttpRequest *r, GError **e)                      \
	{                                                                                          \
		return do_history (r, #K, TRUE, e);                                                \
	}                                                                                          \
	static JsonNode *handle_me_version_##K (MvHttpRequest *r, GError **e)                      \
	{                                                                                          \
		return do_version (r, #K, TRUE, e);                                                \
	}

KIND_HANDLERS (observations)
KIND_HANDLERS (conditions)
KIND_HANDLERS (allergies)
KIND_HANDLERS (medications)
KIND_HANDLERS (encounters)
KIND_HANDLERS (notes)

/* Risk assessments are written by the daemon (POST /v1/patients/{id}/risk): a client reads,
 * lists and retracts them, and does not create or patch one. */
#define READ_KIND_HANDLERS(tag, plural)                                                            \
	static JsonNode *handle_list_##tag (MvHttpRequest *r, GError **e)                          \
	{                                                                                          \
		return do_list (r, plural, FALSE, e);                                              \
	}                                                                                          \
	static JsonNode *handle_get_##tag (MvHttpRequest *r, GError **e)                           \
	{                                                                                          \
		return do_get (r, plural, FALSE, e);                                               \
	}                                                                                          \
	static JsonNode *handle_delete_##tag (MvHttpRequest *r, GError **e)                        \
	{                                                                                          \
		return do_delete (r, plural, e);                                                   \
	}                                                                                          \
	static JsonNode *handle_history_##tag (MvHttpRequest *r, GError **e)                       \
	{                                                                                          \
		return do_history (r, plural, FALSE, e);                                           \
	}                                                                                          \
	static JsonNode *handle_version_##tag (MvHttpRequest *r, GError **e)                       \
	{                                                                                          \
		return do_version (r, plural, FALSE, e);                                           \
	}                                                                                          \
	static JsonNode *handle_me_list_##tag (MvHttpRequest *r, GError **e)                       \
	{                                                                                          \
		return do_list (r, plural, TRUE, e);                                               \
	}                                                                                          \
	static JsonNode *handle_me_get_##tag (MvHttpRequest *r, GError **e)                        \
	{                                                                                          \
		return do_get (r, plural, TRUE, e);                                                \
	}

READ_KIND_HANDLERS (risk_assessments, "risk-assessments")

#define CLIN MV_ROLE_CLINICIAN
#define READERS (MV_ROLE_CLINICIAN | MV_ROLE_PATIENT)
#define P "/v1/patients/{id}/"
#define ME "/v1/me/"

/* The eleven routes of one kind (@what: "an observation", for the summaries).  Not
 * clang-formatted: it cannot lay out initialiser lists inside a macro. */
/* clang-format off */
#define KIND_ROUTES(K, what)                                                                       \
	{ "POST", P #K, CLIN, handle_create_##K,                                                   \
	  "Record " what " (201, ETag), or a batch {\"" #K "\": [...]} of up to 100, all or none" },\
	{ "GET", P #K, READERS, handle_list_##K,                                                   \
	  "List a patient's " #K ", newest first (code, from, to, include, limit, cursor)" },     \
	{ "GET", P #K "/{rid}", READERS, handle_get_##K,                                           \
	  "Read " what " (ETag = its version)" },                                                  \
	{ "PATCH", P #K "/{rid}", CLIN, handle_patch_##K,                                          \
	  "Merge-patch " what "; If-Match required; an empty patch changes nothing" },             \
	{ "DELETE", P #K "/{rid}", CLIN, handle_delete_##K,                                        \
	  "Mark " what " entered-in-error (a new version; it stays readable)" },                   \
	{ "GET", P #K "/{rid}/history", READERS, handle_history_##K,                               \
	  "Every version of " what " (version, status, time, actor)" },                            \
	{ "GET", P #K "/{rid}/versions/{v}", READERS, handle_version_##K,                          \
	  "One version of " what },                                                                \
	{ "GET", ME #K, MV_ROLE_PATIENT, handle_me_list_##K,                                       \
	  "The calling patient's own " #K },                                                       \
	{ "GET", ME #K "/{rid}", MV_ROLE_PATIENT, handle_me_get_##K,                               \
	  "One of the calling patient's own " #K },                                                \
	{ "GET", ME #K "/{rid}/history", MV_ROLE_PATIENT, handle_me_history_##K,                   \
	  "The history of one of the calling patient's own " #K },                                 \
	{ "GET", ME #K "/{rid}/versions/{v}", MV_ROLE_PATIENT, handle_me_version_##K,              \
	  "One version of one of the calling patient's own " #K }
/* clang-format on */

static const MvHttpRoute routes[] = {
	/* before /v1/patients/{id} of the patient routes: the router takes the first match */
	{ "GET", "/v1/patients/changes", CLIN, handle_changes,
	  "The clinic's change feed after ?since=SEQ: ids and versions only" },
	{ "GET", P "history", READERS, handle_profile_history_patients,
	  "Every version of a patient's profile" },
	{ "GET", P "versions/{v}", READERS, handle_profile_version_patients,
	  "One version of a patient's profile" },
	{ "GET", ME "history", MV_ROLE_PATIENT, handle_profile_history_me,
	  "Every version of the calling patient's own profile" },
	{ "GET", ME "versions/{v}", MV_ROLE_PATIENT, handle_profile_version_me,
	  "One version of the calling patient's own profile" },
	KIND_ROUTES (observations, "an observation"),
	KIND_ROUTES (conditions, "a condition"),
	KIND_ROUTES (allergies, "an allergy"),
	KIND_ROUTES (medications, "a medication statement"),
	KIND_ROUTES (encounters, "an encounter"),
	KIND_ROUTES (notes, "a note"),
	/* risk scores from the record (mv-risk-api.h), stored as risk assessments */
	{ "POST", P "risk", CLIN, mv_risk_http_score_all,
	  "Score every risk model from the record and the inputs supplied ({\"inputs\"?, "
	  "\"override\"?}, no body is {}); store each complete score as a risk assessment, list "
	  "each other model with what is missing",
	  .body_optional = TRUE },
	{ "POST", P "risk/{model}", CLIN, mv_risk_http_score_one,
	  "Score one risk model from the record and the inputs supplied: the stored risk "
	  "assessment, or what is missing",
	  .body_optional = TRUE },
	{ "GET", P "risk-assessments", READERS, handle_list_risk_assessments,
	  "List a patient's risk assessments, newest first (code = model id, from, to, include, "
	  "limit, cursor)" },
	{ "GET", P "risk-assessments/{rid}", READERS, handle_get_risk_assessments,
	  "Read a risk assessment (ETag = its version)" },
	{ "DELETE", P "risk-assessments/{rid}", CLIN, handle_delete_risk_assessments,
	  "Mark a risk assessment entered-in-error (a new version; it stays readable)" },
	{ "GET", P "risk-assessments/{rid}/history", READERS, handle_history_risk_assessments,
	  "Every version of a risk assessment" },
	{ "GET", P "risk-assessments/{rid}/versions/{v}", READERS, handle_version_risk_assessments,
	  "One version of a risk assessment" },
	{ "GET", ME "risk-assessments", MV_ROLE_PATIENT, handle_me_list_risk_assessments,
	  "The calling patient's own risk assessments" },
	{ "GET", ME "risk-assessments/{rid}", MV_ROLE_PATIENT, handle_me_get_risk_assessments,
	  "One of the calling patient's own risk assessments" },
};

const MvHttpRoute *
mv_clinical_http_routes (guint *n_routes)
{
	*n_routes = G_N_ELEMENTS (routes);
	return routes;
}
