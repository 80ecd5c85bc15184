/*
 * Clinics, keys and roles against the real daemon and its embedded PostgreSQL: who may do what
 * (401/403/404), revocation and expiry, invites, bad input writing nothing, secrets never in
 * the database or the log, the D-Bus admin interface and master-key rotation.
 */
#include <criterion/criterion.h>
#include <medverse/mv-value.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>

#include "mvt.h"
#include "auth-util.h"
#include "mv-crypto.h"
#include "mv-bytea.h"

#define UNAUTHORIZED_MESSAGE "the API key is not valid (send Authorization: Bearer <key>)"

static gchar *
keys_path (const gchar *tenant)
{
	return g_strdup_printf ("/v1/admin/tenants/%s/keys", tenant);
}

static void
assert_status (AtResp *r, guint status, const gchar *what)
{
	cr_assert_eq (r->status, status, "%s: expected %u, got %u %s", what, status, r->status,
		      r->body);
}

Test (auth, operator_creates_tenant_and_keys)
{
	g_autofree gchar *op = at_operator_token ();
	g_autoptr (AtResp) created
		= at_http ("POST", "/v1/admin/tenants", op, "{\"name\": \"Clinic One\"}");
	g_autoptr (AtResp) list = NULL;
	g_autoptr (AtResp) key = NULL;
	g_autoptr (AtResp) who = NULL;
	g_autofree gchar *path = NULL;
	g_autofree gchar *wrapped_len = NULL;
	const gchar *id, *token;

	assert_status (created, 201, "create tenant");
	id = at_str (created, "id");
	cr_assert_not_null (id);
	cr_assert_str_eq (at_str (created, "name"), "Clinic One");
	/* the clinic got a wrapped KEK under the current master key */
	wrapped_len = at_sql_value ("SELECT length(wrapped_kek) FROM clinics WHERE clinic_id = $1",
				    1, (const gchar *const[]){ id });
	cr_assert_str_eq (wrapped_len, "81");

	list = at_http ("GET", "/v1/admin/tenants", op, NULL);
	assert_status (list, 200, "list tenants");
	cr_assert_not_null (strstr (list->body, id), "tenant missing from the list: %s",
			    list->body);

	path = keys_path (id);
	key = at_http ("POST", path, op,
		       "{\"role\": \"clinic-admin\", \"label\": \"front desk\", "
		       "\"expires_at\": \"2099-01-01T00:00:00+01:00\"}");
	assert_status (key, 201, "create key");
	token = at_str (key, "token");
	cr_assert (g_str_has_prefix (token, "mvk_"), "token %s", token);
	cr_assert_eq (strlen (token), 4 + 16 + 1 + 64, "token of 256 bits");
	cr_assert_str_eq (at_str (key, "role"), "clinic-admin");
	cr_assert_str_eq (at_str (key, "expires_at"), "2098-12-31T23:00:00.000000Z");

	who = at_http ("GET", "/v1/auth/whoami", token, NULL);
	assert_status (who, 200, "whoami");
	cr_assert_str_eq (at_str (who, "role"), "clinic-admin");
	cr_assert_str_eq (at_str (who, "tenant_id"), id);
	cr_assert_str_eq (at_str (who, "key_id"), at_str (key, "key_id"));

	/* the key change is in the audit log: once in the operator tree, once in the clinic's */
	cr_assert_eq (
		at_sql_count ("SELECT count(*) FROM audit_entries WHERE action = 'key.create' "
			      "AND resource_id LIKE '%' || $1 AND clinic_id = '_operator'",
			      1, (const gchar *const[]){ at_str (key, "key_id") }),
		1);
	cr_assert_eq (
		at_sql_count ("SELECT count(*) FROM audit_entries WHERE action = 'key.create' "
			      "AND resource_id = $1 AND clinic_id = $2",
			      2, (const gchar *const[]){ at_str (key, "key_id"), id }),
		1);
}

/* The entries of @tenant's audit tree, read by @token over HTTP: "action actor resource;…" */
static gchar *
clinic_audit (const gchar *token, const gchar *tenant)
{
	g_autofree gchar *path = g_strdup_printf ("/v1/audit/%s/entries?limit=1000", tenant);
	g_autoptr (AtResp) r = at_http ("GET", path, token, NULL);
	GString *out = g_string_new (NULL);
	JsonArray *entries;

	assert_status (r, 200, "clinic-admin reads its audit tree");
	entries = json_object_get_array_member (json_node_get_object (r->json), "entries");
	for (guint i = 0; i < json_array_get_length (entries); i++) {
		JsonObject *e = json_array_get_object_element (entries, i);
		g_string_append_printf (out, "%s %s %s;",
					json_object_get_string_member (e, "action"),
					json_object_get_string_member (e, "actor"),
					json_object_get_string_member (e, "resource_id"));
	}
	return g_string_free (out, FALSE);
}

/* An operator creating or revoking a clinic's keys is seen in that clinic's own tree (with
 * the operator's key id as actor), not only in the operator tree. */
Test (auth, operator_key_actions_show_in_the_clinic_tree)
{
	g_autofree gchar *a = at_create_tenant ("Clinic Audited");
	g_autofree gchar *op = at_operator_token ();
	g_autofree gchar *admin_id = NULL;
	g_autofree gchar *clin_id = NULL;
	g_autofree gchar *admin = at_create_key (op, a, "clinic-admin", &admin_id);
	g_autofree gchar *clin = at_create_key (op, a, "clinician", &clin_id);
	g_autofree gchar *del = g_strdup_printf ("/v1/admin/tenants/%s/keys/%s", a, clin_id);
	g_autoptr (AtResp) who = at_http ("GET", "/v1/auth/whoami", op, NULL);
	g_autoptr (AtResp) revoke = at_http ("DELETE", del, op, NULL);
	g_autofree gchar *seen = NULL;
	g_autofree gchar *created_admin = NULL;
	g_autofree gchar *created_clin = NULL;
	g_autofree gchar *revoked_clin = NULL;
	g_autofree gchar *resource = g_strdup_printf ("%s/%s", a, clin_id);
	const gchar *op_id;

	assert_status (who, 200, "operator whoami");
	assert_status (revoke, 204, "operator revokes a clinician key");
	op_id = at_str (who, "key_id");
	cr_assert_not_null (op_id);
	seen = clinic_audit (admin, a);
	created_admin = g_strdup_printf ("key.create %s %s;", op_id, admin_id);
	created_clin = g_strdup_printf ("key.create %s %s;", op_id, clin_id);
	revoked_clin = g_strdup_printf ("key.revoke %s %s;", op_id, clin_id);
	cr_assert_not_null (strstr (seen, created_admin), "%s missing from %s", created_admin,
			    seen);
	cr_assert_not_null (strstr (seen, created_clin), "%s missing from %s", created_clin, seen);
	cr_assert_not_null (strstr (seen, revoked_clin), "%s missing from %s", revoked_clin, seen);
	/* and still in the operator tree, the resource named with its clinic */
	cr_assert_eq (at_sql_count ("SELECT count(*) FROM audit_entries WHERE clinic_id = "
				    "'_operator' AND action = 'key.revoke' AND resource_id = $1",
				    1, (const gchar *const[]){ resource }),
		      1);
}

Test (auth, clinic_admin_manages_only_its_own_keys)
{
	g_autofree gchar *a = at_create_tenant ("Clinic A");
	g_autofree gchar *b = at_create_tenant ("Clinic B");
	g_autofree gchar *op = at_operator_token ();
	g_autofree gchar *admin_a = at_create_key (op, a, "clinic-admin", NULL);
	g_autofree gchar *admin_b = at_create_key (op, b, "clinic-admin", NULL);
	g_autofree gchar *clin_key_id = NULL;
	g_autofree gchar *clin_a = at_create_key (admin_a, a, "clinician", &clin_key_id);
	g_autofree gchar *path_a = keys_path (a);
	g_autofree gchar *del_a = g_strdup_printf ("/v1/admin/tenants/%s/keys/%s", a, clin_key_id);
	g_autofree gchar *missing = keys_path ("00000000-0000-4000-8000-000000000000");
	g_autoptr (AtResp) list = at_http ("GET", path_a, admin_a, NULL);
	g_autoptr (AtResp) r1 = at_http ("GET", path_a, admin_b, NULL);
	g_autoptr (AtResp) r2 = at_http ("POST", path_a, admin_b, "{\"role\": \"clinician\"}");
	g_autoptr (AtResp) r3 = at_http ("DELETE", del_a, admin_b, NULL);
	g_autoptr (AtResp) r4 = at_http ("GET", missing, op, NULL);
	g_autoptr (AtResp) r5 = at_http ("GET", missing, admin_b, NULL);
	g_autoptr (AtResp) r6 = at_http ("GET", "/v1/admin/tenants/not-a-uuid/keys", op, NULL);
	g_autoptr (AtResp) r7 = at_http ("POST", path_a, admin_b, "{\"bogus\": true}");
	g_autoptr (AtResp) r8 = at_http ("GET", "/v1/admin/tenants", admin_a, NULL);
	g_autoptr (AtResp) revoke = NULL;
	g_autoptr (AtResp) again = NULL;

	assert_status (list, 200, "own keys");
	cr_assert_not_null (strstr (list->body, clin_key_id));
	cr_assert_null (strstr (list->body, clin_a + 22), "a secret in the key list");
	/* B's admin learns nothing about A: the same 404 as for a clinic that does not exist */
	assert_status (r1, 404, "B lists A's keys");
	assert_status (r2, 404, "B creates a key in A");
	assert_status (r3, 404, "B revokes A's key");
	assert_status (r4, 404, "operator, no such tenant");
	assert_status (r5, 404, "B, no such tenant");
	assert_status (r6, 404, "not a uuid");
	assert_status (r7, 404, "B with a bad body on A: scope before validation");
	cr_assert_str_eq (at_error_code (r1), at_error_code (r5));
	assert_status (r8, 403, "clinic-admin lists tenants");
	cr_assert_eq (at_sql_count ("SELECT count(*) FROM api_keys WHERE clinic_id = $1", 1,
				    (const gchar *const[]){ a }),
		      2, "B's attempts wrote nothing in A");

	revoke = at_http ("DELETE", del_a, admin_a, NULL);
	assert_status (revoke, 204, "A revokes its clinician");
	again = at_http ("DELETE", del_a, admin_a, NULL);
	assert_status (again, 204, "revoking twice is idempotent");
	cr_assert_eq (
		at_sql_count ("SELECT count(*) FROM audit_entries WHERE action = 'key.revoke' "
			      "AND resource_id = $1 AND clinic_id = $2",
			      2, (const gchar *const[]){ clin_key_id, a }),
		1, "one audit entry for the revocation, in A's tree");
}

Test (auth, clinician_and_patient_keys_on_admin_routes_get_403)
{
	g_autofree gchar *a = at_create_tenant ("Clinic C");
	g_autofree gchar *op = at_operator_token ();
	g_autofree gchar *clin = at_create_key (op, a, "clinician", NULL);
	g_autofree gchar *path = keys_path (a);
	g_autoptr (AtResp) r1 = at_http ("GET", path, clin, NULL);
	g_autoptr (AtResp) r2 = at_http ("POST", path, clin, "{\"role\": \"clinician\"}");
	g_autoptr (AtResp) r3 = at_http ("POST", "/v1/admin/tenants", clin, "{\"name\": \"x\"}");
	g_autoptr (AtResp) r4 = at_http ("GET", "/v1/admin/tenants", clin, NULL);

	assert_status (r1, 403, "clinician lists keys");
	assert_status (r2, 403, "clinician creates a key");
	assert_status (r3, 403, "clinician creates a tenant");
	assert_status (r4, 403, "clinician lists tenants");
	cr_assert_str_eq (at_error_code (r1), "forbidden");
}

Test (auth, revoked_key_gets_401)
{
	g_autofree gchar *a = at_create_tenant ("Clinic D");
	g_autofree gchar *op = at_operator_token ();
	g_autofree gchar *key_id = NULL;
	g_autofree gchar *clin = at_create_key (op, a, "clinician", &key_id);
	g_autofree gchar *del = g_strdup_printf ("/v1/admin/tenants/%s/keys/%s", a, key_id);
	g_autoptr (AtResp) before = at_http ("GET", "/v1/auth/whoami", clin, NULL);
	g_autoptr (AtResp) revoke = at_http ("DELETE", del, op, NULL);
	g_autoptr (AtResp) after = at_http ("GET", "/v1/auth/whoami", clin, NULL);
	g_autoptr (AtResp) unknown = NULL;
	g_autoptr (AtResp) garbage = at_http ("GET", "/v1/auth/whoami", "not-a-key", NULL);
	g_autoptr (AtResp) none = at_http ("GET", "/v1/auth/whoami", NULL, NULL);
	g_autofree gchar *forged = g_strdup (clin);

	assert_status (before, 200, "before revocation");
	assert_status (revoke, 204, "revoke");
	assert_status (after, 401, "after revocation");
	/* same key id, other secret */
	forged[strlen (forged) - 1] = forged[strlen (forged) - 1] == '0' ? '1' : '0';
	unknown = at_http ("GET", "/v1/auth/whoami", forged, NULL);
	assert_status (unknown, 401, "forged secret");
	assert_status (garbage, 401, "garbage token");
	assert_status (none, 401, "no token");
	/* revoked, forged and garbage are indistinguishable */
	cr_assert_str_eq (at_error_message (after), UNAUTHORIZED_MESSAGE);
	cr_assert_str_eq (at_error_message (unknown), UNAUTHORIZED_MESSAGE);
	cr_assert_str_eq (at_error_message (garbage), UNAUTHORIZED_MESSAGE);
}

/* A key revoked by another instance sharing the database (here: straight in SQL) stops working
 * within MV_AUTH_KNOWN_KEY_SECONDS (2 s): the daemon remembers a verified key that long. */
Test (auth, a_key_revoked_elsewhere_stops_working_within_two_seconds)
{
	g_autofree gchar *a = at_create_tenant ("Clinic D2");
	g_autofree gchar *op = at_operator_token ();
	g_autofree gchar *key_id = NULL;
	g_autofree gchar *clin = at_create_key (op, a, "clinician", &key_id);
	const gchar *params[] = { key_id };
	g_autoptr (AtResp) before = at_http ("GET", "/v1/auth/whoami", clin, NULL);
	g_autofree gchar *updated = NULL;
	gint64 revoked_us;
	guint status = 200;

	assert_status (before, 200, "before revocation");
	updated = at_sql_value ("WITH u AS (UPDATE api_keys SET revoked_at = now() WHERE key_id = "
				"$1 RETURNING 1) SELECT count(*) FROM u",
				1, params);
	cr_assert_str_eq (updated, "1");
	revoked_us = g_get_monotonic_time ();
	while (status == 200 && g_get_monotonic_time () - revoked_us < 5 * G_USEC_PER_SEC) {
		g_autoptr (AtResp) r = at_http ("GET", "/v1/auth/whoami", clin, NULL);
		status = r->status;
		if (status == 200)
			g_usleep (100 * 1000);
	}
	cr_assert_eq (status, 401, "still %u 5 s after the revocation", status);
	cr_assert_leq (g_get_monotonic_time () - revoked_us, 3 * G_USEC_PER_SEC,
		       "401 only after %" G_GINT64_FORMAT " ms",
		       (g_get_monotonic_time () - revoked_us) / 1000);
}

/* a key of @tenant that expires @seconds from now */
static gchar *
expiring_key (const gchar *tenant, gint seconds, gint64 *expires_us)
{
	g_autofree gchar *op = at_operator_token ();
	g_autofree gchar *path = keys_path (tenant);
	/* whole seconds, whatever precision the daemon keeps */
	gint64 at = g_get_real_time () / G_USEC_PER_SEC + seconds;
	g_autoptr (GDateTime) soon = g_date_time_new_from_unix_utc (at);
	g_autofree gchar *when = g_date_time_format_iso8601 (soon);
	g_autofree gchar *body
		= g_strdup_printf ("{\"role\": \"clinician\", \"expires_at\": \"%s\"}", when);
	g_autoptr (AtResp) key = at_http ("POST", path, op, body);

	assert_status (key, 201, "create expiring key");
	*expires_us = at * G_USEC_PER_SEC;
	return g_strdup (at_str (key, "token"));
}

/* no clock window: the key is used before its expiry (shown by the answer arriving before it;
 * on a machine too busy for that, a key with a longer life is tried), then polled until it is
 * refused, which must happen soon after its expiry */
Test (auth, expired_key_gets_401, .timeout = 120)
{
	g_autofree gchar *a = at_create_tenant ("Clinic E");
	g_autofree gchar *token = NULL;
	g_autoptr (AtResp) after = NULL;
	gint64 expires_us = 0;
	gboolean used_before_expiry = FALSE;

	for (gint life = 2; life <= 32 && !used_before_expiry; life *= 4) {
		g_autoptr (AtResp) before = NULL;

		g_clear_pointer (&token, g_free);
		token = expiring_key (a, life, &expires_us);
		before = at_http ("GET", "/v1/auth/whoami", token, NULL);
		if (g_get_real_time () < expires_us) {
			assert_status (before, 200, "before expiry");
			used_before_expiry = TRUE;
		}
	}
	cr_assert (used_before_expiry, "no key could be used before it expired");
	for (;;) {
		g_clear_pointer (&after, at_resp_free);
		after = at_http ("GET", "/v1/auth/whoami", token, NULL);
		if (after->status != 200 || g_get_real_time () > expires_us + 60 * G_USEC_PER_SEC)
			break;
		g_usleep (100 * 1000);
	}
	assert_status (after, 401, "after expiry");
	cr_assert_str_eq (at_error_message (after), UNAUTHORIZED_MESSAGE);
}

/* what the refused requests below could have written (other tests run in parallel: only
 * this test's clinic and names are counted) */
static gint64
count_written (const gchar *clinic)
{
	return at_sql_count ("SELECT (SELECT count(*) FROM clinics WHERE name LIKE 'bad-input%' OR "
			     "length(name) > 200 OR name LIKE 'a%b') "
			     "+ (SELECT count(*) FROM api_keys WHERE clinic_id = $1) "
			     "+ (SELECT count(*) FROM patient_invites WHERE clinic_id = $1) "
			     "+ (SELECT count(*) FROM audit_entries WHERE clinic_id = $1::text "
			     "   OR resource_id LIKE $1 || '%')",
			     1, (const gchar *const[]){ clinic });
}

/* every bad body is refused with a 4xx naming the problem and writes nothing */
Test (auth, bad_input_writes_nothing)
{
	g_autofree gchar *a = at_create_tenant ("Clinic F");
	g_autofree gchar *op = at_operator_token ();
	g_autofree gchar *admin = at_create_key (op, a, "clinic-admin", NULL);
	g_autofree gchar *path = keys_path (a);
	g_autofree gchar *long_name = g_strnfill (201, 'x');
	g_autofree gchar *long_body = g_strdup_printf ("{\"name\": \"%s\"}", long_name);
	g_autofree gchar *long_label
		= g_strdup_printf ("{\"role\": \"clinician\", \"label\": \"%s\"}", long_name);
	g_autofree gchar *huge = NULL;
	struct {
		const gchar *method, *path, *token, *body;
		guint status;
		const gchar *needle;
	} cases[] = {
		{ "POST", "/v1/admin/tenants", op, "{\"name\": ", 400, NULL },
		{ "POST", "/v1/admin/tenants", op, "[\"name\"]", 422, "object" },
		{ "POST", "/v1/admin/tenants", op, "{}", 422, "name" },
		{ "POST", "/v1/admin/tenants", op, "{\"name\": 5}", 422, "name" },
		{ "POST", "/v1/admin/tenants", op, "{\"name\": null}", 422, "name" },
		{ "POST", "/v1/admin/tenants", op, "{\"name\": \"   \"}", 422, "name" },
		{ "POST", "/v1/admin/tenants", op, "{\"name\": \"a\\u0007b\"}", 422, "name" },
		{ "POST", "/v1/admin/tenants", op, "{\"name\": \"bad-input\", \"id\": \"y\"}", 422,
		  "id" },
		{ "POST", "/v1/admin/tenants", op, long_body, 422, "name" },
		{ "POST", path, admin, "{\"role\": ", 400, NULL },
		{ "POST", path, admin, "{}", 422, "role" },
		{ "POST", path, admin, "{\"role\": 1}", 422, "role" },
		{ "POST", path, admin, "{\"role\": \"operator\"}", 422, "role" },
		{ "POST", path, admin, "{\"role\": \"patient\"}", 422, "role" },
		{ "POST", path, admin, "{\"role\": \"superuser\"}", 422, "role" },
		{ "POST", path, admin, "{\"role\": \"clinician\", \"tenant_id\": \"x\"}", 422,
		  "tenant_id" },
		{ "POST", path, admin, "{\"role\": \"clinician\", \"expires_at\": \"tomorrow\"}",
		  422, "expires_at" },
		{ "POST", path, admin, "{\"role\": \"clinician\", \"expires_at\": \"2099-01-01\"}",
		  422, "expires_at" },
		{ "POST", path, admin,
		  "{\"role\": \"clinician\", \"expires_at\": \"2099-01-01T00:00:00\"}", 422,
		  "expires_at" },
		{ "POST", path, admin,
		  "{\"role\": \"clinician\", \"expires_at\": \"2099-02-30T00:00:00Z\"}", 422,
		  "expires_at" },
		{ "POST", path, admin,
		  "{\"role\": \"clinician\", \"expires_at\": \"2001-01-01T00:00:00Z\"}", 422,
		  "expires_at" },
		{ "POST", path, admin, "{\"role\": \"clinician\", \"expires_at\": 4102444800}", 422,
		  "expires_at" },
		{ "POST", path, admin, "{\"role\": \"clinician\", \"label\": [1]}", 422, "label" },
		{ "POST", path, admin, long_label, 422, "label" },
		{ "POST", "/v1/invites/redeem", NULL, "{\"code\": \"mvi_nope\"}", 422, "code" },
		{ "POST", "/v1/invites/redeem", NULL, "{\"code\": 12}", 422, "code" },
		{ "POST", "/v1/invites/redeem", NULL,
		  "{\"code\": \"mvi_00000000000000000000000000000000\", \"x\": 1}", 422, "x" },
		{ "POST", "/v1/invites/redeem", NULL,
		  "{\"code\": \"mvi_00000000000000000000000000000000\"}", 404, NULL },
		{ "DELETE", "/v1/admin/tenants/x/keys/y", op, NULL, 404, NULL },
	};
	gint64 before = count_written (a);

	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr (AtResp) r
			= at_http (cases[i].method, cases[i].path, cases[i].token, cases[i].body);
		cr_expect_eq (r->status, cases[i].status, "case %u %s %s: expected %u, got %u %s",
			      i, cases[i].method, cases[i].body, cases[i].status, r->status,
			      r->body);
		if (cases[i].needle != NULL)
			cr_expect_not_null (at_error_message (r) != NULL
						    ? strstr (at_error_message (r), cases[i].needle)
						    : NULL,
					    "case %u: message does not name %s: %s", i,
					    cases[i].needle, r->body);
	}
	/* a body over the configured limit (1 MiB by default) */
	huge = g_strdup_printf ("{\"name\": \"%s\"}", g_strnfill (2 * 1024 * 1024, 'x'));
	{
		g_autoptr (AtResp) r = at_http ("POST", "/v1/admin/tenants", op, huge);
		cr_expect_eq (r->status, 413, "oversize body: %u", r->status);
	}
	cr_assert_eq (count_written (a), before, "a refused request wrote something");
}

/* An invite made (as mv_auth_create_patient_invite() stores it) is redeemed once for a
 * patient key that reaches only that patient. */
Test (auth, invite_redeemed_once_for_a_patient_key)
{
	g_autofree gchar *a = at_create_tenant ("Clinic G");
	g_autofree gchar *op = at_operator_token ();
	g_autofree gchar *patient = g_uuid_string_random ();
	guint8 raw[16], hash[32];
	gchar hex[33];
	g_autofree gchar *code = NULL;
	g_autofree gchar *body = NULL;
	g_autofree gchar *param = NULL;
	g_autoptr (AtResp) first = NULL;
	g_autoptr (AtResp) second = NULL;
	g_autoptr (AtResp) who = NULL;
	g_autoptr (AtResp) admin = NULL;
	g_autoptr (PGconn) conn = at_sql_connect ();
	g_autoptr (PGresult) res = NULL;
	g_autofree gchar *path = keys_path (a);

	cr_assert_geq (sodium_init (), 0);
	randombytes_buf (raw, sizeof raw);
	sodium_bin2hex (hex, sizeof hex, raw, sizeof raw);
	code = g_strdup_printf ("mvi_%s", hex);
	crypto_generichash (hash, sizeof hash, (const guint8 *)code, strlen (code),
			    (const guint8 *)"medverse.invite.v1", strlen ("medverse.invite.v1"));
	param = mv_db_bytea_to_text (hash, sizeof hash);
	res = PQexecParams (
		conn,
		"INSERT INTO patient_invites (clinic_id, code_hash, patient_id, created_by, "
		"expires_at) VALUES ($1, $2, $3, 'test', now() + interval '1 hour')",
		3, NULL, (const gchar *const[]){ a, param, patient }, NULL, NULL, 0);
	cr_assert_eq (PQresultStatus (res), PGRES_COMMAND_OK, "%s", PQerrorMessage (conn));

	body = g_strdup_printf ("{\"code\": \"%s\"}", code);
	first = at_http ("POST", "/v1/invites/redeem", NULL, body);
	assert_status (first, 201, "redeem");
	cr_assert_str_eq (at_str (first, "role"), "patient");
	cr_assert_str_eq (at_str (first, "patient_id"), patient);
	second = at_http ("POST", "/v1/invites/redeem", NULL, body);
	assert_status (second, 404, "redeem twice");

	who = at_http ("GET", "/v1/auth/whoami", at_str (first, "token"), NULL);
	assert_status (who, 200, "patient whoami");
	cr_assert_str_eq (at_str (who, "role"), "patient");
	cr_assert_str_eq (at_str (who, "patient_id"), patient);
	cr_assert_str_eq (at_str (who, "tenant_id"), a);
	admin = at_http ("GET", path, at_str (first, "token"), NULL);
	assert_status (admin, 403, "patient on an admin route");
}

Test (auth, expired_invite_is_refused)
{
	g_autofree gchar *a = at_create_tenant ("Clinic H");
	g_autofree gchar *patient = g_uuid_string_random ();
	const gchar *code = "mvi_0123456789abcdef0123456789abcdef";
	guint8 hash[32];
	g_autofree gchar *param = NULL;
	g_autoptr (PGconn) conn = at_sql_connect ();
	g_autoptr (PGresult) res = NULL;
	g_autoptr (AtResp) r = NULL;

	cr_assert_geq (sodium_init (), 0);
	crypto_generichash (hash, sizeof hash, (const guint8 *)code, strlen (code),
			    (const guint8 *)"medverse.invite.v1", strlen ("medverse.invite.v1"));
	param = mv_db_bytea_to_text (hash, sizeof hash);
	res = PQexecParams (
		conn,
		"INSERT INTO patient_invites (clinic_id, code_hash, patient_id, created_by, "
		"expires_at) VALUES ($1, $2, $3, 'test', now() - interval '1 second')",
		3, NULL, (const gchar *const[]){ a, param, patient }, NULL, NULL, 0);
	cr_assert_eq (PQresultStatus (res), PGRES_COMMAND_OK, "%s", PQerrorMessage (conn));
	r = at_http ("POST", "/v1/invites/redeem", NULL,
		     "{\"code\": \"mvi_0123456789abcdef0123456789abcdef\"}");
	assert_status (r, 404, "expired invite");
	cr_assert_eq (at_sql_count ("SELECT count(*) FROM api_keys WHERE clinic_id = $1", 1,
				    (const gchar *const[]){ a }),
		      0);
}

/* No token, nor its secret half, is anywhere in the database or the daemon's log. */
Test (auth, secrets_never_stored_or_logged, .timeout = 60)
{
	g_autofree gchar *a = at_create_tenant ("Clinic I");
	g_autofree gchar *op = at_operator_token ();
	g_autofree gchar *admin = at_create_key (op, a, "clinic-admin", NULL);
	g_autofree gchar *clin = at_create_key (admin, a, "clinician", NULL);
	g_autofree gchar *dump = NULL;
	g_autofree gchar *log = NULL;
	const gchar *tokens[] = { op, admin, clin };
	g_autoptr (AtResp) who = at_http ("GET", "/v1/auth/whoami", clin, NULL);

	assert_status (who, 200, "use the key");
	dump = at_pg_dump ();
	log = mvt_shared_log ();
	cr_assert_not_null (strstr (dump, "Clinic I"), "the dump holds the data");
	for (guint i = 0; i < G_N_ELEMENTS (tokens); i++) {
		const gchar *secret = tokens[i] + strlen (tokens[i]) - 64;
		cr_assert_null (strstr (dump, secret), "secret %u in pg_dump", i);
		cr_assert_null (strstr (log, secret), "secret %u in the daemon log", i);
	}
}

/* ---- D-Bus admin ------------------------------------------------------------------------- */

/* The typed answer as the JSON document the HTTP route gives: a record (a{sv}) as an object, a
 * list (aa{sv}) under "tenants" or "keys"; "" for no answer value. */
static gchar *
admin_call (GDBusConnection *bus, const gchar *method, GVariant *params, GError **error)
{
	g_autoptr (GVariant) reply = g_dbus_connection_call_sync (
		bus, "org.medverse.Health1", "/org/medverse/Health1", "org.medverse.Health1.Admin",
		method, params, NULL, G_DBUS_CALL_FLAGS_NONE, 30000, NULL, error);
	g_autoptr (GVariant) value = NULL;
	g_autoptr (JsonNode) node = NULL;
	g_autoptr (JsonObject) wrapper = NULL;

	if (reply == NULL)
		return NULL;
	if (g_variant_n_children (reply) == 0)
		return g_strdup ("");
	value = g_variant_get_child_value (reply, 0);
	cr_assert (g_variant_is_of_type (value, G_VARIANT_TYPE ("a{sv}"))
			   || g_variant_is_of_type (value, G_VARIANT_TYPE ("aa{sv}")),
		   "%s answers %s, not a typed record or list", method,
		   g_variant_get_type_string (value));
	node = mv_value_to_json (value);
	if (!g_variant_is_of_type (value, G_VARIANT_TYPE ("aa{sv}")))
		return json_to_string (node, FALSE);
	wrapper = json_object_new ();
	json_object_set_member (wrapper, g_str_has_suffix (method, "Tenants") ? "tenants" : "keys",
				g_steal_pointer (&node));
	node = json_node_init_object (json_node_alloc (), wrapper);
	return json_to_string (node, FALSE);
}

static JsonObject *
parse_object (const gchar *json, JsonNode **keep)
{
	*keep = json_from_string (json, NULL);
	cr_assert_not_null (*keep, "not JSON: %s", json);
	return json_node_get_object (*keep);
}

Test (dbus, admin_interface_manages_tenants_and_keys)
{
	g_autoptr (GDBusConnection) bus = at_bus ();
	g_autoptr (GError) error = NULL;
	g_autofree gchar *tenant_json
		= admin_call (bus, "CreateTenant", g_variant_new ("(s)", "Bus Clinic"), &error);
	g_autoptr (JsonNode) t = NULL, k = NULL;
	g_autofree gchar *key_json = NULL;
	g_autofree gchar *list_json = NULL;
	g_autofree gchar *revoked = NULL;
	g_autofree gchar *bad = NULL;
	const gchar *id, *token, *key_id;
	g_autoptr (AtResp) who = NULL;
	g_autoptr (AtResp) after = NULL;

	cr_assert_not_null (tenant_json, "%s", error != NULL ? error->message : "");
	id = json_object_get_string_member (parse_object (tenant_json, &t), "id");
	key_json = admin_call (bus, "CreateKey",
			       g_variant_new ("(ssss)", id, "clinician", "", "ward 3"), &error);
	cr_assert_not_null (key_json, "%s", error != NULL ? error->message : "");
	token = json_object_get_string_member (parse_object (key_json, &k), "token");
	key_id = json_object_get_string_member (json_node_get_object (k), "key_id");
	who = at_http ("GET", "/v1/auth/whoami", token, NULL);
	assert_status (who, 200, "key made over D-Bus works over HTTP");

	list_json = admin_call (bus, "ListKeys", g_variant_new ("(s)", id), &error);
	cr_assert_not_null (list_json);
	cr_assert_not_null (strstr (list_json, key_id));
	cr_assert_null (strstr (list_json, token + 22), "secret in ListKeys");

	revoked = admin_call (bus, "RevokeKey", g_variant_new ("(ss)", id, key_id), &error);
	cr_assert_not_null (revoked, "%s", error != NULL ? error->message : "");
	after = at_http ("GET", "/v1/auth/whoami", token, NULL);
	assert_status (after, 401, "revoked over D-Bus");

	bad = admin_call (bus, "CreateKey", g_variant_new ("(ssss)", id, "operator", "", ""),
			  &error);
	cr_assert_null (bad);
	cr_assert (g_dbus_error_is_remote_error (error));
	cr_assert_not_null (strstr (error->message, "InvalidInput"), "%s", error->message);
	g_clear_error (&error);
	bad = admin_call (bus, "ListKeys",
			  g_variant_new ("(s)", "00000000-0000-4000-8000-000000000000"), &error);
	cr_assert_null (bad);
	cr_assert_not_null (strstr (error->message, "NotFound"), "%s", error->message);
	{
		/* this test's own rows (other tests make tenants and keys over D-Bus too): the
		 * tenant by its id, the key by its id, in the operator's tree or the clinic's */
		g_autofree gchar *actor = g_strdup_printf ("dbus:uid=%u", (guint)getuid ());
		const gchar *params[] = { id, key_id, actor };
		g_autofree gchar *actions = at_sql_value (
			"SELECT string_agg (DISTINCT action, ',' ORDER BY action) FROM "
			"audit_entries "
			"WHERE actor = $3 AND ((action = 'tenant.create' AND resource_id = $1) "
			"OR (action IN ('key.create', 'key.revoke') AND (resource_id = $1 || '/' "
			"|| $2 "
			"OR (clinic_id = $1 AND resource_id = $2))))",
			3, params);
		cr_assert_str_eq (actions != NULL ? actions : "(none)",
				  "key.create,key.revoke,tenant.create",
				  "D-Bus changes of tenant %s and key %s audited under %s", id,
				  key_id, actor);
	}
}

Test (dbus, medversectl_keys_and_operator_key)
{
	const gchar *ctl = mvt_getenv ("MEDVERSECTL");
	g_auto (GStrv) envp = g_environ_setenv (g_get_environ (), "DBUS_SESSION_BUS_ADDRESS",
						mvt_shared_bus_address (), TRUE);
	const gchar *create[]
		= { ctl, "--bus", "session", "tenants", "create", "Ctl Clinic", NULL };
	const gchar *opkey[]
		= { ctl, "--bus", "session", "operator-key", "create", "second", NULL };
	g_autofree gchar *out = NULL, *out2 = NULL, *err = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (JsonNode) node = NULL, node2 = NULL;
	gint status;
	g_autoptr (AtResp) list = NULL;

	cr_assert (g_spawn_sync (NULL, (gchar **)create, envp, 0, NULL, NULL, &out, &err, &status,
				 &error));
	cr_assert (g_spawn_check_wait_status (status, NULL), "medversectl tenants create: %s", err);
	node = json_from_string (out, NULL);
	cr_assert_not_null (node, "%s", out);
	g_clear_pointer (&err, g_free);
	cr_assert (g_spawn_sync (NULL, (gchar **)opkey, envp, 0, NULL, NULL, &out2, &err, &status,
				 &error));
	cr_assert (g_spawn_check_wait_status (status, NULL), "medversectl operator-key create: %s",
		   err);
	node2 = json_from_string (out2, NULL);
	cr_assert_not_null (node2, "%s", out2);
	/* the new operator key works */
	list = at_http ("GET", "/v1/admin/tenants",
			json_object_get_string_member (json_node_get_object (node2), "token"),
			NULL);
	assert_status (list, 200, "second operator key");
	cr_assert_not_null (strstr (
		list->body, json_object_get_string_member (json_node_get_object (node), "id")));
}

/* Runs the built medversectl on the shared daemon's bus: exit status, stdout, stderr. */
static gint
run_ctl (const gchar *const *args, gchar **out, gchar **err)
{
	return mvt_run_medversectl (mvt_shared_bus_address (), args, out, err);
}

static JsonObject *
run_ctl_json (const gchar *const *args)
{
	g_autofree gchar *out = NULL, *err = NULL;
	gint status = run_ctl (args, &out, &err);
	g_autoptr (JsonNode) node = NULL;

	cr_assert_eq (status, 0, "medversectl %s %s: exit %d: %s", args[0], args[1], status, err);
	node = json_from_string (out, NULL);
	cr_assert (node != NULL && JSON_NODE_HOLDS_OBJECT (node), "not a JSON object: %s", out);
	return json_object_ref (json_node_get_object (node));
}

/* the entry of @key_id in `medversectl keys list TENANT` */
static JsonObject *
ctl_listed_key (const gchar *tenant, const gchar *key_id)
{
	g_autoptr (JsonObject) list
		= run_ctl_json ((const gchar *const[]){ "keys", "list", tenant, NULL });
	JsonArray *keys = json_object_get_array_member (list, "keys");

	for (guint i = 0; i < json_array_get_length (keys); i++) {
		JsonObject *k = json_array_get_object_element (keys, i);
		if (g_strcmp0 (json_object_get_string_member (k, "key_id"), key_id) == 0)
			return json_object_ref (k);
	}
	cr_assert_fail ("key %s not listed", key_id);
	return NULL;
}

/* The operator's command line, run as a binary: keys create prints the token once and it
 * works, keys list shows the key (no secret), keys revoke prints ok and the token stops
 * working, and the list shows it revoked; a bad role is refused with exit status 1. */
Test (dbus, medversectl_keys_create_list_revoke)
{
	g_autofree gchar *tenant = at_create_tenant ("Ctl Keys Clinic");
	g_autoptr (JsonObject) made = run_ctl_json ((const gchar *const[]){
		"keys", "create", tenant, "clinician", "2099-01-01T00:00:00Z", "ctl label", NULL });
	const gchar *token = json_object_get_string_member (made, "token");
	const gchar *key_id = json_object_get_string_member (made, "key_id");
	g_autoptr (JsonObject) listed = NULL;
	g_autoptr (JsonObject) revoked = NULL;
	g_autoptr (AtResp) who = NULL;
	g_autoptr (AtResp) after = NULL;
	g_autofree gchar *out = NULL, *err = NULL;
	g_autofree gchar *list_out = NULL, *list_err = NULL;
	gint status;

	cr_assert_str_eq (json_object_get_string_member (made, "tenant_id"), tenant);
	cr_assert_str_eq (json_object_get_string_member (made, "role"), "clinician");
	cr_assert_str_eq (json_object_get_string_member (made, "label"), "ctl label");
	cr_assert (g_str_has_prefix (json_object_get_string_member (made, "expires_at"),
				     "2099-01-01T00:00:00"));
	cr_assert (g_str_has_prefix (token, "mvk_"));
	who = at_http ("GET", "/v1/auth/whoami", token, NULL);
	assert_status (who, 200, "the token medversectl printed");
	cr_assert_str_eq (at_str (who, "key_id"), key_id);

	listed = ctl_listed_key (tenant, key_id);
	cr_assert (json_object_get_boolean_member (listed, "active"));
	cr_assert_str_eq (json_object_get_string_member (listed, "label"), "ctl label");
	/* D-Bus has no null: a key not revoked has no revoked_at */
	cr_assert_not (json_object_has_member (listed, "revoked_at"));
	status = run_ctl ((const gchar *const[]){ "keys", "list", tenant, NULL }, &list_out,
			  &list_err);
	cr_assert_eq (status, 0);
	cr_assert_null (strstr (list_out, token + 4), "keys list printed a secret");

	status = run_ctl ((const gchar *const[]){ "keys", "revoke", tenant, key_id, NULL }, &out,
			  &err);
	cr_assert_eq (status, 0, "keys revoke: exit %d: %s", status, err);
	cr_assert_str_eq (out, "ok\n");
	after = at_http ("GET", "/v1/auth/whoami", token, NULL);
	assert_status (after, 401, "a token revoked with medversectl");
	revoked = ctl_listed_key (tenant, key_id);
	cr_assert_not (json_object_get_boolean_member (revoked, "active"));
	cr_assert_not (json_object_get_null_member (revoked, "revoked_at"));

	g_clear_pointer (&out, g_free);
	g_clear_pointer (&err, g_free);
	status = run_ctl ((const gchar *const[]){ "keys", "create", tenant, "superuser", NULL },
			  &out, &err);
	cr_assert_eq (status, 1, "a bad role: exit %d: %s", status, out);
	cr_assert_not_null (strstr (err, "role"), "%s", err);
}

/* A key's use is recorded in api_keys.last_used_at (and shown by the key list), at most once a
 * minute per key and daemon: a second use right after does not write it again. */
Test (auth, last_used_at_is_recorded_on_use)
{
	g_autofree gchar *op = at_operator_token ();
	g_autofree gchar *tenant = at_create_tenant ("Last Use Clinic");
	g_autofree gchar *key_id = NULL;
	g_autofree gchar *token = at_create_key (op, tenant, "clinician", &key_id);
	const gchar *params[] = { key_id };
	g_autofree gchar *before = NULL;
	g_autofree gchar *first = NULL;
	g_autofree gchar *recent = NULL;
	g_autofree gchar *second = NULL;
	g_autofree gchar *path = keys_path (tenant);
	g_autoptr (AtResp) use1 = NULL;
	g_autoptr (AtResp) use2 = NULL;
	g_autoptr (AtResp) list = NULL;

	before = at_sql_value ("SELECT coalesce(last_used_at::text, 'never') FROM api_keys "
			       "WHERE key_id = $1",
			       1, params);
	cr_assert_str_eq (before, "never");
	use1 = at_http ("GET", "/v1/auth/whoami", token, NULL);
	assert_status (use1, 200, "first use");
	first = at_sql_value ("SELECT last_used_at::text FROM api_keys WHERE key_id = $1", 1,
			      params);
	cr_assert_not_null (first, "last_used_at not written on use");
	recent = at_sql_value ("SELECT (now() - last_used_at < interval '1 minute')::text FROM "
			       "api_keys WHERE key_id = $1",
			       1, params);
	cr_assert_str_eq (recent, "true");
	list = at_http ("GET", path, op, NULL);
	assert_status (list, 200, "key list");
	{
		JsonArray *keys
			= json_object_get_array_member (json_node_get_object (list->json), "keys");
		gboolean seen = FALSE;
		for (guint i = 0; i < json_array_get_length (keys); i++) {
			JsonObject *k = json_array_get_object_element (keys, i);
			if (g_strcmp0 (json_object_get_string_member (k, "key_id"), key_id) != 0)
				continue;
			cr_assert_not (json_object_get_null_member (k, "last_used_at"));
			seen = TRUE;
		}
		cr_assert (seen, "key not listed: %s", list->body);
	}
	use2 = at_http ("GET", "/v1/auth/whoami", token, NULL);
	assert_status (use2, 200, "second use");
	second = at_sql_value ("SELECT last_used_at::text FROM api_keys WHERE key_id = $1", 1,
			       params);
	cr_assert_str_eq (second, first, "written again within the minute");
}

/* Rotation re-wraps every clinic KEK under the new master key in one go; the daemon keeps
 * working on the new key; a bad new key changes nothing. */
Test (dbus, rotate_master_key)
{
	g_autoptr (GDBusConnection) bus = at_bus ();
	g_autoptr (GError) error = NULL;
	g_autofree gchar *a = at_create_tenant ("Rotation Clinic");
	g_autofree gchar *dir = g_dir_make_tmp ("mv-rot-XXXXXX", NULL);
	g_autofree gchar *key = g_build_filename (dir, "master-2.key", NULL);
	g_autofree gchar *missing = g_build_filename (dir, "nope.key", NULL);
	g_autofree gchar *before
		= at_sql_value ("SELECT master_key_id FROM clinics WHERE clinic_id = $1", 1,
				(const gchar *const[]){ a });
	g_autofree gchar *wrapped_before
		= at_sql_value ("SELECT wrapped_kek FROM clinics WHERE clinic_id = $1", 1,
				(const gchar *const[]){ a });
	g_autofree gchar *bad = NULL;
	g_autofree gchar *result = NULL;
	g_autofree gchar *after = NULL;
	g_autofree gchar *wrapped_after = NULL;
	g_autoptr (JsonNode) node = NULL;
	g_autofree gchar *b = NULL;
	const gchar *new_id;
	guint8 raw[32];
	gchar hex[65];

	/* a missing file: refused, nothing changed */
	bad = admin_call (bus, "RotateMasterKey", g_variant_new ("(s)", missing), &error);
	cr_assert_null (bad);
	g_clear_error (&error);
	cr_assert_eq (at_sql_count ("SELECT count(*) FROM clinics WHERE master_key_id <> $1", 1,
				    (const gchar *const[]){ before }),
		      0);

	randombytes_buf (raw, sizeof raw);
	sodium_bin2hex (hex, sizeof hex, raw, sizeof raw);
	cr_assert (g_file_set_contents_full (key, hex, -1, G_FILE_SET_CONTENTS_NONE, 0600, NULL));
	result = admin_call (bus, "RotateMasterKey", g_variant_new ("(s)", key), &error);
	cr_assert_not_null (result, "%s", error != NULL ? error->message : "");
	new_id = json_object_get_string_member (parse_object (result, &node), "master_key_id");
	cr_assert_str_eq (json_object_get_string_member (json_node_get_object (node),
							 "previous_master_key_id"),
			  before);
	cr_assert_gt (json_object_get_int_member (json_node_get_object (node), "tenants_rewrapped"),
		      0);
	after = at_sql_value ("SELECT master_key_id FROM clinics WHERE clinic_id = $1", 1,
			      (const gchar *const[]){ a });
	wrapped_after = at_sql_value ("SELECT wrapped_kek FROM clinics WHERE clinic_id = $1", 1,
				      (const gchar *const[]){ a });
	cr_assert_str_eq (after, new_id);
	cr_assert_str_neq (wrapped_after, wrapped_before);
	cr_assert_eq (at_sql_count ("SELECT count(*) FROM clinics WHERE master_key_id <> $1", 1,
				    (const gchar *const[]){ new_id }),
		      0, "every clinic re-wrapped");
	{
		/* the new master opens the stored KEK, the old one no longer does */
		g_autofree gchar *old_path
			= g_build_filename (mvt_getenv ("MVT_ROOT"), "data", "master.key", NULL);
		g_autoptr (MvVault) old_vault = mv_vault_new_from_key_file (old_path, &error);
		g_autoptr (MvVault) new_vault = mv_vault_new_from_key_file (key, &error);
		g_autoptr (GBytes) wrapped = mv_db_bytea_from_text (wrapped_after);
		g_autoptr (MvSecret) kek = NULL;
		g_autoptr (MvSecret) none = NULL;
		g_autoptr (GError) old_error = NULL;

		cr_assert_not_null (old_vault);
		cr_assert_not_null (new_vault);
		cr_assert_not_null (wrapped);
		kek = mv_vault_unwrap_kek (new_vault, a, wrapped, &error);
		cr_assert_not_null (kek, "new master cannot open the re-wrapped KEK");
		none = mv_vault_unwrap_kek (old_vault, a, wrapped, &old_error);
		cr_assert_null (none, "the old master still opens the KEK");
	}
	/* the same key again: refused */
	g_clear_pointer (&bad, g_free);
	bad = admin_call (bus, "RotateMasterKey", g_variant_new ("(s)", key), &error);
	cr_assert_null (bad);
	g_clear_error (&error);
	/* new clinics are wrapped under the new key */
	b = at_create_tenant ("After Rotation");
	g_clear_pointer (&after, g_free);
	after = at_sql_value ("SELECT master_key_id FROM clinics WHERE clinic_id = $1", 1,
			      (const gchar *const[]){ b });
	cr_assert_str_eq (after, new_id);
	cr_assert_eq (at_sql_count ("SELECT count(*) FROM audit_entries WHERE action = "
				    "'master-key.rotate' AND resource_id = $1",
				    1, (const gchar *const[]){ new_id }),
		      1);
}

int
main (int argc, char **argv)
{
	static const gchar *const none[] = { NULL };
	MvtOptions options = { .good_plugins = none, .bad_plugins = none, .config = NULL };
	if (sodium_init () < 0)
		return 1;
	return mvt_main (argc, argv, &options);
}

/* Tenant and key administration over D-Bus is for root and the daemon's own user: another
 * local user on the same bus is refused, and nothing is created. */
Test (dbus, other_uid_is_refused)
{
	g_autofree gchar *address = g_strdup (mvt_shared_bus_address ());
	const gchar *argv[] = { "runuser",	   "-u",
				"nobody",	   "--",
				"gdbus",	   "call",
				"--address",	   address,
				"--dest",	   "org.medverse.Health1",
				"--object-path",   "/org/medverse/Health1",
				"--method",	   "org.medverse.Health1.Admin.CreateTenant",
				"Intruder Clinic", NULL };
	g_autofree gchar *out = NULL, *err = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (AtResp) list = NULL;
	g_autofree gchar *op = at_operator_token ();
	gint status;

	if (getuid () != 0)
		cr_skip_test ("needs root to call as another user");
	cr_assert (g_spawn_sync (NULL, (gchar **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
				 &err, &status, &error),
		   "%s", error != NULL ? error->message : "");
	cr_assert_not (g_spawn_check_wait_status (status, NULL), "call as nobody succeeded: %s",
		       out);
	cr_assert_not_null (strstr (err, "org.medverse.Health1.Error.Forbidden"), "stderr: %s",
			    err);
	list = at_http ("GET", "/v1/admin/tenants", op, NULL);
	assert_status (list, 200, "tenant list");
	cr_assert_null (strstr (list->body, "Intruder Clinic"), "created anyway: %s", list->body);
}

static gboolean
run_quietly (const gchar *const *argv)
{
	gint status = 0;

	return g_spawn_sync (NULL, (gchar **)argv, NULL,
			     G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL
				     | G_SPAWN_STDERR_TO_DEV_NULL,
			     NULL, NULL, NULL, NULL, &status, NULL)
	       && g_spawn_check_wait_status (status, NULL);
}

/* A member of the medverse-admin group (the D-Bus system policy lets it call the admin
 * interface) is an administrator for the daemon too: a throwaway user in that group creates a
 * tenant. */
Test (dbus, admin_group_member_is_allowed)
{
	g_autofree gchar *address = g_strdup (mvt_shared_bus_address ());
	g_autofree gchar *user = g_strdup_printf ("mvtadm%u", g_random_int_range (10000, 99999));
	g_autofree gchar *tenant = g_strdup_printf ("Admin Group Clinic %s", user);
	const gchar *add_group[] = { "groupadd", "-f", "-r", "medverse-admin", NULL };
	const gchar *add_user[] = { "useradd",	      "-M", "-r", "-s", "/usr/sbin/nologin", "-G",
				    "medverse-admin", user, NULL };
	const gchar *del_user[] = { "userdel", user, NULL };
	const gchar *argv[] = { "runuser",
				"-u",
				user,
				"--",
				"gdbus",
				"call",
				"--address",
				address,
				"--dest",
				"org.medverse.Health1",
				"--object-path",
				"/org/medverse/Health1",
				"--method",
				"org.medverse.Health1.Admin.CreateTenant",
				tenant,
				NULL };
	g_autofree gchar *out = NULL, *err = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (AtResp) list = NULL;
	g_autofree gchar *op = at_operator_token ();
	gint status;
	gboolean ok;

	if (getuid () != 0)
		cr_skip_test ("needs root to create a user");
	cr_assert (run_quietly (add_group), "groupadd medverse-admin failed");
	cr_assert (run_quietly (add_user), "useradd %s failed", user);
	ok = g_spawn_sync (NULL, (gchar **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
			   &status, &error);
	run_quietly (del_user);
	cr_assert (ok, "%s", error != NULL ? error->message : "");
	cr_assert (g_spawn_check_wait_status (status, NULL), "refused: %s", err);
	list = at_http ("GET", "/v1/admin/tenants", op, NULL);
	assert_status (list, 200, "tenant list");
	cr_assert_not_null (strstr (list->body, tenant), "not created: %s", list->body);
}
