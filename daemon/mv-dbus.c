#define G_LOG_DOMAIN "medverse-dbus"

#include "config.h"

#include <medverse/medverse-plugin.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "mv-dbus.h"
#include "mv-error-table.h"
#include "mv-locale.h"
#include "mv-log-escape.h"
#include "mv-request-id.h"

#define MV_DBUS_NAME "org.medverse.Health1"
#define MV_DBUS_PATH "/org/medverse/Health1"
#define MV_DBUS_IFACE "org.medverse.Health1"
#define MV_DBUS_XML_RESOURCE "/org/medverse/Health1/org.medverse.Health1.xml"

struct _MvDbus {
	MvEngine *engine;
	GDBusConnection *connection;
	GArray *registrations;	    /* of guint */
	GHashTable *plugin_by_path; /* object path -> plugin name */
	GPtrArray *extra_ifaces;    /* of ExtraInterface: more interfaces of the fixed object */
	guint64 max_input_bytes;
	guint64 max_output_bytes;
};

typedef struct {
	gchar *name;
	const GDBusInterfaceVTable *vtable;
	gpointer user_data;
} ExtraInterface;

static void
extra_interface_free (ExtraInterface *extra)
{
	g_free (extra->name);
	g_free (extra);
}

void
mv_dbus_add_interface (MvDbus *self,
		       const gchar *name,
		       const GDBusInterfaceVTable *vtable,
		       gpointer user_data)
{
	ExtraInterface *extra = g_new0 (ExtraInterface, 1);
	extra->name = g_strdup (name);
	extra->vtable = vtable;
	extra->user_data = user_data;
	g_ptr_array_add (self->extra_ifaces, extra);
}

void
mv_dbus_register_errors (void)
{
	static gsize quark = 0;
	static GDBusErrorEntry entries[MV_ERROR_LAST];
	guint n_rows;
	const MvErrorRow *rows = mv_error_table_rows (&n_rows);

	/* the names come from the one error table; registration is idempotent */
	for (guint i = 0; i < n_rows; i++) {
		entries[i].error_code = rows[i].code;
		entries[i].dbus_error_name = rows[i].dbus_name;
	}
	g_dbus_error_register_error_domain ("mv-error-quark", &quark, entries, n_rows);
	/* the domain string above must be the one G_DEFINE_QUARK registered */
	g_assert ((GQuark)quark == MV_ERROR);
}

/* A D-Bus error is a name and one string: the problem list an HTTP client reads in
 * error.details is written into the message, every problem (not only the first ones the
 * message names) with its code: "/value (out-of-range): must be at most 100000; …". */
static gchar *
problems_message (const GError *error, MvLanguage language)
{
	g_autoptr (GString) out = g_string_new (NULL);
	guint n = mv_error_get_n_problems (error);

	for (guint i = 0; i < n; i++) {
		const MvErrorProblem *p = mv_error_get_problem (error, i);
		if (i > 0)
			g_string_append (out, language == MV_LANGUAGE_ZH ? "；" : "; ");
		g_string_append_printf (out, "%s (%s): %s", p->field[0] != '\0' ? p->field : "/",
					p->code, mv_error_table_problem_message (p, language));
	}
	return g_string_free (g_steal_pointer (&out), FALSE);
}

/* D-Bus has no Accept-Language: a message is English unless the call named its locale
 * (CallWithLocale, the Patient methods). */
void
mv_dbus_return_error_in (GDBusMethodInvocation *invocation,
			 const gchar *request_id,
			 const GError *error,
			 MvLanguage language)
{
	const MvErrorRow *row = mv_error_table_lookup (error);
	g_autofree gchar *message
		= !row->internal && error->domain == MV_ERROR && mv_error_get_n_problems (error) > 0
			  ? problems_message (error, language)
			  : mv_error_table_client_message (error, request_id, language);

	g_dbus_method_invocation_return_error_literal (invocation, MV_ERROR, row->code, message);
}

void
mv_dbus_return_error (GDBusMethodInvocation *invocation,
		      const gchar *request_id,
		      const GError *error)
{
	mv_dbus_return_error_in (invocation, request_id, error, MV_LANGUAGE_EN);
}

typedef struct {
	MvDbusCallerFunc func;
	gpointer user_data;
} CallerLookup;

static void
caller_found (GObject *source, GAsyncResult *result, gpointer user_data)
{
	CallerLookup lookup = *(CallerLookup *)user_data;
	g_autoptr (GError) error = NULL;
	g_autoptr (GVariant) reply
		= g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
	guint32 uid = 0;

	g_free (user_data);
	if (reply == NULL) {
		g_autoptr (GError) refused = mv_error_new_bilingual (
			MV_ERROR_FORBIDDEN, "cannot establish who is calling",
			"无法确定调用者的身份");
		lookup.func (0, refused, lookup.user_data);
		return;
	}
	g_variant_get (reply, "(u)", &uid);
	lookup.func (uid, NULL, lookup.user_data);
}

void
mv_dbus_lookup_caller (GDBusMethodInvocation *invocation, MvDbusCallerFunc func, gpointer user_data)
{
	CallerLookup *lookup = g_new0 (CallerLookup, 1);

	lookup->func = func;
	lookup->user_data = user_data;
	g_dbus_connection_call (
		g_dbus_method_invocation_get_connection (invocation), "org.freedesktop.DBus",
		"/org/freedesktop/DBus", "org.freedesktop.DBus", "GetConnectionUnixUser",
		g_variant_new ("(s)", g_dbus_method_invocation_get_sender (invocation)),
		G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, caller_found, lookup);
}

gboolean
mv_dbus_uid_is_admin (guint32 uid)
{
	struct passwd pw, *found = NULL;
	struct group gr, *admin = NULL;
	gchar pw_buf[4096], gr_buf[16384];
	gid_t groups[256];
	int n_groups = G_N_ELEMENTS (groups);

	if (uid == 0 || uid == getuid ())
		return TRUE;
	if (getgrnam_r (MV_DBUS_ADMIN_GROUP, &gr, gr_buf, sizeof gr_buf, &admin) != 0
	    || admin == NULL)
		return FALSE;
	if (getpwuid_r (uid, &pw, pw_buf, sizeof pw_buf, &found) != 0 || found == NULL)
		return FALSE;
	/* a user in more groups than fit here is refused, not let in on a partial list */
	if (getgrouplist (pw.pw_name, pw.pw_gid, groups, &n_groups) < 0)
		return FALSE;
	for (int i = 0; i < n_groups; i++)
		if (groups[i] == admin->gr_gid)
			return TRUE;
	return FALSE;
}

typedef struct {
	GDBusMethodInvocation *invocation;
	gchar *request_id;
	gboolean wrap_in_variant; /* Call() returns (v), plugin objects the tuple itself */
	guint64 max_output_bytes;
	MvLanguage language; /* of an error answer: the call's locale */
} PendingCall;

static void
call_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
	PendingCall *pending = user_data;
	g_autoptr (GError) error = NULL;
	g_autoptr (GVariant) output = mv_engine_call_finish (MV_ENGINE (source), result, &error);

	if (output != NULL && g_variant_get_size (output) > pending->max_output_bytes) {
		g_set_error (&error, MV_ERROR, MV_ERROR_RESPONSE_TOO_LARGE,
			     "the answer of %" G_GSIZE_FORMAT
			     " bytes is over the response limit of "
			     "%" G_GUINT64_FORMAT " bytes ([http] max-response-bytes)",
			     g_variant_get_size (output), pending->max_output_bytes);
		g_clear_pointer (&output, g_variant_unref);
	}
	/* the invocation is gone once answered: log first */
	g_message ("dbus: %s %s %s", pending->request_id,
		   g_dbus_method_invocation_get_method_name (pending->invocation),
		   output != NULL ? "ok" : mv_error_to_string (error->code));
	if (output == NULL)
		mv_dbus_return_error_in (pending->invocation, pending->request_id, error,
					 pending->language);
	else if (pending->wrap_in_variant && g_variant_n_children (output) == 0)
		g_dbus_method_invocation_return_value (
			pending->invocation, g_variant_new ("(v)", g_variant_new ("a{sv}", NULL)));
	else if (pending->wrap_in_variant)
		g_dbus_method_invocation_return_value (pending->invocation,
						       g_variant_new ("(v)", output));
	else
		g_dbus_method_invocation_return_value (pending->invocation, output);
	g_free (pending->request_id);
	g_free (pending);
}

static void
start_call (MvDbus *self,
	    GDBusMethodInvocation *invocation,
	    const gchar *plugin,
	    const gchar *method,
	    GVariant *input,
	    const gchar *locale,
	    gboolean wrap_in_variant)
{
	PendingCall *pending;
	MvCaller caller = { 0 };

	/* the bus allows messages of many megabytes; plugins get what HTTP would give them */
	if (g_variant_get_size (input) > self->max_input_bytes) {
		g_dbus_method_invocation_return_error (
			invocation, MV_ERROR, MV_ERROR_TOO_LARGE,
			"input of %" G_GSIZE_FORMAT " bytes is over the limit of %" G_GUINT64_FORMAT
			" bytes",
			g_variant_get_size (input), self->max_input_bytes);
		g_variant_unref (input);
		return;
	}
	pending = g_new0 (PendingCall, 1);
	pending->invocation = invocation;
	pending->request_id = mv_request_id_new ();
	pending->wrap_in_variant = wrap_in_variant;
	pending->max_output_bytes = self->max_output_bytes;
	pending->language = mv_locale_language (locale);
	/* the bus policy decides who may talk to the daemon at all: a local caller acts as the
	 * operator, for no clinic */
	caller.request_id = pending->request_id;
	caller.role = MV_ROLE_OPERATOR;
	caller.locale = locale;
	mv_engine_call_async (self->engine, plugin, method, input, &caller, call_done, pending);
}

static GVariant *
args_signature (const MvArg *args)
{
	g_autoptr (GString) sig = g_string_new ("(");
	for (guint i = 0; args != NULL && args[i].name != NULL; i++)
		g_string_append (sig, args[i].type);
	g_string_append_c (sig, ')');
	return g_variant_new_string (sig->str);
}

static void
handle_plugin_states (MvDbus *self, GVariant *params, GDBusMethodInvocation *invocation)
{
	g_autoptr (GPtrArray) infos = mv_engine_get_plugins (self->engine);
	GVariantBuilder plugins;

	g_variant_builder_init (&plugins, G_VARIANT_TYPE ("a(sss)"));
	for (guint i = 0; i < infos->len; i++) {
		const MvPluginInfo *info = g_ptr_array_index (infos, i);
		gboolean isolated = FALSE, disabled = FALSE;

		(void)mv_engine_get_plugin_state (self->engine, info->name, &isolated, &disabled);
		g_variant_builder_add (&plugins, "(sss)", info->name,
				       isolated ? "process" : "in-process",
				       disabled ? "disabled" : "serving");
	}
	g_dbus_method_invocation_return_value (invocation, g_variant_new ("(a(sss))", &plugins));
}

static void
handle_list_plugins (MvDbus *self, GVariant *params, GDBusMethodInvocation *invocation)
{
	g_autoptr (GPtrArray) infos = mv_engine_get_plugins (self->engine);
	GVariantBuilder plugins;

	g_variant_builder_init (&plugins, G_VARIANT_TYPE ("a(sssa(ssss))"));
	for (guint i = 0; i < infos->len; i++) {
		const MvPluginInfo *info = g_ptr_array_index (infos, i);
		GVariantBuilder methods;
		g_variant_builder_init (&methods, G_VARIANT_TYPE ("a(ssss)"));
		for (guint j = 0; info->methods[j].name != NULL; j++) {
			const MvMethod *m = &info->methods[j];
			g_variant_builder_add (&methods, "(ss@s@s)", m->name,
					       m->description != NULL ? m->description : "",
					       args_signature (m->in_args),
					       args_signature (m->out_args));
		}
		g_variant_builder_add (&plugins, "(sssa(ssss))", info->name, info->version,
				       info->description, &methods);
	}
	g_dbus_method_invocation_return_value (invocation,
					       g_variant_new ("(a(sssa(ssss)))", &plugins));
}

static void
call_with (MvDbus *self,
	   GDBusMethodInvocation *invocation,
	   const gchar *plugin,
	   const gchar *method,
	   const gchar *locale,
	   GVariant *input)
{
	const MvMethod *decl;
	g_autoptr (GError) error = NULL;

	decl = mv_engine_find_method (self->engine, plugin, method, &error);
	if (decl == NULL) {
		g_variant_unref (input);
		mv_dbus_return_error_in (invocation, "-", error,
					 mv_locale_is_valid (locale) ? mv_locale_language (locale)
								     : MV_LANGUAGE_EN);
		return;
	}
	if (!mv_locale_is_valid (locale)) {
		g_variant_unref (input);
		g_dbus_method_invocation_return_error (
			invocation, MV_ERROR, MV_ERROR_INVALID_INPUT,
			"locale: not a BCP 47 language tag such as \"en\" or \"zh-CN\"");
		return;
	}
	/* D-Bus cannot carry an empty structure, so a method without input arguments takes any
	 * value in Call() (documented in the XML) */
	if (decl->in_args == NULL || decl->in_args[0].name == NULL) {
		g_variant_unref (input);
		input = g_variant_ref_sink (g_variant_new ("()"));
	}
	start_call (self, invocation, plugin, method, input, locale, TRUE);
}

static void
handle_call (MvDbus *self, GVariant *params, GDBusMethodInvocation *invocation)
{
	const gchar *plugin, *method;
	GVariant *input;

	g_variant_get (params, "(&s&sv)", &plugin, &method, &input);
	call_with (self, invocation, plugin, method, "en", input);
}

static void
handle_call_with_locale (MvDbus *self, GVariant *params, GDBusMethodInvocation *invocation)
{
	const gchar *plugin, *method, *locale;
	GVariant *input;

	g_variant_get (params, "(&s&s&sv)", &plugin, &method, &locale, &input);
	call_with (self, invocation, plugin, method, locale, input);
}

typedef struct {
	MvDbus *self;
	GDBusMethodInvocation *invocation;
	gchar *name;
} EnableRequest;

static void
enable_request_free (EnableRequest *req)
{
	g_object_unref (req->invocation);
	g_free (req->name);
	g_free (req);
}

/* EnablePlugin is the operator's: root or the daemon's own user, as for the Admin interface. */
static void
enable_caller_checked (guint32 uid, const GError *error, gpointer user_data)
{
	EnableRequest *req = user_data;
	g_autofree gchar *request_id = mv_request_id_new ();
	g_autoptr (GError) refused = NULL;

	if (error == NULL && !mv_dbus_uid_is_admin (uid))
		refused = mv_error_new_bilingual (
			MV_ERROR_FORBIDDEN,
			"only root, the daemon's user or the medverse-admin group may enable a "
			"plugin",
			"只有 root、守护进程的用户或 medverse-admin 组的成员可以重新启用插件");
	if (error == NULL && refused == NULL
	    && mv_engine_enable_plugin (req->self->engine, req->name, &refused)) {
		g_message ("dbus: %s EnablePlugin %s (uid %u)", request_id, req->name, uid);
		g_dbus_method_invocation_return_value (req->invocation, NULL);
	} else {
		mv_dbus_return_error (req->invocation, request_id, error != NULL ? error : refused);
	}
	enable_request_free (req);
}

static void
handle_enable_plugin (MvDbus *self, GVariant *params, GDBusMethodInvocation *invocation)
{
	EnableRequest *req = g_new0 (EnableRequest, 1);

	req->self = self;
	req->invocation = g_object_ref (invocation);
	g_variant_get (params, "(s)", &req->name);
	mv_dbus_lookup_caller (invocation, enable_caller_checked, req);
}

/* ReloadPlugins runs off the main loop: a plugin's start may take seconds. */
static void
reload_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
	EnableRequest *req = task_data;
	GError *error = NULL;
	GPtrArray *results = mv_engine_reload_plugins (
		req->self->engine, req->name[0] != '\0' ? req->name : NULL, &error);

	if (results == NULL)
		g_task_return_error (task, error);
	else
		g_task_return_pointer (task, results, (GDestroyNotify)g_ptr_array_unref);
}

static void
reload_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
	EnableRequest *req = g_task_get_task_data (G_TASK (result));
	g_autofree gchar *request_id = mv_request_id_new ();
	g_autoptr (GError) error = NULL;
	g_autoptr (GPtrArray) results = g_task_propagate_pointer (G_TASK (result), &error);
	GVariantBuilder answer;

	if (results == NULL) {
		mv_dbus_return_error (req->invocation, request_id, error);
		return;
	}
	g_variant_builder_init (&answer, G_VARIANT_TYPE ("a(sssss)"));
	for (guint i = 0; i < results->len; i++) {
		const MvPluginReload *r = g_ptr_array_index (results, i);
		g_variant_builder_add (&answer, "(sssss)", r->name,
				       mv_plugin_reload_outcome_to_string (r->outcome),
				       r->old_version, r->new_version != NULL ? r->new_version : "",
				       r->reason != NULL ? r->reason : "");
	}
	g_dbus_method_invocation_return_value (req->invocation,
					       g_variant_new ("(a(sssss))", &answer));
}

/* The same access rule as EnablePlugin. */
static void
reload_caller_checked (guint32 uid, const GError *error, gpointer user_data)
{
	EnableRequest *req = user_data;
	g_autofree gchar *request_id = mv_request_id_new ();
	g_autoptr (GError) refused = NULL;
	g_autoptr (GTask) task = NULL;

	if (error == NULL && !mv_dbus_uid_is_admin (uid))
		refused = mv_error_new_bilingual (
			MV_ERROR_FORBIDDEN,
			"only root, the daemon's user or the medverse-admin group may reload "
			"plugins",
			"只有 root、守护进程的用户或 medverse-admin 组的成员可以重新加载插件");
	if (error != NULL || refused != NULL) {
		mv_dbus_return_error (req->invocation, request_id, error != NULL ? error : refused);
		enable_request_free (req);
		return;
	}
	{
		/* the caller's text, escaped: it may name no plugin */
		g_autofree gchar *name = mv_log_escape (req->name, 128);
		g_message ("dbus: %s ReloadPlugins %s (uid %u)", request_id,
			   req->name[0] != '\0' ? name : "(all)", uid);
	}
	task = g_task_new (NULL, NULL, reload_done, NULL);
	g_task_set_task_data (task, req, (GDestroyNotify)enable_request_free);
	g_task_run_in_thread (task, reload_thread);
}

static void
handle_reload_plugins (MvDbus *self, GVariant *params, GDBusMethodInvocation *invocation)
{
	EnableRequest *req = g_new0 (EnableRequest, 1);

	req->self = self;
	req->invocation = g_object_ref (invocation);
	g_variant_get (params, "(s)", &req->name);
	mv_dbus_lookup_caller (invocation, reload_caller_checked, req);
}

/* The fixed interface dispatches through this table, as the XML declares it. */
static const struct {
	const gchar *name;
	void (*handler) (MvDbus *self, GVariant *params, GDBusMethodInvocation *invocation);
} fixed_methods[] = {
	{ "ListPlugins", handle_list_plugins },
	{ "PluginStates", handle_plugin_states },
	{ "Call", handle_call },
	{ "CallWithLocale", handle_call_with_locale },
	{ "EnablePlugin", handle_enable_plugin },
	{ "ReloadPlugins", handle_reload_plugins },
};

static void
fixed_method_call (GDBusConnection *connection,
		   const gchar *sender,
		   const gchar *object_path,
		   const gchar *interface_name,
		   const gchar *method_name,
		   GVariant *params,
		   GDBusMethodInvocation *invocation,
		   gpointer user_data)
{
	for (guint i = 0; i < G_N_ELEMENTS (fixed_methods); i++) {
		if (g_strcmp0 (fixed_methods[i].name, method_name) == 0) {
			fixed_methods[i].handler (user_data, params, invocation);
			return;
		}
	}
	g_dbus_method_invocation_return_error (invocation, MV_ERROR, MV_ERROR_NOT_FOUND,
					       "no method %s", method_name);
}

static GVariant *
fixed_get_property (GDBusConnection *connection,
		    const gchar *sender,
		    const gchar *object_path,
		    const gchar *interface_name,
		    const gchar *property_name,
		    GError **error,
		    gpointer user_data)
{
	if (g_strcmp0 (property_name, "Version") == 0)
		return g_variant_new_string (MV_VERSION);
	g_set_error (error, MV_ERROR, MV_ERROR_NOT_FOUND, "no property %s", property_name);
	return NULL;
}

static const GDBusInterfaceVTable fixed_vtable = {
	.method_call = fixed_method_call,
	.get_property = fixed_get_property,
};

static void
plugin_method_call (GDBusConnection *connection,
		    const gchar *sender,
		    const gchar *object_path,
		    const gchar *interface_name,
		    const gchar *method_name,
		    GVariant *params,
		    GDBusMethodInvocation *invocation,
		    gpointer user_data)
{
	MvDbus *self = user_data;
	const gchar *plugin = g_hash_table_lookup (self->plugin_by_path, object_path);
	start_call (self, invocation, plugin, method_name, g_variant_ref (params), "en", FALSE);
}

static const GDBusInterfaceVTable plugin_vtable = {
	.method_call = plugin_method_call,
};

static gchar *
escape_name (const gchar *plugin)
{
	return g_strdelimit (g_strdup (plugin), "-", '_');
}

static void
append_args_xml (GString *xml, const MvArg *args, const gchar *direction)
{
	for (guint i = 0; args != NULL && args[i].name != NULL; i++) {
		g_autofree gchar *line = g_markup_printf_escaped (
			"      <arg type=\"%s\" name=\"%s\" direction=\"%s\"/>\n", args[i].type,
			args[i].name, direction);
		g_string_append (xml, line);
	}
}

/* The plugin's interface, generated from its declaration: the same names and types a client
 * sees over HTTP. */
static GDBusNodeInfo *
plugin_node_info (const MvPluginInfo *info, GError **error)
{
	g_autofree gchar *escaped = escape_name (info->name);
	g_autoptr (GString) xml = g_string_new ("<node>\n");

	g_string_append_printf (xml, "  <interface name=\"org.medverse.Health1.Plugin.%s\">\n",
				escaped);
	for (guint i = 0; info->methods[i].name != NULL; i++) {
		g_string_append_printf (xml, "    <method name=\"%s\">\n", info->methods[i].name);
		append_args_xml (xml, info->methods[i].in_args, "in");
		append_args_xml (xml, info->methods[i].out_args, "out");
		g_string_append (xml, "    </method>\n");
	}
	g_string_append (xml, "  </interface>\n</node>\n");
	return g_dbus_node_info_new_for_xml (xml->str, error);
}

static gboolean
export_plugins (MvDbus *self, GError **error)
{
	g_autoptr (GPtrArray) infos = mv_engine_get_plugins (self->engine);

	for (guint i = 0; i < infos->len; i++) {
		const MvPluginInfo *info = g_ptr_array_index (infos, i);
		g_autofree gchar *escaped = escape_name (info->name);
		g_autofree gchar *path = g_strdup_printf (MV_DBUS_PATH "/plugins/%s", escaped);
		g_autoptr (GDBusNodeInfo) node = plugin_node_info (info, error);
		guint id;

		if (node == NULL)
			return FALSE;
		id = g_dbus_connection_register_object (self->connection, path, node->interfaces[0],
							&plugin_vtable, self, NULL, error);
		if (id == 0)
			return FALSE;
		g_array_append_val (self->registrations, id);
		g_hash_table_insert (self->plugin_by_path, g_steal_pointer (&path),
				     g_strdup (info->name));
	}
	return TRUE;
}

/* An interface of its own XML file (schemas/dbus/NAME.xml, in the same resource): the
 * interface's info, kept alive by the registration. */
static GDBusInterfaceInfo *
interface_from_own_file (const gchar *name, GError **error)
{
	g_autofree gchar *path = g_strdup_printf ("/org/medverse/Health1/%s.xml", name);
	g_autoptr (GBytes) xml = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
	g_autoptr (GDBusNodeInfo) node = NULL;
	GDBusInterfaceInfo *iface;

	if (xml == NULL) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "interface %s is not in the D-Bus schema", name);
		return NULL;
	}
	node = g_dbus_node_info_new_for_xml (g_bytes_get_data (xml, NULL), error);
	if (node == NULL)
		return NULL;
	iface = g_dbus_node_info_lookup_interface (node, name);
	if (iface == NULL)
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "%s does not declare interface %s",
			     path, name);
	return iface != NULL ? g_dbus_interface_info_ref (iface) : NULL;
}

static gboolean
export_fixed (MvDbus *self, GError **error)
{
	g_autoptr (GBytes) xml = g_resources_lookup_data (MV_DBUS_XML_RESOURCE,
							  G_RESOURCE_LOOKUP_FLAGS_NONE, error);
	g_autoptr (GDBusNodeInfo) node = NULL;
	GDBusInterfaceInfo *iface;
	guint id;

	if (xml == NULL)
		return FALSE;
	node = g_dbus_node_info_new_for_xml (g_bytes_get_data (xml, NULL), error);
	if (node == NULL)
		return FALSE;
	iface = g_dbus_node_info_lookup_interface (node, MV_DBUS_IFACE);
	id = g_dbus_connection_register_object (self->connection, MV_DBUS_PATH, iface,
						&fixed_vtable, self, NULL, error);
	if (id == 0)
		return FALSE;
	g_array_append_val (self->registrations, id);
	for (guint i = 0; i < self->extra_ifaces->len; i++) {
		ExtraInterface *extra = g_ptr_array_index (self->extra_ifaces, i);
		GDBusInterfaceInfo *own = NULL;

		iface = g_dbus_node_info_lookup_interface (node, extra->name);
		if (iface == NULL)
			iface = own = interface_from_own_file (extra->name, error);
		if (iface == NULL)
			return FALSE;
		id = g_dbus_connection_register_object (self->connection, MV_DBUS_PATH, iface,
							extra->vtable, extra->user_data, NULL,
							error);
		/* the registration holds its own reference */
		g_clear_pointer (&own, g_dbus_interface_info_unref);
		if (id == 0)
			return FALSE;
		g_array_append_val (self->registrations, id);
	}
	return TRUE;
}

static gboolean
own_name (MvDbus *self, GError **error)
{
	g_autoptr (GVariant) reply = NULL;
	guint32 result;

	/* synchronously, so a daemon that cannot own its name stops at start-up */
	reply = g_dbus_connection_call_sync (
		self->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
		"org.freedesktop.DBus", "RequestName",
		g_variant_new ("(su)", MV_DBUS_NAME, 0x4 /* DBUS_NAME_FLAG_DO_NOT_QUEUE */),
		G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, error);
	if (reply == NULL)
		return FALSE;
	g_variant_get (reply, "(u)", &result);
	if (result != 1 /* PRIMARY_OWNER */ && result != 4 /* ALREADY_OWNER */) {
		g_set_error (error, MV_ERROR, MV_ERROR_UNAVAILABLE,
			     "%s is owned by another process", MV_DBUS_NAME);
		return FALSE;
	}
	return TRUE;
}

guint64
mv_dbus_get_max_input_bytes (MvDbus *self)
{
	return self->max_input_bytes;
}

guint64
mv_dbus_get_max_output_bytes (MvDbus *self)
{
	return self->max_output_bytes;
}

/* runs in the main context, like the method handlers that read it */
void
mv_dbus_set_limits (MvDbus *self, guint64 max_input_bytes, guint64 max_output_bytes)
{
	self->max_input_bytes = max_input_bytes;
	self->max_output_bytes = max_output_bytes;
}

MvDbus *
mv_dbus_new (MvEngine *engine, guint64 max_input_bytes, guint64 max_output_bytes)
{
	MvDbus *self = g_new0 (MvDbus, 1);
	self->max_input_bytes = max_input_bytes;
	self->max_output_bytes = max_output_bytes;
	mv_dbus_register_errors ();
	self->engine = g_object_ref (engine);
	self->registrations = g_array_new (FALSE, FALSE, sizeof (guint));
	self->plugin_by_path = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	self->extra_ifaces = g_ptr_array_new_with_free_func ((GDestroyNotify)extra_interface_free);
	return self;
}

gboolean
mv_dbus_start (MvDbus *self, MvBusKind bus, GError **error)
{
	if (bus == MV_BUS_NONE)
		return TRUE;
	self->connection = g_bus_get_sync (
		bus == MV_BUS_SYSTEM ? G_BUS_TYPE_SYSTEM : G_BUS_TYPE_SESSION, NULL, error);
	if (self->connection == NULL) {
		g_prefix_error (error,
				"cannot connect to the %s bus: ", mv_config_bus_to_string (bus));
		return FALSE;
	}
	/* the daemon decides when to exit, not the bus */
	g_dbus_connection_set_exit_on_close (self->connection, FALSE);
	if (!export_fixed (self, error) || !export_plugins (self, error) || !own_name (self, error))
		return FALSE;
	g_message ("owning %s on the %s bus", MV_DBUS_NAME, mv_config_bus_to_string (bus));
	return TRUE;
}

void
mv_dbus_free (MvDbus *self)
{
	if (self == NULL)
		return;
	for (guint i = 0; self->connection != NULL && i < self->registrations->len; i++)
		g_dbus_connection_unregister_object (self->connection,
						     g_array_index (self->registrations, guint, i));
	if (self->connection != NULL) {
		g_dbus_connection_flush_sync (self->connection, NULL, NULL);
		g_object_unref (self->connection);
	}
	g_array_unref (self->registrations);
	g_hash_table_unref (self->plugin_by_path);
	g_ptr_array_unref (self->extra_ifaces);
	g_object_unref (self->engine);
	g_free (self);
}
