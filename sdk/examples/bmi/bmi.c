/*
 * bmi — the Medverse example plugin.
 *
 * Computes the body-mass index and its WHO category.  It shows everything a plugin does: a
 * method table with typed, named arguments; refusing bad input with MV_ERROR_INVALID_INPUT and
 * a message naming the field; a config key; init/shutdown; and calling another method through
 * the host.  Build it with:
 *
 *   cc -shared -fPIC -fvisibility=hidden -o bmi.so bmi.c $(pkg-config --cflags --libs
 * medverse-plugin)
 */
#define G_LOG_DOMAIN "bmi"

#include <math.h>

#include <medverse/medverse-plugin.h>

typedef struct {
	/* WHO's lower cut-offs for Asian populations (overweight 23, obese 27.5) when set */
	gboolean asian_cutoffs;
} BmiConfig;

static const gchar *
bmi_category (const BmiConfig *config, gdouble bmi)
{
	gdouble overweight = config->asian_cutoffs ? 23.0 : 25.0;
	gdouble obese = config->asian_cutoffs ? 27.5 : 30.0;

	if (bmi < 18.5)
		return "underweight";
	if (bmi < overweight)
		return "normal";
	if (bmi < obese)
		return "overweight";
	return "obese";
}

static gboolean
check_range (const gchar *field, gdouble value, gdouble min, gdouble max, GError **error)
{
	g_autofree gchar *message = NULL;
	g_autofree gchar *message_zh = NULL;

	if (isfinite (value) && value >= min && value <= max)
		return TRUE;
	/* every message a caller may read comes in English and Chinese; the host adds which
	 * plugin said it to both */
	message = g_strdup_printf ("%s: %g is outside [%g, %g]", field, value, min, max);
	message_zh = g_strdup_printf ("%s：%g 超出允许范围 [%g, %g]", field, value, min, max);
	mv_set_error_bilingual (error, MV_ERROR_INVALID_INPUT, message, message_zh);
	return FALSE;
}

static GVariant *
bmi_compute (MvCall *call, GVariant *input, GError **error)
{
	const BmiConfig *config = mv_call_get_plugin_data (call);
	gdouble weight_kg, height_cm, bmi;

	g_variant_get (input, "(dd)", &weight_kg, &height_cm);
	if (!check_range ("weight_kg", weight_kg, 1.0, 700.0, error)
	    || !check_range ("height_cm", height_cm, 30.0, 300.0, error))
		return NULL;
	bmi = weight_kg / ((height_cm / 100.0) * (height_cm / 100.0));
	/* one decimal, as clinics report it */
	bmi = round (bmi * 10.0) / 10.0;
	return g_variant_new ("(ds)", bmi, bmi_category (config, bmi));
}

/* Calls Compute through the host, as a plugin would call another plugin. */
static GVariant *
bmi_compute_many (MvCall *call, GVariant *input, GError **error)
{
	g_autoptr (GVariantIter) iter = NULL;
	GVariantBuilder builder;
	gdouble weight_kg, height_cm;

	g_variant_get (input, "(a(dd))", &iter);
	g_variant_builder_init (&builder, G_VARIANT_TYPE ("ad"));
	while (g_variant_iter_next (iter, "(dd)", &weight_kg, &height_cm)) {
		g_autoptr (GVariant) out = NULL;
		gdouble bmi;

		if (mv_call_is_cancelled (call)) {
			g_variant_builder_clear (&builder);
			g_set_error_literal (error, MV_ERROR, MV_ERROR_TIMED_OUT, "cancelled");
			return NULL;
		}
		out = mv_call_invoke (call, "bmi", "Compute",
				      g_variant_new ("(dd)", weight_kg, height_cm), error);
		if (out == NULL) {
			g_variant_builder_clear (&builder);
			return NULL;
		}
		g_variant_get (out, "(d&s)", &bmi, NULL);
		g_variant_builder_add (&builder, "d", bmi);
	}
	return g_variant_new ("(ad)", &builder);
}

static const MvArg compute_in[] = {
	{ "weight_kg", "d", "body weight in kilograms (1-700)", MV_ARG_NONE },
	{ "height_cm", "d", "height in centimetres (30-300)", MV_ARG_NONE },
	MV_ARG_END,
};
static const MvArg compute_out[] = {
	{ "bmi", "d", "body-mass index, kg/m², one decimal", MV_ARG_NONE },
	{ "category", "s", "underweight, normal, overweight or obese", MV_ARG_NONE },
	MV_ARG_END,
};
static const MvArg many_in[] = {
	{ "measurements", "a(dd)", "pairs of [weight_kg, height_cm]", MV_ARG_NONE },
	MV_ARG_END,
};
static const MvArg many_out[] = {
	{ "bmis", "ad", "the index of each pair, in order", MV_ARG_NONE },
	MV_ARG_END,
};

static const MvMethod bmi_methods[] = {
	{
		.name = "Compute",
		.description = "Body-mass index and WHO category",
		.in_args = compute_in,
		.out_args = compute_out,
		.handler = bmi_compute,
	},
	{
		.name = "ComputeMany",
		.description = "Body-mass index of several measurements",
		.in_args = many_in,
		.out_args = many_out,
		.handler = bmi_compute_many,
	},
	MV_METHOD_END,
};

static const MvConfigKey bmi_config_keys[] = {
	{ "asian-cutoffs", "b", "false", "use WHO's lower cut-offs for Asian populations" },
	MV_CONFIG_KEY_END,
};

static gboolean
bmi_init (MvHost *host, gpointer *plugin_data, G_GNUC_UNUSED GError **error)
{
	BmiConfig *config = g_new0 (BmiConfig, 1);
	config->asian_cutoffs = mv_host_get_config_boolean (host, "asian-cutoffs", FALSE);
	mv_host_log (host, G_LOG_LEVEL_DEBUG, "using %s cut-offs",
		     config->asian_cutoffs ? "Asian" : "standard");
	*plugin_data = config;
	return TRUE;
}

static void
bmi_shutdown (G_GNUC_UNUSED MvHost *host, gpointer plugin_data)
{
	g_free (plugin_data);
}

MV_PLUGIN_DEFINE (.name = "bmi",
		  .version = "1.0.0",
		  .description = "Body-mass index and WHO weight category (example plugin)",
		  .methods = bmi_methods,
		  .config_keys = bmi_config_keys,
		  .init = bmi_init,
		  .shutdown = bmi_shutdown);
