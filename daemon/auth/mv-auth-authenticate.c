/* The bearer-token authenticator and its per-key rate limit (a token bucket per key id, in
 * memory, per daemon instance).  Together because the bucket is taken only once a token is
 * known to be valid, and it also decides when last_used_at is written. */
#define G_LOG_DOMAIN "medverse-auth"

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
	g_set_error (error, MV_ERROR, MV_ERROR_UNAUTHORIZED,
		     "the API key is not valid (send Authorization: Bearer <key>)");
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

MvAuthContext *
mv_auth_authenticate (MvAuth *auth, const gchar *token, guint *retry_after, GError **error)
{
	MvAuthParsedToken parsed;
	PGconn *conn;
	g_autoptr (PGresult) res = NULL;
	g_autoptr (MvAuthContext) ctx = NULL;
	const gchar *params[1];
	guint8 stored[MV_AUTH_HASH_BYTES];
	gboolean found, valid, write_last_used = FALSE;
	guint retry;

	*retry_after = 0;
	if (token == NULL || !mv_auth_parse_token (token, &parsed)) {
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
	valid = sodium_memcmp (parsed.hash, found ? stored : dummy_hash, MV_AUTH_HASH_BYTES) == 0;
	sodium_memzero (&parsed.hash, sizeof parsed.hash);
	if (!found || !valid || g_strcmp0 (PQgetvalue (res, 0, 1), "t") != 0) {
		mv_db_release (auth->services->db, conn);
		set_unauthorized (error);
		return NULL;
	}
	ctx = g_new0 (MvAuthContext, 1);
	ctx->role = mv_role_from_string (PQgetvalue (res, 0, 3));
	ctx->key_id = g_strdup (parsed.key_id);
	ctx->clinic_id = g_strdup (mv_auth_nullable_value (res, 0, 2));
	ctx->patient_id = g_strdup (mv_auth_nullable_value (res, 0, 4));
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
