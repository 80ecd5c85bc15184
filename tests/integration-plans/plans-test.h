/* What the plan route tests share: requests to the shared daemon, a patient, a patient's key. */
#pragma once

#include "mvt.h"

G_BEGIN_DECLS

/* @method @path as @token (NULL: anonymous) with the JSON @body (nullable) */
MvtResponse *
plans_call (const gchar *method, const gchar *path, const gchar *token, const gchar *body);

/* POSTs @body to @path as the clinic's clinician, asserts 201; the new id */
gchar *plans_post (const MvtClinic *c, const gchar *path, const gchar *body);

/* a patient born 1971-06-15 of @sex speaking @language; their id */
gchar *
plans_patient (const MvtClinic *c, const gchar *mrn, const gchar *sex, const gchar *language);

/* a patient key of @pid (an invite redeemed) */
gchar *plans_patient_token (const MvtClinic *c, const gchar *pid);

/* RFC 3339 UTC of @hours hours ago */
gchar *plans_hours_ago (gint hours);

G_END_DECLS
