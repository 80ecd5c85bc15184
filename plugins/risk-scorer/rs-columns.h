/*
 * risk-scorer core — scoring many rows at once from columns (the plugin's ScoreColumns): one
 * array per input, one probability, linear predictor and category per row, with no allocation
 * per row.  Gives the probabilities rs_model_score() gives for each row alone, bit for bit
 * (test-risk-scorer-columns).
 */
#pragma once

#include "rs-score.h"

G_BEGIN_DECLS

/* the category of a row that failed, and of every row when the model has no categories */
#define RS_NO_CATEGORY 255

/* One thing wrong with one input in some rows, said once: the rows a list. */
typedef struct {
	RsProblem *problem; /* input, code, messages, unit: what rs_model_score() says for a row */
	GArray *rows;	    /* guint32 row indices (from 0), ascending */
} RsRowsProblem;

typedef struct {
	gsize n_rows;
	gdouble *probability;	   /* n_rows (g_malloc'd); NaN in a row with a problem */
	gdouble *linear_predictor; /* n_rows; NaN in a row with a problem */
	guint8 *category;	   /* n_rows; index into model->categories, or RS_NO_CATEGORY */
	GPtrArray *problems;	   /* of RsRowsProblem: by input in the model's order, then a
				    * row whose values give no finite score (input "inputs") */
	gsize n_failed;		   /* rows with a problem */
} RsColumns;

void rs_columns_free (RsColumns *columns);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsColumns, rs_columns_free)

/**
 * rs_model_score_columns:
 * @model: a loaded model
 * @columns: an a{sv}, input name to a column, all of one length: ad (or ax, ai, au) for a
 *   number input, ab for a boolean, as for a category; av of those values (what JSON gives)
 * @units: (nullable): an a{ss} or a{sv}, number input name to the unit of its whole column
 *   (s), or to one unit a row (as, or av of strings, as long as the columns): accepted units of
 *   the input, matched as rs_model_score() matches them; a column without one is in the
 *   canonical unit, and a row whose unit is not accepted fails alone (unknown-unit, field
 *   "/units/NAME")
 * @max_rows: the most rows accepted
 * @problems: (element-type RsProblem): where every problem of the call as a whole is appended,
 *   each with ->field ("/columns/NAME", "/units/NAME" or "/columns"): an unknown input, a
 *   column of the wrong type or length, a required input without a column, a unit that is not
 *   accepted, more than @max_rows rows
 *
 * Scores every row; a row with a problem (not finite, out of range, an unknown level or unit,
 * an element of the wrong type in an av) gets NaN and %RS_NO_CATEGORY and is listed in the
 * result's problems, and the other rows score.  An input without a column takes its default in
 * every row.
 *
 * Returns: (transfer full) (nullable): the columns, or %NULL when @problems gained any.
 */
RsColumns *rs_model_score_columns (const RsModel *model,
				   GVariant *columns,
				   GVariant *units,
				   gsize max_rows,
				   GPtrArray *problems) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
