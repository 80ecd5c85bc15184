/*
 * symptom-parser — the context of one concept: polarity, experiencer and relation, temporality,
 * condition status, allergy and reaction, attributes (severity, laterality, site, duration),
 * walking the items left and right of it the way NegEx/ConText walk a trigger's scope.
 */
#define G_LOG_DOMAIN "symptom-parser"

#include "sp-ctx.h"
#include "sp-measure.h"

#include <math.h>
#include <string.h>

/* @condition: the concept is a condition, for which a cue that is both negation-post and
 * resolved ("pneumonia has resolved", 肺炎已痊愈) gives a resolved status, not an absence. */
/* A review-of-systems or examination template states the polarity right after the finding:
 * "Rash: none", "Fever: no", "Chest pain: denies", 发热：无, 胸痛（-）, "murmur (+)".  Returns
 * %TRUE and sets @polarity when it does. */
static gboolean
sp_template_polarity (SpCtx *ctx, const SpItem *c, SpPolarity *polarity)
{
	static const gchar *const absent[]
		= { "none",   "no",   "denies",	     "denied",	     "negative", "neg",
		    "absent", "nil",  "not present", "无",	     "否认",	 "阴性",
		    "未见",   "没有", "(-)",	     "(−)",	     "(否)",	 "(无)",
		    "(×)",    "否",   "never",	     "never smoked", NULL };
	static const gchar *const present[] = { "yes", "present", "positive", "pos", "有", "阳性",
						"(+)", "(是)",	  "(有)",     "(√)", "是", NULL };
	const gchar *text = ctx->nt->text;
	const gchar *end = text + ctx->nt->len;
	const gchar *p = text + c->end;
	const gchar *b = text + c->start;
	gboolean colon = FALSE;

	/* a tick box before it: "[ ] Diabetes", "[x] Asthma", ☐ 糖尿病 */
	while (b > text && b[-1] == ' ')
		b--;
	if ((b - text >= 3 && memcmp (b - 3, "[ ]", 3) == 0)
	    || (b - text >= 2 && memcmp (b - 2, "[]", 2) == 0)
	    || (b - text >= 3 && memcmp (b - 3, "☐", 3) == 0)) {
		*polarity = SP_POLARITY_ABSENT;
		return TRUE;
	}
	if ((b - text >= 3 && memcmp (b - 3, "[x]", 3) == 0)
	    || (b - text >= 5 && memcmp (b - 5, "[√]", 5) == 0)
	    || (b - text >= 5 && memcmp (b - 5, "[✓]", 5) == 0)
	    || (b - text >= 3 && memcmp (b - 3, "☑", 3) == 0)) {
		*polarity = SP_POLARITY_PRESENT;
		return TRUE;
	}

	while (p < end && *p == ' ')
		p++;
	if (p < end && *p == ':') {
		colon = TRUE;
		p++;
		while (p < end && *p == ' ')
			p++;
	}
	for (guint pass = 0; pass < 2; pass++) {
		const gchar *const *words = pass == 0 ? absent : present;
		for (guint i = 0; words[i] != NULL; i++) {
			gsize n = strlen (words[i]);
			gboolean bracket = words[i][0] == '(';
			if ((gsize)(end - p) < n || memcmp (p, words[i], n) != 0)
				continue;
			/* a word must end there ("no" is not "not"); a bare word needs the colon */
			if (!bracket && (!colon || (p + n < end && g_ascii_isalnum (p[n]))))
				continue;
			*polarity = pass == 0 ? SP_POLARITY_ABSENT : SP_POLARITY_PRESENT;
			return TRUE;
		}
	}
	return FALSE;
}

/* "Dizziness or vertigo: no", "Nausea/vomiting: denies": a template line that names two
 * findings joined by "or", "and" or "/" before its answer gives the answer to both. */
static gboolean
sp_template_polarity_listed (SpCtx *ctx, guint k, SpPolarity *polarity)
{
	for (guint j = k + 1, n = 0; j < ctx->items->len && n < 4; j++, n++) {
		const SpItem *prev = sp_item (ctx, j - 1);
		const SpItem *it = sp_item (ctx, j);
		if (sp_other_between (ctx, prev, it) > 0)
			return FALSE;
		if (it->kind == SP_ITEM_CONCEPT)
			return sp_template_polarity (ctx, it, polarity);
		if (!sp_is_cue (it, SP_CUE_CONJUNCTION))
			return FALSE;
	}
	return FALSE;
}

/* Is the concept @c affirmed by the words right after it ("diarrhea present", "cough is
 * noted", "rash was seen")?  A negation list that a comma continues ends at such a finding:
 * "No nausea or vomiting, diarrhea present" negates only the first two. */
static gboolean
sp_affirmed_after (SpCtx *ctx, const SpItem *c)
{
	static const gchar *const copula[]
		= { "is", "are", "was", "were", "also", "still", "now", "has", "been", NULL };
	static const gchar *const affirm[]
		= { "present", "noted",	   "positive",	"reported",   "endorsed",  "observed",
		    "seen",    "persists", "persist",	"persisting", "continues", "remains",
		    "found",   "admitted", "confirmed", NULL };

	for (guint t = c->tok_last + 1, n = 0; t < ctx->tokens->len && n < 3; t++, n++) {
		if (sp_tok_in (ctx, t, affirm))
			return TRUE;
		if (!sp_tok_in (ctx, t, copula))
			return FALSE;
	}
	return FALSE;
}

/* Is the item's matched text exactly @word (normalised: lower case, half-width)? */
static gboolean
sp_item_text_is (SpCtx *ctx, const SpItem *it, const gchar *word)
{
	gsize n = strlen (word);
	return it->end - it->start == n && strncmp (ctx->nt->text + it->start, word, n) == 0;
}

/* Does what follows the comma at @j open an asserting clause rather than continue a negated
 * list: the concept @c's own term begins with a verb of having or feeling ("feeling dizzy",
 * "having headaches" are terms, opaque to the terminators inside them), or "with" follows the
 * comma at once ("No fever, with productive cough")?  "No fever, chills or rigors" and "denies
 * feeling dizzy" (no comma) stay negated. */
static gboolean
sp_asserting_after_comma (SpCtx *ctx, guint j, const SpItem *c)
{
	static const gchar *const verbs[]
		= { "feeling", "feels",	  "feel",      "having",   "has",	   "have",
		    "got",     "getting", "developed", "develops", "experiencing", NULL };
	const SpItem *next = j + 1 < ctx->items->len ? sp_item (ctx, j + 1) : NULL;

	if (sp_tok_in (ctx, c->tok_first, verbs) && c->tok_first < c->tok_last)
		return TRUE;
	return next != NULL && next != c && sp_is_cue (next, SP_CUE_CONJUNCTION)
	       && sp_item_text_is (ctx, next, "with");
}

/* Does @p end the clause a question's scope runs in: a sentence break, a colon, or a comma
 * between Chinese words (see sp_asked())? */
gboolean
sp_asked_break (const gchar *text, const gchar *end, const gchar *p)
{
	static const gchar *const breaks[]
		= { ".", "!", "?", ";", "\n", ":", "。", "！", "？", "；", "，", "：", NULL };

	/* "38.5" is no break; a comma is one between Chinese words (NFKC makes "，" a ","), not
	 * inside an English list ("Any rash, vomiting or trouble breathing?") */
	if (*p == '.' && p + 1 < end && g_ascii_isdigit (p[1]))
		return FALSE;
	if (*p == ',')
		return (p > text && mv_unichar_is_han (g_utf8_get_char (g_utf8_prev_char (p))))
		       || (p + 1 < end && mv_unichar_is_han (g_utf8_get_char (p + 1)));
	for (guint i = 0; breaks[i] != NULL; i++) {
		if (sp_starts (p, breaks[i]))
			return TRUE;
	}
	return FALSE;
}

/* Is the concept @c what a question asks about ("Is this long covid?", "Could it be
 * neuropathy?", "Any rash or vomiting?", "Should I give ibuprofen?", 是不是扁桃体发炎了？,
 * 要吃奥司他韦吗？)?  The question's clause runs from the last sentence break (or Chinese comma)
 * before the concept to a question mark with no break between, and opens with a question word
 * or, in Chinese, ends with 吗.  What the asker reports around the question stays present ("I
 * have a headache, should I go to the ER?", "Anyone else get stomach upset from metformin?"). */
static gboolean
sp_asked (SpCtx *ctx, const SpItem *c)
{
	static const gchar *const openers[]
		= { "is this",	   "is it",	"is that",	 "could this be", "could it be",
		    "might it be", "any",	"should i give", "should i take", "can i give",
		    "can i take",  "do i need", "是不是",	 "会不会",	  "要不要",
		    "需不需要",	   "这算",	"算不算",	 "是否",	  NULL };
	const gchar *text = ctx->nt->text;
	const gchar *end = text + ctx->nt->len;
	const gchar *limit = MIN (end, text + c->end + 160);
	const gchar *q = NULL;
	const gchar *b = text + c->start;

	/* most concepts have no question mark near them: look for one first, cheaply, so a long
	 * text of repeated terms costs no more per concept */
	if (memchr (text + c->end, '?', limit - (text + c->end)) == NULL
	    && memmem (text + c->end, limit - (text + c->end), "？", strlen ("？")) == NULL)
		return FALSE;
	for (const gchar *p = text + c->end; p < limit && q == NULL; p++) {
		if (*p == '?' || sp_starts (p, "？"))
			q = p;
		else if (sp_asked_break (text, end, p))
			return FALSE;
	}
	if (q == NULL)
		return FALSE;
	for (guint n = 0; b > text && n < 160; n++) {
		const gchar *prev = g_utf8_prev_char (b);
		if (sp_asked_break (text, end, prev))
			break;
		b = prev;
	}
	while (b < text + c->start && *b == ' ')
		b++;
	for (guint i = 0; openers[i] != NULL; i++) {
		gsize n = strlen (openers[i]);
		guint words = 0;
		if ((gsize)(text + c->start - b) < n || memcmp (b, openers[i], n) != 0
		    || (g_ascii_isalpha (openers[i][0]) && g_ascii_isalnum (b[n])))
			continue;
		/* "is it a migraine?", not "is it normal to feel tired…?": at most one word
		 * between the question word and the concept, except after "any" (a list) */
		for (const gchar *p = b + n; p < text + c->start; p++)
			words += *p == ' ' && p + 1 < text + c->start && p[1] != ' ';
		if (words <= 1 || strcmp (openers[i], "any") == 0)
			return TRUE;
	}
	/* 要吃奥司他韦吗？, 这算糖尿病吗？: a diagnosis or a drug asked about; a symptom asked with
	 * 吗 (有痰吗？) is a doctor's question the answer settles */
	return q - text >= 3 && memcmp (q - 3, "吗", 3) == 0
	       && mv_unichar_is_han (g_utf8_get_char (b))
	       && ((const SpConcept *)g_ptr_array_index (ctx->parser->lexicon->concepts, c->index))
				  ->kind
			  != SP_CONCEPT_SYMPTOM;
}

/* Is the concept at @k followed at once by what continues or ends a list: a soft comma, a
 * conjunction, a slash, a sentence break? */
static gboolean
sp_list_continues_after (SpCtx *ctx, guint k)
{
	const SpItem *c = sp_item (ctx, k);
	const SpItem *next = k + 1 < ctx->items->len ? sp_item (ctx, k + 1) : NULL;

	if (next == NULL)
		return TRUE;
	if (sp_other_between (ctx, c, next) > 0)
		return FALSE;
	return (next->kind == SP_ITEM_COMMA && !next->hard) || next->kind == SP_ITEM_BREAK
	       || sp_is_cue (next, SP_CUE_CONJUNCTION);
}

/* Does the pre-trigger @it stop short of the concept @c: a ")" between closes the aside it
 * stood in ("hearing loss (aids not worn), left cataract"), or it is a Chinese 不/没 that
 * negates the verb right after it ("右手不干活的时候老是抖", "晚上不睡觉白天老打瞌睡"), not a
 * later finding; degree words after it (不太, 没怎么) keep it on the finding. */
static gboolean
sp_trigger_stops_short (SpCtx *ctx, const SpItem *it, const SpItem *c)
{
	static const gchar *const degree[] = { "太", "很",   "怎么", "是", "大", "再",	 "经常",
					       "常", "那么", "算",   "会", "有", "一直", NULL };
	guint t = it->tok_last + 1;

	if (it->end < c->start && memchr (ctx->nt->text + it->end, ')', c->start - it->end) != NULL)
		return TRUE;
	if (!sp_item_text_is (ctx, it, "不") && !sp_item_text_is (ctx, it, "没"))
		return FALSE;
	return t < c->tok_first && t < ctx->tokens->len
	       && ctx->other_prefix[t + 1] - ctx->other_prefix[t] == 1
	       && !sp_tok_in (ctx, t, degree);
}

static SpPolarity
sp_polarity (SpCtx *ctx, guint k, SpFindingKind kind)
{
	SpItem *c = sp_item (ctx, k);
	SpPolarity stated;
	gboolean comma = FALSE;
	gboolean condition = kind == SP_FINDING_CONDITION;
	/* "Denies head strike, LOC, preceding CP, palpitations or dizziness", "Denies CP, vision
	 * change, focal weakness, fever": an item of a list the concept continues may carry a
	 * word or two the lexicon does not know, and the list goes on */
	gboolean list_item = sp_list_continues_after (ctx, k);

	if (sp_template_polarity (ctx, c, &stated) || sp_template_polarity_listed (ctx, k, &stated))
		return stated;
	if (sp_question_answered (ctx, c, &stated))
		return stated;
	/* "诊断：缺铁性贫血？", "Dx: asthma?": a diagnosis the chart marks with a question mark
	 * right after it */
	if (condition && c->end < ctx->nt->len && ctx->nt->text[c->end] == '?')
		return SP_POLARITY_POSSIBLE;
	/* "?pneumonia", "(?PE)": the chart's question mark before a term */
	if (c->start > 0 && ctx->nt->text[c->start - 1] == '?'
	    && (c->start == 1 || ctx->nt->text[c->start - 2] == ' '
		|| ctx->nt->text[c->start - 2] == '(' || ctx->nt->text[c->start - 2] == ','))
		return SP_POLARITY_POSSIBLE;

	/* left: pre-triggers, within the clause (a list continues across commas) */
	for (guint j = k, n = 0; j-- > 0 && n < SP_MAX_WALK; n++) {
		SpItem *it = sp_item (ctx, j);
		/* "没吐血我吃的那个奥美拉唑": a new subject starts a new clause */
		if (it->kind == SP_ITEM_BREAK || sp_is_cue (it, SP_CUE_TERMINATOR)
		    || sp_is_cue (it, SP_CUE_SELF))
			break;
		if (it->kind == SP_ITEM_COMMA
		    && (it->hard || sp_other_between (ctx, it, c) > (list_item ? 2 : 0)))
			break;
		if (sp_other_between (ctx, it, c) > SP_WINDOW_PRE)
			break;
		if ((sp_is_cue (it, SP_CUE_NEGATION_PRE) || sp_is_cue (it, SP_CUE_POSSIBLE_PRE))
		    && sp_trigger_stops_short (ctx, it, c))
			break;
		/* "No fever, feeling dizzy", "Without fever, with productive cough": a comma
		 * followed by a verb of having (inside the term) or by "with" starts a clause
		 * that asserts */
		if (it->kind == SP_ITEM_COMMA && sp_asserting_after_comma (ctx, j, c))
			break;
		if (it->kind == SP_ITEM_COMMA)
			comma = TRUE;
		/* "No nausea or vomiting, diarrhea present": the list ends at an affirmed one */
		if (comma
		    && (sp_is_cue (it, SP_CUE_NEGATION_PRE) || sp_is_cue (it, SP_CUE_POSSIBLE_PRE))
		    && sp_affirmed_after (ctx, c))
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
		/* "pneumonia has resolved" is a course; "给推了地塞米松就好了": the drug is what
		 * made it better, not a drug stopped or absent */
		if ((condition || kind == SP_FINDING_MEDICATION) && sp_is_cue (it, SP_CUE_RESOLVED))
			continue;
		/* 腹痛待查: the cause of a symptom is sought, the symptom is there */
		if (!condition && sp_item_text_is (ctx, it, "待查"))
			continue;
		/* "weight gain and possible akathisia": a cue that is a pre-trigger too and stands
		 * right before the next concept is that one's, not a post-trigger of this one */
		if ((sp_is_cue (it, SP_CUE_NEGATION_PRE) || sp_is_cue (it, SP_CUE_POSSIBLE_PRE))
		    && j + 1 < ctx->items->len && sp_item (ctx, j + 1)->kind == SP_ITEM_CONCEPT
		    && sp_other_between (ctx, it, sp_item (ctx, j + 1)) == 0)
			break;
		if (sp_is_cue (it, SP_CUE_NEGATION_POST))
			return SP_POLARITY_ABSENT;
		if (sp_is_cue (it, SP_CUE_POSSIBLE_POST))
			return SP_POLARITY_POSSIBLE;
		/* a pre-trigger after the concept starts another scope */
		if (sp_is_cue (it, SP_CUE_NEGATION_PRE) || sp_is_cue (it, SP_CUE_POSSIBLE_PRE))
			break;
	}
	return sp_asked (ctx, c) ? SP_POLARITY_POSSIBLE : SP_POLARITY_PRESENT;
}

/* Is the concept at @k only supposed, not asserted ("return if chest pain", "call if fever",
 * 如有不适随诊, 若出现发热)?  ConText's hypothetical: such a finding is possible.  The cue
 * reaches like a negation: within the clause, a list included. */
static gboolean
sp_hypothetical (SpCtx *ctx, guint k)
{
	SpItem *c = sp_item (ctx, k);

	for (guint j = k, n = 0; j-- > 0 && n < SP_MAX_WALK; n++) {
		SpItem *it = sp_item (ctx, j);
		if (it->kind == SP_ITEM_BREAK || sp_is_cue (it, SP_CUE_TERMINATOR)
		    || sp_other_between (ctx, it, c) > SP_WINDOW_PRE)
			break;
		if (it->kind == SP_ITEM_COMMA && (it->hard || sp_other_between (ctx, it, c) > 0))
			break;
		/* "Oxycodone 5 mg q4h PRN, paracetamol 1 g QID": a cue that a comma closes at
		 * once was its own drug's schedule */
		if (sp_is_cue (it, SP_CUE_HYPOTHETICAL) && j + 1 < k
		    && sp_item (ctx, j + 1)->kind == SP_ITEM_COMMA
		    && sp_other_between (ctx, it, sp_item (ctx, j + 1)) == 0)
			break;
		if (sp_is_cue (it, SP_CUE_HYPOTHETICAL))
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

/* A token that ends a clause for the age search. */
gboolean
sp_tok_ends_clause (SpCtx *ctx, guint t)
{
	static const gchar *const ends[] = { ".", ",", ";", "!", "?", "\n", "。", NULL };
	return g_array_index (ctx->tokens, MvToken, t).kind == MV_TOKEN_PUNCT
	       && sp_tok_in (ctx, t, ends);
}

/* Is the severity or score at @j dated in the past ("8/10 last week", "previously severe",
 * 之前疼痛8分, 昨天7分)?  Then it is not the finding's severity now. */
static gboolean
sp_severity_is_past (SpCtx *ctx, guint j)
{
	static const gchar *const before_en[]
		= { "previously", "yesterday", "earlier", "initially", "formerly", NULL };
	static const gchar *const after_en[] = { "yesterday", "ago",  "earlier", "previously",
						 "initially", "last", "prior",	 NULL };
	static const gchar *const past_zh[] = { "之前", "以前", "昨天", "昨晚", "昨日", "前天",
						"上周", "曾",	"当时", "起初", NULL };
	const SpItem *it = sp_item (ctx, j);
	const gchar *text = ctx->nt->text;

	if (it->kind != SP_ITEM_SCORE && sp_severity_of (it) == SP_SEVERITY_NONE)
		return FALSE;
	/* a time after a severity word dates the finding ("a little fever last night"), after a
	 * score the score */
	for (guint t = it->tok_last + 1, n = 0;
	     it->kind == SP_ITEM_SCORE && t < ctx->tokens->len && n < 3; t++, n++) {
		if (sp_tok_ends_clause (ctx, t))
			break;
		if (sp_tok_in (ctx, t, after_en))
			return TRUE;
	}
	for (guint t = it->tok_first, n = 0; t-- > 0 && n < 3; n++) {
		const MvToken *tok = &g_array_index (ctx->tokens, MvToken, t);
		if (sp_tok_ends_clause (ctx, t))
			break;
		if (sp_tok_in (ctx, t, before_en))
			return TRUE;
		for (guint w = 0; past_zh[w] != NULL; w++) {
			if (g_strstr_len (text + tok->start, tok->end - tok->start, past_zh[w])
			    != NULL)
				return TRUE;
		}
	}
	return FALSE;
}

/* The severity stated by the item at @j, taken once per finding: a negated severity states none
 * and ends the search; a score of 0 ("pain 0/10", "0/10 pain", 疼痛评分0分) says the finding is
 * absent rather than present with no severity. */
static void
sp_take_severity (SpCtx *ctx, guint j, SpFinding *f, gboolean *done)
{
	SpItem *it = sp_item (ctx, j);
	SpSeverity severity;

	if (*done || sp_severity_is_past (ctx, j))
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

/* "3 days of dyspnea": a duration followed by "of" belongs to what follows it. */
static gboolean
sp_duration_leads (SpCtx *ctx, const SpItem *it)
{
	return it->kind == SP_ITEM_DURATION && sp_tok_is (ctx, it->tok_last + 1, "of");
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
		/* "a history of hypertension presented with 3 days of dyspnea" */
		if (sp_duration_leads (ctx, it))
			return it->value;
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

/* Does the concept's label name the side of an organ (Left ventricular hypertrophy, Right
 * bundle branch block, left axis deviation, left shift), which is no side of the body? */
static gboolean
sp_label_organ_side (const SpConcept *concept)
{
	return (concept->label & SP_LABEL_ORGAN_SIDE) != 0;
}

/* The side a concept's own label names (Right lower quadrant pain, Left hemiplegia), or none. */
static SpLaterality
sp_label_side (const SpConcept *concept)
{
	if (concept->label & SP_LABEL_BILATERAL)
		return SP_LATERALITY_BILATERAL;
	if (concept->label & SP_LABEL_LEFT)
		return SP_LATERALITY_LEFT;
	if (concept->label & SP_LABEL_RIGHT)
		return SP_LATERALITY_RIGHT;
	return SP_LATERALITY_NONE;
}

/* A side inside the matched term itself ("left-sided weakness", "right hemiparesis", 右下腹痛,
 * 双下肢水肿, "RLQ tenderness", 麦氏点压痛): the term is opaque to the laterality cues, so its side
 * is read here, and so is the side a concept's label names (Right hemiplegia): the spec's
 * laterality member says it even when the code does too. */
static SpLaterality
sp_term_side (SpCtx *ctx, const SpItem *c, const SpConcept *concept)
{
	static const struct {
		const gchar *word;
		SpLaterality side;
		gboolean anywhere; /* else only at the start of the term */
	} sides[] = {
		{ "left", SP_LATERALITY_LEFT, FALSE },
		{ "l-", SP_LATERALITY_LEFT, FALSE },
		{ "l ", SP_LATERALITY_LEFT, FALSE },
		{ "right", SP_LATERALITY_RIGHT, FALSE },
		{ "r-", SP_LATERALITY_RIGHT, FALSE },
		{ "r ", SP_LATERALITY_RIGHT, FALSE },
		{ "bilateral", SP_LATERALITY_BILATERAL, FALSE },
		/* a symptom or condition term opening with a side is that side (左侧偏瘫, 右膝疼痛,
		 * 双下肢水肿); a drug such as 左氧氟沙星 is neither */
		{ "左", SP_LATERALITY_LEFT, FALSE },
		{ "右", SP_LATERALITY_RIGHT, FALSE },
		{ "双侧", SP_LATERALITY_BILATERAL, FALSE },
		{ "双", SP_LATERALITY_BILATERAL, FALSE },
		/* quadrants and McBurney's point, the right lower quadrant */
		{ "rlq", SP_LATERALITY_RIGHT, TRUE },
		{ "ruq", SP_LATERALITY_RIGHT, TRUE },
		{ "llq", SP_LATERALITY_LEFT, TRUE },
		{ "luq", SP_LATERALITY_LEFT, TRUE },
		{ "mcburney", SP_LATERALITY_RIGHT, TRUE },
		{ "麦氏点", SP_LATERALITY_RIGHT, TRUE },
	};
	const gchar *p = ctx->nt->text + c->start;
	gsize len = c->end - c->start;
	SpLaterality named;

	if (c->kind != SP_ITEM_CONCEPT
	    || (concept->kind != SP_CONCEPT_SYMPTOM && concept->kind != SP_CONCEPT_CONDITION)
	    || sp_label_organ_side (concept))
		return SP_LATERALITY_NONE;
	named = sp_label_side (concept);
	if (named != SP_LATERALITY_NONE)
		return named;
	for (guint i = 0; i < G_N_ELEMENTS (sides); i++) {
		gsize n = strlen (sides[i].word);
		if (sides[i].anywhere) {
			const gchar *at = g_strstr_len (p, (gssize)len, sides[i].word);
			/* a word of its own: "rlq", not inside another word */
			if (at != NULL
			    && (n > 3 || g_ascii_isalpha (*at) == FALSE
				|| ((at == p || !g_ascii_isalpha (at[-1]))
				    && (at + n == p + len || !g_ascii_isalpha (at[n])))))
				return sides[i].side;
		} else if (len > n && strncmp (p, sides[i].word, n) == 0) {
			return sides[i].side;
		}
	}
	/* a lay term that names the side of its site inside ("tugging at his left ear") */
	for (guint i = 0; i < 2; i++) {
		const gchar *word = i == 0 ? " left " : " right ";
		if (g_strstr_len (p, (gssize)len, word) != NULL)
			return i == 0 ? SP_LATERALITY_LEFT : SP_LATERALITY_RIGHT;
	}
	return SP_LATERALITY_NONE;
}

/* Is the body site at @it the subject of the finding at @c, only a copula and degree words
 * between ("my knees have been very painful", "my feet are a bit swollen", "throat is so
 * sore")?  Then the site is the finding's although more than two words stand between. */
static gboolean
sp_site_is_subject (SpCtx *ctx, const SpItem *it, const SpItem *c)
{
	static const gchar *const copula[] = {
		"is",	   "are",      "was",	 "were",      "be",    "been",	   "being",
		"has",	   "have",     "had",	 "feel",      "feels", "felt",	   "feeling",
		"get",	   "gets",     "got",	 "getting",   "seem",  "seems",	   "look",
		"looks",   "very",     "so",	 "really",    "a",     "bit",	   "little",
		"quite",   "too",      "pretty", "extremely", "super", "slightly", "somewhat",
		"still",   "always",   "also",	 "all",	      "kind",  "of",	   "kinda",
		"getting", "becoming", "become", "now",	      NULL,
	};
	guint words = 0;

	if (it->kind != SP_ITEM_SITE || c->tok_first == 0)
		return FALSE;
	for (guint t = it->tok_last + 1; t < c->tok_first && t < ctx->tokens->len; t++) {
		const MvToken *tok = &g_array_index (ctx->tokens, MvToken, t);
		if (tok->kind != MV_TOKEN_WORD)
			return FALSE;
		if (!sp_tok_in (ctx, t, copula) || ++words > 5)
			return FALSE;
	}
	return TRUE;
}

/* The severity of the degree word inside a Chinese concept (头有点疼: mild, 心很慌: severe), which
 * the concept's span hides from the cue walk; a negation right before the concept still says no
 * severity (不太疼 is matched whole). */
static SpSeverity
sp_token_severity (SpCtx *ctx, guint t)
{
	const MvToken *tok = &g_array_index (ctx->tokens, MvToken, t);
	g_autofree gchar *word = g_strndup (ctx->nt->text + tok->start, tok->end - tok->start);
	gpointer packed = g_hash_table_lookup (ctx->parser->lexicon->zh_cues, word);
	SpTerm term;
	gboolean negated;
	SpItem cue = { 0 };

	if (packed == NULL)
		return SP_SEVERITY_NONE;
	sp_term_unpack (packed, &term, &negated);
	if (term.kind != SP_TERM_CUE)
		return SP_SEVERITY_NONE;
	cue.kind = SP_ITEM_CUE;
	cue.index = term.index;
	return sp_severity_of (&cue);
}

static SpSeverity
sp_inserted_severity (SpCtx *ctx, const SpItem *c)
{
	SpSeverity severity = SP_SEVERITY_NONE;

	if (c->insert_tok != 0 && c->insert_tok <= ctx->tokens->len)
		severity = sp_token_severity (ctx, c->insert_tok - 1);
	/* a composed term took the complement of its 得 inside its span (疼得很, 痛得厉害): the
	 * severity word right after the 得; a degree word elsewhere in it (体毛也比较重) grades
	 * nothing more than it did */
	for (guint t = c->tok_first + 1; c->composed && severity == SP_SEVERITY_NONE
					 && t <= c->tok_last && t < ctx->tokens->len;
	     t++) {
		const MvToken *before = &g_array_index (ctx->tokens, MvToken, t - 1);
		gsize n = before->end - before->start;
		if (n >= strlen ("得")
		    && memcmp (ctx->nt->text + before->end - strlen ("得"), "得", strlen ("得"))
			       == 0)
			severity = sp_token_severity (ctx, t);
	}
	return severity;
}

/* The concept a Chinese term of the lexicon names when it is @code, else NULL: how the context
 * rules reach a concept they re-code to, by a term the curated lexicon gives it. */
const SpConcept *
sp_concept_of_term (const SpLexicon *lex, const gchar *term, const gchar *code)
{
	gpointer packed = g_hash_table_lookup (lex->zh_concepts, term);
	const SpConcept *concept;
	SpTerm t;
	gboolean negated;

	if (packed == NULL)
		return NULL;
	sp_term_unpack (packed, &t, &negated);
	if (t.kind != SP_TERM_CONCEPT || negated || t.index >= lex->concepts->len)
		return NULL;
	concept = g_ptr_array_index (lex->concepts, t.index);
	return g_strcmp0 (concept->code, code) == 0 ? concept : NULL;
}

/* Weakness with a side: of one side's arm and leg ("weakness of the left arm and leg", 左侧肢体
 * 无力, 右边手脚没劲) it is hemiparesis, the side kept; of a named limb ("weakness in his right
 * arm") the lexicon's muscle weakness, not general asthenia. */
static void
sp_weakness_by_side (SpCtx *ctx, const SpItem *c, SpFinding *f)
{
	const SpLexicon *lex = ctx->parser->lexicon;
	const gchar *term = ctx->nt->text + c->start;
	gsize len = c->end - c->start;
	gboolean asthenia = g_strcmp0 (f->concept->code, "HP:0025406") == 0;
	gboolean muscle = g_strcmp0 (f->concept->code, "HP:0001324") == 0;
	gboolean limbs;
	const SpConcept *to = NULL;

	if (!asthenia && !muscle)
		return;
	limbs = g_strcmp0 (f->site, "SITE:limbs") == 0
		|| g_strstr_len (term, (gssize)len, "肢体") != NULL
		|| g_strstr_len (term, (gssize)len, "手脚") != NULL;
	if ((f->laterality == SP_LATERALITY_LEFT || f->laterality == SP_LATERALITY_RIGHT) && limbs)
		to = sp_concept_of_term (lex, "半身无力", "HP:0001269");
	else if (asthenia && f->site != NULL
		 && (g_str_equal (f->site, "SITE:arm") || g_str_equal (f->site, "SITE:leg")
		     || g_str_equal (f->site, "SITE:limbs")
		     || g_str_equal (f->site, "SITE:forearm")))
		to = sp_concept_of_term (lex, "肌肉无力", "HP:0001324");
	if (to == NULL)
		return;
	f->concept = to;
	/* the limbs are what the concept says */
	if (limbs)
		f->site = NULL;
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
		/* "my knees have been painful": the "have" of the copula ends no scope here */
		if (sp_is_cue (it, SP_CUE_TERMINATOR) && j > 0
		    && sp_site_is_subject (ctx, sp_item (ctx, j - 1), c))
			continue;
		if (it->kind == SP_ITEM_BREAK || it->kind == SP_ITEM_COMMA
		    || it->kind == SP_ITEM_CONCEPT || sp_is_cue (it, SP_CUE_TERMINATOR)
		    || sp_is_cue (it, SP_CUE_CONJUNCTION)
		    || (dist > 2 && !sp_site_is_subject (ctx, it, c)))
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
		if (it->kind == SP_ITEM_COMMA) {
			/* "pain 8/10 last week, now 3/10": the current score after a past one */
			if (!severity_done && j + 2 < ctx->items->len
			    && sp_is_cue (sp_item (ctx, j + 1), SP_CUE_CURRENT)
			    && sp_item (ctx, j + 2)->kind == SP_ITEM_SCORE
			    && sp_other_between (ctx, it, sp_item (ctx, j + 2)) == 0)
				sp_take_severity (ctx, j + 2, f, &severity_done);
			break;
		}
		/* after a terminator only a duration still belongs here: "fever since yesterday" */
		if (sp_is_cue (it, SP_CUE_TERMINATOR))
			mods = FALSE;
		/* "hypertension, presented with 3 days of dyspnea": that one is the dyspnea's */
		if (sp_duration_leads (ctx, it))
			break;
		if (f->duration_hours < 0 && it->kind == SP_ITEM_DURATION
		    && sp_other_between (ctx, c, it) <= SP_WINDOW_POST + 1)
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
	if (f->laterality == SP_LATERALITY_NONE)
		f->laterality = sp_term_side (ctx, c, f->concept);
	if (!severity_done && f->severity == SP_SEVERITY_NONE)
		f->severity = sp_inserted_severity (ctx, c);
	if (f->duration_hours < 0)
		f->duration_hours = sp_leading_duration (ctx, k);
	/* how long a drug is taken or a value held is not a finding's duration ("amoxicillin 1 g
	 * BID for 14 days" is a course, not an illness) */
	if (f->kind == SP_FINDING_MEDICATION || f->kind == SP_FINDING_ALLERGY
	    || f->kind == SP_FINDING_MEASUREMENT || f->kind == SP_FINDING_SCORE)
		f->duration_hours = -1;
	/* only a site the text states: the concept's default site adds nothing its code does not */
	if (site >= 0)
		f->site = ((SpSite *)g_ptr_array_index (lex->sites, (guint)site))->code;
	sp_weakness_by_side (ctx, c, f);
	sp_bleeding_by_context (ctx, c, f);
	/* "pain in the left knee", 嗓子有点疼: a generic finding at a site that has its own concept
	 * is that concept (Knee pain, Sore throat), as a coder would code it */
	if (f->site != NULL) {
		const SpConcept *specific = sp_lexicon_site_specific (lex, f->concept, f->site);
		if (specific != NULL)
			f->concept = specific;
	}
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
	/* "Drug allergies: NKDA", "Food allergies: shellfish": a header names the list, the list
	 * holds the findings */
	if (sp_is_allergy_concept (concept) && !sp_item (ctx, k)->negated
	    && sp_is_header (ctx, sp_item (ctx, k)))
		return FALSE;
	if ((concept->kind == SP_CONCEPT_MEDICATION || concept->kind == SP_CONCEPT_SUBSTANCE)
	    && (sp_is_allergy_concept (concept)
		|| (concept->kind == SP_CONCEPT_SUBSTANCE && sp_item (ctx, k)->negated)
		|| sp_allergy_scope (ctx, k) || sp_told_reaction (ctx, k) >= 0
		|| (k > 0 && sp_reaction_source (ctx, k - 1) == (gint)k))) {
		*kind = SP_FINDING_ALLERGY;
		return TRUE;
	}
	return sp_finding_kind_of (concept, kind);
}

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

/* Is the generic Pain at @k, written as one Chinese character (疼, 痛) or as a quality after 呈,
 * only part of a complaint already named?  Glued to the concept term before it (胸口闷痛,
 * 红肿热痛: one complaint, not a second finding), describing its character after 呈 ("右下腹痛，
 * 呈持续性胀痛"), or, with no site of its own, after a pain finding of its sentence
 * (肚子疼，在肚脐周围，疼一会儿就好).  疼痛 and a site's pain (头有点疼) stay findings. */
static gboolean
sp_pain_repeats (SpCtx *ctx, guint k, const SpFinding *f)
{
	const SpItem *it = sp_item (ctx, k);
	const gchar *text = ctx->nt->text;
	gboolean one_char;

	if (it->kind != SP_ITEM_CONCEPT || g_strcmp0 (f->concept->code, "HP:0012531") != 0
	    || f->site != NULL || !mv_unichar_is_han (g_utf8_get_char (text + it->start)))
		return FALSE;
	/* 呈…胀痛: up to three tokens back, within the clause */
	for (guint t = it->tok_first, n = 0; t-- > 0 && n < 3; n++) {
		const MvToken *tok = &g_array_index (ctx->tokens, MvToken, t);
		if (tok->kind == MV_TOKEN_PUNCT)
			break;
		if (sp_tok_is (ctx, t, "呈"))
			return TRUE;
	}
	one_char = g_utf8_next_char (text + it->start) == text + it->end;
	if (!one_char || k == 0)
		return FALSE;
	if (sp_item (ctx, k - 1)->kind == SP_ITEM_CONCEPT && sp_item (ctx, k - 1)->end == it->start)
		return TRUE;
	for (guint j = k; j-- > 0;) {
		const SpItem *prev = sp_item (ctx, j);
		const SpConcept *c;
		if (prev->kind == SP_ITEM_BREAK)
			break;
		if (prev->kind != SP_ITEM_CONCEPT)
			continue;
		c = g_ptr_array_index (ctx->parser->lexicon->concepts, prev->index);
		if (c->label & SP_LABEL_PAIN)
			return TRUE;
	}
	return FALSE;
}

/* "my knees are killing me"" is knee pain, but "the cramps at night are killing me" says how bad
 * the cramps are: "killing me" is a pain only of a body site it names. */
static gboolean
sp_pain_needs_site (SpCtx *ctx, guint k, const SpFinding *f)
{
	const SpItem *it = sp_item (ctx, k);

	return it->kind == SP_ITEM_CONCEPT && f->site == NULL
	       && g_strcmp0 (f->concept->code, "HP:0012531") == 0
	       && g_strstr_len (ctx->nt->text + it->start, it->end - it->start, "killing") != NULL;
}

/* The finding of the concept item at @k, with its context and attributes; %FALSE when the item
 * gives none (a substance outside an allergy, a measurement name, an allergy's reaction). */
gboolean
sp_finding_at (SpCtx *ctx, guint k, SpFindingsState *st, SpFinding *f)
{
	SpItem *it = sp_item (ctx, k);
	MvOrigSpan span;
	SpPast past;
	gint cue;

	/* "hives from penicillin": the reaction is the allergy's, told before it */
	if (sp_bit (st->reactions, k) || sp_reaction_source (ctx, k) >= 0
	    || (it->listed && !sp_listed_with_symptom (ctx, k))
	    || (it->kind == SP_ITEM_CONCEPT && sp_other_experiencer (ctx, k))
	    || sp_names_no_finding (ctx, k))
		return FALSE;
	f->concept = g_ptr_array_index (ctx->parser->lexicon->concepts, it->index);
	/* a measurement's kind and value come from its reading (sp_measure_fill()) */
	if (!sp_finding_kind_at (ctx, k, f->concept, &f->kind) && it->kind != SP_ITEM_MEASURE)
		return FALSE;
	/* "海鲜过敏，吃了虾嘴唇肿": a reaction already told of an allergy stated before it makes
	 * the allergen named with it an instance of that one, not an allergy of its own */
	if (f->kind == SP_FINDING_ALLERGY && !sp_is_allergy_concept (f->concept) && !it->negated
	    && !sp_allergy_scope (ctx, k)) {
		gint r = sp_told_reaction (ctx, k);
		if (r >= 0 && sp_bit (st->reactions, (guint)r)) {
			if (f->concept->kind != SP_CONCEPT_MEDICATION)
				return FALSE;
			f->kind = SP_FINDING_MEDICATION;
		}
	}
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
	f->polarity = it->negated ? SP_POLARITY_ABSENT : sp_polarity (ctx, k, f->kind);
	/* "return if chest pain", 如有发热…及时就诊: supposed, not asserted (ConText's
	 * hypothetical), which the spec's polarity says as possible (issue 11 decision, as both
	 * languages' blind annotators have it) */
	if (f->polarity == SP_POLARITY_PRESENT && it->kind == SP_ITEM_CONCEPT
	    && sp_hypothetical (ctx, k)) {
		/* 如有不适随诊, "return if unwell": the boilerplate names no complaint */
		if (g_strcmp0 (f->concept->code, "MV:0001") == 0)
			return FALSE;
		f->polarity = SP_POLARITY_POSSIBLE;
	}
	/* 咳嗽、打喷嚏时加重: acts that make the complaint worse are no complaint themselves */
	if (f->polarity == SP_POLARITY_PRESENT && it->kind == SP_ITEM_CONCEPT
	    && f->kind == SP_FINDING_SYMPTOM && sp_aggravates (ctx, k))
		return FALSE;
	/* "a cough whenever she has a cold": the cold is the trigger, not a complaint */
	if (f->polarity == SP_POLARITY_PRESENT && sp_is_trigger (ctx, k))
		f->polarity = SP_POLARITY_POSSIBLE;
	cue = sp_family_cue (ctx, k);
	f->family = cue >= 0;
	if (f->family) {
		if (cue != st->relation_cue) {
			st->relation_cue = cue;
			st->relation = sp_relation (ctx, cue);
		}
		f->relation = st->relation;
		f->onset_age = sp_onset_age (ctx, cue, k);
	} else if ((f->kind == SP_FINDING_SYMPTOM || f->kind == SP_FINDING_CONDITION)
		   && sp_writer_is_parent (ctx, k)) {
		/* "…I have asthma too" in a message about a child: the parent's */
		f->family = TRUE;
		f->relation = "parent";
	}
	/* a heading ("Hx of HTN", "PMH: GERD", "family history of diabetes") makes neither a
	 * condition nor a relative's finding past; a time does */
	past = sp_past (ctx, k);
	f->historical
		= past == SP_PAST_TIME
		  || (past == SP_PAST_HEADING && !f->family && f->kind != SP_FINDING_CONDITION);
	/* "father had MI at 50", 我爸45岁心梗: a relative's event dated by an age is over */
	if (f->family && f->onset_age > 0 && past != SP_PAST_TIME
	    && !sp_onset_is_diagnosis (ctx, k))
		f->historical = TRUE;
	sp_medication_course (ctx, k, f);
	sp_condition_status (ctx, k, f, past);
	sp_attributes (ctx, k, f);
	if (sp_pain_repeats (ctx, k, f) || sp_pain_needs_site (ctx, k, f)
	    || sp_discomfort_needs_site (ctx, k, f))
		return FALSE;
	if (f->polarity == SP_POLARITY_ABSENT) /* "pain 0/10" */
		f->status = SP_STATUS_NONE;
	sp_inherit_from_list (ctx, k, st->prev_k != G_MAXUINT ? &st->prev : NULL, st->prev_k, f);
	if (f->kind == SP_FINDING_ALLERGY && f->polarity != SP_POLARITY_ABSENT) {
		gint r = sp_reaction (ctx, k);
		if (r < 0)
			r = sp_told_reaction (ctx, k);
		if (r < 0 && k > 0 && sp_reaction_source (ctx, k - 1) == (gint)k)
			r = (gint)k - 1;
		if (r >= 0) {
			if (st->reactions == NULL)
				st->reactions = g_new0 (guint8, ctx->items->len / 8 + 1);
			st->reactions[r / 8] |= (guint8)(1u << (r % 8));
			f->reaction = g_ptr_array_index (ctx->parser->lexicon->concepts,
							 sp_item (ctx, (guint)r)->index);
			/* "codeine -> nausea and vomiting", "PCN (rash, hives)": the whole list is
			 * the reaction, none of it a present symptom (the first is reported) */
			for (guint j = (guint)r + 1; j < ctx->items->len; j++) {
				SpItem *next = sp_item (ctx, j);
				if (sp_other_between (ctx, sp_item (ctx, j - 1), next) > 0)
					break;
				if (sp_is_cue (next, SP_CUE_CONJUNCTION)
				    || (next->kind == SP_ITEM_COMMA && !next->hard))
					continue;
				if (!sp_is_reaction_concept (ctx, j))
					break;
				st->reactions[j / 8] |= (guint8)(1u << (j % 8));
			}
		}
	}
	if (f->kind == SP_FINDING_ALLERGY && f->polarity == SP_POLARITY_PRESENT)
		sp_later_reactions (ctx, k, st, f);
	return sp_measure_fill (ctx, k, f);
}
