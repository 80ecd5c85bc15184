/*
 * The API contract: an OpenAPI 3.1 document made from what the daemon serves.
 *
 * Nothing in it is written by hand twice: the paths, methods, roles and summaries come from the
 * route table (mv-http-api.h), the request and answer schemas of plugin calls from the loaded
 * plugins' argument declarations (names, GVariant types, descriptions, MV_ARG_OPTIONAL), and
 * the error answers from the error table (mv-error-table.h).  json-glib only, no libsoup: the
 * build makes the same document with `medversed --print-openapi`, without a server.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "mv-http-api.h"

G_BEGIN_DECLS

/* The paths /healthz and /readyz, answered by the adapter itself rather than the route table,
 * and documented as such. */
extern const gchar *const mv_openapi_builtin_paths[];

/**
 * mv_openapi_build:
 * @routes: (element-type MvHttpRoute): every route served, in table order
 * @plugins: (element-type MvPluginInfo) (nullable): the loaded plugins, sorted by name
 * @version: the daemon's version, for info.version
 *
 * The generic plugin route (`POST /v1/plugins/{plugin}/{method}`) is documented as it is and,
 * besides, once per loaded plugin method at its concrete path (`/v1/plugins/bmi/Compute`) with
 * the method's request and answer schemas; a fixed plugin route (`/v1/nlp/symptoms`) gets the
 * schemas of its method when its plugin is loaded.  The output depends on nothing else, so the
 * same inputs give the same text.
 *
 * Returns: (transfer full): the document, a JSON object.
 */
JsonNode *mv_openapi_build (GPtrArray *routes, GPtrArray *plugins, const gchar *version);

/* The document as text: indented, members in a fixed order, a final newline.  (transfer full) */
gchar *mv_openapi_to_text (JsonNode *document);

G_END_DECLS
