/*
 * The plugin calls as routes of the route table, so they get what every route gets: a key
 * (401 without one), the per-key rate limit (429), 405/415/413 checks, a worker thread, the
 * response limit.  The route's worker checks the caller and the input, then hands the call to the
 * engine (the plugin's own worker pool and time limit), whose answer goes straight back to the
 * waiting connection.
 */
#define G_LOG_DOMAIN "medverse-http"

#include <medverse/medverse-plugin.h>

#include "mv-locale.h"
#include "mv-metrics.h"
#include "mv-plugin-routes.h"

static JsonNode *
args_to_json (const MvArg *args)
{
	g_autoptr (JsonBuilder) builder = json_builder_new ();

	json_builder_begin_array (builder);
	for (guint i = 0; args != NULL && args[i].name != NULL; i++) {
		json_builder_begin_object (builder);
		json_builder_set_member_name (builder, "name");
		json_builder_add_string_value (builder, args[i].name);
		json_builder_set_member_name (builder, "type");
		json_builder_add_string_value (builder, args[i].type);
		json_builder_set_member_name (builder, "description");
		json_builder_add_string_value (builder,
					       args[i].description ? args[i].description : "");
		json_builder_set_member_name (builder, "optional");
		json_builder_add_boolean_value (builder, (args[i].flags & MV_ARG_OPTIONAL) != 0);
		json_builder_end_object (builder);
	}
	json_builder_end_array (builder);
	return json_builder_get_root (builder);
}

static void
add_method (JsonBuilder *builder, const MvMethod *m)
{
	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "name");
	json_builder_add_string_value (builder, m->name);
	json_builder_set_member_name (builder, "description");
	json_builder_add_string_value (builder, m->description ? m->description : "");
	json_builder_set_member_name (builder, "input");
	json_builder_add_value (builder, args_to_json (m->in_args));
	json_builder_set_member_name (builder, "output");
	json_builder_add_value (builder, args_to_json (m->out_args));
	json_builder_end_object (builder);
}

static JsonNode *
list_plugins (MvHttpRequest *request, GError **error)
{
	MvEngine *engine = mv_http_request_get_user_data (request);
	g_autoptr (GPtrArray) infos = mv_engine_get_plugins (engine);
	g_autoptr (JsonBuilder) builder = json_builder_new ();

	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "plugins");
	json_builder_begin_array (builder);
	for (guint i = 0; i < infos->len; i++) {
		const MvPluginInfo *info = g_ptr_array_index (infos, i);
		gboolean isolated = FALSE, disabled = FALSE;

		(void)mv_engine_get_plugin_state (engine, info->name, &isolated, &disabled);
		json_builder_begin_object (builder);
		json_builder_set_member_name (builder, "name");
		json_builder_add_string_value (builder, info->name);
		/* how it runs and whether it answers: a disabled plugin is otherwise visible only
		 * in the log */
		json_builder_set_member_name (builder, "isolation");
		json_builder_add_string_value (builder, isolated ? "process" : "in-process");
		json_builder_set_member_name (builder, "state");
		json_builder_add_string_value (builder, disabled ? "disabled" : "serving");
		json_builder_set_member_name (builder, "version");
		json_builder_add_string_value (builder, info->version);
		json_builder_set_member_name (builder, "description");
		json_builder_add_string_value (builder, info->description);
		json_builder_set_member_name (builder, "methods");
		json_builder_begin_array (builder);
		for (guint j = 0; info->methods[j].name != NULL; j++)
			add_method (builder, &info->methods[j]);
		json_builder_end_array (builder);
		json_builder_end_object (builder);
	}
	json_builder_end_array (builder);
	json_builder_end_object (builder);
	return json_builder_get_root (builder);
}

typedef struct {
	MvHttpRequest *request;
	const MvMethod *method;
	GError *refused; /* the body's unknown members, reported with the plugin's problems */
} PluginCall;

/* Adds @from's problems to *@to (one error listing both). */
static void
add_problems (GError **to, const GError *from)
{
	for (guint i = 0; i < mv_error_get_n_problems (from); i++) {
		const MvErrorProblem *p = mv_error_get_problem (from, i);
		mv_error_add_problem (to, p->field, p->code, p->message, p->message_zh);
	}
}

/* In the plugin's worker (or wherever the engine answers): the answer goes straight to the
 * waiting connection, without waking the route's worker again.  With unknown members in the
 * body the call is refused whatever the plugin answered, but the plugin's own problems with
 * the rest are listed too (a caller fixes its request in one round); an error of another kind
 * (no such model, a time-out) is the answer as it is. */
static void
plugin_answered (GVariant *output, GError *error, gpointer user_data)
{
	g_autofree PluginCall *pc = user_data;
	g_autoptr (GVariant) owned = output;
	g_autoptr (GError) refused = g_steal_pointer (&pc->refused);
	JsonNode *result = NULL;

	if (refused != NULL && (error == NULL || mv_error_get_n_problems (error) > 0)) {
		if (error != NULL)
			add_problems (&refused, error);
		g_clear_error (&error);
		mv_http_request_finish (pc->request, NULL, g_steal_pointer (&refused));
		return;
	}
	if (owned != NULL)
		result = mv_value_to_json_args (pc->method->out_args, owned, &error);
	mv_http_request_finish (pc->request, result, error);
}

/* Whether every problem of @error is an unknown member (the rest of the body is well formed). */
static gboolean
only_unknown_members (const GError *error)
{
	guint n = mv_error_get_n_problems (error);

	for (guint i = 0; i < n; i++)
		if (g_strcmp0 (mv_error_get_problem (error, i)->code, "unknown-member") != 0)
			return FALSE;
	return n > 0;
}

/* @body without the members @args does not name (a new object; NULL for NULL) */
static JsonObject *
known_members (const MvArg *args, JsonObject *body)
{
	JsonObject *known = json_object_new ();

	for (guint i = 0; args != NULL && args[i].name != NULL; i++) {
		JsonNode *n = body != NULL ? json_object_get_member (body, args[i].name) : NULL;
		if (n != NULL)
			json_object_set_member (known, args[i].name, json_node_copy (n));
	}
	return known;
}

/* @body: the method's arguments by name (NULL: none) */
static JsonNode *
call_plugin (MvHttpRequest *request,
	     const gchar *plugin,
	     const gchar *method_name,
	     JsonObject *body,
	     GError **error)
{
	MvEngine *engine = mv_http_request_get_user_data (request);
	const MvAuthContext *auth = mv_http_request_get_auth (request);
	const MvMethod *method = mv_engine_find_method (engine, plugin, method_name, error);
	g_autoptr (GError) refused = NULL;
	GVariant *input;
	PluginCall *pc;
	MvCaller caller = {
		.request_id = mv_http_request_get_id (request),
		.clinic_id = auth != NULL ? auth->clinic_id : NULL,
		.role = auth != NULL ? auth->role : MV_ROLE_NONE,
		.locale = mv_http_request_get_locale (request),
	};

	if (method == NULL)
		return NULL;
	/* the route table requires a key; never call a plugin for an unknown caller */
	if (auth == NULL) {
		mv_set_error_bilingual (error, MV_ERROR_UNAUTHORIZED,
					"this route needs an API key: Authorization: Bearer <key>",
					"此路由需要 API 密钥：Authorization: Bearer <密钥>");
		return NULL;
	}
	input = mv_value_from_json_args (method->in_args, body, &refused);
	if (input == NULL && only_unknown_members (refused)) {
		/* the plugin still checks the rest: its problems join the unknown members' */
		g_autoptr (JsonObject) known = known_members (method->in_args, body);
		input = mv_value_from_json_args (method->in_args, known, NULL);
	}
	if (input == NULL) {
		g_propagate_error (error, g_steal_pointer (&refused));
		return NULL;
	}
	pc = g_new0 (PluginCall, 1);
	pc->request = request;
	pc->method = method;
	pc->refused = g_steal_pointer (&refused);
	mv_http_request_defer (request);
	/* may answer (and free @request) before it returns: nothing of @request after it */
	mv_engine_call_then (engine, plugin, method_name, input, &caller, plugin_answered, pc);
	return NULL;
}

static JsonNode *
call_named (MvHttpRequest *request, GError **error)
{
	return call_plugin (request, mv_http_request_get_param (request, "plugin"),
			    mv_http_request_get_param (request, "method"),
			    mv_http_request_get_body (request), error);
}

/* a stable route for the most common call, so integrators need not know plugin names */
static JsonNode *
parse_symptoms (MvHttpRequest *request, GError **error)
{
	return call_plugin (request, "symptom-parser", "Parse", mv_http_request_get_body (request),
			    error);
}

/* The risk routes answer in the language asked (the body's "language", else Accept-Language):
 * their labels and explanations are in it, so the answer says which (Content-Language). */
static void
set_risk_language (MvHttpRequest *request)
{
	JsonObject *body = mv_http_request_get_body (request);
	JsonNode *n = body != NULL ? json_object_get_member (body, "language") : NULL;
	const gchar *language = n != NULL && JSON_NODE_HOLDS_VALUE (n)
						&& json_node_get_value_type (n) == G_TYPE_STRING
						&& json_node_get_string (n)[0] != '\0'
					? json_node_get_string (n)
					: mv_http_request_get_locale (request);
	gboolean zh = language != NULL && g_ascii_strncasecmp (language, "zh", 2) == 0;

	/* the plugin reads "zh…" as Chinese (rs_lang_from_tag) */
	mv_http_request_set_header (request, "Content-Language",
				    mv_language_to_tag (zh ? MV_LANGUAGE_ZH : MV_LANGUAGE_EN));
}

/* The risk-scorer's models and a score from given inputs (issue 12); scores from a patient's
 * record are the clinical record's routes (POST /v1/patients/{id}/risk). */
static JsonNode *
risk_models (MvHttpRequest *request, GError **error)
{
	set_risk_language (request);
	return call_plugin (request, "risk-scorer", "ListModels",
			    mv_http_request_get_body (request), error);
}

/* @method with the model named by the path: the body holds the other arguments, not model
 * (a GET has no body: one is made for it). */
static JsonNode *
risk_model_call (MvHttpRequest *request, const gchar *method, GError **error)
{
	JsonObject *body = mv_http_request_get_body (request);
	g_autoptr (JsonObject) args = NULL;

	if (body != NULL && json_object_has_member (body, "model")) {
		mv_error_add_problem (error, "/model", "unknown-member",
				      "the path names the model: leave it out of the body",
				      "模型已由路径指定：请求体中不要包含 model");
		return NULL;
	}
	set_risk_language (request);
	args = body != NULL ? json_object_ref (body) : json_object_new ();
	json_object_set_string_member (args, "model", mv_http_request_get_param (request, "id"));
	return call_plugin (request, "risk-scorer", method, args, error);
}

static JsonNode *
risk_score (MvHttpRequest *request, GError **error)
{
	return risk_model_call (request, "Score", error);
}

static JsonNode *
risk_describe (MvHttpRequest *request, GError **error)
{
	return risk_model_call (request, "Describe", error);
}

static JsonNode *
risk_score_batch (MvHttpRequest *request, GError **error)
{
	return risk_model_call (request, "ScoreBatch", error);
}

static JsonNode *
risk_score_columns (MvHttpRequest *request, GError **error)
{
	return risk_model_call (request, "ScoreColumns", error);
}

/* The operator's scrape (docs/plugin-isolation.md, "Metrics"): counters of the engine. */
static JsonNode *
metrics_text (MvHttpRequest *request, GError **error)
{
	MvEngine *engine = mv_http_request_get_user_data (request);

	mv_http_request_set_text (request, MV_METRICS_CONTENT_TYPE,
				  mv_engine_render_metrics (engine));
	return NULL;
}

static const MvHttpRoute plugin_routes[] = {
	{ "GET", "/metrics", MV_ROLE_OPERATOR, metrics_text,
	  "Prometheus metrics (text format 0.0.4): plugin calls, errors by code, time-outs, "
	  "latency histograms, crashes, restarts, reloads, host processes' memory; the operator "
	  "key only",
	  .answer_type = "text/plain; version=0.0.4" },
	{ "GET", "/v1/plugins", MV_ROLE_ANY_CALLER, list_plugins,
	  "The loaded plugins, their methods and the names and types of their arguments" },
	{ "POST", "/v1/plugins/{plugin}/{method}", MV_ROLE_ANY_CALLER, call_named,
	  "Call a plugin method: one JSON member per input argument, one per output argument",
	  "{plugin}", "{method}" },
	{ "POST", "/v1/nlp/symptoms", MV_ROLE_ANY_CALLER, parse_symptoms,
	  "Clinical text (English or Chinese) to coded findings: the symptom parser's Parse",
	  "symptom-parser", "Parse" },
	/* resource routes for the API document: the path carries an argument (the model), and a
	 * GET has no body, so the method's argument schemas would describe them wrongly */
	{ "GET", "/v1/risk/models", MV_ROLE_ANY_CALLER, risk_models,
	  "The risk models the risk-scorer plugin loaded: the plugin's ListModels (?language is "
	  "taken from Accept-Language)" },
	{ "GET", "/v1/risk/models/{id}", MV_ROLE_ANY_CALLER, risk_describe,
	  "Risk model {id} in full (inputs with units, ranges and record sources, features, "
	  "categories, citation, examples): the plugin's Describe (labels in the "
	  "Accept-Language)" },
	{ "POST", "/v1/risk/models/{id}/score", MV_ROLE_ANY_CALLER, risk_score,
	  "Score risk model {id} from the inputs given: the plugin's Score with the body "
	  "{\"inputs\": {…}, \"language\"?, \"detail\"?} (detail \"summary\": probability, "
	  "category and linear_predictor only)" },
	{ "POST", "/v1/risk/models/{id}/score-batch", MV_ROLE_ANY_CALLER, risk_score_batch,
	  "Score risk model {id} for many input sets: the plugin's ScoreBatch with the body "
	  "{\"input_sets\": [{…}, …], \"language\"?}; one result (or error) per set, in order" },
	{ "POST", "/v1/risk/models/{id}/score-columns", MV_ROLE_ANY_CALLER, risk_score_columns,
	  "Score risk model {id} for many rows given as columns: the plugin's ScoreColumns with "
	  "the body {\"columns\": {input: [values…], …}, \"units\"?, \"language\"?}; "
	  "probability, linear_predictor and category as arrays, one element a row (null for a "
	  "row with a problem, which problems lists)" },
};

const MvHttpRoute *
mv_plugin_http_routes (guint *n_routes)
{
	*n_routes = G_N_ELEMENTS (plugin_routes);
	return plugin_routes;
}
