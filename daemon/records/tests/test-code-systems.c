/* The code systems: each accepts its own shapes and check digits, refuses the others. */
#include <criterion/criterion.h>
#include <medverse/mv-error.h>

#include "mv-code-systems.h"

typedef struct {
	const gchar *system;
	const gchar *code;
	gboolean valid;
} Case;

static const Case cases[] = {
	{ "icd-10", "I10", TRUE },
	{ "icd-10", "E11.9", TRUE },
	{ "icd-10", "M54.16", TRUE },
	{ "icd-10", "I10.x00x002", FALSE },
	{ "icd-10", "e11", FALSE },
	{ "icd-10-cn", "I10.x00x002", TRUE },
	{ "icd-10-cn", "E11.900", TRUE },
	{ "icd-10-cn", "K35.800x001", TRUE },
	{ "icd-10-cn", "I10", TRUE },
	{ "icd-10-cn", "I10.x0", FALSE },
	{ "icd-10-cn", "I10.x00y002", FALSE },
	{ "icd-10-cn", "I10.x00x02", FALSE },
	{ "icd-10-cm", "S72.001A", TRUE },
	{ "icd-10-cm", "E11.65", TRUE },
	{ "icd-10-cm", "E11.", FALSE },
	{ "snomed-ct", "38341003", TRUE },
	{ "snomed-ct", "38341004", FALSE }, /* Verhoeff digit wrong */
	{ "snomed-ct", "012345", FALSE },
	{ "hpo", "HP:0001945", TRUE },
	{ "hpo", "HP:001945", FALSE },
	{ "hpo", "hp:0001945", FALSE },
	{ "doid", "DOID:10763", TRUE },
	{ "loinc", "8867-4", TRUE },  /* heart rate */
	{ "loinc", "8480-6", TRUE },  /* systolic */
	{ "loinc", "2339-0", TRUE },  /* glucose */
	{ "loinc", "85354-9", TRUE }, /* BP panel */
	{ "loinc", "8867-5", FALSE }, /* check digit wrong */
	{ "loinc", "88674", FALSE },
	{ "atc", "C09AA05", TRUE },
	{ "atc", "C09AA5", FALSE },
	{ "rxnorm", "29046", TRUE },
	{ "rxnorm", "029046", FALSE },
};

Test (code_systems, shapes_and_check_digits)
{
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		const MvCodeSystem *system = mv_code_system_lookup (cases[i].system);
		cr_assert_not_null (system, "%s", cases[i].system);
		cr_expect_eq (system->valid (cases[i].code), cases[i].valid, "%s %s",
			      cases[i].system, cases[i].code);
		/* the example each system gives in its messages is valid */
		cr_expect (system->valid (system->example), "%s", system->example);
	}
}

Test (code_systems, lookup_by_alias_or_uri)
{
	cr_assert_str_eq (mv_code_system_lookup ("loinc")->uri, "http://loinc.org");
	cr_assert_str_eq (mv_code_system_lookup ("http://snomed.info/sct")->alias, "snomed-ct");
	cr_assert_null (mv_code_system_lookup ("http://example.org/made-up"));
	cr_assert_null (mv_code_system_lookup (NULL));
}

static JsonObject *
coding (const gchar *system, const gchar *code)
{
	JsonObject *o = json_object_new ();
	json_object_set_string_member (o, "system", system);
	json_object_set_string_member (o, "code", code);
	return o;
}

Test (code_systems, a_coding_names_the_field_and_the_systems_allowed)
{
	static const gchar *const allowed[] = { "icd-10", "icd-10-cn", "hpo", NULL };
	g_autoptr (JsonObject) good = coding ("icd-10-cn", "I10.x00x002");
	g_autoptr (JsonObject) bad_system = coding ("loinc", "8867-4");
	g_autoptr (JsonObject) bad_code = coding ("hpo", "HP:12");
	g_autoptr (GError) error = NULL;

	cr_assert (mv_coding_check (good, "/code", allowed, &error));
	cr_assert_null (error);
	cr_assert_not (mv_coding_check (bad_system, "/conditions/0/code", allowed, &error));
	cr_assert_not (mv_coding_check (bad_code, "/conditions/1/code", allowed, &error));
	cr_assert_eq (mv_error_get_n_problems (error), 2);
	cr_assert_str_eq (mv_error_get_problem (error, 0)->field, "/conditions/0/code/system");
	cr_assert_str_eq (mv_error_get_problem (error, 0)->code, "unknown-system");
	cr_assert_str_eq (mv_error_get_problem (error, 1)->field, "/conditions/1/code/code");
	cr_assert_str_eq (mv_error_get_problem (error, 1)->code, "invalid-code");
	/* never the submitted code in a message */
	cr_assert_null (strstr (error->message, "HP:12"));
	cr_assert_not_null (strstr (mv_error_get_message_zh (error), "编码"));
}
