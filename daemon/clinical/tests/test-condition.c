/* The condition kind: code systems as URIs, statuses, onset, recorder, family history. */
#include <string.h>

#include "clinical-test.h"

static const MvClinicalKind *kind;

static void
setup (void)
{
	mvt_clinical_setup ();
	kind = mv_clinical_kind_lookup ("condition");
	cr_assert_not_null (kind);
}

TestSuite (condition, .init = setup, .fini = mvt_clinical_teardown);

Test (condition, china_s_clinical_icd_10_code_is_stored_with_its_uri_and_defaults)
{
	g_autoptr (JsonObject) r = mvt_normalise_ok (
		kind, "{\"code\":{\"system\":\"icd-10-cn\",\"code\":\"I10.x00x002\","
		      "\"display\":\"高血压1级\"},\"onset\":\"2019-03-01\"}");
	g_auto (MvClinicalTerms) terms = { 0 };

	cr_expect_str_eq (mvt_string (r, "$.code.system"),
			  "urn:medverse:codesystem:icd-10-cn-clinical-2.0");
	cr_expect_str_eq (mvt_string (r, "$.code.display"), "高血压1级");
	cr_expect_str_eq (mvt_string (r, "$.clinical_status"), "active");
	cr_expect_str_eq (mvt_string (r, "$.verification_status"), "confirmed");
	cr_expect_str_eq (mvt_string (r, "$.recorder"), "key-test");
	kind->terms (r, &terms);
	cr_assert_eq (terms.codes->len, 1);
	cr_expect_str_eq (g_ptr_array_index (terms.codes, 0),
			  "urn:medverse:codesystem:icd-10-cn-clinical-2.0|I10.x00x002");
	cr_expect_str_eq (terms.effective_at, "2019-03-01T00:00:00.000000Z");
	mvt_expect_round_trip (kind, r);
}

Test (condition, every_system_of_the_issue_is_accepted)
{
	static const gchar *const codings[][3] = {
		{ "icd-10", "E11.9", "http://hl7.org/fhir/sid/icd-10" },
		{ "http://hl7.org/fhir/sid/icd-10-cm", "S72.001A",
		  "http://hl7.org/fhir/sid/icd-10-cm" },
		{ "snomed-ct", "38341003", "http://snomed.info/sct" },
		{ "hpo", "HP:0001945", "http://purl.obolibrary.org/obo/hp" },
		{ "doid", "DOID:10763", "http://purl.obolibrary.org/obo/doid" },
	};

	for (guint i = 0; i < G_N_ELEMENTS (codings); i++) {
		g_autofree gchar *json = g_strdup_printf (
			"{\"code\":{\"system\":\"%s\",\"code\":\"%s\"},\"clinical_status\":"
			"\"resolved\",\"verification_status\":\"provisional\",\"onset\":"
			"\"2020-01-01T08:00:00+08:00\",\"abatement\":\"2020-02-01\","
			"\"recorder\":\"Dr Li\"}",
			codings[i][0], codings[i][1]);
		g_autoptr (JsonObject) r = mvt_normalise_ok (kind, json);

		cr_expect_str_eq (mvt_string (r, "$.code.system"), codings[i][2]);
		cr_expect_str_eq (mvt_string (r, "$.recorder"), "Dr Li");
		mvt_expect_round_trip (kind, r);
	}
}

Test (condition, a_family_history_entry_names_the_relative)
{
	g_autoptr (JsonObject) r = mvt_normalise_ok (
		kind, "{\"code\":{\"system\":\"icd-10\",\"code\":\"I21\"},\"family_member\":{"
		      "\"relationship\":\"FTH\",\"age_at_onset\":52,\"deceased\":true},"
		      "\"recorded_date\":\"2026-11-30\"}");
	g_auto (MvClinicalTerms) terms = { 0 };

	cr_expect_str_eq (mvt_string (r, "$.family_member.relationship"), "father");
	cr_expect_str_eq (mvt_string (r, "$.family_member.relationship_zh"), "父亲");
	cr_expect_str_eq (mvt_string (r, "$.family_member.role_code.code"), "FTH");
	cr_expect_eq (mvt_number (r, "$.family_member.age_at_onset"), 52);
	kind->terms (r, &terms);
	cr_expect_str_eq (terms.effective_at, "2026-11-30T00:00:00.000000Z");
	mvt_expect_round_trip (kind, r);
}

Test (condition, every_refusal_is_listed_at_once)
{
	g_autoptr (GError) e = mvt_normalise_refused (
		kind, "{\"code\":{\"system\":\"icd-11\",\"code\":\"BA00\"},\"clinical_status\":"
		      "\"cured\",\"onset\":\"2026-02-30\",\"onset_age\":200,\"abatement\":5,"
		      "\"family_member\":{\"relationship\":\"neighbour\",\"age_at_onset\":-1},"
		      "\"recorded_date\":\"2027-01-01\",\"version\":3}");
	g_autoptr (GError) code = mvt_normalise_refused (
		kind, "{\"code\":{\"system\":\"icd-10-cn\",\"code\":\"I10.x00x02\"}}");
	g_autoptr (GError) snomed = mvt_normalise_refused (
		kind, "{\"code\":{\"system\":\"snomed-ct\",\"code\":\"38341004\"}}");
	g_autoptr (GError) order = mvt_normalise_refused (
		kind, "{\"code\":{\"system\":\"hpo\",\"code\":\"HP:0001945\"},\"onset\":"
		      "\"2020-05-01\",\"abatement\":\"2020-04-30T23:00:00Z\"}");
	g_autoptr (GError) missing = mvt_normalise_refused (kind, "{}");

	mvt_expect_problem (e, "/code/system", "unknown-system", "icd-10-cn");
	mvt_expect_problem (e, "/clinical_status", "not-allowed", NULL);
	mvt_expect_problem (e, "/onset", "invalid-format", NULL);
	mvt_expect_problem (e, "/onset_age", "out-of-range", NULL);
	mvt_expect_problem (e, "/abatement", "wrong-type", NULL);
	mvt_expect_problem (e, "/family_member/relationship", "not-allowed", "mother");
	mvt_expect_problem (e, "/family_member/age_at_onset", "out-of-range", NULL);
	mvt_expect_problem (e, "/recorded_date", "in-future", NULL);
	mvt_expect_problem (e, "/version", "unknown-member", NULL);
	cr_expect_eq (mv_error_get_n_problems (e), 10, "%s", e->message);
	mvt_expect_problem (code, "/code/code", "invalid-code", "I10.x00x002");
	mvt_expect_problem (snomed, "/code/code", "invalid-code", NULL);
	mvt_expect_problem (order, "/abatement", "out-of-range", "onset");
	mvt_expect_problem (missing, "/code", "required", NULL);
}
