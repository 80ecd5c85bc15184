/*
 * The plan kind: the plan-generator plugin's plan (issue 13, spec A) as the daemon stores it,
 * sealed and versioned by the clinical store like every kind.  One plan record a patient: a
 * new plan (POST …/plan, a re-plan, red flags cleared) is a new version of it, so its history
 * is the store's history.  Clients read it; only the daemon writes it (mv-plan-api.c), and a
 * plugin's answer is checked here like any input: a boundary too.
 *
 * Beside the plugin's members the record holds `plan_version` (the plan's own `version`:
 * `version` is the store's), `context_used` (the date, language and time zone the plan was
 * made for, the record versions the context came from, the values a clinician supplied),
 * `generated_at`, and `red_flags_cleared_at` (the instant) / `_on` (the patient's date) / `_by` /
 * `_note` once a clinician cleared them.
 */
#define G_LOG_DOMAIN "medverse-plans"

#include "mv-plan.h"

#include <string.h>

#include "clinical/mv-clinical-private.h"

gboolean
mv_plan_date_valid (const gchar *text)
{
	GDate d;

	return text != NULL && mv_schema_parse_date (text, &d) && g_date_get_year (&d) >= 1870
	       && g_date_get_year (&d) <= 2200;
}

const gchar *
mv_plan_weekday (const gchar *date)
{
	static const gchar *const names[]
		= { NULL, "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
	GDate d;

	if (date == NULL || !mv_schema_parse_date (date, &d))
		return NULL;
	return names[g_date_get_weekday (&d)];
}

/* A full-date that exists; plans name future dates (due dates, follow-ups), so the schema's
 * own date rule (not in the future) does not fit. */
static gboolean
check_date (JsonNode *node,
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

/* a task's days: mon … sun, each once (the schema's STRINGS rows have no check of their own) */
static void
check_days (JsonArray *list, const gchar *ptr, GError **error)
{
	static const gchar *const days[]
		= { "mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL };

	for (guint i = 0; i < json_array_get_length (list); i++) {
		JsonNode *n = json_array_get_element (list, i);
		const gchar *day = JSON_NODE_HOLDS_VALUE (n) ? json_node_get_string (n) : NULL;
		g_autofree gchar *p = mv_json_pointer_index (ptr, i);
		if (day == NULL)
			continue; /* the schema said what is wrong with it */
		if (!g_strv_contains (days, day)) {
			mv_schema_problem (error, p, "not-allowed", "must be one of mon … sun",
					   "应为 mon … sun 之一");
			continue;
		}
		for (guint j = 0; j < i; j++)
			if (JSON_NODE_HOLDS_VALUE (json_array_get_element (list, j))
			    && g_strcmp0 (json_node_get_string (json_array_get_element (list, j)),
					  day)
				       == 0) {
				mv_schema_problem (error, p, "duplicate", "names a day twice",
						   "同一天重复出现");
				break;
			}
	}
}

static gboolean
check_object (JsonNode *node,
	      const gchar *ptr,
	      JsonObject *parent,
	      const MvSchemaContext *ctx,
	      GError **error)
{
	if (JSON_NODE_HOLDS_OBJECT (node))
		return TRUE;
	mv_schema_problem (error, ptr, "wrong-type", "must be an object", "必须是对象");
	return FALSE;
}

static const gchar *const levels[] = { "emergency", "urgent", NULL };
static const gchar *const certainties[] = { "present", "possible", NULL };
static const gchar *const statuses[] = { "active", "suppressed", NULL };
static const gchar *const languages[] = { "en", "zh", NULL };
static const gchar *const categories[]
	= { "activity", "monitoring", "diet", "sleep", "medication", "education", "smoking", NULL };
static const gchar *const intensities[] = { "light", "moderate", "vigorous", NULL };

static const MvField red_flag_members[] = {
	{ "id", MV_FIELD_STRING, TRUE, 1, 64 },
	{ "level", MV_FIELD_ENUM, TRUE, 0, 0, levels, NULL, NULL,
	  "emergency (call emergency services now) or urgent (see a doctor today)" },
	{ "certainty", MV_FIELD_ENUM, FALSE, 0, 0, certainties, NULL, NULL,
	  "present, or possible (an uncertain finding, worded so)" },
	{ "title", MV_FIELD_STRING, TRUE, 1, 300 },
	{ "instruction", MV_FIELD_TEXT, TRUE, 1, 2000, NULL, NULL, NULL, "what to do now" },
	{ "findings", MV_FIELD_STRINGS, FALSE, 0, 50, NULL, NULL, NULL,
	  "the finding codes that raised it" },
	{ "source", MV_FIELD_STRING, FALSE, 1, 500, NULL, NULL, NULL, "its citation" },
	{ NULL },
};

static const gchar *const directions[] = { "at_least", "at_most", "below", NULL };

static const MvField goal_members[] = {
	{ "id", MV_FIELD_STRING, TRUE, 1, 64 },
	{ "metric", MV_FIELD_STRING, TRUE, 1, 64 },
	{ "direction", MV_FIELD_ENUM, FALSE, 0, 0, directions, NULL, NULL,
	  "at_least, at_most or below the target" },
	{ "relative", MV_FIELD_BOOL, FALSE, 0, 0, NULL, NULL, NULL,
	  "true: the target is a change in percent (no baseline known)" },
	{ "baseline", MV_FIELD_NUMBER, FALSE },
	{ "target", MV_FIELD_NUMBER, TRUE },
	{ "unit", MV_FIELD_STRING, FALSE, 1, 32 },
	{ "due", MV_FIELD_STRING, FALSE, 10, 10, NULL, NULL, check_date },
	{ "title", MV_FIELD_STRING, TRUE, 1, 300 },
	{ "rule", MV_FIELD_STRING, FALSE, 1, 64 },
	{ "source", MV_FIELD_STRING, FALSE, 1, 500 },
	{ NULL },
};

static const MvField task_members[] = {
	{ "id", MV_FIELD_STRING, TRUE, 1, 64 },
	{ "category", MV_FIELD_ENUM, TRUE, 0, 0, categories },
	{ "title", MV_FIELD_STRING, TRUE, 1, 300 },
	{ "detail", MV_FIELD_TEXT, FALSE, 1, 2000 },
	{ "days", MV_FIELD_STRINGS, TRUE, 1, 7, NULL, NULL, NULL, "mon … sun" },
	{ "minutes", MV_FIELD_INT, FALSE, 1, 1440, NULL, NULL, NULL, "per session" },
	{ "metric", MV_FIELD_STRING, FALSE, 1, 64, NULL, NULL, NULL,
	  "the check-in metric that completes it" },
	{ "target", MV_FIELD_NUMBER, FALSE },
	{ "intensity", MV_FIELD_ENUM, FALSE, 0, 0, intensities },
	{ "rule", MV_FIELD_STRING, FALSE, 1, 64 },
	{ "source", MV_FIELD_STRING, FALSE, 1, 500 },
	/* what rises with adherence: Replan reads them back from the previous plan (the
	 * start is the floor a missed week never goes below) */
	{ "minutes_start", MV_FIELD_NUMBER, FALSE },
	{ "minutes_step", MV_FIELD_NUMBER, FALSE },
	{ "minutes_ceiling", MV_FIELD_NUMBER, FALSE },
	{ "target_start", MV_FIELD_NUMBER, FALSE },
	{ "target_step", MV_FIELD_NUMBER, FALSE },
	{ "target_ceiling", MV_FIELD_NUMBER, FALSE },
	{ NULL },
};

static const MvField follow_up_members[] = {
	{ "date", MV_FIELD_STRING, TRUE, 10, 10, NULL, NULL, check_date },
	{ "reason", MV_FIELD_TEXT, TRUE, 1, 2000 },
	{ "rule", MV_FIELD_STRING, FALSE, 1, 64 },
	{ "source", MV_FIELD_STRING, FALSE, 1, 500 },
	{ NULL },
};

static const MvField limit_members[] = {
	{ "metric", MV_FIELD_STRING, TRUE, 1, 64 },  { "max", MV_FIELD_NUMBER, FALSE },
	{ "min", MV_FIELD_NUMBER, FALSE },	     { "rule", MV_FIELD_STRING, FALSE, 1, 64 },
	{ "reason", MV_FIELD_TEXT, FALSE, 1, 2000 }, { NULL },
};

static const MvField source_members[] = {
	{ "kind", MV_FIELD_STRING, TRUE, 1, 64 },
	{ "id", MV_FIELD_STRING, TRUE, 1, 64 },
	{ "version", MV_FIELD_INT, TRUE, 1, G_MAXINT64 },
	{ NULL },
};

static const gchar *const adherence_sources[] = { "supplied", "check-ins", NULL };

static const MvField adherence_item_members[] = {
	{ "id", MV_FIELD_STRING, TRUE, 1, 64 },
	{ "planned", MV_FIELD_INT, TRUE, 0, 10000 },
	{ "done", MV_FIELD_INT, TRUE, 0, 10000 },
	{ NULL },
};

/* what a re-plan was given: the request's counts, or those derived from the check-ins of the
 * days from..to (mv-plan-adherence.h) */
static const MvField adherence_used_members[] = {
	{ "source", MV_FIELD_ENUM, TRUE, 0, 0, adherence_sources },
	{ "from", MV_FIELD_STRING, FALSE, 10, 10, NULL, NULL, check_date },
	{ "to", MV_FIELD_STRING, FALSE, 10, 10, NULL, NULL, check_date },
	{ "items", MV_FIELD_LIST, TRUE, 0, 500, NULL, adherence_item_members },
	{ NULL },
};

static const MvField context_used_members[] = {
	{ "today", MV_FIELD_STRING, TRUE, 10, 10, NULL, NULL, check_date,
	  "the patient's local date the plan was made for" },
	{ "language", MV_FIELD_ENUM, TRUE, 0, 0, languages },
	{ "time_zone", MV_FIELD_STRING, TRUE, 1, 64, NULL, NULL, NULL,
	  "the patient's IANA time zone (UTC when the record names none)" },
	{ "sources", MV_FIELD_LIST, FALSE, 0, 5000, NULL, source_members, NULL,
	  "the record versions the context came from" },
	{ "supplied", MV_FIELD_ANY, FALSE, 0, 0, NULL, NULL, check_object,
	  "the values a clinician supplied (they won over the record's)" },
	{ NULL },
};

const MvField mv_plan_members[] = {
	{ "status", MV_FIELD_ENUM, TRUE, 0, 0, statuses, NULL, NULL,
	  "active, or suppressed (a red flag: only the urgent instruction and follow-ups)" },
	{ "red_flags", MV_FIELD_LIST, TRUE, 0, 50, NULL, red_flag_members },
	{ "goals", MV_FIELD_LIST, FALSE, 0, 100, NULL, goal_members },
	{ "tasks", MV_FIELD_LIST, FALSE, 0, 200, NULL, task_members },
	{ "follow_ups", MV_FIELD_LIST, FALSE, 0, 50, NULL, follow_up_members },
	{ "limits", MV_FIELD_LIST, FALSE, 0, 100, NULL, limit_members },
	{ "language", MV_FIELD_ENUM, TRUE, 0, 0, languages },
	{ "generated_on", MV_FIELD_STRING, TRUE, 10, 10, NULL, NULL, check_date },
	{ "week_start", MV_FIELD_STRING, TRUE, 10, 10, NULL, NULL, check_date },
	{ "rules_version", MV_FIELD_STRING, TRUE, 1, 128 },
	{ "plan_version", MV_FIELD_INT, TRUE, 1, 1000000, NULL, NULL, NULL,
	  "the plugin's version of the plan: 1 for Generate, previous + 1 for Replan" },
	{ "context_used", MV_FIELD_OBJECT, TRUE, 0, 0, NULL, context_used_members },
	{ "generated_at", MV_FIELD_DATETIME, TRUE },
	{ "adherence_used", MV_FIELD_OBJECT, FALSE, 0, 0, NULL, adherence_used_members, NULL,
	  "a re-plan's adherence and where it came from" },
	{ "red_flags_cleared_on", MV_FIELD_STRING, FALSE, 10, 10, NULL, NULL, check_date,
	  "the patient's date a clinician cleared the red flags (older records: findings dated on "
	  "or before it raise none)" },
	{ "red_flags_cleared_at", MV_FIELD_DATETIME, FALSE, 0, 0, NULL, NULL, NULL,
	  "when a clinician cleared the red flags: findings and readings recorded after it raise "
	  "them again" },
	{ "red_flags_cleared_by", MV_FIELD_STRING, FALSE, 1, 200 },
	{ "red_flags_cleared_note", MV_FIELD_TEXT, FALSE, 1, 2000 },
	{ NULL },
};

/* item @i of @a if it is an object (rules run on input the schema may have refused) */
static JsonObject *
object_at (JsonArray *a, guint i)
{
	JsonNode *n = json_array_get_element (a, i);
	return n != NULL && JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
}

static JsonArray *
array_of (JsonObject *o, const gchar *member)
{
	JsonNode *n = o != NULL ? json_object_get_member (o, member) : NULL;
	return n != NULL && JSON_NODE_HOLDS_ARRAY (n) ? json_node_get_array (n) : NULL;
}

/* ids within @list are unique: a calendar's UID and a check-in's task_id rest on them */
static void
check_unique_ids (JsonObject *input, const gchar *pointer, const gchar *list, GError **error)
{
	JsonArray *items = array_of (input, list);
	g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

	for (guint i = 0; items != NULL && i < json_array_get_length (items); i++) {
		const gchar *id = mv_clinical_get_string (object_at (items, i), "id");
		if (id == NULL)
			continue;
		if (!g_hash_table_add (seen, (gpointer)id)) {
			g_autofree gchar *l = mv_json_pointer_child (pointer, list);
			g_autofree gchar *at = mv_json_pointer_index (l, i);
			g_autofree gchar *p = mv_json_pointer_child (at, "id");
			mv_schema_problem (error, p, "duplicate", "is the id of an earlier item",
					   "与前面条目的 id 重复");
		}
	}
}

static void
check_between (JsonObject *input, const gchar *pointer, GError **error)
{
	const gchar *status = mv_clinical_get_string (input, "status");
	JsonArray *flags = array_of (input, "red_flags");
	JsonArray *tasks = array_of (input, "tasks");

	if (g_strcmp0 (status, "suppressed") == 0) {
		static const gchar *const withheld[] = { "goals", "tasks", NULL };
		for (guint i = 0; withheld[i] != NULL; i++) {
			JsonArray *a = array_of (input, withheld[i]);
			if (a != NULL && json_array_get_length (a) > 0) {
				g_autofree gchar *p = mv_json_pointer_child (pointer, withheld[i]);
				mv_schema_problem (error, p, "not-allowed",
						   "must be empty in a suppressed plan",
						   "计划被暂停时必须为空");
			}
		}
		if (flags != NULL && json_array_get_length (flags) == 0) {
			g_autofree gchar *p = mv_json_pointer_child (pointer, "red_flags");
			mv_schema_problem (
				error, p, "required",
				"a suppressed plan names the red flag that suppressed it",
				"被暂停的计划必须列出导致暂停的危险信号");
		}
	}
	for (guint i = 0; tasks != NULL && i < json_array_get_length (tasks); i++) {
		JsonObject *t = object_at (tasks, i);
		JsonNode *days = t != NULL ? json_object_get_member (t, "days") : NULL;
		g_autofree gchar *l = mv_json_pointer_child (pointer, "tasks");
		g_autofree gchar *at = mv_json_pointer_index (l, i);
		g_autofree gchar *p = mv_json_pointer_child (at, "days");
		if (days != NULL && JSON_NODE_HOLDS_ARRAY (days))
			check_days (json_node_get_array (days), p, error);
	}
	check_unique_ids (input, pointer, "red_flags", error);
	check_unique_ids (input, pointer, "goals", error);
	check_unique_ids (input, pointer, "tasks", error);
}

static JsonObject *
plan_normalise (JsonObject *input,
		const gchar *pointer,
		const MvClinicalContext *ctx,
		GError **error)
{
	if (!mv_clinical_check (mv_plan_members, check_between, input, pointer, ctx, error))
		return NULL;
	/* every member is the plugin's or the daemon's: kept as given */
	return mv_clinical_object_copy (input);
}

static JsonObject *
plan_to_input (JsonObject *record)
{
	return mv_clinical_object_copy (record);
}

static void
plan_terms (JsonObject *record, MvClinicalTerms *terms)
{
	mv_clinical_terms_set_when (terms, mv_clinical_get_string (record, "generated_at"));
}

const MvClinicalKind mv_plan_kind = {
	.name = "plan",
	.plural = "plans",
	.title_en = "Prevention plan",
	.title_zh = "预防计划",
	.normalise = plan_normalise,
	.to_input = plan_to_input,
	.terms = plan_terms,
};

/* ---- the plugin's plan --------------------------------------------------------------- */

/* @in's members named by @rows, nested objects and lists filtered the same way. */
static JsonObject *
filtered (JsonObject *in, const MvField *rows)
{
	JsonObject *out = json_object_new ();

	for (const MvField *f = rows; f->name != NULL; f++) {
		JsonNode *n = json_object_get_member (in, f->name);
		if (n == NULL)
			continue;
		if (f->kind == MV_FIELD_LIST && f->members != NULL && JSON_NODE_HOLDS_ARRAY (n)) {
			JsonArray *items = json_node_get_array (n);
			JsonArray *list = json_array_new ();
			for (guint i = 0; i < json_array_get_length (items); i++) {
				JsonNode *item = json_array_get_element (items, i);
				if (JSON_NODE_HOLDS_OBJECT (item))
					json_array_add_object_element (
						list,
						filtered (json_node_get_object (item), f->members));
				else
					/* kept as it is: the kind refuses it by name */
					json_array_add_element (list, mv_clinical_node_copy (item));
			}
			json_object_set_array_member (out, f->name, list);
		} else {
			json_object_set_member (out, f->name, mv_clinical_node_copy (n));
		}
	}
	return out;
}

/* the plugin's members: the record's first rows, up to plan_version */
static const gchar *const plugin_members[]
	= { "status",	"red_flags",	"goals",      "tasks",	       "follow_ups", "limits",
	    "language", "generated_on", "week_start", "rules_version", NULL };

JsonObject *
mv_plan_record_from_plugin (JsonObject *plan)
{
	g_autoptr (JsonObject) all = filtered (plan, mv_plan_members);
	JsonObject *out = json_object_new ();
	JsonNode *version = json_object_get_member (plan, "version");

	for (guint i = 0; plugin_members[i] != NULL; i++)
		mv_clinical_copy_member (out, all, plugin_members[i]);
	if (version != NULL)
		json_object_set_member (out, "plan_version", mv_clinical_node_copy (version));
	return out;
}

JsonObject *
mv_plan_record_to_plugin (JsonObject *record)
{
	JsonObject *out = json_object_new ();
	JsonNode *version = json_object_get_member (record, "plan_version");

	for (guint i = 0; plugin_members[i] != NULL; i++)
		mv_clinical_copy_member (out, record, plugin_members[i]);
	/* Replan needs both lists, empty ones too (a suppressed plan's) */
	if (!json_object_has_member (out, "goals"))
		json_object_set_array_member (out, "goals", json_array_new ());
	if (!json_object_has_member (out, "tasks"))
		json_object_set_array_member (out, "tasks", json_array_new ());
	if (version != NULL)
		json_object_set_member (out, "version", mv_clinical_node_copy (version));
	return out;
}
