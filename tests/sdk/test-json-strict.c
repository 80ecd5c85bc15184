/*
 * The strict JSON check (mv_json_validate(), sdk/src/mv-json-strict.c) and the body parser
 * built on it, driven by the tables in tests/sdk/json-strict/: cases.tsv for the check itself,
 * ranges.tsv for integers against each declared type.  Every row is checked and every failing
 * row reported, not only the first.
 */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <mv-host-private.h>
#include <string.h>

typedef struct {
	guint line;
	gchar **columns;
} Row;

static void
row_clear (Row *row)
{
	g_strfreev (row->columns);
}

/* the rows of a table in tests/sdk/json-strict: not empty, not a comment, @n_columns
 * tab-separated columns (the last one may be empty) */
static GArray *
read_table (const gchar *name, guint n_columns)
{
	g_autofree gchar *path = g_build_filename (MVT_JSON_STRICT_DIR, name, NULL);
	g_autofree gchar *text = NULL;
	g_auto (GStrv) lines = NULL;
	GArray *rows = g_array_new (FALSE, TRUE, sizeof (Row));

	g_array_set_clear_func (rows, (GDestroyNotify)row_clear);
	cr_assert (g_file_get_contents (path, &text, NULL, NULL), "cannot read %s", path);
	lines = g_strsplit (text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		Row row = { i + 1, NULL };
		if (lines[i][0] == '\0' || lines[i][0] == '#')
			continue;
		row.columns = g_strsplit (lines[i], "\t", (gint)n_columns);
		cr_assert_eq (g_strv_length (row.columns), n_columns, "%s:%u: %u columns expected",
			      name, i + 1, n_columns);
		g_array_append_val (rows, row);
	}
	cr_assert_gt (rows->len, 0, "%s has no rows", name);
	return rows;
}

/* the input of a cases.tsv row: the column itself, or the bytes of the file it names */
static GBytes *
case_input (const gchar *column)
{
	g_autofree gchar *path = NULL;
	gchar *contents = NULL;
	gsize len = 0;

	if (column[0] != '@')
		return g_bytes_new (column, strlen (column));
	path = g_build_filename (MVT_JSON_STRICT_DIR, column + 1, NULL);
	cr_assert (g_file_get_contents (path, &contents, &len, NULL), "cannot read %s", path);
	return g_bytes_new_take (contents, len);
}

static gint
expected_code (const gchar *expect)
{
	if (g_str_equal (expect, "malformed"))
		return MV_ERROR_MALFORMED;
	if (g_str_equal (expect, "invalid-input"))
		return MV_ERROR_INVALID_INPUT;
	cr_assert_str_eq (expect, "ok", "unknown expectation %s", expect);
	return -1;
}

/* checks one outcome against a row; FALSE (with the reason printed) when it does not match */
static gboolean
outcome_matches (const gchar *where, const gchar *expect, const gchar *fragment, GError *error)
{
	gint code = expected_code (expect);

	if (code < 0 && error != NULL) {
		cr_log_error ("%s: expected ok, got %s", where, error->message);
		return FALSE;
	}
	if (code < 0)
		return TRUE;
	if (error == NULL) {
		cr_log_error ("%s: expected %s (%s), got ok", where, expect, fragment);
		return FALSE;
	}
	if (!g_error_matches (error, MV_ERROR, code) || strstr (error->message, fragment) == NULL) {
		cr_log_error ("%s: expected %s containing \"%s\", got %s: %s", where, expect,
			      fragment, mv_error_to_string (error->code), error->message);
		return FALSE;
	}
	/* a client reading Chinese gets every refusal in Chinese too */
	if (mv_error_get_message_zh (error) == NULL
	    || g_str_is_ascii (mv_error_get_message_zh (error))) {
		cr_log_error ("%s: no Chinese message for %s", where, error->message);
		return FALSE;
	}
	return TRUE;
}

Test (json_strict, every_case_of_the_table)
{
	g_autoptr (GArray) rows = read_table ("cases.tsv", 3);
	guint failed = 0;

	for (guint i = 0; i < rows->len; i++) {
		Row *row = &g_array_index (rows, Row, i);
		g_autoptr (GBytes) input = case_input (row->columns[0]);
		g_autofree gchar *where
			= g_strdup_printf ("cases.tsv:%u (%s)", row->line, row->columns[0]);
		gsize len = 0;
		const gchar *text = g_bytes_get_data (input, &len);
		g_autoptr (GError) error = NULL;
		gboolean ok = mv_json_validate (text, (gssize)len, &error);

		cr_assert (ok == (error == NULL), "%s: result and error disagree", where);
		if (!outcome_matches (where, row->columns[1], row->columns[2], error)) {
			failed++;
			continue;
		}
		/* what passes must also be read by json-glib, the parser behind the check */
		if (ok) {
			g_autoptr (JsonNode) root
				= mv_json_parse_strict (text, (gssize)len, &error);
			if (root == NULL) {
				cr_log_error ("%s: passed the check, json-glib refused it: %s",
					      where, error->message);
				failed++;
			}
		}
	}
	cr_assert_eq (failed, 0, "%u of %u cases failed (see above)", failed, rows->len);
}

Test (json_strict, integers_never_wrap_for_any_declared_type)
{
	g_autoptr (GArray) rows = read_table ("ranges.tsv", 4);
	guint failed = 0;

	for (guint i = 0; i < rows->len; i++) {
		Row *row = &g_array_index (rows, Row, i);
		const MvArg args[] = { { "v", row->columns[0], "", MV_ARG_NONE }, MV_ARG_END };
		g_autofree gchar *body = g_strdup_printf ("{\"v\":%s}", row->columns[1]);
		g_autofree gchar *where = g_strdup_printf ("ranges.tsv:%u (%s %s)", row->line,
							   row->columns[0], row->columns[1]);
		g_autoptr (GError) error = NULL;
		g_autoptr (JsonNode) root = mv_value_parse_json_object (body, -1, &error);
		g_autoptr (GVariant) tuple = NULL;
		g_autoptr (GVariant) v = NULL;
		g_autofree gchar *printed = NULL;
		gboolean ok = g_str_equal (row->columns[2], "ok");

		if (root != NULL)
			tuple = mv_value_from_json_args (args, json_node_get_object (root), &error);
		if (!outcome_matches (where, row->columns[2], row->columns[3], error)) {
			failed++;
			continue;
		}
		if (!ok)
			continue;
		v = g_variant_get_child_value (tuple, 0);
		printed = g_variant_print (v, TRUE);
		if (!g_str_equal (printed, row->columns[3])) {
			cr_log_error ("%s: converted to %s, expected %s", where, printed,
				      row->columns[3]);
			failed++;
		}
	}
	cr_assert_eq (failed, 0, "%u of %u rows failed (see above)", failed, rows->len);
}

/* The values json-glib builds from a text that passed: escapes decoded, nothing cut short. */
Test (json_strict, escapes_decode_to_the_characters_they_name)
{
	static const gchar text[] = "{\"s\":\"\\u00e9\\u4e2d\\ud83d\\ude00\\\"\\\\\\/"
				    "\\b\\f\\n\\r\\t\",\"zh\":\"头痛\"}";
	g_autoptr (GError) error = NULL;
	g_autoptr (JsonNode) root = mv_value_parse_json_object (text, -1, &error);
	JsonObject *object;

	cr_assert_not_null (root, "%s", error != NULL ? error->message : "");
	object = json_node_get_object (root);
	cr_assert_str_eq (json_object_get_string_member (object, "s"), "é中😀\"\\/\b\f\n\r\t");
	cr_assert_str_eq (json_object_get_string_member (object, "zh"), "头痛");
}

/* A body of whitespace was "no value" to json-glib and a 422 "expected a JSON object, got
 * null"; it is malformed (400), as an empty body is.  A well-formed value that is not an object
 * stays a 422. */
Test (json_strict, body_parser_maps_each_failure_to_its_code)
{
	static const struct {
		const gchar *body;
		MvError code;
		const gchar *mentions;
	} cases[] = {
		{ " \r\n\t ", MV_ERROR_MALFORMED, "empty or only whitespace" },
		{ "", MV_ERROR_MALFORMED, "empty or only whitespace" },
		{ "[1,2]", MV_ERROR_INVALID_INPUT, "body: expected a JSON object, got array" },
		{ "null", MV_ERROR_INVALID_INPUT, "body: expected a JSON object, got null" },
		{ "{\"a\":1}{}", MV_ERROR_MALFORMED, "a second JSON value" },
		{ "{\"mrn\":\"ab\\u0000cd\"}", MV_ERROR_MALFORMED, "\\u0000" },
	};

	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr (GError) error = NULL;
		g_autoptr (JsonNode) root = mv_value_parse_json_object (cases[i].body, -1, &error);
		cr_assert_null (root, "case %u", i);
		cr_assert (g_error_matches (error, MV_ERROR, cases[i].code), "case %u: %s", i,
			   error->message);
		cr_assert_not_null (strstr (error->message, cases[i].mentions), "case %u: %s", i,
				    error->message);
	}
}

/* The daemon's own JSON output passes its own check: what it writes, it can read back. */
Test (json_strict, own_output_reads_back)
{
	static const MvArg args[] = {
		{ "s", "s", "", MV_ARG_NONE },	   { "t", "t", "", MV_ARG_NONE },
		{ "d", "d", "", MV_ARG_NONE },	   { "x", "x", "", MV_ARG_NONE },
		{ "m", "a{sv}", "", MV_ARG_NONE }, MV_ARG_END,
	};
	g_autoptr (GVariantBuilder) dict = g_variant_builder_new (G_VARIANT_TYPE_VARDICT);
	g_autoptr (GVariant) value = NULL;
	g_autoptr (JsonNode) node = NULL;
	g_autofree gchar *text = NULL;
	g_autoptr (GError) error = NULL;

	g_variant_builder_add (dict, "{sv}", "ctl", g_variant_new_string ("\x01\x1f\x7f\n"));
	g_variant_builder_add (dict, "{sv}", "tiny", g_variant_new_double (5e-324));
	value = g_variant_ref_sink (g_variant_new ("(stdxa{sv})", "头痛 \"x\" \\", G_MAXUINT64,
						   -0.0, G_MININT64, dict));
	node = mv_value_to_json_args (args, value, &error);
	cr_assert_not_null (node);
	text = mv_json_to_string (node);
	cr_assert (mv_json_validate (text, -1, &error), "%s: %s", text, error->message);
}
