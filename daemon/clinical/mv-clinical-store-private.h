/* Shared by the clinical store's files; not for other modules.
 *
 *   mv-clinical-store.c     the store object, operations' common steps, rows to responses
 *   mv-clinical-records.c   create (single and batch), read, update, entered-in-error
 *   mv-clinical-lists.c     list with filters and cursor paging, history, versions, the feed
 *   mv-clinical-history.c   version rows and the change feed (also the profile's hooks)
 */
#pragma once

#include <libpq-fe.h>

#include "../records/mv-record-keys.h"
#include "../records/mv-sealed-record.h"
#include "mv-db.h"
#include "mv-clinical-history.h"
#include "mv-engine.h"
#include "mv-clinical-store.h"

G_BEGIN_DECLS

struct _MvClinicalStore {
	MvServices *services;
	MvEngine *engine; /* nullable: asks the symptom parser for a note's findings */
};

/* One operation, run as one transaction: its input, and what it hands out. */
typedef struct {
	MvClinicalStore *store;
	const MvClinicalCall *call;
	const gchar *clinic_id;
	const MvClinicalKind *kind; /* NULL for the profile's history */
	const gchar *kind_name;
	gchar *patient_id; /* canonical */
	gchar *record_id;  /* canonical, or NULL */
	/* inputs */
	GPtrArray *records; /* normalised records to create (JsonObject) */
	JsonObject *patch;  /* a PATCH's patch, or a create's body */
	guint64 if_match;
	guint64 version; /* a version asked for */
	const MvClinicalQuery *query;
	gpointer params; /* an operation's parsed input, borrowed */
	gint64 since;
	guint limit;
	/* out */
	JsonObject *result;
} MvClinicalOp;

void mv_clinical_op_clear (MvClinicalOp *op);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MvClinicalOp, mv_clinical_op_clear)

/* The op of a transaction function, its output reset (a transaction may run again). */
MvClinicalOp *mv_clinical_op_begin (gpointer data);

/* Starts @op: the caller must have a clinic (%MV_ERROR_FORBIDDEN); a @write is not for a
 * patient key (%MV_ERROR_FORBIDDEN); @patient_id (nullable) must be a UUID the caller may
 * reach (a patient key: its own) and @record_id (nullable) a UUID, else %MV_ERROR_NOT_FOUND. */
gboolean mv_clinical_op_init (MvClinicalOp *op,
			      MvClinicalStore *store,
			      const MvClinicalCall *call,
			      const MvClinicalKind *kind,
			      gboolean write,
			      const gchar *patient_id,
			      const gchar *record_id,
			      GError **error);

gboolean mv_clinical_op_run (MvClinicalOp *op, MvDbTransactionFunc fn, GError **error);

/* The patient's keys: a writer locks (clinic FOR SHARE, patient FOR UPDATE). */
gboolean mv_clinical_op_keys (
	PGconn *conn, MvClinicalOp *op, gboolean write, MvPatientKeys *keys, GError **error);

/* Appends "<kind>.<verb>" naming the patient (so the patient's export lists it). */
gboolean mv_clinical_op_audit (PGconn *conn, MvClinicalOp *op, const gchar *verb, GError **error);

/* The kind's context for this call (borrowed strings; now owned by @owned_now). */
MvClinicalContext mv_clinical_op_context (MvClinicalOp *op, GDateTime **owned_now);

/* The columns every record SELECT returns, in this order (r = records, v = record_versions of
 * the current version). */
#define MV_CLINICAL_RECORD_COLUMNS                                                                 \
	"r.record_id, r.version, r.record_status, " MV_DB_SQL_UTC (                                \
		"r.created_at") ", " MV_DB_SQL_UTC ("r.updated_at") ", v.blob, " MV_DB_SQL_UTC ("r.sort_at")
#define MV_CLINICAL_RECORD_JOIN                                                                    \
	"records r JOIN record_versions v ON v.clinic_id = r.clinic_id AND v.patient_id = "        \
	"r.patient_id AND v.kind = r.kind AND v.record_id = r.record_id AND v.version = "          \
	"r.version"
enum { COL_ID, COL_VERSION, COL_STATUS, COL_CREATED, COL_UPDATED, COL_BLOB, COL_SORT };

/* Row @row of @res (MV_CLINICAL_RECORD_COLUMNS) opened and shaped as a response; %NULL with
 * %MV_ERROR_INTEGRITY when its blob does not open.  @version_out: its version. */
JsonObject *mv_clinical_row_to_record (MvClinicalOp *op,
				       MvSecret *dek,
				       PGresult *res,
				       gint row,
				       guint64 *version_out,
				       GError **error);

/* {"id", "version", "record_status", "created_at", "updated_at", …data} */
JsonObject *mv_clinical_record_response (const gchar *record_id,
					 guint64 version,
					 const gchar *status,
					 const gchar *created_at,
					 const gchar *updated_at,
					 JsonObject *data);

/* Replaces the record's terms with those of @record, keyed for the patient (the DEK). */
gboolean mv_clinical_write_terms (PGconn *conn,
				  MvClinicalOp *op,
				  MvSecret *dek,
				  const gchar *record_id,
				  GPtrArray *codes,
				  GError **error);

/* The term a code filter or a record's code is indexed under: "system|code" as is, and
 * "|code" (any system) for the code alone. */
gchar *mv_clinical_term_any_system (const gchar *term);

/* Fills a note's findings from the symptom parser when @input asks for it ("parse": true):
 * mv_note_parse_input() for the op's caller.  Any other kind: nothing to do. */
gboolean mv_clinical_op_parse_note (MvClinicalOp *op, JsonObject *input, GError **error);

G_END_DECLS
