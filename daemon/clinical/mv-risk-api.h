/*
 * Risk scores from the patient's record (HTTP adapter): POST /v1/patients/{id}/risk (every
 * model the plugin loaded) and POST /v1/patients/{id}/risk/{model}.  The optional body
 * {"inputs"?, "override"?} supplies values the record cannot hold (or, with override, wins
 * over it); a model still missing an input without a source is listed as needs-input.
 *
 * For each model the handler asks the risk-scorer plugin for the model's description
 * (Describe: its inputs' sources and units), reads the patient's profile and current
 * observations, conditions and medications in one audited read (mv_clinical_store_snapshot()),
 * assembles the inputs (mv-risk-inputs.h, pure), and scores the complete ones (Score).  The
 * scored ones are stored as risk-assessment records, all in one batch (all or none); a model
 * with missing inputs is listed with exactly what is missing and nothing is stored for it.
 * docs/api.md ("Risk scores from the record") has the answer's shape.  The routes are in the
 * clinical route table (mv-clinical-api.c); their user data is the clinical store, whose
 * engine calls the plugin.
 */
#pragma once

#include "mv-http-api.h"

G_BEGIN_DECLS

/* The plugin and methods asked. */
#define MV_RISK_PLUGIN "risk-scorer"

JsonNode *mv_risk_http_score_all (MvHttpRequest *request, GError **error);
JsonNode *mv_risk_http_score_one (MvHttpRequest *request, GError **error);

G_END_DECLS
