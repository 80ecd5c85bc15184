/* A background load that must not notice anything: while a test hurts one plugin, a thread
 * keeps calling another plugin (the example bmi) and /healthz, and every answer must be 200. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _MvtLoad MvtLoad;

/* Starts the load against the daemon at @url: bmi.Compute and GET /healthz every 5 ms. */
MvtLoad *mvt_load_start (const gchar *url);

/* Stops the load and asserts that it ran (more than 4 requests) and none of its requests
 * failed, listing those that did; frees @load. */
void mvt_load_finish (MvtLoad *load);

G_END_DECLS
