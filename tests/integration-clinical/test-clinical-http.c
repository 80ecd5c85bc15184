/* The clinical record against the real daemon and its embedded PostgreSQL: create, read, list
 * with paging and filters, update with If-Match (both JSON media types), empty patches,
 * entered-in-error, history and versions (the profile's too), the patient's own /v1/me reads,
 * the change feed; another clinic's key gets 404 on every route of the table, a patient key on
 * another patient 404; bad input writes nothing.  Only behaviour that holds for any kind: notes
 * {"text"} and observations with a LOINC code. */
#include <criterion/criterion.h>
#include <string.h>

#include "clinical/mv-clinical-api.h"
#include "mvt.h"

#define OBS(value, day)                                                                            \
	"{\"code\":{\"system\":\"http://loinc.org\",\"code\":\"8867-4\"},\"value\":" #value        \
	",\"unit\":\"/min\",\"effective_at\":\"2026-11-" #day "T08:00:00Z\"}"

static const gchar *
url (void)
{
	return mvt_shared_url ();
}

static gchar *
data_dir (void)
{
	return g_build_filename (mvt_getenv ("MVT_ROOT"), "data", NULL);
}

/* A request with the headers these tests use; @content_type NULL: application/json. */
static MvtResponse *
call (const gchar *method,
      const gchar *path,
      const gchar *token,
      const gchar *if_match,
      const gchar *content_type,
      const gchar *body)
{
	const gchar *const headers[] = { "If-Match", if_match, NULL };
	MvtRequest req = {
		.base_url = url (),
		.method = method,
		.path = path,
		.content_type = body == NULL	       ? NULL
				: content_type != NULL ? content_type
						       : "application/json",
		.body = body,
		.len = -1,
		.token = token,
		.anonymous = token == NULL,
		.headers = if_match != NULL ? headers : NULL,
	};
	return mvt_request (&req);
}

static gchar *
make_patient (const MvtClinic *c, const gchar *mrn)
{
	g_autofree gchar *body
		= g_strdup_printf ("{\"mrn\":\"%s\",\"name\":{\"given\":\"x\"}}", mrn);
	g_autoptr (MvtResponse) r = call ("POST", "/v1/patients", c->clinician, NULL, NULL, body);

	cr_assert_eq (r->status, 201, "%s", r->body);
	return g_strdup (mvt_str (r, "id"));
}

static gchar *
patient_token (const MvtClinic *c, const gchar *pid)
{
	g_autofree gchar *path = g_strdup_printf ("/v1/patients/%s/invites", pid);
	g_autoptr (MvtResponse) inv = call ("POST", path, c->clinician, NULL, NULL, "{}");
	g_autofree gchar *redeem = NULL;
	g_autoptr (MvtResponse) r = NULL;

	cr_assert_eq (inv->status, 201, "%s", inv->body);
	redeem = g_strdup_printf ("{\"code\":\"%s\"}", mvt_str (inv, "code"));
	r = call ("POST", "/v1/invites/redeem", NULL, NULL, NULL, redeem);
	cr_assert_eq (r->status, 201, "%s", r->body);
	return g_strdup (mvt_str (r, "token"));
}

static gchar *
create (const MvtClinic *c, const gchar *pid, const gchar *plural, const gchar *body)
{
	g_autofree gchar *path = g_strdup_printf ("/v1/patients/%s/%s", pid, plural);
	g_autoptr (MvtResponse) r = call ("POST", path, c->clinician, NULL, NULL, body);
	g_autofree gchar *location = NULL;

	cr_assert_eq (r->status, 201, "%s", r->body);
	cr_assert_str_eq (r->etag, "\"1\"");
	location = g_strdup_printf ("%s/%s", path, mvt_str (r, "id"));
	cr_assert_str_eq (r->location, location);
	return g_strdup (mvt_str (r, "id"));
}

static JsonArray *
array_of (MvtResponse *r, const gchar *name)
{
	return json_object_get_array_member (json_node_get_object (r->json), name);
}

Test (clinical, create_read_update_delete_history_and_versions)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *rid = NULL, *path = NULL, *sub = NULL;

	mvt_clinic_make (url (), dir, &a);
	pid = make_patient (&a, "H-1");
	rid = create (&a, pid, "observations", OBS (72, 01));
	path = g_strdup_printf ("/v1/patients/%s/observations/%s", pid, rid);
	{
		g_autoptr (MvtResponse) r = call ("GET", path, a.clinician, NULL, NULL, NULL);
		JsonObject *o;
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_assert_str_eq (r->etag, "\"1\"");
		o = json_node_get_object (r->json);
		cr_assert_str_eq (json_object_get_string_member (o, "id"), rid);
		cr_assert_str_eq (json_object_get_string_member (o, "record_status"), "current");
		cr_assert_eq (json_object_get_int_member (o, "value"), 72);
		cr_assert (g_str_has_suffix (json_object_get_string_member (o, "updated_at"), "Z"));
	}
	{
		g_autoptr (MvtResponse) none
			= call ("PATCH", path, a.clinician, NULL, NULL, "{\"value\":80}");
		g_autoptr (MvtResponse) stale
			= call ("PATCH", path, a.clinician, "\"5\"", NULL, "{\"value\":80}");
		g_autoptr (MvtResponse) empty
			= call ("PATCH", path, a.clinician, "\"1\"", NULL, "{}");
		g_autoptr (MvtResponse) ok
			= call ("PATCH", path, a.clinician, "\"1\"", "application/merge-patch+json",
				"{\"value\":80}");
		g_autoptr (MvtResponse) wrong_type = call ("PATCH", path, a.clinician, "\"2\"",
							   "text/plain", "{\"value\":81}");
		mvt_assert_error (none, 428, "precondition-required");
		mvt_assert_error (stale, 412, "precondition-failed");
		cr_assert_eq (empty->status, 200, "%s", empty->body);
		cr_assert_str_eq (empty->etag, "\"1\"");
		cr_assert_eq (ok->status, 200, "%s", ok->body);
		cr_assert_str_eq (ok->etag, "\"2\"");
		cr_assert_eq (json_object_get_int_member (json_node_get_object (ok->json), "value"),
			      80);
		mvt_assert_error (wrong_type, 415, "unsupported-media-type");
	}
	{
		g_autoptr (MvtResponse) del
			= call ("DELETE", path, a.clinician, "\"2\"", NULL, NULL);
		g_autoptr (MvtResponse) get = call ("GET", path, a.clinician, NULL, NULL, NULL);
		g_autoptr (MvtResponse) patch
			= call ("PATCH", path, a.clinician, "\"3\"", NULL, "{\"value\":90}");
		cr_assert_eq (del->status, 200, "%s", del->body);
		cr_assert_str_eq (del->etag, "\"3\"");
		cr_assert_str_eq (mvt_str (del, "record_status"), "entered-in-error");
		cr_assert_eq (get->status, 200);
		mvt_assert_error (patch, 409, "conflict");
	}
	{
		g_autofree gchar *list = g_strdup_printf ("/v1/patients/%s/observations", pid);
		g_autofree gchar *all = g_strdup_printf ("%s?include=entered-in-error", list);
		g_autoptr (MvtResponse) hidden = call ("GET", list, a.clinician, NULL, NULL, NULL);
		g_autoptr (MvtResponse) shown = call ("GET", all, a.clinician, NULL, NULL, NULL);
		cr_assert_eq (json_array_get_length (array_of (hidden, "observations")), 0);
		cr_assert_eq (json_array_get_length (array_of (shown, "observations")), 1);
	}
	sub = g_strdup_printf ("%s/history", path);
	{
		g_autoptr (MvtResponse) h = call ("GET", sub, a.clinician, NULL, NULL, NULL);
		JsonArray *versions;
		cr_assert_eq (h->status, 200, "%s", h->body);
		versions = array_of (h, "versions");
		cr_assert_eq (json_array_get_length (versions), 3);
		cr_assert_str_eq (
			json_object_get_string_member (json_array_get_object_element (versions, 2),
						       "record_status"),
			"entered-in-error");
		cr_assert_str_eq (json_object_get_string_member (
					  json_array_get_object_element (versions, 0), "actor"),
				  a.clinician_key_id);
	}
	g_free (sub);
	sub = g_strdup_printf ("%s/versions/1", path);
	{
		g_autoptr (MvtResponse) v = call ("GET", sub, a.clinician, NULL, NULL, NULL);
		cr_assert_eq (v->status, 200, "%s", v->body);
		cr_assert_eq (json_object_get_int_member (json_node_get_object (v->json), "value"),
			      72);
	}
	{
		/* the profile has a history too; PATCH of the profile takes merge-patch+json */
		g_autofree gchar *ppath = g_strdup_printf ("/v1/patients/%s", pid);
		g_autofree gchar *phist = g_strdup_printf ("/v1/patients/%s/history", pid);
		g_autofree gchar *pv1 = g_strdup_printf ("/v1/patients/%s/versions/1", pid);
		g_autoptr (MvtResponse) patch
			= call ("PATCH", ppath, a.clinician, "\"1\"",
				"application/merge-patch+json", "{\"notes\":\"n\"}");
		g_autoptr (MvtResponse) h = call ("GET", phist, a.clinician, NULL, NULL, NULL);
		g_autoptr (MvtResponse) v1 = call ("GET", pv1, a.clinician, NULL, NULL, NULL);
		cr_assert_eq (patch->status, 200, "%s", patch->body);
		cr_assert_eq (json_array_get_length (array_of (h, "versions")), 2, "%s", h->body);
		cr_assert_eq (v1->status, 200, "%s", v1->body);
		cr_assert_not (json_object_has_member (
			json_object_get_object_member (json_node_get_object (v1->json), "profile"),
			"notes"));
	}
	{
		/* the export holds every version: 3 of the observation, 2 of the profile */
		g_autofree gchar *epath = g_strdup_printf ("/v1/patients/%s/export", pid);
		g_autoptr (MvtResponse) e = call ("GET", epath, a.clinician, NULL, NULL, NULL);
		cr_assert_eq (e->status, 200, "%s", e->body);
		cr_assert_eq (json_array_get_length (array_of (e, "versions")), 5, "%s", e->body);
	}
}

Test (clinical, batch_list_pages_and_filters)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *path = NULL, *next = NULL;
	g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	guint pages = 0;

	mvt_clinic_make (url (), dir, &a);
	pid = make_patient (&a, "L-1");
	path = g_strdup_printf ("/v1/patients/%s/observations", pid);
	{
		g_autoptr (MvtResponse) r
			= call ("POST", path, a.clinician, NULL, NULL,
				"{\"observations\":[" OBS (61, 01) "," OBS (62, 02) "," OBS (
					63, 03) "," OBS (64, 04) "," OBS (65, 05) "]}");
		cr_assert_eq (r->status, 201, "%s", r->body);
		cr_assert_eq (json_array_get_length (array_of (r, "observations")), 5);
	}
	g_free (create (&a, pid, "notes", "{\"text\":\"feels fine\"}"));
	next = g_strdup_printf ("%s?limit=2", path);
	while (next != NULL) {
		g_autoptr (MvtResponse) r = call ("GET", next, a.clinician, NULL, NULL, NULL);
		JsonArray *items;
		JsonNode *link;
		cr_assert_eq (r->status, 200, "%s", r->body);
		items = array_of (r, "observations");
		for (guint i = 0; i < json_array_get_length (items); i++)
			cr_assert (g_hash_table_add (
				seen, g_strdup (json_object_get_string_member (
					      json_array_get_object_element (items, i), "id"))));
		link = mvt_member (r, "next");
		g_free (next);
		next = JSON_NODE_HOLDS_NULL (link) ? NULL : g_strdup (json_node_get_string (link));
		pages++;
	}
	cr_assert_eq (g_hash_table_size (seen), 5);
	cr_assert_eq (pages, 3);
	{
		g_autofree gchar *code
			= g_strdup_printf ("%s?code=http%%3A%%2F%%2Floinc.org%%7C8867-4", path);
		g_autofree gchar *other = g_strdup_printf ("%s?code=2160-0", path);
		g_autofree gchar *dates
			= g_strdup_printf ("%s?from=2026-11-02&to=2026-11-04T08:00:00Z", path);
		g_autoptr (MvtResponse) rc = call ("GET", code, a.clinician, NULL, NULL, NULL);
		g_autoptr (MvtResponse) ro = call ("GET", other, a.clinician, NULL, NULL, NULL);
		g_autoptr (MvtResponse) rd = call ("GET", dates, a.clinician, NULL, NULL, NULL);
		cr_assert_eq (json_array_get_length (array_of (rc, "observations")), 5, "%s",
			      rc->body);
		cr_assert_eq (json_array_get_length (array_of (ro, "observations")), 0);
		cr_assert_eq (json_array_get_length (array_of (rd, "observations")), 2, "%s",
			      rd->body);
	}
}

Test (clinical, patient_key_reads_its_own_records_only)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *mine = NULL, *other = NULL, *token = NULL;
	g_autofree gchar *my_rid = NULL, *their_rid = NULL;

	mvt_clinic_make (url (), dir, &a);
	mine = make_patient (&a, "M-1");
	other = make_patient (&a, "M-2");
	my_rid = create (&a, mine, "notes", "{\"text\":\"mine\"}");
	their_rid = create (&a, other, "notes", "{\"text\":\"theirs\"}");
	token = patient_token (&a, mine);
	{
		g_autofree gchar *one = g_strdup_printf ("/v1/me/notes/%s", my_rid);
		g_autofree gchar *hist = g_strdup_printf ("/v1/me/notes/%s/history", my_rid);
		g_autofree gchar *ver = g_strdup_printf ("/v1/me/notes/%s/versions/1", my_rid);
		g_autofree gchar *theirs = g_strdup_printf ("/v1/me/notes/%s", their_rid);
		g_autofree gchar *via_id = g_strdup_printf ("/v1/patients/%s/notes", mine);
		g_autofree gchar *other_list = g_strdup_printf ("/v1/patients/%s/notes", other);
		g_autoptr (MvtResponse) list
			= call ("GET", "/v1/me/notes", token, NULL, NULL, NULL);
		g_autoptr (MvtResponse) get = call ("GET", one, token, NULL, NULL, NULL);
		g_autoptr (MvtResponse) h = call ("GET", hist, token, NULL, NULL, NULL);
		g_autoptr (MvtResponse) v = call ("GET", ver, token, NULL, NULL, NULL);
		g_autoptr (MvtResponse) ph
			= call ("GET", "/v1/me/history", token, NULL, NULL, NULL);
		g_autoptr (MvtResponse) t = call ("GET", theirs, token, NULL, NULL, NULL);
		g_autoptr (MvtResponse) own = call ("GET", via_id, token, NULL, NULL, NULL);
		g_autoptr (MvtResponse) ol = call ("GET", other_list, token, NULL, NULL, NULL);
		g_autoptr (MvtResponse) post
			= call ("POST", via_id, token, NULL, NULL, "{\"text\":\"x\"}");
		g_autoptr (MvtResponse) feed
			= call ("GET", "/v1/patients/changes", token, NULL, NULL, NULL);
		g_autoptr (MvtResponse) clin_me
			= call ("GET", "/v1/me/notes", a.clinician, NULL, NULL, NULL);
		cr_assert_eq (list->status, 200, "%s", list->body);
		cr_assert_eq (json_array_get_length (array_of (list, "notes")), 1);
		cr_assert_eq (get->status, 200, "%s", get->body);
		cr_assert_eq (h->status, 200, "%s", h->body);
		cr_assert_eq (v->status, 200, "%s", v->body);
		cr_assert_eq (ph->status, 200, "%s", ph->body);
		mvt_assert_error (t, 404, "not-found");
		cr_assert_eq (own->status, 200, "%s", own->body);
		mvt_assert_error (ol, 404, "not-found");
		mvt_assert_error (post, 403, "forbidden");
		mvt_assert_error (feed, 403, "forbidden");
		mvt_assert_error (clin_me, 403, "forbidden");
	}
}

Test (clinical, change_feed_lists_ids_and_versions_in_order)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (MvtClinic) a = { 0 };
	g_auto (MvtClinic) b = { 0 };
	g_autofree gchar *pid = NULL, *rid = NULL, *path = NULL;
	gint64 next = 0;
	guint n = 0;

	mvt_clinic_make (url (), dir, &a);
	mvt_clinic_make (url (), dir, &b);
	pid = make_patient (&a, "F-1");
	rid = create (&a, pid, "observations", OBS (72, 01));
	path = g_strdup_printf ("/v1/patients/%s/observations/%s", pid, rid);
	{
		g_autoptr (MvtResponse) p
			= call ("PATCH", path, a.clinician, "\"1\"", NULL, "{\"value\":75}");
		cr_assert_eq (p->status, 200, "%s", p->body);
	}
	/* page by one: patient created, observation created, observation updated */
	for (;;) {
		g_autofree gchar *feed = g_strdup_printf (
			"/v1/patients/changes?since=%" G_GINT64_FORMAT "&limit=1", next);
		g_autoptr (MvtResponse) r = call ("GET", feed, a.clinician, NULL, NULL, NULL);
		JsonArray *changes;
		JsonObject *c;
		cr_assert_eq (r->status, 200, "%s", r->body);
		changes = array_of (r, "changes");
		if (json_array_get_length (changes) == 0) {
			cr_assert_eq (
				json_object_get_int_member (json_node_get_object (r->json), "next"),
				next);
			break;
		}
		c = json_array_get_object_element (changes, 0);
		cr_assert_eq (json_object_get_int_member (c, "seq"), next + 1);
		cr_assert_str_eq (json_object_get_string_member (c, "patient_id"), pid);
		/* ids, versions, kinds and times only */
		cr_assert_eq (json_object_get_size (c), 7, "%s", r->body);
		cr_assert_null (strstr (r->body, "8867"));
		next = json_object_get_int_member (json_node_get_object (r->json), "next");
		n++;
		if (n == 3) {
			cr_assert_str_eq (json_object_get_string_member (c, "change"), "updated");
			cr_assert_eq (json_object_get_int_member (c, "version"), 2);
		}
	}
	cr_assert_eq (n, 3);
	{
		/* clinic B sees none of it */
		g_autoptr (MvtResponse) r
			= call ("GET", "/v1/patients/changes", b.clinician, NULL, NULL, NULL);
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_assert_eq (json_array_get_length (array_of (r, "changes")), 0);
	}
}

/* @pattern with {id}, {rid} and {v} filled in */
static gchar *
fill (const gchar *pattern, const gchar *pid, const gchar *rid)
{
	g_autoptr (GString) s = g_string_new (pattern);
	g_string_replace (s, "{id}", pid, 0);
	g_string_replace (s, "{rid}", rid, 0);
	g_string_replace (s, "{v}", "1", 0);
	return g_string_free (g_steal_pointer (&s), FALSE);
}

/* the record of the route's kind (the segment after the patient), or the patient itself */
static const gchar *
record_for (const gchar *pattern, GHashTable *records, const gchar *pid)
{
	g_auto (GStrv) parts = g_strsplit (pattern, "/", -1);
	guint at = g_str_has_prefix (pattern, "/v1/me/") ? 3 : 4;
	const gchar *rid
		= g_strv_length (parts) > at ? g_hash_table_lookup (records, parts[at]) : NULL;
	return rid != NULL ? rid : pid;
}

Test (clinical, other_clinic_and_other_patients_get_404_on_every_route)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (MvtClinic) a = { 0 };
	g_auto (MvtClinic) b = { 0 };
	g_autofree gchar *pid = NULL, *b_pid = NULL, *b_token = NULL;
	g_autoptr (GHashTable) records
		= g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
	static const gchar *const plurals[] = { "observations", "conditions", "allergies",
						"medications",	"encounters", "notes" };
	PGconn *conn = mvt_db_connect (dir);
	g_autofree gchar *before = NULL, *after = NULL;
	const MvHttpRoute *routes;
	guint n_routes = 0, n_checked = 0;

	mvt_clinic_make (url (), dir, &a);
	mvt_clinic_make (url (), dir, &b);
	pid = make_patient (&a, "I-1");
	b_pid = make_patient (&b, "I-1");
	b_token = patient_token (&b, b_pid);
	/* real records where any kind's input is known (an observation, a note); for the other
	 * kinds a random id does as well: the stranger is refused before any record is looked up */
	for (guint i = 0; i < G_N_ELEMENTS (plurals); i++) {
		gchar *rid;
		if (i == 0)
			rid = create (&a, pid, plurals[i], OBS (72, 01));
		else if (g_str_equal (plurals[i], "notes"))
			rid = create (&a, pid, plurals[i], "{\"text\":\"x\"}");
		else
			rid = g_uuid_string_random ();
		g_hash_table_insert (records, (gpointer)plurals[i], rid);
	}
	before = mvt_db_clinic_state (conn, a.id);
	routes = mv_clinical_http_routes (&n_routes);
	for (guint i = 0; i < n_routes; i++) {
		const MvHttpRoute *route = &routes[i];
		gboolean me = g_str_has_prefix (route->pattern, "/v1/me/");
		g_autofree gchar *path = NULL;
		g_autoptr (MvtResponse) r = NULL;
		const gchar *body = NULL;

		if (strchr (route->pattern, '{') == NULL)
			continue; /* the feed: checked in the feed test */
		path = fill (route->pattern, pid, record_for (route->pattern, records, pid));
		if (strcmp (route->method, "POST") == 0 || strcmp (route->method, "PATCH") == 0)
			body = "{\"text\":\"y\"}";
		/* clinic B's clinician; for /v1/me, clinic B's patient asking for A's record */
		r = call (route->method, path, me ? b_token : b.clinician,
			  strcmp (route->method, "PATCH") == 0 ? "\"1\"" : NULL, NULL, body);
		/* /v1/me without a record id: the caller's own (empty) list or profile */
		if (me && strstr (route->pattern, "{rid}") == NULL)
			cr_assert_eq (r->status, 200, "%s %s: %s", route->method, path, r->body);
		else
			cr_assert_eq (r->status, 404, "%s %s: %u %s", route->method, path,
				      r->status, r->body);
		n_checked++;
	}
	cr_assert_geq (n_checked, 60);
	after = mvt_db_clinic_state (conn, a.id);
	cr_assert_str_eq (before, after, "another clinic's requests changed clinic A's rows");
	PQfinish (conn);
}

Test (clinical, bad_input_on_every_route_writes_nothing)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *rid = NULL, *base = NULL, *one = NULL;
	PGconn *conn = mvt_db_connect (dir);
	g_autofree gchar *before = NULL, *after = NULL;
	g_autoptr (GString) batch = g_string_new ("{\"observations\":[");

	mvt_clinic_make (url (), dir, &a);
	pid = make_patient (&a, "B-1");
	rid = create (&a, pid, "observations", OBS (72, 01));
	base = g_strdup_printf ("/v1/patients/%s/observations", pid);
	one = g_strdup_printf ("%s/%s", base, rid);
	for (guint i = 0; i < 101; i++)
		g_string_append_printf (batch, "%s" OBS (72, 01), i > 0 ? "," : "");
	g_string_append (batch, "]}");
	before = mvt_db_clinic_state (conn, a.id);
	{
		struct {
			const gchar *method, *path, *if_match, *content_type, *body;
			guint status;
			const gchar *code;
			guint min_details;
		} cases[] = {
			{ "POST", base, NULL, NULL, "{\"code\":5,\"value\":\"x\"}", 422,
			  "invalid-input", 2 },
			{ "POST", base, NULL, NULL,
			  "{\"observations\":[" OBS (72, 01) ",{\"value\":1},7]}", 422,
			  "invalid-input", 2 },
			{ "POST", base, NULL, NULL, batch->str, 422, "invalid-input", 1 },
			{ "POST", base, NULL, NULL, "{\"observations\":[]}", 422, "invalid-input",
			  1 },
			{ "POST", base, NULL, NULL, "{\"id\":\"x\",\"text\":1}", 422,
			  "invalid-input", 1 },
			{ "POST", base, NULL, NULL, "not json", 400, "malformed", 0 },
			{ "POST", base, NULL, "text/plain", "{}", 415, "unsupported-media-type",
			  0 },
			{ "PATCH", one, "\"1\"", NULL, "{\"value\":\"high\",\"code\":null}", 422,
			  "invalid-input", 2 },
			{ "PATCH", one, "W/\"1\"", NULL, "{\"value\":1}", 400, "malformed", 0 },
			{ "PATCH", one, "\"1\"", "application/xml", "{}", 415,
			  "unsupported-media-type", 0 },
			{ "DELETE", one, "*", NULL, NULL, 400, "malformed", 0 },
			{ "DELETE", one, "\"9\"", NULL, NULL, 412, "precondition-failed", 0 },
		};
		for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
			g_autoptr (MvtResponse) r
				= call (cases[i].method, cases[i].path, a.clinician,
					cases[i].if_match, cases[i].content_type, cases[i].body);
			JsonObject *error;
			cr_assert_eq (r->status, cases[i].status, "case %u: %u %.300s", i,
				      r->status, r->body);
			mvt_assert_error (r, cases[i].status, cases[i].code);
			error = json_object_get_object_member (json_node_get_object (r->json),
							       "error");
			if (cases[i].min_details > 0 && json_object_has_member (error, "details"))
				cr_assert_geq (json_array_get_length (json_object_get_array_member (
						       error, "details")),
					       cases[i].min_details, "case %u: %s", i, r->body);
		}
	}
	{
		/* query parameters: every problem at once, nothing written (reads only audit) */
		g_autofree gchar *list
			= g_strdup_printf ("%s?limit=0&cursor=x&from=later&include=all", base);
		g_autoptr (MvtResponse) r = call ("GET", list, a.clinician, NULL, NULL, NULL);
		g_autoptr (MvtResponse) f = call ("GET", "/v1/patients/changes?since=-1&limit=x",
						  a.clinician, NULL, NULL, NULL);
		mvt_assert_error (r, 422, "invalid-input");
		mvt_assert_error (f, 422, "invalid-input");
	}
	after = mvt_db_clinic_state (conn, a.id);
	cr_assert_str_eq (before, after, "a refused request wrote something");
	PQfinish (conn);
}

/* A note's text and an observation's code and unit: in no row of the clinical tables (bytea
 * in hex and escape form), not in pg_dump, not in the daemon's log; lists, history and the
 * feed are read first so every code path has run. */
Test (clinical, values_and_codes_appear_nowhere_in_the_database)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (MvtClinic) a = { 0 };
	static const gchar *const needles[]
		= { "Xanthoriel", "Quombly", "8867-4", "loinc.org", "/min" };
	static const gchar *const tables[]
		= { "records", "record_versions", "record_terms", "record_changes" };
	static const gchar *const formats[] = { "hex", "escape" };
	PGconn *conn = mvt_db_connect (dir);
	g_autofree gchar *pid = NULL, *rid = NULL, *whole = NULL, *log = NULL;

	mvt_clinic_make (url (), dir, &a);
	pid = make_patient (&a, "N-1");
	g_free (create (&a, pid, "notes", "{\"text\":\"Xanthoriel Quombly has a cough\"}"));
	rid = create (&a, pid, "observations", OBS (72, 01));
	{
		g_autofree gchar *list = g_strdup_printf (
			"/v1/patients/%s/observations?code=http%%3A%%2F%%2Floinc.org%%7C8867-4",
			pid);
		g_autofree gchar *hist
			= g_strdup_printf ("/v1/patients/%s/observations/%s/history", pid, rid);
		g_autoptr (MvtResponse) l = call ("GET", list, a.clinician, NULL, NULL, NULL);
		g_autoptr (MvtResponse) h = call ("GET", hist, a.clinician, NULL, NULL, NULL);
		g_autoptr (MvtResponse) f
			= call ("GET", "/v1/patients/changes", a.clinician, NULL, NULL, NULL);
		cr_assert (strstr (l->body, "8867-4") != NULL, "%s", l->body);
		cr_assert_eq (h->status, 200);
		cr_assert_eq (f->status, 200);
	}
	for (guint f = 0; f < G_N_ELEMENTS (formats); f++) {
		const gchar *v[] = { formats[f] };
		g_autofree gchar *set
			= mvt_db_value (conn, "SELECT set_config('bytea_output', $1, false)", 1, v);
		for (guint t = 0; t < G_N_ELEMENTS (tables); t++) {
			g_autofree gchar *sql = g_strdup_printf (
				"SELECT coalesce(string_agg(t::text, ' '), '') FROM %s t",
				tables[t]);
			g_autofree gchar *rows = mvt_db_value (conn, sql, 0, NULL);
			for (guint n = 0; n < G_N_ELEMENTS (needles); n++)
				cr_assert_not (mvt_text_shows (rows, needles[n]), "%s in %s (%s)",
					       needles[n], tables[t], formats[f]);
		}
	}
	whole = mvt_pg_dump (dir);
	cr_assert (strstr (whole, rid) != NULL); /* the dump does hold the record's row */
	for (guint n = 0; n < G_N_ELEMENTS (needles); n++)
		cr_assert_not (mvt_text_shows (whole, needles[n]), "%s in pg_dump", needles[n]);
	log = mvt_shared_log ();
	for (guint n = 0; n < 3; n++)
		cr_assert_null (strstr (log, needles[n]), "%s in the daemon log", needles[n]);
	PQfinish (conn);
}

int
main (int argc, char **argv)
{
	/* the route walk sends some 70 requests on one key at once: not a rate-limit test */
	const MvtOptions options = {
		.config = "[auth]\nrate-limit-per-second=1000\nrate-limit-burst=1000\n",
	};
	return mvt_main (argc, argv, &options);
}
