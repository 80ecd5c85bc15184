/*
 * Medverse records — checking a record against its schema, every problem at once.
 *
 * A record kind's shape is a table of #MvField rows (members, types, bounds, enums, nested
 * objects and lists, an extra check where a row needs one), checked by one engine: the
 * profile and every clinical record kind (observation, condition…) use it, so a client sees
 * the same words for the same mistake everywhere.  The engine does not stop at the first
 * problem: each one is added to the error with mv_error_add_problem() (<medverse/mv-error.h>),
 * its field a JSON Pointer (RFC 6901) into the request body, its message in English and
 * Simplified Chinese, never quoting the value submitted (it may be patient data).
 *
 * Also here, because every kind needs them: JSON Pointers, RFC 3339 dates and times, and RFC
 * 7396 merge patch.  Pure functions: no database, no keys, no transport.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum {
	MV_FIELD_STRING,   /* min..max characters, no control characters */
	MV_FIELD_TEXT,	   /* like STRING, but newlines and tabs allowed (free text) */
	MV_FIELD_ENUM,	   /* one of values */
	MV_FIELD_BOOL,	   /* true or false */
	MV_FIELD_INT,	   /* an integer, min..max */
	MV_FIELD_NUMBER,   /* a finite number (integer or fraction); bounds belong to check */
	MV_FIELD_DATE,	   /* RFC 3339 full-date that exists, not in the future, not before 1870 */
	MV_FIELD_DATETIME, /* RFC 3339 date-time with an offset, not in the future (+5 min) */
	MV_FIELD_OBJECT,   /* members; at least min of them */
	MV_FIELD_LIST,	   /* an array of min..max objects of members */
	MV_FIELD_STRINGS,  /* an array of min..max strings, each of 1..64 characters */
	MV_FIELD_ANY,	   /* any JSON value: check decides */
} MvFieldKind;

/* What checks may need besides the value. */
typedef struct {
	/* "now" for dates and times (UTC); NULL means the clock's */
	GDateTime *now;
} MvSchemaContext;

typedef struct _MvField MvField;

/**
 * MvFieldCheck:
 * @node: the member's value, already of the row's type and within its bounds
 * @pointer: its JSON Pointer
 * @parent: (nullable): the object holding it (for rules between members)
 *
 * A row's own rule (a code's shape, a checksum, a unit…).  Adds its problems to @error.
 *
 * Returns: %FALSE if it added any.
 */
typedef gboolean (*MvFieldCheck) (JsonNode *node,
				  const gchar *pointer,
				  JsonObject *parent,
				  const MvSchemaContext *ctx,
				  GError **error);

struct _MvField {
	const gchar *name;
	MvFieldKind kind;
	gboolean required;
	gint64 min;
	gint64 max;
	const gchar *const *values; /* MV_FIELD_ENUM, NULL-terminated */
	const MvField *members;	    /* MV_FIELD_OBJECT, MV_FIELD_LIST: NULL-name terminated */
	MvFieldCheck check;	    /* nullable; for OBJECT and LIST items: on each object */
	const gchar *about;	    /* nullable: one line for the JSON Schema's description */
};

/**
 * mv_schema_check:
 * @members: the object's rows, NULL-name terminated
 * @object: the object to check
 * @pointer: @object's JSON Pointer in the request body ("" for the body itself)
 * @ctx: (nullable): the context; %NULL for the clock's time
 * @error: problems are added here (see mv_error_add_problem())
 *
 * Checks every member of @object: unknown members ("unknown-member", no mass assignment),
 * required ones ("required"), types ("wrong-type"), bounds ("too-short", "too-long",
 * "out-of-range", "too-many"), enums ("not-allowed"), dates ("invalid-format", "in-future",
 * "too-early") and each row's own check — all of them, not only the first.
 *
 * Returns: %TRUE if @object is valid; %FALSE with every problem in @error.
 */
gboolean mv_schema_check (const MvField *members,
			  JsonObject *object,
			  const gchar *pointer,
			  const MvSchemaContext *ctx,
			  GError **error);

/**
 * mv_schema_check_patch:
 *
 * Refuses a merge patch that names a member the schema does not know, even to delete it
 * (`{"id": null}` would otherwise pass silently), at any depth of objects.  The patched
 * result must still go through mv_schema_check().
 *
 * Returns: %TRUE if every member named is known.
 */
gboolean mv_schema_check_patch (const MvField *members,
				JsonObject *patch,
				const gchar *pointer,
				GError **error);

/**
 * mv_schema_problem:
 *
 * mv_error_add_problem(), with a formatted English message and its Chinese form; for checks.
 */
void mv_schema_problem (GError **error,
			const gchar *pointer,
			const gchar *code,
			const gchar *message,
			const gchar *message_zh);

/* @pointer + "/" + @name, escaped (RFC 6901: "~" → "~0", "/" → "~1").  (transfer full) */
gchar *mv_json_pointer_child (const gchar *pointer, const gchar *name);
/* @pointer + "/" + @index.  (transfer full) */
gchar *mv_json_pointer_index (const gchar *pointer, guint index);

/* RFC 3339 full-date (YYYY-MM-DD) that exists. */
gboolean mv_schema_parse_date (const gchar *text, GDate *out);

/**
 * mv_schema_date_problem:
 * @text: (nullable): the refused date or date-time
 * @message: what is expected, when @text is no impossible day (the format, the range)
 * @message_zh: the same in Simplified Chinese
 *
 * Adds the problem of a refused date or date-time (code "invalid-format") to @error, the one
 * place every route's date check says what is wrong: @message, and when @text is shaped
 * YYYY-MM-DD (alone or before a time) but names no day of the calendar, why ("…: that day is
 * past the end of its month (28 days)", "…: a year has months 01 to 12", "…: days count from
 * 01").  The date itself is never repeated: a message quotes no value.
 */
void mv_schema_date_problem (GError **error,
			     const gchar *pointer,
			     const gchar *text,
			     const gchar *message,
			     const gchar *message_zh);

/**
 * mv_schema_parse_datetime:
 *
 * RFC 3339 date-time with a "Z" or numeric offset ("2026-12-01T08:30:00+08:00", fractions of a
 * second allowed).  A time without an offset is refused: a clinic's local time is ambiguous.
 *
 * Returns: (transfer full) (nullable): the time, or %NULL.
 */
GDateTime *mv_schema_parse_datetime (const gchar *text);

/* @time as RFC 3339 UTC with microseconds ("2026-12-01T00:30:00.000000Z"), as every response
 * writes times.  (transfer full) */
gchar *mv_schema_format_utc (GDateTime *time);

/**
 * mv_json_merge_patch:
 * @target: (nullable): the document to patch (not modified)
 * @patch: the patch
 *
 * RFC 7396: members of @patch replace those of @target, objects merge recursively, a %null
 * member removes the target's member, anything else (arrays included) replaces wholesale.
 *
 * Returns: (transfer full): the patched document.
 */
JsonNode *mv_json_merge_patch (JsonNode *target, JsonNode *patch);

G_END_DECLS
