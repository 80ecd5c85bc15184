/*
 * Strict JSON at every boundary, against the real daemon: each lenient body json-glib used to
 * take (two concatenated objects, comments, single quotes, duplicate keys, "\u0000" cutting an
 * MRN short, integers wrapping past 2^63, whitespace for a body…) is refused with 400, or 422
 * when the JSON is well-formed but a number fits no type, with a JSON error body; and nothing is
 * written: no patient, no record, no audit entry.  The table is strict-json/bodies.tsv.
 */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <string.h>

#include "mvt.h"

static const gchar *const good_plugins[] = { "probe.so", NULL };

int
main (int argc, char **argv)
{
	const MvtOptions options = { .good_plugins = good_plugins };
	return mvt_main (argc, argv, &options);
}

/* the body of a table row: the column itself, or the bytes of the file it names */
static GBytes *
row_body (const gchar *column)
{
	g_autofree gchar *path = NULL;
	gchar *contents = NULL;
	gsize len = 0;

	if (column[0] != '@')
		return g_bytes_new (column, strlen (column));
	path = g_build_filename (MVT_STRICT_JSON_DIR, column + 1, NULL);
	cr_assert (g_file_get_contents (path, &contents, &len, NULL), "cannot read %s", path);
	return g_bytes_new_take (contents, len);
}

/* the rows of bodies.tsv, each split into its five columns */
static GPtrArray *
read_rows (void)
{
	g_autofree gchar *path = g_build_filename (MVT_STRICT_JSON_DIR, "bodies.tsv", NULL);
	g_autofree gchar *text = NULL;
	g_auto (GStrv) lines = NULL;
	GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify)g_strfreev);

	cr_assert (g_file_get_contents (path, &text, NULL, NULL), "cannot read %s", path);
	lines = g_strsplit (text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		gchar **columns;
		if (lines[i][0] == '\0' || lines[i][0] == '#')
			continue;
		columns = g_strsplit (lines[i], "\t", 5);
		cr_assert_eq (g_strv_length (columns), 5, "bodies.tsv:%u: 5 columns expected",
			      i + 1);
		g_ptr_array_add (rows, columns);
	}
	cr_assert_gt (rows->len, 0);
	return rows;
}

/* Rows of the clinic's patients, records and audit entries, and of the whole patient and audit
 * tables (this binary runs one test at a time against its daemon, so those stay still too). */
static gchar *
db_state (PGconn *conn, const gchar *clinic)
{
	const gchar *v[] = { clinic };
	g_autofree gchar *patients
		= mvt_db_value (conn, "SELECT count(*) FROM patients WHERE clinic_id = $1", 1, v);
	g_autofree gchar *records = mvt_db_value (
		conn, "SELECT count(*) FROM patient_records WHERE clinic_id = $1", 1, v);
	g_autofree gchar *audit = mvt_db_value (
		conn, "SELECT count(*) FROM audit_entries WHERE clinic_id = $1::text", 1, v);
	g_autofree gchar *all_patients
		= mvt_db_value (conn, "SELECT count(*) FROM patients", 0, NULL);
	g_autofree gchar *all_audit
		= mvt_db_value (conn, "SELECT count(*) FROM audit_entries", 0, NULL);

	return g_strdup_printf ("clinic: %s patients, %s records, %s audit entries; all: %s "
				"patients, %s audit entries",
				patients, records, audit, all_patients, all_audit);
}

static MvtResponse *
post (const gchar *path, GBytes *body, const gchar *token)
{
	gsize len = 0;
	const gchar *data = g_bytes_get_data (body, &len);
	const MvtRequest req = {
		.base_url = mvt_shared_url (),
		.method = "POST",
		.path = path,
		.content_type = "application/json",
		.body = data != NULL ? data : "",
		.len = (gssize)len,
		.token = token,
	};
	return mvt_request (&req);
}

Test (strict_json, lenient_bodies_are_refused_and_write_nothing, .timeout = 120)
{
	g_auto (MvtClinic) clinic = { 0 };
	g_autoptr (GPtrArray) rows = read_rows ();
	g_autoptr (PGconn) conn = NULL;
	g_autofree gchar *before = NULL;
	g_autofree gchar *after = NULL;
	guint failed = 0;

	mvt_clinic_make (mvt_shared_url (), mvt_shared_data_dir (), &clinic);
	conn = mvt_db_connect (mvt_shared_data_dir ());
	before = db_state (conn, clinic.id);
	for (guint i = 0; i < rows->len; i++) {
		gchar **row = g_ptr_array_index (rows, i);
		g_autoptr (GBytes) body = row_body (row[4]);
		guint status = (guint)g_ascii_strtoull (row[1], NULL, 10);
		/* patients as the clinic's clinician; plugins with the operator key */
		const gchar *token
			= g_str_has_prefix (row[0], "/v1/patients") ? clinic.clinician : NULL;
		g_autoptr (MvtResponse) resp = post (row[0], body, token);
		const gchar *code = resp->json != NULL ? mvt_error_member (resp, "code") : NULL;
		const gchar *message
			= resp->json != NULL ? mvt_error_member (resp, "message") : NULL;

		if (resp->status != status || g_strcmp0 (code, row[2]) != 0 || message == NULL
		    || strstr (message, row[3]) == NULL) {
			cr_log_error ("POST %s %s: expected %s %s \"%s\", got %u %.300s", row[0],
				      row[4], row[1], row[2], row[3], resp->status, resp->body);
			failed++;
			continue;
		}
		/* the documented error shape: code, message, request id */
		mvt_assert_error (resp, status, row[2]);
	}
	cr_assert_eq (failed, 0, "%u of %u bodies were not refused as expected (see above)", failed,
		      rows->len);
	after = db_state (conn, clinic.id);
	cr_assert_str_eq (after, before, "a refused body wrote something");

	/* "ab\u0000cd" used to be stored as "ab": no such patient exists */
	{
		const MvtRequest req = { .base_url = mvt_shared_url (),
					 .method = "GET",
					 .path = "/v1/patients?mrn=ab",
					 .token = clinic.clinician };
		g_autoptr (MvtResponse) resp = mvt_request (&req);
		JsonArray *list;
		cr_assert_eq (resp->status, 200, "%s", resp->body);
		list = json_object_get_array_member (json_node_get_object (resp->json), "patients");
		cr_assert_eq (json_array_get_length (list), 0, "%s", resp->body);
	}
	/* a patient written strictly is created, and the state above sees it */
	{
		g_autoptr (GBytes) body
			= row_body ("{\"mrn\":\"abcd\",\"name\":{\"given\":\"Ada\"}}");
		g_autoptr (MvtResponse) resp = post ("/v1/patients", body, clinic.clinician);
		g_autofree gchar *created = NULL;
		cr_assert_eq (resp->status, 201, "%s", resp->body);
		created = db_state (conn, clinic.id);
		cr_assert_str_neq (created, before, "db_state() does not see a write");
	}
}
