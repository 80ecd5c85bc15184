/* Token and key files: see mvt-token.h. */
#include "mvt-token.h"

#include <criterion/criterion.h>
#include <gio/gio.h>
#include <sodium.h>

#include "mvt-harness.h"

gchar *
mvt_token_read (const gchar *path, GError **error)
{
	g_autofree gchar *text = NULL;

	if (!g_file_get_contents (path, &text, NULL, error))
		return NULL;
	g_strstrip (text);
	if (text[0] == '\0') {
		g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s is empty", path);
		return NULL;
	}
	return g_steal_pointer (&text);
}

gchar *
mvt_operator_token (const gchar *data_dir)
{
	g_autofree gchar *path = g_build_filename (data_dir, "operator.key", NULL);
	g_autoptr (GError) error = NULL;
	gchar *token = mvt_token_read (path, &error);

	cr_assert_not_null (token, "the operator key: %s", error != NULL ? error->message : "");
	return token;
}

gchar *
mvt_shared_operator_token (void)
{
	return mvt_operator_token (mvt_shared_data_dir ());
}

void
mvt_write_key_file (const gchar *path)
{
	guint8 raw[32];
	gchar hex[65];
	g_autofree gchar *text = NULL;
	g_autoptr (GError) error = NULL;

	randombytes_buf (raw, sizeof raw);
	sodium_bin2hex (hex, sizeof hex, raw, sizeof raw);
	text = g_strdup_printf ("%s\n", hex);
	cr_assert (g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
					     &error),
		   "%s", error ? error->message : "");
}
