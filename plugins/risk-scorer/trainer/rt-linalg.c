/* Cholesky and Jacobi for the trainer's information matrix (see rt-linalg.h).  Written here
 * rather than taken from LAPACK: the matrices are tiny, the code is ~150 lines, and the
 * trainer keeps the project's dependency list (all Debian packages, nothing vendored) as is. */
#include "rt-linalg.h"

#include <math.h>
#include <string.h>

gint
rt_cholesky (gdouble *a, guint n, gdouble tol)
{
	for (guint j = 0; j < n; j++) {
		gdouble d = a[j * n + j];
		gdouble orig = d;
		for (guint k = 0; k < j; k++)
			d -= a[j * n + k] * a[j * n + k];
		/* a pivot that lost (almost) all of its diagonal: column j is a combination of
		 * the columns before it */
		if (!(d > tol * fabs (orig)) || !(d > 0))
			return (gint)j;
		d = sqrt (d);
		a[j * n + j] = d;
		for (guint i = j + 1; i < n; i++) {
			gdouble s = a[i * n + j];
			for (guint k = 0; k < j; k++)
				s -= a[i * n + k] * a[j * n + k];
			a[i * n + j] = s / d;
		}
		for (guint i = j + 1; i < n; i++)
			a[j * n + i] = 0;
	}
	return -1;
}

void
rt_cholesky_solve (const gdouble *l, guint n, gdouble *b)
{
	for (guint i = 0; i < n; i++) {
		gdouble s = b[i];
		for (guint k = 0; k < i; k++)
			s -= l[i * n + k] * b[k];
		b[i] = s / l[i * n + i];
	}
	for (guint ii = n; ii-- > 0;) {
		gdouble s = b[ii];
		for (guint k = ii + 1; k < n; k++)
			s -= l[k * n + ii] * b[k];
		b[ii] = s / l[ii * n + ii];
	}
}

void
rt_cholesky_inverse (const gdouble *l, guint n, gdouble *inv)
{
	g_autofree gdouble *col = g_new (gdouble, n);
	for (guint j = 0; j < n; j++) {
		memset (col, 0, n * sizeof (gdouble));
		col[j] = 1;
		rt_cholesky_solve (l, n, col);
		for (guint i = 0; i < n; i++)
			inv[i * n + j] = col[i];
	}
}

static void
jacobi_rotate (gdouble *m, gdouble *v, guint n, guint p, guint q)
{
	gdouble apq = m[p * n + q];
	gdouble theta = (m[q * n + q] - m[p * n + p]) / (2 * apq);
	gdouble t = (theta >= 0 ? 1 : -1) / (fabs (theta) + sqrt (theta * theta + 1));
	gdouble c = 1 / sqrt (t * t + 1);
	gdouble s = t * c;

	for (guint k = 0; k < n; k++) {
		gdouble mkp = m[k * n + p], mkq = m[k * n + q];
		m[k * n + p] = c * mkp - s * mkq;
		m[k * n + q] = s * mkp + c * mkq;
	}
	for (guint k = 0; k < n; k++) {
		gdouble mpk = m[p * n + k], mqk = m[q * n + k];
		m[p * n + k] = c * mpk - s * mqk;
		m[q * n + k] = s * mpk + c * mqk;
	}
	for (guint k = 0; k < n; k++) {
		gdouble vkp = v[k * n + p], vkq = v[k * n + q];
		v[k * n + p] = c * vkp - s * vkq;
		v[k * n + q] = s * vkp + c * vkq;
	}
}

void
rt_symmetric_eigen (const gdouble *a, guint n, gdouble *values, gdouble *vectors)
{
	g_autofree gdouble *m = g_memdup2 (a, (gsize)n * n * sizeof (gdouble));

	memset (vectors, 0, (gsize)n * n * sizeof (gdouble));
	for (guint i = 0; i < n; i++)
		vectors[i * n + i] = 1;
	/* cyclic sweeps until the off-diagonal mass is negligible; 50 sweeps is far more than
	 * the handful Jacobi needs for convergence at these sizes */
	for (guint sweep = 0; sweep < 50; sweep++) {
		gdouble off = 0, diag = 0;
		for (guint i = 0; i < n; i++) {
			diag += m[i * n + i] * m[i * n + i];
			for (guint j = i + 1; j < n; j++)
				off += m[i * n + j] * m[i * n + j];
		}
		if (off <= 1e-30 * diag)
			break;
		for (guint p = 0; p < n; p++)
			for (guint q = p + 1; q < n; q++)
				if (m[p * n + q] != 0)
					jacobi_rotate (m, vectors, n, p, q);
	}
	for (guint i = 0; i < n; i++)
		values[i] = m[i * n + i];
	/* ascending order, vectors along */
	for (guint i = 1; i < n; i++) {
		for (guint j = i; j > 0 && values[j - 1] > values[j]; j--) {
			gdouble t = values[j];
			values[j] = values[j - 1];
			values[j - 1] = t;
			for (guint k = 0; k < n; k++) {
				t = vectors[k * n + j];
				vectors[k * n + j] = vectors[k * n + j - 1];
				vectors[k * n + j - 1] = t;
			}
		}
	}
}
