/*
 * The D-Bus service against the real daemon on a private bus: the listing, the generic Call and
 * the per-plugin objects give what HTTP gives; error names; the exported interface matches
 * schemas/dbus/ and every method there has a handler.
 */
#include <criterion/criterion.h>
#include <medverse/mv-value.h>
#include <string.h>

#include "mvt.h"

#define BUS_NAME "org.medverse.Health1"
#define OBJECT_PATH "/org/medverse/Health1"
#define IFACE "org.medverse.Health1"

static const gchar *const good_plugins[] = { "sleepy.so", "liar.so", NULL };

int
main (int argc, char **argv)
{
	MvtOptions options
		= { .good_plugins = good_plugins, .config = "[plugins]\ncall-timeout-ms=500\n" };
	return mvt_main (argc, argv, &options);
}

static GVariant *
call (GDBusConnection *conn,
      const gchar *path,
      const gchar *iface,
      const gchar *method,
      GVariant *params,
      const gchar *reply_type,
      GError **error)
{
	return g_dbus_connection_call_sync (conn, BUS_NAME, path, iface, method, params,
					    reply_type != NULL ? G_VARIANT_TYPE (reply_type) : NULL,
					    G_DBUS_CALL_FLAGS_NONE, 10000, NULL, error);
}

static GVariant *
call_ok (GDBusConnection *conn,
	 const gchar *path,
	 const gchar *iface,
	 const gchar *method,
	 GVariant *params,
	 const gchar *reply_type)
{
	g_autoptr (GError) error = NULL;
	GVariant *reply = call (conn, path, iface, method, params, reply_type, &error);
	cr_assert_not_null (reply, "%s.%s: %s", iface, method, error->message);
	return reply;
}

static gchar *
remote_error_name (GError *error)
{
	cr_assert_not_null (error, "the call succeeded");
	return g_dbus_error_get_remote_error (error);
}

/* the method's arguments as a D-Bus signature, accepting "dd" and "(dd)" forms */
static gboolean
signature_matches (const gchar *got, const gchar *concatenated)
{
	g_autofree gchar *tuple = g_strdup_printf ("(%s)", concatenated);
	return g_strcmp0 (got, concatenated) == 0 || g_strcmp0 (got, tuple) == 0;
}

static const gchar *
http_types (JsonArray *args, GString *out)
{
	for (guint i = 0; i < json_array_get_length (args); i++)
		g_string_append (out, json_object_get_string_member (
					      json_array_get_object_element (args, i), "type"));
	return out->str;
}

Test (dbus, list_plugins_matches_http)
{
	g_autoptr (GDBusConnection) conn = mvt_dbus_connect (mvt_shared_bus_address ());
	g_autoptr (GVariant) reply
		= call_ok (conn, OBJECT_PATH, IFACE, "ListPlugins", NULL, "(a(sssa(ssss)))");
	g_autoptr (MvtResponse) http = mvt_get ("/v1/plugins");
	g_autoptr (GVariant) plugins = g_variant_get_child_value (reply, 0);
	JsonArray *http_plugins = json_node_get_array (mvt_member (http, "plugins"));
	gboolean saw_bmi = FALSE;

	cr_assert_eq (g_variant_n_children (plugins), json_array_get_length (http_plugins));
	for (gsize i = 0; i < g_variant_n_children (plugins); i++) {
		const gchar *name, *version, *description;
		g_autoptr (GVariant) methods = NULL;
		JsonObject *hp = NULL;
		JsonArray *hm;

		g_variant_get_child (plugins, i, "(&s&s&s@a(ssss))", &name, &version, &description,
				     &methods);
		for (guint j = 0; j < json_array_get_length (http_plugins); j++) {
			JsonObject *o = json_array_get_object_element (http_plugins, j);
			if (g_strcmp0 (json_object_get_string_member (o, "name"), name) == 0)
				hp = o;
		}
		cr_assert_not_null (hp, "%s over D-Bus, not over HTTP", name);
		cr_assert_str_eq (version, json_object_get_string_member (hp, "version"));
		cr_assert_str_eq (description, json_object_get_string_member (hp, "description"));
		hm = json_object_get_array_member (hp, "methods");
		cr_assert_eq (g_variant_n_children (methods), json_array_get_length (hm));
		for (gsize k = 0; k < g_variant_n_children (methods); k++) {
			const gchar *mname, *mdesc, *in_sig, *out_sig;
			JsonObject *m = json_array_get_object_element (hm, k);
			g_autoptr (GString) in_types = g_string_new (NULL);
			g_autoptr (GString) out_types = g_string_new (NULL);

			g_variant_get_child (methods, k, "(&s&s&s&s)", &mname, &mdesc, &in_sig,
					     &out_sig);
			cr_assert_str_eq (mname, json_object_get_string_member (m, "name"));
			cr_assert_str_eq (mdesc, json_object_get_string_member (m, "description"));
			http_types (json_object_get_array_member (m, "input"), in_types);
			http_types (json_object_get_array_member (m, "output"), out_types);
			cr_assert (signature_matches (in_sig, in_types->str), "%s.%s in: %s vs %s",
				   name, mname, in_sig, in_types->str);
			cr_assert (signature_matches (out_sig, out_types->str),
				   "%s.%s out: %s vs %s", name, mname, out_sig, out_types->str);
		}
		if (g_strcmp0 (name, "bmi") == 0) {
			saw_bmi = TRUE;
			cr_assert_eq (g_variant_n_children (methods), 2);
		}
	}
	cr_assert (saw_bmi, "bmi not listed over D-Bus");
}

Test (dbus, version_property)
{
	g_autoptr (GDBusConnection) conn = mvt_dbus_connect (mvt_shared_bus_address ());
	g_autoptr (GVariant) reply
		= call_ok (conn, OBJECT_PATH, "org.freedesktop.DBus.Properties", "Get",
			   g_variant_new ("(ss)", IFACE, "Version"), "(v)");
	g_autoptr (GVariant) value = NULL;
	g_variant_get (reply, "(v)", &value);
	cr_assert (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING));
	cr_assert_gt (strlen (g_variant_get_string (value, NULL)), 0);
}

Test (dbus, same_answers_as_http)
{
	g_autoptr (GDBusConnection) conn = mvt_dbus_connect (mvt_shared_bus_address ());
	g_autoptr (MvtResponse) http
		= mvt_post_json ("/v1/plugins/bmi/Compute", "{\"weight_kg\":70,\"height_cm\":175}");
	g_autoptr (GVariant) generic = call_ok (
		conn, OBJECT_PATH, IFACE, "Call",
		g_variant_new ("(ssv)", "bmi", "Compute", g_variant_new ("(dd)", 70.0, 175.0)),
		"(v)");
	g_autoptr (GVariant) direct
		= call_ok (conn, OBJECT_PATH "/plugins/bmi", "org.medverse.Health1.Plugin.bmi",
			   "Compute", g_variant_new ("(dd)", 70.0, 175.0), "(ds)");
	g_autoptr (GVariant) output = NULL;
	gdouble bmi_generic, bmi_direct;
	const gchar *cat_generic, *cat_direct;

	cr_assert_eq (http->status, 200, "%s", http->body);
	g_variant_get (generic, "(v)", &output);
	cr_assert (g_variant_is_of_type (output, G_VARIANT_TYPE ("(ds)")), "Call returned %s",
		   g_variant_get_type_string (output));
	g_variant_get (output, "(d&s)", &bmi_generic, &cat_generic);
	g_variant_get (direct, "(d&s)", &bmi_direct, &cat_direct);

	cr_assert_float_eq (bmi_generic, 22.9, 1e-9);
	cr_assert_str_eq (cat_generic, "normal");
	/* identical, not merely close */
	cr_assert (bmi_generic == bmi_direct);
	cr_assert (bmi_generic == json_node_get_double (mvt_member (http, "bmi")));
	cr_assert_str_eq (cat_direct, cat_generic);
	cr_assert_str_eq (json_node_get_string (mvt_member (http, "category")), cat_generic);
}

Test (dbus, same_array_answers_as_http)
{
	g_autoptr (GDBusConnection) conn = mvt_dbus_connect (mvt_shared_bus_address ());
	g_autoptr (MvtResponse) http = mvt_post_json ("/v1/plugins/bmi/ComputeMany",
						      "{\"measurements\":[[70,175],[120.5,180]]}");
	g_autoptr (GVariant) direct = NULL;
	g_autoptr (GVariant) bmis = NULL;
	GVariantBuilder b;
	JsonArray *array;

	g_variant_builder_init (&b, G_VARIANT_TYPE ("a(dd)"));
	g_variant_builder_add (&b, "(dd)", 70.0, 175.0);
	g_variant_builder_add (&b, "(dd)", 120.5, 180.0);
	direct = call_ok (conn, OBJECT_PATH "/plugins/bmi", "org.medverse.Health1.Plugin.bmi",
			  "ComputeMany", g_variant_new ("(a(dd))", &b), "(ad)");
	cr_assert_eq (http->status, 200, "%s", http->body);
	array = json_node_get_array (mvt_member (http, "bmis"));
	bmis = g_variant_get_child_value (direct, 0);
	cr_assert_eq (g_variant_n_children (bmis), json_array_get_length (array));
	for (guint i = 0; i < json_array_get_length (array); i++) {
		gdouble d;
		g_variant_get_child (bmis, i, "d", &d);
		cr_assert (d == json_array_get_double_element (array, i));
	}
}

Test (dbus, plugin_object_introspection_has_argument_names)
{
	g_autoptr (GDBusConnection) conn = mvt_dbus_connect (mvt_shared_bus_address ());
	g_autoptr (GVariant) reply
		= call_ok (conn, OBJECT_PATH "/plugins/bmi", "org.freedesktop.DBus.Introspectable",
			   "Introspect", NULL, "(s)");
	g_autoptr (GError) error = NULL;
	g_autoptr (GDBusNodeInfo) node = NULL;
	GDBusInterfaceInfo *iface;
	GDBusMethodInfo *method;
	const gchar *xml;

	g_variant_get (reply, "(&s)", &xml);
	node = g_dbus_node_info_new_for_xml (xml, &error);
	cr_assert_not_null (node, "%s", error->message);
	iface = g_dbus_node_info_lookup_interface (node, "org.medverse.Health1.Plugin.bmi");
	cr_assert_not_null (iface, "no plugin interface in %s", xml);
	method = g_dbus_interface_info_lookup_method (iface, "Compute");
	cr_assert_not_null (method);
	cr_assert_str_eq (method->in_args[0]->name, "weight_kg");
	cr_assert_str_eq (method->in_args[0]->signature, "d");
	cr_assert_str_eq (method->in_args[1]->name, "height_cm");
	cr_assert_null (method->in_args[2]);
	cr_assert_str_eq (method->out_args[0]->name, "bmi");
	cr_assert_str_eq (method->out_args[1]->name, "category");
	cr_assert_str_eq (method->out_args[1]->signature, "s");
	cr_assert_null (method->out_args[2]);
}

Test (dbus, error_not_found)
{
	g_autoptr (GDBusConnection) conn = mvt_dbus_connect (mvt_shared_bus_address ());
	g_autoptr (GError) error = NULL;
	g_autoptr (GError) error2 = NULL;
	g_autoptr (GVariant) reply = call (
		conn, OBJECT_PATH, IFACE, "Call",
		g_variant_new ("(ssv)", "nope", "Compute", g_variant_new ("(dd)", 70.0, 175.0)),
		"(v)", &error);
	g_autoptr (GVariant) reply2
		= call (conn, OBJECT_PATH, IFACE, "Call",
			g_variant_new ("(ssv)", "bmi", "Nope", g_variant_new ("(dd)", 70.0, 175.0)),
			"(v)", &error2);
	g_autofree gchar *name = remote_error_name (error);
	g_autofree gchar *name2 = remote_error_name (error2);

	cr_assert_null (reply);
	cr_assert_str_eq (name, "org.medverse.Health1.Error.NotFound", "%s", error->message);
	cr_assert_null (reply2);
	cr_assert_str_eq (name2, "org.medverse.Health1.Error.NotFound", "%s", error2->message);
}

Test (dbus, error_invalid_input)
{
	g_autoptr (GDBusConnection) conn = mvt_dbus_connect (mvt_shared_bus_address ());
	g_autoptr (GError) error = NULL;
	g_autoptr (GError) error2 = NULL;
	g_autoptr (GError) error3 = NULL;
	/* the wrong type through the generic Call */
	g_autoptr (GVariant) reply
		= call (conn, OBJECT_PATH, IFACE, "Call",
			g_variant_new ("(ssv)", "bmi", "Compute", g_variant_new ("(s)", "heavy")),
			"(v)", &error);
	/* the right type, refused by the plugin, through its own object */
	g_autoptr (GVariant) reply2
		= call (conn, OBJECT_PATH "/plugins/bmi", "org.medverse.Health1.Plugin.bmi",
			"Compute", g_variant_new ("(dd)", 70.0, 0.0), "(ds)", &error2);
	g_autoptr (GVariant) reply3 = call (
		conn, OBJECT_PATH, IFACE, "Call",
		g_variant_new ("(ssv)", "bmi", "Compute", g_variant_new ("(dd)", 70.0, 0.0)), "(v)",
		&error3);
	g_autofree gchar *name = remote_error_name (error);
	g_autofree gchar *name2 = remote_error_name (error2);
	g_autofree gchar *name3 = remote_error_name (error3);

	cr_assert_null (reply);
	cr_assert_str_eq (name, "org.medverse.Health1.Error.InvalidInput", "%s", error->message);
	cr_assert_null (reply2);
	cr_assert_str_eq (name2, "org.medverse.Health1.Error.InvalidInput", "%s", error2->message);
	cr_assert_not_null (strstr (error2->message, "height_cm"), "%s", error2->message);
	cr_assert_null (reply3);
	cr_assert_str_eq (name3, "org.medverse.Health1.Error.InvalidInput", "%s", error3->message);
}

Test (dbus, plugin_failures)
{
	g_autoptr (GDBusConnection) conn = mvt_dbus_connect (mvt_shared_bus_address ());
	g_autoptr (GError) lie = NULL;
	g_autoptr (GError) fail = NULL;
	g_autoptr (GError) slow = NULL;
	/* methods without input go through the plugin's object: the generic Call cannot carry
	 * their empty input tuple, as D-Bus has no empty structures */
	g_autoptr (GVariant) r1
		= call (conn, OBJECT_PATH "/plugins/liar", "org.medverse.Health1.Plugin.liar",
			"Lie", NULL, "(s)", &lie);
	g_autoptr (GVariant) r2
		= call (conn, OBJECT_PATH "/plugins/liar", "org.medverse.Health1.Plugin.liar",
			"Fail", NULL, "(s)", &fail);
	g_autoptr (GVariant) r3
		= call (conn, OBJECT_PATH "/plugins/sleepy", "org.medverse.Health1.Plugin.sleepy",
			"Sleep", g_variant_new ("(u)", 3000), "(u)", &slow);
	g_autofree gchar *n1 = remote_error_name (lie);
	g_autofree gchar *n2 = remote_error_name (fail);
	g_autofree gchar *n3 = remote_error_name (slow);

	cr_assert_str_eq (n1, "org.medverse.Health1.Error.Failed", "%s", lie->message);
	cr_assert_str_eq (n2, "org.medverse.Health1.Error.Failed", "%s", fail->message);
	cr_assert_null (strstr (fail->message, "secret internals"), "leaked: %s", fail->message);
	cr_assert_str_eq (n3, "org.medverse.Health1.Error.TimedOut", "%s", slow->message);
	/* still serving */
	g_variant_unref (call_ok (conn, OBJECT_PATH, IFACE, "ListPlugins", NULL, NULL));
}

/* D-Bus has no empty structure: Call() takes any value as the input of a method without
 * arguments.  liar.Lie then runs and fails on its own (wrong output type), which shows the
 * input was accepted rather than refused as InvalidInput. */
Test (dbus, generic_call_of_a_method_without_arguments)
{
	g_autoptr (GDBusConnection) conn = mvt_dbus_connect (mvt_shared_bus_address ());
	g_autoptr (GError) error = NULL;
	g_autoptr (GVariant) reply
		= call (conn, OBJECT_PATH, IFACE, "Call",
			g_variant_new ("(ssv)", "liar", "Lie", g_variant_new ("a{sv}", NULL)),
			"(v)", &error);
	g_autofree gchar *name = remote_error_name (error);

	cr_assert_null (reply);
	cr_assert_str_eq (name, "org.medverse.Health1.Error.Failed", "%s", error->message);
}

static void
assert_args_equal (GDBusArgInfo **want, GDBusArgInfo **got, const gchar *what)
{
	guint i = 0;
	for (; want != NULL && want[i] != NULL; i++) {
		cr_assert (got != NULL && got[i] != NULL, "%s: argument %s missing", what,
			   want[i]->name);
		cr_assert_str_eq (got[i]->name, want[i]->name, "%s: argument %u", what, i);
		cr_assert_str_eq (got[i]->signature, want[i]->signature, "%s: argument %s", what,
				  want[i]->name);
	}
	cr_assert (got == NULL || got[i] == NULL, "%s: extra argument %s exported", what,
		   got != NULL && got[i] != NULL ? got[i]->name : "");
}

static guint
count (gpointer *array)
{
	guint n = 0;
	while (array != NULL && array[n] != NULL)
		n++;
	return n;
}

/* the interfaces of @node, by name */
static GHashTable *
interfaces_of (GDBusNodeInfo *node)
{
	GHashTable *table = g_hash_table_new (g_str_hash, g_str_equal);
	for (guint i = 0; node->interfaces != NULL && node->interfaces[i] != NULL; i++)
		g_hash_table_insert (table, node->interfaces[i]->name, node->interfaces[i]);
	return table;
}

/* @got (the daemon's) declares exactly what @want (the schema's) declares: the same methods
 * with the same arguments, properties and signals, none more, none fewer */
static void
assert_interface_equal (GDBusInterfaceInfo *want, GDBusInterfaceInfo *got)
{
	cr_assert_eq (count ((gpointer *)got->methods), count ((gpointer *)want->methods),
		      "%s: number of methods", want->name);
	for (guint i = 0; want->methods != NULL && want->methods[i] != NULL; i++) {
		GDBusMethodInfo *wm = want->methods[i];
		GDBusMethodInfo *gm = g_dbus_interface_info_lookup_method (got, wm->name);
		g_autofree gchar *in = g_strdup_printf ("%s.%s in", want->name, wm->name);
		g_autofree gchar *out = g_strdup_printf ("%s.%s out", want->name, wm->name);
		cr_assert_not_null (gm, "method %s.%s not exported", want->name, wm->name);
		assert_args_equal (wm->in_args, gm->in_args, in);
		assert_args_equal (wm->out_args, gm->out_args, out);
	}
	cr_assert_eq (count ((gpointer *)got->properties), count ((gpointer *)want->properties),
		      "%s: number of properties", want->name);
	for (guint i = 0; want->properties != NULL && want->properties[i] != NULL; i++) {
		GDBusPropertyInfo *wp = want->properties[i];
		GDBusPropertyInfo *gp = g_dbus_interface_info_lookup_property (got, wp->name);
		cr_assert_not_null (gp, "property %s.%s not exported", want->name, wp->name);
		cr_assert_str_eq (gp->signature, wp->signature, "property %s", wp->name);
		cr_assert_eq (gp->flags, wp->flags, "property %s access", wp->name);
	}
	cr_assert_eq (count ((gpointer *)got->signals), count ((gpointer *)want->signals),
		      "%s: number of signals", want->name);
	for (guint i = 0; want->signals != NULL && want->signals[i] != NULL; i++) {
		GDBusSignalInfo *ws = want->signals[i];
		GDBusSignalInfo *gs = g_dbus_interface_info_lookup_signal (got, ws->name);
		cr_assert_not_null (gs, "signal %s.%s not exported", want->name, ws->name);
		assert_args_equal (ws->args, gs->args, ws->name);
	}
}

/* The introspection is generated from the same XML (a GResource), so it cannot tell whether
 * the daemon handles what it declares: each method is called with empty arguments of the
 * declared types (mv_value_new_empty), and the answer must come from its handler (an answer, or an
 * error about the arguments), not from the "no method" fallback of the dispatch tables. */
static void
assert_dispatched (GDBusConnection *conn, GDBusInterfaceInfo *iface, GDBusMethodInfo *method)
{
	g_autoptr (GVariantType) in_type = NULL;
	g_autoptr (GString) signature = g_string_new ("(");
	g_autoptr (GError) error = NULL;
	g_autoptr (GVariant) reply = NULL;
	g_autofree gchar *fallback = g_strdup_printf ("no method %s", method->name);
	g_autofree gchar *name = NULL;

	for (guint i = 0; method->in_args != NULL && method->in_args[i] != NULL; i++)
		g_string_append (signature, method->in_args[i]->signature);
	g_string_append_c (signature, ')');
	in_type = g_variant_type_new (signature->str);
	reply = call (conn, OBJECT_PATH, iface->name, method->name, mv_value_new_empty (in_type),
		      NULL, &error);
	if (reply != NULL)
		return;
	name = g_dbus_error_get_remote_error (error);
	g_dbus_error_strip_remote_error (error);
	cr_assert_str_neq (name != NULL ? name : "", "org.freedesktop.DBus.Error.UnknownMethod",
			   "%s.%s: %s", iface->name, method->name, error->message);
	cr_assert_str_neq (error->message, fallback, "%s.%s is declared and has no handler",
			   iface->name, method->name);
}

/* Every interface of every schemas/dbus/NAME.xml is exported on the daemon's object exactly as
 * declared, every interface the daemon exports there (the standard org.freedesktop.DBus.* ones
 * apart) is in a schema, and every declared method has a handler. */
Test (dbus, introspection_matches_schema)
{
	g_autoptr (GDBusConnection) conn = mvt_dbus_connect (mvt_shared_bus_address ());
	g_autoptr (GVariant) reply
		= call_ok (conn, OBJECT_PATH, "org.freedesktop.DBus.Introspectable", "Introspect",
			   NULL, "(s)");
	const gchar *schema_dir = mvt_getenv ("MVT_DBUS_SCHEMA_DIR");
	g_autoptr (GError) error = NULL;
	g_autoptr (GDir) dir = g_dir_open (schema_dir, 0, &error);
	g_autoptr (GDBusNodeInfo) exported = NULL;
	g_autoptr (GHashTable) exported_ifaces = NULL;
	g_autoptr (GHashTable) declared = g_hash_table_new (g_str_hash, g_str_equal);
	g_autoptr (GPtrArray) schemas
		= g_ptr_array_new_with_free_func ((GDestroyNotify)g_dbus_node_info_unref);
	const gchar *file, *xml;
	GHashTableIter iter;
	gpointer key;

	cr_assert_not_null (dir, "%s", error != NULL ? error->message : "");
	g_variant_get (reply, "(&s)", &xml);
	exported = g_dbus_node_info_new_for_xml (xml, &error);
	cr_assert_not_null (exported, "exported: %s", error != NULL ? error->message : "");
	exported_ifaces = interfaces_of (exported);

	while ((file = g_dir_read_name (dir)) != NULL) {
		g_autofree gchar *path = g_build_filename (schema_dir, file, NULL);
		g_autofree gchar *text = NULL;
		GDBusNodeInfo *schema;

		/* the interface files, not the GResource manifest beside them */
		if (!g_str_has_suffix (file, ".xml") || g_str_has_suffix (file, ".gresource.xml"))
			continue;
		cr_assert (g_file_get_contents (path, &text, NULL, &error), "%s",
			   error != NULL ? error->message : "");
		schema = g_dbus_node_info_new_for_xml (text, &error);
		cr_assert_not_null (schema, "%s: %s", file, error != NULL ? error->message : "");
		g_ptr_array_add (schemas, schema);
		for (guint i = 0; schema->interfaces != NULL && schema->interfaces[i] != NULL;
		     i++) {
			GDBusInterfaceInfo *want = schema->interfaces[i];
			GDBusInterfaceInfo *got = g_hash_table_lookup (exported_ifaces, want->name);

			cr_assert_null (g_hash_table_lookup (declared, want->name),
					"%s declared twice in %s", want->name, schema_dir);
			g_hash_table_insert (declared, want->name, want);
			cr_assert_not_null (got, "%s (%s) is not exported on %s", want->name, file,
					    OBJECT_PATH);
			assert_interface_equal (want, got);
			for (guint m = 0; want->methods != NULL && want->methods[m] != NULL; m++)
				assert_dispatched (conn, want, want->methods[m]);
		}
	}
	cr_assert_not_null (g_hash_table_lookup (declared, IFACE), "no schema declares %s", IFACE);
	g_hash_table_iter_init (&iter, exported_ifaces);
	while (g_hash_table_iter_next (&iter, &key, NULL)) {
		if (g_str_has_prefix (key, "org.freedesktop.DBus."))
			continue;
		cr_assert_not_null (g_hash_table_lookup (declared, key),
				    "%s is exported on %s but declared in no schemas/dbus/ file",
				    (const gchar *)key, OBJECT_PATH);
	}
}
