/*
 * Medverse tokenizers — normalisation with utf8proc and an offset map back to the original.
 */
#define G_LOG_DOMAIN "mv-tokenizers"

#include "mv-normalize.h"

#include <string.h>
#include <utf8proc.h>

/* the quark's name is these tokens verbatim, not a subtraction */
/* clang-format off */
G_DEFINE_QUARK (mv-tokenizer-error-quark, mv_tokenizer_error)
/* clang-format on */

/* Longest decomposition utf8proc produces for one code point is 18; casefolding can add a few. */
#define MV_DECOMP_MAX 64

gboolean
mv_unichar_is_han (gunichar c)
{
	return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF)
	       || (c >= 0x20000 && c <= 0x3134F) || (c >= 0xF900 && c <= 0xFAFF) || c == 0x3007;
}

/* Folds what NFKC leaves alone but a matcher should not care about: typographic quotes,
 * apostrophes and dashes.  Returns 0 when @c is not one of them. */
static gunichar
mv_fold_punct (gunichar c)
{
	switch (c) {
	case 0x2018: /* ‘ */
	case 0x2019: /* ’ */
	case 0x02BC: /* ʼ */
	case 0x2032: /* ′ */
		return '\'';
	case 0x201C: /* “ */
	case 0x201D: /* ” */
		return '"';
	case 0x2010:
	case 0x2011:
	case 0x2012:
	case 0x2013:
	case 0x2014:
	case 0x2212: /* minus sign */
		return '-';
	default:
		return 0;
	}
}

static gboolean
mv_unichar_is_control (gunichar c)
{
	return c < 0x20 || (c >= 0x7F && c <= 0x9F);
}

typedef struct {
	GString *out;
	MvNormSeg *segs; /* room for one per original character, plus the sentinel */
	guint n_segs;
	utf8proc_int32_t pending[MV_DECOMP_MAX * 4];
	gssize n_pending;
} MvNormBuilder;

/* Composes and emits the decomposed code points of the current segment. */
static void
mv_norm_builder_flush (MvNormBuilder *b)
{
	utf8proc_ssize_t n;

	if (b->n_pending == 0)
		return;
	n = utf8proc_normalize_utf32 (b->pending, b->n_pending, UTF8PROC_COMPOSE | UTF8PROC_STABLE);
	for (utf8proc_ssize_t i = 0; i < n; i++) {
		gunichar c = (gunichar)b->pending[i];
		gunichar folded = mv_fold_punct (c);
		g_string_append_unichar (b->out, folded != 0 ? folded : c);
	}
	b->n_pending = 0;
}

static void
mv_norm_builder_start_seg (MvNormBuilder *b, gsize orig_byte, guint orig_cp)
{
	MvNormSeg seg = { 0, (guint32)orig_byte, (guint32)orig_cp };
	mv_norm_builder_flush (b);
	seg.norm = (guint32)b->out->len;
	b->segs[b->n_segs++] = seg;
}

/* Decomposes one non-ASCII, non-Han character into the pending segment, starting a new
 * segment unless the character is a combining mark that belongs to the previous one. */
static void
mv_norm_builder_add_complex (MvNormBuilder *b, gunichar c, gsize orig_byte, guint orig_cp)
{
	utf8proc_int32_t tmp[MV_DECOMP_MAX];
	utf8proc_ssize_t n;
	int boundclass = 0;
	gboolean combining;

	n = utf8proc_decompose_char ((utf8proc_int32_t)c, tmp, MV_DECOMP_MAX,
				     UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD
					     | UTF8PROC_IGNORE,
				     &boundclass);
	if (n < 0 || n > MV_DECOMP_MAX) {
		/* utf8proc refused it (unassigned in its tables): keep it unchanged */
		tmp[0] = (utf8proc_int32_t)c;
		n = 1;
	}
	combining = n > 0 && utf8proc_get_property (tmp[0])->combining_class != 0 && b->n_segs > 0;
	if (!combining || b->n_pending + n > (gssize)G_N_ELEMENTS (b->pending))
		mv_norm_builder_start_seg (b, orig_byte, orig_cp);
	memcpy (b->pending + b->n_pending, tmp, (gsize)n * sizeof (tmp[0]));
	b->n_pending += n;
}

MvNormText *
mv_norm_text_new (const gchar *text, gssize len, GError **error)
{
	g_autoptr (MvNormText) self = g_new0 (MvNormText, 1);
	g_autoptr (GString) out = NULL;
	MvNormBuilder b = { 0 };
	MvNormSeg sentinel;
	const gchar *p;
	const gchar *end;
	guint cp_index = 0;

	if (len < 0)
		len = (gssize)strlen (text);
	if ((guint64)len >= G_MAXUINT32 / 4) {
		g_set_error (error, MV_TOKENIZER_ERROR, MV_TOKENIZER_ERROR_MALFORMED,
			     "text of %" G_GSSIZE_FORMAT " bytes is too long to index", len);
		return NULL;
	}
	if (!g_utf8_validate_len (text, (gsize)len, &end)) {
		g_set_error (error, MV_TOKENIZER_ERROR, MV_TOKENIZER_ERROR_MALFORMED,
			     "text is not valid UTF-8 (at byte %" G_GSIZE_FORMAT ")",
			     (gsize)(end - text));
		return NULL;
	}

	out = g_string_sized_new ((gsize)len + 16);
	b.out = out;
	b.segs = g_new (MvNormSeg, (gsize)len + 1);
	for (p = text; p < text + len; cp_index++) {
		guchar c0 = (guchar)*p;
		gsize orig_byte = (gsize)(p - text);
		gunichar c;

		/* fast paths, the bulk of any text: ASCII and Han ideographs are unchanged by NFKC
		 * (apart from case), unless a combining mark follows that NFKC would compose with
		 * them */
		if (c0 < 0x80
		    && (p + 1 >= text + len || (guchar)p[1] < 0x80
			|| !g_ascii_isalpha ((gchar)c0))) {
			mv_norm_builder_start_seg (&b, orig_byte, cp_index);
			if (c0 == '\n')
				g_string_append_c (out, '\n');
			else if (mv_unichar_is_control (c0))
				g_string_append_c (out, ' ');
			else
				g_string_append_c (out, g_ascii_tolower ((gchar)c0));
			p++;
			continue;
		}
		c = g_utf8_get_char (p);
		if (c >= 0x4E00 && c <= 0x9FFF) {
			mv_norm_builder_start_seg (&b, orig_byte, cp_index);
			g_string_append_c (out, p[0]);
			g_string_append_c (out, p[1]);
			g_string_append_c (out, p[2]);
			p += 3;
			continue;
		}
		p = g_utf8_next_char (p);
		if (mv_unichar_is_control (c)) {
			mv_norm_builder_start_seg (&b, orig_byte, cp_index);
			g_string_append_c (out, ' ');
			continue;
		}
		mv_norm_builder_add_complex (&b, c, orig_byte, cp_index);
	}
	mv_norm_builder_flush (&b);
	sentinel.norm = (guint32)out->len;
	sentinel.orig_byte = (guint32)len;
	sentinel.orig_cp = cp_index;
	b.segs[b.n_segs] = sentinel;

	self->len = out->len;
	self->text = g_string_free (g_steal_pointer (&out), FALSE);
	self->n_segs = b.n_segs;
	self->segs = b.segs;
	self->orig_len = (gsize)len;
	self->orig_chars = cp_index;
	return g_steal_pointer (&self);
}

void
mv_norm_text_free (MvNormText *self)
{
	if (self == NULL)
		return;
	g_free (self->text);
	g_free (self->segs);
	g_free (self);
}

/* Index of the last segment whose normalised output starts at or before @pos. */
static guint
mv_norm_text_find_seg (const MvNormText *self, gsize pos)
{
	guint lo = 0;
	guint hi = self->n_segs; /* the sentinel */

	while (lo < hi) {
		guint mid = lo + (hi - lo + 1) / 2;
		if (self->segs[mid].norm <= pos)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

void
mv_norm_text_to_orig (const MvNormText *self, gsize norm_start, gsize norm_end, MvOrigSpan *span)
{
	guint first;
	guint last;

	if (norm_end < norm_start)
		norm_end = norm_start;
	if (norm_start >= self->len || norm_end == norm_start) {
		first = mv_norm_text_find_seg (self, MIN (norm_start, self->len));
		span->cp_start = span->cp_end = self->segs[first].orig_cp;
		span->byte_start = span->byte_end = self->segs[first].orig_byte;
		return;
	}
	/* the last of several segments starting at the same byte is the one that produced it: the
	 * others were ignorable characters with no output */
	first = mv_norm_text_find_seg (self, norm_start);
	last = mv_norm_text_find_seg (self, norm_end - 1);
	span->cp_start = self->segs[first].orig_cp;
	span->byte_start = self->segs[first].orig_byte;
	span->cp_end = self->segs[last + 1].orig_cp;
	span->byte_end = self->segs[last + 1].orig_byte;
}

gchar *
mv_normalize_string (const gchar *text)
{
	g_autoptr (MvNormText) nt = mv_norm_text_new (text, -1, NULL);
	if (nt == NULL)
		return NULL;
	return g_steal_pointer (&nt->text);
}
