/*
 * Medverse tokenizers — UTF-8 validation and normalisation with an offset map.
 *
 * The normalised text is what every matcher works on: NFKC, Unicode case folding, full-width
 * forms folded to half-width (NFKC does this), typographic quotes and dashes folded to ASCII,
 * control characters turned into spaces.  Every normalised byte can be traced back to the
 * original text, so a match found in the normalised text is reported as a span of the
 * original.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MV_TOKENIZER_ERROR (mv_tokenizer_error_quark ())

typedef enum {
	MV_TOKENIZER_ERROR_MALFORMED, /* not valid UTF-8, or an embedded NUL */
	MV_TOKENIZER_ERROR_INVALID,   /* a data file (dictionary, trie) is not what it claims */
} MvTokenizerError;

GQuark mv_tokenizer_error_quark (void);

/* One source segment: an original character (plus any combining marks that follow it) and the
 * normalised bytes it became.  Segments are in text order; segment i spans normalised bytes
 * [norm, next.norm) and original characters [orig_cp, next.orig_cp). */
typedef struct {
	guint32 norm;
	guint32 orig_byte;
	guint32 orig_cp;
} MvNormSeg;

typedef struct {
	gchar *text;	 /* normalised, NUL-terminated, valid UTF-8 */
	gsize len;	 /* bytes of @text without the NUL */
	MvNormSeg *segs; /* n_segs + 1 entries: the last is a sentinel at the end of both texts */
	guint n_segs;
	gsize orig_len;	  /* bytes of the original text */
	guint orig_chars; /* code points of the original text */
} MvNormText;

/* A span of the original text, both in code points (what the API reports) and bytes. */
typedef struct {
	guint32 cp_start;
	guint32 cp_end; /* exclusive */
	guint32 byte_start;
	guint32 byte_end; /* exclusive */
} MvOrigSpan;

/**
 * mv_norm_text_new:
 * @text: the original text
 * @len: its length in bytes, or -1 if NUL-terminated
 * @error: return location for an error (%MV_TOKENIZER_ERROR_MALFORMED)
 *
 * Validates @text as UTF-8 (an embedded NUL is refused) and normalises it.  Linear in @len.
 * Texts over 4 GiB are refused because offsets are 32-bit.
 *
 * Returns: (transfer full): the normalised text, or %NULL with @error set.
 */
G_GNUC_WARN_UNUSED_RESULT MvNormText *
mv_norm_text_new (const gchar *text, gssize len, GError **error);

void mv_norm_text_free (MvNormText *self);

/**
 * mv_norm_text_to_orig:
 * @self: a normalised text
 * @norm_start: byte offset into the normalised text
 * @norm_end: exclusive end, >= @norm_start
 * @span: (out): the original characters that produced those bytes
 *
 * A span that begins or ends inside the output of one original character is widened to the
 * whole character.
 */
void
mv_norm_text_to_orig (const MvNormText *self, gsize norm_start, gsize norm_end, MvOrigSpan *span);

/**
 * mv_normalize_string:
 * @text: valid UTF-8, NUL-terminated
 *
 * Convenience for lexicon entries: the normalised form of @text, or %NULL if it is not valid
 * UTF-8.
 *
 * Returns: (transfer full) (nullable): a new string.
 */
gchar *mv_normalize_string (const gchar *text);

/* Character classes shared by the tokenizer, the segmenter and the parser. */
gboolean mv_unichar_is_han (gunichar c);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvNormText, mv_norm_text_free)

G_END_DECLS
