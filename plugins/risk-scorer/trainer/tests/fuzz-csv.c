/*
 * libFuzzer target: the trainer's CSV reader and, on what it accepts, the fit.  Any input is
 * either a table or an error that says what was wrong; a table either fits, with finite
 * coefficients and standard errors, or is refused with an error: never a crash, never a
 * number that means nothing.  The outcome column is "y", the positive value "1".
 */
#include <glib.h>
#include <math.h>

#include "rt-data.h"
#include "rt-error.h"
#include "rt-fit.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
	g_autoptr (GError) error = NULL;
	RtDataOptions opt = { "y", "1", NULL, RT_MISSING_DROP, FALSE };
	g_autoptr (RtData) table
		= rt_data_parse_csv ((const gchar *)data, size, "fuzz", &opt, &error);
	g_autoptr (RtFit) fit = NULL;
	RtFitOptions fopt;

	g_assert ((table == NULL) != (error == NULL));
	if (table == NULL) {
		g_assert (error->domain == RT_ERROR && error->message[0] != '\0');
		return 0;
	}
	g_assert (table->n_rows > 0 && table->n_events > 0 && table->n_events < table->n_rows);
	if (table->n_rows > 5000)
		return 0; /* bounded time per input */
	rt_fit_options_init (&fopt);
	fit = rt_fit_logistic (table->x, table->y, table->n_rows, table->n_features,
			       (const gchar *const *)table->names, NULL, table->n_rows, &fopt,
			       &error);
	g_assert ((fit == NULL) != (error == NULL));
	for (guint j = 0; fit != NULL && j < fit->n_terms; j++)
		g_assert (isfinite (fit->beta[j]) && isfinite (fit->se[j]) && fit->se[j] > 0);
	return 0;
}
