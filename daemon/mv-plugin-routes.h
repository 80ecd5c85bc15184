/* The plugin calls as routes of the HTTP route table. */
#pragma once

#include "mv-engine.h"
#include "mv-http.h"

G_BEGIN_DECLS

/* Every authenticated role may call a plugin; a method narrows it with MvMethod.roles. */
#define MV_ROLE_ANY_CALLER                                                                         \
	(MV_ROLE_PATIENT | MV_ROLE_CLINICIAN | MV_ROLE_CLINIC_ADMIN | MV_ROLE_OPERATOR)

/* GET /v1/plugins, POST /v1/plugins/{plugin}/{method} and the stable aliases (POST
 * /v1/nlp/symptoms, GET /v1/risk/models, POST /v1/risk/models/{id}/score), all needing a key;
 * their handlers take the MvEngine as user data. */
const MvHttpRoute *mv_plugin_http_routes (guint *n_routes);

G_END_DECLS
