/*
 * Medverse crypto core — secret buffers.
 *
 * An MvSecret holds key material (or any other short secret) in memory from sodium_malloc():
 * guard pages around it, locked against swapping where the kernel allows, and wiped when freed.
 * Secrets of up to 64 bytes share one such region (a slot each, taken and wiped without a
 * system call); larger ones, and those made with mv_secret_new_dedicated(), get their own,
 * which mv_secret_seal_readonly() also makes read-only with sodium_mprotect_readonly() so a
 * stray write faults instead of corrupting a long-lived key.  A sealed secret is safe to share
 * between threads.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _MvSecret MvSecret;

/**
 * mv_crypto_init:
 *
 * Initialises libsodium once per process.  Every constructor in this library calls it, so
 * calling it yourself is only needed before using libsodium directly.  Thread-safe.
 * Aborts if libsodium cannot initialise (no usable random source): nothing in the crypto
 * core may run without it.
 */
void mv_crypto_init (void);

/**
 * mv_secret_new_random:
 * @size: number of bytes, > 0
 *
 * Returns: (transfer full): a read-only secret of @size random bytes.
 */
MvSecret *mv_secret_new_random (gsize size) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_secret_new_from_data:
 * @data: bytes to copy
 * @size: number of bytes, > 0
 *
 * Returns: (transfer full): a read-only secret holding a copy of @data.  The caller wipes its
 * own copy.
 */
MvSecret *mv_secret_new_from_data (const guint8 *data, gsize size) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_secret_new_writable: (skip)
 * @size: number of bytes, > 0
 *
 * Returns: (transfer full): a zero-filled, still writable secret; fill it through
 * mv_secret_get_writable() and then call mv_secret_seal_readonly().
 */
MvSecret *mv_secret_new_writable (gsize size) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_secret_new_dedicated: (skip)
 * @size: number of bytes, > 0
 *
 * Like mv_secret_new_writable(), in a sodium_malloc() region of its own, which
 * mv_secret_seal_readonly() protects at page level.  For keys that live as long as the process
 * (key files); it costs a dozen system calls to make and to free.
 */
MvSecret *mv_secret_new_dedicated (gsize size) G_GNUC_WARN_UNUSED_RESULT;

guint8 *mv_secret_get_writable (MvSecret *secret);

/**
 * mv_secret_seal_readonly:
 * @secret: a writable secret
 *
 * Makes the secret read-only: mv_secret_get_writable() refuses it from now on, and a secret
 * in a region of its own is page-protected as well.  Idempotent.
 */
void mv_secret_seal_readonly (MvSecret *secret);

const guint8 *mv_secret_get_data (const MvSecret *secret);

gsize mv_secret_get_size (const MvSecret *secret);

/**
 * mv_secret_equal:
 *
 * Constant-time comparison of two secrets of the same size.  Secrets of different sizes are
 * unequal (the sizes are not secret).
 */
gboolean mv_secret_equal (const MvSecret *a, const MvSecret *b);

void mv_secret_free (MvSecret *secret);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvSecret, mv_secret_free)

G_END_DECLS
