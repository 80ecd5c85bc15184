/*
 * symptom-parser — the set of term prefixes, as fingerprints (sp-prefix-set.h).
 */
#include "sp-prefix-set.h"

#define SP_PREFIX_SET_MIN_SLOTS 1024

SpPrefixSet *
sp_prefix_set_new (void)
{
	SpPrefixSet *set = g_new0 (SpPrefixSet, 1);

	set->slots = g_new0 (guint32, SP_PREFIX_SET_MIN_SLOTS);
	set->mask = SP_PREFIX_SET_MIN_SLOTS - 1;
	return set;
}

void
sp_prefix_set_free (SpPrefixSet *set)
{
	if (set == NULL)
		return;
	g_free (set->slots);
	g_free (set);
}

gsize
sp_prefix_set_size (const SpPrefixSet *set)
{
	return set->len;
}

/* The slot of fingerprint @fp: where it is, or the empty slot it goes in. */
static gsize
sp_prefix_set_slot (const SpPrefixSet *set, guint32 fp)
{
	gsize i = (fp >> 4) & set->mask;

	while (set->slots[i] != 0 && (set->slots[i] & ~SP_PREFIX_SET_FLAGS) != fp)
		i = (i + 1) & set->mask;
	return i;
}

/* Doubles the slots when the set is half full: linear probing stays short.  A slot is placed by
 * its fingerprint's own bits, so the stored words are all a rehash needs. */
static void
sp_prefix_set_grow (SpPrefixSet *set)
{
	guint32 *old = set->slots;
	gsize n = set->mask + 1;

	/* 2^28 slots would place by every fingerprint bit */
	g_assert (n < (1u << 27));
	set->slots = g_new0 (guint32, 2 * n);
	set->mask = 2 * n - 1;
	for (gsize i = 0; i < n; i++) {
		if (old[i] != 0)
			set->slots[sp_prefix_set_slot (set, old[i] & ~SP_PREFIX_SET_FLAGS)]
				= old[i];
	}
	g_free (old);
}

void
sp_prefix_set_add (SpPrefixSet *set, const gchar *key, gsize len, guint flags)
{
	guint32 fp = sp_prefix_set_fingerprint (key, len);
	gsize i;

	g_return_if_fail (flags != 0 && (flags & ~SP_PREFIX_SET_FLAGS) == 0);
	if (2 * (set->len + 1) > set->mask + 1)
		sp_prefix_set_grow (set);
	i = sp_prefix_set_slot (set, fp);
	if (set->slots[i] == 0) {
		set->slots[i] = fp | flags;
		set->len++;
	} else {
		set->slots[i] |= flags;
	}
}
