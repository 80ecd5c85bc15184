/*
 * libFuzzer target: the risk-scorer's model files and score inputs (plugins/risk-scorer).
 *
 * The first byte picks what the rest is: odd (the seeds use 'M'), a model file (loaded,
 * validated, its examples run); even ('B'), the inputs object of a Score call against a fixed
 * model that uses every transform.
 * A model file is either loaded or refused with an error naming it; inputs are either scored
 * (a probability in [0, 1], contributions summing to the linear predictor) or refused with at
 * least one problem.  Nothing crashes or logs a critical.
 */
#include <glib.h>
#include <math.h>

#include "rs-model.h"
#include "rs-score.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static guint models_loaded;
static guint inputs_scored;

/* every transform, a cox link, units with an offset, a defaulted input */
static const gchar fixed_model[]
	= "{\"id\":\"fuzz-model\",\"version\":\"1\",\"title\":{\"en\":\"fuzz\"},\"link\":\"cox\","
	  "\"baseline_survival\":0.9,\"mean_linear_predictor\":1.5,"
	  "\"inputs\":[{\"name\":\"x\",\"type\":\"number\",\"unit\":\"Cel\",\"units\":[{\"unit\":"
	  "\"[degF]\",\"factor\":0.5555555556,\"offset\":-17.7777777778}],\"range\":[30,45]},"
	  "{\"name\":\"b\",\"type\":\"boolean\",\"required\":false,\"default\":true},"
	  "{\"name\":\"c\",\"type\":\"category\",\"levels\":[\"p\",\"q\",\"r\"]}],"
	  "\"features\":[{\"name\":\"lin\",\"input\":\"x\",\"transform\":\"linear\","
	  "\"coefficient\":0.1},"
	  "{\"name\":\"ln\",\"input\":\"x\",\"transform\":\"ln\",\"coefficient\":-0.5},"
	  "{\"name\":\"ln2\",\"input\":\"x\",\"transform\":\"ln_squared\",\"coefficient\":0.01},"
	  "{\"name\":\"sq\",\"input\":\"x\",\"transform\":\"square\",\"coefficient\":0.001},"
	  "{\"name\":\"sp\",\"input\":\"x\",\"transform\":\"spline\",\"knots\":[33,37,41],"
	  "\"basis\":1,"
	  "\"coefficient\":0.2},"
	  "{\"name\":\"band\",\"input\":\"x\",\"transform\":\"band\",\"lower\":38,\"coefficient\":"
	  "0.3},"
	  "{\"name\":\"nb\",\"input\":\"b\",\"transform\":\"indicator\",\"level\":false,"
	  "\"coefficient\":0.4},"
	  "{\"name\":\"cq\",\"input\":\"c\",\"transform\":\"indicator\",\"level\":\"q\","
	  "\"coefficient\":0.6},"
	  "{\"name\":\"ix\",\"transform\":\"interaction\",\"of\":[\"ln\",\"cq\",\"nb\"],"
	  "\"coefficient\":0.05}],"
	  "\"categories\":[{\"id\":\"lo\",\"below\":0.2},{\"id\":\"hi\",\"below\":2}]}";

static void
check_result (const RsModel *m, const RsResult *r)
{
	gdouble sum = m->link == RS_LINK_LOGISTIC ? m->intercept : 0;

	g_assert (r->probability >= 0 && r->probability <= 1);
	for (guint i = 0; i < r->contributions->len; i++)
		sum += g_array_index (r->contributions, gdouble, i);
	if (isfinite (r->linear_predictor))
		g_assert (fabs (sum - r->linear_predictor)
			  <= 1e-9 * MAX (1.0, fabs (r->linear_predictor)));
	for (RsLang lang = RS_LANG_EN; lang <= RS_LANG_ZH; lang++) {
		g_autofree gchar *text = rs_result_explain (m, r, lang);
		g_assert (g_utf8_validate (text, -1, NULL));
	}
}

static void
fuzz_inputs (const gchar *json)
{
	static RsModel *model;
	g_autoptr (GVariant) inputs = NULL;
	g_autoptr (GPtrArray) problems
		= g_ptr_array_new_with_free_func ((GDestroyNotify)rs_problem_free);
	g_autoptr (RsResult) r = NULL;

	if (model == NULL) {
		g_autoptr (GError) error = NULL;
		model = rs_model_load_data (fixed_model, "fuzz-model", &error);
		g_assert_no_error (error);
	}
	inputs = json_gvariant_deserialize_data (json, -1, "a{sv}", NULL);
	if (inputs == NULL)
		return;
	g_variant_ref_sink (inputs);
	r = rs_model_score (model, inputs, problems);
	g_assert ((r == NULL) == (problems->len > 0));
	if (r != NULL) {
		check_result (model, r);
		inputs_scored++;
	}
	for (guint i = 0; i < problems->len; i++) {
		const RsProblem *p = g_ptr_array_index (problems, i);
		g_assert (p->input != NULL && p->code != NULL && p->message[0] != '\0');
	}
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
	g_autofree gchar *text = NULL;

	if (size == 0)
		return 0;
	text = g_strndup ((const gchar *)data + 1, size - 1);
	if (data[0] % 2 == 0) {
		fuzz_inputs (text);
	} else {
		g_autoptr (GError) error = NULL;
		g_autoptr (RsModel) m = rs_model_load_data (text, "fuzz", &error);

		g_assert ((m == NULL) != (error == NULL));
		if (m == NULL)
			g_assert (g_str_has_prefix (error->message, "fuzz: "));
		else
			models_loaded++;
	}
	return 0;
}

gboolean fuzz_replay_check (void);

/* the replayed corpus must reach both paths: the shipped models load, some inputs score */
gboolean
fuzz_replay_check (void)
{
	if (models_loaded < 8 || inputs_scored < 2) {
		g_printerr ("fuzz-risk-model: the corpus loaded %u models and scored %u inputs; "
			    "expected at least 8 and 2\n",
			    models_loaded, inputs_scored);
		return FALSE;
	}
	return TRUE;
}
