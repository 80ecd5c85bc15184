/*
 * plan-generator-stub — a stand-in for plugins/plan-generator in the plan routes' integration
 * test: the plugin's name and its Generate, Replan, Triage and ListRules as issue 13's spec
 * (section A) declares them, over two made-up rules (they plan nothing real; the test checks
 * the daemon's side: the context from the record, storage, versions, clearing, the calendar).
 * Once the real plugin is merged, the test can load it instead.
 *
 *   red flag   a present or possible chest pain (HP:0100749) of the patient, recorded after
 *              red_flags_cleared_at (or dated after red_flags_cleared_on): the plan is
 *              suppressed, one follow-up tomorrow
 *   walking    otherwise: a walk on mon, wed, fri of min (minutes_per_day, 30) minutes; a
 *              blood-pressure check on tue and sun when the context holds a systolic
 *              (LOINC:8480-6); a follow-up 28 days on
 *   Replan     the walk's minutes + 5 when done >= 80 % of planned, - 5 (not below its
 *              minutes_start, which it requires in the previous plan, as the real plugin) when
 *              < 50 %; the plan's version + 1
 *   minutes_per_day 13   a plan the daemon must refuse (status "maybe")
 *
 * The walk's detail echoes what the context held (a test reads it), and the context is
 * checked as the spec says: today and language required, unknown members refused, each
 * member of its declared type.
 */
#define G_LOG_DOMAIN "plan-generator-stub"

#include <json-glib/json-glib.h>
#include <string.h>
#include <medverse/medverse-plugin.h>

typedef struct {
	const gchar *name;
	const gchar *type;
} ContextMember;

static const ContextMember members[] = {
	{ "today", "s" },
	{ "language", "s" },
	{ "age_years", "d" },
	{ "sex", "s" },
	{ "pregnant", "b" },
	{ "mobility", "s" },
	{ "minutes_per_day", "u" },
	{ "bmi_standard", "s" },
	{ "smoking", "s" },
	{ "conditions", "aa{sv}" },
	{ "medications", "aa{sv}" },
	{ "measurements", "aa{sv}" },
	{ "risks", "aa{sv}" },
	{ "findings", "aa{sv}" },
	{ "red_flags_cleared_on", "s" },
	{ "red_flags_cleared_at", "s" },
	{ "checkins", "aa{sv}" },
};

static gboolean
context_ok (GVariant *context, GError **error)
{
	GVariantIter iter;
	const gchar *key;
	GVariant *value;
	GError *problems = NULL;

	g_variant_iter_init (&iter, context);
	while (g_variant_iter_loop (&iter, "{&sv}", &key, &value)) {
		const ContextMember *m = NULL;
		g_autofree gchar *field = g_strdup_printf ("/context/%s", key);
		for (guint i = 0; i < G_N_ELEMENTS (members) && m == NULL; i++)
			if (g_str_equal (members[i].name, key))
				m = &members[i];
		if (m == NULL)
			mv_error_add_problem (&problems, field, "unknown-member", "unknown member",
					      "未知成员");
		else if (!g_variant_is_of_type (value, G_VARIANT_TYPE (m->type)))
			mv_error_add_problem (&problems, field, "wrong-type", m->type, m->type);
	}
	/* the real plugin's statuses of a condition or medication */
	for (guint l = 0; l < 2; l++) {
		static const gchar *const lists[] = { "conditions", "medications" };
		static const gchar *const statuses[] = { "active", "resolved", "unknown", NULL };
		g_autoptr (GVariant) items
			= g_variant_lookup_value (context, lists[l], G_VARIANT_TYPE ("aa{sv}"));
		for (gsize i = 0; items != NULL && i < g_variant_n_children (items); i++) {
			g_autoptr (GVariant) item = g_variant_get_child_value (items, i);
			const gchar *status = "active";
			g_variant_lookup (item, "status", "&s", &status);
			if (!g_strv_contains (statuses, status)) {
				g_autofree gchar *field = g_strdup_printf (
					"/context/%s/%" G_GSIZE_FORMAT "/status", lists[l], i);
				mv_error_add_problem (&problems, field, "not-allowed",
						      "not-allowed", "不允许");
			}
		}
	}
	if (!g_variant_lookup (context, "today", "&s", &key))
		mv_error_add_problem (&problems, "/context/today", "required", "required", "必填");
	if (!g_variant_lookup (context, "language", "&s", &key))
		mv_error_add_problem (&problems, "/context/language", "required", "required",
				      "必填");
	if (problems != NULL) {
		g_propagate_error (error, problems);
		return FALSE;
	}
	return TRUE;
}

static gchar *
date_plus (const gchar *today, gint days)
{
	GDate d;

	g_date_set_parse (&d, today);
	g_date_add_days (&d, days);
	return g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (&d), g_date_get_month (&d),
				g_date_get_day (&d));
}

static gsize
count (JsonObject *ctx, const gchar *member)
{
	return json_object_has_member (ctx, member)
		       ? json_array_get_length (json_object_get_array_member (ctx, member))
		       : 0;
}

/* whether finding @f counts after the clearing (the real plugin's rule): recorded after the
 * instant red_flags_cleared_at; else (an older record's red_flags_cleared_on) dated after */
static gboolean
after_clearing (JsonObject *ctx, JsonObject *f)
{
	const gchar *on
		= json_object_get_string_member_with_default (ctx, "red_flags_cleared_on", NULL);
	const gchar *at
		= json_object_get_string_member_with_default (ctx, "red_flags_cleared_at", NULL);
	const gchar *recorded = json_object_get_string_member_with_default (f, "recorded_at", NULL);
	g_autoptr (GDateTime) cleared = at != NULL ? g_date_time_new_from_iso8601 (at, NULL) : NULL;
	g_autoptr (GDateTime) when
		= recorded != NULL ? g_date_time_new_from_iso8601 (recorded, NULL) : NULL;

	if (cleared != NULL && when != NULL)
		return g_date_time_compare (when, cleared) > 0;
	if (at != NULL)
		on = at; /* its first 10 characters: the patient's date */
	if (on == NULL)
		return TRUE;
	return strncmp (json_object_get_string_member_with_default (f, "date", ""), on, 10) > 0;
}

/* the chest pain finding that raises the flag: its certainty, or NULL */
static const gchar *
chest_pain (JsonObject *ctx)
{
	JsonArray *findings = json_object_has_member (ctx, "findings")
				      ? json_object_get_array_member (ctx, "findings")
				      : NULL;

	for (guint i = 0; findings != NULL && i < json_array_get_length (findings); i++) {
		JsonObject *f = json_array_get_object_element (findings, i);
		const gchar *polarity
			= json_object_get_string_member_with_default (f, "polarity", "");
		if (g_strcmp0 (json_object_get_string_member_with_default (f, "code", ""),
			       "HP:0100749")
			    != 0
		    || g_str_equal (polarity, "absent")
		    || g_strcmp0 (json_object_get_string_member_with_default (f, "experiencer",
									      "patient"),
				  "family")
			       == 0)
			continue;
		if (!after_clearing (ctx, f))
			continue;
		return g_str_equal (polarity, "possible") ? "possible" : "present";
	}
	return NULL;
}

static gboolean
has_systolic (JsonObject *ctx)
{
	JsonArray *m = json_object_has_member (ctx, "measurements")
			       ? json_object_get_array_member (ctx, "measurements")
			       : NULL;

	for (guint i = 0; m != NULL && i < json_array_get_length (m); i++)
		if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (m, i),
							      "code"),
			       "LOINC:8480-6")
		    == 0)
			return TRUE;
	return FALSE;
}

/* the plan as JSON text, walking @minutes a session from @start (0: @minutes) */
static gchar *
plan_json (JsonObject *ctx, gint64 minutes, gdouble start, gint64 version)
{
	const gchar *today = json_object_get_string_member (ctx, "today");
	gboolean zh = g_str_equal (json_object_get_string_member (ctx, "language"), "zh");
	const gchar *flag = chest_pain (ctx);
	g_autofree gchar *tomorrow = date_plus (today, 1);
	g_autofree gchar *later = date_plus (today, 28);
	GString *s = g_string_new ("{");

	g_string_append_printf (s,
				"\"language\":\"%s\",\"generated_on\":\"%s\",\"week_start\":\"%s\","
				"\"rules_version\":\"stub-1\",\"version\":%" G_GINT64_FORMAT ",",
				zh ? "zh" : "en", today, today, version);
	if (flag != NULL) {
		g_string_append_printf (
			s,
			"\"status\":\"suppressed\",\"red_flags\":[{\"id\":\"chest-pain\",\"level\":"
			"\"emergency\",\"certainty\":\"%s\",\"title\":\"%s\",\"instruction\":\"%"
			"s\","
			"\"findings\":[\"HP:0100749\"],\"source\":\"NHS 111 "
			"(stub)\"}],\"goals\":[],"
			"\"tasks\":[],\"follow_ups\":[{\"date\":\"%s\",\"reason\":\"%s\"}],"
			"\"limits\":[]}",
			flag, zh ? "胸痛" : "Chest pain",
			zh ? "立即拨打 120。" : "Call emergency services now.", tomorrow,
			zh ? "胸痛复查" : "Chest pain review");
		return g_string_free (s, FALSE);
	}
	g_string_append_printf (
		s,
		"\"status\":\"%s\",\"red_flags\":[],\"goals\":[{\"id\":\"walk-week\",\"metric\":"
		"\"active_minutes\",\"direction\":\"at_least\",\"target\":150,\"unit\":\"min/wk\","
		"\"due\":\"%s\",\"title\":"
		"\"%s\",\"rule\":\"stub-walking\",\"source\":\"WHO 2020 (stub)\"}],\"tasks\":["
		"{\"id\":\"walk\",\"category\":\"activity\",\"title\":\"%s\",\"detail\":\"age=%.1f "
		"pregnant=%d mobility=%s conditions=%u medications=%u measurements=%u findings=%u "
		"risks=%u checkins=%u "
		"smoking=%s\",\"days\":[\"mon\",\"wed\",\"fri\"],\"minutes\":%" G_GINT64_FORMAT
		",\"minutes_start\":%.1f,\"minutes_step\":5.0,\"minutes_ceiling\":60.0,"
		"\"intensity\":\"moderate\",\"metric\":\"active_minutes\","
		"\"rule\":\"stub-walking\",\"source\":\"WHO 2020 (stub)\"}",
		minutes == 13 ? "maybe" : "active", later,
		zh ? "每周步行 150 分钟" : "Walk 150 minutes a week",
		zh ? "快走，说话不喘" : "Brisk walk, then stretch; rest if dizzy",
		json_object_get_double_member_with_default (ctx, "age_years", -1),
		json_object_get_boolean_member_with_default (ctx, "pregnant", FALSE),
		json_object_get_string_member_with_default (ctx, "mobility", "none"),
		(guint)count (ctx, "conditions"), (guint)count (ctx, "medications"),
		(guint)count (ctx, "measurements"), (guint)count (ctx, "findings"),
		(guint)count (ctx, "risks"), (guint)count (ctx, "checkins"),
		json_object_get_string_member_with_default (ctx, "smoking", "none"), minutes,
		start > 0 ? start : (gdouble)minutes);
	if (has_systolic (ctx))
		g_string_append_printf (s,
					",{\"id\":\"bp-check\",\"category\":\"monitoring\","
					"\"title\":\"%s\",\"days\":[\"tue\",\"sun\"],\"metric\":"
					"\"blood_pressure\"}",
					zh ? "测量血压" : "Measure your blood pressure");
	g_string_append_printf (s,
				"],\"follow_ups\":[{\"date\":\"%s\",\"reason\":\"%s\",\"rule\":"
				"\"stub-walking\"}],\"limits\":[{\"metric\":\"active_minutes\","
				"\"max\":300,\"rule\":\"stub-walking\"}],\"stub_extra\":1}",
				later, zh ? "复诊" : "Review, bring your readings");
	return g_string_free (s, FALSE);
}

static GVariant *
answer (const gchar *json, GError **error)
{
	GVariant *plan = json_gvariant_deserialize_data (json, -1, "a{sv}", error);
	GVariant *out;

	if (plan == NULL)
		return NULL;
	/* a full reference whether or not json-glib's is floating; the tuple takes its own */
	plan = g_variant_take_ref (plan);
	out = g_variant_new_tuple (&plan, 1);
	g_variant_unref (plan);
	return out;
}

static GVariant *
stub_generate (MvCall *call, GVariant *input, GError **error)
{
	g_autoptr (GVariant) context = g_variant_get_child_value (input, 0);
	g_autoptr (JsonNode) node = NULL;
	g_autofree gchar *json = NULL;
	JsonObject *ctx;

	if (!context_ok (context, error))
		return NULL;
	node = json_gvariant_serialize (context);
	ctx = json_node_get_object (node);
	json = plan_json (
		ctx, MIN (json_object_get_int_member_with_default (ctx, "minutes_per_day", 30), 30),
		0, 1);
	return answer (json, error);
}

static GVariant *
stub_replan (MvCall *call, GVariant *input, GError **error)
{
	g_autoptr (GVariant) context = g_variant_get_child_value (input, 0);
	g_autoptr (GVariant) previous = g_variant_get_child_value (input, 1);
	g_autoptr (GVariant) adherence = g_variant_get_child_value (input, 2);
	g_autoptr (JsonNode) node = NULL;
	g_autoptr (JsonNode) prev = NULL;
	g_autofree gchar *json = NULL;
	gint64 minutes = 30, version = 0;
	gdouble start = 0;
	JsonArray *tasks;
	GVariantIter iter;
	GVariant *item;

	if (!context_ok (context, error))
		return NULL;
	node = json_gvariant_serialize (context);
	prev = json_gvariant_serialize (previous);
	version = json_object_get_int_member_with_default (json_node_get_object (prev), "version",
							   0);
	tasks = json_object_get_array_member (json_node_get_object (prev), "tasks");
	for (guint i = 0; tasks != NULL && i < json_array_get_length (tasks); i++) {
		JsonObject *t = json_array_get_object_element (tasks, i);
		if (!g_str_equal (json_object_get_string_member (t, "id"), "walk"))
			continue;
		minutes = json_object_get_int_member (t, "minutes");
		/* as the real plugin: the floor a missed week never goes below */
		if (!json_object_has_member (t, "minutes_start")) {
			mv_set_error_bilingual (error, MV_ERROR_INVALID_INPUT,
						"/previous/tasks: minutes_start is required",
						"/previous/tasks：需要 minutes_start");
			return NULL;
		}
		start = json_object_get_double_member (t, "minutes_start");
	}
	g_variant_iter_init (&iter, adherence);
	while ((item = g_variant_iter_next_value (&iter)) != NULL) {
		const gchar *id = NULL;
		guint32 planned = 0, done = 0;
		g_variant_lookup (item, "id", "&s", &id);
		g_variant_lookup (item, "planned", "u", &planned);
		g_variant_lookup (item, "done", "u", &done);
		if (g_strcmp0 (id, "walk") == 0 && planned > 0) {
			if (done * 10 >= planned * 8)
				minutes += 5;
			else if (done * 2 < planned)
				minutes = MAX ((gint64)start, minutes - 5);
		}
		g_variant_unref (item);
	}
	json = plan_json (json_node_get_object (node), minutes, start, version + 1);
	return answer (json, error);
}

static GVariant *
stub_triage (MvCall *call, GVariant *input, GError **error)
{
	return g_variant_new_parsed ("(@aa{sv} [],)");
}

static GVariant *
stub_list_rules (MvCall *call, GVariant *input, GError **error)
{
	return g_variant_new_parsed ("(@aa{sv} [{'id': <'stub-walking'>}],)");
}

static const MvArg context_in[] = {
	{ "context", "a{sv}", "the patient context", MV_ARG_NONE },
	MV_ARG_END,
};
static const MvArg replan_in[] = {
	{ "context", "a{sv}", "the patient context", MV_ARG_NONE },
	{ "previous", "a{sv}", "the current plan", MV_ARG_NONE },
	{ "adherence", "aa{sv}", "last week's counts", MV_ARG_NONE },
	MV_ARG_END,
};
static const MvArg no_in[] = { MV_ARG_END };
static const MvArg plan_out[] = {
	{ "plan", "a{sv}", "the plan", MV_ARG_NONE },
	MV_ARG_END,
};
static const MvArg flags_out[] = {
	{ "flags", "aa{sv}", "red flags", MV_ARG_NONE },
	MV_ARG_END,
};
static const MvArg rules_out[] = {
	{ "rules", "aa{sv}", "the rules", MV_ARG_NONE },
	MV_ARG_END,
};

static const MvMethod stub_methods[] = {
	{ .name = "Generate",
	  .description = "A plan from the context",
	  .in_args = context_in,
	  .out_args = plan_out,
	  .handler = stub_generate },
	{ .name = "Replan",
	  .description = "The weekly re-plan",
	  .in_args = replan_in,
	  .out_args = plan_out,
	  .handler = stub_replan },
	{ .name = "Triage",
	  .description = "Red flags only",
	  .in_args = context_in,
	  .out_args = flags_out,
	  .handler = stub_triage },
	{ .name = "ListRules",
	  .description = "The rules",
	  .in_args = no_in,
	  .out_args = rules_out,
	  .handler = stub_list_rules },
	MV_METHOD_END,
};

MV_PLUGIN_DEFINE (.name = "plan-generator",
		  .version = "0.1.0-stub",
		  .description = "Test stand-in for the plan generator (integration tests only)",
		  .methods = stub_methods);
