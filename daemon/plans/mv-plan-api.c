/* The plan routes: see mv-plan-api.h and docs/api.md ("Plans").  Handlers translate HTTP to
 * the plan service (mv-plan-service.h), which reads the record, calls the plugin and stores. */
#define G_LOG_DOMAIN "medverse-plans"

#include "mv-plan-api.h"

#include <medverse/medverse-plugin.h>

#include "clinical/mv-clinical-store.h"
#include "mv-http-api.h"
#include "mv-plan-context.h"
#include "mv-plan-service.h"
#include "mv-plan.h"
#include "records/mv-record-schema.h"

/* Fills @r for the request; a /v1/me route (@me) without a patient key is FORBIDDEN. */
static void
plan_request_init (MvPlanJob *r, MvHttpRequest *request, gboolean me, GError **error)
{
	const gchar *locale = mv_http_request_get_locale (request);
	const MvAuthContext *auth = mv_http_request_get_auth (request);
	const gchar *language
		= locale != NULL && g_ascii_strncasecmp (locale, "zh", 2) == 0 ? "zh" : "en";

	mv_plan_job_init (r, mv_http_request_get_user_data (request), auth,
			  mv_http_request_get_id (request), language,
			  me ? (auth != NULL ? auth->patient_id : NULL)
			     : mv_http_request_get_param (request, "id"));
	if (me && r->patient_id == NULL)
		mv_set_error_bilingual (error, MV_ERROR_FORBIDDEN,
					"only a patient key has a /v1/me",
					"只有患者密钥才有 /v1/me");
}

static JsonNode *
object_node (JsonObject *object)
{
	JsonNode *node = json_node_init_object (json_node_alloc (), object);
	json_object_unref (object);
	return node;
}

/* ---- the body ------------------------------------------------------------------------ */

static const MvField adherence_members[] = {
	{ "id", MV_FIELD_STRING, TRUE, 1, 64, NULL, NULL, NULL, "a goal's or task's id" },
	{ "planned", MV_FIELD_INT, TRUE, 0, 10000 },
	{ "done", MV_FIELD_INT, TRUE, 0, 10000 },
	{ NULL },
};

static const MvField replan_members[] = {
	{ "adherence", MV_FIELD_LIST, FALSE, 0, 500, NULL, adherence_members, NULL,
	  "last week's counts: [{id, planned, done}]; without it, the check-ins' (derived)" },
	{ NULL },
};

static const MvField clear_members[] = {
	{ "note", MV_FIELD_TEXT, FALSE, 1, 2000, NULL, NULL, NULL, "why, for the record" },
	{ NULL },
};

/* Splits the body into the context's values and the route's own members, and checks both:
 * every problem at once, unknown members included. */
static gboolean
read_body (MvPlanJob *r, MvHttpRequest *request, MvPlanMode mode, GError **error)
{
	JsonObject *body = mv_http_request_get_body (request);
	const MvField *own = mode == MV_PLAN_REPLAN  ? replan_members
			     : mode == MV_PLAN_CLEAR ? clear_members
						     : NULL;
	g_autoptr (GList) names = body != NULL ? json_object_get_members (body) : NULL;
	g_autoptr (JsonObject) rest = json_object_new ();
	g_autoptr (GError) problems = NULL;
	MvSchemaContext ctx = { r->now };

	r->supplied = json_object_new ();
	for (GList *l = names; l != NULL; l = l->next) {
		gboolean is_own = FALSE;
		for (const MvField *f = own; f != NULL && f->name != NULL; f++)
			is_own |= g_str_equal (f->name, l->data);
		json_object_set_member (is_own ? rest : r->supplied, l->data,
					json_node_copy (json_object_get_member (body, l->data)));
	}
	mv_schema_check (mv_plan_supplied_members, r->supplied, "", &ctx, &problems);
	if (own != NULL)
		mv_schema_check (own, rest, "", &ctx, &problems);
	if (problems != NULL) {
		g_propagate_error (error, g_steal_pointer (&problems));
		return FALSE;
	}
	if (mode == MV_PLAN_REPLAN && body != NULL && json_object_has_member (body, "adherence"))
		r->adherence = json_object_get_array_member (body, "adherence");
	if (mode == MV_PLAN_CLEAR && body != NULL && json_object_has_member (body, "note"))
		r->note = json_object_get_string_member (body, "note");
	return TRUE;
}

static JsonNode *
make_plan (MvHttpRequest *request, MvPlanMode mode, GError **error)
{
	g_auto (MvPlanJob) r = { 0 };
	g_autofree gchar *location = NULL;
	g_autofree gchar *lower = NULL;
	JsonObject *stored;

	plan_request_init (&r, request, FALSE, error);
	/* a stranger learns nothing, not even whether the plugin is loaded */
	if (!mv_clinical_store_check_patient (r.store, &r.call, r.patient_id, error))
		return NULL;
	if (!read_body (&r, request, mode, error))
		return NULL;
	stored = mv_plan_make (&r, mode, error);
	if (stored == NULL)
		return NULL;
	mv_http_request_set_status (request, 201);
	mv_http_request_set_etag (request, (guint64)json_object_get_int_member (stored, "version"));
	lower = g_ascii_strdown (r.patient_id, -1);
	location = g_strdup_printf ("/v1/patients/%s/plan", lower);
	mv_http_request_set_header (request, "Location", location);
	return object_node (stored);
}

static JsonNode *
handle_generate (MvHttpRequest *request, GError **error)
{
	return make_plan (request, MV_PLAN_GENERATE, error);
}

static JsonNode *
handle_replan (MvHttpRequest *request, GError **error)
{
	return make_plan (request, MV_PLAN_REPLAN, error);
}

static JsonNode *
handle_clear (MvHttpRequest *request, GError **error)
{
	return make_plan (request, MV_PLAN_CLEAR, error);
}

/* ---- reading ------------------------------------------------------------------------- */

static JsonNode *
do_get (MvHttpRequest *request, gboolean me, GError **error)
{
	g_auto (MvPlanJob) r = { 0 };
	JsonObject *plan;

	plan_request_init (&r, request, me, error);
	if (r.patient_id == NULL)
		return NULL;
	/* a plan whose week is over is re-planned first (mv_plan_current_weekly()) */
	plan = mv_plan_current_weekly (&r, error);
	if (plan == NULL)
		return NULL;
	mv_http_request_set_etag (request, (guint64)json_object_get_int_member (plan, "version"));
	return object_node (plan);
}

static JsonNode *
handle_get (MvHttpRequest *request, GError **error)
{
	return do_get (request, FALSE, error);
}

static JsonNode *
handle_me_get (MvHttpRequest *request, GError **error)
{
	return do_get (request, TRUE, error);
}

static JsonNode *
handle_history (MvHttpRequest *request, GError **error)
{
	g_auto (MvPlanJob) r = { 0 };
	g_autoptr (JsonObject) plan = NULL;
	JsonObject *out;

	plan_request_init (&r, request, FALSE, error);
	plan = mv_plan_current (&r, error);
	if (plan == NULL)
		return NULL;
	out = mv_clinical_store_history (r.store, &r.call, mv_plan_kind.name, r.patient_id,
					 json_object_get_string_member (plan, "id"), error);
	return out != NULL ? object_node (out) : NULL;
}

static JsonNode *
handle_version (MvHttpRequest *request, GError **error)
{
	g_auto (MvPlanJob) r = { 0 };
	g_autoptr (JsonObject) plan = NULL;
	JsonObject *out;

	plan_request_init (&r, request, FALSE, error);
	plan = mv_plan_current (&r, error);
	if (plan == NULL)
		return NULL;
	out = mv_clinical_store_get_version (r.store, &r.call, mv_plan_kind.name, r.patient_id,
					     json_object_get_string_member (plan, "id"),
					     mv_http_request_get_param (request, "v"), error);
	return out != NULL ? object_node (out) : NULL;
}

/* the day a /v1/me/today asks about: ?date= (checked by the caller), else today in the plan's
 * time zone */
static gchar *
day_of (const gchar *date, MvPlanJob *r, JsonObject *plan)
{
	JsonObject *used = json_object_get_object_member (plan, "context_used");

	if (date != NULL)
		return g_strdup (date);
	return mv_plan_local_date (
		r->now,
		used != NULL ? json_object_get_string_member_with_default (used, "time_zone", "UTC")
			     : "UTC");
}

static JsonNode *
handle_me_today (MvHttpRequest *request, GError **error)
{
	g_auto (MvPlanJob) r = { 0 };
	g_autoptr (JsonObject) plan = NULL;
	g_autofree gchar *day = NULL;
	const gchar *date = mv_http_request_get_query (request, "date");

	/* before the plan is read: a refused request leaves no audit entry */
	if (date != NULL && !mv_plan_date_valid (date)) {
		mv_schema_date_problem (error, "/date", date,
					"must be a date YYYY-MM-DD from 1870 to 2200",
					"应为 1870 至 2200 年间的日期 YYYY-MM-DD");
		return NULL;
	}
	plan_request_init (&r, request, TRUE, error);
	if (r.patient_id == NULL)
		return NULL;
	plan = mv_plan_current_weekly (&r, error);
	if (plan == NULL)
		return NULL;
	day = day_of (date, &r, plan);
	return object_node (mv_plan_today (plan, day));
}

/* The version before @plan (NULL for the first, or one the store no longer gives): its tasks
 * and follow-ups that @plan dropped are cancelled in the feed. */
static JsonObject *
previous_plan (MvPlanJob *r, JsonObject *plan, GError **error)
{
	gint64 version = json_object_get_int_member (plan, "version");
	g_autofree gchar *v = g_strdup_printf ("%" G_GINT64_FORMAT, version - 1);
	g_autoptr (GError) local = NULL;
	JsonObject *previous;

	if (version <= 1)
		return NULL;
	previous = mv_clinical_store_get_version (
		r->store, &r->call, mv_plan_kind.name, r->patient_id,
		json_object_get_string_member (plan, "id"), v, &local);
	if (previous == NULL && !g_error_matches (local, MV_ERROR, MV_ERROR_NOT_FOUND))
		g_propagate_error (error, g_steal_pointer (&local));
	return previous;
}

/* The plan as iCalendar for the patient (@me) or for a clinician of the patient's clinic: the
 * same feed, the roles of the plan's GET. */
static JsonNode *
plan_ics (MvHttpRequest *request, gboolean me, GError **error)
{
	g_auto (MvPlanJob) r = { 0 };
	g_autoptr (JsonObject) plan = NULL;
	g_autoptr (JsonObject) previous = NULL;
	g_autoptr (GError) local = NULL;

	plan_request_init (&r, request, me, error);
	if (r.patient_id == NULL)
		return NULL;
	plan = mv_plan_current (&r, error);
	if (plan == NULL)
		return NULL;
	previous = previous_plan (&r, plan, &local);
	if (local != NULL) {
		g_propagate_error (error, g_steal_pointer (&local));
		return NULL;
	}
	mv_http_request_set_text (request, "text/calendar; charset=utf-8",
				  mv_plan_ics_feed (plan, previous, r.now));
	mv_http_request_set_header (request, "Content-Disposition",
				    "attachment; filename=\"plan.ics\"");
	return NULL;
}

static JsonNode *
handle_me_ics (MvHttpRequest *request, GError **error)
{
	return plan_ics (request, TRUE, error);
}

static JsonNode *
handle_ics (MvHttpRequest *request, GError **error)
{
	return plan_ics (request, FALSE, error);
}

#define CLIN MV_ROLE_CLINICIAN
#define READERS (MV_ROLE_CLINICIAN | MV_ROLE_PATIENT)
#define P "/v1/patients/{id}/"
#define ME "/v1/me/"

static const MvHttpRoute routes[] = {
	{ "POST", P "plan", CLIN, handle_generate,
	  "Generate the patient's prevention plan from the record (plan-generator) and store it "
	  "as a new version ({minutes_per_day?, mobility?, pregnant?, today?}; no body is {})",
	  .body_optional = TRUE },
	{ "GET", P "plan", READERS, handle_get, "The patient's current plan (ETag = its version)" },
	{ "GET", P "plan/history", READERS, handle_history,
	  "Every version of the patient's plan (version, status, time, actor)" },
	{ "GET", P "plan/versions/{v}", READERS, handle_version,
	  "One version of the patient's plan" },
	{ "POST", P "plan/clear-red-flags", CLIN, handle_clear,
	  "Clear the plan's red flags as of today ({note?}), audited, and generate the plan again",
	  .body_optional = TRUE },
	{ "POST", P "plan/replan", CLIN, handle_replan,
	  "The weekly re-plan from last week's adherence ({adherence?: [{id, planned, done}]}; "
	  "without it, derived from the patient's check-ins)",
	  .body_optional = TRUE },
	{ "GET", ME "plan", MV_ROLE_PATIENT, handle_me_get, "The calling patient's current plan" },
	{ "GET", ME "today", MV_ROLE_PATIENT, handle_me_today,
	  "The calling patient's tasks of today (?date=YYYY-MM-DD for another day), red flags "
	  "first" },
	{ "GET", ME "plan.ics", MV_ROLE_PATIENT, handle_me_ics,
	  "The calling patient's plan as iCalendar (text/calendar) for a calendar app",
	  .answer_type = "text/calendar" },
	{ "GET", P "plan.ics", READERS, handle_ics,
	  "The patient's plan as iCalendar (text/calendar): the feed of GET /v1/me/plan.ics",
	  .answer_type = "text/calendar" },
};

const MvHttpRoute *
mv_plan_http_routes (guint *n_routes)
{
	*n_routes = G_N_ELEMENTS (routes);
	return routes;
}
