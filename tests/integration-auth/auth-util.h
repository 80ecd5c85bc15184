/*
 * The auth suite's short names for tests/lib (mvt.h), all against the binary's shared daemon:
 * HTTP with a bearer token or none, clinics and keys as the operator, SQL on its cluster, its
 * D-Bus bus.  Wrappers only: the code is in tests/lib.
 */
#pragma once

#include <criterion/criterion.h>

#include "mvt.h"

G_BEGIN_DECLS

typedef MvtResponse AtResp;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AtResp, mvt_response_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

static inline void
at_resp_free (AtResp *resp)
{
	mvt_response_free (resp);
}

/* @token and @json may be NULL (no Authorization, no body); @json is sent as application/json */
static inline AtResp *
at_http (const gchar *method, const gchar *path, const gchar *token, const gchar *json)
{
	return mvt_http_with_token (mvt_shared_url (), method, path,
				    json != NULL ? "application/json" : NULL, json, -1, token);
}

/* a string member of the JSON object answer, or NULL */
static inline const gchar *
at_str (AtResp *resp, const gchar *name)
{
	return mvt_str (resp, name);
}

/* the error code string of an error answer, or NULL */
static inline const gchar *
at_error_code (AtResp *resp)
{
	return mvt_error_member (resp, "code");
}

static inline const gchar *
at_error_message (AtResp *resp)
{
	return mvt_error_member (resp, "message");
}

/* the operator token of the shared daemon (<data-dir>/operator.key) */
static inline gchar *
at_operator_token (void)
{
	return mvt_shared_operator_token ();
}

/* creates a tenant as the operator; returns its id */
static inline gchar *
at_create_tenant (const gchar *name)
{
	g_autofree gchar *op = mvt_shared_operator_token ();
	return mvt_create_tenant (mvt_shared_url (), op, name);
}

/* creates a key as @token in @tenant; returns the token, *key_id set if given */
static inline gchar *
at_create_key (const gchar *token, const gchar *tenant, const gchar *role, gchar **key_id)
{
	return mvt_create_key (mvt_shared_url (), token, tenant, role, key_id);
}

/* the conninfo of the shared daemon's embedded cluster */
static inline gchar *
at_conninfo (void)
{
	return mvt_db_conninfo (mvt_shared_data_dir ());
}

static inline PGconn *
at_sql_connect (void)
{
	return mvt_db_connect (mvt_shared_data_dir ());
}

/* the single value of a one-row one-column query with text parameters */
static inline gchar *
at_sql_value (const gchar *sql, gint n, const gchar *const *params)
{
	g_autoptr (PGconn) conn = at_sql_connect ();
	return mvt_db_single (conn, sql, n, params);
}

static inline gint64
at_sql_count (const gchar *sql, gint n, const gchar *const *params)
{
	g_autofree gchar *v = at_sql_value (sql, n, params);
	return v != NULL ? g_ascii_strtoll (v, NULL, 10) : -1;
}

/* pg_dump --data-only … of the whole database, as text */
static inline gchar *
at_pg_dump (void)
{
	return mvt_pg_dump (mvt_shared_data_dir ());
}

static inline GDBusConnection *
at_bus (void)
{
	return mvt_dbus_connect (mvt_shared_bus_address ());
}

G_END_DECLS
