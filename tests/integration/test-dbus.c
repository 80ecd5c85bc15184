/*
 * The D-Bus service against the real daemon on a private bus: the listing, the generic Call and
 * the per-plugin objects give what HTTP gives; error names; the exported interface matches
 * schemas/dbus/org.medverse.Health1.xml.
 */
#include <criterion/criterion.h>
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

Test (dbus, introspection_matches_schema)
{
	g_autoptr (GDBusConnection) conn = mvt_dbus_connect (mvt_shared_bus_address ());
	g_autoptr (GVariant) reply
		= call_ok (conn, OBJECT_PATH, "org.freedesktop.DBus.Introspectable", "Introspect",
			   NULL, "(s)");
	g_autofree gchar *schema_xml = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (GDBusNodeInfo) exported = NULL;
	g_autoptr (GDBusNodeInfo) schema = NULL;
	GDBusInterfaceInfo *want, *got;
	const gchar *xml;

	cr_assert (g_file_get_contents (mvt_getenv ("MVT_DBUS_XML"), &schema_xml, NULL, &error),
		   "%s", error != NULL ? error->message : "");
	schema = g_dbus_node_info_new_for_xml (schema_xml, &error);
	cr_assert_not_null (schema, "schema: %s", error->message);
	g_variant_get (reply, "(&s)", &xml);
	exported = g_dbus_node_info_new_for_xml (xml, &error);
	cr_assert_not_null (exported, "exported: %s", error->message);

	want = g_dbus_node_info_lookup_interface (schema, IFACE);
	got = g_dbus_node_info_lookup_interface (exported, IFACE);
	cr_assert_not_null (want, "the schema has no %s interface", IFACE);
	cr_assert_not_null (got, "the daemon exports no %s interface", IFACE);

	cr_assert_eq (count ((gpointer *)got->methods), count ((gpointer *)want->methods),
		      "number of methods");
	for (guint i = 0; want->methods != NULL && want->methods[i] != NULL; i++) {
		GDBusMethodInfo *wm = want->methods[i];
		GDBusMethodInfo *gm = g_dbus_interface_info_lookup_method (got, wm->name);
		g_autofree gchar *in = g_strdup_printf ("%s in", wm->name);
		g_autofree gchar *out = g_strdup_printf ("%s out", wm->name);
		cr_assert_not_null (gm, "method %s not exported", wm->name);
		assert_args_equal (wm->in_args, gm->in_args, in);
		assert_args_equal (wm->out_args, gm->out_args, out);
	}
	cr_assert_eq (count ((gpointer *)got->properties), count ((gpointer *)want->properties),
		      "number of properties");
	for (guint i = 0; want->properties != NULL && want->properties[i] != NULL; i++) {
		GDBusPropertyInfo *wp = want->properties[i];
		GDBusPropertyInfo *gp = g_dbus_interface_info_lookup_property (got, wp->name);
		cr_assert_not_null (gp, "property %s not exported", wp->name);
		cr_assert_str_eq (gp->signature, wp->signature, "property %s", wp->name);
		cr_assert_eq (gp->flags, wp->flags, "property %s access", wp->name);
	}
	cr_assert_eq (count ((gpointer *)got->signals), count ((gpointer *)want->signals),
		      "number of signals");
	for (guint i = 0; want->signals != NULL && want->signals[i] != NULL; i++) {
		GDBusSignalInfo *ws = want->signals[i];
		GDBusSignalInfo *gs = g_dbus_interface_info_lookup_signal (got, ws->name);
		cr_assert_not_null (gs, "signal %s not exported", ws->name);
		assert_args_equal (ws->args, gs->args, ws->name);
	}
}
