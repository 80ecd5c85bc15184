/* Helpers of the engagement tests: see engagement-test.h. */
#include "engagement-test.h"

#include "records/mv-record-schema.h"

JsonObject *
mvt_parse (const gchar *json)
{
	g_autoptr (JsonParser) parser = json_parser_new ();
	g_autoptr (GError) error = NULL;
	JsonNode *root;

	cr_assert (json_parser_load_from_data (parser, json, -1, &error), "%s: %s", json,
		   error != NULL ? error->message : "");
	root = json_parser_get_root (parser);
	cr_assert (JSON_NODE_HOLDS_OBJECT (root), "%s", json);
	return json_object_ref (json_node_get_object (root));
}

GDate
mvt_date (const gchar *text)
{
	GDate d;

	cr_assert (mv_schema_parse_date (text, &d), "%s", text);
	return d;
}

GDateTime *
mvt_time (const gchar *text)
{
	GDateTime *t = mv_schema_parse_datetime (text);

	cr_assert_not_null (t, "%s", text);
	return t;
}

GTimeZone *
mvt_zone (const gchar *name)
{
	g_autoptr (GError) error = NULL;
	GTimeZone *zone = mv_checkin_time_zone (name, &error);

	cr_assert_not_null (zone, "%s: %s", name, error != NULL ? error->message : "");
	return zone;
}

void
mvt_expect_problem (const GError *error, const gchar *field, const gchar *code, const gchar *text)
{
	cr_assert_not_null (error);
	for (guint i = 0; i < mv_error_get_n_problems (error); i++) {
		const MvErrorProblem *p = mv_error_get_problem (error, i);
		if (g_strcmp0 (p->field, field) != 0)
			continue;
		cr_expect_str_eq (p->code, code, "%s: %s", field, p->message);
		if (text != NULL)
			cr_expect (strstr (p->message, text) != NULL, "%s: \"%s\" lacks \"%s\"",
				   field, p->message, text);
		cr_expect (g_utf8_validate (p->message_zh, -1, NULL) && *p->message_zh != '\0');
		return;
	}
	cr_expect_fail ("no problem at %s in: %s", field, error->message);
}

MvCheckin *
mvt_checkin (
	const gchar *id, MvCheckinMetric metric, gdouble value, const gchar *at, GTimeZone *zone)
{
	g_autoptr (GDateTime) t = mvt_time (at);
	return mv_checkin_new (id, metric, value, t, zone);
}

MvEngagementRules *
mvt_shipped_rules (void)
{
	g_autoptr (GError) error = NULL;
	MvEngagementRules *r = mv_engagement_rules_load_file (MV_ENGAGEMENT_RULES, &error);

	cr_assert_not_null (r, "%s", error != NULL ? error->message : "");
	return r;
}

gint64
mvt_points (GPtrArray *entries)
{
	gint64 sum = 0;

	for (guint i = 0; i < entries->len; i++)
		sum += ((MvLedgerEntry *)g_ptr_array_index (entries, i))->points;
	return sum;
}
