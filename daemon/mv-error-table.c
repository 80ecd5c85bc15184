#define G_LOG_DOMAIN "medverse-error"

#include "mv-error-table.h"

#include <stdarg.h>

#define DBUS_PREFIX "org.medverse.Health1.Error."

/* One row per code, in code order (checked by the unit test).  Statuses are plain numbers so
 * the core needs no HTTP library; the reason phrases are RFC 9110's (RFC 6585's for 428, 429 and
 * 431), the ones the HTTP library sends and the API document shows. */
static const MvErrorRow rows[] = {
	{ MV_ERROR_FAILED, 500, "Internal Server Error", DBUS_PREFIX "Failed", 0, TRUE,
	  "internal failure; details are in the daemon log under the request id", "内部错误" },
	{ MV_ERROR_MALFORMED, 400, "Bad Request", DBUS_PREFIX "Malformed", 0, FALSE,
	  "the request could not be parsed: bad JSON, invalid UTF-8, a bad path segment",
	  "请求无法解析（JSON 格式错误、UTF-8 编码无效或路径段无效）" },
	{ MV_ERROR_INVALID_INPUT, 422, "Unprocessable Content", DBUS_PREFIX "InvalidInput", 0,
	  FALSE, "well-formed but of the wrong shape or value; the message names each field",
	  "输入格式正确，但字段的类型或取值不符合要求" },
	{ MV_ERROR_NOT_FOUND, 404, "Not Found", DBUS_PREFIX "NotFound", 0, FALSE,
	  "no such route, plugin, method or resource (or another clinic's)",
	  "未找到该路由、插件、方法或资源" },
	{ MV_ERROR_NOT_ALLOWED, 405, "Method Not Allowed", DBUS_PREFIX "NotAllowed", 0, FALSE,
	  "the HTTP method is not allowed here; Allow lists those that are",
	  "此处不允许使用该 HTTP 方法，允许的方法见 Allow 头" },
	{ MV_ERROR_TOO_LARGE, 413, "Content Too Large", DBUS_PREFIX "TooLarge", 0, FALSE,
	  "the request body or input is over the configured limit",
	  "请求体或输入超过了配置的上限" },
	{ MV_ERROR_UNSUPPORTED_MEDIA, 415, "Unsupported Media Type", DBUS_PREFIX "UnsupportedMedia",
	  0, FALSE, "the body must be application/json in UTF-8",
	  "请求体必须是 UTF-8 编码的 application/json" },
	{ MV_ERROR_TIMED_OUT, 504, "Gateway Timeout", DBUS_PREFIX "TimedOut", 0, FALSE,
	  "the call ran past its time limit, or waited for a worker past it",
	  "调用超过了时间限制" },
	{ MV_ERROR_UNAVAILABLE, 503, "Service Unavailable", DBUS_PREFIX "Unavailable", 5, FALSE,
	  "not ready, shutting down or the database is away; retry after Retry-After seconds",
	  "服务暂不可用，请在 Retry-After 指定的秒数后重试" },
	{ MV_ERROR_UNAUTHORIZED, 401, "Unauthorized", DBUS_PREFIX "Unauthorized", 0, FALSE,
	  "missing, unknown, revoked or expired API key", "API 密钥缺失、未知、已吊销或已过期" },
	{ MV_ERROR_FORBIDDEN, 403, "Forbidden", DBUS_PREFIX "Forbidden", 0, FALSE,
	  "the key's role may not use this route or method", "该密钥的角色无权使用此路由或方法" },
	{ MV_ERROR_CONFLICT, 409, "Conflict", DBUS_PREFIX "Conflict", 0, FALSE,
	  "conflicts with the resource's state, e.g. a duplicate",
	  "请求与资源的当前状态冲突（例如重复）" },
	/* the rate limiter computes its own Retry-After */
	{ MV_ERROR_RATE_LIMITED, 429, "Too Many Requests", DBUS_PREFIX "RateLimited", 0, FALSE,
	  "too many requests for this key; retry after Retry-After seconds",
	  "该密钥的请求过多，请在 Retry-After 指定的秒数后重试" },
	{ MV_ERROR_INTEGRITY, 500, "Internal Server Error", DBUS_PREFIX "Integrity", 0, TRUE,
	  "stored data failed an integrity check; details are in the daemon log",
	  "存储的数据未通过完整性校验" },
	{ MV_ERROR_PRECONDITION_FAILED, 412, "Precondition Failed",
	  DBUS_PREFIX "PreconditionFailed", 0, FALSE,
	  "the resource changed since the If-Match version was read",
	  "资源在读取 If-Match 所给版本之后已被修改" },
	{ MV_ERROR_PRECONDITION_REQUIRED, 428, "Precondition Required",
	  DBUS_PREFIX "PreconditionRequired", 0, FALSE, "an update needs If-Match",
	  "更新请求需要 If-Match 头" },
	{ MV_ERROR_LENGTH_REQUIRED, 411, "Length Required", DBUS_PREFIX "LengthRequired", 0, FALSE,
	  "send the body with Content-Length, not chunked",
	  "请使用 Content-Length 发送请求体，不要使用分块传输" },
	{ MV_ERROR_RESPONSE_TOO_LARGE, 500, "Internal Server Error", DBUS_PREFIX "ResponseTooLarge",
	  0, FALSE, "the plugin's answer is over the response limit, which the message names",
	  "插件的应答超过了响应大小上限" },
	{ MV_ERROR_REQUEST_TIMEOUT, 408, "Request Timeout", DBUS_PREFIX "RequestTimeout", 0, FALSE,
	  "the request's headers or body did not arrive in time; the connection is closed",
	  "请求头或请求体未能按时到达，连接已关闭" },
	{ MV_ERROR_HEADERS_TOO_LARGE, 431, "Request Header Fields Too Large",
	  DBUS_PREFIX "HeadersTooLarge", 0, FALSE,
	  "the request line and headers are over the size or count limit",
	  "请求行和请求头超过了大小或数量上限" },
	/* a full disk is not fixed in 5 s: a longer pause spares the database the retries */
	{ MV_ERROR_INSUFFICIENT_RESOURCES, 503, "Service Unavailable",
	  DBUS_PREFIX "InsufficientResources", 30, FALSE,
	  "the database is out of disk space, memory or connections and stored nothing; retry "
	  "after Retry-After seconds",
	  "数据库的磁盘空间、内存或连接数不足，未保存任何内容，请在 Retry-After 指定的秒数后重试" },
	/* an isolated plugin's process died: not internal, the message names the plugin */
	{ MV_ERROR_PLUGIN_CRASHED, 500, "Internal Server Error", DBUS_PREFIX "PluginCrashed", 0,
	  FALSE, "the plugin's process died during the call; it is restarted, retry",
	  "插件进程在调用期间崩溃；进程已重新启动，请重试" },
	/* no Retry-After: only the operator's `medversectl plugins enable` brings it back */
	{ MV_ERROR_PLUGIN_DISABLED, 503, "Service Unavailable", DBUS_PREFIX "PluginDisabled", 0,
	  FALSE, "the plugin crashed too often and is disabled until the operator re-enables it",
	  "插件崩溃次数过多，已被停用，需由运维人员重新启用" },
};

G_STATIC_ASSERT (G_N_ELEMENTS (rows) == MV_ERROR_LAST);

const MvErrorRow *
mv_error_table_rows (guint *n_rows)
{
	*n_rows = G_N_ELEMENTS (rows);
	return rows;
}

const MvErrorRow *
mv_error_table_lookup_code (MvError code)
{
	if ((guint)code >= G_N_ELEMENTS (rows))
		return &rows[MV_ERROR_FAILED];
	return &rows[code];
}

const MvErrorRow *
mv_error_table_lookup (const GError *error)
{
	if (error == NULL || error->domain != MV_ERROR)
		return &rows[MV_ERROR_FAILED];
	return mv_error_table_lookup_code ((MvError)error->code);
}

gchar *
mv_error_table_client_message (const GError *error, const gchar *request_id, MvLanguage language)
{
	const MvErrorRow *row = mv_error_table_lookup (error);
	const gchar *zh;

	if (row->internal || error->domain != MV_ERROR) {
		g_warning ("[%s] %s", request_id, error->message);
		if (language == MV_LANGUAGE_ZH)
			return g_strdup_printf ("内部错误；详情记录在守护进程日志中，请求编号 %s",
						request_id);
		return g_strdup_printf ("internal failure; the daemon log has the details under "
					"request id %s",
					request_id);
	}
	if (language != MV_LANGUAGE_ZH)
		return g_strdup (error->message);
	zh = mv_error_get_message_zh (error);
	if (zh != NULL && zh[0] != '\0')
		return g_strdup (zh);
	return g_strdup_printf ("%s（%s）", row->message_zh, error->message);
}

const gchar *
mv_error_table_problem_message (const MvErrorProblem *problem, MvLanguage language)
{
	if (language == MV_LANGUAGE_ZH && problem->message_zh != NULL)
		return problem->message_zh;
	return problem->message;
}

static GError *
new_bilingual_valist (MvError code, const gchar *format, const gchar *format_zh, va_list args)
{
	va_list copy;
	GError *error;
	g_autofree gchar *zh = NULL;

	va_copy (copy, args);
	zh = g_strdup_vprintf (format_zh, copy);
	va_end (copy);
	error = g_error_new_valist (MV_ERROR, code, format, args);
	mv_error_set_message_zh (error, zh);
	return error;
}

GError *
mv_error_new_bilingual (MvError code, const gchar *format, const gchar *format_zh, ...)
{
	va_list args;
	GError *error;

	va_start (args, format_zh);
	error = new_bilingual_valist (code, format, format_zh, args);
	va_end (args);
	return error;
}

void
mv_set_error_bilingual_printf (
	GError **error, MvError code, const gchar *format, const gchar *format_zh, ...)
{
	va_list args;

	if (error == NULL)
		return;
	va_start (args, format_zh);
	g_propagate_error (error, new_bilingual_valist (code, format, format_zh, args));
	va_end (args);
}
