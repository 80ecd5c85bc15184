/*
 * risk-scorer plugin — ScoreColumns: many rows with one model, the inputs and the answer as
 * columns (rs-columns.h does the work).  For bulk scoring: a clinic's export of 10,000 patients
 * is one call, answered with three arrays, with no per-row object on either side.
 */
#define G_LOG_DOMAIN "risk-scorer"

#include <string.h>

#include "risk-scorer-private.h"
#include "rs-columns.h"

/* The most rows a call.  The answer of as many rows (two doubles and a byte a row) is some
 * 1.7 MB as a GVariant and about 5 MB as JSON, under the daemon's 8 MiB answer limit; over
 * HTTP, [http] max-body-bytes (1 MiB by default) bounds a request to some 10,000 rows first. */
#define RS_MAX_COLUMN_ROWS 100000

/* an array answer that takes @data (n elements of @size bytes) without copying it */
static GVariant *
rs_take_array (const gchar *type, gpointer data, gsize n, gsize size)
{
	return g_variant_new_from_data (G_VARIANT_TYPE (type), data, n * size, TRUE, g_free, data);
}

/* each per-row problem: field, input, code, message in @lang, unit for a range, rows */
static GVariant *
rs_rows_problems (GPtrArray *problems, RsLang lang)
{
	GVariantBuilder b;

	g_variant_builder_init (&b, G_VARIANT_TYPE ("aa{sv}"));
	for (guint i = 0; i < problems->len; i++) {
		const RsRowsProblem *rp = g_ptr_array_index (problems, i);
		const RsProblem *p = rp->problem;
		GVariantBuilder o;

		g_variant_builder_init (&o, G_VARIANT_TYPE_VARDICT);
		g_variant_builder_add (&o, "{sv}", "field", g_variant_new_string (p->field));
		g_variant_builder_add (&o, "{sv}", "input", g_variant_new_string (p->input));
		g_variant_builder_add (&o, "{sv}", "code", g_variant_new_string (p->code));
		g_variant_builder_add (
			&o, "{sv}", "message",
			g_variant_new_string (lang == RS_LANG_ZH ? p->message_zh : p->message));
		if (p->unit != NULL)
			g_variant_builder_add (&o, "{sv}", "unit", g_variant_new_string (p->unit));
		g_variant_builder_add (&o, "{sv}", "rows",
				       g_variant_new_fixed_array (G_VARIANT_TYPE_UINT32,
								  rp->rows->data, rp->rows->len,
								  sizeof (guint32)));
		g_variant_builder_add_value (&b, g_variant_builder_end (&o));
	}
	return g_variant_builder_end (&b);
}

GVariant *
rs_plugin_score_columns (MvCall *call, GVariant *input, GError **error)
{
	const gchar *id = NULL;
	const gchar *language = NULL;
	g_autoptr (GVariant) columns = NULL;
	g_autoptr (GVariant) units = NULL;
	g_autoptr (GPtrArray) problems
		= g_ptr_array_new_with_free_func ((GDestroyNotify)rs_problem_free);
	g_autoptr (RsColumns) out = NULL;
	GVariantBuilder ids, labels;
	const RsModel *m;
	RsLang lang;
	gsize n;

	g_variant_get (input, "(&s@a{sv}@a{sv}&s)", &id, &columns, &units, &language);
	m = rs_lookup (call, id, error);
	if (m == NULL)
		return NULL;
	out = rs_model_score_columns (m, columns, units, RS_MAX_COLUMN_ROWS, problems);
	if (out == NULL) {
		/* one error listing every problem of the call, each at its member */
		for (guint i = 0; i < problems->len; i++) {
			const RsProblem *p = g_ptr_array_index (problems, i);
			mv_error_add_problem (error, p->field, p->code, p->message, p->message_zh);
		}
		return NULL;
	}
	lang = rs_call_lang (call, language);
	g_variant_builder_init (&ids, G_VARIANT_TYPE_STRING_ARRAY);
	g_variant_builder_init (&labels, G_VARIANT_TYPE_STRING_ARRAY);
	for (guint i = 0; i < m->categories->len; i++) {
		const RsCategory *cat = g_ptr_array_index (m->categories, i);
		g_variant_builder_add (&ids, "s", cat->id);
		g_variant_builder_add (&labels, "s", rs_text_get (&cat->label, lang));
	}
	n = out->n_rows;
	return g_variant_new_tuple (
		(GVariant *[]){
			rs_take_array ("ad", g_steal_pointer (&out->probability), n, 8),
			rs_take_array ("ad", g_steal_pointer (&out->linear_predictor), n, 8),
			rs_take_array ("ay", g_steal_pointer (&out->category), n, 1),
			g_variant_builder_end (&ids),
			g_variant_builder_end (&labels),
			g_variant_new_uint32 ((guint32)out->n_failed),
			rs_rows_problems (out->problems, lang),
		},
		7);
}

const MvArg rs_columns_in[] = {
	{ "model", "s", "A model id, as ListModels gives it", MV_ARG_NONE },
	{ "columns", "a{sv}",
	  "Input name to its column, every column of one length (the rows, at most 100000): "
	  "numbers for a number input (in its canonical unit, or in the column's unit from "
	  "units), true/false for a boolean input, level names for a category input.  An input "
	  "without a column takes its default in every row; a required one is a problem",
	  MV_ARG_NONE },
	{ "units", "a{sv}",
	  "Number input name to the unit of its whole column (a string), or to one unit a row (an "
	  "array as long as the columns, as an export's unit column gives them): accepted units "
	  "of the input (Describe lists them; case ignored when only one matches); a column not "
	  "named here is in the input's canonical unit",
	  MV_ARG_OPTIONAL },
	{ "language", "s",
	  "\"en\" or \"zh\" (or a tag such as zh-CN) for the texts; empty: the caller's locale",
	  MV_ARG_OPTIONAL },
	MV_ARG_END,
};

const MvArg rs_columns_out[] = {
	{ "probability", "ad", "One a row, 0 to 1; null (NaN) in a row with a problem",
	  MV_ARG_NONE },
	{ "linear_predictor", "ad",
	  "One a row (logistic: intercept + sum; cox: the sum before the mean); null (NaN) in a "
	  "row "
	  "with a problem",
	  MV_ARG_NONE },
	{ "category", "ay",
	  "One a row: the index of its category in categories; 255 in a row with a problem, and "
	  "in every row when the model has no categories",
	  MV_ARG_NONE },
	{ "categories", "as", "The model's category ids, in order", MV_ARG_NONE },
	{ "category_labels", "as", "Their labels in the language asked", MV_ARG_NONE },
	{ "failed", "u", "How many rows have a problem", MV_ARG_NONE },
	{ "problems", "aa{sv}",
	  "What is wrong in which rows, each once: field (/columns/NAME), input, code "
	  "(wrong-type, not-finite, out-of-range, unknown-level; input \"inputs\": no finite "
	  "score), message in the language asked, unit (for a range), rows (ascending, from 0)",
	  MV_ARG_NONE },
	MV_ARG_END,
};
