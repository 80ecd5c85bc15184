/*
 * libFuzzer target: the whole symptom parser (normalisation, tokenizer, segmenter with the real
 * trie, matching, context) on arbitrary bytes.  The first byte picks the language argument.
 * The data directory comes from SP_FUZZ_DATA_DIR, else the build's data directory.
 */
#include <glib.h>

#include "sp-parser.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static SpParser *parser;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
	g_autoptr (GError) error = NULL;
	const gchar *dir = g_getenv ("SP_FUZZ_DATA_DIR");

	parser = sp_parser_new (dir != NULL ? dir : SP_FUZZ_DATA_DIR, &error);
	if (parser == NULL)
		g_error ("cannot load the parser data: %s", error->message);
	return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
	static const gchar *const langs[] = { "", "en", "zh", NULL };
	g_autoptr (GArray) findings = NULL;
	g_autoptr (GError) error = NULL;
	const gchar *lang_out = NULL;

	if (parser == NULL)
		LLVMFuzzerInitialize (NULL, NULL);
	if (size == 0)
		return 0;
	/* a small limit so that the limit path is exercised too */
	findings = sp_parser_parse (parser, (const gchar *)data + 1, (gssize)size - 1,
				    langs[data[0] % 4], 8192, &lang_out, &error);
	if (findings == NULL) {
		g_assert (error != NULL && error->domain == SP_PARSER_ERROR);
		return 0;
	}
	g_assert (g_strcmp0 (lang_out, "en") == 0 || g_strcmp0 (lang_out, "zh") == 0);
	for (guint i = 0; i < findings->len; i++) {
		const SpFinding *f = &g_array_index (findings, SpFinding, i);
		g_assert (f->start < f->end);
		g_assert (f->byte_start < f->byte_end && f->byte_end <= size - 1);
		g_assert (g_utf8_validate_len ((const gchar *)data + 1 + f->byte_start,
					       f->byte_end - f->byte_start, NULL));
		g_assert (f->polarity <= SP_POLARITY_POSSIBLE && f->severity <= SP_SEVERITY_SEVERE);
	}
	return 0;
}
