/*
 * risk-scorer core — loading and validating a model file.
 *
 * Validation collects every problem with its JSON Pointer instead of stopping at the first, so
 * whoever writes a clinic's model fixes the file in one round.  A file that validates then runs
 * its worked examples (rs_model_check_examples): a coefficient with the wrong sign or a wrong
 * unit factor shows there, at load, not in a patient's score.
 */
#define G_LOG_DOMAIN "risk-scorer"

#include "rs-model-private.h"

#include <math.h>
#include <string.h>

#include "rs-score.h"

G_DEFINE_QUARK (rs - model - error - quark, rs_model_error)

/* examples without a tolerance: half a unit of the last digit of a probability printed as a
 * percentage with one decimal */
#define RS_DEFAULT_TOLERANCE 0.0005

static void
rs_input_free (RsInput *in)
{
	g_free (in->name);
	g_free (in->label.en);
	g_free (in->label.zh);
	g_free (in->unit);
	for (guint i = 0; in->units != NULL && i < in->units->len; i++)
		g_free (g_array_index (in->units, RsUnit, i).unit);
	g_clear_pointer (&in->units, g_array_unref);
	g_strfreev (in->levels);
	g_free (in);
}

static void
rs_feature_free (RsFeature *f)
{
	g_free (f->name);
	g_free (f->label.en);
	g_free (f->label.zh);
	g_clear_pointer (&f->of, g_array_unref);
	g_clear_pointer (&f->knots, g_array_unref);
	g_free (f);
}

static void
rs_category_free (RsCategory *cat)
{
	g_free (cat->id);
	g_free (cat->label.en);
	g_free (cat->label.zh);
	g_free (cat);
}

void
rs_model_free (RsModel *m)
{
	if (m == NULL)
		return;
	g_free (m->id);
	g_free (m->version);
	g_free (m->title.en);
	g_free (m->title.zh);
	g_free (m->outcome.en);
	g_free (m->outcome.zh);
	g_free (m->population.en);
	g_free (m->population.zh);
	g_clear_pointer (&m->inputs, g_ptr_array_unref);
	g_clear_pointer (&m->features, g_ptr_array_unref);
	g_clear_pointer (&m->categories, g_ptr_array_unref);
	g_free (m->citation_short);
	g_clear_pointer (&m->root, json_node_unref);
	g_free (m->path);
	g_free (m);
}

gint
rs_model_find_input (const RsModel *m, const gchar *name)
{
	for (guint i = 0; i < m->inputs->len; i++) {
		if (g_strcmp0 (((RsInput *)g_ptr_array_index (m->inputs, i))->name, name) == 0)
			return (gint)i;
	}
	return -1;
}

static void
rs_parse_units (RsCheck *c, JsonObject *obj, const gchar *path, RsInput *in)
{
	static const gchar *const allowed[] = { "unit", "factor", "offset", NULL };
	JsonArray *units = rs_get_array (c, obj, path, "units", FALSE);

	in->units = g_array_new (FALSE, TRUE, sizeof (RsUnit));
	for (guint i = 0; units != NULL && i < json_array_get_length (units); i++) {
		g_autofree gchar *sub = g_strdup_printf ("%s/units/%u", path, i);
		JsonObject *u = rs_get_object (c, json_array_get_element (units, i), sub);
		RsUnit unit = { NULL, 1.0, 0.0 };
		const gchar *name;

		if (u == NULL)
			continue;
		rs_check_members (c, u, sub, allowed);
		name = rs_req_string (c, u, sub, "unit");
		if (rs_get_number (c, u, sub, "factor", TRUE, &unit.factor) && unit.factor == 0)
			rs_check_add (c, sub, "\"factor\" must not be 0");
		rs_get_number (c, u, sub, "offset", FALSE, &unit.offset);
		if (name == NULL)
			continue;
		if (g_strcmp0 (name, in->unit) == 0)
			rs_check_add (c, sub, "\"%s\" is already the canonical unit", name);
		for (guint j = 0; j < in->units->len; j++) {
			if (g_strcmp0 (g_array_index (in->units, RsUnit, j).unit, name) == 0)
				rs_check_add (c, sub, "unit \"%s\" listed twice", name);
		}
		unit.unit = g_strdup (name);
		g_array_append_val (in->units, unit);
	}
}

static void
rs_parse_range (RsCheck *c, JsonObject *obj, const gchar *path, RsInput *in)
{
	JsonArray *range = rs_get_array (c, obj, path, "range", FALSE);
	JsonNode *lo;
	JsonNode *hi;

	in->lo = -INFINITY;
	in->hi = INFINITY;
	if (range == NULL)
		return;
	if (json_array_get_length (range) != 2) {
		rs_check_add (c, path, "\"range\" must be [low, high]");
		return;
	}
	lo = json_array_get_element (range, 0);
	hi = json_array_get_element (range, 1);
	if (!rs_node_is_number (lo) || !rs_node_is_number (hi)) {
		rs_check_add (c, path, "\"range\" must hold two numbers");
		return;
	}
	in->lo = json_node_get_double (lo);
	in->hi = json_node_get_double (hi);
	in->has_range = TRUE;
	if (!(in->lo <= in->hi))
		rs_check_add (c, path, "\"range\" is reversed: low is above high");
}

/* The default (required: false) in the input's own terms: checked like a caller's value. */
static void
rs_parse_default (RsCheck *c, JsonObject *obj, const gchar *path, RsInput *in)
{
	JsonNode *def = rs_member (obj, "default");
	JsonNode *req = rs_member (obj, "required");

	if (req != NULL && !rs_node_is_boolean (req))
		rs_check_add (c, path, "\"required\" must be true or false");
	in->required = req == NULL || !rs_node_is_boolean (req) || json_node_get_boolean (req);
	if (def == NULL) {
		if (!in->required)
			rs_check_add (c, path, "an input that is not required needs a \"default\"");
		return;
	}
	if (in->required) {
		rs_check_add (c, path, "a required input cannot have a \"default\"");
		return;
	}
	in->has_default = TRUE;
	if (in->type == RS_INPUT_NUMBER) {
		if (!rs_node_is_number (def))
			rs_check_add (c, path, "\"default\" must be a number");
		else if (json_node_get_double (def) < in->lo || json_node_get_double (def) > in->hi)
			rs_check_add (c, path, "\"default\" lies outside \"range\"");
		else
			in->default_value.number = json_node_get_double (def);
	} else if (in->type == RS_INPUT_BOOLEAN) {
		if (!rs_node_is_boolean (def))
			rs_check_add (c, path, "\"default\" must be true or false");
		else
			in->default_value.boolean = json_node_get_boolean (def);
	} else if (!rs_node_is_string (def) || in->levels == NULL
		   || !g_strv_contains ((const gchar *const *)in->levels,
					json_node_get_string (def))) {
		rs_check_add (c, path, "\"default\" must be one of \"levels\"");
	} else {
		for (guint i = 0; in->levels[i] != NULL; i++) {
			if (g_strcmp0 (in->levels[i], json_node_get_string (def)) == 0)
				in->default_value.level = i;
		}
	}
}

static void
rs_parse_levels (RsCheck *c, JsonObject *obj, const gchar *path, RsInput *in)
{
	JsonArray *levels = rs_get_array (c, obj, path, "levels", TRUE);
	g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
	g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

	if (levels == NULL)
		return;
	if (json_array_get_length (levels) == 0)
		rs_check_add (c, path, "\"levels\" must not be empty");
	for (guint i = 0; i < json_array_get_length (levels); i++) {
		JsonNode *n = json_array_get_element (levels, i);

		if (!rs_node_is_string (n)) {
			rs_check_add (c, path, "\"levels\" must hold strings");
			continue;
		}
		if (!g_hash_table_add (seen, (gpointer)json_node_get_string (n)))
			rs_check_add (c, path, "level \"%s\" listed twice",
				      json_node_get_string (n));
		g_strv_builder_add (b, json_node_get_string (n));
	}
	in->levels = g_strv_builder_end (b);
}

static RsInput *
rs_parse_input (RsCheck *c, JsonNode *node, const gchar *path)
{
	static const gchar *const allowed[]
		= { "name",    "label",	 "type",   "unit",	"units",       "range", "required",
		    "default", "source", "levels", "reference", "description", NULL };
	JsonObject *obj = rs_get_object (c, node, path);
	RsInput *in = g_new0 (RsInput, 1);
	const gchar *name;
	const gchar *type;

	in->lo = -INFINITY;
	in->hi = INFINITY;
	if (obj == NULL)
		return in;
	rs_check_members (c, obj, path, allowed);
	name = rs_req_string (c, obj, path, "name");
	if (name != NULL && !rs_name_is_valid (name, FALSE))
		rs_check_add (c, path, "name \"%s\" must match [A-Za-z][A-Za-z0-9_.-]{0,63}", name);
	in->name = g_strdup (name);
	rs_get_text (c, obj, path, "label", &in->label);
	type = rs_req_string (c, obj, path, "type");
	if (g_strcmp0 (type, "boolean") == 0)
		in->type = RS_INPUT_BOOLEAN;
	else if (g_strcmp0 (type, "category") == 0)
		in->type = RS_INPUT_CATEGORY;
	else if (type != NULL && g_strcmp0 (type, "number") != 0)
		rs_check_add (c, path, "unknown type \"%s\" (number, boolean or category)", type);
	if (in->type == RS_INPUT_NUMBER) {
		in->unit = g_strdup (rs_req_string (c, obj, path, "unit"));
		rs_parse_units (c, obj, path, in);
		rs_parse_range (c, obj, path, in);
		in->has_reference
			= rs_get_number (c, obj, path, "reference", FALSE, &in->reference);
		if (in->has_reference && (in->reference < in->lo || in->reference > in->hi))
			rs_check_add (c, path, "\"reference\" lies outside \"range\"");
	} else {
		const gchar *const numeric[] = { "unit", "units", "range", "reference", NULL };
		for (guint i = 0; numeric[i] != NULL; i++) {
			if (json_object_has_member (obj, numeric[i]))
				rs_check_add (c, path, "\"%s\" belongs to number inputs only",
					      numeric[i]);
		}
	}
	if (in->type == RS_INPUT_CATEGORY)
		rs_parse_levels (c, obj, path, in);
	else if (json_object_has_member (obj, "levels"))
		rs_check_add (c, path, "\"levels\" belongs to category inputs only");
	rs_parse_default (c, obj, path, in);
	/* Describe shows the file: say "required" even where the file leaves it to the default */
	if (!json_object_has_member (obj, "required"))
		json_object_set_boolean_member (obj, "required", TRUE);
	if (rs_member (obj, "source") != NULL)
		rs_get_object (c, rs_member (obj, "source"), path);
	if (in->label.en == NULL) {
		in->label.en = g_strdup (in->name);
		in->label.zh = g_strdup (in->name);
	}
	return in;
}

static void
rs_parse_citation (RsCheck *c, JsonObject *root, RsModel *m)
{
	static const gchar *const allowed[]
		= { "authors", "year", "title", "journal", "volume", "issue",
		    "pages",   "doi",  "where", "url",	   "note",   NULL };
	JsonNode *node = rs_member (root, "citation");
	JsonObject *obj;
	const gchar *authors;
	const gchar *journal;
	gdouble year = 0;

	if (node == NULL)
		return;
	obj = rs_get_object (c, node, "/citation");
	if (obj == NULL)
		return;
	rs_check_members (c, obj, "/citation", allowed);
	authors = rs_req_string (c, obj, "/citation", "authors");
	rs_get_number (c, obj, "/citation", "year", TRUE, &year);
	journal = json_object_has_member (obj, "journal")
			  ? rs_req_string (c, obj, "/citation", "journal")
			  : NULL;
	for (guint i = 0; allowed[i] != NULL; i++) {
		JsonNode *n = rs_member (obj, allowed[i]);
		if (n != NULL && g_strcmp0 (allowed[i], "year") != 0 && !rs_node_is_string (n))
			rs_check_add (c, "/citation", "\"%s\" must be a string", allowed[i]);
	}
	if (authors != NULL)
		m->citation_short = g_strdup_printf ("%s %d%s%s", authors, (gint)year,
						     journal != NULL ? ", " : "",
						     journal != NULL ? journal : "");
}

static void
rs_parse_examples (RsCheck *c, JsonObject *root)
{
	static const gchar *const allowed[]
		= { "inputs", "probability", "tolerance", "source", "note", NULL };
	JsonArray *examples = rs_get_array (c, root, "", "examples", FALSE);

	for (guint i = 0; examples != NULL && i < json_array_get_length (examples); i++) {
		g_autofree gchar *path = g_strdup_printf ("/examples/%u", i);
		JsonObject *obj = rs_get_object (c, json_array_get_element (examples, i), path);
		gdouble p = 0;
		gdouble tol = RS_DEFAULT_TOLERANCE;

		if (obj == NULL)
			continue;
		rs_check_members (c, obj, path, allowed);
		if (rs_member (obj, "inputs") == NULL
		    || !JSON_NODE_HOLDS_OBJECT (rs_member (obj, "inputs")))
			rs_check_add (c, path, "\"inputs\" must be an object");
		if (rs_get_number (c, obj, path, "probability", TRUE, &p) && (p < 0 || p > 1))
			rs_check_add (c, path, "\"probability\" must lie between 0 and 1");
		if (rs_get_number (c, obj, path, "tolerance", FALSE, &tol) && !(tol > 0))
			rs_check_add (c, path, "\"tolerance\" must be above 0");
	}
}

static void
rs_parse_link (RsCheck *c, JsonObject *root, RsModel *m)
{
	const gchar *link = rs_req_string (c, root, "", "link");
	gboolean has_intercept;

	if (g_strcmp0 (link, "cox") == 0)
		m->link = RS_LINK_COX;
	else if (link != NULL && g_strcmp0 (link, "logistic") != 0)
		rs_check_add (c, "/link", "unknown link \"%s\" (logistic or cox)", link);
	has_intercept = rs_get_number (c, root, "", "intercept", m->link == RS_LINK_LOGISTIC,
				       &m->intercept);
	if (m->link == RS_LINK_LOGISTIC) {
		if (json_object_has_member (root, "baseline_survival")
		    || json_object_has_member (root, "mean_linear_predictor"))
			rs_check_add (c, "",
				      "\"baseline_survival\" and \"mean_linear_predictor\" "
				      "belong to cox models only");
		return;
	}
	if (has_intercept && m->intercept != 0)
		rs_check_add (c, "/intercept", "a cox model has no intercept (0 or absent)");
	if (rs_get_number (c, root, "", "baseline_survival", TRUE, &m->baseline_survival)
	    && !(m->baseline_survival > 0 && m->baseline_survival < 1))
		rs_check_add (c, "/baseline_survival", "must lie strictly between 0 and 1");
	rs_get_number (c, root, "", "mean_linear_predictor", TRUE, &m->mean_linear_predictor);
}

static void
rs_parse_inputs_features (RsCheck *c, JsonObject *root, RsModel *m)
{
	JsonArray *inputs = rs_get_array (c, root, "", "inputs", TRUE);
	JsonArray *features = rs_get_array (c, root, "", "features", TRUE);

	if (inputs != NULL && json_array_get_length (inputs) == 0)
		rs_check_add (c, "/inputs", "must not be empty");
	for (guint i = 0; inputs != NULL && i < json_array_get_length (inputs); i++) {
		g_autofree gchar *path = g_strdup_printf ("/inputs/%u", i);
		RsInput *in = rs_parse_input (c, json_array_get_element (inputs, i), path);

		if (in->name != NULL && rs_model_find_input (m, in->name) >= 0)
			rs_check_add (c, path, "duplicate input \"%s\"", in->name);
		g_ptr_array_add (m->inputs, in);
	}
	if (features != NULL && json_array_get_length (features) == 0)
		rs_check_add (c, "/features", "must not be empty");
	for (guint i = 0; features != NULL && i < json_array_get_length (features); i++) {
		g_autofree gchar *path = g_strdup_printf ("/features/%u", i);
		g_ptr_array_add (
			m->features,
			rs_parse_feature (c, json_array_get_element (features, i), path, m));
	}
}

static void
rs_parse_root (RsCheck *c, JsonObject *root, RsModel *m)
{
	static const gchar *const allowed[] = { "$schema",
						"$comment",
						"id",
						"version",
						"title",
						"citation",
						"outcome",
						"horizon_years",
						"population",
						"link",
						"intercept",
						"baseline_survival",
						"mean_linear_predictor",
						"inputs",
						"features",
						"categories",
						"examples",
						"training",
						"notes",
						NULL };
	const gchar *id;

	rs_check_members (c, root, "", allowed);
	id = rs_req_string (c, root, "", "id");
	if (id != NULL && !rs_name_is_valid (id, TRUE))
		rs_check_add (c, "/id", "\"%s\" must match [a-z0-9-]{3,64}", id);
	m->id = g_strdup (id);
	m->version = g_strdup (rs_req_string (c, root, "", "version"));
	if (!json_object_has_member (root, "title"))
		rs_check_add (c, "", "missing member \"title\"");
	rs_get_text (c, root, "", "title", &m->title);
	rs_get_text (c, root, "", "outcome", &m->outcome);
	rs_get_text (c, root, "", "population", &m->population);
	if (rs_get_number (c, root, "", "horizon_years", FALSE, &m->horizon_years)
	    && !(m->horizon_years > 0))
		rs_check_add (c, "/horizon_years", "must be above 0");
	rs_parse_citation (c, root, m);
	rs_parse_link (c, root, m);
	rs_parse_inputs_features (c, root, m);
	rs_parse_categories (c, root, m);
	rs_parse_examples (c, root);
}

void
rs_load_problem_free (RsLoadProblem *p)
{
	if (p == NULL)
		return;
	g_free (p->pointer);
	g_free (p->message);
	g_free (p);
}

const gchar *
rs_load_stage_to_string (RsLoadStage stage)
{
	static const gchar *const names[] = { "file", "invalid", "example" };
	return names[stage];
}

static void
rs_load_problem_add (GPtrArray *problems, RsLoadStage stage, const gchar *pointer, gchar *message)
{
	RsLoadProblem *p = g_new0 (RsLoadProblem, 1);

	p->stage = stage;
	p->pointer = g_strdup (pointer);
	p->message = message;
	g_ptr_array_add (problems, p);
}

/* "/pointer: what; /pointer: what", the root written "/" as a reader expects */
static gchar *
rs_join_problems (GPtrArray *problems)
{
	g_autoptr (GString) s = g_string_new (NULL);

	for (guint i = 0; i < problems->len; i++) {
		const RsLoadProblem *p = g_ptr_array_index (problems, i);
		g_string_append_printf (s, "%s%s: %s", i > 0 ? "; " : "",
					p->pointer[0] != '\0' ? p->pointer : "/", p->message);
	}
	return g_string_free (g_steal_pointer (&s), FALSE);
}

/* One error for the problems of one file: a validation problem outranks a failed example, as
 * the examples run only on a valid file. */
static void
rs_problems_to_error (GPtrArray *problems, const gchar *name, GError **error)
{
	const RsLoadProblem *first = g_ptr_array_index (problems, 0);
	g_autofree gchar *joined = rs_join_problems (problems);
	guint n = problems->len;

	if (first->stage == RS_LOAD_EXAMPLE)
		g_set_error (error, RS_MODEL_ERROR, RS_MODEL_ERROR_EXAMPLE,
			     "%s: %u worked %s failed: %s", name, n,
			     n == 1 ? "example" : "examples", joined);
	else
		g_set_error (error, RS_MODEL_ERROR, RS_MODEL_ERROR_INVALID, "%s: %u %s: %s", name,
			     n, n == 1 ? "problem" : "problems", joined);
}

static gchar *
rs_refused_inputs (GPtrArray *problems)
{
	g_autoptr (GString) s = g_string_new (NULL);

	for (guint j = 0; j < problems->len; j++) {
		RsProblem *p = g_ptr_array_index (problems, j);
		g_string_append_printf (s, "%s%s: %s", j ? ", " : "", p->input, p->message);
	}
	return g_string_free (g_steal_pointer (&s), FALSE);
}

/* Scores each example; every one that fails is a problem at /examples/N. */
static void
rs_run_examples (const RsModel *m, GPtrArray *failures)
{
	JsonObject *root = json_node_get_object (m->root);
	JsonArray *examples = json_object_has_member (root, "examples")
				      ? json_object_get_array_member (root, "examples")
				      : NULL;

	for (guint i = 0; examples != NULL && i < json_array_get_length (examples); i++) {
		JsonObject *ex = json_array_get_object_element (examples, i);
		g_autoptr (GVariant) inputs = json_gvariant_deserialize (
			json_object_get_member (ex, "inputs"), "a{sv}", NULL);
		g_autoptr (GPtrArray) problems
			= g_ptr_array_new_with_free_func ((GDestroyNotify)rs_problem_free);
		g_autoptr (RsResult) result = NULL;
		g_autofree gchar *pointer = g_strdup_printf ("/examples/%u", i);
		gdouble expected = json_object_get_double_member (ex, "probability");
		gdouble tol = json_object_has_member (ex, "tolerance")
				      ? json_object_get_double_member (ex, "tolerance")
				      : RS_DEFAULT_TOLERANCE;

		if (inputs == NULL) {
			rs_load_problem_add (failures, RS_LOAD_EXAMPLE, pointer,
					     g_strdup ("inputs are not an object of numbers, "
						       "strings and booleans"));
			continue;
		}
		result = rs_model_score (m, inputs, problems);
		if (result == NULL) {
			g_autofree gchar *refused = rs_refused_inputs (problems);
			rs_load_problem_add (failures, RS_LOAD_EXAMPLE, pointer,
					     g_strdup_printf ("inputs refused (%s)", refused));
			continue;
		}
		if (!(fabs (result->probability - expected) <= tol)) /* NaN fails too */
			rs_load_problem_add (
				failures, RS_LOAD_EXAMPLE, pointer,
				g_strdup_printf ("expected probability %.6g ± %.2g, the model "
						 "gives %.6g",
						 expected, tol, result->probability));
	}
}

gboolean
rs_model_check_examples (const RsModel *m, GError **error)
{
	g_autoptr (GPtrArray) failures
		= g_ptr_array_new_with_free_func ((GDestroyNotify)rs_load_problem_free);

	rs_run_examples (m, failures);
	if (failures->len == 0)
		return TRUE;
	rs_problems_to_error (failures, m->path != NULL ? m->path : m->id, error);
	return FALSE;
}

/* Validates @node and runs its examples; %NULL when @problems gained any. */
static RsModel *
rs_model_from_node (JsonNode *node, const gchar *name, GPtrArray *problems)
{
	g_autoptr (RsModel) m = g_new0 (RsModel, 1);
	RsCheck c = { problems };
	guint before = problems->len;

	m->inputs = g_ptr_array_new_with_free_func ((GDestroyNotify)rs_input_free);
	m->features = g_ptr_array_new_with_free_func ((GDestroyNotify)rs_feature_free);
	m->categories = g_ptr_array_new_with_free_func ((GDestroyNotify)rs_category_free);
	m->path = g_strdup (name);
	if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node)) {
		rs_load_problem_add (problems, RS_LOAD_INVALID, "",
				     g_strdup ("a model file must hold one JSON object"));
		return NULL;
	}
	m->root = json_node_ref (node);
	rs_parse_root (&c, json_node_get_object (node), m);
	if (problems->len > before)
		return NULL;
	rs_run_examples (m, problems);
	if (problems->len > before)
		return NULL;
	return g_steal_pointer (&m);
}

static RsModel *
rs_model_parse (const gchar *data, const gchar *name, GPtrArray *problems)
{
	g_autoptr (JsonParser) parser = json_parser_new ();
	g_autoptr (GError) error_local = NULL;

	if (!json_parser_load_from_data (parser, data, -1, &error_local)) {
		rs_load_problem_add (problems, RS_LOAD_INVALID, "",
				     g_strdup_printf ("not valid JSON: %s", error_local->message));
		return NULL;
	}
	return rs_model_from_node (json_parser_get_root (parser), name, problems);
}

RsModel *
rs_model_load_data (const gchar *data, const gchar *name, GError **error)
{
	g_autoptr (GPtrArray) problems
		= g_ptr_array_new_with_free_func ((GDestroyNotify)rs_load_problem_free);
	RsModel *m = rs_model_parse (data, name, problems);

	if (m == NULL)
		rs_problems_to_error (problems, name != NULL ? name : "model", error);
	return m;
}

/* the file's name must be its id + ".json": a clinic's copy of a shipped model cannot pass for
 * another model */
static gboolean
rs_check_file_name (const RsModel *m, const gchar *path, GPtrArray *problems)
{
	g_autofree gchar *base = g_path_get_basename (path);
	g_autofree gchar *expected = g_strconcat (m->id, ".json", NULL);

	if (g_strcmp0 (base, expected) == 0)
		return TRUE;
	rs_load_problem_add (problems, RS_LOAD_INVALID, "/id",
			     g_strdup_printf ("the file must be called %s after its id", expected));
	return FALSE;
}

RsModel *
rs_model_check_file (const gchar *path, GPtrArray *problems)
{
	g_autofree gchar *data = NULL;
	g_autoptr (GError) error_local = NULL;
	g_autoptr (RsModel) m = NULL;

	if (!g_file_get_contents (path, &data, NULL, &error_local)) {
		rs_load_problem_add (problems, RS_LOAD_FILE, "", g_strdup (error_local->message));
		return NULL;
	}
	m = rs_model_parse (data, path, problems);
	if (m == NULL || !rs_check_file_name (m, path, problems))
		return NULL;
	return g_steal_pointer (&m);
}

RsModel *
rs_model_load_file (const gchar *path, GError **error)
{
	g_autofree gchar *data = NULL;
	g_autoptr (GPtrArray) problems
		= g_ptr_array_new_with_free_func ((GDestroyNotify)rs_load_problem_free);
	g_autoptr (RsModel) m = NULL;

	if (!g_file_get_contents (path, &data, NULL, error))
		return NULL;
	m = rs_model_parse (data, path, problems);
	if (m == NULL || !rs_check_file_name (m, path, problems)) {
		rs_problems_to_error (problems, path, error);
		return NULL;
	}
	return g_steal_pointer (&m);
}
