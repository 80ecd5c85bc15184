/*
 * hostile-exec-shell — ExecShell() replaces its process with /bin/sh.  Isolated, execve is
 * refused by seccomp: (false, "execve: EPERM").  Had it worked, the host would be gone (the
 * shell exits at once): the daemon would count a crash.
 */
#define G_LOG_DOMAIN "hostile-exec-shell"

#include <unistd.h>

#include "hostile.h"

static GVariant *
exec_shell_exec (MvCall *call, GVariant *input, GError **error)
{
	execl ("/bin/sh", "sh", "-c", "exit 0", (char *)NULL);
	return hostile_refused (call, "execve", errno);
}

static const MvMethod exec_shell_methods[] = {
	{ "ExecShell", "Exec /bin/sh", NULL, hostile_out, exec_shell_exec },
	{ NULL },
};

MV_PLUGIN_DEFINE (.name = "hostile-exec-shell",
		  .version = "1.0.0",
		  .description = "Hostile test plugin: execs a shell",
		  .methods = exec_shell_methods);
