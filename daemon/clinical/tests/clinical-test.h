/* What the clinical kinds' tests share: a fixed clock, JSON in and out, problem lookups. */
#pragma once

#include <criterion/criterion.h>
#include <json-glib/json-glib.h>
#include <medverse/mv-error.h>

#include "mv-clinical-kind.h"

/* 2026-12-05T12:00:00Z, language "en", actor "key-test" */
extern MvClinicalContext mvt_ctx;
void mvt_clinical_setup (void);
void mvt_clinical_teardown (void);

/* @json parsed; fails the test if it is not an object.  (transfer full) */
JsonObject *mvt_parse (const gchar *json);
/* @object as compact JSON.  (transfer full) */
gchar *mvt_to_json (JsonObject *object);

/* normalise @json with @kind; fails the test (with the problems) if refused */
JsonObject *mvt_normalise_ok (const MvClinicalKind *kind, const gchar *json);
/* normalise @json with @kind; fails the test if accepted.  (transfer full) the error */
GError *mvt_normalise_refused (const MvClinicalKind *kind, const gchar *json);

/* the problem of @error at @field, or NULL */
const MvErrorProblem *mvt_problem_at (const GError *error, const gchar *field);
/* expects a problem at @field with @code (and, when not NULL, @text in its English message) */
void
mvt_expect_problem (const GError *error, const gchar *field, const gchar *code, const gchar *text);

/* normalise (to_input (record)) equals record */
void mvt_expect_round_trip (const MvClinicalKind *kind, JsonObject *record);

/* @record's number at a JSON path like "$.value" */
gdouble mvt_number (JsonObject *record, const gchar *path);
const gchar *mvt_string (JsonObject *record, const gchar *path);
