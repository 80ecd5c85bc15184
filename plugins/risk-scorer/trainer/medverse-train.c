/* medverse-train: fits a logistic regression to a CSV table and writes a risk-scorer model
 * file (docs/trainer.md).  Exit status: 0 written, 1 bad data or file, 2 bad usage,
 * 3 separation, 4 collinearity, 5 no convergence. */
#include "rt-error.h"
#include "rt-model.h"
#include "rt-train.h"

#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
	gchar *csv, *outcome, *positive, *features, *missing, *out, *id;
	gchar *title_en, *title_zh, *units, *cut_points, *lang;
	gchar **examples;
	gchar **labels;	     /* COL=EN or COL=EN|ZH, repeatable */
	gchar *outcome_text; /* EN or EN|ZH */
	gdouble l2;
	gint folds, seed;
	gboolean progress;
} Args;

static void
args_clear (Args *a)
{
	g_free (a->csv);
	g_free (a->outcome);
	g_free (a->positive);
	g_free (a->features);
	g_free (a->missing);
	g_free (a->out);
	g_free (a->id);
	g_free (a->title_en);
	g_free (a->title_zh);
	g_free (a->units);
	g_free (a->cut_points);
	g_free (a->lang);
	g_strfreev (a->examples);
	g_strfreev (a->labels);
	g_free (a->outcome_text);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Args, args_clear)

static int
exit_code (const GError *error)
{
	if (error->domain != RT_ERROR)
		return 1;
	switch (error->code) {
	case RT_ERROR_ARGUMENT:
		return 2;
	case RT_ERROR_SEPARATION:
		return 3;
	case RT_ERROR_COLLINEAR:
		return 4;
	case RT_ERROR_NOT_CONVERGED:
		return 5;
	default:
		return 1;
	}
}

static gboolean
parse_args (Args *a, int *argc, char ***argv, GError **error)
{
	GOptionEntry entries[] = {
		{ "csv", 0, 0, G_OPTION_ARG_FILENAME, &a->csv, "CSV file with a header row",
		  "FILE" },
		{ "outcome", 0, 0, G_OPTION_ARG_STRING, &a->outcome, "Outcome column", "COL" },
		{ "positive", 0, 0, G_OPTION_ARG_STRING, &a->positive,
		  "Outcome value that counts as an event", "VALUE" },
		{ "features", 0, 0, G_OPTION_ARG_STRING, &a->features,
		  "Feature columns (default: all but the outcome)", "a,b,..." },
		{ "l2", 0, 0, G_OPTION_ARG_DOUBLE, &a->l2, "L2 penalty on the slopes (default 0)",
		  "LAMBDA" },
		{ "folds", 0, 0, G_OPTION_ARG_INT, &a->folds,
		  "Cross-validation folds (default 10, 0: none)", "K" },
		{ "seed", 0, 0, G_OPTION_ARG_INT, &a->seed, "Seed of the fold split (default 1)",
		  "N" },
		{ "missing", 0, 0, G_OPTION_ARG_STRING, &a->missing,
		  "Rows with a missing value: drop (default) or fail", "drop|fail" },
		{ "out", 0, 0, G_OPTION_ARG_FILENAME, &a->out, "Model file to write",
		  "MODEL.json" },
		{ "id", 0, 0, G_OPTION_ARG_STRING, &a->id, "Model id (default: the file's name)",
		  "ID" },
		{ "title-en", 0, 0, G_OPTION_ARG_STRING, &a->title_en, "English title", "TEXT" },
		{ "title-zh", 0, 0, G_OPTION_ARG_STRING, &a->title_zh, "Chinese title", "TEXT" },
		{ "units", 0, 0, G_OPTION_ARG_STRING, &a->units, "UCUM unit per column",
		  "col=unit,..." },
		{ "cut-points", 0, 0, G_OPTION_ARG_STRING, &a->cut_points,
		  "Risk category limits (default 0.1,0.2)", "p,..." },
		{ "example", 0, 0, G_OPTION_ARG_STRING_ARRAY, &a->examples,
		  "Write data row ROW as a worked example (repeatable)", "ROW" },
		{ "label", 0, 0, G_OPTION_ARG_STRING_ARRAY, &a->labels,
		  "Label of a feature's input, English and Chinese (repeatable)", "COL=EN|ZH" },
		{ "outcome-text", 0, 0, G_OPTION_ARG_STRING, &a->outcome_text,
		  "The outcome as a phrase, English and Chinese", "EN|ZH" },
		{ "progress", 0, 0, G_OPTION_ARG_NONE, &a->progress,
		  "Progress on stderr even when it is not a terminal", NULL },
		{ "lang", 0, 0, G_OPTION_ARG_STRING, &a->lang, "Report language: en or zh",
		  "LANG" },
		{ NULL }
	};
	g_autoptr (GOptionContext) ctx = g_option_context_new (
		"- fit a logistic regression and write a risk-scorer model file");

	a->folds = 10;
	a->seed = 1;
	g_option_context_add_main_entries (ctx, entries, NULL);
	if (!g_option_context_parse (ctx, argc, argv, error))
		return FALSE;
	if (a->csv == NULL || a->outcome == NULL || a->positive == NULL || a->out == NULL) {
		g_set_error (error, RT_ERROR, RT_ERROR_ARGUMENT, "%s",
			     RT_TR ("--csv, --outcome, --positive and --out are required",
				    "--csv、--outcome、--positive 和 --out 为必填项"));
		return FALSE;
	}
	if (a->missing != NULL && strcmp (a->missing, "drop") != 0
	    && strcmp (a->missing, "fail") != 0) {
		g_set_error (error, RT_ERROR, RT_ERROR_ARGUMENT, "%s",
			     RT_TR ("--missing is drop or fail", "--missing 只能是 drop 或 fail"));
		return FALSE;
	}
	if (!(a->l2 >= 0) || !isfinite (a->l2) || a->folds < 0 || a->folds == 1) {
		g_set_error (error, RT_ERROR, RT_ERROR_ARGUMENT, "%s",
			     RT_TR ("--l2 must be ≥ 0 and --folds 0 or at least 2",
				    "--l2 必须 ≥ 0，--folds 为 0 或至少 2"));
		return FALSE;
	}
	return TRUE;
}

/* --id, or the output file's base name without .json; the spec wants file name = id.json */
static gchar *
model_id (const Args *a, GError **error)
{
	g_autofree gchar *base = g_path_get_basename (a->out);
	g_autofree gchar *stem = g_str_has_suffix (base, ".json")
					 ? g_strndup (base, strlen (base) - 5)
					 : g_strdup (base);
	const gchar *id = a->id != NULL ? a->id : stem;

	if (!rt_model_id_valid (id) || strcmp (id, stem) != 0
	    || !g_str_has_suffix (base, ".json")) {
		g_set_error (error, RT_ERROR, RT_ERROR_ARGUMENT,
			     RT_TR ("the model id must be 3 to 64 of a-z, 0-9 and '-', and the "
				    "file named ID.json ('%s' for '%s')",
				    "模型 id 须为 3 至 64 个 a-z、0-9 或“-”字符，文件名须为 ID.json"
				    "（id “%s”，文件 “%s”）"),
			     id, base);
		return NULL;
	}
	return g_strdup (id);
}

/* --units col=unit,...: one entry per feature, NULL where not given */
static gboolean
parse_units (const Args *a, const RtData *data, GPtrArray *units, GError **error)
{
	g_auto (GStrv) pairs = a->units ? g_strsplit (a->units, ",", -1) : g_new0 (gchar *, 1);

	for (guint j = 0; j < data->n_features; j++)
		g_ptr_array_add (units, NULL);
	for (guint i = 0; pairs[i] != NULL; i++) {
		g_auto (GStrv) kv = g_strsplit (pairs[i], "=", 2);
		guint j;
		for (j = 0; kv[0] && kv[1] && j < data->n_features; j++)
			if (strcmp (data->names[j], g_strstrip (kv[0])) == 0)
				break;
		if (kv[0] == NULL || kv[1] == NULL || j == data->n_features) {
			g_set_error (error, RT_ERROR, RT_ERROR_ARGUMENT,
				     RT_TR ("--units: '%s' is not feature=unit",
					    "--units：“%s”不是 特征=单位 的形式"),
				     pairs[i]);
			return FALSE;
		}
		g_ptr_array_index (units, j) = g_strdup (g_strstrip (kv[1]));
	}
	return TRUE;
}

/* "EN|ZH" or "EN" (Chinese falls back to English); also the form en:EN,zh:ZH */
static void
split_text (const gchar *text, gchar **en, gchar **zh)
{
	const gchar *bar = strchr (text, '|');
	const gchar *zh_part = g_str_has_prefix (text, "en:") ? strstr (text, ",zh:") : NULL;

	if (zh_part != NULL) {
		*en = g_strndup (text + 3, zh_part - text - 3);
		*zh = g_strdup (zh_part + 4);
	} else if (bar != NULL) {
		*en = g_strndup (text, bar - text);
		*zh = g_strdup (bar + 1);
	} else {
		*en = g_strdup (text);
		*zh = NULL;
	}
	g_strstrip (*en);
	if (*zh != NULL)
		g_strstrip (*zh);
}

/* --label COL=EN|ZH: one entry per feature in @en and @zh, NULL where not given */
static gboolean
parse_labels (const Args *a, const RtData *data, GPtrArray *en, GPtrArray *zh, GError **error)
{
	for (guint j = 0; j < data->n_features; j++) {
		g_ptr_array_add (en, NULL);
		g_ptr_array_add (zh, NULL);
	}
	for (guint i = 0; a->labels != NULL && a->labels[i] != NULL; i++) {
		const gchar *eq = strchr (a->labels[i], '=');
		g_autofree gchar *col
			= eq ? g_strstrip (g_strndup (a->labels[i], eq - a->labels[i])) : NULL;
		guint j;

		for (j = 0; col != NULL && j < data->n_features; j++)
			if (strcmp (data->names[j], col) == 0)
				break;
		if (col == NULL || j == data->n_features || eq[1] == '\0') {
			g_set_error (error, RT_ERROR, RT_ERROR_ARGUMENT,
				     RT_TR ("--label: '%s' is not FEATURE=English|中文",
					    "--label：“%s”不是 特征=English|中文 的形式"),
				     a->labels[i]);
			return FALSE;
		}
		g_free (g_ptr_array_index (en, j));
		g_free (g_ptr_array_index (zh, j));
		split_text (eq + 1, (gchar **)&en->pdata[j], (gchar **)&zh->pdata[j]);
	}
	return TRUE;
}

static gboolean
parse_cut_points (const Args *a, GArray *cuts, GError **error)
{
	g_auto (GStrv) parts = g_strsplit (a->cut_points ? a->cut_points : "0.1,0.2", ",", -1);

	for (guint i = 0; parts[i] != NULL; i++) {
		gchar *end = NULL;
		gdouble v = g_ascii_strtod (parts[i], &end);
		gdouble prev = cuts->len ? g_array_index (cuts, gdouble, cuts->len - 1) : 0;
		if (end == parts[i] || *end != '\0' || !(v > prev) || !(v < 1)) {
			g_set_error (
				error, RT_ERROR, RT_ERROR_ARGUMENT, "%s",
				RT_TR ("--cut-points: increasing probabilities between 0 and 1",
				       "--cut-points：须为 0 到 1 之间递增的概率"));
			return FALSE;
		}
		g_array_append_val (cuts, v);
	}
	return TRUE;
}

/* --example ROW (data row numbers) to indexes of kept rows */
static gboolean
parse_examples (const Args *a, const RtData *data, GArray *rows, GError **error)
{
	for (guint e = 0; a->examples != NULL && a->examples[e] != NULL; e++) {
		guint64 want = g_ascii_strtoull (a->examples[e], NULL, 10);
		guint i;
		for (i = 0; i < data->n_rows && data->row[i] != want; i++)
			;
		if (i == data->n_rows) {
			g_set_error (error, RT_ERROR, RT_ERROR_ARGUMENT,
				     RT_TR ("--example %s: no such complete data row",
					    "--example %s：没有这个完整的数据行"),
				     a->examples[e]);
			return FALSE;
		}
		g_array_append_val (rows, i);
	}
	return TRUE;
}

static void
print_p (gdouble p)
{
	if (p < 2e-16)
		g_print ("%12s", "< 2e-16");
	else
		g_print ("%12.3g", p);
}

static void
print_report (const Args *a, const RtData *data, const RtTraining *t)
{
	const RtFit *fit = t->fit;

	g_print ("%s: %u %s, %u %s, %u %s, %u %s (%s = %s)\n", RT_TR ("rows", "行数"), data->n_read,
		 RT_TR ("read", "已读取"), data->n_dropped,
		 RT_TR ("left out for a missing value", "因缺失值排除"), fit->n_rows,
		 RT_TR ("used", "已使用"), fit->n_events, RT_TR ("events", "阳性"), a->outcome,
		 a->positive);
	g_print ("%s: %u %s, %s %.10g, %s %.10g, AIC %.10g, %s %.3g\n", RT_TR ("fit", "拟合"),
		 fit->iterations, RT_TR ("iterations", "次迭代"), RT_TR ("deviance", "偏差"),
		 fit->deviance, RT_TR ("null deviance", "零偏差"), fit->null_deviance, fit->aic,
		 RT_TR ("condition number", "条件数"), fit->condition_number);
	if (a->l2 > 0)
		g_print ("%s λ = %g\n",
			 RT_TR ("L2 penalty on the slopes (standard errors from the penalised "
				"information)",
				"斜率的 L2 惩罚（标准误来自惩罚信息矩阵）"),
			 a->l2);
	g_print ("\n%-20s %16s %14s %10s %12s\n", RT_TR ("term", "项"),
		 RT_TR ("coefficient", "系数"), RT_TR ("std. error", "标准误"), "z", "p");
	for (guint j = 0; j < fit->n_terms; j++) {
		g_print ("%-20s %16.8g %14.8g %10.4f ", fit->names[j], fit->beta[j], fit->se[j],
			 fit->z[j]);
		print_p (fit->p[j]);
		g_print ("\n");
	}
	g_print ("\nAUC %.4f   Brier %.4f   %s: %s %.4f, %s %.4f\n", t->auc, t->brier,
		 RT_TR ("calibration on the training rows", "训练数据上的校准"),
		 RT_TR ("intercept", "截距"), t->cal_intercept, RT_TR ("slope", "斜率"),
		 t->cal_slope);
	if (t->cv != NULL)
		g_print ("%s: AUC %.4f (SD %.4f, %u %s, seed %d); %s: %s %.4f, %s %.4f\n",
			 RT_TR ("cross-validation", "交叉验证"), t->cv->mean_auc, t->cv->sd_auc,
			 t->cv->folds, RT_TR ("folds", "折"), a->seed,
			 RT_TR ("out-of-fold calibration", "折外校准"), RT_TR ("intercept", "截距"),
			 t->cv->cal_intercept, RT_TR ("slope", "斜率"), t->cv->cal_slope);
}

static gboolean
write_model (const Args *a, const RtData *data, const RtTraining *t, GError **error)
{
	g_autofree gchar *id = model_id (a, error);
	g_autoptr (GPtrArray) units = g_ptr_array_new_with_free_func (g_free);
	g_autoptr (GArray) cuts = g_array_new (FALSE, FALSE, sizeof (gdouble));
	g_autoptr (GArray) examples = g_array_new (FALSE, FALSE, sizeof (guint));
	g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
	g_autofree gchar *date = g_date_time_format (now, "%Y-%m-%d");
	g_autofree gchar *source = g_path_get_basename (a->csv);
	g_autoptr (GPtrArray) labels_en = g_ptr_array_new_with_free_func (g_free);
	g_autoptr (GPtrArray) labels_zh = g_ptr_array_new_with_free_func (g_free);
	g_autofree gchar *title_en = NULL, *title_zh = NULL, *json = NULL;
	g_autofree gchar *outcome_en = NULL, *outcome_zh = NULL;
	RtModelInfo info = { 0 };

	if (id == NULL || !parse_units (a, data, units, error) || !parse_cut_points (a, cuts, error)
	    || !parse_examples (a, data, examples, error)
	    || !parse_labels (a, data, labels_en, labels_zh, error))
		return FALSE;
	if (a->outcome_text != NULL)
		split_text (a->outcome_text, &outcome_en, &outcome_zh);
	title_en = a->title_en ? g_strdup (a->title_en)
			       : g_strdup_printf ("Risk of %s = %s", a->outcome, a->positive);
	title_zh = a->title_zh ? g_strdup (a->title_zh)
			       : g_strdup_printf ("“%s = %s”的风险", a->outcome, a->positive);
	info.id = id;
	info.title_en = title_en;
	info.title_zh = title_zh;
	info.source_name = source;
	info.outcome = a->outcome;
	info.positive = a->positive;
	info.outcome_en = outcome_en;
	info.outcome_zh = outcome_zh;
	info.labels_en = (const gchar *const *)labels_en->pdata;
	info.labels_zh = (const gchar *const *)labels_zh->pdata;
	info.units = (const gchar *const *)units->pdata;
	info.cut_points = (const gdouble *)(gpointer)cuts->data;
	info.n_cut_points = cuts->len;
	info.l2 = a->l2;
	info.folds = t->cv ? t->cv->folds : 0;
	info.auc = t->auc;
	info.brier = t->brier;
	info.cal_intercept = t->cal_intercept;
	info.cal_slope = t->cal_slope;
	info.cv_auc = t->cv ? t->cv->mean_auc : NAN;
	info.example_rows = (const guint *)(gpointer)examples->data;
	info.n_examples = examples->len;
	info.date = date;
	json = rt_model_to_json (data, t->fit, &info);
	return g_file_set_contents (a->out, json, -1, error);
}

static gboolean
chinese_locale (const gchar *lang)
{
	const gchar *const *names = g_get_language_names ();

	if (lang != NULL)
		return g_str_has_prefix (lang, "zh");
	return names[0] != NULL && g_str_has_prefix (names[0], "zh");
}

int
main (int argc, char **argv)
{
	g_auto (Args) a = { 0 };
	g_autoptr (GError) error = NULL;
	g_autoptr (RtData) data = NULL;
	g_autoptr (RtTraining) t = NULL;
	g_auto (GStrv) features = NULL;
	RtDataOptions dopt = { 0 };
	RtFitOptions fopt;

	setlocale (LC_ALL, "");
	if (!parse_args (&a, &argc, &argv, &error)) {
		rt_set_chinese (chinese_locale (a.lang));
		g_printerr ("medverse-train: %s\n", error->message);
		return 2;
	}
	rt_set_chinese (chinese_locale (a.lang));
	if (a.features != NULL)
		features = g_strsplit (a.features, ",", -1);
	for (guint i = 0; features != NULL && features[i] != NULL; i++)
		g_strstrip (features[i]);
	dopt.outcome = a.outcome;
	dopt.positive = a.positive;
	dopt.features = (const gchar *const *)features;
	dopt.missing
		= a.missing && strcmp (a.missing, "fail") == 0 ? RT_MISSING_FAIL : RT_MISSING_DROP;
	dopt.progress = a.progress || isatty (STDERR_FILENO);
	rt_fit_options_init (&fopt);
	fopt.l2 = a.l2;
	fopt.progress = dopt.progress;
	data = rt_data_read_csv (a.csv, &dopt, &error);
	if (data != NULL && data->n_dropped > 0)
		g_printerr ("medverse-train: %u %s\n", data->n_dropped,
			    RT_TR (data->n_dropped == 1
					   ? "row left out for a missing value (--missing drop)"
					   : "rows left out for a missing value (--missing drop)",
				   "行因缺失值被排除（--missing drop）"));
	if (data != NULL)
		t = rt_train (data, &fopt, (guint)a.folds, (guint32)a.seed, &error);
	if (t == NULL || !write_model (&a, data, t, &error)) {
		g_printerr ("medverse-train: %s\n", error->message);
		return exit_code (error);
	}
	print_report (&a, data, t);
	g_print ("%s %s\n", RT_TR ("model written to", "模型已写入"), a.out);
	return 0;
}
