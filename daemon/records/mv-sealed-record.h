/*
 * Medverse records — sealed records of any kind, in one place.
 *
 * A patient's data lives in sealed records: JSON sealed with the patient's DEK
 * (mv_vault_seal_ids(), XChaCha20-Poly1305) with the row's identity bound as additional data,
 * so a blob moved to another row, another patient, another kind or another version fails to
 * open.  A record kind is data, not code: its name, the table its rows live in and the columns
 * that tell one of its records from another.  The profile is the first kind; every later one
 * (observation, condition, allergy…) is one more #MvRecordKind, with nothing copied.
 *
 * A table of sealed records has the columns
 *
 *     clinic_id uuid, patient_id uuid, kind text, <id columns…> text, version bigint,
 *     blob bytea, updated_at timestamptz
 *
 * (schemas/sql/0003_patients.sql: patient_records, one record per kind and patient).  Every
 * statement names the clinic, the patient and the kind; the id columns' values are bound as
 * AD after the version.  Table and column names come from the #MvRecordKind (code, never
 * input) and are checked to be plain lowercase identifiers; values are always parameters.
 *
 * Transport-free; every function runs inside the caller's transaction.  The plaintext JSON
 * is wiped from memory once sealed; an error names ids only, never data.
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libpq-fe.h>

#include "mv-crypto.h"

G_BEGIN_DECLS

/**
 * MvRecordKind:
 * @name: the kind, stored in the `kind` column and bound as the AD's record kind
 *   (`^[a-z][a-z0-9_.-]{0,63}$`, e.g. "profile")
 * @table: the table holding records of this kind
 * @id_columns: (nullable) (array zero-terminated=1): the text columns that tell one record of
 *   this kind of a patient from another (e.g. `{"record_id", NULL}`); %NULL when a patient has
 *   one record of the kind
 */
typedef struct {
	const gchar *name;
	const gchar *table;
	const gchar *const *id_columns;
} MvRecordKind;

/* The patient's profile (patient-profile.schema.json): one per patient, its version is the
 * patient row's (the ETag). */
extern const MvRecordKind mv_record_kind_profile;

/**
 * MvRecordRef:
 * @kind: what it is
 * @clinic_id: the clinic (every statement is scoped by it)
 * @patient_id: the patient
 * @ids: (nullable) (array zero-terminated=1): one value per @kind's id column, in order
 *
 * One record, by identity.  Borrowed strings: a ref lives on the stack of its caller.
 */
typedef struct {
	const MvRecordKind *kind;
	const gchar *clinic_id;
	const gchar *patient_id;
	const gchar *const *ids;
} MvRecordRef;

/**
 * MvSealedRecord:
 * @version: the version it is sealed at (bound as AD)
 * @updated_at: when it was written, RFC 3339 UTC (MV_DB_SQL_UTC)
 * @data: the opened record
 */
typedef struct {
	guint64 version;
	gchar *updated_at;
	JsonNode *data;
} MvSealedRecord;

void mv_sealed_record_free (MvSealedRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvSealedRecord, mv_sealed_record_free)

/**
 * mv_sealed_record_seal:
 * @ref: the record's identity
 * @dek: the patient's DEK
 * @version: the version to seal it at (≥ 1)
 * @data: the record
 *
 * Returns: (transfer full): the sealed blob, or %NULL (%MV_ERROR_INVALID_INPUT,
 *   %MV_ERROR_TOO_LARGE).
 */
GBytes *mv_sealed_record_seal (const MvRecordRef *ref,
			       MvSecret *dek,
			       guint64 version,
			       JsonNode *data,
			       GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_sealed_record_open_bytes:
 *
 * Opens @blob sealed for exactly @ref at @version.
 *
 * Returns: (transfer full): the plaintext (wiped when released), or %NULL with
 *   %MV_ERROR_INTEGRITY naming the ids.
 */
GBytes *mv_sealed_record_open_bytes (const MvRecordRef *ref,
				     MvSecret *dek,
				     guint64 version,
				     GBytes *blob,
				     GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_sealed_record_open:
 *
 * mv_sealed_record_open_bytes(), parsed: a record is a JSON object.
 *
 * Returns: (transfer full): the record, or %NULL with %MV_ERROR_INTEGRITY.
 */
JsonNode *mv_sealed_record_open (const MvRecordRef *ref,
				 MvSecret *dek,
				 guint64 version,
				 GBytes *blob,
				 GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_sealed_record_read:
 * @conn: a connection inside the caller's transaction
 * @expected_version: the version the record must be at (e.g. the patient row's for the
 *   profile), or 0 for whatever it is at
 *
 * Reads and opens the record.
 *
 * Errors: %MV_ERROR_NOT_FOUND when there is no such row and @expected_version is 0;
 * %MV_ERROR_INTEGRITY when it is missing although expected, at another version, or does not
 * open.
 *
 * Returns: (transfer full): the record, or %NULL.
 */
MvSealedRecord *mv_sealed_record_read (PGconn *conn,
				       const MvRecordRef *ref,
				       MvSecret *dek,
				       guint64 expected_version,
				       GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_sealed_record_insert:
 *
 * Seals @data at @version and inserts the row.
 *
 * Errors: those of mv_sealed_record_seal() and mv_db_exec_params() (a row that exists is a
 * unique violation, %MV_ERROR_CONFLICT).
 */
gboolean mv_sealed_record_insert (PGconn *conn,
				  const MvRecordRef *ref,
				  MvSecret *dek,
				  guint64 version,
				  JsonNode *data,
				  GError **error);

/**
 * mv_sealed_record_update:
 *
 * Seals @data at @version and replaces the row's blob and version (updated_at = now()).  The
 * caller holds the lock that makes @version the next one (for the profile: the patient row,
 * FOR UPDATE).
 *
 * Errors: those of mv_sealed_record_seal() and mv_db_exec_params(); %MV_ERROR_INTEGRITY when
 * the row is missing.
 */
gboolean mv_sealed_record_update (PGconn *conn,
				  const MvRecordRef *ref,
				  MvSecret *dek,
				  guint64 version,
				  JsonNode *data,
				  GError **error);

/**
 * mv_record_parse_version:
 *
 * Returns: %TRUE if @text is a version (a decimal from 0 to G_MAXINT64, as bigint columns
 *   hold)
 */
gboolean mv_record_parse_version (const gchar *text, guint64 *out);

G_END_DECLS
