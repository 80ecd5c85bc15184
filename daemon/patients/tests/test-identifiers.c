/* The identifiers' blind indexes against a real PostgreSQL: lookups by every system and by the
 * typed forms of one number, a duplicate identifier as a conflict naming its member with
 * nothing written, re-indexing on update, separation by clinic and system, shredding. */
#include <criterion/criterion.h>
#include <medverse/mv-error.h>
#include <string.h>

#include "mv-db.h"
#include "mv-patients-test.h"
#include "../../records/mv-clinic-keys.h"

TestSuite (identifiers, .init = mvt_patients_setup, .fini = mvt_patients_teardown, .timeout = 60);

#define RID "11010519491231002X"
#define RID2 "44030519900101123X"

static gchar *
create_with (const MvAuthContext *caller, const gchar *json)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (JsonObject) profile = mvt_patients_parse (json);
	gchar *id
		= mv_patient_store_create (mvt.store, caller, "req-create", profile, NULL, &error);

	cr_assert_not_null (id, "%s", error ? error->message : "");
	return id;
}

static gint64
count (const gchar *sql)
{
	g_autofree gchar *v = mvt_patients_query (sql, 0, NULL);
	return g_ascii_strtoll (v, NULL, 10);
}

static gchar *
snapshot (void)
{
	g_autofree gchar *rows = mvt_patients_query (
		"SELECT coalesce(string_agg(md5(i::text), ',' ORDER BY blind_index), '') FROM "
		"patient_identifiers i",
		0, NULL);

	return g_strdup_printf ("%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT
				"/%" G_GINT64_FORMAT "/%s",
				count ("SELECT count(*) FROM patients"),
				count ("SELECT count(*) FROM patient_records"),
				count ("SELECT count(*) FROM patient_identifiers"),
				count ("SELECT count(*) FROM audit_entries"), rows);
}

/* the patient found by @token, or NULL (asserting the only error is "not found") */
static gchar *
find (const MvAuthContext *caller, const gchar *token)
{
	g_autoptr (GError) error = NULL;
	gchar *id = mv_patient_store_find_by_identifier (mvt.store, caller, "r-find", token, NULL,
							 &error);

	if (id == NULL)
		cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_NOT_FOUND), "%s: %s", token,
			   error->message);
	return id;
}

static const gchar FULL[] = "{\"mrn\":\"JA20260032\",\"name\":{\"given\":\"磊\",\"family\":\"李\"},"
			    "\"identifiers\":[{\"system\":\"resident-id\",\"value\":\"" RID "\"},"
			    "{\"system\":\"insurance\",\"value\":\"SZ-0001-2345\"},"
			    "{\"system\":\"passport\",\"value\":\"E12345678\",\"issuer\":\"CN\"}]}";

Test (identifiers, lookup_by_every_system_and_typed_form)
{
	g_autofree gchar *id = create_with (&mvt.clinician_a, FULL);
	static const gchar *const hits[] = {
		"resident-id|" RID,
		"resident-id|１１０１０５１９４９１２３１００２ｘ",
		"resident-id|110105 19491231 002x",
		"insurance|sz00012345",
		"passport:CN|E12345678",
		"passport:cn|e1234 5678",
		"mrn|ＪＡ２０２６００３２",
		"mrn|ja-2026-0032",
	};
	static const gchar *const misses[] = {
		"insurance|" RID,	  /* the same number in another system */
		"passport:GB|E12345678",  /* another issuer */
		"resident-id|SZ00012345", /* the insurance number as a resident ID */
		"mrn|" RID,
	};

	for (guint i = 0; i < G_N_ELEMENTS (hits); i++) {
		g_autofree gchar *found = find (&mvt.clinician_a, hits[i]);
		cr_assert_str_eq (found, id, "%s", hits[i]);
	}
	for (guint i = 0; i < G_N_ELEMENTS (misses); i++) {
		g_autofree gchar *found = find (&mvt.clinician_a, misses[i]);
		cr_assert_null (found, "%s", misses[i]);
	}
	{
		/* another clinic's clinician: nothing, its keys index differently */
		g_autofree gchar *found = find (&mvt.clinician_b, "resident-id|" RID);
		cr_assert_null (found);
	}
	/* the rows hold indexes only: three systems, never a number */
	cr_assert_eq (count ("SELECT count(*) FROM patient_identifiers"), 3);
	/* an index is 64 hex digits, so a short digit run like 1949 turns up in one by chance
	 * (about 1 in 1,000 rows): look for whole numbers, which chance never writes */
	cr_assert_eq (
		count ("SELECT count(*) FROM patient_identifiers WHERE blind_index LIKE "
		       "'%19491231002%' OR blind_index LIKE '%00012345%' OR blind_index LIKE "
		       "'%e12345678%' OR system NOT IN ('resident-id','insurance','passport')"),
		0);
	{
		/* each search is audited, as the MRN's */
		const gchar *v[] = { mvt.clinic_a };
		g_autofree gchar *n = mvt_patients_query (
			"SELECT count(*) FROM audit_entries WHERE clinic_id = $1::text AND "
			"action = 'patient.search'",
			1, v);
		cr_assert_str_eq (n, "12");
	}
}

Test (identifiers, malformed_tokens_are_invalid_input)
{
	static const gchar *const bad[] = {
		"", RID, "ssn|123", "passport|E12345678", "resident-id:CN|" RID, "resident-id| - ",
	};
	g_autofree gchar *before = snapshot ();

	for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
		g_autoptr (GError) error = NULL;
		g_autofree gchar *id = mv_patient_store_find_by_identifier (
			mvt.store, &mvt.clinician_a, "r", bad[i], NULL, &error);
		cr_assert_null (id);
		cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INVALID_INPUT), "%s: %s",
			   bad[i], error->message);
		cr_assert_str_eq (mv_error_get_problem (error, 0)->field, "/identifier");
		cr_assert_null (strstr (error->message, "1949"), "%s", error->message);
	}
	{
		/* a patient key may not search */
		g_autoptr (GError) error = NULL;
		MvAuthContext patient = mvt_patients_patient_ctx (
			mvt.clinic_a, "00000000-0000-4000-8000-000000000001");
		cr_assert_null (mv_patient_store_find_by_identifier (
			mvt.store, &patient, "r", "resident-id|" RID, NULL, &error));
		cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_FORBIDDEN));
	}
	{
		g_autofree gchar *after = snapshot ();
		cr_assert_str_eq (before, after);
	}
}

/* A number another live patient of the clinic has: 409 naming the member, nothing written, no
 * unique violation (the statements check before they insert). */
Test (identifiers, duplicate_is_a_conflict_naming_the_member)
{
	g_autofree gchar *first = create_with (&mvt.clinician_a, FULL);
	g_autofree gchar *before = snapshot ();
	g_autoptr (JsonObject) dup = mvt_patients_parse (
		"{\"mrn\":\"OTHER-1\",\"name\":{\"given\":\"x\"},\"identifiers\":["
		"{\"system\":\"insurance\",\"value\":\"AB-1\"},"
		"{\"system\":\"resident-id\",\"value\":\"１１０１０５１９４９１２３１００２Ｘ\"}]"
		"}");
	g_autoptr (GError) error = NULL;
	g_autofree gchar *id
		= mv_patient_store_create (mvt.store, &mvt.clinician_a, "r", dup, NULL, &error);
	const MvErrorProblem *p;

	cr_assert_null (id);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_CONFLICT), "%s", error->message);
	cr_assert_eq (mv_error_get_n_problems (error), 1);
	p = mv_error_get_problem (error, 0);
	cr_assert_str_eq (p->field, "/identifiers/1/value");
	cr_assert_str_eq (p->code, "duplicate");
	cr_assert_not_null (strstr (mv_error_get_message_zh (error), "标识符"));
	cr_assert_null (strstr (error->message, "1949"));
	{
		g_autofree gchar *after = snapshot ();
		cr_assert_str_eq (before, after, "a refused create wrote something");
	}
	{
		/* the same number in another clinic is another patient's, no conflict */
		g_autofree gchar *b = create_with (&mvt.clinician_b, FULL);
		cr_assert_not_null (b);
	}
	{
		/* the same number in another system is no conflict either */
		g_autofree gchar *c = create_with (
			&mvt.clinician_a,
			"{\"mrn\":\"OTHER-2\",\"name\":{\"given\":\"y\"},\"identifiers\":["
			"{\"system\":\"insurance\",\"value\":\"" RID "\"}]}");
		cr_assert_not_null (c);
	}
}

Test (identifiers, update_reindexes_and_refuses_a_taken_number)
{
	g_autofree gchar *a = create_with (&mvt.clinician_a, FULL);
	g_autofree gchar *b = create_with (
		&mvt.clinician_a, "{\"mrn\":\"B-1\",\"name\":{\"given\":\"b\"},\"identifiers\":["
				  "{\"system\":\"resident-id\",\"value\":\"" RID2 "\"}]}");
	g_autoptr (GError) error = NULL;
	g_autoptr (JsonObject) out = NULL;

	{
		/* A's resident ID changes and its passport goes: the old numbers find nobody */
		g_autoptr (JsonObject) patch = mvt_patients_parse (
			"{\"identifiers\":[{\"system\":\"resident-id\",\"value\":"
			"\"650102198511110013\"},{\"system\":\"insurance\",\"value\":"
			"\"SZ00012345\"}]}");
		out = mv_patient_store_update (mvt.store, &mvt.clinician_a, "r", a, patch, 1, NULL,
					       &error);
		cr_assert_not_null (out, "%s", error ? error->message : "");
	}
	{
		g_autofree gchar *old = find (&mvt.clinician_a, "resident-id|" RID);
		g_autofree gchar *gone = find (&mvt.clinician_a, "passport:CN|E12345678");
		g_autofree gchar *now = find (&mvt.clinician_a, "resident-id|650102198511110013");
		g_autofree gchar *kept = find (&mvt.clinician_a, "insurance|SZ-0001-2345");
		cr_assert_null (old);
		cr_assert_null (gone);
		cr_assert_str_eq (now, a);
		cr_assert_str_eq (kept, a);
		cr_assert_eq (count ("SELECT count(*) FROM patient_identifiers"), 3);
	}
	{
		/* B takes A's number: 409 naming the member, B unchanged */
		g_autoptr (GError) e = NULL;
		g_autofree gchar *before = snapshot ();
		g_autoptr (JsonObject) patch = mvt_patients_parse (
			"{\"identifiers\":[{\"system\":\"resident-id\",\"value\":"
			"\"650102198511110013\"}]}");
		g_autoptr (JsonObject) refused = mv_patient_store_update (
			mvt.store, &mvt.clinician_a, "r", b, patch, 1, NULL, &e);
		g_autofree gchar *after = NULL;
		cr_assert_null (refused);
		cr_assert (g_error_matches (e, MV_ERROR, MV_ERROR_CONFLICT), "%s", e->message);
		cr_assert_str_eq (mv_error_get_problem (e, 0)->field, "/identifiers/0/value");
		after = snapshot ();
		cr_assert_str_eq (before, after);
	}
	{
		/* A's old resident ID is free now: B may take it */
		g_autoptr (GError) e = NULL;
		g_autoptr (JsonObject) patch = mvt_patients_parse (
			"{\"identifiers\":[{\"system\":\"resident-id\",\"value\":\"" RID "\"}]}");
		g_autoptr (JsonObject) ok = mv_patient_store_update (mvt.store, &mvt.clinician_a,
								     "r", b, patch, 1, NULL, &e);
		g_autofree gchar *found = NULL;
		cr_assert_not_null (ok, "%s", e ? e->message : "");
		found = find (&mvt.clinician_a, "resident-id|" RID);
		cr_assert_str_eq (found, b);
	}
}

Test (identifiers, shredding_removes_the_indexes)
{
	g_autofree gchar *a = create_with (&mvt.clinician_a, FULL);
	g_autoptr (GError) error = NULL;

	cr_assert_eq (count ("SELECT count(*) FROM patient_identifiers"), 3);
	cr_assert (mv_patient_store_delete (mvt.store, &mvt.admin_a, "r", a, "patient-request", 0,
					    &error),
		   "%s", error ? error->message : "");
	cr_assert_eq (count ("SELECT count(*) FROM patient_identifiers"), 0);
	{
		g_autofree gchar *found = find (&mvt.clinician_a, "resident-id|" RID);
		cr_assert_null (found);
	}
	{
		/* the numbers are free again: a new patient may have them */
		g_autofree gchar *again = create_with (&mvt.clinician_a, FULL);
		g_autofree gchar *found = find (&mvt.clinician_a, "passport:CN|E12345678");
		cr_assert_str_eq (found, again);
	}
}

static gboolean
rotate_txn (PGconn *conn, gpointer data, GError **error)
{
	guint n = 0;
	return mv_clinic_keys_rotate_conn (conn, mv_services_get_vault (mvt.services), data, &n,
					   error);
}

/* A clinic-key rotation changes the key every index is computed under: the identifiers are
 * re-indexed with the MRN, found as before, their rows all new. */
Test (identifiers, clinic_key_rotation_reindexes)
{
	g_autofree gchar *a = create_with (&mvt.clinician_a, FULL);
	g_autofree gchar *b = create_with (&mvt.clinician_b, FULL);
	g_autofree gchar *before_a = NULL;
	g_autofree gchar *before_b = NULL;
	g_autofree gchar *after_a = NULL;
	g_autofree gchar *after_b = NULL;
	g_autoptr (GError) error = NULL;
	const gchar *va[] = { mvt.clinic_a };
	const gchar *vb[] = { mvt.clinic_b };
	static const gchar sql[] = "SELECT string_agg(blind_index, ',' ORDER BY blind_index) FROM "
				   "patient_identifiers WHERE clinic_id = $1";

	before_a = mvt_patients_query (sql, 1, va);
	before_b = mvt_patients_query (sql, 1, vb);
	cr_assert (mv_db_transaction (mvt.db, rotate_txn, mvt.clinic_a, &error), "%s",
		   error ? error->message : "");
	after_a = mvt_patients_query (sql, 1, va);
	after_b = mvt_patients_query (sql, 1, vb);
	cr_assert_str_eq (before_b, after_b, "another clinic's indexes changed");
	cr_assert_str_neq (before_a, after_a);
	cr_assert_eq (count ("SELECT count(*) FROM patient_identifiers"), 6);
	{
		const gchar *tokens[] = { "resident-id|" RID, "insurance|SZ-0001-2345",
					  "passport:CN|E12345678", "mrn|JA20260032" };
		for (guint i = 0; i < G_N_ELEMENTS (tokens); i++) {
			g_autofree gchar *found = find (&mvt.clinician_a, tokens[i]);
			cr_assert_str_eq (found, a, "%s", tokens[i]);
		}
	}
}
