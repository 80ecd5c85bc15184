/*
 * The value model: JSON <-> GVariant by declared arguments, and how strict it is.
 */
#include <criterion/criterion.h>
#include <medverse/medverse-plugin.h>
#include <string.h>

static JsonObject *
object_from (const gchar *json)
{
	g_autoptr (JsonParser) parser = json_parser_new ();
	g_autoptr (GError) error = NULL;
	cr_assert (json_parser_load_from_data (parser, json, -1, &error), "%s", json);
	return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* converts @json for @args; returns the tuple as GVariant text, or NULL with @error set */
static gchar *
convert (const MvArg *args, const gchar *json, GError **error)
{
	g_autoptr (JsonObject) obj = object_from (json);
	g_autoptr (GVariant) value = mv_value_from_json_args (args, obj, error);
	if (value == NULL)
		return NULL;
	return g_variant_print (value, TRUE);
}

static void
assert_refused (const MvArg *args, const gchar *json, const gchar *mention1, const gchar *mention2)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *out = convert (args, json, &error);
	cr_assert_null (out, "%s accepted as %s", json, out);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INVALID_INPUT), "%s: %s", json,
		   error != NULL ? error->message : "no error");
	if (mention1 != NULL)
		cr_assert_not_null (strstr (error->message, mention1), "%s: %s", json,
				    error->message);
	if (mention2 != NULL)
		cr_assert_not_null (strstr (error->message, mention2), "%s: %s", json,
				    error->message);
}

static void
assert_converts (const MvArg *args, const gchar *json, const gchar *expected)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *out = convert (args, json, &error);
	cr_assert_not_null (out, "%s: %s", json, error != NULL ? error->message : "");
	cr_assert_str_eq (out, expected, "%s", json);
}

static const MvArg number_args[] = {
	{ "weight_kg", "d", "weight", MV_ARG_NONE },
	{ NULL },
};

Test (value, string_for_number_refused)
{
	assert_refused (number_args, "{\"weight_kg\":\"70\"}", "weight_kg", "number");
	assert_refused (number_args, "{\"weight_kg\":true}", "weight_kg", "number");
	assert_refused (number_args, "{\"weight_kg\":[70]}", "weight_kg", "number");
}

Test (value, integer_taken_as_number)
{
	assert_converts (number_args, "{\"weight_kg\":70}", "(70.0,)");
	assert_converts (number_args, "{\"weight_kg\":70.5}", "(70.5,)");
}

static const MvArg int_args[] = {
	{ "b", "y", "", MV_ARG_NONE }, { "i", "i", "", MV_ARG_NONE }, { "u", "u", "", MV_ARG_NONE },
	{ "n", "n", "", MV_ARG_NONE }, { "x", "x", "", MV_ARG_NONE }, { NULL },
};

Test (value, integer_range)
{
	assert_converts (int_args,
			 "{\"b\":255,\"i\":-2147483648,\"u\":4294967295,\"n\":-32768,"
			 "\"x\":-9223372036854775808}",
			 "(byte 0xff, -2147483648, uint32 4294967295, int16 -32768, "
			 "int64 -9223372036854775808)");
	assert_refused (int_args, "{\"b\":256,\"i\":0,\"u\":0,\"n\":0,\"x\":0}", "b", "range");
	assert_refused (int_args, "{\"b\":0,\"i\":2147483648,\"u\":0,\"n\":0,\"x\":0}", "i",
			"range");
	assert_refused (int_args, "{\"b\":0,\"i\":0,\"u\":-1,\"n\":0,\"x\":0}", "u", "range");
	assert_refused (int_args, "{\"b\":0,\"i\":0,\"u\":0,\"n\":32768,\"x\":0}", "n", "range");
	/* a fraction is not an integer, nor is a numeric string */
	assert_refused (int_args, "{\"b\":0,\"i\":1.5,\"u\":0,\"n\":0,\"x\":0}", "i", "integer");
	assert_refused (int_args, "{\"b\":0,\"i\":\"1\",\"u\":0,\"n\":0,\"x\":0}", "i", "integer");
}

static const MvArg two_args[] = {
	{ "text", "s", "", MV_ARG_NONE },
	{ "lang", "s", "", MV_ARG_OPTIONAL },
	{ NULL },
};

Test (value, unknown_field_refused)
{
	assert_refused (two_args, "{\"text\":\"a\",\"colour\":\"blue\"}", "colour", NULL);
}

Test (value, missing_required_refused)
{
	assert_refused (two_args, "{\"lang\":\"en\"}", "text", "string");
	assert_refused (two_args, "{\"text\":null}", "text", NULL);
}

Test (value, optional_omitted_gets_empty)
{
	assert_converts (two_args, "{\"text\":\"fever\"}", "('fever', '')");
	assert_converts (two_args, "{\"text\":\"fever\",\"lang\":null}", "('fever', '')");
	assert_converts (two_args, "{\"text\":\"fever\",\"lang\":\"zh\"}", "('fever', 'zh')");
}

Test (value, empty_values)
{
	const gchar *types[]
		= { "b", "i", "u", "d", "s", "as", "a{sv}", "aa{sv}", "(sia{ss})", "v", "mi" };
	const gchar *expected[]
		= { "false",	 "0",	       "uint32 0",	     "0.0",  "''",	   "@as []",
		    "@a{sv} {}", "@aa{sv} []", "('', 0, @a{ss} {})", "<''>", "@mi nothing" };
	for (guint i = 0; i < G_N_ELEMENTS (types); i++) {
		g_autoptr (GVariant) v
			= g_variant_ref_sink (mv_value_new_empty (G_VARIANT_TYPE (types[i])));
		g_autofree gchar *text = g_variant_print (v, TRUE);
		cr_assert_str_eq (g_variant_get_type_string (v), types[i]);
		cr_assert_str_eq (text, expected[i], "empty %s", types[i]);
	}
}

static const MvArg nested_args[] = {
	{ "findings", "aa{sv}", "", MV_ARG_NONE },
	{ "codes", "a{sas}", "", MV_ARG_NONE },
	{ "pair", "(sd)", "", MV_ARG_NONE },
	{ NULL },
};

Test (value, nested_round_trip)
{
	static const gchar json[]
		= "{\"findings\":[{\"code\":\"R50.9\",\"negated\":false,\"days\":3,\"score\":0.5,"
		  "\"sites\":[\"head\",\"chest\"],\"extra\":{\"k\":\"v\"}},{}],"
		  "\"codes\":{\"en\":[\"fever\"],\"zh\":[\"发烧\",\"发热\"]},"
		  "\"pair\":[\"x\",1.25]}";
	g_autoptr (JsonObject) obj = object_from (json);
	g_autoptr (GError) error = NULL;
	g_autoptr (GVariant) value = mv_value_from_json_args (nested_args, obj, &error);
	g_autoptr (JsonNode) back = NULL;
	g_autoptr (JsonNode) original = json_node_new (JSON_NODE_OBJECT);
	g_autofree gchar *back_text = NULL;
	g_autofree gchar *original_text = NULL;

	cr_assert_not_null (value, "%s", error != NULL ? error->message : "");
	cr_assert_str_eq (g_variant_get_type_string (value), "(aa{sv}a{sas}(sd))");
	{
		/* inside a v, a JSON integer stays an integer and a fraction a double */
		g_autoptr (GVariant) findings = g_variant_get_child_value (value, 0);
		g_autoptr (GVariant) first = g_variant_get_child_value (findings, 0);
		g_autoptr (GVariant) days = g_variant_lookup_value (first, "days", NULL);
		g_autoptr (GVariant) score = g_variant_lookup_value (first, "score", NULL);
		g_autoptr (GVariant) sites = g_variant_lookup_value (first, "sites", NULL);
		cr_assert_not_null (days);
		cr_assert_str_eq (g_variant_get_type_string (days), "x");
		cr_assert_str_eq (g_variant_get_type_string (score), "d");
		cr_assert_str_eq (g_variant_get_type_string (sites), "av");
	}
	back = mv_value_to_json_args (nested_args, value, &error);
	cr_assert_not_null (back, "%s", error != NULL ? error->message : "");
	json_node_set_object (original, obj);
	cr_assert (json_node_equal (back, original), "round trip changed the value:\n%s\n%s",
		   back_text = json_to_string (back, FALSE),
		   original_text = json_to_string (original, FALSE));
}

Test (value, nested_error_names_path)
{
	assert_refused (nested_args,
			"{\"findings\":[{},{\"x\":null}],\"codes\":{},\"pair\":[\"x\",1]}",
			"/findings/1/x", NULL);
	assert_refused (nested_args, "{\"findings\":[],\"codes\":{\"en\":[1]},\"pair\":[\"x\",1]}",
			"/codes/en/0", "string");
	assert_refused (nested_args, "{\"findings\":[],\"codes\":{},\"pair\":[\"x\"]}", "pair",
			NULL);
	assert_refused (nested_args, "{\"findings\":{},\"codes\":{},\"pair\":[\"x\",1]}",
			"findings", "array");
}

Test (value, to_json_args_checks_shape)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GVariant) wrong = g_variant_ref_sink (g_variant_new ("(s)", "x"));
	g_autoptr (JsonNode) node = mv_value_to_json_args (nested_args, wrong, &error);
	cr_assert_null (node);
	cr_assert_not_null (error);
}

Test (value, error_codes_have_names)
{
	cr_assert_str_eq (mv_error_to_string (MV_ERROR_INVALID_INPUT), "invalid-input");
	cr_assert_str_eq (mv_error_to_string (MV_ERROR_MALFORMED), "malformed");
	cr_assert_str_eq (mv_error_to_string (MV_ERROR_TIMED_OUT), "timed-out");
	cr_assert_str_eq (mv_error_to_string (MV_ERROR_UNSUPPORTED_MEDIA),
			  "unsupported-media-type");
	cr_assert_str_eq (mv_error_to_string (MV_ERROR_LENGTH_REQUIRED), "length-required");
	for (gint code = 0; code < MV_ERROR_LAST; code++)
		cr_assert_gt (strlen (mv_error_to_string (code)), 0);
	cr_assert_str_eq (mv_error_to_string (MV_ERROR_LAST + 5), "failed");
}

static const MvArg several_args[] = {
	{ "text", "s", "the text", MV_ARG_NONE },
	{ "age", "y", "age in years", MV_ARG_NONE },
	{ "codes", "as", "codes", MV_ARG_NONE },
	{ "note", "s", "a note", MV_ARG_OPTIONAL },
	{ NULL },
};

static void
assert_problem (const GError *error, guint index, const gchar *field, const gchar *code)
{
	const MvErrorProblem *problem = mv_error_get_problem (error, index);

	cr_assert_not_null (problem, "problem %u of %s", index, error->message);
	cr_assert_str_eq (problem->field, field, "problem %u", index);
	cr_assert_str_eq (problem->code, code, "problem %u (%s)", index, field);
	cr_assert (problem->message_zh != NULL && !g_str_is_ascii (problem->message_zh),
		   "problem %u has no Chinese text: %s", index, problem->message_zh);
}

/* One refusal lists every argument at fault, each at its JSON Pointer, never with its value. */
Test (value, every_problem_is_listed_with_its_pointer)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *out = convert (
		several_args, "{\"age\":300,\"codes\":[\"a\",7,\"c\",false],\"a/b~c\":1,\"x\":2}",
		&error);

	cr_assert_null (out);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INVALID_INPUT));
	cr_assert_eq (mv_error_get_n_problems (error), 6, "%s", error->message);
	/* unknown members first, in the object's order, then the arguments in declared order */
	assert_problem (error, 0, "/a~1b~0c", "unknown-member");
	assert_problem (error, 1, "/x", "unknown-member");
	assert_problem (error, 2, "/text", "required");
	assert_problem (error, 3, "/age", "out-of-range");
	assert_problem (error, 4, "/codes/1", "wrong-type");
	assert_problem (error, 5, "/codes/3", "wrong-type");
	cr_assert_null (strstr (error->message, "300"), "%s", error->message);
	cr_assert_not_null (strstr (mv_error_get_message_zh (error), "/age: 超出范围 [0, 255]"),
			    "%s", mv_error_get_message_zh (error));
}

Test (value, a_thousand_wrong_items_make_a_bounded_list)
{
	g_autoptr (GString) json = g_string_new ("{\"text\":\"t\",\"age\":1,\"codes\":[");
	g_autoptr (GError) error = NULL;
	g_autofree gchar *out = NULL;

	for (guint i = 0; i < 1000; i++)
		g_string_append (json, i > 0 ? ",1" : "1");
	g_string_append (json, "]}");
	out = convert (several_args, json->str, &error);
	cr_assert_null (out);
	cr_assert_eq (mv_error_get_n_problems (error), 100);
}
