/*
 * libFuzzer target: the plan-generator's rule files, red-flag list and contexts
 * (plugins/plan-generator).
 *
 * The first byte picks what the rest is: 'R' a rule file, 'F' a red-flag list (each either
 * loaded or refused with an error naming the file), anything else a context (JSON object) that
 * is either refused with at least one problem, or triaged and planned with the shipped rules:
 * every goal, task and follow-up names its rule and source, a plan with a red flag has no
 * tasks, and every session fits the patient's minutes a day.  Nothing crashes or logs a
 * critical.
 */
#include <glib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "pg-plan.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static guint files_loaded;
static guint plans_made;

static PgRuleSet *
shipped_rules (void)
{
	static PgRuleSet *set;

	if (set == NULL) {
		g_autoptr (GError) error = NULL;
		const gchar *rules = g_getenv ("PG_FUZZ_RULES_DIR");
		const gchar *flags = g_getenv ("PG_FUZZ_RED_FLAGS");
		set = pg_rule_set_load (rules != NULL ? rules : PG_FUZZ_RULES_DIR,
					flags != NULL ? flags : PG_FUZZ_RED_FLAGS, &error);
		g_assert_no_error (error);
	}
	return set;
}

static void
check_items (GVariant *plan, const gchar *list, guint minutes_per_day)
{
	g_autoptr (GVariant) items = g_variant_lookup_value (plan, list, G_VARIANT_TYPE ("aa{sv}"));
	GVariantIter iter;
	GVariant *item;

	g_assert (items != NULL);
	g_variant_iter_init (&iter, items);
	while ((item = g_variant_iter_next_value (&iter)) != NULL) {
		const gchar *s = NULL;
		guint minutes = 0;
		g_assert (g_variant_lookup (item, "rule", "&s", &s) && s[0] != '\0');
		g_assert (g_variant_lookup (item, "source", "&s", &s) && s[0] != '\0');
		if (g_variant_lookup (item, "minutes", "u", &minutes))
			g_assert (minutes >= 1 && minutes <= minutes_per_day);
		g_variant_unref (item);
	}
}

static void
fuzz_context (const gchar *json)
{
	g_autoptr (GVariant) dict = json_gvariant_deserialize_data (json, -1, "a{sv}", NULL);
	g_autoptr (GPtrArray) problems = pg_problems_new ();
	g_autoptr (PgContext) ctx = NULL;
	g_autoptr (GVariant) plan = NULL;
	g_autoptr (GVariant) flags = NULL;
	g_autoptr (GVariant) tasks = NULL;
	const gchar *status = NULL;

	if (dict == NULL)
		return;
	g_variant_ref_sink (dict);
	ctx = pg_context_read (dict, "/context", problems);
	g_assert ((ctx == NULL) == (problems->len > 0));
	if (ctx == NULL)
		return;
	plan = g_variant_ref_sink (pg_plan_generate (shipped_rules (), ctx));
	flags = g_variant_ref_sink (pg_triage (shipped_rules (), ctx));
	tasks = g_variant_lookup_value (plan, "tasks", NULL);
	g_assert (g_variant_lookup (plan, "status", "&s", &status));
	g_assert ((g_variant_n_children (flags) > 0) == g_str_equal (status, "suppressed"));
	g_assert (!g_str_equal (status, "suppressed") || g_variant_n_children (tasks) == 0);
	check_items (plan, "goals", ctx->minutes_per_day);
	check_items (plan, "tasks", ctx->minutes_per_day);
	check_items (plan, "follow_ups", ctx->minutes_per_day);
	plans_made++;
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
	g_autofree gchar *text = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (GPtrArray) items = NULL;

	if (size == 0)
		return 0;
	text = g_strndup ((const gchar *)data + 1, size - 1);
	if (data[0] == 'R')
		items = pg_rules_parse (text, strlen (text), "fuzz.json", &error);
	else if (data[0] == 'F')
		items = pg_red_flags_parse (text, strlen (text), "fuzz.json", &error);
	else {
		fuzz_context (text);
		return 0;
	}
	g_assert ((items == NULL) != (error == NULL));
	if (items == NULL)
		g_assert (g_str_has_prefix (error->message, "fuzz.json"));
	else
		files_loaded++;
	return 0;
}

gboolean fuzz_replay_check (void);

/* the replayed corpus must reach both paths: the shipped files load, some contexts plan */
gboolean
fuzz_replay_check (void)
{
	if (files_loaded < 7 || plans_made < 5) {
		g_printerr (
			"fuzz-plan-rules: the corpus loaded %u files and made %u plans; expected "
			"at least 7 and 5\n",
			files_loaded, plans_made);
		return FALSE;
	}
	return TRUE;
}
