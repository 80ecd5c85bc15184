/*
 * symptom-parser — the private state of one parse, shared by the matchers of sp-parser.c and
 * sp-measure.c (measurements, scores, medication attributes).  Not installed, not part of any
 * API: only the parser core includes it.
 */
#pragma once

#include <glib.h>

#include "mv-tokenizer.h"
#include "sp-parser.h"

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

typedef struct {
	SpItemKind kind;
	guint32 start; /* normalised bytes */
	guint32 end;
	guint32 tok_first;
	guint32 tok_last; /* inclusive; tok_first > tok_last for an item inside no token */
	guint index;	  /* concept or site index, or a mask of (1 << SpCue) */
	gdouble value;	  /* duration in hours, or score */
	gboolean hard;	  /* a comma between Chinese words ends every scope */
	gboolean
		weak; /* a one-character Chinese term inside a longer word: see sp_items_finish() */
	gboolean negated; /* a concept term that says the concept is absent ("afebrile") */
	gboolean listed;  /* a concept term that counts only in a list ("frequency") */
} SpItem;

typedef struct {
	const SpParser *parser;
	const MvNormText *nt;
	GArray *tokens;
	GArray *items;
	guint *other_prefix; /* other_prefix[t]: number of "other" tokens before token t */
	GArray *measures;    /* SpValue of each SP_ITEM_MEASURE (sp-measure.c), or NULL */
} SpCtx;

G_END_DECLS
