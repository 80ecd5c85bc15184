/*
 * plan-generator core — rule files and the red-flag list (README, "Rule files").
 *
 * A rule file is {"rules": [rule…]}; the red-flag list {"red_flags": [flag…]}.  Each file is
 * validated as a whole: a file with any problem is refused, every problem reported with the
 * file name, the JSON line of the object at fault and a JSON Pointer; the other files load.
 */
#pragma once

#include "pg-context.h"

G_BEGIN_DECLS

#define PG_RULES_ERROR (pg_rules_error_quark ())
GQuark pg_rules_error_quark (void);

typedef enum {
	PG_RULES_ERROR_INVALID, /* a file refused: message lists every problem with file:line */
	PG_RULES_ERROR_NONE,	/* nothing to load */
} PgRulesError;

typedef enum {
	PG_PRED_ALL,
	PG_PRED_ANY,
	PG_PRED_NOT,
	PG_PRED_AGE,
	PG_PRED_SEX,
	PG_PRED_PREGNANT,
	PG_PRED_MOBILITY,
	PG_PRED_SMOKING,
	PG_PRED_CONDITION,
	PG_PRED_MEDICATION,
	PG_PRED_MEASUREMENT,
	PG_PRED_BMI,
	PG_PRED_BMI_STANDARD,
	PG_PRED_RISK,
	PG_PRED_FINDING,
} PgPredKind;

typedef struct {
	gboolean has_min;
	gdouble min; /* inclusive */
	gboolean has_below;
	gdouble below; /* exclusive */
} PgRange;

typedef struct _PgPred PgPred;
struct _PgPred {
	PgPredKind kind;
	GPtrArray *children; /* all, any, not (one) */
	gchar **values;	    /* sex, mobility, smoking, bmi standard, code and risk model prefixes */
	gchar **categories; /* risk categories; finding severities */
	gchar *code;	    /* measurement */
	gboolean flag;	    /* pregnant */
	PgRange range;	    /* age, measurement, risk probability, finding value */
	PgRange who, china; /* bmi, by the context's standard */
};

void pg_pred_free (PgPred *p);

typedef struct {
	gchar *id;
	gchar *metric;
	gchar *unit;
	gchar *direction; /* at_least | at_most | below */
	gboolean has_target;
	gdouble target;
	gboolean has_change_percent;
	gdouble change_percent; /* target relative to the baseline, e.g. -7 */
	gchar *baseline_code;	/* a measurement code for the baseline */
	guint due_weeks;
	PgText title;
} PgGoalSpec;

typedef struct {
	gboolean present;
	gdouble start;
	gdouble step;
	gdouble ceiling;
} PgProgress;

typedef struct {
	gchar *id;
	gchar *category;
	gchar *metric;
	gchar *intensity; /* activity only */
	PgText title;	  /* "{minutes}", "{target}", "{sessions}" are filled in */
	PgText detail;
	guint sessions; /* per week, 1..7 */
	gchar **days;	/* fixed days, else spread */
	PgProgress minutes;
	PgProgress target;
} PgTaskSpec;

typedef struct {
	guint in_days;
	PgText reason;
} PgFollowUpSpec;

typedef struct {
	gchar *metric;
	gboolean has_max;
	gdouble max;
	gboolean has_min;
	gdouble min;
	PgText reason;
} PgLimitSpec;

typedef struct {
	gchar *id;
	gchar *file; /* base name */
	PgText title;
	PgSource source;
	gint priority; /* a goal or task id given by several rules: the highest priority wins */
	PgPred *when;
	GPtrArray *goals;      /* PgGoalSpec */
	GPtrArray *tasks;      /* PgTaskSpec */
	GPtrArray *follow_ups; /* PgFollowUpSpec */
	GPtrArray *limits;     /* PgLimitSpec */
} PgRule;

typedef struct {
	gchar *id;
	gchar *level; /* emergency | urgent */
	PgText title;
	PgText instruction;
	PgSource source;
	gchar *reviewed_by;
	gchar *reviewed_on;
	gchar **overrides; /* flags this one makes redundant when it fires */
	PgPred *when;
} PgRedFlag;

typedef struct {
	GPtrArray *rules;     /* PgRule, in file-name order then file order */
	GPtrArray *red_flags; /* PgRedFlag */
	GPtrArray *refused;   /* gchar*: one message per refused file */
	gchar *version;	      /* hash of the loaded files */
} PgRuleSet;

void pg_rule_set_free (PgRuleSet *set);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PgRuleSet, pg_rule_set_free)

/**
 * pg_rule_set_load:
 * @rules_dir: directory of rule files (*.json, read in name order)
 * @red_flags_path: the red-flag list
 * @error: set when the red-flag list is refused (a plan without triage is not safe to give)
 *   or when no rule file loads
 *
 * Refused rule files are listed in the set's @refused, one message each
 * ("FILE:LINE: /pointer: what is wrong", several lines when several problems).
 */
PgRuleSet *pg_rule_set_load (const gchar *rules_dir, const gchar *red_flags_path, GError **error);

/* one file's contents (for tests and the fuzz target): the rules or flags it holds, or NULL
 * with the error naming @name */
GPtrArray *pg_rules_parse (const gchar *data, gsize len, const gchar *name, GError **error);
GPtrArray *pg_red_flags_parse (const gchar *data, gsize len, const gchar *name, GError **error);

void pg_rule_free (PgRule *r);
void pg_red_flag_free (PgRedFlag *f);

/* evaluation (pg-eval.c) */
typedef enum {
	PG_MATCH_NO = 0,
	PG_MATCH_POSSIBLE = 1, /* only an uncertain finding made it true */
	PG_MATCH_YES = 2,
} PgMatch;

/**
 * pg_pred_eval:
 * @codes: (nullable): finding codes that made the predicate true are added here
 * @cleared_on: (nullable): the red flags' clearing, an instant or a date: findings and readings
 *   before it are not seen (pg_after_clearing())
 */
PgMatch
pg_pred_eval (const PgPred *p, const PgContext *ctx, const gchar *cleared_on, GPtrArray *codes);

G_END_DECLS
