/*
 * risk-scorer-stub — a stand-in for plugins/risk-scorer in the record-scoring integration
 * test: the plugin's name and its ListModels, Describe and Score as the issue-12 spec
 * (section 2) declares them, over two fixed logistic models with made-up coefficients (they
 * score nothing real; the test checks the daemon's side: inputs from the record, storage,
 * provenance, what is missing).  Once the real plugin is merged, the test can load it instead.
 *
 *   stub-lipids   age (profile), sex (profile), systolic BP (8480-6, mm[Hg]), total and HDL
 *                 cholesterol (2093-3, 2085-9, mg/dL; mmol/L × 38.67), diabetes (condition
 *                 ICD10:E11 / HP:0005978), BP treatment (ATC C02, C03, C07, C08, C09; default
 *                 false), smoking status (72166-2: never, former, current)
 *   stub-glucose  age, random glucose (2339-0, mmol/L; mg/dL ÷ 18.016), diabetes
 *   stub-manual   one input without a source: never scored from the record
 *
 * An age above 100 is refused (MV_ERROR_INVALID_INPUT, one problem), as the real plugin
 * refuses a value outside a model's range.
 */
#define G_LOG_DOMAIN "risk-scorer-stub"

#include <math.h>

#include <medverse/medverse-plugin.h>

typedef struct {
	const gchar *name;
	const gchar *type; /* number, boolean, category */
	const gchar *unit;
	const gchar *other_unit; /* accepted: canonical = value × factor */
	gdouble factor;
	gboolean has_default;
	const gchar *loinc[3];
	const gchar *conditions[3];
	const gchar *atc[6];
	const gchar *profile;
	gint64 max_age_days;
	gdouble coefficient; /* for a category: of its level "male" or "current" */
} StubInput;

typedef struct {
	const gchar *id;
	gdouble intercept;
	StubInput inputs[10];
} StubModel;

/* not clang-formatted: one input a line reads as a table */
/* clang-format off */
static const StubModel models[] = {
	{ "stub-lipids", -7.0, {
		{ "age", "number", "a", NULL, 0, FALSE, { NULL }, { NULL }, { NULL }, "age", 0, 0.05 },
		{ "sex", "category", NULL, NULL, 0, FALSE, { NULL }, { NULL }, { NULL }, "sex", 0, 0.3 },
		{ "systolic", "number", "mm[Hg]", NULL, 0, FALSE, { "8480-6" }, { NULL }, { NULL }, NULL, 365, 0.01 },
		{ "total_cholesterol", "number", "mg/dL", "mmol/L", 38.67, FALSE, { "2093-3" }, { NULL }, { NULL }, NULL, 365, 0.004 },
		{ "hdl_cholesterol", "number", "mg/dL", "mmol/L", 38.67, FALSE, { "2085-9" }, { NULL }, { NULL }, NULL, 365, -0.01 },
		{ "diabetes", "boolean", NULL, NULL, 0, TRUE, { NULL }, { "ICD10:E11", "HP:0005978" }, { NULL }, NULL, 0, 0.6 },
		{ "on_bp_treatment", "boolean", NULL, NULL, 0, TRUE, { NULL }, { NULL }, { "C02", "C03", "C07", "C08", "C09" }, NULL, 0, 0.4 },
		{ "smoker", "category", NULL, NULL, 0, FALSE, { "72166-2" }, { NULL }, { NULL }, NULL, 730, 0.7 },
		{ NULL },
	} },
	{ "stub-glucose", -4.0, {
		{ "age", "number", "a", NULL, 0, FALSE, { NULL }, { NULL }, { NULL }, "age", 0, 0.03 },
		{ "glucose", "number", "mmol/L", "mg/dL", 1 / 18.016, FALSE, { "2339-0", "1558-6" }, { NULL }, { NULL }, NULL, 90, 0.2 },
		{ "diabetes", "boolean", NULL, NULL, 0, TRUE, { NULL }, { "ICD10:E11", "HP:0005978" }, { NULL }, NULL, 0, 1.0 },
		{ NULL },
	} },
	{ "stub-manual", -1.0, {
		{ "score", "number", "1", NULL, 0, FALSE, { NULL }, { NULL }, { NULL }, NULL, 0, 0.1 },
		{ NULL },
	} },
};
/* clang-format on */

static const StubModel *
find_model (const gchar *id, GError **error)
{
	for (guint i = 0; i < G_N_ELEMENTS (models); i++)
		if (g_strcmp0 (models[i].id, id) == 0)
			return &models[i];
	mv_set_error_bilingual (error, MV_ERROR_NOT_FOUND, "no such risk model", "没有该风险模型");
	return NULL;
}

static GVariant *
strv (const gchar *const *list)
{
	GVariantBuilder b;

	g_variant_builder_init (&b, G_VARIANT_TYPE_STRING_ARRAY);
	for (guint i = 0; list[i] != NULL; i++)
		g_variant_builder_add (&b, "s", list[i]);
	return g_variant_builder_end (&b);
}

static GVariant *
describe_input (const StubInput *in)
{
	GVariantDict d, src;

	g_variant_dict_init (&d, NULL);
	g_variant_dict_init (&src, NULL);
	g_variant_dict_insert (&d, "name", "s", in->name);
	g_variant_dict_insert (&d, "type", "s", in->type);
	g_variant_dict_insert (&d, "required", "b", !in->has_default);
	if (in->has_default)
		g_variant_dict_insert_value (&d, "default",
					     g_variant_new_variant (g_variant_new_boolean (FALSE)));
	if (in->unit != NULL)
		g_variant_dict_insert (&d, "unit", "s", in->unit);
	if (in->other_unit != NULL) {
		GVariantBuilder units;
		g_variant_builder_init (&units, G_VARIANT_TYPE ("aa{sv}"));
		g_variant_builder_open (&units, G_VARIANT_TYPE_VARDICT);
		g_variant_builder_add (&units, "{sv}", "unit",
				       g_variant_new_string (in->other_unit));
		g_variant_builder_add (&units, "{sv}", "factor", g_variant_new_double (in->factor));
		g_variant_builder_close (&units);
		g_variant_dict_insert_value (&d, "units", g_variant_builder_end (&units));
	}
	if (g_strcmp0 (in->type, "category") == 0) {
		static const gchar *const sexes[] = { "female", "male", NULL };
		static const gchar *const smoking[] = { "never", "former", "current", NULL };
		g_variant_dict_insert_value (
			&d, "levels", strv (g_str_equal (in->name, "sex") ? sexes : smoking));
	}
	if (in->profile != NULL)
		g_variant_dict_insert (&src, "profile", "s", in->profile);
	if (in->loinc[0] != NULL)
		g_variant_dict_insert_value (&src, "loinc", strv (in->loinc));
	if (in->conditions[0] != NULL)
		g_variant_dict_insert_value (&src, "condition_codes", strv (in->conditions));
	if (in->atc[0] != NULL)
		g_variant_dict_insert_value (&src, "medication_atc_prefix", strv (in->atc));
	if (in->max_age_days > 0)
		g_variant_dict_insert (&src, "max_age_days", "x", in->max_age_days);
	if (in->profile != NULL || in->loinc[0] != NULL || in->conditions[0] != NULL
	    || in->atc[0] != NULL)
		g_variant_dict_insert_value (&d, "source", g_variant_dict_end (&src));
	else
		g_variant_dict_clear (&src);
	return g_variant_dict_end (&d);
}

static GVariant *
describe_model (const StubModel *m)
{
	GVariantDict d;
	GVariantBuilder inputs;

	g_variant_dict_init (&d, NULL);
	g_variant_dict_insert (&d, "id", "s", m->id);
	g_variant_dict_insert (&d, "version", "s", "0.1.0");
	g_variant_dict_insert (&d, "link", "s", "logistic");
	g_variant_dict_insert (&d, "horizon_years", "x", (gint64)10);
	g_variant_builder_init (&inputs, G_VARIANT_TYPE ("aa{sv}"));
	for (guint i = 0; m->inputs[i].name != NULL; i++)
		g_variant_builder_add_value (&inputs, describe_input (&m->inputs[i]));
	g_variant_dict_insert_value (&d, "inputs", g_variant_builder_end (&inputs));
	return g_variant_dict_end (&d);
}

static GVariant *
stub_list (MvCall *call, GVariant *input, GError **error)
{
	GVariantBuilder b;

	g_variant_builder_init (&b, G_VARIANT_TYPE ("aa{sv}"));
	for (guint i = 0; i < G_N_ELEMENTS (models); i++)
		g_variant_builder_add_value (&b, describe_model (&models[i]));
	return g_variant_new ("(aa{sv})", &b);
}

static GVariant *
stub_describe (MvCall *call, GVariant *input, GError **error)
{
	const gchar *id = NULL;
	const StubModel *m;

	g_variant_get (input, "(&s&s)", &id, NULL);
	m = find_model (id, error);
	return m != NULL ? g_variant_new ("(@a{sv})", describe_model (m)) : NULL;
}

/* The input's term value; FALSE with a problem when it is absent or of the wrong type. */
static gboolean
term_value (const StubInput *in, GVariantDict *inputs, gdouble *x, GError **problems)
{
	g_autoptr (GVariant) v = g_variant_dict_lookup_value (inputs, in->name, NULL);

	if (v == NULL && in->has_default) {
		*x = 0;
		return TRUE;
	}
	if (v != NULL && g_variant_is_of_type (v, G_VARIANT_TYPE_DOUBLE))
		*x = g_variant_get_double (v);
	else if (v != NULL && g_variant_is_of_type (v, G_VARIANT_TYPE_INT64))
		*x = (gdouble)g_variant_get_int64 (v);
	else if (v != NULL && g_variant_is_of_type (v, G_VARIANT_TYPE_BOOLEAN))
		*x = g_variant_get_boolean (v) ? 1 : 0;
	else if (v != NULL && g_variant_is_of_type (v, G_VARIANT_TYPE_STRING))
		*x = g_strcmp0 (g_variant_get_string (v, NULL), "male") == 0
				     || g_strcmp0 (g_variant_get_string (v, NULL), "current") == 0
			     ? 1
			     : 0;
	else {
		g_autofree gchar *field = g_strdup_printf ("/inputs/%s", in->name);
		mv_error_add_problem (problems, field, v == NULL ? "missing" : "wrong-type",
				      v == NULL ? "missing" : "wrong type",
				      v == NULL ? "缺少" : "类型错误");
		return FALSE;
	}
	/* the real plugin checks each input's range; the stub only age's, so a test can see a
	 * refusal */
	if (g_str_equal (in->name, "age") && *x > 100) {
		mv_error_add_problem (problems, "/inputs/age", "out-of-range",
				      "must be from 0 to 100", "必须在 0 到 100 之间");
		return FALSE;
	}
	return isfinite (*x);
}

static GVariant *
stub_score (MvCall *call, GVariant *input, GError **error)
{
	const gchar *id = NULL;
	g_autoptr (GVariant) values = NULL;
	GVariantBuilder contributions, defaulted;
	GVariantDict inputs, used, result;
	GError *problems = NULL;
	const StubModel *m;
	gdouble lp, p;

	g_variant_get (input, "(&s@a{sv}&s)", &id, &values, NULL);
	m = find_model (id, error);
	if (m == NULL)
		return NULL;
	g_variant_dict_init (&inputs, values);
	g_variant_dict_init (&used, NULL);
	g_variant_builder_init (&contributions, G_VARIANT_TYPE ("aa{sv}"));
	g_variant_builder_init (&defaulted, G_VARIANT_TYPE_STRING_ARRAY);
	lp = m->intercept;
	for (guint i = 0; m->inputs[i].name != NULL; i++) {
		const StubInput *in = &m->inputs[i];
		gdouble x = 0;
		if (!term_value (in, &inputs, &x, &problems))
			continue;
		if (!g_variant_dict_contains (&inputs, in->name))
			g_variant_builder_add (&defaulted, "s", in->name);
		g_variant_dict_insert (&used, in->name, "d", x);
		lp += in->coefficient * x;
		g_variant_builder_open (&contributions, G_VARIANT_TYPE_VARDICT);
		g_variant_builder_add (&contributions, "{sv}", "feature",
				       g_variant_new_string (in->name));
		g_variant_builder_add (&contributions, "{sv}", "input",
				       g_variant_new_string (in->name));
		g_variant_builder_add (&contributions, "{sv}", "coefficient",
				       g_variant_new_double (in->coefficient));
		g_variant_builder_add (&contributions, "{sv}", "contribution",
				       g_variant_new_double (in->coefficient * x));
		g_variant_builder_close (&contributions);
	}
	g_variant_dict_clear (&inputs);
	if (problems != NULL) {
		g_variant_builder_clear (&contributions);
		g_variant_builder_clear (&defaulted);
		g_variant_dict_clear (&used);
		g_propagate_error (error, problems);
		return NULL;
	}
	p = 1 / (1 + exp (-lp));
	g_variant_dict_init (&result, NULL);
	g_variant_dict_insert (&result, "model", "s", m->id);
	g_variant_dict_insert (&result, "version", "s", "0.1.0");
	g_variant_dict_insert (&result, "probability", "d", p);
	g_variant_dict_insert (&result, "category", "s", p < 0.1 ? "low" : "high");
	g_variant_dict_insert (&result, "linear_predictor", "d", lp);
	g_variant_dict_insert_value (&result, "contributions",
				     g_variant_builder_end (&contributions));
	g_variant_dict_insert_value (&result, "inputs_used", g_variant_dict_end (&used));
	g_variant_dict_insert_value (&result, "defaulted", g_variant_builder_end (&defaulted));
	g_variant_dict_insert (&result, "explanation", "s", "A stub's score.");
	g_variant_dict_insert (&result, "citation", "s", "None: a test stub");
	return g_variant_new ("(@a{sv})", g_variant_dict_end (&result));
}

static const MvArg list_in[] = {
	{ "language", "s", "en or zh", MV_ARG_OPTIONAL },
	MV_ARG_END,
};
static const MvArg list_out[] = {
	{ "models", "aa{sv}", "the models", MV_ARG_NONE },
	MV_ARG_END,
};
static const MvArg describe_in[] = {
	{ "model", "s", "a model id", MV_ARG_NONE },
	{ "language", "s", "en or zh", MV_ARG_OPTIONAL },
	MV_ARG_END,
};
static const MvArg describe_out[] = {
	{ "model", "a{sv}", "the model", MV_ARG_NONE },
	MV_ARG_END,
};
static const MvArg score_in[] = {
	{ "model", "s", "a model id", MV_ARG_NONE },
	{ "inputs", "a{sv}", "input name -> value", MV_ARG_NONE },
	{ "language", "s", "en or zh", MV_ARG_OPTIONAL },
	MV_ARG_END,
};
static const MvArg score_out[] = {
	{ "result", "a{sv}", "the score", MV_ARG_NONE },
	MV_ARG_END,
};

static const MvMethod stub_methods[] = {
	{ .name = "ListModels",
	  .description = "The stub's models",
	  .in_args = list_in,
	  .out_args = list_out,
	  .handler = stub_list },
	{ .name = "Describe",
	  .description = "One model",
	  .in_args = describe_in,
	  .out_args = describe_out,
	  .handler = stub_describe },
	{ .name = "Score",
	  .description = "A logistic score",
	  .in_args = score_in,
	  .out_args = score_out,
	  .handler = stub_score },
	MV_METHOD_END,
};

MV_PLUGIN_DEFINE (.name = "risk-scorer",
		  .version = "0.1.0-stub",
		  .description = "Test stand-in for the risk scorer (integration tests only)",
		  .methods = stub_methods);
