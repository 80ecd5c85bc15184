/*
 * risk-scorer core — scoring one set of inputs with a loaded model: unit conversion, checks,
 * transforms, linear predictor, probability, category, contributions and explanation.
 */
#pragma once

#include "rs-model.h"

G_BEGIN_DECLS

typedef enum {
	RS_LANG_EN,
	RS_LANG_ZH,
} RsLang;

/* "zh", "zh-CN", "zh-Hans"… are Chinese; anything else (or NULL, "") English. */
RsLang rs_lang_from_tag (const gchar *tag);
const gchar *rs_text_get (const RsText *text, RsLang lang);

/* One thing wrong with one input; codes: missing, out-of-range, unknown-unit, wrong-type,
 * not-finite, unknown-input, unknown-level.  The messages never quote the value. */
typedef struct {
	gchar *input;
	gchar *code;
	gchar *message;
	gchar *message_zh;
	gchar *unit;  /* out-of-range: the UCUM code of the range (the messages say it readably) */
	gchar *field; /* NULL, or the JSON Pointer of the member at fault when it is not the input
		       * itself (rs_model_score_columns: "/columns/age", "/units/age") */
} RsProblem;

void rs_problem_free (RsProblem *problem);

/**
 * rs_unit_display:
 *
 * Returns: a UCUM code as a reader writes it: "years" / "岁" for "a", "mmHg" for "mm[Hg]",
 *   "lb" for "[lb_av]", "" for "1"; an unknown code as it is.
 */
const gchar *rs_unit_display (const gchar *ucum, RsLang lang);

typedef struct {
	gdouble probability;
	gdouble linear_predictor; /* logistic: intercept + sum; cox: sum (before the mean) */
	gint category;		  /* index into model->categories, -1 when there are none */
	GArray *values;		  /* RsValue per input, canonical unit */
	GArray *defaulted;	  /* gboolean per input */
	GArray *term_values;	  /* gdouble per feature: the transformed value */
	GArray *contributions;	  /* gdouble per feature: coefficient * term value */
	GArray *effects; /* gdouble per input: LP minus LP with the input at its reference */
} RsResult;

void rs_result_free (RsResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsResult, rs_result_free)

/**
 * rs_model_score:
 * @model: a loaded model
 * @inputs: an a{sv}: name -> number (x, d and the other integer types; canonical unit),
 *   a{sv} {"value": number, "unit": s}, b, or s (a category level)
 * @problems: (element-type RsProblem): where every problem is appended
 *
 * Returns: (transfer full) (nullable): the result, or %NULL when @problems gained any.
 */
RsResult *rs_model_score (const RsModel *model, GVariant *inputs, GPtrArray *problems);

/**
 * rs_model_score_summary:
 *
 * rs_model_score() without the effects (@result's effects are empty): for an answer of
 * probability, category and linear predictor alone, which rs_result_explain() must not be
 * given.
 */
RsResult *rs_model_score_summary (const RsModel *model, GVariant *inputs, GPtrArray *problems);

/**
 * rs_model_score_values:
 * @values: (element-type RsValue): one canonical value per input, already checked
 *
 * The arithmetic alone, for callers that hold checked values (examples, benchmarks).
 */
RsResult *rs_model_score_values (const RsModel *model, const GArray *values);

/**
 * rs_result_explain:
 *
 * Returns: (transfer full): one or two sentences naming the risk, its category and the inputs
 *   that raise it most above their reference values, in @lang.
 */
gchar *rs_result_explain (const RsModel *model, const RsResult *result, RsLang lang);

/**
 * rs_spline_basis:
 *
 * Harrell's restricted cubic spline basis @basis (1 … n_knots - 2; 0 is x itself) at @x,
 * normalised by (t_k - t_1)^2 as Hmisc::rcspline.eval does by default (norm = 2).
 */
gdouble rs_spline_basis (gdouble x, const gdouble *knots, guint n_knots, guint basis);

G_END_DECLS
