/*
 * Medverse tokenizers — one token stream for English, Chinese and mixed text.
 *
 * Works on normalised text (see mv-normalize.h).  Latin-script words, numbers and punctuation
 * are split by rules; each run of Han characters is handed to the Chinese segmenter.
 */
#pragma once

#include <glib.h>

#include "mv-normalize.h"
#include "mv-zh-dict.h"

G_BEGIN_DECLS

typedef enum {
	MV_TOKEN_WORD, /* letters and digits starting with a letter: "fever", "can't", "left-sided"
			*/
	MV_TOKEN_NUMBER, /* digits, maybe with a unit: "3", "38.5°c", "120/80", "7/10", "100mg" */
	MV_TOKEN_HAN,	 /* a Chinese word from the segmenter */
	MV_TOKEN_PUNCT,	 /* one punctuation character; a newline is a PUNCT token too */
	MV_TOKEN_SYMBOL, /* one other non-space character (emoji, symbols) */
} MvTokenKind;

typedef enum {
	MV_TOKEN_FLAG_NONE = 0,
	MV_TOKEN_FLAG_HYPHEN = 1 << 0,	   /* a WORD with an inner hyphen */
	MV_TOKEN_FLAG_APOSTROPHE = 1 << 1, /* a WORD with an inner apostrophe */
	MV_TOKEN_FLAG_UNIT = 1 << 2,	   /* a NUMBER with a unit after the digits */
	MV_TOKEN_FLAG_RATIO = 1 << 3,	   /* a NUMBER with a slash: "120/80", "7/10" */
} MvTokenFlags;

typedef struct {
	guint32 start;	 /* byte offset into the normalised text */
	guint32 end;	 /* exclusive */
	guint32 num_end; /* NUMBER: end of the numeric part (the unit follows); else == end */
	guint16 n_chars; /* code points, saturating at G_MAXUINT16 */
	guint8 kind;	 /* MvTokenKind */
	guint8 flags;	 /* MvTokenFlags */
} MvToken;

/**
 * mv_tokenize:
 * @norm: normalised text (valid UTF-8)
 * @len: its length in bytes
 * @dict: (nullable): the Chinese dictionary; without one every Han character is a token
 *
 * Whitespace other than a newline produces no token.  Linear in @len.
 *
 * Returns: (transfer full) (element-type MvToken): the tokens, in order.
 */
GArray *mv_tokenize (const gchar *norm, gsize len, const MvZhDict *dict);

G_END_DECLS
