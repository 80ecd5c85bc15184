/*
 * symptom-parser — temporality and a condition's status: what the historical cues around a
 * concept say (a heading that only says "the patient has a history of it", or a time that puts
 * it in the past), a resolution cue, and the status a condition gets from them (README
 * "Clinical context", "Conditions").
 */
#define G_LOG_DOMAIN "symptom-parser"

#include "sp-ctx.h"

#include <string.h>

/* Historical cues that only head a history ("history of", "h/o", "PMH", 既往史, 病史, "family
 * history"): they say the patient (or relative) is known to have it, not that it is over.
 * "Hx of HTN", "PMH: GERD", 既往有哮喘病史 are current and active; every other historical cue
 * ("had", "previous", "years ago", 去年, 曾, "s/p") puts the finding in the past. */
static const gchar *const sp_heading_cues[] = {
	"history of",
	"hx of",
	"h/o",
	"past medical history",
	"pmh",
	"past history of",
	"prior history of",
	"known history of",
	"longstanding history of",
	"had a history of",
	"family history",
	"family hx",
	"history",
	"既往",
	"既往史",
	"既往有",
	"病史",
	"史",
	"的病史",
	"的历史",
	"历史",
	"好多年了",
	"很多年了",
	"多年了",
	NULL,
};

/* Is the historical cue @it one that only heads a history? */
static gboolean
sp_is_heading_cue (SpCtx *ctx, const SpItem *it)
{
	const gchar *p = ctx->nt->text + it->start;
	gsize len = it->end - it->start;

	for (guint i = 0; sp_heading_cues[i] != NULL; i++) {
		if (strlen (sp_heading_cues[i]) == len && strncmp (p, sp_heading_cues[i], len) == 0)
			return TRUE;
	}
	return FALSE;
}

/* A year right after the concept dates it in the past: "h/o CVA in 2018", "Hx DVT 2021
 * (completed…)", 脑梗死（2019年，无后遗症）.  Looks at most 12 bytes on (spaces, "in", "(" and
 * "since" are skipped; "since 2015" is an onset, not an end, so it does not count). */
static gboolean
sp_dated (SpCtx *ctx, const SpItem *c)
{
	const gchar *text = ctx->nt->text;
	const gchar *end = text + ctx->nt->len;
	const gchar *p = text + c->end;
	const gchar *limit = MIN (end, p + 12);
	gint year = 0;

	while (p < limit && (*p == ' ' || *p == '(' || *p == ','))
		p++;
	if (limit - p >= 3 && strncmp (p, "in ", 3) == 0)
		p += 3;
	if (end - p < 4)
		return FALSE;
	for (guint i = 0; i < 4; i++) {
		if (!g_ascii_isdigit (p[i]))
			return FALSE;
		year = year * 10 + (p[i] - '0');
	}
	if (p + 4 < end && g_ascii_isdigit (p[4]))
		return FALSE;
	/* "2019年" or a bare year; not "2018 mg" */
	if (p + 4 < end && g_ascii_isalpha (p[4]))
		return FALSE;
	return year >= 1930 && year <= 2099;
}

/* A year right before the concept dates it too: 2015年脑梗死, "(2019) MI" */
static gboolean
sp_dated_before (SpCtx *ctx, const SpItem *c)
{
	const gchar *text = ctx->nt->text;
	const gchar *p = text + c->start;

	while (p > text && (p[-1] == ' ' || p[-1] == ')'))
		p--;
	if (p - text >= 3 && memcmp (p - 3, "年", 3) == 0)
		p -= 3;
	if (p - text < 4 || (p - text > 4 && g_ascii_isdigit (p[-5])))
		return FALSE;
	for (gint i = 1; i <= 4; i++) {
		if (!g_ascii_isdigit (p[-i]))
			return FALSE;
	}
	return (p[-4] == '1' && p[-3] == '9') || (p[-4] == '2' && p[-3] == '0');
}

/* Words of an onset or a diagnosis: a time before them dates when it began, not that it is
 * over ("2年前无明显诱因出现头晕", "前年查出来骨质疏松", "amoxicillin had been started and she
 * developed a rash"). */
static gboolean
sp_onset_between (SpCtx *ctx, const SpItem *cue, const SpItem *c)
{
	static const gchar *const onset[]
		= { "出现",   "开始",	   "起病",     "发病",	"查出",	   "查出来",	"确诊",
		    "诊断为", "developed", "develops", "began", "started", "diagnosed", NULL };
	const gchar *p = ctx->nt->text + cue->end;
	gsize len = c->start > cue->end ? c->start - cue->end : 0;

	for (guint i = 0; onset[i] != NULL; i++) {
		if (g_strstr_len (p, (gssize)len, onset[i]) != NULL)
			return TRUE;
	}
	return FALSE;
}

SpPast
sp_past (SpCtx *ctx, guint k)
{
	SpItem *c = sp_item (ctx, k);

	for (guint j = k, n = 0; j-- > 0 && n < SP_MAX_WALK; n++) {
		SpItem *it = sp_item (ctx, j);
		if (sp_is_cue (it, SP_CUE_HISTORICAL_PRE) && sp_onset_between (ctx, it, c))
			break;
		if (sp_is_cue (it, SP_CUE_HISTORICAL_PRE))
			return sp_is_heading_cue (ctx, it) && !sp_dated (ctx, c)
					       && !sp_dated_before (ctx, c)
				       ? SP_PAST_HEADING
				       : SP_PAST_TIME;
		/* terminators such as "had", "has", 有, 出现 do not end a historical scope:
		 * "年轻时有痛经" */
		if (it->kind == SP_ITEM_BREAK || sp_is_cue (it, SP_CUE_CURRENT))
			break;
		if (it->kind == SP_ITEM_COMMA && (it->hard || sp_other_between (ctx, it, c) > 0))
			break;
		/* "father died of MI at 62, brother with colon cancer": a relative named after
		 * the cue starts an entry of its own */
		if (sp_is_cue (it, SP_CUE_FAMILY))
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
			return sp_is_heading_cue (ctx, it) && !sp_dated (ctx, c)
					       && !sp_dated_before (ctx, c)
				       ? SP_PAST_HEADING
				       : SP_PAST_TIME;
	}
	return sp_dated (ctx, c) || sp_dated_before (ctx, c) ? SP_PAST_TIME : SP_PAST_NONE;
}

/* Resolved cues that stand before their condition ("recovered from pneumonia", "used to have
 * asthma", "former smoker"); the others ("resolved", "in remission", 已治愈, 术后) follow it, so
 * "breast cancer (in remission), hypothyroidism" leaves the hypothyroidism alone. */
static const gchar *const sp_resolved_pre[] = {
	"recovered from", "used to have", "former", "ex", "quit", NULL,
};

static gboolean
sp_is_resolved_pre (SpCtx *ctx, const SpItem *it)
{
	const gchar *p = ctx->nt->text + it->start;
	gsize len = it->end - it->start;

	for (guint i = 0; sp_resolved_pre[i] != NULL; i++) {
		if (strlen (sp_resolved_pre[i]) == len && strncmp (p, sp_resolved_pre[i], len) == 0)
			return TRUE;
	}
	return FALSE;
}

/* 术后 ends the condition it is glued to (阑尾炎术后); apart from it, it follows a procedure
 * ("急性心肌梗死 PCI术后": the infarction is today's diagnosis) */
static gboolean
sp_after_other_operation (SpCtx *ctx, const SpItem *c, const SpItem *cue)
{
	const gchar *p = ctx->nt->text + cue->start;
	gsize len = cue->end - cue->start;

	return cue->start != c->end
	       && ((len == strlen ("术后") && strncmp (p, "术后", len) == 0)
		   || (len == strlen ("手术后") && strncmp (p, "手术后", len) == 0));
}

/* A resolved cue in the clause of the concept at @k: left ("recovered from pneumonia", "used to
 * have asthma") or right, also just past a comma ("pneumonia, resolved", 肺炎，已治愈), unless
 * the cue there heads the next concept ("T2DM, former smoker"). */
/* Is the concept item @c a term that says it is over ("ex-smoker", "ex smoker", 戒烟, 已戒烟)?
 * The term is opaque to the resolved cues inside it. */
static gboolean
sp_over_term (SpCtx *ctx, const SpItem *c)
{
	static const gchar *const over[] = { "ex-", "ex ", "former ", "past ", "戒", "已戒", NULL };

	for (guint i = 0; over[i] != NULL; i++) {
		if (c->end - c->start > strlen (over[i])
		    && strncmp (ctx->nt->text + c->start, over[i], strlen (over[i])) == 0)
			return TRUE;
	}
	return FALSE;
}

/* Does the sentence go on to say the condition at @k is over, naming it again in such a term,
 * with no other concept between: 吸烟史20年，已戒烟5年; "Smoker for 30 years, ex-smoker since
 * 2010"?  One habit told twice is one resolved habit, not a current and a past one. */
static gboolean
sp_over_later (SpCtx *ctx, guint k)
{
	SpItem *c = sp_item (ctx, k);

	for (guint j = k + 1, n = 0; j < ctx->items->len && n < 12; j++, n++) {
		SpItem *it = sp_item (ctx, j);
		if (it->kind == SP_ITEM_BREAK)
			return FALSE;
		if (it->kind == SP_ITEM_CONCEPT)
			return it->index == c->index && sp_over_term (ctx, it);
	}
	return FALSE;
}

static gboolean
sp_resolved (SpCtx *ctx, guint k)
{
	SpItem *c = sp_item (ctx, k);

	if (sp_over_term (ctx, c) || sp_over_later (ctx, k))
		return TRUE;

	for (guint j = k, n = 0; j-- > 0 && n < SP_MAX_WALK; n++) {
		SpItem *it = sp_item (ctx, j);
		if (it->kind == SP_ITEM_BREAK || sp_is_cue (it, SP_CUE_CURRENT)
		    || sp_other_between (ctx, it, c) > SP_WINDOW_PRE)
			break;
		if (it->kind == SP_ITEM_COMMA && (it->hard || sp_other_between (ctx, it, c) > 0))
			break;
		/* "ex-smoker (quit 2010), COPD": the cue was the earlier entry's */
		if (it->kind == SP_ITEM_CONCEPT
		    || (it->end < c->start
			&& memchr (ctx->nt->text + it->end, ')', c->start - it->end) != NULL))
			break;
		if (sp_is_cue (it, SP_CUE_RESOLVED) && sp_is_resolved_pre (ctx, it))
			return TRUE;
	}
	for (guint j = k + 1, n = 0; j < ctx->items->len && n < SP_MAX_WALK; j++, n++) {
		SpItem *it = sp_item (ctx, j);
		if (it->kind == SP_ITEM_BREAK || it->kind == SP_ITEM_CONCEPT
		    || sp_is_cue (it, SP_CUE_CURRENT)
		    || sp_other_between (ctx, c, it) > SP_WINDOW_POST)
			break;
		if (sp_is_cue (it, SP_CUE_RESOLVED) && !sp_after_other_operation (ctx, c, it))
			return TRUE;
		/* past a comma only when the cue follows it at once and heads no concept */
		if (it->kind == SP_ITEM_COMMA) {
			SpItem *cue = j + 1 < ctx->items->len ? sp_item (ctx, j + 1) : NULL;
			SpItem *next = j + 2 < ctx->items->len ? sp_item (ctx, j + 2) : NULL;
			if (cue == NULL || !sp_is_cue (cue, SP_CUE_RESOLVED)
			    || sp_other_between (ctx, it, cue) > 0
			    || (next != NULL && next->kind == SP_ITEM_CONCEPT
				&& sp_other_between (ctx, cue, next) == 0))
				break;
		}
	}
	return FALSE;
}

/* A condition's status (README "Conditions"): absent → none; possible → unknown; a resolved cue
 * → resolved (and historical); under a history heading only ("Hx of HTN", "PMH: GERD", 既往有哮喘
 * 病史) → active and current; put in the past by a time ("had pneumonia last year", 去年得过肺炎,
 * "CVA in 2018") → resolved, unless chronic (a chronic condition stays active once had); else
 * active.  An absent condition under a heading is current ("no history of diabetes", 否认结核病史).
 * A relative's condition has no status: family history records the diagnosis, not its course. */
void
sp_condition_status (SpCtx *ctx, guint k, SpFinding *f, SpPast past)
{
	if (f->kind != SP_FINDING_CONDITION || f->family)
		return;
	if (f->polarity == SP_POLARITY_ABSENT) {
		if (f->concept->chronic || past == SP_PAST_HEADING)
			f->historical = FALSE;
		return;
	}
	if (f->polarity == SP_POLARITY_POSSIBLE) {
		f->status = SP_STATUS_UNKNOWN;
	} else if (sp_resolved (ctx, k)) {
		f->status = SP_STATUS_RESOLVED;
		f->historical = TRUE;
	} else if (f->historical && past == SP_PAST_TIME && !f->concept->chronic) {
		f->status = SP_STATUS_RESOLVED;
	} else {
		f->status = SP_STATUS_ACTIVE;
		f->historical = FALSE;
	}
}
