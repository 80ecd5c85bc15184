/*
 * libFuzzer target: the measurement, score and medication matchers (sp-measure.c) through the
 * whole parser with the real lexicon.  The first byte picks a measurement name, vital-sign
 * letter, unit or drug name that is put before the rest of the input, so that most inputs reach
 * the number, unit, dose and schedule readers; the second picks the language argument.  Checks
 * that every value is finite and plausible, every unit, frequency and route one of the static
 * strings of spec.md section 3.  The data directory comes from SP_FUZZ_DATA_DIR, else the
 * build's data directory.
 */
#include <glib.h>
#include <math.h>

#include "sp-parser.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);
gboolean fuzz_replay_check (void);

static SpParser *parser;
/* what the replayed corpus reached, checked by fuzz_replay_check() */
static guint n_measurements;
static guint n_doses;

static const gchar *const prefixes[] = {
	"",
	"T ",
	"BP ",
	"HR ",
	"temperature ",
	"体温",
	"血压",
	"心率",
	"SpO2 ",
	"weight ",
	"体重",
	"height ",
	"身高",
	"BMI ",
	"glucose ",
	"空腹血糖",
	"HbA1c ",
	"pain ",
	"疼痛评分",
	"VAS ",
	"lost ",
	"掉了",
	"T 38 P ",
	"metformin ",
	"二甲双胍",
	"aspirin ",
	"阿司匹林",
	"insulin ",
	"口服",
	"albuterol ",
	"头孢",
	"R 20 BP ",
	/* issue 11, the coverage table's forms (tests/measure-forms.tsv) */
	"sats ",
	"烧到",
	"糖耐量：空腹",
	"his pressure was ",
	"high blood sugar of ",
	"血糖高达",
	"bilirubin at home was ",
	"eGFR ",
	"HDL ",
	"A1c went from ",
	"T 38.",
	"体温三十",
	"身高1米",
	"HR in the ",
	"OGTT: fasting ",
};

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
	g_autoptr (GError) error = NULL;
	const gchar *dir = g_getenv ("SP_FUZZ_DATA_DIR");

	parser = sp_parser_new (dir != NULL ? dir : SP_FUZZ_DATA_DIR, &error);
	if (parser == NULL)
		g_error ("cannot load the parser data: %s", error->message);
	return 0;
}

static gboolean
in_set (const gchar *s, const gchar *const *set)
{
	return s == NULL || g_strv_contains (set, s);
}

static void
check (const SpFinding *f, gsize len)
{
	/* clang-format off */
	static const gchar *const units[] = {
		"Cel", "mm[Hg]", "/min", "%", "kg", "cm", "kg/m2", "mmol/L", "{score}", "g/dL", "g/L",
		"10*3/uL", "umol/L", "meq/L", "m[IU]/L", "{INR}", "mg/L", "mg/dL", "U/L", "ng/mL",
		"pg/mL", "mL/min/{1.73_m2}", "mm/h", "10*9/L", "ug/L", "mg/g{creat}", "pmol/L", "ng/dL",
		"mosm/kg", NULL,
	};
	/* clang-format on */
	static const gchar *const originals[]
		= { "[degF]", "{jin}", "[lb_av]", "g", "m", "[in_i]", "mg/dL", "mmol/mol", NULL };
	static const gchar *const doses[]
		= { "mg", "g", "ug", "mL", "[iU]", "{puff}", "{tbl}", "meq", NULL };
	static const gchar *const freqs[] = { "QD", "BID", "TID", "QID", "QHS",	 "QAM", "QOD",
					      "QW", "Q4H", "Q6H", "Q8H", "Q12H", "PRN", NULL };
	static const gchar *const routes[]
		= { "oral", "iv", "im", "sc", "inhaled", "topical", "sublingual", "rectal", NULL };

	g_assert (f->start < f->end);
	g_assert (f->byte_start < f->byte_end && f->byte_end <= len);
	if (f->kind == SP_FINDING_MEASUREMENT || f->kind == SP_FINDING_SCORE) {
		g_assert (f->value.unit != NULL && in_set (f->value.unit, units));
		/* the largest plausible value: a BNP or NT-proBNP of 100 000 pg/mL */
		g_assert (isfinite (f->value.value) && f->value.value >= 0
			  && f->value.value <= 100000);
		g_assert (in_set (f->value.original_unit, originals));
		g_assert (f->value.original_unit == NULL || isfinite (f->value.original_value));
		g_assert (f->value.interpretation <= SP_INTERPRETATION_LOW);
		g_assert (f->polarity == SP_POLARITY_PRESENT);
		n_measurements++;
	} else {
		g_assert (f->value.unit == NULL);
	}
	if (f->dose_unit != NULL) {
		g_assert (f->kind == SP_FINDING_MEDICATION || f->kind == SP_FINDING_ALLERGY);
		g_assert (in_set (f->dose_unit, doses));
		g_assert (isfinite (f->dose_value) && f->dose_value > 0);
		n_doses++;
	}
	g_assert (in_set (f->frequency, freqs));
	g_assert (in_set (f->route, routes));
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
	static const gchar *const langs[] = { "", "en", "zh", NULL };
	g_autoptr (GArray) findings = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (GString) text = NULL;

	if (parser == NULL)
		LLVMFuzzerInitialize (NULL, NULL);
	if (size < 2)
		return 0;
	text = g_string_new (prefixes[data[0] % G_N_ELEMENTS (prefixes)]);
	g_string_append_len (text, (const gchar *)data + 2, (gssize)size - 2);
	findings = sp_parser_parse (parser, text->str, (gssize)text->len, langs[data[1] % 4], 8192,
				    NULL, &error);
	if (findings == NULL) {
		g_assert (error != NULL && error->domain == SP_PARSER_ERROR);
		return 0;
	}
	for (guint i = 0; i < findings->len; i++)
		check (&g_array_index (findings, SpFinding, i), text->len);
	return 0;
}

/* the corpus must reach the value and dose readers, or the replay tests nothing of them */
gboolean
fuzz_replay_check (void)
{
	if (n_measurements >= 20 && n_doses >= 5)
		return TRUE;
	g_printerr ("fuzz-measure corpus reached %u measurements and %u doses (want 20 and 5)\n",
		    n_measurements, n_doses);
	return FALSE;
}
