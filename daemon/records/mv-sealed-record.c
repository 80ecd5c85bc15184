/* Sealed records of any kind: see mv-sealed-record.h. */
#define G_LOG_DOMAIN "medverse-records"

#include "mv-sealed-record.h"

#include <medverse/mv-error.h>
#include <mv-host-private.h>
#include <sodium.h>
#include <string.h>

#include "mv-db.h"

const MvRecordKind mv_record_kind_profile = { "profile", "patient_records", NULL };

/* clinic, patient, kind and at most this many id columns, then version and blob */
#define MAX_ID_COLUMNS 4

void
mv_sealed_record_free (MvSealedRecord *record)
{
	if (record == NULL)
		return;
	g_free (record->updated_at);
	g_clear_pointer (&record->data, json_node_unref);
	g_free (record);
}

gboolean
mv_record_parse_version (const gchar *text, guint64 *out)
{
	return text != NULL && g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT64, out, NULL);
}

/* Plaintext JSON of patient data: wiped before it is freed. */
static void
wipe_free (gchar *s)
{
	if (s == NULL)
		return;
	sodium_memzero (s, strlen (s));
	g_free (s);
}

typedef gchar WipedString;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WipedString, wipe_free)

/* A table or column name from a record kind: code, not input, but it becomes SQL text. */
static gboolean
is_identifier (const gchar *s)
{
	if (s == NULL || s[0] == '\0' || strlen (s) > 63 || g_ascii_isdigit (s[0]))
		return FALSE;
	for (const gchar *p = s; *p != '\0'; p++)
		if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '_')
			return FALSE;
	return TRUE;
}

static guint
n_ids (const gchar *const *ids)
{
	guint n = 0;
	while (ids != NULL && ids[n] != NULL)
		n++;
	return n;
}

/* A programming error (a malformed kind, or ids that do not match its columns) is a critical
 * and a refusal, never SQL built from it. */
static gboolean
check_ref (const MvRecordRef *ref, GError **error)
{
	guint n;

	g_return_val_if_fail (ref != NULL && ref->kind != NULL, FALSE);
	n = n_ids (ref->kind->id_columns);
	g_return_val_if_fail (is_identifier (ref->kind->table), FALSE);
	g_return_val_if_fail (n <= MAX_ID_COLUMNS && n_ids (ref->ids) == n, FALSE);
	for (guint i = 0; i < n; i++)
		g_return_val_if_fail (is_identifier (ref->kind->id_columns[i]), FALSE);
	if (ref->clinic_id == NULL || ref->patient_id == NULL) {
		g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
			     "%s record: clinic and patient are required", ref->kind->name);
		return FALSE;
	}
	return TRUE;
}

/* $1 clinic, $2 patient, $3 kind, $4… ids; returns how many were set */
static guint
ref_params (const MvRecordRef *ref, const gchar **params)
{
	guint n = 0;

	params[n++] = ref->clinic_id;
	params[n++] = ref->patient_id;
	params[n++] = ref->kind->name;
	for (guint i = 0; i < n_ids (ref->ids); i++)
		params[n++] = ref->ids[i];
	return n;
}

/* "WHERE clinic_id = $1 AND patient_id = $2 AND kind = $3 AND <id> = $4…" */
static void
append_where (GString *sql, const MvRecordKind *kind)
{
	g_string_append (sql, " WHERE clinic_id = $1 AND patient_id = $2 AND kind = $3");
	for (guint i = 0; i < n_ids (kind->id_columns); i++)
		g_string_append_printf (sql, " AND %s = $%u", kind->id_columns[i], 4 + i);
}

GBytes *
mv_sealed_record_seal (
	const MvRecordRef *ref, MvSecret *dek, guint64 version, JsonNode *data, GError **error)
{
	g_autoptr (WipedString) text = NULL;

	if (!check_ref (ref, error))
		return NULL;
	text = json_to_string (data, FALSE);
	return mv_vault_seal_ids (dek, ref->clinic_id, ref->patient_id, ref->kind->name, ref->ids,
				  version, (const guint8 *)text, strlen (text), error);
}

GBytes *
mv_sealed_record_open_bytes (
	const MvRecordRef *ref, MvSecret *dek, guint64 version, GBytes *blob, GError **error)
{
	if (!check_ref (ref, error))
		return NULL;
	return mv_vault_open_ids (dek, ref->clinic_id, ref->patient_id, ref->kind->name, ref->ids,
				  version, blob, error);
}

JsonNode *
mv_sealed_record_open (
	const MvRecordRef *ref, MvSecret *dek, guint64 version, GBytes *blob, GError **error)
{
	g_autoptr (GBytes) plain = mv_sealed_record_open_bytes (ref, dek, version, blob, error);
	g_autoptr (JsonNode) root = NULL;
	gsize len = 0;
	const gchar *text;

	if (plain == NULL)
		return NULL;
	text = g_bytes_get_data (plain, &len);
	/* the same strict parse as a request body: a record is only ever what a body became.  The
	 * parser's message is not passed on: it may quote a key, and this error is logged. */
	root = mv_json_parse_strict (text, (gssize)len, NULL);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
			     "%s record of patient %s in clinic %s is not a JSON object",
			     ref->kind->name, ref->patient_id, ref->clinic_id);
		return NULL;
	}
	return g_steal_pointer (&root);
}

MvSealedRecord *
mv_sealed_record_read (PGconn *conn,
		       const MvRecordRef *ref,
		       MvSecret *dek,
		       guint64 expected_version,
		       GError **error)
{
	const gchar *params[3 + MAX_ID_COLUMNS];
	g_autoptr (GString) sql
		= g_string_new ("SELECT version, blob, " MV_DB_SQL_UTC ("updated_at") " FROM ");
	g_autoptr (PGresult) res = NULL;
	g_autoptr (GBytes) blob = NULL;
	g_autoptr (MvSealedRecord) record = g_new0 (MvSealedRecord, 1);
	guint n;

	if (!check_ref (ref, error))
		return NULL;
	g_string_append (sql, ref->kind->table);
	append_where (sql, ref->kind);
	n = ref_params (ref, params);
	res = mv_db_exec_params (conn, sql->str, (gint)n, params, error);
	if (res == NULL)
		return NULL;
	if (PQntuples (res) != 1 && expected_version == 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_NOT_FOUND, "no such %s record",
			     ref->kind->name);
		return NULL;
	}
	if (PQntuples (res) != 1
	    || !mv_record_parse_version (PQgetvalue (res, 0, 0), &record->version)
	    || (expected_version != 0 && record->version != expected_version)) {
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
			     "%s record of patient %s in clinic %s is missing or not at the "
			     "patient's version %" G_GUINT64_FORMAT,
			     ref->kind->name, ref->patient_id, ref->clinic_id, expected_version);
		return NULL;
	}
	blob = mv_db_bytea_from_text (PQgetvalue (res, 0, 1));
	record->data = mv_sealed_record_open (ref, dek, record->version, blob, error);
	if (record->data == NULL)
		return NULL;
	record->updated_at = g_strdup (PQgetvalue (res, 0, 2));
	return g_steal_pointer (&record);
}

/* Seals @data and sends @sql with the ref's parameters, then version and blob. */
static gboolean
write_record (PGconn *conn,
	      const MvRecordRef *ref,
	      MvSecret *dek,
	      guint64 version,
	      JsonNode *data,
	      const gchar *sql,
	      GError **error)
{
	const gchar *params[3 + MAX_ID_COLUMNS + 2];
	g_autoptr (GBytes) blob = mv_sealed_record_seal (ref, dek, version, data, error);
	g_autofree gchar *blob_text = NULL;
	g_autofree gchar *version_text = g_strdup_printf ("%" G_GUINT64_FORMAT, version);
	g_autoptr (PGresult) res = NULL;
	guint n;

	if (blob == NULL)
		return FALSE;
	blob_text = mv_db_bytea_bytes_to_text (blob);
	n = ref_params (ref, params);
	params[n++] = version_text;
	params[n++] = blob_text;
	res = mv_db_exec_params (conn, sql, (gint)n, params, error);
	if (res == NULL)
		return FALSE;
	if (g_strcmp0 (PQcmdTuples (res), "1") != 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
			     "%s record of patient %s in clinic %s is missing", ref->kind->name,
			     ref->patient_id, ref->clinic_id);
		return FALSE;
	}
	return TRUE;
}

gboolean
mv_sealed_record_insert (PGconn *conn,
			 const MvRecordRef *ref,
			 MvSecret *dek,
			 guint64 version,
			 JsonNode *data,
			 GError **error)
{
	g_autoptr (GString) sql = g_string_new ("INSERT INTO ");
	guint n;

	if (!check_ref (ref, error))
		return FALSE;
	n = n_ids (ref->kind->id_columns);
	g_string_append_printf (sql, "%s (clinic_id, patient_id, kind", ref->kind->table);
	for (guint i = 0; i < n; i++)
		g_string_append_printf (sql, ", %s", ref->kind->id_columns[i]);
	g_string_append (sql, ", version, blob) VALUES ($1, $2, $3");
	for (guint i = 0; i < n + 2; i++)
		g_string_append_printf (sql, ", $%u", 4 + i);
	g_string_append (sql, ")");
	return write_record (conn, ref, dek, version, data, sql->str, error);
}

gboolean
mv_sealed_record_update (PGconn *conn,
			 const MvRecordRef *ref,
			 MvSecret *dek,
			 guint64 version,
			 JsonNode *data,
			 GError **error)
{
	g_autoptr (GString) sql = g_string_new ("UPDATE ");
	guint n;

	if (!check_ref (ref, error))
		return FALSE;
	n = n_ids (ref->kind->id_columns);
	g_string_append_printf (sql,
				"%s SET version = $%u::bigint, blob = $%u::bytea, "
				"updated_at = now()",
				ref->kind->table, 4 + n, 5 + n);
	append_where (sql, ref->kind);
	return write_record (conn, ref, dek, version, data, sql->str, error);
}
