/* The schema engine: every problem at once, as JSON Pointers, in both languages. */
#include <criterion/criterion.h>
#include <medverse/mv-error.h>

#include "mv-record-schema.h"

static const gchar *const colours[] = { "red", "green", NULL };

static const MvField inner[] = {
	{ "given", MV_FIELD_STRING, FALSE, 1, 5 },
	{ "family", MV_FIELD_STRING, FALSE, 1, 5 },
	{ NULL },
};

static gboolean
even_only (JsonNode *node,
	   const gchar *ptr,
	   JsonObject *parent,
	   const MvSchemaContext *ctx,
	   GError **error)
{
	if (json_node_get_int (node) % 2 == 0)
		return TRUE;
	mv_schema_problem (error, ptr, "out-of-range", "must be even", "应为偶数");
	return FALSE;
}

static const MvField item[] = {
	{ "n", MV_FIELD_INT, TRUE, 0, 100, NULL, NULL, even_only },
	{ NULL },
};

static const MvField shape[] = {
	{ "name", MV_FIELD_OBJECT, TRUE, 1, 0, NULL, inner },
	{ "colour", MV_FIELD_ENUM, FALSE, 0, 0, colours },
	{ "born", MV_FIELD_DATE, FALSE },
	{ "seen", MV_FIELD_DATETIME, FALSE },
	{ "weight", MV_FIELD_NUMBER, FALSE },
	{ "ok", MV_FIELD_BOOL, FALSE },
	{ "items", MV_FIELD_LIST, FALSE, 0, 3, NULL, item },
	{ "tags", MV_FIELD_STRINGS, FALSE, 0, 2 },
	{ "note", MV_FIELD_TEXT, FALSE, 0, 10 },
	{ NULL },
};

static JsonObject *
parse (const gchar *json)
{
	g_autoptr (JsonParser) parser = json_parser_new ();
	cr_assert (json_parser_load_from_data (parser, json, -1, NULL), "%s", json);
	return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static MvSchemaContext ctx;

static void
setup (void)
{
	ctx.now = g_date_time_new_utc (2026, 12, 5, 12, 0, 0);
}

static void
teardown (void)
{
	g_date_time_unref (ctx.now);
}

TestSuite (schema, .init = setup, .fini = teardown);

Test (schema, a_valid_object_passes)
{
	g_autoptr (JsonObject) o
		= parse ("{\"name\":{\"given\":\"Ada\"},\"colour\":\"red\",\"born\":\"1961-12-10\","
			 "\"seen\":\"2026-12-05T19:00:00+08:00\",\"weight\":61.5,\"ok\":true,"
			 "\"items\":[{\"n\":2}],\"tags\":[\"a\"],\"note\":\"two\\nlines\"}");
	g_autoptr (GError) error = NULL;

	cr_assert (mv_schema_check (shape, o, "", &ctx, &error), "%s", error ? error->message : "");
}

Test (schema, every_problem_is_listed_with_its_pointer)
{
	g_autoptr (JsonObject) o = parse (
		"{\"name\":{},\"colour\":\"blue\",\"born\":\"2031-01-01\",\"seen\":\"2026-12-05 "
		"10:00\",\"weight\":\"heavy\",\"items\":[{\"n\":3},{\"x\":1},5,{},{}],"
		"\"tags\":[\"\",\"a\",\"b\"],\"note\":\"x\\u0001\",\"id\":\"1\",\"a/b~\":1}");
	g_autoptr (GError) error = NULL;
	static const gchar *const expected[][2] = {
		{ "/name", "required" },     { "/colour", "not-allowed" },
		{ "/born", "in-future" },    { "/seen", "invalid-format" },
		{ "/weight", "wrong-type" }, { "/items", "too-many" },
		{ "/tags", "too-many" },     { "/note", "invalid-format" },
		{ "/id", "unknown-member" }, { "/a~1b~0", "unknown-member" },
	};

	cr_assert_not (mv_schema_check (shape, o, "", &ctx, &error));
	cr_assert_eq (mv_error_get_n_problems (error), G_N_ELEMENTS (expected), "%s",
		      error->message);
	for (guint i = 0; i < G_N_ELEMENTS (expected); i++) {
		gboolean found = FALSE;
		for (guint j = 0; j < mv_error_get_n_problems (error); j++) {
			const MvErrorProblem *p = mv_error_get_problem (error, j);
			found = found
				|| (g_str_equal (p->field, expected[i][0])
				    && g_str_equal (p->code, expected[i][1]));
		}
		cr_expect (found, "%s %s in %s", expected[i][0], expected[i][1], error->message);
	}
	cr_assert_not_null (strstr (mv_error_get_message_zh (error), "不是可识别的字段"));
}

Test (schema, list_items_and_their_checks_are_all_reported)
{
	g_autoptr (JsonObject) o = parse (
		"{\"name\":{\"family\":\"toolongname\"},\"items\":[{\"n\":3},{\"x\":1},5]}");
	g_autoptr (GError) error = NULL;
	const gchar *fields[]
		= { "/name/family", "/items/0/n", "/items/1/x", "/items/1/n", "/items/2" };

	cr_assert_not (mv_schema_check (shape, o, "/batch/0", &ctx, &error));
	cr_assert_eq (mv_error_get_n_problems (error), G_N_ELEMENTS (fields), "%s", error->message);
	for (guint i = 0; i < G_N_ELEMENTS (fields); i++) {
		g_autofree gchar *want = g_strconcat ("/batch/0", fields[i], NULL);
		cr_expect_str_eq (mv_error_get_problem (error, i)->field, want);
	}
}

Test (schema, datetimes_need_an_offset_and_dates_must_exist)
{
	static const gchar *const bad[]
		= { "2026-12-01T08:00:00", "2026-02-30T08:00:00Z",     "2026-12-01 08:00:00Z",
		    "2026-12-01T08:00Z",   "2026-12-01T08:00:00+8:00", "" };
	g_autoptr (GDateTime) t = mv_schema_parse_datetime ("2026-12-01T08:30:00.25+08:00");
	g_autofree gchar *utc = mv_schema_format_utc (t);
	GDate d;

	cr_assert_str_eq (utc, "2026-12-01T00:30:00.250000Z");
	for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
		g_autoptr (GDateTime) no = mv_schema_parse_datetime (bad[i]);
		cr_expect_null (no, "%s", bad[i]);
	}
	cr_assert (mv_schema_parse_date ("2024-02-29", &d));
	cr_assert_not (mv_schema_parse_date ("2026-02-29", &d));
}

Test (schema, a_patch_may_not_name_unknown_members_even_to_remove_them)
{
	g_autoptr (JsonObject) ok = parse ("{\"colour\":null,\"name\":{\"given\":null}}");
	g_autoptr (JsonObject) bad = parse ("{\"id\":null,\"name\":{\"middle\":\"x\"}}");
	g_autoptr (GError) error = NULL;

	cr_assert (mv_schema_check_patch (shape, ok, "", &error));
	cr_assert_not (mv_schema_check_patch (shape, bad, "", &error));
	cr_assert_eq (mv_error_get_n_problems (error), 2);
	cr_assert_str_eq (mv_error_get_problem (error, 1)->field, "/name/middle");
}

Test (schema, merge_patch_follows_rfc_7396)
{
	g_autoptr (JsonObject) target = parse ("{\"a\":\"b\",\"c\":{\"d\":\"e\",\"f\":\"g\"}}");
	g_autoptr (JsonObject) patch = parse ("{\"a\":\"z\",\"c\":{\"f\":null}}");
	g_autoptr (JsonNode) t = json_node_init_object (json_node_alloc (), target);
	g_autoptr (JsonNode) p = json_node_init_object (json_node_alloc (), patch);
	g_autoptr (JsonNode) r = mv_json_merge_patch (t, p);
	g_autofree gchar *text = json_to_string (r, FALSE);

	cr_assert_str_eq (text, "{\"a\":\"z\",\"c\":{\"d\":\"e\"}}");
}
