/*
 * libFuzzer target: the engagement core's two parsers (daemon/engagement/).  The first byte
 * picks what the rest is:
 *   odd:  an engagement rules file: accepted, its levels rise from 0 and its milestones rise;
 *         refused, the error names the file;
 *   even: a check-in body, validated in Asia/Shanghai against a fixed clock: accepted, its
 *         value lies within the plausibility table, its local date is valid, the clinical
 *         record accepts its Observation input, and the ledger and progress computed from it
 *         are sane; refused, with at least one problem, each with a field and both languages.
 * The replay checks that the corpus reaches both kinds of outcome for both parsers.
 */
#include <glib.h>
#include <math.h>
#include <medverse/mv-error.h>
#include <string.h>

#include "clinical/mv-clinical-kind.h"
#include "engagement/mv-checkin.h"
#include "engagement/mv-engagement-rules.h"
#include "engagement/mv-ledger.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);
gboolean fuzz_replay_check (void);

static guint rules_ok, rules_refused, checkins_ok, checkins_refused;

static void
rules_input (const gchar *text)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvEngagementRules) r = mv_engagement_rules_load_data (text, "fuzz.json", &error);

	g_assert ((r == NULL) != (error == NULL));
	if (r == NULL) {
		g_assert (g_str_has_prefix (error->message, "fuzz.json:"));
		rules_refused++;
		return;
	}
	rules_ok++;
	g_assert (r->levels->len >= 1);
	g_assert (((MvLevel *)g_ptr_array_index (r->levels, 0))->min_points == 0);
	for (guint i = 1; i < r->levels->len; i++)
		g_assert (((MvLevel *)g_ptr_array_index (r->levels, i))->min_points
			  > ((MvLevel *)g_ptr_array_index (r->levels, i - 1))->min_points);
	for (guint i = 1; i < r->milestones->len; i++)
		g_assert (g_array_index (r->milestones, MvMilestone, i).days
			  > g_array_index (r->milestones, MvMilestone, i - 1).days);
	for (guint m = 0; m < MV_CHECKIN_N_METRICS; m++)
		g_assert (r->points[m].daily_cap >= r->points[m].points);
}

static void
check_limits (const MvCheckin *c)
{
	for (const MvCheckinLimit *l = mv_checkin_limits; l->metric != NULL; l++) {
		gdouble v = g_str_equal (l->member, "diastolic") ? c->diastolic : c->value;
		if (!g_str_equal (l->metric, mv_checkin_metric_name (c->metric)))
			continue;
		g_assert (isfinite (v) && v >= l->min && v <= l->max);
	}
}

/* the ledger and progress of the one check-in, under the rules of a fixed small file */
static void
check_ledger (MvCheckin *c)
{
	static const gchar rules_json[]
		= "{\"version\":\"f\",\"points\":{\"steps\":{\"points\":1,\"daily_cap\":1},"
		  "\"active_minutes\":{\"points\":1,\"daily_cap\":1},"
		  "\"blood_pressure\":{\"points\":1,\"daily_cap\":1},"
		  "\"glucose\":{\"points\":1,\"daily_cap\":1},\"weight\":{\"points\":1,\"daily_"
		  "cap\":1},"
		  "\"sleep\":{\"points\":1,\"daily_cap\":1},\"mood\":{\"points\":1,\"daily_cap\":1}"
		  ","
		  "\"task\":{\"points\":1,\"daily_cap\":1},\"vr_session\":{\"points\":1,\"daily_"
		  "cap\":1}},"
		  "\"streak_milestones\":[{\"days\":1,\"points\":5}],"
		  "\"levels\":[{\"min_points\":0,\"title\":{\"en\":\"a\",\"zh\":\"一\"}}],"
		  "\"badges\":[{\"id\":\"b\",\"title\":{\"en\":\"b\",\"zh\":\"乙\"},"
		  "\"criterion\":{\"type\":\"checkins\",\"count\":1}}],"
		  "\"challenges\":[{\"id\":\"c\",\"title\":{\"en\":\"c\",\"zh\":\"丙\"},"
		  "\"metric\":\"steps\",\"measure\":\"sum\",\"target\":1,\"points\":3}]}";
	g_autoptr (GError) error = NULL;
	g_autoptr (MvEngagementRules) r = mv_engagement_rules_load_data (rules_json, "f", &error);
	g_autoptr (GPtrArray) checkins = g_ptr_array_new ();
	g_autoptr (GPtrArray) entries = NULL;
	g_autoptr (GPtrArray) again = NULL;
	g_autoptr (MvProgress) p = NULL;

	g_assert_no_error (error);
	g_ptr_array_add (checkins, c);
	entries = mv_ledger_award (r, checkins, NULL, &c->local_date);
	again = mv_ledger_award (r, checkins, entries, &c->local_date);
	g_assert_cmpuint (again->len, ==, 0);
	p = mv_progress_compute (r, checkins, entries, &c->local_date);
	g_assert_cmpuint (p->streak.current, ==, 1);
	g_assert (p->streak.today_done);
	g_assert_cmpuint (p->badges->len, ==, 1);
	/* 1 for the check-in, 5 for the 1-day milestone, 3 for any steps, 1 for the task a
	 * measurement names */
	g_assert_cmpint (p->points, ==,
			 6 + (c->metric == MV_CHECKIN_STEPS ? 3 : 0)
				 + (c->task_id != NULL && c->metric != MV_CHECKIN_TASK ? 1 : 0));
}

static void
checkin_input (const gchar *text, gsize len)
{
	g_autoptr (JsonParser) parser = json_parser_new ();
	g_autoptr (GDateTime) now = g_date_time_new_utc (2026, 12, 5, 12, 0, 0);
	g_autoptr (GTimeZone) zone = g_time_zone_new_identifier ("Asia/Shanghai");
	g_autoptr (GError) error = NULL;
	g_autoptr (MvCheckin) c = NULL;
	g_autoptr (JsonObject) input = NULL;
	g_autoptr (JsonObject) record = NULL;
	const MvClinicalKind *kind = mv_clinical_kind_lookup ("observation");
	MvClinicalContext ctx = { now, "en", "fuzz" };
	JsonNode *root;

	g_assert (zone != NULL);
	if (!json_parser_load_from_data (parser, text, (gssize)len, NULL))
		return;
	root = json_parser_get_root (parser);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
		return;
	c = mv_checkin_validate (json_node_get_object (root), "", zone, now, &error);
	g_assert ((c == NULL) != (error == NULL));
	if (c == NULL) {
		g_assert_cmpuint (mv_error_get_n_problems (error), >=, 1);
		for (guint i = 0; i < mv_error_get_n_problems (error); i++) {
			const MvErrorProblem *p = mv_error_get_problem (error, i);
			g_assert (p->field != NULL && p->code != NULL && *p->message != '\0');
			g_assert (g_utf8_validate (p->message_zh, -1, NULL));
		}
		checkins_refused++;
		return;
	}
	checkins_ok++;
	g_assert (mv_checkin_id_valid (c->id));
	g_assert (g_date_valid (&c->local_date));
	check_limits (c);
	input = mv_checkin_to_observation (c);
	record = kind->normalise (input, "", &ctx, &error);
	g_assert_no_error (error);
	g_assert (record != NULL);
	check_ledger (c);
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
	g_autofree gchar *text = NULL;

	if (size < 1 || size > 65536)
		return 0;
	text = g_strndup ((const gchar *)data + 1, size - 1);
	if (data[0] & 1)
		rules_input (text);
	else
		checkin_input (text, strlen (text));
	return 0;
}

gboolean
fuzz_replay_check (void)
{
	g_print ("rules: %u accepted, %u refused; check-ins: %u accepted, %u refused\n", rules_ok,
		 rules_refused, checkins_ok, checkins_refused);
	return rules_ok >= 2 && rules_refused >= 3 && checkins_ok >= 9 && checkins_refused >= 5;
}
