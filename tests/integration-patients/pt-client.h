/*
 * The patient suite's short names for tests/lib (mvt.h): HTTP with the headers the patient API
 * needs (Authorization, If-Match), clinics and keys made through the admin API, direct SQL
 * against the daemon's embedded cluster (to read raw rows and tamper with them), and the
 * suite's data files.  Wrappers only: the code is in tests/lib.
 */
#pragma once

#include <criterion/criterion.h>

#include "mvt.h"

G_BEGIN_DECLS

typedef MvtResponse PtResponse;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PtResponse, mvt_response_free)

static inline void
pt_response_free (PtResponse *resp)
{
	mvt_response_free (resp);
}

/* @token, @if_match, @body may be NULL (no Authorization, If-Match, body); @body is sent as
 * application/json unless @content_type says otherwise.  Asserts an answer with an
 * X-Request-Id came. */
static inline PtResponse *
pt_request (const gchar *url,
	    const gchar *method,
	    const gchar *path,
	    const gchar *token,
	    const gchar *if_match,
	    const gchar *content_type,
	    const gchar *body)
{
	const gchar *const headers[] = { "If-Match", if_match, NULL };
	MvtRequest req = {
		.base_url = url,
		.method = method,
		.path = path,
		.content_type = content_type != NULL ? content_type : "application/json",
		.body = body,
		.len = -1,
		.token = token,
		.anonymous = token == NULL,
		.headers = if_match != NULL ? headers : NULL,
	};

	if (body == NULL)
		req.content_type = NULL;
	return mvt_request (&req);
}

/* a string member of the JSON object body (asserts it is there) */
static inline const gchar *
pt_str (PtResponse *resp, const gchar *name)
{
	cr_assert (mvt_member (resp, name) != NULL, "no %s in %s", name, resp->body);
	return mvt_str (resp, name);
}

/* asserts @resp is an error response with @status and @code */
static inline void
pt_assert_error (PtResponse *resp, guint status, const gchar *code)
{
	mvt_assert_error (resp, status, code);
}

/* the --dev operator token of the daemon whose data dir is @data_dir */
static inline gchar *
pt_operator_token (const gchar *data_dir)
{
	return mvt_operator_token (data_dir);
}

typedef MvtClinic PtClinic;
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PtClinic, mvt_clinic_clear)

static inline void
pt_clinic_clear (PtClinic *clinic)
{
	mvt_clinic_clear (clinic);
}

/* a new tenant with a clinician key and a clinic-admin key */
static inline void
pt_clinic_make (const gchar *url, const gchar *data_dir, PtClinic *clinic)
{
	mvt_clinic_make (url, data_dir, clinic);
}

/* a connection to the daemon's embedded cluster */
static inline PGconn *
pt_db_connect (const gchar *data_dir)
{
	return mvt_db_connect (data_dir);
}

/* the first column of the first row (NULL: no row or SQL NULL); asserts the statement ran */
static inline gchar *
pt_db_value (PGconn *conn, const gchar *sql, gint n, const gchar *const *values)
{
	return mvt_db_value (conn, sql, n, values);
}

static inline gint64
pt_db_count (PGconn *conn, const gchar *sql)
{
	return mvt_db_count (conn, sql, 0, NULL);
}

/* the contents of a file under tests/integration-patients/data */
static inline gchar *
pt_data (const gchar *name)
{
	g_autofree gchar *path = g_build_filename (PT_DATADIR, name, NULL);
	gchar *text = NULL;

	cr_assert (g_file_get_contents (path, &text, NULL, NULL), "cannot read %s", path);
	return text;
}

/* writes a new random 32-byte key, hex-encoded, to @path with mode 0600 (a master key file) */
static inline void
pt_write_key_file (const gchar *path)
{
	mvt_write_key_file (path);
}

G_END_DECLS
