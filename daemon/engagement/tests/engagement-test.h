/* What the engagement tests share: JSON in, problems looked up, dates, zones, check-ins. */
#pragma once

#include <criterion/criterion.h>
#include <json-glib/json-glib.h>
#include <medverse/mv-error.h>

#include "mv-checkin.h"
#include "mv-engagement-rules.h"
#include "mv-ledger.h"
#include "mv-streak.h"

/* @json parsed; fails the test if it is not an object.  (transfer full) */
JsonObject *mvt_parse (const gchar *json);

/* "YYYY-MM-DD" as a GDate; fails the test if it does not parse */
GDate mvt_date (const gchar *text);
/* RFC 3339 as a time; fails the test if it does not parse.  (transfer full) */
GDateTime *mvt_time (const gchar *text);
/* an IANA zone; fails the test if unknown.  (transfer full) */
GTimeZone *mvt_zone (const gchar *name);

/* expects a problem at @field with @code (and @text in its English message, when not NULL) */
void
mvt_expect_problem (const GError *error, const gchar *field, const gchar *code, const gchar *text);

/* a check-in of @metric with @value at @at (RFC 3339) in @zone.  (transfer full) */
MvCheckin *mvt_checkin (
	const gchar *id, MvCheckinMetric metric, gdouble value, const gchar *at, GTimeZone *zone);

/* the shipped rules (daemon/engagement/engagement.json).  (transfer full) */
MvEngagementRules *mvt_shipped_rules (void);

/* the sum of @entries' points */
gint64 mvt_points (GPtrArray *entries);
