/*
 * plan-generator core — the types every part shares: bilingual texts, citations and the
 * problems a refused input or rule file lists.  No SDK dependency: the plugin glue
 * (plan-generator.c) turns problems into MV_ERROR problems, the tests read them directly.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
	PG_LANG_EN,
	PG_LANG_ZH,
} PgLang;

/* a text a patient reads, in both languages (both required in rule files) */
typedef struct {
	gchar *en;
	gchar *zh;
} PgText;

void pg_text_clear (PgText *t);
const gchar *pg_text_get (const PgText *t, PgLang lang);

/* where a rule comes from; url may be NULL when no address is certain */
typedef struct {
	gchar *org;
	gchar *title;
	gint year;
	gchar *url;
	gchar *citation; /* "org. title. year. url", what a plan item carries */
} PgSource;

void pg_source_clear (PgSource *s);

/*
 * One thing wrong with an input: a JSON Pointer to the member, a stable code ("required",
 * "unknown-member", "wrong-type", "invalid-format", "not-allowed", "out-of-range",
 * "not-found"), and what is wrong in English and Chinese, never quoting the value.
 */
typedef struct {
	gchar *field;
	gchar *code;
	gchar *message;
	gchar *message_zh;
} PgProblem;

void pg_problem_free (PgProblem *p);
GPtrArray *pg_problems_new (void);
void pg_problem_add (GPtrArray *problems,
		     const gchar *field,
		     const gchar *code,
		     const gchar *message,
		     const gchar *message_zh);

/* "YYYY-MM-DD" of a real calendar day */
gboolean pg_date_parse (const gchar *s, GDate *out);
gchar *pg_date_to_string (const GDate *d);
gchar *pg_date_add_days (const gchar *iso, gint days);

G_END_DECLS
