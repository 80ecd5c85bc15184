#include "mv-request-id.h"

gchar *
mv_request_id_new (void)
{
	return g_strdup_printf ("%08x%08x", g_random_int (), g_random_int ());
}
