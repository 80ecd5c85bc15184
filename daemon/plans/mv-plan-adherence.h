/*
 * Medverse plans — last week's adherence to a plan, from the patient's check-ins (issue 13,
 * item 3).  Pure: the plan, the check-ins (the record's observations, as a snapshot of the
 * record holds them), the time zone and the dates are arguments; no database, no clock.
 *
 * The week: the 7 days the plan covers (its `week_start` and the 6 after it) once they are
 * over; before that, the days of it that have passed (today, still open, is left out).
 *
 * planned  the days of the week that fall on the task's `days`
 * done     the days of the week (local dates in the patient's zone, so a 23- or 25-hour day
 *          is one day) on which the task was done, one a day whatever the number of
 *          check-ins, and at most `planned`:
 *            - a check-in naming the task's id (`task_id`: of metric "task", or a
 *              measurement that completes it), or
 *            - for a task with another `metric`, that day's check-ins of the metric:
 *              active_minutes  their sum reaches the task's `minutes` (per session)
 *              sleep, steps    the day's largest reaches the task's `target` when it has one
 *              blood_pressure, glucose, weight, mood: a reading that day
 *
 * daemon/plans/README.md ("Adherence") says why.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * mv_plan_week_over:
 * @plan: a stored plan record (its `week_start`)
 * @today: the patient's local date, YYYY-MM-DD
 *
 * Whether the plan's week is over: `week_start` + 7 days <= @today.  A plan without a valid
 * `week_start` is never over (nothing to re-plan from).
 */
gboolean mv_plan_week_over (JsonObject *plan, const gchar *today);

/**
 * mv_plan_adherence_window:
 * @from: (out) (transfer full): the first day counted
 * @to: (out) (transfer full): the last day counted (inclusive)
 *
 * The days whose check-ins count for @plan's adherence as of @today (see above).
 *
 * Returns: %FALSE when no day has passed yet (or the plan has no valid `week_start`): there is
 *   nothing to count
 */
gboolean mv_plan_adherence_window (JsonObject *plan, const gchar *today, gchar **from, gchar **to);

/**
 * mv_plan_adherence:
 * @plan: a plan (its `tasks`)
 * @observations: (nullable): the patient's observations (records as the clinical store
 *   returns them); those not recorded by the patient (`source` "patient") are ignored
 * @time_zone: the patient's IANA zone (invalid: UTC), which dates each check-in
 * @from: the first day counted, YYYY-MM-DD
 * @to: the last day counted, YYYY-MM-DD (inclusive)
 *
 * Returns: (transfer full): `[{"id", "planned", "done"}]`, one per task of @plan, in its order
 */
JsonArray *mv_plan_adherence (JsonObject *plan,
			      JsonArray *observations,
			      const gchar *time_zone,
			      const gchar *from,
			      const gchar *to);

/* The task id a stored task check-in names (its `method` "plan-task:<id>"), or NULL.
 * (transfer none: points into @observation) */
const gchar *mv_plan_checkin_task_id (JsonObject *observation);

G_END_DECLS
