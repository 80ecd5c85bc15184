/* Small dense symmetric linear algebra for the trainer: Cholesky factorisation, solve and
 * inverse, and the Jacobi eigenvalue method.  Matrices are row-major n×n doubles; n is the
 * number of model terms (tens at most), so clarity wins over blocking. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Factorises the symmetric positive definite @a in place into its lower Cholesky factor L
 * (a = L Lᵀ; the strict upper triangle is zeroed).  A pivot not above @tol times the original
 * diagonal entry means the matrix is singular to working precision: returns that column's
 * index, else -1. */
gint rt_cholesky (gdouble *a, guint n, gdouble tol);

/* Solves L Lᵀ x = b in place in @b with the factor from rt_cholesky(). */
void rt_cholesky_solve (const gdouble *l, guint n, gdouble *b);

/* (L Lᵀ)⁻¹ into @inv (n×n, full symmetric). */
void rt_cholesky_inverse (const gdouble *l, guint n, gdouble *inv);

/* Eigenvalues (ascending, into @values) and eigenvectors (column j of @vectors belongs to
 * values[j]) of the symmetric @a, by cyclic Jacobi rotations; @a is left unchanged. */
void rt_symmetric_eigen (const gdouble *a, guint n, gdouble *values, gdouble *vectors);

G_END_DECLS
