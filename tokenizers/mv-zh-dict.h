/*
 * Medverse tokenizers — the Chinese dictionary: a compact trie file, memory-mapped, and a
 * segmenter choosing the most probable path over the word lattice (unigram model).
 *
 * The file is produced at build time by mv-dict-compile (see README.md for both formats) and
 * validated completely when it is opened, so a corrupt or truncated file is refused with an
 * error instead of being read out of bounds.
 */
#pragma once

#include <glib.h>

#include "mv-normalize.h"

G_BEGIN_DECLS

typedef struct _MvZhDict MvZhDict;

/**
 * mv_zh_dict_new_from_file:
 * @path: a trie file written by mv-dict-compile
 * @error: return location for an error
 *
 * Maps the file read-only (GMappedFile) and validates it.
 *
 * Returns: (transfer full): the dictionary, or %NULL with @error set
 *   (%MV_TOKENIZER_ERROR_INVALID, or a #GFileError).
 */
G_GNUC_WARN_UNUSED_RESULT MvZhDict *mv_zh_dict_new_from_file (const gchar *path, GError **error);

/**
 * mv_zh_dict_new_from_bytes:
 * @bytes: the contents of a trie file; referenced, not copied
 * @error: return location for an error
 *
 * Returns: (transfer full): the dictionary, or %NULL with @error set.
 */
G_GNUC_WARN_UNUSED_RESULT MvZhDict *mv_zh_dict_new_from_bytes (GBytes *bytes, GError **error);

void mv_zh_dict_free (MvZhDict *self);

/* Number of words in the dictionary. */
guint mv_zh_dict_get_n_words (const MvZhDict *self);

/**
 * mv_zh_dict_lookup:
 * @self: a dictionary
 * @cps: code points (normalised)
 * @n: how many
 * @logp: (out) (optional): the word's log-probability
 *
 * Returns: %TRUE if the @n code points form a dictionary word.
 */
gboolean mv_zh_dict_lookup (const MvZhDict *self, const gunichar *cps, guint n, gfloat *logp);

/**
 * mv_zh_dict_segment:
 * @self: a dictionary
 * @cps: a run of Han characters (normalised)
 * @n: how many
 * @ends: a #GArray of guint; the exclusive end index of each word is appended
 *
 * Picks the segmentation with the highest product of unigram probabilities over all paths
 * through the dictionary words found in the run (ties go to the longer word).  A character
 * that starts no dictionary word is a word of its own with the probability of a word seen once;
 * consecutive such out-of-vocabulary characters are then joined into one word (at most
 * %MV_ZH_OOV_MAX_CHARS), since an unknown name or term is more likely one word than several.
 * Time and memory are linear in @n.
 */
void mv_zh_dict_segment (const MvZhDict *self, const gunichar *cps, guint n, GArray *ends);

#define MV_ZH_OOV_MAX_CHARS 4

/**
 * mv_zh_dict_segment_into:
 * @ends: room for @n word ends
 *
 * As mv_zh_dict_segment(), into a caller's buffer.
 *
 * Returns: the number of words.
 */
guint mv_zh_dict_segment_into (const MvZhDict *self, const gunichar *cps, guint n, guint *ends);

/* Building a trie file (used by mv-dict-compile and by tests). */
typedef struct _MvZhDictBuilder MvZhDictBuilder;

MvZhDictBuilder *mv_zh_dict_builder_new (void);

/**
 * mv_zh_dict_builder_add:
 * @self: a builder
 * @word: a word; it is normalised here
 * @freq: its frequency (a count); values below 1 count as 1
 *
 * A word added twice keeps the frequency given last.
 *
 * Returns: %FALSE (and the word is skipped) unless the normalised word is 1 to 32 Han
 *   characters.
 */
gboolean mv_zh_dict_builder_add (MvZhDictBuilder *self, const gchar *word, gdouble freq);

/**
 * mv_zh_dict_builder_get_freq:
 * Returns: the frequency @word was added with, or 0.
 */
gdouble mv_zh_dict_builder_get_freq (MvZhDictBuilder *self, const gchar *word);

/**
 * mv_zh_dict_builder_build:
 * @self: a builder
 *
 * Returns: (transfer full): the trie file contents.
 */
GBytes *mv_zh_dict_builder_build (MvZhDictBuilder *self);

void mv_zh_dict_builder_free (MvZhDictBuilder *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvZhDict, mv_zh_dict_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvZhDictBuilder, mv_zh_dict_builder_free)

G_END_DECLS
