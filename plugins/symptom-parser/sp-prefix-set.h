/*
 * symptom-parser — the set of term prefixes, as 28-bit fingerprints.
 *
 * The matchers ask, for every English unit (every Chinese character) of a text and each one after
 * it, whether the text so far begins some term of the lexicon's ~24,700 concepts, sites and cues.
 * Asked of a GHashTable of strings that question cost four cache misses (hash, key pointer, key
 * string, value) in a table of tens of megabytes, an eighth of a clinical note's parse.  Here a
 * key is one 32-bit word in an open-addressing array: 28 bits of its hash (which also place it)
 * and its four flags (SP_PREFIX_… in sp-lexicon.h), so a question reads one cache line of an
 * array that fits in the core's cache (62,716 English keys in 512 KiB, 72,645 Chinese in 1 MiB).
 *
 * A set of fingerprints can answer yes for a string it does not hold (another key with the same
 * 28 hash bits in the slots probed: one question in a thousand or so), and two keys of the same
 * fingerprint share one entry and its flags (a few pairs among the lexicon's keys).  That is
 * harmless where it is used: a false "prefix" makes the matcher try one more unit, whose own
 * question fails, and a false "whole term of table t" makes it look the key up in that table, which
 * holds the strings and answers no.  The matches found are the same.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* the flags a key may hold: SP_PREFIX_ANY | SP_PREFIX_WHOLE (0…2) */
#define SP_PREFIX_SET_FLAGS 0xfu

typedef struct {
	guint32 *slots; /* 0: empty; else the key's fingerprint << 4 | its flags (never 0) */
	gsize mask;	/* number of slots - 1 (a power of two minus one) */
	gsize len;
} SpPrefixSet;

SpPrefixSet *sp_prefix_set_new (void);
void sp_prefix_set_free (SpPrefixSet *set);
gsize sp_prefix_set_size (const SpPrefixSet *set);

/* 28 bits of FNV-1a (64 bits) over the @len bytes at @key, shifted over the flags */
static inline guint32
sp_prefix_set_fingerprint (const gchar *key, gsize len)
{
	guint64 h = G_GUINT64_CONSTANT (0xcbf29ce484222325);

	for (gsize i = 0; i < len; i++) {
		h ^= (guchar)key[i];
		h *= G_GUINT64_CONSTANT (0x100000001b3);
	}
	return (guint32)(h >> 36) << 4;
}

/* Adds @flags (not 0, within SP_PREFIX_SET_FLAGS) to what the set holds for @key. */
void sp_prefix_set_add (SpPrefixSet *set, const gchar *key, gsize len, guint flags);

/* The flags held for @key, or 0. */
static inline guint
sp_prefix_set_get (const SpPrefixSet *set, const gchar *key, gsize len)
{
	guint32 fp = sp_prefix_set_fingerprint (key, len);

	for (gsize i = (fp >> 4) & set->mask;; i = (i + 1) & set->mask) {
		guint32 e = set->slots[i];
		if (e == 0)
			return 0;
		if ((e & ~SP_PREFIX_SET_FLAGS) == fp)
			return e & SP_PREFIX_SET_FLAGS;
	}
}

G_END_DECLS
