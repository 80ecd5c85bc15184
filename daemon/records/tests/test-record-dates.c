/* A refused date says what is wrong with it (mv_schema_date_problem()): a day that is not on
 * the calendar is named with the month's length, in both languages, for a date member, a
 * date-time member and any route that checks a date of its own. */
#include <criterion/criterion.h>
#include <medverse/mv-error.h>
#include <string.h>

#include "mv-record-schema.h"

static const MvField shape[] = {
	{ "born", MV_FIELD_DATE, FALSE },
	{ "seen", MV_FIELD_DATETIME, FALSE },
	{ NULL },
};

/* the one problem @text gives as a date: its English and Chinese messages */
static void
expect_problem (const gchar *text, const gchar *en, const gchar *zh)
{
	g_autoptr (GError) error = NULL;
	const MvErrorProblem *p;

	mv_schema_date_problem (&error, "/d", text, "must be a date", "应为日期");
	cr_assert_eq (mv_error_get_n_problems (error), 1);
	p = mv_error_get_problem (error, 0);
	cr_expect_str_eq (p->field, "/d");
	cr_expect_str_eq (p->code, "invalid-format");
	cr_expect_str_eq (p->message, en, "%s", text);
	cr_expect_str_eq (p->message_zh, zh, "%s", text);
}

Test (dates, a_day_not_on_the_calendar_says_why_without_repeating_the_date)
{
	expect_problem ("2026-02-30",
			"must be a date: that day is past the end of its month (28 days)",
			"应为日期：该日超出了当月的天数（28 天）");
	/* a leap year's February, a 30-day month, and the date of a date-time */
	expect_problem ("2024-02-30",
			"must be a date: that day is past the end of its month (29 days)",
			"应为日期：该日超出了当月的天数（29 天）");
	expect_problem ("2026-04-31T08:00:00Z",
			"must be a date: that day is past the end of its month (30 days)",
			"应为日期：该日超出了当月的天数（30 天）");
	expect_problem ("2026-13-01", "must be a date: a year has months 01 to 12",
			"应为日期：月份为 01 至 12");
	expect_problem ("2026-01-00", "must be a date: days count from 01",
			"应为日期：日期从 01 开始");
	expect_problem ("0000-01-01", "must be a date: years count from 0001",
			"应为日期：年份从 0001 开始");
}

Test (dates, anything_else_keeps_the_route_s_own_message)
{
	static const gchar *const others[]
		= { "2026-2-3", "tomorrow", "", "2026-02-28T25:00:00Z", "2026-02-28x", NULL };

	for (guint i = 0; others[i] != NULL; i++)
		expect_problem (others[i], "must be a date", "应为日期");
	expect_problem (NULL, "must be a date", "应为日期");
}

Test (dates, the_schema_s_date_and_date_time_members_say_it_too)
{
	g_autoptr (JsonParser) parser = json_parser_new ();
	g_autoptr (GError) error = NULL;
	g_autoptr (GDateTime) now = g_date_time_new_utc (2026, 12, 5, 12, 0, 0);
	MvSchemaContext ctx = { now };
	JsonObject *o;

	cr_assert (json_parser_load_from_data (
		parser, "{\"born\":\"2026-02-30\",\"seen\":\"2025-02-29T10:00:00+08:00\"}", -1,
		NULL));
	o = json_node_get_object (json_parser_get_root (parser));
	cr_assert_not (mv_schema_check (shape, o, "", &ctx, &error));
	cr_assert_eq (mv_error_get_n_problems (error), 2, "%s", error->message);
	cr_expect (strstr (error->message, "/born: ") != NULL
			   && strstr (error->message, "past the end of its month (28 days)")
				      != NULL,
		   "%s", error->message);
	cr_expect (strstr (error->message, "/seen: ") != NULL, "%s", error->message);
	/* no message repeats the date that was sent */
	cr_expect (strstr (error->message, "2026-02-30") == NULL, "%s", error->message);
	cr_expect (strstr (error->message, "2025-02-29") == NULL, "%s", error->message);
}
