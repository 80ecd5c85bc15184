/* What the VR route tests share: see vr-test.h. */
#include "vr-test.h"

#include <criterion/criterion.h>

/* a session body of @minutes (a JSON number text) of @content, started an hour ago */
gchar *
vr_session_body (const gchar *client_id,
		 const gchar *content,
		 const gchar *minutes,
		 const gchar *extra)
{
	return vr_session_body_full (client_id, content, minutes, TRUE, extra);
}

gchar *
vr_session_body_full (const gchar *client_id,
		      const gchar *content,
		      const gchar *minutes,
		      gboolean completed,
		      const gchar *extra)
{
	g_autofree gchar *at = plans_hours_ago (1);

	return g_strdup_printf ("{\"client_id\":\"%s\",\"content_id\":\"%s\",\"started_at\":\"%s\","
				"\"duration_min\":%s,\"completed\":%s%s}",
				client_id, content, at, minutes, completed ? "true" : "false",
				extra != NULL ? extra : "");
}

MvtResponse *
vr_call (const gchar *method,
	 const gchar *path,
	 const gchar *token,
	 const gchar *body,
	 const gchar *const *headers)
{
	MvtRequest req = {
		.base_url = mvt_shared_url (),
		.method = method,
		.path = path,
		.content_type = body != NULL ? "application/json" : NULL,
		.body = body,
		.len = -1,
		.token = token,
		.headers = headers,
	};
	return mvt_request (&req);
}

JsonArray *
vr_array (MvtResponse *r, const gchar *member)
{
	JsonNode *n = mvt_member (r, member);
	cr_assert (n != NULL && JSON_NODE_HOLDS_ARRAY (n), "no %s: %s", member, r->body);
	return json_node_get_array (n);
}

/* whether @list (of {id, …}) holds @id; @reason: the code one of its reasons must have */
gboolean
vr_lists (JsonArray *list, const gchar *id, const gchar *reason)
{
	for (guint i = 0; i < json_array_get_length (list); i++) {
		JsonObject *o = json_array_get_object_element (list, i);
		JsonArray *reasons;
		if (g_strcmp0 (json_object_get_string_member (o, "id"), id) != 0)
			continue;
		if (reason == NULL)
			return TRUE;
		reasons = json_object_get_array_member (o, "reasons");
		for (guint j = 0; j < json_array_get_length (reasons); j++)
			if (g_strcmp0 (json_object_get_string_member (
					       json_array_get_object_element (reasons, j), "code"),
				       reason)
			    == 0)
				return TRUE;
	}
	return FALSE;
}

gchar *
vr_fixture (const gchar *variable)
{
	gchar *text = NULL;
	g_autoptr (GError) error = NULL;

	cr_assert (g_file_get_contents (mvt_getenv (variable), &text, NULL, &error), "%s",
		   error != NULL ? error->message : "");
	return text;
}
