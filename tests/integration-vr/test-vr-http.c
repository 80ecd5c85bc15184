/* The VR routes with the real vr-recommender plugin and its shipped catalog (issue 14, item 3):
 * a patient reports sessions (stored sealed, points earned, a retry stored once), gets
 * recommendations, and a severe cybersickness report changes the next list; bad inputs are
 * 4xx with nothing written (rows and audit unchanged); another patient or clinic gets 404; the
 * same over D-Bus for a gateway. */
#include <criterion/criterion.h>
#include <string.h>

#include "vr-test.h"

static void
problem_at (MvtResponse *r, const gchar *pointer)
{
	cr_expect_eq (r->status, 422, "%s", r->body);
	cr_expect (strstr (r->body, pointer) != NULL, "no problem at %s: %s", pointer, r->body);
}

Test (vr, sessions_points_and_recommendations)
{
	g_autofree gchar *dir = g_build_filename (mvt_getenv ("MVT_ROOT"), "data", NULL);
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *token = NULL, *body = NULL, *sessions = NULL;
	g_autofree gchar *recs = NULL;

	mvt_clinic_make (mvt_shared_url (), dir, &a);
	pid = plans_patient (&a, "VR-1", "female", "en");
	token = plans_patient_token (&a, pid);
	sessions = g_strdup_printf ("/v1/patients/%s/vr/sessions", pid);
	recs = g_strdup_printf ("/v1/patients/%s/vr/recommendations?include_excluded=true", pid);
	{
		g_autoptr (MvtResponse) r
			= plans_call ("GET", "/v1/me/vr/recommendations", token, NULL);
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_expect_gt (json_array_get_length (vr_array (r, "items")), 0, "%s", r->body);
		cr_expect_str_eq (mvt_str (r, "comfort_tolerance"), "moderate", "%s", r->body);
	}
	body = vr_session_body ("s-1", "breathing-beach", "12",
				",\"rating\":5,\"pain_before\":6,"
				"\"pain_after\":3");
	{
		g_autoptr (MvtResponse) r = plans_call ("POST", "/v1/me/vr/sessions", token, body);
		JsonObject *s;
		cr_assert_eq (r->status, 201, "%s", r->body);
		s = json_node_get_object (mvt_member (r, "session"));
		cr_expect_str_eq (json_object_get_string_member (s, "content_id"),
				  "breathing-beach");
		cr_expect (json_object_has_member (s, "id"), "%s", r->body);
		/* the engagement rules' vr_session points */
		cr_expect (strstr (r->body, "\"points\":15") != NULL, "%s", r->body);
	}
	{
		/* a retry: the stored session, no second record, no second award */
		g_autoptr (MvtResponse) r = plans_call ("POST", "/v1/me/vr/sessions", token, body);
		g_autoptr (MvtResponse) l = plans_call ("GET", sessions, a.clinician, NULL);
		g_autoptr (MvtResponse) p = plans_call ("GET", "/v1/me/progress", token, NULL);
		cr_expect_eq (r->status, 200, "%s", r->body);
		cr_assert_eq (l->status, 200, "%s", l->body);
		cr_expect_eq (json_array_get_length (vr_array (l, "vr-sessions")), 1, "%s",
			      l->body);
		cr_assert_eq (p->status, 200, "%s", p->body);
		cr_expect_eq (json_node_get_int (mvt_member (p, "points")), 15, "%s", p->body);
	}
	{
		g_autofree gchar *other = vr_session_body ("s-1", "heart-tour", "12", NULL);
		g_autoptr (MvtResponse) r = plans_call ("POST", "/v1/me/vr/sessions", token, other);
		mvt_assert_error (r, 409, "conflict");
	}
	{
		/* before: a moderate item passes the filter */
		g_autoptr (MvtResponse) r = plans_call ("GET", recs, a.clinician, NULL);
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_expect_not (vr_lists (vr_array (r, "excluded"), "snow-world", NULL), "%s",
			       r->body);
	}
	{
		g_autofree gchar *sick = vr_session_body ("s-2", "snow-world", "5",
							  ",\"cybersickness\":\"severe\"");
		g_autoptr (MvtResponse) r = plans_call ("POST", "/v1/me/vr/sessions", token, sick);
		cr_assert_eq (r->status, 201, "%s", r->body);
	}
	{
		/* after: the tolerance is lowered, the item that caused it and every moderate
		 * item are gone, each with its reason */
		g_autoptr (MvtResponse) r = plans_call ("GET", recs, a.clinician, NULL);
		g_autoptr (MvtResponse) me
			= plans_call ("GET", "/v1/me/vr/recommendations", token, NULL);
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_expect_str_eq (mvt_str (r, "comfort_tolerance"), "comfortable", "%s", r->body);
		cr_expect (
			vr_lists (vr_array (r, "excluded"), "snow-world", "caused-cybersickness"),
			"%s", r->body);
		cr_expect (vr_lists (vr_array (r, "excluded"), "bilateral-rowing",
				     "comfort-above-tolerance"),
			   "%s", r->body);
		cr_assert_eq (me->status, 200, "%s", me->body);
		cr_expect_not (vr_lists (vr_array (me, "items"), "snow-world", NULL), "%s",
			       me->body);
		cr_expect_not (vr_lists (vr_array (me, "items"), "bilateral-rowing", NULL), "%s",
			       me->body);
		cr_expect_null (mvt_member (me, "excluded"), "%s", me->body);
	}
}

Test (vr, bad_inputs_write_nothing)
{
	g_autofree gchar *dir = g_build_filename (mvt_getenv ("MVT_ROOT"), "data", NULL);
	g_autoptr (PGconn) conn = mvt_db_connect (dir);
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *token = NULL, *before = NULL, *after = NULL;
	g_autofree gchar *unknown = NULL, *negative = NULL, *long_one = NULL, *big = NULL;
	g_autoptr (GString) oversize = g_string_new (NULL);
	g_autofree gchar *at = plans_hours_ago (1);

	mvt_clinic_make (mvt_shared_url (), dir, &a);
	pid = plans_patient (&a, "VR-2", "male", "zh-CN");
	token = plans_patient_token (&a, pid);
	before = mvt_db_clinic_state (conn, a.id);
	unknown = vr_session_body ("b-1", "no-such-content", "10", NULL);
	negative = vr_session_body ("b-2", "heart-tour", "-5", NULL);
	long_one = vr_session_body ("b-3", "heart-tour", "241", NULL);
	{
		g_autoptr (MvtResponse) r
			= plans_call ("POST", "/v1/me/vr/sessions", token, negative);
		problem_at (r, "/duration_min");
	}
	{
		g_autoptr (MvtResponse) r
			= plans_call ("POST", "/v1/me/vr/sessions", token, long_one);
		problem_at (r, "/duration_min");
	}
	{
		/* wrong types and an unknown member: every problem at once */
		g_autofree gchar *b = g_strdup_printf (
			"{\"client_id\":7,\"content_id\":\"heart-tour\",\"started_at\":\"%s\","
			"\"duration_min\":\"ten\",\"completed\":\"yes\",\"rating\":9,"
			"\"cybersickness\":\"awful\",\"mood\":1}",
			at);
		g_autoptr (MvtResponse) r = plans_call ("POST", "/v1/me/vr/sessions", token, b);
		problem_at (r, "/client_id");
		problem_at (r, "/duration_min");
		problem_at (r, "/completed");
		problem_at (r, "/rating");
		problem_at (r, "/cybersickness");
		problem_at (r, "/mood");
	}
	{
		g_string_append (oversize, "{\"client_id\":\"b-4\",\"content_id\":\"");
		for (guint i = 0; i < 100; i++)
			g_string_append (oversize, "abcdefghij");
		g_string_append_printf (oversize,
					"\",\"started_at\":\"%s\",\"duration_min\":1,"
					"\"completed\":true}",
					at);
		g_autoptr (MvtResponse) r
			= plans_call ("POST", "/v1/me/vr/sessions", token, oversize->str);
		problem_at (r, "/content_id");
	}
	{
		/* a clinician does not report a patient's session */
		big = vr_session_body ("b-5", "heart-tour", "10", NULL);
		g_autoptr (MvtResponse) r
			= plans_call ("POST", "/v1/me/vr/sessions", a.clinician, big);
		cr_expect_eq (r->status, 403, "%s", r->body);
	}
	after = mvt_db_clinic_state (conn, a.id);
	cr_expect_str_eq (before, after);
	{
		/* an unknown content id: refused after the lookup of a stored session of its
		 * client_id (a retry comes first), which found none: nothing written, the audit
		 * log unchanged */
		g_autoptr (MvtResponse) r
			= plans_call ("POST", "/v1/me/vr/sessions", token, unknown);
		g_autofree gchar *now = mvt_db_clinic_state (conn, a.id);
		problem_at (r, "/content_id");
		cr_expect (strstr (r->body, "unknown-content") != NULL, "%s", r->body);
		cr_expect_str_eq (now, after);
	}
}

Test (vr, strangers_get_404)
{
	g_autofree gchar *dir = g_build_filename (mvt_getenv ("MVT_ROOT"), "data", NULL);
	g_auto (MvtClinic) a = { 0 };
	g_auto (MvtClinic) b = { 0 };
	g_autofree gchar *pid = NULL, *other = NULL, *token = NULL, *other_token = NULL;
	g_autofree gchar *sessions = NULL, *recs = NULL, *body = NULL;

	mvt_clinic_make (mvt_shared_url (), dir, &a);
	mvt_clinic_make (mvt_shared_url (), dir, &b);
	pid = plans_patient (&a, "VR-3", "female", "en");
	other = plans_patient (&a, "VR-4", "female", "en");
	token = plans_patient_token (&a, pid);
	other_token = plans_patient_token (&a, other);
	body = vr_session_body ("x-1", "heart-tour", "10", NULL);
	{
		g_autoptr (MvtResponse) r = plans_call ("POST", "/v1/me/vr/sessions", token, body);
		cr_assert_eq (r->status, 201, "%s", r->body);
	}
	sessions = g_strdup_printf ("/v1/patients/%s/vr/sessions", pid);
	recs = g_strdup_printf ("/v1/patients/%s/vr/recommendations", pid);
	{
		g_autoptr (MvtResponse) r = plans_call ("GET", sessions, other_token, NULL);
		mvt_assert_error (r, 404, "not-found");
	}
	{
		g_autoptr (MvtResponse) r = plans_call ("GET", sessions, b.clinician, NULL);
		mvt_assert_error (r, 404, "not-found");
	}
	{
		g_autoptr (MvtResponse) r = plans_call ("GET", recs, b.clinician, NULL);
		mvt_assert_error (r, 404, "not-found");
	}
	{
		/* the patient's own key reads its own */
		g_autoptr (MvtResponse) r = plans_call ("GET", sessions, token, NULL);
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_expect_eq (json_array_get_length (vr_array (r, "vr-sessions")), 1, "%s",
			      r->body);
	}
}

/* the gateway's D-Bus methods: the same routes */
Test (vr, over_dbus)
{
	g_autofree gchar *dir = g_build_filename (mvt_getenv ("MVT_ROOT"), "data", NULL);
	g_autoptr (GDBusConnection) conn = mvt_dbus_connect (mvt_shared_bus_address ());
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *token = NULL, *at = plans_hours_ago (2);
	g_autoptr (GError) error = NULL;
	g_autoptr (GVariant) reply = NULL;
	g_autoptr (GVariant) result = NULL;
	g_autoptr (GVariant) items = NULL;
	GVariantBuilder b;
	gboolean created = FALSE;

	mvt_clinic_make (mvt_shared_url (), dir, &a);
	pid = plans_patient (&a, "VR-5", "male", "zh-CN");
	token = plans_patient_token (&a, pid);
	g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add (&b, "{sv}", "client_id", g_variant_new_string ("d-1"));
	g_variant_builder_add (&b, "{sv}", "content_id", g_variant_new_string ("heart-tour"));
	g_variant_builder_add (&b, "{sv}", "started_at", g_variant_new_string (at));
	g_variant_builder_add (&b, "{sv}", "duration_min", g_variant_new_int64 (15));
	g_variant_builder_add (&b, "{sv}", "completed", g_variant_new_boolean (TRUE));
	reply = g_dbus_connection_call_sync (
		conn, "org.medverse.Health1", "/org/medverse/Health1",
		"org.medverse.Health1.Patient", "PostVrSession",
		g_variant_new ("(ss@a{sv})", token, "zh-CN", g_variant_builder_end (&b)),
		G_VARIANT_TYPE ("(a{sv}b)"), G_DBUS_CALL_FLAGS_NONE, 30000, NULL, &error);
	cr_assert_not_null (reply, "%s", error->message);
	g_variant_get (reply, "(@a{sv}b)", NULL, &created);
	cr_expect (created);
	g_clear_pointer (&reply, g_variant_unref);
	reply = g_dbus_connection_call_sync (conn, "org.medverse.Health1", "/org/medverse/Health1",
					     "org.medverse.Health1.Patient", "GetVrRecommendations",
					     g_variant_new ("(ss)", token, "zh-CN"),
					     G_VARIANT_TYPE ("(a{sv})"), G_DBUS_CALL_FLAGS_NONE,
					     30000, NULL, &error);
	cr_assert_not_null (reply, "%s", error->message);
	result = g_variant_get_child_value (reply, 0);
	items = g_variant_lookup_value (result, "items", NULL);
	cr_assert_not_null (items);
	cr_expect_gt (g_variant_n_children (items), 0);
}

int
main (int argc, char **argv)
{
	const gchar *plugins[]
		= { mvt_getenv ("MVT_VR_RECOMMENDER"), mvt_getenv ("MVT_PLAN_GENERATOR"), NULL };
	g_autofree gchar *config = g_strdup_printf ("[plugin.vr-recommender]\ncatalog=%s\n",
						    mvt_getenv ("MVT_VR_CATALOG"));
	MvtOptions options = { .extra_plugins = plugins, .config = config };

	return mvt_main (argc, argv, &options);
}

/* The safety defaults come from the clinical record: after a stroke (fall risk) and with a
 * seizure history, with no plan, standing items are excluded for fall risk, and the answer
 * carries the plugin's "ask your doctor first" notice, on the patient's route and the
 * clinician's alike. */
Test (vr, safety_from_the_record)
{
	g_autofree gchar *dir = g_build_filename (mvt_getenv ("MVT_ROOT"), "data", NULL);
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *token = NULL, *conditions = NULL, *recs = NULL;
	const gchar *const codes[] = { "I63.9", "G40.9" };

	mvt_clinic_make (mvt_shared_url (), dir, &a);
	pid = plans_patient (&a, "VR-SAFE", "male", "en");
	token = plans_patient_token (&a, pid);
	conditions = g_strdup_printf ("/v1/patients/%s/conditions", pid);
	for (guint i = 0; i < G_N_ELEMENTS (codes); i++) {
		g_autofree gchar *body = g_strdup_printf (
			"{\"code\":{\"system\":\"icd-10\",\"code\":\"%s\"}}", codes[i]);
		g_free (plans_post (&a, conditions, body));
	}
	recs = g_strdup_printf ("/v1/patients/%s/vr/recommendations?include_excluded=true", pid);
	{
		g_autoptr (MvtResponse) r = plans_call ("GET", recs, a.clinician, NULL);
		JsonNode *items = mvt_member (r, "items");
		JsonNode *excluded = mvt_member (r, "excluded");
		JsonNode *notices = mvt_member (r, "notices");
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_assert (items != NULL && excluded != NULL && notices != NULL, "%s", r->body);
		cr_expect (vr_lists (json_node_get_array (excluded), "sit-to-stand-tower",
				     "fall-risk"),
			   "%s", r->body);
		cr_expect (vr_lists (json_node_get_array (excluded), "tai-chi-garden", "fall-risk"),
			   "%s", r->body);
		cr_expect (!vr_lists (json_node_get_array (items), "sit-to-stand-tower", NULL));
		cr_expect (!vr_lists (json_node_get_array (items), "treadmill-city-walk", NULL));
		cr_expect (strstr (r->body, "\"ask-doctor-first\"") != NULL, "%s", r->body);
		for (guint i = 0; i < json_array_get_length (json_node_get_array (notices)); i++) {
			JsonObject *n
				= json_array_get_object_element (json_node_get_array (notices), i);
			cr_expect (json_object_has_member (n, "en")
					   && json_object_has_member (n, "zh"),
				   "%s", r->body);
		}
	}
	{
		g_autoptr (MvtResponse) mine
			= plans_call ("GET", "/v1/me/vr/recommendations", token, NULL);
		cr_assert_eq (mine->status, 200, "%s", mine->body);
		cr_expect (strstr (mine->body, "\"ask-doctor-first\"") != NULL, "%s", mine->body);
		cr_expect (strstr (mine->body, "\"sit-to-stand-tower\"") == NULL, "%s", mine->body);
	}
}
