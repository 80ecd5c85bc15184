/* Logistic regression by iteratively reweighted least squares, as R's glm.fit does it
 * (same start, same convergence rule), with an optional L2 penalty on the slopes, and clear
 * errors for separation and collinearity instead of numbers that mean nothing. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
	gdouble l2;	 /* λ ≥ 0: maximises loglik − (λ/2) Σ βj² over the slopes (not the
			    intercept), in the columns' own units */
	guint max_iter;	 /* 25, as glm.control() */
	gdouble epsilon; /* 1e-8: stop when |dev − dev_old| / (|dev| + 0.1) < epsilon */
	gboolean progress;  /* one line per iteration on stderr */
	const gchar *label; /* what the progress lines are about ("fold 3"), or NULL */
} RtFitOptions;

void rt_fit_options_init (RtFitOptions *options);

typedef struct {
	guint n_terms;		  /* 1 + number of features */
	gchar **names;		  /* "intercept", then the feature names; NULL-terminated */
	gdouble *beta;		  /* coefficients, intercept first */
	gdouble *se;		  /* standard errors: sqrt of the diagonal of the inverse
				     (penalised) information matrix */
	gdouble *z;		  /* beta / se */
	gdouble *p;		  /* two-sided p of z under N(0,1) */
	guint iterations;	  /* IRLS iterations until convergence */
	guint n_rows, n_events;	  /* rows fitted, rows with y = 1 */
	gdouble deviance;	  /* −2 loglik at beta (without the penalty) */
	gdouble null_deviance;	  /* −2 loglik of the intercept-only model */
	gdouble aic;		  /* deviance + 2 n_terms */
	gdouble condition_number; /* of the information matrix scaled to unit diagonal */
} RtFit;

void rt_fit_free (RtFit *fit);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtFit, rt_fit_free)

/* Fits y ~ x.  @x is row-major n_rows × k, @names its k column names, @rows the rows to use
 * (NULL: all n_rows; used by cross-validation).  Errors (RT_ERROR): SEPARATION (naming the
 * columns whose coefficients diverge and any single column that separates the outcome),
 * COLLINEAR (naming the columns involved and the condition number), NOT_CONVERGED. */
RtFit *rt_fit_logistic (const gdouble *x,
			const guint8 *y,
			guint n_rows,
			guint k,
			const gchar *const *names,
			const guint *rows,
			guint n_use,
			const RtFitOptions *options,
			GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* The linear predictor intercept + Σ βj xj for one row of k values. */
gdouble rt_fit_linear_predictor (const RtFit *fit, const gdouble *row);

/* 1 / (1 + exp(−lp)) */
gdouble rt_logistic (gdouble lp);

G_END_DECLS
