/* IRLS for the logistic model: see rt-fit.h.
 *
 * The columns are centred before the fit (the intercept absorbs the shift, so the estimates
 * are the same model, and the information matrix is far better conditioned), and each
 * Cholesky factorisation works on the matrix scaled to unit diagonal.  Start, link limits,
 * deviance and stopping rule are R's glm.fit and binomial() (src/library/stats/src/family.c),
 * so the iterations, the coefficients and the standard errors (from the information matrix of
 * the last iteration, as summary.glm takes them from its last QR) are R's. */
#include "rt-fit.h"

#include "rt-error.h"
#include "rt-linalg.h"

#include <float.h>
#include <math.h>
#include <string.h>

#define RT_THRESH 30.0		/* R's logit link: |eta| beyond this is clamped */
#define RT_COLLINEAR_KAPPA 1e10 /* scaled condition number treated as singular */
#define RT_SEPARATION_STEP 1e-2 /* a further Newton step moving some eta by more: diverging */
#define RT_CHOLESKY_TOL 1e-12

typedef struct {
	guint n, k, p;	    /* rows, features, terms (k + 1) */
	gdouble *xc;	    /* n × k centred features */
	gdouble *y;	    /* n outcomes as 0/1 */
	gdouble *mean, *sd; /* per feature */
	gdouble *eta, *mu;  /* n */
	gdouble *a, *s, *b; /* p × p information, its scaled factor, p right side */
	gdouble *beta;	    /* p, centred parametrisation */
	gdouble l2;
	const gchar *const *names;
} Work;

static void
work_clear (Work *w)
{
	g_free (w->xc);
	g_free (w->y);
	g_free (w->mean);
	g_free (w->sd);
	g_free (w->eta);
	g_free (w->mu);
	g_free (w->a);
	g_free (w->s);
	g_free (w->b);
	g_free (w->beta);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Work, work_clear)

void
rt_fit_options_init (RtFitOptions *options)
{
	memset (options, 0, sizeof (*options));
	options->max_iter = 25;
	options->epsilon = 1e-8;
}

void
rt_fit_free (RtFit *fit)
{
	if (fit == NULL)
		return;
	g_strfreev (fit->names);
	g_free (fit->beta);
	g_free (fit->se);
	g_free (fit->z);
	g_free (fit->p);
	g_free (fit);
}

gdouble
rt_logistic (gdouble lp)
{
	return 1 / (1 + exp (-lp));
}

gdouble
rt_fit_linear_predictor (const RtFit *fit, const gdouble *row)
{
	gdouble lp = fit->beta[0];
	for (guint j = 1; j < fit->n_terms; j++)
		lp += fit->beta[j] * row[j - 1];
	return lp;
}

static gdouble
link_inverse (gdouble eta)
{
	gdouble t
		= eta < -RT_THRESH ? DBL_EPSILON : (eta > RT_THRESH ? 1 / DBL_EPSILON : exp (eta));
	return t / (1 + t);
}

static gdouble
mu_eta (gdouble eta)
{
	gdouble opexp = 1 + exp (eta);
	return (eta > RT_THRESH || eta < -RT_THRESH) ? DBL_EPSILON : exp (eta) / (opexp * opexp);
}

static gdouble
deviance (const Work *w)
{
	gdouble dev = 0;
	for (guint i = 0; i < w->n; i++)
		dev += w->y[i] > 0 ? 2 * log (1 / w->mu[i]) : 2 * log (1 / (1 - w->mu[i]));
	return dev;
}

static gdouble
penalty (const Work *w)
{
	gdouble s = 0;
	for (guint j = 1; j < w->p; j++)
		s += w->beta[j] * w->beta[j];
	return w->l2 * s;
}

static void
update_eta (Work *w)
{
	for (guint i = 0; i < w->n; i++) {
		const gdouble *xr = w->xc + (gsize)i * w->k;
		gdouble e = w->beta[0];
		for (guint j = 0; j < w->k; j++)
			e += w->beta[j + 1] * xr[j];
		w->eta[i] = e;
		w->mu[i] = link_inverse (e);
	}
}

/* a = Xᵀ W X + λ I (slopes only); b = Xᵀ W z, the working response z, or Xᵀ (y − mu) − λβ
 * (the score) when @score: the two right sides of IRLS and of one Newton step */
static void
accumulate (Work *w, gboolean score)
{
	guint p = w->p;
	g_autofree gdouble *xr = g_new (gdouble, p);

	memset (w->a, 0, (gsize)p * p * sizeof (gdouble));
	memset (w->b, 0, p * sizeof (gdouble));
	xr[0] = 1;
	for (guint i = 0; i < w->n; i++) {
		gdouble me = mu_eta (w->eta[i]);
		gdouble var = w->mu[i] * (1 - w->mu[i]);
		gdouble wt = me * me / var;
		gdouble rhs
			= score ? w->y[i] - w->mu[i] : wt * (w->eta[i] + (w->y[i] - w->mu[i]) / me);
		memcpy (xr + 1, w->xc + (gsize)i * w->k, w->k * sizeof (gdouble));
		for (guint a = 0; a < p; a++) {
			gdouble wa = wt * xr[a];
			gdouble *row = w->a + (gsize)a * p;
			for (guint c = a; c < p; c++)
				row[c] += wa * xr[c];
			w->b[a] += rhs * xr[a];
		}
	}
	for (guint a = 0; a < p; a++)
		for (guint c = 0; c < a; c++)
			w->a[a * p + c] = w->a[c * p + a];
	for (guint j = 1; j < p; j++) {
		w->a[j * p + j] += w->l2;
		if (score)
			w->b[j] -= w->l2 * w->beta[j];
	}
}

/* s = D^-1/2 a D^-1/2 factorised; returns the failing column or -1 */
static gint
factor_scaled (Work *w)
{
	guint p = w->p;
	for (guint a = 0; a < p; a++)
		for (guint c = 0; c < p; c++)
			w->s[a * p + c]
				= w->a[a * p + c] / sqrt (w->a[a * p + a] * w->a[c * p + c]);
	return rt_cholesky (w->s, p, RT_CHOLESKY_TOL);
}

/* solves a x = rhs with the scaled factor, in place */
static void
solve_scaled (const Work *w, gdouble *rhs)
{
	guint p = w->p;
	for (guint a = 0; a < p; a++)
		rhs[a] /= sqrt (w->a[a * p + a]);
	rt_cholesky_solve (w->s, p, rhs);
	for (guint a = 0; a < p; a++)
		rhs[a] /= sqrt (w->a[a * p + a]);
}

static const gchar *
term_name (const Work *w, guint j)
{
	return j == 0 ? RT_TR ("the intercept", "截距") : w->names[j - 1];
}

static gdouble
condition_number (const Work *w, gdouble *min_vector)
{
	guint p = w->p;
	g_autofree gdouble *scaled = g_new (gdouble, (gsize)p * p);
	g_autofree gdouble *values = g_new (gdouble, p);
	g_autofree gdouble *vectors = g_new (gdouble, (gsize)p * p);

	for (guint a = 0; a < p; a++)
		for (guint c = 0; c < p; c++)
			scaled[a * p + c]
				= w->a[a * p + c] / sqrt (w->a[a * p + a] * w->a[c * p + c]);
	rt_symmetric_eigen (scaled, p, values, vectors);
	for (guint a = 0; min_vector != NULL && a < p; a++)
		min_vector[a] = vectors[a * p + 0];
	return values[0] > 0 ? values[p - 1] / values[0] : INFINITY;
}

static gboolean
work_init (Work *w,
	   const gdouble *x,
	   const guint8 *y,
	   guint k,
	   const gchar *const *names,
	   const guint *rows,
	   guint n_use,
	   GError **error)
{
	w->n = n_use;
	w->k = k;
	w->p = k + 1;
	w->names = names;
	w->xc = g_new (gdouble, (gsize)n_use * k);
	w->y = g_new (gdouble, n_use);
	w->mean = g_new0 (gdouble, k);
	w->sd = g_new0 (gdouble, k);
	w->eta = g_new (gdouble, n_use);
	w->mu = g_new (gdouble, n_use);
	w->a = g_new (gdouble, (gsize)w->p * w->p);
	w->s = g_new (gdouble, (gsize)w->p * w->p);
	w->b = g_new (gdouble, w->p);
	w->beta = g_new0 (gdouble, w->p);
	for (guint i = 0; i < n_use; i++) {
		guint r = rows != NULL ? rows[i] : i;
		memcpy (w->xc + (gsize)i * k, x + (gsize)r * k, k * sizeof (gdouble));
		w->y[i] = y[r];
		for (guint j = 0; j < k; j++)
			w->mean[j] += x[(gsize)r * k + j];
	}
	for (guint j = 0; j < k; j++)
		w->mean[j] /= n_use;
	g_autofree gdouble *spread = g_new0 (gdouble, k); /* largest |x − mean| */
	for (guint i = 0; i < n_use; i++)
		for (guint j = 0; j < k; j++) {
			gdouble *v = w->xc + (gsize)i * k + j;
			*v -= w->mean[j];
			w->sd[j] += *v * *v;
			spread[j] = MAX (spread[j], fabs (*v));
		}
	if (n_use <= w->p) {
		g_set_error (
			error, RT_ERROR, RT_ERROR_VALUE,
			RT_TR ("%u rows are too few for %u terms (the intercept and %u "
			       "columns): more rows than terms are needed",
			       "%u 行数据不足以估计 %u 个参数（截距和 %u 列）：行数须多于参数个数"),
			n_use, w->p, k);
		return FALSE;
	}
	for (guint j = 0; j < k; j++) {
		w->sd[j] = sqrt (w->sd[j] / n_use);
		/* squares of such values overflow or underflow in the information matrix */
		if (spread[j] > 0 && isfinite (w->sd[j])
		    && !(w->sd[j] > 1e-100 && w->sd[j] < 1e100)) {
			g_set_error (error, RT_ERROR, RT_ERROR_VALUE,
				     RT_TR ("column '%s' varies on a scale (values up to %.3g from "
					    "their "
					    "mean) that double precision cannot fit; rescale it",
					    "列“%s”的取值尺度（与均值相差最多 "
					    "%.3g）超出双精度可拟合的范围；"
					    "请重新缩放"),
				     names[j], spread[j]);
			return FALSE;
		}
		if (!isfinite (w->sd[j]) || fabs (w->mean[j]) > 1e100) {
			g_set_error (error, RT_ERROR, RT_ERROR_VALUE,
				     RT_TR ("column '%s' holds values too large to fit in double "
					    "precision; rescale it",
					    "列“%s”的数值过大，超出双精度可拟合的范围；请重新缩放"),
				     names[j]);
			return FALSE;
		}
		if (w->sd[j] == 0) {
			g_set_error (
				error, RT_ERROR, RT_ERROR_COLLINEAR,
				RT_TR ("collinearity: column '%s' is constant, so it cannot be "
				       "told apart from the intercept; leave it out",
				       "共线性：列“%s”是常数，无法与截距区分；请去掉该列"),
				names[j]);
			return FALSE;
		}
	}
	return TRUE;
}

/* The columns of a singular information matrix: either column @failed is a combination of
 * the columns before it (its regression on them, from the leading block), or, given the
 * eigenvector of the smallest eigenvalue, the columns that carry it. */
static void
collinear_error (Work *w, gint failed, gdouble kappa, const gdouble *min_vector, GError **error)
{
	guint p = w->p;
	g_autoptr (GString) cols = g_string_new (NULL);

	if (failed > 0 || min_vector == NULL) {
		guint f = (guint)MAX (failed, 1);
		g_autofree gdouble *c = g_new (gdouble, f);
		for (guint j = 0; j < f; j++)
			c[j] = w->s[f * p + j]; /* L21 row: L11⁻ᵀ applied gives the combination */
		for (guint jj = f; jj-- > 0;) {
			gdouble v = c[jj];
			for (guint m = jj + 1; m < f; m++)
				v -= w->s[m * p + jj] * c[m];
			c[jj] = v / w->s[jj * p + jj];
		}
		for (guint j = 1; j < f; j++)
			if (fabs (c[j]) > 1e-3)
				g_string_append_printf (cols, "%s'%s'", cols->len ? ", " : "",
							term_name (w, j));
		g_set_error (
			error, RT_ERROR, RT_ERROR_COLLINEAR,
			RT_TR ("collinearity: column '%s' is a linear combination of %s "
			       "(the information matrix is singular); leave one of them out",
			       "共线性：列“%s”是 %s 的线性组合（信息矩阵奇异）；请去掉其中一列"),
			term_name (w, f), cols->len ? cols->str : term_name (w, 0));
		return;
	}
	for (guint j = 1; j < p; j++)
		if (fabs (min_vector[j]) >= 0.1)
			g_string_append_printf (cols, "%s'%s'", cols->len ? ", " : "",
						term_name (w, j));
	g_set_error (error, RT_ERROR, RT_ERROR_COLLINEAR,
		     RT_TR ("collinearity: columns %s are nearly linearly dependent (condition "
			    "number %.3g of the scaled information matrix, limit %.0e); leave one "
			    "of them out",
			    "共线性：列 %s 近似线性相关（缩放信息矩阵的条件数为 %.3g，上限 %.0e）；"
			    "请去掉其中一列"),
		     cols->str, kappa, RT_COLLINEAR_KAPPA);
}

/* a single column that separates the outcome on its own, as a hint in the message */
static void
append_single_separator (const Work *w, guint j, GString *msg)
{
	gdouble min1 = INFINITY, max1 = -INFINITY, min0 = INFINITY, max0 = -INFINITY;
	const gchar *name = w->names[j];

	for (guint i = 0; i < w->n; i++) {
		gdouble v = w->xc[(gsize)i * w->k + j] + w->mean[j];
		if (w->y[i] > 0) {
			min1 = MIN (min1, v);
			max1 = MAX (max1, v);
		} else {
			min0 = MIN (min0, v);
			max0 = MAX (max0, v);
		}
	}
	if (max0 < min1 || max1 < min0) {
		gboolean up = max0 < min1;
		g_string_append_printf (
			msg,
			RT_TR ("; '%s' %s %g in every event row and %s %g in every other",
			       "；每个阳性行的“%s” %s %g，其余行 %s %g"),
			name, up ? "≥" : "≤", up ? min1 : max1, up ? "≤" : "≥", up ? max0 : min0);
		return;
	}
	/* quasi-complete: the two classes meet at one value v only */
	if (max0 == min1 && max1 > min1)
		g_string_append_printf (msg,
					RT_TR ("; every row with '%s' > %g is an event",
					       "；“%s” > %g 的行全部为阳性"),
					name, min1);
	if (max0 == min1 && min0 < max0)
		g_string_append_printf (msg,
					RT_TR ("; every row with '%s' < %g is a non-event",
					       "；“%s” < %g 的行全部为阴性"),
					name, max0);
	if (max1 == min0 && min1 < max1)
		g_string_append_printf (msg,
					RT_TR ("; every row with '%s' < %g is an event",
					       "；“%s” < %g 的行全部为阳性"),
					name, max1);
	if (max1 == min0 && max0 > min0)
		g_string_append_printf (msg,
					RT_TR ("; every row with '%s' > %g is a non-event",
					       "；“%s” > %g 的行全部为阴性"),
					name, min0);
}

static void
separation_error (const Work *w, const gdouble *step, GError **error)
{
	g_autoptr (GString) cols = g_string_new (NULL);
	g_autoptr (GString) msg = g_string_new (NULL);
	gdouble top = 0;
	guint certain = 0;

	for (guint i = 0; i < w->n; i++)
		if (w->mu[i] < 1e-6 || w->mu[i] > 1 - 1e-6)
			certain++;
	/* the diverging direction, per column in units of one standard deviation */
	for (guint j = 0; j < w->k && step != NULL; j++)
		top = MAX (top, fabs (step[j + 1]) * w->sd[j]);
	for (guint j = 0; j < w->k && step != NULL; j++)
		if (top > 0 && fabs (step[j + 1]) * w->sd[j] >= 0.05 * top)
			g_string_append_printf (cols, "%s'%s'", cols->len ? ", " : "", w->names[j]);
	g_string_append_printf (
		msg,
		RT_TR ("separation: the outcome is predicted (quasi-)perfectly, %u of %u rows get "
		       "a fitted probability of 0 or 1, and the coefficients of %s grow without "
		       "limit, so no maximum-likelihood estimate exists",
		       "完全或准完全分离：结局被（近乎）完美预测，%u/%u 行的拟合概率为 0 或 1，%s "
		       "的系数无限增大，不存在最大似然估计"),
		certain, w->n, cols->len ? cols->str : RT_TR ("some columns", "某些列"));
	for (guint j = 0; j < w->k; j++)
		append_single_separator (w, j, msg);
	g_string_append (msg, RT_TR (". Leave out or merge those columns, or fit with --l2.",
				     "。请去掉或合并这些列，或使用 --l2 拟合。"));
	g_set_error_literal (error, RT_ERROR, RT_ERROR_SEPARATION, msg->str);
}

/* After the stopping rule: at a true maximum one more Newton step moves nothing; when the
 * outcome is separated the likelihood keeps rising along a direction and each step moves the
 * separated rows' eta by about one unit.  Fitted probabilities at 0 or 1 alone (R's warning)
 * are not the test: a strong but genuine model gives them too, with a finite maximum. */
static gboolean
check_separation (Work *w, gboolean converged, GError **error)
{
	g_autofree gdouble *step = g_new (gdouble, w->p);
	gdouble moved = 0;

	accumulate (w, TRUE);
	if (factor_scaled (w) >= 0) {
		separation_error (w, NULL, error);
		return FALSE;
	}
	memcpy (step, w->b, w->p * sizeof (gdouble));
	solve_scaled (w, step);
	for (guint i = 0; i < w->n; i++) {
		gdouble d = step[0];
		for (guint j = 0; j < w->k; j++)
			d += step[j + 1] * w->xc[(gsize)i * w->k + j];
		moved = MAX (moved, fabs (d));
	}
	if (moved > RT_SEPARATION_STEP) {
		separation_error (w, step, error);
		return FALSE;
	}
	if (!converged) {
		g_set_error (error, RT_ERROR, RT_ERROR_NOT_CONVERGED, "%s",
			     RT_TR ("the fit did not converge in the iteration limit",
				    "拟合在迭代次数上限内未收敛"));
		return FALSE;
	}
	return TRUE;
}

static RtFit *
fit_result (Work *w, guint iterations)
{
	guint p = w->p;
	g_autoptr (RtFit) fit = g_new0 (RtFit, 1);
	g_autofree gdouble *cov = g_new (gdouble, (gsize)p * p);
	gdouble ybar = 0, var0;

	fit->n_terms = p;
	fit->iterations = iterations;
	fit->n_rows = w->n;
	fit->names = g_new0 (gchar *, p + 1);
	fit->names[0] = g_strdup ("intercept");
	for (guint j = 1; j < p; j++)
		fit->names[j] = g_strdup (w->names[j - 1]);
	fit->beta = g_memdup2 (w->beta, p * sizeof (gdouble));
	fit->se = g_new (gdouble, p);
	fit->z = g_new (gdouble, p);
	fit->p = g_new (gdouble, p);
	/* the covariance of the centred parametrisation, unscaled */
	rt_cholesky_inverse (w->s, p, cov);
	for (guint a = 0; a < p; a++)
		for (guint c = 0; c < p; c++)
			cov[a * p + c] /= sqrt (w->a[a * p + a] * w->a[c * p + c]);
	/* back to the columns' own origin: b0 = b0c − Σ bj mj, var(b0) = gᵀ Σ g, g = (1, −m) */
	var0 = cov[0];
	for (guint j = 1; j < p; j++) {
		fit->beta[0] -= w->beta[j] * w->mean[j - 1];
		var0 -= 2 * w->mean[j - 1] * cov[j];
		for (guint c = 1; c < p; c++)
			var0 += w->mean[j - 1] * w->mean[c - 1] * cov[j * p + c];
	}
	for (guint j = 0; j < p; j++) {
		fit->se[j] = sqrt (j == 0 ? var0 : cov[j * p + j]);
		fit->z[j] = fit->beta[j] / fit->se[j];
		fit->p[j] = erfc (fabs (fit->z[j]) / G_SQRT2);
	}
	fit->deviance = deviance (w);
	for (guint i = 0; i < w->n; i++) {
		ybar += w->y[i];
		fit->n_events += w->y[i] > 0;
	}
	ybar /= w->n;
	fit->null_deviance
		= -2 * (fit->n_events * log (ybar) + (w->n - fit->n_events) * log (1 - ybar));
	fit->aic = fit->deviance + 2 * p;
	fit->condition_number = condition_number (w, NULL);
	return g_steal_pointer (&fit);
}

/* One IRLS iteration: weights and working response from the current eta, the weighted least
 * squares solve, the new eta.  Returns FALSE when the matrix cannot be factorised (failing
 * column in @failed). */
static gboolean
irls_step (Work *w, gint *failed)
{
	accumulate (w, FALSE);
	*failed = factor_scaled (w);
	if (*failed >= 0)
		return FALSE;
	memcpy (w->beta, w->b, w->p * sizeof (gdouble));
	solve_scaled (w, w->beta);
	update_eta (w);
	return TRUE;
}

RtFit *
rt_fit_logistic (const gdouble *x,
		 const guint8 *y,
		 guint n_rows,
		 guint k,
		 const gchar *const *names,
		 const guint *rows,
		 guint n_use,
		 const RtFitOptions *options,
		 GError **error)
{
	g_auto (Work) w = { 0 };
	gdouble dev_old, dev = 0;
	gboolean converged = FALSE;
	guint iter;

	if (rows == NULL)
		n_use = n_rows;
	w.l2 = options->l2;
	if (!work_init (&w, x, y, k, names, rows, n_use, error))
		return NULL;
	/* R's binomial initialize: mustart = (y + 0.5) / 2, eta = logit(mustart) */
	for (guint i = 0; i < w.n; i++) {
		w.eta[i] = w.y[i] > 0 ? log (3.0) : -log (3.0);
		w.mu[i] = link_inverse (w.eta[i]);
	}
	dev_old = deviance (&w);
	for (iter = 1; iter <= options->max_iter; iter++) {
		gint failed;
		if (!irls_step (&w, &failed)) {
			/* at the first iteration every weight is equal: the design itself */
			if (iter == 1)
				collinear_error (&w, failed, INFINITY, NULL, error);
			else
				separation_error (&w, NULL, error);
			return NULL;
		}
		if (iter == 1) {
			g_autofree gdouble *v = g_new (gdouble, w.p);
			gdouble kappa = condition_number (&w, v);
			if (kappa > RT_COLLINEAR_KAPPA) {
				collinear_error (&w, -1, kappa, v, error);
				return NULL;
			}
		}
		dev = deviance (&w) + penalty (&w);
		if (options->progress)
			g_printerr ("medverse-train: %s%s%s %u: %s %.10g\n",
				    options->label ? options->label : "",
				    options->label ? ", " : "", RT_TR ("iteration", "迭代"), iter,
				    w.l2 > 0 ? RT_TR ("penalised deviance", "惩罚偏差")
					     : RT_TR ("deviance", "偏差"),
				    dev);
		if (fabs (dev - dev_old) / (fabs (dev) + 0.1) < options->epsilon) {
			converged = TRUE;
			break;
		}
		dev_old = dev;
	}
	{
		/* the information matrix of the last iteration gives the standard errors, as
		 * summary.glm; check_separation reuses w.a, so it is rebuilt after */
		g_autofree gdouble *a_last = g_memdup2 (w.a, (gsize)w.p * w.p * sizeof (gdouble));
		g_autofree gdouble *s_last = g_memdup2 (w.s, (gsize)w.p * w.p * sizeof (gdouble));
		if (!check_separation (&w, converged, error))
			return NULL;
		memcpy (w.a, a_last, (gsize)w.p * w.p * sizeof (gdouble));
		memcpy (w.s, s_last, (gsize)w.p * w.p * sizeof (gdouble));
	}
	return fit_result (&w, MIN (iter, options->max_iter));
}
