/*
 * Canonical, length-prefixed encoding used for every byte string that is authenticated or
 * hashed by the crypto core (AEAD additional data, audit entries, signed tree heads).
 *
 * An encoding is a sequence of fields; each field is
 *
 *     u32 big-endian length || bytes
 *
 * strings are their UTF-8 bytes (no terminator), integers are 8 bytes big-endian (two's
 * complement for signed values) and also carry their length prefix (always 8), so every field
 * is self-delimiting and no two different field lists encode to the same bytes.  The first
 * field is always a domain tag such as "medverse.record.v1" so an encoding made for one purpose
 * can never be valid for another.  docs/security.md documents each layout.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Longest identifier (clinic id, patient id, record kind…) accepted anywhere. */
#define MV_CANON_MAX_ID 256

GByteArray *mv_canon_new (const gchar *tag);

void mv_canon_add_bytes (GByteArray *buf, const guint8 *data, gsize len);

void mv_canon_add_str (GByteArray *buf, const gchar *str);

void mv_canon_add_u64 (GByteArray *buf, guint64 value);

/**
 * mv_canon_check_id:
 * @what: field name for the error message, e.g. "clinic id"
 * @value: (nullable): the value to check
 *
 * An identifier must be non-empty valid UTF-8 of at most %MV_CANON_MAX_ID bytes without control
 * characters.  Errors are %MV_ERROR_INVALID_INPUT naming @what.
 */
gboolean mv_canon_check_id (const gchar *what, const gchar *value, GError **error);

G_END_DECLS
