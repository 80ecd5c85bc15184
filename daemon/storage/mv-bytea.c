/* bytea in text form: see mv-bytea.h. */
#include "mv-bytea.h"

#include <libpq-fe.h>
#include <sodium.h>

GBytes *
mv_db_bytea_from_text (const gchar *text)
{
	size_t len = 0;
	guchar *raw;
	GBytes *bytes;

	if (text == NULL)
		return NULL;
	raw = PQunescapeBytea ((const guchar *)text, &len);
	if (raw == NULL)
		return NULL;
	bytes = g_bytes_new (raw, len);
	PQfreemem (raw);
	return bytes;
}

gchar *
mv_db_bytea_to_text (const guint8 *data, gsize len)
{
	gchar *text = g_malloc (2 + len * 2 + 1);

	text[0] = '\\';
	text[1] = 'x';
	sodium_bin2hex (text + 2, len * 2 + 1, data, len);
	return text;
}

gchar *
mv_db_bytea_bytes_to_text (GBytes *bytes)
{
	gsize len = 0;
	const guint8 *data = g_bytes_get_data (bytes, &len);

	return mv_db_bytea_to_text (data, len);
}
