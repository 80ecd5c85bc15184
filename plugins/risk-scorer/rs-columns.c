/*
 * risk-scorer core — scoring columns: each input's column read and checked once, each feature's
 * transform applied over a block of rows, the link over the linear predictors.
 *
 * The arithmetic is rs-score.c's, in the same order for each row (intercept, then each feature's
 * coefficient * term + 0.0 in the model's order, the same libm calls), so a row's probability is
 * the one rs_model_score() gives, bit for bit: the core library is built with
 * -ffp-contract=off so neither path fuses a multiply and an add where the other does not.
 * Rows are computed in blocks small enough that a block's terms stay in the cache; nothing is
 * allocated per row.
 */
#define G_LOG_DOMAIN "risk-scorer"

#include "rs-columns.h"

#include <math.h>
#include <string.h>

#include "rs-score-private.h"
#include "rs-view.h"

/* rows a block: a feature's terms of a block take 2 KiB */
#define RS_BLOCK 256

/* what can be wrong with one input in one row */
enum {
	RS_ROW_WRONG_TYPE,
	RS_ROW_NOT_FINITE,
	RS_ROW_OUT_OF_RANGE,
	RS_ROW_UNKNOWN_LEVEL,
	RS_ROW_UNKNOWN_UNIT,
	RS_ROW_KINDS,
};

/* One input's values in every row, canonical: whichever of the three its type uses. */
typedef struct {
	const gdouble *number;
	const guint8 *flag; /* 0 is false, anything else true (as g_variant_get_boolean reads) */
	const guint32 *level;
	gpointer owned;	     /* the buffer the pointer above points into, when it is ours */
	GVariant *given;     /* the caller's column (a reference), or NULL for a default */
	gint unit;	     /* rs_match_unit() of the column's unit: 0 canonical */
	GVariant *row_units; /* as or av: a unit a row, when the units differ by row */
	gboolean named;	     /* the caller named it (its column may have been refused) */
} RsColumn;

typedef struct {
	const RsModel *m;
	gsize n;
	RsColumn *cols;		/* one per input */
	guint8 *bad;		/* one per row: TRUE when the row has a problem */
	RsRowsProblem **groups; /* inputs * RS_ROW_KINDS, then "no finite score"; NULL until used */
} RsJob;

static void
rs_rows_problem_free (RsRowsProblem *p)
{
	rs_problem_free (p->problem);
	g_array_unref (p->rows);
	g_free (p);
}

void
rs_columns_free (RsColumns *c)
{
	if (c == NULL)
		return;
	g_free (c->probability);
	g_free (c->linear_predictor);
	g_free (c->category);
	g_clear_pointer (&c->problems, g_ptr_array_unref);
	g_free (c);
}

static void
rs_job_clear (RsJob *job)
{
	guint n_inputs = job->m->inputs->len;

	for (guint i = 0; job->cols != NULL && i < n_inputs; i++) {
		g_free (job->cols[i].owned);
		g_clear_pointer (&job->cols[i].given, g_variant_unref);
		g_clear_pointer (&job->cols[i].row_units, g_variant_unref);
	}
	g_free (job->cols);
	g_free (job->bad);
	for (guint i = 0; job->groups != NULL && i < n_inputs * RS_ROW_KINDS + 1; i++) {
		if (job->groups[i] != NULL)
			rs_rows_problem_free (job->groups[i]);
	}
	g_free (job->groups);
}

/* ---- problems of the call as a whole ---- */

static void
rs_call_problem (GPtrArray *problems, RsProblem *p, const gchar *arg, const gchar *name)
{
	p->field = name != NULL ? g_strdup_printf ("/%s/%s", arg, name)
				: g_strdup_printf ("/%s", arg);
	g_ptr_array_add (problems, p);
}

static RsProblem *
rs_problem_column_type (const RsInput *in)
{
	if (in->type == RS_INPUT_NUMBER)
		return rs_problem_wrong_type (in, "an array of numbers", "数值数组");
	if (in->type == RS_INPUT_BOOLEAN)
		return rs_problem_wrong_type (in, "an array of true/false", "true/false 数组");
	return rs_problem_wrong_type (in, "an array of strings (the levels)", "字符串数组（取值）");
}

/* Whether @v can be @in's column: typed arrays as D-Bus callers send them, av as JSON gives. */
static gboolean
rs_column_type_ok (const RsInput *in, GVariant *v)
{
	const gchar *t = g_variant_get_type_string (v);

	if (g_str_equal (t, "av"))
		return TRUE;
	if (in->type == RS_INPUT_NUMBER)
		return g_str_equal (t, "ad") || g_str_equal (t, "ax") || g_str_equal (t, "ai")
		       || g_str_equal (t, "au");
	if (in->type == RS_INPUT_BOOLEAN)
		return g_str_equal (t, "ab");
	return g_str_equal (t, "as");
}

/* Every column by its input, checked for its input, type and length; @n: the rows. */
static void
rs_take_columns (RsJob *job, GVariant *columns, gsize max_rows, GPtrArray *problems)
{
	const RsModel *m = job->m;
	gboolean lengths_differ = FALSE;
	gsize longest = 0;
	gboolean first = TRUE;
	GVariantIter iter;
	const gchar *key;
	GVariant *v;

	g_variant_iter_init (&iter, columns);
	while (g_variant_iter_next (&iter, "{&sv}", &key, &v)) {
		gint i = rs_model_find_input (m, key);
		const RsInput *in = i >= 0 ? g_ptr_array_index (m->inputs, i) : NULL;
		/* a key given twice (D-Bus allows it): the first counts, as in Score */
		gboolean again = in != NULL && job->cols[i].named;

		if (g_variant_is_of_type (v, G_VARIANT_TYPE_VARIANT)) {
			GVariant *inner = g_variant_get_variant (v);
			g_variant_unref (v);
			v = inner;
		}
		if (in != NULL)
			job->cols[i].named = TRUE;
		if (in == NULL)
			rs_call_problem (problems, rs_problem_unknown_input (key), "columns", key);
		else if (!again && !rs_column_type_ok (in, v))
			rs_call_problem (problems, rs_problem_column_type (in), "columns", key);
		else if (!again) {
			gsize len = g_variant_n_children (v);

			job->cols[i].given = g_variant_ref (v);
			lengths_differ |= !first && len != job->n;
			if (first)
				job->n = len;
			first = FALSE;
			longest = MAX (longest, len);
		}
		g_variant_unref (v);
	}
	for (guint i = 0; lengths_differ && i < m->inputs->len; i++) {
		const RsInput *in = g_ptr_array_index (m->inputs, i);
		gsize len = job->cols[i].given != NULL ? g_variant_n_children (job->cols[i].given)
						       : 0;

		if (job->cols[i].given == NULL || len == job->n)
			continue;
		rs_call_problem (
			problems,
			rs_problem_new (in->name, "wrong-length",
					g_strdup_printf ("has %" G_GSIZE_FORMAT
							 " rows; the first column has "
							 "%" G_GSIZE_FORMAT,
							 len, job->n),
					g_strdup_printf ("有 %" G_GSIZE_FORMAT
							 " 行，第一列有 %" G_GSIZE_FORMAT " 行",
							 len, job->n)),
			"columns", in->name);
	}
	if (longest > max_rows) {
		rs_call_problem (
			problems,
			rs_problem_new ("columns", "too-long",
					g_strdup_printf ("holds %" G_GSIZE_FORMAT
							 " rows; at most %" G_GSIZE_FORMAT
							 " per call",
							 longest, max_rows),
					g_strdup_printf ("有 %" G_GSIZE_FORMAT
							 " 行，每次最多 %" G_GSIZE_FORMAT " 行",
							 longest, max_rows)),
			"columns", NULL);
	}
	for (guint i = 0; i < m->inputs->len; i++) {
		const RsInput *in = g_ptr_array_index (m->inputs, i);
		if (!job->cols[i].named && !in->has_default)
			rs_call_problem (problems, rs_problem_missing (in->name), "columns",
					 in->name);
	}
}

/* a unit a row (as, or av of strings): its length must be the columns' */
static void
rs_take_row_units (RsJob *job, const RsInput *in, guint i, GVariant *v, GPtrArray *problems)
{
	gsize len = g_variant_n_children (v);

	if (len == job->n) {
		job->cols[i].row_units = g_variant_ref (v);
		return;
	}
	rs_call_problem (
		problems,
		rs_problem_new (in->name, "wrong-length",
				g_strdup_printf ("has %" G_GSIZE_FORMAT
						 " units; the columns have %" G_GSIZE_FORMAT
						 " rows",
						 len, job->n),
				g_strdup_printf ("有 %" G_GSIZE_FORMAT
						 " 个单位，各列有 %" G_GSIZE_FORMAT " 行",
						 len, job->n)),
		"units", in->name);
}

/* @units: a{ss} or a{sv}: name to one unit (s) for the column, or one a row (as, av) */
static void
rs_take_units (RsJob *job, GVariant *units, GPtrArray *problems)
{
	GVariantIter iter;
	const gchar *key;
	GVariant *v;

	if (units == NULL)
		return;
	g_variant_iter_init (&iter, units);
	while (g_variant_iter_next (&iter, "{&s@*}", &key, &v)) {
		gint i = rs_model_find_input (job->m, key);
		const RsInput *in = i >= 0 ? g_ptr_array_index (job->m->inputs, i) : NULL;

		if (g_variant_is_of_type (v, G_VARIANT_TYPE_VARIANT)) {
			GVariant *inner = g_variant_get_variant (v);
			g_variant_unref (v);
			v = inner;
		}
		if (in == NULL)
			rs_call_problem (problems, rs_problem_unknown_input (key), "units", key);
		else if (in->type != RS_INPUT_NUMBER)
			rs_call_problem (
				problems,
				rs_problem_new (key, "wrong-type",
						g_strdup ("only a number input has a unit"),
						g_strdup ("只有数值输入才有单位")),
				"units", key);
		else if (g_variant_is_of_type (v, G_VARIANT_TYPE_STRING)) {
			job->cols[i].unit = rs_match_unit (in, g_variant_get_string (v, NULL));
			if (job->cols[i].unit < 0)
				rs_call_problem (problems, rs_problem_unknown_unit (in), "units",
						 key);
		} else if (g_variant_is_of_type (v, G_VARIANT_TYPE_STRING_ARRAY)
			   || g_variant_is_of_type (v, G_VARIANT_TYPE ("av")))
			rs_take_row_units (job, in, i, v, problems);
		else
			rs_call_problem (problems,
					 rs_problem_wrong_type (
						 in, "a unit, or an array of units (one a row)",
						 "单位，或单位数组（每行一个）"),
					 "units", key);
		g_variant_unref (v);
	}
}

/* ---- problems of single rows ---- */

static RsProblem *
rs_problem_element_type (const RsInput *in)
{
	if (in->type == RS_INPUT_NUMBER)
		return rs_problem_wrong_type (in, "a number", "数值");
	if (in->type == RS_INPUT_BOOLEAN)
		return rs_problem_wrong_type (in, "true or false", "true 或 false");
	return rs_problem_wrong_type (in, "a string (one of the levels)", "字符串（取值之一）");
}

/* @row has problem @kind with input @i (@i = inputs: no finite score) */
static void
rs_row_problem (RsJob *job, guint i, guint kind, gsize row)
{
	const RsInput *in = i < job->m->inputs->len ? g_ptr_array_index (job->m->inputs, i) : NULL;
	RsRowsProblem **slot = &job->groups[i * RS_ROW_KINDS + kind];
	guint32 r = (guint32)row;

	if (*slot == NULL) {
		*slot = g_new0 (RsRowsProblem, 1);
		(*slot)->rows = g_array_new (FALSE, FALSE, sizeof (guint32));
		(*slot)->problem = in == NULL			 ? rs_problem_no_score ()
				   : kind == RS_ROW_WRONG_TYPE	 ? rs_problem_element_type (in)
				   : kind == RS_ROW_NOT_FINITE	 ? rs_problem_not_finite (in)
				   : kind == RS_ROW_OUT_OF_RANGE ? rs_problem_out_of_range (in)
				   : kind == RS_ROW_UNKNOWN_UNIT ? rs_problem_unknown_unit (in)
								 : rs_problem_unknown_level (in);
		(*slot)->problem->field = in == NULL ? g_strdup ("/columns")
					  : kind == RS_ROW_UNKNOWN_UNIT
						  ? g_strdup_printf ("/units/%s", in->name)
						  : g_strdup_printf ("/columns/%s", in->name);
	}
	g_array_append_val ((*slot)->rows, r);
	job->bad[row] = TRUE;
}

/* ---- reading the columns ---- */

/* ---- reading the columns ---- */

/* canonical = given * factor + offset, as rs-score.c converts */
static inline gdouble
rs_convert (const RsUnit *u, gdouble x)
{
	return u != NULL ? x * u->factor + u->offset : x;
}

/* @x, canonical, in row @r of input @i: listed when not finite or out of range */
static inline void
rs_check_number (RsJob *job, const RsInput *in, guint i, gsize r, gdouble x)
{
	if (G_LIKELY (x >= in->lo && x <= in->hi)) /* false for NaN */
		return;
	rs_row_problem (job, i, isfinite (x) ? RS_ROW_OUT_OF_RANGE : RS_ROW_NOT_FINITE, r);
}

/* The units of a number column: one for the column, or one a row (matched once for each run of
 * the same name: an export's unit column repeats itself). */
typedef struct {
	const RsInput *in;
	const RsUnit *column; /* NULL: canonical */
	const gchar **names;  /* a row, or NULL */
	gchar **owned;	      /* the names copied out of an av */
	const gchar *last;
	gint last_match;
} RsUnits;

static void
rs_units_init (RsUnits *u, const RsJob *job, guint i)
{
	const RsColumn *col = &job->cols[i];

	memset (u, 0, sizeof (*u));
	u->in = g_ptr_array_index (job->m->inputs, i);
	if (col->unit > 0)
		u->column = &g_array_index (u->in->units, RsUnit, col->unit - 1);
	if (col->row_units == NULL)
		return;
	if (g_variant_is_of_type (col->row_units, G_VARIANT_TYPE_STRING_ARRAY)) {
		u->names = rs_view_strings (col->row_units, job->n);
		if (u->names == NULL) /* framing broken: no row has a unit we can read */
			u->names = g_new0 (const gchar *, job->n + 1);
		return;
	}
	u->owned = g_new0 (gchar *, job->n + 1);
	for (gsize r = 0; r < job->n; r++) {
		g_autoptr (GVariant) b = g_variant_get_child_value (col->row_units, r);
		g_autoptr (GVariant) v = g_variant_get_variant (b);

		/* not a string: no unit, so the row fails as an unknown unit */
		u->owned[r] = g_variant_is_of_type (v, G_VARIANT_TYPE_STRING)
				      ? g_variant_dup_string (v, NULL)
				      : g_strdup ("");
	}
	u->names = (const gchar **)u->owned;
}

static void
rs_units_clear (RsUnits *u)
{
	if (u->owned != NULL)
		g_strfreev (u->owned);
	else
		g_free (u->names);
}

/* row @r's value @raw in the canonical unit and checked; NaN for an unknown unit (listed) */
static inline gdouble
rs_canonical (RsJob *job, RsUnits *u, guint i, gsize r, gdouble raw)
{
	const RsUnit *unit = u->column;
	gdouble x;

	if (u->names != NULL) {
		const gchar *name = u->names[r];

		if (name == NULL) { /* not a proper string (rs_view_strings) */
			rs_row_problem (job, i, RS_ROW_UNKNOWN_UNIT, r);
			return NAN;
		}
		if (u->last == NULL || strcmp (name, u->last) != 0) {
			u->last = name;
			u->last_match = rs_match_unit (u->in, name);
		}
		if (u->last_match < 0) {
			rs_row_problem (job, i, RS_ROW_UNKNOWN_UNIT, r);
			return NAN;
		}
		unit = u->last_match > 0 ? &g_array_index (u->in->units, RsUnit, u->last_match - 1)
					 : NULL;
	}
	x = rs_convert (unit, raw);
	rs_check_number (job, u->in, i, r, x);
	return x;
}

static gboolean
rs_element_number (GVariant *column, gsize r, gdouble *x)
{
	g_autoptr (GVariant) boxed = g_variant_get_child_value (column, r);
	g_autoptr (GVariant) v = g_variant_get_variant (boxed);

	switch (g_variant_classify (v)) {
	case G_VARIANT_CLASS_DOUBLE:
		*x = g_variant_get_double (v);
		return TRUE;
	case G_VARIANT_CLASS_INT64:
		*x = (gdouble)g_variant_get_int64 (v);
		return TRUE;
	case G_VARIANT_CLASS_INT32:
		*x = (gdouble)g_variant_get_int32 (v);
		return TRUE;
	case G_VARIANT_CLASS_UINT32:
		*x = (gdouble)g_variant_get_uint32 (v);
		return TRUE;
	case G_VARIANT_CLASS_UINT64: /* as Score takes them (rs_view_number) */
		*x = (gdouble)g_variant_get_uint64 (v);
		return TRUE;
	case G_VARIANT_CLASS_INT16:
		*x = (gdouble)g_variant_get_int16 (v);
		return TRUE;
	case G_VARIANT_CLASS_UINT16:
		*x = (gdouble)g_variant_get_uint16 (v);
		return TRUE;
	case G_VARIANT_CLASS_BYTE:
		*x = (gdouble)g_variant_get_byte (v);
		return TRUE;
	default:
		return FALSE;
	}
}

/* Reads, converts and checks a number column.  Canonical doubles with no unit are read in
 * place; anything else is converted into a buffer of our own. */
static void
rs_number_column (RsJob *job, guint i)
{
	RsColumn *col = &job->cols[i];
	const gchar *t = g_variant_get_type_string (col->given);
	gsize n = job->n;
	RsUnits u;
	gdouble *x;
	gsize len;

	rs_units_init (&u, job, i);
	if (g_str_equal (t, "ad") && u.column == NULL && u.names == NULL) {
		col->number = g_variant_get_fixed_array (col->given, &len, sizeof (gdouble));
		for (gsize r = 0; r < n; r++)
			rs_check_number (job, u.in, i, r, col->number[r]);
		rs_units_clear (&u);
		return;
	}
	x = g_new (gdouble, n);
	if (g_str_equal (t, "ad")) {
		const gdouble *src = g_variant_get_fixed_array (col->given, &len, 8);
		for (gsize r = 0; r < n; r++)
			x[r] = rs_canonical (job, &u, i, r, src[r]);
	} else if (g_str_equal (t, "ax")) {
		const gint64 *src = g_variant_get_fixed_array (col->given, &len, 8);
		for (gsize r = 0; r < n; r++)
			x[r] = rs_canonical (job, &u, i, r, (gdouble)src[r]);
	} else if (g_str_equal (t, "ai")) {
		const gint32 *src = g_variant_get_fixed_array (col->given, &len, 4);
		for (gsize r = 0; r < n; r++)
			x[r] = rs_canonical (job, &u, i, r, (gdouble)src[r]);
	} else if (g_str_equal (t, "au")) {
		const guint32 *src = g_variant_get_fixed_array (col->given, &len, 4);
		for (gsize r = 0; r < n; r++)
			x[r] = rs_canonical (job, &u, i, r, (gdouble)src[r]);
	} else { /* av (JSON): each element on its own, one that is not a number listed */
		for (gsize r = 0; r < n; r++) {
			gdouble raw;

			if (rs_element_number (col->given, r, &raw)) {
				x[r] = rs_canonical (job, &u, i, r, raw);
			} else {
				rs_row_problem (job, i, RS_ROW_WRONG_TYPE, r);
				x[r] = NAN;
			}
		}
	}
	col->owned = x;
	col->number = x;
	rs_units_clear (&u);
}

static void
rs_flag_column (RsJob *job, guint i)
{
	RsColumn *col = &job->cols[i];
	guint8 *flags;
	gsize len;

	if (g_variant_is_of_type (col->given, G_VARIANT_TYPE ("ab"))) {
		col->flag = g_variant_get_fixed_array (col->given, &len, sizeof (guint8));
		return;
	}
	flags = g_new0 (guint8, job->n);
	for (gsize r = 0; r < job->n; r++) {
		g_autoptr (GVariant) boxed = g_variant_get_child_value (col->given, r);
		g_autoptr (GVariant) v = g_variant_get_variant (boxed);

		if (g_variant_is_of_type (v, G_VARIANT_TYPE_BOOLEAN))
			flags[r] = g_variant_get_boolean (v);
		else
			rs_row_problem (job, i, RS_ROW_WRONG_TYPE, r);
	}
	col->owned = flags;
	col->flag = flags;
}

static gboolean
rs_find_level (const RsInput *in, const gchar *s, guint32 *level)
{
	for (guint k = 0; in->levels[k] != NULL; k++) {
		if (strcmp (in->levels[k], s) == 0) {
			*level = k;
			return TRUE;
		}
	}
	return FALSE;
}

static void
rs_level_column (RsJob *job, guint i)
{
	const RsInput *in = g_ptr_array_index (job->m->inputs, i);
	RsColumn *col = &job->cols[i];
	guint32 *levels = g_new0 (guint32, job->n);
	g_autofree const gchar **strv = NULL;
	gboolean boxed = g_variant_is_of_type (col->given, G_VARIANT_TYPE ("av"));

	if (!boxed) { /* one array of pointers into the column, not a GVariant a row */
		strv = rs_view_strings (col->given, job->n);
		if (strv == NULL) /* framing broken: every row fails */
			strv = g_new0 (const gchar *, job->n + 1);
	}
	for (gsize r = 0; r < job->n; r++) {
		const gchar *s = strv != NULL ? strv[r] : NULL;
		g_autoptr (GVariant) v = NULL;

		if (boxed) {
			g_autoptr (GVariant) b = g_variant_get_child_value (col->given, r);
			v = g_variant_get_variant (b);
			if (!g_variant_is_of_type (v, G_VARIANT_TYPE_STRING)) {
				rs_row_problem (job, i, RS_ROW_WRONG_TYPE, r);
				continue;
			}
			s = g_variant_get_string (v, NULL);
		}
		if (s == NULL) { /* not a proper string (rs_view_strings) */
			rs_row_problem (job, i, RS_ROW_WRONG_TYPE, r);
			continue;
		}
		if (!rs_find_level (in, s, &levels[r])) {
			levels[r] = 0;
			rs_row_problem (job, i, RS_ROW_UNKNOWN_LEVEL, r);
		}
	}
	col->owned = levels;
	col->level = levels;
}

/* an input without a column: its default in every row */
static void
rs_default_column (RsJob *job, guint i)
{
	const RsInput *in = g_ptr_array_index (job->m->inputs, i);
	RsColumn *col = &job->cols[i];
	gsize n = MAX (job->n, 1);

	if (in->type == RS_INPUT_NUMBER) {
		gdouble *x = g_new (gdouble, n);
		for (gsize r = 0; r < n; r++)
			x[r] = in->default_value.number;
		col->owned = x;
		col->number = x;
	} else if (in->type == RS_INPUT_BOOLEAN) {
		guint8 *flags = g_malloc (n);
		memset (flags, in->default_value.boolean ? 1 : 0, n);
		col->owned = flags;
		col->flag = flags;
	} else {
		guint32 *levels = g_new (guint32, n);
		for (gsize r = 0; r < n; r++)
			levels[r] = in->default_value.level;
		col->owned = levels;
		col->level = levels;
	}
}

/* ---- the arithmetic, a block of rows at a time ---- */

/* feature @i's terms in rows @r0 … @r0 + @len into terms[i]: @t, or the column itself */
static void
rs_feature_block (const RsJob *job, guint i, gsize r0, gsize len, const gdouble **terms, gdouble *t)
{
	const RsFeature *f = g_ptr_array_index (job->m->features, i);
	const RsColumn *col = f->input >= 0 ? &job->cols[f->input] : NULL;
	const gdouble *x = col != NULL && col->number != NULL ? col->number + r0 : NULL;

	terms[i] = t;
	switch (f->transform) {
	case RS_TRANSFORM_LINEAR:
		terms[i] = x;
		break;
	case RS_TRANSFORM_LN:
		for (gsize k = 0; k < len; k++)
			t[k] = log (x[k]);
		break;
	case RS_TRANSFORM_LN_SQUARED:
		for (gsize k = 0; k < len; k++) {
			gdouble l = log (x[k]);
			t[k] = l * l;
		}
		break;
	case RS_TRANSFORM_SQUARE:
		for (gsize k = 0; k < len; k++)
			t[k] = x[k] * x[k];
		break;
	case RS_TRANSFORM_INDICATOR:
		if (col->flag != NULL) {
			for (gsize k = 0; k < len; k++)
				t[k] = (col->flag[r0 + k] != 0) == (f->level_boolean != 0) ? 1 : 0;
		} else {
			for (gsize k = 0; k < len; k++)
				t[k] = col->level[r0 + k] == f->level ? 1 : 0;
		}
		break;
	case RS_TRANSFORM_INTERACTION:
		/* 1 * a * b … in the order of "of", as the row path multiplies */
		for (gsize k = 0; k < len; k++)
			t[k] = 1;
		for (guint j = 0; j < f->of->len; j++) {
			const gdouble *o = terms[g_array_index (f->of, guint, j)];
			for (gsize k = 0; k < len; k++)
				t[k] *= o[k];
		}
		break;
	case RS_TRANSFORM_SPLINE:
		for (gsize k = 0; k < len; k++)
			t[k] = rs_spline_basis (x[k], (const gdouble *)f->knots->data,
						f->knots->len, f->basis);
		break;
	case RS_TRANSFORM_BAND:
		for (gsize k = 0; k < len; k++)
			t[k] = x[k] >= f->lower && x[k] < f->upper ? 1 : 0;
		break;
	default:
		g_assert_not_reached ();
	}
}

static void
rs_block (
	const RsJob *job, gsize r0, gsize len, gdouble *buf, const gdouble **terms, RsColumns *out)
{
	const RsModel *m = job->m;
	gdouble *lp = out->linear_predictor + r0;
	gdouble base = m->link == RS_LINK_LOGISTIC ? m->intercept : 0;

	for (gsize k = 0; k < len; k++)
		lp[k] = base;
	for (guint i = 0; i < m->features->len; i++) {
		const RsFeature *f = g_ptr_array_index (m->features, i);
		const gdouble *t;
		gdouble c = f->coefficient;

		rs_feature_block (job, i, r0, len, terms, buf + (gsize)i * RS_BLOCK);
		t = terms[i];
		for (gsize k = 0; k < len; k++)
			lp[k] += c * t[k] + 0.0; /* + 0.0: no "-0", as in rs-score.c */
	}
	for (gsize k = 0; k < len; k++) {
		gdouble p;

		if (m->link == RS_LINK_LOGISTIC)
			p = 1.0 / (1.0 + exp (-lp[k]));
		else
			p = 1.0
			    - pow (m->baseline_survival, exp (lp[k] - m->mean_linear_predictor));
		out->probability[r0 + k] = CLAMP (p, 0.0, 1.0);
	}
}

/* a row's category, the failed rows' NaN, the rows without a finite score listed */
static void
rs_finish (RsJob *job, RsColumns *out)
{
	const RsModel *m = job->m;

	for (gsize r = 0; r < job->n; r++) {
		gdouble p = out->probability[r];

		if (!job->bad[r] && isnan (p))
			rs_row_problem (job, m->inputs->len, 0, r);
		if (job->bad[r]) {
			out->probability[r] = NAN;
			out->linear_predictor[r] = NAN;
			out->category[r] = RS_NO_CATEGORY;
			out->n_failed++;
			continue;
		}
		out->category[r] = RS_NO_CATEGORY;
		for (guint i = 0; i < m->categories->len; i++) {
			if (p < ((RsCategory *)g_ptr_array_index (m->categories, i))->below) {
				out->category[r] = (guint8)i;
				break;
			}
		}
	}
	for (guint i = 0; i < m->inputs->len * RS_ROW_KINDS + 1; i++) {
		if (job->groups[i] != NULL)
			g_ptr_array_add (out->problems, g_steal_pointer (&job->groups[i]));
	}
}

RsColumns *
rs_model_score_columns (
	const RsModel *m, GVariant *columns, GVariant *units, gsize max_rows, GPtrArray *problems)
{
	RsJob job = { .m = m };
	g_autoptr (RsColumns) out = NULL;
	g_autofree gdouble *buf = NULL;
	g_autofree const gdouble **terms = NULL;
	guint before = problems->len;

	g_return_val_if_fail (g_variant_is_of_type (columns, G_VARIANT_TYPE_VARDICT), NULL);
	g_return_val_if_fail (units == NULL
				      || g_variant_is_of_type (units, G_VARIANT_TYPE ("a{ss}"))
				      || g_variant_is_of_type (units, G_VARIANT_TYPE_VARDICT),
			      NULL);
	job.cols = g_new0 (RsColumn, MAX (m->inputs->len, 1));
	job.groups = g_new0 (RsRowsProblem *, m->inputs->len * RS_ROW_KINDS + 1);
	rs_take_columns (&job, columns, max_rows, problems);
	rs_take_units (&job, units, problems);
	if (m->categories->len >= RS_NO_CATEGORY) /* a byte a row names the category */
		rs_call_problem (
			problems,
			rs_problem_new ("model", "not-allowed",
					g_strdup ("a model with 255 or more categories cannot "
						  "be scored in columns"),
					g_strdup ("类别达到 255 个或更多的模型不能按列评分")),
			"model", NULL);
	if (problems->len > before) {
		rs_job_clear (&job);
		return NULL;
	}
	job.bad = g_new0 (guint8, MAX (job.n, 1));
	for (guint i = 0; i < m->inputs->len; i++) {
		const RsInput *in = g_ptr_array_index (m->inputs, i);

		if (job.cols[i].given == NULL)
			rs_default_column (&job, i);
		else if (in->type == RS_INPUT_NUMBER)
			rs_number_column (&job, i);
		else if (in->type == RS_INPUT_BOOLEAN)
			rs_flag_column (&job, i);
		else
			rs_level_column (&job, i);
	}
	out = g_new0 (RsColumns, 1);
	out->n_rows = job.n;
	/* at least one element: an empty answer is still an array GLib can wrap */
	out->probability = g_new (gdouble, MAX (job.n, 1));
	out->linear_predictor = g_new (gdouble, MAX (job.n, 1));
	out->category = g_new (guint8, MAX (job.n, 1));
	out->problems = g_ptr_array_new_with_free_func ((GDestroyNotify)rs_rows_problem_free);
	buf = g_new (gdouble, (gsize)MAX (m->features->len, 1) * RS_BLOCK);
	terms = g_new0 (const gdouble *, MAX (m->features->len, 1));
	for (gsize r0 = 0; r0 < job.n; r0 += RS_BLOCK)
		rs_block (&job, r0, MIN (RS_BLOCK, job.n - r0), buf, terms, out);
	rs_finish (&job, out);
	rs_job_clear (&job);
	return g_steal_pointer (&out);
}
