/*
 * The plugin host's sandbox: what a third-party plugin's process may still do.
 *
 * medverse-plugin-host applies it to itself BEFORE it loads the plugin: an ELF constructor in
 * the plugin's .so runs at dlopen, so nothing of the plugin may run earlier.  Each layer and
 * what it stops (and does not) is in docs/sandbox.md.
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
 * @plugin_path: (nullable): the plugin's .so, granted read and execute (the loader maps it
 *   after the sandbox is in force).
 * @library_dirs: (nullable): directories the dynamic loader may read and map libraries
 *   from, besides the system library directories, %NULL-terminated: those of the libraries
 *   the host already runs (the SDK library's, wherever it is installed).
 * @protected_paths: (nullable): paths no grant may be, lie within or contain (the daemon's
 *   state directory and key files), %NULL-terminated: a data directory or read path that
 *   overlaps one is an error (the daemon refuses them first; this is the second check).
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
	const gchar *plugin_path;
	const gchar *const *library_dirs;
	const gchar *const *protected_paths;
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
 * (no-new-privs, not dumpable, parent-death signal), capabilities (all dropped), rlimits, Landlock
 * (where the kernel has it; its absence is reported, not fatal), seccomp (fatal if it fails).  The
 * caller must be single-threaded: Landlock only restricts the calling thread and the threads it
 * starts later, so a second thread already running is an error.
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

/**
 * mv_sandbox_loaded_library_dirs:
 *
 * Returns: (transfer full): the directories of the shared libraries the process has loaded
 *   (resolved, each once), for #MvSandboxPolicy.library_dirs: a plugin's dependencies that
 *   are not loaded yet are looked up there and in the system directories.
 */
GStrv mv_sandbox_loaded_library_dirs (void);

G_END_DECLS
