/*
 * The compiled lexicon of the real data directory (SP_REAL_DATA_DIR): what sp-lexicon-compile
 * made of the curated files and the terminologies (merges, kinds, xrefs, filters), and what it
 * costs the plugin to load (heap, CPU time).
 */
#include <criterion/criterion.h>
#include <glib.h>
#include <string.h>
#include <sys/resource.h>

#include "heap-meter.h"
#include "sp-lexicon.h"

/* The bounds: the loaded lexicon uses at most 64 MB (10^6 bytes, as the issue and the
 * bench count) and loads in at most 0.5 s. */
#define MAX_LEXICON_HEAP (64u * 1000u * 1000u)
#define MAX_LOAD_CPU_SECONDS 0.5

static SpLexicon *lex;

static void
setup (void)
{
	g_autoptr (GError) error = NULL;
	const gchar *dir = g_getenv ("SP_REAL_DATA_DIR");

	cr_assert_not_null (dir, "SP_REAL_DATA_DIR is not set");
	lex = sp_lexicon_new_from_dir (dir, &error);
	cr_assert_not_null (lex, "%s", error != NULL ? error->message : "");
}

static void
teardown (void)
{
	g_clear_pointer (&lex, sp_lexicon_free);
}

TestSuite (lexicon, .init = setup, .fini = teardown);

/* The concept an English phrase (already a lexicon key: lowercase, singular) or a Chinese term
 * names, or NULL. */
static const SpConcept *
concept_of (const gchar *key, gboolean zh)
{
	gpointer v = g_hash_table_lookup (zh ? lex->zh_concepts : lex->en_concepts, key);
	SpTerm term;
	gboolean negated;

	if (v == NULL)
		return NULL;
	sp_term_unpack (v, &term, &negated);
	return term.kind == SP_TERM_CONCEPT ? g_ptr_array_index (lex->concepts, term.index) : NULL;
}

static gboolean
has_xref (const SpConcept *c, const gchar *code)
{
	return g_strv_contains ((const gchar *const *)c->xrefs, code);
}

static void
assert_concept (const gchar *key, gboolean zh, const gchar *code, SpConceptKind kind)
{
	const SpConcept *c = concept_of (key, zh);

	cr_assert_not_null (c, "'%s' is not a term", key);
	cr_assert_str_eq (c->code, code, "'%s' is %s, expected %s", key, c->code, code);
	cr_assert_eq (c->kind, kind, "'%s' is a %s, expected a %s", key,
		      sp_concept_kind_to_string (c->kind), sp_concept_kind_to_string (kind));
}

Test (lexicon, curated_terms_win_and_keep_their_codes)
{
	const SpConcept *htn, *temp;

	assert_concept ("htn", FALSE, "HP:0000822", SP_CONCEPT_CONDITION);
	assert_concept ("高血压病", TRUE, "HP:0000822", SP_CONCEPT_CONDITION);
	assert_concept ("t2dm", FALSE, "HP:0005978", SP_CONCEPT_CONDITION);
	assert_concept ("心梗", TRUE, "HP:0001658", SP_CONCEPT_CONDITION);
	assert_concept ("mini stroke", FALSE, "HP:0002326", SP_CONCEPT_CONDITION);
	assert_concept ("慢阻肺", TRUE, "DOID:3083", SP_CONCEPT_CONDITION);
	assert_concept ("cp", FALSE, "HP:0100749", SP_CONCEPT_SYMPTOM);
	assert_concept ("红疹", TRUE, "HP:0000988", SP_CONCEPT_SYMPTOM);
	assert_concept ("不爱吃饭", TRUE, "HP:0002039", SP_CONCEPT_SYMPTOM);
	htn = concept_of ("hypertension", FALSE);
	cr_assert (htn->chronic, "hypertension is not flagged chronic");
	/* the curated concept gets the xrefs of the terminology concepts it equals */
	cr_assert (has_xref (htn, "DOID:10763") && has_xref (htn, "ICD10CM:I10"),
		   "hypertension lacks its DO and ICD-10-CM xrefs");
	/* a measurement name is not a symptom term any more (measurements.tsv defines it) */
	temp = concept_of ("temp", FALSE);
	cr_assert (temp == NULL || g_strcmp0 (temp->code, "HP:0001945") != 0,
		   "'temp' still means fever");
}

Test (lexicon, afebrile_says_fever_is_absent)
{
	gpointer v = g_hash_table_lookup (lex->en_concepts, "afebrile");
	SpTerm term;
	gboolean negated = FALSE;

	cr_assert_not_null (v, "'afebrile' is not a term");
	sp_term_unpack (v, &term, &negated);
	cr_assert (negated, "'afebrile' does not say the concept is absent");
	cr_assert_str_eq (((SpConcept *)g_ptr_array_index (lex->concepts, term.index))->code,
			  "HP:0001945");
}

Test (lexicon, terminologies_are_merged_by_label)
{
	const SpConcept *asthma = concept_of ("asthma", FALSE);
	const SpConcept *c;

	/* HPO "Asthma" + DO "asthma": one concept, HPO code, DO and ICD-10-CM xrefs */
	cr_assert_str_eq (asthma->code, "HP:0002099");
	cr_assert (has_xref (asthma, "DOID:2841"), "asthma lacks DOID:2841");
	/* an HPO phenotype only: a symptom with its official Chinese label as a term */
	assert_concept ("photophobia", FALSE, "HP:0000613", SP_CONCEPT_SYMPTOM);
	assert_concept ("睾丸萎缩", TRUE, "HP:0000029", SP_CONCEPT_SYMPTOM);
	/* HPO and DO agree: a condition */
	assert_concept ("cholangitis", FALSE, "HP:0030151", SP_CONCEPT_CONDITION);
	/* DO only: a condition coded DOID, with its ICD-10-CM xref */
	c = concept_of ("brucellosis", FALSE);
	cr_assert_not_null (c, "brucellosis (DO) is not a term");
	cr_assert (g_str_has_prefix (c->code, "DOID:"), "brucellosis is %s", c->code);
	cr_assert_eq (c->kind, SP_CONCEPT_CONDITION);
	/* SYMP only ever adds xrefs and exact synonyms: SYMP:0000001 "abdominal cramp" (exact
	 * synonym "stomach cramp") is the curated Abdominal cramps */
	c = concept_of ("stomach cramp", FALSE);
	cr_assert_not_null (c, "SYMP's exact synonym 'stomach cramp' is not a term");
	cr_assert_str_eq (c->code, "HP:0032155");
	cr_assert (has_xref (c, "SYMP:0000001"), "Abdominal cramps lacks SYMP:0000001");
	for (guint i = 0; i < lex->concepts->len; i++) {
		const SpConcept *k = g_ptr_array_index (lex->concepts, i);
		cr_assert (!g_str_has_prefix (k->code, "SYMP:"), "%s is a primary code", k->code);
	}
}

Test (lexicon, noise_is_filtered)
{
	/* HPO roots and non-phenotype branches, modifiers, grouping labels, common words, one
	 * Chinese character, DO groupings, composite findings, lab-value phrasing */
	const gchar *const en[] = { "all",
				    "progressive",
				    "adult onset",
				    "autosomal dominant inheritance",
				    "abnormality of the hand",
				    "bilateral",
				    "severe",
				    "disease",
				    "syndrome",
				    "tall",
				    "nausea and vomiting",
				    "penicillin allergy",
				    "increased circulating renin concentration",
				    NULL };
	const gchar *const zh[] = { "所有词汇", "癌", "进行性", "重度", "点头", "恶心呕吐", NULL };

	for (guint i = 0; en[i] != NULL; i++)
		cr_assert_null (concept_of (en[i], FALSE), "'%s' is a term of %s", en[i],
				concept_of (en[i], FALSE)->code);
	for (guint i = 0; zh[i] != NULL; i++)
		cr_assert_null (concept_of (zh[i], TRUE), "'%s' is a term of %s", zh[i],
				concept_of (zh[i], TRUE)->code);
}

Test (lexicon, sizes_per_kind)
{
	guint kinds[SP_CONCEPT_LAST] = { 0 };

	for (guint i = 0; i < lex->concepts->len; i++)
		kinds[((SpConcept *)g_ptr_array_index (lex->concepts, i))->kind]++;
	/* the scale of the terminologies, not a hand list */
	cr_assert_geq (kinds[SP_CONCEPT_SYMPTOM], 10000, "%u symptoms", kinds[SP_CONCEPT_SYMPTOM]);
	cr_assert_geq (kinds[SP_CONCEPT_CONDITION], 10000, "%u conditions",
		       kinds[SP_CONCEPT_CONDITION]);
	cr_assert_geq (g_hash_table_size (lex->zh_concepts), 15000, "%u Chinese terms",
		       g_hash_table_size (lex->zh_concepts));
}

/* A Chinese label written "X功能障碍/功能异常" or "肺发育缺陷/不全" gives the whole alternative
 * (X功能异常, 肺发育不全), never the fragment after the slash as a term of some concept. */
Test (lexicon, label_fragments_are_completed)
{
	const gchar *const fragments[] = { "功能异常", "发育不全", "不全", "退化", "缩短", NULL };

	for (guint i = 0; fragments[i] != NULL; i++)
		cr_assert_null (concept_of (fragments[i], TRUE), "'%s' is a term of %s",
				fragments[i], concept_of (fragments[i], TRUE)->code);
	/* 上运动神经元功能障碍/功能异常 */
	assert_concept ("上运动神经元功能异常", TRUE, "HP:0002493", SP_CONCEPT_SYMPTOM);
	/* 肺发育缺陷/不全 */
	cr_assert_not_null (concept_of ("肺发育不全", TRUE), "'肺发育不全' is not a term");
}

/* Everyday Chinese words an HPO label would make a term of (vocab-filter.tsv), and colloquial
 * names of curated diseases that win over them (糖尿 is diabetes as people say it). */
Test (lexicon, everyday_chinese_words_are_not_findings)
{
	const gchar *const words[] = { "赘肉", "应激", "白发", "猫叫", NULL };

	for (guint i = 0; words[i] != NULL; i++)
		cr_assert_null (concept_of (words[i], TRUE), "'%s' is a term of %s", words[i],
				concept_of (words[i], TRUE)->code);
	assert_concept ("糖尿", TRUE, "HP:0000819", SP_CONCEPT_CONDITION);
	assert_concept ("肺心病", TRUE, "HP:0001648", SP_CONCEPT_CONDITION);
	assert_concept ("脑供血不足", TRUE, "HP:0002637", SP_CONCEPT_CONDITION);
}

/* The terminologies spell the American way; every English term also has its British spelling,
 * on the same concept, and a word that only looks like one keeps its meaning. */
Test (lexicon, british_spellings)
{
	const gchar *const pairs[][2] = {
		{ "haemoptysis", "hemoptysis" },
		{ "anaemia", "anemia" },
		{ "pernicious anaemia", "pernicious anemia" },
		{ "hypoglycaemia", "hypoglycemia" },
		{ "ischaemic stroke", "ischemic stroke" },
		{ "oesophagitis", "esophagitis" },
		{ "coeliac disease", "celiac disease" },
		{ "haematuria", "hematuria" },
		{ "leukaemia", "leukemia" },
	};

	for (guint i = 0; i < G_N_ELEMENTS (pairs); i++) {
		const SpConcept *gb = concept_of (pairs[i][0], FALSE);
		const SpConcept *us = concept_of (pairs[i][1], FALSE);
		cr_assert_not_null (us, "'%s' is not a term", pairs[i][1]);
		cr_assert_not_null (gb, "'%s' is not a term", pairs[i][0]);
		cr_assert_str_eq (gb->code, us->code, "'%s' is %s, '%s' %s", pairs[i][0], gb->code,
				  pairs[i][1], us->code);
	}
	/* hemi- (half) and chemo- are no haem- */
	cr_assert_null (concept_of ("haemiplegia", FALSE));
	cr_assert_not_null (concept_of ("hemiplegia", FALSE));
}

/* A staged chronic kidney disease is its stage's concept, with chronic kidney disease (the code
 * a coder also accepts) as its xref; end-stage renal disease too. */
Test (lexicon, kidney_disease_stages)
{
	const SpConcept *c = concept_of ("ckd 3b", FALSE);

	cr_assert_not_null (c, "'ckd 3b' is not a term");
	cr_assert_str_eq (c->code, "HP:0012625");
	cr_assert (has_xref (c, "HP:0012622") && has_xref (c, "DOID:784"));
	assert_concept ("慢性肾病3期", TRUE, "HP:0012625", SP_CONCEPT_CONDITION);
	assert_concept ("ckd stage 4", FALSE, "HP:0012626", SP_CONCEPT_CONDITION);
	c = concept_of ("esrd", FALSE);
	cr_assert_not_null (c);
	cr_assert (has_xref (c, "HP:0012622"), "ESRD lacks the CKD xref");
}

static gdouble
cpu_seconds (void)
{
	struct rusage u;

	getrusage (RUSAGE_SELF, &u);
	return (gdouble)(u.ru_utime.tv_sec + u.ru_stime.tv_sec)
	       + (gdouble)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

/* The matchers walk the term prefixes as fingerprints (sp-prefix-set.h), where a false yes costs
 * only a lookup and changes no match; a false no would lose a term.  So every key of every term
 * table must be found there with its table's flag, and every prefix of one (whole English
 * units, Chinese characters) as a prefix, in both languages. */
static void
check_table (const SpPrefixSet *set, GHashTable *table, guint t, gboolean zh)
{
	GHashTableIter iter;
	gpointer key;

	g_hash_table_iter_init (&iter, table);
	while (g_hash_table_iter_next (&iter, &key, NULL)) {
		const gchar *k = key;
		guint got = sp_prefix_set_get (set, k, strlen (k));
		cr_assert_eq (got & (SP_PREFIX_ANY | SP_PREFIX_WHOLE (t)),
			      SP_PREFIX_ANY | SP_PREFIX_WHOLE (t), "\"%s\": %#x", k, got);
		for (const gchar *p = zh ? g_utf8_next_char (k) : strchr (k, ' ');
		     p != NULL && *p != '\0'; p = zh ? g_utf8_next_char (p) : strchr (p + 1, ' '))
			cr_assert (sp_prefix_set_get (set, k, (gsize)(p - k)) & SP_PREFIX_ANY,
				   "prefix of \"%s\"", k);
	}
}

Test (lexicon, prefix_fingerprints_hold_every_term_and_prefix)
{
	check_table (lex->en_prefixes, lex->en_concepts, 0, FALSE);
	check_table (lex->en_prefixes, lex->en_sites, 1, FALSE);
	check_table (lex->en_prefixes, lex->en_cues, 2, FALSE);
	check_table (lex->zh_prefix_prints, lex->zh_concepts, 0, TRUE);
	check_table (lex->zh_prefix_prints, lex->zh_sites, 1, TRUE);
	check_table (lex->zh_prefix_prints, lex->zh_cues, 2, TRUE);
	cr_assert_gt (sp_prefix_set_size (lex->en_prefixes), 50000);
	cr_assert_gt (sp_prefix_set_size (lex->zh_prefix_prints), 50000);
	/* the exact Chinese prefixes are the same keys */
	cr_assert_geq (sp_prefix_set_size (lex->zh_prefix_prints) + 100,
		       g_hash_table_size (lex->zh_prefixes));
}

/* The lexicon alone (the trie is memory-mapped, not heap): heap while loading and CPU time.
 * CPU rather than wall time: the machine running the suite may be shared. */
Test (lexicon_cost, load_is_bounded)
{
	g_autoptr (GError) error = NULL;
	const gchar *dir = g_getenv ("SP_REAL_DATA_DIR");
	SpLexicon *l;
	gdouble t0, t;
	gsize peak, live;

	cr_assert_not_null (dir);
	if (!heap_meter_available ())
		cr_skip_test ("the heap meter is not compiled in");
	heap_meter_start ();
	t0 = cpu_seconds ();
	l = sp_lexicon_new_from_dir (dir, &error);
	t = cpu_seconds () - t0;
	peak = heap_meter_peak ();
	live = (gsize)heap_meter_current ();
	cr_assert_not_null (l, "%s", error != NULL ? error->message : "");
	cr_log_info ("lexicon: %u concepts, %.1f MiB live, %.1f MiB peak, %.3f s CPU",
		     l->concepts->len, live / 1048576.0, peak / 1048576.0, t);
	sp_lexicon_free (l);
	cr_assert_leq (peak, MAX_LEXICON_HEAP, "peak heap %zu bytes", peak);
#if !defined(__SANITIZE_ADDRESS__)
	/* a sanitizer build is several times slower by design */
	cr_assert_leq (t, MAX_LOAD_CPU_SECONDS, "load took %.3f s of CPU", t);
#endif
}
