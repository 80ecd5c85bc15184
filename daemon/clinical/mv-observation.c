/*
 * The observation kind: a LOINC-coded measurement (vital sign, lab value, activity, score),
 * converted to its canonical UCUM unit with the original kept, refused when physiologically
 * impossible.  Input and stored shapes: docs/clinical-record.md ("Observation").
 */
#define G_LOG_DOMAIN "medverse-clinical"

#include <math.h>
#include <string.h>

#include "mv-clinical-private.h"
#include "mv-observation-table.h"
#include "records/mv-code-systems.h"

/* the members kept as they are, in the stored and in the client's form */
static const gchar *const plain[] = { "effective_at", "source", "method", "device", "note", NULL };

static const gchar *const sources[] = { "clinician", "device", "patient", "derived", NULL };

static gboolean check_code (JsonNode *node,
			    const gchar *ptr,
			    JsonObject *parent,
			    const MvSchemaContext *ctx,
			    GError **error);

static gboolean check_value_code (JsonNode *node,
				  const gchar *ptr,
				  JsonObject *parent,
				  const MvSchemaContext *ctx,
				  GError **error);

static const MvField component_members[] = {
	{ "code", MV_FIELD_ANY, TRUE, 0, 0, NULL, NULL, check_code,
	  "the component's LOINC code, e.g. 8480-6 (systolic)" },
	{ "value", MV_FIELD_NUMBER, TRUE, 0, 0, NULL, NULL, NULL, "the measured value" },
	{ "unit", MV_FIELD_STRING, TRUE, 1, 64, NULL, NULL, NULL, "its unit (UCUM or common)" },
	{ NULL },
};

const MvField mv_observation_members[] = {
	{ "code", MV_FIELD_ANY, TRUE, 0, 0, NULL, NULL, check_code,
	  "a LOINC code (\"8867-4\") or a coding {system, code}" },
	{ "value", MV_FIELD_NUMBER, FALSE, 0, 0, NULL, NULL, NULL,
	  "the measured value (not for a panel)" },
	{ "unit", MV_FIELD_STRING, FALSE, 1, 64, NULL, NULL, NULL,
	  "the value's unit: UCUM (mg/dL, [degF]) or a common spelling (°F, lbs, bpm)" },
	{ "value_code", MV_FIELD_ANY, FALSE, 0, 0, NULL, NULL, check_value_code,
	  "a coded observation's answer (smoking status 72166-2): a LOINC answer code "
	  "(LA18978-9) or a coding {system, code}" },
	{ "effective_at", MV_FIELD_DATETIME, TRUE, 0, 0, NULL, NULL, NULL,
	  "when it was measured (RFC 3339 with an offset)" },
	{ "source", MV_FIELD_ENUM, FALSE, 0, 0, sources, NULL, NULL, "who measured it" },
	{ "method", MV_FIELD_STRING, FALSE, 1, 200, NULL, NULL, NULL, "how it was measured" },
	{ "device", MV_FIELD_STRING, FALSE, 1, 200, NULL, NULL, NULL, "the device used" },
	{ "note", MV_FIELD_TEXT, FALSE, 1, 2000, NULL, NULL, NULL, "a remark" },
	{ "components", MV_FIELD_LIST, FALSE, 1, 8, NULL, component_members, NULL,
	  "a panel's parts (blood pressure: systolic and diastolic)" },
	{ NULL },
};

/* The system URI and code of a well-formed code member (a LOINC string or a coding). */
static gboolean
resolve_code (JsonNode *node, const gchar **system, const gchar **code)
{
	const MvCodeSystem *loinc = mv_code_system_lookup ("loinc");

	if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING) {
		*system = loinc->uri;
		*code = json_node_get_string (node);
		return TRUE;
	}
	if (JSON_NODE_HOLDS_OBJECT (node)) {
		JsonObject *o = json_node_get_object (node);
		const gchar *s = mv_clinical_get_string (o, "system");
		const MvCodeSystem *known = mv_code_system_lookup (s);
		*system = known != NULL ? known->uri : s;
		*code = mv_clinical_get_string (o, "code");
		return *system != NULL && *code != NULL;
	}
	return FALSE;
}

static gboolean
check_code (JsonNode *node,
	    const gchar *ptr,
	    JsonObject *parent,
	    const MvSchemaContext *ctx,
	    GError **error)
{
	static const gchar *const loinc_only[] = { "loinc", NULL };
	const MvCodeSystem *loinc = mv_code_system_lookup ("loinc");
	JsonObject *coding;
	const gchar *system;

	if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING) {
		if (loinc->valid (json_node_get_string (node)))
			return TRUE;
		mv_schema_problem (error, ptr, "invalid-code",
				   "is not a valid LOINC code (e.g. 8867-4)",
				   "不是有效的 LOINC 编码（例如 8867-4）");
		return FALSE;
	}
	if (!JSON_NODE_HOLDS_OBJECT (node)) {
		mv_schema_problem (error, ptr, "wrong-type",
				   "must be a LOINC code (a string) or a coding {system, code}",
				   "应为 LOINC 编码（字符串）或编码对象 {system, code}");
		return FALSE;
	}
	coding = json_node_get_object (node);
	if (!mv_schema_check (mv_clinical_coding_members, coding, ptr, ctx, error))
		return FALSE;
	system = json_object_get_string_member (coding, "system");
	if (g_strcmp0 (system, MV_OBSERVATION_PROJECT_SYSTEM) != 0
	    && mv_code_system_lookup (system) != loinc) {
		g_autofree gchar *system_ptr = mv_json_pointer_child (ptr, "system");
		mv_schema_problem (
			error, system_ptr, "unknown-system",
			"is not a code system accepted here; use loinc (http://loinc.org) "
			"or " MV_OBSERVATION_PROJECT_SYSTEM,
			"不是此处可用的编码体系；请使用 "
			"loinc（http://loinc.org）或 " MV_OBSERVATION_PROJECT_SYSTEM);
		return FALSE;
	}
	if (g_strcmp0 (system, MV_OBSERVATION_PROJECT_SYSTEM) != 0)
		return mv_coding_check (coding, ptr, loinc_only, error);
	if (mv_obs_lookup (system, json_object_get_string_member (coding, "code")) != NULL)
		return TRUE;
	{
		g_autofree gchar *code_ptr = mv_json_pointer_child (ptr, "code");
		mv_schema_problem (error, code_ptr, "invalid-code",
				   "is not a code of Medverse's observation system (e.g. mood)",
				   "不是 Medverse 观测编码体系中的编码（例如 mood）");
	}
	return FALSE;
}

/* The answer code of a value_code member (a string, or a LOINC coding), or NULL. */
static const gchar *
answer_code (JsonNode *node)
{
	JsonObject *coding;

	if (node == NULL)
		return NULL;
	if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
		return json_node_get_string (node);
	if (!JSON_NODE_HOLDS_OBJECT (node))
		return NULL;
	coding = json_node_get_object (node);
	if (mv_code_system_lookup (mv_clinical_get_string (coding, "system"))
	    != mv_code_system_lookup ("loinc"))
		return NULL;
	return mv_clinical_get_string (coding, "code");
}

/* Its shape only: whether it is one of the observation's answers is check_coded's. */
static gboolean
check_value_code (JsonNode *node,
		  const gchar *ptr,
		  JsonObject *parent,
		  const MvSchemaContext *ctx,
		  GError **error)
{
	const gchar *code = answer_code (node);

	if (code != NULL && *code != '\0' && strlen (code) <= 64)
		return TRUE;
	mv_schema_problem (
		error, ptr, "wrong-type",
		"must be a LOINC answer code (a string, e.g. LA18978-9) or a coding "
		"{system: loinc, code}",
		"应为 LOINC 答案编码（字符串，例如 LA18978-9）或编码对象 {system: loinc, "
		"code}");
	return FALSE;
}

static JsonNode *
member_of_type (JsonObject *o, const gchar *name, GType type)
{
	JsonNode *node = json_object_get_member (o, name);

	if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
		return NULL;
	if (type == G_TYPE_DOUBLE) /* any number */
		return json_node_get_value_type (node) == G_TYPE_DOUBLE
				       || json_node_get_value_type (node) == G_TYPE_INT64
			       ? node
			       : NULL;
	return json_node_get_value_type (node) == type ? node : NULL;
}

/* UCUM's syntax, loosely: printable ASCII without spaces, brackets balanced.  For codes
 * Medverse has no table entry for, whose unit it cannot check against a list. */
static gboolean
ucum_syntax_ok (const gchar *unit)
{
	gint square = 0, curly = 0, round_ = 0;

	for (const gchar *p = unit; *p != '\0'; p++) {
		if (*p <= ' ' || *p > '~')
			return FALSE;
		square += *p == '[' ? 1 : *p == ']' ? -1 : 0;
		curly += *p == '{' ? 1 : *p == '}' ? -1 : 0;
		round_ += *p == '(' ? 1 : *p == ')' ? -1 : 0;
		if (square < 0 || curly < 0 || round_ < 0)
			return FALSE;
	}
	return square == 0 && curly == 0 && round_ == 0 && *unit != '\0';
}

static gchar *
units_list (const MvObsDef *def)
{
	GString *list = g_string_new (NULL);

	for (const MvObsUnit *u = def->units; u->ucum != NULL; u++) {
		if (list->len > 0)
			g_string_append (list, ", ");
		g_string_append (list, u->ucum);
		for (const gchar *const *s = u->spellings; s != NULL && *s != NULL; s++)
			g_string_append_printf (list, ", %s", *s);
	}
	return g_string_free (list, FALSE);
}

static gdouble
to_canonical (const MvObsUnit *u, gdouble v)
{
	return v * u->factor + u->offset;
}

static void
limit_problem (
	const MvObsDef *def, const MvObsUnit *u, gboolean above, const gchar *ptr, GError **error)
{
	gdouble limit = above ? def->max : def->min;
	const gchar *canonical = def->units[0].ucum;
	g_autofree gchar *in_unit = NULL;
	g_autofree gchar *en = NULL;
	g_autofree gchar *zh = NULL;

	/* the limit in the unit the client wrote as well, so the message is readable */
	if (u != &def->units[0])
		in_unit = g_strdup_printf (" = %.4g %s", (limit - u->offset) / u->factor, u->ucum);
	en = g_strdup_printf ("must be at %s %g %s%s (%s)", above ? "most" : "least", limit,
			      canonical, in_unit != NULL ? in_unit : "", def->display_en);
	zh = g_strdup_printf ("不能%s %g %s%s（%s）", above ? "高于" : "低于", limit, canonical,
			      in_unit != NULL ? in_unit : "", def->display_zh);
	mv_schema_problem (error, ptr, "out-of-range", en, zh);
}

/* The value and unit of @o (an observation or a component) against @def.  Members of the
 * wrong type were reported by the schema; only what it could not know is checked here.
 * Returns the unit found (for the conversion) or NULL. */
static const MvObsUnit *
check_value (const MvObsDef *def,
	     JsonObject *o,
	     const gchar *ptr,
	     gboolean report_missing,
	     GError **error)
{
	JsonNode *value = member_of_type (o, "value", G_TYPE_DOUBLE);
	JsonNode *unit = member_of_type (o, "unit", G_TYPE_STRING);
	g_autofree gchar *value_ptr = mv_json_pointer_child (ptr, "value");
	g_autofree gchar *unit_ptr = mv_json_pointer_child (ptr, "unit");
	const MvObsUnit *u;
	gdouble v;

	/* a component's rows require both: the schema reported them missing */
	if (report_missing && !json_object_has_member (o, "value"))
		mv_schema_problem (error, value_ptr, "required", "is required", "必填");
	if (report_missing && !json_object_has_member (o, "unit")) {
		g_autofree gchar *list = units_list (def);
		g_autofree gchar *en = g_strdup_printf ("is required: one of %s", list);
		g_autofree gchar *zh = g_strdup_printf ("必填，应为以下之一：%s", list);
		mv_schema_problem (error, unit_ptr, "required", en, zh);
	}
	if (unit == NULL)
		return NULL;
	u = mv_obs_find_unit (def, json_node_get_string (unit));
	if (u == NULL) {
		g_autofree gchar *list = units_list (def);
		g_autofree gchar *en = g_strdup_printf (
			"is not a unit accepted for %s; use one of %s", def->display_en, list);
		g_autofree gchar *zh = g_strdup_printf ("不是%s可用的单位；请使用以下之一：%s",
							def->display_zh, list);
		mv_schema_problem (error, unit_ptr, "invalid-unit", en, zh);
		return NULL;
	}
	if (value == NULL || !isfinite (json_node_get_double (value)))
		return NULL;
	v = to_canonical (u, json_node_get_double (value));
	if (v > def->max)
		limit_problem (def, u, TRUE, value_ptr, error);
	else if (v < def->min)
		limit_problem (def, u, FALSE, value_ptr, error);
	return u;
}

static void
value_code_not_allowed (JsonObject *o, const gchar *ptr, GError **error)
{
	if (json_object_has_member (o, "value_code")) {
		g_autofree gchar *p = mv_json_pointer_child (ptr, "value_code");
		mv_schema_problem (
			error, p, "not-allowed",
			"is only allowed on a coded observation (smoking status 72166-2)",
			"仅适用于编码型观测（吸烟状况 72166-2）");
	}
}

/* A code Medverse has no entry for: any number, a unit in UCUM's syntax. */
static void
check_unlisted (JsonObject *o, const gchar *ptr, GError **error)
{
	JsonNode *unit = member_of_type (o, "unit", G_TYPE_STRING);
	g_autofree gchar *value_ptr = mv_json_pointer_child (ptr, "value");
	g_autofree gchar *unit_ptr = mv_json_pointer_child (ptr, "unit");

	if (!json_object_has_member (o, "value"))
		mv_schema_problem (error, value_ptr, "required", "is required", "必填");
	if (!json_object_has_member (o, "unit"))
		mv_schema_problem (error, unit_ptr, "required", "is required (a UCUM unit)",
				   "必填（UCUM 单位）");
	if (unit != NULL && !ucum_syntax_ok (json_node_get_string (unit)))
		mv_schema_problem (error, unit_ptr, "invalid-unit",
				   "is not a UCUM unit (e.g. mg/dL, /min, {score})",
				   "不是 UCUM 单位（例如 mg/dL、/min、{score}）");
	if (json_object_has_member (o, "components")) {
		g_autofree gchar *p = mv_json_pointer_child (ptr, "components");
		mv_schema_problem (error, p, "not-allowed",
				   "is only allowed on a panel Medverse knows (blood pressure)",
				   "仅适用于 Medverse 已知的组合观测（血压）");
	}
	value_code_not_allowed (o, ptr, error);
}

/* A coded observation (smoking status): a value_code among its answers, no value or unit. */
static void
check_coded (const MvObsDef *def, JsonObject *o, const gchar *ptr, GError **error)
{
	g_autofree gchar *code_ptr = mv_json_pointer_child (ptr, "value_code");
	JsonNode *node = json_object_get_member (o, "value_code");
	const gchar *code = answer_code (node);

	for (const gchar *const *m = (const gchar *const[]){ "value", "unit", "components", NULL };
	     *m; m++) {
		if (json_object_has_member (o, *m)) {
			g_autofree gchar *p = mv_json_pointer_child (ptr, *m);
			mv_schema_problem (error, p, "not-allowed",
					   "is not allowed on a coded observation: give value_code",
					   "编码型观测不能填写此项，请填写 value_code");
		}
	}
	if (node == NULL) {
		mv_schema_problem (error, code_ptr, "required",
				   "is required: the answer's LOINC code",
				   "必填：答案的 LOINC 编码");
		return;
	}
	if (code != NULL && mv_obs_find_answer (def, code) == NULL) {
		g_autoptr (GString) list = g_string_new (NULL);
		g_autofree gchar *en = NULL;
		g_autofree gchar *zh = NULL;
		for (const MvObsAnswer *a = def->answers; a->code != NULL; a++)
			g_string_append_printf (list, "%s%s", list->len > 0 ? ", " : "", a->code);
		en = g_strdup_printf ("is not an answer of %s; use one of %s", def->display_en,
				      list->str);
		zh = g_strdup_printf ("不是%s的答案；请使用以下之一：%s", def->display_zh,
				      list->str);
		mv_schema_problem (error, code_ptr, "invalid-code", en, zh);
	}
}

static const MvObsDef *
def_of (JsonObject *o)
{
	JsonNode *code = json_object_get_member (o, "code");
	const gchar *system = NULL, *c = NULL;

	if (code == NULL || !resolve_code (code, &system, &c))
		return NULL;
	return mv_obs_lookup (system, c);
}

static gdouble
component_value (const MvObsDef *part, JsonObject *c)
{
	const gchar *unit = mv_clinical_get_string (c, "unit");
	const MvObsUnit *u = unit != NULL ? mv_obs_find_unit (part, unit) : NULL;
	return u != NULL ? to_canonical (u, json_object_get_double_member (c, "value")) : NAN;
}

/* A panel: no value of its own, each of its components once, systolic above diastolic. */
static void
check_panel (const MvObsDef *def, JsonObject *o, const gchar *ptr, GError **error)
{
	JsonNode *list = json_object_get_member (o, "components");
	g_autofree gchar *list_ptr = mv_json_pointer_child (ptr, "components");
	gdouble values[2] = { NAN, NAN };
	gint seen[2] = { -1, -1 };
	JsonArray *array;

	for (const gchar *const *m = (const gchar *const[]){ "value", "unit", "value_code", NULL };
	     *m; m++) {
		if (json_object_has_member (o, *m)) {
			g_autofree gchar *p = mv_json_pointer_child (ptr, *m);
			mv_schema_problem (error, p, "not-allowed",
					   "is not allowed on a panel: give its components",
					   "组合观测不能直接填写此项，请填写其组成部分");
		}
	}
	if (list == NULL) {
		mv_schema_problem (
			error, list_ptr, "required",
			"is required: the systolic (8480-6) and diastolic (8462-4) values",
			"必填：收缩压（8480-6）和舒张压（8462-4）");
		return;
	}
	if (!JSON_NODE_HOLDS_ARRAY (list))
		return;
	array = json_node_get_array (list);
	for (guint i = 0; i < json_array_get_length (array); i++) {
		JsonNode *item = json_array_get_element (array, i);
		g_autofree gchar *item_ptr = mv_json_pointer_index (list_ptr, i);
		const MvObsDef *part;
		gint k;

		if (!JSON_NODE_HOLDS_OBJECT (item)
		    || (part = def_of (json_node_get_object (item))) == NULL)
			continue;
		k = g_strv_contains (def->components, part->code)
			    ? (g_strcmp0 (part->code, def->components[0]) == 0 ? 0 : 1)
			    : -1;
		if (k < 0 || seen[k] >= 0) {
			g_autofree gchar *p = mv_json_pointer_child (item_ptr, "code");
			mv_schema_problem (error, p, k < 0 ? "not-allowed" : "duplicate",
					   k < 0 ? "is not a component of this panel"
						 : "is given twice in this panel",
					   k < 0 ? "不是该组合观测的组成部分"
						 : "在该组合观测中重复出现");
			continue;
		}
		seen[k] = (gint)i;
		if (check_value (part, json_node_get_object (item), item_ptr, FALSE, error) != NULL
		    && member_of_type (json_node_get_object (item), "value", G_TYPE_DOUBLE) != NULL)
			values[k] = component_value (part, json_node_get_object (item));
	}
	if (seen[0] < 0 || seen[1] < 0) {
		mv_schema_problem (error, list_ptr, "required",
				   "needs both the systolic (8480-6) and diastolic (8462-4) values",
				   "需要同时填写收缩压（8480-6）和舒张压（8462-4）");
	} else if (!isnan (values[0]) && !isnan (values[1]) && values[0] <= values[1]) {
		g_autofree gchar *item_ptr = mv_json_pointer_index (list_ptr, (guint)seen[1]);
		g_autofree gchar *p = mv_json_pointer_child (item_ptr, "value");
		mv_schema_problem (error, p, "out-of-range", "must be below the systolic pressure",
				   "应低于收缩压");
	}
}

/* Everything the schema cannot see: units, limits, a panel's parts. */
static void
check_semantics (JsonObject *o, const gchar *ptr, GError **error)
{
	JsonNode *code = json_object_get_member (o, "code");
	const gchar *system = NULL, *c = NULL;
	const MvObsDef *def;

	/* a code the schema refused names nothing to check against */
	if (code == NULL || !resolve_code (code, &system, &c)
	    || (g_strcmp0 (system, "http://loinc.org") != 0
		&& g_strcmp0 (system, MV_OBSERVATION_PROJECT_SYSTEM) != 0)
	    || (g_strcmp0 (system, "http://loinc.org") == 0
		&& !mv_code_system_lookup ("loinc")->valid (c)))
		return;
	def = mv_obs_lookup (system, c);
	if (def == NULL) {
		check_unlisted (o, ptr, error);
		return;
	}
	if (def->components != NULL) {
		check_panel (def, o, ptr, error);
		return;
	}
	if (def->answers != NULL) {
		check_coded (def, o, ptr, error);
		return;
	}
	value_code_not_allowed (o, ptr, error);
	if (json_object_has_member (o, "components")) {
		g_autofree gchar *p = mv_json_pointer_child (ptr, "components");
		mv_schema_problem (error, p, "not-allowed",
				   "is only allowed on a panel (blood pressure 85354-9)",
				   "仅适用于组合观测（血压 85354-9）");
	}
	check_value (def, o, ptr, TRUE, error);
}

static JsonObject *
stored_code (JsonNode *code, const MvObsDef *def)
{
	const gchar *system = NULL, *c = NULL;
	JsonObject *out;

	resolve_code (code, &system, &c);
	out = json_object_new ();
	json_object_set_string_member (out, "system", system);
	json_object_set_string_member (out, "code", c);
	if (def != NULL) {
		json_object_set_string_member (out, "display", def->display_en);
		json_object_set_string_member (out, "display_zh", def->display_zh);
	} else if (JSON_NODE_HOLDS_OBJECT (code)) {
		mv_clinical_copy_member (out, json_node_get_object (code), "display");
	}
	return out;
}

/* half away from zero, without libm (the core links none) */
static gdouble
round_to (gdouble v, guint decimals)
{
	gdouble scale = 1;

	for (guint i = 0; i < decimals; i++)
		scale *= 10;
	return (gdouble)(gint64)(v * scale + (v >= 0 ? 0.5 : -0.5)) / scale;
}

/* code, value, unit and the original of a measurement (an observation or a component). */
static void
store_measurement (JsonObject *out, JsonObject *in)
{
	const MvObsDef *def = def_of (in);
	JsonNode *value = json_object_get_member (in, "value");
	const MvObsUnit *u;

	json_object_set_object_member (out, "code",
				       stored_code (json_object_get_member (in, "code"), def));
	if (def != NULL && def->answers != NULL) {
		const MvObsAnswer *a = mv_obs_find_answer (
			def, answer_code (json_object_get_member (in, "value_code")));
		JsonObject *answer = json_object_new ();
		json_object_set_string_member (answer, "system",
					       mv_code_system_lookup ("loinc")->uri);
		json_object_set_string_member (answer, "code", a->code);
		json_object_set_string_member (answer, "display", a->display_en);
		json_object_set_string_member (answer, "display_zh", a->display_zh);
		json_object_set_object_member (out, "value_code", answer);
		return;
	}
	if (value == NULL)
		return; /* a panel */
	if (def == NULL) {
		json_object_set_member (out, "value", mv_clinical_node_copy (value));
		mv_clinical_copy_member (out, in, "unit");
		json_object_set_boolean_member (out, "unlisted", TRUE);
		return;
	}
	u = mv_obs_find_unit (def, json_object_get_string_member (in, "unit"));
	json_object_set_string_member (out, "unit", def->units[0].ucum);
	if (u == &def->units[0]) {
		json_object_set_member (out, "value", mv_clinical_node_copy (value));
		return;
	}
	{
		JsonObject *original = json_object_new ();
		gdouble v = to_canonical (u, json_node_get_double (value));

		json_object_set_double_member (out, "value", round_to (v, def->decimals));
		json_object_set_member (original, "value", mv_clinical_node_copy (value));
		json_object_set_string_member (original, "unit", u->ucum);
		json_object_set_object_member (out, "original", original);
	}
}

static JsonObject *
observation_normalise (JsonObject *input,
		       const gchar *pointer,
		       const MvClinicalContext *ctx,
		       GError **error)
{
	JsonObject *out;
	JsonNode *components;

	if (!mv_clinical_check (mv_observation_members, check_semantics, input, pointer, ctx,
				error))
		return NULL;
	out = json_object_new ();
	store_measurement (out, input);
	components = json_object_get_member (input, "components");
	if (components != NULL) {
		JsonArray *in = json_node_get_array (components);
		JsonArray *parts = json_array_new ();
		for (guint i = 0; i < json_array_get_length (in); i++) {
			JsonObject *part = json_object_new ();
			store_measurement (part, json_array_get_object_element (in, i));
			json_array_add_object_element (parts, part);
		}
		json_object_set_array_member (out, "components", parts);
	}
	mv_clinical_copy_members (out, input, plain);
	return out;
}

/* A stored measurement in the client's form: the code as {system, code} (its display too when
 * the client gave it: Medverse had none), the original value and unit when converted. */
static void
input_measurement (JsonObject *out, JsonObject *stored)
{
	JsonObject *code = mv_clinical_get_object (stored, "code");
	JsonObject *original = mv_clinical_get_object (stored, "original");
	JsonObject *c = json_object_new ();

	mv_clinical_copy_member (c, code, "system");
	mv_clinical_copy_member (c, code, "code");
	if (json_object_get_boolean_member_with_default (stored, "unlisted", FALSE))
		mv_clinical_copy_member (c, code, "display");
	json_object_set_object_member (out, "code", c);
	if (mv_clinical_get_object (stored, "value_code") != NULL) {
		JsonObject *answer = mv_clinical_get_object (stored, "value_code");
		JsonObject *a = json_object_new ();
		mv_clinical_copy_member (a, answer, "system");
		mv_clinical_copy_member (a, answer, "code");
		json_object_set_object_member (out, "value_code", a);
	}
	mv_clinical_copy_member (out, original != NULL ? original : stored, "value");
	mv_clinical_copy_member (out, original != NULL ? original : stored, "unit");
}

static JsonObject *
observation_to_input (JsonObject *record)
{
	JsonObject *out = json_object_new ();
	JsonArray *parts = json_object_has_member (record, "components")
				   ? json_object_get_array_member (record, "components")
				   : NULL;

	input_measurement (out, record);
	if (parts != NULL) {
		JsonArray *in = json_array_new ();
		for (guint i = 0; i < json_array_get_length (parts); i++) {
			JsonObject *part = json_object_new ();
			input_measurement (part, json_array_get_object_element (parts, i));
			json_array_add_object_element (in, part);
		}
		json_object_set_array_member (out, "components", in);
	}
	mv_clinical_copy_members (out, record, plain);
	return out;
}

static void
observation_terms (JsonObject *record, MvClinicalTerms *terms)
{
	JsonArray *parts = json_object_has_member (record, "components")
				   ? json_object_get_array_member (record, "components")
				   : NULL;

	mv_clinical_terms_add_coding (terms, mv_clinical_get_object (record, "code"));
	/* the answer too: "never smokers" is a code filter */
	mv_clinical_terms_add_coding (terms, mv_clinical_get_object (record, "value_code"));
	for (guint i = 0; parts != NULL && i < json_array_get_length (parts); i++)
		mv_clinical_terms_add_coding (
			terms,
			mv_clinical_get_object (json_array_get_object_element (parts, i), "code"));
	mv_clinical_terms_set_when (
		terms, json_object_get_string_member_with_default (record, "effective_at", NULL));
}

const MvClinicalKind mv_observation_kind = {
	.name = "observation",
	.plural = "observations",
	.title_en = "Observation",
	.title_zh = "观测",
	.normalise = observation_normalise,
	.to_input = observation_to_input,
	.terms = observation_terms,
};
