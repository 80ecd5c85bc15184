/*
 * A note's findings from the real symptom-parser plugin, loaded in process by the engine, as
 * the store asks for them when a client sends "parse": true; then the note kind checks and
 * stores them.  The plugin and its data directory come from the build (MVT_SYMPTOM_PARSER_DIR,
 * MVT_SYMPTOM_PARSER_DATA).
 */
#include <glib/gstdio.h>
#include <string.h>

#include "clinical-test.h"
#include "mv-config.h"
#include "mv-engine.h"
#include "mv-note-parse.h"

static MvEngine *
engine_with (gboolean parser)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *text = NULL;
	g_autoptr (MvConfig) config = NULL;
	g_autofree gchar *empty = g_dir_make_tmp ("mv-note-parse-XXXXXX", NULL);
	MvEngine *engine;

	text = g_strdup_printf ("[daemon]\nplugin-dirs=%s\n[http]\nlisten=127.0.0.1:0\n"
				"[plugin.symptom-parser]\ndata-dir=%s\n",
				parser ? g_getenv ("MVT_SYMPTOM_PARSER_DIR") : empty,
				g_getenv ("MVT_SYMPTOM_PARSER_DATA"));
	config = mv_config_load_from_data (text, strlen (text), &error);
	cr_assert_not_null (config, "%s", error != NULL ? error->message : "");
	engine = mv_engine_new (config);
	cr_assert (mv_engine_load_plugins (engine, &error), "%s",
		   error != NULL ? error->message : "");
	g_rmdir (empty);
	return engine;
}

static const MvCaller clinician = {
	.request_id = "note-parse-test",
	.clinic_id = "clinic-1",
	.role = MV_ROLE_CLINICIAN,
	.locale = "en",
};

typedef struct {
	MvEngine *engine;
	JsonObject *input;
	gboolean ok;
	GError *error;
} ParseCall;

static gpointer
parse_thread (gpointer data)
{
	ParseCall *c = data;
	c->ok = mv_note_parse_input (c->engine, c->input, "en", &clinician, &c->error);
	return NULL;
}

/* mv_note_parse_input() from a worker thread, as the store's route handler calls it */
static gboolean
parse_in_worker (MvEngine *engine, JsonObject *input, GError **error)
{
	ParseCall c = { engine, input, FALSE, NULL };

	g_thread_join (g_thread_new ("parse", parse_thread, &c));
	if (c.error != NULL)
		g_propagate_error (error, c.error);
	return c.ok;
}

TestSuite (note_parse, .init = mvt_clinical_setup, .fini = mvt_clinical_teardown, .timeout = 60);

Test (note_parse, parse_true_stores_the_parser_s_findings_with_its_name_and_version)
{
	g_autoptr (MvEngine) engine = engine_with (TRUE);
	const MvClinicalKind *kind = mv_clinical_kind_lookup ("note");
	g_autoptr (JsonObject) input
		= mvt_parse ("{\"text\":\"Severe headache for 3 days, no fever.\",\"parse\":true}");
	g_autoptr (GError) error = NULL;
	g_autoptr (JsonObject) r = NULL;

	cr_assert (parse_in_worker (engine, input, &error), "%s",
		   error != NULL ? error->message : "");
	cr_expect_not (json_object_has_member (input, "parse"));
	r = kind->normalise (input, "", &mvt_ctx, &error);
	cr_assert_not_null (r, "%s", error != NULL ? error->message : "");
	cr_expect_str_eq (mvt_string (r, "$.findings.parser.name"), "symptom-parser");
	cr_expect_str_eq (mvt_string (r, "$.findings.parser.version"), "2.0.0");
	cr_expect_str_eq (mvt_string (r, "$.findings.language"), "en");
	cr_expect_str_eq (mvt_string (r, "$.findings.items[0].code"), "HP:0002315");
	cr_expect_str_eq (mvt_string (r, "$.findings.items[0].severity"), "severe");
	cr_expect_eq (mvt_number (r, "$.findings.items[0].duration_hours"), 72);
	cr_expect_str_eq (mvt_string (r, "$.findings.items[1].code"), "HP:0001945");
	cr_expect_str_eq (mvt_string (r, "$.findings.items[1].polarity"), "absent");
	mvt_expect_round_trip (kind, r);
	mv_engine_shutdown (engine, 1000);
}

Test (note_parse, a_chinese_note_is_parsed_in_chinese_with_code_point_offsets)
{
	g_autoptr (MvEngine) engine = engine_with (TRUE);
	const MvClinicalKind *kind = mv_clinical_kind_lookup ("note");
	g_autoptr (JsonObject) input = mvt_parse (
		"{\"text\":\"发热三天，无咳嗽。\",\"language\":\"zh-CN\",\"parse\":true,"
		"\"findings\":{\"parser\":{\"name\":\"old\",\"version\":\"0\"},\"items\":[]}}");
	g_autoptr (GError) error = NULL;
	g_autoptr (JsonObject) r = NULL;

	cr_assert (parse_in_worker (engine, input, &error), "%s",
		   error != NULL ? error->message : "");
	r = kind->normalise (input, "", &mvt_ctx, &error);
	cr_assert_not_null (r, "%s", error != NULL ? error->message : "");
	/* parse: true replaces findings the input carried (a PATCH of the text re-parses) */
	cr_expect_str_eq (mvt_string (r, "$.findings.parser.name"), "symptom-parser");
	cr_expect_str_eq (mvt_string (r, "$.findings.language"), "zh");
	cr_expect_eq (mvt_number (r, "$.findings.items[0].start"), 0);
	cr_expect_eq (mvt_number (r, "$.findings.items[0].end"), 2);
	cr_expect_str_eq (mvt_string (r, "$.findings.items[1].polarity"), "absent");
	mv_engine_shutdown (engine, 1000);
}

Test (note_parse, without_the_plugin_the_store_gets_unavailable_in_both_languages)
{
	g_autoptr (MvEngine) engine = engine_with (FALSE);
	g_autoptr (JsonObject) input = mvt_parse ("{\"text\":\"headache\",\"parse\":true}");
	g_autoptr (JsonObject) untouched = mvt_parse ("{\"text\":\"headache\"}");
	g_autoptr (GError) error = NULL;

	cr_assert_not (parse_in_worker (engine, input, &error));
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_UNAVAILABLE), "%s", error->message);
	cr_expect_not_null (strstr (mv_error_get_message_zh (error), "症状解析器"));
	cr_expect_null (strstr (error->message, "headache"));
	/* no parse asked: nothing to do, even without the plugin */
	cr_assert (parse_in_worker (engine, untouched, NULL));
	cr_expect_not (json_object_has_member (untouched, "findings"));
	mv_engine_shutdown (engine, 1000);
}

Test (note_parse, an_oversize_note_is_left_to_the_kind_to_refuse)
{
	g_autoptr (MvEngine) engine = engine_with (TRUE);
	const MvClinicalKind *kind = mv_clinical_kind_lookup ("note");
	GString *json = g_string_new ("{\"parse\":true,\"text\":\"");
	g_autoptr (JsonObject) input = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (JsonObject) r = NULL;

	for (guint i = 0; i < MV_NOTE_MAX_CHARS + 1; i++)
		g_string_append_c (json, 'a');
	g_string_append (json, "\"}");
	input = mvt_parse (json->str);
	g_string_free (json, TRUE);
	cr_assert (parse_in_worker (engine, input, NULL));
	cr_expect_not (json_object_has_member (input, "findings"));
	r = kind->normalise (input, "", &mvt_ctx, &error);
	cr_assert_null (r);
	mvt_expect_problem (error, "/text", "too-long", NULL);
	mv_engine_shutdown (engine, 1000);
}
