/* The patient store's list: a clinic's live patients, one keyset page at a time
 * (mv_patient_store_list() in mv-patient-store.h; docs/api.md, "Listing patients").
 *
 * Order: (created_at, patient_id).  A patient's place in it never changes (created_at is never
 * updated, ids are unique), so a walk that follows its cursors sees every patient that existed
 * when it began exactly once, whatever is inserted, updated or shredded meanwhile.  Ordering by
 * updated_at instead would let a patient changed between two pages jump behind the cursor and
 * come twice.  A page is one range scan of the partial index patients_live_by_created
 * (schemas/sql/0009_patient_list_retention.sql): no OFFSET, so page 1,000 costs what page 1
 * does.
 *
 * The cursor is the position (created_at of the last item, to the microsecond, and its id),
 * authenticated with a keyed BLAKE2b under a key derived from the clinic's KEK and bound to the
 * clinic: the client cannot move it, and a cursor of another clinic is refused, not read as a
 * position in this one. */
#define G_LOG_DOMAIN "medverse-patients"

#include "mv-patient-store-private.h"

#include "../records/mv-record-schema.h"

#include <medverse/mv-error.h>
#include <sodium.h>
#include <string.h>

#include "mv-db.h"

#define CURSOR_VERSION "1"
#define CURSOR_MAC_SIZE 16
/* "1 " + 27-character timestamp + " " + 36-character id */
#define CURSOR_PAYLOAD_SIZE 66
#define CURSOR_KDF_CONTEXT "MvListCu"
#define CURSOR_KDF_SUBKEY 1

/* What a validated query becomes. */
typedef struct {
	guint limit;
	gchar *after_created; /* NULL: from the start */
	gchar *after_id;
	gchar *updated_since; /* NULL: no filter; else UTC with microseconds */
	guint8 mac[CURSOR_MAC_SIZE];
} ListInput;

static void
list_input_clear (ListInput *in)
{
	g_clear_pointer (&in->after_created, g_free);
	g_clear_pointer (&in->after_id, g_free);
	g_clear_pointer (&in->updated_since, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ListInput, list_input_clear)

/* ---- the cursor ---------------------------------------------------------------------------- */

static void
cursor_mac (MvSecret *kek,
	    const gchar *clinic_id,
	    const gchar *payload,
	    guint8 mac[CURSOR_MAC_SIZE])
{
	guint8 key[crypto_generichash_KEYBYTES];
	crypto_generichash_state state;

	crypto_kdf_derive_from_key (key, sizeof key, CURSOR_KDF_SUBKEY, CURSOR_KDF_CONTEXT,
				    mv_secret_get_data (kek));
	crypto_generichash_init (&state, key, sizeof key, CURSOR_MAC_SIZE);
	/* the clinic is bound in, not carried: a cursor made for clinic A fails in clinic B */
	crypto_generichash_update (&state, (const guint8 *)clinic_id, strlen (clinic_id) + 1);
	crypto_generichash_update (&state, (const guint8 *)payload, strlen (payload));
	crypto_generichash_final (&state, mac, CURSOR_MAC_SIZE);
	sodium_memzero (key, sizeof key);
}

/* base64url without padding: safe in a query string as it is */
static gchar *
base64url (const guint8 *raw, gsize len)
{
	gchar *text = g_base64_encode (raw, len);

	g_strdelimit (text, "+", '-');
	g_strdelimit (text, "/", '_');
	g_strdelimit (text, "=", '\0');
	return text;
}

static gchar *
cursor_encode (MvSecret *kek, const gchar *clinic_id, const gchar *created, const gchar *id)
{
	g_autofree gchar *payload = g_strdup_printf (CURSOR_VERSION " %s %s", created, id);
	guint8 raw[CURSOR_PAYLOAD_SIZE + CURSOR_MAC_SIZE];

	g_return_val_if_fail (strlen (payload) == CURSOR_PAYLOAD_SIZE, NULL);
	memcpy (raw, payload, CURSOR_PAYLOAD_SIZE);
	cursor_mac (kek, clinic_id, payload, raw + CURSOR_PAYLOAD_SIZE);
	return base64url (raw, sizeof raw);
}

static void
add_cursor_problem (GError **error)
{
	mv_error_add_problem (
		error, "/cursor", "invalid-format",
		"not a cursor of this list; pass the \"next\" link of the "
		"previous page as it is, or start again without a cursor",
		"不是本列表的游标；请原样使用上一页的 \"next\" 链接，或不带游标重新开始");
}

static gboolean
is_timestamp (const gchar *t)
{
	/* YYYY-MM-DDTHH:MM:SS.UUUUUUZ as MV_DB_SQL_UTC renders it */
	static const gchar shape[] = "dddd-dd-ddTdd:dd:dd.ddddddZ";

	for (guint i = 0; i < sizeof shape - 1; i++) {
		if (shape[i] == 'd' ? !g_ascii_isdigit (t[i]) : t[i] != shape[i])
			return FALSE;
	}
	return t[sizeof shape - 1] == '\0';
}

/* The shape of @text; its MAC is checked in the transaction, with the clinic's KEK. */
static gboolean
cursor_decode (const gchar *text, ListInput *in)
{
	gsize len = strlen (text);
	g_autofree gchar *b64 = NULL;
	g_autofree guint8 *raw = NULL;
	gsize n = 0;
	gchar payload[CURSOR_PAYLOAD_SIZE + 1];
	gchar **parts;

	if (len == 0 || len > 200
	    || strspn (text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			     "0123456789-_")
		       != len)
		return FALSE;
	b64 = g_strnfill (len + 3, '=');
	memcpy (b64, text, len);
	b64[len + (4 - len % 4) % 4] = '\0';
	g_strdelimit (b64, "-", '+');
	g_strdelimit (b64, "_", '/');
	raw = g_base64_decode (b64, &n);
	if (n != CURSOR_PAYLOAD_SIZE + CURSOR_MAC_SIZE)
		return FALSE;
	{
		/* only the one spelling this list wrote: the last character's unused low bits
		 * would otherwise let several texts decode to the same cursor */
		g_autofree gchar *canonical = base64url (raw, n);
		if (strcmp (canonical, text) != 0)
			return FALSE;
	}
	memcpy (payload, raw, CURSOR_PAYLOAD_SIZE);
	payload[CURSOR_PAYLOAD_SIZE] = '\0';
	memcpy (in->mac, raw + CURSOR_PAYLOAD_SIZE, CURSOR_MAC_SIZE);
	if (strlen (payload) != CURSOR_PAYLOAD_SIZE)
		return FALSE;
	parts = g_strsplit (payload, " ", -1);
	if (g_strv_length (parts) == 3 && strcmp (parts[0], CURSOR_VERSION) == 0
	    && is_timestamp (parts[1]) && g_uuid_string_is_valid (parts[2])) {
		in->after_created = g_strdup (parts[1]);
		in->after_id = g_strdup (parts[2]);
	}
	g_strfreev (parts);
	return in->after_created != NULL;
}

static gboolean
cursor_verify (MvSecret *kek, const gchar *clinic_id, const ListInput *in)
{
	g_autofree gchar *payload
		= g_strdup_printf (CURSOR_VERSION " %s %s", in->after_created, in->after_id);
	guint8 mac[CURSOR_MAC_SIZE];

	cursor_mac (kek, clinic_id, payload, mac);
	return sodium_memcmp (mac, in->mac, CURSOR_MAC_SIZE) == 0;
}

/* ---- the query ----------------------------------------------------------------------------- */

/* RFC 3339 with an offset, as UTC with microseconds for SQL; NULL when it is not one (a time
 * without an offset would mean something else under each server's TimeZone). */
static gchar *
parse_updated_since (const gchar *text)
{
	g_autoptr (GDateTime) time = mv_schema_parse_datetime (text);

	return time != NULL ? mv_schema_format_utc (time) : NULL;
}

/* Every problem of @query at once (the cursor's MAC excepted: it needs the clinic's KEK). */
static gboolean
check_query (const MvPatientListQuery *query, ListInput *in, GError **error)
{
	g_autoptr (GError) problems = NULL;
	guint64 limit = MV_PATIENT_LIST_DEFAULT_LIMIT;

	if (query->limit != NULL
	    && !g_ascii_string_to_unsigned (query->limit, 10, 1, MV_PATIENT_LIST_MAX_LIMIT, &limit,
					    NULL))
		mv_error_add_problem (&problems, "/limit", "out-of-range",
				      "must be a whole number from 1 to 1000",
				      "必须是 1 到 1000 之间的整数");
	in->limit = (guint)limit;
	if (query->cursor != NULL && !cursor_decode (query->cursor, in))
		add_cursor_problem (&problems);
	if (query->updated_since != NULL) {
		in->updated_since = parse_updated_since (query->updated_since);
		if (in->updated_since == NULL)
			mv_schema_date_problem (
				&problems, "/updated_since", query->updated_since,
				"not an RFC 3339 date and time with an offset, e.g. "
				"2026-01-31T12:00:00Z (percent-encode a '+' as %2B)",
				"不是带时区偏移的 RFC 3339 日期时间，例如 "
				"2026-01-31T12:00:00Z（'+' 须编码为 %2B）");
	}
	if (problems != NULL) {
		g_propagate_error (error, g_steal_pointer (&problems));
		return FALSE;
	}
	return TRUE;
}

/* ---- the page ------------------------------------------------------------------------------ */

/* The statement of a page: the filters present, nothing else (parameters only, never a value
 * in the text).  $1 clinic, $2 limit + 1, then the cursor's $3/$4, then updated_since. */
static gchar *
page_sql (const ListInput *in)
{
	GString *sql = g_string_new (
		"SELECT patient_id, version, " MV_DB_SQL_UTC ("created_at") ", " MV_DB_SQL_UTC (
			"updated_at") " FROM patients WHERE clinic_id = $1 AND deleted_at IS NULL");
	guint n = 3;

	if (in->after_created != NULL) {
		g_string_append_printf (sql,
					" AND (created_at, patient_id) > ($%u::timestamptz, "
					"$%u::uuid)",
					n, n + 1);
		n += 2;
	}
	if (in->updated_since != NULL)
		g_string_append_printf (sql, " AND updated_at >= $%u::timestamptz", n);
	g_string_append (sql, " ORDER BY created_at, patient_id LIMIT $2");
	return g_string_free (sql, FALSE);
}

typedef struct {
	MvPatientOp *op;
	ListInput *in;
} ListOp;

static gboolean
list_txn (PGconn *conn, gpointer data, GError **error)
{
	ListOp *list = data;
	MvPatientOp *op = mv_patient_op_begin (list->op);
	ListInput *in = list->in;
	g_autoptr (MvSecret) kek = NULL;
	g_autofree gchar *sql = page_sql (in);
	g_autofree gchar *limit = g_strdup_printf ("%u", in->limit + 1);
	const gchar *values[5] = { op->clinic_id, limit };
	g_autoptr (PGresult) res = NULL;
	JsonArray *items = json_array_new ();
	guint n = 2, rows;

	op->result = json_object_new ();
	json_object_set_array_member (op->result, "patients", items);
	kek = mv_record_keys_clinic_kek (mv_patient_op_vault (op), conn, op->clinic_id, FALSE,
					 error);
	if (kek == NULL)
		return FALSE;
	if (in->after_created != NULL) {
		if (!cursor_verify (kek, op->clinic_id, in)) {
			add_cursor_problem (error);
			return FALSE;
		}
		values[n++] = in->after_created;
		values[n++] = in->after_id;
	}
	if (in->updated_since != NULL)
		values[n++] = in->updated_since;
	res = mv_db_exec_params (conn, sql, (gint)n, values, error);
	if (res == NULL)
		return FALSE;
	rows = MIN ((guint)PQntuples (res), in->limit);
	for (guint i = 0; i < rows; i++) {
		JsonObject *item = json_object_new ();
		guint64 version = 0;

		json_object_set_string_member (item, "id", PQgetvalue (res, i, 0));
		if (mv_record_parse_version (PQgetvalue (res, i, 1), &version))
			json_object_set_int_member (item, "version", (gint64)version);
		json_object_set_string_member (item, "created_at", PQgetvalue (res, i, 2));
		json_object_set_string_member (item, "updated_at", PQgetvalue (res, i, 3));
		json_array_add_object_element (items, item);
	}
	if ((guint)PQntuples (res) > in->limit) {
		g_autofree gchar *next
			= cursor_encode (kek, op->clinic_id, PQgetvalue (res, rows - 1, 2),
					 PQgetvalue (res, rows - 1, 0));
		json_object_set_string_member (op->result, "next_cursor", next);
	} else {
		json_object_set_null_member (op->result, "next_cursor");
	}
	json_object_set_int_member (op->result, "limit", in->limit);
	/* a page names no one patient: the entry records that the clinic's list was read */
	return mv_patient_op_audit (conn, op, "patient.list", error);
}

JsonObject *
mv_patient_store_list (MvPatientStore *store,
		       const MvAuthContext *caller,
		       const gchar *request_id,
		       const MvPatientListQuery *query,
		       GError **error)
{
	g_auto (MvPatientOp) op = { 0 };
	g_auto (ListInput) in = { 0 };
	ListOp list = { &op, &in };

	if (!mv_patient_op_init (&op, store, caller, request_id,
				 "a patient key cannot list patients", NULL, error))
		return NULL;
	if (!check_query (query, &in, error))
		return NULL;
	if (!mv_db_transaction (store->services->db, list_txn, &list, error))
		return NULL;
	return g_steal_pointer (&op.result);
}
