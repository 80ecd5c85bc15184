/* How well a fitted model discriminates and is calibrated: AUC, Brier score, logistic
 * recalibration, and stratified k-fold cross-validated AUC. */
#pragma once

#include "rt-fit.h"

G_BEGIN_DECLS

/* Area under the ROC curve as the Mann-Whitney statistic: the share of (event, non-event)
 * pairs in which the event scores higher, ties counted half.  NaN without both classes. */
gdouble rt_auc (const gdouble *score, const guint8 *y, guint n);

/* Mean of (p − y)². */
gdouble rt_brier (const gdouble *p, const guint8 *y, guint n);

/* Logistic recalibration: fits logit P(y) = a + b·lp; a is the calibration intercept, b the
 * slope (0 and 1 for a model that is perfectly calibrated on these rows). */
gboolean rt_calibration (const gdouble *lp,
			 const guint8 *y,
			 guint n,
			 gdouble *intercept,
			 gdouble *slope,
			 GError **error);

typedef struct {
	guint folds;
	gdouble *fold_auc;     /* folds values */
	gdouble mean_auc;      /* the cross-validated AUC: mean over the folds */
	gdouble sd_auc;	       /* their standard deviation */
	gdouble *oof_lp;       /* per row: the linear predictor of the model that did not see it */
	gdouble cal_intercept; /* recalibration of the out-of-fold predictions */
	gdouble cal_slope;
} RtCrossValidation;

void rt_cross_validation_free (RtCrossValidation *cv);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtCrossValidation, rt_cross_validation_free)

/* Stratified k-fold: events and non-events are each shuffled with a GRand seeded by @seed
 * and dealt to the folds in turn, so every fold holds both classes in the data's proportion
 * and the same seed gives the same folds on every machine.  Each fold is fitted with
 * @options on the other folds.  Errors: ARGUMENT (fewer events or non-events than folds), and
 * a fold's fit errors, prefixed with the fold. */
RtCrossValidation *rt_cross_validate (const gdouble *x,
				      const guint8 *y,
				      guint n,
				      guint k,
				      const gchar *const *names,
				      guint folds,
				      guint32 seed,
				      const RtFitOptions *options,
				      GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
