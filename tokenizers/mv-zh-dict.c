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
 *   32 nodes[n_nodes], 16 bytes each, so that one node is one cache access:
 *        label        code point on the edge into the node
 *        first_child  children are contiguous and sorted by label
 *        n_children
 *        logp         float; > 0 means "not a word"
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

typedef struct {
	guint32 label;
	guint32 first_child;
	guint32 n_children;
	gfloat logp;
} MvZhNode;

G_STATIC_ASSERT (sizeof (MvZhNode) == 16);

typedef struct {
	guint32 parent; /* 0: empty slot (the root's children are in root_bmp) */
	guint32 label;
	guint32 child;
} MvZhEdge;

/* nodes with more children than this go into the edge hash; fewer are scanned */
#define MV_ZH_WIDE 8

static inline guint32
mv_zh_edge_hash (guint32 parent, guint32 label)
{
	return (parent * 0x9E3779B1u) ^ (label * 0x85EBCA77u);
}

struct _MvZhDict {
	GMappedFile *mapped; /* nullable */
	GBytes *bytes;
	const MvZhNode *nodes;
	guint32 n_nodes;
	guint32 n_words;
	gfloat oov_logp;
	guint32 max_word_len;
	guint32 *root_bmp; /* children of the root by code point (BMP): the hottest lookup */
	/* children of wide nodes, by (parent, code point), built at load time: one probe instead
	 * of a binary search whose every step is a cache miss */
	MvZhEdge *edges;
	guint32 edges_mask;
};

static gboolean
mv_zh_dict_validate (MvZhDict *self, GError **error)
{
	gsize size = 0;
	const guint8 *data = g_bytes_get_data (self->bytes, &size);
	guint32 hdr[6];

	if (size < MV_ZH_HEADER_SIZE || memcmp (data, MV_ZH_MAGIC, 8) != 0) {
		g_set_error_literal (error, MV_TOKENIZER_ERROR, MV_TOKENIZER_ERROR_INVALID,
				     "not a Chinese dictionary trie (bad magic)");
		return FALSE;
	}
	memcpy (hdr, data + 8, sizeof (hdr));
	if (hdr[0] != MV_ZH_BOM) {
		g_set_error_literal (
			error, MV_TOKENIZER_ERROR, MV_TOKENIZER_ERROR_INVALID,
			"dictionary trie was written with another byte order; rebuild it");
		return FALSE;
	}
	self->n_nodes = hdr[1];
	self->n_words = hdr[2];
	memcpy (&self->oov_logp, &hdr[3], sizeof (gfloat));
	self->max_word_len = hdr[4];
	if (self->n_nodes == 0 || self->n_nodes > (G_MAXUINT32 - MV_ZH_HEADER_SIZE) / 16
	    || size != MV_ZH_HEADER_SIZE + (gsize)self->n_nodes * 16 || !isfinite (self->oov_logp)
	    || self->oov_logp > 0 || self->max_word_len > MV_ZH_MAX_WORD) {
		g_set_error (error, MV_TOKENIZER_ERROR, MV_TOKENIZER_ERROR_INVALID,
			     "dictionary trie header is inconsistent (%" G_GSIZE_FORMAT
			     " bytes, %u nodes)",
			     size, self->n_nodes);
		return FALSE;
	}
	self->nodes = (const MvZhNode *)(const void *)(data + MV_ZH_HEADER_SIZE);
	for (guint32 i = 0; i < self->n_nodes; i++) {
		guint32 first = self->nodes[i].first_child;
		guint32 n = self->nodes[i].n_children;
		gfloat lp = self->nodes[i].logp;
		if (n > 0 && (first <= i || first > self->n_nodes || n > self->n_nodes - first)) {
			g_set_error (error, MV_TOKENIZER_ERROR, MV_TOKENIZER_ERROR_INVALID,
				     "dictionary trie node %u has children out of range", i);
			return FALSE;
		}
		for (guint32 k = 1; k < n; k++) {
			if (self->nodes[first + k - 1].label >= self->nodes[first + k].label) {
				g_set_error (error, MV_TOKENIZER_ERROR, MV_TOKENIZER_ERROR_INVALID,
					     "dictionary trie node %u has unsorted children", i);
				return FALSE;
			}
		}
		if (lp != MV_ZH_NOT_WORD && !(isfinite (lp) && lp <= 0)) {
			g_set_error (error, MV_TOKENIZER_ERROR, MV_TOKENIZER_ERROR_INVALID,
				     "dictionary trie node %u has an invalid probability", i);
			return FALSE;
		}
	}
	return TRUE;
}

static void
mv_zh_dict_index (MvZhDict *self)
{
	guint64 n_edges = 0;
	guint32 size = 16;

	for (guint32 i = 1; i < self->n_nodes; i++) {
		if (self->nodes[i].n_children > MV_ZH_WIDE)
			n_edges += self->nodes[i].n_children;
	}
	while (size < n_edges * 2 && size < (1u << 30))
		size *= 2;
	self->edges = g_new0 (MvZhEdge, size);
	self->edges_mask = size - 1;
	for (guint32 i = 1; i < self->n_nodes; i++) {
		const MvZhNode *n = &self->nodes[i];
		if (n->n_children <= MV_ZH_WIDE)
			continue;
		for (guint32 k = 0; k < n->n_children; k++) {
			guint32 child = n->first_child + k;
			guint32 h
				= mv_zh_edge_hash (i, self->nodes[child].label) & self->edges_mask;
			while (self->edges[h].parent != 0)
				h = (h + 1) & self->edges_mask;
			self->edges[h] = (MvZhEdge){ i, self->nodes[child].label, child };
		}
	}
}

MvZhDict *
mv_zh_dict_new_from_bytes (GBytes *bytes, GError **error)
{
	g_autoptr (MvZhDict) self = g_new0 (MvZhDict, 1);
	gsize size = 0;
	gconstpointer data = g_bytes_get_data (bytes, &size);

	/* the arrays are read in place: they must be 4-byte aligned */
	if (((guintptr)data % 4) != 0)
		self->bytes = g_bytes_new (data, size);
	else
		self->bytes = g_bytes_ref (bytes);
	if (!mv_zh_dict_validate (self, error))
		return NULL;
	mv_zh_dict_index (self);
	self->root_bmp = g_new0 (guint32, 0x10000);
	for (guint32 k = 0; k < self->nodes[0].n_children; k++) {
		guint32 child = self->nodes[0].first_child + k;
		if (self->nodes[child].label < 0x10000)
			self->root_bmp[self->nodes[child].label] = child;
	}
	return g_steal_pointer (&self);
}

MvZhDict *
mv_zh_dict_new_from_file (const gchar *path, GError **error)
{
	g_autoptr (GMappedFile) mapped = g_mapped_file_new (path, FALSE, error);
	g_autoptr (GBytes) bytes = NULL;
	g_autoptr (GError) error_local = NULL;
	MvZhDict *self;

	if (mapped == NULL)
		return NULL;
	bytes = g_mapped_file_get_bytes (mapped);
	if (bytes == NULL) /* an empty file maps to NULL contents */
		bytes = g_bytes_new (NULL, 0);
	self = mv_zh_dict_new_from_bytes (bytes, &error_local);
	if (self == NULL) {
		g_set_error (error, MV_TOKENIZER_ERROR, MV_TOKENIZER_ERROR_INVALID, "%s: %s", path,
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
	g_free (self->root_bmp);
	g_free (self->edges);
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
	guint32 lo = self->nodes[node].first_child;
	guint32 hi = lo + self->nodes[node].n_children;

	if (node == 0 && c < 0x10000)
		return self->root_bmp[c];
	if (node != 0 && hi - lo > MV_ZH_WIDE) {
		for (guint32 h = mv_zh_edge_hash (node, c) & self->edges_mask;;
		     h = (h + 1) & self->edges_mask) {
			const MvZhEdge *e = &self->edges[h];
			if (e->parent == 0)
				return 0;
			if (e->parent == node && e->label == c)
				return e->child;
		}
	}
	if (hi - lo <= MV_ZH_WIDE) {
		for (guint32 k = lo; k < hi; k++) {
			if (self->nodes[k].label == c)
				return k;
		}
		return 0;
	}
	while (lo < hi) {
		guint32 mid = lo + (hi - lo) / 2;
		guint32 l = self->nodes[mid].label;
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
	if (self->nodes[node].logp == MV_ZH_NOT_WORD)
		return FALSE;
	if (logp != NULL)
		*logp = self->nodes[node].logp;
	return TRUE;
}

guint
mv_zh_dict_segment_into (const MvZhDict *self, const gunichar *cps, guint n, guint *ends)
{
	/* most runs are short: no allocation for them */
	gdouble route_s[65];
	guint next_s[65];
	gboolean known_s[64];
	g_autofree gdouble *route_h = NULL;
	g_autofree guint *next_h = NULL;
	g_autofree gboolean *known_h = NULL;
	gdouble *route = route_s;
	guint *next = next_s;
	gboolean *known_single = known_s;
	guint i;
	guint oov_start = G_MAXUINT;
	guint n_ends = 0;

	if (n == 0)
		return 0;
	if (n > 64) {
		route = route_h = g_new (gdouble, n + 1);
		next = next_h = g_new (guint, n + 1);
		known_single = known_h = g_new (gboolean, n);
	}
	memset (known_single, 0, n * sizeof (gboolean));
	route[n] = 0;
	for (i = n; i-- > 0;) {
		guint32 node = 0;
		gdouble best = self->oov_logp + route[i + 1];
		guint best_end = i + 1;

		for (guint j = i; j < n && j - i < MV_ZH_MAX_WORD; j++) {
			node = mv_zh_dict_child (self, node, cps[j]);
			if (node == 0)
				break;
			if (self->nodes[node].logp != MV_ZH_NOT_WORD) {
				gdouble cand = self->nodes[node].logp + route[j + 1];
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
				ends[n_ends++] = i + 1;
				oov_start = G_MAXUINT;
			}
			continue;
		}
		if (oov_start != G_MAXUINT) {
			ends[n_ends++] = i;
			oov_start = G_MAXUINT;
		}
		ends[n_ends++] = next[i];
	}
	if (oov_start != G_MAXUINT)
		ends[n_ends++] = n;
	return n_ends;
}

void
mv_zh_dict_segment (const MvZhDict *self, const gunichar *cps, guint n, GArray *ends)
{
	guint len = ends->len;
	g_array_set_size (ends, len + n);
	g_array_set_size (
		ends,
		len + mv_zh_dict_segment_into (self, cps, n, &g_array_index (ends, guint, len)));
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
	g_hash_table_insert (self->words, g_steal_pointer (&norm),
			     g_memdup2 (&(gdouble){ MAX (freq, 1.0) }, sizeof (gdouble)));
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
	return (gint)wa->len - (gint)wb->len;
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
	g_autoptr (GArray) words = g_array_new (FALSE, FALSE, sizeof (MvZhWord));
	g_autoptr (GArray) label = g_array_new (FALSE, TRUE, sizeof (guint32));
	g_autoptr (GArray) first_child = g_array_new (FALSE, TRUE, sizeof (guint32));
	g_autoptr (GArray) n_children = g_array_new (FALSE, TRUE, sizeof (guint32));
	g_autoptr (GArray) logp = g_array_new (FALSE, TRUE, sizeof (gfloat));
	g_autoptr (GQueue) queue = g_queue_new ();
	g_autoptr (GByteArray) out = g_byte_array_new ();
	GHashTableIter iter;
	gpointer key, value;
	gdouble total = 0;
	guint32 max_len = 0;
	guint32 hdr[6];
	MvZhRange *root;

	g_hash_table_iter_init (&iter, self->words);
	while (g_hash_table_iter_next (&iter, &key, &value)) {
		glong len = 0;
		MvZhWord w = { g_utf8_to_ucs4_fast (key, -1, &len), 0, *(gdouble *)value };
		w.len = (guint)len;
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
	g_array_append_val (logp, (gfloat){ MV_ZH_NOT_WORD });
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
			g_array_index (logp, gfloat, r->node) = (gfloat)log (w->freq / total);
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
			g_array_append_val (first_child, (guint32){ 0 });
			g_array_append_val (n_children, (guint32){ 0 });
			g_array_append_val (logp, (gfloat){ MV_ZH_NOT_WORD });
			g_queue_push_tail (queue, child);
			count++;
			lo = hi;
		}
		g_array_index (first_child, guint32, r->node) = count > 0 ? first : 0;
		g_array_index (n_children, guint32, r->node) = count;
	}
	for (guint i = 0; i < words->len; i++)
		g_free (g_array_index (words, MvZhWord, i).cps);

	g_byte_array_append (out, (const guint8 *)MV_ZH_MAGIC, 8);
	hdr[0] = MV_ZH_BOM;
	hdr[1] = label->len;
	hdr[2] = words->len;
	{
		gfloat oov = (gfloat)-log (total);
		memcpy (&hdr[3], &oov, sizeof (gfloat));
	}
	hdr[4] = max_len;
	hdr[5] = 0;
	g_byte_array_append (out, (const guint8 *)hdr, sizeof (hdr));
	for (guint i = 0; i < label->len; i++) {
		MvZhNode node = { g_array_index (label, guint32, i),
				  g_array_index (first_child, guint32, i),
				  g_array_index (n_children, guint32, i),
				  g_array_index (logp, gfloat, i) };
		g_byte_array_append (out, (const guint8 *)&node, sizeof (node));
	}
	return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}
