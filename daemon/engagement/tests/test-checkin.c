/* Check-ins: members, units converted, the plausibility table (refused with a reason and no
 * output), client ids, time zones, the local date, and the Observation input the clinical
 * record's own normalise accepts. */
#include <math.h>
#include <string.h>

#include "engagement-test.h"

#include "clinical/mv-clinical-kind.h"
#include "clinical/mv-observation-table.h"

static GDateTime *now;
static GTimeZone *shanghai;

static void
setup (void)
{
	now = mvt_time ("2026-12-05T12:00:00Z");
	shanghai = mvt_zone ("Asia/Shanghai");
}

static void
teardown (void)
{
	g_clear_pointer (&now, g_date_time_unref);
	g_clear_pointer (&shanghai, g_time_zone_unref);
}

TestSuite (checkin, .init = setup, .fini = teardown);

static MvCheckin *
valid (const gchar *json)
{
	g_autoptr (JsonObject) o = mvt_parse (json);
	g_autoptr (GError) error = NULL;
	MvCheckin *c = mv_checkin_validate (o, "", shanghai, now, &error);

	cr_assert_not_null (c, "%s: %s", json, error != NULL ? error->message : "");
	cr_assert_null (error);
	return c;
}

/* refused: no check-in at all, and the problems in the error */
static GError *
refused (const gchar *json)
{
	g_autoptr (JsonObject) o = mvt_parse (json);
	GError *error = NULL;
	g_autoptr (MvCheckin) c = mv_checkin_validate (o, "", shanghai, now, &error);

	cr_assert_null (c, "%s was accepted", json);
	cr_assert_not_null (error, "%s", json);
	cr_assert_eq (error->domain, MV_ERROR);
	cr_assert_eq (error->code, MV_ERROR_INVALID_INPUT);
	return error;
}

#define AT "\"at\":\"2026-12-05T19:30:00+08:00\""

Test (checkin, steps_are_dated_on_the_patients_local_day)
{
	g_autoptr (MvCheckin) c = valid ("{\"id\":\"c-1\",\"metric\":\"steps\",\"value\":8200,"
					 "\"at\":\"2026-12-04T23:30:00-05:00\"}");
	g_autoptr (GTimeZone) new_york = mvt_zone ("America/New_York");
	g_autoptr (MvCheckin) there = mv_checkin_new ("c-1", c->metric, c->value, c->at, new_york);
	GDate dec4 = mvt_date ("2026-12-04"), dec5 = mvt_date ("2026-12-05");

	cr_expect_str_eq (c->id, "c-1");
	cr_expect_eq (c->metric, MV_CHECKIN_STEPS);
	cr_expect_eq (c->value, 8200);
	/* 23:30 in New York is 12:30 the next day in Shanghai */
	cr_expect_eq (g_date_compare (&c->local_date, &dec5), 0);
	cr_expect_eq (g_date_compare (&there->local_date, &dec4), 0);
}

Test (checkin, today_depends_on_the_zone)
{
	g_autoptr (GTimeZone) new_york = mvt_zone ("America/New_York");
	g_autoptr (GDateTime) t = mvt_time ("2026-12-05T02:00:00Z");
	GDate sh, ny;

	mv_checkin_local_date (t, shanghai, &sh);
	mv_checkin_local_date (t, new_york, &ny);
	cr_expect_eq (g_date_get_day (&sh), 5);
	cr_expect_eq (g_date_get_day (&ny), 4);
}

Test (checkin, units_are_converted_with_the_records_factors)
{
	g_autoptr (MvCheckin) g = valid ("{\"id\":\"g\",\"metric\":\"glucose\",\"value\":126,"
					 "\"unit\":\"mg/dL\",\"context\":\"fasting\"," AT "}");
	g_autoptr (MvCheckin) w = valid (
		"{\"id\":\"w\",\"metric\":\"weight\",\"value\":154,\"unit\":\"lb\"," AT "}");
	g_autoptr (MvCheckin) s = valid (
		"{\"id\":\"s\",\"metric\":\"sleep\",\"value\":450,\"unit\":\"min\"," AT "}");
	g_autoptr (MvCheckin) r = valid ("{\"id\":\"r\",\"metric\":\"glucose\",\"value\":5.4,"
					 "\"unit\":\"mmol/L\"," AT "}");

	cr_expect (fabs (g->value - 126 / 18.016) < 1e-9, "%.17g", g->value);
	cr_expect_eq (g->original_value, 126);
	cr_expect_str_eq (g->original_unit, "mg/dL");
	cr_expect_str_eq (g->context, "fasting");
	cr_expect (fabs (w->value - 154 * 0.45359237) < 1e-9, "%.17g", w->value);
	cr_expect_str_eq (w->original_unit, "[lb_av]");
	cr_expect (fabs (s->value - 7.5) < 1e-9);
	cr_expect_str_eq (r->context, "random");
}

Test (checkin, blood_pressure_and_the_other_metrics_are_accepted)
{
	g_autoptr (MvCheckin) bp = valid ("{\"id\":\"bp\",\"metric\":\"blood_pressure\","
					  "\"systolic\":128,\"diastolic\":82," AT "}");
	g_autoptr (MvCheckin) task
		= valid ("{\"id\":\"t\",\"metric\":\"task\",\"task_id\":\"walk-30\"," AT "}");
	g_autoptr (MvCheckin) vr = valid ("{\"id\":\"v\",\"metric\":\"vr_session\",\"value\":20,"
					  "\"vr_content\":\"balance-01\"," AT "}");

	cr_expect_eq (bp->value, 128);
	cr_expect_eq (bp->diastolic, 82);
	cr_expect_eq (task->value, 1);
	cr_expect_str_eq (task->task_id, "walk-30");
	cr_expect_str_eq (vr->vr_content, "balance-01");
}

Test (checkin, implausible_values_are_refused_with_a_reason_and_no_output)
{
	struct {
		const gchar *json, *field, *code, *text;
	} cases[] = {
		{ "{\"id\":\"a\",\"metric\":\"steps\",\"value\":150000," AT "}", "/value",
		  "out-of-range", "100,000" },
		{ "{\"id\":\"a\",\"metric\":\"blood_pressure\",\"systolic\":400,\"diastolic\":"
		  "300," AT "}",
		  "/systolic", "out-of-range", "260" },
		{ "{\"id\":\"a\",\"metric\":\"blood_pressure\",\"systolic\":400,\"diastolic\":"
		  "300," AT "}",
		  "/diastolic", "out-of-range", "180" },
		{ "{\"id\":\"a\",\"metric\":\"blood_pressure\",\"systolic\":120,\"diastolic\":"
		  "120," AT "}",
		  "/diastolic", "out-of-range", "below the systolic" },
		{ "{\"id\":\"a\",\"metric\":\"mood\",\"value\":9," AT "}", "/value", "out-of-range",
		  "1 (very bad) to 5" },
		{ "{\"id\":\"a\",\"metric\":\"mood\",\"value\":3.5," AT "}", "/value", "wrong-type",
		  "whole number" },
		{ "{\"id\":\"a\",\"metric\":\"glucose\",\"value\":0,\"unit\":\"mmol/L\"," AT "}",
		  "/value", "out-of-range", "33.3" },
		{ "{\"id\":\"a\",\"metric\":\"sleep\",\"value\":-1," AT "}", "/value",
		  "out-of-range", "24 hours" },
		{ "{\"id\":\"a\",\"metric\":\"sleep\",\"value\":25," AT "}", "/value",
		  "out-of-range", "24 hours" },
		{ "{\"id\":\"a\",\"metric\":\"weight\",\"value\":700,\"unit\":\"kg\"," AT "}",
		  "/value", "out-of-range", "350 kg" },
		{ "{\"id\":\"a\",\"metric\":\"steps\",\"value\":5000,"
		  "\"at\":\"2026-12-06T21:00:00+08:00\"}",
		  "/at", "in-future", NULL },
		{ "{\"id\":\"a\",\"metric\":\"steps\",\"value\":5000,"
		  "\"at\":\"2026-11-27T20:00:00+08:00\"}",
		  "/at", "too-early", "7 days" },
		{ "{\"id\":\"has space\",\"metric\":\"steps\",\"value\":5000," AT "}", "/id",
		  "invalid-format", NULL },
		{ "{\"id\":\"\",\"metric\":\"steps\",\"value\":5000," AT "}", "/id", "too-short",
		  NULL },
		{ "{\"id\":\"a\",\"metric\":\"glucose\",\"value\":5.5," AT "}", "/unit", "required",
		  "mg/dL" },
		{ "{\"id\":\"a\",\"metric\":\"weight\",\"value\":70,\"unit\":\"stone\"," AT "}",
		  "/unit", "invalid-unit", "[lb_av]" },
		{ "{\"id\":\"a\",\"metric\":\"vr_session\",\"value\":20," AT "}", "/vr_content",
		  "required", NULL },
		{ "{\"id\":\"a\",\"metric\":\"task\"," AT "}", "/task_id", "required", NULL },
		{ "{\"id\":\"a\",\"metric\":\"steps\",\"value\":10,\"systolic\":120," AT "}",
		  "/systolic", "not-allowed", NULL },
		{ "{\"id\":\"a\",\"metric\":\"steps\",\"value\":10,\"weight\":70," AT "}",
		  "/weight", "unknown-member", NULL },
		{ "{\"id\":\"a\",\"metric\":\"pulse\",\"value\":10," AT "}", "/metric",
		  "not-allowed", NULL },
	};

	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr (GError) error = refused (cases[i].json);
		mvt_expect_problem (error, cases[i].field, cases[i].code, cases[i].text);
	}
}

Test (checkin, a_refusal_names_the_bounds_never_the_value_and_lists_every_problem)
{
	g_autoptr (GError) steps
		= refused ("{\"id\":\"a\",\"metric\":\"steps\",\"value\":150000," AT "}");
	g_autoptr (GError) many = refused ("{\"id\":\"a b\",\"metric\":\"mood\",\"value\":9,"
					   "\"at\":\"2026-12-09T20:00:00+08:00\",\"x\":1}");

	cr_expect (strstr (steps->message, "150000") == NULL, "%s", steps->message);
	cr_expect (strstr (steps->message, "150,000") == NULL, "%s", steps->message);
	cr_expect_eq (mv_error_get_n_problems (many), 4, "%s", many->message);
	mvt_expect_problem (many, "/id", "invalid-format", NULL);
	mvt_expect_problem (many, "/value", "out-of-range", NULL);
	mvt_expect_problem (many, "/at", "in-future", NULL);
	mvt_expect_problem (many, "/x", "unknown-member", NULL);
}

Test (checkin, a_batch_member_is_pointed_at_under_its_pointer)
{
	g_autoptr (JsonObject) o
		= mvt_parse ("{\"id\":\"a\",\"metric\":\"steps\",\"value\":150000," AT "}");
	g_autoptr (GError) error = NULL;

	cr_assert_null (mv_checkin_validate (o, "/checkins/3", shanghai, now, &error));
	mvt_expect_problem (error, "/checkins/3/value", "out-of-range", NULL);
}

Test (checkin, client_ids_and_time_zones)
{
	g_autofree gchar *longest = g_strnfill (64, 'a');
	g_autofree gchar *too_long = g_strnfill (65, 'a');

	cr_expect (mv_checkin_id_valid ("2026-12-05.steps:1_a"));
	cr_expect (mv_checkin_id_valid (longest));
	cr_expect_not (mv_checkin_id_valid (too_long));
	cr_expect_not (mv_checkin_id_valid (""));
	cr_expect_not (mv_checkin_id_valid ("a/b"));
	cr_expect_not (mv_checkin_id_valid ("步数"));
	for (const gchar *const *bad
	     = (const gchar *const[]){ "Mars/Olympus", "+08:00", "CST-8", "", "../etc/passwd",
				       "Asia/../../../../etc/localtime", "EST", "Asia//Shanghai",
				       NULL };
	     *bad != NULL; bad++) {
		g_autoptr (GError) error = NULL;
		g_autoptr (GTimeZone) z = mv_checkin_time_zone (*bad, &error);
		cr_expect_null (z, "%s", *bad);
		mvt_expect_problem (error, "/time_zone", "invalid-code", "IANA");
	}
	g_time_zone_unref (mvt_zone ("UTC"));
	g_time_zone_unref (mvt_zone ("Europe/Berlin"));
	g_time_zone_unref (mvt_zone ("America/Argentina/Buenos_Aires"));
}

/* the record's own normalise, as the storage will call it */
static JsonObject *
recorded (const MvCheckin *c)
{
	const MvClinicalKind *kind = mv_clinical_kind_lookup ("observation");
	MvClinicalContext ctx = { now, "en", "patient" };
	g_autoptr (JsonObject) input = mv_checkin_to_observation (c);
	g_autoptr (GError) error = NULL;
	JsonObject *r = kind->normalise (input, "", &ctx, &error);

	cr_assert_not_null (r, "%s", error != NULL ? error->message : "");
	return r;
}

static const gchar *
code_of (JsonObject *record)
{
	return json_object_get_string_member (json_object_get_object_member (record, "code"),
					      "code");
}

Test (checkin, every_metric_becomes_an_observation_the_record_accepts)
{
	g_autoptr (MvCheckin) g = valid ("{\"id\":\"g\",\"metric\":\"glucose\",\"value\":126,"
					 "\"unit\":\"mg/dL\",\"context\":\"fasting\"," AT "}");
	g_autoptr (MvCheckin) bp = valid ("{\"id\":\"bp\",\"metric\":\"blood_pressure\","
					  "\"systolic\":128,\"diastolic\":82," AT "}");
	g_autoptr (MvCheckin) steps
		= valid ("{\"id\":\"s\",\"metric\":\"steps\",\"value\":8200," AT "}");
	g_autoptr (MvCheckin) vr = valid ("{\"id\":\"v\",\"metric\":\"vr_session\",\"value\":20,"
					  "\"vr_content\":\"balance-01\"," AT "}");
	g_autoptr (JsonObject) rg = recorded (g);
	g_autoptr (JsonObject) rbp = recorded (bp);
	g_autoptr (JsonObject) rs = recorded (steps);
	g_autoptr (JsonObject) rv = recorded (vr);
	JsonArray *parts = json_object_get_array_member (rbp, "components");

	cr_expect_str_eq (code_of (rg), "1558-6");
	cr_expect_eq (json_object_get_double_member (rg, "value"), 6.99);
	cr_expect_str_eq (json_object_get_string_member (rg, "unit"), "mmol/L");
	cr_expect_str_eq (json_object_get_string_member (rg, "source"), "patient");
	cr_expect_str_eq (code_of (rbp), "85354-9");
	cr_expect_eq (json_array_get_length (parts), 2);
	cr_expect_str_eq (code_of (rs), "41950-7");
	cr_expect_str_eq (json_object_get_string_member (rs, "unit"), "/d");
	cr_expect_str_eq (json_object_get_string_member (rs, "effective_at"),
			  "2026-12-05T19:30:00+08:00");
	cr_expect_str_eq (code_of (rv), "vr-session");
	cr_expect_str_eq (json_object_get_string_member (rv, "method"), "vr-content:balance-01");
}

/* Both ends of every row of the plausibility table pass the check-in and then the record: the
 * table is never wider than the record's own screens. */
Test (checkin, the_plausibility_table_sits_inside_the_records_limits)
{
	guint rows = 0;

	for (const MvCheckinLimit *l = mv_checkin_limits; l->metric != NULL; l++, rows++) {
		MvCheckinMetric metric;

		cr_assert (mv_checkin_metric_from_name (l->metric, &metric), "%s", l->metric);
		cr_expect (l->min <= l->max && *l->reason_en && *l->reason_zh && *l->source);
		for (guint end = 0; end < 2; end++) {
			gdouble v = end == 0 ? l->min : l->max;
			g_autoptr (MvCheckin) c = NULL;
			g_autoptr (JsonObject) r = NULL;
			g_autofree gchar *json = NULL;

			if (metric == MV_CHECKIN_BLOOD_PRESSURE)
				json = g_strdup_printf ("{\"id\":\"x\",\"metric\":\"blood_"
							"pressure\",\"systolic\":%g,"
							"\"diastolic\":%g," AT "}",
							g_str_equal (l->member, "systolic")
								? v
								: (end == 0 ? 100 : 259),
							g_str_equal (l->member, "diastolic")
								? v
								: (end == 0 ? 59 : 90));
			else
				json = g_strdup_printf (
					"{\"id\":\"x\",\"metric\":\"%s\",\"value\":%g,"
					"\"unit\":\"%s\",\"task_id\":\"t\"%s," AT "}",
					l->metric, v, l->unit,
					metric == MV_CHECKIN_VR_SESSION ? ",\"vr_content\":\"c\""
									: "");
			c = valid (json);
			r = recorded (c);
		}
	}
	cr_expect_eq (rows, 10);
}

Test (checkin, metric_names_round_trip)
{
	for (guint m = 0; m < MV_CHECKIN_N_METRICS; m++) {
		MvCheckinMetric back;
		cr_assert (mv_checkin_metric_from_name (mv_checkin_metric_name (m), &back));
		cr_expect_eq (back, m);
	}
	cr_expect_null (mv_checkin_metric_name (MV_CHECKIN_N_METRICS));
	cr_expect_eq (mv_checkin_metric_day_rule (MV_CHECKIN_STEPS), MV_CHECKIN_DAY_MAX);
	cr_expect_eq (mv_checkin_metric_day_rule (MV_CHECKIN_VR_SESSION), MV_CHECKIN_DAY_SUM);
	cr_expect_eq (mv_checkin_metric_day_rule (MV_CHECKIN_BLOOD_PRESSURE), MV_CHECKIN_DAY_NONE);
}
