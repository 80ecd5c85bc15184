/*
 * hostile-connect-localhost — ConnectLocalhost() opens a TCP connection to 127.0.0.1 on the
 * config key `port` (the daemon's own HTTP port, or PostgreSQL's).  Isolated, socket() is
 * refused by seccomp: (false, "socket: EPERM"); Landlock (ABI 4) would refuse the connect too.
 */
#define G_LOG_DOMAIN "hostile-connect-localhost"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hostile.h"

static GVariant *
connect_localhost_connect (MvCall *call, GVariant *input, GError **error)
{
	gint64 port = mv_host_get_config_int (mv_call_get_host (call), "port", 0);
	struct sockaddr_in addr = { .sin_family = AF_INET };
	int fd;

	if (port <= 0 || port > 65535) {
		g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
			     "port %" G_GINT64_FORMAT " is not a TCP port", port);
		return NULL;
	}
	addr.sin_port = htons ((guint16)port);
	addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
	fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
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

static const MvConfigKey connect_localhost_keys[] = {
	{ "port", "i", "0", "the TCP port on 127.0.0.1 to connect to" },
	{ NULL },
};

static const MvMethod connect_localhost_methods[] = {
	{ "ConnectLocalhost", "Connect to 127.0.0.1", NULL, hostile_out,
	  connect_localhost_connect },
	{ NULL },
};

MV_PLUGIN_DEFINE (.name = "hostile-connect-localhost",
		  .version = "1.0.0",
		  .description = "Hostile test plugin: connects to localhost",
		  .methods = connect_localhost_methods,
		  .config_keys = connect_localhost_keys);
