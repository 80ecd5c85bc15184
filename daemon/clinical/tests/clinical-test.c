/* What the clinical kinds' tests share: see clinical-test.h. */
#include "clinical-test.h"

#include <string.h>

MvClinicalContext mvt_ctx;

void
mvt_clinical_setup (void)
{
	mvt_ctx.now = g_date_time_new_utc (2026, 12, 5, 12, 0, 0);
	mvt_ctx.language = "en";
	mvt_ctx.actor = "key-test";
}

void
mvt_clinical_teardown (void)
{
	g_clear_pointer (&mvt_ctx.now, g_date_time_unref);
}

JsonObject *
mvt_parse (const gchar *json)
{
	g_autoptr (JsonParser) parser = json_parser_new ();
	g_autoptr (GError) error = NULL;

	cr_assert (json_parser_load_from_data (parser, json, -1, &error), "%s: %s", json,
		   error != NULL ? error->message : "");
	cr_assert (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)), "%s", json);
	return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

gchar *
mvt_to_json (JsonObject *object)
{
	g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), object);
	return json_to_string (node, FALSE);
}

JsonObject *
mvt_normalise_ok (const MvClinicalKind *kind, const gchar *json)
{
	g_autoptr (JsonObject) input = mvt_parse (json);
	g_autoptr (GError) error = NULL;
	JsonObject *record = kind->normalise (input, "", &mvt_ctx, &error);

	cr_assert_not_null (record, "%s refused: %s", json, error != NULL ? error->message : "");
	cr_assert_null (error);
	return record;
}

GError *
mvt_normalise_refused (const MvClinicalKind *kind, const gchar *json)
{
	g_autoptr (JsonObject) input = mvt_parse (json);
	GError *error = NULL;
	g_autoptr (JsonObject) record = kind->normalise (input, "", &mvt_ctx, &error);

	cr_assert_null (record, "%s accepted", json);
	cr_assert_not_null (error);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INVALID_INPUT), "%s", error->message);
	cr_assert_not_null (mv_error_get_message_zh (error));
	return error;
}

const MvErrorProblem *
mvt_problem_at (const GError *error, const gchar *field)
{
	for (guint i = 0; i < mv_error_get_n_problems (error); i++) {
		const MvErrorProblem *p = mv_error_get_problem (error, i);
		if (g_strcmp0 (p->field, field) == 0)
			return p;
	}
	return NULL;
}

void
mvt_expect_problem (const GError *error, const gchar *field, const gchar *code, const gchar *text)
{
	const MvErrorProblem *p = mvt_problem_at (error, field);

	cr_expect_not_null (p, "no problem at %s in: %s", field, error->message);
	if (p == NULL)
		return;
	cr_expect_str_eq (p->code, code, "%s: %s", field, p->message);
	cr_expect_not_null (p->message_zh);
	if (text != NULL)
		cr_expect (strstr (p->message, text) != NULL, "%s: '%s' lacks '%s'", field,
			   p->message, text);
}

void
mvt_expect_round_trip (const MvClinicalKind *kind, JsonObject *record)
{
	g_autoptr (JsonObject) input = kind->to_input (record);
	g_autoptr (GError) error = NULL;
	g_autoptr (JsonObject) again = kind->normalise (input, "", &mvt_ctx, &error);
	g_autofree gchar *want = mvt_to_json (record);
	g_autofree gchar *form = mvt_to_json (input);
	g_autofree gchar *got = NULL;
	g_autoptr (JsonNode) a = NULL;
	g_autoptr (JsonNode) b = NULL;

	cr_assert_not_null (again, "to_input %s refused: %s", form,
			    error != NULL ? error->message : "");
	got = mvt_to_json (again);
	a = json_node_init_object (json_node_alloc (), record);
	b = json_node_init_object (json_node_alloc (), again);
	cr_expect (json_node_equal (a, b), "round trip: %s -> %s -> %s", want, form, got);
}

static JsonNode *
at_path (JsonObject *record, const gchar *path)
{
	g_autoptr (JsonNode) root = json_node_init_object (json_node_alloc (), record);
	g_autoptr (JsonNode) found = json_path_query (path, root, NULL);
	JsonArray *hits = json_node_get_array (found);

	cr_assert_eq (json_array_get_length (hits), 1, "%s", path);
	return json_node_copy (json_array_get_element (hits, 0));
}

gdouble
mvt_number (JsonObject *record, const gchar *path)
{
	g_autoptr (JsonNode) n = at_path (record, path);
	return json_node_get_double (n);
}

const gchar *
mvt_string (JsonObject *record, const gchar *path)
{
	g_autoptr (JsonNode) n = at_path (record, path);
	/* interned: the tests compare it at once */
	return g_intern_string (json_node_get_string (n));
}
