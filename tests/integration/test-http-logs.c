/*
 * What a client can put into the daemon's log and records through the HTTP front: control
 * bytes and invalid UTF-8 in a path, odd X-Request-Id values.  The access log (the daemon's
 * stderr, which the harness keeps in medversed.log) holds one line per request, with client
 * bytes escaped; error bodies are valid UTF-8 JSON; the request id in answers, log lines and
 * audit entries is always one the daemon made.  One shared daemon with the default config.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mvt.h"

/* a well-formed request's answer, or its log line, on a busy machine */
#define ANSWER_MS 10000

int
main (int argc, char **argv)
{
	MvtOptions options = { 0 };
	return mvt_main (argc, argv, &options);
}

static gchar *
random_tag (void)
{
	return g_strdup_printf ("%08x%08x", g_random_int (), g_random_int ());
}

/* sends @request (a whole HTTP/1.1 request with Connection: close) to the shared daemon and
 * returns its one answer */
static MvtRawResponse *
send_raw (const gchar *request)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvtRaw) raw
		= mvt_raw_exchange (mvt_shared_url (), request, -1, ANSWER_MS, &error);
	g_autoptr (GPtrArray) responses = NULL;
	g_autofree gchar *got = NULL;

	cr_assert_not_null (raw, "%s", error != NULL ? error->message : "");
	got = mvt_raw_describe (raw, 1024);
	responses = mvt_raw_get_responses (raw, NULL);
	cr_assert_eq (responses->len, 1, "expected one answer, got %u: \"%s\"", responses->len,
		      got);
	return g_ptr_array_steal_index (responses, 0);
}

/* GET @path with the further header lines @headers (each ending in \r\n; may be "") */
static MvtRawResponse *
get_raw (const gchar *path, const gchar *headers)
{
	g_autofree gchar *request = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: localhost\r\n%s"
						     "Connection: close\r\n\r\n",
						     path, headers);
	return send_raw (request);
}

/* the daemon's request id of @resp: there, and of the daemon's own alphabet */
static const gchar *
daemon_request_id (const MvtRawResponse *resp)
{
	const gchar *id = mvt_raw_response_header (resp, "X-Request-Id");

	cr_assert (id != NULL && id[0] != '\0', "%u without X-Request-Id", resp->status);
	cr_assert_leq (strlen (id), 64, "X-Request-Id %s", id);
	for (const gchar *c = id; *c != '\0'; c++)
		cr_assert (g_ascii_isalnum (*c) || *c == '-' || *c == '_' || *c == '.',
			   "X-Request-Id \"%s\" is not of the daemon's alphabet", id);
	return id;
}

/* every line of the shared log that contains @needle, once the first has appeared */
static GPtrArray *
log_lines_with (const gchar *needle)
{
	g_autofree gchar *first = mvt_shared_log_line (needle, ANSWER_MS);
	g_autofree gchar *log = NULL;
	g_auto (GStrv) lines = NULL;
	GPtrArray *found = g_ptr_array_new_with_free_func (g_free);

	cr_assert_not_null (first, "no log line names %s", needle);
	log = mvt_shared_log ();
	lines = g_strsplit (log, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++)
		if (strstr (lines[i], needle) != NULL)
			g_ptr_array_add (found, g_strdup (lines[i]));
	return found;
}

/* the one log line of the request with the daemon id @id: exactly one line names it, and it is
 * valid UTF-8 with no control byte (a CR, an escape sequence, a DEL) left raw */
static gchar *
the_access_line (const gchar *id)
{
	g_autoptr (GPtrArray) lines = log_lines_with (id);
	const gchar *line;

	g_ptr_array_add (lines, NULL);
	cr_assert_eq (lines->len - 1, 1, "%u log lines name request %s, not one:\n%s",
		      lines->len - 1, id, g_strjoinv ("\n", (gchar **)lines->pdata));
	line = g_ptr_array_index (lines, 0);
	cr_assert (g_utf8_validate (line, -1, NULL), "the log line of %s is not UTF-8", id);
	for (const guchar *c = (const guchar *)line; *c != '\0'; c++)
		cr_assert (*c >= 0x20 && *c != 0x7f, "byte 0x%02x raw in the log line of %s: %s",
			   *c, id, g_strescape (line, NULL));
	return g_strdup (line);
}

Test (logs, control_bytes_in_a_path_cannot_forge_a_log_line, .timeout = 30)
{
	g_autofree gchar *tag = random_tag ();
	/* CR LF, a tab, an ANSI colour escape and DEL, percent-encoded in the path */
	g_autofree gchar *path
		= g_strdup_printf ("/v1/%%0d%%0aFORGED%%20LINE-%s%%09%%1b%%5b31m%%7f", tag);
	g_autoptr (MvtRawResponse) resp = get_raw (path, "");
	const gchar *id = daemon_request_id (resp);
	g_autofree gchar *line = the_access_line (id);
	g_autofree gchar *log = mvt_shared_log ();
	g_auto (GStrv) lines = g_strsplit (log, "\n", -1);

	cr_assert_geq (resp->status, 400, "%u: %s", resp->status, resp->body);
	/* the text after the encoded CR LF never starts a line of its own, nor shares a line
	 * with anything but the request's own */
	for (guint i = 0; lines[i] != NULL; i++) {
		if (strstr (lines[i], tag) == NULL)
			continue;
		cr_assert (strstr (lines[i], id) != NULL, "a forged log line: %s",
			   g_strescape (lines[i], NULL));
		cr_assert_not (g_str_has_prefix (g_strchug (lines[i]), "FORGED"),
			       "a line starts with the forged text: %s", lines[i]);
	}
}

/* every line of the shared log with @tag in it is valid UTF-8 without raw control bytes */
static void
assert_lines_with_clean (const gchar *tag)
{
	g_autofree gchar *log = mvt_shared_log ();
	g_auto (GStrv) lines = g_strsplit (log, "\n", -1);

	for (guint i = 0; lines[i] != NULL; i++) {
		if (strstr (lines[i], tag) == NULL)
			continue;
		cr_assert (g_utf8_validate (lines[i], -1, NULL), "a log line is not UTF-8: %s",
			   g_strescape (lines[i], NULL));
		for (const guchar *c = (const guchar *)lines[i]; *c != '\0'; c++)
			cr_assert (*c >= 0x20 && *c != 0x7f, "byte 0x%02x raw in a log line: %s",
				   *c, g_strescape (lines[i], NULL));
	}
}

Test (logs, raw_bytes_in_a_request_target_reach_neither_log_nor_body_raw, .timeout = 30)
{
	g_autofree gchar *tag = random_tag ();
	/* not percent-encoded: invalid UTF-8, ESC and DEL as they are in the request line */
	g_autofree gchar *path = g_strdup_printf ("/v1/raw-%s-\xff\xfe\x1b[31m\x7f", tag);
	g_autoptr (MvtRawResponse) resp = get_raw (path, "");
	const gchar *id = mvt_raw_response_header (resp, "X-Request-Id");
	g_autofree gchar *why = NULL;

	cr_assert_geq (resp->status, 400, "%u: %s", resp->status, resp->body);
	if (id != NULL) {
		/* the daemon answered it: its JSON error and its log line are text */
		g_autofree gchar *line = the_access_line (daemon_request_id (resp));
		cr_assert (mvt_raw_response_is_json_error (resp, &why), "%s", why);
	} else {
		/* the HTTP library refused the request line before the daemon saw it */
		cr_assert_eq (resp->status, 400, "%u without X-Request-Id: %s", resp->status,
			      resp->body);
	}
	assert_lines_with_clean (tag);
}

Test (logs, invalid_utf8_in_a_path_gives_a_valid_utf8_json_error, .timeout = 30)
{
	g_autofree gchar *tag = random_tag ();
	g_autofree gchar *path = g_strdup_printf ("/v1/%%ff%%fe-%s", tag);
	g_autoptr (MvtRawResponse) resp = get_raw (path, "");
	g_autoptr (JsonParser) parser = json_parser_new ();
	g_autoptr (GError) error = NULL;
	g_autofree gchar *why = NULL;
	g_autofree gchar *line = NULL;

	cr_assert (resp->status == 400 || resp->status == 404, "%u: %s", resp->status, resp->body);
	cr_assert (g_utf8_validate (resp->body, (gssize)resp->len, NULL),
		   "the error body is not UTF-8: %s", g_strescape (resp->body, NULL));
	cr_assert (json_parser_load_from_data (parser, resp->body, (gssize)resp->len, &error),
		   "the error body is not JSON (%s): %s", error->message, resp->body);
	cr_assert (mvt_raw_response_is_json_error (resp, &why), "%s", why);
	line = the_access_line (daemon_request_id (resp));
}

/* GET /healthz with X-Request-Id: @client (raw bytes): the answer's id is the daemon's own and
 * not derived from @client; the access line of the request is clean (the_access_line()) */
static gchar *
id_given_for (const gchar *client, const gchar *tag)
{
	g_autofree gchar *header = g_strdup_printf ("X-Request-Id: %s\r\n", client);
	g_autoptr (MvtRawResponse) resp = get_raw ("/healthz", header);
	const gchar *id = daemon_request_id (resp);
	g_autofree gchar *line = NULL;

	cr_assert_eq (resp->status, 200, "X-Request-Id %s: %u %s", client, resp->status,
		      resp->body);
	cr_assert_str_neq (id, client, "the daemon answered with the client's request id");
	cr_assert_null (strstr (id, tag), "the daemon's id %s is made from the client's %s", id,
			client);
	line = the_access_line (id);
	return g_strdup (id);
}

Test (logs, the_request_id_is_always_the_daemons_own, .timeout = 30)
{
	g_autofree gchar *tag = random_tag ();
	/* well-formed: the old front kept it */
	g_autofree gchar *plain = g_strdup_printf ("client-chosen-%s", tag);
	g_autofree gchar *quoted
		= g_strdup_printf ("\"quoted id\" with spaces %s \u00fcn\u00ef", tag);
	g_autofree gchar *invalid = g_strdup_printf ("bytes-%s-\xff\xfe", tag);
	g_autofree gchar *first = id_given_for (plain, tag);
	g_autofree gchar *again = id_given_for (plain, tag);
	g_autofree gchar *odd = id_given_for (quoted, tag);
	g_autofree gchar *bad = id_given_for (invalid, tag);
	g_autofree gchar *log = mvt_shared_log ();

	cr_assert_str_neq (first, again, "one client id, two requests, one daemon id");
	/* the client's value may be logged beside the daemon's id, but escaped: its quotes
	 * cannot pass for the delimiters of a log field */
	cr_assert_null (strstr (log, "\"quoted id\" with spaces"),
			"the client's X-Request-Id is in the log verbatim: %s",
			strstr (log, "\"quoted id\""));
}

static gchar *
patient_profile (void)
{
	gchar *text = NULL;
	cr_assert (g_file_get_contents (MVT_PATIENT_PROFILE, &text, NULL, NULL), "cannot read %s",
		   MVT_PATIENT_PROFILE);
	return text;
}

Test (logs, audit_entries_carry_the_daemons_request_id, .timeout = 60)
{
	g_auto (MvtClinic) clinic = { 0 };
	g_autofree gchar *tag = random_tag ();
	g_autofree gchar *client_id = g_strdup_printf ("client-audit-%s", tag);
	g_autofree gchar *profile = patient_profile ();
	const gchar *const headers[] = { "X-Request-Id", client_id, NULL };
	MvtRequest req = {
		.base_url = mvt_shared_url (),
		.method = "POST",
		.path = "/v1/patients",
		.content_type = "application/json",
		.body = profile,
		.len = -1,
		.headers = headers,
	};
	g_autoptr (MvtResponse) resp = NULL;
	g_autoptr (PGconn) conn = NULL;
	g_autofree gchar *stored = NULL;

	mvt_clinic_make (mvt_shared_url (), mvt_shared_data_dir (), &clinic);
	req.token = clinic.clinician;
	resp = mvt_request (&req);
	cr_assert_eq (resp->status, 201, "%u: %s", resp->status, resp->body);
	cr_assert_str_neq (resp->request_id, client_id);
	conn = mvt_db_connect (mvt_shared_data_dir ());
	{
		const gchar *v[] = { clinic.id };
		stored = mvt_db_single (conn,
					"SELECT request_id FROM audit_entries WHERE clinic_id = "
					"$1::text AND action = 'patient.create'",
					1, v);
	}
	cr_assert_str_eq (stored, resp->request_id,
			  "the audit entry's request id is not the one the daemon answered with");
	{
		const gchar *v[] = { client_id };
		cr_assert_eq (mvt_db_count (conn,
					    "SELECT count(*) FROM audit_entries WHERE request_id = "
					    "$1::text",
					    1, v),
			      0, "an audit entry carries the client's X-Request-Id");
	}
}
