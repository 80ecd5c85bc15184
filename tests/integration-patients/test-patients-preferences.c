/* A patient sets its own time zone and language (PUT /v1/me/preferences) against the real
 * daemon: validated (an unknown zone such as Mars/Base, a language other than en/zh: 422 and
 * nothing written), versioned and audited like any profile change; the progress texts then
 * follow the profile's language whoever asks, and its day the profile's zone. */
#include <criterion/criterion.h>
#include <string.h>

#include "mvt.h"
#include "pt-client.h"

static gchar *
data_dir (void)
{
	return g_build_filename (mvt_getenv ("MVT_ROOT"), "data", NULL);
}

static const gchar *
url (void)
{
	return mvt_shared_url ();
}

static PtResponse *
call_in (const gchar *language,
	 const gchar *method,
	 const gchar *path,
	 const gchar *token,
	 const gchar *body)
{
	return mvt_http_in_language (url (), language, method, path, token, body);
}

static gint64
count_updates (PGconn *conn, const gchar *clinic)
{
	const gchar *v[] = { clinic };
	g_autofree gchar *n = pt_db_value (conn,
					   "SELECT count(*) FROM audit_entries WHERE clinic_id = "
					   "$1::text AND action = 'patient.update'",
					   1, v);
	return g_ascii_strtoll (n, NULL, 10);
}

/* the progress's level title and time zone, as @language asks */
static void
expect_progress (const gchar *language,
		 const gchar *path,
		 const gchar *token,
		 const gchar *title,
		 const gchar *zone)
{
	g_autoptr (PtResponse) r = call_in (language, "GET", path, token, NULL);

	cr_assert_eq (r->status, 200, "%s", r->body);
	cr_expect (strstr (r->body, title) != NULL, "%s: %s", title, r->body);
	cr_expect_str_eq (pt_str (r, "time_zone"), zone);
}

Test (preferences, a_patient_sets_its_time_zone_and_language_and_progress_follows)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (PtClinic) a = { 0 };
	g_autoptr (PGconn) conn = NULL;
	g_autofree gchar *pid = NULL, *token = NULL, *before = NULL, *progress = NULL;
	static const gchar *const bad[] = {
		"{\"time_zone\":\"Mars/Base\"}",
		"{\"time_zone\":\"Asia/Shanghai\",\"language\":\"fr\"}",
		"{\"time_zone\":\"../../etc/localtime\"}",
		"{\"time_zone\":\"EST\"}",
		"{}",
		"{\"language\":\"zh\",\"units\":\"metric\"}",
		"{\"time_zone\":8}",
	};

	pt_clinic_make (url (), dir, &a);
	conn = pt_db_connect (dir);
	{
		g_autoptr (PtResponse) r
			= pt_request (url (), "POST", "/v1/patients", a.clinician, NULL, NULL,
				      "{\"mrn\":\"PREF-1\",\"name\":{\"given\":\"x\"}}");
		cr_assert_eq (r->status, 201, "%s", r->body);
		pid = g_strdup (pt_str (r, "id"));
	}
	token = mvt_patient_key (url (), a.clinician, pid, NULL);
	progress = g_strdup_printf ("/v1/patients/%s/progress", pid);
	/* no preference yet: Accept-Language decides, the day is UTC's */
	expect_progress (NULL, "/v1/me/progress", token, "Starter", "UTC");
	expect_progress ("zh-CN", "/v1/me/progress", token, "起步者", "UTC");

	before = mvt_db_clinic_state (conn, a.id);
	for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
		g_autoptr (PtResponse) r = pt_request (url (), "PUT", "/v1/me/preferences", token,
						       NULL, NULL, bad[i]);
		g_autofree gchar *after = NULL;
		pt_assert_error (r, 422, "invalid-input");
		after = mvt_db_clinic_state (conn, a.id);
		cr_expect_str_eq (after, before, "%s wrote something", bad[i]);
	}
	{
		/* every problem at once: the unknown member and the bad language */
		g_autoptr (PtResponse) r
			= pt_request (url (), "PUT", "/v1/me/preferences", token, NULL, NULL,
				      "{\"language\":\"fr\",\"units\":\"metric\"}");
		pt_assert_error (r, 422, "invalid-input");
		cr_expect (strstr (r->body, "/language") != NULL
				   && strstr (r->body, "/units") != NULL,
			   "%s", r->body);
	}
	{
		/* a clinician has no /v1/me; a stale If-Match is refused */
		g_autoptr (PtResponse) clin
			= pt_request (url (), "PUT", "/v1/me/preferences", a.clinician, NULL, NULL,
				      "{\"language\":\"zh\"}");
		g_autoptr (PtResponse) stale
			= pt_request (url (), "PUT", "/v1/me/preferences", token, "\"7\"", NULL,
				      "{\"language\":\"zh\"}");
		pt_assert_error (clin, 403, "forbidden");
		cr_expect (stale->status == 412 || stale->status == 409, "%u %s", stale->status,
			   stale->body);
	}
	cr_expect_eq (count_updates (conn, a.id), 0);
	{
		g_autoptr (PtResponse) r
			= pt_request (url (), "PUT", "/v1/me/preferences", token, NULL, NULL,
				      "{\"time_zone\":\"Asia/Shanghai\",\"language\":\"zh\"}");
		JsonObject *profile;
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_expect_str_eq (r->etag, "\"2\"");
		profile = json_object_get_object_member (json_node_get_object (r->json), "profile");
		cr_expect_str_eq (json_object_get_string_member (profile, "language"), "zh");
		cr_expect_str_eq (json_object_get_string_member (
					  json_object_get_object_member (profile, "preferences"),
					  "time_zone"),
				  "Asia/Shanghai");
	}
	cr_expect_eq (count_updates (conn, a.id), 1);
	/* the profile's language wins over Accept-Language, for the clinician's view too */
	expect_progress ("en", "/v1/me/progress", token, "起步者", "Asia/Shanghai");
	expect_progress (NULL, progress, a.clinician, "起步者", "Asia/Shanghai");
	{
		/* the language alone: the time zone stays (a merge of the profile) */
		g_autoptr (PtResponse) r = pt_request (url (), "PUT", "/v1/me/preferences", token,
						       "\"2\"", NULL, "{\"language\":\"en\"}");
		cr_assert_eq (r->status, 200, "%s", r->body);
	}
	expect_progress ("zh-CN", "/v1/me/progress", token, "Starter", "Asia/Shanghai");
	cr_expect_eq (count_updates (conn, a.id), 2);
	{
		/* a BCP 47 tag of en or zh, as a device names it, is read as it; another is refused
		 * with what to send */
		g_autoptr (PtResponse) hans
			= pt_request (url (), "PUT", "/v1/me/preferences", token, NULL, NULL,
				      "{\"language\":\"zh-Hans\"}");
		g_autoptr (PtResponse) fr = pt_request (url (), "PUT", "/v1/me/preferences", token,
							NULL, NULL, "{\"language\":\"fr-FR\"}");
		JsonObject *profile;
		cr_assert_eq (hans->status, 200, "%s", hans->body);
		profile = json_object_get_object_member (json_node_get_object (hans->json),
							 "profile");
		cr_expect_str_eq (json_object_get_string_member (profile, "language"), "zh");
		cr_assert_eq (fr->status, 422, "%s", fr->body);
		cr_expect (strstr (fr->body, "use en or zh") != NULL, "%s", fr->body);
	}
	{
		/* a check-in's progress follows the profile too, whatever Accept-Language says */
		g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
		g_autofree gchar *at = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
		g_autofree gchar *body = g_strdup_printf (
			"{\"id\":\"pref-1\",\"metric\":\"steps\",\"value\":5000,\"at\":\"%s\"}",
			at);
		g_autoptr (PtResponse) r = call_in ("en", "POST", "/v1/me/checkins", token, body);
		JsonObject *p;
		cr_assert_eq (r->status, 201, "%s", r->body);
		p = json_object_get_object_member (json_node_get_object (r->json), "progress");
		cr_expect (strstr (json_object_get_string_member (
					   json_object_get_object_member (p, "level"), "title"),
				   "起步者")
				   != NULL,
			   "%s", r->body);
	}
	{
		/* the leaderboard handles too: Chinese words for a zh profile, whatever is asked */
		g_autoptr (PtResponse) join
			= call_in ("en", "PUT", "/v1/me/leaderboard", token, "{\"opt_in\":true}");
		g_autoptr (PtResponse) board
			= call_in ("en", "GET", "/v1/me/leaderboard", token, NULL);
		JsonArray *rows;
		const gchar *handle;
		cr_assert_eq (join->status, 200, "%s", join->body);
		cr_assert_eq (board->status, 200, "%s", board->body);
		rows = json_object_get_array_member (json_node_get_object (board->json), "rows");
		cr_assert_eq (json_array_get_length (rows), 1, "%s", board->body);
		handle = json_object_get_string_member (json_array_get_object_element (rows, 0),
							"handle");
		cr_expect (!g_str_is_ascii (handle), "an English handle: %s", handle);
	}
}

int
main (int argc, char **argv)
{
	const MvtOptions options = { 0 };
	return mvt_main (argc, argv, &options);
}
