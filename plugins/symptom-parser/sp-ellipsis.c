/*
 * symptom-parser — a condition named by what is left of it (issue 11, round 7): patients who
 * live with diabetes call it by its type alone ("Type 2 for 8 yrs", "got diagnosed with type 1
 * at 12", "my type 2 is all over the place").  A bare "type 1" / "type 2" is that diabetes when
 * the text speaks of diabetes care elsewhere (insulin, metformin, sugars, HbA1c, a glucose
 * sensor…), and stands where a noun would end the phrase; "Mobitz type 2", "Bristol type 6",
 * "type 2 respiratory failure" stay what they are.
 */
#define G_LOG_DOMAIN "symptom-parser"

#include "sp-ctx.h"

#include <string.h>

/* words of diabetes care: one of them anywhere in the text makes a bare type the diabetes */
static const gchar *const sp_diabetes_context[] = {
	"insulin",	 "metformin",	  "sugar",	 "sugars",
	"glucose",	 "a1c",		  "hba1c",	 "cgm",
	"libre",	 "dexcom",	  "diabetic",	 "diabetes",
	"ozempic",	 "semaglutide",	  "gliclazide",	 "hypo",
	"hypos",	 "bgl",		  "bg",		 "jardiance",
	"empagliflozin", "dapagliflozin", "sitagliptin", "pump",
	"diabete",	 "hypo",	  NULL,
};

/* what may follow the type: the end of a phrase, not a noun it qualifies */
static const gchar *const sp_after_type[] = {
	"for",	 "since",  "last", "in",  "diagnosed", "and",  "but", "with",  "on",
	"now",	 "too",	   "here", "as",  "at",	       "when", "so",  "after", "until",
	"my",	 "i",	   "is",   "was", "dx",	       "x",    "yrs", "years", "year",
	"since", "myself", "mum",  "mom", "dad",       NULL,
};

/* what may stand before it: a verb of having or diagnosis, or nothing ("Type 1 since I was 12") */
static const gchar *const sp_before_type[] = {
	"with",	     "have", "has",   "had",   "am",   "im",  "is",   "was",
	"diagnosed", "dx",   "got",   "known", "of",   "my",  "his",  "her",
	"a",	     "the",  "being", "been",  "also", "and", "also", NULL,
};

static gboolean
sp_unit_word (const GArray *units, const GString *keys, guint i)
{
	const gchar *k = keys->str + g_array_index (units, SpUnit, i).key;
	return g_ascii_isalpha (k[0]);
}

static gboolean
sp_unit_in (const GArray *units, const GString *keys, guint i, const gchar *const *words)
{
	return g_strv_contains (words, keys->str + g_array_index (units, SpUnit, i).key);
}

void
sp_match_bare_type (SpCtx *ctx, GArray *units, GString *keys)
{
	const SpLexicon *lex = ctx->parser->lexicon;
	gboolean context = FALSE;

	/* most texts have no "type": look for it first, for the diabetes words only then */
	for (guint i = 0; i < units->len && !context; i++)
		context = strcmp (keys->str + g_array_index (units, SpUnit, i).key, "type") == 0;
	if (!context)
		return;
	context = FALSE;
	for (guint i = 0; i < units->len && !context; i++)
		context = sp_unit_in (units, keys, i, sp_diabetes_context);
	if (!context)
		return;
	for (guint i = 0; i + 1 < units->len; i++) {
		const gchar *type = keys->str + g_array_index (units, SpUnit, i).key;
		const gchar *n = keys->str + g_array_index (units, SpUnit, i + 1).key;
		const gchar *term;
		gpointer packed;
		if (strcmp (type, "type") != 0)
			continue;
		if (strcmp (n, "1") == 0 || strcmp (n, "one") == 0 || strcmp (n, "i") == 0)
			term = "type 1 diabetes";
		else if (strcmp (n, "2") == 0 || strcmp (n, "two") == 0 || strcmp (n, "ii") == 0)
			term = "type 2 diabetes";
		else
			continue;
		if (i + 2 < units->len && sp_unit_word (units, keys, i + 2)
		    && !sp_unit_in (units, keys, i + 2, sp_after_type))
			continue;
		if (i > 0 && sp_unit_word (units, keys, i - 1)
		    && !sp_unit_in (units, keys, i - 1, sp_before_type))
			continue;
		{
			/* the lexicon's key of the term, stemmed as its loader stems it */
			g_autofree gchar *key = sp_en_phrase_key (term, NULL);
			packed = key != NULL ? g_hash_table_lookup (lex->en_concepts, key) : NULL;
		}
		if (packed != NULL)
			sp_add_term (ctx, packed, g_array_index (units, SpUnit, i).start,
				     g_array_index (units, SpUnit, i + 1).end);
	}
}
