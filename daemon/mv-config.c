/* Configuration: the table below is the single list of daemon keys.  It drives validation (an
 * unknown key or a bad value is an error naming it), defaults, and the example file the
 * packaging installs (medversed --print-config-example), so none of them can drift apart. */
#define G_LOG_DOMAIN "medverse-config"

#include "config.h"

#include <medverse/mv-error.h>
#include <string.h>

#include "mv-config.h"
#include "mv-plugin-process.h"

typedef enum {
	KEY_STRING,
	KEY_STRING_LIST,
	KEY_UINT,
	KEY_BUS,
} KeyType;

typedef struct {
	const gchar *group;
	const gchar *key;
	KeyType type;
	const gchar *default_value; /* as written in the file; NULL = unset */
	guint64 min, max;	    /* KEY_UINT only */
	gsize offset;		    /* into MvConfig */
	const gchar *doc;
	const gchar *example; /* shown in the example file when the default depends on the build */
} KeyDef;

#define OFF(f) G_STRUCT_OFFSET (MvConfig, f)

static const KeyDef key_defs[] = {
	{ "daemon", "data-dir", KEY_STRING, MV_LOCALSTATEDIR, 0, 0, OFF (data_dir),
	  "State directory: embedded PostgreSQL cluster, keys, runtime files. $STATE_DIRECTORY "
	  "and --data-dir override it.",
	  "/var/lib/medverse" },
	{ "daemon", "plugin-dirs", KEY_STRING_LIST, MV_PLUGINDIR, 0, 0, OFF (plugin_dirs),
	  "Directories scanned for plugin .so files, ';'-separated. --plugin-dir replaces it.",
	  "/usr/lib/x86_64-linux-gnu/medverse/plugins" },
	{ "daemon", "bus", KEY_BUS, "system", 0, 0, OFF (bus),
	  "D-Bus bus to own org.medverse.Health1 on: system, session or none." },
	{ "daemon", "shutdown-timeout-ms", KEY_UINT, "10000", 0, 600000, OFF (shutdown_timeout_ms),
	  "On SIGTERM, how long in-flight requests may take to finish before the daemon exits." },
	{ "http", "listen", KEY_STRING, "127.0.0.1:8080", 0, 0, OFF (http_listen),
	  "ADDR:PORT the HTTP API listens on (port 0 picks a free one); empty disables HTTP. "
	  "Put a TLS-terminating proxy in front of it for anything but loopback." },
	{ "http", "max-body-bytes", KEY_UINT, "1048576", 64, 64 * 1024 * 1024, OFF (max_body_bytes),
	  "Largest accepted request body; larger requests get 413 before the body is read. It also "
	  "bounds POST /v1/nlp/symptoms: with the default, a text near the symptom parser's "
	  "max-text-bytes (1 MiB) is refused here; raise it (e.g. 2097152) to accept such texts." },
	{ "http", "max-response-bytes", KEY_UINT, "8388608", 1024, 1024 * 1024 * 1024,
	  OFF (max_response_bytes),
	  "Largest response the daemon sends; a larger answer (a plugin's, typically) is refused "
	  "with 500 response-too-large naming this limit, never sent in part." },
	{ "http", "threads", KEY_UINT, "0", 0, 64, OFF (http_threads),
	  "Threads reading and writing connections (each runs an event loop over its share); 0 is "
	  "one per CPU. Route handlers run in worker threads of their own." },
	{ "http", "max-connections", KEY_UINT, "1024", 1, 1000000, OFF (http_max_connections),
	  "Open client connections at most; more are closed at once. Capped below the process's "
	  "descriptor limit (RLIMIT_NOFILE) so the database and plugins always have descriptors." },
	{ "http", "max-connections-per-client", KEY_UINT, "256", 0, 1000000,
	  OFF (http_max_connections_per_client),
	  "Open connections from one client address at most; 0 is no per-address limit. Behind a "
	  "proxy every connection comes from the proxy's address: raise it or set 0 there." },
	{ "http", "idle-timeout-ms", KEY_UINT, "60000", 100, 3600000, OFF (http_idle_timeout_ms),
	  "A connection waiting for its next request, or sending nothing at all, is closed after "
	  "this long." },
	{ "http", "header-timeout-ms", KEY_UINT, "10000", 100, 600000, OFF (http_header_timeout_ms),
	  "A request's headers must be complete this long after its request line; otherwise 408 "
	  "and the connection is closed (slow-header attacks)." },
	{ "http", "body-timeout-ms", KEY_UINT, "30000", 100, 3600000, OFF (http_body_timeout_ms),
	  "A request's body must be complete this long after its headers; otherwise 408 and the "
	  "connection is closed (slow or short bodies)." },
	{ "http", "max-header-bytes", KEY_UINT, "16384", 1024, 1048576, OFF (http_max_header_bytes),
	  "Largest request line plus headers; larger requests get 431." },
	{ "http", "max-headers", KEY_UINT, "100", 8, 10000, OFF (http_max_headers),
	  "Most header fields in one request; more get 431." },
	{ "http", "idempotency-hours", KEY_UINT, "24", 1, 720, OFF (idempotency_hours),
	  "How long the answer of a POST sent with an Idempotency-Key is kept: the same key and "
	  "request within this time get the first answer again instead of running twice (across "
	  "every daemon on the database). The answers are sealed; expired ones are purged." },
	{ "http", "idempotency-wait-ms", KEY_UINT, "10000", 0, 600000, OFF (idempotency_wait_ms),
	  "A request whose Idempotency-Key another request (on any daemon) is still running waits "
	  "this long for that answer, then gets 409 conflict (retry with the same key)." },
	{ "plugins", "call-timeout-ms", KEY_UINT, "10000", 10, 3600000, OFF (call_timeout_ms),
	  "Time limit of one plugin call; past it the caller gets 504 and the call is cancelled." },
	{ "plugins", "worker-threads", KEY_UINT, "8", 1, 256, OFF (worker_threads),
	  "Workers of each plugin: a plugin runs at most this many calls at once, and calls beyond "
	  "wait for one of its workers (at most call-timeout-ms, then 504 without starting). Each "
	  "plugin has its own, so one slow plugin never takes another's workers." },
	{ "database", "url", KEY_STRING, NULL, 0, 0, OFF (database_url),
	  "libpq connection string or URI. Unset: a private PostgreSQL cluster in <data-dir>/pg "
	  "(always with --dev)." },
	{ "database", "pool-size", KEY_UINT, "8", 1, 256, OFF (pool_size),
	  "Connections kept to the database." },
	{ "database", "embedded-user", KEY_STRING, "postgres", 0, 0, OFF (embedded_user),
	  "When medversed runs as root, the unprivileged user that runs the embedded cluster." },
	{ "database", "embedded-bindir", KEY_STRING, NULL, 0, 0, OFF (embedded_bindir),
	  "Directory of initdb/pg_ctl for the embedded cluster; unset finds PostgreSQL itself." },
	{ "vault", "master-key-file", KEY_STRING, NULL, 0, 0, OFF (master_key_file),
	  "Master key wrapping every clinic key: 32 bytes, written as 64 hex digits (a final "
	  "newline allowed) or as 32 raw bytes; mode 0600, owned by the daemon's user. Unset: "
	  "<data-dir>/master.key (the package's postinst creates it, --dev too)." },
	{ "audit", "signing-key-file", KEY_STRING, NULL, 0, 0, OFF (signing_key_file),
	  "Ed25519 key signing the audit log's tree heads: its 32-byte seed, as 64 hex digits "
	  "(a final newline allowed) or 32 raw bytes; mode 0600. Unset: "
	  "<data-dir>/audit-signing.key (the package's postinst creates it, --dev too)." },
	{ "audit", "external-witness-file", KEY_STRING, NULL, 0, 0, OFF (external_witness_file),
	  "A second audit witness file, ideally on another mount or host the database cannot "
	  "reach (an NFS share, an append-only volume), one per daemon. Every signed tree head is "
	  "appended to <data-dir>/audit-witness.log and to this file after its commit, and "
	  "`medversectl audit verify` checks the database against both, so entries deleted from "
	  "the end of a tree, or a whole tree, are reported. Unset: the local file only." },
	{ "records", "retention-years", KEY_UINT, "15", 0, 100, OFF (records_retention_years),
	  "Years a patient's record is kept after its last change before a clinic admin may erase "
	  "it (DELETE /v1/patients/{id}); inside the period only the operator can, with "
	  "force=true. China's outpatient rule is at least 15 years. 0 keeps no retention "
	  "period." },
	{ "auth", "rate-limit-per-second", KEY_UINT, "20", 1, 100000, OFF (rate_limit_per_second),
	  "Requests per second each API key may make on average (token bucket); more get 429." },
	{ "auth", "rate-limit-burst", KEY_UINT, "40", 1, 1000000, OFF (rate_limit_burst),
	  "Requests an API key may make at once before the per-second rate applies." },
	{ "auth", "address-rate-limit-per-minute", KEY_UINT, "30", 0, 100000,
	  OFF (address_rate_limit_per_minute),
	  "Attempts per minute each client address may make on average at what needs no key "
	  "(invite redemption) and at authentication that fails (a bad, revoked or expired key "
	  "on any route); more get 429 with Retry-After, before the key is even looked at. Kept "
	  "in memory per daemon instance, by the TCP peer's address (a proxy's, behind one; "
	  "IPv6 by /64). 0 turns it off." },
	{ "auth", "address-rate-limit-burst", KEY_UINT, "30", 1, 100000,
	  OFF (address_rate_limit_burst),
	  "Such attempts a client address may make at once before the per-minute rate applies." },
};

/* byte counts are guint64 fields; every other KEY_UINT is a guint */
static gboolean
key_is_64_bit (const KeyDef *def)
{
	return def->offset == OFF (max_body_bytes) || def->offset == OFF (max_response_bytes);
}

static const KeyDef *
find_key (const gchar *group, const gchar *key)
{
	for (guint i = 0; i < G_N_ELEMENTS (key_defs); i++) {
		if (strcmp (key_defs[i].group, group) == 0 && strcmp (key_defs[i].key, key) == 0)
			return &key_defs[i];
	}
	return NULL;
}

static gboolean
group_is_known (const gchar *group)
{
	if (g_str_has_prefix (group, "plugin."))
		return TRUE; /* checked against the plugin's declared keys once it is loaded */
	for (guint i = 0; i < G_N_ELEMENTS (key_defs); i++) {
		if (strcmp (key_defs[i].group, group) == 0)
			return TRUE;
	}
	return FALSE;
}

gboolean
mv_config_parse_bus (const gchar *text, MvBusKind *bus, GError **error)
{
	if (g_strcmp0 (text, "system") == 0)
		*bus = MV_BUS_SYSTEM;
	else if (g_strcmp0 (text, "session") == 0)
		*bus = MV_BUS_SESSION;
	else if (g_strcmp0 (text, "none") == 0)
		*bus = MV_BUS_NONE;
	else {
		g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
			     "bus '%s' is not one of system, session, none", text);
		return FALSE;
	}
	return TRUE;
}

const gchar *
mv_config_bus_to_string (MvBusKind bus)
{
	return bus == MV_BUS_SYSTEM ? "system" : bus == MV_BUS_SESSION ? "session" : "none";
}

/* Stores @text (from the file or a default) into the field @def describes. */
static gboolean
set_value (MvConfig *config, const KeyDef *def, const gchar *text, GError **error)
{
	gpointer field = G_STRUCT_MEMBER_P (config, def->offset);
	g_autoptr (GError) error_local = NULL;

	switch (def->type) {
	case KEY_STRING:
		g_free (*(gchar **)field);
		*(gchar **)field = g_strdup (text);
		return TRUE;
	case KEY_STRING_LIST:
		g_strfreev (*(gchar ***)field);
		*(gchar ***)field = text != NULL ? g_strsplit (text, ";", -1) : NULL;
		return TRUE;
	case KEY_BUS:
		if (!mv_config_parse_bus (text, field, &error_local))
			break;
		return TRUE;
	case KEY_UINT: {
		guint64 value;
		if (!g_ascii_string_to_unsigned (text, 10, def->min, def->max, &value,
						 &error_local))
			break;
		if (key_is_64_bit (def))
			*(guint64 *)field = value;
		else
			*(guint *)field = (guint)value;
		return TRUE;
	}
	}
	g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT, "[%s] %s: %s", def->group, def->key,
		     error_local->message);
	return FALSE;
}

static gboolean
apply_file (MvConfig *config, GError **error)
{
	g_auto (GStrv) groups = g_key_file_get_groups (config->keyfile, NULL);

	for (guint i = 0; groups[i] != NULL; i++) {
		g_auto (GStrv) keys = NULL;
		if (!group_is_known (groups[i])) {
			g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
				     "%s: unknown group [%s]", config->path, groups[i]);
			return FALSE;
		}
		if (g_str_has_prefix (groups[i], "plugin."))
			continue;
		keys = g_key_file_get_keys (config->keyfile, groups[i], NULL, NULL);
		for (guint j = 0; keys[j] != NULL; j++) {
			const KeyDef *def = find_key (groups[i], keys[j]);
			g_autofree gchar *value = NULL;
			g_autoptr (GError) error_local = NULL;

			if (def == NULL) {
				g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
					     "%s: [%s] %s: unknown key", config->path, groups[i],
					     keys[j]);
				return FALSE;
			}
			value = g_key_file_get_string (config->keyfile, groups[i], keys[j],
						       &error_local);
			if (value == NULL) {
				g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
					     "%s: [%s] %s: %s", config->path, groups[i], keys[j],
					     error_local->message);
				return FALSE;
			}
			if (!set_value (config, def, value, error)) {
				g_prefix_error (error, "%s: ", config->path);
				return FALSE;
			}
		}
	}
	return TRUE;
}

static gboolean
apply_overrides (MvConfig *config, const MvConfigOverrides *o, GError **error)
{
	const gchar *state_dir = g_getenv ("STATE_DIRECTORY");
	const gchar *env_data_dir = g_getenv ("MEDVERSE_DATA_DIR");
	const gchar *env_plugin_dir = g_getenv ("MEDVERSE_PLUGIN_DIR");

	/* the variables systemd sets, then ours, then the command line */
	if (state_dir != NULL && state_dir[0] != '\0') {
		g_free (config->data_dir);
		config->data_dir = g_strdup (state_dir);
	}
	if (env_data_dir != NULL && env_data_dir[0] != '\0') {
		g_free (config->data_dir);
		config->data_dir = g_strdup (env_data_dir);
	}
	if (env_plugin_dir != NULL && env_plugin_dir[0] != '\0') {
		g_strfreev (config->plugin_dirs);
		config->plugin_dirs = g_strsplit (env_plugin_dir, ":", -1);
	}
	if (o == NULL)
		return TRUE;
	if (o->data_dir != NULL) {
		g_free (config->data_dir);
		config->data_dir = g_strdup (o->data_dir);
	}
	if (o->http_listen != NULL) {
		g_free (config->http_listen);
		config->http_listen = g_strdup (o->http_listen);
	}
	if (o->plugin_dirs != NULL && o->plugin_dirs[0] != NULL) {
		g_strfreev (config->plugin_dirs);
		config->plugin_dirs = g_strdupv ((gchar **)o->plugin_dirs);
	}
	if (o->bus != NULL && !mv_config_parse_bus (o->bus, &config->bus, error)) {
		g_prefix_error (error, "--bus: ");
		return FALSE;
	}
	if (o->dev) {
		/* --dev always uses the private cluster, whatever the file says */
		g_clear_pointer (&config->database_url, g_free);
	}
	return TRUE;
}

static gboolean
check_listen (const gchar *listen, GError **error)
{
	const gchar *colon;
	guint64 port;

	if (listen == NULL || listen[0] == '\0')
		return TRUE;
	colon = strrchr (listen, ':');
	if (colon == NULL || colon == listen
	    || !g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &port, NULL)) {
		g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
			     "[http] listen: '%s' is not ADDR:PORT", listen);
		return FALSE;
	}
	return TRUE;
}

static gboolean
load_text (MvConfig *config, const gchar *text, gsize len, GError **error)
{
	/* GKeyFile takes any bytes; values must be text a log line can carry */
	if (!g_utf8_validate (text, (gssize)len, NULL)) {
		g_set_error_literal (error, MV_ERROR, MV_ERROR_INVALID_INPUT, "not valid UTF-8");
		return FALSE;
	}
	return g_key_file_load_from_data (config->keyfile, text, len, G_KEY_FILE_NONE, error);
}

MvConfig *
mv_config_load_from_data (const gchar *text, gsize len, GError **error)
{
	g_autoptr (MvConfig) config = g_new0 (MvConfig, 1);
	g_autoptr (GError) error_local = NULL;

	config->keyfile = g_key_file_new ();
	config->path = g_strdup ("(data)");
	for (guint i = 0; i < G_N_ELEMENTS (key_defs); i++) {
		if (key_defs[i].default_value != NULL
		    && !set_value (config, &key_defs[i], key_defs[i].default_value, error))
			return NULL;
	}
	if (!load_text (config, text, len, &error_local)) {
		g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT, "%s", error_local->message);
		return NULL;
	}
	if (!apply_file (config, error) || !check_listen (config->http_listen, error))
		return NULL;
	return g_steal_pointer (&config);
}

MvConfig *
mv_config_load (const gchar *path,
		gboolean path_required,
		const MvConfigOverrides *overrides,
		GError **error)
{
	g_autoptr (MvConfig) config = g_new0 (MvConfig, 1);

	config->keyfile = g_key_file_new ();
	for (guint i = 0; i < G_N_ELEMENTS (key_defs); i++) {
		if (key_defs[i].default_value == NULL)
			continue;
		if (!set_value (config, &key_defs[i], key_defs[i].default_value, error))
			return NULL;
	}
	if (path != NULL && (path_required || g_file_test (path, G_FILE_TEST_EXISTS))) {
		g_autofree gchar *text = NULL;
		gsize len = 0;
		g_autoptr (GError) error_local = NULL;

		config->path = g_strdup (path);
		if (!g_file_get_contents (path, &text, &len, &error_local)
		    || !load_text (config, text, len, &error_local)) {
			g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT, "%s: %s", path,
				     error_local->message);
			return NULL;
		}
		if (!apply_file (config, error))
			return NULL;
	}
	if (!apply_overrides (config, overrides, error))
		return NULL;
	if (!check_listen (config->http_listen, error))
		return NULL;
	if (config->data_dir == NULL || !g_path_is_absolute (config->data_dir)) {
		g_autofree gchar *abs
			= g_canonicalize_filename (config->data_dir ? config->data_dir : ".", NULL);
		g_free (config->data_dir);
		config->data_dir = g_steal_pointer (&abs);
	}
	if (config->master_key_file == NULL)
		config->master_key_file = g_build_filename (config->data_dir, "master.key", NULL);
	if (config->signing_key_file == NULL)
		config->signing_key_file
			= g_build_filename (config->data_dir, "audit-signing.key", NULL);
	return g_steal_pointer (&config);
}

/* The keys a running daemon applies on SIGHUP; every other key is read once at start-up. */
static const struct {
	const gchar *group;
	const gchar *key;
} reloadable_keys[] = {
	{ "http", "max-body-bytes" },
	{ "http", "max-response-bytes" },
	{ "plugins", "call-timeout-ms" },
};

static gboolean
key_is_reloadable (const KeyDef *def)
{
	for (guint i = 0; i < G_N_ELEMENTS (reloadable_keys); i++) {
		if (strcmp (reloadable_keys[i].group, def->group) == 0
		    && strcmp (reloadable_keys[i].key, def->key) == 0)
			return TRUE;
	}
	return FALSE;
}

static gboolean
value_equal (const MvConfig *a, const MvConfig *b, const KeyDef *def)
{
	gconstpointer fa = G_STRUCT_MEMBER_P (a, def->offset);
	gconstpointer fb = G_STRUCT_MEMBER_P (b, def->offset);

	switch (def->type) {
	case KEY_STRING:
		return g_strcmp0 (*(gchar *const *)fa, *(gchar *const *)fb) == 0;
	case KEY_STRING_LIST: {
		const gchar *const *la = *(const gchar *const *const *)fa;
		const gchar *const *lb = *(const gchar *const *const *)fb;
		if (la == NULL || lb == NULL)
			return la == lb;
		return g_strv_equal (la, lb);
	}
	case KEY_BUS:
		return *(const MvBusKind *)fa == *(const MvBusKind *)fb;
	case KEY_UINT:
		if (key_is_64_bit (def))
			return *(const guint64 *)fa == *(const guint64 *)fb;
		return *(const guint *)fa == *(const guint *)fb;
	}
	return FALSE;
}

/* TRUE when @group holds the same keys with the same values in both files */
static gboolean
group_equal (GKeyFile *a, GKeyFile *b, const gchar *group)
{
	g_auto (GStrv) keys_a = g_key_file_get_keys (a, group, NULL, NULL);
	g_auto (GStrv) keys_b = g_key_file_get_keys (b, group, NULL, NULL);

	if (keys_a == NULL || keys_b == NULL)
		return keys_a == keys_b;
	if (g_strv_length (keys_a) != g_strv_length (keys_b))
		return FALSE;
	for (guint i = 0; keys_a[i] != NULL; i++) {
		g_autofree gchar *va = g_key_file_get_value (a, group, keys_a[i], NULL);
		g_autofree gchar *vb = g_key_file_get_value (b, group, keys_a[i], NULL);
		if (vb == NULL || g_strcmp0 (va, vb) != 0)
			return FALSE;
	}
	return TRUE;
}

static void
add_changed_plugin_groups (GPtrArray *changed, GKeyFile *from, GKeyFile *to, gboolean both_ways)
{
	g_auto (GStrv) groups = g_key_file_get_groups (from, NULL);

	for (guint i = 0; groups[i] != NULL; i++) {
		if (!g_str_has_prefix (groups[i], "plugin."))
			continue;
		/* a group only in @to is found when called the other way round */
		if (!both_ways && g_key_file_has_group (to, groups[i]))
			continue;
		if (!group_equal (from, to, groups[i]))
			g_ptr_array_add (changed, g_strdup_printf ("[%s]", groups[i]));
	}
}

gchar **
mv_config_restart_changes (const MvConfig *running, const MvConfig *fresh)
{
	GPtrArray *changed = g_ptr_array_new ();

	for (guint i = 0; i < G_N_ELEMENTS (key_defs); i++) {
		const KeyDef *def = &key_defs[i];
		if (!key_is_reloadable (def) && !value_equal (running, fresh, def))
			g_ptr_array_add (changed,
					 g_strdup_printf ("[%s] %s", def->group, def->key));
	}
	/* plugins copy their group at load time: any change there needs a restart */
	add_changed_plugin_groups (changed, running->keyfile, fresh->keyfile, TRUE);
	add_changed_plugin_groups (changed, fresh->keyfile, running->keyfile, FALSE);
	g_ptr_array_add (changed, NULL);
	return (gchar **)g_ptr_array_free (changed, FALSE);
}

gboolean
mv_config_uses_embedded_database (const MvConfig *config)
{
	return config->database_url == NULL || config->database_url[0] == '\0';
}

void
mv_config_free (MvConfig *config)
{
	if (config == NULL)
		return;
	g_key_file_unref (config->keyfile);
	g_free (config->path);
	g_free (config->data_dir);
	g_strfreev (config->plugin_dirs);
	g_free (config->http_listen);
	g_free (config->database_url);
	g_free (config->embedded_user);
	g_free (config->embedded_bindir);
	g_free (config->master_key_file);
	g_free (config->signing_key_file);
	g_free (config->external_witness_file);
	g_free (config);
}

/* "# "-prefixed lines of at most 80 columns */
static gchar *
wrap_comment (const gchar *text)
{
	g_auto (GStrv) words = g_strsplit (text, " ", -1);
	GString *out = g_string_new ("#");
	gsize column = 1;

	for (guint i = 0; words[i] != NULL; i++) {
		gsize len = strlen (words[i]);
		if (column + 1 + len > 80) {
			g_string_append (out, "\n#");
			column = 1;
		}
		g_string_append_printf (out, " %s", words[i]);
		column += 1 + len;
	}
	g_string_append_c (out, '\n');
	return g_string_free (out, FALSE);
}

gchar *
mv_config_example (void)
{
	GString *out = g_string_new (
		"# medversed.conf — configuration of the Medverse daemon.\n"
		"# Every key is listed with its default, commented out.  Unknown keys and bad\n"
		"# values stop the daemon at start-up with a message naming the key.\n"
		"#\n"
		"# Plugins read their own group, [plugin.NAME], with the keys their README\n"
		"# lists; a key a plugin does not declare refuses that plugin.  Every plugin\n"
		"# also takes `data-dir`, the directory of its data files.\n");
	const gchar *group = NULL;

	for (guint i = 0; i < G_N_ELEMENTS (key_defs); i++) {
		const KeyDef *def = &key_defs[i];
		if (g_strcmp0 (group, def->group) != 0) {
			group = def->group;
			g_string_append_printf (out, "\n[%s]\n", group);
		}
		g_autofree gchar *wrapped = wrap_comment (def->doc);
		g_string_append_printf (out, "\n%s", wrapped);
		if (def->type == KEY_UINT)
			g_string_append_printf (
				out, "# range: %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT "\n",
				def->min, def->max);
		if (def->example != NULL)
			g_string_append (
				out,
				"# default: set at build time; packages use the value below\n");
		g_string_append_printf (out, "#%s=%s\n", def->key,
					def->example != NULL	     ? def->example
					: def->default_value != NULL ? def->default_value
								     : "");
	}
	{
		/* the isolation keys every [plugin.NAME] group may hold: their own table */
		g_autofree gchar *isolation = mv_isolation_config_example ();
		g_string_append (out, isolation);
	}
	return g_string_free (out, FALSE);
}
