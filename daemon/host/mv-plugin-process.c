/* Isolated plugins, the daemon's side: see mv-plugin-process.h and docs/plugin-isolation.md. */
#define G_LOG_DOMAIN "medverse-plugin-process"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mv-host-private.h>

#include "mv-build-paths.h"
#include "mv-error-table.h"
#include "mv-host-channel.h"
#include "mv-host-stderr.h"
#include "mv-log-escape.h"
#include "mv-metrics.h"
#include "mv-plugin-process.h"
#include "mv-plugin-proxy.h"
#include "mv-sandbox-paths.h"

/* Restart backoff: 100 ms doubling to 30 s; a process that ran a healthy minute starts over. */
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 30000
#define HEALTHY_US (60 * G_USEC_PER_SEC)
/* How long a host that closed its channel gets to finish dying before SIGKILL: enough for the
 * kernel to deliver its own signal, so the log names the real cause. */
#define REAP_GRACE_US (500 * G_TIME_SPAN_MILLISECOND)

typedef struct {
	const gchar *key;
	guint64 def, min, max;
	/* when not 0: a value other than 0 must be at least this (a host cannot start below) */
	guint64 least;
	gsize offset;
	gboolean is_64;
	const gchar *doc;
} IsolationKey;

#define OFF(f) G_STRUCT_OFFSET (MvIsolationConfig, f)

static const IsolationKey isolation_keys[] = {
	/* 2, not 1: one process makes the plugin's one worker wait for the host and the host
	 * for the worker's answer to the client, each in turn; two overlap them (0.56-0.63 of
	 * in-process throughput over HTTP with 1, 0.86 median with 2 on 2 CPUs:
	 * tests/bench/RESULTS.md) */
	{ "processes", 2, 1, 64, 0, OFF (processes), FALSE,
	  "Host processes of an isolated plugin; each runs one call at a time, so this is how "
	  "many of its calls run at once." },
	/* measured: a host of a GLib plugin (bmi) starts with 16 MiB and fails with 8 (glibc
	 * cannot map its locale converter, seccomp cannot load its filter); 32 leaves margin */
	{ "memory-mb", 1024, 0, 1048576, 32, OFF (memory_mb), TRUE,
	  "Address-space limit (RLIMIT_AS) of each host process in MiB, at least 32 (a host "
	  "needs that much to start; a plugin with data files needs more); 0 leaves it "
	  "unlimited." },
	{ "cpu-seconds", 0, 0, 31536000, 0, OFF (cpu_seconds), TRUE,
	  "CPU time limit (RLIMIT_CPU) of each host process over its whole life; 0 is none (the "
	  "call time limit already kills a host that spins)." },
	/* the sandbox needs 8 while it is applied (mv-sandbox.c) */
	{ "max-files", 64, 0, 65536, 8, OFF (max_files), TRUE,
	  "Descriptor limit (RLIMIT_NOFILE) of each host process, at least 8 (the sandbox "
	  "itself needs them); 0 leaves it." },
	{ "crash-limit", 5, 1, 100000, 0, OFF (crash_limit), FALSE,
	  "A plugin whose host processes crash this many times within crash-window-s is "
	  "disabled: its calls answer 503 plugin-disabled until `medversectl plugins enable "
	  "NAME`." },
	{ "crash-window-s", 300, 1, 604800, 0, OFF (crash_window_s), FALSE,
	  "The window of crash-limit, in seconds." },
};

gboolean
mv_isolation_env_check (GError **error)
{
	const gchar *env = g_getenv ("MEDVERSE_PLUGIN_ISOLATION");

	/* a typo would silently keep the default: an operator who asked for isolation would
	 * run third-party plugins inside the daemon */
	if (env == NULL || env[0] == '\0' || g_str_equal (env, "process")
	    || g_str_equal (env, "in-process"))
		return TRUE;
	g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
		     "MEDVERSE_PLUGIN_ISOLATION: '%s' is neither process nor in-process (unset it "
		     "for the default)",
		     env);
	return FALSE;
}

gboolean
mv_isolation_config_load (GKeyFile *keyfile,
			  const gchar *group,
			  gboolean default_isolated,
			  MvIsolationConfig *config,
			  GError **error)
{
	g_autofree gchar *isolation = NULL;

	memset (config, 0, sizeof *config);
	config->isolated = default_isolated;
	if (!mv_isolation_env_check (error))
		return FALSE;
	if (keyfile != NULL)
		isolation = g_key_file_get_string (keyfile, group, "isolation", NULL);
	if (isolation != NULL) {
		g_strstrip (isolation);
		if (g_strcmp0 (isolation, "process") != 0
		    && g_strcmp0 (isolation, "in-process") != 0) {
			g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
				     "[%s] isolation: '%s' is neither process nor in-process",
				     group, isolation);
			return FALSE;
		}
		config->isolated = g_str_equal (isolation, "process");
	}
	for (guint i = 0; i < G_N_ELEMENTS (isolation_keys); i++) {
		const IsolationKey *k = &isolation_keys[i];
		g_autofree gchar *text
			= keyfile != NULL ? g_key_file_get_string (keyfile, group, k->key, NULL)
					  : NULL;
		guint64 value = k->def;
		g_autoptr (GError) error_local = NULL;

		if (text != NULL
		    && !g_ascii_string_to_unsigned (g_strstrip (text), 10, k->min, k->max, &value,
						    &error_local)) {
			g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
				     "[%s] %s: %s (range %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT
				     ")",
				     group, k->key, error_local->message, k->min, k->max);
			return FALSE;
		}
		if (k->least > 0 && value > 0 && value < k->least) {
			g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
				     "[%s] %s: %" G_GUINT64_FORMAT " is below %" G_GUINT64_FORMAT
				     ", the least a plugin host starts with (0: no limit)",
				     group, k->key, value, k->least);
			return FALSE;
		}
		if (k->is_64)
			G_STRUCT_MEMBER (guint64, config, k->offset) = value;
		else
			G_STRUCT_MEMBER (guint, config, k->offset) = (guint)value;
	}
	return TRUE;
}

gchar *
mv_isolation_config_example (void)
{
	GString *out = g_string_new (
		"\n# [plugin.NAME]: keys the daemon owns in every plugin's group (no plugin may\n"
		"# declare them; docs/plugin-isolation.md). Uncomment the group line below with\n"
		"# the plugin's name (for one, [plugin.hello]) together with its keys: without\n"
		"# it they would belong to the group above.\n"
		"#[plugin.NAME]\n"
		"#\n"
		"# isolation = process | in-process: run the plugin in supervised host\n"
		"# processes of its own (a crash costs one call, never the daemon) or inside the\n"
		"# daemon. Default: in-process for the four plugins the daemon ships, process\n"
		"# for any other, even in the daemon's plugin directory (a third party's\n"
		"# package); $MEDVERSE_PLUGIN_ISOLATION overrides that default.\n"
		"#isolation=\n");

	for (guint i = 0; i < G_N_ELEMENTS (isolation_keys); i++) {
		const IsolationKey *k = &isolation_keys[i];
		g_auto (GStrv) words = g_strsplit (k->doc, " ", -1);
		gsize column = 1;

		g_string_append (out, "\n#");
		for (guint w = 0; words[w] != NULL; w++) {
			if (column + 1 + strlen (words[w]) > 80) {
				g_string_append (out, "\n#");
				column = 1;
			}
			g_string_append_printf (out, " %s", words[w]);
			column += 1 + strlen (words[w]);
		}
		g_string_append_printf (out,
					"\n# range: %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT
					"\n#%s=%" G_GUINT64_FORMAT "\n",
					k->min, k->max, k->key, k->def);
	}
	return g_string_free (out, FALSE);
}

gchar *
mv_plugin_host_path (void)
{
	const gchar *env = g_getenv ("MEDVERSE_PLUGIN_HOST");
	g_autofree gchar *self = g_file_read_link ("/proc/self/exe", NULL);

	if (env != NULL && env[0] != '\0')
		return g_strdup (env);
	/* a daemon run from its build tree runs the host of the same build, never an older
	 * installed one */
	if (self != NULL && g_str_has_prefix (self, MV_BUILD_ROOT "/"))
		return g_strdup (MV_BUILD_PLUGIN_HOST);
	return g_strdup (MV_INSTALLED_PLUGIN_HOST);
}

typedef enum {
	PROC_STOPPED,
	PROC_STARTING,
	PROC_IDLE,
	PROC_BUSY,
} ProcState;

typedef struct {
	guint index;
	ProcState state; /* under the pool's lock */
	GSubprocess *subprocess;
	int fd;
	gchar pid[24];
	gint64 started_us;
	gint64 restart_at_us;
	guint backoff_ms;
	guint32 next_id;
	gboolean restarting; /* under the lock: a restart thread waits for its backoff */
} HostProc;

struct _MvPluginProcessPool {
	gchar *host_path;
	gchar *plugin_path;
	gchar *name; /* the plugin's, from HELLO */
	gchar *log_domain;
	MvIsolationConfig config;
	guint start_timeout_ms;
	MvPluginProcessInvoke invoke;
	MvPluginProxy *proxy;
	GVariant *hello; /* the first HELLO: every restart must say the same */
	gchar **protected_paths;
	/* what the sandbox grants, set by mv_plugin_process_pool_init and passed on the host's
	 * command line: it applies the sandbox before it loads the plugin */
	gchar *data_dir;
	gchar **read_paths;
	GVariant *init; /* INIT's payload; NULL until mv_plugin_process_pool_init */
	GMutex lock;
	GCond cond;
	HostProc *procs;
	GArray *crashes; /* gint64 monotonic times of the crashes in the window */
	gboolean disabled;
	gboolean stopping;
	guint restarts;		  /* restart threads running; shutdown waits for them */
	MvPluginMetrics *metrics; /* (nullable) crashes and restarts are counted here */
};

/* A LOG frame, written under "plugin-NAME" with its request id; the text is the plugin's, so
 * it is escaped, and it may not raise criticals or errors in the daemon. */
static void
forward_log (MvPluginProcessPool *pool, const MvHostFrame *frame)
{
	guint32 level;
	const gchar *rid, *message;
	g_autofree gchar *escaped = NULL;

	g_variant_get (frame->payload, "(u&s&s)", &level, &rid, &message);
	level &= G_LOG_LEVEL_MASK;
	if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL) || level == 0)
		level = G_LOG_LEVEL_WARNING;
	/* the lowest level bit: one level per line */
	level &= ~(level - 1);
	escaped = mv_log_escape (message, 4096);
	g_log_structured (pool->log_domain, level, "MESSAGE", "[%s] %s", rid[0] != '\0' ? rid : "-",
			  escaped, "MV_PLUGIN", "%s", pool->name);
}

static gboolean
subprocess_gone (GSubprocess *subprocess)
{
	/* the identifier is cleared once GLib reaped the child */
	return g_subprocess_get_identifier (subprocess) == NULL;
}

/* Ends @proc's process: waits up to @grace_us for it to exit by itself, then SIGKILL; reaps
 * it and closes the channel.  Returns how it ended ("killed by signal 11 (SIGSEGV)"). */
static gchar *
proc_reap (HostProc *proc, gint64 grace_us)
{
	gint64 until = g_get_monotonic_time () + grace_us;
	g_autoptr (GSubprocess) subprocess = g_steal_pointer (&proc->subprocess);
	gchar *how;

	/* the channel is closed only once the process is gone: force_exit() sends its signal
	 * later, from GLib's worker thread, and a host that saw the channel close first could
	 * exit 0 before it and hide what happened */
	if (subprocess != NULL) {
		while (!subprocess_gone (subprocess) && g_get_monotonic_time () < until)
			g_usleep (2000);
		if (!subprocess_gone (subprocess))
			g_subprocess_force_exit (subprocess);
		g_subprocess_wait (subprocess, NULL, NULL);
	}
	if (proc->fd >= 0)
		close (proc->fd);
	proc->fd = -1;
	if (subprocess == NULL)
		return g_strdup ("not running");
	if (g_subprocess_get_if_signaled (subprocess)) {
		gint sig = g_subprocess_get_term_sig (subprocess);
		const gchar *abbrev = sigabbrev_np (sig);
		/* "SIGSEGV" as the daemon's own crash line says it (mv-crash.c) */
		how = g_strdup_printf ("killed by signal %d (SIG%s)", sig,
				       abbrev != NULL ? abbrev : "?");
	} else {
		how = g_strdup_printf ("exited with status %d",
				       g_subprocess_get_exit_status (subprocess));
	}
	return how;
}

/* Reads frames until one that is not a LOG. */
static gboolean
read_answer (MvPluginProcessPool *pool,
	     HostProc *proc,
	     gint64 deadline_us,
	     MvHostFrame *frame,
	     GError **error)
{
	for (;;) {
		if (!mv_host_channel_read (proc->fd, deadline_us, frame, error))
			return FALSE;
		if (frame->kind != MV_HOST_FRAME_LOG)
			return TRUE;
		forward_log (pool, frame);
		mv_host_frame_clear (frame);
	}
}

static gboolean
proc_send_init (MvPluginProcessPool *pool, HostProc *proc, gint64 deadline_us, GError **error)
{
	g_auto (MvHostFrame) frame = { 0 };
	gboolean ok;
	const gchar *message;

	if (!mv_host_channel_write_until (proc->fd, deadline_us, MV_HOST_FRAME_INIT, 0, pool->init,
					  error)
	    || !read_answer (pool, proc, deadline_us, &frame, error))
		return FALSE;
	if (frame.kind != MV_HOST_FRAME_INIT_DONE) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "answered INIT with a frame of kind %u", frame.kind);
		return FALSE;
	}
	g_variant_get (frame.payload, "(b&s)", &ok, &message);
	if (!ok) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "%s", message);
		return FALSE;
	}
	return TRUE;
}

/* What a host process inherits of the daemon's environment: nothing else. */
static const gchar *const host_environment[] = {
	"G_DEBUG",	"G_MESSAGES_DEBUG", "LANG",	    "LC_ALL",	       "TZ",
	"ASAN_OPTIONS", "UBSAN_OPTIONS",    "LSAN_OPTIONS", "MALLOC_PERTURB_",
};

static GSubprocess *
spawn_host (MvPluginProcessPool *pool, int *fd, GError **error)
{
	/* stdin (GLib's default) and stdout /dev/null, stderr a pipe: a host holds none of the
	 * daemon's fds 0-2, so no TIOCSTI into the operator's terminal, no line written into
	 * the daemon's log as if the daemon wrote it, no ftruncate of that log */
	g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (
		G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
	g_autofree gchar *memory = g_strdup_printf ("%" G_GUINT64_FORMAT, pool->config.memory_mb);
	g_autofree gchar *cpu = g_strdup_printf ("%" G_GUINT64_FORMAT, pool->config.cpu_seconds);
	g_autofree gchar *files = g_strdup_printf ("%" G_GUINT64_FORMAT, pool->config.max_files);
	g_autoptr (GPtrArray) argv = g_ptr_array_new ();
	GSubprocess *subprocess;
	int pair[2];

	if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
		int saved = errno;
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "socketpair: %s",
			     g_strerror (saved));
		return NULL;
	}
	/* the daemon's environment may name its database, keys or credentials: the plugin gets
	 * only what GLib and the sanitizers read */
	gchar *nothing[] = { NULL }; /* (NULL itself would mean "inherit everything") */
	g_subprocess_launcher_set_environ (launcher, nothing);
	for (guint i = 0; i < G_N_ELEMENTS (host_environment); i++) {
		const gchar *value = g_getenv (host_environment[i]);
		if (value != NULL)
			g_subprocess_launcher_setenv (launcher, host_environment[i], value, TRUE);
	}
	/* the launcher owns the host's end from here and closes it in this process */
	g_subprocess_launcher_take_fd (launcher, pair[1], 3);
	g_ptr_array_add (argv, pool->host_path);
	g_ptr_array_add (argv, (gpointer) "--channel-fd");
	g_ptr_array_add (argv, (gpointer) "3");
	g_ptr_array_add (argv, (gpointer) "--memory-mb");
	g_ptr_array_add (argv, memory);
	g_ptr_array_add (argv, (gpointer) "--cpu-seconds");
	g_ptr_array_add (argv, cpu);
	g_ptr_array_add (argv, (gpointer) "--max-files");
	g_ptr_array_add (argv, files);
	for (guint i = 0; pool->protected_paths != NULL && pool->protected_paths[i] != NULL; i++) {
		g_ptr_array_add (argv, (gpointer) "--protect");
		g_ptr_array_add (argv, pool->protected_paths[i]);
	}
	if (pool->data_dir != NULL) {
		g_ptr_array_add (argv, (gpointer) "--data-dir");
		g_ptr_array_add (argv, pool->data_dir);
	}
	for (guint i = 0; pool->read_paths != NULL && pool->read_paths[i] != NULL; i++) {
		g_ptr_array_add (argv, (gpointer) "--read-path");
		g_ptr_array_add (argv, pool->read_paths[i]);
	}
	g_ptr_array_add (argv, pool->plugin_path);
	g_ptr_array_add (argv, NULL);
	subprocess
		= g_subprocess_launcher_spawnv (launcher, (const gchar *const *)argv->pdata, error);
	if (subprocess == NULL) {
		close (pair[0]);
		return NULL;
	}
	mv_host_stderr_follow (subprocess, pool->name);
	*fd = pair[0];
	return subprocess;
}

/* Every host is spawned by one thread that lives as long as the daemon.  A host asks for
 * SIGKILL when its parent dies (PR_SET_PDEATHSIG, docs/sandbox.md), and Linux means the parent
 * THREAD: a host spawned by a restart thread or a pool worker that then exits would be killed
 * at once.  The spawner is started on first use and never stops. */
typedef struct {
	MvPluginProcessPool *pool;
	int fd;
	GSubprocess *subprocess;
	GError *error;
	gboolean done;
} SpawnRequest;

static GAsyncQueue *spawn_requests;
static GMutex spawn_lock;
static GCond spawn_cond;

static gpointer
spawner_thread (gpointer data)
{
	GAsyncQueue *queue = data;

	for (;;) {
		SpawnRequest *req = g_async_queue_pop (queue);
		req->subprocess = spawn_host (req->pool, &req->fd, &req->error);
		g_mutex_lock (&spawn_lock);
		req->done = TRUE;
		g_cond_broadcast (&spawn_cond);
		g_mutex_unlock (&spawn_lock);
	}
	return NULL;
}

static GSubprocess *
spawn_host_by_spawner (MvPluginProcessPool *pool, int *fd, GError **error)
{
	SpawnRequest req = { .pool = pool, .fd = -1 };

	if (g_once_init_enter (&spawn_requests)) {
		GAsyncQueue *queue = g_async_queue_new ();
		g_thread_unref (g_thread_new ("mv-host-spawner", spawner_thread, queue));
		g_once_init_leave (&spawn_requests, queue);
	}
	g_async_queue_push (spawn_requests, &req);
	g_mutex_lock (&spawn_lock);
	while (!req.done)
		g_cond_wait (&spawn_cond, &spawn_lock);
	g_mutex_unlock (&spawn_lock);
	if (req.subprocess == NULL) {
		g_propagate_error (error, req.error);
		return NULL;
	}
	*fd = req.fd;
	return req.subprocess;
}

/* Starts @proc's process: spawn, HELLO (the same as the first one's), INIT when the pool has
 * one.  Called without the lock; @proc is STARTING, so no one else touches it. */
static gboolean
proc_start (MvPluginProcessPool *pool, HostProc *proc, GError **error)
{
	gint64 deadline = g_get_monotonic_time () + (gint64)pool->start_timeout_ms * 1000;
	g_auto (MvHostFrame) frame = { 0 };
	g_autoptr (GError) error_local = NULL;
	gboolean again = proc->started_us != 0; /* it ran before: this is a restart */

	proc->subprocess = spawn_host_by_spawner (pool, &proc->fd, error);
	if (proc->subprocess == NULL)
		return FALSE;
	/* NULL once the process was reaped: a host the ABI gate refused can exit (and GLib's
	 * worker reap it) before this line runs */
	g_strlcpy (proc->pid,
		   g_subprocess_get_identifier (proc->subprocess) != NULL
			   ? g_subprocess_get_identifier (proc->subprocess)
			   : "(exited)",
		   sizeof proc->pid);
	proc->next_id = 0;
	if (!read_answer (pool, proc, deadline, &frame, &error_local)) {
		g_autofree gchar *how = proc_reap (proc, REAP_GRACE_US);
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "its host process %s sent no HELLO (%s) and %s%s", proc->pid,
			     error_local->message, how,
			     g_str_has_suffix (how, "status 78")
				     ? ": the plugin was refused (the host's log line says why)"
				     : "");
		return FALSE;
	}
	if (frame.kind != MV_HOST_FRAME_HELLO
	    || (pool->hello != NULL && !g_variant_equal (frame.payload, pool->hello))) {
		g_autofree gchar *how = proc_reap (proc, 0);
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "its host process %s did not start with the HELLO of this plugin "
			     "(was the file replaced?); %s",
			     proc->pid, how);
		return FALSE;
	}
	if (pool->hello == NULL)
		pool->hello = g_variant_ref (frame.payload);
	if (pool->init != NULL && !proc_send_init (pool, proc, deadline, &error_local)) {
		g_autofree gchar *how = proc_reap (proc, REAP_GRACE_US);
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "init failed in host process %s: %s (%s)", proc->pid,
			     error_local->message, how);
		return FALSE;
	}
	proc->started_us = g_get_monotonic_time ();
	if (again && pool->metrics != NULL)
		mv_plugin_metrics_count_restart (pool->metrics);
	return TRUE;
}

static void schedule_restart_locked (MvPluginProcessPool *pool, HostProc *proc);

/* @proc ended (crash, failed start, time-out kill: @count_crash says whether it counts toward
 * crash-limit).  Under the lock. */
static void
proc_stopped_locked (MvPluginProcessPool *pool, HostProc *proc, gboolean count_crash)
{
	gint64 now = g_get_monotonic_time ();

	if (proc->backoff_ms == 0 || now - proc->started_us >= HEALTHY_US)
		proc->backoff_ms = BACKOFF_MIN_MS;
	else
		proc->backoff_ms = MIN (proc->backoff_ms * 2, BACKOFF_MAX_MS);
	proc->restart_at_us = count_crash ? now + (gint64)proc->backoff_ms * 1000 : now;
	proc->state = PROC_STOPPED;
	g_cond_broadcast (&pool->cond);
	if (!count_crash) {
		schedule_restart_locked (pool, proc);
		return;
	}
	g_array_append_val (pool->crashes, now);
	if (pool->metrics != NULL)
		mv_plugin_metrics_count_crash (pool->metrics);
	while (pool->crashes->len > 0
	       && now - g_array_index (pool->crashes, gint64, 0)
			  > (gint64)pool->config.crash_window_s * G_USEC_PER_SEC)
		g_array_remove_index (pool->crashes, 0);
	if (pool->disabled || pool->crashes->len < pool->config.crash_limit) {
		schedule_restart_locked (pool, proc);
		return;
	}
	pool->disabled = TRUE;
	g_warning ("plugin %s disabled: %u crashes within %u s (crash-limit); its calls answer "
		   "503 plugin-disabled until `medversectl plugins enable %s`",
		   pool->name, pool->crashes->len, pool->config.crash_window_s, pool->name);
}

typedef struct {
	MvPluginProcessPool *pool;
	HostProc *proc;
} RestartJob;

/* Starts a stopped process again once its backoff is over, so the next call finds it ready
 * (a call that comes first starts it itself: whoever marks it STARTING does). */
static gpointer
restart_thread (gpointer data)
{
	RestartJob *job = data;
	MvPluginProcessPool *pool = job->pool;
	HostProc *proc = job->proc;
	g_autoptr (GError) error = NULL;

	g_free (job);
	g_mutex_lock (&pool->lock);
	while (!pool->stopping && !pool->disabled && proc->state == PROC_STOPPED
	       && g_get_monotonic_time () < proc->restart_at_us)
		g_cond_wait_until (&pool->cond, &pool->lock, proc->restart_at_us);
	proc->restarting = FALSE;
	if (!pool->stopping && !pool->disabled && proc->state == PROC_STOPPED) {
		gboolean started;

		proc->state = PROC_STARTING;
		g_mutex_unlock (&pool->lock);
		started = proc_start (pool, proc, &error);
		g_mutex_lock (&pool->lock);
		if (started) {
			g_message ("plugin %s: host process %s started", pool->name, proc->pid);
			proc->state = PROC_IDLE;
		} else {
			g_warning ("plugin %s: restart failed: %s", pool->name, error->message);
			proc_stopped_locked (pool, proc, TRUE);
		}
	}
	pool->restarts--;
	g_cond_broadcast (&pool->cond);
	g_mutex_unlock (&pool->lock);
	return NULL;
}

static void
schedule_restart_locked (MvPluginProcessPool *pool, HostProc *proc)
{
	RestartJob *job;

	/* before INIT the pool is still being set up by its creator */
	if (pool->disabled || pool->stopping || pool->init == NULL || proc->restarting)
		return;
	job = g_new0 (RestartJob, 1);
	job->pool = pool;
	job->proc = proc;
	proc->restarting = TRUE;
	pool->restarts++;
	g_thread_unref (g_thread_new ("mv-host-restart", restart_thread, job));
}

static HostProc *
pool_find (MvPluginProcessPool *pool, ProcState state)
{
	for (guint i = 0; i < pool->config.processes; i++)
		if (pool->procs[i].state == state)
			return &pool->procs[i];
	return NULL;
}

static void
set_disabled_error (MvPluginProcessPool *pool, GError **error)
{
	mv_set_error_bilingual_printf (
		error, MV_ERROR_PLUGIN_DISABLED,
		"plugin %s is disabled after crashing too often; an operator must re-enable it",
		"插件 %s 因频繁崩溃已被停用，需由运维人员重新启用", pool->name);
}

/* A process that is restartable now, or NULL; *@wake: when the next one will be. */
static HostProc *
pool_startable (MvPluginProcessPool *pool, gint64 now, gint64 *wake)
{
	for (guint i = 0; i < pool->config.processes; i++) {
		HostProc *proc = &pool->procs[i];
		if (proc->state != PROC_STOPPED)
			continue;
		if (proc->restart_at_us <= now)
			return proc;
		*wake = MIN (*wake, proc->restart_at_us);
	}
	return NULL;
}

/* An idle process, marked BUSY; (re)starts one whose backoff is over; waits otherwise, unless
 * the call is @reentrant (made from within a call of this plugin on this thread). */
static HostProc *
pool_acquire (MvPluginProcessPool *pool,
	      const gchar *method_name,
	      gboolean reentrant,
	      gint64 deadline_us,
	      GError **error)
{
	g_mutex_lock (&pool->lock);
	for (;;) {
		gint64 now = g_get_monotonic_time ();
		gint64 wake = deadline_us;
		HostProc *proc;
		g_autoptr (GError) error_local = NULL;

		if (pool->disabled || pool->stopping) {
			if (pool->disabled)
				set_disabled_error (pool, error);
			else
				mv_set_error_bilingual_printf (error, MV_ERROR_UNAVAILABLE,
							       "the daemon is shutting down",
							       "守护进程正在关闭");
			g_mutex_unlock (&pool->lock);
			return NULL;
		}
		proc = pool_find (pool, PROC_IDLE);
		if (proc != NULL && subprocess_gone (proc->subprocess)) {
			/* it died between calls (a plugin's own thread, the OOM killer): no call
			 * is lost, but it counts as a crash */
			g_autofree gchar *how = proc_reap (proc, 0);
			g_warning ("plugin %s: host process %s died while idle: %s; restarting it",
				   pool->name, proc->pid, how);
			proc_stopped_locked (pool, proc, TRUE);
			continue;
		}
		if (proc != NULL) {
			proc->state = PROC_BUSY;
			g_mutex_unlock (&pool->lock);
			return proc;
		}
		proc = pool_startable (pool, now, &wake);
		if (proc != NULL) {
			gboolean started;
			proc->state = PROC_STARTING;
			g_mutex_unlock (&pool->lock);
			started = proc_start (pool, proc, &error_local);
			g_mutex_lock (&pool->lock);
			if (started) {
				g_message ("plugin %s: host process %s started", pool->name,
					   proc->pid);
				proc->state = PROC_BUSY;
				g_mutex_unlock (&pool->lock);
				return proc;
			}
			g_warning ("plugin %s: restart failed: %s", pool->name,
				   error_local->message);
			proc_stopped_locked (pool, proc, TRUE);
			continue;
		}
		if (reentrant) {
			/* every process that could serve it waits for this very call: waiting
			 * would only end at the deadline */
			g_mutex_unlock (&pool->lock);
			mv_set_error_bilingual_printf (
				error, MV_ERROR_FAILED,
				"plugin %s: calling %s.%s from within its own call would wait for "
				"itself: all %u of its host processes are busy in this call chain "
				"(see [plugin.%s] processes)",
				"插件 %s：在自身的调用中调用 %s.%s 会等待自己：它的 %u 个宿主进程都"
				"在本调用链中忙碌（见 [plugin.%s] processes）",
				pool->name, pool->name, method_name, pool->config.processes,
				pool->name);
			return NULL;
		}
		if (now >= deadline_us) {
			g_mutex_unlock (&pool->lock);
			mv_set_error_bilingual_printf (
				error, MV_ERROR_TIMED_OUT,
				"plugin %s: waited for a free host process past the time limit and "
				"was not started; the plugin is busy, retry later",
				"插件 %s：等待空闲宿主进程超过了时间限制，未能开始执行；插件正忙，"
				"请稍后重试",
				pool->name);
			return NULL;
		}
		g_cond_wait_until (&pool->cond, &pool->lock, wake);
	}
}

static void
pool_release (MvPluginProcessPool *pool, HostProc *proc)
{
	g_mutex_lock (&pool->lock);
	proc->state = PROC_IDLE;
	g_cond_broadcast (&pool->cond);
	g_mutex_unlock (&pool->lock);
}

/* INVOKE from the plugin: a nested call of @call, answered with the frame's id. */
static gboolean
answer_invoke (MvPluginProcessPool *pool,
	       HostProc *proc,
	       MvCall *call,
	       const MvHostFrame *frame,
	       gint64 deadline_us,
	       GError **error)
{
	const gchar *plugin, *method;
	g_autoptr (GVariant) input = NULL;
	g_autoptr (GVariant) output = NULL;
	g_autoptr (GError) invoke_error = NULL;

	g_variant_get (frame->payload, "(&s&sv)", &plugin, &method, &input);
	if (call->depth + 1 >= MV_CALL_MAX_DEPTH)
		g_set_error (&invoke_error, MV_ERROR, MV_ERROR_FAILED,
			     "plugin %s: calling %s.%s would nest plugin calls deeper than the "
			     "limit of %u",
			     pool->name, plugin, method, (guint)MV_CALL_MAX_DEPTH);
	else
		output = pool->invoke (call, plugin, method, input, &invoke_error);
	if (output != NULL)
		return mv_host_channel_write_until (proc->fd, deadline_us,
						    MV_HOST_FRAME_INVOKE_RESULT, frame->id,
						    g_variant_new ("(v)", output), error);
	return mv_host_channel_write_until (proc->fd, deadline_us, MV_HOST_FRAME_ERROR, frame->id,
					    mv_host_error_to_payload (invoke_error), error);
}

static gboolean
channel_timed_out (const GError *error)
{
	return g_error_matches (error, MV_HOST_CHANNEL_ERROR, MV_HOST_CHANNEL_ERROR_TIMED_OUT);
}

typedef enum {
	EXCHANGE_ANSWERED, /* RESULT or ERROR: *output or *plugin_error set */
	EXCHANGE_BROKEN,   /* the host died or broke the protocol: @error says how */
	EXCHANGE_TIMED_OUT,
} ExchangeEnd;

static ExchangeEnd
exchange (MvPluginProcessPool *pool,
	  HostProc *proc,
	  MvCall *call,
	  const MvMethod *method,
	  GVariant *input,
	  gint64 deadline_us,
	  GVariant **output,
	  GError **plugin_error,
	  GError **error)
{
	guint32 id = ++proc->next_id;
	GVariant *payload = g_variant_new ("(ssvssus)", method->name, "", input, call->request_id,
					   call->clinic_id != NULL ? call->clinic_id : "",
					   (guint32)call->role, call->locale);

	if (!mv_host_channel_write_until (proc->fd, deadline_us, MV_HOST_FRAME_CALL, id, payload,
					  error))
		return channel_timed_out (*error) ? EXCHANGE_TIMED_OUT : EXCHANGE_BROKEN;
	for (;;) {
		g_auto (MvHostFrame) frame = { 0 };
		g_autoptr (GError) error_local = NULL;

		if (!read_answer (pool, proc, deadline_us, &frame, &error_local)) {
			gboolean timed_out = g_error_matches (error_local, MV_HOST_CHANNEL_ERROR,
							      MV_HOST_CHANNEL_ERROR_TIMED_OUT);
			g_propagate_error (error, g_steal_pointer (&error_local));
			return timed_out ? EXCHANGE_TIMED_OUT : EXCHANGE_BROKEN;
		}
		if (frame.id != id) {
			g_set_error (error, MV_HOST_CHANNEL_ERROR, MV_HOST_CHANNEL_ERROR_MALFORMED,
				     "frame of kind %u for call %u during call %u", frame.kind,
				     frame.id, id);
			return EXCHANGE_BROKEN;
		}
		switch (frame.kind) {
		case MV_HOST_FRAME_RESULT:
			g_variant_get (frame.payload, "(v)", output);
			return EXCHANGE_ANSWERED;
		case MV_HOST_FRAME_ERROR:
			*plugin_error = mv_host_error_from_payload (frame.payload);
			return EXCHANGE_ANSWERED;
		case MV_HOST_FRAME_INVOKE:
			if (!answer_invoke (pool, proc, call, &frame, deadline_us, error))
				return channel_timed_out (*error) ? EXCHANGE_TIMED_OUT
								  : EXCHANGE_BROKEN;
			break;
		default:
			g_set_error (error, MV_HOST_CHANNEL_ERROR, MV_HOST_CHANNEL_ERROR_MALFORMED,
				     "frame of kind %u during a call", frame.kind);
			return EXCHANGE_BROKEN;
		}
	}
}

/* Per thread, how many of its calls into each pool are running: a nested call (INVOKE) runs
 * on the thread of the call that made it, so a plugin calling itself shows up here. */
static GPrivate held_pools = G_PRIVATE_INIT ((GDestroyNotify)g_hash_table_unref);

static guint
held_by_this_thread (MvPluginProcessPool *pool, gint change)
{
	GHashTable *held = g_private_get (&held_pools);
	guint n;

	if (held == NULL) {
		held = g_hash_table_new (NULL, NULL);
		g_private_set (&held_pools, held);
	}
	n = GPOINTER_TO_UINT (g_hash_table_lookup (held, pool)) + (guint)change;
	if (change == 0)
		return n;
	if (n == 0)
		g_hash_table_remove (held, pool);
	else
		g_hash_table_insert (held, pool, GUINT_TO_POINTER (n));
	return n;
}

static gboolean
channel_closed (const GError *error)
{
	return error->domain == MV_HOST_CHANNEL_ERROR
	       && (error->code == MV_HOST_CHANNEL_ERROR_CLOSED
		   || error->code == MV_HOST_CHANNEL_ERROR_TRUNCATED
		   || error->code == MV_HOST_CHANNEL_ERROR_IO);
}

GVariant *
mv_plugin_process_pool_call (MvPluginProcessPool *pool,
			     MvCall *call,
			     const MvMethod *method,
			     GVariant *input,
			     gint64 deadline_us,
			     guint timeout_ms,
			     GError **error)
{
	HostProc *proc;
	GVariant *output = NULL;
	GError *plugin_error = NULL;
	g_autoptr (GError) broken = NULL;
	g_autofree gchar *how = NULL;
	ExchangeEnd end;

	if (!mv_call_check_input (call, method, input, error))
		return NULL;
	proc = pool_acquire (pool, method->name, held_by_this_thread (pool, 0) > 0, deadline_us,
			     error);
	if (proc == NULL)
		return NULL;
	/* while it runs, a nested call into this plugin on this thread is re-entrant */
	held_by_this_thread (pool, +1);
	end = exchange (pool, proc, call, method, input, deadline_us, &output, &plugin_error,
			&broken);
	held_by_this_thread (pool, -1);
	if (end == EXCHANGE_ANSWERED) {
		pool_release (pool, proc);
		/* the host ran mv_call_run() already, but it is the plugin's process: what it
		 * says is checked again here */
		return mv_call_check_output (call, method, output, plugin_error, error);
	}
	if (end == EXCHANGE_TIMED_OUT) {
		/* a handler that does not return cannot be cancelled otherwise */
		how = proc_reap (proc, 0);
		g_warning ("[%s] plugin %s: %s exceeded its time limit of %u ms; host process %s "
			   "killed (SIGKILL) and replaced",
			   call->request_id, pool->name, method->name, timeout_ms, proc->pid);
		g_mutex_lock (&pool->lock);
		proc_stopped_locked (pool, proc, FALSE);
		g_mutex_unlock (&pool->lock);
		mv_set_error_bilingual_printf (error, MV_ERROR_TIMED_OUT,
					       "plugin %s: %s exceeded its time limit of %u ms",
					       "插件 %s：%s 超过了 %u 毫秒的时间限制", pool->name,
					       method->name, timeout_ms);
		return NULL;
	}
	/* a host that closed its channel is dying: it gets the grace to die of its own signal;
	 * one that wrote a bad frame is alive and broken, and killed at once */
	how = proc_reap (proc, channel_closed (broken) ? REAP_GRACE_US : 0);
	g_warning ("[%s] plugin %s: host process %s died during method %s, request id %s: %s "
		   "(%s); restarting it",
		   call->request_id, pool->name, proc->pid, method->name, call->request_id, how,
		   broken->message);
	g_mutex_lock (&pool->lock);
	proc_stopped_locked (pool, proc, TRUE);
	g_mutex_unlock (&pool->lock);
	mv_set_error_bilingual_printf (
		error, MV_ERROR_PLUGIN_CRASHED,
		"plugin %s: its process died during %s (%s); the call was "
		"lost, retry",
		"插件 %s：其进程在执行 %s 时崩溃（%s）；本次调用已丢失，请重试", pool->name,
		method->name, how);
	return NULL;
}

MvPluginProcessPool *
mv_plugin_process_pool_new (const gchar *host_path,
			    const gchar *plugin_path,
			    const MvIsolationConfig *config,
			    guint start_timeout_ms,
			    MvPluginProcessInvoke invoke,
			    GError **error)
{
	g_autoptr (MvPluginProcessPool) pool = g_new0 (MvPluginProcessPool, 1);
	HostProc *first;

	pool->host_path = g_strdup (host_path);
	pool->plugin_path = g_strdup (plugin_path);
	pool->name = g_path_get_basename (plugin_path); /* the file's stem until HELLO names it */
	if (g_str_has_suffix (pool->name, ".so"))
		pool->name[strlen (pool->name) - strlen (".so")] = '\0';
	pool->log_domain = g_strdup ("plugin");
	pool->config = *config;
	pool->protected_paths = g_strdupv ((gchar **)config->protected_paths);
	pool->config.protected_paths = (const gchar *const *)pool->protected_paths;
	pool->config.processes = MAX (pool->config.processes, 1);
	pool->start_timeout_ms = start_timeout_ms;
	pool->invoke = invoke;
	g_mutex_init (&pool->lock);
	g_cond_init (&pool->cond);
	pool->crashes = g_array_new (FALSE, FALSE, sizeof (gint64));
	pool->procs = g_new0 (HostProc, pool->config.processes);
	for (guint i = 0; i < pool->config.processes; i++) {
		pool->procs[i].index = i;
		pool->procs[i].fd = -1;
	}
	first = &pool->procs[0];
	first->state = PROC_STARTING;
	if (!proc_start (pool, first, error))
		return NULL;
	pool->proxy = mv_plugin_proxy_new (pool->hello, error);
	if (pool->proxy == NULL)
		return NULL;
	g_free (pool->name);
	g_free (pool->log_domain);
	pool->name = g_strdup (mv_plugin_proxy_get_info (pool->proxy)->name);
	pool->log_domain = g_strdup_printf ("plugin-%s", pool->name);
	return g_steal_pointer (&pool);
}

const MvPluginInfo *
mv_plugin_process_pool_get_info (MvPluginProcessPool *pool)
{
	return mv_plugin_proxy_get_info (pool->proxy);
}

/* What the host may read: @data_dir, and the absolute paths among the plugin's configuration
 * values (the operator's grant: a rules file kept elsewhere).  Each goes through the protected
 * rule (docs/sandbox.md): resolved, and refused if it is, holds or lies within the daemon's
 * state directory or key files.  A refused data directory fails the plugin's start (it could
 * not read its own data anyway, and the operator learns at start); a refused config value is
 * left out with one warning. */
static gboolean
pool_set_grants (MvPluginProcessPool *pool,
		 const gchar *data_dir,
		 GHashTable *config,
		 GError **error)
{
	const gchar *const *guarded = (const gchar *const *)pool->protected_paths;
	g_autofree gchar *resolved = mv_sandbox_resolve_path (data_dir);
	const gchar *hit = mv_sandbox_path_protected (resolved, guarded);
	g_autoptr (GPtrArray) granted = g_ptr_array_new_with_free_func (g_free);
	GHashTableIter iter;
	gpointer key, value;

	if (hit != NULL) {
		g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
			     "[plugin.%s] data-dir: not granting %s (%s): it is, holds or lies "
			     "within %s, the daemon's own; point it at the plugin's data",
			     pool->name, data_dir, resolved, hit);
		return FALSE;
	}
	g_hash_table_iter_init (&iter, config);
	while (g_hash_table_iter_next (&iter, &key, &value)) {
		g_autofree gchar *path = NULL;

		/* the daemon's own keys (data-dir, isolation, limits) are not the plugin's */
		if (!g_path_is_absolute (value) || mv_plugin_config_key_is_reserved (key))
			continue;
		path = mv_sandbox_resolve_path (value);
		hit = mv_sandbox_path_protected (path, guarded);
		if (hit != NULL)
			g_warning (
				"plugin %s: not granting the configured path %s (key %s): it is, "
				"holds or lies within %s, the daemon's own",
				pool->name, path, (const gchar *)key, hit);
		else
			g_ptr_array_add (granted, g_steal_pointer (&path));
	}
	g_ptr_array_add (granted, NULL);
	pool->data_dir = g_steal_pointer (&resolved);
	pool->read_paths = (gchar **)g_ptr_array_free (g_steal_pointer (&granted), FALSE);
	return TRUE;
}

/* Ends the process that only said HELLO: SHUTDOWN, then it exits (killed past the grace). */
static void
proc_stop_probe (MvPluginProcessPool *pool, HostProc *proc, gint64 deadline_us)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *how = NULL;

	if (!mv_host_channel_write_until (proc->fd, deadline_us, MV_HOST_FRAME_SHUTDOWN, 0,
					  g_variant_new ("()"), &error))
		g_debug ("plugin %s: SHUTDOWN not sent: %s", pool->name, error->message);
	how = proc_reap (proc, REAP_GRACE_US);
	g_debug ("plugin %s: first host process %s %s", pool->name, proc->pid, how);
	/* its next start is the first with the grants, not a restart */
	proc->started_us = 0;
}

gboolean
mv_plugin_process_pool_init (MvPluginProcessPool *pool,
			     const gchar *data_dir,
			     GHashTable *config,
			     GError **error)
{
	GVariantBuilder table;
	GHashTableIter iter;
	gpointer key, value;
	gint64 deadline = g_get_monotonic_time () + (gint64)pool->start_timeout_ms * 1000;

	if (!pool_set_grants (pool, data_dir, config, error))
		return FALSE;
	g_variant_builder_init (&table, G_VARIANT_TYPE ("a{ss}"));
	g_hash_table_iter_init (&iter, config);
	while (g_hash_table_iter_next (&iter, &key, &value))
		if (!mv_plugin_config_key_is_reserved (key))
			g_variant_builder_add (&table, "{ss}", key, value);
	pool->init = g_variant_ref_sink (
		g_variant_new ("(s@a{ss})", data_dir, g_variant_builder_end (&table)));
	/* the first process only said HELLO, sandboxed with nothing to read: it is started again
	 * with the plugin's grants */
	proc_stop_probe (pool, &pool->procs[0], deadline);
	for (guint i = 0; i < pool->config.processes; i++) {
		pool->procs[i].state = PROC_STARTING;
		if (!proc_start (pool, &pool->procs[i], error))
			return FALSE;
		pool->procs[i].state = PROC_IDLE;
	}
	return TRUE;
}

guint
mv_plugin_process_pool_get_processes (MvPluginProcessPool *pool)
{
	return pool->config.processes;
}

guint
mv_plugin_process_pool_count_running (MvPluginProcessPool *pool)
{
	guint n = 0;

	g_mutex_lock (&pool->lock);
	for (guint i = 0; i < pool->config.processes; i++)
		n += pool->procs[i].state == PROC_IDLE || pool->procs[i].state == PROC_BUSY;
	g_mutex_unlock (&pool->lock);
	return n;
}

void
mv_plugin_process_pool_set_metrics (MvPluginProcessPool *pool, MvPluginMetrics *metrics)
{
	pool->metrics = metrics;
}

GArray *
mv_plugin_process_pool_list_pids (MvPluginProcessPool *pool)
{
	GArray *pids = g_array_new (FALSE, FALSE, sizeof (GPid));

	g_mutex_lock (&pool->lock);
	for (guint i = 0; i < pool->config.processes; i++) {
		GPid pid;
		if (pool->procs[i].state != PROC_IDLE && pool->procs[i].state != PROC_BUSY)
			continue;
		pid = (GPid)g_ascii_strtoll (pool->procs[i].pid, NULL, 10);
		if (pid > 0)
			g_array_append_val (pids, pid);
	}
	g_mutex_unlock (&pool->lock);
	return pids;
}

gboolean
mv_plugin_process_pool_is_disabled (MvPluginProcessPool *pool)
{
	gboolean disabled;

	g_mutex_lock (&pool->lock);
	disabled = pool->disabled;
	g_mutex_unlock (&pool->lock);
	return disabled;
}

gboolean
mv_plugin_process_pool_enable (MvPluginProcessPool *pool)
{
	gboolean was;

	g_mutex_lock (&pool->lock);
	was = pool->disabled;
	pool->disabled = FALSE;
	g_array_set_size (pool->crashes, 0);
	for (guint i = 0; i < pool->config.processes; i++) {
		pool->procs[i].backoff_ms = 0;
		pool->procs[i].restart_at_us = 0;
		if (pool->procs[i].state == PROC_STOPPED)
			schedule_restart_locked (pool, &pool->procs[i]);
	}
	g_cond_broadcast (&pool->cond);
	g_mutex_unlock (&pool->lock);
	if (was)
		g_message ("plugin %s re-enabled by the operator", pool->name);
	return was;
}

void
mv_plugin_process_pool_shutdown (MvPluginProcessPool *pool, gint64 deadline_us)
{
	g_mutex_lock (&pool->lock);
	pool->stopping = TRUE;
	g_cond_broadcast (&pool->cond);
	/* a restart under way finishes first (at most a start's time limit) */
	while (pool->restarts > 0)
		g_cond_wait (&pool->cond, &pool->lock);
	for (guint i = 0; i < pool->config.processes; i++) {
		HostProc *proc = &pool->procs[i];
		g_autoptr (GError) error = NULL;
		if (proc->state == PROC_IDLE
		    && !mv_host_channel_write_until (proc->fd, deadline_us, MV_HOST_FRAME_SHUTDOWN,
						     0, g_variant_new ("()"), &error))
			g_debug ("plugin %s: SHUTDOWN not sent: %s", pool->name, error->message);
	}
	for (guint i = 0; i < pool->config.processes; i++) {
		HostProc *proc = &pool->procs[i];
		gint64 grace = MAX (deadline_us - g_get_monotonic_time (), 0);
		g_autofree gchar *how = NULL;

		if (proc->subprocess == NULL || proc->state == PROC_STARTING)
			continue;
		/* a busy one is in a call the engine gave up waiting for: its worker owns the
		 * channel and reaps it when the channel closes */
		if (proc->state == PROC_BUSY) {
			g_subprocess_force_exit (proc->subprocess);
			continue;
		}
		how = proc_reap (proc, grace);
		g_debug ("plugin %s: host process %s %s", pool->name, proc->pid, how);
		proc->state = PROC_STOPPED;
	}
	g_mutex_unlock (&pool->lock);
}

void
mv_plugin_process_pool_free (MvPluginProcessPool *pool)
{
	if (pool == NULL)
		return;
	g_mutex_lock (&pool->lock);
	pool->stopping = TRUE;
	g_cond_broadcast (&pool->cond);
	while (pool->restarts > 0)
		g_cond_wait (&pool->cond, &pool->lock);
	g_mutex_unlock (&pool->lock);
	for (guint i = 0; pool->procs != NULL && i < pool->config.processes; i++) {
		g_autofree gchar *how = proc_reap (&pool->procs[i], 0);
	}
	g_free (pool->procs);
	g_clear_pointer (&pool->proxy, mv_plugin_proxy_free);
	g_clear_pointer (&pool->hello, g_variant_unref);
	g_clear_pointer (&pool->init, g_variant_unref);
	g_strfreev (pool->protected_paths);
	g_free (pool->data_dir);
	g_strfreev (pool->read_paths);
	g_clear_pointer (&pool->crashes, g_array_unref);
	g_mutex_clear (&pool->lock);
	g_cond_clear (&pool->cond);
	g_free (pool->host_path);
	g_free (pool->plugin_path);
	g_free (pool->name);
	g_free (pool->log_domain);
	g_free (pool);
}
