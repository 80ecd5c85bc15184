/*
 * The risk-assessment kind: a risk model's score of the patient, computed by the daemon from
 * the record (POST /v1/patients/{id}/risk, mv-risk-api.c) through the risk-scorer plugin, and
 * stored with the model's id and version, the inputs used and the record versions they came
 * from.  Clients read, list and retract it (entered-in-error) like any kind; they do not write
 * one themselves.  Shape: docs/clinical-record.md ("Risk assessment").
 */
#define G_LOG_DOMAIN "medverse-clinical"

#include <math.h>

#include "mv-clinical-private.h"

static gboolean
check_model_id (JsonNode *node,
		const gchar *ptr,
		JsonObject *parent,
		const MvSchemaContext *ctx,
		GError **error)
{
	const gchar *id = json_node_get_string (node);

	for (const gchar *p = id; *p != '\0'; p++) {
		if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '-') {
			mv_schema_problem (error, ptr, "invalid-format",
					   "must be a model id: a-z, 0-9 and -",
					   "必须是模型标识：a-z、0-9 和 -");
			return FALSE;
		}
	}
	return TRUE;
}

static gboolean
check_probability (JsonNode *node,
		   const gchar *ptr,
		   JsonObject *parent,
		   const MvSchemaContext *ctx,
		   GError **error)
{
	gdouble p = json_node_get_double (node);

	if (p >= 0 && p <= 1)
		return TRUE;
	mv_schema_problem (error, ptr, "out-of-range", "must be from 0 to 1", "必须在 0 到 1 之间");
	return FALSE;
}

/* inputs_used: {name: {"value", "unit"?, "source"?}} */
static gboolean
check_inputs_used (JsonNode *node,
		   const gchar *ptr,
		   JsonObject *parent,
		   const MvSchemaContext *ctx,
		   GError **error)
{
	g_autoptr (GList) names = NULL;
	gboolean ok = TRUE;

	if (!JSON_NODE_HOLDS_OBJECT (node)) {
		mv_schema_problem (error, ptr, "wrong-type", "must be an object", "必须是对象");
		return FALSE;
	}
	names = json_object_get_members (json_node_get_object (node));
	if (g_list_length (names) > 100) {
		mv_schema_problem (error, ptr, "too-many", "must hold at most 100 inputs",
				   "最多 100 个输入");
		return FALSE;
	}
	for (GList *l = names; l != NULL; l = l->next) {
		JsonNode *item = json_object_get_member (json_node_get_object (node), l->data);
		g_autofree gchar *p = mv_json_pointer_child (ptr, l->data);
		if (!JSON_NODE_HOLDS_OBJECT (item)
		    || !json_object_has_member (json_node_get_object (item), "value")) {
			mv_schema_problem (error, p, "wrong-type", "must be an object with a value",
					   "必须是包含 value 的对象");
			ok = FALSE;
		}
	}
	return ok;
}

static const MvField contribution_members[] = {
	{ "feature", MV_FIELD_STRING, TRUE, 1, 64 },
	{ "input", MV_FIELD_STRING, FALSE, 0, 64 },
	{ "value", MV_FIELD_ANY, FALSE },
	{ "transform", MV_FIELD_STRING, FALSE, 1, 32 },
	{ "term_value", MV_FIELD_NUMBER, FALSE },
	{ "coefficient", MV_FIELD_NUMBER, FALSE },
	{ "contribution", MV_FIELD_NUMBER, FALSE },
	{ "contribution_vs_mean", MV_FIELD_NUMBER, FALSE },
	{ "label", MV_FIELD_ANY, FALSE },
	{ NULL },
};

static const MvField effect_members[] = {
	{ "input", MV_FIELD_STRING, TRUE, 1, 64 },
	{ "label", MV_FIELD_ANY, FALSE },
	{ "effect", MV_FIELD_NUMBER, FALSE },
	{ NULL },
};

const MvField mv_risk_assessment_members[] = {
	{ "model", MV_FIELD_STRING, TRUE, 3, 64, NULL, NULL, check_model_id,
	  "the risk model's id (GET /v1/risk/models)" },
	{ "model_version", MV_FIELD_STRING, TRUE, 1, 32, NULL, NULL, NULL,
	  "the model file's version" },
	{ "probability", MV_FIELD_NUMBER, TRUE, 0, 0, NULL, NULL, check_probability,
	  "the predicted risk over the model's horizon, 0 to 1" },
	{ "category", MV_FIELD_STRING, FALSE, 1, 64, NULL, NULL, NULL, "the risk category's id" },
	{ "category_label", MV_FIELD_STRING, FALSE, 1, 200 },
	{ "linear_predictor", MV_FIELD_NUMBER, FALSE },
	{ "horizon_years", MV_FIELD_NUMBER, FALSE },
	{ "contributions", MV_FIELD_LIST, FALSE, 0, 200, NULL, contribution_members, NULL,
	  "each feature's share of the linear predictor" },
	{ "effects", MV_FIELD_LIST, FALSE, 0, 100, NULL, effect_members, NULL,
	  "each input's share of the linear predictor" },
	{ "inputs_used", MV_FIELD_ANY, TRUE, 0, 0, NULL, NULL, check_inputs_used,
	  "name → {value, unit, source: {kind, id, version}}: the record versions used" },
	{ "defaulted", MV_FIELD_STRINGS, FALSE, 0, 100, NULL, NULL, NULL,
	  "inputs the record did not hold, given the model's declared default" },
	{ "supplied", MV_FIELD_STRINGS, FALSE, 0, 100, NULL, NULL, NULL,
	  "inputs the caller supplied in the request (inputs_used: source kind supplied)" },
	{ "explanation", MV_FIELD_TEXT, FALSE, 1, 2000 },
	{ "citation", MV_FIELD_STRING, FALSE, 1, 500 },
	{ "computed_at", MV_FIELD_DATETIME, TRUE, 0, 0, NULL, NULL, NULL, "when it was scored" },
	{ NULL },
};

static JsonObject *
risk_normalise (JsonObject *input,
		const gchar *pointer,
		const MvClinicalContext *ctx,
		GError **error)
{
	if (!mv_clinical_check (mv_risk_assessment_members, NULL, input, pointer, ctx, error))
		return NULL;
	/* every member is the scorer's or the daemon's: kept as given */
	return mv_clinical_object_copy (input);
}

static JsonObject *
risk_to_input (JsonObject *record)
{
	return mv_clinical_object_copy (record);
}

static void
risk_terms (JsonObject *record, MvClinicalTerms *terms)
{
	const gchar *model = mv_clinical_get_string (record, "model");

	/* the model id as a code, so ?code=<model id> lists one model's assessments */
	if (model != NULL) {
		if (terms->codes == NULL)
			terms->codes = g_ptr_array_new_with_free_func (g_free);
		g_ptr_array_add (terms->codes, g_strconcat (MV_RISK_MODEL_SYSTEM "|", model, NULL));
	}
	mv_clinical_terms_set_when (terms, mv_clinical_get_string (record, "computed_at"));
}

const MvClinicalKind mv_risk_assessment_kind = {
	.name = "risk-assessment",
	.plural = "risk-assessments",
	.title_en = "Risk assessment",
	.title_zh = "风险评估",
	.normalise = risk_normalise,
	.to_input = risk_to_input,
	.terms = risk_terms,
};
