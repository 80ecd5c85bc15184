/* Request ids: one per request, in the response and in every log line about it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* 16 random hex digits.  Always the daemon's own: a client's X-Request-Id is logged beside it,
 * escaped, never used in its place (two requests could share it, and audit entries name it). */
gchar *mv_request_id_new (void);

G_END_DECLS
