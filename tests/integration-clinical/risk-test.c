/* What the record-scoring integration tests share: see risk-test.h. */
#include "risk-test.h"

#include <criterion/criterion.h>

MvtResponse *
rt_call (const gchar *method, const gchar *path, const gchar *token, const gchar *body)
{
	MvtRequest req = {
		.base_url = mvt_shared_url (),
		.method = method,
		.path = path,
		.content_type = body != NULL ? "application/json" : NULL,
		.body = body,
		.len = -1,
		.token = token,
	};
	return mvt_request (&req);
}

gchar *
rt_post (const MvtClinic *c, const gchar *pid, const gchar *plural, const gchar *body)
{
	g_autofree gchar *path = g_strdup_printf ("/v1/patients/%s/%s", pid, plural);
	g_autoptr (MvtResponse) r = rt_call ("POST", path, c->clinician, body);

	cr_assert_eq (r->status, 201, "%s: %s", plural, r->body);
	return g_strdup (mvt_str (r, "id"));
}

/* the answer's entry for @model */
JsonObject *
rt_entry_for (MvtResponse *r, const gchar *model)
{
	JsonArray *models = json_object_get_array_member (json_node_get_object (r->json), "models");

	for (guint i = 0; i < json_array_get_length (models); i++) {
		JsonObject *e = json_array_get_object_element (models, i);
		if (g_str_equal (json_object_get_string_member (e, "model"), model))
			return e;
	}
	cr_assert_fail ("no entry for %s in %s", model, r->body);
	return NULL;
}
