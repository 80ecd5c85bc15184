/*
 * symptom-parser tests — the shared prologue of the tests over the real data directory
 * (sp-test-data.h).
 */
#include "sp-test-data.h"

#include <criterion/criterion.h>

SpParser *sp_test_parser;

void
sp_test_data_setup (void)
{
	g_autoptr (GError) error = NULL;
	const gchar *dir = g_getenv ("SP_REAL_DATA_DIR");

	cr_assert_not_null (dir, "SP_REAL_DATA_DIR is not set");
	sp_test_parser = sp_parser_new (dir, &error);
	cr_assert_not_null (sp_test_parser, "%s", error != NULL ? error->message : "");
}

void
sp_test_data_teardown (void)
{
	g_clear_pointer (&sp_test_parser, sp_parser_free);
}

GArray *
sp_test_parse (const gchar *text, const gchar *lang)
{
	g_autoptr (GError) error = NULL;
	GArray *findings = sp_parser_parse (sp_test_parser, text, -1, lang,
					    SP_PARSER_DEFAULT_MAX_BYTES, NULL, &error);

	cr_assert_not_null (findings, "'%s': %s", text, error != NULL ? error->message : "");
	return findings;
}
