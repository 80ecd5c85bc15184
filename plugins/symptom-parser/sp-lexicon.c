/*
 * symptom-parser — lexicon files and lookup tables.
 */
#define G_LOG_DOMAIN "symptom-parser"

#include "sp-lexicon.h"

#include <errno.h>
#include <string.h>

/* the quark's name is these tokens verbatim, not a subtraction */
/* clang-format off */
G_DEFINE_QUARK (sp-lexicon-error-quark, sp_lexicon_error)
/* clang-format on */

static const gchar *const sp_cue_names[SP_CUE_LAST] = {
	[SP_CUE_NEGATION_PRE] = "negation-pre",
	[SP_CUE_NEGATION_POST] = "negation-post",
	[SP_CUE_POSSIBLE_PRE] = "possible-pre",
	[SP_CUE_POSSIBLE_POST] = "possible-post",
	[SP_CUE_PSEUDO] = "pseudo",
	[SP_CUE_TERMINATOR] = "terminator",
	[SP_CUE_CONJUNCTION] = "conjunction",
	[SP_CUE_FAMILY] = "family",
	[SP_CUE_SELF] = "self",
	[SP_CUE_HISTORICAL_PRE] = "historical-pre",
	[SP_CUE_HISTORICAL_POST] = "historical-post",
	[SP_CUE_CURRENT] = "current",
	[SP_CUE_SEVERITY_MILD] = "severity-mild",
	[SP_CUE_SEVERITY_MODERATE] = "severity-moderate",
	[SP_CUE_SEVERITY_SEVERE] = "severity-severe",
	[SP_CUE_LATERALITY_LEFT] = "laterality-left",
	[SP_CUE_LATERALITY_RIGHT] = "laterality-right",
	[SP_CUE_LATERALITY_BILATERAL] = "laterality-bilateral",
	[SP_CUE_ALLERGY_PRE] = "allergy-pre",
	[SP_CUE_ALLERGY_POST] = "allergy-post",
	[SP_CUE_REACTION] = "reaction",
	[SP_CUE_RESOLVED] = "resolved",
	[SP_CUE_HYPOTHETICAL] = "hypothetical-pre",
	[SP_CUE_SEVERITY_NEGATION] = "severity-negation",
};

/* cue masks must stay below the concept flags (SP_TERM_COMBO is bit 25) */
G_STATIC_ASSERT (SP_CUE_LAST <= 25);

/* the relations a family cue may name (the findings' `relation`, spec of issue 11) */
static const gchar *const sp_relation_names[]
	= { "mother", "father",	  "parent", "brother",	   "sister",	  "sibling",
	    "son",    "daughter", "child",  "grandmother", "grandfather", "grandparent",
	    "aunt",   "uncle",	  "cousin", "spouse",	   "relative",	  NULL };

static const gchar *const sp_kind_names[SP_CONCEPT_LAST] = {
	[SP_CONCEPT_SYMPTOM] = "symptom",	  [SP_CONCEPT_CONDITION] = "condition",
	[SP_CONCEPT_MEDICATION] = "medication",	  [SP_CONCEPT_SUBSTANCE] = "substance",
	[SP_CONCEPT_MEASUREMENT] = "measurement", [SP_CONCEPT_SCORE] = "score",
};

const gchar *
sp_concept_kind_to_string (SpConceptKind kind)
{
	return kind < SP_CONCEPT_LAST ? sp_kind_names[kind] : "unknown";
}

gboolean
sp_concept_kind_from_string (const gchar *name, SpConceptKind *kind)
{
	for (guint k = 0; k < SP_CONCEPT_LAST; k++) {
		if (g_strcmp0 (name, sp_kind_names[k]) == 0) {
			*kind = (SpConceptKind)k;
			return TRUE;
		}
	}
	return FALSE;
}

const gchar *
sp_cue_to_string (SpCue cue)
{
	return cue < SP_CUE_LAST ? sp_cue_names[cue] : "unknown";
}

gboolean
sp_zh_term_start (const gchar *p)
{
	/* "2型糖尿病": at most two ASCII digits before the first Han character; Hp阳性, HBsAg阳性,
	 * EB病毒: at most six ASCII letters and digits, opening with a letter (issue 11, round 5)
	 */
	guint max = g_ascii_isalpha (*p) ? 6 : 2;

	for (guint i = 0; i < max && (max == 2 ? g_ascii_isdigit (*p) : g_ascii_isalnum (*p)); i++)
		p++;
	return *p != '\0' && mv_unichar_is_han (g_utf8_get_char (p));
}

void
sp_term_unpack (gpointer packed, SpTerm *term, gboolean *negated)
{
	guint v = GPOINTER_TO_UINT (packed);

	term->kind = (SpTermKind)((v >> 28) - 1);
	if (term->kind == SP_TERM_CUE) {
		term->index = v & 0x0FFFFFFF;
		*negated = FALSE;
	} else {
		term->index = v & (SP_TERM_COMBO - 1);
		*negated = (v & SP_TERM_NEGATED) != 0;
	}
}

gboolean
sp_term_is_combo (gpointer packed)
{
	guint v = GPOINTER_TO_UINT (packed);
	return (v >> 28) == SP_TERM_CONCEPT + 1 && (v & SP_TERM_COMBO) != 0;
}

gboolean
sp_term_is_listed (gpointer packed)
{
	guint v = GPOINTER_TO_UINT (packed);
	return (v >> 28) != SP_TERM_CUE + 1 && (v & SP_TERM_LISTED) != 0;
}

static void
sp_concept_free (gpointer data)
{
	SpConcept *c = data;
	g_free (c->code);
	g_free (c->label_en);
	g_free (c->label_zh);
	g_free (c->site);
	g_strfreev (c->xrefs);
	g_free (c);
}

static void
sp_site_free (gpointer data)
{
	SpSite *s = data;
	g_free (s->code);
	g_free (s->label_en);
	g_free (s->label_zh);
	g_free (s);
}

SpLexicon *
sp_lexicon_new (void)
{
	SpLexicon *self = g_new0 (SpLexicon, 1);
	self->concepts = g_ptr_array_new_with_free_func (sp_concept_free);
	self->sites = g_ptr_array_new_with_free_func (sp_site_free);
	self->site_by_code = g_hash_table_new (g_str_hash, g_str_equal);
	self->en_concepts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	self->en_sites = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	self->en_cues = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	self->en_prefixes = sp_prefix_set_new ();
	self->zh_concepts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	self->zh_sites = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	self->zh_cues = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	self->zh_prefixes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	self->zh_prefix_prints = sp_prefix_set_new ();
	self->en_relations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	self->combos = g_ptr_array_new_with_free_func ((GDestroyNotify)g_array_unref);
	self->site_specific = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	self->zh_relations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	return self;
}

void
sp_lexicon_free (SpLexicon *self)
{
	if (self == NULL)
		return;
	g_ptr_array_unref (self->concepts);
	g_ptr_array_unref (self->sites);
	g_hash_table_unref (self->site_by_code);
	g_hash_table_unref (self->en_concepts);
	g_hash_table_unref (self->en_sites);
	g_hash_table_unref (self->en_cues);
	sp_prefix_set_free (self->en_prefixes);
	g_hash_table_unref (self->zh_concepts);
	g_hash_table_unref (self->zh_sites);
	g_hash_table_unref (self->zh_cues);
	g_hash_table_unref (self->zh_prefixes);
	sp_prefix_set_free (self->zh_prefix_prints);
	g_hash_table_unref (self->en_relations);
	g_ptr_array_unref (self->combos);
	g_hash_table_unref (self->site_specific);
	g_hash_table_unref (self->zh_relations);
	g_free (self);
}

/* ---- English units ---- */

static void
sp_en_append_key (GString *keys, const gchar *p, gsize len)
{
	gsize start = keys->len;
	gsize n;

	for (gsize i = 0; i < len; i++) {
		if (p[i] != '\'')
			g_string_append_c (keys, p[i]);
	}
	n = keys->len - start;
	/* light stemming, applied alike to lexicon and text: plural -ies/-s */
	if (n > 4 && strncmp (keys->str + keys->len - 3, "ies", 3) == 0) {
		g_string_truncate (keys, keys->len - 3);
		g_string_append_c (keys, 'y');
	} else if (n > 3 && keys->str[keys->len - 1] == 's') {
		gchar prev = keys->str[keys->len - 2];
		if (prev != 's' && prev != 'u' && prev != 'i')
			g_string_truncate (keys, keys->len - 1);
	}
	g_string_append_c (keys, '\0');
}

static void
sp_en_push_unit (GArray *units, GString *keys, const gchar *norm, gsize start, gsize end, guint tok)
{
	SpUnit u = { (guint32)start, (guint32)end, tok, (guint32)keys->len };
	sp_en_append_key (keys, norm + start, end - start);
	g_array_append_val (units, u);
}

GArray *
sp_en_units (const gchar *norm, GArray *tokens, GString *keys)
{
	GArray *units = g_array_sized_new (FALSE, FALSE, sizeof (SpUnit), tokens->len + 1);

	for (guint i = 0; i < tokens->len; i++) {
		const MvToken *t = &g_array_index (tokens, MvToken, i);
		gsize s = t->start;
		if (t->kind != MV_TOKEN_WORD || !(t->flags & MV_TOKEN_FLAG_HYPHEN)) {
			sp_en_push_unit (units, keys, norm, t->start, t->end, i);
			continue;
		}
		for (gsize p = t->start; p <= t->end; p++) {
			if (p == t->end || norm[p] == '-') {
				if (p > s)
					sp_en_push_unit (units, keys, norm, s, p, i);
				s = p + 1;
			}
		}
	}
	return units;
}

gchar *
sp_en_phrase_key (const gchar *phrase, guint *n_units)
{
	g_autoptr (MvNormText) nt = mv_norm_text_new (phrase, -1, NULL);
	g_autoptr (GArray) toks = NULL;
	g_autoptr (GArray) units = NULL;
	g_autoptr (GString) keys = g_string_new (NULL);
	GString *out;

	if (nt == NULL)
		return NULL;
	toks = mv_tokenize (nt->text, nt->len, NULL);
	units = sp_en_units (nt->text, toks, keys);
	if (units->len == 0)
		return NULL;
	out = g_string_new (NULL);
	for (guint i = 0; i < units->len; i++) {
		if (i > 0)
			g_string_append_c (out, ' ');
		g_string_append (out, keys->str + g_array_index (units, SpUnit, i).key);
	}
	if (n_units != NULL)
		*n_units = units->len;
	return g_string_free (out, FALSE);
}

SpLabelFlags
sp_label_flags (const gchar *label_en)
{
	static const gchar *const organ[]
		= { "ventric", "atri", "bundle", "heart", "shift", "axis", "cardi", NULL };
	SpLabelFlags flags = 0;

	if (strcasestr (label_en, "pain") != NULL || strcasestr (label_en, "ache") != NULL)
		flags |= SP_LABEL_PAIN;
	for (guint i = 0; organ[i] != NULL; i++) {
		if (strcasestr (label_en, organ[i]) != NULL)
			flags |= SP_LABEL_ORGAN_SIDE;
	}
	/* one side, the first that applies */
	if (strcasestr (label_en, "bilateral") != NULL)
		flags |= SP_LABEL_BILATERAL;
	else if (g_str_has_prefix (label_en, "Left ") || strcasestr (label_en, " left") != NULL)
		flags |= SP_LABEL_LEFT;
	else if (g_str_has_prefix (label_en, "Right ") || strcasestr (label_en, " right") != NULL)
		flags |= SP_LABEL_RIGHT;
	return flags;
}

/* The first definition of a term wins (concepts are loaded before sites, so a term that is both
 * is a concept); a cue's value is a mask of its categories, so a cue term may have several. */
static void
sp_lexicon_insert (GHashTable *table, const gchar *key, gpointer value)
{
	guint old = GPOINTER_TO_UINT (g_hash_table_lookup (table, key));
	guint v = GPOINTER_TO_UINT (value);

	if (old == 0)
		g_hash_table_insert (table, g_strdup (key), value);
	else if ((old >> 28) == SP_TERM_CUE + 1 && (v >> 28) == SP_TERM_CUE + 1)
		g_hash_table_insert (table, g_strdup (key), GUINT_TO_POINTER (old | v));
}

/* The SP_PREFIX_WHOLE bit of a term table (the order of the matchers' tables). */
static guint
sp_lexicon_table_bit (const SpLexicon *self, GHashTable *table)
{
	if (table == self->en_concepts || table == self->zh_concepts)
		return SP_PREFIX_WHOLE (0);
	if (table == self->en_sites || table == self->zh_sites)
		return SP_PREFIX_WHOLE (1);
	return SP_PREFIX_WHOLE (2);
}

static void
sp_lexicon_add_en (SpLexicon *self, GHashTable *table, const gchar *phrase, gpointer value)
{
	guint n_units = 0;
	g_autofree gchar *key = sp_en_phrase_key (phrase, &n_units);

	if (key == NULL)
		return;
	sp_lexicon_insert (table, key, value);
	for (gchar *sp = strchr (key, ' '); sp != NULL; sp = strchr (sp + 1, ' '))
		sp_prefix_set_add (self->en_prefixes, key, (gsize)(sp - key), SP_PREFIX_ANY);
	sp_prefix_set_add (self->en_prefixes, key, strlen (key),
			   SP_PREFIX_ANY | sp_lexicon_table_bit (self, table));
	self->en_max_units = MAX (self->en_max_units, n_units);
}

static void
sp_lexicon_add_zh (SpLexicon *self, GHashTable *table, const gchar *phrase, gpointer value)
{
	g_autofree gchar *key = mv_normalize_string (phrase);
	gsize len;

	/* Chinese terms are matched from a Han character on; anything else would also match inside
	 * English words */
	if (key == NULL || !sp_zh_term_start (key))
		return;
	len = strlen (key);
	sp_lexicon_insert (table, key, value);
	for (const gchar *p = g_utf8_next_char (key); *p != '\0'; p = g_utf8_next_char (p)) {
		sp_prefix_set_add (self->zh_prefix_prints, key, (gsize)(p - key), SP_PREFIX_ANY);
		g_hash_table_insert (self->zh_prefixes, g_strndup (key, (gsize)(p - key)), NULL);
	}
	sp_prefix_set_add (self->zh_prefix_prints, key, len,
			   SP_PREFIX_ANY | sp_lexicon_table_bit (self, table));
	g_hash_table_insert (self->zh_prefixes, g_steal_pointer (&key), NULL);
	self->zh_max_bytes = MAX (self->zh_max_bytes, (guint)len);
}

/* Adds every `|`-separated synonym of @list. */
static void
sp_lexicon_add_synonyms (
	SpLexicon *self, GHashTable *table, gboolean zh, const gchar *list, gpointer value)
{
	g_auto (GStrv) syns = NULL;

	if (list == NULL || list[0] == '\0' || g_strcmp0 (list, "-") == 0)
		return;
	syns = g_strsplit (list, "|", -1);
	for (guint i = 0; syns[i] != NULL; i++) {
		gchar *s = g_strstrip (syns[i]);
		gpointer v = value;
		/* "!afebrile": a term that says its concept is absent; "?frequency": one that
		 * counts only in a list of symptoms */
		if (s[0] == '!') {
			s++;
			v = GUINT_TO_POINTER (GPOINTER_TO_UINT (value) | SP_TERM_NEGATED);
		} else if (s[0] == '?') {
			s++;
			v = GUINT_TO_POINTER (GPOINTER_TO_UINT (value) | SP_TERM_LISTED);
		}
		if (s[0] == '\0')
			continue;
		if (zh)
			sp_lexicon_add_zh (self, table, s, v);
		else
			sp_lexicon_add_en (self, table, s, v);
	}
}

/* ---- TSV files ---- */

typedef gboolean (*SpRowFunc) (
	SpLexicon *self, gchar **fields, guint n_fields, gpointer user_data, GError **error);

static gboolean
sp_lexicon_read_tsv (SpLexicon *self,
		     const gchar *path,
		     guint min_fields,
		     SpRowFunc func,
		     gpointer user_data,
		     GError **error)
{
	g_autofree gchar *contents = NULL;
	g_auto (GStrv) lines = NULL;
	gsize len = 0;

	if (!g_file_get_contents (path, &contents, &len, error))
		return FALSE;
	if (!g_utf8_validate_len (contents, len, NULL)) {
		g_set_error (error, SP_LEXICON_ERROR, SP_LEXICON_ERROR_INVALID,
			     "%s: not valid UTF-8", path);
		return FALSE;
	}
	lines = g_strsplit (contents, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		g_auto (GStrv) fields = NULL;
		g_autoptr (GError) error_local = NULL;
		gchar *line = lines[i];
		gsize n = strlen (line);
		guint n_fields;

		if (n > 0 && line[n - 1] == '\r')
			line[n - 1] = '\0';
		if (line[0] == '#' || line[strspn (line, " \t")] == '\0')
			continue;
		fields = g_strsplit (line, "\t", -1);
		n_fields = g_strv_length (fields);
		for (guint k = 0; k < n_fields; k++)
			g_strstrip (fields[k]);
		if (n_fields < min_fields) {
			g_set_error (error, SP_LEXICON_ERROR, SP_LEXICON_ERROR_INVALID,
				     "%s:%u: expected %u tab-separated fields, found %u", path,
				     i + 1, min_fields, n_fields);
			return FALSE;
		}
		if (!func (self, fields, n_fields, user_data, &error_local)) {
			g_set_error (error, SP_LEXICON_ERROR, SP_LEXICON_ERROR_INVALID, "%s:%u: %s",
				     path, i + 1, error_local->message);
			return FALSE;
		}
	}
	return TRUE;
}

/* Columns 7-9 of a compiled concepts.tsv: kind, xrefs, flags (a 6-column line is a symptom). */
static gboolean
sp_lexicon_concept_extra (SpConcept *c, gchar **f, guint n, GError **error)
{
	c->kind = SP_CONCEPT_SYMPTOM;
	if (n > 6 && !sp_concept_kind_from_string (f[6], &c->kind)) {
		g_set_error (error, SP_LEXICON_ERROR, SP_LEXICON_ERROR_INVALID,
			     "unknown kind '%s' (symptom, condition, medication, substance, "
			     "measurement or score)",
			     f[6]);
		return FALSE;
	}
	if (n > 7 && f[7][0] != '\0' && g_strcmp0 (f[7], "-") != 0)
		c->xrefs = g_strsplit (f[7], "|", -1);
	else
		c->xrefs = g_new0 (gchar *, 1);
	if (n > 8 && f[8][0] != '\0' && g_strcmp0 (f[8], "-") != 0) {
		g_auto (GStrv) flags = g_strsplit (f[8], ",", -1);
		for (guint i = 0; flags[i] != NULL; i++) {
			const gchar *flag = g_strstrip (flags[i]);
			if (g_strcmp0 (flag, "chronic") == 0) {
				c->chronic = TRUE;
			} else {
				g_set_error (error, SP_LEXICON_ERROR, SP_LEXICON_ERROR_INVALID,
					     "unknown flag '%s' (chronic)", flag);
				return FALSE;
			}
		}
	}
	return TRUE;
}

static gboolean
sp_lexicon_concept_row (SpLexicon *self, gchar **f, guint n, gpointer user_data, GError **error)
{
	GHashTable *hpo_zh = user_data;
	SpConcept *c;
	gpointer value;

	if (f[0][0] == '\0' || f[1][0] == '\0') {
		g_set_error_literal (error, SP_LEXICON_ERROR, SP_LEXICON_ERROR_INVALID,
				     "code and en_label are required");
		return FALSE;
	}
	c = g_new0 (SpConcept, 1);
	c->code = g_strdup (f[0]);
	c->label_en = g_strdup (f[1]);
	c->label = sp_label_flags (c->label_en);
	if (g_strcmp0 (f[2], "=") == 0) {
		const gchar *zh = hpo_zh != NULL ? g_hash_table_lookup (hpo_zh, f[0]) : NULL;
		if (zh == NULL) {
			g_set_error (error, SP_LEXICON_ERROR, SP_LEXICON_ERROR_INVALID,
				     "zh_label '=' but %s has no official HPO Chinese label", f[0]);
			sp_concept_free (c);
			return FALSE;
		}
		c->label_zh = g_strdup (zh);
	} else {
		c->label_zh = g_strdup (f[2]);
	}
	c->site = n > 5 && f[5][0] != '\0' && g_strcmp0 (f[5], "-") != 0 ? g_strdup (f[5]) : NULL;
	if (!sp_lexicon_concept_extra (c, f, n, error)) {
		sp_concept_free (c);
		return FALSE;
	}
	value = SP_TERM_PACK (SP_TERM_CONCEPT, self->concepts->len);
	g_ptr_array_add (self->concepts, c);
	sp_lexicon_add_en (self, self->en_concepts, c->label_en, value);
	sp_lexicon_add_zh (self, self->zh_concepts, c->label_zh, value);
	sp_lexicon_add_synonyms (self, self->en_concepts, FALSE, n > 3 ? f[3] : NULL, value);
	sp_lexicon_add_synonyms (self, self->zh_concepts, TRUE, n > 4 ? f[4] : NULL, value);
	return TRUE;
}

static gboolean
sp_lexicon_site_row (SpLexicon *self, gchar **f, guint n, gpointer user_data, GError **error)
{
	SpSite *s;
	gpointer value;

	if (f[0][0] == '\0' || f[1][0] == '\0') {
		g_set_error_literal (error, SP_LEXICON_ERROR, SP_LEXICON_ERROR_INVALID,
				     "code and en_label are required");
		return FALSE;
	}
	s = g_new0 (SpSite, 1);
	s->code = g_strdup (f[0]);
	s->label_en = g_strdup (f[1]);
	s->label_zh = g_strdup (f[2]);
	value = SP_TERM_PACK (SP_TERM_SITE, self->sites->len);
	g_ptr_array_add (self->sites, s);
	g_hash_table_insert (self->site_by_code, s->code, s);
	sp_lexicon_add_en (self, self->en_sites, s->label_en, value);
	sp_lexicon_add_zh (self, self->zh_sites, s->label_zh, value);
	sp_lexicon_add_synonyms (self, self->en_sites, FALSE, n > 3 ? f[3] : NULL, value);
	sp_lexicon_add_synonyms (self, self->zh_sites, TRUE, n > 4 ? f[4] : NULL, value);
	return TRUE;
}

static gboolean
sp_lexicon_cue_row (SpLexicon *self, gchar **f, guint n, gpointer user_data, GError **error)
{
	guint cue;

	for (cue = 0; cue < SP_CUE_LAST; cue++) {
		if (g_strcmp0 (f[1], sp_cue_names[cue]) == 0)
			break;
	}
	if (cue == SP_CUE_LAST) {
		g_set_error (error, SP_LEXICON_ERROR, SP_LEXICON_ERROR_INVALID,
			     "unknown cue category '%s'", f[1]);
		return FALSE;
	}
	if (g_strcmp0 (f[0], "en") == 0) {
		sp_lexicon_add_en (self, self->en_cues, f[2],
				   SP_TERM_PACK (SP_TERM_CUE, 1u << cue));
	} else if (g_strcmp0 (f[0], "zh") == 0) {
		sp_lexicon_add_zh (self, self->zh_cues, f[2],
				   SP_TERM_PACK (SP_TERM_CUE, 1u << cue));
	} else {
		g_set_error (error, SP_LEXICON_ERROR, SP_LEXICON_ERROR_INVALID,
			     "language '%s' is not en or zh", f[0]);
		return FALSE;
	}
	/* "zh  family  其母  mother": the relation a family cue names */
	if (n > 3 && f[3][0] != '\0' && g_strcmp0 (f[3], "-") != 0) {
		g_autofree gchar *key = NULL;
		guint n_units = 0;
		if (cue != SP_CUE_FAMILY) {
			g_set_error_literal (error, SP_LEXICON_ERROR, SP_LEXICON_ERROR_INVALID,
					     "only a family cue has a 4th column (the relation)");
			return FALSE;
		}
		if (!g_strv_contains (sp_relation_names, f[3])) {
			g_autofree gchar *names = g_strjoinv (", ", (gchar **)sp_relation_names);
			g_set_error (error, SP_LEXICON_ERROR, SP_LEXICON_ERROR_INVALID,
				     "unknown relation '%s' (%s)", f[3], names);
			return FALSE;
		}
		key = f[0][0] == 'e' ? sp_en_phrase_key (f[2], &n_units)
				     : mv_normalize_string (f[2]);
		if (key != NULL)
			g_hash_table_insert (f[0][0] == 'e' ? self->en_relations
							    : self->zh_relations,
					     g_steal_pointer (&key), g_strdup (f[3]));
	}
	return TRUE;
}

const gchar *
sp_lexicon_get_relation (const SpLexicon *self, const gchar *norm, gsize len)
{
	g_autofree gchar *text = g_strndup (norm, len);
	g_autofree gchar *key = NULL;
	const gchar *relation = g_hash_table_lookup (self->zh_relations, text);
	guint n_units = 0;

	if (relation != NULL)
		return relation;
	/* an English cue is keyed by its word units, as it was matched */
	key = sp_en_phrase_key (text, &n_units);
	return key != NULL ? g_hash_table_lookup (self->en_relations, key) : NULL;
}

gboolean
sp_lexicon_load_concepts (SpLexicon *self, const gchar *path, GHashTable *hpo_zh, GError **error)
{
	return sp_lexicon_read_tsv (self, path, 5, sp_lexicon_concept_row, hpo_zh, error);
}

gboolean
sp_lexicon_load_sites (SpLexicon *self, const gchar *path, GError **error)
{
	return sp_lexicon_read_tsv (self, path, 3, sp_lexicon_site_row, NULL, error);
}

gboolean
sp_lexicon_load_cues (SpLexicon *self, const gchar *path, GError **error)
{
	return sp_lexicon_read_tsv (self, path, 3, sp_lexicon_cue_row, NULL, error);
}

/* combos.tsv, first pass: each term is inserted (so it wins over the concept files) with the
 * index of its combo; @codes receives each combo's codes, resolved by sp_lexicon_combo_codes()
 * once the concepts are loaded. */
static gboolean
sp_lexicon_combo_row (SpLexicon *self, gchar **f, guint n, gpointer user_data, GError **error)
{
	GPtrArray *codes = user_data;
	gpointer value = GUINT_TO_POINTER (
		GPOINTER_TO_UINT (SP_TERM_PACK (SP_TERM_CONCEPT, self->combos->len))
		| SP_TERM_COMBO);

	if (g_strcmp0 (f[0], "en") != 0 && g_strcmp0 (f[0], "zh") != 0) {
		g_set_error (error, SP_LEXICON_ERROR, SP_LEXICON_ERROR_INVALID,
			     "language '%s' is not en or zh", f[0]);
		return FALSE;
	}
	if (strchr (f[2], '|') == NULL) {
		g_set_error_literal (error, SP_LEXICON_ERROR, SP_LEXICON_ERROR_INVALID,
				     "a combo names at least two codes");
		return FALSE;
	}
	g_ptr_array_add (codes, g_strdup (f[2]));
	g_ptr_array_add (self->combos, g_array_new (FALSE, FALSE, sizeof (guint)));
	if (f[0][0] == 'e')
		sp_lexicon_add_en (self, self->en_concepts, f[1], value);
	else
		sp_lexicon_add_zh (self, self->zh_concepts, f[1], value);
	return TRUE;
}

/* combos.tsv, second pass: every code must be a loaded concept. */
static gboolean
sp_lexicon_combo_codes (SpLexicon *self, const gchar *path, GPtrArray *codes, GError **error)
{
	g_autoptr (GHashTable) by_code = g_hash_table_new (g_str_hash, g_str_equal);

	for (guint i = 0; i < self->concepts->len; i++) {
		SpConcept *c = g_ptr_array_index (self->concepts, i);
		g_hash_table_insert (by_code, c->code, GUINT_TO_POINTER (i + 1));
	}
	for (guint i = 0; i < codes->len; i++) {
		g_auto (GStrv) list = g_strsplit (g_ptr_array_index (codes, i), "|", -1);
		GArray *combo = g_ptr_array_index (self->combos, i);
		for (guint k = 0; list[k] != NULL; k++) {
			guint at = GPOINTER_TO_UINT (g_hash_table_lookup (by_code, list[k]));
			if (at == 0) {
				g_set_error (error, SP_LEXICON_ERROR, SP_LEXICON_ERROR_INVALID,
					     "%s: combo %u names %s, which is no concept", path,
					     i + 1, list[k]);
				return FALSE;
			}
			at--;
			g_array_append_val (combo, at);
		}
	}
	return TRUE;
}

/* The generic concepts a site can make specific, and the words of a specific concept's English
 * label that say it is one of them ("Knee pain", "Headache", "Sore throat"; "Pedal edema";
 * "Itchy nose"). */
static const struct {
	const gchar *code;
	const gchar *const words[4];
} sp_generics[] = {
	{ "HP:0012531", { "pain", "ache", "sore", NULL } },
	{ "MV:0004", { "swelling", "edema", NULL } },
	{ "HP:0000989", { "itch", "prurit", NULL } },
	{ "MV:0003", { "stiff", NULL } },
	{ "MV:0009", { "numb", NULL } },
	{ "MV:0002", { "tender", NULL } },
	{ "HP:0001892", { "bleed", NULL } },
};

/* For each generic concept and site, the first symptom (in file order, so the curated one) whose
 * own site is that site and whose label says it is of that generic kind. */
static void
sp_lexicon_index_site_specific (SpLexicon *self)
{
	for (guint g = 0; g < G_N_ELEMENTS (sp_generics); g++) {
		gint generic = -1;
		for (guint i = 0; i < self->concepts->len && generic < 0; i++) {
			SpConcept *c = g_ptr_array_index (self->concepts, i);
			if (g_strcmp0 (c->code, sp_generics[g].code) == 0)
				generic = (gint)i;
		}
		if (generic < 0)
			continue;
		for (guint i = 0; i < self->concepts->len; i++) {
			SpConcept *c = g_ptr_array_index (self->concepts, i);
			g_autofree gchar *label = NULL;
			g_autofree gchar *key = NULL;
			gboolean of_kind = FALSE;
			if (c->site == NULL || c->kind != SP_CONCEPT_SYMPTOM)
				continue;
			label = g_ascii_strdown (c->label_en, -1);
			for (guint w = 0; sp_generics[g].words[w] != NULL && !of_kind; w++)
				of_kind = strstr (label, sp_generics[g].words[w]) != NULL;
			key = g_strdup_printf ("%p|%s",
					       g_ptr_array_index (self->concepts, (guint)generic),
					       c->site);
			if (of_kind && !g_hash_table_contains (self->site_specific, key))
				g_hash_table_insert (self->site_specific, g_steal_pointer (&key),
						     GUINT_TO_POINTER (i + 1));
		}
	}
}

/* Parts of a site that has a concept of its own when the part has none: a pain at the temple,
 * the forehead or the back of the head is a headache (两侧太阳穴胀痛, 后脑勺子疼得很). */
static const gchar *
sp_lexicon_site_whole (const gchar *site)
{
	static const gchar *const parts[][2] = {
		{ "SITE:temple", "SITE:head" },
		{ "SITE:forehead", "SITE:head" },
		{ "SITE:occiput", "SITE:head" },
	};

	for (guint i = 0; i < G_N_ELEMENTS (parts); i++) {
		if (g_str_equal (site, parts[i][0]))
			return parts[i][1];
	}
	return NULL;
}

const SpConcept *
sp_lexicon_site_specific (const SpLexicon *self, const SpConcept *generic, const gchar *site)
{
	g_autofree gchar *key = NULL;
	guint at;

	if (site == NULL || g_hash_table_size (self->site_specific) == 0)
		return NULL;
	key = g_strdup_printf ("%p|%s", (gconstpointer)generic, site);
	at = GPOINTER_TO_UINT (g_hash_table_lookup (self->site_specific, key));
	if (at == 0 && sp_lexicon_site_whole (site) != NULL)
		return sp_lexicon_site_specific (self, generic, sp_lexicon_site_whole (site));
	return at > 0 ? g_ptr_array_index (self->concepts, at - 1) : NULL;
}

SpLexicon *
sp_lexicon_new_from_dir (const gchar *dir, GError **error)
{
	g_autofree gchar *combos = g_build_filename (dir, "combos.tsv", NULL);
	g_autoptr (GPtrArray) combo_codes = g_ptr_array_new_with_free_func (g_free);
	g_autoptr (SpLexicon) self = sp_lexicon_new ();
	g_autofree gchar *concepts = g_build_filename (dir, "concepts.tsv", NULL);
	g_autofree gchar *sites = g_build_filename (dir, "sites.tsv", NULL);
	g_autofree gchar *cues = g_build_filename (dir, "cues.tsv", NULL);

	/* combos first (optional file), then concepts: a term that is both a concept and a site
	 * is a concept */
	if (g_file_test (combos, G_FILE_TEST_EXISTS)
	    && !sp_lexicon_read_tsv (self, combos, 3, sp_lexicon_combo_row, combo_codes, error))
		return NULL;
	if (!sp_lexicon_load_concepts (self, concepts, NULL, error))
		return NULL;
	if (!sp_lexicon_combo_codes (self, combos, combo_codes, error))
		return NULL;
	if (!sp_lexicon_load_sites (self, sites, error))
		return NULL;
	if (!sp_lexicon_load_cues (self, cues, error))
		return NULL;
	sp_lexicon_index_site_specific (self);
	return g_steal_pointer (&self);
}

GHashTable *
sp_lexicon_read_hpo_zh (const gchar *path, GError **error)
{
	g_autofree gchar *contents = NULL;
	g_auto (GStrv) lines = NULL;
	g_autoptr (GHashTable) map
		= g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	gint col_id = -1, col_pred = -1, col_zh = -1;

	if (!g_file_get_contents (path, &contents, NULL, error))
		return NULL;
	lines = g_strsplit (contents, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		g_auto (GStrv) f = g_strsplit (lines[i], "\t", -1);
		gint n = (gint)g_strv_length (f);
		if (lines[i][0] == '\0' || lines[i][0] == '#')
			continue;
		if (col_id < 0) {
			for (gint k = 0; k < n; k++) {
				g_strstrip (f[k]);
				if (g_strcmp0 (f[k], "subject_id") == 0)
					col_id = k;
				else if (g_strcmp0 (f[k], "predicate_id") == 0)
					col_pred = k;
				else if (g_strcmp0 (f[k], "translation_value") == 0)
					col_zh = k;
			}
			if (col_id < 0 || col_zh < 0) {
				g_set_error (error, SP_LEXICON_ERROR, SP_LEXICON_ERROR_INVALID,
					     "%s: header has no subject_id and translation_value "
					     "columns",
					     path);
				return NULL;
			}
			continue;
		}
		if (n <= MAX (col_id, col_zh)
		    || (col_pred >= 0 && n > col_pred
			&& g_strcmp0 (f[col_pred], "rdfs:label") != 0))
			continue;
		g_strstrip (f[col_zh]);
		if (f[col_zh][0] != '\0' && g_utf8_validate (f[col_zh], -1, NULL))
			g_hash_table_insert (map, g_strdup (g_strstrip (f[col_id])),
					     g_strdup (f[col_zh]));
	}
	return g_steal_pointer (&map);
}

gboolean
sp_lexicon_write_zh_words (SpLexicon *self, const gchar *path, gdouble freq, GError **error)
{
	g_autoptr (GString) out
		= g_string_new ("# Chinese concept and site terms of the symptom-parser lexicon\n");
	g_autoptr (GList) keys = g_list_concat (g_hash_table_get_keys (self->zh_concepts),
						g_hash_table_get_keys (self->zh_sites));
	gchar buf[G_ASCII_DTOSTR_BUF_SIZE];

	keys = g_list_sort (keys, (GCompareFunc)g_strcmp0);
	for (GList *l = keys; l != NULL; l = l->next)
		g_string_append_printf (out, "%s %s\n", (const gchar *)l->data,
					g_ascii_dtostr (buf, sizeof (buf), freq));
	return g_file_set_contents (path, out->str, (gssize)out->len, error);
}
