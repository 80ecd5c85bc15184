/*
 * libFuzzer target: an HTTP request body through the value model, exactly as the daemon's HTTP
 * adapter takes it (parse as a JSON object, then convert to a method's declared argument tuple),
 * against a declaration that uses every kind of type.  Invariants: a value that converts has the
 * declared type, and converting it back to JSON and again to a value gives the same value.
 */
#include <mv-host-private.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static const MvArg fuzz_args[] = {
	{ "text", "s", "", MV_ARG_OPTIONAL },
	{ "count", "u", "", MV_ARG_OPTIONAL },
	{ "small", "y", "", MV_ARG_OPTIONAL },
	{ "delta", "x", "", MV_ARG_OPTIONAL },
	{ "ratio", "d", "", MV_ARG_OPTIONAL },
	{ "flag", "b", "", MV_ARG_OPTIONAL },
	{ "tags", "as", "", MV_ARG_OPTIONAL },
	{ "pairs", "a(dd)", "", MV_ARG_OPTIONAL },
	{ "extra", "a{sv}", "", MV_ARG_OPTIONAL },
	{ "findings", "aa{sv}", "", MV_ARG_OPTIONAL },
	{ "maybe", "ms", "", MV_ARG_OPTIONAL },
	{ "anything", "v", "", MV_ARG_OPTIONAL },
	MV_ARG_END,
};

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (JsonNode) root
		= mv_value_parse_json_object ((const gchar *)data, (gssize)size, &error);
	g_autoptr (GVariant) value = NULL;
	g_autoptr (JsonNode) back = NULL;
	g_autoptr (GVariant) again = NULL;
	g_autofree gchar *text = NULL;
	g_autofree gchar *text_again = NULL;

	if (root == NULL) {
		g_assert (error->domain == MV_ERROR);
		return 0;
	}
	value = mv_value_from_json_args (fuzz_args, json_node_get_object (root), &error);
	if (value == NULL) {
		/* a wrong shape, or a string json-glib decoded into invalid UTF-8 (a broken \u
		 * escape): either way the caller's fault, reported as such */
		g_assert (error->domain == MV_ERROR
			  && (error->code == MV_ERROR_INVALID_INPUT
			      || error->code == MV_ERROR_MALFORMED));
		return 0;
	}
	g_assert (g_variant_is_of_type (value, G_VARIANT_TYPE ("(suyxdbasa(dd)a{sv}aa{sv}msv)")));
	back = mv_value_to_json_args (fuzz_args, value, &error);
	g_assert_no_error (error);
	text = mv_json_to_string (back);
	/* the daemon's own output must read back as the same value */
	{
		g_autoptr (JsonNode) reparsed = mv_value_parse_json_object (text, -1, &error);
		g_assert_no_error (error);
		again = mv_value_from_json_args (fuzz_args, json_node_get_object (reparsed),
						 &error);
		g_assert_no_error (error);
	}
	text_again = mv_json_to_string (back);
	g_assert_cmpstr (text, ==, text_again);
	/* doubles and "v" may change representation (an integral double prints as 1.0 and is
	 * read back into v as a double): compare the typed members that cannot */
	for (guint i = 0; i < 8; i++) {
		g_autoptr (GVariant) a = g_variant_get_child_value (value, i);
		g_autoptr (GVariant) b = g_variant_get_child_value (again, i);
		g_assert (g_variant_equal (a, b));
	}
	return 0;
}
