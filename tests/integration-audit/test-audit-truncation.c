/*
 * An audit log that cannot be cut (issue 9, item 5): the real daemon witnesses every signed
 * tree head in <data-dir>/audit-witness.log, and `medversectl audit verify` reports what a
 * database consistent with itself cannot show: the newest entries deleted with their heads and
 * the tree size rolled back, a clinic's whole tree deleted, a clinic with patients but no tree.
 *
 * Each test has a daemon of its own: a tampered database fails every full verify after it.
 * Audited writes go through the daemon (clinics, keys and patients over HTTP), the tampering is
 * SQL on its cluster, done the way the attack did it.
 */
#include <criterion/criterion.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "mvt.h"
#include "mv-bytea.h"
#include "mv-merkle.h"

typedef struct {
	MvtEnv *env;
	MvtClinic clinic;
	gchar *witness; /* <data-dir>/audit-witness.log */
	gchar *empty;	/* an empty witness file: the database's own checks alone */
} Site;

/* a daemon of its own, with @config, and a clinic with a clinician key */
static void
site_start (Site *site, const gchar *config)
{
	g_autoptr (GError) error = NULL;
	const MvtOptions options = { .config = config };

	site->env = mvt_env_new ();
	mvt_env_prepare (site->env, &options);
	cr_assert (mvt_bus_start (site->env, &error), "%s", error ? error->message : "");
	cr_assert (mvt_daemon_spawn (site->env, &error)
			   && mvt_daemon_wait_ready (site->env, 60000, &error),
		   "%s", error ? error->message : "");
	mvt_clinic_make (site->env->url, site->env->data_dir, &site->clinic);
	site->witness = g_build_filename (site->env->data_dir, "audit-witness.log", NULL);
	site->empty = g_build_filename (site->env->root, "empty-witness.log", NULL);
	cr_assert (g_file_set_contents (site->empty, "", 0, NULL));
}

static void
site_stop (Site *site)
{
	g_autoptr (GError) error = NULL;

	cr_assert (mvt_daemon_stop (site->env, &error), "%s", error ? error->message : "");
	mvt_clinic_clear (&site->clinic);
	g_clear_pointer (&site->env, mvt_env_free);
	g_clear_pointer (&site->witness, g_free);
	g_clear_pointer (&site->empty, g_free);
}

/* @n patients in @clinic, each create an audited write */
static void
create_patients (Site *site, const MvtClinic *clinic, guint n)
{
	for (guint i = 0; i < n; i++) {
		g_autofree gchar *body
			= g_strdup_printf ("{\"mrn\":\"T-%u-%u\",\"name\":{\"given\":\"p%u\"}}",
					   g_random_int (), i, i);
		g_autoptr (MvtResponse) r
			= mvt_http_with_token (site->env->url, "POST", "/v1/patients",
					       "application/json", body, -1, clinic->clinician);
		cr_assert_eq (r->status, 201, "create patient: %u %s", r->status, r->body);
	}
}

/* `medversectl --config FILE --data-dir DIR audit verify [--witness FILE]` with the daemon's
 * config and data dir: the exit status, stdout and stderr */
static gint
verify (Site *site, const gchar *witness, gchar **out, gchar **err)
{
	g_autoptr (GError) error = NULL;
	gint status = -1;
	const gchar *argv[] = { mvt_getenv ("MEDVERSECTL"),
				"--config",
				site->env->config_path,
				"--data-dir",
				site->env->data_dir,
				"audit",
				"verify",
				witness != NULL ? "--witness" : NULL,
				witness,
				NULL };

	cr_assert (
		g_spawn_sync (NULL, (gchar **)argv, NULL, 0, NULL, NULL, out, err, &status, &error),
		"%s", error ? error->message : "");
	return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static void
assert_intact (Site *site, const gchar *witness)
{
	g_autofree gchar *out = NULL, *err = NULL;
	gint status = verify (site, witness, &out, &err);

	cr_assert_eq (status, 0, "verify exited %d:\n%s%s", status, out, err);
	cr_assert_null (strstr (err, "TAMPERED"), "%s", err);
}

/* verify fails (exit 1) with a line "<clinic>: TAMPERED: <kind>…" */
static void
assert_tampered (Site *site, const gchar *witness, const gchar *clinic, const gchar *kind)
{
	g_autofree gchar *out = NULL, *err = NULL;
	g_autofree gchar *line = g_strdup_printf ("%s: TAMPERED: %s", clinic, kind);
	gint status = verify (site, witness, &out, &err);

	cr_assert_eq (status, 1, "verify exited %d, not 1:\n%s%s", status, out, err);
	cr_assert_not_null (strstr (err, line), "'%s' not in:\n%s", line, err);
}

static void
sql (Site *site, const gchar *statement, const gchar *clinic)
{
	g_autoptr (PGconn) conn = mvt_db_connect (site->env->data_dir);
	const gchar *values[] = { clinic };
	g_autofree gchar *ignored = mvt_db_value (conn, statement, clinic != NULL ? 1 : 0, values);
}

/* The attack: the newest entry of @clinic deleted, with its signed head, and audit_trees set
 * back to the size, frontier and root before it, as the daemon itself would have left them.
 * The database is then consistent with itself. */
static void
cut_newest_entry (Site *site, const gchar *clinic)
{
	g_autoptr (PGconn) conn = mvt_db_connect (site->env->data_dir);
	const gchar *v[] = { clinic };
	gint64 size
		= mvt_db_count (conn, "SELECT size FROM audit_trees WHERE clinic_id = $1", 1, v);
	g_autoptr (MvMerkleFrontier) frontier = mv_merkle_frontier_new ();
	g_autoptr (GBytes) frontier_bytes = NULL;
	g_autofree gchar *frontier_text = NULL, *root_text = NULL, *size_text = NULL;
	g_autofree gchar *ignored = NULL;
	guint8 root[MV_MERKLE_HASH_SIZE];

	cr_assert_gt (size, 1);
	for (gint64 seq = 0; seq < size - 1; seq++) {
		g_autofree gchar *seq_text = g_strdup_printf ("%" G_GINT64_FORMAT, seq);
		const gchar *w[] = { clinic, seq_text };
		g_autofree gchar *leaf_text
			= mvt_db_single (conn,
					 "SELECT leaf_hash FROM audit_entries WHERE clinic_id = $1 "
					 "AND seq = $2::bigint",
					 2, w);
		g_autoptr (GBytes) leaf = mv_db_bytea_from_text (leaf_text);
		cr_assert_eq (g_bytes_get_size (leaf), MV_MERKLE_HASH_SIZE);
		mv_merkle_frontier_append (frontier, g_bytes_get_data (leaf, NULL));
	}
	frontier_bytes = mv_merkle_frontier_to_bytes (frontier);
	mv_merkle_frontier_get_root (frontier, root);
	frontier_text = mv_db_bytea_bytes_to_text (frontier_bytes);
	root_text = mv_db_bytea_to_text (root, sizeof root);
	size_text = g_strdup_printf ("%" G_GINT64_FORMAT, size - 1);
	{
		const gchar *w[] = { clinic, size_text, frontier_text, root_text };
		ignored = mvt_db_value (
			conn,
			"WITH e AS (DELETE FROM audit_entries WHERE clinic_id = $1 "
			"AND seq = $2::bigint), "
			"h AS (DELETE FROM audit_tree_heads WHERE clinic_id = $1 "
			"AND size = $2::bigint + 1) "
			"UPDATE audit_trees SET size = $2::bigint, frontier = $3::bytea, "
			"root = $4::bytea WHERE clinic_id = $1",
			4, w);
	}
}

static void
delete_tree (Site *site, const gchar *clinic)
{
	sql (site, "DELETE FROM audit_entries WHERE clinic_id = $1", clinic);
	sql (site, "DELETE FROM audit_tree_heads WHERE clinic_id = $1", clinic);
	sql (site, "DELETE FROM audit_trees WHERE clinic_id = $1", clinic);
}

/* An untouched log passes; every head the daemon signed is in the witness file (mode 0600) and
 * in the configured external one, and the newest is the tree's size. */
Test (audit_truncation, an_untouched_log_passes, .timeout = 120)
{
	Site site = { 0 };
	g_autofree gchar *root = NULL, *external = NULL, *config = NULL;
	g_autofree gchar *text = NULL, *copy = NULL, *out = NULL, *err = NULL;
	g_autofree gchar *size = NULL, *expect = NULL;
	g_autoptr (PGconn) conn = NULL;
	GStatBuf st;

	/* the external file goes beside the data dir: its path is known before the daemon */
	root = g_dir_make_tmp ("mv-witness-XXXXXX", NULL);
	external = g_build_filename (root, "external-witness.log", NULL);
	config = g_strdup_printf ("[audit]\nexternal-witness-file=%s\n", external);
	site_start (&site, config);
	create_patients (&site, &site.clinic, 3);

	cr_assert_eq (g_stat (site.witness, &st), 0, "no witness file %s", site.witness);
	cr_assert_eq (st.st_mode & 0777, 0600, "mode %o", st.st_mode & 0777);
	cr_assert (g_file_get_contents (site.witness, &text, NULL, NULL));
	cr_assert (g_file_get_contents (external, &copy, NULL, NULL));
	cr_assert_str_eq (text, copy, "both witness files hold the same heads");
	conn = mvt_db_connect (site.env->data_dir);
	size = mvt_db_single (conn, "SELECT size FROM audit_trees WHERE clinic_id = $1", 1,
			      (const gchar *const[]){ site.clinic.id });
	expect = g_strdup_printf ("\t%s\t%s\t", site.clinic.id, size);
	cr_assert_not_null (strstr (text, expect), "no head of size %s in:\n%s", size, text);

	cr_assert_eq (verify (&site, NULL, &out, &err), 0, "%s%s", out, err);
	g_clear_pointer (&expect, g_free);
	expect = g_strdup_printf ("%s: intact, %s entries, %s signed tree heads, witnessed up to "
				  "size %s",
				  site.clinic.id, size, size, size);
	cr_assert_not_null (strstr (out, expect), "'%s' not in:\n%s", expect, out);
	cr_assert_not_null (strstr (out, external), "the external witness was not read:\n%s", out);
	site_stop (&site);
	g_unlink (external);
	g_rmdir (root);
}

/* The attack of issue 9: the newest entry, its head and the tree size rolled back.  The
 * database alone still verifies; against the witness it is "rolled back", and once the daemon
 * appends again over the cut it is "rewritten". */
Test (audit_truncation, a_rolled_back_tail_is_reported, .timeout = 120)
{
	Site site = { 0 };

	site_start (&site, NULL);
	create_patients (&site, &site.clinic, 3);
	assert_intact (&site, NULL);

	cut_newest_entry (&site, site.clinic.id);
	/* what the attack relied on: the database is consistent with itself */
	assert_intact (&site, site.empty);
	assert_tampered (&site, NULL, site.clinic.id, "rolled back");

	/* the next write reaches the witnessed size again, with another root */
	create_patients (&site, &site.clinic, 1);
	assert_tampered (&site, NULL, site.clinic.id, "rewritten");
	site_stop (&site);
}

/* A clinic's whole tree deleted: no audit row of it is left, the witness still names it. */
Test (audit_truncation, a_deleted_tree_is_reported, .timeout = 120)
{
	Site site = { 0 };
	g_auto (MvtClinic) other = { 0 };

	site_start (&site, NULL);
	mvt_clinic_make (site.env->url, site.env->data_dir, &other);
	create_patients (&site, &site.clinic, 2);
	create_patients (&site, &other, 2);
	assert_intact (&site, NULL);

	delete_tree (&site, site.clinic.id);
	assert_tampered (&site, NULL, site.clinic.id, "deleted");
	{
		/* the other clinic's tree is not blamed */
		g_autofree gchar *out = NULL, *err = NULL;
		g_autofree gchar *intact = g_strdup_printf ("%s: intact", other.id);
		verify (&site, NULL, &out, &err);
		cr_assert_not_null (strstr (out, intact), "'%s' not in:\n%s", intact, out);
	}
	site_stop (&site);
}

/* A clinic with patients but no tree, checked without a witness that knows the tree (its
 * writes went through another daemon sharing the database, say): every patient's creation was
 * audited in the clinic's tree, so the tree must exist. */
Test (audit_truncation, a_clinic_with_patients_but_no_tree_is_reported, .timeout = 120)
{
	Site site = { 0 };

	site_start (&site, NULL);
	create_patients (&site, &site.clinic, 2);
	assert_intact (&site, site.empty);

	delete_tree (&site, site.clinic.id);
	assert_tampered (&site, site.empty, site.clinic.id, "no audit tree");
	{
		/* named in the message: what it has */
		g_autofree gchar *out = NULL, *err = NULL;
		verify (&site, site.empty, &out, &err);
		cr_assert_not_null (strstr (err, "2 patient(s)"), "%s", err);
	}
	site_stop (&site);
}
