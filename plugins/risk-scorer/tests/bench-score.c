/*
 * Scoring throughput of the risk-scorer, for tests/bench (issue 12): the core alone
 * (rs_model_score), the built plugin through the SDK's test host one Score call at a time, and
 * ScoreBatch with 1000 input sets a call.  Not a test: prints scores per second.
 *
 *   bench-risk-score PLUGIN.so DATA_DIR [SECONDS]
 *
 * DATA_DIR holds models/ (build/plugins/risk-scorer/data does).  The model is the white men's
 * Pooled Cohort Equation (ln terms and interactions: the most arithmetic of the shipped ones).
 */
#include <gmodule.h>
#include <medverse/medverse-plugin.h>
#include <stdio.h>
#include <stdlib.h>

#include "rs-model.h"
#include "rs-score.h"

#define BENCH_BATCH 1000

static const gchar bench_inputs[]
	= "{\"age\":55,\"sex\":\"male\",\"total_cholesterol\":{\"value\":5.5,\"unit\":\"mmol/L\"},"
	  "\"hdl_cholesterol\":50,\"systolic_bp\":135,\"on_bp_treatment\":true,"
	  "\"smoker\":\"current\",\"diabetes\":false}";

typedef gboolean (*BenchFunc) (gpointer data);

/* runs @func for about @seconds; returns calls per second */
static gdouble
bench_run (BenchFunc func, gpointer data, gdouble seconds)
{
	gint64 start = g_get_monotonic_time ();
	gint64 end = start + (gint64)(seconds * G_USEC_PER_SEC);
	guint64 n = 0;

	while (g_get_monotonic_time () < end) {
		if (!func (data))
			exit (EXIT_FAILURE);
		n++;
	}
	return n / ((g_get_monotonic_time () - start) / (gdouble)G_USEC_PER_SEC);
}

typedef struct {
	RsModel *model;
	GVariant *inputs; /* a{sv} */
	MvTestHost *host;
	GVariant *score_in; /* (sa{sv}s) */
	GVariant *batch_in; /* (saa{sv}s) */
} Bench;

static gboolean
bench_core (gpointer data)
{
	Bench *b = data;
	g_autoptr (GPtrArray) problems
		= g_ptr_array_new_with_free_func ((GDestroyNotify)rs_problem_free);
	g_autoptr (RsResult) r = rs_model_score (b->model, b->inputs, problems);
	g_autofree gchar *text = r != NULL ? rs_result_explain (b->model, r, RS_LANG_EN) : NULL;

	return r != NULL && text != NULL;
}

static gboolean
bench_call (MvTestHost *host, const gchar *method, GVariant *input)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GVariant) out = mv_test_host_call (host, method, input, &error);

	if (out == NULL)
		g_printerr ("%s: %s\n", method, error->message);
	return out != NULL;
}

static gboolean
bench_score (gpointer data)
{
	Bench *b = data;
	return bench_call (b->host, "Score", b->score_in);
}

static gboolean
bench_batch (gpointer data)
{
	Bench *b = data;
	return bench_call (b->host, "ScoreBatch", b->batch_in);
}

int
main (int argc, char **argv)
{
	g_autoptr (GError) error = NULL;
	GModule *module = NULL;
	g_autofree gchar *model_path = NULL;
	gpointer sym = NULL;
	GVariantBuilder sets;
	gdouble seconds = argc > 3 ? g_ascii_strtod (argv[3], NULL) : 3.0;
	Bench b = { 0 };

	if (argc < 3) {
		g_printerr ("usage: %s PLUGIN.so DATA_DIR [SECONDS]\n", argv[0]);
		return EXIT_FAILURE;
	}
	model_path = g_build_filename (argv[2], "models", "pce-2013-white-men.json", NULL);
	b.model = rs_model_load_file (model_path, &error);
	module = g_module_open (argv[1], G_MODULE_BIND_LOCAL);
	if (b.model == NULL || module == NULL
	    || !g_module_symbol (module, MV_PLUGIN_ENTRY_SYMBOL, &sym)) {
		g_printerr ("cannot load: %s\n",
			    error != NULL ? error->message : g_module_error ());
		return EXIT_FAILURE;
	}
	b.host = mv_test_host_new (sym, NULL, argv[2], &error);
	if (b.host == NULL) {
		g_printerr ("%s\n", error->message);
		return EXIT_FAILURE;
	}
	b.inputs = g_variant_ref_sink (
		json_gvariant_deserialize_data (bench_inputs, -1, "a{sv}", NULL));
	b.score_in = g_variant_ref_sink (
		g_variant_new ("(s@a{sv}s)", "pce-2013-white-men", b.inputs, "en"));
	g_variant_builder_init (&sets, G_VARIANT_TYPE ("aa{sv}"));
	for (guint i = 0; i < BENCH_BATCH; i++)
		g_variant_builder_add_value (&sets, b.inputs);
	b.batch_in = g_variant_ref_sink (
		g_variant_new ("(saa{sv}s)", "pce-2013-white-men", &sets, "en"));

	g_print ("core rs_model_score + explanation: %.0f scores/s\n",
		 bench_run (bench_core, &b, seconds));
	g_print ("plugin Score (test host):          %.0f scores/s\n",
		 bench_run (bench_score, &b, seconds));
	g_print ("plugin ScoreBatch, %d a call:     %.0f scores/s\n", BENCH_BATCH,
		 BENCH_BATCH * bench_run (bench_batch, &b, seconds));

	g_variant_unref (b.batch_in);
	g_variant_unref (b.score_in);
	g_variant_unref (b.inputs);
	mv_test_host_free (b.host);
	rs_model_free (b.model);
	g_module_close (module);
	return EXIT_SUCCESS;
}
