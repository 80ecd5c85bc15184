/*
 * Coverage tables (issue 11): tests/lay-forms-{en,zh}.tsv list how patients, parents and
 * clinicians write findings (lay English, clinical shorthand, colloquial Chinese, allergies told
 * in many ways, laterality and site), each with the codes a careful coder would accept and the
 * polarity.  The tables were written before the parser was run on them; this test parses every
 * row with the REAL data directory and fails on any row the parser gets wrong, listing them all
 * with the pass rate.  tests/clinical-forms-{en,zh}.tsv (second round) cover what clinicians chart:
 * examination findings, neurological and psychiatric findings, women's and urological health,
 * eye/ENT/skin/musculoskeletal and paediatric wording, chart abbreviations and common typos.
 *
 * Row: phrase, kind (symptom, condition, allergy, "symptom|condition", or none: no symptom or
 * condition finding at all), codes (|-separated; the finding's code or an xref must be one),
 * polarity, and optional attributes (;-separated: lat=, site=, reaction=, nosym=, rel=).  A kind
 * written "?symptom" marks a known gap: the row is run and reported but does not fail.
 */
#define G_LOG_DOMAIN "test-lay-forms"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "sp-parser.h"
#include "sp-test-data.h"

TestSuite (lay_forms, .init = sp_test_data_setup, .fini = sp_test_data_teardown);

static gboolean
concept_has_code (const SpConcept *c, gchar **codes)
{
	if (g_strv_contains ((const gchar *const *)codes, c->code))
		return TRUE;
	for (guint i = 0; c->xrefs != NULL && c->xrefs[i] != NULL; i++)
		if (g_strv_contains ((const gchar *const *)codes, c->xrefs[i]))
			return TRUE;
	return FALSE;
}

static gboolean
kind_matches (const gchar *kind, SpFindingKind got)
{
	const gchar *name = sp_finding_kind_to_string (got);
	g_auto (GStrv) kinds = g_strsplit (kind, "|", -1);

	return g_strv_contains ((const gchar *const *)kinds, name);
}

static gboolean
is_symptom_or_condition (const SpFinding *f)
{
	return f->kind == SP_FINDING_SYMPTOM || f->kind == SP_FINDING_CONDITION;
}

static const gchar *
laterality_name (SpLaterality l)
{
	static const gchar *const names[] = { "-", "left", "right", "bilateral" };
	return names[l];
}

/* NULL when @f satisfies every attribute of @attrs, else what is wrong */
static gchar *
check_attrs (GArray *findings, const SpFinding *f, const gchar *attrs)
{
	g_auto (GStrv) parts = g_strsplit (attrs, ";", -1);

	for (guint i = 0; parts[i] != NULL; i++) {
		g_auto (GStrv) kv = g_strsplit (parts[i], "=", 2);
		if (kv[0] == NULL || kv[1] == NULL)
			return g_strdup_printf ("bad attribute '%s'", parts[i]);
		if (g_str_equal (kv[0], "lat")) {
			if (!g_str_equal (laterality_name (f->laterality), kv[1]))
				return g_strdup_printf ("laterality %s",
							laterality_name (f->laterality));
		} else if (g_str_equal (kv[0], "site")) {
			if (g_strcmp0 (f->site, kv[1]) != 0)
				return g_strdup_printf ("site %s", f->site ? f->site : "-");
		} else if (g_str_equal (kv[0], "rel")) {
			if (g_strcmp0 (f->relation, kv[1]) != 0)
				return g_strdup_printf ("relation %s",
							f->relation ? f->relation : "-");
		} else if (g_str_equal (kv[0], "reaction")) {
			gchar *codes[] = { kv[1], NULL };
			if (f->reaction == NULL || !concept_has_code (f->reaction, codes))
				return g_strdup_printf ("reaction %s",
							f->reaction ? f->reaction->code : "-");
		} else if (g_str_equal (kv[0], "nosym")) {
			gchar *codes[] = { kv[1], NULL };
			for (guint j = 0; j < findings->len; j++) {
				const SpFinding *o = &g_array_index (findings, SpFinding, j);
				if (is_symptom_or_condition (o)
				    && o->polarity == SP_POLARITY_PRESENT
				    && concept_has_code (o->concept, codes))
					return g_strdup_printf ("%s reported as a present finding",
								kv[1]);
			}
		} else {
			return g_strdup_printf ("unknown attribute '%s'", kv[0]);
		}
	}
	return NULL;
}

static gchar *
dump (GArray *findings)
{
	GString *s = g_string_new (NULL);

	for (guint i = 0; i < findings->len; i++) {
		const SpFinding *f = &g_array_index (findings, SpFinding, i);
		g_string_append_printf (s, " [%s %s %s \"%s\" %s]",
					sp_finding_kind_to_string (f->kind), f->concept->code,
					f->concept->label_en, sp_polarity_to_string (f->polarity),
					laterality_name (f->laterality));
	}
	return g_string_free (s, FALSE);
}

/* NULL when the row holds, else why not */
static gchar *
check_row (gchar **cols, guint n_cols)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GArray) findings = sp_parser_parse (sp_test_parser, cols[0], -1, NULL,
						       SP_PARSER_DEFAULT_MAX_BYTES, NULL, &error);
	g_autofree gchar *all = NULL;
	g_auto (GStrv) codes = NULL;
	g_autofree gchar *last = NULL;

	if (findings == NULL)
		return g_strdup (error->message);
	all = dump (findings);
	if (g_str_equal (cols[1], "none")) {
		for (guint i = 0; i < findings->len; i++)
			if (is_symptom_or_condition (&g_array_index (findings, SpFinding, i)))
				return g_strdup_printf ("expected no finding, got%s", all);
		return NULL;
	}
	codes = g_strsplit (cols[2], "|", -1);
	for (guint i = 0; i < findings->len; i++) {
		const SpFinding *f = &g_array_index (findings, SpFinding, i);
		if (!kind_matches (cols[1], f->kind) || !concept_has_code (f->concept, codes))
			continue;
		if (!g_str_equal (sp_polarity_to_string (f->polarity), cols[3])) {
			g_free (last);
			last = g_strdup_printf ("polarity %s", sp_polarity_to_string (f->polarity));
			continue;
		}
		if (n_cols < 5 || cols[4][0] == '\0')
			return NULL;
		g_free (last);
		last = check_attrs (findings, f, cols[4]);
		if (last == NULL)
			return NULL;
	}
	return g_strdup_printf ("%s; got%s", last != NULL ? last : "not found",
				all[0] ? all : " nothing");
}

static void
run_table (const gchar *name)
{
	const gchar *dir = g_getenv ("SP_LAY_FORMS_DIR");
	g_autofree gchar *path = NULL;
	g_autofree gchar *text = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (GString) failures = g_string_new (NULL);
	g_auto (GStrv) lines = NULL;
	guint rows = 0, failed = 0, gaps = 0;

	cr_assert_not_null (dir, "SP_LAY_FORMS_DIR is not set");
	path = g_build_filename (dir, name, NULL);
	cr_assert (g_file_get_contents (path, &text, NULL, &error), "%s", error->message);
	lines = g_strsplit (text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		g_auto (GStrv) cols = NULL;
		g_autofree gchar *why = NULL;
		guint n;

		if (lines[i][0] == '\0' || lines[i][0] == '#')
			continue;
		cols = g_strsplit (lines[i], "\t", -1);
		n = g_strv_length (cols);
		cr_assert (n >= 4, "%s:%u: %u columns, want 4 or 5", name, i + 1, n);
		rows++;
		/* a kind written "?kind" is a known gap: reported, not failed */
		if (cols[1][0] == '?') {
			g_autofree gchar *kind = g_strdup (cols[1] + 1);
			g_free (cols[1]);
			cols[1] = g_steal_pointer (&kind);
			why = check_row (cols, n);
			if (why != NULL) {
				gaps++;
				printf ("%s:%u known gap: %s: %s\n", name, i + 1, cols[0], why);
			}
			continue;
		}
		why = check_row (cols, n);
		if (why != NULL) {
			failed++;
			g_string_append_printf (failures, "\n  %s:%u %s (%s %s %s): %s", name,
						i + 1, cols[0], cols[1], cols[2], cols[3], why);
		}
	}
	/* the tables must stay big enough to say something about the general case */
	cr_assert (rows >= 150, "%s: %u rows, want at least 150", name, rows);
	printf ("%s: %u of %u rows pass (%.1f %%), %u known gaps\n", name, rows - failed - gaps,
		rows, 100.0 * (rows - failed - gaps) / rows, gaps);
	cr_expect_eq (failed, 0, "%s: %u of %u rows fail:%s", name, failed, rows, failures->str);
}

Test (lay_forms, english)
{
	run_table ("lay-forms-en.tsv");
}

Test (lay_forms, chinese)
{
	run_table ("lay-forms-zh.tsv");
}

Test (lay_forms, clinical_english)
{
	run_table ("clinical-forms-en.tsv");
}

Test (lay_forms, clinical_chinese)
{
	run_table ("clinical-forms-zh.tsv");
}
