/* Operator keys (mvop_…): the key made by `medversectl operator-key create` and the one
 * registered from the operator key file at start-up.  They live in their own table, outside
 * any tenant, and are audited in the operator tree. */
#define G_LOG_DOMAIN "medverse-auth"

#include "mv-error-table.h"
#include "mv-auth-private.h"

#include <medverse/mv-error.h>
#include <sodium.h>

#include "../audit/mv-audit-log.h"

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
	guint8 hash[MV_AUTH_HASH_BYTES];
	gchar key_id[MV_AUTH_KEY_ID_BYTES * 2 + 1];
	g_autofree gchar *hash_param = NULL;
	g_autoptr (PGresult) res = NULL;
	const gchar *params[4];

	if (!mv_auth_parse_operator_token (token, hash, key_id)) {
		mv_set_error_bilingual (
			error, MV_ERROR_INVALID_INPUT,
			"an operator key is mvop_ followed by 64 lowercase hex characters",
			"运维密钥由 mvop_ 加 64 个小写十六进制字符组成");
		return FALSE;
	}
	hash_param = mv_db_bytea_to_text (hash, sizeof hash);
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
	const MvAuditSigner *signer;
	MvAuditWitness *witness;
} OperatorKey;

static gboolean
operator_key_tx (PGconn *conn, gpointer data, GError **error)
{
	OperatorKey *ok = data;
	const gchar *created_by
		= ok->actor != NULL && ok->actor->key_id != NULL ? ok->actor->key_id : "system";

	g_clear_pointer (&ok->key_id, g_free); /* a retried transaction starts afresh */
	if (!insert_operator_key (conn, ok->token, ok->label, created_by, &ok->inserted,
				  &ok->key_id, error))
		return FALSE;
	if (!ok->inserted)
		return TRUE;
	return mv_audit_log_append (conn, ok->signer, ok->witness, ok->actor, NULL,
				    "operator-key.create", "operator-key", ok->key_id,
				    ok->request_id, error);
}

JsonNode *
mv_auth_operator_key_create (MvAuth *auth,
			     const MvAuthContext *actor,
			     const gchar *label,
			     const gchar *request_id,
			     GError **error)
{
	g_autofree gchar *secret = mv_auth_random_hex (MV_AUTH_TOKEN_SECRET_BYTES);
	g_autofree gchar *token = g_strdup_printf ("mvop_%s", secret);
	OperatorKey ok = { actor,
			   token,
			   label != NULL ? label : "",
			   request_id,
			   NULL,
			   FALSE,
			   mv_auth_get_services (auth)->signer,
			   mv_auth_get_services (auth)->witness };
	g_autofree gchar *key_id = NULL;
	g_autoptr (JsonBuilder) b = json_builder_new ();
	JsonNode *result;

	mv_auth_wipe_string (secret);
	if (actor->role != MV_ROLE_OPERATOR) {
		mv_auth_wipe_string (token);
		mv_set_error_bilingual (error, MV_ERROR_FORBIDDEN,
					"only the operator creates operator keys",
					"只有运维人员可以创建运维密钥");
		return NULL;
	}
	if (label != NULL && !mv_auth_check_name (label, "label", error)) {
		mv_auth_wipe_string (token);
		return NULL;
	}
	if (!mv_auth_transaction (auth, operator_key_tx, &ok, error)) {
		mv_auth_wipe_string (token);
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
	mv_auth_wipe_string (token);
	g_message ("operator key %s created by %s", key_id,
		   actor->key_id != NULL ? actor->key_id : "operator");
	return result;
}

gboolean
mv_auth_register_operator_key_file (MvAuth *auth, const gchar *path, GError **error)
{
	g_autofree gchar *contents = NULL;
	gsize len = 0;
	MvAuthContext system = { MV_ROLE_OPERATOR, (gchar *)"system", NULL, NULL };
	OperatorKey ok = { &system,
			   NULL,
			   "operator.key file",
			   NULL,
			   NULL,
			   FALSE,
			   mv_auth_get_services (auth)->signer,
			   mv_auth_get_services (auth)->witness };
	gboolean done;

	if (!g_file_test (path, G_FILE_TEST_EXISTS))
		return TRUE;
	if (!g_file_get_contents (path, &contents, &len, error))
		return FALSE;
	ok.token = g_strstrip (contents);
	done = mv_auth_transaction (auth, operator_key_tx, &ok, error);
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
