/* The plan as iCalendar (folding, escaping, events) and a day's tasks (mv-plan.h): pure; the
 * calendar is parsed by a real iCalendar parser in tests/integration-plans. */
#include <string.h>

#include "clinical-test.h"
#include "mv-plan.h"

TestSuite (ics, .init = mvt_clinical_setup, .fini = mvt_clinical_teardown);

static JsonObject *
load_plan (void)
{
	g_autofree gchar *path = g_build_filename (MV_PLAN_TEST_DATADIR, "plan.json", NULL);
	g_autofree gchar *text = NULL;

	cr_assert (g_file_get_contents (path, &text, NULL, NULL), "%s", path);
	return mvt_parse (text);
}

/* every physical line of @text ends in CRLF, holds at most 75 octets and is valid UTF-8;
 * a continuation line starts with one space */
static void
expect_lines_well_formed (const gchar *text)
{
	const gchar *p = text;

	cr_assert (g_str_has_suffix (text, "\r\n"));
	while (*p != '\0') {
		const gchar *end = strstr (p, "\r\n");
		cr_assert_not_null (end, "a line without CRLF at %s", p);
		cr_expect_leq ((gsize)(end - p), 75, "%.*s", (int)(end - p), p);
		cr_expect (g_utf8_validate (p, end - p, NULL), "split inside a character: %.*s",
			   (int)(end - p), p);
		cr_expect (memchr (p, '\n', (gsize)(end - p)) == NULL, "a bare LF");
		p = end + 2;
	}
}

/* @text unfolded (RFC 5545 3.1: CRLF followed by one space or tab is removed) */
static gchar *
unfold (const gchar *text)
{
	g_autoptr (GRegex) fold = g_regex_new ("\r\n[ \t]", 0, 0, NULL);
	return g_regex_replace_literal (fold, text, -1, 0, "", 0, NULL);
}

Test (ics, text_escapes_backslash_semicolon_comma_and_newlines)
{
	g_autofree gchar *e = mv_plan_ics_escape ("a,b;c\\d\ne\r\nf");

	cr_expect_str_eq (e, "a\\,b\\;c\\\\d\\ne\\nf");
}

Test (ics, a_long_line_is_folded_at_75_octets_and_unfolds_to_itself)
{
	g_autoptr (GString) out = g_string_new (NULL);
	g_autofree gchar *line = g_strnfill (200, 'x');
	g_autofree gchar *back = NULL;
	g_autofree gchar *expected = NULL;

	mv_plan_ics_fold (out, line);
	expect_lines_well_formed (out->str);
	/* 75, then 74 after the space, twice, then the rest */
	cr_expect_eq (strstr (out->str, "\r\n") - out->str, 75);
	back = unfold (out->str);
	expected = g_strconcat (line, "\r\n", NULL);
	cr_expect_str_eq (back, expected);
}

Test (ics, a_chinese_title_is_folded_between_characters)
{
	g_autoptr (GString) out = g_string_new (NULL);
	g_autoptr (GString) title = g_string_new ("SUMMARY:");
	g_autofree gchar *back = NULL;

	/* 三 octets a character: 8 + 3 × 40 = 128 octets, and 75 is no multiple of 3 after 8 */
	for (guint i = 0; i < 40; i++)
		g_string_append (title, "快");
	mv_plan_ics_fold (out, title->str);
	expect_lines_well_formed (out->str);
	/* the first line: "SUMMARY:" and 22 characters (74 octets): a 23rd would make 77 */
	cr_expect_eq (strstr (out->str, "\r\n") - out->str, 74);
	back = unfold (out->str);
	cr_expect (g_str_has_prefix (back, title->str) && strlen (back) == title->len + 2);
}

Test (ics, the_plan_as_a_calendar)
{
	g_autoptr (JsonObject) plan = load_plan ();
	g_autoptr (GDateTime) now = g_date_time_new_utc (2026, 12, 5, 12, 0, 0);
	g_autofree gchar *ics = mv_plan_ics (plan, now);
	g_autofree gchar *flat = unfold (ics);

	expect_lines_well_formed (ics);
	cr_expect (g_str_has_prefix (ics, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"), "%s", ics);
	cr_expect (g_str_has_suffix (ics, "END:VEVENT\r\nEND:VCALENDAR\r\n"), "%s", ics);
	g_auto (GStrv) events = g_strsplit (flat, "BEGIN:VEVENT", -1);

	/* one event a task, one a follow-up */
	cr_expect_eq (g_strv_length (events) - 1, 3, "%s", flat);
	/* the walk on Monday 7 December (the week's start), weekly on its days until the
	 * goal's due date */
	cr_expect (strstr (flat, "UID:0b6f3c1e-8a1d-4e47-9a55-2f1d7c0e9b10-task-walk@medverse\r\n"
				 "DTSTAMP:20261205T120000Z\r\nSEQUENCE:2\r\n"
				 "DTSTART;VALUE=DATE:20261207\r\n"
				 "DTEND;VALUE=DATE:20261208\r\n"
				 "RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20270228\r\n")
			   != NULL,
		   "%s", flat);
	/* the check on Tuesday 8 December, its days in the week's order */
	cr_expect (strstr (flat, "DTSTART;VALUE=DATE:20261208\r\nDTEND;VALUE=DATE:20261209\r\n"
				 "RRULE:FREQ=WEEKLY;BYDAY=TU,SU;UNTIL=20270228\r\n")
			   != NULL,
		   "%s", flat);
	/* TEXT escaped: the comma, the semicolon, the newline */
	cr_expect (strstr (flat, "SUMMARY:Brisk walk\\, then stretch\\; rest if dizzy\r\n") != NULL,
		   "%s", flat);
	cr_expect (strstr (flat,
			   "DESCRIPTION:Walk at a pace where you can talk\\, not sing.\\nStop "
			   "if you feel chest pain.\\n30 minutes a session\r\n")
			   != NULL,
		   "%s", flat);
	/* the follow-up: all day */
	cr_expect (strstr (flat,
			   "DTSTART;VALUE=DATE:20270104\r\nDTEND;VALUE=DATE:20270105\r\n"
			   "SUMMARY:Follow-up: Blood pressure review\\, bring your readings\r\n")
			   != NULL,
		   "%s", flat);
}

Test (ics, the_same_plan_keeps_its_uids)
{
	g_autoptr (JsonObject) plan = load_plan ();
	g_autoptr (GDateTime) now = g_date_time_new_utc (2026, 12, 5, 12, 0, 0);
	g_autoptr (GDateTime) later = g_date_time_new_utc (2026, 12, 12, 12, 0, 0);
	g_autofree gchar *a = mv_plan_ics (plan, now);
	g_autofree gchar *b = NULL;
	g_autoptr (GRegex) uids = g_regex_new ("^UID:.*$", G_REGEX_MULTILINE, 0, NULL);
	g_autoptr (GMatchInfo) ma = NULL, mb = NULL;

	/* a new version of the plan: another title, the same task ids */
	json_object_set_string_member (
		json_array_get_object_element (json_object_get_array_member (plan, "tasks"), 0),
		"title", "步行");
	b = mv_plan_ics (plan, later);
	g_regex_match (uids, a, 0, &ma);
	g_regex_match (uids, b, 0, &mb);
	while (g_match_info_matches (ma)) {
		g_autofree gchar *ua = g_match_info_fetch (ma, 0);
		g_autofree gchar *ub = g_match_info_fetch (mb, 0);
		cr_expect_str_eq (ua, ub);
		g_match_info_next (ma, NULL);
		g_match_info_next (mb, NULL);
	}
	cr_expect (strstr (b, "SUMMARY:步行") != NULL);
}

/* the UID of the event whose SUMMARY holds @summary, or NULL */
static gchar *
uid_of (const gchar *flat, const gchar *summary)
{
	g_auto (GStrv) events = g_strsplit (flat, "BEGIN:VEVENT", -1);

	for (guint i = 1; events[i] != NULL; i++) {
		const gchar *uid = strstr (events[i], "UID:");
		if (strstr (events[i], summary) != NULL && uid != NULL)
			return g_strndup (uid + 4, (gsize)(strstr (uid, "\r\n") - uid - 4));
	}
	return NULL;
}

Test (ics, a_follow_up_keeps_its_uid_when_another_one_is_removed)
{
	g_autoptr (JsonObject) plan = load_plan ();
	g_autoptr (GDateTime) now = g_date_time_new_utc (2026, 12, 5, 12, 0, 0);
	JsonArray *follow_ups = json_object_get_array_member (plan, "follow_ups");
	g_autofree gchar *before = NULL, *after = NULL, *flat_before = NULL, *flat_after = NULL;
	g_autofree gchar *uid_before = NULL, *uid_after = NULL;

	/* an earlier follow-up before the blood-pressure review; then it is removed */
	json_array_remove_element (follow_ups, 0);
	json_array_add_object_element (
		follow_ups, mvt_parse ("{\"date\":\"2026-12-20\",\"reason\":\"Lipid panel\","
				       "\"rule\":\"lipids\",\"source\":\"x\"}"));
	json_array_add_object_element (
		follow_ups,
		mvt_parse ("{\"date\":\"2027-01-04\",\"reason\":\"Blood pressure review\","
			   "\"rule\":\"acc-aha-follow-up\",\"source\":\"ACC/AHA 2017\"}"));
	before = mv_plan_ics (plan, now);
	json_array_remove_element (follow_ups, 0);
	after = mv_plan_ics (plan, now);
	flat_before = unfold (before);
	flat_after = unfold (after);
	uid_before = uid_of (flat_before, "Blood pressure review");
	uid_after = uid_of (flat_after, "Blood pressure review");
	cr_assert_not_null (uid_before, "%s", flat_before);
	cr_assert_not_null (uid_after, "%s", flat_after);
	/* by what it is (its rule and date), not where it stands in the list */
	cr_expect_str_eq (uid_before, uid_after);
	cr_expect_str_eq (uid_after, "0b6f3c1e-8a1d-4e47-9a55-2f1d7c0e9b10-follow-up-"
				     "acc-aha-follow-up-2027-01-04@medverse");
	/* and a follow-up's own id wins */
	json_object_set_string_member (json_array_get_object_element (follow_ups, 0), "id", "bp");
	g_clear_pointer (&after, g_free);
	g_clear_pointer (&flat_after, g_free);
	after = mv_plan_ics (plan, now);
	flat_after = unfold (after);
	cr_expect (strstr (flat_after, "UID:0b6f3c1e-8a1d-4e47-9a55-2f1d7c0e9b10-follow-up-bp@"
				       "medverse\r\n")
			   != NULL,
		   "%s", flat_after);
}

Test (ics, a_task_the_new_version_drops_is_cancelled_with_its_uid_and_a_higher_sequence)
{
	g_autoptr (JsonObject) previous = load_plan ();
	g_autoptr (JsonObject) plan = load_plan ();
	g_autoptr (GDateTime) now = g_date_time_new_utc (2026, 12, 14, 12, 0, 0);
	g_autofree gchar *ics = NULL, *flat = NULL;
	g_auto (GStrv) events = NULL;
	guint cancelled = 0;

	/* version 3 drops the blood-pressure check and the follow-up */
	json_object_set_int_member (plan, "version", 3);
	json_array_remove_element (json_object_get_array_member (plan, "tasks"), 1);
	json_array_remove_element (json_object_get_array_member (plan, "follow_ups"), 0);
	ics = mv_plan_ics_feed (plan, previous, now);
	flat = unfold (ics);
	expect_lines_well_formed (ics);
	events = g_strsplit (flat, "BEGIN:VEVENT", -1);
	cr_assert_eq (g_strv_length (events) - 1, 3, "%s", flat);
	for (guint i = 1; events[i] != NULL; i++) {
		gboolean is_cancelled = strstr (events[i], "STATUS:CANCELLED\r\n") != NULL;
		cr_expect (strstr (events[i], "SEQUENCE:3\r\n") != NULL, "%s", events[i]);
		cancelled += is_cancelled;
		/* the walk stays; the check and the follow-up are cancelled under their UIDs */
		if (strstr (events[i], "-task-walk@") != NULL)
			cr_expect (!is_cancelled, "%s", events[i]);
		else
			cr_expect (is_cancelled
					   && (strstr (events[i],
						       "UID:0b6f3c1e-8a1d-4e47-9a55-"
						       "2f1d7c0e9b10-task-bp-check@medverse")
						       != NULL
					       || strstr (events[i], "-follow-up-acc-aha-follow-up-"
								     "2027-01-04@medverse")
							  != NULL),
				   "%s", events[i]);
	}
	cr_expect_eq (cancelled, 2, "%s", flat);
	/* nothing dropped: nothing cancelled */
	g_clear_pointer (&ics, g_free);
	ics = mv_plan_ics_feed (previous, previous, now);
	cr_expect (strstr (ics, "CANCELLED") == NULL, "%s", ics);
}

static gchar *
flat_ics (JsonObject *plan, GDateTime *now)
{
	g_autofree gchar *ics = mv_plan_ics (plan, now);
	return unfold (ics);
}

Test (ics, a_red_flag_s_instruction_reads_as_urgent_in_both_languages)
{
	g_autoptr (JsonObject) plan = load_plan ();
	g_autoptr (GDateTime) now = g_date_time_new_utc (2026, 12, 5, 12, 0, 0);
	g_autofree gchar *en = NULL, *zh = NULL;

	json_object_set_string_member (plan, "status", "suppressed");
	json_array_add_object_element (json_object_get_array_member (plan, "red_flags"),
				       mvt_parse ("{\"id\":\"chest-pain\",\"level\":\"emergency\","
						  "\"title\":\"Chest pain\"}"));
	json_array_add_object_element (
		json_object_get_array_member (plan, "follow_ups"),
		mvt_parse ("{\"date\":\"2026-12-07\",\"reason\":\"Call 120 now.\","
			   "\"rule\":\"chest-pain\",\"source\":\"x\"}"));
	en = flat_ics (plan, now);
	cr_expect (strstr (en, "SUMMARY:Emergency: Call 120 now.\r\nPRIORITY:1\r\n") != NULL, "%s",
		   en);
	/* a visit is still a follow-up */
	cr_expect (strstr (en, "SUMMARY:Follow-up: Blood pressure review") != NULL, "%s", en);
	json_object_set_string_member (plan, "language", "zh");
	zh = flat_ics (plan, now);
	cr_expect (strstr (zh, "SUMMARY:紧急：Call 120 now.\r\n") != NULL, "%s", zh);
	cr_expect (strstr (zh, "复诊：Call") == NULL, "%s", zh);
	cr_expect (strstr (zh, "SUMMARY:复诊：Blood pressure review") != NULL, "%s", zh);
}

/* Outside the plan's period (before its week_start, after the horizon the .ics ends at) a day
 * has no tasks and says why; a follow-up dated before the day is listed as overdue. */
Test (ics, today_outside_the_plan_has_no_tasks_and_says_so_past_follow_ups_are_overdue)
{
	g_autoptr (JsonObject) plan = load_plan ();
	g_autoptr (JsonObject) later = mv_plan_today (plan, "2030-01-07");
	g_autoptr (JsonObject) before = mv_plan_today (plan, "2026-11-30");
	g_autoptr (JsonObject) within = mv_plan_today (plan, "2027-01-11");
	g_autoptr (JsonObject) on_day = mv_plan_today (plan, "2027-01-04");
	g_autoptr (JsonObject) later_zh = NULL;

	cr_expect_eq (json_array_get_length (json_object_get_array_member (later, "tasks")), 0);
	cr_expect (json_object_get_boolean_member (later, "plan_ended"));
	cr_expect_str_eq (json_object_get_string_member (later, "notice"),
			  "Your plan ends before this day: no tasks.");
	cr_expect_eq (json_array_get_length (json_object_get_array_member (before, "tasks")), 0);
	cr_expect_not (json_object_get_boolean_member (before, "plan_started"));
	cr_expect_not (json_object_get_boolean_member (before, "plan_ended"));
	cr_expect (json_object_has_member (before, "notice"));
	/* within: a Monday's walk, no notice, the 4 January follow-up overdue a week later */
	cr_expect_eq (json_array_get_length (json_object_get_array_member (within, "tasks")), 1);
	cr_expect (json_object_get_boolean_member (within, "plan_started"));
	cr_expect_not (json_object_get_boolean_member (within, "plan_ended"));
	cr_expect_not (json_object_has_member (within, "notice"));
	cr_expect_eq (
		json_array_get_length (json_object_get_array_member (within, "overdue_follow_ups")),
		1);
	cr_expect_eq (
		json_array_get_length (json_object_get_array_member (on_day, "overdue_follow_ups")),
		0);
	json_object_set_string_member (plan, "language", "zh");
	later_zh = mv_plan_today (plan, "2030-01-07");
	cr_expect_str_eq (json_object_get_string_member (later_zh, "notice"),
			  "您的计划在这一天之前已结束：没有任务。");
}

Test (ics, today_holds_the_day_s_tasks_and_a_suppressed_plan_its_red_flags_and_follow_ups)
{
	g_autoptr (JsonObject) plan = load_plan ();
	g_autoptr (JsonObject) wed = mv_plan_today (plan, "2026-12-09");
	g_autoptr (JsonObject) follow = mv_plan_today (plan, "2027-01-04");
	g_autoptr (JsonObject) sat = mv_plan_today (plan, "2026-12-12");
	g_autoptr (JsonObject) suppressed = NULL;
	g_autoptr (GList) members = NULL;
	JsonArray *tasks;

	cr_expect_str_eq (json_object_get_string_member (wed, "weekday"), "wed");
	tasks = json_object_get_array_member (wed, "tasks");
	cr_assert_eq (json_array_get_length (tasks), 1);
	cr_expect_str_eq (
		json_object_get_string_member (json_array_get_object_element (tasks, 0), "id"),
		"walk");
	/* 4 January 2027 is a Monday: the walk, and the follow-up */
	cr_expect_eq (json_array_get_length (json_object_get_array_member (follow, "follow_ups")),
		      1);
	cr_expect_eq (json_array_get_length (json_object_get_array_member (follow, "tasks")), 1);
	cr_expect_eq (json_array_get_length (json_object_get_array_member (sat, "tasks")), 0);
	/* red flags first */
	members = json_object_get_members (wed);
	cr_expect_str_eq (members->data, "red_flags");

	json_object_set_string_member (plan, "status", "suppressed");
	json_array_add_object_element (
		json_object_get_array_member (plan, "red_flags"),
		mvt_parse (
			"{\"id\":\"chest-pain\",\"level\":\"emergency\",\"title\":\"Chest pain\","
			"\"instruction\":\"Call 120 now.\"}"));
	suppressed = mv_plan_today (plan, "2026-12-09");
	cr_expect_str_eq (json_object_get_string_member (suppressed, "status"), "suppressed");
	cr_expect_eq (json_array_get_length (json_object_get_array_member (suppressed, "tasks")),
		      0);
	cr_expect_eq (
		json_array_get_length (json_object_get_array_member (suppressed, "red_flags")), 1);
	/* but its follow-ups stay: a red flag's "see a doctor today" is one */
	g_clear_pointer (&suppressed, json_object_unref);
	suppressed = mv_plan_today (plan, "2027-01-04");
	cr_expect_eq (
		json_array_get_length (json_object_get_array_member (suppressed, "follow_ups")), 1);
	cr_expect_eq (json_array_get_length (json_object_get_array_member (suppressed, "tasks")),
		      0);
}
