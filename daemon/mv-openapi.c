/*
 * The OpenAPI 3.1 document of the HTTP API, built from the route table, the plugins' argument
 * declarations and the error table (see mv-openapi.h).
 *
 * The JSON Schema of an argument follows the value model of sdk/src/mv-value.c exactly, in
 * each direction: a request is parsed by mv_value_from_json_args() (integers range-checked,
 * unknown members refused, an optional member may be absent or null), an answer written by
 * mv_value_to_json_args() (every declared member, a double that is not finite as null, a uint64
 * above 2^63-1 as a plain number, a dictionary with non-string keys as [key, value] pairs).
 */
#define G_LOG_DOMAIN "medverse-openapi"

#include <medverse/medverse-plugin.h>
#include <string.h>

#include "mv-error-table.h"
#include "mv-openapi.h"

const gchar *const mv_openapi_builtin_paths[] = { "/healthz", "/readyz", NULL };

#define REF_ERROR "#/components/schemas/Error"
#define REF_ANY_VALUE "#/components/schemas/AnyValue"
#define REF_REQUEST_ID "#/components/headers/X-Request-Id"
#define REF_ACCEPT_LANGUAGE "#/components/parameters/Accept-Language"
#define REF_CONTENT_LANGUAGE "#/components/headers/Content-Language"
#define MAX_STATUS 600

typedef struct {
	JsonObject *paths;
	GHashTable *operation_ids; /* the ids given so far */
	gboolean status_used[MAX_STATUS];
	gboolean any_value_used;
} Doc;

static JsonObject *
schema_new (const gchar *type)
{
	JsonObject *schema = json_object_new ();

	if (type != NULL)
		json_object_set_string_member (schema, "type", type);
	return schema;
}

static JsonObject *
ref_new (const gchar *ref)
{
	JsonObject *object = json_object_new ();

	json_object_set_string_member (object, "$ref", ref);
	return object;
}

/* Appends @text to the schema's description, after what it says already. */
static JsonObject *
describe (JsonObject *schema, const gchar *text)
{
	const gchar *old = json_object_get_string_member_with_default (schema, "description", NULL);
	g_autofree gchar *joined = NULL;

	if (text == NULL || text[0] == '\0')
		return schema;
	joined = old != NULL ? g_strdup_printf ("%s (%s)", text, old) : g_strdup (text);
	json_object_set_string_member (schema, "description", joined);
	return schema;
}

/* The same schema, null allowed too. */
static JsonObject *
nullable (JsonObject *schema)
{
	JsonNode *type = json_object_get_member (schema, "type");
	JsonObject *wrapper;
	JsonArray *any_of;

	if (json_object_get_size (schema) == 0)
		return schema; /* already anything */
	if (type != NULL && JSON_NODE_HOLDS_VALUE (type)) {
		JsonArray *types = json_array_new ();
		json_array_add_string_element (types, json_node_get_string (type));
		json_array_add_string_element (types, "null");
		json_object_set_array_member (schema, "type", types);
		return schema;
	}
	if (type != NULL && JSON_NODE_HOLDS_ARRAY (type)) {
		JsonArray *types = json_node_get_array (type);
		for (guint i = 0; i < json_array_get_length (types); i++) {
			if (g_strcmp0 (json_array_get_string_element (types, i), "null") == 0)
				return schema;
		}
		json_array_add_string_element (types, "null");
		return schema;
	}
	wrapper = json_object_new ();
	any_of = json_array_new ();
	json_array_add_object_element (any_of, schema);
	json_array_add_object_element (any_of, schema_new ("null"));
	json_object_set_array_member (wrapper, "anyOf", any_of);
	return wrapper;
}

static JsonObject *
integer_schema (gchar c, gboolean output)
{
	static const struct {
		gchar c;
		gint64 min;
		gint64 max;
		const gchar *format;
	} ranges[] = {
		{ 'y', 0, G_MAXUINT8, NULL },
		{ 'n', G_MININT16, G_MAXINT16, NULL },
		{ 'q', 0, G_MAXUINT16, NULL },
		{ 'i', G_MININT32, G_MAXINT32, "int32" },
		{ 'h', G_MININT32, G_MAXINT32, "int32" },
		{ 'u', 0, G_MAXUINT32, NULL },
		{ 'x', G_MININT64, G_MAXINT64, "int64" },
		/* a request cannot carry more than 2^63-1 (mv-value.c) */
		{ 't', 0, G_MAXINT64, NULL },
	};
	JsonObject *schema = schema_new ("integer");

	for (guint i = 0; i < G_N_ELEMENTS (ranges); i++) {
		if (ranges[i].c != c)
			continue;
		json_object_set_int_member (schema, "minimum", ranges[i].min);
		/* an answer writes a uint64 above 2^63-1 as a JSON number, unbounded here */
		if (!(output && c == 't'))
			json_object_set_int_member (schema, "maximum", ranges[i].max);
		if (ranges[i].format != NULL)
			json_object_set_string_member (schema, "format", ranges[i].format);
	}
	return schema;
}

/* A type the daemon cannot read from JSON: no value is valid. */
static JsonObject *
no_json_form (const GVariantType *type)
{
	JsonObject *schema = json_object_new ();
	g_autofree gchar *text = g_strdup_printf (
		"GVariant type %.*s has no JSON form in a request: no value is accepted",
		(int)g_variant_type_get_string_length (type), g_variant_type_peek_string (type));

	json_object_set_object_member (schema, "not", json_object_new ());
	json_object_set_string_member (schema, "description", text);
	return schema;
}

static JsonObject *type_schema (Doc *doc, const GVariantType *type, gboolean output);

/* A tuple or a dictionary entry: an array of exactly its members, in order. */
static JsonObject *
items_schema (Doc *doc, const GVariantType *type, gboolean output)
{
	JsonObject *schema = schema_new ("array");
	JsonArray *prefix = json_array_new ();
	gsize n = g_variant_type_n_items (type);

	for (const GVariantType *t = g_variant_type_first (type); t != NULL;
	     t = g_variant_type_next (t))
		json_array_add_object_element (prefix, type_schema (doc, t, output));
	if (n > 0)
		json_object_set_array_member (schema, "prefixItems", prefix);
	else
		json_array_unref (prefix);
	json_object_set_int_member (schema, "minItems", (gint64)n);
	json_object_set_int_member (schema, "maxItems", (gint64)n);
	return schema;
}

static JsonObject *
array_schema (Doc *doc, const GVariantType *type, gboolean output)
{
	const GVariantType *elem = g_variant_type_element (type);
	JsonObject *schema;

	if (g_variant_type_is_dict_entry (elem)
	    && g_variant_type_equal (g_variant_type_key (elem), G_VARIANT_TYPE_STRING)) {
		schema = schema_new ("object");
		json_object_set_object_member (
			schema, "additionalProperties",
			type_schema (doc, g_variant_type_value (elem), output));
		return schema;
	}
	/* other keys: refused in a request, [key, value] pairs in an answer */
	if (g_variant_type_is_dict_entry (elem) && !output)
		return no_json_form (type);
	schema = schema_new ("array");
	json_object_set_object_member (schema, "items", type_schema (doc, elem, output));
	return schema;
}

static JsonObject *
string_schema (gchar c)
{
	JsonObject *schema = schema_new ("string");

	if (c == 'o') {
		json_object_set_string_member (schema, "pattern",
					       "^/([A-Za-z0-9_]+(/[A-Za-z0-9_]+)*)?$");
		json_object_set_string_member (schema, "description", "a D-Bus object path");
	} else if (c == 'g') {
		/* necessary, not sufficient: the daemon checks the grammar */
		json_object_set_string_member (schema, "pattern", "^[ybnqiuxtdsogvha(){}]*$");
		json_object_set_string_member (schema, "description", "a D-Bus type signature");
	}
	return schema;
}

static JsonObject *
type_schema (Doc *doc, const GVariantType *type, gboolean output)
{
	gchar c = g_variant_type_peek_string (type)[0];

	switch (c) {
	case 'b':
		return schema_new ("boolean");
	case 'y':
	case 'n':
	case 'q':
	case 'i':
	case 'u':
	case 'x':
	case 't':
		return integer_schema (c, output);
	case 'h':
		return output ? integer_schema (c, output) : no_json_form (type);
	case 'd':
		/* JSON has no NaN or infinity: an answer carries null for them */
		if (output)
			return describe (nullable (schema_new ("number")),
					 "null when not a finite number");
		return schema_new ("number");
	case 's':
	case 'o':
	case 'g':
		return string_schema (c);
	case 'v':
		if (!output) {
			doc->any_value_used = TRUE;
			return ref_new (REF_ANY_VALUE);
		}
		return describe (json_object_new (), "any JSON value");
	case 'm':
		return nullable (type_schema (doc, g_variant_type_element (type), output));
	case 'a':
		return array_schema (doc, type, output);
	case '(':
		return items_schema (doc, type, output);
	default:
		return output ? items_schema (doc, type, output) : no_json_form (type);
	}
}

/* Whether a request can carry a value of @type at all (mv_value_from_json). */
static gboolean
readable_from_json (const GVariantType *type)
{
	gchar c = g_variant_type_peek_string (type)[0];

	if (c == 'h' || c == '{')
		return FALSE;
	if (c == 'm')
		return readable_from_json (g_variant_type_element (type));
	if (c == 'a') {
		const GVariantType *elem = g_variant_type_element (type);
		if (g_variant_type_is_dict_entry (elem))
			return g_variant_type_equal (g_variant_type_key (elem),
						     G_VARIANT_TYPE_STRING)
			       && readable_from_json (g_variant_type_value (elem));
		return readable_from_json (elem);
	}
	if (c == '(') {
		for (const GVariantType *t = g_variant_type_first (type); t != NULL;
		     t = g_variant_type_next (t)) {
			if (!readable_from_json (t))
				return FALSE;
		}
	}
	return TRUE;
}

/* An optional argument left out (or null) reaches the plugin as the empty value of its type. */
static void
set_default (JsonObject *schema, const GVariantType *type)
{
	g_autoptr (GVariant) empty = NULL;

	if (!readable_from_json (type))
		return;
	empty = g_variant_ref_sink (mv_value_new_empty (type));
	json_object_set_member (schema, "default", mv_value_to_json (empty));
}

/* One member per argument: a request refuses unknown members and missing required ones; an
 * answer has exactly the declared members. */
static JsonObject *
args_schema (Doc *doc, const MvArg *args, gboolean output)
{
	JsonObject *schema = schema_new ("object");
	JsonObject *properties = json_object_new ();
	JsonArray *required = json_array_new ();

	for (guint i = 0; args != NULL && args[i].name != NULL; i++) {
		const GVariantType *type = G_VARIANT_TYPE (args[i].type);
		JsonObject *property = type_schema (doc, type, output);

		if (!output && (args[i].flags & MV_ARG_OPTIONAL) != 0) {
			property = nullable (property);
			set_default (property, type);
		} else {
			json_array_add_string_element (required, args[i].name);
		}
		describe (property, args[i].description);
		json_object_set_string_member (property, "x-medverse-type", args[i].type);
		json_object_set_object_member (properties, args[i].name, property);
	}
	json_object_set_object_member (schema, "properties", properties);
	if (json_array_get_length (required) > 0)
		json_object_set_array_member (schema, "required", required);
	else
		json_array_unref (required);
	json_object_set_boolean_member (schema, "additionalProperties", FALSE);
	return schema;
}

/* ---- errors ---- */

/* "Unprocessable Content" -> "UnprocessableContent" */
static void
append_camel (GString *out, const gchar *text)
{
	gboolean upper = TRUE;

	for (const gchar *p = text; *p != '\0'; p++) {
		if (!g_ascii_isalnum (*p)) {
			upper = TRUE;
			continue;
		}
		g_string_append_c (out, upper ? g_ascii_toupper (*p) : *p);
		upper = FALSE;
	}
}

static gchar *
error_response_ref (guint status)
{
	const MvErrorRow *rows;
	guint n_rows = 0;
	g_autoptr (GString) ref = g_string_new ("#/components/responses/");

	rows = mv_error_table_rows (&n_rows);
	for (guint i = 0; i < n_rows; i++) {
		if (rows[i].http_status == status) {
			append_camel (ref, rows[i].reason);
			break;
		}
	}
	return g_string_free (g_steal_pointer (&ref), FALSE);
}

/* Which codes a route can answer: all of them (handlers and plugins may fail with any code),
 * except those of authentication on a route without it, and those of a body on a route
 * without one. */
static gboolean
code_applies (MvError code, gboolean authenticated, gboolean has_body)
{
	switch (code) {
	case MV_ERROR_UNAUTHORIZED:
	case MV_ERROR_FORBIDDEN:
	case MV_ERROR_RATE_LIMITED:
		return authenticated;
	case MV_ERROR_LENGTH_REQUIRED:
	case MV_ERROR_TOO_LARGE:
	case MV_ERROR_UNSUPPORTED_MEDIA:
		return has_body;
	default:
		return TRUE;
	}
}

static void
add_error_ref (Doc *doc, JsonObject *responses, guint status)
{
	g_autofree gchar *key = g_strdup_printf ("%u", status);
	g_autofree gchar *ref = error_response_ref (status);

	g_return_if_fail (status < MAX_STATUS);
	doc->status_used[status] = TRUE;
	json_object_set_object_member (responses, key, ref_new (ref));
}

static void
add_error_refs (Doc *doc, JsonObject *responses, gboolean authenticated, gboolean has_body)
{
	gboolean wanted[MAX_STATUS] = { FALSE };
	const MvErrorRow *rows;
	guint n_rows = 0;

	rows = mv_error_table_rows (&n_rows);
	for (guint i = 0; i < n_rows; i++) {
		if (rows[i].http_status < MAX_STATUS
		    && code_applies (rows[i].code, authenticated, has_body))
			wanted[rows[i].http_status] = TRUE;
	}
	for (guint status = 0; status < MAX_STATUS; status++) {
		if (wanted[status])
			add_error_ref (doc, responses, status);
	}
}

/* ---- operations ---- */

static gboolean
method_has_body (const gchar *method)
{
	return g_strcmp0 (method, "POST") == 0 || g_strcmp0 (method, "PUT") == 0
	       || g_strcmp0 (method, "PATCH") == 0;
}

static gboolean
is_placeholder (const gchar *segment)
{
	gsize len = strlen (segment);
	return len > 2 && segment[0] == '{' && segment[len - 1] == '}';
}

/* "GET /v1/patients/{id}" -> "getV1PatientsById": stable as long as the route is; a clash
 * (ruled out for the real table by the unit test) gets a numbered suffix, so the document
 * stays valid. */
static gchar *
operation_id (Doc *doc, const gchar *method, const gchar *path)
{
	g_autoptr (GString) id = g_string_new (NULL);
	g_auto (GStrv) segments = g_strsplit (path, "/", -1);
	g_autofree gchar *lower = g_ascii_strdown (method, -1);
	g_autofree gchar *base = NULL;

	g_string_append (id, lower);
	for (guint i = 0; segments[i] != NULL; i++) {
		if (is_placeholder (segments[i])) {
			g_autofree gchar *name
				= g_strndup (segments[i] + 1, strlen (segments[i]) - 2);
			g_string_append (id, "By");
			append_camel (id, name);
		} else {
			append_camel (id, segments[i]);
		}
	}
	base = g_strdup (id->str);
	for (guint n = 2; g_hash_table_contains (doc->operation_ids, id->str); n++) {
		g_string_printf (id, "%s_%u", base, n);
		g_warning ("operationId %s is taken; %s %s gets %s", base, method, path, id->str);
	}
	g_hash_table_add (doc->operation_ids, g_strdup (id->str));
	return g_string_free (g_steal_pointer (&id), FALSE);
}

static JsonArray *
path_parameters (const gchar *path)
{
	g_auto (GStrv) segments = g_strsplit (path, "/", -1);
	JsonArray *params = json_array_new ();

	for (guint i = 0; segments[i] != NULL; i++) {
		JsonObject *param;
		JsonObject *schema;
		g_autofree gchar *name = NULL;

		if (!is_placeholder (segments[i]))
			continue;
		name = g_strndup (segments[i] + 1, strlen (segments[i]) - 2);
		param = json_object_new ();
		schema = schema_new ("string");
		json_object_set_int_member (schema, "minLength", 1);
		json_object_set_string_member (param, "name", name);
		json_object_set_string_member (param, "in", "path");
		json_object_set_boolean_member (param, "required", TRUE);
		json_object_set_string_member (
			param, "description",
			"one path segment, percent-encoded UTF-8 without NUL "
			"(anything else is 400)");
		json_object_set_object_member (param, "schema", schema);
		json_array_add_object_element (params, param);
	}
	return params;
}

/* The router's Idempotency-Key, on every POST (docs/api.md, "Retrying safely") */
static JsonObject *
idempotency_key_parameter (void)
{
	JsonObject *param = json_object_new ();
	JsonObject *schema = schema_new ("string");

	json_object_set_int_member (schema, "minLength", 1);
	json_object_set_int_member (schema, "maxLength", 255);
	json_object_set_string_member (schema, "pattern", "^[!-~]+$");
	json_object_set_string_member (param, "name", "Idempotency-Key");
	json_object_set_string_member (param, "in", "header");
	json_object_set_boolean_member (param, "required", FALSE);
	json_object_set_string_member (
		param, "description",
		"Makes the request safe to retry: the same key and request within "
		"[http] idempotency-hours get the first answer again (with "
		"Idempotency-Replayed: true) instead of running twice; another request with the "
		"key is 422, a retry while the first still runs waits, then 409. 1-255 visible "
		"ASCII characters, at least 32 on a route without an API key; e.g. a random UUID.");
	json_object_set_object_member (param, "schema", schema);
	return param;
}

static const MvRole all_roles[] = {
	MV_ROLE_PATIENT,
	MV_ROLE_CLINICIAN,
	MV_ROLE_CLINIC_ADMIN,
	MV_ROLE_OPERATOR,
};

/* security, x-medverse-roles and a sentence for the description */
static void
set_security (JsonObject *op, guint roles, GString *description)
{
	JsonArray *security = json_array_new ();
	JsonArray *names = json_array_new ();
	g_autoptr (GString) list = g_string_new (NULL);

	if (description->len > 0)
		g_string_append_c (description, ' ');
	if (roles == MV_ROLE_NONE) {
		g_string_append (description, "Needs no API key.");
		json_object_set_array_member (op, "security", security);
		json_array_unref (names);
		return;
	}
	for (guint i = 0; i < G_N_ELEMENTS (all_roles); i++) {
		if ((roles & all_roles[i]) == 0)
			continue;
		json_array_add_string_element (names, mv_role_to_string (all_roles[i]));
		g_string_append_printf (list, "%s%s", list->len > 0 ? ", " : "",
					mv_role_to_string (all_roles[i]));
	}
	g_string_append_printf (description,
				"Needs `Authorization: Bearer <key>` with a key of one of these "
				"roles: %s.",
				list->str);
	{
		JsonObject *requirement = json_object_new ();
		json_object_set_array_member (requirement, "bearer", json_array_new ());
		json_array_add_object_element (security, requirement);
	}
	json_object_set_array_member (op, "security", security);
	json_object_set_array_member (op, "x-medverse-roles", names);
}

static JsonObject *
operation_new (Doc *doc,
	       const gchar *method,
	       const gchar *path,
	       const gchar *summary,
	       guint roles,
	       const gchar *about)
{
	JsonObject *op = json_object_new ();
	g_autofree gchar *id = operation_id (doc, method, path);
	g_autoptr (GString) description = g_string_new (about);
	JsonArray *params = path_parameters (path);

	json_object_set_string_member (op, "operationId", id);
	json_object_set_string_member (op, "summary", summary);
	/* set again below: a member keeps its place in the text */
	json_object_set_string_member (op, "description", "");
	/* every route speaks the caller's language in its errors */
	json_array_add_object_element (params, ref_new (REF_ACCEPT_LANGUAGE));
	if (g_strcmp0 (method, "POST") == 0)
		json_array_add_object_element (params, idempotency_key_parameter ());
	json_object_set_array_member (op, "parameters", params);
	set_security (op, roles, description);
	json_object_set_string_member (op, "description", description->str);
	return op;
}

/* {"application/json": {"schema": @schema, "example": @example}}; takes both */
static JsonObject *
json_content (JsonObject *schema, JsonNode *example)
{
	JsonObject *content = json_object_new ();
	JsonObject *media = json_object_new ();

	json_object_set_object_member (media, "schema", schema);
	if (example != NULL)
		json_object_set_member (media, "example", example);
	json_object_set_object_member (content, "application/json", media);
	return content;
}

static JsonObject *
json_response (const gchar *description, JsonObject *schema)
{
	JsonObject *response = json_object_new ();
	JsonObject *headers = json_object_new ();

	json_object_set_string_member (response, "description", description);
	json_object_set_object_member (headers, "X-Request-Id", ref_new (REF_REQUEST_ID));
	json_object_set_object_member (response, "headers", headers);
	if (schema != NULL)
		json_object_set_object_member (response, "content", json_content (schema, NULL));
	return response;
}

static JsonObject *
json_request_body (const gchar *description, JsonObject *schema, gboolean required)
{
	JsonObject *body = json_object_new ();

	json_object_set_string_member (body, "description", description);
	json_object_set_boolean_member (body, "required", required);
	json_object_set_object_member (body, "content", json_content (schema, NULL));
	return body;
}

/* Adds @op under @path; the first operation for a method and path wins, as in the router. */
static void
add_operation (Doc *doc, const gchar *method, const gchar *path, JsonObject *op)
{
	g_autofree gchar *key = g_ascii_strdown (method, -1);
	JsonObject *item = json_object_has_member (doc->paths, path)
				   ? json_object_get_object_member (doc->paths, path)
				   : NULL;

	if (item == NULL) {
		item = json_object_new ();
		json_object_set_object_member (doc->paths, path, item);
	}
	if (json_object_has_member (item, key)) {
		g_warning ("%s %s is declared twice; the second is never served", method, path);
		json_object_unref (op);
		return;
	}
	json_object_set_object_member (item, key, op);
}

/* A route that declares no schema: a JSON object in, a JSON object out. */
static JsonObject *
resource_operation (Doc *doc, const MvHttpRoute *route, const gchar *about)
{
	gboolean body = method_has_body (route->method);
	JsonObject *op = operation_new (doc, route->method, route->pattern, route->summary,
					route->roles, about);
	JsonObject *responses = json_object_new ();

	if (body)
		json_object_set_object_member (
			op, "requestBody",
			json_request_body (
				route->body_optional
					? "A JSON object, optional (no body is {}); the "
					  "route declares no schema for it (see docs/api.md)"
					: "A JSON object; the route declares no schema for it "
					  "(see docs/api.md)",
				schema_new ("object"), !route->body_optional));
	if (route->answer_type != NULL) {
		/* text of another media type (a calendar): described, not JSON */
		JsonObject *ok = json_response ("Success: text of the media type below", NULL);
		JsonObject *content = json_object_new ();
		JsonObject *media = json_object_new ();
		json_object_set_object_member (media, "schema", schema_new ("string"));
		json_object_set_object_member (content, route->answer_type, media);
		json_object_set_object_member (ok, "content", content);
		json_object_set_object_member (responses, "2XX", ok);
	} else {
		json_object_set_object_member (responses, "2XX",
					       json_response ("Success: a JSON object (none with "
							      "204); the route declares no schema "
							      "for it",
							      schema_new ("object")));
	}
	add_error_refs (doc, responses, route->roles != MV_ROLE_NONE, body);
	json_object_set_object_member (op, "responses", responses);
	return op;
}

static guint32
method_roles (const MvPluginInfo *info, const MvMethod *method)
{
	for (guint i = 0; info->method_roles != NULL && info->method_roles[i].method != NULL; i++) {
		if (g_strcmp0 (info->method_roles[i].method, method->name) == 0)
			return info->method_roles[i].roles;
	}
	return MV_CALLER_ANY;
}

/* A route calling one method: its schemas come from the method's declared arguments. */
static JsonObject *
plugin_operation (Doc *doc,
		  const MvHttpRoute *route,
		  const gchar *path,
		  const gchar *summary,
		  const MvPluginInfo *info,
		  const MvMethod *method)
{
	guint32 narrowed = method_roles (info, method);
	/* MvCallerRole and MvRole share their bits */
	guint roles = narrowed != MV_CALLER_ANY ? (route->roles & narrowed) : route->roles;
	g_autofree gchar *about = g_strdup_printf (
		"Calls method `%s` of plugin `%s` %s (%s). The request has one member per input "
		"argument (an unknown member is 422), the answer one per output argument.",
		method->name, info->name, info->version, info->description);
	JsonObject *op = operation_new (doc, "POST", path, summary, roles, about);
	JsonObject *responses = json_object_new ();
	JsonObject *plugin = json_object_new ();

	json_object_set_object_member (op, "requestBody",
				       json_request_body ("The method's input arguments",
							  args_schema (doc, method->in_args, FALSE),
							  !route->body_optional));
	json_object_set_object_member (responses, "200",
				       json_response ("The method's output arguments",
						      args_schema (doc, method->out_args, TRUE)));
	add_error_refs (doc, responses, roles != MV_ROLE_NONE, TRUE);
	json_object_set_object_member (op, "responses", responses);
	json_object_set_string_member (plugin, "plugin", info->name);
	json_object_set_string_member (plugin, "method", method->name);
	json_object_set_string_member (plugin, "version", info->version);
	json_object_set_object_member (op, "x-medverse-plugin", plugin);
	return op;
}

/* @pattern with the segments @plugin_seg and @method_seg replaced by the names */
static gchar *
concrete_path (const MvHttpRoute *route, const gchar *plugin, const gchar *method)
{
	g_auto (GStrv) segments = g_strsplit (route->pattern, "/", -1);

	for (guint i = 0; segments[i] != NULL; i++) {
		if (g_strcmp0 (segments[i], route->plugin) == 0) {
			g_free (segments[i]);
			segments[i] = g_strdup (plugin);
		} else if (g_strcmp0 (segments[i], route->plugin_method) == 0) {
			g_free (segments[i]);
			segments[i] = g_strdup (method);
		}
	}
	return g_strjoinv ("/", segments);
}

/* The generic route as it is, then once per loaded method at its concrete path. */
static void
add_generic_plugin_route (Doc *doc, const MvHttpRoute *route, GPtrArray *plugins)
{
	add_operation (doc, route->method, route->pattern,
		       resource_operation (doc, route,
					   "Calls a method of a loaded plugin by name: one JSON "
					   "member per input argument in, one per output argument "
					   "out. Each loaded method is also documented at its own "
					   "path with its argument schemas; an unknown plugin or "
					   "method is 404."));
	for (guint i = 0; plugins != NULL && i < plugins->len; i++) {
		const MvPluginInfo *info = g_ptr_array_index (plugins, i);
		for (guint j = 0; info->methods[j].name != NULL; j++) {
			const MvMethod *method = &info->methods[j];
			g_autofree gchar *path = concrete_path (route, info->name, method->name);
			const gchar *summary
				= method->description != NULL && method->description[0] != '\0'
					  ? method->description
					  : method->name;
			add_operation (doc, route->method, path,
				       plugin_operation (doc, route, path, summary, info, method));
		}
	}
}

static void
add_fixed_plugin_route (Doc *doc, const MvHttpRoute *route, GPtrArray *plugins)
{
	g_autofree gchar *missing = NULL;

	for (guint i = 0; plugins != NULL && i < plugins->len; i++) {
		const MvPluginInfo *info = g_ptr_array_index (plugins, i);
		const MvMethod *method;
		if (g_strcmp0 (info->name, route->plugin) != 0)
			continue;
		method = mv_plugin_info_find_method (info, route->plugin_method);
		if (method == NULL)
			break;
		add_operation (doc, route->method, route->pattern,
			       plugin_operation (doc, route, route->pattern, route->summary, info,
						 method));
		return;
	}
	missing = g_strdup_printf ("Calls method `%s` of plugin `%s`, which was not loaded when "
				   "this document was made: the route answers 404 then.",
				   route->plugin_method, route->plugin);
	add_operation (doc, route->method, route->pattern,
		       resource_operation (doc, route, missing));
}

static void
add_route (Doc *doc, const MvHttpRoute *route, GPtrArray *plugins)
{
	if (route->plugin == NULL)
		add_operation (doc, route->method, route->pattern,
			       resource_operation (doc, route, ""));
	else if (is_placeholder (route->plugin))
		add_generic_plugin_route (doc, route, plugins);
	else
		add_fixed_plugin_route (doc, route, plugins);
}

static JsonObject *
status_schema (const gchar *value)
{
	JsonObject *schema = schema_new ("object");
	JsonObject *properties = json_object_new ();
	JsonObject *status = schema_new ("string");
	JsonArray *required = json_array_new ();

	json_object_set_string_member (status, "const", value);
	json_object_set_object_member (properties, "status", status);
	json_array_add_string_element (required, "status");
	json_object_set_object_member (schema, "properties", properties);
	json_object_set_array_member (schema, "required", required);
	json_object_set_boolean_member (schema, "additionalProperties", FALSE);
	return schema;
}

/* /healthz and /readyz: answered by the adapter before the route table (mv-http.c). */
static void
add_builtin_routes (Doc *doc)
{
	JsonObject *op;
	JsonObject *responses;

	op = operation_new (doc, "GET", "/healthz", "Liveness: the process answers", MV_ROLE_NONE,
			    "Answered by the HTTP adapter itself, without the database.");
	responses = json_object_new ();
	json_object_set_object_member (
		responses, "200", json_response ("The process is alive", status_schema ("ok")));
	add_error_ref (doc, responses, 405);
	add_error_ref (doc, responses, 503);
	json_object_set_object_member (op, "responses", responses);
	add_operation (doc, "GET", "/healthz", op);

	op = operation_new (
		doc, "GET", "/readyz",
		"Readiness: the database answers, its migrations are applied and "
		"every plugin has a free worker",
		MV_ROLE_NONE,
		"Answered by the HTTP adapter itself; 503 says which condition failed.");
	responses = json_object_new ();
	json_object_set_object_member (responses, "200",
				       json_response ("Ready to serve", status_schema ("ready")));
	add_error_ref (doc, responses, 405);
	add_error_ref (doc, responses, 503);
	json_object_set_object_member (op, "responses", responses);
	add_operation (doc, "GET", "/readyz", op);
}

/* ---- components ---- */

/* error.details: one entry per problem of a refused input */
static JsonObject *
details_schema (void)
{
	JsonObject *item = schema_new ("object");
	JsonObject *members = json_object_new ();
	JsonArray *required = json_array_new ();
	JsonObject *details = schema_new ("array");

	json_object_set_object_member (
		members, "field",
		describe (schema_new ("string"),
			  "A JSON Pointer (RFC 6901) to the member at fault, e.g. "
			  "`/observations/0/value`; empty for the input as a whole"));
	json_object_set_object_member (
		members, "code",
		describe (schema_new ("string"),
			  "What is wrong, for programs: required, unknown-member, wrong-type, "
			  "out-of-range, too-long, invalid-format, invalid-code, unknown-system, "
			  "invalid-checksum…"));
	json_object_set_object_member (
		members, "message",
		describe (schema_new ("string"),
			  "What is wrong, for people, in the answer's Content-Language; never "
			  "quotes the value sent"));
	json_array_add_string_element (required, "field");
	json_array_add_string_element (required, "code");
	json_array_add_string_element (required, "message");
	json_object_set_object_member (item, "properties", members);
	json_object_set_array_member (item, "required", required);
	json_object_set_boolean_member (item, "additionalProperties", FALSE);
	json_object_set_object_member (details, "items", item);
	return describe (details,
			 "Present when the input had problems: every one of them, so a request is "
			 "fixed in one round");
}

static JsonObject *
error_schema (void)
{
	const MvErrorRow *rows;
	guint n_rows = 0;
	JsonObject *schema = schema_new ("object");
	JsonObject *properties = json_object_new ();
	JsonObject *error = schema_new ("object");
	JsonObject *members = json_object_new ();
	JsonObject *code = schema_new ("string");
	JsonArray *codes = json_array_new ();
	JsonArray *required = json_array_new ();
	JsonArray *outer_required = json_array_new ();

	rows = mv_error_table_rows (&n_rows);
	for (guint i = 0; i < n_rows; i++)
		json_array_add_string_element (codes, mv_error_to_string (rows[i].code));
	json_object_set_array_member (code, "enum", codes);
	json_object_set_string_member (
		code, "description", "The stable machine-readable code: test it, not the message");
	json_object_set_object_member (members, "code", code);
	json_object_set_object_member (
		members, "message",
		describe (schema_new ("string"),
			  "What was wrong, naming the field or parameter, in the language "
			  "Accept-Language chose (Content-Language names it); for an internal "
			  "failure only where the daemon log has the details"));
	json_object_set_object_member (
		members, "request_id",
		describe (schema_new ("string"), "The request's id, as in X-Request-Id"));
	json_object_set_object_member (members, "details", details_schema ());
	json_array_add_string_element (required, "code");
	json_array_add_string_element (required, "message");
	json_array_add_string_element (required, "request_id");
	json_object_set_object_member (error, "properties", members);
	json_object_set_array_member (error, "required", required);
	json_object_set_boolean_member (error, "additionalProperties", FALSE);
	json_object_set_object_member (properties, "error", error);
	json_array_add_string_element (outer_required, "error");
	json_object_set_string_member (
		schema, "description",
		"Every error answer; the status and code come from one table "
		"(daemon/mv-error-table.c)");
	json_object_set_object_member (schema, "properties", properties);
	json_object_set_array_member (schema, "required", outer_required);
	json_object_set_boolean_member (schema, "additionalProperties", FALSE);
	return schema;
}

static JsonNode *
error_example (const MvErrorRow *row)
{
	g_autoptr (JsonBuilder) builder = json_builder_new ();

	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "error");
	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, "code");
	json_builder_add_string_value (builder, mv_error_to_string (row->code));
	json_builder_set_member_name (builder, "message");
	json_builder_add_string_value (builder, row->summary);
	json_builder_set_member_name (builder, "request_id");
	json_builder_add_string_value (builder, "5f0c6e2a9b1d4c37");
	json_builder_end_object (builder);
	json_builder_end_object (builder);
	return json_builder_get_root (builder);
}

/* One response per status; its description names every code that answers with it. */
static JsonObject *
error_response (guint status)
{
	const MvErrorRow *rows;
	const MvErrorRow *first = NULL;
	guint n_rows = 0;
	JsonObject *response = json_object_new ();
	JsonObject *headers = json_object_new ();
	g_autoptr (GString) description = g_string_new (NULL);

	rows = mv_error_table_rows (&n_rows);
	json_object_set_object_member (headers, "X-Request-Id", ref_new (REF_REQUEST_ID));
	json_object_set_object_member (headers, "Content-Language", ref_new (REF_CONTENT_LANGUAGE));
	for (guint i = 0; i < n_rows; i++) {
		const MvErrorRow *row = &rows[i];
		if (row->http_status != status)
			continue;
		if (first == NULL)
			g_string_append_printf (description, "%s.", row->reason);
		first = first != NULL ? first : row;
		g_string_append_printf (description, " `%s`: %s.", mv_error_to_string (row->code),
					row->summary);
		if (row->retry_after_s > 0 || row->code == MV_ERROR_RATE_LIMITED)
			json_object_set_object_member (
				headers, "Retry-After",
				ref_new ("#/components/headers/Retry-After"));
		if (row->code == MV_ERROR_NOT_ALLOWED)
			json_object_set_object_member (headers, "Allow",
						       ref_new ("#/components/headers/Allow"));
	}
	g_return_val_if_fail (first != NULL, response);
	json_object_set_string_member (response, "description", description->str);
	json_object_set_object_member (response, "headers", headers);
	json_object_set_object_member (response, "content",
				       json_content (ref_new (REF_ERROR), error_example (first)));
	return response;
}

static JsonObject *
header (const gchar *description, JsonObject *schema)
{
	JsonObject *object = json_object_new ();

	json_object_set_string_member (object, "description", description);
	json_object_set_object_member (object, "schema", schema);
	return object;
}

static JsonObject *
language_schema (void)
{
	JsonObject *schema = schema_new ("string");
	JsonArray *values = json_array_new ();

	json_array_add_string_element (values, "en");
	json_array_add_string_element (values, "zh-Hans");
	json_object_set_array_member (schema, "enum", values);
	return schema;
}

static JsonObject *
parameters_component (void)
{
	JsonObject *parameters = json_object_new ();
	JsonObject *accept = json_object_new ();

	json_object_set_string_member (accept, "name", "Accept-Language");
	json_object_set_string_member (accept, "in", "header");
	json_object_set_boolean_member (accept, "required", FALSE);
	json_object_set_string_member (
		accept, "description",
		"The language of error messages, weights respected (RFC 9110): `zh`, `zh-CN`, "
		"`zh-SG`, `zh-Hans` and `zh-Hans-*` choose Simplified Chinese, `en` English; "
		"Traditional Chinese (`zh-TW`, `zh-HK`, `zh-MO`, `zh-Hant*`) and other languages "
		"have no texts, so the next language listed decides, and English when none does. "
		"A plugin method receives the tag of highest weight as the caller's locale.");
	json_object_set_object_member (accept, "schema", schema_new ("string"));
	json_object_set_object_member (parameters, "Accept-Language", accept);
	return parameters;
}

static JsonObject *
headers_component (const Doc *doc)
{
	JsonObject *headers = json_object_new ();
	JsonObject *id = schema_new ("string");
	JsonObject *seconds = schema_new ("integer");

	json_object_set_string_member (id, "pattern", "^[A-Za-z0-9._-]{1,64}$");
	json_object_set_object_member (
		headers, "X-Request-Id",
		header ("The request's id, made by the daemon and named by its log lines and "
			"audit entries; a client's own X-Request-Id is only logged beside it",
			id));
	json_object_set_object_member (
		headers, "Content-Language",
		header ("The language of an error's message and details: `zh-Hans` when "
			"Accept-Language chose Simplified Chinese, else `en`",
			language_schema ()));
	json_object_set_int_member (seconds, "minimum", 0);
	if (doc->status_used[429] || doc->status_used[503])
		json_object_set_object_member (
			headers, "Retry-After",
			header ("Seconds to wait before trying again", seconds));
	else
		json_object_unref (seconds);
	if (doc->status_used[405])
		json_object_set_object_member (
			headers, "Allow",
			header ("The methods the path accepts, e.g. `GET, POST`",
				schema_new ("string")));
	return headers;
}

/* A "v" in a request: the JSON kind gives the type, and null is no value at any depth. */
static JsonObject *
any_value_schema (void)
{
	JsonObject *schema = json_object_new ();
	JsonArray *any_of = json_array_new ();
	JsonObject *scalar = json_object_new ();
	JsonArray *scalars = json_array_new ();
	JsonObject *array = schema_new ("array");
	JsonObject *object = schema_new ("object");

	json_array_add_string_element (scalars, "boolean");
	json_array_add_string_element (scalars, "number");
	json_array_add_string_element (scalars, "string");
	json_object_set_array_member (scalar, "type", scalars);
	json_object_set_object_member (array, "items", ref_new (REF_ANY_VALUE));
	json_object_set_object_member (object, "additionalProperties", ref_new (REF_ANY_VALUE));
	json_array_add_object_element (any_of, scalar);
	json_array_add_object_element (any_of, array);
	json_array_add_object_element (any_of, object);
	json_object_set_string_member (schema, "description",
				       "Any JSON value but null, at any depth (GVariant type v: an "
				       "object is read as a{sv}, an array as av)");
	json_object_set_array_member (schema, "anyOf", any_of);
	return schema;
}

static JsonObject *
components (const Doc *doc)
{
	JsonObject *components = json_object_new ();
	JsonObject *schemes = json_object_new ();
	JsonObject *bearer = json_object_new ();
	JsonObject *schemas = json_object_new ();
	JsonObject *responses = json_object_new ();

	json_object_set_string_member (bearer, "type", "http");
	json_object_set_string_member (bearer, "scheme", "bearer");
	json_object_set_string_member (
		bearer, "description",
		"An API key: the operator key (`medversectl operator-key create`, or "
		"<data-dir>/operator.key with --dev), a clinic key (POST "
		"/v1/admin/tenants/{id}/keys) or a patient key (POST /v1/invites/redeem). The "
		"route's x-medverse-roles lists the roles it accepts.");
	json_object_set_object_member (schemes, "bearer", bearer);
	json_object_set_object_member (components, "securitySchemes", schemes);
	json_object_set_object_member (schemas, "Error", error_schema ());
	if (doc->any_value_used)
		json_object_set_object_member (schemas, "AnyValue", any_value_schema ());
	json_object_set_object_member (components, "schemas", schemas);
	for (guint status = 0; status < MAX_STATUS; status++) {
		g_autofree gchar *ref = NULL;
		if (!doc->status_used[status])
			continue;
		ref = error_response_ref (status);
		json_object_set_object_member (responses, ref + strlen ("#/components/responses/"),
					       error_response (status));
	}
	json_object_set_object_member (components, "responses", responses);
	json_object_set_object_member (components, "headers", headers_component (doc));
	json_object_set_object_member (components, "parameters", parameters_component ());
	return components;
}

static JsonObject *
info_object (const gchar *version)
{
	JsonObject *info = json_object_new ();
	JsonObject *license = json_object_new ();

	json_object_set_string_member (info, "title", "Medverse");
	json_object_set_string_member (info, "version", version);
	json_object_set_string_member (info, "summary",
				       "The health-data daemon medversed: clinics, patients, audit "
				       "and the loaded plugins' methods");
	json_object_set_string_member (
		info, "description",
		"Generated by medversed from its route table, the declarations of the plugins "
		"loaded when it was made and the error table: a daemon serves its own at "
		"GET /v1/openapi.json. Every answer carries X-Request-Id and, but for 204, a JSON "
		"body; every error is `{\"error\": {\"code\", \"message\", \"request_id\", "
		"\"details\"}}`, `details` listing each problem of a refused input, its texts in "
		"English or Simplified Chinese as Accept-Language chooses. A request body must be "
		"application/json in UTF-8, sent with Content-Length. docs/api.md explains the "
		"routes whose bodies this document leaves open.");
	json_object_set_string_member (license, "name", "LGPL-2.1-or-later");
	json_object_set_string_member (license, "identifier", "LGPL-2.1-or-later");
	json_object_set_object_member (info, "license", license);
	return info;
}

static JsonArray *
servers (void)
{
	JsonArray *servers = json_array_new ();
	JsonObject *local = json_object_new ();

	/* relative: the document is served by the daemon it describes, on whatever address */
	json_object_set_string_member (local, "url", "/");
	json_object_set_string_member (local, "description",
				       "The daemon that serves this document");
	json_array_add_object_element (servers, local);
	return servers;
}

JsonNode *
mv_openapi_build (GPtrArray *routes, GPtrArray *plugins, const gchar *version)
{
	Doc doc = { 0 };
	JsonObject *root = json_object_new ();
	JsonNode *node = json_node_new (JSON_NODE_OBJECT);

	doc.paths = json_object_new ();
	doc.operation_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	add_builtin_routes (&doc);
	for (guint i = 0; routes != NULL && i < routes->len; i++)
		add_route (&doc, g_ptr_array_index (routes, i), plugins);
	json_object_set_string_member (root, "openapi", "3.1.0");
	json_object_set_object_member (root, "info", info_object (version));
	json_object_set_array_member (root, "servers", servers ());
	json_object_set_object_member (root, "paths", doc.paths);
	json_object_set_object_member (root, "components", components (&doc));
	g_hash_table_unref (doc.operation_ids);
	json_node_take_object (node, root);
	return node;
}

gchar *
mv_openapi_to_text (JsonNode *document)
{
	g_autoptr (JsonGenerator) generator = json_generator_new ();
	g_autofree gchar *text = NULL;

	json_generator_set_root (generator, document);
	json_generator_set_pretty (generator, TRUE);
	json_generator_set_indent (generator, 2);
	json_generator_set_indent_char (generator, ' ');
	text = json_generator_to_data (generator, NULL);
	return g_strconcat (text, "\n", NULL);
}
