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
 * mv_audit_register:
 * @http: the HTTP adapter
 * @services: (transfer none): the shared services (db, signer); must outlive @http
 *
 * Adds the audit routes.  (The signer used by appends is set with mv_audit_log_set_signer().)
 */
void mv_audit_register (MvHttp *http, MvServices *services);

G_END_DECLS
