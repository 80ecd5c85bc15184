/*
 * The parser's lookup helpers: word lists indexed by first byte (sp-words.h) and the set of
 * English term prefixes as fingerprints (sp-prefix-set.h).  Both must answer as the plain
 * structures they replace: every word in list order, every key held with all its flags.
 */
#include <criterion/criterion.h>
#include <glib.h>
#include <string.h>

#include "sp-prefix-set.h"
#include "sp-words.h"

static const gchar *const words[]
	= { "stop", "stopped", "held", "停用", "hold", "still", "off", "停了", "s", NULL };

Test (words, bucket_lists_every_word_of_that_byte_in_list_order)
{
	static SpWords index = SP_WORDS_INIT (words);
	guint n = 0;
	const guint16 *ix = sp_words_starting (&index, 's', &n);

	cr_assert_eq (n, 4);
	cr_assert_eq (ix[0], 0); /* stop */
	cr_assert_eq (ix[1], 1); /* stopped */
	cr_assert_eq (ix[2], 5); /* still */
	cr_assert_eq (ix[3], 8); /* s */
	ix = sp_words_starting (&index, 'h', &n);
	cr_assert_eq (n, 2);
	cr_assert_eq (ix[0], 2);
	cr_assert_eq (ix[1], 4);
	/* both Chinese words start with the same UTF-8 lead byte */
	ix = sp_words_starting (&index, words[3][0], &n);
	cr_assert_eq (n, 2);
	cr_assert_eq (ix[0], 3);
	cr_assert_eq (ix[1], 7);
	sp_words_starting (&index, 'x', &n);
	cr_assert_eq (n, 0);
	sp_words_starting (&index, '\0', &n);
	cr_assert_eq (n, 0);
}

Test (words, every_byte_value_and_an_empty_list)
{
	static const gchar *const none[] = { NULL };
	static SpWords empty = SP_WORDS_INIT (none);
	static SpWords index = SP_WORDS_INIT (words);
	guint total = 0;

	for (guint b = 0; b < 256; b++) {
		guint n = 1;
		sp_words_starting (&empty, (gchar)b, &n);
		cr_assert_eq (n, 0);
		sp_words_starting (&index, (gchar)b, &n);
		total += n;
	}
	cr_assert_eq (total, g_strv_length ((gchar **)words));
}

Test (prefix_set, holds_every_key_with_all_its_flags_through_growth)
{
	SpPrefixSet *set = sp_prefix_set_new ();
	const guint n = 100000; /* several doublings from the first 1024 slots */

	for (guint i = 0; i < n; i++) {
		g_autofree gchar *key = g_strdup_printf ("term %u", i);
		sp_prefix_set_add (set, key, strlen (key), 1u << (i % 4));
	}
	/* a key added again keeps its first flags and gains the new ones */
	sp_prefix_set_add (set, "term 7", 6, 1u << 0);
	/* two keys of the same fingerprint share an entry (about n^2 / 2^29 pairs: 19 here), which
	 * then holds the flags of both: more, never fewer, than either key's own */
	cr_assert_geq (sp_prefix_set_size (set), n - 100);
	cr_assert_leq (sp_prefix_set_size (set), n);
	for (guint i = 0; i < n; i++) {
		g_autofree gchar *key = g_strdup_printf ("term %u", i);
		guint want = (1u << (i % 4)) | (i == 7 ? 1u : 0);
		guint got = sp_prefix_set_get (set, key, strlen (key));
		cr_assert_eq (got & want, want, "%s: %#x", key, got);
	}
	/* the length counts, not a terminating NUL */
	cr_assert_eq (sp_prefix_set_get (set, "term 12", 6), 1u << 1); /* "term 1" */
	sp_prefix_set_free (set);
}

Test (prefix_set, keys_never_added_are_almost_never_found)
{
	SpPrefixSet *set = sp_prefix_set_new ();
	guint found = 0;

	for (guint i = 0; i < 60000; i++) {
		g_autofree gchar *key = g_strdup_printf ("chest pain %u", i);
		sp_prefix_set_add (set, key, strlen (key), 8);
	}
	for (guint i = 0; i < 60000; i++) {
		g_autofree gchar *key = g_strdup_printf ("abdominal pain %u", i);
		found += sp_prefix_set_get (set, key, strlen (key)) != 0;
	}
	/* 28-bit fingerprints at half load: about one false answer in a thousand or fewer (a false
	 * answer only costs the matcher a further lookup, sp-prefix-set.h) */
	cr_assert_lt (found, 60, "%u of 60000 absent keys found", found);
	cr_assert_eq (sp_prefix_set_get (set, "", 0), 0);
	sp_prefix_set_free (set);
}
