/* Log lines are read by people and parsed by tools: a client must not be able to start a line,
 * inject a field separator tools trust, or put bytes there that are not text. */
#include "mv-log-escape.h"

gchar *
mv_log_escape (const gchar *text, gsize max_bytes)
{
	GString *out;

	if (text == NULL)
		return g_strdup ("-");
	out = g_string_sized_new (32);
	for (const guchar *p = (const guchar *)text; *p != '\0'; p++) {
		if (max_bytes > 0 && out->len >= max_bytes) {
			g_string_append (out, "...");
			break;
		}
		if (*p < 0x20 || *p >= 0x7f || *p == '\\' || *p == '"')
			g_string_append_printf (out, "\\x%02x", *p);
		else
			g_string_append_c (out, (gchar)*p);
	}
	return g_string_free (out, FALSE);
}
