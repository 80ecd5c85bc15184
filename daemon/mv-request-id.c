#include "mv-request-id.h"

gchar *
mv_request_id_new (void)
{
	return g_strdup_printf ("%08x%08x", g_random_int (), g_random_int ());
}

gboolean
mv_request_id_is_valid (const gchar *id)
{
	gsize len = 0;
	if (id == NULL)
		return FALSE;
	for (; id[len] != '\0'; len++) {
		gchar c = id[len];
		if (len >= 64 || !(g_ascii_isalnum (c) || c == '.' || c == '_' || c == '-'))
			return FALSE;
	}
	return len > 0;
}
