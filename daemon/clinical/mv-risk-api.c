/* Risk scores from the patient's record: see mv-risk-api.h and docs/api.md. */
#define G_LOG_DOMAIN "medverse-clinical"

#include "mv-risk-api.h"

#include <json-glib/json-gvariant.h>
#include <medverse/medverse-plugin.h>

#include "mv-clinical-store.h"
#include "mv-locale.h"
#include "mv-risk-inputs.h"
#include "records/mv-record-schema.h"

/* What one request needs throughout. */
typedef struct {
	MvClinicalStore *store;
	MvEngine *engine;
	MvClinicalCall call;
	MvCaller caller;
	const gchar *patient_id;
	GDateTime *now;
	JsonObject *supplied; /* borrowed from the body: the request's "inputs", or NULL */
	gboolean override;
} RiskRequest;

static void
risk_request_clear (RiskRequest *r)
{
	g_clear_pointer (&r->now, g_date_time_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RiskRequest, risk_request_clear)

static void
risk_request_init (RiskRequest *r, MvHttpRequest *request)
{
	const gchar *locale = mv_http_request_get_locale (request);
	const MvAuthContext *auth = mv_http_request_get_auth (request);
	const gchar *language
		= locale != NULL && g_ascii_strncasecmp (locale, "zh", 2) == 0 ? "zh" : "en";

	r->store = mv_http_request_get_user_data (request);
	r->engine = mv_clinical_store_get_engine (r->store);
	r->now = g_date_time_new_now_utc ();
	r->patient_id = mv_http_request_get_param (request, "id");
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
	/* the answer's messages and labels are in it: say so (RFC 9110 Content-Language) */
	mv_http_request_set_header (request, "Content-Language",
				    mv_language_to_tag (g_str_equal (language, "zh")
								? MV_LANGUAGE_ZH
								: MV_LANGUAGE_EN));
}

/* The body: {"inputs"?: {name: value}, "override"?: boolean}; anything else is refused, all
 * problems at once.  The names are checked against the models later (input_names_known). */
static gboolean
read_body (RiskRequest *r, MvHttpRequest *request, GError **error)
{
	JsonObject *body = mv_http_request_get_body (request);
	g_autoptr (GList) members = body != NULL ? json_object_get_members (body) : NULL;
	g_autoptr (GError) problems = NULL;

	for (GList *l = members; l != NULL; l = l->next) {
		JsonNode *n = json_object_get_member (body, l->data);
		g_autofree gchar *field = g_strconcat ("/", (const gchar *)l->data, NULL);
		if (g_str_equal (l->data, "inputs") && JSON_NODE_HOLDS_OBJECT (n)) {
			r->supplied = json_node_get_object (n);
		} else if (g_str_equal (l->data, "override") && JSON_NODE_HOLDS_VALUE (n)
			   && json_node_get_value_type (n) == G_TYPE_BOOLEAN) {
			r->override = json_node_get_boolean (n);
		} else if (g_str_equal (l->data, "inputs") || g_str_equal (l->data, "override")) {
			mv_error_add_problem (&problems, field, "wrong-type",
					      g_str_equal (l->data, "inputs")
						      ? "must be an object: input name → value"
						      : "must be true or false",
					      g_str_equal (l->data, "inputs")
						      ? "必须是对象：输入名 → 值"
						      : "必须是 true 或 false");
		} else {
			mv_error_add_problem (
				&problems, field, "unknown-member",
				"unknown member; the body holds \"inputs\" and "
				"\"override\"",
				"未知成员；请求体只能包含 \"inputs\" 和 \"override\"");
		}
	}
	if (r->supplied != NULL) {
		g_autoptr (GList) names = json_object_get_members (r->supplied);
		for (GList *l = names; l != NULL; l = l->next) {
			g_autofree gchar *field
				= g_strconcat ("/inputs/", (const gchar *)l->data, NULL);
			if (!mv_risk_supplied_value_valid (
				    json_object_get_member (r->supplied, l->data)))
				mv_error_add_problem (
					&problems, field, "wrong-type",
					"must be a number, true or false, a level, or {\"value\": "
					"number, \"unit\": text}",
					"必须是数字、true 或 false、类别值，或 {\"value\": 数字, "
					"\"unit\": 单位}");
		}
	}
	if (problems != NULL) {
		g_propagate_error (error, g_steal_pointer (&problems));
		return FALSE;
	}
	return TRUE;
}

/* Whether model @m declares input @name. */
static gboolean
declares_input (JsonObject *m, const gchar *name)
{
	JsonNode *n = json_object_get_member (m, "inputs");
	JsonArray *inputs = n != NULL && JSON_NODE_HOLDS_ARRAY (n) ? json_node_get_array (n) : NULL;

	for (guint i = 0; inputs != NULL && i < json_array_get_length (inputs); i++) {
		JsonObject *in = json_array_get_object_element (inputs, i);
		if (in != NULL && json_object_has_member (in, "name")
		    && g_strcmp0 (json_object_get_string_member (in, "name"), name) == 0)
			return TRUE;
	}
	return FALSE;
}

/* Every supplied name is an input of one of @models: a misspelt name is refused, not
 * ignored. */
static gboolean
input_names_known (RiskRequest *r, GPtrArray *models, GError **error)
{
	g_autoptr (GList) names
		= r->supplied != NULL ? json_object_get_members (r->supplied) : NULL;
	g_autoptr (GError) problems = NULL;

	for (GList *l = names; l != NULL; l = l->next) {
		gboolean known = FALSE;
		for (guint i = 0; i < models->len && !known; i++)
			known = declares_input (g_ptr_array_index (models, i), l->data);
		if (!known) {
			g_autofree gchar *field
				= g_strconcat ("/inputs/", (const gchar *)l->data, NULL);
			mv_error_add_problem (&problems, field, "unknown-input",
					      models->len == 1
						      ? "the model has no input of this name "
							"(GET /v1/risk/models/{id} lists them)"
						      : "no risk model has an input of this name",
					      models->len == 1 ? "该模型没有此名称的输入（GET "
								 "/v1/risk/models/{id} 列出其输入）"
							       : "没有风险模型有此名称的输入");
		}
	}
	if (problems != NULL) {
		g_propagate_error (error, g_steal_pointer (&problems));
		return FALSE;
	}
	return TRUE;
}

/* ---- plugin calls ------------------------------------------------------------------------- */

static gboolean
plugin_loaded (MvEngine *engine)
{
	g_autoptr (GPtrArray) plugins = engine != NULL ? mv_engine_get_plugins (engine) : NULL;

	for (guint i = 0; plugins != NULL && i < plugins->len; i++)
		if (g_strcmp0 (((const MvPluginInfo *)g_ptr_array_index (plugins, i))->name,
			       MV_RISK_PLUGIN)
		    == 0)
			return TRUE;
	return FALSE;
}

/* Calls @method with the arguments it declares, each taken by name from @model, @inputs and
 * the language (an argument not among them gets its empty value), and returns its first
 * output as JSON (Describe's model, Score's result, ListModels' models). */
static JsonNode *
call_method (
	RiskRequest *r, const gchar *method, const gchar *model, GVariant *inputs, GError **error)
{
	const MvMethod *m = mv_engine_find_method (r->engine, MV_RISK_PLUGIN, method, error);
	g_autoptr (GVariant) owned_inputs = inputs != NULL ? g_variant_ref_sink (inputs) : NULL;
	g_autoptr (GVariant) output = NULL;
	g_autoptr (GVariant) first = NULL;
	GVariantBuilder b;

	if (m == NULL)
		return NULL;
	g_variant_builder_init (&b, G_VARIANT_TYPE_TUPLE);
	for (guint i = 0; m->in_args[i].name != NULL; i++) {
		const MvArg *arg = &m->in_args[i];
		const GVariantType *type = G_VARIANT_TYPE (arg->type);
		GVariant *v = NULL;
		if (g_str_equal (arg->name, "model") && model != NULL)
			v = g_variant_new_string (model);
		else if (g_str_equal (arg->name, "language"))
			v = g_variant_new_string (r->call.language);
		else if (g_str_equal (arg->name, "inputs") && owned_inputs != NULL)
			v = owned_inputs;
		if (v == NULL || !g_variant_is_of_type (v, type)) {
			if (v != NULL && v != owned_inputs)
				g_variant_unref (g_variant_ref_sink (v));
			v = mv_value_new_empty (type);
		}
		g_variant_builder_add_value (&b, v);
	}
	output = mv_engine_call_sync (r->engine, MV_RISK_PLUGIN, method, g_variant_builder_end (&b),
				      &r->caller, error);
	if (output == NULL)
		return NULL;
	first = g_variant_get_child_value (output, 0);
	return json_gvariant_serialize (first);
}

static JsonObject *
describe (RiskRequest *r, const gchar *model, GError **error)
{
	g_autoptr (JsonNode) node = call_method (r, "Describe", model, NULL, error);

	if (node == NULL)
		return NULL;
	if (!JSON_NODE_HOLDS_OBJECT (node)) {
		mv_set_error_bilingual (error, MV_ERROR_FAILED,
					"the risk scorer described a model as no object",
					"风险评分插件返回的模型描述不是对象");
		return NULL;
	}
	return json_object_ref (json_node_get_object (node));
}

/* Every model the plugin loaded, described. */
static GPtrArray *
describe_all (RiskRequest *r, GError **error)
{
	g_autoptr (JsonNode) list = call_method (r, "ListModels", NULL, NULL, error);
	g_autoptr (GPtrArray) out
		= g_ptr_array_new_with_free_func ((GDestroyNotify)json_object_unref);
	JsonArray *models;

	if (list == NULL)
		return NULL;
	models = JSON_NODE_HOLDS_ARRAY (list) ? json_node_get_array (list) : NULL;
	for (guint i = 0; models != NULL && i < json_array_get_length (models); i++) {
		JsonObject *entry = json_array_get_object_element (models, i);
		const gchar *id
			= entry != NULL
				  ? json_object_get_string_member_with_default (entry, "id", NULL)
				  : NULL;
		JsonObject *model;
		if (id == NULL)
			continue;
		model = describe (r, id, error);
		if (model == NULL)
			return NULL;
		/* a model with inputs the record cannot hold is listed too (needs-input): left
		 * out, a clinician would never learn it exists */
		g_ptr_array_add (out, model);
	}
	return g_steal_pointer (&out);
}

/* ---- one model ---------------------------------------------------------------------------- */

static const gchar *
string_of (JsonObject *o, const gchar *member)
{
	JsonNode *n = o != NULL ? json_object_get_member (o, member) : NULL;
	return n != NULL && JSON_NODE_HOLDS_VALUE (n)
			       && json_node_get_value_type (n) == G_TYPE_STRING
		       ? json_node_get_string (n)
		       : NULL;
}

/* @member of @from into @to, unless absent, null or an empty string (the kind refuses an
 * empty category: a model without categories gives "") */
static void
copy_if (JsonObject *to, JsonObject *from, const gchar *member)
{
	JsonNode *n = json_object_get_member (from, member);

	if (n == NULL || JSON_NODE_HOLDS_NULL (n))
		return;
	if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
	    && *json_node_get_string (n) == '\0')
		return;
	json_object_set_member (to, member, json_node_copy (n));
}

/* The plugin's contributions with the members the kind stores (a later plugin's extra
 * members are left out rather than refusing the whole batch). */
static JsonArray *
list_of (JsonObject *result, const gchar *member, const gchar *const *kept)
{
	JsonNode *n = json_object_get_member (result, member);
	JsonArray *out = json_array_new ();

	for (guint i = 0; n != NULL && JSON_NODE_HOLDS_ARRAY (n)
			  && i < json_array_get_length (json_node_get_array (n));
	     i++) {
		JsonObject *c = json_array_get_object_element (json_node_get_array (n), i);
		JsonObject *o = json_object_new ();
		for (guint k = 0; c != NULL && kept[k] != NULL; k++)
			copy_if (o, c, kept[k]);
		json_array_add_object_element (out, o);
	}
	return out;
}

static JsonArray *
contributions_of (JsonObject *result)
{
	static const gchar *const kept[]
		= { "feature",	  "input",	 "value",	 "transform",
		    "term_value", "coefficient", "contribution", "contribution_vs_mean",
		    "label",	  NULL };

	return list_of (result, "contributions", kept);
}

/* The canonical unit of input @name of @model (a number), or NULL. */
static const gchar *
input_unit (JsonObject *model, const gchar *name)
{
	JsonNode *n = json_object_get_member (model, "inputs");
	JsonArray *inputs = n != NULL && JSON_NODE_HOLDS_ARRAY (n) ? json_node_get_array (n) : NULL;

	for (guint i = 0; inputs != NULL && i < json_array_get_length (inputs); i++) {
		JsonObject *in = json_array_get_object_element (inputs, i);
		if (g_strcmp0 (string_of (in, "name"), name) == 0
		    && g_strcmp0 (string_of (in, "type"), "number") == 0)
			return string_of (in, "unit");
	}
	return NULL;
}

/* The risk-assessment record of a score: the plugin's result, the inputs' provenance, and
 * for each defaulted input the value the plugin used. */
static JsonObject *
assessment_of (RiskRequest *r, JsonObject *model, JsonObject *result, MvRiskInputs *in)
{
	JsonObject *rec = json_object_new ();
	JsonObject *used = json_object_ref (in->provenance);
	JsonNode *used_node = json_object_get_member (result, "inputs_used");
	JsonObject *plugin_used = used_node != NULL && JSON_NODE_HOLDS_OBJECT (used_node)
					  ? json_node_get_object (used_node)
					  : NULL;
	g_autofree gchar *now = mv_schema_format_utc (r->now);
	const gchar *model_id = string_of (result, "model");

	json_object_set_string_member (rec, "model",
				       model_id != NULL ? model_id : string_of (model, "id"));
	json_object_set_string_member (rec, "model_version",
				       string_of (result, "version") != NULL
					       ? string_of (result, "version")
					       : string_of (model, "version"));
	copy_if (rec, result, "probability");
	copy_if (rec, result, "category");
	copy_if (rec, result, "category_label");
	copy_if (rec, result, "linear_predictor");
	copy_if (rec, model, "horizon_years");
	json_object_set_array_member (rec, "contributions", contributions_of (result));
	if (json_object_has_member (result, "effects")) {
		static const gchar *const kept[] = { "input", "label", "effect", NULL };
		json_object_set_array_member (rec, "effects", list_of (result, "effects", kept));
	}
	for (guint i = 0; i < json_array_get_length (in->defaulted); i++) {
		const gchar *name = json_array_get_string_element (in->defaulted, i);
		JsonObject *d = json_object_new ();
		JsonObject *src = json_object_new ();
		if (plugin_used != NULL && json_object_has_member (plugin_used, name))
			copy_if (d, plugin_used, name);
		if (json_object_has_member (d, name)) {
			json_object_set_member (d, "value",
						json_node_copy (json_object_get_member (d, name)));
			json_object_remove_member (d, name);
		} else {
			json_object_set_null_member (d, "value");
		}
		json_object_set_string_member (src, "kind", "model-default");
		json_object_set_object_member (d, "source", src);
		json_object_set_object_member (used, name, d);
	}
	for (guint i = 0; plugin_used != NULL && i < json_array_get_length (in->supplied); i++) {
		/* the value the plugin used (in the canonical unit), the value as given kept */
		const gchar *name = json_array_get_string_element (in->supplied, i);
		JsonObject *p = json_object_get_object_member (used, name);
		JsonNode *canonical = json_object_get_member (plugin_used, name);
		if (p == NULL || canonical == NULL || !JSON_NODE_HOLDS_VALUE (canonical))
			continue;
		json_object_set_member (p, "given",
					json_node_copy (json_object_get_member (in->inputs, name)));
		json_object_set_member (p, "value", json_node_copy (canonical));
		if (input_unit (model, name) != NULL)
			json_object_set_string_member (p, "unit", input_unit (model, name));
	}
	json_object_set_object_member (rec, "inputs_used", used);
	json_object_set_array_member (rec, "defaulted", json_array_ref (in->defaulted));
	if (json_array_get_length (in->supplied) > 0)
		json_object_set_array_member (rec, "supplied", json_array_ref (in->supplied));
	copy_if (rec, result, "explanation");
	if (string_of (result, "citation") != NULL && string_of (result, "citation")[0] != '\0') {
		/* the kind keeps at most 500 characters of it; g_utf8_substring() walks end_pos
		 * characters whatever the string's length (past the end of a shorter one: ASan's
		 * heap-buffer-overflow), so clamp it */
		const gchar *full = string_of (result, "citation");
		g_autofree gchar *citation
			= g_utf8_substring (full, 0, MIN (g_utf8_strlen (full, -1), 500));
		json_object_set_string_member (rec, "citation", citation);
	}
	json_object_set_string_member (rec, "computed_at", now);
	return rec;
}

/* The answer's entry of a model: its id and version, and what became of it. */
static JsonObject *
entry_of (JsonObject *model, const gchar *status)
{
	JsonObject *e = json_object_new ();

	json_object_set_string_member (e, "model", string_of (model, "id"));
	json_object_set_string_member (e, "model_version", string_of (model, "version"));
	json_object_set_string_member (e, "status", status);
	return e;
}

/* The plugin's refusal of a score as the entry's error: its message and problems in both
 * languages (they name inputs and ranges, never the patient). */
static JsonObject *
error_of (const GError *e)
{
	JsonObject *o = json_object_new ();
	JsonArray *problems = json_array_new ();

	json_object_set_string_member (o, "code", mv_error_to_string ((MvError)e->code));
	json_object_set_string_member (o, "message", e->message);
	json_object_set_string_member (o, "message_zh", mv_error_get_message_zh (e));
	for (guint i = 0; i < mv_error_get_n_problems (e); i++) {
		const MvErrorProblem *p = mv_error_get_problem (e, i);
		JsonObject *po = json_object_new ();
		json_object_set_string_member (po, "field", p->field);
		json_object_set_string_member (po, "code", p->code);
		json_object_set_string_member (po, "message", p->message);
		json_object_set_string_member (po, "message_zh", p->message_zh);
		json_array_add_object_element (problems, po);
	}
	json_object_set_array_member (o, "problems", problems);
	return o;
}

/* What became of the supplied values: the ones used, and the ones the record's won over. */
static void
add_supplied (JsonObject *entry, MvRiskInputs *in)
{
	if (json_array_get_length (in->supplied) > 0)
		json_object_set_array_member (entry, "supplied", json_array_ref (in->supplied));
	if (json_array_get_length (in->not_used) > 0)
		json_object_set_array_member (entry, "not_used", json_array_ref (in->not_used));
}

/* Assembles and scores @model: its entry, and the record to store (NULL unless scored).
 * FALSE only for a failure of the call itself (time limit, plugin gone…). */
static gboolean
evaluate (RiskRequest *r,
	  JsonObject *model,
	  const MvRiskRecord *record,
	  JsonObject **entry,
	  JsonObject **to_store,
	  GError **error)
{
	g_autoptr (MvRiskInputs) in = mv_risk_inputs_assemble (model, record);
	g_autoptr (GError) refused = NULL;
	g_autoptr (JsonNode) result = NULL;

	if (json_array_get_length (in->not_applicable) > 0) {
		/* the patient is outside the model's population: what is missing does not matter */
		*entry = entry_of (model, "not-applicable");
		json_object_set_array_member (*entry, "not_applicable",
					      json_array_ref (in->not_applicable));
		add_supplied (*entry, in);
		return TRUE;
	}
	if (json_array_get_length (in->missing) > 0) {
		/* needs-input: only the caller can give one of them (no source in the record) */
		*entry = entry_of (model, in->needs_input ? "needs-input" : "incomplete");
		json_object_set_array_member (*entry, "missing", json_array_ref (in->missing));
		json_object_set_array_member (*entry, "defaulted", json_array_ref (in->defaulted));
		add_supplied (*entry, in);
		return TRUE;
	}
	result = call_method (r, "Score", string_of (model, "id"), mv_risk_inputs_to_variant (in),
			      &refused);
	if (result == NULL && g_error_matches (refused, MV_ERROR, MV_ERROR_INVALID_INPUT)) {
		/* a value of the record outside the model's range, say: this model only */
		*entry = entry_of (model, "refused");
		json_object_set_object_member (*entry, "error", error_of (refused));
		add_supplied (*entry, in);
		return TRUE;
	}
	if (result == NULL) {
		g_propagate_error (error, g_steal_pointer (&refused));
		return FALSE;
	}
	if (!JSON_NODE_HOLDS_OBJECT (result)) {
		mv_set_error_bilingual (error, MV_ERROR_FAILED,
					"the risk scorer's result is no object",
					"风险评分插件返回的结果不是对象");
		return FALSE;
	}
	*entry = entry_of (model, "scored");
	add_supplied (*entry, in);
	*to_store = assessment_of (r, model, json_node_get_object (result), in);
	return TRUE;
}

/* Stores @records in one batch and puts each stored record into its entry. */
static gboolean
store_all (RiskRequest *r, GPtrArray *records, GPtrArray *entries_of_records, GError **error)
{
	const MvClinicalKind *kind = mv_clinical_kind_lookup ("risk-assessment");
	g_autoptr (JsonObject) body = json_object_new ();
	g_autoptr (JsonObject) created = NULL;
	JsonArray *list = json_array_new ();
	JsonArray *stored;

	for (guint i = 0; i < records->len; i++)
		json_array_add_object_element (list,
					       json_object_ref (g_ptr_array_index (records, i)));
	json_object_set_array_member (body, kind->plural, list);
	created = mv_clinical_store_create (r->store, &r->call, kind, r->patient_id, body, NULL,
					    error);
	if (created == NULL)
		return FALSE;
	stored = json_object_get_array_member (created, kind->plural);
	for (guint i = 0; i < records->len && i < json_array_get_length (stored); i++)
		json_object_set_object_member (
			g_ptr_array_index (entries_of_records, i), "assessment",
			json_object_ref (json_array_get_object_element (stored, i)));
	return TRUE;
}

static JsonNode *
score (MvHttpRequest *request, const gchar *only, GError **error)
{
	static const gchar *const kind_names[] = { "observation", "condition", "medication" };
	const MvClinicalKind *kinds[G_N_ELEMENTS (kind_names) + 1] = { NULL };
	g_auto (RiskRequest) r = { 0 };
	g_autoptr (GPtrArray) models = NULL;
	g_autoptr (JsonObject) snapshot = NULL;
	g_autoptr (GPtrArray) records
		= g_ptr_array_new_with_free_func ((GDestroyNotify)json_object_unref);
	g_autoptr (GPtrArray) stored_entries = g_ptr_array_new ();
	g_autoptr (JsonArray) entries = json_array_new ();
	g_autofree gchar *patient = NULL;
	MvRiskRecord record;

	risk_request_init (&r, request);
	/* a stranger learns nothing, not even whether the plugin is loaded */
	if (!mv_clinical_store_check_patient (r.store, &r.call, r.patient_id, error))
		return NULL;
	if (!read_body (&r, request, error))
		return NULL;
	if (!plugin_loaded (r.engine)) {
		mv_set_error_bilingual (error, MV_ERROR_UNAVAILABLE,
					"the risk-scorer plugin is not loaded",
					"风险评分插件（risk-scorer）未加载");
		return NULL;
	}
	/* the models first: an unknown one is 404 before any patient datum is read */
	if (only != NULL) {
		JsonObject *model = describe (&r, only, error);
		if (model == NULL)
			return NULL;
		models = g_ptr_array_new_with_free_func ((GDestroyNotify)json_object_unref);
		g_ptr_array_add (models, model);
	} else if ((models = describe_all (&r, error)) == NULL) {
		return NULL;
	}
	if (!input_names_known (&r, models, error))
		return NULL;
	for (guint i = 0; i < G_N_ELEMENTS (kind_names); i++)
		kinds[i] = mv_clinical_kind_lookup (kind_names[i]);
	snapshot = mv_clinical_store_snapshot (r.store, &r.call, r.patient_id, kinds, error);
	if (snapshot == NULL)
		return NULL;
	patient = g_ascii_strdown (r.patient_id, -1);
	record = (MvRiskRecord){
		.patient_id = patient,
		.profile = json_object_get_object_member (snapshot, "profile"),
		.profile_version
		= (guint64)json_object_get_int_member (snapshot, "profile_version"),
		.observations = json_object_get_array_member (snapshot, "observations"),
		.conditions = json_object_get_array_member (snapshot, "conditions"),
		.medications = json_object_get_array_member (snapshot, "medications"),
		.now = r.now,
		.supplied = r.supplied,
		.override = r.override,
		.language = r.call.language,
	};
	for (guint i = 0; i < models->len; i++) {
		JsonObject *entry = NULL;
		JsonObject *to_store = NULL;
		if (!evaluate (&r, g_ptr_array_index (models, i), &record, &entry, &to_store,
			       error))
			return NULL;
		json_array_add_object_element (entries, entry);
		if (to_store != NULL) {
			g_ptr_array_add (records, to_store);
			g_ptr_array_add (stored_entries, entry);
		}
	}
	if (records->len > 0) {
		if (!store_all (&r, records, stored_entries, error))
			return NULL;
		mv_http_request_set_status (request, 201);
	}
	if (only != NULL)
		return json_node_init_object (json_node_alloc (),
					      json_array_get_object_element (entries, 0));
	{
		JsonObject *out = json_object_new ();
		g_autofree gchar *now = mv_schema_format_utc (r.now);
		JsonNode *node;
		json_object_set_string_member (out, "patient_id", patient);
		json_object_set_string_member (out, "computed_at", now);
		json_object_set_array_member (out, "models", json_array_ref (entries));
		node = json_node_init_object (json_node_alloc (), out);
		json_object_unref (out);
		return node;
	}
}

JsonNode *
mv_risk_http_score_all (MvHttpRequest *request, GError **error)
{
	return score (request, NULL, error);
}

JsonNode *
mv_risk_http_score_one (MvHttpRequest *request, GError **error)
{
	return score (request, mv_http_request_get_param (request, "model"), error);
}
