/* Shared between the auth module's files; not for other modules. */
#pragma once

#include "mv-auth.h"

G_BEGIN_DECLS

MvServices *mv_auth_get_services (MvAuth *auth);
/* a canonical lowercase-or-not UUID string (36 characters) */
gboolean mv_auth_is_uuid (const gchar *s);
/* 16 lowercase hex characters */
gboolean mv_auth_is_key_id (const gchar *s);
/* UTF-8, at most MV_AUTH_MAX_NAME characters, no control characters; @field names it */
gboolean mv_auth_check_name (const gchar *name, const gchar *field, GError **error);

G_END_DECLS
