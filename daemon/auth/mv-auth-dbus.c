/* org.medverse.Health1.Admin: the admin operations over D-Bus for the local administrator.
 * Each call first asks the bus who the caller is (GetConnectionUnixUser): only uid 0, the
 * daemon's own uid and members of the medverse-admin group pass (mv_dbus_uid_is_admin).  The work
 * then runs in a worker thread (it blocks on the database). */
#define G_LOG_DOMAIN "medverse-auth"

#include <medverse/mv-error.h>
#include <unistd.h>

#include "mv-error-table.h"
#include "mv-auth-adapters.h"
#include "mv-auth-private.h"
#include "mv-dbus-json.h"
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

/* A record as (a{sv}); a list member (@list_member, e.g. "tenants") as (aa{sv}); the types as
 * mv-dbus-json.h gives them (a null member is left out). */
static GVariant *
reply_of (JsonNode *result, const gchar *list_member)
{
	JsonObject *object = json_node_get_object (result);

	if (list_member != NULL)
		return g_variant_new_tuple (
			(GVariant *[]){ mv_dbus_json_array_to_variant (
				json_object_get_array_member (object, list_member)) },
			1);
	return g_variant_new_tuple ((GVariant *[]){ mv_dbus_json_object_to_vardict (object) }, 1);
}

static GVariant *
create_tenant (AdminCall *call, GVariant *params, GError **error)
{
	const gchar *name;
	g_autoptr (JsonNode) result = NULL;

	g_variant_get (params, "(&s)", &name);
	result = mv_auth_tenant_create (call->auth, &call->actor, name, call->request_id, error);
	return result != NULL ? reply_of (result, NULL) : NULL;
}

static GVariant *
list_tenants (AdminCall *call, GVariant *params, GError **error)
{
	g_autoptr (JsonNode) result = mv_auth_tenant_list (call->auth, &call->actor, error);
	return result != NULL ? reply_of (result, "tenants") : NULL;
}

static GVariant *
create_key (AdminCall *call, GVariant *params, GError **error)
{
	const gchar *tenant, *role, *expires, *label;
	g_autoptr (GDateTime) when = NULL;
	g_autoptr (JsonNode) result = NULL;

	g_variant_get (params, "(&s&s&s&s)", &tenant, &role, &expires, &label);
	if (expires[0] != '\0'
	    && (when = mv_auth_parse_rfc3339 (expires, "expires_at", error)) == NULL)
		return NULL;
	result = mv_auth_key_create (call->auth, &call->actor, tenant, mv_role_from_string (role),
				     when, label[0] != '\0' ? label : NULL, call->request_id,
				     error);
	return result != NULL ? reply_of (result, NULL) : NULL;
}

static GVariant *
list_keys (AdminCall *call, GVariant *params, GError **error)
{
	const gchar *tenant;
	g_autoptr (JsonNode) result = NULL;

	g_variant_get (params, "(&s)", &tenant);
	result = mv_auth_key_list (call->auth, &call->actor, tenant, error);
	return result != NULL ? reply_of (result, "keys") : NULL;
}

static GVariant *
revoke_key (AdminCall *call, GVariant *params, GError **error)
{
	const gchar *tenant, *key_id;

	g_variant_get (params, "(&s&s)", &tenant, &key_id);
	if (!mv_auth_key_revoke (call->auth, &call->actor, tenant, key_id, call->request_id, error))
		return NULL;
	return g_variant_new ("()");
}

static GVariant *
create_operator_key (AdminCall *call, GVariant *params, GError **error)
{
	const gchar *label;
	g_autoptr (JsonNode) result = NULL;

	g_variant_get (params, "(&s)", &label);
	result = mv_auth_operator_key_create (
		call->auth, &call->actor, label[0] != '\0' ? label : NULL, call->request_id, error);
	return result != NULL ? reply_of (result, NULL) : NULL;
}

static GVariant *
rotate_master_key (AdminCall *call, GVariant *params, GError **error)
{
	const gchar *path;
	g_autoptr (JsonNode) result = NULL;

	g_variant_get (params, "(&s)", &path);
	result = mv_auth_rotate_master (call->auth, &call->actor, path, call->request_id, error);
	return result != NULL ? reply_of (result, NULL) : NULL;
}

static GVariant *
rotate_clinic_key (AdminCall *call, GVariant *params, GError **error)
{
	const gchar *tenant;
	g_autoptr (JsonNode) result = NULL;

	g_variant_get (params, "(&s)", &tenant);
	result = mv_auth_rotate_clinic_key (call->auth, &call->actor, tenant, call->request_id,
					    error);
	return result != NULL ? reply_of (result, NULL) : NULL;
}

/* org.medverse.Health1.Admin, as the XML declares it: one handler per method. */
static const struct {
	const gchar *name;
	GVariant *(*handler) (AdminCall *call, GVariant *params, GError **error);
} admin_methods[] = {
	{ "CreateTenant", create_tenant },
	{ "ListTenants", list_tenants },
	{ "CreateKey", create_key },
	{ "ListKeys", list_keys },
	{ "RevokeKey", revoke_key },
	{ "CreateOperatorKey", create_operator_key },
	{ "RotateMasterKey", rotate_master_key },
	{ "RotateClinicKey", rotate_clinic_key },
};

/* Runs the method; returns the reply tuple or NULL with @error. */
static GVariant *
dispatch (AdminCall *call, GError **error)
{
	const gchar *method = g_dbus_method_invocation_get_method_name (call->invocation);
	GVariant *params = g_dbus_method_invocation_get_parameters (call->invocation);

	for (guint i = 0; i < G_N_ELEMENTS (admin_methods); i++) {
		if (g_strcmp0 (admin_methods[i].name, method) == 0)
			return admin_methods[i].handler (call, params, error);
	}
	mv_set_error_bilingual_printf (error, MV_ERROR_NOT_FOUND, "no method %s", "没有方法 %s",
				       method);
	return NULL;
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
caller_checked (guint32 uid, const GError *error, gpointer user_data)
{
	AdminCall *call = user_data;
	g_autoptr (GTask) task = NULL;

	if (error != NULL) {
		mv_dbus_return_error (call->invocation, call->request_id, error);
		admin_call_free (call);
		return;
	}
	if (!mv_dbus_uid_is_admin (uid)) {
		g_message ("dbus admin: %s refused for uid %u",
			   g_dbus_method_invocation_get_method_name (call->invocation), uid);
		g_dbus_method_invocation_return_error (
			call->invocation, MV_ERROR, MV_ERROR_FORBIDDEN,
			"tenant and key administration is for root, the daemon's user and "
			"the " MV_DBUS_ADMIN_GROUP " group only");
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
	mv_dbus_lookup_caller (invocation, caller_checked, call);
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
