/*
 * hostile-fork-loop — ForkLoop() forks up to 64 times (a bounded fork bomb: each child exits
 * at once, so an unconfined run cannot hurt the machine).  Isolated, the first fork is
 * refused: (false, "fork: EPERM after 0 forks").
 */
#define G_LOG_DOMAIN "hostile-fork-loop"

#include <sys/wait.h>
#include <unistd.h>

#include "hostile.h"

static GVariant *
fork_loop_fork_loop (MvCall *call, GVariant *input, GError **error)
{
	guint forks = 0;
	g_autofree gchar *detail = NULL;
	int errsv = 0;

	for (; forks < 64; forks++) {
		pid_t pid = fork ();
		if (pid < 0) {
			errsv = errno;
			break;
		}
		if (pid == 0)
			_exit (0);
		waitpid (pid, NULL, 0);
	}
	if (errsv == 0)
		return hostile_reply (call, TRUE, "fork: 64 children");
	detail = g_strdup_printf ("fork: %s after %u forks", strerrorname_np (errsv), forks);
	return hostile_reply (call, forks > 0, detail);
}

static const MvMethod fork_loop_methods[] = {
	{ "ForkLoop", "Fork in a loop", NULL, hostile_out, fork_loop_fork_loop },
	{ NULL },
};

MV_PLUGIN_DEFINE (.name = "hostile-fork-loop",
		  .version = "1.0.0",
		  .description = "Hostile test plugin: forks in a loop",
		  .methods = fork_loop_methods);
