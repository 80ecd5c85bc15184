/*
 * A patient's check-in: see mv-checkin.h.  The units and their conversions are the clinical
 * record's own (mv-observation-table.h: one factor for mg/dL, one for [lb_av], everywhere);
 * what is particular to a check-in is here: the metrics, which members each needs, and the
 * plausibility table, narrower than the record's physiological screens because a patient's
 * own device and typing are the usual source of a wild value.
 */
#define G_LOG_DOMAIN "medverse-engagement"

#include "mv-checkin.h"

#include <math.h>
#include <string.h>

#include <medverse/mv-error.h>

#include "clinical/mv-observation-table.h"
#include "records/mv-record-schema.h"

#define LOINC "http://loinc.org"

/* What a metric is: its record code, its default unit, the members it needs. */
typedef struct {
	const gchar *name;
	const gchar *system;
	const gchar *code; /* the record's code (glucose: the random one; fasting below) */
	const gchar *default_unit;
	MvCheckinDayRule day_rule;
	gboolean unit_required; /* a number alone is ambiguous (mg/dL or mmol/L, lb or kg) */
	gboolean value_allowed; /* blood pressure has systolic and diastolic instead */
} MetricDef;

static const MetricDef metrics[MV_CHECKIN_N_METRICS] = {
	[MV_CHECKIN_STEPS] = { "steps", LOINC, "41950-7", "/d", MV_CHECKIN_DAY_MAX, FALSE, TRUE },
	[MV_CHECKIN_ACTIVE_MINUTES]
	= { "active_minutes", LOINC, "55411-3", "min", MV_CHECKIN_DAY_SUM, FALSE, TRUE },
	[MV_CHECKIN_BLOOD_PRESSURE]
	= { "blood_pressure", LOINC, "8480-6", "mm[Hg]", MV_CHECKIN_DAY_NONE, FALSE, FALSE },
	[MV_CHECKIN_GLUCOSE]
	= { "glucose", LOINC, "2339-0", NULL, MV_CHECKIN_DAY_NONE, TRUE, TRUE },
	[MV_CHECKIN_WEIGHT] = { "weight", LOINC, "29463-7", NULL, MV_CHECKIN_DAY_NONE, TRUE, TRUE },
	[MV_CHECKIN_SLEEP] = { "sleep", LOINC, "93832-4", "h", MV_CHECKIN_DAY_MAX, FALSE, TRUE },
	[MV_CHECKIN_MOOD] = { "mood", MV_OBSERVATION_PROJECT_SYSTEM, "mood", "{score}",
			      MV_CHECKIN_DAY_NONE, FALSE, TRUE },
	[MV_CHECKIN_TASK] = { "task", MV_OBSERVATION_PROJECT_SYSTEM, "plan-task", "{count}",
			      MV_CHECKIN_DAY_SUM, FALSE, TRUE },
	[MV_CHECKIN_VR_SESSION] = { "vr_session", MV_OBSERVATION_PROJECT_SYSTEM, "vr-session",
				    "min", MV_CHECKIN_DAY_SUM, FALSE, TRUE },
};

const MvCheckinLimit mv_checkin_limits[] = {
	{ "steps", "value", 1, 100000, "/d", TRUE,
	  "a day's count is 1 to 100,000 steps: more (about 80 km on foot) is a device or typing "
	  "error far more often than a walk",
	  "一天的步数应为 1 至 100,000：超过此数（步行约 80 公里）多为设备或输入错误",
	  "Tudor-Locke et al. 2011, IJBNPA 8:79 (healthy adults take about 4,000-18,000 "
	  "steps a day); 100,000 set for Medverse" },
	{ "active_minutes", "value", 1, 960, "min", FALSE,
	  "an activity check-in is 1 minute to 16 hours: more leaves no time to sleep",
	  "活动打卡应为 1 分钟至 16 小时：超过此数则没有睡眠时间", "set for Medverse" },
	{ "blood_pressure", "systolic", 60, 260, "mm[Hg]", FALSE,
	  "a systolic pressure is 60 to 260 mm Hg at home: outside, a home monitor does not read "
	  "reliably, and the reading is a device or typing error",
	  "家庭测量收缩压应为 60 至 260 mm Hg：超出此范围家用血压计读数不可靠，应为设备或输入错误",
	  "set for Medverse, inside the usual range of upper-arm home monitors" },
	{ "blood_pressure", "diastolic", 30, 180, "mm[Hg]", FALSE,
	  "a diastolic pressure is 30 to 180 mm Hg at home: outside, a home monitor does not read "
	  "reliably, and the reading is a device or typing error",
	  "家庭测量舒张压应为 30 至 180 mm Hg：超出此范围家用血压计读数不可靠，应为设备或输入错误",
	  "set for Medverse, inside the usual range of upper-arm home monitors" },
	{ "glucose", "value", 1.1, 33.3, "mmol/L", FALSE,
	  "a meter reads glucose from 1.1 to 33.3 mmol/L (20 to 600 mg/dL) and shows LO or HI "
	  "outside: a value outside is a unit or typing error",
	  "血糖仪的测量范围为 1.1 至 33.3 mmol/L（20 至 600 mg/dL），超出时显示 LO 或 HI："
	  "范围外的数值应为单位或输入错误",
	  "the measuring range common to home glucose meters (about 20-600 mg/dL)" },
	{ "weight", "value", 10, 350, "kg", FALSE,
	  "a body weight on a personal scale is 10 to 350 kg: outside is a unit or typing error",
	  "个人体重秤测得的体重应为 10 至 350 kg：超出此范围应为单位或输入错误",
	  "capacity of personal and bariatric scales; set for Medverse" },
	{ "sleep", "value", 0, 24, "h", FALSE, "a night's sleep is 0 to 24 hours: a day has 24",
	  "一天的睡眠时间应为 0 至 24 小时：一天只有 24 小时", "the length of a day" },
	{ "mood", "value", 1, 5, "{score}", TRUE, "mood is rated 1 (very bad) to 5 (very good)",
	  "情绪评分为 1（很差）至 5（很好）", "Medverse's mood scale" },
	{ "task", "value", 1, 1, "{count}", TRUE, "a task check-in records one task done: 1",
	  "任务打卡记录完成一项任务：应为 1", "the check-in's meaning" },
	{ "vr_session", "value", 1, 240, "min", FALSE,
	  "a VR session is 1 minute to 4 hours: headset makers advise a break every 30 minutes",
	  "一次 VR 训练应为 1 分钟至 4 小时：头显厂商建议每 30 分钟休息一次",
	  "Oculus Rift S health and safety warnings (a 10-15 min break every 30 min); "
	  "240 set for Medverse" },
	{ NULL },
};

const gchar *
mv_checkin_metric_name (MvCheckinMetric metric)
{
	return (guint)metric < MV_CHECKIN_N_METRICS ? metrics[metric].name : NULL;
}

gboolean
mv_checkin_metric_from_name (const gchar *name, MvCheckinMetric *out)
{
	for (guint i = 0; name != NULL && i < MV_CHECKIN_N_METRICS; i++) {
		if (strcmp (metrics[i].name, name) == 0) {
			*out = (MvCheckinMetric)i;
			return TRUE;
		}
	}
	return FALSE;
}

MvCheckinDayRule
mv_checkin_metric_day_rule (MvCheckinMetric metric)
{
	g_return_val_if_fail ((guint)metric < MV_CHECKIN_N_METRICS, MV_CHECKIN_DAY_NONE);
	return metrics[metric].day_rule;
}

void
mv_checkin_free (MvCheckin *checkin)
{
	if (checkin == NULL)
		return;
	g_free (checkin->id);
	g_free (checkin->original_unit);
	g_free (checkin->context);
	g_free (checkin->task_id);
	g_free (checkin->vr_content);
	g_clear_pointer (&checkin->at, g_date_time_unref);
	g_free (checkin);
}

void
mv_checkin_local_date (GDateTime *at, GTimeZone *zone, GDate *out)
{
	g_autoptr (GDateTime) local = g_date_time_to_timezone (at, zone);

	g_date_clear (out, 1);
	g_date_set_dmy (out, (GDateDay)g_date_time_get_day_of_month (local),
			(GDateMonth)g_date_time_get_month (local),
			(GDateYear)g_date_time_get_year (local));
}

MvCheckin *
mv_checkin_new (
	const gchar *id, MvCheckinMetric metric, gdouble value, GDateTime *at, GTimeZone *zone)
{
	MvCheckin *c = g_new0 (MvCheckin, 1);

	c->id = g_strdup (id);
	c->metric = metric;
	c->value = value;
	c->original_value = value;
	c->diastolic = NAN;
	c->at = g_date_time_ref (at);
	mv_checkin_local_date (at, zone, &c->local_date);
	return c;
}

gboolean
mv_checkin_id_valid (const gchar *id)
{
	gsize n = id != NULL ? strlen (id) : 0;

	if (n < 1 || n > 64)
		return FALSE;
	for (gsize i = 0; i < n; i++) {
		if (!g_ascii_isalnum (id[i]) && strchr ("._:-", id[i]) == NULL)
			return FALSE;
	}
	return TRUE;
}

gboolean
mv_checkin_same_request (JsonObject *sent, JsonObject *stored)
{
	g_autoptr (JsonNode) a = NULL;
	g_autoptr (JsonNode) b = NULL;

	if (sent == NULL || stored == NULL)
		return FALSE;
	a = json_node_init_object (json_node_alloc (), sent);
	b = json_node_init_object (json_node_alloc (), stored);
	return json_node_equal (a, b);
}

/* An IANA name's shape: letters, digits and _ + - in segments joined by "/", none of them
 * "." or ".." (GLib opens the file of that name under the zoneinfo directory, so
 * "a/../../../../etc/localtime" would otherwise be read as a zone). */
static gboolean
iana_shaped (const gchar *name)
{
	g_auto (GStrv) parts = NULL;

	if (name == NULL || !g_ascii_isalpha (name[0]) || strlen (name) > 64)
		return FALSE;
	for (const gchar *c = name; *c != '\0'; c++) {
		if (!g_ascii_isalnum (*c) && strchr ("/_+-", *c) == NULL)
			return FALSE;
	}
	parts = g_strsplit (name, "/", -1);
	for (guint i = 0; parts[i] != NULL; i++) {
		if (*parts[i] == '\0')
			return FALSE;
	}
	/* a bare word is an abbreviation or a POSIX rule ("CST6CDT", "EST"), except UTC */
	return parts[1] != NULL || g_str_equal (name, "UTC");
}

GTimeZone *
mv_checkin_time_zone (const gchar *name, GError **error)
{
	GTimeZone *zone = iana_shaped (name) ? g_time_zone_new_identifier (name) : NULL;

	if (zone != NULL)
		return zone;
	mv_error_add_problem (
		error, "/time_zone", "invalid-code",
		"is not an IANA time zone name (e.g. Asia/Shanghai, America/New_York)",
		"不是 IANA 时区名称（例如 Asia/Shanghai、America/New_York）");
	return NULL;
}

/* ---- validation --------------------------------------------------------------------------- */

static gboolean
check_key (JsonNode *node,
	   const gchar *ptr,
	   JsonObject *parent,
	   const MvSchemaContext *ctx,
	   GError **error)
{
	if (mv_checkin_id_valid (json_node_get_string (node)))
		return TRUE;
	mv_schema_problem (error, ptr, "invalid-format",
			   "may hold only letters, digits and . _ : - (1 to 64 of them)",
			   "只能包含字母、数字及 . _ : -（1 至 64 个字符）");
	return FALSE;
}

static gboolean
check_age (JsonNode *node,
	   const gchar *ptr,
	   JsonObject *parent,
	   const MvSchemaContext *ctx,
	   GError **error)
{
	g_autoptr (GDateTime) at = mv_schema_parse_datetime (json_node_get_string (node));
	g_autoptr (GDateTime) clock
		= ctx == NULL || ctx->now == NULL ? g_date_time_new_now_utc () : NULL;
	GDateTime *now = clock != NULL ? clock : ctx->now;

	if (at == NULL
	    || g_date_time_difference (now, at) <= MV_CHECKIN_MAX_AGE_DAYS * G_TIME_SPAN_DAY)
		return TRUE;
	mv_schema_problem (error, ptr, "too-early",
			   "is more than 7 days ago: a check-in is sent within a week",
			   "早于 7 天前：打卡须在一周内提交");
	return FALSE;
}

static const gchar *const metric_names[]
	= { "steps", "active_minutes", "blood_pressure", "glucose",    "weight",
	    "sleep", "mood",	       "task",		 "vr_session", NULL };
static const gchar *const glucose_contexts[] = { "fasting", "postprandial", "random", NULL };

static const MvField checkin_members[] = {
	{ "id", MV_FIELD_STRING, TRUE, 1, 64, NULL, NULL, check_key,
	  "the client's id of the check-in: 1-64 of [A-Za-z0-9._:-]; a retry sends the same" },
	{ "metric", MV_FIELD_ENUM, TRUE, 0, 0, metric_names, NULL, NULL, "what is checked in" },
	{ "value", MV_FIELD_NUMBER, FALSE, 0, 0, NULL, NULL, NULL,
	  "the value (not for blood_pressure)" },
	{ "unit", MV_FIELD_STRING, FALSE, 1, 32, NULL, NULL, NULL,
	  "the value's unit (UCUM or a common spelling); required for glucose and weight" },
	{ "at", MV_FIELD_DATETIME, TRUE, 0, 0, NULL, NULL, check_age,
	  "when (RFC 3339 with an offset), within the last 7 days" },
	{ "task_id", MV_FIELD_STRING, FALSE, 1, 64, NULL, NULL, check_key,
	  "the plan task this check-in completes (required for task)" },
	{ "vr_content", MV_FIELD_STRING, FALSE, 1, 64, NULL, NULL, check_key,
	  "the VR content id (vr_session)" },
	{ "systolic", MV_FIELD_NUMBER, FALSE, 0, 0, NULL, NULL, NULL, "blood_pressure: mm Hg" },
	{ "diastolic", MV_FIELD_NUMBER, FALSE, 0, 0, NULL, NULL, NULL, "blood_pressure: mm Hg" },
	{ "context", MV_FIELD_ENUM, FALSE, 0, 0, glucose_contexts, NULL, NULL,
	  "glucose: fasting, postprandial or random (default)" },
	{ NULL },
};

static JsonNode *
member_of_type (JsonObject *o, const gchar *name, GType type)
{
	JsonNode *n = json_object_get_member (o, name);

	if (n == NULL || !JSON_NODE_HOLDS_VALUE (n))
		return NULL;
	if (type == G_TYPE_DOUBLE)
		return json_node_get_value_type (n) == G_TYPE_DOUBLE
				       || json_node_get_value_type (n) == G_TYPE_INT64
			       ? n
			       : NULL;
	return json_node_get_value_type (n) == type ? n : NULL;
}

static void
member_problem (GError **error,
		const gchar *ptr,
		const gchar *member,
		const gchar *code,
		const gchar *en,
		const gchar *zh)
{
	g_autofree gchar *p = mv_json_pointer_child (ptr, member);
	mv_schema_problem (error, p, code, en, zh);
}

static const MvCheckinLimit *
limit_of (MvCheckinMetric metric, const gchar *member)
{
	for (const MvCheckinLimit *l = mv_checkin_limits; l->metric != NULL; l++) {
		if (strcmp (l->metric, metrics[metric].name) == 0
		    && strcmp (l->member, member) == 0)
			return l;
	}
	return NULL;
}

/* @v (canonical) against the table; the message names the bounds and the reason, never @v */
static gboolean
check_limit (
	MvCheckinMetric metric, const gchar *member, gdouble v, const gchar *ptr, GError **error)
{
	const MvCheckinLimit *l = limit_of (metric, member);

	g_assert (l != NULL);
	if (l->integer && v != floor (v)) {
		member_problem (error, ptr, member, "wrong-type", "must be a whole number",
				"应为整数");
		return FALSE;
	}
	if (v >= l->min && v <= l->max)
		return TRUE;
	{
		g_autofree gchar *en = g_strdup_printf ("is not plausible: %s", l->reason_en);
		g_autofree gchar *zh = g_strdup_printf ("数值不合理：%s", l->reason_zh);
		member_problem (error, ptr, member, "out-of-range", en, zh);
	}
	return FALSE;
}

/* The record's definition a metric's units come from (glucose: either code has the same). */
static const MvObsDef *
obs_def (MvCheckinMetric metric)
{
	const MvObsDef *def = mv_obs_lookup (metrics[metric].system, metrics[metric].code);

	g_assert (def != NULL);
	return def;
}

/* The unit given (or the metric's default), or NULL with a problem. */
static const MvObsUnit *
check_unit (MvCheckinMetric metric, JsonObject *o, const gchar *ptr, GError **error)
{
	const MetricDef *m = &metrics[metric];
	const MvObsDef *def = obs_def (metric);
	JsonNode *unit = member_of_type (o, "unit", G_TYPE_STRING);
	g_autoptr (GString) list = g_string_new (NULL);
	const MvObsUnit *u;

	if (unit == NULL && json_object_has_member (o, "unit"))
		return NULL; /* wrong type: the schema said so */
	for (u = def->units; u->ucum != NULL; u++)
		g_string_append_printf (list, "%s%s", list->len > 0 ? ", " : "", u->ucum);
	if (unit == NULL && m->unit_required) {
		g_autofree gchar *en
			= g_strdup_printf ("is required for %s: one of %s", m->name, list->str);
		g_autofree gchar *zh
			= g_strdup_printf ("%s 必须填写单位，应为以下之一：%s", m->name, list->str);
		member_problem (error, ptr, "unit", "required", en, zh);
		return NULL;
	}
	u = mv_obs_find_unit (def, unit != NULL ? json_node_get_string (unit) : m->default_unit);
	if (u == NULL) {
		g_autofree gchar *en = g_strdup_printf ("is not a unit of %s; use one of %s",
							m->name, list->str);
		g_autofree gchar *zh = g_strdup_printf ("不是 %s 可用的单位；请使用以下之一：%s",
							m->name, list->str);
		member_problem (error, ptr, "unit", "invalid-unit", en, zh);
	}
	return u;
}

static void
forbid (JsonObject *o,
	const gchar *ptr,
	const gchar *member,
	const gchar *metric_name,
	GError **error)
{
	g_autofree gchar *en = NULL;
	g_autofree gchar *zh = NULL;

	if (!json_object_has_member (o, member))
		return;
	en = g_strdup_printf ("is not allowed on a %s check-in", metric_name);
	zh = g_strdup_printf ("%s 打卡不能填写此项", metric_name);
	member_problem (error, ptr, member, "not-allowed", en, zh);
}

static void
require (JsonObject *o,
	 const gchar *ptr,
	 const gchar *member,
	 const gchar *metric_name,
	 GError **error)
{
	g_autofree gchar *en = NULL;
	g_autofree gchar *zh = NULL;

	if (json_object_has_member (o, member))
		return;
	en = g_strdup_printf ("is required on a %s check-in", metric_name);
	zh = g_strdup_printf ("%s 打卡必须填写此项", metric_name);
	member_problem (error, ptr, member, "required", en, zh);
}

static void
check_blood_pressure (JsonObject *o, const gchar *ptr, const MvObsUnit *u, GError **error)
{
	JsonNode *sys = member_of_type (o, "systolic", G_TYPE_DOUBLE);
	JsonNode *dia = member_of_type (o, "diastolic", G_TYPE_DOUBLE);
	gdouble s = NAN, d = NAN;

	require (o, ptr, "systolic", "blood_pressure", error);
	require (o, ptr, "diastolic", "blood_pressure", error);
	if (u == NULL)
		return;
	if (sys != NULL) {
		s = json_node_get_double (sys) * u->factor + u->offset;
		if (!check_limit (MV_CHECKIN_BLOOD_PRESSURE, "systolic", s, ptr, error))
			s = NAN;
	}
	if (dia != NULL) {
		d = json_node_get_double (dia) * u->factor + u->offset;
		if (!check_limit (MV_CHECKIN_BLOOD_PRESSURE, "diastolic", d, ptr, error))
			d = NAN;
	}
	if (!isnan (s) && !isnan (d) && s <= d)
		member_problem (error, ptr, "diastolic", "out-of-range",
				"must be below the systolic pressure", "应低于收缩压");
}

/* The rules of the metric named in @o (the schema has checked the members' types). */
static void
check_metric_rules (JsonObject *o, const gchar *ptr, GError **error)
{
	JsonNode *name = member_of_type (o, "metric", G_TYPE_STRING);
	MvCheckinMetric metric;
	const MetricDef *m;
	const MvObsUnit *u;
	JsonNode *value;

	if (name == NULL || !mv_checkin_metric_from_name (json_node_get_string (name), &metric))
		return;
	m = &metrics[metric];
	u = check_unit (metric, o, ptr, error);
	if (metric != MV_CHECKIN_BLOOD_PRESSURE) {
		forbid (o, ptr, "systolic", m->name, error);
		forbid (o, ptr, "diastolic", m->name, error);
	}
	if (metric != MV_CHECKIN_GLUCOSE)
		forbid (o, ptr, "context", m->name, error);
	if (metric == MV_CHECKIN_VR_SESSION)
		require (o, ptr, "vr_content", m->name, error);
	else
		forbid (o, ptr, "vr_content", m->name, error);
	if (metric == MV_CHECKIN_TASK)
		require (o, ptr, "task_id", m->name, error);
	if (metric == MV_CHECKIN_BLOOD_PRESSURE) {
		forbid (o, ptr, "value", m->name, error);
		check_blood_pressure (o, ptr, u, error);
		return;
	}
	/* a task is done or not: its value may be left out */
	if (metric != MV_CHECKIN_TASK)
		require (o, ptr, "value", m->name, error);
	value = member_of_type (o, "value", G_TYPE_DOUBLE);
	if (value != NULL && u != NULL)
		check_limit (metric, "value", json_node_get_double (value) * u->factor + u->offset,
			     ptr, error);
}

static MvCheckin *
build (JsonObject *o, GTimeZone *zone)
{
	MvCheckinMetric metric;
	const MvObsUnit *u;
	g_autoptr (GDateTime) at
		= mv_schema_parse_datetime (json_object_get_string_member (o, "at"));
	MvCheckin *c;
	const gchar *unit = json_object_get_string_member_with_default (o, "unit", NULL);
	gdouble given;

	mv_checkin_metric_from_name (json_object_get_string_member (o, "metric"), &metric);
	u = mv_obs_find_unit (obs_def (metric), unit != NULL ? unit : metrics[metric].default_unit);
	given = metric == MV_CHECKIN_BLOOD_PRESSURE
			? json_object_get_double_member (o, "systolic")
			: json_object_get_double_member_with_default (o, "value", 1);
	c = mv_checkin_new (json_object_get_string_member (o, "id"), metric,
			    given * u->factor + u->offset, at, zone);
	c->original_value = given;
	c->original_unit = g_strdup (u->ucum);
	if (metric == MV_CHECKIN_BLOOD_PRESSURE)
		c->diastolic
			= json_object_get_double_member (o, "diastolic") * u->factor + u->offset;
	if (metric == MV_CHECKIN_GLUCOSE)
		c->context = g_strdup (
			json_object_get_string_member_with_default (o, "context", "random"));
	c->task_id = g_strdup (json_object_get_string_member_with_default (o, "task_id", NULL));
	c->vr_content
		= g_strdup (json_object_get_string_member_with_default (o, "vr_content", NULL));
	return c;
}

MvCheckin *
mv_checkin_validate (
	JsonObject *input, const gchar *pointer, GTimeZone *zone, GDateTime *now, GError **error)
{
	MvSchemaContext ctx = { now };
	g_autoptr (GError) problems = NULL;

	g_return_val_if_fail (input != NULL && zone != NULL, NULL);
	mv_schema_check (checkin_members, input, pointer, &ctx, &problems);
	check_metric_rules (input, pointer, &problems);
	if (problems != NULL) {
		g_propagate_error (error, g_steal_pointer (&problems));
		return NULL;
	}
	return build (input, zone);
}

/* ---- the record's input ----------------------------------------------------------------- */

static JsonObject *
coding (const gchar *system, const gchar *code)
{
	JsonObject *c = json_object_new ();

	json_object_set_string_member (c, "system", system);
	json_object_set_string_member (c, "code", code);
	return c;
}

static JsonObject *
component (const gchar *code, gdouble value, const gchar *unit)
{
	JsonObject *c = json_object_new ();

	json_object_set_string_member (c, "code", code);
	json_object_set_double_member (c, "value", value);
	json_object_set_string_member (c, "unit", unit);
	return c;
}

JsonObject *
mv_checkin_to_observation (const MvCheckin *c)
{
	const MetricDef *m = &metrics[c->metric];
	JsonObject *out = json_object_new ();
	/* RFC 3339 with the client's offset ("+08:00", not GLib's ISO 8601 "Z" or "+08") */
	g_autofree gchar *at = g_date_time_format (c->at, g_date_time_get_microsecond (c->at) != 0
								  ? "%Y-%m-%dT%H:%M:%S.%f%:z"
								  : "%Y-%m-%dT%H:%M:%S%:z");
	g_autofree gchar *method = NULL;
	const gchar *unit = c->original_unit != NULL ? c->original_unit : m->default_unit;
	/* the original value and unit: the record converts them itself and keeps both */
	gdouble value = c->original_unit != NULL ? c->original_value : c->value;

	if (c->metric == MV_CHECKIN_BLOOD_PRESSURE) {
		JsonArray *parts = json_array_new ();
		gdouble ratio = c->original_unit != NULL ? c->original_value / c->value : 1;

		json_object_set_string_member (out, "code", "85354-9");
		json_array_add_object_element (parts, component ("8480-6", value, unit));
		json_array_add_object_element (parts,
					       component ("8462-4", c->diastolic * ratio, unit));
		json_object_set_array_member (out, "components", parts);
	} else {
		const gchar *code
			= c->metric == MV_CHECKIN_GLUCOSE && g_strcmp0 (c->context, "fasting") == 0
				  ? "1558-6"
				  : m->code;
		json_object_set_object_member (out, "code", coding (m->system, code));
		json_object_set_double_member (out, "value", value);
		json_object_set_string_member (out, "unit", unit);
	}
	json_object_set_string_member (out, "effective_at", at);
	json_object_set_string_member (out, "source", "patient");
	/* what the record has no member for, where a reader of the record looks for it */
	if (c->context != NULL)
		method = g_strdup_printf ("self-test (%s)", c->context);
	else if (c->vr_content != NULL)
		method = g_strdup_printf ("vr-content:%s", c->vr_content);
	else if (c->task_id != NULL)
		method = g_strdup_printf ("plan-task:%s", c->task_id);
	if (method != NULL)
		json_object_set_string_member (out, "method", method);
	return out;
}
