/*
 * vr-recommender core — which codes the safety tables can read.  The contraindication and
 * fall-risk tables are written in HPO, Disease Ontology and ICD-10 codes; the record also
 * accepts SNOMED CT (the daemon sends it as SNOMED:<id>), and a code the tables cannot read
 * must not be silence: the commonest SNOMED CT concepts of every trigger are mapped here to
 * the codes the tables know, and anything else becomes the notice `unchecked-codes` (README,
 * "Codes the filter cannot read").
 */
#define G_LOG_DOMAIN "vr-recommender"

#include <string.h>

#include "vr-core.h"

/* the spellings of SNOMED CT a caller may use before the concept id: the daemon's
 * (mv_plan_code_curie), the OBO xrefs' (SNOMEDCT_US, with or without a release date) and the
 * FHIR shorthand (SCT); compared without case */
static const gchar *const vr_snomed_prefixes[] = {
	"SNOMED:", "SNOMEDCT:", "SNOMED-CT:", "SNOMED_CT:", "SCT:", NULL,
};

/*
 * SNOMED CT concept id -> the codes of the tables that say the same (README, "SNOMED CT").
 * Only concepts whose id and meaning we are sure of (checked against public FHIR value sets
 * and the HPO's SNOMEDCT_US xrefs, 2026-12-06); every HP:/DOID: code is one the tables hold.
 */
static const struct {
	const gchar *id;
	const gchar *codes[3];
} vr_snomed_map[] = {
	{ "84757009", { "DOID:1826", "ICD10:G40" } },	/* epilepsy */
	{ "128613002", { "ICD10:G40" } },		/* seizure disorder */
	{ "91175000", { "HP:0001250" } },		/* seizure */
	{ "399153001", { "HP:0002321" } },		/* vertigo */
	{ "404640003", { "HP:0002321" } },		/* dizziness (the parser's too) */
	{ "37031009", { "DOID:2951", "ICD10:T75.3" } }, /* motion sickness */
	{ "230690007", { "HP:0001297" } },		/* cerebrovascular accident */
	{ "50582007", { "HP:0002301", "ICD10:G81" } },	/* hemiplegia */
	{ "49049000", { "DOID:14330", "ICD10:G20" } },	/* Parkinson's disease */
	{ "161898004", { "HP:0002527" } },		/* falls */
	{ "271594007", { "HP:0001279", "ICD10:R55" } }, /* syncope */
	{ "26929004", { "DOID:10652", "ICD10:G30" } },	/* Alzheimer's disease */
	{ "52448006", { "DOID:1307", "ICD10:F03" } },	/* dementia */
	{ "77386006", { "ICD10:Z33" } },		/* pregnancy */
	{ "441509002", { "ICD10:Z95.0" } },		/* cardiac pacemaker in situ */
	{ "22298006", { "HP:0001658" } },		/* myocardial infarction */
	{ "84114007", { "HP:0001635", "ICD10:I50" } },	/* heart failure */
	{ "194828000", { "HP:0001681", "ICD10:I20" } }, /* angina */
	{ "49436004", { "ICD10:I48" } },		/* atrial fibrillation */
	{ "58214004", { "DOID:5419", "ICD10:F20" } },	/* schizophrenia */
	{ "69322001", { "DOID:2468" } },		/* psychotic disorder */
	{ "110030002", { "ICD10:S06.0" } },		/* concussion injury of brain */
};

/* the concept id after a SNOMED CT prefix (a release date after SNOMEDCT_US skipped), or NULL
 * when @code is not SNOMED CT */
static const gchar *
vr_snomed_id (const gchar *code)
{
	const gchar *colon = strchr (code, ':');

	if (colon == NULL)
		return NULL;
	/* SNOMEDCT_US:…, SNOMEDCT_US_2023_03_01:…: the OBO ontologies' xrefs */
	if (g_ascii_strncasecmp (code, "SNOMEDCT_", strlen ("SNOMEDCT_")) == 0)
		return colon + 1;
	for (guint i = 0; vr_snomed_prefixes[i] != NULL; i++) {
		gsize n = strlen (vr_snomed_prefixes[i]);
		if (g_ascii_strncasecmp (code, vr_snomed_prefixes[i], n) == 0)
			return code + n;
	}
	return NULL;
}

const gchar *const *
vr_snomed_codes (const gchar *code)
{
	const gchar *id = vr_snomed_id (code);

	for (guint i = 0; id != NULL && i < G_N_ELEMENTS (vr_snomed_map); i++) {
		if (g_str_equal (id, vr_snomed_map[i].id))
			return vr_snomed_map[i].codes;
	}
	return NULL;
}

gboolean
vr_code_readable (const gchar *code)
{
	/* the tables' own systems, and the symptom parser's MV: vocabulary, reviewed against
	 * them (its motion sickness, MV:0008, is a trigger; the rest is no VR risk) */
	static const gchar *const known[] = { "HP:", "DOID:", "ICD10:", "ICD10CM:", "MV:", NULL };

	for (guint i = 0; known[i] != NULL; i++) {
		if (g_str_has_prefix (code, known[i]))
			return TRUE;
	}
	return vr_snomed_codes (code) != NULL;
}
