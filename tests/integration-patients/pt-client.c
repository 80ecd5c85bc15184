/* Helpers of the patient integration tests: see pt-client.h. */
#include "pt-client.h"

#include <criterion/criterion.h>
#include <libsoup/soup.h>
#include <sodium.h>
#include <string.h>

void
pt_response_free (PtResponse *resp)
{
	if (resp == NULL)
		return;
	g_free (resp->body);
	g_clear_pointer (&resp->json, json_node_unref);
	g_free (resp->etag);
	g_free (resp->location);
	g_free (resp->request_id);
	g_free (resp);
}

PtResponse *
pt_request (const gchar *url,
	    const gchar *method,
	    const gchar *path,
	    const gchar *token,
	    const gchar *if_match,
	    const gchar *content_type,
	    const gchar *body)
{
	g_autoptr (SoupSession) session = g_object_new (SOUP_TYPE_SESSION, "timeout", 30, NULL);
	g_autofree gchar *uri = g_strconcat (url, path, NULL);
	g_autoptr (SoupMessage) msg = soup_message_new (method, uri);
	g_autoptr (GBytes) bytes = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (JsonParser) parser = json_parser_new ();
	SoupMessageHeaders *req, *headers;
	PtResponse *resp;
	gsize size = 0;
	const gchar *data;

	cr_assert_not_null (msg, "not a URI: %s", uri);
	req = soup_message_get_request_headers (msg);
	if (token != NULL) {
		g_autofree gchar *auth = g_strdup_printf ("Bearer %s", token);
		soup_message_headers_replace (req, "Authorization", auth);
	}
	if (if_match != NULL)
		soup_message_headers_replace (req, "If-Match", if_match);
	if (body != NULL) {
		g_autoptr (GBytes) b = g_bytes_new (body, strlen (body));
		soup_message_set_request_body_from_bytes (
			msg, content_type != NULL ? content_type : "application/json", b);
	}
	bytes = soup_session_send_and_read (session, msg, NULL, &error);
	cr_assert_not_null (bytes, "%s %s: %s", method, path, error ? error->message : "");
	resp = g_new0 (PtResponse, 1);
	resp->status = soup_message_get_status (msg);
	data = g_bytes_get_data (bytes, &size);
	resp->body = g_strndup (data != NULL ? data : "", size);
	headers = soup_message_get_response_headers (msg);
	resp->etag = g_strdup (soup_message_headers_get_one (headers, "ETag"));
	resp->location = g_strdup (soup_message_headers_get_one (headers, "Location"));
	resp->request_id = g_strdup (soup_message_headers_get_one (headers, "X-Request-Id"));
	if (size > 0 && json_parser_load_from_data (parser, resp->body, (gssize)size, NULL)
	    && json_parser_get_root (parser) != NULL)
		resp->json = json_node_copy (json_parser_get_root (parser));
	cr_assert (resp->request_id != NULL, "%s %s -> %u without X-Request-Id", method, path,
		   resp->status);
	return resp;
}

const gchar *
pt_str (PtResponse *resp, const gchar *name)
{
	JsonObject *obj;

	cr_assert (resp->json != NULL && JSON_NODE_HOLDS_OBJECT (resp->json), "not JSON: %s",
		   resp->body);
	obj = json_node_get_object (resp->json);
	cr_assert (json_object_has_member (obj, name), "no %s in %s", name, resp->body);
	return json_object_get_string_member (obj, name);
}

void
pt_assert_error (PtResponse *resp, guint status, const gchar *code)
{
	JsonObject *error;

	cr_assert_eq (resp->status, status, "expected %u, got %u: %s", status, resp->status,
		      resp->body);
	cr_assert (resp->json != NULL && JSON_NODE_HOLDS_OBJECT (resp->json), "%s", resp->body);
	error = json_object_get_object_member (json_node_get_object (resp->json), "error");
	cr_assert_not_null (error, "%s", resp->body);
	cr_assert_str_eq (json_object_get_string_member (error, "code"), code, "%s", resp->body);
	cr_assert_str_eq (json_object_get_string_member (error, "request_id"), resp->request_id);
}

gchar *
pt_operator_token (const gchar *data_dir)
{
	g_autofree gchar *path = g_build_filename (data_dir, "operator.key", NULL);
	gchar *text = NULL;

	cr_assert (g_file_get_contents (path, &text, NULL, NULL), "cannot read %s", path);
	return g_strstrip (text);
}

void
pt_clinic_clear (PtClinic *clinic)
{
	g_clear_pointer (&clinic->id, g_free);
	g_clear_pointer (&clinic->clinician, g_free);
	g_clear_pointer (&clinic->clinician_key_id, g_free);
	g_clear_pointer (&clinic->admin, g_free);
	g_clear_pointer (&clinic->admin_key_id, g_free);
}

static void
make_key (const gchar *url,
	  const gchar *op,
	  const gchar *clinic,
	  const gchar *role,
	  gchar **token,
	  gchar **key_id)
{
	g_autofree gchar *path = g_strdup_printf ("/v1/admin/tenants/%s/keys", clinic);
	g_autofree gchar *body = g_strdup_printf ("{\"role\":\"%s\"}", role);
	g_autoptr (PtResponse) r = pt_request (url, "POST", path, op, NULL, NULL, body);

	cr_assert_eq (r->status, 201, "%s", r->body);
	*token = g_strdup (pt_str (r, "token"));
	*key_id = g_strdup (pt_str (r, "key_id"));
}

void
pt_clinic_make (const gchar *url, const gchar *data_dir, PtClinic *clinic)
{
	g_autofree gchar *op = pt_operator_token (data_dir);
	g_autofree gchar *name = g_strdup_printf ("Clinic %u", g_random_int ());
	g_autofree gchar *body = g_strdup_printf ("{\"name\":\"%s\"}", name);
	g_autoptr (PtResponse) r
		= pt_request (url, "POST", "/v1/admin/tenants", op, NULL, NULL, body);

	cr_assert_eq (r->status, 201, "%s", r->body);
	clinic->id = g_strdup (pt_str (r, "id"));
	make_key (url, op, clinic->id, "clinician", &clinic->clinician, &clinic->clinician_key_id);
	make_key (url, op, clinic->id, "clinic-admin", &clinic->admin, &clinic->admin_key_id);
}

PGconn *
pt_db_connect (const gchar *data_dir)
{
	g_autofree gchar *socket_dir = g_build_filename (data_dir, "pg-socket", NULL);
	const gchar *keys[] = { "host", "port", "dbname", "user", NULL };
	const gchar *values[] = { socket_dir, "5432", "medverse", "medverse", NULL };
	PGconn *conn = PQconnectdbParams (keys, values, 0);

	cr_assert_eq (PQstatus (conn), CONNECTION_OK, "%s", PQerrorMessage (conn));
	return conn;
}

gchar *
pt_db_value (PGconn *conn, const gchar *sql, gint n, const gchar *const *values)
{
	PGresult *res = PQexecParams (conn, sql, n, NULL, values, NULL, NULL, 0);
	gchar *value = NULL;

	cr_assert (PQresultStatus (res) == PGRES_TUPLES_OK
			   || PQresultStatus (res) == PGRES_COMMAND_OK,
		   "%s: %s", sql, PQerrorMessage (conn));
	if (PQresultStatus (res) == PGRES_TUPLES_OK && PQntuples (res) > 0
	    && !PQgetisnull (res, 0, 0))
		value = g_strdup (PQgetvalue (res, 0, 0));
	PQclear (res);
	return value;
}

gint64
pt_db_count (PGconn *conn, const gchar *sql)
{
	g_autofree gchar *v = pt_db_value (conn, sql, 0, NULL);
	return v != NULL ? g_ascii_strtoll (v, NULL, 10) : -1;
}

gchar *
pt_data (const gchar *name)
{
	g_autofree gchar *path = g_build_filename (PT_DATADIR, name, NULL);
	gchar *text = NULL;

	cr_assert (g_file_get_contents (path, &text, NULL, NULL), "cannot read %s", path);
	return text;
}

void
pt_write_key_file (const gchar *path)
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
