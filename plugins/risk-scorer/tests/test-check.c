/*
 * medverse-risk-check, run as a clinic runs it: the shipped models pass, each broken fixture is
 * refused with its problems at their JSON Pointers, the exit status says which.
 */
#define G_LOG_DOMAIN "test-risk-check"

#include <criterion/criterion.h>
#include <json-glib/json-glib.h>
#include <string.h>

typedef struct {
	gchar *out;
	gchar *err;
	gint status;
} Run;

static void
run_clear (Run *r)
{
	g_free (r->out);
	g_free (r->err);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* argv after the program, NULL-terminated */
static void
run_check (Run *r, const gchar *first, ...)
{
	g_autoptr (GPtrArray) argv = g_ptr_array_new ();
	g_autoptr (GError) error = NULL;
	const gchar *check = g_getenv ("RS_CHECK");
	const gchar *envp[] = { "LANG=C.UTF-8", "LC_ALL=C.UTF-8", NULL };
	va_list ap;

	cr_assert_not_null (check, "RS_CHECK is not set");
	g_ptr_array_add (argv, (gpointer)check);
	va_start (ap, first);
	for (const gchar *a = first; a != NULL; a = va_arg (ap, const gchar *))
		g_ptr_array_add (argv, (gpointer)a);
	va_end (ap);
	g_ptr_array_add (argv, NULL);
	cr_assert (g_spawn_sync (NULL, (gchar **)argv->pdata, (gchar **)envp, 0, NULL, NULL,
				 &r->out, &r->err, &r->status, &error),
		   "%s", error != NULL ? error->message : "");
	r->status = WIFEXITED (r->status) ? WEXITSTATUS (r->status) : -1;
}

static gchar *
data_path (const gchar *name)
{
	return g_build_filename (g_getenv ("RS_TEST_DATA_DIR"), name, NULL);
}

static JsonObject *
file_entry (JsonObject *root, const gchar *base)
{
	JsonArray *files = json_object_get_array_member (root, "files");

	for (guint i = 0; i < json_array_get_length (files); i++) {
		JsonObject *f = json_array_get_object_element (files, i);
		if (g_str_has_suffix (json_object_get_string_member (f, "file"), base))
			return f;
	}
	cr_assert_fail ("no entry for %s", base);
	return NULL;
}

Test (check, shipped_models_pass)
{
	g_auto (Run) r = { 0 };

	run_check (&r, g_getenv ("RS_MODELS_DIR"), NULL);
	cr_assert_eq (r.status, 0, "%s%s", r.out, r.err);
	cr_assert (strstr (r.out, "pce-2013-white-men.json: loads: model pce-2013-white-men 1.0.0, "
				  "8 inputs, 2 worked examples reproduced"),
		   "%s", r.out);
	cr_assert_null (strstr (r.out, "refused"), "%s", r.out);
	/* what the record cannot fill is named, so a clinic knows what to supply */
	cr_assert (strstr (r.out, "not taken from the patient's record: african_american"), "%s",
		   r.out);
}

Test (check, broken_files_listed_with_pointers)
{
	g_autofree gchar *broken = data_path ("broken");
	g_auto (Run) r = { 0 };
	g_autoptr (JsonParser) jp = json_parser_new ();
	JsonObject *root;
	JsonObject *f;
	JsonObject *p;
	JsonArray *problems;

	run_check (&r, "--json", broken, NULL);
	cr_assert_eq (r.status, 1, "%s%s", r.out, r.err);
	cr_assert (json_parser_load_from_data (jp, r.out, -1, NULL), "%s", r.out);
	root = json_node_get_object (json_parser_get_root (jp));
	cr_assert (!json_object_get_boolean_member (root, "ok"));
	cr_assert_eq (json_array_get_length (json_object_get_array_member (root, "files")), 7);

	f = file_entry (root, "broken-unknown-transform.json");
	cr_assert (!json_object_get_boolean_member (f, "loads"));
	cr_assert (!json_object_get_boolean_member (f, "examples_run"));
	p = json_array_get_object_element (json_object_get_array_member (f, "problems"), 0);
	cr_assert_str_eq (json_object_get_string_member (p, "pointer"), "/features/1");
	cr_assert_str_eq (json_object_get_string_member (p, "stage"), "invalid");
	cr_assert_str_eq (json_object_get_string_member (p, "message"),
			  "unknown transform \"log10\"");

	f = file_entry (root, "broken-wrong-sign.json");
	cr_assert (json_object_get_boolean_member (f, "examples_run"));
	p = json_array_get_object_element (json_object_get_array_member (f, "problems"), 0);
	cr_assert_str_eq (json_object_get_string_member (p, "pointer"), "/examples/0");
	cr_assert_str_eq (json_object_get_string_member (p, "stage"), "example");

	f = file_entry (root, "broken-many-problems.json");
	problems = json_object_get_array_member (f, "problems");
	cr_assert_eq (json_array_get_length (problems), 9);
	cr_assert_str_eq (json_object_get_string_member (
				  json_array_get_object_element (problems, 1), "pointer"),
			  "/inputs/2");

	f = file_entry (root, "broken-not-json.json");
	p = json_array_get_object_element (json_object_get_array_member (f, "problems"), 0);
	cr_assert_str_eq (json_object_get_string_member (p, "pointer"), "");
}

/* One good file and one bad: the good one is still reported as loading, the status is 1. */
Test (check, text_report_and_status)
{
	g_autofree gchar *good = data_path ("test-weight-model.json");
	g_autofree gchar *bad = data_path ("broken/broken-missing-unit.json");
	g_auto (Run) r = { 0 };

	run_check (&r, good, bad, NULL);
	cr_assert_eq (r.status, 1);
	cr_assert (strstr (r.out, "test-weight-model.json: loads: model test-weight-model"), "%s",
		   r.out);
	cr_assert (strstr (r.out, "broken-missing-unit.json: refused, 1 problem\n"
				  "  /inputs/1: missing member \"unit\"\n"
				  "  (the worked examples run once these are fixed)"),
		   "%s", r.out);
}

Test (check, same_id_twice_refused)
{
	g_autofree gchar *good = data_path ("test-weight-model.json");
	g_auto (Run) r = { 0 };

	run_check (&r, good, good, NULL);
	cr_assert_eq (r.status, 1);
	cr_assert (strstr (r.out, "/id: id test-weight-model is already the id of"), "%s", r.out);
}

Test (check, chinese_report)
{
	g_autofree gchar *bad = data_path ("broken/broken-missing-unit.json");
	g_auto (Run) r = { 0 };

	run_check (&r, "--lang", "zh", bad, NULL);
	cr_assert_eq (r.status, 1);
	cr_assert (strstr (r.out, "broken-missing-unit.json：被拒绝，1 个问题"), "%s", r.out);
}

Test (check, usage_and_missing_file)
{
	g_auto (Run) none = { 0 };
	g_auto (Run) missing = { 0 };

	run_check (&none, NULL);
	cr_assert_eq (none.status, 2);
	cr_assert (strstr (none.err, "name at least one model file"), "%s", none.err);
	run_check (&missing, "--json", "/nonexistent/x.json", NULL);
	cr_assert_eq (missing.status, 1);
	cr_assert (strstr (missing.out, "\"stage\" : \"file\""), "%s", missing.out);
}
