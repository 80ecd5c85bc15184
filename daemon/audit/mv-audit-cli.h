/*
 * Medverse audit — `medversectl [--config FILE | --data-dir DIR] audit verify [--clinic ID]
 * [--public-key HEX]`: reads the database directly (no D-Bus, the daemon running or not),
 * recomputes every tree and checks every stored signed tree head.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MV_AUDIT_CLI_OK 0
#define MV_AUDIT_CLI_TAMPERED 1
#define MV_AUDIT_CLI_USAGE 2

/**
 * mv_audit_cli_run:
 * @config_path: (nullable): --config FILE
 * @data_dir: (nullable): --data-dir DIR (wins over the file's data dir)
 * @argc: arguments after "audit"
 * @argv: (array length=argc): e.g. {"verify", "--clinic", "ID"}
 *
 * Prints a line per tree to stdout, failures to stderr.
 *
 * Returns: 0 when every tree is intact, 1 when one is not, 2 on a usage, key or connection
 *   error
 */
int mv_audit_cli_run (const gchar *config_path, const gchar *data_dir, int argc, gchar **argv);

G_END_DECLS
