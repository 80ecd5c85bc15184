/*
 * The protected-path rule of the plugin sandbox (docs/sandbox.md), shared by the daemon (which
 * decides what a host may read and says what it refuses) and the host (which checks again
 * before it applies the sandbox).  No seccomp or Landlock here: the daemon's core links it.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* @path with its symbolic links resolved (Landlock grants what a link points to), also where
 * it does not exist yet: a dangling link is followed, a missing name resolved through its
 * parent (transfer full). */
gchar *mv_sandbox_resolve_path (const gchar *path) G_GNUC_WARN_UNUSED_RESULT;

/* The entry of @protected_paths (NULL-terminated, may be NULL) that the resolved @resolved
 * is, lies within or contains ("/" contains the state directory), %NULL when none: a path a
 * host must never be granted to read. */
const gchar *mv_sandbox_path_protected (const gchar *resolved, const gchar *const *protected_paths);

G_END_DECLS
