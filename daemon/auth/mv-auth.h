/*
 * Medverse auth — clinics (tenants), API keys, roles, invite codes, the bearer-token
 * authenticator with its per-key rate limit, and master-key rotation.
 *
 * Tokens (docs/security.md, "API keys"):
 *   clinic staff and patients   mvk_<key_id: 16 hex>_<secret: 64 hex>   table api_keys
 *   operator                    mvop_<secret: 64 hex>                    table operator_keys
 * Only BLAKE2b-256 of the whole token is stored; lookup is by key id (for an operator token
 * the key id is the first 8 bytes of that hash), then the stored hash is compared with
 * sodium_memcmp().  A token is shown once, when it is made.
 *
 * The operations below are transport-free: the HTTP routes (mv-auth-http.c) and the D-Bus
 * admin interface (mv-auth-dbus.c) both call them, with the caller in an MvAuthContext.  Every
 * write runs in one transaction together with its audit entry.  They block on the database:
 * call them from a worker thread.
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libpq-fe.h>

#include "mv-auth-context.h"
#include "mv-services.h"

G_BEGIN_DECLS

typedef struct _MvAuth MvAuth;

/* How long an invite code stays redeemable. */
#define MV_AUTH_INVITE_TTL_SECONDS (24 * 3600)
/* last_used_at is written at most this often per key and daemon instance. */
#define MV_AUTH_LAST_USED_INTERVAL_SECONDS 60
#define MV_AUTH_MAX_NAME 200

/**
 * mv_auth_new:
 * @services: (transfer none): must outlive the returned object
 */
MvAuth *mv_auth_new (MvServices *services);
void mv_auth_free (MvAuth *auth);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvAuth, mv_auth_free)

/**
 * mv_auth_start:
 * @operator_key_file: (nullable): registers the hash of this operator token file if it exists
 *   (idempotent: an already registered or since revoked key is left as it is)
 *
 * Start-up checks: registers the operator key file, warns about clinics whose KEK is wrapped
 * under another master key than the loaded one.
 */
gboolean mv_auth_start (MvAuth *auth, const gchar *operator_key_file, GError **error);

/* The HTTP and D-Bus sides are declared in mv-auth-adapters.h. */

/* D-Bus admin calls still running in worker threads: shutdown must not free what they use. */
guint mv_auth_get_running_admin_calls (MvAuth *auth);

/**
 * mv_auth_authenticate:
 * @retry_after: (out): seconds to wait, set with %MV_ERROR_RATE_LIMITED
 *
 * Resolves a bearer token: %MV_ERROR_UNAUTHORIZED for a malformed, unknown, revoked or expired
 * token (one message for all), %MV_ERROR_RATE_LIMITED when the key's bucket is empty,
 * %MV_ERROR_UNAVAILABLE when the database is not reachable.
 */
MvAuthContext *
mv_auth_authenticate (MvAuth *auth, const gchar *token, guint *retry_after, GError **error);

/* ---- the per-address limit of keyless and failed attempts (mv-auth-address.c) ----------- */

/**
 * mv_auth_address_check:
 * @address: (nullable): the client's IP address as text (the TCP peer); %NULL is not limited
 * @retry_after: (out): seconds to wait, set with %MV_ERROR_RATE_LIMITED
 *
 * Whether @address may make another attempt, without counting one: call it before looking at
 * a presented key, so a limited address learns nothing about its keys, good or bad.
 * `[auth] address-rate-limit-per-minute` and `address-rate-limit-burst` (0 per minute: no
 * limit).  In memory, per daemon instance.
 *
 * Returns: %TRUE, or %FALSE with %MV_ERROR_RATE_LIMITED
 */
gboolean
mv_auth_address_check (MvAuth *auth, const gchar *address, guint *retry_after, GError **error);
/* Counts one attempt against @address: a failed authentication. */
void mv_auth_address_charge (MvAuth *auth, const gchar *address);
/* Check and count in one: every attempt at a route that needs no key (invite redemption). */
gboolean
mv_auth_address_take (MvAuth *auth, const gchar *address, guint *retry_after, GError **error);

/* ---- admin operations (results are the JSON the HTTP API returns) ------------------------- */

JsonNode *mv_auth_tenant_create (MvAuth *auth,
				 const MvAuthContext *actor,
				 const gchar *name,
				 const gchar *request_id,
				 GError **error);
JsonNode *mv_auth_tenant_list (MvAuth *auth, const MvAuthContext *actor, GError **error);

/**
 * mv_auth_key_create:
 * @role: %MV_ROLE_CLINIC_ADMIN or %MV_ROLE_CLINICIAN
 * @expires_at: (nullable): must be in the future
 * @label: (nullable)
 *
 * Returns: {"key_id", "token" (shown once), "tenant_id", "role", "label", "created_at",
 *   "expires_at"}; %MV_ERROR_NOT_FOUND for a clinic the actor may not see.
 */
JsonNode *mv_auth_key_create (MvAuth *auth,
			      const MvAuthContext *actor,
			      const gchar *clinic_id,
			      MvRole role,
			      GDateTime *expires_at,
			      const gchar *label,
			      const gchar *request_id,
			      GError **error);
JsonNode *
mv_auth_key_list (MvAuth *auth, const MvAuthContext *actor, const gchar *clinic_id, GError **error);
gboolean mv_auth_key_revoke (MvAuth *auth,
			     const MvAuthContext *actor,
			     const gchar *clinic_id,
			     const gchar *key_id,
			     const gchar *request_id,
			     GError **error);

/* A new operator key (mvop_…), shown once.  For `medversectl operator-key create`. */
JsonNode *mv_auth_operator_key_create (MvAuth *auth,
				       const MvAuthContext *actor,
				       const gchar *label,
				       const gchar *request_id,
				       GError **error);

/**
 * mv_auth_rotate_master:
 * @new_key_file: the new master key (mode 0600; see mv-keyfile.h)
 *
 * Re-wraps every clinic KEK under the new master key in one transaction (rows locked), appends
 * a "master-key.rotate" audit entry, commits, then makes the daemon use the new key.  On any
 * failure nothing changes.  Returns {"master_key_id", "previous_master_key_id",
 * "clinics_rewrapped"}.
 */
JsonNode *mv_auth_rotate_master (MvAuth *auth,
				 const MvAuthContext *actor,
				 const gchar *new_key_file,
				 const gchar *request_id,
				 GError **error);

/**
 * mv_auth_rotate_clinic_key:
 * @clinic_id: the tenant (a UUID)
 *
 * The clinic half of a shredding epoch (docs/security.md, "Crypto-shredding"): a new KEK for
 * the clinic, every live patient's DEK re-wrapped and blind index recomputed, the new wrapped
 * KEK stored and a "clinic-key.rotate" entry appended to the clinic's audit tree, in one
 * transaction under the clinic row's lock (mv_clinic_keys_rotate_conn(), records/mv-clinic-keys.h).
 * Operator only.  Returns {"tenant_id", "patients_rewrapped", "master_key_id"};
 * %MV_ERROR_NOT_FOUND for an unknown tenant.
 */
JsonNode *mv_auth_rotate_clinic_key (MvAuth *auth,
				     const MvAuthContext *actor,
				     const gchar *clinic_id,
				     const gchar *request_id,
				     GError **error);

/**
 * mv_auth_rotate_master_conn:
 *
 * The rotation's database part, inside the caller's transaction on @conn: re-wraps every
 * clinic KEK from @old_vault to @new_vault.  For tests and for mv_auth_rotate_master().
 */
gboolean mv_auth_rotate_master_conn (
	PGconn *conn, MvVault *old_vault, MvVault *new_vault, guint *n_rewrapped, GError **error);

/* ---- patient invites (the patients module calls these in its own transaction) ------------- */

/**
 * mv_auth_create_patient_invite:
 * @conn: a connection inside the caller's transaction
 * @signer: (nullable): the services' audit signer
 * @witness: (nullable): the services' audit witness
 * @actor: a clinician (or clinic-admin) of the patient's clinic
 * @patient_id: the patient, already checked by the caller to exist in @actor's clinic
 * @request_id: (nullable)
 * @code_out: (out) (transfer full): the one-time code (mvi_<32 hex>), shown once
 * @expires_at_out: (out) (transfer full): RFC 3339 UTC
 *
 * Stores the code's hash with a %MV_AUTH_INVITE_TTL_SECONDS expiry and appends an
 * "invite.create" audit entry.
 */
gboolean mv_auth_create_patient_invite (PGconn *conn,
					const MvAuditSigner *signer,
					MvAuditWitness *witness,
					const MvAuthContext *actor,
					const gchar *patient_id,
					const gchar *request_id,
					gchar **code_out,
					gchar **expires_at_out,
					GError **error);

/**
 * mv_auth_revoke_patient_keys:
 *
 * For a patient's deletion: revokes the patient's keys and deletes its open invites, in the
 * caller's transaction, scoped by @clinic_id.
 */
gboolean mv_auth_revoke_patient_keys (PGconn *conn,
				      const gchar *clinic_id,
				      const gchar *patient_id,
				      GError **error);

/* Redeems an invite code: returns {"key_id", "token", "tenant_id", "patient_id", "role"};
 * %MV_ERROR_NOT_FOUND for an unknown, used or expired code (one message for all). */
JsonNode *
mv_auth_redeem_invite (MvAuth *auth, const gchar *code, const gchar *request_id, GError **error);

/* Authentication remembers a verified key for MV_AUTH_KNOWN_KEY_SECONDS; code that revokes keys
 * outside this module (a shredded patient's) calls this after its transaction commits. */
void mv_auth_forget_known_keys (MvAuth *auth);

G_END_DECLS
