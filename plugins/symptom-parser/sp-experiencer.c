/*
 * symptom-parser — the experiencer of a finding: whose it is (the patient, a relative named by a
 * family cue, or someone else), the relative's relation and age at onset, and the cues that only
 * tell who reports it (README "Clinical context"); and what a mention is not: a service, a
 * trigger, an aggravating act, a question its form answers.
 */
#define G_LOG_DOMAIN "symptom-parser"

#include "sp-ctx.h"

#include <string.h>

/* Is the text around @it a dialogue with a clinician: a speaker label "Doctor:", "Dr:",
 * "Nurse:", 医生：, 大夫：, 护士： within 2000 bytes of it (NFKC made the full-width colon
 * ASCII)?  Then a relative followed by a colon is a speaker too. */
static gboolean
sp_in_dialogue (SpCtx *ctx, const SpItem *it)
{
	static const gchar *const labels[]
		= { "doctor:", "dr:", "nurse:", "gp:", "医生:", "大夫:", "护士:", NULL };
	const gchar *text = ctx->nt->text;
	gsize lo = it->start > 2000 ? it->start - 2000 : 0;
	gsize hi = MIN (ctx->nt->len, (gsize)it->end + 2000);

	for (guint i = 0; labels[i] != NULL; i++) {
		if (g_strstr_len (text + lo, (gssize)(hi - lo), labels[i]) != NULL)
			return TRUE;
	}
	return FALSE;
}

/* Is the family cue @it the writer's own relative (我妈, 我家老爷子, 俺爹, 咱爸)? */
static gboolean
sp_writers_relative (SpCtx *ctx, const SpItem *it)
{
	static const gchar *const mine[] = { "我家", "我", "俺家", "俺", "咱家", "咱", NULL };
	const gchar *text = ctx->nt->text;

	for (guint i = 0; mine[i] != NULL; i++) {
		gsize n = strlen (mine[i]);
		if (it->start >= n && memcmp (text + it->start - n, mine[i], n) == 0)
			return TRUE;
		/* the cue may hold it: 我妈, 我妈妈 are cues of their own */
		if (it->end - it->start > n && memcmp (text + it->start, mine[i], n) == 0)
			return TRUE;
	}
	return FALSE;
}

/* Is the family cue @it a way of addressing the patient by surname, as nursing handovers and
 * family-doctor notes name an older patient (5床王阿姨, 刘阿姨，66岁, 张大爷), not a relative? */
static gboolean
sp_addressed_by_surname (SpCtx *ctx, const SpItem *it)
{
	static const gchar *const forms[]
		= { "阿姨", "大爷", "大妈", "大娘", "奶奶", "爷爷", "叔叔", "大叔",
		    "婆婆", "阿婆", "伯伯", "老太", "大姐", "大哥", NULL };
	/* the commonest surnames, and the marks a record writes for a hidden name */
	static const gchar surnames[]
		= "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋"
		  "蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金廖贾夏韦付方邹孟熊秦邱尹薛闫段雷侯"
		  "龙史陶黎贺顾毛郝龚邵钱严覃戴莫孔汤×某";
	const gchar *text = ctx->nt->text;
	gboolean form = FALSE;
	const gchar *prev;
	gchar ch[8] = { 0 };

	for (guint i = 0; forms[i] != NULL && !form; i++)
		form = it->end - it->start == strlen (forms[i])
		       && memcmp (text + it->start, forms[i], it->end - it->start) == 0;
	if (!form || it->start == 0)
		return FALSE;
	prev = g_utf8_find_prev_char (text, text + it->start);
	if (prev == NULL || text + it->start - prev >= (gssize)sizeof ch)
		return FALSE;
	memcpy (ch, prev, text + it->start - prev);
	return strstr (surnames, ch) != NULL && !sp_writers_relative (ctx, it);
}

/* Is the family cue at @j a child of the writer introduced with an age, as parents begin a
 * consultation ("Our son is 4 and has had diarrhoea", "our daughter (6 months) has a runny
 * nose", 女儿5岁，流鼻涕, 儿子7岁，对青霉素过敏)?  That child is the patient (the decision for "my
 * child" in cues.tsv), not a relative of the patient. */
static gboolean
sp_child_introduced (SpCtx *ctx, guint j)
{
	static const gchar *const children[] = { "son", "daughter", "child", NULL };
	static const gchar *const skip[] = { " ", "(", ",", "is ", "aged ", "age ", NULL };
	static const gchar *const ages[]
		= { "岁",    "个月",  "周岁",	" y",	  "y",	 " yo", "yo",
		    " year", "-year", " month", "-month", " mo", "mo",	" wk",
		    " week", ")",     " and",	",",	  NULL };
	const SpItem *it = sp_item (ctx, j);
	const gchar *relation = sp_lexicon_get_relation (
		ctx->parser->lexicon, ctx->nt->text + it->start, it->end - it->start);
	const gchar *end = ctx->nt->text + ctx->nt->len;
	const gchar *p = ctx->nt->text + it->end;
	const gchar *q;
	const gchar *after;
	gdouble age = -1;
	gboolean stepped = TRUE;

	if (relation == NULL)
		return FALSE;
	/* a relative of any age a Chinese consultation is about: "我妈今年67，", "俺爹今年78了"
	 * (an age with 今年, "this year", introduces; 我爸45岁心梗 dates an onset) */
	if (sp_has_prefix (p, end, "今年", &after)) {
		q = sp_zh_number (after, end, &age);
		return q != NULL && q != after && age >= 18 && age <= 120;
	}
	/* "我家老爷子78了，", "我妈68岁，": the writer's own relative with an age that ends its
	 * clause (not 我爸45岁心梗, an onset) */
	if (sp_writers_relative (ctx, it)) {
		q = sp_zh_number (p, end, &age);
		if (q != NULL && q != p && age >= 18 && age <= 120) {
			sp_has_prefix (q, end, "岁", &q);
			sp_has_prefix (q, end, "多", &q);
			sp_has_prefix (q, end, "了", &q);
			if (q < end
			    && (*q == ',' || *q == ' ' || sp_has_prefix (q, end, "。", &after)))
				return TRUE;
		}
	}
	if (!g_strv_contains (children, relation))
		return FALSE;
	for (guint n = 0; stepped && n < 4; n++) {
		stepped = FALSE;
		for (guint i = 0; skip[i] != NULL; i++) {
			if (sp_has_prefix (p, end, skip[i], &p)) {
				stepped = TRUE;
				break;
			}
		}
	}
	q = sp_zh_number (p, end, &age);
	if (q == NULL || q == p || age <= 0 || age > 17)
		return FALSE;
	for (guint i = 0; ages[i] != NULL; i++) {
		if (sp_has_prefix (q, end, ages[i], &after))
			return TRUE;
	}
	return FALSE;
}

/* Is the cue @it a word quoted, not a relative: a baby's first words (会叫“妈妈”, says "mama")? */
static gboolean
sp_quoted (SpCtx *ctx, const SpItem *it)
{
	static const gchar *const open[] = { "“", "\"", "「", "‘", NULL };
	const gchar *text = ctx->nt->text;

	for (guint i = 0; open[i] != NULL; i++) {
		gsize n = strlen (open[i]);
		if (it->start >= n && memcmp (text + it->start - n, open[i], n) == 0)
			return TRUE;
	}
	return FALSE;
}

/* Is the family cue at @j the one who tells rather than the one who has it: a speaker
 * ("Mom:", 妈妈：), a source ("per mother", "brought by mom", "history from his wife") or the
 * subject of a telling verb ("her daughter reported", 妈妈说, 母亲代诉)? */
static gboolean
sp_is_reporter (SpCtx *ctx, guint j, guint k)
{
	/* "per mother", "brought by mom", "translated with son" */
	static const gchar *const before[] = { "per", "by", "from", "with", NULL };
	static const gchar *const possessive[] = { "his", "her", "their", "my", "the", NULL };
	static const gchar *const verbs_en[]
		= { "reported", "reports",   "report",	  "says",      "said",	    "states",
		    "stated",	"notes",     "noted",	  "brought",   "brings",    "called",
		    "calls",	"describes", "described", "mentions",  "mentioned", "asks",
		    "asked",	"worried",   "worries",	  "concerned", "thinks",    "noticed",
		    "notices",	NULL };
	static const gchar *const verbs_zh[] = { "说",	 "代诉", "诉", "反映", "发现", "带",
						 "觉得", "担心", "问", "咨询", "陪",   NULL };
	const SpItem *it = sp_item (ctx, j);
	guint next = it->tok_last + 1;
	const MvToken *t;

	if (it->tok_first > 0 && sp_tok_in (ctx, it->tok_first - 1, before))
		return TRUE;
	if (it->tok_first > 1 && sp_tok_in (ctx, it->tok_first - 1, possessive)
	    && sp_tok_in (ctx, it->tok_first - 2, before))
		return TRUE;
	if (next >= ctx->tokens->len)
		return FALSE;
	t = &g_array_index (ctx->tokens, MvToken, next);
	/* "Mom: he's allergic to cats" is a speaker; "Mother: breast cancer", 母亲：糖尿病 is a
	 * family history entry (the finding follows the colon at once), except in a dialogue
	 * with the clinician ("Mum: No rash, he was sick once. Doctor: …") */
	if (ctx->nt->text[t->start] == ':')
		return (k > j && sp_other_between (ctx, it, sp_item (ctx, k)) > 0)
		       || sp_in_dialogue (ctx, it);
	if (sp_tok_in (ctx, next, verbs_en))
		return TRUE;
	for (guint v = 0; verbs_zh[v] != NULL; v++) {
		if (sp_starts (ctx->nt->text + t->start, verbs_zh[v]))
			return TRUE;
	}
	return FALSE;
}

/* The text of item @it, normalised (lower case), as a new string. */
static gchar *
sp_item_text (SpCtx *ctx, const SpItem *it)
{
	return g_strndup (ctx->nt->text + it->start, it->end - it->start);
}

/* Is the self cue @it one that names a child of the writer ("my son", 我家宝宝, 宝妈 who asks):
 * the text is a parent's consultation about that child? */
static gboolean
sp_self_names_child (SpCtx *ctx, const SpItem *it)
{
	static const gchar *const writer[] = { "i",  "i'm",    "im", "i've", "ive",  "i'd",
					       "me", "myself", "我", "本人", "自己", NULL };
	g_autofree gchar *word = sp_item_text (ctx, it);

	return !g_strv_contains (writer, word) && !g_str_has_suffix (word, "patient")
	       && g_strcmp0 (word, "pt") != 0 && !sp_starts (word, "患") && !sp_starts (word, "病")
	       && !sp_starts (word, "该") && !sp_starts (word, "其")
	       && !g_str_has_suffix (word, "姐妹");
}

/* Is the token at @t a number, or an age word before one ("is 4", 今年5岁, 才3个月)? */
static gboolean
sp_age_at (SpCtx *ctx, guint t)
{
	static const gchar *const lead[] = { "is", "aged", "今年", "才", "刚", "满", NULL };

	if (t < ctx->tokens->len && g_array_index (ctx->tokens, MvToken, t).kind == MV_TOKEN_NUMBER)
		return TRUE;
	return sp_tok_in (ctx, t, lead) && t + 1 < ctx->tokens->len
	       && g_array_index (ctx->tokens, MvToken, t + 1).kind == MV_TOKEN_NUMBER;
}

/* Is the writer's child introduced before token @before, as parents open a consultation: with
 * an age ("My 3 year old", "our baby (8 months)", 宝宝8个月, 女儿今年5岁) or as theirs ("my
 * toddler", 我家孩子)?  A child only mentioned (宝宝满月后我整个人都不对了: the mother's own
 * depression) is not. */
static gboolean
sp_names_a_child_before (SpCtx *ctx, guint before)
{
	static const gchar *const children[]
		= { "baby", "son",  "daughter", "toddler", "infant", "kid",  "child", "宝宝",
		    "孩子", "儿子", "女儿",	"娃",	   "宝贝",   "小孩", "闺女",  NULL };
	static const gchar *const mine[] = { "my", "our", "我", "我家", "我们家", "俺家", NULL };

	for (guint t = 0; t < before && t < ctx->tokens->len; t++) {
		if (sp_tok_in (ctx, t, children)
		    && ((t > 0 && sp_tok_in (ctx, t - 1, mine)) || sp_age_at (ctx, t + 1)
			|| (sp_tok_is (ctx, t + 1, "(") && sp_age_at (ctx, t + 2))))
			return TRUE;
		/* "my 3 year old", "our 8-month-old" */
		if (sp_tok_in (ctx, t, mine) && sp_age_at (ctx, t + 1))
			return TRUE;
	}
	return FALSE;
}

/* In a parent's consultation about a child ("My 3 year old has a cough… I have asthma too",
 * 宝宝咳嗽两天，我自己也感冒了), is the concept at @k the writer's own: right after the writer
 * (I, 我, 自己) with only "have" words between (also, too, had, got, 有, 也, 得了)?  Then it is a
 * parent's, a relative of the patient.  Any other word between ("I think he has", 我担心宝宝)
 * leaves it the child's. */
gboolean
sp_writer_is_parent (SpCtx *ctx, guint k)
{
	static const gchar *const between[]
		= { "also", "too",  "have", "has",  "had", "'ve", "got", "get", "suffer", "from",
		    "a",    "an",   "the",  "bad",  "my",  "own", "am",	 "'m",	"自己",	  "也",
		    "有",   "得了", "患有", "本人", "都",  "还",  "了",	 "得",	"患",	  NULL };
	const SpItem *c = sp_item (ctx, k);
	gint writer = -1;

	for (guint j = k, n = 0; j-- > 0 && n < SP_MAX_WALK; n++) {
		const SpItem *it = sp_item (ctx, j);
		if (it->kind == SP_ITEM_BREAK || sp_is_cue (it, SP_CUE_FAMILY))
			return FALSE;
		if (sp_is_cue (it, SP_CUE_SELF)) {
			if (sp_self_names_child (ctx, it))
				return FALSE;
			writer = (gint)j;
			break;
		}
	}
	if (writer < 0)
		return FALSE;
	/* only "have" words from the writer to the concept */
	for (guint t = sp_item (ctx, (guint)writer)->tok_last + 1; t < c->tok_first; t++) {
		const MvToken *tok = &g_array_index (ctx->tokens, MvToken, t);
		if (tok->kind == MV_TOKEN_PUNCT || sp_tok_in (ctx, t, between))
			continue;
		return FALSE;
	}
	/* ... in a text that is about the writer's child, said before */
	for (guint j = 0; j < (guint)writer; j++) {
		const SpItem *it = sp_item (ctx, j);
		if (sp_is_cue (it, SP_CUE_SELF) && sp_self_names_child (ctx, it))
			return TRUE;
		if (sp_is_cue (it, SP_CUE_FAMILY) && sp_child_introduced (ctx, j))
			return TRUE;
	}
	return sp_names_a_child_before (ctx, sp_item (ctx, (guint)writer)->tok_first);
}

/* The family cue that makes the concept at @k a relative's, or -1: the nearest one on the left,
 * so that each finding of a list gets its own relative ("家族史：父亲高血压，母亲糖尿病"). */
gint
sp_family_cue (SpCtx *ctx, guint k)
{
	/* left, through the whole sentence */
	for (guint j = k, n = 0; j-- > 0 && n < SP_MAX_WALK; n++) {
		SpItem *it = sp_item (ctx, j);
		/* not stopped by terminators: "Mother has diabetes" has one ("has") in English */
		if (it->kind == SP_ITEM_BREAK || sp_is_cue (it, SP_CUE_SELF))
			break;
		if (sp_is_cue (it, SP_CUE_FAMILY)
		    && (sp_child_introduced (ctx, j) || sp_quoted (ctx, it)
			|| sp_addressed_by_surname (ctx, it)))
			break;
		if (sp_is_cue (it, SP_CUE_FAMILY))
			return sp_is_reporter (ctx, j, k) ? -1 : (gint)j;
	}
	/* right, in the clause: "diabetes in his mother", "runs in the family" */
	for (guint j = k + 1, n = 0; j < ctx->items->len && n < SP_MAX_WALK; j++, n++) {
		SpItem *it = sp_item (ctx, j);
		if (it->kind == SP_ITEM_BREAK || it->kind == SP_ITEM_COMMA
		    || it->kind == SP_ITEM_CONCEPT || sp_is_cue (it, SP_CUE_TERMINATOR)
		    || sp_is_cue (it, SP_CUE_SELF))
			break;
		if (sp_is_cue (it, SP_CUE_FAMILY) && sp_addressed_by_surname (ctx, it))
			break;
		if (sp_is_cue (it, SP_CUE_FAMILY))
			return sp_is_reporter (ctx, j, k) ? -1 : (gint)j;
	}
	return -1;
}

const gchar *
sp_relation (SpCtx *ctx, gint cue)
{
	const SpItem *it;
	const gchar *relation;

	if (cue < 0)
		return NULL;
	it = sp_item (ctx, (guint)cue);
	relation = sp_lexicon_get_relation (ctx->parser->lexicon, ctx->nt->text + it->start,
					    it->end - it->start);
	/* "family history of", 家里人, "no FHx of cancer": a relative the text does not name */
	return relation != NULL ? relation : "relative";
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
gdouble
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

/* Does the writer ask, right after someone else's illness, whether the patient has it too
 * (幼儿园好几个小朋友得了手足口病，孩子是不是也是？)?  Then the mention stays the patient's, as
 * the blind sets annotate it (issue 11, round 9): a question mark within the next 60 bytes, with
 * 也 before it and no full stop between. */
static gboolean
sp_asks_if_also (SpCtx *ctx, const SpItem *c)
{
	const gchar *text = ctx->nt->text;
	const gchar *end = MIN (text + ctx->nt->len, text + c->end + 60);
	gboolean also = FALSE;

	for (const gchar *p = text + c->end; p < end; p = g_utf8_next_char (p)) {
		if (*p == '.' || *p == '\n' || sp_starts (p, "。"))
			return FALSE;
		if (*p == '?' || sp_starts (p, "？"))
			return also;
		also = also || sp_starts (p, "也");
	}
	return FALSE;
}

/* Is the concept at @k someone else's, neither the patient's nor a relative's: a friend, a
 * colleague, a classmate named as its subject in its clause ("My friend had the flu", "a
 * coworker tested positive for COVID", 同事得了流感, 室友也在发烧)?  ConText's "other"
 * experiencer; the spec's experiencer is the patient or family, so such a mention is no
 * finding.  "brought by friends", "per his roommate" only name who tells. */
gboolean
sp_other_experiencer (SpCtx *ctx, guint k)
{
	static const gchar *const others[]
		= { "friend",	 "friends",   "colleague",  "colleagues", "coworker",	"coworkers",
		    "co-worker", "classmate", "classmates", "roommate",	  "roommates",	"flatmate",
		    "housemate", "neighbor",  "neighbour",  "neighbors",  "neighbours", "boss",
		    "teammate",	 "boyfriend", "girlfriend", "partner's",  "同事",	"朋友",
		    "同学",	 "室友",      "邻居",	    "舍友",	  "同桌",	"领导",
		    "闺蜜",	 "小朋友",    "小伙伴",	    "班上",	  "班里",	NULL };
	static const gchar *const sources[] = { "by", "per", "from", "with", "told", NULL };
	/* the writer speaking of themselves again: "…has strep and now my throat is sore" */
	static const gchar *const self[]
		= { "i", "me", "my", "we", "our", "us", "我", "我们", NULL };
	const SpItem *c = sp_item (ctx, k);
	guint lo = c->tok_first > 10 ? c->tok_first - 10 : 0;

	/* the clause: from the last break, comma, self or family cue before the concept */
	for (guint j = k, n = 0; j-- > 0 && n < SP_MAX_WALK; n++) {
		SpItem *it = sp_item (ctx, j);
		if (it->kind == SP_ITEM_BREAK || it->kind == SP_ITEM_COMMA
		    || sp_is_cue (it, SP_CUE_SELF) || sp_is_cue (it, SP_CUE_FAMILY)
		    || sp_is_cue (it, SP_CUE_CURRENT)) {
			lo = MAX (lo, it->tok_last + 1);
			break;
		}
	}
	for (guint t = c->tok_first; t-- > lo;) {
		if (sp_tok_ends_clause (ctx, t) || sp_tok_in (ctx, t, self))
			return FALSE;
		if (sp_tok_in (ctx, t, others))
			return (t == 0 || !sp_tok_in (ctx, t - 1, sources))
			       && !sp_asks_if_also (ctx, c);
	}
	return FALSE;
}

/* Is the relative's finding at @k, whose age at onset is stated, dated as a diagnosis ("mother
 * T2DM dx age 55", "brother with colon cancer diagnosed at 48", 父亲CAD 55岁发病, 42岁确诊)?  Then
 * the disease goes on (current); otherwise an age dates an event that is over ("father had MI
 * at 50", 我爸45岁心梗): historical.  Looks 40 bytes either side, within the sentence. */
gboolean
sp_onset_is_diagnosis (SpCtx *ctx, guint k)
{
	static const gchar *const dx[]
		= { "dx", "diagnosed", "diagnosis", "确诊", "发病", "查出", "诊断", NULL };
	const SpItem *c = sp_item (ctx, k);
	const gchar *text = ctx->nt->text;
	gsize lo = c->start > 40 ? c->start - 40 : 0;
	gsize hi = MIN (ctx->nt->len, (gsize)c->end + 40);

	/* not across a sentence break */
	for (gsize i = c->start; i > lo; i--) {
		if (text[i - 1] == '.' || text[i - 1] == ';' || text[i - 1] == '\n') {
			lo = i;
			break;
		}
	}
	for (gsize i = c->end; i < hi; i++) {
		if (text[i] == '.' || text[i] == ';' || text[i] == '\n') {
			hi = i;
			break;
		}
	}
	for (guint i = 0; dx[i] != NULL; i++) {
		if (g_strstr_len (text + lo, (gssize)(hi - lo), dx[i]) != NULL)
			return TRUE;
	}
	return FALSE;
}

/* Does the text at @p (normalised, up to @end) start with one of @words as a whole word?  Chinese
 * words need no boundary. */
static gboolean
sp_starts_with_word (const gchar *p, const gchar *end, const gchar *const *words)
{
	for (guint i = 0; words[i] != NULL; i++) {
		gsize n = strlen (words[i]);
		if ((gsize)(end - p) >= n && strncmp (p, words[i], n) == 0
		    && (p + n == end || !g_ascii_isalnum (p[n]) || !g_ascii_isalpha (*p)))
			return TRUE;
	}
	return FALSE;
}

/* "SpO2 96% RA", "91% on RA", "RA 98%": the abbreviation RA next to a saturation is room air,
 * not rheumatoid arthritis (issue 11, round 8). */
static gboolean
sp_is_room_air (const gchar *text, const gchar *end, const SpItem *it)
{
	const gchar *q = text + it->start;
	const gchar *r = text + it->end;

	if (it->end - it->start != 2 || strncmp (q, "ra", 2) != 0)
		return FALSE;
	while (r < end && (*r == ' ' || *r == ':'))
		r++;
	while (r < end && (g_ascii_isdigit (*r) || *r == '.'))
		r++;
	while (r < end && *r == ' ')
		r++;
	if (r > text + it->end && r < end && *r == '%')
		return TRUE;
	while (q > text && q[-1] == ' ')
		q--;
	if (q > text && (q[-1] == '%' || g_ascii_isdigit (q[-1])))
		return TRUE;
	return q - text >= 2 && strncmp (q - 2, "on", 2) == 0
	       && (q - text == 2 || !g_ascii_isalnum (q[-3]));
}

/* ---- Chinese mentions that name no finding (issue 11, round 9) ---- */

typedef enum {
	SP_STOP_SENTENCE,  /* a full stop, a line break, ! or ? */
	SP_STOP_SEMICOLON, /* … or a semicolon */
	SP_STOP_COMMA,	   /* … or a comma */
} SpStop;

static gboolean
sp_is_stop (const gchar *q, SpStop stop)
{
	/* a decimal point (0.5g, 38.5℃) stops nothing */
	return (*q == '.' && !g_ascii_isdigit (q[1])) || *q == '\n' || *q == '!' || *q == '?'
	       || sp_starts (q, "。") || (stop >= SP_STOP_SEMICOLON && *q == ';')
	       || (stop >= SP_STOP_COMMA && *q == ',');
}

/* Does the normalised text end at @p with @word (no further back than @text)? */
static gboolean
sp_ends_with (const gchar *text, const gchar *p, const gchar *word)
{
	gsize n = strlen (word);
	return (gsize)(p - text) >= n && strncmp (p - n, word, n) == 0;
}

/* Does the text from @lo to @hi hold one of @words? */
static gboolean
sp_span_has (const gchar *lo, const gchar *hi, const gchar *const *words)
{
	for (guint i = 0; words[i] != NULL; i++) {
		if (g_strstr_len (lo, hi - lo, words[i]) != NULL)
			return TRUE;
	}
	return FALSE;
}

/* Does the text before @p, back to a @stop (at most @max bytes), hold one of @words?  NFKC
 * made the full-width comma and semicolon ASCII. */
static gboolean
sp_before_has (const gchar *text, const gchar *p, gsize max, SpStop stop, const gchar *const *words)
{
	const gchar *lo = p;

	while (lo > text && (gsize)(p - lo) < max && !sp_is_stop (g_utf8_prev_char (lo), stop))
		lo = g_utf8_prev_char (lo);
	return sp_span_has (lo, p, words);
}

/* Does the text from @p, up to a comma or a stronger stop (at most @max bytes), hold one of
 * @words? */
static gboolean
sp_after_has (const gchar *p, const gchar *end, gsize max, const gchar *const *words)
{
	const gchar *hi = p;

	while (hi < end && (gsize)(hi - p) < max && !sp_is_stop (hi, SP_STOP_COMMA))
		hi = g_utf8_next_char (hi);
	return sp_span_has (p, hi, words);
}

static gboolean
sp_starts_with_any (const gchar *p,
		    const gchar *end,
		    const gchar *const *words,
		    const gchar **after)
{
	for (guint i = 0; words[i] != NULL; i++) {
		if (sp_has_prefix (p, end, words[i], after))
			return TRUE;
	}
	return FALSE;
}

static gboolean
sp_concept_is_pain (const SpConcept *c)
{
	return (c->label & SP_LABEL_PAIN) != 0;
}

/* A product named after a complaint: 感冒药, 过敏药, “眩晕停”, “皮炎平” (notes quote a product's
 * name).  A drug for a chronic disease still says the patient has it (糖尿病药, as "pills for
 * his blood pressure" does). */
static gboolean
sp_zh_names_drug (
	const gchar *text, const gchar *p, const gchar *end, const SpItem *it, const SpConcept *c)
{
	static const gchar *const not_drug[] = { "物过敏", "疹", NULL };
	static const gchar *const forms[]
		= { "口服液", "颗粒", "胶囊",	"冲剂", "糖浆",	  "合剂",   "滴丸",
		    "软膏",   "乳膏", "喷雾剂", "含片", "泡腾片", "注射液", NULL };
	static const gchar form_starts[] = "口颗胶冲糖合滴软乳喷含泡注";
	static const gchar *const quotes[] = { "“", "\"", "「", NULL };
	static const gchar *const closes[] = { "”", "\"", "」", NULL };
	static const gchar *const brand_ends[]
		= { "停", "平", "灵", "宁", "康", "片", "丸", "散", "膏", "贴", "液", NULL };
	const gchar *after;
	gboolean quoted = FALSE;

	if (!c->chronic && sp_has_prefix (p, end, "药", &after)
	    && !sp_starts_with_any (after, end, not_drug, &after))
		return TRUE;
	/* a dosage form at most two characters on: 小儿肺热咳喘口服液, 感冒清热颗粒 */
	for (const gchar *q = p; q < end && q - p <= 2 * (gssize)strlen ("药");
	     q = g_utf8_next_char (q)) {
		gunichar ch = g_utf8_get_char (q);
		/* the forms' first characters, a cheap test before the comparisons */
		if (g_utf8_strchr (form_starts, -1, ch) != NULL
		    && sp_starts_with_any (q, end, forms, &after))
			return TRUE;
		if (!mv_unichar_is_han (ch))
			break;
	}
	for (guint i = 0; quotes[i] != NULL; i++)
		quoted = quoted || sp_ends_with (text, text + it->start, quotes[i]);
	return quoted && sp_starts_with_any (p, end, brand_ends, &after)
	       && sp_starts_with_any (after, end, closes, &after);
}

/* A test or an organism named after a disease: 新冠抗原阴性, HBV-DNA低于检测下限 (a negative
 * qualitative test, which the Chinese sets leave out; a positive one may name the infection),
 * 肺炎支原体, 肺炎链球菌 (bacteria). */
static gboolean
sp_zh_names_test (const gchar *p, const gchar *end, const SpConcept *c)
{
	static const gchar *const tests[]
		= { "抗原", "抗体", "核酸", "-dna", "dna", "rna", "病毒载量", "igm", "igg", NULL };
	static const gchar *const negative[]
		= { "阴性", "低于", "未检出", "(-)", "正常", "未见", NULL };
	static const gchar *const bugs[] = { "支原体", "衣原体", "链球菌", "克雷伯", "球菌", NULL };
	const gchar *after;

	if (sp_starts_with_any (p, end, bugs, &after))
		return TRUE;
	/* Hp(-) is annotated: the infection, absent */
	return g_strcmp0 (c->code, "HP:0005202") != 0 && sp_starts_with_any (p, end, tests, &after)
	       && sp_after_has (after, end, 36, negative);
}

/* What follows the term says it names no finding: a word it runs into (困难, 困扰: not the 困 of
 * sleepiness; 加重影响: not 重影, double vision; 多动动, move more; 血氧低于93%, a threshold), a
 * scale, score or risk named after it (a pain keeps its word: 疼痛评分 is pain), a product, a
 * test or a food named after it, the 咳 of expectorating. */
static gboolean
sp_zh_names_by_what_follows (const gchar *text,
			     const gchar *end,
			     const SpItem *it,
			     const SpConcept *c)
{
	static const gchar *const measures[] = { "量表", "自评", "评分", "风险", "评估", NULL };
	static const gchar *const words_with_kun[] = { "难", "扰", "境", "惑", NULL };
	static const gchar *const foods[] = { "食物", "食品", NULL };
	static const gchar *const expectorate[] = { "出", "不出", "不上来", NULL };
	static const gchar *const sputum[] = { "痰", NULL };
	const gchar *p = text + it->end;
	const gchar *after;

	if ((sp_ends_with (text, p, "困") && sp_starts_with_any (p, end, words_with_kun, &after))
	    || (sp_ends_with (text, p, "影") && sp_starts (p, "响"))
	    || (sp_ends_with (text, p, "动") && sp_starts (p, "动"))
	    || ((sp_ends_with (text, p, "低") || sp_ends_with (text, p, "高"))
		&& sp_starts (p, "于")))
		return TRUE;
	if (sp_starts_with_any (p, end, measures, &after) && !sp_concept_is_pain (c))
		return TRUE;
	if (sp_zh_names_drug (text, p, end, it, c) || sp_zh_names_test (p, end, c))
		return TRUE;
	/* 少吃高钾、高磷食物 */
	if (sp_after_has (p, end, 6 * strlen ("食"), foods))
		return TRUE;
	return g_strcmp0 (c->code, "HP:0012735") == 0 && it->end - it->start == strlen ("咳")
	       && (sp_starts_with_any (p, end, expectorate, &after)
		   || (!sp_starts (p, "得") && sp_after_has (p, end, 6 * strlen ("痰"), sputum)));
}

/* Chinese wording in which a concept term names no finding of the patient (issue 11, round 9;
 * each family read from the false positives of the blind sets, tests in clinical-forms-zh.tsv):
 * what follows it (sp_zh_names_by_what_follows()), a treatment against it (抗肿瘤治疗, 抗病毒),
 * a worry (担心自己得了癌症), advice to drink (建议多饮水) and shaking that describes a seizure
 * (抽搐，双眼上翻、四肢抖动). */
static gboolean
sp_zh_names_no_finding (SpCtx *ctx, const SpItem *it, const SpConcept *c)
{
	static const gchar *const worry[] = { "担心", "害怕", "怕", NULL };
	static const gchar *const advice[]
		= { "建议", "嘱", "处理", "医嘱", "宜", "请", "注意", "指导", NULL };
	static const gchar *const seizure[] = { "抽搐", "惊厥", "抽风", NULL };
	static const gchar *const seizure_denied[]
		= { "无抽搐", "没有抽搐", "未抽搐", "否认抽搐", "无惊厥", "没抽", NULL };
	const gchar *text = ctx->nt->text;
	const gchar *end = text + ctx->nt->len;
	const gchar *start = text + it->start;
	const gchar *p = text + it->end;
	gunichar next = p < end ? g_utf8_get_char (p) : 0;

	if (sp_ends_with (text, start, "抗"))
		return TRUE;
	/* most terms end a clause or meet a digit: only a word after them can name something */
	if ((mv_unichar_is_han (next) || next == '-' || next == 0x3001 /* 、 */
	     || g_ascii_isalpha (next))
	    && sp_zh_names_by_what_follows (text, end, it, c))
		return TRUE;
	if ((sp_ends_with (text, start, "得了") || sp_ends_with (text, start, "得的是"))
	    && sp_before_has (text, start, 24, SP_STOP_COMMA, worry))
		return TRUE;
	if (g_strcmp0 (c->code, "HP:0001959") == 0 && sp_starts (p, "水")
	    && sp_before_has (text, start, 240, SP_STOP_SENTENCE, advice))
		return TRUE;
	return g_strcmp0 (c->code, "HP:0001337") == 0
	       && sp_before_has (text, start, 60, SP_STOP_SENTENCE, seizure)
	       && !sp_before_has (text, start, 60, SP_STOP_SENTENCE, seizure_denied);
}

/* Is the concept item at @k no finding of anyone because it only names something else: a service
 * or role that a condition names ("diabetes nurse", "asthma clinic", "heart failure service",
 * "hypertension follow-up", 糖尿病群, 高血压随访, 糖尿病饮食, 哮喘门诊), or an idiom ("tired of",
 * "sick of", "sick and tired": weary of something, not fatigued)?  Issue 11, round 4. */
gboolean
sp_names_no_finding (SpCtx *ctx, guint k)
{
	static const gchar *const services[] = {
		"nurse",    "nurses",	 "team",	"clinic",    "clinics", "service",
		"services", "follow-up", "follow up",	"followup",  "f/u",	"specialist",
		"educator", "education", "program",	"programme", "diet",	"consultant",
		"group",    "society",	 "association", "centre",    "center",	"pathway",
		"register", "registry",	 "review",	"leaflet",   "群",	"随访",
		"饮食",	    "门诊",	 "专科",	"护士",	     "病房",	"宣教",
		"教育",	    "中心",	 "专病",	"科",	     "患者群",	"病友",
		"食谱",	    "定点",	 "超话",	NULL,
	};
	static const gchar *const of[] = { "of", NULL };
	static const gchar *const against[]
		= { "vaccine",	    "vaccines", "vaccination", "vaccinations", "vaccinated",
		    "jab",	    "jabs",	"shot",	       "shots",	       "immunisation",
		    "immunization", "booster",	"screening",   "screen",       "action plan",
		    "疫苗",	    "筛查",	NULL };
	static const gchar *const and[] = { "and", NULL };
	static const gchar *const diet[] = { "diet", NULL };
	static const gchar *const diet_treats[]
		= { "controlled", "control", "managed", "treated", "alone", "only", NULL };
	static const gchar *const scale[] = { "scale", "score", NULL };
	static const gchar *const departments[]
		= { "门诊", "科", "内科", "外科", "专科", "中心", NULL };
	const gchar *after;
	const SpItem *it = sp_item (ctx, k);
	const gchar *text = ctx->nt->text;
	const gchar *end = text + ctx->nt->len;
	const gchar *p = text + it->end;
	gsize len = it->end - it->start;
	gboolean condition;

	if (it->kind != SP_ITEM_CONCEPT)
		return FALSE;
	/* "tired of", "sick of", "sick and tired of" */
	if ((len >= 5 && strncmp (text + it->end - 5, "tired", 5) == 0)
	    || (len >= 4 && strncmp (text + it->end - 4, "sick", 4) == 0)) {
		const gchar *q = p;
		while (q < end && *q == ' ')
			q++;
		if (q > p && sp_starts_with_word (q, end, of))
			return TRUE;
		if (it->start >= 9 && strncmp (text + it->start - 9, "sick and ", 9) == 0)
			return TRUE;
	}
	{
		const SpConcept *c = g_ptr_array_index (ctx->parser->lexicon->concepts, it->index);
		if (c->kind != SP_CONCEPT_CONDITION && c->kind != SP_CONCEPT_SYMPTOM)
			return FALSE;
		condition = c->kind == SP_CONCEPT_CONDITION;
	}
	if (condition && sp_is_room_air (text, end, it))
		return TRUE;
	if (sp_zh_names_no_finding (ctx, it,
				    g_ptr_array_index (ctx->parser->lexicon->concepts, it->index)))
		return TRUE;
	/* 发热门诊, 疼痛科, 肿瘤内科: a complaint names a clinic or a department, even where a line
	 * opens with it (a disease there still names the visit's topic: 哮喘门诊) */
	if (!condition && sp_starts_with_any (p, end, departments, &after))
		return TRUE;
	/* a vaccine, a screening or an action plan against a disease names no disease of the
	 * patient, even where a line opens with it ("Flu and pneumococcal vaccines given",
	 * "Bowel cancer screening: normal", "personal asthma action plan", 乳腺癌筛查) */
	{
		const gchar *q = p;
		if (q < end && (*q == ' ' || *q == '-') && g_ascii_isalpha (text[it->end - 1]))
			q++;
		if ((q > p || !g_ascii_isalpha (text[it->end - 1]))
		    && sp_starts_with_word (q, end, against))
			return TRUE;
		/* "Flu and pneumococcal vaccines": a disease listed before the vaccine of both */
		if (q > p && sp_starts_with_word (q, end, and)) {
			const gchar *r = q + 4;
			while (r < end && r - q < 40 && g_ascii_isalpha (*r))
				r++;
			if (r < end && *r == ' ' && sp_starts_with_word (r + 1, end, against))
				return TRUE;
		}
	}
	/* "Clinical Frailty Scale 6", "Frailty score 5": a scale named after a condition measures
	 * it, the value is a score, even where a line opens with it; a symptom keeps its word
	 * ("pain score 4/10" is pain) */
	if (condition && p < end && *p == ' ' && sp_starts_with_word (p + 1, end, scale))
		return TRUE;
	/* "DM f/u:", 高血压随访记录：, "Asthma clinic." opening a note or a line name the visit's
	 * topic, the patient's own condition */
	{
		const gchar *q = text + it->start;
		while (q > text && (q[-1] == ' ' || q[-1] == '\t'))
			q--;
		if (q == text || q[-1] == '\n' || q[-1] == '.')
			return FALSE;
	}
	/* a Chinese term runs on into the service word; an English one after a space or hyphen */
	if (p < end && (*p == ' ' || *p == '-') && g_ascii_isalpha (text[it->end - 1]))
		p++;
	else if (g_ascii_isalpha (text[it->end - 1]))
		return FALSE;
	/* "T2DM diet-controlled", "diabetes diet only": the disease is treated by diet, no diet
	 * named after it (issue 11, round 8) */
	if (sp_starts_with_word (p, end, diet)) {
		const gchar *q = p + strlen ("diet");
		if (q < end && (*q == ' ' || *q == '-'))
			q++;
		if (sp_starts_with_word (q, end, diet_treats))
			return FALSE;
	}
	return sp_starts_with_word (p, end, services);
}

/* Is the concept item at @k only the trigger of another complaint, in a clause opened by
 * "whenever", "every time", 每次, 每当 at most four words before it ("coughs whenever she has a
 * cold", 每次感冒都咳嗽)?  Then it is possible at most (issue 11, round 4).  Read on the
 * normalised text, since the concept term may swallow the verb ("has a cold"). */
gboolean
sp_is_trigger (SpCtx *ctx, guint k)
{
	static const gchar *const openers[]
		= { "whenever ", "every time ", "each time ", "每次", "每当", "每逢", NULL };
	const SpItem *it = sp_item (ctx, k);
	const gchar *text = ctx->nt->text;
	const gchar *p = text + it->start;
	guint spaces = 0;

	if (it->kind != SP_ITEM_CONCEPT)
		return FALSE;
	/* in Chinese the trigger leads into its complaint (每次感冒都咳嗽); 每次来月经肚子疼 names
	 * the complaint itself */
	if (!g_ascii_isalpha (text[it->end - 1])) {
		static const gchar *const leads[]
			= { "都", "就", "便", "会", "总", "时", "后", "的时候", NULL };
		gboolean leads_on = FALSE;
		for (guint i = 0; leads[i] != NULL && !leads_on; i++)
			leads_on = sp_starts (text + it->end, leads[i]);
		if (!leads_on)
			return FALSE;
	}
	for (const gchar *q = p; q > text && p - q < 48;) {
		q = g_utf8_prev_char (q);
		if (*q == ',' || *q == '.' || *q == ';' || *q == '\n' || *q == '!' || *q == '?'
		    || (*q == ' ' && ++spaces > 6))
			return FALSE;
		for (guint i = 0; openers[i] != NULL; i++) {
			gsize n;
			/* the first byte first: this runs for every byte before every mention */
			if (*q != openers[i][0])
				continue;
			n = strlen (openers[i]);
			if ((gsize)(p - q) >= n && strncmp (q, openers[i], n) == 0
			    && (q == text || !g_ascii_isalpha (q[-1]))
			    && (g_ascii_isalpha (*q) || p - q <= (gssize)n + 6))
				return TRUE;
		}
	}
	return FALSE;
}

/* ---- forms and aggravating acts (round 6; sp_polarity() and sp_finding_at() use them) ---- */

/* Reads the answer a form or interview gives right after a question mark at @p: a ticked box
 * ("□是 ☑否", "[x] No"), an answer label ("A: No.", "Answer: never", 答：无) or a bare short
 * answer that ends its clause ("Fever? No."). */
static gboolean
sp_answer_after (const gchar *p, const gchar *end, SpPolarity *polarity)
{
	static const gchar *const ticks[]
		= { "☑", "☒", "■", "[x]", "[X]", "[√]", "[✓]", "[✔]", "√", "✓", "✔", NULL };
	static const gchar *const labels[]
		= { "a:", "A:", "answer:", "Answer:", "答:", "回答:", NULL };
	static const gchar *const absent[] = { "否",   "无",   "没有",	"no",	 "No",	"NO",
					       "none", "None", "never", "Never", "nil", NULL };
	static const gchar *const present[] = { "是", "有", "yes", "Yes", "YES", NULL };
	const gchar *limit = MIN (end, p + 48);
	const gchar *after = NULL;
	gboolean ticked = FALSE;

	while (p < end && *p == ' ')
		p++;
	for (const gchar *q = p; q < limit && after == NULL; q++) {
		if (*q == '\n' || *q == '?' || sp_starts (q, "？") || sp_starts (q, "。"))
			break;
		for (guint i = 0; ticks[i] != NULL && after == NULL; i++) {
			if (sp_has_prefix (q, end, ticks[i], &after))
				ticked = TRUE;
		}
	}
	if (!ticked) {
		for (guint i = 0; labels[i] != NULL && after == NULL; i++)
			sp_has_prefix (p, end, labels[i], &after);
		if (after == NULL)
			after = p;
	}
	while (after < end && *after == ' ')
		after++;
	for (guint pass = 0; pass < 2; pass++) {
		const gchar *const *words = pass == 0 ? absent : present;
		for (guint i = 0; words[i] != NULL; i++) {
			const gchar *w_end;
			if (!sp_has_prefix (after, end, words[i], &w_end))
				continue;
			/* a word ends there ("no" is not "not"); an unticked answer ends its clause
			 * ("Is it asthma? No idea" answers nothing) */
			if (g_ascii_isalpha (words[i][0]) && w_end < end
			    && g_ascii_isalnum (*w_end))
				continue;
			if (!ticked && w_end < end && *w_end != '.' && *w_end != ','
			    && *w_end != ';' && *w_end != '\n' && *w_end != ' '
			    && !sp_starts (w_end, "。") && !sp_starts (w_end, "，"))
				continue;
			if (!ticked && *w_end == ' ' && g_ascii_isalpha (words[i][0]))
				continue;
			*polarity = pass == 0 ? SP_POLARITY_ABSENT : SP_POLARITY_PRESENT;
			return TRUE;
		}
	}
	return FALSE;
}

/* Is the concept @c asked about by a question its form or interview answers ("近期是否发热？□是
 * ☑否", "Q: Have you ever had heart disease, stroke or diabetes? A: No.")?  The question runs
 * from the concept to a question mark with no sentence break between, as for sp_asked(). */
gboolean
sp_question_answered (SpCtx *ctx, const SpItem *c, SpPolarity *polarity)
{
	const gchar *text = ctx->nt->text;
	const gchar *end = text + ctx->nt->len;
	const gchar *limit = MIN (end, text + c->end + 160);

	if (memchr (text + c->end, '?', limit - (text + c->end)) == NULL
	    && g_strstr_len (text + c->end, limit - (text + c->end), "？") == NULL)
		return FALSE;
	for (const gchar *p = text + c->end; p < limit; p++) {
		const gchar *after;
		if (*p == '?' || sp_has_prefix (p, end, "？", &after))
			return sp_answer_after (*p == '?' ? p + 1 : after, end, polarity);
		if (sp_asked_break (text, end, p))
			return FALSE;
	}
	return FALSE;
}

/* Is the concept at @k what makes another complaint worse, not a complaint (腰痛…咳嗽、打喷嚏时
 * 加重, 深呼吸时加剧)?  A Chinese history names the aggravating acts right before 时加重; each
 * item of such a list is one. */
gboolean
sp_aggravates (SpCtx *ctx, guint k)
{
	static const gchar *const worse[]
		= { "时加重",	  "时加剧",   "后加重",	  "后加剧", "时明显加重", "时疼痛加重",
		    "时症状加重", "时更重",   "都会加重", "会加重", "就加重",	  "都加重",
		    "也加重",	  "时漏尿",   "就漏尿",	  "会漏尿", "都漏尿",	  "就漏",
		    "时漏",	  "时尿失禁", NULL };
	static const gchar worse_starts[] = "时后都会就也";
	/* "咳嗽打喷嚏都会加重", "一咳嗽打喷嚏就漏": a cough or a sneeze runs on into the next act
	 * with no join (a complaint does not: 胸痛深呼吸时加重 names the chest pain) */
	static const gchar *const acts[]
		= { "打喷嚏", "喷嚏", "咳嗽", "大笑", "用力", "深呼吸", "跑跳", NULL };
	static const gchar *const act_codes[] = { "HP:0012735", "HP:0025095", NULL };
	static const gchar *const when[] = { "时", "的时候", "就", NULL };
	static const gchar *const effects[]
		= { "加重", "加剧", "漏尿", "漏", "尿失禁", "更痛", "更疼", NULL };
	const SpConcept *concept;
	static const gchar *const joins[] = { "、", "或者", "或", "和", "及", "/", NULL };
	const SpItem *it = sp_item (ctx, k);
	const gchar *text = ctx->nt->text;
	const gchar *end = text + ctx->nt->len;
	const gchar *p = text + it->end;
	const gchar *after = NULL;

	if (it->kind != SP_ITEM_CONCEPT || g_ascii_isalpha (text[it->end - 1]))
		return FALSE;
	concept = g_ptr_array_index (ctx->parser->lexicon->concepts, it->index);
	if (g_strv_contains (act_codes, concept->code)) {
		const gchar *rest;
		sp_starts_with_any (p, end, acts, &p);
		/* 咳嗽时腰痛加剧, 咳嗽时偶有漏尿: the act, then what it does, in one clause */
		if (sp_starts_with_any (p, end, when, &rest)
		    && sp_after_has (rest, end, 10 * strlen ("漏"), effects))
			return TRUE;
	}
	for (guint i = 0; worse[i] != NULL && g_utf8_strchr (worse_starts, -1, g_utf8_get_char (p));
	     i++) {
		if (sp_starts (p, worse[i]))
			return TRUE;
	}
	/* a list: the acts after the join need not be terms (咳嗽、深呼吸时加重), but nothing
	 * else may come between (胸痛深呼吸时加重 names the complaint) */
	for (guint i = 0; joins[i] != NULL && after == NULL; i++)
		sp_has_prefix (p, end, joins[i], &after);
	for (guint n = 0; after != NULL && after < end && n < 12; n++) {
		if (!mv_unichar_is_han (g_utf8_get_char (after)) && !sp_starts (after, "、"))
			return FALSE;
		for (guint i = 0; worse[i] != NULL; i++) {
			if (sp_starts (after, worse[i]))
				return TRUE;
		}
		after = g_utf8_next_char (after);
	}
	return FALSE;
}

/* Bleeding that a Chinese note places by its context (issue 11, round 9): 头颅CT未见出血 is
 * intracranial (cerebral) haemorrhage, 胃溃疡出血, 十二指肠球部溃疡伴出血 gastrointestinal
 * haemorrhage, 鼻衄出血不止 epistaxis, 牙龈经常出血 gingival bleeding, as the blind sets code them;
 * the generic Abnormal bleeding stays where nothing places it. */
void
sp_bleeding_by_context (SpCtx *ctx, const SpItem *c, SpFinding *f)
{
	static const gchar *const head[] = { "头颅ct",	"头部ct",     "颅脑ct", "头ct", "脑ct",
					     "头颅mri", "头颅磁共振", "颅内",	NULL };
	static const gchar *const gut[]
		= { "溃疡", "胃", "十二指肠", "消化道", "肠道", "结肠", "直肠", NULL };
	static const gchar *const nose[] = { "鼻衄", "鼻腔", "鼻子", NULL };
	static const gchar *const gums[] = { "牙龈", "牙床", NULL };
	const gchar *text = ctx->nt->text;
	const gchar *start = text + c->start;
	const SpConcept *to = NULL;

	if (g_strcmp0 (f->concept->code, "HP:0001892") != 0
	    || !mv_unichar_is_han (g_utf8_get_char (start)))
		return;
	/* 头颅 is the site the scan names */
	if ((f->site == NULL || g_str_equal (f->site, "SITE:head"))
	    && sp_before_has (text, start, 10 * strlen ("出"), SP_STOP_COMMA, head))
		to = sp_concept_of_term (ctx->parser->lexicon, "脑出血", "HP:0001342");
	else if (sp_before_has (text, start, 4 * strlen ("出"), SP_STOP_COMMA, nose))
		to = sp_concept_of_term (ctx->parser->lexicon, "鼻出血", "HP:0000421");
	else if (sp_before_has (text, start, 6 * strlen ("出"), SP_STOP_COMMA, gums))
		to = sp_concept_of_term (ctx->parser->lexicon, "牙龈出血", "HP:0000225");
	else if (f->site == NULL
		 && sp_before_has (text, start, 12 * strlen ("出"), SP_STOP_COMMA, gut))
		to = sp_concept_of_term (ctx->parser->lexicon, "胃肠道出血", "HP:0002239");
	if (to == NULL)
		return;
	f->concept = to;
	f->site = NULL;
}

/* Is the finding at @k a Chinese 不适 / 不舒服 with no site (哪里不舒服？, 近期无不适, 姐妹们不舒服
 * 一定要早点看医生, 胀满不适 after the complaint it qualifies)?  The Chinese sets annotate a
 * discomfort only with its site (胃不舒服, 左肩无不适); the bare word is a question, a form's
 * field, advice or a repeat (issue 11, round 9). */
gboolean
sp_discomfort_needs_site (SpCtx *ctx, guint k, const SpFinding *f)
{
	const SpItem *it = sp_item (ctx, k);

	return it->kind == SP_ITEM_CONCEPT && f->site == NULL
	       && g_strcmp0 (f->concept->code, "MV:0001") == 0
	       && g_strcmp0 (f->concept->label_en, "Discomfort") == 0
	       && mv_unichar_is_han (g_utf8_get_char (ctx->nt->text + it->start));
}
