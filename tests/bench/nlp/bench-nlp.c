/*
 * bench-nlp — throughput of the Chinese segmenter and of the full symptom parse.
 *
 *   bench-nlp segment TRIE TEXT SPANS_OUT   one line per text; writes each line's Han-word spans
 *                                           (code points "start-end ...") for the agreement check
 *   bench-nlp parse DATA_DIR NOTES          one note per line
 *
 * Prints key=value lines for tests/bench/nlp/compare.py.  Each measurement repeats the whole
 * input until at least a second has passed, and reports the rate of the repetitions.
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>

#include "sp-parser.h"

#define MIN_SECONDS 1.0

static gchar **
read_lines (const gchar *path, gsize *bytes)
{
	g_autofree gchar *contents = NULL;
	g_autoptr (GError) error = NULL;
	g_auto (GStrv) lines = NULL;
	GPtrArray *out = g_ptr_array_new ();

	if (!g_file_get_contents (path, &contents, NULL, &error))
		g_error ("%s", error->message);
	lines = g_strsplit (contents, "\n", -1);
	*bytes = 0;
	for (guint i = 0; lines[i] != NULL; i++) {
		if (lines[i][0] == '\0')
			continue;
		*bytes += strlen (lines[i]);
		g_ptr_array_add (out, g_strdup (lines[i]));
	}
	g_ptr_array_add (out, NULL);
	return (gchar **)g_ptr_array_free (out, FALSE);
}

static guint
segment_all (const MvZhDict *dict, gchar **lines, GString *spans)
{
	guint n_tokens = 0;
	for (guint i = 0; lines[i] != NULL; i++) {
		g_autoptr (MvNormText) nt = mv_norm_text_new (lines[i], -1, NULL);
		g_autoptr (GArray) toks = mv_tokenize (nt->text, nt->len, dict);
		n_tokens += toks->len;
		if (spans == NULL)
			continue;
		for (guint k = 0; k < toks->len; k++) {
			const MvToken *t = &g_array_index (toks, MvToken, k);
			MvOrigSpan span;
			if (t->kind != MV_TOKEN_HAN)
				continue;
			mv_norm_text_to_orig (nt, t->start, t->end, &span);
			g_string_append_printf (spans, "%u-%u ", span.cp_start, span.cp_end);
		}
		g_string_append_c (spans, '\n');
	}
	return n_tokens;
}

static int
bench_segment (const gchar *trie, const gchar *text, const gchar *spans_out)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvZhDict) dict = mv_zh_dict_new_from_file (trie, &error);
	g_autoptr (GString) spans = g_string_new (NULL);
	g_auto (GStrv) lines = NULL;
	gsize bytes = 0;
	guint reps = 0;
	gint64 t0;
	gdouble secs;

	if (dict == NULL)
		g_error ("%s", error->message);
	lines = read_lines (text, &bytes);
	segment_all (dict, lines, spans);
	if (!g_file_set_contents (spans_out, spans->str, (gssize)spans->len, &error))
		g_error ("%s", error->message);
	t0 = g_get_monotonic_time ();
	do {
		segment_all (dict, lines, NULL);
		reps++;
		secs = (gdouble)(g_get_monotonic_time () - t0) / G_USEC_PER_SEC;
	} while (secs < MIN_SECONDS);
	printf ("segment_bytes=%" G_GSIZE_FORMAT "\nsegment_seconds=%.6f\nsegment_mb_per_s=%.3f\n",
		bytes, secs / reps, bytes * reps / secs / 1e6);
	return EXIT_SUCCESS;
}

static int
bench_parse (const gchar *data_dir, const gchar *notes)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (SpParser) parser = sp_parser_new (data_dir, &error);
	g_auto (GStrv) lines = NULL;
	gsize bytes = 0;
	guint n = 0;
	guint reps = 0;
	guint findings = 0;
	gint64 t0;
	gdouble secs;

	if (parser == NULL)
		g_error ("%s", error->message);
	lines = read_lines (notes, &bytes);
	n = g_strv_length (lines);
	t0 = g_get_monotonic_time ();
	do {
		for (guint i = 0; lines[i] != NULL; i++) {
			g_autoptr (GArray) f
				= sp_parser_parse (parser, lines[i], -1, NULL,
						   SP_PARSER_DEFAULT_MAX_BYTES, NULL, NULL);
			findings += f->len;
		}
		reps++;
		secs = (gdouble)(g_get_monotonic_time () - t0) / G_USEC_PER_SEC;
	} while (secs < MIN_SECONDS);
	printf ("parse_notes=%u\nparse_bytes=%" G_GSIZE_FORMAT
		"\nparse_findings=%u\nparse_notes_per_s=%.0f\nparse_mb_per_s=%.3f\n",
		n, bytes, findings / reps, n * reps / secs, bytes * reps / secs / 1e6);
	return EXIT_SUCCESS;
}

int
main (int argc, char **argv)
{
	if (argc == 5 && g_strcmp0 (argv[1], "segment") == 0)
		return bench_segment (argv[2], argv[3], argv[4]);
	if (argc == 4 && g_strcmp0 (argv[1], "parse") == 0)
		return bench_parse (argv[2], argv[3]);
	fprintf (stderr,
		 "usage: bench-nlp segment TRIE TEXT SPANS_OUT | bench-nlp parse DATA_DIR NOTES\n");
	return EXIT_FAILURE;
}
