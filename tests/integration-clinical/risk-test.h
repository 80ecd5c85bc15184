/* What the record-scoring integration tests (test-clinical-risk.c, test-clinical-risk-real.c)
 * share: requests to the shared daemon and the answer's entry of a model. */
#pragma once

#include "mvt.h"

G_BEGIN_DECLS

/* @method @path with @token (a clinic's key), a JSON @body or none, to the shared daemon */
MvtResponse *
rt_call (const gchar *method, const gchar *path, const gchar *token, const gchar *body);
/* creates a record of @plural for patient @pid (asserts 201); its id */
gchar *rt_post (const MvtClinic *c, const gchar *pid, const gchar *plural, const gchar *body);
/* the entry of @model in a POST /v1/patients/{id}/risk answer (asserts it is there) */
JsonObject *rt_entry_for (MvtResponse *r, const gchar *model);

G_END_DECLS
