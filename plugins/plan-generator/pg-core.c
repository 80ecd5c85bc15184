/*
 * plan-generator core — texts, citations, problems and dates (pg-core.h).
 */
#define G_LOG_DOMAIN "plan-generator"

#include "pg-core.h"

#include <string.h>

void
pg_text_clear (PgText *t)
{
	g_clear_pointer (&t->en, g_free);
	g_clear_pointer (&t->zh, g_free);
}

const gchar *
pg_text_get (const PgText *t, PgLang lang)
{
	if (lang == PG_LANG_ZH && t->zh != NULL)
		return t->zh;
	return t->en != NULL ? t->en : "";
}

void
pg_source_clear (PgSource *s)
{
	g_clear_pointer (&s->org, g_free);
	g_clear_pointer (&s->title, g_free);
	g_clear_pointer (&s->url, g_free);
	g_clear_pointer (&s->citation, g_free);
}

void
pg_problem_free (PgProblem *p)
{
	if (p == NULL)
		return;
	g_free (p->field);
	g_free (p->code);
	g_free (p->message);
	g_free (p->message_zh);
	g_free (p);
}

GPtrArray *
pg_problems_new (void)
{
	return g_ptr_array_new_with_free_func ((GDestroyNotify)pg_problem_free);
}

void
pg_problem_add (GPtrArray *problems,
		const gchar *field,
		const gchar *code,
		const gchar *message,
		const gchar *message_zh)
{
	PgProblem *p = g_new0 (PgProblem, 1);

	p->field = g_strdup (field);
	p->code = g_strdup (code);
	p->message = g_strdup (message);
	p->message_zh = g_strdup (message_zh != NULL ? message_zh : message);
	g_ptr_array_add (problems, p);
}

gboolean
pg_date_parse (const gchar *s, GDate *out)
{
	guint y, m, d;

	if (s == NULL || strlen (s) != 10 || s[4] != '-' || s[7] != '-')
		return FALSE;
	for (guint i = 0; i < 10; i++) {
		if (i != 4 && i != 7 && !g_ascii_isdigit (s[i]))
			return FALSE;
	}
	y = (guint)g_ascii_strtoull (s, NULL, 10);
	m = (guint)g_ascii_strtoull (s + 5, NULL, 10);
	d = (guint)g_ascii_strtoull (s + 8, NULL, 10);
	if (y < 1 || y > 9999 || !g_date_valid_dmy ((GDateDay)d, (GDateMonth)m, (GDateYear)y))
		return FALSE;
	g_date_clear (out, 1);
	g_date_set_dmy (out, (GDateDay)d, (GDateMonth)m, (GDateYear)y);
	return TRUE;
}

gchar *
pg_date_to_string (const GDate *d)
{
	return g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (d), g_date_get_month (d),
				g_date_get_day (d));
}

gchar *
pg_date_add_days (const gchar *iso, gint days)
{
	GDate d;

	if (!pg_date_parse (iso, &d))
		return g_strdup (iso);
	if (days >= 0)
		g_date_add_days (&d, (guint)days);
	else
		g_date_subtract_days (&d, (guint)-days);
	return pg_date_to_string (&d);
}
