/* Tenants (clinics): creating one with its own KEK wrapped under the master key, and listing
 * them.  Both are operator-only. */
#define G_LOG_DOMAIN "medverse-auth"

#include "mv-error-table.h"
#include "mv-auth-private.h"

#include <medverse/mv-error.h>

#include "../audit/mv-audit-log.h"

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

	g_clear_pointer (&tc->result, json_node_unref); /* a retried transaction starts afresh */
	if (wrapped == NULL)
		return FALSE;
	wrapped_param = mv_db_bytea_bytes_to_text (wrapped);
	params[0] = clinic_id;
	params[1] = tc->name;
	params[2] = wrapped_param;
	params[3] = mv_vault_get_master_key_id (vault);
	res = mv_db_exec_params (
		conn,
		"INSERT INTO clinics (clinic_id, name, wrapped_kek, master_key_id) "
		"VALUES ($1, $2, $3, $4) RETURNING " MV_DB_SQL_UTC ("created_at"),
		4, params, error);
	if (res == NULL)
		return FALSE;
	if (!mv_audit_log_append (conn, mv_auth_get_services (tc->auth)->signer,
				  mv_auth_get_services (tc->auth)->witness, tc->actor, NULL,
				  "tenant.create", "tenant", clinic_id, tc->request_id, error))
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
		mv_set_error_bilingual (error, MV_ERROR_FORBIDDEN,
					"only the operator creates tenants",
					"只有运维人员可以创建租户");
		return NULL;
	}
	if (!mv_auth_check_name (name, "name", error))
		return NULL;
	stripped = g_strstrip (g_strdup (name));
	if (stripped[0] == '\0') {
		mv_set_error_bilingual (error, MV_ERROR_INVALID_INPUT, "name: must not be empty",
					"name：不能为空");
		return NULL;
	}
	tc.name = stripped;
	if (!mv_auth_transaction (auth, tenant_create_tx, &tc, error)) {
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
		mv_set_error_bilingual (error, MV_ERROR_FORBIDDEN,
					"only the operator lists tenants",
					"只有运维人员可以列出租户");
		return NULL;
	}
	conn = mv_db_acquire (auth->services->db, 5000, error);
	if (conn == NULL)
		return NULL;
	res = mv_db_exec_params (conn,
				 "SELECT clinic_id::text, name, " MV_DB_SQL_UTC (
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
