/* The clinical record end to end, as a clinic's EHR integrator meets it, against the real daemon
 * with the symptom-parser plugin loaded: a patient registered with a resident ID (a wrong check
 * character refused, in Chinese when asked), blood pressure, glucose in mg/dL stored in mmol/L
 * with the original kept, a condition coded in China's clinical ICD-10 (I10.x00x002), an
 * allergy, a medication, an encounter and a note whose parser findings are stored with their
 * provenance; each read back, the change feed followed, a record's history read; the
 * patient's own key reads its record and nothing else.  Then bad input of every kind under
 * Accept-Language: zh-CN (every problem listed, in Chinese, nothing written), and none of the
 * test data in pg_dump, the raw rows or the log. */
#include <criterion/criterion.h>
#include <string.h>

#include "mvt.h"

/* GB 11643-1999's own example: the check character of 11010519491231002 is X */
#define RESIDENT_ID "11010519491231002X"
#define RESIDENT_ID_BAD "110105194912310021"

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

/* @language NULL: no Accept-Language */
static MvtResponse *
call_in (const gchar *language,
	 const gchar *method,
	 const gchar *path,
	 const gchar *token,
	 const gchar *body)
{
	return mvt_http_in_language (url (), language, method, path, token, body);
}

static MvtResponse *
call (const gchar *method, const gchar *path, const gchar *token, const gchar *body)
{
	return call_in (NULL, method, path, token, body);
}

static JsonObject *
obj (MvtResponse *r)
{
	cr_assert_not_null (r->json, "%s", r->body);
	return json_node_get_object (r->json);
}

/* posts one record of @plural for @pid; returns its id */
static gchar *
record (const MvtClinic *c, const gchar *pid, const gchar *plural, const gchar *body)
{
	g_autofree gchar *path = g_strdup_printf ("/v1/patients/%s/%s", pid, plural);
	g_autoptr (MvtResponse) r = call ("POST", path, c->clinician, body);

	cr_assert_eq (r->status, 201, "%s: %s", plural, r->body);
	return g_strdup (mvt_str (r, "id"));
}

/* reads a record back; the caller frees */
static MvtResponse *
read_back (const gchar *token, const gchar *pid, const gchar *plural, const gchar *rid)
{
	g_autofree gchar *path = g_strdup_printf ("/v1/patients/%s/%s/%s", pid, plural, rid);
	MvtResponse *r = call ("GET", path, token, NULL);

	cr_assert_eq (r->status, 200, "%s: %s", plural, r->body);
	return r;
}

static gboolean
has_cjk (const gchar *text)
{
	for (const gchar *p = text; *p != '\0'; p = g_utf8_next_char (p)) {
		gunichar c = g_utf8_get_char (p);
		if (c >= 0x4e00 && c <= 0x9fff)
			return TRUE;
	}
	return FALSE;
}

static gchar *
invite_token (const MvtClinic *c, const gchar *pid)
{
	g_autofree gchar *path = g_strdup_printf ("/v1/patients/%s/invites", pid);
	g_autoptr (MvtResponse) inv = call ("POST", path, c->clinician, "{}");
	g_autofree gchar *redeem = NULL;
	g_autoptr (MvtResponse) r = NULL;

	cr_assert_eq (inv->status, 201, "%s", inv->body);
	redeem = g_strdup_printf ("{\"code\":\"%s\"}", mvt_str (inv, "code"));
	r = call ("POST", "/v1/invites/redeem", NULL, redeem);
	cr_assert_eq (r->status, 201, "%s", r->body);
	return g_strdup (mvt_str (r, "token"));
}

/* rows of every table a patient's data lives in, and the clinic's audit size */
static gchar *
db_state (PGconn *conn, const gchar *clinic)
{
	static const gchar *const tables[]
		= { "patients",	       "patient_records", "patient_identifiers", "records",
		    "record_versions", "record_terms",	  "record_changes" };
	const gchar *v[] = { clinic };
	g_autoptr (GString) state = g_string_new (NULL);
	g_autofree gchar *audit = mvt_db_value (
		conn, "SELECT count(*) FROM audit_entries WHERE clinic_id = $1::text", 1, v);

	for (guint i = 0; i < G_N_ELEMENTS (tables); i++) {
		g_autofree gchar *sql = g_strdup_printf (
			"SELECT count(*) FROM %s WHERE clinic_id = $1::uuid", tables[i]);
		g_autofree gchar *n = mvt_db_value (conn, sql, 1, v);
		g_string_append_printf (state, "%s=%s ", tables[i], n);
	}
	g_string_append_printf (state, "audit=%s", audit);
	return g_string_free (g_steal_pointer (&state), FALSE);
}

static const gchar PROFILE[]
	= "{\"mrn\":\"E2E-0001\",\"name\":{\"given\":\"Wenjing\",\"family\":\"Zhaoxiang\"},"
	  "\"birth_date\":\"1949-12-31\",\"sex_at_birth\":\"female\",\"language\":\"zh-Hans\","
	  "\"identifiers\":[{\"system\":\"resident-id\",\"value\":\"%s\"}]}";

static gchar *
register_patient (const MvtClinic *c, PGconn *conn)
{
	g_autofree gchar *bad = g_strdup_printf (PROFILE, RESIDENT_ID_BAD);
	g_autofree gchar *good = g_strdup_printf (PROFILE, RESIDENT_ID);
	g_autofree gchar *before = db_state (conn, c->id);
	g_autofree gchar *after = NULL;
	g_autoptr (MvtResponse) refused
		= call_in ("zh-CN", "POST", "/v1/patients", c->clinician, bad);
	g_autoptr (MvtResponse) created = NULL;
	JsonObject *error;
	JsonObject *detail;

	mvt_assert_error (refused, 422, "invalid-input");
	error = json_object_get_object_member (obj (refused), "error");
	detail = json_array_get_object_element (json_object_get_array_member (error, "details"), 0);
	cr_assert_str_eq (json_object_get_string_member (detail, "field"), "/identifiers/0/value");
	cr_assert_str_eq (json_object_get_string_member (detail, "code"), "invalid-checksum");
	cr_assert (has_cjk (json_object_get_string_member (detail, "message")), "%s",
		   refused->body);
	cr_assert_null (strstr (refused->body, RESIDENT_ID_BAD), "the number was quoted back");
	after = db_state (conn, c->id);
	cr_assert_str_eq (before, after, "a refused patient wrote something");

	created = call ("POST", "/v1/patients", c->clinician, good);
	cr_assert_eq (created->status, 201, "%s", created->body);
	return g_strdup (mvt_str (created, "id"));
}

Test (e2e, a_clinic_keeps_and_reads_back_a_whole_clinical_record)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (MvtClinic) a = { 0 };
	g_auto (MvtClinic) b = { 0 };
	PGconn *conn = mvt_db_connect (dir);
	g_autofree gchar *pid = NULL, *other = NULL, *bp = NULL, *glucose = NULL, *cond = NULL;
	g_autofree gchar *allergy = NULL, *med = NULL, *enc = NULL, *note = NULL, *me = NULL;

	mvt_clinic_make (url (), dir, &a);
	mvt_clinic_make (url (), dir, &b);
	pid = register_patient (&a, conn);
	{
		/* the resident ID finds the patient, full-width digits too */
		g_autoptr (MvtResponse) r
			= call ("GET",
				"/v1/patients?identifier=resident-id%7C"
				"%EF%BC%91%EF%BC%91%EF%BC%90%EF%BC%91%EF%BC%90%EF%BC%95"
				"19491231002x",
				a.clinician, NULL);
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_assert_not_null (strstr (r->body, pid), "%s", r->body);
	}
	bp = record (&a, pid, "observations",
		     "{\"code\":\"85354-9\",\"effective_at\":\"2026-12-01T08:00:00+08:00\","
		     "\"source\":\"clinician\",\"components\":[{\"code\":\"8480-6\",\"value\":142,"
		     "\"unit\":\"mm[Hg]\"},{\"code\":\"8462-4\",\"value\":91,\"unit\":\"mmHg\"}]}");
	glucose = record (&a, pid, "observations",
			  "{\"code\":\"2339-0\",\"value\":100,\"unit\":\"mg/dL\","
			  "\"effective_at\":\"2026-12-01T08:05:00+08:00\",\"source\":\"device\"}");
	cond = record (&a, pid, "conditions",
		       "{\"code\":{\"system\":\"icd-10-cn\",\"code\":\"I10.x00x002\"},"
		       "\"clinical_status\":\"active\",\"verification_status\":\"confirmed\","
		       "\"onset\":\"2019-03-01\"}");
	allergy = record (&a, pid, "allergies",
			  "{\"substance\":{\"system\":\"rxnorm\",\"code\":\"7980\"},"
			  "\"reactions\":[{\"text\":\"urticaria\"}],\"severity\":\"moderate\","
			  "\"category\":\"medication\"}");
	med = record (
		&a, pid, "medications",
		"{\"name\":\"amlodipine 5 mg\",\"code\":{\"system\":\"atc\",\"code\":"
		"\"C08CA01\"},\"dose\":{\"value\":5,\"unit\":\"mg\"},\"frequency\":{\"times\":1,"
		"\"period\":1,\"period_unit\":\"d\"},\"status\":\"active\"}");
	enc = record (&a, pid, "encounters",
		      "{\"class\":\"ambulatory\",\"start\":\"2026-12-01T09:00:00+08:00\","
		      "\"end\":\"2026-12-01T09:20:00+08:00\",\"reason\":{\"text\":\"dizziness\"}}");
	note = record (&a, pid, "notes",
		       "{\"text\":\"Severe headache for 3 days, no fever. Father had a stroke.\","
		       "\"language\":\"en\",\"parse\":true}");
	{
		g_autoptr (MvtResponse) r = read_back (a.clinician, pid, "observations", bp);
		JsonArray *components = json_object_get_array_member (obj (r), "components");
		cr_assert_eq (json_array_get_length (components), 2, "%s", r->body);
		cr_assert_not_null (strstr (r->body, "8480-6"));
		cr_assert_not_null (strstr (r->body, "\"mm[Hg]\""), "%s", r->body);
	}
	{
		g_autoptr (MvtResponse) r = read_back (a.clinician, pid, "observations", glucose);
		JsonObject *o = obj (r);
		JsonObject *original = json_object_get_object_member (o, "original");
		cr_assert_str_eq (json_object_get_string_member (o, "unit"), "mmol/L");
		cr_assert_float_eq (json_object_get_double_member (o, "value"), 5.55, 0.005, "%s",
				    r->body);
		cr_assert_not_null (original, "%s", r->body);
		cr_assert_eq (json_node_get_double (json_object_get_member (original, "value")),
			      100.0);
		cr_assert_str_eq (json_object_get_string_member (original, "unit"), "mg/dL");
	}
	{
		g_autoptr (MvtResponse) r = read_back (a.clinician, pid, "conditions", cond);
		JsonObject *code = json_object_get_object_member (obj (r), "code");
		cr_assert_str_eq (json_object_get_string_member (code, "code"), "I10.x00x002");
		cr_assert (
			g_str_has_prefix (json_object_get_string_member (code, "system"), "urn:"),
			"the system is named as a URI: %s", r->body);
	}
	{
		g_autoptr (MvtResponse) al = read_back (a.clinician, pid, "allergies", allergy);
		g_autoptr (MvtResponse) m = read_back (a.clinician, pid, "medications", med);
		g_autoptr (MvtResponse) e = read_back (a.clinician, pid, "encounters", enc);
		cr_assert_str_eq (json_object_get_string_member (obj (al), "severity"), "moderate");
		cr_assert_str_eq (json_object_get_string_member (obj (m), "status"), "active");
		cr_assert_str_eq (json_object_get_string_member (obj (e), "class"), "ambulatory");
	}
	{
		g_autoptr (MvtResponse) r = read_back (a.clinician, pid, "notes", note);
		JsonObject *findings = json_object_get_object_member (obj (r), "findings");
		JsonObject *parser;
		cr_assert_not_null (findings, "%s", r->body);
		parser = json_object_get_object_member (findings, "parser");
		cr_assert_str_eq (json_object_get_string_member (parser, "name"), "symptom-parser");
		cr_assert_gt (strlen (json_object_get_string_member (parser, "version")), 0);
		cr_assert_not_null (strstr (r->body, "HP:0002315"), "headache found: %s", r->body);
		cr_assert_not (json_object_has_member (obj (r), "parse"));
	}
	{
		/* a change of the glucose, then its history and its first version */
		g_autofree gchar *path
			= g_strdup_printf ("/v1/patients/%s/observations/%s", pid, glucose);
		g_autofree gchar *hist = g_strdup_printf ("%s/history", path);
		g_autofree gchar *v1 = g_strdup_printf ("%s/versions/1", path);
		const gchar *const headers[] = { "If-Match", "\"1\"", NULL };
		MvtRequest req = { .base_url = url (),
				   .method = "PATCH",
				   .path = path,
				   .content_type = "application/merge-patch+json",
				   .body = "{\"value\":6.1,\"unit\":\"mmol/L\"}",
				   .len = -1,
				   .token = a.clinician,
				   .headers = headers };
		g_autoptr (MvtResponse) p = mvt_request (&req);
		g_autoptr (MvtResponse) h = call ("GET", hist, a.clinician, NULL);
		g_autoptr (MvtResponse) first = call ("GET", v1, a.clinician, NULL);
		cr_assert_eq (p->status, 200, "%s", p->body);
		cr_assert_eq (h->status, 200, "%s", h->body);
		cr_assert_eq (
			json_array_get_length (json_object_get_array_member (obj (h), "versions")),
			2);
		cr_assert_eq (first->status, 200, "%s", first->body);
		cr_assert_not_null (strstr (first->body, "mg/dL"), "%s", first->body);
	}
	{
		/* a code filter names its system as records do (alias or URI) or not at all; an
		 * unknown system is refused, not an empty list */
		g_autofree gchar *alias = g_strdup_printf (
			"/v1/patients/%s/observations?code=loinc%%7C2339-0", pid);
		g_autofree gchar *bare
			= g_strdup_printf ("/v1/patients/%s/conditions?code=I10.x00x002", pid);
		g_autofree gchar *unknown = g_strdup_printf (
			"/v1/patients/%s/conditions?code=bogus%%7CI10.x00x002", pid);
		g_autoptr (MvtResponse) a1 = call ("GET", alias, a.clinician, NULL);
		g_autoptr (MvtResponse) b1 = call ("GET", bare, a.clinician, NULL);
		g_autoptr (MvtResponse) u1 = call ("GET", unknown, a.clinician, NULL);
		g_autoptr (MvtResponse) past
			= call ("GET", "/v1/patients/changes?since=99999999", a.clinician, NULL);
		cr_assert_eq (a1->status, 200, "%s", a1->body);
		cr_assert_not_null (strstr (a1->body, glucose), "%s", a1->body);
		cr_assert_null (strstr (a1->body, bp), "%s", a1->body);
		cr_assert_not_null (strstr (b1->body, cond), "%s", b1->body);
		mvt_assert_error (u1, 422, "invalid-input");
		mvt_assert_error (past, 422, "invalid-input");
		{
			/* a forged cursor in a form PostgreSQL reads differently (a week date, a
			 * time without a zone) is refused, never sent to the query */
			static const gchar *const forms[]
				= { "2026-W48-1T00:00:00Z", "2026-12-01T08:00:00" };
			for (guint i = 0; i < G_N_ELEMENTS (forms); i++) {
				g_autofree gchar *plain = g_strdup_printf ("%s|%s", forms[i], bp);
				g_autofree gchar *b64
					= g_base64_encode ((const guchar *)plain, strlen (plain));
				g_autofree gchar *escaped = g_uri_escape_string (b64, NULL, FALSE);
				g_autofree gchar *path = g_strdup_printf (
					"/v1/patients/%s/observations?cursor=%s", pid, escaped);
				g_autoptr (MvtResponse) r = call ("GET", path, a.clinician, NULL);
				mvt_assert_error (r, 422, "invalid-input");
			}
		}
	}
	{
		/* the change feed from the start: the patient and its eight records, ids and
		 * versions only */
		g_autoptr (GHashTable) seen
			= g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
		g_autofree gchar *since = g_strdup ("0");
		for (guint round = 0; round < 100; round++) {
			g_autofree gchar *path
				= g_strdup_printf ("/v1/patients/changes?since=%s&limit=3", since);
			g_autoptr (MvtResponse) f = call ("GET", path, a.clinician, NULL);
			JsonArray *changes;
			cr_assert_eq (f->status, 200, "%s", f->body);
			cr_assert_null (strstr (f->body, "I10.x00x002"));
			cr_assert_null (strstr (f->body, "mmol"));
			changes = json_object_get_array_member (obj (f), "changes");
			for (guint i = 0; i < json_array_get_length (changes); i++) {
				JsonObject *c = json_array_get_object_element (changes, i);
				if (json_object_get_string_member_with_default (c, "record_id",
										NULL)
				    != NULL)
					g_hash_table_add (seen,
							  g_strdup (json_object_get_string_member (
								  c, "record_id")));
			}
			if (json_array_get_length (changes) == 0)
				break;
			g_free (since);
			since = g_strdup_printf ("%" G_GINT64_FORMAT,
						 json_object_get_int_member (obj (f), "next"));
		}
		cr_assert (g_hash_table_contains (seen, bp));
		cr_assert (g_hash_table_contains (seen, note));
		cr_assert (g_hash_table_contains (seen, enc));
	}
	{
		/* the patient's own key: its own record, and nothing of another patient or clinic
		 */
		g_autofree gchar *mine = NULL, *theirs = NULL, *theirs_rec = NULL;
		other = g_strdup_printf ("{\"mrn\":\"E2E-0002\",\"name\":{\"given\":\"B\"}}");
		{
			g_autoptr (MvtResponse) r
				= call ("POST", "/v1/patients", a.clinician, other);
			cr_assert_eq (r->status, 201, "%s", r->body);
			g_free (other);
			other = g_strdup (mvt_str (r, "id"));
		}
		me = invite_token (&a, pid);
		mine = g_strdup_printf ("/v1/me/observations/%s", glucose);
		theirs = g_strdup_printf ("/v1/patients/%s/observations", other);
		theirs_rec = g_strdup_printf ("/v1/patients/%s/observations/%s", pid, glucose);
		{
			g_autoptr (MvtResponse) list
				= call ("GET", "/v1/me/observations", me, NULL);
			g_autoptr (MvtResponse) one = call ("GET", mine, me, NULL);
			g_autoptr (MvtResponse) notes = call ("GET", "/v1/me/notes", me, NULL);
			g_autoptr (MvtResponse) other_patient = call ("GET", theirs, me, NULL);
			g_autoptr (MvtResponse) write
				= call ("POST", "/v1/me/observations", me,
					"{\"code\":\"8867-4\",\"value\":70,\"unit\":\"/min\","
					"\"effective_at\":\"2026-12-01T08:00:00Z\"}");
			g_autoptr (MvtResponse) other_clinic
				= call ("GET", theirs_rec, b.clinician, NULL);
			cr_assert_eq (list->status, 200, "%s", list->body);
			cr_assert_eq (json_array_get_length (json_object_get_array_member (
					      obj (list), "observations")),
				      2);
			cr_assert_eq (one->status, 200, "%s", one->body);
			cr_assert_eq (notes->status, 200, "%s", notes->body);
			mvt_assert_error (other_patient, 404, "not-found");
			cr_assert (write->status == 404 || write->status == 405, "%u %s",
				   write->status, write->body);
			mvt_assert_error (other_clinic, 404, "not-found");
		}
	}
	PQfinish (conn);
}

/* An empty merge patch of the profile (or one that changes nothing) writes no version. */
Test (e2e, an_empty_profile_patch_writes_no_version)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (MvtClinic) a = { 0 };
	PGconn *conn = mvt_db_connect (dir);
	g_autofree gchar *pid = NULL, *path = NULL, *before = NULL, *after = NULL;
	const gchar *const match1[] = { "If-Match", "\"1\"", NULL };
	static const gchar *const bodies[] = { "{}", "{\"mrn\":\"E2E-EMPTY\"}" };

	mvt_clinic_make (url (), dir, &a);
	{
		g_autoptr (MvtResponse) r
			= call ("POST", "/v1/patients", a.clinician,
				"{\"mrn\":\"E2E-EMPTY\",\"name\":{\"given\":\"x\"}}");
		cr_assert_eq (r->status, 201, "%s", r->body);
		pid = g_strdup (mvt_str (r, "id"));
	}
	path = g_strdup_printf ("/v1/patients/%s", pid);
	before = mvt_db_value (conn,
			       "SELECT count(*) FROM record_versions WHERE patient_id = $1::uuid",
			       1, (const gchar *const[]){ pid });
	for (guint i = 0; i < G_N_ELEMENTS (bodies); i++) {
		MvtRequest req = { .base_url = url (),
				   .method = "PATCH",
				   .path = path,
				   .content_type = "application/merge-patch+json",
				   .body = bodies[i],
				   .len = -1,
				   .token = a.clinician,
				   .headers = match1 };
		g_autoptr (MvtResponse) r = mvt_request (&req);
		cr_assert_eq (r->status, 200, "%s", r->body);
		cr_assert_str_eq (r->etag, "\"1\"");
		cr_assert_eq (json_object_get_int_member (obj (r), "version"), 1);
	}
	after = mvt_db_value (conn,
			      "SELECT count(*) FROM record_versions WHERE patient_id = $1::uuid", 1,
			      (const gchar *const[]){ pid });
	cr_assert_str_eq (before, after, "an empty patch wrote a version");
	PQfinish (conn);
}

/* One body per kind with several mistakes: every one listed, with its field, in Chinese. */
Test (e2e, bad_input_of_every_kind_is_listed_in_chinese_and_writes_nothing)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (MvtClinic) a = { 0 };
	PGconn *conn = mvt_db_connect (dir);
	g_autofree gchar *pid = NULL, *before = NULL, *after = NULL, *long_note = NULL;
	g_autoptr (GString) huge = g_string_new ("{\"text\":\"");
	struct {
		const gchar *plural;
		const gchar *body;
		const gchar *fields[4];
	} cases[] = {
		{ "observations",
		  "{\"code\":\"8310-5\",\"value\":50,\"unit\":\"Cel\","
		  "\"effective_at\":\"2026-12-01T08:00:00Z\",\"source\":\"neighbour\"}",
		  { "/value", "/source" } },
		{ "observations",
		  "{\"observations\":[{\"code\":\"8867-4\",\"value\":400,\"unit\":\"/min\","
		  "\"effective_at\":\"2026-12-01T08:00:00Z\"},{\"code\":\"8867-4\",\"value\":"
		  "\"72\","
		  "\"unit\":\"furlongs\",\"effective_at\":\"tomorrow\"}]}",
		  { "/observations/0/value", "/observations/1/value",
		    "/observations/1/effective_at" } },
		{ "conditions",
		  "{\"code\":{\"system\":\"http://example.org/icd\",\"code\":\"I10\"},"
		  "\"clinical_status\":\"better\"}",
		  { "/code/system", "/clinical_status" } },
		{ "conditions",
		  "{\"code\":{\"system\":\"icd-10-cn\",\"code\":\"I10.y00\"},\"onset\":5}",
		  { "/code/code", "/onset" } },
		{ "allergies",
		  "{\"substance\":{\"system\":\"rxnorm\",\"code\":\"0\"},\"severity\":9}",
		  { "/substance/code", "/severity" } },
		{ "medications",
		  "{\"name\":\"\",\"status\":\"maybe\",\"id\":\"x\"}",
		  { "/name", "/status", "/id" } },
		{ "encounters",
		  "{\"class\":\"spa\",\"start\":\"2026-12-01T10:00:00Z\",\"end\":"
		  "\"2026-12-01T09:00:00Z\"}",
		  { "/class", "/end" } },
		{ "notes", NULL, { "/text" } },
	};

	for (guint i = 0; i < 20001; i++)
		g_string_append_c (huge, 'a');
	g_string_append (huge, "\",\"language\":\"klingon-and-more-than-eight\"}");
	long_note = g_string_free (g_steal_pointer (&huge), FALSE);
	cases[G_N_ELEMENTS (cases) - 1].body = long_note;
	mvt_clinic_make (url (), dir, &a);
	{
		g_autoptr (MvtResponse) r
			= call ("POST", "/v1/patients", a.clinician,
				"{\"mrn\":\"E2E-BAD\",\"name\":{\"given\":\"x\"}}");
		cr_assert_eq (r->status, 201, "%s", r->body);
		pid = g_strdup (mvt_str (r, "id"));
	}
	before = db_state (conn, a.id);
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autofree gchar *path
			= g_strdup_printf ("/v1/patients/%s/%s", pid, cases[i].plural);
		g_autoptr (MvtResponse) r
			= call_in ("zh-CN", "POST", path, a.clinician, cases[i].body);
		JsonObject *error;
		JsonArray *details;

		mvt_assert_error (r, 422, "invalid-input");
		cr_assert_str_eq (mvt_response_header (r, "Content-Language"), "zh-Hans");
		error = json_object_get_object_member (obj (r), "error");
		cr_assert (has_cjk (json_object_get_string_member (error, "message")), "%s",
			   r->body);
		details = json_object_get_array_member (error, "details");
		cr_assert_not_null (details, "case %u: %s", i, r->body);
		for (guint f = 0; f < G_N_ELEMENTS (cases[i].fields) && cases[i].fields[f]; f++) {
			gboolean found = FALSE;
			for (guint d = 0; d < json_array_get_length (details); d++) {
				JsonObject *p = json_array_get_object_element (details, d);
				found = found
					|| g_str_equal (json_object_get_string_member (p, "field"),
							cases[i].fields[f]);
				cr_assert (has_cjk (json_object_get_string_member (p, "message")),
					   "case %u: %s", i, r->body);
			}
			cr_expect (found, "case %u: no problem at %s in %.600s", i,
				   cases[i].fields[f], r->body);
		}
	}
	{
		/* the limit is named: 45 °C for a body temperature, in the message */
		g_autofree gchar *path = g_strdup_printf ("/v1/patients/%s/observations", pid);
		g_autoptr (MvtResponse) r
			= call ("POST", path, a.clinician,
				"{\"code\":\"8310-5\",\"value\":50,\"unit\":\"Cel\","
				"\"effective_at\":\"2026-12-01T08:00:00Z\"}");
		g_autoptr (MvtResponse) invalid_utf8 = NULL;
		MvtRequest req = { .base_url = url (),
				   .method = "POST",
				   .path = path,
				   .content_type = "application/json",
				   .body = "{\"code\":\"8867-4\",\"note\":\"\xff\xfe\"}",
				   .len = -1,
				   .token = a.clinician };
		mvt_assert_error (r, 422, "invalid-input");
		cr_assert_not_null (strstr (r->body, "45"), "%s", r->body);
		invalid_utf8 = mvt_request (&req);
		mvt_assert_error (invalid_utf8, 400, "malformed");
	}
	after = db_state (conn, a.id);
	cr_assert_str_eq (before, after, "a refused request wrote something");
	PQfinish (conn);
}

/* No value, code, name or identifier of the test data in pg_dump (bytea in hex and escape
 * form), in any table's raw rows, nor in the daemon's log. */
Test (e2e, no_test_datum_appears_in_the_database_or_the_log)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (MvtClinic) a = { 0 };
	PGconn *conn = mvt_db_connect (dir);
	g_autofree gchar *pid = NULL, *log = NULL;
	static const gchar *const needles[] = { "Quilliamtrude",
						"Vantablossom",
						"QX-88214-TT",
						"11010519491231002X",
						"+8613911112222",
						"quilliam@example.org",
						"朝阳区",
						"Zorbulax",
						"I10.x00x002",
						"85354-9",
						"2339-0",
						"C08CA01",
						"Gloxiphrine",
						"Plumbridge Clinic",
						NULL };

	mvt_clinic_make (url (), dir, &a);
	{
		g_autoptr (MvtResponse) r = call (
			"POST", "/v1/patients", a.clinician,
			"{\"mrn\":\"QX-88214-TT\",\"name\":{\"given\":\"Quilliamtrude\",\"family\":"
			"\"Vantablossom\"},\"identifiers\":[{\"system\":\"resident-id\",\"value\":"
			"\"11010519491231002X\"}],\"telecom\":[{\"system\":\"phone\",\"value\":"
			"\"+8613911112222\"},{\"system\":\"email\",\"value\":\"quilliam@example."
			"org\"}],"
			"\"address\":{\"province\":\"北京市\",\"district\":\"朝阳区\",\"country\":"
			"\"CN\"}}");
		cr_assert_eq (r->status, 201, "%s", r->body);
		pid = g_strdup (mvt_str (r, "id"));
	}
	g_free (record (&a, pid, "observations",
			"{\"code\":\"85354-9\",\"effective_at\":\"2026-12-01T08:00:00Z\","
			"\"components\":[{\"code\":\"8480-6\",\"value\":133,\"unit\":\"mmHg\"},"
			"{\"code\":\"8462-4\",\"value\":87,\"unit\":\"mmHg\"}]}"));
	g_free (record (&a, pid, "observations",
			"{\"code\":\"2339-0\",\"value\":127,\"unit\":\"mg/dL\","
			"\"effective_at\":\"2026-12-01T08:00:00Z\"}"));
	g_free (record (&a, pid, "conditions",
			"{\"code\":{\"system\":\"icd-10-cn\",\"code\":\"I10.x00x002\"}}"));
	g_free (record (
		&a, pid, "medications",
		"{\"name\":\"Gloxiphrine\",\"code\":{\"system\":\"atc\",\"code\":\"C08CA01\"}}"));
	g_free (record (&a, pid, "encounters",
			"{\"class\":\"ambulatory\",\"start\":\"2026-12-01T09:00:00Z\","
			"\"department\":\"Plumbridge Clinic\"}"));
	g_free (record (&a, pid, "notes",
			"{\"text\":\"Zorbulax reports a cough and fever.\",\"parse\":true}"));
	{
		/* every read path runs once, so its logging is searched too */
		g_autofree gchar *list = g_strdup_printf (
			"/v1/patients/%s/observations?code=http%%3A%%2F%%2Floinc.org%%7C2339-0",
			pid);
		g_autofree gchar *export = g_strdup_printf ("/v1/patients/%s/export", pid);
		g_autoptr (MvtResponse) l = call ("GET", list, a.clinician, NULL);
		g_autoptr (MvtResponse) e = call ("GET", export, a.clinician, NULL);
		g_autoptr (MvtResponse) s
			= call ("GET", "/v1/patients?identifier=resident-id%7C11010519491231002X",
				a.clinician, NULL);
		cr_assert_eq (l->status, 200, "%s", l->body);
		cr_assert_not_null (strstr (l->body, "2339-0"));
		cr_assert_eq (e->status, 200, "%s", e->body);
		cr_assert_not_null (strstr (e->body, "Zorbulax"));
		cr_assert_not_null (strstr (s->body, pid), "%s", s->body);
	}
	log = mvt_shared_log ();
	mvt_assert_appears_nowhere (dir, needles, log);
	PQfinish (conn);
}

int
main (int argc, char **argv)
{
	const gchar *plugins[] = { mvt_getenv ("MVT_SYMPTOM_PARSER"), NULL };
	g_autofree gchar *config
		= g_strdup_printf ("[auth]\nrate-limit-per-second=1000\nrate-limit-burst=1000\n"
				   "[plugin.symptom-parser]\ndata-dir=%s\n",
				   mvt_getenv ("MVT_SYMPTOM_PARSER_DATA"));
	MvtOptions options = { .extra_plugins = plugins, .config = config };

	return mvt_main (argc, argv, &options);
}
