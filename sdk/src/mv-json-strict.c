/*
 * Strict RFC 8259 JSON: the one check every JSON text entering Medverse passes before json-glib
 * parses it (mv_value_parse_json_object() for request bodies and the test host, and
 * mv_json_parse_strict() for stored records).
 *
 * json-glib is lenient, and each leniency was an attack: two concatenated objects were taken as
 * the first one, comments and single-quoted strings passed, a duplicate key silently took the
 * last value, "\u0000" cut a string short (an MRN "ab\u0000cd" was stored as "ab"), integers
 * between 2^63 and 2^64 wrapped to negative numbers, and a whitespace-only body parsed as "no
 * value".  This scanner accepts exactly the RFC 8259 grammar over valid UTF-8 and refuses, on
 * top of it, what a health record must never be ambiguous about:
 *
 *   - a duplicate key in any object (compared after unescaping: "a" and "\u0061" are one key);
 *   - "\u0000" and unpaired surrogate escapes in strings (neither is a character);
 *   - an integer literal (no fraction, no exponent) outside gint64, and a number that overflows
 *     a double: MV_ERROR_INVALID_INPUT, since the text is well-formed but the value cannot be
 *     represented.  Values between 2^63 and 2^64 - 1 are refused too, although they would fit a
 *     uint64 ("t"): json-glib holds every integer as a gint64, and no declared field needs them;
 *   - nesting deeper than MV_JSON_MAX_DEPTH (json-glib recurses once per level and overflows the
 *     stack on a few hundred kilobytes of '[').
 *
 * Every other refusal is MV_ERROR_MALFORMED.  Messages name the problem and where it is (line,
 * column in characters, byte offset): they go back to the client that sent the text.
 */
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "mv-host-private.h"

/* How much of a key or a number a message quotes: enough to find it, never a whole body. */
#define QUOTE_MAX 40

typedef struct {
	const guchar *text;
	gsize len;
	gsize pos;
	guint depth;
} Scanner;

static void
position (const Scanner *s, gsize offset, guint *line, guint *column)
{
	*line = 1;
	*column = 1;
	for (gsize i = 0; i < offset && i < s->len; i++) {
		if (s->text[i] == '\n') {
			(*line)++;
			*column = 1;
		} else if ((s->text[i] & 0xC0) != 0x80) {
			/* columns count characters, not the continuation bytes of one */
			(*column)++;
		}
	}
}

/* Sets @error to "JSON at line L, column C (byte B): <what>" (and the same in Chinese with
 * @what_zh) and returns FALSE. */
static gboolean
fail_at_text (const Scanner *s,
	      gsize offset,
	      MvError code,
	      GError **error,
	      const gchar *what,
	      const gchar *what_zh)
{
	g_autofree gchar *en = NULL;
	g_autofree gchar *zh = NULL;
	guint line, column;

	position (s, offset, &line, &column);
	en = g_strdup_printf ("JSON at line %u, column %u (byte %" G_GSIZE_FORMAT "): %s", line,
			      column, offset, what);
	zh = g_strdup_printf ("JSON 第 %u 行第 %u 列（第 %" G_GSIZE_FORMAT " 字节）：%s", line,
			      column, offset, what_zh);
	mv_set_error_bilingual (error, code, en, zh);
	return FALSE;
}

/* fail_at_text() with printf formats; @format_zh
 * is the message in Chinese, taking the same arguments. */
static gboolean fail_at (const Scanner *s,
			 gsize offset,
			 MvError code,
			 GError **error,
			 const gchar *format,
			 const gchar *format_zh,
			 ...) G_GNUC_PRINTF (5, 7) G_GNUC_PRINTF (6, 7);

static gboolean
fail_at (const Scanner *s,
	 gsize offset,
	 MvError code,
	 GError **error,
	 const gchar *format,
	 const gchar *format_zh,
	 ...)
{
	g_autofree gchar *what = NULL;
	g_autofree gchar *what_zh = NULL;
	va_list args;

	va_start (args, format_zh);
	what = g_strdup_vprintf (format, args);
	va_end (args);
	va_start (args, format_zh);
	what_zh = g_strdup_vprintf (format_zh, args);
	va_end (args);
	return fail_at_text (s, offset, code, error, what, what_zh);
}

/* @n bytes of the text from @offset, cut at a character boundary, with "…" when cut */
static gchar *
quote (const Scanner *s, gsize offset, gsize n)
{
	gsize cut = MIN (n, (gsize)QUOTE_MAX);

	while (cut < n && cut > 0 && (s->text[offset + cut] & 0xC0) == 0x80)
		cut--;
	return g_strdup_printf ("%.*s%s", (int)cut, (const gchar *)s->text + offset,
				cut < n ? "…" : "");
}

static gboolean
is_word_char (guchar c)
{
	return g_ascii_isalnum (c) || c == '_';
}

/* Names what stands at the current position where @expected should be. */
static gboolean
unexpected (const Scanner *s, const gchar *expected, const gchar *expected_zh, GError **error)
{
	const guchar *p = s->text + s->pos;
	gsize left = s->len - s->pos;
	g_autofree gchar *found = NULL;
	g_autofree gchar *found_zh = NULL;
	g_autofree gchar *en = NULL;
	g_autofree gchar *zh = NULL;

	if (left == 0) {
		en = g_strdup_printf ("the text ends where %s was expected", expected);
		zh = g_strdup_printf ("文本在应出现%s的位置结束", expected_zh);
		return fail_at_text (s, s->pos, MV_ERROR_MALFORMED, error, en, zh);
	}
	if (p[0] == '/' && left > 1 && (p[1] == '/' || p[1] == '*'))
		return fail_at (s, s->pos, MV_ERROR_MALFORMED, error,
				"comments are not allowed in JSON", "JSON 中不允许注释");
	if (p[0] == '\'')
		return fail_at (s, s->pos, MV_ERROR_MALFORMED, error,
				"strings must be in double quotes, not single quotes",
				"字符串必须使用双引号，不能使用单引号");
	if (p[0] >= 0x80 && g_utf8_get_char ((const gchar *)p) == 0xFEFF)
		return fail_at (s, s->pos, MV_ERROR_MALFORMED, error,
				"a byte order mark (U+FEFF) is not allowed in JSON",
				"JSON 中不允许字节顺序标记（U+FEFF）");
	if (g_ascii_isalpha (p[0]) || p[0] == '_') {
		gsize n = 0;
		g_autofree gchar *word = NULL;
		while (n < left && is_word_char (p[n]))
			n++;
		word = quote (s, s->pos, n);
		/* NaN, Infinity, undefined, True, 0x1F…: JSON has true, false and null only */
		found = g_strdup_printf ("word \"%s\"", word);
		found_zh = g_strdup_printf ("单词“%s”", word);
	} else if (p[0] < 0x20 || p[0] == 0x7F) {
		found = g_strdup_printf ("control character U+%04X", (guint)p[0]);
		found_zh = g_strdup_printf ("控制字符 U+%04X", (guint)p[0]);
	} else if (p[0] >= 0x80) {
		/* the text was validated as UTF-8 before scanning */
		gunichar c = g_utf8_get_char ((const gchar *)p);
		found = g_strdup_printf ("character U+%04X", (guint)c);
		found_zh = g_strdup_printf ("字符 U+%04X", (guint)c);
	} else {
		found = g_strdup_printf ("'%c'", p[0]);
		found_zh = g_strdup_printf ("“%c”", p[0]);
	}
	en = g_strdup_printf ("unexpected %s where %s was expected", found, expected);
	zh = g_strdup_printf ("在应出现%s的位置出现了意外的%s", expected_zh, found_zh);
	return fail_at_text (s, s->pos, MV_ERROR_MALFORMED, error, en, zh);
}

static void
skip_whitespace (Scanner *s)
{
	while (s->pos < s->len) {
		guchar c = s->text[s->pos];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			return;
		s->pos++;
	}
}

static gint
hex_value (guchar c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* the four hex digits after "\u" at @offset (pointing at the backslash), or -1 */
static gint
read_u_escape (const Scanner *s, gsize offset)
{
	gint v = 0;

	if (offset + 6 > s->len || s->text[offset] != '\\' || s->text[offset + 1] != 'u')
		return -1;
	for (guint i = 2; i < 6; i++) {
		gint h = hex_value (s->text[offset + i]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/* A "\uXXXX" escape (and its low surrogate) at the current position, the backslash's;
 * appended to @out when it is not NULL. */
static gboolean
scan_u_escape (Scanner *s, GString *out, GError **error)
{
	gint c = read_u_escape (s, s->pos);

	if (c < 0)
		return fail_at (s, s->pos, MV_ERROR_MALFORMED, error,
				"\\u must be followed by four hex digits",
				"\\u 之后必须是四位十六进制数字");
	if (c == 0)
		return fail_at (s, s->pos, MV_ERROR_MALFORMED, error,
				"\\u0000 (a NUL character) is not allowed in a string",
				"字符串中不允许 \\u0000（NUL 字符）");
	if (c >= 0xDC00 && c <= 0xDFFF)
		return fail_at (s, s->pos, MV_ERROR_MALFORMED, error,
				"\\u%04X is a low surrogate without a high surrogate before it",
				"\\u%04X 是低位代理项，但其前没有高位代理项", c);
	if (c >= 0xD800 && c <= 0xDBFF) {
		gint low = read_u_escape (s, s->pos + 6);
		if (low < 0xDC00 || low > 0xDFFF)
			return fail_at (
				s, s->pos, MV_ERROR_MALFORMED, error,
				"\\u%04X is a high surrogate without a low surrogate "
				"(\\uDC00-\\uDFFF) after it",
				"\\u%04X 是高位代理项，但其后没有低位代理项（\\uDC00-\\uDFFF）", c);
		c = 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00);
		s->pos += 6;
	}
	s->pos += 6;
	if (out != NULL)
		g_string_append_unichar (out, (gunichar)c);
	return TRUE;
}

static gboolean
invalid_escape (const Scanner *s, GError **error)
{
	guchar c = s->text[s->pos + 1];

	if (c >= 0x20 && c < 0x7F)
		return fail_at (s, s->pos, MV_ERROR_MALFORMED, error,
				"invalid escape \\%c in a string (JSON has \\\" \\\\ \\/ \\b "
				"\\f \\n \\r \\t \\uXXXX)",
				"字符串中的转义 \\%c 无效（JSON 只有 \\\" \\\\ \\/ \\b \\f \\n \\r "
				"\\t \\uXXXX）",
				c);
	return fail_at (s, s->pos, MV_ERROR_MALFORMED, error,
			"invalid escape in a string: a backslash before U+%04X",
			"字符串中的转义无效：反斜杠之后是 U+%04X",
			(guint)g_utf8_get_char ((const gchar *)s->text + s->pos + 1));
}

/* A string at the current position (its opening quote); its unescaped text is appended to
 * @out when @out is not NULL (keys, for the duplicate check). */
static gboolean
scan_string (Scanner *s, GString *out, GError **error)
{
	gsize start = s->pos;

	s->pos++;
	while (s->pos < s->len) {
		guchar c = s->text[s->pos];
		if (c == '"') {
			s->pos++;
			return TRUE;
		}
		if (c < 0x20)
			return fail_at (s, s->pos, MV_ERROR_MALFORMED, error,
					"control character U+%04X in a string must be escaped",
					"字符串中的控制字符 U+%04X 必须转义", (guint)c);
		if (c != '\\') {
			if (out != NULL)
				g_string_append_c (out, (gchar)c);
			s->pos++;
			continue;
		}
		if (s->pos + 1 >= s->len)
			break;
		c = s->text[s->pos + 1];
		if (c == 'u') {
			if (!scan_u_escape (s, out, error))
				return FALSE;
			continue;
		}
		if (c == '\0' || strchr ("\"\\/bfnrt", c) == NULL)
			return invalid_escape (s, error);
		if (out != NULL) {
			static const gchar from[] = "\"\\/bfnrt";
			static const gchar to[] = "\"\\/\b\f\n\r\t";
			g_string_append_c (out, to[strchr (from, c) - from]);
		}
		s->pos += 2;
	}
	return fail_at (s, start, MV_ERROR_MALFORMED, error, "unterminated string",
			"字符串没有结束");
}

static gboolean
scan_digits (Scanner *s, const gchar *expected, const gchar *expected_zh, GError **error)
{
	if (s->pos >= s->len || !g_ascii_isdigit (s->text[s->pos]))
		return unexpected (s, expected, expected_zh, error);
	while (s->pos < s->len && g_ascii_isdigit (s->text[s->pos]))
		s->pos++;
	return TRUE;
}

/* An integer literal must fit in a gint64: json-glib wraps larger ones. */
static gboolean
check_integer (const Scanner *s, gsize start, GError **error)
{
	gboolean negative = s->text[start] == '-';
	const gchar *digits = (const gchar *)s->text + start + (negative ? 1 : 0);
	gsize n = s->pos - start - (negative ? 1 : 0);
	const gchar *limit = negative ? "9223372036854775808" : "9223372036854775807";

	if (n < 19 || (n == 19 && strncmp (digits, limit, 19) <= 0))
		return TRUE;
	/* the literal is not quoted: it may be a patient's datum; the position finds it */
	return fail_at (
		s, start, MV_ERROR_INVALID_INPUT, error,
		"integer out of range: integers must be between -9223372036854775808 and "
		"9223372036854775807",
		"整数超出范围：整数必须在 -9223372036854775808 到 9223372036854775807 之间");
}

/* A number with a fraction or an exponent must be a finite double (1e999 is not). */
static gboolean
check_double (const Scanner *s, gsize start, GError **error)
{
	g_autofree gchar *copy = g_strndup ((const gchar *)s->text + start, s->pos - start);

	if (isfinite (g_ascii_strtod (copy, NULL)))
		return TRUE;
	return fail_at (s, start, MV_ERROR_INVALID_INPUT, error, "number out of range of a double",
			"数字超出了双精度浮点数的范围");
}

static gboolean
scan_number (Scanner *s, GError **error)
{
	gsize start = s->pos;
	gboolean integer = TRUE;

	if (s->text[s->pos] == '-')
		s->pos++;
	if (s->pos < s->len && s->text[s->pos] == '0') {
		s->pos++;
		if (s->pos < s->len && g_ascii_isdigit (s->text[s->pos]))
			return fail_at (s, start, MV_ERROR_MALFORMED, error,
					"a number must not have a leading zero",
					"数字不能有前导零");
	} else if (!scan_digits (s, "a digit", "数字", error)) {
		return FALSE;
	}
	if (s->pos < s->len && s->text[s->pos] == '.') {
		s->pos++;
		integer = FALSE;
		if (!scan_digits (s, "a digit after the decimal point", "小数点后的数字", error))
			return FALSE;
	}
	if (s->pos < s->len && (s->text[s->pos] == 'e' || s->text[s->pos] == 'E')) {
		s->pos++;
		integer = FALSE;
		if (s->pos < s->len && (s->text[s->pos] == '+' || s->text[s->pos] == '-'))
			s->pos++;
		if (!scan_digits (s, "a digit in the exponent", "指数中的数字", error))
			return FALSE;
	}
	return integer ? check_integer (s, start, error) : check_double (s, start, error);
}

static gboolean
scan_literal (Scanner *s, GError **error)
{
	static const gchar *const literals[] = { "true", "false", "null" };

	for (guint i = 0; i < G_N_ELEMENTS (literals); i++) {
		gsize n = strlen (literals[i]);
		if (s->len - s->pos >= n && memcmp (s->text + s->pos, literals[i], n) == 0
		    && (s->len - s->pos == n || !is_word_char (s->text[s->pos + n]))) {
			s->pos += n;
			return TRUE;
		}
	}
	return unexpected (s, "a value", "值", error);
}

static gboolean scan_value (Scanner *s, GError **error);

static gboolean
enter (Scanner *s, GError **error)
{
	if (++s->depth > MV_JSON_MAX_DEPTH)
		return fail_at (s, s->pos, MV_ERROR_MALFORMED, error,
				"nested deeper than %d levels", "嵌套超过了 %d 层",
				MV_JSON_MAX_DEPTH);
	s->pos++;
	skip_whitespace (s);
	return TRUE;
}

/* a key at the current position, refused when @keys holds it already */
static gboolean
scan_key (Scanner *s, GHashTable *keys, GError **error)
{
	gsize start = s->pos;
	g_autoptr (GString) key = g_string_new (NULL);

	if (!scan_string (s, key, error))
		return FALSE;
	if (!g_hash_table_add (keys, g_string_free (g_steal_pointer (&key), FALSE))) {
		/* the key as written, without its quotes */
		g_autofree gchar *written = quote (s, start + 1, s->pos - start - 2);
		return fail_at (s, start, MV_ERROR_MALFORMED, error,
				"duplicate key \"%s\" in an object", "对象中的键“%s”重复", written);
	}
	return TRUE;
}

static gboolean
scan_object (Scanner *s, GError **error)
{
	g_autoptr (GHashTable) keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

	if (!enter (s, error))
		return FALSE;
	if (s->pos < s->len && s->text[s->pos] == '}') {
		s->pos++;
		s->depth--;
		return TRUE;
	}
	for (;;) {
		if (s->pos >= s->len || s->text[s->pos] != '"')
			return unexpected (s, "a key in double quotes", "双引号括起的键", error);
		if (!scan_key (s, keys, error))
			return FALSE;
		skip_whitespace (s);
		if (s->pos >= s->len || s->text[s->pos] != ':')
			return unexpected (s, "':' after the key", "键之后的“:”", error);
		s->pos++;
		skip_whitespace (s);
		if (!scan_value (s, error))
			return FALSE;
		skip_whitespace (s);
		if (s->pos < s->len && s->text[s->pos] == '}')
			break;
		if (s->pos >= s->len || s->text[s->pos] != ',')
			return unexpected (s, "',' or '}'", "“,”或“}”", error);
		s->pos++;
		skip_whitespace (s);
		if (s->pos < s->len && s->text[s->pos] == '}')
			return fail_at (s, s->pos, MV_ERROR_MALFORMED, error,
					"a trailing comma before '}' is not allowed",
					"“}”之前不允许有多余的逗号");
	}
	s->pos++;
	s->depth--;
	return TRUE;
}

static gboolean
scan_array (Scanner *s, GError **error)
{
	if (!enter (s, error))
		return FALSE;
	if (s->pos < s->len && s->text[s->pos] == ']') {
		s->pos++;
		s->depth--;
		return TRUE;
	}
	for (;;) {
		if (!scan_value (s, error))
			return FALSE;
		skip_whitespace (s);
		if (s->pos < s->len && s->text[s->pos] == ']')
			break;
		if (s->pos >= s->len || s->text[s->pos] != ',')
			return unexpected (s, "',' or ']'", "“,”或“]”", error);
		s->pos++;
		skip_whitespace (s);
		if (s->pos < s->len && s->text[s->pos] == ']')
			return fail_at (s, s->pos, MV_ERROR_MALFORMED, error,
					"a trailing comma before ']' is not allowed",
					"“]”之前不允许有多余的逗号");
	}
	s->pos++;
	s->depth--;
	return TRUE;
}

/* a value at the current position (whitespace before it already skipped) */
static gboolean
scan_value (Scanner *s, GError **error)
{
	guchar c;

	if (s->pos >= s->len)
		return unexpected (s, "a value", "值", error);
	c = s->text[s->pos];
	if (c == '{')
		return scan_object (s, error);
	if (c == '[')
		return scan_array (s, error);
	if (c == '"')
		return scan_string (s, NULL, error);
	if (c == '-' || g_ascii_isdigit (c))
		return scan_number (s, error);
	if (c == '+' || c == '.')
		return fail_at (s, s->pos, MV_ERROR_MALFORMED, error,
				"a number must start with '-' or a digit",
				"数字必须以“-”或数字开头");
	return scan_literal (s, error);
}

gboolean
mv_json_validate (const gchar *json, gssize len, GError **error)
{
	Scanner s = { (const guchar *)json, len < 0 ? strlen (json) : (gsize)len, 0, 0 };
	const gchar *end = NULL;

	if (!g_utf8_validate_len (json, s.len, &end)) {
		s.pos = (gsize)(end - json);
		/* g_utf8_validate_len() stops at a NUL byte as well */
		if (s.text[s.pos] == '\0')
			return fail_at (&s, s.pos, MV_ERROR_MALFORMED, error,
					"a NUL byte is not allowed in JSON text",
					"JSON 文本中不允许 NUL 字节");
		return fail_at (&s, s.pos, MV_ERROR_MALFORMED, error, "invalid UTF-8",
				"UTF-8 编码无效");
	}
	skip_whitespace (&s);
	if (s.pos == s.len) {
		mv_set_error_bilingual (
			error, MV_ERROR_MALFORMED,
			"JSON text is empty or only whitespace; a value was expected",
			"JSON 文本为空或只有空白；应为一个值");
		return FALSE;
	}
	if (!scan_value (&s, error))
		return FALSE;
	skip_whitespace (&s);
	if (s.pos == s.len)
		return TRUE;
	if (strchr ("{[\"-", s.text[s.pos]) != NULL || g_ascii_isdigit (s.text[s.pos]))
		return fail_at (&s, s.pos, MV_ERROR_MALFORMED, error,
				"a second JSON value after the first; a text holds exactly one",
				"第一个 JSON 值之后还有第二个值；一段文本只能包含一个值");
	return unexpected (&s, "the end of the text", "文本结尾", error);
}

JsonNode *
mv_json_parse_strict (const gchar *json, gssize len, GError **error)
{
	g_autoptr (JsonParser) parser = json_parser_new ();
	g_autoptr (GError) error_local = NULL;

	if (len < 0)
		len = (gssize)strlen (json);
	if (!mv_json_validate (json, len, error))
		return NULL;
	/* json-glib accepts everything the check accepts; this is a second line of defence */
	if (!json_parser_load_from_data (parser, json, len, &error_local)) {
		g_set_error (error, MV_ERROR, MV_ERROR_MALFORMED, "malformed JSON: %s",
			     error_local->message);
		return NULL;
	}
	return json_node_ref (json_parser_get_root (parser));
}
