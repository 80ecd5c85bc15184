/*
 * The registry of clinical record kinds (mv-clinical-kind.h), and the three small kinds:
 * allergy, medication, encounter.  Observation, condition, note and risk assessment have files
 * of their own.
 * Shapes: docs/clinical-record.md.
 */
#define G_LOG_DOMAIN "medverse-clinical"

#include "mv-clinical-private.h"
#include "plans/mv-plan.h"
#include "vr/mv-vr.h"
#include "records/mv-code-systems.h"

/* A stored coding member (system as URI) from the input's, when present. */
static void
store_coding_member (JsonObject *out, JsonObject *in, const gchar *member)
{
	JsonObject *coding = mv_clinical_get_object (in, member);

	if (coding != NULL)
		json_object_set_object_member (out, member, mv_clinical_coding_normalise (coding));
}

/* ---- allergy ---------------------------------------------------------------------------- */

static const gchar *const substance_systems[] = { "snomed-ct", "rxnorm", "atc", NULL };
static const gchar *const manifestation_systems[] = { "snomed-ct", "hpo", NULL };

static const MvField substance_members[] = {
	{ "system", MV_FIELD_STRING, FALSE, 1, 200, NULL, NULL, NULL,
	  "snomed-ct, rxnorm or atc (or its URI)" },
	{ "code", MV_FIELD_STRING, FALSE, 1, 64 },
	{ "display", MV_FIELD_STRING, FALSE, 1, 500 },
	{ "text", MV_FIELD_STRING, FALSE, 1, 500, NULL, NULL, NULL,
	  "the substance in words, when it has no code" },
	{ NULL },
};

/* {system, code} together, or text; a coding of an accepted system. */
static gboolean
check_substance (
	JsonNode *node, const gchar *ptr, JsonObject *o, const MvSchemaContext *ctx, GError **error)
{
	gboolean has_system = json_object_has_member (o, "system");
	gboolean has_code = json_object_has_member (o, "code");

	if (has_system != has_code) {
		g_autofree gchar *p = mv_json_pointer_child (ptr, has_system ? "code" : "system");
		mv_schema_problem (error, p, "required", "is required with a coded substance",
				   "编码的过敏物质必须同时填写此项");
		return FALSE;
	}
	if (!has_system && !json_object_has_member (o, "text")) {
		mv_schema_problem (error, ptr, "required",
				   "needs a coding (system and code) or a text",
				   "需要编码（system 和 code）或文字描述（text）");
		return FALSE;
	}
	return !has_system || mv_coding_check (o, ptr, substance_systems, error);
}

static gboolean
check_reaction (
	JsonNode *node, const gchar *ptr, JsonObject *o, const MvSchemaContext *ctx, GError **error)
{
	if (json_object_has_member (o, "manifestation") || json_object_has_member (o, "text"))
		return TRUE;
	mv_schema_problem (error, ptr, "required", "needs a manifestation or a text",
			   "需要填写表现（manifestation）或文字描述（text）");
	return FALSE;
}

static gboolean
check_manifestation (
	JsonNode *node, const gchar *ptr, JsonObject *o, const MvSchemaContext *ctx, GError **error)
{
	return mv_coding_check (o, ptr, manifestation_systems, error);
}

static const MvField reaction_members[] = {
	{ "manifestation", MV_FIELD_OBJECT, FALSE, 0, 0, NULL, mv_clinical_coding_members,
	  check_manifestation, "{system, code}: snomed-ct or hpo" },
	{ "text", MV_FIELD_STRING, FALSE, 1, 500 },
	{ "onset", MV_FIELD_ANY, FALSE, 0, 0, NULL, NULL, mv_clinical_check_when },
	{ NULL },
};

static const gchar *const severities[] = { "mild", "moderate", "severe", NULL };
static const gchar *const criticalities[] = { "low", "high", "unable-to-assess", NULL };
static const gchar *const allergy_categories[]
	= { "food", "medication", "environment", "biologic", NULL };
static const gchar *const allergy_clinical[] = { "active", "inactive", "resolved", NULL };
static const gchar *const allergy_verification[]
	= { "unconfirmed", "presumed", "confirmed", "refuted", NULL };

static const MvField allergy_members[] = {
	{ "substance", MV_FIELD_OBJECT, TRUE, 0, 0, NULL, substance_members, check_substance,
	  "{system, code, display?} (snomed-ct, rxnorm, atc) or {text}" },
	{ "reactions", MV_FIELD_LIST, FALSE, 1, 20, NULL, reaction_members, check_reaction,
	  "what happens: a coded manifestation or a text" },
	{ "severity", MV_FIELD_ENUM, FALSE, 0, 0, severities },
	{ "criticality", MV_FIELD_ENUM, FALSE, 0, 0, criticalities },
	{ "category", MV_FIELD_ENUM, FALSE, 0, 0, allergy_categories },
	{ "clinical_status", MV_FIELD_ENUM, FALSE, 0, 0, allergy_clinical, NULL, NULL,
	  "active (default), inactive, resolved" },
	{ "verification_status", MV_FIELD_ENUM, FALSE, 0, 0, allergy_verification },
	{ "onset", MV_FIELD_ANY, FALSE, 0, 0, NULL, NULL, mv_clinical_check_when },
	{ "recorder", MV_FIELD_STRING, FALSE, 1, 200 },
	{ "note", MV_FIELD_TEXT, FALSE, 1, 2000 },
	{ NULL },
};

static JsonObject *
allergy_normalise (JsonObject *input,
		   const gchar *pointer,
		   const MvClinicalContext *ctx,
		   GError **error)
{
	static const gchar *const plain[] = { "severity",
					      "criticality",
					      "category",
					      "clinical_status",
					      "verification_status",
					      "onset",
					      "recorder",
					      "note",
					      NULL };
	JsonObject *substance;
	JsonObject *out;
	JsonArray *reactions;

	if (!mv_clinical_check (allergy_members, NULL, input, pointer, ctx, error))
		return NULL;
	out = json_object_new ();
	substance = mv_clinical_get_object (input, "substance");
	{
		JsonObject *s = json_object_has_member (substance, "system")
					? mv_clinical_coding_normalise (substance)
					: json_object_new ();
		mv_clinical_copy_member (s, substance, "text");
		json_object_set_object_member (out, "substance", s);
	}
	reactions = json_object_has_member (input, "reactions")
			    ? json_object_get_array_member (input, "reactions")
			    : NULL;
	if (reactions != NULL) {
		JsonArray *list = json_array_new ();
		for (guint i = 0; i < json_array_get_length (reactions); i++) {
			JsonObject *r = json_array_get_object_element (reactions, i);
			JsonObject *o = json_object_new ();
			store_coding_member (o, r, "manifestation");
			mv_clinical_copy_members (o, r,
						  (const gchar *const[]){ "text", "onset", NULL });
			json_array_add_object_element (list, o);
		}
		json_object_set_array_member (out, "reactions", list);
	}
	mv_clinical_copy_members (out, input, plain);
	mv_clinical_set_default (out, "clinical_status", "active");
	return out;
}

static JsonObject *
same_as_stored (JsonObject *record)
{
	/* nothing is derived: the stored form is the client's, systems already URIs */
	return mv_clinical_object_copy (record);
}

static void
allergy_terms (JsonObject *record, MvClinicalTerms *terms)
{
	JsonArray *reactions = json_object_has_member (record, "reactions")
				       ? json_object_get_array_member (record, "reactions")
				       : NULL;

	mv_clinical_terms_add_coding (terms, mv_clinical_get_object (record, "substance"));
	for (guint i = 0; reactions != NULL && i < json_array_get_length (reactions); i++)
		mv_clinical_terms_add_coding (
			terms, mv_clinical_get_object (json_array_get_object_element (reactions, i),
						       "manifestation"));
	mv_clinical_terms_set_when (terms, mv_clinical_get_string (record, "onset"));
}

const MvClinicalKind mv_allergy_kind = {
	.name = "allergy",
	.plural = "allergies",
	.title_en = "Allergy or intolerance",
	.title_zh = "过敏与不耐受",
	.normalise = allergy_normalise,
	.to_input = same_as_stored,
	.terms = allergy_terms,
};

/* ---- medication ------------------------------------------------------------------------- */

static const gchar *const medication_systems[] = { "atc", "rxnorm", "snomed-ct", NULL };
static const gchar *const medication_statuses[]
	= { "active", "completed", "stopped", "on-hold", "intended", "not-taken", NULL };
static const gchar *const period_units[] = { "h", "d", "wk", "mo", NULL };

static gboolean
check_positive (JsonNode *node,
		const gchar *ptr,
		JsonObject *parent,
		const MvSchemaContext *ctx,
		GError **error)
{
	if (json_node_get_double (node) > 0 && json_node_get_double (node) <= 1e6)
		return TRUE;
	mv_schema_problem (error, ptr, "out-of-range", "must be above 0 and at most 1000000",
			   "应大于 0 且不超过 1000000");
	return FALSE;
}

/* @a and @b of object @o go together: one without the other is "required". */
static gboolean
both_or_neither (JsonObject *o, const gchar *ptr, const gchar *a, const gchar *b, GError **error)
{
	gboolean has_a = json_object_has_member (o, a);

	if (has_a == json_object_has_member (o, b))
		return TRUE;
	{
		g_autofree gchar *p = mv_json_pointer_child (ptr, has_a ? b : a);
		g_autofree gchar *en = g_strdup_printf ("is required with %s", has_a ? a : b);
		g_autofree gchar *zh = g_strdup_printf ("填写 %s 时必填", has_a ? a : b);
		mv_schema_problem (error, p, "required", en, zh);
	}
	return FALSE;
}

static gboolean
check_dose (
	JsonNode *node, const gchar *ptr, JsonObject *o, const MvSchemaContext *ctx, GError **error)
{
	return both_or_neither (o, ptr, "value", "unit", error);
}

static gboolean
check_frequency (
	JsonNode *node, const gchar *ptr, JsonObject *o, const MvSchemaContext *ctx, GError **error)
{
	gboolean ok = both_or_neither (o, ptr, "times", "period_unit", error);

	if (json_object_has_member (o, "period") && !json_object_has_member (o, "times")) {
		g_autofree gchar *p = mv_json_pointer_child (ptr, "times");
		mv_schema_problem (error, p, "required", "is required with period",
				   "填写 period 时必填");
		ok = FALSE;
	}
	return ok;
}

static gboolean
check_period (
	JsonNode *node, const gchar *ptr, JsonObject *o, const MvSchemaContext *ctx, GError **error)
{
	const gchar *start = mv_clinical_get_string (o, "start");
	const gchar *end = mv_clinical_get_string (o, "end");

	if (start == NULL || end == NULL || !mv_clinical_when_before (end, start))
		return TRUE;
	{
		g_autofree gchar *p = mv_json_pointer_child (ptr, "end");
		mv_schema_problem (error, p, "out-of-range", "must not be before start",
				   "不能早于开始时间");
	}
	return FALSE;
}

static const MvField dose_members[] = {
	{ "value", MV_FIELD_NUMBER, FALSE, 0, 0, NULL, NULL, check_positive },
	{ "unit", MV_FIELD_STRING, FALSE, 1, 32, NULL, NULL, NULL, "mg, mL, {tablet}, IU…" },
	{ "text", MV_FIELD_STRING, FALSE, 1, 200, NULL, NULL, NULL, "the dose in words" },
	{ NULL },
};

static const MvField frequency_members[] = {
	{ "text", MV_FIELD_STRING, FALSE, 1, 200, NULL, NULL, NULL, "e.g. twice a day" },
	{ "times", MV_FIELD_INT, FALSE, 1, 100, NULL, NULL, NULL, "doses per period" },
	{ "period", MV_FIELD_NUMBER, FALSE, 0, 0, NULL, NULL, check_positive,
	  "the period's length (default 1)" },
	{ "period_unit", MV_FIELD_ENUM, FALSE, 0, 0, period_units, NULL, NULL,
	  "h, d, wk or mo (UCUM)" },
	{ "as_needed", MV_FIELD_BOOL, FALSE },
	{ NULL },
};

static const MvField period_members[] = {
	{ "start", MV_FIELD_ANY, FALSE, 0, 0, NULL, NULL, mv_clinical_check_when },
	{ "end", MV_FIELD_ANY, FALSE, 0, 0, NULL, NULL, mv_clinical_check_when },
	{ NULL },
};

static gboolean
check_medication_code (
	JsonNode *node, const gchar *ptr, JsonObject *o, const MvSchemaContext *ctx, GError **error)
{
	return mv_coding_check (o, ptr, medication_systems, error);
}

static const MvField medication_members[] = {
	{ "name", MV_FIELD_STRING, TRUE, 1, 200, NULL, NULL, NULL, "the medicine, as prescribed" },
	{ "code", MV_FIELD_OBJECT, FALSE, 0, 0, NULL, mv_clinical_coding_members,
	  check_medication_code, "{system, code}: atc, rxnorm or snomed-ct, when known" },
	{ "dose", MV_FIELD_OBJECT, FALSE, 1, 0, NULL, dose_members, check_dose,
	  "{value, unit} or {text}" },
	{ "frequency", MV_FIELD_OBJECT, FALSE, 1, 0, NULL, frequency_members, check_frequency,
	  "{times, period?, period_unit} or {text}" },
	{ "route", MV_FIELD_STRING, FALSE, 1, 64, NULL, NULL, NULL, "oral, subcutaneous…" },
	{ "status", MV_FIELD_ENUM, FALSE, 0, 0, medication_statuses, NULL, NULL,
	  "active (default), completed, stopped, on-hold, intended, not-taken" },
	{ "effective", MV_FIELD_OBJECT, FALSE, 1, 0, NULL, period_members, check_period,
	  "{start?, end?}: dates or date-times" },
	{ "reason", MV_FIELD_STRING, FALSE, 1, 500 },
	{ "note", MV_FIELD_TEXT, FALSE, 1, 2000 },
	{ NULL },
};

static JsonObject *
medication_normalise (JsonObject *input,
		      const gchar *pointer,
		      const MvClinicalContext *ctx,
		      GError **error)
{
	static const gchar *const plain[] = { "name",	   "dose",   "frequency", "route", "status",
					      "effective", "reason", "note",	  NULL };
	JsonObject *out;

	if (!mv_clinical_check (medication_members, NULL, input, pointer, ctx, error))
		return NULL;
	out = json_object_new ();
	mv_clinical_copy_members (out, input, plain);
	store_coding_member (out, input, "code");
	mv_clinical_set_default (out, "status", "active");
	return out;
}

static void
medication_terms (JsonObject *record, MvClinicalTerms *terms)
{
	mv_clinical_terms_add_coding (terms, mv_clinical_get_object (record, "code"));
	mv_clinical_terms_set_when (
		terms,
		mv_clinical_get_string (mv_clinical_get_object (record, "effective"), "start"));
}

const MvClinicalKind mv_medication_kind = {
	.name = "medication",
	.plural = "medications",
	.title_en = "Medication",
	.title_zh = "用药",
	.normalise = medication_normalise,
	.to_input = same_as_stored,
	.terms = medication_terms,
};

/* ---- encounter -------------------------------------------------------------------------- */

static const gchar *const encounter_classes[]
	= { "ambulatory", "emergency", "inpatient", "virtual", "home", NULL };
static const gchar *const encounter_statuses[] = { "in-progress", "finished", "cancelled", NULL };
static const gchar *const reason_systems[]
	= { "icd-10", "icd-10-cn", "icd-10-cm", "snomed-ct", "hpo", NULL };

static const MvField reason_members[] = {
	{ "text", MV_FIELD_STRING, FALSE, 1, 500 },
	{ "code", MV_FIELD_OBJECT, FALSE, 0, 0, NULL, mv_clinical_coding_members, NULL,
	  "{system, code}: icd-10, icd-10-cn, icd-10-cm, snomed-ct or hpo" },
	{ NULL },
};

static gboolean
check_reason (
	JsonNode *node, const gchar *ptr, JsonObject *o, const MvSchemaContext *ctx, GError **error)
{
	JsonObject *coding = mv_clinical_get_object (o, "code");
	g_autofree gchar *p = mv_json_pointer_child (ptr, "code");

	return coding == NULL || mv_coding_check (coding, p, reason_systems, error);
}

static const MvField encounter_members[] = {
	{ "class", MV_FIELD_ENUM, TRUE, 0, 0, encounter_classes, NULL, NULL,
	  "ambulatory, emergency, inpatient, virtual or home" },
	{ "status", MV_FIELD_ENUM, FALSE, 0, 0, encounter_statuses, NULL, NULL,
	  "finished (default), in-progress, cancelled" },
	{ "start", MV_FIELD_DATETIME, TRUE, 0, 0, NULL, NULL, NULL, "when it began" },
	{ "end", MV_FIELD_DATETIME, FALSE, 0, 0, NULL, NULL, NULL, "when it ended" },
	{ "reason", MV_FIELD_OBJECT, FALSE, 1, 0, NULL, reason_members, check_reason,
	  "{text?, code?}" },
	{ "department", MV_FIELD_STRING, FALSE, 1, 200 },
	{ "practitioner", MV_FIELD_STRING, FALSE, 1, 200 },
	{ "note", MV_FIELD_TEXT, FALSE, 1, 2000 },
	{ NULL },
};

static void
check_encounter_period (JsonObject *input, const gchar *pointer, GError **error)
{
	const gchar *start = mv_clinical_get_string (input, "start");
	const gchar *end = mv_clinical_get_string (input, "end");

	if (start != NULL && end != NULL && mv_clinical_when_before (end, start)) {
		g_autofree gchar *p = mv_json_pointer_child (pointer, "end");
		mv_schema_problem (error, p, "out-of-range", "must not be before start",
				   "不能早于开始时间");
	}
}

static JsonObject *
encounter_normalise (JsonObject *input,
		     const gchar *pointer,
		     const MvClinicalContext *ctx,
		     GError **error)
{
	static const gchar *const plain[]
		= { "class", "status", "start", "end", "department", "practitioner", "note", NULL };
	JsonObject *reason;
	JsonObject *out;

	if (!mv_clinical_check (encounter_members, check_encounter_period, input, pointer, ctx,
				error))
		return NULL;
	out = json_object_new ();
	mv_clinical_copy_members (out, input, plain);
	mv_clinical_set_default (out, "status", "finished");
	reason = mv_clinical_get_object (input, "reason");
	if (reason != NULL) {
		JsonObject *r = json_object_new ();
		mv_clinical_copy_member (r, reason, "text");
		store_coding_member (r, reason, "code");
		json_object_set_object_member (out, "reason", r);
	}
	return out;
}

static void
encounter_terms (JsonObject *record, MvClinicalTerms *terms)
{
	mv_clinical_terms_add_coding (
		terms, mv_clinical_get_object (mv_clinical_get_object (record, "reason"), "code"));
	mv_clinical_terms_set_when (terms, mv_clinical_get_string (record, "start"));
}

const MvClinicalKind mv_encounter_kind = {
	.name = "encounter",
	.plural = "encounters",
	.title_en = "Encounter",
	.title_zh = "就诊",
	.normalise = encounter_normalise,
	.to_input = same_as_stored,
	.terms = encounter_terms,
};

/* ---- the registry ----------------------------------------------------------------------- */

const MvClinicalKind *const *
mv_clinical_kinds (void)
{
	static const MvClinicalKind *const all[] = {
		&mv_observation_kind,
		&mv_condition_kind,
		&mv_allergy_kind,
		&mv_medication_kind,
		&mv_encounter_kind,
		&mv_note_kind,
		&mv_risk_assessment_kind,
		&mv_plan_kind,
		&mv_vr_session_kind,
		&mv_vr_override_kind,
		NULL,
	};
	return all;
}

const MvClinicalKind *
mv_clinical_kind_lookup (const gchar *name)
{
	for (const MvClinicalKind *const *k = mv_clinical_kinds (); *k != NULL; k++) {
		if (g_strcmp0 ((*k)->name, name) == 0 || g_strcmp0 ((*k)->plural, name) == 0)
			return *k;
	}
	return NULL;
}

const MvField *
mv_clinical_kind_members (const MvClinicalKind *kind)
{
	static const struct {
		const MvClinicalKind *kind;
		const MvField *members;
	} rows[] = {
		{ &mv_observation_kind, mv_observation_members },
		{ &mv_condition_kind, mv_condition_members },
		{ &mv_allergy_kind, allergy_members },
		{ &mv_medication_kind, medication_members },
		{ &mv_encounter_kind, encounter_members },
		{ &mv_note_kind, mv_note_members },
		{ &mv_risk_assessment_kind, mv_risk_assessment_members },
		{ &mv_plan_kind, mv_plan_members },
		{ &mv_vr_session_kind, mv_vr_session_members },
		{ &mv_vr_override_kind, mv_vr_override_members },
	};

	for (guint i = 0; i < G_N_ELEMENTS (rows); i++) {
		if (rows[i].kind == kind)
			return rows[i].members;
	}
	return NULL;
}

void
mv_clinical_terms_clear (MvClinicalTerms *terms)
{
	g_clear_pointer (&terms->effective_at, g_free);
	g_clear_pointer (&terms->codes, g_ptr_array_unref);
}
