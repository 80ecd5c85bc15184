/*
 * vr-recommender core — the inputs of Recommend and Train: the patient, the sessions, the
 * options and the model.  Every problem is listed at once, named by its JSON Pointer; unknown
 * members are refused at the top of the patient and the options, while the conditions and
 * findings keep the members other modules give them (a parsed finding carries many).
 */
#define G_LOG_DOMAIN "vr-recommender"

#include <string.h>

#include "vr-core.h"

static const gchar *const vr_patient_members[] = {
	"age_years",	     "sex",	 "language", "pregnant", "conditions",	"findings",
	"comfort_tolerance", "max_mets", "posture",  "goals",	 "extra_items", NULL,
};
static const gchar *const vr_sexes[] = { "female", "male", "other", "unknown", NULL };
/* FHIR clinical status; the first four may exclude (unknown: a missing status too) */
static const gchar *const vr_statuses[] = {
	"active", "recurrence", "relapse", "unknown", "inactive", "remission", "resolved", NULL,
};
/* FHIR's verificationStatus: a refuted condition (or one entered in error) is not the
 * patient's; the others (unconfirmed, provisional, differential) count, safety first */
static const gchar *const vr_verifications[] = {
	"unconfirmed", "provisional",	   "differential", "confirmed",
	"refuted",     "entered-in-error", NULL,
};
static const gchar *const vr_polarities[] = { "present", "possible", "absent", NULL };
static const gchar *const vr_experiencers[] = { "patient", "family", NULL };
static const gchar *const vr_sickness[] = { "none", "mild", "moderate", "severe", NULL };

void
vr_patient_free (VrPatient *p)
{
	if (p == NULL)
		return;
	g_free (p->language);
	g_ptr_array_unref (p->codes);
	g_ptr_array_unref (p->history_codes);
	g_ptr_array_unref (p->unchecked);
	g_strfreev (p->goals);
	g_ptr_array_unref (p->extra_items);
	g_free (p);
}

/* a code, and the table codes it stands for when it is a mapped SNOMED CT concept */
static void
vr_add_code (GPtrArray *into, const gchar *code)
{
	const gchar *const *mapped = vr_snomed_codes (code);

	g_ptr_array_add (into, g_strdup (code));
	for (guint i = 0; mapped != NULL && mapped[i] != NULL; i++)
		g_ptr_array_add (into, g_strdup (mapped[i]));
}

/* a code and its xrefs into @into (NULL: read and checked, not kept); when neither the code
 * nor any xref is one the tables can read, the code into @unchecked (NULL: not a concern) */
static void
vr_read_coded (JsonObject *obj,
	       const gchar *path,
	       GPtrArray *into,
	       GPtrArray *unchecked,
	       GPtrArray *problems)
{
	const gchar *code = vr_json_string (obj, path, "code", TRUE, problems);
	g_auto (GStrv) xrefs = vr_json_strv (obj, path, "xrefs", FALSE, NULL, problems);
	gboolean readable;

	if (into == NULL || code == NULL)
		return;
	vr_add_code (into, code);
	readable = vr_code_readable (code);
	for (guint i = 0; xrefs != NULL && xrefs[i] != NULL; i++) {
		vr_add_code (into, xrefs[i]);
		readable = readable || vr_code_readable (xrefs[i]);
	}
	if (!readable && unchecked != NULL
	    && !g_ptr_array_find_with_equal_func (unchecked, code, g_str_equal, NULL))
		g_ptr_array_add (unchecked, g_strdup (code));
}

/* a finding's kind (the symptom parser's), NULL when absent or not a string */
static const gchar *
vr_finding_kind (JsonObject *f)
{
	JsonNode *k = json_object_get_member (f, "kind");

	if (k == NULL || !JSON_NODE_HOLDS_VALUE (k)
	    || json_node_get_value_type (k) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string (k);
}

static void
vr_read_conditions (JsonObject *obj, VrPatient *p, GPtrArray *problems)
{
	JsonArray *list = vr_json_array (obj, "", "conditions", FALSE, problems);

	for (guint i = 0; list != NULL && i < json_array_get_length (list); i++) {
		g_autofree gchar *path = g_strdup_printf ("/conditions/%u", i);
		JsonObject *c
			= vr_json_object_at (json_array_get_element (list, i), path, problems);
		gint status, verification;
		if (c == NULL)
			continue;
		status = vr_json_enum (c, path, "status", vr_statuses, FALSE, problems);
		verification = vr_json_enum (c, path, "verification_status", vr_verifications,
					     FALSE, problems);
		if (verification >= 4)
			status = -1; /* not the patient's: read for its problems only */
		/* a missing status is unknown, and unknown excludes: safety first; inactive and
		 * remission are a history, which counts for seizures only (README) */
		if (status == -2 || (status >= 0 && status <= 3))
			vr_read_coded (c, path, p->codes, p->unchecked, problems);
		else if (status == 4 || status == 5)
			vr_read_coded (c, path, p->history_codes, p->unchecked, problems);
		else
			vr_read_coded (c, path, NULL, NULL, problems);
	}
}

static void
vr_read_findings (JsonObject *obj, VrPatient *p, GPtrArray *problems)
{
	JsonArray *list = vr_json_array (obj, "", "findings", FALSE, problems);

	for (guint i = 0; list != NULL && i < json_array_get_length (list); i++) {
		g_autofree gchar *path = g_strdup_printf ("/findings/%u", i);
		JsonObject *f
			= vr_json_object_at (json_array_get_element (list, i), path, problems);
		gint polarity, experiencer;
		const gchar *kind;
		if (f == NULL)
			continue;
		/* a medication, a measurement, an allergen or a score is coded in other systems
		 * (ATC, LOINC) and is no condition: only symptoms and conditions can be unread */
		kind = vr_finding_kind (f);
		polarity = vr_json_enum (f, path, "polarity", vr_polarities, FALSE, problems);
		experiencer
			= vr_json_enum (f, path, "experiencer", vr_experiencers, FALSE, problems);
		/* a negated or family-history finding never excludes (nor matches a target) */
		vr_read_coded (f, path, polarity != 2 && experiencer != 1 ? p->codes : NULL,
			       kind == NULL || g_str_equal (kind, "symptom")
					       || g_str_equal (kind, "condition")
				       ? p->unchecked
				       : NULL,
			       problems);
	}
}

static void
vr_read_extra_items (JsonObject *obj, const VrCatalog *cat, VrPatient *p, GPtrArray *problems)
{
	JsonArray *list = vr_json_array (obj, "", "extra_items", FALSE, problems);
	g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

	for (guint i = 0; list != NULL && i < json_array_get_length (list); i++) {
		g_autofree gchar *path = g_strdup_printf ("/extra_items/%u", i);
		VrItem *item = vr_item_read (json_array_get_element (list, i), path, problems);
		if (item == NULL)
			continue;
		if (g_hash_table_contains (cat->by_id, item->id)
		    || !g_hash_table_add (seen, item->id)) {
			g_autofree gchar *field = g_strdup_printf ("%s/id", path);
			vr_problem_add (problems, field, "duplicate",
					"is the id of a catalog item or an earlier extra item",
					"与目录条目或前面的附加条目 id 重复");
		}
		g_ptr_array_add (p->extra_items, item);
	}
}

static void
vr_read_limits (JsonObject *obj, VrPatient *p, GPtrArray *problems)
{
	gint v;

	if (vr_json_number (obj, "", "age_years", FALSE, &p->age_years, problems)
	    && (p->age_years < 0 || p->age_years > 130)) {
		vr_problem_add (problems, "/age_years", "out-of-range",
				"is out of range (0 to 130)", "超出范围（0 至 130）");
		p->age_years = -1;
	}
	v = vr_json_enum (obj, "", "comfort_tolerance", vr_comforts, FALSE, problems);
	p->tolerance = v >= 0 ? (VrComfort)v : VR_COMFORT_MODERATE;
	if (vr_json_number (obj, "", "max_mets", FALSE, &p->max_mets, problems)
	    && (p->max_mets < 1.0 || p->max_mets > 20.0)) {
		vr_problem_add (problems, "/max_mets", "out-of-range",
				"is out of range (1.0 to 20.0 METs)",
				"超出范围（1.0 至 20.0 METs）");
	}
	v = vr_json_enum (obj, "", "posture", vr_postures, FALSE, problems);
	p->posture = v >= 0 ? (VrPosture)v : VR_POSTURE_EITHER;
	p->posture_given = v >= 0;
}

VrPatient *
vr_patient_read (JsonNode *node, const VrCatalog *cat, GPtrArray *problems)
{
	g_autoptr (VrPatient) p = g_new0 (VrPatient, 1);
	guint before = problems->len;
	JsonObject *obj = vr_json_object_at (node, "", problems);
	gint lang;

	if (obj == NULL)
		return NULL;
	p->age_years = -1;
	p->max_mets = -1;
	p->codes = g_ptr_array_new_with_free_func (g_free);
	p->history_codes = g_ptr_array_new_with_free_func (g_free);
	p->unchecked = g_ptr_array_new_with_free_func (g_free);
	p->extra_items = g_ptr_array_new_with_free_func ((GDestroyNotify)vr_item_free);
	vr_json_check_members (obj, "", vr_patient_members, problems);
	lang = vr_json_enum (obj, "", "language", vr_languages, TRUE, problems);
	p->language = g_strdup (lang >= 0 ? vr_languages[lang] : "en");
	vr_json_enum (obj, "", "sex", vr_sexes, FALSE, problems);
	vr_json_boolean (obj, "", "pregnant", &p->pregnant, problems);
	vr_read_limits (obj, p, problems);
	vr_read_conditions (obj, p, problems);
	vr_read_findings (obj, p, problems);
	p->goals = vr_json_strv (obj, "", "goals", FALSE, NULL, problems);
	vr_read_extra_items (obj, cat, p, problems);
	p->fall_risk = vr_fall_risk (p);
	return problems->len == before ? g_steal_pointer (&p) : NULL;
}

void
vr_session_free (VrSession *s)
{
	g_free (s->content_id);
	g_free (s->patient);
	g_free (s);
}

/* "YYYY-MM-DD" of a real calendar day, digits only (g_date_set_parse is lenient and local) */
static gboolean
vr_date_parse (const gchar *s, GDate *out)
{
	guint y, m, d;

	g_date_clear (out, 1);
	for (guint i = 0; i < 10; i++) {
		if (s[i] == '\0' || (i == 4 || i == 7 ? s[i] != '-' : !g_ascii_isdigit (s[i])))
			return FALSE;
	}
	if (s[10] != '\0')
		return FALSE;
	y = g_ascii_strtoull (s, NULL, 10);
	m = g_ascii_strtoull (s + 5, NULL, 10);
	d = g_ascii_strtoull (s + 8, NULL, 10);
	if (y < 1 || !g_date_valid_dmy (d, m, y))
		return FALSE;
	g_date_set_dmy (out, d, m, y);
	return TRUE;
}

static VrSession *
vr_session_read (JsonObject *obj, const gchar *path, gboolean with_patient, GPtrArray *problems)
{
	static const gchar *const members[]
		= { "patient",	 "content_id", "date",		"duration_min",
		    "completed", "rating",     "cybersickness", NULL };
	VrSession *s = g_new0 (VrSession, 1);
	const gchar *date, *content, *patient = NULL;
	g_autofree gchar *field = NULL;
	gint sick;

	vr_json_check_members (obj, path, with_patient ? members : members + 1, problems);
	if (with_patient)
		patient = vr_json_string (obj, path, "patient", TRUE, problems);
	s->patient = g_strdup (patient);
	content = vr_json_string (obj, path, "content_id", TRUE, problems);
	s->content_id = g_strdup (content);
	date = vr_json_string (obj, path, "date", TRUE, problems);
	if (date != NULL && !vr_date_parse (date, &s->date)) {
		field = g_strdup_printf ("%s/date", path);
		vr_problem_add (problems, field, "invalid-format",
				"is not a calendar day written YYYY-MM-DD",
				"不是 YYYY-MM-DD 格式的有效日期");
	}
	if (vr_json_number (obj, path, "duration_min", TRUE, &s->duration_min, problems)
	    && (s->duration_min < 0 || s->duration_min > 240)) {
		g_autofree gchar *f = g_strdup_printf ("%s/duration_min", path);
		vr_problem_add (problems, f, "out-of-range", "is out of range (0 to 240 minutes)",
				"超出范围（0 至 240 分钟）");
	}
	if (vr_json_member (obj, "completed") == NULL) {
		g_autofree gchar *f = g_strdup_printf ("%s/completed", path);
		vr_problem_add (problems, f, "required", "is required", "为必填项");
	}
	vr_json_boolean (obj, path, "completed", &s->completed, problems);
	if (vr_json_number (obj, path, "rating", FALSE, &s->rating, problems)
	    && (s->rating < 1 || s->rating > 5)) {
		g_autofree gchar *f = g_strdup_printf ("%s/rating", path);
		vr_problem_add (problems, f, "out-of-range", "is out of range (1 to 5)",
				"超出范围（1 至 5）");
	}
	sick = vr_json_enum (obj, path, "cybersickness", vr_sickness, FALSE, problems);
	s->sickness = MAX (sick, 0);
	return s;
}

GPtrArray *
vr_sessions_read (JsonNode *node, const gchar *path, gboolean with_patient, GPtrArray *problems)
{
	g_autoptr (GPtrArray) sessions
		= g_ptr_array_new_with_free_func ((GDestroyNotify)vr_session_free);
	guint before = problems->len;
	JsonArray *list;

	if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node)) {
		vr_problem_add (problems, path, "wrong-type", "has the wrong type: expected a list",
				"类型错误：应为列表");
		return NULL;
	}
	list = json_node_get_array (node);
	for (guint i = 0; i < json_array_get_length (list); i++) {
		g_autofree gchar *sub = g_strdup_printf ("%s/%u", path, i);
		JsonObject *obj
			= vr_json_object_at (json_array_get_element (list, i), sub, problems);
		if (obj != NULL)
			g_ptr_array_add (sessions,
					 vr_session_read (obj, sub, with_patient, problems));
	}
	return problems->len == before ? g_steal_pointer (&sessions) : NULL;
}

void
vr_options_clear (VrOptions *o)
{
	g_clear_pointer (&o->exclude, g_strfreev);
	g_clear_pointer (&o->pin, g_strfreev);
}

gboolean
vr_options_read (JsonNode *node, VrOptions *out, GPtrArray *problems)
{
	static const gchar *const members[]
		= { "limit", "include_excluded", "exclude", "pin", "seed", NULL };
	guint before = problems->len;
	JsonObject *obj = vr_json_object_at (node, "/options", problems);
	guint seed = 0;

	out->limit = 10;
	if (obj == NULL)
		return FALSE;
	vr_json_check_members (obj, "/options", members, problems);
	if (vr_json_uint (obj, "/options", "limit", FALSE, 50, &out->limit, problems)
	    && out->limit == 0)
		vr_problem_add (problems, "/options/limit", "out-of-range",
				"is out of range (1 to 50)", "超出范围（1 至 50）");
	vr_json_boolean (obj, "/options", "include_excluded", &out->include_excluded, problems);
	out->exclude = vr_json_strv (obj, "/options", "exclude", FALSE, NULL, problems);
	out->pin = vr_json_strv (obj, "/options", "pin", FALSE, NULL, problems);
	if (vr_json_uint (obj, "/options", "seed", FALSE, G_MAXUINT32, &seed, problems))
		out->seed = seed;
	return problems->len == before;
}
