/*
 * symptom-parser — the lexicon: concepts, body sites and context cues, with the lookup tables
 * the matcher uses.
 *
 * English terms are keyed by their normalised, lightly stemmed word units (see sp_en_units());
 * Chinese terms by their normalised characters.  File formats: README.md.
 */
#pragma once

#include <glib.h>

#include "sp-prefix-set.h"

#include "mv-tokenizer.h"

G_BEGIN_DECLS

#define SP_LEXICON_ERROR (sp_lexicon_error_quark ())

typedef enum {
	SP_LEXICON_ERROR_INVALID, /* a lexicon file is malformed; the message names file and line */
} SpLexiconError;

GQuark sp_lexicon_error_quark (void);

typedef enum {
	SP_CUE_NEGATION_PRE,
	SP_CUE_NEGATION_POST,
	SP_CUE_POSSIBLE_PRE,
	SP_CUE_POSSIBLE_POST,
	SP_CUE_PSEUDO,
	SP_CUE_TERMINATOR,
	SP_CUE_CONJUNCTION,
	SP_CUE_FAMILY,
	SP_CUE_SELF,
	SP_CUE_HISTORICAL_PRE,
	SP_CUE_HISTORICAL_POST,
	SP_CUE_CURRENT,
	SP_CUE_SEVERITY_MILD,
	SP_CUE_SEVERITY_MODERATE,
	SP_CUE_SEVERITY_SEVERE,
	SP_CUE_LATERALITY_LEFT,
	SP_CUE_LATERALITY_RIGHT,
	SP_CUE_LATERALITY_BILATERAL,
	SP_CUE_ALLERGY_PRE,  /* "allergic to", "allergy to", 对 (…过敏) */
	SP_CUE_ALLERGY_POST, /* "allergy" ("penicillin allergy"), 过敏 */
	SP_CUE_REACTION,     /* introduces an allergy's reaction: "causes", "->", 表现为 */
	SP_CUE_RESOLVED, /* a condition that is over: "resolved", "cured", 已治愈, 已痊愈 */
	/* makes the severity cue right after it no severity: "not too", 不是很, 不太 */
	SP_CUE_SEVERITY_NEGATION,
	SP_CUE_HYPOTHETICAL, /* what is not asserted at all: "return if", "call if", 如有, 若出现 */
	SP_CUE_LAST	     /* at most 25: bits 25-27 of a packed concept term are its flags */
} SpCue;

/* The category name used in cues.tsv, e.g. "negation-pre". */
const gchar *sp_cue_to_string (SpCue cue);

/* What a concept is (column `kind` of the compiled concepts.tsv). */
typedef enum {
	SP_CONCEPT_SYMPTOM,
	SP_CONCEPT_CONDITION,
	SP_CONCEPT_MEDICATION,
	SP_CONCEPT_SUBSTANCE, /* a non-drug allergen: food, pollen, latex… */
	SP_CONCEPT_MEASUREMENT,
	SP_CONCEPT_SCORE,
	SP_CONCEPT_LAST
} SpConceptKind;

/* "symptom", "condition", … as written in concepts.tsv */
const gchar *sp_concept_kind_to_string (SpConceptKind kind);

/* Returns: %TRUE and sets @kind when @name is a kind's name. */
gboolean sp_concept_kind_from_string (const gchar *name, SpConceptKind *kind);

/* What a concept's English label says, read once at load: the context rules ask it of every
 * finding, and a substring search per finding was a tenth of an English parse. */
typedef enum {
	SP_LABEL_PAIN = 1 << 0, /* "pain" or "ache" in it */
	SP_LABEL_ORGAN_SIDE
	= 1 << 1,		     /* the side of an organ, not of the body: Left ventricular
				      * hypertrophy, Right bundle branch block, left axis deviation */
	SP_LABEL_LEFT = 1 << 2,	     /* Left hemiplegia, Pain in the left arm */
	SP_LABEL_RIGHT = 1 << 3,     /* Right lower quadrant pain */
	SP_LABEL_BILATERAL = 1 << 4, /* Bilateral ptosis */
} SpLabelFlags;

typedef struct {
	gchar *code;
	gchar *label_en;
	gchar *label_zh;
	gchar *site; /* default site code, or NULL */
	SpConceptKind kind;
	gboolean chronic;   /* flag `chronic`: a condition that stays active once diagnosed */
	gchar **xrefs;	    /* other codes of the same concept (NULL-terminated, maybe empty) */
	SpLabelFlags label; /* what label_en says (sp_label_flags()) */
} SpConcept;

/* The SpLabelFlags of an English label. */
SpLabelFlags sp_label_flags (const gchar *label_en);

typedef struct {
	gchar *code;
	gchar *label_en;
	gchar *label_zh;
} SpSite;

/* What a matched term is. */
typedef enum {
	SP_TERM_CONCEPT,
	SP_TERM_SITE,
	SP_TERM_CUE,
} SpTermKind;

typedef struct {
	SpTermKind kind;
	guint index; /* into concepts or sites; for a cue, a mask of (1 << SpCue) */
} SpTerm;

/* A concept term written with a leading `!` in concepts.tsv says the concept is absent
 * ("afebrile", "NKDA", 体温正常): the flag is bit 27 of the packed value of a matched term
 * (see sp_term_unpack()). */
#define SP_TERM_NEGATED (1u << 27)

/* A concept term written with a leading `?` is ambiguous alone and a finding only as part of a
 * list of symptoms ("dysuria and frequency", "frequency, urgency"; not "frequency of
 * headaches"): bit 26, see sp_term_is_listed(). */
#define SP_TERM_LISTED (1u << 26)

gboolean sp_term_is_listed (gpointer packed);

/* A term of combos.tsv names several concepts ("N/V", 三高): its index is into the lexicon's
 * `combos`, not its concepts; bit 25, see sp_term_is_combo(). */
#define SP_TERM_COMBO (1u << 25)

gboolean sp_term_is_combo (gpointer packed);

/* Can a Chinese term start at @p: a Han character, or one or two ASCII digits and a Han
 * character ("2型糖尿病", "3度烧伤")? */
gboolean sp_zh_term_start (const gchar *p);

/* A hash-table value of the term tables: kind+1 in the top bits and the index below, so that a
 * value is never NULL (see sp_term_unpack()). */
#define SP_TERM_PACK(kind, index) GUINT_TO_POINTER ((((guint)(kind) + 1) << 28) | (guint)(index))

/* Unpacks a hash-table value of the term tables: kind, index (or cue mask) and negated flag. */
void sp_term_unpack (gpointer packed, SpTerm *term, gboolean *negated);

/* en_prefixes and zh_prefix_prints (fingerprints, sp-prefix-set.h) hold every term and every
 * prefix of one (whole units, or characters) with SP_PREFIX_ANY, plus SP_PREFIX_WHOLE (t) for
 * each table t (0 concepts, 1 sites, 2 cues) that holds that very key: a matcher asks a table
 * only for a key it holds, one cheap lookup per step instead of four hash lookups.
 * zh_prefixes holds the same Chinese keys exactly (a set), for the one question a false yes
 * would change (sp_zh_keeps_er()). */
#define SP_PREFIX_ANY (1u << 3)
#define SP_PREFIX_WHOLE(t) (1u << (t))

typedef struct _SpLexicon SpLexicon;

struct _SpLexicon {
	GPtrArray *concepts; /* SpConcept */
	GPtrArray *sites;    /* SpSite */
	GHashTable *site_by_code;
	/* key -> packed SpTerm; prefixes -> SP_PREFIX_… mask; see sp-lexicon.c */
	GHashTable *en_concepts;
	GHashTable *en_sites;
	GHashTable *en_cues;
	SpPrefixSet *en_prefixes; /* see sp-prefix-set.h */
	GHashTable *zh_concepts;
	GHashTable *zh_sites;
	GHashTable *zh_cues;
	GHashTable *zh_prefixes;       /* the same keys, exact (a set) */
	SpPrefixSet *zh_prefix_prints; /* see sp-prefix-set.h */
	/* "generic concept address|site code" -> index + 1 of the specific concept at that site
	 * (Pain at the knee is Knee pain): see sp_lexicon_site_specific() */
	GHashTable *site_specific;
	/* combos.tsv: each a GArray of the guint concept indices one term names */
	GPtrArray *combos;
	/* family cue key -> relation ("mother"), from cues.tsv's optional 4th column */
	GHashTable *en_relations;
	GHashTable *zh_relations;
	guint en_max_units;
	guint zh_max_bytes;
};

SpLexicon *sp_lexicon_new (void);

/**
 * sp_lexicon_site_specific:
 * @self: a lexicon
 * @generic: a concept (Pain, Swelling, Pruritus, Stiffness, Numbness, Tenderness, Abnormal
 *   bleeding)
 * @site: a site code
 *
 * Returns: (nullable): the specific concept that is @generic at @site ("pain" at the knee is
 *   Knee pain, 嗓子疼 is Sore throat), or %NULL when the lexicon has none.
 */
const SpConcept *
sp_lexicon_site_specific (const SpLexicon *self, const SpConcept *generic, const gchar *site);

void sp_lexicon_free (SpLexicon *self);

/**
 * sp_lexicon_read_hpo_zh:
 * @path: the HPO Chinese translation table (babelon TSV, with a header naming subject_id,
 *   predicate_id and translation_value)
 * @error: return location for an error
 *
 * Returns: (transfer full): HPO id -> Chinese label (rdfs:label rows only), or %NULL.
 */
GHashTable *sp_lexicon_read_hpo_zh (const gchar *path, GError **error);

/**
 * sp_lexicon_load_concepts:
 * @self: a lexicon
 * @path: concepts.tsv
 * @hpo_zh: (nullable): from sp_lexicon_read_hpo_zh(), to resolve a zh_label of `=`; without
 *   it, `=` is an error
 * @error: return location for an error
 */
gboolean
sp_lexicon_load_concepts (SpLexicon *self, const gchar *path, GHashTable *hpo_zh, GError **error);

gboolean sp_lexicon_load_sites (SpLexicon *self, const gchar *path, GError **error);

gboolean sp_lexicon_load_cues (SpLexicon *self, const gchar *path, GError **error);

/* Loads concepts.tsv, sites.tsv and cues.tsv from @dir (concepts already resolved). */
SpLexicon *sp_lexicon_new_from_dir (const gchar *dir, GError **error);

/**
 * sp_lexicon_get_relation:
 * @self: a lexicon
 * @norm: the normalised text of a matched family cue ("mother", 其母)
 * @len: its length in bytes
 *
 * Returns: (nullable): the relation the cue names ("mother"), from the 4th column of cues.tsv;
 *   %NULL when it names none ("family history", 家族史).
 */
const gchar *sp_lexicon_get_relation (const SpLexicon *self, const gchar *norm, gsize len);

/* Writes every Chinese concept and site term as `WORD FREQ` for mv-dict-compile. */
gboolean
sp_lexicon_write_zh_words (SpLexicon *self, const gchar *path, gdouble freq, GError **error);

/* ---- English word units ---- */

typedef struct {
	guint32 start; /* normalised byte span of the unit */
	guint32 end;
	guint32 tok; /* the token it came from */
	guint32 key; /* offset of its key in the key arena */
} SpUnit;

/**
 * sp_en_units:
 * @norm: normalised text
 * @tokens: its tokens
 * @keys: a #GString arena receiving the NUL-terminated keys
 *
 * Splits tokens into matching units: a hyphenated word gives one unit per part; a unit's key is
 * its text without apostrophes, lightly stemmed (a plural 's' dropped), so "headaches" and
 * "headache", "can't" and "cant" match.
 *
 * Returns: (transfer full) (element-type SpUnit): the units.
 */
GArray *sp_en_units (const gchar *norm, GArray *tokens, GString *keys);

/**
 * sp_en_phrase_key:
 * @phrase: an English term as a lexicon file writes it
 * @n_units: (out) (optional): how many word units it has
 *
 * Returns: (transfer full) (nullable): the key the lexicon stores it under (its units' keys
 *   joined by spaces), or %NULL when it has no word unit.
 */
gchar *sp_en_phrase_key (const gchar *phrase, guint *n_units);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpLexicon, sp_lexicon_free)

G_END_DECLS
