/* The clinical store's reads of many rows: a kind's list (filters by code and effective time,
 * keyset paging with an opaque cursor), a record's history and one of its versions, and the
 * clinic's change feed (mv-clinical-store.h). */
#define G_LOG_DOMAIN "medverse-clinical"

#include "mv-clinical-store-private.h"

#include "../records/mv-code-systems.h"
#include "../records/mv-record-schema.h"

#include <medverse/mv-error.h>
#include <string.h>

#include "../audit/mv-audit-log.h"

#define STATUS_EIE "entered-in-error"

/* ---- query parameters --------------------------------------------------------------------- */

static guint
parse_limit (const gchar *text, GError **problems)
{
	guint64 limit = MV_CLINICAL_DEFAULT_LIMIT;

	if (text != NULL
	    && !g_ascii_string_to_unsigned (text, 10, 1, MV_CLINICAL_MAX_LIMIT, &limit, NULL)) {
		mv_error_add_problem (problems, "/limit", "out-of-range",
				      "must be a whole number from 1 to 1000",
				      "必须是 1 到 1000 之间的整数");
		return 0;
	}
	return (guint)limit;
}

/* An RFC 3339 date-time, or a full-date (midnight UTC), as UTC text for SQL; NULL (and a
 * problem at @field) when it is neither. */
static gchar *
parse_time (const gchar *text, const gchar *field, GError **problems)
{
	g_autoptr (GDateTime) dt = NULL;
	GDate date;

	if (text == NULL)
		return NULL;
	if (mv_schema_parse_date (text, &date))
		dt = g_date_time_new_utc (g_date_get_year (&date), g_date_get_month (&date),
					  g_date_get_day (&date), 0, 0, 0);
	else
		/* a time without a zone would be read in the server's zone: refused */
		dt = mv_schema_parse_datetime (text);
	if (dt == NULL) {
		mv_schema_date_problem (problems, field, text,
					"must be an RFC 3339 date-time with a time zone, or a date "
					"(YYYY-MM-DD)",
					"必须是带时区的 RFC 3339 日期时间，或日期（YYYY-MM-DD）");
		return NULL;
	}
	return mv_schema_format_utc (dt);
}

/* The cursor: base64url of "<sort_at UTC>|<record id>" of the last record of the previous
 * page.  Opaque to clients; it holds a time and an id, both in clear in lists anyway. */
static gchar *
cursor_encode (const gchar *sort_at, const gchar *record_id)
{
	g_autofree gchar *plain = g_strconcat (sort_at, "|", record_id, NULL);
	gchar *b64 = g_base64_encode ((const guchar *)plain, strlen (plain));

	for (gchar *p = b64; *p != '\0'; p++)
		*p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
	return b64;
}

static gboolean
cursor_decode (const gchar *cursor, gchar **sort_at, gchar **record_id, GError **problems)
{
	g_autofree gchar *b64 = g_strdup (cursor);
	g_autofree guchar *plain = NULL;
	g_autofree gchar *text = NULL;
	g_auto (GStrv) parts = NULL;
	gsize len = 0;

	for (gchar *p = b64; *p != '\0'; p++)
		*p = *p == '-' ? '+' : *p == '_' ? '/' : *p;
	if (strlen (b64) <= 200 && strlen (b64) % 4 == 0)
		plain = g_base64_decode (b64, &len);
	if (plain != NULL)
		text = g_strndup ((const gchar *)plain, len);
	if (text != NULL && g_utf8_validate (text, -1, NULL))
		parts = g_strsplit (text, "|", 3);
	if (parts != NULL && g_strv_length (parts) == 2 && g_uuid_string_is_valid (parts[1])) {
		/* the form this list writes, so nothing PostgreSQL would read otherwise (a week
		 * date, a time without a zone) reaches the query */
		g_autoptr (GDateTime) dt = mv_schema_parse_datetime (parts[0]);
		if (dt != NULL) {
			*sort_at = mv_schema_format_utc (dt);
			*record_id = g_strdup (parts[1]);
			return TRUE;
		}
	}
	mv_error_add_problem (problems, "/cursor", "invalid-format",
			      "is not a cursor of this list: pass next_cursor as it came",
			      "不是此列表的游标：请原样传回 next_cursor");
	return FALSE;
}

/* ---- list --------------------------------------------------------------------------------- */

typedef struct {
	gchar *from;
	gchar *to;
	gchar *after_sort;
	gchar *after_id;
	gchar *code; /* the filter's term: "URI|code", or a bare code for any system */
	gboolean include_eie;
	guint limit;
} ListParams;

static void
list_params_clear (ListParams *p)
{
	g_free (p->from);
	g_free (p->to);
	g_free (p->after_sort);
	g_free (p->after_id);
	g_free (p->code);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ListParams, list_params_clear)

/* The code filter as the terms are kept: a system named by its alias ("loinc") becomes its URI,
 * as records store it; a system that is neither a known one nor one of Medverse's own
 * (urn:medverse:…) is refused rather than matching nothing. */
static gchar *
parse_code (const gchar *code, GError **problems)
{
	const gchar *bar;
	g_autofree gchar *system = NULL;
	const MvCodeSystem *known;

	if (code == NULL)
		return NULL;
	if (code[0] == '\0' || strlen (code) > 1024) {
		mv_error_add_problem (problems, "/code", "invalid-format",
				      "must be system|code or a code, 1 to 1024 bytes",
				      "必须是 system|code 或代码，长度 1 到 1024 字节");
		return NULL;
	}
	bar = strchr (code, '|');
	if (bar == NULL)
		return g_strdup (code);
	system = g_strndup (code, bar - code);
	known = mv_code_system_lookup (system);
	if (known != NULL)
		return g_strconcat (known->uri, bar, NULL);
	if (g_str_has_prefix (system, "urn:medverse:"))
		return g_strdup (code);
	mv_error_add_problem (
		problems, "/code", "unknown-system",
		"names a code system records do not use; write its short name (loinc, "
		"icd-10-cn…) or its URI",
		"所指的编码体系不被记录使用；请写其简称（loinc、icd-10-cn…）或 URI");
	return NULL;
}

static gboolean
parse_list_query (const MvClinicalQuery *q, ListParams *p, GError **error)
{
	GError *problems = NULL;

	p->limit = parse_limit (q->limit, &problems);
	p->from = parse_time (q->from, "/from", &problems);
	p->to = parse_time (q->to, "/to", &problems);
	if (q->include != NULL && strcmp (q->include, STATUS_EIE) != 0)
		mv_error_add_problem (&problems, "/include", "invalid-format",
				      "the only value is entered-in-error",
				      "唯一可用的值是 entered-in-error");
	p->include_eie = q->include != NULL;
	if (q->cursor != NULL)
		cursor_decode (q->cursor, &p->after_sort, &p->after_id, &problems);
	p->code = parse_code (q->code, &problems);
	if (problems != NULL) {
		g_propagate_error (error, problems);
		return FALSE;
	}
	return TRUE;
}

/* not clang-formatted: it would split the SQL text around the macro calls */
/* clang-format off */
static const gchar LIST_SQL[] =
	"SELECT " MV_CLINICAL_RECORD_COLUMNS " FROM " MV_CLINICAL_RECORD_JOIN
	" WHERE r.clinic_id = $1 AND r.patient_id = $2 AND r.kind = $3"
	" AND ($4::boolean OR r.record_status = 'current')"
	" AND ($5::timestamptz IS NULL OR r.effective_at >= $5::timestamptz)"
	" AND ($6::timestamptz IS NULL OR r.effective_at < $6::timestamptz)"
	" AND ($7::text IS NULL OR EXISTS (SELECT 1 FROM record_terms t WHERE"
	" t.clinic_id = r.clinic_id AND t.patient_id = r.patient_id AND t.kind = r.kind"
	" AND t.record_id = r.record_id AND t.term = $7::text))"
	" AND ($8::timestamptz IS NULL OR (r.sort_at, r.record_id) < ($8::timestamptz, $9::uuid))"
	" ORDER BY r.sort_at DESC, r.record_id DESC LIMIT $10::int";
/* clang-format on */

static gboolean
list_txn (PGconn *conn, gpointer data, GError **error)
{
	MvClinicalOp *op = mv_clinical_op_begin (data);
	ListParams *p = op->params;
	g_auto (MvPatientKeys) keys = { 0 };
	g_autoptr (PGresult) res = NULL;
	g_autofree gchar *term = NULL;
	g_autofree gchar *fetch = g_strdup_printf ("%u", p->limit + 1);
	JsonArray *items = json_array_new ();
	gint n;

	op->result = json_object_new ();
	json_object_set_array_member (op->result, op->kind->plural, items);
	if (!mv_clinical_op_keys (conn, op, FALSE, &keys, error))
		return FALSE;
	if (p->code != NULL) {
		g_autoptr (MvSecret) key = mv_vault_derive_term_key (keys.dek);
		g_autofree gchar *form = strchr (p->code, '|') != NULL
						 ? g_strdup (p->code)
						 : mv_clinical_term_any_system (p->code);
		term = mv_vault_term_index (key, op->clinic_id, op->patient_id, form, error);
		if (term == NULL)
			return FALSE;
	}
	{
		const gchar *values[] = { op->clinic_id, op->patient_id,
					  op->kind_name, p->include_eie ? "true" : "false",
					  p->from,	 p->to,
					  term,		 p->after_sort,
					  p->after_id,	 fetch };
		res = mv_db_exec_params (conn, LIST_SQL, 10, values, error);
	}
	if (res == NULL)
		return FALSE;
	n = MIN (PQntuples (res), (gint)p->limit);
	for (gint i = 0; i < n; i++) {
		JsonObject *record = mv_clinical_row_to_record (op, keys.dek, res, i, NULL, error);
		if (record == NULL)
			return FALSE;
		json_array_add_object_element (items, record);
	}
	if (PQntuples (res) > (gint)p->limit) {
		g_autofree gchar *next = cursor_encode (PQgetvalue (res, n - 1, COL_SORT),
							PQgetvalue (res, n - 1, COL_ID));
		json_object_set_string_member (op->result, "next_cursor", next);
	} else {
		json_object_set_null_member (op->result, "next_cursor");
	}
	if (n == 0 && op->query->audit_only_found)
		return TRUE;
	return mv_clinical_op_audit (conn, op, "list", error);
}

/* clang-format off */
static const gchar NEWEST_SQL[] =
	"SELECT " MV_CLINICAL_RECORD_COLUMNS " FROM " MV_CLINICAL_RECORD_JOIN
	" WHERE r.clinic_id = $1 AND r.patient_id = $2 AND r.kind = $3"
	" AND r.record_status = 'current' ORDER BY r.sort_at DESC, r.record_id DESC LIMIT 1";
/* clang-format on */

gboolean
mv_clinical_store_newest_in (PGconn *conn,
			     MvClinicalStore *store,
			     const MvClinicalCall *call,
			     const MvClinicalKind *kind,
			     const gchar *patient_id,
			     MvSecret *dek,
			     JsonObject **out,
			     GError **error)
{
	g_auto (MvClinicalOp) op = { 0 };
	g_autoptr (PGresult) res = NULL;

	*out = NULL;
	if (!mv_clinical_op_init (&op, store, call, kind, FALSE, patient_id, NULL, error))
		return FALSE;
	{
		const gchar *values[] = { op.clinic_id, op.patient_id, op.kind_name };
		res = mv_db_exec_params (conn, NEWEST_SQL, 3, values, error);
	}
	if (res == NULL)
		return FALSE;
	if (PQntuples (res) == 0)
		return TRUE;
	*out = mv_clinical_row_to_record (&op, dek, res, 0, NULL, error);
	return *out != NULL;
}

JsonObject *
mv_clinical_store_list (MvClinicalStore *store,
			const MvClinicalCall *call,
			const MvClinicalKind *kind,
			const gchar *patient_id,
			const MvClinicalQuery *query,
			GError **error)
{
	g_auto (MvClinicalOp) op = { 0 };
	g_auto (ListParams) params = { 0 };
	static const MvClinicalQuery none = { 0 };

	if (!mv_clinical_op_init (&op, store, call, kind, FALSE, patient_id, NULL, error))
		return NULL;
	op.query = query != NULL ? query : &none;
	if (!parse_list_query (op.query, &params, error))
		return NULL;
	op.params = &params;
	if (!mv_clinical_op_run (&op, list_txn, error))
		return NULL;
	return g_steal_pointer (&op.result);
}

/* ---- history and versions ------------------------------------------------------------------ */

/* The record exists for a live patient of the clinic (for the profile: the patient is live). */
static gboolean
check_record (PGconn *conn, MvClinicalOp *op, GError **error)
{
	const gchar *values[] = { op->clinic_id, op->patient_id, op->kind_name, op->record_id };
	g_autoptr (PGresult) res = NULL;

	if (op->kind == NULL)
		res = mv_db_exec_params (conn,
					 "SELECT 1 FROM patients WHERE clinic_id = $1 AND "
					 "patient_id = $2 AND deleted_at IS NULL",
					 2, values, error);
	else
		res = mv_db_exec_params (
			conn,
			"SELECT 1 FROM records r JOIN patients p ON p.clinic_id = "
			"r.clinic_id AND p.patient_id = r.patient_id WHERE "
			"r.clinic_id = $1 AND r.patient_id = $2 AND r.kind = $3 AND "
			"r.record_id = $4 AND p.deleted_at IS NULL",
			4, values, error);
	if (res == NULL)
		return FALSE;
	if (PQntuples (res) != 1) {
		if (op->kind == NULL)
			mv_set_error_bilingual (error, MV_ERROR_NOT_FOUND, "no such patient",
						"没有该患者");
		else
			mv_set_error_bilingual (error, MV_ERROR_NOT_FOUND, "no such record",
						"没有该记录");
		return FALSE;
	}
	return TRUE;
}

static gboolean
history_txn (PGconn *conn, gpointer data, GError **error)
{
	MvClinicalOp *op = mv_clinical_op_begin (data);
	const gchar *values[] = { op->clinic_id, op->patient_id, op->kind_name, op->record_id };
	g_autoptr (PGresult) res = NULL;
	JsonArray *versions = json_array_new ();

	op->result = json_object_new ();
	json_object_set_string_member (op->result, "id", op->record_id);
	json_object_set_array_member (op->result, "versions", versions);
	if (!check_record (conn, op, error))
		return FALSE;
	res = mv_db_exec_params (conn,
				 "SELECT version, record_status, " MV_DB_SQL_UTC (
					 "updated_at") ", actor FROM record_versions WHERE "
						       "clinic_id = $1 AND patient_id = $2 AND "
						       "kind = $3 AND record_id = $4 ORDER BY "
						       "version",
				 4, values, error);
	if (res == NULL)
		return FALSE;
	for (gint i = 0; i < PQntuples (res); i++) {
		JsonObject *v = json_object_new ();
		json_object_set_int_member (v, "version",
					    g_ascii_strtoll (PQgetvalue (res, i, 0), NULL, 10));
		json_object_set_string_member (v, "record_status", PQgetvalue (res, i, 1));
		json_object_set_string_member (v, "updated_at", PQgetvalue (res, i, 2));
		json_object_set_string_member (v, "actor", PQgetvalue (res, i, 3));
		json_array_add_object_element (versions, v);
	}
	return mv_clinical_op_audit (conn, op, "history", error);
}

/* The op for @kind_name's record @record_id (the profile: the patient itself). */
static gboolean
init_versioned (MvClinicalOp *op,
		MvClinicalStore *store,
		const MvClinicalCall *call,
		const gchar *kind_name,
		const gchar *patient_id,
		const gchar *record_id,
		GError **error)
{
	const MvClinicalKind *kind = NULL;

	if (g_strcmp0 (kind_name, MV_CLINICAL_PROFILE_KIND) != 0) {
		kind = mv_clinical_kind_lookup (kind_name);
		g_return_val_if_fail (kind != NULL, FALSE);
	}
	return mv_clinical_op_init (op, store, call, kind, FALSE, patient_id,
				    kind == NULL ? patient_id : record_id, error);
}

JsonObject *
mv_clinical_store_history (MvClinicalStore *store,
			   const MvClinicalCall *call,
			   const gchar *kind_name,
			   const gchar *patient_id,
			   const gchar *record_id,
			   GError **error)
{
	g_auto (MvClinicalOp) op = { 0 };

	if (!init_versioned (&op, store, call, kind_name, patient_id, record_id, error))
		return NULL;
	if (!mv_clinical_op_run (&op, history_txn, error))
		return NULL;
	return g_steal_pointer (&op.result);
}

/* not clang-formatted: it would split the SQL text around the macro calls */
/* clang-format off */
static const gchar VERSION_SQL[] =
	"SELECT v.record_status, " MV_DB_SQL_UTC ("v.updated_at") ", v.blob, "
	MV_DB_SQL_UTC ("r.created_at") " FROM record_versions v LEFT JOIN records r ON "
	"r.clinic_id = v.clinic_id AND r.patient_id = v.patient_id AND r.kind = v.kind AND "
	"r.record_id = v.record_id WHERE v.clinic_id = $1 AND v.patient_id = $2 AND "
	"v.kind = $3 AND v.record_id = $4 AND v.version = $5::bigint";
/* clang-format on */

static gboolean
version_txn (PGconn *conn, gpointer data, GError **error)
{
	MvClinicalOp *op = mv_clinical_op_begin (data);
	g_autofree gchar *version_text = g_strdup_printf ("%" G_GUINT64_FORMAT, op->version);
	const gchar *values[]
		= { op->clinic_id, op->patient_id, op->kind_name, op->record_id, version_text };
	g_auto (MvPatientKeys) keys = { 0 };
	g_autoptr (PGresult) res = NULL;
	g_autoptr (JsonNode) data_node = NULL;
	const gchar *status;

	if (!mv_clinical_op_keys (conn, op, FALSE, &keys, error))
		return FALSE;
	res = mv_db_exec_params (conn, VERSION_SQL, 5, values, error);
	if (res == NULL)
		return FALSE;
	if (PQntuples (res) != 1) {
		mv_set_error_bilingual (error, MV_ERROR_NOT_FOUND, "no such version", "没有该版本");
		return FALSE;
	}
	status = PQgetvalue (res, 0, 0);
	data_node = mv_clinical_version_open (keys.dek, op->clinic_id, op->patient_id,
					      op->kind_name, op->record_id, op->version, status,
					      PQgetvalue (res, 0, 2), error);
	if (data_node == NULL)
		return FALSE;
	if (op->kind != NULL) {
		op->result = mv_clinical_record_response (
			op->record_id, op->version, status, PQgetvalue (res, 0, 3),
			PQgetvalue (res, 0, 1), json_node_get_object (data_node));
	} else {
		op->result = json_object_new ();
		json_object_set_string_member (op->result, "id", op->record_id);
		json_object_set_int_member (op->result, "version", (gint64)op->version);
		json_object_set_string_member (op->result, "record_status", status);
		json_object_set_string_member (op->result, "updated_at", PQgetvalue (res, 0, 1));
		json_object_set_object_member (op->result, "profile",
					       json_object_ref (json_node_get_object (data_node)));
	}
	return mv_clinical_op_audit (conn, op, "read", error);
}

JsonObject *
mv_clinical_store_get_version (MvClinicalStore *store,
			       const MvClinicalCall *call,
			       const gchar *kind_name,
			       const gchar *patient_id,
			       const gchar *record_id,
			       const gchar *version,
			       GError **error)
{
	g_auto (MvClinicalOp) op = { 0 };

	if (!init_versioned (&op, store, call, kind_name, patient_id, record_id, error))
		return NULL;
	if (!mv_record_parse_version (version, &op.version) || op.version == 0) {
		mv_set_error_bilingual (error, MV_ERROR_NOT_FOUND, "no such version", "没有该版本");
		return NULL;
	}
	if (!mv_clinical_op_run (&op, version_txn, error))
		return NULL;
	return g_steal_pointer (&op.result);
}

/* ---- the change feed ------------------------------------------------------------------------ */

static gboolean
changes_txn (PGconn *conn, gpointer data, GError **error)
{
	MvClinicalOp *op = mv_clinical_op_begin (data);
	g_autofree gchar *since = g_strdup_printf ("%" G_GINT64_FORMAT, op->since);
	g_autofree gchar *limit = g_strdup_printf ("%u", op->limit);
	const gchar *values[] = { op->clinic_id, since, limit };
	g_autoptr (PGresult) res = NULL;
	JsonArray *changes = json_array_new ();
	gint64 next = op->since;
	MvServices *services = op->store->services;

	op->result = json_object_new ();
	json_object_set_array_member (op->result, "changes", changes);
	{
		/* a since beyond the feed's end is no position a poller was given: taken as it is,
		 * the changes up to it would be skipped silently once they come */
		const gchar *clinic[] = { op->clinic_id };
		g_autoptr (PGresult) last = mv_db_exec_params (
			conn,
			"SELECT coalesce(max(seq), 0) FROM record_changes WHERE clinic_id = $1", 1,
			clinic, error);
		gint64 end;
		if (last == NULL)
			return FALSE;
		end = g_ascii_strtoll (PQgetvalue (last, 0, 0), NULL, 10);
		if (op->since > end) {
			g_autofree gchar *en = g_strdup_printf (
				"is past the end of this feed (its last change is %" G_GINT64_FORMAT
				"): pass a next this feed gave, or 0",
				end);
			g_autofree gchar *zh = g_strdup_printf (
				"超出了此变更流的末尾（最后一条变更为 %" G_GINT64_FORMAT
				"）：请传入此变更流给出的 next，或 0",
				end);
			mv_error_add_problem (error, "/since", "out-of-range", en, zh);
			return FALSE;
		}
	}
	/* audited first: the clinic's tree row is then locked, so no writer of the clinic is
	 * between numbering a change and committing it while the feed is read */
	if (!mv_audit_log_append (conn, services->signer, services->witness, op->call->caller,
				  op->clinic_id, "changes.read", "clinic", op->clinic_id,
				  op->call->request_id, error))
		return FALSE;
	res = mv_db_exec_params (
		conn,
		"SELECT seq, patient_id, kind, record_id, version, change, " MV_DB_SQL_UTC (
			"changed_at") " FROM record_changes WHERE clinic_id = $1 AND seq > "
				      "$2::bigint ORDER BY seq LIMIT $3::int",
		3, values, error);
	if (res == NULL)
		return FALSE;
	for (gint i = 0; i < PQntuples (res); i++) {
		JsonObject *c = json_object_new ();
		next = g_ascii_strtoll (PQgetvalue (res, i, 0), NULL, 10);
		json_object_set_int_member (c, "seq", next);
		json_object_set_string_member (c, "patient_id", PQgetvalue (res, i, 1));
		json_object_set_string_member (c, "kind", PQgetvalue (res, i, 2));
		json_object_set_string_member (c, "record_id", PQgetvalue (res, i, 3));
		json_object_set_int_member (c, "version",
					    g_ascii_strtoll (PQgetvalue (res, i, 4), NULL, 10));
		json_object_set_string_member (c, "change", PQgetvalue (res, i, 5));
		json_object_set_string_member (c, "changed_at", PQgetvalue (res, i, 6));
		json_array_add_object_element (changes, c);
	}
	json_object_set_int_member (op->result, "next", next);
	return TRUE;
}

JsonObject *
mv_clinical_store_changes (MvClinicalStore *store,
			   const MvClinicalCall *call,
			   const gchar *since,
			   const gchar *limit,
			   GError **error)
{
	g_auto (MvClinicalOp) op = { 0 };
	GError *problems = NULL;
	guint64 seq = 0;

	if (!mv_clinical_op_init (&op, store, call, NULL, FALSE, NULL, NULL, error))
		return NULL;
	if (call->caller->role == MV_ROLE_PATIENT) {
		mv_set_error_bilingual (error, MV_ERROR_FORBIDDEN,
					"a patient key cannot read the clinic's change feed",
					"患者密钥不能读取机构的变更流");
		return NULL;
	}
	if (since != NULL && !g_ascii_string_to_unsigned (since, 10, 0, G_MAXINT64, &seq, NULL))
		mv_error_add_problem (
			&problems, "/since", "invalid-format",
			"must be a seq from this feed (a whole number, 0 for the start)",
			"必须是本变更流中的序号（整数，0 表示从头开始）");
	op.since = (gint64)seq;
	op.limit = parse_limit (limit, &problems);
	if (problems != NULL) {
		g_propagate_error (error, problems);
		return NULL;
	}
	if (!mv_clinical_op_run (&op, changes_txn, error))
		return NULL;
	return g_steal_pointer (&op.result);
}
