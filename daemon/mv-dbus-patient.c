/* org.medverse.Health1.Patient: see mv-dbus-patient.h and
 * schemas/dbus/org.medverse.Health1.Patient.xml. */
#define G_LOG_DOMAIN "medverse-dbus"

#include "mv-dbus-patient.h"

#include <medverse/mv-error.h>

#include "mv-dbus-json.h"
#include "mv-error-table.h"
#include "mv-locale.h"
#include "mv-request-id.h"

#define PATIENT_IFACE "org.medverse.Health1.Patient"
#define ENGINE_DATA "mv-dbus-patient"

/* What a call's arguments after (key, locale) become: the route's query or body. */
typedef struct {
	GHashTable *query;
	JsonObject *body;
	gboolean id_member; /* CheckIn: the caller sent "id" as a member (not allowed) */
	/* members of a D-Bus type JSON cannot hold: null in @body, listed with the route's */
	GError *unheld;
} RouteInput;

static void
route_input_clear (RouteInput *in)
{
	g_clear_pointer (&in->query, g_hash_table_unref);
	g_clear_pointer (&in->body, json_object_unref);
	g_clear_error (&in->unheld);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RouteInput, route_input_clear)

typedef struct {
	const gchar *name;	  /* the D-Bus method */
	const gchar *http_method; /* the route it runs */
	const gchar *pattern;
	/* NULL: the method has no arguments of its own */
	gboolean (*input) (GVariant *params, RouteInput *in, GError **error);
	/* the reply tuple, as the XML declares it */
	GVariant *(*reply) (JsonNode *answer, guint status);
} PatientMethod;

typedef struct {
	const MvHttpRoute *route;
	gpointer user_data;
} BoundRoute;

static gboolean today_input (GVariant *params, RouteInput *in, GError **error);
static gboolean checkin_input (GVariant *params, RouteInput *in, GError **error);
static gboolean body_input (GVariant *params, RouteInput *in, GError **error);
static gboolean page_input (GVariant *params, RouteInput *in, GError **error);
static GVariant *record_reply (JsonNode *answer, guint status);
static GVariant *checkin_reply (JsonNode *answer, guint status);

/* The interface, as the XML declares it: one row per method, the route it runs. */
static const PatientMethod patient_methods[] = {
	{ "GetPlan", "GET", "/v1/me/plan", NULL, record_reply },
	{ "GetToday", "GET", "/v1/me/today", today_input, record_reply },
	{ "CheckIn", "POST", "/v1/me/checkins", checkin_input, checkin_reply },
	{ "GetProgress", "GET", "/v1/me/progress", NULL, record_reply },
	{ "GetVrRecommendations", "GET", "/v1/me/vr/recommendations", NULL, record_reply },
	{ "PostVrSession", "POST", "/v1/me/vr/sessions", body_input, checkin_reply },
	{ "GetVrSessions", "GET", "/v1/me/vr/sessions", page_input, record_reply },
};

struct _MvDbusPatient {
	MvDbus *dbus; /* read in the main context only, while the interface is exported */
	MvHttpAuthFunc auth_func;
	gpointer auth_data;
	BoundRoute bound[G_N_ELEMENTS (patient_methods)];
	gint running; /* atomic: calls in worker threads */
};

typedef struct {
	MvDbusPatient *self;
	guint method; /* index into patient_methods */
	GDBusMethodInvocation *invocation;
	gchar *request_id;
	gchar *client_address;
	guint64 max_output_bytes;
} PatientCall;

static void
patient_call_free (PatientCall *call)
{
	g_object_unref (call->invocation);
	g_free (call->request_id);
	g_free (call->client_address);
	g_free (call);
}

/* ---- arguments and answers ----------------------------------------------------------- */

/* GetToday (key, locale, date): "" is today in the plan's time zone; a date is the route's
 * ?date=, checked by the route. */
static gboolean
today_input (GVariant *params, RouteInput *in, GError **error)
{
	const gchar *date;

	g_variant_get_child (params, 2, "&s", &date);
	if (date[0] == '\0')
		return TRUE;
	in->query = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	g_hash_table_insert (in->query, g_strdup ("date"), g_strdup (date));
	return TRUE;
}

/* CheckIn (key, locale, client_id, checkin): the a{sv} as the route's JSON body with the
 * client id as its "id"; the members are checked by the route, not here. */
static gboolean
checkin_input (GVariant *params, RouteInput *in, GError **error)
{
	const gchar *client_id;
	g_autoptr (GVariant) members = g_variant_get_child_value (params, 3);

	g_variant_get_child (params, 2, "&s", &client_id);
	in->body = mv_dbus_vardict_to_json_marked (members, &in->unheld);
	/* An "id" member is not allowed, but the route still checks the other members so the
	 * answer lists every problem at once: it gets an id of the wrong type, which it always
	 * refuses (nothing is written), and its /id problem becomes ours (checkin_problems()). */
	in->id_member = json_object_has_member (in->body, "id");
	if (in->id_member)
		json_object_set_int_member (in->body, "id", 0);
	else
		json_object_set_string_member (in->body, "id", client_id);
	return TRUE;
}

/* (key, locale, a{sv} members): the members as the route's JSON body, checked by the route
 * (PostVrSession: its client_id is a member, as over HTTP) */
static gboolean
body_input (GVariant *params, RouteInput *in, GError **error)
{
	g_autoptr (GVariant) members = g_variant_get_child_value (params, 2);

	in->body = mv_dbus_vardict_to_json_marked (members, &in->unheld);
	return TRUE;
}

/* (key, locale, cursor, limit): a page of a list, as the route's ?cursor= ("" the first page)
 * and ?limit= (0 the route's default); both checked by the route */
static gboolean
page_input (GVariant *params, RouteInput *in, GError **error)
{
	const gchar *cursor;
	guint32 limit;

	g_variant_get_child (params, 2, "&s", &cursor);
	g_variant_get_child (params, 3, "u", &limit);
	in->query = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	if (cursor[0] != '\0')
		g_hash_table_insert (in->query, g_strdup ("cursor"), g_strdup (cursor));
	if (limit != 0)
		g_hash_table_insert (in->query, g_strdup ("limit"), g_strdup_printf ("%u", limit));
	return TRUE;
}

/* The route's problems in the caller's terms: the client id is the client_id argument, so a
 * problem at /id names /client_id, or, when the caller sent an "id" member, is that member's
 * not-allowed. */
static void
checkin_problems (const RouteInput *in, GError **error)
{
	GError *out = NULL;
	guint n = mv_error_get_n_problems (*error);

	if (n == 0)
		return;
	for (guint i = 0; i < n; i++) {
		const MvErrorProblem *p = mv_error_get_problem (*error, i);
		if (g_strcmp0 (p->field, "/id") != 0)
			mv_error_add_problem (&out, p->field, p->code, p->message, p->message_zh);
		else if (in->id_member)
			mv_error_add_problem (
				&out, "/id", "not-allowed",
				"the client id is the client_id argument, not a member",
				"客户端编号应作为 client_id 参数传递，而不是成员");
		else
			mv_error_add_problem (&out, "/client_id", p->code, p->message,
					      p->message_zh);
	}
	g_clear_error (error);
	g_propagate_error (error, out);
}

static GVariant *
record_reply (JsonNode *answer, guint status)
{
	g_autoptr (JsonObject) empty = json_object_new ();
	JsonObject *object = answer != NULL && JSON_NODE_HOLDS_OBJECT (answer)
				     ? json_node_get_object (answer)
				     : empty;

	return g_variant_new_tuple ((GVariant *[]){ mv_dbus_json_object_to_vardict (object) }, 1);
}

/* (a{sv}b): the answer, and whether anything was written (201) or it was a repeat (200) */
static GVariant *
checkin_reply (JsonNode *answer, guint status)
{
	g_autoptr (GVariant) record = g_variant_ref_sink (record_reply (answer, status));
	g_autoptr (GVariant) inner = g_variant_get_child_value (record, 0);

	return g_variant_new ("(@a{sv}b)", inner, status == 201);
}

/* ---- running a call ------------------------------------------------------------------ */

/* The members JSON cannot hold (@in's unheld) with the route's problems, every one at once: the
 * route's problem at such a member's pointer (its null refused) is left out, the member's own
 * saying more.  An error of the route that lists no problems (a key refused, a patient not
 * found) stands alone, as over HTTP. */
static void
merge_unheld (RouteInput *in, GError **error)
{
	GError *out = NULL;
	guint n_unheld = mv_error_get_n_problems (in->unheld);
	guint n = *error != NULL ? mv_error_get_n_problems (*error) : 0;

	if (in->unheld == NULL || (*error != NULL && n == 0))
		return;
	for (guint i = 0; i < n_unheld; i++) {
		const MvErrorProblem *p = mv_error_get_problem (in->unheld, i);
		mv_error_add_problem (&out, p->field, p->code, p->message, p->message_zh);
	}
	for (guint i = 0; i < n; i++) {
		const MvErrorProblem *p = mv_error_get_problem (*error, i);
		gboolean same = FALSE;
		for (guint j = 0; j < n_unheld && !same; j++)
			same = g_strcmp0 (p->field, mv_error_get_problem (in->unheld, j)->field)
			       == 0;
		if (!same)
			mv_error_add_problem (&out, p->field, p->code, p->message, p->message_zh);
	}
	g_clear_error (error);
	g_propagate_error (error, out);
}

static GVariant *
run_method (PatientCall *call, GError **error)
{
	const PatientMethod *method = &patient_methods[call->method];
	const BoundRoute *bound = &call->self->bound[call->method];
	GVariant *params = g_dbus_method_invocation_get_parameters (call->invocation);
	const gchar *key, *locale;
	g_auto (RouteInput) in = { 0 };
	g_autoptr (JsonNode) answer = NULL;
	MvHttpLocalCall local;
	guint status = 0;

	if (bound->route == NULL) {
		mv_set_error_bilingual (error, MV_ERROR_UNAVAILABLE,
					"this method is not available in this daemon",
					"此守护进程不提供该方法");
		return NULL;
	}
	g_variant_get_child (params, 0, "&s", &key);
	g_variant_get_child (params, 1, "&s", &locale);
	if (method->input != NULL && !method->input (params, &in, error))
		return NULL;
	local = (MvHttpLocalCall){
		.request_id = call->request_id,
		.token = key,
		.client_address = call->client_address,
		.locale = locale[0] != '\0' ? locale : NULL,
		.query = in.query,
		.body = in.body,
		.auth_func = call->self->auth_func,
		.auth_data = call->self->auth_data,
	};
	answer = mv_http_route_run_local (bound->route, bound->user_data, &local, &status, error);
	if (answer == NULL && *error != NULL && method->input == checkin_input)
		checkin_problems (&in, error);
	if (in.unheld != NULL) {
		/* a route refuses a null member, so this is the route's refusal with ours; were it
		 * ever answered, the caller still hears what it sent wrong */
		if (*error == NULL)
			g_warning ("%s: a body with a member of no JSON type was not refused",
				   method->name);
		merge_unheld (&in, error);
		return NULL;
	}
	if (answer == NULL && *error != NULL)
		return NULL;
	return method->reply (answer, status);
}

static void
run_in_worker (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
	PatientCall *call = task_data;
	GVariant *params = g_dbus_method_invocation_get_parameters (call->invocation);
	const gchar *locale;
	g_autoptr (GError) error = NULL;
	g_autoptr (GVariant) reply = NULL;

	g_variant_get_child (params, 1, "&s", &locale);
	reply = run_method (call, &error);
	if (reply != NULL)
		g_variant_ref_sink (reply);
	if (reply != NULL && g_variant_get_size (reply) > call->max_output_bytes) {
		mv_set_error_bilingual_printf (
			&error, MV_ERROR_RESPONSE_TOO_LARGE,
			"the answer of %" G_GSIZE_FORMAT " bytes is over the response limit of "
			"%" G_GUINT64_FORMAT " bytes ([http] max-response-bytes)",
			"应答为 %" G_GSIZE_FORMAT " 字节，超过了 %" G_GUINT64_FORMAT
			" 字节的响应上限（[http] max-response-bytes）",
			g_variant_get_size (reply), call->max_output_bytes);
		g_clear_pointer (&reply, g_variant_unref);
	}
	/* the key and the patient are never logged (the caller's uid is not patient data); the
	 * request id ties the line to the audit */
	g_message ("dbus patient: %s %s %s (%s)", call->request_id,
		   patient_methods[call->method].name,
		   reply != NULL ? "ok" : mv_error_to_string (error->code), call->client_address);
	if (reply != NULL)
		g_dbus_method_invocation_return_value (call->invocation, reply);
	else
		mv_dbus_return_error_in (call->invocation, call->request_id, error,
					 mv_locale_language (locale));
	g_atomic_int_add (&call->self->running, -1);
	g_task_return_boolean (task, TRUE);
}

/* The caller's uid names it for the per-address limit of failed keys, as an IP address does
 * over HTTP: a process that guesses keys is slowed down whatever bus name it takes. */
static void
caller_known (guint32 uid, const GError *error, gpointer user_data)
{
	PatientCall *call = user_data;
	g_autoptr (GTask) task = NULL;

	if (error != NULL) {
		mv_dbus_return_error (call->invocation, call->request_id, error);
		patient_call_free (call);
		return;
	}
	call->client_address = g_strdup_printf ("dbus:uid=%u", uid);
	task = g_task_new (NULL, NULL, NULL, NULL);
	g_task_set_task_data (task, call, (GDestroyNotify)patient_call_free);
	g_atomic_int_inc (&call->self->running);
	g_task_run_in_thread (task, run_in_worker);
}

/* In the main context: the checks that need no database (the locale, the size, as HTTP reads
 * Accept-Language and bounds a body before its worker runs), then who is calling. */
static gboolean
check_call (MvDbusPatient *self, GVariant *params, GError **error)
{
	const gchar *locale;
	guint64 limit = mv_dbus_get_max_input_bytes (self->dbus);

	g_variant_get_child (params, 1, "&s", &locale);
	/* "" is the default, as a date "" is today: English unless the profile says otherwise */
	if (locale[0] != '\0' && !mv_locale_is_valid (locale)) {
		mv_error_add_problem (error, "/locale", "invalid-format",
				      "not a BCP 47 language tag such as \"en\" or \"zh-CN\"",
				      "不是 BCP 47 语言标签，例如“en”或“zh-CN”");
		return FALSE;
	}
	if (g_variant_get_size (params) > limit) {
		mv_set_error_bilingual_printf (
			error, MV_ERROR_TOO_LARGE,
			"the call's arguments of %" G_GSIZE_FORMAT " bytes are over the limit of "
			"%" G_GUINT64_FORMAT " bytes ([http] max-body-bytes)",
			"调用参数为 %" G_GSIZE_FORMAT " 字节，超过了 %" G_GUINT64_FORMAT
			" 字节的上限（[http] max-body-bytes）",
			g_variant_get_size (params), limit);
		return FALSE;
	}
	return TRUE;
}

static void
patient_method_call (GDBusConnection *connection,
		     const gchar *sender,
		     const gchar *object_path,
		     const gchar *interface_name,
		     const gchar *method_name,
		     GVariant *params,
		     GDBusMethodInvocation *invocation,
		     gpointer user_data)
{
	MvDbusPatient *self = user_data;
	g_autoptr (GError) error = NULL;
	g_autofree gchar *request_id = mv_request_id_new ();
	const gchar *locale;
	PatientCall *call;
	guint i;

	/* GDBus has checked the signature against the XML: every method starts (key, locale) */
	for (i = 0; i < G_N_ELEMENTS (patient_methods); i++)
		if (g_strcmp0 (patient_methods[i].name, method_name) == 0)
			break;
	if (i == G_N_ELEMENTS (patient_methods)) {
		g_set_error (&error, MV_ERROR, MV_ERROR_NOT_FOUND, "no method %s", method_name);
		mv_dbus_return_error (invocation, request_id, error);
		return;
	}
	if (!check_call (self, params, &error)) {
		g_variant_get_child (params, 1, "&s", &locale);
		g_message ("dbus patient: %s %s %s", request_id, method_name,
			   mv_error_to_string (error->code));
		mv_dbus_return_error_in (invocation, request_id, error,
					 mv_locale_is_valid (locale) ? mv_locale_language (locale)
								     : MV_LANGUAGE_EN);
		return;
	}
	call = g_new0 (PatientCall, 1);
	call->self = self;
	call->method = i;
	call->invocation = g_object_ref (invocation);
	call->request_id = g_steal_pointer (&request_id);
	call->max_output_bytes = mv_dbus_get_max_output_bytes (self->dbus);
	mv_dbus_lookup_caller (invocation, caller_known, call);
}

static const GDBusInterfaceVTable patient_vtable = {
	.method_call = patient_method_call,
};

/* ---- set-up -------------------------------------------------------------------------- */

MvDbusPatient *
mv_dbus_patient_ensure (MvEngine *engine, MvHttpAuthFunc auth_func, gpointer auth_data)
{
	MvDbusPatient *self = g_object_get_data (G_OBJECT (engine), ENGINE_DATA);

	if (self != NULL)
		return self;
	self = g_new0 (MvDbusPatient, 1);
	self->auth_func = auth_func;
	self->auth_data = auth_data;
	g_object_set_data_full (G_OBJECT (engine), ENGINE_DATA, self, g_free);
	return self;
}

void
mv_dbus_patient_add_routes (MvDbusPatient *self,
			    const MvHttpRoute *routes,
			    guint n_routes,
			    gpointer user_data)
{
	for (guint i = 0; i < G_N_ELEMENTS (patient_methods); i++) {
		const MvHttpRoute *route
			= mv_http_routes_find (routes, n_routes, patient_methods[i].http_method,
					       patient_methods[i].pattern);
		if (route != NULL)
			self->bound[i] = (BoundRoute){ route, user_data };
	}
}

void
mv_dbus_patient_register (MvDbusPatient *self, MvDbus *dbus)
{
	for (guint i = 0; i < G_N_ELEMENTS (patient_methods); i++)
		if (self->bound[i].route == NULL)
			g_warning ("D-Bus %s.%s: no route %s %s; it answers Unavailable",
				   PATIENT_IFACE, patient_methods[i].name,
				   patient_methods[i].http_method, patient_methods[i].pattern);
	self->dbus = dbus;
	mv_dbus_add_interface (dbus, PATIENT_IFACE, &patient_vtable, self);
}

guint
mv_dbus_patient_get_running (MvEngine *engine)
{
	MvDbusPatient *self = g_object_get_data (G_OBJECT (engine), ENGINE_DATA);
	return self != NULL ? (guint)g_atomic_int_get (&self->running) : 0;
}
