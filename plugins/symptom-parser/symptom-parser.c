/*
 * symptom-parser plugin — the thin SDK wrapper around the parser core (sp-parser.h).
 */
#define G_LOG_DOMAIN "symptom-parser"

#include <medverse/medverse-plugin.h>
#include <string.h>

#include "sp-parser.h"

/* A limit an operator may raise, but not without bound: memory is about 40 bytes per input
 * byte at peak. */
#define SP_MAX_TEXT_BYTES_CEILING ((gint64)64 * 1024 * 1024)

/* Findings per answer: enough for any real note, small enough that an answer stays well under
 * 2 MB (a finding is at most about 1.5 KB of JSON with its 16 spans). */
#define SP_MAX_FINDINGS_CEILING 10000

typedef struct {
	SpParser *parser;
	gsize max_bytes;
	guint max_findings;
} SpPlugin;

static gboolean
sp_plugin_init (MvHost *host, gpointer *plugin_data, GError **error)
{
	g_autoptr (GError) error_local = NULL;
	SpPlugin *self;
	gint64 max_bytes = mv_host_get_config_int (host, "max-text-bytes",
						   (gint64)SP_PARSER_DEFAULT_MAX_BYTES);
	gint64 max_findings = mv_host_get_config_int (host, "max-findings",
						      (gint64)SP_PARSER_DEFAULT_MAX_FINDINGS);
	SpParser *parser;

	if (max_bytes <= 0 || max_bytes > SP_MAX_TEXT_BYTES_CEILING) {
		g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
			     "max-text-bytes must be between 1 and %" G_GINT64_FORMAT,
			     SP_MAX_TEXT_BYTES_CEILING);
		return FALSE;
	}
	if (max_findings <= 0 || max_findings > SP_MAX_FINDINGS_CEILING) {
		g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
			     "max-findings must be between 1 and %d", SP_MAX_FINDINGS_CEILING);
		return FALSE;
	}
	parser = sp_parser_new (mv_host_get_data_dir (host), &error_local);
	if (parser == NULL) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "cannot load the lexicon from the data directory: %s",
			     error_local->message);
		return FALSE;
	}
	self = g_new0 (SpPlugin, 1);
	self->parser = parser;
	self->max_bytes = (gsize)max_bytes;
	self->max_findings = (guint)max_findings;
	mv_host_log (host, G_LOG_LEVEL_INFO, "loaded %u concepts, %u body sites, %u Chinese words",
		     sp_parser_get_lexicon (parser)->concepts->len,
		     sp_parser_get_lexicon (parser)->sites->len,
		     mv_zh_dict_get_n_words (sp_parser_get_dict (parser)));
	*plugin_data = self;
	return TRUE;
}

static void
sp_plugin_shutdown (MvHost *host, gpointer plugin_data)
{
	SpPlugin *self = plugin_data;
	if (self == NULL)
		return;
	sp_parser_free (self->parser);
	g_free (self);
}

static void
sp_insert_concept (GVariantDict *d, const gchar *prefix, const SpConcept *c)
{
	g_autofree gchar *code = g_strconcat (prefix, "code", NULL);
	g_autofree gchar *en = g_strconcat (prefix, "label_en", NULL);
	g_autofree gchar *zh = g_strconcat (prefix, "label_zh", NULL);

	g_variant_dict_insert (d, code, "s", c->code);
	g_variant_dict_insert (d, en, "s", c->label_en);
	g_variant_dict_insert (d, zh, "s", c->label_zh);
}

/* Measurement and score values, medication dose and schedule: only what the text stated. */
static void
sp_insert_values (GVariantDict *d, const SpFinding *f)
{
	if (f->value.unit != NULL) {
		g_variant_dict_insert (d, "value", "d", f->value.value);
		g_variant_dict_insert (d, "unit", "s", f->value.unit);
		if (f->value.original_unit != NULL) {
			g_variant_dict_insert (d, "original_value", "d", f->value.original_value);
			g_variant_dict_insert (d, "original_unit", "s", f->value.original_unit);
		}
		if (f->value.interpretation != SP_INTERPRETATION_NONE)
			g_variant_dict_insert (
				d, "interpretation", "s",
				sp_interpretation_to_string (f->value.interpretation));
	}
	if (f->dose_unit != NULL) {
		g_variant_dict_insert (d, "dose_value", "d", f->dose_value);
		g_variant_dict_insert (d, "dose_unit", "s", f->dose_unit);
	}
	if (f->frequency != NULL)
		g_variant_dict_insert (d, "frequency", "s", f->frequency);
	if (f->route != NULL)
		g_variant_dict_insert (d, "route", "s", f->route);
}

static GVariant *
sp_finding_to_variant (const SpFinding *f, const gchar *text)
{
	GVariantDict d;
	GVariantBuilder spans;
	g_autofree gchar *matched = g_strndup (text + f->byte_start, f->byte_end - f->byte_start);

	g_variant_dict_init (&d, NULL);
	g_variant_dict_insert (&d, "kind", "s", sp_finding_kind_to_string (f->kind));
	sp_insert_concept (&d, "", f->concept);
	if (f->concept->xrefs != NULL && f->concept->xrefs[0] != NULL)
		g_variant_dict_insert (&d, "xrefs", "^as", f->concept->xrefs);
	g_variant_dict_insert (&d, "start", "u", f->start);
	g_variant_dict_insert (&d, "end", "u", f->end);
	g_variant_dict_insert (&d, "text", "s", matched);
	g_variant_dict_insert (&d, "polarity", "s", sp_polarity_to_string (f->polarity));
	g_variant_dict_insert (&d, "experiencer", "s", f->family ? "family" : "patient");
	g_variant_dict_insert (&d, "temporality", "s", f->historical ? "historical" : "current");
	g_variant_dict_insert (&d, "mentions", "u", f->n_mentions);
	g_variant_builder_init (&spans, G_VARIANT_TYPE ("a(uu)"));
	for (guint i = 0; i < f->n_spans; i++)
		g_variant_builder_add (&spans, "(uu)", f->spans[2 * i], f->spans[2 * i + 1]);
	g_variant_dict_insert_value (&d, "spans", g_variant_builder_end (&spans));
	if (f->status != SP_STATUS_NONE)
		g_variant_dict_insert (&d, "status", "s", sp_status_to_string (f->status));
	if (f->relation != NULL)
		g_variant_dict_insert (&d, "relation", "s", f->relation);
	if (f->onset_age >= 0)
		g_variant_dict_insert (&d, "onset_age", "d", f->onset_age);
	if (f->duration_hours >= 0)
		g_variant_dict_insert (&d, "duration_hours", "d", f->duration_hours);
	if (f->severity != SP_SEVERITY_NONE)
		g_variant_dict_insert (&d, "severity", "s", sp_severity_to_string (f->severity));
	if (f->laterality != SP_LATERALITY_NONE)
		g_variant_dict_insert (&d, "laterality", "s",
				       sp_laterality_to_string (f->laterality));
	if (f->site != NULL)
		g_variant_dict_insert (&d, "site", "s", f->site);
	if (f->reaction != NULL)
		sp_insert_concept (&d, "reaction_", f->reaction);
	sp_insert_values (&d, f);
	return g_variant_dict_end (&d);
}

/* The parser's error as the caller reads it: its MV_ERROR code, in English and Chinese, and
 * for a language the caller may not name, the member at fault. */
static void
sp_plugin_error (GError **error, const GError *cause, gsize len, gsize max_bytes)
{
	g_autofree gchar *zh = NULL;

	if (g_error_matches (cause, SP_PARSER_ERROR, SP_PARSER_ERROR_INVALID)) {
		mv_error_add_problem (
			error, "/language", "not-allowed", cause->message,
			"language 应为 \"en\"、\"zh\"（或 zh-CN 这样的标签）或空（自动识别）");
		return;
	}
	if (g_error_matches (cause, SP_PARSER_ERROR, SP_PARSER_ERROR_TOO_LARGE)) {
		zh = g_strdup_printf ("文本为 %" G_GSIZE_FORMAT " 字节，超过上限 %" G_GSIZE_FORMAT
				      "（max-text-bytes）",
				      len, max_bytes);
		mv_set_error_bilingual (error, MV_ERROR_TOO_LARGE, cause->message, zh);
		return;
	}
	if (g_error_matches (cause, SP_PARSER_ERROR, SP_PARSER_ERROR_MALFORMED)) {
		mv_set_error_bilingual (error, MV_ERROR_MALFORMED, cause->message,
					"文本不是有效的 UTF-8");
		return;
	}
	mv_set_error_bilingual (error, MV_ERROR_FAILED, cause->message, "解析失败");
}

static GVariant *
sp_plugin_parse (MvCall *call, GVariant *input, GError **error)
{
	SpPlugin *self = mv_call_get_plugin_data (call);
	g_autoptr (GError) error_local = NULL;
	g_autoptr (GArray) findings = NULL;
	GVariantBuilder builder;
	const gchar *text = NULL;
	const gchar *language = NULL;
	const gchar *language_used = "en";
	gboolean truncated = FALSE;
	gsize len;

	g_variant_get (input, "(&s&s)", &text, &language);
	len = strlen (text);
	findings = sp_parser_parse_full (self->parser, text, (gssize)len, language, self->max_bytes,
					 self->max_findings, &language_used, &truncated,
					 &error_local);
	if (findings == NULL) {
		sp_plugin_error (error, error_local, len, self->max_bytes);
		return NULL;
	}
	g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
	for (guint i = 0; i < findings->len; i++)
		g_variant_builder_add_value (
			&builder,
			sp_finding_to_variant (&g_array_index (findings, SpFinding, i), text));
	return g_variant_new ("(saa{sv}b)", language_used, &builder, truncated);
}

static const MvArg sp_parse_in[] = {
	{ "text", "s",
	  "Free text in English, Chinese or both (at most max-text-bytes bytes of UTF-8)",
	  MV_ARG_NONE },
	{ "language", "s", "\"en\", \"zh\" (or a tag of them such as zh-CN), or empty to detect it",
	  MV_ARG_OPTIONAL },
	{ NULL },
};

static const MvArg sp_parse_out[] = {
	{ "language", "s", "The language used: \"en\" or \"zh\"", MV_ARG_NONE },
	{ "findings", "aa{sv}",
	  "Coded findings in the order of their first mention; repeated mentions of a finding are "
	  "merged into it. Always: kind (symptom, condition, allergy, medication, measurement, "
	  "score), code, label_en, label_zh, start, end (Unicode code points into the text, end "
	  "exclusive, first mention), text, polarity (present, absent, possible), experiencer "
	  "(patient, family), temporality (current, historical), mentions, spans (at most 16). "
	  "When stated: xrefs; duration_hours, severity, laterality, site; status (conditions: "
	  "active, resolved, unknown); relation, onset_age (a relative's findings); "
	  "reaction_code, reaction_label_en, reaction_label_zh (allergies: code is the substance); "
	  "dose_value, dose_unit, frequency, route (medications); value, unit, original_value, "
	  "original_unit, interpretation (measurements and scores)",
	  MV_ARG_NONE },
	{ "truncated", "b",
	  "True when more than max-findings distinct findings were found and the rest dropped",
	  MV_ARG_NONE },
	{ NULL },
};

static const MvMethod sp_methods[] = {
	{ "Parse",
	  "Extracts coded clinical findings (symptoms, conditions, family history, allergies, "
	  "medications, measurements) from free text",
	  sp_parse_in,
	  sp_parse_out,
	  sp_plugin_parse,
	  { NULL } },
	{ NULL },
};

static const MvConfigKey sp_config_keys[] = {
	{ "max-text-bytes", "i", "1048576",
	  "Longest text accepted by Parse, in bytes (larger: too-large error)" },
	{ "max-findings", "i", "200",
	  "Most distinct findings in one Parse answer, 1 to 10000 (more: the rest are dropped and "
	  "truncated is true)" },
	{ NULL },
};

MV_PLUGIN_DEFINE (.name = "symptom-parser",
		  .version = "2.0.0",
		  .description
		  = "English and Chinese clinical text to coded findings (HPO, DO, ATC, "
		    "LOINC), with negation and context",
		  .methods = sp_methods,
		  .config_keys = sp_config_keys,
		  .init = sp_plugin_init,
		  .shutdown = sp_plugin_shutdown);
