/*
 * symptom-parser — Chinese terms a writer breaks up (issue 11): a degree word or a span of time
 * inside a term (肚子有些胀, 体重2个月下降), what a report puts between organ and finding
 * (甲状腺有结节), and a body part shared by 又…又… (眼睛又红又痒).  Run after sp_match_zh(); the
 * items they add are settled with the others in sp_items_finish().
 */
#define G_LOG_DOMAIN "symptom-parser"

#include "sp-ctx.h"

#include <string.h>

/* Degree and frequency words and the particle 了 a patient puts inside a symptom: 肚子有些胀,
 * 说话有点不清楚, 心很慌, 尿也少了, 头还疼, 夜里经常憋醒, 嘴里长了溃疡.  Never a negation (不, 没).
 * And what a report puts between an organ and its finding: 甲状腺有结节, 肾有结石, 子宫多发肌瘤,
 * 肝内多发囊肿 (issue 11, round 9).
 */
static const gchar *const sp_zh_inserts[] = {
	"有点儿", "有点", "有些",   "有一点", "一点", "很",   "非常", "特别", "比较",	"挺",
	"太",	  "好",	  "老是",   "总是",   "一直", "也",   "还",   "都",   "越来越", "更",
	"更加",	  "稍微", "老",	    "总",     "真",   "超级", "蛮",   "经常", "常常",	"时常",
	"偶尔",	  "有时", "有时候", "了",     "有",   "多发", "单发", "散在", "明显",	"稍",
	"略",	  "稍有", "略有",   "有所",   "较前", "偶有", NULL,
};

/* Negations a writer puts inside a term: 体重没掉 (Weight loss absent), 痰不多, 尿量无减少; a term
 * that is itself a negation turns around: 睡眠不好 is Insomnia present (the term !睡眠好). */
static const gchar *const sp_zh_neg_inserts[] = {
	"没", "没有", "不", "未", "无", "并不", "并没有", "不太", NULL,
};

static const gchar *const sp_zh_copula[] = { "是", NULL };

/* 比 and what it compares with, as the segmenter cuts them: 精神比以前差 is 精神差 */
static const gchar *const sp_zh_than[] = { "比", NULL };
static const gchar *const sp_zh_before[] = {
	"以前", "之前", "平时", "原来", "过去", "从前", "往常", "上次", NULL,
};

/* The end of a run of at most @max characters from @p of ASCII digits (and '.', when @dot) and
 * the characters of @chars, one of them of @marks, followed by a Han character; or NULL. */
static const gchar *
sp_zh_run (const gchar *p,
	   const gchar *end,
	   const gchar *chars,
	   const gchar *marks,
	   guint max,
	   gboolean dot)
{
	const gchar *q = p;
	gboolean marked = FALSE;

	for (guint n = 0; q < end && n < max; n++) {
		gunichar c = g_utf8_get_char (q);
		gchar utf8[8] = { 0 };
		if (g_ascii_isdigit (*q) || (dot && *q == '.')) {
			q++;
			continue;
		}
		g_unichar_to_utf8 (c, utf8);
		if (c < 0x80 || strstr (chars, utf8) == NULL)
			break;
		marked = marked || strstr (marks, utf8) != NULL;
		q = g_utf8_next_char (q);
	}
	return marked && q > p && q < end && mv_unichar_is_han (g_utf8_get_char (q)) ? q : NULL;
}

/* The end of a span of time a writer puts between a subject and its change (体重2个月下降,
 * 体重这一年涨了8kg, 视力近半年下降, 食欲这几天差了), starting at @p, or NULL: numerals, 个, 多,
 * 余, 来, 近, 这 and a unit of time, at most eight characters. */
static const gchar *
sp_zh_time_run (const gchar *p, const gchar *end)
{
	return sp_zh_run (p, end,
			  "一二两三四五六七八九十几半个多余来近这最段阵子期年月周天日星内已",
			  "年月周天日期阵", 8, TRUE);
}

/* The end of a count a writer puts between a place and what grew there (嘴里长了两个溃疡, 脸上起了
 * 好多小红点), starting at @p, or NULL: numerals, 几, 好多, 一些 and a classifier, at most six
 * characters. */
static const gchar *
sp_zh_count_run (const gchar *p, const gchar *end)
{
	return sp_zh_run (p, end, "一二两三四五六七八九十几好多些个颗块片处粒条串小大",
			  "个颗块片处粒条串", 6, FALSE);
}

/* The longest concept term that starts at @from and ends up to four characters into @after (the
 * text from @from to token @t is kept, what stands between is skipped); updates @start and
 * @stop. */
static gpointer
sp_zh_insert_lookup (
	SpCtx *ctx, gsize from, gsize to, const gchar *after, gchar *buf, gsize *start, gsize *stop)
{
	const SpLexicon *lex = ctx->parser->lexicon;
	const gchar *text = ctx->nt->text;
	gsize left = to - from;
	const gchar *q = after;
	gpointer best = NULL;

	if (left > 12 || left + 16 > lex->zh_max_bytes)
		return NULL;
	memcpy (buf, text + from, left);
	for (guint n = 0; n < 4 && q < text + ctx->nt->len; n++) {
		gpointer value;
		if (!mv_unichar_is_han (g_utf8_get_char (q)))
			break;
		q = g_utf8_next_char (q);
		memcpy (buf + left, after, (gsize)(q - after));
		buf[left + (gsize)(q - after)] = '\0';
		value = g_hash_table_lookup (lex->zh_concepts, buf);
		if (value != NULL && (gsize)(q - text) - from > *stop - *start) {
			best = value;
			*start = from;
			*stop = (gsize)(q - text);
		}
	}
	return best;
}

/* The longest concept term made of the Han words before token @t and up to four characters from
 * @after, whatever stands between (an insert word or a span of time): from the start of the one
 * or two words before, or from inside the word before when two or more of its characters are
 * left (测血糖老是低 is 血糖低; one character is not a word: 念头 does not lend its 头). */
static gpointer
sp_zh_insert_term (SpCtx *ctx, guint t, const gchar *after, gchar *buf, gsize *start, gsize *stop)
{
	const gchar *text = ctx->nt->text;
	GArray *toks = ctx->tokens;
	const MvToken *tok = &g_array_index (toks, MvToken, t);
	const MvToken *prev = &g_array_index (toks, MvToken, t - 1);
	gpointer best = NULL, value;

	if (prev->kind != MV_TOKEN_HAN || prev->end != tok->start)
		return NULL;
	for (const gchar *p = text + prev->start;
	     p == text + prev->start || (gsize)(text + prev->end - p) >= 6;
	     p = g_utf8_next_char (p)) {
		value = sp_zh_insert_lookup (ctx, (gsize)(p - text), prev->end, after, buf, start,
					     stop);
		best = value != NULL ? value : best;
	}
	/* two or three words before: 嘴里|长|了 of 嘴里长了两个溃疡 */
	for (guint back = 2; back <= 3 && back <= t; back++) {
		const MvToken *first = &g_array_index (toks, MvToken, t - back);
		const MvToken *second = &g_array_index (toks, MvToken, t - back + 1);
		if (first->kind != MV_TOKEN_HAN || second->kind != MV_TOKEN_HAN
		    || first->end != second->start)
			break;
		value = sp_zh_insert_lookup (ctx, first->start, prev->end, after, buf, start, stop);
		best = value != NULL ? value : best;
	}
	return best;
}

static gpointer sp_zh_bare_term (SpCtx *ctx, const gchar *p, const gchar *stop, gsize *end);

/* The concept items of sp_match_zh() sorted by start, so that a term made here finds the items
 * it overlaps without a walk over all of them (a long text has many). */
typedef struct {
	SpCtx *ctx;
	GArray *order;	 /* item indices, by start */
	gboolean *dead;	 /* items a longer term made here replaces */
	guint n;	 /* items indexed */
	gsize max_bytes; /* the longest term: an item overlapping @start starts at most this before
			  */
} SpZhIndex;

static gint
sp_zh_index_cmp (gconstpointer a, gconstpointer b, gpointer data)
{
	GArray *items = data;
	guint32 x = g_array_index (items, SpItem, *(const guint *)a).start;
	guint32 y = g_array_index (items, SpItem, *(const guint *)b).start;
	return x < y ? -1 : x > y;
}

static void
sp_zh_index_init (SpZhIndex *ix, SpCtx *ctx)
{
	ix->ctx = ctx;
	ix->n = ctx->items->len;
	ix->order = g_array_new (FALSE, FALSE, sizeof (guint));
	ix->dead = g_new0 (gboolean, ix->n + 1);
	ix->max_bytes = ctx->parser->lexicon->zh_max_bytes;
	for (guint i = 0; i < ix->n; i++) {
		if (g_array_index (ctx->items, SpItem, i).kind == SP_ITEM_CONCEPT)
			g_array_append_val (ix->order, i);
	}
	g_array_sort_with_data (ix->order, sp_zh_index_cmp, ctx->items);
}

/* The position in the order after the last item starting at or before @pos. */
static guint
sp_zh_index_upto (SpZhIndex *ix, gsize pos)
{
	guint lo = 0, hi = ix->order->len;

	while (lo < hi) {
		guint mid = lo + (hi - lo) / 2;
		if (g_array_index (ix->ctx->items, SpItem, g_array_index (ix->order, guint, mid))
			    .start
		    <= pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Walks back over the indexed items that may overlap a new term of @start .. @end: with
 * @overtake, marks the shorter symptom or measurement items it starts inside as replaced, as
 * sp_match_zh() does (测血糖 of 测血糖老是偏低); without, says whether an item covers it all. */
static gboolean
sp_zh_index_walk (SpZhIndex *ix, gsize start, gsize end, gboolean overtake)
{
	for (guint k = sp_zh_index_upto (ix, start); k-- > 0;) {
		guint i = g_array_index (ix->order, guint, k);
		const SpItem *it = &g_array_index (ix->ctx->items, SpItem, i);
		if (it->start + ix->max_bytes < start)
			break;
		if (!overtake && !ix->dead[i] && it->end >= end)
			return TRUE;
		if (overtake && it->start < start && it->end > start && it->end <= end
		    && it->end - it->start < end - start && sp_zh_overtakable (ix->ctx, i, 1))
			ix->dead[i] = TRUE;
	}
	return FALSE;
}

/* Drops the replaced items and frees the index. */
static void
sp_zh_index_finish (SpZhIndex *ix)
{
	GArray *items = ix->ctx->items;
	guint kept = 0;

	for (guint i = 0; i < items->len; i++) {
		if (i < ix->n && ix->dead[i])
			continue;
		if (kept != i)
			g_array_index (items, SpItem, kept) = g_array_index (items, SpItem, i);
		kept++;
	}
	g_array_set_size (items, kept);
	g_array_unref (ix->order);
	g_free (ix->dead);
}

/* A Chinese concept term written with a degree word inside it (肚子有些胀 is 肚子胀), or a span of
 * time (体重2个月下降 is 体重下降): for each such word or span between Han words, the longest term
 * made of the one or two words before it and up to four characters after it becomes a concept
 * item over the whole span (the word and any cue or site inside are then opaque, see
 * sp_items_finish()).  The part before starts a word of the segmentation, so 念头 does not lend
 * its 头. */
void
sp_match_zh_inserts (SpCtx *ctx)
{
	const SpLexicon *lex = ctx->parser->lexicon;
	const gchar *text = ctx->nt->text;
	const gchar *end = text + ctx->nt->len;
	GArray *toks = ctx->tokens;
	g_autofree gchar *buf = g_malloc (lex->zh_max_bytes + 8);
	SpZhIndex ix;

	sp_zh_index_init (&ix, ctx);
	for (guint t = 1; t + 1 < toks->len; t++) {
		const MvToken *tok = &g_array_index (toks, MvToken, t);
		const MvToken *next = &g_array_index (toks, MvToken, t + 1);
		const gchar *after = NULL;
		gpointer best = NULL;
		gsize best_start = 0, best_end = 0;
		gboolean negation = FALSE;
		gsize bare_end = 0;

		if (g_array_index (toks, MvToken, t - 1).kind != MV_TOKEN_HAN)
			continue;
		if (tok->kind == MV_TOKEN_HAN && next->kind == MV_TOKEN_HAN
		    && next->start == tok->end && sp_tok_in (ctx, t, sp_zh_neg_inserts)) {
			negation = TRUE;
			after = text + next->start;
		} else if (tok->kind == MV_TOKEN_HAN && next->kind == MV_TOKEN_HAN
			   && next->start == tok->end && sp_tok_in (ctx, t, sp_zh_than)
			   && sp_tok_in (ctx, t + 1, sp_zh_before) && t + 2 < toks->len
			   && g_array_index (toks, MvToken, t + 2).kind == MV_TOKEN_HAN
			   && g_array_index (toks, MvToken, t + 2).start == next->end) {
			after = text + g_array_index (toks, MvToken, t + 2).start;
		} else if (tok->kind == MV_TOKEN_HAN && next->kind == MV_TOKEN_HAN
			   && next->start == tok->end && sp_tok_in (ctx, t, sp_zh_inserts)) {
			/* two in a row, as the segmenter may cut them: 老|是 of 血糖老是偏低 */
			guint u = t + 1;
			if (u + 1 < toks->len
			    && (sp_tok_in (ctx, u, sp_zh_inserts)
				|| sp_tok_in (ctx, u, sp_zh_copula))
			    && g_array_index (toks, MvToken, u + 1).kind == MV_TOKEN_HAN
			    && g_array_index (toks, MvToken, u + 1).start == next->end)
				next = &g_array_index (toks, MvToken, u + 1);
			after = text + next->start;
		} else if ((after = sp_zh_time_run (text + tok->start, end)) == NULL) {
			after = sp_zh_count_run (text + tok->start, end);
		}
		if (after == NULL)
			continue;
		best = sp_zh_insert_term (ctx, t, after, buf, &best_start, &best_end);
		/* a term the lexicon has as written (胃口不好) stays that term; after a negation,
		 * a finding the words after it name alone is negated by the context rules, with
		 * its site (双下肢无水肿: Edema of the legs, absent) */
		if (best != NULL
		    && (sp_zh_index_walk (&ix, best_start, best_end, FALSE)
			|| (negation && sp_zh_bare_term (ctx, after, end, &bare_end) != NULL)))
			best = NULL;
		if (best != NULL) {
			guint before;
			/* it replaces a shorter symptom or measurement term it starts inside */
			sp_zh_index_walk (&ix, best_start, best_end, TRUE);
			before = ctx->items->len;
			sp_add_term (ctx, best, best_start, best_end);
			/* a degree word grades the finding, a span of time or a negation does not
			 */
			for (guint i = before; i < ctx->items->len; i++) {
				SpItem *it = &g_array_index (ctx->items, SpItem, i);
				it->insert_tok = after == text + tok->end && !negation ? t + 1 : 0;
				it->composed = !negation;
				if (negation)
					it->negated = !it->negated;
			}
		}
	}
	sp_zh_index_finish (&ix);
}

/* The longest concept term among the one or two characters at @p (a bare 肿 or 红肿), or NULL. */
static gpointer
sp_zh_bare_term (SpCtx *ctx, const gchar *p, const gchar *stop, gsize *end)
{
	const SpLexicon *lex = ctx->parser->lexicon;
	const gchar *text = ctx->nt->text;
	gpointer best = NULL;
	const gchar *q = p;

	for (guint n = 0; n < 2 && q < stop && mv_unichar_is_han (g_utf8_get_char (q)); n++) {
		g_autofree gchar *word = NULL;
		gpointer value;
		q = g_utf8_next_char (q);
		word = g_strndup (p, (gsize)(q - p));
		value = g_hash_table_lookup (lex->zh_concepts, word);
		if (value != NULL) {
			best = value;
			*end = (gsize)(q - text);
		}
	}
	return best;
}

/* "眼睛又红又痒", "大脚趾又肿又疼": the body part before 又…又… is the part of each finding (眼睛红
 * and 眼睛痒, 脚趾疼 and 肿), which the context rules, walking from one finding to the next, gave
 * only to the first or to neither.  Each becomes a concept item over the whole phrase, as the
 * concepts of a combo share their term's span; nothing changes unless one of them is a term
 * with the body part in it. */
void
sp_match_zh_pairs (SpCtx *ctx)
{
	const SpLexicon *lex = ctx->parser->lexicon;
	const gchar *text = ctx->nt->text;
	const gchar *end = text + ctx->nt->len;
	g_autofree gchar *buf = g_malloc (lex->zh_max_bytes + 8);

	for (guint t = 1; t + 3 < ctx->tokens->len; t++) {
		const MvToken *tok = &g_array_index (ctx->tokens, MvToken, t);
		const gchar *second = NULL;
		gpointer found[2] = { NULL, NULL };
		gsize start[2] = { 0, 0 }, stop[2] = { 0, 0 };
		gboolean with_part = FALSE;

		if (!sp_tok_is (ctx, t, "又"))
			continue;
		/* the second 又 one or two characters on */
		for (const gchar *q = g_utf8_next_char (text + tok->end);
		     q < end && !second && q <= text + tok->end + 6; q = g_utf8_next_char (q))
			second = sp_starts (q, "又") ? q : NULL;
		if (second == NULL)
			continue;
		for (guint k = 0; k < 2; k++) {
			const gchar *from = k == 0 ? text + tok->end : second + strlen ("又");
			const gchar *stop_at = k == 0 ? second : end;
			found[k] = sp_zh_insert_term (ctx, t, from, buf, &start[k], &stop[k]);
			if (found[k] != NULL && stop[k] <= (gsize)(stop_at - text)) {
				with_part = TRUE;
				continue;
			}
			start[k] = (gsize)(from - text);
			found[k] = sp_zh_bare_term (ctx, from, stop_at, &stop[k]);
		}
		if (!with_part || found[0] == NULL || found[1] == NULL)
			continue;
		for (guint k = 0; k < 2; k++) {
			sp_add_term (ctx, found[k], MIN (start[0], start[1]), stop[1]);
			g_array_index (ctx->items, SpItem, ctx->items->len - 1).combo = TRUE;
		}
	}
}

/* @pos moved back over the side words before it (双, 左, 右, 两, 侧). */
static gsize
sp_zh_skip_sides (SpCtx *ctx, gsize pos)
{
	const gchar *text = ctx->nt->text;

	while (pos >= 3) {
		const gchar *prev = g_utf8_prev_char (text + pos);
		if (!sp_starts (prev, "双") && !sp_starts (prev, "左") && !sp_starts (prev, "右")
		    && !sp_starts (prev, "两") && !sp_starts (prev, "侧"))
			break;
		pos = (gsize)(prev - text);
	}
	return pos;
}

/* The concept of the first site of a list of sites that share one finding (颜面部及双下肢水肿:
 * Facial edema beside Pedal edema): the lexicon's term for that site and the finding's words
 * (颜面部水肿), else the site's own concept of the finding's generic one (双手及双足麻木). */
static gpointer
sp_zh_listed_site_term (SpCtx *ctx, const SpItem *site, const gchar *rest, gsize rest_len)
{
	const SpLexicon *lex = ctx->parser->lexicon;
	const gchar *text = ctx->nt->text;
	g_autofree gchar *word = g_strdup_printf ("%.*s%.*s", (int)(site->end - site->start),
						  text + site->start, (int)rest_len, rest);
	g_autofree gchar *bare = g_strndup (rest, rest_len);
	gpointer packed = g_hash_table_lookup (lex->zh_concepts, word);
	const SpConcept *specific;
	SpTerm term;
	gboolean negated;

	if (packed != NULL || (packed = g_hash_table_lookup (lex->zh_concepts, bare)) == NULL)
		return packed;
	sp_term_unpack (packed, &term, &negated);
	if (sp_term_is_combo (packed) || term.kind != SP_TERM_CONCEPT
	    || term.index >= lex->concepts->len || negated)
		return NULL;
	specific = sp_lexicon_site_specific (
		lex, g_ptr_array_index (lex->concepts, term.index),
		((const SpSite *)g_ptr_array_index (lex->sites, site->index))->code);
	if (specific == NULL)
		return NULL;
	for (guint i = 0; i < lex->concepts->len; i++) {
		if (g_ptr_array_index (lex->concepts, i) == specific)
			return SP_TERM_PACK (SP_TERM_CONCEPT, i);
	}
	return NULL;
}

/* "颜面部及双下肢水肿", "双手及双足麻木": a finding written after a list of sites is also the
 * first site's; that site becomes a concept item of its own. */
void
sp_match_zh_site_lists (SpCtx *ctx)
{
	static const gchar *const joins[] = { "以及", "及", "和", "与", "、", NULL };
	const gchar *text = ctx->nt->text;
	guint n = ctx->items->len;
	/* the site items by start and by end, + 1 (items are not sorted yet) */
	g_autoptr (GHashTable) by_start = g_hash_table_new (g_direct_hash, g_direct_equal);
	g_autoptr (GHashTable) by_end = g_hash_table_new (g_direct_hash, g_direct_equal);

	for (guint k = 0; k < n; k++) {
		const SpItem *it = &g_array_index (ctx->items, SpItem, k);
		if (it->kind != SP_ITEM_SITE)
			continue;
		g_hash_table_insert (by_start, GUINT_TO_POINTER (it->start),
				     GUINT_TO_POINTER (k + 1));
		g_hash_table_insert (by_end, GUINT_TO_POINTER (it->end), GUINT_TO_POINTER (k + 1));
	}
	for (guint i = 0; i < n && g_hash_table_size (by_end) > 1; i++) {
		SpItem c = g_array_index (ctx->items, SpItem, i);
		gint s2, s1;
		gsize rest, j;
		gpointer packed = NULL;
		if (c.kind != SP_ITEM_CONCEPT || c.combo)
			continue;
		/* the second site: inside the term at its start (下肢水肿) or right before it */
		s2 = (gint)GPOINTER_TO_UINT (
			     g_hash_table_lookup (by_start, GUINT_TO_POINTER (c.start)))
		     - 1;
		if (s2 < 0 || g_array_index (ctx->items, SpItem, s2).end >= c.end)
			s2 = (gint)GPOINTER_TO_UINT (
				     g_hash_table_lookup (by_end, GUINT_TO_POINTER (c.start)))
			     - 1;
		if (s2 < 0)
			continue;
		rest = MAX (g_array_index (ctx->items, SpItem, s2).end, c.start);
		j = sp_zh_skip_sides (ctx, g_array_index (ctx->items, SpItem, s2).start);
		for (guint w = 0; joins[w] != NULL && packed == NULL; w++) {
			gsize len = strlen (joins[w]);
			if (j < len || memcmp (text + j - len, joins[w], len) != 0)
				continue;
			s1 = (gint)GPOINTER_TO_UINT (
				     g_hash_table_lookup (by_end, GUINT_TO_POINTER (j - len)))
			     - 1;
			if (s1 < 0)
				break;
			packed = sp_zh_listed_site_term (ctx,
							 &g_array_index (ctx->items, SpItem, s1),
							 text + rest, c.end - rest);
			if (packed != NULL)
				sp_add_term (ctx, packed,
					     g_array_index (ctx->items, SpItem, s1).start,
					     g_array_index (ctx->items, SpItem, s1).end);
		}
	}
}
