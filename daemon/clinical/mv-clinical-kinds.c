/* PLACEHOLDER kinds for the clinical store's own tests (mv-clinical-kind.h): every kind checks
 * only that the input is an object without the store's members, that a "code" is
 * {"system","code"} (indexed), that an "effective_at" is an RFC 3339 time (kept), that an
 * observation has a code and a numeric "value", and that a note has a "text".  The real kinds
 * (LOINC/UCUM, code systems, parser findings) replace this file wholesale. */
#define G_LOG_DOMAIN "medverse-clinical"

#include "mv-clinical-kind.h"

#include <medverse/mv-error.h>

void
mv_clinical_terms_clear (MvClinicalTerms *terms)
{
	g_clear_pointer (&terms->effective_at, g_free);
	g_clear_pointer (&terms->codes, g_ptr_array_unref);
}

static gchar *
pointer_to (const gchar *pointer, const gchar *member)
{
	return g_strdup_printf ("%s/%s", pointer, member);
}

static void
check_code (JsonObject *input, const gchar *pointer, GError **error)
{
	JsonNode *node = json_object_get_member (input, "code");
	g_autofree gchar *at = pointer_to (pointer, "code");
	JsonObject *code;

	if (!JSON_NODE_HOLDS_OBJECT (node)) {
		mv_error_add_problem (error, at, "wrong-type", "must be an object {system, code}",
				      "必须是对象 {system, code}");
		return;
	}
	code = json_node_get_object (node);
	for (guint i = 0; i < 2; i++) {
		const gchar *name = i == 0 ? "system" : "code";
		JsonNode *m = json_object_get_member (code, name);
		g_autofree gchar *mat = pointer_to (at, name);
		if (m == NULL || json_node_get_value_type (m) != G_TYPE_STRING
		    || json_node_get_string (m)[0] == '\0')
			mv_error_add_problem (error, mat, "required",
					      "is required: a non-empty string",
					      "必填：非空字符串");
	}
}

static void
check_common (JsonObject *input, const gchar *pointer, GError **error)
{
	static const gchar *const reserved[]
		= { "id", "version", "record_status", "created_at", "updated_at", NULL };
	JsonNode *eff = json_object_get_member (input, "effective_at");

	for (guint i = 0; reserved[i] != NULL; i++) {
		g_autofree gchar *at = pointer_to (pointer, reserved[i]);
		if (json_object_has_member (input, reserved[i]))
			mv_error_add_problem (error, at, "unknown-member",
					      "is set by the server, not by a client",
					      "由服务器设置，客户端不可提供");
	}
	if (json_object_has_member (input, "code"))
		check_code (input, pointer, error);
	if (eff != NULL) {
		g_autofree gchar *at = pointer_to (pointer, "effective_at");
		g_autoptr (GDateTime) dt = NULL;
		if (json_node_get_value_type (eff) == G_TYPE_STRING)
			dt = g_date_time_new_from_iso8601 (json_node_get_string (eff), NULL);
		if (dt == NULL)
			mv_error_add_problem (error, at, "invalid-format",
					      "must be an RFC 3339 date-time with a time zone",
					      "必须是带时区的 RFC 3339 日期时间");
	}
}

static JsonObject *
normalise_with (JsonObject *input,
		const gchar *pointer,
		const gchar *required_string,
		gboolean needs_value,
		GError **error)
{
	GError *problems = NULL;

	check_common (input, pointer, &problems);
	if (required_string != NULL) {
		JsonNode *m = json_object_get_member (input, required_string);
		g_autofree gchar *at = pointer_to (pointer, required_string);
		if (m == NULL || json_node_get_value_type (m) != G_TYPE_STRING)
			mv_error_add_problem (&problems, at, "required", "is required: a string",
					      "必填：字符串");
	}
	if (needs_value) {
		JsonNode *m = json_object_get_member (input, "value");
		g_autofree gchar *at = pointer_to (pointer, "value");
		if (!json_object_has_member (input, "code")) {
			g_autofree gchar *cat = pointer_to (pointer, "code");
			mv_error_add_problem (&problems, cat, "required", "is required", "必填");
		}
		if (m == NULL || !JSON_NODE_HOLDS_VALUE (m)
		    || (json_node_get_value_type (m) != G_TYPE_INT64
			&& json_node_get_value_type (m) != G_TYPE_DOUBLE))
			mv_error_add_problem (&problems, at, "wrong-type", "must be a number",
					      "必须是数字");
	}
	if (problems != NULL) {
		g_propagate_error (error, problems);
		return NULL;
	}
	return json_object_ref (input);
}

#define PLAIN_KIND(fn, required, value)                                                            \
	static JsonObject *fn (JsonObject *input, const gchar *pointer,                            \
			       const MvClinicalContext *ctx, GError **error)                       \
	{                                                                                          \
		return normalise_with (input, pointer, required, value, error);                    \
	}

PLAIN_KIND (normalise_observation, NULL, TRUE)
PLAIN_KIND (normalise_plain, NULL, FALSE)
PLAIN_KIND (normalise_note, "text", FALSE)

static JsonObject *
to_input (JsonObject *record)
{
	g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), record);
	g_autoptr (JsonNode) copy = json_node_copy (node);
	return json_object_ref (json_node_get_object (copy));
}

static void
terms (JsonObject *record, MvClinicalTerms *terms)
{
	JsonNode *eff = json_object_get_member (record, "effective_at");
	JsonNode *code = json_object_get_member (record, "code");

	terms->codes = g_ptr_array_new_with_free_func (g_free);
	if (eff != NULL && json_node_get_value_type (eff) == G_TYPE_STRING) {
		g_autoptr (GDateTime) dt
			= g_date_time_new_from_iso8601 (json_node_get_string (eff), NULL);
		g_autoptr (GDateTime) utc = dt != NULL ? g_date_time_to_utc (dt) : NULL;
		if (utc != NULL)
			terms->effective_at = g_date_time_format_iso8601 (utc);
	}
	if (code != NULL && JSON_NODE_HOLDS_OBJECT (code)) {
		JsonObject *c = json_node_get_object (code);
		g_ptr_array_add (terms->codes,
				 g_strdup_printf ("%s|%s",
						  json_object_get_string_member (c, "system"),
						  json_object_get_string_member (c, "code")));
	}
}

static const MvClinicalKind kinds[] = {
	{ "observation", "observations", "Observation", "观察", normalise_observation, to_input,
	  terms },
	{ "condition", "conditions", "Condition", "疾病", normalise_plain, to_input, terms },
	{ "allergy", "allergies", "Allergy", "过敏", normalise_plain, to_input, terms },
	{ "medication", "medications", "Medication", "用药", normalise_plain, to_input, terms },
	{ "encounter", "encounters", "Encounter", "就诊", normalise_plain, to_input, terms },
	{ "note", "notes", "Note", "记录", normalise_note, to_input, terms },
};

static const MvClinicalKind *const all[]
	= { &kinds[0], &kinds[1], &kinds[2], &kinds[3], &kinds[4], &kinds[5], NULL };

const MvClinicalKind *const *
mv_clinical_kinds (void)
{
	return all;
}

const MvClinicalKind *
mv_clinical_kind_lookup (const gchar *name)
{
	for (guint i = 0; all[i] != NULL; i++)
		if (g_strcmp0 (all[i]->name, name) == 0 || g_strcmp0 (all[i]->plural, name) == 0)
			return all[i];
	return NULL;
}
