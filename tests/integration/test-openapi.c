/*
 * The API document against the real daemon: GET /v1/openapi.json needs no key, every operation
 * it documents reaches a route (never the router's "no route" 404 nor a 405), a path it does not
 * document gets that 404, and what the daemon serves is the document the build generated from
 * the route table (so a route served outside the table, or a table route not served, fails).
 */
#include <criterion/criterion.h>
#include <libsoup/soup.h>
#include <string.h>

#include "harness.h"

int
main (int argc, char **argv)
{
	/* the plugins the build-time document is made with: bmi (always there) and the parser */
	const gchar *plugins[] = { mvt_getenv ("MVT_SYMPTOM_PARSER"), NULL };
	g_autofree gchar *config = g_strdup_printf ("[plugin.symptom-parser]\ndata-dir=%s\n",
						    mvt_getenv ("MVT_SYMPTOM_PARSER_DATA"));
	MvtOptions options = { .extra_plugins = plugins, .config = config };
	return mvt_main (argc, argv, &options);
}

typedef struct {
	guint status;
	gchar *body;
	JsonNode *json;
} Answer;

static void
answer_free (Answer *answer)
{
	g_free (answer->body);
	g_clear_pointer (&answer->json, json_node_unref);
	g_free (answer);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Answer, answer_free)

static gchar *
operator_key (void)
{
	g_autofree gchar *path
		= g_build_filename (mvt_getenv ("MVT_ROOT"), "data", "operator.key", NULL);
	g_autoptr (GError) error = NULL;
	gchar *text = NULL;

	cr_assert (g_file_get_contents (path, &text, NULL, &error), "%s", error->message);
	return g_strstrip (text);
}

/* The harness's client sends no Authorization header; the plugin routes need one. */
static Answer *
send_request (SoupSession *session, const gchar *method, const gchar *path, const gchar *key)
{
	g_autofree gchar *uri = g_strconcat (mvt_shared_url (), path, NULL);
	g_autoptr (SoupMessage) msg = soup_message_new (method, uri);
	g_autoptr (GError) error = NULL;
	g_autoptr (GBytes) bytes = NULL;
	g_autoptr (JsonParser) parser = json_parser_new ();
	Answer *answer = g_new0 (Answer, 1);
	gsize size = 0;
	const gchar *data;

	cr_assert_not_null (msg, "cannot make a request for %s", uri);
	if (key != NULL) {
		g_autofree gchar *value = g_strdup_printf ("Bearer %s", key);
		soup_message_headers_replace (soup_message_get_request_headers (msg),
					      "Authorization", value);
	}
	if (strcmp (method, "POST") == 0 || strcmp (method, "PATCH") == 0
	    || strcmp (method, "PUT") == 0) {
		g_autoptr (GBytes) empty = g_bytes_new_static ("{}", 2);
		soup_message_set_request_body_from_bytes (msg, "application/json", empty);
	}
	bytes = soup_session_send_and_read (session, msg, NULL, &error);
	cr_assert_not_null (bytes, "%s %s: %s", method, path, error->message);
	answer->status = soup_message_get_status (msg);
	data = g_bytes_get_data (bytes, &size);
	answer->body = g_strndup (data != NULL ? data : "", size);
	if (size > 0 && json_parser_load_from_data (parser, answer->body, size, NULL))
		answer->json = json_node_copy (json_parser_get_root (parser));
	return answer;
}

static SoupSession *
session_new (void)
{
	return g_object_new (SOUP_TYPE_SESSION, "timeout", 60, NULL);
}

static gboolean
is_no_route (Answer *answer)
{
	JsonObject *error;
	const gchar *message;

	if (answer->status != 404 || answer->json == NULL || !JSON_NODE_HOLDS_OBJECT (answer->json))
		return FALSE;
	error = json_object_get_object_member (json_node_get_object (answer->json), "error");
	message = error != NULL ? json_object_get_string_member_with_default (error, "message", "")
				: "";
	return g_str_has_prefix (message, "no route for");
}

static JsonNode *
served_document (SoupSession *session)
{
	g_autoptr (Answer) answer = send_request (session, "GET", "/v1/openapi.json", NULL);

	cr_assert_eq (answer->status, 200, "GET /v1/openapi.json: %u %s", answer->status,
		      answer->body);
	cr_assert (answer->json != NULL && JSON_NODE_HOLDS_OBJECT (answer->json));
	return json_node_ref (answer->json);
}

/* "METHOD path" of every operation */
static GPtrArray *
operations (JsonNode *document)
{
	JsonObject *paths
		= json_object_get_object_member (json_node_get_object (document), "paths");
	g_autoptr (GList) names = json_object_get_members (paths);
	GPtrArray *list = g_ptr_array_new_with_free_func (g_free);

	for (GList *l = names; l != NULL; l = l->next) {
		g_autoptr (GList) methods
			= json_object_get_members (json_object_get_object_member (paths, l->data));
		for (GList *m = methods; m != NULL; m = m->next) {
			g_autofree gchar *method = g_ascii_strup (m->data, -1);
			g_ptr_array_add (list,
					 g_strdup_printf ("%s %s", method, (const gchar *)l->data));
		}
	}
	return list;
}

/* the path with each {name} segment replaced by a dummy id */
static gchar *
concrete (const gchar *path)
{
	g_auto (GStrv) segments = g_strsplit (path, "/", -1);

	for (guint i = 0; segments[i] != NULL; i++) {
		if (segments[i][0] == '{') {
			g_free (segments[i]);
			segments[i] = g_strdup ("dummy");
		}
	}
	return g_strjoinv ("/", segments);
}

Test (openapi, served_without_a_key)
{
	g_autoptr (SoupSession) session = session_new ();
	g_autoptr (JsonNode) document = served_document (session);
	JsonObject *root = json_node_get_object (document);
	JsonObject *paths = json_object_get_object_member (root, "paths");

	cr_expect_str_eq (json_object_get_string_member (root, "openapi"), "3.1.0");
	cr_expect (json_object_has_member (paths, "/v1/openapi.json"));
	cr_expect (json_object_has_member (paths, "/v1/plugins/bmi/Compute"));
	cr_expect (json_object_has_member (paths, "/v1/plugins/symptom-parser/Parse"));
	cr_expect (json_object_has_member (paths, "/healthz"));
}

Test (openapi, every_documented_operation_is_routed)
{
	g_autoptr (SoupSession) session = session_new ();
	g_autoptr (JsonNode) document = served_document (session);
	g_autoptr (GPtrArray) ops = operations (document);
	g_autofree gchar *key = operator_key ();

	cr_assert_gt (ops->len, 20);
	for (guint i = 0; i < ops->len; i++) {
		g_auto (GStrv) parts = g_strsplit (g_ptr_array_index (ops, i), " ", 2);
		g_autofree gchar *path = concrete (parts[1]);
		g_autoptr (Answer) answer = send_request (session, parts[0], path, key);

		cr_expect_not (is_no_route (answer), "%s %s is documented but not routed: %s",
			       parts[0], path, answer->body);
		cr_expect_neq (answer->status, 405, "%s %s is documented but answers 405: %s",
			       parts[0], path, answer->body);
	}
}

Test (openapi, undocumented_path_is_no_route)
{
	g_autoptr (SoupSession) session = session_new ();
	g_autofree gchar *key = operator_key ();
	g_autoptr (Answer) unknown = send_request (session, "GET", "/v1/undocumented", key);
	g_autoptr (Answer) short_plugin = send_request (session, "POST", "/v1/plugins/bmi", key);
	g_autoptr (Answer) wrong_method = send_request (session, "DELETE", "/v1/openapi.json", key);

	cr_expect (is_no_route (unknown), "%u %s", unknown->status, unknown->body);
	cr_expect (is_no_route (short_plugin), "%u %s", short_plugin->status, short_plugin->body);
	/* the check above would see a 405 */
	cr_expect_eq (wrong_method->status, 405, "%u %s", wrong_method->status, wrong_method->body);
}

static gboolean
contains (GPtrArray *list, const gchar *item)
{
	return g_ptr_array_find_with_equal_func (list, item, g_str_equal, NULL);
}

/* The daemon documents its router's routes; the build documents the route table. */
Test (openapi, served_is_the_build_time_document)
{
	g_autoptr (SoupSession) session = session_new ();
	g_autoptr (JsonNode) served = served_document (session);
	g_autoptr (JsonParser) parser = json_parser_new ();
	g_autoptr (GError) error = NULL;
	g_autoptr (GPtrArray) served_ops = operations (served);
	g_autoptr (GPtrArray) built_ops = NULL;
	JsonNode *built;

	cr_assert (json_parser_load_from_file (parser, mvt_getenv ("MVT_OPENAPI_DOC"), &error),
		   "%s", error->message);
	built = json_parser_get_root (parser);
	built_ops = operations (built);
	for (guint i = 0; i < served_ops->len; i++)
		cr_expect (contains (built_ops, g_ptr_array_index (served_ops, i)),
			   "%s is served but not in the route table's document",
			   (const gchar *)g_ptr_array_index (served_ops, i));
	for (guint i = 0; i < built_ops->len; i++)
		cr_expect (contains (served_ops, g_ptr_array_index (built_ops, i)),
			   "%s is in the route table's document but not served",
			   (const gchar *)g_ptr_array_index (built_ops, i));
	cr_expect (json_node_equal (served, built),
		   "the served document differs from the build's %s",
		   mvt_getenv ("MVT_OPENAPI_DOC"));
}
