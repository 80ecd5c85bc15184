/*
 * hostile-read-master-key — ReadMasterKey() opens and reads the file of the config key
 * `path` (the daemon's master.key in the tests) and answers how many bytes it got, never what
 * they were.  Isolated, Landlock refuses the open: (false, "open: EACCES").  On a kernel
 * without Landlock only the file's mode protects it (docs/sandbox.md).
 */
#define G_LOG_DOMAIN "hostile-read-master-key"

#include <fcntl.h>
#include <unistd.h>

#include "hostile.h"

static GVariant *
read_master_key_read (MvCall *call, GVariant *input, GError **error)
{
	g_autofree gchar *path = mv_host_get_config_string (mv_call_get_host (call), "path");
	g_autofree gchar *detail = NULL;
	char buf[256];
	ssize_t got;
	int fd;

	if (path == NULL || path[0] == '\0') {
		g_set_error_literal (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
				     "no file to read: set the key path");
		return NULL;
	}
	fd = open (path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return hostile_refused (call, "open", errno);
	got = read (fd, buf, sizeof (buf));
	close (fd);
	if (got < 0)
		return hostile_refused (call, "read", errno);
	detail = g_strdup_printf ("read: %zd bytes", got);
	return hostile_reply (call, TRUE, detail);
}

static const MvConfigKey read_master_key_keys[] = {
	{ "path", "s", NULL, "the file to read" },
	{ NULL },
};

static const MvMethod read_master_key_methods[] = {
	{ "ReadMasterKey", "Read the daemon's master key", NULL, hostile_out,
	  read_master_key_read },
	{ NULL },
};

MV_PLUGIN_DEFINE (.name = "hostile-read-master-key",
		  .version = "1.0.0",
		  .description = "Hostile test plugin: reads master.key",
		  .methods = read_master_key_methods,
		  .config_keys = read_master_key_keys);
