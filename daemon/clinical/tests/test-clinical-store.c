/* The clinical store against a real PostgreSQL: create (one and batches, all or none), read,
 * list with filters and cursor paging, update with If-Match and empty patches,
 * entered-in-error, history and versions, the change feed (gap-free under concurrent writers,
 * the profile's changes and shredding included), isolation by clinic and patient, per-patient
 * blind indexes, and nothing written on refusal.  Only behaviour that holds for any kind: a
 * note {"text"} and an observation with a LOINC code. */
#include <criterion/criterion.h>
#include <medverse/mv-error.h>
#include <string.h>

#include "mv-clinical-store.h"
#include "mv-crypto.h"
#include "mv-db.h"
#include "mv-patients-test.h"

static MvClinicalStore *store;

static void
setup (void)
{
	mvt_patients_setup ();
	store = mv_clinical_store_new (mvt.services);
}

static void
teardown (void)
{
	g_clear_pointer (&store, mv_clinical_store_free);
	mvt_patients_teardown ();
}

TestSuite (clinical, .init = setup, .fini = teardown, .timeout = 120);

#define PULSE                                                                                      \
	"{\"code\":{\"system\":\"http://loinc.org\",\"code\":\"8867-4\"},\"value\":%d,"            \
	"\"unit\":\"/min\",\"effective_at\":\"2026-11-%02dT08:00:00Z\"}"

#define PULSE_OK                                                                                   \
	"{\"code\":{\"system\":\"http://loinc.org\",\"code\":\"8867-4\"},\"value\":72,"            \
	"\"unit\":\"/min\","                                                                       \
	"\"effective_at\":\"2026-11-01T08:00:00Z\"}"

static MvClinicalCall
call_as (const MvAuthContext *caller)
{
	return (MvClinicalCall){ .caller = caller, .request_id = "req-test", .language = "en" };
}

static const MvClinicalKind *
kind (const gchar *name)
{
	const MvClinicalKind *k = mv_clinical_kind_lookup (name);
	cr_assert_not_null (k);
	return k;
}

static gchar *
new_patient (const MvAuthContext *caller, const gchar *mrn)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *json
		= g_strdup_printf ("{\"mrn\":\"%s\",\"name\":{\"given\":\"x\"}}", mrn);
	g_autoptr (JsonObject) profile = mvt_patients_parse (json);
	gchar *id = mv_patient_store_create (mvt.store, caller, "req", profile, NULL, &error);

	cr_assert_not_null (id, "%s", error ? error->message : "");
	return id;
}

static JsonObject *
create (const MvAuthContext *caller, const gchar *kind_name, const gchar *pid, const gchar *json)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (JsonObject) body = mvt_patients_parse (json);
	MvClinicalCall call = call_as (caller);
	JsonObject *r = mv_clinical_store_create (store, &call, kind (kind_name), pid, body, NULL,
						  &error);

	cr_assert_not_null (r, "%s", error ? error->message : "");
	return r;
}

static gchar *
pulse (const gchar *pid, gint value, gint day)
{
	g_autofree gchar *json = g_strdup_printf (PULSE, value, day);
	g_autoptr (JsonObject) r = create (&mvt.clinician_a, "observation", pid, json);
	return g_strdup (json_object_get_string_member (r, "id"));
}

static gint64
count (const gchar *sql)
{
	g_autofree gchar *v = mvt_patients_query (sql, 0, NULL);
	return g_ascii_strtoll (v, NULL, 10);
}

/* every table the store writes, and the audit log */
static gchar *
snapshot (void)
{
	return g_strdup_printf ("%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT
				"/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT,
				count ("SELECT count(*) FROM records"),
				count ("SELECT count(*) FROM record_versions"),
				count ("SELECT count(*) FROM record_terms"),
				count ("SELECT count(*) FROM record_changes"),
				count ("SELECT count(*) FROM audit_entries"));
}

static JsonObject *
list (const MvAuthContext *caller, const gchar *pid, const MvClinicalQuery *q, GError **error)
{
	MvClinicalCall call = call_as (caller);
	return mv_clinical_store_list (store, &call, kind ("observation"), pid, q, error);
}

static guint
n_listed (JsonObject *page)
{
	return json_array_get_length (json_object_get_array_member (page, "observations"));
}

Test (clinical, create_and_read_back_a_sealed_record)
{
	g_autofree gchar *pid = new_patient (&mvt.clinician_a, "C-1");
	g_autoptr (JsonObject) made = create (&mvt.clinician_a, "observation", pid,
					      "{\"code\":{\"system\":\"http://loinc.org\",\"code\":"
					      "\"8867-4\"},\"value\":72,\"unit\":\"/min\","
					      "\"effective_at\":\"2026-11-01T08:00:00Z\"}");
	const gchar *rid = json_object_get_string_member (made, "id");
	MvClinicalCall call = call_as (&mvt.clinician_a);
	g_autoptr (GError) error = NULL;
	g_autoptr (JsonObject) got = NULL;
	g_autofree gchar *dump = NULL;

	cr_assert (g_uuid_string_is_valid (rid));
	cr_assert_eq (json_object_get_int_member (made, "version"), 1);
	cr_assert_str_eq (json_object_get_string_member (made, "record_status"), "current");
	cr_assert (g_str_has_suffix (json_object_get_string_member (made, "created_at"), "Z"));
	got = mv_clinical_store_get (store, &call, kind ("observation"), pid, rid, &error);
	cr_assert_not_null (got, "%s", error ? error->message : "");
	cr_assert_eq (json_object_get_int_member (got, "value"), 72);
	/* the effective time in clear, no code or value anywhere in the rows */
	cr_assert_eq (count ("SELECT count(*) FROM records WHERE effective_at = "
			     "'2026-11-01T08:00:00Z'"),
		      1);
	dump = mvt_patients_query (
		"SELECT string_agg(t::text, ',') FROM (SELECT r::text FROM records r UNION ALL "
		"SELECT v::text FROM record_versions v UNION ALL SELECT t::text FROM record_terms "
		"t "
		"UNION ALL SELECT c::text FROM record_changes c) t",
		0, NULL);
	cr_assert_null (strstr (dump, "8867"));
	cr_assert_null (strstr (dump, "loinc"));
	cr_assert_null (strstr (dump, "/min"));
	/* each code twice: with its system, and for any system */
	cr_assert_geq (count ("SELECT count(*) FROM record_terms"), 2);
	cr_assert_eq (count ("SELECT count(*) % 2 FROM record_terms"), 0);
	/* create appends one audit entry naming the patient, read another */
	cr_assert_eq (count ("SELECT count(*) FROM audit_entries WHERE action = "
			     "'observation.create' AND resource_id = (SELECT patient_id::text FROM "
			     "records LIMIT 1)"),
		      1);
	cr_assert_eq (count ("SELECT count(*) FROM audit_entries WHERE action = "
			     "'observation.read'"),
		      1);
}

Test (clinical, batch_is_all_or_nothing_and_lists_every_problem)
{
	g_autofree gchar *pid = new_patient (&mvt.clinician_a, "C-2");
	g_autoptr (GError) error = NULL;
	g_autoptr (JsonObject) bad = mvt_patients_parse (
		"{\"observations\":[" PULSE_OK ","
		"{\"code\":{\"system\":\"http://loinc.org\","
		"\"code\":\"8867-4\"},\"value\":\"high\"}," PULSE_OK ",{\"code\":5,"
		"\"effective_at\":\"yesterday\",\"value\":1}]}");
	MvClinicalCall call = call_as (&mvt.clinician_a);
	g_autofree gchar *before = snapshot ();
	g_autofree gchar *after = NULL;
	gboolean batch = FALSE;
	JsonObject *r;
	g_autoptr (JsonObject) good = NULL;
	g_autoptr (GHashTable) fields = g_hash_table_new (g_str_hash, g_str_equal);

	r = mv_clinical_store_create (store, &call, kind ("observation"), pid, bad, NULL, &error);
	cr_assert_null (r);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INVALID_INPUT));
	for (guint i = 0; i < mv_error_get_n_problems (error); i++)
		g_hash_table_add (fields, (gpointer)mv_error_get_problem (error, i)->field);
	cr_assert (g_hash_table_contains (fields, "/observations/1/value"));
	cr_assert (g_hash_table_contains (fields, "/observations/3/code"));
	cr_assert (g_hash_table_contains (fields, "/observations/3/effective_at"));
	after = snapshot ();
	cr_assert_str_eq (before, after, "a refused batch wrote something");
	g_clear_error (&error);

	good = mvt_patients_parse ("{\"observations\":[" PULSE_OK "," PULSE_OK "," PULSE_OK "]}");
	r = mv_clinical_store_create (store, &call, kind ("observation"), pid, good, &batch,
				      &error);
	cr_assert_not_null (r);
	cr_assert (batch);
	cr_assert_eq (json_array_get_length (json_object_get_array_member (r, "observations")), 3);
	json_object_unref (r);
	cr_assert_eq (count ("SELECT count(*) FROM records"), 3);
	/* one change per record, one audit entry for the request */
	cr_assert_eq (count ("SELECT count(*) FROM record_changes WHERE kind = 'observation'"), 3);
	cr_assert_eq (count ("SELECT count(*) FROM audit_entries WHERE action = "
			     "'observation.create'"),
		      1);
}

Test (clinical, list_pages_and_filters_by_code_and_date)
{
	g_autofree gchar *pid = new_patient (&mvt.clinician_a, "C-3");
	g_autoptr (GError) error = NULL;
	g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	g_autofree gchar *cursor = NULL;
	guint pages = 0;

	for (gint day = 1; day <= 7; day++)
		g_free (pulse (pid, 60 + day, day));
	g_autoptr (JsonObject) other
		= create (&mvt.clinician_a, "observation", pid,
			  "{\"code\":{\"system\":\"http://loinc.org\","
			  "\"code\":\"9279-1\"},\"value\":16,\"unit\":\"/min\","
			  "\"effective_at\":\"2026-11-20T08:00:00Z\"}");
	/* pages of 3, newest first, each record once */
	do {
		MvClinicalQuery q = { .limit = "3", .cursor = cursor };
		g_autoptr (JsonObject) page = list (&mvt.clinician_a, pid, &q, &error);
		JsonArray *items;
		cr_assert_not_null (page, "%s", error ? error->message : "");
		items = json_object_get_array_member (page, "observations");
		for (guint i = 0; i < json_array_get_length (items); i++) {
			const gchar *id = json_object_get_string_member (
				json_array_get_object_element (items, i), "id");
			cr_assert (g_hash_table_add (seen, g_strdup (id)), "listed twice");
		}
		if (pages == 0)
			cr_assert_str_eq (json_object_get_string_member (
						  json_array_get_object_element (items, 0), "id"),
					  json_object_get_string_member (other, "id"));
		g_free (cursor);
		cursor = g_strdup (
			json_object_get_string_member_with_default (page, "next_cursor", NULL));
		pages++;
	} while (cursor != NULL);
	cr_assert_eq (g_hash_table_size (seen), 8);
	cr_assert_eq (pages, 3);
	{
		MvClinicalQuery full = { .code = "http://loinc.org|8867-4" };
		MvClinicalQuery bare = { .code = "9279-1" };
		MvClinicalQuery none = { .code = "http://snomed.info/sct|8867-4" };
		MvClinicalQuery dates = { .from = "2026-11-03", .to = "2026-11-05T08:00:00Z" };
		g_autoptr (JsonObject) a = list (&mvt.clinician_a, pid, &full, &error);
		g_autoptr (JsonObject) b = list (&mvt.clinician_a, pid, &bare, &error);
		g_autoptr (JsonObject) c = list (&mvt.clinician_a, pid, &none, &error);
		g_autoptr (JsonObject) d = list (&mvt.clinician_a, pid, &dates, &error);
		cr_assert_eq (n_listed (a), 7);
		cr_assert_eq (n_listed (b), 1);
		cr_assert_eq (n_listed (c), 0);
		/* from inclusive, to exclusive: the 3rd and the 4th */
		cr_assert_eq (n_listed (d), 2);
	}
	{
		/* every bad parameter at once */
		MvClinicalQuery q = { .limit = "1001",
				      .cursor = "nope",
				      .from = "soon",
				      .to = "2026-11-05T08:00:00",
				      .include = "all" };
		g_autoptr (JsonObject) r = list (&mvt.clinician_a, pid, &q, &error);
		cr_assert_null (r);
		/* every one, the time without a zone included */
		cr_assert_eq (mv_error_get_n_problems (error), 5, "%s", error->message);
	}
}

Test (clinical, update_checks_if_match_and_an_empty_patch_writes_nothing)
{
	g_autofree gchar *pid = new_patient (&mvt.clinician_a, "C-4");
	g_autofree gchar *rid = pulse (pid, 72, 1);
	MvClinicalCall call = call_as (&mvt.clinician_a);
	g_autoptr (GError) error = NULL;
	g_autoptr (JsonObject) empty = json_object_new ();
	g_autoptr (JsonObject) patch = mvt_patients_parse ("{\"value\":80}");
	g_autoptr (JsonObject) bad = mvt_patients_parse ("{\"value\":\"x\",\"code\":null}");
	g_autoptr (JsonObject) same = mvt_patients_parse ("{\"value\":72}");
	g_autofree gchar *before = snapshot ();
	JsonObject *r;

	/* stale */
	r = mv_clinical_store_update (store, &call, kind ("observation"), pid, rid, patch, 2,
				      &error);
	cr_assert_null (r);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_PRECONDITION_FAILED));
	g_clear_error (&error);
	/* invalid: both problems, nothing written */
	r = mv_clinical_store_update (store, &call, kind ("observation"), pid, rid, bad, 1, &error);
	cr_assert_null (r);
	cr_assert_geq (mv_error_get_n_problems (error), 2, "%s", error->message);
	g_clear_error (&error);
	{
		g_autofree gchar *after = snapshot ();
		cr_assert_str_eq (before, after);
	}
	/* empty, and a patch equal to what is stored: version 1 stays, no version row */
	for (guint i = 0; i < 2; i++) {
		r = mv_clinical_store_update (store, &call, kind ("observation"), pid, rid,
					      i == 0 ? empty : same, 1, &error);
		cr_assert_not_null (r, "%s", error ? error->message : "");
		cr_assert_eq (json_object_get_int_member (r, "version"), 1);
		json_object_unref (r);
	}
	cr_assert_eq (count ("SELECT count(*) FROM record_versions WHERE kind = 'observation'"), 1);
	r = mv_clinical_store_update (store, &call, kind ("observation"), pid, rid, patch, 1,
				      &error);
	cr_assert_not_null (r, "%s", error ? error->message : "");
	cr_assert_eq (json_object_get_int_member (r, "version"), 2);
	cr_assert_eq (json_object_get_int_member (r, "value"), 80);
	json_object_unref (r);
	{
		g_autoptr (JsonObject) v1 = mv_clinical_store_get_version (
			store, &call, "observation", pid, rid, "1", &error);
		g_autoptr (JsonObject) h
			= mv_clinical_store_history (store, &call, "observation", pid, rid, &error);
		g_autoptr (JsonObject) v3 = NULL;
		JsonArray *versions;
		cr_assert_not_null (v1);
		cr_assert_eq (json_object_get_int_member (v1, "value"), 72);
		cr_assert_not_null (h);
		versions = json_object_get_array_member (h, "versions");
		cr_assert_eq (json_array_get_length (versions), 2);
		cr_assert_str_eq (json_object_get_string_member (
					  json_array_get_object_element (versions, 1), "actor"),
				  "ka-clinician");
		v3 = mv_clinical_store_get_version (store, &call, "observation", pid, rid, "3",
						    &error);
		cr_assert_null (v3);
		cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_NOT_FOUND));
	}
}

Test (clinical, entered_in_error_is_a_version_hidden_from_lists)
{
	g_autofree gchar *pid = new_patient (&mvt.clinician_a, "C-5");
	g_autofree gchar *rid = pulse (pid, 72, 1);
	g_autofree gchar *keep = pulse (pid, 73, 2);
	MvClinicalCall call = call_as (&mvt.clinician_a);
	g_autoptr (GError) error = NULL;
	g_autoptr (JsonObject) patch = mvt_patients_parse ("{\"value\":80}");
	JsonObject *r;

	r = mv_clinical_store_mark_entered_in_error (store, &call, kind ("observation"), pid, rid,
						     0, &error);
	cr_assert_not_null (r, "%s", error ? error->message : "");
	cr_assert_eq (json_object_get_int_member (r, "version"), 2);
	cr_assert_str_eq (json_object_get_string_member (r, "record_status"), "entered-in-error");
	json_object_unref (r);
	/* again: no new version */
	r = mv_clinical_store_mark_entered_in_error (store, &call, kind ("observation"), pid, rid,
						     0, &error);
	cr_assert_eq (json_object_get_int_member (r, "version"), 2);
	json_object_unref (r);
	/* readable, not changeable, not listed unless asked */
	r = mv_clinical_store_get (store, &call, kind ("observation"), pid, rid, &error);
	cr_assert_not_null (r);
	cr_assert_eq (json_object_get_int_member (r, "value"), 72);
	json_object_unref (r);
	r = mv_clinical_store_update (store, &call, kind ("observation"), pid, rid, patch, 2,
				      &error);
	cr_assert_null (r);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_CONFLICT));
	g_clear_error (&error);
	{
		MvClinicalQuery all = { .include = "entered-in-error" };
		g_autoptr (JsonObject) hidden = list (&mvt.clinician_a, pid, NULL, &error);
		g_autoptr (JsonObject) shown = list (&mvt.clinician_a, pid, &all, &error);
		cr_assert_eq (n_listed (hidden), 1);
		cr_assert_eq (n_listed (shown), 2);
	}
	cr_assert_eq (count ("SELECT count(*) FROM record_changes WHERE change = "
			     "'entered-in-error'"),
		      1);
}

Test (clinical, status_in_clear_cannot_be_flipped)
{
	g_autofree gchar *pid = new_patient (&mvt.clinician_a, "C-6");
	g_autofree gchar *rid = pulse (pid, 72, 1);
	MvClinicalCall call = call_as (&mvt.clinician_a);
	g_autoptr (GError) error = NULL;
	g_autoptr (JsonObject) r = NULL;
	g_autofree gchar *done1 = NULL;
	g_autofree gchar *done2 = NULL;

	done1 = mvt_patients_query ("UPDATE record_versions SET record_status = "
				    "'entered-in-error' WHERE kind = 'observation' RETURNING 1",
				    0, NULL);
	done2 = mvt_patients_query ("UPDATE records SET record_status = 'entered-in-error' "
				    "RETURNING 1",
				    0, NULL);
	cr_assert_str_eq (done1, "1");
	r = mv_clinical_store_get (store, &call, kind ("observation"), pid, rid, &error);
	cr_assert_null (r);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INTEGRITY));
}

Test (clinical, other_clinics_and_other_patients_get_not_found)
{
	g_autofree gchar *pid = new_patient (&mvt.clinician_a, "C-7");
	g_autofree gchar *other = new_patient (&mvt.clinician_a, "C-8");
	g_autofree gchar *rid = pulse (pid, 72, 1);
	MvAuthContext own = mvt_patients_patient_ctx (mvt.clinic_a, pid);
	MvAuthContext stranger = mvt_patients_patient_ctx (mvt.clinic_a, other);
	MvClinicalCall b = call_as (&mvt.clinician_b);
	MvClinicalCall s = call_as (&stranger);
	MvClinicalCall o = call_as (&own);
	g_autoptr (JsonObject) patch = mvt_patients_parse ("{\"value\":80}");
	g_autoptr (JsonObject) body = mvt_patients_parse ("{\"text\":\"x\"}");
	g_autofree gchar *before = snapshot ();
	const MvClinicalCall *strangers[] = { &b, &s };

	for (guint i = 0; i < G_N_ELEMENTS (strangers); i++) {
		const MvClinicalCall *c = strangers[i];
		GError *e = NULL;
		JsonObject *r;
		r = mv_clinical_store_get (store, c, kind ("observation"), pid, rid, &e);
		cr_assert (r == NULL && g_error_matches (e, MV_ERROR, MV_ERROR_NOT_FOUND));
		g_clear_error (&e);
		r = mv_clinical_store_list (store, c, kind ("observation"), pid, NULL, &e);
		cr_assert (r == NULL && g_error_matches (e, MV_ERROR, MV_ERROR_NOT_FOUND));
		g_clear_error (&e);
		r = mv_clinical_store_history (store, c, "observation", pid, rid, &e);
		cr_assert (r == NULL && g_error_matches (e, MV_ERROR, MV_ERROR_NOT_FOUND));
		g_clear_error (&e);
		r = mv_clinical_store_get_version (store, c, "profile", pid, pid, "1", &e);
		cr_assert (r == NULL && g_error_matches (e, MV_ERROR, MV_ERROR_NOT_FOUND));
		g_clear_error (&e);
	}
	{
		GError *e = NULL;
		JsonObject *r = mv_clinical_store_update (store, &b, kind ("observation"), pid, rid,
							  patch, 1, &e);
		cr_assert (r == NULL && g_error_matches (e, MV_ERROR, MV_ERROR_NOT_FOUND));
		g_clear_error (&e);
		r = mv_clinical_store_create (store, &b, kind ("note"), pid, body, NULL, &e);
		cr_assert (r == NULL && g_error_matches (e, MV_ERROR, MV_ERROR_NOT_FOUND));
		g_clear_error (&e);
		r = mv_clinical_store_mark_entered_in_error (store, &b, kind ("observation"), pid,
							     rid, 0, &e);
		cr_assert (r == NULL && g_error_matches (e, MV_ERROR, MV_ERROR_NOT_FOUND));
		g_clear_error (&e);
		/* the patient itself reads, never writes */
		r = mv_clinical_store_create (store, &o, kind ("note"), pid, body, NULL, &e);
		cr_assert (r == NULL && g_error_matches (e, MV_ERROR, MV_ERROR_FORBIDDEN));
		g_clear_error (&e);
	}
	{
		g_autofree gchar *after = snapshot ();
		g_autoptr (GError) e = NULL;
		g_autoptr (JsonObject) mine
			= mv_clinical_store_get (store, &o, kind ("observation"), pid, rid, &e);
		/* clinic B's refused calls are audited nowhere, the patient's are refused before */
		cr_assert_str_eq (before, after);
		cr_assert_not_null (mine, "%s", e ? e->message : "");
	}
}

Test (clinical, equal_codes_of_two_patients_have_unrelated_terms)
{
	g_autofree gchar *p1 = new_patient (&mvt.clinician_a, "C-9");
	g_autofree gchar *p2 = new_patient (&mvt.clinician_a, "C-10");

	g_free (pulse (p1, 72, 1));
	g_free (pulse (p2, 72, 1));
	cr_assert_geq (count ("SELECT count(DISTINCT term) FROM record_terms"), 4);
	/* the same code, indexed for each patient: no term in common */
	cr_assert_eq (count ("SELECT count(*) FROM record_terms a JOIN record_terms b ON "
			     "a.term = b.term AND a.patient_id <> b.patient_id"),
		      0);
}

static gpointer
writer (gpointer data)
{
	const gchar *pid = data;
	for (guint i = 0; i < 10; i++)
		g_free (pulse (pid, 60 + (gint)i, 1 + (gint)i));
	return NULL;
}

Test (clinical, change_feed_is_gap_free_under_concurrent_writers_and_covers_profiles)
{
	g_autofree gchar *p1 = new_patient (&mvt.clinician_a, "C-11");
	g_autofree gchar *p2 = new_patient (&mvt.clinician_a, "C-12");
	MvClinicalCall call = call_as (&mvt.clinician_a);
	g_autoptr (GError) error = NULL;
	GThread *t1 = g_thread_new ("w1", writer, p1);
	GThread *t2 = g_thread_new ("w2", writer, p2);
	g_autoptr (JsonObject) feed = NULL;
	g_autoptr (JsonObject) patch = mvt_patients_parse ("{\"notes\":\"n\"}");
	g_autoptr (JsonObject) profile = NULL;
	JsonArray *changes;

	g_thread_join (t1);
	g_thread_join (t2);
	/* 2 patient creates + 20 observations, numbered 1..22 */
	cr_assert_eq (count ("SELECT count(*) FROM record_changes"), 22);
	cr_assert_eq (count ("SELECT max(seq) FROM record_changes"), 22);
	feed = mv_clinical_store_changes (store, &call, "0", "5", &error);
	cr_assert_not_null (feed, "%s", error ? error->message : "");
	changes = json_object_get_array_member (feed, "changes");
	cr_assert_eq (json_array_get_length (changes), 5);
	cr_assert_eq (json_object_get_int_member (feed, "next"), 5);
	cr_assert_str_eq (
		json_object_get_string_member (json_array_get_object_element (changes, 0), "kind"),
		"patient");
	/* clinic B's feed is its own */
	{
		MvClinicalCall b = call_as (&mvt.clinician_b);
		g_autoptr (JsonObject) other
			= mv_clinical_store_changes (store, &b, NULL, NULL, &error);
		cr_assert_eq (
			json_array_get_length (json_object_get_array_member (other, "changes")), 0);
	}
	/* a profile update: its version kept, one change */
	profile = mv_patient_store_update (mvt.store, &mvt.clinician_a, "req", p1, patch, 1, NULL,
					   &error);
	cr_assert_not_null (profile, "%s", error ? error->message : "");
	{
		g_autoptr (JsonObject) h
			= mv_clinical_store_history (store, &call, "profile", p1, p1, &error);
		g_autoptr (JsonObject) v1 = mv_clinical_store_get_version (store, &call, "profile",
									   p1, p1, "1", &error);
		cr_assert_not_null (h, "%s", error ? error->message : "");
		cr_assert_eq (json_array_get_length (json_object_get_array_member (h, "versions")),
			      2);
		cr_assert_not_null (v1);
		cr_assert_not (json_object_has_member (
			json_object_get_object_member (v1, "profile"), "notes"));
	}
	cr_assert_eq (count ("SELECT max(seq) FROM record_changes"), 23);
	/* shredding: versions, terms and records go, one 'deleted' change stays */
	cr_assert (mv_patient_store_delete (mvt.store, &mvt.admin_a, "req", p1, "patient-request",
					    0, &error),
		   "%s", error ? error->message : "");
	cr_assert_eq (count ("SELECT count(*) FROM records WHERE patient_id = (SELECT patient_id "
			     "FROM patients WHERE deleted_at IS NOT NULL)"),
		      0);
	cr_assert_eq (count ("SELECT count(*) FROM record_versions WHERE patient_id = (SELECT "
			     "patient_id FROM patients WHERE deleted_at IS NOT NULL)"),
		      0);
	cr_assert_eq (count ("SELECT count(*) FROM record_changes WHERE seq = 24 AND change = "
			     "'deleted' AND version = 2"),
		      1);
	cr_assert_eq (count ("SELECT count(*) FROM records"), 10);
}
