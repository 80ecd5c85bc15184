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
 * mv_patients_http_routes:
 * @n_routes: (out): how many
 *
 * The patient routes; their handlers take the services' MvPatientStore as user data.
 */
const MvHttpRoute *mv_patients_http_routes (guint *n_routes);

G_END_DECLS
