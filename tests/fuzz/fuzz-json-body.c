/*
 * libFuzzer target: an HTTP request body through the value model, exactly as the daemon's HTTP
 * adapter takes it (the strict RFC 8259 check, parse as a JSON object, then convert to a
 * method's declared argument tuple), against a declaration that uses every kind of type.
 * Invariants: what the strict check passes, json-glib reads; a value that converts has the
 * declared type, and the daemon's JSON of it reads back as the same value: JSON -> value -> JSON
 * -> value gives two equal values (g_variant_equal over the whole tuple: a{sv}, aa{sv}, ms and v
 * included), and the second JSON text is the first one.
 */
#include <mv-host-private.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);
gboolean fuzz_replay_check (void);

/* inputs that went through the whole round trip with a non-empty a{sv}, aa{sv}, ms and v */
static guint full_round_trips;

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

/* a{sv}, aa{sv} and v non-empty, ms a Just: the members 8-11 of fuzz_args */
static gboolean
has_every_kind (GVariant *value)
{
	g_autoptr (GVariant) extra = g_variant_get_child_value (value, 8);
	g_autoptr (GVariant) findings = g_variant_get_child_value (value, 9);
	g_autoptr (GVariant) maybe = g_variant_get_child_value (value, 10);
	g_autoptr (GVariant) anything = g_variant_get_child_value (value, 11);
	g_autoptr (GVariant) inner = g_variant_get_variant (anything);

	return g_variant_n_children (extra) > 0 && g_variant_n_children (findings) > 0
	       && g_variant_n_children (maybe) > 0
	       && !(g_variant_is_container (inner) && g_variant_n_children (inner) == 0);
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
	g_autoptr (GError) error = NULL;
	gboolean strict = mv_json_validate ((const gchar *)data, (gssize)size, NULL);
	g_autoptr (JsonNode) root
		= mv_value_parse_json_object ((const gchar *)data, (gssize)size, &error);
	g_autoptr (GVariant) value = NULL;
	g_autoptr (JsonNode) back = NULL;
	g_autoptr (GVariant) again = NULL;
	g_autofree gchar *text = NULL;
	g_autofree gchar *text_again = NULL;

	if (root == NULL) {
		g_assert (error->domain == MV_ERROR);
		/* past the strict check, the only refusal left is a value that is not an object */
		g_assert (!strict || error->code == MV_ERROR_INVALID_INPUT);
		return 0;
	}
	g_assert (strict);
	value = mv_value_from_json_args (fuzz_args, json_node_get_object (root), &error);
	if (value == NULL) {
		/* a wrong shape (the strict check refuses the broken \u escapes json-glib once
		 * decoded into invalid UTF-8, but the conversion still checks): the caller's fault,
		 * reported as such */
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
	if (!g_variant_equal (value, again)) {
		g_autofree gchar *a = g_variant_print (value, TRUE);
		g_autofree gchar *b = g_variant_print (again, TRUE);
		g_error ("JSON round trip changed the value:\n  %s\nwrote %s\nread back\n  %s", a,
			 text, b);
	}
	/* and writes the same text again: the JSON form is a fixed point */
	{
		g_autoptr (JsonNode) back_again = mv_value_to_json_args (fuzz_args, again, &error);
		g_assert_no_error (error);
		text_again = mv_json_to_string (back_again);
	}
	g_assert_cmpstr (text, ==, text_again);
	if (has_every_kind (value))
		full_round_trips++;
	return 0;
}

/* the replay's corpus must exercise the members the round trip is hardest on */
gboolean
fuzz_replay_check (void)
{
	if (full_round_trips > 0)
		return TRUE;
	g_printerr (
		"fuzz-json-body: no input of the corpus went through the round trip with a "
		"non-empty a{sv}, aa{sv}, ms and v (see corpus/json-body/typed-members.json)\n");
	return FALSE;
}
