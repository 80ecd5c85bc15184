/*
 * Medverse storage — a private PostgreSQL cluster inside the daemon's data directory.
 *
 * Layout under <data_dir>:
 *   pg/          the cluster (PGDATA), owned by the cluster user, mode 0700
 *   pg-socket/   the Unix socket directory, owned by the cluster user, mode 0700
 *   pg.log       everything initdb and postgres print (never the daemon's stdout)
 *   pg.lock      flock()ed while an MvPgEmbedded runs the cluster, so a second daemon on the
 *                same data directory is refused and a cluster left by a crashed daemon can be
 *                told apart from one in use
 *
 * No TCP listener is opened (listen_addresses=''), only the Unix socket.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _MvPgEmbedded MvPgEmbedded;

/**
 * mv_pg_embedded_new:
 * @data_dir: the daemon's data directory; made absolute, need not exist yet
 * @bindir: (nullable): directory holding initdb and postgres; %NULL autodetects
 *   (`pg_config --bindir`, else the highest /usr/lib/postgresql/N/bin)
 * @run_as_user: (nullable): the unprivileged user the cluster runs as when this process is
 *   root (initdb and postgres refuse root); %NULL means "postgres".  Ignored when not root:
 *   the cluster then runs as the calling user.
 *
 * Describes a cluster; nothing is touched on disk until mv_pg_embedded_start().
 *
 * Returns: (transfer full): a new #MvPgEmbedded, free with mv_pg_embedded_free().  Never %NULL.
 */
MvPgEmbedded *
mv_pg_embedded_new (const gchar *data_dir, const gchar *bindir, const gchar *run_as_user);

/**
 * mv_pg_embedded_start:
 * @self: an #MvPgEmbedded
 * @error: return location for a #GError
 *
 * Brings the cluster up and waits until it accepts connections on its socket:
 *  - on first run, initdb (into a temporary directory renamed into place, so a crash during
 *    initdb never leaves a half-made cluster behind), creating role and database "medverse";
 *  - on later runs, reuses the cluster;
 *  - a stale postmaster.pid (postgres killed, machine crashed) is removed;
 *  - a postmaster still running from a daemon that crashed (its processes alive, pg.lock free)
 *    is shut down first, then ours is started;
 *  - if another live process holds pg.lock, fails rather than touching its cluster.
 * Calling it while the cluster it started is still running is a no-op returning %TRUE; if that
 * postmaster died, it is reaped and the cluster started again.
 *
 * Errors: %MV_ERROR_FAILED with a message naming the directory, user, tool or log file at fault
 * (path over the Unix socket limit, no PostgreSQL binaries, user missing or unable to reach
 * @data_dir, initdb failure, postgres exiting during start-up with the tail of pg.log);
 * %MV_ERROR_TIMED_OUT if postgres did not accept connections within 60 s.
 *
 * Thread safety: call start/stop/free from one thread; get_conninfo may then be read anywhere.
 * The postmaster is a child of this process (in its own session, so a terminal's Ctrl-C
 * reaches only the daemon, which stops the cluster in order); it is reaped with waitpid() on
 * its pid only.  It gets SIGQUIT (immediate shutdown) from the kernel when this process dies,
 * by kill -9 too (PR_SET_PDEATHSIG), so the cluster never outlives the daemon.  The kernel
 * sends that signal when the *thread* that called start exits: call it from the main thread
 * or from one that lives as long as the cluster should.
 *
 * Returns: %TRUE when the server accepts connections
 */
G_GNUC_WARN_UNUSED_RESULT gboolean mv_pg_embedded_start (MvPgEmbedded *self, GError **error);

/**
 * mv_pg_embedded_get_conninfo:
 * @self: an #MvPgEmbedded
 *
 * Returns: (transfer none): a libpq connection string (socket directory as host, port,
 *   dbname and user "medverse", no password), valid as long as @self
 */
const gchar *mv_pg_embedded_get_conninfo (MvPgEmbedded *self);

/**
 * mv_pg_embedded_get_pid:
 * @self: an #MvPgEmbedded
 *
 * Returns: the postmaster's pid while started, else 0
 */
GPid mv_pg_embedded_get_pid (MvPgEmbedded *self);

/**
 * mv_pg_embedded_get_initialized:
 * @self: an #MvPgEmbedded
 *
 * Returns: %TRUE if the last mv_pg_embedded_start() created the cluster with initdb
 */
gboolean mv_pg_embedded_get_initialized (MvPgEmbedded *self);

/**
 * mv_pg_embedded_get_cluster_dir:
 * @self: an #MvPgEmbedded
 *
 * Returns: (transfer none): the absolute path of the cluster directory, <data_dir>/pg
 */
const gchar *mv_pg_embedded_get_cluster_dir (MvPgEmbedded *self);

/**
 * mv_pg_embedded_get_log_path:
 * @self: an #MvPgEmbedded
 *
 * Returns: (transfer none): the absolute path of the PostgreSQL log, <data_dir>/pg.log
 */
const gchar *mv_pg_embedded_get_log_path (MvPgEmbedded *self);

/**
 * mv_pg_embedded_is_running:
 * @self: an #MvPgEmbedded
 *
 * Whether the postmaster mv_pg_embedded_start() started is still running, without waiting.
 * One that exited (a PANIC it could not recover from, such as a full disk during crash
 * recovery, or a kill) is reaped here and logged once; mv_pg_embedded_start() then starts the
 * cluster again.  Call it from the thread that calls start and stop.
 *
 * Returns: %TRUE while our postmaster runs
 */
gboolean mv_pg_embedded_is_running (MvPgEmbedded *self);

/**
 * mv_pg_embedded_stop:
 * @self: an #MvPgEmbedded
 * @error: return location for a #GError
 *
 * Fast shutdown (SIGINT: open sessions are ended, committed work is kept), waiting up to 30 s,
 * then immediate shutdown (SIGQUIT) and finally SIGKILL; reaps the postmaster and checks no
 * process of the cluster is left.  Releases pg.lock.  A no-op when not started.
 *
 * Errors: %MV_ERROR_FAILED if the server had to be killed or a process of the cluster remains
 * (it is still gone, but the next start will run crash recovery).
 *
 * Returns: %TRUE if the server shut down cleanly
 */
gboolean mv_pg_embedded_stop (MvPgEmbedded *self, GError **error);

/**
 * mv_pg_embedded_free:
 * @self: (nullable): an #MvPgEmbedded
 *
 * Stops the cluster if still running (logging any failure), then frees @self.
 */
void mv_pg_embedded_free (MvPgEmbedded *self);

/**
 * mv_pg_embedded_find_bindir:
 * @error: return location for a #GError
 *
 * The autodetection used when no bindir is given: `pg_config --bindir` if it holds
 * initdb and postgres, else the highest-numbered /usr/lib/postgresql/N/bin.
 *
 * Returns: (transfer full): the directory, or %NULL with %MV_ERROR_FAILED
 */
gchar *mv_pg_embedded_find_bindir (GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvPgEmbedded, mv_pg_embedded_free)

G_END_DECLS
