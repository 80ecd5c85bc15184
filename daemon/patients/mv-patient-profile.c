/* The patient profile as a table of the records' schema engine, and the checks of its own.
 * See mv-patient-profile.h and schemas/json/patient-profile.schema.json (the documented form of
 * the same table; a unit test checks that both name the same members). */
#define G_LOG_DOMAIN "medverse-patients"

#include "mv-patient-profile.h"

#include <medverse/mv-error.h>
#include <sodium.h>
#include <string.h>

#include "../engagement/mv-checkin.h"
#include "../records/mv-code-systems.h"
#include "mv-crypto.h"
#include "mv-patient-demographics.h"

static const gchar *const sexes[] = { "female", "male", "other", "unknown", NULL };
static const gchar *const sexes_at_birth[] = { "female", "male", "intersex", "unknown", NULL };
static const gchar *const genders[] = { "female", "male", "non-binary", "other", "unknown", NULL };
static const gchar *const condition_status[] = { "active", "resolved", NULL };
static const gchar *const severities[] = { "mild", "moderate", "severe", NULL };
static const gchar *const units[] = { "metric", "imperial", NULL };
static const gchar *const comfort[] = { "low", "medium", "high", NULL };
static const gchar *const id_systems[] = { "mrn", "resident-id", "insurance", "passport", NULL };
static const gchar *const telecom_systems[] = { "phone", "email", NULL };
static const gchar *const telecom_uses[] = { "home", "work", "mobile", NULL };

/* The code systems of the profile's coded lists (aliases of ../records/mv-code-systems.h; the
 * URIs are accepted too).  Conditions gained ICD-10 China, ICD-10-CM and HPO with the shared
 * code systems; new integrations write coded data as clinical records (docs/api.md). */
static const gchar *const condition_systems[]
	= { "icd-10", "icd-10-cn", "icd-10-cm", "snomed-ct", "hpo", NULL };
static const gchar *const medication_systems[] = { "atc", "rxnorm", "snomed-ct", NULL };
static const gchar *const allergy_systems[] = { "snomed-ct", "rxnorm", "atc", NULL };

/* normalised identifiers are patient data: wiped before they are freed */
static void
wipe (gchar *s)
{
	if (s != NULL)
		sodium_memzero (s, strlen (s));
}

/* ---- checks of single values -------------------------------------------------------------- */

static gboolean
check_mrn (JsonNode *node,
	   const gchar *ptr,
	   JsonObject *parent,
	   const MvSchemaContext *ctx,
	   GError **error)
{
	g_autoptr (GError) local = NULL;
	g_autofree gchar *norm
		= mv_vault_normalise_identifier (json_node_get_string (node), &local);

	if (norm != NULL)
		return TRUE;
	mv_schema_problem (error, ptr, "invalid-format", local->message,
			   mv_error_get_message_zh (local));
	return FALSE;
}

static gboolean
check_phone (JsonNode *node,
	     const gchar *ptr,
	     JsonObject *parent,
	     const MvSchemaContext *ctx,
	     GError **error)
{
	g_autofree gchar *e164 = mv_phone_to_e164 (json_node_get_string (node));

	if (e164 != NULL)
		return TRUE;
	mv_schema_problem (
		error, ptr, "invalid-format",
		"must be a phone number in E.164 with its country code, e.g. "
		"+8613800138000 (spaces and hyphens are allowed)",
		"应为带国家代码的 E.164 电话号码，例如 +8613800138000（可含空格和连字符）");
	return FALSE;
}

static gboolean
check_language (JsonNode *node,
		const gchar *ptr,
		JsonObject *parent,
		const MvSchemaContext *ctx,
		GError **error)
{
	g_autofree gchar *tag = mv_language_tag_normalise (json_node_get_string (node));

	if (tag != NULL)
		return TRUE;
	mv_schema_problem (error, ptr, "invalid-format",
			   "must be a BCP 47 language tag: a language of 2-3 letters, then "
			   "optionally a script and a region (zh-Hans, zh-CN, en-GB, yue)",
			   "应为 BCP 47 语言标签：2-3 个字母的语言代码，可选文字和地区"
			   "（zh-Hans、zh-CN、en-GB、yue）");
	return FALSE;
}

/* The patient's IANA time zone (engagement: the calendar day a check-in counts on).  Only IANA
 * names: a bare offset has no daylight-saving rules (daemon/engagement/mv-checkin.h). */
static gboolean
check_time_zone (JsonNode *node,
		 const gchar *ptr,
		 JsonObject *parent,
		 const MvSchemaContext *ctx,
		 GError **error)
{
	g_autoptr (GTimeZone) zone = mv_checkin_time_zone (json_node_get_string (node), NULL);

	if (zone != NULL)
		return TRUE;
	mv_schema_problem (error, ptr, "invalid-code",
			   "must be an IANA time zone name (Asia/Shanghai, America/New_York, UTC)",
			   "应为 IANA 时区名称（Asia/Shanghai、America/New_York、UTC）");
	return FALSE;
}

static gboolean
check_country (JsonNode *node,
	       const gchar *ptr,
	       JsonObject *parent,
	       const MvSchemaContext *ctx,
	       GError **error)
{
	if (mv_country_code_valid (json_node_get_string (node)))
		return TRUE;
	mv_schema_problem (error, ptr, "invalid-code",
			   "must be an ISO 3166-1 alpha-2 country code in capitals, e.g. CN",
			   "应为大写的 ISO 3166-1 两位字母国家代码，例如 CN");
	return FALSE;
}

/* ---- checks of objects -------------------------------------------------------------------- */

/* The profile's "icd-10" was lenient before the code systems were split: it took ICD-10-CM's
 * shapes (S72.001A) too.  Stored profiles keep such codes and every update re-checks the whole
 * profile, so "icd-10" keeps accepting them here (and only here); new data should name
 * icd-10-cm. */
static gboolean
legacy_icd10 (JsonObject *item)
{
	const gchar *system = json_object_get_string_member_with_default (item, "system", NULL);
	const gchar *code = json_object_get_string_member_with_default (item, "code", NULL);
	const MvCodeSystem *cm = mv_code_system_lookup ("icd-10-cm");

	return code != NULL && mv_code_system_lookup (system) == mv_code_system_lookup ("icd-10")
	       && cm->valid (code);
}

static gboolean
check_condition (JsonNode *node,
		 const gchar *ptr,
		 JsonObject *item,
		 const MvSchemaContext *ctx,
		 GError **error)
{
	if (legacy_icd10 (item))
		return TRUE;
	return mv_coding_check (item, ptr, condition_systems, error);
}

static gboolean
check_medication (JsonNode *node,
		  const gchar *ptr,
		  JsonObject *item,
		  const MvSchemaContext *ctx,
		  GError **error)
{
	return mv_coding_check (item, ptr, medication_systems, error);
}

static gboolean
check_allergy (JsonNode *node,
	       const gchar *ptr,
	       JsonObject *item,
	       const MvSchemaContext *ctx,
	       GError **error)
{
	return mv_coding_check (item, ptr, allergy_systems, error);
}

static void
today_of (const MvSchemaContext *ctx, GDate *today)
{
	g_autoptr (GDateTime) now = ctx != NULL && ctx->now != NULL ? g_date_time_ref (ctx->now)
								    : g_date_time_new_now_utc ();

	g_date_clear (today, 1);
	g_date_set_dmy (today, (GDateDay)g_date_time_get_day_of_month (now),
			(GDateMonth)g_date_time_get_month (now),
			(GDateYear)g_date_time_get_year (now));
}

static void
resident_id_problem (MvResidentIdProblem what, const gchar *ptr, GError **error)
{
	switch (what) {
	case MV_RESIDENT_ID_OK:
		break;
	case MV_RESIDENT_ID_FIRST_GENERATION:
		mv_schema_problem (
			error, ptr, "invalid-format",
			"is a 15-digit first-generation resident ID, which is no longer "
			"valid; send the 18-character second-generation number",
			"是已停止使用的 15 位第一代居民身份证号码；请填写 18 位第二代号码");
		break;
	case MV_RESIDENT_ID_SHAPE:
		mv_schema_problem (error, ptr, "invalid-format",
				   "must be a resident ID of 18 characters: 17 digits and a check "
				   "character (0-9 or X)",
				   "应为 18 位居民身份证号码：17 位数字加 1 位校验码（0-9 或 X）");
		break;
	case MV_RESIDENT_ID_REGION:
		mv_schema_problem (error, ptr, "invalid-format",
				   "does not start with a valid region code (digits 1-6)",
				   "开头的行政区划代码（第 1-6 位）无效");
		break;
	case MV_RESIDENT_ID_BIRTH_DATE:
		mv_schema_problem (
			error, ptr, "invalid-format",
			"digits 7-14 must be a real birth date (YYYYMMDD), not in the "
			"future and not before 1870",
			"第 7-14 位应为真实的出生日期（YYYYMMDD），不能晚于今天或早于 1870 年");
		break;
	case MV_RESIDENT_ID_CHECKSUM:
		mv_schema_problem (error, ptr, "invalid-checksum",
				   "has a wrong check character (GB 11643-1999, ISO 7064 MOD 11-2)",
				   "校验码错误（GB 11643-1999，ISO 7064 MOD 11-2）");
		break;
	}
}

/* Insurance and passport numbers: letters and digits only once normalised (their issuers use
 * no other characters), at most MV_VAULT_MAX_MRN. */
static gboolean
check_alnum_number (const gchar *norm, const gchar *ptr, GError **error)
{
	for (const gchar *p = norm; *p != '\0'; p++) {
		if (!g_ascii_isalnum (*p)) {
			mv_schema_problem (error, ptr, "invalid-format",
					   "may hold only letters and digits (spaces and hyphens "
					   "are ignored)",
					   "只能包含字母和数字（空格和连字符会被忽略）");
			return FALSE;
		}
	}
	return TRUE;
}

static gboolean
check_identifier (JsonNode *node,
		  const gchar *ptr,
		  JsonObject *item,
		  const MvSchemaContext *ctx,
		  GError **error)
{
	const gchar *system = json_object_get_string_member (item, "system");
	const gchar *issuer = json_object_get_string_member_with_default (item, "issuer", NULL);
	g_autofree gchar *value_ptr = mv_json_pointer_child (ptr, "value");
	g_autofree gchar *issuer_ptr = mv_json_pointer_child (ptr, "issuer");
	g_autoptr (GError) local = NULL;
	g_autofree gchar *norm = mv_vault_normalise_identifier (
		json_object_get_string_member (item, "value"), &local);
	gboolean ok = TRUE;

	if (strcmp (system, "passport") == 0) {
		if (issuer == NULL) {
			mv_schema_problem (
				error, issuer_ptr, "required",
				"is required for a passport: its issuing country "
				"(ISO 3166-1 alpha-2, e.g. CN)",
				"护照必须填写签发国家（ISO 3166-1 两位字母代码，例如 CN）");
			ok = FALSE;
		} else if (!mv_country_code_valid (issuer)) {
			mv_schema_problem (error, issuer_ptr, "invalid-code",
					   "must be the issuing country as an ISO 3166-1 alpha-2 "
					   "code in capitals, e.g. CN",
					   "应为签发国家的大写 ISO 3166-1 两位字母代码，例如 CN");
			ok = FALSE;
		}
	}
	if (norm == NULL) {
		mv_schema_problem (error, value_ptr, "invalid-format", local->message,
				   mv_error_get_message_zh (local));
		return FALSE;
	}
	if (strcmp (system, "resident-id") == 0) {
		GDate today;
		MvResidentIdProblem what;
		today_of (ctx, &today);
		what = mv_resident_id_check (norm, &today);
		resident_id_problem (what, value_ptr, error);
		ok = what == MV_RESIDENT_ID_OK && ok;
	} else if (strcmp (system, "insurance") == 0 || strcmp (system, "passport") == 0) {
		ok = check_alnum_number (norm, value_ptr, error) && ok;
	}
	return ok;
}

static gboolean
check_telecom (JsonNode *node,
	       const gchar *ptr,
	       JsonObject *item,
	       const MvSchemaContext *ctx,
	       GError **error)
{
	JsonNode *value = json_object_get_member (item, "value");
	g_autofree gchar *value_ptr = mv_json_pointer_child (ptr, "value");

	if (strcmp (json_object_get_string_member (item, "system"), "phone") == 0)
		return check_phone (value, value_ptr, item, ctx, error);
	if (mv_email_valid (json_node_get_string (value)))
		return TRUE;
	mv_schema_problem (error, value_ptr, "invalid-format",
			   "must be an e-mail address (name@example.org)",
			   "应为电子邮件地址（name@example.org）");
	return FALSE;
}

static gboolean
check_address (JsonNode *node,
	       const gchar *ptr,
	       JsonObject *address,
	       const MvSchemaContext *ctx,
	       GError **error)
{
	const gchar *country = json_object_get_string_member_with_default (address, "country", "");
	const gchar *postal
		= json_object_get_string_member_with_default (address, "postal_code", NULL);
	g_autofree gchar *postal_ptr = mv_json_pointer_child (ptr, "postal_code");

	if (postal == NULL)
		return TRUE;
	if (strcmp (country, "CN") == 0) {
		gboolean six = strlen (postal) == 6;
		for (guint i = 0; six && i < 6; i++)
			six = g_ascii_isdigit (postal[i]);
		if (six)
			return TRUE;
		mv_schema_problem (error, postal_ptr, "invalid-format",
				   "must be 6 digits for an address in China (country CN)",
				   "中国地址（国家 CN）的邮政编码应为 6 位数字");
		return FALSE;
	}
	for (const gchar *p = postal; *p != '\0'; p++) {
		if (!g_ascii_isalnum (*p) && *p != ' ' && *p != '-') {
			mv_schema_problem (error, postal_ptr, "invalid-format",
					   "may hold only letters, digits, spaces and hyphens",
					   "只能包含字母、数字、空格和连字符");
			return FALSE;
		}
	}
	return TRUE;
}

/* ---- the table ---------------------------------------------------------------------------- */

static const MvField name_members[] = {
	{ "given", MV_FIELD_STRING, FALSE, 1, 100 },
	{ "family", MV_FIELD_STRING, FALSE, 1, 100 },
	{ NULL },
};

static const MvField identifier_members[] = {
	{ "system", MV_FIELD_ENUM, TRUE, 0, 0, id_systems },
	{ "value", MV_FIELD_STRING, TRUE, 1, 100 },
	{ "issuer", MV_FIELD_STRING, FALSE, 1, 100 },
	{ NULL },
};

static const MvField telecom_members[] = {
	{ "system", MV_FIELD_ENUM, TRUE, 0, 0, telecom_systems },
	{ "value", MV_FIELD_STRING, TRUE, 1, 254 },
	{ "use", MV_FIELD_ENUM, FALSE, 0, 0, telecom_uses },
	{ NULL },
};

static const MvField address_members[] = {
	{ "line", MV_FIELD_STRINGS, FALSE, 1, 4 },
	{ "city", MV_FIELD_STRING, FALSE, 1, 100 },
	{ "district", MV_FIELD_STRING, FALSE, 1, 100 },
	{ "province", MV_FIELD_STRING, FALSE, 1, 100 },
	{ "postal_code", MV_FIELD_STRING, FALSE, 1, 16 },
	{ "country", MV_FIELD_STRING, FALSE, 2, 2, NULL, NULL, check_country },
	{ NULL },
};

static const MvField emergency_members[] = {
	{ "name", MV_FIELD_STRING, TRUE, 1, 200 },
	{ "relationship", MV_FIELD_STRING, FALSE, 1, 100 },
	{ "phone", MV_FIELD_STRING, TRUE, 1, 64, NULL, NULL, check_phone },
	{ NULL },
};

static const MvField condition_members[] = {
	{ "system", MV_FIELD_STRING, TRUE, 1, 200 },
	{ "code", MV_FIELD_STRING, TRUE, 1, 32 },
	{ "display", MV_FIELD_STRING, FALSE, 1, 200 },
	{ "status", MV_FIELD_ENUM, FALSE, 0, 0, condition_status },
	{ "onset_date", MV_FIELD_DATE, FALSE },
	{ NULL },
};

static const MvField medication_members[] = {
	{ "system", MV_FIELD_STRING, TRUE, 1, 200 },   { "code", MV_FIELD_STRING, TRUE, 1, 32 },
	{ "display", MV_FIELD_STRING, FALSE, 1, 200 }, { "dose", MV_FIELD_STRING, FALSE, 1, 100 },
	{ "start_date", MV_FIELD_DATE, FALSE },	       { NULL },
};

static const MvField allergy_members[] = {
	{ "system", MV_FIELD_STRING, TRUE, 1, 200 },
	{ "code", MV_FIELD_STRING, TRUE, 1, 32 },
	{ "display", MV_FIELD_STRING, FALSE, 1, 200 },
	{ "severity", MV_FIELD_ENUM, FALSE, 0, 0, severities },
	{ NULL },
};

static const MvField preference_members[] = {
	{ "units", MV_FIELD_ENUM, FALSE, 0, 0, units },
	{ "contact_opt_in", MV_FIELD_BOOL, FALSE },
	{ "daily_step_goal", MV_FIELD_INT, FALSE, 0, 100000 },
	{ "vr_comfort", MV_FIELD_ENUM, FALSE, 0, 0, comfort },
	{ "time_zone", MV_FIELD_STRING, FALSE, 1, 64, NULL, NULL, check_time_zone },
	{ NULL },
};

static const MvField profile_members[] = {
	{ "mrn", MV_FIELD_STRING, TRUE, 1, 0, NULL, NULL, check_mrn },
	{ "name", MV_FIELD_OBJECT, TRUE, 1, 0, NULL, name_members },
	{ "identifiers", MV_FIELD_LIST, FALSE, 0, MV_PATIENT_IDENTIFIERS_MAX, NULL,
	  identifier_members, check_identifier },
	{ "birth_date", MV_FIELD_DATE, FALSE },
	{ "sex", MV_FIELD_ENUM, FALSE, 0, 0, sexes },
	{ "sex_at_birth", MV_FIELD_ENUM, FALSE, 0, 0, sexes_at_birth },
	{ "gender", MV_FIELD_ENUM, FALSE, 0, 0, genders },
	{ "language", MV_FIELD_STRING, FALSE, 2, 35, NULL, NULL, check_language },
	{ "telecom", MV_FIELD_LIST, FALSE, 0, MV_PATIENT_TELECOM_MAX, NULL, telecom_members,
	  check_telecom },
	{ "address", MV_FIELD_OBJECT, FALSE, 1, 0, NULL, address_members, check_address },
	{ "emergency_contact", MV_FIELD_OBJECT, FALSE, 0, 0, NULL, emergency_members },
	{ "conditions", MV_FIELD_LIST, FALSE, 0, MV_PATIENT_LIST_MAX, NULL, condition_members,
	  check_condition },
	{ "medications", MV_FIELD_LIST, FALSE, 0, MV_PATIENT_LIST_MAX, NULL, medication_members,
	  check_medication },
	{ "allergies", MV_FIELD_LIST, FALSE, 0, MV_PATIENT_LIST_MAX, NULL, allergy_members,
	  check_allergy },
	{ "preferences", MV_FIELD_OBJECT, FALSE, 0, 0, NULL, preference_members },
	{ "notes", MV_FIELD_TEXT, FALSE, 0, MV_PATIENT_NOTES_MAX },
	{ NULL },
};

/* what a patient key may set itself: its language and time zone (the plan's today and the
 * streak's days follow the zone; the texts of its plan and progress the language) */
/* "en" or "zh" for a BCP 47 tag of either (zh-CN, zh-Hans, en-GB: an app sends what the
 * device says), NULL for another language: the texts exist in these two only */
static const gchar *
own_language (const gchar *text)
{
	g_autofree gchar *tag = text != NULL ? mv_language_tag_normalise (text) : NULL;

	if (tag == NULL)
		return NULL;
	if (g_ascii_strncasecmp (tag, "zh", 2) == 0 && (tag[2] == '\0' || tag[2] == '-'))
		return "zh";
	if (g_ascii_strncasecmp (tag, "en", 2) == 0 && (tag[2] == '\0' || tag[2] == '-'))
		return "en";
	return NULL;
}

static gboolean
check_own_language (JsonNode *node,
		    const gchar *ptr,
		    JsonObject *parent,
		    const MvSchemaContext *ctx,
		    GError **error)
{
	if (own_language (json_node_get_string (node)) != NULL)
		return TRUE;
	mv_schema_problem (
		error, ptr, "not-allowed",
		"use en or zh (a tag of either, such as zh-CN, zh-Hans or en-GB, is read "
		"as it)",
		"请使用 en 或 zh（其任一标签，如 zh-CN、zh-Hans 或 en-GB，按其读取）");
	return FALSE;
}

static const MvField own_preference_members[] = {
	{ "time_zone", MV_FIELD_STRING, FALSE, 1, 64, NULL, NULL, check_time_zone },
	{ "language", MV_FIELD_STRING, FALSE, 2, 35, NULL, NULL, check_own_language },
	{ NULL },
};

JsonObject *
mv_patient_own_preferences_patch (JsonObject *body, GError **error)
{
	g_autoptr (GError) problems = NULL;
	g_autoptr (JsonObject) patch = json_object_new ();

	if (body == NULL || json_object_get_size (body) == 0) {
		mv_error_add_problem (
			error, "", "required",
			"give time_zone (an IANA name), language (\"en\" or \"zh\") "
			"or both",
			"请提供 time_zone（IANA 时区名称）、language（\"en\" 或 \"zh\"）"
			"或两者");
		return NULL;
	}
	if (!mv_schema_check (own_preference_members, body, "", NULL, &problems)) {
		g_propagate_error (error, g_steal_pointer (&problems));
		return NULL;
	}
	if (json_object_has_member (body, "language"))
		json_object_set_string_member (
			patch, "language",
			own_language (json_object_get_string_member (body, "language")));
	if (json_object_has_member (body, "time_zone")) {
		JsonObject *preferences = json_object_new ();
		json_object_set_string_member (preferences, "time_zone",
					       json_object_get_string_member (body, "time_zone"));
		json_object_set_object_member (patch, "preferences", preferences);
	}
	return g_steal_pointer (&patch);
}

/* ---- rules between members ---------------------------------------------------------------- */

/* The well-formed identifiers of @profile (system, issuer, normalised value), in order;
 * entries the schema refused are left out (their problems are already listed). */
static GPtrArray *
identifier_entries (JsonObject *profile)
{
	GPtrArray *out
		= g_ptr_array_new_with_free_func ((GDestroyNotify)mv_patient_identifier_free);
	JsonNode *node = json_object_get_member (profile, "identifiers");
	JsonArray *array;

	if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
		return out;
	array = json_node_get_array (node);
	for (guint i = 0; i < json_array_get_length (array); i++) {
		JsonNode *item = json_array_get_element (array, i);
		JsonObject *obj;
		MvPatientIdentifier *id;
		const gchar *system, *value, *issuer;

		if (!JSON_NODE_HOLDS_OBJECT (item))
			continue;
		obj = json_node_get_object (item);
		system = json_object_get_string_member_with_default (obj, "system", NULL);
		value = json_object_get_string_member_with_default (obj, "value", NULL);
		issuer = json_object_get_string_member_with_default (obj, "issuer", NULL);
		if (system == NULL || value == NULL || !g_strv_contains (id_systems, system))
			continue;
		id = g_new0 (MvPatientIdentifier, 1);
		id->index = i;
		id->system = g_strdup (system);
		id->value = mv_vault_normalise_identifier (value, NULL);
		if (strcmp (system, "passport") == 0 && issuer != NULL)
			id->issuer = mv_vault_normalise_identifier (issuer, NULL);
		if (id->value == NULL) {
			mv_patient_identifier_free (id);
			continue;
		}
		g_ptr_array_add (out, id);
	}
	return out;
}

/* One identifier per system (a passport: one per issuing country); an "mrn" entry is the
 * top-level mrn written again, so it must be the same number. */
static gboolean
check_identifier_rules (JsonObject *profile, GError **error)
{
	g_autoptr (GPtrArray) ids = identifier_entries (profile);
	const gchar *mrn = json_object_get_string_member_with_default (profile, "mrn", NULL);
	g_autofree gchar *mrn_norm = mrn != NULL ? mv_vault_normalise_identifier (mrn, NULL) : NULL;
	gboolean ok = TRUE;

	for (guint i = 0; i < ids->len; i++) {
		MvPatientIdentifier *a = g_ptr_array_index (ids, i);
		g_autofree gchar *item_ptr = mv_json_pointer_index ("/identifiers", a->index);
		g_autofree gchar *system_ptr = mv_json_pointer_child (item_ptr, "system");
		g_autofree gchar *value_ptr = mv_json_pointer_child (item_ptr, "value");

		for (guint j = 0; j < i; j++) {
			MvPatientIdentifier *b = g_ptr_array_index (ids, j);
			if (strcmp (a->system, b->system) == 0
			    && g_strcmp0 (a->issuer, b->issuer) == 0) {
				mv_schema_problem (error, system_ptr, "duplicate",
						   "repeats a system listed before: at most one "
						   "identifier per system (a passport: one per "
						   "issuing country)",
						   "与前面的标识符体系重复：每个体系最多一个标识符"
						   "（护照：每个签发国家一个）");
				ok = FALSE;
				break;
			}
		}
		if (strcmp (a->system, "mrn") == 0 && mrn_norm != NULL
		    && strcmp (a->value, mrn_norm) != 0) {
			mv_schema_problem (error, value_ptr, "mismatch",
					   "must be the same number as mrn (the clinic's medical "
					   "record number)",
					   "应与 mrn（本机构的病历号）相同");
			ok = FALSE;
		}
	}
	wipe (mrn_norm);
	return ok;
}

/* ---- the API ------------------------------------------------------------------------------ */

void
mv_patient_identifier_free (MvPatientIdentifier *id)
{
	if (id == NULL)
		return;
	g_free (id->system);
	wipe (id->value);
	g_free (id->value);
	g_free (id->issuer);
	g_free (id);
}

GPtrArray *
mv_patient_profile_identifiers (JsonObject *profile)
{
	return identifier_entries (profile);
}

gboolean
mv_patient_profile_validate (JsonObject *profile, GDate *today, GError **error)
{
	MvSchemaContext ctx = { 0 };
	g_autoptr (GDateTime) noon = NULL;
	gboolean ok;

	if (today != NULL) {
		noon = g_date_time_new_utc (g_date_get_year (today), g_date_get_month (today),
					    g_date_get_day (today), 12, 0, 0);
		ctx.now = noon;
	}
	ok = mv_schema_check (profile_members, profile, "", &ctx, error);
	/* the rules between members run on whatever is well-formed, so every problem is listed */
	ok = check_identifier_rules (profile, error) && ok;
	return ok;
}

gboolean
mv_patient_profile_check_patch (JsonObject *patch, GError **error)
{
	return mv_schema_check_patch (profile_members, patch, "", error);
}

static void
normalise_phone (JsonObject *object, const gchar *member)
{
	const gchar *text = json_object_get_string_member_with_default (object, member, NULL);
	g_autofree gchar *e164 = text != NULL ? mv_phone_to_e164 (text) : NULL;

	if (e164 != NULL)
		json_object_set_string_member (object, member, e164);
}

void
mv_patient_profile_normalise (JsonObject *profile)
{
	const gchar *language
		= json_object_get_string_member_with_default (profile, "language", NULL);
	g_autofree gchar *tag = language != NULL ? mv_language_tag_normalise (language) : NULL;
	JsonNode *telecom = json_object_get_member (profile, "telecom");
	JsonNode *contact = json_object_get_member (profile, "emergency_contact");

	if (tag != NULL)
		json_object_set_string_member (profile, "language", tag);
	if (telecom != NULL && JSON_NODE_HOLDS_ARRAY (telecom)) {
		JsonArray *array = json_node_get_array (telecom);
		for (guint i = 0; i < json_array_get_length (array); i++) {
			JsonNode *item = json_array_get_element (array, i);
			if (JSON_NODE_HOLDS_OBJECT (item)
			    && g_strcmp0 (json_object_get_string_member_with_default (
						  json_node_get_object (item), "system", NULL),
					  "phone")
				       == 0)
				normalise_phone (json_node_get_object (item), "value");
		}
	}
	if (contact != NULL && JSON_NODE_HOLDS_OBJECT (contact))
		normalise_phone (json_node_get_object (contact), "phone");
}
