/* The VR routes' contract, as a docs-only trial found it wanting (docs/vr.md; issue 14): the
 * points a session earns, the retry rule, every problem at once, problems in the body's own
 * pointers, ?limit=, a deleted clinic item in an override, the override's versions (ETag,
 * If-Match), the patient's own session list (HTTP and D-Bus) and the answers' language. */
#include <criterion/criterion.h>
#include <string.h>

#include "vr-test.h"

static gint64
progress_points (MvtResponse *r)
{
	JsonNode *progress = mvt_member (r, "progress");

	cr_assert (progress != NULL && JSON_NODE_HOLDS_OBJECT (progress), "no progress: %s",
		   r->body);
	return json_object_get_int_member (json_node_get_object (progress), "points");
}

static gboolean
has_problem (MvtResponse *r, const gchar *pointer, const gchar *code)
{
	g_autofree gchar *needle = g_strdup_printf ("\"field\":\"%s\"", pointer);
	const gchar *at = strstr (r->body, needle);

	return r->status == 422 && at != NULL && (code == NULL || strstr (r->body, code) != NULL);
}

/* a session abandoned with moderate or severe cybersickness earns nothing (stored, and it
 * lowers the tolerance); one abandoned with mild earns its points; a 0-minute one answers
 * `awarded` (empty) and `progress` like any other */
Test (vr_contract, points_follow_the_session)
{
	g_autofree gchar *dir = g_build_filename (mvt_getenv ("MVT_ROOT"), "data", NULL);
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *token = NULL, *sessions = NULL, *recs = NULL;
	struct {
		const gchar *id, *minutes, *sickness;
		gboolean completed;
		gint64 points_after;
	} cases[] = {
		{ "p-1", "10", "severe", FALSE, 0 },   /* abandoned, severe: nothing */
		{ "p-2", "10", "moderate", FALSE, 0 }, /* abandoned, moderate: nothing */
		{ "p-3", "10", "mild", FALSE, 15 },    /* abandoned, mild: its points */
		{ "p-4", "0", "none", TRUE, 15 },      /* put on, taken off: nothing */
	};

	mvt_clinic_make (mvt_shared_url (), dir, &a);
	pid = plans_patient (&a, "VRP-1", "female", "en");
	token = plans_patient_token (&a, pid);
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autofree gchar *extra
			= g_strdup_printf (",\"cybersickness\":\"%s\"", cases[i].sickness);
		g_autofree gchar *body = vr_session_body_full (
			cases[i].id, "heart-tour", cases[i].minutes, cases[i].completed, extra);
		g_autoptr (MvtResponse) r = plans_call ("POST", "/v1/me/vr/sessions", token, body);
		gboolean earns = g_str_equal (cases[i].id, "p-3");

		cr_assert_eq (r->status, 201, "%s: %s", cases[i].id, r->body);
		cr_expect_eq (json_array_get_length (vr_array (r, "awarded")), earns ? 1 : 0,
			      "%s: %s", cases[i].id, r->body);
		cr_expect_eq (progress_points (r), cases[i].points_after, "%s: %s", cases[i].id,
			      r->body);
	}
	sessions = g_strdup_printf ("/v1/patients/%s/vr/sessions", pid);
	recs = g_strdup_printf ("/v1/patients/%s/vr/recommendations", pid);
	{
		/* every one stored; the severe one lowered the tolerance */
		g_autoptr (MvtResponse) l = plans_call ("GET", sessions, a.clinician, NULL);
		g_autoptr (MvtResponse) r = plans_call ("GET", recs, a.clinician, NULL);
		cr_assert_eq (l->status, 200, "%s", l->body);
		cr_expect_eq (json_array_get_length (vr_array (l, "vr-sessions")), 4, "%s",
			      l->body);
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_expect_str_neq (mvt_str (r, "comfort_tolerance"), "moderate", "%s", r->body);
	}
}

/* a retry with the same members answers the stored session, even once its clinic item is
 * deleted; the same client_id with other members is 409 */
Test (vr_contract, retry_comes_first)
{
	g_autofree gchar *dir = g_build_filename (mvt_getenv ("MVT_ROOT"), "data", NULL);
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *good = vr_fixture ("MVT_VR_GOOD_ITEM");
	g_autofree gchar *pid = NULL, *token = NULL, *at = plans_hours_ago (3);
	g_autofree gchar *body = NULL, *longer = NULL, *abandoned = NULL, *first_id = NULL;
#define SESSION                                                                                    \
	"{\"client_id\":\"r-1\",\"content_id\":\"clinic-arm-reach\",\"started_at\":\"%s\","        \
	"\"duration_min\":%d,\"completed\":%s}"

	mvt_clinic_make (mvt_shared_url (), dir, &a);
	pid = plans_patient (&a, "VRR-2", "male", "en");
	token = plans_patient_token (&a, pid);
	body = g_strdup_printf (SESSION, at, 12, "true");
	longer = g_strdup_printf (SESSION, at, 20, "true");
	abandoned = g_strdup_printf (SESSION, at, 12, "false");
#undef SESSION
	{
		g_autoptr (MvtResponse) item
			= plans_call ("POST", "/v1/vr/catalog/items", a.admin, good);
		g_autoptr (MvtResponse) r = plans_call ("POST", "/v1/me/vr/sessions", token, body);
		cr_assert_eq (item->status, 201, "%s", item->body);
		cr_assert_eq (r->status, 201, "%s", r->body);
		first_id = g_strdup (json_object_get_string_member (
			json_node_get_object (mvt_member (r, "session")), "id"));
	}
	{
		g_autoptr (MvtResponse) del = plans_call (
			"DELETE", "/v1/vr/catalog/items/clinic-arm-reach", a.admin, NULL);
		g_autoptr (MvtResponse) r = plans_call ("POST", "/v1/me/vr/sessions", token, body);
		cr_assert_eq (del->status, 204, "%s", del->body);
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_expect_str_eq (json_object_get_string_member (
					  json_node_get_object (mvt_member (r, "session")), "id"),
				  first_id, "%s", r->body);
		cr_expect_eq (json_array_get_length (vr_array (r, "awarded")), 0, "%s", r->body);
		cr_expect_eq (progress_points (r), 15, "%s", r->body);
	}
	{
		g_autoptr (MvtResponse) r
			= plans_call ("POST", "/v1/me/vr/sessions", token, longer);
		g_autoptr (MvtResponse) s
			= plans_call ("POST", "/v1/me/vr/sessions", token, abandoned);
		mvt_assert_error (r, 409, "conflict");
		mvt_assert_error (s, 409, "conflict");
	}
}

/* one 422 lists every problem: the rows', the age's and the catalog's, an override's
 * unknown ids with its wrong types; a clinic item's problems at the body's own pointers */
Test (vr_contract, every_problem_at_once)
{
	g_autofree gchar *dir = g_build_filename (mvt_getenv ("MVT_ROOT"), "data", NULL);
	g_autoptr (PGconn) conn = mvt_db_connect (dir);
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *token = NULL, *path = NULL, *before = NULL, *after = NULL;
	g_autofree gchar *old = plans_hours_ago (24 * 8);
	g_autofree gchar *body = g_strdup_printf (
		"{\"client_id\":\"e-1\",\"content_id\":\"no-such-content\",\"started_at\":\"%s\","
		"\"duration_min\":10,\"completed\":true,\"rating\":9}",
		old);
	g_autofree gchar *item = vr_fixture ("MVT_VR_GOOD_ITEM");
	g_autoptr (JsonNode) node = json_from_string (item, NULL);
	g_autofree gchar *no_zh = NULL;

	mvt_clinic_make (mvt_shared_url (), dir, &a);
	pid = plans_patient (&a, "VRE-1", "female", "en");
	token = plans_patient_token (&a, pid);
	path = g_strdup_printf ("/v1/patients/%s/vr/overrides", pid);
	json_object_remove_member (
		json_object_get_object_member (json_node_get_object (node), "title"), "zh");
	no_zh = json_to_string (node, FALSE);
	before = mvt_db_clinic_state (conn, a.id);
	{
		g_autoptr (MvtResponse) r = plans_call ("POST", "/v1/me/vr/sessions", token, body);
		cr_expect (has_problem (r, "/content_id", "unknown-content"), "%s", r->body);
		cr_expect (has_problem (r, "/started_at", "too-early"), "%s", r->body);
		cr_expect (has_problem (r, "/rating", NULL), "%s", r->body);
	}
	{
		g_autoptr (MvtResponse) r
			= plans_call ("PUT", path, a.clinician,
				      "{\"block\":[\"no-such\"],\"pin\":\"heart-tour\"}");
		cr_expect (has_problem (r, "/block/0", "unknown-content"), "%s", r->body);
		cr_expect (has_problem (r, "/pin", NULL), "%s", r->body);
	}
	{
		g_autoptr (MvtResponse) r
			= plans_call ("POST", "/v1/vr/catalog/items", a.admin, no_zh);
		cr_expect (has_problem (r, "/title/zh", NULL), "%s", r->body);
		cr_expect (strstr (r->body, "\"/item") == NULL, "%s", r->body);
	}
	after = mvt_db_clinic_state (conn, a.id);
	cr_expect_str_eq (before, after);
	cr_expect_eq (mvt_db_count (conn, "SELECT count(*) FROM vr_items WHERE clinic_id = $1", 1,
				    (const gchar *[]){ a.id }),
		      0);
}

Test (vr_contract, limit_is_honoured)
{
	g_autofree gchar *dir = g_build_filename (mvt_getenv ("MVT_ROOT"), "data", NULL);
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *token = NULL;

	mvt_clinic_make (mvt_shared_url (), dir, &a);
	pid = plans_patient (&a, "VRL-1", "female", "en");
	token = plans_patient_token (&a, pid);
	{
		g_autoptr (MvtResponse) r
			= plans_call ("GET", "/v1/me/vr/recommendations?limit=3", token, NULL);
		g_autoptr (MvtResponse) all
			= plans_call ("GET", "/v1/me/vr/recommendations?limit=50", token, NULL);
		g_autoptr (MvtResponse) plain
			= plans_call ("GET", "/v1/me/vr/recommendations", token, NULL);
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_expect_eq (json_array_get_length (vr_array (r, "items")), 3, "%s", r->body);
		cr_assert_eq (all->status, 200, "%s", all->body);
		cr_expect_gt (json_array_get_length (vr_array (all, "items")), 10, "%s", all->body);
		cr_assert_eq (plain->status, 200, "%s", plain->body);
		cr_expect_eq (json_array_get_length (vr_array (plain, "items")), 10, "%s",
			      plain->body);
	}
	for (const gchar *const *v = (const gchar *const[]){ "0", "51", "ten", "-1", "", NULL };
	     *v != NULL; v++) {
		g_autofree gchar *p = g_strdup_printf ("/v1/me/vr/recommendations?limit=%s", *v);
		g_autoptr (MvtResponse) r = plans_call ("GET", p, token, NULL);
		cr_expect (has_problem (r, "/limit", NULL), "limit=%s: %s", *v, r->body);
	}
}

/* a clinic item deleted after a clinician pinned it: the identical PUT is accepted (the id
 * kept, a note says it is gone), a new unknown id is not */
Test (vr_contract, deleted_item_in_an_override)
{
	g_autofree gchar *dir = g_build_filename (mvt_getenv ("MVT_ROOT"), "data", NULL);
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *good = vr_fixture ("MVT_VR_GOOD_ITEM");
	g_autofree gchar *pid = NULL, *path = NULL, *recs = NULL;
	const gchar *put = "{\"block\":[],\"pin\":[\"clinic-arm-reach\",\"heart-tour\"]}";

	mvt_clinic_make (mvt_shared_url (), dir, &a);
	pid = plans_patient (&a, "VRD-1", "male", "en");
	path = g_strdup_printf ("/v1/patients/%s/vr/overrides", pid);
	recs = g_strdup_printf ("/v1/patients/%s/vr/recommendations", pid);
	{
		g_autoptr (MvtResponse) item
			= plans_call ("POST", "/v1/vr/catalog/items", a.admin, good);
		g_autoptr (MvtResponse) r = plans_call ("PUT", path, a.clinician, put);
		g_autoptr (MvtResponse) del = plans_call (
			"DELETE", "/v1/vr/catalog/items/clinic-arm-reach", a.admin, NULL);
		cr_assert_eq (item->status, 201, "%s", item->body);
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_assert_eq (del->status, 204, "%s", del->body);
	}
	{
		g_autoptr (MvtResponse) r
			= vr_call ("PUT", path, a.clinician, put,
				   (const gchar *const[]){ "If-Match", "\"1\"", NULL });
		g_autoptr (MvtResponse) g = plans_call ("GET", recs, a.clinician, NULL);
		/* the same content: no new version */
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_expect_str_eq (r->etag, "\"1\"");
		cr_expect (vr_lists (vr_array (r, "notes"), "clinic-arm-reach", NULL), "%s",
			   r->body);
		cr_expect (strstr (r->body, "not-in-catalog") != NULL, "%s", r->body);
		cr_assert_eq (g->status, 200, "%s", g->body);
		cr_expect_not (vr_lists (vr_array (g, "items"), "clinic-arm-reach", NULL), "%s",
			       g->body);
	}
	{
		g_autoptr (MvtResponse) r
			= vr_call ("PUT", path, a.clinician,
				   "{\"block\":[\"other-gone\"],\"pin\":[\"clinic-arm-reach\"]}",
				   (const gchar *const[]){ "If-Match", "\"1\"", NULL });
		cr_expect (has_problem (r, "/block/0", "unknown-content"), "%s", r->body);
	}
}

/* the override's version: an ETag on every answer, If-Match required to change a stored one
 * (428 without, 412 stale), optional on DELETE */
Test (vr_contract, override_versions)
{
	g_autofree gchar *dir = g_build_filename (mvt_getenv ("MVT_ROOT"), "data", NULL);
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *path = NULL;
	const gchar *put = "{\"block\":[\"snow-world\"],\"pin\":[]}";
	const gchar *const match1[] = { "If-Match", "\"1\"", NULL };
	const gchar *const match2[] = { "If-Match", "\"2\"", NULL };
	const gchar *const match9[] = { "If-Match", "\"9\"", NULL };

	mvt_clinic_make (mvt_shared_url (), dir, &a);
	pid = plans_patient (&a, "VRV-1", "female", "en");
	path = g_strdup_printf ("/v1/patients/%s/vr/overrides", pid);
	{
		/* none yet: an If-Match names a version that does not exist */
		g_autoptr (MvtResponse) stale = vr_call ("PUT", path, a.clinician, put, match1);
		g_autoptr (MvtResponse) r = plans_call ("PUT", path, a.clinician, put);
		g_autoptr (MvtResponse) g = plans_call ("GET", path, a.clinician, NULL);
		mvt_assert_error (stale, 412, "precondition-failed");
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_expect_str_eq (r->etag, "\"1\"");
		cr_assert_eq (g->status, 200, "%s", g->body);
		cr_expect_str_eq (g->etag, "\"1\"");
	}
	{
		g_autoptr (MvtResponse) none = plans_call ("PUT", path, a.clinician, put);
		g_autoptr (MvtResponse) stale = vr_call ("PUT", path, a.clinician, put, match9);
		g_autoptr (MvtResponse) r
			= vr_call ("PUT", path, a.clinician, "{\"block\":[],\"pin\":[]}", match1);
		mvt_assert_error (none, 428, "precondition-required");
		mvt_assert_error (stale, 412, "precondition-failed");
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_expect_str_eq (r->etag, "\"2\"");
	}
	{
		g_autoptr (MvtResponse) stale = vr_call ("DELETE", path, a.clinician, NULL, match1);
		g_autoptr (MvtResponse) r = vr_call ("DELETE", path, a.clinician, NULL, match2);
		g_autoptr (MvtResponse) g = plans_call ("GET", path, a.clinician, NULL);
		g_autoptr (MvtResponse) again = plans_call ("DELETE", path, a.clinician, NULL);
		g_autoptr (MvtResponse) fresh = plans_call ("PUT", path, a.clinician, put);
		mvt_assert_error (stale, 412, "precondition-failed");
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_expect_str_eq (mvt_str (r, "record_status"), "entered-in-error", "%s", r->body);
		cr_assert_eq (g->status, 200, "%s", g->body);
		cr_expect_null (mvt_member (g, "id"), "%s", g->body);
		mvt_assert_error (again, 404, "not-found");
		/* a new override: a new record, version 1 */
		cr_assert_eq (fresh->status, 200, "%s", fresh->body);
		cr_expect_str_eq (fresh->etag, "\"1\"");
	}
}

/* the patient's own sessions, paged like every list, over HTTP and D-Bus */
Test (vr_contract, my_sessions)
{
	g_autofree gchar *dir = g_build_filename (mvt_getenv ("MVT_ROOT"), "data", NULL);
	g_autoptr (GDBusConnection) bus = mvt_dbus_connect (mvt_shared_bus_address ());
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *token = NULL, *next = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (GVariant) reply = NULL;
	g_autoptr (GVariant) page = NULL;
	g_autoptr (GVariant) list = NULL;
	const gchar *cursor = NULL;

	mvt_clinic_make (mvt_shared_url (), dir, &a);
	pid = plans_patient (&a, "VRS-1", "female", "en");
	token = plans_patient_token (&a, pid);
	for (guint i = 0; i < 3; i++) {
		g_autofree gchar *id = g_strdup_printf ("m-%u", i);
		g_autofree gchar *s = vr_session_body (id, "heart-tour", "10", NULL);
		g_autoptr (MvtResponse) r = plans_call ("POST", "/v1/me/vr/sessions", token, s);
		cr_assert_eq (r->status, 201, "%s", r->body);
	}
	{
		g_autoptr (MvtResponse) r
			= plans_call ("GET", "/v1/me/vr/sessions?limit=2", token, NULL);
		g_autoptr (MvtResponse) staff
			= plans_call ("GET", "/v1/me/vr/sessions", a.clinician, NULL);
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_expect_eq (json_array_get_length (vr_array (r, "vr-sessions")), 2, "%s",
			      r->body);
		next = g_strdup (mvt_str (r, "next_cursor"));
		cr_assert_not_null (next, "%s", r->body);
		cr_expect_eq (staff->status, 403, "%s", staff->body);
	}
	{
		g_autofree gchar *p = g_strdup_printf ("/v1/me/vr/sessions?cursor=%s", next);
		g_autoptr (MvtResponse) r = plans_call ("GET", p, token, NULL);
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_expect_eq (json_array_get_length (vr_array (r, "vr-sessions")), 1, "%s",
			      r->body);
	}
	reply = g_dbus_connection_call_sync (bus, "org.medverse.Health1", "/org/medverse/Health1",
					     "org.medverse.Health1.Patient", "GetVrSessions",
					     g_variant_new ("(sssu)", token, "en", "", 2),
					     G_VARIANT_TYPE ("(a{sv})"), G_DBUS_CALL_FLAGS_NONE,
					     30000, NULL, &error);
	cr_assert_not_null (reply, "%s", error->message);
	page = g_variant_get_child_value (reply, 0);
	list = g_variant_lookup_value (page, "vr-sessions", NULL);
	cr_assert_not_null (list);
	cr_expect_eq (g_variant_n_children (list), 2);
	cr_assert (g_variant_lookup (page, "next_cursor", "&s", &cursor));
	{
		g_autoptr (GVariant) second = g_dbus_connection_call_sync (
			bus, "org.medverse.Health1", "/org/medverse/Health1",
			"org.medverse.Health1.Patient", "GetVrSessions",
			g_variant_new ("(sssu)", token, "en", cursor, 0),
			G_VARIANT_TYPE ("(a{sv})"), G_DBUS_CALL_FLAGS_NONE, 30000, NULL, &error);
		g_autoptr (GVariant) p2 = NULL;
		g_autoptr (GVariant) l2 = NULL;
		cr_assert_not_null (second, "%s", error->message);
		p2 = g_variant_get_child_value (second, 0);
		l2 = g_variant_lookup_value (p2, "vr-sessions", NULL);
		cr_assert_not_null (l2);
		cr_expect_eq (g_variant_n_children (l2), 1);
	}
}

static gboolean
is_ascii (const gchar *text)
{
	for (const gchar *p = text; p != NULL && *p != '\0'; p++)
		if ((guchar)*p >= 0x80)
			return FALSE;
	return text != NULL;
}

/* the first item's title of @r */
static const gchar *
first_title (MvtResponse *r)
{
	JsonArray *items = vr_array (r, "items");

	cr_assert_gt (json_array_get_length (items), 0, "%s", r->body);
	return json_object_get_string_member (json_array_get_object_element (items, 0), "title");
}

/* Accept-Language as on every route: a clinician reads the titles in their language (the
 * ranking keeps the patient's), Traditional Chinese is not taken for Simplified, the answer
 * names its language; the patient's own app reads them in the patient's language (the
 * profile's, as plans) */
Test (vr_contract, languages)
{
	g_autofree gchar *dir = g_build_filename (mvt_getenv ("MVT_ROOT"), "data", NULL);
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *en = NULL, *zh = NULL, *ten = NULL, *tzh = NULL, *recs = NULL;
	struct {
		const gchar *accept, *tag;
		gboolean chinese;
	} cases[] = {
		{ "zh-CN", "zh-Hans", TRUE },
		{ "zh-TW", "en", FALSE },
		{ "zh-TW, zh;q=0.8", "zh-Hans", TRUE },
		{ "en-GB", "en", FALSE },
	};

	mvt_clinic_make (mvt_shared_url (), dir, &a);
	en = plans_patient (&a, "VRG-1", "female", "en");
	zh = plans_patient (&a, "VRG-2", "female", "zh-CN");
	ten = plans_patient_token (&a, en);
	tzh = plans_patient_token (&a, zh);
	recs = g_strdup_printf ("/v1/patients/%s/vr/recommendations", en);
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		const gchar *const headers[] = { "Accept-Language", cases[i].accept, NULL };
		g_autoptr (MvtResponse) r = vr_call ("GET", recs, a.clinician, NULL, headers);
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_expect_str_eq (mvt_response_header (r, "Content-Language"), cases[i].tag, "%s",
				  cases[i].accept);
		cr_expect_eq (!is_ascii (first_title (r)), cases[i].chinese, "%s: %s",
			      cases[i].accept, first_title (r));
	}
	{
		const gchar *const headers[] = { "Accept-Language", "zh-CN", NULL };
		g_autoptr (MvtResponse) mine
			= vr_call ("GET", "/v1/me/vr/recommendations", ten, NULL, headers);
		g_autoptr (MvtResponse) theirs
			= vr_call ("GET", "/v1/me/vr/recommendations", tzh, NULL, NULL);
		g_autoptr (MvtResponse) catalog
			= vr_call ("GET", "/v1/vr/catalog?language=zh", ten, NULL, NULL);
		cr_assert_eq (mine->status, 200, "%s", mine->body);
		cr_expect_str_eq (mvt_response_header (mine, "Content-Language"), "en");
		cr_expect (is_ascii (first_title (mine)), "%s", mine->body);
		cr_assert_eq (theirs->status, 200, "%s", theirs->body);
		cr_expect_str_eq (mvt_response_header (theirs, "Content-Language"), "zh-Hans");
		cr_expect_not (is_ascii (first_title (theirs)), "%s", theirs->body);
		cr_assert_eq (catalog->status, 200, "%s", catalog->body);
		cr_expect_str_eq (mvt_response_header (catalog, "Content-Language"), "zh-Hans");
	}
}
