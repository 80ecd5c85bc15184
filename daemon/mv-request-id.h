/* Request ids: one per request, in the response and in every log line about it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* 16 random hex digits. */
gchar *mv_request_id_new (void);

/* A client-supplied id is kept only if it is 1-64 characters of [A-Za-z0-9._-], so it cannot
 * inject anything into a log line. */
gboolean mv_request_id_is_valid (const gchar *id);

G_END_DECLS
