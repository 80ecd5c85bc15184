/*
 * Medverse storage — bytea values in text form, the one encoder and decoder.
 *
 * libpq hands bytea columns out as text ("\\x0a1b…") and takes bytea parameters as text in
 * the same hex format.  Every module and test converts through these two functions.  Kept
 * apart from mv-db.h so code that talks to libpq without the pool (tests) can use them too.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * mv_db_bytea_from_text:
 * @text: (nullable): a bytea value as libpq returns it in text format (hex or escape)
 *
 * The one bytea decoder: every bytea column read in text format goes through it.
 *
 * Returns: (transfer full) (nullable): the bytes, or %NULL for %NULL or undecodable text
 */
GBytes *mv_db_bytea_from_text (const gchar *text);

/**
 * mv_db_bytea_to_text:
 * @data: (array length=len): bytes
 * @len: their number
 *
 * The one bytea encoder: @data in PostgreSQL's hex input format (`\x0a1b…`), for a text
 * parameter of mv_db_exec_params().  The hex conversion runs in constant time (sodium), so it
 * is fit for hashes of secrets too.
 *
 * Returns: (transfer full): the parameter text
 */
gchar *mv_db_bytea_to_text (const guint8 *data, gsize len);

/**
 * mv_db_bytea_bytes_to_text:
 * @bytes: bytes
 *
 * mv_db_bytea_to_text() of @bytes.
 *
 * Returns: (transfer full): the parameter text
 */
gchar *mv_db_bytea_bytes_to_text (GBytes *bytes);

G_END_DECLS
