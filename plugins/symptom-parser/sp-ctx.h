/*
 * symptom-parser — the private state of one parse, shared by the matchers of sp-parser.c and
 * sp-measure.c (measurements, scores, medication attributes).  Not installed, not part of any
 * API: only the parser core includes it.
 */
#pragma once

#include <glib.h>
#include <string.h>

#include "mv-tokenizer.h"
#include "sp-parser.h"
#include "sp-words.h"

G_BEGIN_DECLS

struct _SpParser {
	SpLexicon *lexicon;
	MvZhDict *dict;
};

typedef enum {
	SP_ITEM_CONCEPT,
	SP_ITEM_SITE,
	SP_ITEM_CUE,
	SP_ITEM_BREAK, /* end of a sentence */
	SP_ITEM_COMMA,
	SP_ITEM_DURATION,
	SP_ITEM_SCORE,	 /* a pain score such as 7/10 */
	SP_ITEM_MEASURE, /* a measurement or score with its value (sp-measure.c): index is the
			  * concept, value the index of its SpMeasure in SpCtx.measures */
} SpItemKind;

/* A one-character Chinese term that does not stand as a word of its own (sp_items_finish()) */
typedef enum {
	SP_WEAK_NONE = 0,
	SP_WEAK_INSIDE, /* inside a longer segmenter word: 头 of 念头 */
	SP_WEAK_HEAD,	/* at the head of one: 麻 of 麻烦 */
} SpWeak;

typedef struct {
	SpItemKind kind;
	guint32 start; /* normalised bytes */
	guint32 end;
	guint32 tok_first;
	guint32 tok_last; /* inclusive; tok_first > tok_last for an item inside no token */
	guint index;	  /* concept or site index, or a mask of (1 << SpCue) */
	gdouble value;	  /* duration in hours, or score */
	/* flags, one byte each: items are the largest per-byte cost of a parse (README, the
	 * memory bound), so a flag does not take a gboolean's four bytes */
	guint8 hard; /* a comma between Chinese words ends every scope */
	guint8 weak; /* SpWeak: a one-character Chinese term in a longer word: sp_items_finish() */
	guint8 negated; /* a concept term that says the concept is absent ("afebrile") */
	guint8 listed;	/* a concept term that counts only in a list ("frequency") */
	guint8 combo;	/* one of the concepts of a term that names several ("N/V") */
	/* a Chinese term composed around words a writer put inside it (sp-zh-compose.c: 疼得很):
	 * the severity word after its 得 grades it (sp_inserted_severity()) */
	guint8 composed;
	/* a Chinese concept written with a degree word inside it (头有点疼, 肚子有些胀): that
	 * word's token + 1, whose severity the concept takes; else 0 */
	guint32 insert_tok;
} SpItem;

typedef struct {
	const SpParser *parser;
	const MvNormText *nt;
	GArray *tokens;
	GArray *items;
	guint *other_prefix;   /* other_prefix[t]: number of "other" tokens before token t */
	GArray *measures;      /* SpValue of each SP_ITEM_MEASURE (sp-measure.c), or NULL */
	const gchar *language; /* "en" or "zh" when the caller names it, else NULL (detected) */
	guint8 *measure_time;  /* per measure: SP_MEASURE_TIME_* (sp_measure_times()), or NULL */
} SpCtx;

/* how many non-cue, non-term words a pre-trigger may be from its concept (NegEx uses 5-6) */
#define SP_WINDOW_PRE 6
#define SP_WINDOW_POST 4
/* hard cap on items visited per concept and direction, so lists of thousands of terms stay
 * linear */
#define SP_MAX_WALK 48

/* Per parse: what the findings loop carries from one concept item to the next. */
typedef struct {
	GArray *findings;
	GHashTable *seen;
	guint max_findings;
	gboolean truncated;
	guint8 *reactions; /* bit per item: a symptom told as an allergy's reaction; lazily made */
	SpFinding prev;	   /* the finding made from item prev_k */
	guint prev_k;	   /* G_MAXUINT: none yet */
	gint relation_cue; /* a one-entry cache of the last family cue's relation */
	const gchar *relation;
} SpFindingsState;

#define SP_CUE_POLARITY_MASK                                                                       \
	((1u << SP_CUE_NEGATION_PRE) | (1u << SP_CUE_NEGATION_POST) | (1u << SP_CUE_POSSIBLE_PRE)  \
	 | (1u << SP_CUE_POSSIBLE_POST) | (1u << SP_CUE_PSEUDO))

/* items (sp-parser.c) */
void sp_add_item (SpCtx *ctx, SpItemKind kind, gsize start, gsize end, guint index, gdouble value);
/* The three below run for every item in the window of every mention (a 1 MiB text walks them
 * millions of times): inline. */
static inline SpItem *
sp_item (SpCtx *ctx, guint i)
{
	return &g_array_index (ctx->items, SpItem, i);
}

static inline gboolean
sp_is_cue (const SpItem *it, SpCue cue)
{
	return it->kind == SP_ITEM_CUE && (it->index & (1u << cue)) != 0;
}

/* other tokens strictly between items @a (earlier) and @b (later) */
static inline guint
sp_other_between (SpCtx *ctx, const SpItem *a, const SpItem *b)
{
	guint from = MIN (a->tok_last + 1, ctx->tokens->len);
	guint to = MIN (b->tok_first, ctx->tokens->len);
	if (to <= from)
		return 0;
	return ctx->other_prefix[to] - ctx->other_prefix[from];
}

/* durations and pain scores (sp-durations.c), and the word and number readers they share */

/* Whether @word is exactly the @n bytes at @s.  These checks run for every token near every
 * mention, so no strlen of @word: most words differ in the first byte, the rest stop at the
 * first difference. */
static inline gboolean
sp_bytes_are (const gchar *s, gsize n, const gchar *word)
{
	if (n == 0)
		return word[0] == '\0';
	return word[0] == s[0] && strncmp (s, word, n) == 0 && word[n] == '\0';
}

/* Does the NUL-terminated text at @p start with @prefix (not empty)?  g_str_has_prefix() without
 * the call and the strlen of @p: the clause scanners ask it at every byte. */
static inline gboolean
sp_starts (const gchar *p, const gchar *prefix)
{
	return p[0] == prefix[0] && strncmp (p, prefix, strlen (prefix)) == 0;
}

/* Is token @i exactly @word?  Inline: the matchers ask it of every token. */
static inline gboolean
sp_tok_is (SpCtx *ctx, guint i, const gchar *word)
{
	const MvToken *t;

	if (i >= ctx->tokens->len)
		return FALSE;
	t = &g_array_index (ctx->tokens, MvToken, i);
	return sp_bytes_are (ctx->nt->text + t->start, t->end - t->start, word);
}

gboolean sp_tok_in (SpCtx *ctx, guint i, const gchar *const *words);
/* the index in @words->words of the word token @i is (the first in list order), or -1 */
gint sp_tok_which (SpCtx *ctx, guint i, SpWords *words);
gboolean sp_has_prefix (const gchar *p, const gchar *end, const gchar *s, const gchar **after);
/* a Chinese or ASCII digit's value, or -1 */
gint sp_zh_digit (gunichar c);
/* reads a number in Chinese or ASCII digits at @p; returns the end of it, or NULL */
const gchar *sp_zh_number (const gchar *p, const gchar *end, gdouble *value);
void sp_find_durations_en (SpCtx *ctx);
void sp_find_durations_zh (SpCtx *ctx);
/* sp-zh-compose.c: Chinese terms a writer breaks up (肚子有些胀, 体重2个月下降, 眼睛又红又痒) */
void sp_match_zh_inserts (SpCtx *ctx);
void sp_match_zh_pairs (SpCtx *ctx);
void sp_match_zh_site_lists (SpCtx *ctx);
/* sp-parser.c: a concept, site or cue term of the lexicon (@packed) as an item or items */
void sp_add_term (SpCtx *ctx, gpointer packed, gsize start, gsize end);
/* sp-parser.c: may a symptom or measurement term give way to a longer one starting inside it? */
gboolean sp_zh_overtakable (SpCtx *ctx, guint first, guint n);
void sp_find_scores_en (SpCtx *ctx);
void sp_find_scores_zh (SpCtx *ctx);

/* allergies (sp-allergy.c) */
/* drug allergy and the other "… allergy" substances: an allergy by themselves */
gboolean sp_is_allergy_concept (const SpConcept *c);
/* a medication or substance item */
gboolean sp_is_allergen (const SpItem *it, const SpLexicon *lex);
/* a section header: followed by a colon, maybe past a word or two ("Allergies / intolerances:") */
gboolean sp_is_header (SpCtx *ctx, const SpItem *it);
/* is the medication or substance at @k in an allergy cue's scope? */
gboolean sp_allergy_scope (SpCtx *ctx, guint k);
/* a symptom or condition item, which can be a reaction */
gboolean sp_is_reaction_concept (SpCtx *ctx, guint j);
/* the reaction item stated for the allergen at @k (parentheses, reaction cue), or -1 */
gint sp_reaction (SpCtx *ctx, guint k);
/* the allergic reaction told right after the allergen at @k with no allergy cue, or -1 */
gint sp_told_reaction (SpCtx *ctx, guint k);
/* the allergen the allergic reaction at @j is told to come from ("hives from penicillin"), or -1 */
gint sp_reaction_source (SpCtx *ctx, guint j);
/* marks the allergic reactions later in the sentence of the allergy @f (item @k) as its own */
void sp_later_reactions (SpCtx *ctx, guint k, SpFindingsState *st, SpFinding *f);

/* medications (sp-medication.c): a drug stopped, held or taken once and over ("Metformin was
 * stopped", "was on warfarin", 已停用, 曾服用) is present and historical; one refused ("refused
 * insulin", 拒绝服用) is absent */
void sp_medication_course (SpCtx *ctx, guint k, SpFinding *f);

/* experiencer (sp-experiencer.c): the family cue that makes the concept at @k a relative's, or
 * -1; the relation that cue names ("relative" when it names none, "family history"); the
 * relative's age at onset (< 0: not stated); whether the finding is someone else's ("my friend
 * had the flu", 同事得了流感: no finding of this patient) */
gint sp_family_cue (SpCtx *ctx, guint k);
const gchar *sp_relation (SpCtx *ctx, gint cue);
gdouble sp_onset_age (SpCtx *ctx, gint cue, guint k);
gboolean sp_other_experiencer (SpCtx *ctx, guint k);
/* the writer of a parent's consultation speaking of their own illness (sp-experiencer.c) */
gboolean sp_writer_is_parent (SpCtx *ctx, guint k);
gboolean sp_names_no_finding (SpCtx *ctx, guint k);
gboolean sp_is_trigger (SpCtx *ctx, guint k);
gboolean sp_asked_break (const gchar *text, const gchar *end, const gchar *p);
gboolean sp_question_answered (SpCtx *ctx, const SpItem *c, SpPolarity *polarity);
gboolean sp_aggravates (SpCtx *ctx, guint k);
/* the concept a Chinese term of the lexicon names when it is @code, else NULL (sp-context.c) */
const SpConcept *sp_concept_of_term (const SpLexicon *lex, const gchar *term, const gchar *code);
void sp_bleeding_by_context (SpCtx *ctx, const SpItem *c, SpFinding *f);
gboolean sp_discomfort_needs_site (SpCtx *ctx, guint k, const SpFinding *f);
/* a relative's age at onset dated as a diagnosis ("dx age 55", 确诊), not an event */
gboolean sp_onset_is_diagnosis (SpCtx *ctx, guint k);
/* a token that ends a clause (. , ; ! ? newline 。) */
gboolean sp_tok_ends_clause (SpCtx *ctx, guint t);

/* temporality and status (sp-history.c).  What the historical cues of a concept say: nothing, a
 * heading only ("history of", "PMH", 既往史, "family history": known to have it), or a time that
 * puts it in the past ("had", "years ago", 去年, "in 2018") */
typedef enum {
	SP_PAST_NONE,
	SP_PAST_HEADING,
	SP_PAST_TIME,
} SpPast;
SpPast sp_past (SpCtx *ctx, guint k);
/* a condition's status and temporality from @past and the resolved cues (README "Conditions") */
void sp_condition_status (SpCtx *ctx, guint k, SpFinding *f, SpPast past);

/* The finding of the concept (or measurement) item at @k with its context and attributes;
 * %FALSE when the item gives none (sp-context.c). */
gboolean sp_finding_at (SpCtx *ctx, guint k, SpFindingsState *st, SpFinding *f);

G_END_DECLS
