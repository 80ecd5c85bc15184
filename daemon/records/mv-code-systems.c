/* Code systems and the shapes of their codes: see mv-code-systems.h. */
#define G_LOG_DOMAIN "medverse-records"

#include "mv-code-systems.h"

#include <medverse/mv-error.h>
#include <string.h>

#include "mv-record-schema.h"

static gboolean
all_digits (const gchar *s)
{
	if (*s == '\0')
		return FALSE;
	for (; *s != '\0'; s++) {
		if (!g_ascii_isdigit (*s))
			return FALSE;
	}
	return TRUE;
}

/* @s[from, from+n) are digits or upper-case letters */
static gboolean
all_alnum_upper (const gchar *s, gsize from, gsize n)
{
	for (gsize i = from; i < from + n; i++) {
		if (!g_ascii_isdigit (s[i]) && !g_ascii_isupper (s[i]))
			return FALSE;
	}
	return TRUE;
}

gboolean
mv_verhoeff_ok (const gchar *digits)
{
	static const guint8 d[10][10] = {
		{ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, { 1, 2, 3, 4, 0, 6, 7, 8, 9, 5 },
		{ 2, 3, 4, 0, 1, 7, 8, 9, 5, 6 }, { 3, 4, 0, 1, 2, 8, 9, 5, 6, 7 },
		{ 4, 0, 1, 2, 3, 9, 5, 6, 7, 8 }, { 5, 9, 8, 7, 6, 0, 4, 3, 2, 1 },
		{ 6, 5, 9, 8, 7, 1, 0, 4, 3, 2 }, { 7, 6, 5, 9, 8, 2, 1, 0, 4, 3 },
		{ 8, 7, 6, 5, 9, 3, 2, 1, 0, 4 }, { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0 },
	};
	static const guint8 p[8][10] = {
		{ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, { 1, 5, 7, 6, 2, 8, 3, 0, 9, 4 },
		{ 5, 8, 0, 3, 7, 9, 6, 1, 4, 2 }, { 8, 9, 1, 6, 0, 4, 3, 5, 2, 7 },
		{ 9, 4, 5, 3, 1, 2, 6, 8, 7, 0 }, { 4, 2, 8, 6, 5, 7, 3, 9, 0, 1 },
		{ 2, 7, 9, 3, 8, 0, 6, 4, 1, 5 }, { 7, 0, 4, 6, 9, 1, 3, 2, 5, 8 },
	};
	guint c = 0;
	gsize n = strlen (digits);

	if (!all_digits (digits))
		return FALSE;
	for (gsize i = 0; i < n; i++)
		c = d[c][p[i % 8][digits[n - 1 - i] - '0']];
	return c == 0;
}

/* WHO: a letter, two digits, optionally "." and one or two digits (I10, E11.9, M54.16) */
static gboolean
icd10_who_valid (const gchar *code)
{
	gsize n = strlen (code);

	if (n < 3 || !g_ascii_isupper (code[0]) || !g_ascii_isdigit (code[1])
	    || !g_ascii_isdigit (code[2]))
		return FALSE;
	if (n == 3)
		return TRUE;
	return code[3] == '.' && (n == 5 || n == 6) && all_digits (code + 4);
}

/* China's clinical version 2.0: the WHO category, then "." and three characters (a digit or
 * "x" where WHO has no subdivision, then two digits), optionally "x" and a three-digit
 * extension: I10, I10.x00, I10.x00x002, E11.900, K35.800x001 */
static gboolean
icd10_cn_valid (const gchar *code)
{
	gsize n = strlen (code);

	if (n < 3 || !g_ascii_isupper (code[0]) || !g_ascii_isdigit (code[1])
	    || !g_ascii_isdigit (code[2]))
		return FALSE;
	if (n == 3)
		return TRUE;
	if (code[3] != '.' || (n != 7 && n != 11))
		return FALSE;
	if (!(g_ascii_isdigit (code[4]) || code[4] == 'x') || !g_ascii_isdigit (code[5])
	    || !g_ascii_isdigit (code[6]))
		return FALSE;
	if (n == 7)
		return TRUE;
	return code[7] == 'x' && all_digits (code + 8);
}

/* ICD-10-CM: a letter, a digit, a digit or letter, optionally "." and 1-4 digits or letters
 * (E11, E11.9, S72.001A) */
static gboolean
icd10_cm_valid (const gchar *code)
{
	gsize n = strlen (code);

	if (n < 3 || !g_ascii_isupper (code[0]) || !g_ascii_isdigit (code[1])
	    || !all_alnum_upper (code, 2, 1))
		return FALSE;
	if (n == 3)
		return TRUE;
	return code[3] == '.' && n >= 5 && n <= 8 && all_alnum_upper (code, 4, n - 4);
}

static gboolean
snomed_valid (const gchar *code)
{
	gsize n = strlen (code);

	return n >= 6 && n <= 18 && code[0] != '0' && all_digits (code) && mv_verhoeff_ok (code);
}

/* "PREFIX:" and @digits digits (HP:0001945), or up to @digits for DOID */
static gboolean
obo_valid (const gchar *code, const gchar *prefix, gsize min_digits, gsize max_digits)
{
	gsize p = strlen (prefix);
	gsize n = strlen (code);

	return n > p && strncmp (code, prefix, p) == 0 && n - p >= min_digits && n - p <= max_digits
	       && all_digits (code + p);
}

static gboolean
hpo_valid (const gchar *code)
{
	return obo_valid (code, "HP:", 7, 7);
}

static gboolean
doid_valid (const gchar *code)
{
	return obo_valid (code, "DOID:", 1, 9);
}

/* LOINC: 1-7 digits, "-", the mod-10 check digit (Luhn's, over the digits and the check) */
static gboolean
loinc_valid (const gchar *code)
{
	const gchar *dash = strchr (code, '-');
	gsize n;
	guint sum = 0;
	g_autofree gchar *digits = NULL;

	if (dash == NULL || dash == code || dash - code > 7 || strlen (dash) != 2
	    || !g_ascii_isdigit (dash[1]))
		return FALSE;
	digits = g_strdup_printf ("%.*s%c", (int)(dash - code), code, dash[1]);
	if (!all_digits (digits))
		return FALSE;
	n = strlen (digits);
	for (gsize i = 0; i < n; i++) {
		guint v = (guint)(digits[n - 1 - i] - '0');
		if (i % 2 == 1) {
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
	}
	return sum % 10 == 0;
}

static gboolean
atc_valid (const gchar *code)
{
	/* levels 1-5: "C", "C09", "C09A", "C09AA", "C09AA05" */
	static const gchar shape[] = "ADDAADD"; /* A: letter, D: digit */
	gsize n = strlen (code);

	if (n != 1 && n != 3 && n != 4 && n != 5 && n != 7)
		return FALSE;
	for (gsize i = 0; i < n; i++) {
		if (shape[i] == 'A' ? !g_ascii_isupper (code[i]) : !g_ascii_isdigit (code[i]))
			return FALSE;
	}
	return TRUE;
}

static gboolean
rxnorm_valid (const gchar *code)
{
	return strlen (code) <= 9 && code[0] != '0' && all_digits (code);
}

static const MvCodeSystem systems[] = {
	{ "icd-10", "http://hl7.org/fhir/sid/icd-10", "ICD-10 (WHO)", "ICD-10（世界卫生组织版）",
	  "E11.9", icd10_who_valid },
	{ "icd-10-cn", "urn:medverse:codesystem:icd-10-cn-clinical-2.0",
	  "ICD-10 China national clinical version 2.0", "ICD-10 国家临床版 2.0", "I10.x00x002",
	  icd10_cn_valid },
	{ "icd-10-cm", "http://hl7.org/fhir/sid/icd-10-cm", "ICD-10-CM",
	  "ICD-10-CM（美国临床修订版）", "S72.001A", icd10_cm_valid },
	{ "snomed-ct", "http://snomed.info/sct", "SNOMED CT", "SNOMED CT", "38341003",
	  snomed_valid },
	{ "hpo", "http://purl.obolibrary.org/obo/hp", "Human Phenotype Ontology", "人类表型本体",
	  "HP:0001945", hpo_valid },
	{ "doid", "http://purl.obolibrary.org/obo/doid", "Disease Ontology", "疾病本体",
	  "DOID:10763", doid_valid },
	{ "loinc", "http://loinc.org", "LOINC", "LOINC", "8867-4", loinc_valid },
	{ "atc", "http://www.whocc.no/atc", "ATC", "ATC 药物分类", "C09AA05", atc_valid },
	{ "rxnorm", "http://www.nlm.nih.gov/research/umls/rxnorm", "RxNorm", "RxNorm", "29046",
	  rxnorm_valid },
};

const MvCodeSystem *const *
mv_code_systems (void)
{
	static const MvCodeSystem *all[G_N_ELEMENTS (systems) + 1];
	static gsize done = 0;

	if (g_once_init_enter (&done)) {
		for (guint i = 0; i < G_N_ELEMENTS (systems); i++)
			all[i] = &systems[i];
		g_once_init_leave (&done, 1);
	}
	return all;
}

const MvCodeSystem *
mv_code_system_lookup (const gchar *alias_or_uri)
{
	if (alias_or_uri == NULL)
		return NULL;
	for (guint i = 0; i < G_N_ELEMENTS (systems); i++) {
		if (strcmp (systems[i].alias, alias_or_uri) == 0
		    || strcmp (systems[i].uri, alias_or_uri) == 0)
			return &systems[i];
	}
	return NULL;
}

const gchar *
mv_coding_system_uri (JsonObject *coding)
{
	const MvCodeSystem *system = mv_code_system_lookup (
		json_object_get_string_member_with_default (coding, "system", NULL));
	return system != NULL ? system->uri : NULL;
}

static gboolean
allowed_has (const gchar *const *allowed, const MvCodeSystem *system)
{
	return system != NULL && g_strv_contains (allowed, system->alias);
}

gboolean
mv_coding_check (JsonObject *coding,
		 const gchar *pointer,
		 const gchar *const *allowed,
		 GError **error)
{
	const gchar *name = json_object_get_string_member_with_default (coding, "system", NULL);
	const gchar *code = json_object_get_string_member_with_default (coding, "code", NULL);
	const MvCodeSystem *system = mv_code_system_lookup (name);

	if (name == NULL || code == NULL)
		return FALSE; /* the schema reported it */
	if (!allowed_has (allowed, system)) {
		g_autofree gchar *ptr = mv_json_pointer_child (pointer, "system");
		g_autofree gchar *list = g_strjoinv (", ", (gchar **)allowed);
		g_autofree gchar *en = g_strdup_printf (
			"is not a code system accepted here; use one of %s (or its URI)", list);
		g_autofree gchar *zh = g_strdup_printf (
			"不是此处可用的编码体系；请使用 %s 之一（或其 URI）", list);
		mv_error_add_problem (error, ptr, "unknown-system", en, zh);
		return FALSE;
	}
	if (!system->valid (code)) {
		g_autofree gchar *ptr = mv_json_pointer_child (pointer, "code");
		g_autofree gchar *en = g_strdup_printf ("is not a valid %s code (e.g. %s)",
							system->title_en, system->example);
		g_autofree gchar *zh = g_strdup_printf ("不是有效的 %s 编码（例如 %s）",
							system->title_zh, system->example);
		mv_error_add_problem (error, ptr, "invalid-code", en, zh);
		return FALSE;
	}
	return TRUE;
}
