/* The plan routes with the real plan-generator plugin and its shipped rules (built when
 * plugins/plan-generator is in the tree): a Chinese-speaking patient with hypertension gets an
 * active plan in Chinese whose every item names its rule and source, stored, re-planned from
 * adherence and exported as a calendar that python3-icalendar parses; chest pain in a note
 * suppresses the plan until a clinician clears it; a note that only negates chest pain raises
 * nothing.  What the plan holds is the plugin's business (its own tests check the targets);
 * this checks that the daemon's context, storage and routes carry it. */
#include <criterion/criterion.h>
#include <glib/gstdio.h>
#include <string.h>

#include "plans-test.h"

static void
note (const MvtClinic *c, const gchar *pid, const gchar *polarity)
{
	g_autofree gchar *when = plans_hours_ago (1);
	g_autofree gchar *path = g_strdup_printf ("/v1/patients/%s/notes", pid);
	g_autofree gchar *body = g_strdup_printf (
		"{\"text\":\"chest pain today\",\"written_at\":\"%s\",\"findings\":{\"parser\":{"
		"\"name\":\"symptom-parser\",\"version\":\"test\"},\"items\":[{\"code\":"
		"\"HP:0100749\",\"start\":0,\"end\":10,\"text\":\"chest pain\",\"polarity\":\"%s\","
		"\"experiencer\":\"patient\",\"temporality\":\"current\","
		/* as the parser gives it: a list of codes reaches the plugin as strings */
		"\"xrefs\":[\"SYMP:0000576\"]}]}}",
		when, polarity);
	g_free (plans_post (c, path, body));
}

static JsonArray *
array (MvtResponse *r, const gchar *member)
{
	JsonNode *n = mvt_member (r, member);
	cr_assert (n != NULL && JSON_NODE_HOLDS_ARRAY (n), "no %s: %s", member, r->body);
	return json_node_get_array (n);
}

Test (real, a_chinese_speaking_patient_with_hypertension)
{
	g_autofree gchar *dir = g_build_filename (mvt_getenv ("MVT_ROOT"), "data", NULL);
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *path = NULL, *obs = NULL, *when = NULL, *bp = NULL;
	g_autofree gchar *token = NULL, *replan = NULL;
	g_autoptr (GString) adherence = g_string_new ("{\"adherence\":[");
	guint n_tasks, n_follow_ups;
	const gchar *first_title;

	mvt_clinic_make (mvt_shared_url (), dir, &a);
	pid = plans_patient (&a, "REAL-1", "male", "zh-CN");
	obs = g_strdup_printf ("/v1/patients/%s/observations", pid);
	when = plans_hours_ago (48);
	bp = g_strdup_printf ("{\"code\":\"85354-9\",\"effective_at\":\"%s\",\"components\":[{"
			      "\"code\":\"8480-6\",\"value\":148,\"unit\":\"mmHg\"},{\"code\":"
			      "\"8462-4\",\"value\":92,\"unit\":\"mmHg\"}]}",
			      when);
	g_free (plans_post (&a, obs, bp));
	{
		g_autofree gchar *p = g_strdup_printf ("/v1/patients/%s/conditions", pid);
		g_free (plans_post (&a, p, "{\"code\":{\"system\":\"icd-10\",\"code\":\"I10\"}}"));
	}
	path = g_strdup_printf ("/v1/patients/%s/plan", pid);
	{
		g_autoptr (MvtResponse) r
			= plans_call ("POST", path, a.clinician, "{\"minutes_per_day\":40}");
		JsonArray *tasks, *follow_ups;
		cr_assert_eq (r->status, 201, "%s", r->body);
		cr_expect_str_eq (mvt_str (r, "status"), "active", "%s", r->body);
		cr_expect_str_eq (mvt_str (r, "language"), "zh");
		cr_expect_eq (json_array_get_length (array (r, "red_flags")), 0, "%s", r->body);
		tasks = array (r, "tasks");
		follow_ups = array (r, "follow_ups");
		n_tasks = json_array_get_length (tasks);
		n_follow_ups = json_array_get_length (follow_ups);
		cr_assert_gt (n_tasks, 0, "%s", r->body);
		for (guint i = 0; i < n_tasks; i++) {
			JsonObject *t = json_array_get_object_element (tasks, i);
			cr_expect (json_object_has_member (t, "rule")
					   && json_object_has_member (t, "source"),
				   "%s", r->body);
			g_string_append_printf (
				adherence, "%s{\"id\":\"%s\",\"planned\":%u,\"done\":%u}",
				i > 0 ? "," : "", json_object_get_string_member (t, "id"),
				json_array_get_length (json_object_get_array_member (t, "days")),
				json_array_get_length (json_object_get_array_member (t, "days")));
		}
		g_string_append (adherence, "]}");
		first_title = json_object_get_string_member (
			json_array_get_object_element (tasks, 0), "title");
		{
			/* the calendar of this plan parses, one event a task and a follow-up */
			g_autofree gchar *file = g_build_filename (dir, "real.ics", NULL);
			g_autofree gchar *expected = g_strdup_printf ("%u", n_tasks + n_follow_ups);
			g_autofree gchar *out = NULL, *err = NULL;
			g_autoptr (MvtResponse) ics = NULL;
			gint status = -1;
			token = NULL;
			{
				g_autofree gchar *inv
					= g_strdup_printf ("/v1/patients/%s/invites", pid);
				g_autoptr (MvtResponse) i
					= plans_call ("POST", inv, a.clinician, "{}");
				g_autofree gchar *redeem = g_strdup_printf ("{\"code\":\"%s\"}",
									    mvt_str (i, "code"));
				g_autoptr (MvtResponse) t
					= plans_call ("POST", "/v1/invites/redeem", NULL, redeem);
				cr_assert_eq (t->status, 201, "%s", t->body);
				token = g_strdup (mvt_str (t, "token"));
			}
			ics = plans_call ("GET", "/v1/me/plan.ics", token, NULL);
			cr_assert_eq (ics->status, 200, "%s", ics->body);
			cr_assert (g_file_set_contents (file, ics->body, (gssize)ics->len, NULL));
			{
				const gchar *argv[] = { mvt_getenv ("MVT_PYTHON"),
							mvt_getenv ("MVT_CHECK_ICS"),
							file,
							expected,
							first_title,
							NULL };
				cr_assert (g_spawn_sync (NULL, (gchar **)argv, NULL,
							 G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
							 &status, NULL));
				cr_expect (g_spawn_check_wait_status (status, NULL), "%s%s\n%s",
					   out, err, ics->body);
			}
			g_unlink (file);
		}
		replan = g_strdup_printf ("/v1/patients/%s/plan/replan", pid);
		{
			/* a week met: the plugin's Replan takes the stored plan back */
			g_autoptr (MvtResponse) again
				= plans_call ("POST", replan, a.clinician, adherence->str);
			cr_assert_eq (again->status, 201, "%s\n%s", adherence->str, again->body);
			cr_expect_eq (json_node_get_int (mvt_member (again, "plan_version")), 2);
		}
	}
}

Test (real, chest_pain_suppresses_until_cleared_and_a_negated_one_raises_nothing)
{
	g_autofree gchar *dir = g_build_filename (mvt_getenv ("MVT_ROOT"), "data", NULL);
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *other = NULL, *path = NULL, *clear = NULL,
			 *other_path = NULL;

	mvt_clinic_make (mvt_shared_url (), dir, &a);
	pid = plans_patient (&a, "REAL-2", "male", "en");
	other = plans_patient (&a, "REAL-3", "male", "en");
	note (&a, pid, "present");
	note (&a, other, "absent");
	path = g_strdup_printf ("/v1/patients/%s/plan", pid);
	other_path = g_strdup_printf ("/v1/patients/%s/plan", other);
	clear = g_strdup_printf ("/v1/patients/%s/plan/clear-red-flags", pid);
	{
		g_autoptr (MvtResponse) r = plans_call ("POST", path, a.clinician, "{}");
		JsonObject *flag;
		cr_assert_eq (r->status, 201, "%s", r->body);
		cr_expect_str_eq (mvt_str (r, "status"), "suppressed", "%s", r->body);
		cr_assert_gt (json_array_get_length (array (r, "red_flags")), 0, "%s", r->body);
		flag = json_array_get_object_element (array (r, "red_flags"), 0);
		/* chest pain alone: see a doctor today (with breathlessness it is an emergency) */
		cr_expect_str_eq (json_object_get_string_member (flag, "id"), "chest-pain");
		cr_expect_str_eq (json_object_get_string_member (flag, "level"), "urgent");
		cr_expect_eq (json_array_get_length (array (r, "tasks")), 0);
	}
	{
		g_autoptr (MvtResponse) r
			= plans_call ("POST", clear, a.clinician, "{\"note\":\"seen\"}");
		cr_assert_eq (r->status, 201, "%s", r->body);
		cr_expect_str_eq (mvt_str (r, "status"), "active", "%s", r->body);
		cr_expect_eq (json_array_get_length (array (r, "red_flags")), 0, "%s", r->body);
	}
	{
		g_autoptr (MvtResponse) r = plans_call ("POST", other_path, a.clinician, "{}");
		cr_assert_eq (r->status, 201, "%s", r->body);
		cr_expect_str_eq (mvt_str (r, "status"), "active", "%s", r->body);
		cr_expect_eq (json_array_get_length (array (r, "red_flags")), 0, "%s", r->body);
	}
}

int
main (int argc, char **argv)
{
	const gchar *plugins[] = { mvt_getenv ("MVT_PLAN_GENERATOR"), NULL };
	g_autofree gchar *config = g_strdup_printf (
		"[plugin.plan-generator]\nrules-dir=%s\nred-flags=%s\n",
		mvt_getenv ("MVT_PLAN_RULES"), mvt_getenv ("MVT_PLAN_RED_FLAGS"));
	MvtOptions options = { .extra_plugins = plugins, .config = config };

	return mvt_main (argc, argv, &options);
}
