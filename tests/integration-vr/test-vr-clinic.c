/* A clinic's own VR items (checked by the plugin's ValidateItem, every problem listed, nothing
 * written when refused; another clinic sees none of them) and a clinician's override (blocked
 * items never recommended, pinned ones first only when the safety filter allows them). */
#include <criterion/criterion.h>
#include <string.h>

#include "vr-test.h"

static gint64
items_of (PGconn *conn, const gchar *clinic)
{
	const gchar *values[] = { clinic };
	return mvt_db_count (conn, "SELECT count(*) FROM vr_items WHERE clinic_id = $1", 1, values);
}

Test (vr_clinic, items_are_the_clinics_own)
{
	g_autofree gchar *dir = g_build_filename (mvt_getenv ("MVT_ROOT"), "data", NULL);
	g_autoptr (PGconn) conn = mvt_db_connect (dir);
	g_auto (MvtClinic) a = { 0 };
	g_auto (MvtClinic) b = { 0 };
	g_autofree gchar *good = vr_fixture ("MVT_VR_GOOD_ITEM"),
			 *bad = vr_fixture ("MVT_VR_BAD_ITEM");
	g_autofree gchar *pa = NULL, *pb = NULL, *ta = NULL, *tb = NULL, *sa = NULL, *sb = NULL;

	mvt_clinic_make (mvt_shared_url (), dir, &a);
	mvt_clinic_make (mvt_shared_url (), dir, &b);
	{
		/* every problem at once, nothing written */
		g_autoptr (MvtResponse) r
			= plans_call ("POST", "/v1/vr/catalog/items", a.admin, bad);
		cr_assert_eq (r->status, 422, "%s", r->body);
		for (const gchar *const *p
		     = (const gchar *const[]){ "/id", "/regions/0", "/mets", "/max_age", NULL };
		     *p != NULL; p++)
			cr_expect (strstr (r->body, *p) != NULL, "no %s: %s", *p, r->body);
	}
	{
		g_autoptr (MvtResponse) r = plans_call ("POST", "/v1/vr/catalog/items", a.admin,
							"{\"id\":\"x\",\"mets\":[]}");
		cr_expect_eq (r->status, 422, "%s", r->body);
	}
	{
		/* a patient does not add items */
		pa = plans_patient (&a, "VRC-1", "female", "en");
		ta = plans_patient_token (&a, pa);
		g_autoptr (MvtResponse) r = plans_call ("POST", "/v1/vr/catalog/items", ta, good);
		cr_expect_eq (r->status, 403, "%s", r->body);
	}
	cr_expect_eq (items_of (conn, a.id), 0);
	{
		g_autoptr (MvtResponse) r
			= plans_call ("POST", "/v1/vr/catalog/items", a.clinician, good);
		g_autoptr (MvtResponse) again
			= plans_call ("POST", "/v1/vr/catalog/items", a.admin, good);
		cr_assert_eq (r->status, 201, "%s", r->body);
		cr_expect_str_eq (mvt_str (r, "id"), "clinic-arm-reach");
		mvt_assert_error (again, 409, "conflict");
	}
	cr_expect_eq (items_of (conn, a.id), 1);
	{
		g_autoptr (MvtResponse) ra
			= plans_call ("GET", "/v1/vr/catalog", a.clinician, NULL);
		g_autoptr (MvtResponse) rb
			= plans_call ("GET", "/v1/vr/catalog", b.clinician, NULL);
		cr_assert_eq (ra->status, 200, "%s", ra->body);
		cr_assert_eq (rb->status, 200, "%s", rb->body);
		cr_expect (vr_lists (vr_array (ra, "clinic_items"), "clinic-arm-reach", NULL), "%s",
			   ra->body);
		cr_expect_geq (json_array_get_length (vr_array (ra, "items")), 60);
		cr_expect_eq (json_array_get_length (vr_array (rb, "clinic_items")), 0, "%s",
			      rb->body);
	}
	pb = plans_patient (&b, "VRC-2", "female", "en");
	tb = plans_patient_token (&b, pb);
	sa = vr_session_body ("c-1", "clinic-arm-reach", "10", NULL);
	sb = vr_session_body ("c-1", "clinic-arm-reach", "10", NULL);
	{
		/* this clinic's patient plays it; the other clinic's has no such content */
		g_autoptr (MvtResponse) r = plans_call ("POST", "/v1/me/vr/sessions", ta, sa);
		g_autoptr (MvtResponse) other = plans_call ("POST", "/v1/me/vr/sessions", tb, sb);
		cr_expect_eq (r->status, 201, "%s", r->body);
		cr_expect_eq (other->status, 422, "%s", other->body);
		cr_expect (strstr (other->body, "unknown-content") != NULL, "%s", other->body);
	}
	{
		g_autoptr (MvtResponse) other = plans_call (
			"DELETE", "/v1/vr/catalog/items/clinic-arm-reach", b.admin, NULL);
		g_autoptr (MvtResponse) r = plans_call (
			"DELETE", "/v1/vr/catalog/items/clinic-arm-reach", a.admin, NULL);
		g_autoptr (MvtResponse) again = plans_call (
			"DELETE", "/v1/vr/catalog/items/clinic-arm-reach", a.admin, NULL);
		mvt_assert_error (other, 404, "not-found");
		cr_expect_eq (r->status, 204, "%s", r->body);
		mvt_assert_error (again, 404, "not-found");
	}
	cr_expect_eq (items_of (conn, a.id), 0);
}

Test (vr_clinic, overrides_block_and_pin_within_safety)
{
	g_autofree gchar *dir = g_build_filename (mvt_getenv ("MVT_ROOT"), "data", NULL);
	g_autoptr (PGconn) conn = mvt_db_connect (dir);
	g_auto (MvtClinic) a = { 0 };
	g_auto (MvtClinic) b = { 0 };
	g_autofree gchar *pid = NULL, *token = NULL, *path = NULL, *recs = NULL;
	g_autofree gchar *before = NULL, *after = NULL;

	mvt_clinic_make (mvt_shared_url (), dir, &a);
	mvt_clinic_make (mvt_shared_url (), dir, &b);
	pid = plans_patient (&a, "VRO-1", "male", "en");
	token = plans_patient_token (&a, pid);
	path = g_strdup_printf ("/v1/patients/%s/vr/overrides", pid);
	recs = g_strdup_printf ("/v1/patients/%s/vr/recommendations?include_excluded=true", pid);
	before = mvt_db_clinic_state (conn, a.id);
	{
		/* unknown ids, a contradiction, a wrong type: refused, nothing written */
		g_autoptr (MvtResponse) r = plans_call (
			"PUT", path, a.clinician,
			"{\"block\":[\"no-such\",\"heart-tour\"],\"pin\":[\"heart-tour\"]}");
		g_autoptr (MvtResponse) t
			= plans_call ("PUT", path, a.clinician, "{\"block\":\"heart-tour\"}");
		g_autoptr (MvtResponse) o = plans_call ("PUT", path, b.clinician,
							"{\"block\":[],\"pin\":[\"heart-tour\"]}");
		g_autoptr (MvtResponse) p
			= plans_call ("PUT", path, token, "{\"block\":[],\"pin\":[]}");
		cr_expect_eq (r->status, 422, "%s", r->body);
		cr_expect (strstr (r->body, "/pin/0") != NULL, "%s", r->body);
		cr_expect_eq (t->status, 422, "%s", t->body);
		cr_expect (strstr (t->body, "/pin") != NULL, "%s", t->body);
		mvt_assert_error (o, 404, "not-found");
		cr_expect_eq (p->status, 403, "%s", p->body);
	}
	after = mvt_db_clinic_state (conn, a.id);
	cr_expect_str_eq (before, after);
	{
		g_autoptr (MvtResponse) r
			= plans_call ("PUT", path, a.clinician,
				      "{\"block\":[\"breathing-beach\"],\"pin\":[\"heart-tour\","
				      "\"mountain-bike-trail\"],\"note\":\"prefers education\"}");
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_expect (strstr (r->body, "never overrides safety") != NULL, "%s", r->body);
	}
	{
		g_autoptr (MvtResponse) r = plans_call ("GET", recs, a.clinician, NULL);
		g_autoptr (MvtResponse) me
			= plans_call ("GET", "/v1/me/vr/recommendations", token, NULL);
		JsonArray *items;
		cr_assert_eq (r->status, 200, "%s", r->body);
		items = vr_array (r, "items");
		cr_assert_gt (json_array_get_length (items), 0);
		cr_expect_str_eq (json_object_get_string_member (
					  json_array_get_object_element (items, 0), "id"),
				  "heart-tour", "%s", r->body);
		cr_expect_leq (json_array_get_length (items), 10);
		cr_expect_not (vr_lists (items, "breathing-beach", NULL), "%s", r->body);
		cr_expect_not (vr_lists (items, "mountain-bike-trail", NULL), "%s", r->body);
		cr_expect (vr_lists (vr_array (r, "excluded"), "breathing-beach", NULL), "%s",
			   r->body);
		cr_expect (strstr (r->body, "blocked-by-clinician") != NULL, "%s", r->body);
		cr_expect (strstr (r->body, "pin-not-safe") != NULL, "%s", r->body);
		cr_assert_eq (me->status, 200, "%s", me->body);
		cr_expect_not (vr_lists (vr_array (me, "items"), "breathing-beach", NULL), "%s",
			       me->body);
	}
	{
		/* a second PUT is a new version of the one record (If-Match: the version read) */
		g_autoptr (MvtResponse) r
			= vr_call ("PUT", path, a.clinician, "{\"block\":[],\"pin\":[]}",
				   (const gchar *const[]){ "If-Match", "\"1\"", NULL });
		g_autoptr (MvtResponse) g = plans_call ("GET", path, a.clinician, NULL);
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_expect_eq (json_node_get_int (mvt_member (r, "version")), 2, "%s", r->body);
		cr_expect_null (mvt_member (g, "note"), "%s", g->body);
	}
}

/* the clinic's model: trained on its own sessions only, kept per clinic, patients only as
 * pseudonyms and outcomes sealed */
Test (vr_clinic, model_per_clinic)
{
	g_autofree gchar *dir = g_build_filename (mvt_getenv ("MVT_ROOT"), "data", NULL);
	g_autoptr (PGconn) conn = mvt_db_connect (dir);
	g_auto (MvtClinic) a = { 0 };
	g_auto (MvtClinic) b = { 0 };
	g_autofree gchar *p1 = NULL, *p2 = NULL, *t1 = NULL, *t2 = NULL, *pb = NULL, *tb = NULL;
	g_autofree gchar *table = NULL;
	const gchar *contents[] = { "heart-tour", "breathing-beach", "forest-bathing" };

	mvt_clinic_make (mvt_shared_url (), dir, &a);
	mvt_clinic_make (mvt_shared_url (), dir, &b);
	p1 = plans_patient (&a, "VRM-1", "female", "en");
	p2 = plans_patient (&a, "VRM-2", "male", "en");
	t1 = plans_patient_token (&a, p1);
	t2 = plans_patient_token (&a, p2);
	pb = plans_patient (&b, "VRM-3", "male", "en");
	tb = plans_patient_token (&b, pb);
	for (guint i = 0; i < G_N_ELEMENTS (contents); i++) {
		g_autofree gchar *id = g_strdup_printf ("m-%u", i);
		g_autofree gchar *s = vr_session_body (id, contents[i], "10", NULL);
		g_autoptr (MvtResponse) r1 = plans_call ("POST", "/v1/me/vr/sessions", t1, s);
		g_autoptr (MvtResponse) r2 = plans_call ("POST", "/v1/me/vr/sessions", t2, s);
		cr_assert_eq (r1->status, 201, "%s", r1->body);
		cr_assert_eq (r2->status, 201, "%s", r2->body);
	}
	{
		g_autoptr (MvtResponse) r
			= plans_call ("GET", "/v1/me/vr/recommendations", t1, NULL);
		g_autoptr (MvtResponse) other
			= plans_call ("GET", "/v1/me/vr/recommendations", tb, NULL);
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_expect_eq (json_node_get_int (mvt_member (r, "model_sessions")), 6, "%s",
			      r->body);
		cr_assert_eq (other->status, 200, "%s", other->body);
		cr_expect_eq (json_node_get_int (mvt_member (other, "model_sessions")), 0, "%s",
			      other->body);
	}
	{
		const gchar *va[] = { a.id }, *vb[] = { b.id };
		cr_expect_eq (mvt_db_count (conn,
					    "SELECT sessions FROM vr_models WHERE clinic_id = $1",
					    1, va),
			      6);
		cr_expect_eq (mvt_db_count (conn,
					    "SELECT count(*) FROM vr_models WHERE clinic_id = $1",
					    1, vb),
			      0);
		cr_expect_eq (mvt_db_count (conn,
					    "SELECT count(DISTINCT pseudonym) FROM vr_training "
					    "WHERE clinic_id = $1",
					    1, va),
			      2);
	}
	table = mvt_db_table_text (conn, "vr_training", "hex");
	cr_expect_not (mvt_text_shows (table, p1));
	cr_expect_not (mvt_text_shows (table, p2));
	cr_expect_not (mvt_text_shows (table, "breathing-beach"));
	{
		/* erasing a patient takes their training rows with them, the others' stay */
		const gchar *va[] = { a.id };
		/* forced by the operator: a new record is under retention for the clinic */
		g_autofree gchar *path = g_strdup_printf (
			"/v1/admin/tenants/%s/patients/%s?reason=patient-request&force=true", a.id,
			p1);
		g_autoptr (MvtResponse) del
			= mvt_http (mvt_shared_url (), "DELETE", path, NULL, NULL, 0);

		cr_assert_eq (del->status, 204, "%s", del->body);
		cr_expect_eq (mvt_db_count (conn,
					    "SELECT count(*) FROM vr_training WHERE clinic_id = $1",
					    1, va),
			      3);
		cr_expect_eq (mvt_db_count (conn,
					    "SELECT count(DISTINCT pseudonym) FROM vr_training "
					    "WHERE clinic_id = $1",
					    1, va),
			      1);
	}
}

static gpointer
recommend_thread (gpointer token)
{
	g_autoptr (MvtResponse) r = plans_call ("GET", "/v1/me/vr/recommendations", token, NULL);

	return GUINT_TO_POINTER (r->status);
}

/* several requests training the same clinic's model at once (as two daemons would): every one
 * answers, and the clinic keeps one whole model of all its sessions */
Test (vr_clinic, concurrent_training_keeps_one_model)
{
	g_autofree gchar *dir = g_build_filename (mvt_getenv ("MVT_ROOT"), "data", NULL);
	g_autoptr (PGconn) conn = mvt_db_connect (dir);
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *token = NULL;
	const gchar *contents[]
		= { "heart-tour", "breathing-beach", "forest-bathing", "snow-world" };
	GThread *threads[4];
	const gchar *va[] = { NULL };

	mvt_clinic_make (mvt_shared_url (), dir, &a);
	va[0] = a.id;
	pid = plans_patient (&a, "VRR-1", "female", "en");
	token = plans_patient_token (&a, pid);
	for (guint i = 0; i < G_N_ELEMENTS (contents); i++) {
		g_autofree gchar *id = g_strdup_printf ("r-%u", i);
		g_autofree gchar *s = vr_session_body (id, contents[i], "10", NULL);
		g_autoptr (MvtResponse) r = plans_call ("POST", "/v1/me/vr/sessions", token, s);
		cr_assert_eq (r->status, 201, "%s", r->body);
	}
	for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
		threads[i] = g_thread_new ("recommend", recommend_thread, token);
	for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
		cr_expect_eq (GPOINTER_TO_UINT (g_thread_join (threads[i])), 200);
	cr_expect_eq (
		mvt_db_count (conn, "SELECT count(*) FROM vr_models WHERE clinic_id = $1", 1, va),
		1);
	cr_expect_eq (
		mvt_db_count (conn, "SELECT sessions FROM vr_models WHERE clinic_id = $1", 1, va),
		4);
}
