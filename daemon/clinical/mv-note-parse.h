/*
 * Medverse clinical record — a note's findings from the symptom-parser plugin, at write time.
 *
 * A client either sends a note's findings itself (with the parser's name and version: it ran
 * the parser through POST /v1/nlp/symptoms, or another one), or sends "parse": true and the
 * store asks the plugin while it writes the note:
 *
 *   input = the request's note (or, for PATCH, the merged client form)
 *   if (!mv_note_parse_input (engine, input, ctx.language, &caller, &error)) → the error
 *   record = mv_clinical_kind_lookup ("note")->normalise (input, pointer, &ctx, &error)
 *
 * The call goes through the engine like every plugin call (its worker pool, its time limit,
 * its role check), synchronously: the store calls it from the request's worker thread, never
 * from the main loop (mv_engine_call_sync()).  The plugin never sees the patient, only the
 * text and the language; what it returns is checked by the note kind like any client's
 * findings (offsets and mentions against the text), then sealed with the note.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "mv-engine.h"

G_BEGIN_DECLS

/* The plugin and method asked. */
#define MV_NOTE_PARSER_PLUGIN "symptom-parser"
#define MV_NOTE_PARSER_METHOD "Parse"
/* The code system of the parser's own codes (MV:0001) for symptoms HPO has no code for. */
#define MV_NOTE_PARSER_SYSTEM "urn:medverse:codesystem:symptom-parser"
/* A note's text is at most this many characters (Unicode code points). */
#define MV_NOTE_MAX_CHARS 20000

/**
 * mv_note_parse:
 * @engine: the engine with the symptom-parser plugin loaded
 * @text: the note's text (UTF-8)
 * @language: (nullable): the note's BCP 47 tag; "zh…" and "en…" are passed on, any other
 *   (or %NULL) lets the parser detect the language
 * @caller: who asks (the route's caller: its role must be one the method accepts)
 *
 * Runs the parser on @text, blocking (a worker thread only).
 *
 * Returns: (transfer full): the note's `findings` member:
 *   `{"parser": {"name", "version"}, "language": "en"|"zh", "items": [finding…]}`, or %NULL
 *   with an MV_ERROR: UNAVAILABLE (the plugin is not loaded), TIMED_OUT, or the plugin's own
 *   (TOO_LARGE, INVALID_INPUT…), each with an English and a Chinese message.
 */
JsonObject *mv_note_parse (MvEngine *engine,
			   const gchar *text,
			   const gchar *language,
			   const MvCaller *caller,
			   GError **error);

/**
 * mv_note_parse_input:
 * @input: a note as a client sent it (modified in place)
 * @default_language: (nullable): the language when @input names none (the context's)
 *
 * When @input has `"parse": true` and a string `text` of at most %MV_NOTE_MAX_CHARS
 * characters, replaces its `findings` by the parser's and removes `parse`; otherwise leaves
 * @input as it is (normalise reports what is wrong with it, and drops a `parse` left in it).
 *
 * Returns: %FALSE if the parser was asked and failed (see mv_note_parse()).
 */
gboolean mv_note_parse_input (MvEngine *engine,
			      JsonObject *input,
			      const gchar *default_language,
			      const MvCaller *caller,
			      GError **error);

G_END_DECLS
