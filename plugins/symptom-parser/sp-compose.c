/*
 * symptom-parser — composition of a body site with a generic symptom (issue 11, round 7): a
 * finding of a generic head (pain, swelling, itch, numbness, oedema, a lump, redness…) at a site
 * the lexicon knows is the most specific concept that exists for them ("pain in the left knee"
 * is Knee pain, 颜面部水肿 Facial edema, a swollen toe Joint swelling); a site written with an
 * adverb between it and the head (大脚趾又肿, 右膝突然疼) is still the head's; and a list of sites
 * that share one head ("pain in my hips and lower back", 颜面部及双下肢水肿) gives one finding per
 * site.  These find wordings no term lists, from what the lexicon already knows.
 */
#define G_LOG_DOMAIN "symptom-parser"

#include "sp-ctx.h"

#include <string.h>

/* Chinese adverbs that may stand between a body site and its symptom without ending the phrase
 * (大脚趾又肿, 膝盖突然疼, 腰也酸, 手一直麻): the Chinese counterpart of the English copula and
 * degree words of sp_site_is_subject() in sp-context.c. */
static const gchar *const sp_zh_adverbs[] = {
	"又",
	"突然",
	"也",
	"还",
	"都",
	"一直",
	"老是",
	"总是",
	"经常",
	"时常",
	"常常",
	"偶尔",
	"有时",
	"有点",
	"有些",
	"很",
	"特别",
	"非常",
	"越来越",
	"开始",
	"明显",
	"稍",
	"稍微",
	"略",
	"比较",
	"更",
	"更加",
	"总",
	"就",
	"时",
	"会",
	/* and verbs of having or growing, with a place word: 头有包块, 脖子上长了个包 */
	"有",
	"有个",
	"有一个",
	"长了",
	"长了个",
	"长了一个",
	"长",
	"起了",
	"起",
	"出现",
	"上",
	"上面",
	"里",
	"一块",
	"一片",
	NULL,
};

gboolean
sp_site_adverbs_between (SpCtx *ctx, const SpItem *site, const SpItem *c)
{
	const gchar *p = ctx->nt->text + site->end;
	const gchar *end = ctx->nt->text + c->start;

	/* only for a head a site can make specific (肿, 包块, 痒…): 喉咙里有喘鸣音 says where it is
	 * heard, not a site of the wheeze */
	if (site->kind != SP_ITEM_SITE || site->end > c->start || c->kind != SP_ITEM_CONCEPT
	    || !mv_unichar_is_han (g_utf8_get_char (ctx->nt->text + site->start))
	    || sp_lexicon_generic_of (ctx->parser->lexicon,
				      g_ptr_array_index (ctx->parser->lexicon->concepts, c->index))
		       == NULL)
		return FALSE;
	/* at most three of them: 腰也一直酸, 脖子上长了个包 */
	for (guint n = 0; p < end; n++) {
		gboolean found = FALSE;
		if (n >= 3)
			return FALSE;
		for (guint i = 0; sp_zh_adverbs[i] != NULL && !found; i++) {
			gsize len = strlen (sp_zh_adverbs[i]);
			if ((gsize)(end - p) >= len && memcmp (p, sp_zh_adverbs[i], len) == 0) {
				p += len;
				found = TRUE;
			}
		}
		if (!found)
			return FALSE;
	}
	return TRUE;
}

void
sp_compose_site (const SpLexicon *lex, SpFinding *f)
{
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
}

/* The next item from @j in direction @step (+1 or -1) that is no side cue ("left", 双), or
 * G_MAXUINT; @lat receives the side cue passed, if any. */
static guint
sp_skip_side (SpCtx *ctx, guint j, gint step, SpLaterality *lat)
{
	*lat = SP_LATERALITY_NONE;
	for (guint n = 0; n < 2; n++) {
		SpItem *it;
		if ((step < 0 && j == 0) || (step > 0 && j + 1 >= ctx->items->len))
			return G_MAXUINT;
		j = step < 0 ? j - 1 : j + 1;
		it = sp_item (ctx, j);
		if (sp_is_cue (it, SP_CUE_LATERALITY_LEFT))
			*lat = SP_LATERALITY_LEFT;
		else if (sp_is_cue (it, SP_CUE_LATERALITY_RIGHT))
			*lat = SP_LATERALITY_RIGHT;
		else if (sp_is_cue (it, SP_CUE_LATERALITY_BILATERAL))
			*lat = SP_LATERALITY_BILATERAL;
		else
			return j;
	}
	return G_MAXUINT;
}

/* Does the item at @j join two sites of a list ("and", "or", 及, 和, 、, a comma in a list)?  Not
 * 伴, which joins complaints (腰痛伴左下肢放射痛); with @strict, not a comma either: the first
 * joiner after a head that holds its own site must be a word ("neck and shoulder pain", 颜面部及
 * 双下肢水肿), as a comma there lists complaints ("swelling of the hands, headache"). */
static gboolean
sp_joins (SpCtx *ctx, guint j, gboolean strict)
{
	SpItem *it = j < ctx->items->len ? sp_item (ctx, j) : NULL;

	if (it == NULL)
		return FALSE;
	if (it->kind == SP_ITEM_COMMA)
		return !it->hard && !strict;
	return sp_is_cue (it, SP_CUE_CONJUNCTION)
	       && !(it->end - it->start >= strlen ("伴")
		    && memcmp (ctx->nt->text + it->start, "伴", strlen ("伴")) == 0);
}

/* Is the concept the item at @c names (before any site made it specific) a generic one? */
static gboolean
sp_item_is_generic (SpCtx *ctx, const SpItem *c)
{
	const SpLexicon *lex = ctx->parser->lexicon;
	const SpConcept *concept = g_ptr_array_index (lex->concepts, c->index);

	return sp_lexicon_generic_of (lex, concept) == concept;
}

/* One more finding of @f's generic concept at the site item @s, made specific; %FALSE when the
 * lexicon has no concept for the generic at that site (then the list gives nothing new). */
static gboolean
sp_site_finding (SpCtx *ctx, const SpFinding *f, guint s, SpLaterality lat, SpFinding *out)
{
	const SpLexicon *lex = ctx->parser->lexicon;
	const SpConcept *generic = sp_lexicon_generic_of (lex, f->concept);
	const SpItem *it = sp_item (ctx, s);
	MvOrigSpan span;

	*out = *f;
	out->concept = generic;
	out->site = ((SpSite *)g_ptr_array_index (lex->sites, it->index))->code;
	out->laterality = lat;
	sp_compose_site (lex, out);
	if (out->concept == generic || out->concept == f->concept)
		return FALSE;
	mv_norm_text_to_orig (ctx->nt, it->start, it->end, &span);
	out->start = span.cp_start;
	out->end = span.cp_end;
	out->byte_start = span.byte_start;
	out->byte_end = span.byte_end;
	out->n_mentions = 1;
	out->n_spans = 1;
	out->spans[0] = out->start;
	out->spans[1] = out->end;
	return TRUE;
}

/* "swelling of the face and hands": a site listed after a head that holds its own is not that
 * head's site (the attribute walk took it across the "and") */
static void
sp_site_not_first (SpCtx *ctx, SpFinding *f, guint s)
{
	const SpSite *site
		= g_ptr_array_index (ctx->parser->lexicon->sites, sp_item (ctx, s)->index);

	if (g_strcmp0 (f->site, site->code) == 0)
		f->site = NULL;
}

guint
sp_coordinated_sites (SpCtx *ctx, guint k, SpFinding *f, SpFinding *out, guint max)
{
	const SpItem *c = sp_item (ctx, k);
	SpLaterality lat;
	guint n = 0;
	guint j;

	if (f->kind != SP_FINDING_SYMPTOM || c->kind != SP_ITEM_CONCEPT
	    || sp_lexicon_generic_of (ctx->parser->lexicon, f->concept) == NULL)
		return 0;
	/* to the left, the sites before the head (颜面部及双下肢水肿, "neck and shoulder pain"):
	 * from the finding's own site, written right before it or inside its term */
	j = sp_skip_side (ctx, k, -1, &lat);
	if (j != G_MAXUINT && sp_item (ctx, j)->kind == SP_ITEM_SITE
	    && sp_other_between (ctx, sp_item (ctx, j), c) == 0)
		;
	else if (f->concept->site != NULL && f->site == NULL)
		j = k;
	else
		j = G_MAXUINT;
	while (j != G_MAXUINT && n < max) {
		guint p = sp_skip_side (ctx, j, -1, &lat);
		guint q = p != G_MAXUINT && sp_joins (ctx, p, j == k)
				  ? sp_skip_side (ctx, p, -1, &lat)
				  : G_MAXUINT;
		if (q == G_MAXUINT || sp_item (ctx, q)->kind != SP_ITEM_SITE
		    || sp_other_between (ctx, sp_item (ctx, q), sp_item (ctx, p)) > 1)
			break;
		/* the side written before this site (左膝和右踝疼痛) */
		(void)sp_skip_side (ctx, q, -1, &lat);
		if (sp_site_finding (ctx, f, q, lat, &out[n]))
			n++;
		j = q;
	}
	/* to the right, in English only (Chinese writes the site first), the sites after a
	 * generic head ("pain in the neck and shoulders"), or after the site inside its term ("pain
	 * in my hips and lower back"); not the joints of "joint pains in her hands and knees" */
	if (mv_unichar_is_han (g_utf8_get_char (ctx->nt->text + c->start)))
		return n;
	j = sp_skip_side (ctx, k, +1, &lat);
	if (j != G_MAXUINT && sp_item (ctx, j)->kind == SP_ITEM_SITE
	    && sp_other_between (ctx, c, sp_item (ctx, j)) <= 2 && sp_item_is_generic (ctx, c))
		;
	else if (f->concept->site != NULL && !sp_item_is_generic (ctx, c)
		 && sp_joins (ctx, k + 1, TRUE))
		j = k;
	else
		return n;
	/* a list joined by commas is one only when "and" or "or" closes it ("the neck, shoulders
	 * and back"); "swelling L knee, calves soft and non-tender" starts a new clause */
	for (guint sure = n; n < max;) {
		guint p = sp_skip_side (ctx, j, +1, &lat);
		guint q = p != G_MAXUINT && sp_joins (ctx, p, j == k)
				  ? sp_skip_side (ctx, p, +1, &lat)
				  : G_MAXUINT;
		if (q == G_MAXUINT || sp_item (ctx, q)->kind != SP_ITEM_SITE
		    || sp_other_between (ctx, sp_item (ctx, p), sp_item (ctx, q)) > 1)
			return sure;
		sp_site_not_first (ctx, f, q);
		if (sp_site_finding (ctx, f, q, lat, &out[n]))
			n++;
		if (sp_item (ctx, p)->kind != SP_ITEM_COMMA)
			sure = n;
		j = q;
	}
	return n;
}

/* Where a complaint radiates: "radiating to L arm", "shoots down the back of his leg", 向左肩放射,
 * 放射至后背.  Most blind annotators code the place it reaches as a pain of its own (7 of 10
 * radiations in the dev sets); a plain "going down to my groin" is left out, as it may only say
 * where a pain lies. */
static const gchar *const sp_radiation_en[] = {
	"radiating to",	  "radiates to",   "radiated to",    "radiation to",
	"radiating into", "radiates into", "spreading to",   "spreads to",
	"spread to",	  "shooting down", "shoots down",    "shot down",
	"shooting into",  "shoots into",   "spreading down", NULL,
};
static const gchar *const sp_radiation_zh[]
	= { "放射至", "放射到", "并放射至", "牵涉至", "向", NULL };

/* The byte offset where the sites of a radiation after the concept item @c begin, or 0: the cue
 * within the same clause, no other concept between (a duration, a comma may stand there). */
static gsize
sp_radiation_at (SpCtx *ctx, guint k)
{
	const gchar *text = ctx->nt->text;
	const SpItem *c = sp_item (ctx, k);
	gboolean zh = mv_unichar_is_han (g_utf8_get_char (text + c->start));
	const gchar *const *cues = zh ? sp_radiation_zh : sp_radiation_en;
	gsize limit = MIN (ctx->nt->len, c->end + 48);
	gsize next = limit;

	for (guint j = k + 1; j < ctx->items->len; j++) {
		const SpItem *it = sp_item (ctx, j);
		if (it->kind == SP_ITEM_CONCEPT || it->kind == SP_ITEM_BREAK) {
			next = MIN (next, it->start);
			break;
		}
	}
	for (gsize p = c->end; p < next; p++) {
		if (text[p] == '.' || text[p] == ';' || text[p] == '\n')
			return 0;
		/* every English cue opens with r or s, every Chinese one with a Han character */
		if (zh ? (guchar)text[p] < 0xe0 : (text[p] != 'r' && text[p] != 's'))
			continue;
		for (guint i = 0; cues[i] != NULL; i++) {
			gsize n = strlen (cues[i]);
			if (p + n > ctx->nt->len || memcmp (text + p, cues[i], n) != 0
			    || (!zh && p > c->end && g_ascii_isalpha (text[p - 1])))
				continue;
			/* 向 is any "towards": only 向左肩放射 radiates */
			if (g_str_equal (cues[i], "向")
			    && g_strstr_len (text + p, (gssize)MIN (30, ctx->nt->len - p), "放射")
				       == NULL)
				continue;
			return p + n;
		}
	}
	return 0;
}

guint
sp_radiation_sites (SpCtx *ctx, guint k, SpFinding *f, SpFinding *out, guint max)
{
	const SpLexicon *lex = ctx->parser->lexicon;
	const SpConcept *pain = NULL;
	gsize from;
	guint n = 0;
	gboolean joined = TRUE;

	if (f->kind != SP_FINDING_SYMPTOM || sp_item (ctx, k)->kind != SP_ITEM_CONCEPT
	    || (from = sp_radiation_at (ctx, k)) == 0)
		return 0;
	for (guint i = 0; i < lex->concepts->len && pain == NULL; i++) {
		const SpConcept *c = g_ptr_array_index (lex->concepts, i);
		if (g_str_equal (c->code, "HP:0012531"))
			pain = c;
	}
	for (guint j = k + 1; j < ctx->items->len && n < max; j++) {
		const SpItem *it = sp_item (ctx, j);
		SpLaterality lat;
		SpFinding g;
		if (it->start < from || sp_is_cue (it, SP_CUE_LATERALITY_LEFT)
		    || sp_is_cue (it, SP_CUE_LATERALITY_RIGHT)
		    || sp_is_cue (it, SP_CUE_LATERALITY_BILATERAL))
			continue;
		if (sp_is_cue (it, SP_CUE_CONJUNCTION)) {
			joined = TRUE;
			continue;
		}
		if (it->kind != SP_ITEM_SITE || !joined)
			break;
		/* "the back of his leg": the leg */
		if (it->end + 3 <= ctx->nt->len && strncmp (ctx->nt->text + it->end, " of", 3) == 0)
			continue;
		(void)sp_skip_side (ctx, j, -1, &lat);
		g = *f;
		g.concept = pain;
		g.severity = SP_SEVERITY_NONE;
		if (pain != NULL && sp_site_finding (ctx, &g, j, lat, &out[n])) {
			/* 胸痛向左肩放射: the shoulder and its side are not the chest pain's */
			if (g_strcmp0 (f->site, out[n].site) == 0
			    || (out[n].site == NULL
				&& g_strcmp0 (f->site, out[n].concept->site) == 0)) {
				f->site = NULL;
				f->laterality = SP_LATERALITY_NONE;
			}
			n++;
		}
		/* 向左肩背部放射: adjacent sites are one region, its first named */
		joined = FALSE;
	}
	return n;
}
