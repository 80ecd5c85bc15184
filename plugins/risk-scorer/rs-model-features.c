/*
 * risk-scorer core — the features (terms of the linear predictor) and risk categories of a model
 * file: each transform's demands on its input, checked before any score is computed.
 */
#define G_LOG_DOMAIN "risk-scorer"

#include <math.h>

#include "rs-model-private.h"

gint
rs_find_feature (const RsModel *m, const gchar *name)
{
	for (guint i = 0; i < m->features->len; i++) {
		if (g_strcmp0 (((RsFeature *)g_ptr_array_index (m->features, i))->name, name) == 0)
			return (gint)i;
	}
	return -1;
}

static gboolean
rs_parse_transform (const gchar *s, RsTransform *out)
{
	for (guint t = RS_TRANSFORM_LINEAR; t <= RS_TRANSFORM_BAND; t++) {
		if (g_strcmp0 (s, rs_transform_to_string (t)) == 0) {
			*out = t;
			return TRUE;
		}
	}
	return FALSE;
}

/* indicator: boolean inputs give 1 when true (or when "level" is false, when false); category
 * inputs 1 when they equal "level" */
static void
rs_parse_indicator (RsCheck *c, JsonObject *obj, const gchar *path, const RsInput *in, RsFeature *f)
{
	JsonNode *level = rs_member (obj, "level");

	f->level_boolean = TRUE;
	if (in->type == RS_INPUT_BOOLEAN) {
		if (level != NULL && !rs_node_is_boolean (level))
			rs_check_add (c, path,
				      "\"level\" of a boolean indicator must be true or false");
		else if (level != NULL)
			f->level_boolean = json_node_get_boolean (level);
		return;
	}
	if (in->type != RS_INPUT_CATEGORY) {
		rs_check_add (c, path, "indicator needs a boolean or category input");
		return;
	}
	if (!rs_node_is_string (level)) {
		rs_check_add (c, path, "an indicator of a category input needs \"level\"");
		return;
	}
	for (guint i = 0; in->levels != NULL && in->levels[i] != NULL; i++) {
		if (g_strcmp0 (in->levels[i], json_node_get_string (level)) == 0) {
			f->level = i;
			return;
		}
	}
	rs_check_add (c, path, "\"level\" \"%s\" is not one of the input's levels",
		      json_node_get_string (level));
}

static void
rs_parse_spline (RsCheck *c, JsonObject *obj, const gchar *path, RsFeature *f)
{
	JsonArray *knots = rs_get_array (c, obj, path, "knots", TRUE);
	gdouble basis = -1;

	f->knots = g_array_new (FALSE, FALSE, sizeof (gdouble));
	for (guint i = 0; knots != NULL && i < json_array_get_length (knots); i++) {
		JsonNode *k = json_array_get_element (knots, i);
		gdouble v;

		if (!rs_node_is_number (k)) {
			rs_check_add (c, path, "\"knots\" must hold numbers");
			return;
		}
		v = json_node_get_double (k);
		if (f->knots->len > 0
		    && !(v > g_array_index (f->knots, gdouble, f->knots->len - 1)))
			rs_check_add (c, path, "\"knots\" must increase");
		g_array_append_val (f->knots, v);
	}
	if (knots != NULL && f->knots->len < 3)
		rs_check_add (c, path, "a restricted cubic spline needs at least 3 knots");
	if (rs_get_number (c, obj, path, "basis", TRUE, &basis)) {
		if (basis != floor (basis) || basis < 0 || basis > (gdouble)f->knots->len - 2)
			rs_check_add (c, path, "\"basis\" must be an integer from 0 to %d",
				      (gint)f->knots->len - 2);
		else
			f->basis = (guint)basis;
	}
}

static void
rs_parse_band (RsCheck *c, JsonObject *obj, const gchar *path, RsFeature *f)
{
	gboolean has_lower = rs_get_number (c, obj, path, "lower", FALSE, &f->lower);
	gboolean has_upper = rs_get_number (c, obj, path, "upper", FALSE, &f->upper);

	if (!has_lower)
		f->lower = -INFINITY;
	if (!has_upper)
		f->upper = INFINITY;
	if (!has_lower && !has_upper)
		rs_check_add (c, path, "a band needs \"lower\", \"upper\" or both");
	else if (!(f->lower < f->upper))
		rs_check_add (c, path, "a band's \"lower\" must be below its \"upper\"");
}

static void
rs_parse_interaction (
	RsCheck *c, JsonObject *obj, const gchar *path, const RsModel *m, RsFeature *f)
{
	JsonArray *of = rs_get_array (c, obj, path, "of", TRUE);

	f->of = g_array_new (FALSE, FALSE, sizeof (guint));
	if (of == NULL)
		return;
	if (json_array_get_length (of) < 2)
		rs_check_add (c, path, "an interaction needs at least two features in \"of\"");
	if (json_object_has_member (obj, "input"))
		rs_check_add (c, path, "an interaction takes \"of\", not \"input\"");
	for (guint i = 0; i < json_array_get_length (of); i++) {
		JsonNode *n = json_array_get_element (of, i);
		gint idx = rs_node_is_string (n) ? rs_find_feature (m, json_node_get_string (n))
						 : -1;

		if (idx < 0) {
			rs_check_add (c, path, "\"of\" must name features defined before this one");
			continue;
		}
		g_array_append_val (f->of, idx);
	}
}

/* The transform's demands on its input: numbers for the arithmetic ones, a range above 0 for
 * the logarithms (a value of 0 would make the score infinite). */
static void
rs_check_transform_input (
	RsCheck *c, JsonObject *obj, const gchar *path, const RsInput *in, RsFeature *f)
{
	if (f->transform == RS_TRANSFORM_INDICATOR) {
		rs_parse_indicator (c, obj, path, in, f);
		return;
	}
	if (in->type != RS_INPUT_NUMBER) {
		rs_check_add (c, path, "transform \"%s\" needs a number input",
			      rs_transform_to_string (f->transform));
		return;
	}
	if ((f->transform == RS_TRANSFORM_LN || f->transform == RS_TRANSFORM_LN_SQUARED)
	    && !(in->lo > 0))
		rs_check_add (c, path, "transform \"%s\" needs an input whose range lies above 0",
			      rs_transform_to_string (f->transform));
	if (f->transform == RS_TRANSFORM_SPLINE)
		rs_parse_spline (c, obj, path, f);
	if (f->transform == RS_TRANSFORM_BAND)
		rs_parse_band (c, obj, path, f);
}

RsFeature *
rs_parse_feature (RsCheck *c, JsonNode *node, const gchar *path, const RsModel *m)
{
	static const gchar *const allowed[]
		= { "name",  "label", "input", "transform", "coefficient", "level", "of",
		    "knots", "basis", "lower", "upper",	    "description", NULL };
	JsonObject *obj = rs_get_object (c, node, path);
	RsFeature *f = g_new0 (RsFeature, 1);
	const gchar *name;
	const gchar *transform;
	const gchar *input;
	gboolean known;

	f->input = -1;
	if (obj == NULL)
		return f;
	rs_check_members (c, obj, path, allowed);
	name = rs_req_string (c, obj, path, "name");
	if (name != NULL && !rs_name_is_valid (name, FALSE))
		rs_check_add (c, path, "name \"%s\" must match [A-Za-z][A-Za-z0-9_.-]{0,63}", name);
	if (name != NULL && rs_find_feature (m, name) >= 0)
		rs_check_add (c, path, "duplicate feature \"%s\"", name);
	f->name = g_strdup (name);
	rs_get_text (c, obj, path, "label", &f->label);
	rs_get_number (c, obj, path, "coefficient", TRUE, &f->coefficient);
	transform = rs_req_string (c, obj, path, "transform");
	known = transform != NULL && rs_parse_transform (transform, &f->transform);
	if (transform != NULL && !known) {
		rs_check_add (c, path, "unknown transform \"%s\"", transform);
		return f;
	}
	if (!known)
		return f;
	if (f->transform == RS_TRANSFORM_INTERACTION) {
		rs_parse_interaction (c, obj, path, m, f);
		return f;
	}
	input = rs_req_string (c, obj, path, "input");
	if (input == NULL)
		return f;
	f->input = rs_model_find_input (m, input);
	if (f->input < 0) {
		rs_check_add (c, path, "\"input\" \"%s\" is not an input of the model", input);
		return f;
	}
	rs_check_transform_input (c, obj, path, g_ptr_array_index (m->inputs, f->input), f);
	return f;
}

void
rs_parse_categories (RsCheck *c, JsonObject *root, RsModel *m)
{
	static const gchar *const allowed[] = { "id", "below", "label", NULL };
	JsonArray *cats = rs_get_array (c, root, "", "categories", FALSE);
	gdouble last = 0;

	for (guint i = 0; cats != NULL && i < json_array_get_length (cats); i++) {
		g_autofree gchar *path = g_strdup_printf ("/categories/%u", i);
		JsonObject *obj = rs_get_object (c, json_array_get_element (cats, i), path);
		RsCategory *cat;

		if (obj == NULL)
			continue;
		cat = g_new0 (RsCategory, 1);
		g_ptr_array_add (m->categories, cat);
		rs_check_members (c, obj, path, allowed);
		cat->id = g_strdup (rs_req_string (c, obj, path, "id"));
		rs_get_text (c, obj, path, "label", &cat->label);
		if (cat->label.en == NULL) {
			cat->label.en = g_strdup (cat->id);
			cat->label.zh = g_strdup (cat->id);
		}
		if (rs_get_number (c, obj, path, "below", TRUE, &cat->below)) {
			if (!(cat->below > last))
				rs_check_add (c, path,
					      "\"below\" must increase from one category "
					      "to the next and be above 0");
			last = cat->below;
		}
	}
	if (m->categories->len > 0 && !(last > 1.0))
		rs_check_add (c, "/categories",
			      "the last category's \"below\" must exceed 1, so "
			      "that every probability falls in one");
}
