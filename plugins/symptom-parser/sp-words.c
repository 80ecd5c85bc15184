/*
 * symptom-parser — static word lists indexed by their first byte (sp-words.h).
 */
#include "sp-words.h"

void
sp_words_build (SpWords *set)
{
	guint count[256] = { 0 };
	guint fill[256];
	guint n = 0;

	for (; set->words[n] != NULL; n++)
		count[(guchar)set->words[n][0]]++;
	/* a list is a static table of the source: too long a one is a programming error */
	g_assert (n <= SP_WORDS_MAX);
	set->from[0] = 0;
	for (guint b = 0; b < 256; b++) {
		set->from[b + 1] = (guint16)(set->from[b] + count[b]);
		fill[b] = set->from[b];
	}
	for (guint i = 0; i < n; i++)
		set->order[fill[(guchar)set->words[i][0]]++] = (guint16)i;
}
