/* org.medverse.Health1.Patient against the real daemon, its embedded PostgreSQL and a private
 * dbus-daemon, called with GDBus: a patient key gets its plan, today's tasks and its progress,
 * the same as over HTTP; a check-in lands (an Observation, points, visible over HTTP) and a
 * repeat of its client id changes nothing; another patient's key, a staff key, a revoked or
 * unknown key see nothing; bad arguments (wrong types in the a{sv}, missing and unknown
 * members, implausible values, oversize, D-Bus types with no JSON equivalent, a bad date or
 * locale) are named errors listing every problem, in the caller's language, and write nothing
 * (rows and audit entries unchanged). */
#include <criterion/criterion.h>
#include <string.h>

#include "mvt.h"

#define BUS_NAME "org.medverse.Health1"
#define OBJECT_PATH "/org/medverse/Health1"
#define IFACE "org.medverse.Health1.Patient"
#define ERR "org.medverse.Health1.Error."

static const gchar *
url (void)
{
	return mvt_shared_url ();
}

static gchar *
data_dir (void)
{
	return g_build_filename (mvt_getenv ("MVT_ROOT"), "data", NULL);
}

/* @language NULL: no Accept-Language */
static MvtResponse *
http_in (const gchar *language,
	 const gchar *method,
	 const gchar *path,
	 const gchar *token,
	 const gchar *body)
{
	return mvt_http_in_language (url (), language, method, path, token, body);
}

static MvtResponse *
http (const gchar *method, const gchar *path, const gchar *token, const gchar *body)
{
	return http_in (NULL, method, path, token, body);
}

static JsonObject *
obj (MvtResponse *r)
{
	cr_assert_not_null (r->json, "%s", r->body);
	return json_node_get_object (r->json);
}

static gchar *
make_patient (const MvtClinic *c, const gchar *mrn)
{
	g_autofree gchar *body = g_strdup_printf (
		"{\"mrn\":\"%s\",\"name\":{\"given\":\"x\"},\"birth_date\":\"1971-06-15\","
		"\"sex\":\"female\",\"language\":\"en\",\"preferences\":{\"time_zone\":"
		"\"Asia/Shanghai\"}}",
		mrn);
	g_autoptr (MvtResponse) r = http ("POST", "/v1/patients", c->clinician, body);

	cr_assert_eq (r->status, 201, "%s", r->body);
	return g_strdup (mvt_str (r, "id"));
}

static void
make_plan (const MvtClinic *c, const gchar *pid)
{
	g_autofree gchar *path = g_strdup_printf ("/v1/patients/%s/plan", pid);
	g_autoptr (MvtResponse) r = http ("POST", path, c->clinician, NULL);

	cr_assert_eq (r->status, 201, "%s", r->body);
}

/* now - @seconds_ago in Shanghai's offset, RFC 3339 */
static gchar *
at_ago (gint64 seconds_ago)
{
	g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
	g_autoptr (GDateTime) then = g_date_time_add_seconds (now, (gdouble)-seconds_ago);
	g_autoptr (GTimeZone) sh = g_time_zone_new_identifier ("Asia/Shanghai");
	g_autoptr (GDateTime) local = g_date_time_to_timezone (then, sh);

	return g_date_time_format (local, "%Y-%m-%dT%H:%M:%S%:z");
}

/* ---- D-Bus ----------------------------------------------------------------------------- */

static GDBusConnection *
bus (void)
{
	return mvt_dbus_connect (mvt_shared_bus_address ());
}

static GVariant *
dcall (GDBusConnection *conn, const gchar *method, GVariant *params, GError **error)
{
	return g_dbus_connection_call_sync (conn, BUS_NAME, OBJECT_PATH, IFACE, method, params,
					    NULL, G_DBUS_CALL_FLAGS_NONE, 30000, NULL, error);
}

static GVariant *
dcall_ok (GDBusConnection *conn, const gchar *method, GVariant *params)
{
	g_autoptr (GError) error = NULL;
	GVariant *reply = dcall (conn, method, params, &error);

	cr_assert_not_null (reply, "%s: %s", method, error->message);
	return reply;
}

/* asserts the call fails with @name; returns the message (the remote name stripped) */
static gchar *
dcall_fails (GDBusConnection *conn, const gchar *method, GVariant *params, const gchar *name)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GVariant) reply = dcall (conn, method, params, &error);
	g_autofree gchar *got = NULL;

	cr_assert_null (reply, "%s succeeded: %s", method,
			reply != NULL ? g_variant_print (reply, TRUE) : "");
	got = g_dbus_error_get_remote_error (error);
	g_dbus_error_strip_remote_error (error);
	cr_assert_str_eq (got != NULL ? got : "(none)", name, "%s: %s", method, error->message);
	return g_strdup (error->message);
}

/* the a{sv} of a reply (its first element) */
static GVariant *
first (GVariant *reply)
{
	return g_variant_get_child_value (reply, 0);
}

static const gchar *
dict_str (GVariant *dict, const gchar *key)
{
	const gchar *value = NULL;

	cr_assert (g_variant_lookup (dict, key, "&s", &value), "no string %s in %s", key,
		   g_variant_print (dict, TRUE));
	return value;
}

static gint64
dict_int (GVariant *dict, const gchar *key)
{
	gint64 value = 0;

	cr_assert (g_variant_lookup (dict, key, "x", &value), "no integer %s in %s", key,
		   g_variant_print (dict, TRUE));
	return value;
}

static GVariant *
dict_value (GVariant *dict, const gchar *key, const gchar *type)
{
	GVariant *value = g_variant_lookup_value (dict, key, G_VARIANT_TYPE (type));

	cr_assert_not_null (value, "no %s %s in %s", type, key, g_variant_print (dict, TRUE));
	return value;
}

static GVariant *
checkin_members (const gchar *metric, GVariant *value, const gchar *at)
{
	GVariantBuilder b;

	g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
	if (metric != NULL)
		g_variant_builder_add (&b, "{sv}", "metric", g_variant_new_string (metric));
	if (value != NULL)
		g_variant_builder_add (&b, "{sv}", "value", value);
	if (at != NULL)
		g_variant_builder_add (&b, "{sv}", "at", g_variant_new_string (at));
	return g_variant_builder_end (&b);
}

static GVariant *
checkin_args (const gchar *key, const gchar *locale, const gchar *id, GVariant *members)
{
	return g_variant_new ("(sss@a{sv})", key, locale, id, members);
}

/* ---- the database ---------------------------------------------------------------------- */

/* every engagement row and record row of the clinic and, unless @without_audit, the count of
 * its audit entries */
static gchar *
state_of (PGconn *conn, const gchar *clinic, gboolean without_audit)
{
	static const gchar *const tables[]
		= { "engagement_checkins", "engagement_ledger", "engagement_leaderboard" };
	const gchar *v[] = { clinic };
	g_autofree gchar *base = mvt_db_clinic_state (conn, clinic);
	g_autoptr (GString) s = g_string_new (base);

	/* the audit count is the last field */
	if (without_audit)
		g_string_truncate (s, (gsize)(strrchr (s->str, '/') - s->str));

	for (guint i = 0; i < G_N_ELEMENTS (tables); i++) {
		g_autofree gchar *sql = g_strdup_printf (
			"SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, ',' ORDER BY "
			"t::text)), '') FROM %s t WHERE clinic_id = $1",
			tables[i]);
		g_autofree gchar *value = mvt_db_value (conn, sql, 1, v);
		g_string_append_printf (s, "/%s", value);
	}
	return g_string_free (g_steal_pointer (&s), FALSE);
}

static gchar *
state (PGconn *conn, const gchar *clinic)
{
	return state_of (conn, clinic, FALSE);
}

static gint64
count_audit (PGconn *conn, const gchar *clinic, const gchar *action)
{
	const gchar *v[] = { clinic, action };
	return mvt_db_count (
		conn, "SELECT count(*) FROM audit_entries WHERE clinic_id = $1 AND action = $2", 2,
		v);
}

/* ---- tests ----------------------------------------------------------------------------- */

Test (dbus_patient, a_patient_key_gets_its_plan_and_today_as_over_http)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *token = NULL;
	g_autoptr (GDBusConnection) conn = bus ();
	g_autoptr (MvtResponse) plan = NULL, today = NULL;

	mvt_clinic_make (url (), dir, &a);
	pid = make_patient (&a, "DBP-1");
	token = mvt_patient_key (url (), a.clinician, pid, NULL);
	make_plan (&a, pid);
	plan = http ("GET", "/v1/me/plan", token, NULL);
	today = http ("GET", "/v1/me/today", token, NULL);
	cr_assert_eq (plan->status, 200, "%s", plan->body);
	cr_assert_eq (today->status, 200, "%s", today->body);
	{
		g_autoptr (GVariant) reply
			= dcall_ok (conn, "GetPlan", g_variant_new ("(ss)", token, "en"));
		g_autoptr (GVariant) got = first (reply);
		g_autoptr (GVariant) tasks = dict_value (got, "tasks", "aa{sv}");
		JsonArray *want = json_object_get_array_member (obj (plan), "tasks");
		g_autoptr (GVariant) task0 = NULL;

		cr_assert_str_eq (dict_str (got, "id"), mvt_str (plan, "id"));
		cr_assert_eq (dict_int (got, "version"),
			      json_object_get_int_member (obj (plan), "version"));
		cr_assert_eq (g_variant_n_children (tasks), json_array_get_length (want));
		cr_assert_gt (g_variant_n_children (tasks), 0);
		task0 = g_variant_get_child_value (tasks, 0);
		cr_assert_str_eq (dict_str (task0, "id"),
				  json_object_get_string_member (
					  json_array_get_object_element (want, 0), "id"));
	}
	{
		/* today in the plan's time zone, as GET /v1/me/today */
		g_autoptr (GVariant) reply
			= dcall_ok (conn, "GetToday", g_variant_new ("(sss)", token, "en", ""));
		g_autoptr (GVariant) got = first (reply);
		g_autoptr (GVariant) tasks = dict_value (got, "tasks", "aa{sv}");

		cr_assert_str_eq (dict_str (got, "date"), mvt_str (today, "date"));
		cr_assert_eq (g_variant_n_children (tasks),
			      json_array_get_length (
				      json_object_get_array_member (obj (today), "tasks")));
	}
	{
		/* another day: the route's ?date= */
		g_autoptr (GVariant) reply = dcall_ok (
			conn, "GetToday", g_variant_new ("(sss)", token, "en", "2031-05-05"));
		g_autoptr (GVariant) got = first (reply);
		g_autoptr (MvtResponse) h
			= http ("GET", "/v1/me/today?date=2031-05-05", token, NULL);

		cr_assert_str_eq (dict_str (got, "date"), "2031-05-05");
		cr_assert_str_eq (dict_str (got, "weekday"), mvt_str (h, "weekday"));
	}
}

Test (dbus_patient, a_checkin_lands_once_and_shows_over_http)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *token = NULL, *at = NULL, *before = NULL, *after = NULL;
	g_autofree gchar *repeated = NULL;
	g_autoptr (GDBusConnection) conn = bus ();
	g_autoptr (PGconn) conn_db = mvt_db_connect (dir);

	mvt_clinic_make (url (), dir, &a);
	pid = make_patient (&a, "DBP-2");
	token = mvt_patient_key (url (), a.clinician, pid, NULL);
	at = at_ago (60);
	{
		g_autoptr (GVariant) reply
			= dcall_ok (conn, "GetProgress", g_variant_new ("(ss)", token, "en"));
		g_autoptr (GVariant) got = first (reply);
		cr_assert_eq (dict_int (got, "points"), 0);
	}
	{
		g_autoptr (GVariant) reply = dcall_ok (
			conn, "CheckIn",
			checkin_args (token, "en", "gw-1",
				      checkin_members ("steps", g_variant_new_int64 (8000), at)));
		g_autoptr (GVariant) got = first (reply);
		g_autoptr (GVariant) checkin = dict_value (got, "checkin", "a{sv}");
		gboolean created = FALSE;

		g_variant_get_child (reply, 1, "b", &created);
		cr_assert (created);
		cr_assert_str_eq (dict_str (checkin, "id"), "gw-1");
		cr_assert_eq (dict_int (checkin, "points"), 10, "%s", g_variant_print (got, TRUE));
	}
	/* over HTTP: the points, and the check-in in the clinician's list */
	{
		g_autofree gchar *path = g_strdup_printf ("/v1/patients/%s/checkins", pid);
		g_autoptr (MvtResponse) p = http ("GET", "/v1/me/progress", token, NULL);
		g_autoptr (MvtResponse) l = http ("GET", path, a.clinician, NULL);
		JsonArray *items;

		cr_assert_eq (p->status, 200, "%s", p->body);
		cr_assert_eq (json_object_get_int_member (obj (p), "points"), 10, "%s", p->body);
		cr_assert_eq (l->status, 200, "%s", l->body);
		items = json_object_get_array_member (obj (l), "checkins");
		cr_assert_eq (json_array_get_length (items), 1, "%s", l->body);
		cr_assert_str_eq (json_object_get_string_member (
					  json_array_get_object_element (items, 0), "id"),
				  "gw-1");
	}
	cr_assert_eq (count_audit (conn_db, a.id, "observation.create"), 1);
	/* the same client id again: the first answer, nothing written but the audit entry of the
	 * repeat (as over HTTP) */
	before = state_of (conn_db, a.id, TRUE);
	{
		g_autoptr (GVariant) reply = dcall_ok (
			conn, "CheckIn",
			checkin_args (token, "en", "gw-1",
				      checkin_members ("steps", g_variant_new_int64 (8000), at)));
		g_autoptr (GVariant) got = first (reply);
		g_autoptr (GVariant) progress = dict_value (got, "progress", "a{sv}");
		gboolean created = TRUE;

		g_variant_get_child (reply, 1, "b", &created);
		cr_assert_not (created);
		cr_assert_eq (dict_int (progress, "points"), 10);
	}
	repeated = state_of (conn_db, a.id, TRUE);
	cr_assert_str_eq (before, repeated);
	cr_assert_eq (count_audit (conn_db, a.id, "engagement.checkin-repeat"), 1);
	cr_assert_eq (count_audit (conn_db, a.id, "engagement.checkin"), 1);
	g_clear_pointer (&before, g_free);
	before = state (conn_db, a.id);
	{
		/* the same id with other content is a conflict, not a second check-in */
		g_autofree gchar *m = dcall_fails (
			conn, "CheckIn",
			checkin_args (token, "en", "gw-1",
				      checkin_members ("steps", g_variant_new_int64 (9000), at)),
			ERR "Conflict");
	}
	after = state (conn_db, a.id);
	cr_assert_str_eq (before, after);
	{
		/* progress texts follow the profile's language (English here) whatever locale
		 * the call names, over D-Bus as over HTTP: the level's title as HTTP has it */
		g_autoptr (MvtResponse) zh
			= http_in ("zh-CN", "GET", "/v1/me/progress", token, NULL);
		g_autoptr (GVariant) reply
			= dcall_ok (conn, "GetProgress", g_variant_new ("(ss)", token, "zh-CN"));
		g_autoptr (GVariant) got = first (reply);
		g_autoptr (GVariant) level = dict_value (got, "level", "a{sv}");
		const gchar *want = json_object_get_string_member (
			json_object_get_object_member (obj (zh), "level"), "title");

		cr_assert_str_eq (dict_str (level, "title"), want);
		cr_assert_str_eq (want, "Starter");
		cr_assert_eq (dict_int (got, "points"), 10);
	}
}

Test (dbus_patient, a_key_sees_only_its_own_patient)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (MvtClinic) a = { 0 };
	g_auto (MvtClinic) b = { 0 };
	g_autofree gchar *p1 = NULL, *t1 = NULL, *p2 = NULL, *t2 = NULL, *p3 = NULL, *t3 = NULL;
	g_autofree gchar *at = NULL, *operator_key = mvt_shared_operator_token ();
	g_autoptr (GDBusConnection) conn = bus ();

	mvt_clinic_make (url (), dir, &a);
	mvt_clinic_make (url (), dir, &b);
	p1 = make_patient (&a, "DBP-3");
	p2 = make_patient (&a, "DBP-4");
	p3 = make_patient (&b, "DBP-3");
	t1 = mvt_patient_key (url (), a.clinician, p1, NULL);
	t2 = mvt_patient_key (url (), a.clinician, p2, NULL);
	t3 = mvt_patient_key (url (), b.clinician, p3, NULL);
	make_plan (&a, p1);
	at = at_ago (120);
	g_variant_unref (dcall_ok (
		conn, "CheckIn",
		checkin_args (t1, "en", "own-1",
			      checkin_members ("steps", g_variant_new_int64 (7000), at))));
	/* the other patients' keys: their own (empty) progress, no plan */
	for (guint i = 0; i < 2; i++) {
		const gchar *other = i == 0 ? t2 : t3;
		g_autoptr (GVariant) reply
			= dcall_ok (conn, "GetProgress", g_variant_new ("(ss)", other, "en"));
		g_autoptr (GVariant) got = first (reply);
		g_autofree gchar *m = NULL;

		cr_assert_eq (dict_int (got, "points"), 0);
		m = dcall_fails (conn, "GetPlan", g_variant_new ("(ss)", other, "en"),
				 ERR "NotFound");
	}
	/* the same client id under another patient is that patient's own check-in */
	{
		g_autoptr (GVariant) reply = dcall_ok (
			conn, "CheckIn",
			checkin_args (t2, "en", "own-1",
				      checkin_members ("steps", g_variant_new_int64 (7000), at)));
		gboolean created = FALSE;
		g_variant_get_child (reply, 1, "b", &created);
		cr_assert (created);
	}
	/* staff keys are not patients: the routes are the patient's only */
	{
		g_autofree gchar *m1
			= dcall_fails (conn, "GetProgress",
				       g_variant_new ("(ss)", a.clinician, "en"), ERR "Forbidden");
		g_autofree gchar *m2
			= dcall_fails (conn, "GetPlan", g_variant_new ("(ss)", operator_key, "en"),
				       ERR "Forbidden");
		cr_assert (strstr (m1, "this method") != NULL, "%s", m1);
		cr_assert (strstr (m2, "route") == NULL, "%s", m2);
	}
	{
		/* locale "" is the default, as date "" is today */
		g_autoptr (GVariant) plain
			= dcall_ok (conn, "GetProgress", g_variant_new ("(ss)", t1, ""));
		g_autoptr (GVariant) reply
			= dcall_ok (conn, "GetProgress", g_variant_new ("(ss)", t1, "en"));
		g_autoptr (GVariant) got = first (reply);
		cr_assert_eq (dict_int (got, "points"), 10);
	}
}

/* one bad call: the error it must be, and a piece of its message */
typedef struct {
	const gchar *why;
	const gchar *method;
	GVariant *params;
	const gchar *name;
	const gchar *needle;
} BadCall;

/* {'value': 10, 'id': 'z', 'foo': 1}: two problems in one CheckIn */
static GVariant *
id_and_foo (void)
{
	GVariantBuilder b;

	g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add (&b, "{sv}", "value", g_variant_new_int64 (10));
	g_variant_builder_add (&b, "{sv}", "id", g_variant_new_string ("z"));
	g_variant_builder_add (&b, "{sv}", "foo", g_variant_new_int64 (1));
	return g_variant_builder_end (&b);
}

Test (dbus_patient, bad_arguments_are_named_errors_and_write_nothing)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *t = NULL, *at = NULL, *before = NULL, *after = NULL;
	g_autofree gchar *huge = NULL, *long_id = NULL, *long_unit = NULL;
	g_autoptr (GDBusConnection) conn = bus ();
	g_autoptr (PGconn) db = mvt_db_connect (dir);
	GVariantBuilder odd, unit, huge_b, with_id, unknown, nested;

	mvt_clinic_make (url (), dir, &a);
	pid = make_patient (&a, "DBP-5");
	t = mvt_patient_key (url (), a.clinician, pid, NULL);
	make_plan (&a, pid);
	at = at_ago (60);
	huge = g_strnfill (70 * 1024, 'u');
	long_id = g_strnfill (65, 'i');
	long_unit = g_strnfill (40, 'u');
	g_variant_builder_init (&odd, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add (&odd, "{sv}", "metric", g_variant_new_string ("steps"));
	g_variant_builder_add (&odd, "{sv}", "value", g_variant_new_object_path ("/x"));
	g_variant_builder_add (&odd, "{sv}", "at", g_variant_new ("(ii)", 1, 2));
	g_variant_builder_init (&unit, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add (&unit, "{sv}", "metric", g_variant_new_string ("steps"));
	g_variant_builder_add (&unit, "{sv}", "value", g_variant_new_int32 (5000));
	g_variant_builder_add (&unit, "{sv}", "at", g_variant_new_string (at));
	g_variant_builder_add (&unit, "{sv}", "unit", g_variant_new_string (long_unit));
	g_variant_builder_init (&huge_b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add (&huge_b, "{sv}", "metric", g_variant_new_string ("steps"));
	g_variant_builder_add (&huge_b, "{sv}", "unit", g_variant_new_string (huge));
	g_variant_builder_init (&with_id, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add (&with_id, "{sv}", "id", g_variant_new_string ("x"));
	g_variant_builder_init (&unknown, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add (&unknown, "{sv}", "metric", g_variant_new_string ("steps"));
	g_variant_builder_add (&unknown, "{sv}", "value", g_variant_new_int64 (100));
	g_variant_builder_add (&unknown, "{sv}", "at", g_variant_new_string (at));
	g_variant_builder_add (&unknown, "{sv}", "colour", g_variant_new_string ("red"));
	g_variant_builder_init (&nested, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add (&nested, "{sv}", "metric", g_variant_new_string ("steps"));
	g_variant_builder_add (&nested, "{sv}", "value",
			       g_variant_new_variant (g_variant_new_uint64 (G_MAXUINT64)));
	g_variant_builder_add (&nested, "{sv}", "at", g_variant_new_string (at));

	BadCall bad[] = {
		{ "a number as a string", "CheckIn",
		  checkin_args (t, "en", "b-1",
				checkin_members ("steps", g_variant_new_string ("8000"), at)),
		  ERR "InvalidInput", "/value (wrong-type)" },
		{ "no metric, no value, no time", "CheckIn",
		  checkin_args (t, "en", "b-2", checkin_members (NULL, NULL, NULL)),
		  ERR "InvalidInput", "/at (required)" },
		{ "no metric, no value, no time (the metric named too)", "CheckIn",
		  checkin_args (t, "en", "b-2", checkin_members (NULL, NULL, NULL)),
		  ERR "InvalidInput", "/metric (required)" },
		{ "a 150 000-step day", "CheckIn",
		  checkin_args (t, "en", "b-3",
				checkin_members ("steps", g_variant_new_int64 (150000), at)),
		  ERR "InvalidInput", "/value (" },
		{ "types with no JSON equivalent, both named", "CheckIn",
		  checkin_args (t, "en", "b-4", g_variant_builder_end (&odd)), ERR "InvalidInput",
		  "/value (wrong-type): has the D-Bus type o" },
		{ "an unsigned number JSON cannot carry", "CheckIn",
		  checkin_args (t, "en", "b-5", g_variant_builder_end (&nested)),
		  ERR "InvalidInput", "/value (out-of-range)" },
		{ "an over-long unit", "CheckIn",
		  checkin_args (t, "en", "b-6", g_variant_builder_end (&unit)), ERR "InvalidInput",
		  "/unit (" },
		{ "an unknown member", "CheckIn",
		  checkin_args (t, "en", "b-7", g_variant_builder_end (&unknown)),
		  ERR "InvalidInput", "/colour (unknown-member)" },
		{ "the id as a member", "CheckIn",
		  checkin_args (t, "en", "b-8", g_variant_builder_end (&with_id)),
		  ERR "InvalidInput", "/id (not-allowed)" },
		/* every problem at once: the id member and what else is wrong */
		{ "the id as a member, and an unknown member (the id)", "CheckIn",
		  checkin_args (t, "en", "b-8", id_and_foo ()), ERR "InvalidInput",
		  "/id (not-allowed)" },
		{ "the id as a member, and an unknown member (the other)", "CheckIn",
		  checkin_args (t, "en", "b-8", id_and_foo ()), ERR "InvalidInput",
		  "/foo (unknown-member)" },
		/* the argument the caller sent is named, not the route's member */
		{ "an empty client id", "CheckIn",
		  checkin_args (t, "en", "",
				checkin_members ("steps", g_variant_new_int64 (100), at)),
		  ERR "InvalidInput", "/client_id (" },
		{ "a client id with spaces", "CheckIn",
		  checkin_args (t, "en", "a b c",
				checkin_members ("steps", g_variant_new_int64 (100), at)),
		  ERR "InvalidInput", "/client_id (" },
		{ "a client id over 64 characters", "CheckIn",
		  checkin_args (t, "en", long_id,
				checkin_members ("steps", g_variant_new_int64 (100), at)),
		  ERR "InvalidInput", "/client_id (" },
		{ "arguments over [http] max-body-bytes", "CheckIn",
		  checkin_args (t, "en", "b-9", g_variant_builder_end (&huge_b)), ERR "TooLarge",
		  "max-body-bytes" },
		{ "not a locale", "GetProgress", g_variant_new ("(ss)", t, "en_US!"),
		  ERR "InvalidInput", "/locale (invalid-format)" },
		{ "in Chinese", "CheckIn",
		  checkin_args (t, "zh-CN", "b-10",
				checkin_members ("steps", g_variant_new_string ("8000"), at)),
		  ERR "InvalidInput", "/value (wrong-type): 应" },
		{ "the top-level signature", "CheckIn", g_variant_new ("(sss)", t, "en", "b-11"),
		  "org.freedesktop.DBus.Error.InvalidArgs", "" },
	};

	before = state (db, a.id);
	for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
		g_autofree gchar *m = dcall_fails (conn, bad[i].method, bad[i].params, bad[i].name);
		cr_assert (strstr (m, bad[i].needle) != NULL, "%s: %s", bad[i].why, m);
		{
			g_autofree gchar *now = state (db, a.id);
			cr_assert_str_eq (before, now, "%s wrote something", bad[i].why);
		}
	}
	after = state (db, a.id);
	cr_assert_str_eq (before, after, "a refused call wrote something");
	/* a day that is not a date: refused as over HTTP, no row written.  GET /v1/me/today reads
	 * (and audits reading) the plan before it looks at ?date=, so one audit entry comes with
	 * the refusal; the same one over HTTP (the route's order, not this interface's) */
	{
		g_autofree gchar *rows = state_of (db, a.id, TRUE), *rows_after = NULL;
		gint64 audit = mvt_db_count (
			db, "SELECT count(*) FROM audit_entries WHERE clinic_id = $1", 1,
			(const gchar *[]){ a.id });
		gint64 by_dbus, by_http;
		g_autofree gchar *m = dcall_fails (conn, "GetToday",
						   g_variant_new ("(sss)", t, "en", "2026-02-30"),
						   ERR "InvalidInput");
		g_autoptr (MvtResponse) r = NULL;

		cr_assert (strstr (m, "/date (invalid-format)") != NULL, "%s", m);
		by_dbus = mvt_db_count (db,
					"SELECT count(*) FROM audit_entries WHERE clinic_id = $1",
					1, (const gchar *[]){ a.id })
			  - audit;
		r = http ("GET", "/v1/me/today?date=2026-02-30", t, NULL);
		mvt_assert_error (r, 422, "invalid-input");
		by_http = mvt_db_count (db,
					"SELECT count(*) FROM audit_entries WHERE clinic_id = $1",
					1, (const gchar *[]){ a.id })
			  - audit - by_dbus;
		cr_assert_eq (by_dbus, by_http);
		rows_after = state_of (db, a.id, TRUE);
		cr_assert_str_eq (rows, rows_after);
	}
	{
		/* and the progress did not move */
		g_autoptr (GVariant) reply
			= dcall_ok (conn, "GetProgress", g_variant_new ("(ss)", t, "en"));
		g_autoptr (GVariant) got = first (reply);
		cr_assert_eq (dict_int (got, "points"), 0);
	}
}

Test (dbus_patient, a_revoked_or_unknown_key_is_refused)
{
	g_autofree gchar *dir = data_dir ();
	g_auto (MvtClinic) a = { 0 };
	g_autofree gchar *pid = NULL, *t = NULL, *key_id = NULL, *path = NULL;
	g_autoptr (GDBusConnection) conn = bus ();

	mvt_clinic_make (url (), dir, &a);
	pid = make_patient (&a, "DBP-6");
	t = mvt_patient_key (url (), a.clinician, pid, &key_id);
	g_variant_unref (dcall_ok (conn, "GetProgress", g_variant_new ("(ss)", t, "en")));
	path = g_strdup_printf ("/v1/admin/tenants/%s/keys/%s", a.id, key_id);
	{
		g_autoptr (MvtResponse) r = http ("DELETE", path, a.admin, NULL);
		cr_assert_eq (r->status, 204, "%s", r->body);
	}
	{
		g_autofree gchar *m1 = dcall_fails (
			conn, "GetProgress", g_variant_new ("(ss)", t, "en"), ERR "Unauthorized");
		g_autofree gchar *m2 = dcall_fails (conn, "GetPlan",
						    g_variant_new ("(ss)", "mvk_not_a_key", "en"),
						    ERR "Unauthorized");
		g_autofree gchar *m3
			= dcall_fails (conn, "GetProgress", g_variant_new ("(ss)", "", "zh-CN"),
				       ERR "Unauthorized");
		cr_assert (strstr (m3, "密钥") != NULL, "%s", m3);
		cr_assert (strstr (m1, t) == NULL, "the key is echoed: %s", m1);
		/* D-Bus advice, not HTTP's header */
		cr_assert (strstr (m1, "first argument") != NULL, "%s", m1);
		cr_assert (strstr (m2, "Bearer") == NULL, "%s", m2);
	}
	{
		/* the same key over HTTP: refused the same way */
		g_autoptr (MvtResponse) r = http ("GET", "/v1/me/progress", t, NULL);
		mvt_assert_error (r, 401, "unauthorized");
	}
}

int
main (int argc, char **argv)
{
	const gchar *plugins[] = { mvt_getenv ("MVT_PLAN_GENERATOR"), NULL };
	/* keys are made faster than a client would; [http] max-body-bytes small enough for an
	 * oversize call to be cheap */
	const MvtOptions options = {
		.extra_plugins = plugins,
		.config = "[auth]\nrate-limit-per-second=1000\nrate-limit-burst=1000\n"
			  "[http]\nmax-body-bytes=65536\n",
	};

	return mvt_main (argc, argv, &options);
}
