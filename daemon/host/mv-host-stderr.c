/* A plugin host's stderr, as the daemon logs it: see mv-host-stderr.h. */
#define G_LOG_DOMAIN "medverse-plugin-process"

#include "mv-host-stderr.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <unistd.h>

#include "mv-log-escape.h"

/* A host's stderr, re-logged line by line: at most this many bytes of a line, and a burst of
 * STDERR_BURST lines, then STDERR_PER_S a second (the rest are counted and said once). */
#define STDERR_LINE_MAX 1024
#define STDERR_BURST 50
#define STDERR_PER_S 10

/* What a host writes to its stderr (the host's own fatal lines, and whatever the plugin
 * prints) reaches the daemon's log only through this: one line at a time, escaped, capped,
 * rate-limited and prefixed with the plugin and process, so it can neither pass for a line
 * of the daemon nor flood or truncate its log (the host never holds the daemon's fd 2). */
typedef struct {
	int fd;
	gchar *name;
	gchar *pid;
	gdouble tokens;
	gint64 refilled_us;
	guint dropped;
} StderrReader;

static void
stderr_emit (StderrReader *r, const gchar *line, gsize len, gboolean cut)
{
	gint64 now = g_get_monotonic_time ();
	g_autofree gchar *text = NULL;
	g_autofree gchar *escaped = NULL;

	r->tokens
		= MIN ((gdouble)STDERR_BURST,
		       r->tokens + (gdouble)(now - r->refilled_us) * STDERR_PER_S / G_USEC_PER_SEC);
	r->refilled_us = now;
	if (r->tokens < 1) {
		r->dropped++;
		return;
	}
	r->tokens -= 1;
	if (r->dropped > 0) {
		g_warning ("plugin %s (pid %s) stderr: %u lines not logged (more than %d a second)",
			   r->name, r->pid, r->dropped, STDERR_PER_S);
		r->dropped = 0;
	}
	text = g_strndup (line, len);
	escaped = mv_log_escape (text, STDERR_LINE_MAX);
	g_message ("plugin %s (pid %s) stderr: %s%s", r->name, r->pid, escaped,
		   cut ? " [cut]" : "");
}

static gpointer
stderr_reader_thread (gpointer data)
{
	StderrReader *r = data;
	g_autoptr (GString) line = g_string_new (NULL);
	gboolean cut = FALSE;
	char buf[4096];
	ssize_t n;

	r->tokens = STDERR_BURST;
	r->refilled_us = g_get_monotonic_time ();
	while ((n = read (r->fd, buf, sizeof buf)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n') {
				stderr_emit (r, line->str, line->len, cut);
				g_string_truncate (line, 0);
				cut = FALSE;
			} else if (line->len < STDERR_LINE_MAX) {
				g_string_append_c (line, buf[i]);
			} else {
				cut = TRUE;
			}
		}
	}
	if (line->len > 0)
		stderr_emit (r, line->str, line->len, cut);
	if (r->dropped > 0)
		g_warning ("plugin %s (pid %s) stderr: %u lines not logged (more than %d a second)",
			   r->name, r->pid, r->dropped, STDERR_PER_S);
	close (r->fd);
	g_free (r->name);
	g_free (r->pid);
	g_free (r);
	return NULL;
}

void
mv_host_stderr_follow (GSubprocess *subprocess, const gchar *name)
{
	GInputStream *pipe = g_subprocess_get_stderr_pipe (subprocess);
	StderrReader *r;
	int fd;

	fd = fcntl (g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (pipe)), F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return;
	r = g_new0 (StderrReader, 1);
	r->fd = fd;
	r->name = g_strdup (name);
	r->pid = g_strdup (g_subprocess_get_identifier (subprocess));
	if (r->pid == NULL)
		r->pid = g_strdup ("?"); /* already reaped: it exited at once */
	g_thread_unref (g_thread_new ("mv-host-stderr", stderr_reader_thread, r));
}
