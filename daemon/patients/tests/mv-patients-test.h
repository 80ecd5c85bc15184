/* Fixture of the patient-store tests: a throwaway PostgreSQL cluster with every migration, the
 * daemon's services (vault and audit signer from fresh key files) and two clinics. */
#pragma once

#include <libpq-fe.h>

#include "mv-auth-context.h"
#include "mv-pg-embedded.h"
#include "mv-patient-store.h"
#include "mv-services.h"

G_BEGIN_DECLS

typedef struct {
	MvPgEmbedded *pg;
	gchar *dir;
	MvConfig *config;
	MvDb *db;
	MvServices *services;
	MvPatientStore *store;
	gchar *clinic_a;
	gchar *clinic_b;
	MvAuthContext clinician_a; /* key "ka-clinician" of clinic A */
	MvAuthContext clinician_b; /* key "kb-clinician" of clinic B */
	MvAuthContext admin_a;	   /* key "ka-admin" of clinic A: erases patients */
	MvAuthContext admin_b;	   /* key "kb-admin" of clinic B */
} MvtPatients;

extern MvtPatients mvt;

void mvt_patients_setup (void);
void mvt_patients_teardown (void);

/* a new clinic row with a fresh KEK wrapped by the current master; returns its id */
gchar *mvt_patients_add_clinic (const gchar *name);

/* a connection for direct SQL; give it back with mv_db_release (mvt.db, conn) */
PGconn *mvt_patients_conn (void);

/* the first column of the first row of @sql with @n parameters (NULL for no row) */
gchar *mvt_patients_query (const gchar *sql, gint n, const gchar *const *values);

/* a patient context of @clinic for @patient_id */
MvAuthContext mvt_patients_patient_ctx (const gchar *clinic, const gchar *patient_id);

/* the JSON object in @name under the test data dir */
JsonObject *mvt_patients_load (const gchar *name);
JsonObject *mvt_patients_parse (const gchar *text);

G_END_DECLS
