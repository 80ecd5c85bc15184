/*
 * The coverage table of measurement forms (measure-forms.tsv): every common way clinicians and
 * patients write vital signs, anthropometrics, glucose, HbA1c, lipids and pain scores, in English
 * and Chinese, and the texts that look like measurements but are not (doses, dates, ages, room
 * and phone numbers, counts).  The table was written from clinical knowledge before the parser
 * ran on it; each row lists exactly the measurement and score findings its text must give
 * (code, value, unit, interpretation, original value and unit), so a missed form and a spurious
 * one both fail.  The real data directory, through sp_parser_parse().
 *
 * MEASURE_FORMS_VERBOSE=1 prints every row with what the parser found.
 */
#define G_LOG_DOMAIN "test-measure-forms"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sp-parser.h"
#include "sp-test-data.h"

TestSuite (forms, .init = sp_test_data_setup, .fini = sp_test_data_teardown);

/* one expected finding: "8480-6 142 mm[Hg] high [orig_value orig_unit]" */
typedef struct {
	gchar *code;
	gdouble value;
	gchar *unit;
	gchar *interp; /* "-": none */
	gdouble orig_value;
	gchar *orig_unit; /* NULL: none */
	gboolean used;
} FormExpect;

static void
form_expect_clear (gpointer p)
{
	FormExpect *e = p;
	g_free (e->code);
	g_free (e->unit);
	g_free (e->interp);
	g_free (e->orig_unit);
}

static gboolean
parse_expect (const gchar *spec, GArray *out)
{
	g_auto (GStrv) items = g_strsplit (spec, ";", -1);

	if (g_strcmp0 (spec, "-") == 0)
		return TRUE;
	for (guint i = 0; items[i] != NULL; i++) {
		g_auto (GStrv) w = g_strsplit (g_strstrip (items[i]), " ", -1);
		guint n = g_strv_length (w);
		FormExpect e = { 0 };
		if (n != 4 && n != 6)
			return FALSE;
		/* "8480-6" is LOINC:8480-6; a code with a prefix is as written (MV:5001) */
		e.code = strchr (w[0], ':') != NULL ? g_strdup (w[0])
						    : g_strconcat ("LOINC:", w[0], NULL);
		e.value = g_ascii_strtod (w[1], NULL);
		e.unit = g_strdup (w[2]);
		e.interp = g_strdup (w[3]);
		if (n == 6) {
			e.orig_value = g_ascii_strtod (w[4], NULL);
			e.orig_unit = g_strdup (w[5]);
		}
		g_array_append_val (out, e);
	}
	return TRUE;
}

static gboolean
matches (const FormExpect *e, const SpFinding *f)
{
	const gchar *interp = sp_interpretation_to_string (f->value.interpretation);

	return g_strcmp0 (e->code, f->concept->code) == 0
	       && fabs (e->value - f->value.value) < 0.006
	       && g_strcmp0 (e->unit, f->value.unit) == 0
	       && g_strcmp0 (e->interp, interp != NULL ? interp : "-") == 0
	       && g_strcmp0 (e->orig_unit, f->value.original_unit) == 0
	       && (e->orig_unit == NULL || fabs (e->orig_value - f->value.original_value) < 0.006);
}

static gchar *
describe (GArray *findings)
{
	GString *s = g_string_new (NULL);

	for (guint i = 0; i < findings->len; i++) {
		const SpFinding *f = &g_array_index (findings, SpFinding, i);
		const gchar *interp = sp_interpretation_to_string (f->value.interpretation);
		if (f->kind != SP_FINDING_MEASUREMENT && f->kind != SP_FINDING_SCORE)
			continue;
		g_string_append_printf (s, "%s%s %g %s %s", s->len > 0 ? "; " : "",
					g_str_has_prefix (f->concept->code, "LOINC:")
						? f->concept->code + strlen ("LOINC:")
						: f->concept->code,
					f->value.value, f->value.unit != NULL ? f->value.unit : "?",
					interp != NULL ? interp : "-");
		if (f->value.original_unit != NULL)
			g_string_append_printf (s, " %g %s", f->value.original_value,
						f->value.original_unit);
	}
	if (s->len == 0)
		g_string_append (s, "-");
	return g_string_free (s, FALSE);
}

/* NULL when the parse of @text gives exactly @spec, else what it gave */
static gchar *
check_row (const gchar *text, const gchar *lang, const gchar *spec)
{
	g_autoptr (GArray) expect = g_array_new (FALSE, TRUE, sizeof (FormExpect));
	g_autoptr (GArray) f = NULL;
	guint found = 0;
	gboolean ok = TRUE;

	g_array_set_clear_func (expect, form_expect_clear);
	cr_assert (parse_expect (spec, expect), "malformed expectation: %s", spec);
	f = sp_test_parse (text, lang);
	for (guint i = 0; i < f->len; i++) {
		const SpFinding *x = &g_array_index (f, SpFinding, i);
		gboolean hit = FALSE;
		if (x->kind != SP_FINDING_MEASUREMENT && x->kind != SP_FINDING_SCORE)
			continue;
		found++;
		for (guint j = 0; j < expect->len && !hit; j++) {
			FormExpect *e = &g_array_index (expect, FormExpect, j);
			if (!e->used && matches (e, x))
				e->used = hit = TRUE;
		}
		ok = ok && hit;
	}
	if (ok && found == expect->len)
		return NULL;
	return describe (f);
}

Test (forms, every_row_of_the_coverage_table)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *contents = NULL;
	g_auto (GStrv) lines = NULL;
	const gchar *path = g_getenv ("MEASURE_FORMS_TSV");
	gboolean verbose = g_strcmp0 (g_getenv ("MEASURE_FORMS_VERBOSE"), "1") == 0;
	guint rows = 0;
	guint passed = 0;
	guint negatives = 0;
	GString *failures = g_string_new (NULL);

	cr_assert_not_null (path, "MEASURE_FORMS_TSV is not set");
	cr_assert (g_file_get_contents (path, &contents, NULL, &error), "%s", error->message);
	lines = g_strsplit (contents, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		g_auto (GStrv) col = NULL;
		g_autofree gchar *got = NULL;
		if (lines[i][0] == '\0' || lines[i][0] == '#')
			continue;
		col = g_strsplit (lines[i], "\t", -1);
		cr_assert_eq (g_strv_length (col), 3, "%s:%u: 3 columns expected", path, i + 1);
		rows++;
		negatives += g_strcmp0 (col[2], "-") == 0;
		got = check_row (col[0], col[1], col[2]);
		if (got == NULL)
			passed++;
		else
			g_string_append_printf (failures,
						"\n  line %u: %s [%s]\n    want %s\n    got  %s",
						i + 1, col[0], col[1], col[2], got);
		if (verbose)
			fprintf (stderr, "%s\t%s\t%s\n", got == NULL ? "ok" : "FAIL", col[0],
				 got != NULL ? got : "");
	}
	g_printerr ("measure-forms: %u of %u rows pass (%u rows expect no measurement)\n", passed,
		    rows, negatives);
	/* the table is the point of this test: it must be there and be large */
	cr_assert_geq (rows, 150, "only %u rows in %s", rows, path);
	cr_assert_eq (passed, rows, "%u of %u rows fail:%s", rows - passed, rows, failures->str);
	g_string_free (failures, TRUE);
}
