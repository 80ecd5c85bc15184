#include "mv-secret.h"

#include <sodium.h>
#include <string.h>

struct _MvSecret {
	guint8 *data; /* a slab slot, or its own sodium_malloc() region */
	gsize size;
	gint slot; /* -1: own region */
	gboolean readonly;
};

/*
 * Short secrets (the per-request KEKs, DEKs and index keys) live in slots of one slab: a single
 * sodium_malloc() region, so guard pages around it and locked against swapping, allocated once.
 * Giving each its own sodium_malloc() costs about a dozen system calls (mmap, mprotect of the
 * guard pages, mlock, madvise, and the same again to free), and every mprotect/munmap of a
 * multi-threaded process is a TLB shoot-down on every CPU: measured on a 2-vCPU VM, that was
 * most of what encryption added to a patient create (tests/bench/RESULTS.md).  A slot is
 * wiped when released.  What a slot cannot have is page protection of its own, so keys that
 * live for the whole process (key files) take mv_secret_new_dedicated(), which keeps it.
 */
#define SLOT_SIZE 64
#define N_SLOTS 256

static GMutex slab_lock;
static guint8 *slab;			/* N_SLOTS * SLOT_SIZE bytes, sodium_malloc'd */
static guint64 slab_used[N_SLOTS / 64]; /* one bit per slot */

/* a free slot's index, now marked used, or -1 when the slab is full */
static gint
slab_take (void)
{
	g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&slab_lock);

	if (slab == NULL) {
		slab = sodium_malloc (N_SLOTS * SLOT_SIZE);
		if (slab == NULL)
			return -1;
		sodium_memzero (slab, N_SLOTS * SLOT_SIZE);
	}
	for (guint word = 0; word < G_N_ELEMENTS (slab_used); word++) {
		if (slab_used[word] == G_MAXUINT64)
			continue;
		for (guint bit = 0; bit < 64; bit++) {
			if ((slab_used[word] & (G_GUINT64_CONSTANT (1) << bit)) == 0) {
				slab_used[word] |= G_GUINT64_CONSTANT (1) << bit;
				return (gint)(word * 64 + bit);
			}
		}
	}
	return -1;
}

static void
slab_release (gint slot)
{
	g_autoptr (GMutexLocker) locker = NULL;

	sodium_memzero (slab + (gsize)slot * SLOT_SIZE, SLOT_SIZE);
	locker = g_mutex_locker_new (&slab_lock);
	slab_used[slot / 64] &= ~(G_GUINT64_CONSTANT (1) << (slot % 64));
}

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
mv_secret_new_dedicated (gsize size)
{
	MvSecret *secret;

	g_return_val_if_fail (size > 0, NULL);
	mv_crypto_init ();
	secret = g_new0 (MvSecret, 1);
	secret->slot = -1;
	secret->data = sodium_malloc (size);
	if (secret->data == NULL)
		g_error ("sodium_malloc(%" G_GSIZE_FORMAT ") failed: out of memory", size);
	sodium_memzero (secret->data, size);
	secret->size = size;
	return secret;
}

MvSecret *
mv_secret_new_writable (gsize size)
{
	MvSecret *secret;
	gint slot;

	g_return_val_if_fail (size > 0, NULL);
	if (size > SLOT_SIZE)
		return mv_secret_new_dedicated (size);
	mv_crypto_init ();
	slot = slab_take ();
	if (slot < 0) /* more than N_SLOTS secrets alive at once: still correct, only slower */
		return mv_secret_new_dedicated (size);
	secret = g_new0 (MvSecret, 1);
	secret->slot = slot;
	secret->data = slab + (gsize)slot * SLOT_SIZE;
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
	/* A slot shares its pages with other secrets: read-only through this API only. */
	if (secret->slot >= 0) {
		secret->readonly = TRUE;
		return;
	}
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
	if (secret->slot >= 0)
		slab_release (secret->slot);
	else /* makes the region writable again, wipes it and releases the guard pages */
		sodium_free (secret->data);
	g_free (secret);
}
