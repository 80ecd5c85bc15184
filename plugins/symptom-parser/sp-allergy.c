/*
 * symptom-parser — allergies (issue 11): what a drug or substance is an allergy of (cues, headers,
 * lists), and its reaction, told in parentheses, after a cue, with a verb, before the allergen or
 * later in its sentence.  The reaction is the allergy's, never a present symptom.  Part of the
 * parser core (sp-context.c calls these for each finding); see the plugin README, "Allergies".
 */
#define G_LOG_DOMAIN "symptom-parser"

#include "sp-ctx.h"

#include <string.h>

/* ---- allergies ---- */

/* The concepts that are an allergy by themselves: drug allergy (spec of issue 11: "NKDA",
 * 无药物过敏史 are its negated terms) and the other "… allergy" substances (food allergy). */
#define SP_DRUG_ALLERGY_CODE "MV:4000"

gboolean
sp_is_allergy_concept (const SpConcept *c)
{
	return c->kind == SP_CONCEPT_SUBSTANCE
	       && (g_strcmp0 (c->code, SP_DRUG_ALLERGY_CODE) == 0
		   || g_str_has_suffix (c->label_en, " allergy"));
}

/* A mention of an allergy concept ("drug allergies", 药物过敏, "food allergies"), not negated:
 * it opens an allergy scope like an allergy cue ("Drug allergies: penicillin"). */
static gboolean
sp_is_drug_allergy (const SpItem *it, const SpLexicon *lex)
{
	if (it->kind != SP_ITEM_CONCEPT || it->negated)
		return FALSE;
	return sp_is_allergy_concept (g_ptr_array_index (lex->concepts, it->index));
}

/* Is the item a section header: followed by a colon, maybe past a word or two ("Allergies:",
 * "Allergies reviewed:", "Drug allergies (verified):", 过敏史：), or with the colon in its own
 * term ("allergies :" in cues.tsv)? */
gboolean
sp_is_header (SpCtx *ctx, const SpItem *it)
{
	const gchar *text = ctx->nt->text;
	gsize p = it->end;
	guint words = 0;

	if (p > 0 && text[p - 1] == ':')
		return TRUE;
	while (p < ctx->nt->len && p < it->end + 32) {
		gchar ch = text[p];
		if (ch == ':')
			return TRUE;
		/* "Allergies / intolerances:", "Allergies & reactions:" */
		if (ch == ' ' || ch == '(' || ch == ')' || ch == '/' || ch == '&') {
			p++;
			continue;
		}
		if (!g_ascii_isalpha (ch) || ++words > 2)
			return FALSE;
		while (p < ctx->nt->len && g_ascii_isalpha (text[p]))
			p++;
	}
	return FALSE;
}

/* A break that only separates the entries of a list under a header: ';' */
static gboolean
sp_is_list_break (SpCtx *ctx, const SpItem *it)
{
	return it->kind == SP_ITEM_BREAK && ctx->nt->text[it->start] == ';';
}

gboolean
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
gboolean
sp_allergy_scope (SpCtx *ctx, guint k)
{
	const SpLexicon *lex = ctx->parser->lexicon;
	SpItem *c = sp_item (ctx, k);

	/* under a header the list runs to the end of the sentence, across ';' and commas
	 * ("Allergies: sulfa -> hives; codeine (N/V); latex"); otherwise within the clause */
	gboolean in_clause = TRUE;

	for (guint j = k, n = 0; j-- > 0 && n < SP_MAX_WALK; n++) {
		SpItem *it = sp_item (ctx, j);
		gboolean opens = sp_is_cue (it, SP_CUE_ALLERGY_PRE) || sp_is_drug_allergy (it, lex);
		/* "Allergies / intolerances:": an allergy word heading a list opens it */
		if ((opens || sp_is_cue (it, SP_CUE_ALLERGY_POST)) && sp_is_header (ctx, it))
			return TRUE;
		if (sp_is_list_break (ctx, it)) {
			in_clause = FALSE;
			continue;
		}
		if (it->kind == SP_ITEM_BREAK)
			break;
		if (sp_is_cue (it, SP_CUE_TERMINATOR) || sp_other_between (ctx, it, c) > 3
		    || (it->kind == SP_ITEM_COMMA
			&& (it->hard || sp_other_between (ctx, it, c) > 0)))
			in_clause = FALSE;
		if (opens && in_clause)
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
gboolean
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
gint
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

/* The reactions that say an allergy when told right after a substance or drug with no allergy
 * cue: skin and airway reactions (rash, hives, itching, swelling of the lips or face, wheeze,
 * shortness of breath, flushing, blisters).  Side effects such as diarrhoea or a cough make no
 * allergy unless a cue says so ("intolerant of", "allergy"): "metformin causes diarrhea" is told
 * as easily of a drug the patient still takes. */
static const gchar *const sp_allergic_reactions[] = {
	"HP:0000988", /* skin rash */
	"HP:0001025", /* urticaria */
	"HP:0000989", /* pruritus */
	"HP:0100665", /* angioedema */
	"MV:0004",    /* swelling */
	"HP:0000282", /* facial edema */
	"HP:0010783", /* erythema */
	"HP:0040186", /* maculopapular exanthema */
	"HP:0030828", /* wheezing */
	"HP:0002094", /* dyspnea */
	"HP:0031284", /* flushing */
	"HP:0008066", /* blistering */
	"HP:0200037", /* skin vesicle */
	NULL,
};

static gboolean
sp_is_allergic_reaction (SpCtx *ctx, guint j)
{
	const SpItem *it = sp_item (ctx, j);
	const SpConcept *c;

	if (it->kind != SP_ITEM_CONCEPT || it->negated)
		return FALSE;
	c = g_ptr_array_index (ctx->parser->lexicon->concepts, it->index);
	return g_strv_contains (sp_allergic_reactions, c->code);
}

/* An allergy told by what the allergen does, with no allergy cue: an allergic reaction right
 * after the drug or substance at @k, nothing but reaction cues, body sites and punctuation
 * between ("shellfish makes me break out", "penicillin causes hives", "codeine (hives)",
 * 吃了虾会起疹子, 一吃海鲜就起疹子, 吃芒果嘴唇肿).  Any other word between ("cetirizine for hives",
 * "cream on the rash") tells a treatment, not an allergy.  Returns the reaction's item or -1. */
gint
sp_told_reaction (SpCtx *ctx, guint k)
{
	SpItem *prev = sp_item (ctx, k);

	for (guint j = k + 1; j < ctx->items->len && j - k <= 4; j++) {
		SpItem *it = sp_item (ctx, j);
		if (it->kind == SP_ITEM_BREAK || it->kind == SP_ITEM_COMMA
		    || sp_other_between (ctx, prev, it) > 0)
			return -1;
		if (it->kind == SP_ITEM_SITE || sp_is_cue (it, SP_CUE_REACTION)) {
			prev = it;
			continue;
		}
		return sp_is_allergic_reaction (ctx, j) ? (gint)j : -1;
	}
	return -1;
}

/* The allergen an allergic reaction at @j is told to come from ("hives from penicillin", "rash
 * after taking amoxicillin", "gets itchy from latex"): the next item, a drug or substance, with
 * only "from" or "after" (and "taking", "eating", "using") between.  Returns its item or -1. */
gint
sp_reaction_source (SpCtx *ctx, guint j)
{
	static const gchar *const lead[] = { "from", "after", NULL };
	static const gchar *const verbs[] = { "taking", "eating", "using", "having", NULL };
	SpItem *r, *a;
	guint n = 0;

	if (j + 1 >= ctx->items->len || !sp_is_allergic_reaction (ctx, j))
		return -1;
	r = sp_item (ctx, j);
	a = sp_item (ctx, j + 1);
	if (!sp_is_allergen (a, ctx->parser->lexicon) || a->tok_first <= r->tok_last + 1
	    || a->tok_first > r->tok_last + 3)
		return -1;
	for (guint t = r->tok_last + 1; t < a->tok_first; t++, n++) {
		if (!sp_tok_in (ctx, t, n == 0 ? lead : verbs))
			return -1;
	}
	return (gint)j + 1;
}

/* The allergic reactions told later in the allergy's sentence are its reactions, not present
 * symptoms ("我对头孢过敏，上次打完点滴浑身起风团，痒得要命", "allergic to shellfish, lips swell
 * and throat itches"), until another allergen, a negation, or a cue of the present ("now",
 * "presents with", 现在) starts something else. */
void
sp_later_reactions (SpCtx *ctx, guint k, SpFindingsState *st, SpFinding *f)
{
	const SpLexicon *lex = ctx->parser->lexicon;

	for (guint j = k + 1; j < ctx->items->len && j - k < SP_MAX_WALK; j++) {
		SpItem *it = sp_item (ctx, j);
		if (it->kind == SP_ITEM_BREAK || sp_is_cue (it, SP_CUE_CURRENT)
		    || sp_is_cue (it, SP_CUE_NEGATION_PRE) || sp_is_cue (it, SP_CUE_FAMILY)
		    || sp_is_allergen (it, lex))
			break;
		if (!sp_is_allergic_reaction (ctx, j))
			continue;
		if (st->reactions == NULL)
			st->reactions = g_new0 (guint8, ctx->items->len / 8 + 1);
		st->reactions[j / 8] |= (guint8)(1u << (j % 8));
		if (f->reaction == NULL)
			f->reaction = g_ptr_array_index (lex->concepts, it->index);
	}
}
