/*
 * plan-generator core — triage: the red flags a context raises, most urgent first, and the
 * list of loaded rules (pg-plan.h).
 *
 * A flag is evaluated on the findings and readings after the clinician's last clearing; an
 * uncertain finding raises its flag worded as possible; a flag that covers another (chest
 * pain with breathlessness covers chest pain) hides it unless the covered one is more
 * certain.
 */
#define G_LOG_DOMAIN "plan-generator"

#include "pg-plan-private.h"

#include <string.h>

void
pg_flag_hit_free (PgFlagHit *h)
{
	if (h == NULL)
		return;
	g_ptr_array_unref (h->codes);
	g_free (h);
}

static gint
pg_flag_hit_compare (gconstpointer a, gconstpointer b)
{
	const PgFlagHit *x = *(PgFlagHit *const *)a;
	const PgFlagHit *y = *(PgFlagHit *const *)b;
	gint lx = g_strcmp0 (x->flag->level, "emergency") == 0 ? 0 : 1;
	gint ly = g_strcmp0 (y->flag->level, "emergency") == 0 ? 0 : 1;

	if (lx != ly)
		return lx - ly;
	return (gint)y->certainty - (gint)x->certainty;
}

GPtrArray *
pg_triage_hits (const PgRuleSet *set, const PgContext *ctx)
{
	g_autoptr (GPtrArray) hits
		= g_ptr_array_new_with_free_func ((GDestroyNotify)pg_flag_hit_free);
	GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify)pg_flag_hit_free);
	g_autofree gboolean *hidden = NULL;

	for (guint i = 0; i < set->red_flags->len; i++) {
		const PgRedFlag *f = g_ptr_array_index (set->red_flags, i);
		g_autoptr (GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);
		PgMatch m = pg_pred_eval (f->when, ctx,
					  ctx->red_flags_cleared_at != NULL
						  ? ctx->red_flags_cleared_at
						  : ctx->red_flags_cleared_on,
					  codes);
		PgFlagHit *h;
		if (m == PG_MATCH_NO)
			continue;
		h = g_new0 (PgFlagHit, 1);
		h->flag = f;
		h->certainty = m;
		h->codes = g_steal_pointer (&codes);
		g_ptr_array_add (hits, h);
	}
	/* a flag that covers another (chest pain with breathlessness covers chest pain) hides
	 * it, unless the covered one is more certain */
	hidden = g_new0 (gboolean, hits->len + 1);
	for (guint i = 0; i < hits->len; i++) {
		const PgFlagHit *h = g_ptr_array_index (hits, i);
		for (guint j = 0; j < hits->len && !hidden[i]; j++) {
			const PgFlagHit *o = g_ptr_array_index (hits, j);
			hidden[i] = o->flag->overrides != NULL && o->certainty >= h->certainty
				    && g_strv_contains ((const gchar *const *)o->flag->overrides,
							h->flag->id);
		}
	}
	for (guint i = 0; i < hits->len; i++) {
		if (!hidden[i])
			g_ptr_array_add (out, g_steal_pointer (&hits->pdata[i]));
	}
	g_ptr_array_sort (out, pg_flag_hit_compare);
	return out;
}

static GVariant *
pg_flag_to_variant (const PgFlagHit *h, PgLang lang)
{
	GVariantDict d;
	gboolean possible = h->certainty == PG_MATCH_POSSIBLE;
	const gchar *title = pg_text_get (&h->flag->title, lang);
	const gchar *instruction = pg_text_get (&h->flag->instruction, lang);
	g_autofree gchar *t = NULL;
	g_autofree gchar *ins = NULL;
	g_autofree const gchar **codes = g_new0 (const gchar *, h->codes->len + 1);

	/* an uncertain finding still raises the flag, said as uncertain, never dropped */
	if (lang == PG_LANG_ZH) {
		t = possible ? g_strdup_printf ("可能：%s", title) : g_strdup (title);
		ins = possible ? g_strdup_printf ("记录中提到可能有这种情况。为安全起见：%s",
						  instruction)
			       : g_strdup (instruction);
	} else {
		t = possible ? g_strdup_printf ("Possible: %s", title) : g_strdup (title);
		ins = possible ? g_strdup_printf ("Your note says this may be happening. To be "
						  "safe: %s",
						  instruction)
			       : g_strdup (instruction);
	}
	for (guint i = 0; i < h->codes->len; i++)
		codes[i] = g_ptr_array_index (h->codes, i);
	g_variant_dict_init (&d, NULL);
	g_variant_dict_insert (&d, "id", "s", h->flag->id);
	g_variant_dict_insert (&d, "level", "s", h->flag->level);
	g_variant_dict_insert (&d, "certainty", "s", possible ? "possible" : "present");
	g_variant_dict_insert (&d, "title", "s", t);
	g_variant_dict_insert (&d, "instruction", "s", ins);
	g_variant_dict_insert (&d, "findings", "^as", codes);
	g_variant_dict_insert (&d, "source", "s", h->flag->source.citation);
	return g_variant_dict_end (&d);
}

GVariant *
pg_flags_to_variant (GPtrArray *hits, PgLang lang)
{
	GVariantBuilder b;

	g_variant_builder_init (&b, G_VARIANT_TYPE ("aa{sv}"));
	for (guint i = 0; i < hits->len; i++)
		g_variant_builder_add_value (
			&b, pg_flag_to_variant (g_ptr_array_index (hits, i), lang));
	return g_variant_builder_end (&b);
}

GVariant *
pg_triage (const PgRuleSet *set, const PgContext *ctx)
{
	g_autoptr (GPtrArray) hits = pg_triage_hits (set, ctx);

	return pg_flags_to_variant (hits, ctx->lang);
}

GVariant *
pg_rules_describe (const PgRuleSet *set)
{
	GVariantBuilder b;

	g_variant_builder_init (&b, G_VARIANT_TYPE ("aa{sv}"));
	for (guint pass = 0; pass < 2; pass++) {
		GPtrArray *list = pass == 0 ? set->red_flags : set->rules;
		for (guint i = 0; i < list->len; i++) {
			GVariantDict d;
			const PgText *title;
			const PgSource *src;
			const gchar *id;
			if (pass == 0) {
				const PgRedFlag *f = g_ptr_array_index (list, i);
				id = f->id, title = &f->title, src = &f->source;
			} else {
				const PgRule *r = g_ptr_array_index (list, i);
				id = r->id, title = &r->title, src = &r->source;
			}
			g_variant_dict_init (&d, NULL);
			g_variant_dict_insert (&d, "kind", "s", pass == 0 ? "red_flag" : "rule");
			g_variant_dict_insert (&d, "id", "s", id);
			g_variant_dict_insert (&d, "title_en", "s", title->en);
			g_variant_dict_insert (&d, "title_zh", "s", title->zh);
			g_variant_dict_insert (&d, "source", "s", src->citation);
			g_variant_dict_insert (
				&d, "file", "s",
				pass == 0 ? "red-flags.json"
					  : ((const PgRule *)g_ptr_array_index (list, i))->file);
			g_variant_builder_add_value (&b, g_variant_dict_end (&d));
		}
	}
	return g_variant_builder_end (&b);
}
