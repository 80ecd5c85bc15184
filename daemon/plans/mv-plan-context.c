/* The plan-generator's context from the record: see mv-plan-context.h. */
#define G_LOG_DOMAIN "medverse-plans"

#include "mv-plan-context.h"

#include <math.h>
#include <string.h>

#include "clinical/mv-clinical-private.h"
#include "records/mv-code-systems.h"

static const gchar *const mobilities[] = { "full", "limited", "wheelchair", "bedbound", NULL };

static gboolean
check_today (JsonNode *node,
	     const gchar *ptr,
	     JsonObject *parent,
	     const MvSchemaContext *ctx,
	     GError **error)
{
	if (mv_plan_date_valid (json_node_get_string (node)))
		return TRUE;
	mv_schema_date_problem (error, ptr, json_node_get_string (node),
				"must be a date YYYY-MM-DD from 1870 to 2200",
				"应为 1870 至 2200 年间的日期 YYYY-MM-DD");
	return FALSE;
}

const MvField mv_plan_supplied_members[] = {
	{ "minutes_per_day", MV_FIELD_INT, FALSE, 5, 720, NULL, NULL, NULL,
	  "minutes a day the patient can spend on the plan (default 30)" },
	{ "mobility", MV_FIELD_ENUM, FALSE, 0, 0, mobilities, NULL, NULL,
	  "full, limited, wheelchair or bedbound" },
	{ "pregnant", MV_FIELD_BOOL, FALSE, 0, 0, NULL, NULL, NULL,
	  "wins over the record's pregnancy conditions" },
	{ "today", MV_FIELD_STRING, FALSE, 10, 10, NULL, NULL, check_today,
	  "the patient's local date to plan for (default: today in their time zone)" },
	{ NULL },
};

void
mv_plan_context_free (MvPlanContext *context)
{
	if (context == NULL)
		return;
	g_clear_pointer (&context->context, json_object_unref);
	g_clear_pointer (&context->used, json_object_unref);
	g_free (context);
}

/* ---- small readers ------------------------------------------------------------------- */

static JsonArray *
list_of (JsonObject *o, const gchar *member)
{
	JsonNode *n = o != NULL ? json_object_get_member (o, member) : NULL;
	return n != NULL && JSON_NODE_HOLDS_ARRAY (n) ? json_node_get_array (n) : NULL;
}

static gboolean
number_of (JsonObject *o, const gchar *member, gdouble *out)
{
	JsonNode *n = o != NULL ? json_object_get_member (o, member) : NULL;
	GType t = n != NULL && JSON_NODE_HOLDS_VALUE (n) ? json_node_get_value_type (n)
							 : G_TYPE_NONE;

	if (t != G_TYPE_INT64 && t != G_TYPE_DOUBLE)
		return FALSE;
	*out = json_node_get_double (n);
	return isfinite (*out);
}

gchar *
mv_plan_time_zone_name (JsonObject *profile)
{
	const gchar *name = mv_clinical_get_string (mv_clinical_get_object (profile, "preferences"),
						    "time_zone");
	g_autoptr (GTimeZone) tz = name != NULL ? g_time_zone_new_identifier (name) : NULL;

	return g_strdup (tz != NULL ? name : "UTC");
}

gchar *
mv_plan_local_date (GDateTime *time, const gchar *tz_name)
{
	g_autoptr (GTimeZone) tz = tz_name != NULL ? g_time_zone_new_identifier (tz_name) : NULL;
	g_autoptr (GDateTime) local = NULL;

	if (tz == NULL)
		tz = g_time_zone_new_utc ();
	local = g_date_time_to_timezone (time, tz);
	return g_date_time_format (local, "%Y-%m-%d");
}

/* the local date of a stored full-date or date-time, or NULL */
static gchar *
date_of (const gchar *when, const gchar *tz)
{
	g_autoptr (GDateTime) t = NULL;

	if (when == NULL)
		return NULL;
	if (strlen (when) == 10)
		return mv_plan_date_valid (when) ? g_strdup (when) : NULL;
	t = mv_schema_parse_datetime (when);
	return t != NULL ? mv_plan_local_date (t, tz) : NULL;
}

/* days from @from to @to (both YYYY-MM-DD; a later @to is positive), G_MININT when unknown */
static gint
days_between (const gchar *from, const gchar *to)
{
	GDate a, b;

	if (from == NULL || to == NULL || !mv_schema_parse_date (from, &a)
	    || !mv_schema_parse_date (to, &b))
		return G_MININT;
	return g_date_days_between (&a, &b);
}

gchar *
mv_plan_code_curie (JsonObject *coding)
{
	static const struct {
		const gchar *alias;
		const gchar *prefix; /* NULL: the code carries its prefix (HP:, DOID:) */
	} prefixes[] = {
		{ "icd-10", "ICD10" },	   { "icd-10-cn", "ICD10" }, { "icd-10-cm", "ICD10" },
		{ "snomed-ct", "SNOMED" }, { "loinc", "LOINC" },     { "atc", "ATC" },
		{ "rxnorm", "RXNORM" },	   { "hpo", NULL },	     { "doid", NULL },
	};
	const gchar *system = mv_clinical_get_string (coding, "system");
	const gchar *code = mv_clinical_get_string (coding, "code");
	const MvCodeSystem *known = mv_code_system_lookup (system);

	if (code == NULL)
		return NULL;
	if (known == NULL)
		/* the parser's own codes (MV:0001) and other systems: the code as it is */
		return g_strdup (code);
	for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
		if (g_str_equal (known->alias, prefixes[i].alias))
			return prefixes[i].prefix != NULL
				       ? g_strconcat (prefixes[i].prefix, ":", code, NULL)
				       : g_strdup (code);
	return g_strdup (code);
}

/* An observation's or component's code member: a coding, or (as written) a LOINC string. */
static gchar *
observation_curie (JsonObject *o)
{
	JsonNode *n = json_object_get_member (o, "code");

	if (n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
		return g_strconcat ("LOINC:", json_node_get_string (n), NULL);
	return n != NULL && JSON_NODE_HOLDS_OBJECT (n)
		       ? mv_plan_code_curie (json_node_get_object (n))
		       : NULL;
}

/* ---- the assembly -------------------------------------------------------------------- */

typedef struct {
	const MvPlanRecord *record;
	JsonObject *context;
	JsonArray *sources;
	gchar *tz;
	gchar *today;
} Assembly;

static void
add_source (Assembly *a, const gchar *kind, JsonObject *record)
{
	JsonObject *s = json_object_new ();

	json_object_set_string_member (s, "kind", kind);
	json_object_set_string_member (s, "id", mv_clinical_get_string (record, "id"));
	json_object_set_int_member (s, "version", json_object_get_int_member (record, "version"));
	json_array_add_object_element (a->sources, s);
}

/* completed years on @today, plus the part of the year since the last birthday */
static gboolean
age_on (const gchar *birth, const gchar *today, gdouble *out)
{
	GDate b, t, last, next;
	gint years;

	if (birth == NULL || !mv_schema_parse_date (birth, &b) || !mv_schema_parse_date (today, &t)
	    || g_date_compare (&b, &t) > 0)
		return FALSE;
	years = g_date_get_year (&t) - g_date_get_year (&b);
	last = b;
	g_date_add_years (&last, years); /* 29 February becomes 28 in other years */
	if (g_date_compare (&last, &t) > 0) {
		years--;
		last = b;
		g_date_add_years (&last, years);
	}
	next = b;
	g_date_add_years (&next, years + 1);
	*out = years
	       + (gdouble)g_date_days_between (&last, &t) / g_date_days_between (&last, &next);
	return TRUE;
}

static void
from_profile (Assembly *a, JsonObject *profile)
{
	const gchar *sex = mv_clinical_get_string (profile, "sex_at_birth");
	gdouble age;

	if (sex == NULL || g_str_equal (sex, "unknown"))
		sex = mv_clinical_get_string (profile, "sex") != NULL
			      ? mv_clinical_get_string (profile, "sex")
			      : sex;
	if (g_strcmp0 (sex, "intersex") == 0)
		sex = "other";
	if (sex != NULL)
		json_object_set_string_member (a->context, "sex", sex);
	if (age_on (mv_clinical_get_string (profile, "birth_date"), a->today, &age))
		/* three decimals: about 9 hours, enough for an infant's weeks */
		json_object_set_double_member (a->context, "age_years",
					       (gdouble)(gint64)(age * 1000 + 0.5) / 1000);
}

static const gchar *
language_of (JsonObject *profile, const gchar *caller)
{
	const gchar *tag = mv_clinical_get_string (profile, "language");

	if (tag != NULL && g_ascii_strncasecmp (tag, "zh", 2) == 0)
		return "zh";
	if (tag != NULL && g_ascii_strncasecmp (tag, "en", 2) == 0)
		return "en";
	return g_strcmp0 (caller, "zh") == 0 ? "zh" : "en";
}

/* the patient's own (not a relative's), not refuted */
static gboolean
condition_counts (JsonObject *c)
{
	return !json_object_has_member (c, "family_member")
	       && g_strcmp0 (mv_clinical_get_string (c, "verification_status"), "refuted") != 0;
}

static const gchar *
condition_status (JsonObject *c)
{
	static const gchar *const active[] = { "active", "recurrence", "relapse", NULL };
	static const gchar *const resolved[] = { "resolved", "remission", "inactive", NULL };
	const gchar *s = mv_clinical_get_string (c, "clinical_status");

	if (s == NULL || g_strv_contains (active, s))
		return "active";
	return g_strv_contains (resolved, s) ? "resolved" : "unknown";
}

static gboolean
is_pregnancy (const gchar *curie)
{
	static const gchar *const codes[] = { "ICD10:Z33", "ICD10:Z34", "ICD10:O09", NULL };

	for (guint i = 0; codes[i] != NULL; i++)
		if (g_str_has_prefix (curie, codes[i]))
			return TRUE;
	return FALSE;
}

static void
from_conditions (Assembly *a, JsonArray *conditions)
{
	JsonArray *out = json_array_new ();

	for (guint i = 0; conditions != NULL && i < json_array_get_length (conditions); i++) {
		JsonObject *c = json_array_get_object_element (conditions, i);
		g_autofree gchar *curie = mv_plan_code_curie (mv_clinical_get_object (c, "code"));
		JsonObject *item;
		if (curie == NULL || !condition_counts (c)
		    || json_array_get_length (out) >= MV_PLAN_CONTEXT_LIST_MAX)
			continue;
		item = json_object_new ();
		json_object_set_string_member (item, "code", curie);
		json_object_set_string_member (item, "status", condition_status (c));
		json_array_add_object_element (out, item);
		add_source (a, "condition", c);
		if (is_pregnancy (curie) && g_str_equal (condition_status (c), "active"))
			json_object_set_boolean_member (a->context, "pregnant", TRUE);
	}
	json_object_set_array_member (a->context, "conditions", out);
}

/* a medication statement's status as the context's (active, resolved, unknown); NULL for
 * one the patient does not take (not-taken: no medication to plan around) */
static const gchar *
medication_status (JsonObject *m)
{
	static const gchar *const resolved[] = { "completed", "stopped", NULL };
	const gchar *s = mv_clinical_get_string (m, "status");

	if (s == NULL || g_str_equal (s, "active"))
		return "active";
	if (g_str_equal (s, "not-taken"))
		return NULL;
	/* on-hold, intended: neither taken now nor over */
	return g_strv_contains (resolved, s) ? "resolved" : "unknown";
}

static void
from_medications (Assembly *a, JsonArray *medications)
{
	JsonArray *out = json_array_new ();

	for (guint i = 0; medications != NULL && i < json_array_get_length (medications); i++) {
		JsonObject *m = json_array_get_object_element (medications, i);
		g_autofree gchar *curie = mv_plan_code_curie (mv_clinical_get_object (m, "code"));
		const gchar *status = medication_status (m);
		JsonObject *item;
		if (curie == NULL || status == NULL
		    || json_array_get_length (out) >= MV_PLAN_CONTEXT_LIST_MAX)
			continue;
		item = json_object_new ();
		json_object_set_string_member (item, "code", curie);
		json_object_set_string_member (item, "status", status);
		json_array_add_object_element (out, item);
		add_source (a, "medication", m);
	}
	json_object_set_array_member (a->context, "medications", out);
}

/* smoking status answers (LOINC 72166-2) as the context's levels */
static const gchar *
smoking_level (JsonObject *value_code)
{
	static const gchar *const map[][2] = {
		{ "LA18976-3", "current" }, { "LA18977-1", "current" }, { "LA18981-3", "current" },
		{ "LA18982-1", "current" }, { "LA18979-7", "current" }, { "LA15920-4", "former" },
		{ "LA18978-9", "never" },   { "LA18980-5", "unknown" },
	};
	const gchar *code = mv_clinical_get_string (value_code, "code");

	for (guint i = 0; code != NULL && i < G_N_ELEMENTS (map); i++)
		if (g_str_equal (map[i][0], code))
			return map[i][1];
	return NULL;
}

/* When the daemon got @record's current version (the clearing of red flags compares it):
 * what a clinician who cleared them before could not have seen is recorded after it. */
static const gchar *
recorded_of (JsonObject *record)
{
	const gchar *updated = mv_clinical_get_string (record, "updated_at");
	return updated != NULL ? updated : mv_clinical_get_string (record, "created_at");
}

/* one measurement {code, value, unit, date, recorded_at}, unless its code was seen (a newer
 * one) */
static gboolean
add_measurement (JsonArray *out,
		 GHashTable *seen,
		 const gchar *curie,
		 JsonObject *m,
		 const gchar *date,
		 const gchar *recorded_at)
{
	gdouble value;
	const gchar *unit = mv_clinical_get_string (m, "unit");
	JsonObject *item;

	if (curie == NULL || !number_of (m, "value", &value) || unit == NULL
	    || g_hash_table_contains (seen, curie))
		return FALSE;
	g_hash_table_add (seen, g_strdup (curie));
	item = json_object_new ();
	json_object_set_string_member (item, "code", curie);
	json_object_set_double_member (item, "value", value);
	json_object_set_string_member (item, "unit", unit);
	json_object_set_string_member (item, "date", date);
	if (recorded_at != NULL)
		json_object_set_string_member (item, "recorded_at", recorded_at);
	json_array_add_object_element (out, item);
	return TRUE;
}

static void
from_observations (Assembly *a, JsonArray *observations)
{
	g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	JsonArray *out = json_array_new ();

	/* newest first (the snapshot's order): the first of a code is its latest */
	for (guint i = 0; observations != NULL && i < json_array_get_length (observations); i++) {
		JsonObject *o = json_array_get_object_element (observations, i);
		g_autofree gchar *date
			= date_of (mv_clinical_get_string (o, "effective_at"), a->tz);
		g_autofree gchar *curie = observation_curie (o);
		JsonArray *components = list_of (o, "components");
		gint age = days_between (date, a->today);
		gboolean used = FALSE;
		if (curie == NULL || age == G_MININT || age > MV_PLAN_MEASUREMENT_MAX_AGE_DAYS
		    || json_array_get_length (out) >= MV_PLAN_CONTEXT_LIST_MAX)
			continue;
		if (g_str_equal (curie, "LOINC:72166-2")) {
			const gchar *level
				= smoking_level (mv_clinical_get_object (o, "value_code"));
			used = level != NULL && !json_object_has_member (a->context, "smoking");
			if (used)
				json_object_set_string_member (a->context, "smoking", level);
		}
		used |= add_measurement (out, seen, curie, o, date, recorded_of (o));
		for (guint j = 0; components != NULL && j < json_array_get_length (components);
		     j++) {
			JsonObject *c = json_array_get_object_element (components, j);
			g_autofree gchar *cc = observation_curie (c);
			used |= add_measurement (out, seen, cc, c, date, recorded_of (o));
		}
		if (used)
			add_source (a, "observation", o);
	}
	json_object_set_array_member (a->context, "measurements", out);
}

/* check-ins: what the patient recorded lately, as the engagement module's metrics */
static void
from_checkins (Assembly *a, JsonArray *observations)
{
	/* the codes daemon/engagement records each metric under (mv-checkin.c); Medverse's own
	 * observation codes (mood, plan-task, vr-session) have no prefix */
	static const gchar *const metrics[][2] = {
		{ "LOINC:41950-7", "steps" },
		{ "LOINC:55411-3", "active_minutes" },
		{ "LOINC:85354-9", "blood_pressure" },
		{ "LOINC:2339-0", "glucose" },
		{ "LOINC:1558-6", "glucose" },
		{ "LOINC:29463-7", "weight" },
		{ "LOINC:93832-4", "sleep" },
		{ "mood", "mood" },
		{ "plan-task", "task" },
		{ "vr-session", "vr_session" },
	};
	JsonArray *out = json_array_new ();

	for (guint i = 0; observations != NULL && i < json_array_get_length (observations); i++) {
		JsonObject *o = json_array_get_object_element (observations, i);
		g_autofree gchar *date
			= date_of (mv_clinical_get_string (o, "effective_at"), a->tz);
		g_autofree gchar *curie = observation_curie (o);
		gint age = days_between (date, a->today);
		const gchar *metric = NULL;
		gdouble value = 0;
		JsonObject *item;
		if (g_strcmp0 (mv_clinical_get_string (o, "source"), "patient") != 0
		    || curie == NULL || age == G_MININT || age < 0
		    || age > MV_PLAN_CHECKINS_MAX_AGE_DAYS
		    || json_array_get_length (out) >= MV_PLAN_CONTEXT_LIST_MAX)
			continue;
		for (guint m = 0; m < G_N_ELEMENTS (metrics) && metric == NULL; m++)
			if (g_str_equal (metrics[m][0], curie))
				metric = metrics[m][1];
		if (metric != NULL && g_str_equal (metric, "blood_pressure")) {
			/* the panel's systolic stands for it (the spec's {metric, value, date}) */
			JsonArray *c = list_of (o, "components");
			JsonObject *sys = c != NULL && json_array_get_length (c) > 0
						  ? json_array_get_object_element (c, 0)
						  : NULL;
			if (sys == NULL || !number_of (sys, "value", &value))
				continue;
		} else if (metric == NULL || !number_of (o, "value", &value)) {
			continue;
		}
		item = json_object_new ();
		json_object_set_string_member (item, "metric", metric);
		json_object_set_double_member (item, "value", value);
		json_object_set_string_member (item, "date", date);
		json_array_add_object_element (out, item);
	}
	json_object_set_array_member (a->context, "checkins", out);
}

static void
from_risks (Assembly *a, JsonArray *assessments)
{
	g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
	JsonArray *out = json_array_new ();

	for (guint i = 0; assessments != NULL && i < json_array_get_length (assessments); i++) {
		JsonObject *r = json_array_get_object_element (assessments, i);
		const gchar *model = mv_clinical_get_string (r, "model");
		gdouble p, horizon;
		JsonObject *item;
		if (model == NULL || !number_of (r, "probability", &p)
		    || !g_hash_table_add (seen, (gpointer)model))
			continue;
		item = json_object_new ();
		json_object_set_string_member (item, "model", model);
		json_object_set_double_member (item, "probability", p);
		if (mv_clinical_get_string (r, "category") != NULL)
			json_object_set_string_member (item, "category",
						       mv_clinical_get_string (r, "category"));
		if (number_of (r, "horizon_years", &horizon))
			json_object_set_double_member (item, "horizon_years", horizon);
		json_array_add_object_element (out, item);
		add_source (a, "risk-assessment", r);
	}
	json_object_set_array_member (a->context, "risks", out);
}

/* a finding as the plugin takes it: the parser's members but where the mention was (its text
 * and offsets: the plugin is not given the note), the note's date and when it was recorded */
static JsonObject *
finding_of (JsonObject *f, const gchar *date, const gchar *recorded_at)
{
	static const gchar *const left_out[] = { "text", "start", "end", "spans", NULL };
	g_autoptr (GList) names = json_object_get_members (f);
	JsonObject *out = json_object_new ();

	for (GList *l = names; l != NULL; l = l->next)
		if (!g_strv_contains (left_out, l->data))
			json_object_set_member (
				out, l->data,
				mv_clinical_node_copy (json_object_get_member (f, l->data)));
	json_object_set_string_member (out, "date", date);
	if (recorded_at != NULL)
		json_object_set_string_member (out, "recorded_at", recorded_at);
	return out;
}

static void
from_notes (Assembly *a, JsonArray *notes)
{
	JsonArray *out = json_array_new ();

	for (guint i = 0; notes != NULL && i < json_array_get_length (notes); i++) {
		JsonObject *n = json_array_get_object_element (notes, i);
		const gchar *when = mv_clinical_get_string (n, "written_at");
		g_autofree gchar *date = date_of (
			when != NULL ? when : mv_clinical_get_string (n, "created_at"), a->tz);
		JsonArray *items = list_of (mv_clinical_get_object (n, "findings"), "items");
		gint age = days_between (date, a->today);
		if (items == NULL || json_array_get_length (items) == 0 || age == G_MININT
		    || age > MV_PLAN_NOTES_MAX_AGE_DAYS)
			continue;
		for (guint j = 0; j < json_array_get_length (items)
				  && json_array_get_length (out) < MV_PLAN_CONTEXT_LIST_MAX;
		     j++)
			json_array_add_object_element (
				out, finding_of (json_array_get_object_element (items, j), date,
						 recorded_of (n)));
		add_source (a, "note", n);
	}
	json_object_set_array_member (a->context, "findings", out);
}

/* The red flags' clearing: the instant (in the patient's offset, so its date is the patient's
 * day), else an older record's date. */
static void
set_clearing (Assembly *a)
{
	g_autoptr (GDateTime) at
		= a->record->red_flags_cleared_at != NULL
			  ? mv_schema_parse_datetime (a->record->red_flags_cleared_at)
			  : NULL;
	g_autoptr (GTimeZone) tz = g_time_zone_new_identifier (a->tz);
	g_autoptr (GDateTime) local = NULL;
	g_autofree gchar *text = NULL;

	if (at == NULL) {
		if (a->record->red_flags_cleared_on != NULL)
			json_object_set_string_member (a->context, "red_flags_cleared_on",
						       a->record->red_flags_cleared_on);
		return;
	}
	if (tz == NULL)
		tz = g_time_zone_new_utc ();
	local = g_date_time_to_timezone (at, tz);
	/* to the microsecond, as the store writes times: a note recorded in the same second
	 * before the clearing stays cleared */
	text = g_date_time_format (local, "%Y-%m-%dT%H:%M:%S.%f%:z");
	json_object_set_string_member (a->context, "red_flags_cleared_at", text);
}

/* the supplied values: the request's, else the current plan's; they win over the record's */
static JsonObject *
apply_supplied (Assembly *a)
{
	JsonObject *supplied = json_object_new ();

	for (const MvField *f = mv_plan_supplied_members; f->name != NULL; f++) {
		JsonNode *n = a->record->supplied != NULL
				      ? json_object_get_member (a->record->supplied, f->name)
				      : NULL;
		/* a date to plan for is the request's own: never carried over */
		if (n == NULL && a->record->previous_supplied != NULL
		    && !g_str_equal (f->name, "today"))
			n = json_object_get_member (a->record->previous_supplied, f->name);
		if (n == NULL)
			continue;
		json_object_set_member (supplied, f->name, mv_clinical_node_copy (n));
		json_object_set_member (a->context, f->name, mv_clinical_node_copy (n));
	}
	return supplied;
}

MvPlanContext *
mv_plan_context_assemble (const MvPlanRecord *record)
{
	JsonObject *snapshot = record->snapshot;
	JsonObject *profile = mv_clinical_get_object (snapshot, "profile");
	const gchar *today = record->supplied != NULL
				     ? mv_clinical_get_string (record->supplied, "today")
				     : NULL;
	Assembly a = { record, json_object_new (), json_array_new () };
	MvPlanContext *out = g_new0 (MvPlanContext, 1);
	JsonObject *profile_source = json_object_new ();
	JsonObject *supplied;

	a.tz = mv_plan_time_zone_name (profile);
	a.today = today != NULL ? g_strdup (today) : mv_plan_local_date (record->now, a.tz);
	json_object_set_string_member (a.context, "today", a.today);
	json_object_set_string_member (a.context, "language",
				       language_of (profile, record->caller_language));
	json_object_set_string_member (profile_source, "kind", "profile");
	json_object_set_string_member (profile_source, "id", record->patient_id);
	json_object_set_int_member (
		profile_source, "version",
		json_object_get_int_member_with_default (snapshot, "profile_version", 1));
	json_array_add_object_element (a.sources, profile_source);
	from_profile (&a, profile);
	from_conditions (&a, list_of (snapshot, "conditions"));
	from_medications (&a, list_of (snapshot, "medications"));
	from_observations (&a, list_of (snapshot, "observations"));
	from_risks (&a, list_of (snapshot, "risk-assessments"));
	from_notes (&a, list_of (snapshot, "notes"));
	from_checkins (&a, list_of (snapshot, "observations"));
	set_clearing (&a);
	supplied = apply_supplied (&a);
	out->context = a.context;
	out->used = json_object_new ();
	json_object_set_string_member (out->used, "today", a.today);
	json_object_set_string_member (out->used, "language",
				       json_object_get_string_member (a.context, "language"));
	json_object_set_string_member (out->used, "time_zone", a.tz);
	json_object_set_array_member (out->used, "sources", a.sources);
	json_object_set_object_member (out->used, "supplied", supplied);
	g_free (a.tz);
	g_free (a.today);
	return out;
}

/* ---- JSON to the plugin's GVariant --------------------------------------------------- */

static GVariant *vardict_of (JsonObject *object, gboolean nested);

static GVariant *
vardicts_of (JsonArray *array)
{
	GVariantBuilder b;

	g_variant_builder_init (&b, G_VARIANT_TYPE ("aa{sv}"));
	for (guint i = 0; array != NULL && i < json_array_get_length (array); i++) {
		JsonNode *item = json_array_get_element (array, i);
		if (JSON_NODE_HOLDS_OBJECT (item))
			g_variant_builder_add_value (
				&b, vardict_of (json_node_get_object (item), TRUE));
	}
	return g_variant_builder_end (&b);
}

GVariant *
mv_plan_json_to_vardicts (JsonArray *array)
{
	return vardicts_of (array);
}

/* counts the spec types u; every other number is d */
static gboolean
is_count (const gchar *name)
{
	static const gchar *const counts[]
		= { "minutes_per_day", "minutes", "planned", "done", "version", NULL };
	return g_strv_contains (counts, name);
}

/* The spec's lists of strings (a task's days, a red flag's finding codes, a finding's xrefs);
 * every other list holds objects.  The name decides for an empty list, whose items cannot. */
static gboolean
is_string_list (const gchar *name, gboolean nested)
{
	return g_str_equal (name, "days") || g_str_equal (name, "xrefs")
	       || (nested && g_str_equal (name, "findings"));
}

/* a list whose items are all strings is a list of strings whatever its name: a member the
 * names above do not know yet (the parser adds one) must not reach the plugin as objects */
static gboolean
holds_strings (JsonArray *array)
{
	guint n = json_array_get_length (array);

	for (guint i = 0; i < n; i++) {
		JsonNode *e = json_array_get_element (array, i);
		if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING)
			return FALSE;
	}
	return n > 0;
}

static GVariant *
array_value (const gchar *name, JsonArray *array, gboolean nested)
{
	GVariantBuilder b;

	if (!is_string_list (name, nested) && !holds_strings (array))
		return vardicts_of (array);
	g_variant_builder_init (&b, G_VARIANT_TYPE_STRING_ARRAY);
	for (guint i = 0; i < json_array_get_length (array); i++) {
		JsonNode *e = json_array_get_element (array, i);
		if (JSON_NODE_HOLDS_VALUE (e) && json_node_get_value_type (e) == G_TYPE_STRING)
			g_variant_builder_add (&b, "s", json_node_get_string (e));
	}
	return g_variant_builder_end (&b);
}

static GVariant *
value_of (const gchar *name, JsonNode *node, gboolean nested)
{
	if (JSON_NODE_HOLDS_OBJECT (node))
		return vardict_of (json_node_get_object (node), TRUE);
	if (JSON_NODE_HOLDS_ARRAY (node))
		return array_value (name, json_node_get_array (node), nested);
	if (!JSON_NODE_HOLDS_VALUE (node))
		return NULL;
	switch (json_node_get_value_type (node)) {
	case G_TYPE_STRING:
		return g_variant_new_string (json_node_get_string (node));
	case G_TYPE_BOOLEAN:
		return g_variant_new_boolean (json_node_get_boolean (node));
	case G_TYPE_INT64:
	case G_TYPE_DOUBLE:
		if (is_count (name) && json_node_get_double (node) >= 0
		    && json_node_get_double (node) <= G_MAXUINT32)
			return g_variant_new_uint32 ((guint32)json_node_get_double (node));
		return g_variant_new_double (json_node_get_double (node));
	default:
		return NULL;
	}
}

static GVariant *
vardict_of (JsonObject *object, gboolean nested)
{
	g_autoptr (GList) names = json_object_get_members (object);
	GVariantDict d;

	g_variant_dict_init (&d, NULL);
	for (GList *l = names; l != NULL; l = l->next) {
		GVariant *v = value_of (l->data, json_object_get_member (object, l->data), nested);
		if (v != NULL)
			g_variant_dict_insert_value (&d, l->data, v);
	}
	return g_variant_dict_end (&d);
}

GVariant *
mv_plan_json_to_vardict (JsonObject *object)
{
	return vardict_of (object, FALSE);
}
