/*
 * plan-generator core — triage, plan assembly and the weekly re-plan (README, "Methods").
 *
 * Pure functions of the rule set and the context: the clock is never read (the context's
 * `today` is the date), so the same input always gives the same plan.
 */
#pragma once

#include "pg-rules.h"

G_BEGIN_DECLS

/**
 * pg_triage:
 *
 * Returns: (transfer full): the red flags the context raises, most urgent first, aa{sv}
 *   (members: README, "Plan").
 */
GVariant *pg_triage (const PgRuleSet *set, const PgContext *ctx);

/**
 * pg_plan_generate:
 *
 * Returns: (transfer full): the plan, a{sv}, version 1.
 */
GVariant *pg_plan_generate (const PgRuleSet *set, const PgContext *ctx);

/**
 * pg_plan_replan:
 * @previous: the plan of last week as Generate or Replan returned it
 * @adherence: aa{sv} (or av): {id, planned, done} per goal or task of @previous
 * @problems: what is wrong with @previous or @adherence, every problem
 *
 * Returns: (transfer full) (nullable): the new plan (version of @previous + 1), or %NULL when
 *   @problems grew.
 */
GVariant *pg_plan_replan (const PgRuleSet *set,
			  const PgContext *ctx,
			  GVariant *previous,
			  GVariant *adherence,
			  GPtrArray *problems);

/* the checks of pg_plan_replan() on @previous and @adherence alone (for a caller whose context
 * was refused: every problem is reported at once) */
void pg_plan_replan_check (GVariant *previous, GVariant *adherence, GPtrArray *problems);

/**
 * pg_rules_describe:
 *
 * Returns: (transfer full): aa{sv}, one per rule and red flag: kind, id, title_en, title_zh,
 *   source, file.
 */
GVariant *pg_rules_describe (const PgRuleSet *set);

/* adherence thresholds (share of planned sessions done): met raises, missed lowers */
#define PG_ADHERENCE_MET 0.8
#define PG_ADHERENCE_MISSED 0.5

G_END_DECLS
