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

/* Every id of @body's lists names an item of the catalogs (@known: id → TRUE), or is one the
 * current override (@current, nullable) already holds: a clinic item deleted since stays
 * where the clinician put it (docs/vr.md, "Overrides").  Problems are added to @problems, each
 * id kept that way to @stale (a note of the answer). */
static void
ids_known (JsonObject *body,
	   GHashTable *known,
	   JsonObject *current,
	   JsonArray *stale,
	   GError **problems)
{
	static const gchar *const lists[] = { "block", "pin", NULL };

	for (guint k = 0; lists[k] != NULL; k++) {
		JsonArray *a = strings_of (body, lists[k]);
		JsonArray *held = current != NULL ? strings_of (current, lists[k]) : NULL;
		for (guint i = 0; a != NULL && i < json_array_get_length (a); i++) {
			JsonNode *n = json_array_get_element (a, i);
			const gchar *id;
			g_autofree gchar *p = NULL;
			gboolean kept = FALSE;
			if (!JSON_NODE_HOLDS_VALUE (n)
			    || json_node_get_value_type (n) != G_TYPE_STRING)
				continue; /* the rows' problem */
			id = json_node_get_string (n);
			if (g_hash_table_contains (known, id))
				continue;
			for (guint j = 0; held != NULL && j < json_array_get_length (held); j++)
				kept |= g_strcmp0 (json_array_get_string_element (held, j), id)
					== 0;
			p = g_strdup_printf ("/%s/%u", lists[k], i);
			if (kept && stale != NULL) {
				JsonObject *note = json_object_new ();
				json_object_set_string_member (note, "code", "not-in-catalog");
				json_object_set_string_member (note, "field", p);
				json_object_set_string_member (note, "id", id);
				json_object_set_string_member (
					note, "en",
					"is no longer in the clinic's catalogs: kept as it was, it "
					"changes no list until an item of this id is added again");
				json_object_set_string_member (
					note, "zh",
					"已不在本诊所的目录中：按原样保留，在重新添加该 id "
					"的条目之前不影响任何推荐列表");
				json_array_add_object_element (stale, note);
			} else if (!kept)
				mv_error_add_problem (problems, p, "unknown-content",
						      "is in no catalog of this clinic",
						      "不在本诊所的任何目录中");
		}
	}
}

/* @before_write: the lookup of a PUT or DELETE, audited only when it found an override, so
 * that a change refused because there is none leaves the audit log as it was (the write
 * that follows is audited itself) */
static JsonObject *
override_lookup (MvVrJob *job, gboolean before_write, GError **error)
{
	MvClinicalQuery query = { .limit = "1", .audit_only_found = before_write };
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
mv_vr_override_current (MvVrJob *job, GError **error)
{
	return override_lookup (job, FALSE, error);
}

/* The If-Match rule of the clinical record (docs/api.md): a change of a stored override
 * names the version it was made from (none: 428; another: 412); the first one has no version
 * to name, so an If-Match there is stale (412). */
static gboolean
precondition (JsonObject *current, guint64 if_match, GError **error)
{
	guint64 version = json_object_has_member (current, "version")
				  ? (guint64)json_object_get_int_member (current, "version")
				  : 0;

	if (version != 0 && if_match == 0) {
		mv_set_error_bilingual (error, MV_ERROR_PRECONDITION_REQUIRED,
					"If-Match is required: the version of the override this "
					"change was made from",
					"必须提供 If-Match：本次修改所依据的医嘱调整版本");
		return FALSE;
	}
	if (if_match == 0 || if_match == version)
		return TRUE;
	mv_set_error_bilingual (error, MV_ERROR_PRECONDITION_FAILED,
				"the override was changed since that version (If-Match)",
				"该医嘱调整在此版本之后已被修改（If-Match）");
	return FALSE;
}

JsonObject *
mv_vr_override_put (MvVrJob *job,
		    JsonObject *body,
		    GHashTable *known,
		    guint64 if_match,
		    JsonArray *notes,
		    GError **error)
{
	MvSchemaContext ctx = { job->now };
	g_autoptr (GError) problems = NULL;
	g_autoptr (GError) unknown = NULL;
	g_autoptr (JsonObject) current = NULL;
	g_autoptr (JsonObject) patch = NULL;

	/* every problem at once, before anything is read (a refused request leaves no audit
	 * entry), except an unknown id, which the current override may already hold */
	mv_schema_check (mv_vr_override_members, body, "", &ctx, &problems);
	check_between (body, "", &problems);
	ids_known (body, known, NULL, NULL, &unknown);
	if (problems != NULL) {
		ids_known (body, known, NULL, NULL, &problems);
		g_propagate_error (error, g_steal_pointer (&problems));
		return NULL;
	}
	current = override_lookup (job, TRUE, error);
	if (current == NULL)
		return NULL;
	if (unknown != NULL) {
		ids_known (body, known, current, notes, &problems);
		if (problems != NULL) {
			g_propagate_error (error, g_steal_pointer (&problems));
			return NULL;
		}
	}
	if (!precondition (current, if_match, error))
		return NULL;
	if (!json_object_has_member (current, "id"))
		return mv_clinical_store_create (job->store, &job->call, &mv_vr_override_kind,
						 job->patient_id, body, NULL, error);
	/* a PUT replaces: a note the new body lacks is removed */
	patch = mv_clinical_object_copy (body);
	if (!json_object_has_member (patch, "note"))
		json_object_set_null_member (patch, "note");
	return mv_clinical_store_update (
		job->store, &job->call, &mv_vr_override_kind, job->patient_id,
		json_object_get_string_member (current, "id"), patch, if_match, error);
}

JsonObject *
mv_vr_override_delete (MvVrJob *job, guint64 if_match, GError **error)
{
	g_autoptr (JsonObject) current = override_lookup (job, TRUE, error);

	if (current == NULL)
		return NULL;
	if (!json_object_has_member (current, "id")) {
		mv_set_error_bilingual (error, MV_ERROR_NOT_FOUND, "the patient has no VR override",
					"该患者没有 VR 医嘱调整");
		return NULL;
	}
	return mv_clinical_store_mark_entered_in_error (
		job->store, &job->call, &mv_vr_override_kind, job->patient_id,
		json_object_get_string_member (current, "id"), if_match, error);
}
