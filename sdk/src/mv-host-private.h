/*
 * Medverse plugin SDK — internals shared by the daemon and the test host.
 *
 * Not installed: a plugin cannot include this.  The symbols are exported from
 * libmedverse-plugin under the MEDVERSE_PLUGIN_PRIVATE version node, for the daemon only; they
 * may change without an ABI bump.
 */
#pragma once

#include <medverse/medverse-plugin.h>

G_BEGIN_DECLS

/* What a host implementation (daemon or test host) supplies. */
typedef struct {
	/* the raw config value of @key in the plugin's group, or NULL if unset */
	gchar *(*get_config) (MvHost *host, const gchar *key);
	GVariant *(*invoke) (MvCall *call,
			     const gchar *plugin,
			     const gchar *method,
			     GVariant *input,
			     GError **error);
} MvHostVTable;

struct _MvHost {
	const MvHostVTable *vtable;
	const MvPluginInfo *info;
	gchar *data_dir;
	gpointer plugin_data;
	gpointer host_data; /* owned by the host implementation */
};

struct _MvCall {
	MvHost *host;
	gchar *request_id;
	GCancellable *cancellable;
	gpointer host_data; /* owned by the host implementation */
	gchar *clinic_id;   /* NULL: operator, local or test caller */
	MvCallerRole role;
	gchar *locale;
	guint depth; /* 0 for a call from a client, +1 per mv_call_invoke() */
};

MvHost *mv_host_new (const MvPluginInfo *info,
		     const MvHostVTable *vtable,
		     const gchar *data_dir,
		     gpointer host_data);
gboolean mv_host_init_plugin (MvHost *host, GError **error);
void mv_host_free (MvHost *host);

MvCall *
mv_call_new (MvHost *host, const gchar *request_id, GCancellable *cancellable, gpointer host_data);
void mv_call_free (MvCall *call);
/* Who calls (copied); a NULL @locale means "en".  The depth starts at 0. */
void
mv_call_set_caller (MvCall *call, const gchar *clinic_id, MvCallerRole role, const gchar *locale);
/* A call made by @parent's plugin through mv_call_invoke(): same request id, caller and
 * cancellable, depth + 1. */
MvCall *mv_call_new_nested (MvCall *parent, MvHost *host);

/* How deep mv_call_invoke() may nest: a plugin calling itself fails cleanly at this depth
 * instead of overflowing a worker's stack. */
#define MV_CALL_MAX_DEPTH 8

/* FALSE with MV_ERROR_FORBIDDEN when @method's roles do not include the caller of @call. */
gboolean mv_method_accepts_caller (const MvMethod *method, MvCall *call, GError **error);

/* The runner wrapper: every plugin method is called through this.  It checks the input type,
 * reports a failure without an error and an output of the wrong type as plugin failures, and
 * prefixes errors with the plugin name. */
GVariant *mv_call_run (MvCall *call, const MvMethod *method, GVariant *input, GError **error);

/* mv_call_run()'s two halves, for a host that runs the handler elsewhere (an isolated plugin's
 * process): the input check, and the check of what came back — @output (transfer full or
 * floating, nullable) or @error_in (transfer full, nullable) — with the same reports and
 * prefixes as in process. */
gboolean
mv_call_check_input (MvCall *call, const MvMethod *method, GVariant *input, GError **error);
GVariant *mv_call_check_output (
	MvCall *call, const MvMethod *method, GVariant *output, GError *error_in, GError **error);

/* TRUE for the keys of [plugin.NAME] the daemon owns (data-dir, the isolation keys of
 * docs/plugin-isolation.md): every plugin's group may hold them, no plugin may declare them. */
gboolean mv_plugin_config_key_is_reserved (const gchar *key);

/* Checks a plugin's `[plugin.NAME]` group of @config against its declared keys. */
gboolean mv_plugin_info_check_config (const MvPluginInfo *info, GKeyFile *config, GError **error);

const MvConfigKey *mv_plugin_info_find_config_key (const MvPluginInfo *info, const gchar *name);

/* "plugin.NAME" */
gchar *mv_plugin_info_config_group (const MvPluginInfo *info);

/* How deep JSON may nest: no request or record comes near it, and json-glib's parser
 * recurses once per level. */
#define MV_JSON_MAX_DEPTH 64

/* The strict RFC 8259 check every JSON text entering Medverse passes before json-glib sees
 * it (mv-json-strict.c): valid UTF-8, exactly one value with only whitespace around it, no
 * comments, single quotes, trailing commas, NaN/Infinity or leading zeros, no duplicate key in
 * any object, no \u0000 or unpaired surrogate escape, nesting at most MV_JSON_MAX_DEPTH.
 * @len may be -1 for a NUL-terminated @json.  FALSE with MV_ERROR_MALFORMED naming the problem
 * and its line, column and byte offset; MV_ERROR_INVALID_INPUT for a well-formed number that
 * cannot be represented (an integer literal outside gint64, a number that overflows a
 * double). */
gboolean mv_json_validate (const gchar *json, gssize len, GError **error);

/* mv_json_validate(), then json-glib: the root node of any kind (a mutable tree), or NULL with
 * @error set. */
JsonNode *mv_json_parse_strict (const gchar *json, gssize len, GError **error);

/* Parses @json into an object node (sealed: immutable), mapping every failure to an MV_ERROR
 * code: what mv_json_validate() refuses as it says, and a JSON value that is not an object as
 * MV_ERROR_INVALID_INPUT. */
JsonNode *mv_value_parse_json_object (const gchar *json, gssize len, GError **error);

/* @pointer (an RFC 6901 JSON Pointer, "" for the root) and one more reference token, escaped
 * ("~" -> "~0", "/" -> "~1"): the `field` of an error's problem (transfer full). */
gchar *mv_json_pointer_append (const gchar *pointer, const gchar *token);

/* Compact JSON text; doubles in their shortest round-trip form. */
gchar *mv_json_to_string (JsonNode *node);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvHost, mv_host_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvCall, mv_call_free)

G_END_DECLS
