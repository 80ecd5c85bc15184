/*
 * The channel between medversed and a medverse-plugin-host process: framed GVariant over a
 * Unix stream socket (docs/plugin-isolation.md).
 *
 * A frame is a 4-byte little-endian length N (at most MV_HOST_CHANNEL_MAX_FRAME, at least 8),
 * then N bytes: the kind and the id (4 bytes each, little-endian), then the payload, a GVariant
 * of the kind's type in normal form.  The reader checks the length, the kind, and the payload's
 * normal form against the kind's type before anything uses the frame: a frame that fails a
 * check means the peer is broken, and the caller closes the channel.  (Kind and id are plain
 * integers, not a (uuv) around the payload: one GVariant fewer to build, serialise and check
 * on each side of every call.)
 *
 * Both ends use blocking descriptors; the daemon bounds each read by a deadline.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MV_HOST_CHANNEL_MAX_FRAME (64u * 1024u * 1024u)
/* length, kind, id */
#define MV_HOST_CHANNEL_HEADER 12

typedef enum {
	MV_HOST_FRAME_HELLO = 1,	 /* host -> daemon, first frame */
	MV_HOST_FRAME_INIT = 2,		 /* daemon -> host */
	MV_HOST_FRAME_INIT_DONE = 3,	 /* host -> daemon */
	MV_HOST_FRAME_CALL = 4,		 /* daemon -> host */
	MV_HOST_FRAME_RESULT = 5,	 /* host -> daemon, answers CALL */
	MV_HOST_FRAME_ERROR = 6,	 /* answers CALL (host) or INVOKE (daemon) */
	MV_HOST_FRAME_INVOKE = 7,	 /* host -> daemon during a CALL */
	MV_HOST_FRAME_INVOKE_RESULT = 8, /* daemon -> host, answers INVOKE */
	MV_HOST_FRAME_LOG = 9,		 /* host -> daemon */
	MV_HOST_FRAME_SHUTDOWN = 10,	 /* daemon -> host */
} MvHostFrameKind;

/* Payload types, one per kind (the spec's table). */
#define MV_HOST_HELLO_TYPE "(ssa(sssssu)a(ssss))"
#define MV_HOST_INIT_TYPE "(sa{ss})"
#define MV_HOST_INIT_DONE_TYPE "(bs)"
#define MV_HOST_CALL_TYPE "(ssvssus)"
#define MV_HOST_RESULT_TYPE "(v)"
/* (domain, D-Bus-style code name or "", code, message, extras): extras carries what an
 * MV_ERROR holds beyond its message — "message-zh" (s) and "problems" (a(ssss): field,
 * code, message, message_zh) — so an isolated plugin's errors read as they do in process */
#define MV_HOST_ERROR_TYPE "(ssusa{sv})"
#define MV_HOST_INVOKE_TYPE "(ssv)"
#define MV_HOST_INVOKE_RESULT_TYPE "(v)"
#define MV_HOST_LOG_TYPE "(uss)"
#define MV_HOST_SHUTDOWN_TYPE "()"

#define MV_HOST_CHANNEL_ERROR (mv_host_channel_error_quark ())

typedef enum {
	MV_HOST_CHANNEL_ERROR_CLOSED,	 /* end of stream between frames */
	MV_HOST_CHANNEL_ERROR_TRUNCATED, /* end of stream inside a frame */
	MV_HOST_CHANNEL_ERROR_OVERSIZE,	 /* length over MV_HOST_CHANNEL_MAX_FRAME */
	MV_HOST_CHANNEL_ERROR_MALFORMED, /* too short, unknown kind, payload not in normal form */
	MV_HOST_CHANNEL_ERROR_TIMED_OUT, /* the deadline passed before a whole frame came */
	MV_HOST_CHANNEL_ERROR_IO,	 /* read/write/poll failed */
} MvHostChannelError;

GQuark mv_host_channel_error_quark (void);

typedef struct {
	guint32 kind;
	guint32 id;
	GVariant *payload; /* owned, of the kind's type */
} MvHostFrame;

void mv_host_frame_clear (MvHostFrame *frame);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MvHostFrame, mv_host_frame_clear)

/* The payload type of @kind, or NULL for a kind that does not exist. */
const GVariantType *mv_host_frame_payload_type (guint32 kind);

/* Sends one frame; @payload (floating references are sunk) must be of @kind's type (a
 * programming error otherwise).  Partial writes and EINTR are handled; SIGPIPE is not raised
 * (MSG_NOSIGNAL) when @fd is a socket. */
gboolean mv_host_channel_write (int fd, guint32 kind, guint32 id, GVariant *payload, GError **error)
	G_GNUC_WARN_UNUSED_RESULT;

/* The same, waiting for room in the socket only until @deadline_us (monotonic; -1: as long as
 * it takes): MV_HOST_CHANNEL_ERROR_TIMED_OUT past it, the frame possibly sent in part (the
 * channel is then unusable). */
gboolean mv_host_channel_write_until (int fd,
				      gint64 deadline_us,
				      guint32 kind,
				      guint32 id,
				      GVariant *payload,
				      GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Reads one whole frame into @frame, checking it.  @deadline_us: monotonic time by which the
 * whole frame must have come, or -1 to wait as long as it takes (a blocking @fd then: one
 * receive per piece, no poll).  With a deadline the reader expects to wait, and polls before
 * its first receive. */
gboolean mv_host_channel_read (int fd, gint64 deadline_us, MvHostFrame *frame, GError **error)
	G_GNUC_WARN_UNUSED_RESULT;

/* The checks of mv_host_channel_read() on a frame body already in memory (kind, id, payload:
 * without the length prefix): for tests and fuzzing. */
gboolean
mv_host_channel_parse (GBytes *body, MvHostFrame *frame, GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS

G_BEGIN_DECLS

/* An ERROR frame's payload for @error (transfer floating).  What an MV_ERROR carries beyond
 * its message (the Chinese text, the list of problems) goes in the extras, so an isolated
 * plugin's errors read as they do in process. */
GVariant *mv_host_error_to_payload (const GError *error);

/* The GError of an ERROR payload (of type MV_HOST_ERROR_TYPE).  An MV_ERROR code this build
 * knows stays; any other domain or code becomes MV_ERROR_FAILED with the same message, since
 * the peer's domains mean nothing here. */
GError *mv_host_error_from_payload (GVariant *payload);

G_END_DECLS
