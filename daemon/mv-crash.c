/*
 * Fatal signals: see mv-crash.h.
 *
 * The handler runs in whatever state the crash left the process in (a heap lock may be held, the
 * stack may be exhausted), so it only uses async-signal-safe calls: it formats the line into a
 * buffer on the alternate signal stack from thread-local buffers filled at
 * mv_crash_enter_call(), write(2)s it in one call (one line even in a log shared with other
 * threads), and re-raises the signal with the default action.
 *
 * The embedded PostgreSQL needs nothing from the handler: its postmaster has PR_SET_PDEATHSIG
 * (daemon/storage/mv-pg-embedded.c) and is stopped by the kernel when the daemon dies, however it
 * dies (this handler, kill -9, the OOM killer).
 */
#define G_LOG_DOMAIN "medverse-crash"

#include "mv-crash.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

/* room for the handler (a few hundred bytes) and for whatever libc's raise() needs */
#define MV_CRASH_ALT_STACK_SIZE (64 * 1024)

static const gint fatal_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };

typedef struct {
	gint depth;		     /* nesting of enter/leave in this thread */
	volatile sig_atomic_t valid; /* the strings below are complete */
	gboolean alt_stack_checked;  /* this thread has an alternate signal stack (or cannot) */
	gchar plugin[MV_CRASH_PLUGIN_MAX + 1];
	gchar method[MV_CRASH_METHOD_MAX + 1];
	gchar request_id[MV_CRASH_REQUEST_ID_MAX + 1];
} CrashCall;

/* initial-exec: the handler reads it without any lazy TLS allocation */
static __thread CrashCall current_call __attribute__ ((tls_model ("initial-exec")));

/* the first crashing thread writes the line; a second one dies without repeating it */
static volatile sig_atomic_t reported;

/* --- the line (async-signal-safe) ---------------------------------------------------------- */

typedef struct {
	gchar *buf;
	gsize size;
	gsize len;
} Line;

static void
line_add (Line *line, const gchar *str)
{
	for (const gchar *p = str; *p != '\0' && line->len < line->size; p++)
		line->buf[line->len++] = *p;
}

static void
line_add_uint (Line *line, guint value)
{
	gchar digits[16];
	gsize n = 0;

	do {
		digits[n++] = (gchar)('0' + value % 10);
		value /= 10;
	} while (value > 0 && n < sizeof digits);
	while (n > 0 && line->len < line->size)
		line->buf[line->len++] = digits[--n];
}

static const gchar *
signal_name (gint sig)
{
	switch (sig) {
	case SIGSEGV:
		return "SIGSEGV";
	case SIGBUS:
		return "SIGBUS";
	case SIGILL:
		return "SIGILL";
	case SIGFPE:
		return "SIGFPE";
	case SIGABRT:
		return "SIGABRT";
	default:
		return "unexpected";
	}
}

gsize
mv_crash_format_line (gint sig, gchar *buf, gsize size)
{
	const CrashCall *call = &current_call;
	Line line = { buf, size, 0 };

	if (size == 0)
		return 0;
	line.size = size - 1; /* the newline always fits */
	line_add (&line, "medversed: fatal signal ");
	line_add_uint (&line, (guint)sig);
	line_add (&line, " (");
	line_add (&line, signal_name (sig));
	if (call->depth > 0 && call->valid) {
		line_add (&line, ") in plugin ");
		line_add (&line, call->plugin);
		line_add (&line, " method ");
		line_add (&line, call->method);
		line_add (&line, ", request id ");
		line_add (&line, call->request_id);
	} else {
		line_add (&line, ") outside any plugin call");
	}
	line_add (&line, "; the daemon stops");
	buf[line.len++] = '\n';
	return line.len;
}

static void
write_all (gint fd, const gchar *buf, gsize len)
{
	while (len > 0) {
		ssize_t n = write (fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (gsize)n;
	}
}

static void
crash_handler (gint sig)
{
	gint saved_errno = errno;
	gchar buf[512];

	if (__atomic_exchange_n (&reported, 1, __ATOMIC_SEQ_CST) == 0)
		write_all (STDERR_FILENO, buf, mv_crash_format_line (sig, buf, sizeof buf));
	/* SA_RESETHAND has restored the default action (set it again for a signal that came in
	 * before that, in another thread).  The re-raised signal stays blocked until this handler
	 * returns, then kills the process: the exit status and the core dump are the real ones.
	 * A fault (SIGSEGV, SIGBUS, SIGILL, SIGFPE) would also recur on return. */
	signal (sig, SIG_DFL);
	raise (sig);
	errno = saved_errno;
}

/* --- alternate signal stacks --------------------------------------------------------------- */

static void
alt_stack_free (gpointer data)
{
	stack_t off = { .ss_flags = SS_DISABLE };
	stack_t now;

	/* runs in the exiting thread: it must stop using the memory before it is freed */
	if (sigaltstack (NULL, &now) == 0 && now.ss_sp == data)
		sigaltstack (&off, NULL);
	g_free (data);
}

static GPrivate alt_stack_key = G_PRIVATE_INIT (alt_stack_free);

/* Without an alternate stack, a crash by stack overflow (a plugin recursing) could not run the
 * handler and the daemon would die without a word. */
static void
ensure_alt_stack (void)
{
	CrashCall *call = &current_call;
	stack_t now;
	stack_t ss = { 0 };
	gsize size = MV_CRASH_ALT_STACK_SIZE;

	if (call->alt_stack_checked)
		return;
	call->alt_stack_checked = TRUE;
	/* one there already (AddressSanitizer installs its own): keep it */
	if (sigaltstack (NULL, &now) != 0 || (now.ss_flags & SS_DISABLE) == 0)
		return;
#ifdef _SC_SIGSTKSZ
	size = MAX (size, (gsize)MAX (sysconf (_SC_SIGSTKSZ), 0));
#endif
	ss.ss_sp = g_malloc (size);
	ss.ss_size = size;
	if (sigaltstack (&ss, NULL) != 0) {
		g_warning ("cannot install an alternate signal stack: %s", g_strerror (errno));
		g_free (ss.ss_sp);
		return;
	}
	g_private_set (&alt_stack_key, ss.ss_sp);
}

/* --- public API ---------------------------------------------------------------------------- */

void
mv_crash_install_handlers (void)
{
	struct sigaction sa = { 0 };

	ensure_alt_stack ();
	sa.sa_handler = crash_handler;
	sigemptyset (&sa.sa_mask);
	sa.sa_flags = SA_ONSTACK | SA_RESETHAND;
	for (guint i = 0; i < G_N_ELEMENTS (fatal_signals); i++) {
		if (sigaction (fatal_signals[i], &sa, NULL) != 0)
			g_warning ("cannot install a handler for signal %d: %s", fatal_signals[i],
				   g_strerror (errno));
	}
}

/* Copies @src into @dest (@size bytes with the NUL), cut to fit, bytes outside printable ASCII
 * replaced: the line must stay one line whatever a plugin calls itself. */
static void
copy_printable (gchar *dest, gsize size, const gchar *src)
{
	gsize i = 0;

	if (src == NULL)
		src = "(none)";
	for (; src[i] != '\0' && i + 1 < size; i++)
		dest[i] = g_ascii_isprint (src[i]) ? src[i] : '?';
	dest[i] = '\0';
}

void
mv_crash_enter_call (const gchar *plugin, const gchar *method, const gchar *request_id)
{
	CrashCall *call = &current_call;

	ensure_alt_stack ();
	if (call->depth++ > 0)
		return;
	/* a signal in the middle of the copy must not read half-written buffers */
	call->valid = 0;
	atomic_signal_fence (memory_order_seq_cst);
	copy_printable (call->plugin, sizeof call->plugin, plugin);
	copy_printable (call->method, sizeof call->method, method);
	copy_printable (call->request_id, sizeof call->request_id, request_id);
	atomic_signal_fence (memory_order_seq_cst);
	call->valid = 1;
}

void
mv_crash_leave_call (void)
{
	CrashCall *call = &current_call;

	g_return_if_fail (call->depth > 0);
	if (--call->depth == 0)
		call->valid = 0;
}
