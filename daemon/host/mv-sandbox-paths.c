/* The protected-path rule of the plugin sandbox: see mv-sandbox-paths.h. */
#include "mv-sandbox-paths.h"

#include <stdlib.h>
#include <string.h>

/* realpath() of what may not exist yet: a dangling link is followed to its target, a missing
 * file is resolved through its parent, so a link to a state directory the daemon creates
 * later still resolves to it.  @depth bounds link chains (ELOOP). */
static gchar *
resolve (const gchar *path, guint depth)
{
	char *real = realpath (path, NULL);
	g_autofree gchar *canonical = g_canonicalize_filename (path, NULL);
	g_autofree gchar *target = NULL;
	g_autofree gchar *parent = NULL;
	g_autofree gchar *base = NULL;
	g_autofree gchar *resolved_parent = NULL;
	gchar *out;

	if (real != NULL) {
		out = g_strdup (real);
		free (real);
		return out;
	}
	if (depth == 0 || g_str_equal (canonical, "/"))
		return g_steal_pointer (&canonical);
	target = g_file_read_link (canonical, NULL);
	parent = g_path_get_dirname (canonical);
	if (target != NULL) {
		g_autofree gchar *joined = g_path_is_absolute (target)
						   ? g_strdup (target)
						   : g_build_filename (parent, target, NULL);
		return resolve (joined, depth - 1);
	}
	base = g_path_get_basename (canonical);
	resolved_parent = resolve (parent, depth - 1);
	return g_build_filename (resolved_parent, base, NULL);
}

gchar *
mv_sandbox_resolve_path (const gchar *path)
{
	return resolve (path, 40);
}

/* Whether @a and @b are the same path or one lies beneath the other (both canonical). */
static gboolean
paths_overlap (const gchar *a, const gchar *b)
{
	gsize la = strlen (a), lb = strlen (b);
	const gchar *longer = la >= lb ? a : b;
	gsize shorter = MIN (la, lb);

	return strncmp (a, b, shorter) == 0
	       && (longer[shorter] == '\0' || longer[shorter] == '/' || shorter == 1);
}

const gchar *
mv_sandbox_path_protected (const gchar *resolved, const gchar *const *protected_paths)
{
	for (guint i = 0; protected_paths != NULL && protected_paths[i] != NULL; i++) {
		/* the protected path is resolved too: a state directory reached through a
		 * symbolic link is still the state directory */
		g_autofree gchar *guarded = mv_sandbox_resolve_path (protected_paths[i]);

		if (paths_overlap (resolved, guarded))
			return protected_paths[i];
	}
	return NULL;
}
