/*
 * Medverse clinical record — helpers the kinds share (not for the store: it uses
 * mv-clinical-kind.h only).
 */
#pragma once

#include "mv-clinical-kind.h"
#include "mv-clinical-schema.h"
#include "records/mv-record-schema.h"

G_BEGIN_DECLS

extern const MvClinicalKind mv_observation_kind;
extern const MvClinicalKind mv_condition_kind;
extern const MvClinicalKind mv_allergy_kind;
extern const MvClinicalKind mv_medication_kind;
extern const MvClinicalKind mv_encounter_kind;
extern const MvClinicalKind mv_note_kind;
extern const MvClinicalKind mv_risk_assessment_kind;

/* The code system a risk assessment's model id is indexed under (its term). */
#define MV_RISK_MODEL_SYSTEM "urn:medverse:codesystem:risk-model"

/* the input rows of the kinds with files of their own (mv-clinical-schema.h) */
extern const MvField mv_observation_members[];
extern const MvField mv_condition_members[];
extern const MvField mv_note_members[];
extern const MvField mv_risk_assessment_members[];

/* The schema context of a kind's context (the same "now"). */
static inline MvSchemaContext
mv_clinical_schema_context (const MvClinicalContext *ctx)
{
	MvSchemaContext s = { ctx != NULL ? ctx->now : NULL };
	return s;
}

/* Rules between members that the rows cannot say; they add their problems to @error. */
typedef void (*MvClinicalRules) (JsonObject *input, const gchar *pointer, GError **error);

/* @input against @members, then @rules (nullable) on what is well typed, every problem of
 * both in @error: a kind's whole check.  Returns: %TRUE if there was none. */
gboolean mv_clinical_check (const MvField *members,
			    MvClinicalRules rules,
			    JsonObject *input,
			    const gchar *pointer,
			    const MvClinicalContext *ctx,
			    GError **error);

/* The rows of a coding object {"system", "code", "display"?}; its check is the caller's. */
extern const MvField mv_clinical_coding_members[];

/* A row's check for a string that is an RFC 3339 full-date or a date-time with an offset
 * (onsets, periods): the schema engine's own date or date-time rules, whichever it looks
 * like. */
gboolean mv_clinical_check_when (JsonNode *node,
				 const gchar *pointer,
				 JsonObject *parent,
				 const MvSchemaContext *ctx,
				 GError **error);

/* A full-date or date-time string as a time (a date is its midnight UTC), or NULL. */
GDateTime *mv_clinical_parse_when (const gchar *text);

/* @a is before @b (both full-dates or date-times); FALSE when either does not parse.  A date
 * compared with a date-time stands for its whole day, compared with the date-time's own local
 * date: 2026-01-02T01:00:00+08:00 is not before 2026-01-02. */
gboolean mv_clinical_when_before (const gchar *a, const gchar *b);

/* Adds "system|code" of @coding (already normalised: system as URI) to @terms. */
void mv_clinical_terms_add_coding (MvClinicalTerms *terms, JsonObject *coding);

/* Sets @terms' effective_at to @when (full-date or date-time) in UTC, if it parses. */
void mv_clinical_terms_set_when (MvClinicalTerms *terms, const gchar *when);

/* A copy of @coding with its system as the URI (the schema and mv_coding_check() have passed
 * it).  (transfer full) */
JsonObject *mv_clinical_coding_normalise (JsonObject *coding);

/* A deep copy of @node (json_node_copy() shares objects and arrays).  (transfer full) */
JsonNode *mv_clinical_node_copy (JsonNode *node);

/* A deep copy of @object, members in their order.  (transfer full) */
JsonObject *mv_clinical_object_copy (JsonObject *object);

/* @member of @object if it is a string, else NULL (never a critical on another type). */
const gchar *mv_clinical_get_string (JsonObject *object, const gchar *member);

/* @member of @object as an object, or NULL. */
JsonObject *mv_clinical_get_object (JsonObject *object, const gchar *member);

/* Copies @member from @from to @to when @from has it. */
void mv_clinical_copy_member (JsonObject *to, JsonObject *from, const gchar *member);

/* The same for each of @members (NULL-terminated). */
void mv_clinical_copy_members (JsonObject *to, JsonObject *from, const gchar *const *members);

/* Sets @member of @out to @value unless it has one (a default). */
void mv_clinical_set_default (JsonObject *out, const gchar *member, const gchar *value);

G_END_DECLS
