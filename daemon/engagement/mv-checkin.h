/*
 * Medverse engagement — a patient's check-in: validated, converted, dated in the patient's
 * time zone, and turned into the Observation input the clinical record stores.
 *
 * A check-in is the JSON a patient app sends (later POST /v1/me/checkins):
 *
 *   {"id": "c-2026-12-05-1", "metric": "steps", "value": 8200, "unit": "/d",
 *    "at": "2026-12-05T21:30:00+08:00"}
 *
 * with the metrics of mv_checkin_metric_name(); docs/engagement.md has every member, the
 * plausibility table (mv_checkin_limits) and the codes each metric is recorded under.  Every
 * problem of an input is reported at once (mv_error_add_problem(): JSON Pointers, English and
 * Chinese messages, never the value submitted); a refused check-in gives no output at all, so
 * nothing of it can be written.
 *
 * Pure functions: no database, no keys, no transport, no clock unless the caller passes none.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum {
	MV_CHECKIN_STEPS,
	MV_CHECKIN_ACTIVE_MINUTES,
	MV_CHECKIN_BLOOD_PRESSURE,
	MV_CHECKIN_GLUCOSE,
	MV_CHECKIN_WEIGHT,
	MV_CHECKIN_SLEEP,
	MV_CHECKIN_MOOD,
	MV_CHECKIN_TASK,
	MV_CHECKIN_VR_SESSION,
	MV_CHECKIN_N_METRICS /*< skip >*/
} MvCheckinMetric;

/* How a metric's check-ins of one local day add up to the day's figure (a challenge's weekly
 * sum, a "10,000-step day" badge). */
typedef enum {
	/* a running total of the day (a pedometer): the day's largest value; a later, larger
	 * count replaces the earlier one instead of adding to it */
	MV_CHECKIN_DAY_MAX,
	/* sessions (active minutes, VR minutes, tasks done: 1 each): the day's sum */
	MV_CHECKIN_DAY_SUM,
	/* a reading (blood pressure, glucose, weight, mood): no day figure, only "measured" */
	MV_CHECKIN_DAY_NONE,
} MvCheckinDayRule;

/* "steps", "active_minutes", "blood_pressure", "glucose", "weight", "sleep", "mood", "task",
 * "vr_session"; NULL for an out-of-range value. */
const gchar *mv_checkin_metric_name (MvCheckinMetric metric);

/* The metric named @name; FALSE when there is none. */
gboolean mv_checkin_metric_from_name (const gchar *name, MvCheckinMetric *out);

MvCheckinDayRule mv_checkin_metric_day_rule (MvCheckinMetric metric);

/* One row of the plausibility table: a value outside [min, max] (in the canonical unit) is
 * refused with @reason, because it is a typing, unit or device error far more often than a
 * measurement.  Sources and reasoning: docs/engagement.md ("Plausibility limits"). */
typedef struct {
	const gchar *metric; /* the check-in metric */
	const gchar *member; /* the member it bounds: "value", "systolic", "diastolic" */
	gdouble min;
	gdouble max;
	const gchar *unit; /* the canonical UCUM unit of min and max */
	gboolean integer;  /* a count or a scale point: no fraction */
	const gchar *reason_en;
	const gchar *reason_zh;
	const gchar *source; /* where the bound comes from, in a few words */
} MvCheckinLimit;

/* The table, terminated by a NULL metric. */
extern const MvCheckinLimit mv_checkin_limits[];

/* A valid check-in.  Values are in the metric's canonical unit (mmol/L, kg, h, min…). */
typedef struct {
	gchar *id;
	MvCheckinMetric metric;
	/* the value (blood pressure: the systolic pressure), canonical unit */
	gdouble value;
	/* blood pressure only: the diastolic pressure, mm[Hg] */
	gdouble diastolic;
	/* the value and UCUM unit as the patient gave them (converted ones: glucose, weight) */
	gdouble original_value;
	gchar *original_unit;
	gchar *context;	   /* glucose: "fasting", "postprandial", "random"; else NULL */
	gchar *task_id;	   /* task: the plan task done; else NULL */
	gchar *vr_content; /* vr_session: the content id; else NULL */
	GDateTime *at;	   /* when, with the offset the client gave */
	GDate local_date;  /* the calendar day of @at in the patient's time zone */
} MvCheckin;

void mv_checkin_free (MvCheckin *checkin);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvCheckin, mv_checkin_free)

/**
 * mv_checkin_new:
 * @id: the client's id
 * @metric: the metric
 * @value: the value in the metric's canonical unit
 * @at: when (a reference is taken)
 * @zone: the patient's time zone, which dates it
 *
 * A check-in as the store reloads it (already validated when it came in), for the streak and
 * the ledger.  Other members are left empty; set them directly.
 *
 * Returns: (transfer full): the check-in
 */
MvCheckin *mv_checkin_new (
	const gchar *id, MvCheckinMetric metric, gdouble value, GDateTime *at, GTimeZone *zone);

/* The calendar day of @time in @zone (a check-in's day; with the current time, the patient's
 * "today" for the streak and the ledger). */
void mv_checkin_local_date (GDateTime *time, GTimeZone *zone, GDate *out);

/* A client id is 1 – 64 characters of [A-Za-z0-9._:-]: it is a key of the check-in (a
 * retried POST sends the same id and is written once), so it must be plain and short. */
gboolean mv_checkin_id_valid (const gchar *id);

/* The rule for a client id sent again: the request @sent is a repeat of the one stored as
 * @stored when every member is the same (JSON equality, member order aside); a repeat is
 * answered with what was stored, anything else under the same id is a conflict (409).  The
 * check-ins' rule, and the VR sessions' (daemon/vr/). */
gboolean mv_checkin_same_request (JsonObject *sent, JsonObject *stored);

/**
 * mv_checkin_time_zone:
 * @name: an IANA time zone name ("Asia/Shanghai", "America/New_York", "UTC")
 *
 * The patient's time zone.  Only IANA names: a bare offset ("+08:00") has no daylight-saving
 * rules and would date a summer check-in on the wrong day once the clocks change.
 *
 * Returns: (transfer full) (nullable): the zone, or %NULL with a problem at /time_zone
 *   ("invalid-code") in @error
 */
GTimeZone *mv_checkin_time_zone (const gchar *name, GError **error);

/**
 * mv_checkin_validate:
 * @input: the client's check-in object
 * @pointer: its JSON Pointer in the request body ("" for a single check-in)
 * @zone: the patient's time zone (mv_checkin_time_zone())
 * @now: (nullable): the current time; %NULL for the clock's
 * @error: every problem of @input (MV_ERROR_INVALID_INPUT with its problems)
 *
 * Checks @input (members, the id's rule, the metric's own members and units, the
 * plausibility table, systolic above diastolic, `at` not more than 5 minutes ahead of @now —
 * the clinical record's own rule — nor more than %MV_CHECKIN_MAX_AGE_DAYS days before it)
 * and converts it (mg/dL → mmol/L, [lb_av] → kg, min → h for sleep).
 *
 * Returns: (transfer full) (nullable): the check-in, or %NULL with every problem in @error
 */
MvCheckin *mv_checkin_validate (
	JsonObject *input, const gchar *pointer, GTimeZone *zone, GDateTime *now, GError **error);

/* A check-in older than this many days is refused ("too-early"): an app that was offline for
 * a few days still syncs, a year of made-up history does not fill the streak. */
#define MV_CHECKIN_MAX_AGE_DAYS 7

/**
 * mv_checkin_to_observation:
 *
 * The Observation input of @checkin for the clinical record (the observation kind's
 * normalise accepts it): its code (LOINC where one fits, Medverse's observation system
 * otherwise), value and unit as the patient gave them (the record converts and keeps the
 * original), `effective_at` = `at`, `source` "patient", and the context, task or VR content
 * in `method`.  Codes: docs/engagement.md ("Codes").
 *
 * Returns: (transfer full): the input object
 */
JsonObject *mv_checkin_to_observation (const MvCheckin *checkin);

G_END_DECLS
