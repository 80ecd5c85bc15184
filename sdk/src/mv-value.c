/* The value model: strict JSON <-> GVariant conversion driven by declared types.
 *
 * A refused value is an MV_ERROR_INVALID_INPUT listing problems (mv_error_add_problem()), each
 * at the JSON Pointer of the member at fault ("/findings/1/x"), in English and Chinese; a
 * message never quotes the submitted value (it may be patient data), only its kind. */
#include <math.h>

#include "mv-host-private.h"

/* Records one problem at @path and fails: error->message reads "path: message". */
static GVariant *
refuse (GError **error,
	const gchar *path,
	const gchar *code,
	const gchar *message,
	const gchar *message_zh)
{
	mv_error_add_problem (error, path, code, message, message_zh);
	return NULL;
}

/* An error that is not about one member's value (bad UTF-8, a type with no JSON form) */
static GVariant *
fail (GError **error, MvError code, const gchar *path, const gchar *message, const gchar *zh)
{
	g_autofree gchar *en_text = g_strdup_printf ("%s: %s", path, message);
	g_autofree gchar *zh_text = g_strdup_printf ("%s：%s", path, zh);

	/* it outranks the problems found before it: the whole input is unusable */
	if (error != NULL)
		g_clear_error (error);
	mv_set_error_bilingual (error, code, en_text, zh_text);
	return NULL;
}

/* Problems one refusal lists at most: a megabyte of wrong array items is not 100,000 of them */
#define MAX_PROBLEMS 100

/* After a member was refused: TRUE to check the next one too (every problem is listed at
 * once), FALSE to stop (an error that is not a problem list, or enough of them). */
static gboolean
keep_collecting (GError **error)
{
	guint n = error != NULL && *error != NULL ? mv_error_get_n_problems (*error) : 0;

	return n > 0 && n < MAX_PROBLEMS;
}

/* Adds @value (floating) to @builder, or drops it once a sibling was refused. */
static void
add_or_drop (GVariantBuilder *builder, GVariant *value, gboolean failed)
{
	if (failed)
		g_variant_unref (g_variant_ref_sink (value));
	else
		g_variant_builder_add_value (builder, value);
}

gchar *
mv_json_pointer_append (const gchar *pointer, const gchar *token)
{
	GString *out = g_string_new (pointer);

	g_string_append_c (out, '/');
	for (const gchar *p = token; *p != '\0'; p++) {
		if (*p == '~')
			g_string_append (out, "~0");
		else if (*p == '/')
			g_string_append (out, "~1");
		else
			g_string_append_c (out, *p);
	}
	return g_string_free (out, FALSE);
}

/* The kinds a message names, in English and Chinese: a JSON value's, or a declared type's. */
typedef enum {
	KIND_NULL,
	KIND_OBJECT,
	KIND_ARRAY,
	KIND_BOOLEAN,
	KIND_STRING,
	KIND_NUMBER,
	KIND_INTEGER,
	KIND_ANY,
	KIND_MAYBE,
} Kind;

static const gchar *const kind_names[][2] = {
	[KIND_NULL] = { "null", "null" },
	[KIND_OBJECT] = { "object", "对象" },
	[KIND_ARRAY] = { "array", "数组" },
	[KIND_BOOLEAN] = { "boolean", "布尔值" },
	[KIND_STRING] = { "string", "字符串" },
	[KIND_NUMBER] = { "number", "数字" },
	[KIND_INTEGER] = { "integer", "整数" },
	[KIND_ANY] = { "any value", "任意值" },
	[KIND_MAYBE] = { "value or null", "值或 null" },
};

static const gchar *
kind_name (Kind kind, gboolean zh)
{
	return kind_names[kind][zh ? 1 : 0];
}

static Kind
json_kind (JsonNode *node)
{
	if (node == NULL || JSON_NODE_HOLDS_NULL (node))
		return KIND_NULL;
	if (JSON_NODE_HOLDS_OBJECT (node))
		return KIND_OBJECT;
	if (JSON_NODE_HOLDS_ARRAY (node))
		return KIND_ARRAY;
	switch (json_node_get_value_type (node)) {
	case G_TYPE_BOOLEAN:
		return KIND_BOOLEAN;
	case G_TYPE_STRING:
		return KIND_STRING;
	default:
		return KIND_NUMBER;
	}
}

static Kind
type_kind (const GVariantType *type)
{
	switch (g_variant_type_peek_string (type)[0]) {
	case 'b':
		return KIND_BOOLEAN;
	case 'y':
	case 'n':
	case 'q':
	case 'i':
	case 'u':
	case 'x':
	case 't':
		return KIND_INTEGER;
	case 'd':
		return KIND_NUMBER;
	case 's':
	case 'o':
	case 'g':
		return KIND_STRING;
	case 'v':
		return KIND_ANY;
	case 'm':
		return KIND_MAYBE;
	case 'a':
		return g_variant_type_is_dict_entry (g_variant_type_element (type)) ? KIND_OBJECT
										    : KIND_ARRAY;
	default:
		return KIND_ARRAY;
	}
}

static GVariant *
type_error (const GVariantType *type, JsonNode *node, const gchar *path, GError **error)
{
	g_autofree gchar *en
		= g_strdup_printf ("expected %s, got %s", kind_name (type_kind (type), FALSE),
				   kind_name (json_kind (node), FALSE));
	g_autofree gchar *zh
		= g_strdup_printf ("应为%s，实际为%s", kind_name (type_kind (type), TRUE),
				   kind_name (json_kind (node), TRUE));

	return refuse (error, path, "wrong-type", en, zh);
}

static gboolean
node_is_integer (JsonNode *node)
{
	return node != NULL && JSON_NODE_HOLDS_VALUE (node)
	       && json_node_get_value_type (node) == G_TYPE_INT64;
}

static GVariant *
integer_from_json (const GVariantType *type, JsonNode *node, const gchar *path, GError **error)
{
	gchar c = g_variant_type_peek_string (type)[0];
	gint64 v;
	struct {
		gchar c;
		gint64 min;
		gint64 max;
	} ranges[] = {
		{ 'y', 0, G_MAXUINT8 },
		{ 'n', G_MININT16, G_MAXINT16 },
		{ 'q', 0, G_MAXUINT16 },
		{ 'i', G_MININT32, G_MAXINT32 },
		{ 'u', 0, G_MAXUINT32 },
		{ 'x', G_MININT64, G_MAXINT64 },
		/* json-glib holds integers as gint64, and mv_json_validate() refuses a literal
		 * above 2^63 - 1 before it would wrap: a uint64 argument takes 0..2^63 - 1 */
		{ 't', 0, G_MAXINT64 },
	};

	if (!node_is_integer (node))
		return type_error (type, node, path, error);
	v = json_node_get_int (node);
	for (guint i = 0; i < G_N_ELEMENTS (ranges); i++) {
		if (ranges[i].c != c)
			continue;
		if (v < ranges[i].min || v > ranges[i].max) {
			g_autofree gchar *en = g_strdup_printf ("out of range [%" G_GINT64_FORMAT
								", %" G_GINT64_FORMAT "]",
								ranges[i].min, ranges[i].max);
			g_autofree gchar *zh = g_strdup_printf ("超出范围 [%" G_GINT64_FORMAT
								", %" G_GINT64_FORMAT "]",
								ranges[i].min, ranges[i].max);
			return refuse (error, path, "out-of-range", en, zh);
		}
	}
	switch (c) {
	case 'y':
		return g_variant_new_byte ((guint8)v);
	case 'n':
		return g_variant_new_int16 ((gint16)v);
	case 'q':
		return g_variant_new_uint16 ((guint16)v);
	case 'i':
		return g_variant_new_int32 ((gint32)v);
	case 'u':
		return g_variant_new_uint32 ((guint32)v);
	case 'x':
		return g_variant_new_int64 (v);
	default:
		return g_variant_new_uint64 ((guint64)v);
	}
}

static GVariant *
string_from_json (const GVariantType *type, JsonNode *node, const gchar *path, GError **error)
{
	const gchar *s;
	gchar c = g_variant_type_peek_string (type)[0];

	if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
	    || json_node_get_value_type (node) != G_TYPE_STRING)
		return type_error (type, node, path, error);
	s = json_node_get_string (node);
	/* json-glib validates UTF-8 while parsing, but a node may come from elsewhere */
	if (!g_utf8_validate (s, -1, NULL))
		return fail (error, MV_ERROR_MALFORMED, path, "invalid UTF-8", "UTF-8 编码无效");
	if (c == 'o' && !g_variant_is_object_path (s))
		return refuse (error, path, "invalid-format", "not an object path",
			       "不是有效的对象路径");
	if (c == 'g' && !g_variant_is_signature (s))
		return refuse (error, path, "invalid-format", "not a type signature",
			       "不是有效的类型签名");
	if (c == 'o')
		return g_variant_new_object_path (s);
	if (c == 'g')
		return g_variant_new_signature (s);
	return g_variant_new_string (s);
}

static GVariant *variant_from_json (JsonNode *node, const gchar *path, GError **error);

static GVariant *
array_from_json (const GVariantType *type, JsonNode *node, const gchar *path, GError **error)
{
	const GVariantType *elem = g_variant_type_element (type);
	g_auto (GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (type);
	gboolean failed = FALSE;

	if (g_variant_type_is_dict_entry (elem)) {
		const GVariantType *key_type = g_variant_type_key (elem);
		const GVariantType *value_type = g_variant_type_value (elem);
		JsonObject *object;
		g_autoptr (GList) members = NULL;

		if (!g_variant_type_equal (key_type, G_VARIANT_TYPE_STRING))
			return fail (error, MV_ERROR_FAILED, path,
				     "only string-keyed dictionaries map to JSON",
				     "只有以字符串为键的字典可以映射为 JSON");
		if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
			return type_error (type, node, path, error);
		object = json_node_get_object (node);
		members = json_object_get_members (object);
		for (GList *l = members; l != NULL; l = l->next) {
			const gchar *key = l->data;
			g_autofree gchar *subpath = mv_json_pointer_append (path, key);
			GVariant *value = mv_value_from_json (
				value_type, json_object_get_member (object, key), subpath, error);
			if (value == NULL && !keep_collecting (error))
				return NULL;
			failed |= value == NULL;
			if (value != NULL)
				add_or_drop (&builder,
					     g_variant_new_dict_entry (g_variant_new_string (key),
								       value),
					     failed);
		}
		return failed ? NULL : g_variant_builder_end (&builder);
	}
	if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
		return type_error (type, node, path, error);
	{
		JsonArray *array = json_node_get_array (node);
		guint n = json_array_get_length (array);
		for (guint i = 0; i < n; i++) {
			g_autofree gchar *subpath = g_strdup_printf ("%s/%u", path, i);
			GVariant *value = mv_value_from_json (
				elem, json_array_get_element (array, i), subpath, error);
			if (value == NULL && !keep_collecting (error))
				return NULL;
			failed |= value == NULL;
			if (value != NULL)
				add_or_drop (&builder, value, failed);
		}
	}
	return failed ? NULL : g_variant_builder_end (&builder);
}

static GVariant *
tuple_from_json (const GVariantType *type, JsonNode *node, const gchar *path, GError **error)
{
	g_auto (GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (type);
	JsonArray *array;
	guint i = 0;
	gboolean failed = FALSE;

	if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
		return type_error (type, node, path, error);
	array = json_node_get_array (node);
	if (json_array_get_length (array) != g_variant_type_n_items (type)) {
		g_autofree gchar *en = g_strdup_printf (
			"expected an array of %" G_GSIZE_FORMAT " items, got %u",
			g_variant_type_n_items (type), json_array_get_length (array));
		g_autofree gchar *zh = g_strdup_printf (
			"应为包含 %" G_GSIZE_FORMAT " 项的数组，实际为 %u 项",
			g_variant_type_n_items (type), json_array_get_length (array));
		return refuse (error, path, "wrong-type", en, zh);
	}
	for (const GVariantType *t = g_variant_type_first (type); t != NULL;
	     t = g_variant_type_next (t), i++) {
		g_autofree gchar *subpath = g_strdup_printf ("%s/%u", path, i);
		GVariant *value
			= mv_value_from_json (t, json_array_get_element (array, i), subpath, error);
		if (value == NULL && !keep_collecting (error))
			return NULL;
		failed |= value == NULL;
		if (value != NULL)
			add_or_drop (&builder, value, failed);
	}
	return failed ? NULL : g_variant_builder_end (&builder);
}

/* A "v" takes its type from the JSON kind: the one place where JSON decides the type. */
static GVariant *
variant_from_json (JsonNode *node, const gchar *path, GError **error)
{
	if (node == NULL || JSON_NODE_HOLDS_NULL (node))
		return refuse (error, path, "wrong-type", "null is not a value",
			       "null 不是有效的值");
	if (JSON_NODE_HOLDS_OBJECT (node))
		return array_from_json (G_VARIANT_TYPE_VARDICT, node, path, error);
	if (JSON_NODE_HOLDS_ARRAY (node))
		return array_from_json (G_VARIANT_TYPE ("av"), node, path, error);
	switch (json_node_get_value_type (node)) {
	case G_TYPE_BOOLEAN:
		return g_variant_new_boolean (json_node_get_boolean (node));
	case G_TYPE_STRING:
		return string_from_json (G_VARIANT_TYPE_STRING, node, path, error);
	case G_TYPE_INT64:
		return g_variant_new_int64 (json_node_get_int (node));
	default:
		if (!isfinite (json_node_get_double (node)))
			return refuse (error, path, "out-of-range", "number out of range",
				       "数字超出范围");
		return g_variant_new_double (json_node_get_double (node));
	}
}

GVariant *
mv_value_from_json (const GVariantType *type, JsonNode *node, const gchar *path, GError **error)
{
	gchar c = g_variant_type_peek_string (type)[0];

	switch (c) {
	case 'b':
		if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
		    || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
			return type_error (type, node, path, error);
		return g_variant_new_boolean (json_node_get_boolean (node));
	case 'y':
	case 'n':
	case 'q':
	case 'i':
	case 'u':
	case 'x':
	case 't':
		return integer_from_json (type, node, path, error);
	case 'd':
		if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
		    || (json_node_get_value_type (node) != G_TYPE_DOUBLE
			&& !node_is_integer (node)))
			return type_error (type, node, path, error);
		/* 1e999 parses as infinity, which no JSON answer could carry back */
		if (!isfinite (json_node_get_double (node)))
			return refuse (error, path, "out-of-range", "number out of range",
				       "数字超出范围");
		return g_variant_new_double (json_node_get_double (node));
	case 's':
	case 'o':
	case 'g':
		return string_from_json (type, node, path, error);
	case 'v': {
		GVariant *inner = variant_from_json (node, path, error);
		return inner != NULL ? g_variant_new_variant (inner) : NULL;
	}
	case 'm': {
		GVariant *inner;
		if (node == NULL || JSON_NODE_HOLDS_NULL (node))
			return g_variant_new_maybe (g_variant_type_element (type), NULL);
		inner = mv_value_from_json (g_variant_type_element (type), node, path, error);
		return inner != NULL ? g_variant_new_maybe (NULL, inner) : NULL;
	}
	case 'a':
		return array_from_json (type, node, path, error);
	case '(':
		return tuple_from_json (type, node, path, error);
	default: {
		g_autofree gchar *en = g_strdup_printf (
			"type %.*s has no JSON form", (int)g_variant_type_get_string_length (type),
			g_variant_type_peek_string (type));
		g_autofree gchar *zh = g_strdup_printf (
			"类型 %.*s 没有 JSON 形式", (int)g_variant_type_get_string_length (type),
			g_variant_type_peek_string (type));
		return fail (error, MV_ERROR_FAILED, path, en, zh);
	}
	}
}

GVariant *
mv_value_new_empty (const GVariantType *type)
{
	gchar c = g_variant_type_peek_string (type)[0];

	switch (c) {
	case 'b':
		return g_variant_new_boolean (FALSE);
	case 'y':
		return g_variant_new_byte (0);
	case 'n':
		return g_variant_new_int16 (0);
	case 'q':
		return g_variant_new_uint16 (0);
	case 'i':
		return g_variant_new_int32 (0);
	case 'u':
		return g_variant_new_uint32 (0);
	case 'x':
		return g_variant_new_int64 (0);
	case 't':
		return g_variant_new_uint64 (0);
	case 'h':
		return g_variant_new_handle (0);
	case 'd':
		return g_variant_new_double (0.0);
	case 's':
		return g_variant_new_string ("");
	case 'o':
		return g_variant_new_object_path ("/");
	case 'g':
		return g_variant_new_signature ("");
	case 'v':
		return g_variant_new_variant (g_variant_new_string (""));
	case 'm':
		return g_variant_new_maybe (g_variant_type_element (type), NULL);
	case 'a':
		return g_variant_new_array (g_variant_type_element (type), NULL, 0);
	default: {
		g_auto (GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (type);
		for (const GVariantType *t = g_variant_type_first (type); t != NULL;
		     t = g_variant_type_next (t))
			g_variant_builder_add_value (&builder, mv_value_new_empty (t));
		return g_variant_builder_end (&builder);
	}
	}
}

/* The argument named @name: its value, its empty value when optional and absent, or NULL with
 * a problem added to @error. */
static GVariant *
arg_from_json (const MvArg *arg, JsonObject *object, GError **error)
{
	const GVariantType *type = G_VARIANT_TYPE (arg->type);
	JsonNode *node = object != NULL ? json_object_get_member (object, arg->name) : NULL;
	g_autofree gchar *path = mv_json_pointer_append ("", arg->name);

	if (node != NULL && (!JSON_NODE_HOLDS_NULL (node) || arg->type[0] == 'm'))
		return mv_value_from_json (type, node, path, error);
	if ((arg->flags & MV_ARG_OPTIONAL) == 0) {
		g_autofree gchar *en = g_strdup_printf ("required field missing (expected %s)",
							kind_name (type_kind (type), FALSE));
		g_autofree gchar *zh = g_strdup_printf ("缺少必填字段（应为%s）",
							kind_name (type_kind (type), TRUE));
		return refuse (error, path, "required", en, zh);
	}
	return mv_value_new_empty (type);
}

/* Every unknown member, every missing and every wrong argument is one problem of the error:
 * a caller fixes its request in one round. */
GVariant *
mv_value_from_json_args (const MvArg *args, JsonObject *object, GError **error)
{
	g_autoptr (GPtrArray) values
		= g_ptr_array_new_with_free_func ((GDestroyNotify)g_variant_unref);
	g_autoptr (GList) members = NULL;
	g_autoptr (GError) local = NULL;
	guint n_args = 0;

	for (; args != NULL && args[n_args].name != NULL; n_args++)
		;
	if (object != NULL)
		members = json_object_get_members (object);
	for (GList *l = members; l != NULL; l = l->next) {
		gboolean known = FALSE;
		g_autofree gchar *path = NULL;

		for (guint i = 0; i < n_args && !known; i++)
			known = g_strcmp0 (args[i].name, l->data) == 0;
		if (known)
			continue;
		path = mv_json_pointer_append ("", l->data);
		refuse (&local, path, "unknown-member", "unknown field", "未知字段");
		if (!keep_collecting (&local))
			break;
	}
	for (guint i = 0; i < n_args && (local == NULL || keep_collecting (&local)); i++) {
		GVariant *value = arg_from_json (&args[i], object, &local);

		if (value != NULL)
			g_ptr_array_add (values, g_variant_ref_sink (value));
	}
	if (local != NULL) {
		g_propagate_error (error, g_steal_pointer (&local));
		return NULL;
	}
	return g_variant_ref_sink (
		g_variant_new_tuple ((GVariant *const *)values->pdata, values->len));
}

JsonNode *
mv_value_to_json (GVariant *value)
{
	const GVariantType *type = g_variant_get_type (value);
	JsonNode *node;

	switch (g_variant_classify (value)) {
	case G_VARIANT_CLASS_BOOLEAN:
		node = json_node_new (JSON_NODE_VALUE);
		json_node_set_boolean (node, g_variant_get_boolean (value));
		return node;
	case G_VARIANT_CLASS_BYTE:
	case G_VARIANT_CLASS_INT16:
	case G_VARIANT_CLASS_UINT16:
	case G_VARIANT_CLASS_INT32:
	case G_VARIANT_CLASS_UINT32:
	case G_VARIANT_CLASS_INT64:
	case G_VARIANT_CLASS_HANDLE: {
		gint64 v = 0;
		switch (g_variant_classify (value)) {
		case G_VARIANT_CLASS_BYTE:
			v = g_variant_get_byte (value);
			break;
		case G_VARIANT_CLASS_INT16:
			v = g_variant_get_int16 (value);
			break;
		case G_VARIANT_CLASS_UINT16:
			v = g_variant_get_uint16 (value);
			break;
		case G_VARIANT_CLASS_INT32:
			v = g_variant_get_int32 (value);
			break;
		case G_VARIANT_CLASS_UINT32:
			v = g_variant_get_uint32 (value);
			break;
		case G_VARIANT_CLASS_HANDLE:
			v = g_variant_get_handle (value);
			break;
		default:
			v = g_variant_get_int64 (value);
		}
		node = json_node_new (JSON_NODE_VALUE);
		json_node_set_int (node, v);
		return node;
	}
	case G_VARIANT_CLASS_UINT64: {
		guint64 v = g_variant_get_uint64 (value);
		node = json_node_new (JSON_NODE_VALUE);
		if (v > G_MAXINT64)
			json_node_set_double (node, (gdouble)v);
		else
			json_node_set_int (node, (gint64)v);
		return node;
	}
	case G_VARIANT_CLASS_DOUBLE: {
		gdouble d = g_variant_get_double (value);
		/* JSON has no NaN or infinity */
		if (!isfinite (d))
			return json_node_new (JSON_NODE_NULL);
		node = json_node_new (JSON_NODE_VALUE);
		json_node_set_double (node, d);
		return node;
	}
	case G_VARIANT_CLASS_STRING:
	case G_VARIANT_CLASS_OBJECT_PATH:
	case G_VARIANT_CLASS_SIGNATURE:
		node = json_node_new (JSON_NODE_VALUE);
		json_node_set_string (node, g_variant_get_string (value, NULL));
		return node;
	case G_VARIANT_CLASS_VARIANT: {
		g_autoptr (GVariant) inner = g_variant_get_variant (value);
		return mv_value_to_json (inner);
	}
	case G_VARIANT_CLASS_MAYBE: {
		g_autoptr (GVariant) inner = g_variant_get_maybe (value);
		return inner != NULL ? mv_value_to_json (inner) : json_node_new (JSON_NODE_NULL);
	}
	case G_VARIANT_CLASS_ARRAY:
		if (g_variant_type_is_dict_entry (g_variant_type_element (type))
		    && g_variant_type_equal (g_variant_type_key (g_variant_type_element (type)),
					     G_VARIANT_TYPE_STRING)) {
			JsonObject *object = json_object_new ();
			gsize n = g_variant_n_children (value);
			for (gsize i = 0; i < n; i++) {
				g_autoptr (GVariant) entry = g_variant_get_child_value (value, i);
				g_autoptr (GVariant) key = g_variant_get_child_value (entry, 0);
				g_autoptr (GVariant) val = g_variant_get_child_value (entry, 1);
				json_object_set_member (object, g_variant_get_string (key, NULL),
							mv_value_to_json (val));
			}
			node = json_node_new (JSON_NODE_OBJECT);
			json_node_take_object (node, object);
			return node;
		}
		G_GNUC_FALLTHROUGH;
	default: {
		/* arrays with other keys, tuples and dict entries all become JSON arrays */
		JsonArray *array = json_array_new ();
		gsize n = g_variant_n_children (value);
		for (gsize i = 0; i < n; i++) {
			g_autoptr (GVariant) child = g_variant_get_child_value (value, i);
			json_array_add_element (array, mv_value_to_json (child));
		}
		node = json_node_new (JSON_NODE_ARRAY);
		json_node_take_array (node, array);
		return node;
	}
	}
}

JsonNode *
mv_value_to_json_args (const MvArg *args, GVariant *tuple, GError **error)
{
	JsonObject *object = json_object_new ();
	JsonNode *node = json_node_new (JSON_NODE_OBJECT);
	gsize n = g_variant_is_of_type (tuple, G_VARIANT_TYPE_TUPLE) ? g_variant_n_children (tuple)
								     : 0;
	guint n_args = 0;

	json_node_take_object (node, object);
	for (; args != NULL && args[n_args].name != NULL; n_args++)
		;
	if (!g_variant_is_of_type (tuple, G_VARIANT_TYPE_TUPLE) || n != n_args) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "value of type %s does not match %u declared arguments",
			     g_variant_get_type_string (tuple), n_args);
		json_node_unref (node);
		return NULL;
	}
	for (guint i = 0; i < n_args; i++) {
		g_autoptr (GVariant) child = g_variant_get_child_value (tuple, i);
		json_object_set_member (object, args[i].name, mv_value_to_json (child));
	}
	return node;
}

JsonNode *
mv_value_parse_json_object (const gchar *json, gssize len, GError **error)
{
	g_autoptr (JsonNode) root = NULL;

	/* the strict check refuses an empty or whitespace-only text as malformed (400): json-glib
	 * took it as "no value", which became a 422 "expected a JSON object, got null" */
	root = mv_json_parse_strict (json, len, error);
	if (root == NULL)
		return NULL;
	if (!JSON_NODE_HOLDS_OBJECT (root)) {
		g_autofree gchar *en = g_strdup_printf ("body: expected a JSON object, got %s",
							kind_name (json_kind (root), FALSE));
		g_autofree gchar *zh = g_strdup_printf ("请求体：应为 JSON 对象，实际为%s",
							kind_name (json_kind (root), TRUE));
		mv_error_add_problem (error, "", "wrong-type", en, zh);
		return NULL;
	}
	/* handlers read a body, never change it */
	json_node_seal (root);
	return g_steal_pointer (&root);
}
