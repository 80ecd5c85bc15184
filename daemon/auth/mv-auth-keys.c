/* Clinic API keys (mvk_…): issuing, listing and revoking them.  mv_auth_insert_key() is also
 * how a redeemed invite becomes a patient key (mv-auth-invites.c), so that a key is made in one
 * place only. */
#define G_LOG_DOMAIN "medverse-auth"

#include "mv-error-table.h"
#include "mv-auth-private.h"

#include <medverse/mv-error.h>

gboolean
mv_auth_insert_key (PGconn *conn, MvAuthKeyCreate *kc, GError **error)
{
	g_autofree gchar *key_id = mv_auth_random_hex (MV_AUTH_KEY_ID_BYTES);
	g_autofree gchar *secret = mv_auth_random_hex (MV_AUTH_TOKEN_SECRET_BYTES);
	g_autofree gchar *token = g_strdup_printf ("mvk_%s_%s", key_id, secret);
	guint8 hash[MV_AUTH_HASH_BYTES];
	g_autofree gchar *hash_param = NULL;
	g_autoptr (PGresult) res = NULL;
	g_autoptr (JsonBuilder) b = json_builder_new ();
	const gchar *created_by = kc->actor->key_id != NULL ? kc->actor->key_id : "operator";
	const gchar *params[8];

	g_clear_pointer (&kc->result, json_node_unref); /* a retried transaction starts afresh */
	mv_auth_wipe_string (secret);
	mv_auth_hash_token (MV_AUTH_API_KEY_DOMAIN, token, hash);
	hash_param = mv_db_bytea_to_text (hash, sizeof hash);
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
		"RETURNING " MV_DB_SQL_UTC ("created_at") ", " MV_DB_SQL_UTC ("expires_at"),
		8, params, error);
	if (res == NULL) {
		mv_auth_wipe_string (token);
		return FALSE;
	}
	if (!mv_auth_audit (conn, mv_auth_get_services (kc->auth)->signer,
			    mv_auth_get_services (kc->auth)->witness, kc->actor, kc->clinic_id,
			    kc->action, "api-key", key_id, kc->request_id, error)) {
		mv_auth_wipe_string (token);
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
	mv_auth_add_nullable (b, "expires_at", mv_auth_nullable_value (res, 0, 1));
	json_builder_end_object (b);
	kc->result = json_builder_get_root (b);
	mv_auth_wipe_string (token);
	return TRUE;
}

static gboolean
key_create_tx (PGconn *conn, gpointer data, GError **error)
{
	MvAuthKeyCreate *kc = data;
	return mv_auth_lock_clinic (conn, kc->clinic_id, error)
	       && mv_auth_insert_key (conn, kc, error);
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
	MvAuthKeyCreate kc = { auth, actor, clinic_id,	role,	      NULL,
			       NULL, label, request_id, "key.create", NULL };

	if (!mv_auth_check_scope (actor, clinic_id, error))
		return NULL;
	if (role != MV_ROLE_CLINIC_ADMIN && role != MV_ROLE_CLINICIAN) {
		mv_set_error_bilingual (
			error, MV_ERROR_INVALID_INPUT,
			"role: must be \"clinic-admin\" or \"clinician\" (patient keys come "
			"from invites)",
			"role：必须是“clinic-admin”或“clinician”（患者密钥通过邀请获得）");
		return NULL;
	}
	if (label != NULL && !mv_auth_check_name (label, "label", error))
		return NULL;
	if (expires_at != NULL) {
		g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
		g_autoptr (GDateTime) utc = g_date_time_to_utc (expires_at);
		if (g_date_time_compare (expires_at, now) <= 0) {
			mv_set_error_bilingual (error, MV_ERROR_INVALID_INPUT,
						"expires_at: must be in the future",
						"expires_at：必须是将来的时间");
			return NULL;
		}
		if (g_date_time_get_year (utc) > 9999 - 1) {
			mv_set_error_bilingual (error, MV_ERROR_INVALID_INPUT,
						"expires_at: too far in the future",
						"expires_at：时间过于遥远");
			return NULL;
		}
		expires = g_date_time_format_iso8601 (utc);
		kc.expires_at = expires;
	}
	if (!mv_auth_transaction (auth, key_create_tx, &kc, error)) {
		g_clear_pointer (&kc.result, json_node_unref);
		return NULL;
	}
	g_message ("key %s (%s) created for tenant %s by %s",
		   json_object_get_string_member (json_node_get_object (kc.result), "key_id"),
		   mv_role_to_string (role), clinic_id,
		   actor->key_id != NULL ? actor->key_id : "operator");
	return kc.result;
}

/* The columns mv_auth_key_list() reads, in order; the last one is "active". */
/* not clang-formatted: it would split the SQL text around the macro calls */
/* clang-format off */
static const gchar KEY_LIST_SQL[] =
	"SELECT key_id, role, patient_id::text, label, created_by, "
	MV_DB_SQL_UTC ("created_at") ", " MV_DB_SQL_UTC ("expires_at") ", "
	MV_DB_SQL_UTC ("revoked_at") ", " MV_DB_SQL_UTC ("last_used_at") ", "
	"(revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())) "
	"FROM api_keys WHERE clinic_id = $1 ORDER BY created_at, key_id";
/* clang-format on */

JsonNode *
mv_auth_key_list (MvAuth *auth, const MvAuthContext *actor, const gchar *clinic_id, GError **error)
{
	PGconn *conn;
	g_autoptr (PGresult) exists = NULL;
	g_autoptr (PGresult) res = NULL;
	g_autoptr (JsonBuilder) b = json_builder_new ();
	const gchar *params[] = { clinic_id };

	if (!mv_auth_check_scope (actor, clinic_id, error))
		return NULL;
	conn = mv_db_acquire (auth->services->db, 5000, error);
	if (conn == NULL)
		return NULL;
	exists = mv_db_exec_params (conn, "SELECT 1 FROM clinics WHERE clinic_id = $1", 1, params,
				    error);
	if (exists != NULL && PQntuples (exists) == 0)
		mv_set_error_bilingual_printf (error, MV_ERROR_NOT_FOUND, "no tenant %s",
					       "没有租户 %s", clinic_id);
	else if (exists != NULL)
		res = mv_db_exec_params (conn, KEY_LIST_SQL, 1, params, error);
	mv_db_release (auth->services->db, conn);
	if (res == NULL)
		return NULL;
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "keys");
	json_builder_begin_array (b);
	for (int i = 0; i < PQntuples (res); i++) {
		json_builder_begin_object (b);
		mv_auth_add_nullable (b, "key_id", mv_auth_nullable_value (res, i, 0));
		mv_auth_add_nullable (b, "role", mv_auth_nullable_value (res, i, 1));
		mv_auth_add_nullable (b, "patient_id", mv_auth_nullable_value (res, i, 2));
		mv_auth_add_nullable (b, "label", mv_auth_nullable_value (res, i, 3));
		mv_auth_add_nullable (b, "created_by", mv_auth_nullable_value (res, i, 4));
		mv_auth_add_nullable (b, "created_at", mv_auth_nullable_value (res, i, 5));
		mv_auth_add_nullable (b, "expires_at", mv_auth_nullable_value (res, i, 6));
		mv_auth_add_nullable (b, "revoked_at", mv_auth_nullable_value (res, i, 7));
		mv_auth_add_nullable (b, "last_used_at", mv_auth_nullable_value (res, i, 8));
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
	const MvAuditSigner *signer;
	MvAuditWitness *witness;
} KeyRevoke;

static gboolean
key_revoke_tx (PGconn *conn, gpointer data, GError **error)
{
	KeyRevoke *kr = data;
	const gchar *params[] = { kr->clinic_id, kr->key_id };
	g_autoptr (PGresult) res = NULL;

	if (!mv_auth_lock_clinic (conn, kr->clinic_id, error))
		return FALSE;
	res = mv_db_exec_params (conn,
				 "SELECT revoked_at IS NOT NULL FROM api_keys "
				 "WHERE clinic_id = $1 AND key_id = $2 FOR UPDATE",
				 2, params, error);
	if (res == NULL)
		return FALSE;
	if (PQntuples (res) == 0) {
		mv_set_error_bilingual_printf (error, MV_ERROR_NOT_FOUND, "no key %s in tenant %s",
					       "租户 %2$s 中没有密钥 %1$s", kr->key_id,
					       kr->clinic_id);
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
	return mv_auth_audit (conn, kr->signer, kr->witness, kr->actor, kr->clinic_id, "key.revoke",
			      "api-key", kr->key_id, kr->request_id, error);
}

gboolean
mv_auth_key_revoke (MvAuth *auth,
		    const MvAuthContext *actor,
		    const gchar *clinic_id,
		    const gchar *key_id,
		    const gchar *request_id,
		    GError **error)
{
	KeyRevoke kr = { actor,
			 clinic_id,
			 key_id,
			 request_id,
			 mv_auth_get_services (auth)->signer,
			 mv_auth_get_services (auth)->witness };

	if (!mv_auth_check_scope (actor, clinic_id, error))
		return FALSE;
	if (!mv_auth_is_key_id (key_id)) {
		mv_set_error_bilingual_printf (error, MV_ERROR_NOT_FOUND,
					       "no key with that id in tenant %s",
					       "租户 %s 中没有该编号的密钥", clinic_id);
		return FALSE;
	}
	if (!mv_auth_transaction (auth, key_revoke_tx, &kr, error))
		return FALSE;
	mv_auth_forget_known_keys (auth);
	g_message ("key %s of tenant %s revoked by %s", key_id, clinic_id,
		   actor->key_id != NULL ? actor->key_id : "operator");
	return TRUE;
}
