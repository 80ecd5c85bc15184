/*
 * Medverse plugin SDK — what a plugin declares.
 *
 * A plugin is a shared object exporting exactly one symbol, `mv_plugin_entry`, of type
 * #MvPluginInfo.  Use MV_PLUGIN_DEFINE() to declare it: it fills in the ABI version and the
 * structure size the daemon checks before it touches anything else.
 *
 * A plugin is pure computation: it never opens the database and never
 * sees keys.  It receives a typed input value and returns a typed output value; the types are
 * declared here, up front, as lists of named arguments with GVariant type strings.  From this
 * one declaration the daemon derives the in-process call, the D-Bus method (same argument names
 * and signature), the HTTP JSON endpoint (one JSON object member per argument), input
 * validation and the API listing.
 */
#pragma once

#include <glib.h>

#include "mv-host.h"

G_BEGIN_DECLS

/**
 * MV_PLUGIN_ABI_VERSION:
 *
 * The ABI version of this SDK.  Bumped on any incompatible change to the structures below or to
 * the behaviour of an exported function.  The daemon refuses a plugin built for another version.
 */
#define MV_PLUGIN_ABI_VERSION 1

/** The name of the one symbol every plugin exports. */
#define MV_PLUGIN_ENTRY_SYMBOL "mv_plugin_entry"

/**
 * MV_ARG_END, MV_METHOD_END, MV_CONFIG_KEY_END:
 *
 * Terminators of the #MvArg, #MvMethod and #MvConfigKey arrays.  They are the universal zero
 * initialiser, so a plugin built with -Wextra (-Wmissing-field-initializers) stays warning-free;
 * for the same reason declare #MvMethod entries with designated initialisers.
 */
#define MV_ARG_END                                                                                 \
	{                                                                                          \
		0                                                                                  \
	}
#define MV_METHOD_END                                                                              \
	{                                                                                          \
		0                                                                                  \
	}
#define MV_CONFIG_KEY_END                                                                          \
	{                                                                                          \
		0                                                                                  \
	}

/**
 * MvArgFlags:
 * @MV_ARG_NONE: the argument is required.
 * @MV_ARG_OPTIONAL: over HTTP the JSON member may be omitted (or null); the handler then receives
 *   the empty value of the type (0, FALSE, "", an empty array or dictionary).  Over D-Bus every
 *   argument is always present.
 */
typedef enum {
	MV_ARG_NONE = 0,
	MV_ARG_OPTIONAL = 1 << 0,
} MvArgFlags;

/**
 * MvArg:
 * @name: argument name: lowercase ASCII letters, digits and '_', starting with a letter.  It is
 *   the JSON member name and the D-Bus argument name.
 * @type: a complete, definite GVariant type string (e.g. "s", "u", "d", "as", "a{sv}", "aa{sv}").
 *   "v" is allowed but loses the validation the declared type gives; prefer a concrete type.
 * @description: one line for the API listing and the D-Bus introspection.
 * @flags: #MvArgFlags.
 *
 * An array of #MvArg is terminated by an element whose @name is %NULL.
 */
typedef struct {
	const gchar *name;
	const gchar *type;
	const gchar *description;
	guint32 flags;
} MvArg;

/**
 * MvMethodHandler:
 * @call: the call context: host, plugin data, request id, cancellation.
 * @input: (transfer none): a tuple whose members are the method's input arguments in declared
 *   order; its type always matches the declaration (the daemon checked it).
 * @error: return location for an error; use the %MV_ERROR domain.
 *
 * Runs in a worker thread, never in the daemon's main loop, and may be called concurrently from
 * several threads: keep per-call state on the stack and treat plugin data as read-only unless
 * you lock it.  A long handler should check mv_call_is_cancelled() now and then: past the time
 * limit the caller has already been answered with a time-out and the result is discarded.
 *
 * Returns: (transfer full): a tuple of the declared output arguments (a floating reference is
 *   fine), or %NULL with @error set.  Returning %NULL without an error, or a value of another
 *   type, is reported as a plugin failure.
 */
typedef GVariant *(*MvMethodHandler) (MvCall *call, GVariant *input, GError **error);

/**
 * MvMethod:
 * @name: D-Bus member name style, e.g. "Parse": ASCII letters, digits and '_', not starting
 *   with a digit, at most 255 bytes.
 * @description: one line for the API listing.
 * @in_args: input arguments, terminated by an element with a %NULL name; may be %NULL for none.
 * @out_args: output arguments, terminated the same way; may be %NULL for none.
 * @handler: the function doing the work.
 *
 * An array of #MvMethod is terminated by an element whose @name is %NULL.
 */
typedef struct {
	const gchar *name;
	const gchar *description;
	const MvArg *in_args;
	const MvArg *out_args;
	MvMethodHandler handler;
	gpointer reserved[4];
} MvMethod;

/**
 * MvMethodRoles:
 * @method: a method name of the plugin.
 * @roles: a mask of #MvCallerRole bits: who may call it.  %MV_CALLER_ANY (0) accepts every
 *   authenticated caller, which is also what a method not listed accepts.
 *
 * One entry of #MvPluginInfo's @method_roles table, which narrows who may call a method; a
 * caller of another role gets %MV_ERROR_FORBIDDEN (HTTP 403) before the handler runs.  The
 * table is terminated by an element whose @method is %NULL (%MV_METHOD_ROLES_END).
 *
 * Since: ABI 1.1
 */
typedef struct {
	const gchar *method;
	guint32 roles;
} MvMethodRoles;

#define MV_METHOD_ROLES_END                                                                        \
	{                                                                                          \
		0                                                                                  \
	}

/**
 * MvConfigKey:
 * @name: key name in the plugin's config group `[plugin.NAME]` of medversed.conf.
 * @type: one of "s" (string), "i" (64-bit integer), "d" (double), "b" (boolean).
 * @default_value: the default as it would be written in the config file; may be %NULL for "no
 *   value" (mv_host_get_config_* then return their fallback).
 * @description: one line for the operator.
 *
 * The daemon refuses a config file with an unknown key or a value of the wrong type in a
 * plugin's group, naming the key, before it starts.  Terminated by an element with a %NULL name.
 */
typedef struct {
	const gchar *name;
	const gchar *type;
	const gchar *default_value;
	const gchar *description;
} MvConfigKey;

/**
 * MvPluginInitFunc:
 * @host: the host; valid until shutdown returns.
 * @plugin_data: (out): set to whatever the handlers need (tables, models); handed back through
 *   mv_call_get_plugin_data() and to the shutdown function.
 * @error: set on failure; the plugin is then refused with this message and not loaded.
 *
 * Runs once, in the main thread, before any handler.  Load data files here, not per call.
 */
typedef gboolean (*MvPluginInitFunc) (MvHost *host, gpointer *plugin_data, GError **error);

/**
 * MvPluginShutdownFunc:
 * @host: the host.
 * @plugin_data: what init stored.
 *
 * Runs once, after the last handler returned.  Free plugin data here.
 */
typedef void (*MvPluginShutdownFunc) (MvHost *host, gpointer plugin_data);

/**
 * MvPluginInfo:
 * @abi_version: must be %MV_PLUGIN_ABI_VERSION of the SDK the plugin was built with.
 * @struct_size: must be sizeof(MvPluginInfo) of that SDK.
 * @name: plugin name: lowercase ASCII letters, digits and '-', starting with a letter, at most
 *   64 bytes.  Unique among loaded plugins; it appears in URLs and object paths.
 * @version: the plugin's own version string, e.g. "1.2.0".
 * @description: one line.
 * @methods: the method table, terminated by an element with a %NULL name; at least one method.
 * @config_keys: keys accepted in `[plugin.NAME]`; may be %NULL.
 * @init: optional.
 * @shutdown: optional.
 * @method_roles: optional (since ABI 1.1): who may call which method, see #MvMethodRoles.  It
 *   took the place of the first reserved pointer, so a plugin built before it existed loads
 *   unchanged and accepts every caller.
 *
 * Since: ABI 1
 */
typedef struct {
	guint32 abi_version;
	guint32 struct_size;
	const gchar *name;
	const gchar *version;
	const gchar *description;
	const MvMethod *methods;
	const MvConfigKey *config_keys;
	MvPluginInitFunc init;
	MvPluginShutdownFunc shutdown;
	const MvMethodRoles *method_roles;
	gpointer reserved[7];
} MvPluginInfo;

/**
 * MV_PLUGIN_DEFINE:
 * @...: the remaining #MvPluginInfo members as designated initialisers.
 *
 * Declares the plugin's exported entry point, e.g.:
 * |[
 * MV_PLUGIN_DEFINE (.name = "echo", .version = "1.0.0", .description = "…",
 *                   .methods = echo_methods, .init = echo_init);
 * ]|
 */
#define MV_PLUGIN_DEFINE(...)                                                                      \
	G_MODULE_EXPORT const MvPluginInfo mv_plugin_entry                                         \
		= { .abi_version = MV_PLUGIN_ABI_VERSION,                                          \
		    .struct_size = sizeof (MvPluginInfo),                                          \
		    __VA_ARGS__ }

/**
 * mv_plugin_info_validate:
 * @info: a plugin declaration
 * @error: return location for an error
 *
 * Checks everything the daemon's loader checks: ABI version and size, names, type strings, a
 * handler for every method.  Useful in a plugin's own unit tests.
 *
 * Returns: %TRUE if the daemon would accept @info.
 */
G_GNUC_WARN_UNUSED_RESULT gboolean mv_plugin_info_validate (const MvPluginInfo *info,
							    GError **error);

/**
 * mv_method_get_input_type:
 * @method: a method declaration
 *
 * Returns: (transfer full): the tuple type of the method's inputs, e.g. "(ss)".
 */
GVariantType *mv_method_get_input_type (const MvMethod *method);

/**
 * mv_method_get_output_type:
 * @method: a method declaration
 *
 * Returns: (transfer full): the tuple type of the method's outputs.
 */
GVariantType *mv_method_get_output_type (const MvMethod *method);

/**
 * mv_plugin_info_find_method:
 * @info: a plugin declaration
 * @name: a method name
 *
 * Returns: (transfer none) (nullable): the method called @name.
 */
const MvMethod *mv_plugin_info_find_method (const MvPluginInfo *info, const gchar *name);

G_END_DECLS
