/* Validation of plugin declarations: everything the loader refuses, in one place. */
#include <string.h>

#include "mv-host-private.h"

#define MV_PLUGIN_NAME_MAX 64

static gboolean
name_is_valid_plugin (const gchar *name)
{
	gsize len = name != NULL ? strlen (name) : 0;
	if (len == 0 || len > MV_PLUGIN_NAME_MAX || !g_ascii_islower (name[0]))
		return FALSE;
	for (gsize i = 0; i < len; i++) {
		if (!g_ascii_islower (name[i]) && !g_ascii_isdigit (name[i]) && name[i] != '-')
			return FALSE;
	}
	return name[len - 1] != '-';
}

static gboolean
name_is_valid_arg (const gchar *name)
{
	if (name == NULL || !g_ascii_islower (name[0]) || strlen (name) > 255)
		return FALSE;
	for (const gchar *p = name; *p != '\0'; p++) {
		if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '_')
			return FALSE;
	}
	return TRUE;
}

static gboolean
check_args (const MvMethod *method, const MvArg *args, const gchar *which, GError **error)
{
	for (guint i = 0; args != NULL && args[i].name != NULL; i++) {
		const MvArg *arg = &args[i];
		if (!name_is_valid_arg (arg->name)) {
			g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
				     "method %s: %s argument %u has an invalid name '%s'",
				     method->name, which, i, arg->name);
			return FALSE;
		}
		if (arg->type == NULL || !g_variant_type_string_is_valid (arg->type)
		    || !g_variant_type_is_definite ((const GVariantType *)arg->type)) {
			g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
				     "method %s: %s argument '%s' has an invalid type '%s'",
				     method->name, which, arg->name,
				     arg->type != NULL ? arg->type : "(null)");
			return FALSE;
		}
		for (guint j = 0; j < i; j++) {
			if (g_strcmp0 (args[j].name, arg->name) == 0) {
				g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
					     "method %s: duplicate %s argument '%s'", method->name,
					     which, arg->name);
				return FALSE;
			}
		}
	}
	return TRUE;
}

static gboolean
check_method (const MvMethod *method, GError **error)
{
	if (!g_dbus_is_member_name (method->name)) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "method name '%s' is not a valid D-Bus member name", method->name);
		return FALSE;
	}
	if (method->handler == NULL) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "method %s has no handler",
			     method->name);
		return FALSE;
	}
	return check_args (method, method->in_args, "input", error)
	       && check_args (method, method->out_args, "output", error);
}

/* The keys of [plugin.NAME] the daemon reads for itself (docs/plugin-isolation.md). */
static const gchar *const reserved_keys[] = {
	"data-dir",    "isolation", "processes",   "memory-mb",
	"cpu-seconds", "max-files", "crash-limit", "crash-window-s",
};

gboolean
mv_plugin_config_key_is_reserved (const gchar *key)
{
	for (guint i = 0; i < G_N_ELEMENTS (reserved_keys); i++)
		if (g_strcmp0 (key, reserved_keys[i]) == 0)
			return TRUE;
	return FALSE;
}

static gboolean
check_config_keys (const MvPluginInfo *info, GError **error)
{
	for (guint i = 0; info->config_keys != NULL && info->config_keys[i].name != NULL; i++) {
		const MvConfigKey *key = &info->config_keys[i];
		const gchar *t = key->type != NULL ? key->type : "";
		if (mv_plugin_config_key_is_reserved (key->name)) {
			g_set_error (
				error, MV_ERROR, MV_ERROR_FAILED,
				"config key '%s' is the daemon's (every plugin's group has it); "
				"a plugin may not declare it",
				key->name);
			return FALSE;
		}
		if (strcmp (t, "s") != 0 && strcmp (t, "i") != 0 && strcmp (t, "d") != 0
		    && strcmp (t, "b") != 0) {
			g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
				     "config key '%s' has type '%s'; expected s, i, d or b",
				     key->name, t);
			return FALSE;
		}
	}
	return TRUE;
}

static gboolean
check_method_roles (const MvPluginInfo *info, GError **error)
{
	const guint32 known = MV_CALLER_PATIENT | MV_CALLER_CLINICIAN | MV_CALLER_CLINIC_ADMIN
			      | MV_CALLER_OPERATOR;

	for (const MvMethodRoles *r = info->method_roles; r != NULL && r->method != NULL; r++) {
		if (mv_plugin_info_find_method (info, r->method) == NULL) {
			g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
				     "method_roles names '%s', which is not a method of plugin %s",
				     r->method, info->name);
			return FALSE;
		}
		if ((r->roles & ~known) != 0) {
			g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
				     "method_roles of %s: 0x%x holds bits that are no MvCallerRole",
				     r->method, r->roles & ~known);
			return FALSE;
		}
	}
	return TRUE;
}

gboolean
mv_plugin_info_validate (const MvPluginInfo *info, GError **error)
{
	guint n_methods = 0;

	if (info == NULL) {
		g_set_error_literal (error, MV_ERROR, MV_ERROR_FAILED, "no plugin declaration");
		return FALSE;
	}
	/* the ABI gate comes first: nothing else in the struct may be read before it passes */
	if (info->abi_version != MV_PLUGIN_ABI_VERSION) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "built for plugin ABI %u, this daemon speaks ABI %u",
			     info->abi_version, (guint)MV_PLUGIN_ABI_VERSION);
		return FALSE;
	}
	if (info->struct_size != sizeof (MvPluginInfo)) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "declaration is %u bytes, ABI %u expects %u", info->struct_size,
			     (guint)MV_PLUGIN_ABI_VERSION, (guint)sizeof (MvPluginInfo));
		return FALSE;
	}
	if (!name_is_valid_plugin (info->name)) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "plugin name '%s' is invalid: lowercase letters, digits and '-', "
			     "starting with a letter, at most %d bytes",
			     info->name != NULL ? info->name : "(null)", MV_PLUGIN_NAME_MAX);
		return FALSE;
	}
	if (info->version == NULL || info->version[0] == '\0' || info->description == NULL) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
			     "plugin %s has no version or description", info->name);
		return FALSE;
	}
	for (; info->methods != NULL && info->methods[n_methods].name != NULL; n_methods++) {
		if (!check_method (&info->methods[n_methods], error))
			return FALSE;
		for (guint j = 0; j < n_methods; j++) {
			if (strcmp (info->methods[j].name, info->methods[n_methods].name) == 0) {
				g_set_error (error, MV_ERROR, MV_ERROR_FAILED,
					     "duplicate method %s", info->methods[j].name);
				return FALSE;
			}
		}
	}
	if (n_methods == 0) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "plugin %s declares no methods",
			     info->name);
		return FALSE;
	}
	return check_method_roles (info, error) && check_config_keys (info, error);
}

static GVariantType *
args_to_tuple_type (const MvArg *args)
{
	g_autoptr (GPtrArray) items = g_ptr_array_new ();
	for (guint i = 0; args != NULL && args[i].name != NULL; i++)
		g_ptr_array_add (items, (gpointer)args[i].type);
	return g_variant_type_new_tuple ((const GVariantType *const *)items->pdata, items->len);
}

GVariantType *
mv_method_get_input_type (const MvMethod *method)
{
	return args_to_tuple_type (method->in_args);
}

GVariantType *
mv_method_get_output_type (const MvMethod *method)
{
	return args_to_tuple_type (method->out_args);
}

const MvMethod *
mv_plugin_info_find_method (const MvPluginInfo *info, const gchar *name)
{
	for (guint i = 0; info->methods != NULL && info->methods[i].name != NULL; i++) {
		if (g_strcmp0 (info->methods[i].name, name) == 0)
			return &info->methods[i];
	}
	return NULL;
}

gchar *
mv_plugin_info_config_group (const MvPluginInfo *info)
{
	return g_strdup_printf ("plugin.%s", info->name);
}

const MvConfigKey *
mv_plugin_info_find_config_key (const MvPluginInfo *info, const gchar *name)
{
	for (guint i = 0; info->config_keys != NULL && info->config_keys[i].name != NULL; i++) {
		if (g_strcmp0 (info->config_keys[i].name, name) == 0)
			return &info->config_keys[i];
	}
	return NULL;
}

gboolean
mv_plugin_info_check_config (const MvPluginInfo *info, GKeyFile *config, GError **error)
{
	g_autofree gchar *group = mv_plugin_info_config_group (info);
	g_auto (GStrv) keys = NULL;

	if (config == NULL || !g_key_file_has_group (config, group))
		return TRUE;
	keys = g_key_file_get_keys (config, group, NULL, NULL);
	for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
		const MvConfigKey *key = mv_plugin_info_find_config_key (info, keys[i]);
		g_autoptr (GError) error_local = NULL;

		/* data-dir and the isolation keys are the host's, valid for every plugin */
		if (mv_plugin_config_key_is_reserved (keys[i]))
			continue;
		if (key == NULL) {
			g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
				     "[%s] %s: unknown key for plugin %s", group, keys[i],
				     info->name);
			return FALSE;
		}
		if (key->type[0] == 'i')
			g_key_file_get_int64 (config, group, keys[i], &error_local);
		else if (key->type[0] == 'd')
			g_key_file_get_double (config, group, keys[i], &error_local);
		else if (key->type[0] == 'b')
			g_key_file_get_boolean (config, group, keys[i], &error_local);
		if (error_local != NULL) {
			g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT, "[%s] %s: %s", group,
				     keys[i], error_local->message);
			return FALSE;
		}
	}
	return TRUE;
}
