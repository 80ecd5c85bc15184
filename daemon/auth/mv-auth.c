/* The MvAuth object, its start-up checks, and the few helpers every auth operation shares:
 * input checks, the clinic scope check and row lock, the audit entry, JSON of nullable columns.
 * The operations themselves live in one file each (see mv-auth-private.h for the map). */
#define G_LOG_DOMAIN "medverse-auth"

#include "mv-error-table.h"
#include "mv-auth-private.h"

#include <medverse/mv-error.h>
#include <string.h>

#include "../audit/mv-audit-log.h"

MvAuth *
mv_auth_new (MvServices *services)
{
	MvAuth *auth = g_new0 (MvAuth, 1);
	auth->services = services;
	g_mutex_init (&auth->lock);
	auth->buckets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	/* values are KnownKey (mv-auth-authenticate.c), freed with their hash wiped */
	auth->known
		= g_hash_table_new_full (g_str_hash, g_str_equal, g_free, mv_auth_known_key_free);
	auth->address_buckets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	return auth;
}

void
mv_auth_free (MvAuth *auth)
{
	if (auth == NULL)
		return;
	g_hash_table_unref (auth->buckets);
	g_hash_table_unref (auth->known);
	g_hash_table_unref (auth->address_buckets);
	g_mutex_clear (&auth->lock);
	g_free (auth);
}

MvServices *
mv_auth_get_services (MvAuth *auth)
{
	return auth->services;
}

gboolean
mv_auth_is_uuid (const gchar *s)
{
	return s != NULL && strlen (s) == 36 && g_uuid_string_is_valid (s);
}
gboolean
mv_auth_audit (PGconn *conn,
	       const MvAuditSigner *signer,
	       MvAuditWitness *witness,
	       const MvAuthContext *actor,
	       const gchar *clinic_id,
	       const gchar *action,
	       const gchar *resource_type,
	       const gchar *resource_id,
	       const gchar *request_id,
	       GError **error)
{
	g_autofree gchar *resource = NULL;

	if (actor == NULL || actor->role != MV_ROLE_OPERATOR || clinic_id == NULL)
		return mv_audit_log_append (conn, signer, witness, actor, clinic_id, action,
					    resource_type, resource_id, request_id, error);
	/* An operator acting on a clinic: the operator tree has every operator action, and the
	 * clinic's own tree shows its staff what was done to it.  The operator tree is locked
	 * first, always, so two such transactions cannot wait for each other's trees. */
	resource = resource_id != NULL ? g_strdup_printf ("%s/%s", clinic_id, resource_id) : NULL;
	return mv_audit_log_append (conn, signer, witness, actor, NULL, action, resource_type,
				    resource, request_id, error)
	       && mv_audit_log_append (conn, signer, witness, actor, clinic_id, action,
				       resource_type, resource_id, request_id, error);
}

/* Runs @fn in a transaction of the services' pool. */
gboolean
mv_auth_transaction (MvAuth *auth, MvDbTransactionFunc fn, gpointer data, GError **error)
{
	return mv_db_transaction (auth->services->db, fn, data, error);
}

/* The clinic-admin scope check, before any SQL: a clinic-admin of another clinic sees 404,
 * exactly as for a clinic that does not exist. */
gboolean
mv_auth_check_scope (const MvAuthContext *actor, const gchar *clinic_id, GError **error)
{
	if (!mv_auth_is_uuid (clinic_id)
	    || (actor->role != MV_ROLE_OPERATOR && g_strcmp0 (actor->clinic_id, clinic_id) != 0)) {
		if (mv_auth_is_uuid (clinic_id))
			mv_set_error_bilingual_printf (error, MV_ERROR_NOT_FOUND, "no tenant %s",
						       "没有租户 %s", clinic_id);
		else
			mv_set_error_bilingual (error, MV_ERROR_NOT_FOUND, "no tenant with that id",
						"没有该编号的租户");
		return FALSE;
	}
	if (actor->role != MV_ROLE_OPERATOR && actor->role != MV_ROLE_CLINIC_ADMIN) {
		mv_set_error_bilingual_printf (
			error, MV_ERROR_FORBIDDEN, "a %s key may not manage keys",
			"%s 角色的密钥无权管理密钥", mv_role_to_string (actor->role));
		return FALSE;
	}
	return TRUE;
}

/* Locks the clinic row (FOR SHARE: key changes of one clinic do not block each other, a master
 * rotation waits for them); %MV_ERROR_NOT_FOUND if there is none. */
gboolean
mv_auth_lock_clinic (PGconn *conn, const gchar *clinic_id, GError **error)
{
	const gchar *params[] = { clinic_id };
	g_autoptr (PGresult) res = mv_db_exec_params (
		conn, "SELECT 1 FROM clinics WHERE clinic_id = $1 FOR SHARE", 1, params, error);
	if (res == NULL)
		return FALSE;
	if (PQntuples (res) == 0) {
		mv_set_error_bilingual_printf (error, MV_ERROR_NOT_FOUND, "no tenant %s",
					       "没有租户 %s", clinic_id);
		return FALSE;
	}
	return TRUE;
}

const gchar *
mv_auth_nullable_value (PGresult *res, int row, int col)
{
	return PQgetisnull (res, row, col) ? NULL : PQgetvalue (res, row, col);
}

void
mv_auth_add_nullable (JsonBuilder *b, const gchar *name, const gchar *value)
{
	json_builder_set_member_name (b, name);
	if (value == NULL)
		json_builder_add_null_value (b);
	else
		json_builder_add_string_value (b, value);
}

gboolean
mv_auth_check_name (const gchar *name, const gchar *field, GError **error)
{
	glong n;

	if (name == NULL || !g_utf8_validate (name, -1, NULL)) {
		mv_set_error_bilingual_printf (error, MV_ERROR_INVALID_INPUT,
					       "%s: must be UTF-8 text", "%s：必须是 UTF-8 文本",
					       field);
		return FALSE;
	}
	n = g_utf8_strlen (name, -1);
	if (n > MV_AUTH_MAX_NAME) {
		mv_set_error_bilingual_printf (
			error, MV_ERROR_INVALID_INPUT, "%s: at most %d characters (got %ld)",
			"%s：最多 %d 个字符（实际为 %ld 个）", field, MV_AUTH_MAX_NAME, n);
		return FALSE;
	}
	for (const gchar *p = name; *p != '\0'; p = g_utf8_next_char (p)) {
		if (g_unichar_iscntrl (g_utf8_get_char (p))) {
			mv_set_error_bilingual_printf (error, MV_ERROR_INVALID_INPUT,
						       "%s: control characters are not allowed",
						       "%s：不允许控制字符", field);
			return FALSE;
		}
	}
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
	    && !mv_auth_register_operator_key_file (auth, operator_key_file, error))
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

/* RFC 3339: a full date and time with an explicit offset ("Z" or ±hh:mm). */
GDateTime *
mv_auth_parse_rfc3339 (const gchar *text, const gchar *name, GError **error)
{
	g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
	g_autoptr (GDateTime) with_utc = NULL;
	g_autoptr (GDateTime) with_other = NULL;
	g_autoptr (GTimeZone) other = g_time_zone_new_offset (3600);
	gsize len = strlen (text);

	/* a string without an offset parses differently under two default zones */
	if (len >= 20 && len <= 40 && text[4] == '-' && text[7] == '-'
	    && (text[10] == 'T' || text[10] == 't')) {
		with_utc = g_date_time_new_from_iso8601 (text, utc);
		with_other = g_date_time_new_from_iso8601 (text, other);
	}
	if (with_utc == NULL || with_other == NULL || !g_date_time_equal (with_utc, with_other)) {
		mv_set_error_bilingual_printf (
			error, MV_ERROR_INVALID_INPUT,
			"%s: not an RFC 3339 date and time with an offset, e.g. "
			"2030-01-31T12:00:00Z",
			"%s：不是带时区偏移的 RFC 3339 日期时间，例如 2030-01-31T12:00:00Z", name);
		return NULL;
	}
	return g_steal_pointer (&with_utc);
}
