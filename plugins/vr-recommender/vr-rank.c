/*
 * vr-recommender core — Recommend: the safety filter over every candidate, then the ranking
 * of what passed (content match, the model's collaborative signal, popularity, novelty), a
 * category cap for diversity, and the reasons of every item in both languages (README,
 * "Ranking").  Pure: the same input and seed give the same answer.
 */
#define G_LOG_DOMAIN "vr-recommender"

#include <math.h>
#include <string.h>

#include "vr-core.h"

/* at most this many items of one category in the top 10 (README, "Diversity") */
#define VR_CATEGORY_CAP 3
#define VR_RECENT_DAYS 7

/* the weights of the ranking (README, "Ranking") */
#define VR_W_CONTENT 0.5
#define VR_W_COLLAB 0.35
#define VR_W_POPULARITY 0.15
#define VR_COLD_CONTENT 0.7
#define VR_COLD_POPULARITY 0.3
#define VR_EXPLORATION 0.05
#define VR_PENALTY_RECENT 0.3
#define VR_PENALTY_DONE 0.1

typedef struct {
	const VrItem *item;
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
	GHashTable *confidence; /* content id -> gdouble*: log(1 + sum of signals), > 0 only */
	GHashTable *last_days;	/* content id -> GINT_TO_POINTER (days before the latest + 1) */
	gdouble total;
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
	/* ICD10:I63 targets every stroke code under it */
	return g_str_has_prefix (c, t) && (c[strlen (t)] == '\0' || c[strlen (t)] == '.');
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

static void
vr_add_reason (VrCandidate *c, const gchar *code, const gchar *en, const gchar *zh)
{
	if (c->reasons != NULL)
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
	gpointer id, conf;
	gdouble sum = 0;

	if (h->total <= 0)
		return 0;
	g_hash_table_iter_init (&it, h->confidence);
	while (g_hash_table_iter_next (&it, &id, &conf)) {
		VrModelItem *mi = g_hash_table_lookup (model->items, id);
		gdouble *w = mi != NULL ? g_hash_table_lookup (mi->neighbours, item->id) : NULL;
		if (w != NULL)
			sum += *(gdouble *)conf * *w;
	}
	return sum / h->total;
}

static gdouble
vr_novelty_penalty (VrCandidate *c, const VrHistoryView *h)
{
	gint days = GPOINTER_TO_INT (g_hash_table_lookup (h->last_days, c->item->id));

	if (days == 0)
		return 0;
	if (days - 1 < VR_RECENT_DAYS) {
		vr_add_reason (c, "done-recently", "You did this in the last 7 days: ranked lower",
			       "您在最近 7 天内做过此项：排序靠后");
		return VR_PENALTY_RECENT;
	}
	return VR_PENALTY_DONE;
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
	gdouble collab = 0, pop = mi != NULL ? mi->popularity : 0;

	if (g_hash_table_size (model->items) > 0 && mi == NULL) {
		/* a new item: no one used it yet, content only and a small bonus to try it */
		c->score = VR_COLD_CONTENT * content
			   + VR_EXPLORATION * vr_hash_unit (seed, c->item->id);
		vr_add_reason (c, "new-content", "New in the catalog: suggested to try",
			       "目录中的新内容，推荐尝试");
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
	if (pop >= 0.2 && mi != NULL)
		vr_add_reason (c, "popular", "Often completed by other patients of your clinic",
			       "本诊所其他患者经常完成此项");
	c->score -= vr_novelty_penalty (c, h);
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

/* a category cap: at most 3 of a category in the top 10, at most 3 per 10 places overall;
 * strict, so a list may come out shorter than its limit (README, "Diversity") */
static GPtrArray *
vr_diversify (GPtrArray *ranked, guint limit)
{
	GPtrArray *out = g_ptr_array_new ();
	guint counts[16] = { 0 }; /* more than the nine categories */
	guint overall = VR_CATEGORY_CAP * ((limit + 9) / 10);
	g_autofree gboolean *taken = g_new0 (gboolean, ranked->len + 1);

	for (guint pass = 0; pass < 2; pass++) {
		guint cap = pass == 0 ? VR_CATEGORY_CAP : overall;
		guint until = pass == 0 ? MIN (limit, 10u) : limit;
		for (guint i = 0; i < ranked->len && out->len < until; i++) {
			VrCandidate *c = g_ptr_array_index (ranked, i);
			if (taken[i] || counts[c->item->category] >= cap)
				continue;
			taken[i] = TRUE;
			counts[c->item->category]++;
			g_ptr_array_add (out, c);
		}
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
vr_history_view_init (VrHistoryView *h,
		      GPtrArray *history,
		      GHashTable *known,
		      GVariantBuilder *notes)
{
	const GDate *latest = NULL;
	GHashTableIter it;
	gpointer id, sum;

	h->confidence = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
	h->last_days = g_hash_table_new (g_str_hash, g_str_equal);
	h->total = 0;
	for (guint i = 0; i < history->len; i++) {
		const VrSession *s = g_ptr_array_index (history, i);
		if (latest == NULL || g_date_compare (&s->date, latest) > 0)
			latest = &s->date;
	}
	for (guint i = 0; i < history->len; i++) {
		const VrSession *s = g_ptr_array_index (history, i);
		gdouble *c;
		gint days, prev;
		if (!g_hash_table_contains (known, s->content_id)) {
			g_autofree gchar *field = g_strdup_printf ("/history/%u/content_id", i);
			g_auto (GVariantBuilder) n
				= G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
			g_variant_builder_add (&n, "{sv}", "code",
					       g_variant_new_string ("unknown-content"));
			g_variant_builder_add (&n, "{sv}", "field", g_variant_new_string (field));
			g_variant_builder_add (
				&n, "{sv}", "en",
				g_variant_new_string ("Not in the catalog: ignored for ranking; a "
						      "cybersickness report still counts"));
			g_variant_builder_add (
				&n, "{sv}", "zh",
				g_variant_new_string (
					"不在目录中：排序时忽略；晕动症报告仍然计入"));
			g_variant_builder_add_value (notes, g_variant_builder_end (&n));
			continue;
		}
		c = g_hash_table_lookup (h->confidence, s->content_id);
		if (c == NULL) {
			c = g_new0 (gdouble, 1);
			g_hash_table_insert (h->confidence, s->content_id, c);
		}
		*c += (s->completed ? 1.0 : 0.3) + (s->rating > 0 ? (s->rating - 3.0) / 2.0 : 0)
		      - (s->sickness == 3   ? 1.0
			 : s->sickness == 2 ? 0.5
					    : 0);
		days = g_date_days_between (&s->date, latest) + 1;
		prev = GPOINTER_TO_INT (g_hash_table_lookup (h->last_days, s->content_id));
		if (prev == 0 || days < prev)
			g_hash_table_insert (h->last_days, s->content_id, GINT_TO_POINTER (days));
	}
	g_hash_table_iter_init (&it, h->confidence);
	while (g_hash_table_iter_next (&it, &id, &sum)) {
		gdouble *v = sum;
		*v = *v > 0 ? log1p (*v) : 0;
		h->total += *v;
	}
}

static void
vr_history_view_clear (VrHistoryView *h)
{
	g_hash_table_unref (h->confidence);
	g_hash_table_unref (h->last_days);
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
	VrHistoryView h;
	gboolean cold = history->len == 0;

	vr_sort_candidates (cat, p, history, all, safe, excluded, tolerance,
			    options->include_excluded);
	vr_history_view_init (&h, history, all, &notes);
	for (guint i = 0; i < safe->len; i++) {
		VrCandidate *c = g_ptr_array_index (safe, i);
		if (options->exclude != NULL
		    && g_strv_contains ((const gchar *const *)options->exclude, c->item->id))
			continue;
		g_clear_pointer (&c->reasons, g_ptr_array_unref);
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
	return g_variant_builder_end (&out);
}
