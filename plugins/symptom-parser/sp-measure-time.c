/*
 * symptom-parser — when a measured value was taken (issue 11, round 5): a value the text places
 * earlier than another reading of the same measurement ("on admission", "baseline", "was",
 * "from", "pre-op", Tmax, 入院时, 最高, 原来, 孕前, 上次) is historical, and the later reading
 * ("now", "today", "on discharge", "->", "recheck", 现在, 复查, 复测, 降至) is the current one.
 *
 * Decision: only a value with another reading of its measurement in the text changes: the
 * blind annotators of all six dev sets mark a lone value current even when it is dated ("Vitals
 * on admission: T 101.8 F…", "HbA1c 7.2% last month": 578 lone values current, 10 historical),
 * while of the values that have a second reading 74 are historical and 123 current, the earlier
 * one told by exactly these cues.  A lone value keeps the temporality of its clause's history
 * cues (sp_past()).
 *
 * Cost: one bounded look left and right of each measure item (at most SP_MT_LEFT and
 * SP_MT_RIGHT bytes of text outside other readings) and one pass per measurement concept
 * through a hash table of its readings: linear in the number of items.
 */
#define G_LOG_DOMAIN "symptom-parser"

#include "sp-measure.h"
#include "sp-measure-private.h"

#include <math.h>
#include <string.h>

#define SP_MT_LEFT 40  /* bytes of words before a reading, other readings not counted */
#define SP_MT_RIGHT 24 /* bytes of words after it */
#define SP_MT_CROSS                                                                                \
	3 /* other readings a cue before them reaches through ("On arrival RR 28,                  \
	   * HR 118, SpO2 91%") */

/* a cue, and how it was found */
typedef enum {
	SP_MT_NONE = 0,
	SP_MT_PAST,
	SP_MT_NOW,
	/* a change: before the value it is the new one ("-> 96%", 降至75kg), after it the value
	 * was the old one ("78kg降至…", "91% on RA -> …") */
	SP_MT_CHANGE,
	/* "was", "were": past in an aside ("(was 99 kg)"), but the copula of a reading's own name
	 * ("sugar this week was 142 on Monday") says nothing */
	SP_MT_WEAK_PAST,
} SpMtCue;

typedef struct {
	const gchar *word;
	SpMtCue cue;
} SpMtWord;

/* English cues, matched as whole words of the normalised (case-folded) text.  "last" is not
 * one: "last HbA1c 8.6%" is the latest, "7.2% last month" is a single value anyway. */
static const SpMtWord sp_mt_en[] = {
	{ "admission", SP_MT_PAST },
	{ "admit", SP_MT_PAST },
	{ "arrival", SP_MT_PAST },
	{ "presentation", SP_MT_PAST },
	{ "baseline", SP_MT_PAST },
	{ "initially", SP_MT_PAST },
	{ "initial", SP_MT_PAST },
	{ "previously", SP_MT_PAST },
	{ "previous", SP_MT_PAST },
	{ "prior", SP_MT_PAST },
	{ "was", SP_MT_WEAK_PAST },
	{ "were", SP_MT_WEAK_PAST },
	{ "from", SP_MT_PAST },
	{ "pre-op", SP_MT_PAST },
	{ "preop", SP_MT_PAST },
	{ "pre-operative", SP_MT_PAST },
	{ "preoperative", SP_MT_PAST },
	{ "pre-treatment", SP_MT_PAST },
	{ "yesterday", SP_MT_PAST },
	{ "overnight", SP_MT_PAST },
	{ "tmax", SP_MT_PAST },
	{ "peak", SP_MT_PAST },
	{ "peaked", SP_MT_PAST },
	{ "home", SP_MT_PAST },
	{ "earlier", SP_MT_PAST },
	{ "originally", SP_MT_PAST },
	{ "ago", SP_MT_PAST },
	{ "january", SP_MT_PAST },
	{ "february", SP_MT_PAST },
	{ "march", SP_MT_PAST },
	{ "april", SP_MT_PAST },
	{ "june", SP_MT_PAST },
	{ "july", SP_MT_PAST },
	{ "august", SP_MT_PAST },
	{ "september", SP_MT_PAST },
	{ "october", SP_MT_PAST },
	{ "november", SP_MT_PAST },
	{ "december", SP_MT_PAST },
	{ "jan", SP_MT_PAST },
	{ "feb", SP_MT_PAST },
	{ "apr", SP_MT_PAST },
	{ "aug", SP_MT_PAST },
	{ "sep", SP_MT_PAST },
	{ "sept", SP_MT_PAST },
	{ "oct", SP_MT_PAST },
	{ "nov", SP_MT_PAST },
	{ "dec", SP_MT_PAST },
	{ "now", SP_MT_NOW },
	{ "today", SP_MT_NOW },
	{ "currently", SP_MT_NOW },
	{ "current", SP_MT_NOW },
	{ "discharge", SP_MT_NOW },
	{ "pre-discharge", SP_MT_NOW },
	{ "repeat", SP_MT_NOW },
	{ "repeated", SP_MT_NOW },
	{ "recheck", SP_MT_NOW },
	{ "rechecked", SP_MT_NOW },
	{ "re-check", SP_MT_NOW },
	{ "then", SP_MT_NOW },
	{ "later", SP_MT_NOW },
	{ "after", SP_MT_NOW },
	{ "afterwards", SP_MT_NOW },
	{ "->", SP_MT_NOW },
};

/* Chinese cues, matched as substrings (never a single character that other words contain:
 * 现 is in 出现, 由 in 由于, so those are written with their neighbour) */
static const SpMtWord sp_mt_zh[] = {
	{ "入院时", SP_MT_PAST }, { "入院", SP_MT_PAST },   { "就诊时", SP_MT_PAST },
	{ "发病时", SP_MT_PAST }, { "初诊", SP_MT_PAST },   { "既往", SP_MT_PAST },
	{ "之前", SP_MT_PAST },	  { "以前", SP_MT_PAST },   { "原来", SP_MT_PAST },
	{ "原先", SP_MT_PAST },	  { "术前", SP_MT_PAST },   { "孕前", SP_MT_PAST },
	{ "备孕", SP_MT_PAST },	  { "治疗前", SP_MT_PAST }, { "用药前", SP_MT_PAST },
	{ "当时", SP_MT_PAST },	  { "最高", SP_MT_PAST },   { "昨天", SP_MT_PAST },
	{ "昨日", SP_MT_PAST },	  { "前天", SP_MT_PAST },   { "上次", SP_MT_PAST },
	{ "上回", SP_MT_PAST },	  { "起初", SP_MT_PAST },   { "从", SP_MT_PAST },
	{ "由", SP_MT_PAST },	  { "曾", SP_MT_PAST },	    { "现在", SP_MT_NOW },
	{ "现测", SP_MT_NOW },	  { "现为", SP_MT_NOW },    { "目前", SP_MT_NOW },
	{ "今日", SP_MT_NOW },	  { "今天", SP_MT_NOW },    { "今晨", SP_MT_NOW },
	{ "复查", SP_MT_NOW },	  { "复测", SP_MT_NOW },    { "复评", SP_MT_NOW },
	{ "再测", SP_MT_NOW },	  { "降至", SP_MT_CHANGE }, { "降到", SP_MT_CHANGE },
	{ "降为", SP_MT_CHANGE }, { "掉到", SP_MT_CHANGE }, { "升至", SP_MT_CHANGE },
	{ "升到", SP_MT_CHANGE }, { "出院时", SP_MT_NOW },  { "出院前", SP_MT_NOW },
	{ "出院", SP_MT_NOW },	  { "本次", SP_MT_NOW },    { "此次", SP_MT_NOW },
	{ "治疗后", SP_MT_NOW },  { "用药后", SP_MT_NOW },
};

/* 由于, 由此 and 从不, 从未 are no start of a change */
static gboolean
sp_mt_zh_false (const gchar *at, const gchar *end, const gchar *word)
{
	const gchar *after = at + strlen (word);
	static const gchar *const follow[] = { "于", "此", "不", "未", "来没", "小" };

	if (strcmp (word, "由") != 0 && strcmp (word, "从") != 0 && strcmp (word, "曾") != 0)
		return FALSE;
	for (guint i = 0; i < G_N_ELEMENTS (follow); i++) {
		gsize n = strlen (follow[i]);
		if ((gsize)(end - after) >= n && memcmp (after, follow[i], n) == 0)
			return TRUE;
	}
	return FALSE;
}

/* Is the English cue @w the word [@p, @q)? */
static SpMtCue
sp_mt_en_word (const gchar *p, const gchar *q)
{
	for (guint i = 0; i < G_N_ELEMENTS (sp_mt_en); i++) {
		const gchar *w = sp_mt_en[i].word;
		if (strlen (w) == (gsize)(q - p) && memcmp (p, w, (gsize)(q - p)) == 0)
			return sp_mt_en[i].cue;
	}
	return SP_MT_NONE;
}

/* The Chinese cue at @p (the longest), its end in @q; or SP_MT_NONE. */
static SpMtCue
sp_mt_zh_at (const gchar *p, const gchar *to, const gchar **q)
{
	SpMtCue cue = SP_MT_NONE;
	gsize best = 0;

	for (guint i = 0; i < G_N_ELEMENTS (sp_mt_zh); i++) {
		const gchar *w = sp_mt_zh[i].word;
		gsize n = strlen (w);
		if (n > best && (gsize)(to - p) >= n && memcmp (p, w, n) == 0
		    && !sp_mt_zh_false (p, to, w)) {
			cue = sp_mt_zh[i].cue;
			best = n;
		}
	}
	*q = p + best;
	return cue;
}

/* The cue in [@from, @to) nearest to the value: the last one when the value is at @to
 * (@before), else the first.  Words are whole words of the normalised (case-folded) text. */
static SpMtCue
sp_mt_cue_in (const gchar *from, const gchar *to, gboolean before)
{
	SpMtCue best = SP_MT_NONE;
	const gchar *p = from;

	while (p < to) {
		const gchar *q = p + 1;
		SpMtCue c = SP_MT_NONE;

		if (g_ascii_isalpha (*p)) {
			while (q < to && (g_ascii_isalnum (*q) || *q == '-'))
				q++;
			c = sp_mt_en_word (p, q);
		} else if (*p == '-' && q < to && *q == '>') {
			q++;
			c = SP_MT_CHANGE;
		} else if ((guchar)*p >= 0xe0) {
			c = sp_mt_zh_at (p, to, &q);
			if (c == SP_MT_NONE)
				q = p + 1;
			if (c == SP_MT_NONE && to - p >= 3 && memcmp (p, "\u2192", 3) == 0)
				c = SP_MT_CHANGE; /* → */
		} else if (g_ascii_isdigit (*p)) {
			/* "t2", "spo2": a digit inside a word is part of it */
			while (q < to && g_ascii_isalnum (*q))
				q++;
		}
		if (c != SP_MT_NONE) {
			best = c;
			if (!before)
				return best;
		}
		p = q;
	}
	return best;
}

/* Does the byte at @p end what a reading's words may span: a sentence, a clause, an aside? */
static gboolean
sp_mt_stop (const gchar *text, const gchar *p, const gchar *end)
{
	switch (*p) {
	case ';':
	case '\n':
	case '(':
	case ')':
	case ',':
	case ':':
	case '!':
	case '?':
		return TRUE;
	case '.':
		/* a decimal point is no sentence end */
		return !(p > text && g_ascii_isdigit (p[-1]) && p + 1 < end
			 && g_ascii_isdigit (p[1]));
	default:
		break;
	}
	return (end - p >= 3 && memcmp (p, "\u3002", 3) == 0); /* 。 */
}

/* The measure item that covers byte @pos, searching back from item @k; or -1. */
static gint
sp_mt_measure_at (SpCtx *ctx, guint k, gsize pos)
{
	/* items are in text order: one that ends well before @pos has no reading after it that
	 * could cover @pos but those seen already */
	for (gint j = (gint)k, n = 0; j >= 0 && n < 32; j--, n++) {
		const SpItem *it = sp_item (ctx, (guint)j);
		if (it->kind == SP_ITEM_MEASURE && it->start <= pos && pos < it->end)
			return j;
		if ((gsize)it->end + 64 < pos)
			return -1;
	}
	return -1;
}

/* What a cue before a value says: a change names the new value; "was" only counts outside the
 * reading's own name and value (@own FALSE). */
static SpMtCue
sp_mt_as_left (SpMtCue c, gboolean own)
{
	if (c == SP_MT_CHANGE)
		return SP_MT_NOW;
	if (c == SP_MT_WEAK_PAST)
		return own ? SP_MT_NONE : SP_MT_PAST;
	return c;
}

/* The cue before the reading of item @k, its own name included (Tmax, 最高体温, "HR on
 * admission 128"), or before a list of readings it ends ("On arrival RR 28, HR 118, SpO2 91%"). */
static SpMtCue
sp_mt_left (SpCtx *ctx, guint k)
{
	const gchar *text = ctx->nt->text;
	const SpItem *it = sp_item (ctx, k);
	const gchar *end = text + ctx->nt->len;
	gsize pos = it->start;
	guint budget = SP_MT_LEFT;
	SpMtCue cue = sp_mt_as_left (sp_mt_cue_in (text + it->start, text + it->end, TRUE), TRUE);

	if (cue != SP_MT_NONE)
		return cue;
	for (guint crossed = 0; crossed <= SP_MT_CROSS; crossed++) {
		gsize from = pos;
		gsize q;
		gint m;

		while (from > 0 && budget > 0 && !sp_mt_stop (text, text + from - 1, end)) {
			m = sp_mt_measure_at (ctx, k, from - 1);
			if (m >= 0 && (guint)m != k)
				break;
			from--;
			budget--;
		}
		cue = sp_mt_as_left (sp_mt_cue_in (text + from, text + pos, TRUE), FALSE);
		if (cue != SP_MT_NONE || from == 0 || budget == 0)
			return cue;
		/* go on through the reading before, past the comma or space between them */
		q = from;
		if (text[q - 1] == ',')
			q--;
		while (q > 0 && text[q - 1] == ' ')
			q--;
		/* ...not through another reading of the same measurement: that one has its own
		 * time (孕前体重52kg，现体重61kg) */
		if (q == 0 || (m = sp_mt_measure_at (ctx, k, q - 1)) < 0 || (guint)m == k
		    || sp_item (ctx, (guint)m)->index == it->index)
			return SP_MT_NONE;
		pos = sp_item (ctx, (guint)m)->start;
	}
	return SP_MT_NONE;
}

/* The cue right after the reading of item @k, up to the next reading (whose cue is its own), an
 * aside's end or a clause end.  A change after a value makes it the old one ("78kg降至75kg",
 * "91% on RA -> 96%"). */
static SpMtCue
sp_mt_right (SpCtx *ctx, guint k)
{
	const gchar *text = ctx->nt->text;
	const gchar *end = text + ctx->nt->len;
	gsize from = sp_item (ctx, k)->end;
	gsize to = from;
	gsize next = ctx->nt->len;
	SpMtCue cue;

	for (guint k2 = k + 1; k2 < ctx->items->len; k2++) {
		if (sp_item (ctx, k2)->kind == SP_ITEM_MEASURE) {
			next = sp_item (ctx, k2)->start;
			break;
		}
		if (sp_item (ctx, k2)->start > from + SP_MT_RIGHT)
			break;
	}
	while (to < ctx->nt->len && to < from + SP_MT_RIGHT && to < next
	       && !sp_mt_stop (text, text + to, end))
		to++;
	cue = sp_mt_cue_in (text + from, text + to, FALSE);
	return cue == SP_MT_CHANGE || cue == SP_MT_WEAK_PAST ? SP_MT_PAST : cue;
}

/* Is item @k the diastolic of the systolic item @k - 1 ("140/90", "140 over 90")? */
static gboolean
sp_mt_is_diastolic (SpCtx *ctx, guint k)
{
	const SpLexicon *lex = ctx->parser->lexicon;
	const SpItem *a;
	const SpItem *b = sp_item (ctx, k);
	const SpConcept *ca;
	const SpConcept *cb;

	if (k == 0 || b->kind != SP_ITEM_MEASURE)
		return FALSE;
	a = sp_item (ctx, k - 1);
	if (a->kind != SP_ITEM_MEASURE || b->start < a->end || b->start - a->end > 6)
		return FALSE;
	ca = g_ptr_array_index (lex->concepts, a->index);
	cb = g_ptr_array_index (lex->concepts, b->index);
	return g_strcmp0 (ca->code, "LOINC:8480-6") == 0
	       && g_strcmp0 (cb->code, "LOINC:8462-4") == 0;
}

/* the readings of one measurement concept, in text order */
typedef struct {
	GArray *at; /* guint: item indices */
} SpMtGroup;

static void
sp_mt_group_free (gpointer p)
{
	SpMtGroup *g = p;
	g_array_unref (g->at);
	g_free (g);
}

/* Two readings are one when their values are equal, or when the second converts the first
 * right beside it ("82 kg (180 lb)", 97mg/dL（5.4mmol/L）); "Tmax 100.4 … T 37.9 C" are two. */
static gboolean
sp_mt_same_value (SpCtx *ctx, guint a, guint b)
{
	const SpItem *ia = sp_item (ctx, MIN (a, b));
	const SpItem *ib = sp_item (ctx, MAX (a, b));
	const SpValue *x = &g_array_index (ctx->measures, SpValue, (guint)ia->value);
	const SpValue *y = &g_array_index (ctx->measures, SpValue, (guint)ib->value);
	gdouble big = MAX (fabs (x->value), fabs (y->value));

	if (fabs (x->value - y->value) <= 1e-9 * (big + 1))
		return TRUE;
	return ib->start >= ia->end && ib->start - ia->end <= 4
	       && g_strcmp0 (x->original_unit, y->original_unit) != 0
	       && fabs (x->value - y->value) <= 0.02 * big;
}

/* Settles the readings of one concept: see the file's comment.  Linear in their number. */
static void
sp_mt_settle (SpCtx *ctx, GArray *at, const guint8 *cue)
{
	gboolean distinct = FALSE;
	gboolean any_past = FALSE;
	gboolean any_other = FALSE;
	gint last_now = -1;

	for (guint i = 1; i < at->len && !distinct; i++)
		distinct = !sp_mt_same_value (ctx, g_array_index (at, guint, 0),
					      g_array_index (at, guint, i));
	if (!distinct)
		return;
	for (guint i = 0; i < at->len; i++) {
		guint8 c = cue[g_array_index (at, guint, i)];
		any_past |= c == SP_MT_PAST;
		any_other |= c != SP_MT_PAST;
		if (c == SP_MT_NOW)
			last_now = (gint)i;
	}
	for (guint i = 0; i < at->len; i++) {
		guint k = g_array_index (at, guint, i);
		guint8 t = SP_MEASURE_TIME_ASIS;

		if (cue[k] == SP_MT_PAST)
			/* dated, and another reading is not: that one is the current value */
			t = any_other ? SP_MEASURE_TIME_PAST : SP_MEASURE_TIME_ASIS;
		else if (cue[k] == SP_MT_NOW)
			t = SP_MEASURE_TIME_NOW;
		else if ((gint)i < last_now
			 && !sp_mt_same_value (ctx, k, g_array_index (at, guint, (guint)last_now)))
			/* an unmarked reading before one that is "now" is the earlier one */
			t = SP_MEASURE_TIME_PAST;
		else if (any_past)
			/* the reading a dated one is compared with is the current one */
			t = SP_MEASURE_TIME_NOW;
		ctx->measure_time[(guint)sp_item (ctx, k)->value] = t;
	}
}

void
sp_measure_times (SpCtx *ctx)
{
	g_autoptr (GHashTable) groups = NULL;
	g_autofree guint8 *cue = NULL;
	GHashTableIter iter;
	gpointer value;

	if (ctx->measures == NULL || ctx->measures->len == 0)
		return;
	ctx->measure_time = g_new0 (guint8, ctx->measures->len);
	cue = g_new0 (guint8, ctx->items->len);
	groups = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, sp_mt_group_free);
	for (guint k = 0; k < ctx->items->len; k++) {
		const SpItem *it = sp_item (ctx, k);
		SpMtGroup *g;
		SpMtCue left;
		SpMtCue right;

		if (it->kind != SP_ITEM_MEASURE)
			continue;
		if (sp_mt_is_diastolic (ctx, k)) {
			/* the pair is one reading: its cue is the systolic's, told on either side
			 */
			right = sp_mt_right (ctx, k);
			if (right != SP_MT_NONE)
				cue[k - 1] = right;
			cue[k] = cue[k - 1];
		} else {
			left = sp_mt_left (ctx, k);
			right = sp_mt_right (ctx, k);
			/* the nearest word says it: a cue right after the value, then one just
			 * before it, then one before a list of readings it belongs to */
			cue[k] = right != SP_MT_NONE ? right : left;
		}
		g = g_hash_table_lookup (groups, GUINT_TO_POINTER (it->index + 1));
		if (g == NULL) {
			g = g_new0 (SpMtGroup, 1);
			g->at = g_array_new (FALSE, FALSE, sizeof (guint));
			g_hash_table_insert (groups, GUINT_TO_POINTER (it->index + 1), g);
		}
		g_array_append_val (g->at, k);
	}
	g_hash_table_iter_init (&iter, groups);
	while (g_hash_table_iter_next (&iter, NULL, &value)) {
		SpMtGroup *g = value;
		if (g->at->len > 1)
			sp_mt_settle (ctx, g->at, cue);
	}
}
