/* The daemon's configuration: one table of known keys, validated before anything starts. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
	MV_BUS_NONE,
	MV_BUS_SESSION,
	MV_BUS_SYSTEM,
} MvBusKind;

typedef struct {
	GKeyFile *keyfile; /* the whole file, plugin groups included */
	gchar *path;	   /* nullable: no file was read */

	gchar *data_dir;
	gchar **plugin_dirs;
	MvBusKind bus;
	guint shutdown_timeout_ms;

	gchar *http_listen; /* ADDR:PORT, or NULL for no HTTP */
	guint64 max_body_bytes;
	guint64 max_response_bytes;
	guint http_threads; /* 0: one per CPU */
	guint http_max_connections;
	guint http_max_connections_per_client; /* 0: no limit */
	guint http_idle_timeout_ms;
	guint http_header_timeout_ms;
	guint http_body_timeout_ms;
	guint http_max_header_bytes;
	guint http_max_headers;
	guint idempotency_hours;   /* answers kept for Idempotency-Key retries */
	guint idempotency_wait_ms; /* a retry waits this long for the first request's answer */

	guint call_timeout_ms;
	guint worker_threads;

	gchar *database_url; /* NULL or "" -> embedded cluster */
	guint pool_size;
	gchar *embedded_user;
	gchar *embedded_bindir;

	guint records_retention_years; /* 0: no retention period */

	gchar *master_key_file;	      /* NULL: <data-dir>/master.key */
	gchar *signing_key_file;      /* NULL: <data-dir>/audit-signing.key */
	gchar *external_witness_file; /* NULL: only <data-dir>/audit-witness.log */
	guint rate_limit_per_second;
	guint rate_limit_burst;
	guint address_rate_limit_per_minute; /* 0: no per-address limit */
	guint address_rate_limit_burst;
} MvConfig;

/* Overrides given on the command line; they win over the file. */
typedef struct {
	gboolean dev;
	const gchar *data_dir;
	const gchar *http_listen;
	const gchar *const *plugin_dirs;
	const gchar *bus;
} MvConfigOverrides;

MvConfig *mv_config_load (const gchar *path,
			  gboolean path_required,
			  const MvConfigOverrides *overrides,
			  GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* The same checks on a file's contents, without overrides or the environment (fuzzing, tests). */
MvConfig *
mv_config_load_from_data (const gchar *text, gsize len, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void mv_config_free (MvConfig *config);
gboolean mv_config_parse_bus (const gchar *text, MvBusKind *bus, GError **error);
const gchar *mv_config_bus_to_string (MvBusKind bus);
gboolean mv_config_uses_embedded_database (const MvConfig *config);
/* What SIGHUP cannot apply: "[group] key" for every daemon key whose value differs between
 * @running and @fresh, other than those applied at once ([http] max-body-bytes, [plugins]
 * call-timeout-ms), and "[plugin.NAME]" for every plugin group that changed.  (transfer full),
 * empty when nothing needs a restart. */
gchar **mv_config_restart_changes (const MvConfig *running,
				   const MvConfig *fresh) G_GNUC_WARN_UNUSED_RESULT;

/* Writes the documented example configuration (every key, its default, its meaning). */
gchar *mv_config_example (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvConfig, mv_config_free)

G_END_DECLS
