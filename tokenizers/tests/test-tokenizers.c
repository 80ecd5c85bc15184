/*
 * Unit tests for the tokenizers: normalisation and its offset map, the rule tokenizer, the
 * Chinese trie (build, load, validation) and the segmenter.
 */
#define G_LOG_DOMAIN "test-tokenizers"

#include <criterion/criterion.h>
#include <string.h>

#include "mv-tokenizer.h"

static MvZhDict *
load_test_dict (void)
{
	const gchar *path = g_getenv ("MV_TEST_TRIE");
	g_autoptr (GError) error = NULL;
	MvZhDict *dict;

	cr_assert_not_null (path, "MV_TEST_TRIE is not set");
	dict = mv_zh_dict_new_from_file (path, &error);
	cr_assert_not_null (dict, "%s", error != NULL ? error->message : "");
	return dict;
}

/* The tokens of @text joined with '|', each as its normalised text. */
static gchar *
tokens_joined (const gchar *text, const MvZhDict *dict)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvNormText) nt = mv_norm_text_new (text, -1, &error);
	g_autoptr (GArray) toks = NULL;
	GString *s = g_string_new (NULL);

	cr_assert_not_null (nt);
	toks = mv_tokenize (nt->text, nt->len, dict);
	for (guint i = 0; i < toks->len; i++) {
		MvToken *t = &g_array_index (toks, MvToken, i);
		if (i > 0)
			g_string_append_c (s, '|');
		g_string_append_len (s, nt->text + t->start, t->end - t->start);
	}
	return g_string_free (s, FALSE);
}

Test (normalize, casefold_and_fullwidth)
{
	g_autofree gchar *a = mv_normalize_string ("Fever ＡＢＣ１２３，Ｘ");
	g_autofree gchar *b = mv_normalize_string ("38.5℃ “Can’t” ½");
	cr_assert_str_eq (a, "fever abc123,x");
	cr_assert_str_eq (b, "38.5°c \"can't\" 1⁄2");
}

Test (normalize, offsets_map_back_to_original)
{
	/* "Ｆｅｖｅｒ" is five full-width characters (15 bytes) normalised to "fever" */
	const gchar *text = "有Ｆｅｖｅｒ e\xcc\x81 x";
	g_autoptr (MvNormText) nt = mv_norm_text_new (text, -1, NULL);
	MvOrigSpan span;
	const gchar *f;
	const gchar *e;

	cr_assert_not_null (nt);
	cr_assert_str_eq (nt->text, "有fever é x");
	f = strstr (nt->text, "fever");
	mv_norm_text_to_orig (nt, (gsize)(f - nt->text), (gsize)(f - nt->text) + 5, &span);
	cr_assert_eq (span.cp_start, 1);
	cr_assert_eq (span.cp_end, 6);
	cr_assert_eq (span.byte_start, 3);
	cr_assert_eq (span.byte_end, 18);
	/* the composed é maps back to 'e' + combining acute: two code points */
	e = strstr (nt->text, "é");
	mv_norm_text_to_orig (nt, (gsize)(e - nt->text), (gsize)(e - nt->text) + 2, &span);
	cr_assert_eq (span.cp_start, 7);
	cr_assert_eq (span.cp_end, 9);
	cr_assert_eq (nt->orig_chars, 11);
}

Test (normalize, invalid_utf8_and_nul_refused)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvNormText) a = mv_norm_text_new ("ab\xff", -1, &error);
	g_autoptr (MvNormText) b = NULL;

	cr_assert_null (a);
	cr_assert (g_error_matches (error, MV_TOKENIZER_ERROR, MV_TOKENIZER_ERROR_MALFORMED));
	g_clear_error (&error);
	b = mv_norm_text_new ("a\0b", 3, &error);
	cr_assert_null (b);
	cr_assert (g_error_matches (error, MV_TOKENIZER_ERROR, MV_TOKENIZER_ERROR_MALFORMED));
}

Test (normalize, controls_become_spaces_and_empty_is_fine)
{
	g_autofree gchar *a = mv_normalize_string ("a\x01\tb\x7f\nc");
	g_autoptr (MvNormText) e = mv_norm_text_new ("", 0, NULL);

	cr_assert_str_eq (a, "a  b \nc");
	cr_assert_not_null (e);
	cr_assert_eq (e->len, 0);
	cr_assert_eq (e->n_segs, 0);
}

Test (tokenize, english_numbers_units_contractions)
{
	g_autofree gchar *a = tokens_joined (
		"Temp 38.5°C, BP 120/80; pain 7/10. Can't breathe, left-sided 3days 100mg 50%!",
		NULL);
	cr_assert_str_eq (a, "temp|38.5°c|,|bp|120/80|;|pain|7/"
			     "10|.|can't|breathe|,|left-sided|3days|100mg|50%|!");
}

Test (tokenize, number_parts_and_flags)
{
	g_autoptr (MvNormText) nt = mv_norm_text_new ("38.5°C 7/10 it's co-op", -1, NULL);
	g_autoptr (GArray) toks = mv_tokenize (nt->text, nt->len, NULL);
	MvToken *t;

	cr_assert_eq (toks->len, 4);
	t = &g_array_index (toks, MvToken, 0);
	cr_assert_eq (t->kind, MV_TOKEN_NUMBER);
	cr_assert_eq (t->num_end - t->start, 4);
	cr_assert (t->flags & MV_TOKEN_FLAG_UNIT);
	t = &g_array_index (toks, MvToken, 1);
	cr_assert (t->flags & MV_TOKEN_FLAG_RATIO);
	t = &g_array_index (toks, MvToken, 2);
	cr_assert_eq (t->kind, MV_TOKEN_WORD);
	cr_assert (t->flags & MV_TOKEN_FLAG_APOSTROPHE);
	t = &g_array_index (toks, MvToken, 3);
	cr_assert (t->flags & MV_TOKEN_FLAG_HYPHEN);
	cr_assert_eq (t->n_chars, 5);
}

Test (tokenize, newline_is_a_token_emoji_is_a_symbol)
{
	g_autoptr (MvNormText) nt = mv_norm_text_new ("a\n😷b", -1, NULL);
	g_autoptr (GArray) toks = mv_tokenize (nt->text, nt->len, NULL);

	cr_assert_eq (toks->len, 4);
	cr_assert_eq (g_array_index (toks, MvToken, 1).kind, MV_TOKEN_PUNCT);
	cr_assert_eq (g_array_index (toks, MvToken, 2).kind, MV_TOKEN_SYMBOL);
}

Test (segment, max_probability_path)
{
	g_autoptr (MvZhDict) dict = load_test_dict ();
	g_autofree gchar *a = tokens_joined ("我头痛三天", dict);
	g_autofree gchar *b = tokens_joined ("肚子疼", dict);
	g_autofree gchar *c = tokens_joined ("研究生命的起源", dict);

	cr_assert_str_eq (a, "我|头痛|三天");
	cr_assert_str_eq (b, "肚子疼");
	/* the classic ambiguity: 研究|生命 beats 研究生|命 on unigram probabilities */
	cr_assert_str_eq (c, "研究|生命|的|起源");
	cr_assert_eq (mv_zh_dict_get_n_words (dict), 20);
}

Test (segment, mixed_scripts_and_oov_runs)
{
	g_autoptr (MvZhDict) dict = load_test_dict ();
	g_autofree gchar *a = tokens_joined ("我有Fever，发烧3天", dict);
	g_autofree gchar *b = tokens_joined ("我张晓明头痛", dict);
	g_autofree gchar *c = tokens_joined ("龘龘龘龘龘龘", dict);

	cr_assert_str_eq (a, "我|有|fever|,|发烧|3|天");
	/* unknown characters are joined into one word */
	cr_assert_str_eq (b, "我|张晓明|头痛");
	cr_assert_str_eq (c, "龘龘龘龘|龘龘");
}

Test (segment, lookup)
{
	g_autoptr (MvZhDict) dict = load_test_dict ();
	const gunichar w[] = { 0x5934, 0x75DB }; /* 头痛 */
	gfloat lp = 1;

	cr_assert (mv_zh_dict_lookup (dict, w, 2, &lp));
	cr_assert_lt (lp, 0);
	cr_assert (mv_zh_dict_lookup (dict, w + 1, 1, NULL));
	cr_assert_not (mv_zh_dict_lookup (dict, w, 1, NULL)
		       && mv_zh_dict_lookup (dict, (const gunichar[]){ 0x9F98 }, 1, NULL));
	cr_assert_not (mv_zh_dict_lookup (dict, w, 0, NULL));
}

Test (trie, built_in_memory_and_corruption_refused)
{
	g_autoptr (MvZhDictBuilder) b = mv_zh_dict_builder_new ();
	g_autoptr (GBytes) bytes = NULL;
	g_autoptr (MvZhDict) dict = NULL;
	g_autoptr (GError) error = NULL;
	g_autofree guint8 *copy = NULL;
	gsize size;

	cr_assert (mv_zh_dict_builder_add (b, "头痛", 10));
	cr_assert (mv_zh_dict_builder_add (b, "头", 5));
	cr_assert_not (mv_zh_dict_builder_add (b, "abc", 5));
	cr_assert_not (mv_zh_dict_builder_add (b, "", 5));
	bytes = mv_zh_dict_builder_build (b);
	dict = mv_zh_dict_new_from_bytes (bytes, &error);
	cr_assert_not_null (dict, "%s", error != NULL ? error->message : "");

	/* truncated */
	size = g_bytes_get_size (bytes);
	copy = g_memdup2 (g_bytes_get_data (bytes, NULL), size);
	{
		g_autoptr (GBytes) t = g_bytes_new (copy, size - 4);
		g_autoptr (MvZhDict) d = mv_zh_dict_new_from_bytes (t, &error);
		cr_assert_null (d);
		cr_assert (g_error_matches (error, MV_TOKENIZER_ERROR, MV_TOKENIZER_ERROR_INVALID));
		g_clear_error (&error);
	}
	/* a child pointing back at the root would make walks loop */
	{
		memset (copy + 32 + 4, 0, 4); /* root's first_child = 0 */
		g_autoptr (GBytes) t = g_bytes_new (copy, size);
		g_autoptr (MvZhDict) d = mv_zh_dict_new_from_bytes (t, &error);
		cr_assert_null (d);
		cr_assert (g_error_matches (error, MV_TOKENIZER_ERROR, MV_TOKENIZER_ERROR_INVALID));
	}
}

Test (trie, missing_file_is_an_error)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvZhDict) d = mv_zh_dict_new_from_file ("/nonexistent/x.trie", &error);
	cr_assert_null (d);
	cr_assert_not_null (error);
}
