/*
 * sp-lexicon-compile — build step of the symptom-parser's data directory.
 *
 *   sp-lexicon-compile --hpo-zh hp-zh.babelon.tsv --sites sites.tsv --cues cues.tsv \
 *       [--hpo-terms] [--filter vocab-filter.tsv] [--do HumanDO.tsv --do-icd10 ICD10inDO.tsv] \
 *       [--symp symp.obo] --output-concepts OUT/concepts.tsv --output-words OUT/zh-medical.txt \
 *       concepts.tsv [conditions.tsv medications.tsv ...]
 *
 * Checks the curated files exactly as the plugin will load them (so a bad line fails the build,
 * naming file and line), merges them with the vendored terminologies (sp-vocab.c: curated terms
 * first, then HPO, DO and SYMP, merged by their normalised terms and filtered), writes the
 * compiled 9-column concepts.tsv, loads it back as the plugin will, and writes the Chinese terms
 * as a word list for mv-dict-compile, with a high frequency so that the segmenter keeps them
 * whole.  The vendored files themselves are shipped unmodified.
 */
#define G_LOG_DOMAIN "sp-lexicon-compile"

#include <glib.h>
#include <locale.h>
#include <stdlib.h>

#include "sp-lexicon.h"
#include "sp-vocab.h"

/* Far above any general word but the commonest function words in jieba's dictionary, so a
 * medical term beats any split of it. */
#define SP_MEDICAL_WORD_FREQ 20000.0

typedef struct {
	gchar *hpo;
	gboolean hpo_terms;
	gchar *filter;
	gchar *do_labels;
	gchar *do_icd10;
	gchar *symp;
	gchar *sites;
	gchar *cues;
	gchar *out_concepts;
	gchar *out_words;
} SpCompileArgs;

/* the option parser's strings are the program's to free (a sanitizer build checks it) */
static void
sp_compile_args_clear (SpCompileArgs *a)
{
	g_free (a->hpo);
	g_free (a->filter);
	g_free (a->do_labels);
	g_free (a->do_icd10);
	g_free (a->symp);
	g_free (a->sites);
	g_free (a->cues);
	g_free (a->out_concepts);
	g_free (a->out_words);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SpCompileArgs, sp_compile_args_clear)

static gboolean
sp_compile_vocab (SpCompileArgs *a, gchar **files, GHashTable *hpo_zh, GError **error)
{
	g_autoptr (SpLexicon) guard = sp_lexicon_new ();
	g_autoptr (SpVocab) vocab = NULL;

	/* the sites and cues first: a terminology term may not shadow them */
	if (!sp_lexicon_load_sites (guard, a->sites, error)
	    || !sp_lexicon_load_cues (guard, a->cues, error))
		return FALSE;
	vocab = sp_vocab_new (guard);
	if (a->filter != NULL && !sp_vocab_load_filter (vocab, a->filter, error))
		return FALSE;
	for (guint i = 0; files[i] != NULL; i++) {
		/* each curated file checked as the plugin's loader reads it */
		g_autoptr (SpLexicon) check = sp_lexicon_new ();
		if (!sp_lexicon_load_concepts (check, files[i], hpo_zh, error)
		    || !sp_vocab_add_curated (vocab, files[i], hpo_zh, error))
			return FALSE;
	}
	if (a->hpo_terms && !sp_vocab_add_hpo (vocab, a->hpo, error))
		return FALSE;
	if (a->do_labels != NULL && !sp_vocab_add_do (vocab, a->do_labels, a->do_icd10, error))
		return FALSE;
	if (a->symp != NULL && !sp_vocab_add_symp (vocab, a->symp, error))
		return FALSE;
	sp_vocab_log_stats (vocab);
	return sp_vocab_write (vocab, a->out_concepts, error);
}

int
main (int argc, char **argv)
{
	g_autoptr (GOptionContext) context = g_option_context_new (
		"CONCEPTS.TSV... — check the curated concept files, merge them with the "
		"terminologies and write the symptom-parser lexicon");
	g_autoptr (GError) error = NULL;
	g_autoptr (SpLexicon) lex = sp_lexicon_new ();
	g_autoptr (GHashTable) hpo_zh = NULL;
	g_auto (SpCompileArgs) a = { 0 };
	const GOptionEntry entries[] = {
		{ "hpo-zh", 0, 0, G_OPTION_ARG_FILENAME, &a.hpo,
		  "HPO Chinese translation (babelon TSV)", "FILE" },
		{ "hpo-terms", 0, 0, G_OPTION_ARG_NONE, &a.hpo_terms,
		  "also make every HPO label of --hpo-zh a concept", NULL },
		{ "filter", 0, 0, G_OPTION_ARG_FILENAME, &a.filter,
		  "terminology filter rules (vocab-filter.tsv)", "FILE" },
		{ "do", 0, 0, G_OPTION_ARG_FILENAME, &a.do_labels, "Disease Ontology HumanDO.tsv",
		  "FILE" },
		{ "do-icd10", 0, 0, G_OPTION_ARG_FILENAME, &a.do_icd10,
		  "Disease Ontology ICD10inDO.tsv", "FILE" },
		{ "symp", 0, 0, G_OPTION_ARG_FILENAME, &a.symp, "Symptom Ontology symp.obo",
		  "FILE" },
		{ "sites", 0, 0, G_OPTION_ARG_FILENAME, &a.sites, "sites.tsv", "FILE" },
		{ "cues", 0, 0, G_OPTION_ARG_FILENAME, &a.cues, "cues.tsv", "FILE" },
		{ "output-concepts", 0, 0, G_OPTION_ARG_FILENAME, &a.out_concepts,
		  "compiled concepts.tsv to write", "FILE" },
		{ "output-words", 0, 0, G_OPTION_ARG_FILENAME, &a.out_words,
		  "Chinese word list to write", "FILE" },
		{ NULL },
	};

	setlocale (LC_ALL, "");
	g_option_context_add_main_entries (context, entries, NULL);
	if (!g_option_context_parse (context, &argc, &argv, &error) || argc < 2 || a.hpo == NULL
	    || a.sites == NULL || a.cues == NULL || a.out_concepts == NULL || a.out_words == NULL) {
		g_printerr ("usage: sp-lexicon-compile --hpo-zh F --sites F --cues F [--hpo-terms] "
			    "[--filter F] [--do F --do-icd10 F] [--symp F] --output-concepts F "
			    "--output-words F CONCEPTS...\n");
		return EXIT_FAILURE;
	}
	hpo_zh = sp_lexicon_read_hpo_zh (a.hpo, &error);
	/* the compiled file is loaded back exactly as the plugin loads its data directory */
	if (hpo_zh == NULL || !sp_compile_vocab (&a, argv + 1, hpo_zh, &error)
	    || !sp_lexicon_load_concepts (lex, a.out_concepts, NULL, &error)
	    || !sp_lexicon_load_sites (lex, a.sites, &error)
	    || !sp_lexicon_load_cues (lex, a.cues, &error)
	    || !sp_lexicon_write_zh_words (lex, a.out_words, SP_MEDICAL_WORD_FREQ, &error)) {
		g_printerr ("sp-lexicon-compile: %s\n", error->message);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
