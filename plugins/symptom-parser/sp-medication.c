/*
 * symptom-parser — the dose, frequency and route written with a medication (see sp-measure.h):
 * "metformin 500 mg PO BID", 二甲双胍0.5g 每日三次 口服, 口服阿司匹林100mg qd.  The tables of dose
 * units, frequencies and routes are the README's ("Measurements, scores and medications").
 */
#define G_LOG_DOMAIN "symptom-parser"

#include "sp-ctx.h"
#include "sp-measure-private.h"
#include "sp-words.h"

#include <math.h>
#include <string.h>

/* bytes between a medication and the end of its dose and schedule */
#define SP_M_MED_REACH 96

typedef struct {
	const gchar *word; /* normalised */
	const gchar *value;
} SpMWord;

/* spec.md lists no capsule unit: a capsule counts as a tablet-form unit, {tbl} */
/* clang-format off */
static const SpMWord sp_dose_units[] = {
	{ "mg", "mg" }, { "milligram", "mg" }, { "milligrams", "mg" }, { "毫克", "mg" }, { "g", "g" },
	{ "gm", "g" }, { "gram", "g" }, { "grams", "g" }, { "克", "g" }, { "mcg", "ug" },
	{ "μg", "ug" }, { "ug", "ug" }, { "microgram", "ug" }, { "micrograms", "ug" },
	{ "微克", "ug" }, { "ml", "mL" }, { "cc", "mL" }, { "毫升", "mL" }, { "unit", "[iU]" },
	{ "units", "[iU]" }, { "iu", "[iU]" }, { "u", "[iU]" }, { "单位", "[iU]" },
	{ "国际单位", "[iU]" }, { "个单位", "[iU]" }, { "meq", "meq" }, { "毫当量", "meq" }, { "iu's", "[iU]" }, { "puff", "{puff}" }, { "puffs", "{puff}" },
	{ "inhalation", "{puff}" }, { "inhalations", "{puff}" }, { "喷", "{puff}" }, { "吸", "{puff}" },
	{ "tab", "{tbl}" }, { "tabs", "{tbl}" }, { "tablet", "{tbl}" }, { "tablets", "{tbl}" },
	{ "片", "{tbl}" }, { "cap", "{tbl}" }, { "caps", "{tbl}" }, { "capsule", "{tbl}" },
	{ "capsules", "{tbl}" }, { "粒", "{tbl}" }, { "颗", "{tbl}" },
};
/* clang-format on */

/* clang-format off */
static const SpMWord sp_frequencies[] = {
	{ "qd", "QD" }, { "q.d.", "QD" }, { "q.d", "QD" }, { "od", "QD" }, { "daily", "QD" },
	{ "once daily", "QD" }, { "once a day", "QD" }, { "once per day", "QD" },
	{ "every day", "QD" }, { "each day", "QD" }, { "per day", "QD" }, { "a day", "QD" },
	{ "qday", "QD" }, { "bid", "BID" }, { "b.i.d.", "BID" }, { "b.i.d", "BID" },
	{ "twice daily", "BID" }, { "twice a day", "BID" }, { "twice per day", "BID" },
	{ "tid", "TID" }, { "t.i.d.", "TID" }, { "t.i.d", "TID" }, { "three times daily", "TID" },
	{ "three times a day", "TID" }, { "thrice daily", "TID" }, { "qid", "QID" },
	{ "q.i.d.", "QID" }, { "q.i.d", "QID" }, { "four times daily", "QID" },
	{ "four times a day", "QID" }, { "qhs", "QHS" }, { "q.h.s.", "QHS" }, { "hs", "QHS" },
	{ "at bedtime", "QHS" }, { "nightly", "QHS" }, { "every night", "QHS" },
	{ "at night", "QHS" }, { "睡前", "QHS" }, { "每晚", "QHS" }, { "每晚睡前", "QHS" }, { "qn", "QHS" },
	{ "qam", "QAM" }, { "q.a.m.", "QAM" }, { "every morning", "QAM" },
	{ "in the morning", "QAM" }, { "每早", "QAM" }, { "每天早上", "QAM" }, { "每日早晨", "QAM" },
	{ "晨起", "QAM" }, { "早餐前", "QAM" }, { "qod", "QOD" }, { "q.o.d.", "QOD" },
	{ "every other day", "QOD" }, { "隔日一次", "QOD" }, { "隔天一次", "QOD" }, { "隔日", "QOD" },
	{ "早晚各一次", "BID" }, { "早晚各1次", "BID" }, { "早晚各一", "BID" },
	{ "weekly", "QW" }, { "once weekly", "QW" }, { "once a week", "QW" },
	{ "every week", "QW" }, { "qw", "QW" }, { "q1w", "QW" }, { "每周一次", "QW" }, { "每周1次", "QW" },
	{ "一周一次", "QW" }, { "q4h", "Q4H" }, { "every 4 hours", "Q4H" }, { "q6h", "Q6H" },
	{ "every 6 hours", "Q6H" }, { "q8h", "Q8H" }, { "every 8 hours", "Q8H" },
	{ "q12h", "Q12H" }, { "every 12 hours", "Q12H" }, { "prn", "PRN" }, { "p.r.n.", "PRN" },
	{ "p.r.n", "PRN" }, { "as needed", "PRN" }, { "as required", "PRN" },
	{ "when needed", "PRN" }, { "if needed", "PRN" }, { "必要时", "PRN" }, { "需要时", "PRN" },
	{ "按需", "PRN" },
};
/* clang-format on */

/* clang-format off */
static const SpMWord sp_routes[] = {
	{ "po", "oral" }, { "p.o.", "oral" }, { "p.o", "oral" }, { "by mouth", "oral" },
	{ "orally", "oral" }, { "oral", "oral" }, { "口服", "oral" }, { "iv", "iv" },
	{ "i.v.", "iv" }, { "intravenous", "iv" }, { "intravenously", "iv" }, { "静脉", "iv" },
	{ "静滴", "iv" }, { "静推", "iv" }, { "静脉滴注", "iv" }, { "静脉注射", "iv" }, { "im", "im" },
	{ "i.m.", "im" }, { "intramuscular", "im" }, { "intramuscularly", "im" }, { "肌注", "im" },
	{ "肌肉注射", "im" }, { "sc", "sc" }, { "s.c.", "sc" }, { "sq", "sc" }, { "subq", "sc" },
	{ "subcut", "sc" }, { "subcutaneous", "sc" }, { "subcutaneously", "sc" }, { "皮下", "sc" },
	{ "皮下注射", "sc" }, { "inhaled", "inhaled" }, { "inh", "inhaled" },
	{ "via inhaler", "inhaled" }, { "by inhalation", "inhaled" }, { "吸入", "inhaled" },
	{ "雾化吸入", "inhaled" }, { "雾化", "inhaled" }, { "inhaler", "inhaled" },
	{ "inhalers", "inhaled" }, { "nebulizer", "inhaled" }, { "nebulized", "inhaled" },
	{ "neb", "inhaled" }, { "nebs", "inhaled" }, { "cream", "topical" }, { "ointment", "topical" },
	{ "gel", "topical" }, { "lotion", "topical" }, { "外敷", "topical" }, { "suppository", "rectal" },
	{ "ivgtt", "iv" }, { "iv gtt", "iv" }, { "ivd", "iv" }, { "静脉输液", "iv" }, { "输液", "iv" },
	{ "肌内注射", "im" }, { "topical", "topical" }, { "topically", "topical" },
	{ "外用", "topical" }, { "外涂", "topical" }, { "sl", "sublingual" },
	{ "sublingual", "sublingual" }, { "sublingually", "sublingual" }, { "舌下", "sublingual" },
	{ "舌下含服", "sublingual" }, { "pr", "rectal" }, { "per rectum", "rectal" },
	{ "rectal", "rectal" }, { "rectally", "rectal" }, { "肛塞", "rectal" }, { "直肠给药", "rectal" },
};
/* clang-format on */

/* words that may sit between a drug and its dose or schedule: "metformin ER 500 mg tablet by
 * mouth", 阿司匹林肠溶片 100mg, "每次1片" */
/* clang-format off */
static const gchar *const sp_med_fillers[] = {
	"er", "xr", "sr", "xl", "ec", "la", "cr", "hcl", "tablet", "tablets", "tab", "tabs",
	"capsule", "capsules", "cap", "caps", "take", "takes", "taking", "took", "of", "by", "at",
	"dose", "with", "and", "x", "肠溶片", "缓释片", "控释片", "分散片", "片", "胶囊", "缓释胶囊", "注射液", "每次",
	"一次", "每回", "剂量", "用", "服用", "服", "予", "给予", "qty", "(", ")", ",", "-", ":", "/", "@", "、",
	"早上", "晚上", "中午", "早晨", "饭前", "饭后", "餐前", "餐后", "空腹",
	"to", "from", "increase", "increased", "decrease", "decreased", "reduce", "reduced",
	"lowered", "raised", "on", "then", "start", "started", "continue", "restart", "divided",
	"per", "via", "规律", "继续", "改为", "加用", "减为", "增至", "减至",
	NULL,
};
/* clang-format on */

static const gchar *
sp_m_table_at (const gchar *p, const gchar *end, const SpMWord *table, guint n, const gchar **val)
{
	const gchar *best = NULL;

	for (guint i = 0; i < n; i++) {
		const gchar *q = sp_m_word_at (p, end, table[i].word);
		if (q != NULL && (best == NULL || q > best)) {
			best = q;
			*val = table[i].value;
		}
	}
	return best;
}

/* One Chinese numeral of a dose: 一片, 两喷, 半片 */
static const gchar *
sp_m_zh_numeral (const gchar *p, const gchar *end, gdouble *v)
{
	static const gchar *const digits[]
		= { "半", "一", "两", "三", "四", "五", "六", "七", "八", "九", "十", "二" };
	for (guint i = 0; i < G_N_ELEMENTS (digits); i++) {
		const gchar *q = sp_m_word_at (p, end, digits[i]);
		if (q != NULL) {
			*v = i == 0 ? 0.5 : i == 11 ? 2 : i;
			return q;
		}
	}
	return NULL;
}

/* "twice a day", "3 times daily", "2x/day", 每日3次, 一天两次, 日3次, 3次/日, 每8小时一次 */
static const gchar *
sp_m_counted_frequency (const gchar *p, const gchar *end, const gchar **freq)
{
	static const gchar *const per_day[] = { NULL, "QD", "BID", "TID", "QID" };
	static const gchar *const day_zh[] = { "每日", "每天", "一日", "一天", "1日", "日", NULL };
	const gchar *q = p;
	const gchar *r;
	gdouble n = 0;

	/* English: N times / Nx + a day, daily, per day */
	if ((r = sp_m_number (q, end, &n)) != NULL) {
		r = sp_m_skip_spaces (r, end);
		q = sp_m_word_at (r, end, "times");
		if (q == NULL && r < end && *r == 'x') /* "2x/day", "2 x daily" */
			q = r + 1;
		if (q != NULL) {
			const gchar *d = NULL;
			q = sp_m_skip_spaces (q, end);
			if (q < end && *q == '/')
				q = sp_m_skip_spaces (q + 1, end);
			if ((d = sp_m_word_at (q, end, "a day")) != NULL
			    || (d = sp_m_word_at (q, end, "per day")) != NULL
			    || (d = sp_m_word_at (q, end, "daily")) != NULL
			    || (d = sp_m_word_at (q, end, "day")) != NULL
			    || (d = sp_m_word_at (q, end, "d")) != NULL) {
				if (n >= 1 && n <= 4 && n == floor (n)) {
					*freq = per_day[(gint)n];
					return d;
				}
				return NULL;
			}
		}
		/* 3次/日, 3次/天 */
		if ((q = sp_m_word_at (r, end, "次/日")) != NULL
		    || (q = sp_m_word_at (r, end, "次/天")) != NULL) {
			if (n >= 1 && n <= 4 && n == floor (n)) {
				*freq = per_day[(gint)n];
				return q;
			}
		}
		return NULL;
	}
	/* Chinese: 每日 N 次, 每 N 小时 一次 */
	for (guint i = 0; day_zh[i] != NULL; i++) {
		const gchar *d = sp_m_word_at (p, end, day_zh[i]);
		const gchar *num_end;
		if (d == NULL)
			continue;
		num_end = sp_m_number (d, end, &n);
		if (num_end == NULL) {
			static const gchar *const zh_n[] = { "一", "两", "三", "四", "二" };
			for (guint k = 0; k < G_N_ELEMENTS (zh_n) && num_end == NULL; k++) {
				num_end = sp_m_word_at (d, end, zh_n[k]);
				n = k == 4 ? 2 : k + 1;
			}
		}
		if (num_end != NULL && (q = sp_m_word_at (num_end, end, "次")) != NULL && n >= 1
		    && n <= 4) {
			*freq = per_day[(gint)n];
			return q;
		}
		return NULL;
	}
	if ((q = sp_m_word_at (p, end, "每")) != NULL && (r = sp_m_number (q, end, &n)) != NULL
	    && (q = sp_m_word_at (r, end, "小时")) != NULL) {
		static const struct {
			gdouble hours;
			const gchar *freq;
		} every[] = { { 4, "Q4H" }, { 6, "Q6H" }, { 8, "Q8H" }, { 12, "Q12H" } };
		(void)((r = sp_m_word_at (q, end, "一次")) != NULL
		       || (r = sp_m_word_at (q, end, "1次")) != NULL);
		for (guint k = 0; k < G_N_ELEMENTS (every); k++) {
			if (every[k].hours == n) {
				*freq = every[k].freq;
				return r != NULL ? r : q;
			}
		}
	}
	return NULL;
}

/* Where the scan after the medication at item @k ends: the next concept, or 96 bytes.  A brand
 * in parentheses right after the drug is skipped, [*skip_from, *skip_to):
 * 布地奈德福莫特罗（信必可） 160/4.5μg 每日两次. */
static const gchar *
sp_m_med_end (SpCtx *ctx, guint k, const gchar **skip_from, const gchar **skip_to)
{
	const gchar *text = ctx->nt->text;
	const SpItem *it = &g_array_index (ctx->items, SpItem, k);
	const gchar *end = text + MIN (ctx->nt->len, (gsize)it->end + SP_M_MED_REACH);

	*skip_from = *skip_to = NULL;
	for (guint j = k + 1; j < ctx->items->len; j++) {
		const SpItem *next = &g_array_index (ctx->items, SpItem, j);
		const gchar *open;
		const gchar *close;
		if (next->start < it->end)
			continue;
		if (text + next->start >= end)
			break;
		if (next->kind != SP_ITEM_CONCEPT && next->kind != SP_ITEM_MEASURE)
			continue;
		open = sp_m_skip_spaces (text + it->end, end);
		close = sp_m_skip_spaces (text + next->end, end);
		if (*skip_from == NULL && open < end && *open == '('
		    && next->kind == SP_ITEM_CONCEPT
		    && sp_m_skip_spaces (open + 1, end) == text + next->start && close < end
		    && *close == ')') {
			*skip_from = open;
			*skip_to = close + 1;
			continue;
		}
		return MIN (end, text + next->start);
	}
	return end;
}

/* "years", "days", "hrs"…: a number before one is a time, not a dose */
static gboolean
sp_m_time_word (const gchar *p, const gchar *end)
{
	static const gchar *const words[]
		= { "year", "years", "yr",	"yrs",	 "month", "months",  "week",  "weeks",
		    "wk",   "wks",   "day",	"days",	 "hour",  "hours",   "hr",    "hrs",
		    "min",  "mins",  "minutes", "times", "x",	  "tablets", "pills", NULL };
	for (guint i = 0; words[i] != NULL; i++) {
		if (sp_m_word_at (p, end, words[i]) != NULL)
			return TRUE;
	}
	return FALSE;
}

/* A dose at @p: "500 mg", "1000mg", "2 puffs", 一片, 半片; a bare number right after the drug
 * (@first: "Lipitor 80", "ASA 81") is mg, units for an insulin.  "from 24 to 20 units" is the
 * second; "49/51 mg", "160/4.5 μg" (a combination) and "90 mg/kg/day" (by weight) are read but
 * give no dose (*unit NULL).  Returns the end, or NULL when no dose is there. */
static const gchar *
sp_m_dose (const gchar *p,
	   const gchar *end,
	   gboolean first,
	   gboolean insulin,
	   gdouble *value,
	   const gchar **unit)
{
	const gchar *q = sp_m_number (p, end, value);
	const gchar *r;
	const gchar *u;
	gboolean combination = FALSE;
	gboolean numeral = FALSE;
	gdouble v2;

	if (q == NULL && (numeral = TRUE, q = sp_m_zh_numeral (p, end, value)) == NULL)
		return NULL;
	if (q < end && *q == '/' && (r = sp_m_number (q + 1, end, &v2)) != NULL) {
		combination = TRUE;
		q = r;
	} else if ((r = sp_m_word_at (sp_m_skip_spaces (q, end), end, "to")) != NULL
		   || (q < end && (*q == '-' || *q == '~') && (r = q + 1))) {
		const gchar *t = sp_m_number (sp_m_skip_spaces (r, end), end, &v2);
		if (t != NULL) {
			*value = v2;
			q = t;
		}
	}
	u = sp_m_table_at (sp_m_skip_spaces (q, end), end, sp_dose_units,
			   G_N_ELEMENTS (sp_dose_units), unit);
	if (u == NULL && combination) {
		*unit = NULL;
		return q;
	}
	if (u == NULL) {
		/* not "二甲双胍两年了", "metformin 2 years" */
		r = sp_m_skip_spaces (q, end);
		if (!first || numeral || sp_m_is_word_byte (q, end) || *value <= 0
		    || (r < end && (guchar)*r >= 0x80) || sp_m_time_word (r, end))
			return NULL;
		/* "tolerated amoxicillin 2020": a year, not 2020 mg */
		if (*value >= 1900 && *value <= 2099 && *value == (gint)*value)
			return NULL;
		*unit = insulin ? "[iU]" : "mg";
		return q;
	}
	if ((r = sp_m_word_at (u, end, "/kg")) != NULL) {
		u = r;
		(void)((r = sp_m_word_at (u, end, "/day")) != NULL
		       || (r = sp_m_word_at (u, end, "/d")) != NULL);
		combination = TRUE;
		if (r != NULL)
			u = r;
	}
	if (combination || *value <= 0)
		*unit = NULL;
	return u;
}

/* words before a drug that say how it is taken: 口服二甲双胍, 服用缬沙坦, 吃了美林, 含了硝酸甘油,
 * "IV ceftriaxone" (and every route word of sp_routes) */
static const SpMWord sp_routes_before[] = {
	{ "服用", "oral" },	{ "吃了", "oral" },	  { "吃", "oral" },
	{ "服", "oral" },	{ "含服", "sublingual" }, { "含了", "sublingual" },
	{ "含", "sublingual" },
};

static const gchar *
sp_m_route_before (const gchar *text, const gchar *start)
{
	const gchar *b = start;

	while (b > text && b[-1] == ' ')
		b--;
	for (guint t = 0; t < 2; t++) {
		const SpMWord *table = t == 0 ? sp_routes : sp_routes_before;
		guint n_table = t == 0 ? G_N_ELEMENTS (sp_routes) : G_N_ELEMENTS (sp_routes_before);
		for (guint i = 0; i < n_table; i++) {
			gsize n = strlen (table[i].word);
			if ((gsize)(b - text) >= n && memcmp (b - n, table[i].word, n) == 0
			    && !(g_ascii_isalpha (table[i].word[0]) && b - n > text
				 && g_ascii_isalnum (b[-(gssize)n - 1])))
				return table[i].value;
		}
	}
	return NULL;
}

/* Is the drug starting at @at given as needed by a word right before it (必要时劳拉西泮, 必要时
 * 用乳果糖, "prn lorazepam", 按需服用布洛芬)?  PRN wins over an interval, as after the drug. */
static gboolean
sp_m_prn_before (const gchar *text, const gchar *at)
{
	static const gchar *const verbs[]
		= { "口服", "服用", "使用", "用", "服", "吃", "予", "给", NULL };
	static const gchar *const prn[] = { "必要时", "按需", "prn ", "as needed ", NULL };
	const gchar *p = at;

	while (p > text && p[-1] == ' ')
		p--;
	for (guint i = 0; verbs[i] != NULL; i++) {
		gsize n = strlen (verbs[i]);
		if ((gsize)(p - text) >= n && memcmp (p - n, verbs[i], n) == 0) {
			p -= n;
			break;
		}
	}
	for (guint i = 0; prn[i] != NULL; i++) {
		gsize n = strlen (prn[i]);
		if ((gsize)(p - text) >= n && memcmp (p - n, prn[i], n) == 0)
			return TRUE;
	}
	return FALSE;
}

/* Dose, frequency and route written after the medication at item @k (route also just before:
 * 口服二甲双胍, "IV ceftriaxone"), up to the next concept or the end of the sentence.  The first
 * of each is kept, except that PRN wins over an interval ("q4h PRN" is as needed). */
void
sp_medication_read (SpCtx *ctx, guint k, SpFinding *f)
{
	const gchar *text = ctx->nt->text;
	const SpItem *it = &g_array_index (ctx->items, SpItem, k);
	const gchar *p = text + it->end;
	const gchar *skip_from;
	const gchar *skip_to;
	const gchar *end = sp_m_med_end (ctx, k, &skip_from, &skip_to);
	gboolean insulin = sp_starts (f->concept->code, "ATC:A10A");
	const gchar *val;

	for (guint n = 0; n < 12 && p < end; n++) {
		const gchar *q = NULL;
		gdouble v = 0;
		const gchar *unit = NULL;
		p = sp_m_skip_spaces (p, end);
		if (p == skip_from)
			p = sp_m_skip_spaces (skip_to, end);
		if (p >= end || *p == '\n' || *p == ';' || sp_starts (p, "。"))
			break;
		if ((q = sp_m_counted_frequency (p, end, &val)) != NULL
		    || (q = sp_m_table_at (p, end, sp_frequencies, G_N_ELEMENTS (sp_frequencies),
					   &val))
			       != NULL) {
			if (f->frequency == NULL || g_strcmp0 (val, "PRN") == 0)
				f->frequency = val;
		} else if ((q = sp_m_dose (p, end, n == 0, insulin, &v, &unit)) != NULL) {
			if (f->dose_unit == NULL && unit != NULL) {
				f->dose_value = v;
				f->dose_unit = unit;
			}
		} else if ((q = sp_m_table_at (p, end, sp_routes, G_N_ELEMENTS (sp_routes), &val))
			   != NULL) {
			if (f->route == NULL)
				f->route = val;
		} else {
			for (guint i = 0; sp_med_fillers[i] != NULL && q == NULL; i++)
				q = sp_m_word_at (p, end, sp_med_fillers[i]);
			/* "." of a sentence end, not of "p.o." (read above) */
			if (q == NULL)
				break;
		}
		p = q;
	}
	if (f->route == NULL)
		f->route = sp_m_route_before (text, text + it->start);
	if (sp_m_prn_before (text, text + it->start))
		f->frequency = "PRN";
}

/* ---- the course of a medication: stopped, held, refused (README "Medications: course") ---- */

/* clang-format off */
/* before the drug in its clause: it is no longer taken ("stopped metformin", "was on warfarin",
 * "no longer takes atorvastatin", 停用二甲双胍, 曾服用华法林): present and historical, as the
 * blind sets' annotators record it.  A drug taken once ("tried", "took", 吃了) is left as it
 * is: the annotators call it current as often as historical. */
static const gchar *const sp_course_stop_before[] = {
	"stopped", "stop", "discontinued", "discontinue", "d/c'd", "dc'd", "d/c", "held", "hold",
	"holding", "off", "no longer", "was on", "were on", "had been on", "previously on",
	"used to take", "used to be on", "quit", "ceased",
	"停用", "停服", "停药", "停了", "停掉", "停止", "已停", "暂停", "曾服用", "曾服", "曾用",
	"曾口服", "既往服用", "以前吃", "以前服用", "之前吃", "之前服用", NULL,
};
/* after the drug (past its dose and schedule, or just past a comma) */
static const gchar *const sp_course_stop_after[] = {
	"stopped", "discontinued", "d/c'd", "dc'd", "held", "on hold", "ceased", "withdrawn",
	"completed", "finished", "no longer",
	"已停", "停用", "停药", "停了", "停掉", "停服", "停止", "暂停", "不吃了", "没吃了", "没再吃",
	NULL,
};
/* the patient declines it: not taken, so absent */
static const gchar *const sp_course_refused[] = {
	"refused", "refuses", "declined", "declines", "拒绝服用", "拒绝使用", "拒服", "拒用",
	"拒绝", "不愿服用", "不肯吃", NULL,
};
/* a later word of the clause that puts the drug back in the present ("stopped metformin,
 * started insulin", "previously on lisinopril, now on losartan", 停用二甲双胍改用胰岛素) */
static const gchar *const sp_course_current[] = {
	"now on", "now", "started", "start", "starting", "switched to", "changed to", "continue",
	"continued", "resumed", "restarted", "currently", "still",
	"现", "目前", "改为", "改用", "换成", "换用", "加用", "开始", "继续", "恢复", "仍", "还在",
	"予", "给予",
	NULL,
};
/* clang-format on */

/* The latest word of @lists in [@from, @end): its start, or NULL; *@which is the list it came
 * from.  English words need a word boundary on both sides ("off" is not in "coffee"). */
static const gchar *
sp_course_last (const gchar *from, const gchar *end, SpWords *lists, guint n_lists, guint *which)
{
	/* from the drug backwards, so the first match is the latest */
	for (const gchar *p = end; p-- > from;) {
		for (guint l = 0; l < n_lists; l++) {
			guint n_ix;
			const guint16 *ix = sp_words_starting (&lists[l], *p, &n_ix);
			for (guint i = 0; i < n_ix; i++) {
				const gchar *w = lists[l].words[ix[i]];
				gsize n = strlen (w);
				gboolean latin = g_ascii_isalpha (w[0]);
				if ((gsize)(end - p) < n || memcmp (p, w, n) != 0)
					continue;
				if (latin
				    && ((p > from && g_ascii_isalnum (p[-1]))
					|| (p + n < end && g_ascii_isalnum (p[n]))))
					continue;
				/* "停经" (menopause) is no stopping of a drug */
				if (!latin && sp_starts (p + n, "经"))
					continue;
				*which = l;
				return p;
			}
		}
	}
	return NULL;
}

/* The first word of @words that starts at @p, or NULL (its end). */
static const gchar *
sp_course_word_at (const gchar *p, const gchar *end, SpWords *words)
{
	guint n_ix;
	const guint16 *ix;

	if (p >= end)
		return NULL;
	ix = sp_words_starting (words, *p, &n_ix);
	for (guint i = 0; i < n_ix; i++) {
		const gchar *w = words->words[ix[i]];
		gsize n = strlen (w);
		if ((gsize)(end - p) >= n && memcmp (p, w, n) == 0
		    && !(g_ascii_isalpha (w[0]) && p + n < end && g_ascii_isalnum (p[n])))
			return p + n;
	}
	return NULL;
}

/* A clause boundary for the course: a sentence end, a semicolon, a newline, a comma. */
static gsize
sp_course_boundary (const gchar *p, const gchar *end)
{
	static const gchar *const marks[]
		= { ".", ";", "\n", "!", "?", ",", "。", "；", "，", NULL };

	/* "p.o.", "d/c'd" and decimals are no sentence end */
	if (*p == '.' && p + 1 < end && g_ascii_isalnum (p[1]))
		return 0;
	for (guint i = 0; marks[i] != NULL; i++) {
		if (sp_starts (p, marks[i]))
			return strlen (marks[i]);
	}
	return 0;
}

/* The start of a clause's words past its time and degree words: "最近停了", "now stopped". */
static const gchar *
sp_course_clause_start (const gchar *p, const gchar *end)
{
	static const gchar *const lead[] = { "最近", "现已", "现在",  "现", "已经", "后来", "now",
					     "but",  "then", "since", "但", "又",   NULL };
	static SpWords lead_words = SP_WORDS_INIT (lead);
	const gchar *q;

	for (guint n = 0; n < 3; n++) {
		p = sp_m_skip_spaces (p, end);
		q = sp_course_word_at (p, end, &lead_words);
		if (q == NULL)
			break;
		p = q;
	}
	return sp_m_skip_spaces (p, end);
}

/* Is the next medication concept item after @k within [@p, @end)?  A stop word followed by
 * another drug is that drug's ("Takes aspirin, stopped metformin"). */
static gboolean
sp_course_drug_follows (SpCtx *ctx, guint k, const gchar *p, const gchar *end)
{
	const gchar *text = ctx->nt->text;

	for (guint j = k + 1; j < ctx->items->len; j++) {
		const SpItem *it = &g_array_index (ctx->items, SpItem, j);
		if (text + it->start >= end)
			return FALSE;
		if (it->kind == SP_ITEM_CONCEPT && text + it->start >= p)
			return ((const SpConcept *)g_ptr_array_index (
					ctx->parser->lexicon->concepts, it->index))
				       ->kind
			       == SP_CONCEPT_MEDICATION;
	}
	return FALSE;
}

/* Is the stop word at @w advised, not done: a word of advice before it in its clause
 * (建议停用, "recommend stopping", "consider holding", "please stop") or a "Recommendations:"
 * or "Plan:" heading just before the clause (@from)? */
static gboolean
sp_course_advised (const gchar *text, const gchar *from, const gchar *w)
{
	static const gchar *const advice[]
		= { "建议",   "可考虑",	  "考虑",   "请",     "recommend", "suggest",
		    "advise", "consider", "please", "should", NULL };
	static const gchar *const headings[]
		= { "recommendations:", "recommendation:", "plan:", "建议:", NULL };
	const gchar *h = from;

	for (guint i = 0; advice[i] != NULL; i++) {
		if (g_strstr_len (from, w - from, advice[i]) != NULL)
			return TRUE;
	}
	/* the heading sits before the clause's own start: up to 24 bytes back */
	while (h > text && from - h < 24)
		h--;
	for (guint i = 0; headings[i] != NULL; i++) {
		if (g_strstr_len (h, w - h, headings[i]) != NULL)
			return TRUE;
	}
	return FALSE;
}

/* "Should I stop metformin?": a question asks, it does not tell the course.  Looks at most
 * 160 bytes on, so a text with no sentence end costs no more per drug. */
static gboolean
sp_course_question (const gchar *p, const gchar *end)
{
	end = MIN (end, p + 160);
	for (; p < end; p++) {
		if (*p == '?' || sp_starts (p, "？") || sp_starts (p, "吗"))
			return TRUE;
		if (*p == '\n' || *p == ';' || sp_starts (p, "。")
		    || (*p == '.' && (p + 1 == end || !g_ascii_isalnum (p[1]))))
			return FALSE;
	}
	return FALSE;
}

/* "did not stop aspirin", 没停阿司匹林: a negated stop word says the drug goes on. */
static gboolean
sp_course_negated (const gchar *from, const gchar *w)
{
	static const gchar *const neg[]
		= { "not ", "n't ", "never ", "未", "没", "没有", "不", "从未", NULL };

	for (guint i = 0; neg[i] != NULL; i++) {
		gsize n = strlen (neg[i]);
		if ((gsize)(w - from) >= n && memcmp (w - n, neg[i], n) == 0)
			return TRUE;
	}
	return FALSE;
}

/* The course the clause of the medication at item @k states: 1 stopped (or taken once and
 * over), 2 refused, 0 nothing.  Left of the drug, the latest word of the clause decides (so
 * "stopped metformin, started insulin" leaves insulin current), and a negated stop word is 3
 * ("did not stop aspirin": still taken); right of it, after its dose
 * and schedule, the first stop word within 64 bytes, also just past one comma
 * ("非布司他40mg一天一次，最近停了"), unless another drug follows it. */
static gint
sp_course_of (SpCtx *ctx, guint k)
{
	/* [0] stopped, [1] refused, [2] current: the course is the list's index + 1 */
	static SpWords lists[]
		= { SP_WORDS_INIT (sp_course_stop_before), SP_WORDS_INIT (sp_course_refused),
		    SP_WORDS_INIT (sp_course_current) };
	static SpWords after_lists[]
		= { SP_WORDS_INIT (sp_course_stop_after), SP_WORDS_INIT (sp_course_refused),
		    SP_WORDS_INIT (sp_course_current) };
	const gchar *text = ctx->nt->text;
	const gchar *end = text + ctx->nt->len;
	const SpItem *it = &g_array_index (ctx->items, SpItem, k);
	const gchar *from = text + it->start;
	const gchar *p;
	const gchar *w;
	guint which = 0;
	guint commas = 0;

	/* left: back to the clause start, at most 48 bytes */
	while (from > text && text + it->start - from < 48) {
		const gchar *prev = g_utf8_prev_char (from);
		if (sp_course_boundary (prev, end) > 0)
			break;
		from = prev;
	}
	if (sp_course_question (it->end + text, end))
		return 0;
	if (g_strstr_len (from, text + it->start - from, "没停") != NULL
	    || g_strstr_len (from, text + it->start - from, "未停") != NULL)
		return 3;
	w = sp_course_last (from, text + it->start, lists, G_N_ELEMENTS (lists), &which);
	/* "Recommendations: stop aspirin", 建议停用艾司唑仑: a stop advised, not yet done */
	if (w != NULL && which == 0 && sp_course_advised (text, from, w))
		return 0;
	if (w != NULL && which < 2)
		return sp_course_negated (from, w) ? 3 : (gint)which + 1;
	/* right: through the dose and schedule, past at most one comma */
	p = text + it->end;
	while (p < end && p - (text + it->end) < 64) {
		gsize b = sp_course_boundary (p, end);
		if (b > 0) {
			if (sp_starts (p, ",") || sp_starts (p, "，")) {
				if (++commas > 1)
					break;
				p = sp_course_clause_start (p + b, end);
				continue;
			}
			break;
		}
		/* past the comma only a stop word that opens the clause counts */
		if (commas > 0 && p > text + it->end && !sp_course_word_at (p, end, &after_lists[0])
		    && !sp_course_word_at (p, end, &after_lists[1]))
			break;
		for (guint l = 0; l < G_N_ELEMENTS (after_lists); l++) {
			const gchar *after = sp_course_word_at (p, end, &after_lists[l]);
			if (after == NULL)
				continue;
			if (l == 2 || sp_course_drug_follows (ctx, k, after, MIN (end, after + 24)))
				return 0;
			return (gint)l + 1;
		}
		/* another concept ends the drug's clause */
		for (guint j = k + 1; j < ctx->items->len; j++) {
			const SpItem *next = &g_array_index (ctx->items, SpItem, j);
			if (next->start >= it->end && text + next->start == p
			    && next->kind == SP_ITEM_CONCEPT)
				return 0;
			if (text + next->start > p)
				break;
		}
		p = g_utf8_next_char (p);
	}
	return 0;
}

void
sp_medication_course (SpCtx *ctx, guint k, SpFinding *f)
{
	gint course;

	if (f->kind != SP_FINDING_MEDICATION || f->polarity == SP_POLARITY_POSSIBLE || f->family)
		return;
	course = sp_course_of (ctx, k);
	if (course == 1) {
		/* "Metformin was stopped", "no longer takes atorvastatin": the stop word is not a
		 * negation of the drug but its course */
		f->polarity = SP_POLARITY_PRESENT;
		f->historical = TRUE;
	} else if (course == 2) {
		f->polarity = SP_POLARITY_ABSENT;
		f->historical = FALSE;
	} else if (course == 3) {
		/* "did not stop aspirin", 没停阿司匹林: still taken; the negation is the stop's */
		f->polarity = SP_POLARITY_PRESENT;
		f->historical = FALSE;
	}
}
