/* Framed GVariant over a Unix stream socket: see mv-host-channel.h. */
#define G_LOG_DOMAIN "medverse-host-channel"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <medverse/mv-error.h>

#include "mv-host-channel.h"

G_DEFINE_QUARK (mv - host - channel - error - quark, mv_host_channel_error)

void
mv_host_frame_clear (MvHostFrame *frame)
{
	g_clear_pointer (&frame->payload, g_variant_unref);
	frame->kind = 0;
	frame->id = 0;
}

const GVariantType *
mv_host_frame_payload_type (guint32 kind)
{
	switch (kind) {
	case MV_HOST_FRAME_HELLO:
		return G_VARIANT_TYPE (MV_HOST_HELLO_TYPE);
	case MV_HOST_FRAME_INIT:
		return G_VARIANT_TYPE (MV_HOST_INIT_TYPE);
	case MV_HOST_FRAME_INIT_DONE:
		return G_VARIANT_TYPE (MV_HOST_INIT_DONE_TYPE);
	case MV_HOST_FRAME_CALL:
		return G_VARIANT_TYPE (MV_HOST_CALL_TYPE);
	case MV_HOST_FRAME_RESULT:
		return G_VARIANT_TYPE (MV_HOST_RESULT_TYPE);
	case MV_HOST_FRAME_ERROR:
		return G_VARIANT_TYPE (MV_HOST_ERROR_TYPE);
	case MV_HOST_FRAME_INVOKE:
		return G_VARIANT_TYPE (MV_HOST_INVOKE_TYPE);
	case MV_HOST_FRAME_INVOKE_RESULT:
		return G_VARIANT_TYPE (MV_HOST_INVOKE_RESULT_TYPE);
	case MV_HOST_FRAME_LOG:
		return G_VARIANT_TYPE (MV_HOST_LOG_TYPE);
	case MV_HOST_FRAME_SHUTDOWN:
		return G_VARIANT_TYPE (MV_HOST_SHUTDOWN_TYPE);
	default:
		return NULL;
	}
}

static gboolean wait_for (int fd, short events, gint64 deadline_us, GError **error);

/* Writes both buffers, in one system call when the socket takes them at once (the usual
 * case), and waits for room only up to @deadline_us: a peer that stops reading (a host that
 * spins) cannot hold the writer past it. */
static gboolean
write_all (int fd, struct iovec *iov, gint64 deadline_us, GError **error)
{
	guint first = 0;

	while (first < 2) {
		/* sendmsg() on a socket, so a peer that is gone is EPIPE here, not a SIGPIPE that
		 * would kill the daemon; writev() for anything else (tests use pipes too) */
		struct msghdr msg = { .msg_iov = iov + first, .msg_iovlen = 2 - first };
		ssize_t n = sendmsg (fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
		gsize done;

		if (n < 0 && errno == ENOTSOCK)
			n = writev (fd, iov + first, (int)(2 - first));
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (!wait_for (fd, POLLOUT, deadline_us, error))
				return FALSE;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int saved = errno;
			g_set_error (error, MV_HOST_CHANNEL_ERROR, MV_HOST_CHANNEL_ERROR_IO,
				     "channel write failed: %s", g_strerror (saved));
			return FALSE;
		}
		for (done = (gsize)n; first < 2 && done >= iov[first].iov_len; first++)
			done -= iov[first].iov_len;
		if (first < 2) {
			iov[first].iov_base = (guint8 *)iov[first].iov_base + done;
			iov[first].iov_len -= done;
		}
	}
	return TRUE;
}

gboolean
mv_host_channel_write (int fd, guint32 kind, guint32 id, GVariant *payload, GError **error)
{
	return mv_host_channel_write_until (fd, -1, kind, id, payload, error);
}

gboolean
mv_host_channel_write_until (
	int fd, gint64 deadline_us, guint32 kind, guint32 id, GVariant *payload, GError **error)
{
	const GVariantType *type = mv_host_frame_payload_type (kind);
	g_autoptr (GVariant) frame = NULL;
	g_autoptr (GVariant) normal = NULL;
	guint8 header[4];
	struct iovec iov[2];
	gsize size;

	g_return_val_if_fail (type != NULL, FALSE);
	g_return_val_if_fail (g_variant_is_of_type (payload, type), FALSE);
	frame = g_variant_ref_sink (g_variant_new ("(uuv)", kind, id, payload));
	normal = g_variant_get_normal_form (frame);
	size = g_variant_get_size (normal);
	if (size > MV_HOST_CHANNEL_MAX_FRAME) {
		g_set_error (error, MV_HOST_CHANNEL_ERROR, MV_HOST_CHANNEL_ERROR_OVERSIZE,
			     "frame of %" G_GSIZE_FORMAT " bytes is over the channel's limit of %u",
			     size, MV_HOST_CHANNEL_MAX_FRAME);
		return FALSE;
	}
	header[0] = (guint8)(size & 0xff);
	header[1] = (guint8)((size >> 8) & 0xff);
	header[2] = (guint8)((size >> 16) & 0xff);
	header[3] = (guint8)((size >> 24) & 0xff);
	/* one gathered write: the frame is not copied once more just to prefix four bytes */
	iov[0].iov_base = header;
	iov[0].iov_len = sizeof header;
	iov[1].iov_base = (void *)g_variant_get_data (normal);
	iov[1].iov_len = size;
	return write_all (fd, iov, deadline_us, error);
}

/* Waits until @fd is ready for @events (POLLIN, POLLOUT) or @deadline_us passed (-1: no
 * deadline). */
static gboolean
wait_for (int fd, short events, gint64 deadline_us, GError **error)
{
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = events };
		int timeout_ms = -1;
		int n;

		if (deadline_us >= 0) {
			gint64 left = deadline_us - g_get_monotonic_time ();
			if (left <= 0) {
				g_set_error (error, MV_HOST_CHANNEL_ERROR,
					     MV_HOST_CHANNEL_ERROR_TIMED_OUT,
					     "%s before the deadline",
					     events == POLLIN ? "no answer on the channel"
							      : "the peer took no more");
				return FALSE;
			}
			timeout_ms = (int)MIN ((left + 999) / 1000, G_MAXINT);
		}
		n = poll (&pfd, 1, timeout_ms);
		if (n > 0)
			return TRUE;
		if (n < 0 && errno != EINTR) {
			int saved = errno;
			g_set_error (error, MV_HOST_CHANNEL_ERROR, MV_HOST_CHANNEL_ERROR_IO,
				     "channel poll failed: %s", g_strerror (saved));
			return FALSE;
		}
	}
}

/* Reads exactly @len bytes; *@got says how many came before end of stream. */
static gboolean
read_all (int fd, guint8 *data, gsize len, gint64 deadline_us, gsize *got, GError **error)
{
	*got = 0;
	while (*got < len) {
		/* what is there already is taken without a poll (a frame's body follows its
		 * length at once); only an empty socket is waited for, up to the deadline */
		ssize_t n = recv (fd, data + *got, len - *got, MSG_DONTWAIT);

		if (n < 0 && errno == ENOTSOCK) {
			if (!wait_for (fd, POLLIN, deadline_us, error))
				return FALSE;
			n = read (fd, data + *got, len - *got);
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (!wait_for (fd, POLLIN, deadline_us, error))
				return FALSE;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int saved = errno;
			g_set_error (error, MV_HOST_CHANNEL_ERROR, MV_HOST_CHANNEL_ERROR_IO,
				     "channel read failed: %s", g_strerror (saved));
			return FALSE;
		}
		if (n == 0) {
			g_set_error (error, MV_HOST_CHANNEL_ERROR,
				     *got == 0 ? MV_HOST_CHANNEL_ERROR_CLOSED
					       : MV_HOST_CHANNEL_ERROR_TRUNCATED,
				     "channel closed after %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT
				     " bytes",
				     *got, len);
			return FALSE;
		}
		*got += (gsize)n;
	}
	return TRUE;
}

gboolean
mv_host_channel_parse (GBytes *body, MvHostFrame *frame, GError **error)
{
	g_autoptr (GVariant) whole = NULL;
	g_autoptr (GVariant) payload = NULL;
	const GVariantType *expected;
	guint32 kind, id;

	whole = g_variant_ref_sink (
		g_variant_new_from_bytes (G_VARIANT_TYPE ("(uuv)"), body, FALSE));
	/* the normal-form check comes first: only then is reading the children well defined
	 * without GVariant substituting defaults for a corrupt serialisation */
	if (!g_variant_is_normal_form (whole)) {
		g_set_error_literal (error, MV_HOST_CHANNEL_ERROR, MV_HOST_CHANNEL_ERROR_MALFORMED,
				     "frame is not a (uuv) in normal form");
		return FALSE;
	}
	g_variant_get (whole, "(uuv)", &kind, &id, &payload);
	expected = mv_host_frame_payload_type (kind);
	if (expected == NULL) {
		g_set_error (error, MV_HOST_CHANNEL_ERROR, MV_HOST_CHANNEL_ERROR_MALFORMED,
			     "frame of unknown kind %u", kind);
		return FALSE;
	}
	if (!g_variant_is_of_type (payload, expected)) {
		g_set_error (error, MV_HOST_CHANNEL_ERROR, MV_HOST_CHANNEL_ERROR_MALFORMED,
			     "frame of kind %u carries %s, expected %s", kind,
			     g_variant_get_type_string (payload),
			     g_variant_type_peek_string (expected));
		return FALSE;
	}
	frame->kind = kind;
	frame->id = id;
	frame->payload = g_steal_pointer (&payload);
	return TRUE;
}

gboolean
mv_host_channel_read (int fd, gint64 deadline_us, MvHostFrame *frame, GError **error)
{
	guint8 header[4];
	g_autofree guint8 *data = NULL;
	g_autoptr (GBytes) body = NULL;
	g_autoptr (GError) error_local = NULL;
	guint32 len;
	gsize got;

	if (!read_all (fd, header, sizeof header, deadline_us, &got, error))
		return FALSE;
	len = (guint32)header[0] | (guint32)header[1] << 8 | (guint32)header[2] << 16
	      | (guint32)header[3] << 24;
	if (len > MV_HOST_CHANNEL_MAX_FRAME) {
		g_set_error (error, MV_HOST_CHANNEL_ERROR, MV_HOST_CHANNEL_ERROR_OVERSIZE,
			     "frame of %u bytes announced, over the channel's limit of %u", len,
			     MV_HOST_CHANNEL_MAX_FRAME);
		return FALSE;
	}
	data = g_malloc (MAX (len, 1));
	if (!read_all (fd, data, len, deadline_us, &got, &error_local)) {
		/* a close inside a frame is truncation even at the body's first byte */
		if (error_local->domain == MV_HOST_CHANNEL_ERROR
		    && error_local->code == MV_HOST_CHANNEL_ERROR_CLOSED)
			error_local->code = MV_HOST_CHANNEL_ERROR_TRUNCATED;
		g_propagate_error (error, g_steal_pointer (&error_local));
		return FALSE;
	}
	body = g_bytes_new_take (g_steal_pointer (&data), len);
	return mv_host_channel_parse (body, frame, error);
}

GVariant *
mv_host_error_to_payload (const GError *error)
{
	GVariantBuilder extras;
	const gchar *code_name = "";

	g_variant_builder_init (&extras, G_VARIANT_TYPE ("a{sv}"));
	if (error->domain == MV_ERROR) {
		guint n = mv_error_get_n_problems (error);
		const gchar *zh = mv_error_get_message_zh (error);

		code_name = mv_error_to_string (error->code);
		if (zh != NULL)
			g_variant_builder_add (&extras, "{sv}", "message-zh",
					       g_variant_new_string (zh));
		if (n > 0) {
			GVariantBuilder problems;
			g_variant_builder_init (&problems, G_VARIANT_TYPE ("a(ssss)"));
			for (guint i = 0; i < n; i++) {
				const MvErrorProblem *p = mv_error_get_problem (error, i);
				g_variant_builder_add (
					&problems, "(ssss)", p->field ? p->field : "",
					p->code ? p->code : "", p->message ? p->message : "",
					p->message_zh ? p->message_zh : "");
			}
			g_variant_builder_add (&extras, "{sv}", "problems",
					       g_variant_builder_end (&problems));
		}
	}
	return g_variant_new ("(ssus@a{sv})", g_quark_to_string (error->domain), code_name,
			      (guint32)error->code, error->message != NULL ? error->message : "",
			      g_variant_builder_end (&extras));
}

GError *
mv_host_error_from_payload (GVariant *payload)
{
	const gchar *domain, *code_name, *message, *zh = NULL;
	guint32 code;
	g_autoptr (GVariant) extras = NULL;
	g_autoptr (GVariant) problems = NULL;
	GError *error;
	gboolean ours;

	g_variant_get (payload, "(&s&su&s@a{sv})", &domain, &code_name, &code, &message, &extras);
	ours = g_strcmp0 (domain, g_quark_to_string (MV_ERROR)) == 0 && code < MV_ERROR_LAST;
	error = g_error_new_literal (MV_ERROR, ours ? (gint)code : MV_ERROR_FAILED, message);
	if (!ours)
		return error;
	g_variant_lookup (extras, "message-zh", "&s", &zh);
	if (zh != NULL)
		mv_error_set_message_zh (error, zh);
	problems = g_variant_lookup_value (extras, "problems", G_VARIANT_TYPE ("a(ssss)"));
	if (problems != NULL) {
		GVariantIter iter;
		const gchar *field, *pcode, *pmessage, *pzh;
		g_autofree gchar *keep_message = g_strdup (error->message);
		g_autofree gchar *keep_zh = g_strdup (mv_error_get_message_zh (error));

		g_variant_iter_init (&iter, problems);
		while (g_variant_iter_next (&iter, "(&s&s&s&s)", &field, &pcode, &pmessage, &pzh))
			mv_error_add_problem (&error, field[0] ? field : NULL, pcode, pmessage,
					      pzh[0] ? pzh : NULL);
		/* adding problems rewrites the message from them: the sender's text stays */
		g_free (error->message);
		error->message = g_steal_pointer (&keep_message);
		if (keep_zh != NULL)
			mv_error_set_message_zh (error, keep_zh);
	}
	return error;
}
