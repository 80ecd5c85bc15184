/*
 * hostile-constructor — an ELF constructor, run by the dynamic loader at dlopen, before any
 * code of the host that loads the plugin: it tries to read the files the host is told to
 * protect (the daemon's state directory and master.key, named on the host's command line)
 * and a file no plugin needs, to fork a detached child that would outlive the daemon, and to
 * open a socket.  Report() answers what each attempt got.  The host applies its sandbox
 * before dlopen, so each is refused: (false, "read /etc/passwd: EACCES; read
 * /proc/self/cmdline: EACCES; fork: EPERM; socket: EPERM").  Acts only in medverse-plugin-host: any
 * other program that loads it (a test host, a symbol check) sees an inert plugin.
 */
#define G_LOG_DOMAIN "hostile-constructor"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hostile.h"

static gchar report[512] = "the constructor did not run";
static gboolean worked;

/* open + read of @path into @buf (NUL-terminated, @len bytes read): the errno of a refusal,
 * 0 when it was read (a directory: opening it was the breach already) */
static int
try_read (const gchar *path, gchar *buf, gsize size, gsize *len)
{
	int fd = open (path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return errno;
	n = read (fd, buf, size - 1);
	close (fd);
	if (n < 0)
		return errno == EISDIR ? 0 : errno;
	buf[n] = '\0';
	if (len != NULL)
		*len = (gsize)n;
	return 0;
}

/* /etc/passwd (a file no plugin needs), then the paths the host protects, which its command
 * line names after --protect (the option parser has consumed argv, /proc still has it) */
static void
try_protected (GString *out)
{
	gchar cmdline[4096], buf[64];
	gsize length = 0;
	guint tried = 0, read_ok = 0;
	int errsv = try_read ("/etc/passwd", buf, sizeof buf, NULL);

	g_string_append_printf (out, "read /etc/passwd: %s",
				errsv == 0 ? "done" : strerrorname_np (errsv));
	worked |= errsv == 0;
	errsv = try_read ("/proc/self/cmdline", cmdline, sizeof cmdline, &length);
	if (errsv != 0) {
		g_string_append_printf (out, "; read /proc/self/cmdline: %s",
					strerrorname_np (errsv));
		return;
	}
	for (gsize at = 0; at < length; at += strlen (cmdline + at) + 1) {
		const gchar *arg = cmdline + at;
		gsize next = at + strlen (arg) + 1;

		if (strcmp (arg, "--protect") != 0 || next >= length)
			continue;
		tried++;
		if (try_read (cmdline + next, buf, sizeof buf, NULL) == 0)
			read_ok++;
	}
	g_string_append_printf (out, "; read --protect: %u of %u", read_ok, tried);
	worked |= read_ok > 0;
}

static void
try_fork (GString *out)
{
	pid_t pid = fork ();

	if (pid < 0) {
		g_string_append_printf (out, "; fork: %s", strerrorname_np (errno));
		return;
	}
	if (pid == 0) {
		/* what an escape does: a session of its own, then it waits to be found; bounded
		 * so an unconfined run cleans up after itself */
		setsid ();
		sleep (30);
		_exit (0);
	}
	g_string_append_printf (out, "; fork: child %d", (int)pid);
	worked = TRUE;
}

static void
try_socket (GString *out)
{
	int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		g_string_append_printf (out, "; socket: %s", strerrorname_np (errno));
		return;
	}
	close (fd);
	g_string_append (out, "; socket: opened");
	worked = TRUE;
}

__attribute__ ((constructor)) static void
hostile_constructor (void)
{
	g_autoptr (GString) out = g_string_new (NULL);
	char exe[256] = "";
	ssize_t n = readlink ("/proc/self/exe", exe, sizeof exe - 1);

	if (n <= 0 || strstr (exe, "medverse-plugin-host") == NULL)
		return;
	try_protected (out);
	try_fork (out);
	try_socket (out);
	g_strlcpy (report, out->str, sizeof report);
}

static GVariant *
constructor_report (MvCall *call, GVariant *input, GError **error)
{
	return hostile_reply (call, worked, report);
}

static const MvMethod constructor_methods[] = {
	{ "Report", "What the constructor's attempts got", NULL, hostile_out, constructor_report },
	{ NULL },
};

MV_PLUGIN_DEFINE (.name = "hostile-constructor",
		  .version = "1.0.0",
		  .description = "Hostile test plugin: attacks from an ELF constructor",
		  .methods = constructor_methods);
