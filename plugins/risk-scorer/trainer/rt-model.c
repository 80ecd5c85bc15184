/* Model file writer: see rt-model.h.  Every number is written by json-glib with full
 * precision, so the plugin recomputes exactly the probabilities the trainer reports. */
#include "rt-model.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

gboolean
rt_model_id_valid (const gchar *id)
{
	gsize len = strlen (id);

	if (len < 3 || len > 64)
		return FALSE;
	for (const gchar *c = id; *c != '\0'; c++)
		if (!g_ascii_islower (*c) && !g_ascii_isdigit (*c) && *c != '-')
			return FALSE;
	return TRUE;
}

static void
add_text (JsonBuilder *b, const gchar *member, const gchar *en, const gchar *zh)
{
	json_builder_set_member_name (b, member);
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "en");
	json_builder_add_string_value (b, en);
	json_builder_set_member_name (b, "zh");
	json_builder_add_string_value (b, zh);
	json_builder_end_object (b);
}

static void
add_double (JsonBuilder *b, const gchar *member, gdouble v)
{
	json_builder_set_member_name (b, member);
	json_builder_add_double_value (b, v);
}

static void
add_inputs (JsonBuilder *b, const RtData *data, const RtModelInfo *info)
{
	json_builder_set_member_name (b, "inputs");
	json_builder_begin_array (b);
	for (guint j = 0; j < data->n_features; j++) {
		gdouble lo = INFINITY, hi = -INFINITY;
		const gchar *unit = info->units != NULL && info->units[j] ? info->units[j] : "1";
		for (guint i = 0; i < data->n_rows; i++) {
			lo = MIN (lo, data->x[(gsize)i * data->n_features + j]);
			hi = MAX (hi, data->x[(gsize)i * data->n_features + j]);
		}
		json_builder_begin_object (b);
		json_builder_set_member_name (b, "name");
		json_builder_add_string_value (b, data->names[j]);
		const gchar *en = info->labels_en != NULL && info->labels_en[j] != NULL
					  ? info->labels_en[j]
					  : data->names[j];
		const gchar *zh = info->labels_zh != NULL && info->labels_zh[j] != NULL
					  ? info->labels_zh[j]
					  : en;
		add_text (b, "label", en, zh);
		json_builder_set_member_name (b, "type");
		json_builder_add_string_value (b, data->binary[j] ? "boolean" : "number");
		if (!data->binary[j]) {
			json_builder_set_member_name (b, "unit");
			json_builder_add_string_value (b, unit);
			/* the training data's range: a value outside it is an extrapolation */
			json_builder_set_member_name (b, "range");
			json_builder_begin_array (b);
			json_builder_add_double_value (b, lo);
			json_builder_add_double_value (b, hi);
			json_builder_end_array (b);
		}
		json_builder_set_member_name (b, "required");
		json_builder_add_boolean_value (b, TRUE);
		json_builder_end_object (b);
	}
	json_builder_end_array (b);
}

static void
add_features (JsonBuilder *b, const RtData *data, const RtFit *fit)
{
	json_builder_set_member_name (b, "features");
	json_builder_begin_array (b);
	for (guint j = 0; j < data->n_features; j++) {
		json_builder_begin_object (b);
		json_builder_set_member_name (b, "name");
		json_builder_add_string_value (b, data->names[j]);
		json_builder_set_member_name (b, "input");
		json_builder_add_string_value (b, data->names[j]);
		/* a 0/1 column is a boolean input; "indicator" is the transform that makes a
		 * boolean 1 or 0 (spec section 1) */
		json_builder_set_member_name (b, "transform");
		json_builder_add_string_value (b, data->binary[j] ? "indicator" : "linear");
		add_double (b, "coefficient", fit->beta[j + 1]);
		json_builder_end_object (b);
	}
	json_builder_end_array (b);
}

static void
add_categories (JsonBuilder *b, const RtModelInfo *info)
{
	static const gchar *three[][3] = { { "low", "Low", "低危" },
					   { "intermediate", "Intermediate", "中危" },
					   { "high", "High", "高危" } };
	guint n = info->n_cut_points + 1;

	json_builder_set_member_name (b, "categories");
	json_builder_begin_array (b);
	for (guint c = 0; c < n; c++) {
		g_autofree gchar *id = NULL, *en = NULL, *zh = NULL;
		/* low / (intermediate) / high when there are two or three, numbered otherwise */
		guint named = n == 2 ? (c == 0 ? 0 : 2) : c;
		if (n <= 3) {
			id = g_strdup (three[named][0]);
			en = g_strdup (three[named][1]);
			zh = g_strdup (three[named][2]);
		} else {
			id = g_strdup_printf ("level-%u", c + 1);
			en = g_strdup_printf ("Level %u", c + 1);
			zh = g_strdup_printf ("第 %u 级", c + 1);
		}
		json_builder_begin_object (b);
		json_builder_set_member_name (b, "id");
		json_builder_add_string_value (b, id);
		add_double (b, "below", c < info->n_cut_points ? info->cut_points[c] : 1.0000001);
		add_text (b, "label", en, zh);
		json_builder_end_object (b);
	}
	json_builder_end_array (b);
}

static void
add_examples (JsonBuilder *b, const RtData *data, const RtFit *fit, const RtModelInfo *info)
{
	json_builder_set_member_name (b, "examples");
	json_builder_begin_array (b);
	for (guint e = 0; e < info->n_examples; e++) {
		guint r = info->example_rows[e];
		const gdouble *row = data->x + (gsize)r * data->n_features;
		g_autofree gchar *source = g_strdup_printf (
			"%s, row %u (line %u)", info->source_name, data->row[r], data->line[r]);
		json_builder_begin_object (b);
		json_builder_set_member_name (b, "inputs");
		json_builder_begin_object (b);
		for (guint j = 0; j < data->n_features; j++) {
			json_builder_set_member_name (b, data->names[j]);
			if (data->binary[j])
				json_builder_add_boolean_value (b, row[j] != 0);
			else
				json_builder_add_double_value (b, row[j]);
		}
		json_builder_end_object (b);
		add_double (b, "probability", rt_logistic (rt_fit_linear_predictor (fit, row)));
		add_double (b, "tolerance", 1e-6);
		json_builder_set_member_name (b, "source");
		json_builder_add_string_value (b, source);
		json_builder_end_object (b);
	}
	json_builder_end_array (b);
}

static void
add_training (JsonBuilder *b, const RtData *data, const RtFit *fit, const RtModelInfo *info)
{
	json_builder_set_member_name (b, "training");
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "rows");
	json_builder_add_int_value (b, fit->n_rows);
	json_builder_set_member_name (b, "events");
	json_builder_add_int_value (b, fit->n_events);
	add_double (b, "l2", info->l2);
	add_double (b, "auc", info->auc);
	add_double (b, "brier", info->brier);
	add_double (b, "calibration_intercept", info->cal_intercept);
	add_double (b, "calibration_slope", info->cal_slope);
	if (info->folds > 0)
		add_double (b, "cv_auc", info->cv_auc);
	json_builder_set_member_name (b, "folds");
	json_builder_add_int_value (b, info->folds);
	json_builder_set_member_name (b, "standard_errors");
	json_builder_begin_object (b);
	for (guint j = 0; j < fit->n_terms; j++)
		add_double (b, fit->names[j], fit->se[j]);
	json_builder_end_object (b);
	json_builder_set_member_name (b, "date");
	json_builder_add_string_value (b, info->date);
	json_builder_end_object (b);
}

static void
add_header (JsonBuilder *b, const RtData *data, const RtModelInfo *info)
{
	g_autofree gchar *title = g_strdup_printf (
		"Logistic regression fitted to %s by medverse-train", info->source_name);
	g_autofree gchar *outcome = g_strdup_printf ("%s = %s", info->outcome, info->positive);
	/* quoted in Chinese: the column and value are Latin text inside a Chinese sentence
	 * ("结局“event = yes”的风险估计为 18.0%") */
	g_autofree gchar *outcome_zh = g_strdup_printf ("结局“%s”", outcome);
	g_autofree gchar *pop_en = g_strdup_printf (
		"The %u complete rows of %s (%u rows read, %u left out for a missing value)",
		data->n_rows, info->source_name, data->n_read, data->n_dropped);
	g_autofree gchar *pop_zh
		= g_strdup_printf ("%s 中的 %u 个完整行（共读取 %u 行，%u 行因缺失值被排除）",
				   info->source_name, data->n_rows, data->n_read, data->n_dropped);

	json_builder_set_member_name (b, "id");
	json_builder_add_string_value (b, info->id);
	json_builder_set_member_name (b, "version");
	json_builder_add_string_value (b, "1.0.0");
	add_text (b, "title", info->title_en, info->title_zh);
	json_builder_set_member_name (b, "citation");
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "authors");
	json_builder_add_string_value (b, "medverse-train");
	json_builder_set_member_name (b, "year");
	json_builder_add_int_value (b, g_ascii_strtoll (info->date, NULL, 10));
	json_builder_set_member_name (b, "title");
	json_builder_add_string_value (b, title);
	json_builder_set_member_name (b, "where");
	json_builder_add_string_value (b, "the \"training\" section of this file");
	json_builder_end_object (b);
	add_text (b, "outcome", info->outcome_en != NULL ? info->outcome_en : outcome,
		  info->outcome_zh != NULL   ? info->outcome_zh
		  : info->outcome_en != NULL ? info->outcome_en
					     : outcome_zh);
	add_text (b, "population", pop_en, pop_zh);
	json_builder_set_member_name (b, "link");
	json_builder_add_string_value (b, "logistic");
}

gchar *
rt_model_to_json (const RtData *data, const RtFit *fit, const RtModelInfo *info)
{
	g_autoptr (JsonBuilder) b = json_builder_new ();
	g_autoptr (JsonGenerator) gen = json_generator_new ();
	g_autoptr (JsonNode) root = NULL;

	json_builder_begin_object (b);
	add_header (b, data, info);
	add_double (b, "intercept", fit->beta[0]);
	add_inputs (b, data, info);
	add_features (b, data, fit);
	add_categories (b, info);
	if (info->n_examples > 0)
		add_examples (b, data, fit, info);
	add_training (b, data, fit, info);
	json_builder_end_object (b);
	root = json_builder_get_root (b);
	json_generator_set_root (gen, root);
	json_generator_set_pretty (gen, TRUE);
	json_generator_set_indent (gen, 2);
	return json_generator_to_data (gen, NULL);
}
