/*
 * The HTTP front: libmicrohttpd (epoll, a pool of event-loop threads) over the route table.
 *
 * Why not libsoup: docs/decisions.md.  What this file adds to the library: strict framing (one
 * Content-Length, never together with Transfer-Encoding), header size and count limits answered
 * with a JSON 431, per-phase deadlines (idle, headers, body) that a client dribbling bytes cannot
 * stretch, an access log whose client-controlled fields are escaped, and the daemon's own request
 * ids.  The library brings connection limits in total and per address and an inactivity timeout.
 */
#define G_LOG_DOMAIN "medverse-http"

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mv-error-table.h"
#include "mv-http-exchange.h"
#include "mv-http.h"
#include "mv-log-escape.h"

/* descriptors kept free for the database pool, plugins, logs and the embedded cluster */
#define FD_RESERVE 64
#define SWEEP_INTERVAL_MS 100
/* An oversize body up to this size is read and thrown away before the 413: a client still
 * sending when the connection closes gets a reset instead of the answer (the kernel discards
 * what it had received).  Larger ones are refused at once, reset or not. */
#define DRAIN_LIMIT (16 * 1024 * 1024)

typedef enum {
	PHASE_IDLE,   /* waiting for a request line */
	PHASE_HEADER, /* request line read, headers coming */
	PHASE_BODY,   /* headers read, body coming */
	PHASE_DRAIN,  /* refused and answered, the body read and dropped: no answer on expiry */
	PHASE_BUSY,   /* being answered: no deadline of ours */
} Phase;

/* One TCP connection, for the deadlines the library cannot keep (see sweep()). */
typedef struct {
	int fd;
	Phase phase;
	gint64 deadline_us;
	gboolean expired;
	gchar request_id[24]; /* of the request being read, for its 408 */
	MvLanguage language;  /* of that 408: English until the headers are in */
} Guard;

struct _MvHttp {
	MvEngine *engine;
	struct MHD_Daemon *mhd;
	gchar *listen;
	gchar *url;
	int listen_fd; /* ours until the library takes it; -1 once closed */
	guint64 max_body_bytes;
	struct {
		guint threads, max_connections, max_connections_per_client;
		guint idle_timeout_ms, header_timeout_ms, body_timeout_ms;
		guint max_header_bytes, max_headers;
	} limits;	/* [http], read once: they need a restart to change */
	gint accepting; /* atomic */
	gint active;	/* atomic: requests whose headers were read, not yet answered */
	MvHttpRouter *router;

	GMutex guard_lock; /* guards, and every Guard in it */
	GHashTable *guards;
	guint sweep_source;
	gint64 readyz_warned_us; /* main thread only */
	guint readyz_suppressed;
};

static gint64
phase_deadline (MvHttp *self, Phase phase)
{
	gint64 now = g_get_monotonic_time ();

	switch (phase) {
	case PHASE_IDLE:
		return now + (gint64)self->limits.idle_timeout_ms * 1000;
	case PHASE_HEADER:
		return now + (gint64)self->limits.header_timeout_ms * 1000;
	case PHASE_BODY:
	case PHASE_DRAIN:
		return now + (gint64)self->limits.body_timeout_ms * 1000;
	case PHASE_BUSY:
	default:
		return G_MAXINT64;
	}
}

static void
set_phase (MvHttp *self, Guard *guard, Phase phase)
{
	if (guard == NULL)
		return;
	g_mutex_lock (&self->guard_lock);
	guard->phase = phase;
	guard->deadline_us = phase_deadline (self, phase);
	g_mutex_unlock (&self->guard_lock);
}

static void
set_language (MvHttp *self, Guard *guard, MvLanguage language)
{
	if (guard == NULL)
		return;
	g_mutex_lock (&self->guard_lock);
	guard->language = language;
	g_mutex_unlock (&self->guard_lock);
}

static Guard *
connection_guard (struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *info
		= MHD_get_connection_info (conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return info != NULL ? info->socket_context : NULL;
}

/* A 408 written straight to the socket: the library is only reading in these phases, and its
 * own answer machinery cannot be reached from outside a request callback. */
static void
send_timeout_answer (const Guard *guard)
{
	g_autoptr (GError) error
		= guard->phase == PHASE_HEADER
			  ? mv_error_new_bilingual (MV_ERROR_REQUEST_TIMEOUT,
						    "the request's headers did not arrive in time",
						    "请求头未能按时到达")
			  : mv_error_new_bilingual (MV_ERROR_REQUEST_TIMEOUT,
						    "the request's body did not arrive in time",
						    "请求体未能按时到达");
	g_autofree gchar *body = mv_http_error_json (error, guard->request_id, guard->language);
	g_autofree gchar *answer
		= mv_http_raw_answer (408, guard->request_id, guard->language, body);

	(void)!send (guard->fd, answer, strlen (answer), MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* The deadlines: libmicrohttpd only knows inactivity, which a client sending one byte a second
 * never reaches.  Shutting the socket down (never closing it: the descriptor is the library's)
 * makes the library see the end of the stream and close the connection itself.  A guard is
 * removed under the lock before its descriptor is closed, so the descriptor is still ours here. */
static gboolean
sweep (gpointer user_data)
{
	MvHttp *self = user_data;
	gint64 now = g_get_monotonic_time ();
	GHashTableIter iter;
	gpointer key;
	guint headers = 0, bodies = 0;

	g_mutex_lock (&self->guard_lock);
	g_hash_table_iter_init (&iter, self->guards);
	while (g_hash_table_iter_next (&iter, &key, NULL)) {
		Guard *guard = key;
		if (guard->expired || now < guard->deadline_us)
			continue;
		guard->expired = TRUE;
		if (guard->phase == PHASE_HEADER || guard->phase == PHASE_BODY)
			send_timeout_answer (guard);
		headers += guard->phase == PHASE_HEADER;
		bodies += guard->phase == PHASE_BODY;
		shutdown (guard->fd, SHUT_RDWR);
	}
	g_mutex_unlock (&self->guard_lock);
	/* one line per sweep, not per connection: a slow-header attack is hundreds at once */
	if (headers > 0)
		g_message ("http: closed %u connection(s) whose headers took over %u ms (408)",
			   headers, self->limits.header_timeout_ms);
	if (bodies > 0)
		g_message ("http: closed %u connection(s) whose body took over %u ms (408)", bodies,
			   self->limits.body_timeout_ms);
	return G_SOURCE_CONTINUE;
}

static void
on_connection (void *cls,
	       struct MHD_Connection *conn,
	       void **socket_context,
	       enum MHD_ConnectionNotificationCode code)
{
	MvHttp *self = cls;
	Guard *guard = *socket_context;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *info
			= MHD_get_connection_info (conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		guard = g_new0 (Guard, 1);
		guard->fd = info != NULL ? info->connect_fd : -1;
		/* the deadline is set before the sweep can see the guard: a guard in the table
		 * with a deadline of zero is shut down at once, a fresh connection closed with
		 * no answer (seen once in 20,000 connections under load) */
		guard->phase = PHASE_IDLE;
		guard->deadline_us = phase_deadline (self, PHASE_IDLE);
		*socket_context = guard;
		g_mutex_lock (&self->guard_lock);
		g_hash_table_add (self->guards, guard);
		g_mutex_unlock (&self->guard_lock);
		return;
	}
	if (guard == NULL)
		return;
	g_mutex_lock (&self->guard_lock);
	g_hash_table_remove (self->guards, guard);
	g_mutex_unlock (&self->guard_lock);
	g_free (guard);
	*socket_context = NULL;
}

/* Called once per request when its request line is read: the exchange is born here, with the
 * target exactly as sent (the library's own unescaping is switched off). */
static void *
on_request_line (void *cls, const char *uri, struct MHD_Connection *conn)
{
	MvHttp *self = cls;
	MvHttpExchange *ex = mv_http_exchange_new (conn, uri);
	Guard *guard = connection_guard (conn);

	if (guard != NULL) {
		g_mutex_lock (&self->guard_lock);
		g_strlcpy (guard->request_id, ex->request_id, sizeof guard->request_id);
		guard->language = MV_LANGUAGE_EN;
		g_mutex_unlock (&self->guard_lock);
	}
	set_phase (self, guard, PHASE_HEADER);
	return ex;
}

static size_t
keep_escaped (void *cls, struct MHD_Connection *conn, char *s)
{
	return strlen (s);
}

typedef struct {
	guint count;
	gsize bytes;
	guint content_lengths;
	gboolean transfer_encoding;
} HeaderCensus;

static enum MHD_Result
count_header (void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	HeaderCensus *census = cls;

	census->count++;
	census->bytes += strlen (key) + (value != NULL ? strlen (value) : 0) + 4;
	if (g_ascii_strcasecmp (key, "Content-Length") == 0)
		census->content_lengths++;
	if (g_ascii_strcasecmp (key, "Transfer-Encoding") == 0)
		census->transfer_encoding = TRUE;
	return MHD_YES;
}

typedef enum {
	HEAD_OK,
	HEAD_REFUSED,	    /* answered: the library sends it with the headers and closes */
	HEAD_REFUSED_DRAIN, /* answered: sent now, the body is read and dropped, then closed */
} HeadOutcome;

/* A refusal the client sees while it may still be sending its body: a server that closes with
 * unread data makes the client's kernel drop the answer (a reset), so the answer goes out now
 * and the body is read and dropped behind it, up to DRAIN_LIMIT.  A client that asked
 * "Expect: 100-continue" has sent no body yet: the library answers and closes. */
static HeadOutcome
refuse_while_draining (MvHttpExchange *ex, GError *error)
{
	g_autoptr (GError) owned = error;
	const gchar *expect = MHD_lookup_connection_value (ex->conn, MHD_HEADER_KIND, "Expect");

	mv_http_respond_error (ex, owned);
	if (expect != NULL && g_ascii_strcasecmp (expect, "100-continue") == 0)
		return HEAD_REFUSED;
	return mv_http_exchange_send_now (ex) ? HEAD_REFUSED_DRAIN : HEAD_REFUSED;
}

/* Refuses what the library lets through: too many or too large headers, and any framing a proxy
 * in front could read differently (the request-smuggling cases). */
static HeadOutcome
check_head (MvHttp *self, MvHttpExchange *ex, const gchar *version)
{
	HeaderCensus census = { 0 };
	const gchar *length, *te;
	guint64 declared = 0;

	MHD_get_connection_values (ex->conn, MHD_HEADER_KIND, count_header, &census);
	census.bytes += strlen (ex->method) + strlen (ex->raw_path)
			+ (ex->raw_query != NULL ? strlen (ex->raw_query) + 1 : 0)
			+ strlen (version) + 4;
	ex->close = TRUE;
	length = MHD_lookup_connection_value (ex->conn, MHD_HEADER_KIND, "Content-Length");
	te = MHD_lookup_connection_value (ex->conn, MHD_HEADER_KIND, "Transfer-Encoding");
	if (census.count > self->limits.max_headers) {
		mv_http_respond_new_error (ex, MV_ERROR_HEADERS_TOO_LARGE,
					   "%u header fields; at most %u are accepted",
					   "请求头字段有 %u 个，最多接受 %u 个", census.count,
					   self->limits.max_headers);
		return HEAD_REFUSED;
	}
	if (census.bytes > self->limits.max_header_bytes) {
		mv_http_respond_new_error (ex, MV_ERROR_HEADERS_TOO_LARGE,
					   "request line and headers of %" G_GSIZE_FORMAT
					   " bytes; at most %u are accepted",
					   "请求行和请求头共 %" G_GSIZE_FORMAT
					   " 字节，最多接受 %u 字节",
					   census.bytes, self->limits.max_header_bytes);
		return HEAD_REFUSED;
	}
	if (census.content_lengths > 1) {
		mv_http_respond_new_error (ex, MV_ERROR_MALFORMED,
					   "more than one Content-Length header",
					   "Content-Length 请求头出现了不止一次");
		return HEAD_REFUSED;
	}
	if (census.transfer_encoding && census.content_lengths > 0) {
		mv_http_respond_new_error (
			ex, MV_ERROR_MALFORMED,
			"both Content-Length and Transfer-Encoding; send one",
			"同时出现了 Content-Length 和 Transfer-Encoding；只能发送其中之一");
		return HEAD_REFUSED;
	}
	/* a Content-Length that is not a decimal number never gets here: the library refuses it
	 * while parsing the head (docs/decisions.md) */
	if (te != NULL && g_ascii_strcasecmp (te, "chunked") == 0)
		return refuse_while_draining (
			ex,
			mv_error_new_bilingual (MV_ERROR_LENGTH_REQUIRED,
						"chunked request bodies are not accepted; "
						"send Content-Length",
						"不接受分块传输的请求体；请发送 Content-Length"));
	if (te != NULL) {
		mv_http_respond_new_error (
			ex, MV_ERROR_MALFORMED,
			"Transfer-Encoding is not supported; send Content-Length",
			"不支持 Transfer-Encoding；请发送 Content-Length");
		return HEAD_REFUSED;
	}
	if (length != NULL)
		declared = g_ascii_strtoull (length, NULL, 10);
	if (declared > self->max_body_bytes) {
		GError *error = mv_error_new_bilingual (
			MV_ERROR_TOO_LARGE,
			"body of %" G_GUINT64_FORMAT
			" bytes is over the limit of %" G_GUINT64_FORMAT " bytes",
			"请求体为 %" G_GUINT64_FORMAT " 字节，超过了 %" G_GUINT64_FORMAT
			" 字节的上限",
			declared, self->max_body_bytes);
		if (declared > DRAIN_LIMIT) {
			mv_http_respond_error (ex, error);
			g_error_free (error);
			return HEAD_REFUSED;
		}
		return refuse_while_draining (ex, error);
	}
	ex->close = FALSE;
	if (declared > 0)
		ex->body = g_byte_array_sized_new ((guint)declared);
	return HEAD_OK;
}

static void
add_lines (JsonBuilder *builder, const gchar *member, gchar **lines)
{
	if (lines == NULL)
		return;
	json_builder_set_member_name (builder, member);
	json_builder_begin_array (builder);
	for (guint i = 0; lines[i] != NULL; i++)
		json_builder_add_string_value (builder, lines[i]);
	json_builder_end_array (builder);
}

static void
respond_status (
	MvHttpExchange *ex, guint status, const gchar *value, gchar **busy, gchar **disabled)
{
	g_autoptr (JsonBuilder) builder = json_builder_new ();
	g_autoptr (JsonNode) root = NULL;

	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "status");
	json_builder_add_string_value (builder, value);
	add_lines (builder, "busy_plugins", busy);
	add_lines (builder, "disabled_plugins", disabled);
	json_builder_end_object (builder);
	root = json_builder_get_root (builder);
	mv_http_respond_json (ex, status, root);
}

typedef struct {
	MvHttp *self;
	MvHttpExchange *ex;
} ReadyzCall;

/* On the main thread (the engine's async calls complete there). */
static void
readyz_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
	ReadyzCall *call = user_data;
	MvHttp *self = call->self;
	gint64 now = g_get_monotonic_time ();
	g_autoptr (GError) error = NULL;
	g_auto (GStrv) busy = NULL;
	g_auto (GStrv) disabled = NULL;

	/* a plugin whose workers are all busy, or one disabled after crashing, is reported, not
	 * made a reason to take the whole daemon out of a load balancer: every other route and
	 * plugin still answers (docs/api.md, "Health") */
	if (mv_engine_check_ready_finish (MV_ENGINE (source), result, &error)) {
		busy = mv_engine_list_busy_plugins (MV_ENGINE (source));
		disabled = mv_engine_list_disabled_plugins (MV_ENGINE (source));
		respond_status (call->ex, 200,
				disabled != NULL ? "degraded"
				: busy == NULL	 ? "ready"
						 : "ready-busy",
				busy, disabled);
	} else {
		/* the reason is for the operator, once a minute during an outage, not per probe */
		if (now - self->readyz_warned_us >= 60 * G_USEC_PER_SEC) {
			g_warning ("not ready: %s%s", error->message,
				   self->readyz_suppressed > 0 ? " (and earlier probes)" : "");
			self->readyz_warned_us = now;
			self->readyz_suppressed = 0;
		} else {
			self->readyz_suppressed++;
		}
		g_auto (GStrv) wedged = mv_engine_list_wedged_plugins (MV_ENGINE (source));
		g_autofree gchar *names = wedged != NULL ? g_strjoinv ("; ", wedged) : NULL;
		/* the database's own words stay in the log; plugin names are for the prober too */
		if (names != NULL)
			mv_http_respond_new_error (call->ex, MV_ERROR_UNAVAILABLE,
						   "not ready: wedged plugin(s): %s",
						   "尚未就绪：插件卡死：%s", names);
		else if (g_error_matches (error, MV_ERROR, MV_ERROR_INSUFFICIENT_RESOURCES))
			mv_http_respond_error (call->ex, error);
		else
			mv_http_respond_new_error (
				call->ex, MV_ERROR_UNAVAILABLE,
				"not ready: the database is unreachable or its "
				"migrations are not applied",
				"尚未就绪：无法连接数据库，或数据库迁移尚未执行");
	}
	mv_http_exchange_resume (call->ex);
	g_free (call);
}

/* Answers @ex, or suspends it until a worker or the engine does. */
static void
route (MvHttp *self, MvHttpExchange *ex)
{
	if (!g_atomic_int_get (&self->accepting)) {
		ex->close = TRUE;
		mv_http_respond_new_error (ex, MV_ERROR_UNAVAILABLE, "the daemon is shutting down",
					   "守护进程正在关闭");
		return;
	}
	if (g_strcmp0 (ex->raw_path, "/healthz") == 0) {
		if (mv_http_check_method (ex, "GET, HEAD"))
			respond_status (ex, 200, "ok", NULL, NULL);
		return;
	}
	if (g_strcmp0 (ex->raw_path, "/readyz") == 0) {
		ReadyzCall *call;
		if (!mv_http_check_method (ex, "GET, HEAD"))
			return;
		call = g_new0 (ReadyzCall, 1);
		call->self = self;
		call->ex = ex;
		mv_http_exchange_suspend (ex);
		mv_engine_check_ready_async (self->engine, readyz_done, call);
		return;
	}
	if (mv_http_router_dispatch (self->router, ex))
		return;
	/* the raw path: percent-encoded, so always text */
	mv_http_respond_new_error (ex, MV_ERROR_NOT_FOUND, "no route for %s",
				   "没有与 %s 对应的路由", ex->raw_path);
}

/* Called with the headers, with each piece of the body, once the body is complete, and once
 * more after a suspended request is resumed. */
static enum MHD_Result
on_access (void *cls,
	   struct MHD_Connection *conn,
	   const char *url,
	   const char *method,
	   const char *version,
	   const char *upload_data,
	   size_t *upload_data_size,
	   void **req_cls)
{
	MvHttp *self = cls;
	MvHttpExchange *ex = *req_cls;

	if (ex->suspended)
		return mv_http_exchange_queue (ex);
	if (!ex->headers_done) {
		ex->headers_done = TRUE;
		ex->method = g_strdup (method);
		/* every answer from here on, a refusal of the head included, speaks the caller's
		 * language; only a 408 before the headers are in (or the library's own answers)
		 * stays English */
		ex->language = mv_locale_language_from_accept_language (
			mv_http_exchange_get_header (ex, "Accept-Language"));
		set_language (self, connection_guard (conn), ex->language);
		ex->counted = TRUE;
		g_atomic_int_inc (&self->active);
		switch (check_head (self, ex, version)) {
		case HEAD_REFUSED:
			set_phase (self, connection_guard (conn), PHASE_BUSY);
			return mv_http_exchange_queue (ex);
		case HEAD_REFUSED_DRAIN:
			set_phase (self, connection_guard (conn), PHASE_DRAIN);
			return MHD_YES;
		case HEAD_OK:
			break;
		}
		/* answered on a later call, even without a body: an answer queued with the headers
		 * makes the library close the connection after it (it cannot know where the next
		 * request starts), which is right for the refusals above and nothing else */
		if (ex->body != NULL)
			set_phase (self, connection_guard (conn), PHASE_BODY);
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		/* more than declared cannot arrive: the library frames by Content-Length */
		if (ex->body != NULL)
			g_byte_array_append (ex->body, (const guint8 *)upload_data,
					     (guint)*upload_data_size);
		ex->drained += *upload_data_size;
		*upload_data_size = 0;
		/* a chunked body has no declared size: past the limit the connection just closes */
		return ex->drained > DRAIN_LIMIT && ex->body == NULL ? MHD_NO : MHD_YES;
	}
	set_phase (self, connection_guard (conn), PHASE_BUSY);
	/* refused and answered already: the dropped body is in, the connection closes */
	if (ex->sent_now)
		return MHD_NO;
	route (self, ex);
	/* a suspended request is answered on the call that follows its resume */
	if (ex->suspended)
		return MHD_YES;
	return mv_http_exchange_queue (ex);
}

/* TRUE when the sweep answered 408 for the request being read on @conn */
static gboolean
timed_out (MvHttp *self, struct MHD_Connection *conn)
{
	Guard *guard = connection_guard (conn);
	gboolean answered;

	if (guard == NULL)
		return FALSE;
	g_mutex_lock (&self->guard_lock);
	answered = guard->expired && (guard->phase == PHASE_HEADER || guard->phase == PHASE_BODY);
	g_mutex_unlock (&self->guard_lock);
	return answered;
}

static void
on_completed (void *cls,
	      struct MHD_Connection *conn,
	      void **req_cls,
	      enum MHD_RequestTerminationCode code)
{
	MvHttp *self = cls;
	MvHttpExchange *ex = *req_cls;
	g_autofree gchar *path = NULL;
	g_autofree gchar *client_id = NULL;
	g_autofree gchar *status = NULL;
	gboolean expired;

	*req_cls = NULL;
	if (ex == NULL)
		return;
	expired = timed_out (self, conn);
	if (ex->counted)
		g_atomic_int_add (&self->active, -1);
	/* one line per request read (a 408 for headers that never completed included) */
	if (ex->counted || expired) {
		/* every client-controlled field escaped: a path cannot forge a line */
		path = mv_log_escape (ex->raw_path, 512);
		if (ex->headers_done)
			client_id = mv_log_escape (
				MHD_lookup_connection_value (conn, MHD_HEADER_KIND, "X-Request-Id"),
				128);
		/* a client that went away before its answer was written: "aborted", as nginx's 499
		 */
		if (expired)
			status = g_strdup ("408");
		else if ((code == MHD_REQUEST_TERMINATED_COMPLETED_OK && ex->answered)
			 || ex->sent_now)
			status = g_strdup_printf ("%u", ex->status);
		else
			status = g_strdup (ex->answered ? "aborted" : "no-answer");
		g_message ("http: %s %s %s %s %" G_GINT64_FORMAT "ms%s%s%s", ex->request_id,
			   ex->method != NULL ? ex->method : "-", path, status,
			   (g_get_monotonic_time () - ex->started_us) / 1000,
			   client_id != NULL && strcmp (client_id, "-") != 0 ? " client-id=\"" : "",
			   client_id != NULL && strcmp (client_id, "-") != 0 ? client_id : "",
			   client_id != NULL && strcmp (client_id, "-") != 0 ? "\"" : "");
	}
	mv_http_exchange_free (ex);
	set_phase (self, connection_guard (conn), PHASE_IDLE);
}

static void
on_library_message (void *cls, const char *format, va_list args)
{
	g_autofree gchar *text = g_strdup_vprintf (format, args);
	g_autofree gchar *safe = mv_log_escape (g_strchomp (text), 512);
	g_debug ("libmicrohttpd: %s", safe);
}

MvHttp *
mv_http_new (MvEngine *engine, const MvConfig *config)
{
	MvHttp *self = g_new0 (MvHttp, 1);

	self->engine = g_object_ref (engine);
	self->listen = g_strdup (config->http_listen);
	self->listen_fd = -1;
	self->max_body_bytes = config->max_body_bytes;
	self->limits.threads = config->http_threads;
	self->limits.max_connections = config->http_max_connections;
	self->limits.max_connections_per_client = config->http_max_connections_per_client;
	self->limits.idle_timeout_ms = config->http_idle_timeout_ms;
	self->limits.header_timeout_ms = config->http_header_timeout_ms;
	self->limits.body_timeout_ms = config->http_body_timeout_ms;
	self->limits.max_header_bytes = config->http_max_header_bytes;
	self->limits.max_headers = config->http_max_headers;
	self->accepting = TRUE;
	self->router = mv_http_router_new (config->max_body_bytes, config->max_response_bytes);
	g_mutex_init (&self->guard_lock);
	self->guards = g_hash_table_new (NULL, NULL);
	return self;
}

/* "127.0.0.1:8080" or "[::1]:0" to a bound, listening socket */
static int
open_listener (const gchar *spec, GError **error)
{
	const gchar *colon = strrchr (spec, ':');
	g_autofree gchar *host = g_strndup (spec, colon - spec);
	guint64 port = g_ascii_strtoull (colon + 1, NULL, 10);
	g_autoptr (GInetAddress) address = NULL;
	g_autoptr (GSocketAddress) socket_address = NULL;
	struct sockaddr_storage native;
	int fd, one = 1;

	if (host[0] == '[' && host[strlen (host) - 1] == ']') {
		gchar *inner = g_strndup (host + 1, strlen (host) - 2);
		g_free (host);
		host = inner;
	}
	address = g_inet_address_new_from_string (host);
	if (address == NULL) {
		g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
			     "[http] listen: '%s' is not a numeric IP address", host);
		return -1;
	}
	socket_address = g_inet_socket_address_new (address, (guint16)port);
	if (!g_socket_address_to_native (socket_address, &native, sizeof native, error))
		return -1;
	fd = socket (native.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0
	    || bind (fd, (struct sockaddr *)&native,
		     g_socket_address_get_native_size (socket_address))
		       != 0
	    || listen (fd, 1024) != 0) {
		int saved = errno;
		if (fd >= 0)
			close (fd);
		g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
			     "cannot listen on %s: %s", spec, g_strerror (saved));
		return -1;
	}
	return fd;
}

static gchar *
bound_url (int fd)
{
	struct sockaddr_storage native;
	socklen_t len = sizeof native;
	g_autoptr (GSocketAddress) address = NULL;
	g_autofree gchar *host = NULL;
	guint16 port;

	if (getsockname (fd, (struct sockaddr *)&native, &len) != 0)
		return NULL;
	address = g_socket_address_new_from_native (&native, len);
	host = g_inet_address_to_string (
		g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));
	port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address));
	if (strchr (host, ':') != NULL)
		return g_strdup_printf ("http://[%s]:%u", host, port);
	return g_strdup_printf ("http://%s:%u", host, port);
}

/* The configured connection limit, held below the descriptor limit */
static guint
connection_limit (MvHttp *self)
{
	struct rlimit limit;
	guint wanted = self->limits.max_connections;

	if (getrlimit (RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY
	    || limit.rlim_cur <= FD_RESERVE * 2)
		return wanted;
	if (wanted > limit.rlim_cur - FD_RESERVE) {
		g_message ("[http] max-connections %u is over the descriptor limit %lu less %u "
			   "kept for the database and plugins: using %lu",
			   wanted, (gulong)limit.rlim_cur, FD_RESERVE,
			   (gulong)(limit.rlim_cur - FD_RESERVE));
		return (guint)(limit.rlim_cur - FD_RESERVE);
	}
	return wanted;
}

gboolean
mv_http_start (MvHttp *self, GError **error)
{
	guint threads
		= self->limits.threads != 0 ? self->limits.threads : (guint)g_get_num_processors ();
	/* the pool holds the request line, the headers and the read buffer: room for the largest
	 * accepted head twice over, so the 431 comes from our check (JSON) and not the library */
	gsize pool = (gsize)self->limits.max_header_bytes * 2 + 32768;
	guint idle_s = (self->limits.idle_timeout_ms + 999) / 1000;

	self->listen_fd = open_listener (self->listen, error);
	if (self->listen_fd < 0)
		return FALSE;
	self->url = bound_url (self->listen_fd);
	self->mhd = MHD_start_daemon (
		MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG, 0,
		NULL, NULL, on_access, self, MHD_OPTION_EXTERNAL_LOGGER, on_library_message, self,
		MHD_OPTION_LISTEN_SOCKET, self->listen_fd, MHD_OPTION_THREAD_POOL_SIZE,
		(unsigned int)MAX (threads, 1), MHD_OPTION_CONNECTION_LIMIT,
		(unsigned int)connection_limit (self), MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		(unsigned int)self->limits.max_connections_per_client,
		/* the library's inactivity timeout backs up our deadlines (slow readers of answers)
		 */
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)MAX (idle_s, 1),
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, pool, MHD_OPTION_NOTIFY_CONNECTION,
		on_connection, self, MHD_OPTION_URI_LOG_CALLBACK, on_request_line, self,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, self, MHD_OPTION_UNESCAPE_CALLBACK,
		keep_escaped, self, MHD_OPTION_END);
	if (self->mhd == NULL) {
		close (self->listen_fd);
		self->listen_fd = -1;
		g_set_error (
			error, MV_ERROR, MV_ERROR_FAILED,
			"cannot start the HTTP server on %s (libmicrohttpd refused its options)",
			self->listen);
		return FALSE;
	}
	self->sweep_source = g_timeout_add (SWEEP_INTERVAL_MS, sweep, self);
	g_message ("listening on %s (%u thread(s))", self->url, MAX (threads, 1));
	return TRUE;
}

const gchar *
mv_http_get_url (MvHttp *self)
{
	return self->url;
}

void
mv_http_stop_accepting (MvHttp *self)
{
	g_atomic_int_set (&self->accepting, FALSE);
}

guint
mv_http_get_active (MvHttp *self)
{
	return (guint)g_atomic_int_get (&self->active);
}

guint
mv_http_get_running_workers (MvHttp *self)
{
	return mv_http_router_get_running (self->router);
}

/* Stops listening; connections whose handlers still run stay suspended until the process exits
 * (stopping the library with suspended connections is not allowed). */
void
mv_http_close (MvHttp *self)
{
	g_atomic_int_set (&self->accepting, FALSE);
	if (self->mhd != NULL && self->listen_fd >= 0) {
		MHD_socket fd = MHD_quiesce_daemon (self->mhd);
		if (fd != MHD_INVALID_SOCKET)
			close (fd);
		self->listen_fd = -1;
	}
}

void
mv_http_reconfigure (MvHttp *self, const MvConfig *config)
{
	if (self->max_body_bytes != config->max_body_bytes)
		g_message ("HTTP body limit now %" G_GUINT64_FORMAT " bytes",
			   config->max_body_bytes);
	self->max_body_bytes = config->max_body_bytes;
	mv_http_router_set_limits (self->router, config->max_body_bytes,
				   config->max_response_bytes);
	if (g_strcmp0 (self->listen, config->http_listen) != 0)
		g_message ("[http] listen changed; it takes effect after a restart");
}

void
mv_http_add_routes (MvHttp *self, const MvHttpRoute *routes, guint n_routes, gpointer user_data)
{
	mv_http_router_add (self->router, routes, n_routes, user_data);
}

GPtrArray *
mv_http_get_routes (MvHttp *self)
{
	return mv_http_router_get_routes (self->router);
}

void
mv_http_set_authenticator (MvHttp *self, MvHttpAuthFunc func, gpointer user_data)
{
	mv_http_router_set_authenticator (self->router, func, user_data);
}

void
mv_http_set_idempotency (MvHttp *self, MvIdempotency *idempotency)
{
	mv_http_router_set_idempotency (self->router, idempotency);
}

void
mv_http_free (MvHttp *self)
{
	if (self == NULL)
		return;
	if (self->sweep_source != 0)
		g_source_remove (self->sweep_source);
	if (self->mhd != NULL)
		MHD_stop_daemon (self->mhd);
	mv_http_router_free (self->router);
	g_hash_table_unref (self->guards);
	g_mutex_clear (&self->guard_lock);
	g_object_unref (self->engine);
	g_free (self->listen);
	g_free (self->url);
	g_free (self);
}
