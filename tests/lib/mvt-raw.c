/* The raw HTTP/1.1 client of the front tests: see mvt-raw.h. */
#include "mvt-raw.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* a loopback connect that takes longer than this is a daemon whose backlog is full */
#define CONNECT_TIMEOUT_MS 10000

struct _MvtRaw {
	int fd;
	GByteArray *in;
	gsize consumed; /* bytes of @in already returned by mvt_raw_read_response() */
	MvtRawState state;
	gint64 answered_at;
	gint64 ended_at;
};

/* ---- responses ------------------------------------------------------------------------------- */

void
mvt_raw_response_free (MvtRawResponse *resp)
{
	if (resp == NULL)
		return;
	g_free (resp->version);
	g_free (resp->reason);
	g_strfreev (resp->headers);
	g_free (resp->body);
	if (resp->json != NULL)
		json_node_unref (resp->json);
	g_free (resp);
}

const gchar *
mvt_raw_response_header (const MvtRawResponse *resp, const gchar *name)
{
	for (guint i = 0; resp->headers[i] != NULL; i += 2)
		if (g_ascii_strcasecmp (resp->headers[i], name) == 0)
			return resp->headers[i + 1];
	return NULL;
}

guint
mvt_raw_response_count_header (const MvtRawResponse *resp, const gchar *name)
{
	guint n = 0;
	for (guint i = 0; resp->headers[i] != NULL; i += 2)
		if (g_ascii_strcasecmp (resp->headers[i], name) == 0)
			n++;
	return n;
}

gboolean
mvt_raw_response_keeps_alive (const MvtRawResponse *resp)
{
	if (g_strcmp0 (resp->version, "HTTP/1.1") != 0)
		return FALSE;
	for (guint i = 0; resp->headers[i] != NULL; i += 2) {
		g_auto (GStrv) tokens = NULL;
		if (g_ascii_strcasecmp (resp->headers[i], "Connection") != 0)
			continue;
		tokens = g_strsplit (resp->headers[i + 1], ",", -1);
		for (guint t = 0; tokens[t] != NULL; t++)
			if (g_ascii_strcasecmp (g_strstrip (tokens[t]), "close") == 0)
				return FALSE;
	}
	return TRUE;
}

/* a non-empty string member of @obj; NULL when absent, empty or no string (json-glib's own
 * getters are criticals on a missing member) */
static const gchar *
string_member (JsonObject *obj, const gchar *name)
{
	JsonNode *node = json_object_get_member (obj, name);
	if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string (node)[0] != '\0' ? json_node_get_string (node) : NULL;
}

static gboolean G_GNUC_PRINTF (2, 3) fail_why (gchar **why, const gchar *format, ...)
{
	va_list args;

	if (why != NULL) {
		va_start (args, format);
		*why = g_strdup_vprintf (format, args);
		va_end (args);
	}
	return FALSE;
}

gboolean
mvt_raw_response_is_json_error (const MvtRawResponse *resp, gchar **why)
{
	const gchar *type = mvt_raw_response_header (resp, "Content-Type");
	const gchar *id = mvt_raw_response_header (resp, "X-Request-Id");
	JsonNode *node;
	JsonObject *error;
	const gchar *error_id;

	if (type == NULL || !g_str_has_prefix (type, "application/json"))
		return fail_why (why, "%u with Content-Type %s: %s", resp->status,
				 type != NULL ? type : "(none)", resp->body);
	if (!g_utf8_validate (resp->body, (gssize)resp->len, NULL))
		return fail_why (why, "%u: the body is not UTF-8", resp->status);
	if (resp->json == NULL || !JSON_NODE_HOLDS_OBJECT (resp->json))
		return fail_why (why, "%u: the body is no JSON object: %s", resp->status,
				 resp->body);
	node = json_object_get_member (json_node_get_object (resp->json), "error");
	if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
		return fail_why (why, "%u: no \"error\" object in %s", resp->status, resp->body);
	error = json_node_get_object (node);
	if (string_member (error, "code") == NULL || string_member (error, "message") == NULL)
		return fail_why (why, "%u: no error code or message in %s", resp->status,
				 resp->body);
	error_id = string_member (error, "request_id");
	if (id == NULL || g_strcmp0 (error_id, id) != 0)
		return fail_why (why, "%u: error.request_id %s, X-Request-Id %s", resp->status,
				 error_id != NULL ? error_id : "(none)",
				 id != NULL ? id : "(none)");
	return TRUE;
}

static const gchar *
find_crlf (const gchar *data, gsize len)
{
	for (gsize i = 0; i + 1 < len; i++)
		if (data[i] == '\r' && data[i + 1] == '\n')
			return data + i;
	return NULL;
}

/* the status line "HTTP/1.1 200 OK"; FALSE when it is none */
static gboolean
parse_status_line (const gchar *line, MvtRawResponse *resp)
{
	const gchar *sp = strchr (line, ' ');
	gchar *end = NULL;
	guint64 status;

	if (!g_str_has_prefix (line, "HTTP/") || sp == NULL)
		return FALSE;
	status = g_ascii_strtoull (sp + 1, &end, 10);
	if (end != sp + 4 || status < 100 || status > 999 || (*end != ' ' && *end != '\0'))
		return FALSE;
	resp->version = g_strndup (line, sp - line);
	resp->status = (guint)status;
	resp->reason = g_strdup (*end == ' ' ? end + 1 : "");
	return TRUE;
}

/* the header block (without the blank line) as name, value pairs; FALSE on a line that is no
 * header field */
static gboolean
parse_headers (const gchar *block, gsize len, GStrvBuilder *out)
{
	g_autofree gchar *text = g_strndup (block, len);
	g_auto (GStrv) lines = g_strsplit (text, "\r\n", -1);

	for (guint i = 0; lines[i] != NULL; i++) {
		gchar *colon = strchr (lines[i], ':');
		if (colon == NULL || colon == lines[i])
			return FALSE;
		*colon = '\0';
		g_strv_builder_add (out, lines[i]);
		g_strv_builder_add (out, g_strstrip (colon + 1));
	}
	return TRUE;
}

/* a chunked body starting at @data: its decoded bytes in @body and the bytes it took (0:
 * incomplete, -1: malformed) */
static gssize
parse_chunked (const gchar *data, gsize len, GByteArray *body)
{
	gsize off = 0;

	for (;;) {
		const gchar *eol = find_crlf (data + off, len - off);
		g_autofree gchar *size_text = NULL;
		gchar *end = NULL;
		guint64 size;

		if (eol == NULL)
			return 0;
		size_text = g_strndup (data + off, eol - (data + off));
		size = g_ascii_strtoull (size_text, &end, 16);
		if (end == size_text || (*end != '\0' && *end != ';'))
			return -1;
		off = (eol - data) + 2;
		if (size == 0)
			break;
		if (len - off < size + 2)
			return 0;
		if (data[off + size] != '\r' || data[off + size + 1] != '\n')
			return -1;
		g_byte_array_append (body, (const guint8 *)data + off, (guint)size);
		off += size + 2;
	}
	/* trailer fields, then the blank line */
	for (;;) {
		const gchar *eol = find_crlf (data + off, len - off);
		gsize line_len;
		if (eol == NULL)
			return 0;
		line_len = eol - (data + off);
		off += line_len + 2;
		if (line_len == 0)
			return (gssize)off;
	}
}

static void
set_body (MvtRawResponse *resp, const guint8 *data, gsize len)
{
	g_autoptr (JsonParser) parser = json_parser_new ();

	resp->body = g_malloc (len + 1);
	memcpy (resp->body, data, len);
	resp->body[len] = '\0';
	resp->len = len;
	if (len > 0 && g_utf8_validate (resp->body, (gssize)len, NULL)
	    && json_parser_load_from_data (parser, resp->body, (gssize)len, NULL)
	    && json_parser_get_root (parser) != NULL)
		resp->json = json_node_copy (json_parser_get_root (parser));
}

/* The body of @resp from @data (what follows the header block): the bytes it took, 0 when it
 * is incomplete, -1 when it is malformed. */
static gssize
parse_body (MvtRawResponse *resp, const gchar *data, gsize len, gboolean at_eof)
{
	const gchar *te = mvt_raw_response_header (resp, "Transfer-Encoding");
	const gchar *cl = mvt_raw_response_header (resp, "Content-Length");

	if (resp->status < 200 || resp->status == 204 || resp->status == 304) {
		set_body (resp, NULL, 0);
		return 0;
	}
	if (te != NULL && g_ascii_strcasecmp (te, "chunked") == 0) {
		g_autoptr (GByteArray) body = g_byte_array_new ();
		gssize used = parse_chunked (data, len, body);
		if (used > 0)
			set_body (resp, body->data, body->len);
		return used;
	}
	if (cl != NULL) {
		gchar *end = NULL;
		guint64 n = g_ascii_strtoull (cl, &end, 10);
		if (end == cl || *end != '\0')
			return -1;
		if (len < n)
			return 0;
		set_body (resp, (const guint8 *)data, n);
		return (gssize)n;
	}
	if (!at_eof)
		return 0;
	resp->close_delimited = TRUE;
	set_body (resp, (const guint8 *)data, len);
	return (gssize)len;
}

/* One response at @data: the bytes it took with the response in @out, 0 when it is incomplete,
 * -1 when the bytes are no HTTP response. */
static gssize
parse_one (const gchar *data, gsize len, gboolean at_eof, MvtRawResponse **out)
{
	g_autoptr (MvtRawResponse) resp = g_new0 (MvtRawResponse, 1);
	g_autoptr (GStrvBuilder) headers = g_strv_builder_new ();
	const gchar *eol = find_crlf (data, len);
	const gchar *end = g_strstr_len (data, (gssize)len, "\r\n\r\n");
	g_autofree gchar *status_line = NULL;
	gsize head_len;
	gssize body_len;

	if (len < 5)
		return strncmp (data, "HTTP/", len) == 0 ? 0 : -1;
	if (!g_str_has_prefix (data, "HTTP/"))
		return -1;
	if (end == NULL)
		return 0;
	status_line = g_strndup (data, eol - data);
	if (!parse_status_line (status_line, resp))
		return -1;
	head_len = (end - data) + 4;
	if (eol != end && !parse_headers (eol + 2, end - (eol + 2), headers))
		return -1;
	resp->headers = g_strv_builder_end (headers);
	body_len = parse_body (resp, data + head_len, len - head_len, at_eof);
	if (body_len < 0)
		return -1;
	if (resp->body == NULL)
		return 0;
	*out = g_steal_pointer (&resp);
	return (gssize)head_len + body_len;
}

GPtrArray *
mvt_raw_parse_responses (const gchar *data, gsize len, gboolean at_eof, gsize *rest)
{
	GPtrArray *responses
		= g_ptr_array_new_with_free_func ((GDestroyNotify)mvt_raw_response_free);
	gsize off = 0;

	while (off < len) {
		MvtRawResponse *resp = NULL;
		gssize used = parse_one (data + off, len - off, at_eof, &resp);
		if (used <= 0)
			break;
		g_ptr_array_add (responses, resp);
		off += (gsize)used;
	}
	if (rest != NULL)
		*rest = len - off;
	return responses;
}

/* ---- the connection -------------------------------------------------------------------------- */

static gboolean
parse_url (const gchar *url, GSocketAddress **address, GError **error)
{
	g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, error);
	g_autoptr (GInetAddress) inet = NULL;
	const gchar *host;

	if (uri == NULL)
		return FALSE;
	host = g_uri_get_host (uri);
	inet = host != NULL ? g_inet_address_new_from_string (host) : NULL;
	if (inet == NULL || g_uri_get_port (uri) <= 0) {
		g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			     "%s: not http://ADDRESS:PORT with a numeric address", url);
		return FALSE;
	}
	*address = g_inet_socket_address_new (inet, (guint16)g_uri_get_port (uri));
	return TRUE;
}

static gboolean
set_errno_error (GError **error, int err, const gchar *what)
{
	g_set_error (error, G_IO_ERROR, g_io_error_from_errno (err), "%s: %s", what,
		     g_strerror (err));
	return FALSE;
}

static gboolean
bind_source (int fd, GSocketFamily family, const gchar *source, GError **error)
{
	g_autoptr (GInetAddress) inet = g_inet_address_new_from_string (source);
	g_autoptr (GSocketAddress) address = NULL;
	struct sockaddr_storage native;
	int one = 1;

	if (inet == NULL || g_inet_address_get_family (inet) != family) {
		g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			     "source %s: not a numeric address of the daemon's family", source);
		return FALSE;
	}
	address = g_inet_socket_address_new (inet, 0);
	if (!g_socket_address_to_native (address, &native, sizeof native, error))
		return FALSE;
#ifdef IP_BIND_ADDRESS_NO_PORT
	/* the port is picked at connect() time, from the whole 4-tuple: thousands of short
	 * connections from one source address do not run out of ports */
	setsockopt (fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
#endif
	if (bind (fd, (struct sockaddr *)&native, g_socket_address_get_native_size (address)) < 0)
		return set_errno_error (error, errno, source);
	return TRUE;
}

static gboolean
connect_with_timeout (int fd, GSocketAddress *address, GError **error)
{
	struct sockaddr_storage native;
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	int err = 0;
	socklen_t err_len = sizeof err;
	int n;

	if (!g_socket_address_to_native (address, &native, sizeof native, error))
		return FALSE;
	if (connect (fd, (struct sockaddr *)&native, g_socket_address_get_native_size (address))
	    == 0)
		return TRUE;
	if (errno != EINPROGRESS)
		return set_errno_error (error, errno, "connect");
	while ((n = poll (&pfd, 1, CONNECT_TIMEOUT_MS)) < 0 && errno == EINTR)
		;
	if (n == 0) {
		g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
			     "connect: no answer within %d ms", CONNECT_TIMEOUT_MS);
		return FALSE;
	}
	if (getsockopt (fd, SOL_SOCKET, SO_ERROR, &err, &err_len) < 0)
		return set_errno_error (error, errno, "connect");
	if (err != 0)
		return set_errno_error (error, err, "connect");
	return TRUE;
}

MvtRaw *
mvt_raw_connect_from (const gchar *url, const gchar *source, GError **error)
{
	g_autoptr (GSocketAddress) address = NULL;
	MvtRaw *raw;
	GSocketFamily family;
	int fd;

	if (!parse_url (url, &address, error))
		return NULL;
	family = g_socket_address_get_family (address);
	fd = socket (family == G_SOCKET_FAMILY_IPV6 ? AF_INET6 : AF_INET,
		     SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		set_errno_error (error, errno, "socket");
		return NULL;
	}
	if ((source != NULL && !bind_source (fd, family, source, error))
	    || !connect_with_timeout (fd, address, error)) {
		g_prefix_error (error, "%s: ", url);
		close (fd);
		return NULL;
	}
	raw = g_new0 (MvtRaw, 1);
	raw->fd = fd;
	raw->in = g_byte_array_new ();
	raw->state = MVT_RAW_OPEN;
	return raw;
}

MvtRaw *
mvt_raw_connect (const gchar *url, GError **error)
{
	return mvt_raw_connect_from (url, NULL, error);
}

void
mvt_raw_free (MvtRaw *raw)
{
	if (raw == NULL)
		return;
	close (raw->fd);
	g_byte_array_unref (raw->in);
	g_free (raw);
}

static void
mark_ended (MvtRaw *raw, MvtRawState state)
{
	if (raw->state != MVT_RAW_OPEN)
		return;
	raw->state = state;
	raw->ended_at = g_get_monotonic_time ();
	if (raw->answered_at == 0)
		raw->answered_at = raw->ended_at;
}

/* reads everything the socket has now; TRUE when anything happened */
static gboolean
read_available (MvtRaw *raw)
{
	gboolean progress = FALSE;
	guint8 buf[65536];

	while (raw->state == MVT_RAW_OPEN) {
		gssize n = recv (raw->fd, buf, sizeof buf, MSG_DONTWAIT);
		if (n > 0) {
			g_byte_array_append (raw->in, buf, (guint)n);
			if (raw->answered_at == 0)
				raw->answered_at = g_get_monotonic_time ();
			progress = TRUE;
		} else if (n == 0) {
			mark_ended (raw, MVT_RAW_EOF);
			return TRUE;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			return progress;
		} else if (errno != EINTR) {
			mark_ended (raw, MVT_RAW_RESET);
			return TRUE;
		}
	}
	return progress;
}

static gint
ms_left (gint64 deadline)
{
	gint64 left = (deadline - g_get_monotonic_time () + 999) / 1000;
	return left > 0 ? (gint)MIN (left, G_MAXINT) : 0;
}

/* waits up to @timeout_ms for @events (POLLIN is always included while the connection is
 * open); reads what arrived.  The poll revents, 0 on timeout. */
static short
wait_and_read (MvtRaw *raw, short events, gint timeout_ms)
{
	struct pollfd pfd = { .fd = raw->fd, .events = events };
	int n;

	if (raw->state == MVT_RAW_OPEN)
		pfd.events |= POLLIN;
	while ((n = poll (&pfd, 1, timeout_ms)) < 0 && errno == EINTR)
		;
	if (n <= 0)
		return 0;
	if (pfd.revents & (POLLIN | POLLHUP | POLLERR))
		read_available (raw);
	return pfd.revents;
}

gboolean
mvt_raw_send (MvtRaw *raw, const gchar *data, gssize len, guint timeout_ms, GError **error)
{
	gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;
	gsize total = len < 0 ? strlen (data) : (gsize)len;
	gsize off = 0;

	while (off < total) {
		gssize n = send (raw->fd, data + off, total - off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			off += (gsize)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
			int err = errno;
			/* what the daemon sent before it went away is still to be read */
			read_available (raw);
			mark_ended (raw, MVT_RAW_RESET);
			g_set_error (error, G_IO_ERROR, g_io_error_from_errno (err),
				     "send: %s after %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT
				     " bytes",
				     g_strerror (err), off, total);
			return FALSE;
		}
		if (ms_left (deadline) == 0) {
			g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
				     "send: the daemon took %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT
				     " bytes in %u ms",
				     off, total, timeout_ms);
			return FALSE;
		}
		wait_and_read (raw, POLLOUT, ms_left (deadline));
	}
	return TRUE;
}

MvtRawState
mvt_raw_read_until_closed (MvtRaw *raw, guint timeout_ms)
{
	gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;

	read_available (raw);
	while (raw->state == MVT_RAW_OPEN && ms_left (deadline) > 0)
		wait_and_read (raw, 0, ms_left (deadline));
	return raw->state;
}

gboolean
mvt_raw_wait_activity (MvtRaw *raw, guint timeout_ms)
{
	gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;
	guint before = raw->in->len;

	read_available (raw);
	while (raw->state == MVT_RAW_OPEN && raw->in->len == before && ms_left (deadline) > 0)
		wait_and_read (raw, 0, ms_left (deadline));
	return raw->state != MVT_RAW_OPEN || raw->in->len != before;
}

static const gchar *
state_name (MvtRawState state)
{
	switch (state) {
	case MVT_RAW_EOF:
		return "closed by the daemon";
	case MVT_RAW_RESET:
		return "reset by the daemon";
	default:
		return "open";
	}
}

MvtRawResponse *
mvt_raw_read_response (MvtRaw *raw, guint timeout_ms, GError **error)
{
	gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;

	read_available (raw);
	for (;;) {
		MvtRawResponse *resp = NULL;
		gsize left = raw->in->len - raw->consumed;
		gssize used = left == 0 ? 0
					: parse_one ((const gchar *)raw->in->data + raw->consumed,
						     left, raw->state != MVT_RAW_OPEN, &resp);
		if (used > 0) {
			raw->consumed += (gsize)used;
			return resp;
		}
		if (used < 0 || raw->state != MVT_RAW_OPEN || ms_left (deadline) == 0) {
			g_autofree gchar *got = mvt_raw_describe (raw, 512);
			g_set_error (error, G_IO_ERROR,
				     used < 0			  ? G_IO_ERROR_INVALID_DATA
				     : raw->state != MVT_RAW_OPEN ? G_IO_ERROR_CONNECTION_CLOSED
								  : G_IO_ERROR_TIMED_OUT,
				     "no whole response (%s, %s within %u ms); received: \"%s\"",
				     used < 0 ? "not HTTP" : "incomplete", state_name (raw->state),
				     timeout_ms, got);
			return NULL;
		}
		wait_and_read (raw, 0, ms_left (deadline));
	}
}

MvtRawState
mvt_raw_get_state (MvtRaw *raw)
{
	return raw->state;
}

gint64
mvt_raw_get_answered_at (MvtRaw *raw)
{
	return raw->answered_at;
}

gint64
mvt_raw_get_ended_at (MvtRaw *raw)
{
	return raw->ended_at;
}

const gchar *
mvt_raw_get_received (MvtRaw *raw, gsize *len)
{
	/* the array keeps a NUL after its data for the callers that read it as text */
	g_byte_array_append (raw->in, (const guint8 *)"", 1);
	g_byte_array_set_size (raw->in, raw->in->len - 1);
	if (len != NULL)
		*len = raw->in->len;
	return (const gchar *)raw->in->data;
}

GPtrArray *
mvt_raw_get_responses (MvtRaw *raw, gsize *rest)
{
	return mvt_raw_parse_responses ((const gchar *)raw->in->data, raw->in->len,
					raw->state != MVT_RAW_OPEN, rest);
}

gchar *
mvt_raw_describe (MvtRaw *raw, gsize max)
{
	GString *out = g_string_new (NULL);
	gsize n = MIN (raw->in->len, max);

	for (gsize i = 0; i < n; i++) {
		guint8 c = raw->in->data[i];
		if (c == '\r')
			g_string_append (out, "\\r");
		else if (c == '\n')
			g_string_append (out, "\\n");
		else if (c < 0x20 || c >= 0x7f || c == '\\' || c == '"')
			g_string_append_printf (out, "\\x%02x", c);
		else
			g_string_append_c (out, (gchar)c);
	}
	if (raw->in->len > max)
		g_string_append_printf (out, "... (%u bytes in all)", raw->in->len);
	return g_string_free (out, FALSE);
}

MvtRaw *
mvt_raw_exchange (const gchar *url, const gchar *data, gssize len, guint timeout_ms, GError **error)
{
	MvtRaw *raw = mvt_raw_connect (url, error);

	if (raw == NULL)
		return NULL;
	/* a daemon that answers and closes before taking the whole request is what some of the
	 * tests expect: its answer is in the received bytes either way */
	mvt_raw_send (raw, data, len, timeout_ms, NULL);
	mvt_raw_read_until_closed (raw, timeout_ms);
	return raw;
}
