/*
 * libFuzzer target: the Chinese dictionary trie loader.  A file that passes validation must
 * then be safe to segment with.
 */
#include <glib.h>

#include "mv-zh-dict.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
	g_autoptr (GBytes) bytes = g_bytes_new (data, size);
	g_autoptr (MvZhDict) dict = mv_zh_dict_new_from_bytes (bytes, NULL);
	g_autoptr (GArray) ends = NULL;
	const gunichar text[] = { 0x6211, 0x5934, 0x75DB, 0x4E09, 0x5929, 0x9F98,
				  0x9F98, 0x9F98, 0x9F98, 0x9F98, 0x5934 };
	guint prev = 0;

	if (dict == NULL)
		return 0;
	ends = g_array_new (FALSE, FALSE, sizeof (guint));
	mv_zh_dict_segment (dict, text, G_N_ELEMENTS (text), ends);
	for (guint i = 0; i < ends->len; i++) {
		guint e = g_array_index (ends, guint, i);
		g_assert (e > prev && e <= G_N_ELEMENTS (text));
		prev = e;
	}
	g_assert (prev == G_N_ELEMENTS (text));
	(void)mv_zh_dict_lookup (dict, text, 2, NULL);
	return 0;
}
