/*
 * The risk-scorer core's columnar scoring (rs-columns.h) against its single-set scoring
 * (rs_model_score): every shipped model and test model, on each of its worked examples alone
 * and on seeded random rows (in and out of range, in another accepted unit, with defaults),
 * must give the same probability, linear predictor and category bit for bit, and refuse the
 * same rows.  And rs_model_score's own reading of the a{sv} bytes: any byte changed, it reads
 * what GLib's normal form of them says.
 */
#define G_LOG_DOMAIN "test-risk-scorer"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "rs-columns.h"
#include "rs-model.h"
#include "rs-score.h"

/* not a multiple of the core's block (256), so the last block is a short one */
#define RANDOM_ROWS 1500

static GPtrArray *
load_models (void)
{
	const gchar *const dirs[] = { g_getenv ("RS_MODELS_DIR"), g_getenv ("RS_TEST_DATA_DIR") };
	GPtrArray *models = g_ptr_array_new_with_free_func ((GDestroyNotify)rs_model_free);

	for (guint d = 0; d < G_N_ELEMENTS (dirs); d++) {
		g_autoptr (GDir) dir = g_dir_open (dirs[d], 0, NULL);
		const gchar *name;

		cr_assert_not_null (dir, "%s", dirs[d]);
		while ((name = g_dir_read_name (dir)) != NULL) {
			g_autofree gchar *path = g_build_filename (dirs[d], name, NULL);
			g_autoptr (GError) error = NULL;
			RsModel *m;

			if (!g_str_has_suffix (name, ".json"))
				continue;
			m = rs_model_load_file (path, &error);
			cr_assert_not_null (m, "%s", error != NULL ? error->message : "");
			g_ptr_array_add (models, m);
		}
	}
	/* the shipped eight and the test data's two */
	cr_assert_geq (models->len, 10);
	return models;
}

/* Rows as Score takes them, and the same rows as columns (+ units). */
typedef struct {
	GPtrArray *rows;  /* a{sv} */
	GHashTable *cols; /* input name -> GPtrArray of GVariant elements (floating refs sunk) */
	GHashTable *type; /* input name -> element type string ("d", "x", "b", "s") */
	GHashTable *unit; /* input name -> GPtrArray of its unit in each row */
} Sets;

static void
sets_init (Sets *s)
{
	s->rows = g_ptr_array_new_with_free_func ((GDestroyNotify)g_variant_unref);
	s->cols = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
					 (GDestroyNotify)g_ptr_array_unref);
	s->type = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	s->unit = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
					 (GDestroyNotify)g_ptr_array_unref);
}

static void
sets_clear (Sets *s)
{
	g_ptr_array_unref (s->rows);
	g_hash_table_unref (s->cols);
	g_hash_table_unref (s->type);
	g_hash_table_unref (s->unit);
}

/* one row: its a{sv} as Score takes it, each value also appended to its column */
static void
sets_add_row (Sets *s, GVariant *row)
{
	GVariantIter iter;
	const gchar *key;
	GVariant *v;

	g_ptr_array_add (s->rows, g_variant_ref_sink (row));
	g_variant_iter_init (&iter, row);
	while (g_variant_iter_next (&iter, "{&sv}", &key, &v)) {
		GPtrArray *col = g_hash_table_lookup (s->cols, key);
		g_autoptr (GVariant) value = NULL;
		const gchar *unit = NULL;

		if (col == NULL) {
			col = g_ptr_array_new_with_free_func ((GDestroyNotify)g_variant_unref);
			g_hash_table_insert (s->cols, g_strdup (key), col);
		}
		if (g_variant_is_of_type (v, G_VARIANT_TYPE_VARDICT)) {
			value = g_variant_lookup_value (v, "value", NULL);
			GPtrArray *units = g_hash_table_lookup (s->unit, key);

			cr_assert (g_variant_lookup (v, "unit", "&s", &unit));
			if (units == NULL) {
				units = g_ptr_array_new_with_free_func (g_free);
				g_hash_table_insert (s->unit, g_strdup (key), units);
			}
			g_ptr_array_add (units, g_strdup (unit));
		} else {
			value = g_variant_ref (v);
		}
		g_hash_table_insert (s->type, g_strdup (key),
				     g_strdup (g_variant_get_type_string (value)));
		g_ptr_array_add (col, g_steal_pointer (&value));
		g_variant_unref (v);
	}
}

/* the columns: typed arrays (ad, ax, ab, as), as a D-Bus caller sends them */
static GVariant *
sets_columns (Sets *s)
{
	GVariantBuilder b;
	GHashTableIter iter;
	gpointer key, value;

	g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
	g_hash_table_iter_init (&iter, s->cols);
	while (g_hash_table_iter_next (&iter, &key, &value)) {
		GPtrArray *col = value;
		const gchar *t = g_hash_table_lookup (s->type, key);

		cr_assert_eq (col->len, s->rows->len, "%s: every row must give it", (gchar *)key);
		g_variant_builder_add (&b, "{sv}", key,
				       g_variant_new_array (G_VARIANT_TYPE (t),
							    (GVariant **)col->pdata, col->len));
	}
	return g_variant_ref_sink (g_variant_builder_end (&b));
}

/* one unit for a column whose rows agree, else one a row */
static GVariant *
sets_units (Sets *s)
{
	GVariantBuilder b;
	GHashTableIter iter;
	gpointer key, value;

	g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
	g_hash_table_iter_init (&iter, s->unit);
	while (g_hash_table_iter_next (&iter, &key, &value)) {
		GPtrArray *units = value;
		gboolean same = TRUE;

		cr_assert_eq (units->len, s->rows->len, "%s: a unit in every row", (gchar *)key);
		for (guint r = 1; r < units->len; r++)
			same = same && g_str_equal (units->pdata[r], units->pdata[0]);
		g_variant_builder_add (
			&b, "{sv}", key,
			same ? g_variant_new_string (units->pdata[0])
			     : g_variant_new_strv ((const gchar *const *)units->pdata, units->len));
	}
	return g_variant_ref_sink (g_variant_builder_end (&b));
}

static gboolean
same_double (gdouble a, gdouble b)
{
	return (isnan (a) && isnan (b)) || memcmp (&a, &b, sizeof a) == 0;
}

/* every row through rs_model_score and all of them through rs_model_score_columns: the same
 * numbers bit for bit, and the same rows refused; returns how many rows scored */
static guint
assert_same (const RsModel *m, Sets *s)
{
	g_autoptr (GVariant) columns = sets_columns (s);
	g_autoptr (GVariant) units = sets_units (s);
	g_autoptr (GPtrArray) problems
		= g_ptr_array_new_with_free_func ((GDestroyNotify)rs_problem_free);
	g_autoptr (RsColumns) out = rs_model_score_columns (m, columns, units, 100000, problems);
	guint scored = 0;
	gsize listed = 0;

	cr_assert_not_null (out, "%s: %s", m->id,
			    problems->len ? ((RsProblem *)problems->pdata[0])->message : "");
	cr_assert_eq (out->n_rows, s->rows->len);
	for (guint r = 0; r < s->rows->len; r++) {
		g_autoptr (GPtrArray) row_problems
			= g_ptr_array_new_with_free_func ((GDestroyNotify)rs_problem_free);
		g_autoptr (RsResult) one
			= rs_model_score (m, g_ptr_array_index (s->rows, r), row_problems);

		if (one == NULL) {
			cr_assert (isnan (out->probability[r]),
				   "%s row %u: refused alone, not here", m->id, r);
			cr_assert_eq (out->category[r], RS_NO_CATEGORY);
			continue;
		}
		scored++;
		cr_assert (same_double (one->probability, out->probability[r]),
			   "%s row %u: %.17g alone, %.17g in columns", m->id, r, one->probability,
			   out->probability[r]);
		cr_assert (same_double (one->linear_predictor, out->linear_predictor[r]),
			   "%s row %u: linear predictor %.17g alone, %.17g in columns", m->id, r,
			   one->linear_predictor, out->linear_predictor[r]);
		cr_assert_eq (one->category < 0 ? RS_NO_CATEGORY : one->category, out->category[r],
			      "%s row %u", m->id, r);
	}
	cr_assert_eq (out->n_failed, s->rows->len - scored);
	/* each failed row is listed at least once, and no scored row */
	for (guint i = 0; i < out->problems->len; i++) {
		const RsRowsProblem *p = g_ptr_array_index (out->problems, i);
		for (guint k = 0; k < p->rows->len; k++) {
			guint32 row = g_array_index (p->rows, guint32, k);
			cr_assert (isnan (out->probability[row]), "%s: row %u listed", m->id, row);
			cr_assert (k == 0 || row > g_array_index (p->rows, guint32, k - 1));
		}
		listed += p->rows->len;
	}
	cr_assert_geq (listed, out->n_failed);
	return scored;
}

Test (columns, every_worked_example_alone)
{
	g_autoptr (GPtrArray) models = load_models ();
	guint examples = 0;

	for (guint i = 0; i < models->len; i++) {
		const RsModel *m = g_ptr_array_index (models, i);
		JsonObject *root = json_node_get_object (m->root);
		JsonArray *list = json_object_has_member (root, "examples")
					  ? json_object_get_array_member (root, "examples")
					  : NULL;

		for (guint k = 0; list != NULL && k < json_array_get_length (list); k++) {
			JsonObject *ex = json_array_get_object_element (list, k);
			g_autoptr (GError) error = NULL;
			GVariant *row = json_gvariant_deserialize (
				json_object_get_member (ex, "inputs"), "a{sv}", &error);
			Sets s;

			cr_assert_not_null (row, "%s: %s", m->id, error ? error->message : "");
			sets_init (&s);
			sets_add_row (&s, row);
			cr_assert_eq (assert_same (m, &s), 1, "%s example %u", m->id, k);
			sets_clear (&s);
			examples++;
		}
	}
	cr_assert_geq (examples, 10);
}

/* a value of @in: mostly inside its range, now and then just outside it */
static GVariant *
random_value (GRand *rand, const RsInput *in)
{
	gdouble lo = isfinite (in->lo) ? in->lo : 0.5;
	gdouble hi = isfinite (in->hi) ? in->hi : lo + 200;

	if (in->type == RS_INPUT_BOOLEAN)
		return g_variant_new_boolean (g_rand_boolean (rand));
	if (in->type == RS_INPUT_CATEGORY)
		return g_variant_new_string (
			in->levels[g_rand_int_range (rand, 0, (gint)g_strv_length (in->levels))]);
	if (g_rand_int_range (rand, 0, 50) == 0)
		return g_variant_new_double (hi + 1);
	return g_variant_new_double (g_rand_double_range (rand, lo, hi));
}

/* @n seeded rows: each input given (the defaulted ones only when @all), and the first number
 * input with another accepted unit given with a unit in every row: that unit or the canonical
 * one at random, now and then one the input does not accept */
static void
random_rows (Sets *s, const RsModel *m, GRand *rand, guint n, gboolean all)
{
	for (guint r = 0; r < n; r++) {
		GVariantBuilder b;
		gboolean unit_done = FALSE;

		g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
		for (guint i = 0; i < m->inputs->len; i++) {
			const RsInput *in = g_ptr_array_index (m->inputs, i);
			GVariant *v = random_value (rand, in);

			if (in->has_default && !all) {
				g_variant_unref (g_variant_ref_sink (v));
				continue;
			}
			if (in->type == RS_INPUT_NUMBER && in->units->len > 0 && !unit_done) {
				const RsUnit *u = &g_array_index (in->units, RsUnit, 0);
				gint pick = g_rand_int_range (rand, 0, 100);
				gdouble x = pick < 50 ? (g_variant_get_double (v) - u->offset)
								/ u->factor
						      : g_variant_get_double (v);
				const gchar *unit = pick == 99	? "furlong"
						    : pick < 50 ? u->unit
								: in->unit;
				GVariantBuilder d;

				g_variant_unref (g_variant_ref_sink (v));
				g_variant_builder_init (&d, G_VARIANT_TYPE_VARDICT);
				g_variant_builder_add (&d, "{sv}", "value",
						       g_variant_new_double (x));
				g_variant_builder_add (&d, "{sv}", "unit",
						       g_variant_new_string (unit));
				v = g_variant_builder_end (&d);
				unit_done = TRUE;
			}
			g_variant_builder_add (&b, "{sv}", in->name, v);
		}
		sets_add_row (s, g_variant_builder_end (&b));
	}
}

Test (columns, random_rows_every_model)
{
	g_autoptr (GPtrArray) models = load_models ();
	g_autoptr (GRand) rand = g_rand_new_with_seed (20261206);

	for (guint i = 0; i < models->len; i++) {
		const RsModel *m = g_ptr_array_index (models, i);

		for (guint all = 0; all < 2; all++) {
			Sets s;
			guint scored;

			sets_init (&s);
			random_rows (&s, m, rand, RANDOM_ROWS, all);
			scored = assert_same (m, &s);
			/* most rows score, and some do not: both paths are exercised */
			cr_assert_gt (scored, RANDOM_ROWS / 2, "%s: %u scored", m->id, scored);
			cr_assert_lt (scored, RANDOM_ROWS, "%s: every row scored", m->id);
			sets_clear (&s);
		}
	}
}

/* A column whose serialised strings are not proper (a D-Bus peer may send any bytes): a string
 * with a stray NUL fails its row alone; framing that does not hold fails every row, and nothing
 * is read out of bounds. */
Test (columns, malformed_strings)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *path
		= g_build_filename (g_getenv ("RS_MODELS_DIR"), "pce-2013-white-men.json", NULL);
	g_autoptr (RsModel) m = rs_model_load_file (path, &error);
	/* "never", then "cur\0rent": ends 6 and 15, one-byte offsets */
	static const guint8 stray[] = "never\0cur\0rent\0\x06\x0f";
	/* the first end beyond the strings (the last, which GLib counts the strings by, holds) */
	static const guint8 broken[] = "never\0current\0\x30\x0e";
	const guint8 *const bad[] = { stray, broken };
	const gsize sizes[] = { sizeof stray - 1, sizeof broken - 1 };
	const gdouble age[] = { 55, 60 }, tc[] = { 213, 200 }, hdl[] = { 50, 45 },
		      sbp[] = { 120, 130 };
	const guint8 no[] = { 0, 0 };

	cr_assert_not_null (m, "%s", error != NULL ? error->message : "");
	for (guint k = 0; k < G_N_ELEMENTS (bad); k++) {
		g_autoptr (GPtrArray) problems
			= g_ptr_array_new_with_free_func ((GDestroyNotify)rs_problem_free);
		const gchar *const sex[] = { "male", "male" };
		GVariantBuilder b;
		g_autoptr (GVariant) columns = NULL;
		g_autoptr (RsColumns) out = NULL;

		g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
		g_variant_builder_add (
			&b, "{sv}", "age",
			g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, age, 2, 8));
		g_variant_builder_add (&b, "{sv}", "sex", g_variant_new_strv (sex, 2));
		g_variant_builder_add (&b, "{sv}", "total_cholesterol",
				       g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, tc, 2, 8));
		g_variant_builder_add (
			&b, "{sv}", "hdl_cholesterol",
			g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, hdl, 2, 8));
		g_variant_builder_add (
			&b, "{sv}", "systolic_bp",
			g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, sbp, 2, 8));
		g_variant_builder_add (
			&b, "{sv}", "diabetes",
			g_variant_new_fixed_array (G_VARIANT_TYPE_BOOLEAN, no, 2, 1));
		g_variant_builder_add (&b, "{sv}", "smoker",
				       g_variant_new_from_data (G_VARIANT_TYPE_STRING_ARRAY, bad[k],
								sizes[k], FALSE, NULL, NULL));
		columns = g_variant_ref_sink (g_variant_builder_end (&b));
		out = rs_model_score_columns (m, columns, NULL, 100, problems);
		cr_assert_not_null (out, "case %u: %s %s", k,
				    problems->len ? ((RsProblem *)problems->pdata[0])->field : "",
				    problems->len ? ((RsProblem *)problems->pdata[0])->message
						  : "");
		cr_assert_eq (out->n_rows, 2);
		/* the stray NUL fails row 1 only; broken framing fails both */
		cr_assert_eq (isnan (out->probability[0]), k == 1, "case %u", k);
		cr_assert (isnan (out->probability[1]));
		cr_assert_eq (out->n_failed, k == 0 ? 1 : 2);
	}
}

/* ---- rs_model_score's reading of the a{sv} bytes (rs-view.c) ---- */

static RsResult *
score_problems (const RsModel *m, GVariant *inputs, GPtrArray **problems)
{
	*problems = g_ptr_array_new_with_free_func ((GDestroyNotify)rs_problem_free);
	return rs_model_score (m, inputs, *problems);
}

/* Every byte of a serialised input set changed in turn (as a D-Bus peer may send any bytes):
 * rs_model_score reads each as it reads GLib's normal form of it (the same score or the same
 * problems), and never reads out of bounds (the sanitizer build checks that). */
Test (inputs, any_bytes_read_as_their_normal_form)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *path
		= g_build_filename (g_getenv ("RS_MODELS_DIR"), "pce-2013-white-men.json", NULL);
	g_autoptr (RsModel) m = rs_model_load_file (path, &error);
	g_autoptr (GVariant) set = NULL;
	const guint8 changes[] = { 0x00, 0x01, 0x08, 0x7f, 0xff };
	gsize size;
	guint differ = 0;

	cr_assert_not_null (m, "%s", error != NULL ? error->message : "");
	set = g_variant_ref_sink (json_gvariant_deserialize_data (
		"{\"age\":55,\"sex\":\"male\",\"total_cholesterol\":{\"value\":5.508,\"unit\":"
		"\"mmol/L\"},\"hdl_cholesterol\":50.5,\"systolic_bp\":120,\"on_bp_treatment\":true,"
		"\"smoker\":\"never\",\"diabetes\":false}",
		-1, "a{sv}", NULL));
	size = g_variant_get_size (set);
	for (gsize k = 0; k < size; k++) {
		for (guint c = 0; c < G_N_ELEMENTS (changes); c++) {
			g_autofree guint8 *bytes = g_memdup2 (g_variant_get_data (set), size);
			g_autoptr (GVariant) odd = NULL;
			g_autoptr (GVariant) normal = NULL;
			g_autoptr (GPtrArray) p1 = NULL;
			g_autoptr (GPtrArray) p2 = NULL;
			g_autoptr (RsResult) r1 = NULL;
			g_autoptr (RsResult) r2 = NULL;

			if (bytes[k] == changes[c])
				continue;
			bytes[k] = changes[c];
			odd = g_variant_ref_sink (g_variant_new_from_data (
				G_VARIANT_TYPE_VARDICT, bytes, size, FALSE, NULL, NULL));
			normal = g_variant_get_normal_form (odd);
			r1 = score_problems (m, odd, &p1);
			r2 = score_problems (m, normal, &p2);
			differ += !g_variant_equal (odd, set);
			cr_assert_eq (r1 == NULL, r2 == NULL, "byte %zu = %u", k, changes[c]);
			cr_assert_eq (p1->len, p2->len, "byte %zu = %u", k, changes[c]);
			for (guint i = 0; i < p1->len; i++) {
				RsProblem *a = p1->pdata[i], *b = p2->pdata[i];
				cr_assert_str_eq (a->input, b->input, "byte %zu = %u", k,
						  changes[c]);
				cr_assert_str_eq (a->code, b->code, "byte %zu = %u", k, changes[c]);
			}
			if (r1 != NULL)
				cr_assert (same_double (r1->probability, r2->probability),
					   "byte %zu = %u", k, changes[c]);
		}
	}
	/* the changes did reach the values, not only padding */
	cr_assert_gt (differ, size);
}

/* Each effect (what the explanation ranks) is the linear predictor minus the linear predictor
 * with that input at its reference value, evaluated in full: rs-score.c evaluates only the
 * features the input reaches, and must get the full evaluation's number bit for bit, on every
 * model (interactions, splines, bands) and random rows. */
Test (inputs, effects_equal_full_evaluation)
{
	g_autoptr (GPtrArray) models = load_models ();
	g_autoptr (GRand) rand = g_rand_new_with_seed (20261207);
	guint checked = 0;

	for (guint i = 0; i < models->len; i++) {
		const RsModel *m = g_ptr_array_index (models, i);
		Sets s;

		sets_init (&s);
		random_rows (&s, m, rand, 200, TRUE);
		for (guint r = 0; r < s.rows->len; r++) {
			g_autoptr (GPtrArray) problems = NULL;
			g_autoptr (RsResult) one = score_problems (m, s.rows->pdata[r], &problems);

			for (guint k = 0; one != NULL && k < m->inputs->len; k++) {
				const RsInput *in = g_ptr_array_index (m->inputs, k);
				g_autoptr (GArray) moved = g_array_copy (one->values);
				g_autoptr (RsResult) full = NULL;
				RsValue *v = &g_array_index (moved, RsValue, k);
				gdouble effect = g_array_index (one->effects, gdouble, k);

				memset (v, 0, sizeof (*v)); /* false, or the first level */
				if (in->type == RS_INPUT_NUMBER)
					v->number = in->has_reference ? in->reference : in->lo;
				if (in->type == RS_INPUT_NUMBER && !in->has_reference
				    && !isfinite (in->lo)) {
					cr_assert (isnan (effect), "%s %s", m->id, in->name);
					continue;
				}
				full = rs_model_score_values (m, moved);
				cr_assert (same_double (effect, one->linear_predictor
									- full->linear_predictor),
					   "%s row %u %s: %.17g", m->id, r, in->name, effect);
				checked++;
			}
		}
		sets_clear (&s);
	}
	cr_assert_gt (checked, 1000);
}
