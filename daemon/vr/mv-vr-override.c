/*
 * A clinician's VR override for one patient: the record kind "vr-override" (sealed, versioned
 * and audited by the clinical store like every kind), one record a patient whose versions are
 * its history.  `block`: items never recommended to the patient; `pin`: items shown first when
 * — and only when — the safety filter allows them (mv-vr-service.c applies both).
 */
#define G_LOG_DOMAIN "medverse-vr"

#include "mv-vr.h"

#include <medverse/mv-error.h>

#include "clinical/mv-clinical-private.h"

const MvField mv_vr_override_members[] = {
	{ "block", MV_FIELD_STRINGS, TRUE, 0, 200, NULL, NULL, NULL,
	  "catalog ids never recommended to this patient" },
	{ "pin", MV_FIELD_STRINGS, TRUE, 0, 50, NULL, NULL, NULL,
	  "catalog ids shown first when the safety filter allows them (a pin never overrides "
	  "safety)" },
	{ "note", MV_FIELD_TEXT, FALSE, 1, 2000, NULL, NULL, NULL, "why, for the record" },
	{ NULL },
};

/* @member of @o when it is a list (rules run on input the rows may have refused) */
static JsonArray *
strings_of (JsonObject *o, const gchar *member)
{
	JsonNode *n = json_object_get_member (o, member);

	return n != NULL && JSON_NODE_HOLDS_ARRAY (n) ? json_node_get_array (n) : NULL;
}

/* an id both blocked and pinned is a contradiction the clinician must resolve */
static void
check_between (JsonObject *input, const gchar *pointer, GError **error)
{
	JsonArray *block = strings_of (input, "block");
	JsonArray *pin = strings_of (input, "pin");

	for (guint i = 0; pin != NULL && i < json_array_get_length (pin); i++)
		for (guint j = 0; block != NULL && j < json_array_get_length (block); j++)
			if (JSON_NODE_HOLDS_VALUE (json_array_get_element (pin, i))
			    && JSON_NODE_HOLDS_VALUE (json_array_get_element (block, j))
			    && g_strcmp0 (json_array_get_string_element (pin, i),
					  json_array_get_string_element (block, j))
				       == 0) {
				g_autofree gchar *p = g_strdup_printf ("%s/pin/%u", pointer, i);
				mv_schema_problem (error, p, "conflict", "is blocked too",
						   "同时被屏蔽");
			}
}

static JsonObject *
override_normalise (JsonObject *input,
		    const gchar *pointer,
		    const MvClinicalContext *ctx,
		    GError **error)
{
	if (!mv_clinical_check (mv_vr_override_members, check_between, input, pointer, ctx, error))
		return NULL;
	return mv_clinical_object_copy (input);
}

static JsonObject *
override_to_input (JsonObject *record)
{
	return mv_clinical_object_copy (record);
}

static void
override_terms (JsonObject *record, MvClinicalTerms *terms)
{
}

const MvClinicalKind mv_vr_override_kind = {
	.name = "vr-override",
	.plural = "vr-overrides",
	.title_en = "VR override",
	.title_zh = "VR 医嘱调整",
	.normalise = override_normalise,
	.to_input = override_to_input,
	.terms = override_terms,
};

/* Every id of @body's lists names an item of the catalogs (@known: id → TRUE); problems are
 * added to @problems. */
static void
ids_known (JsonObject *body, GHashTable *known, GError **problems)
{
	static const gchar *const lists[] = { "block", "pin", NULL };

	for (guint k = 0; lists[k] != NULL; k++) {
		JsonArray *a = json_object_get_array_member (body, lists[k]);
		for (guint i = 0; a != NULL && i < json_array_get_length (a); i++) {
			g_autofree gchar *p = NULL;
			if (g_hash_table_contains (known, json_array_get_string_element (a, i)))
				continue;
			p = g_strdup_printf ("/%s/%u", lists[k], i);
			mv_error_add_problem (problems, p, "unknown-content",
					      "is in no catalog of this clinic",
					      "不在本诊所的任何目录中");
		}
	}
}

JsonObject *
mv_vr_override_current (MvVrJob *job, GError **error)
{
	MvClinicalQuery query = { .limit = "1" };
	g_autoptr (JsonObject) page = mv_clinical_store_list (
		job->store, &job->call, &mv_vr_override_kind, job->patient_id, &query, error);
	JsonArray *list;

	if (page == NULL)
		return NULL;
	list = json_object_get_array_member (page, mv_vr_override_kind.plural);
	if (json_array_get_length (list) == 0)
		return json_object_new ();
	return json_object_ref (json_array_get_object_element (list, 0));
}

JsonObject *
mv_vr_override_put (MvVrJob *job, JsonObject *body, GHashTable *known, GError **error)
{
	MvSchemaContext ctx = { job->now };
	g_autoptr (GError) problems = NULL;
	g_autoptr (JsonObject) current = NULL;
	g_autoptr (JsonObject) patch = NULL;
	JsonObject *stored;

	/* every problem before anything is read: a refused request leaves no audit entry */
	if (mv_schema_check (mv_vr_override_members, body, "", &ctx, &problems)) {
		check_between (body, "", &problems);
		ids_known (body, known, &problems);
	}
	if (problems != NULL) {
		g_propagate_error (error, g_steal_pointer (&problems));
		return NULL;
	}
	current = mv_vr_override_current (job, error);
	if (current == NULL)
		return NULL;
	if (!json_object_has_member (current, "id"))
		return mv_clinical_store_create (job->store, &job->call, &mv_vr_override_kind,
						 job->patient_id, body, NULL, error);
	/* a PUT replaces: a note the new body lacks is removed */
	patch = mv_clinical_object_copy (body);
	if (!json_object_has_member (patch, "note"))
		json_object_set_null_member (patch, "note");
	stored = mv_clinical_store_update (
		job->store, &job->call, &mv_vr_override_kind, job->patient_id,
		json_object_get_string_member (current, "id"), patch,
		(guint64)json_object_get_int_member (current, "version"), error);
	return stored;
}
