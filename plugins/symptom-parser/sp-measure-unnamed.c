/*
 * symptom-parser — measurements without a name before them (see sp-measure.h): values whose
 * unit, form or context says what they are ("39.2℃", "140/90 mmHg", "95% on RA", "5'4\"",
 * 烧到三十九度, 他180斤, an unnamed vitals list), pain scores beside a pain, and weight changes.
 * The passes run after the named values (sp-measure.c) and skip what those covered.
 */
#define G_LOG_DOMAIN "symptom-parser"

#include "sp-measure-private.h"

#include <string.h>

/* Is the number at @p the end of a range ("38-39度", 38至39℃, "37 to 38 C")? */
static gboolean
sp_m_range_end (const gchar *text, const gchar *p)
{
	static const gchar *const dashes[] = { "-", "~", "至", "到", " to ", NULL };

	while (p > text && p[-1] == ' ')
		p--;
	for (guint i = 0; dashes[i] != NULL; i++) {
		gsize n = strlen (dashes[i]);
		if ((gsize)(p - text) > n && memcmp (p - n, dashes[i], n) == 0) {
			const gchar *q = p - n;
			while (q > text && q[-1] == ' ')
				q--;
			return q > text && g_ascii_isdigit (q[-1]);
		}
	}
	return FALSE;
}

/* A Chinese change of weight just before @p: 瘦了10斤, 胖了5斤, 减了, 掉了 (sp_m_weight_change). */
static gboolean
sp_m_zh_change_before (const gchar *text, const gchar *p)
{
	static const gchar *const changes[]
		= { "了", "掉", "减", "降", "瘦", "胖", "重", "长", "增加", "减少", "下降", NULL };

	static const gchar *const about[] = { "快", "近", "将近", "差不多", "大概", "约", NULL };

	while (p > text && p[-1] == ' ')
		p--;
	/* 胖了快20斤, 瘦了将近10斤: "almost" between the change and the number */
	for (guint i = 0; about[i] != NULL; i++) {
		gsize n = strlen (about[i]);
		if ((gsize)(p - text) >= n && memcmp (p - n, about[i], n) == 0) {
			p -= n;
			break;
		}
	}
	for (guint i = 0; changes[i] != NULL; i++) {
		gsize n = strlen (changes[i]);
		if ((gsize)(p - text) >= n && memcmp (p - n, changes[i], n) == 0)
			return TRUE;
	}
	return FALSE;
}

/* A value with no name whose unit says what it is: "39.2℃", "101 °F", 发烧38度5, "140/90 mmHg",
 * "102 bpm", 心跳110次/分.  A bare "c", "f", "%" or "kg" says too little. */
void
sp_m_unit_only (SpCtx *ctx, gboolean doc_zh, guint8 *covered)
{
	static const struct {
		const gchar *word;
		SpMKind kind;
	} units[] = {
		{ "°c", SP_M_TEMP },	   { "° c", SP_M_TEMP },
		{ "摄氏度", SP_M_TEMP },   { "度", SP_M_TEMP },
		{ "°f", SP_M_TEMP },	   { "° f", SP_M_TEMP },
		{ "华氏度", SP_M_TEMP },   { "mmhg", SP_M_BP },
		{ "mm hg", SP_M_BP },	   { "毫米汞柱", SP_M_BP },
		{ "bpm", SP_M_HR },	   { "次/分", SP_M_HR },
		{ "次/分钟", SP_M_HR },	   { "beats per minute", SP_M_HR },
		{ "lbs", SP_M_WEIGHT },	   { "lb", SP_M_WEIGHT },
		{ "pounds", SP_M_WEIGHT }, { "斤", SP_M_WEIGHT },
	};
	/* "lost 10 lbs", "down 5 pounds": a change of weight, not a weight (sp_m_weight_change) */
	static const gchar *const changes[]
		= { "lost",    "lose",		"losing", "loss", "gained", "gain", "gaining",
		    "dropped", "down",		"up",	  "put",  "of",	    "by",   "over",
		    "about",   "approximately", NULL };
	const gchar *text = ctx->nt->text;
	const gchar *end = text + ctx->nt->len;

	for (guint i = 0; i < ctx->tokens->len; i++) {
		const MvToken *t = &g_array_index (ctx->tokens, MvToken, i);
		const gchar *p = text + t->start;
		gdouble v;
		const gchar *q;
		SpRaw raw;
		if (t->kind != MV_TOKEN_NUMBER || covered[t->start]
		    || (t->start > 0 && (g_ascii_isdigit (p[-1]) || p[-1] == '.' || p[-1] == '/'))
		    || sp_m_range_end (text, p))
			continue;
		q = sp_m_number (p, end, &v);
		if (q == NULL)
			continue;
		/* the unit after the number, or after the second number of a pair */
		if (*q == '/') {
			const gchar *r = sp_m_number (q + 1, end, &v);
			if (r != NULL)
				q = r;
		}
		q = sp_m_skip_spaces (q, end);
		for (guint u = 0; u < G_N_ELEMENTS (units); u++) {
			if (sp_m_word_at (q, end, units[u].word) == NULL)
				continue;
			if (!sp_m_read_value (p, end, units[u].kind, &raw) || raw.unit == SP_U_NONE)
				break;
			if (units[u].kind == SP_M_WEIGHT && i > 0
			    && (sp_tok_in (ctx, i - 1, changes) || sp_m_zh_change_before (text, p)))
				break;
			/* 吃了半斤, 2斤水果: 斤 alone is a body weight from 20 斤 (10 kg) on */
			if (raw.unit == SP_U_JIN && raw.value < 20)
				break;
			/* 度 alone is also an angle or a degree of burn: a body temperature only */
			if (units[u].kind == SP_M_TEMP && raw.unit == SP_U_CEL
			    && (raw.value < 34 || raw.value > 43))
				break;
			if (sp_m_add (ctx, &raw, t->start, doc_zh, -1))
				sp_m_cover (covered, t->start, (gsize)(raw.end - text));
			break;
		}
	}
}

/* "95% on RA", "92% RA", "94% on 2L", "90% on room air", 93%（未吸氧）: a percentage the oxygen
 * it was measured on names as a saturation. */
void
sp_m_saturations (SpCtx *ctx, gboolean doc_zh, guint8 *covered)
{
	/* clang-format off */
	static const gchar *const airs[]
		= { "ra", "room air", "ambient air", "nc", "nasal cannula", "o2", "oxygen", "bipap",
		    "cpap", "nrb", "non-rebreather", "hfnc", "吸氧", "未吸氧", "不吸氧", "鼻导管", NULL };
	/* clang-format on */
	static const gchar *const delivered[] = { "on", "at", "via", "with", "fio2", NULL };
	const gchar *text = ctx->nt->text;
	const gchar *end = text + ctx->nt->len;

	for (guint i = 0; i < ctx->tokens->len; i++) {
		const MvToken *t = &g_array_index (ctx->tokens, MvToken, i);
		const gchar *p = text + t->start;
		const gchar *q;
		gboolean air = FALSE;
		SpRaw raw;
		if (t->kind != MV_TOKEN_NUMBER || covered[t->start]
		    || (t->start > 0 && (g_ascii_isdigit (p[-1]) || p[-1] == '.' || p[-1] == '/'))
		    || !sp_m_read_value (p, end, SP_M_SPO2, &raw) || raw.unit != SP_U_PERCENT)
			continue;
		/* "on 100% oxygen", "at 40% FiO2": what is given, not what is measured */
		if (i > 0 && sp_tok_in (ctx, i - 1, delivered))
			continue;
		q = sp_m_skip_spaces (raw.end, end);
		if (q < end && *q == '(')
			q++;
		if (sp_m_word_at (q, end, "on") != NULL)
			q = sp_m_skip_spaces (q + 2, end);
		else if (sp_m_word_at (q, end, "o2") != NULL
			 || sp_m_word_at (q, end, "oxygen") != NULL)
			continue; /* "40% oxygen" is a concentration; "92% on oxygen" a saturation
				   */
		/* "on 2L", "on 4 lpm" */
		if (q < end && g_ascii_isdigit (*q)) {
			gdouble litres;
			const gchar *r = sp_m_number (q, end, &litres);
			r = r != NULL ? sp_m_skip_spaces (r, end) : NULL;
			air = r != NULL && r < end
			      && (*r == 'l' || sp_m_word_at (r, end, "升") != NULL);
		}
		for (guint a = 0; airs[a] != NULL && !air; a++)
			air = sp_m_word_at (q, end, airs[a]) != NULL;
		if (air && sp_m_add (ctx, &raw, t->start, doc_zh, -1))
			sp_m_cover (covered, t->start, (gsize)(raw.end - text));
	}
}

/* "Vitals: 98.6, 88, 16, 120/80, 98%", "VS 37.2 88 18 130/80 97% RA", 生命体征：36.5℃，80次/分，
 * 18次/分，120/80mmHg: values with no names after a vital-signs heading.  A pair is the blood
 * pressure, a percentage the saturation, a value with a unit what its unit says; the others
 * are, in the order clinicians write them, the temperature (only with a temperature's
 * decimals), the pulse and the respiratory rate.  At least three values, or nothing. */
void
sp_m_vitals_list (SpCtx *ctx, gboolean doc_zh, guint8 *covered)
{
	static const gchar *const headings[]
		= { "vitals", "vital signs", "vs", "v/s", "生命体征", "体征", NULL };
	const gchar *text = ctx->nt->text;
	const gchar *end = text + ctx->nt->len;

	for (const gchar *h = text; h < end; h++) {
		const gchar *p = NULL;
		SpRaw raws[6];
		guint n = 0;
		guint order = 0; /* next of temperature (0), pulse (1), respirations (2) */
		if (h > text && g_ascii_isalnum (h[-1]))
			continue;
		for (guint i = 0; headings[i] != NULL && p == NULL; i++)
			p = sp_m_word_at (h, end, headings[i]);
		if (p == NULL)
			continue;
		for (p = sp_m_skip_connectors (p, end); n < 6 && p < end && g_ascii_isdigit (*p);) {
			SpRaw *raw = &raws[n];
			const SpUnitWord *unit = NULL;
			const gchar *q = sp_m_number (p, end, &raw->value);
			gboolean ok = FALSE;
			if (q == NULL || covered[p - text])
				break;
			if (*q == '/')
				ok = sp_m_read_value (p, end, SP_M_BP, raw);
			else if (sp_m_unit_at (sp_m_skip_spaces (q, end), end, 0, &unit) != NULL) {
				SpMKind kind = unit->unit == SP_U_PERCENT ? SP_M_SPO2
					       : unit->unit == SP_U_MMHG  ? SP_M_BP
					       : unit->unit == SP_U_PER_MIN
						       ? (order <= 1 ? SP_M_HR : SP_M_RR)
					       : unit->unit == SP_U_CEL || unit->unit == SP_U_DEGF
						       ? SP_M_TEMP
						       : SP_M_LAST;
				ok = kind != SP_M_LAST && sp_m_read_value (p, end, kind, raw);
				if (ok && kind == SP_M_HR)
					order = 2;
				else if (ok && kind == SP_M_RR)
					order = 3;
				else if (ok && kind == SP_M_TEMP)
					order = 1;
			} else {
				gboolean decimals = memchr (p, '.', (gsize)(q - p)) != NULL;
				if (order == 0 && decimals
				    && ((raw->value >= 34 && raw->value <= 42.5)
					|| (raw->value >= 93 && raw->value <= 108.5)))
					ok = sp_m_read_value (p, end, SP_M_TEMP, raw), order = 1;
				else if (order <= 1 && !decimals)
					ok = sp_m_read_value (p, end, SP_M_HR, raw), order = 2;
				else if (order == 2 && !decimals)
					ok = sp_m_read_value (p, end, SP_M_RR, raw), order = 3;
			}
			if (!ok)
				break;
			n++;
			p = raw->end;
			while (p < end && strchr (" ,;", *p) != NULL)
				p++;
			/* what the saturation was measured on: "97% RA", "95% on 2L" */
			if (n > 0 && raws[n - 1].kind == SP_M_SPO2)
				break;
		}
		for (guint i = 0; n >= 3 && i < n; i++) {
			const gchar *v = raws[i].value_start;
			if (sp_m_add (ctx, &raws[i], (gsize)(v - text), doc_zh, -1))
				sp_m_cover (covered, (gsize)(v - text),
					    (gsize)(raws[i].end - text));
		}
		h = p != NULL && p > h ? p - 1 : h;
	}
}

/* A height with no name: "5'4\"", "5 ft 6 in", "5'7 and 210 lbs", "6 feet tall"; feet alone
 * ("6 feet") only with "tall", since it is also a distance. */
void
sp_m_heights (SpCtx *ctx, gboolean doc_zh, guint8 *covered)
{
	const gchar *text = ctx->nt->text;
	const gchar *end = text + ctx->nt->len;

	for (guint i = 0; i < ctx->tokens->len; i++) {
		const MvToken *t = &g_array_index (ctx->tokens, MvToken, i);
		const gchar *p = text + t->start;
		gboolean inches = FALSE;
		SpRaw raw;
		if (t->kind != MV_TOKEN_NUMBER || covered[t->start] || t->end - t->start != 1
		    || *p < '3' || *p > '7' || (t->start > 0 && g_ascii_isalnum (p[-1])))
			continue;
		if (!sp_m_read_value (p, end, SP_M_HEIGHT, &raw) || raw.unit != SP_U_IN)
			continue;
		for (const gchar *q = raw.value_end; q < raw.end; q++)
			inches = inches || g_ascii_isdigit (*q);
		if (!inches && sp_m_word_at (sp_m_skip_spaces (raw.end, end), end, "tall") == NULL)
			continue;
		if (sp_m_add (ctx, &raw, t->start, doc_zh, -1))
			sp_m_cover (covered, t->start, (gsize)(raw.end - text));
	}
}

/* A temperature in Chinese numerals with its unit: 烧到三十九度, 三十八度五, 三十八点五度. */
void
sp_m_zh_temperatures (SpCtx *ctx, guint8 *covered)
{
	const gchar *text = ctx->nt->text;
	const gchar *end = text + ctx->nt->len;
	gboolean prev = FALSE; /* the character before was a numeral */

	for (const gchar *p = text; p < end; p = g_utf8_next_char (p)) {
		gunichar ch = g_utf8_get_char (p);
		gboolean numeral = (guchar)*p >= 0x80 && (sp_zh_digit (ch) >= 0 || ch == 0x5341);
		SpRaw raw;
		gboolean start = numeral && !prev;
		prev = numeral;
		if (!start || covered[p - text] || !sp_m_read_value (p, end, SP_M_TEMP, &raw)
		    || raw.unit != SP_U_CEL || raw.value < 34 || raw.value > 43)
			continue;
		if (sp_m_add (ctx, &raw, (gsize)(p - text), TRUE, -1))
			sp_m_cover (covered, (gsize)(p - text), (gsize)(raw.end - text));
	}
}

/* Is there a pain word in the clause around [@start, @end): up to 48 bytes before and 24 after,
 * not across a sentence end?  "Back pain 9/10", "Severe headache since this morning, 8/10",
 * "7/10 pain", 疼痛7分; not "scored 7/10 on the quiz", "Nausea 5/10", Apgar评分9分. */
static gboolean
sp_m_near_pain (SpCtx *ctx, const guint8 *painful, gsize start, gsize end)
{
	static const gchar *const words[]
		= { "pain", "ache", "hurt", "sore", "algia", "cramp", "tender", "痛", "疼", NULL };
	const gchar *text = ctx->nt->text;
	gsize from = start > 48 ? start - 48 : 0;
	gsize to = MIN (ctx->nt->len, end + 24);
	g_autofree gchar *window = NULL;

	for (gsize i = start; i > from; i--) {
		if (text[i - 1] == '.' || text[i - 1] == ';' || text[i - 1] == '\n') {
			from = i;
			break;
		}
	}
	for (gsize i = end; i < to; i++) {
		if (text[i] == '.' || text[i] == ';' || text[i] == '\n') {
			to = i;
			break;
		}
	}
	/* a painful concept in the clause: "HA x 2 wks, mostly frontal, 6/10", 偏头痛，7分 */
	for (gsize i = from; i < to; i++) {
		if (painful[i])
			return TRUE;
	}
	window = g_strndup (text + from, to - from);
	for (guint i = 0; words[i] != NULL; i++) {
		if (strstr (window, words[i]) != NULL)
			return TRUE;
	}
	return FALSE;
}

/* The bytes of the concepts that are a pain ("headache", "HA", "sore throat", 腹痛, 偏头痛):
 * labels with pain, ache, -algia or 痛 in them. */
static guint8 *
sp_m_painful (SpCtx *ctx)
{
	static const gchar *const words[] = { "pain", "ache", "algia", "痛", NULL };
	const SpLexicon *lex = ctx->parser->lexicon;
	guint8 *painful = g_malloc0 (ctx->nt->len + 1);

	for (guint i = 0; i < ctx->items->len; i++) {
		const SpItem *it = &g_array_index (ctx->items, SpItem, i);
		const SpConcept *c;
		if (it->kind != SP_ITEM_CONCEPT || it->index >= lex->concepts->len)
			continue;
		c = g_ptr_array_index (lex->concepts, it->index);
		for (guint w = 0; words[w] != NULL; w++) {
			if ((c->label_en != NULL && strstr (c->label_en, words[w]) != NULL)
			    || (c->label_zh != NULL && strstr (c->label_zh, words[w]) != NULL)
			    || (w == 0 && c->label_en != NULL
				&& strstr (c->label_en, "Pain") != NULL)) {
				memset (painful + it->start, 1, it->end - it->start);
				break;
			}
		}
	}
	return painful;
}

/* A pain score with no name: "pain 7/10", "7 out of 10", 疼痛7分, with a pain word or a painful
 * concept in its clause (sp_m_near_pain()). */
void
sp_m_scores (SpCtx *ctx, guint8 *covered)
{
	gint concept = -1;
	guint n = ctx->items->len;
	g_autofree guint8 *painful = NULL;

	for (guint i = 0; i < n; i++) {
		SpItem it = g_array_index (ctx->items, SpItem, i);
		SpValue v = { 0 };
		if (it.kind != SP_ITEM_SCORE || covered[it.start])
			continue;
		if (painful == NULL)
			painful = sp_m_painful (ctx);
		if (!sp_m_near_pain (ctx, painful, it.start, it.end))
			continue;
		if (concept < 0)
			concept = sp_m_concept_of (ctx, SP_M_PAIN);
		if (concept < 0)
			return;
		v.value = it.value;
		v.unit = sp_units[SP_U_SCORE].ucum;
		sp_m_push_item (ctx, -1, concept, it.start, it.end, &v);
		sp_m_cover (covered, it.start, it.end);
	}
}

/* "lost 5 kg", "dropped 10 lbs", "gained 3 kg", 掉了5斤, 减了3公斤, 胖了5斤: a weight change, which
 * is the symptom Weight loss (HP:0001824) or Increased body weight (HP:0004324), not a weight. */
void
sp_m_weight_change (SpCtx *ctx, const guint8 *covered)
{
	static const struct {
		const gchar *word;
		gboolean gain;
	} verbs[] = {
		{ "lost", FALSE },   { "lose", FALSE },	 { "losing", FALSE }, { "dropped", FALSE },
		{ "down", FALSE },   { "gained", TRUE }, { "gain", TRUE },    { "gaining", TRUE },
		{ "put on", TRUE },  { "掉了", FALSE },	 { "减了", FALSE },   { "轻了", FALSE },
		{ "少了", FALSE },   { "瘦了", FALSE },	 { "降了", FALSE },   { "下降了", FALSE },
		{ "减轻了", FALSE }, { "胖了", TRUE },	 { "重了", TRUE },    { "长了", TRUE },
		{ "增加了", TRUE },
	};
	static const guint weight_units = U (SP_U_KG) | U (SP_U_JIN) | U (SP_U_LB);
	const gchar *text = ctx->nt->text;
	const gchar *end = text + ctx->nt->len;

	for (guint i = 0; i < ctx->tokens->len; i++) {
		const MvToken *t = &g_array_index (ctx->tokens, MvToken, i);
		const gchar *num = text + t->start;
		const SpUnitWord *unit = NULL;
		gdouble v;
		const gchar *q;
		const gchar *u;
		if (t->kind != MV_TOKEN_NUMBER || covered[t->start])
			continue;
		q = sp_m_number (num, end, &v);
		u = q != NULL ? sp_m_unit_at (sp_m_skip_spaces (q, end), end, weight_units, &unit)
			      : NULL;
		if (u == NULL || v <= 0 || v > 200)
			continue;
		for (guint k = 0; k < G_N_ELEMENTS (verbs); k++) {
			const gchar *w = verbs[k].word;
			gsize n = strlen (w);
			const gchar *before = num;
			gint concept;
			/* the verb, then spaces and at most "about"/"约" */
			while (before > text && before[-1] == ' ')
				before--;
			if ((gsize)(before - text) < n || memcmp (before - n, w, n) != 0
			    || (g_ascii_isalpha (w[0]) && before - n > text
				&& g_ascii_isalpha (before[-(gssize)n - 1])))
				continue;
			concept = verbs[k].gain ? sp_m_concept (ctx, "weight gain", "HP:0004324")
						: sp_m_concept (ctx, "weight loss", "HP:0001824");
			if (concept >= 0) {
				SpItem it = { SP_ITEM_CONCEPT,
					      (guint32)(before - n - text),
					      (guint32)(u - text),
					      0,
					      0,
					      (guint)concept,
					      0,
					      FALSE,
					      FALSE,
					      FALSE };
				g_array_append_val (ctx->items, it);
			}
			break;
		}
	}
}
