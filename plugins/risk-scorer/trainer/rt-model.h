/* The model file a fit becomes (issue 12 spec, sections 1 and 4): what the risk-scorer plugin
 * loads, with the training figures under "training". */
#pragma once

#include "rt-data.h"
#include "rt-fit.h"

G_BEGIN_DECLS

typedef struct {
	const gchar *id; /* [a-z0-9-]{3,64} */
	const gchar *title_en, *title_zh;
	const gchar *source_name; /* the CSV's base name, for the citation and population */
	const gchar *outcome, *positive;
	/* the outcome as a phrase ("Incident diabetes"); NULL: "outcome = positive" */
	const gchar *outcome_en, *outcome_zh;
	/* per feature: input labels, NULL entries: the column name */
	const gchar *const *labels_en, *const *labels_zh;
	const gchar *const *units; /* per feature: UCUM unit, NULL entries: "1" */
	const gdouble *cut_points; /* increasing probabilities in (0, 1) */
	guint n_cut_points;
	gdouble l2;
	guint folds; /* 0: no cross-validation, cv_auc left out */
	gdouble auc, brier, cal_intercept, cal_slope, cv_auc;
	const guint *example_rows; /* indexes of kept rows written as worked examples */
	guint n_examples;
	const gchar *date; /* YYYY-MM-DD */
} RtModelInfo;

/* TRUE when @id is a valid model id ([a-z0-9-]{3,64}). */
gboolean rt_model_id_valid (const gchar *id);

/* The model file as pretty-printed JSON. */
gchar *rt_model_to_json (const RtData *data,
			 const RtFit *fit,
			 const RtModelInfo *info) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
