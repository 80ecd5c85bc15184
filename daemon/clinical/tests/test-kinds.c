/* The registry and the small kinds: allergy, medication, encounter. */
#include <string.h>

#include "clinical-test.h"
#include "mv-clinical-schema.h"

TestSuite (kinds, .init = mvt_clinical_setup, .fini = mvt_clinical_teardown);

Test (kinds, the_registry_lists_eight_kinds_by_name_and_plural)
{
	static const gchar *const names[][2] = {
		{ "observation", "observations" },
		{ "condition", "conditions" },
		{ "allergy", "allergies" },
		{ "medication", "medications" },
		{ "encounter", "encounters" },
		{ "note", "notes" },
		{ "risk-assessment", "risk-assessments" },
		{ "plan", "plans" },
		{ "vr-session", "vr-sessions" },
		{ "vr-override", "vr-overrides" },
	};
	const MvClinicalKind *const *all = mv_clinical_kinds ();

	for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
		cr_assert_not_null (all[i]);
		cr_expect_str_eq (all[i]->name, names[i][0]);
		cr_expect_str_eq (all[i]->plural, names[i][1]);
		cr_expect_eq (mv_clinical_kind_lookup (names[i][0]), all[i]);
		cr_expect_eq (mv_clinical_kind_lookup (names[i][1]), all[i]);
		cr_expect_not_null (all[i]->title_zh);
		cr_expect_not_null (all[i]->normalise);
		cr_expect_not_null (all[i]->to_input);
		cr_expect_not_null (all[i]->terms);
	}
	cr_expect_null (all[G_N_ELEMENTS (names)]);
	cr_expect_null (mv_clinical_kind_lookup ("profile"));
	cr_expect_null (mv_clinical_kind_lookup (NULL));
}

Test (kinds, a_client_cannot_name_the_store_s_members)
{
	static const gchar *const members[]
		= { "id", "version", "record_status", "created_at", "updated_at" };

	for (const MvClinicalKind *const *k = mv_clinical_kinds (); *k != NULL; k++) {
		for (guint i = 0; i < G_N_ELEMENTS (members); i++) {
			g_autofree gchar *json = g_strdup_printf ("{\"%s\":\"1\"}", members[i]);
			g_autofree gchar *field = g_strdup_printf ("/%s", members[i]);
			g_autoptr (GError) e = mvt_normalise_refused (*k, json);
			mvt_expect_problem (e, field, "unknown-member", NULL);
		}
	}
}

Test (kinds, an_allergy_with_a_coded_substance_and_reactions)
{
	const MvClinicalKind *kind = mv_clinical_kind_lookup ("allergy");
	g_autoptr (JsonObject) r = mvt_normalise_ok (
		kind,
		"{\"substance\":{\"system\":\"rxnorm\",\"code\":\"7980\",\"display\":"
		"\"Penicillin G\"},\"reactions\":[{\"manifestation\":{\"system\":\"snomed-ct\","
		"\"code\":\"271807003\"},\"text\":\"rash\"},{\"text\":\"swelling\"}],"
		"\"severity\":\"moderate\",\"criticality\":\"high\",\"category\":\"medication\","
		"\"onset\":\"2015-06-01\"}");
	g_autoptr (JsonObject) text = mvt_normalise_ok (
		kind, "{\"substance\":{\"text\":\"花生\"},\"category\":\"food\"}");
	g_auto (MvClinicalTerms) terms = { 0 };

	cr_expect_str_eq (mvt_string (r, "$.substance.system"),
			  "http://www.nlm.nih.gov/research/umls/rxnorm");
	cr_expect_str_eq (mvt_string (r, "$.reactions[0].manifestation.system"),
			  "http://snomed.info/sct");
	cr_expect_str_eq (mvt_string (r, "$.clinical_status"), "active");
	kind->terms (r, &terms);
	cr_assert_eq (terms.codes->len, 2);
	cr_expect_str_eq (g_ptr_array_index (terms.codes, 1), "http://snomed.info/sct|271807003");
	cr_expect_str_eq (terms.effective_at, "2015-06-01T00:00:00.000000Z");
	mvt_expect_round_trip (kind, r);
	mvt_expect_round_trip (kind, text);
}

Test (kinds, allergy_refusals_are_listed_at_once)
{
	const MvClinicalKind *kind = mv_clinical_kind_lookup ("allergies");
	g_autoptr (GError) e = mvt_normalise_refused (
		kind, "{\"substance\":{\"code\":\"7980\"},\"reactions\":[{},{\"manifestation\":{"
		      "\"system\":\"loinc\",\"code\":\"8867-4\"}}],\"severity\":\"deadly\","
		      "\"category\":7}");
	g_autoptr (GError) empty = mvt_normalise_refused (kind, "{\"substance\":{}}");
	g_autoptr (JsonObject) atc = mvt_normalise_ok (
		kind, "{\"substance\":{\"system\":\"atc\",\"code\":\"J01CE\"}}");

	mvt_expect_problem (e, "/substance/system", "required", NULL);
	mvt_expect_problem (e, "/reactions/0", "required", NULL);
	mvt_expect_problem (e, "/reactions/1/manifestation/system", "unknown-system", NULL);
	mvt_expect_problem (e, "/severity", "not-allowed", NULL);
	mvt_expect_problem (e, "/category", "wrong-type", NULL);
	cr_expect_eq (mv_error_get_n_problems (e), 5, "%s", e->message);
	mvt_expect_problem (empty, "/substance", "required", NULL);
	/* J01CE is an ATC level-4 code (a group of substances): of a valid shape */
	cr_expect_str_eq (mvt_string (atc, "$.substance.system"), "http://www.whocc.no/atc");
}

Test (kinds, a_medication_with_code_dose_frequency_and_period)
{
	const MvClinicalKind *kind = mv_clinical_kind_lookup ("medication");
	g_autoptr (JsonObject) r = mvt_normalise_ok (
		kind,
		"{\"name\":\"氨氯地平片 5mg\",\"code\":{\"system\":\"atc\",\"code\":\"C08CA01\"},"
		"\"dose\":{\"value\":5,\"unit\":\"mg\"},\"frequency\":{\"times\":1,"
		"\"period_unit\":\"d\"},\"route\":\"oral\",\"effective\":{\"start\":"
		"\"2026-01-10\"}}");
	g_autoptr (JsonObject) text = mvt_normalise_ok (
		kind, "{\"name\":\"Paracetamol\",\"dose\":{\"text\":\"1 tablet\"},\"frequency\":{"
		      "\"text\":\"when needed\",\"as_needed\":true},\"status\":\"completed\"}");
	g_auto (MvClinicalTerms) terms = { 0 };

	cr_expect_str_eq (mvt_string (r, "$.code.system"), "http://www.whocc.no/atc");
	cr_expect_str_eq (mvt_string (r, "$.status"), "active");
	kind->terms (r, &terms);
	cr_expect_str_eq (g_ptr_array_index (terms.codes, 0), "http://www.whocc.no/atc|C08CA01");
	cr_expect_str_eq (terms.effective_at, "2026-01-10T00:00:00.000000Z");
	mvt_expect_round_trip (kind, r);
	mvt_expect_round_trip (kind, text);
}

Test (kinds, medication_refusals_are_listed_at_once)
{
	const MvClinicalKind *kind = mv_clinical_kind_lookup ("medications");
	g_autoptr (GError) e = mvt_normalise_refused (
		kind, "{\"code\":{\"system\":\"icd-10\",\"code\":\"I10\"},\"dose\":{\"value\":-5},"
		      "\"frequency\":{\"times\":2},\"status\":\"entered-in-error\",\"effective\":{"
		      "\"start\":\"2026-02-01\",\"end\":\"2026-01-31\"}}");

	mvt_expect_problem (e, "/name", "required", NULL);
	mvt_expect_problem (e, "/code/system", "unknown-system", NULL);
	mvt_expect_problem (e, "/dose/value", "out-of-range", NULL);
	mvt_expect_problem (e, "/frequency/period_unit", "required", NULL);
	mvt_expect_problem (e, "/status", "not-allowed", NULL);
	mvt_expect_problem (e, "/effective/end", "out-of-range", "before start");
	cr_expect_eq (mv_error_get_n_problems (e), 6, "%s", e->message);
}

Test (kinds, an_encounter_with_a_coded_reason)
{
	const MvClinicalKind *kind = mv_clinical_kind_lookup ("encounter");
	g_autoptr (JsonObject) r = mvt_normalise_ok (
		kind, "{\"class\":\"ambulatory\",\"start\":\"2026-12-01T09:00:00+08:00\",\"end\":"
		      "\"2026-12-01T09:20:00+08:00\",\"reason\":{\"text\":\"头痛\",\"code\":{"
		      "\"system\":\"hpo\",\"code\":\"HP:0002315\"}},\"department\":\"心内科\","
		      "\"practitioner\":\"王医生\"}");
	g_auto (MvClinicalTerms) terms = { 0 };

	cr_expect_str_eq (mvt_string (r, "$.reason.code.system"),
			  "http://purl.obolibrary.org/obo/hp");
	cr_expect_str_eq (mvt_string (r, "$.status"), "finished");
	kind->terms (r, &terms);
	cr_expect_str_eq (g_ptr_array_index (terms.codes, 0),
			  "http://purl.obolibrary.org/obo/hp|HP:0002315");
	cr_expect_str_eq (terms.effective_at, "2026-12-01T01:00:00.000000Z");
	mvt_expect_round_trip (kind, r);
}

Test (kinds, encounter_refusals_are_listed_at_once)
{
	const MvClinicalKind *kind = mv_clinical_kind_lookup ("encounters");
	g_autoptr (GError) e = mvt_normalise_refused (
		kind, "{\"class\":\"spa\",\"start\":\"2026-12-01T09:00:00+08:00\",\"end\":"
		      "\"2026-12-01T08:59:00+08:00\",\"reason\":{\"code\":{\"system\":\"icd-10\","
		      "\"code\":\"hypertension\"}},\"department\":true}");
	g_autoptr (GError) none = mvt_normalise_refused (kind, "{\"reason\":{}}");

	mvt_expect_problem (e, "/class", "not-allowed", NULL);
	mvt_expect_problem (e, "/end", "out-of-range", "before start");
	mvt_expect_problem (e, "/reason/code/code", "invalid-code", NULL);
	mvt_expect_problem (e, "/department", "wrong-type", NULL);
	cr_expect_eq (mv_error_get_n_problems (e), 4, "%s", e->message);
	mvt_expect_problem (none, "/class", "required", NULL);
	mvt_expect_problem (none, "/start", "required", NULL);
	mvt_expect_problem (none, "/reason", "required", NULL);
}

Test (kinds, a_patch_naming_a_member_the_kind_does_not_know_is_refused)
{
	for (const MvClinicalKind *const *k = mv_clinical_kinds (); *k != NULL; k++) {
		const MvField *members = mv_clinical_kind_members (*k);
		g_autoptr (JsonObject) bad = mvt_parse ("{\"id\":null,\"note\":null}");
		g_autoptr (GError) e = NULL;

		cr_assert_not_null (members, "%s", (*k)->name);
		cr_expect_not (mv_schema_check_patch (members, bad, "", &e), "%s", (*k)->name);
		mvt_expect_problem (e, "/id", "unknown-member", NULL);
		/* every kind but the note has a note (the note's text is its own), the risk
		 * assessment and the plan, which are a plugin's output and no client's, and the
		 * VR session, which a headset reports */
		gboolean noteless = g_str_equal ((*k)->name, "note")
				    || g_str_equal ((*k)->name, "risk-assessment")
				    || g_str_equal ((*k)->name, "plan")
				    || g_str_equal ((*k)->name, "vr-session");
		cr_expect_eq (mv_error_get_n_problems (e), noteless ? 2 : 1, "%s: %s", (*k)->name,
			      e->message);
	}
}

Test (kinds, a_date_stands_for_its_whole_local_day)
{
	const MvClinicalKind *kind = mv_clinical_kind_lookup ("medication");
	g_autoptr (JsonObject) same_day = mvt_normalise_ok (
		kind, "{\"name\":\"x\",\"effective\":{\"start\":\"2026-01-02\",\"end\":"
		      "\"2026-01-02T01:00:00+08:00\"}}");
	g_autoptr (GError) day_before = mvt_normalise_refused (
		kind, "{\"name\":\"x\",\"effective\":{\"start\":\"2026-01-02\",\"end\":"
		      "\"2026-01-01T23:59:00+08:00\"}}");

	mvt_expect_problem (day_before, "/effective/end", "out-of-range", NULL);
}
