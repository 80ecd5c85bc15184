/* Clinics and keys through the admin API: see mvt-clinic.h. */
#include "mvt-clinic.h"

#include <criterion/criterion.h>
#include <json-glib/json-glib.h>

#include "mvt-http.h"
#include "mvt-token.h"

/* {"NAME": "VALUE"}, with VALUE escaped as JSON */
static gchar *
json_one_member (const gchar *name, const gchar *value)
{
	g_autoptr (JsonBuilder) builder = json_builder_new ();
	g_autoptr (JsonNode) root = NULL;

	json_builder_begin_object (builder);
	json_builder_set_member_name (builder, name);
	json_builder_add_string_value (builder, value);
	json_builder_end_object (builder);
	root = json_builder_get_root (builder);
	return json_to_string (root, FALSE);
}

/* POST @body to @path as @token.  The operator key has a rate limit like every key (20 a
 * second after a burst of 40), and a test binary's parallel workers making clinics can pass it
 * on a fast machine: a 429 changed nothing, so wait its Retry-After and send again, as a
 * client should, a bounded number of times. */
static MvtResponse *
admin_post (const gchar *url, const gchar *path, const gchar *body, const gchar *token)
{
	for (guint attempt = 0;; attempt++) {
		MvtResponse *r = mvt_http_with_token (url, "POST", path, "application/json", body,
						      -1, token);
		guint64 wait_s = 1;

		if (r->status != 429 || attempt >= 10)
			return r;
		if (r->retry_after != NULL)
			wait_s = CLAMP (g_ascii_strtoull (r->retry_after, NULL, 10), 1, 3);
		mvt_response_free (r);
		g_usleep (wait_s * G_USEC_PER_SEC);
	}
}

gchar *
mvt_create_tenant (const gchar *url, const gchar *token, const gchar *name)
{
	g_autofree gchar *body = json_one_member ("name", name);
	g_autoptr (MvtResponse) r = admin_post (url, "/v1/admin/tenants", body, token);

	cr_assert_eq (r->status, 201, "create tenant: %u %s", r->status, r->body);
	cr_assert_not_null (mvt_str (r, "id"), "no id: %s", r->body);
	return g_strdup (mvt_str (r, "id"));
}

gchar *
mvt_create_key (const gchar *url,
		const gchar *token,
		const gchar *tenant,
		const gchar *role,
		gchar **key_id)
{
	g_autofree gchar *path = g_strdup_printf ("/v1/admin/tenants/%s/keys", tenant);
	g_autofree gchar *body = json_one_member ("role", role);
	g_autoptr (MvtResponse) r = admin_post (url, path, body, token);

	cr_assert_eq (r->status, 201, "create key: %u %s", r->status, r->body);
	cr_assert_not_null (mvt_str (r, "token"), "no token: %s", r->body);
	cr_assert_not_null (mvt_str (r, "key_id"), "no key_id: %s", r->body);
	if (key_id != NULL)
		*key_id = g_strdup (mvt_str (r, "key_id"));
	return g_strdup (mvt_str (r, "token"));
}

void
mvt_clinic_clear (MvtClinic *clinic)
{
	g_clear_pointer (&clinic->id, g_free);
	g_clear_pointer (&clinic->clinician, g_free);
	g_clear_pointer (&clinic->clinician_key_id, g_free);
	g_clear_pointer (&clinic->admin, g_free);
	g_clear_pointer (&clinic->admin_key_id, g_free);
}

void
mvt_clinic_make (const gchar *url, const gchar *data_dir, MvtClinic *clinic)
{
	g_autofree gchar *op = mvt_operator_token (data_dir);
	g_autofree gchar *name = g_strdup_printf ("Clinic %u", g_random_int ());

	clinic->id = mvt_create_tenant (url, op, name);
	clinic->clinician
		= mvt_create_key (url, op, clinic->id, "clinician", &clinic->clinician_key_id);
	clinic->admin = mvt_create_key (url, op, clinic->id, "clinic-admin", &clinic->admin_key_id);
}

gchar *
mvt_patient_key (const gchar *url, const gchar *clinician, const gchar *patient, gchar **key_id)
{
	g_autofree gchar *path = g_strdup_printf ("/v1/patients/%s/invites", patient);
	g_autoptr (MvtResponse) invite
		= mvt_http_with_token (url, "POST", path, "application/json", "{}", -1, clinician);
	g_autofree gchar *body = NULL;
	g_autoptr (MvtResponse) r = NULL;

	cr_assert_eq (invite->status, 201, "invite: %u %s", invite->status, invite->body);
	body = json_one_member ("code", mvt_str (invite, "code"));
	r = mvt_http_with_token (url, "POST", "/v1/invites/redeem", "application/json", body, -1,
				 NULL);
	cr_assert_eq (r->status, 201, "redeem: %u %s", r->status, r->body);
	if (key_id != NULL)
		*key_id = g_strdup (mvt_str (r, "key_id"));
	return g_strdup (mvt_str (r, "token"));
}
