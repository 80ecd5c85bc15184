#define G_LOG_DOMAIN "medverse-audit"

#include "mv-audit-cli.h"

#include <medverse/mv-error.h>
#include <sodium.h>
#include <string.h>

#include "config.h"
#include "mv-audit-log.h"
#include "mv-audit-witness.h"
#include "mv-config.h"
#include "mv-db.h"
#include "mv-pg-embedded.h"
#include "mv-services.h"

typedef struct {
	MvConfig *config;
	MvPgEmbedded *pg; /* started by us when the daemon was not running */
	PGconn *conn;
	guint8 public_key[MV_AUDIT_PUBLIC_KEY_SIZE];
	GPtrArray *witness_files; /* of MvAuditWitnessFile */
	GHashTable *witnessed;	  /* tree id -> GPtrArray of MvTreeHead, borrowed from the files */
} Cli;

static void
cli_clear (Cli *cli)
{
	g_autoptr (GError) error = NULL;

	g_clear_pointer (&cli->conn, PQfinish);
	if (cli->pg != NULL && !mv_pg_embedded_stop (cli->pg, &error))
		g_printerr ("medversectl: the embedded PostgreSQL did not stop cleanly: %s\n",
			    error->message);
	g_clear_pointer (&cli->pg, mv_pg_embedded_free);
	g_clear_pointer (&cli->config, mv_config_free);
	g_clear_pointer (&cli->witnessed, g_hash_table_unref);
	g_clear_pointer (&cli->witness_files, g_ptr_array_unref);
}

static PGconn *
try_connect (const gchar *conninfo, GError **error)
{
	PGconn *conn = PQconnectdb (conninfo);
	if (PQstatus (conn) != CONNECTION_OK) {
		g_autofree gchar *why = g_strchomp (g_strdup (PQerrorMessage (conn)));
		g_set_error (error, MV_ERROR, MV_ERROR_UNAVAILABLE, "cannot connect: %s", why);
		PQfinish (conn);
		return NULL;
	}
	return conn;
}

/* A configured server is used as it is.  The embedded cluster is reached on its socket when
 * the daemon runs; when it does not, the cluster is started for the duration of the check
 * (holding pg.lock, so a daemon starting meanwhile waits for nothing and is refused cleanly). */
static gboolean
connect_database (Cli *cli, GError **error)
{
	g_autoptr (GError) first = NULL;

	if (!mv_config_uses_embedded_database (cli->config)) {
		cli->conn = try_connect (cli->config->database_url, error);
		return cli->conn != NULL;
	}
	cli->pg = mv_pg_embedded_new (cli->config->data_dir, cli->config->embedded_bindir,
				      cli->config->embedded_user);
	cli->conn = try_connect (mv_pg_embedded_get_conninfo (cli->pg), &first);
	if (cli->conn != NULL) {
		/* the daemon's cluster: not ours to stop */
		g_clear_pointer (&cli->pg, mv_pg_embedded_free);
		return TRUE;
	}
	if (!g_file_test (mv_pg_embedded_get_cluster_dir (cli->pg), G_FILE_TEST_IS_DIR)) {
		g_set_error (error, MV_ERROR, MV_ERROR_UNAVAILABLE,
			     "no embedded database in %s (has medversed ever run with this data "
			     "dir?)",
			     cli->config->data_dir);
		g_clear_pointer (&cli->pg, mv_pg_embedded_free);
		return FALSE;
	}
	g_printerr ("medversectl: the daemon's database is not running; starting the embedded "
		    "cluster in %s for the check\n",
		    cli->config->data_dir);
	if (!mv_pg_embedded_start (cli->pg, error)) {
		g_prefix_error (error, "embedded PostgreSQL (%s): ", first->message);
		g_clear_pointer (&cli->pg, mv_pg_embedded_free);
		return FALSE;
	}
	cli->conn = try_connect (mv_pg_embedded_get_conninfo (cli->pg), error);
	return cli->conn != NULL;
}

static gboolean
load_public_key (Cli *cli, const gchar *hex, GError **error)
{
	g_autofree gchar *path = NULL;
	g_autoptr (MvAuditSigner) signer = NULL;
	gsize len = 0;

	if (hex != NULL) {
		if (strlen (hex) != MV_AUDIT_PUBLIC_KEY_SIZE * 2
		    || sodium_hex2bin (cli->public_key, sizeof cli->public_key, hex, strlen (hex),
				       NULL, &len, NULL)
			       != 0
		    || len != sizeof cli->public_key) {
			g_set_error_literal (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
					     "--public-key must be 64 hex characters");
			return FALSE;
		}
		return TRUE;
	}
	path = mv_services_signing_key_path (cli->config);
	signer = mv_audit_signer_new_from_key_file (path, error);
	if (signer == NULL) {
		g_prefix_error (error, "audit signing key (or give --public-key HEX): ");
		return FALSE;
	}
	memcpy (cli->public_key, mv_audit_signer_get_public_key (signer), sizeof cli->public_key);
	return TRUE;
}

/* The witness files are read before the database: a head is witnessed only after its commit,
 * so every head read here is in the snapshot verify takes afterwards. */
static gboolean
load_witnesses (Cli *cli, gchar **given, GError **error)
{
	g_auto (GStrv) configured = given == NULL ? mv_services_witness_paths (cli->config) : NULL;
	gchar **paths = given != NULL ? given : configured;

	cli->witness_files
		= g_ptr_array_new_with_free_func ((GDestroyNotify)mv_audit_witness_file_free);
	cli->witnessed = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
						(GDestroyNotify)g_ptr_array_unref);
	for (guint i = 0; paths[i] != NULL; i++) {
		g_autoptr (GError) local = NULL;
		g_autoptr (MvAuditWitnessFile) file = mv_audit_witness_file_read (paths[i], &local);
		g_autoptr (GHashTable) trees = g_hash_table_new (g_str_hash, g_str_equal);

		if (file == NULL && given == NULL
		    && g_error_matches (local, MV_ERROR, MV_ERROR_NOT_FOUND)) {
			g_printerr (
				"medversectl: WARNING: no audit witness file %s: only the "
				"database is checked, so entries deleted from the end of a tree, "
				"or a whole tree, would go unnoticed\n",
				paths[i]);
			continue;
		}
		if (file == NULL) {
			g_propagate_error (error, g_steal_pointer (&local));
			return FALSE;
		}
		for (guint j = 0; j < file->notes->len; j++)
			g_printerr ("medversectl: witness %s: %s\n", file->path,
				    (const gchar *)file->notes->pdata[j]);
		for (guint j = 0; j < file->heads->len; j++) {
			MvTreeHead *head = file->heads->pdata[j];
			GPtrArray *heads = g_hash_table_lookup (cli->witnessed, head->tree_id);
			if (heads == NULL) {
				heads = g_ptr_array_new ();
				g_hash_table_insert (cli->witnessed, head->tree_id, heads);
			}
			g_ptr_array_add (heads, head);
			g_hash_table_add (trees, head->tree_id);
		}
		g_print ("witness %s: %u signed tree head(s) of %u tree(s)\n", file->path,
			 file->heads->len, g_hash_table_size (trees));
		g_ptr_array_add (cli->witness_files, g_steal_pointer (&file));
	}
	return TRUE;
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
	return g_strcmp0 (*(const gchar *const *)a, *(const gchar *const *)b);
}

/* the trees of a full check: every tree and clinic of the database, and every tree witnessed
 * (one deleted from the database entirely is named only there) */
static GStrv
list_trees (Cli *cli, GError **error)
{
	g_auto (GStrv) in_db = mv_audit_log_list_trees (cli->conn, error);
	g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
	g_autoptr (GPtrArray) all = g_ptr_array_new ();
	GHashTableIter iter;
	gpointer id;

	if (in_db == NULL)
		return NULL;
	for (guint i = 0; in_db[i] != NULL; i++)
		g_hash_table_add (seen, in_db[i]);
	g_hash_table_iter_init (&iter, cli->witnessed);
	while (g_hash_table_iter_next (&iter, &id, NULL))
		g_hash_table_add (seen, id);
	g_hash_table_iter_init (&iter, seen);
	while (g_hash_table_iter_next (&iter, &id, NULL))
		g_ptr_array_add (all, g_strdup (id));
	g_ptr_array_sort (all, compare_strings);
	g_ptr_array_add (all, NULL);
	return (GStrv)g_ptr_array_free (g_steal_pointer (&all), FALSE);
}

static void
print_intact (Cli *cli, const gchar *tree, const MvAuditVerifyStats *stats)
{
	g_autofree gchar *witnessed = NULL;

	if (!stats->in_database) {
		g_print ("%s: no audit entries yet\n", tree);
		return;
	}
	if (stats->witnessed_size > 0)
		witnessed = g_strdup_printf (", witnessed up to size %" G_GUINT64_FORMAT,
					     stats->witnessed_size);
	else if (cli->witness_files->len > 0)
		/* written by another daemon sharing the database, or before the witness existed */
		witnessed = g_strdup (", not in the witness");
	g_print ("%s: intact, %" G_GUINT64_FORMAT " entries, %" G_GUINT64_FORMAT
		 " signed tree heads%s\n",
		 tree, stats->n_entries, stats->n_heads, witnessed != NULL ? witnessed : "");
}

/* Checks @tree; returns 1 when it is tampered with, 0 when intact, -1 when it could not be
 * checked (reported) */
static gint
verify_one (Cli *cli, const gchar *tree, gboolean named)
{
	g_autoptr (GError) error = NULL;
	GPtrArray *heads = g_hash_table_lookup (cli->witnessed, tree);
	MvAuditVerifyStats stats;

	if (mv_audit_log_verify_tree (cli->conn, tree, cli->public_key,
				      heads != NULL ? (MvTreeHead *const *)heads->pdata : NULL,
				      heads != NULL ? heads->len : 0, &stats, &error)) {
		if (named && !stats.in_database && !stats.is_clinic
		    && g_strcmp0 (tree, MV_AUDIT_OPERATOR_TREE) != 0) {
			g_printerr ("medversectl: no clinic, audit tree or witnessed head %s\n",
				    tree);
			return -1;
		}
		print_intact (cli, tree, &stats);
		return 0;
	}
	if (!g_error_matches (error, MV_ERROR, MV_ERROR_INTEGRITY)) {
		g_printerr ("medversectl: %s: cannot verify: %s\n", tree, error->message);
		return -1;
	}
	g_printerr ("%s: TAMPERED: %s\n", tree, error->message);
	return 1;
}

static int
verify (Cli *cli, const gchar *only_clinic)
{
	g_autoptr (GError) error = NULL;
	g_auto (GStrv) trees = NULL;
	guint n_bad = 0;

	/* one snapshot for every tree, taken after the witness files were read */
	if (!mv_db_exec (cli->conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", &error)) {
		g_printerr ("medversectl: %s\n", error->message);
		return MV_AUDIT_CLI_USAGE;
	}
	if (only_clinic != NULL) {
		trees = g_new0 (gchar *, 2);
		trees[0] = g_strdup (only_clinic);
	} else {
		trees = list_trees (cli, &error);
		if (trees == NULL) {
			g_printerr ("medversectl: cannot list the audit trees: %s\n",
				    error->message);
			return MV_AUDIT_CLI_USAGE;
		}
	}
	for (guint i = 0; trees[i] != NULL; i++) {
		gint bad = verify_one (cli, trees[i], only_clinic != NULL);
		if (bad < 0)
			return MV_AUDIT_CLI_USAGE;
		n_bad += bad;
	}
	if (n_bad > 0) {
		g_printerr ("audit log verification FAILED: %u of %u tree(s) tampered with\n",
			    n_bad, g_strv_length (trees));
		return MV_AUDIT_CLI_TAMPERED;
	}
	g_print ("audit log intact: %u tree(s)\n", g_strv_length (trees));
	return MV_AUDIT_CLI_OK;
}

int
mv_audit_cli_run (const gchar *config_path, const gchar *data_dir, int argc, gchar **argv)
{
	g_autofree gchar *clinic = NULL;
	g_autofree gchar *public_key = NULL;
	g_auto (GStrv) witness = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (GOptionContext) context = NULL;
	g_autofree gchar **args = g_new0 (gchar *, argc + 2);
	gchar **argp = args;
	gint n_args = argc + 1;
	MvConfigOverrides overrides = { .data_dir = data_dir };
	Cli cli = { 0 };
	int status;
	const GOptionEntry entries[] = {
		{ "clinic", 0, 0, G_OPTION_ARG_STRING, &clinic, "Check only this clinic's tree",
		  "ID" },
		{ "public-key", 0, 0, G_OPTION_ARG_STRING, &public_key,
		  "The log's Ed25519 public key (default: from the signing key file)", "HEX" },
		{ "witness", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &witness,
		  "A witness file to check the database against, instead of the daemon's own "
		  "(<data-dir>/audit-witness.log and [audit] external-witness-file); repeat for "
		  "several daemons",
		  "FILE" },
		{ NULL },
	};

	if (argc < 1 || g_strcmp0 (argv[0], "verify") != 0) {
		g_printerr ("usage: medversectl [--config FILE | --data-dir DIR] audit verify "
			    "[--clinic ID] [--public-key HEX] [--witness FILE…]\n");
		return MV_AUDIT_CLI_USAGE;
	}
	args[0] = (gchar *)"medversectl audit verify";
	for (int i = 1; i < argc; i++)
		args[i] = argv[i];
	n_args = argc;
	context = g_option_context_new ("- check the audit log in the database");
	g_option_context_add_main_entries (context, entries, NULL);
	if (!g_option_context_parse (context, &n_args, &argp, &error) || n_args > 1) {
		g_printerr ("medversectl: audit verify: %s\n",
			    error != NULL ? error->message : "unexpected argument");
		return MV_AUDIT_CLI_USAGE;
	}
	if (sodium_init () < 0) {
		g_printerr ("medversectl: libsodium failed to initialise\n");
		return MV_AUDIT_CLI_USAGE;
	}
	if (config_path == NULL)
		config_path = g_getenv ("MEDVERSE_CONFIG");
	cli.config = mv_config_load (config_path != NULL ? config_path
							 : MV_SYSCONFDIR "/medversed.conf",
				     config_path != NULL, &overrides, &error);
	if (cli.config == NULL) {
		g_printerr ("medversectl: configuration: %s\n", error->message);
		return MV_AUDIT_CLI_USAGE;
	}
	if (!load_public_key (&cli, public_key, &error) || !load_witnesses (&cli, witness, &error)
	    || !connect_database (&cli, &error)) {
		g_printerr ("medversectl: %s\n", error->message);
		cli_clear (&cli);
		return MV_AUDIT_CLI_USAGE;
	}
	status = verify (&cli, clinic);
	cli_clear (&cli);
	return status;
}
