/*
 * Medverse clinical record — versions and the change feed, for every kind the profile
 * included (schemas/sql/0006_clinical_records.sql: record_versions, record_changes).
 *
 * The patient store calls the profile hooks below inside its own transactions, so a profile
 * create or update keeps its version and a change-feed row, and shredding a patient removes
 * its versions, terms and records and leaves one 'deleted' change.  Transport-free; every
 * function runs inside the caller's transaction.
 *
 * Order matters: a change-feed row must be appended AFTER the transaction's audit entry
 * (mv_audit_log_append()), whose lock on the clinic's audit_trees row, held until COMMIT, is
 * what makes the feed's seq gap-free in commit order (see mv_clinical_feed_append()).
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libpq-fe.h>

#include "mv-auth-context.h"
#include "mv-crypto.h"

G_BEGIN_DECLS

/* One row of the change feed. */
typedef struct {
	const gchar *patient_id;
	const gchar *kind;
	const gchar *record_id;
	guint64 version;
	const gchar *change; /* "created", "updated", "entered-in-error", "deleted" */
} MvClinicalChange;

/**
 * mv_clinical_feed_append:
 * @changes: (array length=n_changes): the rows, numbered in this order
 *
 * Appends the rows to the clinic's change feed with the next seqs (max + 1 …).  The caller
 * must have appended this transaction's audit entry to the clinic's tree before: that entry
 * locked the tree's row FOR UPDATE until COMMIT, so no other transaction of the clinic (in
 * this daemon or another on the same database) takes a seq until this one has committed or
 * rolled back, and under READ COMMITTED the max read here is the latest committed one.  A
 * poller that has seen seq N therefore never later meets a change numbered N or below.
 */
gboolean mv_clinical_feed_append (PGconn *conn,
				  const gchar *clinic_id,
				  const MvClinicalChange *changes,
				  guint n_changes,
				  GError **error);

/**
 * mv_clinical_version_insert:
 * @kind: the record kind's name ("observation"…, or "profile")
 * @status: "current" or "entered-in-error", bound into the AD
 * @actor: (nullable): who wrote it (its key id; "system" when none)
 *
 * Seals @data with @dek (mv_sealed_record_seal(): AD = clinic, patient, kind, version,
 * record id, status) and inserts the version row.
 */
gboolean mv_clinical_version_insert (PGconn *conn,
				     MvSecret *dek,
				     const gchar *clinic_id,
				     const gchar *patient_id,
				     const gchar *kind,
				     const gchar *record_id,
				     guint64 version,
				     const gchar *status,
				     JsonNode *data,
				     const MvAuthContext *actor,
				     GError **error);

/**
 * mv_clinical_version_open:
 * @blob_text: the blob column as PostgreSQL returned it (bytea text form)
 *
 * Returns: (transfer full): the record sealed in a version row, or %NULL with
 *   %MV_ERROR_INTEGRITY naming ids only.
 */
JsonNode *mv_clinical_version_open (MvSecret *dek,
				    const gchar *clinic_id,
				    const gchar *patient_id,
				    const gchar *kind,
				    const gchar *record_id,
				    guint64 version,
				    const gchar *status,
				    const gchar *blob_text,
				    GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_clinical_profile_written:
 * @version: the profile's new version (1: the patient was created)
 *
 * After the audit entry of a profile create or update: keeps the version (kind "profile",
 * record id = the patient id) and appends the change ("patient", "created" or "updated").
 */
gboolean mv_clinical_profile_written (PGconn *conn,
				      MvSecret *dek,
				      const gchar *clinic_id,
				      const gchar *patient_id,
				      guint64 version,
				      JsonNode *profile,
				      const MvAuthContext *actor,
				      GError **error);

/**
 * mv_clinical_patient_shredded:
 * @version: the profile's last version
 *
 * After the audit entry of a patient's crypto-shredding: deletes its records, versions and
 * terms (unreadable anyway once the DEK is gone) and appends one change ("patient",
 * "deleted").  The feed's older rows stay: ids and versions only.
 */
gboolean mv_clinical_patient_shredded (PGconn *conn,
				       const gchar *clinic_id,
				       const gchar *patient_id,
				       guint64 version,
				       GError **error);

/**
 * mv_clinical_export_versions:
 * @out: the export being built; gets "versions": [{"kind", "id", "version", "record_status",
 *   "updated_at", "actor", "data"}] — every version of every record of the patient (the
 *   profile's included), opened with @dek, by kind, id and version
 *
 * For the patient's export (an access request: everything held, history included).
 */
gboolean mv_clinical_export_versions (PGconn *conn,
				      MvSecret *dek,
				      const gchar *clinic_id,
				      const gchar *patient_id,
				      JsonObject *out,
				      GError **error);

G_END_DECLS
