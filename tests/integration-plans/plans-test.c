/* What the plan route tests share: see plans-test.h. */
#include "plans-test.h"

#include <criterion/criterion.h>

MvtResponse *
plans_call (const gchar *method, const gchar *path, const gchar *token, const gchar *body)
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
plans_post (const MvtClinic *c, const gchar *path, const gchar *body)
{
	g_autoptr (MvtResponse) r = plans_call ("POST", path, c->clinician, body);

	cr_assert_eq (r->status, 201, "%s: %s", path, r->body);
	return g_strdup (mvt_str (r, "id"));
}

gchar *
plans_patient (const MvtClinic *c, const gchar *mrn, const gchar *sex, const gchar *language)
{
	g_autofree gchar *body = g_strdup_printf (
		"{\"mrn\":\"%s\",\"name\":{\"given\":\"x\"},\"birth_date\":\"1971-06-15\","
		"\"sex\":\"%s\",\"language\":\"%s\"}",
		mrn, sex, language);
	return plans_post (c, "/v1/patients", body);
}

gchar *
plans_patient_token (const MvtClinic *c, const gchar *pid)
{
	g_autofree gchar *path = g_strdup_printf ("/v1/patients/%s/invites", pid);
	g_autoptr (MvtResponse) inv = plans_call ("POST", path, c->clinician, "{}");
	g_autofree gchar *redeem = NULL;
	g_autoptr (MvtResponse) r = NULL;

	cr_assert_eq (inv->status, 201, "%s", inv->body);
	redeem = g_strdup_printf ("{\"code\":\"%s\"}", mvt_str (inv, "code"));
	r = plans_call ("POST", "/v1/invites/redeem", NULL, redeem);
	cr_assert_eq (r->status, 201, "%s", r->body);
	return g_strdup (mvt_str (r, "token"));
}

gchar *
plans_hours_ago (gint hours)
{
	g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
	g_autoptr (GDateTime) then = g_date_time_add_hours (now, -hours);
	return g_date_time_format (then, "%Y-%m-%dT%H:%M:%SZ");
}
