#include "auth-util.h"

#include <criterion/criterion.h>
#include <libsoup/soup.h>
#include <string.h>

#include "../integration/harness.h"

void
at_resp_free (AtResp *resp)
{
	if (resp == NULL)
		return;
	g_free (resp->body);
	g_clear_pointer (&resp->json, json_node_unref);
	g_free (resp->retry_after);
	g_free (resp);
}

AtResp *
at_http (const gchar *method, const gchar *path, const gchar *token, const gchar *json)
{
	g_autoptr (SoupSession) session = g_object_new (SOUP_TYPE_SESSION, "timeout", 30, NULL);
	g_autofree gchar *uri = g_strconcat (mvt_shared_url (), path, NULL);
	g_autoptr (SoupMessage) msg = soup_message_new (method, uri);
	g_autoptr (GBytes) bytes = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (JsonParser) parser = json_parser_new ();
	SoupMessageHeaders *headers;
	AtResp *resp;
	gsize size = 0;
	const gchar *data;

	cr_assert_not_null (msg, "not a URI: %s", uri);
	if (token != NULL) {
		g_autofree gchar *value = g_strconcat ("Bearer ", token, NULL);
		soup_message_headers_replace (soup_message_get_request_headers (msg),
					      "Authorization", value);
	}
	if (json != NULL) {
		g_autoptr (GBytes) req = g_bytes_new (json, strlen (json));
		soup_message_set_request_body_from_bytes (msg, "application/json", req);
	}
	bytes = soup_session_send_and_read (session, msg, NULL, &error);
	cr_assert_not_null (bytes, "%s %s: %s", method, path, error != NULL ? error->message : "");
	resp = g_new0 (AtResp, 1);
	resp->status = soup_message_get_status (msg);
	data = g_bytes_get_data (bytes, &size);
	resp->body = g_strndup (data != NULL ? data : "", size);
	headers = soup_message_get_response_headers (msg);
	resp->retry_after = g_strdup (soup_message_headers_get_one (headers, "Retry-After"));
	if (size > 0 && json_parser_load_from_data (parser, resp->body, size, NULL)
	    && json_parser_get_root (parser) != NULL)
		resp->json = json_node_copy (json_parser_get_root (parser));
	return resp;
}

const gchar *
at_str (AtResp *resp, const gchar *name)
{
	JsonObject *o;
	if (resp->json == NULL || !JSON_NODE_HOLDS_OBJECT (resp->json))
		return NULL;
	o = json_node_get_object (resp->json);
	if (!json_object_has_member (o, name) || json_object_get_null_member (o, name))
		return NULL;
	return json_object_get_string_member (o, name);
}

static JsonObject *
error_object (AtResp *resp)
{
	JsonObject *o;
	if (resp->json == NULL || !JSON_NODE_HOLDS_OBJECT (resp->json))
		return NULL;
	o = json_node_get_object (resp->json);
	return json_object_has_member (o, "error") ? json_object_get_object_member (o, "error")
						   : NULL;
}

const gchar *
at_error_code (AtResp *resp)
{
	JsonObject *e = error_object (resp);
	return e != NULL ? json_object_get_string_member (e, "code") : NULL;
}

const gchar *
at_error_message (AtResp *resp)
{
	JsonObject *e = error_object (resp);
	return e != NULL ? json_object_get_string_member (e, "message") : NULL;
}

gchar *
at_operator_token (void)
{
	g_autofree gchar *path
		= g_build_filename (mvt_getenv ("MVT_ROOT"), "data", "operator.key", NULL);
	g_autoptr (GError) error = NULL;
	gchar *text = NULL;
	cr_assert (g_file_get_contents (path, &text, NULL, &error), "%s", error->message);
	return g_strstrip (text);
}

gchar *
at_create_tenant (const gchar *name)
{
	g_autofree gchar *op = at_operator_token ();
	g_autofree gchar *body = g_strdup_printf ("{\"name\": \"%s\"}", name);
	g_autoptr (AtResp) r = at_http ("POST", "/v1/admin/tenants", op, body);
	cr_assert_eq (r->status, 201, "create tenant: %u %s", r->status, r->body);
	return g_strdup (at_str (r, "id"));
}

gchar *
at_create_key (const gchar *token, const gchar *tenant, const gchar *role, gchar **key_id)
{
	g_autofree gchar *path = g_strdup_printf ("/v1/admin/tenants/%s/keys", tenant);
	g_autofree gchar *body = g_strdup_printf ("{\"role\": \"%s\"}", role);
	g_autoptr (AtResp) r = at_http ("POST", path, token, body);
	cr_assert_eq (r->status, 201, "create key: %u %s", r->status, r->body);
	if (key_id != NULL)
		*key_id = g_strdup (at_str (r, "key_id"));
	return g_strdup (at_str (r, "token"));
}

gchar *
at_conninfo (void)
{
	g_autofree gchar *socket
		= g_build_filename (mvt_getenv ("MVT_ROOT"), "data", "pg-socket", NULL);
	return g_strdup_printf ("host=%s port=5432 dbname=medverse user=medverse", socket);
}

PGconn *
at_sql_connect (void)
{
	g_autofree gchar *conninfo = at_conninfo ();
	PGconn *conn = PQconnectdb (conninfo);
	cr_assert_eq (PQstatus (conn), CONNECTION_OK, "connect: %s", PQerrorMessage (conn));
	return conn;
}

gchar *
at_sql_value (const gchar *sql, gint n, const gchar *const *params)
{
	g_autoptr (PGconn) conn = at_sql_connect ();
	g_autoptr (PGresult) res = PQexecParams (conn, sql, n, NULL, params, NULL, NULL, 0);
	cr_assert (PQresultStatus (res) == PGRES_TUPLES_OK, "%s: %s", sql, PQerrorMessage (conn));
	cr_assert_eq (PQntuples (res), 1, "%s: %d rows", sql, PQntuples (res));
	return PQgetisnull (res, 0, 0) ? NULL : g_strdup (PQgetvalue (res, 0, 0));
}

gint64
at_sql_count (const gchar *sql, gint n, const gchar *const *params)
{
	g_autofree gchar *v = at_sql_value (sql, n, params);
	return g_ascii_strtoll (v, NULL, 10);
}

gchar *
at_pg_dump (void)
{
	g_autofree gchar *conninfo = at_conninfo ();
	g_autofree gchar *out = NULL;
	g_autofree gchar *err = NULL;
	g_autoptr (GError) error = NULL;
	gint status = 0;
	const gchar *argv[] = { "pg_dump", "--no-owner", "-d", conninfo, NULL };

	cr_assert (g_spawn_sync (NULL, (gchar **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
				 &err, &status, &error),
		   "pg_dump: %s", error != NULL ? error->message : "");
	cr_assert (g_spawn_check_wait_status (status, NULL), "pg_dump failed: %s", err);
	cr_assert_gt (strlen (out), 1000, "pg_dump printed almost nothing");
	return g_steal_pointer (&out);
}

GDBusConnection *
at_bus (void)
{
	return mvt_dbus_connect (mvt_shared_bus_address ());
}
