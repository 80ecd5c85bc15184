/*
 * Medverse tokenizers — Chinese dictionary trie and unigram segmenter.
 *
 * File layout (all integers little-endian 32-bit, checked against the host's byte order):
 *
 *   0  magic "MVZHDIC1"
 *   8  byte-order mark 0x01020304
 *   12 n_nodes            (node 0 is the root)
 *   16 n_words
 *   20 oov_logp (float)   log-probability of a character that starts no word
 *   24 max_word_len       in code points
 *   28 reserved (0)
 *   32 label[n_nodes]       code point on the edge into the node
 *      first_child[n_nodes] children are contiguous and sorted by label
 *      n_children[n_nodes]
 *      logp[n_nodes]        float; > 0 means "not a word"
 *
 * Nodes are numbered breadth-first, so a child's index is always greater than its parent's:
 * that is what makes every walk terminate even on a hostile file.
 */
#define G_LOG_DOMAIN "mv-tokenizers"

#include "mv-zh-dict.h"

#include <math.h>
#include <string.h>

#define MV_ZH_MAGIC "MVZHDIC1"
#define MV_ZH_BOM 0x01020304u
#define MV_ZH_HEADER_SIZE 32
#define MV_ZH_MAX_WORD 32
#define MV_ZH_NOT_WORD 1.0f

struct _MvZhDict {
	GMappedFile *mapped; /* nullable */
	GBytes *bytes;
	const guint32 *label;
	const guint32 *first_child;
	const guint32 *n_children;
	const gfloat *logp;
	guint32 n_nodes;
	guint32 n_words;
	gfloat oov_logp;
	guint32 max_word_len;
};

static gboolean
mv_zh_dict_validate (MvZhDict *self, GError **error)
{
	gsize size = 0;
	const guint8 *data = g_bytes_get_data (self->bytes, &size);
	guint32 hdr[6];

	if (size < MV_ZH_HEADER_SIZE || memcmp (data, MV_ZH_MAGIC, 8) != 0) {
		g_set_error_literal (error,
				     MV_TOKENIZER_ERROR,
				     MV_TOKENIZER_ERROR_INVALID,
				     "not a Chinese dictionary trie (bad magic)");
		return FALSE;
	}
	memcpy (hdr, data + 8, sizeof (hdr));
	if (hdr[0] != MV_ZH_BOM) {
		g_set_error_literal (error,
				     MV_TOKENIZER_ERROR,
				     MV_TOKENIZER_ERROR_INVALID,
				     "dictionary trie was written with another byte order; rebuild it");
		return FALSE;
	}
	self->n_nodes = hdr[1];
	self->n_words = hdr[2];
	memcpy (&self->oov_logp, &hdr[3], sizeof (gfloat));
	self->max_word_len = hdr[4];
	if (self->n_nodes == 0 || self->n_nodes > (G_MAXUINT32 - MV_ZH_HEADER_SIZE) / 16 ||
	    size != MV_ZH_HEADER_SIZE + (gsize) self->n_nodes * 16 || !isfinite (self->oov_logp) ||
	    self->oov_logp > 0 || self->max_word_len > MV_ZH_MAX_WORD) {
		g_set_error (error,
			     MV_TOKENIZER_ERROR,
			     MV_TOKENIZER_ERROR_INVALID,
			     "dictionary trie header is inconsistent (%" G_GSIZE_FORMAT " bytes, %u nodes)",
			     size,
			     self->n_nodes);
		return FALSE;
	}
	self->label = (const guint32 *) (const void *) (data + MV_ZH_HEADER_SIZE);
	self->first_child = self->label + self->n_nodes;
	self->n_children = self->first_child + self->n_nodes;
	self->logp = (const gfloat *) (const void *) (self->n_children + self->n_nodes);
	for (guint32 i = 0; i < self->n_nodes; i++) {
		guint32 first = self->first_child[i];
		guint32 n = self->n_children[i];
		gfloat lp = self->logp[i];
		if (n > 0 && (first <= i || first > self->n_nodes || n > self->n_nodes - first)) {
			g_set_error (error,
				     MV_TOKENIZER_ERROR,
				     MV_TOKENIZER_ERROR_INVALID,
				     "dictionary trie node %u has children out of range",
				     i);
			return FALSE;
		}
		for (guint32 k = 1; k < n; k++) {
			if (self->label[first + k - 1] >= self->label[first + k]) {
				g_set_error (error,
					     MV_TOKENIZER_ERROR,
					     MV_TOKENIZER_ERROR_INVALID,
					     "dictionary trie node %u has unsorted children",
					     i);
				return FALSE;
			}
		}
		if (lp != MV_ZH_NOT_WORD && !(isfinite (lp) && lp <= 0)) {
			g_set_error (error,
				     MV_TOKENIZER_ERROR,
				     MV_TOKENIZER_ERROR_INVALID,
				     "dictionary trie node %u has an invalid probability",
				     i);
			return FALSE;
		}
	}
	return TRUE;
}

MvZhDict *
mv_zh_dict_new_from_bytes (GBytes *bytes, GError **error)
{
	g_autoptr(MvZhDict) self = g_new0 (MvZhDict, 1);
	gsize size = 0;
	gconstpointer data = g_bytes_get_data (bytes, &size);

	/* the arrays are read in place: they must be 4-byte aligned */
	if (((guintptr) data % 4) != 0)
		self->bytes = g_bytes_new (data, size);
	else
		self->bytes = g_bytes_ref (bytes);
	if (!mv_zh_dict_validate (self, error))
		return NULL;
	return g_steal_pointer (&self);
}

MvZhDict *
mv_zh_dict_new_from_file (const gchar *path, GError **error)
{
	g_autoptr(GMappedFile) mapped = g_mapped_file_new (path, FALSE, error);
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(GError) error_local = NULL;
	MvZhDict *self;

	if (mapped == NULL)
		return NULL;
	bytes = g_mapped_file_get_bytes (mapped);
	if (bytes == NULL) /* an empty file maps to NULL contents */
		bytes = g_bytes_new (NULL, 0);
	self = mv_zh_dict_new_from_bytes (bytes, &error_local);
	if (self == NULL) {
		g_set_error (error,
			     MV_TOKENIZER_ERROR,
			     MV_TOKENIZER_ERROR_INVALID,
			     "%s: %s",
			     path,
			     error_local->message);
		return NULL;
	}
	self->mapped = g_steal_pointer (&mapped);
	return self;
}

void
mv_zh_dict_free (MvZhDict *self)
{
	if (self == NULL)
		return;
	g_clear_pointer (&self->bytes, g_bytes_unref);
	g_clear_pointer (&self->mapped, g_mapped_file_unref);
	g_free (self);
}

guint
mv_zh_dict_get_n_words (const MvZhDict *self)
{
	return self->n_words;
}

/* The child of @node labelled @c, or 0 (the root is never a child). */
static inline guint32
mv_zh_dict_child (const MvZhDict *self, guint32 node, gunichar c)
{
	guint32 lo = self->first_child[node];
	guint32 hi = lo + self->n_children[node];

	while (lo < hi) {
		guint32 mid = lo + (hi - lo) / 2;
		guint32 l = self->label[mid];
		if (l == c)
			return mid;
		if (l < c)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

gboolean
mv_zh_dict_lookup (const MvZhDict *self, const gunichar *cps, guint n, gfloat *logp)
{
	guint32 node = 0;

	if (n == 0)
		return FALSE;
	for (guint i = 0; i < n; i++) {
		node = mv_zh_dict_child (self, node, cps[i]);
		if (node == 0)
			return FALSE;
	}
	if (self->logp[node] == MV_ZH_NOT_WORD)
		return FALSE;
	if (logp != NULL)
		*logp = self->logp[node];
	return TRUE;
}

void
mv_zh_dict_segment (const MvZhDict *self, const gunichar *cps, guint n, GArray *ends)
{
	g_autofree gdouble *route = NULL;
	g_autofree guint *next = NULL;
	g_autofree gboolean *known_single = NULL;
	guint i;
	guint oov_start = G_MAXUINT;

	if (n == 0)
		return;
	route = g_new (gdouble, n + 1);
	next = g_new (guint, n + 1);
	known_single = g_new0 (gboolean, n);
	route[n] = 0;
	for (i = n; i-- > 0;) {
		guint32 node = 0;
		gdouble best = self->oov_logp + route[i + 1];
		guint best_end = i + 1;

		for (guint j = i; j < n && j - i < MV_ZH_MAX_WORD; j++) {
			node = mv_zh_dict_child (self, node, cps[j]);
			if (node == 0)
				break;
			if (self->logp[node] != MV_ZH_NOT_WORD) {
				gdouble cand = self->logp[node] + route[j + 1];
				if (j == i) {
					/* a known character replaces the unknown-word estimate */
					known_single[i] = TRUE;
					best = cand;
				} else if (cand >= best) {
					/* ties go to the longer word, as jieba does */
					best = cand;
					best_end = j + 1;
				}
			}
		}
		route[i] = best;
		next[i] = best_end;
	}

	/* walk the best path, joining runs of unknown single characters */
	for (i = 0; i < n; i = next[i]) {
		gboolean oov = next[i] == i + 1 && !known_single[i];
		if (oov) {
			if (oov_start == G_MAXUINT)
				oov_start = i;
			if (i + 1 - oov_start >= MV_ZH_OOV_MAX_CHARS) {
				guint e = i + 1;
				g_array_append_val (ends, e);
				oov_start = G_MAXUINT;
			}
			continue;
		}
		if (oov_start != G_MAXUINT) {
			g_array_append_val (ends, i);
			oov_start = G_MAXUINT;
		}
		g_array_append_val (ends, next[i]);
	}
	if (oov_start != G_MAXUINT)
		g_array_append_val (ends, n);
}

/* ---- building ---------------------------------------------------------------------------- */

struct _MvZhDictBuilder {
	GHashTable *words; /* normalised word -> gdouble* frequency */
};

MvZhDictBuilder *
mv_zh_dict_builder_new (void)
{
	MvZhDictBuilder *self = g_new0 (MvZhDictBuilder, 1);
	self->words = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	return self;
}

void
mv_zh_dict_builder_free (MvZhDictBuilder *self)
{
	if (self == NULL)
		return;
	g_hash_table_unref (self->words);
	g_free (self);
}

gboolean
mv_zh_dict_builder_add (MvZhDictBuilder *self, const gchar *word, gdouble freq)
{
	g_autofree gchar *norm = mv_normalize_string (word);
	glong n = 0;

	if (norm == NULL)
		return FALSE;
	for (const gchar *p = norm; *p != '\0'; p = g_utf8_next_char (p), n++) {
		if (!mv_unichar_is_han (g_utf8_get_char (p)))
			return FALSE;
	}
	if (n == 0 || n > MV_ZH_MAX_WORD)
		return FALSE;
	g_hash_table_insert (self->words, g_steal_pointer (&norm), g_memdup2 (&(gdouble){MAX (freq, 1.0)}, sizeof (gdouble)));
	return TRUE;
}

gdouble
mv_zh_dict_builder_get_freq (MvZhDictBuilder *self, const gchar *word)
{
	g_autofree gchar *norm = mv_normalize_string (word);
	const gdouble *f = norm != NULL ? g_hash_table_lookup (self->words, norm) : NULL;
	return f != NULL ? *f : 0;
}

typedef struct {
	gunichar *cps;
	guint len;
	gdouble freq;
} MvZhWord;

static gint
mv_zh_word_cmp (gconstpointer a, gconstpointer b)
{
	const MvZhWord *wa = a;
	const MvZhWord *wb = b;
	guint n = MIN (wa->len, wb->len);
	for (guint i = 0; i < n; i++) {
		if (wa->cps[i] != wb->cps[i])
			return wa->cps[i] < wb->cps[i] ? -1 : 1;
	}
	return (gint) wa->len - (gint) wb->len;
}

typedef struct {
	guint32 node;
	guint lo;
	guint hi;
	guint depth;
} MvZhRange;

GBytes *
mv_zh_dict_builder_build (MvZhDictBuilder *self)
{
	g_autoptr(GArray) words = g_array_new (FALSE, FALSE, sizeof (MvZhWord));
	g_autoptr(GArray) label = g_array_new (FALSE, TRUE, sizeof (guint32));
	g_autoptr(GArray) first_child = g_array_new (FALSE, TRUE, sizeof (guint32));
	g_autoptr(GArray) n_children = g_array_new (FALSE, TRUE, sizeof (guint32));
	g_autoptr(GArray) logp = g_array_new (FALSE, TRUE, sizeof (gfloat));
	g_autoptr(GQueue) queue = g_queue_new ();
	g_autoptr(GByteArray) out = g_byte_array_new ();
	GHashTableIter iter;
	gpointer key, value;
	gdouble total = 0;
	guint32 max_len = 0;
	guint32 hdr[6];
	MvZhRange *root;

	g_hash_table_iter_init (&iter, self->words);
	while (g_hash_table_iter_next (&iter, &key, &value)) {
		glong len = 0;
		MvZhWord w = {g_utf8_to_ucs4_fast (key, -1, &len), 0, *(gdouble *) value};
		w.len = (guint) len;
		max_len = MAX (max_len, w.len);
		total += w.freq;
		g_array_append_val (words, w);
	}
	g_array_sort (words, mv_zh_word_cmp);
	if (total < 1)
		total = 1;

	/* breadth-first: a node owns the range of sorted words sharing its prefix */
	g_array_set_size (label, 1);
	g_array_set_size (first_child, 1);
	g_array_set_size (n_children, 1);
	g_array_append_val (logp, (gfloat){MV_ZH_NOT_WORD});
	root = g_new0 (MvZhRange, 1);
	root->hi = words->len;
	g_queue_push_tail (queue, root);
	while (!g_queue_is_empty (queue)) {
		g_autofree MvZhRange *r = g_queue_pop_head (queue);
		guint lo = r->lo;
		guint32 first = label->len;
		guint32 count = 0;

		if (lo < r->hi && g_array_index (words, MvZhWord, lo).len == r->depth) {
			MvZhWord *w = &g_array_index (words, MvZhWord, lo);
			g_array_index (logp, gfloat, r->node) = (gfloat) log (w->freq / total);
			lo++;
		}
		while (lo < r->hi) {
			gunichar c = g_array_index (words, MvZhWord, lo).cps[r->depth];
			guint hi = lo;
			MvZhRange *child = g_new0 (MvZhRange, 1);
			while (hi < r->hi && g_array_index (words, MvZhWord, hi).cps[r->depth] == c)
				hi++;
			child->node = label->len;
			child->lo = lo;
			child->hi = hi;
			child->depth = r->depth + 1;
			g_array_append_val (label, c);
			g_array_append_val (first_child, (guint32){0});
			g_array_append_val (n_children, (guint32){0});
			g_array_append_val (logp, (gfloat){MV_ZH_NOT_WORD});
			g_queue_push_tail (queue, child);
			count++;
			lo = hi;
		}
		g_array_index (first_child, guint32, r->node) = count > 0 ? first : 0;
		g_array_index (n_children, guint32, r->node) = count;
	}
	for (guint i = 0; i < words->len; i++)
		g_free (g_array_index (words, MvZhWord, i).cps);

	g_byte_array_append (out, (const guint8 *) MV_ZH_MAGIC, 8);
	hdr[0] = MV_ZH_BOM;
	hdr[1] = label->len;
	hdr[2] = words->len;
	{
		gfloat oov = (gfloat) -log (total);
		memcpy (&hdr[3], &oov, sizeof (gfloat));
	}
	hdr[4] = max_len;
	hdr[5] = 0;
	g_byte_array_append (out, (const guint8 *) hdr, sizeof (hdr));
	g_byte_array_append (out, (const guint8 *) label->data, label->len * 4);
	g_byte_array_append (out, (const guint8 *) first_child->data, first_child->len * 4);
	g_byte_array_append (out, (const guint8 *) n_children->data, n_children->len * 4);
	g_byte_array_append (out, (const guint8 *) logp->data, logp->len * 4);
	return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}
