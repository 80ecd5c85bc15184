/*
 * symptom-parser — measurements, scores and medication attributes (see sp-measure.h): the find
 * pass over a parse's items and tokens, and the findings.  Values are read by
 * sp-measure-read.c, units and ranges are sp-measure-units.c's.
 *
 * Works on the normalised text (NFKC and case folding: "℃" is "°c", "ＭＭＨＧ" is "mmhg",
 * "kg/m²" is "kg/m2"), from the items sp-parser.c matched.  Every scan is bounded: a value is
 * read from a few dozen bytes after its name, a number has at most SP_M_MAX_DIGITS digits.
 */
#define G_LOG_DOMAIN "symptom-parser"

#include "sp-measure.h"
#include "sp-measure-private.h"

#include <math.h>
#include <string.h>

/* a single-letter vital sign needs a neighbour this close: "T 38.5, P 102" */
#define SP_M_RUN_GAP 4

/* Is the text Chinese: the language the caller named, else the same rule as the parse language
 * (sp_detect_language() in sp-parser.c): at least as many Han characters as Latin words. */
static gboolean
sp_m_text_is_zh (SpCtx *ctx)
{
	guint han = 0;
	guint latin = 0;

	/* a language the caller names wins (the Parse argument `language`) */
	if (ctx->language != NULL)
		return g_strcmp0 (ctx->language, "zh") == 0;
	for (guint i = 0; i < ctx->tokens->len; i++) {
		const MvToken *t = &g_array_index (ctx->tokens, MvToken, i);
		if (t->kind == MV_TOKEN_HAN)
			han += t->n_chars;
		else if (t->kind == MV_TOKEN_WORD)
			latin++;
	}
	return han > 0 && han >= latin;
}

/* ---- concepts ---- */

static gboolean
sp_m_kind_of_code (const gchar *code, SpMKind *kind)
{
	for (guint k = 0; k < SP_M_LAST; k++) {
		if (g_strcmp0 (code, sp_mkinds[k].code) == 0) {
			*kind = (SpMKind)k;
			return TRUE;
		}
	}
	return FALSE;
}

/* The index of the concept an English term names when its code is @code, else -1: how the
 * matchers find the concepts they add (a hash lookup, not a scan of the lexicon). */
gint
sp_m_concept (SpCtx *ctx, const gchar *term, const gchar *code)
{
	const SpLexicon *lex = ctx->parser->lexicon;
	gpointer packed = g_hash_table_lookup (lex->en_concepts, term);
	SpTerm t;
	gboolean negated;
	const SpConcept *c;

	if (packed == NULL)
		return -1;
	sp_term_unpack (packed, &t, &negated);
	if (t.kind != SP_TERM_CONCEPT || t.index >= lex->concepts->len)
		return -1;
	c = g_ptr_array_index (lex->concepts, t.index);
	return g_strcmp0 (c->code, code) == 0 ? (gint)t.index : -1;
}

/* the English label of each measurement concept, as the lexicon keys it */
gint
sp_m_concept_of (SpCtx *ctx, SpMKind kind)
{
	static const gchar *const terms[SP_M_LAST] = {
		[SP_M_TEMP] = "body temperature",
		[SP_M_BP] = "blood pressure",
		[SP_M_SBP] = "systolic blood pressure",
		[SP_M_DBP] = "diastolic blood pressure",
		[SP_M_HR] = "heart rate",
		[SP_M_RR] = "respiratory rate",
		[SP_M_SPO2] = "oxygen saturation",
		[SP_M_WEIGHT] = "body weight",
		[SP_M_HEIGHT] = "body height",
		[SP_M_BMI] = "body mass index",
		[SP_M_GLUCOSE] = "blood glucose",
		[SP_M_FPG] = "fasting glucose",
		[SP_M_HBA1C] = "hemoglobin a1c",
		[SP_M_PAIN] = "pain score",
		[SP_M_HB] = "hemoglobin",
		[SP_M_WBC] = "white blood cell count",
		[SP_M_PLT] = "platelet count",
		[SP_M_CREAT] = "creatinine",
		[SP_M_K] = "potassium",
		[SP_M_NA] = "sodium",
		[SP_M_INR] = "inr",
		[SP_M_TSH] = "tsh",
		[SP_M_LDL] = "ldl cholesterol",
		[SP_M_TC] = "total cholesterol",
		[SP_M_TG] = "triglyceride",
		[SP_M_HDL] = "hdl cholesterol",
		[SP_M_EF] = "ejection fraction",
		[SP_M_URATE] = "uric acid",
		[SP_M_CRP] = "crp",
		[SP_M_WAIST] = "waist circumference",
		[SP_M_PHQ9] = "phq 9",
		[SP_M_GAD7] = "gad 7",
		[SP_M_BILI] = "total bilirubin",
		[SP_M_EGFR] = "estimated glomerular filtration rate",
		[SP_M_ALT] = "alanine aminotransferase",
		[SP_M_AST] = "aspartate aminotransferase",
		[SP_M_ALB] = "albumin",
		[SP_M_BUN] = "urea nitrogen",
		[SP_M_HCT] = "hematocrit",
		[SP_M_BNP] = "bnp",
		[SP_M_NTBNP] = "probnp",
		[SP_M_CA] = "calcium",
		[SP_M_MAG] = "magnesium",
		[SP_M_FERRITIN] = "ferritin",
		[SP_M_PSA] = "prostate specific antigen",
		[SP_M_ESR] = "erythrocyte sedimentation rate",
		[SP_M_GCS] = "gcs",
		[SP_M_FT4] = "free t4",
		[SP_M_UACR] = "uacr",
		[SP_M_PAO2] = "pao2",
		[SP_M_PACO2] = "paco2",
		[SP_M_OSMO] = "osmolality",
		[SP_M_CHADS] = "cha2ds2vasc",
		[SP_M_WELLS] = "well score", /* as sp_en_phrase_key() keys "Wells score" */
		[SP_M_MMSE] = "mmse",
		[SP_M_HASBLED] = "hasbled",
		[SP_M_CURB] = "curb65",
		[SP_M_NIHSS] = "nihss",
		[SP_M_MOCA] = "moca",
		[SP_M_QSOFA] = "qsofa",
		[SP_M_HEADC] = "head circumference",
		[SP_M_APGAR] = "apgar",
		[SP_M_EPDS] = "edinburgh postnatal depression scale", /* "epds" keys as "epd" */
		[SP_M_MORSE] = "morse",
		[SP_M_BRADEN] = "braden",
		[SP_M_DAS28] = "das28",
		[SP_M_CIWA] = "ciwa",
		[SP_M_GDS] = "gds",
		[SP_M_ACT] = "asthma control test",
		[SP_M_CAT] = "copd assessment test",
		[SP_M_MRC] = "mrc dyspnoea scale",
		[SP_M_EPWORTH] = "epworth",
		[SP_M_BARTHEL] = "barthel",
		[SP_M_BERG] = "berg balance scale",
		[SP_M_WATERLOW] = "waterlow",
		[SP_M_IPSS] = "international prostate symptom score",
		[SP_M_PASI] = "pasi",
		[SP_M_ODI] = "oswestry",
		[SP_M_HAMD] = "hamd",
		[SP_M_SAS] = "zung anxiety scale",
		[SP_M_FIM] = "functional independence measure",
		[SP_M_QRISK] = "qrisk3",
		[SP_M_PHQA] = "phqa",
		[SP_M_HAMA] = "hama",
		[SP_M_SDS] = "zung depression scale",
	};
	return sp_m_concept (ctx, terms[kind], sp_mkinds[kind].code);
}

/* ---- measure items ---- */

/* Appends a measure item, or puts it in place of the name's concept item @reuse (>= 0): the
 * name is part of its measurement, not a concept of its own. */
void
sp_m_push_item (SpCtx *ctx, gint reuse, gint concept, gsize start, gsize end, const SpValue *v)
{
	SpItem it = { SP_ITEM_MEASURE, (guint32)start, (guint32)end, 0, 0, (guint)concept, 0,
		      FALSE,	       FALSE,	       FALSE };

	if (concept < 0)
		return;
	if (ctx->measures == NULL)
		ctx->measures = g_array_new (FALSE, TRUE, sizeof (SpValue));
	it.value = ctx->measures->len;
	g_array_append_vals (ctx->measures, v, 1);
	if (reuse >= 0)
		g_array_index (ctx->items, SpItem, (guint)reuse) = it;
	else
		g_array_append_val (ctx->items, it);
}

/* One reading of @kind written as @value on [@start, @end); FALSE when it is not plausible. */
static gboolean
sp_m_push_value (SpCtx *ctx,
		 SpRaw *raw,
		 SpMKind kind,
		 gdouble value,
		 gboolean zh,
		 gint reuse,
		 gsize start,
		 gsize end,
		 gdouble *canonical)
{
	SpMKind read_as = raw->kind;
	SpValue v = { 0 };
	gboolean ok;

	raw->kind = kind;
	ok = sp_m_canonical (raw, value, &v, canonical);
	raw->kind = read_as;
	if (!ok)
		return FALSE;
	v.interpretation = sp_m_interpret (kind, zh, *canonical);
	sp_m_push_item (ctx, reuse, sp_m_concept_of (ctx, kind), start, end, &v);
	return TRUE;
}

/* Adds the finding(s) of a value read for a name spanning [@start, …): a blood pressure gives
 * systolic and diastolic, a range of readings its two ends.  FALSE when the (first) value is
 * not plausible (nothing added). */
gboolean
sp_m_add (SpCtx *ctx, SpRaw *raw, gsize start, gboolean zh_name, gint reuse)
{
	const gchar *text = ctx->nt->text;
	gboolean zh = zh_name || raw->zh;
	SpValue v = { 0 };
	gdouble c1;
	gdouble c2;
	gdouble c3;

	/* a Chinese report counts cells in 10^9/L (血常规：WBC 11.2，PLT 245), as it writes them */
	if (zh && raw->unit == SP_U_NONE && (raw->kind == SP_M_WBC || raw->kind == SP_M_PLT))
		raw->unit = SP_U_E9_L;

	if (raw->kind == SP_M_BP) {
		const gchar *dia_end = raw->hi2_end != NULL ? raw->value2_end : raw->end;
		/* check both before adding either: the diastolic is below the systolic */
		raw->kind = SP_M_SBP;
		if (!sp_m_canonical (raw, raw->value, &v, &c1))
			return FALSE;
		raw->kind = SP_M_DBP;
		if (!sp_m_canonical (raw, raw->value2, &v, &c2) || c2 >= c1)
			return FALSE;
		raw->kind = SP_M_BP;
		sp_m_push_value (ctx, raw, SP_M_SBP, raw->value, zh, reuse, start,
				 (gsize)(raw->value_end - text), &c1);
		if (raw->hi_start != NULL)
			sp_m_push_value (ctx, raw, SP_M_SBP, raw->value_hi, zh, -1,
					 (gsize)(raw->hi_start - text), (gsize)(raw->hi_end - text),
					 &c3);
		sp_m_push_value (ctx, raw, SP_M_DBP, raw->value2, zh, -1,
				 (gsize)(raw->value2_start - text), (gsize)(dia_end - text), &c2);
		if (raw->hi2_start != NULL)
			sp_m_push_value (ctx, raw, SP_M_DBP, raw->value2_hi, zh, -1,
					 (gsize)(raw->hi2_start - text), (gsize)(raw->end - text),
					 &c3);
		return TRUE;
	}
	if (!sp_m_push_value (ctx, raw, raw->kind, raw->value, zh, reuse, start,
			      (gsize)((raw->hi_start != NULL ? raw->value_end : raw->end) - text),
			      &c1))
		return FALSE;
	if (raw->hi_start != NULL)
		sp_m_push_value (ctx, raw, raw->kind, raw->value_hi, zh, -1,
				 (gsize)(raw->hi_start - text), (gsize)(raw->end - text), &c3);
	return TRUE;
}

/* a candidate name: a lexicon measurement term or a vital-sign letter */
typedef struct {
	guint32 start;
	guint32 end;
	SpMKind kind;
	gboolean letter; /* T, P, R: kept only inside a vitals run */
	gboolean fever;	 /* "fever of 102.5", 发烧39: the symptom names a temperature too */
	gboolean pain;	 /* "Pain: 0", 疼痛 5: the symptom names its score */
	gboolean inner;	 /* a name inside another concept's term: "high blood sugar of 300",
			  * 血糖高达20; that concept stays a finding, the value spans the number */
	gboolean zh;
	gboolean ok;	 /* a value was read */
	gboolean target; /* ... and it is a target, not a reading: no other pass may read it */
	SpRaw raw;
	gint item; /* the concept item of a lexicon name, or -1 */
} SpMCand;

static gint
sp_m_cand_cmp (gconstpointer a, gconstpointer b)
{
	const SpMCand *x = a;
	const SpMCand *y = b;
	return x->start < y->start ? -1 : x->start > y->start ? 1 : 0;
}

/* words that make a range a target */
static const gchar *const sp_m_targets[]
	= { "goal", "target", "aim",	"keep",	  "below", "under", "less than", "<",
	    "目标", "控制在", "维持在", "保持在", "以内",  "以下",  NULL };

/* Is one of @words in [@from, @to)? */
static gboolean
sp_m_has_any (const gchar *from, const gchar *to, const gchar *const *words)
{
	for (guint i = 0; from < to && words[i] != NULL; i++) {
		if (g_strstr_len (from, to - from, words[i]) != NULL)
			return TRUE;
	}
	return FALSE;
}

/* Is the last word between @from and @p "from" ("A1c went from 9 to 6.5")? */
static gboolean
sp_m_after_from (const gchar *from, const gchar *p)
{
	while (p > from && p[-1] == ' ')
		p--;
	return p - from >= 4 && memcmp (p - 4, "from", 4) == 0 && (p - 4 == from || p[-5] == ' ');
}

/* Is a dose unit after the number at @q: "increased 50 -> 75 mcg", "increased to 40 mg"? */
static gboolean
sp_m_dose_after (const gchar *q, const gchar *end)
{
	static const gchar *const doses[]
		= { "mg",  "mcg",  "ug",    "μg",   "g",  "units", "unit", "iu", "ml",
		    "tab", "tabs", "puffs", "毫克", "片", "粒",	   "单位", NULL };

	q = sp_m_skip_spaces (q, end);
	for (guint i = 0; doses[i] != NULL; i++) {
		if (sp_m_word_at (q, end, doses[i]) != NULL)
			return TRUE;
	}
	return FALSE;
}

/* Was the value measured by the patient (自测血压控制在125-135/75-85: home readings kept in a
 * range, not a target)? */
static gboolean
sp_m_self_measured (SpCtx *ctx, const SpMCand *c)
{
	static const gchar *const words[] = { "自测", "自己测", "在家测", "home", NULL };
	const gchar *text = ctx->nt->text;

	/* the name itself may hold part of it: 自 + 测血压 */
	return sp_m_has_any (text + c->start - MIN (c->start, 12), text + c->end, words);
}

/* Is a single value or a pair a target, not a reading: a target word between the name and
 * the value ("BP goal 130/80"), 目标 or "goal" just before the name (目标血压<140/90), or a value
 * kept below something (血压控制在130/80以下)?  Ranges have their own, wider rule. */
static gboolean
sp_m_is_target (SpCtx *ctx, const SpMCand *c, const gchar *p)
{
	static const gchar *const between[] = { "goal", "target", "aim", "目标", NULL };
	static const gchar *const before[] = { "goal", "target", "目标", NULL };
	/* 以下 after a value kept somewhere is a target; after one that fell there it is a reading
	 * (血氧掉到90%以下) */
	static const gchar *const keep[]
		= { "控制在", "控制到", "维持在", "保持在", "要", "应", "keep", "maintain", NULL };
	static const gchar *const after[] = { "以下", "以内", "or less", "or below", NULL };
	const gchar *text = ctx->nt->text;
	const gchar *end = text + ctx->nt->len;
	const gchar *from = text + c->start - MIN (c->start, 9);
	const gchar *q = sp_m_skip_spaces (c->raw.end, end);

	static const gchar *const met[] = { "at goal", "at target", "达标", NULL };

	/* "HTN at goal (128/78)": a reading that meets its target */
	if (sp_m_has_any (text + c->end, p, met))
		return FALSE;
	return sp_m_has_any (text + c->end, p, between)
	       || sp_m_has_any (from, text + c->start, before)
	       || (sp_m_has_any (text + c->end, p, keep)
		   && sp_m_has_any (q, MIN (end, q + 9), after));
}

static void
sp_m_try (SpCtx *ctx, SpMCand *c)
{
	const gchar *end = ctx->nt->text + ctx->nt->len;
	const gchar *p = sp_m_skip_connectors (ctx->nt->text + c->end, end);
	SpMKind kind = c->kind;

	/* "weight -5 kg": a minus sign, not a separator */
	if (p[-1] == '-' && (p - 1 == ctx->nt->text + c->end || p[-2] == ' ' || p[-2] == ':'))
		return;
	/* "TSH <0.01", "CRP >200": a lab at the limit of its assay reads as the limit */
	if (sp_mkinds[kind].keep && p < end && (*p == '<' || *p == '>'))
		p = sp_m_skip_spaces (p + 1, end);
	/* "BP <140/90", 目标血压<140/90: a vital sign is never measured as a bound, a target is */
	if (!sp_mkinds[kind].keep && p < end
	    && (*p == '<' || sp_starts (p, "≤") || sp_starts (p, "≥"))) {
		p = sp_m_skip_spaces (p + (*p == '<' ? 1 : strlen ("≤")), end);
		c->target = sp_m_read_value (p, end, kind, &c->raw);
		return;
	}
	/* "glucose (fasting) 112": the aside says which glucose */
	if (kind == SP_M_GLUCOSE
	    && (g_strstr_len (ctx->nt->text + c->end, p - (ctx->nt->text + c->end), "fasting")
			!= NULL
		|| g_strstr_len (ctx->nt->text + c->end, p - (ctx->nt->text + c->end), "空腹")
			   != NULL))
		c->kind = kind = SP_M_FPG;
	c->ok = sp_m_read_value_full (p, end, kind, sp_m_after_from (ctx->nt->text + c->end, p),
				      &c->raw);
	/* a target is no reading: "goal 120-140", 血糖控制在6-7之间, "HR 80-100 is the target" */
	if (c->ok
	    && ((c->raw.hi_start != NULL && !sp_m_self_measured (ctx, c)
		 && (sp_m_has_any (ctx->nt->text + c->end, p, sp_m_targets)
		     || sp_m_has_any (c->raw.end, MIN (end, c->raw.end + 24), sp_m_targets)))
		|| sp_m_is_target (ctx, c, p))) {
		c->ok = FALSE;
		c->target = TRUE;
		return;
	}
	/* a number with a dose unit is a dose: "葡萄糖 500 ml", "glucose 50 g" */
	if (c->ok && c->raw.unit == SP_U_NONE && sp_m_dose_after (c->raw.end, end)) {
		c->ok = FALSE;
		return;
	}
	/* "Weight (kg): 70", "Hemoglobin A1c (%) 7.4": the unit in an aside before the value */
	if (c->ok && c->raw.unit == SP_U_NONE) {
		const gchar *a = memchr (ctx->nt->text + c->end, '(',
					 (gsize)(p - (ctx->nt->text + c->end)));
		const SpUnitWord *unit = NULL;
		const gchar *u = a != NULL
					 ? sp_m_unit_at (a + 1, p, sp_mkinds[kind].accepted, &unit)
					 : NULL;
		if (u != NULL && *u == ')') {
			c->raw.unit = unit->unit;
			c->raw.zh = unit->zh;
		}
	}
	/* a lone letter, a fever or a pain word needs its value at once */
	if (!c->ok && !c->letter && !c->pain && !c->fever) {
		c->ok = sp_m_read_late (ctx->nt->text + c->end, end, kind, &c->raw)
			&& !(c->raw.unit == SP_U_NONE && sp_m_dose_after (c->raw.end, end));
		/* LDL要控制到2.6以下: a target found a few words on */
		if (c->ok && sp_m_is_target (ctx, c, c->raw.value_start)) {
			c->ok = FALSE;
			c->target = TRUE;
			return;
		}
	}
	/* 血压150, 量了个血压一百八十多: in Chinese one number after 血压 is the systolic */
	if (!c->ok && kind == SP_M_BP && c->zh && sp_m_read_value (p, end, SP_M_SBP, &c->raw)
	    && c->raw.value >= 70 && c->raw.value <= 250) {
		c->kind = SP_M_SBP;
		c->ok = TRUE;
	}
}

/* The length of the vital-sign name at the start of a word glued to its number ("bp128", "t98",
 * "rr16"; only names without digits of their own), or 0. */
static guint
sp_m_glued_name (const gchar *p, const gchar *end, SpMKind *kind)
{
	static const struct {
		const gchar *name;
		SpMKind kind;
	} names[]
		= { { "bp", SP_M_BP }, { "hr", SP_M_HR }, { "rr", SP_M_RR },	{ "t", SP_M_TEMP },
		    { "p", SP_M_HR },  { "r", SP_M_RR },  { "wt", SP_M_WEIGHT } };

	for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
		gsize n = strlen (names[i].name);
		if ((gsize)(end - p) > n && memcmp (p, names[i].name, n) == 0
		    && g_ascii_isdigit (p[n])) {
			*kind = names[i].kind;
			return (guint)n;
		}
	}
	return 0;
}

/* A measurement name inside the term of another concept ("high blood sugar", "low sats",
 * "blood pressure dropped", 血糖高, 血压升高): its kind, or FALSE.  Weight is left out: "weight
 * loss of 5 kg" is a change, not a weight. */
static gboolean
sp_m_inner_name (const gchar *p, const gchar *end, SpMKind *kind)
{
	static const struct {
		const gchar *name;
		SpMKind kind;
	} names[] = {
		{ "blood pressure", SP_M_BP },
		{ "bp", SP_M_BP },
		{ "blood sugar", SP_M_GLUCOSE },
		{ "sugar", SP_M_GLUCOSE },
		{ "sugars", SP_M_GLUCOSE },
		{ "glucose", SP_M_GLUCOSE },
		{ "temperature", SP_M_TEMP },
		{ "temp", SP_M_TEMP },
		{ "heart rate", SP_M_HR },
		{ "pulse", SP_M_HR },
		{ "sats", SP_M_SPO2 },
		{ "o2 sat", SP_M_SPO2 },
		{ "血压", SP_M_BP },
		{ "血糖", SP_M_GLUCOSE },
		{ "体温", SP_M_TEMP },
		{ "心率", SP_M_HR },
		{ "心跳", SP_M_HR },
		{ "脉搏", SP_M_HR },
		{ "血氧", SP_M_SPO2 },
		/* 胆固醇偏高6.3, "cholesterol is high at 6.3", 尿酸高520 */
		{ "cholesterol", SP_M_TC },
		{ "triglycerides", SP_M_TG },
		{ "uric acid", SP_M_URATE },
		{ "creatinine", SP_M_CREAT },
		{ "胆固醇", SP_M_TC },
		{ "甘油三酯", SP_M_TG },
		{ "尿酸", SP_M_URATE },
		{ "肌酐", SP_M_CREAT },
		{ "血红蛋白", SP_M_HB },
	};

	for (const gchar *q = p; q < end; q++) {
		/* names start a word: "co2" is not "o2", "bph" is not "bp" */
		if (q > p && g_ascii_isalnum (q[-1]) && g_ascii_isalnum (*q))
			continue;
		for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
			if (sp_m_word_at (q, end, names[i].name) != NULL) {
				*kind = names[i].kind;
				return TRUE;
			}
		}
	}
	return FALSE;
}

/* The measure a sign is about: hypertension and hypotension (a pair), tachycardia and
 * bradycardia, tachypnea, hypoxemia, hypothermia, hyper- and hypoglycemia. */
static gboolean
sp_m_sign_kind (const gchar *code, SpMKind *kind)
{
	static const struct {
		const gchar *code;
		SpMKind kind;
	} signs[] = {
		{ "HP:0000822", SP_M_BP },	{ "HP:0002615", SP_M_BP },
		{ "HP:0001649", SP_M_HR },	{ "HP:0001662", SP_M_HR },
		{ "HP:0002789", SP_M_RR },	{ "HP:0012418", SP_M_SPO2 },
		{ "HP:0002045", SP_M_TEMP },	{ "HP:0003074", SP_M_GLUCOSE },
		{ "HP:0001943", SP_M_GLUCOSE },
	};

	for (guint i = 0; i < G_N_ELEMENTS (signs); i++) {
		if (g_strcmp0 (code, signs[i].code) == 0) {
			*kind = signs[i].kind;
			return TRUE;
		}
	}
	return FALSE;
}

static const gchar *const sp_m_pressure_words[]
	= { "pressure", "pressures", "reading", "readings", NULL };

/* Lexicon names (concept items of kind measurement or score) and the letters T, P, R. */
static GArray *
sp_m_candidates (SpCtx *ctx)
{
	const SpLexicon *lex = ctx->parser->lexicon;
	GArray *cands = g_array_new (FALSE, FALSE, sizeof (SpMCand));
	const gchar *text = ctx->nt->text;
	/* compared by index: this loop sees every concept of the text */
	gint fever = sp_m_concept (ctx, "fever", "HP:0001945");
	gint pain = sp_m_concept (ctx, "pain", "HP:0012531");

	for (guint i = 0; i < ctx->items->len; i++) {
		const SpItem *it = &g_array_index (ctx->items, SpItem, i);
		const SpConcept *c;
		SpMCand cand = { 0 };
		if (it->kind != SP_ITEM_CONCEPT)
			continue;
		c = g_ptr_array_index (lex->concepts, it->index);
		if ((gint)it->index == fever) {
			cand.kind = SP_M_TEMP;
			cand.fever = TRUE;
		} else if ((gint)it->index == pain) {
			cand.kind = SP_M_PAIN;
			cand.pain = TRUE;
		} else if (c->kind != SP_CONCEPT_MEASUREMENT && c->kind != SP_CONCEPT_SCORE) {
			/* "HTN at goal (128/78)", "tachycardic to 130", "hypoxic to 85%": a sign
			 * names the measure it is about */
			if (!sp_m_sign_kind (c->code, &cand.kind)
			    && !sp_m_inner_name (text + it->start, text + it->end, &cand.kind))
				continue;
			cand.inner = TRUE;
		} else if (!sp_m_kind_of_code (c->code, &cand.kind)) {
			continue;
		}
		cand.start = it->start;
		cand.end = it->end;
		cand.zh = sp_m_is_han_at (text + it->start, text + it->end);
		/* the fever stays a finding of its own; its temperature spans the value only */
		cand.item = cand.fever || cand.pain || cand.inner ? -1 : (gint)i;
		g_array_append_val (cands, cand);
	}
	for (guint i = 0; i < ctx->tokens->len; i++) {
		const MvToken *t = &g_array_index (ctx->tokens, MvToken, i);
		SpMCand cand = { 0 };
		guint n;
		if (t->kind != MV_TOKEN_WORD)
			continue;
		/* most words are not vital signs: only a letter or two then a digit are looked up
		 */
		n = t->end - t->start >= 2
				    && (g_ascii_isdigit (text[t->start + 1])
					|| (t->end - t->start >= 3
					    && g_ascii_isdigit (text[t->start + 2])))
			    ? sp_m_glued_name (text + t->start, text + t->end, &cand.kind)
			    : 0;
		if (n > 0) {
			/* "BP128/84", "HR72", "T98.6": a name glued to its value */
			cand.start = t->start;
			cand.end = t->start + n;
			cand.letter = n == 1;
			cand.item = -1;
			g_array_append_val (cands, cand);
			continue;
		}
		if (sp_tok_in (ctx, i, sp_m_pressure_words)) {
			/* "his pressure dropped to 90/60": a pair after "pressure" (a blood
			 * pressure needs its pair, so "chest pressure 2 days" reads nothing) */
			cand.kind = SP_M_BP;
			cand.start = t->start;
			cand.end = t->end;
			cand.item = -1;
			g_array_append_val (cands, cand);
			continue;
		}
		if (t->end - t->start != 1)
			continue;
		switch (text[t->start]) {
		case 't':
			cand.kind = SP_M_TEMP;
			break;
		case 'p':
			cand.kind = SP_M_HR;
			break;
		case 'r':
			cand.kind = SP_M_RR;
			break;
		default:
			continue;
		}
		cand.start = t->start;
		cand.end = t->end;
		cand.letter = TRUE;
		cand.item = -1;
		g_array_append_val (cands, cand);
	}
	g_array_sort (cands, sp_m_cand_cmp);
	return cands;
}

/* Only separators between @a's value and @b's name: "T 38.5, P 102". */
static gboolean
sp_m_adjacent (SpCtx *ctx, const SpMCand *a, const SpMCand *b)
{
	const gchar *p = a->raw.end;
	const gchar *q = ctx->nt->text + b->start;

	if (!a->ok || !b->ok || p > q || q - p > SP_M_RUN_GAP)
		return FALSE;
	for (; p < q; p++) {
		if (strchr (" \t,;/|", *p) == NULL)
			return FALSE;
	}
	return TRUE;
}

/* ---- the find pass ---- */

/* covered[] marks the bytes already read as a value, so a unit-only pass does not read them
 * again */
void
sp_m_cover (guint8 *covered, gsize from, gsize to)
{
	memset (covered + from, 1, to - from);
}

/* Does the text just before a further value (from @from, at most 32 bytes) say it is another
 * reading of the same measure: "creatinine 2.3 mg/dL (baseline 1.1)", "A1c 7.2, up from 6.8",
 * "HR 120 -> 95", 体温38.5，复查37.2? */
static gboolean
sp_m_trend_before (const gchar *from, const gchar *p)
{
	/* clang-format off */
	static const gchar *const cues[] = {
		"baseline", "from", "was", "previous", "prior", "before", "->", "→", "then", "repeat",
		"recheck", "now", "last", "down to", "up to", " to ", " and ", "mon", "tue", "wed",
		"thu", "fri", "sat", "sun", "morning", "evening", "night", "yesterday", "today",
		"之前", "原来", "以前", "复查", "降至", "升至", "降到", "升到", "后", "早上", "晚上",
		"昨天", "今天", "pre-op", "post-op", "preop", "postop", "上次", "入院时", "术前",
		"earlier", "previously", "initially", "现在", "复测", "孕前", "出院时", "治疗前",
		NULL,
	};
	/* clang-format on */
	g_autofree gchar *window = NULL;

	if (p - from > 32)
		from = p - 32;
	window = g_strndup (from, (gsize)(p - from));
	for (guint i = 0; cues[i] != NULL; i++) {
		if (strstr (window, cues[i]) != NULL)
			return TRUE;
	}
	return FALSE;
}

/* Does a time word follow a further value at once, saying it is an earlier reading: "Hb 7.4
 * g/dL (9.1 yesterday)", "glucose 11.2 (32.4 on admission)", 血红蛋白 85（入院时 102）? */
static gboolean
sp_m_trend_after (const gchar *q, const gchar *end)
{
	static const gchar *const words[]
		= { "yesterday",    "on admission", "at admission", "on arrival", "ago",
		    "last",	    "earlier",	    "previously",   "before",	  "prior",
		    "昨天",	    "入院时",	    "上次",	    "之前",	  "以前",
		    "this morning", "today",	    "now",	    NULL };

	q = sp_m_skip_spaces (q, end);
	for (guint i = 0; words[i] != NULL; i++) {
		if (sp_m_word_at (q, end, words[i]) != NULL)
			return TRUE;
	}
	return FALSE;
}

/* words that introduce a reference range, not a reading */
static const gchar *const sp_m_reference_words[]
	= { "参考", "正常值",	 "正常范围",	 "ref ",    "ref:",
	    "ref.", "reference", "normal range", "normal:", NULL };

/* Values of the same measurement that follow the first in its sentence, up to the next name:
 * "BP 198/112 on arrival, 156/90 after labetalol", "A1c 6.1% (was 6.4% in March)", "Wt 82 kg
 * (180 lb), down from 85 kg".  Each needs its unit (or, for a blood pressure, the pair), or a
 * word that makes it another reading ("(baseline 1.1)", "-> 95"). */
static void
sp_m_follow_on (SpCtx *ctx, const SpMCand *c, gsize limit, gboolean zh, guint8 *covered)
{
	const gchar *text = ctx->nt->text;
	const gchar *end = text + MIN (ctx->nt->len, limit);
	const gchar *p = c->raw.end;
	const gchar *last = p;

	for (guint n = 0; n < 4 && p < end; p++) {
		SpRaw raw;
		if (*p == '.' && !(p + 1 < end && g_ascii_isdigit (p[1])))
			break;
		if (*p == ';' || *p == '\n' || sp_starts (p, "。"))
			break;
		if (!g_ascii_isdigit (*p) || g_ascii_isdigit (p[-1]) || p[-1] == '.'
		    || covered[p - text])
			continue;
		if (!sp_m_read_value (p, end, c->kind, &raw) || raw.end > end)
			continue;
		/* "Weight 82 kg, lost 5 kg": the rest is a change of weight, not a reading */
		if (c->kind == SP_M_WEIGHT && sp_m_has_any (last, p, sp_m_weight_change_words))
			break;
		/* a reference range is no reading: "空腹血糖 7.35 ↑ 3.9-6.1 mmol/L",
		 * "参考值 3.5-5.3" (a range of further readings needs a word that says so: "from
		 * 150-160 to…") */
		if (sp_m_has_any (last, p, sp_m_reference_words)
		    || (raw.hi_start != NULL && !sp_m_trend_before (last, p))) {
			p = raw.end - 1;
			continue;
		}
		if (c->kind != SP_M_BP && raw.unit == SP_U_NONE
		    && ((!sp_m_trend_before (last, p) && !sp_m_trend_after (raw.end, end))
			|| sp_m_dose_after (raw.end, end)))
			continue;
		if (sp_m_add (ctx, &raw, (gsize)(p - text), zh, -1)) {
			sp_m_cover (covered, (gsize)(p - text), (gsize)(raw.end - text));
			n++;
			p = raw.end - 1;
			last = raw.end;
		}
	}
}

/* The label of one value of a glucose series at @p: 空腹, fasting (fasting glucose); 餐后, "2
 * hour", 1小时, 两小时, "2-hr", "2h pp" (glucose); the end of the label in @after, or FALSE. */
static gboolean
sp_m_series_label (const gchar *p, const gchar *end, SpMKind *kind, const gchar **after)
{
	static const gchar *const fasting[] = { "空腹", "fasting", "fbg", "fpg", NULL };
	static const gchar *const meal[]
		= { "餐后", "饭后", "postprandial", "post-prandial", "post meal", "pp", NULL };
	/* a time of day that is no hour count: 睡前9.1, "bedtime 180" */
	static const gchar *const times[]
		= { "睡前",	  "餐前",     "饭前",	      "早餐后", "午餐后", "晚餐后",
		    "午饭后",	  "晚饭后",   "夜间",	      "凌晨",	"随机",	  "bedtime",
		    "before bed", "pre-meal", "before meals", "random", NULL };
	static const gchar *const hours[] = { "个小时", "小时",	  "hours", "hour", "hrs", "hr",
					      "h",	"-hours", "-hour", "-hr",  "-h",  NULL };
	static const gchar *const tails[]
		= { "后", "血糖", "glucose", "sugar", "pp", "postprandial", "post", NULL };
	const gchar *q = NULL;
	const gchar *r;
	gdouble n;

	for (guint i = 0; fasting[i] != NULL && q == NULL; i++)
		q = sp_m_word_at (p, end, fasting[i]);
	if (q != NULL) {
		*kind = SP_M_FPG;
		*after = q;
		return TRUE;
	}
	*kind = SP_M_GLUCOSE;
	for (guint i = 0; times[i] != NULL && q == NULL; i++)
		q = sp_m_word_at (p, end, times[i]);
	if (q != NULL) {
		*after = q;
		return TRUE;
	}
	for (guint i = 0; meal[i] != NULL && q == NULL; i++)
		q = sp_m_word_at (p, end, meal[i]);
	r = sp_m_skip_spaces (q != NULL ? q : p, end);
	/* the hour: "2", "两", "半" then an hour word */
	if ((r = sp_zh_number (r, end, &n)) != NULL && n > 0 && n <= 3) {
		const gchar *h = NULL;
		r = sp_m_skip_spaces (r, end);
		for (guint i = 0; hours[i] != NULL && h == NULL; i++)
			h = sp_m_word_at (r, end, hours[i]);
		if (h != NULL) {
			q = h;
			for (guint i = 0; tails[i] != NULL; i++) {
				const gchar *t
					= sp_m_word_at (sp_m_skip_spaces (q, end), end, tails[i]);
				if (t != NULL) {
					q = t;
					break;
				}
			}
		}
	}
	if (q == NULL)
		return FALSE;
	*after = q;
	return TRUE;
}

/* The further values of a glucose test in its sentence, each with its label: 糖耐量：空腹5.3，
 * 1小时10.6，2小时8.9; 空腹测血糖7.2，餐后两小时11.5; "OGTT: fasting 92, 1-hr 180, 2-hr 155". */
static void
sp_m_series (SpCtx *ctx, const SpMCand *c, gsize limit, gboolean zh, guint8 *covered)
{
	const gchar *text = ctx->nt->text;
	const gchar *end = text + MIN (ctx->nt->len, MIN (limit, (gsize)c->end + 160));
	const gchar *p = c->ok ? c->raw.end : text + c->end;

	for (guint n = 0; n < 6 && p < end; p++) {
		SpMKind kind;
		const gchar *after;
		SpRaw raw;
		if ((*p == '.' && !(p + 1 < end && g_ascii_isdigit (p[1]))) || *p == ';'
		    || *p == '\n' || sp_starts (p, "。"))
			break;
		if ((p > text && g_ascii_isalnum (p[-1])) || covered[p - text]
		    || !sp_m_series_label (p, end, &kind, &after))
			continue;
		if (!sp_m_read_value (sp_m_skip_connectors (after, end), end, kind, &raw)
		    || raw.end > end || covered[raw.value_start - text])
			continue;
		if (sp_m_add (ctx, &raw, (gsize)(raw.value_start - text), zh, -1)) {
			sp_m_cover (covered, (gsize)(p - text), (gsize)(raw.end - text));
			n++;
			p = raw.end - 1;
		}
	}
}

/* A lone letter T with a temperature no other number looks like: "T 38.2", "afebrile, T 36.8",
 * "T 101.3" (a decimal, 34-42.5 Cel or 93-108.5 [degF]); "T 12", "T 3" are not. */
static gboolean
sp_m_letter_temperature (const SpMCand *c)
{
	gdouble v = c->raw.value;

	return c->kind == SP_M_TEMP
	       && memchr (c->raw.value_start, '.', (gsize)(c->raw.value_end - c->raw.value_start))
	       && ((v >= 34 && v <= 42.5) || (v >= 93 && v <= 108.5));
}

static void
sp_m_named (SpCtx *ctx, gboolean doc_zh, guint8 *covered)
{
	g_autoptr (GArray) cands = sp_m_candidates (ctx);
	const gchar *text = ctx->nt->text;

	for (guint i = 0; i < cands->len; i++)
		sp_m_try (ctx, &g_array_index (cands, SpMCand, i));
	for (guint i = 0; i < cands->len; i++) {
		SpMCand *c = &g_array_index (cands, SpMCand, i);
		gsize limit = ctx->nt->len;
		gboolean glucose = c->kind == SP_M_GLUCOSE || c->kind == SP_M_FPG;
		/* further values reach the next name, not one inside this one ("BP readings") */
		for (guint j = i + 1; j < cands->len; j++) {
			if (g_array_index (cands, SpMCand, j).start >= c->end) {
				limit = g_array_index (cands, SpMCand, j).start;
				break;
			}
		}
		gboolean run;
		gsize start;
		if (c->target)
			sp_m_cover (covered, (gsize)(c->raw.value_start - text),
				    (gsize)(c->raw.end - text));
		if (!c->ok || covered[c->raw.value_start - text]) {
			if (glucose && !c->letter)
				sp_m_series (ctx, c, limit, c->zh || doc_zh, covered);
			continue;
		}
		/* "T 38.5 P 102 R 22": a letter counts only next to another measurement */
		run = (i > 0 && sp_m_adjacent (ctx, &g_array_index (cands, SpMCand, i - 1), c))
		      || (i + 1 < cands->len
			  && sp_m_adjacent (ctx, c, &g_array_index (cands, SpMCand, i + 1)));
		/* ... or with a unit of its own: "T 37.9 C", or a temperature's decimals */
		if (c->letter && !run && c->raw.unit == SP_U_NONE && !sp_m_letter_temperature (c))
			continue;
		start = c->fever || c->pain || c->inner ? (gsize)(c->raw.value_start - text)
							: c->start;
		if (!sp_m_add (ctx, &c->raw, start, c->zh || doc_zh, c->item))
			continue;
		sp_m_cover (covered, start, (gsize)(c->raw.end - text));
		/* a fever word's temperature has further readings too (烧到38.8，…降到37.5) */
		if (c->letter || c->pain)
			continue;
		if (glucose)
			sp_m_series (ctx, c, limit, c->zh || doc_zh, covered);
		sp_m_follow_on (ctx, c, limit, c->zh || doc_zh, covered);
	}
}

void
sp_measure_find (SpCtx *ctx)
{
	g_autofree guint8 *covered = g_malloc0 (ctx->nt->len + 1);

	gboolean zh = sp_m_text_is_zh (ctx);

	sp_m_named (ctx, zh, covered);
	sp_m_vitals_list (ctx, zh, covered);
	sp_m_unit_only (ctx, zh, covered);
	sp_m_heights (ctx, zh, covered);
	sp_m_saturations (ctx, zh, covered);
	sp_m_zh_temperatures (ctx, covered);
	sp_m_scores (ctx, covered);
	sp_m_weight_change (ctx, covered);
}

/* ---- findings ---- */

gboolean
sp_measure_fill (SpCtx *ctx, guint k, SpFinding *f)
{
	const SpItem *it = &g_array_index (ctx->items, SpItem, k);

	if (it->kind == SP_ITEM_MEASURE) {
		guint m = (guint)it->value;
		if (ctx->measures == NULL || m >= ctx->measures->len)
			return FALSE;
		f->kind = f->concept->kind == SP_CONCEPT_SCORE ? SP_FINDING_SCORE
							       : SP_FINDING_MEASUREMENT;
		f->value = g_array_index (ctx->measures, SpValue, m);
		/* a measured value is a fact: "no fever, T 36.8" does not negate the 36.8 */
		f->polarity = SP_POLARITY_PRESENT;
		f->status = SP_STATUS_NONE;
		f->duration_hours = -1;
		f->severity = SP_SEVERITY_NONE;
		f->laterality = SP_LATERALITY_NONE;
		f->site = NULL;
		/* of several readings, the earlier is past and the later current, whatever the
		 * clause's history cues say (sp-measure-time.c) */
		if (ctx->measure_time != NULL && ctx->measure_time[m] != SP_MEASURE_TIME_ASIS)
			f->historical = ctx->measure_time[m] == SP_MEASURE_TIME_PAST;
		return TRUE;
	}
	if (f->kind == SP_FINDING_MEDICATION)
		sp_medication_read (ctx, k, f);
	return TRUE;
}
