/*
 * Medverse VR — the HTTP routes (docs/api.md, "VR"):
 *
 *   POST /v1/me/vr/sessions                       the calling patient reports a session
 *   GET  /v1/me/vr/recommendations                the calling patient's recommendations
 *   GET  /v1/patients/{id}/vr/sessions            a patient's sessions (clinician)
 *   GET  /v1/patients/{id}/vr/recommendations     a patient's recommendations (clinician;
 *                                                 ?include_excluded=true: what the safety
 *                                                 filter removed and why)
 *
 * Handlers take the MvClinicalStore as user data (a session is a record kind of it).
 */
#pragma once

#include "mv-http.h"

G_BEGIN_DECLS

const MvHttpRoute *mv_vr_http_routes (guint *n_routes);

G_END_DECLS
