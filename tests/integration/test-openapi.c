/*
 * The API document against the real daemon: GET /v1/openapi.json needs no key, every operation
 * it documents reaches a route (never the router's "no route" 404 nor a 405), a path it does not
 * document gets that 404, and what the daemon serves is the document the build generated from
 * the route table (so a route served outside the table, or a table route not served, fails).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mvt.h"

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

/* @method @path with the operator key (the client's default) and an empty object as the body
 * where the method takes one */
static MvtResponse *
send_request (const gchar *method, const gchar *path)
{
	gboolean has_body = strcmp (method, "POST") == 0 || strcmp (method, "PATCH") == 0
			    || strcmp (method, "PUT") == 0;
	const MvtRequest req = { .base_url = mvt_shared_url (),
				 .method = method,
				 .path = path,
				 .content_type = has_body ? "application/json" : NULL,
				 .body = has_body ? "{}" : NULL,
				 .len = -1,
				 .timeout_s = 60 };
	return mvt_request (&req);
}

static gboolean
is_no_route (MvtResponse *answer)
{
	const gchar *message = mvt_error_member (answer, "message");
	return answer->status == 404 && message != NULL
	       && g_str_has_prefix (message, "no route for");
}

/* without a key: the document is public */
static JsonNode *
served_document (void)
{
	const MvtRequest req = { .base_url = mvt_shared_url (),
				 .method = "GET",
				 .path = "/v1/openapi.json",
				 .anonymous = TRUE };
	g_autoptr (MvtResponse) answer = mvt_request (&req);

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
	g_autoptr (JsonNode) document = served_document ();
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
	g_autoptr (JsonNode) document = served_document ();
	g_autoptr (GPtrArray) ops = operations (document);

	cr_assert_gt (ops->len, 20);
	for (guint i = 0; i < ops->len; i++) {
		g_auto (GStrv) parts = g_strsplit (g_ptr_array_index (ops, i), " ", 2);
		g_autofree gchar *path = concrete (parts[1]);
		g_autoptr (MvtResponse) answer = send_request (parts[0], path);

		cr_expect_not (is_no_route (answer), "%s %s is documented but not routed: %s",
			       parts[0], path, answer->body);
		cr_expect_neq (answer->status, 405, "%s %s is documented but answers 405: %s",
			       parts[0], path, answer->body);
	}
}

Test (openapi, undocumented_path_is_no_route)
{
	g_autoptr (MvtResponse) unknown = send_request ("GET", "/v1/undocumented");
	g_autoptr (MvtResponse) short_plugin = send_request ("POST", "/v1/plugins/bmi");
	g_autoptr (MvtResponse) wrong_method = send_request ("DELETE", "/v1/openapi.json");

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
	g_autoptr (JsonNode) served = served_document ();
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
