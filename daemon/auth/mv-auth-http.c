/* The auth module's HTTP side: the bearer-token authenticator and the admin/invite routes.
 * Bodies are checked strictly: unknown members, wrong types and bad values are refused with a
 * message naming the member, before anything is written. */
#define G_LOG_DOMAIN "medverse-auth"

#include <medverse/mv-error.h>
#include <mv-host-private.h>
#include <string.h>

#include "../records/mv-record-schema.h"
#include "mv-auth-adapters.h"
#include "mv-auth-private.h"
#include "mv-http-api.h"
#include "mv-http.h"

static void
set_retry_after (MvHttpRequest *request, guint retry_after)
{
	g_autofree gchar *value = g_strdup_printf ("%u", retry_after);
	mv_http_request_set_header (request, "Retry-After", value);
}

/* An address that failed too often is refused before its key is looked at, so it learns
 * nothing more, not even that a key is good; a failed authentication counts against it. */
MvAuthContext *
mv_auth_http_authenticate (MvHttpRequest *request,
			   const gchar *token,
			   gpointer user_data,
			   GError **error)
{
	MvAuth *auth = user_data;
	const gchar *address = mv_http_request_get_client_address (request);
	g_autoptr (GError) error_local = NULL;
	guint retry_after = 0;
	MvAuthContext *ctx = NULL;

	if (mv_auth_address_check (auth, address, &retry_after, &error_local)) {
		ctx = mv_auth_authenticate (auth, token, &retry_after, &error_local);
		if (ctx == NULL && g_error_matches (error_local, MV_ERROR, MV_ERROR_UNAUTHORIZED))
			mv_auth_address_charge (auth, address);
	}
	if (ctx == NULL && retry_after > 0)
		set_retry_after (request, retry_after);
	if (ctx == NULL)
		g_propagate_error (error, g_steal_pointer (&error_local));
	return ctx;
}

/* Refuses members not in @allowed (no mass assignment): one problem per unknown member, added
 * to @error with those of the other checks, so a caller sees every problem of its body at once.
 * Only a missing body fails at once. */
static gboolean
check_members (JsonObject *body, const gchar *const *allowed, GError **error)
{
	g_autoptr (GList) members = NULL;
	g_autofree gchar *list = g_strjoinv (", ", (gchar **)allowed);
	g_autofree gchar *en = g_strdup_printf ("unknown field (allowed: %s)", list);
	g_autofree gchar *zh = g_strdup_printf ("未知字段（允许的字段：%s）", list);
	gboolean ok = TRUE;

	if (body == NULL) {
		mv_set_error_bilingual (error, MV_ERROR_MALFORMED, "send a JSON object",
					"请发送一个 JSON 对象");
		return FALSE;
	}
	members = json_object_get_members (body);
	for (GList *l = members; l != NULL; l = l->next) {
		g_autofree gchar *field = NULL;

		if (g_strv_contains (allowed, l->data))
			continue;
		field = mv_json_pointer_append ("", l->data);
		mv_error_add_problem (error, field, "unknown-member", en, zh);
		ok = FALSE;
	}
	return ok;
}

/* *out is NULL when the member is absent (or null and !required); a problem is added to
 * @error otherwise. */
static gboolean
get_string (
	JsonObject *body, const gchar *name, gboolean required, const gchar **out, GError **error)
{
	JsonNode *node = body != NULL ? json_object_get_member (body, name) : NULL;
	g_autofree gchar *field = mv_json_pointer_append ("", name);

	*out = NULL;
	if (node == NULL || (!required && JSON_NODE_HOLDS_NULL (node))) {
		if (required) {
			mv_error_add_problem (error, field, "required", "required", "必填");
			return FALSE;
		}
		return TRUE;
	}
	if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING) {
		mv_error_add_problem (error, field, "wrong-type", "must be a string",
				      "必须是字符串");
		return FALSE;
	}
	*out = json_node_get_string (node);
	return TRUE;
}

static MvAuth *
auth_of (MvHttpRequest *request)
{
	return mv_http_request_get_user_data (request);
}

static JsonNode *
tenants_create (MvHttpRequest *request, GError **error)
{
	static const gchar *const allowed[] = { "name", NULL };
	JsonObject *body = mv_http_request_get_body (request);
	const gchar *name;
	JsonNode *result;

	/* both checks run: their problems are listed together */
	if (!check_members (body, allowed, error) && body == NULL)
		return NULL;
	get_string (body, "name", TRUE, &name, error);
	if (*error != NULL)
		return NULL;
	result = mv_auth_tenant_create (auth_of (request), mv_http_request_get_auth (request), name,
					mv_http_request_get_id (request), error);
	if (result != NULL)
		mv_http_request_set_status (request, 201);
	return result;
}

static JsonNode *
tenants_list (MvHttpRequest *request, GError **error)
{
	return mv_auth_tenant_list (auth_of (request), mv_http_request_get_auth (request), error);
}

static JsonNode *
keys_create (MvHttpRequest *request, GError **error)
{
	static const gchar *const allowed[] = { "role", "expires_at", "label", NULL };
	JsonObject *body = mv_http_request_get_body (request);
	const gchar *clinic_id = mv_http_request_get_param (request, "id");
	const MvAuthContext *actor = mv_http_request_get_auth (request);
	const gchar *role_name, *expires_text, *label;
	g_autoptr (GDateTime) expires = NULL;
	MvRole role;
	JsonNode *result;

	/* scope first: a clinic-admin of another clinic learns nothing, not even body errors */
	if (actor->role != MV_ROLE_OPERATOR && g_strcmp0 (actor->clinic_id, clinic_id) != 0) {
		mv_set_error_bilingual (error, MV_ERROR_NOT_FOUND, "no tenant with that id",
					"没有该编号的租户");
		return NULL;
	}
	/* every check runs (no short cut): the problems of the body are listed together */
	if (!check_members (body, allowed, error) && body == NULL)
		return NULL;
	get_string (body, "role", TRUE, &role_name, error);
	get_string (body, "expires_at", FALSE, &expires_text, error);
	get_string (body, "label", FALSE, &label, error);
	role = role_name != NULL ? mv_role_from_string (role_name) : MV_ROLE_NONE;
	if (role_name != NULL && role != MV_ROLE_CLINIC_ADMIN && role != MV_ROLE_CLINICIAN)
		mv_error_add_problem (error, "/role", "invalid-code",
				      "must be \"clinic-admin\" or \"clinician\"",
				      "必须是“clinic-admin”或“clinician”");
	if (expires_text != NULL) {
		g_autoptr (GError) time_error = NULL;
		expires = mv_auth_parse_rfc3339 (expires_text, "expires_at", &time_error);
		if (expires == NULL)
			mv_schema_date_problem (
				error, "/expires_at", expires_text,
				"not an RFC 3339 date and time with an offset, e.g. "
				"2030-01-31T12:00:00Z",
				"不是带时区偏移的 RFC 3339 日期时间，例如 "
				"2030-01-31T12:00:00Z");
	}
	if (*error != NULL)
		return NULL;
	result = mv_auth_key_create (auth_of (request), actor, clinic_id, role, expires, label,
				     mv_http_request_get_id (request), error);
	if (result != NULL) {
		mv_http_request_set_status (request, 201);
		mv_http_request_set_header (request, "Cache-Control", "no-store");
	}
	return result;
}

static JsonNode *
keys_list (MvHttpRequest *request, GError **error)
{
	return mv_auth_key_list (auth_of (request), mv_http_request_get_auth (request),
				 mv_http_request_get_param (request, "id"), error);
}

static JsonNode *
keys_revoke (MvHttpRequest *request, GError **error)
{
	mv_auth_key_revoke (auth_of (request), mv_http_request_get_auth (request),
			    mv_http_request_get_param (request, "id"),
			    mv_http_request_get_param (request, "key_id"),
			    mv_http_request_get_id (request), error);
	return NULL; /* 204, or the error */
}

static JsonNode *
invites_redeem (MvHttpRequest *request, GError **error)
{
	static const gchar *const allowed[] = { "code", NULL };
	JsonObject *body = mv_http_request_get_body (request);
	const gchar *code;
	JsonNode *result;
	guint retry_after = 0;

	/* the one route without a key: every attempt counts against the client's address */
	if (!mv_auth_address_take (auth_of (request), mv_http_request_get_client_address (request),
				   &retry_after, error)) {
		set_retry_after (request, retry_after);
		return NULL;
	}
	if (!check_members (body, allowed, error) && body == NULL)
		return NULL;
	get_string (body, "code", TRUE, &code, error);
	if (*error != NULL)
		return NULL;
	result = mv_auth_redeem_invite (auth_of (request), code, mv_http_request_get_id (request),
					error);
	if (result != NULL) {
		mv_http_request_set_status (request, 201);
		mv_http_request_set_header (request, "Cache-Control", "no-store");
	}
	return result;
}

static JsonNode *
whoami (MvHttpRequest *request, GError **error)
{
	const MvAuthContext *actor = mv_http_request_get_auth (request);
	g_autoptr (JsonBuilder) b = json_builder_new ();

	json_builder_begin_object (b);
	json_builder_set_member_name (b, "role");
	json_builder_add_string_value (b, mv_role_to_string (actor->role));
	json_builder_set_member_name (b, "key_id");
	json_builder_add_string_value (b, actor->key_id);
	json_builder_set_member_name (b, "tenant_id");
	if (actor->clinic_id != NULL)
		json_builder_add_string_value (b, actor->clinic_id);
	else
		json_builder_add_null_value (b);
	json_builder_set_member_name (b, "patient_id");
	if (actor->patient_id != NULL)
		json_builder_add_string_value (b, actor->patient_id);
	else
		json_builder_add_null_value (b);
	json_builder_end_object (b);
	return json_builder_get_root (b);
}

#define ADMINS (MV_ROLE_OPERATOR | MV_ROLE_CLINIC_ADMIN)
#define EVERYONE (MV_ROLE_OPERATOR | MV_ROLE_CLINIC_ADMIN | MV_ROLE_CLINICIAN | MV_ROLE_PATIENT)

static const MvHttpRoute routes[] = {
	{ "POST", "/v1/admin/tenants", MV_ROLE_OPERATOR, tenants_create,
	  "Create a clinic (tenant) with its own key-encryption key" },
	{ "GET", "/v1/admin/tenants", MV_ROLE_OPERATOR, tenants_list, "List the clinics" },
	{ "POST", "/v1/admin/tenants/{id}/keys", ADMINS, keys_create,
	  "Create an API key of a clinic; its token is shown once" },
	{ "GET", "/v1/admin/tenants/{id}/keys", ADMINS, keys_list, "List a clinic's API keys" },
	{ "DELETE", "/v1/admin/tenants/{id}/keys/{key_id}", ADMINS, keys_revoke,
	  "Revoke an API key" },
	{ "POST", "/v1/invites/redeem", MV_ROLE_NONE, invites_redeem,
	  "Redeem a patient invite code for a patient token" },
	{ "GET", "/v1/auth/whoami", EVERYONE, whoami, "Who the presented key belongs to" },
};

const MvHttpRoute *
mv_auth_http_routes (guint *n_routes)
{
	*n_routes = G_N_ELEMENTS (routes);
	return routes;
}

void
mv_auth_set_http_authenticator (MvAuth *auth, MvHttp *http)
{
	mv_http_set_authenticator (http, mv_auth_http_authenticate, auth);
}
