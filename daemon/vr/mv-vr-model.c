/*
 * The clinic's collaborative model (docs/vr.md, "The clinic's model"): the plugin's Train over
 * the clinic's sessions, kept per clinic in PostgreSQL (tables vr_training and vr_models,
 * schemas/sql/0011_vr.sql) so that every daemon sharing the database uses it.
 *
 * A session stored is also written as a training row: its patient only as a pseudonym (a keyed
 * hash of the patient id under a key derived from the clinic's KEK, never the id), its outcome
 * sealed under another key derived from the KEK.  A recommendation reads the clinic's model and
 * trains it again first when it is missing, older than MV_VR_MODEL_MAX_AGE_HOURS or
 * MV_VR_MODEL_RETRAIN_SESSIONS sessions behind.  Two daemons training at once both write; the
 * upsert keeps the model trained on more sessions (or, equal, the newer): a race costs one
 * redundant training, never a broken row.
 */
#define G_LOG_DOMAIN "medverse-vr"

#include "mv-vr.h"

#include <json-glib/json-gvariant.h>
#include <medverse/mv-error.h>
#include <string.h>

#include "clinical/mv-clinical-private.h"
#include "mv-bytea.h"
#include "mv-db.h"
#include "plans/mv-plan-context.h"
#include "records/mv-record-keys.h"

#define SEAL_LABEL "vr-training-seal"
#define SEAL_KIND "vr-training"

typedef struct {
	MvVrJob *job;
	const gchar *clinic;
	JsonObject *session; /* a stored session record (write) */
	JsonArray *sessions; /* Train's sessions (read) */
	gchar *model;	     /* the stored model's JSON (read) */
	gint64 trained_on;
	gint64 available;
	gboolean fresh;
} ModelOp;

static MvServices *
services_of (MvVrJob *job)
{
	return mv_engine_get_services (job->engine);
}

/* The clinic's two training keys, derived from its KEK: never stored. */
static gboolean
keys_of (PGconn *conn, ModelOp *op, MvSecret **pseudonym_key, MvSecret **seal_key, GError **error)
{
	g_autoptr (MvSecret) kek = mv_record_keys_clinic_kek (
		mv_services_get_vault (services_of (op->job)), conn, op->clinic, FALSE, error);

	if (kek == NULL)
		return FALSE;
	*pseudonym_key = mv_vault_derive_identifier_key (kek, MV_RECORD_KEYS_VR_PSEUDONYM_LABEL);
	*seal_key = mv_vault_derive_identifier_key (kek, SEAL_LABEL);
	return TRUE;
}

/* HMAC-SHA-256 of @text under @key, hex: a pseudonym or a row's key. */
static gchar *
keyed_hash (MvSecret *key, const gchar *text)
{
	return g_compute_hmac_for_string (G_CHECKSUM_SHA256, mv_secret_get_data (key),
					  mv_secret_get_size (key), text, -1);
}

/* ---- a session for training ---------------------------------------------------------- */

/* Train's session from a stored record (the plugin's members only, the date the client's). */
static JsonObject *
training_of (JsonObject *record)
{
	static const gchar *const kept[]
		= { "content_id", "duration_min", "completed", "rating", "cybersickness", NULL };
	JsonObject *t = json_object_new ();
	g_autofree gchar *date = g_strndup (mv_clinical_get_string (record, "started_at"), 10);

	mv_clinical_copy_members (t, record, kept);
	if (json_object_has_member (t, "rating"))
		json_object_set_double_member (t, "rating",
					       json_object_get_double_member (t, "rating"));
	json_object_set_string_member (t, "date", date);
	return t;
}

static gboolean
write_in (PGconn *conn, gpointer data, GError **error)
{
	ModelOp *op = data;
	g_autoptr (MvSecret) pkey = NULL, skey = NULL;
	g_autoptr (JsonObject) t = training_of (op->session);
	g_autoptr (JsonNode) node = NULL;
	g_autofree gchar *pseudonym = NULL, *row_key = NULL, *text = NULL, *blob_text = NULL;
	g_autofree gchar *ident = NULL;
	g_autoptr (GBytes) blob = NULL;
	g_autoptr (PGresult) res = NULL;

	if (!keys_of (conn, op, &pkey, &skey, error))
		return FALSE;
	pseudonym = keyed_hash (pkey, op->job->patient_id);
	ident = g_strdup_printf ("%s|%s", op->job->patient_id,
				 mv_clinical_get_string (op->session, "id"));
	row_key = keyed_hash (pkey, ident);
	node = json_node_init_object (json_node_alloc (), t);
	text = json_to_string (node, FALSE);
	blob = mv_vault_seal (skey, op->clinic, pseudonym, SEAL_KIND, 1, (const guint8 *)text,
			      strlen (text), error);
	if (blob == NULL)
		return FALSE;
	blob_text = mv_db_bytea_bytes_to_text (blob);
	res = mv_db_exec_params (
		conn,
		"INSERT INTO vr_training (clinic_id, row_key, pseudonym, blob) "
		"VALUES ($1, $2, $3, $4::bytea) ON CONFLICT DO NOTHING",
		4, (const gchar *const[]){ op->clinic, row_key, pseudonym, blob_text }, error);
	return res != NULL;
}

void
mv_vr_model_add_session (MvVrJob *job, JsonObject *record)
{
	ModelOp op = { .job = job, .clinic = job->call.caller->clinic_id, .session = record };
	g_autoptr (GError) error = NULL;

	/* the model is an aggregate: a session it misses costs nothing a patient sees, so the
	 * stored session is not refused for it (logged, no patient data) */
	if (!mv_db_transaction (services_of (job)->db, write_in, &op, &error))
		g_warning ("a VR session was not added to the clinic's training set: %s",
			   error->message);
}

/* ---- the model ----------------------------------------------------------------------- */

static gboolean
read_in (PGconn *conn, gpointer data, GError **error)
{
	ModelOp *op = data;
	const gchar *values[] = { op->clinic };
	g_autofree gchar *hours = g_strdup_printf ("%d", MV_VR_MODEL_MAX_AGE_HOURS);
	g_autoptr (PGresult) model = mv_db_exec_params (
		conn,
		"SELECT model::text, sessions, trained_at > now() - make_interval(hours => $2) "
		"FROM vr_models WHERE clinic_id = $1",
		2, (const gchar *const[]){ op->clinic, hours }, error);
	g_autoptr (PGresult) count = NULL;

	if (model == NULL)
		return FALSE;
	count = mv_db_exec_params (conn, "SELECT count(*) FROM vr_training WHERE clinic_id = $1", 1,
				   values, error);
	if (count == NULL)
		return FALSE;
	op->available = g_ascii_strtoll (PQgetvalue (count, 0, 0), NULL, 10);
	if (PQntuples (model) == 0)
		return TRUE;
	op->model = g_strdup (PQgetvalue (model, 0, 0));
	op->trained_on = g_ascii_strtoll (PQgetvalue (model, 0, 1), NULL, 10);
	op->fresh = g_str_equal (PQgetvalue (model, 0, 2), "t");
	return TRUE;
}

static gboolean
sessions_in (PGconn *conn, gpointer data, GError **error)
{
	ModelOp *op = data;
	g_autoptr (MvSecret) pkey = NULL, skey = NULL;
	g_autofree gchar *max = g_strdup_printf ("%d", MV_VR_MODEL_MAX_SESSIONS);
	g_autoptr (PGresult) res = NULL;

	if (!keys_of (conn, op, &pkey, &skey, error))
		return FALSE;
	res = mv_db_exec_params (conn,
				 "SELECT pseudonym, blob FROM vr_training WHERE clinic_id = $1 "
				 "ORDER BY created_at DESC LIMIT $2::int",
				 2, (const gchar *const[]){ op->clinic, max }, error);
	if (res == NULL)
		return FALSE;
	for (gint i = 0; i < PQntuples (res); i++) {
		const gchar *pseudonym = PQgetvalue (res, i, 0);
		g_autoptr (GBytes) blob = mv_db_bytea_from_text (PQgetvalue (res, i, 1));
		g_autoptr (GBytes) plain = NULL;
		g_autoptr (JsonNode) node = NULL;
		g_autofree gchar *text = NULL;
		gsize len;
		const gchar *data_ = NULL;

		plain = blob != NULL ? mv_vault_open (skey, op->clinic, pseudonym, SEAL_KIND, 1,
						      blob, error)
				     : NULL;
		if (plain == NULL)
			return FALSE;
		data_ = g_bytes_get_data (plain, &len);
		text = g_strndup (data_, len);
		node = json_from_string (text, NULL);
		if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
			continue;
		json_object_set_string_member (json_node_get_object (node), "patient", pseudonym);
		json_array_add_object_element (op->sessions,
					       json_object_ref (json_node_get_object (node)));
	}
	return TRUE;
}

static gboolean
store_in (PGconn *conn, gpointer data, GError **error)
{
	ModelOp *op = data;
	g_autofree gchar *n = g_strdup_printf ("%" G_GINT64_FORMAT, op->trained_on);
	g_autoptr (PGresult) res = mv_db_exec_params (
		conn,
		"INSERT INTO vr_models (clinic_id, model, sessions, trained_at) "
		"VALUES ($1, $2::jsonb, $3::int, now()) ON CONFLICT (clinic_id) DO UPDATE "
		"SET model = EXCLUDED.model, sessions = EXCLUDED.sessions, "
		"trained_at = EXCLUDED.trained_at WHERE vr_models.sessions <= EXCLUDED.sessions",
		3, (const gchar *const[]){ op->clinic, op->model, n }, error);

	return res != NULL;
}

/* Train over the clinic's training rows; the model's JSON in op->model.  */
static gboolean
train (ModelOp *op, GError **error)
{
	g_autoptr (JsonArray) sessions = json_array_new ();
	g_autoptr (GVariant) output = NULL;
	g_autoptr (GVariant) model = NULL;
	g_autoptr (JsonNode) node = NULL;

	op->sessions = sessions;
	if (!mv_db_transaction (services_of (op->job)->db, sessions_in, op, error))
		return FALSE;
	output = mv_engine_call_sync (
		op->job->engine, MV_VR_PLUGIN, "Train",
		g_variant_new ("(@aa{sv})", mv_plan_json_to_vardicts (sessions)), &op->job->caller,
		error);
	if (output == NULL)
		return FALSE;
	model = g_variant_get_child_value (output, 0);
	node = json_gvariant_serialize (model);
	g_free (op->model);
	op->model = json_to_string (node, FALSE);
	op->trained_on = json_array_get_length (sessions);
	return mv_db_transaction (services_of (op->job)->db, store_in, op, error);
}

GVariant *
mv_vr_model_current (MvVrJob *job, gint64 *trained_on, GError **error)
{
	ModelOp op = { .job = job, .clinic = job->call.caller->clinic_id };
	g_autoptr (GError) local = NULL;
	g_autoptr (JsonNode) node = NULL;
	GVariant *model;

	if (!mv_db_transaction (services_of (job)->db, read_in, &op, error))
		return NULL;
	if (op.available > 0
	    && (op.model == NULL || !op.fresh
		|| op.available - op.trained_on >= MV_VR_MODEL_RETRAIN_SESSIONS)
	    && !train (&op, &local))
		/* the last model (or none: cold start) still serves; logged, no patient data */
		g_warning ("the clinic's VR model was not trained again: %s", local->message);
	*trained_on = op.model != NULL ? op.trained_on : 0;
	node = op.model != NULL ? json_from_string (op.model, NULL) : NULL;
	g_free (op.model);
	if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
		return g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0));
	/* the JSON adapter's types: the plugin reads them (and names any problem) */
	model = json_gvariant_deserialize (node, "a{sv}", error);
	return model != NULL ? g_variant_ref_sink (model) : NULL;
}
