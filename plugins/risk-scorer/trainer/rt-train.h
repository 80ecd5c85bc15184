/* One training run: the fit and every figure the trainer reports about it. */
#pragma once

#include "rt-data.h"
#include "rt-fit.h"
#include "rt-metrics.h"

G_BEGIN_DECLS

typedef struct {
	RtFit *fit;
	gdouble auc;			  /* apparent (on the training rows) */
	gdouble brier;			  /* apparent */
	gdouble cal_intercept, cal_slope; /* apparent recalibration: 0 and 1 for an unpenalised
					     fit, by the likelihood equations */
	RtCrossValidation *cv;		  /* NULL when folds < 2 */
} RtTraining;

void rt_training_free (RtTraining *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtTraining, rt_training_free)

/* Fits @data with @options, then the apparent figures and, when @folds ≥ 2, the stratified
 * cross-validation seeded with @seed. */
RtTraining *rt_train (const RtData *data,
		      const RtFitOptions *options,
		      guint folds,
		      guint32 seed,
		      GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
