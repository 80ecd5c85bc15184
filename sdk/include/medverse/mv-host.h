/*
 * Medverse plugin SDK — what the host gives a plugin.
 *
 * #MvHost is the daemon (or the SDK's test host) as seen by one plugin: its config group, its
 * data directory, logging, and calls to other plugins.  #MvCall is one call of one method.
 * Both are opaque and owned by the host; a plugin never frees them.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _MvHost MvHost;
typedef struct _MvCall MvCall;

/**
 * MvCallerRole:
 * @MV_CALLER_ANY: in #MvMethodRoles: any authenticated caller (the default).
 * @MV_CALLER_PATIENT: a patient's own token (patient app).
 * @MV_CALLER_CLINICIAN: a clinic's clinician key.
 * @MV_CALLER_CLINIC_ADMIN: a clinic's administrator key.
 * @MV_CALLER_OPERATOR: the operator of the daemon (operator key, or a local D-Bus caller).
 *
 * Who is calling, as bits so a method can accept several (see #MvPluginInfo's
 * @method_roles).
 *
 * Since: ABI 1.1
 */
typedef enum {
	MV_CALLER_ANY = 0,
	MV_CALLER_PATIENT = 1 << 0,
	MV_CALLER_CLINICIAN = 1 << 1,
	MV_CALLER_CLINIC_ADMIN = 1 << 2,
	MV_CALLER_OPERATOR = 1 << 3,
} MvCallerRole;

/**
 * mv_host_get_plugin_name:
 * @host: the host
 *
 * Returns: (transfer none): the name of the plugin this host was given to.
 */
const gchar *mv_host_get_plugin_name (MvHost *host);

/**
 * mv_host_get_data_dir:
 * @host: the host
 *
 * The directory holding this plugin's data files (models, lexicons, catalogs), read-only.  By
 * default `<datadir>/medverse/plugins/<name>`; the operator may set `data-dir` in the plugin's
 * config group; the SDK test host uses the directory given to mv_test_host_new().
 *
 * Returns: (transfer none): an absolute path.
 */
const gchar *mv_host_get_data_dir (MvHost *host);

/**
 * mv_host_get_config_string:
 * @host: the host
 * @key: a key declared in the plugin's #MvConfigKey table
 *
 * Returns: (transfer full) (nullable): the configured value, else the declared default, else
 *   %NULL.
 */
gchar *mv_host_get_config_string (MvHost *host, const gchar *key);

/**
 * mv_host_get_config_int:
 * @host: the host
 * @key: a key declared with type "i"
 * @fallback: returned when neither a value nor a default exists
 */
gint64 mv_host_get_config_int (MvHost *host, const gchar *key, gint64 fallback);

/**
 * mv_host_get_config_double:
 * @host: the host
 * @key: a key declared with type "d"
 * @fallback: returned when neither a value nor a default exists
 */
gdouble mv_host_get_config_double (MvHost *host, const gchar *key, gdouble fallback);

/**
 * mv_host_get_config_boolean:
 * @host: the host
 * @key: a key declared with type "b"
 * @fallback: returned when neither a value nor a default exists
 */
gboolean mv_host_get_config_boolean (MvHost *host, const gchar *key, gboolean fallback);

/**
 * mv_host_log:
 * @host: the host
 * @level: G_LOG_LEVEL_DEBUG, _INFO, _MESSAGE or _WARNING
 * @format: printf-style format
 *
 * Logs through the daemon's structured log with the plugin's name as the domain.  Never log
 * patient data or secrets: input text is patient data.
 */
void mv_host_log (MvHost *host, GLogLevelFlags level, const gchar *format, ...)
	G_GNUC_PRINTF (3, 4);

/**
 * mv_call_get_host:
 * @call: the call
 *
 * Returns: (transfer none): the host of the plugin being called.
 */
MvHost *mv_call_get_host (MvCall *call);

/**
 * mv_call_get_plugin_data:
 * @call: the call
 *
 * Returns: (transfer none): what the plugin's init function stored, or %NULL.
 */
gpointer mv_call_get_plugin_data (MvCall *call);

/**
 * mv_call_get_request_id:
 * @call: the call
 *
 * Returns: (transfer none): the request id the caller sees in its response; put it in log lines
 *   about this call.
 */
const gchar *mv_call_get_request_id (MvCall *call);

/**
 * mv_call_get_cancellable:
 * @call: the call
 *
 * Returns: (transfer none): cancelled when the time limit passes or the caller goes away.
 */
GCancellable *mv_call_get_cancellable (MvCall *call);

/**
 * mv_call_is_cancelled:
 * @call: the call
 *
 * Returns: %TRUE once the result can no longer reach anyone: stop working and return an error.
 */
gboolean mv_call_is_cancelled (MvCall *call);

/**
 * mv_call_invoke:
 * @call: the current call
 * @plugin: name of another plugin
 * @method: its method
 * @input: (transfer floating): a tuple of that method's input type
 * @error: return location for an error
 *
 * Calls another plugin's method synchronously, through the host, inheriting this call's request
 * id and deadline.  The input is validated as for any caller.
 *
 * Returns: (transfer full): the output tuple, or %NULL with @error set (%MV_ERROR_NOT_FOUND if
 *   the plugin or method does not exist).
 */
GVariant *mv_call_invoke (
	MvCall *call, const gchar *plugin, const gchar *method, GVariant *input, GError **error);

/**
 * mv_call_get_clinic_id:
 * @call: the call
 *
 * The clinic (tenant) the caller belongs to, as an opaque identifier: use it to keep per-clinic
 * state apart (a cache, a model per clinic), never to guess anything about the clinic.
 *
 * Returns: (transfer none) (nullable): the clinic id, or %NULL for the operator, a local D-Bus
 *   caller, or the SDK test host unless mv_test_host_set_caller() set one.
 *
 * Since: ABI 1.1
 */
const gchar *mv_call_get_clinic_id (MvCall *call);

/**
 * mv_call_get_caller_role:
 * @call: the call
 *
 * Returns: exactly one #MvCallerRole bit: who is calling.  The daemon has already refused a
 *   caller whose role the method does not accept.
 *
 * Since: ABI 1.1
 */
MvCallerRole mv_call_get_caller_role (MvCall *call);

/**
 * mv_call_get_locale:
 * @call: the call
 *
 * The caller's preferred language as a BCP 47 tag, from HTTP `Accept-Language` (the tag with the
 * highest weight) or the locale argument of D-Bus `CallWithLocale`; "en" when the caller named
 * none.  Answer user-facing texts in it when you have them ("zh", "zh-CN", "zh-Hans" all mean
 * Simplified Chinese to Medverse's own plugins), else in English.
 *
 * Returns: (transfer none): a tag such as "en", "zh-CN"; never %NULL.
 *
 * Since: ABI 1.1
 */
const gchar *mv_call_get_locale (MvCall *call);

/**
 * mv_call_log:
 * @call: the call
 * @level: %G_LOG_LEVEL_DEBUG, %G_LOG_LEVEL_INFO, %G_LOG_LEVEL_MESSAGE or %G_LOG_LEVEL_WARNING
 * @format: printf-style format
 *
 * As mv_host_log(), with the call's request id at the start of the line ("[id] …"), so an
 * operator can find every line of one request.  Levels: DEBUG for detail useful while
 * developing (off in production), INFO for per-call facts an operator may enable, MESSAGE for
 * rare notable events (a model reloaded), WARNING for something the operator must act on.  A
 * failure of the call itself is reported by returning an error, not by logging it.  Never log
 * patient data or secrets: input text is patient data.
 *
 * Since: ABI 1.1
 */
void mv_call_log (MvCall *call, GLogLevelFlags level, const gchar *format, ...)
	G_GNUC_PRINTF (3, 4);

G_END_DECLS
