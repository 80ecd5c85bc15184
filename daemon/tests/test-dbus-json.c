/* The one JSON <-> GVariant conversion of the D-Bus adapter (mv-dbus-json.h): the types each
 * JSON value gets, the JSON each D-Bus type gives, and the D-Bus types refused with a problem
 * naming the member. */
#include <criterion/criterion.h>
#include <math.h>
#include <medverse/mv-error.h>

#include "mv-dbus-json.h"

static JsonNode *
parse (const gchar *text)
{
	g_autoptr (GError) error = NULL;
	JsonNode *node = json_from_string (text, &error);

	cr_assert_not_null (node, "%s", error != NULL ? error->message : "");
	return node;
}

static gchar *
typed (const gchar *json)
{
	g_autoptr (JsonNode) node = parse (json);
	g_autoptr (GVariant) v = g_variant_ref_sink (mv_dbus_json_to_variant (node));

	return g_variant_print (v, TRUE);
}

Test (dbus_json, json_values_get_their_documented_types)
{
	g_autofree gchar *record
		= typed ("{\"n\":3,\"d\":1.5,\"s\":\"x\",\"b\":true,\"gone\":null}");
	g_autofree gchar *objects = typed ("[{\"a\":1},{}]");
	g_autofree gchar *strings = typed ("[\"a\",\"b\"]");
	g_autofree gchar *mixed = typed ("[1,\"a\",null]");
	g_autofree gchar *empty = typed ("[]");
	g_autofree gchar *nested = typed ("{\"o\":{\"l\":[2.5]}}");

	cr_assert_str_eq (record, "{'n': <int64 3>, 'd': <1.5>, 's': <'x'>, 'b': <true>}");
	cr_assert_str_eq (objects, "[{'a': <int64 1>}, {}]");
	cr_assert_str_eq (strings, "['a', 'b']");
	cr_assert_str_eq (mixed, "[<int64 1>, <'a'>, <''>]");
	cr_assert_str_eq (empty, "@aa{sv} []");
	cr_assert_str_eq (nested, "{'o': <{'l': <[<2.5>]>}>}");
}

static gchar *
as_json (GVariant *vardict)
{
	g_autoptr (GVariant) owned = g_variant_ref_sink (vardict);
	g_autoptr (GError) error = NULL;
	g_autoptr (JsonObject) object = mv_dbus_vardict_to_json (owned, &error);
	g_autoptr (JsonNode) node = NULL;

	cr_assert_not_null (object, "%s", error != NULL ? error->message : "");
	node = json_node_init_object (json_node_alloc (), object);
	return json_to_string (node, FALSE);
}

static GVariant *
parse_variant (const gchar *text)
{
	g_autoptr (GError) error = NULL;
	GVariant *v = g_variant_parse (G_VARIANT_TYPE_VARDICT, text, NULL, NULL, &error);

	cr_assert_not_null (v, "%s", error != NULL ? error->message : "");
	return v;
}

Test (dbus_json, dbus_values_become_json)
{
	g_autofree gchar *numbers = as_json (
		parse_variant ("{'y': <byte 1>, 'n': <int16 -2>, 'q': <uint16 3>, 'i': <int32 -4>, "
			       "'u': <uint32 5>, 'x': <int64 -6>, 't': <uint64 7>, 'd': <0.25>}"));
	g_autofree gchar *others = as_json (parse_variant (
		"{'s': <'文本'>, 'b': <false>, 'v': <<'inner'>>, 'o': <{'k': <[1, 2]>}>, "
		"'as': <['p', 'q']>, 'm': <@a{si} {'z': 9}>}"));

	cr_assert_str_eq (numbers, "{\"y\":1,\"n\":-2,\"q\":3,\"i\":-4,\"u\":5,\"x\":-6,\"t\":7,"
				   "\"d\":0.25}");
	cr_assert_str_eq (others, "{\"s\":\"文本\",\"b\":false,\"v\":\"inner\",\"o\":{\"k\":[1,2]},"
				  "\"as\":[\"p\",\"q\"],\"m\":{\"z\":9}}");
}

Test (dbus_json, a_record_survives_the_round_trip)
{
	const gchar *text = "{\"id\":\"c-1\",\"points\":10,\"ratio\":0.5,\"ok\":true,\"awarded\":"
			    "[{\"badge\":\"first\"}],\"tags\":[\"a\"],\"level\":{\"n\":2}}";
	g_autoptr (JsonNode) node = parse (text);
	g_autofree gchar *back = as_json (mv_dbus_json_to_variant (node));

	cr_assert_str_eq (back, text);
}

Test (dbus_json, types_json_cannot_carry_are_problems_named_by_member)
{
	g_autoptr (GVariant) v = g_variant_ref_sink (parse_variant (
		"{'path': <objectpath '/x'>, 'sig': <signature 's'>, 'pair': <(1, 2)>, "
		"'keyed': <@a{is} {1: 'a'}>, 'big': <uint64 18446744073709551615>, "
		"'ok': <'fine'>, 'list': <[<'a'>, <objectpath '/y'>]>, 'inf': <inf>}"));
	g_autoptr (GError) error = NULL;
	g_autoptr (JsonObject) object = mv_dbus_vardict_to_json (v, &error);
	const gchar *want[][2] = {
		{ "/path", "wrong-type" },  { "/sig", "wrong-type" },	{ "/pair", "wrong-type" },
		{ "/keyed", "wrong-type" }, { "/big", "out-of-range" }, { "/list/1", "wrong-type" },
		{ "/inf", "out-of-range" },
	};

	cr_assert_null (object);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INVALID_INPUT));
	cr_assert_eq (mv_error_get_n_problems (error), G_N_ELEMENTS (want), "%s", error->message);
	for (guint i = 0; i < G_N_ELEMENTS (want); i++) {
		const MvErrorProblem *p = mv_error_get_problem (error, i);
		cr_assert_str_eq (p->field, want[i][0]);
		cr_assert_str_eq (p->code, want[i][1], "%s", p->field);
		cr_assert_not_null (p->message_zh);
	}
}
