/*
 * Benchmark: observation writes through the clinical store (mv_clinical_store_create(): the
 * kind's validation and unit conversion, clinic KEK and patient DEK unwrapped, the record
 * sealed with XChaCha20-Poly1305, its codes as keyed blind indexes, rows in records,
 * record_versions, record_terms and record_changes, one audit entry with a signed tree head,
 * one transaction per request) against the same pipeline in clear, in the same run on the same
 * PostgreSQL.  Prints writes per second, the encrypted/clear ratio and p50/p99 latency.
 *
 * The clear peer (plain_txn below) does, per request, in one transaction: the same two lock
 * statements as the store's key load (clinic FOR SHARE, patient FOR UPDATE; the wrapped keys
 * are read and not unwrapped), the same normalisation by the same kind, the same INSERT into a
 * table shaped like records (CREATE TABLE … LIKE), the record's JSON text as the bytea blob of
 * a table shaped like record_versions, the same DELETE + INSERT … unnest() of terms into a
 * table shaped like record_terms with the plain "system|code" and "|code" strings as terms (no
 * keyed hash: the real table's CHECK wants 64 hex characters, so it is left out of the copy),
 * the same audit append (mv_audit_log_append(), signed head, witness file) and the same
 * change-feed append (mv_clinical_feed_append(), into the real record_changes: it holds ids
 * only, in both peers).  What it leaves out: the KEK and DEK unwrap, the AEAD seal, the term-key
 * derivation and the BLAKE2b term indexes, and the MvSecret allocations they make.
 *
 *   bench-observations [N]   N single-observation writes per peer (default 5000, a multiple
 *                            of 10), then N more per peer in batches of 100 (BENCH_BATCH=0: no
 *                            batches), then the crypto alone, timed outside any transaction
 *   BENCH_PATIENTS=P         spread the writes over P patients (default 50)
 *   BENCH_WITNESS=none       no audit witness file (both peers)
 *   BENCH_PLAIN_TERMS=hex    the clear peer's terms as unkeyed SHA-256 hex (see hex_terms)
 *
 * Run through tests/bench/observations/run.sh.  Not part of the test suite.
 */
#define G_LOG_DOMAIN "medverse-bench"

#include <glib/gstdio.h>
#include <medverse/mv-error.h>
#include <sodium.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "../../../daemon/audit/mv-audit-log.h"
#include "mv-clinical-store-private.h"
#include "mv-db.h"
#include "mv-migrate.h"
#include "mv-patient-store.h"
#include "mv-pg-embedded.h"
#include "mv-services.h"

#define ROUNDS 10 /* the peers alternate, so drift and other jobs hit both alike */
#define BATCH 100

/* Tables shaped like the clinical store's (columns, defaults, generated column, indexes and
 * checks copied by LIKE), with the foreign keys LIKE does not copy. */
static const gchar *plain_ddl[] = {
	"CREATE TABLE bench_plain_records (LIKE records INCLUDING ALL, FOREIGN KEY (clinic_id, "
	"patient_id) REFERENCES patients (clinic_id, patient_id))",
	"CREATE TABLE bench_plain_record_versions (LIKE record_versions INCLUDING ALL, FOREIGN "
	"KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, patient_id))",
	/* no INCLUDING CONSTRAINTS: record_terms.term must be 64 hex characters */
	"CREATE TABLE bench_plain_record_terms (LIKE record_terms INCLUDING DEFAULTS INCLUDING "
	"INDEXES, FOREIGN KEY (clinic_id, patient_id, kind, record_id) REFERENCES "
	"bench_plain_records (clinic_id, patient_id, kind, record_id) ON DELETE CASCADE)",
};

/* the store's key load for a writer (daemon/records/mv-record-keys.c), word for word */
/* clang-format off */
static const gchar PATIENT_LOCKED_SQL[] =
	"SELECT p.wrapped_dek, p.version, " MV_DB_SQL_UTC ("p.created_at") ", "
	MV_DB_SQL_UTC ("p.updated_at") ", NULL "
	"FROM patients p WHERE p.clinic_id = $1 AND p.patient_id = $2 AND "
	"p.deleted_at IS NULL FOR UPDATE";
/* clang-format on */

typedef struct {
	MvServices *services;
	MvClinicalStore *store;
	const MvClinicalKind *kind;
	MvAuthContext caller;
	MvClinicalCall call;
	GPtrArray *patients; /* ids */
	guint n;
	GArray *backend_pids; /* gint: the pool's PostgreSQL backends */
} Bench;

/* One peer's figures: seconds in total, each request's latency, and the CPU seconds this
 * process (client: the store or the clear peer) and the PostgreSQL backends spent. */
typedef struct {
	gdouble total;
	GArray *latency; /* gdouble seconds */
	gdouble cpu_client;
	gdouble cpu_server;
} Peer;

static gdouble
now_s (void)
{
	return (gdouble)g_get_monotonic_time () / G_USEC_PER_SEC;
}

/* CPU seconds (user + system) this process has used. */
static gdouble
cpu_self (void)
{
	struct rusage ru;

	getrusage (RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec
	       + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* CPU seconds (user + system) the pool's PostgreSQL backends have used, from /proc (Linux):
 * where a peer's time goes besides this process and waiting (commit flushes, the scheduler). */
static gdouble
cpu_backends (Bench *b)
{
	g_autofree gchar *dir = NULL;
	gdouble total = 0;
	glong ticks = sysconf (_SC_CLK_TCK);

	for (guint i = 0; b->backend_pids != NULL && i < b->backend_pids->len; i++) {
		g_autofree gchar *path = g_strdup_printf ("/proc/%d/stat",
							  g_array_index (b->backend_pids, gint, i));
		g_autofree gchar *text = NULL;
		const gchar *end;
		g_auto (GStrv) fields = NULL;

		if (!g_file_get_contents (path, &text, NULL, NULL))
			continue;
		/* fields after the command's closing parenthesis: state is field 3, utime 14 */
		end = strrchr (text, ')');
		fields = g_strsplit (end != NULL ? end + 2 : text, " ", 16);
		if (g_strv_length (fields) >= 13)
			total += (g_ascii_strtod (fields[11], NULL)
				  + g_ascii_strtod (fields[12], NULL))
				 / ticks;
	}
	return total;
}

/* The pids of the pool's connections (all of them: it hands out any). */
static GArray *
find_backends (MvDb *db, guint pool_size)
{
	GArray *pids = g_array_new (FALSE, FALSE, sizeof (gint));
	g_autoptr (GPtrArray) held = g_ptr_array_new ();

	for (guint i = 0; i < pool_size; i++) {
		PGconn *conn = mv_db_acquire (db, 5000, NULL);
		gint pid;
		if (conn == NULL)
			break;
		g_ptr_array_add (held, conn);
		pid = PQbackendPID (conn);
		g_array_append_val (pids, pid);
	}
	for (guint i = 0; i < held->len; i++)
		mv_db_release (db, g_ptr_array_index (held, i));
	return pids;
}

/* ---- the inputs ---------------------------------------------------------------------------- */

/* Observation @i of a realistic mix: a heart rate from a wristband, a blood pressure panel
 * (systolic in mmHg, diastolic sometimes in kPa, converted), a random glucose in mg/dL
 * (converted to mmol/L, the original kept); effective times in November 2026. */
static gchar *
observation_text (guint i)
{
	guint day = 1 + i % 28, hour = i % 24, min = (i / 24) % 60;
	g_autofree gchar *at = g_strdup_printf (
		"\"effective_at\":\"2026-11-%02uT%02u:%02u:00+08:00\"", day, hour, min);

	switch (i % 3) {
	case 0:
		return g_strdup_printf (
			"{\"code\":{\"system\":\"loinc\",\"code\":\"8867-4\"},\"value\":%u,"
			"\"unit\":\"bpm\",%s,\"source\":\"device\",\"device\":\"wristband\"}",
			55 + i % 60, at);
	case 1:
		return g_strdup_printf (
			"{\"code\":\"85354-9\",\"components\":[{\"code\":\"8480-6\",\"value\":%u,"
			"\"unit\":\"mmHg\"},{\"code\":\"8462-4\",%s}],%s,\"method\":\"seated, left "
			"arm\"}",
			110 + i % 40,
			i % 2 == 0 ? "\"value\":10.4,\"unit\":\"kPa\""
				   : "\"value\":78,\"unit\":\"mmHg\"",
			at);
	default:
		return g_strdup_printf ("{\"code\":\"2339-0\",\"value\":%u,\"unit\":\"mg/dL\",%s,"
					"\"note\":\"fasting since the evening\"}",
					80 + i % 90, at);
	}
}

/* The body of one request: observation @first alone, or a batch of @count from @first. */
static JsonObject *
request_body (guint first, guint count)
{
	g_autoptr (GString) text = g_string_new (count > 1 ? "{\"observations\":[" : "");
	g_autoptr (JsonParser) parser = json_parser_new ();

	for (guint i = first; i < first + count; i++) {
		g_autofree gchar *one = observation_text (i);
		g_string_append_printf (text, "%s%s", i > first ? "," : "", one);
	}
	if (count > 1)
		g_string_append (text, "]}");
	/* the HTTP adapter hands the store a parsed body: parse here too, in both peers */
	if (!json_parser_load_from_data (parser, text->str, -1, NULL))
		g_error ("bench input %u does not parse", first);
	return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* ---- the clear peer ----------------------------------------------------------------------- */

typedef struct {
	Bench *bench;
	const gchar *patient_id;
	JsonObject *body;
	JsonObject *result; /* out */
} PlainOp;

/* The store's two lock statements (clinic FOR SHARE, patient FOR UPDATE), keys not unwrapped. */
static gboolean
plain_lock (PGconn *conn, PlainOp *op, GError **error)
{
	const gchar *clinic = op->bench->caller.clinic_id;
	const gchar *v1[] = { clinic };
	const gchar *v2[] = { clinic, op->patient_id };
	g_autoptr (PGresult) r1 = mv_db_exec_params (
		conn, "SELECT wrapped_kek FROM clinics WHERE clinic_id = $1 FOR SHARE", 1, v1,
		error);
	g_autoptr (PGresult) r2 = NULL;
	guint64 version = 0;

	if (r1 == NULL)
		return FALSE;
	r2 = mv_db_exec_params (conn, PATIENT_LOCKED_SQL, 2, v2, error);
	if (r2 == NULL)
		return FALSE;
	if (PQntuples (r1) != 1 || PQntuples (r2) != 1
	    || !mv_record_parse_version (PQgetvalue (r2, 0, 1), &version)) {
		g_set_error (error, MV_ERROR, MV_ERROR_NOT_FOUND, "no such patient");
		return FALSE;
	}
	return TRUE;
}

/* The kind's normalisation of every input, as the store's normalise_inputs() does it. */
static GPtrArray *
plain_normalise (PlainOp *op, GError **error)
{
	const MvClinicalKind *kind = op->bench->kind;
	g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
	MvClinicalContext ctx = { now, "en", op->bench->caller.key_id };
	g_autoptr (GPtrArray) records
		= g_ptr_array_new_with_free_func ((GDestroyNotify)json_object_unref);
	JsonNode *list = json_object_get_member (op->body, kind->plural);

	if (list == NULL) {
		JsonObject *r = kind->normalise (op->body, "", &ctx, error);
		if (r == NULL)
			return NULL;
		g_ptr_array_add (records, r);
		return g_steal_pointer (&records);
	}
	for (guint i = 0; i < json_array_get_length (json_node_get_array (list)); i++) {
		JsonNode *item = json_array_get_element (json_node_get_array (list), i);
		g_autofree gchar *pointer = g_strdup_printf ("/%s/%u", kind->plural, i);
		JsonObject *r = kind->normalise (json_node_get_object (item), pointer, &ctx, error);
		if (r == NULL)
			return NULL;
		g_ptr_array_add (records, r);
	}
	return g_steal_pointer (&records);
}

/* BENCH_PLAIN_TERMS=hex: the clear peer's terms as the unkeyed SHA-256 of the plain term, 64
 * hex characters like a blind index (same size, random order), to tell the cost of the
 * indexes' longer, scattered keys from the cost of the keyed hash itself. */
static gboolean hex_terms;

/* A PostgreSQL array literal of the record's terms in clear ("system|code" and "|code"),
 * each element quoted. */
static gchar *
plain_terms_literal (GPtrArray *codes)
{
	g_autoptr (GString) s = g_string_new ("{");

	for (guint i = 0; codes != NULL && i < codes->len; i++) {
		const gchar *code = g_ptr_array_index (codes, i);
		g_autofree gchar *any = mv_clinical_term_any_system (code);
		const gchar *forms[] = { code, any };
		for (guint j = 0; j < G_N_ELEMENTS (forms); j++) {
			g_autofree gchar *hex = hex_terms ? g_compute_checksum_for_string (
							G_CHECKSUM_SHA256, forms[j], -1)
							  : NULL;
			g_string_append (s, s->len > 1 ? ",\"" : "\"");
			for (const gchar *c = hex != NULL ? hex : forms[j]; *c != '\0'; c++) {
				if (*c == '"' || *c == '\\')
					g_string_append_c (s, '\\');
				g_string_append_c (s, *c);
			}
			g_string_append_c (s, '"');
		}
	}
	if (s->len == 1)
		return NULL;
	g_string_append_c (s, '}');
	return g_string_free (g_steal_pointer (&s), FALSE);
}

/* The store's insert_one() in clear: the records row, the version with the JSON text as its
 * blob, the terms in clear. */
static gboolean
plain_insert_one (PGconn *conn,
		  PlainOp *op,
		  JsonObject *record,
		  const gchar *record_id,
		  JsonObject **response,
		  GError **error)
{
	const gchar *clinic = op->bench->caller.clinic_id;
	const gchar *kind = op->bench->kind->name;
	g_auto (MvClinicalTerms) terms = { 0 };
	g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), record);
	g_autofree gchar *text = json_to_string (node, FALSE);
	g_autofree gchar *blob = mv_db_bytea_to_text ((const guint8 *)text, strlen (text));
	g_autofree gchar *literal = NULL;
	const gchar *v1[] = { clinic, op->patient_id, kind, record_id, NULL };
	const gchar *v2[]
		= { clinic, op->patient_id, kind, record_id, "1", "current", blob, "bench" };
	g_autoptr (PGresult) r1 = NULL, r2 = NULL, r3 = NULL, r4 = NULL;

	op->bench->kind->terms (record, &terms);
	v1[4] = terms.effective_at;
	r1 = mv_db_exec_params (
		conn,
		"INSERT INTO bench_plain_records (clinic_id, patient_id, kind, record_id, version, "
		"effective_at) VALUES ($1, $2, $3, $4, 1, $5::timestamptz) "
		"RETURNING " MV_DB_SQL_UTC ("created_at") ", " MV_DB_SQL_UTC ("updated_at"),
		5, v1, error);
	if (r1 == NULL)
		return FALSE;
	r2 = mv_db_exec_params (conn,
				"INSERT INTO bench_plain_record_versions (clinic_id, patient_id, "
				"kind, record_id, version, record_status, blob, actor) VALUES ($1, "
				"$2, $3, $4, $5, $6, $7::bytea, $8)",
				8, v2, error);
	if (r2 == NULL)
		return FALSE;
	r3 = mv_db_exec_params (conn,
				"DELETE FROM bench_plain_record_terms WHERE clinic_id = $1 AND "
				"patient_id = $2 AND kind = $3 AND record_id = $4",
				4, v1, error);
	if (r3 == NULL)
		return FALSE;
	literal = plain_terms_literal (terms.codes);
	if (literal != NULL) {
		v1[4] = literal;
		r4 = mv_db_exec_params (
			conn,
			"INSERT INTO bench_plain_record_terms (clinic_id, patient_id, "
			"kind, record_id, term) SELECT $1, $2, $3, $4, t FROM "
			"unnest($5::text[]) AS t ON CONFLICT DO NOTHING",
			5, v1, error);
		if (r4 == NULL)
			return FALSE;
	}
	*response = mv_clinical_record_response (record_id, 1, "current", PQgetvalue (r1, 0, 0),
						 PQgetvalue (r1, 0, 1), record);
	return TRUE;
}

/* The store's create_txn() in clear. */
static gboolean
plain_txn (PGconn *conn, gpointer data, GError **error)
{
	PlainOp *op = data;
	Bench *b = op->bench;
	g_autoptr (GPtrArray) records = NULL;
	g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
	g_autofree MvClinicalChange *changes = NULL;
	g_autoptr (JsonArray) created = json_array_new ();

	g_clear_pointer (&op->result, json_object_unref);
	if (!plain_lock (conn, op, error))
		return FALSE;
	records = plain_normalise (op, error);
	if (records == NULL)
		return FALSE;
	changes = g_new0 (MvClinicalChange, records->len);
	for (guint i = 0; i < records->len; i++) {
		JsonObject *response = NULL;
		gchar *id = g_uuid_string_random ();
		g_ptr_array_add (ids, id);
		if (!plain_insert_one (conn, op, g_ptr_array_index (records, i), id, &response,
				       error))
			return FALSE;
		json_array_add_object_element (created, response);
		changes[i] = (MvClinicalChange){ op->patient_id, b->kind->name, id, 1, "created" };
	}
	if (!mv_audit_log_append (conn, b->services->signer, b->services->witness, &b->caller,
				  b->caller.clinic_id, "observation.create", "patient",
				  op->patient_id, b->call.request_id, error))
		return FALSE;
	if (!mv_clinical_feed_append (conn, b->caller.clinic_id, changes, records->len, error))
		return FALSE;
	op->result = json_object_new ();
	json_object_set_array_member (op->result, "records", json_array_ref (created));
	return TRUE;
}

/* ---- the two peers, timed ------------------------------------------------------------------ */

/* Requests @lo..@hi (exclusive) of @count observations each, through the store or in clear. */
static void
run_requests (Bench *b, gboolean encrypted, guint lo, guint hi, guint count, Peer *peer)
{
	gdouble t0 = now_s (), c0 = cpu_self (), s0 = cpu_backends (b);

	for (guint r = lo; r < hi; r++) {
		g_autoptr (GError) error = NULL;
		g_autoptr (JsonObject) out = NULL;
		const gchar *patient = g_ptr_array_index (b->patients, r % b->patients->len);
		gdouble s = now_s ();
		g_autoptr (JsonObject) body = request_body (r * count, count);

		if (encrypted) {
			out = mv_clinical_store_create (b->store, &b->call, b->kind, patient, body,
							NULL, &error);
		} else {
			PlainOp op = { b, patient, body, NULL };
			if (mv_db_transaction (b->services->db, plain_txn, &op, &error))
				out = g_steal_pointer (&op.result);
		}
		if (out == NULL)
			g_error ("%s write: %s", encrypted ? "encrypted" : "clear", error->message);
		s = now_s () - s;
		g_array_append_val (peer->latency, s);
	}
	peer->total += now_s () - t0;
	peer->cpu_client += cpu_self () - c0;
	peer->cpu_server += cpu_backends (b) - s0;
}

static gint
cmp_double (gconstpointer a, gconstpointer b)
{
	gdouble x = *(const gdouble *)a, y = *(const gdouble *)b;
	return x < y ? -1 : x > y;
}

/* Percentile @p (0..100) of @peer's latencies, in ms (nearest rank). */
static gdouble
percentile_ms (Peer *peer, gdouble p)
{
	guint n = peer->latency->len;
	gdouble rank = p / 100.0 * n;
	guint k = rank < 1 ? 0 : MIN (n, (guint)rank + (rank > (guint)rank)) - 1;

	g_array_sort (peer->latency, cmp_double);
	return g_array_index (peer->latency, gdouble, k) * 1000;
}

/* @requests requests of @count observations per peer, in ROUNDS rounds, alternating which peer
 * goes first; prints one line.  Returns encrypted/clear throughput. */
static gdouble
compare (Bench *b, const gchar *what, guint first, guint requests, guint count)
{
	Peer enc = { 0, g_array_new (FALSE, FALSE, sizeof (gdouble)) };
	Peer clear = { 0, g_array_new (FALSE, FALSE, sizeof (gdouble)) };
	guint per = requests / ROUNDS;
	gdouble ratio;

	for (guint r = 0; r < ROUNDS; r++) {
		guint lo = first + r * per, hi = lo + per;
		/* the same inputs in both peers */
		run_requests (b, r % 2 == 0, lo, hi, count, r % 2 == 0 ? &enc : &clear);
		run_requests (b, r % 2 != 0, lo, hi, count, r % 2 != 0 ? &enc : &clear);
	}
	ratio = clear.total / enc.total;
	g_print ("%-7s encrypted %7.0f obs/s  clear %7.0f obs/s  ratio %.2f   "
		 "p50 %.2f / %.2f ms  p99 %.2f / %.2f ms (encrypted / clear, per request)\n",
		 what, requests * count / enc.total, requests * count / clear.total, ratio,
		 percentile_ms (&enc, 50), percentile_ms (&clear, 50), percentile_ms (&enc, 99),
		 percentile_ms (&clear, 99));
	g_print ("        per observation: encrypted %.0f us, clear %.0f us, encryption adds %.0f "
		 "us\n",
		 enc.total * 1e6 / (requests * count), clear.total * 1e6 / (requests * count),
		 (enc.total - clear.total) * 1e6 / (requests * count));
	g_print ("        CPU per observation: this process %.0f / %.0f us, PostgreSQL backends "
		 "%.0f "
		 "/ %.0f us; the rest waits (commit flush, witness, scheduler): %.0f / %.0f us\n",
		 enc.cpu_client * 1e6 / (requests * count),
		 clear.cpu_client * 1e6 / (requests * count),
		 enc.cpu_server * 1e6 / (requests * count),
		 clear.cpu_server * 1e6 / (requests * count),
		 (enc.total - enc.cpu_client - enc.cpu_server) * 1e6 / (requests * count),
		 (clear.total - clear.cpu_client - clear.cpu_server) * 1e6 / (requests * count));
	g_array_unref (enc.latency);
	g_array_unref (clear.latency);
	return ratio;
}

/* ---- the crypto alone ---------------------------------------------------------------------- */

/* What encryption adds to a write, outside any transaction: the KEK and DEK unwrap, the term
 * key and indexes, the seal, @m times over the three inputs of the mix.  Where the time goes
 * when the ratio is low. */
static void
crypto_alone (Bench *b, guint m)
{
	g_autoptr (GError) error = NULL;
	const gchar *clinic = b->caller.clinic_id;
	const gchar *patient = g_ptr_array_index (b->patients, 0);
	const gchar *values[] = { clinic, patient };
	MvVault *vault = mv_services_get_vault (b->services);
	PGconn *conn = mv_db_acquire (b->services->db, 5000, &error);
	g_autoptr (PGresult) res = NULL;
	g_autoptr (GBytes) wrapped_kek = NULL, wrapped_dek = NULL;
	g_autoptr (GPtrArray) records
		= g_ptr_array_new_with_free_func ((GDestroyNotify)json_object_unref);
	g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
	MvClinicalContext ctx = { now, "en", "bench" };
	static const gchar *const id_columns[] = { "record_id", "record_status", NULL };
	const MvRecordKind holder = { "observation", "record_versions", id_columns };
	gdouble t[4] = { 0 };

	res = mv_db_exec_params (
		conn,
		"SELECT c.wrapped_kek, p.wrapped_dek FROM clinics c JOIN patients p "
		"USING (clinic_id) WHERE clinic_id = $1 AND patient_id = $2",
		2, values, &error);
	if (res == NULL || PQntuples (res) != 1)
		g_error ("keys: %s", error != NULL ? error->message : "no row");
	mv_db_release (b->services->db, conn);
	wrapped_kek = mv_db_bytea_from_text (PQgetvalue (res, 0, 0));
	wrapped_dek = mv_db_bytea_from_text (PQgetvalue (res, 0, 1));
	for (guint i = 0; i < 3; i++) {
		g_autoptr (JsonObject) body = request_body (i, 1);
		g_ptr_array_add (records, b->kind->normalise (body, "", &ctx, &error));
	}
	for (guint i = 0; i < m; i++) {
		g_autofree gchar *record_id = g_uuid_string_random ();
		const gchar *ids[] = { record_id, "current", NULL };
		MvRecordRef ref = { &holder, clinic, patient, ids };
		JsonObject *record = g_ptr_array_index (records, i % 3);
		g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), record);
		g_auto (MvClinicalTerms) terms = { 0 };
		g_autoptr (MvSecret) kek = NULL, dek = NULL, term_key = NULL;
		g_autoptr (GBytes) blob = NULL;
		gdouble s = now_s ();

		kek = mv_vault_unwrap_kek (vault, clinic, wrapped_kek, &error);
		dek = kek != NULL ? mv_vault_unwrap_dek (kek, clinic, patient, wrapped_dek, &error)
				  : NULL;
		if (dek == NULL)
			g_error ("unwrap: %s", error->message);
		t[0] += now_s () - s, s = now_s ();
		/* json_to_string() included: the clear peer pays it too */
		blob = mv_sealed_record_seal (&ref, dek, 1, node, &error);
		if (blob == NULL)
			g_error ("seal: %s", error->message);
		t[1] += now_s () - s, s = now_s ();
		b->kind->terms (record, &terms);
		term_key = mv_vault_derive_term_key (dek);
		for (guint j = 0; j < terms.codes->len; j++) {
			g_autofree gchar *any
				= mv_clinical_term_any_system (g_ptr_array_index (terms.codes, j));
			g_autofree gchar *i1
				= mv_vault_term_index (term_key, clinic, patient,
						       g_ptr_array_index (terms.codes, j), NULL);
			g_autofree gchar *i2
				= mv_vault_term_index (term_key, clinic, patient, any, NULL);
		}
		t[2] += now_s () - s, s = now_s ();
		g_clear_pointer (&kek, mv_secret_free);
		g_clear_pointer (&dek, mv_secret_free);
		g_clear_pointer (&term_key, mv_secret_free);
		t[3] += now_s () - s;
	}
	g_print ("crypto alone, per observation (%u, no database): KEK+DEK unwrap %.1f us, seal "
		 "%.1f us, term key + indexes %.1f us, key wipe/free %.1f us, total %.1f us\n",
		 m, t[0] * 1e6 / m, t[1] * 1e6 / m, t[2] * 1e6 / m, t[3] * 1e6 / m,
		 (t[0] + t[1] + t[2] + t[3]) * 1e6 / m);
}

/* What each peer left on disk: rows' and indexes' sizes (the records and versions tables hold
 * nothing else of kind observation; the profile versions are a few kB). */
static void
print_sizes (Bench *b)
{
	static const gchar *const sql
		= "SELECT t, pg_relation_size(t::regclass), pg_indexes_size(t::regclass) FROM "
		  "unnest(ARRAY['records', 'record_versions', 'record_terms', "
		  "'bench_plain_records', "
		  "'bench_plain_record_versions', 'bench_plain_record_terms']) AS t";
	g_autoptr (GError) error = NULL;
	PGconn *conn = mv_db_acquire (b->services->db, 5000, &error);
	g_autoptr (PGresult) res
		= conn != NULL ? mv_db_exec_params (conn, sql, 0, NULL, &error) : NULL;

	if (conn != NULL)
		mv_db_release (b->services->db, conn);
	if (res == NULL) {
		g_warning ("sizes: %s", error->message);
		return;
	}
	g_print ("on disk (table / its indexes, kB):");
	for (gint i = 0; i < PQntuples (res); i++)
		g_print ("%s %s %" G_GINT64_FORMAT " / %" G_GINT64_FORMAT,
			 i == 3	  ? ";  clear:"
			 : i == 0 ? "  encrypted:"
				  : ",",
			 PQgetvalue (res, i, 0),
			 g_ascii_strtoll (PQgetvalue (res, i, 1), NULL, 10) / 1024,
			 g_ascii_strtoll (PQgetvalue (res, i, 2), NULL, 10) / 1024);
	g_print ("\n");
}

/* ---- set-up -------------------------------------------------------------------------------- */

static gchar *
add_clinic (MvDb *db, MvServices *services)
{
	g_autoptr (GError) error = NULL;
	MvVault *vault = mv_services_get_vault (services);
	gchar *id = g_uuid_string_random ();
	g_autoptr (GBytes) wrapped = mv_vault_new_kek (vault, id, NULL, &error);
	g_autofree gchar *hex = mv_db_bytea_bytes_to_text (wrapped);
	PGconn *conn = mv_db_acquire (db, 5000, &error);
	const gchar *values[] = { id, "Bench clinic", hex, mv_vault_get_master_key_id (vault) };
	g_autoptr (PGresult) res = NULL;

	res = mv_db_exec_params (conn,
				 "INSERT INTO clinics (clinic_id, name, wrapped_kek, "
				 "master_key_id) VALUES ($1, $2, $3, $4)",
				 4, values, &error);
	if (res == NULL)
		g_error ("clinic: %s", error->message);
	mv_db_release (db, conn);
	return id;
}

static void
add_patients (Bench *b, guint p)
{
	g_autoptr (MvPatientStore) patients = mv_patient_store_new (b->services);

	for (guint i = 0; i < p; i++) {
		g_autoptr (GError) error = NULL;
		g_autofree gchar *text
			= g_strdup_printf ("{\"mrn\":\"OBS-%06u\",\"name\":{\"given\":\"Given%u\","
					   "\"family\":\"Family\"},"
					   "\"birth_date\":\"1958-03-%02u\",\"sex\":\"%s\"}",
					   i, i, 1 + i % 28, i % 2 ? "male" : "female");
		g_autoptr (JsonParser) parser = json_parser_new ();
		gchar *id;

		json_parser_load_from_data (parser, text, -1, NULL);
		id = mv_patient_store_create (patients, &b->caller, "bench",
					      json_node_get_object (json_parser_get_root (parser)),
					      NULL, &error);
		if (id == NULL)
			g_error ("patient: %s", error->message);
		g_ptr_array_add (b->patients, id);
	}
}

static MvDb *
start_database (MvPgEmbedded *pg, GError **error)
{
	g_autoptr (MvDb) db = NULL;
	PGconn *conn;

	if (!mv_pg_embedded_start (pg, error))
		return NULL;
	db = mv_db_new (mv_pg_embedded_get_conninfo (pg), 4, error);
	conn = db != NULL ? mv_db_acquire (db, 30000, error) : NULL;
	if (conn == NULL)
		return NULL;
	if (!mv_migrate_apply (conn, MV_BENCH_SQLDIR, error)) {
		mv_db_release (db, conn);
		return NULL;
	}
	for (guint i = 0; i < G_N_ELEMENTS (plain_ddl); i++) {
		if (!mv_db_exec (conn, plain_ddl[i], error)) {
			mv_db_release (db, conn);
			return NULL;
		}
	}
	mv_db_release (db, conn);
	return g_steal_pointer (&db);
}

int
main (int argc, char **argv)
{
	guint n = argc > 1 ? (guint)g_ascii_strtoull (argv[1], NULL, 10) : 5000;
	const gchar *patients_env = g_getenv ("BENCH_PATIENTS");
	guint n_patients
		= patients_env != NULL ? (guint)g_ascii_strtoull (patients_env, NULL, 10) : 50;
	gboolean batch = g_strcmp0 (g_getenv ("BENCH_BATCH"), "0") != 0;
	g_autoptr (GError) error = NULL;
	g_autofree gchar *dir = g_dir_make_tmp ("mv-bench-XXXXXX", NULL);
	g_autoptr (MvPgEmbedded) pg = NULL;
	g_autoptr (MvDb) db = NULL;
	MvConfig config = { 0 };
	g_autofree gchar *clinic = NULL;
	Bench b = { 0 };
	gdouble single, batched = 0;

	hex_terms = g_strcmp0 (g_getenv ("BENCH_PLAIN_TERMS"), "hex") == 0;
	if (sodium_init () < 0 || n == 0 || n % ROUNDS != 0 || n_patients == 0
	    || (batch && n % (ROUNDS * BATCH) != 0))
		g_error ("usage: bench-observations [N, a multiple of %u (of %u with batches)]",
			 ROUNDS, ROUNDS * BATCH);
	g_chmod (dir, 0755);
	pg = mv_pg_embedded_new (dir, NULL, NULL);
	db = start_database (pg, &error);
	if (db == NULL)
		g_error ("%s", error->message);
	config.data_dir = g_build_filename (dir, "keys", NULL);
	g_mkdir (config.data_dir, 0700);
	b.services = mv_services_new (&config, db, TRUE, &error);
	if (b.services == NULL)
		g_error ("%s", error->message);
	if (g_strcmp0 (g_getenv ("BENCH_WITNESS"), "none") == 0)
		g_clear_pointer (&b.services->witness, mv_audit_witness_free);
	b.store = mv_clinical_store_new (b.services);
	b.kind = mv_clinical_kind_lookup ("observation");
	clinic = add_clinic (db, b.services);
	b.caller = (MvAuthContext){ .role = MV_ROLE_CLINICIAN,
				    .key_id = (gchar *)"bench",
				    .clinic_id = clinic };
	b.call = (MvClinicalCall){ .caller = &b.caller, .request_id = "bench", .language = "en" };
	b.patients = g_ptr_array_new_with_free_func (g_free);
	b.n = n;
	add_patients (&b, n_patients);
	b.backend_pids = find_backends (db, 4);

	g_print (
		"observations bench: %u writes per peer over %u patients (heart rate, BP panel, "
		"glucose mg/dL), %u alternating rounds, 1 client thread, embedded PostgreSQL on a "
		"Unix socket, audit append in every transaction (both peers), %s, clear terms %s\n",
		n, n_patients, ROUNDS,
		b.services->witness != NULL ? "heads witnessed (fdatasync)" : "no audit witness",
		hex_terms ? "as SHA-256 hex" : "as text");
	single = compare (&b, "single", 0, n, 1);
	if (batch)
		batched = compare (&b, "batch", n, n / BATCH, BATCH);
	g_print ("goal: ratio >= 0.80 for single writes: %s\n", single >= 0.8 ? "met" : "NOT met");
	(void)batched;
	print_sizes (&b);
	crypto_alone (&b, 2000);

	g_clear_pointer (&b.store, mv_clinical_store_free);
	g_clear_pointer (&b.patients, g_ptr_array_unref);
	g_clear_pointer (&b.backend_pids, g_array_unref);
	g_clear_pointer (&b.services, mv_services_free);
	g_free (config.data_dir);
	g_clear_pointer (&db, mv_db_free);
	if (!mv_pg_embedded_stop (pg, &error))
		g_warning ("%s", error->message);
	{
		const gchar *rm[] = { "rm", "-rf", dir, NULL };
		g_spawn_sync (NULL, (gchar **)rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
			      NULL, NULL);
	}
	return 0;
}
