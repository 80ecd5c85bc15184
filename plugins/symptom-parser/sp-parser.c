/*
 * symptom-parser — matching and context.
 *
 * The text is normalised and tokenized once.  Terms (concepts, body sites) and cues are
 * matched greedily, longest first, on English word units and on Chinese characters.  Together
 * with sentence breaks, commas, durations and pain scores they form one ordered list of items;
 * each concept then looks left and right through that list, the way NegEx/ConText walk a
 * trigger's scope, for the cues that set its polarity, experiencer, temporality and attributes.
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

/* how many non-cue, non-term words a pre-trigger may be from its concept (NegEx uses 5-6) */
#define SP_WINDOW_PRE 6
#define SP_WINDOW_POST 4
/* hard cap on items visited per concept and direction, so lists of thousands of terms stay
 * linear */
#define SP_MAX_WALK 48

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

static void
sp_add_item (SpCtx *ctx, SpItemKind kind, gsize start, gsize end, guint index, gdouble value)
{
	SpItem it = { kind, (guint32)start, (guint32)end, 0, 0, index, value, FALSE, FALSE, FALSE };
	g_array_append_val (ctx->items, it);
}

static void
sp_add_term (SpCtx *ctx, gpointer packed, gsize start, gsize end)
{
	SpTerm term;
	gboolean negated;
	SpItemKind ik;

	sp_term_unpack (packed, &term, &negated);
	ik = term.kind == SP_TERM_CONCEPT ? SP_ITEM_CONCEPT
	     : term.kind == SP_TERM_SITE  ? SP_ITEM_SITE
					  : SP_ITEM_CUE;
	sp_add_item (ctx, ik, start, end, term.index, 0);
	g_array_index (ctx->items, SpItem, ctx->items->len - 1).negated = negated;
	g_array_index (ctx->items, SpItem, ctx->items->len - 1).listed = sp_term_is_listed (packed);
}

/* ---- matching ---- */

/* Greedy longest match of @table's phrases over the English units. */
static void
sp_match_en (SpCtx *ctx, GArray *units, GString *keys, GHashTable *table)
{
	const SpLexicon *lex = ctx->parser->lexicon;
	g_autoptr (GString) key = g_string_new (NULL);

	for (guint i = 0; i < units->len;) {
		gpointer best = NULL;
		guint best_j = 0;
		for (guint j = i; j < units->len && j - i < lex->en_max_units; j++) {
			const SpUnit *u = &g_array_index (units, SpUnit, j);
			gpointer value;
			if (j > i)
				g_string_append_c (key, ' ');
			else
				g_string_truncate (key, 0);
			g_string_append (key, keys->str + u->key);
			if (!g_hash_table_contains (lex->en_prefixes, key->str))
				break;
			value = g_hash_table_lookup (table, key->str);
			if (value != NULL) {
				best = value;
				best_j = j;
			}
		}
		if (best == NULL) {
			i++;
			continue;
		}
		sp_add_term (ctx, best, g_array_index (units, SpUnit, i).start,
			     g_array_index (units, SpUnit, best_j).end);
		i = best_j + 1;
	}
}

/* Does a token start at normalised byte @pos? */
static gboolean
sp_starts_token (SpCtx *ctx, gsize pos)
{
	guint lo = 0, hi = ctx->tokens->len;
	while (lo < hi) {
		guint mid = lo + (hi - lo) / 2;
		if (g_array_index (ctx->tokens, MvToken, mid).start < pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ctx->tokens->len && g_array_index (ctx->tokens, MvToken, lo).start == pos;
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

	while (p < end) {
		const gchar *best_end[G_N_ELEMENTS (tables)] = { NULL };
		gpointer best[G_N_ELEMENTS (tables)] = { NULL };
		/* a digit starts a term only at the start of a number: "2型糖尿病", not "12型" */
		if (!mv_unichar_is_han (g_utf8_get_char (p))
		    && !(g_ascii_isdigit (*p) && (p == text || !g_ascii_isalnum (p[-1]))
			 && sp_zh_term_start (p))) {
			p = g_utf8_next_char (p);
			continue;
		}
		for (const gchar *q = g_utf8_next_char (p);
		     q <= end && (gsize)(q - p) <= lex->zh_max_bytes;) {
			memcpy (buf, p, (gsize)(q - p));
			buf[q - p] = '\0';
			if (!g_hash_table_contains (lex->zh_prefixes, buf))
				break;
			for (guint t = 0; t < G_N_ELEMENTS (tables); t++) {
				gpointer value = p >= next_free[t]
							 ? g_hash_table_lookup (tables[t], buf)
							 : NULL;
				if (value != NULL) {
					best[t] = value;
					best_end[t] = q;
				}
			}
			if (q == end)
				break;
			q = g_utf8_next_char (q);
		}
		for (guint t = 0; t < G_N_ELEMENTS (tables); t++) {
			if (best[t] == NULL)
				continue;
			sp_add_term (ctx, best[t], (gsize)(p - text), (gsize)(best_end[t] - text));
			if (best_end[t] == g_utf8_next_char (p)
			    && !sp_starts_token (ctx, (gsize)(p - text)))
				g_array_index (ctx->items, SpItem, ctx->items->len - 1).weak = TRUE;
			next_free[t] = best_end[t];
		}
		p = g_utf8_next_char (p);
	}
}

/* ---- numbers and durations ---- */

static gboolean
sp_tok_is (SpCtx *ctx, guint i, const gchar *word)
{
	const MvToken *t;
	gsize n = strlen (word);
	if (i >= ctx->tokens->len)
		return FALSE;
	t = &g_array_index (ctx->tokens, MvToken, i);
	return t->end - t->start == n && memcmp (ctx->nt->text + t->start, word, n) == 0;
}

static gboolean
sp_tok_in (SpCtx *ctx, guint i, const gchar *const *words)
{
	for (guint k = 0; words[k] != NULL; k++) {
		if (sp_tok_is (ctx, i, words[k]))
			return TRUE;
	}
	return FALSE;
}

/* Hours in one English time unit, or 0. */
static gdouble
sp_en_unit_hours (const gchar *p, gsize n)
{
	static const struct {
		const gchar *word;
		gdouble hours;
	} units[] = {
		{ "minute", 1.0 / 60 },
		{ "minutes", 1.0 / 60 },
		{ "min", 1.0 / 60 },
		{ "mins", 1.0 / 60 },
		{ "hour", 1 },
		{ "hours", 1 },
		{ "hr", 1 },
		{ "hrs", 1 },
		{ "h", 1 },
		{ "day", 24 },
		{ "days", 24 },
		{ "d", 24 },
		{ "week", 168 },
		{ "weeks", 168 },
		{ "wk", 168 },
		{ "wks", 168 },
		{ "month", 720 },
		{ "months", 720 },
		{ "mo", 720 },
		{ "mos", 720 },
		{ "year", 8760 },
		{ "years", 8760 },
		{ "yr", 8760 },
		{ "yrs", 8760 },
	};
	for (guint i = 0; i < G_N_ELEMENTS (units); i++) {
		if (strlen (units[i].word) == n && memcmp (units[i].word, p, n) == 0)
			return units[i].hours;
	}
	return 0;
}

static gdouble
sp_en_number_word (SpCtx *ctx, guint i)
{
	static const gchar *const words[]
		= { "a",     "one",   "two",  "three", "four",	 "five",   "six",
		    "seven", "eight", "nine", "ten",   "eleven", "twelve", NULL };
	for (guint k = 0; words[k] != NULL; k++) {
		if (sp_tok_is (ctx, i, words[k]))
			return k == 0 ? 1 : k;
	}
	if (sp_tok_is (ctx, i, "an"))
		return 1;
	if (sp_tok_is (ctx, i, "couple"))
		return 2;
	return -1;
}

/* English durations: "3 days", "3days", "a week", "2-3 weeks", "half a day", "since yesterday",
 * "the past week", "1.5 hours". */
static void
sp_find_durations_en (SpCtx *ctx)
{
	const gchar *text = ctx->nt->text;
	GArray *toks = ctx->tokens;
	static const gchar *const past[] = { "past", "whole", "entire", NULL };

	for (guint i = 0; i < toks->len; i++) {
		const MvToken *t = &g_array_index (toks, MvToken, i);
		gdouble value = -1;
		guint first = i;
		guint unit_tok = i + 1;
		gdouble hours;

		if (t->kind == MV_TOKEN_NUMBER && !(t->flags & MV_TOKEN_FLAG_RATIO)) {
			g_autofree gchar *num = g_strndup (text + t->start, t->num_end - t->start);
			value = g_ascii_strtod (num, NULL);
			if (t->flags & MV_TOKEN_FLAG_UNIT) {
				hours = sp_en_unit_hours (text + t->num_end, t->end - t->num_end);
				if (hours > 0) {
					sp_add_item (ctx, SP_ITEM_DURATION, t->start, t->end, 0,
						     value * hours);
					continue;
				}
				continue;
			}
		} else if (sp_tok_is (ctx, i, "half")
			   && (sp_tok_is (ctx, i + 1, "a") || sp_tok_is (ctx, i + 1, "an"))) {
			value = 0.5;
			unit_tok = i + 2;
		} else if (sp_tok_is (ctx, i, "since") || sp_tok_is (ctx, i, "from")) {
			/* "since yesterday", "since the day before yesterday"; a bare "yesterday"
			 * dates an event, it does not say how long a symptom lasts */
			guint y = i + 1;
			gdouble h = 24;
			if (sp_tok_is (ctx, y, "the") && sp_tok_is (ctx, y + 1, "day")
			    && sp_tok_is (ctx, y + 2, "before")) {
				y += 3;
				h = 48;
			}
			if (sp_tok_is (ctx, y, "yesterday")) {
				sp_add_item (ctx, SP_ITEM_DURATION, t->start,
					     g_array_index (toks, MvToken, y).end, 0, h);
				i = y;
			}
			continue;
		} else if (t->kind == MV_TOKEN_WORD && t->end - t->start >= 2
			   && text[t->start] == 'x' && g_ascii_isdigit (text[t->start + 1])) {
			/* "x3 days" */
			g_autofree gchar *num
				= g_strndup (text + t->start + 1, t->end - t->start - 1);
			gchar *e = NULL;
			value = g_ascii_strtod (num, &e);
			if (e == num || *e != '\0')
				continue;
		} else if (sp_tok_in (ctx, i, past)) {
			/* "the past week": one unit */
			hours = i + 1 < toks->len ? sp_en_unit_hours (
					text + g_array_index (toks, MvToken, i + 1).start,
					g_array_index (toks, MvToken, i + 1).end
						- g_array_index (toks, MvToken, i + 1).start)
						  : 0;
			if (hours >= 24) {
				sp_add_item (ctx, SP_ITEM_DURATION, t->start,
					     g_array_index (toks, MvToken, i + 1).end, 0, hours);
				i++;
			}
			continue;
		} else {
			value = sp_en_number_word (ctx, i);
			if (value < 0)
				continue;
			if (sp_tok_is (ctx, i + 1, "of")) /* "a couple of days" */
				unit_tok++;
		}
		/* "2-3 days", "2 to 3 days": the upper bound */
		if ((sp_tok_is (ctx, unit_tok, "-") || sp_tok_is (ctx, unit_tok, "to")
		     || sp_tok_is (ctx, unit_tok, "or"))
		    && unit_tok + 1 < toks->len
		    && g_array_index (toks, MvToken, unit_tok + 1).kind == MV_TOKEN_NUMBER) {
			const MvToken *t2 = &g_array_index (toks, MvToken, unit_tok + 1);
			g_autofree gchar *num
				= g_strndup (text + t2->start, t2->num_end - t2->start);
			value = MAX (value, g_ascii_strtod (num, NULL));
			unit_tok += 2;
		} else if (sp_tok_is (ctx, unit_tok, "-")) { /* "3-day" */
			unit_tok++;
		}
		if (unit_tok >= toks->len)
			continue;
		{
			const MvToken *u = &g_array_index (toks, MvToken, unit_tok);
			hours = u->kind == MV_TOKEN_WORD
					? sp_en_unit_hours (text + u->start, u->end - u->start)
					: 0;
			if (hours <= 0)
				continue;
			/* "a 67 year old" is an age */
			if (hours >= 8760
			    && (sp_tok_is (ctx, unit_tok + 1, "old")
				|| sp_tok_is (ctx, unit_tok + 1, "-")))
				continue;
			/* "a day and a half" */
			if (sp_tok_is (ctx, unit_tok + 1, "and")
			    && sp_tok_is (ctx, unit_tok + 2, "a")
			    && sp_tok_is (ctx, unit_tok + 3, "half")) {
				value += 0.5;
				unit_tok += 3;
			}
			sp_add_item (ctx, SP_ITEM_DURATION,
				     g_array_index (toks, MvToken, first).start,
				     g_array_index (toks, MvToken, unit_tok).end, 0, value * hours);
			i = unit_tok;
		}
	}
}

/* "7/10", "7 out of 10" */
static void
sp_find_scores_en (SpCtx *ctx)
{
	const gchar *text = ctx->nt->text;
	GArray *toks = ctx->tokens;

	for (guint i = 0; i < toks->len; i++) {
		const MvToken *t = &g_array_index (toks, MvToken, i);
		g_autofree gchar *num = NULL;
		gchar *slash;
		gdouble v;

		if (t->kind != MV_TOKEN_NUMBER)
			continue;
		num = g_strndup (text + t->start, t->num_end - t->start);
		v = g_ascii_strtod (num, NULL);
		slash = strchr (num, '/');
		if (slash != NULL && g_strcmp0 (slash + 1, "10") == 0 && v <= 10) {
			sp_add_item (ctx, SP_ITEM_SCORE, t->start, t->end, 0, v);
		} else if (slash == NULL && sp_tok_is (ctx, i + 1, "out")
			   && sp_tok_is (ctx, i + 2, "of") && sp_tok_is (ctx, i + 3, "10")
			   && v <= 10) {
			sp_add_item (ctx, SP_ITEM_SCORE, t->start,
				     g_array_index (toks, MvToken, i + 3).end, 0, v);
			i += 3;
		}
	}
}

static gboolean
sp_has_prefix (const gchar *p, const gchar *end, const gchar *s, const gchar **after)
{
	gsize n = strlen (s);
	if ((gsize)(end - p) < n || memcmp (p, s, n) != 0)
		return FALSE;
	*after = p + n;
	return TRUE;
}

static gint
sp_zh_digit (gunichar c)
{
	static const gunichar digits[] = {
		0x96F6, 0x4E00, 0x4E8C, 0x4E09, 0x56DB, 0x4E94, 0x516D, 0x4E03, 0x516B, 0x4E5D
	}; /* 零一二三四五六七八九 */
	for (guint i = 0; i < G_N_ELEMENTS (digits); i++) {
		if (digits[i] == c)
			return (gint)i;
	}
	if (c == 0x4E24 || c == 0x4FE9) /* 两 俩 */
		return 2;
	if (c == 0x3007) /* 〇 */
		return 0;
	return -1;
}

/* A Chinese or Arabic number at @p: returns the position after it, or NULL. */
static const gchar *
sp_zh_number (const gchar *p, const gchar *end, gdouble *value)
{
	const gchar *q = p;
	gdouble total = 0;
	gint cur = -1;
	gboolean any = FALSE;

	if (q < end && g_ascii_isdigit (*q)) {
		gchar *e = NULL;
		g_autofree gchar *num = g_strndup (q, (gsize)MIN (end - q, 32));
		*value = g_ascii_strtod (num, &e);
		return q + (e - num);
	}
	while (q < end) {
		gunichar c = g_utf8_get_char (q);
		gint d = sp_zh_digit (c);
		if (d >= 0) {
			cur = d;
		} else if (c == 0x5341) { /* 十 */
			total += (cur > 0 ? cur : 1) * 10;
			cur = -1;
		} else if (c == 0x767E) { /* 百 */
			total += (cur > 0 ? cur : 1) * 100;
			cur = -1;
		} else {
			break;
		}
		any = TRUE;
		q = g_utf8_next_char (q);
	}
	if (!any)
		return NULL;
	*value = total + (cur > 0 ? cur : 0);
	return q;
}

/* Chinese durations: "3天", "两周", "半个月", "一天半", "十余天", "昨天", "前天". */
static void
sp_find_durations_zh (SpCtx *ctx)
{
	static const struct {
		const gchar *unit;
		gdouble hours;
	} units[] = {
		{ "小时", 1 }, { "钟头", 1 },	{ "分钟", 1.0 / 60 }, { "天", 24 },  { "日", 24 },
		{ "周", 168 }, { "星期", 168 }, { "礼拜", 168 },      { "月", 720 }, { "年", 8760 },
	};
	static const struct {
		const gchar *word;
		gdouble hours;
	} relative[] = {
		{ "大前天", 72 },  { "前天", 48 },    { "昨天", 24 },	   { "昨日", 24 },
		{ "上周", 168 },   { "上星期", 168 }, { "上个星期", 168 }, { "上个礼拜", 168 },
		{ "上个月", 720 }, { "上月", 720 },
	};
	const gchar *text = ctx->nt->text;
	const gchar *end = text + ctx->nt->len;
	const gchar *p = text;
	gboolean prev_digit = FALSE;

	while (p < end) {
		const gchar *q = NULL;
		const gchar *after = NULL;
		gdouble value = 0;
		gboolean matched = FALSE;

		for (guint i = 0; i < G_N_ELEMENTS (relative) && !matched; i++) {
			/* "昨天开始", "从昨天起": an onset; a bare "昨天" only dates an event */
			if (sp_has_prefix (p, end, relative[i].word, &after)
			    && (sp_has_prefix (after, end, "开始", &q)
				|| sp_has_prefix (after, end, "起", &q)
				|| (p - text >= 3
				    && (sp_has_prefix (p - 3, end, "从", &q)
					|| sp_has_prefix (p - 3, end, "自", &q))))) {
				sp_add_item (ctx, SP_ITEM_DURATION, (gsize)(p - text),
					     (gsize)(after - text), 0, relative[i].hours);
				p = after;
				matched = TRUE;
			}
		}
		if (matched)
			continue;
		/* "这两天", "那几天": a vague "these days", not a count */
		if (p - text >= 3
		    && (sp_has_prefix (p - 3, end, "这", &q)
			|| sp_has_prefix (p - 3, end, "那", &q))) {
			p = g_utf8_next_char (p);
			prev_digit = FALSE;
			continue;
		}
		if (!prev_digit
		    && (sp_has_prefix (p, end, "半", &q)
			|| (q = sp_zh_number (p, end, &value)) != NULL)) {
			gdouble half = 0;
			if (q == p + strlen ("半") && memcmp (p, "半", strlen ("半")) == 0)
				value = 0.5;
			/* NUMBER [余|多] [个] [半] [多] UNIT [半]: "十余天", "一个多月",
			 * "两个半月", "半个小时"; "十来天" is too vague to count */
			if (!sp_has_prefix (q, end, "余", &q))
				(void)sp_has_prefix (q, end, "多", &q);
			(void)sp_has_prefix (q, end, "个", &q);
			if (sp_has_prefix (q, end, "半", &after)) {
				half = 0.5;
				q = after;
			}
			(void)sp_has_prefix (q, end, "多", &q);
			for (guint i = 0; i < G_N_ELEMENTS (units); i++) {
				if (sp_has_prefix (q, end, units[i].unit, &after)) {
					gdouble v = value + half;
					/* "2020年" is a date; "3月份"/"5月3日" are dates too */
					if ((units[i].hours >= 8760 && value > 150)
					    || sp_has_prefix (after, end, "份", &q)
					    || (units[i].hours == 720 && g_ascii_isdigit (*after)))
						break;
					if (sp_has_prefix (after, end, "半", &q)) { /* "一天半" */
						v += 0.5;
						after = q;
					}
					sp_add_item (ctx, SP_ITEM_DURATION, (gsize)(p - text),
						     (gsize)(after - text), 0, v * units[i].hours);
					p = after;
					matched = TRUE;
					break;
				}
			}
		}
		if (matched)
			continue;
		prev_digit = g_ascii_isdigit (*p) || *p == '.';
		p = g_utf8_next_char (p);
	}
}

/* "7分" (a 0-10 pain score in Chinese notes), not "7分钟" */
static void
sp_find_scores_zh (SpCtx *ctx)
{
	const gchar *text = ctx->nt->text;
	const gchar *end = text + ctx->nt->len;

	for (const gchar *p = text; p < end; p++) {
		const gchar *q;
		const gchar *after;
		gdouble v = 0;
		if (!g_ascii_isdigit (*p)
		    || (p > text && (g_ascii_isdigit (p[-1]) || p[-1] == '.')))
			continue;
		q = sp_zh_number (p, end, &v);
		if (q != NULL && sp_has_prefix (q, end, "分", &after)
		    && !sp_has_prefix (after, end, "钟", &q) && v <= 10)
			sp_add_item (ctx, SP_ITEM_SCORE, (gsize)(p - text), (gsize)(after - text),
				     0, v);
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

#define SP_CUE_POLARITY_MASK                                                                       \
	((1u << SP_CUE_NEGATION_PRE) | (1u << SP_CUE_NEGATION_POST) | (1u << SP_CUE_POSSIBLE_PRE)  \
	 | (1u << SP_CUE_POSSIBLE_POST) | (1u << SP_CUE_PSEUDO))

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
		if (it->weak) {
			const SpItem *prev
				= kept > 0 ? &g_array_index (items, SpItem, kept - 1) : NULL;
			if (prev == NULL || prev->end != it->start)
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
			if (it->start < term_end)
				continue;
			term_end = it->end;
		} else if (it->kind == SP_ITEM_CUE) {
			if (it->start < term_end)
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

/* Other tokens strictly between items @a (earlier) and @b (later). */
static guint
sp_other_between (SpCtx *ctx, const SpItem *a, const SpItem *b)
{
	guint from = MIN (a->tok_last + 1, ctx->tokens->len);
	guint to = MIN (b->tok_first, ctx->tokens->len);
	if (to <= from)
		return 0;
	return ctx->other_prefix[to] - ctx->other_prefix[from];
}

static SpItem *
sp_item (SpCtx *ctx, guint i)
{
	return &g_array_index (ctx->items, SpItem, i);
}

static gboolean
sp_is_cue (const SpItem *it, SpCue cue)
{
	return it->kind == SP_ITEM_CUE && (it->index & (1u << cue)) != 0;
}

/* ---- context of one concept ---- */

/* @condition: the concept is a condition, for which a cue that is both negation-post and
 * resolved ("pneumonia has resolved", 肺炎已痊愈) gives a resolved status, not an absence. */
static SpPolarity
sp_polarity (SpCtx *ctx, guint k, gboolean condition)
{
	SpItem *c = sp_item (ctx, k);

	/* left: pre-triggers, within the clause (a list continues across commas) */
	for (guint j = k, n = 0; j-- > 0 && n < SP_MAX_WALK; n++) {
		SpItem *it = sp_item (ctx, j);
		if (it->kind == SP_ITEM_BREAK || sp_is_cue (it, SP_CUE_TERMINATOR))
			break;
		if (it->kind == SP_ITEM_COMMA && (it->hard || sp_other_between (ctx, it, c) > 0))
			break;
		if (sp_other_between (ctx, it, c) > SP_WINDOW_PRE)
			break;
		if (sp_is_cue (it, SP_CUE_NEGATION_PRE))
			return SP_POLARITY_ABSENT;
		if (sp_is_cue (it, SP_CUE_POSSIBLE_PRE))
			return SP_POLARITY_POSSIBLE;
	}
	/* right: post-triggers, within the comma clause */
	for (guint j = k + 1, n = 0; j < ctx->items->len && n < SP_MAX_WALK; j++, n++) {
		SpItem *it = sp_item (ctx, j);
		if (it->kind == SP_ITEM_BREAK || it->kind == SP_ITEM_COMMA
		    || sp_is_cue (it, SP_CUE_TERMINATOR))
			break;
		if (sp_other_between (ctx, c, it) > SP_WINDOW_POST)
			break;
		if (condition && sp_is_cue (it, SP_CUE_RESOLVED))
			continue;
		if (sp_is_cue (it, SP_CUE_NEGATION_POST))
			return SP_POLARITY_ABSENT;
		if (sp_is_cue (it, SP_CUE_POSSIBLE_POST))
			return SP_POLARITY_POSSIBLE;
		/* a pre-trigger after the concept starts another scope */
		if (sp_is_cue (it, SP_CUE_NEGATION_PRE) || sp_is_cue (it, SP_CUE_POSSIBLE_PRE))
			break;
	}
	return SP_POLARITY_PRESENT;
}

/* The family cue that makes the concept at @k a relative's, or -1: the nearest one on the left,
 * so that each finding of a list gets its own relative ("家族史：父亲高血压，母亲糖尿病"). */
static gint
sp_family_cue (SpCtx *ctx, guint k)
{
	/* left, through the whole sentence */
	for (guint j = k, n = 0; j-- > 0 && n < SP_MAX_WALK; n++) {
		SpItem *it = sp_item (ctx, j);
		/* not stopped by terminators: "Mother has diabetes" has one ("has") in English */
		if (it->kind == SP_ITEM_BREAK || sp_is_cue (it, SP_CUE_SELF))
			break;
		if (sp_is_cue (it, SP_CUE_FAMILY))
			return (gint)j;
	}
	/* right, in the clause: "diabetes in his mother", "runs in the family" */
	for (guint j = k + 1, n = 0; j < ctx->items->len && n < SP_MAX_WALK; j++, n++) {
		SpItem *it = sp_item (ctx, j);
		if (it->kind == SP_ITEM_BREAK || it->kind == SP_ITEM_COMMA
		    || it->kind == SP_ITEM_CONCEPT || sp_is_cue (it, SP_CUE_TERMINATOR)
		    || sp_is_cue (it, SP_CUE_SELF))
			break;
		if (sp_is_cue (it, SP_CUE_FAMILY))
			return (gint)j;
	}
	return -1;
}

static gboolean
sp_historical (SpCtx *ctx, guint k)
{
	SpItem *c = sp_item (ctx, k);

	for (guint j = k, n = 0; j-- > 0 && n < SP_MAX_WALK; n++) {
		SpItem *it = sp_item (ctx, j);
		if (sp_is_cue (it, SP_CUE_HISTORICAL_PRE))
			return TRUE;
		/* terminators such as "had", "has", 有, 出现 do not end a historical scope:
		 * "年轻时有痛经" */
		if (it->kind == SP_ITEM_BREAK || sp_is_cue (it, SP_CUE_CURRENT))
			break;
		if (it->kind == SP_ITEM_COMMA && (it->hard || sp_other_between (ctx, it, c) > 0))
			break;
	}
	for (guint j = k + 1, n = 0; j < ctx->items->len && n < SP_MAX_WALK; j++, n++) {
		SpItem *it = sp_item (ctx, j);
		if (it->kind == SP_ITEM_BREAK || it->kind == SP_ITEM_COMMA
		    || sp_is_cue (it, SP_CUE_TERMINATOR) || sp_is_cue (it, SP_CUE_CURRENT))
			break;
		if (sp_other_between (ctx, c, it) > SP_WINDOW_POST)
			break;
		if (sp_is_cue (it, SP_CUE_HISTORICAL_POST))
			return TRUE;
	}
	return FALSE;
}

static SpSeverity
sp_severity_of (const SpItem *it)
{
	if (it->kind == SP_ITEM_SCORE) {
		if (it->value >= 7)
			return SP_SEVERITY_SEVERE;
		if (it->value >= 4)
			return SP_SEVERITY_MODERATE;
		if (it->value >= 1)
			return SP_SEVERITY_MILD;
		return SP_SEVERITY_NONE;
	}
	if (sp_is_cue (it, SP_CUE_SEVERITY_MILD))
		return SP_SEVERITY_MILD;
	if (sp_is_cue (it, SP_CUE_SEVERITY_MODERATE))
		return SP_SEVERITY_MODERATE;
	if (sp_is_cue (it, SP_CUE_SEVERITY_SEVERE))
		return SP_SEVERITY_SEVERE;
	return SP_SEVERITY_NONE;
}

static SpLaterality
sp_laterality_of (const SpItem *it)
{
	if (sp_is_cue (it, SP_CUE_LATERALITY_LEFT))
		return SP_LATERALITY_LEFT;
	if (sp_is_cue (it, SP_CUE_LATERALITY_RIGHT))
		return SP_LATERALITY_RIGHT;
	if (sp_is_cue (it, SP_CUE_LATERALITY_BILATERAL))
		return SP_LATERALITY_BILATERAL;
	return SP_LATERALITY_NONE;
}

/* Is the severity cue at @j negated ("not severe", 不严重, 不是很厉害, "not too severe")?  Then
 * it states no severity, and the negation covers the cue, not the finding. */
static gboolean
sp_severity_negated (SpCtx *ctx, guint j)
{
	SpItem *prev;

	if (j == 0)
		return FALSE;
	prev = sp_item (ctx, j - 1);
	return (sp_is_cue (prev, SP_CUE_NEGATION_PRE) || sp_is_cue (prev, SP_CUE_SEVERITY_NEGATION))
	       && sp_other_between (ctx, prev, sp_item (ctx, j)) <= 1;
}

/* The severity stated by the item at @j, taken once per finding: a negated severity states none
 * and ends the search; a score of 0 ("pain 0/10", "0/10 pain", 疼痛评分0分) says the finding is
 * absent rather than present with no severity. */
static void
sp_take_severity (SpCtx *ctx, guint j, SpFinding *f, gboolean *done)
{
	SpItem *it = sp_item (ctx, j);
	SpSeverity severity;

	if (*done)
		return;
	if (it->kind == SP_ITEM_SCORE && it->value == 0) {
		f->polarity = SP_POLARITY_ABSENT;
		*done = TRUE;
		return;
	}
	severity = sp_severity_of (it);
	if (severity == SP_SEVERITY_NONE)
		return;
	*done = TRUE;
	if (!sp_severity_negated (ctx, j))
		f->severity = severity;
}

/* Is @j, right of the concept, the start of a list continuation: a soft comma or a conjunction
 * directly followed by a concept? */
static gboolean
sp_continues_list (SpCtx *ctx, guint j)
{
	SpItem *it = sp_item (ctx, j);
	SpItem *next;

	if (!((it->kind == SP_ITEM_COMMA && !it->hard) || sp_is_cue (it, SP_CUE_CONJUNCTION)))
		return FALSE;
	/* "and bilateral leg swelling": modifiers of the next concept may come first */
	for (guint i = j + 1; i < ctx->items->len && i - j < 8; i++) {
		next = sp_item (ctx, i);
		if (next->kind == SP_ITEM_CONCEPT)
			return sp_other_between (ctx, it, next) == 0;
		if (!(next->kind == SP_ITEM_SITE
		      || (next->kind == SP_ITEM_CUE && (next->index & SP_CUE_POLARITY_MASK) == 0
			  && !sp_is_cue (next, SP_CUE_TERMINATOR))))
			return FALSE;
	}
	return FALSE;
}

/* A duration stated before the concepts of its clause applies to all of them ("Two weeks of
 * epigastric pain and heartburn", "3天来发热、咳嗽"); one stated after a concept belongs to that
 * concept ("stools for 2 days with lightheadedness"). */
static gdouble
sp_leading_duration (SpCtx *ctx, guint k)
{
	for (guint j = k, n = 0; j-- > 0 && n < SP_MAX_WALK; n++) {
		SpItem *it = sp_item (ctx, j);
		if (it->kind == SP_ITEM_BREAK)
			return -1;
		/* a comma inside a list of concepts does not end the clause */
		if (it->kind == SP_ITEM_COMMA
		    && (it->hard || j == 0 || sp_item (ctx, j - 1)->kind != SP_ITEM_CONCEPT
			|| sp_item (ctx, j + 1)->kind != SP_ITEM_CONCEPT))
			return -1;
		if (it->kind != SP_ITEM_DURATION)
			continue;
		for (guint i = j, m = 0; i-- > 0 && m < SP_MAX_WALK; m++) {
			SpItem *p = sp_item (ctx, i);
			if (p->kind == SP_ITEM_BREAK || p->kind == SP_ITEM_COMMA)
				break;
			if (p->kind == SP_ITEM_CONCEPT)
				return -1;
		}
		return it->value;
	}
	return -1;
}

/* Attributes found near the concept: severity, laterality, site, duration.  Left first, for
 * close modifiers ("severe headache", "左膝疼痛"), then right, through a list of concepts joined
 * by "and" or commas ("fever and cough for 3 days", "pain in the left knee, 8/10"). */
static void
sp_attributes (SpCtx *ctx, guint k, SpFinding *f)
{
	SpItem *c = sp_item (ctx, k);
	const SpLexicon *lex = ctx->parser->lexicon;
	gint site = -1;
	gboolean mods = TRUE;
	gboolean severity_done = FALSE;

	for (guint j = k, n = 0; j-- > 0 && n < SP_MAX_WALK; n++) {
		SpItem *it = sp_item (ctx, j);
		guint dist = sp_other_between (ctx, it, c);
		if (it->kind == SP_ITEM_BREAK || it->kind == SP_ITEM_COMMA
		    || it->kind == SP_ITEM_CONCEPT || sp_is_cue (it, SP_CUE_TERMINATOR)
		    || sp_is_cue (it, SP_CUE_CONJUNCTION) || dist > 2)
			break;
		sp_take_severity (ctx, j, f, &severity_done);
		if (f->laterality == SP_LATERALITY_NONE)
			f->laterality = sp_laterality_of (it);
		if (site < 0 && it->kind == SP_ITEM_SITE)
			site = (gint)it->index;
		if (f->duration_hours < 0 && it->kind == SP_ITEM_DURATION)
			f->duration_hours = it->value;
	}
	for (guint j = k + 1, n = 0; j < ctx->items->len && n < SP_MAX_WALK; j++, n++) {
		SpItem *it = sp_item (ctx, j);
		/* "反酸烧心一个多月": concepts side by side share what follows */
		if (it->kind == SP_ITEM_CONCEPT && sp_item (ctx, j - 1)->kind == SP_ITEM_CONCEPT
		    && sp_other_between (ctx, sp_item (ctx, j - 1), it) == 0)
			continue;
		if (it->kind == SP_ITEM_BREAK || it->kind == SP_ITEM_CONCEPT)
			break;
		if (sp_continues_list (ctx, j)) {
			/* on to the next concept of the list; the loop steps past it */
			while (j + 1 < ctx->items->len
			       && sp_item (ctx, j + 1)->kind != SP_ITEM_CONCEPT)
				j++;
			j++;
			continue;
		}
		if (it->kind == SP_ITEM_COMMA)
			break;
		/* after a terminator only a duration still belongs here: "fever since yesterday" */
		if (sp_is_cue (it, SP_CUE_TERMINATOR))
			mods = FALSE;
		if (f->duration_hours < 0 && it->kind == SP_ITEM_DURATION)
			f->duration_hours = it->value;
		if (!mods)
			continue;
		sp_take_severity (ctx, j, f, &severity_done);
		if (site < 0 && it->kind == SP_ITEM_SITE && sp_other_between (ctx, c, it) <= 2) {
			site = (gint)it->index;
			/* "pain in the left knee": laterality sits with the site */
			if (f->laterality == SP_LATERALITY_NONE && j > 0)
				f->laterality = sp_laterality_of (sp_item (ctx, j - 1));
		}
		/* "swelling on the left side": a side that modifies no other term */
		if (f->laterality == SP_LATERALITY_NONE
		    && sp_laterality_of (it) != SP_LATERALITY_NONE
		    && sp_other_between (ctx, c, it) <= 2
		    && (j + 1 >= ctx->items->len
			|| (sp_item (ctx, j + 1)->kind != SP_ITEM_CONCEPT
			    && sp_item (ctx, j + 1)->kind != SP_ITEM_SITE)))
			f->laterality = sp_laterality_of (it);
	}
	if (f->duration_hours < 0)
		f->duration_hours = sp_leading_duration (ctx, k);
	/* only a site the text states: the concept's default site adds nothing its code does not */
	if (site >= 0)
		f->site = ((SpSite *)g_ptr_array_index (lex->sites, (guint)site))->code;
	/* ...nor a stated site that is the concept's own ("右耳耳鸣") */
	if (f->site != NULL && g_strcmp0 (f->site, f->concept->site) == 0)
		f->site = NULL;
	/* an absent or past finding has no duration: "sore throat x 2 days, no fever",
	 * "三年前出现过 癫痫发作" */
	if (f->polarity == SP_POLARITY_ABSENT || f->historical)
		f->duration_hours = -1;
}

/* "右膝肿胀、疼痛": a finding listed right after another, with no site or side of its own, shares
 * the site and side written before the first.  @prev is the finding made from the concept item
 * @prev_k (NULL if none): not the last of the findings array, which merges repeated mentions. */
static void
sp_inherit_from_list (SpCtx *ctx, guint k, const SpFinding *prev, guint prev_k, SpFinding *f)
{
	guint j = k;

	if (f->site != NULL || f->laterality != SP_LATERALITY_NONE || prev == NULL)
		return;
	while (j-- > 0) {
		SpItem *it = sp_item (ctx, j);
		if (it->kind == SP_ITEM_CONCEPT)
			break;
		if (!sp_is_cue (it, SP_CUE_CONJUNCTION)
		    && !(it->kind == SP_ITEM_COMMA && !it->hard))
			return;
	}
	if (j == G_MAXUINT || j != prev_k
	    || sp_other_between (ctx, sp_item (ctx, j), sp_item (ctx, k)) > 0)
		return;
	if (prev->site == NULL || prev->polarity != f->polarity)
		return;
	f->site = g_strcmp0 (prev->site, f->concept->site) == 0 ? NULL : prev->site;
	f->laterality = prev->laterality;
}

/* ---- family: relation and age at onset ---- */

static const gchar *
sp_relation (SpCtx *ctx, gint cue)
{
	const SpItem *it;

	if (cue < 0)
		return NULL;
	it = sp_item (ctx, (guint)cue);
	return sp_lexicon_get_relation (ctx->parser->lexicon, ctx->nt->text + it->start,
					it->end - it->start);
}

/* A token that ends a clause for the age search. */
static gboolean
sp_tok_ends_clause (SpCtx *ctx, guint t)
{
	static const gchar *const ends[] = { ".", ",", ";", "!", "?", "\n", "。", NULL };
	return g_array_index (ctx->tokens, MvToken, t).kind == MV_TOKEN_PUNCT
	       && sp_tok_in (ctx, t, ends);
}

/* "at 50", "at age 50", "at the age of 50", "aged 50", "when he was 50": the number at @t,
 * or -1. */
static gdouble
sp_age_en (SpCtx *ctx, guint t)
{
	static const gchar *const year_units[] = { "y", "yo", "yr", "yrs", "year", "years", NULL };
	static const gchar *const pronouns[] = { "he", "she", "they", NULL };
	const MvToken *tok = &g_array_index (ctx->tokens, MvToken, t);
	const gchar *text = ctx->nt->text;
	g_autofree gchar *num = NULL;
	gdouble v;
	gboolean lead;

	if (tok->kind != MV_TOKEN_NUMBER || (tok->flags & MV_TOKEN_FLAG_RATIO) || t == 0)
		return -1;
	if (tok->flags & MV_TOKEN_FLAG_UNIT) {
		g_autofree gchar *unit = g_strndup (text + tok->num_end, tok->end - tok->num_end);
		if (!g_strv_contains (year_units, unit))
			return -1;
	} else if (t + 1 < ctx->tokens->len
		   && g_array_index (ctx->tokens, MvToken, t + 1).kind == MV_TOKEN_WORD
		   && !sp_tok_in (ctx, t + 1, year_units) && !sp_tok_is (ctx, t + 1, "of")
		   && !sp_tok_is (ctx, t + 1, "and")) {
		return -1; /* "at 5 pm", "at 50 mg" */
	}
	lead = sp_tok_is (ctx, t - 1, "at") || sp_tok_is (ctx, t - 1, "aged")
	       || (sp_tok_is (ctx, t - 1, "age") && (t < 2 || !sp_tok_is (ctx, t - 2, "current")))
	       || (t >= 4 && sp_tok_is (ctx, t - 1, "of") && sp_tok_is (ctx, t - 2, "age")
		   && sp_tok_is (ctx, t - 3, "the") && sp_tok_is (ctx, t - 4, "at"))
	       || (t >= 3 && sp_tok_is (ctx, t - 1, "was") && sp_tok_in (ctx, t - 2, pronouns)
		   && sp_tok_is (ctx, t - 3, "when"));
	if (!lead)
		return -1;
	num = g_strndup (text + tok->start, tok->num_end - tok->start);
	v = g_ascii_strtod (num, NULL);
	return v > 0 && v <= 120 ? v : -1;
}

/* "50岁", "五十岁时": the number before 岁 at @p, or -1. */
static gdouble
sp_age_zh (const gchar *text, const gchar *p, const gchar *end)
{
	const gchar *q;
	const gchar *after;
	gdouble v = -1;

	if (p > text) {
		const gchar *prev = g_utf8_prev_char (p);
		if (g_ascii_isdigit (*prev) || *prev == '.'
		    || sp_zh_digit (g_utf8_get_char (prev)) >= 0)
			return -1; /* inside a number */
	}
	q = sp_zh_number (p, end, &v);
	if (q == NULL || q == p || !sp_has_prefix (q, end, "岁", &after))
		return -1;
	return v > 0 && v <= 120 ? v : -1;
}

/* The age at onset of a relative's finding: an age stated between the family cue @cue and the
 * concept @k, or after the concept in its clause ("father had MI at 50", 父亲50岁时心梗, 其母
 * 60岁患糖尿病).  A decade ("in his 50s") is not an age and is not reported.  Looks at most
 * 8 tokens on either side, so the cost per finding is bounded. */
static gdouble
sp_onset_age (SpCtx *ctx, gint cue, guint k)
{
	const SpItem *c = sp_item (ctx, k);
	const gchar *text = ctx->nt->text;
	guint n_tok = ctx->tokens->len;
	guint lo = c->tok_first > 8 ? c->tok_first - 8 : 0;
	guint hi = MIN (c->tok_last + 9, n_tok);

	if (cue >= 0 && (guint)cue < k)
		lo = MAX (lo, sp_item (ctx, (guint)cue)->tok_last + 1);
	for (guint t = c->tok_first; t-- > lo;) {
		if (sp_tok_ends_clause (ctx, t)) {
			lo = t + 1;
			break;
		}
	}
	for (guint t = lo; t < hi && t < n_tok; t++) {
		const MvToken *tok = &g_array_index (ctx->tokens, MvToken, t);
		gdouble v;

		if (t > c->tok_last && sp_tok_ends_clause (ctx, t))
			break;
		if (t >= c->tok_first && t <= c->tok_last)
			continue;
		v = sp_age_en (ctx, t);
		for (const gchar *p = text + tok->start; v < 0 && p < text + tok->end;
		     p = g_utf8_next_char (p))
			v = sp_age_zh (text, p, text + ctx->nt->len);
		if (v > 0)
			return v;
	}
	return -1;
}

/* ---- conditions: status ---- */

/* A resolved cue in the clause of the concept at @k: left ("recovered from pneumonia", "used to
 * have asthma") or right, also just past a comma ("pneumonia, resolved", 肺炎，已治愈). */
static gboolean
sp_resolved (SpCtx *ctx, guint k)
{
	SpItem *c = sp_item (ctx, k);

	for (guint j = k, n = 0; j-- > 0 && n < SP_MAX_WALK; n++) {
		SpItem *it = sp_item (ctx, j);
		if (it->kind == SP_ITEM_BREAK || sp_is_cue (it, SP_CUE_CURRENT)
		    || sp_other_between (ctx, it, c) > SP_WINDOW_PRE)
			break;
		if (it->kind == SP_ITEM_COMMA && (it->hard || sp_other_between (ctx, it, c) > 0))
			break;
		if (sp_is_cue (it, SP_CUE_RESOLVED))
			return TRUE;
	}
	for (guint j = k + 1, n = 0; j < ctx->items->len && n < SP_MAX_WALK; j++, n++) {
		SpItem *it = sp_item (ctx, j);
		if (it->kind == SP_ITEM_BREAK || it->kind == SP_ITEM_CONCEPT
		    || sp_is_cue (it, SP_CUE_CURRENT)
		    || sp_other_between (ctx, c, it) > SP_WINDOW_POST)
			break;
		if (sp_is_cue (it, SP_CUE_RESOLVED))
			return TRUE;
		/* past a comma only when the cue follows it at once */
		if (it->kind == SP_ITEM_COMMA
		    && !(j + 1 < ctx->items->len
			 && sp_is_cue (sp_item (ctx, j + 1), SP_CUE_RESOLVED)
			 && sp_other_between (ctx, it, sp_item (ctx, j + 1)) == 0))
			break;
	}
	return FALSE;
}

/* A condition's status (README "Conditions"): absent → none; possible → unknown; a resolved cue
 * → resolved (and historical); a chronic condition under a history cue ("Hx of HTN",
 * 既往有哮喘病史) → active and current; another condition under a history cue or in the past
 * ("had pneumonia last year", 去年得过肺炎) → resolved; else active.  A relative's condition
 * has no status: family history records the relative's diagnosis, not its course. */
static void
sp_condition_status (SpCtx *ctx, guint k, SpFinding *f)
{
	if (f->kind != SP_FINDING_CONDITION || f->family || f->polarity == SP_POLARITY_ABSENT)
		return;
	if (f->polarity == SP_POLARITY_POSSIBLE) {
		f->status = SP_STATUS_UNKNOWN;
	} else if (sp_resolved (ctx, k)) {
		f->status = SP_STATUS_RESOLVED;
		f->historical = TRUE;
	} else if (f->historical && !f->concept->chronic) {
		f->status = SP_STATUS_RESOLVED;
	} else {
		f->status = SP_STATUS_ACTIVE;
		f->historical = FALSE;
	}
}

/* ---- allergies ---- */

/* The one concept that is an allergy by itself (spec of issue 11: "NKDA", 无药物过敏史 are its
 * negated terms). */
#define SP_DRUG_ALLERGY_CODE "MV:4000"

/* A mention of the drug-allergy concept ("drug allergies", 药物过敏), not negated: it opens an
 * allergy scope like an allergy cue ("Drug allergies: penicillin"). */
static gboolean
sp_is_drug_allergy (const SpItem *it, const SpLexicon *lex)
{
	const SpConcept *c;

	if (it->kind != SP_ITEM_CONCEPT || it->negated)
		return FALSE;
	c = g_ptr_array_index (lex->concepts, it->index);
	return g_strcmp0 (c->code, SP_DRUG_ALLERGY_CODE) == 0;
}

static gboolean
sp_is_allergen (const SpItem *it, const SpLexicon *lex)
{
	const SpConcept *c;

	if (it->kind != SP_ITEM_CONCEPT)
		return FALSE;
	c = g_ptr_array_index (lex->concepts, it->index);
	return c->kind == SP_CONCEPT_MEDICATION || c->kind == SP_CONCEPT_SUBSTANCE;
}

/* Is the medication or substance at @k what someone is allergic to?  An allergy-pre cue on its
 * left ("allergic to", "Allergies:", 过敏史：) reaches through a list of allergens and their
 * reactions ("Allergies: penicillin (rash), sulfa"); an allergy-post cue on its right
 * ("penicillin allergy", 青霉素、磺胺过敏) through a list of allergens. */
static gboolean
sp_allergy_scope (SpCtx *ctx, guint k)
{
	const SpLexicon *lex = ctx->parser->lexicon;
	SpItem *c = sp_item (ctx, k);

	for (guint j = k, n = 0; j-- > 0 && n < SP_MAX_WALK; n++) {
		SpItem *it = sp_item (ctx, j);
		if (it->kind == SP_ITEM_BREAK || sp_is_cue (it, SP_CUE_TERMINATOR)
		    || sp_other_between (ctx, it, c) > 3)
			break;
		if (it->kind == SP_ITEM_COMMA && (it->hard || sp_other_between (ctx, it, c) > 0))
			break;
		if (sp_is_cue (it, SP_CUE_ALLERGY_PRE) || sp_is_drug_allergy (it, lex))
			return TRUE;
	}
	for (guint j = k + 1, n = 0; j < ctx->items->len && n < SP_MAX_WALK; j++, n++) {
		SpItem *it = sp_item (ctx, j);
		if (it->kind == SP_ITEM_BREAK || sp_is_cue (it, SP_CUE_TERMINATOR)
		    || (it->kind == SP_ITEM_COMMA && it->hard)
		    || (it->kind == SP_ITEM_CONCEPT && !sp_is_allergen (it, lex))
		    || sp_other_between (ctx, c, it) > 2)
			break;
		if (sp_is_cue (it, SP_CUE_ALLERGY_POST) || sp_is_drug_allergy (it, lex))
			return TRUE;
	}
	return FALSE;
}

/* Is the item at @j a symptom or condition that can be a reaction? */
static gboolean
sp_is_reaction_concept (SpCtx *ctx, guint j)
{
	const SpItem *it = sp_item (ctx, j);
	const SpConcept *c;

	if (it->kind != SP_ITEM_CONCEPT)
		return FALSE;
	c = g_ptr_array_index (ctx->parser->lexicon->concepts, it->index);
	return c->kind == SP_CONCEPT_SYMPTOM || c->kind == SP_CONCEPT_CONDITION;
}

/* The item index of the reaction stated for the allergen at @k, or -1: the first symptom in
 * parentheses right after it or after its allergy cue ("penicillin (rash)", 青霉素过敏（皮疹）),
 * or after a reaction cue that follows at once, maybe past a comma ("penicillin -> hives",
 * "sulfa: rash", 对青霉素过敏，表现为皮疹). */
static gint
sp_reaction (SpCtx *ctx, guint k)
{
	const gchar *text = ctx->nt->text;
	guint j = k + 1;
	guint32 end = sp_item (ctx, k)->end;
	gsize p;

	/* "penicillin allergy (rash)": past the allergy-post cue */
	while (j < ctx->items->len && sp_is_cue (sp_item (ctx, j), SP_CUE_ALLERGY_POST)
	       && sp_other_between (ctx, sp_item (ctx, j - 1), sp_item (ctx, j)) == 0)
		end = sp_item (ctx, j++)->end;
	for (p = end; p < ctx->nt->len && text[p] == ' '; p++)
		;
	if (p < ctx->nt->len && text[p] == '(') {
		for (; j < ctx->items->len && j - k < 8; j++) {
			SpItem *it = sp_item (ctx, j);
			if (it->start < p)
				continue;
			if (memchr (text + p, ')', it->start - p) != NULL
			    || it->kind == SP_ITEM_BREAK)
				return -1;
			if (sp_is_reaction_concept (ctx, j))
				return (gint)j;
		}
		return -1;
	}
	if (j < ctx->items->len && sp_item (ctx, j)->kind == SP_ITEM_COMMA)
		j++;
	if (j >= ctx->items->len || !sp_is_cue (sp_item (ctx, j), SP_CUE_REACTION)
	    || sp_other_between (ctx, sp_item (ctx, j - 1), sp_item (ctx, j)) > 0)
		return -1;
	for (guint r = j + 1; r < ctx->items->len && r - j < 8; r++) {
		SpItem *it = sp_item (ctx, r);
		if (it->kind == SP_ITEM_BREAK || it->kind == SP_ITEM_COMMA
		    || sp_other_between (ctx, sp_item (ctx, j), it) > 2)
			return -1;
		if (sp_is_reaction_concept (ctx, r))
			return (gint)r;
	}
	return -1;
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

/* The kind of finding a concept gives on its own.  A measurement or score name is a finding only
 * with its value, and a substance only as what the patient is allergic to: until the matchers
 * for those run, neither is reported. */
static gboolean
sp_finding_kind_of (const SpConcept *concept, SpFindingKind *kind)
{
	switch (concept->kind) {
	case SP_CONCEPT_SYMPTOM:
		*kind = SP_FINDING_SYMPTOM;
		return TRUE;
	case SP_CONCEPT_CONDITION:
		*kind = SP_FINDING_CONDITION;
		return TRUE;
	case SP_CONCEPT_MEDICATION:
		*kind = SP_FINDING_MEDICATION;
		return TRUE;
	case SP_CONCEPT_SUBSTANCE:
	case SP_CONCEPT_MEASUREMENT:
	case SP_CONCEPT_SCORE:
	case SP_CONCEPT_LAST:
	default:
		return FALSE;
	}
}

/* The kind of finding the concept item at @k gives in its context: a medication or substance in
 * an allergy scope is an allergy, and so is the drug-allergy concept itself and a negated
 * substance term ("NKDA", 无药物过敏史: an allergy, absent). */
static gboolean
sp_finding_kind_at (SpCtx *ctx, guint k, const SpConcept *concept, SpFindingKind *kind)
{
	if ((concept->kind == SP_CONCEPT_MEDICATION || concept->kind == SP_CONCEPT_SUBSTANCE)
	    && (g_strcmp0 (concept->code, SP_DRUG_ALLERGY_CODE) == 0
		|| (concept->kind == SP_CONCEPT_SUBSTANCE && sp_item (ctx, k)->negated)
		|| sp_allergy_scope (ctx, k))) {
		*kind = SP_FINDING_ALLERGY;
		return TRUE;
	}
	return sp_finding_kind_of (concept, kind);
}

/* Per parse: what the findings loop carries from one concept item to the next. */
typedef struct {
	GArray *findings;
	GHashTable *seen;
	guint max_findings;
	gboolean truncated;
	guint8 *reactions; /* bit per item: a symptom told as an allergy's reaction; lazily made */
	SpFinding prev;	   /* the finding made from item prev_k */
	guint prev_k;	   /* G_MAXUINT: none yet */
	gint relation_cue; /* a one-entry cache of the last family cue's relation */
	const gchar *relation;
} SpFindingsState;

static gboolean
sp_bit (const guint8 *bits, guint i)
{
	return bits != NULL && (bits[i / 8] & (1u << (i % 8))) != 0;
}

/* Is the concept item at @k next to a symptom of the same list: only a conjunction, a soft
 * comma or nothing between them ("dysuria and frequency", "frequency, urgency and nocturia")? */
static gboolean
sp_listed_with_symptom (SpCtx *ctx, guint k)
{
	for (gint dir = -1; dir <= 1; dir += 2) {
		SpItem *prev = sp_item (ctx, k);
		for (gint j = (gint)k + dir; j >= 0 && (guint)j < ctx->items->len; j += dir) {
			SpItem *it = sp_item (ctx, (guint)j);
			SpItem *a = dir < 0 ? it : prev;
			SpItem *b = dir < 0 ? prev : it;
			if (sp_other_between (ctx, a, b) > 0)
				break;
			if (sp_is_cue (it, SP_CUE_CONJUNCTION)
			    || (it->kind == SP_ITEM_COMMA && !it->hard)) {
				prev = it;
				continue;
			}
			if (it->kind == SP_ITEM_CONCEPT && !it->listed
			    && ((SpConcept *)g_ptr_array_index (ctx->parser->lexicon->concepts,
								it->index))
					       ->kind
				       == SP_CONCEPT_SYMPTOM)
				return TRUE;
			break;
		}
	}
	return FALSE;
}

/* The finding of the concept item at @k, with its context and attributes; %FALSE when the item
 * gives none (a substance outside an allergy, a measurement name, an allergy's reaction). */
static gboolean
sp_finding_at (SpCtx *ctx, guint k, SpFindingsState *st, SpFinding *f)
{
	SpItem *it = sp_item (ctx, k);
	MvOrigSpan span;
	gint cue;

	if (sp_bit (st->reactions, k) || (it->listed && !sp_listed_with_symptom (ctx, k)))
		return FALSE;
	f->concept = g_ptr_array_index (ctx->parser->lexicon->concepts, it->index);
	/* a measurement's kind and value come from its reading (sp_measure_fill()) */
	if (!sp_finding_kind_at (ctx, k, f->concept, &f->kind) && it->kind != SP_ITEM_MEASURE)
		return FALSE;
	mv_norm_text_to_orig (ctx->nt, it->start, it->end, &span);
	f->start = span.cp_start;
	f->end = span.cp_end;
	f->byte_start = span.byte_start;
	f->byte_end = span.byte_end;
	f->duration_hours = -1;
	f->onset_age = -1;
	f->n_mentions = 1;
	f->n_spans = 1;
	f->spans[0] = f->start;
	f->spans[1] = f->end;
	f->polarity = it->negated ? SP_POLARITY_ABSENT
				  : sp_polarity (ctx, k, f->kind == SP_FINDING_CONDITION);
	cue = sp_family_cue (ctx, k);
	f->family = cue >= 0;
	if (f->family) {
		if (cue != st->relation_cue) {
			st->relation_cue = cue;
			st->relation = sp_relation (ctx, cue);
		}
		f->relation = st->relation;
		f->onset_age = sp_onset_age (ctx, cue, k);
	}
	f->historical = sp_historical (ctx, k);
	sp_condition_status (ctx, k, f);
	sp_attributes (ctx, k, f);
	if (f->polarity == SP_POLARITY_ABSENT) /* "pain 0/10" */
		f->status = SP_STATUS_NONE;
	sp_inherit_from_list (ctx, k, st->prev_k != G_MAXUINT ? &st->prev : NULL, st->prev_k, f);
	if (f->kind == SP_FINDING_ALLERGY && f->polarity != SP_POLARITY_ABSENT) {
		gint r = sp_reaction (ctx, k);
		if (r >= 0) {
			if (st->reactions == NULL)
				st->reactions = g_new0 (guint8, ctx->items->len / 8 + 1);
			st->reactions[r / 8] |= (guint8)(1u << (r % 8));
			f->reaction = g_ptr_array_index (ctx->parser->lexicon->concepts,
							 sp_item (ctx, (guint)r)->index);
		}
	}
	return sp_measure_fill (ctx, k, f);
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

static gboolean
sp_check_language (const gchar *language, GError **error)
{
	if (language == NULL || language[0] == '\0' || g_strcmp0 (language, "en") == 0
	    || g_strcmp0 (language, "zh") == 0)
		return TRUE;
	g_set_error (error, SP_PARSER_ERROR, SP_PARSER_ERROR_INVALID,
		     "language must be \"en\", \"zh\" or empty (detect)");
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
	ctx.nt = nt;
	ctx.tokens = tokens;
	ctx.items = g_array_new (FALSE, FALSE, sizeof (SpItem));

	units = sp_en_units (nt->text, tokens, keys);
	/* concepts, sites and cues are matched independently; overlaps are settled in
	 * sp_items_finish() */
	sp_match_en (&ctx, units, keys, self->lexicon->en_concepts);
	sp_match_en (&ctx, units, keys, self->lexicon->en_sites);
	sp_match_en (&ctx, units, keys, self->lexicon->en_cues);
	sp_match_zh (&ctx);
	sp_find_durations_en (&ctx);
	sp_find_durations_zh (&ctx);
	sp_find_scores_en (&ctx);
	sp_find_scores_zh (&ctx);
	sp_measure_find (&ctx);
	sp_find_breaks (&ctx);
	sp_items_finish (&ctx);
	sp_items_index (&ctx);
	other_prefix = ctx.other_prefix;

	for (guint k = 0; k < ctx.items->len; k++) {
		SpFinding f = { 0 };

		if ((sp_item (&ctx, k)->kind != SP_ITEM_CONCEPT
		     && sp_item (&ctx, k)->kind != SP_ITEM_MEASURE)
		    || !sp_finding_at (&ctx, k, &st, &f))
			continue;
		sp_findings_add (findings, seen, max_findings, &st.truncated, &f);
		st.prev = f;
		st.prev_k = k;
	}
	g_free (st.reactions);
	g_array_unref (ctx.items);
	g_clear_pointer (&ctx.measures, g_array_unref);
	if (language_out != NULL)
		*language_out = language != NULL && language[0] != '\0'
					? (g_strcmp0 (language, "zh") == 0 ? "zh" : "en")
					: sp_detect_language (&ctx);
	if (truncated_out != NULL)
		*truncated_out = st.truncated;
	return g_steal_pointer (&findings);
}
