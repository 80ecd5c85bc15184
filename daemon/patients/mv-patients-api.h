/*
 * Medverse patients — the HTTP routes of the patient store (docs/api.md, "Patients"):
 *
 *   POST   /v1/patients                    create (clinician)                 201 + ETag
 *   GET    /v1/patients?mrn=…              blind-index lookup (clinician)
 *   GET    /v1/patients/{id}               read (clinician; patient: own)     ETag
 *   PATCH  /v1/patients/{id}               merge patch, If-Match required     ETag
 *   DELETE /v1/patients/{id}               crypto-shredding                   204
 *   GET    /v1/patients/{id}/export        everything held (clinician; patient: own)
 *   POST   /v1/patients/{id}/invites       invite code for the patient app (clinician)
 *   GET    /v1/me                          the calling patient's own profile (patient)
 */
#pragma once

#include "mv-http.h"
#include "mv-services.h"

G_BEGIN_DECLS

/**
 * mv_patients_register:
 * @http: the HTTP adapter
 * @services: (transfer none): the shared services; must outlive @http
 *
 * Adds the patient routes (the store they use is kept for the process lifetime).
 */
void
mv_patients_register (MvHttp *http, MvServices *services);

G_END_DECLS
