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

/* -1: a language the daemon has no texts in (Traditional Chinese included) */
static gint
classify (const gchar *tag)
{
	g_auto (GStrv) subtags = NULL;

	if (!mv_locale_is_valid (tag))
		return -1;
	subtags = g_strsplit (tag, "-", -1);
	if (g_ascii_strcasecmp (subtags[0], "en") == 0)
		return MV_LANGUAGE_EN;
	if (g_ascii_strcasecmp (subtags[0], "zh") != 0)
		return -1;
	/* the script, when given, decides; else the region: where Traditional characters are
	 * the written norm, Simplified is not what the reader asked for */
	for (guint i = 1; subtags[i] != NULL; i++) {
		if (strlen (subtags[i]) == 4)
			return g_ascii_strcasecmp (subtags[i], "Hans") == 0 ? MV_LANGUAGE_ZH : -1;
	}
	for (guint i = 1; subtags[i] != NULL; i++) {
		if (g_ascii_strcasecmp (subtags[i], "TW") == 0
		    || g_ascii_strcasecmp (subtags[i], "HK") == 0
		    || g_ascii_strcasecmp (subtags[i], "MO") == 0)
			return -1;
	}
	return MV_LANGUAGE_ZH;
}

MvLanguage
mv_locale_language (const gchar *tag)
{
	gint language = classify (tag);

	return language == MV_LANGUAGE_ZH ? MV_LANGUAGE_ZH : MV_LANGUAGE_EN;
}

typedef struct {
	gdouble q; /* -1: not named */
	guint order;
} Preference;

static void
prefer (Preference *pref, gdouble q, guint order)
{
	if (q > pref->q) {
		pref->q = q;
		pref->order = order;
	}
}

MvLanguage
mv_locale_language_from_accept_language (const gchar *header)
{
	g_auto (GStrv) entries = NULL;
	Preference en = { -1, 0 }, zh = { -1, 0 }, any = { -1, 0 };

	if (header == NULL || strlen (header) > 1024)
		return MV_LANGUAGE_EN;
	entries = g_strsplit (header, ",", 32);
	for (guint i = 0; entries[i] != NULL; i++) {
		g_auto (GStrv) parts = g_strsplit (entries[i], ";", 8);
		g_autofree gchar *tag = g_strstrip (g_strdup (parts[0]));
		gdouble q = entry_weight (parts + 1);
		gint language;

		if (q < 0)
			continue;
		if (strcmp (tag, "*") == 0) {
			prefer (&any, q, i);
			continue;
		}
		language = classify (tag);
		if (language == MV_LANGUAGE_EN)
			prefer (&en, q, i);
		else if (language == MV_LANGUAGE_ZH)
			prefer (&zh, q, i);
	}
	/* "*" stands for every language the client did not name */
	if (en.q < 0)
		en = any;
	if (zh.q < 0)
		zh = any;
	if (zh.q > 0 && (zh.q > en.q || (zh.q == en.q && zh.order < en.order)))
		return MV_LANGUAGE_ZH;
	return MV_LANGUAGE_EN;
}

const gchar *
mv_language_to_tag (MvLanguage language)
{
	return language == MV_LANGUAGE_ZH ? "zh-Hans" : "en";
}
