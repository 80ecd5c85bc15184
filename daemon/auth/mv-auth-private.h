/* Shared between the auth module's files; not for other modules.
 *
 * The module, one concern a file:
 *   mv-auth.c                 the MvAuth object, start-up checks, shared helpers (below)
 *   mv-auth-token.c           token formats, secrets and hashing
 *   mv-auth-authenticate.c    the bearer-token authenticator and its per-key rate limit
 *   mv-auth-address.c         the per-address rate limit of failed and keyless attempts
 *   mv-auth-tenants.c         tenants (clinics)
 *   mv-auth-keys.c            clinic API keys
 *   mv-auth-operator-keys.c   operator keys
 *   mv-auth-invites.c         patient invites
 *   mv-auth-rotate.c          master-key rotation; clinic-key rotation over the records module
 *   mv-auth-http.c, mv-auth-dbus.c   the HTTP and D-Bus adapters over the operations above
 */
#pragma once

#include "mv-auth.h"

G_BEGIN_DECLS

struct _MvAuth {
	MvServices *services;
	GMutex lock;	     /* buckets */
	GHashTable *buckets; /* key_id -> Bucket (mv-auth-authenticate.c) */
	GHashTable *known;   /* key_id -> KnownKey: recently verified keys (same file) */
	gint64 last_prune_us;
	GHashTable *address_buckets; /* address key -> AddressBucket (mv-auth-address.c) */
	gint64 address_last_prune_us;
	gint running_admin_calls; /* atomic: D-Bus admin calls in worker threads */
};

/* Verified keys are remembered this long, so a busy key costs no database round trip per
 * request.  A key revoked through this daemon stops working at once; one revoked through another
 * instance sharing the database, or expiring, within this many seconds.  */
#define MV_AUTH_KNOWN_KEY_SECONDS 2

/* GDestroyNotify of the remembered keys */
void mv_auth_known_key_free (gpointer known);

/* ---- tokens (mv-auth-token.c) -------------------------------------------------------------- */

#define MV_AUTH_TOKEN_SECRET_BYTES 32
#define MV_AUTH_KEY_ID_BYTES 8
#define MV_AUTH_INVITE_BYTES 16
#define MV_AUTH_HASH_BYTES 32
/* Domain labels used as BLAKE2b keys: they separate the hash families, they are not secret. */
#define MV_AUTH_API_KEY_DOMAIN "medverse.api-key.v1"
#define MV_AUTH_INVITE_DOMAIN "medverse.invite.v1"

typedef struct {
	gboolean operator;
	gchar key_id[MV_AUTH_KEY_ID_BYTES * 2 + 1];
	guint8 hash[MV_AUTH_HASH_BYTES];
} MvAuthParsedToken;

void mv_auth_hash_token (const gchar *domain, const gchar *token, guint8 out[MV_AUTH_HASH_BYTES]);
gchar *mv_auth_random_hex (gsize n_bytes);
gboolean mv_auth_is_lower_hex (const gchar *s, gsize len);
/* overwrites @s (nullable) with zeros, for strings that held a secret */
void mv_auth_wipe_string (gchar *s);
/* 16 lowercase hex characters */
gboolean mv_auth_is_key_id (const gchar *s);
/* mvop_<64 hex>: its hash, and the key id derived from the hash */
gboolean mv_auth_parse_operator_token (const gchar *token,
				       guint8 hash[MV_AUTH_HASH_BYTES],
				       gchar key_id[MV_AUTH_KEY_ID_BYTES * 2 + 1]);
/* an mvk_ or mvop_ token; FALSE when it is malformed */
gboolean mv_auth_parse_token (const gchar *token, MvAuthParsedToken *out);

/* ---- shared helpers (mv-auth.c) ------------------------------------------------------------ */

MvServices *mv_auth_get_services (MvAuth *auth);
/* a canonical lowercase-or-not UUID string (36 characters) */
gboolean mv_auth_is_uuid (const gchar *s);
/* UTF-8, at most MV_AUTH_MAX_NAME characters, no control characters; @field names it */
gboolean mv_auth_check_name (const gchar *name, const gchar *field, GError **error);
/* Appends an audit entry to @actor's clinic tree; for an operator to the operator tree (the
 * resource named "<clinic>/<id>") and, when it acted on a clinic, to that clinic's tree too. */
gboolean mv_auth_audit (PGconn *conn,
			const MvAuditSigner *signer,
			MvAuditWitness *witness,
			const MvAuthContext *actor,
			const gchar *clinic_id,
			const gchar *action,
			const gchar *resource_type,
			const gchar *resource_id,
			const gchar *request_id,
			GError **error);
/* RFC 3339 with an explicit offset ("Z" or ±hh:mm), for HTTP bodies and D-Bus arguments alike;
 * %MV_ERROR_INVALID_INPUT naming @name otherwise. */
GDateTime *mv_auth_parse_rfc3339 (const gchar *text, const gchar *name, GError **error);
gboolean mv_auth_transaction (MvAuth *auth, MvDbTransactionFunc fn, gpointer data, GError **error);
gboolean mv_auth_check_scope (const MvAuthContext *actor, const gchar *clinic_id, GError **error);
gboolean mv_auth_lock_clinic (PGconn *conn, const gchar *clinic_id, GError **error);
const gchar *mv_auth_nullable_value (PGresult *res, int row, int col);
void mv_auth_add_nullable (JsonBuilder *b, const gchar *name, const gchar *value);

/* ---- keys (mv-auth-keys.c, mv-auth-operator-keys.c) ---------------------------------------- */

typedef struct {
	MvAuth *auth;
	const MvAuthContext *actor;
	const gchar *clinic_id;
	MvRole role;
	const gchar *patient_id; /* patient keys only */
	const gchar *expires_at; /* RFC 3339 or NULL */
	const gchar *label;
	const gchar *request_id;
	const gchar *action;
	JsonNode *result;
} MvAuthKeyCreate;

/* Inserts a new key and its audit entry in @conn's transaction; the token goes into
 * @kc->result once and nowhere else. */
gboolean mv_auth_insert_key (PGconn *conn, MvAuthKeyCreate *kc, GError **error);
/* Registers the operator token in @path if the file exists (idempotent). */
gboolean mv_auth_register_operator_key_file (MvAuth *auth, const gchar *path, GError **error);

G_END_DECLS
