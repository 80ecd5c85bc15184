/*
 * symptom-parser — durations ("for 3 days", 三天, 半个月, "since yesterday") and pain scores
 * ("7/10", 7分) as items of a parse, in English and Chinese.
 */
#define G_LOG_DOMAIN "symptom-parser"

#include "sp-ctx.h"

#include <math.h>
#include <string.h>

gint
sp_tok_which (SpCtx *ctx, guint i, SpWords *words)
{
	const MvToken *t;
	const guint16 *ix;
	guint n_ix;

	if (i >= ctx->tokens->len)
		return -1;
	t = &g_array_index (ctx->tokens, MvToken, i);
	if (t->end == t->start)
		return -1;
	ix = sp_words_starting (words, ctx->nt->text[t->start], &n_ix);
	for (guint k = 0; k < n_ix; k++) {
		if (sp_bytes_are (ctx->nt->text + t->start, t->end - t->start, words->words[ix[k]]))
			return ix[k];
	}
	return -1;
}

gboolean
sp_tok_in (SpCtx *ctx, guint i, const gchar *const *words)
{
	const MvToken *t;
	const gchar *s;
	gsize n;

	if (i >= ctx->tokens->len)
		return FALSE;
	t = &g_array_index (ctx->tokens, MvToken, i);
	s = ctx->nt->text + t->start;
	n = t->end - t->start;
	for (guint k = 0; words[k] != NULL; k++) {
		if (sp_bytes_are (s, n, words[k]))
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
		= { "a",     "one",  "two", "three",  "four",	"five", "six",	  "seven",
		    "eight", "nine", "ten", "eleven", "twelve", "an",	"couple", NULL };
	static const gdouble values[] = { 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2 };
	static SpWords index = SP_WORDS_INIT (words);
	gint k = sp_tok_which (ctx, i, &index);

	return k >= 0 ? values[k] : -1;
}

/* Is "a"/"an"/"per" at @i the rate of a count rather than a duration: "20 cigarettes a day",
 * "3 times a day", "twice a week", "1 pack a day"?  A count says how often, not how long. */
static gboolean
sp_is_rate (SpCtx *ctx, guint i)
{
	static const gchar *const often[] = { "once", "twice", "thrice", "times", NULL };
	const MvToken *prev;

	if (!(sp_tok_is (ctx, i, "a") || sp_tok_is (ctx, i, "an")) || i == 0)
		return FALSE;
	if (sp_tok_in (ctx, i - 1, often))
		return TRUE;
	prev = &g_array_index (ctx->tokens, MvToken, i - 1);
	if (prev->kind == MV_TOKEN_NUMBER)
		return TRUE;
	/* "20 cigarettes a day", "two packs a day" */
	return i >= 2 && prev->kind == MV_TOKEN_WORD
	       && (g_array_index (ctx->tokens, MvToken, i - 2).kind == MV_TOKEN_NUMBER
		   || sp_en_number_word (ctx, i - 2) > 1);
}

/* Is the number at token @first, its unit at @unit_tok, in brackets right after a word for a
 * child ("our baby (8 months)", "my son (4 yrs)")?  Then it is the child's age, as parents
 * open a consultation, not how long anything has lasted. */
static gboolean
sp_child_age_in_brackets (SpCtx *ctx, guint first, guint unit_tok)
{
	static const gchar *const children[]
		= { "baby",    "babies",  "son",      "daughter",      "child",
		    "kid",     "toddler", "infant",   "boy",	       "girl",
		    "newborn", "twins",	  "grandson", "granddaughter", NULL };

	return first >= 2 && sp_tok_is (ctx, first - 1, "(") && sp_tok_in (ctx, first - 2, children)
	       && sp_tok_is (ctx, unit_tok + 1, ")");
}

/* English durations: "3 days", "3days", "a week", "2-3 weeks", "half a day", "since yesterday",
 * "the past week", "1.5 hours". */
void
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
			/* "x3 days"; "x3d", "x2wk": the chart's glued count of days */
			g_autofree gchar *num
				= g_strndup (text + t->start + 1, t->end - t->start - 1);
			gchar *e = NULL;
			value = g_ascii_strtod (num, &e);
			if (e == num)
				continue;
			if (*e != '\0') {
				hours = sp_en_unit_hours (e, strlen (e));
				if (hours > 0)
					sp_add_item (ctx, SP_ITEM_DURATION, t->start, t->end, 0,
						     value * hours);
				continue;
			}
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
			if (value < 0 || sp_is_rate (ctx, i))
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
			/* "our baby (8 months) has a rash": a child's age in brackets */
			if (sp_child_age_in_brackets (ctx, first, unit_tok))
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
void
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

gboolean
sp_has_prefix (const gchar *p, const gchar *end, const gchar *s, const gchar **after)
{
	gsize n = strlen (s);
	if ((gsize)(end - p) < n || memcmp (p, s, n) != 0)
		return FALSE;
	*after = p + n;
	return TRUE;
}

gint
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
const gchar *
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
void
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

		/* every Chinese duration starts with a Han character or a digit: the rest of an
		 * English note is passed at once (it was a fifth of an English parse) */
		if ((guchar)*p < 0x80 && !g_ascii_isdigit (*p)) {
			prev_digit = *p == '.';
			p++;
			continue;
		}
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
void
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
