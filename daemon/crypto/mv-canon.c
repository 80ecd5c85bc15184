#include "mv-canon-private.h"

#include <medverse/mv-error.h>
#include <string.h>

static void
add_u32 (GByteArray *buf, guint32 value)
{
	guint8 be[4] = { value >> 24, value >> 16, value >> 8, value };

	g_byte_array_append (buf, be, sizeof be);
}

GByteArray *
mv_canon_new (const gchar *tag)
{
	GByteArray *buf = g_byte_array_sized_new (128);

	mv_canon_add_str (buf, tag);
	return buf;
}

void
mv_canon_add_bytes (GByteArray *buf, const guint8 *data, gsize len)
{
	g_return_if_fail (len <= G_MAXUINT32);
	add_u32 (buf, (guint32)len);
	if (len > 0)
		g_byte_array_append (buf, data, (guint)len);
}

void
mv_canon_add_str (GByteArray *buf, const gchar *str)
{
	mv_canon_add_bytes (buf, (const guint8 *)str, strlen (str));
}

void
mv_canon_add_u64 (GByteArray *buf, guint64 value)
{
	guint8 be[8];

	for (guint i = 0; i < 8; i++)
		be[i] = (guint8)(value >> (56 - 8 * i));
	mv_canon_add_bytes (buf, be, sizeof be);
}

gboolean
mv_canon_check_id (const gchar *what, const gchar *value, GError **error)
{
	gsize len;

	if (value == NULL || value[0] == '\0') {
		g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT, "%s is empty", what);
		return FALSE;
	}
	len = strlen (value);
	if (len > MV_CANON_MAX_ID) {
		g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
			     "%s is %" G_GSIZE_FORMAT " bytes long, the limit is %d", what, len,
			     MV_CANON_MAX_ID);
		return FALSE;
	}
	if (!g_utf8_validate (value, (gssize)len, NULL)) {
		g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT, "%s is not valid UTF-8",
			     what);
		return FALSE;
	}
	for (gsize i = 0; i < len; i++) {
		if ((guchar)value[i] < 0x20 || value[i] == 0x7f) {
			g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
				     "%s contains a control character at byte %" G_GSIZE_FORMAT,
				     what, i);
			return FALSE;
		}
	}
	return TRUE;
}
