/*
 * Medverse clinical record — a risk model's inputs assembled from the patient's record.
 *
 * The risk-scorer plugin's Describe gives, for each input of a model, where the record holds
 * it (its `source`: a LOINC code list, condition codes, medication ATC prefixes, or the
 * profile's age or sex) and its canonical unit with the other units it accepts.  This module
 * reads the patient's profile and current records against that description and says, per
 * input, either its value (in the model's canonical unit) with the record version it came
 * from, or why there is none.  Nothing is guessed: an input the record does not hold is
 * missing, unless the model declares a `default` (then it is left to the plugin to apply, and
 * listed in `defaulted`).  Rules (docs/clinical-record.md, "Risk assessment"):
 *
 *   - numbers: the latest observation (by effective_at) of any of the input's LOINC codes,
 *     a blood-pressure panel's components included; older than `max_age_days` → "too-old";
 *     its unit neither the model's unit nor one of its `units` → "unit"
 *   - a coded observation (smoking status 72166-2): its LOINC answer as a level, never, former
 *     or current (a boolean: current or not); "unknown if ever smoked" is no value
 *   - booleans: TRUE when an active, not refuted condition of the patient (family history
 *     is not the patient's) has a code of the list (ICD-10 codes by prefix: "ICD10:E11"
 *     matches E11.9 in the WHO, Chinese and CM editions; HPO, DOID and SNOMED CT codes
 *     exactly), or a current medication's ATC code starts with one of the prefixes; FALSE
 *     when the record says so in as many words (a refuted diagnosis of one of the codes, a
 *     medication of one of the prefixes with status not-taken); else no value (the default,
 *     if the model declares one)
 *   - family_history_codes (+ relations): TRUE when a relative's condition (family_member,
 *     its relationship one of `relations`, any relative when absent), not refuted, has one of
 *     the codes; FALSE when such a relative's diagnosis is recorded refuted
 *   - thresholds [{loinc, at_least, unit?}] (+ medication_atc_prefix, max_age_days): a boolean,
 *     TRUE when the latest reading of one of the codes is at or above its threshold, or a
 *     current medication has one of the prefixes; FALSE when every listed reading is there,
 *     recent, below its threshold, and a medication of the prefixes is recorded not-taken
 *     (or the source lists none): the record says so in as many words
 *   - supplied values (the request's "inputs"): for an input the record does not hold (or
 *     has no source for), or for every one named when "override"; provenance "supplied"
 *   - profile "age": completed years at @now from birth_date; "sex": sex_at_birth, else sex
 *     (female or male; intersex, other, unknown are no value); a sex the input has no level
 *     for makes the model not applicable (not_applicable), rather than incomplete
 *
 * Pure: no database, no plugin, no keys; the same answer for the same arguments.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* What the record holds, as the clinical store returns it (borrowed). */
typedef struct {
	const gchar *patient_id;
	JsonObject *profile; /* nullable: the patient's profile (birth_date, sex…) */
	guint64 profile_version;
	JsonArray *observations; /* nullable: current observation records {id, version, …} */
	JsonArray *conditions;	 /* nullable */
	JsonArray *medications;	 /* nullable */
	GDateTime *now;
	/* nullable: name → value the caller supplied (the request's "inputs", as sent: a number,
	 * a boolean, a level, or {"value", "unit"}); used for an input the record does not hold,
	 * or for every input named when @override */
	JsonObject *supplied;
	gboolean override;
	/* "en" or "zh": the language of the labels and messages of `missing` (NULL: "en") */
	const gchar *language;
} MvRiskRecord;

/* The assembly of one model's inputs. */
typedef struct {
	/* name → value in the model's canonical unit: a number, a boolean or a level (string) */
	JsonObject *inputs;
	/* name → {"value", "unit"?, "source": {"kind", "id", "version", "effective_at"?,
	 * "code"?}}: where each value came from */
	JsonObject *provenance;
	/* [{"input", "reason": "no-value" | "too-old" | "unit" | "no-source", "message", "label",
	 * "type", "unit"?, "units"?, "levels"?, "range"?, "loinc"?, "max_age_days"?}], in the
	 * model's input order: required inputs without a value, with what the caller may supply
	 * instead ("no-source": the record cannot hold it at all) */
	JsonArray *missing;
	/* whether one of @missing is "no-source": only the caller can give it (needs-input) */
	gboolean needs_input;
	/* names of the inputs whose value the caller supplied (provenance kind "supplied") */
	JsonArray *supplied;
	/* [{"input", "reason": "record-has-value", "message"}]: supplied values not used, since
	 * the record holds the input and the request did not say "override" */
	JsonArray *not_used;
	/* names of inputs without a value whose declared default the plugin applies */
	JsonArray *defaulted;
	/* [{"input", "reason": "not-applicable"}]: the record has the value, and the model has no
	 * level for it (a male patient and the PCE for women): the model does not apply */
	JsonArray *not_applicable;
} MvRiskInputs;

void mv_risk_inputs_free (MvRiskInputs *inputs);

/* Whether @value is a value a caller may supply for an input: a finite number, a boolean, a
 * string, or {"value": number, "unit": string}. */
gboolean mv_risk_supplied_value_valid (JsonNode *value);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvRiskInputs, mv_risk_inputs_free)

/* Whether every input of @model (Describe's `model` as JSON) names a `source`: a model the
 * record alone can feed (another needs the caller's supplied inputs: needs-input). */
gboolean mv_risk_model_from_record (JsonObject *model);

/**
 * mv_risk_inputs_assemble:
 * @model: the model as Describe returns it, as JSON ({"id", "inputs": [{"name", "type",
 *   "unit", "units", "levels", "required", "default", "source"}], …})
 * @record: the patient's record
 *
 * Returns: (transfer full): the inputs, their provenance, what is missing and what is
 *   defaulted.  The model can be scored when `missing` is empty.
 */
MvRiskInputs *mv_risk_inputs_assemble (JsonObject *model, const MvRiskRecord *record);

/* @inputs->inputs as the plugin's `inputs a{sv}`: numbers as d, booleans as b, levels as s.
 * (transfer floating) */
GVariant *mv_risk_inputs_to_variant (const MvRiskInputs *inputs);

/* Whether the CURIE-like @wanted ("ICD10:E11", "HP:0005978", "DOID:9352", "SNOMED:44054006")
 * names the stored condition coding @coding ({"system": URI, "code"}). */
gboolean mv_risk_condition_code_matches (const gchar *wanted, JsonObject *coding);

G_END_DECLS
