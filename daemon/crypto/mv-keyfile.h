/*
 * Medverse crypto core — key files (master key, audit signing key).
 *
 * A key file holds exactly one key of a fixed size, either as lowercase or uppercase hex
 * (2 × size characters, optionally followed by one newline; `openssl rand -hex 32 > key`
 * makes a valid 32-byte key file) or as the raw bytes.  It must be a regular file owned by the
 * user running the daemon with no permission bits for group or others (mode 0600 or 0400);
 * anything else is refused before a single byte is read, with an error naming the path and
 * the mode.
 */
#pragma once

#include "mv-secret.h"

G_BEGIN_DECLS

/**
 * mv_key_file_load:
 * @path: the key file
 * @size: expected key size in bytes (32 for every key the daemon uses)
 * @error: return location for an error (%MV_ERROR_FAILED, message naming @path)
 *
 * Checks ownership and mode on the opened file (no check-then-open race) and reads the key
 * straight into a secret buffer.
 *
 * Returns: (transfer full): the key, or %NULL with @error set.
 */
MvSecret *
mv_key_file_load (const gchar *path, gsize size, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_key_file_generate:
 * @path: where to create the key file; must not exist
 * @size: key size in bytes
 * @error: return location for an error (%MV_ERROR_FAILED)
 *
 * Creates @path with O_EXCL and mode 0600 and writes a fresh random key as hex.  Never
 * overwrites an existing file: losing a master key loses every patient record.  Meant for
 * `--dev`; production keys are provisioned by the operator.
 *
 * Returns: %TRUE on success.
 */
gboolean mv_key_file_generate (const gchar *path, gsize size, GError **error);

G_END_DECLS
