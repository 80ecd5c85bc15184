/*
 * symptom-parser — the vocabulary builder of the lexicon compiler (build time only, never linked
 * into the plugin): curated concept files first, then the terminologies (HPO labels in English
 * and Chinese, Disease Ontology labels and ICD-10-CM cross-references, Symptom Ontology names
 * and exact synonyms), merged by their normalised terms and filtered by the rules of
 * lexicon/vocab-filter.tsv.  Rules and counts: lexicon/SOURCES.md.
 */
#pragma once

#include <glib.h>

#include "sp-lexicon.h"

G_BEGIN_DECLS

/* Where a concept's primary definition came from. */
typedef enum {
	SP_VOCAB_CURATED,
	SP_VOCAB_HPO,
	SP_VOCAB_DO,
	SP_VOCAB_SYMP,
	SP_VOCAB_N_SOURCES
} SpVocabSource;

typedef struct _SpVocab SpVocab;

/**
 * sp_vocab_new:
 * @guard: (transfer none): a lexicon holding the sites and cues; a terminology term that is a
 *   site or a cue term is dropped (a site word or "mild" must stay what the parser expects).
 *   It must outlive the vocabulary.
 */
SpVocab *sp_vocab_new (SpLexicon *guard);

void sp_vocab_free (SpVocab *self);

/* Loads lexicon/vocab-filter.tsv (`rule<TAB>value<TAB>why`), see SOURCES.md. */
gboolean sp_vocab_load_filter (SpVocab *self, const gchar *path, GError **error);

/* Adds one curated concept file (6 or 9 columns, already checked by the loader). */
gboolean
sp_vocab_add_curated (SpVocab *self, const gchar *path, GHashTable *hpo_zh, GError **error);

/* The HPO babelon file: English source_value and official Chinese label of every term. */
gboolean sp_vocab_add_hpo (SpVocab *self, const gchar *path, GError **error);

/* HumanDO.tsv (id, label, parent) and ICD10inDO.tsv (id, label, xrefs); @icd10 may be NULL. */
gboolean sp_vocab_add_do (SpVocab *self, const gchar *labels, const gchar *icd10, GError **error);

/* symp.obo: names and EXACT synonyms of terms that are not obsolete. */
gboolean sp_vocab_add_symp (SpVocab *self, const gchar *path, GError **error);

/* Writes the compiled 9-column concepts.tsv. */
gboolean sp_vocab_write (SpVocab *self, const gchar *path, GError **error);

/* One log line per source and kind: concepts, English and Chinese terms, drops. */
void sp_vocab_log_stats (SpVocab *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpVocab, sp_vocab_free)

G_END_DECLS
