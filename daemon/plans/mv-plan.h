/*
 * Medverse plans — a patient's prevention plan from the plan-generator plugin, stored as the
 * clinical record kind "plan" (transport-free core; the HTTP routes are mv-plan-api.c).
 *
 *   mv-plan-kind.c      the kind: the plugin's plan plus the daemon's members, validated
 *   mv-plan-context.c   the plugin's `context` assembled from one snapshot of the record
 *   mv-plan-ics.c       the plan as iCalendar (RFC 5545), and today's tasks
 *
 * Formats: the plugin's `context` and `plan` are issue 13's spec (section A); what the daemon
 * adds and decides is in daemon/plans/README.md and docs/api.md ("Plans").
 */
#pragma once

#include <json-glib/json-glib.h>

#include "clinical/mv-clinical-kind.h"
#include "records/mv-record-schema.h"

G_BEGIN_DECLS

/* The plugin and the methods the daemon calls. */
#define MV_PLAN_PLUGIN "plan-generator"

/* What a context reads from the record, and how far back. */
#define MV_PLAN_MEASUREMENT_MAX_AGE_DAYS 365
#define MV_PLAN_NOTES_MAX_AGE_DAYS 90
#define MV_PLAN_CHECKINS_MAX_AGE_DAYS 14
/* at most this many items of each list of a context (the newest) */
#define MV_PLAN_CONTEXT_LIST_MAX 200

extern const MvClinicalKind mv_plan_kind;
extern const MvField mv_plan_members[];

/**
 * mv_plan_record_from_plugin:
 * @plan: the plugin's `plan` (Generate's or Replan's answer, as JSON)
 *
 * The members the spec names, copied (a later plugin's extra members are left out rather
 * than refusing the plan), the plan's own `version` as `plan_version` (`version` is the
 * store's).  The caller adds the daemon's members and lets the kind check the whole.
 *
 * Returns: (transfer full): the record's plan part.
 */
JsonObject *mv_plan_record_from_plugin (JsonObject *plan);

/* The stored record's plan as the plugin's `plan` (for Replan's `previous`): the spec's
 * members only, `plan_version` as `version`.  (transfer full) */
JsonObject *mv_plan_record_to_plugin (JsonObject *record);

/* Whether @text is an RFC 3339 full-date (any that exists, future ones too). */
gboolean mv_plan_date_valid (const gchar *text);

/* "mon".."sun" of @date (YYYY-MM-DD, valid), or NULL. */
const gchar *mv_plan_weekday (const gchar *date);

/**
 * mv_plan_ics_feed:
 * @record: a stored plan record (with its "id" and "version")
 * @previous: (nullable): the record's previous version, if any
 * @now: the calendar's DTSTAMP
 *
 * The plan as an iCalendar object (RFC 5545): one VEVENT a task, all-day on the first of its
 * days in the plan's week and repeating weekly on its days (RRULE FREQ=WEEKLY;BYDAY) until
 * the plan's horizon (its latest goal's due date, at least the end of its week); one all-day
 * VEVENT a follow-up.  UIDs come from each item's own identity, never its position: the plan
 * record's id and the task's id; the follow-up's id, else its rule and date.  Every event's
 * SEQUENCE is the record's version.  A task or follow-up of @previous that @record no longer
 * holds is in the feed with STATUS:CANCELLED (same UID, higher SEQUENCE), so a calendar app
 * that imported it removes it instead of keeping a ghost.  A follow-up that is a red flag's
 * instruction (its rule is the flag's id) reads as urgent ("Emergency: " / "紧急：", "Urgent: "
 * / "紧急就医：", PRIORITY:1), any other as a follow-up ("Follow-up: " / "复诊：").  Lines end in
 * CRLF and are folded at 75 octets, never inside a UTF-8 character; TEXT values escape
 * backslash, semicolon, comma and newlines.
 *
 * Returns: (transfer full): the text.
 */
gchar *mv_plan_ics_feed (JsonObject *record, JsonObject *previous, GDateTime *now);

/* mv_plan_ics_feed() without a previous version.  (transfer full) */
gchar *mv_plan_ics (JsonObject *record, GDateTime *now);

/* TEXT escaping (RFC 5545 3.3.11).  (transfer full) */
gchar *mv_plan_ics_escape (const gchar *text);

/* Appends @line (a content line, unfolded) to @out folded at 75 octets, with CRLF. */
void mv_plan_ics_fold (GString *out, const gchar *line);

/**
 * mv_plan_today:
 * @record: a stored plan record
 * @date: the patient's local date (YYYY-MM-DD, valid)
 *
 * What the patient does on @date: `{"date", "weekday", "status", "red_flags", "tasks",
 * "follow_ups"}`, red flags first; the tasks whose `days` hold @date's weekday, the follow-ups
 * dated @date, those dated before it as "overdue_follow_ups"; "plan_started"/"plan_ended" and,
 * outside the plan's period (week_start to the .ics horizon), no tasks and a "notice".  A
 * suppressed plan gives its red flags (with their urgent instructions) and no tasks or follow-ups.
 *
 * Returns: (transfer full): the day.
 */
JsonObject *mv_plan_today (JsonObject *record, const gchar *date);

G_END_DECLS
