/* org.medverse.Health1.Patient and the limit of failed keys: a D-Bus caller's uid is its
 * address ("dbus:uid=N", as an IP address over HTTP).  After the burst of failed keys from that
 * uid, even a good key is refused with RateLimited before it is looked at; the same key over
 * HTTP (another address) still works.  A daemon of its own, with a burst of 3. */
#include <criterion/criterion.h>
#include <string.h>

#include "mvt.h"

#define ERR "org.medverse.Health1.Error."

static MvtResponse *
http (const gchar *method, const gchar *path, const gchar *token, const gchar *body)
{
	MvtRequest req = {
		.base_url = mvt_shared_url (),
		.method = method,
		.path = path,
		.content_type = body != NULL ? "application/json" : NULL,
		.body = body,
		.len = -1,
		.token = token,
		.anonymous = token == NULL,
	};
	return mvt_request (&req);
}

/* the name of the error GetProgress(@key) fails with, or NULL when it succeeds */
static gchar *
progress_error (GDBusConnection *conn, const gchar *key)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GVariant) reply = g_dbus_connection_call_sync (
		conn, "org.medverse.Health1", "/org/medverse/Health1",
		"org.medverse.Health1.Patient", "GetProgress", g_variant_new ("(ss)", key, "en"),
		G_VARIANT_TYPE ("(a{sv})"), G_DBUS_CALL_FLAGS_NONE, 30000, NULL, &error);

	return reply != NULL ? NULL : g_dbus_error_get_remote_error (error);
}

Test (dbus_patient_limits, failed_keys_from_a_uid_slow_that_uid_down)
{
	g_autofree gchar *dir = g_build_filename (mvt_getenv ("MVT_ROOT"), "data", NULL);
	g_autoptr (GDBusConnection) conn = mvt_dbus_connect (mvt_shared_bus_address ());
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *token = NULL;
	g_autofree gchar *ok = NULL, *limited = NULL;

	mvt_clinic_make (mvt_shared_url (), dir, &a);
	{
		g_autoptr (MvtResponse) p = http ("POST", "/v1/patients", a.clinician,
						  "{\"mrn\":\"LIM-1\",\"name\":{\"given\":\"x\"}}");
		cr_assert_eq (p->status, 201, "%s", p->body);
		pid = g_strdup (mvt_str (p, "id"));
	}
	token = mvt_patient_key (mvt_shared_url (), a.clinician, pid, NULL);
	ok = progress_error (conn, token);
	cr_assert_null (ok, "%s", ok);
	for (guint i = 0; i < 3; i++) {
		g_autofree gchar *name = progress_error (conn, "mvk_guessed");
		cr_assert_str_eq (name != NULL ? name : "(none)", ERR "Unauthorized");
	}
	limited = progress_error (conn, token);
	cr_assert_str_eq (limited != NULL ? limited : "(none)", ERR "RateLimited");
	{
		g_autoptr (MvtResponse) r = http ("GET", "/v1/me/progress", token, NULL);
		cr_assert_eq (r->status, 200, "%s", r->body);
	}
}

int
main (int argc, char **argv)
{
	const MvtOptions options = {
		.config = "[auth]\nrate-limit-per-second=1000\nrate-limit-burst=1000\n"
			  "address-rate-limit-per-minute=1\naddress-rate-limit-burst=3\n",
	};

	return mvt_main (argc, argv, &options);
}
