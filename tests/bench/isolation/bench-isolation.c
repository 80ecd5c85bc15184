/*
 * The same plugin call in process and isolated, in one run: bmi.Compute through the engine
 * (mv_engine_call_sync, as a route handler calls it), once with [plugin.bmi] isolation =
 * in-process and once with isolation = process.  Prints p50/p99 latency and calls per second
 * for 1 and 2 callers, and the isolated/in-process ratios.  Not a test: figures depend on the
 * machine (tests/bench/RESULTS.md keeps them with the machine they came from).
 *
 *   bench-isolation BMI_PLUGIN_DIR [CALLS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mv-config.h"
#include "mv-engine.h"

static const MvCaller caller = {
	.request_id = "bench",
	.clinic_id = "clinic-1",
	.role = MV_ROLE_CLINICIAN,
	.locale = "en",
};

typedef struct {
	MvEngine *engine;
	guint calls;
	gint64 *latency_us;
} Run;

static gpointer
run_calls (gpointer data)
{
	Run *run = data;

	for (guint i = 0; i < run->calls; i++) {
		g_autoptr (GError) error = NULL;
		gint64 t0 = g_get_monotonic_time ();
		g_autoptr (GVariant) out = mv_engine_call_sync (run->engine, "bmi", "Compute",
								g_variant_new ("(dd)", 70.0, 175.0),
								&caller, &error);
		if (out == NULL)
			g_error ("call failed: %s", error->message);
		if (run->latency_us != NULL)
			run->latency_us[i] = g_get_monotonic_time () - t0;
	}
	return NULL;
}

static gint
compare_gint64 (gconstpointer a, gconstpointer b)
{
	gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;
	return x < y ? -1 : x > y;
}

static MvEngine *
engine_for (const gchar *dir, const gchar *isolation)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *text = g_strdup_printf ("[daemon]\nplugin-dirs=%s\n"
						  "[plugin.bmi]\nisolation=%s\nprocesses=2\n",
						  dir, isolation);
	g_autoptr (MvConfig) config = mv_config_load_from_data (text, strlen (text), &error);
	MvEngine *engine;

	if (config == NULL)
		g_error ("%s", error->message);
	engine = mv_engine_new (config);
	if (!mv_engine_load_plugins (engine, &error))
		g_error ("%s", error->message);
	return engine;
}

typedef struct {
	gint64 p50, p99;
	gdouble one_caller_per_s, two_callers_per_s;
} Figures;

static void
measure (MvEngine *engine, guint calls, Figures *f)
{
	g_autofree gint64 *latency = g_new0 (gint64, calls);
	Run warm = { engine, 500, NULL };
	Run one = { engine, calls, latency };
	Run two[2] = { { engine, calls, NULL }, { engine, calls, NULL } };
	GThread *threads[2];
	gint64 t0;

	run_calls (&warm);
	t0 = g_get_monotonic_time ();
	run_calls (&one);
	f->one_caller_per_s = calls / ((g_get_monotonic_time () - t0) / 1e6);
	qsort (latency, calls, sizeof (gint64), (GCompareFunc)compare_gint64);
	f->p50 = latency[calls / 2];
	f->p99 = latency[calls * 99 / 100];
	t0 = g_get_monotonic_time ();
	for (guint i = 0; i < 2; i++)
		threads[i] = g_thread_new ("caller", run_calls, &two[i]);
	for (guint i = 0; i < 2; i++)
		g_thread_join (threads[i]);
	f->two_callers_per_s = 2 * calls / ((g_get_monotonic_time () - t0) / 1e6);
}

int
main (int argc, char **argv)
{
	guint calls = argc > 2 ? (guint)atoi (argv[2]) : 20000;
	Figures in = { 0 }, iso = { 0 };
	MvEngine *in_process, *isolated;

	if (argc < 2) {
		fprintf (stderr, "usage: bench-isolation BMI_PLUGIN_DIR [CALLS]\n");
		return 64;
	}
	in_process = engine_for (argv[1], "in-process");
	isolated = engine_for (argv[1], "process");
	/* alternate, so a change in the machine's load hits both */
	measure (in_process, calls, &in);
	measure (isolated, calls, &iso);
	printf ("bmi.Compute through mv_engine_call_sync, %u calls per caller\n", calls);
	printf ("%-12s %8s %8s %14s %14s\n", "mode", "p50 us", "p99 us", "1 caller /s",
		"2 callers /s");
	printf ("%-12s %8" G_GINT64_FORMAT " %8" G_GINT64_FORMAT " %14.0f %14.0f\n", "in-process",
		in.p50, in.p99, in.one_caller_per_s, in.two_callers_per_s);
	printf ("%-12s %8" G_GINT64_FORMAT " %8" G_GINT64_FORMAT " %14.0f %14.0f\n", "isolated",
		iso.p50, iso.p99, iso.one_caller_per_s, iso.two_callers_per_s);
	printf ("p50 overhead %" G_GINT64_FORMAT " us; throughput isolated/in-process: %.2f (1 "
		"caller), %.2f (2 callers)\n",
		iso.p50 - in.p50, iso.one_caller_per_s / in.one_caller_per_s,
		iso.two_callers_per_s / in.two_callers_per_s);
	mv_engine_shutdown (in_process, 5000);
	mv_engine_shutdown (isolated, 5000);
	g_object_unref (in_process);
	g_object_unref (isolated);
	return 0;
}
