/* Clinics, API keys, the authenticator and its rate limit, invites, master-key rotation. */
#define G_LOG_DOMAIN "medverse-auth"

#include "mv-auth-private.h"

#include <medverse/mv-error.h>
#include <sodium.h>
#include <string.h>

#include "../audit/mv-audit-log.h"

#define TOKEN_SECRET_BYTES 32
#define KEY_ID_BYTES 8
#define INVITE_BYTES 16
#define HASH_BYTES 32
/* Domain labels used as BLAKE2b keys: they separate the hash families, they are not secret. */
#define API_KEY_DOMAIN "medverse.api-key.v1"
#define INVITE_DOMAIN "medverse.invite.v1"

/* RFC 3339 UTC with microseconds, formatted by PostgreSQL */
#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

typedef struct {
	gdouble tokens;
	gint64 refilled_us;
	gint64 last_used_written_us;
} Bucket;

struct _MvAuth {
	MvServices *services;
	GMutex lock;	     /* buckets */
	GHashTable *buckets; /* key_id -> Bucket */
	gint64 last_prune_us;
};

MvAuth *
mv_auth_new (MvServices *services)
{
	MvAuth *auth = g_new0 (MvAuth, 1);
	auth->services = services;
	g_mutex_init (&auth->lock);
	auth->buckets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	return auth;
}

void
mv_auth_free (MvAuth *auth)
{
	if (auth == NULL)
		return;
	g_hash_table_unref (auth->buckets);
	g_mutex_clear (&auth->lock);
	g_free (auth);
}

MvServices *
mv_auth_get_services (MvAuth *auth)
{
	return auth->services;
}

/* ---- small helpers ------------------------------------------------------------------------ */

static void
hash_token (const gchar *domain, const gchar *token, guint8 out[HASH_BYTES])
{
	crypto_generichash (out, HASH_BYTES, (const guint8 *)token, strlen (token),
			    (const guint8 *)domain, strlen (domain));
}

/* bytea as a text parameter: PostgreSQL's hex input format */
static gchar *
bytea_param (const guint8 *data, gsize len)
{
	gchar *out = g_malloc (len * 2 + 3);
	out[0] = '\\';
	out[1] = 'x';
	sodium_bin2hex (out + 2, len * 2 + 1, data, len);
	return out;
}

static gchar *
random_hex (gsize n_bytes)
{
	g_autofree guint8 *raw = g_malloc (n_bytes);
	gchar *hex = g_malloc (n_bytes * 2 + 1);
	randombytes_buf (raw, n_bytes);
	sodium_bin2hex (hex, n_bytes * 2 + 1, raw, n_bytes);
	sodium_memzero (raw, n_bytes);
	return hex;
}

static gboolean
is_lower_hex (const gchar *s, gsize len)
{
	for (gsize i = 0; i < len; i++)
		if (!g_ascii_isxdigit (s[i]) || g_ascii_isupper (s[i]))
			return FALSE;
	return TRUE;
}

static void
wipe_string (gchar *s)
{
	if (s != NULL)
		sodium_memzero (s, strlen (s));
}

gboolean
mv_auth_is_uuid (const gchar *s)
{
	return s != NULL && strlen (s) == 36 && g_uuid_string_is_valid (s);
}

gboolean
mv_auth_is_key_id (const gchar *s)
{
	return s != NULL && strlen (s) == KEY_ID_BYTES * 2 && is_lower_hex (s, KEY_ID_BYTES * 2);
}

static gboolean
audit (PGconn *conn,
       const MvAuthContext *actor,
       const gchar *clinic_id,
       const gchar *action,
       const gchar *resource_type,
       const gchar *resource_id,
       const gchar *request_id,
       GError **error)
{
	/* operator actions go to the operator tree (mv-audit.h), clinic actions to the clinic's */
	const gchar *tree = (actor != NULL && actor->role == MV_ROLE_OPERATOR) ? NULL : clinic_id;
	g_autofree gchar *resource = (tree == NULL && clinic_id != NULL && resource_id != NULL)
					     ? g_strdup_printf ("%s/%s", clinic_id, resource_id)
					     : g_strdup (resource_id);
	return mv_audit_log_append (conn, actor, tree, action, resource_type, resource, request_id,
				    error);
}

/* Runs @fn in a transaction of the services' pool. */
static gboolean
transaction (MvAuth *auth, MvDbTransactionFunc fn, gpointer data, GError **error)
{
	return mv_db_transaction (auth->services->db, fn, data, error);
}

/* The clinic-admin scope check, before any SQL: a clinic-admin of another clinic sees 404,
 * exactly as for a clinic that does not exist. */
static gboolean
check_scope (const MvAuthContext *actor, const gchar *clinic_id, GError **error)
{
	if (!mv_auth_is_uuid (clinic_id)
	    || (actor->role != MV_ROLE_OPERATOR && g_strcmp0 (actor->clinic_id, clinic_id) != 0)) {
		g_set_error (error, MV_ERROR, MV_ERROR_NOT_FOUND, "no tenant %s",
			     mv_auth_is_uuid (clinic_id) ? clinic_id : "with that id");
		return FALSE;
	}
	if (actor->role != MV_ROLE_OPERATOR && actor->role != MV_ROLE_CLINIC_ADMIN) {
		g_set_error (error, MV_ERROR, MV_ERROR_FORBIDDEN, "a %s key may not manage keys",
			     mv_role_to_string (actor->role));
		return FALSE;
	}
	return TRUE;
}

/* Locks the clinic row (FOR SHARE: key changes of one clinic do not block each other, a master
 * rotation waits for them); %MV_ERROR_NOT_FOUND if there is none. */
static gboolean
lock_clinic (PGconn *conn, const gchar *clinic_id, GError **error)
{
	const gchar *params[] = { clinic_id };
	g_autoptr (PGresult) res = mv_db_exec_params (
		conn, "SELECT 1 FROM clinics WHERE clinic_id = $1 FOR SHARE", 1, params, error);
	if (res == NULL)
		return FALSE;
	if (PQntuples (res) == 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_NOT_FOUND, "no tenant %s", clinic_id);
		return FALSE;
	}
	return TRUE;
}

static const gchar *
nullable_value (PGresult *res, int row, int col)
{
	return PQgetisnull (res, row, col) ? NULL : PQgetvalue (res, row, col);
}

static void
add_nullable (JsonBuilder *b, const gchar *name, const gchar *value)
{
	json_builder_set_member_name (b, name);
	if (value == NULL)
		json_builder_add_null_value (b);
	else
		json_builder_add_string_value (b, value);
}

/* ---- tenants ------------------------------------------------------------------------------ */

typedef struct {
	MvAuth *auth;
	const MvAuthContext *actor;
	const gchar *name;
	const gchar *request_id;
	JsonNode *result;
} TenantCreate;

static gboolean
tenant_create_tx (PGconn *conn, gpointer data, GError **error)
{
	TenantCreate *tc = data;
	MvVault *vault = mv_services_get_vault (tc->auth->services);
	g_autofree gchar *clinic_id = g_uuid_string_random ();
	g_autoptr (GBytes) wrapped = mv_vault_new_kek (vault, clinic_id, NULL, error);
	g_autofree gchar *wrapped_param = NULL;
	g_autoptr (PGresult) res = NULL;
	g_autoptr (JsonBuilder) b = json_builder_new ();
	const gchar *params[4];

	if (wrapped == NULL)
		return FALSE;
	wrapped_param = bytea_param (g_bytes_get_data (wrapped, NULL), g_bytes_get_size (wrapped));
	params[0] = clinic_id;
	params[1] = tc->name;
	params[2] = wrapped_param;
	params[3] = mv_vault_get_master_key_id (vault);
	res = mv_db_exec_params (
		conn,
		"INSERT INTO clinics (clinic_id, name, wrapped_kek, master_key_id) "
		"VALUES ($1, $2, $3, $4) RETURNING " TS ("created_at"),
		4, params, error);
	if (res == NULL)
		return FALSE;
	if (!mv_audit_log_append (conn, tc->actor, NULL, "tenant.create", "tenant", clinic_id,
				  tc->request_id, error))
		return FALSE;
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "id");
	json_builder_add_string_value (b, clinic_id);
	json_builder_set_member_name (b, "name");
	json_builder_add_string_value (b, tc->name);
	json_builder_set_member_name (b, "created_at");
	json_builder_add_string_value (b, PQgetvalue (res, 0, 0));
	json_builder_end_object (b);
	tc->result = json_builder_get_root (b);
	return TRUE;
}

gboolean
mv_auth_check_name (const gchar *name, const gchar *field, GError **error)
{
	glong n;

	if (name == NULL || !g_utf8_validate (name, -1, NULL)) {
		g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT, "%s: must be UTF-8 text",
			     field);
		return FALSE;
	}
	n = g_utf8_strlen (name, -1);
	if (n > MV_AUTH_MAX_NAME) {
		g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
			     "%s: at most %d characters (got %ld)", field, MV_AUTH_MAX_NAME, n);
		return FALSE;
	}
	for (const gchar *p = name; *p != '\0'; p = g_utf8_next_char (p)) {
		if (g_unichar_iscntrl (g_utf8_get_char (p))) {
			g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
				     "%s: control characters are not allowed", field);
			return FALSE;
		}
	}
	return TRUE;
}

JsonNode *
mv_auth_tenant_create (MvAuth *auth,
		       const MvAuthContext *actor,
		       const gchar *name,
		       const gchar *request_id,
		       GError **error)
{
	TenantCreate tc = { auth, actor, name, request_id, NULL };
	g_autofree gchar *stripped = NULL;

	if (actor->role != MV_ROLE_OPERATOR) {
		g_set_error (error, MV_ERROR, MV_ERROR_FORBIDDEN,
			     "only the operator creates tenants");
		return NULL;
	}
	if (!mv_auth_check_name (name, "name", error))
		return NULL;
	stripped = g_strstrip (g_strdup (name));
	if (stripped[0] == '\0') {
		g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT, "name: must not be empty");
		return NULL;
	}
	tc.name = stripped;
	if (!transaction (auth, tenant_create_tx, &tc, error)) {
		g_clear_pointer (&tc.result, json_node_unref);
		return NULL;
	}
	g_message ("tenant %s created by %s",
		   json_object_get_string_member (json_node_get_object (tc.result), "id"),
		   actor->key_id != NULL ? actor->key_id : "operator");
	return tc.result;
}

JsonNode *
mv_auth_tenant_list (MvAuth *auth, const MvAuthContext *actor, GError **error)
{
	PGconn *conn;
	g_autoptr (PGresult) res = NULL;
	g_autoptr (JsonBuilder) b = json_builder_new ();

	if (actor->role != MV_ROLE_OPERATOR) {
		g_set_error (error, MV_ERROR, MV_ERROR_FORBIDDEN,
			     "only the operator lists tenants");
		return NULL;
	}
	conn = mv_db_acquire (auth->services->db, 5000, error);
	if (conn == NULL)
		return NULL;
	res = mv_db_exec_params (conn,
				 "SELECT clinic_id::text, name, " TS (
					 "created_at") ", master_key_id, "
						       "(SELECT count(*) FROM api_keys k WHERE "
						       "k.clinic_id = c.clinic_id "
						       " AND k.revoked_at IS NULL) FROM clinics c "
						       "ORDER BY created_at, clinic_id",
				 0, NULL, error);
	mv_db_release (auth->services->db, conn);
	if (res == NULL)
		return NULL;
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "tenants");
	json_builder_begin_array (b);
	for (int i = 0; i < PQntuples (res); i++) {
		json_builder_begin_object (b);
		json_builder_set_member_name (b, "id");
		json_builder_add_string_value (b, PQgetvalue (res, i, 0));
		json_builder_set_member_name (b, "name");
		json_builder_add_string_value (b, PQgetvalue (res, i, 1));
		json_builder_set_member_name (b, "created_at");
		json_builder_add_string_value (b, PQgetvalue (res, i, 2));
		json_builder_set_member_name (b, "master_key_id");
		json_builder_add_string_value (b, PQgetvalue (res, i, 3));
		json_builder_set_member_name (b, "active_keys");
		json_builder_add_int_value (b, g_ascii_strtoll (PQgetvalue (res, i, 4), NULL, 10));
		json_builder_end_object (b);
	}
	json_builder_end_array (b);
	json_builder_end_object (b);
	return json_builder_get_root (b);
}

/* ---- keys --------------------------------------------------------------------------------- */

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
} KeyCreate;

/* Inserts a new key and its audit entry in @conn's transaction; the token goes into the
 * result once and nowhere else. */
static gboolean
insert_key (PGconn *conn, KeyCreate *kc, GError **error)
{
	g_autofree gchar *key_id = random_hex (KEY_ID_BYTES);
	g_autofree gchar *secret = random_hex (TOKEN_SECRET_BYTES);
	g_autofree gchar *token = g_strdup_printf ("mvk_%s_%s", key_id, secret);
	guint8 hash[HASH_BYTES];
	g_autofree gchar *hash_param = NULL;
	g_autoptr (PGresult) res = NULL;
	g_autoptr (JsonBuilder) b = json_builder_new ();
	const gchar *created_by = kc->actor->key_id != NULL ? kc->actor->key_id : "operator";
	const gchar *params[8];

	wipe_string (secret);
	hash_token (API_KEY_DOMAIN, token, hash);
	hash_param = bytea_param (hash, sizeof hash);
	params[0] = kc->clinic_id;
	params[1] = key_id;
	params[2] = mv_role_to_string (kc->role);
	params[3] = kc->patient_id;
	params[4] = kc->label != NULL ? kc->label : "";
	params[5] = hash_param;
	params[6] = created_by;
	params[7] = kc->expires_at;
	res = mv_db_exec_params (
		conn,
		"INSERT INTO api_keys (clinic_id, key_id, role, patient_id, label, secret_hash, "
		"created_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
		"RETURNING " TS ("created_at") ", " TS ("expires_at"),
		8, params, error);
	if (res == NULL) {
		wipe_string (token);
		return FALSE;
	}
	if (!audit (conn, kc->actor, kc->clinic_id, kc->action, "api-key", key_id, kc->request_id,
		    error)) {
		wipe_string (token);
		return FALSE;
	}
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "key_id");
	json_builder_add_string_value (b, key_id);
	json_builder_set_member_name (b, "token");
	json_builder_add_string_value (b, token);
	json_builder_set_member_name (b, "tenant_id");
	json_builder_add_string_value (b, kc->clinic_id);
	json_builder_set_member_name (b, "role");
	json_builder_add_string_value (b, mv_role_to_string (kc->role));
	if (kc->patient_id != NULL) {
		json_builder_set_member_name (b, "patient_id");
		json_builder_add_string_value (b, kc->patient_id);
	}
	json_builder_set_member_name (b, "label");
	json_builder_add_string_value (b, params[4]);
	json_builder_set_member_name (b, "created_at");
	json_builder_add_string_value (b, PQgetvalue (res, 0, 0));
	add_nullable (b, "expires_at", nullable_value (res, 0, 1));
	json_builder_end_object (b);
	kc->result = json_builder_get_root (b);
	wipe_string (token);
	return TRUE;
}

static gboolean
key_create_tx (PGconn *conn, gpointer data, GError **error)
{
	KeyCreate *kc = data;
	return lock_clinic (conn, kc->clinic_id, error) && insert_key (conn, kc, error);
}

JsonNode *
mv_auth_key_create (MvAuth *auth,
		    const MvAuthContext *actor,
		    const gchar *clinic_id,
		    MvRole role,
		    GDateTime *expires_at,
		    const gchar *label,
		    const gchar *request_id,
		    GError **error)
{
	g_autofree gchar *expires = NULL;
	KeyCreate kc = { auth, actor, clinic_id,  role,		NULL,
			 NULL, label, request_id, "key.create", NULL };

	if (!check_scope (actor, clinic_id, error))
		return NULL;
	if (role != MV_ROLE_CLINIC_ADMIN && role != MV_ROLE_CLINICIAN) {
		g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
			     "role: must be \"clinic-admin\" or \"clinician\" (patient keys come "
			     "from invites)");
		return NULL;
	}
	if (label != NULL && !mv_auth_check_name (label, "label", error))
		return NULL;
	if (expires_at != NULL) {
		g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
		g_autoptr (GDateTime) utc = g_date_time_to_utc (expires_at);
		if (g_date_time_compare (expires_at, now) <= 0) {
			g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
				     "expires_at: must be in the future");
			return NULL;
		}
		if (g_date_time_get_year (utc) > 9999 - 1) {
			g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
				     "expires_at: too far in the future");
			return NULL;
		}
		expires = g_date_time_format_iso8601 (utc);
		kc.expires_at = expires;
	}
	if (!transaction (auth, key_create_tx, &kc, error)) {
		g_clear_pointer (&kc.result, json_node_unref);
		return NULL;
	}
	g_message ("key %s (%s) created for tenant %s by %s",
		   json_object_get_string_member (json_node_get_object (kc.result), "key_id"),
		   mv_role_to_string (role), clinic_id,
		   actor->key_id != NULL ? actor->key_id : "operator");
	return kc.result;
}

JsonNode *
mv_auth_key_list (MvAuth *auth, const MvAuthContext *actor, const gchar *clinic_id, GError **error)
{
	PGconn *conn;
	g_autoptr (PGresult) exists = NULL;
	g_autoptr (PGresult) res = NULL;
	g_autoptr (JsonBuilder) b = json_builder_new ();
	const gchar *params[] = { clinic_id };

	if (!check_scope (actor, clinic_id, error))
		return NULL;
	conn = mv_db_acquire (auth->services->db, 5000, error);
	if (conn == NULL)
		return NULL;
	exists = mv_db_exec_params (conn, "SELECT 1 FROM clinics WHERE clinic_id = $1", 1, params,
				    error);
	if (exists != NULL && PQntuples (exists) == 0)
		g_set_error (error, MV_ERROR, MV_ERROR_NOT_FOUND, "no tenant %s", clinic_id);
	else if (exists != NULL)
		res
			= mv_db_exec_params (conn,
					     "SELECT key_id, role, patient_id::text, label, "
					     "created_by, " TS ("created_at") ", " TS ("expires_at") ", " TS (
						     "revoked_at") ", " TS ("last_used_at") ", "
											    "(revok"
											    "ed_at "
											    "IS "
											    "NULL "
											    "AND "
											    "(expir"
											    "es_at "
											    "IS "
											    "NULL "
											    "OR "
											    "expire"
											    "s_at "
											    "> "
											    "now())"
											    ") "
											    "FROM "
											    "api_"
											    "keys "
											    "WHERE "
											    "clinic"
											    "_id = "
											    "$1 "
											    "ORDER "
											    "BY "
											    "create"
											    "d_at, "
											    "key_"
											    "id",
					     1, params, error);
	mv_db_release (auth->services->db, conn);
	if (res == NULL)
		return NULL;
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "keys");
	json_builder_begin_array (b);
	for (int i = 0; i < PQntuples (res); i++) {
		json_builder_begin_object (b);
		add_nullable (b, "key_id", nullable_value (res, i, 0));
		add_nullable (b, "role", nullable_value (res, i, 1));
		add_nullable (b, "patient_id", nullable_value (res, i, 2));
		add_nullable (b, "label", nullable_value (res, i, 3));
		add_nullable (b, "created_by", nullable_value (res, i, 4));
		add_nullable (b, "created_at", nullable_value (res, i, 5));
		add_nullable (b, "expires_at", nullable_value (res, i, 6));
		add_nullable (b, "revoked_at", nullable_value (res, i, 7));
		add_nullable (b, "last_used_at", nullable_value (res, i, 8));
		json_builder_set_member_name (b, "active");
		json_builder_add_boolean_value (b, g_strcmp0 (PQgetvalue (res, i, 9), "t") == 0);
		json_builder_end_object (b);
	}
	json_builder_end_array (b);
	json_builder_end_object (b);
	return json_builder_get_root (b);
}

typedef struct {
	const MvAuthContext *actor;
	const gchar *clinic_id;
	const gchar *key_id;
	const gchar *request_id;
} KeyRevoke;

static gboolean
key_revoke_tx (PGconn *conn, gpointer data, GError **error)
{
	KeyRevoke *kr = data;
	const gchar *params[] = { kr->clinic_id, kr->key_id };
	g_autoptr (PGresult) res = NULL;

	if (!lock_clinic (conn, kr->clinic_id, error))
		return FALSE;
	res = mv_db_exec_params (conn,
				 "SELECT revoked_at IS NOT NULL FROM api_keys "
				 "WHERE clinic_id = $1 AND key_id = $2 FOR UPDATE",
				 2, params, error);
	if (res == NULL)
		return FALSE;
	if (PQntuples (res) == 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_NOT_FOUND, "no key %s in tenant %s",
			     kr->key_id, kr->clinic_id);
		return FALSE;
	}
	if (g_strcmp0 (PQgetvalue (res, 0, 0), "t") == 0)
		return TRUE; /* already revoked: idempotent, nothing new to audit */
	g_clear_pointer (&res, PQclear);
	res = mv_db_exec_params (conn,
				 "UPDATE api_keys SET revoked_at = now() "
				 "WHERE clinic_id = $1 AND key_id = $2",
				 2, params, error);
	if (res == NULL)
		return FALSE;
	return audit (conn, kr->actor, kr->clinic_id, "key.revoke", "api-key", kr->key_id,
		      kr->request_id, error);
}

gboolean
mv_auth_key_revoke (MvAuth *auth,
		    const MvAuthContext *actor,
		    const gchar *clinic_id,
		    const gchar *key_id,
		    const gchar *request_id,
		    GError **error)
{
	KeyRevoke kr = { actor, clinic_id, key_id, request_id };

	if (!check_scope (actor, clinic_id, error))
		return FALSE;
	if (!mv_auth_is_key_id (key_id)) {
		g_set_error (error, MV_ERROR, MV_ERROR_NOT_FOUND,
			     "no key with that id in tenant %s", clinic_id);
		return FALSE;
	}
	if (!transaction (auth, key_revoke_tx, &kr, error))
		return FALSE;
	g_message ("key %s of tenant %s revoked by %s", key_id, clinic_id,
		   actor->key_id != NULL ? actor->key_id : "operator");
	return TRUE;
}

/* ---- operator keys ------------------------------------------------------------------------ */

static gboolean
parse_operator_token (const gchar *token,
		      guint8 hash[HASH_BYTES],
		      gchar key_id[KEY_ID_BYTES * 2 + 1])
{
	gsize len = strlen (token);
	if (len != 5 + TOKEN_SECRET_BYTES * 2 || !g_str_has_prefix (token, "mvop_")
	    || !is_lower_hex (token + 5, TOKEN_SECRET_BYTES * 2))
		return FALSE;
	hash_token (API_KEY_DOMAIN, token, hash);
	sodium_bin2hex (key_id, KEY_ID_BYTES * 2 + 1, hash, KEY_ID_BYTES);
	return TRUE;
}

/* Inserts an operator key; *inserted FALSE when it was already there (idempotent). */
static gboolean
insert_operator_key (PGconn *conn,
		     const gchar *token,
		     const gchar *label,
		     const gchar *created_by,
		     gboolean *inserted,
		     gchar **key_id_out,
		     GError **error)
{
	guint8 hash[HASH_BYTES];
	gchar key_id[KEY_ID_BYTES * 2 + 1];
	g_autofree gchar *hash_param = NULL;
	g_autoptr (PGresult) res = NULL;
	const gchar *params[4];

	if (!parse_operator_token (token, hash, key_id)) {
		g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
			     "an operator key is mvop_ followed by 64 lowercase hex characters");
		return FALSE;
	}
	hash_param = bytea_param (hash, sizeof hash);
	params[0] = key_id;
	params[1] = label;
	params[2] = hash_param;
	params[3] = created_by;
	res = mv_db_exec_params (
		conn,
		"INSERT INTO operator_keys (key_id, label, secret_hash, created_by) "
		"VALUES ($1, $2, $3, $4) ON CONFLICT (key_id) DO NOTHING RETURNING 1",
		4, params, error);
	if (res == NULL)
		return FALSE;
	*inserted = PQntuples (res) == 1;
	if (key_id_out != NULL)
		*key_id_out = g_strdup (key_id);
	return TRUE;
}

typedef struct {
	const MvAuthContext *actor;
	const gchar *token;
	const gchar *label;
	const gchar *request_id;
	gchar *key_id;
	gboolean inserted;
} OperatorKey;

static gboolean
operator_key_tx (PGconn *conn, gpointer data, GError **error)
{
	OperatorKey *ok = data;
	const gchar *created_by
		= ok->actor != NULL && ok->actor->key_id != NULL ? ok->actor->key_id : "system";
	if (!insert_operator_key (conn, ok->token, ok->label, created_by, &ok->inserted,
				  &ok->key_id, error))
		return FALSE;
	if (!ok->inserted)
		return TRUE;
	return mv_audit_log_append (conn, ok->actor, NULL, "operator-key.create", "operator-key",
				    ok->key_id, ok->request_id, error);
}

JsonNode *
mv_auth_operator_key_create (MvAuth *auth,
			     const MvAuthContext *actor,
			     const gchar *label,
			     const gchar *request_id,
			     GError **error)
{
	g_autofree gchar *secret = random_hex (TOKEN_SECRET_BYTES);
	g_autofree gchar *token = g_strdup_printf ("mvop_%s", secret);
	OperatorKey ok = { actor, token, label != NULL ? label : "", request_id, NULL, FALSE };
	g_autofree gchar *key_id = NULL;
	g_autoptr (JsonBuilder) b = json_builder_new ();
	JsonNode *result;

	wipe_string (secret);
	if (actor->role != MV_ROLE_OPERATOR) {
		wipe_string (token);
		g_set_error (error, MV_ERROR, MV_ERROR_FORBIDDEN,
			     "only the operator creates operator keys");
		return NULL;
	}
	if (label != NULL && !mv_auth_check_name (label, "label", error)) {
		wipe_string (token);
		return NULL;
	}
	if (!transaction (auth, operator_key_tx, &ok, error)) {
		wipe_string (token);
		g_free (ok.key_id);
		return NULL;
	}
	key_id = ok.key_id;
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "key_id");
	json_builder_add_string_value (b, key_id);
	json_builder_set_member_name (b, "token");
	json_builder_add_string_value (b, token);
	json_builder_set_member_name (b, "role");
	json_builder_add_string_value (b, "operator");
	json_builder_end_object (b);
	result = json_builder_get_root (b);
	wipe_string (token);
	g_message ("operator key %s created by %s", key_id,
		   actor->key_id != NULL ? actor->key_id : "operator");
	return result;
}

static gboolean
register_operator_key_file (MvAuth *auth, const gchar *path, GError **error)
{
	g_autofree gchar *contents = NULL;
	gsize len = 0;
	MvAuthContext system = { MV_ROLE_OPERATOR, (gchar *)"system", NULL, NULL };
	OperatorKey ok = { &system, NULL, "operator.key file", NULL, NULL, FALSE };
	gboolean done;

	if (!g_file_test (path, G_FILE_TEST_EXISTS))
		return TRUE;
	if (!g_file_get_contents (path, &contents, &len, error))
		return FALSE;
	ok.token = g_strstrip (contents);
	done = transaction (auth, operator_key_tx, &ok, error);
	sodium_memzero (contents, len);
	if (!done) {
		g_prefix_error (error, "operator key file %s: ", path);
		return FALSE;
	}
	if (ok.inserted)
		g_message ("registered the operator key in %s (key id %s)", path, ok.key_id);
	g_free (ok.key_id);
	return TRUE;
}

gboolean
mv_auth_start (MvAuth *auth, const gchar *operator_key_file, GError **error)
{
	MvVault *vault = mv_services_get_vault (auth->services);
	const gchar *params[] = { mv_vault_get_master_key_id (vault) };
	g_autoptr (PGresult) res = NULL;
	PGconn *conn;

	if (operator_key_file != NULL
	    && !register_operator_key_file (auth, operator_key_file, error))
		return FALSE;
	conn = mv_db_acquire (auth->services->db, 30000, error);
	if (conn == NULL)
		return FALSE;
	res = mv_db_exec_params (conn, "SELECT count(*) FROM clinics WHERE master_key_id <> $1", 1,
				 params, error);
	mv_db_release (auth->services->db, conn);
	if (res == NULL)
		return FALSE;
	if (g_strcmp0 (PQgetvalue (res, 0, 0), "0") != 0)
		g_warning (
			"%s tenant(s) have their key wrapped under another master key than the "
			"loaded one (id %s): their patient data cannot be read; is master-key-file "
			"the key of the last rotation?",
			PQgetvalue (res, 0, 0), params[0]);
	return TRUE;
}

/* ---- the authenticator and the rate limit ------------------------------------------------- */

static void
set_unauthorized (GError **error)
{
	/* one message for malformed, unknown, revoked and expired: no oracle */
	g_set_error (error, MV_ERROR, MV_ERROR_UNAUTHORIZED,
		     "the API key is not valid (send Authorization: Bearer <key>)");
}

typedef struct {
	gboolean operator;
	gchar key_id[KEY_ID_BYTES * 2 + 1];
	guint8 hash[HASH_BYTES];
} ParsedToken;

static gboolean
parse_token (const gchar *token, ParsedToken *out)
{
	gsize len = strlen (token);

	if (g_str_has_prefix (token, "mvop_")) {
		out->operator= TRUE;
		return parse_operator_token (token, out->hash, out->key_id);
	}
	/* mvk_ + 16 + _ + 64 */
	if (len != 4 + KEY_ID_BYTES * 2 + 1 + TOKEN_SECRET_BYTES * 2
	    || !g_str_has_prefix (token, "mvk_") || token[4 + KEY_ID_BYTES * 2] != '_'
	    || !is_lower_hex (token + 4, KEY_ID_BYTES * 2)
	    || !is_lower_hex (token + 4 + KEY_ID_BYTES * 2 + 1, TOKEN_SECRET_BYTES * 2))
		return FALSE;
	out->operator= FALSE;
	memcpy (out->key_id, token + 4, KEY_ID_BYTES * 2);
	out->key_id[KEY_ID_BYTES * 2] = '\0';
	hash_token (API_KEY_DOMAIN, token, out->hash);
	return TRUE;
}

/* Takes one token from the key's bucket.  Returns 0, or the seconds until one is available.
 * *write_last_used is set at most once a minute per key. */
static guint
take_token (MvAuth *auth, const gchar *key_id, gboolean *write_last_used)
{
	gdouble rate = auth->services->config->rate_limit_per_second;
	gdouble burst = auth->services->config->rate_limit_burst;
	gint64 now = g_get_monotonic_time ();
	Bucket *bucket;
	guint retry = 0;

	g_mutex_lock (&auth->lock);
	/* forget buckets idle long enough to be full again (bounded memory) */
	if (now - auth->last_prune_us > 60 * G_USEC_PER_SEC) {
		GHashTableIter iter;
		gpointer value;
		g_hash_table_iter_init (&iter, auth->buckets);
		while (g_hash_table_iter_next (&iter, NULL, &value)) {
			Bucket *old = value;
			if (now - old->refilled_us > 10 * 60 * G_USEC_PER_SEC
			    && (now - old->refilled_us) / (gdouble)G_USEC_PER_SEC * rate > burst)
				g_hash_table_iter_remove (&iter);
		}
		auth->last_prune_us = now;
	}
	bucket = g_hash_table_lookup (auth->buckets, key_id);
	if (bucket == NULL) {
		bucket = g_new0 (Bucket, 1);
		bucket->tokens = burst;
		bucket->refilled_us = now;
		bucket->last_used_written_us = G_MININT64 / 2;
		g_hash_table_insert (auth->buckets, g_strdup (key_id), bucket);
	}
	bucket->tokens = MIN (
		burst,
		bucket->tokens + (now - bucket->refilled_us) / (gdouble)G_USEC_PER_SEC * rate);
	bucket->refilled_us = now;
	if (bucket->tokens >= 1.0) {
		bucket->tokens -= 1.0;
		*write_last_used = now - bucket->last_used_written_us
				   >= MV_AUTH_LAST_USED_INTERVAL_SECONDS * G_USEC_PER_SEC;
		if (*write_last_used)
			bucket->last_used_written_us = now;
	} else {
		gdouble wait = (1.0 - bucket->tokens) / rate;
		retry = MAX (1, (guint)(wait + 0.999999));
	}
	g_mutex_unlock (&auth->lock);
	return retry;
}

static const guint8 dummy_hash[HASH_BYTES] = { 0 };

MvAuthContext *
mv_auth_authenticate (MvAuth *auth, const gchar *token, guint *retry_after, GError **error)
{
	ParsedToken parsed;
	PGconn *conn;
	g_autoptr (PGresult) res = NULL;
	g_autoptr (MvAuthContext) ctx = NULL;
	const gchar *params[1];
	guint8 stored[HASH_BYTES];
	gboolean found, valid, write_last_used = FALSE;
	guint retry;

	*retry_after = 0;
	if (token == NULL || !parse_token (token, &parsed)) {
		set_unauthorized (error);
		return NULL;
	}
	params[0] = parsed.key_id;
	conn = mv_db_acquire (auth->services->db, 5000, error);
	if (conn == NULL)
		return NULL;
	res = mv_db_exec_params (
		conn,
		parsed.operator
			? "SELECT encode(secret_hash, 'hex'), (revoked_at IS NULL AND (expires_at "
			  "IS "
			  "NULL OR expires_at > now())), NULL, 'operator', NULL FROM operator_keys "
			  "WHERE key_id = $1"
			: "SELECT encode(secret_hash, 'hex'), (revoked_at IS NULL AND (expires_at "
			  "IS "
			  "NULL OR expires_at > now())), clinic_id::text, role, patient_id::text "
			  "FROM api_keys WHERE key_id = $1",
		1, params, error);
	if (res == NULL) {
		mv_db_release (auth->services->db, conn);
		return NULL;
	}
	found = PQntuples (res) == 1
		&& sodium_hex2bin (stored, sizeof stored, PQgetvalue (res, 0, 0),
				   strlen (PQgetvalue (res, 0, 0)), NULL, NULL, NULL)
			   == 0;
	/* compare in constant time, against a dummy when there is no row */
	valid = sodium_memcmp (parsed.hash, found ? stored : dummy_hash, HASH_BYTES) == 0;
	sodium_memzero (&parsed.hash, sizeof parsed.hash);
	if (!found || !valid || g_strcmp0 (PQgetvalue (res, 0, 1), "t") != 0) {
		mv_db_release (auth->services->db, conn);
		set_unauthorized (error);
		return NULL;
	}
	ctx = g_new0 (MvAuthContext, 1);
	ctx->role = mv_role_from_string (PQgetvalue (res, 0, 3));
	ctx->key_id = g_strdup (parsed.key_id);
	ctx->clinic_id = g_strdup (nullable_value (res, 0, 2));
	ctx->patient_id = g_strdup (nullable_value (res, 0, 4));
	retry = take_token (auth, parsed.key_id, &write_last_used);
	if (write_last_used) {
		g_autoptr (GError) local = NULL;
		g_autoptr (PGresult) upd = mv_db_exec_params (
			conn,
			parsed.operator
				? "UPDATE operator_keys SET last_used_at = now() WHERE key_id = $1"
				: "UPDATE api_keys SET last_used_at = now() WHERE key_id = $1",
			1, params, &local);
		if (upd == NULL)
			g_warning ("key %s: recording its last use failed: %s", parsed.key_id,
				   local->message);
	}
	mv_db_release (auth->services->db, conn);
	if (retry > 0) {
		*retry_after = retry;
		g_set_error (error, MV_ERROR, MV_ERROR_RATE_LIMITED,
			     "too many requests for this key; retry in %u s", retry);
		return NULL;
	}
	if (ctx->role == MV_ROLE_NONE) {
		set_unauthorized (error);
		return NULL;
	}
	return g_steal_pointer (&ctx);
}

/* ---- patient invites ---------------------------------------------------------------------- */

gboolean
mv_auth_create_patient_invite (PGconn *conn,
			       const MvAuthContext *actor,
			       const gchar *patient_id,
			       const gchar *request_id,
			       gchar **code_out,
			       gchar **expires_at_out,
			       GError **error)
{
	g_autofree gchar *secret = random_hex (INVITE_BYTES);
	g_autofree gchar *code = g_strdup_printf ("mvi_%s", secret);
	g_autofree gchar *ttl = g_strdup_printf ("%d seconds", MV_AUTH_INVITE_TTL_SECONDS);
	guint8 hash[HASH_BYTES];
	g_autofree gchar *hash_param = NULL;
	g_autoptr (PGresult) res = NULL;
	const gchar *params[5];

	wipe_string (secret);
	if ((actor->role & MV_ROLE_ANY_CLINIC_STAFF) == 0 || actor->clinic_id == NULL) {
		g_set_error (error, MV_ERROR, MV_ERROR_FORBIDDEN,
			     "only clinic staff create patient invites");
		return FALSE;
	}
	if (!mv_auth_is_uuid (patient_id)) {
		g_set_error (error, MV_ERROR, MV_ERROR_NOT_FOUND, "no patient with that id");
		return FALSE;
	}
	hash_token (INVITE_DOMAIN, code, hash);
	hash_param = bytea_param (hash, sizeof hash);
	params[0] = actor->clinic_id;
	params[1] = hash_param;
	params[2] = patient_id;
	params[3] = actor->key_id != NULL ? actor->key_id : "system";
	params[4] = ttl;
	res = mv_db_exec_params (
		conn,
		"INSERT INTO patient_invites (clinic_id, code_hash, patient_id, "
		"created_by, expires_at) VALUES ($1, $2, $3, $4, now() + $5::interval) "
		"RETURNING " TS ("expires_at"),
		5, params, error);
	if (res == NULL
	    || !audit (conn, actor, actor->clinic_id, "invite.create", "patient", patient_id,
		       request_id, error)) {
		wipe_string (code);
		return FALSE;
	}
	*code_out = g_steal_pointer (&code);
	*expires_at_out = g_strdup (PQgetvalue (res, 0, 0));
	return TRUE;
}

gboolean
mv_auth_revoke_patient_keys (PGconn *conn,
			     const gchar *clinic_id,
			     const gchar *patient_id,
			     GError **error)
{
	const gchar *params[] = { clinic_id, patient_id };
	g_autoptr (PGresult) keys = mv_db_exec_params (
		conn,
		"UPDATE api_keys SET revoked_at = now() WHERE clinic_id = $1 AND patient_id = $2 "
		"AND revoked_at IS NULL",
		2, params, error);
	g_autoptr (PGresult) invites = NULL;
	if (keys == NULL)
		return FALSE;
	invites = mv_db_exec_params (conn,
				     "DELETE FROM patient_invites WHERE clinic_id = $1 AND "
				     "patient_id = $2 AND redeemed_at IS NULL",
				     2, params, error);
	return invites != NULL;
}

typedef struct {
	MvAuth *auth;
	const gchar *code;
	const gchar *request_id;
	JsonNode *result;
} Redeem;

static gboolean
redeem_tx (PGconn *conn, gpointer data, GError **error)
{
	Redeem *r = data;
	guint8 hash[HASH_BYTES];
	g_autofree gchar *hash_param = NULL;
	g_autoptr (PGresult) res = NULL;
	g_autoptr (PGresult) upd = NULL;
	const gchar *params[3];
	MvAuthContext actor = { MV_ROLE_PATIENT, (gchar *)"invite", NULL, NULL };
	KeyCreate kc = { r->auth, &actor,   NULL,	   MV_ROLE_PATIENT, NULL,
			 NULL,	  "invite", r->request_id, "invite.redeem", NULL };
	const gchar *key_id;

	hash_token (INVITE_DOMAIN, r->code, hash);
	hash_param = bytea_param (hash, sizeof hash);
	params[0] = hash_param;
	res = mv_db_exec_params (
		conn,
		"SELECT clinic_id::text, patient_id::text FROM patient_invites "
		"WHERE code_hash = $1 AND redeemed_at IS NULL AND expires_at > now() "
		"FOR UPDATE",
		1, params, error);
	if (res == NULL)
		return FALSE;
	if (PQntuples (res) == 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_NOT_FOUND,
			     "the invite code is not valid (unknown, used or expired)");
		return FALSE;
	}
	kc.clinic_id = PQgetvalue (res, 0, 0);
	kc.patient_id = PQgetvalue (res, 0, 1);
	actor.clinic_id = (gchar *)kc.clinic_id;
	actor.patient_id = (gchar *)kc.patient_id;
	if (!lock_clinic (conn, kc.clinic_id, error) || !insert_key (conn, &kc, error))
		return FALSE;
	r->result = kc.result;
	key_id = json_object_get_string_member (json_node_get_object (r->result), "key_id");
	params[1] = key_id;
	params[2] = kc.clinic_id;
	upd = mv_db_exec_params (
		conn,
		"UPDATE patient_invites SET redeemed_at = now(), redeemed_key_id = $2 "
		"WHERE clinic_id = $3 AND code_hash = $1",
		3, params, error);
	return upd != NULL;
}

JsonNode *
mv_auth_redeem_invite (MvAuth *auth, const gchar *code, const gchar *request_id, GError **error)
{
	Redeem r = { auth, code, request_id, NULL };

	if (code == NULL || strlen (code) != 4 + INVITE_BYTES * 2
	    || !g_str_has_prefix (code, "mvi_") || !is_lower_hex (code + 4, INVITE_BYTES * 2)) {
		g_set_error (
			error, MV_ERROR, MV_ERROR_INVALID_INPUT,
			"code: an invite code is mvi_ followed by 32 lowercase hex characters");
		return NULL;
	}
	if (!transaction (auth, redeem_tx, &r, error)) {
		g_clear_pointer (&r.result, json_node_unref);
		return NULL;
	}
	g_message ("invite redeemed: patient key %s",
		   json_object_get_string_member (json_node_get_object (r.result), "key_id"));
	return r.result;
}

/* ---- master-key rotation ------------------------------------------------------------------ */

gboolean
mv_auth_rotate_master_conn (
	PGconn *conn, MvVault *old_vault, MvVault *new_vault, guint *n_rewrapped, GError **error)
{
	/* FOR UPDATE: key changes and new clinics wait until the rotation commits */
	g_autoptr (PGresult) res = mv_db_exec_params (
		conn,
		"SELECT clinic_id::text, encode(wrapped_kek, 'hex') FROM clinics "
		"ORDER BY clinic_id FOR UPDATE",
		0, NULL, error);
	const gchar *new_id = mv_vault_get_master_key_id (new_vault);

	if (res == NULL)
		return FALSE;
	*n_rewrapped = 0;
	for (int i = 0; i < PQntuples (res); i++) {
		const gchar *clinic_id = PQgetvalue (res, i, 0);
		const gchar *hex = PQgetvalue (res, i, 1);
		gsize len = strlen (hex) / 2;
		g_autofree guint8 *raw = g_malloc (len + 1);
		g_autoptr (GBytes) wrapped = NULL;
		g_autoptr (GBytes) rewrapped = NULL;
		g_autofree gchar *param = NULL;
		g_autoptr (PGresult) upd = NULL;
		const gchar *params[3];
		gsize got = 0;

		if (sodium_hex2bin (raw, len + 1, hex, strlen (hex), NULL, &got, NULL) != 0) {
			g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
				     "tenant %s: stored wrapped key is not readable", clinic_id);
			return FALSE;
		}
		wrapped = g_bytes_new (raw, got);
		rewrapped = mv_vault_rewrap_kek (old_vault, new_vault, clinic_id, wrapped, error);
		if (rewrapped == NULL) {
			g_prefix_error (error, "tenant %s: ", clinic_id);
			return FALSE;
		}
		param = bytea_param (g_bytes_get_data (rewrapped, NULL),
				     g_bytes_get_size (rewrapped));
		params[0] = clinic_id;
		params[1] = param;
		params[2] = new_id;
		upd = mv_db_exec_params (conn,
					 "UPDATE clinics SET wrapped_kek = $2, master_key_id = $3, "
					 "updated_at = now() WHERE clinic_id = $1",
					 3, params, error);
		if (upd == NULL)
			return FALSE;
		(*n_rewrapped)++;
	}
	return TRUE;
}

typedef struct {
	const MvAuthContext *actor;
	MvVault *old_vault;
	MvVault *new_vault;
	const gchar *request_id;
	guint n;
} Rotate;

static gboolean
rotate_tx (PGconn *conn, gpointer data, GError **error)
{
	Rotate *r = data;
	if (!mv_auth_rotate_master_conn (conn, r->old_vault, r->new_vault, &r->n, error))
		return FALSE;
	return mv_audit_log_append (conn, r->actor, NULL, "master-key.rotate", "master-key",
				    mv_vault_get_master_key_id (r->new_vault), r->request_id,
				    error);
}

static GMutex rotate_lock;

JsonNode *
mv_auth_rotate_master (MvAuth *auth,
		       const MvAuthContext *actor,
		       const gchar *new_key_file,
		       const gchar *request_id,
		       GError **error)
{
	g_autoptr (MvVault) new_vault = NULL;
	g_autoptr (GMutexLocker) locker = NULL;
	g_autoptr (JsonBuilder) b = json_builder_new ();
	g_autofree gchar *old_id = NULL;
	Rotate r = { actor, NULL, NULL, request_id, 0 };

	if (actor->role != MV_ROLE_OPERATOR) {
		g_set_error (error, MV_ERROR, MV_ERROR_FORBIDDEN,
			     "only the operator rotates the master key");
		return NULL;
	}
	if (new_key_file == NULL || !g_path_is_absolute (new_key_file)) {
		g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
			     "the new master key file must be an absolute path");
		return NULL;
	}
	new_vault = mv_vault_new_from_key_file (new_key_file, error);
	if (new_vault == NULL)
		return NULL;
	/* one rotation at a time */
	locker = g_mutex_locker_new (&rotate_lock);
	r.old_vault = mv_services_get_vault (auth->services);
	r.new_vault = new_vault;
	old_id = g_strdup (mv_vault_get_master_key_id (r.old_vault));
	if (g_strcmp0 (old_id, mv_vault_get_master_key_id (new_vault)) == 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
			     "%s holds the master key already in use", new_key_file);
		return NULL;
	}
	if (!transaction (auth, rotate_tx, &r, error))
		return NULL;
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "master_key_id");
	json_builder_add_string_value (b, mv_vault_get_master_key_id (new_vault));
	json_builder_set_member_name (b, "previous_master_key_id");
	json_builder_add_string_value (b, old_id);
	json_builder_set_member_name (b, "tenants_rewrapped");
	json_builder_add_int_value (b, r.n);
	json_builder_end_object (b);
	mv_services_replace_vault (auth->services, g_steal_pointer (&new_vault), new_key_file);
	g_message ("master key rotated from %s to %s: %u tenant key(s) re-wrapped; set "
		   "master-key-file to %s before the next start",
		   old_id,
		   mv_services_get_vault (auth->services) != NULL
			   ? mv_vault_get_master_key_id (mv_services_get_vault (auth->services))
			   : "?",
		   r.n, new_key_file);
	return json_builder_get_root (b);
}
