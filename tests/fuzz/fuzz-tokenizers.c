/*
 * libFuzzer target: UTF-8 validation, normalisation, the offset map and the tokenizer with a
 * small in-memory Chinese dictionary.  Checks invariants, not just "no crash".
 */
#include <glib.h>
#include <string.h>

#include "mv-tokenizer.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static MvZhDict *
fuzz_dict (void)
{
	static MvZhDict *dict;
	if (dict == NULL) {
		g_autoptr (MvZhDictBuilder) b = mv_zh_dict_builder_new ();
		g_autoptr (GBytes) bytes = NULL;
		const gchar *words[] = { "头痛",   "头",   "痛",   "发烧", "发", "烧",
					 "肚子疼", "肚子", "没有", "三天", "我" };
		for (guint i = 0; i < G_N_ELEMENTS (words); i++)
			(void)mv_zh_dict_builder_add (b, words[i], 10 + i);
		bytes = mv_zh_dict_builder_build (b);
		dict = mv_zh_dict_new_from_bytes (bytes, NULL);
		g_assert (dict != NULL);
	}
	return dict;
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
	g_autoptr (MvNormText) nt = mv_norm_text_new ((const gchar *)data, (gssize)size, NULL);
	g_autoptr (GArray) toks = NULL;
	guint32 prev_end = 0;

	if (nt == NULL)
		return 0;
	g_assert (g_utf8_validate_len (nt->text, nt->len, NULL));
	g_assert (nt->orig_len == size);
	toks = mv_tokenize (nt->text, nt->len, fuzz_dict ());
	for (guint i = 0; i < toks->len; i++) {
		const MvToken *t = &g_array_index (toks, MvToken, i);
		MvOrigSpan span;
		g_assert (t->start < t->end && t->end <= nt->len && t->start >= prev_end);
		g_assert (t->num_end >= t->start && t->num_end <= t->end);
		mv_norm_text_to_orig (nt, t->start, t->end, &span);
		g_assert (span.cp_start <= span.cp_end && span.cp_end <= nt->orig_chars);
		g_assert (span.byte_start <= span.byte_end && span.byte_end <= size);
		/* the original span is whole characters */
		g_assert (g_utf8_validate_len ((const gchar *)data + span.byte_start,
					       span.byte_end - span.byte_start, NULL));
		prev_end = t->end;
	}
	return 0;
}
