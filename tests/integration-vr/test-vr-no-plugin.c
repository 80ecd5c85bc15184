/* The VR routes of a daemon without the vr-recommender plugin: a session and a recommendation
 * are 503 with a message in both languages, and nothing is written. */
#include <criterion/criterion.h>
#include <string.h>

#include "plans-test.h"

Test (vr, no_plugin_503_nothing_written)
{
	g_autofree gchar *dir = g_build_filename (mvt_getenv ("MVT_ROOT"), "data", NULL);
	g_autoptr (PGconn) conn = mvt_db_connect (dir);
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *token = NULL, *before = NULL, *after = NULL;
	g_autofree gchar *at = plans_hours_ago (1), *body = NULL, *recs = NULL;
	const gchar *zh[] = { "Accept-Language", "zh-CN", NULL };
	MvtRequest post = { .base_url = mvt_shared_url (),
			    .method = "POST",
			    .path = "/v1/me/vr/sessions",
			    .content_type = "application/json",
			    .len = -1 };

	mvt_clinic_make (mvt_shared_url (), dir, &a);
	pid = plans_patient (&a, "VRN-1", "female", "en");
	token = plans_patient_token (&a, pid);
	body = g_strdup_printf ("{\"client_id\":\"n-1\",\"content_id\":\"heart-tour\","
				"\"started_at\":\"%s\",\"duration_min\":10,\"completed\":true}",
				at);
	before = mvt_db_clinic_state (conn, a.id);
	post.token = token;
	post.body = body;
	{
		g_autoptr (MvtResponse) r = mvt_request (&post);
		mvt_assert_error (r, 503, "unavailable");
		cr_expect (strstr (mvt_error_message (r), "vr-recommender") != NULL, "%s", r->body);
	}
	post.headers = zh;
	{
		g_autoptr (MvtResponse) r = mvt_request (&post);
		mvt_assert_error (r, 503, "unavailable");
		cr_expect (strstr (mvt_error_message (r), "VR 推荐插件") != NULL, "%s", r->body);
	}
	recs = g_strdup_printf ("/v1/patients/%s/vr/recommendations", pid);
	{
		g_autoptr (MvtResponse) r = plans_call ("GET", recs, a.clinician, NULL);
		mvt_assert_error (r, 503, "unavailable");
	}
	after = mvt_db_clinic_state (conn, a.id);
	cr_expect_str_eq (before, after);
}

int
main (int argc, char **argv)
{
	MvtOptions options = { 0 };

	return mvt_main (argc, argv, &options);
}
