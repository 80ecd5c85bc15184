#include "mv-locale.h"

#include <string.h>

gboolean
mv_locale_is_valid (const gchar *tag)
{
	gsize len = tag != NULL ? strlen (tag) : 0;
	guint run = 0;
	gboolean first = TRUE;

	if (len == 0 || len > 35)
		return FALSE;
	for (const gchar *p = tag;; p++) {
		if (*p == '-' || *p == '\0') {
			if (run == 0 || run > 8)
				return FALSE;
			if (*p == '\0')
				return TRUE;
			run = 0;
			first = FALSE;
			continue;
		}
		if (!(g_ascii_isalpha (*p) || (!first && g_ascii_isdigit (*p))))
			return FALSE;
		run++;
	}
}

/* q of ";q=0.5" parameters, 1.0 when absent, -1 when malformed */
static gdouble
entry_weight (gchar **params)
{
	for (guint i = 0; params[i] != NULL; i++) {
		g_autofree gchar *param = g_strstrip (g_strdup (params[i]));
		gchar *end = NULL;
		gdouble q;

		if (g_ascii_strncasecmp (param, "q=", 2) != 0)
			continue;
		q = g_ascii_strtod (param + 2, &end);
		if (end == param + 2 || *end != '\0' || q < 0 || q > 1)
			return -1;
		return q;
	}
	return 1.0;
}

gchar *
mv_locale_from_accept_language (const gchar *header)
{
	g_auto (GStrv) entries = NULL;
	g_autofree gchar *best = NULL;
	gdouble best_q = 0;

	if (header == NULL || strlen (header) > 1024)
		return g_strdup ("en");
	entries = g_strsplit (header, ",", 32);
	for (guint i = 0; entries[i] != NULL; i++) {
		g_auto (GStrv) parts = g_strsplit (entries[i], ";", 8);
		g_autofree gchar *tag = g_strstrip (g_strdup (parts[0]));
		gdouble q = entry_weight (parts + 1);

		/* the first of equal weights wins: the client listed it first */
		if (q <= best_q || !mv_locale_is_valid (tag))
			continue;
		g_free (best);
		best = g_steal_pointer (&tag);
		best_q = q;
	}
	return best != NULL ? g_steal_pointer (&best) : g_strdup ("en");
}
