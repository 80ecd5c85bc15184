/*
 * Medverse clinical record — what a record kind is (observation, condition, allergy,
 * medication, encounter, note, risk assessment).
 *
 * A kind is a table row of behaviour, not a module: the clinical store (mv-clinical-store.h)
 * seals, versions, lists and audits every kind the same way, and asks the kind only what is
 * particular to it: how a client's input becomes the record that is stored (validation, code
 * systems named as URIs, units converted to a canonical unit with the original kept), how a
 * stored record goes back to the form a client sends (for PATCH: a merge patch applies to
 * that form, and the result is normalised again), and which of its values the store may keep
 * in clear to list and filter by (its effective time) or only as keyed per-patient blind
 * indexes (its codes).  docs/security.md says what stays in clear and why.
 *
 * The record a kind returns never holds the server's own members: "id", "version",
 * "record_status", "created_at", "updated_at" are the store's, and a client naming one of them
 * in an input is refused by the kind ("unknown-member").
 *
 * Pure functions: no database, no keys, no transport.  Every problem of an input is reported,
 * all at once, with mv_error_add_problem() (fields as JSON Pointers under @pointer, messages in
 * English and Chinese), never quoting a submitted value.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* What a kind may need besides the input. */
typedef struct {
	/* dates and times after this are "in the future" (UTC); a test may fix it */
	GDateTime *now;
	/* the caller's language, "en" or "zh" (defaults a note's language, names nothing else) */
	const gchar *language;
	/* the caller's API key id (a note's or condition's recorder when none is given) */
	const gchar *actor;
} MvClinicalContext;

/* What the store may keep about a record outside its sealed blob. */
typedef struct {
	/* RFC 3339 UTC time the record is about (an observation's effective time, an
	 * encounter's start, a condition's onset or recorded date…), or NULL; kept in clear so
	 * lists can be filtered by date and paged in SQL */
	gchar *effective_at;
	/* "system|code" of every code the record carries (an observation's code and its
	 * components' codes, a condition's code…); kept only as blind indexes keyed per patient,
	 * so a list can be filtered by code without the database learning any code */
	GPtrArray *codes;
} MvClinicalTerms;

void mv_clinical_terms_clear (MvClinicalTerms *terms);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MvClinicalTerms, mv_clinical_terms_clear)

typedef struct {
	/* singular, as stored in the kind column and bound into the AEAD additional data:
	 * "observation", "condition", "allergy", "medication", "encounter", "note",
	 * "risk-assessment", "plan" (daemon/plans/) */
	const gchar *name;
	/* the route segment and the batch member: "observations", "conditions", "allergies",
	 * "medications", "encounters", "notes", "risk-assessments", "plans" */
	const gchar *plural;
	const gchar *title_en;
	const gchar *title_zh;

	/* Validates a client's @input (create, or the merged form for PATCH) and returns the
	 * record to store (transfer full), or NULL with every problem in @error.  @pointer is
	 * the JSON Pointer of @input in the request body ("" for a single record,
	 * "/observations/3" in a batch). */
	JsonObject *(*normalise) (JsonObject *input,
				  const gchar *pointer,
				  const MvClinicalContext *ctx,
				  GError **error);

	/* The client's form of a stored record (transfer full): derived members dropped,
	 * originals restored (an observation's original value and unit), so that
	 * normalise (to_input (r)) == r. */
	JsonObject *(*to_input) (JsonObject *record);

	/* Fills @terms from a stored @record (as normalise returned it). */
	void (*terms) (JsonObject *record, MvClinicalTerms *terms);
} MvClinicalKind;

/* Every kind, NULL-terminated, in the order of the list above. */
const MvClinicalKind *const *mv_clinical_kinds (void);

/* The kind named @name (singular) or @plural, or NULL. */
const MvClinicalKind *mv_clinical_kind_lookup (const gchar *name);

G_END_DECLS
