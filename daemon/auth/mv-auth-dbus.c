/* org.medverse.Health1.Admin: the admin operations over D-Bus for the local administrator.
 * Each call first asks the bus who the caller is (GetConnectionUnixUser): only uid 0 or the
 * daemon's own uid pass.  The work then runs in a worker thread (it blocks on the database). */
#define G_LOG_DOMAIN "medverse-auth"

#include <medverse/mv-error.h>
#include <unistd.h>

#include "mv-auth-adapters.h"
#include "mv-auth-private.h"
#include "mv-dbus.h"
#include "mv-request-id.h"

#define ADMIN_IFACE "org.medverse.Health1.Admin"

typedef struct {
	MvAuth *auth;
	GDBusMethodInvocation *invocation;
	gchar *request_id;
	MvAuthContext actor;
} AdminCall;

static void
admin_call_free (AdminCall *call)
{
	g_object_unref (call->invocation);
	g_free (call->request_id);
	g_free (call->actor.key_id);
	g_free (call);
}

static gchar *
to_json (JsonNode *node)
{
	return json_to_string (node, FALSE);
}

static GDateTime *
parse_expiry (const gchar *text, GError **error)
{
	g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
	g_autoptr (GTimeZone) other = g_time_zone_new_offset (3600);
	g_autoptr (GDateTime) a = g_date_time_new_from_iso8601 (text, utc);
	g_autoptr (GDateTime) b = g_date_time_new_from_iso8601 (text, other);

	if (a == NULL || b == NULL || !g_date_time_equal (a, b)) {
		g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
			     "expires_at: not an RFC 3339 date and time with an offset, e.g. "
			     "2030-01-31T12:00:00Z");
		return NULL;
	}
	return g_steal_pointer (&a);
}

/* Runs the method; returns the reply tuple or NULL with @error. */
static GVariant *
dispatch (AdminCall *call, GError **error)
{
	const gchar *method = g_dbus_method_invocation_get_method_name (call->invocation);
	GVariant *params = g_dbus_method_invocation_get_parameters (call->invocation);
	const MvAuthContext *actor = &call->actor;
	g_autoptr (JsonNode) result = NULL;
	g_autofree gchar *json = NULL;

	if (g_strcmp0 (method, "CreateTenant") == 0) {
		const gchar *name;
		g_variant_get (params, "(&s)", &name);
		result = mv_auth_tenant_create (call->auth, actor, name, call->request_id, error);
	} else if (g_strcmp0 (method, "ListTenants") == 0) {
		result = mv_auth_tenant_list (call->auth, actor, error);
	} else if (g_strcmp0 (method, "CreateKey") == 0) {
		const gchar *tenant, *role, *expires, *label;
		g_autoptr (GDateTime) when = NULL;
		g_variant_get (params, "(&s&s&s&s)", &tenant, &role, &expires, &label);
		if (expires[0] != '\0' && (when = parse_expiry (expires, error)) == NULL)
			return NULL;
		result = mv_auth_key_create (call->auth, actor, tenant, mv_role_from_string (role),
					     when, label[0] != '\0' ? label : NULL,
					     call->request_id, error);
	} else if (g_strcmp0 (method, "ListKeys") == 0) {
		const gchar *tenant;
		g_variant_get (params, "(&s)", &tenant);
		result = mv_auth_key_list (call->auth, actor, tenant, error);
	} else if (g_strcmp0 (method, "RevokeKey") == 0) {
		const gchar *tenant, *key_id;
		g_variant_get (params, "(&s&s)", &tenant, &key_id);
		if (!mv_auth_key_revoke (call->auth, actor, tenant, key_id, call->request_id,
					 error))
			return NULL;
		return g_variant_new ("()");
	} else if (g_strcmp0 (method, "CreateOperatorKey") == 0) {
		const gchar *label;
		g_variant_get (params, "(&s)", &label);
		result = mv_auth_operator_key_create (call->auth, actor,
						      label[0] != '\0' ? label : NULL,
						      call->request_id, error);
	} else if (g_strcmp0 (method, "RotateMasterKey") == 0) {
		const gchar *path;
		g_variant_get (params, "(&s)", &path);
		result = mv_auth_rotate_master (call->auth, actor, path, call->request_id, error);
	} else if (g_strcmp0 (method, "RotateClinicKey") == 0) {
		const gchar *tenant;
		g_variant_get (params, "(&s)", &tenant);
		result = mv_auth_rotate_clinic_key (call->auth, actor, tenant, call->request_id,
						    error);
	} else {
		g_set_error (error, MV_ERROR, MV_ERROR_NOT_FOUND, "no method %s", method);
		return NULL;
	}
	if (result == NULL)
		return NULL;
	json = to_json (result);
	return g_variant_new ("(s)", json);
}

static void
run_in_worker (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
	AdminCall *call = task_data;
	g_autoptr (GError) error = NULL;
	GVariant *reply = dispatch (call, &error);

	g_message ("dbus admin: %s %s %s (%s)", call->request_id,
		   g_dbus_method_invocation_get_method_name (call->invocation),
		   reply != NULL ? "ok" : mv_error_to_string (error->code), call->actor.key_id);
	if (reply != NULL)
		g_dbus_method_invocation_return_value (call->invocation, reply);
	else
		mv_dbus_return_error (call->invocation, call->request_id, error);
	g_atomic_int_add (&call->auth->running_admin_calls, -1);
	g_task_return_boolean (task, TRUE);
}

static void
caller_checked (GObject *source, GAsyncResult *result, gpointer user_data)
{
	AdminCall *call = user_data;
	g_autoptr (GError) error = NULL;
	g_autoptr (GVariant) reply
		= g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
	g_autoptr (GTask) task = NULL;
	guint32 uid;

	if (reply == NULL) {
		g_dbus_method_invocation_return_error (call->invocation, MV_ERROR,
						       MV_ERROR_FORBIDDEN,
						       "cannot establish who is calling");
		admin_call_free (call);
		return;
	}
	g_variant_get (reply, "(u)", &uid);
	if (uid != 0 && uid != getuid ()) {
		g_message ("dbus admin: %s refused for uid %u",
			   g_dbus_method_invocation_get_method_name (call->invocation), uid);
		g_dbus_method_invocation_return_error (
			call->invocation, MV_ERROR, MV_ERROR_FORBIDDEN,
			"tenant and key administration is for root or the daemon's user only");
		admin_call_free (call);
		return;
	}
	call->actor.key_id = g_strdup_printf ("dbus:uid=%u", uid);
	task = g_task_new (NULL, NULL, NULL, NULL);
	g_task_set_task_data (task, call, (GDestroyNotify)admin_call_free);
	g_atomic_int_inc (&call->auth->running_admin_calls);
	g_task_run_in_thread (task, run_in_worker);
}

static void
admin_method_call (GDBusConnection *connection,
		   const gchar *sender,
		   const gchar *object_path,
		   const gchar *interface_name,
		   const gchar *method_name,
		   GVariant *params,
		   GDBusMethodInvocation *invocation,
		   gpointer user_data)
{
	AdminCall *call = g_new0 (AdminCall, 1);

	call->auth = user_data;
	call->invocation = g_object_ref (invocation);
	call->request_id = mv_request_id_new ();
	call->actor.role = MV_ROLE_OPERATOR;
	g_dbus_connection_call (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
				"org.freedesktop.DBus", "GetConnectionUnixUser",
				g_variant_new ("(s)", sender), G_VARIANT_TYPE ("(u)"),
				G_DBUS_CALL_FLAGS_NONE, -1, NULL, caller_checked, call);
}

static const GDBusInterfaceVTable admin_vtable = {
	.method_call = admin_method_call,
};

guint
mv_auth_get_running_admin_calls (MvAuth *auth)
{
	return (guint)g_atomic_int_get (&auth->running_admin_calls);
}

void
mv_auth_register_dbus (MvAuth *auth, MvDbus *dbus)
{
	mv_dbus_add_interface (dbus, ADMIN_IFACE, &admin_vtable, auth);
}
