/* Helpers of the patient integration tests: an HTTP client that sends the headers the patient
 * API needs (Authorization, If-Match), tenants and keys made through the admin API, and direct
 * SQL against the daemon's embedded cluster (to read raw rows and tamper with them). */
#pragma once

#include <json-glib/json-glib.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

typedef struct {
	guint status;
	gchar *body;
	JsonNode *json; /* NULL when the body is not JSON */
	gchar *etag;
	gchar *location;
	gchar *request_id;
} PtResponse;

void pt_response_free (PtResponse *resp);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PtResponse, pt_response_free)

/* @token, @if_match, @body may be NULL; @body is sent as application/json unless
 * @content_type says otherwise.  Asserts an answer with an X-Request-Id came. */
PtResponse *pt_request (const gchar *url,
			const gchar *method,
			const gchar *path,
			const gchar *token,
			const gchar *if_match,
			const gchar *content_type,
			const gchar *body);

/* a string member of the JSON object body (asserts it is there) */
const gchar *pt_str (PtResponse *resp, const gchar *name);
/* asserts @resp is an error response with @status and @code */
void pt_assert_error (PtResponse *resp, guint status, const gchar *code);

/* the --dev operator token of the daemon whose data dir is @data_dir */
gchar *pt_operator_token (const gchar *data_dir);

typedef struct {
	gchar *id;
	gchar *clinician; /* token */
	gchar *clinician_key_id;
	gchar *admin; /* clinic-admin token */
	gchar *admin_key_id;
} PtClinic;

void pt_clinic_clear (PtClinic *clinic);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PtClinic, pt_clinic_clear)

/* a new tenant with a clinician key and a clinic-admin key */
void pt_clinic_make (const gchar *url, const gchar *data_dir, PtClinic *clinic);

/* a connection to the daemon's embedded cluster */
PGconn *pt_db_connect (const gchar *data_dir);
/* the first column of the first row (NULL: no row or SQL NULL); asserts the statement ran */
gchar *pt_db_value (PGconn *conn, const gchar *sql, gint n, const gchar *const *values);
gint64 pt_db_count (PGconn *conn, const gchar *sql);

/* the contents of a file under tests/integration-patients/data */
gchar *pt_data (const gchar *name);

/* writes a new random 32-byte key, hex-encoded, to @path with mode 0600 (a master key file) */
void pt_write_key_file (const gchar *path);

G_END_DECLS
