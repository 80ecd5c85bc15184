/* GET /v1/patients (the list: keyset pages, the cursor, the next link, updated_since) and the
 * erasure rules of DELETE /v1/patients/{id} (a clinic admin's, with a reason code, refused and
 * audited inside the retention period, forced by the operator) against the real daemon and its
 * embedded PostgreSQL.  The daemon keeps the default retention period of 15 years; "after the
 * period" is a patient whose last change the test moves into the past with direct SQL. */
#include <criterion/criterion.h>
#include <string.h>

#include "mvt.h"
#include "pt-client.h"

#define N_PATIENTS 1000

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

static gchar *
create_patient (const PtClinic *c, guint i)
{
	g_autofree gchar *body
		= g_strdup_printf ("{\"mrn\":\"L-%05u\",\"name\":{\"given\":\"p%u\"}}", i, i);
	g_autoptr (PtResponse) r
		= pt_request (url (), "POST", "/v1/patients", c->clinician, NULL, NULL, body);
	cr_assert_eq (r->status, 201, "%s", r->body);
	return g_strdup (pt_str (r, "id"));
}

/* one clinic's patient rows and audit size: nothing may change on refused input */
static gchar *
db_state (PGconn *conn, const gchar *clinic)
{
	const gchar *v[] = { clinic };
	g_autofree gchar *patients = pt_db_value (
		conn,
		"SELECT count(*) || ':' || coalesce(md5(string_agg(p::text, ',' ORDER BY "
		"patient_id)), '') FROM patients p WHERE clinic_id = $1",
		1, v);
	g_autofree gchar *audit = pt_db_value (
		conn, "SELECT count(*) FROM audit_entries WHERE clinic_id = $1::text", 1, v);

	return g_strdup_printf ("%s/%s", patients, audit);
}

static JsonArray *
items_of (PtResponse *r)
{
	cr_assert_eq (r->status, 200, "%s", r->body);
	return json_object_get_array_member (json_node_get_object (r->json), "patients");
}

/* the next link of a page, or NULL; asserts the member is there (a string or null) */
static gchar *
next_of (PtResponse *r)
{
	JsonObject *o = json_node_get_object (r->json);
	cr_assert (json_object_has_member (o, "next"), "no next in %.200s", r->body);
	return g_strdup (json_object_get_string_member_with_default (o, "next", NULL));
}

/* Follows the next links from @first to the end, calling @between after page @at; adds every id
 * seen to @seen (asserting none comes twice) and returns the number of pages. */
static guint
walk (const gchar *token,
      const gchar *first,
      GHashTable *seen,
      guint at,
      void (*between) (gpointer),
      gpointer data)
{
	g_autofree gchar *path = g_strdup (first);
	guint pages = 0;

	while (path != NULL) {
		g_autoptr (PtResponse) r
			= pt_request (url (), "GET", path, token, NULL, NULL, NULL);
		JsonArray *items = items_of (r);
		g_autofree gchar *next = next_of (r);

		for (guint i = 0; i < json_array_get_length (items); i++) {
			JsonObject *item = json_array_get_object_element (items, i);
			const gchar *id = json_object_get_string_member (item, "id");
			cr_assert (g_hash_table_add (seen, g_strdup (id)), "%s came twice", id);
			cr_assert (json_object_get_int_member (item, "version") >= 1);
			cr_assert (g_str_has_suffix (
				json_object_get_string_member (item, "created_at"), "Z"));
			cr_assert (g_str_has_suffix (
				json_object_get_string_member (item, "updated_at"), "Z"));
			cr_assert_not (json_object_has_member (item, "profile"));
		}
		if (next != NULL)
			cr_assert (g_str_has_prefix (next, "/v1/patients?"), "%s", next);
		pages++;
		if (pages == at && between != NULL)
			between (data);
		g_free (path);
		path = g_steal_pointer (&next);
	}
	return pages;
}

typedef struct {
	PtClinic *clinic;
	PGconn *conn;
	GPtrArray *ids;
	GPtrArray *added;
} Churn;

/* between two pages: new patients, a change of one already seen and of one not yet seen, and an
 * erasure of one not yet seen (its period moved into the past first) */
static void
churn (gpointer data)
{
	Churn *c = data;
	g_autofree gchar *erase = g_strdup_printf ("/v1/patients/%s?reason=duplicate-registration",
						   (gchar *)c->ids->pdata[900]);
	const gchar *v[] = { c->clinic->id, c->ids->pdata[900] };

	for (guint i = 0; i < 5; i++)
		g_ptr_array_add (c->added, create_patient (c->clinic, 5000 + i));
	for (guint k = 0; k < 2; k++) {
		g_autofree gchar *path = g_strdup_printf (
			"/v1/patients/%s", (gchar *)c->ids->pdata[k == 0 ? 10 : 700]);
		g_autoptr (PtResponse) r = pt_request (url (), "PATCH", path, c->clinic->clinician,
						       "\"1\"", NULL, "{\"notes\":\"moved\"}");
		cr_assert_eq (r->status, 200, "%s", r->body);
	}
	g_free (pt_db_value (c->conn,
			     "UPDATE patients SET updated_at = now() - interval '20 years' WHERE "
			     "clinic_id = $1 AND patient_id = $2",
			     2, v));
	{
		g_autoptr (PtResponse) r
			= pt_request (url (), "DELETE", erase, c->clinic->admin, NULL, NULL, NULL);
		cr_assert_eq (r->status, 204, "%s", r->body);
	}
}

Test (list, pages_through_1000_patients_each_exactly_once, .timeout = 600)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (PtClinic) a = { 0 };
	g_auto (PtClinic) b = { 0 };
	g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
	g_autoptr (GPtrArray) added = g_ptr_array_new_with_free_func (g_free);
	g_autoptr (GPtrArray) b_ids = g_ptr_array_new_with_free_func (g_free);
	PGconn *conn = pt_db_connect (dir);

	pt_clinic_make (url (), dir, &a);
	pt_clinic_make (url (), dir, &b);
	for (guint i = 0; i < N_PATIENTS; i++)
		g_ptr_array_add (ids, create_patient (&a, i));
	for (guint i = 0; i < 3; i++)
		g_ptr_array_add (b_ids, create_patient (&b, i));
	{
		/* limit 100: ten pages, the last with next null; every patient once */
		g_autoptr (GHashTable) seen
			= g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
		guint pages = walk (a.clinician, "/v1/patients?limit=100", seen, 0, NULL, NULL);
		cr_assert_eq (pages, 10);
		cr_assert_eq (g_hash_table_size (seen), N_PATIENTS);
		for (guint i = 0; i < ids->len; i++)
			cr_assert (g_hash_table_contains (seen, ids->pdata[i]));
		for (guint i = 0; i < b_ids->len; i++)
			cr_assert_not (g_hash_table_contains (seen, b_ids->pdata[i]));
	}
	{
		/* the default page is 50; the largest 1000 holds them all, with no next */
		g_autoptr (PtResponse) def
			= pt_request (url (), "GET", "/v1/patients", a.clinician, NULL, NULL, NULL);
		g_autoptr (PtResponse) max = pt_request (url (), "GET", "/v1/patients?limit=1000",
							 a.clinician, NULL, NULL, NULL);
		g_autofree gchar *def_next = NULL;
		g_autofree gchar *max_next = NULL;
		JsonArray *first = items_of (def);
		cr_assert_eq (json_array_get_length (first), 50);
		cr_assert_str_eq (json_object_get_string_member (
					  json_array_get_object_element (first, 0), "id"),
				  ids->pdata[0]);
		def_next = next_of (def);
		cr_assert (g_str_has_prefix (def_next, "/v1/patients?limit=50&cursor="), "%s",
			   def_next);
		cr_assert_eq (json_array_get_length (items_of (max)), N_PATIENTS);
		max_next = next_of (max);
		cr_assert_null (max_next);
	}
	{
		/* clinic B sees its own three and none of A's */
		g_autoptr (GHashTable) seen
			= g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
		walk (b.clinician, "/v1/patients?limit=2", seen, 0, NULL, NULL);
		cr_assert_eq (g_hash_table_size (seen), 3);
		for (guint i = 0; i < b_ids->len; i++)
			cr_assert (g_hash_table_contains (seen, b_ids->pdata[i]));
	}
	{
		/* inserts, updates and an erasure between two pages: every patient that existed
		 * when the walk began and still does comes once; the new ones come after them */
		Churn c = { &a, conn, ids, added };
		g_autoptr (GHashTable) seen
			= g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
		walk (a.clinician, "/v1/patients?limit=100", seen, 3, churn, &c);
		for (guint i = 0; i < ids->len; i++) {
			if (i != 900)
				cr_assert (g_hash_table_contains (seen, ids->pdata[i]),
					   "patient %u was skipped", i);
		}
		cr_assert_not (g_hash_table_contains (seen, ids->pdata[900]));
		for (guint i = 0; i < added->len; i++)
			cr_assert (g_hash_table_contains (seen, added->pdata[i]));
		cr_assert_eq (g_hash_table_size (seen), N_PATIENTS - 1 + added->len);
	}
	PQfinish (conn);
}

Test (list, updated_since_and_its_next_link)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (PtClinic) a = { 0 };
	g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
	PGconn *conn = pt_db_connect (dir);
	g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	const gchar *v[] = { NULL };

	pt_clinic_make (url (), dir, &a);
	for (guint i = 0; i < 7; i++)
		g_ptr_array_add (ids, create_patient (&a, i));
	v[0] = a.id;
	/* four of them last changed in 2020 */
	g_free (pt_db_value (conn,
			     "UPDATE patients SET updated_at = '2020-03-01T00:00:00Z' WHERE "
			     "clinic_id = $1 AND patient_id IN (SELECT patient_id FROM patients "
			     "WHERE clinic_id = $1 ORDER BY created_at LIMIT 4)",
			     1, v));
	/* an offset other than Z, its '+' percent-encoded, and the next link keeps the filter */
	walk (a.clinician, "/v1/patients?limit=2&updated_since=2021-01-01T08:00:00%2B08:00", seen,
	      0, NULL, NULL);
	cr_assert_eq (g_hash_table_size (seen), 3);
	for (guint i = 4; i < 7; i++)
		cr_assert (g_hash_table_contains (seen, ids->pdata[i]));
	{
		g_autoptr (PtResponse) r = pt_request (
			url (), "GET", "/v1/patients?limit=2&updated_since=2021-01-01T00:00:00Z",
			a.clinician, NULL, NULL, NULL);
		g_autofree gchar *next = next_of (r);
		cr_assert (strstr (next, "&updated_since=2021-01-01T00%3A00%3A00Z") != NULL, "%s",
			   next);
	}
	PQfinish (conn);
}

Test (list, bad_parameters_and_cursors_are_refused_and_write_nothing)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (PtClinic) a = { 0 };
	g_auto (PtClinic) b = { 0 };
	PGconn *conn = pt_db_connect (dir);
	g_autofree gchar *before = NULL;
	g_autofree gchar *after = NULL;
	g_autofree gchar *next = NULL;
	g_autofree gchar *cursor = NULL;
	g_autofree gchar *b_id = NULL;
	const struct {
		const gchar *query;
		const gchar *field;
	} cases[] = {
		{ "limit=0", "/limit" },
		{ "limit=1001", "/limit" },
		{ "limit=-1", "/limit" },
		{ "limit=ten", "/limit" },
		{ "limit=", "/limit" },
		{ "cursor=", "/cursor" },
		{ "cursor=abc", "/cursor" },
		{ "cursor=%F0%9F%98%80", "/cursor" },
		{ "updated_since=yesterday", "/updated_since" },
		{ "updated_since=2026-01-01T00:00:00", "/updated_since" },
		{ "updated_since=2026-01-01", "/updated_since" },
		{ "include=profile", "/include" },
	};

	pt_clinic_make (url (), dir, &a);
	pt_clinic_make (url (), dir, &b);
	g_free (create_patient (&a, 1));
	g_free (create_patient (&a, 2));
	b_id = create_patient (&b, 1);
	{
		g_autoptr (PtResponse) r = pt_request (url (), "GET", "/v1/patients?limit=1",
						       a.clinician, NULL, NULL, NULL);
		next = next_of (r);
		cursor = g_strdup (strstr (next, "cursor=") + strlen ("cursor="));
	}
	before = db_state (conn, a.id);
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autofree gchar *path = g_strdup_printf ("/v1/patients?%s", cases[i].query);
		g_autoptr (PtResponse) r
			= pt_request (url (), "GET", path, a.clinician, NULL, NULL, NULL);
		pt_assert_error (r, 422, "invalid-input");
		cr_assert (strstr (r->body, cases[i].field) != NULL, "%s: %s", path, r->body);
	}
	{
		/* every problem at once */
		g_autoptr (PtResponse) r = pt_request (
			url (), "GET", "/v1/patients?limit=0&cursor=x&updated_since=now",
			a.clinician, NULL, NULL, NULL);
		pt_assert_error (r, 422, "invalid-input");
		cr_assert (strstr (r->body, "/limit") && strstr (r->body, "/cursor")
				   && strstr (r->body, "/updated_since"),
			   "%s", r->body);
	}
	{
		/* a NUL or invalid UTF-8 in it is the adapter's 400, before the list sees it */
		g_autoptr (PtResponse) r = pt_request (url (), "GET", "/v1/patients?cursor=%00%FF",
						       a.clinician, NULL, NULL, NULL);
		pt_assert_error (r, 400, "malformed");
	}
	/* every character of a good cursor changed in turn: refused, never a 500, never a page */
	for (gsize i = 0; i < strlen (cursor); i++) {
		g_autofree gchar *bent = g_strdup (cursor);
		g_autofree gchar *path = NULL;
		bent[i] = bent[i] == 'Q' ? 'R' : 'Q';
		path = g_strdup_printf ("/v1/patients?cursor=%s", bent);
		{
			g_autoptr (PtResponse) r
				= pt_request (url (), "GET", path, a.clinician, NULL, NULL, NULL);
			cr_assert_eq (r->status, 422, "byte %zu: %u %s", i, r->status, r->body);
		}
	}
	after = db_state (conn, a.id);
	cr_assert_str_eq (before, after, "a refused list wrote something");
	{
		/* clinic A's cursor in clinic B: refused, and nothing of A comes back */
		g_autofree gchar *b_before = db_state (conn, b.id);
		g_autofree gchar *b_after = NULL;
		g_autoptr (PtResponse) r
			= pt_request (url (), "GET", next, b.clinician, NULL, NULL, NULL);
		pt_assert_error (r, 422, "invalid-input");
		cr_assert (strstr (r->body, "/cursor") != NULL, "%s", r->body);
		b_after = db_state (conn, b.id);
		cr_assert_str_eq (b_before, b_after);
	}
	{
		/* a patient key may not list; the operator and a clinic admin neither */
		g_autofree gchar *op = pt_operator_token (dir);
		g_autoptr (PtResponse) oper
			= pt_request (url (), "GET", "/v1/patients", op, NULL, NULL, NULL);
		g_autoptr (PtResponse) admin
			= pt_request (url (), "GET", "/v1/patients", a.admin, NULL, NULL, NULL);
		pt_assert_error (oper, 403, "forbidden");
		pt_assert_error (admin, 403, "forbidden");
	}
	PQfinish (conn);
}

/* the last audit entry of @clinic: "action actor" */
static gchar *
last_audit (PGconn *conn, const gchar *clinic)
{
	const gchar *v[] = { clinic };
	return pt_db_value (conn,
			    "SELECT action || ' ' || actor FROM audit_entries WHERE clinic_id = "
			    "$1::text ORDER BY seq DESC LIMIT 1",
			    1, v);
}

static gint64
audit_size (PGconn *conn, const gchar *clinic)
{
	const gchar *v[] = { clinic };
	return mvt_db_count (conn, "SELECT count(*) FROM audit_entries WHERE clinic_id = $1::text",
			     1, v);
}

Test (retention, a_clinician_is_told_erasing_is_a_clinic_admin_action)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (PtClinic) a = { 0 };
	PGconn *conn = pt_db_connect (dir);
	g_autofree gchar *id = NULL;
	g_autofree gchar *path = NULL;
	g_autofree gchar *before = NULL;
	g_autofree gchar *after = NULL;

	pt_clinic_make (url (), dir, &a);
	id = create_patient (&a, 1);
	path = g_strdup_printf ("/v1/patients/%s?reason=patient-request", id);
	before = db_state (conn, a.id);
	{
		g_autoptr (PtResponse) r
			= pt_request (url (), "DELETE", path, a.clinician, NULL, NULL, NULL);
		pt_assert_error (r, 403, "forbidden");
		cr_assert (strstr (r->body, "entered-in-error") != NULL, "%s", r->body);
		cr_assert (strstr (r->body, "clinic-admin") != NULL, "%s", r->body);
	}
	after = db_state (conn, a.id);
	cr_assert_str_eq (before, after);
	PQfinish (conn);
}

Test (retention, inside_the_period_refused_and_audited_after_it_allowed)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (PtClinic) a = { 0 };
	PGconn *conn = pt_db_connect (dir);
	g_autofree gchar *id = NULL;
	g_autofree gchar *path = NULL;
	g_autofree gchar *until = NULL;
	g_autofree gchar *entry = NULL;
	gint64 audit_before;
	const gchar *v[] = { NULL, NULL };

	pt_clinic_make (url (), dir, &a);
	id = create_patient (&a, 1);
	v[0] = a.id;
	v[1] = id;
	path = g_strdup_printf ("/v1/patients/%s?reason=patient-request", id);
	until = pt_db_value (
		conn,
		"SELECT to_char((updated_at + interval '15 years') AT TIME ZONE 'UTC', "
		"'YYYY-MM-DD') FROM patients WHERE clinic_id = $1 AND patient_id = $2",
		2, v);
	audit_before = audit_size (conn, a.id);
	{
		g_autofree gchar *read = g_strdup_printf ("/v1/patients/%s", id);
		g_autoptr (PtResponse) r
			= pt_request (url (), "DELETE", path, a.admin, NULL, NULL, NULL);
		g_autoptr (PtResponse) get
			= pt_request (url (), "GET", read, a.clinician, NULL, NULL, NULL);
		pt_assert_error (r, 409, "conflict");
		cr_assert (strstr (r->body, until) != NULL, "no %s in %s", until, r->body);
		cr_assert (strstr (r->body, "retention") != NULL, "%s", r->body);
		/* still there, readable */
		cr_assert_eq (get->status, 200, "%s", get->body);
	}
	/* the refusal is an entry naming the admin's key and the reason (and the read after it) */
	{
		const gchar *w[] = { a.id };
		g_autofree gchar *refusal = pt_db_value (
			conn,
			"SELECT action || ' ' || actor FROM audit_entries WHERE clinic_id = "
			"$1::text "
			"AND action LIKE 'patient.delete%' ORDER BY seq DESC LIMIT 1",
			1, w);
		g_autofree gchar *expected = g_strdup_printf (
			"patient.delete-refused.patient-request %s", a.admin_key_id);
		cr_assert_str_eq (refusal, expected);
		cr_assert_eq (audit_size (conn, a.id), audit_before + 2);
	}
	/* the last change sixteen years ago: the period is over */
	g_free (pt_db_value (conn,
			     "UPDATE patients SET updated_at = now() - interval '16 years' WHERE "
			     "clinic_id = $1 AND patient_id = $2",
			     2, v));
	{
		g_autofree gchar *expired
			= g_strdup_printf ("/v1/patients/%s?reason=retention-expired", id);
		g_autoptr (PtResponse) r
			= pt_request (url (), "DELETE", expired, a.admin, NULL, NULL, NULL);
		cr_assert_eq (r->status, 204, "%s", r->body);
	}
	entry = last_audit (conn, a.id);
	{
		g_autofree gchar *expected
			= g_strdup_printf ("patient.delete.retention-expired %s", a.admin_key_id);
		g_autofree gchar *reason
			= pt_db_value (conn,
				       "SELECT deletion_reason FROM patients WHERE clinic_id = $1 "
				       "AND patient_id = "
				       "$2 AND deleted_at IS NOT NULL AND wrapped_dek IS NULL",
				       2, v);
		cr_assert_str_eq (entry, expected);
		cr_assert_str_eq (reason, "retention-expired");
	}
	PQfinish (conn);
}

Test (retention, the_operator_forces_an_erasure_inside_the_period)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (PtClinic) a = { 0 };
	g_auto (PtClinic) b = { 0 };
	PGconn *conn = pt_db_connect (dir);
	g_autofree gchar *op = pt_operator_token (dir);
	g_autofree gchar *id = NULL;
	g_autofree gchar *route = NULL;
	g_autofree gchar *op_key = NULL;
	g_autofree gchar *entry = NULL;
	g_autofree gchar *before = NULL;
	g_autofree gchar *after = NULL;

	pt_clinic_make (url (), dir, &a);
	pt_clinic_make (url (), dir, &b);
	id = create_patient (&a, 1);
	{
		g_autoptr (PtResponse) who
			= pt_request (url (), "GET", "/v1/auth/whoami", op, NULL, NULL, NULL);
		cr_assert_eq (who->status, 200, "%s", who->body);
		op_key = g_strdup (pt_str (who, "key_id"));
	}
	before = db_state (conn, a.id);
	{
		/* without force=true, without a reason, in the wrong clinic, as a clinic admin */
		g_autofree gchar *no_force = g_strdup_printf (
			"/v1/admin/tenants/%s/patients/%s?reason=legal-order", a.id, id);
		g_autofree gchar *no_reason
			= g_strdup_printf ("/v1/admin/tenants/%s/patients/%s?force=true", a.id, id);
		g_autofree gchar *wrong_clinic = g_strdup_printf (
			"/v1/admin/tenants/%s/patients/%s?reason=legal-order&force=true", b.id, id);
		g_autoptr (PtResponse) r1
			= pt_request (url (), "DELETE", no_force, op, NULL, NULL, NULL);
		g_autoptr (PtResponse) r2
			= pt_request (url (), "DELETE", no_reason, op, NULL, NULL, NULL);
		g_autoptr (PtResponse) r3
			= pt_request (url (), "DELETE", wrong_clinic, op, NULL, NULL, NULL);
		g_autofree gchar *own = g_strdup_printf (
			"/v1/admin/tenants/%s/patients/%s?reason=legal-order&force=true", a.id, id);
		g_autoptr (PtResponse) r4
			= pt_request (url (), "DELETE", own, a.admin, NULL, NULL, NULL);
		g_autofree gchar *bare
			= g_strdup_printf ("/v1/admin/tenants/%s/patients/%s", a.id, id);
		g_autoptr (PtResponse) r5
			= pt_request (url (), "DELETE", bare, op, NULL, NULL, NULL);
		pt_assert_error (r1, 422, "invalid-input");
		cr_assert (strstr (r1->body, "/force") != NULL, "%s", r1->body);
		pt_assert_error (r2, 422, "invalid-input");
		cr_assert (strstr (r2->body, "/reason") != NULL, "%s", r2->body);
		/* both at once */
		cr_assert (strstr (r5->body, "/reason") != NULL && strstr (r5->body, "/force"),
			   "%s", r5->body);
		pt_assert_error (r5, 422, "invalid-input");
		pt_assert_error (r3, 404, "not-found");
		pt_assert_error (r4, 403, "forbidden");
	}
	after = db_state (conn, a.id);
	cr_assert_str_eq (before, after);
	route = g_strdup_printf ("/v1/admin/tenants/%s/patients/%s?reason=legal-order&force=true",
				 a.id, id);
	{
		g_autofree gchar *read = g_strdup_printf ("/v1/patients/%s", id);
		g_autoptr (PtResponse) r
			= pt_request (url (), "DELETE", route, op, NULL, NULL, NULL);
		g_autoptr (PtResponse) get
			= pt_request (url (), "GET", read, a.clinician, NULL, NULL, NULL);
		g_autoptr (PtResponse) again
			= pt_request (url (), "DELETE", route, op, NULL, NULL, NULL);
		cr_assert_eq (r->status, 204, "%s", r->body);
		pt_assert_error (get, 404, "not-found");
		pt_assert_error (again, 404, "not-found");
	}
	/* in the clinic's own tree, naming the operator's key */
	{
		const gchar *w[] = { a.id };
		g_autofree gchar *expected
			= g_strdup_printf ("patient.delete-forced.legal-order %s", op_key);
		entry = pt_db_value (conn,
				     "SELECT action || ' ' || actor FROM audit_entries WHERE "
				     "clinic_id = $1::text "
				     "AND action LIKE 'patient.delete%' ORDER BY seq DESC LIMIT 1",
				     1, w);
		cr_assert_str_eq (entry, expected);
	}
	PQfinish (conn);
}

int
main (int argc, char **argv)
{
	/* the default retention period (15 years) made explicit; rate limits that let a test make
	 * a thousand patients in a few seconds */
	const MvtOptions options = {
		.config = "[records]\nretention-years=15\n"
			  "[auth]\nrate-limit-per-second=100000\nrate-limit-burst=100000\n",
	};
	return mvt_main (argc, argv, &options);
}
