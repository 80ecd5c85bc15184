/*
 * Medverse plugin SDK — a host for unit tests, no daemon needed.
 *
 * Loads a plugin declaration in-process with a config and a data directory, runs its init, and
 * calls its methods with the same checks the daemon applies (input type, output type, a failure
 * without an error).  Link your test with `pkg-config --libs medverse-plugin`.
 *
 * |[
 * g_autoptr(MvTestHost) host = mv_test_host_new (&mv_plugin_entry, NULL, "data", &error);
 * g_autofree gchar *out = mv_test_host_call_json (host, "Parse", "{\"text\":\"fever\"}", &error);
 * ]|
 */
#pragma once

#include "mv-plugin.h"

G_BEGIN_DECLS

typedef struct _MvTestHost MvTestHost;

/**
 * mv_test_host_new:
 * @info: the plugin declaration, usually `&mv_plugin_entry`
 * @config: (nullable): a key file whose `[plugin.NAME]` group configures the plugin
 * @data_dir: (nullable): the plugin's data directory; %NULL for the current directory
 * @error: return location for an error
 *
 * Validates @info, checks @config against the declared keys and runs the plugin's init.
 *
 * Returns: (transfer full): a host, or %NULL with @error set.
 */
MvTestHost *mv_test_host_new (const MvPluginInfo *info,
			      GKeyFile *config,
			      const gchar *data_dir,
			      GError **error);

/**
 * mv_test_host_load_module:
 * @path: a built plugin module (`.so`)
 * @error: return location for an error
 *
 * Opens @path as the daemon does (GModule, local binding) and returns the declaration its
 * entry symbol (%MV_PLUGIN_ENTRY_SYMBOL) points to, not yet validated: pass it to
 * mv_test_host_new(), which validates it, or to mv_plugin_info_validate().  Testing the built
 * module rather than a declaration linked into the test also tests its exported entry.  The
 * module stays loaded until the process exits (a plugin's static state makes unloading it
 * unsafe, and a test gains nothing by it).
 *
 * Returns: (transfer none): the declaration, or %NULL with @error set (the path and why:
 * not loadable, or no entry symbol).
 *
 * Since: ABI 1.3 (0.5)
 */
const MvPluginInfo *mv_test_host_load_module (const gchar *path, GError **error);

/**
 * mv_test_host_add_plugin:
 * @self: a test host
 * @info: another plugin, reachable from the first through mv_call_invoke()
 * @error: return location for an error
 */
gboolean mv_test_host_add_plugin (MvTestHost *self, const MvPluginInfo *info, GError **error);

/**
 * mv_test_host_set_caller:
 * @self: a test host
 * @clinic_id: (nullable): what mv_call_get_clinic_id() returns
 * @role: one #MvCallerRole bit: what mv_call_get_caller_role() returns; a method whose @roles
 *   do not include it is refused with %MV_ERROR_FORBIDDEN, as the daemon refuses it
 * @locale: (nullable): what mv_call_get_locale() returns; %NULL means "en"
 *
 * Sets who calls in the calls that follow.  Until it is called, the caller is a clinician of
 * clinic "test-clinic" with locale "en".
 *
 * Since: ABI 1.1
 */
void mv_test_host_set_caller (MvTestHost *self,
			      const gchar *clinic_id,
			      MvCallerRole role,
			      const gchar *locale);

/**
 * mv_test_host_call:
 * @self: a test host
 * @method: method name of the first plugin
 * @input: (transfer floating): the input tuple
 * @error: return location for an error
 *
 * Returns: (transfer full): the output tuple, or %NULL with @error set.
 */
GVariant *
mv_test_host_call (MvTestHost *self, const gchar *method, GVariant *input, GError **error);

/**
 * mv_test_host_call_json:
 * @self: a test host
 * @method: method name
 * @json: the request body as an HTTP client would send it
 * @error: return location for an error
 *
 * Returns: (transfer full): the response body as the daemon would send it, or %NULL with @error
 *   set (the code is what the daemon would map to an HTTP status).
 */
gchar *
mv_test_host_call_json (MvTestHost *self, const gchar *method, const gchar *json, GError **error);

/**
 * mv_test_host_free:
 * @self: a test host
 *
 * Runs the plugins' shutdown functions and frees the host.
 */
void mv_test_host_free (MvTestHost *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvTestHost, mv_test_host_free)

G_END_DECLS
