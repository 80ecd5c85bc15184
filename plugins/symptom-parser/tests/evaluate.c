/*
 * evaluate — scores the parser (or any system's saved output) against annotated sentences and
 * prints precision, recall and F1 per kind, context accuracy and F1 per attribute, per file, per
 * language, per split and over everything.
 *
 *   evaluate (--data-dir DIR | --predictions PRED.jsonl) [--min-f1 [KIND=]F]...
 *            [--min-polarity A] [--min-attr NAME=F]... [--errors] [--json OUT.json]
 *            [--by-source] [--not-annotated CODE]... GOLD.jsonl...
 *
 * Gold formats and matching: eval-core.h; figures and thresholds: README.md ("Evaluation").
 * --predictions reads `{"id": …, "findings": [plugin findings]}` lines instead of running the
 * parser: how the evaluator's own test gets a known answer.  Exits 1 when a threshold fails,
 * when a file has no sentence or no gold finding, or when a threshold names a figure with
 * nothing to measure; 2 on unreadable input.  --not-annotated names a concept the gold set's
 * guideline leaves out (the Chinese sets do not annotate smoking): its unmatched predictions are
 * reported apart instead of as false positives.  --errors prints every disagreement (the
 * evaluation sentences are test data written for the purpose, not patient text).
 */
#define G_LOG_DOMAIN "evaluate"

#include <json-glib/json-glib.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>

#include "eval-core.h"
#include "sp-parser.h"

/* figures a threshold may name besides the kinds and attributes */
#define KIND_ALL "all"
#define KIND_SYMPTOM_CONDITION "symptom+condition"

typedef struct {
	gchar *name;
	gboolean is_file;
	gboolean legacy;
	EvStats st;
} Group;

typedef struct {
	gchar *name;
	gdouble min;
} Threshold;

typedef struct {
	SpParser *parser;
	GHashTable *predictions; /* id -> GPtrArray of EvFinding */
	GPtrArray *groups;	 /* Group, in the order first seen */
	GHashTable *by_name;
	GString *errors; /* NULL without --errors */
	gboolean by_source;
	GStrv not_annotated; /* --not-annotated codes */
} Eval;

static void
group_free (Group *g)
{
	g_free (g->name);
	g_free (g);
}

static Group *
eval_group (Eval *ev, const gchar *name)
{
	Group *g = g_hash_table_lookup (ev->by_name, name);
	if (g == NULL) {
		g = g_new0 (Group, 1);
		g->name = g_strdup (name);
		g_ptr_array_add (ev->groups, g);
		g_hash_table_insert (ev->by_name, g->name, g);
	}
	return g;
}

static gint
group_rank (const Group *g)
{
	if (g->is_file)
		return 0;
	return g_strcmp0 (g->name, KIND_ALL) == 0 ? 2 : 1;
}

static gint
group_cmp (gconstpointer a, gconstpointer b)
{
	const Group *x = *(Group *const *)a;
	const Group *y = *(Group *const *)b;
	gint d = group_rank (x) - group_rank (y);

	/* files keep their command-line order (the sort is stable); the others by name */
	if (d != 0 || group_rank (x) != 1)
		return d;
	return g_strcmp0 (x->name, y->name);
}

/* ---- predictions ---- */

static EvFinding *
finding_from_parser (const SpFinding *f)
{
	g_autoptr (GStrvBuilder) codes = g_strv_builder_new ();
	EvKind kind = EV_KIND_SYMPTOM;
	EvFinding *e;

	ev_kind_from_string (sp_finding_kind_to_string (f->kind), &kind);
	e = ev_finding_new (kind);
	g_strv_builder_add (codes, f->concept->code);
	if (f->concept->xrefs != NULL)
		g_strv_builder_addv (codes, (const gchar **)f->concept->xrefs);
	e->codes = g_strv_builder_end (codes);
	e->label = g_strdup (f->concept->label_en);
	e->mentions = MAX (f->n_mentions, 1);
	for (guint i = 0; i < f->n_spans; i++)
		ev_finding_add_span (e, f->spans[2 * i], f->spans[2 * i + 1]);
	if (f->n_spans == 0)
		ev_finding_add_span (e, f->start, f->end);
	g_free (e->ctx[EV_CTX_POLARITY]);
	e->ctx[EV_CTX_POLARITY] = g_strdup (sp_polarity_to_string (f->polarity));
	g_free (e->ctx[EV_CTX_EXPERIENCER]);
	e->ctx[EV_CTX_EXPERIENCER] = g_strdup (f->family ? "family" : "patient");
	g_free (e->ctx[EV_CTX_TEMPORALITY]);
	e->ctx[EV_CTX_TEMPORALITY] = g_strdup (f->historical ? "historical" : "current");
	e->ctx[EV_CTX_STATUS] = g_strdup (sp_status_to_string (f->status));
	if (f->duration_hours >= 0)
		ev_finding_set_num (e, EV_ATTR_DURATION, f->duration_hours);
	ev_finding_set_attr (e, EV_ATTR_SEVERITY, sp_severity_to_string (f->severity));
	ev_finding_set_attr (e, EV_ATTR_LATERALITY, sp_laterality_to_string (f->laterality));
	ev_finding_set_attr (e, EV_ATTR_SITE, f->site);
	ev_finding_set_attr (e, EV_ATTR_RELATION, f->relation);
	if (f->onset_age >= 0)
		ev_finding_set_num (e, EV_ATTR_ONSET_AGE, f->onset_age);
	if (f->value.unit != NULL) {
		ev_finding_set_num (e, EV_ATTR_VALUE, f->value.value);
		ev_finding_set_attr (e, EV_ATTR_UNIT, f->value.unit);
		ev_finding_set_attr (e, EV_ATTR_INTERPRETATION,
				     sp_interpretation_to_string (f->value.interpretation));
	}
	if (f->dose_unit != NULL) {
		ev_finding_set_num (e, EV_ATTR_DOSE_VALUE, f->dose_value);
		ev_finding_set_attr (e, EV_ATTR_DOSE_UNIT, f->dose_unit);
	}
	ev_finding_set_attr (e, EV_ATTR_FREQUENCY, f->frequency);
	ev_finding_set_attr (e, EV_ATTR_ROUTE, f->route);
	if (f->reaction != NULL) {
		g_autoptr (GStrvBuilder) r = g_strv_builder_new ();
		g_strv_builder_add (r, f->reaction->code);
		if (f->reaction->xrefs != NULL)
			g_strv_builder_addv (r, (const gchar **)f->reaction->xrefs);
		e->reaction = g_strv_builder_end (r);
		ev_finding_set_attr (e, EV_ATTR_REACTION, f->reaction->code);
	}
	e->text = g_strdup ("");
	return e;
}

static GPtrArray *
predict (Eval *ev, const gchar *id, const gchar *text, GError **error)
{
	g_autoptr (GArray) findings = NULL;
	GPtrArray *out;

	if (ev->predictions != NULL) {
		out = g_hash_table_lookup (ev->predictions, id);
		if (out == NULL) {
			g_set_error (error, EV_ERROR, 0, "no predictions for id \"%s\"", id);
			return NULL;
		}
		return g_ptr_array_ref (out);
	}
	findings = sp_parser_parse (ev->parser, text, -1, NULL, SP_PARSER_DEFAULT_MAX_BYTES, NULL,
				    error);
	if (findings == NULL)
		return NULL;
	out = g_ptr_array_new_with_free_func ((GDestroyNotify)ev_finding_free);
	for (guint i = 0; i < findings->len; i++)
		g_ptr_array_add (out,
				 finding_from_parser (&g_array_index (findings, SpFinding, i)));
	return out;
}

static gboolean
load_predictions (Eval *ev, const gchar *path, GError **error)
{
	g_autofree gchar *contents = NULL;
	g_auto (GStrv) lines = NULL;

	if (!g_file_get_contents (path, &contents, NULL, error))
		return FALSE;
	ev->predictions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
						 (GDestroyNotify)g_ptr_array_unref);
	lines = g_strsplit (contents, "\n", -1);
	for (guint l = 0; lines[l] != NULL; l++) {
		g_autoptr (JsonParser) jp = json_parser_new ();
		g_autoptr (GError) local = NULL;
		JsonObject *o;
		GPtrArray *pred;

		if (g_strstrip (lines[l])[0] == '\0')
			continue;
		if (!json_parser_load_from_data (jp, lines[l], -1, &local)) {
			g_set_error (error, EV_ERROR, 0, "%s:%u: %s", path, l + 1, local->message);
			return FALSE;
		}
		o = JSON_NODE_HOLDS_OBJECT (json_parser_get_root (jp))
			    ? json_node_get_object (json_parser_get_root (jp))
			    : NULL;
		if (o == NULL || !json_object_has_member (o, "id")
		    || !json_object_has_member (o, "findings")) {
			g_set_error (error, EV_ERROR, 0, "%s:%u: needs id and findings", path,
				     l + 1);
			return FALSE;
		}
		pred = ev_pred_from_json (json_object_get_array_member (o, "findings"), &local);
		if (pred == NULL) {
			g_set_error (error, EV_ERROR, 0, "%s:%u: %s", path, l + 1, local->message);
			return FALSE;
		}
		g_hash_table_replace (ev->predictions,
				      g_strdup (json_object_get_string_member (o, "id")), pred);
	}
	return TRUE;
}

/* ---- one gold file ---- */

static gboolean
evaluate_line (Eval *ev, Group *file, const gchar *line, GError **error)
{
	g_autoptr (JsonParser) jp = json_parser_new ();
	g_autoptr (GPtrArray) gold = NULL;
	g_autoptr (GPtrArray) pred = NULL;
	g_autoptr (GString) warnings = g_string_new (NULL);
	g_autofree gchar *where = NULL;
	EvStats st = { 0 };
	JsonObject *obj;
	JsonNode *findings;
	const gchar *text;
	const gchar *id;
	const gchar *keys[4] = { NULL };

	if (!json_parser_load_from_data (jp, line, -1, error))
		return FALSE;
	obj = JSON_NODE_HOLDS_OBJECT (json_parser_get_root (jp))
		      ? json_node_get_object (json_parser_get_root (jp))
		      : NULL;
	findings = obj != NULL ? json_object_get_member (obj, "findings") : NULL;
	text = obj != NULL ? json_object_get_string_member_with_default (obj, "text", NULL) : NULL;
	if (text == NULL || findings == NULL || !JSON_NODE_HOLDS_ARRAY (findings)) {
		g_set_error (error, EV_ERROR, 0, "needs text and a findings array");
		return FALSE;
	}
	id = json_object_get_string_member_with_default (obj, "id", "?");
	where = g_strdup_printf ("%s %s", file->name, id);
	if (ev_line_is_blind (obj))
		file->legacy = FALSE;
	gold = ev_gold_from_json (json_node_get_array (findings), text, file->legacy, warnings,
				  error);
	if (gold == NULL)
		return FALSE;
	if (warnings->len > 0)
		g_printerr ("evaluate: %s: %s", where, warnings->str);
	pred = predict (ev, id, text, error);
	if (pred == NULL)
		return FALSE;
	ev_match_sentence (gold, pred, file->legacy, &st, ev->errors, where,
			   (const gchar *const *)ev->not_annotated);
	ev_stats_add (&file->st, &st);
	/* the other groups: language, split, both, and the style imitated */
	keys[0] = json_object_get_string_member_with_default (obj, "lang", NULL);
	keys[1] = json_object_get_string_member_with_default (obj, "split", NULL);
	keys[2] = ev->by_source ? json_object_get_string_member_with_default (obj, "source", NULL)
				: NULL;
	if (keys[0] != NULL) {
		g_autofree gchar *name = g_strdup_printf ("lang=%s", keys[0]);
		ev_stats_add (&eval_group (ev, name)->st, &st);
	}
	if (keys[1] != NULL) {
		g_autofree gchar *name = g_strdup_printf ("split=%s", keys[1]);
		ev_stats_add (&eval_group (ev, name)->st, &st);
	}
	if (keys[0] != NULL && keys[1] != NULL) {
		g_autofree gchar *name = g_strdup_printf ("lang=%s split=%s", keys[0], keys[1]);
		ev_stats_add (&eval_group (ev, name)->st, &st);
	}
	if (keys[2] != NULL) {
		g_autofree gchar *name = g_strdup_printf ("source=%s", keys[2]);
		ev_stats_add (&eval_group (ev, name)->st, &st);
	}
	return TRUE;
}

static gboolean
evaluate_file (Eval *ev, const gchar *path, GError **error)
{
	g_autofree gchar *contents = NULL;
	g_autofree gchar *name = g_path_get_basename (path);
	g_auto (GStrv) lines = NULL;
	Group *file;

	if (!g_file_get_contents (path, &contents, NULL, error))
		return FALSE;
	file = eval_group (ev, name);
	file->is_file = TRUE;
	file->legacy = TRUE; /* until a line says otherwise */
	lines = g_strsplit (contents, "\n", -1);
	for (guint l = 0; lines[l] != NULL; l++) {
		g_autoptr (GError) local = NULL;
		if (g_strstrip (lines[l])[0] == '\0')
			continue;
		if (!evaluate_line (ev, file, lines[l], &local)) {
			g_set_error (error, EV_ERROR, 0, "%s:%u: %s", path, l + 1, local->message);
			return FALSE;
		}
	}
	return TRUE;
}

/* ---- figures ---- */

typedef struct {
	guint gold;
	guint tp_gold;
	guint pred;
	guint tp_pred;
} Counts;

/* NAN: nothing to measure (0/0), printed "-" and written null: an empty set is not a 1.000 */
static gdouble
ratio (guint a, guint b)
{
	return b > 0 ? (gdouble)a / b : NAN;
}

static gdouble
f1_of (guint tp_pred, guint pred, guint tp_gold, guint gold)
{
	gdouble p;
	gdouble r;

	if (pred == 0 && gold == 0)
		return NAN;
	/* only in a per-kind row: predictions of this kind matched gold findings of the other
	 * kind of the symptom/condition class, and none of this kind was annotated */
	if (gold == 0 && tp_pred > 0)
		return NAN;
	p = pred > 0 ? (gdouble)tp_pred / pred : 0;
	r = gold > 0 ? (gdouble)tp_gold / gold : 0;
	return p + r > 0 ? 2 * p * r / (p + r) : 0;
}

static Counts
counts_of (const EvStats *st, const gchar *kind)
{
	Counts c = { 0 };
	for (guint k = 0; k < EV_N_KINDS; k++) {
		if (g_strcmp0 (kind, KIND_ALL) != 0 && g_strcmp0 (kind, ev_kind_names[k]) != 0
		    && !(g_strcmp0 (kind, KIND_SYMPTOM_CONDITION) == 0
			 && (k == EV_KIND_SYMPTOM || k == EV_KIND_CONDITION)))
			continue;
		c.gold += st->gold[k];
		c.tp_gold += st->tp_gold[k];
		c.pred += st->pred[k];
		c.tp_pred += st->tp_pred[k];
	}
	return c;
}

static gboolean
figure_is_kind (const gchar *name)
{
	EvKind k;
	return g_strcmp0 (name, KIND_ALL) == 0 || g_strcmp0 (name, KIND_SYMPTOM_CONDITION) == 0
	       || ev_kind_from_string (name, &k);
}

/* An attribute's F1, or for the context names their accuracy, "negation" its F1. */
static gdouble
attr_figure (const EvStats *st, const gchar *name)
{
	gint a = ev_attr_from_string (name);

	for (guint c = 0; c < EV_N_CTX; c++) {
		if (g_strcmp0 (name, ev_ctx_names[c]) == 0)
			return ratio (st->ctx_ok[c], st->ctx_n[c]);
	}
	if (g_strcmp0 (name, "negation") == 0)
		return f1_of (st->negation.tp, st->negation.tp + st->negation.fp, st->negation.tp,
			      st->negation.tp + st->negation.fn);
	if (a < 0)
		return NAN;
	return f1_of (st->attr[a].tp, st->attr[a].tp + st->attr[a].fp, st->attr[a].tp,
		      st->attr[a].tp + st->attr[a].fn);
}

static gboolean
attr_figure_known (const gchar *name)
{
	for (guint c = 0; c < EV_N_CTX; c++) {
		if (g_strcmp0 (name, ev_ctx_names[c]) == 0)
			return TRUE;
	}
	return g_strcmp0 (name, "negation") == 0 || ev_attr_from_string (name) >= 0;
}

static gchar *
fmt (gdouble x)
{
	return isnan (x) ? g_strdup ("    -") : g_strdup_printf ("%.3f", x);
}

static void
print_prf (
	const gchar *name, guint tp_pred, guint pred, guint tp_gold, guint gold, const gchar *extra)
{
	g_autofree gchar *p = fmt (ratio (tp_pred, pred));
	g_autofree gchar *r = fmt (ratio (tp_gold, gold));
	g_autofree gchar *f = fmt (f1_of (tp_pred, pred, tp_gold, gold));

	g_print ("  %-18s %5u %5u  P %s  R %s  F1 %s%s\n", name, gold, pred, p, r, f, extra);
}

static void
print_group (const Group *g)
{
	const EvStats *st = &g->st;
	Counts all = counts_of (st, KIND_ALL);
	Counts sc = counts_of (st, KIND_SYMPTOM_CONDITION);

	g_print ("%s%s: %u sentences, %u gold findings, %u predicted\n", g->name,
		 g->is_file ? (g->legacy ? " (legacy set: symptoms by code)"
					 : " (blind set: kind, span, code)")
			    : "",
		 st->n_sentences, all.gold, all.pred);
	g_print ("  %-18s %5s %5s\n", "kind", "gold", "pred");
	for (guint k = 0; k < EV_N_KINDS; k++) {
		if (st->gold[k] + st->pred[k] > 0)
			print_prf (ev_kind_names[k], st->tp_pred[k], st->pred[k], st->tp_gold[k],
				   st->gold[k], "");
	}
	if (st->gold[EV_KIND_CONDITION] + st->pred[EV_KIND_CONDITION] > 0)
		print_prf (KIND_SYMPTOM_CONDITION, sc.tp_pred, sc.pred, sc.tp_gold, sc.gold, "");
	print_prf (KIND_ALL, all.tp_pred, all.pred, all.tp_gold, all.gold, "");
	print_prf ("+polarity", st->match_polarity, all.pred, st->match_polarity, all.gold,
		   "  (a match with the same polarity)");
	print_prf ("+context", st->match_context, all.pred, st->match_context, all.gold,
		   "  (… and experiencer, temporality)");
	for (guint c = 0; c < EV_N_CTX; c++) {
		g_autofree gchar *acc = fmt (ratio (st->ctx_ok[c], st->ctx_n[c]));
		g_print ("  %-18s accuracy %s (on %u matched%s)\n", ev_ctx_names[c], acc,
			 st->ctx_n[c], c == EV_CTX_STATUS ? " with a gold status" : "");
	}
	print_prf ("negation", st->negation.tp, st->negation.tp + st->negation.fp, st->negation.tp,
		   st->negation.tp + st->negation.fn, "  (absent as positive, on matched)");
	for (guint a = 0; a < EV_N_ATTRS; a++) {
		const EvPrf *x = &st->attr[a];
		g_autofree gchar *extra = NULL;
		if (x->tp + x->fp + x->fn == 0)
			continue;
		extra = g_strdup_printf ("  (tp %u fp %u fn %u, on matched)", x->tp, x->fp, x->fn);
		print_prf (ev_attr_names[a], x->tp, x->tp + x->fp, x->tp, x->tp + x->fn, extra);
	}
	if (st->cross_kind > 0)
		g_print ("  %u matched pairs crossed symptom/condition (one class for matching)\n",
			 st->cross_kind);
	for (guint k = 0; k < EV_N_KINDS; k++) {
		if (st->ignored[k] > 0)
			g_print ("  ignored: %u unmatched %s findings (this set annotates symptoms "
				 "only)\n",
				 st->ignored[k], ev_kind_names[k]);
	}
	if (st->unannotated > 0)
		g_print ("  not scored: %u unmatched findings of concepts this set does not "
			 "annotate "
			 "(--not-annotated)\n",
			 st->unannotated);
}

/* Checks @g against the thresholds; prints and returns FALSE on any failure. */
static gboolean
check_group (const Group *g, GPtrArray *min_f1, GPtrArray *min_attr, gdouble min_polarity)
{
	Counts all = counts_of (&g->st, KIND_ALL);
	gboolean ok = TRUE;

	if (g->is_file && (g->st.n_sentences == 0 || all.gold == 0)) {
		g_print ("  FAILED: %s has %u sentences and %u gold findings: nothing was "
			 "measured\n",
			 g->name, g->st.n_sentences, all.gold);
		ok = FALSE;
	}
	for (guint i = 0; i < min_f1->len; i++) {
		const Threshold *t = g_ptr_array_index (min_f1, i);
		Counts c = counts_of (&g->st, t->name);
		gdouble f = f1_of (c.tp_pred, c.pred, c.tp_gold, c.gold);
		if (c.gold > 0 && f >= t->min)
			continue;
		if (isnan (f) || c.gold == 0)
			g_print ("  FAILED: %s F1 must be >= %.3f: no gold finding of that kind\n",
				 t->name, t->min);
		else
			g_print ("  FAILED: %s F1 %.3f must be >= %.3f\n", t->name, f, t->min);
		ok = FALSE;
	}
	for (guint i = 0; i < min_attr->len; i++) {
		const Threshold *t = g_ptr_array_index (min_attr, i);
		gdouble f = attr_figure (&g->st, t->name);
		if (!isnan (f) && f >= t->min)
			continue;
		if (isnan (f))
			g_print ("  FAILED: %s must be >= %.3f: nothing to measure\n", t->name,
				 t->min);
		else
			g_print ("  FAILED: %s %.3f must be >= %.3f\n", t->name, f, t->min);
		ok = FALSE;
	}
	if (min_polarity > 0 && !(attr_figure (&g->st, "polarity") >= min_polarity)) {
		g_print ("  FAILED: polarity accuracy %.3f must be >= %.3f\n",
			 attr_figure (&g->st, "polarity"), min_polarity);
		ok = FALSE;
	}
	return ok;
}

/* ---- JSON ---- */

static void
add_number (JsonBuilder *b, const gchar *name, gdouble x)
{
	json_builder_set_member_name (b, name);
	if (isnan (x))
		json_builder_add_null_value (b);
	else
		json_builder_add_double_value (b, x);
}

static void
add_prf (JsonBuilder *b, const gchar *name, guint tp_pred, guint pred, guint tp_gold, guint gold)
{
	json_builder_set_member_name (b, name);
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "gold");
	json_builder_add_int_value (b, gold);
	json_builder_set_member_name (b, "pred");
	json_builder_add_int_value (b, pred);
	json_builder_set_member_name (b, "tp_gold");
	json_builder_add_int_value (b, tp_gold);
	json_builder_set_member_name (b, "tp_pred");
	json_builder_add_int_value (b, tp_pred);
	add_number (b, "p", ratio (tp_pred, pred));
	add_number (b, "r", ratio (tp_gold, gold));
	add_number (b, "f1", f1_of (tp_pred, pred, tp_gold, gold));
	json_builder_end_object (b);
}

static void
add_group (JsonBuilder *b, const Group *g, gboolean ok)
{
	const EvStats *st = &g->st;
	Counts all = counts_of (st, KIND_ALL);
	Counts sc = counts_of (st, KIND_SYMPTOM_CONDITION);
	const EvPrf *n = &st->negation;

	json_builder_begin_object (b);
	json_builder_set_member_name (b, "name");
	json_builder_add_string_value (b, g->name);
	if (g->is_file) {
		json_builder_set_member_name (b, "format");
		json_builder_add_string_value (b, g->legacy ? "legacy" : "blind");
		json_builder_set_member_name (b, "ok");
		json_builder_add_boolean_value (b, ok);
	}
	json_builder_set_member_name (b, "sentences");
	json_builder_add_int_value (b, st->n_sentences);
	json_builder_set_member_name (b, "kinds");
	json_builder_begin_object (b);
	for (guint k = 0; k < EV_N_KINDS; k++)
		add_prf (b, ev_kind_names[k], st->tp_pred[k], st->pred[k], st->tp_gold[k],
			 st->gold[k]);
	add_prf (b, KIND_SYMPTOM_CONDITION, sc.tp_pred, sc.pred, sc.tp_gold, sc.gold);
	add_prf (b, KIND_ALL, all.tp_pred, all.pred, all.tp_gold, all.gold);
	json_builder_end_object (b);
	add_prf (b, "concept+polarity", st->match_polarity, all.pred, st->match_polarity, all.gold);
	add_prf (b, "concept+context", st->match_context, all.pred, st->match_context, all.gold);
	add_prf (b, "negation", n->tp, n->tp + n->fp, n->tp, n->tp + n->fn);
	for (guint c = 0; c < EV_N_CTX; c++) {
		g_autofree gchar *name = g_strdup_printf ("%s_accuracy", ev_ctx_names[c]);
		add_number (b, name, ratio (st->ctx_ok[c], st->ctx_n[c]));
	}
	json_builder_set_member_name (b, "attributes");
	json_builder_begin_object (b);
	for (guint a = 0; a < EV_N_ATTRS; a++) {
		const EvPrf *x = &st->attr[a];
		add_prf (b, ev_attr_names[a], x->tp, x->tp + x->fp, x->tp, x->tp + x->fn);
	}
	json_builder_end_object (b);
	json_builder_set_member_name (b, "cross_kind");
	json_builder_add_int_value (b, st->cross_kind);
	json_builder_set_member_name (b, "unannotated");
	json_builder_add_int_value (b, st->unannotated);
	json_builder_set_member_name (b, "ignored");
	json_builder_begin_object (b);
	for (guint k = 0; k < EV_N_KINDS; k++) {
		json_builder_set_member_name (b, ev_kind_names[k]);
		json_builder_add_int_value (b, st->ignored[k]);
	}
	json_builder_end_object (b);
	json_builder_end_object (b);
}

/* ---- main ---- */

static gboolean
parse_thresholds (
	gchar **args, gboolean kinds, gboolean default_all, GPtrArray *out, GError **error)
{
	for (guint i = 0; args != NULL && args[i] != NULL; i++) {
		const gchar *eq = strchr (args[i], '=');
		g_autofree gchar *name
			= eq ? g_strndup (args[i], eq - args[i]) : g_strdup (KIND_ALL);
		gchar *end = NULL;
		gdouble min = g_ascii_strtod (eq ? eq + 1 : args[i], &end);
		Threshold *t;

		if ((eq == NULL && !default_all) || end == NULL || *end != '\0' || end == eq + 1
		    || (kinds ? !figure_is_kind (name) : !attr_figure_known (name))) {
			g_set_error (error, EV_ERROR, 0, "bad threshold \"%s\"", args[i]);
			return FALSE;
		}
		t = g_new0 (Threshold, 1);
		t->name = g_steal_pointer (&name);
		t->min = min;
		g_ptr_array_add (out, t);
	}
	return TRUE;
}

static void
threshold_free (Threshold *t)
{
	g_free (t->name);
	g_free (t);
}

static gboolean
write_json (const gchar *path, Eval *ev, GHashTable *ok_by_file, gboolean ok, GError **error)
{
	g_autoptr (JsonBuilder) b = json_builder_new ();
	g_autoptr (JsonGenerator) gen = json_generator_new ();
	g_autoptr (JsonNode) root = NULL;

	json_builder_begin_object (b);
	json_builder_set_member_name (b, "ok");
	json_builder_add_boolean_value (b, ok);
	json_builder_set_member_name (b, "groups");
	json_builder_begin_array (b);
	for (guint i = 0; i < ev->groups->len; i++) {
		const Group *g = g_ptr_array_index (ev->groups, i);
		add_group (b, g, g_hash_table_contains (ok_by_file, g->name));
	}
	json_builder_end_array (b);
	json_builder_end_object (b);
	root = json_builder_get_root (b);
	json_generator_set_root (gen, root);
	json_generator_set_pretty (gen, TRUE);
	return json_generator_to_file (gen, path, error);
}

int
main (int argc, char **argv)
{
	g_autoptr (GOptionContext) context
		= g_option_context_new ("GOLD.jsonl... — evaluate the clinical-text parser");
	g_autoptr (GError) error = NULL;
	g_autoptr (SpParser) parser = NULL;
	g_autoptr (GPtrArray) min_f1
		= g_ptr_array_new_with_free_func ((GDestroyNotify)threshold_free);
	g_autoptr (GPtrArray) min_attr
		= g_ptr_array_new_with_free_func ((GDestroyNotify)threshold_free);
	g_autoptr (GHashTable) ok_files = g_hash_table_new (g_str_hash, g_str_equal);
	g_autofree gchar *data_dir = NULL;
	g_autofree gchar *pred_path = NULL;
	g_autofree gchar *json_path = NULL;
	g_auto (GStrv) min_f1_args = NULL;
	g_auto (GStrv) min_attr_args = NULL;
	gdouble min_polarity = 0;
	gboolean show_errors = FALSE;
	gboolean ok = TRUE;
	Eval ev = { 0 };
	Group *all;
	const GOptionEntry entries[] = {
		{ "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &data_dir,
		  "The plugin's data directory (run the parser)", "DIR" },
		{ "predictions", 0, 0, G_OPTION_ARG_FILENAME, &pred_path,
		  "Score saved findings ({\"id\",\"findings\"} lines) instead", "FILE" },
		{ "min-f1", 0, 0, G_OPTION_ARG_STRING_ARRAY, &min_f1_args,
		  "Fail under this F1 (KIND: all, symptom+condition or a kind; default all)",
		  "[KIND=]F" },
		{ "min-polarity", 0, 0, G_OPTION_ARG_DOUBLE, &min_polarity,
		  "Fail under this polarity accuracy", "A" },
		{ "min-attr", 0, 0, G_OPTION_ARG_STRING_ARRAY, &min_attr_args,
		  "Fail under this attribute F1 (or experiencer/temporality/status accuracy, "
		  "negation F1)",
		  "NAME=F" },
		{ "errors", 0, 0, G_OPTION_ARG_NONE, &show_errors, "Print every disagreement",
		  NULL },
		{ "json", 0, 0, G_OPTION_ARG_FILENAME, &json_path, "Write the figures as JSON",
		  "FILE" },
		{ "by-source", 0, 0, G_OPTION_ARG_NONE, &ev.by_source,
		  "Also report per source style", NULL },
		{ "not-annotated", 0, 0, G_OPTION_ARG_STRING_ARRAY, &ev.not_annotated,
		  "A code the set's guideline does not annotate: an unmatched prediction of it is "
		  "not a false positive",
		  "CODE" },
		{ NULL },
	};

	setlocale (LC_ALL, "");
	g_option_context_add_main_entries (context, entries, NULL);
	if (!g_option_context_parse (context, &argc, &argv, &error)
	    || (data_dir == NULL) == (pred_path == NULL) || argc < 2
	    || !parse_thresholds (min_f1_args, TRUE, TRUE, min_f1, &error)
	    || !parse_thresholds (min_attr_args, FALSE, FALSE, min_attr, &error)) {
		g_printerr ("evaluate: %s\nusage: evaluate (--data-dir DIR | --predictions FILE) "
			    "[--min-f1 [KIND=]F]... [--min-polarity A] [--min-attr NAME=F]... "
			    "[--errors] [--json FILE] [--by-source] [--not-annotated CODE]... "
			    "GOLD.jsonl...\n",
			    error ? error->message
				  : "one of --data-dir and --predictions, and a file");
		return 2;
	}
	if (data_dir != NULL && (parser = sp_parser_new (data_dir, &error)) == NULL) {
		g_printerr ("evaluate: %s\n", error->message);
		return 2;
	}
	if (pred_path != NULL && !load_predictions (&ev, pred_path, &error)) {
		g_printerr ("evaluate: %s\n", error->message);
		return 2;
	}
	ev.parser = parser;
	ev.groups = g_ptr_array_new_with_free_func ((GDestroyNotify)group_free);
	ev.by_name = g_hash_table_new (g_str_hash, g_str_equal);
	ev.errors = show_errors ? g_string_new (NULL) : NULL;
	for (int i = 1; i < argc; i++) {
		if (!evaluate_file (&ev, argv[i], &error)) {
			g_printerr ("evaluate: %s\n", error->message);
			return 2;
		}
	}
	all = g_new0 (Group, 1);
	all->name = g_strdup (KIND_ALL);
	for (guint i = 0; i < ev.groups->len; i++) {
		const Group *g = g_ptr_array_index (ev.groups, i);
		if (g->is_file)
			ev_stats_add (&all->st, &g->st);
	}
	g_ptr_array_add (ev.groups, all);
	if (ev.errors != NULL && ev.errors->len > 0)
		g_print ("disagreements:\n%s", ev.errors->str);
	/* the files first, then the languages, splits and sources, then everything */
	g_ptr_array_sort (ev.groups, group_cmp);
	for (guint i = 0; i < ev.groups->len; i++) {
		const Group *g = g_ptr_array_index (ev.groups, i);
		gboolean checked = g->is_file || (g == all && argc > 2);
		if (g != all || argc > 2)
			print_group (g);
		if (checked && !check_group (g, min_f1, min_attr, min_polarity))
			ok = FALSE;
		else if (checked)
			g_hash_table_add (ok_files, g->name);
	}
	if (json_path != NULL && !write_json (json_path, &ev, ok_files, ok, &error)) {
		g_printerr ("evaluate: %s\n", error->message);
		return 2;
	}
	g_ptr_array_unref (ev.groups);
	g_hash_table_unref (ev.by_name);
	if (ev.predictions != NULL)
		g_hash_table_unref (ev.predictions);
	if (ev.errors != NULL)
		g_string_free (ev.errors, TRUE);
	g_strfreev (ev.not_annotated);
	return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
