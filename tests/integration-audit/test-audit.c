/*
 * The audit log end to end: the real daemon with its embedded PostgreSQL, entries appended
 * into its database, proofs fetched over HTTP and checked by the independent Python verifier
 * (tests/tools/verify_audit.py), and `medversectl audit verify` run against rows altered,
 * deleted and reordered in SQL.
 *
 * Entries are appended with mv_audit_log_append() on connections to the daemon's own
 * database, signed with the daemon's own key file, exactly as a request handler does.
 */
#include <criterion/criterion.h>
#include <glib/gstdio.h>
#include <medverse/mv-error.h>
#include <sodium.h>
#include <string.h>

#include "mvt.h"
#include "audit/mv-audit-log.h"
#include "mv-db.h"
#include "mv-pg-embedded.h"

static gchar *
data_path (const gchar *name)
{
	return g_build_filename (mvt_getenv ("MVT_ROOT"), "data", name, NULL);
}

static MvDb *
open_db (void)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *data_dir = data_path (NULL);
	g_autoptr (MvPgEmbedded) pg = mv_pg_embedded_new (data_dir, NULL, NULL);
	MvDb *db = mv_db_new (mv_pg_embedded_get_conninfo (pg), 4, &error);
	cr_assert_not_null (db, "%s", error ? error->message : "");
	return db;
}

static MvAuditSigner *
daemon_signer (void)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *path = data_path ("audit-signing.key");
	MvAuditSigner *signer = mv_audit_signer_new_from_key_file (path, &error);
	cr_assert_not_null (signer, "%s", error ? error->message : "");
	return signer;
}

typedef struct {
	const gchar *clinic;
	guint n;
	const MvAuditSigner *signer;
} Job;

static gboolean
append_job (PGconn *conn, gpointer user_data, GError **error)
{
	Job *job = user_data;
	MvAuthContext actor
		= { .role = MV_ROLE_CLINICIAN, .key_id = "mvk_test", .clinic_id = NULL };
	g_autofree gchar *patient = g_strdup_printf ("3f1c0d7e-0000-4000-8000-%012u", job->n);
	g_autofree gchar *request = g_strdup_printf ("req-%u", job->n);
	const gchar *actions[]
		= { "patient.create", "patient.read", "patient.update", "patient.export" };

	return mv_audit_log_append (conn, job->signer, NULL, &actor, job->clinic,
				    actions[job->n % 4], "patient", patient, request, error);
}

/* n entries, each in its own transaction, as n requests would make them */
static void
append_entries (MvDb *db, const gchar *clinic, guint n)
{
	g_autoptr (MvAuditSigner) signer = daemon_signer ();

	for (guint i = 0; i < n; i++) {
		g_autoptr (GError) error = NULL;
		Job job = { clinic, i, signer };
		cr_assert (mv_db_transaction (db, append_job, &job, &error), "%s",
			   error ? error->message : "");
	}
}

static void
sql (MvDb *db, const gchar *statement)
{
	g_autoptr (GError) error = NULL;
	PGconn *conn = mv_db_acquire (db, 5000, &error);
	cr_assert_not_null (conn, "%s", error ? error->message : "");
	cr_assert (mv_db_exec (conn, statement, &error), "%s: %s", statement,
		   error ? error->message : "");
	mv_db_release (db, conn);
}

/* GET with the operator's bearer token (tests/lib's default); returns the parsed JSON body,
 * asserting @status */
static JsonNode *
get_json (const gchar *path, guint status)
{
	g_autoptr (MvtResponse) r = mvt_get (path);

	cr_assert_eq (r->status, status, "GET %s -> %u: %s", path, r->status, r->body);
	cr_assert_not_null (r->json, "GET %s: not JSON: %s", path, r->body);
	return json_node_ref (r->json);
}

static JsonObject *
obj (JsonNode *node, const gchar *member)
{
	return json_object_get_object_member (json_node_get_object (node), member);
}

/* runs tests/tools/verify_audit.py over @doc; returns its exit status, output in @out */
static gint
run_verifier (JsonNode *doc, const gchar *expect_failure, gchar **out)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *text = json_to_string (doc, TRUE);
	g_autofree gchar *dir = g_dir_make_tmp ("mv-audit-doc-XXXXXX", &error);
	g_autofree gchar *file = NULL;
	g_autofree gchar *stdout_text = NULL, *stderr_text = NULL;
	g_autoptr (GPtrArray) argv = g_ptr_array_new ();
	gint status = -1;

	cr_assert_not_null (dir);
	file = g_build_filename (dir, "doc.json", NULL);
	cr_assert (g_file_set_contents (file, text, -1, NULL));
	g_ptr_array_add (argv, (gpointer)mvt_getenv ("MVT_PYTHON"));
	g_ptr_array_add (argv, (gpointer)mvt_getenv ("MVT_VERIFY_AUDIT"));
	if (expect_failure != NULL) {
		g_ptr_array_add (argv, (gpointer) "--expect-failure");
		g_ptr_array_add (argv, (gpointer)expect_failure);
	}
	g_ptr_array_add (argv, file);
	g_ptr_array_add (argv, NULL);
	cr_assert (g_spawn_sync (NULL, (gchar **)argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
				 &stdout_text, &stderr_text, &status, &error),
		   "%s", error ? error->message : "");
	g_unlink (file);
	g_rmdir (dir);
	if (out != NULL)
		*out = g_strconcat (stdout_text, stderr_text, NULL);
	return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static void
add_object_copy (JsonArray *array, JsonObject *o)
{
	json_array_add_object_element (array, json_object_ref (o));
}

Test (audit_http, proofs_verify_with_the_independent_verifier, .timeout = 60)
{
	g_autoptr (MvDb) db = open_db ();
	const gchar *clinic = "clinic-proofs";
	g_autoptr (JsonNode) head = NULL;
	g_autoptr (JsonNode) page1 = NULL, page2 = NULL;
	g_autoptr (JsonNode) doc_node = json_node_new (JSON_NODE_OBJECT);
	g_autoptr (JsonObject) doc = json_object_new ();
	JsonArray *entries = json_array_new ();
	JsonArray *inclusion = json_array_new ();
	JsonArray *consistency = json_array_new ();
	JsonArray *sths = json_array_new ();
	JsonObject *sth;
	g_autofree gchar *output = NULL;
	gint status;

	append_entries (db, clinic, 21);
	head = get_json ("/v1/audit/clinic-proofs/head", 200);
	sth = obj (head, "sth");
	cr_assert_eq (json_object_get_int_member (sth, "tree_size"), 21);
	cr_assert_str_eq (json_object_get_string_member (sth, "tree_id"), clinic);

	/* every entry, in two pages */
	page1 = get_json ("/v1/audit/clinic-proofs/entries?from=0&limit=15", 200);
	cr_assert_eq (json_object_get_int_member (json_node_get_object (page1), "next"), 15);
	page2 = get_json ("/v1/audit/clinic-proofs/entries?from=15&limit=15", 200);
	cr_assert (json_object_get_null_member (json_node_get_object (page2), "next"));
	for (guint p = 0; p < 2; p++) {
		JsonArray *a = json_object_get_array_member (
			json_node_get_object (p == 0 ? page1 : page2), "entries");
		for (guint i = 0; i < json_array_get_length (a); i++)
			add_object_copy (entries, json_array_get_object_element (a, i));
	}
	cr_assert_eq (json_array_get_length (entries), 21);

	/* inclusion proofs of several entries in the latest head and in an older one */
	add_object_copy (sths, sth);
	for (guint i = 0; i < 21; i += 4) {
		g_autofree gchar *path
			= g_strdup_printf ("/v1/audit/clinic-proofs/entries/%u/proof?tree_size=%u",
					   i, i < 13 ? 13 : 21);
		g_autoptr (JsonNode) proof = get_json (path, 200);
		add_object_copy (inclusion, obj (proof, "inclusion"));
		add_object_copy (sths, obj (proof, "sth"));
		cr_assert_eq (json_object_get_int_member (obj (proof, "entry"), "seq"), i);
	}
	/* consistency between older heads and the latest */
	for (guint m = 1; m <= 21; m += 5) {
		g_autofree gchar *path
			= g_strdup_printf ("/v1/audit/clinic-proofs/consistency?from=%u&to=21", m);
		g_autoptr (JsonNode) proof = get_json (path, 200);
		JsonArray *pair
			= json_object_get_array_member (json_node_get_object (proof), "sths");
		add_object_copy (consistency, obj (proof, "consistency"));
		add_object_copy (sths, json_array_get_object_element (pair, 0));
	}

	json_object_set_string_member (doc, "log_id",
				       json_object_get_string_member (sth, "log_id"));
	json_object_set_string_member (doc, "tree_id", clinic);
	json_object_set_string_member (
		doc, "public_key",
		json_object_get_string_member (json_node_get_object (head), "public_key"));
	json_object_set_array_member (doc, "entries", entries);
	json_object_set_array_member (doc, "inclusion", inclusion);
	json_object_set_array_member (doc, "consistency", consistency);
	json_object_set_array_member (doc, "sths", sths);
	json_node_set_object (doc_node, doc);

	status = run_verifier (doc_node, NULL, &output);
	cr_assert_eq (status, 0, "verifier rejected the daemon's proofs:\n%s", output);
	g_clear_pointer (&output, g_free);

	/* the verifier is not a rubber stamp: a flipped proof hash is rejected */
	{
		JsonObject *first = json_array_get_object_element (consistency, 1);
		JsonArray *path = json_object_get_array_member (first, "path");
		g_autofree gchar *bad = g_strdup (json_array_get_string_element (path, 0));
		bad[0] = bad[0] == '0' ? '1' : '0';
		json_array_remove_element (path, 0);
		json_array_add_string_element (path, bad);
		status = run_verifier (doc_node, "consistency", &output);
		cr_assert_eq (status, 0, "a corrupted consistency proof was accepted:\n%s", output);
	}
}

/* GET @path must fail with @status and @code in the documented error shape, with a message
 * naming each of @words (what was wrong, and with what) */
static void
assert_audit_error (const gchar *path, guint status, const gchar *code, const gchar *const *words)
{
	g_autoptr (MvtResponse) r = mvt_get (path);
	const gchar *message;

	mvt_assert_error (r, status, code);
	message = mvt_error_message (r);
	for (guint i = 0; words[i] != NULL; i++)
		cr_assert_not_null (strstr (message, words[i]), "GET %s: \"%s\" does not name %s",
				    path, message, words[i]);
}

Test (audit_http, errors_are_clear, .timeout = 30)
{
	g_autoptr (MvDb) db = open_db ();

	append_entries (db, "clinic-errors", 3);
	/* a tree that does not exist */
	assert_audit_error ("/v1/audit/clinic-nothing/head", 404, "not-found",
			    (const gchar *const[]){ "clinic-nothing", NULL });
	/* an entry past the end of the tree */
	assert_audit_error ("/v1/audit/clinic-errors/entries/3/proof", 422, "invalid-input",
			    (const gchar *const[]){ "seq 3", "size 3", NULL });
	/* a tree size that was never signed */
	assert_audit_error ("/v1/audit/clinic-errors/entries/0/proof?tree_size=99", 404,
			    "not-found", (const gchar *const[]){ "clinic-errors", "99", NULL });
	/* a consistency proof backwards */
	assert_audit_error ("/v1/audit/clinic-errors/consistency?from=3&to=2", 422, "invalid-input",
			    (const gchar *const[]){ "from", "3", "to", "2", NULL });
	/* a parameter that is no number */
	assert_audit_error ("/v1/audit/clinic-errors/entries?limit=abc", 422, "invalid-input",
			    (const gchar *const[]){ "limit", "integer", NULL });
}

/* ---- medversectl audit verify --------------------------------------------------------------- */

static gint
run_verify (const gchar *clinic, gchar **err)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *data_dir = data_path (NULL);
	g_autofree gchar *out = NULL;
	gint status = -1;
	const gchar *argv[]
		= { mvt_getenv ("MEDVERSECTL"),		"--data-dir", data_dir, "audit", "verify",
		    clinic != NULL ? "--clinic" : NULL, clinic,	      NULL };

	cr_assert (g_spawn_sync (NULL, (gchar **)argv, NULL, 0, NULL, NULL, &out, err, &status,
				 &error),
		   "%s", error ? error->message : "");
	return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static void
assert_verify (const gchar *clinic, gint expected, const gchar *needle)
{
	g_autofree gchar *err = NULL;
	gint status = run_verify (clinic, &err);
	cr_assert_eq (status, expected, "audit verify exited %d, not %d:\n%s", status, expected,
		      err);
	if (needle != NULL)
		cr_assert (strstr (err, needle) != NULL, "'%s' not in:\n%s", needle, err);
}

Test (audit_verify, tampering_in_sql_is_named, .timeout = 60)
{
	g_autoptr (MvDb) db = open_db ();
	const gchar *c = "clinic-tamper";

	append_entries (db, c, 12);
	assert_verify (c, 0, NULL);
	assert_verify (NULL, 0, NULL);

	/* altered */
	sql (db, "UPDATE audit_entries SET actor = 'mvk_someone_else' WHERE clinic_id = "
		 "'clinic-tamper' AND seq = 4");
	assert_verify (c, 1, "entry 4 was altered");
	assert_verify (NULL, 1, "clinic-tamper: TAMPERED");
	sql (db, "UPDATE audit_entries SET actor = 'mvk_test' WHERE clinic_id = 'clinic-tamper' "
		 "AND seq = 4");
	assert_verify (c, 0, NULL);

	/* deleted (kept aside, then put back) */
	sql (db, "CREATE TABLE aside AS SELECT * FROM audit_entries WHERE clinic_id = "
		 "'clinic-tamper' AND seq = 7");
	sql (db, "DELETE FROM audit_entries WHERE clinic_id = 'clinic-tamper' AND seq = 7");
	assert_verify (c, 1, "entry 7 is missing");
	sql (db, "INSERT INTO audit_entries SELECT * FROM aside");
	sql (db, "DROP TABLE aside");
	assert_verify (c, 0, NULL);

	/* reordered: entries 2 and 5 swap places */
	sql (db,
	     "UPDATE audit_entries SET seq = 1000 WHERE clinic_id = 'clinic-tamper' AND seq = 2");
	sql (db, "UPDATE audit_entries SET seq = 2 WHERE clinic_id = 'clinic-tamper' AND seq = 5");
	sql (db,
	     "UPDATE audit_entries SET seq = 5 WHERE clinic_id = 'clinic-tamper' AND seq = 1000");
	assert_verify (c, 1, "entry 2 ");
	sql (db,
	     "UPDATE audit_entries SET seq = 1000 WHERE clinic_id = 'clinic-tamper' AND seq = 2");
	sql (db, "UPDATE audit_entries SET seq = 2 WHERE clinic_id = 'clinic-tamper' AND seq = 5");
	sql (db,
	     "UPDATE audit_entries SET seq = 5 WHERE clinic_id = 'clinic-tamper' AND seq = 1000");
	assert_verify (c, 0, NULL);

	/* the last entry deleted: the heads and the tree row still count it */
	sql (db, "DELETE FROM audit_entries WHERE clinic_id = 'clinic-tamper' AND seq = 11");
	assert_verify (c, 1, "deleted from the end");
}

Test (audit_verify, usage_errors_exit_2, .timeout = 30)
{
	g_autoptr (GError) error = NULL;
	gint status = -1;
	g_autofree gchar *err = NULL;
	const gchar *argv[] = { mvt_getenv ("MEDVERSECTL"),
				"--data-dir",
				"/nonexistent/medverse",
				"audit",
				"verify",
				"--public-key",
				"00",
				NULL };
	const gchar *argv2[] = { mvt_getenv ("MEDVERSECTL"), "audit", "frobnicate", NULL };

	cr_assert (g_spawn_sync (NULL, (gchar **)argv, NULL, 0, NULL, NULL, NULL, &err, &status,
				 &error));
	cr_assert_eq (WEXITSTATUS (status), 2, "%s", err);
	cr_assert (strstr (err, "--public-key") != NULL, "%s", err);
	g_clear_pointer (&err, g_free);
	cr_assert (g_spawn_sync (NULL, (gchar **)argv2, NULL, 0, NULL, NULL, NULL, &err, &status,
				 &error));
	cr_assert_eq (WEXITSTATUS (status), 2, "%s", err);

	/* a tree that is nowhere: not "tampered", a wrong id */
	g_clear_pointer (&err, g_free);
	status = run_verify ("no-such-clinic", &err);
	cr_assert_eq (status, 2, "%s", err);
	cr_assert (strstr (err, "no clinic, audit tree or witnessed head no-such-clinic") != NULL,
		   "%s", err);
}

/* a witness file given explicitly must be there; the daemon's own is reported when missing */
Test (audit_verify, a_missing_witness_file_is_named, .timeout = 30)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *data_dir = data_path (NULL);
	g_autofree gchar *err = NULL;
	gint status = -1;
	const gchar *argv[] = { mvt_getenv ("MEDVERSECTL"),
				"--data-dir",
				data_dir,
				"audit",
				"verify",
				"--witness",
				"/nonexistent/audit-witness.log",
				NULL };

	cr_assert (g_spawn_sync (NULL, (gchar **)argv, NULL, 0, NULL, NULL, NULL, &err, &status,
				 &error));
	cr_assert_eq (WEXITSTATUS (status), 2, "%s", err);
	cr_assert (strstr (err, "/nonexistent/audit-witness.log") != NULL, "%s", err);
}

/* ---- audit verify with the daemon stopped ------------------------------------------------- */

static void
post_as_operator (MvtEnv *env, const gchar *path, const gchar *json)
{
	g_autoptr (MvtResponse) r = mvt_http (env->url, "POST", path, "application/json", json, -1);
	cr_assert_eq (r->status, 201, "POST %s: %u %s", path, r->status, r->body);
}

/* `medversectl --data-dir DIR audit verify` on a stopped installation; stderr in @err */
static gint
verify_stopped (MvtEnv *env, gchar **err)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *out = NULL;
	gint status = -1;
	const gchar *argv[] = {
		mvt_getenv ("MEDVERSECTL"), "--data-dir", env->data_dir, "audit", "verify", NULL
	};

	cr_assert (g_spawn_sync (NULL, (gchar **)argv, NULL, 0, NULL, NULL, &out, err, &status,
				 &error),
		   "%s", error ? error->message : "");
	return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

/* Alters one operator-tree entry with the daemon stopped: starts the embedded cluster the way
 * the daemon does, updates the row in SQL, stops the cluster again. */
static void
tamper_stopped (MvtEnv *env)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvPgEmbedded) pg = mv_pg_embedded_new (env->data_dir, NULL, NULL);
	g_autoptr (MvDb) db = NULL;

	cr_assert (mv_pg_embedded_start (pg, &error), "%s", error ? error->message : "");
	db = mv_db_new (mv_pg_embedded_get_conninfo (pg), 1, &error);
	cr_assert_not_null (db, "%s", error ? error->message : "");
	sql (db, "UPDATE audit_entries SET action = 'tenant.delete' WHERE clinic_id = '_operator' "
		 "AND seq = 1");
	g_clear_pointer (&db, mv_db_free);
	cr_assert (mv_pg_embedded_stop (pg, &error), "%s", error ? error->message : "");
}

/* The daemon stopped: verify starts the embedded cluster itself, passes on the untouched log,
 * fails naming the entry once one row is altered, and leaves no PostgreSQL running. */
Test (audit_verify, works_with_the_daemon_stopped, .timeout = 120)
{
	g_autoptr (MvtEnv) env = mvt_env_new ();
	const MvtOptions options = { 0 };
	g_autoptr (GError) error = NULL;
	g_autofree gchar *err = NULL;
	gint status;

	mvt_env_prepare (env, &options);
	cr_assert (mvt_bus_start (env, &error), "%s", error ? error->message : "");
	cr_assert (mvt_daemon_spawn (env, &error) && mvt_daemon_wait_ready (env, 60000, &error),
		   "%s", error ? error->message : "");
	for (guint i = 0; i < 3; i++) {
		g_autofree gchar *body = g_strdup_printf ("{\"name\":\"Stopped %u\"}", i);
		post_as_operator (env, "/v1/admin/tenants", body);
	}
	cr_assert (mvt_daemon_stop (env, &error), "%s", error ? error->message : "");

	status = verify_stopped (env, &err);
	cr_assert_eq (status, 0, "verify of an untouched log exited %d:\n%s", status, err);
	cr_assert (mvt_no_postgres_left (env, 10000, &error), "%s", error ? error->message : "");

	tamper_stopped (env);
	g_clear_pointer (&err, g_free);
	status = verify_stopped (env, &err);
	cr_assert_eq (status, 1, "verify of an altered log exited %d:\n%s", status, err);
	cr_assert_not_null (strstr (err, "_operator: TAMPERED"), "%s", err);
	cr_assert_not_null (strstr (err, "entry 1 was altered"), "%s", err);
	cr_assert (mvt_no_postgres_left (env, 10000, &error), "%s", error ? error->message : "");
}

int
main (int argc, char **argv)
{
	const MvtOptions options = { 0 };
	return mvt_main (argc, argv, &options);
}
