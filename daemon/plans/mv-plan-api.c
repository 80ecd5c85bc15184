/* The plan routes: see mv-plan-api.h and docs/api.md ("Plans").  Handlers translate HTTP to
 * the clinical store, the context assembly and the plugin call. */
#define G_LOG_DOMAIN "medverse-plans"

#include "mv-plan-api.h"

#include <json-glib/json-gvariant.h>
#include <medverse/medverse-plugin.h>

#include "clinical/mv-clinical-store.h"
#include "mv-http-api.h"
#include "mv-plan-context.h"
#include "mv-plan.h"

typedef enum {
	PLAN_GENERATE,
	PLAN_REPLAN,
	PLAN_CLEAR,
} PlanMode;

/* What one request needs throughout. */
typedef struct {
	MvClinicalStore *store;
	MvEngine *engine;
	MvClinicalCall call;
	MvCaller caller;
	const gchar *patient_id;
	GDateTime *now;
	JsonObject *supplied; /* the body's context values */
	JsonArray *adherence; /* borrowed from the body: Replan's */
	const gchar *note;    /* borrowed from the body: a clearing's */
} PlanRequest;

static void
plan_request_clear (PlanRequest *r)
{
	g_clear_pointer (&r->now, g_date_time_unref);
	g_clear_pointer (&r->supplied, json_object_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PlanRequest, plan_request_clear)

static void
plan_request_init (PlanRequest *r, MvHttpRequest *request, gboolean me, GError **error)
{
	const gchar *locale = mv_http_request_get_locale (request);
	const MvAuthContext *auth = mv_http_request_get_auth (request);
	const gchar *language
		= locale != NULL && g_ascii_strncasecmp (locale, "zh", 2) == 0 ? "zh" : "en";

	r->store = mv_http_request_get_user_data (request);
	r->engine = mv_clinical_store_get_engine (r->store);
	r->now = g_date_time_new_now_utc ();
	r->patient_id = me ? (auth != NULL ? auth->patient_id : NULL)
			   : mv_http_request_get_param (request, "id");
	r->call = (MvClinicalCall){
		.caller = auth,
		.request_id = mv_http_request_get_id (request),
		.language = language,
		.now = r->now,
	};
	r->caller = (MvCaller){
		.request_id = r->call.request_id,
		.clinic_id = auth != NULL ? auth->clinic_id : NULL,
		.role = auth != NULL ? auth->role : MV_ROLE_NONE,
		.locale = language,
	};
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
	{ "adherence", MV_FIELD_LIST, TRUE, 0, 500, NULL, adherence_members, NULL,
	  "last week's counts: [{id, planned, done}]" },
	{ NULL },
};

static const MvField clear_members[] = {
	{ "note", MV_FIELD_TEXT, FALSE, 1, 2000, NULL, NULL, NULL, "why, for the record" },
	{ NULL },
};

/* Splits the body into the context's values and the route's own members, and checks both:
 * every problem at once, unknown members included. */
static gboolean
read_body (PlanRequest *r, MvHttpRequest *request, PlanMode mode, GError **error)
{
	JsonObject *body = mv_http_request_get_body (request);
	const MvField *own = mode == PLAN_REPLAN  ? replan_members
			     : mode == PLAN_CLEAR ? clear_members
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
	if (mode == PLAN_REPLAN)
		r->adherence = json_object_get_array_member (body, "adherence");
	if (mode == PLAN_CLEAR && json_object_has_member (body, "note"))
		r->note = json_object_get_string_member (body, "note");
	return TRUE;
}

/* Adherence names goals and tasks of the current plan: a typo must not pass as "nothing done". */
static gboolean
adherence_known (PlanRequest *r, JsonObject *current, GError **error)
{
	g_autoptr (GError) problems = NULL;

	for (guint i = 0; r->adherence != NULL && i < json_array_get_length (r->adherence); i++) {
		const gchar *id = json_object_get_string_member (
			json_array_get_object_element (r->adherence, i), "id");
		gboolean known = FALSE;
		static const gchar *const lists[] = { "goals", "tasks", NULL };
		for (guint k = 0; lists[k] != NULL && !known; k++) {
			JsonArray *items
				= json_object_has_member (current, lists[k])
					  ? json_object_get_array_member (current, lists[k])
					  : NULL;
			for (guint j = 0; items != NULL && j < json_array_get_length (items); j++)
				known |= g_strcmp0 (
						 json_object_get_string_member_with_default (
							 json_array_get_object_element (items, j),
							 "id", NULL),
						 id)
					 == 0;
		}
		if (!known) {
			g_autofree gchar *p = g_strdup_printf ("/adherence/%u/id", i);
			mv_error_add_problem (&problems, p, "unknown-id",
					      "is no goal or task of the current plan",
					      "不是当前计划中的目标或任务");
		}
	}
	if (problems != NULL) {
		g_propagate_error (error, g_steal_pointer (&problems));
		return FALSE;
	}
	return TRUE;
}

/* ---- the plugin ---------------------------------------------------------------------- */

static gboolean
plugin_loaded (MvEngine *engine)
{
	g_autoptr (GPtrArray) plugins = engine != NULL ? mv_engine_get_plugins (engine) : NULL;

	for (guint i = 0; plugins != NULL && i < plugins->len; i++)
		if (g_strcmp0 (((const MvPluginInfo *)g_ptr_array_index (plugins, i))->name,
			       MV_PLAN_PLUGIN)
		    == 0)
			return TRUE;
	return FALSE;
}

/* Generate (context) or Replan (context, previous, adherence): the plan as JSON. */
static JsonObject *
call_plugin (PlanRequest *r,
	     const gchar *method,
	     JsonObject *context,
	     JsonObject *previous,
	     GError **error)
{
	g_autoptr (GVariant) output = NULL;
	g_autoptr (GVariant) first = NULL;
	g_autoptr (JsonNode) node = NULL;
	GVariant *input;

	if (previous != NULL) {
		g_autoptr (JsonObject) prev = mv_plan_record_to_plugin (previous);
		input = g_variant_new ("(@a{sv}@a{sv}@aa{sv})", mv_plan_json_to_vardict (context),
				       mv_plan_json_to_vardict (prev),
				       mv_plan_json_to_vardicts (r->adherence));
	} else {
		input = g_variant_new ("(@a{sv})", mv_plan_json_to_vardict (context));
	}
	output = mv_engine_call_sync (r->engine, MV_PLAN_PLUGIN, method, input, &r->caller, error);
	if (output == NULL)
		return NULL;
	first = g_variant_get_child_value (output, 0);
	node = json_gvariant_serialize (first);
	if (!JSON_NODE_HOLDS_OBJECT (node)) {
		mv_set_error_bilingual (error, MV_ERROR_FAILED,
					"the plan generator's plan is no object",
					"计划生成插件返回的计划不是对象");
		return NULL;
	}
	return json_object_ref (json_node_get_object (node));
}

/* ---- storing ------------------------------------------------------------------------- */

/* The record of the plugin's @plan: its members, the context used, when, and the clearing:
 * this request's (@clearing, as of @cleared_on), else the current plan's, kept. */
static JsonObject *
record_of (PlanRequest *r,
	   JsonObject *plan,
	   MvPlanContext *context,
	   JsonObject *current,
	   gboolean clearing,
	   const gchar *cleared_on)
{
	static const gchar *const kept[]
		= { "red_flags_cleared_on", "red_flags_cleared_at", "red_flags_cleared_by",
		    "red_flags_cleared_note", NULL };
	JsonObject *rec = mv_plan_record_from_plugin (plan);
	g_autofree gchar *now = mv_schema_format_utc (r->now);

	json_object_set_object_member (rec, "context_used", json_object_ref (context->used));
	json_object_set_string_member (rec, "generated_at", now);
	if (clearing) {
		/* the instant decides (a finding recorded after it flags again, the same day
		 * too); the patient's date stays for a reader of older records */
		json_object_set_string_member (rec, "red_flags_cleared_on", cleared_on);
		json_object_set_string_member (rec, "red_flags_cleared_at", now);
		if (r->call.caller != NULL && r->call.caller->key_id != NULL)
			json_object_set_string_member (rec, "red_flags_cleared_by",
						       r->call.caller->key_id);
		if (r->note != NULL)
			json_object_set_string_member (rec, "red_flags_cleared_note", r->note);
		return rec;
	}
	for (guint i = 0; current != NULL && kept[i] != NULL; i++)
		if (json_object_has_member (current, kept[i]))
			json_object_set_member (
				rec, kept[i],
				json_node_copy (json_object_get_member (current, kept[i])));
	return rec;
}

/* A plugin's plan the kind refuses is the plugin's failure, not the caller's (500, the
 * problems' fields in the message: they name members, never values). */
static void
refuse_plugin_plan (GError **error, GError *problems)
{
	g_warning ("the %s plugin's plan was refused: %s", MV_PLAN_PLUGIN, problems->message);
	mv_set_error_bilingual (error, MV_ERROR_FAILED,
				"the plan generator's plan was refused (the daemon's log says why)",
				"计划生成插件返回的计划未通过检查（原因见守护进程日志）");
}

/* Makes @patch, a merge patch (RFC 7396) onto @current, replace it whole: a member of
 * @current that @patch lacks is nulled, in nested objects too (a merge patch merges objects:
 * a value supplied for the last plan would stay in context_used.supplied).  @top: @current is
 * a stored record, whose store members are not the kind's. */
static void
null_missing (JsonObject *patch, JsonObject *current, gboolean top)
{
	static const gchar *const store_members[]
		= { "id", "version", "record_status", "created_at", "updated_at", NULL };
	g_autoptr (GList) names = json_object_get_members (current);

	for (GList *l = names; l != NULL; l = l->next) {
		JsonNode *mine = json_object_get_member (patch, l->data);
		JsonNode *theirs = json_object_get_member (current, l->data);
		if (top && g_strv_contains (store_members, l->data))
			continue;
		if (mine == NULL)
			json_object_set_null_member (patch, l->data);
		else if (JSON_NODE_HOLDS_OBJECT (mine) && JSON_NODE_HOLDS_OBJECT (theirs))
			null_missing (json_node_get_object (mine), json_node_get_object (theirs),
				      FALSE);
	}
}

/* Creates the plan record, or a new version of the current one. */
static JsonObject *
store_plan (PlanRequest *r, JsonObject *record, JsonObject *current, GError **error)
{
	g_autoptr (GError) local = NULL;
	JsonObject *stored;

	if (current == NULL) {
		stored = mv_clinical_store_create (r->store, &r->call, &mv_plan_kind, r->patient_id,
						   record, NULL, &local);
	} else {
		g_autoptr (JsonObject) patch = json_object_ref (record);
		null_missing (patch, current, TRUE);
		stored = mv_clinical_store_update (
			r->store, &r->call, &mv_plan_kind, r->patient_id,
			json_object_get_string_member (current, "id"), patch,
			(guint64)json_object_get_int_member (current, "version"), &local);
	}
	if (stored == NULL && g_error_matches (local, MV_ERROR, MV_ERROR_INVALID_INPUT)) {
		refuse_plugin_plan (error, local);
		return NULL;
	}
	if (stored == NULL)
		g_propagate_error (error, g_steal_pointer (&local));
	return stored;
}

/* ---- making a plan ------------------------------------------------------------------- */

static JsonObject *
first_plan (JsonObject *snapshot)
{
	JsonArray *plans = json_object_get_array_member (snapshot, mv_plan_kind.plural);
	return plans != NULL && json_array_get_length (plans) > 0
		       ? json_array_get_object_element (plans, 0)
		       : NULL;
}

static JsonObject *
supplied_of (JsonObject *current)
{
	JsonNode *used = current != NULL ? json_object_get_member (current, "context_used") : NULL;
	JsonObject *u = used != NULL && JSON_NODE_HOLDS_OBJECT (used) ? json_node_get_object (used)
								      : NULL;
	JsonNode *s = u != NULL ? json_object_get_member (u, "supplied") : NULL;

	return s != NULL && JSON_NODE_HOLDS_OBJECT (s) ? json_node_get_object (s) : NULL;
}

static JsonObject *
snapshot_of (PlanRequest *r, GError **error)
{
	static const gchar *const names[]
		= { "observation", "condition", "medication", "note", "risk-assessment", "plan" };
	const MvClinicalKind *kinds[G_N_ELEMENTS (names) + 1] = { NULL };

	for (guint i = 0; i < G_N_ELEMENTS (names); i++)
		kinds[i] = mv_clinical_kind_lookup (names[i]);
	return mv_clinical_store_snapshot (r->store, &r->call, r->patient_id, kinds, error);
}

/* the patient's local date of this request: the body's, else the present's */
static gchar *
today_of (PlanRequest *r, JsonObject *snapshot)
{
	const gchar *given
		= json_object_get_string_member_with_default (r->supplied, "today", NULL);
	g_autofree gchar *tz = NULL;

	if (given != NULL)
		return g_strdup (given);
	tz = mv_plan_time_zone_name (json_object_get_object_member (snapshot, "profile"));
	return mv_plan_local_date (r->now, tz);
}

static JsonNode *
make_plan (MvHttpRequest *request, PlanMode mode, GError **error)
{
	g_auto (PlanRequest) r = { 0 };
	g_autoptr (JsonObject) snapshot = NULL;
	g_autoptr (JsonObject) plan = NULL;
	g_autoptr (JsonObject) record = NULL;
	g_autoptr (MvPlanContext) context = NULL;
	g_autofree gchar *today = NULL;
	g_autofree gchar *location = NULL;
	g_autofree gchar *lower = NULL;
	g_autofree gchar *cleared_at = NULL;
	JsonObject *current, *stored;
	const gchar *cleared_on;
	MvPlanRecord in;

	plan_request_init (&r, request, FALSE, error);
	/* a stranger learns nothing, not even whether the plugin is loaded */
	if (!mv_clinical_store_check_patient (r.store, &r.call, r.patient_id, error))
		return NULL;
	if (!read_body (&r, request, mode, error))
		return NULL;
	if (!plugin_loaded (r.engine)) {
		mv_set_error_bilingual (
			error, MV_ERROR_UNAVAILABLE,
			"the plan-generator plugin is not loaded: no plan can be made",
			"计划生成插件（plan-generator）未加载，无法生成计划");
		return NULL;
	}
	snapshot = snapshot_of (&r, error);
	if (snapshot == NULL)
		return NULL;
	current = first_plan (snapshot);
	if (mode != PLAN_GENERATE && current == NULL) {
		mv_set_error_bilingual (
			error, MV_ERROR_CONFLICT,
			"the patient has no plan yet: POST /v1/patients/{id}/plan first",
			"该患者还没有计划：请先 POST /v1/patients/{id}/plan");
		return NULL;
	}
	if (mode == PLAN_REPLAN && !adherence_known (&r, current, error))
		return NULL;
	today = today_of (&r, snapshot);
	cleared_at = mv_schema_format_utc (r.now);
	cleared_on = mode == PLAN_CLEAR ? today
		     : current != NULL	? json_object_get_string_member_with_default (
				current, "red_flags_cleared_on", NULL)
				       : NULL;
	if (mode == PLAN_CLEAR)
		r.call.audit_verb = "clear-red-flags";
	else if (mode == PLAN_REPLAN)
		r.call.audit_verb = "replan";
	in = (MvPlanRecord){
		.snapshot = snapshot,
		.patient_id = r.patient_id,
		.now = r.now,
		.caller_language = r.call.language,
		.supplied = r.supplied,
		.previous_supplied = supplied_of (current),
		.red_flags_cleared_on = cleared_on,
		.red_flags_cleared_at = mode == PLAN_CLEAR ? cleared_at
					: current != NULL
						? json_object_get_string_member_with_default (
							current, "red_flags_cleared_at", NULL)
						: NULL,
	};
	context = mv_plan_context_assemble (&in);
	plan = call_plugin (&r, mode == PLAN_REPLAN ? "Replan" : "Generate", context->context,
			    mode == PLAN_REPLAN ? current : NULL, error);
	if (plan == NULL)
		return NULL;
	record = record_of (&r, plan, context, current, mode == PLAN_CLEAR, cleared_on);
	stored = store_plan (&r, record, current, error);
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
	return make_plan (request, PLAN_GENERATE, error);
}

static JsonNode *
handle_replan (MvHttpRequest *request, GError **error)
{
	return make_plan (request, PLAN_REPLAN, error);
}

static JsonNode *
handle_clear (MvHttpRequest *request, GError **error)
{
	return make_plan (request, PLAN_CLEAR, error);
}

/* ---- reading ------------------------------------------------------------------------- */

/* The patient's current plan (the newest plan record), or NOT_FOUND. */
static JsonObject *
current_plan (PlanRequest *r, GError **error)
{
	MvClinicalQuery query = { .limit = "1" };
	g_autoptr (JsonObject) page = mv_clinical_store_list (r->store, &r->call, &mv_plan_kind,
							      r->patient_id, &query, error);
	JsonArray *plans;

	if (page == NULL)
		return NULL;
	plans = json_object_get_array_member (page, mv_plan_kind.plural);
	if (json_array_get_length (plans) == 0) {
		mv_set_error_bilingual (error, MV_ERROR_NOT_FOUND, "the patient has no plan yet",
					"该患者还没有计划");
		return NULL;
	}
	return json_object_ref (json_array_get_object_element (plans, 0));
}

static JsonNode *
do_get (MvHttpRequest *request, gboolean me, GError **error)
{
	g_auto (PlanRequest) r = { 0 };
	JsonObject *plan;

	plan_request_init (&r, request, me, error);
	if (r.patient_id == NULL)
		return NULL;
	plan = current_plan (&r, error);
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
	g_auto (PlanRequest) r = { 0 };
	g_autoptr (JsonObject) plan = NULL;
	JsonObject *out;

	plan_request_init (&r, request, FALSE, error);
	plan = current_plan (&r, error);
	if (plan == NULL)
		return NULL;
	out = mv_clinical_store_history (r.store, &r.call, mv_plan_kind.name, r.patient_id,
					 json_object_get_string_member (plan, "id"), error);
	return out != NULL ? object_node (out) : NULL;
}

static JsonNode *
handle_version (MvHttpRequest *request, GError **error)
{
	g_auto (PlanRequest) r = { 0 };
	g_autoptr (JsonObject) plan = NULL;
	JsonObject *out;

	plan_request_init (&r, request, FALSE, error);
	plan = current_plan (&r, error);
	if (plan == NULL)
		return NULL;
	out = mv_clinical_store_get_version (r.store, &r.call, mv_plan_kind.name, r.patient_id,
					     json_object_get_string_member (plan, "id"),
					     mv_http_request_get_param (request, "v"), error);
	return out != NULL ? object_node (out) : NULL;
}

/* the day a /v1/me/today asks about: ?date=, else today in the plan's time zone */
static gchar *
day_of (MvHttpRequest *request, PlanRequest *r, JsonObject *plan, GError **error)
{
	const gchar *date = mv_http_request_get_query (request, "date");
	JsonObject *used = json_object_get_object_member (plan, "context_used");

	if (date != NULL && !mv_plan_date_valid (date)) {
		mv_schema_date_problem (error, "/date", date,
					"must be a date YYYY-MM-DD from 1870 to 2200",
					"应为 1870 至 2200 年间的日期 YYYY-MM-DD");
		return NULL;
	}
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
	g_auto (PlanRequest) r = { 0 };
	g_autoptr (JsonObject) plan = NULL;
	g_autofree gchar *date = NULL;

	plan_request_init (&r, request, TRUE, error);
	if (r.patient_id == NULL)
		return NULL;
	plan = current_plan (&r, error);
	if (plan == NULL)
		return NULL;
	date = day_of (request, &r, plan, error);
	if (date == NULL)
		return NULL;
	return object_node (mv_plan_today (plan, date));
}

static JsonNode *plan_ics (MvHttpRequest *request, gboolean me, GError **error);

static JsonNode *
handle_me_ics (MvHttpRequest *request, GError **error)
{
	return plan_ics (request, TRUE, error);
}

#define CLIN MV_ROLE_CLINICIAN
#define READERS (MV_ROLE_CLINICIAN | MV_ROLE_PATIENT)
#define P "/v1/patients/{id}/"
#define ME "/v1/me/"

static JsonNode *handle_ics (MvHttpRequest *request, GError **error);

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
	  "The weekly re-plan from last week's adherence ({adherence: [{id, planned, done}]})" },
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

/* ---- the calendar -------------------------------------------------------------------- */

/* The version before @plan (NULL for the first, or one the store no longer gives): its tasks
 * and follow-ups that @plan dropped are cancelled in the feed. */
static JsonObject *
previous_plan (PlanRequest *r, JsonObject *plan, GError **error)
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
	g_auto (PlanRequest) r = { 0 };
	g_autoptr (JsonObject) plan = NULL;
	g_autoptr (JsonObject) previous = NULL;
	g_autoptr (GError) local = NULL;

	plan_request_init (&r, request, me, error);
	if (r.patient_id == NULL)
		return NULL;
	plan = current_plan (&r, error);
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
handle_ics (MvHttpRequest *request, GError **error)
{
	return plan_ics (request, FALSE, error);
}
