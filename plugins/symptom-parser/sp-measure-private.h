/*
 * symptom-parser — what sp-measure.c and sp-medication.c share: scanning helpers over the
 * normalised text.  Private to the parser core.
 */
#pragma once

#include "sp-ctx.h"

G_BEGIN_DECLS

/* Is @p (before @end) an ASCII letter, digit or '_'? */
gboolean sp_m_is_word_byte (const gchar *p, const gchar *end);

/* @p after spaces and tabs (not newlines). */
const gchar *sp_m_skip_spaces (const gchar *p, const gchar *end);

/* The end of @word at @p, which must be followed by a word boundary when it ends with a Latin
 * letter or digit; or NULL. */
const gchar *sp_m_word_at (const gchar *p, const gchar *end, const gchar *word);

/* The end of a decimal number at @p (at most 7 digits before the point and 4 after, nothing
 * malformed: "38..5", "1e308"), its value in @value; or NULL. */
const gchar *sp_m_number (const gchar *p, const gchar *end, gdouble *value);

/* Sets the dose, frequency and route of the medication finding @f of item @k from the text
 * after (and, for the route, just before) it. */
void sp_medication_read (SpCtx *ctx, guint k, SpFinding *f);

G_END_DECLS
