/* medverse-train (issue 12, item 5): R's Pima fit to 1e-6 relative, separation,
 * collinearity, missing values, bad CSV, the L2 penalty, AUC and Brier on hand-checked
 * examples, seeded cross-validation, and the model file the command line writes. */
#include "rt-data.h"
#include "rt-error.h"
#include "rt-fit.h"
#include "rt-linalg.h"
#include "rt-metrics.h"
#include "rt-train.h"

#include <criterion/criterion.h>
#include <glib/gstdio.h>
#include <sys/wait.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

static gchar *
data_path (const gchar *env, const gchar *name)
{
	const gchar *dir = g_getenv (env);
	cr_assert_not_null (dir, "%s is set by meson", env);
	return g_build_filename (dir, name, NULL);
}

static RtData *
load (const gchar *name,
      const gchar *outcome,
      const gchar *positive,
      const gchar *features,
      RtMissingRule missing,
      GError **error)
{
	g_autofree gchar *path = data_path ("RT_TEST_DATA", name);
	g_auto (GStrv) feats = features ? g_strsplit (features, ",", -1) : NULL;
	RtDataOptions opt = { outcome, positive, (const gchar *const *)feats, missing, FALSE };
	return rt_data_read_csv (path, &opt, error);
}

static RtFit *
fit_data (const RtData *d, gdouble l2, GError **error)
{
	RtFitOptions opt;
	rt_fit_options_init (&opt);
	opt.l2 = l2;
	return rt_fit_logistic (d->x, d->y, d->n_rows, d->n_features,
				(const gchar *const *)d->names, NULL, d->n_rows, &opt, error);
}

static RtData *
load_pima (void)
{
	g_autofree gchar *path = data_path ("RT_PIMA_DIR", "pima.csv");
	g_autoptr (GError) error = NULL;
	RtDataOptions opt = { "diabetes", "pos", NULL, RT_MISSING_FAIL, FALSE };
	RtData *d = rt_data_read_csv (path, &opt, &error);
	cr_assert_not_null (d, "%s", error ? error->message : "");
	return d;
}

static gdouble
rel_diff (gdouble a, gdouble b)
{
	return fabs (a - b) / fabs (b);
}

/* Compares @fit with an R reference file (term, estimate, std_error, z, p; #iterations,
 * #deviance): every number to 1e-6 relative, the iterations exactly.  Returns the largest
 * relative difference of a coefficient or standard error. */
static gdouble
compare_with_r (const RtFit *fit, const gchar *path)
{
	g_autofree gchar *text = NULL;
	g_auto (GStrv) lines = NULL;
	guint checked = 0;
	gdouble worst = 0;

	cr_assert (g_file_get_contents (path, &text, NULL, NULL), "%s", path);
	lines = g_strsplit (text, "\n", -1);
	for (guint l = 0; lines[l] != NULL; l++) {
		g_auto (GStrv) f = g_strsplit (lines[l], "\t", -1);
		guint j;
		if (g_strv_length (f) == 2 && strcmp (f[0], "#iterations") == 0)
			cr_expect_eq (fit->iterations, (guint)atoi (f[1]), "R took %s iterations",
				      f[1]);
		if (g_strv_length (f) == 2 && strcmp (f[0], "#deviance") == 0)
			cr_expect_lt (rel_diff (fit->deviance, g_ascii_strtod (f[1], NULL)), 1e-9);
		if (g_strv_length (f) != 5 || f[0][0] == '#' || strcmp (f[0], "term") == 0)
			continue;
		for (j = 0; j < fit->n_terms && strcmp (fit->names[j], f[0]) != 0; j++)
			;
		cr_assert_lt (j, fit->n_terms, "term %s of R's fit", f[0]);
		gdouble est = g_ascii_strtod (f[1], NULL), se = g_ascii_strtod (f[2], NULL);
		gdouble z = g_ascii_strtod (f[3], NULL), p = g_ascii_strtod (f[4], NULL);
		cr_expect_lt (rel_diff (fit->beta[j], est), 1e-6, "%s: %.17g vs R %.17g", f[0],
			      fit->beta[j], est);
		cr_expect_lt (rel_diff (fit->se[j], se), 1e-6, "%s se: %.17g vs R %.17g", f[0],
			      fit->se[j], se);
		cr_expect_lt (rel_diff (fit->z[j], z), 1e-6);
		cr_expect_lt (rel_diff (fit->p[j], p), 1e-6);
		worst = MAX (worst, MAX (rel_diff (fit->beta[j], est), rel_diff (fit->se[j], se)));
		checked++;
	}
	cr_assert_eq (checked, fit->n_terms, "every term of the fit is in R's");
	return worst;
}

/* reference.tsv from tests/data/pima/reference.R */
Test (pima, matches_r_glm)
{
	g_autofree gchar *path = data_path ("RT_PIMA_DIR", "reference.tsv");
	g_autoptr (RtData) d = load_pima ();
	g_autoptr (GError) error = NULL;
	g_autoptr (RtFit) fit = fit_data (d, 0, &error);

	cr_assert_not_null (fit, "%s", error ? error->message : "");
	cr_assert_eq (fit->n_terms, 9, "intercept and the 8 columns");
	cr_log_info ("pima: largest relative difference to R %.3g", compare_with_r (fit, path));
}

/* R warns "fitted probabilities numerically 0 or 1" here, but the maximum exists: strong
 * effects are not separation (data/strong-reference.R) */
Test (fit, strong_model_is_not_separation)
{
	g_autofree gchar *path = data_path ("RT_TEST_DATA", "strong-reference.tsv");
	g_autoptr (GError) error = NULL;
	g_autoptr (RtData) d = load ("strong.csv", "y", "1", NULL, RT_MISSING_FAIL, &error);
	g_autoptr (RtFit) fit = fit_data (d, 0, &error);

	cr_assert_not_null (fit, "%s", error ? error->message : "");
	cr_log_info ("strong: largest relative difference to R %.3g", compare_with_r (fit, path));
}

/* a "#key\tvalue" line of the Pima reference */
static gdouble
reference_value (const gchar *key)
{
	g_autofree gchar *path = data_path ("RT_PIMA_DIR", "reference.tsv");
	g_autofree gchar *text = NULL;
	g_auto (GStrv) lines = NULL;

	cr_assert (g_file_get_contents (path, &text, NULL, NULL));
	lines = g_strsplit (text, "\n", -1);
	for (guint l = 0; lines[l] != NULL; l++)
		if (g_str_has_prefix (lines[l], key) && lines[l][strlen (key)] == '\t')
			return g_ascii_strtod (lines[l] + strlen (key) + 1, NULL);
	cr_assert_fail ("%s not in reference.tsv", key);
	return NAN;
}

/* the likelihood equations make an unpenalised fit perfectly calibrated on its own rows */
Test (pima, apparent_calibration_and_figures)
{
	g_autoptr (RtData) d = load_pima ();
	g_autoptr (GError) error = NULL;
	RtFitOptions opt;
	g_autoptr (RtTraining) t = NULL;

	rt_fit_options_init (&opt);
	t = rt_train (d, &opt, 10, 1, &error);
	cr_assert_not_null (t, "%s", error ? error->message : "");
	cr_expect_lt (fabs (t->cal_intercept), 1e-6);
	cr_expect_lt (fabs (t->cal_slope - 1), 1e-6);
	/* R's figures from the same fit (reference.R) */
	cr_expect_lt (rel_diff (t->auc, reference_value ("#auc")), 1e-9, "auc %.17g", t->auc);
	cr_expect_lt (rel_diff (t->brier, reference_value ("#brier")), 1e-9, "brier %.17g",
		      t->brier);
	cr_expect_lt (rel_diff (t->fit->null_deviance, reference_value ("#null_deviance")), 1e-9);
	cr_expect_lt (rel_diff (t->fit->aic, reference_value ("#aic")), 1e-9);
	cr_expect (t->cv->mean_auc < t->auc && t->cv->mean_auc > 0.78, "cv auc %g",
		   t->cv->mean_auc);
}

Test (cv, same_seed_same_folds)
{
	g_autoptr (RtData) d = load_pima ();
	RtFitOptions opt;
	const gchar *const *names = (const gchar *const *)d->names;
	g_autoptr (RtCrossValidation) a = NULL, b = NULL, c = NULL;

	rt_fit_options_init (&opt);
	a = rt_cross_validate (d->x, d->y, d->n_rows, d->n_features, names, 5, 42, &opt, NULL);
	b = rt_cross_validate (d->x, d->y, d->n_rows, d->n_features, names, 5, 42, &opt, NULL);
	c = rt_cross_validate (d->x, d->y, d->n_rows, d->n_features, names, 5, 43, &opt, NULL);
	cr_assert (a && b && c);
	for (guint f = 0; f < 5; f++)
		cr_expect_eq (a->fold_auc[f], b->fold_auc[f], "fold %u", f);
	cr_expect_eq (memcmp (a->oof_lp, b->oof_lp, d->n_rows * sizeof (gdouble)), 0);
	cr_expect_neq (a->mean_auc, c->mean_auc, "another seed, other folds");
}

Test (cv, too_few_events_for_the_folds)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (RtData) d = load ("missing.csv", "event", "1", NULL, RT_MISSING_DROP, &error);
	RtFitOptions opt;

	cr_assert_not_null (d);
	rt_fit_options_init (&opt);
	cr_expect_null (rt_cross_validate (d->x, d->y, d->n_rows, d->n_features,
					   (const gchar *const *)d->names, 10, 1, &opt, &error));
	cr_expect (g_error_matches (error, RT_ERROR, RT_ERROR_ARGUMENT));
}

static void
expect_fit_error (const gchar *file,
		  const gchar *features,
		  gint code,
		  const gchar *const *named,
		  const gchar *not_named)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (RtData) d = load (file, "event", "1", features, RT_MISSING_FAIL, &error);
	g_autoptr (RtFit) fit = NULL;

	cr_assert_not_null (d, "%s", error ? error->message : "");
	fit = fit_data (d, 0, &error);
	cr_assert_null (fit, "%s must not fit", file);
	cr_assert (g_error_matches (error, RT_ERROR, code), "%s: %s", file, error->message);
	for (guint i = 0; named[i] != NULL; i++)
		cr_expect_not_null (strstr (error->message, named[i]), "%s names %s: %s", file,
				    named[i], error->message);
	if (not_named != NULL)
		cr_expect_null (strstr (error->message, not_named), "%s: %s", file, error->message);
}

Test (separation, complete)
{
	const gchar *const named[] = { "'dose'", "≥ 5", NULL };
	expect_fit_error ("separation.csv", "dose,noise", RT_ERROR_SEPARATION, named, "'noise'");
}

Test (separation, quasi_complete)
{
	const gchar *const named[] = { "'exposed'", "15 of 60", NULL };
	expect_fit_error ("quasi-separation.csv", NULL, RT_ERROR_SEPARATION, named, "'age'");
}

/* the penalised likelihood has a maximum even when the outcome is separated */
Test (separation, l2_gives_finite_estimates)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (RtData) d = load ("separation.csv", "event", "1", NULL, RT_MISSING_FAIL, &error);
	g_autoptr (RtFit) fit = fit_data (d, 1.0, &error);

	cr_assert_not_null (fit, "%s", error ? error->message : "");
	cr_expect (fit->beta[1] > 0 && fit->beta[1] < 10, "dose %g", fit->beta[1]);
}

Test (collinearity, exact)
{
	const gchar *const named[] = { "'total'", "'a'", "'b'", NULL };
	expect_fit_error ("collinear.csv", NULL, RT_ERROR_COLLINEAR, named, NULL);
}

Test (collinearity, near_with_condition_number)
{
	const gchar *const named[] = { "'height_cm'", "'height_in'", "condition number", NULL };
	expect_fit_error ("near-collinear.csv", NULL, RT_ERROR_COLLINEAR, named, "'weight'");
}

Test (collinearity, constant_column)
{
	const gchar *const named[] = { "'site'", "constant", NULL };
	expect_fit_error ("constant.csv", NULL, RT_ERROR_COLLINEAR, named, "'age'");
}

Test (missing, drop_counts_rows)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (RtData) d = load ("missing.csv", "event", "1", NULL, RT_MISSING_DROP, &error);

	cr_assert_not_null (d, "%s", error ? error->message : "");
	cr_expect_eq (d->n_read, 12);
	cr_expect_eq (d->n_dropped, 3);
	cr_expect_eq (d->n_rows, 9);
	cr_expect_eq (d->row[1], 4, "rows 2 and 3 were dropped");
	cr_expect_eq (d->x[1 * 2 + 0], 44);
}

Test (missing, fail_names_row_and_column)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (RtData) d = load ("missing.csv", "event", "1", NULL, RT_MISSING_FAIL, &error);

	cr_assert_null (d);
	cr_assert (g_error_matches (error, RT_ERROR, RT_ERROR_MISSING));
	cr_expect_not_null (strstr (error->message, "row 2 (line 3), column 'sbp'"), "%s",
			    error->message);
}

static void
expect_csv_error (const gchar *file, gint code, const gchar *text)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (RtData) d = load (file, "event", "1", NULL, RT_MISSING_DROP, &error);

	cr_assert_null (d, "%s must not load", file);
	cr_assert (g_error_matches (error, RT_ERROR, code), "%s: %s", file, error->message);
	cr_expect_not_null (strstr (error->message, text), "%s: %s", file, error->message);
}

Test (csv, bad_files)
{
	expect_csv_error ("not-a-number.csv", RT_ERROR_VALUE, "row 3 (line 4), column 'sbp'");
	expect_csv_error ("unclosed-quote.csv", RT_ERROR_CSV, "line 3");
	expect_csv_error ("field-count.csv", RT_ERROR_CSV, "row 2 (line 3) has 2 fields");
	/* the value itself may be a patient's datum: never in the message */
	{
		g_autoptr (GError) error = NULL;
		g_autoptr (RtData) d
			= load ("not-a-number.csv", "event", "1", NULL, RT_MISSING_DROP, &error);
		cr_expect_null (strstr (error->message, "high"));
	}
}

Test (csv, unknown_columns_listed)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (RtData) d
		= load ("missing.csv", "outcome", "1", "age,bmi", RT_MISSING_DROP, &error);

	cr_assert_null (d);
	cr_assert (g_error_matches (error, RT_ERROR, RT_ERROR_ARGUMENT));
	cr_expect_not_null (strstr (error->message, "'outcome', 'bmi'"), "%s", error->message);
	g_clear_error (&error);
	cr_expect_null (load ("missing.csv", "event", "1", "age,sbp,age", RT_MISSING_DROP, &error));
	cr_expect (g_error_matches (error, RT_ERROR, RT_ERROR_ARGUMENT));
	cr_expect_not_null (strstr (error->message, "'age' twice"), "%s", error->message);
}

/* RFC 4180: quoted names and values, a comma inside quotes, CRLF, a byte order mark */
Test (csv, quoted_fields)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (RtData) d = load ("quoted.csv", "event", "yes", NULL, RT_MISSING_FAIL, &error);
	const gchar *text = "a,b,y\n\"1\",\"x \"\"q\"\"\",1\n";
	RtDataOptions opt = { "y", "1", NULL, RT_MISSING_FAIL, FALSE };
	g_autoptr (RtData) bad = NULL;

	cr_assert_not_null (d, "%s", error ? error->message : "");
	cr_expect_str_eq (d->names[0], "age");
	cr_expect_str_eq (d->names[1], "systolic, mmHg");
	cr_expect_eq (d->n_rows, 6);
	cr_expect_eq (d->n_events, 3);
	cr_expect_eq (d->x[1 * 2 + 0], 61);
	cr_expect_eq (d->x[0 * 2 + 1], 120);
	/* an escaped quote is text, and text is not a number */
	bad = rt_data_parse_csv (text, strlen (text), "inline", &opt, &error);
	cr_expect_null (bad);
	cr_expect (g_error_matches (error, RT_ERROR, RT_ERROR_VALUE));
}

Test (l2, slopes_shrink_intercept_free)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (RtData) d = load ("plain.csv", "outcome", "yes", NULL, RT_MISSING_FAIL, &error);
	gdouble lambdas[] = { 0, 1, 10, 100, 1e7 };
	gdouble prev = INFINITY, ybar = (gdouble)d->n_events / d->n_rows;

	cr_assert_not_null (d);
	for (guint l = 0; l < G_N_ELEMENTS (lambdas); l++) {
		g_autoptr (RtFit) fit = fit_data (d, lambdas[l], &error);
		gdouble norm = 0;
		cr_assert_not_null (fit, "%s", error ? error->message : "");
		for (guint j = 1; j < fit->n_terms; j++)
			norm += fit->beta[j] * fit->beta[j];
		cr_expect_lt (norm, prev, "λ = %g: |β| %g must shrink", lambdas[l], norm);
		prev = norm;
		if (lambdas[l] > 1e6) /* slopes ~0: the intercept alone is logit(mean y) */
			cr_expect_lt (fabs (fit->beta[0] - log (ybar / (1 - ybar))), 1e-3);
	}
}

/* 4 pairs (event, non-event): 0.35 < 0.4 is the one discordant pair */
Test (metrics, auc_by_hand)
{
	gdouble s[] = { 0.1, 0.4, 0.35, 0.8 };
	guint8 y[] = { 0, 0, 1, 1 };
	gdouble tied[] = { 0.5, 0.5, 0.2, 0.9 };
	guint8 ty[] = { 1, 0, 0, 1 };
	guint8 one_class[] = { 1, 1, 1, 1 };

	cr_expect_float_eq (rt_auc (s, y, 4), 0.75, 1e-15);
	/* (0.5, 0.5) is a tie, half a pair: (1 + 0.5 + 1 + 1) / 4 */
	cr_expect_float_eq (rt_auc (tied, ty, 4), 0.875, 1e-15);
	cr_expect (isnan (rt_auc (s, one_class, 4)));
}

Test (metrics, brier_by_hand)
{
	gdouble p[] = { 0.9, 0.2, 0.5 };
	guint8 y[] = { 1, 0, 1 };
	/* (0.01 + 0.04 + 0.25) / 3 */
	cr_expect_float_eq (rt_brier (p, y, 3), 0.1, 1e-15);
}

Test (linalg, eigen_and_cholesky)
{
	gdouble a[] = { 4, 2, 2, 3 };
	gdouble l[] = { 4, 2, 2, 3 };
	gdouble values[2], vectors[4], b[] = { 2, 1 }, inv[4];
	gdouble singular[] = { 1, 2, 2, 4 };

	rt_symmetric_eigen (a, 2, values, vectors);
	/* (7 ∓ sqrt 17) / 2 */
	cr_expect_float_eq (values[0], (7 - sqrt (17)) / 2, 1e-12);
	cr_expect_float_eq (values[1], (7 + sqrt (17)) / 2, 1e-12);
	cr_assert_eq (rt_cholesky (l, 2, 1e-12), -1);
	rt_cholesky_solve (l, 2, b); /* [4 2; 2 3] x = [2 1]: x = (0.5, 0) */
	cr_expect_float_eq (b[0], 0.5, 1e-15);
	cr_expect_float_eq (b[1], 0, 1e-15);
	rt_cholesky_inverse (l, 2, inv);
	cr_expect_float_eq (inv[1], -2.0 / 8, 1e-15);
	cr_expect_eq (rt_cholesky (singular, 2, 1e-12), 1);
}

static gint
run_train (const gchar *const *extra, gchar **out, gchar **err)
{
	g_autoptr (GPtrArray) argv = g_ptr_array_new ();
	g_autoptr (GError) error = NULL;
	gint status = 0;

	g_ptr_array_add (argv, (gpointer)g_getenv ("RT_TRAIN"));
	for (guint i = 0; extra[i] != NULL; i++)
		g_ptr_array_add (argv, (gpointer)extra[i]);
	g_ptr_array_add (argv, NULL);
	cr_assert (g_spawn_sync (NULL, (gchar **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
				 out, err, &status, &error),
		   "%s", error ? error->message : "");
	return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static JsonObject *
member_object (JsonObject *o, const gchar *name)
{
	cr_assert (json_object_has_member (o, name), "member %s", name);
	return json_object_get_object_member (o, name);
}

/* the model file of spec section 4, and its worked example recomputed from the file alone */
Test (cli, pima_model_file)
{
	g_autofree gchar *csv = data_path ("RT_PIMA_DIR", "pima.csv");
	g_autofree gchar *dir = g_dir_make_tmp ("rt-train-XXXXXX", NULL);
	g_autofree gchar *model = g_build_filename (dir, "pima-diabetes.json", NULL);
	const gchar *const args[]
		= { "--csv",	     csv,	 "--outcome",  "diabetes",  "--positive",
		    "pos",	     "--out",	 model,	       "--example", "1",
		    "--title-en",    "Diabetes", "--title-zh", "糖尿病",    "--units",
		    "glucose=mg/dL", NULL };
	g_autofree gchar *out = NULL, *err = NULL;
	g_autoptr (JsonParser) parser = json_parser_new ();
	g_autoptr (GError) error = NULL;
	JsonObject *root, *training, *ses, *ex;
	JsonArray *features, *inputs;
	gdouble lp;

	cr_assert_eq (run_train (args, &out, &err), 0, "%s", err);
	cr_expect_not_null (strstr (out, "AUC"));
	cr_assert (json_parser_load_from_file (parser, model, &error), "%s",
		   error ? error->message : "");
	root = json_node_get_object (json_parser_get_root (parser));
	cr_expect_str_eq (json_object_get_string_member (root, "id"), "pima-diabetes");
	cr_expect_str_eq (json_object_get_string_member (root, "link"), "logistic");
	cr_expect_str_eq (json_object_get_string_member (member_object (root, "title"), "zh"),
			  "糖尿病");
	cr_expect_float_eq (json_object_get_double_member (root, "intercept"), -8.4046963669131589,
			    1e-8);
	features = json_object_get_array_member (root, "features");
	inputs = json_object_get_array_member (root, "inputs");
	cr_assert_eq (json_array_get_length (features), 8);
	cr_assert_eq (json_array_get_length (inputs), 8);
	for (guint j = 0; j < 8; j++) {
		JsonObject *f = json_array_get_object_element (features, j);
		JsonObject *in = json_array_get_object_element (inputs, j);
		cr_expect_str_eq (json_object_get_string_member (f, "transform"), "linear");
		cr_expect_str_eq (json_object_get_string_member (f, "input"),
				  json_object_get_string_member (in, "name"));
		cr_expect_str_eq (json_object_get_string_member (in, "type"), "number");
		cr_expect (json_object_has_member (in, "unit")
			   && json_object_has_member (in, "range"));
	}
	cr_expect_str_eq (
		json_object_get_string_member (json_array_get_object_element (inputs, 1), "unit"),
		"mg/dL");
	cr_expect_eq (json_array_get_length (json_object_get_array_member (root, "categories")), 3);
	training = member_object (root, "training");
	cr_expect_eq (json_object_get_int_member (training, "rows"), 768);
	cr_expect_eq (json_object_get_int_member (training, "events"), 268);
	cr_expect_eq (json_object_get_int_member (training, "folds"), 10);
	cr_expect (json_object_has_member (training, "cv_auc"));
	cr_expect (json_object_has_member (training, "date"));
	ses = member_object (training, "standard_errors");
	cr_expect_float_eq (json_object_get_double_member (ses, "glucose"), 0.0037087074557688557,
			    1e-9);
	cr_expect_eq (json_object_get_size (ses), 9);
	/* the example (data row 1) recomputed as any tool would: intercept + Σ coefficient × x */
	ex = json_array_get_object_element (json_object_get_array_member (root, "examples"), 0);
	lp = json_object_get_double_member (root, "intercept");
	for (guint j = 0; j < 8; j++) {
		JsonObject *f = json_array_get_object_element (features, j);
		lp += json_object_get_double_member (f, "coefficient")
		      * json_object_get_double_member (member_object (ex, "inputs"),
						       json_object_get_string_member (f, "name"));
	}
	cr_expect_float_eq (json_object_get_double_member (ex, "probability"), 1 / (1 + exp (-lp)),
			    1e-12);
	cr_expect_eq (json_object_get_double_member (member_object (ex, "inputs"), "glucose"), 148);
	g_unlink (model);
	g_rmdir (dir);
}

/* a 0/1 column is a boolean input with the indicator transform */
Test (cli, boolean_column_and_exit_codes)
{
	g_autofree gchar *plain = data_path ("RT_TEST_DATA", "plain.csv");
	g_autofree gchar *sep = data_path ("RT_TEST_DATA", "separation.csv");
	g_autofree gchar *col = data_path ("RT_TEST_DATA", "collinear.csv");
	g_autofree gchar *dir = g_dir_make_tmp ("rt-train-XXXXXX", NULL);
	g_autofree gchar *model = g_build_filename (dir, "plain-model.json", NULL);
	const gchar *const ok[] = { "--csv", plain, "--outcome", "outcome", "--positive", "yes",
				    "--out", model, "--folds",	 "5",	    NULL };
	const gchar *const bad_id[] = { "--csv", plain, "--outcome", "outcome", "--positive", "yes",
					"--out", model, "--id",	     "Other",	NULL };
	const gchar *const separated[]
		= { "--csv", sep, "--outcome", "event", "--positive", "1", "--out", model, NULL };
	const gchar *const collinear[]
		= { "--csv", col, "--outcome", "event", "--positive", "1", "--out", model, NULL };
	const gchar *const usage[] = { "--csv", plain, NULL };
	g_autofree gchar *out = NULL, *err = NULL, *text = NULL;

	cr_assert_eq (run_train (ok, &out, &err), 0, "%s", err);
	cr_assert (g_file_get_contents (model, &text, NULL, NULL));
	cr_expect_not_null (strstr (text, "\"type\" : \"boolean\""));
	cr_expect_not_null (strstr (text, "\"transform\" : \"indicator\""));
	g_clear_pointer (&out, g_free);
	g_clear_pointer (&err, g_free);
	cr_expect_eq (run_train (bad_id, &out, &err), 2, "%s", err);
	g_clear_pointer (&out, g_free);
	g_clear_pointer (&err, g_free);
	cr_expect_eq (run_train (separated, &out, &err), 3);
	cr_expect_not_null (strstr (err, "separation"), "%s", err);
	g_clear_pointer (&out, g_free);
	g_clear_pointer (&err, g_free);
	cr_expect_eq (run_train (collinear, &out, &err), 4);
	cr_expect_not_null (strstr (err, "collinearity"), "%s", err);
	g_clear_pointer (&out, g_free);
	g_clear_pointer (&err, g_free);
	cr_expect_eq (run_train (usage, &out, &err), 2);
	g_unlink (model);
	g_rmdir (dir);
}

/* --progress: each iteration on stderr; --lang zh: the report and the errors in Chinese */
Test (cli, progress_and_chinese)
{
	g_autofree gchar *plain = data_path ("RT_TEST_DATA", "plain.csv");
	g_autofree gchar *sep = data_path ("RT_TEST_DATA", "separation.csv");
	g_autofree gchar *dir = g_dir_make_tmp ("rt-train-XXXXXX", NULL);
	g_autofree gchar *model = g_build_filename (dir, "plain-model.json", NULL);
	const gchar *const progress[]
		= { "--csv", plain, "--outcome",  "outcome", "--positive", "yes",
		    "--out", model, "--progress", "--lang",  "zh",	   NULL };
	const gchar *const separated[] = { "--csv", sep,   "--outcome", "event", "--positive", "1",
					   "--out", model, "--lang",	"zh",	 NULL };
	g_autofree gchar *out = NULL, *err = NULL;

	cr_assert_eq (run_train (progress, &out, &err), 0, "%s", err);
	cr_expect_not_null (strstr (err, "迭代 1: 偏差"), "%s", err);
	cr_expect_not_null (strstr (out, "交叉验证"), "%s", out);
	g_clear_pointer (&out, g_free);
	g_clear_pointer (&err, g_free);
	cr_expect_eq (run_train (separated, &out, &err), 3);
	cr_expect_not_null (strstr (err, "完全或准完全分离"), "%s", err);
	cr_expect_not_null (strstr (err, "“dose”"), "%s", err);
	g_unlink (model);
	g_rmdir (dir);
}

static void
expect_inline_error (const gchar *text, gint code, const gchar *message_part)
{
	RtDataOptions opt = { "y", "1", NULL, RT_MISSING_FAIL, FALSE };
	g_autoptr (GError) error = NULL;
	g_autoptr (RtData) d = rt_data_parse_csv (text, strlen (text), "inline", &opt, &error);
	g_autoptr (RtFit) fit = NULL;

	cr_assert_not_null (d, "%s", error ? error->message : "");
	fit = fit_data (d, 0, &error);
	cr_assert_null (fit);
	cr_assert (g_error_matches (error, RT_ERROR, code), "%s", error->message);
	cr_expect_not_null (strstr (error->message, message_part), "%s", error->message);
}

/* numbers a double-precision fit cannot hold, and too few rows: an error, not a fit */
Test (fit, unfittable_tables)
{
	expect_inline_error ("a,b,y\n1e300,2,1\n-1e300,3,0\n5e299,4,1\n1,1,0\n2,2,1\n3,7,0\n",
			     RT_ERROR_VALUE, "column 'a' holds values too large");
	expect_inline_error ("a,y\n1e-300,1\n2e-300,0\n3e-300,1\n1e-300,0\n", RT_ERROR_VALUE,
			     "column 'a' varies on a scale");
	expect_inline_error ("a,b,y\n1,2,1\n2,3,0\n3,1,1\n", RT_ERROR_VALUE,
			     "3 rows are too few for 3 terms");
}

/* the penalised fit is the maximum of loglik − (λ/2) Σ βj²: its gradient is zero there */
Test (l2, penalised_score_is_zero)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (RtData) d = load ("plain.csv", "outcome", "yes", NULL, RT_MISSING_FAIL, &error);
	g_autoptr (RtFit) fit = fit_data (d, 5.0, &error);
	gdouble grad[4] = { 0 };

	cr_assert_not_null (fit, "%s", error ? error->message : "");
	for (guint i = 0; i < d->n_rows; i++) {
		const gdouble *row = d->x + (gsize)i * d->n_features;
		gdouble r = d->y[i] - rt_logistic (rt_fit_linear_predictor (fit, row));
		grad[0] += r;
		for (guint j = 0; j < 3; j++)
			grad[j + 1] += r * row[j];
	}
	cr_expect_lt (fabs (grad[0]), 1e-6, "the intercept is not penalised: %g", grad[0]);
	for (guint j = 1; j < 4; j++)
		cr_expect_lt (fabs (grad[j] - 5.0 * fit->beta[j]), 1e-6, "slope %u: %g vs %g", j,
			      grad[j], 5.0 * fit->beta[j]);
}

/* --positive that matches no row names the values the column holds (a typo of case is the
 * usual cause); "1 row" in the singular; --label and --outcome-text in both languages. */
Test (cli, positive_typo_labels_and_texts)
{
	g_autofree gchar *plain = data_path ("RT_TEST_DATA", "plain.csv");
	g_autofree gchar *one = data_path ("RT_TEST_DATA", "one-missing.csv");
	g_autofree gchar *dir = g_dir_make_tmp ("rt-train-XXXXXX", NULL);
	g_autofree gchar *model = g_build_filename (dir, "plain-model.json", NULL);
	const gchar *const typo[] = { "--csv", plain,	"--outcome", "outcome", "--positive",
				      "Yes",   "--out", model,	     NULL };
	const gchar *const typo_zh[]
		= { "--csv", plain, "--outcome", "outcome", "--positive", "Yes",
		    "--out", model, "--lang",	 "zh",	    NULL };
	const gchar *const labelled[] = { "--csv",
					  one,
					  "--outcome",
					  "outcome",
					  "--positive",
					  "yes",
					  "--out",
					  model,
					  "--folds",
					  "0",
					  "--label",
					  "x1=Systolic pressure|收缩压",
					  "--label",
					  "smoker=en:Smoker, current,zh:吸烟",
					  "--outcome-text",
					  "Incident event|新发事件",
					  NULL };
	const gchar *const bad_label[]
		= { "--csv", plain, "--outcome", "outcome",  "--positive", "yes",
		    "--out", model, "--label",	 "nosuch=X", NULL };
	g_autofree gchar *out = NULL, *err = NULL, *text = NULL;
	g_autoptr (JsonParser) jp = json_parser_new ();
	JsonObject *root;
	JsonArray *inputs;
	JsonObject *label;

	cr_assert_eq (run_train (typo, &out, &err), 1);
	cr_expect_not_null (strstr (err, "no row has the outcome 'outcome' equal to --positive "
					 "'Yes' (the match is exact, case included); the column "
					 "holds 'no', 'yes'"),
			    "%s", err);
	g_clear_pointer (&out, g_free);
	g_clear_pointer (&err, g_free);
	cr_assert_eq (run_train (typo_zh, &out, &err), 1);
	cr_expect_not_null (strstr (err, "该列的取值为 “no”、“yes”"), "%s", err);
	g_clear_pointer (&out, g_free);
	g_clear_pointer (&err, g_free);

	cr_assert_eq (run_train (labelled, &out, &err), 0, "%s", err);
	cr_expect_not_null (strstr (err, "medverse-train: 1 row left out for a missing value"),
			    "%s", err);
	cr_assert (g_file_get_contents (model, &text, NULL, NULL));
	cr_assert (json_parser_load_from_data (jp, text, -1, NULL));
	root = json_node_get_object (json_parser_get_root (jp));
	inputs = json_object_get_array_member (root, "inputs");
	label = member_object (json_array_get_object_element (inputs, 0), "label");
	cr_expect_str_eq (json_object_get_string_member (label, "en"), "Systolic pressure");
	cr_expect_str_eq (json_object_get_string_member (label, "zh"), "收缩压");
	label = member_object (json_array_get_object_element (inputs, 1), "label");
	cr_expect_str_eq (json_object_get_string_member (label, "zh"), "x2");
	label = member_object (json_array_get_object_element (inputs, 2), "label");
	cr_expect_str_eq (json_object_get_string_member (label, "en"), "Smoker, current");
	cr_expect_str_eq (json_object_get_string_member (label, "zh"), "吸烟");
	label = member_object (root, "outcome");
	cr_expect_str_eq (json_object_get_string_member (label, "zh"), "新发事件");
	g_clear_pointer (&out, g_free);
	g_clear_pointer (&err, g_free);

	cr_expect_eq (run_train (bad_label, &out, &err), 2);
	cr_expect_not_null (strstr (err, "--label: 'nosuch=X' is not FEATURE=English|中文"), "%s",
			    err);
	g_unlink (model);
	g_rmdir (dir);
}
