/* The engagement store (see mv-engagement-store.h): the store object, what its operations
 * share, and the check-in write.  Reads: mv-engagement-read.c. */
#define G_LOG_DOMAIN "medverse-engagement"

#include "mv-engagement-private.h"

#include <medverse/mv-error.h>

#include "../audit/mv-audit-log.h"
#include "../patients/mv-patient-store.h"
#include "../records/mv-sealed-record.h"
#include "config.h"
#include "mv-build-paths.h"
#include "mv-bytea.h"

/* The client id's and a ledger source's blind indexes are record terms of these systems, so
 * they never equal a clinical code's term. */
#define CHECKIN_ID_SYSTEM "urn:medverse:engagement:checkin-id"
#define LEDGER_SOURCE_SYSTEM "urn:medverse:engagement:ledger-source"

static const gchar *const checkin_id_columns[] = { "client_key", NULL };
static const MvRecordKind checkin_kind
	= { "engagement.checkin", "engagement_checkins", checkin_id_columns };
static const gchar *const ledger_id_columns[] = { "source_key", NULL };
static const MvRecordKind ledger_kind
	= { "engagement.ledger", "engagement_ledger", ledger_id_columns };

JsonObject *
mv_engagement_object_member (JsonObject *object, const gchar *member, gpointer unused)
{
	JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;
	return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* ---- the store ----------------------------------------------------------------------------- */

gchar *
mv_engagement_rules_default_path (void)
{
	const gchar *env = g_getenv ("MEDVERSE_ENGAGEMENT_RULES");
	g_autofree gchar *installed
		= g_build_filename (MV_DATADIR, "engagement", "engagement.json", NULL);

	if (env != NULL && env[0] != '\0')
		return g_strdup (env);
	/* an uninstalled build reads the source tree's rules, as it does its migrations */
	if (!g_file_test (installed, G_FILE_TEST_IS_REGULAR)
	    && g_file_test (MV_SOURCE_ENGAGEMENT_RULES, G_FILE_TEST_IS_REGULAR))
		return g_strdup (MV_SOURCE_ENGAGEMENT_RULES);
	return g_steal_pointer (&installed);
}

MvEngagementStore *
mv_engagement_store_new (MvServices *services, MvClinicalStore *clinical, const gchar *rules_path)
{
	MvEngagementStore *store = g_new0 (MvEngagementStore, 1);
	g_autofree gchar *path
		= rules_path != NULL ? g_strdup (rules_path) : mv_engagement_rules_default_path ();
	g_autoptr (GError) error = NULL;

	store->services = services;
	store->clinical = clinical;
	store->rules = mv_engagement_rules_load_file (path, &error);
	if (store->rules == NULL)
		g_warning ("engagement rules not loaded, the engagement routes are unavailable: %s",
			   error->message);
	return store;
}

void
mv_engagement_store_free (MvEngagementStore *store)
{
	if (store == NULL)
		return;
	g_clear_pointer (&store->rules, mv_engagement_rules_free);
	g_free (store);
}

/* ---- operations ---------------------------------------------------------------------------- */

void
mv_engagement_op_clear (MvEngagementOp *op)
{
	g_clear_pointer (&op->result, json_object_unref);
	g_clear_pointer (&op->patient_id, g_free);
}

gboolean
mv_engagement_op_init (MvEngagementOp *op,
		       MvEngagementStore *store,
		       const MvClinicalCall *call,
		       const gchar *patient_id,
		       GError **error)
{
	const MvAuthContext *caller = call->caller;

	op->store = store;
	op->call = call;
	if (store->rules == NULL) {
		mv_set_error_bilingual (
			error, MV_ERROR_UNAVAILABLE,
			"the engagement rules are not loaded (see the daemon's log)",
			"激励规则未加载（见守护进程日志）");
		return FALSE;
	}
	if (caller == NULL || caller->clinic_id == NULL || caller->clinic_id[0] == '\0') {
		mv_set_error_bilingual (error, MV_ERROR_FORBIDDEN,
					"patient data can only be reached with a key of its clinic",
					"只有患者所属机构的密钥才能访问患者数据");
		return FALSE;
	}
	op->clinic_id = caller->clinic_id;
	op->patient_id = patient_id != NULL ? mv_patient_id_normalise (patient_id) : NULL;
	if (op->patient_id == NULL
	    || (caller->role == MV_ROLE_PATIENT
		&& g_strcmp0 (op->patient_id, caller->patient_id) != 0)) {
		mv_set_error_bilingual (error, MV_ERROR_NOT_FOUND, "no such patient", "没有该患者");
		return FALSE;
	}
	return TRUE;
}

gboolean
mv_engagement_op_run (MvEngagementOp *op, MvDbTransactionFunc fn, GError **error)
{
	return mv_db_transaction (op->store->services->db, fn, op, error);
}

gboolean
mv_engagement_op_keys (PGconn *conn,
		       MvEngagementOp *op,
		       gboolean write,
		       MvPatientKeys *keys,
		       GTimeZone **zone,
		       gchar **zone_name,
		       GError **error)
{
	const MvRecordRef ref = { &mv_record_kind_profile, op->clinic_id, op->patient_id, NULL };
	g_autoptr (GError) local = NULL;
	g_autoptr (MvSealedRecord) profile = NULL;
	JsonObject *prefs;
	const gchar *name = NULL;

	if (!mv_patient_keys_load (mv_services_get_vault (op->store->services), conn, op->clinic_id,
				   op->patient_id, write, keys, &local)) {
		if (g_error_matches (local, MV_ERROR, MV_ERROR_NOT_FOUND))
			mv_error_set_message_zh (local, "没有该患者");
		g_propagate_error (error, g_steal_pointer (&local));
		return FALSE;
	}
	profile = mv_sealed_record_read (conn, &ref, keys->dek, keys->version, error);
	if (profile == NULL)
		return FALSE;
	prefs = mv_engagement_object_member (json_node_get_object (profile->data), "preferences",
					     NULL);
	if (prefs != NULL)
		name = json_object_get_string_member_with_default (prefs, "time_zone", NULL);
	if (name == NULL)
		name = "UTC";
	/* the profile's validation accepted the name; a zone database without it falls back */
	*zone = mv_checkin_time_zone (name, NULL);
	if (*zone == NULL) {
		g_warning (
			"a patient's time zone is not in this system's zone database: using UTC");
		name = "UTC";
		*zone = g_time_zone_new_utc ();
	}
	*zone_name = g_strdup (name);
	return TRUE;
}

gboolean
mv_engagement_op_audit (PGconn *conn, MvEngagementOp *op, const gchar *verb, GError **error)
{
	g_autofree gchar *action = g_strdup_printf ("engagement.%s", verb);
	MvServices *services = op->store->services;

	return mv_audit_log_append (conn, services->signer, services->witness, op->call->caller,
				    op->clinic_id, action, "patient", op->patient_id,
				    op->call->request_id, error);
}

void
mv_engagement_today (const MvClinicalCall *call, GTimeZone *zone, GDate *today)
{
	g_autoptr (GDateTime) now
		= call->now != NULL ? g_date_time_ref (call->now) : g_date_time_new_now_utc ();
	mv_checkin_local_date (now, zone, today);
}

gchar *
mv_engagement_date_text (const GDate *date)
{
	return g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (date), g_date_get_month (date),
				g_date_get_day (date));
}

/* ---- stored check-ins and ledger entries ---------------------------------------------------- */

void
mv_stored_checkin_free (MvStoredCheckin *stored)
{
	g_clear_pointer (&stored->checkin, mv_checkin_free);
	g_clear_pointer (&stored->stored, json_object_unref);
	g_free (stored->created_at);
	g_free (stored);
}

/* The blind index of @system|@value for the patient (the term key of their DEK). */
static gchar *
blind_key (MvEngagementOp *op,
	   MvSecret *term_key,
	   const gchar *system,
	   const gchar *value,
	   GError **error)
{
	g_autofree gchar *term = g_strdup_printf ("%s|%s", system, value);
	return mv_vault_term_index (term_key, op->clinic_id, op->patient_id, term, error);
}

/* What a reload needs of a check-in, besides its input: the converted values and the time. */
static JsonObject *
checkin_facts (const MvCheckin *c)
{
	JsonObject *o = json_object_new ();
	g_autofree gchar *at = g_date_time_format_iso8601 (c->at);

	json_object_set_string_member (o, "metric", mv_checkin_metric_name (c->metric));
	json_object_set_double_member (o, "value", c->value);
	if (c->metric == MV_CHECKIN_BLOOD_PRESSURE)
		json_object_set_double_member (o, "diastolic", c->diastolic);
	if (c->task_id != NULL)
		json_object_set_string_member (o, "task_id", c->task_id);
	if (c->vr_content != NULL)
		json_object_set_string_member (o, "vr_content", c->vr_content);
	json_object_set_string_member (o, "at", at);
	return o;
}

static MvCheckin *
checkin_from_facts (const gchar *id, JsonObject *facts, GTimeZone *zone)
{
	MvCheckinMetric metric;
	g_autoptr (GDateTime) at = NULL;
	MvCheckin *c;

	if (facts == NULL
	    || !mv_checkin_metric_from_name (
		    json_object_get_string_member_with_default (facts, "metric", ""), &metric))
		return NULL;
	at = g_date_time_new_from_iso8601 (
		json_object_get_string_member_with_default (facts, "at", ""), NULL);
	if (at == NULL)
		return NULL;
	c = mv_checkin_new (id, metric,
			    json_object_get_double_member_with_default (facts, "value", 0), at,
			    zone);
	c->diastolic = json_object_get_double_member_with_default (facts, "diastolic", 0);
	c->task_id = g_strdup (json_object_get_string_member_with_default (facts, "task_id", NULL));
	c->vr_content
		= g_strdup (json_object_get_string_member_with_default (facts, "vr_content", NULL));
	return c;
}

GPtrArray *
mv_engagement_load_checkins (
	PGconn *conn, MvEngagementOp *op, MvSecret *dek, GTimeZone *zone, GError **error)
{
	const gchar *values[] = { op->clinic_id, op->patient_id };
	g_autoptr (GPtrArray) out
		= g_ptr_array_new_with_free_func ((GDestroyNotify)mv_stored_checkin_free);
	g_autoptr (PGresult) res
		= mv_db_exec_params (conn,
				     "SELECT client_key, blob, " MV_DB_SQL_UTC (
					     "created_at") " FROM engagement_checkins "
							   "WHERE clinic_id = $1 AND patient_id = "
							   "$2 ORDER BY created_at, client_key",
				     2, values, error);

	if (res == NULL)
		return NULL;
	for (gint i = 0; i < PQntuples (res); i++) {
		const gchar *ids[] = { PQgetvalue (res, i, 0), NULL };
		const MvRecordRef ref = { &checkin_kind, op->clinic_id, op->patient_id, ids };
		g_autoptr (GBytes) blob = mv_db_bytea_from_text (PQgetvalue (res, i, 1));
		g_autoptr (JsonNode) node = mv_sealed_record_open (&ref, dek, 1, blob, error);
		MvStoredCheckin *s;
		JsonObject *input;

		if (node == NULL)
			return NULL;
		s = g_new0 (MvStoredCheckin, 1);
		s->stored = json_object_ref (json_node_get_object (node));
		s->created_at = g_strdup (PQgetvalue (res, i, 2));
		g_ptr_array_add (out, s);
		input = mv_engagement_object_member (s->stored, "input", NULL);
		s->checkin = checkin_from_facts (
			input != NULL ? json_object_get_string_member_with_default (input, "id", "")
				      : "",
			mv_engagement_object_member (s->stored, "checkin", NULL), zone);
		if (s->checkin == NULL) {
			g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
				     "check-in %s of patient %s: unreadable content", ids[0],
				     op->patient_id);
			return NULL;
		}
	}
	return g_steal_pointer (&out);
}

GPtrArray *
mv_engagement_load_ledger (PGconn *conn, MvEngagementOp *op, MvSecret *dek, GError **error)
{
	const gchar *values[] = { op->clinic_id, op->patient_id };
	g_autoptr (GPtrArray) out
		= g_ptr_array_new_with_free_func ((GDestroyNotify)mv_ledger_entry_free);
	g_autoptr (PGresult) res = mv_db_exec_params (
		conn,
		"SELECT source_key, blob FROM engagement_ledger WHERE clinic_id = $1 AND "
		"patient_id = $2 ORDER BY created_at, source_key",
		2, values, error);

	if (res == NULL)
		return NULL;
	for (gint i = 0; i < PQntuples (res); i++) {
		const gchar *ids[] = { PQgetvalue (res, i, 0), NULL };
		const MvRecordRef ref = { &ledger_kind, op->clinic_id, op->patient_id, ids };
		g_autoptr (GBytes) blob = mv_db_bytea_from_text (PQgetvalue (res, i, 1));
		g_autoptr (JsonNode) node = mv_sealed_record_open (&ref, dek, 1, blob, error);
		JsonObject *o;
		GDate date;

		if (node == NULL)
			return NULL;
		o = json_node_get_object (node);
		g_date_clear (&date, 1);
		g_date_set_parse (&date,
				  json_object_get_string_member_with_default (o, "date", ""));
		if (!g_date_valid (&date)) {
			g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
				     "ledger entry %s of patient %s: unreadable content", ids[0],
				     op->patient_id);
			return NULL;
		}
		g_ptr_array_add (
			out, mv_ledger_entry_new (
				     json_object_get_string_member_with_default (o, "source", ""),
				     (gint)json_object_get_int_member_with_default (o, "points", 0),
				     json_object_get_string_member_with_default (o, "reason", ""),
				     &date));
	}
	return g_steal_pointer (&out);
}

GPtrArray *
mv_engagement_checkins_of (GPtrArray *stored)
{
	GPtrArray *out = g_ptr_array_new ();

	for (guint i = 0; i < stored->len; i++)
		g_ptr_array_add (out, ((MvStoredCheckin *)g_ptr_array_index (stored, i))->checkin);
	return out;
}

/* Seals @data (transfer full) for the row of @kind with @key and runs @sql with (clinic,
 * patient, key, blob, @extra). */
static gboolean
insert_sealed (MvEngagementOp *op,
	       const MvRecordKind *kind,
	       MvSecret *dek,
	       const gchar *key,
	       JsonObject *data,
	       const gchar *sql,
	       const gchar *extra,
	       GError **error)
{
	const gchar *ids[] = { key, NULL };
	const MvRecordRef ref = { kind, op->clinic_id, op->patient_id, ids };
	g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), data);
	g_autoptr (GBytes) blob = NULL;
	g_autofree gchar *text = NULL;
	g_autoptr (PGresult) res = NULL;

	json_object_unref (data); /* the node holds it */
	blob = mv_sealed_record_seal (&ref, dek, 1, node, error);
	if (blob == NULL)
		return FALSE;
	text = mv_db_bytea_bytes_to_text (blob);
	{
		const gchar *values[] = { op->clinic_id, op->patient_id, key, text, extra };
		res = mv_db_exec_params (op->conn, sql, 5, values, error);
	}
	return res != NULL;
}

/* ---- the check-in write -------------------------------------------------------------------- */

typedef struct {
	JsonObject *body;
	gboolean batch;
	GPtrArray *inputs;   /* JsonObject, borrowed from body */
	GPtrArray *pointers; /* gchar *: "" or "/checkins/N" */
} CheckinParams;

/* Validates every input (problems of all of them at once) and refuses an id twice. */
static GPtrArray *
validate_all (CheckinParams *p, GTimeZone *zone, GDateTime *now, GError **error)
{
	g_autoptr (GPtrArray) out
		= g_ptr_array_new_with_free_func ((GDestroyNotify)mv_checkin_free);
	g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
	GError *problems = NULL;

	for (guint i = 0; i < p->inputs->len; i++) {
		const gchar *pointer = g_ptr_array_index (p->pointers, i);
		JsonObject *input = g_ptr_array_index (p->inputs, i);
		JsonNode *id = json_object_get_member (input, "id");
		g_autoptr (GError) one = NULL;
		MvCheckin *c = mv_checkin_validate (input, pointer, zone, now, &one);

		/* the id as sent, valid check-in or not: a repeat is one more problem, listed with
		 * the others (every problem at once) */
		if (id != NULL && JSON_NODE_HOLDS_VALUE (id)
		    && json_node_get_value_type (id) == G_TYPE_STRING) {
			const gchar *text = json_node_get_string (id);
			if (g_hash_table_contains (seen, text)) {
				g_autofree gchar *where = g_strdup_printf ("%s/id", pointer);
				mv_error_add_problem (
					&problems, where, "duplicate",
					"this id is used by another check-in of the batch",
					"该 id 已被本批次的另一条打卡使用");
			}
			g_hash_table_add (seen, (gpointer)text);
		}
		if (c == NULL) {
			guint n = mv_error_get_n_problems (one);
			for (guint j = 0; j < n; j++) {
				const MvErrorProblem *q = mv_error_get_problem (one, j);
				mv_error_add_problem (&problems, q->field, q->code, q->message,
						      q->message_zh);
			}
			if (n == 0)
				mv_error_add_problem (&problems, pointer, "invalid", one->message,
						      mv_error_get_message_zh (one));
			continue;
		}
		g_ptr_array_add (out, c);
	}
	if (problems != NULL) {
		g_propagate_error (error, problems);
		return NULL;
	}
	return g_steal_pointer (&out);
}

/* The points the new entries give each check-in source, as {"points", "reason"} rows. */
static JsonArray *
awarded_json (GPtrArray *entries)
{
	JsonArray *out = json_array_new ();

	for (guint i = 0; i < entries->len; i++) {
		const MvLedgerEntry *e = g_ptr_array_index (entries, i);
		JsonObject *o = json_object_new ();
		g_autofree gchar *date = mv_engagement_date_text (&e->date);
		json_object_set_int_member (o, "points", e->points);
		json_object_set_string_member (o, "reason", e->reason);
		json_object_set_string_member (o, "date", date);
		json_array_add_object_element (out, o);
	}
	return out;
}

static gint
points_of_source (GPtrArray *entries, const gchar *source)
{
	gint sum = 0;

	for (guint i = 0; i < entries->len; i++) {
		const MvLedgerEntry *e = g_ptr_array_index (entries, i);
		if (g_strcmp0 (e->source, source) == 0)
			sum += e->points;
	}
	return sum;
}

static JsonObject *
new_answer (const MvCheckin *c, const gchar *observation_id, GPtrArray *entries)
{
	JsonObject *o = json_object_new ();
	g_autofree gchar *date = mv_engagement_date_text (&c->local_date);
	g_autofree gchar *source = g_strdup_printf ("checkin:%s", c->id);

	json_object_set_string_member (o, "id", c->id);
	json_object_set_string_member (o, "metric", mv_checkin_metric_name (c->metric));
	json_object_set_string_member (o, "date", date);
	json_object_set_string_member (o, "observation_id", observation_id);
	json_object_set_int_member (o, "points", points_of_source (entries, source));
	return o;
}

/* Writes the ledger entries (a source already awarded is skipped by its key). */
static gboolean
append_entries (
	MvEngagementOp *op, MvSecret *dek, MvSecret *term_key, GPtrArray *entries, GError **error)
{
	for (guint i = 0; i < entries->len; i++) {
		const MvLedgerEntry *e = g_ptr_array_index (entries, i);
		g_autofree gchar *key
			= blind_key (op, term_key, LEDGER_SOURCE_SYSTEM, e->source, error);
		g_autofree gchar *date = mv_engagement_date_text (&e->date);
		g_autofree gchar *points = g_strdup_printf ("%d", e->points);
		JsonObject *o;

		if (key == NULL)
			return FALSE;
		o = json_object_new ();
		json_object_set_string_member (o, "id", e->id);
		json_object_set_string_member (o, "source", e->source);
		json_object_set_int_member (o, "points", e->points);
		json_object_set_string_member (o, "reason", e->reason);
		json_object_set_string_member (o, "date", date);
		if (!insert_sealed (op, &ledger_kind, dek, key, o,
				    "INSERT INTO engagement_ledger (clinic_id, patient_id, "
				    "source_key, blob, points) VALUES ($1, $2, $3, $4::bytea, "
				    "$5::integer) ON CONFLICT DO NOTHING",
				    points, error))
			return FALSE;
	}
	return TRUE;
}

/* The stored check-in with @key among @stored, or NULL. */
static MvStoredCheckin *
find_stored (GPtrArray *stored, GPtrArray *keys, const gchar *key)
{
	for (guint i = 0; i < keys->len; i++)
		if (g_strcmp0 (g_ptr_array_index (keys, i), key) == 0)
			return g_ptr_array_index (stored, i);
	return NULL;
}

/* The blind keys of the stored check-ins, in their order (they are not in the blob). */
static GPtrArray *
stored_keys (PGconn *conn, MvEngagementOp *op, GError **error)
{
	const gchar *values[] = { op->clinic_id, op->patient_id };
	g_autoptr (PGresult) res = mv_db_exec_params (
		conn,
		"SELECT client_key FROM engagement_checkins WHERE clinic_id = $1 AND "
		"patient_id = $2 ORDER BY created_at, client_key",
		2, values, error);
	GPtrArray *out;

	if (res == NULL)
		return NULL;
	out = g_ptr_array_new_with_free_func (g_free);
	for (gint i = 0; i < PQntuples (res); i++)
		g_ptr_array_add (out, g_strdup (PQgetvalue (res, i, 0)));
	return out;
}

static void
node_unref_maybe (gpointer node)
{
	if (node != NULL)
		json_node_unref (node);
}

/* What one check-in request works with, between its steps. */
typedef struct {
	MvEngagementOp *op;
	CheckinParams *p;
	MvPatientKeys keys;
	MvSecret *term_key;
	GTimeZone *zone;
	gchar *zone_name;
	GPtrArray *checkins;   /* MvCheckin, validated, in request order */
	GPtrArray *stored;     /* MvStoredCheckin, the patient's, oldest first */
	GPtrArray *skeys;      /* their client keys */
	GPtrArray *ledger;     /* MvLedgerEntry written before */
	GPtrArray *fresh;      /* MvCheckin (borrowed): the new ones */
	GArray *fresh_at;      /* guint: their index in the request */
	GPtrArray *fresh_keys; /* gchar *: their client keys */
	GPtrArray *answers;    /* JsonNode (nullable until set), in request order */
} CheckinWork;

static void
checkin_work_clear (CheckinWork *w)
{
	mv_patient_keys_clear (&w->keys);
	g_clear_pointer (&w->term_key, mv_secret_free);
	g_clear_pointer (&w->zone, g_time_zone_unref);
	g_clear_pointer (&w->zone_name, g_free);
	g_clear_pointer (&w->checkins, g_ptr_array_unref);
	g_clear_pointer (&w->stored, g_ptr_array_unref);
	g_clear_pointer (&w->skeys, g_ptr_array_unref);
	g_clear_pointer (&w->ledger, g_ptr_array_unref);
	g_clear_pointer (&w->fresh, g_ptr_array_unref);
	g_clear_pointer (&w->fresh_at, g_array_unref);
	g_clear_pointer (&w->fresh_keys, g_ptr_array_unref);
	g_clear_pointer (&w->answers, g_ptr_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CheckinWork, checkin_work_clear)

/* Sorts the request's check-ins into repeats (answered with their stored answer, or a conflict
 * when the content differs) and new ones (w->fresh). */
static gboolean
split_repeats (CheckinWork *w, GError **error)
{
	w->fresh = g_ptr_array_new ();
	w->fresh_at = g_array_new (FALSE, FALSE, sizeof (guint));
	w->fresh_keys = g_ptr_array_new_with_free_func (g_free);
	w->answers = g_ptr_array_new_with_free_func (node_unref_maybe);
	for (guint i = 0; i < w->checkins->len; i++) {
		MvCheckin *c = g_ptr_array_index (w->checkins, i);
		g_autofree gchar *key
			= blind_key (w->op, w->term_key, CHECKIN_ID_SYSTEM, c->id, error);
		MvStoredCheckin *old;

		if (key == NULL)
			return FALSE;
		old = find_stored (w->stored, w->skeys, key);
		g_ptr_array_add (w->answers, NULL);
		if (old == NULL) {
			g_ptr_array_add (w->fresh, c);
			g_array_append_val (w->fresh_at, i);
			g_ptr_array_add (w->fresh_keys, g_steal_pointer (&key));
			continue;
		}
		if (!mv_checkin_same_request (
			    g_ptr_array_index (w->p->inputs, i),
			    json_object_get_object_member (old->stored, "input"))) {
			mv_set_error_bilingual (
				error, MV_ERROR_CONFLICT,
				"a check-in with this id was recorded with other content",
				"已有同一 id 但内容不同的打卡记录");
			return FALSE;
		}
		g_ptr_array_index (w->answers, i)
			= json_node_copy (json_object_get_member (old->stored, "answer"));
	}
	return TRUE;
}

/* Writes the new check-ins' rows, each with its Observation's id and its answer. */
static gboolean
write_fresh (CheckinWork *w, GPtrArray *records, GPtrArray *entries, GError **error)
{
	for (guint i = 0; i < w->fresh->len; i++) {
		MvCheckin *c = g_ptr_array_index (w->fresh, i);
		guint at = g_array_index (w->fresh_at, guint, i);
		const gchar *record_id
			= json_object_get_string_member (g_ptr_array_index (records, i), "id");
		JsonObject *answer = new_answer (c, record_id, entries);
		JsonObject *row = json_object_new ();

		json_object_set_object_member (
			row, "input", json_object_ref (g_ptr_array_index (w->p->inputs, at)));
		json_object_set_object_member (row, "answer", json_object_ref (answer));
		json_object_set_object_member (row, "checkin", checkin_facts (c));
		g_ptr_array_index (w->answers, at)
			= json_node_init_object (json_node_alloc (), answer);
		json_object_unref (answer);
		if (!insert_sealed (w->op, &checkin_kind, w->keys.dek,
				    g_ptr_array_index (w->fresh_keys, i), row,
				    "INSERT INTO engagement_checkins (clinic_id, patient_id, "
				    "client_key, blob, record_id) VALUES ($1, $2, $3, $4::bytea, "
				    "$5::uuid)",
				    record_id, error))
			return FALSE;
	}
	return TRUE;
}

/* The answer: each check-in's, what was awarded, and the progress now. */
static JsonObject *
checkin_result (CheckinWork *w,
		GPtrArray *all,
		GPtrArray *entries,
		const GDate *today,
		const gchar *language)
{
	JsonObject *out = json_object_new ();
	g_autoptr (JsonArray) list = json_array_new ();
	/* borrowed: ledger and entries own them (g_ptr_array_copy() would copy the free func) */
	g_autoptr (GPtrArray) whole = g_ptr_array_new ();
	g_autoptr (MvProgress) progress = NULL;

	g_ptr_array_extend (whole, w->ledger, NULL, NULL);
	g_ptr_array_extend (whole, entries, NULL, NULL);
	progress = mv_progress_compute (w->op->store->rules, all, whole, today);
	for (guint i = 0; i < w->answers->len; i++)
		json_array_add_element (list, json_node_copy (g_ptr_array_index (w->answers, i)));
	if (w->p->batch)
		json_object_set_array_member (out, "checkins", json_array_ref (list));
	else
		json_object_set_member (out, "checkin",
					json_node_copy (json_array_get_element (list, 0)));
	json_object_set_array_member (out, "awarded", awarded_json (entries));
	json_object_set_object_member (
		out, "progress",
		mv_engagement_progress_json (progress, language, w->zone_name, today));
	return out;
}

static gboolean
checkin_txn (PGconn *conn, gpointer data, GError **error)
{
	MvEngagementOp *op = data;
	const MvClinicalCall *call = op->call;
	g_auto (CheckinWork) w = { .op = op, .p = op->params };
	const gchar *language = NULL;
	g_autoptr (GDateTime) now = NULL;
	g_autoptr (GPtrArray) records = NULL, all = NULL, entries = NULL;
	g_autoptr (GPtrArray) obs_inputs
		= g_ptr_array_new_with_free_func ((GDestroyNotify)json_object_unref);
	GDate today;

	g_clear_pointer (&op->result, json_object_unref);
	op->created = FALSE;
	op->conn = conn;
	if (!mv_engagement_op_keys (conn, op, TRUE, &w.keys, &w.zone, &w.zone_name, error))
		return FALSE;
	now = call->now != NULL ? g_date_time_ref (call->now) : g_date_time_new_now_utc ();
	w.checkins = validate_all (w.p, w.zone, now, error);
	if (w.checkins == NULL)
		return FALSE;
	w.term_key = mv_vault_derive_term_key (w.keys.dek);
	w.stored = mv_engagement_load_checkins (conn, op, w.keys.dek, w.zone, error);
	w.skeys = w.stored != NULL ? stored_keys (conn, op, error) : NULL;
	w.ledger = w.skeys != NULL ? mv_engagement_load_ledger (conn, op, w.keys.dek, error) : NULL;
	if (w.ledger == NULL || !split_repeats (&w, error))
		return FALSE;
	/* a task done must be one of the plan the patient follows now (mv-checkin-plan.c) */
	if (!mv_engagement_check_tasks (conn, op, w.keys.dek, w.fresh, w.fresh_at, w.p->pointers,
					error))
		return FALSE;
	for (guint i = 0; i < w.fresh->len; i++)
		g_ptr_array_add (obs_inputs,
				 mv_checkin_to_observation (g_ptr_array_index (w.fresh, i)));
	if (w.fresh->len > 0) {
		records = mv_clinical_store_create_in (
			conn, op->store->clinical, call, mv_clinical_kind_lookup ("observations"),
			op->patient_id, w.keys.dek, obs_inputs, error);
		if (records == NULL)
			return FALSE;
	}
	/* the ledger sees every check-in, the new ones too */
	mv_engagement_today (call, w.zone, &today);
	all = mv_engagement_checkins_of (w.stored);
	g_ptr_array_extend (all, w.fresh, NULL, NULL);
	entries = mv_ledger_award (op->store->rules, all, w.ledger, &today);
	if (!append_entries (op, w.keys.dek, w.term_key, entries, error))
		return FALSE;
	if (w.fresh->len > 0 && !write_fresh (&w, records, entries, error))
		return FALSE;
	if (!mv_engagement_op_audit (conn, op, w.fresh->len > 0 ? "checkin" : "checkin-repeat",
				     error))
		return FALSE;
	/* the progress follows the profile's language, as GET /v1/me/progress does */
	if (!mv_engagement_progress_language (conn, op, &w.keys, &language, error))
		return FALSE;
	op->created = w.fresh->len > 0;
	op->result = checkin_result (&w, all, entries, &today, language);
	return TRUE;
}

/* The inputs of @body: one check-in, or {"checkins": [1..100 objects]}. */
static gboolean
checkin_inputs (CheckinParams *p, GError **error)
{
	JsonNode *list = json_object_get_member (p->body, "checkins");
	guint n;

	p->batch = list != NULL && json_object_get_size (p->body) == 1;
	if (!p->batch) {
		g_ptr_array_add (p->inputs, p->body);
		g_ptr_array_add (p->pointers, g_strdup (""));
		return TRUE;
	}
	if (!JSON_NODE_HOLDS_ARRAY (list)) {
		mv_error_add_problem (error, "/checkins", "wrong-type", "must be an array",
				      "必须是数组");
		return FALSE;
	}
	n = json_array_get_length (json_node_get_array (list));
	if (n == 0 || n > MV_ENGAGEMENT_MAX_BATCH) {
		g_autofree gchar *en = g_strdup_printf ("must hold 1 to %d check-ins, not %u",
							MV_ENGAGEMENT_MAX_BATCH, n);
		g_autofree gchar *zh = g_strdup_printf ("必须包含 1 到 %d 条打卡，而不是 %u 条",
							MV_ENGAGEMENT_MAX_BATCH, n);
		mv_error_add_problem (error, "/checkins", n == 0 ? "too-short" : "too-long", en,
				      zh);
		return FALSE;
	}
	for (guint i = 0; i < n; i++) {
		JsonNode *item = json_array_get_element (json_node_get_array (list), i);
		g_autofree gchar *pointer = g_strdup_printf ("/checkins/%u", i);
		if (!JSON_NODE_HOLDS_OBJECT (item)) {
			mv_error_add_problem (error, pointer, "wrong-type", "must be an object",
					      "必须是对象");
			continue;
		}
		g_ptr_array_add (p->inputs, json_node_get_object (item));
		g_ptr_array_add (p->pointers, g_steal_pointer (&pointer));
	}
	return error == NULL || *error == NULL;
}

JsonObject *
mv_engagement_store_checkin (MvEngagementStore *store,
			     const MvClinicalCall *call,
			     JsonObject *body,
			     gboolean *created,
			     GError **error)
{
	g_auto (MvEngagementOp) op = { 0 };
	g_autoptr (GPtrArray) inputs = g_ptr_array_new ();
	g_autoptr (GPtrArray) pointers = g_ptr_array_new_with_free_func (g_free);
	CheckinParams params = { body, FALSE, inputs, pointers };
	GError *problems = NULL;

	if (call->caller == NULL || call->caller->role != MV_ROLE_PATIENT) {
		mv_set_error_bilingual (error, MV_ERROR_FORBIDDEN,
					"only a patient's own key checks in",
					"只有患者本人的密钥可以打卡");
		return NULL;
	}
	if (!mv_engagement_op_init (&op, store, call, call->caller->patient_id, error))
		return NULL;
	if (body == NULL) {
		mv_error_add_problem (error, "", "required", "a JSON object is required",
				      "需要一个 JSON 对象");
		return NULL;
	}
	if (!checkin_inputs (&params, &problems)) {
		g_propagate_error (error, problems);
		return NULL;
	}
	op.params = &params;
	if (!mv_engagement_op_run (&op, checkin_txn, error))
		return NULL;
	*created = op.created;
	return g_steal_pointer (&op.result);
}
