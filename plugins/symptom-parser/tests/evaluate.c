/*
 * evaluate — runs the parser core over annotated sentences (JSON lines, format in README.md) and
 * prints precision, recall and F1 for concepts, concepts with polarity and each attribute.
 *
 *   evaluate --data-dir DIR [--min-f1 0.90] [--min-polarity 0.93] [--errors] FILE.jsonl...
 *
 * A predicted finding is matched to the first unmatched gold finding with the same code.  Exits
 * non-zero if, over any file or all files together, concept F1 or polarity accuracy (on matched
 * findings) is under the given minimum.  --errors prints every disagreement (the evaluation
 * sentences are test data written for the purpose, not patient text).
 */
#define G_LOG_DOMAIN "evaluate"

#include <json-glib/json-glib.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>

#include "sp-parser.h"

enum {
	ATTR_EXPERIENCER,
	ATTR_TEMPORALITY,
	ATTR_DURATION,
	ATTR_SEVERITY,
	ATTR_LATERALITY,
	ATTR_SITE,
	N_ATTRS
};
static const gchar *const attr_names[N_ATTRS]
	= { "experiencer", "temporality", "duration_hours", "severity", "laterality", "site" };

typedef struct {
	guint n_sentences;
	guint gold;
	guint pred;
	guint tp;	   /* code matched */
	guint tp_polarity; /* code matched with the same polarity */
	guint attr_tp[N_ATTRS];
	guint attr_fp[N_ATTRS];
	guint attr_fn[N_ATTRS];
} Stats;

static gboolean show_errors;

static void
stats_add (Stats *a, const Stats *b)
{
	a->n_sentences += b->n_sentences;
	a->gold += b->gold;
	a->pred += b->pred;
	a->tp += b->tp;
	a->tp_polarity += b->tp_polarity;
	for (guint i = 0; i < N_ATTRS; i++) {
		a->attr_tp[i] += b->attr_tp[i];
		a->attr_fp[i] += b->attr_fp[i];
		a->attr_fn[i] += b->attr_fn[i];
	}
}

static gdouble
ratio (guint a, guint b)
{
	return b > 0 ? (gdouble)a / b : 1.0;
}

static gdouble
f1 (gdouble p, gdouble r)
{
	return p + r > 0 ? 2 * p * r / (p + r) : 0;
}

/* A predicted attribute as a string, or NULL when not stated. */
static gchar *
pred_attr (const SpFinding *f, guint attr)
{
	switch (attr) {
	case ATTR_EXPERIENCER:
		return g_strdup (f->family ? "family" : "patient");
	case ATTR_TEMPORALITY:
		return g_strdup (f->historical ? "historical" : "current");
	case ATTR_DURATION:
		return f->duration_hours >= 0 ? g_strdup_printf ("%g", f->duration_hours) : NULL;
	case ATTR_SEVERITY:
		return g_strdup (sp_severity_to_string (f->severity));
	case ATTR_LATERALITY:
		return g_strdup (sp_laterality_to_string (f->laterality));
	case ATTR_SITE:
		return g_strdup (f->site);
	default:
		return NULL;
	}
}

static gchar *
gold_attr (JsonObject *g, guint attr)
{
	JsonNode *node = json_object_get_member (g, attr_names[attr]);
	if (node == NULL || JSON_NODE_HOLDS_NULL (node))
		return attr == ATTR_EXPERIENCER	  ? g_strdup ("patient")
		       : attr == ATTR_TEMPORALITY ? g_strdup ("current")
						  : NULL;
	if (attr == ATTR_DURATION)
		return g_strdup_printf ("%g", json_node_get_double (node));
	return g_strdup (json_node_get_string (node));
}

static void
compare_attrs (Stats *st, const gchar *id, const SpFinding *f, JsonObject *g, const gchar *text)
{
	for (guint a = 0; a < N_ATTRS; a++) {
		g_autofree gchar *p = pred_attr (f, a);
		g_autofree gchar *t = gold_attr (g, a);
		if (p == NULL && t == NULL)
			continue;
		if (p != NULL && t != NULL && g_strcmp0 (p, t) == 0) {
			st->attr_tp[a]++;
			continue;
		}
		if (p != NULL)
			st->attr_fp[a]++;
		if (t != NULL)
			st->attr_fn[a]++;
		if (show_errors)
			g_print ("  %s %s %s: predicted %s, gold %s  | %s\n", id, f->concept->code,
				 attr_names[a], p ? p : "-", t ? t : "-", text);
	}
}

static gboolean
evaluate_line (const SpParser *parser, const gchar *line, guint lineno, Stats *st, GError **error)
{
	g_autoptr (JsonParser) jp = json_parser_new ();
	g_autoptr (GArray) findings = NULL;
	g_autofree gboolean *used = NULL;
	JsonObject *obj;
	JsonArray *gold;
	const gchar *text;
	const gchar *id;
	guint n_gold;

	if (!json_parser_load_from_data (jp, line, -1, error))
		return FALSE;
	obj = json_node_get_object (json_parser_get_root (jp));
	if (obj == NULL || !json_object_has_member (obj, "text")
	    || !json_object_has_member (obj, "findings")) {
		g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
			     "line %u: needs text and findings", lineno);
		return FALSE;
	}
	text = json_object_get_string_member (obj, "text");
	id = json_object_get_string_member_with_default (obj, "id", "?");
	gold = json_object_get_array_member (obj, "findings");
	n_gold = json_array_get_length (gold);
	used = g_new0 (gboolean, n_gold + 1);
	findings = sp_parser_parse (parser, text, -1, NULL, SP_PARSER_DEFAULT_MAX_BYTES, NULL,
				    error);
	if (findings == NULL)
		return FALSE;
	st->n_sentences++;
	st->gold += n_gold;
	st->pred += findings->len;
	for (guint i = 0; i < findings->len; i++) {
		const SpFinding *f = &g_array_index (findings, SpFinding, i);
		gboolean matched = FALSE;
		for (guint k = 0; k < n_gold && !matched; k++) {
			JsonObject *g = json_array_get_object_element (gold, k);
			if (used[k]
			    || g_strcmp0 (json_object_get_string_member (g, "code"),
					  f->concept->code)
				       != 0)
				continue;
			used[k] = TRUE;
			matched = TRUE;
			st->tp++;
			if (g_strcmp0 (json_object_get_string_member_with_default (g, "polarity",
										   "present"),
				       sp_polarity_to_string (f->polarity))
			    == 0)
				st->tp_polarity++;
			else if (show_errors)
				g_print ("  %s %s polarity: predicted %s, gold %s  | %s\n", id,
					 f->concept->code, sp_polarity_to_string (f->polarity),
					 json_object_get_string_member_with_default (g, "polarity",
										     "present"),
					 text);
			compare_attrs (st, id, f, g, text);
		}
		if (!matched && show_errors)
			g_print ("  %s FP %s (%s) '%.*s'  | %s\n", id, f->concept->code,
				 f->concept->label_en, (int)(f->byte_end - f->byte_start),
				 text + f->byte_start, text);
	}
	for (guint k = 0; k < n_gold && show_errors; k++) {
		if (!used[k])
			g_print ("  %s FN %s  | %s\n", id,
				 json_object_get_string_member (
					 json_array_get_object_element (gold, k), "code"),
				 text);
	}
	return TRUE;
}

static gboolean
report (const gchar *name, const Stats *st, gdouble min_f1, gdouble min_polarity)
{
	gdouble p = ratio (st->tp, st->pred);
	gdouble r = ratio (st->tp, st->gold);
	gdouble pp = ratio (st->tp_polarity, st->pred);
	gdouble rp = ratio (st->tp_polarity, st->gold);
	gdouble acc = ratio (st->tp_polarity, st->tp);
	gboolean ok = f1 (p, r) >= min_f1 && acc >= min_polarity;

	g_print ("%s: %u sentences, %u gold findings, %u predicted\n", name, st->n_sentences,
		 st->gold, st->pred);
	g_print ("  %-18s P %.3f  R %.3f  F1 %.3f\n", "concept", p, r, f1 (p, r));
	g_print ("  %-18s P %.3f  R %.3f  F1 %.3f\n", "concept+polarity", pp, rp, f1 (pp, rp));
	g_print ("  %-18s accuracy %.3f (on %u matched)\n", "polarity", acc, st->tp);
	for (guint a = 0; a < N_ATTRS; a++) {
		gdouble ap = ratio (st->attr_tp[a], st->attr_tp[a] + st->attr_fp[a]);
		gdouble ar = ratio (st->attr_tp[a], st->attr_tp[a] + st->attr_fn[a]);
		g_print ("  %-18s P %.3f  R %.3f  F1 %.3f  (tp %u fp %u fn %u, on matched "
			 "findings)\n",
			 attr_names[a], ap, ar, f1 (ap, ar), st->attr_tp[a], st->attr_fp[a],
			 st->attr_fn[a]);
	}
	if (!ok)
		g_print ("  FAILED: concept F1 must be >= %.2f and polarity accuracy >= %.2f\n",
			 min_f1, min_polarity);
	return ok;
}

int
main (int argc, char **argv)
{
	g_autoptr (GOptionContext) context
		= g_option_context_new ("FILE.jsonl... — evaluate the symptom parser");
	g_autoptr (GError) error = NULL;
	g_autoptr (SpParser) parser = NULL;
	g_autofree gchar *data_dir = NULL;
	gdouble min_f1 = 0;
	gdouble min_polarity = 0;
	gboolean ok = TRUE;
	Stats total = { 0 };
	const GOptionEntry entries[] = {
		{ "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &data_dir, "The plugin's data directory",
		  "DIR" },
		{ "min-f1", 0, 0, G_OPTION_ARG_DOUBLE, &min_f1, "Fail under this concept F1", "F" },
		{ "min-polarity", 0, 0, G_OPTION_ARG_DOUBLE, &min_polarity,
		  "Fail under this polarity accuracy", "A" },
		{ "errors", 0, 0, G_OPTION_ARG_NONE, &show_errors, "Print every disagreement",
		  NULL },
		{ NULL },
	};

	setlocale (LC_ALL, "");
	g_option_context_add_main_entries (context, entries, NULL);
	if (!g_option_context_parse (context, &argc, &argv, &error) || data_dir == NULL
	    || argc < 2) {
		g_printerr ("usage: evaluate --data-dir DIR [--min-f1 F] [--min-polarity A] "
			    "[--errors] FILE.jsonl...\n");
		return EXIT_FAILURE;
	}
	parser = sp_parser_new (data_dir, &error);
	if (parser == NULL) {
		g_printerr ("evaluate: %s\n", error->message);
		return EXIT_FAILURE;
	}
	for (int i = 1; i < argc; i++) {
		g_autofree gchar *contents = NULL;
		g_auto (GStrv) lines = NULL;
		g_autofree gchar *name = g_path_get_basename (argv[i]);
		Stats st = { 0 };

		if (!g_file_get_contents (argv[i], &contents, NULL, &error)) {
			g_printerr ("evaluate: %s\n", error->message);
			return EXIT_FAILURE;
		}
		lines = g_strsplit (contents, "\n", -1);
		for (guint l = 0; lines[l] != NULL; l++) {
			if (g_strstrip (lines[l])[0] == '\0')
				continue;
			if (!evaluate_line (parser, lines[l], l + 1, &st, &error)) {
				g_printerr ("evaluate: %s:%u: %s\n", argv[i], l + 1,
					    error->message);
				return EXIT_FAILURE;
			}
		}
		ok = report (name, &st, min_f1, min_polarity) && ok;
		stats_add (&total, &st);
	}
	if (argc > 2)
		ok = report ("all", &total, min_f1, min_polarity) && ok;
	return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
