/* AUC, Brier, calibration and cross-validation: see rt-metrics.h. */
#include "rt-metrics.h"

#include "rt-error.h"

#include <math.h>
#include <stdlib.h>

typedef struct {
	gdouble score;
	guint8 y;
} Scored;

static gint
compare_scored (gconstpointer a, gconstpointer b)
{
	gdouble x = ((const Scored *)a)->score, z = ((const Scored *)b)->score;
	return (x > z) - (x < z);
}

gdouble
rt_auc (const gdouble *score, const guint8 *y, guint n)
{
	g_autofree Scored *s = g_new (Scored, n);
	gdouble rank_sum = 0, n1 = 0, n0;

	for (guint i = 0; i < n; i++) {
		s[i].score = score[i];
		s[i].y = y[i];
		n1 += y[i];
	}
	n0 = n - n1;
	if (n1 == 0 || n0 == 0)
		return NAN;
	qsort (s, n, sizeof (Scored), compare_scored);
	/* a run of tied scores shares its mean rank: a tied pair counts one half */
	for (guint i = 0; i < n;) {
		guint j = i;
		gdouble events = 0;
		while (j < n && s[j].score == s[i].score)
			events += s[j++].y;
		rank_sum += events * (i + 1 + j) / 2.0;
		i = j;
	}
	return (rank_sum - n1 * (n1 + 1) / 2) / (n1 * n0);
}

gdouble
rt_brier (const gdouble *p, const guint8 *y, guint n)
{
	gdouble s = 0;
	for (guint i = 0; i < n; i++)
		s += (p[i] - y[i]) * (p[i] - y[i]);
	return s / n;
}

gboolean
rt_calibration (const gdouble *lp,
		const guint8 *y,
		guint n,
		gdouble *intercept,
		gdouble *slope,
		GError **error)
{
	const gchar *const names[] = { "linear_predictor", NULL };
	RtFitOptions options;
	g_autoptr (RtFit) fit = NULL;

	rt_fit_options_init (&options);
	fit = rt_fit_logistic (lp, y, n, 1, names, NULL, n, &options, error);
	if (fit == NULL)
		return FALSE;
	*intercept = fit->beta[0];
	*slope = fit->beta[1];
	return TRUE;
}

void
rt_cross_validation_free (RtCrossValidation *cv)
{
	if (cv == NULL)
		return;
	g_free (cv->fold_auc);
	g_free (cv->oof_lp);
	g_free (cv);
}

/* fold of each row, stratified by outcome */
static guint *
assign_folds (const guint8 *y, guint n, guint folds, guint32 seed)
{
	g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
	g_autofree guint *order = g_new (guint, n);
	guint *fold = g_new (guint, n);
	guint dealt = 0;

	for (guint cls = 0; cls < 2; cls++) {
		guint m = 0;
		for (guint i = 0; i < n; i++)
			if (y[i] == (cls == 0 ? 1 : 0))
				order[m++] = i;
		for (guint i = m; i > 1; i--) {
			guint j = (guint)g_rand_int_range (rand, 0, (gint32)i);
			guint t = order[i - 1];
			order[i - 1] = order[j];
			order[j] = t;
		}
		/* the non-events continue where the events stopped, so fold sizes differ by one
		 * at most */
		for (guint i = 0; i < m; i++)
			fold[order[i]] = dealt++ % folds;
	}
	return fold;
}

static gboolean
fit_fold (const gdouble *x,
	  const guint8 *y,
	  guint n,
	  guint k,
	  const gchar *const *names,
	  const guint *fold,
	  guint f,
	  const RtFitOptions *options,
	  RtCrossValidation *cv,
	  GError **error)
{
	g_autofree guint *train = g_new (guint, n);
	g_autofree gdouble *score = g_new (gdouble, n);
	g_autofree guint8 *ty = g_new (guint8, n);
	g_autofree gchar *label = g_strdup_printf ("%s %u", RT_TR ("fold", "折"), f + 1);
	RtFitOptions fo = *options;
	g_autoptr (RtFit) fit = NULL;
	g_autoptr (GError) local = NULL;
	guint m = 0, t = 0;

	for (guint i = 0; i < n; i++)
		if (fold[i] != f)
			train[m++] = i;
	fo.label = label;
	fit = rt_fit_logistic (x, y, n, k, names, train, m, &fo, &local);
	if (fit == NULL) {
		g_set_error (
			error, RT_ERROR, local->code,
			RT_TR ("cross-validation, fold %u of %u: %s", "交叉验证，第 %u/%u 折：%s"),
			f + 1, cv->folds, local->message);
		return FALSE;
	}
	for (guint i = 0; i < n; i++) {
		if (fold[i] != f)
			continue;
		cv->oof_lp[i] = rt_fit_linear_predictor (fit, x + (gsize)i * k);
		score[t] = cv->oof_lp[i];
		ty[t++] = y[i];
	}
	cv->fold_auc[f] = rt_auc (score, ty, t);
	return TRUE;
}

RtCrossValidation *
rt_cross_validate (const gdouble *x,
		   const guint8 *y,
		   guint n,
		   guint k,
		   const gchar *const *names,
		   guint folds,
		   guint32 seed,
		   const RtFitOptions *options,
		   GError **error)
{
	g_autoptr (RtCrossValidation) cv = g_new0 (RtCrossValidation, 1);
	g_autofree guint *fold = NULL;
	guint events = 0;
	gdouble ss = 0;

	for (guint i = 0; i < n; i++)
		events += y[i];
	if (folds < 2 || events < folds || n - events < folds) {
		g_set_error (
			error, RT_ERROR, RT_ERROR_ARGUMENT,
			RT_TR ("%u-fold cross-validation needs at least %u events and %u "
			       "non-events (there are %u and %u); use fewer --folds",
			       "%u 折交叉验证至少需要 %u 个阳性和 %u 个阴性（实际为 %u 和 %u）；"
			       "请减少 --folds"),
			folds, folds, folds, events, n - events);
		return NULL;
	}
	cv->folds = folds;
	cv->fold_auc = g_new0 (gdouble, folds);
	cv->oof_lp = g_new0 (gdouble, n);
	fold = assign_folds (y, n, folds, seed);
	for (guint f = 0; f < folds; f++)
		if (!fit_fold (x, y, n, k, names, fold, f, options, cv, error))
			return NULL;
	for (guint f = 0; f < folds; f++)
		cv->mean_auc += cv->fold_auc[f] / folds;
	for (guint f = 0; f < folds; f++)
		ss += (cv->fold_auc[f] - cv->mean_auc) * (cv->fold_auc[f] - cv->mean_auc);
	cv->sd_auc = sqrt (ss / (folds - 1));
	if (!rt_calibration (cv->oof_lp, y, n, &cv->cal_intercept, &cv->cal_slope, error))
		return NULL;
	return g_steal_pointer (&cv);
}
