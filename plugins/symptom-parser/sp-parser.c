/*
 * symptom-parser — the parse: matching, items, findings.
 *
 * The text is normalised and tokenized once.  Terms (concepts, body sites) and cues are
 * matched greedily, longest first, on English word units and on Chinese characters.  Together
 * with sentence breaks, commas, durations and pain scores (sp-durations.c) and measured values
 * (sp-measure.c) they form one ordered list of items; each concept then looks left and right
 * through that list, the way NegEx/ConText walk a trigger's scope, for the cues that set its
 * context and attributes (sp-context.c).  Repeated mentions are merged here.
 */
#define G_LOG_DOMAIN "symptom-parser"

#include "sp-parser.h"
#include "sp-ctx.h"
#include "sp-measure.h"

#include <math.h>
#include <string.h>

/* the quark's name is these tokens verbatim, not a subtraction */
/* clang-format off */
G_DEFINE_QUARK (sp-parser-error-quark, sp_parser_error)
/* clang-format on */

const gchar *
sp_polarity_to_string (SpPolarity polarity)
{
	switch (polarity) {
	case SP_POLARITY_ABSENT:
		return "absent";
	case SP_POLARITY_POSSIBLE:
		return "possible";
	case SP_POLARITY_PRESENT:
	default:
		return "present";
	}
}

const gchar *
sp_finding_kind_to_string (SpFindingKind kind)
{
	static const gchar *const names[]
		= { "symptom", "condition", "allergy", "medication", "measurement", "score" };
	return kind <= SP_FINDING_SCORE ? names[kind] : "symptom";
}

const gchar *
sp_status_to_string (SpStatus status)
{
	static const gchar *const names[] = { NULL, "active", "resolved", "unknown" };
	return status <= SP_STATUS_UNKNOWN ? names[status] : NULL;
}

const gchar *
sp_interpretation_to_string (SpInterpretation interpretation)
{
	static const gchar *const names[] = { NULL, "normal", "high", "low" };
	return interpretation <= SP_INTERPRETATION_LOW ? names[interpretation] : NULL;
}

const gchar *
sp_severity_to_string (SpSeverity severity)
{
	static const gchar *const names[] = { NULL, "mild", "moderate", "severe" };
	return severity <= SP_SEVERITY_SEVERE ? names[severity] : NULL;
}

const gchar *
sp_laterality_to_string (SpLaterality laterality)
{
	static const gchar *const names[] = { NULL, "left", "right", "bilateral" };
	return laterality <= SP_LATERALITY_BILATERAL ? names[laterality] : NULL;
}

SpParser *
sp_parser_new (const gchar *data_dir, GError **error)
{
	g_autoptr (SpParser) self = g_new0 (SpParser, 1);
	g_autofree gchar *trie = g_build_filename (data_dir, "zh.trie", NULL);

	self->lexicon = sp_lexicon_new_from_dir (data_dir, error);
	if (self->lexicon == NULL)
		return NULL;
	self->dict = mv_zh_dict_new_from_file (trie, error);
	if (self->dict == NULL)
		return NULL;
	return g_steal_pointer (&self);
}

void
sp_parser_free (SpParser *self)
{
	if (self == NULL)
		return;
	g_clear_pointer (&self->lexicon, sp_lexicon_free);
	g_clear_pointer (&self->dict, mv_zh_dict_free);
	g_free (self);
}

const SpLexicon *
sp_parser_get_lexicon (const SpParser *self)
{
	return self->lexicon;
}

const MvZhDict *
sp_parser_get_dict (const SpParser *self)
{
	return self->dict;
}

void
sp_add_item (SpCtx *ctx, SpItemKind kind, gsize start, gsize end, guint index, gdouble value)
{
	SpItem it = { kind, (guint32)start, (guint32)end, 0, 0, index, value, FALSE, FALSE, FALSE };
	g_array_append_val (ctx->items, it);
}

void
sp_add_term (SpCtx *ctx, gpointer packed, gsize start, gsize end)
{
	SpTerm term;
	gboolean negated;
	SpItemKind ik;

	sp_term_unpack (packed, &term, &negated);
	if (sp_term_is_combo (packed)) {
		/* "N/V": one concept item per concept, on the same span */
		GArray *combo = g_ptr_array_index (ctx->parser->lexicon->combos, term.index);
		for (guint i = 0; i < combo->len; i++) {
			sp_add_item (ctx, SP_ITEM_CONCEPT, start, end,
				     g_array_index (combo, guint, i), 0);
			g_array_index (ctx->items, SpItem, ctx->items->len - 1).combo = TRUE;
		}
		return;
	}
	ik = term.kind == SP_TERM_CONCEPT ? SP_ITEM_CONCEPT
	     : term.kind == SP_TERM_SITE  ? SP_ITEM_SITE
					  : SP_ITEM_CUE;
	sp_add_item (ctx, ik, start, end, term.index, 0);
	g_array_index (ctx->items, SpItem, ctx->items->len - 1).negated = negated;
	g_array_index (ctx->items, SpItem, ctx->items->len - 1).listed = sp_term_is_listed (packed);
}

/* ---- matching ---- */

/* Greedy longest match of the concept, site and cue phrases over the English units, each table
 * on its own (a concept may overlap a site or a cue: sp_items_finish() settles that), in one walk
 * of the shared prefix table. */
static void
sp_match_en (SpCtx *ctx, GArray *units, GString *keys)
{
	const SpLexicon *lex = ctx->parser->lexicon;
	GHashTable *tables[] = { lex->en_concepts, lex->en_sites, lex->en_cues };
	guint next_free[G_N_ELEMENTS (tables)] = { 0 };
	g_autoptr (GString) key = g_string_new (NULL);

	for (guint i = 0; i < units->len; i++) {
		gpointer best[G_N_ELEMENTS (tables)] = { NULL };
		guint best_j[G_N_ELEMENTS (tables)] = { 0 };
		guint whole;
		for (guint j = i; j < units->len && j - i < lex->en_max_units; j++) {
			const SpUnit *u = &g_array_index (units, SpUnit, j);
			if (j > i)
				g_string_append_c (key, ' ');
			else
				g_string_truncate (key, 0);
			g_string_append (key, keys->str + u->key);
			whole = sp_prefix_set_get (lex->en_prefixes, key->str, key->len);
			if (whole == 0)
				break;
			for (guint t = 0; t < G_N_ELEMENTS (tables); t++) {
				gpointer value = i >= next_free[t] && (whole & SP_PREFIX_WHOLE (t))
							 ? g_hash_table_lookup (tables[t], key->str)
							 : NULL;
				if (value != NULL) {
					best[t] = value;
					best_j[t] = j;
				}
			}
		}
		for (guint t = 0; t < G_N_ELEMENTS (tables); t++) {
			if (best[t] == NULL)
				continue;
			sp_add_term (ctx, best[t], g_array_index (units, SpUnit, i).start,
				     g_array_index (units, SpUnit, best_j[t]).end);
			next_free[t] = best_j[t] + 1;
		}
	}
}

/* The side letters of chart notes ("R arm numbness", "L knee pain") are cues only before a word:
 * not the litre of "mmol/L", "2 L NC" or "L-T4". */
static void
sp_check_side_letters (SpCtx *ctx)
{
	const guint mask = (1u << SP_CUE_LATERALITY_LEFT) | (1u << SP_CUE_LATERALITY_RIGHT);
	const gchar *text = ctx->nt->text;
	gsize len = ctx->nt->len;

	for (guint i = 0; i < ctx->items->len; i++) {
		SpItem *it = &g_array_index (ctx->items, SpItem, i);
		gsize before = it->start;
		if (it->kind != SP_ITEM_CUE || it->end != it->start + 1 || (it->index & mask) == 0)
			continue;
		while (before > 0 && text[before - 1] == ' ')
			before--;
		if ((before > 0 && (g_ascii_isdigit (text[before - 1]) || text[before - 1] == '/'))
		    || it->end + 1 >= len || text[it->end] != ' '
		    || !g_ascii_isalpha (text[it->end + 1]))
			it->index &= ~mask;
	}
}

/* The token that starts at normalised byte @pos, or NULL. */
static const MvToken *
sp_token_at (SpCtx *ctx, gsize pos)
{
	guint lo = 0, hi = ctx->tokens->len;
	while (lo < hi) {
		guint mid = lo + (hi - lo) / 2;
		if (g_array_index (ctx->tokens, MvToken, mid).start < pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ctx->tokens->len && g_array_index (ctx->tokens, MvToken, lo).start == pos
		       ? &g_array_index (ctx->tokens, MvToken, lo)
		       : NULL;
}

/* Common words that open with a one-character symptom or site term but mean something else:
 * 麻烦 (trouble, not numbness), 累计 (in total, not fatigue), 吐槽 (to grumble, not vomiting), 手术
 * (an operation, not the hand), 胃镜 (an endoscopy, not the stomach).  Most such words keep the
 * term (抖动, 喘气, 胸骨), so this is a list, not a rule. */
/* clang-format off */
static const gchar *const sp_zh_false_heads[] = {
	"麻烦", "麻将", "麻辣", "麻醉", "累计", "累积", "吐槽", "吐露", "吐字",	  "痛快",
	"晕乎", "烧烤", "烧饭", "肿么", "手术", "手机", "手续", "手段", "手工",	  "手表",
	"胃镜", "肠镜", "眼底", "眼镜", "眼科", "心情", "心理", "心里", "心电图", "心率",
	"头发", "口罩", "口味", "口服", "脚步", "腰带", "胃口", "抖音", NULL,
};
/* clang-format on */

static gboolean
sp_zh_false_head (SpCtx *ctx, const MvToken *tok)
{
	gsize n = tok->end - tok->start;

	for (guint i = 0; sp_zh_false_heads[i] != NULL; i++) {
		if (strlen (sp_zh_false_heads[i]) == n
		    && memcmp (ctx->nt->text + tok->start, sp_zh_false_heads[i], n) == 0)
			return TRUE;
	}
	return FALSE;
}

/* Does one of those words start at @p (the last character of a term ending at @term_end, @one
 * when it is the whole term) and go on past the term, whatever the segmentation made of it: 想吐 of
 * 想吐槽, which the segmenter cuts 想吐|槽 since 想吐 is in its dictionary, or 抖 of 抖音? */
static gboolean
sp_zh_false_head_at (const gchar *p, const gchar *end, const gchar *term_end, gboolean one)
{
	/* after a longer term only words that cannot continue a complaint: 恶心 of 恶心情况 and
	 * 额头 of 额头发烫 stay */
	static const gchar *const after_long[] = { "吐槽", "吐露", NULL };
	const gchar *const *words = one ? sp_zh_false_heads : after_long;

	for (guint i = 0; words[i] != NULL; i++) {
		gsize n = strlen (words[i]);
		if ((gsize)(end - p) >= n && p + n > term_end && memcmp (p, words[i], n) == 0)
			return TRUE;
	}
	return FALSE;
}

/* May the concept term whose items are @n items from @first give way to a longer term starting
 * inside it?  A symptom or a measurement's name may, a disease, drug or allergen may not. */
gboolean
sp_zh_overtakable (SpCtx *ctx, guint first, guint n)
{
	const SpLexicon *lex = ctx->parser->lexicon;

	for (guint i = first; i < first + n; i++) {
		const SpItem *it = &g_array_index (ctx->items, SpItem, i);
		const SpConcept *c;
		if (it->kind != SP_ITEM_CONCEPT || it->index >= lex->concepts->len)
			return FALSE;
		c = g_ptr_array_index (lex->concepts, it->index);
		if (c->kind != SP_CONCEPT_SYMPTOM && c->kind != SP_CONCEPT_MEASUREMENT
		    && c->kind != SP_CONCEPT_SCORE)
			return FALSE;
	}
	return n > 0;
}

/* Does the 儿 just appended to @buf (@blen bytes before it) belong to the term being read?  Only
 * when some term goes on with it, and, looking at the character after it (at @q), goes on with
 * that character too or no term goes on without the 儿: 女儿 and 心口窝儿堵 keep it, 心口窝儿疼
 * (the term is 心口窝疼) and 嗓子眼儿 do not. */
static gboolean
sp_zh_keeps_er (const SpLexicon *lex, gchar *buf, gsize blen, const gchar *q, const gchar *end)
{
	gsize n;
	gboolean with, without;

	if (!g_hash_table_contains (lex->zh_prefixes, buf))
		return FALSE;
	if (q >= end || !mv_unichar_is_han (g_utf8_get_char (q)))
		return TRUE;
	n = (gsize)(g_utf8_next_char (q) - q);
	if (blen + 3 + n > lex->zh_max_bytes)
		return TRUE;
	memcpy (buf + blen + 3, q, n);
	buf[blen + 3 + n] = '\0';
	with = g_hash_table_contains (lex->zh_prefixes, buf);
	memmove (buf + blen, q, n);
	buf[blen + n] = '\0';
	without = g_hash_table_contains (lex->zh_prefixes, buf);
	/* put back the 儿 */
	memcpy (buf + blen, "儿", 3);
	buf[blen + 3] = '\0';
	return with || !without;
}

/* Greedy longest match of the Chinese concepts, sites and cues over the characters, each table
 * on its own, in one pass: a term starts at a Han character and grows while it is a prefix of
 * some term. */
static void
sp_match_zh (SpCtx *ctx)
{
	const SpLexicon *lex = ctx->parser->lexicon;
	GHashTable *tables[] = { lex->zh_concepts, lex->zh_sites, lex->zh_cues };
	const gchar *text = ctx->nt->text;
	const gchar *end = text + ctx->nt->len;
	g_autofree gchar *buf = g_malloc (lex->zh_max_bytes + 8);
	const gchar *next_free[G_N_ELEMENTS (tables)] = { text, text, text };
	const gchar *p = text;
	/* the last concept term: its start and its items (a combo has several) */
	const gchar *last_start = text;
	guint last_item = 0, last_n = 0;

	while (p < end) {
		const gchar *best_end[G_N_ELEMENTS (tables)] = { NULL };
		gpointer best[G_N_ELEMENTS (tables)] = { NULL };
		/* a digit starts a term only at the start of a number: "2型糖尿病", not "12型"; a
		 * Latin word only when Han characters follow it at once (Hp阳性, HBsAg阳性, EB病毒)
		 */
		if (!mv_unichar_is_han (g_utf8_get_char (p))
		    && !(g_ascii_isalnum (*p) && (p == text || !g_ascii_isalnum (p[-1]))
			 && sp_zh_term_start (p))) {
			p = g_utf8_next_char (p);
			continue;
		}
		gsize blen = 0;
		guint whole;
		for (const gchar *c = p, *q; c < end; c = q) {
			gsize n;
			q = g_utf8_next_char (c);
			n = (gsize)(q - c);
			if (blen + n > lex->zh_max_bytes)
				break;
			memcpy (buf + blen, c, n);
			buf[blen + n] = '\0';
			/* 儿化: the 儿 of 嗓子眼儿, 心口窝儿疼, 腰眼儿 is left out when no term
			 * goes on with it (女儿, 婴儿 are terms and keep it) */
			if (blen > 0 && n == 3 && memcmp (c, "儿", 3) == 0
			    && !sp_zh_keeps_er (lex, buf, blen, q, end)) {
				buf[blen] = '\0';
				continue;
			}
			blen += n;
			whole = sp_prefix_set_get (lex->zh_prefix_prints, buf, blen);
			if (whole == 0)
				break;
			for (guint t = 0; t < G_N_ELEMENTS (tables); t++) {
				gpointer value = (p >= next_free[t] || (t == 0 && q > next_free[0]))
								 && (whole & SP_PREFIX_WHOLE (t))
							 ? g_hash_table_lookup (tables[t], buf)
							 : NULL;
				if (value != NULL) {
					best[t] = value;
					best_end[t] = q;
				}
			}
		}
		/* the end of a concept term that started before @p */
		const gchar *in_concept = next_free[0];
		/* a longer concept term starting inside the last one replaces it: 测血糖老是低 is
		 * the term 血糖老是低, not the measurement name 测血糖 that starts first (the
		 * segmenter's word), 有痰咳不出来 is 痰咳不出来; not a disease name, which a
		 * longer complication shares (2型糖尿病酮症酸中毒 keeps 2型糖尿病) */
		if (best[0] != NULL && p < next_free[0]) {
			if (best_end[0] - p > next_free[0] - last_start
			    && sp_zh_overtakable (ctx, last_item, last_n))
				g_array_remove_range (ctx->items, last_item, last_n);
			else
				best[0] = NULL;
		}
		for (guint t = 0; t < G_N_ELEMENTS (tables); t++) {
			if (best[t] == NULL)
				continue;
			if (t == 0) {
				last_start = p;
				last_item = ctx->items->len;
			}
			sp_add_term (ctx, best[t], (gsize)(p - text), (gsize)(best_end[t] - text));
			if (t == 0)
				last_n = ctx->items->len - last_item;
			if (t < 2
			    && sp_zh_false_head_at (g_utf8_prev_char (best_end[t]), end,
						    best_end[t],
						    best_end[t] == g_utf8_next_char (p))) {
				/* a term whose last character opens a word that means something
				 * else: 想吐 of 想吐槽, 抖 of 抖音 */
				g_array_index (ctx->items, SpItem, ctx->items->len - 1).weak
					= SP_WEAK_HEAD;
			} else if (best_end[t] == g_utf8_next_char (p)) {
				const MvToken *tok = sp_token_at (ctx, (gsize)(p - text));
				/* inside a word (念头), or a concept or site at the head of a word
				 * that means something else (麻烦, 累计, 手术; not 抖 of 抖动, 胸
				 * of 胸骨); a cue there stays (左边, 不抽).  See sp_items_finish()
				 */
				if (tok == NULL
				    || (tok->end > (gsize)(best_end[t] - text) && t < 2
					&& sp_zh_false_head (ctx, tok)))
					g_array_index (ctx->items, SpItem, ctx->items->len - 1).weak
						= tok == NULL ? SP_WEAK_INSIDE : SP_WEAK_HEAD;
			}
			/* a cue that starts inside a concept term does not hide the cue that starts
			 * where the term ends: in 对花生过敏 the 生过 ("had") of 花生 must leave
			 * the allergy cue 过敏 whole (结核病史 keeps its 病史) */
			if (t == 2 && p < in_concept)
				continue;
			next_free[t] = best_end[t];
		}
		p = g_utf8_next_char (p);
	}
}

/* ---- breaks ---- */

static void
sp_find_breaks (SpCtx *ctx)
{
	GArray *toks = ctx->tokens;
	const gchar *text = ctx->nt->text;

	for (guint i = 0; i < toks->len; i++) {
		const MvToken *t = &g_array_index (toks, MvToken, i);
		const gchar *s = text + t->start;
		gsize n = t->end - t->start;
		/* chat written with spaces for punctuation ("以前有痔疮 我爸是肠癌走的"): a space
		 * between Chinese words is a clause comma, as ， would be */
		if (t->kind == MV_TOKEN_HAN && i > 0
		    && g_array_index (toks, MvToken, i - 1).kind == MV_TOKEN_HAN
		    && g_array_index (toks, MvToken, i - 1).end < t->start) {
			SpItem gap = { SP_ITEM_COMMA,
				       g_array_index (toks, MvToken, i - 1).end,
				       t->start,
				       0,
				       0,
				       0,
				       0,
				       TRUE,
				       FALSE };
			g_array_append_val (ctx->items, gap);
		}
		if (t->kind != MV_TOKEN_PUNCT)
			continue;
		if ((n == 1 && strchr (".!?;\n", s[0]) != NULL)
		    || (n == 3 && memcmp (s, "。", 3) == 0)) {
			sp_add_item (ctx, SP_ITEM_BREAK, t->start, t->end, 0, 0);
		} else if (n == 3 && memcmp (s, "、", 3) == 0) {
			/* the Chinese list comma joins findings like "and" */
			sp_add_item (ctx, SP_ITEM_CUE, t->start, t->end, 1u << SP_CUE_CONJUNCTION,
				     0);
		} else if (n == 1 && s[0] == ',') {
			SpItem it = { SP_ITEM_COMMA, t->start, t->end, 0, 0, 0, 0, FALSE, FALSE };
			/* Chinese writes lists with 、 and clauses with ，: next to Chinese words a
			 * comma ends every scope; between English words it may continue a list */
			it.hard = (i > 0
				   && g_array_index (toks, MvToken, i - 1).kind == MV_TOKEN_HAN)
				  || (i + 1 < toks->len
				      && g_array_index (toks, MvToken, i + 1).kind == MV_TOKEN_HAN);
			g_array_append_val (ctx->items, it);
		}
	}
}

/* Whether any token of @tokens is Han. */
static gboolean
sp_has_han (GArray *tokens)
{
	for (guint i = 0; i < tokens->len; i++) {
		if (g_array_index (tokens, MvToken, i).kind == MV_TOKEN_HAN)
			return TRUE;
	}
	return FALSE;
}

static gboolean
sp_has_digit (const gchar *text, gsize len)
{
	for (gsize i = 0; i < len; i++) {
		if (g_ascii_isdigit (text[i]))
			return TRUE;
	}
	return FALSE;
}

/* ---- items ---- */

static gint
sp_item_cmp (gconstpointer a, gconstpointer b)
{
	const SpItem *x = a;
	const SpItem *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end > y->end ? -1 : 1;
	return (gint)x->kind - (gint)y->kind;
}

/* Sorts, then settles overlaps: a concept wins over a site it overlaps ("小肚子胀": 肚子胀, not
 * the site 小肚子); a matched term is opaque, so a cue inside it is dropped ("没胃口",
 * "右下腹痛", "can't catch my breath"); of overlapping durations or scores the first wins.
 * The kept items are compacted in place (kept <= i always), so no second array of items is
 * needed: items are the largest per-byte cost of a parse (see the README's memory bound). */
static void
sp_items_finish (SpCtx *ctx)
{
	GArray *items = ctx->items;
	guint kept = 0;
	g_autofree guint32 *concept_ends = NULL;
	guint32 concept_end = 0;
	guint32 term_end = 0;
	guint32 other_end = 0;

	g_array_sort (items, sp_item_cmp);
	/* for each item, the furthest end of a concept starting at or before it */
	concept_ends = g_new0 (guint32, items->len + 1);
	for (guint i = 0; i < items->len; i++) {
		SpItem *it = &g_array_index (items, SpItem, i);
		if (it->kind == SP_ITEM_CONCEPT)
			concept_end = MAX (concept_end, it->end);
		concept_ends[i] = concept_end;
	}
	for (guint i = 0; i < items->len; i++) {
		SpItem *it = &g_array_index (items, SpItem, i);
		/* a one-character term inside a word of the segmentation counts only when the rest
		 * of the word before it was matched too: 头 in 头有点疼 and 手 in 右手, not 头 in
		 * 念头 */
		if (it->weak == SP_WEAK_INSIDE) {
			const SpItem *prev
				= kept > 0 ? &g_array_index (items, SpItem, kept - 1) : NULL;
			if (prev == NULL || prev->end != it->start)
				continue;
		}
		/* and one at the head of a longer word only when the rest of the word is matched
		 * too (手 of 手麻, 腿 of 腿肿), not 麻 of 麻烦, 累 of 累计, 吐 of 吐槽 (issue 11,
		 * round 4) */
		if (it->weak == SP_WEAK_HEAD) {
			gboolean rest = FALSE;
			for (guint k = i + 1; k < items->len && !rest
					      && g_array_index (items, SpItem, k).start <= it->end;
			     k++)
				rest = g_array_index (items, SpItem, k).start == it->end
				       && g_array_index (items, SpItem, k).kind <= SP_ITEM_CUE;
			if (!rest)
				continue;
		}
		if (it->kind == SP_ITEM_SITE) {
			gboolean overlaps = it->start < concept_ends[i];
			for (guint k = i + 1;
			     k < items->len && g_array_index (items, SpItem, k).start < it->end
			     && !overlaps;
			     k++)
				overlaps = g_array_index (items, SpItem, k).kind == SP_ITEM_CONCEPT;
			if (overlaps)
				continue;
		}
		if (it->kind == SP_ITEM_CONCEPT || it->kind == SP_ITEM_SITE) {
			const SpItem *prev
				= kept > 0 ? &g_array_index (items, SpItem, kept - 1) : NULL;
			/* the concepts of one combo term share its span */
			gboolean same_combo = it->combo && prev != NULL && prev->combo
					      && prev->start == it->start && prev->end == it->end;
			if (it->start < term_end && !same_combo)
				continue;
			term_end = it->end;
		} else if (it->kind == SP_ITEM_CUE) {
			const guint lead = (1u << SP_CUE_REACTION) | (1u << SP_CUE_ALLERGY_PRE)
					   | (1u << SP_CUE_ALLERGY_POST);
			gboolean overlaps = FALSE;
			if (it->start < term_end)
				continue;
			/* "爸爸也有过敏性鼻炎": a context cue (有过) that a concept starting inside
			 * it overlaps is a misreading of the characters; the concept wins.  An
			 * allergy's reaction cue leads into its reaction (就起 of 就起疹子) */
			for (guint k = i + 1;
			     (it->index & lead) == 0 && k < items->len
			     && g_array_index (items, SpItem, k).start < it->end && !overlaps;
			     k++)
				overlaps = g_array_index (items, SpItem, k).kind == SP_ITEM_CONCEPT
					   && g_array_index (items, SpItem, k).start > it->start;
			if (overlaps)
				continue;
		} else if (it->kind == SP_ITEM_DURATION || it->kind == SP_ITEM_SCORE) {
			if (it->start < other_end)
				continue;
			other_end = it->end;
		}
		if (kept != i)
			g_array_index (items, SpItem, kept) = *it;
		kept++;
	}
	g_array_set_size (items, kept);
}

/* Token range of each item, and the running count of "other" tokens: words that are neither a
 * term nor a cue, which is what a scope window counts. */
static void
sp_items_index (SpCtx *ctx)
{
	GArray *toks = ctx->tokens;
	g_autofree gboolean *covered = g_new0 (gboolean, toks->len + 1);

	for (guint i = 0; i < ctx->items->len; i++) {
		SpItem *it = &g_array_index (ctx->items, SpItem, i);
		guint lo = 0, hi = toks->len;
		/* first token ending after the item's start */
		while (lo < hi) {
			guint mid = lo + (hi - lo) / 2;
			if (g_array_index (toks, MvToken, mid).end <= it->start)
				lo = mid + 1;
			else
				hi = mid;
		}
		it->tok_first = lo;
		it->tok_last = lo;
		/* an item between tokens (the space comma of sp_find_breaks()) covers none */
		if (lo > 0 && lo < toks->len
		    && g_array_index (toks, MvToken, lo).start >= it->end) {
			it->tok_last = lo - 1;
			continue;
		}
		while (it->tok_last + 1 < toks->len
		       && g_array_index (toks, MvToken, it->tok_last + 1).start < it->end)
			it->tok_last++;
		if (it->kind != SP_ITEM_BREAK && it->kind != SP_ITEM_COMMA) {
			for (guint t = it->tok_first; t <= it->tok_last && t < toks->len; t++)
				covered[t] = TRUE;
		}
	}
	ctx->other_prefix = g_new (guint, toks->len + 1);
	ctx->other_prefix[0] = 0;
	for (guint t = 0; t < toks->len; t++) {
		const MvToken *tok = &g_array_index (toks, MvToken, t);
		gboolean other = !covered[t]
				 && (tok->kind == MV_TOKEN_WORD || tok->kind == MV_TOKEN_HAN
				     || tok->kind == MV_TOKEN_NUMBER);
		ctx->other_prefix[t + 1] = ctx->other_prefix[t] + (other ? 1 : 0);
	}
}

/* "疼痛评分3分", "Pain score 5/10": the word pain in a pain score's name is also the Pain symptom
 * (absent at 0, its severity from the score: 1-3 mild, 4-6 moderate, 7-10 severe), as both blind
 * sets annotate it; "pain 6/10" already has its own Pain term.  @pain_concept caches the lookup. */
static gboolean
sp_score_pain (SpCtx *ctx,
	       guint k,
	       const SpFinding *score,
	       const SpConcept **pain_concept,
	       SpFinding *pain)
{
	static const gchar *const words[] = { "pain", "疼痛", NULL };
	const SpItem *it = sp_item (ctx, k);
	const GPtrArray *concepts = ctx->parser->lexicon->concepts;
	MvOrigSpan span;
	gsize n = 0;

	if (it->kind != SP_ITEM_MEASURE || score->kind != SP_FINDING_SCORE
	    || g_strcmp0 (score->concept->code, "LOINC:72514-3") != 0 || score->value.unit == NULL)
		return FALSE;
	for (guint w = 0; words[w] != NULL && n == 0; w++) {
		gsize len = strlen (words[w]);
		if (it->end - it->start > len
		    && memcmp (ctx->nt->text + it->start, words[w], len) == 0)
			n = len;
	}
	if (n == 0)
		return FALSE;
	for (guint i = 0; *pain_concept == NULL && i < concepts->len; i++) {
		const SpConcept *c = g_ptr_array_index (concepts, i);
		if (g_strcmp0 (c->code, "HP:0012531") == 0)
			*pain_concept = c;
	}
	if (*pain_concept == NULL)
		return FALSE;
	*pain = *score;
	memset (&pain->value, 0, sizeof pain->value);
	pain->concept = *pain_concept;
	pain->kind = SP_FINDING_SYMPTOM;
	mv_norm_text_to_orig (ctx->nt, it->start, it->start + n, &span);
	pain->start = span.cp_start;
	pain->end = span.cp_end;
	pain->byte_start = span.byte_start;
	pain->byte_end = span.byte_end;
	pain->n_mentions = 1;
	pain->n_spans = 1;
	pain->spans[0] = pain->start;
	pain->spans[1] = pain->end;
	pain->polarity = score->value.value == 0 ? SP_POLARITY_ABSENT : SP_POLARITY_PRESENT;
	pain->severity = score->value.value >= 7   ? SP_SEVERITY_SEVERE
			 : score->value.value >= 4 ? SP_SEVERITY_MODERATE
			 : score->value.value >= 1 ? SP_SEVERITY_MILD
						   : SP_SEVERITY_NONE;
	return TRUE;
}

/* ---- merging repeated mentions ---- */

/* Two findings are one when everything but their spans is equal. */
static gboolean
sp_finding_same (gconstpointer a, gconstpointer b)
{
	const SpFinding *x = a;
	const SpFinding *y = b;

	return x->concept == y->concept && x->kind == y->kind && x->polarity == y->polarity
	       && x->family == y->family && x->historical == y->historical && x->status == y->status
	       && g_strcmp0 (x->relation, y->relation) == 0 && x->onset_age == y->onset_age
	       && x->duration_hours == y->duration_hours && x->severity == y->severity
	       && x->laterality == y->laterality && g_strcmp0 (x->site, y->site) == 0
	       && x->value.value == y->value.value && g_strcmp0 (x->value.unit, y->value.unit) == 0
	       && x->value.original_value == y->value.original_value
	       && g_strcmp0 (x->value.original_unit, y->value.original_unit) == 0
	       && x->dose_value == y->dose_value && g_strcmp0 (x->dose_unit, y->dose_unit) == 0
	       && g_strcmp0 (x->frequency, y->frequency) == 0 && g_strcmp0 (x->route, y->route) == 0
	       && x->reaction == y->reaction;
}

static guint
sp_finding_hash (gconstpointer a)
{
	const SpFinding *f = a;
	return g_direct_hash (f->concept) ^ ((guint)f->polarity << 3) ^ ((guint)f->family << 5)
	       ^ ((guint)f->historical << 6) ^ ((guint)f->severity << 7);
}

/* Appends @f, or adds its span to the finding it repeats.  @seen maps a copy of each finding
 * appended (compared by value, not spans) to its index + 1 in @findings.  A new finding past
 * @max_findings is dropped and sets @truncated, so neither the array nor @seen grows beyond the
 * cap whatever the text. */
static void
sp_findings_add (GArray *findings,
		 GHashTable *seen,
		 guint max_findings,
		 gboolean *truncated,
		 const SpFinding *f)
{
	guint at = GPOINTER_TO_UINT (g_hash_table_lookup (seen, f));
	SpFinding *old;

	if (at == 0) {
		if (findings->len >= max_findings) {
			*truncated = TRUE;
			return;
		}
		g_array_append_val (findings, *f);
		g_hash_table_insert (seen, g_memdup2 (f, sizeof (*f)),
				     GUINT_TO_POINTER (findings->len));
		return;
	}
	old = &g_array_index (findings, SpFinding, at - 1);
	old->n_mentions++;
	if (old->n_spans < SP_PARSER_MAX_SPANS) {
		old->spans[2 * old->n_spans] = f->start;
		old->spans[2 * old->n_spans + 1] = f->end;
		old->n_spans++;
	}
}

/* ---- language ---- */

static const gchar *
sp_detect_language (SpCtx *ctx)
{
	guint han = 0;
	guint latin = 0;

	for (guint i = 0; i < ctx->tokens->len; i++) {
		const MvToken *t = &g_array_index (ctx->tokens, MvToken, i);
		if (t->kind == MV_TOKEN_HAN)
			han += t->n_chars;
		else if (t->kind == MV_TOKEN_WORD)
			latin++;
	}
	/* a Chinese sentence with an English word or two is still Chinese */
	return han > 0 && han >= latin ? "zh" : "en";
}

/* The language a caller names: "en" or "zh", also as a BCP 47 tag ("zh-CN", "zh-Hans", "en-US",
 * any case); "" (or NULL) to detect it.  Returns "en", "zh" or "", or NULL for anything else. */
static const gchar *
sp_language_of (const gchar *language)
{
	if (language == NULL || language[0] == '\0')
		return "";
	for (guint i = 0; i < 2; i++) {
		const gchar *primary = i == 0 ? "en" : "zh";
		if (g_ascii_strncasecmp (language, primary, 2) == 0
		    && (language[2] == '\0' || language[2] == '-' || language[2] == '_'))
			return primary;
	}
	return NULL;
}

static gboolean
sp_check_language (const gchar *language, GError **error)
{
	if (sp_language_of (language) != NULL)
		return TRUE;
	g_set_error (error, SP_PARSER_ERROR, SP_PARSER_ERROR_INVALID,
		     "language must be \"en\", \"zh\" (or a tag of them such as zh-CN) or empty "
		     "(detect)");
	return FALSE;
}

GArray *
sp_parser_parse (const SpParser *self,
		 const gchar *text,
		 gssize len,
		 const gchar *language,
		 gsize max_bytes,
		 const gchar **language_out,
		 GError **error)
{
	return sp_parser_parse_full (self, text, len, language, max_bytes,
				     SP_PARSER_DEFAULT_MAX_FINDINGS, language_out, NULL, error);
}

GArray *
sp_parser_parse_full (const SpParser *self,
		      const gchar *text,
		      gssize len,
		      const gchar *language,
		      gsize max_bytes,
		      guint max_findings,
		      const gchar **language_out,
		      gboolean *truncated_out,
		      GError **error)
{
	g_autoptr (MvNormText) nt = NULL;
	g_autoptr (GArray) tokens = NULL;
	g_autoptr (GArray) units = NULL;
	g_autoptr (GString) keys = g_string_new (NULL);
	g_autoptr (GArray) findings = g_array_new (FALSE, FALSE, sizeof (SpFinding));
	g_autoptr (GHashTable) seen
		= g_hash_table_new_full (sp_finding_hash, sp_finding_same, g_free, NULL);
	g_autoptr (GError) error_local = NULL;
	g_autofree guint *other_prefix = NULL;
	const SpConcept *pain_concept = NULL;
	gboolean han;
	SpCtx ctx = { self, NULL, NULL, NULL, NULL, NULL };
	SpFindingsState st
		= { findings, seen, max_findings, FALSE, NULL, { 0 }, G_MAXUINT, -1, NULL };

	if (len < 0)
		len = (gssize)strlen (text);
	if ((gsize)len > max_bytes) {
		g_set_error (error, SP_PARSER_ERROR, SP_PARSER_ERROR_TOO_LARGE,
			     "text is %" G_GSSIZE_FORMAT
			     " bytes, over the limit of %" G_GSIZE_FORMAT " (max-text-bytes)",
			     len, max_bytes);
		return NULL;
	}
	if (!sp_check_language (language, error))
		return NULL;
	nt = mv_norm_text_new (text, len, &error_local);
	if (nt == NULL) {
		g_set_error_literal (error, SP_PARSER_ERROR, SP_PARSER_ERROR_MALFORMED,
				     error_local->message);
		return NULL;
	}
	tokens = mv_tokenize (nt->text, nt->len, self->dict);
	han = sp_has_han (tokens);
	ctx.nt = nt;
	ctx.tokens = tokens;
	ctx.language = sp_language_of (language)[0] != '\0' ? sp_language_of (language) : NULL;
	ctx.items = g_array_new (FALSE, FALSE, sizeof (SpItem));

	units = sp_en_units (nt->text, tokens, keys);
	/* concepts, sites and cues are matched independently; overlaps are settled in
	 * sp_items_finish() */
	sp_match_en (&ctx, units, keys);
	sp_check_side_letters (&ctx);
	/* every Chinese term, duration and score holds a Han character: a text without one (most
	 * English notes) skips those passes, a fifth of an English parse */
	if (han) {
		sp_match_zh (&ctx);
		sp_match_zh_inserts (&ctx);
		sp_match_zh_pairs (&ctx);
		sp_match_zh_site_lists (&ctx);
	}
	sp_find_durations_en (&ctx);
	sp_find_scores_en (&ctx);
	if (han) {
		sp_find_durations_zh (&ctx);
		sp_find_scores_zh (&ctx);
	}
	/* every value is written in digits (normalisation folded full-width and circled ones) or
	 * in Chinese numerals: a text with neither, most short complaints, has nothing to measure
	 */
	if (han || sp_has_digit (nt->text, nt->len))
		sp_measure_find (&ctx);
	sp_find_breaks (&ctx);
	sp_items_finish (&ctx);
	sp_items_index (&ctx);
	sp_measure_times (&ctx);
	other_prefix = ctx.other_prefix;

	for (guint k = 0; k < ctx.items->len; k++) {
		SpFinding f = { 0 };
		SpFinding pain;

		if ((sp_item (&ctx, k)->kind != SP_ITEM_CONCEPT
		     && sp_item (&ctx, k)->kind != SP_ITEM_MEASURE)
		    || !sp_finding_at (&ctx, k, &st, &f))
			continue;
		sp_findings_add (findings, seen, max_findings, &st.truncated, &f);
		st.prev = f;
		st.prev_k = k;
		if (sp_score_pain (&ctx, k, &f, &pain_concept, &pain))
			sp_findings_add (findings, seen, max_findings, &st.truncated, &pain);
	}
	g_free (st.reactions);
	g_array_unref (ctx.items);
	g_clear_pointer (&ctx.measures, g_array_unref);
	g_free (ctx.measure_time);
	if (language_out != NULL)
		*language_out = sp_language_of (language)[0] != '\0' ? sp_language_of (language)
								     : sp_detect_language (&ctx);
	if (truncated_out != NULL)
		*truncated_out = st.truncated;
	return g_steal_pointer (&findings);
}
