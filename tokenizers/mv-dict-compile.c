/*
 * mv-dict-compile — compiles word lists into the Chinese dictionary trie (see README.md).
 *
 *   mv-dict-compile -o OUTPUT INPUT...
 *
 * Each INPUT is UTF-8 text, one word per line: `WORD [FREQUENCY [TAG]]`, separated by spaces
 * or tabs; blank lines and lines starting with '#' are skipped; a missing frequency counts as
 * 1.  A word in a later INPUT replaces the same word in an earlier one, which is how a
 * domain lexicon overrides the general dictionary.  Words that are not 1 to 32 Han characters
 * after normalisation are skipped (and counted).
 */
#define G_LOG_DOMAIN "mv-dict-compile"

#include <glib.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "mv-zh-dict.h"

static gboolean
mv_dict_compile_add_file (MvZhDictBuilder *builder, const gchar *path, GError **error)
{
	g_autofree gchar *contents = NULL;
	gsize length = 0;
	gchar *next = NULL;
	guint added = 0;
	guint skipped = 0;
	guint lineno = 0;

	if (!g_file_get_contents (path, &contents, &length, error))
		return FALSE;
	if (!g_utf8_validate_len (contents, length, NULL)) {
		g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: not valid UTF-8", path);
		return FALSE;
	}
	/* Lines are cut in place with memchr rather than g_strsplit: under ASan every strstr()
	 * re-scans the rest of the file, which made jieba's 5 MB dictionary take many minutes. */
	for (gchar *start = contents; start != NULL && start < contents + length; start = next) {
		g_auto (GStrv) fields = NULL;
		gchar *line;
		gdouble freq = 1;
		guint n = 0;

		next = memchr (start, '\n', (gsize)(contents + length - start));
		if (next != NULL)
			*next++ = '\0';
		lineno++;
		line = g_strstrip (start);

		if (line[0] == '\0' || line[0] == '#')
			continue;
		fields = g_strsplit_set (line, " \t", -1);
		for (guint k = 0; fields[k] != NULL; k++) {
			if (fields[k][0] != '\0')
				fields[n++] = fields[k];
			else
				g_free (fields[k]);
		}
		fields[n] = NULL;
		if (n >= 2) {
			gchar *endp = NULL;
			freq = g_ascii_strtod (fields[1], &endp);
			if (endp == fields[1] || *endp != '\0' || !(freq >= 0)) {
				g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
					     "%s:%u: frequency '%s' is not a number", path, lineno,
					     fields[1]);
				return FALSE;
			}
		}
		if (mv_zh_dict_builder_add (builder, fields[0], freq))
			added++;
		else
			skipped++;
	}
	g_message ("%s: %u words, %u skipped (not Han characters)", path, added, skipped);
	return TRUE;
}

int
main (int argc, char **argv)
{
	g_autoptr (GOptionContext) context
		= g_option_context_new ("INPUT... — compile a Chinese dictionary trie");
	g_autoptr (MvZhDictBuilder) builder = mv_zh_dict_builder_new ();
	g_autoptr (GBytes) bytes = NULL;
	g_autoptr (GError) error = NULL;
	g_autofree gchar *output = NULL;
	const GOptionEntry entries[] = {
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Trie file to write", "FILE" },
		{ NULL },
	};

	setlocale (LC_ALL, "");
	g_option_context_add_main_entries (context, entries, NULL);
	if (!g_option_context_parse (context, &argc, &argv, &error) || output == NULL || argc < 2) {
		g_printerr ("usage: mv-dict-compile -o OUTPUT INPUT...%s%s\n",
			    error != NULL ? ": " : "", error != NULL ? error->message : "");
		return EXIT_FAILURE;
	}
	for (int i = 1; i < argc; i++) {
		if (!mv_dict_compile_add_file (builder, argv[i], &error)) {
			g_printerr ("mv-dict-compile: %s\n", error->message);
			return EXIT_FAILURE;
		}
	}
	bytes = mv_zh_dict_builder_build (builder);
	if (!g_file_set_contents (output, g_bytes_get_data (bytes, NULL),
				  (gssize)g_bytes_get_size (bytes), &error)) {
		g_printerr ("mv-dict-compile: %s\n", error->message);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
