/* The plugin host channel's framing (daemon/host/mv-host-channel.c): what a broken or hostile
 * peer can send is refused with the right error, and good frames come through unchanged. */
#include <criterion/criterion.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mv-host-channel.h"

static int fds[2] = { -1, -1 };

static void
setup (void)
{
	cr_assert_eq (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
}

static void
teardown (void)
{
	for (guint i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close (fds[i]);
	fds[0] = fds[1] = -1;
}

static void
write_raw (int fd, const void *data, gsize len)
{
	cr_assert_eq (write (fd, data, len), (ssize_t)len);
}

static void
write_length (int fd, guint32 len)
{
	guint8 header[4] = { len & 0xff, (len >> 8) & 0xff, (len >> 16) & 0xff, len >> 24 };
	write_raw (fd, header, sizeof header);
}

/* a deadline in the near future: a test that would block fails instead */
static gint64
soon (void)
{
	return g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
}

TestSuite (host_channel, .init = setup, .fini = teardown);

Test (host_channel, call_round_trip)
{
	g_auto (MvHostFrame) frame = { 0 };
	g_autoptr (GError) error = NULL;
	g_autoptr (GVariant) input = g_variant_ref_sink (g_variant_new ("(sd)", "身高", 1.75));
	GVariant *payload = g_variant_new ("(ssvssus)", "Compute", "", input, "req-1", "clinic-9",
					   4u, "zh-CN");
	g_autoptr (GVariant) got_input = NULL;
	const gchar *method, *request_id, *clinic, *locale, *empty;
	guint32 roles;

	cr_assert (mv_host_channel_write (fds[0], MV_HOST_FRAME_CALL, 42, payload, &error), "%s",
		   error ? error->message : "");
	cr_assert (mv_host_channel_read (fds[1], soon (), &frame, &error), "%s",
		   error ? error->message : "");
	cr_assert_eq (frame.kind, MV_HOST_FRAME_CALL);
	cr_assert_eq (frame.id, 42);
	g_variant_get (frame.payload, "(&s&sv&s&su&s)", &method, &empty, &got_input, &request_id,
		       &clinic, &roles, &locale);
	cr_assert_str_eq (method, "Compute");
	cr_assert_str_eq (request_id, "req-1");
	cr_assert_str_eq (clinic, "clinic-9");
	cr_assert_eq (roles, 4);
	cr_assert_str_eq (locale, "zh-CN");
	cr_assert (g_variant_equal (got_input, input));
}

Test (host_channel, frames_stay_apart)
{
	g_autoptr (GError) error = NULL;

	for (guint i = 0; i < 3; i++)
		cr_assert (mv_host_channel_write (fds[0], MV_HOST_FRAME_LOG, i,
						  g_variant_new ("(uss)", 16u, "", "line"),
						  &error));
	cr_assert (mv_host_channel_write (fds[0], MV_HOST_FRAME_SHUTDOWN, 9, g_variant_new ("()"),
					  &error));
	for (guint i = 0; i < 3; i++) {
		g_auto (MvHostFrame) frame = { 0 };
		cr_assert (mv_host_channel_read (fds[1], soon (), &frame, &error));
		cr_assert_eq (frame.kind, MV_HOST_FRAME_LOG);
		cr_assert_eq (frame.id, i);
	}
	g_auto (MvHostFrame) last = { 0 };
	cr_assert (mv_host_channel_read (fds[1], soon (), &last, &error));
	cr_assert_eq (last.kind, MV_HOST_FRAME_SHUTDOWN);
}

Test (host_channel, oversize_length_is_refused_before_reading)
{
	g_auto (MvHostFrame) frame = { 0 };
	g_autoptr (GError) error = NULL;

	write_length (fds[0], MV_HOST_CHANNEL_MAX_FRAME + 1);
	cr_assert_not (mv_host_channel_read (fds[1], soon (), &frame, &error));
	cr_assert (g_error_matches (error, MV_HOST_CHANNEL_ERROR, MV_HOST_CHANNEL_ERROR_OVERSIZE),
		   "%s", error->message);
	cr_assert_null (frame.payload);
}

Test (host_channel, close_inside_a_frame_is_truncation)
{
	g_auto (MvHostFrame) frame = { 0 };
	g_autoptr (GError) error = NULL;

	write_length (fds[0], 100);
	write_raw (fds[0], "0123456789", 10);
	close (fds[0]);
	fds[0] = -1;
	cr_assert_not (mv_host_channel_read (fds[1], soon (), &frame, &error));
	cr_assert (g_error_matches (error, MV_HOST_CHANNEL_ERROR, MV_HOST_CHANNEL_ERROR_TRUNCATED),
		   "%s", error->message);
}

Test (host_channel, close_inside_the_length_is_truncation)
{
	g_auto (MvHostFrame) frame = { 0 };
	g_autoptr (GError) error = NULL;

	write_raw (fds[0], "\x10\x00", 2);
	close (fds[0]);
	fds[0] = -1;
	cr_assert_not (mv_host_channel_read (fds[1], soon (), &frame, &error));
	cr_assert (g_error_matches (error, MV_HOST_CHANNEL_ERROR, MV_HOST_CHANNEL_ERROR_TRUNCATED),
		   "%s", error->message);
}

Test (host_channel, close_between_frames_is_closed)
{
	g_auto (MvHostFrame) frame = { 0 };
	g_autoptr (GError) error = NULL;

	close (fds[0]);
	fds[0] = -1;
	cr_assert_not (mv_host_channel_read (fds[1], soon (), &frame, &error));
	cr_assert (g_error_matches (error, MV_HOST_CHANNEL_ERROR, MV_HOST_CHANNEL_ERROR_CLOSED),
		   "%s", error->message);
}

Test (host_channel, silence_past_the_deadline_times_out)
{
	g_auto (MvHostFrame) frame = { 0 };
	g_autoptr (GError) error = NULL;
	gint64 start = g_get_monotonic_time ();

	cr_assert_not (mv_host_channel_read (fds[1], start + 50000, &frame, &error));
	cr_assert (g_error_matches (error, MV_HOST_CHANNEL_ERROR, MV_HOST_CHANNEL_ERROR_TIMED_OUT),
		   "%s", error->message);
	cr_assert_geq (g_get_monotonic_time () - start, 50000);
}

/* kind 5 (RESULT), id 1, a (v) claiming type "i" over 3 bytes: GVariant would read it as 0,
 * which is why the normal-form check must come before any use */
Test (host_channel, not_normal_form_is_refused)
{
	static const guint8 body[] = { 5, 0, 0, 0, 1, 0, 0, 0, 1, 2, 3, 0, 'i' };
	g_auto (MvHostFrame) frame = { 0 };
	g_autoptr (GError) error = NULL;

	write_length (fds[0], sizeof body);
	write_raw (fds[0], body, sizeof body);
	cr_assert_not (mv_host_channel_read (fds[1], soon (), &frame, &error));
	cr_assert (g_error_matches (error, MV_HOST_CHANNEL_ERROR, MV_HOST_CHANNEL_ERROR_MALFORMED),
		   "%s", error->message);
	cr_assert (strstr (error->message, "normal form") != NULL, "%s", error->message);
}

/* a body that cannot even hold its kind and id */
Test (host_channel, frame_shorter_than_kind_and_id_is_refused)
{
	g_auto (MvHostFrame) frame = { 0 };
	g_autoptr (GError) error = NULL;

	write_length (fds[0], 4);
	write_raw (fds[0], "junk", 4);
	cr_assert_not (mv_host_channel_read (fds[1], soon (), &frame, &error));
	cr_assert (g_error_matches (error, MV_HOST_CHANNEL_ERROR, MV_HOST_CHANNEL_ERROR_MALFORMED),
		   "%s", error->message);
	cr_assert (strstr (error->message, "shorter than its kind and id") != NULL, "%s",
		   error->message);
}

/* a well-framed frame whose payload is not the type its kind carries */
static void
assert_refused (guint32 kind, GVariant *payload, const gchar *needle)
{
	g_autoptr (GVariant) owned = g_variant_ref_sink (payload);
	g_autoptr (GBytes) body = g_variant_get_data_as_bytes (owned);
	guint8 kind_id[8] = { kind & 0xff, (kind >> 8) & 0xff, (kind >> 16) & 0xff, kind >> 24, 7 };
	g_auto (MvHostFrame) frame = { 0 };
	g_autoptr (GError) error = NULL;

	write_length (fds[0], (guint32)(sizeof kind_id + g_bytes_get_size (body)));
	write_raw (fds[0], kind_id, sizeof kind_id);
	write_raw (fds[0], g_bytes_get_data (body, NULL), g_bytes_get_size (body));
	cr_assert_not (mv_host_channel_read (fds[1], soon (), &frame, &error));
	cr_assert (g_error_matches (error, MV_HOST_CHANNEL_ERROR, MV_HOST_CHANNEL_ERROR_MALFORMED),
		   "%s", error->message);
	cr_assert (strstr (error->message, needle) != NULL, "%s", error->message);
}

Test (host_channel, wrong_payload_type_is_refused)
{
	assert_refused (MV_HOST_FRAME_CALL, g_variant_new ("(s)", "Compute"),
			"not a (ssvssus) in normal form");
	assert_refused (MV_HOST_FRAME_RESULT, g_variant_new_string ("x"),
			"not a (v) in normal form");
	assert_refused (MV_HOST_FRAME_HELLO, g_variant_new ("(ss)", "a", "b"), "normal form");
}

Test (host_channel, unknown_kind_is_refused)
{
	assert_refused (99, g_variant_new ("()"), "unknown kind 99");
	assert_refused (0, g_variant_new ("()"), "unknown kind 0");
}

/* a peer that stops reading (a host that spins) holds a writer only until the deadline */
Test (host_channel, a_peer_that_stops_reading_holds_the_writer_only_to_the_deadline)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *big = g_strnfill (8 * 1024 * 1024, 'x');
	gint64 start = g_get_monotonic_time ();

	cr_assert_not (mv_host_channel_write_until (fds[0], start + 100000, MV_HOST_FRAME_LOG, 1,
						    g_variant_new ("(uss)", 16u, "", big), &error));
	cr_assert (g_error_matches (error, MV_HOST_CHANNEL_ERROR, MV_HOST_CHANNEL_ERROR_TIMED_OUT),
		   "%s", error->message);
	cr_assert_geq (g_get_monotonic_time () - start, 100000);
	cr_assert_lt (g_get_monotonic_time () - start, 5 * G_USEC_PER_SEC);
}

/* a frame larger than the socket's buffer arrives whole while the reader keeps reading */
static gpointer
write_big (gpointer data)
{
	const gchar *big = data;
	return GINT_TO_POINTER (mv_host_channel_write (
		fds[0], MV_HOST_FRAME_LOG, 2, g_variant_new ("(uss)", 16u, "", big), NULL));
}

Test (host_channel, a_frame_larger_than_the_socket_buffer_arrives_whole)
{
	g_autofree gchar *big = g_strnfill (4 * 1024 * 1024 + 3, 'y');
	g_auto (MvHostFrame) frame = { 0 };
	g_autoptr (GError) error = NULL;
	GThread *writer = g_thread_new ("writer", write_big, big);
	const gchar *text;

	cr_assert (mv_host_channel_read (fds[1], soon (), &frame, &error), "%s",
		   error ? error->message : "");
	cr_assert (GPOINTER_TO_INT (g_thread_join (writer)));
	g_variant_get (frame.payload, "(u&s&s)", NULL, NULL, &text);
	cr_assert_eq (strlen (text), strlen (big));
	cr_assert_str_eq (text, big);
}
