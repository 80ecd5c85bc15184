/*
 * medverse-plugin-host — runs ONE plugin .so in a process of its own and serves its methods to
 * medversed over an inherited socket (docs/plugin-isolation.md).
 *
 *   medverse-plugin-host --channel-fd 3 [--memory-mb N] [--cpu-seconds N] [--max-files N]
 *       [--data-dir DIR] [--read-path PATH]... [--protect PATH]... PLUGIN.so
 *
 * The sandbox (docs/sandbox.md) is applied first, before the plugin's .so is loaded: its ELF
 * constructors run at dlopen, so what the sandbox grants (the data directory, the read paths
 * the daemon allowed) comes on the command line, not in INIT.
 *
 * The plugin is loaded with the daemon's own loader and ABI gate, so a plugin built for
 * in-process use runs here unchanged; its MvHost forwards config reads to the table INIT
 * brought, mv_call_invoke() to INVOKE frames, and every log line to LOG frames.  The host is
 * single-threaded and serves one call at a time; the daemon starts several for parallelism.
 *
 * Exit statuses: 0 after SHUTDOWN or when the daemon closed the channel; 78 (EX_CONFIG) when
 * the plugin fails the ABI gate; 70 (EX_SOFTWARE) when the daemon broke the protocol, the sandbox
 * could not be applied or init failed; 64 (EX_USAGE) for bad arguments.
 */
#define G_LOG_DOMAIN "medverse-plugin-host"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-glib/json-glib.h>
#include <mv-host-private.h>

#include "mv-host-channel.h"
#include "mv-sandbox.h"
#include "mv-plugin-loader.h"

#define EXIT_USAGE 64
#define EXIT_SOFTWARE 70
#define EXIT_CONFIG 78
/* The largest answer the host sends: a frame over the channel's limit would make the daemon
 * drop the channel (and count a crash); refused here, it is an error the caller can read.
 * The margin covers the frame's own header and the (v) around the answer. */
#define MAX_ANSWER_BYTES (MV_HOST_CHANNEL_MAX_FRAME - 64u * 1024u)

typedef struct {
	int fd;		   /* the channel; -1 until HELLO is sent (logs go to stderr until then) */
	GMutex write_lock; /* threads a plugin starts may log while the main thread writes */
	MvLoadedPlugin *loaded;
	MvHost *host;
	GHashTable *config; /* key -> value, from INIT */
	/* the call being served (one at a time): its frame id and request id */
	gboolean in_call;
	guint32 call_id;
	gchar *request_id;
	gint64 memory_mb, cpu_seconds, max_files;
	gchar *data_dir;	 /* --data-dir: the one directory the plugin reads */
	gchar **read_paths;	 /* --read-path: files its config names, as the daemon allowed */
	gchar **protected_paths; /* --protect: never granted, whatever the config names */
	gchar *sandbox_report;	 /* logged once the channel carries log lines */
	gchar *log_domain;	 /* "plugin-NAME", the daemon's domain for this plugin's lines */
	/* every call's: nothing in this process cancels a call (the daemon kills a host whose
	 * call runs past its deadline), so one object serves them all instead of a new GObject
	 * per call; a plugin that cancels it anyway gets a fresh one for its next call */
	GCancellable *cancellable;
} HostState;

static HostState state = { .fd = -1 };

static gboolean
send_frame (guint32 kind, guint32 id, GVariant *payload, GError **error)
{
	gboolean ok;

	g_mutex_lock (&state.write_lock);
	ok = mv_host_channel_write (state.fd, kind, id, payload, error);
	g_mutex_unlock (&state.write_lock);
	return ok;
}

/* A frame that cannot be sent means the daemon is gone or the channel broken: nothing left to
 * serve.  Said on stderr, which the daemon's log collects. */
static void
send_or_exit (guint32 kind, guint32 id, GVariant *payload)
{
	g_autoptr (GError) error = NULL;

	if (send_frame (kind, id, payload, &error))
		return;
	/* the daemon logs this behind the plugin's name and pid; the request names the call */
	fprintf (stderr, "medverse-plugin-host: plugin %s, request id %s: %s\n",
		 state.loaded != NULL ? state.loaded->info->name : "?",
		 state.request_id != NULL ? state.request_id : "-", error->message);
	exit (EXIT_SOFTWARE);
}

static const gchar *
field_string (const GLogField *fields, gsize n_fields, const gchar *key)
{
	for (gsize i = 0; i < n_fields; i++)
		if (strcmp (fields[i].key, key) == 0 && fields[i].length < 0)
			return fields[i].value;
	return NULL;
}

/* Every log line of the process (the plugin's mv_host_log/mv_call_log, GLib's own) becomes a
 * LOG frame; the daemon writes it under "plugin-NAME" with the request id of the call. */
static GLogWriterOutput
host_log_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
	const gchar *message = field_string (fields, n_fields, "MESSAGE");
	const gchar *domain = field_string (fields, n_fields, "GLIB_DOMAIN");
	const gchar *rid = state.in_call ? state.request_id : "";
	g_autofree gchar *prefix = NULL;
	g_autofree gchar *text = NULL;

	if (state.fd < 0 || state.loaded == NULL)
		return g_log_writer_standard_streams (level, fields, n_fields, data);
	/* the daemon writes these lines under "plugin-NAME": filtered here as it would filter
	 * them (G_MESSAGES_DEBUG=plugin-NAME or all), so they cost no frame when unwanted */
	if (g_log_writer_default_would_drop (level, state.log_domain))
		return G_LOG_WRITER_HANDLED;
	if (message == NULL)
		message = "";
	/* mv_call_log() put "[request id] " in front: the frame carries the id apart */
	prefix = g_strdup_printf ("[%s] ", rid);
	if (rid[0] != '\0' && g_str_has_prefix (message, prefix))
		message += strlen (prefix);
	/* lines not from the plugin itself (GLib, this host) say where they come from */
	if (domain != NULL && g_strcmp0 (domain, state.loaded->info->name) != 0)
		text = g_strdup_printf ("%s: %s", domain, message);
	if (!send_frame (MV_HOST_FRAME_LOG, state.in_call ? state.call_id : 0,
			 g_variant_new ("(uss)", (guint32)(level & G_LOG_LEVEL_MASK), rid,
					text != NULL ? text : message),
			 NULL))
		return g_log_writer_standard_streams (level, fields, n_fields, data);
	return G_LOG_WRITER_HANDLED;
}

static void
add_args_json (JsonBuilder *builder, const gchar *member, const MvArg *args)
{
	json_builder_set_member_name (builder, member);
	json_builder_begin_array (builder);
	for (guint i = 0; args != NULL && args[i].name != NULL; i++) {
		json_builder_begin_object (builder);
		json_builder_set_member_name (builder, "name");
		json_builder_add_string_value (builder, args[i].name);
		json_builder_set_member_name (builder, "description");
		json_builder_add_string_value (
			builder, args[i].description != NULL ? args[i].description : "");
		json_builder_set_member_name (builder, "flags");
		json_builder_add_int_value (builder, args[i].flags);
		json_builder_end_object (builder);
	}
	json_builder_end_array (builder);
}

/* {"in":[{name,description,flags}…],"out":[…]}: what the types alone do not say */
static gchar *
method_args_json (const MvMethod *method)
{
	g_autoptr (JsonBuilder) builder = json_builder_new ();
	g_autoptr (JsonNode) root = NULL;

	json_builder_begin_object (builder);
	add_args_json (builder, "in", method->in_args);
	add_args_json (builder, "out", method->out_args);
	json_builder_end_object (builder);
	root = json_builder_get_root (builder);
	return json_to_string (root, FALSE);
}

static guint32
method_roles (const MvPluginInfo *info, const gchar *name)
{
	for (const MvMethodRoles *r = info->method_roles; r != NULL && r->method != NULL; r++)
		if (g_strcmp0 (r->method, name) == 0)
			return r->roles;
	return MV_CALLER_ANY;
}

static GVariant *
hello_payload (const MvPluginInfo *info)
{
	GVariantBuilder methods, keys;

	g_variant_builder_init (&methods, G_VARIANT_TYPE ("a(sssssu)"));
	for (const MvMethod *m = info->methods; m != NULL && m->name != NULL; m++) {
		g_autoptr (GVariantType) in = mv_method_get_input_type (m);
		g_autoptr (GVariantType) out = mv_method_get_output_type (m);
		g_autofree gchar *in_s = g_variant_type_dup_string (in);
		g_autofree gchar *out_s = g_variant_type_dup_string (out);
		g_autofree gchar *args = method_args_json (m);

		g_variant_builder_add (&methods, "(sssssu)", m->name,
				       m->description != NULL ? m->description : "", in_s, out_s,
				       args, method_roles (info, m->name));
	}
	g_variant_builder_init (&keys, G_VARIANT_TYPE ("a(ssss)"));
	for (const MvConfigKey *k = info->config_keys; k != NULL && k->name != NULL; k++)
		g_variant_builder_add (&keys, "(ssss)", k->name, k->type,
				       k->default_value != NULL ? k->default_value : "",
				       k->description != NULL ? k->description : "");
	return g_variant_new ("(ss@a(sssssu)@a(ssss))", info->name, info->version,
			      g_variant_builder_end (&methods), g_variant_builder_end (&keys));
}

static gchar *
host_get_config (MvHost *host, const gchar *key)
{
	return g_strdup (state.config != NULL ? g_hash_table_lookup (state.config, key) : NULL);
}

static void
read_or_exit (MvHostFrame *frame)
{
	g_autoptr (GError) error = NULL;

	if (mv_host_channel_read (state.fd, -1, frame, &error))
		return;
	/* the daemon closing the channel is how it says "go away" when it cannot say more */
	if (g_error_matches (error, MV_HOST_CHANNEL_ERROR, MV_HOST_CHANNEL_ERROR_CLOSED))
		exit (0);
	fprintf (stderr, "medverse-plugin-host: plugin %s: bad frame from the daemon: %s\n",
		 state.loaded->info->name, error->message);
	exit (EXIT_SOFTWARE);
}

/* mv_call_invoke() from the plugin: the daemon runs the nested call and answers with the same
 * id; nothing else may come in between (the host is serial). */
static GVariant *
host_invoke (
	MvCall *call, const gchar *plugin, const gchar *method, GVariant *input, GError **error)
{
	g_auto (MvHostFrame) frame = { 0 };

	send_or_exit (MV_HOST_FRAME_INVOKE, state.call_id,
		      g_variant_new ("(ssv)", plugin, method, input));
	read_or_exit (&frame);
	if (frame.id == state.call_id && frame.kind == MV_HOST_FRAME_INVOKE_RESULT) {
		GVariant *output = NULL;
		g_variant_get (frame.payload, "(v)", &output);
		return output;
	}
	if (frame.id == state.call_id && frame.kind == MV_HOST_FRAME_ERROR) {
		g_propagate_error (error, mv_host_error_from_payload (frame.payload));
		return NULL;
	}
	fprintf (stderr,
		 "medverse-plugin-host: plugin %s: frame of kind %u (id %u) during INVOKE\n",
		 state.loaded->info->name, frame.kind, frame.id);
	exit (EXIT_SOFTWARE);
}

static const MvHostVTable host_vtable = {
	.get_config = host_get_config,
	.invoke = host_invoke,
};

static void
handle_init (const MvHostFrame *frame)
{
	const gchar *data_dir;
	g_autoptr (GVariant) table = NULL;
	g_autoptr (GError) error = NULL;
	GVariantIter iter;
	const gchar *key, *value;

	if (state.host != NULL) {
		fprintf (stderr, "medverse-plugin-host: second INIT\n");
		exit (EXIT_SOFTWARE);
	}
	g_variant_get (frame->payload, "(&s@a{ss})", &data_dir, &table);
	state.config = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	g_variant_iter_init (&iter, table);
	while (g_variant_iter_next (&iter, "{&s&s}", &key, &value))
		g_hash_table_insert (state.config, g_strdup (key), g_strdup (value));
	state.host = mv_host_new (state.loaded->info, &host_vtable, data_dir, NULL);
	/* applied in main() before the plugin was loaded; said here, where it reaches the
	 * daemon's log under the plugin's name */
	g_message ("sandbox: %s", state.sandbox_report);

	if (!mv_host_init_plugin (state.host, &error)) {
		send_or_exit (MV_HOST_FRAME_INIT_DONE, frame->id,
			      g_variant_new ("(bs)", FALSE, error->message));
		exit (EXIT_SOFTWARE);
	}
	send_or_exit (MV_HOST_FRAME_INIT_DONE, frame->id, g_variant_new ("(bs)", TRUE, ""));
}

/* The string child @i of @tuple, valid as long as @tuple: a child of a serialised variant
 * points into its parent's buffer (what g_variant_get()'s "&s" gives too). */
static const gchar *
child_string (GVariant *tuple, gsize i)
{
	g_autoptr (GVariant) child = g_variant_get_child_value (tuple, i);
	return g_variant_get_string (child, NULL);
}

static void
handle_call (const MvHostFrame *frame)
{
	const gchar *method_name, *request_id, *clinic_id, *locale;
	g_autoptr (GVariant) input = NULL;
	g_autoptr (GVariant) output = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (MvCall) call = NULL;
	const MvMethod *method;
	guint32 roles;

	/* child by child, not g_variant_get() with a format string: scanning the format costs
	 * more than the rest of the decoding (about 2 of 3.5 µs a call, tests/bench/RESULTS.md) */
	method_name = child_string (frame->payload, 0);
	request_id = child_string (frame->payload, 3);
	clinic_id = child_string (frame->payload, 4);
	locale = child_string (frame->payload, 6);
	{
		g_autoptr (GVariant) boxed = g_variant_get_child_value (frame->payload, 2);
		g_autoptr (GVariant) role_bits = g_variant_get_child_value (frame->payload, 5);
		input = g_variant_get_variant (boxed);
		roles = g_variant_get_uint32 (role_bits);
	}
	if (state.host == NULL) {
		fprintf (stderr, "medverse-plugin-host: CALL before INIT\n");
		exit (EXIT_SOFTWARE);
	}
	method = mv_plugin_info_find_method (state.loaded->info, method_name);
	state.in_call = TRUE;
	state.call_id = frame->id;
	g_free (state.request_id);
	state.request_id = g_strdup (request_id);
	if (method == NULL) {
		g_autofree gchar *en = g_strdup_printf ("plugin %s has no method '%s'",
							state.loaded->info->name, method_name);
		g_autofree gchar *zh = g_strdup_printf ("插件 %s 没有名为“%s”的方法",
							state.loaded->info->name, method_name);
		mv_set_error_bilingual (&error, MV_ERROR_NOT_FOUND, en, zh);
	} else {
		if (state.cancellable == NULL || g_cancellable_is_cancelled (state.cancellable)) {
			g_clear_object (&state.cancellable);
			state.cancellable = g_cancellable_new ();
		}
		call = mv_call_new (state.host, request_id, state.cancellable, NULL);
		mv_call_set_caller (call, clinic_id[0] != '\0' ? clinic_id : NULL,
				    (MvCallerRole)roles, locale);
		output = mv_call_run (call, method, input, &error);
	}
	if (output != NULL && g_variant_get_size (output) > MAX_ANSWER_BYTES) {
		g_autofree gchar *en = g_strdup_printf (
			"plugin %s: %s answered %" G_GSIZE_FORMAT " bytes, over the %u a plugin "
			"process may send; nothing of it was sent",
			state.loaded->info->name, method_name, g_variant_get_size (output),
			MAX_ANSWER_BYTES);
		g_autofree gchar *zh = g_strdup_printf (
			"插件 %s：%s 的结果有 %" G_GSIZE_FORMAT " 字节，超过插件进程可发送的 %u "
			"字节上限；未发送任何内容",
			state.loaded->info->name, method_name, g_variant_get_size (output),
			MAX_ANSWER_BYTES);
		g_warning ("%s", en);
		g_clear_pointer (&output, g_variant_unref);
		mv_set_error_bilingual (&error, MV_ERROR_RESPONSE_TOO_LARGE, en, zh);
	}
	state.in_call = FALSE;
	if (output != NULL)
		send_or_exit (MV_HOST_FRAME_RESULT, frame->id, g_variant_new ("(v)", output));
	else
		send_or_exit (MV_HOST_FRAME_ERROR, frame->id, mv_host_error_to_payload (error));
}

static int
serve (void)
{
	for (;;) {
		g_auto (MvHostFrame) frame = { 0 };

		read_or_exit (&frame);
		switch (frame.kind) {
		case MV_HOST_FRAME_INIT:
			handle_init (&frame);
			break;
		case MV_HOST_FRAME_CALL:
			handle_call (&frame);
			break;
		case MV_HOST_FRAME_SHUTDOWN:
			if (state.host != NULL && state.loaded->info->shutdown != NULL)
				state.loaded->info->shutdown (state.host, state.host->plugin_data);
			return 0;
		default:
			fprintf (stderr,
				 "medverse-plugin-host: plugin %s: unexpected frame kind %u\n",
				 state.loaded->info->name, frame.kind);
			return EXIT_SOFTWARE;
		}
	}
}

/* Everything of the plugin runs sandboxed, its constructors included: this comes before
 * dlopen.  The loader still finds the plugin (granted read and execute) and its libraries
 * (the system directories and those of the libraries this process already runs). */
static gboolean
apply_sandbox (const gchar *plugin_path, int channel_fd, GError **error)
{
	g_auto (GStrv) library_dirs = mv_sandbox_loaded_library_dirs ();
	MvSandboxPolicy policy = {
		.data_dir = state.data_dir,
		.read_paths = (const gchar *const *)state.read_paths,
		.plugin_path = plugin_path,
		.library_dirs = (const gchar *const *)library_dirs,
		.protected_paths = (const gchar *const *)state.protected_paths,
		.channel_fd = channel_fd,
		.memory_bytes = (guint64)state.memory_mb << 20,
		.cpu_seconds = (guint64)state.cpu_seconds,
		.max_files = (guint64)state.max_files,
	};

	return mv_sandbox_apply (&policy, &state.sandbox_report, error);
}

int
main (int argc, char **argv)
{
	gint channel_fd = -1;
	gint64 memory_mb = 1024, cpu_seconds = 0, max_files = 64;
	g_auto (GStrv) rest = NULL;
	const GOptionEntry entries[] = {
		{ "channel-fd", 0, 0, G_OPTION_ARG_INT, &channel_fd, "Inherited channel socket",
		  "FD" },
		{ "memory-mb", 0, 0, G_OPTION_ARG_INT64, &memory_mb, "RLIMIT_AS in MiB (0: leave)",
		  "N" },
		{ "cpu-seconds", 0, 0, G_OPTION_ARG_INT64, &cpu_seconds,
		  "RLIMIT_CPU in seconds (0: leave)", "N" },
		{ "max-files", 0, 0, G_OPTION_ARG_INT64, &max_files, "RLIMIT_NOFILE (0: leave)",
		  "N" },
		{ "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &state.data_dir,
		  "The directory the plugin may read", "DIR" },
		{ "read-path", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &state.read_paths,
		  "A further file or directory the plugin may read (repeatable)", "PATH" },
		{ "protect", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &state.protected_paths,
		  "A path no config value may grant (repeatable)", "PATH" },
		{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rest, NULL, "PLUGIN.so" },
		{ NULL },
	};
	g_autoptr (GOptionContext) context = g_option_context_new ("PLUGIN.so");
	g_autoptr (GError) error = NULL;

	g_log_set_writer_func (host_log_writer, NULL, NULL);
	g_option_context_add_main_entries (context, entries, NULL);
	if (!g_option_context_parse (context, &argc, &argv, &error) || channel_fd < 0
	    || rest == NULL || rest[0] == NULL || rest[1] != NULL || memory_mb < 0
	    || cpu_seconds < 0 || max_files < 0) {
		fprintf (stderr, "medverse-plugin-host: %s\n",
			 error != NULL ? error->message
				       : "usage: --channel-fd FD [limits] PLUGIN.so");
		return EXIT_USAGE;
	}
	state.memory_mb = memory_mb;
	state.cpu_seconds = cpu_seconds;
	state.max_files = max_files;
	g_mutex_init (&state.write_lock);
	if (!apply_sandbox (rest[0], channel_fd, &error)) {
		fprintf (stderr, "medverse-plugin-host: %s\n", error->message);
		return EXIT_SOFTWARE;
	}
	state.loaded = mv_plugin_loader_open (rest[0], &error);
	if (state.loaded == NULL) {
		/* the daemon sees the channel close and this status, and logs both */
		fprintf (stderr, "medverse-plugin-host: refusing plugin %s: %s\n", rest[0],
			 error->message);
		return EXIT_CONFIG;
	}
	state.log_domain = g_strdup_printf ("plugin-%s", state.loaded->info->name);
	state.fd = channel_fd;
	send_or_exit (MV_HOST_FRAME_HELLO, 0, hello_payload (state.loaded->info));
	return serve ();
}
