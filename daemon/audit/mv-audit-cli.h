/*
 * Medverse audit — `medversectl [--config FILE | --data-dir DIR] audit verify [--clinic ID]
 * [--public-key HEX] [--witness FILE…]`: reads the witness files and then the database
 * directly (no D-Bus, the daemon running or not), recomputes every tree, checks every stored
 * signed tree head, and checks the database against every witnessed head (docs/security.md,
 * "Verification").
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
 * Prints a line per witness file and per tree to stdout, failures and witness lines ignored
 * (torn by a crash, malformed) to stderr.  Without --witness it reads the daemon's witness
 * files (mv_services_witness_paths()); one that does not exist is a warning, not an error.
 *
 * Returns: 0 when every tree is intact, 1 when one is not (altered, rolled back, rewritten,
 *   deleted, or missing although its clinic has patients or keys), 2 on a usage, key, witness
 *   file or connection error
 */
int mv_audit_cli_run (const gchar *config_path, const gchar *data_dir, int argc, gchar **argv);

G_END_DECLS
