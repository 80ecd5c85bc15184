/*
 * The daemon's shared services: created once in medversed.c start() after the database is up and
 * handed to the engine, which owns them (mv_engine_set_services()); every resource module
 * reaches them through the engine (its routes' user data comes from them), and they are freed
 * with the engine, after HTTP and D-Bus are gone.
 *
 * The vault can be replaced at run time by a master-key rotation (mv_auth_rotate_master()), so
 * code running in worker threads must read it with mv_services_get_vault(), never cache the
 * pointer beyond one request.  A replaced vault stays alive until mv_services_free(): a request
 * that started with the old vault finishes with it (rotation is rare; keeping a few retired
 * vaults costs 32 bytes of locked memory each).
 */
#pragma once

#include <glib.h>

#include "audit/mv-audit-witness.h"
#include "mv-config.h"
#include "mv-crypto.h"
#include "mv-db.h"

G_BEGIN_DECLS

typedef struct _MvAuth MvAuth;
typedef struct _MvPatientStore MvPatientStore;

typedef struct _MvServices {
	MvConfig *config;	  /* borrowed from the daemon */
	MvDb *db;		  /* borrowed from the daemon */
	MvVault *vault;		  /* owned; read with mv_services_get_vault() */
	MvAuditSigner *signer;	  /* owned; immutable */
	MvAuditWitness *witness;  /* owned: the files every head the signer signs goes to */
	MvAuth *auth;		  /* owned: clinics, keys, authentication */
	MvPatientStore *patients; /* owned */
	/* private */
	GMutex lock;
	GPtrArray *retired_vaults;
	gchar *master_key_path;
} MvServices;

/**
 * mv_services_new:
 * @config: the running configuration (borrowed; must outlive the services)
 * @db: the pool (borrowed; must outlive the services)
 * @dev: development mode: create the master key and audit-signing key files when missing
 * @error: return location for an error
 *
 * Loads the master key (config master_key_file, default <data-dir>/master.key) and the audit
 * signing key (signing_key_file, default <data-dir>/audit-signing.key).  Without @dev a missing
 * key file is an error naming the file and the command that creates one.  Opens the audit
 * witness files (mv_services_witness_paths()); one that cannot be opened is an error.
 *
 * Returns: (transfer full): the services, or %NULL.
 */
MvServices *mv_services_new (MvConfig *config, MvDb *db, gboolean dev, GError **error)
	G_GNUC_WARN_UNUSED_RESULT;

void mv_services_free (MvServices *services);

/**
 * mv_services_dup_master_key_path:
 *
 * Returns: (transfer full): the master key file in use (the file given to the last rotation,
 * if any).  Thread-safe.
 */
gchar *mv_services_dup_master_key_path (MvServices *services);

/**
 * mv_services_get_vault:
 *
 * Returns: (transfer none): the current vault; valid until mv_services_free().  Thread-safe.
 */
MvVault *mv_services_get_vault (MvServices *services);

/**
 * mv_services_replace_vault:
 * @vault: (transfer full): the vault under the new master key
 * @key_path: the file it was loaded from
 *
 * Called by the master-key rotation once the re-wrapped KEKs are committed.  Thread-safe.
 */
void mv_services_replace_vault (MvServices *services, MvVault *vault, const gchar *key_path);

/* The key file paths the configuration names (defaults in the data dir). */
gchar *mv_services_master_key_path (const MvConfig *config);
gchar *mv_services_signing_key_path (const MvConfig *config);
/* The audit witness files the daemon writes: <data-dir>/audit-witness.log, then
 * [audit] external-witness-file if set.  (transfer full) */
GStrv mv_services_witness_paths (const MvConfig *config);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvServices, mv_services_free)

G_END_DECLS
