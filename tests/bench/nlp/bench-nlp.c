/*
 * bench-nlp — throughput of the Chinese segmenter and of the full symptom parse; the cost of
 * loading the lexicon and of the worst-case answers.
 *
 *   bench-nlp segment TRIE TEXT SPANS_OUT   one line per text; writes each line's Han-word spans
 *                                           (code points "start-end ...") for the agreement check
 *   bench-nlp parse DATA_DIR NOTES          one note per line
 *   bench-nlp load DATA_DIR                 resident set and heap (bench-nlp-mem) taken by
 *                                           sp_parser_new(), and its time
 *   bench-nlp bounded DATA_DIR PLUGIN WORD  a 1 MiB text of WORD repeated: the core parse, and
 *                                           the plugin's Parse called with JSON as the HTTP
 *                                           route calls it (time, answer size)
 *
 * Prints key=value lines for tests/bench/nlp/compare.py.  Each throughput measurement repeats
 * the whole input until at least a second has passed, and reports the rate of the repetitions.
 * bench-nlp-mem is the same program with the heap meter of the parser's tests linked in: it
 * counts every allocation, so the throughput figures come from bench-nlp, which does not.
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sp-parser.h"

#ifdef BENCH_NLP_PLUGIN
#include <gmodule.h>
#include <json-glib/json-glib.h>
#include <medverse/medverse-plugin.h>
#endif
#ifdef BENCH_NLP_HEAP_METER
#include "heap-meter.h"
#endif

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

/* VmRSS of this process in kB, or 0 where /proc is not there. */
static guint64
rss_kb (void)
{
	g_autofree gchar *status = NULL;
	const gchar *line;

	if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
		return 0;
	line = strstr (status, "\nVmRSS:");
	return line != NULL ? g_ascii_strtoull (line + 7, NULL, 10) : 0;
}

static int
bench_load (const gchar *data_dir)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (SpParser) parser = NULL;
	guint64 rss0 = rss_kb ();
	gint64 t0 = g_get_monotonic_time ();
	gint64 heap = -1;
	gint64 heap_peak = -1;

#ifdef BENCH_NLP_HEAP_METER
	if (heap_meter_available ())
		heap_meter_start ();
#endif
	parser = sp_parser_new (data_dir, &error);
	if (parser == NULL)
		g_error ("%s", error->message);
#ifdef BENCH_NLP_HEAP_METER
	if (heap_meter_available ()) {
		heap = heap_meter_current ();
		heap_peak = (gint64)heap_meter_peak ();
	}
#endif
	printf ("load_seconds=%.6f\nload_rss_kb=%" G_GUINT64_FORMAT
		"\nload_heap_bytes=%" G_GINT64_FORMAT "\nload_heap_peak_bytes=%" G_GINT64_FORMAT
		"\nload_concepts=%u\n",
		(gdouble)(g_get_monotonic_time () - t0) / G_USEC_PER_SEC, rss_kb () - rss0, heap,
		heap_peak, sp_parser_get_lexicon (parser)->concepts->len);
	return EXIT_SUCCESS;
}

/* WORD repeated, separated by spaces, up to the default limit of 1 MiB. */
static gchar *
repeated_text (const gchar *word, gsize *len)
{
	GString *s = g_string_sized_new (SP_PARSER_DEFAULT_MAX_BYTES);
	gsize wlen = strlen (word);

	while (s->len + wlen + 1 <= SP_PARSER_DEFAULT_MAX_BYTES) {
		g_string_append_len (s, word, (gssize)wlen);
		g_string_append_c (s, ' ');
	}
	*len = s->len;
	return g_string_free (s, FALSE);
}

#ifdef BENCH_NLP_PLUGIN
/* The plugin's Parse called with a JSON request, as the HTTP route calls it: returns the
 * seconds taken and sets the size of the JSON answer. */
static gdouble
plugin_parse (const gchar *plugin_path, const gchar *data_dir, const gchar *text, gsize *size)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvTestHost) host = NULL;
	g_autoptr (JsonBuilder) b = json_builder_new ();
	g_autoptr (JsonNode) root = NULL;
	g_autofree gchar *request = NULL;
	g_autofree gchar *answer = NULL;
	GModule *module = g_module_open (plugin_path, G_MODULE_BIND_LOCAL);
	gpointer sym = NULL;
	gint64 t0;

	if (module == NULL || !g_module_symbol (module, MV_PLUGIN_ENTRY_SYMBOL, &sym))
		g_error ("%s: %s", plugin_path, g_module_error ());
	host = mv_test_host_new (sym, NULL, data_dir, &error);
	if (host == NULL)
		g_error ("%s", error->message);
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "text");
	json_builder_add_string_value (b, text);
	json_builder_end_object (b);
	root = json_builder_get_root (b);
	request = json_to_string (root, FALSE);
	t0 = g_get_monotonic_time ();
	answer = mv_test_host_call_json (host, "Parse", request, &error);
	if (answer == NULL)
		g_error ("Parse: %s", error->message);
	*size = strlen (answer);
	/* the module stays open: the host's objects may still point into it */
	return (gdouble)(g_get_monotonic_time () - t0) / G_USEC_PER_SEC;
}
#endif

static int
bench_bounded (const gchar *data_dir, const gchar *plugin_path, const gchar *word)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (SpParser) parser = sp_parser_new (data_dir, &error);
	g_autoptr (GArray) findings = NULL;
	gsize len = 0;
	g_autofree gchar *text = repeated_text (word, &len);
	gsize json_bytes = 0;
	gdouble plugin_secs = -1;
	guint mentions = 0;
	gint64 t0;
	gdouble secs;

	if (parser == NULL)
		g_error ("%s", error->message);
	t0 = g_get_monotonic_time ();
	findings = sp_parser_parse (parser, text, (gssize)len, NULL, SP_PARSER_DEFAULT_MAX_BYTES,
				    NULL, &error);
	secs = (gdouble)(g_get_monotonic_time () - t0) / G_USEC_PER_SEC;
	if (findings == NULL)
		g_error ("%s", error->message);
	for (guint i = 0; i < findings->len; i++)
		mentions += g_array_index (findings, SpFinding, i).n_mentions;
#ifdef BENCH_NLP_PLUGIN
	plugin_secs = plugin_parse (plugin_path, data_dir, text, &json_bytes);
#endif
	printf ("bounded_bytes=%" G_GSIZE_FORMAT
		"\nbounded_parse_seconds=%.6f\nbounded_findings=%u\n"
		"bounded_mentions=%u\nbounded_plugin_seconds=%.6f\nbounded_json_bytes="
		"%" G_GSIZE_FORMAT "\n",
		len, secs, findings->len, mentions, plugin_secs, json_bytes);
	return EXIT_SUCCESS;
}

int
main (int argc, char **argv)
{
	if (argc == 5 && g_strcmp0 (argv[1], "segment") == 0)
		return bench_segment (argv[2], argv[3], argv[4]);
	if (argc == 4 && g_strcmp0 (argv[1], "parse") == 0)
		return bench_parse (argv[2], argv[3]);
	if (argc == 3 && g_strcmp0 (argv[1], "load") == 0)
		return bench_load (argv[2]);
	if (argc == 5 && g_strcmp0 (argv[1], "bounded") == 0)
		return bench_bounded (argv[2], argv[3], argv[4]);
	fprintf (stderr,
		 "usage: bench-nlp segment TRIE TEXT SPANS_OUT | bench-nlp parse DATA_DIR "
		 "NOTES | bench-nlp load DATA_DIR | bench-nlp bounded DATA_DIR PLUGIN WORD\n");
	return EXIT_FAILURE;
}
