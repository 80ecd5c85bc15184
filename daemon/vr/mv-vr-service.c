/* VR sessions and recommendations: see mv-vr.h and docs/vr.md. */
#define G_LOG_DOMAIN "medverse-vr"

#include "mv-vr.h"

#include <json-glib/json-gvariant.h>
#include <string.h>
#include <medverse/mv-error.h>

#include "clinical/mv-clinical-private.h"
#include "engagement/mv-checkin.h"
#include "engagement/mv-engagement-store.h"
#include "plans/mv-plan-context.h"
#include "plans/mv-plan.h"

gboolean
mv_vr_plugin_loaded (MvEngine *engine)
{
	g_autoptr (GPtrArray) plugins = engine != NULL ? mv_engine_get_plugins (engine) : NULL;

	for (guint i = 0; plugins != NULL && i < plugins->len; i++)
		if (g_strcmp0 (((const MvPluginInfo *)g_ptr_array_index (plugins, i))->name,
			       MV_VR_PLUGIN)
		    == 0)
			return TRUE;
	return FALSE;
}

static gboolean
require_plugin (MvVrJob *job, GError **error)
{
	if (mv_vr_plugin_loaded (job->engine))
		return TRUE;
	mv_set_error_bilingual (error, MV_ERROR_UNAVAILABLE,
				"the vr-recommender plugin is not loaded: no VR content can be "
				"checked or recommended",
				"VR 推荐插件（vr-recommender）未加载，无法核对或推荐 VR 内容");
	return FALSE;
}

/* The method's first output (transfer full), or NULL. */
static GVariant *
call_plugin (MvVrJob *job, const gchar *method, GVariant *input, GError **error)
{
	g_autoptr (GVariant) output = mv_engine_call_sync (job->engine, MV_VR_PLUGIN, method, input,
							   &job->caller, error);

	return output != NULL ? g_variant_get_child_value (output, 0) : NULL;
}

/* ---- sessions ------------------------------------------------------------------------ */

static JsonArray *safety_flags_of (MvVrJob *job, const gchar *content_id, GError **error);

GHashTable *
mv_vr_known_ids (MvVrJob *job, GError **error)
{
	g_autoptr (GHashTable) known
		= g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	g_autoptr (JsonArray) mine = mv_vr_items_load (job, error);
	g_autoptr (GVariant) items = NULL;
	GVariantIter iter;
	GVariant *item;

	if (mine == NULL)
		return NULL;
	items = call_plugin (job, "ListCatalog", g_variant_new ("(s)", "en"), error);
	if (items == NULL)
		return NULL;
	g_variant_iter_init (&iter, items);
	while (g_variant_iter_next (&iter, "@a{sv}", &item)) {
		const gchar *id = NULL;
		if (g_variant_lookup (item, "id", "&s", &id))
			g_hash_table_add (known, g_strdup (id));
		g_variant_unref (item);
	}
	for (guint i = 0; i < json_array_get_length (mine); i++)
		g_hash_table_add (known, g_strdup (mv_clinical_get_string (
						 json_array_get_object_element (mine, i), "id")));
	return g_steal_pointer (&known);
}

/* The patient's stored sessions of @client_id, found by the blind index of the client id
 * (the kind's term, mv-vr-kind.c): at most one, and a read of one record, not of the patient's
 * history.  Audited as a list when it finds one: a body refused after it costs no entry. */
static JsonObject *
sessions_of_client (MvVrJob *job, const gchar *client_id, GError **error)
{
	g_autofree gchar *code = g_strdup_printf ("%s|%s", MV_VR_CLIENT_ID_SYSTEM, client_id);
	MvClinicalQuery query = { .code = code, .limit = "1", .audit_only_found = TRUE };

	return mv_clinical_store_list (job->store, &job->call, &mv_vr_session_kind, job->patient_id,
				       &query, error);
}

/* The problems that depend on the time and the catalogs (the session's age, which a check-in
 * allows, and its content), added to @problems: checked after the retry rule, so a retry of a
 * stored session is answered even once its clinic item is gone.  Members the rows refused are
 * skipped (their problem is already listed). */
static gboolean
content_check (MvVrJob *job, JsonObject *body, GError **problems, GError **error)
{
	JsonNode *started = json_object_get_member (body, "started_at");
	JsonNode *content = json_object_get_member (body, "content_id");
	g_autoptr (GHashTable) known = NULL;

	if (started != NULL && JSON_NODE_HOLDS_VALUE (started)
	    && json_node_get_value_type (started) == G_TYPE_STRING) {
		g_autoptr (GDateTime) at = mv_clinical_parse_when (json_node_get_string (started));
		g_autoptr (GDateTime) oldest
			= g_date_time_add_days (job->now, -MV_CHECKIN_MAX_AGE_DAYS);
		if (at != NULL && g_date_time_compare (at, oldest) < 0)
			mv_error_add_problem (problems, "/started_at", "too-early",
					      "is more than 7 days ago: a headset syncs its "
					      "sessions within a week",
					      "早于 7 天前：头显应在一周内同步训练记录");
	}
	if (content == NULL || !JSON_NODE_HOLDS_VALUE (content)
	    || json_node_get_value_type (content) != G_TYPE_STRING)
		return TRUE;
	known = mv_vr_known_ids (job, error);
	if (known == NULL)
		return FALSE;
	if (!g_hash_table_contains (known, json_node_get_string (content)))
		mv_error_add_problem (problems, "/content_id", "unknown-content",
				      "is in no catalog of this clinic", "不在本诊所的任何目录中");
	return TRUE;
}

/* The same session sent again: every member the same, the check-ins' rule
 * (mv_checkin_same_request()), read from the stored record's members. */
static gboolean
same_session (JsonObject *stored, JsonObject *body)
{
	g_autoptr (JsonObject) sent = json_object_new ();

	for (const MvField *f = mv_vr_session_members; f->name != NULL; f++)
		if (json_object_has_member (stored, f->name))
			json_object_set_member (
				sent, f->name,
				json_node_copy (json_object_get_member (stored, f->name)));
	return mv_checkin_same_request (body, sent);
}

/* Why a session earns no points (docs/vr.md, "Points"), NULL when it earns them: under a
 * minute (put on, taken off), `severe` cybersickness whether completed or not, `moderate`
 * when abandoned (the points must not reward staying in content that makes the patient
 * unwell, nor trying it again for them). */
static const gchar *
no_points_reason (JsonObject *body)
{
	const gchar *sick
		= json_object_get_string_member_with_default (body, "cybersickness", "none");

	if (json_object_get_double_member (body, "duration_min") < 1)
		return "too-short";
	if (g_str_equal (sick, "severe")
	    || (g_str_equal (sick, "moderate")
		&& !json_object_get_boolean_member (body, "completed")))
		return "cybersickness";
	return NULL;
}

/* The answer's `points_note` {code, en, zh}: why nothing was earned. */
static JsonObject *
points_note (const gchar *code)
{
	static const struct {
		const gchar *code, *en, *zh;
	} notes[] = {
		{ "too-short", "No points: a session earns points from one minute on.",
		  "未获得积分：训练满 1 分钟才计分。" },
		{ "cybersickness",
		  "No points for this session: you reported feeling unwell in it (cybersickness). "
		  "Stop whenever VR makes you feel unwell.",
		  "本次训练不计分：您报告了训练中的不适（晕动症）。VR 让您不舒服时请随时停止。" },
		{ "daily-cap", "No points: you have already earned today's most for VR sessions.",
		  "未获得积分：今天的 VR 训练积分已达上限。" },
		{ "repeat", "Already reported: its points were counted the first time.",
		  "此次训练已上报过：积分已在首次上报时计算。" },
	};

	for (guint i = 0; i < G_N_ELEMENTS (notes); i++)
		if (g_str_equal (notes[i].code, code)) {
			JsonObject *n = json_object_new ();
			json_object_set_string_member (n, "code", code);
			json_object_set_string_member (n, "en", notes[i].en);
			json_object_set_string_member (n, "zh", notes[i].zh);
			return n;
		}
	g_return_val_if_reached (NULL);
}

static MvEngagementStore *
engagement_of (MvVrJob *job, GError **error)
{
	MvEngagementStore *engagement
		= g_object_get_data (G_OBJECT (job->engine), "mv-engagement-store");

	if (engagement == NULL)
		mv_set_error_bilingual (error, MV_ERROR_UNAVAILABLE,
					"the engagement module is not running", "积分模块未运行");
	return engagement;
}

/* The points: a vr_session check-in of the session's minutes through the engagement store
 * (its own transaction; a repeat of its id is answered, not awarded again). */
static JsonObject *
earn_points (MvVrJob *job, JsonObject *body, GError **error)
{
	MvEngagementStore *engagement = engagement_of (job, error);
	g_autoptr (JsonObject) checkin = json_object_new ();
	g_autofree gchar *id
		= g_strdup_printf ("vr-%s", json_object_get_string_member (body, "client_id"));
	gboolean created = FALSE;
	JsonObject *out, *answer;

	if (engagement == NULL)
		return NULL;
	json_object_set_string_member (checkin, "id", id);
	json_object_set_string_member (checkin, "metric", "vr_session");
	json_object_set_double_member (checkin, "value",
				       json_object_get_double_member (body, "duration_min"));
	json_object_set_string_member (checkin, "unit", "min");
	json_object_set_string_member (checkin, "at",
				       json_object_get_string_member (body, "started_at"));
	json_object_set_string_member (checkin, "vr_content",
				       json_object_get_string_member (body, "content_id"));
	out = mv_engagement_store_checkin (engagement, &job->call, checkin, &created, error);
	/* the check-in itself earned nothing: a vr_session check-in has no task, so only the
	 * metric's daily cap takes its points (the engagement answer does not name the cap) */
	answer = out != NULL ? mv_clinical_get_object (out, "checkin") : NULL;
	if (answer != NULL && json_object_get_int_member_with_default (answer, "points", 0) == 0)
		json_object_set_object_member (out, "points_note", points_note ("daily-cap"));
	return out;
}

/* `{"awarded": [], "progress": …}` for a session that earns nothing now (point-free, or a
 * repeat): every answer carries both, as a check-in's does. */
static JsonObject *
no_points (MvVrJob *job, const gchar *why, GError **error)
{
	MvEngagementStore *engagement = engagement_of (job, error);
	JsonObject *progress;
	JsonObject *out;

	if (engagement == NULL)
		return NULL;
	progress = mv_engagement_store_progress (engagement, &job->call, job->patient_id, error);
	if (progress == NULL)
		return NULL;
	out = json_object_new ();
	json_object_set_array_member (out, "awarded", json_array_new ());
	json_object_set_object_member (out, "progress", progress);
	json_object_set_object_member (out, "points_note", points_note (why));
	return out;
}

static JsonObject *
session_answer (JsonObject *session, JsonObject *points)
{
	JsonObject *out = json_object_new ();

	json_object_set_object_member (out, "session", session);
	mv_clinical_copy_member (out, points, "awarded");
	mv_clinical_copy_member (out, points, "progress");
	mv_clinical_copy_member (out, points, "points_note");
	return out;
}

/* The stored session of the body's client_id (NULL: none, or the lookup failed: @error). */
static JsonObject *
stored_session (MvVrJob *job, JsonObject *body, gboolean *failed, GError **error)
{
	const gchar *client_id = json_object_get_string_member (body, "client_id");
	g_autoptr (JsonObject) sessions = sessions_of_client (job, client_id, error);
	JsonArray *list;

	*failed = sessions == NULL;
	if (sessions == NULL)
		return NULL;
	list = json_object_get_array_member (sessions, mv_vr_session_kind.plural);
	for (guint i = 0; list != NULL && i < json_array_get_length (list); i++) {
		JsonObject *s = json_array_get_object_element (list, i);
		/* the index is a hash: the id itself decides */
		if (g_strcmp0 (mv_clinical_get_string (s, "client_id"), client_id) == 0)
			return json_object_ref (s);
	}
	return NULL;
}

JsonObject *
mv_vr_session_post (MvVrJob *job, JsonObject *body, gboolean *created, GError **error)
{
	MvSchemaContext ctx = { job->now };
	g_autoptr (GError) problems = NULL;
	g_autoptr (JsonObject) points = NULL;
	JsonObject *stored;
	g_autoptr (JsonArray) flags = NULL;
	g_autoptr (JsonObject) record = NULL;
	gboolean failed = FALSE;
	const gchar *why;

	*created = FALSE;
	if (job->call.caller == NULL || job->call.caller->role != MV_ROLE_PATIENT
	    || job->patient_id == NULL) {
		mv_set_error_bilingual (error, MV_ERROR_FORBIDDEN,
					"only a patient key reports VR sessions",
					"只有患者密钥才能上报 VR 训练");
		return NULL;
	}
	if (!require_plugin (job, error))
		return NULL;
	/* a retry first, as check-ins: the same members answer the stored session whatever
	 * changed since (a clinic item deleted, a week gone by); other members are 409 */
	if (mv_schema_check (mv_vr_session_members, body, "", &ctx, &problems)) {
		stored = stored_session (job, body, &failed, error);
		if (failed)
			return NULL;
		if (stored != NULL && !same_session (stored, body)) {
			json_object_unref (stored);
			mv_set_error_bilingual (error, MV_ERROR_CONFLICT,
						"client_id names another session already stored",
						"client_id 已用于另一次训练");
			return NULL;
		}
		if (stored != NULL) {
			points = no_points (job, "repeat", error);
			if (points == NULL) {
				json_object_unref (stored);
				return NULL;
			}
			return session_answer (stored, points);
		}
	}
	/* every problem at once: the rows', the age's and the catalog's */
	if (!content_check (job, body, &problems, error))
		return NULL;
	if (problems != NULL) {
		g_propagate_error (error, g_steal_pointer (&problems));
		return NULL;
	}
	/* content the safety filter would exclude is still stored (the session happened) but
	 * flagged, for the clinician (docs/vr.md, "Safety flags") */
	flags = safety_flags_of (job, json_object_get_string_member (body, "content_id"), error);
	if (flags == NULL)
		return NULL;
	record = mv_clinical_object_copy (body);
	json_object_set_array_member (record, "safety_flags", g_steal_pointer (&flags));
	/* the check-in first: if the record's write fails, the retry finds the check-in a
	 * repeat (no second award) and writes the record */
	why = no_points_reason (body);
	points = why == NULL ? earn_points (job, body, error) : no_points (job, why, error);
	if (points == NULL)
		return NULL;
	job->call.on_patients_behalf = TRUE;
	stored = mv_clinical_store_create (job->store, &job->call, &mv_vr_session_kind,
					   job->patient_id, record, NULL, error);
	job->call.on_patients_behalf = FALSE;
	if (stored == NULL)
		return NULL;
	mv_vr_model_add_session (job, stored);
	*created = TRUE;
	return session_answer (stored, points);
}

JsonObject *
mv_vr_sessions (MvVrJob *job, const MvClinicalQuery *query, GError **error)
{
	return mv_clinical_store_list (job->store, &job->call, &mv_vr_session_kind, job->patient_id,
				       query, error);
}

/* ---- recommendations ----------------------------------------------------------------- */

static JsonArray *
list_of (JsonObject *o, const gchar *member)
{
	JsonNode *n = o != NULL ? json_object_get_member (o, member) : NULL;

	return n != NULL && JSON_NODE_HOLDS_ARRAY (n) ? json_node_get_array (n) : NULL;
}

/* The plan's intensity limit as METs: ACSM light is below 3.0 METs, moderate 3.0–5.9
 * (limits of metric "intensity": 1 light, 2 moderate, 3 vigorous). */
static gdouble
max_mets_of (JsonObject *plan)
{
	JsonArray *limits = plan != NULL && json_object_has_member (plan, "limits")
				    ? json_object_get_array_member (plan, "limits")
				    : NULL;
	gdouble mets = 0;

	for (guint i = 0; limits != NULL && i < json_array_get_length (limits); i++) {
		JsonObject *l = json_array_get_object_element (limits, i);
		gdouble max, m;
		if (g_strcmp0 (mv_clinical_get_string (l, "metric"), "intensity") != 0
		    || !json_object_has_member (l, "max"))
			continue;
		max = json_object_get_double_member (l, "max");
		m = max < 2 ? 2.9 : max < 3 ? 5.9 : 20;
		if (mets == 0 || m < mets)
			mets = m;
	}
	return mets;
}

/* A wheelchair or a bed: seated content only (the plan's supplied mobility). */
static const gchar *
posture_of (JsonObject *plan)
{
	JsonObject *used = plan != NULL ? mv_clinical_get_object (plan, "context_used") : NULL;
	JsonObject *supplied = used != NULL ? mv_clinical_get_object (used, "supplied") : NULL;
	const gchar *mobility
		= supplied != NULL ? mv_clinical_get_string (supplied, "mobility") : NULL;

	return g_strcmp0 (mobility, "wheelchair") == 0 || g_strcmp0 (mobility, "bedbound") == 0
		       ? "seated"
		       : NULL;
}

/* The plan's supplied `pregnant: true` (POST …/plan): used like a recorded pregnancy, as the
 * supplied mobility is.  A supplied `false` does not clear a recorded pregnancy here: the
 * record may be newer than the plan, and the filter errs on the safe side. */
static gboolean
supplied_pregnant (JsonObject *plan)
{
	JsonObject *used = plan != NULL ? mv_clinical_get_object (plan, "context_used") : NULL;
	JsonObject *supplied = used != NULL ? mv_clinical_get_object (used, "supplied") : NULL;
	JsonNode *n = supplied != NULL ? json_object_get_member (supplied, "pregnant") : NULL;

	return n != NULL && JSON_NODE_HOLDS_VALUE (n)
	       && json_node_get_value_type (n) == G_TYPE_BOOLEAN && json_node_get_boolean (n);
}

/* The record's conditions as the plugin reads them, every clinical status as recorded
 * (active … inactive, remission, resolved: the plugin decides what each means, e.g. a
 * seizure history keeps the photosensitive filter) and the verification status beside it
 * (refuted included); every code system, spelled as the plan context spells it
 * (mv_plan_code_curie(): ICD10:, SNOMED:, HP:, DOID:).  Not the plan context's list, which
 * folds inactive and remission into "resolved" and drops refuted ones (a plan's needs).  A
 * relative's condition (family_member) is not the patient's and is left out. */
static JsonArray *
conditions_of (JsonArray *conditions)
{
	JsonArray *out = json_array_new ();

	for (guint i = 0; conditions != NULL && i < json_array_get_length (conditions); i++) {
		JsonObject *c = json_array_get_object_element (conditions, i);
		g_autofree gchar *curie = mv_plan_code_curie (mv_clinical_get_object (c, "code"));
		JsonObject *item;
		/* at most as many as the plan context reads (the snapshot's newest first) */
		if (curie == NULL || json_object_has_member (c, "family_member")
		    || json_array_get_length (out) >= MV_PLAN_CONTEXT_LIST_MAX)
			continue;
		item = json_object_new ();
		json_object_set_string_member (item, "code", curie);
		mv_clinical_copy_member (item, c, "verification_status");
		if (mv_clinical_get_string (c, "clinical_status") != NULL)
			json_object_set_string_member (
				item, "status", mv_clinical_get_string (c, "clinical_status"));
		json_array_add_object_element (out, item);
	}
	return out;
}

/* The plugin's patient from the plan context of the same snapshot (age, sex, language,
 * pregnancy, findings), the record's conditions (conditions_of()) and the current plan
 * (intensity limit, posture, a supplied pregnancy). */
static JsonObject *
patient_of (JsonObject *context, JsonObject *snapshot, JsonObject *plan)
{
	static const gchar *const taken[]
		= { "language", "age_years", "sex", "pregnant", "findings", NULL };
	JsonObject *p = json_object_new ();
	gdouble mets = max_mets_of (plan);
	const gchar *posture = posture_of (plan);

	for (guint i = 0; taken[i] != NULL; i++)
		mv_clinical_copy_member (p, context, taken[i]);
	json_object_set_array_member (p, "conditions",
				      conditions_of (list_of (snapshot, "conditions")));
	if (supplied_pregnant (plan))
		json_object_set_boolean_member (p, "pregnant", TRUE);
	if (mets > 0)
		json_object_set_double_member (p, "max_mets", mets);
	if (posture != NULL)
		json_object_set_string_member (p, "posture", posture);
	return p;
}

/* The history as Train's sessions without `patient`: the date is the session's own local
 * date (started_at as the client gave it). */
static JsonArray *
history_of (JsonArray *sessions)
{
	static const gchar *const kept[]
		= { "content_id", "duration_min", "completed", "rating", "cybersickness", NULL };
	JsonArray *out = json_array_new ();

	for (guint i = 0; sessions != NULL && i < json_array_get_length (sessions); i++) {
		JsonObject *s = json_array_get_object_element (sessions, i);
		JsonObject *h = json_object_new ();
		g_autofree gchar *date = g_strndup (mv_clinical_get_string (s, "started_at"), 10);
		for (guint k = 0; kept[k] != NULL; k++)
			mv_clinical_copy_member (h, s, kept[k]);
		if (json_object_has_member (h, "rating"))
			json_object_set_double_member (h, "rating",
						       json_object_get_double_member (h, "rating"));
		json_object_set_string_member (h, "date", date);
		json_array_add_object_element (out, h);
	}
	return out;
}

static JsonObject *
snapshot_of (MvVrJob *job, GError **error)
{
	const MvClinicalKind *kinds[] = {
		mv_clinical_kind_lookup ("condition"),
		mv_clinical_kind_lookup ("note"),
		mv_clinical_kind_lookup ("plan"),
		&mv_vr_session_kind,
		&mv_vr_override_kind,
		NULL,
	};

	return mv_clinical_store_snapshot (job->store, &job->call, job->patient_id, kinds, error);
}

static JsonObject *
first_of (JsonObject *snapshot, const gchar *plural)
{
	JsonArray *a = json_object_has_member (snapshot, plural)
			       ? json_object_get_array_member (snapshot, plural)
			       : NULL;

	return a != NULL && json_array_get_length (a) > 0 ? json_array_get_object_element (a, 0)
							  : NULL;
}

/* The plugin is asked for more than the list shows, with the excluded items, so that pinned
 * items can come first and a pin the filter refused can be told (apply_override()).  The pins
 * go to the plugin too: content that needs a matching target (procedure preparation, disease
 * education) is listed for a patient without one only when a clinician pinned it. */
static void
add_ids (GVariantBuilder *options, const gchar *name, JsonArray *ids)
{
	GVariantBuilder b;

	g_variant_builder_init (&b, G_VARIANT_TYPE_STRING_ARRAY);
	for (guint i = 0; ids != NULL && i < json_array_get_length (ids); i++)
		g_variant_builder_add (&b, "s", json_array_get_string_element (ids, i));
	g_variant_builder_add (options, "{sv}", name, g_variant_builder_end (&b));
}

static GVariant *
options_of (JsonArray *blocked, JsonArray *pinned)
{
	GVariantBuilder b;

	g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add (&b, "{sv}", "limit", g_variant_new_uint32 (MV_VR_LIST_MAX));
	g_variant_builder_add (&b, "{sv}", "include_excluded", g_variant_new_boolean (TRUE));
	add_ids (&b, "exclude", blocked);
	add_ids (&b, "pin", pinned);
	return g_variant_builder_end (&b);
}

/* @patient as a{sv}, with the clinic's own items as the JSON adapter types them (the plugin
 * checks them again exactly as ValidateItem does). */
static GVariant *
patient_variant (JsonObject *patient, JsonArray *extra, GError **error)
{
	g_autoptr (GVariant) base = g_variant_ref_sink (mv_plan_json_to_vardict (patient));
	g_autoptr (JsonNode) node = NULL;
	GVariantBuilder b;
	GVariantIter iter;
	const gchar *key;
	GVariant *value;
	GVariant *items;

	g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
	g_variant_iter_init (&iter, base);
	while (g_variant_iter_next (&iter, "{&sv}", &key, &value)) {
		g_variant_builder_add (&b, "{sv}", key, value);
		g_variant_unref (value);
	}
	if (extra != NULL && json_array_get_length (extra) > 0) {
		node = json_node_init_array (json_node_alloc (), extra);
		items = json_gvariant_deserialize (node, "aa{sv}", error);
		if (items == NULL) {
			g_variant_builder_clear (&b);
			return NULL;
		}
		g_variant_builder_add (&b, "{sv}", "extra_items", items);
	}
	return g_variant_builder_end (&b);
}

static JsonObject *
reason (const gchar *code, const gchar *en, const gchar *zh)
{
	JsonObject *r = json_object_new ();

	json_object_set_string_member (r, "code", code);
	json_object_set_string_member (r, "en", en);
	json_object_set_string_member (r, "zh", zh);
	return r;
}

/* the item of @list whose id is @id, and its index */
static JsonObject *
find (JsonArray *list, const gchar *id, guint *index)
{
	for (guint i = 0; list != NULL && i < json_array_get_length (list); i++) {
		JsonObject *o = json_array_get_object_element (list, i);
		if (g_strcmp0 (mv_clinical_get_string (o, "id"), id) == 0) {
			if (index != NULL)
				*index = i;
			return o;
		}
	}
	return NULL;
}

/* Blocked items listed as excluded with the clinician's reason (with the filter's, if it
 * removed them too). */
static void
apply_blocks (JsonArray *excluded, JsonArray *blocked)
{
	for (guint i = 0; blocked != NULL && i < json_array_get_length (blocked); i++) {
		const gchar *id = json_array_get_string_element (blocked, i);
		JsonObject *e = find (excluded, id, NULL);
		if (e == NULL) {
			e = json_object_new ();
			json_object_set_string_member (e, "id", id);
			json_object_set_array_member (e, "reasons", json_array_new ());
			json_array_add_object_element (excluded, e);
		}
		json_array_add_object_element (json_object_get_array_member (e, "reasons"),
					       reason ("blocked-by-clinician",
						       "blocked by your clinician",
						       "已被您的医生屏蔽"));
	}
}

/* Pinned items that passed the filter first, in the pin's order, with a reason; a pin the
 * filter refused is not shown and a note says so: a pin never overrides safety. */
static JsonArray *
apply_pins (JsonObject *result, JsonArray *pinned)
{
	JsonArray *items = list_of (result, "items");
	JsonArray *excluded = list_of (result, "excluded");
	JsonArray *notes = list_of (result, "notes");
	JsonArray *out = json_array_new ();
	g_autoptr (GHashTable) first = g_hash_table_new (g_str_hash, g_str_equal);

	for (guint i = 0; pinned != NULL && i < json_array_get_length (pinned); i++) {
		const gchar *id = json_array_get_string_element (pinned, i);
		JsonObject *item = find (items, id, NULL);
		if (item != NULL) {
			json_array_add_object_element (
				json_object_get_array_member (item, "reasons"),
				reason ("pinned-by-clinician", "pinned by your clinician",
					"由您的医生置顶"));
			json_array_add_object_element (out, json_object_ref (item));
			g_hash_table_add (first, (gpointer)id);
		} else if (find (excluded, id, NULL) != NULL && notes != NULL) {
			JsonObject *n = reason (
				"pin-not-safe",
				"an item your clinician pinned is not safe for you now: it is not "
				"shown (a pin never overrides the safety filter)",
				"您的医生置顶的一项内容目前对您不安全，未显示（置顶不会越过安全筛查"
				"）");
			json_object_set_string_member (n, "field", "pin");
			json_object_set_string_member (n, "id", id);
			json_array_add_object_element (notes, n);
		}
	}
	for (guint i = 0; items != NULL && i < json_array_get_length (items); i++) {
		JsonObject *item = json_array_get_object_element (items, i);
		if (!g_hash_table_contains (first, mv_clinical_get_string (item, "id")))
			json_array_add_object_element (out, json_object_ref (item));
	}
	return out;
}

/* The clinician's @override applied to the plugin's @result, the list cut to @limit, and
 * the excluded items dropped unless asked for. */
static void
apply_override (JsonObject *result, JsonObject *override, gboolean include_excluded, guint limit)
{
	JsonArray *items;

	if (list_of (result, "excluded") == NULL)
		json_object_set_array_member (result, "excluded", json_array_new ());
	if (list_of (result, "notes") == NULL)
		json_object_set_array_member (result, "notes", json_array_new ());
	apply_blocks (list_of (result, "excluded"), list_of (override, "block"));
	items = apply_pins (result, list_of (override, "pin"));
	while (json_array_get_length (items) > limit)
		json_array_remove_element (items, json_array_get_length (items) - 1);
	json_object_set_array_member (result, "items", items);
	if (!include_excluded)
		json_object_remove_member (result, "excluded");
}

/* id → {en, zh} titles of every item the clinic sees: the shipped catalog's and its own
 * (@extra).  (transfer full) */
static GHashTable *
titles_of (MvVrJob *job, JsonArray *extra, GError **error)
{
	g_autoptr (GHashTable) titles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
							       (GDestroyNotify)json_object_unref);
	g_autoptr (GVariant) items
		= call_plugin (job, "ListCatalog", g_variant_new ("(s)", ""), error);
	g_autoptr (JsonNode) node = NULL;
	JsonArray *all;

	if (items == NULL)
		return NULL;
	node = json_gvariant_serialize (items);
	all = json_node_get_array (node);
	for (guint n = 0; n < 2; n++) {
		JsonArray *list = n == 0 ? all : extra;
		for (guint i = 0; list != NULL && i < json_array_get_length (list); i++) {
			JsonObject *o = json_array_get_object_element (list, i);
			JsonObject *t = mv_clinical_get_object (o, "title");
			const gchar *id = mv_clinical_get_string (o, "id");
			if (id != NULL && t != NULL)
				g_hash_table_replace (titles, g_strdup (id), json_object_ref (t));
		}
	}
	return g_steal_pointer (&titles);
}

/* The items' titles in @language (the plugin gives them in the patient's). */
static gboolean
retitle (MvVrJob *job, JsonObject *result, JsonArray *extra, const gchar *language, GError **error)
{
	JsonArray *items = list_of (result, "items");
	g_autoptr (GHashTable) titles = titles_of (job, extra, error);

	if (titles == NULL)
		return FALSE;
	for (guint i = 0; items != NULL && i < json_array_get_length (items); i++) {
		JsonObject *item = json_array_get_object_element (items, i);
		JsonObject *t = g_hash_table_lookup (titles, mv_clinical_get_string (item, "id"));
		const gchar *text = t != NULL ? mv_clinical_get_string (t, language) : NULL;
		if (text != NULL)
			json_object_set_string_member (item, "title", text);
	}
	return TRUE;
}

/* The answer's notes for their reader.  The plugin's pointers into its own input
 * (`/history/3/content_id`) mean nothing to a caller: a note on a past session's content names
 * the content instead (one note an id: `{code, field: "history", id, en, zh}`).  The patient's
 * own route has no `notes` at all: they are the clinician's (a pin refused by the filter, an id
 * no longer in the catalogs) and say nothing the patient can act on; `notices` stay. */
static void
notes_for_reader (JsonObject *result, JsonArray *history, gboolean patients_own)
{
	JsonArray *notes = list_of (result, "notes");
	g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	JsonArray *out;

	if (patients_own || notes == NULL) {
		json_object_remove_member (result, "notes");
		return;
	}
	out = json_array_new ();
	for (guint i = 0; i < json_array_get_length (notes); i++) {
		JsonObject *n = json_array_get_object_element (notes, i);
		const gchar *field = mv_clinical_get_string (n, "field");
		guint64 index = 0;
		g_auto (GStrv) parts = NULL;
		const gchar *id;
		if (field == NULL || !g_str_has_prefix (field, "/history/")) {
			json_array_add_object_element (out, json_object_ref (n));
			continue;
		}
		parts = g_strsplit (field + strlen ("/history/"), "/", 2);
		id = g_ascii_string_to_unsigned (parts[0], 10, 0, G_MAXUINT, &index, NULL)
				     && index < json_array_get_length (history)
			     ? mv_clinical_get_string (
				     json_array_get_object_element (history, (guint)index),
				     "content_id")
			     : NULL;
		if (id == NULL || !g_hash_table_add (seen, g_strdup (id)))
			continue;
		n = reason (
			mv_clinical_get_string (n, "code") != NULL
				? mv_clinical_get_string (n, "code")
				: "unknown-content",
			"content of a past session is no longer in the clinic's catalogs (a "
			"deleted clinic item): its sessions still count in the history",
			"既往训练的内容已不在本诊所的目录中（已删除的诊所条目）：其训练仍计入历史");
		json_object_set_string_member (n, "field", "history");
		json_object_set_string_member (n, "id", id);
		json_array_add_object_element (out, n);
	}
	json_object_set_array_member (result, "notes", out);
}

/* What Recommend is given, read from one snapshot of the record. */
typedef struct {
	JsonObject *snapshot;
	JsonObject *patient;
	JsonArray *history;
	JsonArray *extra;     /* the clinic's own items */
	JsonObject *override; /* (nullable) borrowed from the snapshot */
} VrInput;

static void
vr_input_clear (VrInput *in)
{
	g_clear_pointer (&in->snapshot, json_object_unref);
	g_clear_pointer (&in->patient, json_object_unref);
	g_clear_pointer (&in->history, json_array_unref);
	g_clear_pointer (&in->extra, json_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (VrInput, vr_input_clear)

static gboolean
vr_input_read (MvVrJob *job, VrInput *in, GError **error)
{
	g_autoptr (MvPlanContext) context = NULL;
	MvPlanRecord record;

	in->extra = mv_vr_items_load (job, error);
	if (in->extra == NULL)
		return FALSE;
	in->snapshot = snapshot_of (job, error);
	if (in->snapshot == NULL)
		return FALSE;
	record = (MvPlanRecord){
		.snapshot = in->snapshot,
		.patient_id = job->patient_id,
		.now = job->now,
		.caller_language = job->call.language,
	};
	context = mv_plan_context_assemble (&record);
	in->patient = patient_of (context->context, in->snapshot, first_of (in->snapshot, "plans"));
	in->history = history_of (list_of (in->snapshot, mv_vr_session_kind.plural));
	in->override = first_of (in->snapshot, mv_vr_override_kind.plural);
	return TRUE;
}

/* Recommend's result as JSON (transfer full); @model and @options: floating ones are
 * consumed, others referenced (g_variant_new()'s rule). */
static JsonObject *
recommend_call (MvVrJob *job, VrInput *in, GVariant *model, GVariant *options, GError **error)
{
	g_autoptr (GVariant) result = NULL;
	g_autoptr (JsonNode) node = NULL;
	GVariant *patient_v = patient_variant (in->patient, in->extra, error);

	if (patient_v == NULL) {
		g_variant_unref (g_variant_ref_sink (model));
		g_variant_unref (g_variant_ref_sink (options));
		return NULL;
	}
	result = call_plugin (job, "Recommend",
			      g_variant_new ("(@a{sv}@aa{sv}@a{sv}@a{sv})", patient_v,
					     mv_plan_json_to_vardicts (in->history), model,
					     options),
			      error);
	if (result == NULL)
		return NULL;
	node = json_gvariant_serialize (result);
	return json_object_ref (json_node_get_object (node));
}

JsonObject *
mv_vr_recommend (MvVrJob *job,
		 gboolean patients_own,
		 gboolean include_excluded,
		 guint limit,
		 const gchar *title_language,
		 const gchar **language,
		 GError **error)
{
	g_auto (VrInput) in = { 0 };
	g_autoptr (GVariant) model = NULL;
	gint64 trained_on = 0;
	JsonObject *out;

	/* a stranger learns nothing, not even whether the plugin is loaded */
	if (!mv_clinical_store_check_patient (job->store, &job->call, job->patient_id, error)
	    || !require_plugin (job, error) || !vr_input_read (job, &in, error))
		return NULL;
	model = mv_vr_model_current (job, &trained_on, error);
	if (model == NULL)
		return NULL;
	out = recommend_call (
		job, &in, model,
		options_of (list_of (in.override, "block"), list_of (in.override, "pin")), error);
	if (out == NULL)
		return NULL;
	apply_override (out, in.override, include_excluded, limit);
	notes_for_reader (out, in.history, patients_own);
	json_object_set_int_member (out, "model_sessions", trained_on);
	*language = g_strcmp0 (mv_clinical_get_string (in.patient, "language"), "zh") == 0 ? "zh"
											   : "en";
	if (title_language != NULL && !g_str_equal (title_language, *language)) {
		if (!retitle (job, out, in.extra, title_language, error)) {
			json_object_unref (out);
			return NULL;
		}
		*language = title_language;
	}
	return out;
}

/* The reasons the patient's safety filter gives against @content_id now (the record as it
 * is, before the session is stored), as codes, each once; empty when it passes.  The model
 * plays no part in the filter: `{}` is given.  A clinician's block is not a safety reason. */
static JsonArray *
safety_flags_of (MvVrJob *job, const gchar *content_id, GError **error)
{
	g_auto (VrInput) in = { 0 };
	g_autoptr (JsonObject) result = NULL;
	g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
	GVariantBuilder options;
	JsonObject *excluded;
	JsonArray *reasons;
	JsonArray *flags;

	if (!vr_input_read (job, &in, error))
		return NULL;
	g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add (&options, "{sv}", "limit", g_variant_new_uint32 (1));
	g_variant_builder_add (&options, "{sv}", "include_excluded", g_variant_new_boolean (TRUE));
	result = recommend_call (job, &in, g_variant_new ("a{sv}", NULL),
				 g_variant_builder_end (&options), error);
	if (result == NULL)
		return NULL;
	flags = json_array_new ();
	excluded = find (list_of (result, "excluded"), content_id, NULL);
	reasons = list_of (excluded, "reasons");
	for (guint i = 0; reasons != NULL && i < json_array_get_length (reasons); i++) {
		const gchar *code = mv_clinical_get_string (
			json_array_get_object_element (reasons, i), "code");
		if (code != NULL && g_hash_table_add (seen, (gpointer)code))
			json_array_add_string_element (flags, code);
	}
	return flags;
}
