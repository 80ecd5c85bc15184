/* The audit witness file without a database: the line format, appending, reading back, and
 * what a crash in the middle of a write leaves (a torn last line is reported, never fatal). */
#include <criterion/criterion.h>
#include <glib/gstdio.h>
#include <medverse/mv-error.h>
#include <string.h>
#include <sys/stat.h>

#include "mv-audit-witness.h"
#include "mv-storage-test.h"

#define INSTALLATION "6f1e1c2a-8a55-4d1e-9b7e-0c4b9f1d2a10"
#define CLINIC "0b6c3b0e-3f4a-4a7e-8f39-5d2c1e9a7b44"
/* a root of the right length that is not hex */
#define Z64 "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"

static gchar *dir;
static gchar *path;
static MvAuditSigner *signer;

static void
setup (void)
{
	g_autoptr (GError) error = NULL;

	dir = mvt_tmpdir ();
	path = g_build_filename (dir, MV_AUDIT_WITNESS_FILE_NAME, NULL);
	signer = mv_audit_signer_new_from_seed (mv_secret_new_random (32), &error);
	cr_assert_not_null (signer, "%s", error ? error->message : "");
}

static void
teardown (void)
{
	g_clear_pointer (&signer, mv_audit_signer_free);
	mvt_rmdir (dir);
	g_clear_pointer (&dir, g_free);
	g_clear_pointer (&path, g_free);
}

TestSuite (audit_witness, .init = setup, .fini = teardown, .timeout = 30);

/* a signed head of CLINIC at @size, its root derived from the size */
static MvTreeHead *
head_of_size (guint64 size)
{
	guint8 root[MV_MERKLE_HASH_SIZE];
	MvTreeHead *head;

	memset (root, (gint)(size & 0xff), sizeof root);
	head = mv_tree_head_new (INSTALLATION, CLINIC, size, root, 1764950000000000 + (gint64)size);
	mv_audit_signer_sign (signer, head);
	return head;
}

static void
assert_same_head (const MvTreeHead *a, const MvTreeHead *b)
{
	cr_assert_str_eq (a->log_id, b->log_id);
	cr_assert_str_eq (a->tree_id, b->tree_id);
	cr_assert_eq (a->tree_size, b->tree_size);
	cr_assert_eq (memcmp (a->root_hash, b->root_hash, sizeof a->root_hash), 0);
	cr_assert_eq (a->timestamp_us, b->timestamp_us);
	cr_assert_eq (memcmp (a->signature, b->signature, sizeof a->signature), 0);
}

static MvAuditWitness *
open_witness (void)
{
	g_autoptr (GError) error = NULL;
	const gchar *paths[] = { path, NULL };
	MvAuditWitness *witness = mv_audit_witness_open (paths, &error);
	cr_assert_not_null (witness, "%s", error ? error->message : "");
	return witness;
}

static void
append_sizes (MvAuditWitness *witness, guint64 from, guint64 to)
{
	for (guint64 size = from; size <= to; size++) {
		g_autoptr (GError) error = NULL;
		g_autoptr (MvTreeHead) head = head_of_size (size);
		cr_assert (mv_audit_witness_append (witness, head, &error), "%s",
			   error ? error->message : "");
	}
}

static MvAuditWitnessFile *
read_witness (void)
{
	g_autoptr (GError) error = NULL;
	MvAuditWitnessFile *file = mv_audit_witness_file_read (path, &error);
	cr_assert_not_null (file, "%s", error ? error->message : "");
	return file;
}

/* appends @text to the file as a crash or another program might leave it */
static void
append_raw (const gchar *text)
{
	FILE *f = fopen (path, "a");
	cr_assert_not_null (f);
	fputs (text, f);
	fclose (f);
}

static gboolean
notes_contain (const MvAuditWitnessFile *file, const gchar *needle)
{
	for (guint i = 0; i < file->notes->len; i++) {
		if (strstr (file->notes->pdata[i], needle) != NULL)
			return TRUE;
	}
	return FALSE;
}

Test (audit_witness, a_line_round_trips_and_verifies)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvTreeHead) head = head_of_size (42);
	g_autofree gchar *line = mv_audit_witness_format_line (head, &error);
	g_autoptr (MvTreeHead) back = NULL;
	g_auto (GStrv) fields = NULL;

	cr_assert_not_null (line, "%s", error ? error->message : "");
	cr_assert (g_str_has_prefix (line,
				     MV_AUDIT_WITNESS_TAG "\t" INSTALLATION "\t" CLINIC "\t42\t"),
		   "%s", line);
	cr_assert (g_str_has_suffix (line, "\n"));
	cr_assert_eq (strchr (line, '\n'), line + strlen (line) - 1, "one line only");
	fields = g_strsplit (line, "\t", -1);
	cr_assert_eq (g_strv_length (fields), 7);
	line[strlen (line) - 1] = '\0';
	back = mv_audit_witness_parse_line (line, &error);
	cr_assert_not_null (back, "%s", error ? error->message : "");
	assert_same_head (head, back);
	/* the line alone is checkable with the public key */
	cr_assert (mv_tree_head_verify (back, mv_audit_signer_get_public_key (signer), &error),
		   "%s", error ? error->message : "");
}

Test (audit_witness, malformed_lines_are_refused_naming_the_field)
{
	g_autoptr (MvTreeHead) head = head_of_size (7);
	g_autofree gchar *good = mv_audit_witness_format_line (head, NULL);
	g_auto (GStrv) f = NULL;
	const struct {
		guint field;
		const gchar *value;
		const gchar *needle;
	} cases[] = {
		{ 0, "mv-sth-v0", "mv-sth-v1" },
		{ 3, "0", "tree size" },
		{ 3, "-1", "tree size" },
		{ 3, "12x", "tree size" },
		{ 4, "00", "root" },
		{ 4, Z64, "root" },
		{ 5, "soon", "timestamp" },
		{ 6, "abcd", "signature" },
		{ 2, "", "clinic id" },
	};

	good[strlen (good) - 1] = '\0';
	f = g_strsplit (good, "\t", -1);
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr (GError) error = NULL;
		g_auto (GStrv) copy = g_strdupv (f);
		g_autofree gchar *line = NULL;
		g_autoptr (MvTreeHead) parsed = NULL;

		g_free (copy[cases[i].field]);
		copy[cases[i].field] = g_strdup (cases[i].value);
		line = g_strjoinv ("\t", copy);
		parsed = mv_audit_witness_parse_line (line, &error);
		cr_assert_null (parsed, "case %u accepted: %s", i, line);
		cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INVALID_INPUT));
		cr_assert (strstr (error->message, cases[i].needle) != NULL, "case %u: %s", i,
			   error->message);
	}
	{
		g_autoptr (GError) error = NULL;
		g_autofree gchar *short_line = g_strjoinv ("\t", (gchar *[]){ f[0], f[1], NULL });
		cr_assert_null (mv_audit_witness_parse_line (short_line, &error));
		cr_assert (strstr (error->message, "fields") != NULL, "%s", error->message);
	}
}

Test (audit_witness, an_id_that_would_break_the_line_is_not_written)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvTreeHead) head = head_of_size (1);
	g_autofree gchar *line = NULL;

	g_free (head->tree_id);
	head->tree_id = g_strdup ("clinic\twith a tab");
	line = mv_audit_witness_format_line (head, &error);
	cr_assert_null (line);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INVALID_INPUT));
}

Test (audit_witness, appended_heads_read_back_in_order_mode_0600)
{
	g_autoptr (MvAuditWitness) witness = open_witness ();
	g_autoptr (MvAuditWitnessFile) file = NULL;
	GStatBuf st;

	append_sizes (witness, 1, 5);
	cr_assert_eq (g_stat (path, &st), 0);
	cr_assert_eq (st.st_mode & 0777, 0600, "mode %o", st.st_mode & 0777);
	file = read_witness ();
	cr_assert_eq (file->heads->len, 5);
	cr_assert_eq (file->notes->len, 0, "%s",
		      file->notes->len ? (gchar *)file->notes->pdata[0] : "");
	for (guint i = 0; i < 5; i++) {
		g_autoptr (MvTreeHead) expected = head_of_size (i + 1);
		assert_same_head (file->heads->pdata[i], expected);
		cr_assert_eq (g_array_index (file->lines, guint, i), i + 1);
	}
}

Test (audit_witness, reopening_appends_after_what_is_there)
{
	g_autoptr (MvAuditWitnessFile) file = NULL;

	{
		g_autoptr (MvAuditWitness) witness = open_witness ();
		append_sizes (witness, 1, 2);
	}
	{
		g_autoptr (MvAuditWitness) witness = open_witness ();
		append_sizes (witness, 3, 4);
	}
	file = read_witness ();
	cr_assert_eq (file->heads->len, 4);
	cr_assert_eq (((MvTreeHead *)file->heads->pdata[3])->tree_size, 4);
}

/* A crash in the middle of a write leaves a last line without its newline: verify reads the
 * rest and says which line it ignored; the daemon, restarting, ends that line so the next
 * head is a line of its own. */
Test (audit_witness, a_torn_last_line_is_reported_not_fatal)
{
	g_autoptr (MvAuditWitnessFile) torn = NULL;
	g_autoptr (MvAuditWitnessFile) after = NULL;
	g_autoptr (MvTreeHead) head = head_of_size (3);
	g_autofree gchar *line = mv_audit_witness_format_line (head, NULL);

	{
		g_autoptr (MvAuditWitness) witness = open_witness ();
		append_sizes (witness, 1, 2);
	}
	/* the crash: 40 bytes of the third line made it to disk */
	line[40] = '\0';
	append_raw (line);

	torn = read_witness ();
	cr_assert_eq (torn->heads->len, 2);
	cr_assert_eq (torn->notes->len, 1);
	cr_assert (notes_contain (torn, "line 3: incomplete"), "%s",
		   (gchar *)torn->notes->pdata[0]);

	/* the daemon starts again and appends */
	{
		g_autoptr (MvAuditWitness) witness = open_witness ();
		append_sizes (witness, 3, 4);
	}
	after = read_witness ();
	cr_assert_eq (after->heads->len, 4, "every whole line is read");
	cr_assert_eq (((MvTreeHead *)after->heads->pdata[2])->tree_size, 3);
	cr_assert_eq (g_array_index (after->lines, guint, 2), 4);
	cr_assert_eq (after->notes->len, 1);
	cr_assert (notes_contain (after, "line 3: malformed"), "%s",
		   (gchar *)after->notes->pdata[0]);
}

Test (audit_witness, a_malformed_line_is_skipped_and_named)
{
	g_autoptr (MvAuditWitnessFile) file = NULL;

	{
		g_autoptr (MvAuditWitness) witness = open_witness ();
		append_sizes (witness, 1, 1);
	}
	append_raw ("not a witness line\n");
	{
		g_autoptr (MvAuditWitness) witness = open_witness ();
		append_sizes (witness, 2, 2);
	}
	file = read_witness ();
	cr_assert_eq (file->heads->len, 2);
	cr_assert (notes_contain (file, "line 2: malformed"), "%s",
		   file->notes->len ? (gchar *)file->notes->pdata[0] : "(none)");
}

Test (audit_witness, a_missing_file_is_not_found)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvAuditWitnessFile) file = mv_audit_witness_file_read (path, &error);

	cr_assert_null (file);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_NOT_FOUND), "%s", error->message);
	cr_assert (strstr (error->message, path) != NULL, "%s", error->message);
}

Test (audit_witness, a_file_readable_by_others_is_set_to_0600)
{
	g_autoptr (MvAuditWitness) witness = NULL;
	GStatBuf st;

	cr_assert (g_file_set_contents (path, "", 0, NULL));
	cr_assert_eq (g_chmod (path, 0644), 0);
	witness = open_witness ();
	cr_assert_eq (g_stat (path, &st), 0);
	cr_assert_eq (st.st_mode & 0777, 0600, "mode %o", st.st_mode & 0777);
}

Test (audit_witness, every_file_gets_every_head)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *second = g_build_filename (dir, "external.log", NULL);
	const gchar *paths[] = { path, second, NULL };
	g_autoptr (MvAuditWitness) witness = mv_audit_witness_open (paths, &error);
	g_autoptr (MvAuditWitnessFile) a = NULL, b = NULL;
	g_autofree gchar *text_a = NULL, *text_b = NULL;

	cr_assert_not_null (witness, "%s", error ? error->message : "");
	append_sizes (witness, 1, 3);
	cr_assert (g_file_get_contents (path, &text_a, NULL, NULL));
	cr_assert (g_file_get_contents (second, &text_b, NULL, NULL));
	cr_assert_str_eq (text_a, text_b);
}

Test (audit_witness, an_unwritable_place_is_an_error_naming_it)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *bad = g_build_filename (dir, "no-such-dir", "witness.log", NULL);
	const gchar *paths[] = { path, bad, NULL };
	g_autoptr (MvAuditWitness) witness = mv_audit_witness_open (paths, &error);

	cr_assert_null (witness);
	cr_assert (strstr (error->message, bad) != NULL, "%s", error->message);
}

static gpointer
append_thread (gpointer data)
{
	MvAuditWitness *witness = data;
	for (guint i = 0; i < 50; i++) {
		g_autoptr (MvTreeHead) head = head_of_size (i + 1);
		if (!mv_audit_witness_append (witness, head, NULL))
			return GINT_TO_POINTER (1);
	}
	return NULL;
}

/* lines of concurrent appenders never interleave */
Test (audit_witness, concurrent_appends_keep_lines_whole)
{
	g_autoptr (MvAuditWitness) witness = open_witness ();
	g_autoptr (MvAuditWitnessFile) file = NULL;
	GThread *threads[4];

	for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
		threads[i] = g_thread_new ("witness", append_thread, witness);
	for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
		cr_assert_null (g_thread_join (threads[i]));
	file = read_witness ();
	cr_assert_eq (file->heads->len, 200);
	cr_assert_eq (file->notes->len, 0);
}
