/* An isolated plugin's MvPluginInfo, built from its host's HELLO: see mv-plugin-proxy.h. */
#define G_LOG_DOMAIN "medverse-plugin-process"

#include <json-glib/json-glib.h>
#include <mv-host-private.h>

#include "mv-plugin-proxy.h"

struct _MvPluginProxy {
	MvPluginInfo info;
	GStringChunk *strings;
	MvMethod *methods;
	GPtrArray *arg_tables; /* MvArg arrays, each ended by an empty entry */
	MvMethodRoles *roles;
	MvConfigKey *keys;
};

static GVariant *
proxy_stub_handler (MvCall *call, GVariant *input, GError **error)
{
	g_set_error_literal (error, MV_ERROR, MV_ERROR_FAILED,
			     "an isolated plugin's method was called in the daemon");
	return NULL;
}

static const gchar *
intern (MvPluginProxy *proxy, const gchar *text)
{
	return g_string_chunk_insert_const (proxy->strings, text);
}

/* One side's MvArg table: the types from the tuple type string, the names, descriptions and
 * flags from the JSON array the host sent alongside. */
static const MvArg *
build_args (MvPluginProxy *proxy,
	    const gchar *method,
	    const gchar *tuple,
	    JsonArray *decls,
	    GError **error)
{
	const GVariantType *item;
	MvArg *args;
	guint n = 0;

	if (!g_variant_type_string_is_valid (tuple)
	    || !g_variant_type_is_tuple (G_VARIANT_TYPE (tuple))) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "method %s: '%s' is no tuple type",
			     method, tuple);
		return NULL;
	}
	if (g_variant_type_n_items (G_VARIANT_TYPE (tuple)) != json_array_get_length (decls)) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "method %s: type %s has %" G_GSIZE_FORMAT " items, %u declared",
			     method, tuple, g_variant_type_n_items (G_VARIANT_TYPE (tuple)),
			     json_array_get_length (decls));
		return NULL;
	}
	args = g_new0 (MvArg, json_array_get_length (decls) + 1);
	g_ptr_array_add (proxy->arg_tables, args);
	for (item = g_variant_type_first (G_VARIANT_TYPE (tuple)); item != NULL;
	     item = g_variant_type_next (item), n++) {
		JsonNode *node = json_array_get_element (decls, n);
		JsonObject *decl
			= JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
		g_autofree gchar *type = g_variant_type_dup_string (item);
		const gchar *name
			= decl != NULL
				  ? json_object_get_string_member_with_default (decl, "name", NULL)
				  : NULL;

		if (name == NULL) {
			g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
				     "method %s: argument %u has no name", method, n);
			return NULL;
		}
		args[n].name = intern (proxy, name);
		args[n].type = intern (proxy, type);
		args[n].description = intern (proxy, json_object_get_string_member_with_default (
							     decl, "description", ""));
		args[n].flags = (guint32)json_object_get_int_member_with_default (decl, "flags", 0);
	}
	return args;
}

static JsonArray *
object_array (JsonObject *object, const gchar *member)
{
	JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;
	return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static gboolean
build_method (
	MvPluginProxy *proxy, MvMethod *method, GVariant *decl, guint32 *roles, GError **error)
{
	const gchar *name, *description, *in_type, *out_type, *args_json;
	g_autoptr (JsonNode) root = NULL;
	JsonObject *args;
	JsonArray *in, *out;

	g_variant_get (decl, "(&s&s&s&s&su)", &name, &description, &in_type, &out_type, &args_json,
		       roles);
	method->name = intern (proxy, name);
	method->description = intern (proxy, description);
	method->handler = proxy_stub_handler;
	root = mv_json_parse_strict (args_json, -1, error);
	if (root == NULL) {
		g_prefix_error (error, "method %s: arguments: ", name);
		return FALSE;
	}
	args = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
	in = object_array (args, "in");
	out = object_array (args, "out");
	if (in == NULL || out == NULL) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "method %s: arguments lack \"in\" or \"out\"", name);
		return FALSE;
	}
	method->in_args = build_args (proxy, name, in_type, in, error);
	if (method->in_args == NULL)
		return FALSE;
	method->out_args = build_args (proxy, name, out_type, out, error);
	return method->out_args != NULL;
}

MvPluginProxy *
mv_plugin_proxy_new (GVariant *hello, GError **error)
{
	g_autoptr (MvPluginProxy) proxy = g_new0 (MvPluginProxy, 1);
	g_autoptr (GVariant) methods = NULL;
	g_autoptr (GVariant) keys = NULL;
	const gchar *name, *version;
	gsize n_methods, n_keys, n_roles = 0;

	proxy->strings = g_string_chunk_new (1024);
	proxy->arg_tables = g_ptr_array_new_with_free_func (g_free);
	g_variant_get (hello, "(&s&s@a(sssssu)@a(ssss))", &name, &version, &methods, &keys);
	n_methods = g_variant_n_children (methods);
	n_keys = g_variant_n_children (keys);
	proxy->info.abi_version = MV_PLUGIN_ABI_VERSION;
	proxy->info.struct_size = sizeof (MvPluginInfo);
	proxy->info.name = intern (proxy, name);
	proxy->info.version = intern (proxy, version);
	/* HELLO carries no description (docs/plugin-isolation.md) */
	proxy->info.description = "";
	proxy->methods = g_new0 (MvMethod, n_methods + 1);
	proxy->roles = g_new0 (MvMethodRoles, n_methods + 1);
	for (gsize i = 0; i < n_methods; i++) {
		g_autoptr (GVariant) decl = g_variant_get_child_value (methods, i);
		guint32 roles = 0;

		if (!build_method (proxy, &proxy->methods[i], decl, &roles, error)) {
			g_prefix_error (error, "plugin %s: ", name);
			return NULL;
		}
		if (roles != MV_CALLER_ANY) {
			proxy->roles[n_roles].method = proxy->methods[i].name;
			proxy->roles[n_roles++].roles = roles;
		}
	}
	proxy->keys = g_new0 (MvConfigKey, n_keys + 1);
	for (gsize i = 0; i < n_keys; i++) {
		const gchar *key, *type, *def, *description;
		g_variant_get_child (keys, i, "(&s&s&s&s)", &key, &type, &def, &description);
		proxy->keys[i].name = intern (proxy, key);
		proxy->keys[i].type = intern (proxy, type);
		/* "" stands for "no default" on the wire */
		proxy->keys[i].default_value = def[0] != '\0' ? intern (proxy, def) : NULL;
		proxy->keys[i].description = intern (proxy, description);
	}
	proxy->info.methods = proxy->methods;
	proxy->info.method_roles = proxy->roles;
	proxy->info.config_keys = proxy->keys;
	if (!mv_plugin_info_validate (&proxy->info, error))
		return NULL;
	return g_steal_pointer (&proxy);
}

const MvPluginInfo *
mv_plugin_proxy_get_info (MvPluginProxy *proxy)
{
	return &proxy->info;
}

void
mv_plugin_proxy_free (MvPluginProxy *proxy)
{
	if (proxy == NULL)
		return;
	if (proxy->strings != NULL)
		g_string_chunk_free (proxy->strings);
	g_clear_pointer (&proxy->arg_tables, g_ptr_array_unref);
	g_free (proxy->methods);
	g_free (proxy->roles);
	g_free (proxy->keys);
	g_free (proxy);
}
