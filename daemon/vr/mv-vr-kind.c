/*
 * The vr-session kind: one VR session as the patient's headset or app reports it (issue 14,
 * item 3), sealed and versioned by the clinical store like every kind.  Only the daemon
 * writes it (mv-vr-service.c), on the patient's behalf, after checking the content id against
 * the plugin's catalog; clinicians read it.
 */
#define G_LOG_DOMAIN "medverse-vr"

#include "mv-vr.h"

#include "clinical/mv-clinical-private.h"
#include "engagement/mv-checkin.h"

static gboolean
check_client_id (JsonNode *node,
		 const gchar *ptr,
		 JsonObject *parent,
		 const MvSchemaContext *ctx,
		 GError **error)
{
	if (mv_checkin_id_valid (json_node_get_string (node)))
		return TRUE;
	mv_schema_problem (error, ptr, "invalid-format",
			   "must be 1 to 61 characters of A-Z a-z 0-9 . _ : -",
			   "应为 1 至 61 个字符（A-Z a-z 0-9 . _ : -）");
	return FALSE;
}

/* lowercase a-z, 0-9 and '-', the catalog's ids */
static gboolean
check_content_id (JsonNode *node,
		  const gchar *ptr,
		  JsonObject *parent,
		  const MvSchemaContext *ctx,
		  GError **error)
{
	const gchar *id = json_node_get_string (node);

	for (const gchar *p = id; *p != '\0'; p++)
		if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '-') {
			mv_schema_problem (error, ptr, "invalid-format",
					   "must be a catalog id (a-z, 0-9, -)",
					   "应为目录中的 id（a-z、0-9、-）");
			return FALSE;
		}
	return TRUE;
}

static gboolean
check_minutes (JsonNode *node,
	       const gchar *ptr,
	       JsonObject *parent,
	       const MvSchemaContext *ctx,
	       GError **error)
{
	gdouble v = json_node_get_double (node);

	if (v >= 0 && v <= MV_VR_MAX_MINUTES)
		return TRUE;
	mv_schema_problem (error, ptr, "out-of-range", "must be 0 to 240 minutes",
			   "应为 0 至 240 分钟");
	return FALSE;
}

static const gchar *const sickness[] = { "none", "mild", "moderate", "severe", NULL };

const MvField mv_vr_session_members[] = {
	{ "client_id", MV_FIELD_STRING, TRUE, 1, MV_VR_CLIENT_ID_MAX, NULL, NULL, check_client_id,
	  "the client's id of the session: a retry sends the same and is stored once" },
	{ "content_id", MV_FIELD_STRING, TRUE, 1, 64, NULL, NULL, check_content_id,
	  "the catalog item played (GET /v1/vr/catalog)" },
	{ "started_at", MV_FIELD_DATETIME, TRUE },
	{ "duration_min", MV_FIELD_NUMBER, TRUE, 0, 0, NULL, NULL, check_minutes, "0 to 240" },
	{ "completed", MV_FIELD_BOOL, TRUE },
	{ "rating", MV_FIELD_INT, FALSE, 1, 5, NULL, NULL, NULL, "1 to 5" },
	{ "cybersickness", MV_FIELD_ENUM, FALSE, 0, 0, sickness, NULL, NULL,
	  "none, mild, moderate or severe: severe lowers the comfort tolerance" },
	{ "pain_before", MV_FIELD_INT, FALSE, 0, 10, NULL, NULL, NULL, "0 to 10" },
	{ "pain_after", MV_FIELD_INT, FALSE, 0, 10, NULL, NULL, NULL, "0 to 10" },
	{ "performance", MV_FIELD_NUMBER, FALSE, 0, 0, NULL, NULL, NULL,
	  "the content's own score, as it reports it" },
	{ NULL },
};

/* The daemon's own member of the stored record, `safety_flags`: the reason codes of the
 * patient's safety filter against the content when the session was reported.  A client
 * cannot send it (the service checks the body against mv_vr_session_members first). */
static const MvField flags_member[] = {
	{ "safety_flags", MV_FIELD_STRINGS, TRUE, 0, 64, NULL, NULL, NULL,
	  "the safety filter's reason codes against the content when it was reported" },
	{ NULL },
};

static JsonObject *
session_normalise (JsonObject *input,
		   const gchar *pointer,
		   const MvClinicalContext *ctx,
		   GError **error)
{
	g_autoptr (JsonObject) members = mv_clinical_object_copy (input);
	g_autoptr (JsonObject) flags = json_object_new ();
	gboolean ok;

	if (json_object_has_member (members, "safety_flags")) {
		json_object_set_member (flags, "safety_flags",
					json_object_dup_member (members, "safety_flags"));
		json_object_remove_member (members, "safety_flags");
	} else {
		json_object_set_array_member (flags, "safety_flags", json_array_new ());
	}
	/* both checked, every problem listed */
	ok = mv_clinical_check (mv_vr_session_members, NULL, members, pointer, ctx, error);
	ok = mv_clinical_check (flags_member, NULL, flags, pointer, ctx, error) && ok;
	if (!ok)
		return NULL;
	json_object_set_member (members, "safety_flags",
				json_object_dup_member (flags, "safety_flags"));
	return g_steal_pointer (&members);
}

static JsonObject *
session_to_input (JsonObject *record)
{
	return mv_clinical_object_copy (record);
}

static void
session_terms (JsonObject *record, MvClinicalTerms *terms)
{
	g_autoptr (JsonObject) client = json_object_new ();

	mv_clinical_terms_set_when (terms, mv_clinical_get_string (record, "started_at"));
	/* the client id as a term (a blind index like any code's): a retry finds its session by
	 * it (mv-vr-service.c), whatever the patient's number of sessions */
	json_object_set_string_member (client, "system", MV_VR_CLIENT_ID_SYSTEM);
	json_object_set_string_member (client, "code",
				       mv_clinical_get_string (record, "client_id"));
	mv_clinical_terms_add_coding (terms, client);
}

const MvClinicalKind mv_vr_session_kind = {
	.name = "vr-session",
	.plural = "vr-sessions",
	.title_en = "VR session",
	.title_zh = "VR 训练",
	.normalise = session_normalise,
	.to_input = session_to_input,
	.terms = session_terms,
};
