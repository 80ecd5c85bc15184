/* Helpers of the auth integration tests: HTTP with a bearer token, SQL on the daemon's
 * embedded cluster, D-Bus admin calls. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

typedef struct {
	guint status;
	gchar *body;
	JsonNode *json;
	gchar *retry_after;
} AtResp;

void at_resp_free (AtResp *resp);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AtResp, at_resp_free)

/* @token and @json may be NULL; @json is sent as application/json */
AtResp *at_http (const gchar *method, const gchar *path, const gchar *token, const gchar *json);
/* a string member of the JSON object answer, or NULL */
const gchar *at_str (AtResp *resp, const gchar *name);
/* the error code string of an error answer, or NULL */
const gchar *at_error_code (AtResp *resp);
const gchar *at_error_message (AtResp *resp);

/* the operator token of the shared daemon (<data-dir>/operator.key) */
gchar *at_operator_token (void);
/* creates a tenant as the operator; returns its id */
gchar *at_create_tenant (const gchar *name);
/* creates a key as @token in @tenant; returns the token, *key_id set if given */
gchar *at_create_key (const gchar *token, const gchar *tenant, const gchar *role, gchar **key_id);

/* the conninfo of the embedded cluster under $MVT_ROOT/data */
gchar *at_conninfo (void);
PGconn *at_sql_connect (void);
/* the single value of a one-row one-column query with text parameters */
gchar *at_sql_value (const gchar *sql, gint n, const gchar *const *params);
gint64 at_sql_count (const gchar *sql, gint n, const gchar *const *params);
/* pg_dump --data-only … of the whole database, as text */
gchar *at_pg_dump (void);

GDBusConnection *at_bus (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGconn, PQfinish)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

G_END_DECLS
