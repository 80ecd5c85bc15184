/*
 * Medverse clinical record — the store of sealed, versioned records (transport-free).
 *
 * Tables (schemas/sql/0006_clinical_records.sql):
 *   records          one row a record: kind, id, current version, status, times (in clear)
 *   record_versions  every version's sealed blob (the profile's too), who wrote it and when
 *   record_terms     the codes of each record's current version, as per-patient blind indexes
 *   record_changes   the change feed: (clinic, seq) -> patient, kind, record, version, change
 *
 * Every record of every kind (mv-clinical-kind.h) is handled the same way: the kind turns the
 * client's input into the record (validation, normalisation), the store seals it with the
 * patient's DEK through the shared sealed-record module (AD = clinic, patient, kind, version,
 * record id, status), keeps the effective time in clear and the codes as blind indexes keyed
 * by a key derived from the DEK (mv_vault_term_index()), and appends, in the same transaction,
 * one audit entry (ids only) and, for a change, one change-feed row per record changed.
 *
 * Callers: a clinician of the patient's clinic writes; a clinician or the patient's own key
 * reads.  Every statement is scoped by the caller's clinic, so another clinic's patient, a
 * patient key asking for another patient, a malformed id and an unknown record are all
 * %MV_ERROR_NOT_FOUND (no existence leak).  A refused request writes nothing (it rolls back).
 *
 * A record as returned: {"id", "version", "record_status", "created_at", "updated_at",
 * …the kind's members} (times RFC 3339 UTC with microseconds).  Its version is the ETag.
 *
 * Errors common to every function: %MV_ERROR_UNAVAILABLE, %MV_ERROR_INTEGRITY (a blob or key
 * that fails authentication: the message names ids only), %MV_ERROR_FORBIDDEN (a caller
 * without a clinic, or a patient key on a write).
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libpq-fe.h>

#include "mv-auth-context.h"
#include "mv-clinical-kind.h"
#include "mv-crypto.h"
#include "mv-engine.h"
#include "mv-services.h"

G_BEGIN_DECLS

/* The kind name of the profile's versions in record_versions, and the feed's kind for
 * a patient's own changes (create, profile update, shredding). */
#define MV_CLINICAL_PROFILE_KIND "profile"
#define MV_CLINICAL_PATIENT_FEED_KIND "patient"

/* A batch creates at most this many records, all or none. */
#define MV_CLINICAL_MAX_BATCH 100
/* List page sizes. */
#define MV_CLINICAL_DEFAULT_LIMIT 50
#define MV_CLINICAL_MAX_LIMIT 1000

typedef struct _MvClinicalStore MvClinicalStore;

/* Who asks, and in which language (problems are bilingual anyway; a note's default language
 * follows it). */
typedef struct {
	const MvAuthContext *caller;
	const gchar *request_id; /* nullable: recorded in the audit entry */
	const gchar *language;	 /* "en" or "zh"; NULL: "en" */
	GDateTime *now;		 /* nullable: the present (tests fix it) */
	/* nullable: the verb a create or update is audited under instead of "create" or
	 * "update" (a plan's red flags cleared: "plan.clear-red-flags") */
	const gchar *audit_verb;
	/* a module writes, at the patient's own key's request, a record it computed itself (the
	 * weekly re-plan a patient's read of the plan makes): a write a patient key may do */
	gboolean on_patients_behalf;
} MvClinicalCall;

MvClinicalStore *mv_clinical_store_new (MvServices *services);
/* The engine a note's `"parse": true` asks the symptom-parser plugin through (borrowed; must
 * outlive the store).  Without one such a note is refused as unavailable. */
void mv_clinical_store_set_engine (MvClinicalStore *store, MvEngine *engine);
/* That engine, or NULL (the risk routes call the risk-scorer plugin through it). */
MvEngine *mv_clinical_store_get_engine (MvClinicalStore *store);
void mv_clinical_store_free (MvClinicalStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvClinicalStore, mv_clinical_store_free)

/**
 * mv_clinical_store_create:
 * @body: one record's input, or a batch `{"<plural>": [input, …]}` (1 to
 *   %MV_CLINICAL_MAX_BATCH, all or none; problems point into it: /observations/3/value)
 * @batch_out: (out) (optional): whether @body was a batch
 *
 * Errors: %MV_ERROR_INVALID_INPUT listing every problem of every input; %MV_ERROR_NOT_FOUND.
 *
 * Returns: (transfer full): the record created, or `{"<plural>": [record, …]}` for a batch.
 */
JsonObject *mv_clinical_store_create (MvClinicalStore *store,
				      const MvClinicalCall *call,
				      const MvClinicalKind *kind,
				      const gchar *patient_id,
				      JsonObject *body,
				      gboolean *batch_out,
				      GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_clinical_store_create_in:
 * @conn: a connection inside the caller's transaction, which holds the patient's keys locked
 *   (mv_patient_keys_load() with lock)
 * @dek: the patient's DEK
 * @inputs: (element-type JsonObject): the records' inputs (at least one)
 *
 * Creates records of @kind as mv_clinical_store_create() does (the kind's normalise, the
 * sealed version, the terms, one audit entry "<kind>.create" and the change-feed rows), inside
 * the caller's transaction: for a module that writes clinical records as part of its own
 * operation (an engagement check-in's Observation, written with the check-in row and the
 * ledger or not at all).  Unlike mv_clinical_store_create() the caller may be the patient's own
 * key: the module has decided what the patient may record.
 *
 * Errors: %MV_ERROR_INVALID_INPUT (the kind refused an input), those of the store.
 *
 * Returns: (transfer full) (element-type JsonObject): the records created, in order
 */
GPtrArray *mv_clinical_store_create_in (PGconn *conn,
					MvClinicalStore *store,
					const MvClinicalCall *call,
					const MvClinicalKind *kind,
					const gchar *patient_id,
					MvSecret *dek,
					GPtrArray *inputs,
					GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_clinical_store_newest_in:
 * @conn: a connection inside the caller's transaction (the patient's keys loaded)
 * @dek: the patient's DEK
 * @out: (out) (transfer full) (nullable): the newest current record of @kind, %NULL for none
 *
 * Reads, inside another module's transaction and without an audit entry of its own (the
 * caller's operation is audited), what the module checks its write against (a task check-in
 * against the current plan).  A reader's operation: the patient's own key may ask.
 *
 * Returns: %FALSE with an error of the store's.
 */
gboolean mv_clinical_store_newest_in (PGconn *conn,
				      MvClinicalStore *store,
				      const MvClinicalCall *call,
				      const MvClinicalKind *kind,
				      const gchar *patient_id,
				      MvSecret *dek,
				      JsonObject **out,
				      GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_clinical_store_get:
 *
 * The record's current version, whatever its status (an entered-in-error record stays
 * readable).
 *
 * Returns: (transfer full): the record, or %NULL (%MV_ERROR_NOT_FOUND).
 */
JsonObject *mv_clinical_store_get (MvClinicalStore *store,
				   const MvClinicalCall *call,
				   const MvClinicalKind *kind,
				   const gchar *patient_id,
				   const gchar *record_id,
				   GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* What a list asks for (all members nullable, as the query string gave them). */
typedef struct {
	const gchar *code;    /* "system|code", or a bare code for any system */
	const gchar *from;    /* effective_at >= from (RFC 3339 date-time or full-date) */
	const gchar *to;      /* effective_at < to */
	const gchar *include; /* "entered-in-error": those too */
	const gchar *limit;   /* 1..MV_CLINICAL_MAX_LIMIT, default MV_CLINICAL_DEFAULT_LIMIT */
	const gchar *cursor;  /* from a previous page's next_cursor */
	/* a module's own lookup before a write (a retry's stored record): audited only when it
	 * found something, so a request then refused leaves the audit log as it was */
	gboolean audit_only_found;
} MvClinicalQuery;

/**
 * mv_clinical_store_list:
 *
 * A page of the patient's records of @kind, newest first (by effective time, else creation),
 * entered-in-error ones only when asked.  Problems with the query are reported as if it were
 * a JSON object (/limit, /cursor, /from…).
 *
 * Returns: (transfer full): `{"<plural>": [record, …], "next_cursor": "…" or null}`.
 */
JsonObject *mv_clinical_store_list (MvClinicalStore *store,
				    const MvClinicalCall *call,
				    const MvClinicalKind *kind,
				    const gchar *patient_id,
				    const MvClinicalQuery *query,
				    GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_clinical_store_update:
 * @patch: a JSON merge patch (RFC 7396) of the record's client form (the kind's to_input)
 * @if_match: the version the patch was computed from
 *
 * The merged form is normalised again by the kind.  A patch that changes nothing (empty, or
 * equal after normalisation) writes no version and returns the current record.
 *
 * Errors: %MV_ERROR_PRECONDITION_FAILED for a stale @if_match; %MV_ERROR_CONFLICT for a
 * record entered in error; %MV_ERROR_INVALID_INPUT listing every problem.
 *
 * Returns: (transfer full): the record as it is now, or %NULL.
 */
JsonObject *mv_clinical_store_update (MvClinicalStore *store,
				      const MvClinicalCall *call,
				      const MvClinicalKind *kind,
				      const gchar *patient_id,
				      const gchar *record_id,
				      JsonObject *patch,
				      guint64 if_match,
				      GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_clinical_store_mark_entered_in_error:
 * @if_match: the version the caller read, or 0 for no precondition
 *
 * Deletion of a clinical record: a new version with record_status "entered-in-error" and the
 * same content.  It stays readable and in its history; lists leave it out unless asked.  A
 * record already entered in error is returned as it is (no new version).
 *
 * Returns: (transfer full): the record as it is now, or %NULL.
 */
JsonObject *mv_clinical_store_mark_entered_in_error (MvClinicalStore *store,
						     const MvClinicalCall *call,
						     const MvClinicalKind *kind,
						     const gchar *patient_id,
						     const gchar *record_id,
						     guint64 if_match,
						     GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_clinical_store_history:
 * @kind_name: a kind's name, or %MV_CLINICAL_PROFILE_KIND with @record_id the patient id
 *
 * Returns: (transfer full): `{"id", "versions": [{"version", "record_status", "updated_at",
 *   "actor"}, …]}` oldest first, or %NULL (%MV_ERROR_NOT_FOUND).
 */
JsonObject *mv_clinical_store_history (MvClinicalStore *store,
				       const MvClinicalCall *call,
				       const gchar *kind_name,
				       const gchar *patient_id,
				       const gchar *record_id,
				       GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_clinical_store_get_version:
 * @version: the version wanted (as the path gave it)
 *
 * Returns: (transfer full): that version of the record (for the profile:
 *   `{"id", "version", "record_status", "updated_at", "profile"}`), or %NULL
 *   (%MV_ERROR_NOT_FOUND).
 */
JsonObject *mv_clinical_store_get_version (MvClinicalStore *store,
					   const MvClinicalCall *call,
					   const gchar *kind_name,
					   const gchar *patient_id,
					   const gchar *record_id,
					   const gchar *version,
					   GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_clinical_store_changes:
 * @since: the last seq the caller has seen ("0" or %NULL: from the start)
 * @limit: as a list's
 *
 * The caller's clinic's change feed after @since, in seq order: ids and versions only.
 *
 * Returns: (transfer full): `{"changes": [{"seq", "patient_id", "kind", "record_id",
 *   "version", "change", "changed_at"}], "next": <the seq to pass as since>}`.
 */
JsonObject *mv_clinical_store_changes (MvClinicalStore *store,
				       const MvClinicalCall *call,
				       const gchar *since,
				       const gchar *limit,
				       GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* A snapshot holds at most this many current records of each kind (the newest). */
#define MV_CLINICAL_SNAPSHOT_MAX 5000

/**
 * mv_clinical_store_snapshot:
 * @kinds: the kinds wanted, NULL-terminated
 *
 * What a computation on the record needs (risk scores: mv-risk-inputs.h), read in one
 * transaction and audited once ("record.snapshot", naming the patient): the profile and the
 * current records (not entered-in-error) of each of @kinds, newest first, at most
 * %MV_CLINICAL_SNAPSHOT_MAX of each.  A reader's operation: a clinician of the patient's clinic
 * or the patient's own key.
 *
 * Returns: (transfer full): `{"profile": {…}, "profile_version": n, "<plural>": [record, …]
 *   for each kind}`, or %NULL (%MV_ERROR_NOT_FOUND for a patient the caller cannot reach).
 */
JsonObject *mv_clinical_store_snapshot (MvClinicalStore *store,
					const MvClinicalCall *call,
					const gchar *patient_id,
					const MvClinicalKind *const *kinds,
					GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_clinical_store_check_patient:
 *
 * Whether the caller may reach the patient (a live patient of its clinic; a patient key: its
 * own), without reading or disclosing any of the patient's data (nothing is audited): for a
 * route that must answer a stranger 404 before it does anything else.
 *
 * Returns: %TRUE, or %FALSE with %MV_ERROR_NOT_FOUND (or %MV_ERROR_FORBIDDEN for a caller
 *   without a clinic).
 */
gboolean mv_clinical_store_check_patient (MvClinicalStore *store,
					  const MvClinicalCall *call,
					  const gchar *patient_id,
					  GError **error);

G_END_DECLS
