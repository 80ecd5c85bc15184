/*
 * Medverse engagement — the game's rules, from a data file a clinic can edit
 * (daemon/engagement/engagement.json; its JSON schema: schemas/json/engagement.schema.json):
 * points per check-in metric with a daily cap, streak milestones, levels with their titles,
 * badges with their criteria, weekly challenges.  docs/engagement.md says what each means.
 *
 * The loader checks everything the schema says and what it cannot (levels rising from 0,
 * unique ids, a challenge's measure fitting its metric…) and reports every problem at once,
 * each as "FILE:LINE: /json/pointer: what is wrong", so a clinic fixes its copy in one round.
 */
#pragma once

#include <glib.h>

#include "mv-checkin.h"

G_BEGIN_DECLS

#define MV_ENGAGEMENT_ERROR (mv_engagement_error_quark ())
GQuark mv_engagement_error_quark (void);

typedef enum {
	MV_ENGAGEMENT_ERROR_RULES, /* a rules file is unreadable or invalid */
} MvEngagementError;

typedef struct {
	gchar *en;
	gchar *zh;
} MvText;

typedef struct {
	guint points;	 /* per check-in */
	guint daily_cap; /* at most this many points from the metric per local day */
} MvPointRule;

typedef struct {
	guint days;
	guint points;
} MvMilestone;

typedef struct {
	guint min_points;
	MvText title;
} MvLevel;

typedef enum {
	MV_BADGE_CHECKINS,	 /* count check-ins in all */
	MV_BADGE_STREAK,	 /* a streak of days (the longest ever) */
	MV_BADGE_DAY_VALUE,	 /* a local day whose figure of metric reaches min */
	MV_BADGE_METRIC_DAYS,	 /* metric checked in on days different local days */
	MV_BADGE_METRIC_COUNT,	 /* count check-ins of metric */
	MV_BADGE_CHALLENGES_WON, /* count weekly challenges won */
} MvBadgeKind;

typedef struct {
	gchar *id;
	MvText title;
	MvText description;
	MvBadgeKind kind;
	MvCheckinMetric metric; /* DAY_VALUE, METRIC_DAYS, METRIC_COUNT */
	gdouble threshold;	/* count, days or min */
} MvBadge;

typedef enum {
	MV_CHALLENGE_SUM,  /* the sum of the week's day figures (steps: each day's largest) */
	MV_CHALLENGE_DAYS, /* the number of local days of the week with a check-in */
} MvChallengeMeasure;

typedef struct {
	gchar *id;
	MvText title;
	MvCheckinMetric metric;
	MvChallengeMeasure measure;
	gdouble target; /* per ISO week (Monday to Sunday, local) */
	guint points;	/* awarded once per week won */
} MvChallenge;

typedef struct {
	gchar *version;
	/* a digest of the file (SHA-256, hex): what a ledger entry's rules were */
	gchar *digest;
	MvPointRule points[MV_CHECKIN_N_METRICS];
	GArray *milestones;    /* MvMilestone, by days ascending */
	GPtrArray *levels;     /* MvLevel *, by min_points ascending, the first at 0 */
	GPtrArray *badges;     /* MvBadge * */
	GPtrArray *challenges; /* MvChallenge * */
} MvEngagementRules;

void mv_engagement_rules_free (MvEngagementRules *rules);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvEngagementRules, mv_engagement_rules_free)

/**
 * mv_engagement_rules_load_data:
 * @data: the file's text
 * @name: the file name problems are reported under
 *
 * Returns: (transfer full) (nullable): the rules, or %NULL with %MV_ENGAGEMENT_ERROR_RULES
 *   whose message lists every problem, one a line, as "NAME:LINE: /pointer: problem"
 */
MvEngagementRules *
mv_engagement_rules_load_data (const gchar *data, const gchar *name, GError **error);

/* The same for the file at @path (problems under its path). */
MvEngagementRules *mv_engagement_rules_load_file (const gchar *path, GError **error);

/* The level (1-based) of @points and its definition. */
guint
mv_engagement_rules_level (const MvEngagementRules *rules, gint64 points, const MvLevel **level);

/* The badge or challenge named @id, or NULL. */
const MvBadge *mv_engagement_rules_badge (const MvEngagementRules *rules, const gchar *id);
const MvChallenge *mv_engagement_rules_challenge (const MvEngagementRules *rules, const gchar *id);

G_END_DECLS
