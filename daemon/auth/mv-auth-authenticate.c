/* The bearer-token authenticator and its per-key rate limit (a token bucket per key id, in
 * memory, per daemon instance).  Together because the bucket is taken only once a token is
 * known to be valid, and it also decides when last_used_at is written. */
#define G_LOG_DOMAIN "medverse-auth"

#include "mv-error-table.h"
#include "mv-auth-private.h"

#include <medverse/mv-error.h>
#include <sodium.h>
#include <string.h>

typedef struct {
	gdouble tokens;
	gint64 refilled_us;
	gint64 last_used_written_us;
} Bucket;

static void
set_unauthorized (GError **error)
{
	/* one message for malformed, unknown, revoked and expired: no oracle */
	mv_set_error_bilingual (error, MV_ERROR_UNAUTHORIZED,
				"the API key is not valid (send Authorization: Bearer <key>)",
				"API 密钥无效（请发送 Authorization: Bearer <密钥>）");
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

static const guint8 dummy_hash[MV_AUTH_HASH_BYTES] = { 0 };

/* A key verified against the database a moment ago. */
typedef struct {
	guint8 hash[MV_AUTH_HASH_BYTES];
	MvRole role;
	gchar *clinic_id;
	gchar *patient_id;
	gint64 valid_until_us;
} KnownKey;

void
mv_auth_known_key_free (gpointer data)
{
	KnownKey *known = data;

	sodium_memzero (known->hash, sizeof known->hash);
	g_free (known->clinic_id);
	g_free (known->patient_id);
	g_free (known);
}

void
mv_auth_forget_known_keys (MvAuth *auth)
{
	g_mutex_lock (&auth->lock);
	g_hash_table_remove_all (auth->known);
	g_mutex_unlock (&auth->lock);
}

static MvAuthContext *
context_new (const gchar *key_id, MvRole role, const gchar *clinic_id, const gchar *patient_id)
{
	MvAuthContext *ctx = g_new0 (MvAuthContext, 1);
	ctx->role = role;
	ctx->key_id = g_strdup (key_id);
	ctx->clinic_id = g_strdup (clinic_id);
	ctx->patient_id = g_strdup (patient_id);
	return ctx;
}

/* The caller of a key verified less than MV_AUTH_KNOWN_KEY_SECONDS ago, or NULL. */
static MvAuthContext *
recall_key (MvAuth *auth, const MvAuthParsedToken *parsed)
{
	MvAuthContext *ctx = NULL;
	KnownKey *known;

	g_mutex_lock (&auth->lock);
	known = g_hash_table_lookup (auth->known, parsed->key_id);
	if (known != NULL && g_get_monotonic_time () < known->valid_until_us
	    && sodium_memcmp (known->hash, parsed->hash, MV_AUTH_HASH_BYTES) == 0)
		ctx = context_new (parsed->key_id, known->role, known->clinic_id,
				   known->patient_id);
	g_mutex_unlock (&auth->lock);
	return ctx;
}

/* @expires_in: the seconds the key has left as PostgreSQL printed them, or NULL for none */
static void
remember_key (MvAuth *auth,
	      const MvAuthParsedToken *parsed,
	      const MvAuthContext *ctx,
	      const gchar *expires_in)
{
	KnownKey *known = g_new0 (KnownKey, 1);
	gdouble seconds = MV_AUTH_KNOWN_KEY_SECONDS;

	if (expires_in != NULL)
		seconds = MIN (seconds, g_ascii_strtod (expires_in, NULL));
	if (seconds <= 0) {
		mv_auth_known_key_free (known);
		return;
	}
	memcpy (known->hash, parsed->hash, MV_AUTH_HASH_BYTES);
	known->role = ctx->role;
	known->clinic_id = g_strdup (ctx->clinic_id);
	known->patient_id = g_strdup (ctx->patient_id);
	known->valid_until_us = g_get_monotonic_time () + (gint64)(seconds * G_USEC_PER_SEC);
	g_mutex_lock (&auth->lock);
	/* bounded: at most one entry per key, and all of them dropped when the table grows */
	if (g_hash_table_size (auth->known) > 10000)
		g_hash_table_remove_all (auth->known);
	g_hash_table_insert (auth->known, g_strdup (parsed->key_id), known);
	g_mutex_unlock (&auth->lock);
}

/* Verifies @parsed against the database, in constant time whether or not the key exists. */
static MvAuthContext *
verify_key (MvAuth *auth, const MvAuthParsedToken *parsed, GError **error)
{
	const gchar *params[] = { parsed->key_id };
	guint8 stored[MV_AUTH_HASH_BYTES];
	g_autoptr (PGresult) res = NULL;
	MvAuthContext *ctx;
	gboolean found, valid;
	PGconn *conn = mv_db_acquire (auth->services->db, 5000, error);

	if (conn == NULL)
		return NULL;
	res = mv_db_exec_params (
		conn,
		parsed->operator
			? "SELECT encode(secret_hash, 'hex'), (revoked_at IS NULL AND (expires_at "
			  "IS NULL OR expires_at > now())), NULL, 'operator', NULL, "
			  "extract(epoch FROM expires_at - now()) FROM operator_keys WHERE key_id "
			  "= $1"
			: "SELECT encode(secret_hash, 'hex'), (revoked_at IS NULL AND (expires_at "
			  "IS NULL OR expires_at > now())), clinic_id::text, role, "
			  "patient_id::text, "
			  "extract(epoch FROM expires_at - now()) FROM api_keys WHERE key_id = $1",
		1, params, error);
	mv_db_release (auth->services->db, conn);
	if (res == NULL)
		return NULL;
	found = PQntuples (res) == 1
		&& sodium_hex2bin (stored, sizeof stored, PQgetvalue (res, 0, 0),
				   strlen (PQgetvalue (res, 0, 0)), NULL, NULL, NULL)
			   == 0;
	/* compare in constant time, against a dummy when there is no row */
	valid = sodium_memcmp (parsed->hash, found ? stored : dummy_hash, MV_AUTH_HASH_BYTES) == 0;
	if (!found || !valid || g_strcmp0 (PQgetvalue (res, 0, 1), "t") != 0) {
		set_unauthorized (error);
		return NULL;
	}
	ctx = context_new (parsed->key_id, mv_role_from_string (PQgetvalue (res, 0, 3)),
			   mv_auth_nullable_value (res, 0, 2), mv_auth_nullable_value (res, 0, 4));
	if (ctx->role != MV_ROLE_NONE)
		remember_key (auth, parsed, ctx, mv_auth_nullable_value (res, 0, 5));
	return ctx;
}

static void
record_last_use (MvAuth *auth, const MvAuthParsedToken *parsed)
{
	const gchar *params[] = { parsed->key_id };
	g_autoptr (GError) local = NULL;
	g_autoptr (PGresult) upd = NULL;
	PGconn *conn = mv_db_acquire (auth->services->db, 5000, &local);

	if (conn != NULL) {
		upd = mv_db_exec_params (
			conn,
			parsed->operator
				? "UPDATE operator_keys SET last_used_at = now() WHERE key_id = $1"
				: "UPDATE api_keys SET last_used_at = now() WHERE key_id = $1",
			1, params, &local);
		mv_db_release (auth->services->db, conn);
	}
	if (upd == NULL)
		g_warning ("key %s: recording its last use failed: %s", parsed->key_id,
			   local->message);
}

MvAuthContext *
mv_auth_authenticate (MvAuth *auth, const gchar *token, guint *retry_after, GError **error)
{
	MvAuthParsedToken parsed;
	g_autoptr (MvAuthContext) ctx = NULL;
	gboolean write_last_used = FALSE;
	guint retry;

	*retry_after = 0;
	if (token == NULL || !mv_auth_parse_token (token, &parsed)) {
		set_unauthorized (error);
		return NULL;
	}
	ctx = recall_key (auth, &parsed);
	if (ctx == NULL)
		ctx = verify_key (auth, &parsed, error);
	sodium_memzero (&parsed.hash, sizeof parsed.hash);
	if (ctx == NULL)
		return NULL;
	retry = take_token (auth, parsed.key_id, &write_last_used);
	if (write_last_used)
		record_last_use (auth, &parsed);
	if (retry > 0) {
		*retry_after = retry;
		mv_set_error_bilingual_printf (error, MV_ERROR_RATE_LIMITED,
					       "too many requests for this key; retry in %u s",
					       "该密钥的请求过多；请在 %u 秒后重试", retry);
		return NULL;
	}
	if (ctx->role == MV_ROLE_NONE) {
		set_unauthorized (error);
		return NULL;
	}
	return g_steal_pointer (&ctx);
}
