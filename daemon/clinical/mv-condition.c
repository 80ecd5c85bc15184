/*
 * The condition kind: a coded problem or diagnosis of the patient, or of a relative (a
 * family-history entry: the same record with a `family_member`).  Shapes:
 * docs/clinical-record.md ("Condition").
 */
#define G_LOG_DOMAIN "medverse-clinical"

#include "mv-clinical-private.h"
#include "records/mv-code-systems.h"

/* FHIR R4's condition-clinical and condition-ver-status codes (entered-in-error is the
 * store's: a record is deleted by marking it so) */
static const gchar *const clinical_statuses[]
	= { "active", "recurrence", "relapse", "inactive", "remission", "resolved", NULL };
static const gchar *const verification_statuses[]
	= { "confirmed", "provisional", "differential", "unconfirmed", "refuted", NULL };

static const gchar *const condition_systems[]
	= { "icd-10", "icd-10-cn", "icd-10-cm", "snomed-ct", "hpo", "doid", NULL };

#define ROLE_CODE_SYSTEM "http://terminology.hl7.org/CodeSystem/v3-RoleCode"

/* A subset of HL7 v3 RoleCode's family members (FamilyMember value set). */
static const struct {
	const gchar *word;
	const gchar *code;
	const gchar *zh;
} relatives[] = {
	{ "mother", "MTH", "母亲" },
	{ "father", "FTH", "父亲" },
	{ "parent", "PRN", "父母" },
	{ "sibling", "SIB", "兄弟姐妹" },
	{ "brother", "BRO", "兄弟" },
	{ "sister", "SIS", "姐妹" },
	{ "half-sibling", "HSIB", "同父异母或同母异父的兄弟姐妹" },
	{ "twin", "TWIN", "双胞胎" },
	{ "child", "CHILD", "子女" },
	{ "son", "SONC", "儿子" },
	{ "daughter", "DAUC", "女儿" },
	{ "grandparent", "GRPRN", "祖父母或外祖父母" },
	{ "grandmother", "GRMTH", "祖母或外祖母" },
	{ "grandfather", "GRFTH", "祖父或外祖父" },
	{ "maternal-grandmother", "MGRMTH", "外祖母" },
	{ "maternal-grandfather", "MGRFTH", "外祖父" },
	{ "paternal-grandmother", "PGRMTH", "祖母" },
	{ "paternal-grandfather", "PGRFTH", "祖父" },
	{ "aunt", "AUNT", "姑母或姨母" },
	{ "uncle", "UNCLE", "伯父、叔父或舅父" },
	{ "cousin", "COUSN", "堂或表兄弟姐妹" },
	{ "grandchild", "GRNDCHILD", "孙子女或外孙子女" },
	{ "family-member", "FAMMEMB", "家庭成员" },
};

static gint
relative_index (const gchar *word_or_code)
{
	for (guint i = 0; i < G_N_ELEMENTS (relatives); i++) {
		if (g_strcmp0 (relatives[i].word, word_or_code) == 0
		    || g_strcmp0 (relatives[i].code, word_or_code) == 0)
			return (gint)i;
	}
	return -1;
}

static gboolean
check_relationship (JsonNode *node,
		    const gchar *ptr,
		    JsonObject *parent,
		    const MvSchemaContext *ctx,
		    GError **error)
{
	GString *list;
	g_autofree gchar *all = NULL;
	g_autofree gchar *en = NULL;
	g_autofree gchar *zh = NULL;

	if (relative_index (json_node_get_string (node)) >= 0)
		return TRUE;
	list = g_string_new (NULL);
	for (guint i = 0; i < G_N_ELEMENTS (relatives); i++)
		g_string_append_printf (list, "%s%s", i > 0 ? ", " : "", relatives[i].word);
	all = g_string_free (list, FALSE);
	en = g_strdup_printf ("must be one of %s (or its HL7 RoleCode, e.g. MTH)", all);
	zh = g_strdup_printf ("应为以下之一：%s（或其 HL7 RoleCode，例如 MTH）", all);
	mv_schema_problem (error, ptr, "not-allowed", en, zh);
	return FALSE;
}

static gboolean
check_years (JsonNode *node,
	     const gchar *ptr,
	     JsonObject *parent,
	     const MvSchemaContext *ctx,
	     GError **error)
{
	gdouble v = json_node_get_double (node);

	if (v >= 0 && v <= 150)
		return TRUE;
	mv_schema_problem (error, ptr, "out-of-range", "must be between 0 and 150 years",
			   "应在 0 到 150 岁之间");
	return FALSE;
}

static gboolean
check_condition_code (JsonNode *node,
		      const gchar *ptr,
		      JsonObject *parent,
		      const MvSchemaContext *ctx,
		      GError **error)
{
	return mv_coding_check (json_node_get_object (node), ptr, condition_systems, error);
}

static const MvField family_members[] = {
	{ "relationship", MV_FIELD_STRING, TRUE, 1, 32, NULL, NULL, check_relationship,
	  "the relative: mother, father, sibling… (or its HL7 v3 RoleCode)" },
	{ "age_at_onset", MV_FIELD_NUMBER, FALSE, 0, 0, NULL, NULL, check_years,
	  "the relative's age when the condition began, in years" },
	{ "deceased", MV_FIELD_BOOL, FALSE, 0, 0, NULL, NULL, NULL,
	  "whether the relative has died" },
	{ NULL },
};

const MvField mv_condition_members[] = {
	{ "code", MV_FIELD_OBJECT, TRUE, 0, 0, NULL, mv_clinical_coding_members,
	  check_condition_code,
	  "{system, code, display?}: icd-10, icd-10-cn, icd-10-cm, snomed-ct, hpo or doid" },
	{ "clinical_status", MV_FIELD_ENUM, FALSE, 0, 0, clinical_statuses, NULL, NULL,
	  "active (default), recurrence, relapse, inactive, remission, resolved" },
	{ "verification_status", MV_FIELD_ENUM, FALSE, 0, 0, verification_statuses, NULL, NULL,
	  "confirmed (default), provisional, differential, unconfirmed, refuted" },
	{ "onset", MV_FIELD_ANY, FALSE, 0, 0, NULL, NULL, mv_clinical_check_when,
	  "when it began: a date or a date-time with an offset" },
	{ "onset_age", MV_FIELD_NUMBER, FALSE, 0, 0, NULL, NULL, check_years,
	  "the patient's age when it began, in years (instead of onset)" },
	{ "abatement", MV_FIELD_ANY, FALSE, 0, 0, NULL, NULL, mv_clinical_check_when,
	  "when it resolved or went into remission" },
	{ "recorded_date", MV_FIELD_ANY, FALSE, 0, 0, NULL, NULL, mv_clinical_check_when,
	  "when it was first recorded" },
	{ "recorder", MV_FIELD_STRING, FALSE, 1, 200, NULL, NULL, NULL,
	  "who recorded it (default: the caller's API key id)" },
	{ "note", MV_FIELD_TEXT, FALSE, 1, 2000, NULL, NULL, NULL, "a remark" },
	{ "family_member", MV_FIELD_OBJECT, FALSE, 0, 0, NULL, family_members, NULL,
	  "present when the condition is a relative's (family history)" },
	{ NULL },
};

/* Rules between members, on members of the right type only (the schema reported others). */
static void
check_between (JsonObject *input, const gchar *pointer, GError **error)
{
	const gchar *onset = mv_clinical_get_string (input, "onset");
	const gchar *abatement = mv_clinical_get_string (input, "abatement");

	if (json_object_has_member (input, "onset_age")
	    && (json_object_has_member (input, "onset")
		|| json_object_has_member (input, "family_member"))) {
		g_autofree gchar *p = mv_json_pointer_child (pointer, "onset_age");
		mv_schema_problem (error, p, "not-allowed",
				   "is not allowed with onset, nor in family history (use "
				   "family_member/age_at_onset)",
				   "不能与 onset 同时填写，家族史中也不适用（请使用 "
				   "family_member/age_at_onset）");
	}
	if (onset != NULL && abatement != NULL && mv_clinical_when_before (abatement, onset)) {
		g_autofree gchar *p = mv_json_pointer_child (pointer, "abatement");
		mv_schema_problem (error, p, "out-of-range", "must not be before the onset",
				   "不能早于发病时间");
	}
}

static JsonObject *
condition_normalise (JsonObject *input,
		     const gchar *pointer,
		     const MvClinicalContext *ctx,
		     GError **error)
{
	static const gchar *const plain[] = { "clinical_status",
					      "verification_status",
					      "onset",
					      "onset_age",
					      "abatement",
					      "recorded_date",
					      "recorder",
					      "note",
					      NULL };
	JsonObject *family;
	JsonObject *out;

	if (!mv_clinical_check (mv_condition_members, check_between, input, pointer, ctx, error))
		return NULL;
	out = json_object_new ();
	json_object_set_object_member (
		out, "code", mv_clinical_coding_normalise (mv_clinical_get_object (input, "code")));
	mv_clinical_copy_members (out, input, plain);
	mv_clinical_set_default (out, "clinical_status", "active");
	mv_clinical_set_default (out, "verification_status", "confirmed");
	if (ctx != NULL && ctx->actor != NULL)
		mv_clinical_set_default (out, "recorder", ctx->actor);
	family = mv_clinical_get_object (input, "family_member");
	if (family != NULL) {
		JsonObject *f = json_object_new ();
		gint i = relative_index (json_object_get_string_member (family, "relationship"));
		JsonObject *role = json_object_new ();

		json_object_set_string_member (f, "relationship", relatives[i].word);
		json_object_set_string_member (role, "system", ROLE_CODE_SYSTEM);
		json_object_set_string_member (role, "code", relatives[i].code);
		json_object_set_object_member (f, "role_code", role);
		json_object_set_string_member (f, "relationship_zh", relatives[i].zh);
		mv_clinical_copy_member (f, family, "age_at_onset");
		mv_clinical_copy_member (f, family, "deceased");
		json_object_set_object_member (out, "family_member", f);
	}
	return out;
}

static JsonObject *
condition_to_input (JsonObject *record)
{
	JsonObject *out = mv_clinical_object_copy (record);
	JsonObject *family = mv_clinical_get_object (out, "family_member");

	/* derived from relationship: normalise adds them again */
	if (family != NULL) {
		json_object_remove_member (family, "role_code");
		json_object_remove_member (family, "relationship_zh");
	}
	return out;
}

static void
condition_terms (JsonObject *record, MvClinicalTerms *terms)
{
	const gchar *onset = mv_clinical_get_string (record, "onset");

	mv_clinical_terms_add_coding (terms, mv_clinical_get_object (record, "code"));
	mv_clinical_terms_set_when (
		terms, onset != NULL ? onset : mv_clinical_get_string (record, "recorded_date"));
}

const MvClinicalKind mv_condition_kind = {
	.name = "condition",
	.plural = "conditions",
	.title_en = "Condition",
	.title_zh = "疾病与问题",
	.normalise = condition_normalise,
	.to_input = condition_to_input,
	.terms = condition_terms,
};
