#define G_LOG_DOMAIN "medversed"

#include "mv-services.h"

#include "auth/mv-auth.h"
#include "patients/mv-patient-store.h"

#include <medverse/mv-error.h>

gchar *
mv_services_master_key_path (const MvConfig *config)
{
	if (config->master_key_file != NULL && config->master_key_file[0] != '\0')
		return g_strdup (config->master_key_file);
	return g_build_filename (config->data_dir, "master.key", NULL);
}

gchar *
mv_services_signing_key_path (const MvConfig *config)
{
	if (config->signing_key_file != NULL && config->signing_key_file[0] != '\0')
		return g_strdup (config->signing_key_file);
	return g_build_filename (config->data_dir, "audit-signing.key", NULL);
}

GStrv
mv_services_witness_paths (const MvConfig *config)
{
	g_autoptr (GStrvBuilder) paths = g_strv_builder_new ();
	g_autofree gchar *local
		= g_build_filename (config->data_dir, MV_AUDIT_WITNESS_FILE_NAME, NULL);

	g_strv_builder_add (paths, local);
	if (config->external_witness_file != NULL && config->external_witness_file[0] != '\0')
		g_strv_builder_add (paths, config->external_witness_file);
	return g_strv_builder_end (paths);
}

/* --dev creates a missing key file; production refuses to start, naming the file and the
 * command that makes one (a daemon that silently made a new master key would lose access to
 * every patient record sealed under the old one). */
static gboolean
ensure_key_file (const gchar *path,
		 const gchar *what,
		 const gchar *config_key,
		 gboolean dev,
		 gboolean (*generate) (const gchar *, GError **),
		 GError **error)
{
	if (g_file_test (path, G_FILE_TEST_EXISTS))
		return TRUE;
	if (!dev) {
		g_set_error (
			error, MV_ERROR, MV_ERROR_FAILED,
			"%s file %s does not exist: create one with "
			"`(umask 077 && openssl rand -hex 32 > %s)` as the daemon's user, or set "
			"%s in the configuration",
			what, path, path, config_key);
		return FALSE;
	}
	if (!generate (path, error)) {
		g_prefix_error (error, "creating the %s: ", what);
		return FALSE;
	}
	g_message ("--dev: created a new %s at %s (mode 0600)", what, path);
	return TRUE;
}

MvServices *
mv_services_new (MvConfig *config, MvDb *db, gboolean dev, GError **error)
{
	g_autoptr (MvServices) s = g_new0 (MvServices, 1);
	g_autofree gchar *signing_path = mv_services_signing_key_path (config);
	g_auto (GStrv) witness_paths = NULL;

	g_mutex_init (&s->lock);
	s->retired_vaults = g_ptr_array_new_with_free_func ((GDestroyNotify)mv_vault_free);
	s->config = config;
	s->db = db;
	s->master_key_path = mv_services_master_key_path (config);
	if (!ensure_key_file (s->master_key_path, "master key", "[vault] master-key-file", dev,
			      mv_vault_generate_key_file, error))
		return NULL;
	if (!ensure_key_file (signing_path, "audit signing key", "[audit] signing-key-file", dev,
			      mv_audit_signer_generate_key_file, error))
		return NULL;
	s->vault = mv_vault_new_from_key_file (s->master_key_path, error);
	if (s->vault == NULL)
		return NULL;
	s->signer = mv_audit_signer_new_from_key_file (signing_path, error);
	if (s->signer == NULL)
		return NULL;
	witness_paths = mv_services_witness_paths (config);
	s->witness = mv_audit_witness_open ((const gchar *const *)witness_paths, error);
	if (s->witness == NULL)
		return NULL;
	g_message ("vault ready (master key id %s)", mv_vault_get_master_key_id (s->vault));
	s->auth = mv_auth_new (s);
	s->patients = mv_patient_store_new (s);
	return g_steal_pointer (&s);
}

MvVault *
mv_services_get_vault (MvServices *services)
{
	return g_atomic_pointer_get (&services->vault);
}

gchar *
mv_services_dup_master_key_path (MvServices *services)
{
	gchar *path;
	g_mutex_lock (&services->lock);
	path = g_strdup (services->master_key_path);
	g_mutex_unlock (&services->lock);
	return path;
}

void
mv_services_replace_vault (MvServices *services, MvVault *vault, const gchar *key_path)
{
	MvVault *old;

	g_mutex_lock (&services->lock);
	old = g_atomic_pointer_exchange (&services->vault, vault);
	if (old != NULL)
		g_ptr_array_add (services->retired_vaults, old);
	g_free (services->master_key_path);
	services->master_key_path = g_strdup (key_path);
	g_mutex_unlock (&services->lock);
}

void
mv_services_free (MvServices *services)
{
	if (services == NULL)
		return;
	/* the modules use the vault and the signer: they go first */
	g_clear_pointer (&services->patients, mv_patient_store_free);
	g_clear_pointer (&services->auth, mv_auth_free);
	g_clear_pointer (&services->vault, mv_vault_free);
	g_clear_pointer (&services->signer, mv_audit_signer_free);
	g_clear_pointer (&services->witness, mv_audit_witness_free);
	g_clear_pointer (&services->retired_vaults, g_ptr_array_unref);
	g_free (services->master_key_path);
	g_mutex_clear (&services->lock);
	g_free (services);
}
