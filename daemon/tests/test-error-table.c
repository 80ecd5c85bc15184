/* The one error table: one row per code in code order, RFC reason phrases, distinct D-Bus names
 * that GDBus really uses, and the policy of what a caller may read. */
#include <criterion/criterion.h>
#include <gio/gio.h>
#include <string.h>

#include "mv-dbus.h"
#include "mv-error-table.h"
#include "mv-http-exchange.h"

/* RFC 9110 (and RFC 6585 for 428 and 429) */
static const struct {
	guint status;
	const gchar *reason;
} rfc[] = {
	{ 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 409, "Conflict" },
	{ 408, "Request Timeout" },
	{ 411, "Length Required" },
	{ 412, "Precondition Failed" },
	{ 413, "Content Too Large" },
	{ 415, "Unsupported Media Type" },
	{ 422, "Unprocessable Content" },
	{ 428, "Precondition Required" },
	{ 429, "Too Many Requests" },
	{ 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" },
	{ 503, "Service Unavailable" },
	{ 504, "Gateway Timeout" },
};

static const gchar *
rfc_reason (guint status)
{
	for (guint i = 0; i < G_N_ELEMENTS (rfc); i++) {
		if (rfc[i].status == status)
			return rfc[i].reason;
	}
	return NULL;
}

Test (error_table, one_row_per_code_with_its_reason_phrase)
{
	guint n = 0;
	const MvErrorRow *rows = mv_error_table_rows (&n);
	g_autoptr (GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);

	cr_assert_eq (n, MV_ERROR_LAST);
	for (guint i = 0; i < n; i++) {
		cr_assert_eq (rows[i].code, (MvError)i, "row %u holds code %d", i, rows[i].code);
		cr_assert_not_null (rfc_reason (rows[i].http_status), "status %u of %s",
				    rows[i].http_status, mv_error_to_string (rows[i].code));
		cr_assert_str_eq (rows[i].reason, rfc_reason (rows[i].http_status));
		cr_assert (g_str_has_prefix (rows[i].dbus_name, "org.medverse.Health1.Error."));
		cr_assert (g_hash_table_add (names, (gpointer)rows[i].dbus_name), "%s twice",
			   rows[i].dbus_name);
		cr_assert (rows[i].summary != NULL && rows[i].summary[0] != '\0');
		/* a Chinese sentence: valid UTF-8 and not the English one */
		cr_assert (rows[i].message_zh != NULL
				   && g_utf8_validate (rows[i].message_zh, -1, NULL)
				   && !g_str_is_ascii (rows[i].message_zh),
			   "message_zh of %s", mv_error_to_string (rows[i].code));
	}
	cr_assert_eq (mv_error_table_lookup_code (MV_ERROR_PRECONDITION_REQUIRED)->http_status,
		      428);
	cr_assert_eq (mv_error_table_lookup_code (MV_ERROR_RATE_LIMITED)->http_status, 429);
	cr_assert_eq (mv_error_table_lookup_code (MV_ERROR_UNAVAILABLE)->retry_after_s > 0, TRUE);
}

Test (error_table, dbus_uses_the_tables_names)
{
	guint n = 0;
	const MvErrorRow *rows = mv_error_table_rows (&n);

	mv_dbus_register_errors ();
	for (guint i = 0; i < n; i++) {
		g_autoptr (GError) error = g_error_new_literal (MV_ERROR, rows[i].code, "x");
		g_autofree gchar *name = g_dbus_error_encode_gerror (error);
		cr_assert_str_eq (name, rows[i].dbus_name);
	}
}

Test (error_table, internal_messages_stay_in_the_log)
{
	g_autoptr (GError) internal
		= g_error_new_literal (MV_ERROR, MV_ERROR_FAILED, "SELECT … failed at /var/lib/x");
	g_autoptr (GError) foreign = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "path");
	g_autoptr (GError) shown = g_error_new_literal (MV_ERROR, MV_ERROR_INVALID_INPUT,
							"weight_kg: must be a number");
	g_autofree gchar *a = mv_error_table_client_message (internal, "rid1", MV_LANGUAGE_EN);
	g_autofree gchar *b = mv_error_table_client_message (foreign, "rid2", MV_LANGUAGE_EN);
	g_autofree gchar *c = mv_error_table_client_message (shown, "rid3", MV_LANGUAGE_EN);

	cr_assert_null (strstr (a, "SELECT"));
	cr_assert (strstr (a, "rid1") != NULL);
	cr_assert_null (strstr (b, "path"));
	cr_assert_eq (mv_error_table_lookup (foreign)->code, MV_ERROR_FAILED);
	cr_assert_str_eq (c, "weight_kg: must be a number");
}

Test (error_table, chinese_messages_and_the_fallback)
{
	g_autoptr (GError) both = NULL;
	g_autoptr (GError) english_only = g_error_new_literal (MV_ERROR, MV_ERROR_INVALID_INPUT,
							       "weight_kg: must be a number");
	g_autoptr (GError) internal
		= mv_error_new_bilingual (MV_ERROR_FAILED, "SELECT %d failed", "SELECT %d 失败", 1);
	g_autofree gchar *zh = NULL, *en = NULL, *fallback = NULL, *hidden = NULL;

	mv_set_error_bilingual_printf (&both, MV_ERROR_TOO_LARGE, "over %u bytes", "超过 %u 字节",
				       64u);
	zh = mv_error_table_client_message (both, "r1", MV_LANGUAGE_ZH);
	en = mv_error_table_client_message (both, "r1", MV_LANGUAGE_EN);
	cr_assert_str_eq (zh, "超过 64 字节");
	cr_assert_str_eq (en, "over 64 bytes");
	/* no Chinese message: the code's sentence, and the English detail kept after it */
	fallback = mv_error_table_client_message (english_only, "r2", MV_LANGUAGE_ZH);
	cr_assert (g_str_has_prefix (
		fallback, mv_error_table_lookup_code (MV_ERROR_INVALID_INPUT)->message_zh));
	cr_assert_not_null (strstr (fallback, "（weight_kg: must be a number）"), "%s", fallback);
	/* an internal error's Chinese message stays in the log like its English one */
	hidden = mv_error_table_client_message (internal, "r3", MV_LANGUAGE_ZH);
	cr_assert_null (strstr (hidden, "SELECT"));
	cr_assert_not_null (strstr (hidden, "r3"));
	cr_assert_not_null (strstr (hidden, "内部错误"));
}

static JsonObject *
parse_error_body (const gchar *text, JsonNode **root)
{
	g_autoptr (JsonParser) parser = json_parser_new ();

	cr_assert (json_parser_load_from_data (parser, text, -1, NULL), "%s", text);
	*root = json_node_copy (json_parser_get_root (parser));
	return json_object_get_object_member (json_node_get_object (*root), "error");
}

Test (error_body, details_list_every_problem_in_the_callers_language)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (JsonNode) en_root = NULL;
	g_autoptr (JsonNode) zh_root = NULL;
	g_autofree gchar *en_text = NULL, *zh_text = NULL;
	JsonObject *en, *zh;
	JsonArray *details;

	mv_error_add_problem (&error, "/observations/0/value", "out-of-range",
			      "must be at most 45 (°C)", "不得超过 45（°C）");
	mv_error_add_problem (&error, "/code", "required", "required", NULL);
	en_text = mv_http_error_json (error, "rid-1", MV_LANGUAGE_EN);
	zh_text = mv_http_error_json (error, "rid-1", MV_LANGUAGE_ZH);
	en = parse_error_body (en_text, &en_root);
	zh = parse_error_body (zh_text, &zh_root);

	cr_assert_str_eq (json_object_get_string_member (en, "code"), "invalid-input");
	cr_assert_str_eq (json_object_get_string_member (en, "request_id"), "rid-1");
	cr_assert_not_null (strstr (json_object_get_string_member (en, "message"),
				    "/observations/0/value: must be at most 45"));
	cr_assert_not_null (strstr (json_object_get_string_member (zh, "message"), "不得超过 45"));
	details = json_object_get_array_member (en, "details");
	cr_assert_eq (json_array_get_length (details), 2);
	cr_assert_str_eq (
		json_object_get_string_member (json_array_get_object_element (details, 0), "field"),
		"/observations/0/value");
	cr_assert_str_eq (
		json_object_get_string_member (json_array_get_object_element (details, 0), "code"),
		"out-of-range");
	cr_assert_str_eq (
		json_object_get_string_member (json_array_get_object_element (details, 1), "field"),
		"/code");
	details = json_object_get_array_member (zh, "details");
	cr_assert_str_eq (json_object_get_string_member (json_array_get_object_element (details, 0),
							 "message"),
			  "不得超过 45（°C）");
	/* a problem without a Chinese text is shown in English rather than not at all */
	cr_assert_str_eq (json_object_get_string_member (json_array_get_object_element (details, 1),
							 "message"),
			  "required");
}

Test (error_body, no_details_without_problems_and_none_of_an_internal_error)
{
	g_autoptr (GError) plain = mv_error_new_bilingual (MV_ERROR_NOT_FOUND, "no route for %s",
							   "没有与 %s 对应的路由", "/x");
	g_autoptr (GError) internal = NULL;
	g_autoptr (JsonNode) a = NULL;
	g_autoptr (JsonNode) b = NULL;
	g_autofree gchar *plain_text = mv_http_error_json (plain, "r", MV_LANGUAGE_ZH);
	g_autofree gchar *internal_text = NULL;
	JsonObject *error;

	error = parse_error_body (plain_text, &a);
	cr_assert_str_eq (json_object_get_string_member (error, "message"), "没有与 /x 对应的路由");
	cr_assert_not (json_object_has_member (error, "details"));

	mv_error_add_problem (&internal, "/secret", "wrong-type", "patient Ada", NULL);
	internal->code = MV_ERROR_FAILED;
	internal_text = mv_http_error_json (internal, "r", MV_LANGUAGE_EN);
	error = parse_error_body (internal_text, &b);
	cr_assert_not (json_object_has_member (error, "details"));
	cr_assert_null (strstr (internal_text, "Ada"));
}

Test (error_body, invalid_utf8_in_a_message_still_makes_valid_json)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (JsonNode) root = NULL;
	g_autofree gchar *text = NULL;

	mv_error_add_problem (&error, "/a\xff", "invalid-format", "bad \xfe", "坏 \xfe");
	text = mv_http_error_json (error, "r", MV_LANGUAGE_ZH);
	cr_assert (g_utf8_validate (text, -1, NULL));
	parse_error_body (text, &root);
}
