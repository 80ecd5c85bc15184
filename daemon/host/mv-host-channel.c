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

/* the payload type of each frame kind, indexed by kind (kinds start at 1) */
static const gchar *const frame_payload_types[] = {
	[MV_HOST_FRAME_HELLO] = MV_HOST_HELLO_TYPE,
	[MV_HOST_FRAME_INIT] = MV_HOST_INIT_TYPE,
	[MV_HOST_FRAME_INIT_DONE] = MV_HOST_INIT_DONE_TYPE,
	[MV_HOST_FRAME_CALL] = MV_HOST_CALL_TYPE,
	[MV_HOST_FRAME_RESULT] = MV_HOST_RESULT_TYPE,
	[MV_HOST_FRAME_ERROR] = MV_HOST_ERROR_TYPE,
	[MV_HOST_FRAME_INVOKE] = MV_HOST_INVOKE_TYPE,
	[MV_HOST_FRAME_INVOKE_RESULT] = MV_HOST_INVOKE_RESULT_TYPE,
	[MV_HOST_FRAME_LOG] = MV_HOST_LOG_TYPE,
	[MV_HOST_FRAME_SHUTDOWN] = MV_HOST_SHUTDOWN_TYPE,
};

const GVariantType *
mv_host_frame_payload_type (guint32 kind)
{
	if (kind >= G_N_ELEMENTS (frame_payload_types) || frame_payload_types[kind] == NULL)
		return NULL;
	return G_VARIANT_TYPE (frame_payload_types[kind]);
}

static gboolean wait_for (int fd, short events, gint64 deadline_us, GError **error);

static void
put_le32 (guint8 *out, guint32 v)
{
	out[0] = (guint8)(v & 0xff);
	out[1] = (guint8)((v >> 8) & 0xff);
	out[2] = (guint8)((v >> 16) & 0xff);
	out[3] = (guint8)((v >> 24) & 0xff);
}

static guint32
get_le32 (const guint8 *in)
{
	return (guint32)in[0] | (guint32)in[1] << 8 | (guint32)in[2] << 16 | (guint32)in[3] << 24;
}

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
	g_autoptr (GVariant) owned = NULL;
	g_autoptr (GVariant) normal = NULL;
	guint8 header[MV_HOST_CHANNEL_HEADER];
	struct iovec iov[2];
	gsize size;

	g_return_val_if_fail (type != NULL, FALSE);
	g_return_val_if_fail (g_variant_is_of_type (payload, type), FALSE);
	owned = g_variant_ref_sink (payload);
	/* a payload built with g_variant_new() is in normal form already: this is a reference
	 * then, not a copy */
	normal = g_variant_get_normal_form (owned);
	size = g_variant_get_size (normal);
	if (size > MV_HOST_CHANNEL_MAX_FRAME - 8) {
		g_set_error (error, MV_HOST_CHANNEL_ERROR, MV_HOST_CHANNEL_ERROR_OVERSIZE,
			     "frame of %" G_GSIZE_FORMAT " bytes is over the channel's limit of %u",
			     size + 8, MV_HOST_CHANNEL_MAX_FRAME);
		return FALSE;
	}
	put_le32 (header, (guint32)size + 8);
	put_le32 (header + 4, kind);
	put_le32 (header + 8, id);
	/* one gathered write: the payload is sent from GVariant's own buffer, not copied once
	 * more just to prefix twelve bytes */
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

/* Reads exactly @len bytes; *@got says how many came before end of stream.  Without a
 * deadline (the host waiting for the daemon) one blocking receive takes the whole piece; with
 * one, what is there already is taken without a poll (a frame's body follows its length at
 * once) and only an empty socket is waited for, up to the deadline; @poll_first: the caller
 * expects to wait (an answer it has just asked for), so the receive that would find nothing
 * is skipped. */
static gboolean
read_all (int fd,
	  guint8 *data,
	  gsize len,
	  gint64 deadline_us,
	  gboolean poll_first,
	  gsize *got,
	  GError **error)
{
	*got = 0;
	if (poll_first && deadline_us >= 0 && !wait_for (fd, POLLIN, deadline_us, error))
		return FALSE;
	while (*got < len) {
		ssize_t n = recv (fd, data + *got, len - *got,
				  deadline_us < 0 ? MSG_WAITALL : MSG_DONTWAIT);

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
	gsize size = g_bytes_get_size (body);
	const guint8 *data = g_bytes_get_data (body, NULL);
	g_autoptr (GBytes) bytes = NULL;
	g_autoptr (GVariant) payload = NULL;
	const GVariantType *type;
	guint32 kind;

	if (size < 8) {
		g_set_error (error, MV_HOST_CHANNEL_ERROR, MV_HOST_CHANNEL_ERROR_MALFORMED,
			     "frame of %" G_GSIZE_FORMAT " bytes, shorter than its kind and id",
			     size);
		return FALSE;
	}
	kind = get_le32 (data);
	type = mv_host_frame_payload_type (kind);
	if (type == NULL) {
		g_set_error (error, MV_HOST_CHANNEL_ERROR, MV_HOST_CHANNEL_ERROR_MALFORMED,
			     "frame of unknown kind %u", kind);
		return FALSE;
	}
	/* the kind gives the type: the normal-form check of the payload against it is the
	 * whole check, and it comes before anything reads a child (GVariant would otherwise
	 * substitute defaults for a corrupt serialisation) */
	bytes = g_bytes_new_from_bytes (body, 8, size - 8);
	payload = g_variant_ref_sink (g_variant_new_from_bytes (type, bytes, FALSE));
	if (!g_variant_is_normal_form (payload)) {
		g_set_error (error, MV_HOST_CHANNEL_ERROR, MV_HOST_CHANNEL_ERROR_MALFORMED,
			     "frame of kind %u is not a %s in normal form", kind,
			     g_variant_type_peek_string (type));
		return FALSE;
	}
	frame->kind = kind;
	frame->id = get_le32 (data + 4);
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

	/* a reader with a deadline is the daemon waiting for the answer it asked for */
	if (!read_all (fd, header, sizeof header, deadline_us, TRUE, &got, error))
		return FALSE;
	len = get_le32 (header);
	if (len > MV_HOST_CHANNEL_MAX_FRAME) {
		g_set_error (error, MV_HOST_CHANNEL_ERROR, MV_HOST_CHANNEL_ERROR_OVERSIZE,
			     "frame of %u bytes announced, over the channel's limit of %u", len,
			     MV_HOST_CHANNEL_MAX_FRAME);
		return FALSE;
	}
	data = g_malloc (MAX (len, 1));
	if (!read_all (fd, data, len, deadline_us, FALSE, &got, &error_local)) {
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
