/* The host and call objects a plugin sees, and the runner wrapper every method call goes
 * through.  The host implementation (daemon or test host) plugs in through MvHostVTable. */
#include <stdarg.h>
#include <string.h>

#include "mv-host-private.h"

MvHost *
mv_host_new (const MvPluginInfo *info,
	     const MvHostVTable *vtable,
	     const gchar *data_dir,
	     gpointer host_data)
{
	MvHost *host = g_new0 (MvHost, 1);
	host->info = info;
	host->vtable = vtable;
	host->data_dir = g_strdup (data_dir);
	host->host_data = host_data;
	return host;
}

gboolean
mv_host_init_plugin (MvHost *host, GError **error)
{
	g_autoptr (GError) error_local = NULL;

	if (host->info->init == NULL)
		return TRUE;
	if (!host->info->init (host, &host->plugin_data, &error_local)) {
		if (error_local == NULL) {
			g_set_error_literal (error, MV_ERROR, MV_ERROR_FAILED,
					     "init failed without saying why");
			return FALSE;
		}
		g_propagate_prefixed_error (error, g_steal_pointer (&error_local), "init failed: ");
		return FALSE;
	}
	return TRUE;
}

void
mv_host_free (MvHost *host)
{
	if (host == NULL)
		return;
	g_free (host->data_dir);
	g_free (host);
}

const gchar *
mv_host_get_plugin_name (MvHost *host)
{
	g_return_val_if_fail (host != NULL, NULL);
	return host->info->name;
}

const gchar *
mv_host_get_data_dir (MvHost *host)
{
	g_return_val_if_fail (host != NULL, NULL);
	return host->data_dir;
}

gchar *
mv_host_get_config_string (MvHost *host, const gchar *key)
{
	const MvConfigKey *decl;
	gchar *value;

	g_return_val_if_fail (host != NULL, NULL);
	g_return_val_if_fail (key != NULL, NULL);
	decl = mv_plugin_info_find_config_key (host->info, key);
	if (decl == NULL) {
		g_critical ("plugin %s asked for undeclared config key '%s'", host->info->name,
			    key);
		return NULL;
	}
	value = host->vtable->get_config != NULL ? host->vtable->get_config (host, key) : NULL;
	if (value != NULL)
		return value;
	return g_strdup (decl->default_value);
}

gint64
mv_host_get_config_int (MvHost *host, const gchar *key, gint64 fallback)
{
	g_autofree gchar *value = mv_host_get_config_string (host, key);
	gint64 result;
	if (value == NULL
	    || !g_ascii_string_to_signed (value, 10, G_MININT64, G_MAXINT64, &result, NULL))
		return fallback;
	return result;
}

gdouble
mv_host_get_config_double (MvHost *host, const gchar *key, gdouble fallback)
{
	g_autofree gchar *value = mv_host_get_config_string (host, key);
	gchar *end = NULL;
	gdouble result;
	if (value == NULL)
		return fallback;
	result = g_ascii_strtod (value, &end);
	return (end == value || *end != '\0') ? fallback : result;
}

gboolean
mv_host_get_config_boolean (MvHost *host, const gchar *key, gboolean fallback)
{
	g_autofree gchar *value = mv_host_get_config_string (host, key);
	if (g_strcmp0 (value, "true") == 0)
		return TRUE;
	if (g_strcmp0 (value, "false") == 0)
		return FALSE;
	return fallback;
}

void
mv_host_log (MvHost *host, GLogLevelFlags level, const gchar *format, ...)
{
	va_list args;
	g_autofree gchar *message = NULL;

	g_return_if_fail (host != NULL);
	va_start (args, format);
	message = g_strdup_vprintf (format, args);
	va_end (args);
	/* a plugin may not raise criticals or errors in the daemon: they would abort it */
	if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
		level = G_LOG_LEVEL_WARNING;
	g_log_structured (host->info->name, level, "MESSAGE", "%s", message, "MV_PLUGIN", "%s",
			  host->info->name);
}

MvCall *
mv_call_new (MvHost *host, const gchar *request_id, GCancellable *cancellable, gpointer host_data)
{
	MvCall *call = g_new0 (MvCall, 1);
	call->host = host;
	call->request_id = g_strdup (request_id != NULL ? request_id : "-");
	call->cancellable = cancellable != NULL ? g_object_ref (cancellable) : g_cancellable_new ();
	call->host_data = host_data;
	call->role = MV_CALLER_OPERATOR;
	call->locale = g_strdup ("en");
	return call;
}

void
mv_call_set_caller (MvCall *call, const gchar *clinic_id, MvCallerRole role, const gchar *locale)
{
	g_free (call->clinic_id);
	g_free (call->locale);
	call->clinic_id = g_strdup (clinic_id);
	call->role = role;
	call->locale = g_strdup (locale != NULL && locale[0] != '\0' ? locale : "en");
}

MvCall *
mv_call_new_nested (MvCall *parent, MvHost *host)
{
	MvCall *child
		= mv_call_new (host, parent->request_id, parent->cancellable, parent->host_data);
	mv_call_set_caller (child, parent->clinic_id, parent->role, parent->locale);
	child->depth = parent->depth + 1;
	return child;
}

const gchar *
mv_call_get_clinic_id (MvCall *call)
{
	g_return_val_if_fail (call != NULL, NULL);
	return call->clinic_id;
}

MvCallerRole
mv_call_get_caller_role (MvCall *call)
{
	g_return_val_if_fail (call != NULL, MV_CALLER_ANY);
	return call->role;
}

const gchar *
mv_call_get_locale (MvCall *call)
{
	g_return_val_if_fail (call != NULL, "en");
	return call->locale;
}

void
mv_call_log (MvCall *call, GLogLevelFlags level, const gchar *format, ...)
{
	va_list args;
	g_autofree gchar *message = NULL;

	g_return_if_fail (call != NULL);
	va_start (args, format);
	message = g_strdup_vprintf (format, args);
	va_end (args);
	mv_host_log (call->host, level, "[%s] %s", call->request_id, message);
}

void
mv_call_free (MvCall *call)
{
	if (call == NULL)
		return;
	g_free (call->request_id);
	g_free (call->clinic_id);
	g_free (call->locale);
	g_clear_object (&call->cancellable);
	g_free (call);
}

MvHost *
mv_call_get_host (MvCall *call)
{
	g_return_val_if_fail (call != NULL, NULL);
	return call->host;
}

gpointer
mv_call_get_plugin_data (MvCall *call)
{
	g_return_val_if_fail (call != NULL, NULL);
	return call->host->plugin_data;
}

const gchar *
mv_call_get_request_id (MvCall *call)
{
	g_return_val_if_fail (call != NULL, NULL);
	return call->request_id;
}

GCancellable *
mv_call_get_cancellable (MvCall *call)
{
	g_return_val_if_fail (call != NULL, NULL);
	return call->cancellable;
}

gboolean
mv_call_is_cancelled (MvCall *call)
{
	g_return_val_if_fail (call != NULL, TRUE);
	return g_cancellable_is_cancelled (call->cancellable);
}

GVariant *
mv_call_invoke (
	MvCall *call, const gchar *plugin, const gchar *method, GVariant *input, GError **error)
{
	g_autoptr (GVariant) input_ref = NULL;

	g_return_val_if_fail (call != NULL, NULL);
	g_return_val_if_fail (input != NULL, NULL);
	input_ref = g_variant_ref_sink (input);
	if (call->depth + 1 >= MV_CALL_MAX_DEPTH) {
		g_set_error (
			error, MV_ERROR, MV_ERROR_FAILED,
			"plugin %s: calling %s.%s would nest plugin calls deeper than the limit "
			"of %u",
			call->host->info->name, plugin, method, (guint)MV_CALL_MAX_DEPTH);
		return NULL;
	}
	if (call->host->vtable->invoke == NULL) {
		g_set_error_literal (error, MV_ERROR, MV_ERROR_NOT_FOUND,
				     "this host cannot call other plugins");
		return NULL;
	}
	return call->host->vtable->invoke (call, plugin, method, input_ref, error);
}

static const gchar *
caller_role_name (MvCallerRole role)
{
	switch (role) {
	case MV_CALLER_PATIENT:
		return "patient";
	case MV_CALLER_CLINICIAN:
		return "clinician";
	case MV_CALLER_CLINIC_ADMIN:
		return "clinic-admin";
	case MV_CALLER_OPERATOR:
		return "operator";
	default:
		return "unknown";
	}
}

static guint32
method_roles (const MvPluginInfo *info, const MvMethod *method)
{
	for (const MvMethodRoles *r = info->method_roles; r != NULL && r->method != NULL; r++) {
		if (g_strcmp0 (r->method, method->name) == 0)
			return r->roles;
	}
	return MV_CALLER_ANY;
}

gboolean
mv_method_accepts_caller (const MvMethod *method, MvCall *call, GError **error)
{
	guint32 roles = method_roles (call->host->info, method);

	if (roles == MV_CALLER_ANY || (roles & call->role) != 0)
		return TRUE;
	g_set_error (error, MV_ERROR, MV_ERROR_FORBIDDEN, "%s %s may not call %s.%s",
		     call->role == MV_CALLER_OPERATOR ? "an" : "a", caller_role_name (call->role),
		     call->host->info->name, method->name);
	return FALSE;
}

/* The Chinese text of an error carries the same "which plugin" prefix as the English one, so
 * a caller reading Chinese (Accept-Language: zh-CN) learns as much. */
static void
prefix_zh (GError *error, const gchar *plugin)
{
	const gchar *zh = mv_error_get_message_zh (error);
	g_autofree gchar *prefixed = NULL;

	if (zh == NULL)
		return;
	prefixed = g_strdup_printf ("插件 %s：%s", plugin, zh);
	mv_error_set_message_zh (error, prefixed);
}

gboolean
mv_call_check_input (MvCall *call, const MvMethod *method, GVariant *input, GError **error)
{
	g_autoptr (GVariantType) in_type = mv_method_get_input_type (method);

	if (g_variant_is_of_type (input, in_type))
		return TRUE;
	g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
		     "%s.%s expects input of type %.*s, got %s", call->host->info->name,
		     method->name, (int)g_variant_type_get_string_length (in_type),
		     g_variant_type_peek_string (in_type), g_variant_get_type_string (input));
	return FALSE;
}

GVariant *
mv_call_check_output (
	MvCall *call, const MvMethod *method, GVariant *output_in, GError *error_in, GError **error)
{
	const gchar *plugin = call->host->info->name;
	g_autoptr (GVariantType) out_type = mv_method_get_output_type (method);
	g_autoptr (GError) error_local = error_in;
	g_autoptr (GVariant) output = output_in;

	/* a floating output (a handler's g_variant_new) becomes ours; a full reference (a
	 * host's RESULT) already is: take_ref, not ref_sink, which would add a second */
	if (output != NULL)
		g_variant_take_ref (output);
	if (output == NULL && error_local == NULL) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "plugin %s: %s failed without setting an error", plugin, method->name);
		return NULL;
	}
	if (error_local != NULL) {
		if (error_local->domain != MV_ERROR) {
			/* foreign domains have no meaning for callers: report them as failures */
			g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "plugin %s: %s", plugin,
				     error_local->message);
			return NULL;
		}
		/* an error that already names this plugin (from its own nested call, or from
		 * mv_call_invoke) is passed on as is, not prefixed once per level */
		if (g_str_has_prefix (error_local->message, "plugin ")
		    && g_str_has_prefix (error_local->message + strlen ("plugin "), plugin)
		    && g_str_has_prefix (
			    error_local->message + strlen ("plugin ") + strlen (plugin), ": ")) {
			g_propagate_error (error, g_steal_pointer (&error_local));
			return NULL;
		}
		prefix_zh (error_local, plugin);
		g_propagate_prefixed_error (error, g_steal_pointer (&error_local),
					    "plugin %s: ", plugin);
		return NULL;
	}
	if (!g_variant_is_of_type (output, out_type)) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "plugin %s: %s returned type %s, declared %.*s", plugin, method->name,
			     g_variant_get_type_string (output),
			     (int)g_variant_type_get_string_length (out_type),
			     g_variant_type_peek_string (out_type));
		return NULL;
	}
	return g_steal_pointer (&output);
}

GVariant *
mv_call_run (MvCall *call, const MvMethod *method, GVariant *input, GError **error)
{
	GError *error_local = NULL;
	GVariant *output;

	if (!mv_call_check_input (call, method, input, error))
		return NULL;
	output = method->handler (call, input, &error_local);
	/* a handler's output that was not ref-sunk is taken over by the check */
	return mv_call_check_output (call, method, output, error_local, error);
}
