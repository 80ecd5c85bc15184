/*
 * The plugin host's sandbox: what a third-party plugin's process may still do.
 *
 * medverse-plugin-host applies it to itself after dlopen of the plugin and before the plugin's
 * init runs.  Each layer and what it stops (and does not) is in docs/sandbox.md.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * MvSandboxPolicy:
 * @data_dir: (nullable): the only directory the plugin may read, besides the system library
 *   and share directories a loaded plugin and GLib still need; %NULL or missing: none.
 * @read_paths: (nullable): further files or directories the plugin may read, %NULL-terminated:
 *   the absolute paths its `[plugin.NAME]` configuration names (the operator's grant: a rules
 *   file kept outside the data directory); missing ones are skipped.
 * @channel_fd: the inherited channel to the daemon; kept open while every other fd above 2 is
 *   closed.  -1 for none.
 * @memory_bytes: RLIMIT_AS (soft and hard), 0 = leave as it is.
 * @cpu_seconds: RLIMIT_CPU: SIGXCPU at this many seconds of CPU time, SIGKILL one second
 *   later; 0 = leave as it is.
 * @max_files: RLIMIT_NOFILE (soft and hard), 0 = leave as it is; at least 8 when set (the
 *   sandbox itself needs a few descriptors while it is applied).
 */
typedef struct {
	const gchar *data_dir;
	const gchar *const *read_paths;
	int channel_fd;
	guint64 memory_bytes;
	guint64 cpu_seconds;
	guint64 max_files;
} MvSandboxPolicy;

/**
 * mv_sandbox_apply:
 * @policy: what the plugin may keep
 * @report: (out) (optional) (transfer full): one line naming the layers in force, for the
 *   host's start log line, e.g. "fds closed, no-new-privs, …, seccomp (111 rules)"
 * @error: return location for an error
 *
 * Applies every layer to the calling process, irreversibly, in the order: fds, prctl
 * (no-new-privs, not dumpable, parent-death signal), rlimits, Landlock (where the kernel has
 * it; its absence is reported, not fatal), seccomp (fatal if it fails).  The caller must be
 * single-threaded: Landlock only restricts the calling thread and the threads it starts
 * later, so a second thread already running is an error.
 *
 * Returns: %TRUE when every layer the kernel offers is in force; on %FALSE the process is
 *   partly sandboxed and must exit.
 */
G_GNUC_WARN_UNUSED_RESULT gboolean mv_sandbox_apply (const MvSandboxPolicy *policy,
						     gchar **report,
						     GError **error);

/**
 * mv_sandbox_landlock_abi:
 *
 * Returns: the Landlock ABI version the running kernel offers, 0 when it has none (not built
 *   in, or not enabled at boot: `lsm=` lacks "landlock").
 */
gint mv_sandbox_landlock_abi (void);

G_END_DECLS
