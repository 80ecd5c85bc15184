/*
 * Medverse engagement — the HTTP routes of the engagement store (docs/api.md, "Engagement"):
 *
 *   POST /v1/me/checkins               one check-in or {"checkins": […]} (the patient's key)
 *   GET  /v1/me/progress               points, level, streak, badges, this week's challenges
 *   PUT  /v1/me/leaderboard            {"opt_in": true|false}
 *   GET  /v1/me/leaderboard            handles and points, the caller's row marked
 *   GET  /v1/patients/{id}/progress    a patient's progress (clinician, or the patient's key)
 *   GET  /v1/patients/{id}/checkins    a patient's check-ins and adherence (likewise)
 *
 * Handlers only translate HTTP to the store (mv-engagement-store.h).
 */
#pragma once

#include "mv-http.h"

G_BEGIN_DECLS

/* The routes; their handlers take an MvEngagementStore as user data. */
const MvHttpRoute *mv_engagement_http_routes (guint *n_routes);

G_END_DECLS
