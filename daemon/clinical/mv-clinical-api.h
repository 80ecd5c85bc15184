/*
 * Medverse clinical record — the HTTP routes of the clinical store (docs/api.md, "Clinical
 * record").  For each kind K (observations, conditions, allergies, medications, encounters,
 * notes):
 *
 *   POST   /v1/patients/{id}/K                      create one, or a batch {"K": […]} (clinician)
 *   GET    /v1/patients/{id}/K                      list: code, from, to, include, limit, cursor
 *   GET    /v1/patients/{id}/K/{rid}                read (ETag)
 *   PATCH  /v1/patients/{id}/K/{rid}                merge patch, If-Match required (clinician)
 *   DELETE /v1/patients/{id}/K/{rid}                entered-in-error (clinician)
 *   GET    /v1/patients/{id}/K/{rid}/history        every version
 *   GET    /v1/patients/{id}/K/{rid}/versions/{v}   one version
 *   GET    /v1/me/K…                                the same reads for the calling patient
 *
 * and GET /v1/patients/changes (the clinic's change feed), GET /v1/patients/{id}/history and
 * …/versions/{v} (the profile's), and their /v1/me forms.  Reads: clinician, or the patient's
 * own key; writes: clinician.
 */
#pragma once

#include "mv-http.h"

G_BEGIN_DECLS

/**
 * mv_clinical_http_routes:
 * @n_routes: (out): how many
 *
 * The clinical routes; their handlers take an MvClinicalStore as user data.
 */
const MvHttpRoute *mv_clinical_http_routes (guint *n_routes);

/**
 * mv_clinical_list_set_next:
 * @out: a record list's answer (mv_clinical_store_list()), with `next_cursor` or not
 * @path: the list's own path (/v1/patients/{id}/K, /v1/me/K, …vr/sessions)
 *
 * Sets @out's `next`: the link to the next page (@path with the request's code, from, to,
 * include and limit, and the cursor), or null on the last page.  Every record list's rule.
 */
void mv_clinical_list_set_next (MvHttpRequest *request, JsonObject *out, const gchar *path);

G_END_DECLS
