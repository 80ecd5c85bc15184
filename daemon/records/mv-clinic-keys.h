/*
 * Medverse records — clinic-key rotation, the clinic half of a shredding epoch.
 *
 * docs/security.md, "Crypto-shredding".  Called by the operator's RotateClinicKey
 * (auth/mv-auth-rotate.c), which appends the audit entry; transport-free.
 */
#pragma once

#include <libpq-fe.h>

#include "mv-crypto.h"

G_BEGIN_DECLS

/**
 * mv_clinic_keys_rotate_conn:
 * @conn: a connection inside the caller's transaction (BEGIN already sent)
 * @vault: the current master; the clinic's KEK must be wrapped under it
 * @clinic_id: the clinic
 * @n_patients: (out): how many live patients were re-keyed
 *
 * Locks the clinic row FOR NO KEY UPDATE (patient writers and MRN searches of the clinic,
 * which take it FOR SHARE, wait), generates a new KEK, re-wraps every live patient's DEK under
 * it, recomputes every live patient's blind index with the index key derived from it (each
 * profile is opened to read its MRN), and stores the new wrapped KEK.  Records are not
 * re-encrypted.  The old KEK exists nowhere once the caller commits, so a DEK of a patient
 * deleted before (kept in an older backup) no longer unwraps under anything the database
 * holds.
 *
 * Errors: %MV_ERROR_NOT_FOUND for no such clinic; %MV_ERROR_CONFLICT when the clinic's KEK is
 * wrapped under another master than @vault; %MV_ERROR_INTEGRITY when a stored key or profile
 * fails authentication (nothing is changed: the caller rolls back).
 */
gboolean mv_clinic_keys_rotate_conn (
	PGconn *conn, MvVault *vault, const gchar *clinic_id, guint *n_patients, GError **error);

G_END_DECLS
