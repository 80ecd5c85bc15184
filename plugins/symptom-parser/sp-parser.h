/*
 * symptom-parser — the parser core: free text in English and/or Chinese to coded findings with
 * NegEx/ConText-style context (polarity, experiencer, temporality) and attributes (duration,
 * severity, laterality, body site).
 *
 * Independent of the plugin SDK so that the plugin, the evaluator, the fuzz targets and the
 * benchmark all link the same code.  A parser is immutable after creation: sp_parser_parse()
 * may run concurrently in several threads.
 */
#pragma once

#include <glib.h>

#include "mv-tokenizer.h"
#include "sp-lexicon.h"

G_BEGIN_DECLS

#define SP_PARSER_ERROR (sp_parser_error_quark ())

typedef enum {
	SP_PARSER_ERROR_TOO_LARGE, /* text over the byte limit */
	SP_PARSER_ERROR_MALFORMED, /* not valid UTF-8 */
	SP_PARSER_ERROR_INVALID,   /* an argument such as the language is not acceptable */
} SpParserError;

GQuark sp_parser_error_quark (void);

/* 1 MiB: the default `max-text-bytes`. */
#define SP_PARSER_DEFAULT_MAX_BYTES ((gsize)1024 * 1024)

typedef enum {
	SP_POLARITY_PRESENT,
	SP_POLARITY_ABSENT,
	SP_POLARITY_POSSIBLE,
} SpPolarity;

typedef enum {
	SP_SEVERITY_NONE,
	SP_SEVERITY_MILD,
	SP_SEVERITY_MODERATE,
	SP_SEVERITY_SEVERE,
} SpSeverity;

typedef enum {
	SP_LATERALITY_NONE,
	SP_LATERALITY_LEFT,
	SP_LATERALITY_RIGHT,
	SP_LATERALITY_BILATERAL,
} SpLaterality;

/* Spans kept per merged finding. */
#define SP_PARSER_MAX_SPANS 16

/* What a finding is: a concept's kind, except that a medication or substance named as what
 * the patient is allergic to is an allergy. */
typedef enum {
	SP_FINDING_SYMPTOM,
	SP_FINDING_CONDITION,
	SP_FINDING_ALLERGY,
	SP_FINDING_MEDICATION,
	SP_FINDING_MEASUREMENT,
	SP_FINDING_SCORE,
} SpFindingKind;

typedef enum {
	SP_STATUS_NONE, /* not a condition, or an absent one */
	SP_STATUS_ACTIVE,
	SP_STATUS_RESOLVED,
	SP_STATUS_UNKNOWN,
} SpStatus;

typedef enum {
	SP_INTERPRETATION_NONE,
	SP_INTERPRETATION_NORMAL,
	SP_INTERPRETATION_HIGH,
	SP_INTERPRETATION_LOW,
} SpInterpretation;

/* A measured value: the canonical UCUM unit, and what the text wrote when it was another. */
typedef struct {
	gdouble value;
	const gchar *unit; /* static UCUM string, e.g. "Cel", "mm[Hg]"; NULL: no value */
	gdouble original_value;
	const gchar *original_unit; /* NULL when the text used the canonical unit */
	SpInterpretation interpretation;
} SpValue;

typedef struct {
	const SpConcept *concept; /* owned by the parser's lexicon; for an allergy, the substance */
	SpFindingKind kind;
	SpStatus status;
	const gchar *relation; /* family member ("mother"), static or lexicon-owned; or NULL */
	gdouble onset_age;     /* years; < 0: not stated */
	SpValue value;	       /* measurements and scores */
	/* medications; dose_unit NULL: no dose */
	gdouble dose_value;
	const gchar *dose_unit;	   /* static UCUM string */
	const gchar *frequency;	   /* static: "BID"…; or NULL */
	const gchar *route;	   /* static: "oral"…; or NULL */
	const SpConcept *reaction; /* allergies: the stated reaction, or NULL */
	/* repeated mentions merged into this finding (see sp_parser_parse()): their number and
	 * the code-point spans of the first SP_PARSER_MAX_SPANS of them, [2*i, 2*i+1] */
	guint n_mentions;
	guint n_spans;
	guint32 spans[2 * SP_PARSER_MAX_SPANS];
	const gchar *site; /* site code (owned by the lexicon), or NULL */
	guint32 start;	   /* Unicode code points into the original text, end exclusive */
	guint32 end;
	guint32 byte_start; /* the same span in bytes */
	guint32 byte_end;
	SpPolarity polarity;
	gboolean family;	/* experiencer: family rather than the patient */
	gboolean historical;	/* temporality: historical rather than current */
	gdouble duration_hours; /* < 0: not stated */
	SpSeverity severity;
	SpLaterality laterality;
} SpFinding;

const gchar *sp_finding_kind_to_string (SpFindingKind kind);

/* NULL for SP_STATUS_NONE */
const gchar *sp_status_to_string (SpStatus status);

/* NULL for SP_INTERPRETATION_NONE */
const gchar *sp_interpretation_to_string (SpInterpretation interpretation);

typedef struct _SpParser SpParser;

/**
 * sp_parser_new:
 * @data_dir: directory with concepts.tsv (zh labels resolved), sites.tsv, cues.tsv and zh.trie
 * @error: return location for an error naming the file (and line) at fault
 *
 * Returns: (transfer full): a parser, or %NULL with @error set.
 */
G_GNUC_WARN_UNUSED_RESULT SpParser *sp_parser_new (const gchar *data_dir, GError **error);

void sp_parser_free (SpParser *self);

const SpLexicon *sp_parser_get_lexicon (const SpParser *self);

const MvZhDict *sp_parser_get_dict (const SpParser *self);

/**
 * sp_parser_parse:
 * @self: a parser
 * @text: the text (need not be NUL-terminated)
 * @len: its length in bytes, or -1 if NUL-terminated
 * @language: (nullable): "en", "zh" or ""/%NULL to detect it
 * @max_bytes: refuse texts longer than this (%SP_PARSER_ERROR_TOO_LARGE)
 * @language_out: (out) (optional): the language used: "en" or "zh"
 * @error: return location for an error
 *
 * Terms of both languages are matched whatever the language, so mixed text works; the language
 * only names what the text mostly is.  Time and memory are linear in @len.  The text is never
 * logged.  At most %SP_PARSER_DEFAULT_MAX_FINDINGS findings (see sp_parser_parse_full()).
 *
 * Returns: (transfer full) (element-type SpFinding): findings in text order, or %NULL with
 *   @error set.
 */
G_GNUC_WARN_UNUSED_RESULT GArray *sp_parser_parse (const SpParser *self,
						   const gchar *text,
						   gssize len,
						   const gchar *language,
						   gsize max_bytes,
						   const gchar **language_out,
						   GError **error);

/* 200: the default `max-findings`. */
#define SP_PARSER_DEFAULT_MAX_FINDINGS 200u

/**
 * sp_parser_parse_full:
 * @self: a parser
 * @text: the text (need not be NUL-terminated)
 * @len: its length in bytes, or -1 if NUL-terminated
 * @language: (nullable): "en", "zh" or ""/%NULL to detect it
 * @max_bytes: refuse texts longer than this (%SP_PARSER_ERROR_TOO_LARGE)
 * @max_findings: keep at most this many distinct findings (repeated mentions of one finding
 *   are merged into it and do not count); the rest are dropped, so memory for findings stays
 *   bounded during the parse too
 * @language_out: (out) (optional): the language used: "en" or "zh"
 * @truncated_out: (out) (optional): %TRUE when findings were dropped by @max_findings
 * @error: return location for an error
 *
 * As sp_parser_parse(), with a cap on the number of findings.
 *
 * Returns: (transfer full) (element-type SpFinding): findings in text order of their first
 *   mention, or %NULL with @error set.
 */
G_GNUC_WARN_UNUSED_RESULT GArray *sp_parser_parse_full (const SpParser *self,
							const gchar *text,
							gssize len,
							const gchar *language,
							gsize max_bytes,
							guint max_findings,
							const gchar **language_out,
							gboolean *truncated_out,
							GError **error);

const gchar *sp_polarity_to_string (SpPolarity polarity);

/* NULL for SP_SEVERITY_NONE */
const gchar *sp_severity_to_string (SpSeverity severity);

/* NULL for SP_LATERALITY_NONE */
const gchar *sp_laterality_to_string (SpLaterality laterality);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpParser, sp_parser_free)

G_END_DECLS
