/* Last week's adherence from the patient's check-ins: see mv-plan-adherence.h. */
#define G_LOG_DOMAIN "medverse-plans"

#include "mv-plan-adherence.h"

#include <math.h>
#include <string.h>

#include "clinical/mv-clinical-private.h"
#include "clinical/mv-observation-table.h"
#include "mv-plan-context.h"
#include "mv-plan.h"

#define TASK_METHOD_PREFIX "plan-task:"

static gchar *
date_text (const GDate *d)
{
	return g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (d), g_date_get_month (d),
				g_date_get_day (d));
}

static gboolean
week_start_of (JsonObject *plan, GDate *out)
{
	const gchar *start = json_object_get_string_member_with_default (plan, "week_start", NULL);

	return mv_plan_date_valid (start) && mv_schema_parse_date (start, out);
}

gboolean
mv_plan_week_over (JsonObject *plan, const gchar *today)
{
	GDate start, t;

	if (!week_start_of (plan, &start) || !mv_schema_parse_date (today, &t))
		return FALSE;
	g_date_add_days (&start, 7);
	return g_date_compare (&start, &t) <= 0;
}

gboolean
mv_plan_adherence_window (JsonObject *plan, const gchar *today, gchar **from, gchar **to)
{
	GDate start, end, t;

	if (!week_start_of (plan, &start) || !mv_schema_parse_date (today, &t))
		return FALSE;
	end = start;
	g_date_add_days (&end, 6);
	/* the week not over yet: the days of it before today (today is still open) */
	if (g_date_compare (&end, &t) >= 0) {
		end = t;
		g_date_subtract_days (&end, 1);
	}
	if (g_date_compare (&end, &start) < 0)
		return FALSE;
	*from = date_text (&start);
	*to = date_text (&end);
	return TRUE;
}

const gchar *
mv_plan_checkin_task_id (JsonObject *observation)
{
	const gchar *method = mv_clinical_get_string (observation, "method");

	if (method == NULL || !g_str_has_prefix (method, TASK_METHOD_PREFIX))
		return NULL;
	return method + strlen (TASK_METHOD_PREFIX);
}

/* One check-in as adherence reads it. */
typedef struct {
	const gchar *metric; /* the engagement metric */
	const gchar *task_id;
	gdouble value; /* in the metric's canonical unit (minutes, hours, steps) */
	gchar *date;   /* local */
} Checkin;

static void
checkin_free (Checkin *c)
{
	g_free (c->date);
	g_free (c);
}

/* the engagement metric an observation's code records (the codes of mv-checkin.c) */
static const gchar *
metric_of (JsonObject *o)
{
	static const gchar *const codes[][2] = {
		{ "41950-7", "steps" },		 { "55411-3", "active_minutes" },
		{ "85354-9", "blood_pressure" }, { "2339-0", "glucose" },
		{ "1558-6", "glucose" },	 { "29463-7", "weight" },
		{ "93832-4", "sleep" },		 { "mood", "mood" },
		{ "plan-task", "task" },
	};
	JsonObject *coding = mv_clinical_get_object (o, "code");
	const gchar *system = mv_clinical_get_string (coding, "system");
	const gchar *code = mv_clinical_get_string (coding, "code");

	if (coding == NULL) /* a LOINC code written as a string */
		code = mv_clinical_get_string (o, "code");
	else if (system != NULL && !g_str_equal (system, "http://loinc.org")
		 && !g_str_equal (system, MV_OBSERVATION_PROJECT_SYSTEM))
		return NULL;
	for (guint i = 0; code != NULL && i < G_N_ELEMENTS (codes); i++)
		if (g_str_equal (codes[i][0], code))
			return codes[i][1];
	return NULL;
}

/* the value in the metric's unit: minutes for activity, hours for sleep (the record keeps the
 * unit the patient gave) */
static gdouble
canonical_value (JsonObject *o, const gchar *metric)
{
	JsonNode *n = json_object_get_member (o, "value");
	const gchar *unit = mv_clinical_get_string (o, "unit");
	gdouble v;

	if (n == NULL || !JSON_NODE_HOLDS_VALUE (n)
	    || (json_node_get_value_type (n) != G_TYPE_INT64
		&& json_node_get_value_type (n) != G_TYPE_DOUBLE))
		return 0;
	v = json_node_get_double (n);
	if (!isfinite (v))
		return 0;
	if (g_str_equal (metric, "sleep") && g_strcmp0 (unit, "min") == 0)
		return v / 60;
	if (g_str_equal (metric, "active_minutes") && g_strcmp0 (unit, "h") == 0)
		return v * 60;
	return v;
}

static gchar *
local_date_of (const gchar *when, const gchar *tz)
{
	g_autoptr (GDateTime) t = when != NULL ? mv_schema_parse_datetime (when) : NULL;

	if (t == NULL)
		return when != NULL && mv_plan_date_valid (when) ? g_strdup (when) : NULL;
	return mv_plan_local_date (t, tz);
}

/* the patient's check-ins dated @from..@to */
static GPtrArray *
checkins_of (JsonArray *observations, const gchar *tz, const gchar *from, const gchar *to)
{
	GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify)checkin_free);

	for (guint i = 0; observations != NULL && i < json_array_get_length (observations); i++) {
		JsonObject *o = json_array_get_object_element (observations, i);
		const gchar *metric;
		gchar *date;
		Checkin *c;

		if (o == NULL || g_strcmp0 (mv_clinical_get_string (o, "source"), "patient") != 0)
			continue;
		metric = metric_of (o);
		date = metric != NULL
			       ? local_date_of (mv_clinical_get_string (o, "effective_at"), tz)
			       : NULL;
		/* YYYY-MM-DD compares as text */
		if (date == NULL || strcmp (date, from) < 0 || strcmp (date, to) > 0) {
			g_free (date);
			continue;
		}
		c = g_new0 (Checkin, 1);
		c->metric = metric;
		c->task_id = mv_plan_checkin_task_id (o);
		c->value = canonical_value (o, metric);
		c->date = date;
		g_ptr_array_add (out, c);
	}
	return out;
}

static gboolean
number_member (JsonObject *o, const gchar *member, gdouble *out)
{
	JsonNode *n = json_object_get_member (o, member);

	if (n == NULL || !JSON_NODE_HOLDS_VALUE (n)
	    || (json_node_get_value_type (n) != G_TYPE_INT64
		&& json_node_get_value_type (n) != G_TYPE_DOUBLE))
		return FALSE;
	*out = json_node_get_double (n);
	return TRUE;
}

/* whether @task was done on @date by @checkins */
static gboolean
done_on (JsonObject *task, GPtrArray *checkins, const gchar *date)
{
	const gchar *id = mv_clinical_get_string (task, "id");
	const gchar *metric = mv_clinical_get_string (task, "metric");
	gdouble sum = 0, max = 0, need = 0;
	gboolean any = FALSE;

	for (guint i = 0; i < checkins->len; i++) {
		const Checkin *c = g_ptr_array_index (checkins, i);
		if (!g_str_equal (c->date, date))
			continue;
		/* a check-in naming the task: a task done, or a measurement completing it */
		if (g_strcmp0 (c->task_id, id) == 0)
			return TRUE;
		if (metric == NULL || g_str_equal (metric, "task")
		    || !g_str_equal (c->metric, metric))
			continue;
		any = TRUE;
		sum += c->value;
		max = MAX (max, c->value);
	}
	if (!any)
		return FALSE;
	if (g_str_equal (metric, "active_minutes"))
		return !number_member (task, "minutes", &need) || sum >= need;
	if (g_str_equal (metric, "sleep") || g_str_equal (metric, "steps"))
		return !number_member (task, "target", &need) || max >= need;
	return TRUE; /* a reading: measured that day */
}

JsonArray *
mv_plan_adherence (JsonObject *plan,
		   JsonArray *observations,
		   const gchar *time_zone,
		   const gchar *from,
		   const gchar *to)
{
	JsonNode *tn = json_object_get_member (plan, "tasks");
	JsonArray *tasks
		= tn != NULL && JSON_NODE_HOLDS_ARRAY (tn) ? json_node_get_array (tn) : NULL;
	g_autoptr (GPtrArray) checkins = checkins_of (observations, time_zone, from, to);
	JsonArray *out = json_array_new ();
	GDate first, last;

	if (!mv_schema_parse_date (from, &first) || !mv_schema_parse_date (to, &last))
		return out;
	for (guint i = 0; tasks != NULL && i < json_array_get_length (tasks); i++) {
		JsonObject *task = json_array_get_object_element (tasks, i);
		JsonNode *dn = json_object_get_member (task, "days");
		JsonArray *days = dn != NULL && JSON_NODE_HOLDS_ARRAY (dn)
					  ? json_node_get_array (dn)
					  : NULL;
		guint planned = 0, done = 0;
		JsonObject *item;

		if (mv_clinical_get_string (task, "id") == NULL)
			continue;
		for (GDate d = first; g_date_compare (&d, &last) <= 0; g_date_add_days (&d, 1)) {
			g_autofree gchar *date = date_text (&d);
			const gchar *weekday = mv_plan_weekday (date);
			gboolean on = FALSE;
			for (guint k = 0; days != NULL && k < json_array_get_length (days); k++)
				on |= g_strcmp0 (json_array_get_string_element (days, k), weekday)
				      == 0;
			planned += on;
			done += done_on (task, checkins, date);
		}
		item = json_object_new ();
		json_object_set_string_member (item, "id", mv_clinical_get_string (task, "id"));
		json_object_set_int_member (item, "planned", planned);
		/* a session on an unplanned day makes up for a planned one, not more */
		json_object_set_int_member (item, "done", MIN (done, planned));
		json_array_add_object_element (out, item);
	}
	return out;
}
