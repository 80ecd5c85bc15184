/*
 * Clinics and keys made through the admin API (POST /v1/admin/tenants, .../keys), as a test
 * needs them before it can call the patient or audit routes.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* creates a clinic as @token (an operator key) at @url; returns its id */
gchar *mvt_create_tenant (const gchar *url,
			  const gchar *token,
			  const gchar *name) G_GNUC_WARN_UNUSED_RESULT;
/* creates a key with @role in @tenant as @token; returns the key's token, and its id in
 * @key_id if given */
gchar *mvt_create_key (const gchar *url,
		       const gchar *token,
		       const gchar *tenant,
		       const gchar *role,
		       gchar **key_id) G_GNUC_WARN_UNUSED_RESULT;

typedef struct {
	gchar *id;
	gchar *clinician; /* token */
	gchar *clinician_key_id;
	gchar *admin; /* clinic-admin token */
	gchar *admin_key_id;
} MvtClinic;

void mvt_clinic_clear (MvtClinic *clinic);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MvtClinic, mvt_clinic_clear)

/* a new clinic with a random name, a clinician key and a clinic-admin key, made with the
 * operator key of the daemon at @url whose data dir is @data_dir */
void mvt_clinic_make (const gchar *url, const gchar *data_dir, MvtClinic *clinic);

/* a patient key of @patient_id: an invite by @clinic's clinician, redeemed as the patient app
 * does; returns the key's token */
gchar *mvt_patient_token (const gchar *url,
			  const MvtClinic *clinic,
			  const gchar *patient_id) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
