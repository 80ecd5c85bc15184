/* Patient invites: a clinician makes a one-time code (mvi_…) for a patient, the patient
 * redeems it for a patient key.  Creation and revocation run in the patients module's own
 * transaction; redemption in one of its own. */
#define G_LOG_DOMAIN "medverse-auth"

#include "mv-error-table.h"
#include "mv-auth-private.h"

#include <medverse/mv-error.h>
#include <string.h>

gboolean
mv_auth_create_patient_invite (PGconn *conn,
			       const MvAuditSigner *signer,
			       MvAuditWitness *witness,
			       const MvAuthContext *actor,
			       const gchar *patient_id,
			       const gchar *request_id,
			       gchar **code_out,
			       gchar **expires_at_out,
			       GError **error)
{
	g_autofree gchar *secret = mv_auth_random_hex (MV_AUTH_INVITE_BYTES);
	g_autofree gchar *code = g_strdup_printf ("mvi_%s", secret);
	g_autofree gchar *ttl = g_strdup_printf ("%d seconds", MV_AUTH_INVITE_TTL_SECONDS);
	guint8 hash[MV_AUTH_HASH_BYTES];
	g_autofree gchar *hash_param = NULL;
	g_autoptr (PGresult) res = NULL;
	const gchar *params[5];

	mv_auth_wipe_string (secret);
	if ((actor->role & MV_ROLE_ANY_CLINIC_STAFF) == 0 || actor->clinic_id == NULL) {
		mv_set_error_bilingual (error, MV_ERROR_FORBIDDEN,
					"only clinic staff create patient invites",
					"只有诊所工作人员可以创建患者邀请");
		return FALSE;
	}
	if (!mv_auth_is_uuid (patient_id)) {
		mv_set_error_bilingual (error, MV_ERROR_NOT_FOUND, "no patient with that id",
					"没有该编号的患者");
		return FALSE;
	}
	mv_auth_hash_token (MV_AUTH_INVITE_DOMAIN, code, hash);
	hash_param = mv_db_bytea_to_text (hash, sizeof hash);
	params[0] = actor->clinic_id;
	params[1] = hash_param;
	params[2] = patient_id;
	params[3] = actor->key_id != NULL ? actor->key_id : "system";
	params[4] = ttl;
	res = mv_db_exec_params (
		conn,
		"INSERT INTO patient_invites (clinic_id, code_hash, patient_id, "
		"created_by, expires_at) VALUES ($1, $2, $3, $4, now() + $5::interval) "
		"RETURNING " MV_DB_SQL_UTC ("expires_at"),
		5, params, error);
	if (res == NULL
	    || !mv_auth_audit (conn, signer, witness, actor, actor->clinic_id, "invite.create",
			       "patient", patient_id, request_id, error)) {
		mv_auth_wipe_string (code);
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
	guint8 hash[MV_AUTH_HASH_BYTES];
	g_autofree gchar *hash_param = NULL;
	g_autoptr (PGresult) res = NULL;
	g_autoptr (PGresult) upd = NULL;
	const gchar *params[3];
	MvAuthContext actor = { MV_ROLE_PATIENT, (gchar *)"invite", NULL, NULL };
	MvAuthKeyCreate kc = { r->auth, &actor,	  NULL,		 MV_ROLE_PATIENT, NULL,
			       NULL,	"invite", r->request_id, "invite.redeem", NULL };
	const gchar *key_id;

	g_clear_pointer (&r->result, json_node_unref); /* a retried transaction starts afresh */
	mv_auth_hash_token (MV_AUTH_INVITE_DOMAIN, r->code, hash);
	hash_param = mv_db_bytea_to_text (hash, sizeof hash);
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
		mv_set_error_bilingual (error, MV_ERROR_NOT_FOUND,
					"the invite code is not valid (unknown, used or expired)",
					"邀请码无效（未知、已使用或已过期）");
		return FALSE;
	}
	kc.clinic_id = PQgetvalue (res, 0, 0);
	kc.patient_id = PQgetvalue (res, 0, 1);
	actor.clinic_id = (gchar *)kc.clinic_id;
	actor.patient_id = (gchar *)kc.patient_id;
	if (!mv_auth_lock_clinic (conn, kc.clinic_id, error)
	    || !mv_auth_insert_key (conn, &kc, error))
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

	if (code == NULL || strlen (code) != 4 + MV_AUTH_INVITE_BYTES * 2
	    || !g_str_has_prefix (code, "mvi_")
	    || !mv_auth_is_lower_hex (code + 4, MV_AUTH_INVITE_BYTES * 2)) {
		mv_set_error_bilingual (
			error, MV_ERROR_INVALID_INPUT,
			"code: an invite code is mvi_ followed by 32 lowercase hex characters",
			"code：邀请码由 mvi_ 加 32 个小写十六进制字符组成");
		return NULL;
	}
	if (!mv_auth_transaction (auth, redeem_tx, &r, error)) {
		g_clear_pointer (&r.result, json_node_unref);
		return NULL;
	}
	g_message ("invite redeemed: patient key %s",
		   json_object_get_string_member (json_node_get_object (r.result), "key_id"));
	return r.result;
}
