/*
 * symptom-parser — the lexicon: concepts, body sites and context cues, with the lookup tables
 * the matcher uses.
 *
 * English terms are keyed by their normalised, lightly stemmed word units (see sp_en_units());
 * Chinese terms by their normalised characters.  File formats: README.md.
 */
#pragma once

#include <glib.h>

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
	SP_CUE_LAST
} SpCue;

/* The category name used in cues.tsv, e.g. "negation-pre". */
const gchar *sp_cue_to_string (SpCue cue);

typedef struct {
	gchar *code;
	gchar *label_en;
	gchar *label_zh;
	gchar *site; /* default site code, or NULL */
} SpConcept;

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

typedef struct _SpLexicon SpLexicon;

struct _SpLexicon {
	GPtrArray *concepts; /* SpConcept */
	GPtrArray *sites;    /* SpSite */
	GHashTable *site_by_code;
	/* key -> packed SpTerm; prefixes -> 0 flag; see sp-lexicon.c */
	GHashTable *en_concepts;
	GHashTable *en_sites;
	GHashTable *en_cues;
	GHashTable *en_prefixes;
	GHashTable *zh_concepts;
	GHashTable *zh_sites;
	GHashTable *zh_cues;
	GHashTable *zh_prefixes;
	guint en_max_units;
	guint zh_max_bytes;
};

SpLexicon *sp_lexicon_new (void);

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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpLexicon, sp_lexicon_free)

G_END_DECLS
