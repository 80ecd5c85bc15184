/* Idempotency keys in PostgreSQL: claim, wait, replay, keep, release, purge (see the header). */
#define G_LOG_DOMAIN "medverse-idempotency"

#include "mv-idempotency.h"

#include <medverse/mv-error.h>
#include <mv-host-private.h>
#include <sodium.h>
#include <string.h>

/* the purposes of the keys derived from the master key (mv_vault_derive_master_subkey) */
#define KDF_CONTEXT "MvIdemp1"
#define SUBKEY_KEY_HASH 1
#define SUBKEY_FINGERPRINT 2
#define SUBKEY_SEAL 3

#define HASH_SIZE 32
#define OWNER_SIZE 16
#define FORMAT_V1 0x01
#define NONCE_SIZE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_SIZE crypto_aead_xchacha20poly1305_ietf_ABYTES
#define PURGE_INTERVAL_US (10 * G_TIME_SPAN_MINUTE)
#define PURGE_BATCH "1000"
#define ACQUIRE_TIMEOUT_MS 5000

G_STATIC_ASSERT (HASH_SIZE == crypto_generichash_BYTES);

struct _MvIdempotency {
	MvDb *db;
	MvIdempotencyVaultFunc vault_func;
	gpointer vault_data;
	GMutex lock; /* limits, last_purge_us */
	MvIdempotencyLimits limits;
	gint64 last_purge_us;
};

struct _MvIdempotencyClaim {
	gchar *tenant;
	gchar *key_hash; /* bytea parameter text */
	gchar *owner;
	guint8 fingerprint[HASH_SIZE];
	guint8 key_hash_raw[HASH_SIZE];
	MvSecret *seal_key; /* of the vault the claim was made under */
};

/* ---- keys, hashes and sealing -------------------------------------------------------------- */

/* BLAKE2b-256 keyed with @key (NULL: unkeyed) over a label and length-prefixed parts, so no
 * two different lists of parts hash alike ("ab","c" vs "a","bc"). */
static void
keyed_hash (const MvSecret *key,
	    const gchar *label,
	    const gchar *const *parts,
	    const gsize *lens,
	    guint n_parts,
	    guint8 out[HASH_SIZE])
{
	crypto_generichash_state state;

	crypto_generichash_init (&state, key != NULL ? mv_secret_get_data (key) : NULL,
				 key != NULL ? mv_secret_get_size (key) : 0, HASH_SIZE);
	crypto_generichash_update (&state, (const guint8 *)label, strlen (label) + 1);
	for (guint i = 0; i < n_parts; i++) {
		guint64 len = GUINT64_TO_BE ((guint64)lens[i]);
		crypto_generichash_update (&state, (const guint8 *)&len, sizeof len);
		if (lens[i] > 0)
			crypto_generichash_update (&state, (const guint8 *)parts[i], lens[i]);
	}
	crypto_generichash_final (&state, out, HASH_SIZE);
}

static const gchar *
tenant_of (const MvAuthContext *auth)
{
	if (auth == NULL)
		return "anonymous";
	return auth->clinic_id != NULL ? auth->clinic_id : "operator";
}

/* the additional data of a sealed answer: the row it belongs to and the request it answers */
static void
answer_ad (const MvIdempotencyClaim *claim, guint8 out[HASH_SIZE])
{
	const gchar *parts[] = { claim->tenant, (const gchar *)claim->key_hash_raw,
				 (const gchar *)claim->fingerprint };
	const gsize lens[] = { strlen (claim->tenant), HASH_SIZE, HASH_SIZE };

	keyed_hash (NULL, "medverse.idempotency.answer.v1", parts, lens, 3, out);
}

static GBytes *
seal (const MvIdempotencyClaim *claim, const gchar *plaintext)
{
	gsize len = strlen (plaintext);
	gsize size = 1 + NONCE_SIZE + len + TAG_SIZE;
	guint8 *blob = g_malloc (size);
	guint8 ad[HASH_SIZE];

	answer_ad (claim, ad);
	blob[0] = FORMAT_V1;
	randombytes_buf (blob + 1, NONCE_SIZE);
	crypto_aead_xchacha20poly1305_ietf_encrypt (
		blob + 1 + NONCE_SIZE, NULL, (const guint8 *)plaintext, len, ad, sizeof ad, NULL,
		blob + 1, mv_secret_get_data (claim->seal_key));
	return g_bytes_new_take (blob, size);
}

/* The answer's plaintext (wiped on free), or NULL: not sealed under this key for this row. */
static gchar *
open_sealed (const MvIdempotencyClaim *claim, GBytes *blob)
{
	gsize size = 0;
	const guint8 *data = g_bytes_get_data (blob, &size);
	guint8 ad[HASH_SIZE];
	gchar *plain;
	unsigned long long len = 0;

	if (size < 1 + NONCE_SIZE + TAG_SIZE || data[0] != FORMAT_V1)
		return NULL;
	answer_ad (claim, ad);
	plain = g_malloc (size - 1 - NONCE_SIZE - TAG_SIZE + 1);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt (
		    (guint8 *)plain, &len, NULL, data + 1 + NONCE_SIZE, size - 1 - NONCE_SIZE, ad,
		    sizeof ad, data + 1, mv_secret_get_data (claim->seal_key))
	    != 0) {
		g_free (plain);
		return NULL;
	}
	plain[len] = '\0';
	return plain;
}

static void
wipe_string (gchar *text)
{
	if (text == NULL)
		return;
	sodium_memzero (text, strlen (text));
	g_free (text);
}

typedef gchar WipedString;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WipedString, wipe_string)

/* {"status": 201, "headers": [["Location", "…"]…], "body": "…" | null} */
static gchar *
answer_to_json (const MvIdempotencyAnswer *answer)
{
	g_autoptr (JsonBuilder) builder = json_builder_new ();
	g_autoptr (JsonNode) root = NULL;

	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "status");
	json_builder_add_int_value (builder, answer->status);
	json_builder_set_member_name (builder, "headers");
	json_builder_begin_array (builder);
	for (guint i = 0; answer->headers != NULL && i + 1 < answer->headers->len; i += 2) {
		json_builder_begin_array (builder);
		json_builder_add_string_value (builder, g_ptr_array_index (answer->headers, i));
		json_builder_add_string_value (builder, g_ptr_array_index (answer->headers, i + 1));
		json_builder_end_array (builder);
	}
	json_builder_end_array (builder);
	json_builder_set_member_name (builder, "body");
	if (answer->body != NULL)
		json_builder_add_string_value (builder, answer->body);
	else
		json_builder_add_null_value (builder);
	json_builder_end_object (builder);
	root = json_builder_get_root (builder);
	return mv_json_to_string (root);
}

static MvIdempotencyAnswer *
answer_from_json (const gchar *text)
{
	g_autoptr (JsonParser) parser = json_parser_new ();
	g_autoptr (MvIdempotencyAnswer) answer = g_new0 (MvIdempotencyAnswer, 1);
	JsonObject *root;
	JsonArray *headers;

	if (!json_parser_load_from_data (parser, text, -1, NULL)
	    || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
		return NULL;
	root = json_node_get_object (json_parser_get_root (parser));
	answer->status = (guint)json_object_get_int_member_with_default (root, "status", 0);
	if (answer->status < 100 || answer->status > 599)
		return NULL;
	answer->headers = g_ptr_array_new_with_free_func (g_free);
	headers = json_object_get_array_member (root, "headers");
	for (guint i = 0; headers != NULL && i < json_array_get_length (headers); i++) {
		JsonArray *pair = json_array_get_array_element (headers, i);
		if (pair == NULL || json_array_get_length (pair) != 2)
			return NULL;
		g_ptr_array_add (answer->headers,
				 g_strdup (json_array_get_string_element (pair, 0)));
		g_ptr_array_add (answer->headers,
				 g_strdup (json_array_get_string_element (pair, 1)));
	}
	answer->body = g_strdup (json_object_get_string_member_with_default (root, "body", NULL));
	return g_steal_pointer (&answer);
}

/* ---- the store ----------------------------------------------------------------------------- */

void
mv_idempotency_limits_from_config (const MvConfig *config, MvIdempotencyLimits *limits)
{
	limits->keep_s = (guint64)config->idempotency_hours * 3600;
	limits->wait_ms = config->idempotency_wait_ms;
	limits->lease_ms = (guint64)config->call_timeout_ms + 60000;
}

MvIdempotency *
mv_idempotency_new (MvDb *db,
		    MvIdempotencyVaultFunc vault_func,
		    gpointer vault_data,
		    const MvIdempotencyLimits *limits)
{
	MvIdempotency *self = g_new0 (MvIdempotency, 1);

	mv_crypto_init ();
	self->db = db;
	self->vault_func = vault_func;
	self->vault_data = vault_data;
	g_mutex_init (&self->lock);
	self->limits = *limits;
	return self;
}

void
mv_idempotency_set_limits (MvIdempotency *self, const MvIdempotencyLimits *limits)
{
	g_mutex_lock (&self->lock);
	self->limits = *limits;
	g_mutex_unlock (&self->lock);
}

static MvIdempotencyLimits
get_limits (MvIdempotency *self)
{
	MvIdempotencyLimits limits;

	g_mutex_lock (&self->lock);
	limits = self->limits;
	g_mutex_unlock (&self->lock);
	return limits;
}

void
mv_idempotency_free (MvIdempotency *self)
{
	if (self == NULL)
		return;
	g_mutex_clear (&self->lock);
	g_free (self);
}

void
mv_idempotency_claim_free (MvIdempotencyClaim *claim)
{
	if (claim == NULL)
		return;
	g_free (claim->tenant);
	g_free (claim->key_hash);
	g_free (claim->owner);
	mv_secret_free (claim->seal_key);
	g_free (claim);
}

void
mv_idempotency_answer_free (MvIdempotencyAnswer *answer)
{
	if (answer == NULL)
		return;
	g_clear_pointer (&answer->headers, g_ptr_array_unref);
	wipe_string (answer->body);
	g_free (answer);
}

gboolean
mv_idempotency_check_key (const gchar *key, gboolean anonymous, GError **error)
{
	gsize len = key != NULL ? strlen (key) : 0;
	gboolean visible = len > 0;

	for (gsize i = 0; i < len && visible; i++)
		visible = key[i] >= 0x21 && key[i] <= 0x7e;
	if (!visible || len > MV_IDEMPOTENCY_KEY_MAX) {
		mv_set_error_bilingual (
			error, MV_ERROR_MALFORMED,
			"the Idempotency-Key header must be 1 to 255 visible ASCII "
			"characters (letters, digits, punctuation; no spaces or "
			"control characters), e.g. a random UUID",
			"Idempotency-Key 请求头必须由 1 到 255 个可见 ASCII 字符组成"
			"（字母、数字、标点；不得含空格或控制字符），例如随机 UUID");
		return FALSE;
	}
	if (anonymous && len < MV_IDEMPOTENCY_ANONYMOUS_KEY_MIN) {
		mv_set_error_bilingual (
			error, MV_ERROR_MALFORMED,
			"on a route without an API key the Idempotency-Key must be "
			"at least 32 characters long and unguessable, e.g. a random "
			"UUID: it is all that tells your retry from another client's "
			"request",
			"在无需 API 密钥的路由上，Idempotency-Key 至少须有 32 "
			"个字符且不可猜测（例如随机 UUID）：只有它能区分您的重试与"
			"其他客户端的请求");
		return FALSE;
	}
	return TRUE;
}

gboolean
mv_idempotency_status_is_kept (guint status)
{
	if (status >= 200 && status < 300)
		return TRUE;
	return status >= 400 && status < 500 && status != 408 && status != 409 && status != 425
	       && status != 429;
}

/* The claim's identity: the row's key hash and the request's fingerprint under the current
 * vault, a fresh owner id. */
static MvIdempotencyClaim *
claim_new (MvIdempotency *self, const MvIdempotencyRequest *request)
{
	MvVault *vault = self->vault_func (self->vault_data);
	g_autoptr (MvSecret) hash_key
		= mv_vault_derive_master_subkey (vault, KDF_CONTEXT, SUBKEY_KEY_HASH);
	g_autoptr (MvSecret) fp_key
		= mv_vault_derive_master_subkey (vault, KDF_CONTEXT, SUBKEY_FINGERPRINT);
	MvIdempotencyClaim *claim = g_new0 (MvIdempotencyClaim, 1);
	const gchar *scope = request->auth != NULL ? request->auth->key_id : "anonymous";
	const gchar *key_parts[] = { tenant_of (request->auth), scope, request->key };
	const gsize key_lens[] = { strlen (key_parts[0]), strlen (scope), strlen (request->key) };
	const gchar *request_parts[]
		= { request->method, request->target, request->body != NULL ? request->body : "" };
	const gsize request_lens[] = { strlen (request->method), strlen (request->target),
				       request->body != NULL ? request->body_len : 0 };
	guint8 owner[OWNER_SIZE];
	gchar owner_hex[2 * OWNER_SIZE + 1];

	claim->tenant = g_strdup (tenant_of (request->auth));
	keyed_hash (hash_key, "medverse.idempotency.key.v1", key_parts, key_lens, 3,
		    claim->key_hash_raw);
	keyed_hash (fp_key, "medverse.idempotency.request.v1", request_parts, request_lens, 3,
		    claim->fingerprint);
	claim->key_hash = mv_db_bytea_to_text (claim->key_hash_raw, HASH_SIZE);
	randombytes_buf (owner, sizeof owner);
	sodium_bin2hex (owner_hex, sizeof owner_hex, owner, sizeof owner);
	claim->owner = g_strdup (owner_hex);
	claim->seal_key = mv_vault_derive_master_subkey (vault, KDF_CONTEXT, SUBKEY_SEAL);
	return claim;
}

static PGresult *
run (MvIdempotency *self, const gchar *sql, gint n, const gchar *const *values, GError **error)
{
	PGconn *conn = mv_db_acquire (self->db, ACQUIRE_TIMEOUT_MS, error);
	PGresult *res;

	if (conn == NULL)
		return NULL;
	res = mv_db_exec_params (conn, sql, n, values, error);
	mv_db_release (self->db, conn);
	return res;
}

/* Takes the key: a new row, or one whose time is up (an expired answer, a pending claim whose
 * lease ran out), in one statement so that of two daemons trying at once exactly one wins.
 * @old_owner set: only a row still held by it (an answer that no longer opens). */
static gboolean
try_take (MvIdempotency *self,
	  MvIdempotencyClaim *claim,
	  const gchar *old_owner,
	  gboolean *taken,
	  GError **error)
{
	static const gchar take_sql[]
		= "INSERT INTO idempotency_keys AS k (tenant, key_hash, fingerprint, owner, state, "
		  "lease_until, expires_at) VALUES ($1, $2::bytea, $3::bytea, $4, 'pending', "
		  "now() + $5::bigint * interval '1 millisecond', now() + $6::bigint * interval "
		  "'1 second') ON CONFLICT (tenant, key_hash) DO UPDATE SET fingerprint = "
		  "EXCLUDED.fingerprint, owner = EXCLUDED.owner, state = 'pending', lease_until = "
		  "EXCLUDED.lease_until, answer = NULL, created_at = now(), expires_at = "
		  "EXCLUDED.expires_at WHERE (k.state = 'done' AND k.expires_at <= now()) OR "
		  "(k.state = 'pending' AND k.lease_until <= now()) OR k.owner = $7 RETURNING 1";
	MvIdempotencyLimits limits = get_limits (self);
	g_autofree gchar *fingerprint = mv_db_bytea_to_text (claim->fingerprint, HASH_SIZE);
	g_autofree gchar *lease = g_strdup_printf ("%" G_GUINT64_FORMAT, limits.lease_ms);
	g_autofree gchar *keep = g_strdup_printf ("%" G_GUINT64_FORMAT, limits.keep_s);
	/* an owner id no row has: the plain take-over rules only */
	const gchar *values[] = { claim->tenant,
				  claim->key_hash,
				  fingerprint,
				  claim->owner,
				  lease,
				  keep,
				  old_owner != NULL ? old_owner : "-" };
	g_autoptr (PGresult) res = run (self, take_sql, G_N_ELEMENTS (values), values, error);

	if (res == NULL)
		return FALSE;
	*taken = PQntuples (res) == 1;
	return TRUE;
}

typedef enum {
	ROW_GONE,    /* released or purged since: try to take it again */
	ROW_OTHER,   /* the key answers another request */
	ROW_PENDING, /* the same request runs elsewhere: wait */
	ROW_DONE,    /* answered: *answer set, or NULL when the answer no longer opens */
} RowState;

static gboolean
look (MvIdempotency *self,
      MvIdempotencyClaim *claim,
      RowState *state,
      MvIdempotencyAnswer **answer,
      gchar **owner,
      GError **error)
{
	static const gchar look_sql[]
		= "SELECT fingerprint, state, answer, owner FROM "
		  "idempotency_keys WHERE tenant = $1 AND key_hash = $2::bytea";
	const gchar *values[] = { claim->tenant, claim->key_hash };
	g_autoptr (PGresult) res = run (self, look_sql, 2, values, error);
	g_autoptr (GBytes) fingerprint = NULL;
	g_autoptr (GBytes) blob = NULL;
	g_autoptr (WipedString) plain = NULL;

	if (res == NULL)
		return FALSE;
	if (PQntuples (res) == 0) {
		*state = ROW_GONE;
		return TRUE;
	}
	fingerprint = mv_db_bytea_from_text (PQgetvalue (res, 0, 0));
	if (fingerprint == NULL || g_bytes_get_size (fingerprint) != HASH_SIZE
	    || sodium_memcmp (g_bytes_get_data (fingerprint, NULL), claim->fingerprint, HASH_SIZE)
		       != 0) {
		*state = ROW_OTHER;
		return TRUE;
	}
	if (strcmp (PQgetvalue (res, 0, 1), "done") != 0) {
		*state = ROW_PENDING;
		return TRUE;
	}
	*state = ROW_DONE;
	*owner = g_strdup (PQgetvalue (res, 0, 3));
	blob = mv_db_bytea_from_text (PQgetvalue (res, 0, 2));
	plain = blob != NULL ? open_sealed (claim, blob) : NULL;
	*answer = plain != NULL ? answer_from_json (plain) : NULL;
	return TRUE;
}

static void
maybe_purge (MvIdempotency *self)
{
	gint64 now = g_get_monotonic_time ();
	g_autoptr (GError) error = NULL;
	gboolean due;
	guint n = 0;

	g_mutex_lock (&self->lock);
	due = self->last_purge_us == 0 || now - self->last_purge_us >= PURGE_INTERVAL_US;
	if (due)
		self->last_purge_us = now;
	g_mutex_unlock (&self->lock);
	if (!due)
		return;
	if (!mv_idempotency_purge (self, &n, &error))
		g_message ("idempotency: purging expired answers failed: %s", error->message);
	else if (n > 0)
		g_debug ("idempotency: purged %u expired answers", n);
}

static void
set_mismatch (MvIdempotency *self, GError **error)
{
	guint hours = (guint)(get_limits (self).keep_s / 3600);
	g_autofree gchar *en = g_strdup_printf (
		"this Idempotency-Key was already used for another request (another method, path "
		"or body) within the last %u hours; send a new request with a new key",
		hours);
	g_autofree gchar *zh = g_strdup_printf ("此 Idempotency-Key 在过去 %u "
						"小时内已用于另一个请求（方法、路径或请求体不同）；"
						"新的请求请使用新的键",
						hours);

	mv_set_error_bilingual (error, MV_ERROR_INVALID_INPUT, en, zh);
}

gboolean
mv_idempotency_begin (MvIdempotency *self,
		      const MvIdempotencyRequest *request,
		      MvIdempotencyClaim **claim_out,
		      MvIdempotencyAnswer **replay_out,
		      GError **error)
{
	g_autoptr (MvIdempotencyClaim) claim = NULL;
	gint64 deadline = g_get_monotonic_time () + (gint64)get_limits (self).wait_ms * 1000;
	gulong pause_us = 10000;

	*claim_out = NULL;
	*replay_out = NULL;
	if (!mv_idempotency_check_key (request->key, request->auth == NULL, error))
		return FALSE;
	maybe_purge (self);
	claim = claim_new (self, request);
	for (;;) {
		g_autoptr (MvIdempotencyAnswer) answer = NULL;
		g_autofree gchar *old_owner = NULL;
		gboolean taken = FALSE;
		RowState state;

		if (!try_take (self, claim, NULL, &taken, error))
			return FALSE;
		if (taken) {
			*claim_out = g_steal_pointer (&claim);
			return TRUE;
		}
		if (!look (self, claim, &state, &answer, &old_owner, error))
			return FALSE;
		if (state == ROW_OTHER) {
			set_mismatch (self, error);
			return FALSE;
		}
		if (state == ROW_DONE && answer != NULL) {
			*replay_out = g_steal_pointer (&answer);
			return TRUE;
		}
		if (state == ROW_DONE) {
			/* sealed under another master key, or damaged: as if expired */
			g_message (
				"idempotency: a kept answer no longer opens; running the request "
				"again");
			if (!try_take (self, claim, old_owner, &taken, error))
				return FALSE;
			if (taken) {
				*claim_out = g_steal_pointer (&claim);
				return TRUE;
			}
			continue;
		}
		if (state == ROW_GONE)
			continue;
		if (g_get_monotonic_time () >= deadline) {
			mv_set_error_bilingual (
				error, MV_ERROR_CONFLICT,
				"a request with this Idempotency-Key is still being processed; "
				"retry in a moment with the same key to get its answer",
				"使用此 Idempotency-Key 的请求仍在处理中；"
				"请稍后用同一个键重试以获取其结果");
			return FALSE;
		}
		g_usleep (pause_us);
		pause_us = MIN (pause_us * 2, 200000);
	}
}

gboolean
mv_idempotency_complete (MvIdempotency *self,
			 MvIdempotencyClaim *claim,
			 const MvIdempotencyAnswer *answer,
			 GError **error)
{
	static const gchar keep_sql[]
		= "UPDATE idempotency_keys SET state = 'done', answer = $4::bytea, lease_until = "
		  "NULL WHERE tenant = $1 AND key_hash = $2::bytea AND owner = $3 AND state = "
		  "'pending'";
	static const gchar release_sql[]
		= "DELETE FROM idempotency_keys WHERE tenant = $1 AND key_hash = $2::bytea AND "
		  "owner = $3 AND state = 'pending'";
	gboolean keep = mv_idempotency_status_is_kept (answer->status);
	g_autofree gchar *blob_text = NULL;
	g_autoptr (PGresult) res = NULL;

	if (keep) {
		g_autoptr (WipedString) plain = answer_to_json (answer);
		g_autoptr (GBytes) blob = seal (claim, plain);
		blob_text = mv_db_bytea_bytes_to_text (blob);
	}
	{
		const gchar *values[] = { claim->tenant, claim->key_hash, claim->owner, blob_text };
		res = run (self, keep ? keep_sql : release_sql, keep ? 4 : 3, values, error);
	}
	if (res == NULL)
		return FALSE;
	if (g_strcmp0 (PQcmdTuples (res), "1") != 0)
		g_warning ("idempotency: a request ran past its lease and another took its key "
			   "over; its answer is not kept");
	return TRUE;
}

gboolean
mv_idempotency_purge (MvIdempotency *self, guint *n_purged, GError **error)
{
	static const gchar purge_sql[]
		= "DELETE FROM idempotency_keys WHERE ctid IN (SELECT ctid FROM idempotency_keys "
		  "WHERE expires_at <= now() AND (state = 'done' OR lease_until <= now()) "
		  "LIMIT " PURGE_BATCH ")";
	g_autoptr (PGresult) res = run (self, purge_sql, 0, NULL, error);

	if (res == NULL)
		return FALSE;
	if (n_purged != NULL)
		*n_purged = (guint)g_ascii_strtoull (PQcmdTuples (res), NULL, 10);
	return TRUE;
}
