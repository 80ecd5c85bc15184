/*
 * symptom-parser — reading a measurement's value after its name (see sp-measure.h): the words
 * between name and value, a number or a blood-pressure pair, feet and inches, Chinese forms
 * (38度5, 1米7), a unit of the measurement, and what makes a number something else (a range, a
 * time, a count).  Works on the normalised text; every scan is bounded.
 */
#define G_LOG_DOMAIN "symptom-parser"

#include "sp-measure-private.h"
#include "sp-words.h"

#include <math.h>
#include <string.h>

/* Words between a name and its value: "BP: 140/90", "temp of 38.5", "BP was 140/90", "sugar went
 * up to 300", "heart rate in the 110s", 体温为38.5, VAS评分5分, 血压测得150/95, 血压一直在160/100,
 * 血氧掉到88%.  The longest one at a place is taken. */
/* clang-format off */
static const gchar *const sp_connectors[] = {
	":", "=", "-", ",", "~", ".", "(", "of", "was", "is", "are", "at", "were", "be", "been", "has been",
	"have been", "had been", "reading", "readings", "reading of", "read", "reads", "measured",
	"about", "approx", "approximately", "around", "roughly", "today", "now", "noted", "recorded",
	"again", "still", "only", "just", "a", "as", "from", "in the", "in", "the", "level", "levels",
	"value", "values", "result", "showed", "shows", "showing", "i", "he", "she", "it", "up to",
	"as high as", "as low as", "to", "reaching", "reached", "peaked at", "peaking at",
	"dropped to", "dropping to", "drops to", "dropped", "fell to", "fallen to", "falling to",
	"went up to", "went down to", "went to", "went", "goes up to", "came down to", "came back",
	"rose to", "risen to", "rising to", "climbed to", "climbing to", "spiked to", "spiking to",
	"spiked", "jumped to", "shot up to", "up", "down", "increased to", "decreased to",
	"improved to", "running", "runs", "ran", "hovering around", "hovering at", "stable at",
	"challenge", "check", "checked", "recheck", "repeat", "high", "low", "elevated",
	"avg", "average", "averaging", "averages", "mean", "on", "admission", "on admission", "at admission", "on arrival", "arrival", "initially",
	"initial", "results", "back", "total", "said", "says", "mon", "tue", "wed", "thu", "fri",
	"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
	"也", "从", "能", "能到", "可达", "可以到", "like", "hit", "hits", "hitting", "usually", "always", "mostly", "sometimes", "typically",
	"sitting", "seated", "standing", "supine", "lying", "lying down", "upright", "manual",
	"home", "clinic", "office", "left arm", "right arm", "calculated", "estimated",
	"为", "是", "测", "测得", "测了", "测的", "量", "量了", "量的", "量得", "约", "达", "评分", "值",
	"指数", "量表", "得分", "总分", /* "Barthel指数 65分": a scale's Latin name, then its kind */
	"在", "大概", "大约", "左右", "有", "最高", "高达", "高至", "升至", "升到", "降至", "降到", "低至",
	"掉到", "到", "达到", "波动在", "维持在", "控制在", "一般", "一直", "一直在", "都", "还", "还是",
	"已经", "只有", "就", "又", "了", "每分钟", "每分", "偏高", "偏低", "烧到", "发烧到",
	"到过", "达到过", "曾经", "曾", "自测", "平时", "由", "原来", "原先", "才", "只", "仅", "坐位", "卧位",
	"立位", "站立位", "平卧位", "左上肢", "右上肢", "左臂", "右臂",
	NULL,
};
/* clang-format on */

/* a parenthesised word between name and value: "Temp (oral) 37.8", 体温(腋下)38.5, 糖化血红蛋白
 * (HbA1c)8.2%; not a reading of its own ("(3 months ago 8.0%)", "(2 days ago)") */
static const gchar *
sp_m_skip_aside (const gchar *p, const gchar *end)
{
	gboolean digits = FALSE;
	gboolean marks = FALSE;
	const gchar *q;

	if (p >= end || *p != '(' || (p + 1 < end && g_ascii_isdigit (p[1])))
		return NULL;
	for (q = p + 1; q < end && q - p <= 16; q++) {
		if (*q == ')')
			return q > p + 1 && !(digits && marks) ? q + 1 : NULL;
		if (*q == '\n' || *q == '(' || (*q == ' ' && q + 1 < end && g_ascii_isdigit (q[1])))
			return NULL;
		digits = digits || g_ascii_isdigit (*q);
		marks = marks || strchr (".%/", *q) != NULL;
	}
	return NULL;
}

const gchar *
sp_m_skip_connectors (const gchar *p, const gchar *end)
{
	static SpWords connectors = SP_WORDS_INIT (sp_connectors);

	for (guint n = 0; n < 4; n++) {
		const gchar *q = sp_m_skip_aside (sp_m_skip_spaces (p, end), end);
		const guint16 *ix;
		guint n_ix = 0;
		p = sp_m_skip_spaces (p, end);
		ix = p < end ? sp_words_starting (&connectors, *p, &n_ix) : NULL;
		for (guint i = 0; i < n_ix; i++) {
			const gchar *r = sp_m_word_at (p, end, sp_connectors[ix[i]]);
			if (r != NULL && (q == NULL || r > q))
				q = r;
		}
		if (q == NULL)
			break;
		p = q;
	}
	return sp_m_skip_spaces (p, end);
}

/* ---- Chinese numerals: 三十九, 三十八点五, 一百二十 ---- */

/* the Chinese digit at @p (零 to 九, 两, 〇: sp_zh_digit()), the position after it in @next; or -1
 */
static gint
sp_m_zh_digit_at (const gchar *p, const gchar *end, const gchar **next)
{
	gint d;

	if (p >= end || (guchar)*p < 0x80 || g_ascii_isdigit (*p))
		return -1;
	d = sp_zh_digit (g_utf8_get_char (p));
	if (d >= 0)
		*next = g_utf8_next_char (p);
	return d;
}

/* A Chinese number up to 999 with at most two decimals after 点 (三十九, 三十八点五, 一百二十,
 * 一百二), or NULL.  A lone 十 is 10, 十五 15; 一百二 is 120 as people say it.  sp_zh_number()
 * (durations) reads neither the decimals nor the shortened hundreds, which values need. */
const gchar *
sp_m_zh_number (const gchar *p, const gchar *end, gdouble *value)
{
	const gchar *q = p;
	const gchar *r;
	gdouble v = 0;
	gint d = sp_m_zh_digit_at (q, end, &r);
	gboolean any = FALSE;
	const gchar *h = d >= 0 ? sp_m_word_at (r, end, "百") : NULL;

	if (h != NULL) {
		v = 100 * d;
		q = h;
		any = TRUE;
		d = sp_m_zh_digit_at (q, end, &r);
		if (d >= 0 && sp_m_word_at (r, end, "十") == NULL) {
			/* 一百二: 120; 一百零五: 105 */
			const gchar *s;
			gint d2 = d == 0 ? sp_m_zh_digit_at (r, end, &s) : -1;
			if (d2 > 0) {
				*value = v + d2;
				return s;
			}
			*value = v + 10 * d;
			/* 一百二三: "120 or 130", the first is said; 一百四五十 too */
			if (sp_m_zh_digit_at (r, end, &s) > d) {
				const gchar *ten = sp_m_word_at (s, end, "十");
				return ten != NULL ? ten : s;
			}
			return r;
		}
	}
	if (d >= 0 && (h = sp_m_word_at (r, end, "十")) != NULL) {
		v += 10 * d;
		q = h;
		any = TRUE;
	} else if (d < 0 && (h = sp_m_word_at (q, end, "十")) != NULL) {
		v += 10;
		q = h;
		any = TRUE;
	}
	d = sp_m_zh_digit_at (q, end, &r);
	if (d > 0 || (d == 0 && !any)) {
		v += d;
		q = r;
		/* 七八 ("seven or eight"), 三十七八: the first figure is said (decision, README) */
		if (d > 0 && d < 9 && sp_m_zh_digit_at (q, end, &r) == d + 1
		    && sp_m_word_at (r, end, "十") == NULL && sp_m_word_at (r, end, "百") == NULL)
			q = r;
		any = TRUE;
	}
	if (!any)
		return NULL;
	if ((r = sp_m_word_at (q, end, "点")) != NULL) {
		gdouble scale = 0.1;
		const gchar *s;
		for (guint n = 0; n < 2 && (d = sp_m_zh_digit_at (r, end, &s)) >= 0; n++) {
			v += d * scale;
			scale /= 10;
			r = s;
			q = s;
		}
	}
	*value = v;
	return q;
}

/* "5'10\"", "5 ft 10 in", "5 feet 10": a height in inches; @p is after the feet number. */
static const gchar *
sp_m_feet_inches (const gchar *p, const gchar *end, gdouble feet, gdouble *inches)
{
	static const gchar *const ft[] = { "'", "ft", "feet", "foot", NULL };
	static const gchar *const in[] = { "''", "\"", "in", "inch", "inches", NULL };
	const gchar *q = NULL;
	const gchar *r;
	gdouble extra = 0;

	p = sp_m_skip_spaces (p, end);
	for (guint i = 0; ft[i] != NULL && q == NULL; i++)
		q = sp_m_word_at (p, end, ft[i]);
	if (q == NULL)
		return NULL;
	*inches = feet * 12;
	p = sp_m_skip_spaces (q, end);
	r = sp_m_number (p, end, &extra);
	if (r == NULL)
		return q;
	if (extra >= 12) { /* "5'99\"": not a height */
		*inches = -1;
		return q;
	}
	*inches += extra;
	p = sp_m_skip_spaces (r, end);
	for (guint i = 0; in[i] != NULL; i++) {
		q = sp_m_word_at (p, end, in[i]);
		if (q != NULL)
			return q;
	}
	return r;
}

/* a time or count word after a number: "2 hr 30 min", 发烧3天, 痛了3次 */
static gboolean
sp_m_is_time (const gchar *q, const gchar *end)
{
	static const gchar *const times[]
		= { "min",  "mins",  "minute", "minutes", "sec",     "secs",  "seconds",
		    "hour", "hours", "hrs",    "day",	  "days",    "分钟",  "小时",
		    "天",   "秒",    "次",     "times",	  "week",    "weeks", "wk",
		    "wks",  "month", "months", "mo",	  "mos",     "year",  "years",
		    "yr",   "yrs",   "周",     "个月",	  "月",	     "年",    "星期",
		    "am",   "pm",    "a.m",    "p.m",	  "o'clock", "点钟",  NULL };
	const gchar *s = sp_m_skip_spaces (q, end);

	for (guint i = 0; times[i] != NULL; i++) {
		if (sp_m_word_at (s, end, times[i]) != NULL)
			return TRUE;
	}
	return FALSE;
}

/* "110s", "150s/90s", "in the 200s": a decade; the value is its first number (decision: the
 * lower bound, README).  @q is after the number. */
static const gchar *
sp_m_decade (const gchar *q, const gchar *end, gdouble value)
{
	if (q < end && *q == 's' && !sp_m_is_word_byte (q + 1, end) && value >= 20
	    && fmod (value, 10) == 0 && q[-1] != '.')
		return q + 1;
	return q;
}

/* The upper end of a range at @q ("-110", "~7.2", " to 3.0", 至39, 到39): its value in @value,
 * its start in @start, and the end of it; or NULL. */
static const gchar *
sp_m_range (const gchar *q, const gchar *end, gdouble *value, const gchar **start)
{
	const gchar *r = sp_m_skip_spaces (q, end);
	const gchar *t = NULL;

	if (r < end && (*r == '-' || *r == '~'))
		t = r + 1;
	else if ((t = sp_m_word_at (r, end, "to")) == NULL
		 && (t = sp_m_word_at (r, end, "至")) == NULL)
		t = sp_m_word_at (r, end, "到");
	if (t == NULL)
		return NULL;
	*start = sp_m_skip_spaces (t, end);
	r = sp_m_number (*start, end, value);
	return r != NULL ? sp_m_decade (r, end, *value) : NULL;
}

/* The diastolic number of "a/b" or "a over b" at @q (after the systolic); NULL if none. */
static const gchar *
sp_m_pair (const gchar *q, const gchar *end, gboolean zh_number, SpRaw *raw)
{
	const gchar *s = sp_m_skip_spaces (q, end);
	const gchar *t = NULL;
	const gchar *more;

	/* 140多/90多: "more than" after each number (the number is what was said) */
	if ((more = sp_m_word_at (s, end, "多")) != NULL)
		s = more;
	if (s < end && *s == '/')
		t = s + 1;
	else
		t = sp_m_word_at (s, end, "over");
	if (t == NULL)
		return NULL;
	t = sp_m_skip_spaces (t, end);
	raw->value2_start = t;
	q = sp_m_number (t, end, &raw->value2);
	/* 血压一百四十/九十: a pair said in Chinese numerals is Chinese on both sides */
	if (q == NULL && zh_number)
		q = sp_m_zh_number (t, end, &raw->value2);
	if (q == NULL)
		return NULL;
	raw->pair = TRUE;
	q = sp_m_decade (q, end, raw->value2);
	raw->value2_end = q;
	if ((more = sp_m_word_at (q, end, "多")) != NULL)
		q = more;
	/* "135-145/85-90" */
	if (raw->hi_start != NULL) {
		const gchar *r = sp_m_range (q, end, &raw->value2_hi, &raw->hi2_start);
		if (r != NULL) {
			raw->hi2_end = r;
			q = r;
		}
	}
	return q;
}

/* The unit after the value (and the digits Chinese writes after it: 38度5, 38度五, 1米7, 一米七);
 * returns the end of what was read. */
static const gchar *
sp_m_unit (const gchar *q, const gchar *end, SpMKind kind, SpRaw *raw)
{
	const SpUnitWord *unit = NULL;
	const gchar *u
		= sp_m_unit_at (sp_m_skip_spaces (q, end), end, sp_mkinds[kind].accepted, &unit);
	const gchar *r;
	gint d;

	/* 120多次, 60余次: "more than" between number and unit (the number is what was said) */
	if (u == NULL
	    && ((r = sp_m_word_at (q, end, "多")) != NULL
		|| (r = sp_m_word_at (q, end, "余")) != NULL))
		u = sp_m_unit_at (r, end, sp_mkinds[kind].accepted, &unit);

	if (u == NULL)
		return q;
	raw->unit = unit->unit;
	raw->zh = unit->zh;
	q = u;
	if (raw->unit == SP_U_CEL && sp_starts (unit->word, "度")) {
		/* "38度5", 三十八度五: 38.5 */
		if (q < end && g_ascii_isdigit (*q) && !sp_m_is_word_byte (q + 1, end)) {
			raw->value += (*q - '0') / 10.0;
			q++;
		} else if ((d = sp_m_zh_digit_at (q, end, &r)) > 0
			   && sp_m_zh_digit_at (r, end, &u) < 0
			   && sp_m_word_at (r, end, "十") == NULL) {
			raw->value += d / 10.0;
			q = r;
		}
	} else if (raw->unit == SP_U_LB) {
		/* "7 lb 4 oz": a baby's weight in pounds and ounces */
		gdouble oz;
		const gchar *t = sp_m_number (sp_m_skip_spaces (q, end), end, &oz);
		const gchar *o = t != NULL ? sp_m_skip_spaces (t, end) : NULL;
		if (o != NULL && oz < 16
		    && ((r = sp_m_word_at (o, end, "oz")) != NULL
			|| (r = sp_m_word_at (o, end, "ounces")) != NULL)) {
			raw->value += oz / 16;
			q = r;
		}
	} else if (raw->unit == SP_U_M && unit->zh) {
		/* "1米7" (1.7 m), "1米70", "1米75", 一米七 */
		const gchar *t = q;
		guint n = 0;
		gdouble frac = 0;
		gdouble scale = 0.1;
		while (t < end && n < 2 && g_ascii_isdigit (*t)) {
			frac += (*t++ - '0') * scale;
			scale /= 10;
			n++;
		}
		while (n < 2 && !g_ascii_isdigit (*t) && (d = sp_m_zh_digit_at (t, end, &r)) >= 0) {
			frac += d * scale; /* 一米七五 */
			scale /= 10;
			t = r;
			n++;
		}
		if (n > 0 && !g_ascii_isdigit (*t)) {
			raw->value += frac;
			q = t;
		}
	}
	return q;
}

/* Does a Chinese numeral with no unit end at @q: 二十多, 一百二左右, 一百二。 (not 一下, 一次)? */
static gboolean
sp_m_zh_number_ends (const gchar *q, const gchar *end)
{
	static const gchar *const tails[] = { "多", "左右", "几", "余", "来", "的", NULL };

	if (!sp_m_is_han_at (q, end))
		return TRUE;
	for (guint i = 0; tails[i] != NULL; i++) {
		if (sp_m_word_at (q, end, tails[i]) != NULL)
			return TRUE;
	}
	return FALSE;
}

/* A value of @kind at @p (after the connectors): number, maybe a second after '/' or "over",
 * maybe a unit of the kind.  The unit is checked, the plausibility is not.  A Chinese numeral
 * counts only with its unit (体重一百二十斤, 烧到三十九度): 三天, 一次 are no values. */
gboolean
sp_m_read_value (const gchar *p, const gchar *end, SpMKind kind, SpRaw *raw)
{
	return sp_m_read_value_full (p, end, kind, FALSE, raw);
}

/* As sp_m_read_value(); @change: the text said "from", so "9 to 6.5" is a change (two readings,
 * the second read as a further value), not a range. */
gboolean
sp_m_read_value_full (const gchar *p, const gchar *end, SpMKind kind, gboolean change, SpRaw *raw)
{
	gboolean zh_number = FALSE;
	const gchar *q;

	memset (raw, 0, sizeof (*raw));
	raw->kind = kind;
	raw->value_start = p;
	q = sp_m_number (p, end, &raw->value);
	if (q == NULL) {
		if ((q = sp_m_zh_number (p, end, &raw->value)) == NULL)
			return FALSE;
		zh_number = TRUE;
	}
	q = sp_m_decade (q, end, raw->value);
	raw->value_end = q;
	/* a range of readings is two readings (decision, README): "HR 100-110", 空腹5.8~7.2; an
	 * INR or an ejection fraction range is a target or an estimate, not two readings */
	{
		const gchar *r = sp_m_range (q, end, &raw->value_hi, &raw->hi_start);
		if (r != NULL && !change) {
			if (kind == SP_M_INR || kind == SP_M_EF)
				return FALSE;
			raw->hi_end = r;
			q = r;
		} else {
			raw->hi_start = NULL;
		}
	}
	if (kind == SP_M_BP) {
		if ((q = sp_m_pair (q, end, zh_number, raw)) == NULL)
			return FALSE;
	} else if (kind == SP_M_HEIGHT && !zh_number) {
		gdouble inches;
		const gchar *r = sp_m_feet_inches (q, end, raw->value, &inches);
		if (r != NULL) {
			if (inches < 0)
				return FALSE;
			raw->value = inches;
			raw->unit = SP_U_IN;
			raw->end = r;
			return TRUE;
		}
	} else if (kind == SP_M_PAIN && q < end && *q == '/') {
		/* "7/10" is a score; "7/5" is not */
		if (sp_m_word_at (q, end, "/10") == NULL)
			return FALSE;
	}
	q = sp_m_unit (q, end, kind, raw);
	/* a Chinese numeral needs its unit, except for what is said without one: 血糖二十多,
	 * 心率一百二, 低压九十, and a pair (血压一百四十/九十) */
	if (zh_number && raw->unit == SP_U_NONE && !raw->pair
	    && ((kind != SP_M_GLUCOSE && kind != SP_M_FPG && kind != SP_M_HR && kind != SP_M_SBP
		 && kind != SP_M_DBP)
		|| !sp_m_zh_number_ends (q, end)))
		return FALSE;
	/* "2 hr 30 min": a time, not a heart rate of 30 */
	if (raw->unit == SP_U_NONE && sp_m_is_time (q, end))
		return FALSE;
	/* a number glued to more letters is something else: "12abc", "3x" */
	if (sp_m_is_word_byte (q, end) && !(raw->unit != SP_U_NONE && !g_ascii_isalnum (q[-1])))
		return FALSE;
	raw->end = q;
	return TRUE;
}

/* not "down" or "up": "down from 85 kg" names an earlier weight */
const gchar *const sp_m_weight_change_words[]
	= { "lost", "lose", "losing", "loss", "gained", "gain", "dropped", "下降", "减轻", "减少",
	    "增加", "降了", "掉",     "瘦",   "胖",	"涨",	"减了",	   "轻了", "重了", NULL };

/* "Bilirubin at the hospital was 14", "temp at home was 38.9", "sugar this morning was 180",
 * 血压今天早上量了是150/95: when no value follows the name at once, a value after at most six
 * words (or eight Han characters) and a verb that introduces it.  Only words: a punctuation
 * mark or a number on the way ends the search. */
gboolean
sp_m_read_late (const gchar *p, const gchar *end, SpMKind kind, SpRaw *raw)
{
	static const gchar *const pivots[]
		= { "was", "were", "is", "are", "of", "reads", "read", "showed", "measured",
		    "came back", "came back at", "running", "ran", "是", "为", "测得", "测了",
		    "量了", "量的", "测的", "到", "达",
		    /* Chinese sets a time before the value with no verb: 血压早上150/90 */
		    "时候", "时", "早上", "早晨", "上午", "中午", "下午", "晚上", "夜里", "睡前",
		    "今天", "昨天", "平时", "最近", "在家", "最高", "最低", "一分钟", "每分钟", ":",
		    "at", "around", "about", "like", NULL };
	const gchar *q = p;
	gboolean comma = FALSE;

	for (guint step = 0; step < 8 && q < end; step++) {
		const gchar *r = NULL;
		q = sp_m_skip_spaces (q, end);
		/* 体重下降5公斤, "weight down 5 kg": a change, not the weight (a stranger's trial)
		 */
		for (guint i = 0; kind == SP_M_WEIGHT && sp_m_weight_change_words[i] != NULL; i++) {
			if (sp_m_word_at (q, end, sp_m_weight_change_words[i]) != NULL)
				return FALSE;
		}
		for (guint i = 0; pivots[i] != NULL && r == NULL; i++)
			r = sp_m_word_at (q, end, pivots[i]);
		if (r != NULL && sp_m_read_value (sp_m_skip_connectors (r, end), end, kind, raw))
			return TRUE;
		if (r != NULL) {
			q = r;
		} else if (g_ascii_isalpha (*q)) {
			if (step >= 6)
				return FALSE;
			while (q < end && (g_ascii_isalpha (*q) || *q == '\''))
				q++;
		} else if (sp_m_is_han_at (q, end)) {
			q = g_utf8_next_char (q);
		} else if (*q == ',' && !comma && q + 1 < end
			   && (sp_m_is_han_at (q + 1, end) || g_ascii_isdigit (q[1]))) {
			/* 血压控制不好，最高180/100; ALT本来就有点高，56: one Chinese comma */
			comma = TRUE;
			q++;
			if (g_ascii_isdigit (*q))
				return sp_m_read_value (q, end, kind, raw);
		} else if (*q == '(' && q + 1 < end && g_ascii_isdigit (q[1])) {
			/* "HTN at goal (128/78)" */
			return sp_m_read_value (q + 1, end, kind, raw);
		} else {
			return FALSE;
		}
	}
	return FALSE;
}
