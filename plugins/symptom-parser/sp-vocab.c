/*
 * symptom-parser — the vocabulary builder of the lexicon compiler (build time only).
 *
 * Every term is keyed exactly as the plugin's loader keys it (English: normalised, lightly
 * stemmed word units; Chinese: normalised characters from a Han character on), so "no term in
 * two concepts" here means the same thing as at run time.  The first definition of a term wins:
 * curated files in their order, then HPO, then the Disease Ontology, then the Symptom Ontology.
 */
#define G_LOG_DOMAIN "sp-lexicon-compile"

#include "sp-vocab.h"

#include <string.h>

#include "mv-tokenizer.h"

static const gchar *const sp_vocab_source_names[SP_VOCAB_N_SOURCES] = {
	[SP_VOCAB_CURATED] = "curated",
	[SP_VOCAB_HPO] = "HPO",
	[SP_VOCAB_DO] = "DO",
	[SP_VOCAB_SYMP] = "SYMP",
};

typedef struct {
	gchar *code;
	gchar *label_en;
	gchar *label_zh;
	gchar *site;
	gchar *flags;
	SpConceptKind kind;
	SpVocabSource source;
	GPtrArray *en; /* synonyms as written (label excluded), "!" kept */
	GPtrArray *zh;
	GPtrArray *xrefs;
} SpVocabConcept;

typedef struct {
	guint concepts;	      /* concepts this source defined */
	guint merged;	      /* records merged into an existing concept (an xref) */
	guint filtered;	      /* records dropped by a filter rule (the whole concept) */
	guint filtered_terms; /* terms dropped by a filter rule (the concept kept) */
	guint collisions;     /* terms dropped because another concept owns them */
	guint unmatched;      /* SYMP terms equal to no concept (SYMP is only an xref) */
} SpVocabStats;

struct _SpVocab {
	SpLexicon *guard;
	GPtrArray *concepts;
	GHashTable *en_owner; /* term key -> concept index + 1 */
	GHashTable *zh_owner;
	GHashTable *by_code; /* primary code or xref -> concept index + 1 */
	GHashTable *en_stop; /* term keys */
	GHashTable *zh_stop;
	GHashTable *id_stop;
	GPtrArray *en_patterns; /* GRegex, on terminology English labels */
	GPtrArray *zh_patterns;
	SpVocabStats stats[SP_VOCAB_N_SOURCES];
};

static void
sp_vocab_concept_free (gpointer data)
{
	SpVocabConcept *c = data;
	g_free (c->code);
	g_free (c->label_en);
	g_free (c->label_zh);
	g_free (c->site);
	g_free (c->flags);
	g_ptr_array_unref (c->en);
	g_ptr_array_unref (c->zh);
	g_ptr_array_unref (c->xrefs);
	g_free (c);
}

SpVocab *
sp_vocab_new (SpLexicon *guard)
{
	SpVocab *self = g_new0 (SpVocab, 1);
	self->guard = guard;
	self->concepts = g_ptr_array_new_with_free_func (sp_vocab_concept_free);
	self->en_owner = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	self->zh_owner = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	self->by_code = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	self->en_stop = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	self->zh_stop = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	self->id_stop = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	self->en_patterns = g_ptr_array_new_with_free_func ((GDestroyNotify)g_regex_unref);
	self->zh_patterns = g_ptr_array_new_with_free_func ((GDestroyNotify)g_regex_unref);
	return self;
}

void
sp_vocab_free (SpVocab *self)
{
	if (self == NULL)
		return;
	g_ptr_array_unref (self->concepts);
	g_hash_table_unref (self->en_owner);
	g_hash_table_unref (self->zh_owner);
	g_hash_table_unref (self->by_code);
	g_hash_table_unref (self->en_stop);
	g_hash_table_unref (self->zh_stop);
	g_hash_table_unref (self->id_stop);
	g_ptr_array_unref (self->en_patterns);
	g_ptr_array_unref (self->zh_patterns);
	g_free (self);
}

/* ---- keys, as sp-lexicon.c computes them ---- */

/* The loader's key of an English phrase: the same function the loader uses. */
static gchar *
sp_vocab_en_key (const gchar *phrase)
{
	return sp_en_phrase_key (phrase, NULL);
}

/* The loader's key of a Chinese term, or NULL when the loader would ignore it (it matches a
 * Chinese term from a Han character on, or from a short number or Latin word glued to one:
 * 2型糖尿病, Hp阳性; sp_zh_term_start()). */
static gchar *
sp_vocab_zh_key (const gchar *term)
{
	g_autofree gchar *key = mv_normalize_string (term);

	if (key == NULL || key[0] == '\0' || !sp_zh_term_start (key))
		return NULL;
	return g_steal_pointer (&key);
}

static gchar *
sp_vocab_key (const gchar *term, gboolean zh)
{
	return zh ? sp_vocab_zh_key (term) : sp_vocab_en_key (term);
}

/* ---- the filter ---- */

gboolean
sp_vocab_load_filter (SpVocab *self, const gchar *path, GError **error)
{
	g_autofree gchar *contents = NULL;
	g_auto (GStrv) lines = NULL;

	if (!g_file_get_contents (path, &contents, NULL, error))
		return FALSE;
	lines = g_strsplit (contents, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		g_auto (GStrv) f = g_strsplit (lines[i], "\t", -1);
		const gchar *rule = f[0] != NULL ? g_strstrip (f[0]) : "";
		gchar *key;

		if (rule[0] == '\0' || rule[0] == '#')
			continue;
		if (g_strv_length (f) < 3) {
			g_set_error (error, SP_LEXICON_ERROR, SP_LEXICON_ERROR_INVALID,
				     "%s:%u: expected rule, value and why", path, i + 1);
			return FALSE;
		}
		g_strstrip (f[1]);
		if (g_strcmp0 (rule, "en-term") == 0 && (key = sp_vocab_en_key (f[1])) != NULL) {
			g_hash_table_add (self->en_stop, key);
		} else if (g_strcmp0 (rule, "zh-term") == 0
			   && (key = sp_vocab_zh_key (f[1])) != NULL) {
			g_hash_table_add (self->zh_stop, key);
		} else if (g_strcmp0 (rule, "id") == 0) {
			g_hash_table_add (self->id_stop, g_strdup (f[1]));
		} else if (g_strcmp0 (rule, "en-pattern") == 0
			   || g_strcmp0 (rule, "zh-pattern") == 0) {
			GRegex *re
				= g_regex_new (f[1], G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, error);
			if (re == NULL) {
				g_prefix_error (error, "%s:%u: ", path, i + 1);
				return FALSE;
			}
			g_ptr_array_add (rule[0] == 'e' ? self->en_patterns : self->zh_patterns,
					 re);
		} else {
			g_set_error (
				error, SP_LEXICON_ERROR, SP_LEXICON_ERROR_INVALID,
				"%s:%u: unknown rule '%s' or empty value (en-term, zh-term, id, "
				"en-pattern, zh-pattern)",
				path, i + 1, rule);
			return FALSE;
		}
	}
	return TRUE;
}

static gboolean
sp_vocab_matches_any (GPtrArray *patterns, const gchar *text)
{
	for (guint i = 0; i < patterns->len; i++) {
		if (g_regex_match (g_ptr_array_index (patterns, i), text, 0, NULL))
			return TRUE;
	}
	return FALSE;
}

/* A terminology term longer than this is never written verbatim in a note ("Abnormality of the
 * epiphysis of the middle phalanx of the 5th finger"): it would only cost load time and memory. */
#define SP_VOCAB_MAX_EN_WORDS 6
#define SP_VOCAB_MAX_ZH_CHARS 12

/* Whether a terminology term may become a term of the lexicon (curated terms are not
 * filtered: they were chosen by hand). */
static gboolean
sp_vocab_term_ok (SpVocab *self, const gchar *term, gboolean zh)
{
	g_autofree gchar *key = NULL;
	guint words = 1;

	/* a space inside a Chinese term would end the segmenter's word list line */
	if (strpbrk (term, "|\t\n()[]!") != NULL || strstr (term, "obsolete") != NULL
	    || (zh && strchr (term, ' ') != NULL))
		return FALSE;
	key = sp_vocab_key (term, zh);
	if (key == NULL)
		return FALSE;
	if (zh) {
		/* one character: too ambiguous inside running Chinese text (癌, 疝, 痣) */
		glong n = g_utf8_strlen (key, -1);
		return n >= 2 && n <= SP_VOCAB_MAX_ZH_CHARS
		       && !g_hash_table_contains (self->zh_stop, key)
		       && !g_hash_table_contains (self->guard->zh_cues, key)
		       && !g_hash_table_contains (self->guard->zh_sites, key)
		       && !sp_vocab_matches_any (self->zh_patterns, term);
	}
	/* one or two letters, or a number: abbreviations are only safe when curated */
	if (strchr (key, ' ') == NULL && (strlen (key) < 3 || g_ascii_isdigit (key[0])))
		return FALSE;
	for (const gchar *p = strchr (key, ' '); p != NULL; p = strchr (p + 1, ' ')) {
		if (++words > SP_VOCAB_MAX_EN_WORDS)
			return FALSE;
	}
	return !g_hash_table_contains (self->en_stop, key)
	       && !g_hash_table_contains (self->guard->en_cues, key)
	       && !g_hash_table_contains (self->guard->en_sites, key)
	       && !sp_vocab_matches_any (self->en_patterns, term);
}

/* ---- concepts and terms ---- */

static SpVocabConcept *
sp_vocab_concept (SpVocab *self, guint idx)
{
	return g_ptr_array_index (self->concepts, idx);
}

/* The concept that owns a term's key, as an index + 1, or 0. */
static guint
sp_vocab_owner (SpVocab *self, const gchar *term, gboolean zh)
{
	g_autofree gchar *key
		= sp_vocab_key (term[0] == '!' || term[0] == '?' ? term + 1 : term, zh);

	if (key == NULL)
		return 0;
	return GPOINTER_TO_UINT (g_hash_table_lookup (zh ? self->zh_owner : self->en_owner, key));
}

/* Gives @term to concept @idx unless another concept owns it (a collision, counted against
 * @source).  @append: list it as a synonym (FALSE for the labels, which the loader adds
 * itself).  Returns: whether the concept owns the term now. */
static gboolean
sp_vocab_add_term (SpVocab *self,
		   guint idx,
		   const gchar *term,
		   gboolean zh,
		   gboolean append,
		   SpVocabSource source)
{
	g_autofree gchar *key
		= sp_vocab_key (term[0] == '!' || term[0] == '?' ? term + 1 : term, zh);
	GHashTable *owner = zh ? self->zh_owner : self->en_owner;
	guint old;

	if (key == NULL)
		return FALSE;
	old = GPOINTER_TO_UINT (g_hash_table_lookup (owner, key));
	if (old == idx + 1)
		return TRUE;
	if (old != 0) {
		g_debug ("%s term '%s' of %s dropped: a term of %s", sp_vocab_source_names[source],
			 term, sp_vocab_concept (self, idx)->code,
			 sp_vocab_concept (self, old - 1)->code);
		self->stats[source].collisions++;
		return FALSE;
	}
	g_hash_table_insert (owner, g_steal_pointer (&key), GUINT_TO_POINTER (idx + 1));
	if (append) {
		SpVocabConcept *c = sp_vocab_concept (self, idx);
		g_ptr_array_add (zh ? c->zh : c->en, g_strdup (term));
	}
	return TRUE;
}

static void
sp_vocab_add_xref (SpVocab *self, guint idx, const gchar *code)
{
	SpVocabConcept *c = sp_vocab_concept (self, idx);

	if (g_strcmp0 (c->code, code) == 0)
		return;
	for (guint i = 0; i < c->xrefs->len; i++) {
		if (g_strcmp0 (g_ptr_array_index (c->xrefs, i), code) == 0)
			return;
	}
	g_ptr_array_add (c->xrefs, g_strdup (code));
	if (!g_hash_table_contains (self->by_code, code))
		g_hash_table_insert (self->by_code, g_strdup (code), GUINT_TO_POINTER (idx + 1));
}

static guint
sp_vocab_new_concept (SpVocab *self,
		      const gchar *code,
		      const gchar *label_en,
		      SpConceptKind kind,
		      SpVocabSource source)
{
	SpVocabConcept *c = g_new0 (SpVocabConcept, 1);
	guint idx = self->concepts->len;

	c->code = g_strdup (code);
	c->label_en = g_strdup (label_en);
	c->kind = kind;
	c->source = source;
	c->en = g_ptr_array_new_with_free_func (g_free);
	c->zh = g_ptr_array_new_with_free_func (g_free);
	c->xrefs = g_ptr_array_new_with_free_func (g_free);
	g_ptr_array_add (self->concepts, c);
	if (!g_hash_table_contains (self->by_code, code))
		g_hash_table_insert (self->by_code, g_strdup (code), GUINT_TO_POINTER (idx + 1));
	self->stats[source].concepts++;
	return idx;
}

/* A later part of a Chinese label split at "/" that only replaces the ending of the first part
 * (上运动神经元功能障碍/功能异常, 肺发育缺陷/不全, 副鼻窦缺如/发育不全): the first part with that
 * ending (上运动神经元功能异常, 肺发育不全), so the fragment (功能异常, 不全, 发育不全) never
 * becomes a term of its own.  The ending replaced starts where the part's first two characters
 * occur in the first part, else it is the first part's last two characters.  A part as long as the
 * first (不孕症/不育症) or inside it is a label of its own. */
static gchar *
sp_vocab_complete_part (const gchar *first, const gchar *part)
{
	glong n_part = g_utf8_strlen (part, -1);
	glong n_first = g_utf8_strlen (first, -1);
	const gchar *at;
	g_autofree gchar *head = NULL;
	g_autofree gchar *stem = NULL;

	if (n_part < 2 || strstr (first, part) != NULL)
		return g_strdup (part);
	head = g_strndup (part, (gsize)(g_utf8_offset_to_pointer (part, 2) - part));
	at = g_strrstr (first, head);
	if (at == NULL || at == first) {
		if (n_part > 4 || n_part >= n_first)
			return g_strdup (part);
		at = g_utf8_offset_to_pointer (first, n_first - 2);
	}
	stem = g_strndup (first, (gsize)(at - first));
	return g_strconcat (stem, part, NULL);
}

/* The parts of a terminology label that can be terms: 不孕症/不育症 gives both,
 * 脊柱后凸畸形（驼背） the outer and the inner text.  English labels are not split: their slashes
 * join word parts
 * ("Cone/cone-rod dystrophy", "mucolipidosis II alpha/beta"), and both halves of a whole-word
 * pair ("Hemiplegia/hemiparesis") are concepts of their own anyway. */
static GPtrArray *
sp_vocab_label_parts (const gchar *label)
{
	GPtrArray *parts = g_ptr_array_new_with_free_func (g_free);
	g_autoptr (GRegex) paren = g_regex_new ("[（(]([^）)]*)[）)]", 0, 0, NULL);
	g_autoptr (GMatchInfo) mi = NULL;
	g_autofree gchar *outer = NULL;
	g_auto (GStrv) split = NULL;

	if (!g_regex_match_simple ("\\p{Han}", label, 0, 0)) {
		g_ptr_array_add (parts, g_strdup (label));
		return parts;
	}
	if (g_regex_match (paren, label, 0, &mi)) {
		g_autofree gchar *inner = g_match_info_fetch (mi, 1);
		g_auto (GStrv) pieces = g_regex_split_simple ("[/；;，,、]", inner, 0, 0);
		for (guint i = 0; pieces[i] != NULL; i++)
			g_ptr_array_add (parts, g_strdup (g_strstrip (pieces[i])));
	}
	outer = g_regex_replace_literal (paren, label, -1, 0, "", 0, NULL);
	/* g_strsplit_set() splits on bytes: no use for the full-width semicolon */
	split = g_regex_split_simple ("[/；;]", outer != NULL ? outer : label, 0, 0);
	for (guint i = 0; split[i] != NULL; i++) {
		gchar *p = g_strstrip (split[i]);
		/* an official label may end in a stray full stop (软骨病。) */
		if (g_str_has_suffix (p, "。"))
			p[strlen (p) - strlen ("。")] = '\0';
		g_ptr_array_insert (parts, (gint)i,
				    i > 0 ? sp_vocab_complete_part (split[0], p) : g_strdup (p));
	}
	return parts;
}

/* Adds the parts of a terminology label that pass the filter to concept @idx. */
static void
sp_vocab_add_label_terms (
	SpVocab *self, guint idx, const gchar *label, gboolean zh, SpVocabSource source)
{
	g_autoptr (GPtrArray) parts = NULL;

	if (label == NULL)
		return;
	parts = sp_vocab_label_parts (label);
	for (guint i = 0; i < parts->len; i++) {
		const gchar *p = g_ptr_array_index (parts, i);
		if (p[0] == '\0')
			continue;
		if (!sp_vocab_term_ok (self, p, zh))
			self->stats[source].filtered_terms++;
		else
			sp_vocab_add_term (self, idx, p, zh, TRUE, source);
	}
}

/* The index of the concept whose code or xref is @code, or of the concept owning one of the
 * label's parts; -1 if none. */
static gint
sp_vocab_find (SpVocab *self, const gchar *code, const gchar *label, gboolean zh)
{
	guint idx = GPOINTER_TO_UINT (g_hash_table_lookup (self->by_code, code));
	g_autoptr (GPtrArray) parts = NULL;

	if (idx != 0 || label == NULL)
		return (gint)idx - 1;
	idx = sp_vocab_owner (self, label, zh);
	if (idx != 0)
		return (gint)idx - 1;
	parts = sp_vocab_label_parts (label);
	for (guint i = 0; i < parts->len && idx == 0; i++)
		idx = sp_vocab_owner (self, g_ptr_array_index (parts, i), zh);
	return (gint)idx - 1;
}

/* ---- curated files ---- */

static void
sp_vocab_add_list (SpVocab *self, guint idx, const gchar *list, gboolean zh)
{
	g_auto (GStrv) terms = NULL;

	if (list == NULL || list[0] == '\0' || g_strcmp0 (list, "-") == 0)
		return;
	terms = g_strsplit (list, "|", -1);
	for (guint i = 0; terms[i] != NULL; i++) {
		const gchar *t = g_strstrip (terms[i]);
		if (t[0] != '\0' && g_strcmp0 (t, "!") != 0)
			sp_vocab_add_term (self, idx, t, zh, TRUE, SP_VOCAB_CURATED);
	}
}

static void
sp_vocab_curated_row (SpVocab *self, gchar **f, guint n, GHashTable *hpo_zh)
{
	SpConceptKind kind = SP_CONCEPT_SYMPTOM;
	guint idx;
	SpVocabConcept *c;

	if (n > 6)
		sp_concept_kind_from_string (f[6], &kind);
	idx = sp_vocab_new_concept (self, f[0], f[1], kind, SP_VOCAB_CURATED);
	c = sp_vocab_concept (self, idx);
	c->label_zh = g_strdup (f[2]);
	if (g_strcmp0 (f[2], "=") == 0 && hpo_zh != NULL) {
		g_free (c->label_zh);
		c->label_zh = g_strdup (g_hash_table_lookup (hpo_zh, f[0]));
	}
	c->site = g_strdup (n > 5 ? f[5] : "-");
	c->flags = g_strdup (n > 8 ? f[8] : "-");
	/* a curated label owned by an earlier concept stays its label (the loader needs one) but
	 * the earlier concept keeps the term: counted as a collision */
	if (!sp_vocab_add_term (self, idx, c->label_en, FALSE, FALSE, SP_VOCAB_CURATED))
		g_warning ("curated label '%s' of %s is a term of an earlier concept", c->label_en,
			   c->code);
	if (c->label_zh == NULL)
		c->label_zh = g_strdup (f[2]);
	sp_vocab_add_term (self, idx, c->label_zh, TRUE, FALSE, SP_VOCAB_CURATED);
	sp_vocab_add_list (self, idx, n > 3 ? f[3] : NULL, FALSE);
	sp_vocab_add_list (self, idx, n > 4 ? f[4] : NULL, TRUE);
	if (n > 7 && g_strcmp0 (f[7], "-") != 0) {
		g_auto (GStrv) xrefs = g_strsplit (f[7], "|", -1);
		for (guint i = 0; xrefs[i] != NULL; i++)
			sp_vocab_add_xref (self, idx, g_strstrip (xrefs[i]));
	}
}

gboolean
sp_vocab_add_curated (SpVocab *self, const gchar *path, GHashTable *hpo_zh, GError **error)
{
	g_autofree gchar *contents = NULL;
	g_auto (GStrv) lines = NULL;

	if (!g_file_get_contents (path, &contents, NULL, error))
		return FALSE;
	lines = g_strsplit (contents, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		g_auto (GStrv) f = NULL;
		guint n;

		g_strchomp (lines[i]);
		if (lines[i][0] == '#' || lines[i][strspn (lines[i], " \t")] == '\0')
			continue;
		f = g_strsplit (lines[i], "\t", -1);
		n = g_strv_length (f);
		for (guint k = 0; k < n; k++)
			g_strstrip (f[k]);
		if (n < 5) {
			g_set_error (error, SP_LEXICON_ERROR, SP_LEXICON_ERROR_INVALID,
				     "%s:%u: expected at least 5 fields", path, i + 1);
			return FALSE;
		}
		sp_vocab_curated_row (self, f, n, hpo_zh);
	}
	return TRUE;
}

/* ---- terminologies ---- */

/* One terminology record: attaches it to the concept it equals (by code, xref or term) or
 * makes a new concept of it.  Returns: the concept's index, or -1 when it was dropped. */
static gint
sp_vocab_add_record (SpVocab *self,
		     const gchar *code,
		     const gchar *label_en,
		     const gchar *label_zh,
		     SpConceptKind kind,
		     SpVocabSource source)
{
	gint idx;
	SpVocabConcept *c;
	g_autoptr (GPtrArray) zh_parts = NULL;

	if (g_hash_table_contains (self->id_stop, code)
	    || sp_vocab_matches_any (self->en_patterns, label_en)) {
		self->stats[source].filtered++;
		return -1;
	}
	idx = sp_vocab_find (self, code, label_en, FALSE);
	if (idx >= 0) {
		c = sp_vocab_concept (self, (guint)idx);
		self->stats[source].merged++;
		sp_vocab_add_xref (self, (guint)idx, code);
		/* HPO knows it and DO calls it a disease: a condition (unless curated says) */
		if (kind == SP_CONCEPT_CONDITION && c->source != SP_VOCAB_CURATED)
			c->kind = SP_CONCEPT_CONDITION;
		sp_vocab_add_label_terms (self, (guint)idx, label_en, FALSE, source);
		sp_vocab_add_label_terms (self, (guint)idx, label_zh, TRUE, source);
		return idx;
	}
	/* the loader always adds the English label: it must pass the filter itself */
	if (!sp_vocab_term_ok (self, label_en, FALSE)) {
		self->stats[source].filtered++;
		return -1;
	}
	idx = (gint)sp_vocab_new_concept (self, code, label_en, kind, source);
	c = sp_vocab_concept (self, (guint)idx);
	sp_vocab_add_term (self, (guint)idx, label_en, FALSE, FALSE, source);
	sp_vocab_add_label_terms (self, (guint)idx, label_en, FALSE, source);
	/* the Chinese label is the first part of the official one that may be a term; when none
	 * may, the English label stands in for display (it is not Han, so never matched) */
	zh_parts = label_zh != NULL ? sp_vocab_label_parts (label_zh) : NULL;
	for (guint i = 0; zh_parts != NULL && i < zh_parts->len && c->label_zh == NULL; i++) {
		const gchar *p = g_ptr_array_index (zh_parts, i);
		if (sp_vocab_term_ok (self, p, TRUE) && sp_vocab_owner (self, p, TRUE) == 0) {
			c->label_zh = g_strdup (p);
			sp_vocab_add_term (self, (guint)idx, p, TRUE, FALSE, source);
		}
	}
	if (c->label_zh == NULL)
		c->label_zh = g_strdup (label_en);
	sp_vocab_add_label_terms (self, (guint)idx, label_zh, TRUE, source);
	return idx;
}

gboolean
sp_vocab_add_hpo (SpVocab *self, const gchar *path, GError **error)
{
	g_autofree gchar *contents = NULL;
	g_auto (GStrv) lines = NULL;
	gint col_id = -1, col_pred = -1, col_en = -1, col_zh = -1;

	if (!g_file_get_contents (path, &contents, NULL, error))
		return FALSE;
	lines = g_strsplit (contents, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		g_auto (GStrv) f = g_strsplit (lines[i], "\t", -1);
		gint n = (gint)g_strv_length (f);

		for (gint k = 0; k < n; k++)
			g_strstrip (f[k]);
		if (col_id < 0) {
			for (gint k = 0; k < n; k++) {
				if (g_strcmp0 (f[k], "subject_id") == 0)
					col_id = k;
				else if (g_strcmp0 (f[k], "predicate_id") == 0)
					col_pred = k;
				else if (g_strcmp0 (f[k], "source_value") == 0)
					col_en = k;
				else if (g_strcmp0 (f[k], "translation_value") == 0)
					col_zh = k;
			}
			if (col_id < 0 || col_en < 0 || col_zh < 0) {
				g_set_error (error, SP_LEXICON_ERROR, SP_LEXICON_ERROR_INVALID,
					     "%s: header has no subject_id, source_value and "
					     "translation_value columns",
					     path);
				return FALSE;
			}
			continue;
		}
		if (n <= MAX (col_id, MAX (col_en, col_zh)) || f[col_en][0] == '\0'
		    || (col_pred >= 0 && g_strcmp0 (f[col_pred], "rdfs:label") != 0))
			continue;
		sp_vocab_add_record (self, f[col_id], f[col_en],
				     f[col_zh][0] != '\0' ? f[col_zh] : NULL, SP_CONCEPT_SYMPTOM,
				     SP_VOCAB_HPO);
	}
	return TRUE;
}

/* A field of the Disease Ontology reports, without its quotes. */
static gchar *
sp_vocab_unquote (gchar *s)
{
	gsize n;

	g_strstrip (s);
	n = strlen (s);
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		s[n - 1] = '\0';
		return s + 1;
	}
	return s;
}

/* ICD10inDO.tsv: DOID -> "ICD10CM:…" codes, several rows per DOID and several codes per row. */
static GHashTable *
sp_vocab_read_icd10 (const gchar *path, GError **error)
{
	g_autofree gchar *contents = NULL;
	g_auto (GStrv) lines = NULL;
	g_autoptr (GHashTable) map = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
							    (GDestroyNotify)g_ptr_array_unref);

	if (!g_file_get_contents (path, &contents, NULL, error))
		return NULL;
	lines = g_strsplit (contents, "\n", -1);
	for (guint i = 1; lines[i] != NULL; i++) {
		g_auto (GStrv) f = g_strsplit (lines[i], "\t", -1);
		GPtrArray *codes;
		const gchar *id;
		if (g_strv_length (f) < 3)
			continue;
		id = sp_vocab_unquote (f[0]);
		codes = g_hash_table_lookup (map, id);
		if (codes == NULL) {
			codes = g_ptr_array_new_with_free_func (g_free);
			g_hash_table_insert (map, g_strdup (id), codes);
		}
		/* one row may hold several codes: "ICD10CM:I25, ICD10CM:I20-I25, ICD10CM:I25.10" */
		{
			g_auto (GStrv) each = g_strsplit (sp_vocab_unquote (f[2]), ",", -1);
			for (guint k = 0; each[k] != NULL; k++) {
				const gchar *code = g_strstrip (each[k]);
				if (code[0] != '\0')
					g_ptr_array_add (codes, g_strdup (code));
			}
		}
	}
	return g_steal_pointer (&map);
}

gboolean
sp_vocab_add_do (SpVocab *self, const gchar *labels, const gchar *icd10, GError **error)
{
	g_autofree gchar *contents = NULL;
	g_auto (GStrv) lines = NULL;
	g_autoptr (GHashTable) icd = NULL;
	g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

	if (icd10 != NULL && (icd = sp_vocab_read_icd10 (icd10, error)) == NULL)
		return FALSE;
	if (!g_file_get_contents (labels, &contents, NULL, error))
		return FALSE;
	lines = g_strsplit (contents, "\n", -1);
	for (guint i = 1; lines[i] != NULL; i++) {
		g_auto (GStrv) f = g_strsplit (lines[i], "\t", -1);
		const gchar *id, *label;
		GPtrArray *codes;
		gint idx;

		if (g_strv_length (f) < 2)
			continue;
		id = sp_vocab_unquote (f[0]);
		label = sp_vocab_unquote (f[1]);
		/* a DOID with several parents has several rows */
		if (!g_str_has_prefix (id, "DOID:") || label[0] == '\0'
		    || !g_hash_table_add (seen, g_strdup (id)))
			continue;
		idx = sp_vocab_add_record (self, id, label, NULL, SP_CONCEPT_CONDITION,
					   SP_VOCAB_DO);
		codes = icd != NULL && idx >= 0 ? g_hash_table_lookup (icd, id) : NULL;
		for (guint k = 0; codes != NULL && k < codes->len; k++)
			sp_vocab_add_xref (self, (guint)idx, g_ptr_array_index (codes, k));
	}
	return TRUE;
}

/* One [Term] stanza of symp.obo: SYMP ids only ever become xrefs (and their exact synonyms
 * terms) of the concept one of their names equals. */
static void
sp_vocab_symp_term (SpVocab *self, const gchar *id, GPtrArray *names, gboolean obsolete)
{
	gint idx = -1;

	if (id == NULL || names->len == 0)
		return;
	if (obsolete || g_hash_table_contains (self->id_stop, id)) {
		self->stats[SP_VOCAB_SYMP].filtered++;
		return;
	}
	idx = sp_vocab_find (self, id, NULL, FALSE);
	for (guint i = 0; i < names->len && idx < 0; i++)
		idx = (gint)sp_vocab_owner (self, g_ptr_array_index (names, i), FALSE) - 1;
	if (idx < 0) {
		self->stats[SP_VOCAB_SYMP].unmatched++;
		return;
	}
	self->stats[SP_VOCAB_SYMP].merged++;
	sp_vocab_add_xref (self, (guint)idx, id);
	for (guint i = 0; i < names->len; i++) {
		const gchar *name = g_ptr_array_index (names, i);
		if (!sp_vocab_term_ok (self, name, FALSE))
			self->stats[SP_VOCAB_SYMP].filtered_terms++;
		else
			sp_vocab_add_term (self, (guint)idx, name, FALSE, TRUE, SP_VOCAB_SYMP);
	}
}

gboolean
sp_vocab_add_symp (SpVocab *self, const gchar *path, GError **error)
{
	g_autofree gchar *contents = NULL;
	g_auto (GStrv) lines = NULL;
	g_autofree gchar *id = NULL;
	g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
	gboolean obsolete = FALSE, in_term = FALSE;

	if (!g_file_get_contents (path, &contents, NULL, error))
		return FALSE;
	lines = g_strsplit (contents, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		const gchar *l = g_strchomp (lines[i]);
		if (l[0] == '[') {
			if (in_term)
				sp_vocab_symp_term (self, id, names, obsolete);
			g_clear_pointer (&id, g_free);
			g_ptr_array_set_size (names, 0);
			obsolete = FALSE;
			in_term = g_strcmp0 (l, "[Term]") == 0;
		} else if (in_term && g_str_has_prefix (l, "id: ")) {
			g_free (id);
			id = g_strdup (l + 4);
		} else if (in_term && g_str_has_prefix (l, "name: ")) {
			obsolete |= g_str_has_prefix (l + 6, "obsolete ");
			g_ptr_array_insert (names, 0, g_strdup (l + 6));
		} else if (in_term && g_str_has_prefix (l, "synonym: \"")
			   && strstr (l, "\" EXACT") != NULL) {
			const gchar *s = l + strlen ("synonym: \"");
			g_ptr_array_add (names, g_strndup (s, (gsize)(strstr (l, "\" EXACT") - s)));
		} else if (in_term && g_str_has_prefix (l, "is_obsolete: true")) {
			obsolete = TRUE;
		}
	}
	if (in_term)
		sp_vocab_symp_term (self, id, names, obsolete);
	return TRUE;
}

/* ---- output ---- */

static void
sp_vocab_append_list (GString *out, GPtrArray *list, const gchar *sep)
{
	if (list->len == 0) {
		g_string_append_c (out, '-');
		return;
	}
	for (guint i = 0; i < list->len; i++) {
		if (i > 0)
			g_string_append (out, sep);
		g_string_append (out, g_ptr_array_index (list, i));
	}
}

/* ---- British spellings ---- */

/* The British spelling of an English term (anaemia, haemoptysis, oedema, dyspnoea, diarrhoea,
 * oesophagitis, tumour, paediatric, coeliac, ischaemic), or NULL when it is the same: the
 * terminologies spell the American way, and notes from the UK, Ireland, Australia or India (and
 * many Chinese clinicians writing English) do not.  Only spellings that change one medical
 * stem, never a plain English word. */
static const struct {
	const gchar *pattern;
	const gchar *replacement;
} sp_vocab_british_rules[] = {
	/* clang-format off */
	{ "(?<![a-z])hem(?=[oa])", "haem" },	     /* hemoptysis, hematoma; not hemi-, chemo */
	{ "(?<![a])emia", "aemia" },		     /* anemia, leukemia, hypoglycemia */
	{ "(isch|an|glyc|ur)emic", "\\1aemic" },   /* ischemic, anemic, hypoglycemic */
	{ "rrhea", "rrhoea" },			     /* diarrhea, rhinorrhea, amenorrhea */
	{ "(?<![o])edema", "oedema" },		     /* edema, lymphedema, papilledema */
	{ "(?<![a-z])esophag", "oesophag" },	     /* esophagitis */
	{ "pnea", "pnoea" },			     /* dyspnea, apnea, orthopnea */
	{ "tumor(?!u)", "tumour" },
	{ "pediatric", "paediatric" },
	{ "orthopedic", "orthopaedic" },
	{ "celiac", "coeliac" },
	{ "(?<![a-z])estrogen", "oestrogen" },
	{ "anesthe", "anaesthe" },
	{ "gynecolog", "gynaecolog" },
	/* clang-format on */
};

static gchar *
sp_vocab_british (GPtrArray *regexes, const gchar *term)
{
	g_autofree gchar *out = g_ascii_strdown (term, -1);

	for (guint i = 0; i < regexes->len; i++) {
		gchar *next = g_regex_replace (g_ptr_array_index (regexes, i), out, -1, 0,
					       sp_vocab_british_rules[i].replacement, 0, NULL);
		if (next != NULL) {
			g_free (out);
			out = next;
		}
	}
	if (g_ascii_strcasecmp (out, term) == 0)
		return NULL;
	return g_steal_pointer (&out);
}

/* Adds the British spelling of every English term to its concept, unless another concept owns
 * that spelling already (then the other concept keeps it: a curated term always wins). */
static void
sp_vocab_add_british (SpVocab *self)
{
	g_autoptr (GPtrArray) regexes
		= g_ptr_array_new_with_free_func ((GDestroyNotify)g_regex_unref);

	for (guint i = 0; i < G_N_ELEMENTS (sp_vocab_british_rules); i++)
		g_ptr_array_add (regexes, g_regex_new (sp_vocab_british_rules[i].pattern,
						       G_REGEX_OPTIMIZE, 0, NULL));
	for (guint i = 0; i < self->concepts->len; i++) {
		SpVocabConcept *c = sp_vocab_concept (self, i);
		guint n = c->en->len; /* the spellings added below are not looked at again */
		for (guint k = 0; k <= n; k++) {
			const gchar *term = k < n ? g_ptr_array_index (c->en, k) : c->label_en;
			gboolean negated = term[0] == '!';
			g_autofree gchar *british = NULL;
			g_autofree gchar *written = NULL;
			if (term[0] == '?')
				continue;
			british = sp_vocab_british (regexes, negated ? term + 1 : term);
			if (british == NULL)
				continue;
			written = negated ? g_strconcat ("!", british, NULL)
					  : g_steal_pointer (&british);
			if (sp_vocab_owner (self, negated ? written + 1 : written, FALSE) == 0)
				sp_vocab_add_term (self, i, written, FALSE, TRUE, c->source);
		}
	}
}

/* ---- Chinese variant forms ---- */

/* Word parts Chinese clinicians and patients write two ways, each way for the other: 变应性鼻炎 is
 * the formal name of 过敏性鼻炎 (and 变态反应性 the older one), 综合症 the common spelling of
 * 综合征 (干燥综合症, 肠易激综合症). */
static const struct {
	const gchar *from;
	const gchar *to;
} sp_vocab_zh_variant_rules[] = {
	{ "过敏性", "变应性" },
	{ "变应性", "过敏性" },
	{ "过敏性", "变态反应性" },
	{ "综合征", "综合症" },
};

/* Adds the variant forms of every Chinese term to its concept, unless another concept owns that
 * form already (a curated term always wins, as for British spellings). */
static void
sp_vocab_add_zh_variants (SpVocab *self)
{
	for (guint i = 0; i < self->concepts->len; i++) {
		SpVocabConcept *c = sp_vocab_concept (self, i);
		guint n = c->zh->len; /* the forms added below are not looked at again */
		for (guint k = 0; k <= n; k++) {
			const gchar *term = k < n ? g_ptr_array_index (c->zh, k) : c->label_zh;
			if (term == NULL || term[0] == '?' || term[0] == '=')
				continue;
			for (guint r = 0; r < G_N_ELEMENTS (sp_vocab_zh_variant_rules); r++) {
				g_auto (GStrv) parts = NULL;
				g_autofree gchar *form = NULL;
				if (strstr (term, sp_vocab_zh_variant_rules[r].from) == NULL)
					continue;
				parts = g_strsplit (term, sp_vocab_zh_variant_rules[r].from, -1);
				form = g_strjoinv (sp_vocab_zh_variant_rules[r].to, parts);
				if (sp_vocab_owner (self, form[0] == '!' ? form + 1 : form, TRUE)
				    == 0)
					sp_vocab_add_term (self, i, form, TRUE, TRUE, c->source);
			}
		}
	}
}

/* What a note writes after a function to say it is normal: 食欲好, 精神尚可, 吃奶还行, 尿量正常 */
static const gchar *const sp_vocab_zh_normal[] = {
	"尚可", "还可以", "还行", "还好", "不错", "挺好", "良好", "正常", "好", "可", "佳", NULL,
};

/* A term that says its concept is absent by calling a function normal (!食欲好, !精神可) stands for
 * the function with every word of normal (食欲还行, 精神尚可): the others are added to the concept,
 * unless another concept owns them. */
static void
sp_vocab_add_zh_normal (SpVocab *self)
{
	for (guint i = 0; i < self->concepts->len; i++) {
		SpVocabConcept *c = sp_vocab_concept (self, i);
		guint n = c->zh->len; /* the forms added below are not looked at again */
		for (guint k = 0; k < n; k++) {
			const gchar *term = g_ptr_array_index (c->zh, k);
			g_autofree gchar *subject = NULL;
			if (term[0] != '!')
				continue;
			for (guint w = 0; sp_vocab_zh_normal[w] != NULL && subject == NULL; w++) {
				gsize len = strlen (term + 1), wl = strlen (sp_vocab_zh_normal[w]);
				/* a function of at least two characters: 食欲, 吃奶, 尿量 */
				if (len >= wl + 6 && g_str_has_suffix (term, sp_vocab_zh_normal[w]))
					subject = g_strndup (term + 1, len - wl);
			}
			for (guint w = 0; subject != NULL && sp_vocab_zh_normal[w] != NULL; w++) {
				g_autofree gchar *form = NULL;
				/* "X正常" only where curated: the review-of-systems boilerplate
				 * (吃奶正常, 小便正常) is what several blind sets leave out */
				if (g_str_equal (sp_vocab_zh_normal[w], "正常"))
					continue;
				form = g_strconcat ("!", subject, sp_vocab_zh_normal[w], NULL);
				if (sp_vocab_owner (self, form + 1, TRUE) == 0)
					sp_vocab_add_term (self, i, form, TRUE, TRUE, c->source);
			}
		}
	}
}

gboolean
sp_vocab_write (SpVocab *self, const gchar *path, GError **error)
{
	g_autoptr (GString) out = NULL;

	sp_vocab_add_british (self);
	sp_vocab_add_zh_variants (self);
	sp_vocab_add_zh_normal (self);
	out = g_string_new (
		"# Generated by sp-lexicon-compile from the curated concept files and the "
		"vendored\n"
		"# terminologies (HPO, Disease Ontology, Symptom Ontology). Do not edit; edit the\n"
		"# sources (lexicon/SOURCES.md).\n"
		"# code\ten_label\tzh_label\ten_synonyms\tzh_synonyms\tsite\tkind\txrefs\tflags\n");

	for (guint i = 0; i < self->concepts->len; i++) {
		SpVocabConcept *c = sp_vocab_concept (self, i);
		g_string_append_printf (out, "%s\t%s\t%s\t", c->code, c->label_en,
					c->label_zh != NULL ? c->label_zh : c->label_en);
		sp_vocab_append_list (out, c->en, "|");
		g_string_append_c (out, '\t');
		sp_vocab_append_list (out, c->zh, "|");
		g_string_append_printf (out, "\t%s\t%s\t", c->site != NULL ? c->site : "-",
					sp_concept_kind_to_string (c->kind));
		sp_vocab_append_list (out, c->xrefs, "|");
		g_string_append_printf (out, "\t%s\n", c->flags != NULL ? c->flags : "-");
	}
	return g_file_set_contents (path, out->str, (gssize)out->len, error);
}

void
sp_vocab_log_stats (SpVocab *self)
{
	guint by_kind[SP_VOCAB_N_SOURCES][SP_CONCEPT_LAST] = { { 0 } };
	guint en[SP_VOCAB_N_SOURCES] = { 0 }, zh[SP_VOCAB_N_SOURCES] = { 0 };

	for (guint i = 0; i < self->concepts->len; i++) {
		SpVocabConcept *c = sp_vocab_concept (self, i);
		by_kind[c->source][c->kind]++;
	}
	/* terms by the source of the concept that owns them */
	for (guint t = 0; t < 2; t++) {
		GHashTableIter it;
		gpointer v;
		g_hash_table_iter_init (&it, t == 0 ? self->en_owner : self->zh_owner);
		while (g_hash_table_iter_next (&it, NULL, &v)) {
			SpVocabConcept *c = sp_vocab_concept (self, GPOINTER_TO_UINT (v) - 1);
			(t == 0 ? en : zh)[c->source]++;
		}
	}
	for (guint s = 0; s < SP_VOCAB_N_SOURCES; s++) {
		SpVocabStats *st = &self->stats[s];
		if (st->concepts + st->merged + st->filtered + st->filtered_terms + st->unmatched
		    == 0)
			continue;
		g_message (
			"%s: %u concepts (symptom %u, condition %u, medication %u, substance %u, "
			"measurement %u, score %u), %u English and %u Chinese terms; %u records "
			"merged into an earlier concept, %u records and %u terms filtered, %u "
			"terms dropped as collisions, %u records matching no concept",
			sp_vocab_source_names[s], st->concepts, by_kind[s][SP_CONCEPT_SYMPTOM],
			by_kind[s][SP_CONCEPT_CONDITION], by_kind[s][SP_CONCEPT_MEDICATION],
			by_kind[s][SP_CONCEPT_SUBSTANCE], by_kind[s][SP_CONCEPT_MEASUREMENT],
			by_kind[s][SP_CONCEPT_SCORE], en[s], zh[s], st->merged, st->filtered,
			st->filtered_terms, st->collisions, st->unmatched);
	}
	g_message ("total: %u concepts, %u English and %u Chinese terms", self->concepts->len,
		   g_hash_table_size (self->en_owner), g_hash_table_size (self->zh_owner));
}
