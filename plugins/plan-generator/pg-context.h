/*
 * plan-generator core — the patient context a plan is computed from (README, "Context").
 *
 * The daemon assembles it from the record; over HTTP it is a JSON object, so lists arrive as
 * `av` and whole numbers as `x`; over D-Bus as `aa{sv}` and `d`/`u`.  Both are read the same.
 * Unknown members are refused: a misspelt "pregant" must not give a pregnant woman a plan
 * made for someone who is not.
 */
#pragma once

#include "pg-core.h"

G_BEGIN_DECLS

typedef struct {
	gchar *code;
	gchar *status; /* active | resolved | unknown */
} PgCoded;

typedef struct {
	gchar *code;
	gdouble value;
	gchar *unit;
	gchar *date;	    /* may be NULL */
	gchar *recorded_at; /* RFC 3339: when the daemon got it; may be NULL */
} PgMeasurement;

typedef struct {
	gchar *model;
	gboolean has_probability;
	gdouble probability;
	gchar *category;
	gdouble horizon_years;
} PgRisk;

typedef struct {
	gchar *kind;
	gchar *code;
	gchar **xrefs;
	gchar *polarity;    /* present | absent | possible */
	gchar *experiencer; /* patient | family */
	gchar *temporality; /* current | historical */
	gchar *severity;
	gchar *status;
	gboolean has_value;
	gdouble value;
	gchar *unit;
	gchar *date;
	gchar *recorded_at; /* RFC 3339: when the daemon got its note; may be NULL */
} PgFinding;

typedef struct {
	gchar *metric;
	gdouble value;
	gchar *date;
} PgCheckin;

typedef enum {
	PG_TRI_UNKNOWN = -1,
	PG_TRI_NO = 0,
	PG_TRI_YES = 1,
} PgTri;

typedef struct {
	gchar *today;
	PgLang lang;
	gboolean has_age;
	gdouble age_years;
	gchar *sex;
	PgTri pregnant;
	gchar *mobility; /* NULL: not stated */
	guint minutes_per_day;
	gchar *bmi_standard; /* "who" | "china", after the default */
	gchar *smoking;
	gchar *red_flags_cleared_on; /* a date: an older daemon's clearing */
	gchar *red_flags_cleared_at; /* an RFC 3339 instant: wins over _on */
	GPtrArray *conditions;	     /* PgCoded */
	GPtrArray *medications;	     /* PgCoded */
	GPtrArray *measurements;     /* PgMeasurement */
	GPtrArray *risks;	     /* PgRisk */
	GPtrArray *findings;	     /* PgFinding */
	GPtrArray *checkins;	     /* PgCheckin */
} PgContext;

#define PG_DEFAULT_MINUTES_PER_DAY 30

void pg_context_free (PgContext *ctx);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PgContext, pg_context_free)

/**
 * pg_context_read:
 * @dict: the context, a{sv}
 * @field: JSON Pointer prefix of the context in the caller's input, e.g. "/context"
 * @problems: every problem found is appended here
 *
 * Returns: (transfer full) (nullable): the context, or %NULL when @problems grew.
 */
PgContext *pg_context_read (GVariant *dict, const gchar *field, GPtrArray *problems);

/* helpers shared with the Replan reader (pg-plan.c) */
gboolean pg_variant_number (GVariant *v, gdouble *out);
GPtrArray *pg_variant_dicts (GVariant *v, const gchar *field, GPtrArray *problems);
GVariant *pg_variant_unbox (GVariant *v);

/* the value of a measurement: the latest stated one of @code (record or parsed note), or
 * FALSE; @after: only those dated after it (NULL: all) */
/**
 * pg_after_clearing:
 * @date: (nullable): an item's date
 * @recorded_at: (nullable): when the item was recorded (RFC 3339)
 * @cleared: (nullable): the clearing: an RFC 3339 instant (`red_flags_cleared_at`, given in the
 *   patient's offset) or a date (`red_flags_cleared_on`)
 *
 * Whether an item may raise a red flag after a clinician cleared them: recorded after the
 * instant (a finding reported again at 15:00 after a 10:00 clearing counts); without a
 * recording time, dated after the clearing's date; undated, it is not known to predate the
 * clearing and counts.
 */
gboolean pg_after_clearing (const gchar *date, const gchar *recorded_at, const gchar *cleared);

gboolean
pg_context_measurement (const PgContext *ctx, const gchar *code, const gchar *after, gdouble *out);

/* body-mass index from the record: stated (LOINC 39156-5) or from weight and height */
gboolean pg_context_bmi (const PgContext *ctx, gdouble *out);

G_END_DECLS
