/*
 * Medverse records — the code systems a record may use, and the shape of their codes.
 *
 * A code is always stored with its system named as a URI (FHIR's where FHIR names one); a
 * client may write the system as that URI or as its short alias ("icd-10-cn", "loinc").
 * Each system checks the shape of its codes (and a check digit where the system has one:
 * SNOMED CT's Verhoeff digit, LOINC's mod-10 digit); whether a well-shaped code exists in the
 * terminology is not checked here (the terminologies are not all free to ship).
 *
 * Systems (alias → URI):
 *   icd-10     http://hl7.org/fhir/sid/icd-10           WHO ICD-10: I10, E11.9
 *   icd-10-cn  urn:medverse:codesystem:icd-10-cn-clinical-2.0
 *              China's national clinical version 2.0 (国家临床版 2.0): I10.x00x002, E11.900.
 *              No URI is published for it; this name is Medverse's (docs/api.md).
 *   icd-10-cm  http://hl7.org/fhir/sid/icd-10-cm        US clinical modification: S72.001A
 *   snomed-ct  http://snomed.info/sct                   38341003 (Verhoeff check digit)
 *   hpo        http://purl.obolibrary.org/obo/hp        HP:0001945
 *   doid       http://purl.obolibrary.org/obo/doid      DOID:10763
 *   loinc      http://loinc.org                         8867-4 (mod-10 check digit)
 *   atc        http://www.whocc.no/atc                  C09AA05 (levels 1-5)
 *   rxnorm     http://www.nlm.nih.gov/research/umls/rxnorm  29046
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct {
	const gchar *alias;
	const gchar *uri;
	const gchar *title_en;
	const gchar *title_zh;
	const gchar *example; /* a valid code, for messages and documents */
	gboolean (*valid) (const gchar *code);
} MvCodeSystem;

/* Every system, NULL-terminated. */
const MvCodeSystem *const *mv_code_systems (void);

/* The system with this alias or URI, or NULL. */
const MvCodeSystem *mv_code_system_lookup (const gchar *alias_or_uri);

/**
 * mv_coding_check:
 * @coding: a `{"system", "code", "display"?}` object (its members' types already checked)
 * @pointer: its JSON Pointer
 * @allowed: (array zero-terminated=1): aliases of the systems this coding may use
 *
 * Adds "unknown-system" (naming the allowed systems) or "invalid-code" (naming the system and
 * an example of its shape) to @error.
 *
 * Returns: %TRUE if the coding is of an allowed system and its code has that system's shape.
 */
gboolean mv_coding_check (JsonObject *coding,
			  const gchar *pointer,
			  const gchar *const *allowed,
			  GError **error);

/* The URI of @coding's system (alias or URI), or NULL if unknown. */
const gchar *mv_coding_system_uri (JsonObject *coding);

/* SNOMED CT's check digit: TRUE if @digits ends in its Verhoeff check digit. */
gboolean mv_verhoeff_ok (const gchar *digits);

G_END_DECLS
