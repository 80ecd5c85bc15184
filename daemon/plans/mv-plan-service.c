/* Making and storing plans: see mv-plan-service.h. */
#define G_LOG_DOMAIN "medverse-plans"

#include "mv-plan-service.h"

#include <json-glib/json-gvariant.h>
#include <medverse/mv-error.h>

#include "clinical/mv-clinical-private.h"
#include "mv-plan-adherence.h"
#include "mv-plan-context.h"
#include "mv-plan.h"

void
mv_plan_job_init (MvPlanJob *job,
		  MvClinicalStore *store,
		  const MvAuthContext *auth,
		  const gchar *request_id,
		  const gchar *language,
		  const gchar *patient_id)
{
	job->store = store;
	job->engine = mv_clinical_store_get_engine (store);
	job->now = g_date_time_new_now_utc ();
	job->patient_id = patient_id;
	job->call = (MvClinicalCall){
		.caller = auth,
		.request_id = request_id,
		.language = language,
		.now = job->now,
	};
	job->caller = (MvCaller){
		.request_id = request_id,
		.clinic_id = auth != NULL ? auth->clinic_id : NULL,
		.role = auth != NULL ? auth->role : MV_ROLE_NONE,
		.locale = language,
	};
}

void
mv_plan_job_clear (MvPlanJob *job)
{
	g_clear_pointer (&job->now, g_date_time_unref);
	g_clear_pointer (&job->supplied, json_object_unref);
}

gboolean
mv_plan_generator_loaded (MvEngine *engine)
{
	g_autoptr (GPtrArray) plugins = engine != NULL ? mv_engine_get_plugins (engine) : NULL;

	for (guint i = 0; plugins != NULL && i < plugins->len; i++)
		if (g_strcmp0 (((const MvPluginInfo *)g_ptr_array_index (plugins, i))->name,
			       MV_PLAN_PLUGIN)
		    == 0)
			return TRUE;
	return FALSE;
}

/* ---- adherence ----------------------------------------------------------------------- */

/* Adherence names goals and tasks of the current plan: a typo must not pass as "nothing done". */
static gboolean
adherence_known (JsonArray *adherence, JsonObject *current, GError **error)
{
	static const gchar *const lists[] = { "goals", "tasks", NULL };
	g_autoptr (GError) problems = NULL;

	for (guint i = 0; adherence != NULL && i < json_array_get_length (adherence); i++) {
		const gchar *id = json_object_get_string_member (
			json_array_get_object_element (adherence, i), "id");
		gboolean known = FALSE;
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

/* The re-plan's adherence: the body's, else the check-ins' of the plan's week (or of its
 * days that passed), as the record's `adherence_used`. */
static JsonObject *
adherence_for (MvPlanJob *job, JsonObject *snapshot, JsonObject *current, const gchar *today)
{
	JsonObject *used = json_object_new ();
	JsonObject *ctx = json_object_get_object_member (current, "context_used");
	const gchar *tz
		= ctx != NULL ? json_object_get_string_member_with_default (ctx, "time_zone", "UTC")
			      : "UTC";
	g_autofree gchar *from = NULL, *to = NULL;

	if (job->adherence != NULL) {
		json_object_set_string_member (used, "source", "supplied");
		json_object_set_array_member (used, "items", json_array_ref (job->adherence));
		return used;
	}
	json_object_set_string_member (used, "source", "check-ins");
	if (!mv_plan_adherence_window (current, today, &from, &to)) {
		/* nothing has passed yet: no counts, so no step either way */
		json_object_set_array_member (used, "items", json_array_new ());
		return used;
	}
	json_object_set_string_member (used, "from", from);
	json_object_set_string_member (used, "to", to);
	json_object_set_array_member (
		used, "items",
		mv_plan_adherence (current, json_object_get_array_member (snapshot, "observations"),
				   tz, from, to));
	return used;
}

/* ---- the plugin ---------------------------------------------------------------------- */

/* The method's first output as JSON (an object for Generate and Replan, a list for Triage). */
static JsonNode *
call_plugin (MvPlanJob *job, const gchar *method, GVariant *input, GError **error)
{
	g_autoptr (GVariant) output = NULL;
	g_autoptr (GVariant) first = NULL;

	output = mv_engine_call_sync (job->engine, MV_PLAN_PLUGIN, method, input, &job->caller,
				      error);
	if (output == NULL)
		return NULL;
	first = g_variant_get_child_value (output, 0);
	return json_gvariant_serialize (first);
}

/* Generate (context) or Replan (context, previous, adherence): the plan as JSON. */
static JsonObject *
plan_of (MvPlanJob *job,
	 JsonObject *context,
	 JsonObject *previous,
	 JsonArray *adherence,
	 GError **error)
{
	g_autoptr (JsonNode) node = NULL;
	GVariant *input;

	if (previous != NULL) {
		g_autoptr (JsonObject) prev = mv_plan_record_to_plugin (previous);
		input = g_variant_new ("(@a{sv}@a{sv}@aa{sv})", mv_plan_json_to_vardict (context),
				       mv_plan_json_to_vardict (prev),
				       mv_plan_json_to_vardicts (adherence));
	} else {
		input = g_variant_new ("(@a{sv})", mv_plan_json_to_vardict (context));
	}
	node = call_plugin (job, previous != NULL ? "Replan" : "Generate", input, error);
	if (node == NULL)
		return NULL;
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
record_of (MvPlanJob *job,
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
	g_autofree gchar *now = mv_schema_format_utc (job->now);

	json_object_set_object_member (rec, "context_used", json_object_ref (context->used));
	json_object_set_string_member (rec, "generated_at", now);
	if (clearing) {
		/* the instant decides (a finding recorded after it flags again, the same day
		 * too); the patient's date stays for a reader of older records */
		json_object_set_string_member (rec, "red_flags_cleared_on", cleared_on);
		json_object_set_string_member (rec, "red_flags_cleared_at", now);
		if (job->call.caller != NULL && job->call.caller->key_id != NULL)
			json_object_set_string_member (rec, "red_flags_cleared_by",
						       job->call.caller->key_id);
		if (job->note != NULL)
			json_object_set_string_member (rec, "red_flags_cleared_note", job->note);
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

/* Creates the plan record, or a new version of the current one (the version read is the
 * precondition: a plan stored since is %MV_ERROR_PRECONDITION_FAILED). */
static JsonObject *
store_plan (MvPlanJob *job, JsonObject *record, JsonObject *current, GError **error)
{
	g_autoptr (GError) local = NULL;
	JsonObject *stored;

	if (current == NULL) {
		stored = mv_clinical_store_create (job->store, &job->call, &mv_plan_kind,
						   job->patient_id, record, NULL, &local);
	} else {
		g_autoptr (JsonObject) patch = json_object_ref (record);
		null_missing (patch, current, TRUE);
		stored = mv_clinical_store_update (
			job->store, &job->call, &mv_plan_kind, job->patient_id,
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
snapshot_of (MvPlanJob *job, GError **error)
{
	static const gchar *const names[]
		= { "observation", "condition", "medication", "note", "risk-assessment", "plan" };
	const MvClinicalKind *kinds[G_N_ELEMENTS (names) + 1] = { NULL };

	for (guint i = 0; i < G_N_ELEMENTS (names); i++)
		kinds[i] = mv_clinical_kind_lookup (names[i]);
	return mv_clinical_store_snapshot (job->store, &job->call, job->patient_id, kinds, error);
}

/* the patient's local date of this request: the body's, else the present's */
static gchar *
today_of (MvPlanJob *job, JsonObject *snapshot)
{
	const gchar *given = job->supplied != NULL ? json_object_get_string_member_with_default (
				     job->supplied, "today", NULL)
						   : NULL;
	g_autofree gchar *tz = NULL;

	if (given != NULL)
		return g_strdup (given);
	tz = mv_plan_time_zone_name (json_object_get_object_member (snapshot, "profile"));
	return mv_plan_local_date (job->now, tz);
}

/* A plan that a weekly re-plan would change: active, its week over. */
static gboolean
weekly_due (JsonObject *plan, const gchar *today)
{
	return g_strcmp0 (json_object_get_string_member_with_default (plan, "status", NULL),
			  "active")
		       == 0
	       && mv_plan_week_over (plan, today);
}

static const gchar *const audit_verbs[] = {
	[MV_PLAN_GENERATE] = NULL,	     [MV_PLAN_REPLAN] = "replan",
	[MV_PLAN_CLEAR] = "clear-red-flags", [MV_PLAN_WEEKLY] = "weekly-replan",
	[MV_PLAN_TRIAGE] = "triage",
};

/* The plan of @mode from @snapshot, stored. */
static JsonObject *
make_from (MvPlanJob *job, MvPlanMode mode, JsonObject *snapshot, GError **error)
{
	JsonObject *current = first_plan (snapshot);
	gboolean replan = mode == MV_PLAN_REPLAN || mode == MV_PLAN_WEEKLY;
	g_autofree gchar *today = today_of (job, snapshot);
	g_autoptr (MvPlanContext) context = NULL;
	g_autoptr (JsonObject) plan = NULL;
	g_autoptr (JsonObject) record = NULL;
	g_autoptr (JsonObject) adherence = NULL;
	g_autofree gchar *now = mv_schema_format_utc (job->now);
	const gchar *cleared_on;
	MvPlanRecord in;

	if (mode != MV_PLAN_GENERATE && current == NULL) {
		mv_set_error_bilingual (
			error, MV_ERROR_CONFLICT,
			"the patient has no plan yet: POST /v1/patients/{id}/plan first",
			"该患者还没有计划：请先 POST /v1/patients/{id}/plan");
		return NULL;
	}
	/* another daemon re-planned first, or a red flag waits for a clinician */
	if (mode == MV_PLAN_WEEKLY && !weekly_due (current, today))
		return json_object_ref (current);
	if (mode == MV_PLAN_REPLAN && !adherence_known (job->adherence, current, error))
		return NULL;
	cleared_on = mode == MV_PLAN_CLEAR ? today
		     : current != NULL	   ? json_object_get_string_member_with_default (
				   current, "red_flags_cleared_on", NULL)
				       : NULL;
	job->call.audit_verb = audit_verbs[mode];
	in = (MvPlanRecord){
		.snapshot = snapshot,
		.patient_id = job->patient_id,
		.now = job->now,
		.caller_language = job->call.language,
		.supplied = job->supplied,
		.previous_supplied = supplied_of (current),
		.red_flags_cleared_on = cleared_on,
		.red_flags_cleared_at = mode == MV_PLAN_CLEAR ? now
					: current != NULL
						? json_object_get_string_member_with_default (
							current, "red_flags_cleared_at", NULL)
						: NULL,
	};
	context = mv_plan_context_assemble (&in);
	if (replan)
		adherence = adherence_for (job, snapshot, current, today);
	plan = plan_of (job, context->context, replan ? current : NULL,
			adherence != NULL ? json_object_get_array_member (adherence, "items")
					  : NULL,
			error);
	if (plan == NULL)
		return NULL;
	record = record_of (job, plan, context, current, mode == MV_PLAN_CLEAR, cleared_on);
	if (adherence != NULL)
		json_object_set_object_member (record, "adherence_used",
					       g_steal_pointer (&adherence));
	return store_plan (job, record, current, error);
}

JsonObject *
mv_plan_make (MvPlanJob *job, MvPlanMode mode, GError **error)
{
	g_autoptr (JsonObject) snapshot = NULL;

	if (!mv_plan_generator_loaded (job->engine)) {
		mv_set_error_bilingual (
			error, MV_ERROR_UNAVAILABLE,
			"the plan-generator plugin is not loaded: no plan can be made",
			"计划生成插件（plan-generator）未加载，无法生成计划");
		return NULL;
	}
	snapshot = snapshot_of (job, error);
	if (snapshot == NULL)
		return NULL;
	return make_from (job, mode, snapshot, error);
}

/* ---- reading ------------------------------------------------------------------------- */

JsonObject *
mv_plan_current (MvPlanJob *job, GError **error)
{
	MvClinicalQuery query = { .limit = "1" };
	g_autoptr (JsonObject) page = mv_clinical_store_list (job->store, &job->call, &mv_plan_kind,
							      job->patient_id, &query, error);
	JsonArray *plans;

	if (page == NULL)
		return NULL;
	plans = json_object_get_array_member (page, mv_plan_kind.plural);
	if (json_array_get_length (plans) == 0) {
		/* a patient app shows this as it is: the clinic makes the plan */
		mv_set_error_bilingual (error, MV_ERROR_NOT_FOUND,
					"the patient has no plan yet: ask your clinic for one",
					"您还没有计划：请联系您的诊所");
		return NULL;
	}
	return json_object_ref (json_array_get_object_element (plans, 0));
}

JsonObject *
mv_plan_current_weekly (MvPlanJob *job, GError **error)
{
	g_autoptr (JsonObject) plan = mv_plan_current (job, error);
	JsonObject *used
		= plan != NULL ? json_object_get_object_member (plan, "context_used") : NULL;
	g_autofree gchar *today = NULL;
	g_autoptr (GError) local = NULL;
	JsonObject *replanned;

	if (plan == NULL)
		return NULL;
	today = mv_plan_local_date (
		job->now,
		used != NULL ? json_object_get_string_member_with_default (used, "time_zone", "UTC")
			     : "UTC");
	if (!weekly_due (plan, today) || !mv_plan_generator_loaded (job->engine))
		return g_steal_pointer (&plan);
	/* the patient's own read stores the re-plan on their behalf: the daemon decided what */
	job->call.on_patients_behalf = TRUE;
	replanned = mv_plan_make (job, MV_PLAN_WEEKLY, &local);
	job->call.on_patients_behalf = FALSE;
	job->call.audit_verb = NULL;
	if (replanned != NULL)
		return replanned;
	/* the other daemon won: its plan is the one to answer */
	if (g_error_matches (local, MV_ERROR, MV_ERROR_PRECONDITION_FAILED))
		return mv_plan_current (job, error);
	g_warning ("the weekly re-plan failed, the plan stays as it was: %s", local->message);
	return g_steal_pointer (&plan);
}

/* ---- triage of notes ----------------------------------------------------------------- */

static gboolean
has_findings (JsonArray *notes)
{
	for (guint i = 0; notes != NULL && i < json_array_get_length (notes); i++) {
		JsonObject *f = mv_clinical_get_object (json_array_get_object_element (notes, i),
							"findings");
		JsonNode *items = f != NULL ? json_object_get_member (f, "items") : NULL;
		if (items != NULL && JSON_NODE_HOLDS_ARRAY (items)
		    && json_array_get_length (json_node_get_array (items)) > 0)
			return TRUE;
	}
	return FALSE;
}

/* Triage's red flags for the findings of @notes only (the rest of the context from the
 * record: the age an infant's fever needs, the readings a blood pressure flag needs). */
static JsonArray *
triage (MvPlanJob *job, JsonObject *snapshot, JsonArray *notes, GError **error)
{
	JsonObject *current = first_plan (snapshot);
	g_autoptr (JsonObject) view = json_object_new ();
	g_autoptr (GList) names = json_object_get_members (snapshot);
	g_autoptr (MvPlanContext) context = NULL;
	g_autoptr (JsonNode) node = NULL;
	MvPlanRecord in;

	for (GList *l = names; l != NULL; l = l->next)
		if (!g_str_equal (l->data, "notes"))
			json_object_set_member (
				view, l->data,
				json_node_copy (json_object_get_member (snapshot, l->data)));
	json_object_set_array_member (view, "notes", json_array_ref (notes));
	in = (MvPlanRecord){
		.snapshot = view,
		.patient_id = job->patient_id,
		.now = job->now,
		.caller_language = job->call.language,
		.previous_supplied = supplied_of (current),
		.red_flags_cleared_on = current != NULL
						? json_object_get_string_member_with_default (
							current, "red_flags_cleared_on", NULL)
						: NULL,
		.red_flags_cleared_at = current != NULL
						? json_object_get_string_member_with_default (
							current, "red_flags_cleared_at", NULL)
						: NULL,
	};
	context = mv_plan_context_assemble (&in);
	node = call_plugin (job, "Triage",
			    g_variant_new ("(@a{sv})", mv_plan_json_to_vardict (context->context)),
			    error);
	if (node == NULL)
		return NULL;
	if (!JSON_NODE_HOLDS_ARRAY (node)) {
		mv_set_error_bilingual (error, MV_ERROR_FAILED,
					"the plan generator's triage is no list",
					"计划生成插件的分诊结果不是列表");
		return NULL;
	}
	return json_array_ref (json_node_get_array (node));
}

static void
set_status (JsonObject *t, const gchar *status, const gchar *en, const gchar *zh)
{
	json_object_set_string_member (t, "status", status);
	json_object_set_string_member (t, "message", en);
	json_object_set_string_member (t, "message_zh", zh);
}

JsonObject *
mv_plan_triage_notes (MvPlanJob *job, JsonArray *notes)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (JsonObject) snapshot = NULL;
	g_autoptr (JsonArray) flags = NULL;
	g_autoptr (JsonObject) stored = NULL;
	JsonObject *out, *t;

	if (!has_findings (notes) || !mv_plan_generator_loaded (job->engine))
		return NULL;
	out = json_object_new ();
	t = json_object_new ();
	json_object_set_object_member (out, "triage", t);
	snapshot = snapshot_of (job, &error);
	flags = snapshot != NULL ? triage (job, snapshot, notes, &error) : NULL;
	if (flags == NULL) {
		g_warning ("a note's triage failed (the note is stored): %s", error->message);
		set_status (t, "failed",
			    "the note is stored, but its findings could not be checked for red "
			    "flags; a clinician should read it",
			    "记录已保存，但未能检查其中的危险信号；请临床医生阅读该记录");
		return out;
	}
	json_object_set_array_member (out, "red_flags", json_array_ref (flags));
	if (json_array_get_length (flags) == 0) {
		set_status (t, "none", "no red flag in the note's findings",
			    "记录的发现中没有危险信号");
		return out;
	}
	if (first_plan (snapshot) == NULL) {
		set_status (t, "no-plan",
			    "red flags raised; the patient has no plan to suppress yet",
			    "发现危险信号；该患者尚无可暂停的计划");
		return out;
	}
	stored = make_from (job, MV_PLAN_TRIAGE, snapshot, &error);
	job->call.audit_verb = NULL;
	if (stored == NULL) {
		g_warning ("a note raised a red flag, but the plan could not be stored again: %s",
			   error->message);
		set_status (t, "failed",
			    "red flags raised and the note is stored, but the plan could not be "
			    "updated: the patient's plan does not show them yet",
			    "发现危险信号且记录已保存，但计划未能更新：患者的计划中尚未显示");
		return out;
	}
	set_status (t, "plan-updated",
		    "red flags raised: the patient's plan now shows them first, and the plan is "
		    "suppressed until a clinician clears them",
		    "发现危险信号：患者的计划已将其置顶，并在临床医生解除前暂停计划");
	json_object_set_int_member (t, "plan_version",
				    json_object_get_int_member (stored, "version"));
	return out;
}
