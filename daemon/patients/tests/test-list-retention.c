/* The patient store's list (keyset pages, an authenticated cursor) and its erasure rules (who,
 * why, the retention period, the operator's override), against a real PostgreSQL.  The HTTP
 * side of both is tests/integration-patients/test-patients-list.c. */
#include <criterion/criterion.h>
#include <medverse/mv-error.h>
#include <string.h>

#include "mv-db.h"
#include "mv-patients-test.h"

TestSuite (list_retention,
	   .init = mvt_patients_setup,
	   .fini = mvt_patients_teardown,
	   .timeout = 60);

static gchar *
create_patient (const MvAuthContext *caller, guint i)
{
	g_autoptr (GError) error = NULL;
	g_autofree gchar *json
		= g_strdup_printf ("{\"mrn\":\"LR-%u\",\"name\":{\"given\":\"p%u\"}}", i, i);
	g_autoptr (JsonObject) profile = mvt_patients_parse (json);
	gchar *id = mv_patient_store_create (mvt.store, caller, NULL, profile, NULL, &error);

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
	return g_strdup_printf ("%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT,
				count ("SELECT count(*) FROM patients WHERE deleted_at IS NULL"),
				count ("SELECT count(*) FROM patient_records"),
				count ("SELECT count(*) FROM audit_entries"));
}

static gchar *
last_action (const gchar *clinic_id, gchar **actor)
{
	const gchar *v[] = { clinic_id };
	if (actor != NULL)
		*actor = mvt_patients_query ("SELECT actor FROM audit_entries WHERE clinic_id = $1 "
					     "ORDER BY seq DESC LIMIT 1",
					     1, v);
	return mvt_patients_query ("SELECT action FROM audit_entries WHERE clinic_id = $1 "
				   "ORDER BY seq DESC LIMIT 1",
				   1, v);
}

static void
assert_problem (const GError *error, const gchar *field, const gchar *code)
{
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INVALID_INPUT), "%s",
		   error ? error->message : "no error");
	for (guint i = 0; i < mv_error_get_n_problems (error); i++) {
		const MvErrorProblem *p = mv_error_get_problem (error, i);
		if (strcmp (p->field, field) == 0 && strcmp (p->code, code) == 0)
			return;
	}
	cr_assert_fail ("no problem %s %s in: %s", field, code, error->message);
}

/* every page walked with @limit: the ids in order */
static GPtrArray *
walk (const MvAuthContext *caller, const gchar *limit, guint *n_pages)
{
	GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
	g_autofree gchar *cursor = NULL;

	*n_pages = 0;
	do {
		MvPatientListQuery q = { .limit = limit, .cursor = cursor };
		g_autoptr (GError) error = NULL;
		g_autoptr (JsonObject) page
			= mv_patient_store_list (mvt.store, caller, NULL, &q, &error);
		JsonArray *items;

		cr_assert_not_null (page, "%s", error ? error->message : "");
		items = json_object_get_array_member (page, "patients");
		for (guint i = 0; i < json_array_get_length (items); i++)
			g_ptr_array_add (ids,
					 g_strdup (json_object_get_string_member (
						 json_array_get_object_element (items, i), "id")));
		g_free (cursor);
		cursor = g_strdup (
			json_object_get_string_member_with_default (page, "next_cursor", NULL));
		(*n_pages)++;
	} while (cursor != NULL);
	return ids;
}

Test (list_retention, list_walks_every_live_patient_once_and_only_its_clinic)
{
	g_autoptr (GPtrArray) made = g_ptr_array_new_with_free_func (g_free);
	g_autoptr (GPtrArray) seen = NULL;
	g_autofree gchar *b_patient = create_patient (&mvt.clinician_b, 99);
	g_autoptr (GHashTable) set = g_hash_table_new (g_str_hash, g_str_equal);
	guint pages = 0;

	for (guint i = 0; i < 7; i++)
		g_ptr_array_add (made, create_patient (&mvt.clinician_a, i));
	seen = walk (&mvt.clinician_a, "3", &pages);
	cr_assert_eq (seen->len, 7);
	cr_assert_eq (pages, 3);
	for (guint i = 0; i < seen->len; i++) {
		cr_assert (g_hash_table_add (set, seen->pdata[i]), "seen twice");
		cr_assert_str_neq (seen->pdata[i], b_patient);
	}
	/* the order is creation order */
	for (guint i = 0; i < made->len; i++)
		cr_assert_str_eq (seen->pdata[i], made->pdata[i]);
}

Test (list_retention, a_cursor_of_another_clinic_or_altered_is_refused)
{
	g_autofree gchar *a1 = create_patient (&mvt.clinician_a, 1);
	g_autofree gchar *a2 = create_patient (&mvt.clinician_a, 2);
	g_autofree gchar *b1 = create_patient (&mvt.clinician_b, 3);
	MvPatientListQuery q = { .limit = "1" };
	g_autoptr (GError) error = NULL;
	g_autoptr (JsonObject) page
		= mv_patient_store_list (mvt.store, &mvt.clinician_a, NULL, &q, &error);
	g_autofree gchar *cursor = NULL;
	g_autofree gchar *before = NULL;
	g_autofree gchar *after = NULL;

	cr_assert_not_null (page, "%s", error ? error->message : "");
	cursor = g_strdup (json_object_get_string_member (page, "next_cursor"));
	before = snapshot ();
	{
		MvPatientListQuery other = { .cursor = cursor };
		g_autoptr (GError) e = NULL;
		cr_assert_null (
			mv_patient_store_list (mvt.store, &mvt.clinician_b, NULL, &other, &e));
		assert_problem (e, "/cursor", "invalid-format");
	}
	for (gsize i = 0; i < strlen (cursor); i += 7) {
		g_autofree gchar *bent = g_strdup (cursor);
		MvPatientListQuery tampered = { .cursor = bent };
		g_autoptr (GError) e = NULL;
		bent[i] = bent[i] == 'A' ? 'B' : 'A';
		cr_assert_null (
			mv_patient_store_list (mvt.store, &mvt.clinician_a, NULL, &tampered, &e),
			"an altered cursor (byte %zu) was taken", i);
		assert_problem (e, "/cursor", "invalid-format");
	}
	{
		/* every problem at once */
		MvPatientListQuery bad
			= { .limit = "0", .cursor = "!!", .updated_since = "yesterday" };
		g_autoptr (GError) e = NULL;
		cr_assert_null (
			mv_patient_store_list (mvt.store, &mvt.clinician_a, NULL, &bad, &e));
		cr_assert_eq (mv_error_get_n_problems (e), 3, "%s", e->message);
		assert_problem (e, "/limit", "out-of-range");
		assert_problem (e, "/cursor", "invalid-format");
		assert_problem (e, "/updated_since", "invalid-format");
		cr_assert_not_null (mv_error_get_message_zh (e));
	}
	after = snapshot ();
	cr_assert_str_eq (before, after, "a refused list wrote something");
}

Test (list_retention, updated_since_filters_by_the_last_change)
{
	g_autofree gchar *old = create_patient (&mvt.clinician_a, 1);
	g_autofree gchar *fresh = create_patient (&mvt.clinician_a, 2);
	const gchar *v[] = { mvt.clinic_a, old };
	MvPatientListQuery q = { .updated_since = "2020-01-01T08:00:00+08:00" };
	g_autoptr (GError) error = NULL;
	g_autoptr (JsonObject) page = NULL;
	JsonArray *items;

	g_free (mvt_patients_query ("UPDATE patients SET updated_at = '2019-06-01T00:00:00Z' "
				    "WHERE clinic_id = $1 AND patient_id = $2",
				    2, v));
	page = mv_patient_store_list (mvt.store, &mvt.clinician_a, NULL, &q, &error);
	cr_assert_not_null (page, "%s", error ? error->message : "");
	items = json_object_get_array_member (page, "patients");
	cr_assert_eq (json_array_get_length (items), 1);
	cr_assert_str_eq (
		json_object_get_string_member (json_array_get_object_element (items, 0), "id"),
		fresh);
}

Test (list_retention, a_clinician_cannot_erase_and_is_told_why)
{
	g_autofree gchar *id = create_patient (&mvt.clinician_a, 1);
	g_autofree gchar *before = snapshot ();
	g_autofree gchar *after = NULL;
	g_autoptr (GError) error = NULL;

	cr_assert_not (mv_patient_store_delete (mvt.store, &mvt.clinician_a, NULL, id,
						"patient-request", 0, &error));
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_FORBIDDEN));
	cr_assert (strstr (error->message, "entered-in-error") != NULL, "%s", error->message);
	cr_assert (strstr (error->message, "clinic-admin") != NULL, "%s", error->message);
	cr_assert (strstr (mv_error_get_message_zh (error), "诊所管理员") != NULL);
	after = snapshot ();
	cr_assert_str_eq (before, after);
}

Test (list_retention, an_erasure_needs_a_reason_code)
{
	g_autofree gchar *id = create_patient (&mvt.admin_a, 1);
	g_autofree gchar *before = snapshot ();
	g_autofree gchar *after = NULL;
	const gchar *const bad[] = { "the patient moved to Shenzhen", "", "Patient-Request" };

	{
		g_autoptr (GError) error = NULL;
		cr_assert_not (mv_patient_store_delete (mvt.store, &mvt.admin_a, NULL, id, NULL, 0,
							&error));
		assert_problem (error, "/reason", "required");
	}
	for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
		g_autoptr (GError) error = NULL;
		cr_assert_not (mv_patient_store_delete (mvt.store, &mvt.admin_a, NULL, id, bad[i],
							0, &error));
		assert_problem (error, "/reason", "invalid-code");
		/* the refused text is not quoted back */
		cr_assert (strstr (error->message, "Shenzhen") == NULL);
	}
	after = snapshot ();
	cr_assert_str_eq (before, after);
}

Test (list_retention, inside_retention_the_admin_is_refused_and_the_refusal_audited)
{
	g_autofree gchar *id = create_patient (&mvt.clinician_a, 1);
	const gchar *v[] = { mvt.clinic_a, id };
	g_autofree gchar *action = NULL;
	g_autofree gchar *actor = NULL;
	g_autofree gchar *until = NULL;
	gint64 audit_before = count ("SELECT count(*) FROM audit_entries");

	mvt.config->records_retention_years = 15;
	until = mvt_patients_query ("SELECT to_char((updated_at + interval '15 years') AT TIME "
				    "ZONE 'UTC', 'YYYY-MM-DD') FROM patients WHERE clinic_id = $1 "
				    "AND patient_id = $2",
				    2, v);
	{
		g_autoptr (GError) error = NULL;
		cr_assert_not (mv_patient_store_delete (mvt.store, &mvt.admin_a, "r-1", id,
							"duplicate-registration", 0, &error));
		cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_CONFLICT), "%s",
			   error ? error->message : "");
		cr_assert (strstr (error->message, until) != NULL, "%s names not %s",
			   error->message, until);
		cr_assert (strstr (mv_error_get_message_zh (error), until) != NULL);
	}
	/* nothing shredded, one entry more: the refusal, naming the admin and the reason */
	cr_assert_eq (count ("SELECT count(*) FROM patients WHERE wrapped_dek IS NOT NULL"), 1);
	cr_assert_eq (count ("SELECT count(*) FROM patient_records"), 1);
	cr_assert_eq (count ("SELECT count(*) FROM audit_entries"), audit_before + 1);
	action = last_action (mvt.clinic_a, &actor);
	cr_assert_str_eq (action, "patient.delete-refused.duplicate-registration");
	cr_assert_str_eq (actor, "ka-admin");

	/* sixteen years later (the last change moved into the past) it is allowed */
	g_free (mvt_patients_query ("UPDATE patients SET updated_at = now() - interval '16 years' "
				    "WHERE clinic_id = $1 AND patient_id = $2",
				    2, v));
	{
		g_autoptr (GError) error = NULL;
		cr_assert (mv_patient_store_delete (mvt.store, &mvt.admin_a, "r-2", id,
						    "retention-expired", 0, &error),
			   "%s", error ? error->message : "");
	}
	g_free (action);
	action = last_action (mvt.clinic_a, NULL);
	cr_assert_str_eq (action, "patient.delete.retention-expired");
	g_free (actor);
	actor = mvt_patients_query ("SELECT deletion_reason FROM patients WHERE clinic_id = $1 AND "
				    "patient_id = $2 AND wrapped_dek IS NULL",
				    2, v);
	cr_assert_str_eq (actor, "retention-expired");
}

Test (list_retention, the_operator_forces_an_erasure_inside_retention)
{
	g_autofree gchar *id = create_patient (&mvt.clinician_a, 1);
	MvAuthContext op = { .role = MV_ROLE_OPERATOR, .key_id = (gchar *)"op-key-7" };
	g_autofree gchar *action = NULL;
	g_autofree gchar *actor = NULL;

	mvt.config->records_retention_years = 15;
	{
		/* a clinic admin cannot take the operator's route */
		g_autoptr (GError) error = NULL;
		cr_assert_not (mv_patient_store_force_delete (
			mvt.store, &mvt.admin_a, NULL, mvt.clinic_a, id, "legal-order", &error));
		cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_FORBIDDEN));
	}
	{
		/* the wrong clinic: not found, nothing written */
		g_autoptr (GError) error = NULL;
		cr_assert_not (mv_patient_store_force_delete (mvt.store, &op, NULL, mvt.clinic_b,
							      id, "legal-order", &error));
		cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_NOT_FOUND));
	}
	{
		g_autoptr (GError) error = NULL;
		cr_assert (mv_patient_store_force_delete (mvt.store, &op, "r-op", mvt.clinic_a, id,
							  "legal-order", &error),
			   "%s", error ? error->message : "");
	}
	action = last_action (mvt.clinic_a, &actor);
	cr_assert_str_eq (action, "patient.delete-forced.legal-order");
	cr_assert_str_eq (actor, "op-key-7");
	cr_assert_eq (count ("SELECT count(*) FROM patients WHERE wrapped_dek IS NOT NULL"), 0);
	cr_assert_eq (count ("SELECT count(*) FROM patient_records"), 0);
}
