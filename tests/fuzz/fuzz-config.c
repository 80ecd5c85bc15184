/*
 * libFuzzer target: the daemon's configuration file.  Any input is either accepted or refused
 * with an error that names what was wrong; it never crashes and never logs a critical.
 */
#include <glib.h>

#include "mv-config.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvConfig) config = mv_config_load_from_data ((const gchar *)data, size, &error);

	g_assert ((config == NULL) != (error == NULL));
	if (config == NULL) {
		g_assert (error->message != NULL && error->message[0] != '\0');
		return 0;
	}
	/* what was accepted is within the table's ranges */
	g_assert (config->max_body_bytes >= 64);
	g_assert (config->call_timeout_ms >= 10);
	g_assert (config->worker_threads >= 1);
	return 0;
}
