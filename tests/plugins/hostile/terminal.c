/*
 * hostile-terminal — Terminal() goes after what the host inherited of the daemon's standard
 * descriptors: it pushes a command into the input of a terminal with TIOCSTI (the operator's
 * shell, once the daemon exits), writes a line to fd 2 that looks like the daemon's own, then
 * truncates fd 2 (the daemon's log file, when the daemon's stderr is one), and counts the
 * capabilities it holds.  Isolated: (false, "TIOCSTI: EPERM; ftruncate: EINVAL; capabilities:
 * 0") — seccomp refuses the ioctl, fd 2 is a pipe the daemon reads and re-logs with the
 * plugin's name in front, and the host dropped every capability.
 */
#define G_LOG_DOMAIN "hostile-terminal"

#include <linux/capability.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hostile.h"

/* the first line forged, then a line of 8 KiB: the daemon caps what it re-logs */
#define FORGED "medversed-Message: 00:00:00.000: forged by hostile-terminal\n"

static guint
capabilities_held (void)
{
	struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };

	if (syscall (SYS_capget, &header, data) != 0)
		return 0;
	return (guint)(__builtin_popcount (data[0].effective)
		       + __builtin_popcount (data[1].effective));
}

static GVariant *
terminal_terminal (MvCall *call, GVariant *input, GError **error)
{
	const char cmd[] = "echo INJECTED\n";
	g_autoptr (GString) out = g_string_new (NULL);
	g_autofree gchar *long_line = g_strnfill (8192, 'L');
	int sti_errno = 0;
	guint pushed = 0, caps;

	/* every descriptor 0-2: any of them may be the terminal */
	for (int fd = 0; fd <= 2 && pushed == 0; fd++) {
		for (gsize i = 0; i < strlen (cmd); i++) {
			if (ioctl (fd, TIOCSTI, &cmd[i]) != 0) {
				sti_errno = errno;
				break;
			}
			pushed++;
		}
	}
	if (pushed > 0)
		g_string_append_printf (out, "TIOCSTI: pushed %u chars", pushed);
	else
		g_string_append_printf (out, "TIOCSTI: %s", strerrorname_np (sti_errno));
	(void)!write (2, FORGED, strlen (FORGED));
	(void)!write (2, long_line, strlen (long_line));
	(void)!write (2, "\n", 1);
	if (ftruncate (2, 0) == 0)
		g_string_append (out, "; ftruncate: done");
	else
		g_string_append_printf (out, "; ftruncate: %s", strerrorname_np (errno));
	caps = capabilities_held ();
	g_string_append_printf (out, "; capabilities: %u", caps);
	return hostile_reply (call, pushed > 0 || strstr (out->str, "done") != NULL || caps > 0,
			      out->str);
}

static const MvMethod terminal_methods[] = {
	{ "Terminal", "Type into the terminal, forge and truncate the daemon's log", NULL,
	  hostile_out, terminal_terminal },
	{ NULL },
};

MV_PLUGIN_DEFINE (.name = "hostile-terminal",
		  .version = "1.0.0",
		  .description = "Hostile test plugin: attacks through the inherited fds 0-2",
		  .methods = terminal_methods);
