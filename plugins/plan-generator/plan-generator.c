/*
 * plan-generator plugin — the thin SDK glue around the core (pg-plan.h): guideline rules to a
 * personalised, adaptive prevention plan, with red flags first.
 */
#define G_LOG_DOMAIN "plan-generator"

#include <medverse/medverse-plugin.h>

#include "pg-plan.h"

typedef struct {
	PgRuleSet *set;
} PgPlugin;

static gchar *
pg_config_path (MvHost *host, const gchar *key, const gchar *fallback)
{
	g_autofree gchar *value = mv_host_get_config_string (host, key);

	if (value != NULL && value[0] != '\0')
		return g_steal_pointer (&value);
	return g_build_filename (mv_host_get_data_dir (host), fallback, NULL);
}

static gboolean
pg_plugin_init (MvHost *host, gpointer *plugin_data, GError **error)
{
	g_autoptr (GError) error_local = NULL;
	g_autofree gchar *rules_dir = pg_config_path (host, "rules-dir", "rules");
	g_autofree gchar *red_flags = pg_config_path (host, "red-flags", "red-flags.json");
	PgRuleSet *set = pg_rule_set_load (rules_dir, red_flags, &error_local);
	PgPlugin *self;

	if (set == NULL) {
		g_set_error (error, MV_ERROR, MV_ERROR_FAILED, "cannot load the plan rules: %s",
			     error_local->message);
		return FALSE;
	}
	/* a clinic's broken file costs that file, never the plugin: the operator reads why */
	for (guint i = 0; i < set->refused->len; i++)
		mv_host_log (host, G_LOG_LEVEL_WARNING, "rule file refused: %s",
			     (const gchar *)g_ptr_array_index (set->refused, i));
	mv_host_log (host, G_LOG_LEVEL_INFO, "loaded %u rules and %u red flags (rules %s)",
		     set->rules->len, set->red_flags->len, set->version);
	self = g_new0 (PgPlugin, 1);
	self->set = set;
	*plugin_data = self;
	return TRUE;
}

static void
pg_plugin_shutdown (MvHost *host, gpointer plugin_data)
{
	PgPlugin *self = plugin_data;

	if (self == NULL)
		return;
	pg_rule_set_free (self->set);
	g_free (self);
}

/* every problem of the input in one invalid-input error (HTTP 422), each with its field */
static void
pg_plugin_problems (GError **error, GPtrArray *problems)
{
	for (guint i = 0; i < problems->len; i++) {
		const PgProblem *p = g_ptr_array_index (problems, i);
		mv_error_add_problem (error, p->field, p->code, p->message, p->message_zh);
	}
}

static PgContext *
pg_plugin_context (GVariant *input, GPtrArray *problems)
{
	g_autoptr (GVariant) dict = g_variant_get_child_value (input, 0);

	return pg_context_read (dict, "/context", problems);
}

static GVariant *
pg_plugin_generate (MvCall *call, GVariant *input, GError **error)
{
	PgPlugin *self = mv_call_get_plugin_data (call);
	g_autoptr (GPtrArray) problems = pg_problems_new ();
	g_autoptr (PgContext) ctx = pg_plugin_context (input, problems);

	if (ctx == NULL) {
		pg_plugin_problems (error, problems);
		return NULL;
	}
	return g_variant_new_tuple ((GVariant *[]){ pg_plan_generate (self->set, ctx) }, 1);
}

static GVariant *
pg_plugin_replan (MvCall *call, GVariant *input, GError **error)
{
	PgPlugin *self = mv_call_get_plugin_data (call);
	g_autoptr (GPtrArray) problems = pg_problems_new ();
	g_autoptr (PgContext) ctx = pg_plugin_context (input, problems);
	g_autoptr (GVariant) previous = g_variant_get_child_value (input, 1);
	g_autoptr (GVariant) adherence = g_variant_get_child_value (input, 2);
	GVariant *plan = NULL;

	/* the previous plan and the adherence are checked even when the context is refused, so
	 * the caller sees every problem at once */
	if (ctx != NULL)
		plan = pg_plan_replan (self->set, ctx, previous, adherence, problems);
	else
		pg_plan_replan_check (previous, adherence, problems);
	if (plan == NULL) {
		pg_plugin_problems (error, problems);
		return NULL;
	}
	return g_variant_new_tuple (&plan, 1);
}

static GVariant *
pg_plugin_triage (MvCall *call, GVariant *input, GError **error)
{
	PgPlugin *self = mv_call_get_plugin_data (call);
	g_autoptr (GPtrArray) problems = pg_problems_new ();
	g_autoptr (PgContext) ctx = pg_plugin_context (input, problems);

	if (ctx == NULL) {
		pg_plugin_problems (error, problems);
		return NULL;
	}
	return g_variant_new_tuple ((GVariant *[]){ pg_triage (self->set, ctx) }, 1);
}

static GVariant *
pg_plugin_list_rules (MvCall *call, GVariant *input, GError **error)
{
	PgPlugin *self = mv_call_get_plugin_data (call);

	(void)input;
	(void)error;
	return g_variant_new_tuple ((GVariant *[]){ pg_rules_describe (self->set) }, 1);
}

#define PG_CONTEXT_DESCRIPTION                                                                     \
	"The patient context: today (YYYY-MM-DD) and language (en|zh) required; age_years, sex, "  \
	"pregnant, mobility, minutes_per_day, bmi_standard, smoking, conditions, medications, "    \
	"measurements, risks, findings, red_flags_cleared_at, red_flags_cleared_on, checkins "     \
	"(README, Context); "                                                                      \
	"unknown members are refused"

static const MvArg pg_context_in[] = {
	{ "context", "a{sv}", PG_CONTEXT_DESCRIPTION, MV_ARG_NONE },
	MV_ARG_END,
};

static const MvArg pg_replan_in[] = {
	{ "context", "a{sv}", PG_CONTEXT_DESCRIPTION, MV_ARG_NONE },
	{ "previous", "a{sv}", "Last week's plan as Generate or Replan returned it", MV_ARG_NONE },
	{ "adherence", "aa{sv}",
	  "Last week's counts per goal or task of previous: id, planned, done (80 % or more "
	  "raises a target one step, under 50 % lowers it one step)",
	  MV_ARG_NONE },
	MV_ARG_END,
};

static const MvArg pg_plan_out[] = {
	{ "plan", "a{sv}",
	  "status (active|suppressed), red_flags (first), goals, tasks, follow_ups, limits, "
	  "language, generated_on, week_start, rules_version, version; every item names its rule "
	  "and source",
	  MV_ARG_NONE },
	MV_ARG_END,
};

static const MvArg pg_triage_out[] = {
	{ "flags", "aa{sv}",
	  "Red flags, most urgent first: id, level (emergency|urgent), certainty "
	  "(present|possible), title, instruction, findings, source",
	  MV_ARG_NONE },
	MV_ARG_END,
};

static const MvArg pg_rules_out[] = {
	{ "rules", "aa{sv}",
	  "Every loaded rule and red flag: kind (rule|red_flag), id, title_en, title_zh, source, "
	  "file",
	  MV_ARG_NONE },
	MV_ARG_END,
};

static const MvMethod pg_methods[] = {
	{ .name = "Generate",
	  .description = "A personalised prevention plan from the patient context, red flags first",
	  .in_args = pg_context_in,
	  .out_args = pg_plan_out,
	  .handler = pg_plugin_generate },
	{ .name = "Replan",
	  .description = "Next week's plan from last week's and its adherence, within safe limits",
	  .in_args = pg_replan_in,
	  .out_args = pg_plan_out,
	  .handler = pg_plugin_replan },
	{ .name = "Triage",
	  .description = "Only the red flags of the patient context (cheap: for every parsed note)",
	  .in_args = pg_context_in,
	  .out_args = pg_triage_out,
	  .handler = pg_plugin_triage },
	{ .name = "ListRules",
	  .description = "The loaded rules and red flags with their sources",
	  .in_args = NULL,
	  .out_args = pg_rules_out,
	  .handler = pg_plugin_list_rules },
	MV_METHOD_END,
};

static const MvConfigKey pg_config_keys[] = {
	{ "rules-dir", "s", NULL,
	  "Directory of rule files (*.json); empty: the data directory's rules/" },
	{ "red-flags", "s", NULL, "The red-flag list; empty: the data directory's red-flags.json" },
	MV_CONFIG_KEY_END,
};

MV_PLUGIN_DEFINE (.name = "plan-generator",
		  .version = "1.0.0",
		  .description
		  = "Guideline rules to a personalised, adaptive prevention plan, with "
		    "red-flag triage first",
		  .methods = pg_methods,
		  .config_keys = pg_config_keys,
		  .init = pg_plugin_init,
		  .shutdown = pg_plugin_shutdown);
