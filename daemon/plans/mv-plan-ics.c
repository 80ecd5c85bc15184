/* The plan as iCalendar, and a day's tasks: see mv-plan.h. */
#define G_LOG_DOMAIN "medverse-plans"

#include "mv-plan.h"

#include <string.h>

#include "clinical/mv-clinical-private.h"

#define ICS_LINE_OCTETS 75

gchar *
mv_plan_ics_escape (const gchar *text)
{
	GString *out = g_string_sized_new (strlen (text) + 16);

	for (const gchar *p = text; *p != '\0'; p++) {
		switch (*p) {
		case '\\':
		case ';':
		case ',':
			g_string_append_c (out, '\\');
			g_string_append_c (out, *p);
			break;
		case '\n':
			g_string_append (out, "\\n");
			break;
		case '\r':
			/* CRLF and a lone CR are a newline too */
			if (p[1] != '\n')
				g_string_append (out, "\\n");
			break;
		default:
			g_string_append_c (out, *p);
		}
	}
	return g_string_free (out, FALSE);
}

void
mv_plan_ics_fold (GString *out, const gchar *line)
{
	gsize used = 0; /* octets on the current physical line */

	for (const gchar *p = line; *p != '\0';) {
		const gchar *next = g_utf8_next_char (p);
		gsize len = (gsize)(next - p);
		if (used + len > ICS_LINE_OCTETS) {
			/* the continuation's leading space counts towards its 75 */
			g_string_append (out, "\r\n ");
			used = 1;
		}
		g_string_append_len (out, p, (gssize)len);
		used += len;
		p = next;
	}
	g_string_append (out, "\r\n");
}

static void
property (GString *out, const gchar *name, const gchar *value)
{
	g_autofree gchar *line = g_strconcat (name, ":", value, NULL);
	mv_plan_ics_fold (out, line);
}

static void
text_property (GString *out, const gchar *name, const gchar *text)
{
	g_autofree gchar *escaped = mv_plan_ics_escape (text);
	property (out, name, escaped);
}

static JsonArray *
array_of (JsonObject *o, const gchar *member)
{
	JsonNode *n = o != NULL ? json_object_get_member (o, member) : NULL;
	return n != NULL && JSON_NODE_HOLDS_ARRAY (n) ? json_node_get_array (n) : NULL;
}

/* YYYYMMDD of @d */
static gchar *
ics_date (const GDate *d)
{
	return g_strdup_printf ("%04u%02u%02u", g_date_get_year (d), g_date_get_month (d),
				g_date_get_day (d));
}

static gboolean
has_day (JsonArray *days, const gchar *day)
{
	for (guint i = 0; days != NULL && i < json_array_get_length (days); i++)
		if (g_strcmp0 (json_array_get_string_element (days, i), day) == 0)
			return TRUE;
	return FALSE;
}

/* the plan's horizon: its week's last day, or its latest goal's due date if later */
static void
horizon_of (JsonObject *record, const GDate *week_start, GDate *until)
{
	JsonArray *goals = array_of (record, "goals");

	*until = *week_start;
	g_date_add_days (until, 6);
	for (guint i = 0; goals != NULL && i < json_array_get_length (goals); i++) {
		GDate due;
		const gchar *text
			= mv_clinical_get_string (json_array_get_object_element (goals, i), "due");
		if (text != NULL && mv_schema_parse_date (text, &due)
		    && g_date_compare (&due, until) > 0)
			*until = due;
	}
}

static void
task_event (GString *out,
	    JsonObject *record,
	    JsonObject *task,
	    const GDate *week_start,
	    const GDate *until,
	    const gchar *stamp)
{
	static const gchar *const byday[][2]
		= { { "mon", "MO" }, { "tue", "TU" }, { "wed", "WE" }, { "thu", "TH" },
		    { "fri", "FR" }, { "sat", "SA" }, { "sun", "SU" } };
	JsonArray *days = array_of (task, "days");
	const gchar *detail = mv_clinical_get_string (task, "detail");
	gboolean zh = g_strcmp0 (mv_clinical_get_string (record, "language"), "zh") == 0;
	g_autoptr (GString) rule = g_string_new ("FREQ=WEEKLY;BYDAY=");
	g_autoptr (GString) description = g_string_new (detail != NULL ? detail : "");
	g_autofree gchar *uid = NULL, *start = NULL, *end = NULL, *last = NULL;
	GDate first = *week_start;
	gboolean found = FALSE;

	/* the first of its days on or after the week's start */
	for (guint i = 0; i < 7 && !found; i++) {
		GDate d = *week_start;
		g_autofree gchar *iso = NULL;
		g_date_add_days (&d, i);
		iso = g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (&d),
				       g_date_get_month (&d), g_date_get_day (&d));
		if (has_day (days, mv_plan_weekday (iso))) {
			first = d;
			found = TRUE;
		}
	}
	if (!found)
		return;
	for (guint i = 0, n = 0; i < G_N_ELEMENTS (byday); i++)
		if (has_day (days, byday[i][0]))
			g_string_append_printf (rule, "%s%s", n++ > 0 ? "," : "", byday[i][1]);
	last = ics_date (until);
	g_string_append_printf (rule, ";UNTIL=%s", last);
	if (json_object_has_member (task, "minutes"))
		g_string_append_printf (description,
					zh ? "%s每次 %" G_GINT64_FORMAT " 分钟"
					   : "%s%" G_GINT64_FORMAT " minutes a session",
					description->len > 0 ? "\n" : "",
					json_object_get_int_member (task, "minutes"));
	uid = g_strdup_printf ("%s-task-%s@medverse", mv_clinical_get_string (record, "id"),
			       mv_clinical_get_string (task, "id"));
	start = ics_date (&first);
	g_date_add_days (&first, 1);
	end = ics_date (&first);
	property (out, "BEGIN", "VEVENT");
	text_property (out, "UID", uid);
	property (out, "DTSTAMP", stamp);
	property (out, "DTSTART;VALUE=DATE", start);
	property (out, "DTEND;VALUE=DATE", end);
	property (out, "RRULE", rule->str);
	text_property (out, "SUMMARY", mv_clinical_get_string (task, "title"));
	if (description->len > 0)
		text_property (out, "DESCRIPTION", description->str);
	if (mv_clinical_get_string (task, "category") != NULL)
		text_property (out, "CATEGORIES", mv_clinical_get_string (task, "category"));
	property (out, "TRANSP", "TRANSPARENT");
	property (out, "END", "VEVENT");
}

static void
follow_up_event (
	GString *out, JsonObject *record, JsonObject *follow_up, guint index, const gchar *stamp)
{
	gboolean zh = g_strcmp0 (mv_clinical_get_string (record, "language"), "zh") == 0;
	const gchar *reason = mv_clinical_get_string (follow_up, "reason");
	g_autofree gchar *uid = NULL, *start = NULL, *end = NULL, *summary = NULL;
	GDate d;

	if (!mv_schema_parse_date (mv_clinical_get_string (follow_up, "date"), &d))
		return;
	uid = g_strdup_printf ("%s-follow-up-%u@medverse", mv_clinical_get_string (record, "id"),
			       index);
	start = ics_date (&d);
	g_date_add_days (&d, 1);
	end = ics_date (&d);
	summary = g_strconcat (zh ? "复诊：" : "Follow-up: ", reason != NULL ? reason : "", NULL);
	property (out, "BEGIN", "VEVENT");
	text_property (out, "UID", uid);
	property (out, "DTSTAMP", stamp);
	property (out, "DTSTART;VALUE=DATE", start);
	property (out, "DTEND;VALUE=DATE", end);
	text_property (out, "SUMMARY", summary);
	property (out, "TRANSP", "TRANSPARENT");
	property (out, "END", "VEVENT");
}

gchar *
mv_plan_ics (JsonObject *record, GDateTime *now)
{
	GString *out = g_string_new (NULL);
	g_autofree gchar *stamp = NULL;
	g_autoptr (GDateTime) utc = g_date_time_to_utc (now);
	JsonArray *tasks = array_of (record, "tasks");
	JsonArray *follow_ups = array_of (record, "follow_ups");
	gboolean zh = g_strcmp0 (mv_clinical_get_string (record, "language"), "zh") == 0;
	GDate week_start, until;

	stamp = g_date_time_format (utc, "%Y%m%dT%H%M%SZ");
	property (out, "BEGIN", "VCALENDAR");
	property (out, "VERSION", "2.0");
	property (out, "PRODID", "-//Medverse//Prevention plan//EN");
	property (out, "CALSCALE", "GREGORIAN");
	property (out, "METHOD", "PUBLISH");
	text_property (out, "X-WR-CALNAME", zh ? "预防计划" : "Prevention plan");
	if (mv_schema_parse_date (mv_clinical_get_string (record, "week_start"), &week_start)) {
		horizon_of (record, &week_start, &until);
		for (guint i = 0; tasks != NULL && i < json_array_get_length (tasks); i++)
			task_event (out, record, json_array_get_object_element (tasks, i),
				    &week_start, &until, stamp);
	}
	for (guint i = 0; follow_ups != NULL && i < json_array_get_length (follow_ups); i++)
		follow_up_event (out, record, json_array_get_object_element (follow_ups, i), i,
				 stamp);
	property (out, "END", "VCALENDAR");
	return g_string_free (out, FALSE);
}

/* ---- a day --------------------------------------------------------------------------- */

static JsonArray *
copy_array (JsonArray *a)
{
	JsonArray *out = json_array_new ();

	for (guint i = 0; a != NULL && i < json_array_get_length (a); i++)
		json_array_add_element (out, mv_clinical_node_copy (json_array_get_element (a, i)));
	return out;
}

JsonObject *
mv_plan_today (JsonObject *record, const gchar *date)
{
	const gchar *weekday = mv_plan_weekday (date);
	const gchar *status = mv_clinical_get_string (record, "status");
	gboolean suppressed = g_strcmp0 (status, "suppressed") == 0;
	JsonArray *tasks = array_of (record, "tasks");
	JsonArray *follow_ups = array_of (record, "follow_ups");
	JsonObject *out = json_object_new ();
	JsonArray *today_tasks = json_array_new ();
	JsonArray *today_follow_ups = json_array_new ();

	/* red flags first: a client that shows the first thing shows them */
	json_object_set_array_member (out, "red_flags",
				      copy_array (array_of (record, "red_flags")));
	json_object_set_string_member (out, "date", date);
	json_object_set_string_member (out, "weekday", weekday);
	json_object_set_string_member (out, "status", status != NULL ? status : "active");
	json_object_set_string_member (out, "language",
				       mv_clinical_get_string (record, "language") != NULL
					       ? mv_clinical_get_string (record, "language")
					       : "en");
	for (guint i = 0; !suppressed && tasks != NULL && i < json_array_get_length (tasks); i++) {
		JsonObject *t = json_array_get_object_element (tasks, i);
		if (has_day (array_of (t, "days"), weekday))
			json_array_add_object_element (today_tasks, mv_clinical_object_copy (t));
	}
	/* a suppressed plan keeps its follow-ups: the one a red flag adds is "today" */
	for (guint i = 0; follow_ups != NULL && i < json_array_get_length (follow_ups); i++) {
		JsonObject *f = json_array_get_object_element (follow_ups, i);
		if (g_strcmp0 (mv_clinical_get_string (f, "date"), date) == 0)
			json_array_add_object_element (today_follow_ups,
						       mv_clinical_object_copy (f));
	}
	json_object_set_array_member (out, "tasks", today_tasks);
	json_object_set_array_member (out, "follow_ups", today_follow_ups);
	return out;
}
