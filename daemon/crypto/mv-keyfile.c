#include "mv-keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <medverse/mv-error.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static gboolean
check_key_file_stat (const gchar *path, const struct stat *st, GError **error)
{
	if (!S_ISREG (st->st_mode)) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "key file %s is not a regular file",
			     path);
		return FALSE;
	}
	if (st->st_uid != geteuid ()) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "key file %s is owned by uid %u, not by the user running the daemon "
			     "(uid %u)",
			     path, (guint)st->st_uid, (guint)geteuid ());
		return FALSE;
	}
	if ((st->st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "key file %s has mode %04o; it must not be accessible by group or "
			     "others (chmod 600 %s)",
			     path, (guint)(st->st_mode & 07777), path);
		return FALSE;
	}
	return TRUE;
}

/* Reads up to @cap bytes of @fd into @buf; returns the number read or -1. */
static gssize
read_all (int fd, guint8 *buf, gsize cap)
{
	gsize got = 0;

	while (got < cap) {
		gssize n = read (fd, buf + got, cap - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (gsize)n;
	}
	return (gssize)got;
}

static MvSecret *
decode_key (const gchar *path, const guint8 *raw, gsize raw_len, gsize size, GError **error)
{
	g_autoptr (MvSecret) key = NULL;
	gsize hex_len = raw_len;
	gsize bin_len = 0;

	if (raw_len == size) {
		/* A random raw key is practically never all hex digits; such a file is a key of
		 * half the size written as hex, which must not pass for a full-strength key. */
		gboolean all_hex = TRUE;
		for (gsize i = 0; i < raw_len && all_hex; i++)
			all_hex = g_ascii_isxdigit (raw[i]);
		if (all_hex) {
			g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
				     "key file %s holds %" G_GSIZE_FORMAT
				     " hex characters, a %" G_GSIZE_FORMAT
				     "-byte key; a %" G_GSIZE_FORMAT
				     "-byte key is needed (%" G_GSIZE_FORMAT " hex characters)",
				     path, raw_len, raw_len / 2, size, 2 * size);
			return NULL;
		}
		key = mv_secret_new_dedicated (size);
		memcpy (mv_secret_get_writable (key), raw, size);
		mv_secret_seal_readonly (key);
		return g_steal_pointer (&key);
	}

	if (hex_len > 0 && raw[hex_len - 1] == '\n')
		hex_len--;
	if (hex_len != 2 * size) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "key file %s holds %" G_GSIZE_FORMAT
			     " bytes; expected a %" G_GSIZE_FORMAT "-byte key as %" G_GSIZE_FORMAT
			     " hex characters or raw bytes",
			     path, raw_len, size, 2 * size);
		return NULL;
	}
	key = mv_secret_new_dedicated (size);
	if (sodium_hex2bin (mv_secret_get_writable (key), size, (const char *)raw, hex_len, NULL,
			    &bin_len, NULL)
		    != 0
	    || bin_len != size) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "key file %s is not valid hex",
			     path);
		return NULL;
	}
	mv_secret_seal_readonly (key);
	return g_steal_pointer (&key);
}

MvSecret *
mv_key_file_load (const gchar *path, gsize size, GError **error)
{
	g_autoptr (MvSecret) raw = NULL;
	struct stat st;
	gssize got;
	int fd;
	int saved_errno;

	g_return_val_if_fail (path != NULL, NULL);
	g_return_val_if_fail (size > 0 && size <= 1024, NULL);
	mv_crypto_init ();

	fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		saved_errno = errno;
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "cannot open key file %s: %s", path,
			     g_strerror (saved_errno));
		return NULL;
	}
	if (fstat (fd, &st) != 0) {
		saved_errno = errno;
		close (fd);
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "cannot stat key file %s: %s", path,
			     g_strerror (saved_errno));
		return NULL;
	}
	if (!check_key_file_stat (path, &st, error)) {
		close (fd);
		return NULL;
	}

	/* One byte of slack beyond the longest valid form detects oversized files. */
	raw = mv_secret_new_writable (2 * size + 2);
	got = read_all (fd, mv_secret_get_writable (raw), 2 * size + 2);
	saved_errno = errno;
	close (fd);
	if (got < 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "cannot read key file %s: %s", path,
			     g_strerror (saved_errno));
		return NULL;
	}
	if ((gsize)got == 2 * size + 2) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "key file %s is too large for a %" G_GSIZE_FORMAT "-byte key", path,
			     size);
		return NULL;
	}
	return decode_key (path, mv_secret_get_data (raw), (gsize)got, size, error);
}

static gboolean
write_all (int fd, const gchar *buf, gsize len)
{
	while (len > 0) {
		gssize n = write (fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return FALSE;
		buf += n;
		len -= (gsize)n;
	}
	return TRUE;
}

gboolean
mv_key_file_generate (const gchar *path, gsize size, GError **error)
{
	g_autoptr (MvSecret) key = NULL;
	g_autoptr (MvSecret) hex = NULL;
	gchar *hexbuf;
	int fd;
	int saved_errno;

	g_return_val_if_fail (path != NULL, FALSE);
	g_return_val_if_fail (size > 0 && size <= 1024, FALSE);

	key = mv_secret_new_random (size);
	hex = mv_secret_new_writable (2 * size + 2);
	hexbuf = (gchar *)mv_secret_get_writable (hex);
	sodium_bin2hex (hexbuf, 2 * size + 1, mv_secret_get_data (key), size);
	hexbuf[2 * size] = '\n';

	fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
	if (fd < 0) {
		saved_errno = errno;
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "cannot create key file %s: %s",
			     path, g_strerror (saved_errno));
		return FALSE;
	}
	/* The umask can only remove bits; make sure nothing but the owner can read it anyway. */
	if (fchmod (fd, 0600) != 0 || !write_all (fd, hexbuf, 2 * size + 1) || fsync (fd) != 0) {
		saved_errno = errno;
		close (fd);
		unlink (path);
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "cannot write key file %s: %s", path,
			     g_strerror (saved_errno));
		return FALSE;
	}
	if (close (fd) != 0) {
		saved_errno = errno;
		unlink (path);
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "cannot write key file %s: %s", path,
			     g_strerror (saved_errno));
		return FALSE;
	}
	return TRUE;
}
