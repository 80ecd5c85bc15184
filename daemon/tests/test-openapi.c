/*
 * The API document against the route table: every route (and /healthz, /readyz) is documented
 * with its method, every documented operation is served by the route the router would pick
 * for it (plugin paths expanded back to the generic route), and argument schemas follow the
 * value model of sdk/src/mv-value.c.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mv-error-table.h"
#include "mv-modules.h"
#include "mv-openapi.h"

static GVariant *
no_handler (MvCall *call, GVariant *input, GError **error)
{
	g_set_error_literal (error, MV_ERROR, MV_ERROR_FAILED, "not called");
	return NULL;
}

static const MvArg types_in[] = {
	{ "flag", "b", "a boolean", MV_ARG_NONE },
	{ "byte", "y", "a byte", MV_ARG_NONE },
	{ "small", "n", "an int16", MV_ARG_NONE },
	{ "count", "u", "a uint32", MV_ARG_OPTIONAL },
	{ "big", "t", "a uint64", MV_ARG_NONE },
	{ "ratio", "d", "a double", MV_ARG_NONE },
	{ "path", "o", "an object path", MV_ARG_NONE },
	{ "anything", "v", "a variant", MV_ARG_NONE },
	{ "maybe", "ms", "a string or null", MV_ARG_NONE },
	{ "pair", "(si)", "a name and a number", MV_ARG_NONE },
	{ "props", "a{sv}", "a dictionary", MV_ARG_OPTIONAL },
	{ "by_number", "a{is}", "integer keys", MV_ARG_OPTIONAL },
	MV_ARG_END,
};
static const MvArg types_out[] = {
	{ "big", "t", "a uint64", MV_ARG_NONE },
	{ "ratio", "d", "a double", MV_ARG_NONE },
	{ "by_number", "a{is}", "integer keys", MV_ARG_NONE },
	{ "anything", "v", "a variant", MV_ARG_NONE },
	MV_ARG_END,
};
static const MvArg echo_in[] = {
	{ "text", "s", "what to echo", MV_ARG_NONE },
	MV_ARG_END,
};
static const MvMethod test_methods[] = {
	{ .name = "Types",
	  .description = "Every kind of type",
	  .in_args = types_in,
	  .out_args = types_out,
	  .handler = no_handler },
	{ .name = "Echo",
	  .description = "Says it back",
	  .in_args = echo_in,
	  .out_args = echo_in,
	  .handler = no_handler },
	MV_METHOD_END,
};
static const MvMethodRoles test_roles[] = {
	{ "Echo", MV_CALLER_CLINICIAN },
	MV_METHOD_ROLES_END,
};
static const MvPluginInfo test_plugin = {
	.abi_version = MV_PLUGIN_ABI_VERSION,
	.struct_size = sizeof (MvPluginInfo),
	.name = "test-types",
	.version = "1.2.3",
	.description = "Argument types for the API document test",
	.methods = test_methods,
	.method_roles = test_roles,
};

static GPtrArray *
test_plugins (void)
{
	GPtrArray *plugins = g_ptr_array_new ();
	g_ptr_array_add (plugins, (gpointer)&test_plugin);
	return plugins;
}

static JsonObject *
build (GPtrArray *plugins)
{
	g_autoptr (GPtrArray) routes = mv_modules_all_routes ();
	JsonNode *doc = mv_openapi_build (routes, plugins, "9.9.9");
	JsonObject *root = json_object_ref (json_node_get_object (doc));

	json_node_unref (doc);
	return root;
}

static JsonObject *
operation (JsonObject *doc, const gchar *method, const gchar *path)
{
	JsonObject *paths = json_object_get_object_member (doc, "paths");
	g_autofree gchar *key = g_ascii_strdown (method, -1);
	JsonObject *item;

	if (!json_object_has_member (paths, path))
		return NULL;
	item = json_object_get_object_member (paths, path);
	return json_object_has_member (item, key) ? json_object_get_object_member (item, key)
						  : NULL;
}

static gboolean
is_placeholder (const gchar *segment)
{
	gsize len = strlen (segment);
	return len > 2 && segment[0] == '{' && segment[len - 1] == '}';
}

/* as the router matches a request path against a pattern (mv-http-api.c) */
static gboolean
pattern_matches (const gchar *pattern, const gchar *path)
{
	g_auto (GStrv) want = g_strsplit (pattern, "/", -1);
	g_auto (GStrv) got = g_strsplit (path, "/", -1);

	if (g_strv_length (want) != g_strv_length (got))
		return FALSE;
	for (guint i = 0; want[i] != NULL; i++) {
		if (is_placeholder (want[i]) ? got[i][0] == '\0' : strcmp (want[i], got[i]) != 0)
			return FALSE;
	}
	return TRUE;
}

/* the route the router would run for METHOD PATH: the first whose pattern matches */
static const MvHttpRoute *
served_by (GPtrArray *routes, const gchar *method, const gchar *path)
{
	for (guint i = 0; i < routes->len; i++) {
		const MvHttpRoute *route = g_ptr_array_index (routes, i);
		if (g_ascii_strcasecmp (route->method, method) == 0
		    && (strcmp (route->pattern, path) == 0
			|| pattern_matches (route->pattern, path)))
			return route;
	}
	return NULL;
}

Test (openapi, every_route_is_documented)
{
	g_autoptr (GPtrArray) routes = mv_modules_all_routes ();
	g_autoptr (GPtrArray) plugins = test_plugins ();
	g_autoptr (JsonObject) doc = build (plugins);

	cr_assert_gt (routes->len, 10);
	for (guint i = 0; i < routes->len; i++) {
		const MvHttpRoute *route = g_ptr_array_index (routes, i);
		cr_expect_not_null (operation (doc, route->method, route->pattern),
				    "%s %s is served but not documented", route->method,
				    route->pattern);
	}
	for (guint i = 0; mv_openapi_builtin_paths[i] != NULL; i++)
		cr_expect_not_null (operation (doc, "GET", mv_openapi_builtin_paths[i]),
				    "GET %s is not documented", mv_openapi_builtin_paths[i]);
	/* the generic plugin route, expanded once per method */
	cr_expect_not_null (operation (doc, "POST", "/v1/plugins/test-types/Types"));
	cr_expect_not_null (operation (doc, "POST", "/v1/plugins/test-types/Echo"));
	cr_expect_not_null (operation (doc, "GET", "/v1/openapi.json"));
}

/* an operation under a path that is not served is a promise the daemon breaks */
static void
check_served (GPtrArray *routes, const gchar *path, const gchar *method, JsonObject *op)
{
	const MvHttpRoute *route;

	for (guint i = 0; mv_openapi_builtin_paths[i] != NULL; i++) {
		if (strcmp (path, mv_openapi_builtin_paths[i]) == 0) {
			cr_expect_str_eq (method, "get", "%s %s", method, path);
			return;
		}
	}
	route = served_by (routes, method, path);
	cr_assert_not_null (route, "%s %s is documented but no route serves it", method, path);
	if (json_object_has_member (op, "x-medverse-plugin")) {
		JsonObject *plugin = json_object_get_object_member (op, "x-medverse-plugin");
		/* a plugin path is served by a plugin route: the generic one or a fixed one */
		cr_expect_not_null (route->plugin, "%s %s", method, path);
		if (route->plugin != NULL && !is_placeholder (route->plugin))
			cr_expect_str_eq (json_object_get_string_member (plugin, "plugin"),
					  route->plugin);
	} else {
		/* a concrete path shadowed by an earlier pattern would never reach its route */
		cr_expect_str_eq (route->pattern, path, "%s %s is served by %s", method, path,
				  route->pattern);
	}
}

Test (openapi, every_operation_is_served)
{
	g_autoptr (GPtrArray) routes = mv_modules_all_routes ();
	g_autoptr (GPtrArray) plugins = test_plugins ();
	g_autoptr (JsonObject) doc = build (plugins);
	JsonObject *paths = json_object_get_object_member (doc, "paths");
	g_autoptr (GList) names = json_object_get_members (paths);
	g_autoptr (GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
	guint n_operations = 0;

	for (GList *l = names; l != NULL; l = l->next) {
		JsonObject *item = json_object_get_object_member (paths, l->data);
		g_autoptr (GList) methods = json_object_get_members (item);
		for (GList *m = methods; m != NULL; m = m->next) {
			JsonObject *op = json_object_get_object_member (item, m->data);
			const gchar *id = json_object_get_string_member (op, "operationId");
			check_served (routes, l->data, m->data, op);
			cr_expect (g_hash_table_add (ids, (gpointer)id), "operationId %s twice",
				   id);
			cr_expect_null (strchr (id, '_'), "operationId %s got a suffix", id);
			n_operations++;
		}
	}
	/* the table, the two built-in paths, two expanded methods */
	cr_expect_eq (n_operations, routes->len + 2 + 2);
}

static JsonObject *
body_schema (JsonObject *op)
{
	JsonObject *body = json_object_get_object_member (op, "requestBody");
	JsonObject *content = json_object_get_object_member (body, "content");
	JsonObject *media = json_object_get_object_member (content, "application/json");
	return json_object_get_object_member (media, "schema");
}

static JsonObject *
answer_schema (JsonObject *op)
{
	JsonObject *responses = json_object_get_object_member (op, "responses");
	JsonObject *ok = json_object_get_object_member (responses, "200");
	JsonObject *content = json_object_get_object_member (ok, "content");
	JsonObject *media = json_object_get_object_member (content, "application/json");
	return json_object_get_object_member (media, "schema");
}

static JsonObject *
property (JsonObject *schema, const gchar *name)
{
	JsonObject *properties = json_object_get_object_member (schema, "properties");
	cr_assert (json_object_has_member (properties, name), "no property %s", name);
	return json_object_get_object_member (properties, name);
}

static gboolean
required_has (JsonObject *schema, const gchar *name)
{
	JsonArray *required = json_object_get_array_member (schema, "required");
	for (guint i = 0; i < json_array_get_length (required); i++) {
		if (g_strcmp0 (json_array_get_string_element (required, i), name) == 0)
			return TRUE;
	}
	return FALSE;
}

static gchar *
type_text (JsonObject *schema)
{
	JsonNode *type = json_object_get_member (schema, "type");
	g_autoptr (JsonGenerator) generator = json_generator_new ();

	if (type == NULL)
		return g_strdup ("(none)");
	json_generator_set_root (generator, type);
	return json_generator_to_data (generator, NULL);
}

#define cr_expect_type(schema, want)                                                               \
	do {                                                                                       \
		g_autofree gchar *got_ = type_text (schema);                                       \
		cr_expect_str_eq (got_, want);                                                     \
	} while (0)

Test (openapi, request_follows_the_value_model)
{
	g_autoptr (GPtrArray) plugins = test_plugins ();
	g_autoptr (JsonObject) doc = build (plugins);
	JsonObject *in = body_schema (operation (doc, "POST", "/v1/plugins/test-types/Types"));
	JsonObject *p;
	JsonObject *schemas = json_object_get_object_member (
		json_object_get_object_member (doc, "components"), "schemas");

	/* unknown members are refused (mv_value_from_json_args) */
	cr_expect_not (json_object_get_boolean_member (in, "additionalProperties"));
	cr_expect (required_has (in, "flag") && required_has (in, "maybe"));
	cr_expect_not (required_has (in, "count") || required_has (in, "props"));
	p = property (in, "byte");
	cr_expect_type (p, "\"integer\"");
	cr_expect_eq (json_object_get_int_member (p, "minimum"), 0);
	cr_expect_eq (json_object_get_int_member (p, "maximum"), 255);
	cr_expect_eq (json_object_get_int_member (property (in, "small"), "minimum"), -32768);
	/* optional: absent or null gives the empty value */
	p = property (in, "count");
	cr_expect_type (p, "[\"integer\",\"null\"]");
	cr_expect_eq (json_object_get_int_member (p, "maximum"), G_MAXUINT32);
	cr_expect_eq (json_object_get_int_member (p, "default"), 0);
	cr_expect_str_eq (json_object_get_string_member (p, "x-medverse-type"), "u");
	/* a request cannot carry a uint64 above 2^63-1 */
	cr_expect_eq (json_object_get_int_member (property (in, "big"), "maximum"), G_MAXINT64);
	cr_expect_type (property (in, "ratio"), "\"number\"");
	cr_expect (json_object_has_member (property (in, "path"), "pattern"));
	cr_expect_str_eq (json_object_get_string_member (property (in, "anything"), "$ref"),
			  "#/components/schemas/AnyValue");
	cr_expect (json_object_has_member (schemas, "AnyValue"));
	/* a maybe type is required but may be null */
	cr_expect_type (property (in, "maybe"), "[\"string\",\"null\"]");
	p = property (in, "pair");
	cr_expect_eq (json_array_get_length (json_object_get_array_member (p, "prefixItems")), 2);
	cr_expect_eq (json_object_get_int_member (p, "minItems"), 2);
	cr_expect_eq (json_object_get_int_member (p, "maxItems"), 2);
	p = property (in, "props");
	cr_expect_type (p, "[\"object\",\"null\"]");
	cr_expect (json_object_has_member (p, "additionalProperties"));
	/* only string-keyed dictionaries can be read from JSON: no value is valid, no default */
	p = property (in, "by_number");
	cr_expect (json_object_has_member (p, "anyOf"));
	cr_expect_not (json_object_has_member (p, "default"));
}

Test (openapi, answer_follows_the_value_model)
{
	g_autoptr (GPtrArray) plugins = test_plugins ();
	g_autoptr (JsonObject) doc = build (plugins);
	JsonObject *out = answer_schema (operation (doc, "POST", "/v1/plugins/test-types/Types"));
	JsonObject *p;

	cr_expect_not (json_object_get_boolean_member (out, "additionalProperties"));
	cr_expect (required_has (out, "big") && required_has (out, "ratio")
		   && required_has (out, "by_number") && required_has (out, "anything"));
	/* a uint64 above 2^63-1 is written as a plain number */
	p = property (out, "big");
	cr_expect_not (json_object_has_member (p, "maximum"));
	/* NaN and infinity are written as null */
	cr_expect_type (property (out, "ratio"), "[\"number\",\"null\"]");
	/* non-string keys: [key, value] pairs */
	p = property (out, "by_number");
	cr_expect_type (p, "\"array\"");
	p = json_object_get_object_member (p, "items");
	cr_expect_eq (json_array_get_length (json_object_get_array_member (p, "prefixItems")), 2);
	cr_expect_type (property (out, "anything"), "(none)");
}

Test (openapi, security_and_roles)
{
	g_autoptr (GPtrArray) plugins = test_plugins ();
	g_autoptr (JsonObject) doc = build (plugins);
	JsonObject *echo = operation (doc, "POST", "/v1/plugins/test-types/Echo");
	JsonObject *types = operation (doc, "POST", "/v1/plugins/test-types/Types");
	JsonObject *open_doc = operation (doc, "GET", "/v1/openapi.json");
	JsonObject *health = operation (doc, "GET", "/healthz");
	JsonArray *roles;

	/* the method narrows the route's roles */
	roles = json_object_get_array_member (echo, "x-medverse-roles");
	cr_expect_eq (json_array_get_length (roles), 1);
	cr_expect_str_eq (json_array_get_string_element (roles, 0), "clinician");
	cr_expect_eq (
		json_array_get_length (json_object_get_array_member (types, "x-medverse-roles")),
		4);
	cr_expect_eq (json_array_get_length (json_object_get_array_member (types, "security")), 1);
	cr_expect_eq (json_array_get_length (json_object_get_array_member (open_doc, "security")),
		      0);
	cr_expect_not (json_object_has_member (open_doc, "x-medverse-roles"));
	cr_expect_eq (json_array_get_length (json_object_get_array_member (health, "security")), 0);
}

static gboolean
has_status (JsonObject *op, const gchar *status)
{
	return json_object_has_member (json_object_get_object_member (op, "responses"), status);
}

Test (openapi, errors_come_from_the_error_table)
{
	g_autoptr (GPtrArray) plugins = test_plugins ();
	g_autoptr (JsonObject) doc = build (plugins);
	JsonObject *components = json_object_get_object_member (doc, "components");
	JsonObject *responses = json_object_get_object_member (components, "responses");
	JsonObject *error = json_object_get_object_member (
		json_object_get_object_member (components, "schemas"), "Error");
	g_autofree gchar *text = NULL;
	const MvErrorRow *rows;
	guint n_rows = 0;

	rows = mv_error_table_rows (&n_rows);
	{
		g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
		json_node_set_object (node, error);
		text = json_to_string (node, FALSE);
	}
	for (guint i = 0; i < n_rows; i++) {
		g_autofree gchar *quoted
			= g_strdup_printf ("\"%s\"", mv_error_to_string (rows[i].code));
		g_autoptr (GString) name = g_string_new (NULL);
		cr_expect_not_null (strstr (text, quoted), "code %s not in Error", quoted);
		for (const gchar *p = rows[i].reason; *p != '\0'; p++) {
			if (g_ascii_isalnum (*p))
				g_string_append_c (name, *p);
		}
		cr_expect (json_object_has_member (responses, name->str), "no response %s",
			   name->str);
	}
	cr_expect_not_null (strstr (text, "\"request_id\""));
	/* Retry-After where the table or the rate limiter sets it, Allow with 405 */
	cr_expect (json_object_has_member (
		json_object_get_object_member (
			json_object_get_object_member (responses, "TooManyRequests"), "headers"),
		"Retry-After"));
	cr_expect (json_object_has_member (
		json_object_get_object_member (
			json_object_get_object_member (responses, "ServiceUnavailable"), "headers"),
		"Retry-After"));
	cr_expect (json_object_has_member (
		json_object_get_object_member (
			json_object_get_object_member (responses, "MethodNotAllowed"), "headers"),
		"Allow"));
	/* statuses by what the route does: authentication, a body */
	cr_expect_not (has_status (operation (doc, "GET", "/v1/openapi.json"), "401"));
	cr_expect (has_status (operation (doc, "GET", "/v1/plugins"), "401"));
	cr_expect_not (has_status (operation (doc, "GET", "/v1/plugins"), "415"));
	cr_expect (has_status (operation (doc, "POST", "/v1/plugins/test-types/Echo"), "415"));
	cr_expect (has_status (operation (doc, "POST", "/v1/plugins/test-types/Echo"), "422"));
	cr_expect (has_status (operation (doc, "GET", "/readyz"), "503"));
}

Test (openapi, fixed_plugin_route_without_its_plugin)
{
	g_autoptr (JsonObject) doc = build (NULL);
	JsonObject *nlp = operation (doc, "POST", "/v1/nlp/symptoms");

	cr_assert_not_null (nlp);
	cr_expect_not (json_object_has_member (nlp, "x-medverse-plugin"));
	cr_expect_not_null (
		strstr (json_object_get_string_member (nlp, "description"), "not loaded"));
	cr_expect_null (operation (doc, "POST", "/v1/plugins/test-types/Echo"));
	/* the generic route is documented even with no plugin loaded */
	cr_expect_not_null (operation (doc, "POST", "/v1/plugins/{plugin}/{method}"));
}

Test (openapi, text_is_stable)
{
	g_autoptr (GPtrArray) routes = mv_modules_all_routes ();
	g_autoptr (GPtrArray) plugins = test_plugins ();
	g_autoptr (JsonNode) a = mv_openapi_build (routes, plugins, "1.0");
	g_autoptr (JsonNode) b = mv_openapi_build (routes, plugins, "1.0");
	g_autofree gchar *text_a = mv_openapi_to_text (a);
	g_autofree gchar *text_b = mv_openapi_to_text (b);

	cr_expect_str_eq (text_a, text_b);
	cr_expect (g_str_has_suffix (text_a, "}\n"));
	cr_expect (g_str_has_prefix (text_a, "{\n  \"openapi\" : \"3.1.0\""));
}
