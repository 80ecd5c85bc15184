/* The per-address rate limit of what an unauthenticated client can try: invite redemption, and
 * authentication that fails on any route (docs/security.md, "Rate limiting").  A token bucket
 * per client address, in memory, per daemon instance, beside the per-key buckets of
 * mv-auth-authenticate.c and under the same lock. */
#define G_LOG_DOMAIN "medverse-auth"

#include "mv-error-table.h"
#include "mv-auth-private.h"

#include <gio/gio.h>
#include <medverse/mv-error.h>
#include <string.h>

#include "mv-log-limit.h"

/* the most addresses tracked at once: past it, addresses with a full bucket are forgotten
 * first, then the new address is let through untracked (memory stays bounded whatever an
 * attacker with many addresses does) */
#define MAX_ADDRESSES 65536

typedef struct {
	gdouble tokens;
	gint64 refilled_us;
} AddressBucket;

/* The key an address is counted under: an IPv4 address as it is (also when it comes
 * IPv4-mapped in IPv6), an IPv6 address by its /64, which one host usually owns whole. */
static gchar *
address_key (const gchar *address)
{
	g_autoptr (GInetAddress) inet = g_inet_address_new_from_string (address);
	static const guint8 mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	const guint8 *bytes;
	guint8 prefix[16] = { 0 };

	if (inet == NULL || g_inet_address_get_family (inet) != G_SOCKET_FAMILY_IPV6)
		return g_strdup (address);
	bytes = g_inet_address_to_bytes (inet);
	if (memcmp (bytes, mapped_prefix, sizeof mapped_prefix) == 0) {
		g_autoptr (GInetAddress) v4
			= g_inet_address_new_from_bytes (bytes + 12, G_SOCKET_FAMILY_IPV4);
		return g_inet_address_to_string (v4);
	}
	memcpy (prefix, bytes, 8);
	{
		g_autoptr (GInetAddress) net
			= g_inet_address_new_from_bytes (prefix, G_SOCKET_FAMILY_IPV6);
		g_autofree gchar *text = g_inet_address_to_string (net);
		return g_strdup_printf ("%s/64", text);
	}
}

/* under auth->lock: drops the buckets that have filled up again */
static void
prune (MvAuth *auth, gint64 now, gdouble rate_per_us, gdouble burst)
{
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init (&iter, auth->address_buckets);
	while (g_hash_table_iter_next (&iter, NULL, &value)) {
		const AddressBucket *old = value;
		if (old->tokens + (now - old->refilled_us) * rate_per_us >= burst)
			g_hash_table_iter_remove (&iter);
	}
	auth->address_last_prune_us = now;
}

/* Refills @address's bucket and, when @charge, takes one attempt from it.  Returns 0, or the
 * seconds until the next attempt is allowed (nothing taken then). */
static guint
address_bucket_use (MvAuth *auth, const gchar *address, gboolean charge)
{
	const MvConfig *config = auth->services->config;
	gdouble rate_per_us = config->address_rate_limit_per_minute / (60.0 * G_USEC_PER_SEC);
	gdouble burst = config->address_rate_limit_burst;
	gint64 now = g_get_monotonic_time ();
	g_autofree gchar *key = NULL;
	AddressBucket *bucket;
	guint retry = 0;

	if (config->address_rate_limit_per_minute == 0 || address == NULL)
		return 0;
	key = address_key (address);
	g_mutex_lock (&auth->lock);
	/* a full table is pruned at most once a second: an attacker keeping it full must not
	 * make every request walk it */
	if (now - auth->address_last_prune_us > 60 * G_USEC_PER_SEC
	    || (g_hash_table_size (auth->address_buckets) >= MAX_ADDRESSES
		&& now - auth->address_last_prune_us > G_USEC_PER_SEC))
		prune (auth, now, rate_per_us, burst);
	bucket = g_hash_table_lookup (auth->address_buckets, key);
	if (bucket == NULL
	    && (!charge || g_hash_table_size (auth->address_buckets) >= MAX_ADDRESSES)) {
		g_mutex_unlock (&auth->lock);
		return 0;
	}
	if (bucket == NULL) {
		bucket = g_new0 (AddressBucket, 1);
		bucket->tokens = burst;
		bucket->refilled_us = now;
		g_hash_table_insert (auth->address_buckets, g_steal_pointer (&key), bucket);
	}
	bucket->tokens = MIN (burst, bucket->tokens + (now - bucket->refilled_us) * rate_per_us);
	bucket->refilled_us = now;
	if (bucket->tokens < 1.0)
		retry = MAX (1, (guint)((1.0 - bucket->tokens) / rate_per_us / G_USEC_PER_SEC
					+ 0.999999));
	else if (charge)
		bucket->tokens -= 1.0;
	g_mutex_unlock (&auth->lock);
	return retry;
}

static gboolean
refuse (const gchar *address, guint retry, guint *retry_after, GError **error)
{
	static MvLogLimit limit;
	g_autofree gchar *suffix = NULL;

	*retry_after = retry;
	/* the address is what an operator blocks; one line per interval, whatever the storm */
	if (mv_log_limit_take (&limit, &suffix))
		g_warning ("client %s: too many failed authentications or invite redemptions; "
			   "refused for %u s%s",
			   address, retry, suffix);
	mv_set_error_bilingual_printf (error, MV_ERROR_RATE_LIMITED,
				       "too many attempts from this address; retry in %u s",
				       "来自此地址的尝试过多；请在 %u 秒后重试", retry);
	return FALSE;
}

gboolean
mv_auth_address_check (MvAuth *auth, const gchar *address, guint *retry_after, GError **error)
{
	guint retry = address_bucket_use (auth, address, FALSE);

	*retry_after = 0;
	return retry == 0 || refuse (address, retry, retry_after, error);
}

gboolean
mv_auth_address_take (MvAuth *auth, const gchar *address, guint *retry_after, GError **error)
{
	guint retry = address_bucket_use (auth, address, TRUE);

	*retry_after = 0;
	return retry == 0 || refuse (address, retry, retry_after, error);
}

void
mv_auth_address_charge (MvAuth *auth, const gchar *address)
{
	(void)address_bucket_use (auth, address, TRUE);
}
