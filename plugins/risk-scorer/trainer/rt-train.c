/* See rt-train.h. */
#include "rt-train.h"

void
rt_training_free (RtTraining *t)
{
	if (t == NULL)
		return;
	rt_fit_free (t->fit);
	rt_cross_validation_free (t->cv);
	g_free (t);
}

RtTraining *
rt_train (
	const RtData *data, const RtFitOptions *options, guint folds, guint32 seed, GError **error)
{
	g_autoptr (RtTraining) t = g_new0 (RtTraining, 1);
	const gchar *const *names = (const gchar *const *)data->names;
	guint n = data->n_rows, k = data->n_features;
	g_autofree gdouble *lp = g_new (gdouble, n);
	g_autofree gdouble *p = g_new (gdouble, n);

	t->fit = rt_fit_logistic (data->x, data->y, n, k, names, NULL, n, options, error);
	if (t->fit == NULL)
		return NULL;
	for (guint i = 0; i < n; i++) {
		lp[i] = rt_fit_linear_predictor (t->fit, data->x + (gsize)i * k);
		p[i] = rt_logistic (lp[i]);
	}
	t->auc = rt_auc (lp, data->y, n);
	t->brier = rt_brier (p, data->y, n);
	if (!rt_calibration (lp, data->y, n, &t->cal_intercept, &t->cal_slope, error))
		return NULL;
	if (folds >= 2) {
		RtFitOptions fo = *options;
		fo.progress = FALSE; /* one line per fold is enough, from the caller */
		t->cv = rt_cross_validate (data->x, data->y, n, k, names, folds, seed, &fo, error);
		if (t->cv == NULL)
			return NULL;
	}
	return g_steal_pointer (&t);
}
