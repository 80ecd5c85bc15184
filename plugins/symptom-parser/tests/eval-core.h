/*
 * The evaluator's core: findings as the evaluator sees them (gold or predicted, whatever their
 * source), reading them from JSON, and matching one sentence's predictions against its gold
 * annotation into counts.  No parser here, so that the matching can be tested on fixtures with
 * a known answer (tests/eval-fixtures/) and applied to any system's output.
 *
 * Two gold formats (tests/data/README.md and the blind format of issue 11):
 *  - legacy: a finding has one `code` and no `kind` or `text`; symptoms only, matched by code as
 *    a multiset per sentence.  A predicted condition counts only when it matches (these sets
 *    call symptom-like diseases symptoms and do not annotate the others); other kinds are
 *    ignored and counted as such.
 *  - blind: `kind`, `text` (+ `occurrence`), `codes`; matched by kind class (symptom and
 *    condition are one class), overlapping spans and agreeing codes.  Gold mentions of one
 *    concept with identical attributes are merged first, as the parser merges them.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define EV_ERROR (ev_error_quark ())

GQuark ev_error_quark (void);

typedef enum {
	EV_KIND_SYMPTOM,
	EV_KIND_CONDITION,
	EV_KIND_ALLERGY,
	EV_KIND_MEDICATION,
	EV_KIND_MEASUREMENT,
	EV_KIND_SCORE,
	EV_N_KINDS
} EvKind;

/* Context, scored as accuracy over matched pairs (status: over pairs whose gold states one). */
typedef enum {
	EV_CTX_POLARITY,
	EV_CTX_EXPERIENCER,
	EV_CTX_TEMPORALITY,
	EV_CTX_STATUS,
	EV_N_CTX
} EvCtx;

/* Attributes, scored as P/R/F1 over matched pairs. */
typedef enum {
	EV_ATTR_DURATION,
	EV_ATTR_SEVERITY,
	EV_ATTR_LATERALITY,
	EV_ATTR_SITE,
	EV_ATTR_RELATION,
	EV_ATTR_ONSET_AGE,
	EV_ATTR_VALUE,
	EV_ATTR_UNIT,
	EV_ATTR_INTERPRETATION,
	EV_ATTR_DOSE_VALUE,
	EV_ATTR_DOSE_UNIT,
	EV_ATTR_FREQUENCY,
	EV_ATTR_ROUTE,
	EV_ATTR_REACTION,
	EV_N_ATTRS
} EvAttr;

extern const gchar *const ev_kind_names[EV_N_KINDS];
extern const gchar *const ev_ctx_names[EV_N_CTX];
extern const gchar *const ev_attr_names[EV_N_ATTRS];

gboolean ev_kind_from_string (const gchar *name, EvKind *kind);

/* Returns: the attribute's index, or -1. */
gint ev_attr_from_string (const gchar *name);

typedef struct {
	EvKind kind;
	gchar **codes; /* predicted: code, then xrefs; gold: every acceptable code (maybe none) */
	gchar *label;  /* messages; and the merge key of gold findings without codes */
	gchar *text;   /* first mention */
	GArray *spans; /* guint32 start, end pairs in code points; empty for legacy gold */
	guint mentions;
	gchar *ctx[EV_N_CTX];	 /* NULL: not stated (status only; the others have defaults) */
	gchar *attr[EV_N_ATTRS]; /* NULL: not stated; numbers printed with %g */
	gdouble num[EV_N_ATTRS]; /* the numeric attributes' values */
	gchar **reaction;	 /* acceptable reaction codes (gold), or code + xrefs */
} EvFinding;

EvFinding *ev_finding_new (EvKind kind);
void ev_finding_free (EvFinding *f);
void ev_finding_add_span (EvFinding *f, guint32 start, guint32 end);
void ev_finding_set_attr (EvFinding *f, EvAttr attr, const gchar *value);
void ev_finding_set_num (EvFinding *f, EvAttr attr, gdouble value);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EvFinding, ev_finding_free)

typedef struct {
	guint tp;
	guint fp;
	guint fn;
} EvPrf;

typedef struct {
	guint n_sentences;
	/* recall under the gold kind, precision under the predicted kind */
	guint gold[EV_N_KINDS];
	guint tp_gold[EV_N_KINDS];
	guint pred[EV_N_KINDS];
	guint tp_pred[EV_N_KINDS];
	guint match_polarity; /* matched pairs with the same polarity */
	guint match_context;  /* … and the same experiencer and temporality */
	guint ctx_n[EV_N_CTX];
	guint ctx_ok[EV_N_CTX];
	EvPrf negation; /* absent as the positive class, over matched pairs */
	EvPrf attr[EV_N_ATTRS];
	guint ignored[EV_N_KINDS]; /* legacy sets: predicted findings they do not annotate */
	guint unannotated;	   /* unmatched predictions of concepts the set leaves out */
	guint cross_kind;	   /* matched pairs of symptom against condition */
} EvStats;

void ev_stats_add (EvStats *a, const EvStats *b);

/* Parses a gold line's `findings` member.  @text is the sentence, @legacy the format.  Blind
 * findings get their span from `text`/`occurrence` and are merged.  Warnings (an ambiguous
 * `text` without `occurrence`) are appended to @warnings. */
GPtrArray *ev_gold_from_json (
	JsonArray *findings, const gchar *text, gboolean legacy, GString *warnings, GError **error);

/* Parses predicted findings in the plugin's output shape (spec.md section 3). */
GPtrArray *ev_pred_from_json (JsonArray *findings, GError **error);

/* TRUE when the gold line is in the blind format (a finding has `kind` or `codes`, or the line
 * has `split`). */
gboolean ev_line_is_blind (JsonObject *line);

/**
 * ev_match_sentence:
 * @gold: (element-type EvFinding): from ev_gold_from_json()
 * @pred: (element-type EvFinding): the predictions for the same sentence
 * @legacy: match by code as a multiset (see above) instead of by kind, span and code
 * @st: counts to add to
 * @errors: (nullable): receives one line per disagreement, each prefixed with @where
 * @where: e.g. "en-dev.jsonl bl-en-001"
 * @not_annotated: (nullable): codes the set's guideline leaves unannotated (the Chinese sets:
 *   tobacco use); an unmatched prediction carrying one is counted in @st->unannotated instead
 *   of as a false positive, a matched one counts as usual
 */
void ev_match_sentence (GPtrArray *gold,
			GPtrArray *pred,
			gboolean legacy,
			EvStats *st,
			GString *errors,
			const gchar *where,
			const gchar *const *not_annotated);

G_END_DECLS
