/* The observation kind: LOINC codes, units converted with the original kept, limits named,
 * panels, every problem at once, round trips and terms. */
#include <string.h>

#include "clinical-test.h"
#include "mv-observation-table.h"
#include "records/mv-code-systems.h"

static const MvClinicalKind *kind;

static void
setup (void)
{
	mvt_clinical_setup ();
	kind = mv_clinical_kind_lookup ("observations");
	cr_assert_not_null (kind);
}

TestSuite (observation, .init = setup, .fini = mvt_clinical_teardown);

#define AT "\"effective_at\":\"2026-12-05T08:00:00+08:00\""

Test (observation, every_table_code_passes_the_loinc_check_and_has_a_canonical_unit)
{
	const MvCodeSystem *loinc = mv_code_system_lookup ("loinc");
	guint n = 0;

	for (const MvObsDef *d = mv_obs_table; d->code != NULL; d++, n++) {
		if (g_str_equal (d->system, loinc->uri))
			cr_expect (loinc->valid (d->code), "%s", d->code);
		cr_expect (g_utf8_validate (d->display_zh, -1, NULL) && *d->display_zh != '\0');
		if (d->answers != NULL) {
			/* coded: answers instead of units and limits */
			cr_expect_null (d->units[0].ucum, "%s", d->code);
			cr_expect_not_null (d->answers[0].code, "%s", d->code);
			continue;
		}
		cr_expect_not_null (d->units[0].ucum, "%s", d->code);
		cr_expect_eq (d->units[0].factor, 1.0, "%s", d->code);
		cr_expect_eq (d->units[0].offset, 0.0, "%s", d->code);
		cr_expect (d->components != NULL || d->min < d->max, "%s", d->code);
	}
	cr_expect_geq (n, 28);
}

Test (observation, heart_rate_is_stored_with_its_system_names_and_ucum_unit)
{
	g_autoptr (JsonObject) r
		= mvt_normalise_ok (kind, "{\"code\":\"8867-4\",\"value\":72,\"unit\":\"bpm\"," AT
					  ",\"source\":\"device\",\"device\":\"wristband\"}");
	g_auto (MvClinicalTerms) terms = { 0 };

	cr_expect_str_eq (mvt_string (r, "$.code.system"), "http://loinc.org");
	cr_expect_str_eq (mvt_string (r, "$.code.display"), "Heart rate");
	cr_expect_str_eq (mvt_string (r, "$.code.display_zh"), "心率");
	cr_expect_eq (mvt_number (r, "$.value"), 72);
	cr_expect_str_eq (mvt_string (r, "$.unit"), "/min");
	cr_expect_not (json_object_has_member (r, "original"));
	cr_expect_str_eq (mvt_string (r, "$.source"), "device");
	kind->terms (r, &terms);
	cr_assert_eq (terms.codes->len, 1);
	cr_expect_str_eq (g_ptr_array_index (terms.codes, 0), "http://loinc.org|8867-4");
	cr_expect_str_eq (terms.effective_at, "2026-12-05T00:00:00.000000Z");
	mvt_expect_round_trip (kind, r);
}

static void
expect_converted (const gchar *code,
		  gdouble value,
		  const gchar *unit,
		  gdouble want,
		  const gchar *want_unit,
		  const gchar *original_unit)
{
	g_autofree gchar *json = g_strdup_printf ("{\"code\":{\"system\":\"loinc\",\"code\":\"%s\"}"
						  ",\"value\":%.17g,\"unit\":\"%s\"," AT "}",
						  code, value, unit);
	g_autoptr (JsonObject) r = mvt_normalise_ok (kind, json);

	cr_expect (ABS (mvt_number (r, "$.value") - want) < 1e-9, "%s %g %s: %.17g, not %g", code,
		   value, unit, mvt_number (r, "$.value"), want);
	cr_expect_str_eq (mvt_string (r, "$.unit"), want_unit, "%s", code);
	cr_expect_eq (mvt_number (r, "$.original.value"), value, "%s", code);
	cr_expect_str_eq (mvt_string (r, "$.original.unit"), original_unit, "%s", code);
	mvt_expect_round_trip (kind, r);
}

Test (observation, units_are_converted_to_the_canonical_one_and_the_original_kept)
{
	expect_converted ("2339-0", 100, "mg/dL", 5.55, "mmol/L", "mg/dL");
	expect_converted ("1558-6", 126, "mg/dl", 6.99, "mmol/L", "mg/dL");
	expect_converted ("8310-5", 98.6, "°F", 37.0, "Cel", "[degF]");
	expect_converted ("8310-5", 100.4, "degF", 38.0, "Cel", "[degF]");
	expect_converted ("29463-7", 154, "lb", 69.85, "kg", "[lb_av]");
	expect_converted ("29463-7", 154, "lbs", 69.85, "kg", "[lb_av]");
	expect_converted ("8302-2", 70, "in", 177.8, "cm", "[in_i]");
	expect_converted ("8302-2", 1.75, "m", 175, "cm", "m");
	expect_converted ("4548-4", 48, "mmol/mol", 6.54, "%", "mmol/mol");
	expect_converted ("2093-3", 200, "mg/dL", 5.17, "mmol/L", "mg/dL");
	expect_converted ("2571-8", 150, "mg/dL", 1.69, "mmol/L", "mg/dL");
	expect_converted ("2160-0", 1, "mg/dL", 88.4, "umol/L", "mg/dL");
	expect_converted ("93832-4", 450, "min", 7.5, "h", "min");
}

Test (observation, a_blood_pressure_panel_has_its_two_components)
{
	g_autoptr (JsonObject) r = mvt_normalise_ok (
		kind,
		"{\"code\":\"85354-9\",\"components\":[{\"code\":\"8480-6\",\"value\":128,"
		"\"unit\":\"mmHg\"},{\"code\":\"8462-4\",\"value\":10.9,\"unit\":\"kPa\"}]," AT
		",\"method\":\"seated, left arm\"}");
	g_auto (MvClinicalTerms) terms = { 0 };

	cr_expect_str_eq (mvt_string (r, "$.code.display_zh"), "血压");
	cr_expect_not (json_object_has_member (r, "value"));
	cr_expect_str_eq (mvt_string (r, "$.components[0].code.display"),
			  "Systolic blood pressure");
	cr_expect_str_eq (mvt_string (r, "$.components[0].unit"), "mm[Hg]");
	cr_expect_eq (mvt_number (r, "$.components[1].value"), 81.8);
	cr_expect_str_eq (mvt_string (r, "$.components[1].original.unit"), "kPa");
	kind->terms (r, &terms);
	cr_assert_eq (terms.codes->len, 3);
	cr_expect_str_eq (g_ptr_array_index (terms.codes, 2), "http://loinc.org|8462-4");
	mvt_expect_round_trip (kind, r);
}

Test (observation, impossible_values_are_refused_with_the_limit_named)
{
	g_autoptr (GError) hr = mvt_normalise_refused (
		kind, "{\"code\":\"8867-4\",\"value\":400,\"unit\":\"/min\"," AT "}");
	g_autoptr (GError) cel = mvt_normalise_refused (
		kind, "{\"code\":\"8310-5\",\"value\":50,\"unit\":\"°C\"," AT "}");
	g_autoptr (GError) fahrenheit = mvt_normalise_refused (
		kind, "{\"code\":\"8310-5\",\"value\":122,\"unit\":\"°F\"," AT "}");
	g_autoptr (GError) low = mvt_normalise_refused (
		kind, "{\"code\":\"59408-5\",\"value\":12,\"unit\":\"%\"," AT "}");
	const MvErrorProblem *p;

	mvt_expect_problem (hr, "/value", "out-of-range", "must be at most 300 /min (Heart rate)");
	mvt_expect_problem (cel, "/value", "out-of-range",
			    "must be at most 45 Cel (Body temperature)");
	p = mvt_problem_at (cel, "/value");
	cr_expect (strstr (p->message_zh, "不能高于 45 Cel（体温）") != NULL, "%s", p->message_zh);
	mvt_expect_problem (fahrenheit, "/value", "out-of-range", "45 Cel = 113 [degF]");
	mvt_expect_problem (low, "/value", "out-of-range", "must be at least 40 %");
	/* the value submitted is never quoted */
	cr_expect_null (strstr (hr->message, "400"));
	cr_expect_null (strstr (cel->message, "50"));
}

Test (observation, unknown_units_are_refused_naming_the_accepted_ones)
{
	g_autoptr (GError) e = mvt_normalise_refused (
		kind, "{\"code\":\"2339-0\",\"value\":5,\"unit\":\"mg\"," AT "}");

	mvt_expect_problem (e, "/unit", "invalid-unit", "mmol/L");
	cr_expect_not_null (strstr (mvt_problem_at (e, "/unit")->message, "mg/dL"));
	cr_expect_eq (mv_error_get_n_problems (e), 1);
}

Test (observation, every_problem_is_listed_at_once)
{
	g_autoptr (GError) e = mvt_normalise_refused (
		kind, "{\"code\":\"8867-5\",\"value\":\"72\",\"unit\":5,"
		      "\"effective_at\":\"2026-12-05 08:00\",\"source\":\"robot\",\"id\":\"x\","
		      "\"method\":\"\"}");

	mvt_expect_problem (e, "/code", "invalid-code", "LOINC");
	mvt_expect_problem (e, "/value", "wrong-type", NULL);
	mvt_expect_problem (e, "/unit", "wrong-type", NULL);
	mvt_expect_problem (e, "/effective_at", "invalid-format", NULL);
	mvt_expect_problem (e, "/source", "not-allowed", NULL);
	mvt_expect_problem (e, "/id", "unknown-member", NULL);
	mvt_expect_problem (e, "/method", "too-short", NULL);
	cr_expect_eq (mv_error_get_n_problems (e), 7, "%s", e->message);
}

Test (observation, required_members_dates_and_systems)
{
	g_autoptr (GError) missing = mvt_normalise_refused (kind, "{\"code\":\"8867-4\"}");
	g_autoptr (GError) future = mvt_normalise_refused (
		kind, "{\"code\":\"8867-4\",\"value\":70,\"unit\":\"/min\","
		      "\"effective_at\":\"2027-01-01T00:00:00Z\"}");
	g_autoptr (GError) system = mvt_normalise_refused (
		kind, "{\"code\":{\"system\":\"snomed-ct\",\"code\":\"38341003\"},\"value\":1,"
		      "\"unit\":\"1\"," AT "}");
	g_autoptr (GError) project = mvt_normalise_refused (
		kind, "{\"code\":{\"system\":\"urn:medverse:codesystem:observation\",\"code\":"
		      "\"joy\"},\"value\":1,\"unit\":\"{score}\"," AT "}");
	g_autoptr (GError) shape = mvt_normalise_refused (kind, "{\"code\":42," AT "}");

	mvt_expect_problem (missing, "/effective_at", "required", NULL);
	mvt_expect_problem (missing, "/value", "required", NULL);
	mvt_expect_problem (missing, "/unit", "required", "/min");
	mvt_expect_problem (future, "/effective_at", "in-future", NULL);
	mvt_expect_problem (system, "/code/system", "unknown-system", NULL);
	mvt_expect_problem (project, "/code/code", "invalid-code", NULL);
	mvt_expect_problem (shape, "/code", "wrong-type", NULL);
}

Test (observation, panel_rules)
{
	g_autoptr (GError) order = mvt_normalise_refused (
		kind,
		"{\"code\":\"85354-9\",\"components\":[{\"code\":\"8480-6\",\"value\":70,"
		"\"unit\":\"mm[Hg]\"},{\"code\":\"8462-4\",\"value\":90,\"unit\":\"mm[Hg]\"}]," AT
		"}");
	g_autoptr (GError) parts = mvt_normalise_refused (
		kind,
		"{\"code\":\"85354-9\",\"value\":120,\"unit\":\"mm[Hg]\",\"components\":[{"
		"\"code\":\"8480-6\",\"value\":120,\"unit\":\"mm[Hg]\"},{\"code\":\"8480-6\","
		"\"value\":121,\"unit\":\"mm[Hg]\"},{\"code\":\"8867-4\",\"value\":60,\"unit\":"
		"\"/min\"},{\"code\":\"8480-6\",\"value\":999,\"unit\":\"mm[Hg]\"}]," AT "}");
	g_autoptr (GError) none = mvt_normalise_refused (kind, "{\"code\":\"85354-9\"," AT "}");
	g_autoptr (GError) not_panel = mvt_normalise_refused (
		kind, "{\"code\":\"8867-4\",\"value\":60,\"unit\":\"/min\",\"components\":[{"
		      "\"code\":\"8480-6\",\"value\":120,\"unit\":\"mm[Hg]\"}]," AT "}");

	mvt_expect_problem (order, "/components/1/value", "out-of-range", "below the systolic");
	mvt_expect_problem (parts, "/value", "not-allowed", NULL);
	mvt_expect_problem (parts, "/unit", "not-allowed", NULL);
	mvt_expect_problem (parts, "/components/1/code", "duplicate", NULL);
	mvt_expect_problem (parts, "/components/2/code", "not-allowed", NULL);
	mvt_expect_problem (parts, "/components", "required", "diastolic");
	mvt_expect_problem (none, "/components", "required", NULL);
	mvt_expect_problem (not_panel, "/components", "not-allowed", NULL);
}

Test (observation, a_loinc_code_not_in_the_table_is_kept_unconverted_and_unchecked)
{
	g_autoptr (JsonObject) r = mvt_normalise_ok (
		kind,
		"{\"code\":{\"system\":\"http://loinc.org\",\"code\":\"2345-7\","
		"\"display\":\"Glucose SerPl-mCnc\"},\"value\":99,\"unit\":\"mg/dL\"," AT "}");
	g_autoptr (GError) bad_unit = mvt_normalise_refused (
		kind, "{\"code\":\"2345-7\",\"value\":99,\"unit\":\"mg dL\"," AT "}");

	cr_expect (json_object_get_boolean_member (r, "unlisted"));
	cr_expect_str_eq (mvt_string (r, "$.unit"), "mg/dL");
	cr_expect_str_eq (mvt_string (r, "$.code.display"), "Glucose SerPl-mCnc");
	cr_expect_not (json_object_has_member (r, "original"));
	mvt_expect_round_trip (kind, r);
	mvt_expect_problem (bad_unit, "/unit", "invalid-unit", NULL);
}

Test (observation, mood_uses_medverse_s_own_system)
{
	g_autoptr (JsonObject) r = mvt_normalise_ok (
		kind, "{\"code\":{\"system\":\"urn:medverse:codesystem:observation\",\"code\":"
		      "\"mood\"},\"value\":4,\"unit\":\"score\"," AT ",\"source\":\"patient\"}");
	g_autoptr (GError) e = mvt_normalise_refused (
		kind, "{\"code\":{\"system\":\"urn:medverse:codesystem:observation\",\"code\":"
		      "\"mood\"},\"value\":6,\"unit\":\"{score}\"," AT "}");

	cr_expect_str_eq (mvt_string (r, "$.unit"), "{score}");
	mvt_expect_round_trip (kind, r);
	mvt_expect_problem (e, "/value", "out-of-range", "at most 5");
}

Test (observation, problems_of_a_batch_item_carry_its_pointer)
{
	g_autoptr (JsonObject) input
		= mvt_parse ("{\"code\":\"8867-4\",\"value\":400,\"unit\":\"/min\"," AT "}");
	g_autoptr (GError) error = NULL;
	g_autoptr (JsonObject) r = kind->normalise (input, "/observations/3", &mvt_ctx, &error);

	cr_assert_null (r);
	mvt_expect_problem (error, "/observations/3/value", "out-of-range", NULL);
}

Test (observation, smoking_status_is_a_coded_answer)
{
	g_autoptr (JsonObject) r = mvt_normalise_ok (
		kind, "{\"code\":\"72166-2\",\"value_code\":\"LA18978-9\"," AT "}");
	g_autoptr (JsonObject) coding = mvt_normalise_ok (
		kind, "{\"code\":\"72166-2\",\"value_code\":{\"system\":\"loinc\",\"code\":"
		      "\"LA18976-3\"}," AT "}");
	g_autoptr (GError) bad = mvt_normalise_refused (
		kind, "{\"code\":\"72166-2\",\"value_code\":\"LA0000-0\",\"value\":1,\"unit\":"
		      "\"1\"," AT "}");
	g_autoptr (GError) none = mvt_normalise_refused (kind, "{\"code\":\"72166-2\"," AT "}");
	g_autoptr (GError) elsewhere
		= mvt_normalise_refused (kind, "{\"code\":\"8867-4\",\"value\":72,\"unit\":\"/"
					       "min\",\"value_code\":\"LA18978-9\"," AT "}");
	g_auto (MvClinicalTerms) terms = { 0 };

	cr_expect_str_eq (mvt_string (r, "$.value_code.system"), "http://loinc.org");
	cr_expect_str_eq (mvt_string (r, "$.value_code.code"), "LA18978-9");
	cr_expect_str_eq (mvt_string (r, "$.value_code.display"), "Never smoker");
	cr_expect_str_eq (mvt_string (r, "$.value_code.display_zh"), "从不吸烟");
	cr_expect_str_eq (mvt_string (r, "$.code.display"), "Tobacco smoking status");
	cr_expect_not (json_object_has_member (r, "value"));
	cr_expect_str_eq (mvt_string (coding, "$.value_code.code"), "LA18976-3");
	mvt_expect_round_trip (kind, r);
	mvt_expect_round_trip (kind, coding);
	kind->terms (r, &terms);
	cr_assert_eq (terms.codes->len, 2);
	cr_expect_str_eq (g_ptr_array_index (terms.codes, 1), "http://loinc.org|LA18978-9");
	mvt_expect_problem (bad, "/value_code", "invalid-code", "LA18978-9");
	mvt_expect_problem (bad, "/value", "not-allowed", NULL);
	mvt_expect_problem (bad, "/unit", "not-allowed", NULL);
	mvt_expect_problem (none, "/value_code", "required", NULL);
	mvt_expect_problem (elsewhere, "/value_code", "not-allowed", NULL);
}
