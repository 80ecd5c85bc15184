/* Helpers the clinical kinds share: see mv-clinical-private.h. */
#define G_LOG_DOMAIN "medverse-clinical"

#include "mv-clinical-private.h"

#include <string.h>

#include "records/mv-code-systems.h"

gboolean
mv_clinical_check (const MvField *members,
		   MvClinicalRules rules,
		   JsonObject *input,
		   const gchar *pointer,
		   const MvClinicalContext *ctx,
		   GError **error)
{
	MvSchemaContext sctx = mv_clinical_schema_context (ctx);
	g_autoptr (GError) problems = NULL;

	mv_schema_check (members, input, pointer, &sctx, &problems);
	if (rules != NULL)
		rules (input, pointer, &problems);
	if (problems == NULL)
		return TRUE;
	g_propagate_error (error, g_steal_pointer (&problems));
	return FALSE;
}

const MvField mv_clinical_coding_members[] = {
	{ "system", MV_FIELD_STRING, TRUE, 1, 200, NULL, NULL, NULL,
	  "the code system: its URI or its short name (e.g. icd-10-cn)" },
	{ "code", MV_FIELD_STRING, TRUE, 1, 64, NULL, NULL, NULL, "the code" },
	{ "display", MV_FIELD_STRING, FALSE, 1, 500, NULL, NULL, NULL,
	  "the code's name, as the client's terminology writes it" },
	{ NULL },
};

gboolean
mv_clinical_check_when (JsonNode *node,
			const gchar *pointer,
			JsonObject *parent,
			const MvSchemaContext *ctx,
			GError **error)
{
	const gchar *slash = strrchr (pointer, '/');
	g_autofree gchar *parent_ptr = NULL;
	g_autoptr (JsonObject) holder = json_object_new ();
	MvField rows[2] = { { 0 }, { NULL } };

	if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING) {
		mv_schema_problem (
			error, pointer, "wrong-type",
			"must be a string: a date (YYYY-MM-DD) or a date-time with an offset",
			"应为字符串：日期（YYYY-MM-DD）或带时区的日期时间");
		return FALSE;
	}
	/* the schema engine's own date and date-time rules, run on a one-member object so
	 * the problems carry this member's pointer */
	g_assert (slash != NULL);
	parent_ptr = g_strndup (pointer, (gsize)(slash - pointer));
	rows[0].name = slash + 1;
	rows[0].kind
		= strlen (json_node_get_string (node)) == 10 ? MV_FIELD_DATE : MV_FIELD_DATETIME;
	json_object_set_member (holder, slash + 1, json_node_copy (node));
	return mv_schema_check (rows, holder, parent_ptr, ctx, error);
}

GDateTime *
mv_clinical_parse_when (const gchar *text)
{
	GDate date;

	if (text == NULL)
		return NULL;
	if (strlen (text) == 10) {
		if (!mv_schema_parse_date (text, &date))
			return NULL;
		return g_date_time_new_utc ((gint)g_date_get_year (&date),
					    (gint)g_date_get_month (&date),
					    (gint)g_date_get_day (&date), 0, 0, 0);
	}
	return mv_schema_parse_datetime (text);
}

gboolean
mv_clinical_when_before (const gchar *a, const gchar *b)
{
	g_autoptr (GDateTime) ta = mv_clinical_parse_when (a);
	g_autoptr (GDateTime) tb = mv_clinical_parse_when (b);

	if (ta == NULL || tb == NULL)
		return FALSE;
	/* a date stands for its whole day, the day of the place it was written in: compare it
	 * with the date-time's own date as written (its local day), not its UTC day */
	if (strlen (a) == 10 || strlen (b) == 10)
		return strncmp (a, b, 10) < 0;
	return g_date_time_compare (ta, tb) < 0;
}

void
mv_clinical_terms_add_coding (MvClinicalTerms *terms, JsonObject *coding)
{
	const gchar *system;
	const gchar *code;

	if (coding == NULL)
		return;
	system = mv_clinical_get_string (coding, "system");
	code = mv_clinical_get_string (coding, "code");
	if (system == NULL || code == NULL)
		return;
	if (terms->codes == NULL)
		terms->codes = g_ptr_array_new_with_free_func (g_free);
	g_ptr_array_add (terms->codes, g_strdup_printf ("%s|%s", system, code));
}

void
mv_clinical_terms_set_when (MvClinicalTerms *terms, const gchar *when)
{
	g_autoptr (GDateTime) t = mv_clinical_parse_when (when);

	if (t == NULL)
		return;
	g_free (terms->effective_at);
	terms->effective_at = mv_schema_format_utc (t);
}

JsonObject *
mv_clinical_coding_normalise (JsonObject *coding)
{
	JsonObject *out = json_object_new ();
	const gchar *uri = mv_coding_system_uri (coding);

	json_object_set_string_member (
		out, "system",
		uri != NULL ? uri : json_object_get_string_member (coding, "system"));
	json_object_set_string_member (out, "code", json_object_get_string_member (coding, "code"));
	mv_clinical_copy_member (out, coding, "display");
	return out;
}

JsonNode *
mv_clinical_node_copy (JsonNode *node)
{
	/* json_node_copy() shares a node's object or array: a stored record must own its
	 * members, not alias the client's input */
	if (JSON_NODE_HOLDS_OBJECT (node)) {
		g_autoptr (JsonObject) copy = mv_clinical_object_copy (json_node_get_object (node));
		return json_node_init_object (json_node_alloc (), copy);
	}
	if (JSON_NODE_HOLDS_ARRAY (node)) {
		JsonArray *from = json_node_get_array (node);
		g_autoptr (JsonArray) copy = json_array_sized_new (json_array_get_length (from));
		for (guint i = 0; i < json_array_get_length (from); i++)
			json_array_add_element (
				copy, mv_clinical_node_copy (json_array_get_element (from, i)));
		return json_node_init_array (json_node_alloc (), copy);
	}
	return json_node_copy (node);
}

JsonObject *
mv_clinical_object_copy (JsonObject *object)
{
	JsonObject *copy = json_object_new ();
	g_autoptr (GList) names = json_object_get_members (object);

	for (GList *l = names; l != NULL; l = l->next)
		json_object_set_member (
			copy, l->data,
			mv_clinical_node_copy (json_object_get_member (object, l->data)));
	return copy;
}

const gchar *
mv_clinical_get_string (JsonObject *object, const gchar *member)
{
	JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

	if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
	    || json_node_get_value_type (node) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string (node);
}

JsonObject *
mv_clinical_get_object (JsonObject *object, const gchar *member)
{
	JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

	return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

void
mv_clinical_copy_member (JsonObject *to, JsonObject *from, const gchar *member)
{
	JsonNode *node = json_object_get_member (from, member);

	if (node != NULL)
		json_object_set_member (to, member, mv_clinical_node_copy (node));
}

void
mv_clinical_copy_members (JsonObject *to, JsonObject *from, const gchar *const *members)
{
	for (const gchar *const *m = members; *m != NULL; m++)
		mv_clinical_copy_member (to, from, *m);
}

void
mv_clinical_set_default (JsonObject *out, const gchar *member, const gchar *value)
{
	if (!json_object_has_member (out, member))
		json_object_set_string_member (out, member, value);
}
