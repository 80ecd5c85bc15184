/*
 * hostile-open-db-socket — OpenDbSocket() connects to the database's Unix socket: the config
 * key `path`, else $MEDVERSE_TEST_DB_SOCKET.  Isolated, socket() is refused by seccomp:
 * (false, "socket: EPERM"), and the database sees no connection.
 */
#define G_LOG_DOMAIN "hostile-open-db-socket"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "hostile.h"

static GVariant *
open_db_socket_open (MvCall *call, GVariant *input, GError **error)
{
	g_autofree gchar *path = mv_host_get_config_string (mv_call_get_host (call), "path");
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;

	if (path == NULL || path[0] == '\0')
		path = g_strdup (g_getenv ("MEDVERSE_TEST_DB_SOCKET"));
	if (path == NULL || strlen (path) >= sizeof (addr.sun_path)) {
		g_set_error_literal (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
				     "no usable socket path: set the key path");
		return NULL;
	}
	memcpy (addr.sun_path, path, strlen (path));
	fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return hostile_refused (call, "socket", errno);
	if (connect (fd, (struct sockaddr *)&addr, sizeof (addr)) != 0) {
		int errsv = errno;
		close (fd);
		return hostile_refused (call, "connect", errsv);
	}
	close (fd);
	return hostile_reply (call, TRUE, "connect: connected");
}

static const MvConfigKey open_db_socket_keys[] = {
	{ "path", "s", NULL, "the database socket to try (default: $MEDVERSE_TEST_DB_SOCKET)" },
	{ NULL },
};

static const MvMethod open_db_socket_methods[] = {
	{ "OpenDbSocket", "Connect to the database socket", NULL, hostile_out,
	  open_db_socket_open },
	{ NULL },
};

MV_PLUGIN_DEFINE (.name = "hostile-open-db-socket",
		  .version = "1.0.0",
		  .description = "Hostile test plugin: opens the database socket",
		  .methods = open_db_socket_methods,
		  .config_keys = open_db_socket_keys);
