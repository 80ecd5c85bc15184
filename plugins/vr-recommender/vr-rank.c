/*
 * vr-recommender core — Recommend: the safety filter over every candidate, then the ranking
 * of what passed (content match, the model's collaborative signal, popularity, the patient's
 * own outcomes: continue what went well, push down what went badly), a soft diversity
 * re-ranking with a share of the list kept for content not yet tried, and the reasons of
 * every item in both languages (README, "Ranking").  Pure: the same input and seed give the
 * same answer.
 */
#define G_LOG_DOMAIN "vr-recommender"

#include <math.h>
#include <string.h>

#include "vr-core.h"

/* the weights of the ranking (README, "Ranking") */
#define VR_W_CONTENT 0.5
#define VR_W_COLLAB 0.35
#define VR_W_POPULARITY 0.15
#define VR_COLD_CONTENT 0.7
#define VR_COLD_POPULARITY 0.3
#define VR_EXPLORATION 0.05
/* the patient's own outcomes: a liked item's bonus is this × (1 − e^−confidence), so a
 * second good session of it counts for more than the first; an item that went badly loses
 * VR_PENALTY_BAD (README, "The patient's own outcomes") */
#define VR_W_CONTINUE 0.6
#define VR_PENALTY_BAD 0.3
/* diversity, MMR-style (README, "Diversity"): each item already chosen from the same
 * category costs a candidate (1 − λ) / λ of score; λ = 0.9 */
#define VR_MMR_LAMBDA 0.9
/* places of every 10 kept for content the patient has not tried, when safe ones exist */
#define VR_NEW_SHARE 3
/* "popular" is said only when at least this many other patients completed the item
 * (README, "Ranking"): a share of a handful of patients is an anecdote, not popularity */
#define VR_POPULAR_PATIENTS 5
/* popularity counts in the score in proportion to its evidence: × min(1, other patients / 5)
 * (README, "Ranking"); a format-1 model has no count, so its popularity counts for nothing */
#define VR_POPULARITY_EVIDENCE 5.0

/* what the patient's own sessions of one item say (README, "The patient's own outcomes") */
typedef enum { VR_TRIED_MIXED, VR_TRIED_LIKED, VR_TRIED_BADLY } VrVerdict;

typedef struct {
	gdouble signal;	    /* sum of the sessions' signals (vr_session_signal) */
	gdouble confidence; /* log(1 + signal) when the sum is positive, else 0 */
	guint liked; /* sessions completed, rated 4–5 or unrated, no moderate/severe sickness */
	guint bad;   /* sessions abandoned, rated 1–2, or with moderate/severe sickness */
	guint completed;
	VrVerdict verdict;
} VrTried;

typedef struct {
	const VrItem *item;
	const VrTried *tried; /* NULL: the patient never did it */
	gdouble score;
	GPtrArray *reasons; /* GVariant*; NULL while only scoring (reasons are made for what is
			     * shown: a 10,000-item catalog shows 10) */
} VrCandidate;

static void
vr_candidate_free (VrCandidate *c)
{
	g_clear_pointer (&c->reasons, g_ptr_array_unref);
	g_free (c);
}

/* what the ranking knows of the patient's own history */
typedef struct {
	GHashTable *tried; /* content id -> VrTried* */
	gdouble total;	   /* sum of the positive confidences */
} VrHistoryView;

static gboolean
vr_code_hits (const gchar *target, const gchar *code)
{
	const gchar *t = target, *c = code;

	if (g_str_equal (target, code))
		return TRUE;
	if (!g_str_has_prefix (t, "ICD10:"))
		return FALSE;
	t += strlen ("ICD10:");
	if (g_str_has_prefix (c, "ICD10CM:"))
		c += strlen ("ICD10CM:");
	else if (g_str_has_prefix (c, "ICD10:"))
		c += strlen ("ICD10:");
	else
		return FALSE;
	/* ICD10:I63 targets every stroke code under it (I63.9, not I6399 of another
	 * category); ICD10:Z12.1 every code under that subcategory (Z12.11) */
	if (!g_str_has_prefix (c, t))
		return FALSE;
	return c[strlen (t)] == '\0' || c[strlen (t)] == '.' || strchr (t, '.') != NULL;
}

static guint
vr_target_hits (const VrItem *item, const VrPatient *p)
{
	guint hits = 0;

	for (guint i = 0; item->targets[i] != NULL; i++) {
		for (guint j = 0; j < p->codes->len; j++) {
			if (vr_code_hits (item->targets[i], g_ptr_array_index (p->codes, j))) {
				hits++;
				break;
			}
		}
	}
	return hits;
}

static gboolean
vr_goal_hits (const VrItem *item, const VrPatient *p)
{
	for (guint i = 0; p->goals != NULL && p->goals[i] != NULL; i++) {
		if (g_strv_contains ((const gchar *const *)item->regions, p->goals[i]))
			return TRUE;
	}
	return FALSE;
}

static gboolean
vr_has_reason (const VrCandidate *c, const gchar *code)
{
	for (guint i = 0; i < c->reasons->len; i++) {
		const gchar *have = NULL;
		g_variant_lookup (g_ptr_array_index (c->reasons, i), "code", "&s", &have);
		if (g_strcmp0 (have, code) == 0)
			return TRUE;
	}
	return FALSE;
}

/* one reason per code on an item (the trial saw one code twice with two texts) */
static void
vr_add_reason (VrCandidate *c, const gchar *code, const gchar *en, const gchar *zh)
{
	if (c->reasons != NULL && !vr_has_reason (c, code))
		g_ptr_array_add (c->reasons, vr_reason_new (code, en, zh));
}

/* the content match in [0, 1]: targets, goals' regions, the narration's language */
static gdouble
vr_content_score (VrCandidate *c, const VrPatient *p)
{
	guint hits = vr_target_hits (c->item, p);
	gdouble s = 0;

	if (hits > 0) {
		s += 0.6 + 0.1 * MIN (hits - 1, 2u);
		vr_add_reason (c, "matches-condition",
			       "Made for a condition or finding in your record",
			       "针对您记录中的疾病或症状设计");
	}
	if (vr_goal_hits (c->item, p)) {
		s += 0.2;
		vr_add_reason (c, "matches-goal", "Trains a body area your plan's goals name",
			       "锻炼您计划目标中的身体部位");
	}
	if (g_strv_contains ((const gchar *const *)c->item->languages, p->language)) {
		s += 0.1;
	} else {
		s -= 0.2;
		vr_add_reason (c, "other-language",
			       "Narrated in another language; on-screen titles are translated",
			       "旁白为其他语言；屏幕标题已翻译");
	}
	return CLAMP (s, 0.0, 1.0);
}

/* the weighted mean of the item's similarity to what the patient used and liked */
static gdouble
vr_collab_score (const VrItem *item, const VrModel *model, const VrHistoryView *h)
{
	GHashTableIter it;
	gpointer id, value;
	gdouble sum = 0;

	if (h->total <= 0)
		return 0;
	g_hash_table_iter_init (&it, h->tried);
	while (g_hash_table_iter_next (&it, &id, &value)) {
		const VrTried *t = value;
		VrModelItem *mi = t->confidence > 0 ? g_hash_table_lookup (model->items, id) : NULL;
		gdouble *w = mi != NULL ? g_hash_table_lookup (mi->neighbours, item->id) : NULL;
		if (w != NULL)
			sum += t->confidence * *w;
	}
	return sum / h->total;
}

/* the patient's own outcomes with the item: a bonus to continue what went well, a penalty
 * for what went badly, nothing for what was neither (README, "The patient's own outcomes") */
static gdouble
vr_own_outcome (VrCandidate *c)
{
	const gchar *category = vr_categories[c->item->category];

	if (c->tried == NULL)
		return 0;
	/* a preparation or a lesson is seen, not trained: done well once, it is not a programme
	 * to continue (a colonoscopy guide first on every list after the colonoscopy) */
	if (c->tried->verdict == VR_TRIED_LIKED
	    && (g_str_equal (category, "procedure-preparation")
		|| g_str_equal (category, "education"))) {
		vr_add_reason (c, "seen-before", "You have completed this before",
			       "您此前已完成此内容");
		return 0;
	}
	if (c->tried->verdict == VR_TRIED_LIKED) {
		vr_add_reason (c, "continue-programme",
			       "Continue your programme: this went well for you",
			       "继续您的训练计划：您此前完成得很好");
		return VR_W_CONTINUE * (1.0 - exp (-c->tried->confidence));
	}
	if (c->tried->verdict == VR_TRIED_BADLY) {
		vr_add_reason (c, "went-badly",
			       "Ranked lower: a session of it was stopped early, rated low or "
			       "caused discomfort",
			       "排序靠后：您此前的训练未完成、评分较低或引起不适");
		return -VR_PENALTY_BAD;
	}
	return 0;
}

/* the distinct patients other than this one who completed the item (0: format-1 model) */
static guint
vr_other_completers (const VrCandidate *c, const VrModelItem *mi)
{
	guint self = c->tried != NULL && c->tried->completed > 0 ? 1u : 0u;

	if (mi == NULL || mi->patients <= self)
		return 0;
	return mi->patients - self;
}

static void
vr_score (VrCandidate *c,
	  const VrPatient *p,
	  const VrModel *model,
	  const VrHistoryView *h,
	  gboolean cold,
	  guint64 seed)
{
	VrModelItem *mi = g_hash_table_lookup (model->items, c->item->id);
	gdouble content = vr_content_score (c, p);
	guint others = vr_other_completers (c, mi);
	gdouble collab = 0, pop = mi != NULL ? mi->popularity : 0;

	/* a share of two patients is an anecdote: shrunk by the patients behind it */
	pop *= MIN (1.0, others / VR_POPULARITY_EVIDENCE);
	if (g_hash_table_size (model->items) > 0 && mi == NULL) {
		/* a new item: no one used it yet, content only and a small bonus to try it; said
		 * only when the patient has not done it either (their sessions came after the
		 * model) */
		c->score = VR_COLD_CONTENT * content
			   + VR_EXPLORATION * vr_hash_unit (seed, c->item->id);
		if (c->tried == NULL)
			vr_add_reason (c, "new-content", "Not yet tried at your clinic",
				       "本诊所尚无人尝试过");
	} else if (cold) {
		c->score = VR_COLD_CONTENT * content + VR_COLD_POPULARITY * pop;
	} else {
		collab = vr_collab_score (c->item, model, h);
		c->score = VR_W_CONTENT * content + VR_W_COLLAB * collab + VR_W_POPULARITY * pop;
		if (collab >= 0.05)
			vr_add_reason (c, "similar-patients",
				       "Patients who used the sessions you used did well with this",
				       "与您使用过相同内容的患者在此项上效果良好");
	}
	if (mi != NULL && mi->popularity >= 0.2 && others >= VR_POPULAR_PATIENTS)
		vr_add_reason (c, "popular", "Often completed by other patients of your clinic",
			       "本诊所其他患者经常完成此项");
	c->score += vr_own_outcome (c);
	/* ties broken by the seed, far below any real difference */
	c->score += 1e-6 * vr_hash_unit (seed ^ 0x9e3779b97f4a7c15ULL, c->item->id);
}

static gint
vr_candidate_cmp (gconstpointer a, gconstpointer b)
{
	const VrCandidate *x = *(VrCandidate *const *)a, *y = *(VrCandidate *const *)b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return g_strcmp0 (x->item->id, y->item->id);
}

/* the best remaining candidate after the diversity cost of its category; @new_only: among
 * the items the patient has not tried */
static gint
vr_mmr_pick (GPtrArray *ranked, const gboolean *taken, const guint *counts, gboolean new_only)
{
	const gdouble cost = (1.0 - VR_MMR_LAMBDA) / VR_MMR_LAMBDA;
	gint best = -1;
	gdouble best_v = 0;

	for (guint i = 0; i < ranked->len; i++) {
		const VrCandidate *c = g_ptr_array_index (ranked, i);
		gdouble v;
		if (taken[i] || (new_only && c->tried != NULL))
			continue;
		v = c->score - cost * counts[c->item->category];
		/* @ranked is in score order: a tie keeps the earlier one */
		if (best < 0 || v > best_v) {
			best = (gint)i;
			best_v = v;
		}
	}
	return best;
}

/*
 * Diversity as a soft re-ranking (MMR-style, README "Diversity"): each place goes to the
 * candidate with the best score minus (1 − λ)/λ per item of its category already chosen.
 * Of every 10 places, VR_NEW_SHARE go to content the patient has not tried while any is left
 * (exploration): the last places of a block are reserved when the list has too few new ones.
 */
static GPtrArray *
vr_diversify (GPtrArray *ranked, guint limit)
{
	GPtrArray *out = g_ptr_array_new ();
	guint counts[16] = { 0 }; /* more than the nine categories */
	g_autofree gboolean *taken = g_new0 (gboolean, ranked->len + 1);
	guint new_in_block = 0;
	gboolean new_left = TRUE;

	while (out->len < limit) {
		guint place = out->len % 10, block_len = MIN (10u, limit - out->len + place);
		guint need = MIN (VR_NEW_SHARE, block_len);
		gboolean new_only = new_left && need > new_in_block
				    && block_len - place <= need - new_in_block;
		gint i = vr_mmr_pick (ranked, taken, counts, new_only);
		VrCandidate *c;
		if (i < 0 && new_only) {
			new_left = FALSE;
			continue;
		}
		if (i < 0)
			break;
		c = g_ptr_array_index (ranked, i);
		taken[i] = TRUE;
		counts[c->item->category]++;
		new_in_block += c->tried == NULL;
		g_ptr_array_add (out, c);
		if (out->len % 10 == 0)
			new_in_block = 0;
	}
	return out;
}

static GVariant *
vr_reasons_variant (GPtrArray *reasons)
{
	g_auto (GVariantBuilder) b = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("aa{sv}"));

	for (guint i = 0; i < reasons->len; i++)
		g_variant_builder_add_value (&b, g_ptr_array_index (reasons, i));
	return g_variant_builder_end (&b);
}

static GVariant *
vr_candidate_variant (const VrCandidate *c, const gchar *lang)
{
	g_auto (GVariantBuilder) b = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);

	g_variant_builder_add (&b, "{sv}", "id", g_variant_new_string (c->item->id));
	g_variant_builder_add (&b, "{sv}", "title",
			       g_variant_new_string (vr_text_get (&c->item->title, lang)));
	g_variant_builder_add (&b, "{sv}", "category",
			       g_variant_new_string (vr_categories[c->item->category]));
	g_variant_builder_add (&b, "{sv}", "score", g_variant_new_double (c->score));
	g_variant_builder_add (&b, "{sv}", "reasons", vr_reasons_variant (c->reasons));
	return g_variant_builder_end (&b);
}

static GVariant *
vr_excluded_variant (const VrCandidate *c)
{
	g_auto (GVariantBuilder) b = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);

	g_variant_builder_add (&b, "{sv}", "id", g_variant_new_string (c->item->id));
	g_variant_builder_add (&b, "{sv}", "reasons", vr_reasons_variant (c->reasons));
	return g_variant_builder_end (&b);
}

static void
vr_note_unknown_content (GVariantBuilder *notes, guint i)
{
	g_autofree gchar *field = g_strdup_printf ("/history/%u/content_id", i);
	g_auto (GVariantBuilder) n = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);

	g_variant_builder_add (&n, "{sv}", "code", g_variant_new_string ("unknown-content"));
	g_variant_builder_add (&n, "{sv}", "field", g_variant_new_string (field));
	g_variant_builder_add (&n, "{sv}", "en",
			       g_variant_new_string ("Not in the catalog: ignored for ranking; a "
						     "cybersickness report still counts"));
	g_variant_builder_add (&n, "{sv}", "zh",
			       g_variant_new_string ("不在目录中：排序时忽略；晕动症报告仍然计入"));
	g_variant_builder_add_value (notes, g_variant_builder_end (&n));
}

/* a session as a clinician reads it: went well (completed, not rated low, no more than mild
 * sickness), went badly (abandoned, rated 1–2, moderate or severe sickness), or neither */
static void
vr_tried_add (VrTried *t, const VrSession *s)
{
	gboolean low = s->rating > 0 && s->rating <= 2.0;
	gboolean unwell = s->sickness >= 2;

	t->signal += vr_session_signal (s);
	t->completed += s->completed;
	if (!s->completed || low || unwell)
		t->bad++;
	else if (s->rating == 0 || s->rating >= 4.0)
		t->liked++;
}

/* liked when more sessions went well than badly; badly when at least as many went badly
 * (one good session does not cancel a bad one); mixed otherwise (e.g. only 3-rated ones) */
static VrVerdict
vr_tried_verdict (const VrTried *t)
{
	if (t->liked > t->bad)
		return VR_TRIED_LIKED;
	if (t->bad > 0)
		return VR_TRIED_BADLY;
	return VR_TRIED_MIXED;
}

static void
vr_history_view_init (VrHistoryView *h,
		      GPtrArray *history,
		      GHashTable *known,
		      GVariantBuilder *notes)
{
	GHashTableIter it;
	gpointer value;

	h->tried = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
	h->total = 0;
	for (guint i = 0; i < history->len; i++) {
		const VrSession *s = g_ptr_array_index (history, i);
		VrTried *t;
		if (!g_hash_table_contains (known, s->content_id)) {
			vr_note_unknown_content (notes, i);
			continue;
		}
		t = g_hash_table_lookup (h->tried, s->content_id);
		if (t == NULL) {
			t = g_new0 (VrTried, 1);
			g_hash_table_insert (h->tried, s->content_id, t);
		}
		vr_tried_add (t, s);
	}
	/* Hu, Koren and Volinsky's confidence: grows with repeat use, only for positive sums */
	g_hash_table_iter_init (&it, h->tried);
	while (g_hash_table_iter_next (&it, NULL, &value)) {
		VrTried *t = value;
		t->confidence = t->signal > 0 ? log1p (t->signal) : 0;
		t->verdict = vr_tried_verdict (t);
		h->total += t->confidence;
	}
}

/*
 * Relevance (README, "Relevance"): procedure preparation and disease education need a target
 * among the patient's codes, whatever else would rank them: they mean nothing without the
 * procedure or the disease.  Condition-specific training (rehabilitation, cognitive training)
 * needs a target, a goal region, a region the record asks training for (another item of the
 * category targets the patient's condition there), or the patient's own programme.  A
 * clinician's pin is an indication too (an MRI is booked and no code says so).  Nothing here is
 * safety: the filter ran before.
 */
/* the body regions the record asks training for: the regions of the training items (catalog
 * and the clinic's) one of whose targets the patient has — a stroke's arm, leg, balance and
 * cognition, a knee's leg (README, "Relevance"); none for a record that indicates none */
static GHashTable *
vr_record_regions (const VrCatalog *cat, const VrPatient *p)
{
	GHashTable *regions = g_hash_table_new (g_str_hash, g_str_equal);

	for (guint k = 0; k < cat->items->len + p->extra_items->len; k++) {
		const VrItem *item = k < cat->items->len ? g_ptr_array_index (cat->items, k)
							 : g_ptr_array_index (p->extra_items,
									      k - cat->items->len);
		if (vr_indication_of (item) != VR_INDICATION_TARGET_OR_GOAL
		    || vr_target_hits (item, p) == 0)
			continue;
		for (guint i = 0; item->regions[i] != NULL; i++) {
			if (!g_str_equal (item->regions[i], "none"))
				g_hash_table_add (regions, item->regions[i]);
		}
	}
	return regions;
}

static gboolean
vr_region_in (const VrItem *item, GHashTable *regions)
{
	for (guint i = 0; item->regions[i] != NULL; i++) {
		if (g_hash_table_contains (regions, item->regions[i]))
			return TRUE;
	}
	return FALSE;
}

static gboolean
vr_indicated (const VrCandidate *c,
	      const VrPatient *p,
	      const VrOptions *options,
	      GHashTable *record_regions)
{
	VrIndication need = vr_indication_of (c->item);

	if (need == VR_INDICATION_NONE)
		return TRUE;
	if (options->pin != NULL
	    && g_strv_contains ((const gchar *const *)options->pin, c->item->id))
		return TRUE;
	if (vr_target_hits (c->item, p) > 0)
		return TRUE;
	if (need == VR_INDICATION_TARGET)
		return FALSE;
	/* an exercise the patient has done was chosen for them: their programme stays */
	return c->tried != NULL || vr_goal_hits (c->item, p)
	       || vr_region_in (c->item, record_regions);
}

static void
vr_history_view_clear (VrHistoryView *h)
{
	g_hash_table_unref (h->tried);
}

/* every candidate through the filter; the safe ones scored, the others kept with reasons */
static void
vr_sort_candidates (const VrCatalog *cat,
		    const VrPatient *p,
		    GPtrArray *history,
		    GHashTable *all,
		    GPtrArray *safe,
		    GPtrArray *excluded,
		    VrComfort tolerance,
		    gboolean include_excluded)
{
	guint triggered = vr_contra_triggered (p);
	g_autoptr (GHashTable) sickening = vr_sickening_items (history);
	gboolean why = include_excluded;

	for (guint k = 0; k < cat->items->len + p->extra_items->len; k++) {
		const VrItem *item = k < cat->items->len ? g_ptr_array_index (cat->items, k)
							 : g_ptr_array_index (p->extra_items,
									      k - cat->items->len);
		VrCandidate *c = g_new0 (VrCandidate, 1);
		gboolean ok;
		c->item = item;
		if (why)
			c->reasons
				= g_ptr_array_new_with_free_func ((GDestroyNotify)g_variant_unref);
		g_hash_table_insert (all, item->id, (gpointer)item);
		ok = vr_filter_item (item, p, triggered, tolerance, c->reasons);
		if (g_hash_table_contains (sickening, item->id)) {
			vr_add_reason (c, "caused-cybersickness",
				       "You reported severe cybersickness with this content",
				       "您曾报告此内容引起严重晕动症");
			ok = FALSE;
		}
		g_ptr_array_add (ok ? safe : excluded, c);
	}
}

GVariant *
vr_recommend (const VrCatalog *cat,
	      const VrPatient *p,
	      GPtrArray *history,
	      const VrModel *model,
	      const VrOptions *options)
{
	VrComfort tolerance = vr_tolerance_after (p->tolerance, history);
	g_autoptr (GPtrArray) safe
		= g_ptr_array_new_with_free_func ((GDestroyNotify)vr_candidate_free);
	g_autoptr (GPtrArray) excluded
		= g_ptr_array_new_with_free_func ((GDestroyNotify)vr_candidate_free);
	g_autoptr (GHashTable) all = g_hash_table_new (g_str_hash, g_str_equal);
	g_autoptr (GPtrArray) ranked = g_ptr_array_new ();
	g_autoptr (GPtrArray) top = NULL;
	g_auto (GVariantBuilder) notes = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("aa{sv}"));
	g_auto (GVariantBuilder) items = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("aa{sv}"));
	g_auto (GVariantBuilder) out = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
	g_autoptr (GHashTable) record_regions = vr_record_regions (cat, p);
	VrHistoryView h;
	gboolean cold = history->len == 0;
	guint triggered = vr_contra_triggered (p);
	/* an item playable either way is said to be played seated when standing is not safe */
	gboolean seated
		= vr_patient_seated (p) || (triggered & (1u << VR_CONTRA_VESTIBULAR_DISORDER)) != 0;

	vr_sort_candidates (cat, p, history, all, safe, excluded, tolerance,
			    options->include_excluded);
	vr_history_view_init (&h, history, all, &notes);
	for (guint i = 0; i < safe->len; i++) {
		VrCandidate *c = g_ptr_array_index (safe, i);
		if (options->exclude != NULL
		    && g_strv_contains ((const gchar *const *)options->exclude, c->item->id))
			continue;
		g_clear_pointer (&c->reasons, g_ptr_array_unref);
		c->tried = g_hash_table_lookup (h.tried, c->item->id);
		if (!vr_indicated (c, p, options, record_regions))
			continue;
		vr_score (c, p, model, &h, cold, options->seed);
		g_ptr_array_add (ranked, c);
	}
	g_ptr_array_sort (ranked, vr_candidate_cmp);
	top = vr_diversify (ranked, options->limit);
	/* the reasons of what is shown: scored again, the same way, now saying why */
	for (guint i = 0; i < top->len; i++) {
		VrCandidate *c = g_ptr_array_index (top, i);
		c->reasons = g_ptr_array_new_with_free_func ((GDestroyNotify)g_variant_unref);
		/* first reason of every item: it passed the filter */
		vr_add_reason (c, "safety-checked",
			       "Checked against your conditions, age, comfort tolerance and limits",
			       "已根据您的疾病、年龄、晕动耐受度和运动限制进行安全检查");
		if (c->item->posture == VR_POSTURE_EITHER && seated)
			vr_add_reason (c, "play-seated", "Play it seated", "请坐着进行");
		vr_score (c, p, model, &h, cold, options->seed);
	}
	vr_history_view_clear (&h);
	for (guint i = 0; i < top->len; i++)
		g_variant_builder_add_value (
			&items, vr_candidate_variant (g_ptr_array_index (top, i), p->language));
	g_variant_builder_add (&out, "{sv}", "items", g_variant_builder_end (&items));
	if (options->include_excluded) {
		g_auto (GVariantBuilder) ex = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("aa{sv}"));
		for (guint i = 0; i < excluded->len; i++)
			g_variant_builder_add_value (
				&ex, vr_excluded_variant (g_ptr_array_index (excluded, i)));
		g_variant_builder_add (&out, "{sv}", "excluded", g_variant_builder_end (&ex));
	}
	g_variant_builder_add (&out, "{sv}", "comfort_tolerance",
			       g_variant_new_string (vr_comforts[tolerance]));
	g_variant_builder_add (&out, "{sv}", "cold_start", g_variant_new_boolean (cold));
	g_variant_builder_add (&out, "{sv}", "notes", g_variant_builder_end (&notes));
	g_variant_builder_add (&out, "{sv}", "notices", vr_notices (p, triggered));
	return g_variant_builder_end (&out);
}
