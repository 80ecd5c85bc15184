/* One request and its answer, and the helpers every route uses to answer. */
#define G_LOG_DOMAIN "medverse-http"

#include "config.h"

#include <gio/gio.h>

#include <mv-host-private.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <string.h>

#include "mv-error-table.h"
#include "mv-http-exchange.h"
#include "mv-request-id.h"

MvHttpExchange *
mv_http_exchange_new (struct MHD_Connection *conn, const gchar *uri)
{
	MvHttpExchange *ex = g_new0 (MvHttpExchange, 1);
	const gchar *query = strchr (uri, '?');
	const union MHD_ConnectionInfo *info
		= MHD_get_connection_info (conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	ex->conn = conn;
	ex->request_id = mv_request_id_new ();
	ex->started_us = g_get_monotonic_time ();
	ex->raw_path = query != NULL ? g_strndup (uri, query - uri) : g_strdup (uri);
	ex->raw_query = query != NULL ? g_strdup (query + 1) : NULL;
	if (info != NULL && info->client_addr != NULL) {
		g_autoptr (GSocketAddress) address = g_socket_address_new_from_native (
			info->client_addr, info->client_addr->sa_family == AF_INET6
						   ? sizeof (struct sockaddr_in6)
						   : sizeof (struct sockaddr_in));
		if (G_IS_INET_SOCKET_ADDRESS (address))
			ex->client_address
				= g_inet_address_to_string (g_inet_socket_address_get_address (
					G_INET_SOCKET_ADDRESS (address)));
	}
	ex->answer_headers = g_ptr_array_new_with_free_func (g_free);
	ex->scratch = g_ptr_array_new_with_free_func (g_free);
	return ex;
}

void
mv_http_exchange_free (MvHttpExchange *ex)
{
	if (ex == NULL)
		return;
	g_free (ex->request_id);
	g_free (ex->method);
	g_free (ex->raw_path);
	g_free (ex->raw_query);
	g_free (ex->client_address);
	if (ex->body != NULL)
		g_byte_array_unref (ex->body);
	g_free (ex->answer_text);
	g_ptr_array_unref (ex->answer_headers);
	g_ptr_array_unref (ex->scratch);
	g_free (ex);
}

/* whether the handler chose the answer's type (a calendar): JSON is the default */
static gboolean
has_content_type (MvHttpExchange *ex)
{
	for (guint i = 0; i + 1 < ex->answer_headers->len; i += 2)
		if (g_ascii_strcasecmp (g_ptr_array_index (ex->answer_headers, i), "Content-Type")
		    == 0)
			return TRUE;
	return FALSE;
}

enum MHD_Result
mv_http_exchange_queue (MvHttpExchange *ex)
{
	gsize len = ex->answer_text != NULL ? strlen (ex->answer_text) : 0;
	struct MHD_Response *response;
	enum MHD_Result ret;

	response = MHD_create_response_from_buffer_with_free_callback (
		len, g_steal_pointer (&ex->answer_text), g_free);
	if (response == NULL)
		return MHD_NO;
	if (len > 0 && !has_content_type (ex))
		MHD_add_response_header (response, "Content-Type", "application/json");
	MHD_add_response_header (response, "Cache-Control", "no-store");
	MHD_add_response_header (response, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header (response, "X-Request-Id", ex->request_id);
	for (guint i = 0; i + 1 < ex->answer_headers->len; i += 2)
		MHD_add_response_header (response, g_ptr_array_index (ex->answer_headers, i),
					 g_ptr_array_index (ex->answer_headers, i + 1));
	if (ex->close)
		MHD_add_response_header (response, "Connection", "close");
	ret = MHD_queue_response (ex->conn, ex->status, response);
	MHD_destroy_response (response);
	return ret;
}

/* An answer in bytes, for the few cases the library cannot send: a deadline passed while it was
 * reading, or a refusal the client must see while it is still sending its body. */
gchar *
mv_http_raw_answer (guint status,
		    const gchar *request_id,
		    MvLanguage language,
		    const gchar *json_text)
{
	/* RFC 9110's IMF-fixdate, in English whatever the locale */
	static const gchar *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
	static const gchar *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
	const gchar *reason = MHD_get_reason_phrase_for (status);

	return g_strdup_printf (
		"HTTP/1.1 %u %s\r\nDate: %s, %02d %s %d %02d:%02d:%02d GMT\r\nConnection: close\r\n"
		"Content-Type: application/json\r\nCache-Control: no-store\r\n"
		"X-Content-Type-Options: nosniff\r\nX-Request-Id: %s\r\nContent-Language: "
		"%s\r\nContent-Length: %zu\r\n\r\n%s",
		status, reason != NULL && reason[0] != '\0' ? reason : "Error",
		days[g_date_time_get_day_of_week (now) - 1], g_date_time_get_day_of_month (now),
		months[g_date_time_get_month (now) - 1], g_date_time_get_year (now),
		g_date_time_get_hour (now), g_date_time_get_minute (now),
		g_date_time_get_second (now), request_id, mv_language_to_tag (language),
		strlen (json_text), json_text);
}

gboolean
mv_http_exchange_send_now (MvHttpExchange *ex)
{
	const union MHD_ConnectionInfo *info
		= MHD_get_connection_info (ex->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	g_autofree gchar *bytes = NULL;
	gssize sent;

	if (info == NULL || ex->answer_text == NULL)
		return FALSE;
	bytes = mv_http_raw_answer (ex->status, ex->request_id, ex->language, ex->answer_text);
	sent = send (info->connect_fd, bytes, strlen (bytes), MSG_DONTWAIT | MSG_NOSIGNAL);
	/* begun is as good as sent: the library must not answer after part of ours, so the
	 * connection closes either way (a full socket buffer cuts ours short, at worst) */
	ex->sent_now = sent > 0;
	return ex->sent_now;
}

const gchar *
mv_http_exchange_get_request_id (MvHttpExchange *ex)
{
	return ex->request_id;
}

const gchar *
mv_http_exchange_get_method (MvHttpExchange *ex)
{
	return ex->method;
}

const gchar *
mv_http_exchange_get_raw_path (MvHttpExchange *ex)
{
	return ex->raw_path;
}

const gchar *
mv_http_exchange_get_raw_query (MvHttpExchange *ex)
{
	return ex->raw_query;
}

const gchar *
mv_http_exchange_get_client_address (MvHttpExchange *ex)
{
	return ex->client_address;
}

typedef struct {
	const gchar *name;
	GString *joined;
} HeaderLookup;

static enum MHD_Result
collect_header (void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	HeaderLookup *lookup = cls;

	if (g_ascii_strcasecmp (key, lookup->name) != 0)
		return MHD_YES;
	if (lookup->joined->len > 0)
		g_string_append (lookup->joined, ", ");
	g_string_append (lookup->joined, value != NULL ? value : "");
	return MHD_YES;
}

/* Repeated fields are joined as RFC 9110 allows, so a second Authorization or Content-Type
 * cannot hide behind the first.  The joined value lives as long as the exchange. */
const gchar *
mv_http_exchange_get_header (MvHttpExchange *ex, const gchar *name)
{
	HeaderLookup lookup = { name, NULL };
	const gchar *first = MHD_lookup_connection_value (ex->conn, MHD_HEADER_KIND, name);

	if (first == NULL)
		return NULL;
	lookup.joined = g_string_new (NULL);
	MHD_get_connection_values (ex->conn, MHD_HEADER_KIND, collect_header, &lookup);
	if (strcmp (lookup.joined->str, first) == 0) {
		g_string_free (lookup.joined, TRUE);
		return first;
	}
	g_ptr_array_add (ex->scratch, g_string_free (lookup.joined, FALSE));
	return g_ptr_array_index (ex->scratch, ex->scratch->len - 1);
}

static enum MHD_Result
copy_header (void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	GHashTable *headers = cls;
	g_autofree gchar *name = g_ascii_strdown (key, -1);
	const gchar *before = g_hash_table_lookup (headers, name);

	if (value == NULL)
		value = "";
	g_hash_table_insert (headers, g_steal_pointer (&name),
			     before != NULL ? g_strconcat (before, ", ", value, NULL)
					    : g_strdup (value));
	return MHD_YES;
}

GHashTable *
mv_http_exchange_copy_headers (MvHttpExchange *ex)
{
	GHashTable *headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	MHD_get_connection_values (ex->conn, MHD_HEADER_KIND, copy_header, headers);
	return headers;
}

const guint8 *
mv_http_exchange_get_body (MvHttpExchange *ex, gsize *len)
{
	*len = ex->body != NULL ? ex->body->len : 0;
	return ex->body != NULL ? ex->body->data : (const guint8 *)"";
}

void
mv_http_exchange_set_header (MvHttpExchange *ex, const gchar *name, const gchar *value)
{
	for (guint i = 0; i + 1 < ex->answer_headers->len; i += 2) {
		if (g_ascii_strcasecmp (g_ptr_array_index (ex->answer_headers, i), name) == 0) {
			g_free (ex->answer_headers->pdata[i + 1]);
			ex->answer_headers->pdata[i + 1] = g_strdup (value);
			return;
		}
	}
	g_ptr_array_add (ex->answer_headers, g_strdup (name));
	g_ptr_array_add (ex->answer_headers, g_strdup (value));
}

void
mv_http_exchange_suspend (MvHttpExchange *ex)
{
	ex->suspended = TRUE;
	MHD_suspend_connection (ex->conn);
}

void
mv_http_exchange_resume (MvHttpExchange *ex)
{
	MHD_resume_connection (ex->conn);
}

void
mv_http_respond_text (MvHttpExchange *ex, guint status, gchar *json_text)
{
	g_free (ex->answer_text);
	ex->answer_text = json_text;
	ex->status = status;
	ex->answered = TRUE;
}

void
mv_http_respond_json (MvHttpExchange *ex, guint status, JsonNode *body)
{
	mv_http_respond_text (ex, status, mv_json_to_string (body));
}

void
mv_http_respond_empty (MvHttpExchange *ex, guint status)
{
	mv_http_respond_text (ex, status, NULL);
}

static void
add_details (JsonBuilder *builder, const GError *error, MvLanguage language)
{
	guint n = mv_error_get_n_problems (error);

	if (n == 0)
		return;
	json_builder_set_member_name (builder, "details");
	json_builder_begin_array (builder);
	for (guint i = 0; i < n; i++) {
		const MvErrorProblem *problem = mv_error_get_problem (error, i);
		g_autofree gchar *field = g_utf8_make_valid (problem->field, -1);
		g_autofree gchar *message = g_utf8_make_valid (
			mv_error_table_problem_message (problem, language), -1);

		json_builder_begin_object (builder);
		json_builder_set_member_name (builder, "field");
		json_builder_add_string_value (builder, field);
		json_builder_set_member_name (builder, "code");
		json_builder_add_string_value (builder, problem->code);
		json_builder_set_member_name (builder, "message");
		json_builder_add_string_value (builder, message);
		json_builder_end_object (builder);
	}
	json_builder_end_array (builder);
}

/* Every error body, over HTTP: status, Retry-After and what the caller may read all come from
 * the one error table.  A message may quote what the client sent: it is made valid UTF-8 here,
 * the one place every error body passes, so an error body is always valid JSON.  An internal
 * error's problems (there should be none) stay in the log with its message. */
gchar *
mv_http_error_json (const GError *error, const gchar *request_id, MvLanguage language)
{
	const MvErrorRow *row = mv_error_table_lookup (error);
	g_autofree gchar *raw = mv_error_table_client_message (error, request_id, language);
	g_autofree gchar *message = g_utf8_make_valid (raw, -1);
	g_autoptr (JsonBuilder) builder = json_builder_new ();
	g_autoptr (JsonNode) root = NULL;

	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "error");
	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "code");
	json_builder_add_string_value (builder, mv_error_to_string (row->code));
	json_builder_set_member_name (builder, "message");
	json_builder_add_string_value (builder, message);
	json_builder_set_member_name (builder, "request_id");
	json_builder_add_string_value (builder, request_id);
	if (!row->internal && error->domain == MV_ERROR)
		add_details (builder, error, language);
	json_builder_end_object (builder);
	json_builder_end_object (builder);
	root = json_builder_get_root (builder);
	return mv_json_to_string (root);
}

void
mv_http_respond_error (MvHttpExchange *ex, const GError *error)
{
	const MvErrorRow *row = mv_error_table_lookup (error);

	mv_http_respond_text (ex, row->http_status,
			      mv_http_error_json (error, ex->request_id, ex->language));
	mv_http_exchange_set_header (ex, "Content-Language", mv_language_to_tag (ex->language));
	/* RFC 9110: a 401 names the scheme it wants */
	if (row->http_status == 401)
		mv_http_exchange_set_header (ex, "WWW-Authenticate", "Bearer realm=\"medverse\"");
	if (row->retry_after_s > 0) {
		gboolean has = FALSE;
		for (guint i = 0; i + 1 < ex->answer_headers->len; i += 2)
			has |= g_ascii_strcasecmp (g_ptr_array_index (ex->answer_headers, i),
						   "Retry-After")
			       == 0;
		if (!has) {
			g_autofree gchar *seconds = g_strdup_printf ("%u", row->retry_after_s);
			mv_http_exchange_set_header (ex, "Retry-After", seconds);
		}
	}
}

void
mv_http_respond_new_error (
	MvHttpExchange *ex, gint code, const gchar *format, const gchar *format_zh, ...)
{
	va_list args, copy;
	g_autoptr (GError) error = NULL;
	g_autofree gchar *zh = NULL;

	va_start (args, format_zh);
	va_copy (copy, args);
	zh = g_strdup_vprintf (format_zh, copy);
	va_end (copy);
	error = g_error_new_valist (MV_ERROR, code, format, args);
	va_end (args);
	mv_error_set_message_zh (error, zh);
	mv_http_respond_error (ex, error);
}

gboolean
mv_http_check_method (MvHttpExchange *ex, const gchar *allowed)
{
	g_auto (GStrv) list = g_strsplit (allowed, ", ", -1);

	if (g_strv_contains ((const gchar *const *)list, ex->method))
		return TRUE;
	mv_http_exchange_set_header (ex, "Allow", allowed);
	mv_http_respond_new_error (ex, MV_ERROR_NOT_ALLOWED,
				   "method %s is not allowed here; use %s",
				   "此处不允许使用 %s 方法，请使用 %s", ex->method, allowed);
	return FALSE;
}

/* "application/json; charset=utf-8": the media type and its charset parameter, if any */
static gchar *
parse_content_type (const gchar *value, gchar **charset)
{
	g_auto (GStrv) parts = g_strsplit (value, ";", -1);

	*charset = NULL;
	for (guint i = 1; parts[i] != NULL; i++) {
		gchar *param = g_strstrip (parts[i]);
		if (g_ascii_strncasecmp (param, "charset=", 8) == 0) {
			g_autofree gchar *v = g_strdup (param + 8);
			gsize n = strlen (v);
			if (n >= 2 && v[0] == '"' && v[n - 1] == '"')
				*charset = g_strndup (v + 1, n - 2);
			else
				*charset = g_steal_pointer (&v);
		}
	}
	return g_strdup (g_strstrip (parts[0]));
}

gboolean
mv_http_check_json_content_type (MvHttpExchange *ex, gboolean merge_patch)
{
	const gchar *value = mv_http_exchange_get_header (ex, "Content-Type");
	g_autofree gchar *charset = NULL;
	g_autofree gchar *type = value != NULL ? parse_content_type (value, &charset) : NULL;
	/* a PATCH body is a JSON merge patch (RFC 7396), which has its own media type */
	gboolean is_merge_patch = merge_patch && type != NULL
				  && g_ascii_strcasecmp (type, "application/merge-patch+json") == 0;

	/* no Content-Type at all is most often a POST with no body: say what the route needs */
	if (value == NULL) {
		mv_http_respond_new_error (
			ex, MV_ERROR_UNSUPPORTED_MEDIA,
			"this route needs a JSON body: send one with Content-Type: "
			"application/json%s",
			"此路由需要 JSON 请求体：请以 Content-Type: application/json%s 发送",
			merge_patch ? " (or application/merge-patch+json)" : "");
		return FALSE;
	}
	if (!is_merge_patch
	    && (type == NULL || g_ascii_strcasecmp (type, "application/json") != 0)) {
		mv_http_respond_new_error (ex, MV_ERROR_UNSUPPORTED_MEDIA,
					   "content type must be application/json%s, got %s",
					   "内容类型必须是 application/json%s，收到的是 %s",
					   merge_patch ? " (or application/merge-patch+json)" : "",
					   type != NULL && type[0] != '\0' ? type : "none");
		return FALSE;
	}
	if (charset != NULL && g_ascii_strcasecmp (charset, "utf-8") != 0) {
		mv_http_respond_new_error (ex, MV_ERROR_UNSUPPORTED_MEDIA,
					   "charset must be utf-8, got %s",
					   "字符集必须是 utf-8，收到的是 %s", charset);
		return FALSE;
	}
	return TRUE;
}

JsonNode *
mv_http_read_json_body (MvHttpExchange *ex, guint64 max_body_bytes)
{
	gsize len;
	const guint8 *data = mv_http_exchange_get_body (ex, &len);
	g_autoptr (GError) error = NULL;
	JsonNode *root;

	/* the front refused a declared oversize body; this catches the rest */
	if (len > max_body_bytes) {
		mv_http_respond_new_error (ex, MV_ERROR_TOO_LARGE,
					   "body is over the limit of %" G_GUINT64_FORMAT " bytes",
					   "请求体超过了 %" G_GUINT64_FORMAT " 字节的上限",
					   max_body_bytes);
		return NULL;
	}
	if (len == 0) {
		mv_http_respond_new_error (ex, MV_ERROR_MALFORMED, "empty body; send a JSON object",
					   "请求体为空；请发送一个 JSON 对象");
		return NULL;
	}
	root = mv_value_parse_json_object ((const gchar *)data, len, &error);
	if (root == NULL)
		mv_http_respond_error (ex, error);
	return root;
}
