#include "mv-secret.h"

#include <sodium.h>
#include <string.h>

struct _MvSecret {
	guint8 *data; /* sodium_malloc'd */
	gsize size;
	gboolean readonly;
};

void
mv_crypto_init (void)
{
	static gsize done = 0;

	if (g_once_init_enter (&done)) {
		/* sodium_init() returns 1 when already initialised by someone else: fine. */
		if (sodium_init () < 0)
			g_error ("libsodium failed to initialise; refusing to run without it");
		g_once_init_leave (&done, 1);
	}
}

MvSecret *
mv_secret_new_writable (gsize size)
{
	MvSecret *secret;

	g_return_val_if_fail (size > 0, NULL);
	mv_crypto_init ();
	secret = g_new0 (MvSecret, 1);
	secret->data = sodium_malloc (size);
	if (secret->data == NULL)
		g_error ("sodium_malloc(%" G_GSIZE_FORMAT ") failed: out of memory", size);
	sodium_memzero (secret->data, size);
	secret->size = size;
	return secret;
}

guint8 *
mv_secret_get_writable (MvSecret *secret)
{
	g_return_val_if_fail (secret != NULL, NULL);
	g_return_val_if_fail (!secret->readonly, NULL);
	return secret->data;
}

void
mv_secret_seal_readonly (MvSecret *secret)
{
	g_return_if_fail (secret != NULL);
	if (secret->readonly)
		return;
	/* Can only fail where page protection is unavailable; the secret stays usable then. */
	if (sodium_mprotect_readonly (secret->data) == 0)
		secret->readonly = TRUE;
}

MvSecret *
mv_secret_new_random (gsize size)
{
	MvSecret *secret = mv_secret_new_writable (size);

	randombytes_buf (secret->data, size);
	mv_secret_seal_readonly (secret);
	return secret;
}

MvSecret *
mv_secret_new_from_data (const guint8 *data, gsize size)
{
	MvSecret *secret;

	g_return_val_if_fail (data != NULL, NULL);
	secret = mv_secret_new_writable (size);
	memcpy (secret->data, data, size);
	mv_secret_seal_readonly (secret);
	return secret;
}

const guint8 *
mv_secret_get_data (const MvSecret *secret)
{
	g_return_val_if_fail (secret != NULL, NULL);
	return secret->data;
}

gsize
mv_secret_get_size (const MvSecret *secret)
{
	g_return_val_if_fail (secret != NULL, 0);
	return secret->size;
}

gboolean
mv_secret_equal (const MvSecret *a, const MvSecret *b)
{
	g_return_val_if_fail (a != NULL && b != NULL, FALSE);
	if (a->size != b->size)
		return FALSE;
	return sodium_memcmp (a->data, b->data, a->size) == 0;
}

void
mv_secret_free (MvSecret *secret)
{
	if (secret == NULL)
		return;
	/* sodium_free() makes the region writable again, wipes it and releases the guard pages. */
	sodium_free (secret->data);
	g_free (secret);
}
