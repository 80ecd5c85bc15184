/*
 * The loader against a plugin directory full of trouble: a corrupt file, a plugin of another ABI
 * version, a shared object without the entry symbol, a plugin whose init fails, a second copy
 * of bmi, and malformed method tables (an invalid type string, a duplicate method name, no
 * methods, a method without a handler).  Each is refused with one log line naming the file and
 * the reason; the daemon comes up and serves the good plugins.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mvt.h"

static const gchar *const good_plugins[] = { "sleepy.so", "liar.so", NULL };
static const gchar *const bad_plugins[] = {
	"bad-abi.so",	 "bad-init.so",	  "noentry.so",	     "bad-type.so",
	"dup-method.so", "no-methods.so", "null-handler.so", NULL,
};

int
main (int argc, char **argv)
{
	MvtOptions options = {
		.good_plugins = good_plugins,
		.bad_plugins = bad_plugins,
		.add_corrupt = TRUE,
		.add_duplicate = TRUE,
	};
	return mvt_main (argc, argv, &options);
}

/* the "refusing plugin" lines naming @file (as the last path component) */
static GPtrArray *
refusals (const gchar *log, const gchar *file)
{
	g_auto (GStrv) lines = g_strsplit (log, "\n", -1);
	g_autofree gchar *needle = g_strdup_printf ("/%s: ", file);
	GPtrArray *found = g_ptr_array_new_with_free_func (g_free);

	for (guint i = 0; lines[i] != NULL; i++) {
		if (strstr (lines[i], "refusing plugin") != NULL
		    && strstr (lines[i], needle) != NULL)
			g_ptr_array_add (found, g_strdup (lines[i]));
	}
	return found;
}

static gchar *
assert_refused_once (const gchar *file)
{
	g_autofree gchar *log = mvt_shared_log ();
	g_autoptr (GPtrArray) lines = refusals (log, file);
	cr_assert_eq (lines->len, 1,
		      "expected one \"refusing plugin …/%s: reason\" line, got %u:\n%s", file,
		      lines->len, log);
	return g_strdup (g_ptr_array_index (lines, 0));
}

static gboolean
contains_ci (const gchar *haystack, const gchar *needle)
{
	g_autofree gchar *h = g_ascii_strdown (haystack, -1);
	g_autofree gchar *n = g_ascii_strdown (needle, -1);
	return strstr (h, n) != NULL;
}

Test (loader, corrupt_refused)
{
	/* the reason is the dynamic loader's own, so the operator sees the file is not an ELF
	 * object at all rather than a plugin that failed a check */
	g_autofree gchar *line = assert_refused_once ("corrupt.so");
	cr_assert (strstr (line, "cannot load") != NULL && contains_ci (line, "ELF header"),
		   "the reason should say the file is not a loadable object: %s", line);
}

Test (loader, invalid_type_string_refused)
{
	g_autofree gchar *line = assert_refused_once ("bad-type.so");
	cr_assert (strstr (line, "invalid type 'a{sv'") != NULL && strstr (line, "Echo") != NULL
			   && strstr (line, "value") != NULL,
		   "the reason should name the method, the argument and the bad type: %s", line);
}

Test (loader, duplicate_method_refused)
{
	g_autofree gchar *line = assert_refused_once ("dup-method.so");
	cr_assert (strstr (line, "duplicate method Twice") != NULL,
		   "the reason should name the duplicated method: %s", line);
}

Test (loader, no_methods_refused)
{
	g_autofree gchar *line = assert_refused_once ("no-methods.so");
	cr_assert (strstr (line, "declares no methods") != NULL, "%s", line);
}

Test (loader, null_handler_refused)
{
	g_autofree gchar *line = assert_refused_once ("null-handler.so");
	cr_assert (strstr (line, "method Hollow has no handler") != NULL,
		   "the reason should name the method without a handler: %s", line);
}

Test (loader, other_abi_refused)
{
	g_autofree gchar *line = assert_refused_once ("bad-abi.so");
	cr_assert (contains_ci (line, "abi") && strstr (line, "999") != NULL,
		   "the reason should name the ABI version: %s", line);
}

Test (loader, no_entry_symbol_refused)
{
	g_autofree gchar *line = assert_refused_once ("noentry.so");
	cr_assert (strstr (line, "mv_plugin_entry") != NULL,
		   "the reason should name the symbol: %s", line);
}

Test (loader, failed_init_refused)
{
	g_autofree gchar *line = assert_refused_once ("bad-init.so");
	cr_assert (strstr (line, "bad-init always fails to start") != NULL,
		   "the reason should carry init's message: %s", line);
}

Test (loader, duplicate_refused)
{
	/* which of the two copies loads first depends on the scan order; exactly one is refused */
	g_autofree gchar *log = mvt_shared_log ();
	g_autoptr (GPtrArray) original = refusals (log, "bmi.so");
	g_autoptr (GPtrArray) copy = refusals (log, "bmi-copy.so");
	const gchar *line;

	cr_assert_eq (original->len + copy->len, 1,
		      "expected one refusal of bmi.so or bmi-copy.so, got %u:\n%s",
		      original->len + copy->len, log);
	line = original->len == 1 ? g_ptr_array_index (original, 0) : g_ptr_array_index (copy, 0);
	cr_assert (contains_ci (line, "duplicate") || contains_ci (line, "already"),
		   "the reason should say the name is taken: %s", line);
	cr_assert (strstr (line, "bmi") != NULL, "%s", line);
}

Test (loader, good_plugins_served)
{
	g_autoptr (MvtResponse) list = mvt_get ("/v1/plugins");
	g_autoptr (MvtResponse) bmi
		= mvt_post_json ("/v1/plugins/bmi/Compute", "{\"weight_kg\":70,\"height_cm\":175}");
	g_autoptr (MvtResponse) sleepy = mvt_post_json ("/v1/plugins/sleepy/Sleep", "{\"ms\":1}");
	g_autoptr (MvtResponse) refused = mvt_post_json ("/v1/plugins/bad-init/Noop", "{}");
	/* a refused plugin is refused whole: not even its well-formed methods are served */
	g_autoptr (MvtResponse) half = mvt_post_json ("/v1/plugins/null-handler/Fine", "{}");
	g_autoptr (GPtrArray) names = g_ptr_array_new ();
	JsonArray *plugins;

	cr_assert_eq (list->status, 200);
	plugins = json_node_get_array (mvt_member (list, "plugins"));
	for (guint i = 0; i < json_array_get_length (plugins); i++)
		g_ptr_array_add (names,
				 (gpointer)json_object_get_string_member (
					 json_array_get_object_element (plugins, i), "name"));
	cr_assert_eq (names->len, 3, "exactly bmi, sleepy and liar: %s", list->body);
	cr_assert (g_ptr_array_find_with_equal_func (names, "bmi", g_str_equal, NULL));
	cr_assert (g_ptr_array_find_with_equal_func (names, "sleepy", g_str_equal, NULL));
	cr_assert (g_ptr_array_find_with_equal_func (names, "liar", g_str_equal, NULL));
	cr_assert_eq (bmi->status, 200, "%s", bmi->body);
	cr_assert_eq (sleepy->status, 200, "%s", sleepy->body);
	mvt_assert_error (refused, 404, "not-found");
	mvt_assert_error (half, 404, "not-found");
}
