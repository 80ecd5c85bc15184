/*
 * plan-generator core — what triage and plan assembly share (pg-triage.c, pg-plan.c).  Not
 * for the plugin or the tests.
 */
#pragma once

#include "pg-plan.h"

G_BEGIN_DECLS

/* one red flag raised: how certainly, and by which findings */
typedef struct {
	const PgRedFlag *flag;
	PgMatch certainty;
	GPtrArray *codes;
} PgFlagHit;

void pg_flag_hit_free (PgFlagHit *h);

/* the flags @ctx raises, covered ones hidden, emergencies first, then the more certain */
GPtrArray *pg_triage_hits (const PgRuleSet *set, const PgContext *ctx);
GVariant *pg_flags_to_variant (GPtrArray *hits, PgLang lang);

G_END_DECLS
