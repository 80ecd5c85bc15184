/* A check-in naming a plan task (`task_id`: a task done, or a measurement completing one)
 * against the patient's current plan: the task must be one of the plan the patient follows now.
 * Before, any task id earned points; now a check-in naming a task the
 * current plan does not hold (a typo, an old plan's, no plan at all), or a task of a plan a red
 * flag suppressed (the patient is to see a doctor, not to collect points), is refused with the
 * rest of the request: nothing is written. */
#define G_LOG_DOMAIN "medverse-engagement"

#include "mv-engagement-private.h"

#include <medverse/mv-error.h>

#include "../clinical/mv-clinical-kind.h"

/* whether @plan's tasks hold @id */
static gboolean
plan_has_task (JsonObject *plan, const gchar *id)
{
	JsonNode *n = plan != NULL ? json_object_get_member (plan, "tasks") : NULL;
	JsonArray *tasks = n != NULL && JSON_NODE_HOLDS_ARRAY (n) ? json_node_get_array (n) : NULL;

	for (guint i = 0; tasks != NULL && i < json_array_get_length (tasks); i++) {
		JsonNode *t = json_array_get_element (tasks, i);
		if (JSON_NODE_HOLDS_OBJECT (t)
		    && g_strcmp0 (json_object_get_string_member_with_default (
					  json_node_get_object (t), "id", NULL),
				  id)
			       == 0)
			return TRUE;
	}
	return FALSE;
}

gboolean
mv_engagement_check_tasks (PGconn *conn,
			   MvEngagementOp *op,
			   MvSecret *dek,
			   GPtrArray *fresh,
			   GArray *fresh_at,
			   GPtrArray *pointers,
			   GError **error)
{
	g_autoptr (JsonObject) plan = NULL;
	gboolean suppressed, any = FALSE;
	GError *problems = NULL;

	for (guint i = 0; i < fresh->len; i++)
		any |= ((MvCheckin *)g_ptr_array_index (fresh, i))->task_id != NULL;
	if (!any)
		return TRUE;
	if (!mv_clinical_store_newest_in (conn, op->store->clinical, op->call,
					  mv_clinical_kind_lookup ("plan"), op->patient_id, dek,
					  &plan, error))
		return FALSE;
	suppressed
		= plan != NULL
		  && g_strcmp0 (json_object_get_string_member_with_default (plan, "status", NULL),
				"suppressed")
			     == 0;
	for (guint i = 0; i < fresh->len; i++) {
		const MvCheckin *c = g_ptr_array_index (fresh, i);
		const gchar *pointer
			= g_ptr_array_index (pointers, g_array_index (fresh_at, guint, i));
		g_autofree gchar *where = NULL;

		/* a measurement may name the task it completes too (docs/engagement.md) */
		if (c->task_id == NULL)
			continue;
		where = g_strdup_printf ("%s/task_id", pointer);
		if (plan == NULL)
			mv_error_add_problem (&problems, where, "no-plan",
					      "the patient has no plan yet: there is no task to "
					      "complete",
					      "该患者还没有计划：没有可完成的任务");
		else if (suppressed)
			mv_error_add_problem (
				&problems, where, "plan-suppressed",
				"the plan is on hold because of a red flag: follow its "
				"urgent instruction; tasks earn nothing until a "
				"clinician clears it",
				"因危险信号，计划已暂停：请按紧急提示行事；在临床医生解除前，"
				"完成任务不计分");
		else if (!plan_has_task (plan, c->task_id))
			mv_error_add_problem (&problems, where, "unknown-task",
					      "is no task of the patient's current plan",
					      "不是患者当前计划中的任务");
	}
	if (problems != NULL) {
		g_propagate_error (error, problems);
		return FALSE;
	}
	return TRUE;
}
