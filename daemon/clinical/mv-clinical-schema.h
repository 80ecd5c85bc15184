/*
 * Medverse clinical record — a kind's input rows, for the store's PATCH.
 *
 * Kept beside mv-clinical-kind.h (whose table of behaviour is fixed) rather than in it: the
 * store needs the rows only to refuse a merge patch that names a member the kind does not
 * know, even to delete it (`{"id": null}` would otherwise merge to nothing and pass), before
 * it merges the patch into the kind's to_input form and normalises the result.
 */
#pragma once

#include "mv-clinical-kind.h"
#include "records/mv-record-schema.h"

G_BEGIN_DECLS

/**
 * mv_clinical_kind_members:
 * @kind: one of mv_clinical_kinds()
 *
 * Returns: (transfer none): @kind's input rows (NULL-name terminated), for
 *   mv_schema_check_patch(); %NULL for a kind this file does not know.
 */
const MvField *mv_clinical_kind_members (const MvClinicalKind *kind);

G_END_DECLS
