/*
 * A plugin host's stderr, as the daemon logs it (docs/sandbox.md): the host gets a pipe, never
 * the daemon's fd 2, and every line it writes is logged escaped, cut at 1 KiB, rate-limited
 * and behind "plugin NAME (pid N) stderr: ", so that nothing a plugin prints can pass for a
 * line of the daemon, flood its log or truncate it.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Starts a thread that logs the lines of @subprocess's stderr pipe (spawned with
 * G_SUBPROCESS_FLAGS_STDERR_PIPE) under @name until the host closes it (it exits). */
void mv_host_stderr_follow (GSubprocess *subprocess, const gchar *name);

G_END_DECLS
