/* The patient profile schema and JSON merge patch (no database). */
#include <criterion/criterion.h>
#include <medverse/mv-error.h>
#include <string.h>

#include "mv-patient-profile.h"

static JsonNode *
parse (const gchar *text)
{
	g_autoptr (JsonParser) parser = json_parser_new ();
	g_autoptr (GError) error = NULL;

	cr_assert (json_parser_load_from_data (parser, text, -1, &error), "%s: %s", text,
		   error ? error->message : "");
	return json_node_copy (json_parser_get_root (parser));
}

static JsonNode *
load (const gchar *name)
{
	g_autofree gchar *path = g_build_filename (MV_TEST_DATADIR, name, NULL);
	g_autofree gchar *text = NULL;

	cr_assert (g_file_get_contents (path, &text, NULL, NULL), "cannot read %s", path);
	return parse (text);
}

Test (profile, full_and_minimal_profiles_are_valid)
{
	const gchar *names[] = { "profile-full.json", "profile-minimal.json" };

	for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
		g_autoptr (JsonNode) node = load (names[i]);
		g_autoptr (GError) error = NULL;
		cr_assert (mv_patient_profile_validate (json_node_get_object (node), NULL, &error),
			   "%s: %s", names[i], error ? error->message : "");
	}
}

/* Every line of profile-invalid.tsv: the profile is refused with INVALID_INPUT, and its first
 * problem has the JSON Pointer, the code and the start of the English message expected, with a
 * Chinese message besides; the error's message starts with the same "field: message". */
Test (profile, invalid_profiles_name_the_field)
{
	g_autofree gchar *path = g_build_filename (MV_TEST_DATADIR, "profile-invalid.tsv", NULL);
	g_autofree gchar *text = NULL;
	g_auto (GStrv) lines = NULL;
	guint n = 0;

	cr_assert (g_file_get_contents (path, &text, NULL, NULL));
	lines = g_strsplit (text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		g_auto (GStrv) parts = NULL;
		g_autoptr (JsonNode) node = NULL;
		g_autoptr (GError) error = NULL;
		g_autofree gchar *prefix = NULL;
		const MvErrorProblem *p;

		if (lines[i][0] == '#' || lines[i][0] == '\0')
			continue;
		parts = g_strsplit (lines[i], "\t", 4);
		cr_assert_eq (g_strv_length (parts), 4, "line %u has not 4 columns", i + 1);
		node = parse (parts[3]);
		cr_assert_not (
			mv_patient_profile_validate (json_node_get_object (node), NULL, &error),
			"line %u was accepted", i + 1);
		cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INVALID_INPUT), "line %u",
			   i + 1);
		cr_assert_geq (mv_error_get_n_problems (error), 1, "line %u", i + 1);
		p = mv_error_get_problem (error, 0);
		cr_assert_str_eq (p->field, parts[0], "line %u: %s", i + 1, error->message);
		cr_assert_str_eq (p->code, parts[1], "line %u: %s", i + 1, error->message);
		cr_assert (g_str_has_prefix (p->message, parts[2]),
			   "line %u: expected \"%s…\", got \"%s\"", i + 1, parts[2], p->message);
		cr_assert (p->message_zh != NULL && strcmp (p->message_zh, p->message) != 0,
			   "line %u: no Chinese message", i + 1);
		prefix = g_strdup_printf ("%s: %s", parts[0], parts[2]);
		cr_assert (g_str_has_prefix (error->message, prefix), "line %u: %s", i + 1,
			   error->message);
		n++;
	}
	cr_assert_geq (n, 60);
}

/* One error lists every problem of the profile, in the body's order, not only the first. */
Test (profile, every_problem_is_listed_at_once)
{
	g_autoptr (JsonNode) node = parse (
		"{\"mrn\":\" \",\"name\":{\"given\":\"\"},\"sex\":\"f\",\"language\":\"zh_CN\","
		"\"identifiers\":[{\"system\":\"resident-id\",\"value\":\"110105194912310021\"}],"
		"\"telecom\":[{\"system\":\"phone\",\"value\":\"12345\"}],"
		"\"conditions\":[{\"system\":\"icd-10\",\"code\":\"XYZ\"}],\"nick\":\"x\"}");
	g_autoptr (GError) error = NULL;
	static const gchar *const fields[] = { "/mrn",
					       "/name/given",
					       "/sex",
					       "/language",
					       "/identifiers/0/value",
					       "/telecom/0/value",
					       "/conditions/0/code",
					       "/nick" };

	cr_assert_not (mv_patient_profile_validate (json_node_get_object (node), NULL, &error));
	cr_assert_eq (mv_error_get_n_problems (error), G_N_ELEMENTS (fields), "%s", error->message);
	for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
		cr_assert_str_eq (mv_error_get_problem (error, i)->field, fields[i]);
	cr_assert_str_eq (mv_error_get_problem (error, 4)->code, "invalid-checksum");
	cr_assert_not_null (strstr (mv_error_get_message_zh (error), "校验码错误"));
}

Test (profile, messages_never_quote_values)
{
	g_autoptr (JsonNode) node = parse (
		"{\"mrn\":\"SECRET-MRN-991\",\"name\":{\"given\":\"Zebedee\"},\"sex\":\"Zebedee\","
		"\"identifiers\":[{\"system\":\"resident-id\",\"value\":\"110105194912310021\"},"
		"{\"system\":\"mrn\",\"value\":\"SECRET-OTHER\"}],\"telecom\":[{\"system\":"
		"\"email\",\"value\":\"zebedee@secret\"}],\"language\":\"Zebedee\"}");
	g_autoptr (GError) error = NULL;
	const gchar *zh;

	cr_assert_not (mv_patient_profile_validate (json_node_get_object (node), NULL, &error));
	zh = mv_error_get_message_zh (error);
	cr_assert_geq (mv_error_get_n_problems (error), 5, "%s", error->message);
	for (guint i = 0; i < 2; i++) {
		const gchar *m = i == 0 ? error->message : zh;
		cr_assert_null (strstr (m, "Zebedee"), "%s", m);
		cr_assert_null (strstr (m, "zebedee"), "%s", m);
		cr_assert_null (strstr (m, "SECRET"), "%s", m);
		cr_assert_null (strstr (m, "1101051949"), "%s", m);
	}
}

Test (profile, today_is_a_valid_birth_date_tomorrow_is_not)
{
	GDate today;
	g_autoptr (JsonNode) ok = parse ("{\"mrn\":\"1\",\"name\":{\"given\":\"x\"},"
					 "\"birth_date\":\"2024-02-29\"}");
	g_autoptr (JsonNode) late = parse ("{\"mrn\":\"1\",\"name\":{\"given\":\"x\"},"
					   "\"birth_date\":\"2024-03-01\"}");
	g_autoptr (GError) error = NULL;

	g_date_clear (&today, 1);
	g_date_set_dmy (&today, 29, G_DATE_FEBRUARY, 2024);
	cr_assert (mv_patient_profile_validate (json_node_get_object (ok), &today, NULL));
	cr_assert_not (mv_patient_profile_validate (json_node_get_object (late), &today, &error));
	cr_assert_str_eq (error->message, "/birth_date: must not be in the future");
}

Test (profile, codes_of_each_system)
{
	static const struct {
		const gchar *list, *system, *code;
		gboolean valid;
	} cases[] = {
		{ "conditions", "icd-10", "E11", TRUE },
		{ "conditions", "icd-10", "E11.9", TRUE },
		{ "conditions", "icd-10", "S72.001A", TRUE },
		{ "conditions", "icd-10", "U07.1", TRUE },
		{ "conditions", "icd-10", "E1", FALSE },
		{ "conditions", "icd-10", "E11.", FALSE },
		{ "conditions", "icd-10", "e11", FALSE },
		{ "conditions", "icd-10", "E11.12345", FALSE },
		{ "conditions", "snomed-ct", "38341003", TRUE },
		{ "conditions", "snomed-ct", "195967001", TRUE },
		{ "conditions", "snomed-ct", "38341004", FALSE },
		{ "conditions", "snomed-ct", "012345", FALSE },
		{ "conditions", "snomed-ct", "3834A003", FALSE },
		{ "medications", "atc", "C", TRUE },
		{ "medications", "atc", "C09", TRUE },
		{ "medications", "atc", "C09AA05", TRUE },
		{ "medications", "atc", "C09AA5", FALSE },
		{ "medications", "rxnorm", "29046", TRUE },
		{ "medications", "rxnorm", "1234567890", FALSE },
		{ "allergies", "snomed-ct", "91936005", TRUE },
		/* the shared code systems: China's clinical ICD-10, ICD-10-CM, HPO, URIs */
		{ "conditions", "icd-10-cn", "I10.x00x002", TRUE },
		{ "conditions", "icd-10-cn", "E11.900", TRUE },
		{ "conditions", "icd-10-cn", "I10.x00x02", FALSE },
		{ "conditions", "icd-10-cm", "S72.001A", TRUE },
		{ "conditions", "hpo", "HP:0001945", TRUE },
		{ "conditions", "hpo", "HP:194", FALSE },
		{ "conditions", "http://hl7.org/fhir/sid/icd-10", "I10", TRUE },
		{ "conditions", "http://snomed.info/sct", "38341003", TRUE },
		{ "conditions", "loinc", "8867-4", FALSE },
		{ "conditions", "icd-9", "401.9", FALSE },
		{ "medications", "hpo", "HP:0001945", FALSE },
		{ "medications", "http://www.whocc.no/atc", "C09AA05", TRUE },
	};

	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autofree gchar *text = g_strdup_printf (
			"{\"mrn\":\"1\",\"name\":{\"given\":\"x\"},\"%s\":[{\"system\":\"%s\","
			"\"code\":\"%s\"}]}",
			cases[i].list, cases[i].system, cases[i].code);
		g_autoptr (JsonNode) node = parse (text);
		g_autoptr (GError) error = NULL;
		gboolean ok
			= mv_patient_profile_validate (json_node_get_object (node), NULL, &error);
		cr_assert_eq (ok, cases[i].valid, "%s %s: %s", cases[i].system, cases[i].code,
			      error ? error->message : "accepted");
	}
}

/* The documented schema and the validator name the same members. */
Test (profile, schema_file_matches_the_validator)
{
	g_autofree gchar *text = NULL;
	g_autoptr (JsonNode) schema = NULL;
	JsonObject *props;
	g_autoptr (GList) names = NULL;
	JsonArray *examples;

	cr_assert (g_file_get_contents (MV_TEST_SCHEMA, &text, NULL, NULL));
	schema = parse (text);
	props = json_object_get_object_member (json_node_get_object (schema), "properties");
	names = json_object_get_members (props);
	cr_assert_eq (g_list_length (names), 16);
	for (GList *l = names; l != NULL; l = l->next) {
		g_autoptr (JsonObject) patch = json_object_new ();
		g_autoptr (GError) error = NULL;
		JsonObject *prop = json_object_get_object_member (props, l->data);
		json_object_set_null_member (patch, l->data);
		cr_assert (mv_patient_profile_check_patch (patch, &error), "%s", error->message);
		if (json_object_has_member (prop, "properties")) {
			JsonObject *inner = json_object_get_object_member (prop, "properties");
			g_autoptr (GList) members = json_object_get_members (inner);
			for (GList *m = members; m != NULL; m = m->next) {
				g_autoptr (JsonObject) nested = json_object_new ();
				g_autoptr (JsonObject) outer = json_object_new ();
				json_object_set_null_member (nested, m->data);
				json_object_set_object_member (outer, l->data,
							       json_object_ref (nested));
				cr_assert (mv_patient_profile_check_patch (outer, &error), "%s.%s",
					   (gchar *)l->data, (gchar *)m->data);
			}
		}
	}
	examples = json_object_get_array_member (json_node_get_object (schema), "examples");
	for (guint i = 0; i < json_array_get_length (examples); i++) {
		g_autoptr (GError) error = NULL;
		cr_assert (mv_patient_profile_validate (json_array_get_object_element (examples, i),
							NULL, &error),
			   "example %u: %s", i, error ? error->message : "");
	}
}

Test (profile, patch_with_unknown_members_is_refused_even_as_null)
{
	g_autoptr (JsonNode) top = parse ("{\"id\":null}");
	g_autoptr (JsonNode) nested = parse ("{\"name\":{\"middle\":null}}");
	g_autoptr (JsonNode) good = parse ("{\"notes\":null,\"name\":{\"given\":\"y\"}}");
	g_autoptr (GError) e1 = NULL;
	g_autoptr (GError) e2 = NULL;

	cr_assert_not (mv_patient_profile_check_patch (json_node_get_object (top), &e1));
	cr_assert_str_eq (e1->message, "/id: is not a known member");
	cr_assert_str_eq (mv_error_get_problem (e1, 0)->code, "unknown-member");
	cr_assert_not (mv_patient_profile_check_patch (json_node_get_object (nested), &e2));
	cr_assert_str_eq (e2->message, "/name/middle: is not a known member");
	cr_assert (mv_patient_profile_check_patch (json_node_get_object (good), NULL));
}

/* RFC 7396 appendix A. */
Test (profile, merge_patch_rfc7396_examples)
{
	static const gchar *const cases[][3] = {
		{ "{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}" },
		{ "{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}" },
		{ "{\"a\":\"b\"}", "{\"a\":null}", "{}" },
		{ "{\"a\":\"b\",\"b\":\"c\"}", "{\"a\":null}", "{\"b\":\"c\"}" },
		{ "{\"a\":[\"b\"]}", "{\"a\":\"c\"}", "{\"a\":\"c\"}" },
		{ "{\"a\":\"c\"}", "{\"a\":[\"b\"]}", "{\"a\":[\"b\"]}" },
		{ "{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}",
		  "{\"a\":{\"b\":\"d\"}}" },
		{ "{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}" },
		{ "[\"a\",\"b\"]", "[\"c\",\"d\"]", "[\"c\",\"d\"]" },
		{ "{\"a\":\"b\"}", "[\"c\"]", "[\"c\"]" },
		{ "{\"a\":\"foo\"}", "null", "null" },
		{ "{\"a\":\"foo\"}", "\"bar\"", "\"bar\"" },
		{ "{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}" },
		{ "[1,2]", "{\"a\":\"b\",\"c\":null}", "{\"a\":\"b\"}" },
		{ "{}", "{\"a\":{\"bb\":{\"ccc\":null}}}", "{\"a\":{\"bb\":{}}}" },
	};

	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr (JsonNode) target = parse (cases[i][0]);
		g_autoptr (JsonNode) patch = parse (cases[i][1]);
		g_autoptr (JsonNode) expected = parse (cases[i][2]);
		g_autoptr (JsonNode) result = mv_json_merge_patch (target, patch);
		g_autofree gchar *got = json_to_string (result, FALSE);
		cr_assert (json_node_equal (result, expected), "case %u: %s + %s gave %s", i,
			   cases[i][0], cases[i][1], got);
	}
}

/* What the profile keeps: phones in E.164, the language tag in RFC 5646 case; identifiers as
 * typed (their indexes use the normalised form). */
Test (profile, normalise_rewrites_phones_and_the_language)
{
	g_autoptr (JsonNode) node = parse (
		"{\"mrn\":\"1\",\"name\":{\"given\":\"x\"},\"language\":\"zh-hans-cn\","
		"\"telecom\":[{\"system\":\"phone\",\"value\":\"+86 138-0013-8000\"},"
		"{\"system\":\"email\",\"value\":\"Li.Lei@Example.ORG\"}],"
		"\"emergency_contact\":{\"name\":\"Han Meimei\",\"phone\":\"＋８６ ７５５ ８６００ "
		"００００\"},"
		"\"identifiers\":[{\"system\":\"resident-id\",\"value\":\"11010519491231002x\"}]}");
	JsonObject *p = json_node_get_object (node);
	g_autoptr (GError) error = NULL;
	JsonArray *telecom;

	cr_assert (mv_patient_profile_validate (p, NULL, &error), "%s",
		   error ? error->message : "");
	mv_patient_profile_normalise (p);
	cr_assert_str_eq (json_object_get_string_member (p, "language"), "zh-Hans-CN");
	telecom = json_object_get_array_member (p, "telecom");
	cr_assert_str_eq (
		json_object_get_string_member (json_array_get_object_element (telecom, 0), "value"),
		"+8613800138000");
	cr_assert_str_eq (
		json_object_get_string_member (json_array_get_object_element (telecom, 1), "value"),
		"Li.Lei@Example.ORG");
	cr_assert_str_eq (json_object_get_string_member (
				  json_object_get_object_member (p, "emergency_contact"), "phone"),
			  "+8675586000000");
	cr_assert_str_eq (json_object_get_string_member (
				  json_array_get_object_element (
					  json_object_get_array_member (p, "identifiers"), 0),
				  "value"),
			  "11010519491231002x");
}

/* The identifiers handed to the store: normalised, the passport's issuer with it, positions
 * kept for the JSON Pointer of a conflict. */
Test (profile, identifiers_are_listed_normalised)
{
	g_autoptr (JsonNode) node
		= parse ("{\"mrn\":\"ja-2026 0032\",\"name\":{\"given\":\"x\"},\"identifiers\":["
			 "{\"system\":\"mrn\",\"value\":\"ＪＡ２０２６００３２\"},"
			 "{\"system\":\"passport\",\"value\":\"e 1234 5678\",\"issuer\":\"CN\"},"
			 "{\"system\":\"passport\",\"value\":\"E12345678\",\"issuer\":\"GB\"},"
			 "{\"system\":\"insurance\",\"value\":\"sz-0001-2345\",\"issuer\":"
			 "\"深圳市医保局\"}]}");
	JsonObject *p = json_node_get_object (node);
	g_autoptr (GError) error = NULL;
	g_autoptr (GPtrArray) ids = NULL;
	MvPatientIdentifier *id;

	cr_assert (mv_patient_profile_validate (p, NULL, &error), "%s",
		   error ? error->message : "");
	ids = mv_patient_profile_identifiers (p);
	cr_assert_eq (ids->len, 4);
	id = g_ptr_array_index (ids, 0);
	cr_assert_str_eq (id->value, "JA20260032");
	id = g_ptr_array_index (ids, 1);
	cr_assert_str_eq (id->value, "E12345678");
	cr_assert_str_eq (id->issuer, "CN");
	id = g_ptr_array_index (ids, 3);
	cr_assert_eq (id->index, 3);
	cr_assert_str_eq (id->system, "insurance");
	cr_assert_str_eq (id->value, "SZ00012345");
	cr_assert_null (id->issuer);
}
