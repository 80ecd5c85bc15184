/* JSON <-> GVariant for the D-Bus adapter: see mv-dbus-json.h. */
#define G_LOG_DOMAIN "medverse-dbus"

#include "mv-dbus-json.h"

#include <math.h>
#include <medverse/mv-error.h>
#include <mv-host-private.h>

/* ---- JSON -> D-Bus ------------------------------------------------------------------- */

GVariant *
mv_dbus_json_object_to_vardict (JsonObject *object)
{
	GVariantBuilder dict;
	g_autoptr (GList) members = json_object_get_members (object);

	g_variant_builder_init (&dict, G_VARIANT_TYPE_VARDICT);
	for (GList *l = members; l != NULL; l = l->next) {
		JsonNode *member = json_object_get_member (object, l->data);
		if (!JSON_NODE_HOLDS_NULL (member))
			g_variant_builder_add (&dict, "{sv}", (const gchar *)l->data,
					       mv_dbus_json_to_variant (member));
	}
	return g_variant_builder_end (&dict);
}

static gboolean
array_holds_only (JsonArray *array, JsonNodeType node_type, GType value_type)
{
	for (guint i = 0; i < json_array_get_length (array); i++) {
		JsonNode *element = json_array_get_element (array, i);
		if (JSON_NODE_TYPE (element) != node_type
		    || (value_type != G_TYPE_INVALID
			&& json_node_get_value_type (element) != value_type))
			return FALSE;
	}
	return TRUE;
}

GVariant *
mv_dbus_json_array_to_variant (JsonArray *array)
{
	const GVariantType *type = G_VARIANT_TYPE ("av");
	GVariantBuilder builder;

	if (array_holds_only (array, JSON_NODE_OBJECT, G_TYPE_INVALID))
		type = G_VARIANT_TYPE ("aa{sv}");
	else if (array_holds_only (array, JSON_NODE_VALUE, G_TYPE_STRING))
		type = G_VARIANT_TYPE_STRING_ARRAY;
	g_variant_builder_init (&builder, type);
	for (guint i = 0; i < json_array_get_length (array); i++) {
		GVariant *element = mv_dbus_json_to_variant (json_array_get_element (array, i));
		if (g_variant_type_equal (type, G_VARIANT_TYPE ("av")))
			element = g_variant_new_variant (element);
		g_variant_builder_add_value (&builder, element);
	}
	return g_variant_builder_end (&builder);
}

GVariant *
mv_dbus_json_to_variant (JsonNode *node)
{
	switch (JSON_NODE_TYPE (node)) {
	case JSON_NODE_OBJECT:
		return mv_dbus_json_object_to_vardict (json_node_get_object (node));
	case JSON_NODE_ARRAY:
		return mv_dbus_json_array_to_variant (json_node_get_array (node));
	case JSON_NODE_NULL:
		return g_variant_new_string (""); /* only inside a list of mixed values */
	case JSON_NODE_VALUE:
		break;
	}
	switch (json_node_get_value_type (node)) {
	case G_TYPE_INT64:
		return g_variant_new_int64 (json_node_get_int (node));
	case G_TYPE_DOUBLE:
		return g_variant_new_double (json_node_get_double (node));
	case G_TYPE_BOOLEAN:
		return g_variant_new_boolean (json_node_get_boolean (node));
	default:
		return g_variant_new_string (json_node_get_string (node));
	}
}

/* ---- D-Bus -> JSON ------------------------------------------------------------------- */

/* Every function below answers a node: a value JSON cannot hold is a JSON null there, with its
 * problem added to @error, so one conversion finds every such member and the caller decides
 * whether the rest is still of use (mv_dbus_vardict_to_json_marked()). */
static JsonNode *to_json (GVariant *value, const gchar *pointer, GError **error);

static JsonNode *
wrong_type (const gchar *pointer, const gchar *type, GError **error)
{
	g_autofree gchar *en = g_strdup_printf (
		"has the D-Bus type %s, which has no JSON equivalent (use s, x, d, b, a{sv} or av)",
		type);
	/* Chinese needs the subject named: "…的 D-Bus 类型" has none on its own */
	g_autofree gchar *zh = g_strdup_printf ("成员 %s 的 D-Bus 类型为 %s，没有对应的 JSON "
						"类型（请使用 s、x、d、b、a{sv} 或 av）",
						pointer[0] != '\0' ? pointer : "/", type);

	mv_error_add_problem (error, pointer, "wrong-type", en, zh);
	return json_node_init_null (json_node_alloc ());
}

static JsonNode *
dict_to_json (GVariant *dict, const gchar *pointer, GError **error)
{
	g_autoptr (JsonObject) object = json_object_new ();
	GVariantIter iter;
	GVariant *entry;

	g_variant_iter_init (&iter, dict);
	while ((entry = g_variant_iter_next_value (&iter)) != NULL) {
		g_autoptr (GVariant) owned = entry;
		g_autoptr (GVariant) key = g_variant_get_child_value (entry, 0);
		g_autoptr (GVariant) value = g_variant_get_child_value (entry, 1);
		const gchar *name = g_variant_get_string (key, NULL);
		g_autofree gchar *member = mv_json_pointer_append (pointer, name);

		json_object_set_member (object, name, to_json (value, member, error));
	}
	return json_node_init_object (json_node_alloc (), object);
}

static JsonNode *
array_to_json (GVariant *array, const gchar *pointer, GError **error)
{
	g_autoptr (JsonArray) out = json_array_new ();
	gsize n = g_variant_n_children (array);

	for (gsize i = 0; i < n; i++) {
		g_autoptr (GVariant) element = g_variant_get_child_value (array, i);
		g_autofree gchar *index = g_strdup_printf ("%" G_GSIZE_FORMAT, i);
		g_autofree gchar *member = mv_json_pointer_append (pointer, index);

		json_array_add_element (out, to_json (element, member, error));
	}
	return json_node_init_array (json_node_alloc (), out);
}

static JsonNode *
int_node (gint64 value)
{
	return json_node_init_int (json_node_alloc (), value);
}

static JsonNode *
number_to_json (GVariant *value, const gchar *pointer, GError **error)
{
	switch (g_variant_classify (value)) {
	case G_VARIANT_CLASS_BYTE:
		return int_node (g_variant_get_byte (value));
	case G_VARIANT_CLASS_INT16:
		return int_node (g_variant_get_int16 (value));
	case G_VARIANT_CLASS_UINT16:
		return int_node (g_variant_get_uint16 (value));
	case G_VARIANT_CLASS_INT32:
		return int_node (g_variant_get_int32 (value));
	case G_VARIANT_CLASS_UINT32:
		return int_node (g_variant_get_uint32 (value));
	case G_VARIANT_CLASS_INT64:
		return int_node (g_variant_get_int64 (value));
	case G_VARIANT_CLASS_UINT64:
		if (g_variant_get_uint64 (value) <= G_MAXINT64)
			return int_node ((gint64)g_variant_get_uint64 (value));
		break;
	case G_VARIANT_CLASS_DOUBLE:
		if (isfinite (g_variant_get_double (value)))
			return json_node_init_double (json_node_alloc (),
						      g_variant_get_double (value));
		break;
	default:
		g_assert_not_reached ();
	}
	mv_error_add_problem (error, pointer, "out-of-range",
			      "is not a number JSON can carry (finite, at most 2^63 - 1)",
			      "不是 JSON 可表示的数（须为有限值，且不超过 2^63 - 1）");
	return json_node_init_null (json_node_alloc ());
}

static JsonNode *
to_json (GVariant *value, const gchar *pointer, GError **error)
{
	const GVariantType *type = g_variant_get_type (value);

	switch (g_variant_classify (value)) {
	case G_VARIANT_CLASS_STRING:
		return json_node_init_string (json_node_alloc (),
					      g_variant_get_string (value, NULL));
	case G_VARIANT_CLASS_BOOLEAN:
		return json_node_init_boolean (json_node_alloc (), g_variant_get_boolean (value));
	case G_VARIANT_CLASS_VARIANT: {
		g_autoptr (GVariant) inner = g_variant_get_variant (value);
		return to_json (inner, pointer, error);
	}
	case G_VARIANT_CLASS_ARRAY:
		if (g_variant_type_is_dict_entry (g_variant_type_element (type))) {
			if (g_variant_type_equal (
				    g_variant_type_key (g_variant_type_element (type)),
				    G_VARIANT_TYPE_STRING))
				return dict_to_json (value, pointer, error);
			break;
		}
		return array_to_json (value, pointer, error);
	case G_VARIANT_CLASS_BYTE:
	case G_VARIANT_CLASS_INT16:
	case G_VARIANT_CLASS_UINT16:
	case G_VARIANT_CLASS_INT32:
	case G_VARIANT_CLASS_UINT32:
	case G_VARIANT_CLASS_INT64:
	case G_VARIANT_CLASS_UINT64:
	case G_VARIANT_CLASS_DOUBLE:
		return number_to_json (value, pointer, error);
	default:
		break;
	}
	return wrong_type (pointer, g_variant_get_type_string (value), error);
}

JsonObject *
mv_dbus_vardict_to_json_marked (GVariant *vardict, GError **problems)
{
	g_autoptr (JsonNode) node = NULL;

	g_return_val_if_fail (g_variant_is_of_type (vardict, G_VARIANT_TYPE_VARDICT), NULL);
	node = dict_to_json (vardict, "", problems);
	return json_object_ref (json_node_get_object (node));
}

JsonObject *
mv_dbus_vardict_to_json (GVariant *vardict, GError **error)
{
	GError *problems = NULL;
	g_autoptr (JsonObject) object = mv_dbus_vardict_to_json_marked (vardict, &problems);

	if (problems == NULL)
		return g_steal_pointer (&object);
	g_propagate_error (error, problems);
	return NULL;
}
