/*
 * Medverse plans — the HTTP routes (docs/api.md, "Plans"):
 *
 *   POST /v1/patients/{id}/plan                    generate and store (clinician)
 *   GET  /v1/patients/{id}/plan                    the current plan (ETag = its version)
 *   GET  /v1/patients/{id}/plan/history            its versions
 *   GET  /v1/patients/{id}/plan/versions/{v}       one version
 *   POST /v1/patients/{id}/plan/clear-red-flags    a clinician clears the red flags (audited),
 *                                                  the plan is generated again
 *   POST /v1/patients/{id}/plan/replan             the weekly re-plan from adherence
 *   GET  /v1/me/plan, /v1/me/today, /v1/me/plan.ics   the calling patient's
 *
 * Handlers take the MvClinicalStore as user data (the plan is a record kind of it).
 */
#pragma once

#include "mv-http.h"

G_BEGIN_DECLS

const MvHttpRoute *mv_plan_http_routes (guint *n_routes);

G_END_DECLS
