/*
 * medverse-plan-check — checks plan rule files and red-flag lists as the plan-generator
 * plugin loads them (plugins/plan-generator/README.md, "Rule files").
 *
 * It uses the plugin's own loader (pg-rules.c), so a file it accepts is a file the daemon
 * loads.  A file whose top-level object has "red_flags" is read as a red-flag list, any other
 * as a rule file; a directory stands for its *.json files.  Each problem is printed as
 * FILE:LINE: /pointer: what.  Exit status: 0 every file loads, 1 a file is refused, 2 bad
 * usage.  The problems are the loader's English texts (what the daemon logs); the tool's own
 * lines follow --lang or the locale.
 */
#define G_LOG_DOMAIN "medverse-plan-check"

#include <json-glib/json-glib.h>
#include <locale.h>
#include <string.h>

#include "pg-rules.h"

static gboolean chinese;
#define TR(en, zh) (chinese ? (zh) : (en))

/* a red-flag list names its list "red_flags"; a file that is not JSON is a rule file to the
 * loader, which then says where the syntax breaks */
static gboolean
is_red_flag_list (const gchar *data, gsize len)
{
	g_autoptr (JsonParser) parser = json_parser_new ();
	JsonNode *root;

	if (!json_parser_load_from_data (parser, data, (gssize)len, NULL))
		return FALSE;
	root = json_parser_get_root (parser);
	return root != NULL && JSON_NODE_HOLDS_OBJECT (root)
	       && json_object_has_member (json_node_get_object (root), "red_flags");
}

static gboolean
check_file (const gchar *path)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *data = NULL;
	g_autofree gchar *base = g_path_get_basename (path);
	g_autoptr (GPtrArray) items = NULL;
	gboolean flags;
	gsize len = 0;

	if (!g_file_get_contents (path, &data, &len, &error)) {
		g_print ("%s: %s\n", base, error->message);
		return FALSE;
	}
	flags = is_red_flag_list (data, len);
	items = flags ? pg_red_flags_parse (data, len, base, &error)
		      : pg_rules_parse (data, len, base, &error);
	if (items == NULL) {
		g_print ("%s\n", error->message);
		g_print (TR ("%s: refused\n", "%s：未通过\n"), base);
		return FALSE;
	}
	g_print (TR ("%s: loads, %u %s\n", "%s：可以加载，%u %s\n"), base, items->len,
		 flags ? TR (items->len == 1 ? "red flag" : "red flags", "个危险信号")
		       : TR (items->len == 1 ? "rule" : "rules", "条规则"));
	return TRUE;
}

static gint
compare_paths (gconstpointer a, gconstpointer b)
{
	return strcmp (*(const gchar *const *)a, *(const gchar *const *)b);
}

static gboolean
check_path (const gchar *path, guint *n_files)
{
	g_autoptr (GDir) dir = NULL;
	g_autoptr (GPtrArray) names = NULL;
	gboolean ok = TRUE;
	const gchar *name;

	if (!g_file_test (path, G_FILE_TEST_IS_DIR)) {
		(*n_files)++;
		return check_file (path);
	}
	dir = g_dir_open (path, 0, NULL);
	names = g_ptr_array_new_with_free_func (g_free);
	while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
		if (g_str_has_suffix (name, ".json"))
			g_ptr_array_add (names, g_build_filename (path, name, NULL));
	}
	g_ptr_array_sort (names, compare_paths);
	for (guint i = 0; i < names->len; i++) {
		(*n_files)++;
		ok &= check_file (g_ptr_array_index (names, i));
	}
	return ok;
}

int
main (int argc, char **argv)
{
	g_autoptr (GOptionContext) options = NULL;
	g_autoptr (GError) error = NULL;
	g_autofree gchar *lang = NULL;
	g_auto (GStrv) paths = NULL;
	const GOptionEntry entries[] = {
		{ "lang", 0, 0, G_OPTION_ARG_STRING, &lang, "en or zh (default: the locale)",
		  "LANG" },
		{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &paths, NULL,
		  "FILE|DIR…" },
		G_OPTION_ENTRY_NULL,
	};
	const gchar *locale;
	gboolean ok = TRUE;
	guint n_files = 0;

	setlocale (LC_ALL, "");
	locale = setlocale (LC_MESSAGES, NULL);
	options = g_option_context_new ("FILE|DIR…");
	g_option_context_set_summary (options, "Checks plan rule files and red-flag lists as the "
					       "plan-generator plugin loads them.");
	g_option_context_add_main_entries (options, entries, NULL);
	if (!g_option_context_parse (options, &argc, &argv, &error) || paths == NULL) {
		g_printerr ("%s\n", error != NULL ? error->message : "no FILE or DIR given");
		return 2;
	}
	chinese = lang != NULL ? g_str_has_prefix (lang, "zh")
			       : locale != NULL && g_str_has_prefix (locale, "zh");
	for (guint i = 0; paths[i] != NULL; i++)
		ok &= check_path (paths[i], &n_files);
	if (n_files == 0) {
		g_printerr (TR ("no .json file found\n", "没有找到 .json 文件\n"));
		return 2;
	}
	return ok ? 0 : 1;
}
