/* The plan routes of a daemon without the plan-generator plugin: generating a plan is 503 with
 * a message in both languages, nothing is written, and reading one is 404 (there is none). */
#include <criterion/criterion.h>
#include <string.h>

#include "mvt.h"

Test (plans, no_plugin_no_plan)
{
	g_autofree gchar *dir = g_build_filename (mvt_getenv ("MVT_ROOT"), "data", NULL);
	g_auto (MvtClinic) a = { 0 };
	g_autoptr (PGconn) conn = mvt_db_connect (dir);
	g_autofree gchar *path = NULL, *before = NULL, *after = NULL;
	const gchar *zh[] = { "Accept-Language", "zh-CN", NULL };
	MvtRequest post = { .base_url = mvt_shared_url (), .method = "POST", .len = -1 };
	MvtRequest get = { .base_url = mvt_shared_url (), .method = "GET" };
	g_autoptr (MvtResponse) created = NULL;

	mvt_clinic_make (mvt_shared_url (), dir, &a);
	post.path = "/v1/patients";
	post.token = a.clinician;
	post.content_type = "application/json";
	post.body = "{\"mrn\":\"NP-1\",\"name\":{\"given\":\"x\"}}";
	created = mvt_request (&post);
	cr_assert_eq (created->status, 201, "%s", created->body);
	path = g_strdup_printf ("/v1/patients/%s/plan", mvt_str (created, "id"));
	before = mvt_db_clinic_state (conn, a.id);
	post.path = path;
	post.body = "{}";
	{
		g_autoptr (MvtResponse) r = mvt_request (&post);
		mvt_assert_error (r, 503, "unavailable");
		cr_expect (strstr (mvt_error_message (r), "plan-generator") != NULL, "%s", r->body);
	}
	post.headers = zh;
	{
		g_autoptr (MvtResponse) r = mvt_request (&post);
		mvt_assert_error (r, 503, "unavailable");
		cr_expect (strstr (mvt_error_message (r), "计划生成插件") != NULL, "%s", r->body);
	}
	after = mvt_db_clinic_state (conn, a.id);
	cr_expect_str_eq (before, after);
	get.path = path;
	get.token = a.clinician;
	{
		g_autoptr (MvtResponse) r = mvt_request (&get);
		mvt_assert_error (r, 404, "not-found");
	}
}

int
main (int argc, char **argv)
{
	MvtOptions options = { 0 };

	return mvt_main (argc, argv, &options);
}
