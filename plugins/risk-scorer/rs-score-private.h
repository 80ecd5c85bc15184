/*
 * risk-scorer core — what scoring one set (rs-score.c) and scoring columns (rs-columns.c)
 * share: the problems with their texts, written once so both paths say the same thing.
 * Not for the plugin, the trainer or the tests.
 */
#pragma once

#include "rs-score.h"

G_BEGIN_DECLS

/* takes @message and @message_zh */
RsProblem *
rs_problem_new (const gchar *input, const gchar *code, gchar *message, gchar *message_zh);
RsProblem *rs_problem_wrong_type (const RsInput *in, const gchar *en, const gchar *zh);
RsProblem *rs_problem_unknown_unit (const RsInput *in);
RsProblem *rs_problem_not_finite (const RsInput *in);
/* with the range's UCUM unit in ->unit */
RsProblem *rs_problem_out_of_range (const RsInput *in);
RsProblem *rs_problem_unknown_level (const RsInput *in);
RsProblem *rs_problem_missing (const gchar *name);
RsProblem *rs_problem_unknown_input (const gchar *name);
/* the values are valid but the model's arithmetic gives no finite probability */
RsProblem *rs_problem_no_score (void);

/* The accepted unit @unit names: 0 the canonical unit, i + 1 in->units[i], -1 none. */
gint rs_match_unit (const RsInput *in, const gchar *unit);

G_END_DECLS
