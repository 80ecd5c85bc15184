/*
 * symptom-parser — static word lists indexed by their first byte.
 *
 * The clause scanners try lists of up to a few hundred words at every byte of a clause, and
 * nearly every try fails on the first byte: walking the whole list there cost a tenth of an
 * English parse, most of it in mispredicted branches.  An SpWords wraps a static NULL-terminated
 * list and, on first use, groups its indices by first byte, list order kept within a group, so
 * a scanner tries only the words that can match and still sees them in the order it would have.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* the most words one list may hold */
#define SP_WORDS_MAX 512

typedef struct {
	const gchar *const *words; /* NULL-terminated, static */
	gsize ready;		   /* g_once_init_enter() */
	guint16 from[257];	   /* order[from[c]] … order[from[c + 1] - 1] start with byte c */
	guint16 order[SP_WORDS_MAX];
} SpWords;

/* A static initializer: `static SpWords w = SP_WORDS_INIT (list);` */
#define SP_WORDS_INIT(list)                                                                        \
	{                                                                                          \
		(list), 0, { 0 },                                                                  \
		{                                                                                  \
			0                                                                          \
		}                                                                                  \
	}

void sp_words_build (SpWords *set);

/* The indices into @set->words of the words that start with byte @c, in list order: *@n of
 * them.  Thread-safe: the index is built once, by the first caller. */
static inline const guint16 *
sp_words_starting (SpWords *set, gchar c, guint *n)
{
	guint b = (guchar)c;

	if (g_once_init_enter (&set->ready)) {
		sp_words_build (set);
		g_once_init_leave (&set->ready, 1);
	}
	*n = set->from[b + 1] - set->from[b];
	return set->order + set->from[b];
}

G_END_DECLS
