/* The audit log against a real PostgreSQL (a throwaway embedded cluster per test): appends,
 * signed heads, per-clinic trees, concurrency, rollback, and tampering found by the verifier. */
#include <criterion/criterion.h>
#include <medverse/mv-error.h>
#include <sodium.h>

#include "mv-audit-log.h"
#include "mv-db.h"
#include "mv-migrate.h"
#include "mv-storage-test.h"

static MvPgEmbedded *pg;
static gchar *dir;
static MvDb *db;
static MvAuditSigner *signer;
static MvAuditWitness *witness; /* what append_n() witnesses with; NULL: nothing */

static void
setup (void)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvSecret) seed = mv_secret_new_random (32);
	PGconn *conn;

	pg = mvt_cluster_start (&dir);
	db = mv_db_new (mv_pg_embedded_get_conninfo (pg), 8, &error);
	cr_assert_not_null (db, "%s", error ? error->message : "");
	conn = mv_db_acquire (db, 5000, &error);
	cr_assert_not_null (conn, "%s", error ? error->message : "");
	cr_assert (mv_migrate_apply (conn, MV_TEST_SQLDIR, &error), "%s",
		   error ? error->message : "");
	mv_db_release (db, conn);
	signer = mv_audit_signer_new_from_seed (g_steal_pointer (&seed), &error);
	cr_assert_not_null (signer, "%s", error ? error->message : "");
}

static void
teardown (void)
{
	g_clear_pointer (&witness, mv_audit_witness_free);
	g_clear_pointer (&signer, mv_audit_signer_free);
	g_clear_pointer (&db, mv_db_free);
	mvt_cluster_destroy (&pg, &dir);
}

TestSuite (audit_log, .init = setup, .fini = teardown, .timeout = 60);

typedef struct {
	const gchar *clinic;
	guint n;
	const gchar *action;
} AppendJob;

static gboolean
append_n (PGconn *conn, gpointer user_data, GError **error)
{
	AppendJob *job = user_data;
	MvAuthContext actor = { .role = MV_ROLE_CLINICIAN, .key_id = "key-1", .clinic_id = NULL };

	for (guint i = 0; i < job->n; i++) {
		g_autofree gchar *res = g_strdup_printf ("patient-%u", i);
		if (!mv_audit_log_append (conn, signer, witness, &actor, job->clinic,
					  job->action ? job->action : "patient.read", "patient",
					  res, "req-1", error))
			return FALSE;
	}
	return TRUE;
}

static void
append (const gchar *clinic, guint n)
{
	g_autoptr (GError) error = NULL;
	AppendJob job = { clinic, n, NULL };
	cr_assert (mv_db_transaction (db, append_n, &job, &error), "%s",
		   error ? error->message : "");
}

static gboolean
verify (const gchar *clinic, guint64 *n_entries, GError **error)
{
	PGconn *conn = mv_db_acquire (db, 5000, error);
	MvAuditVerifyStats stats;
	gboolean ok;

	cr_assert_not_null (conn);
	ok = mv_audit_log_verify_tree (conn, clinic, mv_audit_signer_get_public_key (signer), NULL,
				       0, &stats, error);
	mv_db_release (db, conn);
	if (n_entries != NULL)
		*n_entries = stats.n_entries;
	return ok;
}

static void
sql (const gchar *statement)
{
	g_autoptr (GError) error = NULL;
	PGconn *conn = mv_db_acquire (db, 5000, &error);
	cr_assert_not_null (conn);
	cr_assert (mv_db_exec (conn, statement, &error), "%s: %s", statement,
		   error ? error->message : "");
	mv_db_release (db, conn);
}

static gchar *
value (const gchar *statement)
{
	PGconn *conn = mv_db_acquire (db, 5000, NULL);
	gchar *v = mvt_query_value (conn, statement);
	mv_db_release (db, conn);
	return v;
}

Test (audit_log, appends_sign_heads_and_verify)
{
	g_autoptr (GError) error = NULL;
	guint64 n = 0;

	append ("clinic-a", 7);
	append ("clinic-a", 6);
	append ("clinic-b", 3);
	append (NULL, 2);
	cr_assert (verify ("clinic-a", &n, &error), "%s", error ? error->message : "");
	cr_assert_eq (n, 13);
	cr_assert (verify ("clinic-b", &n, &error), "%s", error ? error->message : "");
	cr_assert_eq (n, 3);
	cr_assert (verify (MV_AUDIT_OPERATOR_TREE, &n, &error), "%s", error ? error->message : "");
	cr_assert_eq (n, 2);
	/* one signed head per append, numbered by size; seq without gaps */
	cr_assert_str_eq (
		value ("SELECT count(*) FROM audit_tree_heads WHERE clinic_id = 'clinic-a'"), "13");
	cr_assert_str_eq (value ("SELECT min(size)||'-'||max(size) FROM audit_tree_heads "
				 "WHERE clinic_id = 'clinic-a'"),
			  "1-13");
	cr_assert_str_eq (value ("SELECT min(seq)||'-'||max(seq) FROM audit_entries "
				 "WHERE clinic_id = 'clinic-b'"),
			  "0-2");
	cr_assert_str_eq (value ("SELECT size FROM audit_trees WHERE clinic_id = 'clinic-a'"),
			  "13");
	cr_assert_str_eq (value ("SELECT actor FROM audit_entries WHERE clinic_id = '_operator' "
				 "AND seq = 0"),
			  "key-1");
}

Test (audit_log, timestamps_round_trip_to_the_microsecond)
{
	g_autoptr (GError) error = NULL;
	PGconn *conn;
	g_autoptr (MvAuditTree) tree = NULL;
	gint64 before = g_get_real_time ();

	append ("clinic-a", 1);
	conn = mv_db_acquire (db, 5000, &error);
	tree = mv_audit_log_read_tree (conn, "clinic-a", G_MAXINT64, &error);
	mv_db_release (db, conn);
	cr_assert_not_null (tree, "%s", error ? error->message : "");
	cr_assert_eq (tree->n_entries, 1);
	cr_assert (tree->entries[0].timestamp_us >= before);
	cr_assert (tree->entries[0].timestamp_us <= g_get_real_time ());
	cr_assert_eq (tree->n_heads, 1);
	cr_assert_eq (tree->heads[0]->timestamp_us, tree->entries[0].timestamp_us);
}

static gboolean
append_then_fail (PGconn *conn, gpointer user_data, GError **error)
{
	if (!append_n (conn, user_data, error))
		return FALSE;
	g_set_error_literal (error, MV_ERROR, MV_ERROR_FAILED, "the data change failed");
	return FALSE;
}

Test (audit_log, rolled_back_change_leaves_no_entry)
{
	g_autoptr (GError) error = NULL;
	AppendJob job = { "clinic-a", 3, NULL };
	guint64 n = 99;

	append ("clinic-a", 2);
	cr_assert_not (mv_db_transaction (db, append_then_fail, &job, &error));
	g_clear_error (&error);
	cr_assert_str_eq (value ("SELECT count(*) FROM audit_entries"), "2");
	cr_assert_str_eq (value ("SELECT count(*) FROM audit_tree_heads"), "2");
	cr_assert (verify ("clinic-a", &n, &error), "%s", error ? error->message : "");
	cr_assert_eq (n, 2);
	append ("clinic-a", 1);
	cr_assert (verify ("clinic-a", &n, &error), "%s", error ? error->message : "");
	cr_assert_eq (n, 3);
}

Test (audit_log, malformed_fields_are_refused_and_nothing_written)
{
	g_autoptr (GError) error = NULL;
	AppendJob job = { "clinic-a", 1, "" };
	AppendJob ctl = { "clinic-a", 1, "patient.\nread" };

	cr_assert_not (mv_db_transaction (db, append_n, &job, &error));
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INVALID_INPUT), "%s", error->message);
	cr_assert (strstr (error->message, "action") != NULL, "%s", error->message);
	g_clear_error (&error);
	cr_assert_not (mv_db_transaction (db, append_n, &ctl, &error));
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INVALID_INPUT), "%s", error->message);
	cr_assert_str_eq (value ("SELECT count(*) FROM audit_entries"), "0");
}

static gpointer
append_thread (gpointer data)
{
	for (guint i = 0; i < 25; i++) {
		g_autoptr (GError) error = NULL;
		AppendJob job = { data, 1, NULL };
		if (!mv_db_transaction (db, append_n, &job, &error))
			return g_strdup (error->message);
	}
	return NULL;
}

Test (audit_log, concurrent_appends_keep_every_tree_gapless)
{
	g_autoptr (GError) error = NULL;
	GThread *threads[8];
	guint64 n = 0;

	for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
		threads[i]
			= g_thread_new ("append", append_thread, i % 2 ? "clinic-a" : "clinic-b");
	for (guint i = 0; i < G_N_ELEMENTS (threads); i++) {
		g_autofree gchar *failure = g_thread_join (threads[i]);
		cr_assert_null (failure, "%s", failure);
	}
	cr_assert (verify ("clinic-a", &n, &error), "%s", error ? error->message : "");
	cr_assert_eq (n, 100);
	cr_assert (verify ("clinic-b", &n, &error), "%s", error ? error->message : "");
	cr_assert_eq (n, 100);
}

static void
assert_tampered (const gchar *needle)
{
	g_autoptr (GError) error = NULL;
	cr_assert_not (verify ("clinic-a", NULL, &error), "tampering was not detected");
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INTEGRITY), "%s", error->message);
	cr_assert (strstr (error->message, needle) != NULL, "'%s' not in: %s", needle,
		   error->message);
}

Test (audit_log, altered_row_is_named)
{
	append ("clinic-a", 10);
	sql ("UPDATE audit_entries SET action = 'patient.update' WHERE clinic_id = 'clinic-a' AND "
	     "seq = 4");
	assert_tampered ("entry 4 ");
}

Test (audit_log, altered_row_with_rewritten_leaf_hash_is_caught_by_the_heads)
{
	append ("clinic-a", 10);
	sql ("UPDATE audit_entries SET resource_id = 'x', leaf_hash = sha256('x'::bytea) "
	     "WHERE clinic_id = 'clinic-a' AND seq = 6");
	assert_tampered ("entry 6");
}

Test (audit_log, deleted_row_is_named)
{
	append ("clinic-a", 10);
	sql ("DELETE FROM audit_entries WHERE clinic_id = 'clinic-a' AND seq = 3");
	assert_tampered ("entry 3 is missing");
}

Test (audit_log, deleted_last_row_is_named)
{
	append ("clinic-a", 10);
	sql ("DELETE FROM audit_entries WHERE clinic_id = 'clinic-a' AND seq = 9");
	assert_tampered ("entries were deleted from the end");
}

Test (audit_log, reordered_rows_are_named)
{
	append ("clinic-a", 10);
	/* swap the positions of entries 2 and 5 */
	sql ("UPDATE audit_entries SET seq = 1000 WHERE clinic_id = 'clinic-a' AND seq = 2");
	sql ("UPDATE audit_entries SET seq = 2 WHERE clinic_id = 'clinic-a' AND seq = 5");
	sql ("UPDATE audit_entries SET seq = 5 WHERE clinic_id = 'clinic-a' AND seq = 1000");
	assert_tampered ("entry 2 ");
}

Test (audit_log, other_clinics_untouched_by_tampering)
{
	g_autoptr (GError) error = NULL;
	append ("clinic-a", 4);
	append ("clinic-b", 4);
	sql ("DELETE FROM audit_entries WHERE clinic_id = 'clinic-a' AND seq = 0");
	assert_tampered ("entry 0 is missing");
	cr_assert (verify ("clinic-b", NULL, &error), "%s", error ? error->message : "");
}

/* ---- the witness ------------------------------------------------------------------------- */

static gboolean
verify_witnessed (const gchar *clinic, GPtrArray *heads, MvAuditVerifyStats *stats, GError **error)
{
	PGconn *conn = mv_db_acquire (db, 5000, error);
	gboolean ok;

	cr_assert_not_null (conn);
	ok = mv_audit_log_verify_tree (conn, clinic, mv_audit_signer_get_public_key (signer),
				       (MvTreeHead *const *)heads->pdata, heads->len, stats, error);
	mv_db_release (db, conn);
	return ok;
}

/* Heads reach the witness only once committed; a database ahead of the witness (a crash
 * between commit and witness, another daemon) passes; a witnessed head that is not the log's
 * own is an error, not evidence. */
Test (audit_log, witness_holds_committed_heads_only)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *path = g_build_filename (dir, "witness.log", NULL);
	const gchar *paths[] = { path, NULL };
	g_autoptr (MvAuditWitnessFile) file = NULL;
	AppendJob job = { "clinic-a", 2, NULL };
	MvAuditVerifyStats stats;
	MvTreeHead *head;

	witness = mv_audit_witness_open (paths, &error);
	cr_assert_not_null (witness, "%s", error ? error->message : "");
	append ("clinic-a", 3);
	cr_assert_not (mv_db_transaction (db, append_then_fail, &job, &error));
	g_clear_error (&error);
	g_clear_pointer (&witness, mv_audit_witness_free);
	append ("clinic-a", 2);

	file = mv_audit_witness_file_read (path, &error);
	cr_assert_not_null (file, "%s", error ? error->message : "");
	cr_assert_eq (file->heads->len, 3, "the rolled-back heads were witnessed");
	for (guint i = 0; i < 3; i++)
		cr_assert_eq (((MvTreeHead *)file->heads->pdata[i])->tree_size, i + 1);
	cr_assert (verify_witnessed ("clinic-a", file->heads, &stats, &error), "%s",
		   error ? error->message : "");
	cr_assert_eq (stats.n_entries, 5);
	cr_assert_eq (stats.witnessed_size, 3);

	/* a signature that does not verify */
	head = file->heads->pdata[1];
	head->signature[0] ^= 1;
	cr_assert_not (verify_witnessed ("clinic-a", file->heads, NULL, &error));
	cr_assert (strstr (error->message, "witness: ") != NULL, "%s", error->message);
	cr_assert (strstr (error->message, "invalid signature") != NULL, "%s", error->message);
	g_clear_error (&error);
	head->signature[0] ^= 1;

	/* a witness of another installation */
	g_free (head->log_id);
	head->log_id = g_strdup ("00000000-0000-4000-8000-000000000000");
	cr_assert_not (verify_witnessed ("clinic-a", file->heads, NULL, &error));
	cr_assert (strstr (error->message, "names installation") != NULL, "%s", error->message);
}
