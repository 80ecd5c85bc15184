/* Training time of the trainer's core (tests/bench/risk/run.sh): reading the CSV and the
 * IRLS fit with its standard errors, each timed separately, the median of REPS runs.
 *   bench-train FILE OUTCOME POSITIVE REPS
 * prints: "read_s <median> fit_s <median> iterations <n>" */
#include "rt-data.h"
#include "rt-fit.h"

#include <stdlib.h>

static gint
compare_double (gconstpointer a, gconstpointer b)
{
	gdouble x = *(const gdouble *)a, y = *(const gdouble *)b;
	return (x > y) - (x < y);
}

static gdouble
median (GArray *v)
{
	g_array_sort (v, compare_double);
	return g_array_index (v, gdouble, v->len / 2);
}

int
main (int argc, char **argv)
{
	g_autoptr (GArray) read_s = g_array_new (FALSE, FALSE, sizeof (gdouble));
	g_autoptr (GArray) fit_s = g_array_new (FALSE, FALSE, sizeof (gdouble));
	RtDataOptions dopt = { 0 };
	RtFitOptions fopt;
	guint iterations = 0;
	gint reps;

	if (argc != 5) {
		g_printerr ("usage: bench-train FILE OUTCOME POSITIVE REPS\n");
		return 2;
	}
	dopt.outcome = argv[2];
	dopt.positive = argv[3];
	reps = atoi (argv[4]);
	rt_fit_options_init (&fopt);
	for (gint r = 0; r < reps; r++) {
		g_autoptr (GError) error = NULL;
		g_autoptr (RtData) data = NULL;
		g_autoptr (RtFit) fit = NULL;
		gint64 t0 = g_get_monotonic_time (), t1, t2;

		data = rt_data_read_csv (argv[1], &dopt, &error);
		t1 = g_get_monotonic_time ();
		if (data != NULL)
			fit = rt_fit_logistic (data->x, data->y, data->n_rows, data->n_features,
					       (const gchar *const *)data->names, NULL,
					       data->n_rows, &fopt, &error);
		t2 = g_get_monotonic_time ();
		if (fit == NULL) {
			g_printerr ("bench-train: %s\n", error->message);
			return 1;
		}
		iterations = fit->iterations;
		g_array_append_val (read_s, (gdouble){ (t1 - t0) / 1e6 });
		g_array_append_val (fit_s, (gdouble){ (t2 - t1) / 1e6 });
	}
	g_print ("read_s %.6f fit_s %.6f iterations %u\n", median (read_s), median (fit_s),
		 iterations);
	return 0;
}
