/*
 * The plugin host's sandbox (docs/sandbox.md): fds, prctl, rlimits, Landlock, seccomp.
 *
 * Every layer is applied to the calling process and cannot be undone, before the plugin's .so
 * is loaded (its constructors run at dlopen).  The order matters: no-new-privs first (Landlock and
 * seccomp need it when unprivileged), the rlimits before Landlock (so the few descriptors Landlock
 * opens count against the new limit and a too small one fails here, not later in the plugin),
 * seccomp last (it refuses nothing the earlier layers need, but being last means a failure of the
 * others is never masked by it).
 */
#define G_LOG_DOMAIN "mv-sandbox"

#include "mv-sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <link.h>
#include <linux/capability.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mv-sandbox-paths.h"

#if defined(__SANITIZE_ADDRESS__)
#define MV_SANDBOX_ASAN TRUE
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MV_SANDBOX_ASAN TRUE
#endif
#endif
#ifndef MV_SANDBOX_ASAN
#define MV_SANDBOX_ASAN FALSE
#endif

/* Landlock's UAPI, spelled out here: Debian 12's linux-libc-dev stops at ABI 2, the kernels it
 * runs on go further, and the values are a stable ABI. */
#define MV_LL_CREATE_RULESET_VERSION (1U << 0)
#define MV_LL_RULE_PATH_BENEATH 1
#define MV_LL_FS_EXECUTE (1ULL << 0)
#define MV_LL_FS_READ_FILE (1ULL << 2)
#define MV_LL_FS_READ_DIR (1ULL << 3)
#define MV_LL_FS_ABI1_ALL ((1ULL << 13) - 1)  /* execute .. make_sym */
#define MV_LL_FS_REFER (1ULL << 13)	      /* ABI 2 */
#define MV_LL_FS_TRUNCATE (1ULL << 14)	      /* ABI 3 */
#define MV_LL_FS_IOCTL_DEV (1ULL << 15)	      /* ABI 5 */
#define MV_LL_NET_BIND_TCP (1ULL << 0)	      /* ABI 4 */
#define MV_LL_NET_CONNECT_TCP (1ULL << 1)     /* ABI 4 */
#define MV_LL_SCOPE_ABSTRACT_UNIX (1ULL << 0) /* ABI 6 */
#define MV_LL_SCOPE_SIGNAL (1ULL << 1)	      /* ABI 6 */

typedef struct {
	guint64 handled_access_fs;
	guint64 handled_access_net;
	guint64 scoped;
} MvLandlockRulesetAttr;

typedef struct __attribute__ ((packed)) {
	guint64 allowed_access;
	gint32 parent_fd;
} MvLandlockPathBeneathAttr;

/* Where the dynamic loader finds the plugin's libraries (the sandbox is in force before the
 * plugin is loaded) and where GLib loads its own late (gconv modules, the locale archive, GIO
 * modules): read and execute.  /usr/lib holds the multiarch directory (/usr/lib/<triplet>). */
static const gchar *const sandbox_library_paths[] = {
	"/lib", "/lib64", "/usr/lib", "/usr/lib64", NULL,
};

/* What a plugin still reads besides its data directory and the libraries: time zones
 * (GDateTime), message catalogues (gettext), the loader cache (dlopen by soname), and the
 * random devices GRand reads.  Nothing under /etc but the two files named, nothing under
 * /var, /run, /home, /proc or /sys. */
static const gchar *const sandbox_system_paths[] = {
	"/usr/share/zoneinfo", "/usr/share/locale", "/etc/localtime", "/etc/ld.so.cache",
	"/dev/null",	       "/dev/urandom",	    "/dev/random",    NULL,
};

static gboolean
set_errno_error (GError **error, int errsv, const gchar *layer, const gchar *what)
{
	g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "sandbox %s: %s: %s", layer,
		     what, g_strerror (errsv));
	return FALSE;
}

/* Closes every descriptor above 2 but @keep: a plugin must not inherit the daemon's database
 * connections, its listening sockets or an open key file by accident of the spawn. */
static gboolean
sandbox_close_fds (int keep, GError **error)
{
	unsigned int first = 3;

	if (keep > 3 && close_range (3, (unsigned int)keep - 1, 0) != 0)
		return set_errno_error (error, errno, "fds", "close_range");
	if (keep >= 3)
		first = (unsigned int)keep + 1;
	if (close_range (first, ~0U, 0) == 0)
		return TRUE;
	if (errno != ENOSYS)
		return set_errno_error (error, errno, "fds", "close_range");
	/* kernels before 5.9: the slow way, up to the descriptor limit */
	for (long fd = first; fd < sysconf (_SC_OPEN_MAX); fd++)
		close ((int)fd);
	return TRUE;
}

static gboolean
sandbox_prctl (GError **error)
{
	/* no setuid binary, file capability or LSM transition can raise what the plugin may do,
	 * and Landlock and seccomp accept an unprivileged caller */
	if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return set_errno_error (error, errno, "prctl", "PR_SET_NO_NEW_PRIVS");
	/* no core file with patient data in it, and no same-user process may ptrace it or read
	 * its /proc/PID/mem */
	if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		return set_errno_error (error, errno, "prctl", "PR_SET_DUMPABLE");
	/* a host outlives no daemon, even one killed with SIGKILL (seccomp below keeps the plugin
	 * from undoing it) */
	if (prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
		return set_errno_error (error, errno, "prctl", "PR_SET_PDEATHSIG");
	return TRUE;
}

/* Drops every capability: a daemon run as root (the dev setup) would hand its hosts a full
 * set, and CAP_DAC_OVERRIDE alone reads any file where Landlock is absent, CAP_SYS_ADMIN
 * reaches ioctls and more.  The bounding set first (that needs CAP_SETPCAP, so before capset;
 * without it nothing can be held to drop), the ambient set, then the process's own sets. */
static gboolean
sandbox_drop_caps (GString *report, GError **error)
{
	struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };
	guint held = 0;

	if (syscall (SYS_capget, &header, data) != 0)
		return set_errno_error (error, errno, "capabilities", "capget");
	held = (guint)__builtin_popcount (data[0].permitted)
	       + (guint)__builtin_popcount (data[1].permitted);
	if (data[0].effective & (1U << CAP_SETPCAP)) {
		for (int cap = 0; cap <= 63; cap++) {
			int in_set = prctl (PR_CAPBSET_READ, cap, 0, 0, 0);
			if (in_set < 0)
				break; /* past the kernel's last capability */
			if (in_set == 1 && prctl (PR_CAPBSET_DROP, cap, 0, 0, 0) != 0)
				return set_errno_error (error, errno, "capabilities",
							"PR_CAPBSET_DROP");
		}
	}
	if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
		return set_errno_error (error, errno, "capabilities", "PR_CAP_AMBIENT_CLEAR_ALL");
	memset (data, 0, sizeof data);
	if (syscall (SYS_capset, &header, data) != 0)
		return set_errno_error (error, errno, "capabilities", "capset");
	if (held > 0)
		g_string_append_printf (report, ", %u capabilities dropped", held);
	else
		g_string_append (report, ", no capabilities");
	return TRUE;
}

/* Lowers @resource to @soft/@hard; a hard limit already lower is kept (raising it needs a
 * privilege the host should not have). */
static gboolean
sandbox_set_limit (int resource, const gchar *name, guint64 soft, guint64 hard, GError **error)
{
	struct rlimit lim;

	if (getrlimit (resource, &lim) != 0)
		return set_errno_error (error, errno, "rlimit", name);
	if (lim.rlim_max != RLIM_INFINITY && (guint64)lim.rlim_max < hard)
		hard = lim.rlim_max;
	lim.rlim_max = (rlim_t)hard;
	lim.rlim_cur = (rlim_t)MIN (soft, hard);
	if (setrlimit (resource, &lim) != 0)
		return set_errno_error (error, errno, "rlimit", name);
	return TRUE;
}

static gboolean
sandbox_rlimits (const MvSandboxPolicy *policy, GString *report, GError **error)
{
	/* a core file of a plugin holds the patient data it was given; not dumpable already
	 * stops it, this covers a core_pattern that ignores that */
	if (!sandbox_set_limit (RLIMIT_CORE, "RLIMIT_CORE", 0, 0, error))
		return FALSE;
	g_string_append (report, ", rlimits CORE=0");
	if (policy->memory_bytes > 0 && MV_SANDBOX_ASAN) {
		/* ASan's shadow memory is terabytes of address space: under any RLIMIT_AS its next
		 * mmap fails and it aborts.  Sanitizer builds are for tests, never shipped. */
		g_string_append (report, " AS=unset (AddressSanitizer build)");
	} else if (policy->memory_bytes > 0) {
		if (!sandbox_set_limit (RLIMIT_AS, "RLIMIT_AS", policy->memory_bytes,
					policy->memory_bytes, error))
			return FALSE;
		g_string_append_printf (report, " AS=%" G_GUINT64_FORMAT "MiB",
					policy->memory_bytes / (1024 * 1024));
	}
	if (policy->cpu_seconds > 0) {
		/* SIGXCPU at the soft limit; the hard one's SIGKILL a second later ends a plugin
		 * that caught SIGXCPU */
		if (!sandbox_set_limit (RLIMIT_CPU, "RLIMIT_CPU", policy->cpu_seconds,
					policy->cpu_seconds + 1, error))
			return FALSE;
		g_string_append_printf (report, " CPU=%" G_GUINT64_FORMAT "s", policy->cpu_seconds);
	}
	if (policy->max_files > 0) {
		if (policy->max_files < 8) {
			g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				     "sandbox rlimit: RLIMIT_NOFILE %" G_GUINT64_FORMAT
				     " is below 8, too few for the host itself",
				     policy->max_files);
			return FALSE;
		}
		if (!sandbox_set_limit (RLIMIT_NOFILE, "RLIMIT_NOFILE", policy->max_files,
					policy->max_files, error))
			return FALSE;
		g_string_append_printf (report, " NOFILE=%" G_GUINT64_FORMAT, policy->max_files);
	}
	/* RLIMIT_NPROC is not set: it counts every process and thread of the user (the daemon's
	 * workers and every other host), so no value both allows the plugin's threads and stops
	 * a fork; seccomp refuses fork outright instead (docs/sandbox.md). */
	return TRUE;
}

/* @errsv: why there is none: ENOSYS (not built in), EOPNOTSUPP (not enabled at boot), EPERM
 * (a seccomp filter above us refuses the call: systemd's SystemCallFilter=@system-service does
 * in systemd 252, hence the unit's explicit allowance) */
static gint
sandbox_landlock_probe (int *errsv)
{
	long abi = syscall (SYS_landlock_create_ruleset, NULL, 0, MV_LL_CREATE_RULESET_VERSION);

	*errsv = abi > 0 ? 0 : errno;
	return abi > 0 ? (gint)abi : 0;
}

gint
mv_sandbox_landlock_abi (void)
{
	int errsv;

	return sandbox_landlock_probe (&errsv);
}

/* How many threads the process runs, from /proc; 1 when /proc cannot tell. */
static guint
sandbox_thread_count (void)
{
	g_autofree gchar *status = NULL;
	const gchar *line;

	if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
		return 1;
	line = strstr (status, "\nThreads:");
	if (line == NULL)
		return 1;
	return (guint)g_ascii_strtoull (line + strlen ("\nThreads:"), NULL, 10);
}

/* Allows @access beneath @path (a directory) or on it (a file: the directory rights are
 * dropped, Landlock refuses them on a file).  A path that does not exist is skipped. */
static gboolean
sandbox_landlock_allow (
	int ruleset, const gchar *path, guint64 access, guint *n_rules, GError **error)
{
	MvLandlockPathBeneathAttr rule = { 0 };
	struct stat st;
	int fd = open (path, O_PATH | O_CLOEXEC);
	int errsv;
	long ret;

	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR
			       ? TRUE
			       : set_errno_error (error, errno, "landlock", path);
	if (fstat (fd, &st) == 0 && !S_ISDIR (st.st_mode))
		access &= MV_LL_FS_READ_FILE | MV_LL_FS_EXECUTE;
	rule.allowed_access = access;
	rule.parent_fd = fd;
	ret = syscall (SYS_landlock_add_rule, ruleset, MV_LL_RULE_PATH_BENEATH, &rule, 0);
	errsv = errno;
	close (fd);
	if (ret != 0)
		return set_errno_error (error, errsv, "landlock", path);
	(*n_rules)++;
	return TRUE;
}

/* The daemon never passes a grant that is, holds or lies within a protected path (its state
 * directory, its keys); checked again here, after the links are resolved, so a mistake there
 * cannot open master.key. */
static gboolean
sandbox_check_grant (const MvSandboxPolicy *policy, const gchar *path, GError **error)
{
	g_autofree gchar *resolved = mv_sandbox_resolve_path (path);
	const gchar *guarded = mv_sandbox_path_protected (resolved, policy->protected_paths);

	if (guarded == NULL)
		return TRUE;
	g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
		     "sandbox landlock: not granting %s (%s): it is, holds or lies within the "
		     "protected path %s",
		     path, resolved, guarded);
	return FALSE;
}

static gboolean
sandbox_landlock_rules (int ruleset, const MvSandboxPolicy *policy, guint *n_rules, GError **error)
{
	const guint64 read = MV_LL_FS_READ_FILE | MV_LL_FS_READ_DIR;
	const guint64 load = read | MV_LL_FS_EXECUTE;

	/* the dynamic loader reads and maps the plugin and the libraries it needs */
	if (policy->plugin_path != NULL
	    && !sandbox_landlock_allow (ruleset, policy->plugin_path, load, n_rules, error))
		return FALSE;
	for (guint i = 0; policy->library_dirs != NULL && policy->library_dirs[i] != NULL; i++) {
		if (!sandbox_landlock_allow (ruleset, policy->library_dirs[i], load, n_rules,
					     error))
			return FALSE;
	}
	for (guint i = 0; sandbox_library_paths[i] != NULL; i++) {
		if (!sandbox_landlock_allow (ruleset, sandbox_library_paths[i], load, n_rules,
					     error))
			return FALSE;
	}
	if (policy->data_dir != NULL
	    && !sandbox_landlock_allow (ruleset, policy->data_dir, read, n_rules, error))
		return FALSE;
	for (guint i = 0; policy->read_paths != NULL && policy->read_paths[i] != NULL; i++) {
		if (!sandbox_landlock_allow (ruleset, policy->read_paths[i], read, n_rules, error))
			return FALSE;
	}
	for (guint i = 0; sandbox_system_paths[i] != NULL; i++) {
		if (!sandbox_landlock_allow (ruleset, sandbox_system_paths[i], read, n_rules,
					     error))
			return FALSE;
	}
	return TRUE;
}

static gboolean
sandbox_landlock (const MvSandboxPolicy *policy, GString *report, GError **error)
{
	int errsv = 0;
	gint abi = sandbox_landlock_probe (&errsv);
	MvLandlockRulesetAttr attr = { .handled_access_fs = MV_LL_FS_ABI1_ALL };
	gsize attr_size = sizeof (attr.handled_access_fs);
	guint n_rules = 0;
	guint threads;
	int ruleset;
	gboolean ok;

	if (abi == 0) {
		g_string_append_printf (report, ", landlock absent (%s)",
					errsv == EPERM	      ? "refused by a seccomp filter"
					: errsv == EOPNOTSUPP ? "disabled at boot"
							      : "kernel without it");
		return TRUE;
	}
	threads = sandbox_thread_count ();
	if (threads > 1) {
		g_set_error (
			error, G_IO_ERROR, G_IO_ERROR_FAILED,
			"sandbox landlock: %u threads already run, it would bind only this one",
			threads);
		return FALSE;
	}
	/* handle every right the kernel knows, grant only reading: what a new ABI adds is
	 * refused too */
	if (abi >= 2)
		attr.handled_access_fs |= MV_LL_FS_REFER;
	if (abi >= 3)
		attr.handled_access_fs |= MV_LL_FS_TRUNCATE;
	if (abi >= 4) {
		attr.handled_access_net = MV_LL_NET_BIND_TCP | MV_LL_NET_CONNECT_TCP;
		attr_size = G_STRUCT_OFFSET (MvLandlockRulesetAttr, scoped);
	}
	if (abi >= 5)
		attr.handled_access_fs |= MV_LL_FS_IOCTL_DEV;
	if (abi >= 6) {
		attr.scoped = MV_LL_SCOPE_ABSTRACT_UNIX | MV_LL_SCOPE_SIGNAL;
		attr_size = sizeof (attr);
	}
	ruleset = (int)syscall (SYS_landlock_create_ruleset, &attr, attr_size, 0);
	if (ruleset < 0)
		return set_errno_error (error, errno, "landlock", "create_ruleset");
	ok = sandbox_landlock_rules (ruleset, policy, &n_rules, error);
	if (ok && syscall (SYS_landlock_restrict_self, ruleset, 0) != 0)
		ok = set_errno_error (error, errno, "landlock", "restrict_self");
	close (ruleset);
	if (!ok)
		return FALSE;
	g_string_append_printf (report, ", landlock ABI %d (read-only: %u paths%s%s)", abi, n_rules,
				abi >= 4 ? ", no TCP" : "",
				abi >= 6 ? ", signals and abstract sockets scoped" : "");
	return TRUE;
}

/* One refused system call; @op, @arg_* narrow it to calls whose argument @arg matches (op 0:
 * every call). */
typedef struct {
	const gchar *name;
	int errnum;
	unsigned int arg;
	enum scmp_compare op;
	guint64 arg_mask;
	guint64 arg_value;
} MvSandboxDeny;

/* clang-format off */
#define DENY(n) { .name = n, .errnum = EPERM }
/* the call is refused when (argument @a & @bit) == @bit */
#define DENY_ARG(a, n, bit) \
	{ .name = n, .errnum = EPERM, .arg = a, .op = SCMP_CMP_MASKED_EQ, .arg_mask = bit, \
	  .arg_value = bit }
#define DENY_FLAG(n, bit) DENY_ARG (0, n, bit)
/* ioctl request @req: the kernel reads the request as 32 bits, so high bits set cannot slip
 * past */
#define DENY_IOCTL(req) \
	{ .name = "ioctl", .errnum = EPERM, .arg = 1, .op = SCMP_CMP_MASKED_EQ, \
	  .arg_mask = 0xffffffff, .arg_value = req }
/* clang-format on */

/* A deny-list, not an allow-list: the plugin is arbitrary code linked against GLib and
 * whatever libraries it brings, and an allow-list that misses one call GLib makes on some
 * path kills a plugin in production.  What is refused is what crosses the process boundary:
 * new sockets (the channel is inherited), new processes, other processes' memory, the kernel's
 * global state.  EPERM: the plugin sees a failure it can report, and the tests assert it. */
static const MvSandboxDeny sandbox_deny[] = {
	DENY ("socket"),
	DENY ("socketpair"),
	DENY ("connect"),
	DENY ("bind"),
	DENY ("listen"),
	DENY ("accept"),
	DENY ("accept4"),
	DENY ("execve"),
	DENY ("execveat"),
	DENY ("fork"),
	DENY ("vfork"),
	/* a thread is clone with CLONE_THREAD: everything else is a new process */
	{ .name = "clone", .errnum = EPERM, .op = SCMP_CMP_MASKED_EQ, .arg_mask = CLONE_THREAD },
	DENY_FLAG ("clone", CLONE_NEWNS),
	DENY_FLAG ("clone", CLONE_NEWUSER),
	DENY_FLAG ("clone", CLONE_NEWPID),
	DENY_FLAG ("clone", CLONE_NEWNET),
	DENY_FLAG ("clone", CLONE_NEWIPC),
	DENY_FLAG ("clone", CLONE_NEWUTS),
	DENY_FLAG ("clone", CLONE_NEWCGROUP),
	/* clone3 passes its flags in memory seccomp cannot read: ENOSYS makes glibc fall back
	 * to clone, which the rules above inspect */
	{ .name = "clone3", .errnum = ENOSYS },
	DENY ("ptrace"),
	DENY ("process_vm_readv"),
	DENY ("process_vm_writev"),
	DENY ("process_madvise"),
	DENY ("pidfd_open"),
	DENY ("pidfd_getfd"),
	DENY ("pidfd_send_signal"),
	DENY ("kcmp"),
	DENY ("mount"),
	DENY ("umount2"),
	DENY ("pivot_root"),
	DENY ("chroot"),
	DENY ("unshare"),
	DENY ("setns"),
	DENY ("open_tree"),
	DENY ("move_mount"),
	DENY ("fsopen"),
	DENY ("fsconfig"),
	DENY ("fsmount"),
	DENY ("fspick"),
	DENY ("mount_setattr"),
	DENY ("open_by_handle_at"),
	DENY ("name_to_handle_at"),
	DENY ("keyctl"),
	DENY ("add_key"),
	DENY ("request_key"),
	DENY ("bpf"),
	DENY ("perf_event_open"),
	DENY ("init_module"),
	DENY ("finit_module"),
	DENY ("delete_module"),
	DENY ("kexec_load"),
	DENY ("kexec_file_load"),
	DENY ("reboot"),
	DENY ("swapon"),
	DENY ("swapoff"),
	DENY ("acct"),
	/* 0xffffffff only asks for the current persona */
	{ .name = "personality", .errnum = EPERM, .op = SCMP_CMP_NE, .arg_value = 0xffffffff },
	/* io_uring runs connect, openat and more without passing through this filter */
	DENY ("io_uring_setup"),
	DENY ("io_uring_enter"),
	DENY ("io_uring_register"),
	DENY ("userfaultfd"),
	/* the parent-death signal and not-dumpable stay as set */
	{ .name = "prctl", .errnum = EPERM, .op = SCMP_CMP_EQ, .arg_value = PR_SET_PDEATHSIG },
	{ .name = "prctl", .errnum = EPERM, .op = SCMP_CMP_EQ, .arg_value = PR_SET_DUMPABLE },
	/* tkill names a thread of any process; glibc uses tgkill */
	DENY ("tkill"),
	/* typing into a terminal: TIOCSTI pushes characters into the input of the terminal the
	 * host's descriptors might reach (the operator's shell once the daemon exits), TIOCLINUX
	 * does the same through the console's selection.  The host's fds 0-2 are not a terminal
	 * any more (docs/sandbox.md); this refuses it whatever the plugin opens. */
	DENY_IOCTL (TIOCSTI),
	DENY_IOCTL (TIOCLINUX),
	/* No write anywhere, even where Landlock is absent or too old to handle truncate (ABI
	 * < 3, e.g. Debian 12's 6.1 kernel): an open for writing, creating or truncating, and
	 * every call that changes a file's name, mode, owner, times or attributes by path.
	 * Landlock covers some of it; nothing but this covers chmod: a plugin could otherwise
	 * make the daemon's master.key readable to every local user. */
	DENY_ARG (1, "open", O_WRONLY),
	DENY_ARG (1, "open", O_RDWR),
	DENY_ARG (1, "open", O_CREAT),
	DENY_ARG (1, "open", O_TRUNC),
	DENY_ARG (2, "openat", O_WRONLY),
	DENY_ARG (2, "openat", O_RDWR),
	DENY_ARG (2, "openat", O_CREAT),
	DENY_ARG (2, "openat", O_TRUNC),
	/* openat2 passes its flags in memory: ENOSYS, glibc's open does not use it */
	{ .name = "openat2", .errnum = ENOSYS },
	DENY ("creat"),
	DENY ("truncate"),
	DENY ("unlink"),
	DENY ("unlinkat"),
	DENY ("rmdir"),
	DENY ("rename"),
	DENY ("renameat"),
	DENY ("renameat2"),
	DENY ("link"),
	DENY ("linkat"),
	DENY ("symlink"),
	DENY ("symlinkat"),
	DENY ("mkdir"),
	DENY ("mkdirat"),
	DENY ("mknod"),
	DENY ("mknodat"),
	DENY ("chmod"),
	DENY ("fchmod"),
	DENY ("fchmodat"),
	DENY ("chown"),
	DENY ("fchown"),
	DENY ("lchown"),
	DENY ("fchownat"),
	DENY ("utime"),
	DENY ("utimes"),
	DENY ("utimensat"),
	DENY ("futimesat"),
	DENY ("setxattr"),
	DENY ("lsetxattr"),
	DENY ("fsetxattr"),
	DENY ("removexattr"),
	DENY ("lremovexattr"),
	DENY ("fremovexattr"),
};

/* Signals only to itself (raise and abort use tgkill with its own pid): a plugin may not kill
 * the daemon or another host of the same user.  @pid is this process, fixed since it can no
 * longer fork.  The whole 64-bit argument is compared, so high bits the kernel would drop make
 * a call refused, never allowed. */
static int
sandbox_seccomp_signals (scmp_filter_ctx ctx, pid_t pid, guint *n_rules)
{
	const gchar *const own_pid_only[]
		= { "kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo" };

	for (guint i = 0; i < G_N_ELEMENTS (own_pid_only); i++) {
		int nr = seccomp_syscall_resolve_name (own_pid_only[i]);
		int ret;

		if (nr == __NR_SCMP_ERROR)
			continue;
		ret = seccomp_rule_add (ctx, SCMP_ACT_ERRNO (EPERM), nr, 1,
					SCMP_A0 (SCMP_CMP_NE, (scmp_datum_t)pid));
		if (ret < 0)
			return ret;
		(*n_rules)++;
	}
	return 0;
}

static int
sandbox_seccomp_rules (scmp_filter_ctx ctx, guint *n_rules)
{
	int ret;

	/* a foreign syscall ABI (i386 int 0x80, x32) on a 64-bit process is an exploit, not a
	 * plugin's mistake, and the deny-list does not cover its numbers: end the process */
	ret = seccomp_attr_set (ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (ret < 0)
		return ret;
	/* every thread gets the filter; the host is single-threaded, this makes it certain */
	ret = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (ret < 0)
		return ret;
	for (guint i = 0; i < G_N_ELEMENTS (sandbox_deny); i++) {
		const MvSandboxDeny *deny = &sandbox_deny[i];
		int nr = seccomp_syscall_resolve_name (deny->name);

		if (nr == __NR_SCMP_ERROR)
			continue; /* not on this architecture (fork on arm64) */
		if (deny->op == 0)
			ret = seccomp_rule_add (ctx, SCMP_ACT_ERRNO (deny->errnum), nr, 0);
		else if (deny->op == SCMP_CMP_MASKED_EQ)
			ret = seccomp_rule_add (
				ctx, SCMP_ACT_ERRNO (deny->errnum), nr, 1,
				SCMP_CMP (deny->arg, deny->op, deny->arg_mask, deny->arg_value));
		else
			ret = seccomp_rule_add (ctx, SCMP_ACT_ERRNO (deny->errnum), nr, 1,
						SCMP_CMP (deny->arg, deny->op, deny->arg_value));
		if (ret < 0)
			return ret;
		(*n_rules)++;
	}
	ret = sandbox_seccomp_signals (ctx, getpid (), n_rules);
	if (ret < 0)
		return ret;
	return seccomp_load (ctx);
}

static gboolean
sandbox_seccomp (GString *report, GError **error)
{
	scmp_filter_ctx ctx = seccomp_init (SCMP_ACT_ALLOW);
	guint n_rules = 0;
	int ret;

	if (ctx == NULL) {
		g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
				     "sandbox seccomp: seccomp_init failed");
		return FALSE;
	}
	ret = sandbox_seccomp_rules (ctx, &n_rules);
	seccomp_release (ctx);
	if (ret < 0)
		return set_errno_error (error, -ret, "seccomp", "loading the filter");
	g_string_append_printf (report, ", seccomp (%u rules)", n_rules);
	return TRUE;
}

gboolean
mv_sandbox_apply (const MvSandboxPolicy *policy, gchar **report, GError **error)
{
	g_autoptr (GString) line = g_string_new ("fds closed");

	g_return_val_if_fail (policy != NULL, FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	if (!sandbox_close_fds (policy->channel_fd, error))
		return FALSE;
	if (!sandbox_prctl (error))
		return FALSE;
	g_string_append (line, ", no-new-privs, not dumpable, parent-death SIGKILL");
	if (!sandbox_drop_caps (line, error))
		return FALSE;
	if (policy->data_dir != NULL && !sandbox_check_grant (policy, policy->data_dir, error))
		return FALSE;
	for (guint i = 0; policy->read_paths != NULL && policy->read_paths[i] != NULL; i++) {
		if (!sandbox_check_grant (policy, policy->read_paths[i], error))
			return FALSE;
	}
	if (!sandbox_rlimits (policy, line, error))
		return FALSE;
	if (!sandbox_landlock (policy, line, error))
		return FALSE;
	if (!sandbox_seccomp (line, error))
		return FALSE;
	if (report != NULL)
		*report = g_string_free (g_steal_pointer (&line), FALSE);
	return TRUE;
}

static int
add_library_dir (struct dl_phdr_info *info, size_t size, void *data)
{
	GPtrArray *dirs = data;
	g_autofree gchar *dir = NULL;
	g_autofree gchar *resolved = NULL;

	(void)size;
	/* the executable itself and the vDSO have no file name */
	if (info->dlpi_name == NULL || info->dlpi_name[0] != '/')
		return 0;
	dir = g_path_get_dirname (info->dlpi_name);
	resolved = mv_sandbox_resolve_path (dir);
	for (guint i = 0; i < dirs->len; i++)
		if (g_str_equal (g_ptr_array_index (dirs, i), resolved))
			return 0;
	g_ptr_array_add (dirs, g_steal_pointer (&resolved));
	return 0;
}

GStrv
mv_sandbox_loaded_library_dirs (void)
{
	GPtrArray *dirs = g_ptr_array_new ();

	dl_iterate_phdr (add_library_dir, dirs);
	g_ptr_array_add (dirs, NULL);
	return (GStrv)g_ptr_array_free (dirs, FALSE);
}
