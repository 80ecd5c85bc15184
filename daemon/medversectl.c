/*
 * medversectl — the operator's command line, talking to medversed over D-Bus.
 *
 *   medversectl [--bus system|session] status
 *   medversectl plugins | plugins enable NAME | plugins reload [NAME]
 *   medversectl call PLUGIN METHOD 'GVARIANT-TEXT'     e.g. call bmi Compute '(70.0, 175.0)'
 *   medversectl tenants create NAME | tenants list
 *   medversectl keys create TENANT ROLE [EXPIRES_AT [LABEL]] | keys list TENANT
 *   medversectl keys revoke TENANT KEY_ID | keys rotate-master NEW_KEY_FILE
 *   medversectl keys rotate-clinic TENANT|--all      (a shredding epoch: docs/security.md)
 *   medversectl operator-key create [LABEL]
 *       (org.medverse.Health1.Admin: root or the daemon's user only; results printed as JSON,
 *       a new key's token once)
 *   medversectl [--config FILE | --data-dir DIR] audit verify [--clinic ID] [--witness FILE…]
 *                                                [--public-key HEX]
 *       [--witness FILE…]
 *       (reads the witness files and the database directly, no D-Bus: see
 *       daemon/audit/mv-audit-cli.h)
 */
#define G_LOG_DOMAIN "medversectl"

#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <medverse/mv-value.h>
#include <locale.h>
#include <medverse/mv-error.h>

#include "audit/mv-audit-cli.h"

#define MV_DBUS_NAME "org.medverse.Health1"
#define MV_DBUS_PATH "/org/medverse/Health1"
#define MV_DBUS_IFACE "org.medverse.Health1"

static GVariant *
call (GDBusConnection *bus,
      const gchar *method,
      GVariant *params,
      const gchar *reply_type,
      GError **error)
{
	return g_dbus_connection_call_sync (bus, MV_DBUS_NAME, MV_DBUS_PATH, MV_DBUS_IFACE, method,
					    params, G_VARIANT_TYPE (reply_type),
					    G_DBUS_CALL_FLAGS_NONE, 60000, NULL, error);
}

static gboolean
cmd_status (GDBusConnection *bus, gchar **args, GError **error)
{
	g_autoptr (GVariant) reply = g_dbus_connection_call_sync (
		bus, MV_DBUS_NAME, MV_DBUS_PATH, "org.freedesktop.DBus.Properties", "Get",
		g_variant_new ("(ss)", MV_DBUS_IFACE, "Version"), G_VARIANT_TYPE ("(v)"),
		G_DBUS_CALL_FLAGS_NONE, 10000, NULL, error);
	g_autoptr (GVariant) version = NULL;

	if (reply == NULL)
		return FALSE;
	g_variant_get (reply, "(v)", &version);
	g_print ("medversed %s is running\n", g_variant_get_string (version, NULL));
	return TRUE;
}

/* @name's isolation and state in PluginStates' reply @states (left as they are if absent) */
static void
plugin_state (GVariant *states, const gchar *name, const gchar **isolation, const gchar **state)
{
	g_autoptr (GVariantIter) iter = NULL;
	const gchar *n, *i, *s;

	g_variant_get (states, "(a(sss))", &iter);
	while (g_variant_iter_next (iter, "(&s&s&s)", &n, &i, &s)) {
		if (g_strcmp0 (n, name) == 0) {
			*isolation = i;
			*state = s;
		}
	}
}

/* `plugins reload [NAME]`: one line per plugin; fails (exit status 1) when a plugin kept its old
 * version, so a deployment script notices. */
static gboolean
reload_plugins (GDBusConnection *bus, const gchar *name, GError **error)
{
	g_autoptr (GVariant) reply
		= call (bus, "ReloadPlugins", g_variant_new ("(s)", name), "(a(sssss))", error);
	g_autoptr (GVariantIter) results = NULL;
	const gchar *plugin, *outcome, *old_version, *new_version, *reason;
	guint kept = 0;

	if (reply == NULL)
		return FALSE;
	g_variant_get (reply, "(a(sssss))", &results);
	while (g_variant_iter_next (results, "(&s&s&s&s&s)", &plugin, &outcome, &old_version,
				    &new_version, &reason)) {
		if (g_strcmp0 (outcome, "reloaded") == 0) {
			g_print ("%s: reloaded %s -> %s\n", plugin, old_version, new_version);
		} else if (g_strcmp0 (outcome, "unchanged") == 0) {
			g_print ("%s: unchanged %s\n", plugin, old_version);
		} else {
			g_print ("%s: kept-old %s: %s\n", plugin, old_version, reason);
			kept++;
		}
	}
	if (kept > 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "%u plugin(s) kept their old version (the daemon's log says why too)",
			     kept);
		return FALSE;
	}
	return TRUE;
}

static gboolean
cmd_plugins (GDBusConnection *bus, gchar **args, GError **error)
{
	g_autoptr (GVariant) reply = NULL;
	g_autoptr (GVariant) states = NULL;
	g_autoptr (GVariantIter) plugins = NULL;
	const gchar *name, *version, *description;
	GVariantIter *methods;
	guint n = g_strv_length (args);

	if (n == 2 && g_strcmp0 (args[0], "enable") == 0) {
		const gchar *isolation = "?", *state = "?";
		g_autoptr (GVariant) done = NULL;

		/* said apart, so an operator does not believe a plugin was down when it was not */
		states = call (bus, "PluginStates", NULL, "(a(sss))", error);
		if (states == NULL)
			return FALSE;
		plugin_state (states, args[1], &isolation, &state);
		done = call (bus, "EnablePlugin", g_variant_new ("(s)", args[1]), "()", error);
		if (done == NULL)
			return FALSE;
		if (g_strcmp0 (state, "disabled") == 0)
			g_print ("plugin %s enabled\n", args[1]);
		else
			g_print ("plugin %s was not disabled (state: %s); nothing to enable\n",
				 args[1], state);
		return TRUE;
	}
	if ((n == 1 || n == 2) && g_strcmp0 (args[0], "reload") == 0)
		return reload_plugins (bus, n == 2 ? args[1] : "", error);
	if (n != 0) {
		g_set_error_literal (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
				     "usage: medversectl plugins [enable NAME | reload [NAME]]");
		return FALSE;
	}
	reply = call (bus, "ListPlugins", NULL, "(a(sssa(ssss)))", error);
	if (reply == NULL)
		return FALSE;
	states = call (bus, "PluginStates", NULL, "(a(sss))", error);
	if (states == NULL)
		return FALSE;
	g_variant_get (reply, "(a(sssa(ssss)))", &plugins);
	while (g_variant_iter_next (plugins, "(&s&s&sa(ssss))", &name, &version, &description,
				    &methods)) {
		const gchar *m, *m_desc, *in, *out;
		const gchar *isolation = "?", *state = "?";

		/* both lists are sorted by name and come from the same engine */
		plugin_state (states, name, &isolation, &state);
		g_print ("%s %s — %s\n    isolation: %s, state: %s\n", name, version, description,
			 isolation, state);
		while (g_variant_iter_next (methods, "(&s&s&s&s)", &m, &m_desc, &in, &out))
			g_print ("    %s %s -> %s  %s\n", m, in, out, m_desc);
		g_variant_iter_free (methods);
	}
	return TRUE;
}

static gboolean
cmd_call (GDBusConnection *bus, gchar **args, GError **error)
{
	g_autoptr (GVariant) input = NULL;
	g_autoptr (GVariant) reply = NULL;
	g_autoptr (GVariant) output = NULL;
	g_autofree gchar *text = NULL;

	if (g_strv_length (args) != 3) {
		g_set_error_literal (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
				     "usage: medversectl call PLUGIN METHOD 'GVARIANT-TEXT'");
		return FALSE;
	}
	input = g_variant_parse (NULL, args[2], NULL, NULL, error);
	if (input == NULL) {
		g_prefix_error (error, "input: ");
		return FALSE;
	}
	/* D-Bus cannot carry "()"; the daemon takes any value for a method without arguments */
	if (g_variant_is_of_type (input, G_VARIANT_TYPE_UNIT)) {
		g_variant_unref (input);
		input = g_variant_ref_sink (g_variant_new_byte (0));
	}
	reply = call (bus, "Call", g_variant_new ("(ssv)", args[0], args[1], input), "(v)", error);
	if (reply == NULL)
		return FALSE;
	g_variant_get (reply, "(v)", &output);
	text = g_variant_print (output, TRUE);
	g_print ("%s\n", text);
	return TRUE;
}

/* org.medverse.Health1.Admin answers a record (a{sv}), a list (aa{sv}) or nothing, printed as
 * the JSON document the HTTP admin route gives: a list under @list_member ("tenants"). */
static void
print_admin_result (GVariant *value, const gchar *list_member)
{
	g_autoptr (JsonNode) node = mv_value_to_json (value);
	g_autoptr (JsonNode) wrapped = NULL;
	g_autofree gchar *pretty = NULL;

	if (list_member != NULL) {
		JsonObject *object = json_object_new ();
		json_object_set_member (object, list_member, g_steal_pointer (&node));
		wrapped = json_node_init_object (json_node_alloc (), object);
		json_object_unref (object);
	}
	pretty = json_to_string (wrapped != NULL ? wrapped : node, TRUE);
	g_print ("%s\n", pretty);
}

static gboolean
admin_call (GDBusConnection *bus,
	    const gchar *method,
	    GVariant *params,
	    const gchar *reply_type,
	    const gchar *list_member,
	    GError **error)
{
	/* A key rotation takes one row per clinic or per patient of a clinic, however many there
	 * are; a client timeout would report failure while the daemon goes on and commits. */
	gint timeout_ms = g_str_has_prefix (method, "Rotate") ? G_MAXINT : 120000;
	g_autoptr (GVariant) reply = g_dbus_connection_call_sync (
		bus, MV_DBUS_NAME, MV_DBUS_PATH, MV_DBUS_IFACE ".Admin", method, params,
		G_VARIANT_TYPE (reply_type), G_DBUS_CALL_FLAGS_NONE, timeout_ms, NULL, error);
	g_autoptr (GVariant) value = NULL;

	if (reply == NULL)
		return FALSE;
	if (g_variant_n_children (reply) == 0) {
		g_print ("ok\n");
		return TRUE;
	}
	value = g_variant_get_child_value (reply, 0);
	print_admin_result (value, list_member);
	return TRUE;
}

static gboolean
usage (const gchar *text, GError **error)
{
	g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT, "usage: medversectl %s", text);
	return FALSE;
}

static gboolean
cmd_tenants (GDBusConnection *bus, gchar **args, GError **error)
{
	guint n = g_strv_length (args);
	if (n == 2 && g_strcmp0 (args[0], "create") == 0)
		return admin_call (bus, "CreateTenant", g_variant_new ("(s)", args[1]), "(a{sv})",
				   NULL, error);
	if (n == 1 && g_strcmp0 (args[0], "list") == 0)
		return admin_call (bus, "ListTenants", NULL, "(aa{sv})", "tenants", error);
	return usage ("tenants create NAME | tenants list", error);
}

/* Every tenant's id, from ListTenants. */
static GPtrArray *
list_tenant_ids (GDBusConnection *bus, GError **error)
{
	g_autoptr (GVariant) reply = g_dbus_connection_call_sync (
		bus, MV_DBUS_NAME, MV_DBUS_PATH, MV_DBUS_IFACE ".Admin", "ListTenants", NULL,
		G_VARIANT_TYPE ("(aa{sv})"), G_DBUS_CALL_FLAGS_NONE, 120000, NULL, error);
	g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
	g_autoptr (GVariantIter) tenants = NULL;
	GVariant *tenant;

	if (reply == NULL)
		return NULL;
	g_variant_get (reply, "(aa{sv})", &tenants);
	while (g_variant_iter_next (tenants, "@a{sv}", &tenant)) {
		const gchar *id = NULL;
		if (g_variant_lookup (tenant, "id", "&s", &id))
			g_ptr_array_add (ids, g_strdup (id));
		g_variant_unref (tenant);
	}
	return g_steal_pointer (&ids);
}

/* `keys rotate-clinic --all`: one transaction per clinic, so a clinic whose rotation fails
 * (reported, exit status 1) does not hold the others back or keep them locked. */
static gboolean
rotate_all_clinics (GDBusConnection *bus, GError **error)
{
	g_autoptr (GPtrArray) ids = list_tenant_ids (bus, error);
	guint failed = 0;

	if (ids == NULL)
		return FALSE;
	for (guint i = 0; i < ids->len; i++) {
		g_autoptr (GError) e = NULL;
		if (admin_call (bus, "RotateClinicKey", g_variant_new ("(s)", ids->pdata[i]),
				"(a{sv})", NULL, &e))
			continue;
		g_dbus_error_strip_remote_error (e);
		g_printerr ("medversectl: tenant %s: %s\n", (gchar *)ids->pdata[i], e->message);
		failed++;
	}
	if (failed > 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "%u of %u tenant key(s) not rotated",
			     failed, ids->len);
		return FALSE;
	}
	return TRUE;
}

static gboolean
cmd_keys (GDBusConnection *bus, gchar **args, GError **error)
{
	guint n = g_strv_length (args);
	const gchar *sub = n > 0 ? args[0] : "";

	if (g_strcmp0 (sub, "create") == 0 && n >= 3 && n <= 5)
		return admin_call (bus, "CreateKey",
				   g_variant_new ("(ssss)", args[1], args[2], n > 3 ? args[3] : "",
						  n > 4 ? args[4] : ""),
				   "(a{sv})", NULL, error);
	if (g_strcmp0 (sub, "list") == 0 && n == 2)
		return admin_call (bus, "ListKeys", g_variant_new ("(s)", args[1]), "(aa{sv})",
				   "keys", error);
	if (g_strcmp0 (sub, "revoke") == 0 && n == 3)
		return admin_call (bus, "RevokeKey", g_variant_new ("(ss)", args[1], args[2]), "()",
				   NULL, error);
	if (g_strcmp0 (sub, "rotate-master") == 0 && n == 2) {
		/* the daemon opens the file itself: give it an absolute path */
		g_autofree gchar *path = g_canonicalize_filename (args[1], NULL);
		return admin_call (bus, "RotateMasterKey", g_variant_new ("(s)", path), "(a{sv})",
				   NULL, error);
	}
	if (g_strcmp0 (sub, "rotate-clinic") == 0 && n == 2 && g_strcmp0 (args[1], "--all") == 0)
		return rotate_all_clinics (bus, error);
	if (g_strcmp0 (sub, "rotate-clinic") == 0 && n == 2)
		return admin_call (bus, "RotateClinicKey", g_variant_new ("(s)", args[1]),
				   "(a{sv})", NULL, error);
	return usage ("keys create TENANT ROLE [EXPIRES_AT [LABEL]] | keys list TENANT | "
		      "keys revoke TENANT KEY_ID | keys rotate-master NEW_KEY_FILE | "
		      "keys rotate-clinic TENANT|--all",
		      error);
}

static gboolean
cmd_operator_key (GDBusConnection *bus, gchar **args, GError **error)
{
	guint n = g_strv_length (args);
	if (n >= 1 && n <= 2 && g_strcmp0 (args[0], "create") == 0)
		return admin_call (bus, "CreateOperatorKey",
				   g_variant_new ("(s)", n > 1 ? args[1] : ""), "(a{sv})", NULL,
				   error);
	return usage ("operator-key create [LABEL]", error);
}

static const struct {
	const gchar *name;
	gboolean (*run) (GDBusConnection *bus, gchar **args, GError **error);
	const gchar *help;
} commands[] = {
	{ "status", cmd_status, "show whether the daemon runs, and its version" },
	{ "plugins", cmd_plugins,
	  "list the loaded plugins and their methods | enable NAME: a plugin disabled after "
	  "crashing too often serves again | reload [NAME]: switch to the .so now on disk, "
	  "keeping the old version when the new one is refused" },
	{ "call", cmd_call, "call PLUGIN METHOD 'GVARIANT-TEXT'" },
	{ "tenants", cmd_tenants, "create NAME | list" },
	{ "keys", cmd_keys,
	  "create TENANT ROLE [EXPIRES_AT [LABEL]] | list TENANT | revoke TENANT KEY_ID | "
	  "rotate-master NEW_KEY_FILE | rotate-clinic TENANT|--all" },
	{ "operator-key", cmd_operator_key, "create [LABEL]: a new operator key, shown once" },
};

int
main (int argc, char **argv)
{
	g_autofree gchar *bus_name = NULL;
	g_autofree gchar *config_path = NULL;
	g_autofree gchar *data_dir = NULL;
	gchar **audit_argv = NULL;
	int audit_argc = 0;
	g_autoptr (GError) error = NULL;
	g_autoptr (GOptionContext) context = NULL;
	g_autoptr (GDBusConnection) bus = NULL;
	g_autoptr (GString) summary = g_string_new ("Commands:\n");
	const GOptionEntry entries[] = {
		{ "bus", 0, 0, G_OPTION_ARG_STRING, &bus_name, "system (default) or session",
		  "BUS" },
		{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path,
		  "Daemon configuration file (for commands reading the database)", "FILE" },
		{ "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &data_dir,
		  "Daemon data directory (for commands reading the database)", "DIR" },
		{ NULL },
	};

	setlocale (LC_ALL, "");
	for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
		g_string_append_printf (summary, "  %-12s %s\n", commands[i].name,
					commands[i].help);
	g_string_append_printf (
		summary, "  %-10s %s\n", "audit",
		"verify [--clinic ID] [--witness FILE…] [--public-key HEX]: check the audit "
		"log in the database against the witness");
	context = g_option_context_new ("COMMAND [ARGS…] - administer medversed");
	g_option_context_set_summary (context, summary->str);
	g_option_context_add_main_entries (context, entries, NULL);
	/* options after the command are the command's own (`keys rotate-clinic --all`) */
	g_option_context_set_strict_posix (context, TRUE);
	/* `audit …` takes options of its own: only what precedes it is parsed here */
	for (int i = 1; i < argc; i++) {
		if (g_strv_contains ((const gchar *const[]){ "--bus", "--config", "-c",
							     "--data-dir", "-d", NULL },
				     argv[i])) {
			i++;
			continue;
		}
		if (argv[i][0] == '-')
			continue;
		if (g_strcmp0 (argv[i], "audit") == 0) {
			audit_argc = argc - i - 1;
			audit_argv = argv + i + 1;
			argc = i + 1;
		}
		break;
	}
	if (!g_option_context_parse (context, &argc, &argv, &error) || argc < 2) {
		g_printerr ("medversectl: %s\n",
			    error != NULL ? error->message : "no command; see --help");
		return 2;
	}
	/* reads the database directly: works whether the daemon runs or not */
	if (audit_argv != NULL)
		return mv_audit_cli_run (config_path, data_dir, audit_argc, audit_argv);
	bus = g_bus_get_sync (g_strcmp0 (bus_name, "session") == 0 ? G_BUS_TYPE_SESSION
								   : G_BUS_TYPE_SYSTEM,
			      NULL, &error);
	if (bus == NULL) {
		g_printerr ("medversectl: cannot reach the bus: %s\n", error->message);
		return 1;
	}
	for (guint i = 0; i < G_N_ELEMENTS (commands); i++) {
		if (g_strcmp0 (commands[i].name, argv[1]) != 0)
			continue;
		if (!commands[i].run (bus, argv + 2, &error)) {
			g_dbus_error_strip_remote_error (error);
			g_printerr ("medversectl: %s\n", error->message);
			return 1;
		}
		return 0;
	}
	g_printerr ("medversectl: unknown command '%s'; see --help\n", argv[1]);
	return 2;
}
