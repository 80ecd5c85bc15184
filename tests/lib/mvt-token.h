/*
 * The one reader (and writer) of the tests' token and key files: the --dev operator key
 * (<data-dir>/operator.key) and master key files.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* a token or key file's contents without the trailing newline; NULL with @error set when it
 * cannot be read or is empty */
gchar *mvt_token_read (const gchar *path, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* the --dev operator key of the daemon whose data dir is @data_dir (asserts it is there) */
gchar *mvt_operator_token (const gchar *data_dir) G_GNUC_WARN_UNUSED_RESULT;
/* the operator key of the binary's shared daemon (mvt_main) */
gchar *mvt_shared_operator_token (void) G_GNUC_WARN_UNUSED_RESULT;
/* writes a new random 32-byte key, hex-encoded, to @path with mode 0600 (a master key file) */
void mvt_write_key_file (const gchar *path);

G_END_DECLS
