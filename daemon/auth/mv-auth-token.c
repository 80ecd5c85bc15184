/* The token formats (docs/security.md, "API keys") and their hashing: making secrets,
 * parsing mvk_/mvop_ tokens, the BLAKE2b hash that is all the database ever stores.  Kept apart
 * so that every place that makes or checks a token uses the same rules. */
#define G_LOG_DOMAIN "medverse-auth"

#include "mv-auth-private.h"

#include <sodium.h>
#include <string.h>

void
mv_auth_hash_token (const gchar *domain, const gchar *token, guint8 out[MV_AUTH_HASH_BYTES])
{
	crypto_generichash (out, MV_AUTH_HASH_BYTES, (const guint8 *)token, strlen (token),
			    (const guint8 *)domain, strlen (domain));
}

gchar *
mv_auth_random_hex (gsize n_bytes)
{
	g_autofree guint8 *raw = g_malloc (n_bytes);
	gchar *hex = g_malloc (n_bytes * 2 + 1);
	randombytes_buf (raw, n_bytes);
	sodium_bin2hex (hex, n_bytes * 2 + 1, raw, n_bytes);
	sodium_memzero (raw, n_bytes);
	return hex;
}

gboolean
mv_auth_is_lower_hex (const gchar *s, gsize len)
{
	for (gsize i = 0; i < len; i++)
		if (!g_ascii_isxdigit (s[i]) || g_ascii_isupper (s[i]))
			return FALSE;
	return TRUE;
}

void
mv_auth_wipe_string (gchar *s)
{
	if (s != NULL)
		sodium_memzero (s, strlen (s));
}

gboolean
mv_auth_is_key_id (const gchar *s)
{
	return s != NULL && strlen (s) == MV_AUTH_KEY_ID_BYTES * 2
	       && mv_auth_is_lower_hex (s, MV_AUTH_KEY_ID_BYTES * 2);
}

gboolean
mv_auth_parse_operator_token (const gchar *token,
			      guint8 hash[MV_AUTH_HASH_BYTES],
			      gchar key_id[MV_AUTH_KEY_ID_BYTES * 2 + 1])
{
	gsize len = strlen (token);
	if (len != 5 + MV_AUTH_TOKEN_SECRET_BYTES * 2 || !g_str_has_prefix (token, "mvop_")
	    || !mv_auth_is_lower_hex (token + 5, MV_AUTH_TOKEN_SECRET_BYTES * 2))
		return FALSE;
	mv_auth_hash_token (MV_AUTH_API_KEY_DOMAIN, token, hash);
	sodium_bin2hex (key_id, MV_AUTH_KEY_ID_BYTES * 2 + 1, hash, MV_AUTH_KEY_ID_BYTES);
	return TRUE;
}

gboolean
mv_auth_parse_token (const gchar *token, MvAuthParsedToken *out)
{
	gsize len = strlen (token);

	if (g_str_has_prefix (token, "mvop_")) {
		out->operator= TRUE;
		return mv_auth_parse_operator_token (token, out->hash, out->key_id);
	}
	/* mvk_ + 16 + _ + 64 */
	if (len != 4 + MV_AUTH_KEY_ID_BYTES * 2 + 1 + MV_AUTH_TOKEN_SECRET_BYTES * 2
	    || !g_str_has_prefix (token, "mvk_") || token[4 + MV_AUTH_KEY_ID_BYTES * 2] != '_'
	    || !mv_auth_is_lower_hex (token + 4, MV_AUTH_KEY_ID_BYTES * 2)
	    || !mv_auth_is_lower_hex (token + 4 + MV_AUTH_KEY_ID_BYTES * 2 + 1,
				      MV_AUTH_TOKEN_SECRET_BYTES * 2))
		return FALSE;
	out->operator= FALSE;
	memcpy (out->key_id, token + 4, MV_AUTH_KEY_ID_BYTES * 2);
	out->key_id[MV_AUTH_KEY_ID_BYTES * 2] = '\0';
	mv_auth_hash_token (MV_AUTH_API_KEY_DOMAIN, token, out->hash);
	return TRUE;
}
