/*
 * Medverse tokenizers — rule-based tokenizer for Latin script plus the Chinese segmenter.
 */
#define G_LOG_DOMAIN "mv-tokenizers"

#include "mv-tokenizer.h"

static gboolean
mv_is_word_char (gunichar c)
{
	return !mv_unichar_is_han (c)
	       && (g_unichar_isalpha (c) || g_unichar_isdigit (c) || g_unichar_ismark (c));
}

static gboolean
mv_unichar_is_punct (gunichar c)
{
	switch (g_unichar_type (c)) {
	case G_UNICODE_CONNECT_PUNCTUATION:
	case G_UNICODE_DASH_PUNCTUATION:
	case G_UNICODE_CLOSE_PUNCTUATION:
	case G_UNICODE_FINAL_PUNCTUATION:
	case G_UNICODE_INITIAL_PUNCTUATION:
	case G_UNICODE_OTHER_PUNCTUATION:
	case G_UNICODE_OPEN_PUNCTUATION:
		return TRUE;
	default:
		return FALSE;
	}
}

static gboolean
mv_is_digit (gunichar c)
{
	return c >= '0' && c <= '9';
}

static void
mv_push (GArray *out,
	 gsize start,
	 gsize end,
	 gsize num_end,
	 guint n_chars,
	 MvTokenKind kind,
	 guint flags)
{
	MvToken t = {
		.start = (guint32)start,
		.end = (guint32)end,
		.num_end = (guint32)num_end,
		.n_chars = (guint16)MIN (n_chars, G_MAXUINT16),
		.kind = (guint8)kind,
		.flags = (guint8)flags,
	};
	g_array_append_val (out, t);
}

/* The code point at @p, or 0 at the end of the text. */
static inline gunichar
mv_peek (const gchar *p, const gchar *end)
{
	return p < end ? g_utf8_get_char (p) : 0;
}

/* "38.5", "120/80", "7/10", "1,000", then an optional unit: "°c", "%", "mg", "days". */
static const gchar *
mv_scan_number (
	const gchar *p, const gchar *end, const gchar **num_end, guint *n_chars, guint *flags)
{
	while (p < end && mv_is_digit (*p)) {
		p++;
		(*n_chars)++;
	}
	while (p + 1 < end && (*p == '.' || *p == ',' || *p == '/') && mv_is_digit (p[1])) {
		if (*p == '/')
			*flags |= MV_TOKEN_FLAG_RATIO;
		p++;
		(*n_chars)++;
		while (p < end && mv_is_digit (*p)) {
			p++;
			(*n_chars)++;
		}
	}
	*num_end = p;
	if (p < end && *p == '%') {
		*flags |= MV_TOKEN_FLAG_UNIT;
		(*n_chars)++;
		return p + 1;
	}
	if (mv_peek (p, end) == 0xB0) { /* ° */
		p = g_utf8_next_char (p);
		(*n_chars)++;
		*flags |= MV_TOKEN_FLAG_UNIT;
	}
	while (p < end && g_ascii_isalpha (*p)) {
		p++;
		(*n_chars)++;
		*flags |= MV_TOKEN_FLAG_UNIT;
	}
	return p;
}

/* Letters and digits, with inner apostrophes ("can't") and hyphens ("left-sided"). */
static const gchar *
mv_scan_word (const gchar *p, const gchar *end, guint *n_chars, guint *flags)
{
	while (p < end) {
		gunichar c = g_utf8_get_char (p);
		if (mv_is_word_char (c)) {
			p = g_utf8_next_char (p);
			(*n_chars)++;
			continue;
		}
		if ((c == '\'' || c == '-') && p + 1 < end
		    && mv_is_word_char (g_utf8_get_char (p + 1))) {
			*flags |= c == '\'' ? MV_TOKEN_FLAG_APOSTROPHE : MV_TOKEN_FLAG_HYPHEN;
			p++;
			(*n_chars)++;
			continue;
		}
		break;
	}
	return p;
}

/* g_utf8_get_char() for text already validated, inlined: it is the hottest call here */
static inline gunichar
mv_get_char (const gchar *p)
{
	const guchar *u = (const guchar *)p;
	if (u[0] < 0x80)
		return u[0];
	if ((u[0] & 0xF0) == 0xE0)
		return ((gunichar)(u[0] & 0x0F) << 12) | ((gunichar)(u[1] & 0x3F) << 6)
		       | (u[2] & 0x3F);
	return g_utf8_get_char (p);
}

/* Segments one run of Han characters starting at @p. */
static const gchar *
mv_scan_han (const gchar *text, const gchar *p, const gchar *end, const MvZhDict *dict, GArray *out)
{
	/* most runs are short: no allocation for them */
	gunichar cps_s[128];
	guint32 offs_s[129];
	guint ends_s[128];
	g_autofree gunichar *cps_h = NULL;
	g_autofree guint32 *offs_h = NULL;
	g_autofree guint *ends_h = NULL;
	gunichar *cps = cps_s;
	guint32 *offs = offs_s;
	guint *ends = ends_s;
	const gchar *q = p;
	guint n = 0;
	guint n_ends;
	guint prev = 0;

	while (q < end && mv_unichar_is_han (mv_get_char (q))) {
		q = g_utf8_next_char (q);
		n++;
	}
	if (n > G_N_ELEMENTS (cps_s)) {
		cps = cps_h = g_new (gunichar, n);
		offs = offs_h = g_new (guint32, n + 1);
		ends = ends_h = g_new (guint, n);
	}
	for (guint i = 0; i < n; i++) {
		cps[i] = mv_get_char (p);
		offs[i] = (guint32)(p - text);
		p = g_utf8_next_char (p);
	}
	offs[n] = (guint32)(p - text);
	if (dict != NULL) {
		n_ends = mv_zh_dict_segment_into (dict, cps, n, ends);
	} else {
		for (guint i = 0; i < n; i++)
			ends[i] = i + 1;
		n_ends = n;
	}
	for (guint i = 0; i < n_ends; i++) {
		guint e = ends[i];
		mv_push (out, offs[prev], offs[e], offs[e], e - prev, MV_TOKEN_HAN, 0);
		prev = e;
	}
	return p;
}

GArray *
mv_tokenize (const gchar *norm, gsize len, const MvZhDict *dict)
{
	GArray *out = g_array_sized_new (FALSE, FALSE, sizeof (MvToken), (guint)(len / 4 + 4));
	const gchar *end = norm + len;
	const gchar *p = norm;

	while (p < end) {
		gunichar c = mv_get_char (p);
		const gchar *start = p;
		guint n_chars = 0;
		guint flags = 0;

		if (c == '\n') {
			mv_push (out, (gsize)(p - norm), (gsize)(p - norm) + 1,
				 (gsize)(p - norm) + 1, 1, MV_TOKEN_PUNCT, 0);
			p++;
		} else if (g_unichar_isspace (c)) {
			p = g_utf8_next_char (p);
		} else if (mv_unichar_is_han (c)) {
			p = mv_scan_han (norm, p, end, dict, out);
		} else if (mv_is_digit (c)) {
			const gchar *num_end = p;
			p = mv_scan_number (p, end, &num_end, &n_chars, &flags);
			/* "covid19"-style tokens are words; "3days" stays a number with a unit */
			mv_push (out, (gsize)(start - norm), (gsize)(p - norm),
				 (gsize)(num_end - norm), n_chars, MV_TOKEN_NUMBER, flags);
		} else if (mv_is_word_char (c)) {
			p = mv_scan_word (p, end, &n_chars, &flags);
			mv_push (out, (gsize)(start - norm), (gsize)(p - norm), (gsize)(p - norm),
				 n_chars, MV_TOKEN_WORD, flags);
		} else {
			MvTokenKind kind
				= mv_unichar_is_punct (c) ? MV_TOKEN_PUNCT : MV_TOKEN_SYMBOL;
			p = g_utf8_next_char (p);
			mv_push (out, (gsize)(start - norm), (gsize)(p - norm), (gsize)(p - norm),
				 1, kind, 0);
		}
	}
	return out;
}
