/* A note's findings from the symptom-parser plugin: see mv-note-parse.h. */
#define G_LOG_DOMAIN "medverse-clinical"

#include "mv-note-parse.h"

#include <json-glib/json-gvariant.h>
#include <medverse/mv-error.h>

/* The members of a finding the note kind stores; a later parser's extra members are left out
 * rather than refused, so a newer plugin does not break note writes. */
static const gchar *const finding_members[] = {
	"code",	    "label_en",	  "label_zh",	 "start",	"end",
	"text",	    "polarity",	  "experiencer", "temporality", "duration_hours",
	"severity", "laterality", "site",	 NULL,
};

static const gchar *
parser_language (const gchar *tag)
{
	if (tag == NULL)
		return "";
	if (g_ascii_strncasecmp (tag, "zh", 2) == 0 && (tag[2] == '\0' || tag[2] == '-'))
		return "zh";
	if (g_ascii_strncasecmp (tag, "en", 2) == 0 && (tag[2] == '\0' || tag[2] == '-'))
		return "en";
	return "";
}

static const gchar *
plugin_version (MvEngine *engine)
{
	g_autoptr (GPtrArray) plugins = mv_engine_get_plugins (engine);

	for (guint i = 0; i < plugins->len; i++) {
		const MvPluginInfo *info = g_ptr_array_index (plugins, i);
		if (g_strcmp0 (info->name, MV_NOTE_PARSER_PLUGIN) == 0)
			return info->version;
	}
	return NULL;
}

static JsonObject *
finding_to_json (GVariant *dict)
{
	g_autoptr (JsonNode) all = json_gvariant_serialize (dict);
	JsonObject *from = json_node_get_object (all);
	JsonObject *out = json_object_new ();

	for (const gchar *const *m = finding_members; *m != NULL; m++) {
		JsonNode *node = json_object_get_member (from, *m);
		if (node != NULL)
			json_object_set_member (out, *m, json_node_copy (node));
	}
	return out;
}

/* The plugin's error, said again in both languages (its message names no patient datum: the
 * parser never quotes the text). */
static void
parse_failed (GError **error, GError *cause)
{
	g_autofree gchar *en = NULL;
	g_autofree gchar *zh = NULL;
	MvError code = MV_ERROR_FAILED;

	if (cause->domain == MV_ERROR)
		code = (MvError)cause->code;
	if (code == MV_ERROR_NOT_FOUND) {
		mv_set_error_bilingual (
			error, MV_ERROR_UNAVAILABLE,
			"the symptom parser is not loaded: send the note's findings "
			"or leave out parse",
			"症状解析器未加载：请自行提供 findings，或不要使用 parse");
		return;
	}
	en = g_strdup_printf ("the symptom parser could not parse the note: %s", cause->message);
	zh = g_strdup_printf ("症状解析器无法解析该记录：%s", cause->message);
	mv_set_error_bilingual (error, code, en, zh);
}

JsonObject *
mv_note_parse (MvEngine *engine,
	       const gchar *text,
	       const gchar *language,
	       const MvCaller *caller,
	       GError **error)
{
	g_autoptr (GError) cause = NULL;
	g_autoptr (GVariant) output = NULL;
	g_autoptr (GVariant) findings = NULL;
	const gchar *version = plugin_version (engine);
	const gchar *used = NULL;
	JsonObject *out;
	JsonObject *parser;
	JsonArray *items;

	output = mv_engine_call_sync (engine, MV_NOTE_PARSER_PLUGIN, MV_NOTE_PARSER_METHOD,
				      g_variant_new ("(ss)", text, parser_language (language)),
				      caller, &cause);
	if (output == NULL) {
		parse_failed (error, cause);
		return NULL;
	}
	/* language and findings, the first two output arguments (then `truncated`) */
	g_variant_get_child (output, 0, "&s", &used);
	findings = g_variant_get_child_value (output, 1);
	out = json_object_new ();
	parser = json_object_new ();
	json_object_set_string_member (parser, "name", MV_NOTE_PARSER_PLUGIN);
	json_object_set_string_member (parser, "version", version != NULL ? version : "unknown");
	json_object_set_object_member (out, "parser", parser);
	json_object_set_string_member (out, "language", used);
	items = json_array_new ();
	for (gsize i = 0; i < g_variant_n_children (findings); i++) {
		g_autoptr (GVariant) dict = g_variant_get_child_value (findings, i);
		json_array_add_object_element (items, finding_to_json (dict));
	}
	json_object_set_array_member (out, "items", items);
	return out;
}

gboolean
mv_note_parse_input (MvEngine *engine,
		     JsonObject *input,
		     const gchar *default_language,
		     const MvCaller *caller,
		     GError **error)
{
	JsonNode *parse = json_object_get_member (input, "parse");
	JsonNode *text = json_object_get_member (input, "text");
	JsonNode *language = json_object_get_member (input, "language");
	const gchar *tag = default_language;
	JsonObject *findings;

	if (parse == NULL || !JSON_NODE_HOLDS_VALUE (parse)
	    || json_node_get_value_type (parse) != G_TYPE_BOOLEAN || !json_node_get_boolean (parse)
	    || text == NULL || !JSON_NODE_HOLDS_VALUE (text)
	    || json_node_get_value_type (text) != G_TYPE_STRING)
		return TRUE;
	/* a note the kind will refuse as too long is not worth the parser's time */
	if (g_utf8_strlen (json_node_get_string (text), -1) > MV_NOTE_MAX_CHARS)
		return TRUE;
	if (language != NULL && JSON_NODE_HOLDS_VALUE (language)
	    && json_node_get_value_type (language) == G_TYPE_STRING)
		tag = json_node_get_string (language);
	findings = mv_note_parse (engine, json_node_get_string (text), tag, caller, error);
	if (findings == NULL)
		return FALSE;
	json_object_set_object_member (input, "findings", findings);
	json_object_remove_member (input, "parse");
	return TRUE;
}
