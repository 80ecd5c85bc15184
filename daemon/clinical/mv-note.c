/*
 * The note kind: free text with its language and author, and the coded findings a symptom
 * parser returned for it, with the parser's name and version as provenance.  The kind only
 * checks and stores findings; the store asks the parser for them (mv-note-parse.h) when a
 * client sends "parse": true.  Shapes: docs/clinical-record.md ("Note").
 */
#define G_LOG_DOMAIN "medverse-clinical"

#include <string.h>

#include "mv-clinical-private.h"
#include "mv-locale.h"
#include "mv-note-parse.h"
#include "records/mv-code-systems.h"

static const gchar *const polarities[] = { "present", "absent", "possible", NULL };
static const gchar *const experiencers[] = { "patient", "family", NULL };
static const gchar *const temporalities[] = { "current", "historical", NULL };
static const gchar *const severities[] = { "mild", "moderate", "severe", NULL };
static const gchar *const lateralities[] = { "left", "right", "bilateral", NULL };
static const gchar *const parser_languages[] = { "en", "zh", NULL };
static const gchar *const finding_kinds[]
	= { "symptom", "condition", "allergy", "medication", "measurement", "score", NULL };
static const gchar *const statuses[] = { "active", "resolved", "unknown", NULL };
static const gchar *const interpretations[] = { "normal", "high", "low", NULL };

/* The code systems a parser's finding may be coded in, by CURIE prefix: symptoms and signs in
 * HPO, conditions in HPO or the Disease Ontology, medications and drug allergens in ATC,
 * measurements and scores in LOINC; what none of them has in the parser's own MV:nnnn. */
static const struct {
	const gchar *prefix;
	const gchar *system;  /* mv_code_system_lookup() name, or NULL: the parser's own system */
	gboolean keep_prefix; /* the system writes its codes with the prefix (HP:, DOID:) */
} finding_systems[] = {
	{ "HP:", "hpo", TRUE },	      { "DOID:", "doid", TRUE }, { "ATC:", "atc", FALSE },
	{ "LOINC:", "loinc", FALSE }, { "MV:", NULL, TRUE },
};

static gboolean
parser_code_ok (const gchar *code)
{
	if (strlen (code) != 7 || !g_str_has_prefix (code, "MV:"))
		return FALSE;
	for (guint i = 3; i < 7; i++) {
		if (!g_ascii_isdigit (code[i]))
			return FALSE;
	}
	return TRUE;
}

/* The system's URI and the code as that system writes it, or FALSE when @code is none of
 * finding_systems. */
static gboolean
finding_coding (const gchar *code, const gchar **system_uri, const gchar **bare)
{
	for (guint i = 0; i < G_N_ELEMENTS (finding_systems); i++) {
		const MvCodeSystem *cs;
		const gchar *rest;
		if (!g_str_has_prefix (code, finding_systems[i].prefix))
			continue;
		rest = finding_systems[i].keep_prefix ? code
						      : code + strlen (finding_systems[i].prefix);
		if (finding_systems[i].system == NULL) {
			if (!parser_code_ok (code))
				return FALSE;
			*system_uri = MV_NOTE_PARSER_SYSTEM;
			*bare = rest;
			return TRUE;
		}
		cs = mv_code_system_lookup (finding_systems[i].system);
		if (!cs->valid (rest))
			return FALSE;
		*system_uri = cs->uri;
		*bare = rest;
		return TRUE;
	}
	return FALSE;
}

static gboolean
finding_code_ok (const gchar *code)
{
	const gchar *uri;
	const gchar *bare;
	return finding_coding (code, &uri, &bare);
}

static gboolean
check_finding_code (JsonNode *node,
		    const gchar *ptr,
		    JsonObject *parent,
		    const MvSchemaContext *ctx,
		    GError **error)
{
	if (finding_code_ok (json_node_get_string (node)))
		return TRUE;
	mv_schema_problem (
		error, ptr, "invalid-code",
		"is not a parser finding code: HP:0001945, DOID:10763, ATC:A10BA02, "
		"LOINC:8310-5 or MV:0001",
		"不是解析器的发现编码：HP:0001945、DOID:10763、ATC:A10BA02、LOINC:8310-5 "
		"或 MV:0001");
	return FALSE;
}

static gboolean
check_hours (JsonNode *node,
	     const gchar *ptr,
	     JsonObject *parent,
	     const MvSchemaContext *ctx,
	     GError **error)
{
	gdouble v = json_node_get_double (node);

	/* at most 150 years */
	if (v >= 0 && v <= 150.0 * 366 * 24)
		return TRUE;
	mv_schema_problem (error, ptr, "out-of-range", "must be between 0 and 150 years in hours",
			   "应在 0 到 150 年（以小时计）之间");
	return FALSE;
}

static gboolean
check_age (JsonNode *node,
	   const gchar *ptr,
	   JsonObject *parent,
	   const MvSchemaContext *ctx,
	   GError **error)
{
	gdouble v = json_node_get_double (node);

	if (v >= 0 && v <= 150)
		return TRUE;
	mv_schema_problem (error, ptr, "out-of-range", "must be between 0 and 150 years",
			   "应在 0 到 150 岁之间");
	return FALSE;
}

/* [[start, end], ...]: at most 16 pairs of code points, each start before its end. */
static gboolean
check_spans (JsonNode *node,
	     const gchar *ptr,
	     JsonObject *parent,
	     const MvSchemaContext *ctx,
	     GError **error)
{
	JsonArray *spans = JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
	guint n = spans != NULL ? json_array_get_length (spans) : 0;

	for (guint i = 0; spans != NULL && i < n && n <= 16; i++) {
		JsonNode *pair = json_array_get_element (spans, i);
		JsonArray *a = JSON_NODE_HOLDS_ARRAY (pair) ? json_node_get_array (pair) : NULL;
		JsonNode *s = a != NULL && json_array_get_length (a) == 2
				      ? json_array_get_element (a, 0)
				      : NULL;
		JsonNode *e = s != NULL ? json_array_get_element (a, 1) : NULL;
		if (s == NULL || !JSON_NODE_HOLDS_VALUE (s) || !JSON_NODE_HOLDS_VALUE (e)
		    || json_node_get_value_type (s) != G_TYPE_INT64
		    || json_node_get_value_type (e) != G_TYPE_INT64 || json_node_get_int (s) < 0
		    || json_node_get_int (e) <= json_node_get_int (s)
		    || json_node_get_int (e) > MV_NOTE_MAX_CHARS) {
			spans = NULL;
			break;
		}
	}
	if (spans != NULL && n <= 16)
		return TRUE;
	mv_schema_problem (error, ptr, "invalid-format",
			   "must be a list of at most 16 [start, end] pairs of code points",
			   "应为至多 16 个 [起点, 终点] 码位对的列表");
	return FALSE;
}

static gboolean
check_language (JsonNode *node,
		const gchar *ptr,
		JsonObject *parent,
		const MvSchemaContext *ctx,
		GError **error)
{
	if (mv_locale_is_valid (json_node_get_string (node)))
		return TRUE;
	mv_schema_problem (error, ptr, "invalid-format",
			   "must be a BCP 47 language tag (e.g. zh-Hans, en)",
			   "应为 BCP 47 语言标签（例如 zh-Hans、en）");
	return FALSE;
}

static const MvField finding_members[] = {
	{ "code", MV_FIELD_STRING, TRUE, 1, 32, NULL, NULL, check_finding_code },
	{ "label_en", MV_FIELD_STRING, FALSE, 1, 200 },
	{ "label_zh", MV_FIELD_STRING, FALSE, 1, 200 },
	{ "start", MV_FIELD_INT, TRUE, 0, MV_NOTE_MAX_CHARS, NULL, NULL, NULL,
	  "first code point of the mention in the note's text" },
	{ "end", MV_FIELD_INT, TRUE, 1, MV_NOTE_MAX_CHARS, NULL, NULL, NULL,
	  "code point after the mention (exclusive)" },
	{ "text", MV_FIELD_TEXT, TRUE, 1, MV_NOTE_MAX_CHARS, NULL, NULL, NULL,
	  "the mention: exactly the note's text from start to end" },
	{ "polarity", MV_FIELD_ENUM, TRUE, 0, 0, polarities },
	{ "experiencer", MV_FIELD_ENUM, FALSE, 0, 0, experiencers },
	{ "temporality", MV_FIELD_ENUM, FALSE, 0, 0, temporalities },
	{ "duration_hours", MV_FIELD_NUMBER, FALSE, 0, 0, NULL, NULL, check_hours },
	{ "severity", MV_FIELD_ENUM, FALSE, 0, 0, severities },
	{ "laterality", MV_FIELD_ENUM, FALSE, 0, 0, lateralities },
	{ "site", MV_FIELD_STRING, FALSE, 1, 64 },
	{ "kind", MV_FIELD_ENUM, FALSE, 0, 0, finding_kinds },
	{ "xrefs", MV_FIELD_STRINGS, FALSE, 0, 16, NULL, NULL, NULL,
	  "other codes of the same concept" },
	{ "mentions", MV_FIELD_INT, FALSE, 1, MV_NOTE_MAX_CHARS, NULL, NULL, NULL,
	  "how many mentions of the text this finding stands for" },
	{ "spans", MV_FIELD_ANY, FALSE, 0, 0, NULL, NULL, check_spans,
	  "[start, end] of each mention (the first ones)" },
	{ "status", MV_FIELD_ENUM, FALSE, 0, 0, statuses },
	{ "relation", MV_FIELD_STRING, FALSE, 1, 32 },
	{ "onset_age", MV_FIELD_NUMBER, FALSE, 0, 0, NULL, NULL, check_age },
	{ "value", MV_FIELD_NUMBER, FALSE },
	{ "unit", MV_FIELD_STRING, FALSE, 1, 32 },
	{ "original_value", MV_FIELD_NUMBER, FALSE },
	{ "original_unit", MV_FIELD_STRING, FALSE, 1, 32 },
	{ "interpretation", MV_FIELD_ENUM, FALSE, 0, 0, interpretations },
	{ "dose_value", MV_FIELD_NUMBER, FALSE },
	{ "dose_unit", MV_FIELD_STRING, FALSE, 1, 32 },
	{ "frequency", MV_FIELD_STRING, FALSE, 1, 16 },
	{ "route", MV_FIELD_STRING, FALSE, 1, 16 },
	{ "reaction_code", MV_FIELD_STRING, FALSE, 1, 32, NULL, NULL, check_finding_code },
	{ "reaction_label_en", MV_FIELD_STRING, FALSE, 1, 200 },
	{ "reaction_label_zh", MV_FIELD_STRING, FALSE, 1, 200 },
	{ NULL },
};

static const MvField parser_members[] = {
	{ "name", MV_FIELD_STRING, TRUE, 1, 64 },
	{ "version", MV_FIELD_STRING, TRUE, 1, 32 },
	{ NULL },
};

static const MvField findings_members[] = {
	{ "parser", MV_FIELD_OBJECT, TRUE, 0, 0, NULL, parser_members, NULL,
	  "provenance: the parser's name and version" },
	{ "language", MV_FIELD_ENUM, FALSE, 0, 0, parser_languages, NULL, NULL,
	  "the language the parser read the text in" },
	{ "items", MV_FIELD_LIST, TRUE, 0, 1000, NULL, finding_members, NULL,
	  "the findings, in text order" },
	{ "truncated", MV_FIELD_BOOL, FALSE, 0, 0, NULL, NULL, NULL,
	  "true: the parser found more findings than its max-findings and kept the first" },
	{ NULL },
};

const MvField mv_note_members[] = {
	{ "text", MV_FIELD_TEXT, TRUE, 1, MV_NOTE_MAX_CHARS, NULL, NULL, NULL, "the note" },
	{ "language", MV_FIELD_STRING, FALSE, 2, 35, NULL, NULL, check_language,
	  "BCP 47 tag (default: the caller's language)" },
	{ "author", MV_FIELD_STRING, FALSE, 1, 200, NULL, NULL, NULL,
	  "who wrote it (default: the caller's API key id)" },
	{ "title", MV_FIELD_STRING, FALSE, 1, 200 },
	{ "written_at", MV_FIELD_DATETIME, FALSE, 0, 0, NULL, NULL, NULL, "when it was written" },
	{ "findings", MV_FIELD_OBJECT, FALSE, 0, 0, NULL, findings_members, NULL,
	  "the symptom parser's findings, with its name and version" },
	{ "parse", MV_FIELD_BOOL, FALSE, 0, 0, NULL, NULL, NULL,
	  "true: the server runs the symptom parser and stores its findings (never stored)" },
	{ NULL },
};

/* Each finding's offsets and text against the note's text: findings of another text (a
 * PATCH that changed the text but kept them) are refused, not stored wrong. */
static void
check_findings_text (JsonObject *input, const gchar *pointer, GError **error)
{
	const gchar *text = mv_clinical_get_string (input, "text");
	JsonObject *findings = mv_clinical_get_object (input, "findings");
	JsonNode *items = findings != NULL ? json_object_get_member (findings, "items") : NULL;
	g_autofree gchar *items_ptr = NULL;
	glong n_chars;

	if (text == NULL || items == NULL || !JSON_NODE_HOLDS_ARRAY (items))
		return;
	n_chars = g_utf8_strlen (text, -1);
	items_ptr = g_strconcat (pointer, "/findings/items", NULL);
	for (guint i = 0; i < json_array_get_length (json_node_get_array (items)); i++) {
		JsonNode *item = json_array_get_element (json_node_get_array (items), i);
		JsonObject *f = JSON_NODE_HOLDS_OBJECT (item) ? json_node_get_object (item) : NULL;
		JsonNode *start = f != NULL ? json_object_get_member (f, "start") : NULL;
		JsonNode *end = f != NULL ? json_object_get_member (f, "end") : NULL;
		const gchar *mention = mv_clinical_get_string (f, "text");
		g_autofree gchar *item_ptr = mv_json_pointer_index (items_ptr, i);
		gint64 s, e;

		if (start == NULL || end == NULL || mention == NULL
		    || !JSON_NODE_HOLDS_VALUE (start) || !JSON_NODE_HOLDS_VALUE (end)
		    || json_node_get_value_type (start) != G_TYPE_INT64
		    || json_node_get_value_type (end) != G_TYPE_INT64)
			continue;
		s = json_node_get_int (start);
		e = json_node_get_int (end);
		if (s < 0 || e <= s || e > n_chars) {
			g_autofree gchar *p = mv_json_pointer_child (item_ptr, "end");
			mv_schema_problem (error, p, "out-of-range",
					   "must be after start and within the note's text",
					   "应大于 start 且不超出记录正文");
			continue;
		}
		{
			const gchar *from = g_utf8_offset_to_pointer (text, (glong)s);
			const gchar *to = g_utf8_offset_to_pointer (from, (glong)(e - s));
			if ((gsize)(to - from) != strlen (mention)
			    || strncmp (from, mention, (gsize)(to - from)) != 0) {
				g_autofree gchar *p = mv_json_pointer_child (item_ptr, "text");
				mv_schema_problem (
					error, p, "mismatch",
					"is not the note's text from start to end: findings "
					"must be of this text (send parse: true to parse it again)",
					"与记录正文在 start 到 end "
					"之间的内容不一致：发现须来自本正文"
					"（可发送 parse: true 重新解析）");
			}
		}
	}
}

static JsonObject *
note_normalise (JsonObject *input,
		const gchar *pointer,
		const MvClinicalContext *ctx,
		GError **error)
{
	static const gchar *const plain[]
		= { "text", "language", "author", "title", "written_at", "findings", NULL };
	JsonObject *out;

	if (!mv_clinical_check (mv_note_members, check_findings_text, input, pointer, ctx, error))
		return NULL;
	out = json_object_new ();
	mv_clinical_copy_members (out, input, plain);
	mv_clinical_set_default (out, "language",
				 ctx != NULL && ctx->language != NULL ? ctx->language : "en");
	if (ctx != NULL && ctx->actor != NULL)
		mv_clinical_set_default (out, "author", ctx->actor);
	return out;
}

static JsonObject *
note_to_input (JsonObject *record)
{
	return mv_clinical_object_copy (record);
}

static void
note_terms (JsonObject *record, MvClinicalTerms *terms)
{
	JsonObject *findings = mv_clinical_get_object (record, "findings");
	JsonArray *items = findings != NULL && json_object_has_member (findings, "items")
				   ? json_object_get_array_member (findings, "items")
				   : NULL;

	for (guint i = 0; items != NULL && i < json_array_get_length (items); i++) {
		const gchar *code
			= mv_clinical_get_string (json_array_get_object_element (items, i), "code");
		g_autoptr (JsonObject) coding = json_object_new ();
		const gchar *uri = MV_NOTE_PARSER_SYSTEM;
		const gchar *bare = code;

		/* stored findings were checked: every code has its system */
		(void)finding_coding (code, &uri, &bare);
		json_object_set_string_member (coding, "system", uri);
		json_object_set_string_member (coding, "code", bare);
		mv_clinical_terms_add_coding (terms, coding);
	}
	mv_clinical_terms_set_when (terms, mv_clinical_get_string (record, "written_at"));
}

const MvClinicalKind mv_note_kind = {
	.name = "note",
	.plural = "notes",
	.title_en = "Note",
	.title_zh = "临床记录",
	.normalise = note_normalise,
	.to_input = note_to_input,
	.terms = note_terms,
};
