/* Key rotation, operator-only.  Master key: re-wraps every clinic KEK under a new master key
 * in one transaction, then makes the daemon use it.  Clinic key: a new KEK for one clinic,
 * every live patient's DEK re-wrapped and blind index recomputed, in one transaction (the
 * shredding epoch of docs/security.md). */
#define G_LOG_DOMAIN "medverse-auth"

#include "mv-error-table.h"
#include "mv-auth-private.h"

#include <medverse/mv-error.h>
#include <sodium.h>
#include <string.h>

#include "../audit/mv-audit-log.h"
#include "../records/mv-clinic-keys.h"

gboolean
mv_auth_rotate_master_conn (
	PGconn *conn, MvVault *old_vault, MvVault *new_vault, guint *n_rewrapped, GError **error)
{
	/* FOR UPDATE: key changes and new clinics wait until the rotation commits */
	g_autoptr (PGresult) res
		= mv_db_exec_params (conn,
				     "SELECT clinic_id::text, wrapped_kek FROM clinics "
				     "ORDER BY clinic_id FOR UPDATE",
				     0, NULL, error);
	const gchar *new_id = mv_vault_get_master_key_id (new_vault);

	if (res == NULL)
		return FALSE;
	*n_rewrapped = 0;
	for (int i = 0; i < PQntuples (res); i++) {
		const gchar *clinic_id = PQgetvalue (res, i, 0);
		g_autoptr (GBytes) wrapped = mv_db_bytea_from_text (PQgetvalue (res, i, 1));
		g_autoptr (GBytes) rewrapped = NULL;
		g_autofree gchar *param = NULL;
		g_autoptr (PGresult) upd = NULL;
		const gchar *params[3];

		if (wrapped == NULL) {
			g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
				     "tenant %s: stored wrapped key is not readable", clinic_id);
			return FALSE;
		}
		rewrapped = mv_vault_rewrap_kek (old_vault, new_vault, clinic_id, wrapped, error);
		if (rewrapped == NULL) {
			g_prefix_error (error, "tenant %s: ", clinic_id);
			return FALSE;
		}
		param = mv_db_bytea_bytes_to_text (rewrapped);
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
	const MvAuditSigner *signer;
	MvAuditWitness *witness;
} Rotate;

static gboolean
rotate_tx (PGconn *conn, gpointer data, GError **error)
{
	Rotate *r = data;
	if (!mv_auth_rotate_master_conn (conn, r->old_vault, r->new_vault, &r->n, error))
		return FALSE;
	return mv_audit_log_append (
		conn, r->signer, r->witness, r->actor, NULL, "master-key.rotate", "master-key",
		mv_vault_get_master_key_id (r->new_vault), r->request_id, error);
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
	Rotate r = { actor,
		     NULL,
		     NULL,
		     request_id,
		     0,
		     mv_auth_get_services (auth)->signer,
		     mv_auth_get_services (auth)->witness };

	if (actor->role != MV_ROLE_OPERATOR) {
		mv_set_error_bilingual (error, MV_ERROR_FORBIDDEN,
					"only the operator rotates the master key",
					"只有运维人员可以轮换主密钥");
		return NULL;
	}
	if (new_key_file == NULL || !g_path_is_absolute (new_key_file)) {
		mv_set_error_bilingual (error, MV_ERROR_INVALID_INPUT,
					"the new master key file must be an absolute path",
					"新的主密钥文件必须是绝对路径");
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
		mv_set_error_bilingual_printf (error, MV_ERROR_INVALID_INPUT,
					       "%s holds the master key already in use",
					       "%s 中的主密钥已在使用中", new_key_file);
		return NULL;
	}
	if (!mv_auth_transaction (auth, rotate_tx, &r, error))
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

typedef struct {
	const MvAuthContext *actor;
	MvVault *vault;
	const gchar *clinic_id;
	const gchar *request_id;
	guint n;
	const MvAuditSigner *signer;
	MvAuditWitness *witness;
} RotateClinic;

static gboolean
rotate_clinic_tx (PGconn *conn, gpointer data, GError **error)
{
	RotateClinic *r = data;
	if (!mv_clinic_keys_rotate_conn (conn, r->vault, r->clinic_id, &r->n, error))
		return FALSE;
	/* in the operator tree and the clinic's own: its staff can see when its key changed */
	return mv_auth_audit (conn, r->signer, r->witness, r->actor, r->clinic_id,
			      "clinic-key.rotate", "clinic", r->clinic_id, r->request_id, error);
}

JsonNode *
mv_auth_rotate_clinic_key (MvAuth *auth,
			   const MvAuthContext *actor,
			   const gchar *clinic_id,
			   const gchar *request_id,
			   GError **error)
{
	g_autoptr (GMutexLocker) locker = NULL;
	g_autoptr (JsonBuilder) b = json_builder_new ();
	g_autofree gchar *id = NULL;
	RotateClinic r = { actor,
			   NULL,
			   NULL,
			   request_id,
			   0,
			   mv_auth_get_services (auth)->signer,
			   mv_auth_get_services (auth)->witness };

	if (actor->role != MV_ROLE_OPERATOR) {
		mv_set_error_bilingual (error, MV_ERROR_FORBIDDEN,
					"only the operator rotates a tenant's key",
					"只有运维人员可以轮换租户的密钥");
		return NULL;
	}
	if (!mv_auth_is_uuid (clinic_id)) {
		mv_set_error_bilingual (error, MV_ERROR_NOT_FOUND, "no tenant with that id",
					"没有该编号的租户");
		return NULL;
	}
	id = g_ascii_strdown (clinic_id, -1);
	/* not while this daemon switches master keys: the vault must be the one the row names */
	locker = g_mutex_locker_new (&rotate_lock);
	r.vault = mv_services_get_vault (auth->services);
	r.clinic_id = id;
	if (!mv_auth_transaction (auth, rotate_clinic_tx, &r, error))
		return NULL;
	json_builder_begin_object (b);
	json_builder_set_member_name (b, "tenant_id");
	json_builder_add_string_value (b, id);
	json_builder_set_member_name (b, "patients_rewrapped");
	json_builder_add_int_value (b, r.n);
	json_builder_set_member_name (b, "master_key_id");
	json_builder_add_string_value (b, mv_vault_get_master_key_id (r.vault));
	json_builder_end_object (b);
	g_message ("tenant %s: clinic key rotated, %u patient key(s) re-wrapped", id, r.n);
	return json_builder_get_root (b);
}
