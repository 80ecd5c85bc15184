/*
 * Scoring throughput of the risk-scorer, for tests/bench/risk/run.sh (issue 12).  Not a test:
 * prints scores per second for each way of scoring the same input sets, and writes the
 * probabilities so the benchmark's peer (R, bench-score.R) can be checked against them.
 *
 *   bench-risk-score PLUGIN.so DATA_DIR MODEL INPUTS.csv PROBS_OUT [REPS | dump]
 *
 * DATA_DIR holds models/ (build/plugins/risk-scorer/data does).  INPUTS.csv: a header of input
 * names, then one input set a row; a cell is a number (canonical unit), "NUMBER UNIT",
 * true/false or a category level, empty for "not given" (tests/bench/risk/gen-score-inputs.py).
 * The ways, each over every set: the core's arithmetic on checked values
 * (rs_model_score_values), the core reading the a{sv} inputs (rs_model_score), the same with
 * the explanation, the built plugin through the SDK's test host one Score call a set (detail
 * "full", and "summary": probability, category, linear predictor), and
 * ScoreBatch with 100 and with 1000 sets a call, each with detail "full" (Score's answer a set)
 * and "summary" (probability, category, linear predictor), and ScoreColumns with 1000 rows a
 * call and with every set in one call (typed columns, a unit a row for a column that gives any,
 * the model's default where a set leaves an input out: a column has no gaps).  Every way's
 * probabilities are checked against the core's before any timing (the program fails on a difference
 * above 1e-12). Output: one "name value" line each (scores a CPU second, median of REPS timed
 * samples).  With "dump" instead of REPS: every answer as GVariant text, nothing timed (to diff two
 * builds' answers).
 */
#include <gmodule.h>
#include <math.h>
#include <medverse/medverse-plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "rs-model.h"
#include "rs-score.h"

/* a timed sample repeats whole passes until it lasts this long, so short passes are measurable */
#define BENCH_MIN_SAMPLE_S 0.2

typedef struct {
	RsModel *model;
	gchar *model_id;
	MvTestHost *host;
	GPtrArray *inputs;	     /* GVariant a{sv}, one per set */
	GPtrArray *values;	     /* GArray of RsValue, one per set: checked, canonical */
	GPtrArray *score_in;	     /* GVariant (sa{sv}ss), one per set, detail "full" */
	GPtrArray *score_summary_in; /* the same with detail "summary" */
	GPtrArray *batches;	     /* GPtrArray of GVariant (saa{sv}ss), one per batch way */
	guint batch_sizes[4];
	const gchar *batch_detail[4]; /* ScoreBatch's detail argument */
	guint batch_now;	      /* index into batches for the pass being timed */
	GPtrArray *columns;    /* GPtrArray of GVariant (sa{sv}a{sv}s), one per columns way */
	guint column_sizes[2]; /* rows a ScoreColumns call; 0: every set in one call */
	guint columns_now;
} Bench;

typedef gboolean (*BenchPass) (Bench *b);

/* ---- reading the input sets ---- */

static GVariant *
bench_cell (const gchar *cell)
{
	gchar *end = NULL;
	gdouble x;

	if (g_strcmp0 (cell, "true") == 0 || g_strcmp0 (cell, "false") == 0)
		return g_variant_new_boolean (cell[0] == 't');
	x = g_ascii_strtod (cell, &end);
	if (end != cell && *end == '\0')
		return g_variant_new_double (x);
	if (end != cell && *end == ' ') {
		GVariantDict d;
		g_variant_dict_init (&d, NULL);
		g_variant_dict_insert (&d, "value", "d", x);
		g_variant_dict_insert (&d, "unit", "s", end + 1);
		return g_variant_dict_end (&d);
	}
	return g_variant_new_string (cell);
}

static GPtrArray *
bench_read_csv (const gchar *path, GError **error)
{
	g_autofree gchar *text = NULL;
	g_auto (GStrv) lines = NULL;
	g_auto (GStrv) header = NULL;
	g_autoptr (GPtrArray) sets
		= g_ptr_array_new_with_free_func ((GDestroyNotify)g_variant_unref);

	if (!g_file_get_contents (path, &text, NULL, error))
		return NULL;
	lines = g_strsplit (text, "\n", -1);
	header = g_strsplit (lines[0], ",", -1);
	for (guint i = 1; lines[i] != NULL && lines[i][0] != '\0'; i++) {
		g_auto (GStrv) cells = g_strsplit (lines[i], ",", -1);
		GVariantBuilder set;

		if (g_strv_length (cells) != g_strv_length (header)) {
			g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
				     "%s:%u: %u cells, the header has %u", path, i + 1,
				     g_strv_length (cells), g_strv_length (header));
			return NULL;
		}
		g_variant_builder_init (&set, G_VARIANT_TYPE_VARDICT);
		for (guint j = 0; cells[j] != NULL; j++) {
			if (cells[j][0] != '\0')
				g_variant_builder_add (&set, "{sv}", header[j],
						       bench_cell (cells[j]));
		}
		g_ptr_array_add (sets, g_variant_ref_sink (g_variant_builder_end (&set)));
	}
	return g_steal_pointer (&sets);
}

/* ---- the passes: each scores every set once ---- */

static gboolean
bench_pass_values (Bench *b)
{
	for (guint i = 0; i < b->values->len; i++) {
		g_autoptr (RsResult) r
			= rs_model_score_values (b->model, g_ptr_array_index (b->values, i));
		if (r == NULL)
			return FALSE;
	}
	return TRUE;
}

static RsResult *
bench_core_score (Bench *b, guint i)
{
	g_autoptr (GPtrArray) problems
		= g_ptr_array_new_with_free_func ((GDestroyNotify)rs_problem_free);

	return rs_model_score (b->model, g_ptr_array_index (b->inputs, i), problems);
}

static gboolean
bench_pass_core (Bench *b)
{
	for (guint i = 0; i < b->inputs->len; i++) {
		g_autoptr (RsResult) r = bench_core_score (b, i);
		if (r == NULL)
			return FALSE;
	}
	return TRUE;
}

static gboolean
bench_pass_core_explained (Bench *b)
{
	for (guint i = 0; i < b->inputs->len; i++) {
		g_autoptr (RsResult) r = bench_core_score (b, i);
		g_autofree gchar *text
			= r != NULL ? rs_result_explain (b->model, r, RS_LANG_EN) : NULL;
		if (text == NULL)
			return FALSE;
	}
	return TRUE;
}

static GVariant *
bench_call (Bench *b, const gchar *method, GVariant *input)
{
	g_autoptr (GError) error = NULL;
	GVariant *out = mv_test_host_call (b->host, method, input, &error);

	if (out == NULL)
		g_printerr ("%s: %s\n", method, error->message);
	return out;
}

static gboolean
bench_pass_score (Bench *b)
{
	for (guint i = 0; i < b->score_in->len; i++) {
		g_autoptr (GVariant) out
			= bench_call (b, "Score", g_ptr_array_index (b->score_in, i));
		if (out == NULL)
			return FALSE;
	}
	return TRUE;
}

static gboolean
bench_pass_score_summary (Bench *b)
{
	for (guint i = 0; i < b->score_summary_in->len; i++) {
		g_autoptr (GVariant) out
			= bench_call (b, "Score", g_ptr_array_index (b->score_summary_in, i));
		if (out == NULL)
			return FALSE;
	}
	return TRUE;
}

static gboolean
bench_pass_batch (Bench *b)
{
	GPtrArray *calls = g_ptr_array_index (b->batches, b->batch_now);

	for (guint i = 0; i < calls->len; i++) {
		g_autoptr (GVariant) out
			= bench_call (b, "ScoreBatch", g_ptr_array_index (calls, i));
		if (out == NULL)
			return FALSE;
	}
	return TRUE;
}

static gboolean
bench_pass_columns (Bench *b)
{
	GPtrArray *calls = g_ptr_array_index (b->columns, b->columns_now);

	for (guint i = 0; i < calls->len; i++) {
		g_autoptr (GVariant) out
			= bench_call (b, "ScoreColumns", g_ptr_array_index (calls, i));
		if (out == NULL)
			return FALSE;
	}
	return TRUE;
}

/* ---- the sets as columns, as a D-Bus caller sends them to ScoreColumns ---- */

/* input @in of the sets @from … @to: its column (ad, ab or as) and, for a number input given
 * with a unit in any row, the units a row (as, the canonical unit where a row gave none).  A
 * set without the input takes the model's default: a column has no gaps. */
static GVariant *
bench_column (Bench *b, const RsInput *in, guint from, guint to, GVariant **units)
{
	guint n = to - from;
	g_autofree gdouble *numbers = g_new (gdouble, MAX (n, 1));
	g_autofree guint8 *flags = g_new0 (guint8, MAX (n, 1));
	g_autofree const gchar **strings = g_new0 (const gchar *, n + 1);
	g_autofree const gchar **unit_names = g_new0 (const gchar *, n + 1);
	gboolean any_unit = FALSE;

	for (guint r = 0; r < n; r++) {
		g_autoptr (GVariant) v = g_variant_lookup_value (
			g_ptr_array_index (b->inputs, from + r), in->name, NULL);

		unit_names[r] = in->unit;
		if (v == NULL) {
			numbers[r] = in->default_value.number;
			flags[r] = in->default_value.boolean ? 1 : 0;
			strings[r]
				= in->levels != NULL ? in->levels[in->default_value.level] : NULL;
		} else if (g_variant_is_of_type (v, G_VARIANT_TYPE_VARDICT)) {
			g_variant_lookup (v, "value", "d", &numbers[r]);
			/* points into the set, which outlives the column */
			g_variant_lookup (v, "unit", "&s", &unit_names[r]);
			any_unit = TRUE;
		} else if (g_variant_is_of_type (v, G_VARIANT_TYPE_DOUBLE)) {
			numbers[r] = g_variant_get_double (v);
		} else if (g_variant_is_of_type (v, G_VARIANT_TYPE_BOOLEAN)) {
			flags[r] = g_variant_get_boolean (v);
		} else {
			strings[r] = g_variant_get_string (v, NULL);
		}
	}
	*units = any_unit ? g_variant_new_strv (unit_names, n) : NULL;
	if (in->type == RS_INPUT_NUMBER)
		return g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, numbers, n,
						  sizeof (gdouble));
	if (in->type == RS_INPUT_BOOLEAN)
		return g_variant_new_fixed_array (G_VARIANT_TYPE_BOOLEAN, flags, n, 1);
	return g_variant_new_strv (strings, n);
}

/* ScoreColumns's input for the sets @from … @to */
static GVariant *
bench_columns_input (Bench *b, guint from, guint to)
{
	GVariantBuilder columns, units;

	g_variant_builder_init (&columns, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_init (&units, G_VARIANT_TYPE_VARDICT);
	for (guint i = 0; i < b->model->inputs->len; i++) {
		const RsInput *in = g_ptr_array_index (b->model->inputs, i);
		GVariant *unit = NULL;
		GVariant *column = bench_column (b, in, from, to, &unit);

		g_variant_builder_add (&columns, "{sv}", in->name, column);
		if (unit != NULL)
			g_variant_builder_add (&units, "{sv}", in->name, unit);
	}
	return g_variant_ref_sink (
		g_variant_new ("(sa{sv}a{sv}s)", b->model_id, &columns, &units, "en"));
}

static void
bench_prepare_columns (Bench *b)
{
	for (guint s = 0; s < G_N_ELEMENTS (b->column_sizes); s++) {
		GPtrArray *calls = g_ptr_array_new_with_free_func ((GDestroyNotify)g_variant_unref);
		guint size = b->column_sizes[s] > 0 ? b->column_sizes[s] : b->inputs->len;

		for (guint from = 0; from < b->inputs->len; from += size)
			g_ptr_array_add (
				calls,
				bench_columns_input (b, from, MIN (from + size, b->inputs->len)));
		g_ptr_array_add (b->columns, calls);
	}
}

/* the largest |ScoreColumns - core| over every set and way; NAN on a failure */
static gdouble
bench_check_columns (Bench *b, const GArray *probs)
{
	gdouble worst = 0;

	for (guint s = 0; s < b->columns->len; s++) {
		GPtrArray *calls = g_ptr_array_index (b->columns, s);
		guint k = 0;

		for (guint c = 0; c < calls->len; c++) {
			g_autoptr (GVariant) out
				= bench_call (b, "ScoreColumns", g_ptr_array_index (calls, c));
			g_autoptr (GVariant) p
				= out != NULL ? g_variant_get_child_value (out, 0) : NULL;
			const gdouble *v;
			gsize n = 0;

			if (p == NULL)
				return NAN;
			v = g_variant_get_fixed_array (p, &n, sizeof (gdouble));
			for (gsize j = 0; j < n; j++, k++) {
				if (isnan (v[j]))
					return NAN;
				worst = MAX (worst,
					     fabs (v[j] - g_array_index (probs, gdouble, k)));
			}
		}
		if (k != probs->len)
			return NAN;
	}
	return worst;
}

/* ---- timing ---- */

static gint
bench_cmp_double (gconstpointer a, gconstpointer b)
{
	gdouble x = *(const gdouble *)a, y = *(const gdouble *)b;
	return x < y ? -1 : x > y ? 1 : 0;
}

/* The CPU time this process has used, in seconds.  Not the clock: the benchmark machine is
 * shared, and a sample the clock times includes the other users' turns on the CPU; R's side
 * times its CPU time too (bench-score.R). */
static gdouble
bench_cpu_seconds (void)
{
	struct timespec ts;

	clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (gdouble)ts.tv_sec + (gdouble)ts.tv_nsec / 1e9;
}

/* scores per CPU second: the median of @reps samples, each whole passes over every set */
static gdouble
bench_rate (BenchPass pass, Bench *b, guint reps)
{
	g_autofree gdouble *samples = g_new (gdouble, reps);
	gdouble start = bench_cpu_seconds ();
	gdouble once;
	guint passes;

	if (!pass (b)) /* warms the caches and sizes the samples */
		exit (EXIT_FAILURE);
	once = bench_cpu_seconds () - start;
	passes = once >= BENCH_MIN_SAMPLE_S ? 1 : (guint)ceil (BENCH_MIN_SAMPLE_S / once);
	for (guint r = 0; r < reps; r++) {
		start = bench_cpu_seconds ();
		for (guint k = 0; k < passes; k++) {
			if (!pass (b))
				exit (EXIT_FAILURE);
		}
		samples[r] = (bench_cpu_seconds () - start) / passes;
	}
	qsort (samples, reps, sizeof (gdouble), bench_cmp_double);
	return b->inputs->len / samples[reps / 2];
}

/* ---- setting up, and checking that every way gives the core's probabilities ---- */

static gboolean
bench_prepare (Bench *b, GArray *probs, GError **error)
{
	for (guint i = 0; i < b->inputs->len; i++) {
		g_autoptr (RsResult) r = bench_core_score (b, i);
		GVariant *set = g_ptr_array_index (b->inputs, i);

		if (r == NULL) {
			g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
				     "input set %u does not score (out of the model's ranges?)",
				     i + 1);
			return FALSE;
		}
		g_array_append_val (probs, r->probability);
		g_ptr_array_add (b->values, g_array_ref (r->values));
		g_ptr_array_add (b->score_in,
				 g_variant_ref_sink (g_variant_new ("(s@a{sv}ss)", b->model_id, set,
								    "en", "full")));
		g_ptr_array_add (b->score_summary_in,
				 g_variant_ref_sink (g_variant_new ("(s@a{sv}ss)", b->model_id, set,
								    "en", "summary")));
	}
	for (guint s = 0; s < G_N_ELEMENTS (b->batch_sizes); s++) {
		GPtrArray *calls = g_ptr_array_new_with_free_func ((GDestroyNotify)g_variant_unref);

		for (guint i = 0; i < b->inputs->len; i += b->batch_sizes[s]) {
			GVariantBuilder sets;
			g_variant_builder_init (&sets, G_VARIANT_TYPE ("aa{sv}"));
			for (guint j = i; j < MIN (i + b->batch_sizes[s], b->inputs->len); j++)
				g_variant_builder_add_value (&sets,
							     g_ptr_array_index (b->inputs, j));
			g_ptr_array_add (calls, g_variant_ref_sink (g_variant_new (
							"(saa{sv}ss)", b->model_id, &sets, "en",
							b->batch_detail[s])));
		}
		g_ptr_array_add (b->batches, calls);
	}
	return TRUE;
}

static gdouble
bench_result_probability (GVariant *result)
{
	gdouble p = NAN;

	if (!g_variant_lookup (result, "probability", "d", &p))
		return NAN;
	return p;
}

/* the largest |plugin - core| over every set, Score (both details) and each batch size; NAN on
 * a failure */
static gdouble
bench_check_plugin (Bench *b, const GArray *probs)
{
	gdouble worst = 0;

	for (guint i = 0; i < 2 * b->score_in->len; i++) {
		/* detail full, then summary */
		GPtrArray *calls = i < b->score_in->len ? b->score_in : b->score_summary_in;
		guint k = i % b->score_in->len;
		g_autoptr (GVariant) out = bench_call (b, "Score", g_ptr_array_index (calls, k));
		g_autoptr (GVariant) result
			= out != NULL ? g_variant_get_child_value (out, 0) : NULL;
		gdouble p = result != NULL ? bench_result_probability (result) : NAN;
		worst = MAX (worst, fabs (p - g_array_index (probs, gdouble, k)));
		if (isnan (p))
			return NAN;
	}
	for (guint s = 0; s < b->batches->len; s++) {
		GPtrArray *calls = g_ptr_array_index (b->batches, s);
		guint k = 0;

		for (guint c = 0; c < calls->len; c++) {
			g_autoptr (GVariant) out
				= bench_call (b, "ScoreBatch", g_ptr_array_index (calls, c));
			g_autoptr (GVariant) results
				= out != NULL ? g_variant_get_child_value (out, 0) : NULL;
			gsize n = results != NULL ? g_variant_n_children (results) : 0;

			if (results == NULL)
				return NAN;
			for (gsize j = 0; j < n; j++, k++) {
				g_autoptr (GVariant) r = g_variant_get_child_value (results, j);
				gdouble p = bench_result_probability (r);
				if (isnan (p))
					return NAN;
				worst = MAX (worst, fabs (p - g_array_index (probs, gdouble, k)));
			}
		}
		if (k != probs->len)
			return NAN;
	}
	return worst;
}

/* "dump": every set's Score answer in both languages and the ScoreBatch answers, printed as
 * GVariant text, so an answer built another way can be compared with diff */
static gboolean
bench_dump (Bench *b)
{
	const gchar *const langs[] = { "en", "zh" };

	for (guint i = 0; i < b->inputs->len; i++) {
		for (guint l = 0; l < G_N_ELEMENTS (langs); l++) {
			g_autoptr (GVariant) out = bench_call (
				b, "Score",
				g_variant_new ("(s@a{sv}ss)", b->model_id,
					       g_ptr_array_index (b->inputs, i), langs[l], ""));
			g_autofree gchar *text = out != NULL ? g_variant_print (out, TRUE) : NULL;
			/* the answer is partly written serialised by hand: GLib must find it normal
			 */
			if (text == NULL || !g_variant_is_normal_form (out)) {
				g_printerr ("Score %u %s: no answer, or not in normal form\n", i,
					    langs[l]);
				return FALSE;
			}
			g_print ("Score %u %s %s\n", i, langs[l], text);
		}
	}
	for (guint s = 0; s < b->batches->len; s++) {
		GPtrArray *calls = g_ptr_array_index (b->batches, s);
		for (guint c = 0; c < calls->len; c++) {
			g_autoptr (GVariant) out
				= bench_call (b, "ScoreBatch", g_ptr_array_index (calls, c));
			g_autofree gchar *text = out != NULL ? g_variant_print (out, TRUE) : NULL;
			if (text == NULL || !g_variant_is_normal_form (out)) {
				g_printerr ("ScoreBatch %u: no answer, or not in normal form\n", c);
				return FALSE;
			}
			g_print ("ScoreBatch %u %s %u %s\n", b->batch_sizes[s], b->batch_detail[s],
				 c, text);
		}
	}
	return TRUE;
}

static gboolean
bench_write_probs (const gchar *path, const GArray *probs, GError **error)
{
	g_autoptr (GString) s = g_string_new (NULL);

	for (guint i = 0; i < probs->len; i++) {
		gchar buf[G_ASCII_DTOSTR_BUF_SIZE];
		g_string_append_printf (s, "%s\n",
					g_ascii_formatd (buf, sizeof buf, "%.17g",
							 g_array_index (probs, gdouble, i)));
	}
	return g_file_set_contents (path, s->str, (gssize)s->len, error);
}

static void
bench_clear (Bench *b)
{
	g_clear_pointer (&b->batches, g_ptr_array_unref);
	g_clear_pointer (&b->columns, g_ptr_array_unref);
	g_clear_pointer (&b->score_in, g_ptr_array_unref);
	g_clear_pointer (&b->score_summary_in, g_ptr_array_unref);
	g_clear_pointer (&b->values, g_ptr_array_unref);
	g_clear_pointer (&b->inputs, g_ptr_array_unref);
	g_clear_pointer (&b->host, mv_test_host_free);
	g_clear_pointer (&b->model, rs_model_free);
}

static gboolean
bench_load (Bench *b, char **argv, GError **error)
{
	g_autofree gchar *file = g_strconcat (argv[3], ".json", NULL);
	g_autofree gchar *model_path = g_build_filename (argv[2], "models", file, NULL);
	GModule *module;
	gpointer sym = NULL;

	b->model_id = argv[3];
	b->model = rs_model_load_file (model_path, error);
	if (b->model == NULL)
		return FALSE;
	/* kept open for the process's life: the host calls into it until exit */
	module = g_module_open (argv[1], G_MODULE_BIND_LOCAL);
	if (module == NULL || !g_module_symbol (module, MV_PLUGIN_ENTRY_SYMBOL, &sym)) {
		g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", g_module_error ());
		return FALSE;
	}
	b->host = mv_test_host_new (sym, NULL, argv[2], error);
	if (b->host == NULL)
		return FALSE;
	b->inputs = bench_read_csv (argv[4], error);
	return b->inputs != NULL;
}

int
main (int argc, char **argv)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GArray) probs = g_array_new (FALSE, FALSE, sizeof (gdouble));
	guint reps = argc > 6 ? (guint)MAX (1, atoi (argv[6])) : 3;
	Bench b = { .batch_sizes = { 100, 1000, 100, 1000 },
		    .batch_detail = { "full", "full", "summary", "summary" },
		    .column_sizes = { 1000, 0 } };
	gdouble worst, worst_columns;

	if (argc < 6) {
		g_printerr ("usage: %s PLUGIN.so DATA_DIR MODEL INPUTS.csv PROBS_OUT [REPS]\n",
			    argv[0]);
		return EXIT_FAILURE;
	}
	b.values = g_ptr_array_new_with_free_func ((GDestroyNotify)g_array_unref);
	b.score_in = g_ptr_array_new_with_free_func ((GDestroyNotify)g_variant_unref);
	b.score_summary_in = g_ptr_array_new_with_free_func ((GDestroyNotify)g_variant_unref);
	b.batches = g_ptr_array_new_with_free_func ((GDestroyNotify)g_ptr_array_unref);
	b.columns = g_ptr_array_new_with_free_func ((GDestroyNotify)g_ptr_array_unref);
	if (!bench_load (&b, argv, &error) || !bench_prepare (&b, probs, &error)
	    || !bench_write_probs (argv[5], probs, &error)) {
		g_printerr ("%s: %s\n", argv[0], error->message);
		bench_clear (&b);
		return EXIT_FAILURE;
	}
	if (argc > 6 && g_strcmp0 (argv[6], "dump") == 0) {
		gboolean ok = bench_dump (&b);
		bench_clear (&b);
		return ok ? EXIT_SUCCESS : EXIT_FAILURE;
	}
	bench_prepare_columns (&b);
	worst = bench_check_plugin (&b, probs);
	worst_columns = bench_check_columns (&b, probs);
	worst = isnan (worst_columns) ? NAN : MAX (worst, worst_columns);
	if (!(worst <= 1e-12)) {
		g_printerr ("%s: the plugin's probabilities differ from the core's (%g)\n", argv[0],
			    worst);
		bench_clear (&b);
		return EXIT_FAILURE;
	}
	g_print ("sets %u\n", b.inputs->len);
	g_print ("plugin_vs_core_max_diff %g\n", worst);
	g_print ("columns_vs_core_max_diff %g\n", worst_columns);
	g_print ("core_values %.0f\n", bench_rate (bench_pass_values, &b, reps));
	g_print ("core %.0f\n", bench_rate (bench_pass_core, &b, reps));
	g_print ("core_explained %.0f\n", bench_rate (bench_pass_core_explained, &b, reps));
	g_print ("score %.0f\n", bench_rate (bench_pass_score, &b, reps));
	g_print ("score_summary %.0f\n", bench_rate (bench_pass_score_summary, &b, reps));
	for (guint s = 0; s < G_N_ELEMENTS (b.batch_sizes); s++) {
		b.batch_now = s;
		g_print ("%s%u %.0f\n",
			 g_str_equal (b.batch_detail[s], "full") ? "batch" : "summary",
			 b.batch_sizes[s], bench_rate (bench_pass_batch, &b, reps));
	}
	for (guint s = 0; s < G_N_ELEMENTS (b.column_sizes); s++) {
		b.columns_now = s;
		if (b.column_sizes[s] > 0)
			g_print ("columns%u %.0f\n", b.column_sizes[s],
				 bench_rate (bench_pass_columns, &b, reps));
		else
			g_print ("columnsall %.0f\n", bench_rate (bench_pass_columns, &b, reps));
	}
	bench_clear (&b);
	return EXIT_SUCCESS;
}
