#define G_LOG_DOMAIN "medverse-audit"

#include "mv-audit-witness.h"

#include <errno.h>
#include <fcntl.h>
#include <medverse/mv-error.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define N_FIELDS 7
/* a line is ~250 bytes with UUIDs; ids are at most 256 bytes each (mv-canon): anything much
 * longer is not a line of ours */
#define MAX_LINE 2048

/* ---- the line format ----------------------------------------------------------------------- */

/* non-empty UTF-8 without control characters: a tab or newline would break the line apart */
static gboolean
id_is_plain (const gchar *id)
{
	if (id == NULL || id[0] == '\0' || !g_utf8_validate (id, -1, NULL))
		return FALSE;
	for (const gchar *p = id; *p != '\0'; p++) {
		if ((guchar)*p < 0x20 || *p == 0x7f)
			return FALSE;
	}
	return TRUE;
}

gchar *
mv_audit_witness_format_line (const MvTreeHead *head, GError **error)
{
	gchar root[MV_MERKLE_HASH_SIZE * 2 + 1];
	gchar sig[MV_AUDIT_SIGNATURE_SIZE * 2 + 1];

	if (!id_is_plain (head->log_id) || !id_is_plain (head->tree_id)) {
		g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
			     "tree head of size %" G_GUINT64_FORMAT
			     ": an empty id, or one with control characters, cannot be witnessed",
			     head->tree_size);
		return NULL;
	}
	sodium_bin2hex (root, sizeof root, head->root_hash, sizeof head->root_hash);
	sodium_bin2hex (sig, sizeof sig, head->signature, sizeof head->signature);
	return g_strdup_printf ("%s\t%s\t%s\t%" G_GUINT64_FORMAT "\t%s\t%" G_GINT64_FORMAT "\t%s\n",
				MV_AUDIT_WITNESS_TAG, head->log_id, head->tree_id, head->tree_size,
				root, head->timestamp_us, sig);
}

static gboolean
hex_exact (const gchar *field, const gchar *name, guint8 *out, gsize len, GError **error)
{
	gsize bin_len = 0;

	if (strlen (field) != len * 2
	    || sodium_hex2bin (out, len, field, len * 2, NULL, &bin_len, NULL) != 0
	    || bin_len != len) {
		g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
			     "%s is not %" G_GSIZE_FORMAT " hex digits", name, len * 2);
		return FALSE;
	}
	return TRUE;
}

MvTreeHead *
mv_audit_witness_parse_line (const gchar *line, GError **error)
{
	g_auto (GStrv) f = g_strsplit (line, "\t", N_FIELDS + 1);
	guint8 root[MV_MERKLE_HASH_SIZE];
	guint64 size = 0;
	gint64 timestamp = 0;
	g_autoptr (MvTreeHead) head = NULL;

	if (g_strv_length (f) != N_FIELDS) {
		g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
			     "%u tab-separated fields instead of %d", g_strv_length (f), N_FIELDS);
		return NULL;
	}
	if (strcmp (f[0], MV_AUDIT_WITNESS_TAG) != 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT, "does not start with %s",
			     MV_AUDIT_WITNESS_TAG);
		return NULL;
	}
	if (!id_is_plain (f[1]) || !id_is_plain (f[2])) {
		g_set_error_literal (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
				     "the installation or clinic id is empty or not plain text");
		return NULL;
	}
	if (!g_ascii_string_to_unsigned (f[3], 10, 1, G_MAXINT64, &size, NULL)) {
		g_set_error_literal (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
				     "the tree size is not a positive integer");
		return NULL;
	}
	if (!g_ascii_string_to_signed (f[5], 10, G_MININT64, G_MAXINT64, &timestamp, NULL)) {
		g_set_error_literal (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
				     "the timestamp is not an integer");
		return NULL;
	}
	if (!hex_exact (f[4], "the root", root, sizeof root, error))
		return NULL;
	head = mv_tree_head_new (f[1], f[2], size, root, timestamp);
	if (!hex_exact (f[6], "the signature", head->signature, sizeof head->signature, error))
		return NULL;
	return g_steal_pointer (&head);
}

/* ---- writing -------------------------------------------------------------------------------- */

typedef struct {
	gchar *path;
	int fd;
	gboolean failing; /* the last append failed (logged once) */
} WitnessFile;

struct _MvAuditWitness {
	WitnessFile *files;
	guint n_files;
	/* one write() per line is atomic for O_APPEND on a local file system; the lock keeps a
	 * line whole even when a short write (a full disk) needs a second write() */
	GMutex write_lock;
};

static gboolean
sync_directory (const gchar *path, GError **error)
{
	g_autofree gchar *dir = g_path_get_dirname (path);
	int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int saved;

	if (fd < 0 || fsync (fd) != 0) {
		saved = errno;
		if (fd >= 0)
			close (fd);
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "audit witness: cannot sync directory %s: %s", dir,
			     g_strerror (saved));
		return FALSE;
	}
	close (fd);
	return TRUE;
}

static gboolean
write_all (int fd, const gchar *data, gsize len)
{
	while (len > 0) {
		gssize n = write (fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return FALSE;
		data += n;
		len -= (gsize)n;
	}
	return TRUE;
}

/* The last byte of @path, '\n' for an empty file.  The appending descriptor is write-only
 * (it never needs to read), so this opens one of its own. */
static gboolean
read_last_byte (const gchar *path, off_t size, gchar *last, GError **error)
{
	int fd;
	gboolean ok;

	*last = '\n';
	if (size == 0)
		return TRUE;
	fd = open (path, O_RDONLY | O_CLOEXEC);
	ok = fd >= 0 && pread (fd, last, 1, size - 1) == 1;
	if (!ok)
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "audit witness %s: cannot read: %s",
			     path, g_strerror (errno));
	if (fd >= 0)
		close (fd);
	return ok;
}

/* A crash during a write can leave a last line without its newline: end it, so the next head
 * is a line of its own rather than glued to the torn one. */
static gboolean
end_torn_line (WitnessFile *file, off_t size, GError **error)
{
	gchar last;

	if (!read_last_byte (file->path, size, &last, error))
		return FALSE;
	if (last == '\n')
		return TRUE;
	g_warning ("audit witness %s ends in an incomplete line (a crash while writing?): "
		   "ending it; audit verify reports and ignores it",
		   file->path);
	if (!write_all (file->fd, "\n", 1) || fdatasync (file->fd) != 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "audit witness %s: cannot write: %s",
			     file->path, g_strerror (errno));
		return FALSE;
	}
	return TRUE;
}

static gboolean
open_file (WitnessFile *file, GError **error)
{
	const int flags = O_WRONLY | O_APPEND | O_CLOEXEC;
	gboolean created = FALSE;
	struct stat st;

	file->fd = open (file->path, flags);
	if (file->fd < 0 && errno == ENOENT) {
		file->fd = open (file->path, flags | O_CREAT | O_EXCL, 0600);
		created = file->fd >= 0;
	}
	if (file->fd < 0 || fstat (file->fd, &st) != 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "audit witness %s: cannot open: %s",
			     file->path, g_strerror (errno));
		return FALSE;
	}
	if (!S_ISREG (st.st_mode)) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "audit witness %s is not a regular file", file->path);
		return FALSE;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		/* heads name clinics and their activity volume: not for other users */
		if (fchmod (file->fd, 0600) != 0) {
			g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
				     "audit witness %s has mode %04o and cannot be set to 0600: %s",
				     file->path, (guint)(st.st_mode & 07777), g_strerror (errno));
			return FALSE;
		}
		g_message ("audit witness %s had mode %04o; set to 0600", file->path,
			   (guint)(st.st_mode & 07777));
	}
	/* a new name must survive a crash as well as the lines written under it */
	if (created)
		return sync_directory (file->path, error);
	return end_torn_line (file, st.st_size, error);
}

MvAuditWitness *
mv_audit_witness_open (const gchar *const *paths, GError **error)
{
	g_autoptr (MvAuditWitness) witness = g_new0 (MvAuditWitness, 1);
	guint n = paths != NULL ? g_strv_length ((gchar **)paths) : 0;

	g_return_val_if_fail (n > 0, NULL);
	g_mutex_init (&witness->write_lock);
	witness->files = g_new0 (WitnessFile, n);
	for (guint i = 0; i < n; i++) {
		witness->files[i].path = g_strdup (paths[i]);
		witness->files[i].fd = -1;
		witness->n_files = i + 1;
		if (!open_file (&witness->files[i], error))
			return NULL;
	}
	return g_steal_pointer (&witness);
}

gboolean
mv_audit_witness_append (MvAuditWitness *witness, const MvTreeHead *head, GError **error)
{
	g_autofree gchar *line = mv_audit_witness_format_line (head, error);
	gsize len;
	gboolean all_ok = TRUE;

	if (line == NULL)
		return FALSE;
	len = strlen (line);
	for (guint i = 0; i < witness->n_files; i++) {
		WitnessFile *file = &witness->files[i];
		gboolean ok;
		int saved = 0;

		g_mutex_lock (&witness->write_lock);
		ok = write_all (file->fd, line, len);
		saved = errno;
		g_mutex_unlock (&witness->write_lock);
		/* outside the lock: concurrent appenders' syncs overlap (the file system joins
		 * them into one journal commit) instead of queueing one after another */
		if (ok && fdatasync (file->fd) != 0) {
			ok = FALSE;
			saved = errno;
		}
		if (!ok) {
			if (!g_atomic_int_exchange (&file->failing, TRUE))
				g_warning ("audit witness %s: cannot write the head of %s at size "
					   "%" G_GUINT64_FORMAT
					   ": %s (further failures of this file are not logged "
					   "until it works again)",
					   file->path, head->tree_id, head->tree_size,
					   g_strerror (saved));
			if (all_ok)
				g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
					     "audit witness %s: %s", file->path,
					     g_strerror (saved));
			all_ok = FALSE;
			continue;
		}
		if (g_atomic_int_exchange (&file->failing, FALSE))
			g_message ("audit witness %s is written again", file->path);
	}
	return all_ok;
}

void
mv_audit_witness_free (MvAuditWitness *witness)
{
	if (witness == NULL)
		return;
	for (guint i = 0; i < witness->n_files; i++) {
		if (witness->files[i].fd >= 0)
			close (witness->files[i].fd);
		g_free (witness->files[i].path);
	}
	g_free (witness->files);
	g_mutex_clear (&witness->write_lock);
	g_free (witness);
}

/* ---- reading -------------------------------------------------------------------------------- */

void
mv_audit_witness_file_free (MvAuditWitnessFile *file)
{
	if (file == NULL)
		return;
	g_free (file->path);
	g_clear_pointer (&file->heads, g_ptr_array_unref);
	g_clear_pointer (&file->lines, g_array_unref);
	g_clear_pointer (&file->notes, g_ptr_array_unref);
	g_free (file);
}

static void
take_line (MvAuditWitnessFile *file, const gchar *line, gsize len, guint number, gboolean ended)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *text = NULL;
	MvTreeHead *head;

	if (!ended) {
		g_ptr_array_add (file->notes,
				 g_strdup_printf ("line %u: incomplete (no newline: a crash while "
						  "writing?), ignored",
						  number));
		return;
	}
	if (len > MAX_LINE || memchr (line, '\0', len) != NULL) {
		g_ptr_array_add (
			file->notes,
			g_strdup_printf ("line %u: malformed (too long or binary), ignored",
					 number));
		return;
	}
	text = g_strndup (line, len);
	head = mv_audit_witness_parse_line (text, &error);
	if (head == NULL) {
		g_ptr_array_add (file->notes, g_strdup_printf ("line %u: malformed (%s), ignored",
							       number, error->message));
		return;
	}
	g_ptr_array_add (file->heads, head);
	g_array_append_val (file->lines, number);
}

MvAuditWitnessFile *
mv_audit_witness_file_read (const gchar *path, GError **error)
{
	g_autoptr (MvAuditWitnessFile) file = g_new0 (MvAuditWitnessFile, 1);
	FILE *stream = fopen (path, "re");
	gchar *line = NULL;
	size_t cap = 0;
	ssize_t len;
	guint number = 0;
	int saved;

	if (stream == NULL) {
		saved = errno;
		g_set_error (error, MV_ERROR,
			     saved == ENOENT ? MV_ERROR_NOT_FOUND : MV_ERROR_FAILED,
			     "audit witness %s: %s", path, g_strerror (saved));
		return NULL;
	}
	file->path = g_strdup (path);
	file->heads = g_ptr_array_new_with_free_func ((GDestroyNotify)mv_tree_head_free);
	file->lines = g_array_new (FALSE, FALSE, sizeof (guint));
	file->notes = g_ptr_array_new_with_free_func (g_free);
	/* streamed: the file holds a line per audited write, read once */
	while ((len = getline (&line, &cap, stream)) > 0) {
		gboolean ended = line[len - 1] == '\n';
		take_line (file, line, ended ? (gsize)len - 1 : (gsize)len, ++number, ended);
	}
	saved = errno;
	if (ferror (stream)) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "audit witness %s: %s", path,
			     g_strerror (saved));
		free (line);
		fclose (stream);
		return NULL;
	}
	free (line);
	fclose (stream);
	return g_steal_pointer (&file);
}
