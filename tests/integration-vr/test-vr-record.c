/* What a second docs-only trial found in the daemon's VR side (docs/vr.md; issue 14): every
 * condition of the record reaches the safety filter with its status, a plan's supplied
 * pregnancy counts, a session's points say why there are none, session lists filter by code
 * and link their next page, the patient's route carries no clinician's notes nor the plugin's
 * pointers, the catalog's clinic items in one language, and a session of content the safety
 * filter excludes is stored with its safety flags. */
#include <criterion/criterion.h>
#include <string.h>

#include "vr-test.h"

static void
add_condition (const MvtClinic *a, const gchar *pid, const gchar *code, const gchar *extra)
{
	g_autofree gchar *path = g_strdup_printf ("/v1/patients/%s/conditions", pid);
	g_autofree gchar *body = g_strdup_printf (
		"{\"code\":{\"system\":\"icd-10\",\"code\":\"%s\"}%s}", code, extra);

	g_free (plans_post (a, path, body));
}

static MvtResponse *
excluded_of (const MvtClinic *a, const gchar *pid)
{
	g_autofree gchar *recs = g_strdup_printf (
		"/v1/patients/%s/vr/recommendations?include_excluded=true&limit=50", pid);
	MvtResponse *r = plans_call ("GET", recs, a->clinician, NULL);

	cr_assert_eq (r->status, 200, "%s", r->body);
	return r;
}

/* An inactive or remitted epilepsy is a seizure history: the plugin keeps the photosensitive
 * filter for it, so the daemon must give it with its status (it used to fold both into
 * "resolved", which the filter ignores).  A refuted and a relative's condition do not break
 * the call. */
Test (vr_record, every_status_reaches_the_filter)
{
	g_autofree gchar *dir = g_build_filename (mvt_getenv ("MVT_ROOT"), "data", NULL);
	g_auto (MvtClinic) a = { 0 };
	const gchar *const statuses[] = { "inactive", "remission" };

	mvt_clinic_make (mvt_shared_url (), dir, &a);
	for (guint i = 0; i < G_N_ELEMENTS (statuses); i++) {
		g_autofree gchar *mrn = g_strdup_printf ("VRR-S%u", i);
		g_autofree gchar *pid = plans_patient (&a, mrn, "male", "en");
		g_autofree gchar *extra
			= g_strdup_printf (",\"clinical_status\":\"%s\"", statuses[i]);
		g_autoptr (MvtResponse) r = NULL;
		add_condition (&a, pid, "G40.9", extra);
		r = excluded_of (&a, pid);
		cr_expect (vr_lists (vr_array (r, "excluded"), "sword-rhythm",
				     "contraindication:photosensitive-epilepsy"),
			   "%s: %s", statuses[i], r->body);
		cr_expect_not (vr_lists (vr_array (r, "items"), "sword-rhythm", NULL), "%s",
			       r->body);
	}
	{
		g_autofree gchar *pid = plans_patient (&a, "VRR-S9", "male", "en");
		g_autoptr (MvtResponse) r = NULL;
		add_condition (&a, pid, "I63.9", ",\"verification_status\":\"refuted\"");
		add_condition (&a, pid, "G40.9",
			       ",\"family_member\":{\"relationship\":\"mother\"}");
		r = excluded_of (&a, pid);
		/* the relative's epilepsy is not the patient's */
		cr_expect_not (vr_lists (vr_array (r, "excluded"), "sword-rhythm",
					 "contraindication:photosensitive-epilepsy"),
			       "%s", r->body);
	}
}

/* POST …/plan {"pregnant": true}: the recommendations exclude what pregnancy excludes, as for
 * a recorded pregnancy (and as the plan's mobility already was). */
Test (vr_record, supplied_pregnancy_counts)
{
	g_autofree gchar *dir = g_build_filename (mvt_getenv ("MVT_ROOT"), "data", NULL);
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *plan = NULL;

	mvt_clinic_make (mvt_shared_url (), dir, &a);
	pid = plans_patient (&a, "VRR-P1", "female", "en");
	{
		g_autoptr (MvtResponse) r = excluded_of (&a, pid);
		cr_assert_not (vr_lists (vr_array (r, "excluded"), "sit-to-stand-tower",
					 "contraindication:pregnancy"),
			       "%s", r->body);
	}
	plan = g_strdup_printf ("/v1/patients/%s/plan", pid);
	{
		g_autoptr (MvtResponse) p
			= plans_call ("POST", plan, a.clinician, "{\"pregnant\":true}");
		g_autoptr (MvtResponse) r = NULL;
		cr_assert_eq (p->status, 201, "%s", p->body);
		r = excluded_of (&a, pid);
		cr_expect (vr_lists (vr_array (r, "excluded"), "sit-to-stand-tower",
				     "contraindication:pregnancy"),
			   "%s", r->body);
		cr_expect_not (vr_lists (vr_array (r, "items"), "sit-to-stand-tower", NULL));
	}
}

static const gchar *
note_code (MvtResponse *r)
{
	JsonNode *n = mvt_member (r, "points_note");

	if (n == NULL || !JSON_NODE_HOLDS_OBJECT (n))
		return NULL;
	cr_expect (json_object_has_member (json_node_get_object (n), "en")
			   && json_object_has_member (json_node_get_object (n), "zh"),
		   "%s", r->body);
	return json_object_get_string_member_with_default (json_node_get_object (n), "code", NULL);
}

/* severe cybersickness earns nothing even when completed; every point-free answer says why
 * (too short, cybersickness, the daily cap, a repeat); an earning one has no note */
Test (vr_record, points_say_why)
{
	g_autofree gchar *dir = g_build_filename (mvt_getenv ("MVT_ROOT"), "data", NULL);
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *token = NULL, *body = NULL;
	struct {
		const gchar *id, *minutes, *extra;
		gboolean completed;
		guint awarded;
		const gchar *note;
	} cases[] = {
		{ "w-1", "10", ",\"cybersickness\":\"severe\"", TRUE, 0, "cybersickness" },
		{ "w-2", "10", ",\"cybersickness\":\"moderate\"", FALSE, 0, "cybersickness" },
		{ "w-3", "0", "", TRUE, 0, "too-short" },
		{ "w-4", "10", ",\"cybersickness\":\"moderate\"", TRUE, 1, NULL },
		{ "w-5", "10", "", TRUE, 1, NULL },
		{ "w-6", "10", "", TRUE, 0, "daily-cap" }, /* 15 a session, 30 a day */
		{ "w-6", "10", "", TRUE, 0, "repeat" },
	};

	mvt_clinic_make (mvt_shared_url (), dir, &a);
	pid = plans_patient (&a, "VRR-W1", "female", "en");
	token = plans_patient_token (&a, pid);
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr (MvtResponse) r = NULL;
		/* the last case is the one before sent again, every member the same */
		if (i == 0 || !g_str_equal (cases[i].id, cases[i - 1].id)) {
			g_free (body);
			body = vr_session_body_full (cases[i].id, "heart-tour", cases[i].minutes,
						     cases[i].completed, cases[i].extra);
		}
		r = plans_call ("POST", "/v1/me/vr/sessions", token, body);
		cr_assert (r->status == 201 || r->status == 200, "%s: %s", cases[i].id, r->body);
		cr_expect_eq (json_array_get_length (vr_array (r, "awarded")), cases[i].awarded,
			      "%u %s: %s", i, cases[i].id, r->body);
		cr_expect_str_eq (note_code (r) != NULL ? note_code (r) : "(none)",
				  cases[i].note != NULL ? cases[i].note : "(none)", "%u %s: %s", i,
				  cases[i].id, r->body);
	}
}

/* ?code= filters a session list as every record list (an unknown code: an empty list), and a
 * page links the next one (`next`), on the clinician's route and the patient's own */
Test (vr_record, session_lists_filter_and_page)
{
	g_autofree gchar *dir = g_build_filename (mvt_getenv ("MVT_ROOT"), "data", NULL);
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *token = NULL, *base = NULL, *next = NULL;

	mvt_clinic_make (mvt_shared_url (), dir, &a);
	pid = plans_patient (&a, "VRR-L1", "male", "en");
	token = plans_patient_token (&a, pid);
	for (guint i = 0; i < 3; i++) {
		g_autofree gchar *id = g_strdup_printf ("l-%u", i);
		g_autofree gchar *body = vr_session_body (id, "heart-tour", "5", NULL);
		g_autoptr (MvtResponse) r = plans_call ("POST", "/v1/me/vr/sessions", token, body);
		cr_assert_eq (r->status, 201, "%s", r->body);
	}
	base = g_strdup_printf ("/v1/patients/%s/vr/sessions", pid);
	{
		g_autofree gchar *path
			= g_strdup_printf ("%s?code=urn:medverse:vr-session-client%%7Cl-1", base);
		g_autoptr (MvtResponse) r = plans_call ("GET", path, a.clinician, NULL);
		JsonArray *list = vr_array (r, "vr-sessions");
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_assert_eq (json_array_get_length (list), 1, "%s", r->body);
		cr_expect_str_eq (json_object_get_string_member (
					  json_array_get_object_element (list, 0), "client_id"),
				  "l-1");
	}
	{
		g_autofree gchar *path = g_strdup_printf ("%s?code=bogus", base);
		g_autoptr (MvtResponse) r = plans_call ("GET", path, a.clinician, NULL);
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_expect_eq (json_array_get_length (vr_array (r, "vr-sessions")), 0, "%s",
			      r->body);
	}
	{
		g_autofree gchar *path = g_strdup_printf ("%s?limit=2", base);
		g_autoptr (MvtResponse) r = plans_call ("GET", path, a.clinician, NULL);
		g_autofree gchar *lower = g_ascii_strdown (base, -1);
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_assert (mvt_str (r, "next") != NULL, "%s", r->body);
		next = g_strdup (mvt_str (r, "next"));
		cr_expect (g_str_has_prefix (next, lower), "%s", next);
		cr_expect (strstr (next, "limit=2") != NULL && strstr (next, "cursor=") != NULL,
			   "%s", next);
	}
	{
		g_autoptr (MvtResponse) r = plans_call ("GET", next, a.clinician, NULL);
		JsonNode *n = mvt_member (r, "next");
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_expect_eq (json_array_get_length (vr_array (r, "vr-sessions")), 1, "%s",
			      r->body);
		cr_expect (n != NULL && JSON_NODE_HOLDS_NULL (n), "%s", r->body);
	}
	{
		g_autoptr (MvtResponse) r
			= plans_call ("GET", "/v1/me/vr/sessions?limit=1", token, NULL);
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_expect (mvt_str (r, "next") != NULL
				   && g_str_has_prefix (mvt_str (r, "next"), "/v1/me/vr/sessions?"),
			   "%s", r->body);
	}
}

/* The clinician's notes (a pin the filter refused) are not on the patient's route; a deleted
 * clinic item in the history is named by its id, never by the plugin's pointer into its own
 * input; ?include_excluded=true is the patient's too (what was withheld, and why). */
Test (vr_record, patients_route_is_the_patients)
{
	g_autofree gchar *dir = g_build_filename (mvt_getenv ("MVT_ROOT"), "data", NULL);
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *good = vr_fixture ("MVT_VR_GOOD_ITEM");
	g_autofree gchar *pid = NULL, *token = NULL, *path = NULL, *recs = NULL, *own = NULL;

	mvt_clinic_make (mvt_shared_url (), dir, &a);
	pid = plans_patient (&a, "VRR-N1", "male", "en");
	token = plans_patient_token (&a, pid);
	add_condition (&a, pid, "G40.9", "");
	{
		g_autoptr (MvtResponse) item
			= plans_call ("POST", "/v1/vr/catalog/items", a.admin, good);
		g_autofree gchar *body = vr_session_body ("n-1", "clinic-arm-reach", "5", NULL);
		g_autoptr (MvtResponse) s = plans_call ("POST", "/v1/me/vr/sessions", token, body);
		g_autoptr (MvtResponse) del = plans_call (
			"DELETE", "/v1/vr/catalog/items/clinic-arm-reach", a.admin, NULL);
		cr_assert_eq (item->status, 201, "%s", item->body);
		cr_assert_eq (s->status, 201, "%s", s->body);
		cr_assert_eq (del->status, 204, "%s", del->body);
	}
	path = g_strdup_printf ("/v1/patients/%s/vr/overrides", pid);
	{
		g_autoptr (MvtResponse) r = plans_call (
			"PUT", path, a.clinician, "{\"block\":[],\"pin\":[\"sword-rhythm\"]}");
		cr_assert_eq (r->status, 200, "%s", r->body);
	}
	recs = g_strdup_printf ("/v1/patients/%s/vr/recommendations", pid);
	{
		g_autoptr (MvtResponse) r = plans_call ("GET", recs, a.clinician, NULL);
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_expect (vr_lists (vr_array (r, "notes"), "sword-rhythm", NULL)
				   && strstr (r->body, "pin-not-safe") != NULL,
			   "%s", r->body);
		cr_expect (vr_lists (vr_array (r, "notes"), "clinic-arm-reach", NULL), "%s",
			   r->body);
		cr_expect (strstr (r->body, "/history/") == NULL, "%s", r->body);
	}
	own = g_strdup_printf ("%s?include_excluded=true", recs);
	{
		g_autoptr (MvtResponse) me = plans_call (
			"GET", "/v1/me/vr/recommendations?include_excluded=true", token, NULL);
		g_autoptr (MvtResponse) mine = plans_call ("GET", own, token, NULL);
		cr_assert_eq (me->status, 200, "%s", me->body);
		cr_assert_eq (mine->status, 200, "%s", mine->body);
		for (guint i = 0; i < 2; i++) {
			MvtResponse *r = i == 0 ? me : mine;
			cr_expect (mvt_member (r, "notes") == NULL, "%s", r->body);
			cr_expect (strstr (r->body, "pin-not-safe") == NULL, "%s", r->body);
			cr_expect (strstr (r->body, "/history/") == NULL, "%s", r->body);
			cr_expect (vr_lists (vr_array (r, "excluded"), "sword-rhythm",
					     "contraindication:photosensitive-epilepsy"),
				   "%s", r->body);
		}
	}
}

/* ?language=zh gives the clinic's items' title and summary in Chinese, as the shipped ones */
Test (vr_record, catalog_in_one_language)
{
	g_autofree gchar *dir = g_build_filename (mvt_getenv ("MVT_ROOT"), "data", NULL);
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *good = vr_fixture ("MVT_VR_GOOD_ITEM");

	mvt_clinic_make (mvt_shared_url (), dir, &a);
	{
		g_autoptr (MvtResponse) item
			= plans_call ("POST", "/v1/vr/catalog/items", a.admin, good);
		cr_assert_eq (item->status, 201, "%s", item->body);
	}
	{
		g_autoptr (MvtResponse) r
			= plans_call ("GET", "/v1/vr/catalog?language=zh", a.clinician, NULL);
		JsonObject *item = NULL;
		cr_assert_eq (r->status, 200, "%s", r->body);
		item = json_array_get_object_element (vr_array (r, "clinic_items"), 0);
		cr_assert (item != NULL, "%s", r->body);
		cr_expect_str_eq (json_object_get_string_member_with_default (item, "title", ""),
				  "诊所手臂伸展", "%s", r->body);
		cr_expect (g_str_has_prefix (
				   json_object_get_string_member_with_default (item, "summary", ""),
				   "在手臂可及的枝头"),
			   "%s", r->body);
	}
	{
		g_autoptr (MvtResponse) r = plans_call ("GET", "/v1/vr/catalog", a.clinician, NULL);
		JsonObject *item = json_array_get_object_element (vr_array (r, "clinic_items"), 0);
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_expect (json_object_get_object_member (item, "title") != NULL, "%s", r->body);
	}
}

static gboolean
flagged (JsonObject *session, const gchar *code)
{
	JsonArray *flags = json_object_has_member (session, "safety_flags")
				   ? json_object_get_array_member (session, "safety_flags")
				   : NULL;

	for (guint i = 0; flags != NULL && i < json_array_get_length (flags); i++)
		if (g_strcmp0 (json_array_get_string_element (flags, i), code) == 0)
			return TRUE;
	return FALSE;
}

/* A session of flashing content for a patient with epilepsy happened: stored (201), with the
 * filter's reason as a safety flag in the answer, the record and the clinician's list; a safe
 * session has none; the client cannot send the member. */
Test (vr_record, unsafe_content_is_flagged)
{
	g_autofree gchar *dir = g_build_filename (mvt_getenv ("MVT_ROOT"), "data", NULL);
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *token = NULL, *list = NULL;

	mvt_clinic_make (mvt_shared_url (), dir, &a);
	pid = plans_patient (&a, "VRR-F1", "male", "en");
	token = plans_patient_token (&a, pid);
	add_condition (&a, pid, "G40.9", "");
	{
		g_autofree gchar *body = vr_session_body ("f-1", "sword-rhythm", "10", NULL);
		g_autofree gchar *safe = vr_session_body ("f-2", "heart-tour", "10", NULL);
		g_autoptr (MvtResponse) r = plans_call ("POST", "/v1/me/vr/sessions", token, body);
		g_autoptr (MvtResponse) s = plans_call ("POST", "/v1/me/vr/sessions", token, safe);
		JsonNode *session = mvt_member (r, "session");
		cr_assert_eq (r->status, 201, "%s", r->body);
		cr_assert_eq (s->status, 201, "%s", s->body);
		cr_expect (flagged (json_node_get_object (session),
				    "contraindication:photosensitive-epilepsy"),
			   "%s", r->body);
		session = mvt_member (s, "session");
		cr_expect (json_array_get_length (json_object_get_array_member (
				   json_node_get_object (session), "safety_flags"))
				   == 0,
			   "%s", s->body);
	}
	{
		g_autofree gchar *body
			= vr_session_body ("f-3", "heart-tour", "10", ",\"safety_flags\":[]");
		g_autoptr (MvtResponse) r = plans_call ("POST", "/v1/me/vr/sessions", token, body);
		cr_expect_eq (r->status, 422, "%s", r->body);
	}
	list = g_strdup_printf ("/v1/patients/%s/vr/sessions", pid);
	{
		g_autoptr (MvtResponse) r = plans_call ("GET", list, a.clinician, NULL);
		JsonArray *sessions = vr_array (r, "vr-sessions");
		gboolean seen = FALSE;
		cr_assert_eq (r->status, 200, "%s", r->body);
		for (guint i = 0; i < json_array_get_length (sessions); i++) {
			JsonObject *o = json_array_get_object_element (sessions, i);
			if (g_str_equal (json_object_get_string_member (o, "client_id"), "f-1"))
				seen = flagged (o, "contraindication:photosensitive-epilepsy");
		}
		cr_expect (seen, "%s", r->body);
	}
}

/* Over D-Bus, a member of a type JSON cannot hold (an object path) is listed with the body's
 * other problems, not alone, and its Chinese message names it; nothing is written. */
Test (vr_record, dbus_lists_every_problem)
{
	g_autofree gchar *dir = g_build_filename (mvt_getenv ("MVT_ROOT"), "data", NULL);
	g_autoptr (GDBusConnection) conn = mvt_dbus_connect (mvt_shared_bus_address ());
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *token = NULL, *list = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (GVariant) reply = NULL;
	const gchar *const needles[] = {
		"/content_id (wrong-type): 成员 /content_id 的 D-Bus 类型为 o",
		"/started_at (required)",
		"/duration_min (",
		"/rating (",
	};
	GVariantBuilder b;

	mvt_clinic_make (mvt_shared_url (), dir, &a);
	pid = plans_patient (&a, "VRR-D1", "male", "zh-CN");
	token = plans_patient_token (&a, pid);
	g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add (&b, "{sv}", "client_id", g_variant_new_string ("d-9"));
	g_variant_builder_add (&b, "{sv}", "content_id", g_variant_new_object_path ("/x"));
	g_variant_builder_add (&b, "{sv}", "duration_min", g_variant_new_int64 (-5));
	g_variant_builder_add (&b, "{sv}", "completed", g_variant_new_boolean (TRUE));
	g_variant_builder_add (&b, "{sv}", "rating", g_variant_new_int64 (9));
	reply = g_dbus_connection_call_sync (
		conn, "org.medverse.Health1", "/org/medverse/Health1",
		"org.medverse.Health1.Patient", "PostVrSession",
		g_variant_new ("(ss@a{sv})", token, "zh-CN", g_variant_builder_end (&b)),
		G_VARIANT_TYPE ("(a{sv}b)"), G_DBUS_CALL_FLAGS_NONE, 30000, NULL, &error);
	cr_assert_null (reply);
	cr_assert_not_null (error);
	for (guint i = 0; i < G_N_ELEMENTS (needles); i++)
		cr_expect (strstr (error->message, needles[i]) != NULL, "%s: %s", needles[i],
			   error->message);
	list = g_strdup_printf ("/v1/patients/%s/vr/sessions", pid);
	{
		g_autoptr (MvtResponse) r = plans_call ("GET", list, a.clinician, NULL);
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_expect_eq (json_array_get_length (vr_array (r, "vr-sessions")), 0, "%s",
			      r->body);
	}
}
