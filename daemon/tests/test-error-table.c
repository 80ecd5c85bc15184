/* The one error table: one row per code in code order, RFC reason phrases, distinct D-Bus names
 * that GDBus really uses, and the policy of what a caller may read. */
#include <criterion/criterion.h>
#include <gio/gio.h>
#include <string.h>

#include "mv-dbus.h"
#include "mv-error-table.h"

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
	g_autofree gchar *a = mv_error_table_client_message (internal, "rid1");
	g_autofree gchar *b = mv_error_table_client_message (foreign, "rid2");
	g_autofree gchar *c = mv_error_table_client_message (shown, "rid3");

	cr_assert_null (strstr (a, "SELECT"));
	cr_assert (strstr (a, "rid1") != NULL);
	cr_assert_null (strstr (b, "path"));
	cr_assert_eq (mv_error_table_lookup (foreign)->code, MV_ERROR_FAILED);
	cr_assert_str_eq (c, "weight_kg: must be a number");
}
