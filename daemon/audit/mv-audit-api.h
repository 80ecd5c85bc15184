/*
 * Medverse audit — the HTTP routes of the audit log (docs/api.md, "Audit log"):
 *
 *   GET /v1/audit/{clinic}/head                       latest signed tree head + public key
 *   GET /v1/audit/{clinic}/entries?from=&limit=       entries, paged by seq
 *   GET /v1/audit/{clinic}/entries/{seq}/proof?tree_size=N   entry + inclusion proof
 *   GET /v1/audit/{clinic}/consistency?from=M&to=N    consistency proof between two heads
 *
 * Callers: a clinic-admin key of that clinic, or an operator key (any clinic and the operator
 * tree "_operator").  Another clinic's tree answers 404, as if it did not exist.
 */
#pragma once

#include "mv-http.h"
#include "mv-services.h"

G_BEGIN_DECLS

/**
 * mv_audit_http_routes:
 * @n_routes: (out): how many
 *
 * The audit routes; their handlers take the MvServices (db, signer) as user data.
 */
const MvHttpRoute *mv_audit_http_routes (guint *n_routes);

G_END_DECLS
