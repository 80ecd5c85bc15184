/* The test's notify socket: see mvt-notify.h. */
#include "mvt-notify.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

struct _MvtNotify {
	int fd;
	gchar *path;
};

MvtNotify *
mvt_notify_new (const gchar *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	const int on = 1;
	MvtNotify *notify = g_new0 (MvtNotify, 1);

	cr_assert_lt (strlen (path), sizeof addr.sun_path, "%s is too long for a socket", path);
	strcpy (addr.sun_path, path);
	notify->path = g_strdup (path);
	notify->fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	cr_assert_geq (notify->fd, 0, "socket: %s", g_strerror (errno));
	cr_assert_eq (bind (notify->fd, (struct sockaddr *)&addr, sizeof addr), 0, "bind %s: %s",
		      path, g_strerror (errno));
	cr_assert_eq (setsockopt (notify->fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof on), 0);
	/* a child running as another user (the embedded cluster under root) could send to it */
	cr_assert_eq (g_chmod (path, 0777), 0);
	return notify;
}

void
mvt_notify_free (MvtNotify *notify)
{
	if (notify == NULL)
		return;
	close (notify->fd);
	g_unlink (notify->path);
	g_free (notify->path);
	g_free (notify);
}

gchar *
mvt_notify_receive (MvtNotify *notify, guint timeout_ms, gint *pid)
{
	gchar buf[4096];
	union {
		struct cmsghdr align;
		gchar bytes[CMSG_SPACE (sizeof (struct ucred))];
	} control;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof buf - 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.bytes,
		.msg_controllen = sizeof control.bytes,
	};
	struct pollfd pfd = { .fd = notify->fd, .events = POLLIN };
	ssize_t len;

	*pid = -1;
	if (poll (&pfd, 1, (int)timeout_ms) <= 0)
		return NULL;
	len = recvmsg (notify->fd, &msg, MSG_DONTWAIT);
	if (len < 0)
		return NULL;
	buf[len] = '\0';
	for (struct cmsghdr *c = CMSG_FIRSTHDR (&msg); c != NULL; c = CMSG_NXTHDR (&msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
			struct ucred cred;
			memcpy (&cred, CMSG_DATA (c), sizeof cred);
			*pid = cred.pid;
		}
	}
	return g_strdup (buf);
}

guint
mvt_notify_count (MvtNotify *notify, gint pid, const gchar *state, guint ms)
{
	gint64 deadline = g_get_monotonic_time () + (gint64)ms * 1000;
	guint count = 0;

	for (;;) {
		gint64 left_ms = (deadline - g_get_monotonic_time ()) / 1000;
		gint from = -1;
		g_autofree gchar *text = NULL;
		g_auto (GStrv) lines = NULL;

		if (left_ms <= 0)
			return count;
		text = mvt_notify_receive (notify, (guint)left_ms, &from);
		if (text == NULL)
			continue;
		lines = g_strsplit (text, "\n", -1);
		if (from == pid && g_strv_contains ((const gchar *const *)lines, state))
			count++;
	}
}

void
mvt_notify_drain (MvtNotify *notify)
{
	for (;;) {
		gint pid;
		g_autofree gchar *text = mvt_notify_receive (notify, 0, &pid);
		if (text == NULL)
			return;
	}
}
