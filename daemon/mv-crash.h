/*
 * Fatal signals (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT): one line on stderr naming the plugin
 * call that crashed, then the default action, so the exit status and the core dump are the real
 * ones.  Plugins still run in the daemon's process: a crash costs the daemon, but it is visible.
 *
 * No transport here: the HTTP and D-Bus adapters reach plugins only through the engine, which
 * marks each call with mv_crash_enter_call()/mv_crash_leave_call().
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Longest plugin name, method name and request id kept for the crash line; longer ones are
 * cut (plugin names are short, method names are at most 255 bytes, request ids 64). */
#define MV_CRASH_PLUGIN_MAX 64
#define MV_CRASH_METHOD_MAX 128
#define MV_CRASH_REQUEST_ID_MAX 64

/**
 * mv_crash_install_handlers:
 *
 * Installs the fatal signal handlers (SA_RESETHAND | SA_ONSTACK) and an alternate signal stack
 * for the calling thread, so that even a stack overflow can be reported.  Call it early in
 * main(), before threads are started.  Idempotent.
 */
void mv_crash_install_handlers (void);

/**
 * mv_crash_enter_call:
 * @plugin: the plugin's name
 * @method: the method's name
 * @request_id: (nullable): the request id of the call
 *
 * Records the plugin call the calling thread is about to run, for the crash line.  The strings
 * are copied (cut to the MV_CRASH_*_MAX lengths, bytes outside printable ASCII replaced by '?')
 * into thread-local buffers, because the signal handler may not allocate.  The first call in a
 * thread also gives it an alternate signal stack.  A nested call (a plugin calling another
 * through the host, in the same thread) keeps the outer call's record.
 */
void mv_crash_enter_call (const gchar *plugin, const gchar *method, const gchar *request_id);

/**
 * mv_crash_leave_call:
 *
 * Ends the call recorded by the matching mv_crash_enter_call().
 */
void mv_crash_leave_call (void);

/**
 * mv_crash_format_line:
 * @sig: a signal number
 * @buf: where to write the line (not NUL-terminated)
 * @size: the size of @buf; 512 bytes always hold a whole line
 *
 * Formats the line the handler writes for @sig in the calling thread, ending in '\n'.
 * Async-signal-safe: it is what the handler uses.  Exposed for tests.
 *
 * Returns: the length of the line (at most @size).
 */
gsize mv_crash_format_line (gint sig, gchar *buf, gsize size);

G_END_DECLS
