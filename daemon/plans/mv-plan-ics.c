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

/* What every event of one feed shares. */
typedef struct {
	GString *out;
	const gchar *stamp;   /* DTSTAMP */
	const gchar *plan_id; /* the plan record's id: every UID starts with it */
	gint64 sequence;      /* SEQUENCE: the plan record's version */
	gboolean zh;
} IcsFeed;

/* the properties every event starts with; a cancelled one says so (RFC 5545 3.8.1.11), with
 * the same UID and a higher SEQUENCE than its last live version had, so a calendar app that
 * imported it removes it */
static void
event_begin (const IcsFeed *feed,
	     const gchar *uid,
	     const gchar *start,
	     const gchar *end,
	     gboolean cancelled)
{
	g_autofree gchar *sequence = g_strdup_printf ("%" G_GINT64_FORMAT, feed->sequence);

	property (feed->out, "BEGIN", "VEVENT");
	text_property (feed->out, "UID", uid);
	property (feed->out, "DTSTAMP", feed->stamp);
	property (feed->out, "SEQUENCE", sequence);
	property (feed->out, "DTSTART;VALUE=DATE", start);
	property (feed->out, "DTEND;VALUE=DATE", end);
	if (cancelled)
		property (feed->out, "STATUS", "CANCELLED");
}

static gchar *
task_uid (const IcsFeed *feed, JsonObject *task)
{
	return g_strdup_printf ("%s-task-%s@medverse", feed->plan_id,
				mv_clinical_get_string (task, "id"));
}

/* A follow-up's own id when it has one, else its rule and date: what it is, not where it
 * stands in the list (a follow-up removed would move the others' events). */
static gchar *
follow_up_uid (const IcsFeed *feed, JsonObject *follow_up)
{
	const gchar *id = mv_clinical_get_string (follow_up, "id");
	const gchar *rule = mv_clinical_get_string (follow_up, "rule");

	if (id != NULL)
		return g_strdup_printf ("%s-follow-up-%s@medverse", feed->plan_id, id);
	return g_strdup_printf ("%s-follow-up-%s-%s@medverse", feed->plan_id,
				rule != NULL ? rule : "",
				mv_clinical_get_string (follow_up, "date"));
}

static void
task_event (const IcsFeed *feed,
	    JsonObject *task,
	    const GDate *week_start,
	    const GDate *until,
	    gboolean cancelled)
{
	static const gchar *const byday[][2]
		= { { "mon", "MO" }, { "tue", "TU" }, { "wed", "WE" }, { "thu", "TH" },
		    { "fri", "FR" }, { "sat", "SA" }, { "sun", "SU" } };
	JsonArray *days = array_of (task, "days");
	const gchar *detail = mv_clinical_get_string (task, "detail");
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
					feed->zh ? "%s每次 %" G_GINT64_FORMAT " 分钟"
						 : "%s%" G_GINT64_FORMAT " minutes a session",
					description->len > 0 ? "\n" : "",
					json_object_get_int_member (task, "minutes"));
	uid = task_uid (feed, task);
	start = ics_date (&first);
	g_date_add_days (&first, 1);
	end = ics_date (&first);
	event_begin (feed, uid, start, end, cancelled);
	property (feed->out, "RRULE", rule->str);
	text_property (feed->out, "SUMMARY", mv_clinical_get_string (task, "title"));
	if (description->len > 0)
		text_property (feed->out, "DESCRIPTION", description->str);
	if (mv_clinical_get_string (task, "category") != NULL)
		text_property (feed->out, "CATEGORIES", mv_clinical_get_string (task, "category"));
	property (feed->out, "TRANSP", "TRANSPARENT");
	property (feed->out, "END", "VEVENT");
}

/* The level ("emergency", "urgent") of the red flag whose instruction @follow_up is (the
 * plugin dates it today with the flag's id as its rule), or NULL for a follow-up visit. */
static const gchar *
red_flag_level (JsonObject *record, JsonObject *follow_up)
{
	JsonArray *flags = array_of (record, "red_flags");
	const gchar *rule = mv_clinical_get_string (follow_up, "rule");

	for (guint i = 0; rule != NULL && flags != NULL && i < json_array_get_length (flags); i++) {
		JsonObject *flag = json_array_get_object_element (flags, i);
		if (g_strcmp0 (mv_clinical_get_string (flag, "id"), rule) == 0) {
			const gchar *level = mv_clinical_get_string (flag, "level");
			return level != NULL ? level : "urgent";
		}
	}
	return NULL;
}

/* an urgent instruction reads as one: never "follow-up" before "call emergency services" */
static const gchar *
follow_up_prefix (const gchar *level, gboolean zh)
{
	if (g_strcmp0 (level, "emergency") == 0)
		return zh ? "紧急：" : "Emergency: ";
	if (level != NULL)
		return zh ? "紧急就医：" : "Urgent: ";
	return zh ? "复诊：" : "Follow-up: ";
}

static void
follow_up_event (const IcsFeed *feed, JsonObject *record, JsonObject *follow_up, gboolean cancelled)
{
	const gchar *reason = mv_clinical_get_string (follow_up, "reason");
	const gchar *level = red_flag_level (record, follow_up);
	g_autofree gchar *uid = NULL, *start = NULL, *end = NULL, *summary = NULL;
	GDate d;

	if (!mv_schema_parse_date (mv_clinical_get_string (follow_up, "date"), &d))
		return;
	uid = follow_up_uid (feed, follow_up);
	start = ics_date (&d);
	g_date_add_days (&d, 1);
	end = ics_date (&d);
	summary = g_strconcat (follow_up_prefix (level, feed->zh), reason != NULL ? reason : "",
			       NULL);
	event_begin (feed, uid, start, end, cancelled);
	text_property (feed->out, "SUMMARY", summary);
	if (level != NULL)
		property (feed->out, "PRIORITY", "1");
	property (feed->out, "TRANSP", "TRANSPARENT");
	property (feed->out, "END", "VEVENT");
}

/* Whether @list holds an item whose UID (by @uid_of) is @uid. */
static gboolean
holds_uid (const IcsFeed *feed,
	   JsonArray *list,
	   gchar *(*uid_of) (const IcsFeed *, JsonObject *),
	   const gchar *uid)
{
	for (guint i = 0; list != NULL && i < json_array_get_length (list); i++) {
		g_autofree gchar *other = uid_of (feed, json_array_get_object_element (list, i));
		if (g_strcmp0 (other, uid) == 0)
			return TRUE;
	}
	return FALSE;
}

/* @record's tasks, or @previous's tasks that @record dropped (@cancelled) */
static void
task_events (const IcsFeed *feed, JsonObject *record, JsonObject *current, gboolean cancelled)
{
	JsonArray *tasks = array_of (record, "tasks");
	GDate week_start, until;

	if (!mv_schema_parse_date (mv_clinical_get_string (record, "week_start"), &week_start))
		return;
	horizon_of (record, &week_start, &until);
	for (guint i = 0; tasks != NULL && i < json_array_get_length (tasks); i++) {
		JsonObject *task = json_array_get_object_element (tasks, i);
		g_autofree gchar *uid = task_uid (feed, task);
		if (cancelled && holds_uid (feed, array_of (current, "tasks"), task_uid, uid))
			continue;
		task_event (feed, task, &week_start, &until, cancelled);
	}
}

static void
follow_up_events (const IcsFeed *feed, JsonObject *record, JsonObject *current, gboolean cancelled)
{
	JsonArray *follow_ups = array_of (record, "follow_ups");

	for (guint i = 0; follow_ups != NULL && i < json_array_get_length (follow_ups); i++) {
		JsonObject *f = json_array_get_object_element (follow_ups, i);
		g_autofree gchar *uid = follow_up_uid (feed, f);
		if (cancelled
		    && holds_uid (feed, array_of (current, "follow_ups"), follow_up_uid, uid))
			continue;
		follow_up_event (feed, record, f, cancelled);
	}
}

gchar *
mv_plan_ics_feed (JsonObject *record, JsonObject *previous, GDateTime *now)
{
	GString *out = g_string_new (NULL);
	g_autofree gchar *stamp = NULL;
	g_autoptr (GDateTime) utc = g_date_time_to_utc (now);
	JsonNode *version = json_object_get_member (record, "version");
	IcsFeed feed = {
		.out = out,
		.plan_id = mv_clinical_get_string (record, "id"),
		.sequence = version != NULL && JSON_NODE_HOLDS_VALUE (version)
				    ? json_node_get_int (version)
				    : 0,
		.zh = g_strcmp0 (mv_clinical_get_string (record, "language"), "zh") == 0,
	};

	stamp = g_date_time_format (utc, "%Y%m%dT%H%M%SZ");
	feed.stamp = stamp;
	property (out, "BEGIN", "VCALENDAR");
	property (out, "VERSION", "2.0");
	property (out, "PRODID", "-//Medverse//Prevention plan//EN");
	property (out, "CALSCALE", "GREGORIAN");
	property (out, "METHOD", "PUBLISH");
	text_property (out, "X-WR-CALNAME", feed.zh ? "预防计划" : "Prevention plan");
	task_events (&feed, record, NULL, FALSE);
	follow_up_events (&feed, record, NULL, FALSE);
	if (previous != NULL) {
		task_events (&feed, previous, record, TRUE);
		follow_up_events (&feed, previous, record, TRUE);
	}
	property (out, "END", "VCALENDAR");
	return g_string_free (out, FALSE);
}

gchar *
mv_plan_ics (JsonObject *record, GDateTime *now)
{
	return mv_plan_ics_feed (record, NULL, now);
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

/* Whether @date falls in the plan's period (its week_start to the horizon the .ics ends at):
 * sets "plan_started" and "plan_ended" on @out, and outside the period a "notice" in the
 * plan's language. Returns -1 before, +1 after, 0 within. */
static gint
plan_period (JsonObject *record, const gchar *date, JsonObject *out)
{
	gboolean zh = g_strcmp0 (mv_clinical_get_string (record, "language"), "zh") == 0;
	GDate week_start, until, day;
	gint where = 0;

	if (mv_schema_parse_date (mv_clinical_get_string (record, "week_start"), &week_start)
	    && mv_schema_parse_date (date, &day)) {
		horizon_of (record, &week_start, &until);
		where = g_date_compare (&day, &week_start) < 0 ? -1
			: g_date_compare (&day, &until) > 0    ? 1
							       : 0;
	}
	json_object_set_boolean_member (out, "plan_started", where >= 0);
	json_object_set_boolean_member (out, "plan_ended", where > 0);
	if (where > 0)
		json_object_set_string_member (out, "notice",
					       zh ? "您的计划在这一天之前已结束：没有任务。"
						  : "Your plan ends before this day: no tasks.");
	else if (where < 0)
		json_object_set_string_member (out, "notice",
					       zh ? "您的计划在这一天之后才开始：没有任务。"
						  : "Your plan starts after this day: no tasks.");
	return where;
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
	JsonArray *overdue = json_array_new ();
	gint outside;

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
	outside = plan_period (record, date, out);
	for (guint i = 0;
	     !suppressed && outside == 0 && tasks != NULL && i < json_array_get_length (tasks);
	     i++) {
		JsonObject *t = json_array_get_object_element (tasks, i);
		if (has_day (array_of (t, "days"), weekday))
			json_array_add_object_element (today_tasks, mv_clinical_object_copy (t));
	}
	/* a suppressed plan keeps its follow-ups: the one a red flag adds is "today"; one dated
	 * before @date is overdue (Replan keeps a scheduled follow-up's date, and nothing in the
	 * record says a visit took place, so it shows until the rule stops firing) */
	for (guint i = 0; follow_ups != NULL && i < json_array_get_length (follow_ups); i++) {
		JsonObject *f = json_array_get_object_element (follow_ups, i);
		gint cmp = g_strcmp0 (mv_clinical_get_string (f, "date"), date);
		if (cmp == 0)
			json_array_add_object_element (today_follow_ups,
						       mv_clinical_object_copy (f));
		else if (cmp < 0)
			json_array_add_object_element (overdue, mv_clinical_object_copy (f));
	}
	json_object_set_array_member (out, "tasks", today_tasks);
	json_object_set_array_member (out, "follow_ups", today_follow_ups);
	json_object_set_array_member (out, "overdue_follow_ups", overdue);
	return out;
}
