/* A risk model's inputs from the record (mv-risk-inputs.h) and the risk-assessment kind: pure
 * functions over the model description and record in tests/data (risk-model.json,
 * risk-record.json; risk-derived-*.json for family history, thresholds and supplied values),
 * the clock fixed at 2026-12-05T12:00:00Z. */
#include <math.h>
#include <string.h>

#include "clinical-test.h"
#include "mv-risk-inputs.h"

TestSuite (risk, .init = mvt_clinical_setup, .fini = mvt_clinical_teardown);

static JsonObject *
load (const gchar *name)
{
	g_autofree gchar *path = g_build_filename (MV_RISK_TEST_DATADIR, name, NULL);
	g_autofree gchar *text = NULL;
	g_autoptr (GError) error = NULL;

	cr_assert (g_file_get_contents (path, &text, NULL, &error), "%s",
		   error != NULL ? error->message : "");
	return mvt_parse (text);
}

/* The record of risk-record.json, borrowed from @data, seen at @now. */
static MvRiskRecord
record_of (JsonObject *data, GDateTime *now)
{
	return (MvRiskRecord){
		.patient_id = "00000000-0000-4000-8000-000000000001",
		.profile = json_object_get_object_member (data, "profile"),
		.profile_version = 4,
		.observations = json_object_get_array_member (data, "observations"),
		.conditions = json_object_get_array_member (data, "conditions"),
		.medications = json_object_get_array_member (data, "medications"),
		.now = now,
	};
}

static MvRiskInputs *
assemble_at (GDateTime *now)
{
	g_autoptr (JsonObject) model = load ("risk-model.json");
	g_autoptr (JsonObject) data = load ("risk-record.json");
	MvRiskRecord record = record_of (data, now);

	return mv_risk_inputs_assemble (model, &record);
}

static gdouble
number (MvRiskInputs *in, const gchar *name)
{
	JsonNode *n = json_object_get_member (in->inputs, name);
	cr_assert_not_null (n, "no value for %s", name);
	return json_node_get_double (n);
}

/* the source member @member of @name's provenance */
static const gchar *
source_string (MvRiskInputs *in, const gchar *name, const gchar *member)
{
	JsonObject *p = json_object_get_object_member (in->provenance, name);
	cr_assert_not_null (p, "no provenance for %s", name);
	return json_object_get_string_member_with_default (
		json_object_get_object_member (p, "source"), member, NULL);
}

static gint64
source_version (MvRiskInputs *in, const gchar *name)
{
	JsonObject *p = json_object_get_object_member (in->provenance, name);
	return json_object_get_int_member (json_object_get_object_member (p, "source"), "version");
}

/* "input:reason,…" of @in->missing */
static gchar *
missing_of (MvRiskInputs *in)
{
	g_autoptr (GString) s = g_string_new (NULL);

	for (guint i = 0; i < json_array_get_length (in->missing); i++) {
		JsonObject *m = json_array_get_object_element (in->missing, i);
		g_string_append_printf (s, "%s%s:%s", i > 0 ? "," : "",
					json_object_get_string_member (m, "input"),
					json_object_get_string_member (m, "reason"));
	}
	return g_string_free (g_steal_pointer (&s), FALSE);
}

static gchar *
defaulted_of (MvRiskInputs *in)
{
	g_autoptr (GString) s = g_string_new (NULL);

	for (guint i = 0; i < json_array_get_length (in->defaulted); i++)
		g_string_append_printf (s, "%s%s", i > 0 ? "," : "",
					json_array_get_string_element (in->defaulted, i));
	return g_string_free (g_steal_pointer (&s), FALSE);
}

Test (risk, the_latest_value_wins_in_the_model_s_unit)
{
	g_autoptr (MvRiskInputs) in = assemble_at (mvt_ctx.now);

	/* 213 mg/dL as the client wrote it (the model's own unit): not 5.51 × 38.67 = 213.07,
	 * and not the older 6.2 mmol/L */
	cr_expect_float_eq (number (in, "total_cholesterol"), 213, 1e-9);
	cr_expect_str_eq (source_string (in, "total_cholesterol", "id"), "obs-tc-new");
	cr_expect_eq (source_version (in, "total_cholesterol"), 2);
	cr_expect_str_eq (source_string (in, "total_cholesterol", "kind"), "observation");
	/* stored in mmol/L, converted by the model's units */
	cr_expect_float_eq (number (in, "hdl"), 1.29 * 38.67, 1e-9);
	/* a panel's component; mm[Hg] is the model's mmHg */
	cr_expect_float_eq (number (in, "systolic"), 142, 1e-9);
	cr_expect_str_eq (source_string (in, "systolic", "id"), "obs-bp");
	cr_expect_str_eq (source_string (in, "systolic", "code"), "8480-6");
	cr_expect_str_eq (json_object_get_string_member (
				  json_object_get_object_member (in->provenance, "hdl"), "unit"),
			  "mg/dL");
}

Test (risk, too_old_unknown_unit_and_no_value_are_missing_with_their_reason)
{
	g_autoptr (MvRiskInputs) in = assemble_at (mvt_ctx.now);
	g_autofree gchar *missing = missing_of (in);

	/* creatinine in umol/L for a model that takes mg/dL only; glucose of September with a
	 * 30-day limit */
	cr_expect_str_eq (missing, "creatinine:unit,glucose:too-old");
	cr_expect_not (json_object_has_member (in->inputs, "creatinine"));
	cr_expect_not (json_object_has_member (in->inputs, "glucose"));
	cr_expect_not (json_object_has_member (in->provenance, "glucose"));
}

Test (risk, a_condition_neither_held_nor_refuted_is_no_value)
{
	g_autoptr (JsonObject) model = load ("risk-model.json");
	g_autoptr (JsonObject) data = load ("risk-record.json");
	MvRiskRecord record = record_of (data, mvt_ctx.now);
	JsonArray *conditions = json_object_get_array_member (data, "conditions");

	/* hypertension: resolved (ICD-10-CN), refuted (WHO) and the father's.  The refuted
	 * diagnosis says the patient does not have it: FALSE, from that record */
	{
		g_autoptr (MvRiskInputs) in = mv_risk_inputs_assemble (model, &record);
		cr_expect_not (json_object_get_boolean_member (in->inputs, "hypertension"));
		cr_expect_str_eq (source_string (in, "hypertension", "id"), "cond-htn-refuted");
	}
	/* without it, resolved and a relative's say nothing of now: no value */
	json_array_remove_element (conditions, 2);
	{
		g_autoptr (MvRiskInputs) in = mv_risk_inputs_assemble (model, &record);
		g_autofree gchar *missing = missing_of (in);
		cr_expect_str_eq (missing, "creatinine:unit,glucose:too-old,hypertension:no-value");
		cr_expect_not (json_object_has_member (in->inputs, "hypertension"));
	}
}

Test (risk, a_medication_not_taken_says_false)
{
	g_autoptr (JsonObject) model = load ("risk-model.json");
	g_autoptr (JsonObject) data = load ("risk-record.json");
	MvRiskRecord record = record_of (data, mvt_ctx.now);
	g_autoptr (MvRiskInputs) in = NULL;

	json_array_add_object_element (
		json_object_get_array_member (data, "medications"),
		mvt_parse ("{\"id\":\"med-bb-not\",\"version\":1,\"name\":\"bisoprolol\",\"code\":"
			   "{\"system\":\"http://www.whocc.no/atc\",\"code\":\"C07AB07\"},"
			   "\"status\":\"not-taken\"}"));
	in = mv_risk_inputs_assemble (model, &record);
	cr_expect_not (json_object_get_boolean_member (in->inputs, "on_bp_treatment"));
	cr_expect_str_eq (source_string (in, "on_bp_treatment", "id"), "med-bb-not");
	cr_expect_str_eq (source_string (in, "on_bp_treatment", "code"), "C07AB07");
}

Test (risk, a_value_within_its_age_limit_is_used)
{
	g_autoptr (GDateTime) early = g_date_time_new_utc (2026, 9, 20, 0, 0, 0);
	g_autoptr (MvRiskInputs) in = assemble_at (early);
	g_autofree gchar *missing = missing_of (in);

	cr_expect_float_eq (number (in, "glucose"), 7.0, 1e-9);
	cr_expect_str_eq (missing, "creatinine:unit");
}

Test (risk, condition_codes_match_by_prefix_and_only_active_own_conditions_count)
{
	g_autoptr (MvRiskInputs) in = assemble_at (mvt_ctx.now);
	g_autoptr (JsonObject) who
		= mvt_parse ("{\"system\":\"http://hl7.org/fhir/sid/icd-10\",\"code\":\"E11.9\"}");
	g_autoptr (JsonObject) cn = mvt_parse (
		"{\"system\":\"urn:medverse:codesystem:icd-10-cn-clinical-2.0\",\"code\":"
		"\"E11.900x001\"}");
	g_autoptr (JsonObject) cm = mvt_parse (
		"{\"system\":\"http://hl7.org/fhir/sid/icd-10-cm\",\"code\":\"E11.65\"}");
	g_autoptr (JsonObject) e10
		= mvt_parse ("{\"system\":\"http://hl7.org/fhir/sid/icd-10\",\"code\":\"E10.9\"}");
	g_autoptr (JsonObject) hp = mvt_parse (
		"{\"system\":\"http://purl.obolibrary.org/obo/hp\",\"code\":\"HP:0005978\"}");
	g_autoptr (JsonObject) doid = mvt_parse (
		"{\"system\":\"http://purl.obolibrary.org/obo/doid\",\"code\":\"DOID:93520\"}");

	cr_expect (json_object_get_boolean_member (in->inputs, "diabetes"));
	cr_expect_str_eq (source_string (in, "diabetes", "kind"), "condition");
	cr_expect_str_eq (source_string (in, "diabetes", "id"), "cond-dm");
	cr_expect_str_eq (source_string (in, "diabetes", "code"), "ICD10:E11");
	cr_expect (mv_risk_condition_code_matches ("ICD10:E11", who));
	cr_expect (mv_risk_condition_code_matches ("ICD10:E11", cn));
	cr_expect (mv_risk_condition_code_matches ("ICD10:E11", cm));
	cr_expect_not (mv_risk_condition_code_matches ("ICD10:E11", e10));
	cr_expect_not (mv_risk_condition_code_matches ("ICD10CM:E11", who));
	cr_expect (mv_risk_condition_code_matches ("ICD10CM:E11", cm));
	cr_expect (mv_risk_condition_code_matches ("HP:0005978", hp));
	/* an ontology's codes are not hierarchical strings: DOID:9352 is no prefix of 93520 */
	cr_expect_not (mv_risk_condition_code_matches ("DOID:9352", doid));
	cr_expect_not (mv_risk_condition_code_matches ("HP:0005978", who));
	cr_expect_not (mv_risk_condition_code_matches ("E11", who));
}

Test (risk, only_current_medications_count)
{
	g_autoptr (MvRiskInputs) in = assemble_at (mvt_ctx.now);
	g_autoptr (GDateTime) before_end = g_date_time_new_utc (2026, 3, 1, 18, 0, 0);
	g_autoptr (MvRiskInputs) earlier = assemble_at (before_end);

	/* stopped amlodipine, lisinopril whose period ended in March: no BP treatment now */
	cr_expect_not (json_object_has_member (in->inputs, "on_bp_treatment"));
	cr_expect (json_object_get_boolean_member (in->inputs, "on_statin"));
	cr_expect_str_eq (source_string (in, "on_statin", "id"), "med-statin");
	cr_expect_str_eq (source_string (in, "on_statin", "kind"), "medication");
	/* on its last day (a date stands for the whole day) lisinopril was still taken */
	cr_expect (json_object_get_boolean_member (earlier->inputs, "on_bp_treatment"));
	cr_expect_str_eq (source_string (earlier, "on_bp_treatment", "id"), "med-ended");
}

Test (risk, nothing_is_imputed_but_declared_defaults)
{
	g_autoptr (MvRiskInputs) in = assemble_at (mvt_ctx.now);
	g_autofree gchar *defaulted = defaulted_of (in);

	/* left to the plugin to apply, and said so; never a value made up here */
	cr_expect_str_eq (defaulted, "on_bp_treatment,smoker");
	cr_expect_not (json_object_has_member (in->inputs, "smoker"));
	cr_expect_not (json_object_has_member (in->provenance, "on_bp_treatment"));
	cr_expect_eq (json_object_get_size (in->inputs), json_object_get_size (in->provenance));
}

Test (risk, age_is_completed_years_at_now_and_sex_comes_from_the_profile)
{
	g_autoptr (MvRiskInputs) in = assemble_at (mvt_ctx.now);
	g_autoptr (GDateTime) birthday = g_date_time_new_utc (2026, 12, 6, 0, 0, 1);
	g_autoptr (MvRiskInputs) older = assemble_at (birthday);
	g_autoptr (JsonObject) model = load ("risk-model.json");
	g_autoptr (JsonObject) data = load ("risk-record.json");
	JsonObject *profile = json_object_get_object_member (data, "profile");
	MvRiskRecord record = record_of (data, mvt_ctx.now);

	/* born 1961-12-06: 64 the day before the birthday, 65 on it */
	cr_expect_float_eq (number (in, "age"), 64, 1e-9);
	cr_expect_float_eq (number (older, "age"), 65, 1e-9);
	cr_expect_str_eq (source_string (in, "age", "kind"), "profile");
	cr_expect_eq (source_version (in, "age"), 4);
	cr_expect_str_eq (json_object_get_string_member (in->inputs, "sex"), "male");
	/* sex at birth first; a sex the model has no level for is no value */
	json_object_set_string_member (profile, "sex_at_birth", "female");
	{
		g_autoptr (MvRiskInputs) at_birth = mv_risk_inputs_assemble (model, &record);
		cr_expect_str_eq (json_object_get_string_member (at_birth->inputs, "sex"),
				  "female");
	}
	json_object_remove_member (profile, "sex_at_birth");
	json_object_set_string_member (profile, "sex", "unknown");
	json_object_remove_member (profile, "birth_date");
	{
		g_autoptr (MvRiskInputs) none = mv_risk_inputs_assemble (model, &record);
		g_autofree gchar *missing = missing_of (none);
		cr_expect (g_str_has_prefix (missing, "age:no-value,sex:no-value,"), "%s", missing);
	}
}

Test (risk, inputs_reach_the_plugin_typed)
{
	g_autoptr (MvRiskInputs) in = assemble_at (mvt_ctx.now);
	g_autoptr (GVariant) v = g_variant_ref_sink (mv_risk_inputs_to_variant (in));
	GVariantDict d;
	gdouble tc = 0;
	gboolean diabetes = FALSE;
	const gchar *sex = NULL;

	cr_assert (g_variant_is_of_type (v, G_VARIANT_TYPE_VARDICT));
	g_variant_dict_init (&d, v);
	cr_expect (g_variant_dict_lookup (&d, "total_cholesterol", "d", &tc));
	cr_expect_float_eq (tc, 213, 1e-9);
	cr_expect (g_variant_dict_lookup (&d, "diabetes", "b", &diabetes));
	cr_expect (diabetes);
	cr_expect (g_variant_dict_lookup (&d, "sex", "&s", &sex));
	cr_expect_str_eq (sex, "male");
	cr_expect_not (g_variant_dict_contains (&d, "glucose"));
	g_variant_dict_clear (&d);
}

Test (risk, a_model_with_an_input_without_source_is_not_scored_from_the_record)
{
	g_autoptr (JsonObject) model = load ("risk-model.json");
	g_autoptr (JsonObject) manual = mvt_parse (
		"{\"id\":\"m\",\"inputs\":[{\"name\":\"age\",\"source\":{\"profile\":\"age\"}},"
		"{\"name\":\"score\",\"type\":\"number\"}]}");
	g_autoptr (JsonObject) empty = mvt_parse ("{\"id\":\"m\",\"inputs\":[]}");

	cr_expect (mv_risk_model_from_record (model));
	cr_expect_not (mv_risk_model_from_record (manual));
	cr_expect_not (mv_risk_model_from_record (empty));
}

Test (risk, the_risk_assessment_kind_checks_what_it_stores)
{
	const MvClinicalKind *kind = mv_clinical_kind_lookup ("risk-assessments");
	g_autoptr (JsonObject) ok = mvt_normalise_ok (
		kind,
		"{\"model\":\"pce-white-women\",\"model_version\":\"1.0.0\","
		"\"probability\":0.021,\"category\":\"low\",\"contributions\":[{\"feature\":"
		"\"ln_age\",\"transform\":\"ln\",\"coefficient\":-29.799,\"contribution\":-119.4}],"
		"\"effects\":[{\"input\":\"age\",\"label\":\"Age\",\"effect\":-119.4}],"
		"\"inputs_used\":{\"age\":{\"value\":55,\"unit\":\"a\",\"source\":{\"kind\":"
		"\"profile\",\"id\":\"p\",\"version\":1}}},\"defaulted\":[],"
		"\"computed_at\":\"2026-12-05T11:00:00Z\"}");
	g_autoptr (GError) bad = mvt_normalise_refused (
		kind, "{\"model\":\"PCE!\",\"probability\":1.5,\"inputs_used\":{\"age\":55},"
		      "\"computed_at\":\"2027-01-01T00:00:00Z\",\"id\":\"x\"}");
	g_auto (MvClinicalTerms) terms = { 0 };

	cr_assert_not_null (kind);
	cr_expect_str_eq (kind->name, "risk-assessment");
	kind->terms (ok, &terms);
	cr_assert_not_null (terms.codes);
	cr_expect_str_eq (g_ptr_array_index (terms.codes, 0),
			  "urn:medverse:codesystem:risk-model|pce-white-women");
	cr_expect_str_eq (terms.effective_at, "2026-12-05T11:00:00.000000Z");
	mvt_expect_round_trip (kind, ok);
	mvt_expect_problem (bad, "/model", "invalid-format", NULL);
	mvt_expect_problem (bad, "/model_version", "required", NULL);
	mvt_expect_problem (bad, "/probability", "out-of-range", NULL);
	mvt_expect_problem (bad, "/inputs_used/age", "wrong-type", NULL);
	mvt_expect_problem (bad, "/computed_at", "in-future", NULL);
	mvt_expect_problem (bad, "/id", "unknown-member", NULL);
}

/* a smoking-status observation (72166-2) with @answer added to @data */
static void
add_smoking (JsonObject *data, const gchar *id, const gchar *answer, const gchar *when)
{
	g_autofree gchar *json = g_strdup_printf (
		"{\"id\":\"%s\",\"version\":1,\"code\":{\"system\":\"http://loinc.org\",\"code\":"
		"\"72166-2\"},\"value_code\":{\"system\":\"http://loinc.org\",\"code\":\"%s\"},"
		"\"effective_at\":\"%s\"}",
		id, answer, when);
	json_array_add_object_element (json_object_get_array_member (data, "observations"),
				       mvt_parse (json));
}

Test (risk, smoking_status_is_the_latest_coded_answer_as_a_level)
{
	g_autoptr (JsonObject) model = load ("risk-model.json");
	g_autoptr (JsonObject) data = load ("risk-record.json");
	MvRiskRecord record = record_of (data, mvt_ctx.now);

	add_smoking (data, "smoke-old", "LA18976-3", "2020-01-01T00:00:00Z");
	add_smoking (data, "smoke-new", "LA15920-4", "2026-10-01T00:00:00Z");
	{
		g_autoptr (MvRiskInputs) in = mv_risk_inputs_assemble (model, &record);
		g_autofree gchar *defaulted = defaulted_of (in);
		cr_expect_str_eq (json_object_get_string_member (in->inputs, "smoker"), "former");
		cr_expect_str_eq (source_string (in, "smoker", "id"), "smoke-new");
		cr_expect_str_eq (source_string (in, "smoker", "answer"), "LA15920-4");
		cr_expect_str_eq (defaulted, "on_bp_treatment");
	}
	/* "unknown if ever smoked", the latest: no value, so the model's default */
	add_smoking (data, "smoke-unknown", "LA18980-5", "2026-11-01T00:00:00Z");
	{
		g_autoptr (MvRiskInputs) in = mv_risk_inputs_assemble (model, &record);
		g_autofree gchar *defaulted = defaulted_of (in);
		cr_expect_not (json_object_has_member (in->inputs, "smoker"));
		cr_expect_str_eq (defaulted, "on_bp_treatment,smoker");
	}
}

Test (risk, an_equation_for_the_other_sex_does_not_apply)
{
	g_autoptr (JsonObject) model = load ("risk-model.json");
	g_autoptr (JsonObject) data = load ("risk-record.json");
	MvRiskRecord record = record_of (data, mvt_ctx.now);
	JsonArray *inputs = json_object_get_array_member (model, "inputs");
	JsonArray *women = json_array_new ();

	/* the model's sex input (the second) takes women only; the patient is a man */
	json_array_add_string_element (women, "female");
	json_object_set_array_member (json_array_get_object_element (inputs, 1), "levels", women);
	{
		g_autoptr (MvRiskInputs) in = mv_risk_inputs_assemble (model, &record);
		g_autofree gchar *missing = missing_of (in);
		cr_assert_eq (json_array_get_length (in->not_applicable), 1);
		cr_expect_str_eq (
			json_object_get_string_member (
				json_array_get_object_element (in->not_applicable, 0), "input"),
			"sex");
		/* not a missing value: the model is for another population */
		cr_expect_null (strstr (missing, "sex"), "%s", missing);
		cr_expect_not (json_object_has_member (in->inputs, "sex"));
	}
	/* sex at birth counts before sex */
	json_object_set_string_member (json_object_get_object_member (data, "profile"),
				       "sex_at_birth", "female");
	{
		g_autoptr (MvRiskInputs) in = mv_risk_inputs_assemble (model, &record);
		cr_expect_eq (json_array_get_length (in->not_applicable), 0);
		cr_expect_str_eq (json_object_get_string_member (in->inputs, "sex"), "female");
	}
}

/* ---- derived sources, supplied values, what is missing (risk-derived-*.json) ---------------- */

static MvRiskInputs *
assemble_derived (JsonObject *data, JsonObject *supplied, gboolean override, const gchar *lang)
{
	g_autoptr (JsonObject) model = load ("risk-derived-model.json");
	MvRiskRecord record = record_of (data, mvt_ctx.now);

	record.supplied = supplied;
	record.override = override;
	record.language = lang;
	return mv_risk_inputs_assemble (model, &record);
}

static gboolean
flag (MvRiskInputs *in, const gchar *name)
{
	JsonNode *n = json_object_get_member (in->inputs, name);
	cr_assert_not_null (n, "no value for %s", name);
	return json_node_get_boolean (n);
}

static JsonObject *
missing_named (MvRiskInputs *in, const gchar *name)
{
	for (guint i = 0; i < json_array_get_length (in->missing); i++) {
		JsonObject *m = json_array_get_object_element (in->missing, i);
		if (g_str_equal (json_object_get_string_member (m, "input"), name))
			return m;
	}
	cr_assert_fail ("%s is not missing", name);
	return NULL;
}

Test (risk, a_parent_s_diabetes_from_family_history_and_a_refuted_sibling_s)
{
	g_autoptr (JsonObject) data = load ("risk-derived-record.json");
	g_autoptr (MvRiskInputs) in = assemble_derived (data, NULL, FALSE, "en");

	/* the mother's E11 (an uncle is not a parent; the patient's own refuted E11 is hers) */
	cr_expect (flag (in, "parental_diabetes"));
	cr_expect_str_eq (source_string (in, "parental_diabetes", "id"), "fh-mother");
	cr_expect_eq (source_version (in, "parental_diabetes"), 3);
	cr_expect_str_eq (source_string (in, "parental_diabetes", "relationship"), "mother");
	/* a sister's diabetes recorded as refuted: false, said so */
	cr_expect_not (flag (in, "sibling_diabetes"));
	cr_expect_str_eq (source_string (in, "sibling_diabetes", "id"), "fh-sister-refuted");
}

Test (risk, a_reading_at_or_above_a_threshold_or_a_treatment_makes_a_derived_flag)
{
	g_autoptr (JsonObject) data = load ("risk-derived-record.json");
	JsonArray *obs = json_object_get_array_member (data, "observations");
	JsonObject *diastolic = json_array_get_object_element (
		json_object_get_array_member (json_array_get_object_element (obs, 0), "components"),
		1);
	JsonArray *meds = json_object_get_array_member (data, "medications");

	{
		/* the latest panel: 124/86, the diastolic at or above 85 (the older 150/95 is
		 * not used: the latest reading wins) */
		g_autoptr (MvRiskInputs) in = assemble_derived (data, NULL, FALSE, "en");
		cr_expect (flag (in, "elevated_bp"));
		cr_expect_str_eq (source_string (in, "elevated_bp", "id"), "obs-bp-new");
		cr_expect_str_eq (source_string (in, "elevated_bp", "code"), "8462-4");
	}
	json_object_set_double_member (diastolic, "value", 80);
	{
		/* 124/80 and no treatment stated either way: no value, nothing imputed */
		g_autoptr (MvRiskInputs) in = assemble_derived (data, NULL, FALSE, "en");
		cr_expect_str_eq (
			json_object_get_string_member (missing_named (in, "elevated_bp"), "reason"),
			"no-value");
	}
	json_array_add_object_element (
		meds, mvt_parse ("{\"id\":\"med-ace-no\",\"version\":1,\"code\":{\"system\":"
				 "\"http://www.whocc.no/atc\",\"code\":\"C09AA02\"},\"status\":"
				 "\"not-taken\"}"));
	{
		/* below both, and an antihypertensive recorded not taken: false */
		g_autoptr (MvRiskInputs) in = assemble_derived (data, NULL, FALSE, "en");
		cr_expect_not (flag (in, "elevated_bp"));
		cr_expect_str_eq (source_string (in, "elevated_bp", "id"), "obs-bp-new");
	}
	json_array_add_object_element (
		meds, mvt_parse ("{\"id\":\"med-amlo\",\"version\":2,\"code\":{\"system\":"
				 "\"http://www.whocc.no/atc\",\"code\":\"C08CA01\"},\"status\":"
				 "\"active\"}"));
	{
		/* treated: true whatever the reading */
		g_autoptr (MvRiskInputs) in = assemble_derived (data, NULL, FALSE, "en");
		cr_expect (flag (in, "elevated_bp"));
		cr_expect_str_eq (source_string (in, "elevated_bp", "id"), "med-amlo");
	}
}

Test (risk, missing_inputs_say_why_in_the_language_and_what_to_supply)
{
	g_autoptr (JsonObject) data = load ("risk-derived-record.json");
	g_autoptr (MvRiskInputs) en = assemble_derived (data, NULL, FALSE, "en");
	g_autoptr (MvRiskInputs) zh = assemble_derived (data, NULL, FALSE, "zh");
	JsonObject *m;

	cr_expect (en->needs_input);
	m = missing_named (en, "ethnicity_flag");
	cr_expect_str_eq (json_object_get_string_member (m, "reason"), "no-source");
	cr_expect_str_eq (json_object_get_string_member (m, "label"), "Mexican American");
	cr_expect_str_eq (json_object_get_string_member (m, "type"), "boolean");
	m = missing_named (en, "waist");
	cr_expect_str_eq (json_object_get_string_member (m, "reason"), "no-value");
	cr_expect_str_eq (json_object_get_string_member (m, "unit"), "cm");
	cr_expect_str_eq (
		json_array_get_string_element (json_object_get_array_member (m, "loinc"), 0),
		"8280-0");
	cr_expect_eq (json_object_get_int_member (m, "max_age_days"), 730);
	cr_expect (strstr (json_object_get_string_member (m, "message"), "LOINC 8280-0") != NULL
			   && strstr (json_object_get_string_member (m, "message"), "730 days")
				      != NULL,
		   "%s", json_object_get_string_member (m, "message"));
	m = missing_named (zh, "ethnicity_flag");
	cr_expect_str_eq (json_object_get_string_member (m, "label"), "墨西哥裔美国人");
	cr_expect (
		g_str_has_prefix (json_object_get_string_member (m, "message"), "墨西哥裔美国人："),
		"%s", json_object_get_string_member (m, "message"));
}

Test (risk, supplied_values_fill_what_the_record_lacks_and_beat_it_only_with_override)
{
	g_autoptr (JsonObject) data = load ("risk-derived-record.json");
	g_autoptr (JsonObject) supplied = mvt_parse (
		"{\"ethnicity_flag\":true,\"waist\":{\"value\":34,\"unit\":\"[in_i]\"},"
		"\"parental_diabetes\":false}");
	g_autoptr (MvRiskInputs) in = assemble_derived (data, supplied, FALSE, "en");
	g_autoptr (MvRiskInputs) over = assemble_derived (data, supplied, TRUE, "en");
	g_autoptr (GVariant) v = NULL;
	g_autoptr (GVariant) waist = NULL;
	g_autoptr (GVariant) value = NULL;

	cr_expect_not (in->needs_input);
	cr_expect_eq (json_array_get_length (in->missing), 0);
	cr_expect (flag (in, "ethnicity_flag"));
	cr_expect_str_eq (source_string (in, "ethnicity_flag", "kind"), "supplied");
	cr_expect_str_eq (source_string (in, "waist", "kind"), "supplied");
	/* the record's mother wins without override, and the answer says so */
	cr_expect (flag (in, "parental_diabetes"));
	cr_expect_str_eq (source_string (in, "parental_diabetes", "id"), "fh-mother");
	cr_assert_eq (json_array_get_length (in->not_used), 1);
	cr_expect_str_eq (json_object_get_string_member (
				  json_array_get_object_element (in->not_used, 0), "input"),
			  "parental_diabetes");
	cr_expect_eq (json_array_get_length (in->supplied), 2);
	/* with override the caller's value is used */
	cr_expect_not (flag (over, "parental_diabetes"));
	cr_expect_str_eq (source_string (over, "parental_diabetes", "kind"), "supplied");
	cr_expect_eq (json_array_get_length (over->not_used), 0);
	/* {"value", "unit"} reaches the plugin as a{sv}, for it to convert */
	v = g_variant_ref_sink (mv_risk_inputs_to_variant (in));
	waist = g_variant_lookup_value (v, "waist", G_VARIANT_TYPE_VARDICT);
	cr_assert_not_null (waist);
	value = g_variant_lookup_value (waist, "value", G_VARIANT_TYPE_DOUBLE);
	cr_assert_not_null (value);
	cr_expect_float_eq (g_variant_get_double (value), 34, 1e-12);
}
