/*
 * A private PostgreSQL cluster in the daemon's data directory (brief decision 7).
 *
 * The postmaster is spawned directly (not through pg_ctl) so it is our child: we know its pid
 * without trusting a file, we reap it, and stop can prove nothing is left.  Every process of a
 * cluster has the cluster directory as its working directory, which is how processes left
 * behind by a crashed daemon are found (see find_cluster_processes()).
 *
 * The cluster never outlives the daemon, even on kill -9: every child (postgres, initdb) is
 * spawned with PR_SET_PDEATHSIG (see child_setup()), so the kernel sends it SIGQUIT when its
 * parent goes, and the postmaster takes its own children down with it.
 */
#include "mv-pg-embedded.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <medverse/mv-error.h>

#define MV_PG_PORT "5432"
#define MV_PG_ROLE "medverse"
#define MV_PG_DBNAME "medverse"
#define MV_PG_DEFAULT_USER "postgres"
#define MV_PG_START_TIMEOUT_US (60 * G_USEC_PER_SEC)
#define MV_PG_STOP_TIMEOUT_US (30 * G_USEC_PER_SEC)
#define MV_PG_KILL_TIMEOUT_US (5 * G_USEC_PER_SEC)
#define MV_PG_POLL_US (20 * 1000)
/* What the postmaster gets when the daemon dies: immediate shutdown.  Bounded (the postmaster
 * SIGKILLs children that do not exit within 5 s), unlike fast shutdown, which writes a
 * checkpoint of every dirty buffer first, or smart shutdown, which waits for every client, an
 * operator's psql included.  Committed data is safe either way (it is in the WAL); the next
 * start replays the WAL. */
#define MV_PG_PARENT_DEATH_SIGNAL SIGQUIT

struct _MvPgEmbedded {
	gchar *data_dir;
	gchar *cluster_dir;
	gchar *init_dir;
	gchar *socket_dir;
	gchar *log_path;
	gchar *lock_path;
	gchar *bindir; /* as given, or autodetected on start */
	gchar *run_as_user;
	gchar *conninfo;
	/* who the cluster runs as; resolved on start */
	gboolean drop_privileges;
	uid_t uid;
	gid_t gid;
	gid_t *groups;
	gint n_groups;
	gint lock_fd;
	pid_t spawner_pid; /* getpid() before fork, for the child's parent-death check */
	GPid pid;
	gboolean initialized;
};

/* --- small helpers ------------------------------------------------------------------------ */

/* Quotes a value for a libpq conninfo string: 'value' with \ and ' escaped. */
static void
conninfo_append (GString *str, const gchar *key, const gchar *value)
{
	if (str->len > 0)
		g_string_append_c (str, ' ');
	g_string_append_printf (str, "%s='", key);
	for (const gchar *p = value; *p != '\0'; p++) {
		if (*p == '\\' || *p == '\'')
			g_string_append_c (str, '\\');
		g_string_append_c (str, *p);
	}
	g_string_append_c (str, '\'');
}

static gboolean
has_server_binaries (const gchar *dir)
{
	g_autofree gchar *initdb = g_build_filename (dir, "initdb", NULL);
	g_autofree gchar *postgres = g_build_filename (dir, "postgres", NULL);
	return g_file_test (initdb, G_FILE_TEST_IS_EXECUTABLE)
	       && g_file_test (postgres, G_FILE_TEST_IS_EXECUTABLE);
}

gchar *
mv_pg_embedded_find_bindir (GError **error)
{
	const gchar *argv[] = { "pg_config", "--bindir", NULL };
	g_autofree gchar *out = NULL;
	gint status = 0;
	guint64 best = 0;
	g_autofree gchar *best_dir = NULL;
	g_autoptr (GDir) dir = NULL;

	if (g_spawn_sync (NULL, (gchar **)argv, NULL,
			  G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL,
			  &status, NULL)
	    && g_spawn_check_wait_status (status, NULL)) {
		g_strstrip (out);
		if (has_server_binaries (out))
			return g_steal_pointer (&out);
	}

	/* Debian/Ubuntu install server binaries per major version, outside PATH */
	dir = g_dir_open ("/usr/lib/postgresql", 0, NULL);
	for (const gchar *name = dir ? g_dir_read_name (dir) : NULL; name != NULL;
	     name = g_dir_read_name (dir)) {
		guint64 version = 0;
		g_autofree gchar *bin = NULL;
		if (!g_ascii_string_to_unsigned (name, 10, 1, G_MAXUINT, &version, NULL))
			continue;
		bin = g_build_filename ("/usr/lib/postgresql", name, "bin", NULL);
		if (version > best && has_server_binaries (bin)) {
			best = version;
			g_free (best_dir);
			best_dir = g_steal_pointer (&bin);
		}
	}
	if (best_dir != NULL)
		return g_steal_pointer (&best_dir);

	g_set_error_literal (
		error, MV_ERROR, MV_ERROR_FAILED,
		"no PostgreSQL server binaries found: `pg_config --bindir` gave no "
		"directory holding initdb and postgres, and no /usr/lib/postgresql/N/bin "
		"exists; install the PostgreSQL server or configure its bindir");
	return NULL;
}

/* The tail of pg.log, for error messages: the last few lines, at most 1 KiB. */
static gchar *
log_tail (MvPgEmbedded *self)
{
	g_autofree gchar *contents = NULL;
	gsize len = 0;
	gsize start;
	guint lines = 0;

	if (!g_file_get_contents (self->log_path, &contents, &len, NULL) || len == 0)
		return g_strdup ("(log is empty)");
	while (len > 0 && (contents[len - 1] == '\n' || contents[len - 1] == '\r'))
		contents[--len] = '\0';
	start = len;
	while (start > 0 && len - start < 1024) {
		if (contents[start - 1] == '\n' && ++lines == 4)
			break;
		start--;
	}
	return g_strdelimit (g_strdup (contents + start), "\n", '|');
}

static gchar **
child_environ (void)
{
	gchar **envp = g_get_environ ();
	/* libpq and server variables of the caller must not steer our cluster */
	const gchar *unset[] = { "PGDATA",     "PGHOST",    "PGHOSTADDR", "PGPORT",	  "PGUSER",
				 "PGDATABASE", "PGOPTIONS", "PGSERVICE",  "PGSERVICEFILE" };
	for (guint i = 0; i < G_N_ELEMENTS (unset); i++)
		envp = g_environ_unsetenv (envp, unset[i]);
	/* PostgreSQL speaks sd_notify too: with the daemon's NOTIFY_SOCKET it sends READY=1 as
	 * soon as the cluster is up, before the daemon serves.  The shipped unit's
	 * NotifyAccess=main ignores it, but another supervisor (or NotifyAccess=all) would not. */
	envp = g_environ_unsetenv (envp, "NOTIFY_SOCKET");
	return envp;
}

/* Runs in the forked child before exec: only async-signal-safe calls (the group list was
 * computed before forking).  setsid() puts the cluster in its own session so a terminal's
 * Ctrl-C reaches only the daemon, which then stops the cluster in order.
 *
 * PR_SET_PDEATHSIG makes the kernel signal the child when the daemon dies, by SIGKILL
 * included, which no handler of ours could catch.  Three rules come with it:
 *  - it is set after setgroups/setgid/setuid: a change of credentials clears it;
 *  - the daemon may have died between fork() and prctl(): then our parent is already another
 *    process (init or a subreaper) and the child gives up instead of starting an orphan;
 *  - the signal comes when the *thread* that forked exits, not the process: the cluster must
 *    be started from a thread that lives as long as the daemon (medversed starts it from the
 *    main thread; see mv_pg_embedded_start() in the header). */
static void
child_setup (gpointer user_data)
{
	MvPgEmbedded *self = user_data;

	setsid ();
	umask (077);
	if (self->drop_privileges
	    && (setgroups ((size_t)self->n_groups, self->groups) != 0 || setgid (self->gid) != 0
		|| setuid (self->uid) != 0))
		_exit (126);
	if (prctl (PR_SET_PDEATHSIG, MV_PG_PARENT_DEATH_SIGNAL) != 0
	    || getppid () != self->spawner_pid)
		_exit (125);
}

static gboolean
spawn_logged (MvPgEmbedded *self, const gchar *const *argv, GPid *pid_out, GError **error)
{
	g_auto (GStrv) envp = child_environ ();
	g_autoptr (GError) error_local = NULL;
	g_autofree gchar *cmdline = g_strjoinv (" ", (gchar **)argv);
	g_autofree gchar *now = NULL;
	g_autoptr (GDateTime) dt = g_date_time_new_now_local ();
	g_autofree gchar *header = NULL;
	gboolean ok;
	gint log_fd;

	log_fd = open (self->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (log_fd < 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "cannot open PostgreSQL log %s: %s",
			     self->log_path, g_strerror (errno));
		return FALSE;
	}
	now = g_date_time_format_iso8601 (dt);
	header = g_strdup_printf ("=== medverse %s: %s\n", now, cmdline);
	if (write (log_fd, header, strlen (header)) < 0)
		g_debug ("cannot write to %s: %s", self->log_path, g_strerror (errno));

	/* the child's stdout and stderr go to pg.log, never to the daemon's own output */
	self->spawner_pid = getpid ();
	ok = g_spawn_async_with_pipes_and_fds (
		self->data_dir, argv, (const gchar *const *)envp,
		G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDIN_FROM_DEV_NULL, child_setup, self, -1,
		log_fd, log_fd, NULL, NULL, 0, pid_out, NULL, NULL, NULL, &error_local);
	close (log_fd);
	if (!ok) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "cannot run %s: %s", argv[0],
			     error_local->message);
		return FALSE;
	}
	return TRUE;
}

/* Waits for our child @pid to exit, up to @timeout_us (negative: no limit).  Returns TRUE
 * once it is reaped (or is no longer our child), with its wait status in @status_out (-1 if
 * unknown). */
static gboolean
wait_child (GPid pid, gint64 timeout_us, gint *status_out)
{
	gint64 deadline = g_get_monotonic_time () + MAX (timeout_us, 0);

	*status_out = -1;
	for (;;) {
		gint status = 0;
		pid_t r = waitpid (pid, &status, WNOHANG);
		if (r == pid) {
			*status_out = status;
			return TRUE;
		}
		if (r < 0 && errno != EINTR)
			return TRUE; /* ECHILD: reaped elsewhere (SIGCHLD ignored) */
		if (timeout_us >= 0 && g_get_monotonic_time () >= deadline)
			return FALSE;
		g_usleep (MV_PG_POLL_US);
	}
}

static gboolean
run_tool (MvPgEmbedded *self, const gchar *const *argv, GError **error)
{
	GPid pid = 0;
	gint status = 0;
	g_autoptr (GError) error_local = NULL;

	if (!spawn_logged (self, argv, &pid, error))
		return FALSE;
	wait_child (pid, -1, &status);
	if (status != -1 && !g_spawn_check_wait_status (status, &error_local)) {
		g_autofree gchar *tail = log_tail (self);
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "%s failed (%s); %s ends with: %s",
			     argv[0], error_local->message, self->log_path, tail);
		return FALSE;
	}
	return TRUE;
}

static gboolean
rm_rf (const gchar *path, GError **error)
{
	GStatBuf st;

	if (g_lstat (path, &st) != 0) {
		if (errno == ENOENT)
			return TRUE;
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "cannot remove %s: %s", path,
			     g_strerror (errno));
		return FALSE;
	}
	if (S_ISDIR (st.st_mode)) {
		g_autoptr (GDir) dir = NULL;
		g_autoptr (GError) error_local = NULL;
		dir = g_dir_open (path, 0, &error_local);
		if (dir == NULL) {
			g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "cannot remove %s: %s", path,
				     error_local->message);
			return FALSE;
		}
		for (const gchar *name = g_dir_read_name (dir); name != NULL;
		     name = g_dir_read_name (dir)) {
			g_autofree gchar *child = g_build_filename (path, name, NULL);
			if (!rm_rf (child, error))
				return FALSE;
		}
	}
	if (g_remove (path) != 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "cannot remove %s: %s", path,
			     g_strerror (errno));
		return FALSE;
	}
	return TRUE;
}

/* --- identity and directories ------------------------------------------------------------- */

static gboolean
resolve_identity (MvPgEmbedded *self, GError **error)
{
	struct passwd pw;
	struct passwd *found = NULL;
	g_autofree gchar *buf = NULL;
	gsize buflen = 16384;
	gint ngroups = 0;
	gint rc;

	g_clear_pointer (&self->groups, g_free);
	self->n_groups = 0;
	if (geteuid () != 0) {
		self->drop_privileges = FALSE;
		self->uid = geteuid ();
		self->gid = getegid ();
		return TRUE;
	}

	buf = g_malloc (buflen);
	rc = getpwnam_r (self->run_as_user, &pw, buf, buflen, &found);
	if (found == NULL) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "running as root, the embedded PostgreSQL must run as an unprivileged "
			     "user, but user '%s' %s",
			     self->run_as_user,
			     rc != 0 ? g_strerror (rc)
				     : "does not exist (install postgresql, "
				       "or configure another user)");
		return FALSE;
	}
	if (pw.pw_uid == 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "user '%s' has uid 0; PostgreSQL refuses to run as root, configure an "
			     "unprivileged user",
			     self->run_as_user);
		return FALSE;
	}
	self->drop_privileges = TRUE;
	self->uid = pw.pw_uid;
	self->gid = pw.pw_gid;

	/* the supplementary groups are looked up here because the child may not do it */
	getgrouplist (pw.pw_name, pw.pw_gid, NULL, &ngroups);
	self->groups = g_new0 (gid_t, MAX (ngroups, 1));
	if (getgrouplist (pw.pw_name, pw.pw_gid, self->groups, &ngroups) < 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "cannot list the groups of user '%s'", self->run_as_user);
		return FALSE;
	}
	self->n_groups = ngroups;
	return TRUE;
}

static gboolean
user_can_search (MvPgEmbedded *self, const GStatBuf *st)
{
	if (self->uid == 0)
		return TRUE;
	if (st->st_uid == self->uid)
		return (st->st_mode & S_IXUSR) != 0;
	for (gint i = 0; i < self->n_groups; i++) {
		if (self->groups[i] == st->st_gid)
			return (st->st_mode & S_IXGRP) != 0;
	}
	if (st->st_gid == self->gid)
		return (st->st_mode & S_IXGRP) != 0;
	return (st->st_mode & S_IXOTH) != 0;
}

/* As root, the cluster user must be able to walk from / down to data_dir.  A data_dir we own
 * (e.g. from mkdtemp, mode 0700) is opened to 0711: traversable, not listable.  A parent we
 * will not change is reported, naming the user and the directory. */
static gboolean
check_data_dir_reachable (MvPgEmbedded *self, GError **error)
{
	GStatBuf st;
	g_autofree gchar *dir = NULL;

	if (!self->drop_privileges)
		return TRUE;
	if (g_stat (self->data_dir, &st) != 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "cannot stat %s: %s", self->data_dir,
			     g_strerror (errno));
		return FALSE;
	}
	if (!user_can_search (self, &st) && st.st_uid == geteuid ()) {
		if (g_chmod (self->data_dir, (st.st_mode & 07777) | S_IXGRP | S_IXOTH) != 0) {
			g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
				     "cannot make %s traversable for user '%s': %s", self->data_dir,
				     self->run_as_user, g_strerror (errno));
			return FALSE;
		}
	}

	dir = g_strdup (self->data_dir);
	for (;;) {
		g_autofree gchar *parent = NULL;
		if (g_stat (dir, &st) != 0) {
			g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "cannot stat %s: %s", dir,
				     g_strerror (errno));
			return FALSE;
		}
		if (!user_can_search (self, &st)) {
			g_set_error (
				error, MV_ERROR, MV_ERROR_FAILED,
				"the embedded PostgreSQL runs as user '%s', which cannot reach "
				"data directory %s: %s (mode %04o, owner uid %u) is not "
				"searchable by it; allow it (chmod o+x) or use another data "
				"directory",
				self->run_as_user, self->data_dir, dir, (guint)(st.st_mode & 07777),
				(guint)st.st_uid);
			return FALSE;
		}
		parent = g_path_get_dirname (dir);
		if (g_strcmp0 (parent, dir) == 0)
			return TRUE;
		g_free (dir);
		dir = g_steal_pointer (&parent);
	}
}

/* Creates @path if missing and makes it owned by the cluster user with mode 0700, then checks
 * that it really is: the trust authentication of the cluster depends on it (see below). */
static gboolean
ensure_private_dir (MvPgEmbedded *self, const gchar *path, GError **error)
{
	GStatBuf st;

	if (g_mkdir (path, 0700) != 0 && errno != EEXIST) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "cannot create %s: %s", path,
			     g_strerror (errno));
		return FALSE;
	}
	if (self->drop_privileges && lchown (path, self->uid, self->gid) != 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "cannot give %s to user '%s': %s",
			     path, self->run_as_user, g_strerror (errno));
		return FALSE;
	}
	if (g_lstat (path, &st) != 0 || !S_ISDIR (st.st_mode)) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "%s is not a directory", path);
		return FALSE;
	}
	if (st.st_uid != self->uid) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "%s is owned by uid %u, not by the cluster's user (uid %u)", path,
			     (guint)st.st_uid, (guint)self->uid);
		return FALSE;
	}
	if ((st.st_mode & 077) != 0 && g_chmod (path, 0700) != 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "cannot make %s private: %s", path,
			     g_strerror (errno));
		return FALSE;
	}
	return TRUE;
}

static gboolean
prepare_dirs (MvPgEmbedded *self, GError **error)
{
	if (g_mkdir_with_parents (self->data_dir, 0700) != 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "cannot create data directory %s: %s", self->data_dir,
			     g_strerror (errno));
		return FALSE;
	}
	if (!check_data_dir_reachable (self, error))
		return FALSE;
	/* Authentication is "trust" for local connections (see run_initdb): that is safe only
	 * because nobody but the cluster's user (and root) can enter this directory to reach
	 * the socket; unix_socket_permissions=0700 on the socket itself is a second fence. */
	return ensure_private_dir (self, self->socket_dir, error);
}

/* --- lock ---------------------------------------------------------------------------------- */

static gboolean
take_lock (MvPgEmbedded *self, GError **error)
{
	g_autofree gchar *pid = NULL;

	if (self->lock_fd >= 0)
		return TRUE;
	self->lock_fd = open (self->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (self->lock_fd < 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "cannot open %s: %s",
			     self->lock_path, g_strerror (errno));
		return FALSE;
	}
	if (flock (self->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		gint saved = errno;
		gchar holder[32] = { 0 };
		ssize_t n = pread (self->lock_fd, holder, sizeof holder - 1, 0);
		close (self->lock_fd);
		self->lock_fd = -1;
		if (saved == EWOULDBLOCK) {
			g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
				     "the PostgreSQL cluster in %s is in use by another process "
				     "(pid %s, holding %s)",
				     self->data_dir, n > 0 ? g_strstrip (holder) : "unknown",
				     self->lock_path);
		} else {
			g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "cannot lock %s: %s",
				     self->lock_path, g_strerror (saved));
		}
		return FALSE;
	}
	pid = g_strdup_printf ("%ld\n", (long)getpid ());
	if (ftruncate (self->lock_fd, 0) != 0 || pwrite (self->lock_fd, pid, strlen (pid), 0) < 0)
		g_debug ("cannot record our pid in %s: %s", self->lock_path, g_strerror (errno));
	return TRUE;
}

static void
release_lock (MvPgEmbedded *self)
{
	if (self->lock_fd < 0)
		return;
	close (self->lock_fd); /* drops the flock */
	self->lock_fd = -1;
}

/* --- processes of the cluster -------------------------------------------------------------- */

/* Every postgres process (postmaster and backends) chdir()s to its data directory, so the
 * processes of our cluster are those whose cwd is it.  Zombies have no cwd and don't count. */
static GArray *
find_cluster_processes (MvPgEmbedded *self)
{
	GArray *pids = g_array_new (FALSE, FALSE, sizeof (GPid));
	g_autofree gchar *real = realpath (self->cluster_dir, NULL);
	g_autoptr (GDir) proc = NULL;

	if (real == NULL)
		return pids;
	proc = g_dir_open ("/proc", 0, NULL);
	for (const gchar *name = proc ? g_dir_read_name (proc) : NULL; name != NULL;
	     name = g_dir_read_name (proc)) {
		guint64 pid = 0;
		g_autofree gchar *link = NULL;
		g_autofree gchar *cwd = NULL;
		if (!g_ascii_string_to_unsigned (name, 10, 1, G_MAXINT, &pid, NULL))
			continue;
		link = g_strdup_printf ("/proc/%s/cwd", name);
		cwd = g_file_read_link (link, NULL);
		if (cwd != NULL && g_strcmp0 (cwd, real) == 0) {
			GPid p = (GPid)pid;
			g_array_append_val (pids, p);
		}
	}
	return pids;
}

static GPid
read_postmaster_pid (MvPgEmbedded *self)
{
	g_autofree gchar *path = g_build_filename (self->cluster_dir, "postmaster.pid", NULL);
	g_autofree gchar *contents = NULL;
	guint64 pid = 0;
	gchar *nl;

	if (!g_file_get_contents (path, &contents, NULL, NULL))
		return 0;
	nl = strchr (contents, '\n');
	if (nl != NULL)
		*nl = '\0';
	/* a postmaster writes its pid; a standalone backend writes the negated pid */
	if (!g_ascii_string_to_unsigned (contents[0] == '-' ? contents + 1 : contents, 10, 1,
					 G_MAXINT, &pid, NULL))
		return 0;
	return (GPid)pid;
}

/* Sends @sig to @pid and continues it: a stopped process acts on nothing but SIGKILL. */
static void
signal_and_continue (GPid pid, gint sig)
{
	kill (pid, sig);
	kill (pid, SIGCONT);
}

static void
signal_all (GArray *pids, gint sig)
{
	for (guint i = 0; i < pids->len; i++)
		signal_and_continue (g_array_index (pids, GPid, i), sig);
}

/* Waits until no process of the cluster is left; returns FALSE on timeout. */
static gboolean
wait_cluster_gone (MvPgEmbedded *self, gint64 timeout_us)
{
	gint64 deadline = g_get_monotonic_time () + timeout_us;
	for (;;) {
		g_autoptr (GArray) pids = find_cluster_processes (self);
		if (pids->len == 0)
			return TRUE;
		if (g_get_monotonic_time () >= deadline)
			return FALSE;
		g_usleep (MV_PG_POLL_US);
	}
}

/* A cluster still running while we hold pg.lock was left by a daemon that crashed (or was
 * killed) and has not finished stopping on its parent-death signal yet (a restart right after
 * the crash), or was started by a daemon without that signal: shut it down the way pg_ctl
 * would (fast, then immediate, then SIGKILL) before starting ours, since postgres refuses to
 * start on a directory still in use. */
static gboolean
stop_orphans (MvPgEmbedded *self, GError **error)
{
	g_autoptr (GArray) pids = find_cluster_processes (self);
	GPid master = read_postmaster_pid (self);
	gboolean have_master = FALSE;

	if (pids->len == 0)
		return TRUE;
	for (guint i = 0; i < pids->len; i++)
		have_master |= g_array_index (pids, GPid, i) == master;
	if (have_master) {
		g_warning ("stopping PostgreSQL (pid %d) of %s left running by a previous daemon",
			   (gint)master, self->cluster_dir);
		signal_and_continue (master, SIGINT);
	} else {
		/* the postmaster is gone; its children exit on noticing, SIGQUIT hurries them */
		g_message ("waiting for %u process(es) of a dead PostgreSQL in %s", pids->len,
			   self->cluster_dir);
		signal_all (pids, SIGQUIT);
	}
	if (wait_cluster_gone (self, MV_PG_STOP_TIMEOUT_US))
		return TRUE;
	g_clear_pointer (&pids, g_array_unref);
	pids = find_cluster_processes (self);
	signal_all (pids, SIGQUIT);
	if (wait_cluster_gone (self, MV_PG_KILL_TIMEOUT_US))
		return TRUE;
	g_clear_pointer (&pids, g_array_unref);
	pids = find_cluster_processes (self);
	signal_all (pids, SIGKILL);
	if (wait_cluster_gone (self, MV_PG_KILL_TIMEOUT_US))
		return TRUE;
	g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
		     "processes of an earlier PostgreSQL in %s do not exit, even on SIGKILL",
		     self->cluster_dir);
	return FALSE;
}

/* With no process of the cluster alive, a postmaster.pid (or socket lock) is stale.  postgres
 * would remove it itself unless the recorded pid was reused by an unrelated process, which is
 * common after a reboot or in containers, so remove it here. */
static void
remove_stale_pid_files (MvPgEmbedded *self)
{
	g_autofree gchar *pidfile = g_build_filename (self->cluster_dir, "postmaster.pid", NULL);
	g_autofree gchar *sock = g_build_filename (self->socket_dir, ".s.PGSQL." MV_PG_PORT, NULL);
	g_autofree gchar *sock_lock = g_strconcat (sock, ".lock", NULL);

	if (g_file_test (pidfile, G_FILE_TEST_EXISTS)) {
		g_message ("removing stale %s (no process of the cluster is running)", pidfile);
		g_unlink (pidfile);
	}
	g_unlink (sock_lock);
	g_unlink (sock);
}

/* --- initdb and start ---------------------------------------------------------------------- */

static gboolean
run_initdb (MvPgEmbedded *self, GError **error)
{
	g_autofree gchar *initdb = g_build_filename (self->bindir, "initdb", NULL);
	g_autofree gchar *pgdata = g_strdup_printf ("--pgdata=%s", self->init_dir);
	/* Trust for local (Unix socket) connections, no TCP at all: the socket directory is
	 * 0700 and owned by the cluster's user, so only that user and root can connect, and
	 * the daemon needs no password it would have to store.  TCP is refused in pg_hba.conf
	 * and not listened on (listen_addresses=''). */
	const gchar *argv[] = { initdb,
				pgdata,
				"--username=" MV_PG_ROLE,
				"--auth-local=trust",
				"--auth-host=reject",
				"--encoding=UTF8",
				"--no-locale",
				NULL };

	/* initdb into a scratch directory renamed into place at the end: a daemon killed
	 * during initdb leaves no half-made cluster that would later look valid */
	if (!rm_rf (self->init_dir, error))
		return FALSE;
	if (!ensure_private_dir (self, self->init_dir, error))
		return FALSE;
	g_message ("creating PostgreSQL cluster in %s", self->cluster_dir);
	if (!run_tool (self, argv, error))
		return FALSE;
	if (g_rename (self->init_dir, self->cluster_dir) != 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "cannot rename %s to %s: %s",
			     self->init_dir, self->cluster_dir, g_strerror (errno));
		return FALSE;
	}
	self->initialized = TRUE;
	return TRUE;
}

static gboolean
ensure_cluster (MvPgEmbedded *self, GError **error)
{
	g_autofree gchar *version = g_build_filename (self->cluster_dir, "PG_VERSION", NULL);
	GStatBuf st;

	self->initialized = FALSE;
	if (g_file_test (version, G_FILE_TEST_EXISTS)) {
		if (g_stat (self->cluster_dir, &st) == 0 && st.st_uid != self->uid) {
			g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
				     "PostgreSQL cluster %s is owned by uid %u, not by the user it "
				     "must run as (uid %u)",
				     self->cluster_dir, (guint)st.st_uid, (guint)self->uid);
			return FALSE;
		}
		return TRUE;
	}
	if (g_file_test (self->cluster_dir, G_FILE_TEST_EXISTS)
	    && g_rmdir (self->cluster_dir) != 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "%s exists but is not a PostgreSQL cluster (no PG_VERSION) and is not "
			     "empty; move it away",
			     self->cluster_dir);
		return FALSE;
	}
	return run_initdb (self, error);
}

static gchar *
quote_guc_list_item (const gchar *value)
{
	g_autoptr (GString) s = g_string_new ("\"");
	for (const gchar *p = value; *p != '\0'; p++) {
		if (*p == '"')
			g_string_append_c (s, '"');
		g_string_append_c (s, *p);
	}
	g_string_append_c (s, '"');
	return g_string_free (g_steal_pointer (&s), FALSE);
}

static gboolean
wait_ready (MvPgEmbedded *self, GError **error)
{
	gint64 deadline = g_get_monotonic_time () + MV_PG_START_TIMEOUT_US;

	for (;;) {
		gint status = 0;
		pid_t r = waitpid (self->pid, &status, WNOHANG);
		if (r == self->pid || (r < 0 && errno == ECHILD)) {
			g_autofree gchar *tail = log_tail (self);
			self->pid = 0;
			g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
				     "PostgreSQL exited while starting; %s ends with: %s",
				     self->log_path, tail);
			return FALSE;
		}
		/* OK once the postmaster accepts connections; REJECT while it is starting */
		if (PQping (self->conninfo) == PQPING_OK)
			return TRUE;
		if (g_get_monotonic_time () >= deadline) {
			g_set_error (error, MV_ERROR, MV_ERROR_TIMED_OUT,
				     "PostgreSQL (pid %d) did not accept connections within %d s; "
				     "see %s",
				     (gint)self->pid,
				     (gint)(MV_PG_START_TIMEOUT_US / G_USEC_PER_SEC),
				     self->log_path);
			return FALSE;
		}
		g_usleep (MV_PG_POLL_US);
	}
}

/* initdb made the role; the database is created on first start (and again if a crash came
 * between initdb and here). */
static gboolean
ensure_database (MvPgEmbedded *self, GError **error)
{
	g_autoptr (GString) admin = g_string_new (NULL);
	PGconn *conn;
	PGresult *res;
	const gchar *const params[] = { MV_PG_DBNAME };
	gboolean exists;

	conninfo_append (admin, "host", self->socket_dir);
	conninfo_append (admin, "port", MV_PG_PORT);
	conninfo_append (admin, "dbname", "postgres");
	conninfo_append (admin, "user", MV_PG_ROLE);
	conn = PQconnectdb (admin->str);
	if (PQstatus (conn) != CONNECTION_OK) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "cannot connect to the embedded PostgreSQL: %s",
			     PQerrorMessage (conn));
		PQfinish (conn);
		return FALSE;
	}
	res = PQexecParams (conn, "SELECT 1 FROM pg_database WHERE datname = $1", 1, NULL, params,
			    NULL, NULL, 0);
	exists = PQresultStatus (res) == PGRES_TUPLES_OK && PQntuples (res) > 0;
	PQclear (res);
	if (!exists) {
		/* CREATE DATABASE takes no parameters; the name is a constant */
		res = PQexec (conn, "CREATE DATABASE " MV_PG_DBNAME " OWNER " MV_PG_ROLE);
		if (PQresultStatus (res) != PGRES_COMMAND_OK) {
			g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
				     "cannot create database %s: %s", MV_PG_DBNAME,
				     PQresultErrorMessage (res));
			PQclear (res);
			PQfinish (conn);
			return FALSE;
		}
		PQclear (res);
	}
	PQfinish (conn);
	return TRUE;
}

static gboolean
spawn_postmaster (MvPgEmbedded *self, GError **error)
{
	g_autofree gchar *postgres = g_build_filename (self->bindir, "postgres", NULL);
	g_autofree gchar *dirs = quote_guc_list_item (self->socket_dir);
	g_autofree gchar *sockdirs = g_strdup_printf ("unix_socket_directories=%s", dirs);
	/* settings on the command line, not in postgresql.conf, so the cluster directory stays
	 * relocatable and an edited config cannot open TCP by accident.
	 *
	 * pg.log outlives crypto-shredding, so nothing that identifies a patient may reach it:
	 * terse errors carry no DETAIL (a unique violation's DETAIL quotes the key, e.g. a blind
	 * index), no failing statement is logged (log_min_error_statement), no statement or its
	 * parameters is logged otherwise (log_statement, durations, parameters), and auto_explain
	 * is not loaded.  docs/security.md, "PostgreSQL's log". */
	const gchar *argv[] = { postgres,
				"-D",
				self->cluster_dir,
				"-p",
				MV_PG_PORT,
				"-c",
				"listen_addresses=",
				"-c",
				sockdirs,
				"-c",
				"unix_socket_permissions=0700",
				"-c",
				"logging_collector=off",
				"-c",
				"log_error_verbosity=terse",
				"-c",
				"log_min_error_statement=panic",
				"-c",
				"log_statement=none",
				"-c",
				"log_min_duration_statement=-1",
				"-c",
				"log_min_duration_sample=-1",
				"-c",
				"log_duration=off",
				"-c",
				"log_parameter_max_length=0",
				"-c",
				"log_parameter_max_length_on_error=0",
				"-c",
				"log_autovacuum_min_duration=-1",
				"-c",
				"session_preload_libraries=",
				NULL };
	return spawn_logged (self, argv, &self->pid, error);
}

gboolean
mv_pg_embedded_start (MvPgEmbedded *self, GError **error)
{
	g_autofree gchar *sock = NULL;

	g_return_val_if_fail (self != NULL, FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	if (self->pid != 0) {
		gint status = 0;
		if (!wait_child (self->pid, 0, &status))
			return TRUE; /* ours, still running */
		g_warning ("PostgreSQL (pid %d) of %s died; starting it again", (gint)self->pid,
			   self->cluster_dir);
		self->pid = 0;
	}

	sock = g_build_filename (self->socket_dir, ".s.PGSQL." MV_PG_PORT, NULL);
	if (strlen (sock) >= sizeof (((struct sockaddr_un *)NULL)->sun_path)) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "PostgreSQL socket path %s is %zu bytes, over the %zu-byte limit of "
			     "a Unix socket path; use a shorter data directory",
			     sock, strlen (sock),
			     sizeof (((struct sockaddr_un *)NULL)->sun_path) - 1);
		return FALSE;
	}
	if (self->bindir == NULL) {
		self->bindir = mv_pg_embedded_find_bindir (error);
		if (self->bindir == NULL)
			return FALSE;
	}
	if (!has_server_binaries (self->bindir)) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "%s holds no PostgreSQL server binaries (initdb, postgres)",
			     self->bindir);
		return FALSE;
	}
	if (!resolve_identity (self, error))
		return FALSE;
	if (!prepare_dirs (self, error))
		return FALSE;
	if (!take_lock (self, error))
		return FALSE;
	if (!stop_orphans (self, error) || !ensure_cluster (self, error)) {
		release_lock (self);
		return FALSE;
	}
	remove_stale_pid_files (self);
	if (!spawn_postmaster (self, error) || !wait_ready (self, error)
	    || !ensure_database (self, error)) {
		g_autoptr (GError) error_stop = NULL;
		if (!mv_pg_embedded_stop (self, &error_stop))
			g_warning ("%s", error_stop->message);
		release_lock (self);
		return FALSE;
	}
	g_debug ("PostgreSQL (pid %d) ready in %s", (gint)self->pid, self->cluster_dir);
	return TRUE;
}

gboolean
mv_pg_embedded_is_running (MvPgEmbedded *self)
{
	gint status = 0;

	g_return_val_if_fail (self != NULL, FALSE);
	if (self->pid == 0)
		return FALSE;
	if (!wait_child (self->pid, 0, &status))
		return TRUE;
	if (status != -1 && WIFSIGNALED (status))
		g_warning ("PostgreSQL (pid %d) of %s was killed by signal %d; see %s",
			   (gint)self->pid, self->cluster_dir, WTERMSIG (status), self->log_path);
	else
		g_warning ("PostgreSQL (pid %d) of %s exited with status %d; see %s",
			   (gint)self->pid, self->cluster_dir,
			   status != -1 && WIFEXITED (status) ? WEXITSTATUS (status) : -1,
			   self->log_path);
	/* pg.lock stays ours: no other daemon takes the cluster over before we start it again */
	self->pid = 0;
	return FALSE;
}

gboolean
mv_pg_embedded_stop (MvPgEmbedded *self, GError **error)
{
	gint status = 0;
	gboolean clean = TRUE;
	g_autoptr (GArray) left = NULL;
	GPid pid;

	g_return_val_if_fail (self != NULL, FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	if (self->pid == 0) {
		release_lock (self);
		return TRUE;
	}
	pid = self->pid;
	/* fast shutdown: sessions are ended, a checkpoint is written */
	kill (pid, SIGINT);
	if (!wait_child (pid, MV_PG_STOP_TIMEOUT_US, &status)) {
		g_warning ("PostgreSQL (pid %d) did not stop within %d s; immediate shutdown",
			   (gint)pid, (gint)(MV_PG_STOP_TIMEOUT_US / G_USEC_PER_SEC));
		clean = FALSE;
		kill (pid, SIGQUIT);
		if (!wait_child (pid, MV_PG_KILL_TIMEOUT_US, &status)) {
			kill (pid, SIGKILL);
			wait_child (pid, MV_PG_KILL_TIMEOUT_US, &status);
		}
	}
	self->pid = 0;

	/* the postmaster waits for its children, but make sure */
	left = find_cluster_processes (self);
	if (left->len > 0) {
		clean = FALSE;
		signal_all (left, SIGKILL);
		wait_cluster_gone (self, MV_PG_KILL_TIMEOUT_US);
	}
	release_lock (self);
	if (!clean) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "PostgreSQL in %s did not shut down cleanly and was killed; see %s",
			     self->cluster_dir, self->log_path);
		return FALSE;
	}
	if (status != -1 && !(WIFEXITED (status) && WEXITSTATUS (status) == 0))
		g_warning ("PostgreSQL (pid %d) exited with status %d; see %s", (gint)pid, status,
			   self->log_path);
	return TRUE;
}

MvPgEmbedded *
mv_pg_embedded_new (const gchar *data_dir, const gchar *bindir, const gchar *run_as_user)
{
	MvPgEmbedded *self = g_new0 (MvPgEmbedded, 1);
	g_autoptr (GString) conninfo = g_string_new (NULL);

	g_return_val_if_fail (data_dir != NULL, NULL);

	self->data_dir = g_canonicalize_filename (data_dir, NULL);
	self->cluster_dir = g_build_filename (self->data_dir, "pg", NULL);
	self->init_dir = g_build_filename (self->data_dir, "pg.init", NULL);
	self->socket_dir = g_build_filename (self->data_dir, "pg-socket", NULL);
	self->log_path = g_build_filename (self->data_dir, "pg.log", NULL);
	self->lock_path = g_build_filename (self->data_dir, "pg.lock", NULL);
	self->bindir = g_strdup (bindir);
	self->run_as_user = g_strdup (run_as_user != NULL ? run_as_user : MV_PG_DEFAULT_USER);
	self->lock_fd = -1;

	conninfo_append (conninfo, "host", self->socket_dir);
	conninfo_append (conninfo, "port", MV_PG_PORT);
	conninfo_append (conninfo, "dbname", MV_PG_DBNAME);
	conninfo_append (conninfo, "user", MV_PG_ROLE);
	self->conninfo = g_string_free (g_steal_pointer (&conninfo), FALSE);
	return self;
}

const gchar *
mv_pg_embedded_get_conninfo (MvPgEmbedded *self)
{
	g_return_val_if_fail (self != NULL, NULL);
	return self->conninfo;
}

GPid
mv_pg_embedded_get_pid (MvPgEmbedded *self)
{
	g_return_val_if_fail (self != NULL, 0);
	return self->pid;
}

gboolean
mv_pg_embedded_get_initialized (MvPgEmbedded *self)
{
	g_return_val_if_fail (self != NULL, FALSE);
	return self->initialized;
}

const gchar *
mv_pg_embedded_get_cluster_dir (MvPgEmbedded *self)
{
	g_return_val_if_fail (self != NULL, NULL);
	return self->cluster_dir;
}

const gchar *
mv_pg_embedded_get_log_path (MvPgEmbedded *self)
{
	g_return_val_if_fail (self != NULL, NULL);
	return self->log_path;
}

void
mv_pg_embedded_free (MvPgEmbedded *self)
{
	g_autoptr (GError) error = NULL;

	if (self == NULL)
		return;
	if (self->pid != 0 && !mv_pg_embedded_stop (self, &error))
		g_warning ("%s", error->message);
	release_lock (self);
	g_free (self->data_dir);
	g_free (self->cluster_dir);
	g_free (self->init_dir);
	g_free (self->socket_dir);
	g_free (self->log_path);
	g_free (self->lock_path);
	g_free (self->bindir);
	g_free (self->run_as_user);
	g_free (self->conninfo);
	g_free (self->groups);
	g_free (self);
}
