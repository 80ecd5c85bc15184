/* The note kind: text, language, author, findings with provenance checked against the text. */
#include <string.h>

#include "clinical-test.h"

static const MvClinicalKind *kind;

static void
setup (void)
{
	mvt_clinical_setup ();
	kind = mv_clinical_kind_lookup ("note");
	cr_assert_not_null (kind);
}

TestSuite (note, .init = setup, .fini = mvt_clinical_teardown);

#define PARSER "\"parser\":{\"name\":\"symptom-parser\",\"version\":\"1.0.0\"}"

Test (note, a_note_with_findings_and_their_provenance)
{
	/* offsets are Unicode code points: 发热 is 0..2, 咳嗽 6..8 */
	g_autoptr (JsonObject) r = mvt_normalise_ok (
		kind,
		"{\"text\":\"发热三天，无咳嗽\",\"language\":\"zh-Hans\",\"findings\":{" PARSER
		",\"language\":\"zh\",\"items\":[{\"code\":\"HP:0001945\",\"label_en\":"
		"\"Fever\",\"label_zh\":\"发热\",\"start\":0,\"end\":2,\"text\":\"发热\","
		"\"polarity\":\"present\",\"experiencer\":\"patient\",\"temporality\":"
		"\"current\",\"duration_hours\":72},{\"code\":\"HP:0012735\",\"start\":6,"
		"\"end\":8,\"text\":\"咳嗽\",\"polarity\":\"absent\"},{\"code\":\"MV:0001\","
		"\"start\":0,\"end\":2,\"text\":\"发热\",\"polarity\":\"possible\"}]},"
		"\"written_at\":\"2026-12-05T10:00:00+08:00\"}");
	g_auto (MvClinicalTerms) terms = { 0 };

	cr_expect_str_eq (mvt_string (r, "$.language"), "zh-Hans");
	cr_expect_str_eq (mvt_string (r, "$.author"), "key-test");
	cr_expect_str_eq (mvt_string (r, "$.findings.parser.version"), "1.0.0");
	kind->terms (r, &terms);
	cr_assert_eq (terms.codes->len, 3);
	cr_expect_str_eq (g_ptr_array_index (terms.codes, 0),
			  "http://purl.obolibrary.org/obo/hp|HP:0001945");
	cr_expect_str_eq (g_ptr_array_index (terms.codes, 2),
			  "urn:medverse:codesystem:symptom-parser|MV:0001");
	cr_expect_str_eq (terms.effective_at, "2026-12-05T02:00:00.000000Z");
	mvt_expect_round_trip (kind, r);
}

Test (note, language_and_author_default_to_the_caller_and_parse_is_never_stored)
{
	g_autoptr (JsonObject) r
		= mvt_normalise_ok (kind, "{\"text\":\"No complaints.\",\"parse\":false}");

	cr_expect_str_eq (mvt_string (r, "$.language"), "en");
	cr_expect_str_eq (mvt_string (r, "$.author"), "key-test");
	cr_expect_not (json_object_has_member (r, "parse"));
	cr_expect_not (json_object_has_member (r, "findings"));
	mvt_expect_round_trip (kind, r);
}

Test (note, an_oversize_note_is_refused_too_long)
{
	GString *text = g_string_new ("{\"text\":\"");
	g_autofree gchar *json = NULL;
	g_autoptr (GError) e = NULL;

	for (guint i = 0; i < 20001; i++)
		g_string_append (text, "痛");
	g_string_append (text, "\"}");
	json = g_string_free (text, FALSE);
	e = mvt_normalise_refused (kind, json);
	mvt_expect_problem (e, "/text", "too-long", "at most 20000 characters");
}

Test (note, findings_must_be_of_this_text_and_well_formed)
{
	g_autoptr (GError) e = mvt_normalise_refused (
		kind,
		"{\"text\":\"Headache, no fever.\",\"language\":\"english please\","
		"\"findings\":{\"items\":[{\"code\":\"HP:0002315\",\"start\":0,\"end\":8,"
		"\"text\":\"headachE\",\"polarity\":\"present\"},{\"code\":\"HP:0001945\","
		"\"start\":14,\"end\":40,\"text\":\"fever\",\"polarity\":\"absent\"},{\"code\":"
		"\"fever\",\"start\":\"1\",\"end\":2,\"text\":\"e\",\"polarity\":\"maybe\"}]},"
		"\"author\":\"\"}");
	g_autoptr (GError) missing = mvt_normalise_refused (kind, "{\"findings\":{" PARSER "}}");

	mvt_expect_problem (e, "/language", "invalid-format", "BCP 47");
	mvt_expect_problem (e, "/findings/parser", "required", NULL);
	mvt_expect_problem (e, "/findings/items/0/text", "mismatch", NULL);
	mvt_expect_problem (e, "/findings/items/1/end", "out-of-range", NULL);
	mvt_expect_problem (e, "/findings/items/2/code", "invalid-code", NULL);
	mvt_expect_problem (e, "/findings/items/2/start", "wrong-type", NULL);
	mvt_expect_problem (e, "/findings/items/2/polarity", "not-allowed", NULL);
	mvt_expect_problem (e, "/author", "too-short", NULL);
	cr_expect_eq (mv_error_get_n_problems (e), 8, "%s", e->message);
	/* the note's text is never quoted back */
	cr_expect_null (strstr (e->message, "eadach"));
	mvt_expect_problem (missing, "/text", "required", NULL);
	mvt_expect_problem (missing, "/findings/items", "required", NULL);
}

/* The clinical-text parser's kinds: a condition, a medication with its dose, a measurement
 * with its converted value, an allergy with its reaction; each code indexed in its own
 * system (DOID, ATC and LOINC without their CURIE prefix where the system writes none). */
Test (note, findings_of_every_kind_are_kept_and_indexed_in_their_systems)
{
	g_autoptr (JsonObject) r = mvt_normalise_ok (
		kind,
		"{\"text\":\"HTN on metformin 500 mg BID, glucose 180 mg/dL, PCN allergy (rash)\","
		"\"findings\":{" PARSER ",\"items\":["
		"{\"kind\":\"condition\",\"code\":\"DOID:10763\",\"xrefs\":[\"HP:0000822\"],"
		"\"start\":0,\"end\":3,\"text\":\"HTN\",\"polarity\":\"present\",\"status\":"
		"\"active\",\"mentions\":2,\"spans\":[[0,3],[0,3]]},"
		"{\"kind\":\"medication\",\"code\":\"ATC:A10BA02\",\"start\":7,\"end\":16,"
		"\"text\":\"metformin\",\"polarity\":\"present\",\"dose_value\":500,"
		"\"dose_unit\":\"mg\",\"frequency\":\"BID\",\"route\":\"oral\"},"
		"{\"kind\":\"measurement\",\"code\":\"LOINC:15074-8\",\"start\":29,\"end\":36,"
		"\"text\":\"glucose\",\"polarity\":\"present\",\"value\":9.99,\"unit\":\"mmol/L\","
		"\"original_value\":180,\"original_unit\":\"mg/dL\",\"interpretation\":\"high\"},"
		"{\"kind\":\"allergy\",\"code\":\"ATC:J01CE01\",\"start\":48,\"end\":51,"
		"\"text\":\"PCN\",\"polarity\":\"present\",\"reaction_code\":\"HP:0000988\","
		"\"reaction_label_en\":\"Skin rash\",\"reaction_label_zh\":\"皮疹\"}]}}");
	g_auto (MvClinicalTerms) terms = { 0 };

	kind->terms (r, &terms);
	cr_assert_eq (terms.codes->len, 4);
	cr_expect_str_eq (g_ptr_array_index (terms.codes, 0),
			  "http://purl.obolibrary.org/obo/doid|DOID:10763");
	cr_expect_str_eq (g_ptr_array_index (terms.codes, 1), "http://www.whocc.no/atc|A10BA02");
	cr_expect_str_eq (g_ptr_array_index (terms.codes, 2), "http://loinc.org|15074-8");
	cr_expect_eq (mvt_number (r, "$.findings.items[2].original_value"), 180);
	mvt_expect_round_trip (kind, r);
}

Test (note, findings_with_bad_codes_spans_or_ages_are_refused_each_named)
{
	g_autoptr (GError) e = mvt_normalise_refused (
		kind,
		"{\"text\":\"father had MI at 50\",\"findings\":{" PARSER ",\"items\":["
		"{\"kind\":\"condition\",\"code\":\"LOINC:8310-4\",\"start\":11,\"end\":13,"
		"\"text\":\"MI\",\"polarity\":\"present\",\"onset_age\":500,"
		"\"spans\":[[13,11]],\"status\":\"chronic\"},"
		"{\"kind\":\"vibe\",\"code\":\"ATC:a10\",\"start\":11,\"end\":13,\"text\":\"MI\","
		"\"polarity\":\"present\"}]}}");

	mvt_expect_problem (e, "/findings/items/0/code", "invalid-code", NULL);
	mvt_expect_problem (e, "/findings/items/0/onset_age", "out-of-range", NULL);
	mvt_expect_problem (e, "/findings/items/0/spans", "invalid-format", NULL);
	mvt_expect_problem (e, "/findings/items/0/status", "not-allowed", NULL);
	mvt_expect_problem (e, "/findings/items/1/kind", "not-allowed", NULL);
	mvt_expect_problem (e, "/findings/items/1/code", "invalid-code", NULL);
}
