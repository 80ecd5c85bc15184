/*
 * medverse-risk-check — checks risk model files as the risk-scorer plugin loads them
 * (docs/risk-models.md, "Checking a model file").
 *
 * It uses the plugin's own loader (rs-model.c), so a file it accepts is a file the daemon
 * loads: every member validated, the worked examples run, the file named after its id.  Each
 * problem is printed with its JSON Pointer into the file.  Exit status: 0 every file loads,
 * 1 a file is refused, 2 bad usage.
 *
 * The problems themselves are the loader's English texts (the same the daemon logs); the
 * tool's own lines follow --lang or the locale.
 */
#define G_LOG_DOMAIN "medverse-risk-check"

#include <locale.h>
#include <string.h>

#include "rs-model.h"

static gboolean chinese;
#define TR(en, zh) (chinese ? (zh) : (en))

typedef struct {
	gchar *path;
	RsModel *model;	     /* NULL when refused */
	GPtrArray *problems; /* RsLoadProblem */
	guint n_examples;
	GPtrArray *no_source; /* input names without a "source": never taken from the record */
} Checked;

static void
checked_free (Checked *c)
{
	g_free (c->path);
	g_clear_pointer (&c->model, rs_model_free);
	g_ptr_array_unref (c->problems);
	g_ptr_array_unref (c->no_source);
	g_free (c);
}

static gint
cmp_str (gconstpointer a, gconstpointer b)
{
	return g_strcmp0 (*(const gchar *const *)a, *(const gchar *const *)b);
}

/* A directory stands for its *.json files, in name order, as the plugin reads it. */
static gboolean
expand_arg (const gchar *arg, GPtrArray *paths, GError **error)
{
	g_autoptr (GDir) dir = NULL;
	g_autoptr (GPtrArray) names = NULL;
	const gchar *name;

	if (!g_file_test (arg, G_FILE_TEST_IS_DIR)) {
		g_ptr_array_add (paths, g_strdup (arg));
		return TRUE;
	}
	dir = g_dir_open (arg, 0, error);
	if (dir == NULL)
		return FALSE;
	names = g_ptr_array_new_with_free_func (g_free);
	while ((name = g_dir_read_name (dir)) != NULL) {
		if (g_str_has_suffix (name, ".json"))
			g_ptr_array_add (names, g_build_filename (arg, name, NULL));
	}
	g_ptr_array_sort (names, cmp_str);
	for (guint i = 0; i < names->len; i++)
		g_ptr_array_add (paths, g_strdup (g_ptr_array_index (names, i)));
	return TRUE;
}

static void
add_problem (Checked *c, const gchar *pointer, gchar *message)
{
	RsLoadProblem *p = g_new0 (RsLoadProblem, 1);

	p->stage = RS_LOAD_INVALID;
	p->pointer = g_strdup (pointer);
	p->message = message;
	g_ptr_array_add (c->problems, p);
}

static Checked *
check_one (const gchar *path, GPtrArray *done)
{
	Checked *c = g_new0 (Checked, 1);
	JsonObject *root;

	c->path = g_strdup (path);
	c->problems = g_ptr_array_new_with_free_func ((GDestroyNotify)rs_load_problem_free);
	c->no_source = g_ptr_array_new_with_free_func (g_free);
	c->model = rs_model_check_file (path, c->problems);
	if (c->model == NULL)
		return c;
	/* the plugin keeps the first file of an id and refuses the next */
	for (guint i = 0; i < done->len; i++) {
		const Checked *other = g_ptr_array_index (done, i);
		if (other->model != NULL && g_strcmp0 (other->model->id, c->model->id) == 0) {
			add_problem (c, "/id",
				     g_strdup_printf ("id %s is already the id of %s; the plugin "
						      "loads only the first",
						      c->model->id, other->path));
			g_clear_pointer (&c->model, rs_model_free);
			return c;
		}
	}
	root = json_node_get_object (c->model->root);
	if (json_object_has_member (root, "examples"))
		c->n_examples
			= json_array_get_length (json_object_get_array_member (root, "examples"));
	{
		JsonArray *inputs = json_object_get_array_member (root, "inputs");
		for (guint i = 0; i < json_array_get_length (inputs); i++) {
			JsonObject *in = json_array_get_object_element (inputs, i);
			if (!json_object_has_member (in, "source"))
				g_ptr_array_add (
					c->no_source,
					g_strdup (json_object_get_string_member (in, "name")));
		}
	}
	return c;
}

static gboolean
has_stage (const Checked *c, RsLoadStage stage)
{
	for (guint i = 0; i < c->problems->len; i++) {
		if (((RsLoadProblem *)g_ptr_array_index (c->problems, i))->stage == stage)
			return TRUE;
	}
	return FALSE;
}

static void
print_text (const Checked *c)
{
	guint n = c->problems->len;

	if (c->model != NULL) {
		if (chinese)
			g_print ("%s：可加载：模型 %s %s，%u 个输入，%u 个算例已复现\n", c->path,
				 c->model->id, c->model->version, c->model->inputs->len,
				 c->n_examples);
		else
			g_print ("%s: loads: model %s %s, %u inputs, %u worked %s reproduced\n",
				 c->path, c->model->id, c->model->version, c->model->inputs->len,
				 c->n_examples, c->n_examples == 1 ? "example" : "examples");
		if (c->no_source->len > 0) {
			g_autoptr (GString) names = g_string_new (NULL);
			for (guint i = 0; i < c->no_source->len; i++)
				g_string_append_printf (names, "%s%s", i > 0 ? ", " : "",
							(const gchar *)c->no_source->pdata[i]);
			g_print ("  %s%s%s\n",
				 TR ("note: without a \"source\", not taken from the patient's "
				     "record",
				     "注意：以下输入没有“source”，不会从患者病历中取值"),
				 TR (": ", "："), names->str);
		}
		return;
	}
	if (chinese)
		g_print ("%s：被拒绝，%u 个问题\n", c->path, n);
	else
		g_print ("%s: refused, %u %s\n", c->path, n, n == 1 ? "problem" : "problems");
	for (guint i = 0; i < n; i++) {
		const RsLoadProblem *p = g_ptr_array_index (c->problems, i);
		g_print ("  %s: %s\n", p->pointer[0] != '\0' ? p->pointer : "/", p->message);
	}
	if (has_stage (c, RS_LOAD_INVALID))
		g_print ("  %s\n", TR ("(the worked examples run once these are fixed)",
				       "（修正以上问题后才会运行算例）"));
}

static void
build_json (JsonBuilder *b, const Checked *c)
{
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "file");
	json_builder_add_string_value (b, c->path);
	json_builder_set_member_name (b, "loads");
	json_builder_add_boolean_value (b, c->model != NULL);
	if (c->model != NULL) {
		json_builder_set_member_name (b, "id");
		json_builder_add_string_value (b, c->model->id);
		json_builder_set_member_name (b, "version");
		json_builder_add_string_value (b, c->model->version);
		json_builder_set_member_name (b, "examples_reproduced");
		json_builder_add_int_value (b, c->n_examples);
		json_builder_set_member_name (b, "inputs_without_source");
		json_builder_begin_array (b);
		for (guint i = 0; i < c->no_source->len; i++)
			json_builder_add_string_value (b, g_ptr_array_index (c->no_source, i));
		json_builder_end_array (b);
	} else {
		json_builder_set_member_name (b, "examples_run");
		json_builder_add_boolean_value (b, !has_stage (c, RS_LOAD_INVALID)
							   && !has_stage (c, RS_LOAD_FILE));
	}
	json_builder_set_member_name (b, "problems");
	json_builder_begin_array (b);
	for (guint i = 0; i < c->problems->len; i++) {
		const RsLoadProblem *p = g_ptr_array_index (c->problems, i);
		json_builder_begin_object (b);
		json_builder_set_member_name (b, "pointer");
		json_builder_add_string_value (b, p->pointer);
		json_builder_set_member_name (b, "stage");
		json_builder_add_string_value (b, rs_load_stage_to_string (p->stage));
		json_builder_set_member_name (b, "message");
		json_builder_add_string_value (b, p->message);
		json_builder_end_object (b);
	}
	json_builder_end_array (b);
	json_builder_end_object (b);
}

static void
print_json (GPtrArray *checked, gboolean ok)
{
	g_autoptr (JsonBuilder) b = json_builder_new ();
	g_autoptr (JsonGenerator) gen = json_generator_new ();
	g_autoptr (JsonNode) root = NULL;
	g_autofree gchar *text = NULL;

	json_builder_begin_object (b);
	json_builder_set_member_name (b, "ok");
	json_builder_add_boolean_value (b, ok);
	json_builder_set_member_name (b, "files");
	json_builder_begin_array (b);
	for (guint i = 0; i < checked->len; i++)
		build_json (b, g_ptr_array_index (checked, i));
	json_builder_end_array (b);
	json_builder_end_object (b);
	root = json_builder_get_root (b);
	json_generator_set_root (gen, root);
	json_generator_set_pretty (gen, TRUE);
	text = json_generator_to_data (gen, NULL);
	g_print ("%s\n", text);
}

static gboolean
wants_chinese (const gchar *lang)
{
	const gchar *const *names = g_get_language_names ();

	if (lang != NULL)
		return g_str_has_prefix (lang, "zh");
	return names[0] != NULL && g_str_has_prefix (names[0], "zh");
}

int
main (int argc, char **argv)
{
	gboolean json = FALSE;
	g_autofree gchar *lang = NULL;
	g_auto (GStrv) args = NULL;
	GOptionEntry entries[]
		= { { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the result as JSON", NULL },
		    { "lang", 0, 0, G_OPTION_ARG_STRING, &lang, "Language of the report: en or zh",
		      "LANG" },
		    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &args, NULL, NULL },
		    { NULL } };
	g_autoptr (GOptionContext) ctx = g_option_context_new (
		"FILE|DIR… - check risk model files as the risk-scorer plugin loads them");
	g_autoptr (GError) error = NULL;
	g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
	g_autoptr (GPtrArray) checked
		= g_ptr_array_new_with_free_func ((GDestroyNotify)checked_free);
	gboolean ok = TRUE;

	setlocale (LC_ALL, "");
	g_option_context_add_main_entries (ctx, entries, NULL);
	if (!g_option_context_parse (ctx, &argc, &argv, &error)) {
		g_printerr ("medverse-risk-check: %s\n", error->message);
		return 2;
	}
	chinese = wants_chinese (lang);
	if (args == NULL || args[0] == NULL) {
		g_printerr ("medverse-risk-check: %s\n",
			    TR ("name at least one model file or directory",
				"请至少指定一个模型文件或目录"));
		return 2;
	}
	for (guint i = 0; args[i] != NULL; i++) {
		if (!expand_arg (args[i], paths, &error)) {
			g_printerr ("medverse-risk-check: %s\n", error->message);
			return 2;
		}
	}
	for (guint i = 0; i < paths->len; i++) {
		Checked *c = check_one (g_ptr_array_index (paths, i), checked);
		ok = ok && c->model != NULL;
		g_ptr_array_add (checked, c);
		if (!json)
			print_text (c);
	}
	/* an empty directory is not a directory of good models: the plugin would load none */
	if (paths->len == 0) {
		ok = FALSE;
		if (!json)
			g_print ("%s\n", TR ("no *.json file found", "未找到 *.json 文件"));
	}
	if (json)
		print_json (checked, ok);
	return ok ? 0 : 1;
}
