/*
 * Measurements, scores, medications and allergens (sp-measure.c and the lexicon's
 * measurements.tsv, medications.tsv, substances.tsv) through sp_parser_parse() with the REAL data
 * directory: values, units and their conversions in English and Chinese, vitals runs, blood
 * pressure pairs, interpretation at the edges of the reference ranges, implausible values
 * refused, names without values dropped, pain scores, doses and schedules, hostile input.
 */
#define G_LOG_DOMAIN "test-measure"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "sp-parser.h"
#include "sp-test-data.h"

TestSuite (measure, .init = sp_test_data_setup, .fini = sp_test_data_teardown);

static GArray *
parse (const gchar *text)
{
	return sp_test_parse (text, NULL);
}

/* every finding, for failure messages */
static gchar *
dump (GArray *findings)
{
	GString *s = g_string_new (NULL);

	for (guint i = 0; i < findings->len; i++) {
		const SpFinding *f = &g_array_index (findings, SpFinding, i);
		g_string_append_printf (
			s, "\n  %s %s %s value=%g %s orig=%g %s %s dose=%g %s %s %s",
			sp_finding_kind_to_string (f->kind), f->concept->code,
			sp_polarity_to_string (f->polarity), f->value.value,
			f->value.unit ? f->value.unit : "-", f->value.original_value,
			f->value.original_unit ? f->value.original_unit : "-",
			sp_interpretation_to_string (f->value.interpretation)
				? sp_interpretation_to_string (f->value.interpretation)
				: "-",
			f->dose_value, f->dose_unit ? f->dose_unit : "-",
			f->frequency ? f->frequency : "-", f->route ? f->route : "-");
	}
	return g_string_free (s, FALSE);
}

static const SpFinding *
find (GArray *findings, const gchar *code)
{
	for (guint i = 0; i < findings->len; i++) {
		const SpFinding *f = &g_array_index (findings, SpFinding, i);
		if (g_strcmp0 (f->concept->code, code) == 0)
			return f;
	}
	return NULL;
}

static guint
count_kind (GArray *findings, SpFindingKind kind)
{
	guint n = 0;
	for (guint i = 0; i < findings->len; i++)
		n += g_array_index (findings, SpFinding, i).kind == kind;
	return n;
}

#define TEMP "LOINC:8310-5"
#define SBP "LOINC:8480-6"
#define DBP "LOINC:8462-4"
#define HR "LOINC:8867-4"
#define RR "LOINC:9279-1"
#define SPO2 "LOINC:59408-5"
#define WEIGHT "LOINC:29463-7"
#define HEIGHT "LOINC:8302-2"
#define BMI "LOINC:39156-5"
#define GLUCOSE "LOINC:15074-8"
#define FPG "LOINC:14771-0"
#define A1C "LOINC:4548-4"
#define PAIN_SCORE "LOINC:72514-3"

/* @text has a measurement @code of @value @unit interpreted as @interp (NULL: none) */
static void
expect_value (
	const gchar *text, const gchar *code, gdouble value, const gchar *unit, const gchar *interp)
{
	g_autoptr (GArray) f = parse (text);
	g_autofree gchar *all = dump (f);
	const SpFinding *m = find (f, code);

	cr_assert_not_null (m, "%s: no %s in:%s", text, code, all);
	cr_assert (m->kind == SP_FINDING_MEASUREMENT || m->kind == SP_FINDING_SCORE, "%s: %s", text,
		   all);
	cr_assert_eq (m->polarity, SP_POLARITY_PRESENT, "%s:%s", text, all);
	cr_assert (fabs (m->value.value - value) < 1e-9, "%s: %s is %g, not %g", text, code,
		   m->value.value, value);
	cr_assert_str_eq (m->value.unit, unit, "%s", text);
	cr_assert_str_eq (sp_interpretation_to_string (m->value.interpretation) != NULL
				  ? sp_interpretation_to_string (m->value.interpretation)
				  : "none",
			  interp != NULL ? interp : "none", "%s: %s", text, code);
}

/* ... and the text wrote it in @orig_unit as @orig */
static void
expect_original (const gchar *text, const gchar *code, gdouble orig, const gchar *orig_unit)
{
	g_autoptr (GArray) f = parse (text);
	g_autofree gchar *all = dump (f);
	const SpFinding *m = find (f, code);

	cr_assert_not_null (m, "%s: no %s in:%s", text, code, all);
	if (orig_unit == NULL) {
		cr_assert_null (m->value.original_unit, "%s:%s", text, all);
		return;
	}
	cr_assert_str_eq (m->value.original_unit, orig_unit, "%s:%s", text, all);
	cr_assert (fabs (m->value.original_value - orig) < 1e-9, "%s:%s", text, all);
}

static void
expect_no_measurement (const gchar *text)
{
	g_autoptr (GArray) f = parse (text);
	g_autofree gchar *all = dump (f);

	cr_assert_eq (count_kind (f, SP_FINDING_MEASUREMENT) + count_kind (f, SP_FINDING_SCORE), 0,
		      "%s:%s", text, all);
}

/* ---- temperature ---- */

Test (measure, temperature_units_and_conversions)
{
	expect_value ("Temperature 38.5 C", TEMP, 38.5, "Cel", "high");
	expect_original ("Temperature 38.5 C", TEMP, 0, NULL);
	expect_value ("temperature of 38.5°C this morning", TEMP, 38.5, "Cel", "high");
	expect_value ("Tmax 39.1 ℃", TEMP, 39.1, "Cel", "high");
	expect_value ("体温38.5℃", TEMP, 38.5, "Cel", "high");
	expect_value ("体温：38.5度", TEMP, 38.5, "Cel", "high");
	expect_value ("体温为38.5摄氏度", TEMP, 38.5, "Cel", "high");
	/* 38度5 is 38.5 */
	expect_value ("孩子体温38度5", TEMP, 38.5, "Cel", "high");
	/* Fahrenheit, with and without its unit */
	expect_value ("temperature 101.3 F", TEMP, 38.5, "Cel", "high");
	expect_original ("temperature 101.3 F", TEMP, 101.3, "[degF]");
	expect_value ("temperature 98.6°F", TEMP, 37.0, "Cel", "normal");
	expect_value ("temperature 100.4", TEMP, 38.0, "Cel", "high");
	expect_original ("temperature 100.4", TEMP, 100.4, "[degF]");
	expect_value ("temperature 37", TEMP, 37, "Cel", "normal");
}

Test (measure, temperature_alone_by_its_unit)
{
	g_autoptr (GArray) f = parse ("发烧39度，咳嗽");

	expect_value ("39.2℃", TEMP, 39.2, "Cel", "high");
	expect_value ("Fever to 39.2°C overnight.", TEMP, 39.2, "Cel", "high");
	expect_value ("fever of 102.2°F", TEMP, 39.0, "Cel", "high");
	expect_value ("最高39.2℃", TEMP, 39.2, "Cel", "high");
	/* the fever is a symptom, its 39 degrees a measurement */
	cr_assert_not_null (find (f, "HP:0001945"));
	cr_assert_not_null (find (f, TEMP));
	/* a fever with a value names the temperature: the fever is a finding, and so is its value
	 */
	expect_value ("My son had a fever of 102.5 last night", TEMP, 39.2, "Cel", "high");
	expect_value ("fever to 39.4", TEMP, 39.4, "Cel", "high");
	expect_value ("发烧39，咳嗽", TEMP, 39, "Cel", "high");
	expect_value ("高烧40度", TEMP, 40, "Cel", "high");
	expect_no_measurement ("fever for 3 days");
	expect_no_measurement ("fever 3 days");
	expect_no_measurement ("发烧3天");
	expect_no_measurement ("发热2次");
	/* 度 alone outside body temperatures is an angle or a burn */
	expect_no_measurement ("弯曲90度");
	expect_no_measurement ("二度烧伤");
}

Test (measure, temperature_reference_range_edges)
{
	/* English: CDC fever 38.0 */
	expect_value ("temperature 37.9", TEMP, 37.9, "Cel", "normal");
	expect_value ("temperature 38.0", TEMP, 38.0, "Cel", "high");
	expect_value ("temperature 35.0", TEMP, 35.0, "Cel", "normal");
	expect_value ("temperature 34.9", TEMP, 34.9, "Cel", "low");
	/* Chinese: 发热 from 37.3 */
	expect_value ("体温37.2℃", TEMP, 37.2, "Cel", "normal");
	expect_value ("体温37.3℃", TEMP, 37.3, "Cel", "high");
	expect_value ("体温34.5℃", TEMP, 34.5, "Cel", "low");
}

Test (measure, temp_abbreviation)
{
	g_autoptr (GArray) f = parse ("temp");
	const SpFinding *fever = find (f, "HP:0001945");

	/* concepts.tsv (another branch) still lists "temp" as a synonym of Fever: the lexicon's
	 * first definition wins until that branch removes it */
	if (fever != NULL)
		cr_skip_test (
			"\"temp\" is still a Fever synonym in concepts.tsv (i11-vocab removes it)");
	expect_value ("temp 36.8", TEMP, 36.8, "Cel", "normal");
	expect_value ("Temp 38.9 C, afebrile yesterday", TEMP, 38.9, "Cel", "high");
}

Test (measure, implausible_temperatures_refused)
{
	expect_no_measurement ("temperature 50 C");
	expect_no_measurement ("temperature 20");
	expect_no_measurement ("temperature 120 F");
	expect_no_measurement ("体温3度");
	expect_no_measurement ("temperature 1e308");
	expect_no_measurement ("temperature 38..5");
	expect_no_measurement ("temperature 999999999999");
}

/* ---- blood pressure ---- */

Test (measure, blood_pressure_pairs)
{
	g_autoptr (GArray) f = parse ("BP 140/90");
	const SpFinding *s = find (f, SBP);
	const SpFinding *d = find (f, DBP);

	cr_assert_not_null (s);
	cr_assert_not_null (d);
	cr_assert_eq (f->len, 2);
	/* systolic spans the name and its number, diastolic its number */
	cr_assert_eq (s->start, 0);
	cr_assert_eq (s->end, 6);
	cr_assert_eq (d->start, 7);
	cr_assert_eq (d->end, 9);
	expect_value ("BP 140/90", SBP, 140, "mm[Hg]", "high");
	expect_value ("BP 140/90", DBP, 90, "mm[Hg]", "high");
	expect_value ("BP: 140/90 mmHg", DBP, 90, "mm[Hg]", "high");
	expect_value ("blood pressure was 118 over 76", SBP, 118, "mm[Hg]", "normal");
	expect_value ("blood pressure was 118 over 76", DBP, 76, "mm[Hg]", "normal");
	expect_value ("血压150/95mmHg", SBP, 150, "mm[Hg]", "high");
	expect_value ("血压150/95毫米汞柱", DBP, 95, "mm[Hg]", "high");
	expect_value ("140/90 mmHg", SBP, 140, "mm[Hg]", "high");
	expect_value ("140/90 mmHg", DBP, 90, "mm[Hg]", "high");
	expect_value ("SBP 165", SBP, 165, "mm[Hg]", "high");
	expect_value ("收缩压 165", SBP, 165, "mm[Hg]", "high");
	expect_value ("高压150，低压100", DBP, 100, "mm[Hg]", "high");
	expect_value ("血压高达180/110mmHg", SBP, 180, "mm[Hg]", "high");
	expect_value ("血压控制在130/80左右", DBP, 80, "mm[Hg]", "high");
	expect_value ("BP up to 180/110", DBP, 110, "mm[Hg]", "high");
	expect_value ("his blood pressure was high, 132/85", SBP, 132, "mm[Hg]", "high");
	/* more values of the same measurement in its sentence */
	{
		g_autoptr (GArray) g = parse ("BP 198/112 on arrival, 156/90 after labetalol.");
		cr_assert_eq (count_kind (g, SP_FINDING_MEASUREMENT), 4);
	}
	{
		g_autoptr (GArray) g = parse ("A1c 6.1% (was 6.4% in March).");
		cr_assert_eq (count_kind (g, SP_FINDING_MEASUREMENT), 2);
	}
	{
		g_autoptr (GArray) g = parse ("Wt 82 kg (180 lb), down from 85 kg in Jan. HR 70");
		cr_assert_eq (count_kind (g, SP_FINDING_MEASUREMENT), 4);
	}
	/* a change of weight after a weight is no second weight (a stranger's trial: "lost 5 kg"
	 * was a body weight of 5 kg) */
	{
		const gchar *texts[] = { "Weight 82 kg, lost 5 kg in 2 months.",
					 "体重82kg，近2月体重下降5公斤。" };
		for (guint i = 0; i < G_N_ELEMENTS (texts); i++) {
			g_autoptr (GArray) g = parse (texts[i]);
			cr_assert_eq (count_kind (g, SP_FINDING_MEASUREMENT), 1, "%s", texts[i]);
		}
	}
}

Test (measure, blood_pressure_reference_range_edges)
{
	/* ACC/AHA 2017 */
	expect_value ("BP 129/79", SBP, 129, "mm[Hg]", "normal");
	expect_value ("BP 129/79", DBP, 79, "mm[Hg]", "normal");
	expect_value ("BP 130/80", SBP, 130, "mm[Hg]", "high");
	expect_value ("BP 130/80", DBP, 80, "mm[Hg]", "high");
	expect_value ("BP 89/59", SBP, 89, "mm[Hg]", "low");
	expect_value ("BP 89/59", DBP, 59, "mm[Hg]", "low");
	/* the same ACC/AHA 2017 thresholds in Chinese text */
	expect_value ("血压129/79mmHg", SBP, 129, "mm[Hg]", "normal");
	expect_value ("血压129/79mmHg", DBP, 79, "mm[Hg]", "normal");
	expect_value ("血压130/80mmHg", SBP, 130, "mm[Hg]", "high");
	expect_value ("血压130/80mmHg", DBP, 80, "mm[Hg]", "high");
}

Test (measure, broken_blood_pressures_refused)
{
	expect_no_measurement ("BP 140/");
	expect_no_measurement ("/90");
	expect_no_measurement ("BP /90");
	expect_no_measurement ("BP 90/140");
	expect_no_measurement ("BP 1/0");
	expect_no_measurement ("1/0");
	expect_no_measurement ("BP 999999999999/90");
	expect_no_measurement ("BP 400/90");
	expect_no_measurement ("140/90");
	expect_no_measurement ("mmHg");
	expect_no_measurement ("BP 140");
}

/* ---- rates, saturation ---- */

Test (measure, heart_and_respiratory_rates)
{
	expect_value ("HR 102", HR, 102, "/min", "high");
	expect_value ("heart rate 72 bpm", HR, 72, "/min", "normal");
	expect_value ("pulse 100", HR, 100, "/min", "normal");
	expect_value ("pulse 101/min", HR, 101, "/min", "high");
	expect_value ("pulse 59", HR, 59, "/min", "low");
	expect_value ("心率102次/分", HR, 102, "/min", "high");
	expect_value ("脉搏 58次/分钟", HR, 58, "/min", "low");
	expect_value ("心跳110次", HR, 110, "/min", "high");
	expect_value ("Tachycardic at 120 bpm", HR, 120, "/min", "high");
	expect_value ("RR 22", RR, 22, "/min", "high");
	expect_value ("resp 11", RR, 11, "/min", "low");
	expect_value ("呼吸20次/分", RR, 20, "/min", "normal");
	expect_value ("respiratory rate of 16 breaths/min", RR, 16, "/min", "normal");
	expect_value ("心率每分钟100次", HR, 100, "/min", "normal");
	/* "hr" of hours */
	expect_no_measurement ("Labor lasted 2 hr 30 min.");
	expect_no_measurement ("HR 400");
	expect_no_measurement ("RR 0");
}

Test (measure, oxygen_saturation)
{
	expect_value ("SpO2 95%", SPO2, 95, "%", "normal");
	expect_value ("O2 sat 94% on room air", SPO2, 94, "%", "low");
	expect_value ("sats 99", SPO2, 99, "%", "normal");
	expect_value ("血氧饱和度98%", SPO2, 98, "%", "normal");
	expect_value ("血氧 92%", SPO2, 92, "%", "low");
	expect_no_measurement ("SpO2 101%");
	expect_no_measurement ("SpO2 9%");
}

/* ---- body measures ---- */

Test (measure, weight_units)
{
	expect_value ("weight 70 kg", WEIGHT, 70, "kg", NULL);
	expect_original ("weight 70 kg", WEIGHT, 0, NULL);
	expect_value ("wt 154 lbs", WEIGHT, 69.85, "kg", NULL);
	expect_original ("wt 154 lbs", WEIGHT, 154, "[lb_av]");
	expect_value ("weighs 150 pounds", WEIGHT, 68.04, "kg", NULL);
	expect_value ("体重65公斤", WEIGHT, 65, "kg", NULL);
	expect_value ("体重65千克", WEIGHT, 65, "kg", NULL);
	expect_value ("体重130斤", WEIGHT, 65, "kg", NULL);
	expect_original ("体重130斤", WEIGHT, 130, "{jin}");
	expect_value ("birth weight 3200 g", WEIGHT, 3.2, "kg", NULL);
	expect_no_measurement ("weight 900 kg");
	/* no unit: kg, lb and 斤 are all plausible */
	expect_no_measurement ("She weighs about 120.");
	expect_no_measurement ("weight 0 kg");
}

Test (measure, height_units)
{
	expect_value ("height 170 cm", HEIGHT, 170, "cm", NULL);
	expect_value ("height 5'10\"", HEIGHT, 177.8, "cm", NULL);
	expect_original ("height 5'10\"", HEIGHT, 70, "[in_i]");
	expect_value ("height 5\u2032 10\u2033", HEIGHT, 177.8, "cm", NULL);
	expect_value ("ht 5 ft 10 in", HEIGHT, 177.8, "cm", NULL);
	expect_value ("height 1.75 m", HEIGHT, 175, "cm", NULL);
	expect_original ("height 1.75 m", HEIGHT, 1.75, "m");
	expect_value ("height 1.62", HEIGHT, 162, "cm", NULL);
	expect_value ("身高170厘米", HEIGHT, 170, "cm", NULL);
	expect_value ("身高1米70", HEIGHT, 170, "cm", NULL);
	expect_no_measurement ("height 5 cm");
}

Test (measure, bmi_by_language)
{
	/* WHO in English, WS/T 428 in Chinese */
	expect_value ("BMI 24.5", BMI, 24.5, "kg/m2", "normal");
	expect_value ("体重指数24.5", BMI, 24.5, "kg/m2", "high");
	expect_value ("BMI 24.9 kg/m2", BMI, 24.9, "kg/m2", "normal");
	expect_value ("BMI 25", BMI, 25, "kg/m2", "high");
	expect_value ("体重指数23.9", BMI, 23.9, "kg/m2", "normal");
	expect_value ("BMI 18.4", BMI, 18.4, "kg/m2", "low");
	expect_value ("BMI 18.5", BMI, 18.5, "kg/m2", "normal");
	expect_value ("BMI 31.2 kg/m²", BMI, 31.2, "kg/m2", "high");
}

/* ---- labs ---- */

Test (measure, glucose_units)
{
	expect_value ("glucose 126 mg/dL", GLUCOSE, 6.99, "mmol/L", "normal");
	expect_original ("glucose 126 mg/dL", GLUCOSE, 126, "mg/dL");
	expect_value ("blood sugar 250", GLUCOSE, 13.88, "mmol/L", "high");
	expect_value ("血糖 7.8 mmol/L", GLUCOSE, 7.8, "mmol/L", "normal");
	expect_value ("随机血糖11.1mmol/L", GLUCOSE, 11.1, "mmol/L", "high");
	expect_value ("BG 3.5", GLUCOSE, 3.5, "mmol/L", "low");
	/* fasting: ADA 5.6 in English, WHO/Chinese guideline 6.1 in Chinese */
	expect_value ("fasting glucose 5.5 mmol/L", FPG, 5.5, "mmol/L", "normal");
	expect_value ("fasting glucose 5.6 mmol/L", FPG, 5.6, "mmol/L", "high");
	expect_value ("FBG 100 mg/dL", FPG, 5.55, "mmol/L", "high");
	expect_value ("空腹血糖6.0mmol/L", FPG, 6.0, "mmol/L", "normal");
	expect_value ("空腹血糖6.1mmol/L", FPG, 6.1, "mmol/L", "high");
	expect_no_measurement ("glucose 2000 mg/dL");
}

Test (measure, hba1c)
{
	expect_value ("HbA1c 7.2%", A1C, 7.2, "%", "high");
	expect_value ("A1c 5.6%", A1C, 5.6, "%", "normal");
	expect_value ("A1c 5.7%", A1C, 5.7, "%", "high");
	expect_value ("hemoglobin A1c was 6.5 %", A1C, 6.5, "%", "high");
	expect_value ("糖化血红蛋白6.5%", A1C, 6.5, "%", "high");
	expect_value ("糖化 8.1%", A1C, 8.1, "%", "high");
	expect_value ("HbA1c 53 mmol/mol", A1C, 7.0, "%", "high");
	expect_original ("HbA1c 53 mmol/mol", A1C, 53, "mmol/mol");
	expect_no_measurement ("HbA1c 45%");
}

/* ---- common labs ---- */

#define HB "LOINC:718-7"
#define CREAT "LOINC:2160-0"
#define POTASSIUM "LOINC:2823-3"

Test (measure, common_labs)
{
	expect_value ("Hgb 7.9 g/dL", HB, 7.9, "g/dL", "low");
	/* a lab keeps the unit it was written in, mass or moles: g/L is Chinese practice */
	expect_value ("血红蛋白 110g/L", HB, 110, "g/L", "low");
	expect_original ("血红蛋白 110g/L", HB, 0, NULL);
	expect_value ("血红蛋白125", HB, 125, "g/L", "normal");
	expect_value ("WBC 18.6", "LOINC:6690-2", 18.6, "10*3/uL", "high");
	/* a lab keeps the unit written: 10*9/L, the same number as 10*3/uL */
	expect_value ("白细胞12.5×10^9/L", "LOINC:6690-2", 12.5, "10*9/L", "high");
	expect_value ("PLT 95", "LOINC:777-3", 95, "10*3/uL", "low");
	expect_value ("creatinine 2.3 mg/dL", CREAT, 2.3, "mg/dL", "high");
	expect_value ("血肌酐 176 μmol/L", CREAT, 176, "umol/L", "high");
	expect_value ("血肌酐 90", CREAT, 90, "umol/L", "normal");
	expect_value ("K 3.1", POTASSIUM, 3.1, "mmol/L", "low");
	expect_value ("potassium 5.0 mEq/L", POTASSIUM, 5.0, "meq/L", "normal");
	expect_value ("血钾5.2mmol/L", POTASSIUM, 5.2, "mmol/L", "normal");
	expect_value ("Na 126", "LOINC:2951-2", 126, "mmol/L", "low");
	expect_value ("INR 3.6 today", "LOINC:6301-6", 3.6, "{INR}", "high");
	expect_value ("TSH 11.2 mIU/L", "LOINC:3016-3", 11.2, "m[IU]/L", "high");
	expect_value ("LDL 162 mg/dL", "LOINC:2089-1", 162, "mg/dL", "high");
	expect_value ("低密度脂蛋白3.0mmol/L", "LOINC:2089-1", 3.0, "mmol/L", "normal");
	expect_value ("低密度脂蛋白3.5mmol/L", "LOINC:2089-1", 3.5, "mmol/L", "high");
	expect_value ("total cholesterol 5.8 mmol/L", "LOINC:2093-3", 5.8, "mmol/L", "high");
	expect_value ("TG 1.5 mmol/L", "LOINC:2571-8", 1.5, "mmol/L", "normal");
	expect_value ("CHF (EF 30%)", "LOINC:10230-1", 30, "%", "low");
	expect_value ("血尿酸560μmol/L", "LOINC:3084-1", 560, "umol/L", "high");
	expect_value ("uric acid 6.1 mg/dL", "LOINC:3084-1", 6.1, "mg/dL", "normal");
	/* an INR range or a range beside a target word is a target, not a reading; another range
	 * gives its two ends (README, "Forms and decisions"; tests/measure-forms.tsv) */
	expect_no_measurement ("INR 2.0~3.0");
	expect_no_measurement ("HR goal 80-100");
	expect_value ("CRP 45 mg/L", "LOINC:1988-5", 45, "mg/L", "high");
	expect_value ("腰围82cm", "LOINC:8280-0", 82, "cm", NULL);
	expect_value ("PHQ-9 today 14, GAD-7 11", "LOINC:44261-6", 14, "{score}", NULL);
	expect_value ("PHQ-9 today 14, GAD-7 11", "LOINC:70274-6", 11, "{score}", NULL);
	expect_no_measurement ("PHQ-9 30");
	expect_no_measurement ("K 12");
	expect_no_measurement ("He ran a 5 K race.");
	expect_no_measurement ("Hb electrophoresis pending");
}

/* ---- pain scores ---- */

Test (measure, pain_scores)
{
	g_autoptr (GArray) f = parse ("Pain 7/10 in the left knee");
	const SpFinding *pain = find (f, "HP:0030839");

	/* the n/10 still gives the pain (at the knee: Knee pain) its severity */
	cr_assert_not_null (pain);
	cr_assert_eq (pain->severity, SP_SEVERITY_SEVERE);
	expect_value ("Pain 7/10 in the left knee", PAIN_SCORE, 7, "{score}", NULL);
	expect_value ("7/10 pain", PAIN_SCORE, 7, "{score}", NULL);
	expect_value ("pain 3 out of 10", PAIN_SCORE, 3, "{score}", NULL);
	expect_value ("Pain 0/10", PAIN_SCORE, 0, "{score}", NULL);
	expect_value ("VAS 3", PAIN_SCORE, 3, "{score}", NULL);
	expect_value ("NRS 5/10", PAIN_SCORE, 5, "{score}", NULL);
	expect_value ("pain score of 8", PAIN_SCORE, 8, "{score}", NULL);
	expect_value ("疼痛评分7分", PAIN_SCORE, 7, "{score}", NULL);
	expect_value ("疼痛评分0分", PAIN_SCORE, 0, "{score}", NULL);
	expect_value ("VAS评分5分", PAIN_SCORE, 5, "{score}", NULL);
	expect_value ("头痛，疼痛7分", PAIN_SCORE, 7, "{score}", NULL);
	expect_no_measurement ("pain score 11");
	expect_no_measurement ("VAS 7/5");
	/* the pain symptom names its score */
	expect_value ("Pain: 0. Discharge from ear: no.", PAIN_SCORE, 0, "{score}", NULL);
	expect_value ("Headache, pain 6", PAIN_SCORE, 6, "{score}", NULL);
	expect_no_measurement ("pain for 3 days");
	expect_no_measurement ("pain 2 weeks ago");
	expect_no_measurement ("痛了3次");
	expect_value ("Severe headache since this morning, 8/10.", PAIN_SCORE, 8, "{score}", NULL);
	/* a score with no pain word in its clause is another scale's */
	expect_no_measurement ("The kid scored 7/10 on the quiz.");
	expect_no_measurement ("Nausea 5/10.");
	/* …Apgar's own, since it is a scale of the lexicon (round 5), never a pain score */
	expect_value ("Apgar评分9分", "MV:5009", 9, "{score}", NULL);
}

/* ---- vitals runs ---- */

Test (measure, vitals_runs)
{
	g_autoptr (GArray) f = parse ("T 38.5 P 102 R 22 BP 150/95");
	g_autoptr (GArray) z = parse ("查体：T 36.8℃，P 80次/分，R 18次/分，BP 120/80mmHg。");
	g_autofree gchar *all = dump (f);
	g_autofree gchar *allz = dump (z);

	cr_assert_eq (f->len, 5, "%s", all);
	expect_value ("T 38.5 P 102 R 22 BP 150/95", TEMP, 38.5, "Cel", "high");
	expect_value ("T 38.5 P 102 R 22 BP 150/95", HR, 102, "/min", "high");
	expect_value ("T 38.5 P 102 R 22 BP 150/95", RR, 22, "/min", "high");
	expect_value ("T 38.5 P 102 R 22 BP 150/95", DBP, 95, "mm[Hg]", "high");
	expect_value ("T: 37.2, P: 88, R: 18, BP: 120/78", RR, 18, "/min", "normal");
	expect_value ("BP 118/76 P 64", HR, 64, "/min", "normal");
	/* a letter with a unit of its own needs no run */
	expect_value ("O: T 37.9 C, R TM bulging", TEMP, 37.9, "Cel", "normal");
	expect_value ("主诉腹痛，T 37.8℃，考虑阑尾炎。", TEMP, 37.8, "Cel", "high");
	/* names glued to their values */
	expect_value ("VS: T98.6 P72 BP128/84 RR16 O2 98%RA", TEMP, 37, "Cel", "normal");
	expect_value ("VS: T98.6 P72 BP128/84 RR16 O2 98%RA", HR, 72, "/min", "normal");
	expect_value ("VS: T98.6 P72 BP128/84 RR16 O2 98%RA", DBP, 84, "mm[Hg]", "high");
	expect_value ("VS: T98.6 P72 BP128/84 RR16 O2 98%RA", RR, 16, "/min", "normal");
	expect_value ("VS: T98.6 P72 BP128/84 RR16 O2 98%RA", SPO2, 98, "%", "normal");
	expect_no_measurement ("P72");
	cr_assert_eq (z->len, 5, "%s", allz);
	expect_value ("查体：T 36.8℃，P 80次/分，R 18次/分，BP 120/80mmHg。", HR, 80, "/min",
		      "normal");
}

Test (measure, single_letters_outside_a_run_are_nothing)
{
	expect_no_measurement ("P 102");
	expect_no_measurement ("Plan: R 22 is the room.");
	expect_no_measurement ("see note p 12");
	expect_no_measurement ("Vitamin D level 20");
	expect_no_measurement ("Appendix P 3, section R 4.");
}

Test (measure, names_without_values_are_no_findings)
{
	expect_no_measurement ("BP was not taken today.");
	expect_no_measurement ("Checked her weight and height.");
	expect_no_measurement ("测血压，量体温");
	expect_no_measurement ("Blood sugar well controlled.");
	expect_no_measurement ("pain score");
}

Test (measure, a_measured_value_is_present)
{
	g_autoptr (GArray) f = parse ("No fever, T 36.8 P 80.");
	const SpFinding *t = find (f, TEMP);

	cr_assert_not_null (t);
	cr_assert_eq (t->polarity, SP_POLARITY_PRESENT);
	cr_assert_eq (find (f, "HP:0001945")->polarity, SP_POLARITY_ABSENT);
}

Test (measure, repeated_measurements_merge)
{
	g_autoptr (GArray) f = parse ("BP 120/80. BP 120/80. BP 150/95.");

	cr_assert_eq (f->len, 4);
	cr_assert_eq (find (f, SBP)->n_mentions, 2);
	cr_assert_eq (find (f, DBP)->n_mentions, 2);
}

/* ---- weight change ---- */

Test (measure, weight_lost_is_a_symptom)
{
	static const gchar *const loss[] = {
		"lost 5 kg",	     "He has lost 10 lbs in a month",
		"dropped 12 pounds", "掉了5斤",
		"最近减了3公斤",     "体重下降5公斤",
		"三个月瘦了10斤",
	};
	for (guint i = 0; i < G_N_ELEMENTS (loss); i++) {
		g_autoptr (GArray) f = parse (loss[i]);
		g_autofree gchar *all = dump (f);
		const SpFinding *w = find (f, "HP:0001824");
		cr_assert_not_null (w, "%s:%s", loss[i], all);
		cr_assert_eq (w->polarity, SP_POLARITY_PRESENT, "%s", loss[i]);
		cr_assert_null (find (f, WEIGHT), "%s:%s", loss[i], all);
		cr_assert_eq (f->len, 1, "%s:%s", loss[i], all);
	}
	{
		g_autoptr (GArray) f = parse ("gained 4 kg since spring");
		cr_assert_not_null (find (f, "HP:0004324"));
	}
	{
		g_autoptr (GArray) f = parse ("denies losing 5 kg");
		cr_assert_eq (find (f, "HP:0001824")->polarity, SP_POLARITY_ABSENT);
	}
}

/* ---- medications ---- */

static const SpFinding *
expect_med (const gchar *text,
	    const gchar *code,
	    gdouble dose,
	    const gchar *dose_unit,
	    const gchar *freq,
	    const gchar *route)
{
	static GArray *keep; /* the finding points into it: kept until the next call */
	const SpFinding *m;
	g_autofree gchar *all = NULL;

	g_clear_pointer (&keep, g_array_unref);
	keep = parse (text);
	all = dump (keep);
	m = find (keep, code);
	cr_assert_not_null (m, "%s: no %s in:%s", text, code, all);
	cr_assert_eq (m->kind, SP_FINDING_MEDICATION, "%s:%s", text, all);
	if (dose_unit != NULL) {
		cr_assert_str_eq (m->dose_unit, dose_unit, "%s:%s", text, all);
		cr_assert (fabs (m->dose_value - dose) < 1e-9, "%s:%s", text, all);
	} else {
		cr_assert_null (m->dose_unit, "%s:%s", text, all);
	}
	cr_assert_str_eq (m->frequency ? m->frequency : "none", freq ? freq : "none", "%s:%s", text,
			  all);
	cr_assert_str_eq (m->route ? m->route : "none", route ? route : "none", "%s:%s", text, all);
	return m;
}

#define METFORMIN "ATC:A10BA02"

Test (measure, medication_doses_and_schedules_en)
{
	expect_med ("metformin 500 mg PO BID", METFORMIN, 500, "mg", "BID", "oral");
	expect_med ("Metformin 1000mg twice daily with meals", METFORMIN, 1000, "mg", "BID", NULL);
	expect_med ("metformin 500 mg by mouth 2 times a day", METFORMIN, 500, "mg", "BID", "oral");
	expect_med ("metformin ER 750 mg tablet daily", METFORMIN, 750, "mg", "QD", NULL);
	expect_med ("Lisinopril 10mg daily", "ATC:C09AA03", 10, "mg", "QD", NULL);
	expect_med ("atorvastatin 40 mg qhs", "ATC:C10AA05", 40, "mg", "QHS", NULL);
	expect_med ("Lipitor 20 mg at bedtime", "ATC:C10AA05", 20, "mg", "QHS", NULL);
	expect_med ("albuterol 2 puffs q4h prn", "ATC:R03AC02", 2, "{puff}", "PRN", NULL);
	expect_med ("insulin glargine 20 units SC at bedtime", "ATC:A10AE04", 20, "[iU]", "QHS",
		    "sc");
	expect_med ("aspirin 81 mg once a day", "ATC:B01AC06", 81, "mg", "QD", NULL);
	expect_med ("Eliquis 5 mg b.i.d.", "ATC:B01AF02", 5, "mg", "BID", NULL);
	expect_med ("Tylenol 500 mg p.o. q6h p.r.n.", "ATC:N02BE01", 500, "mg", "PRN", "oral");
	expect_med ("acetaminophen 1 g q8h", "ATC:N02BE01", 1, "g", "Q8H", NULL);
	/* a combination strength is no dose; a dose by weight neither */
	expect_med ("Entresto 49/51 mg BID", "ATC:C09DX04", 0, NULL, "BID", NULL);
	expect_med ("Symbicort 160/4.5, 2 puffs BID", "ATC:R03AK07", 2, "{puff}", "BID", NULL);
	expect_med ("amoxicillin 90 mg/kg/day divided BID x 10 days", "ATC:J01CA04", 0, NULL, "BID",
		    NULL);
	/* a change of dose: the new one */
	expect_med ("Lowered my Lantus from 24 to 20 units", "ATC:A10AE04", 20, "[iU]", NULL, NULL);
	expect_med ("Increase Glucophage to 1000 mg BID", METFORMIN, 1000, "mg", "BID", NULL);
	/* a bare number right after the drug: mg, units for an insulin */
	expect_med ("On ASA 81, atorvastatin 40.", "ATC:B01AC06", 81, "mg", NULL, NULL);
	expect_med ("Lipitor 80 and metoprolol", "ATC:C10AA05", 80, "mg", NULL, NULL);
	expect_med ("Lantus 24 at night", "ATC:A10AE04", 24, "[iU]", "QHS", NULL);
	expect_med ("KCl 40 mEq PO", "ATC:A12BA01", 40, "meq", NULL, "oral");
	expect_med ("albuterol inhaler 2 puffs PRN", "ATC:R03AC02", 2, "{puff}", "PRN", "inhaled");
	expect_med ("levothyroxine 50 mcg every morning", "ATC:H03AA01", 50, "ug", "QAM", NULL);
	expect_med ("ceftriaxone 1 g IV q24h", "ATC:J01DD04", 1, "g", NULL, "iv");
	expect_med ("IV ceftriaxone", "ATC:J01DD04", 0, NULL, NULL, "iv");
	expect_med ("alendronate 70 mg weekly", "ATC:M05BA04", 70, "mg", "QW", NULL);
	expect_med ("warfarin 5 mg every other day", "ATC:B01AA03", 5, "mg", "QOD", NULL);
	expect_med ("Plavix 75 mg qd", "ATC:B01AC04", 75, "mg", "QD", NULL);
	expect_med ("metformin", METFORMIN, 0, NULL, NULL, NULL);
	/* brands that are also ordinary words are left out of the lexicon: 可定 (Crestor) would
	 * match inside 可定期复查 */
	{
		g_autoptr (GArray) f = parse ("可定期复查血脂");
		cr_assert_null (find (f, "ATC:C10AA07"));
	}
	/* a dose belongs to the drug it follows */
	{
		g_autoptr (GArray) f = parse ("metformin, lisinopril 10 mg daily");
		cr_assert_null (find (f, METFORMIN)->dose_unit);
		cr_assert_str_eq (find (f, "ATC:C09AA03")->dose_unit, "mg");
	}
}

Test (measure, medication_doses_and_schedules_zh)
{
	expect_med ("二甲双胍0.5g 每日三次 口服", METFORMIN, 0.5, "g", "TID", "oral");
	expect_med ("口服阿司匹林100mg qd", "ATC:B01AC06", 100, "mg", "QD", "oral");
	expect_med ("阿司匹林肠溶片 100mg 每日一次", "ATC:B01AC06", 100, "mg", "QD", NULL);
	expect_med ("阿托伐他汀 20mg 每晚睡前", "ATC:C10AA05", 20, "mg", "QHS", NULL);
	expect_med ("布洛芬混悬液 5ml 必要时", "ATC:M01AE01", 5, "mL", "PRN", NULL);
	expect_med ("氨氯地平5mg 一天一次", "ATC:C08CA01", 5, "mg", "QD", NULL);
	expect_med ("格华止 每次1片，每日2次", METFORMIN, 1, "{tbl}", "BID", NULL);
	expect_med ("胰岛素 10单位 皮下注射", "ATC:A10A", 10, "[iU]", NULL, "sc");
	expect_med ("硝苯地平控释片30mg bid", "ATC:C08CA05", 30, "mg", "BID", NULL);
	expect_med ("头孢克肟 每8小时一次", "ATC:J01DD08", 0, NULL, "Q8H", NULL);
	expect_med ("拜阿司匹灵", "ATC:B01AC06", 0, NULL, NULL, NULL);
	/* a Chinese numeral before a time is no dose */
	expect_med ("吃立普妥和二甲双胍两年了", METFORMIN, 0, NULL, NULL, NULL);
	expect_med ("metformin 2 years ago", METFORMIN, 0, NULL, NULL, NULL);
	expect_med ("二甲双胍 每次一片、早晚各一次", METFORMIN, 1, "{tbl}", "BID", NULL);
	expect_med ("氯吡格雷半片 qd", "ATC:B01AC04", 0.5, "{tbl}", "QD", NULL);
	expect_med ("布地奈德 雾化 每日两次", "ATC:R03BA02", 0, NULL, "BID", "inhaled");
	expect_med ("胰岛素 早上12个单位", "ATC:A10A", 12, "[iU]", NULL, NULL);
	expect_med ("予头孢曲松2g ivgtt qd抗感染", "ATC:J01DD04", 2, "g", "QD", "iv");
	expect_med ("继续服用缬沙坦80mg qd", "ATC:C09CA03", 80, "mg", "QD", "oral");
	expect_med ("含了硝酸甘油有效", "ATC:C01DA02", 0, NULL, NULL, "sublingual");
	/* a brand in parentheses after the generic name does not end the generic's schedule */
	expect_med ("规律吸入布地奈德福莫特罗（信必可）160/4.5μg 每日两次", "ATC:R03AK07", 0, NULL,
		    "BID", "inhaled");
}

Test (measure, medication_names_classes_and_brands)
{
	static const struct {
		const gchar *text;
		const gchar *code;
	} names[] = {
		{ "Glucophage", METFORMIN },
		{ "格华止", METFORMIN },
		{ "Norvasc", "ATC:C08CA01" },
		{ "络活喜", "ATC:C08CA01" },
		{ "Xarelto", "ATC:B01AF01" },
		{ "Coumadin", "ATC:B01AA03" },
		{ "Zocor", "ATC:C10AA01" },
		{ "Crestor", "ATC:C10AA07" },
		{ "瑞舒伐他汀钙", "ATC:C10AA07" },
		{ "Synthroid", "ATC:H03AA01" },
		{ "Ventolin", "ATC:R03AC02" },
		{ "Lasix", "ATC:C03CA01" },
		{ "Zestril", "ATC:C09AA03" },
		{ "Cozaar", "ATC:C09CA01" },
		{ "Advil", "ATC:M01AE01" },
		{ "波立维", "ATC:B01AC04" },
		{ "拜新同", "ATC:C08CA05" },
		{ "立普妥", "ATC:C10AA05" },
		{ "statins", "ATC:C10AA" },
		{ "他汀类", "ATC:C10AA" },
		{ "ACE inhibitor", "ATC:C09AA" },
		{ "beta blockers", "ATC:C07A" },
		{ "头孢", "ATC:J01D" },
		{ "头孢类", "ATC:J01D" },
		{ "青霉素", "ATC:J01CE01" },
		{ "阿莫西林", "ATC:J01CA04" },
		{ "amoxicillin-clavulanate", "ATC:J01CR02" },
		{ "sulfa drugs", "ATC:J01E" },
		{ "华法林", "ATC:B01AA03" },
		{ "SGLT2 inhibitors", "ATC:A10BK" },
		{ "Voltaren gel", "ATC:M02AA15" },
		{ "blue inhaler", "ATC:R03AC02" },
		{ "steroid inhaler", "ATC:R03BA" },
		{ "维生素K1", "ATC:B02BA01" },
		{ "钙片", "ATC:A12AA04" },
	};
	for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
		g_autoptr (GArray) f = parse (names[i].text);
		g_autofree gchar *all = dump (f);
		const SpFinding *m = find (f, names[i].code);
		cr_assert_not_null (m, "%s: no %s in:%s", names[i].text, names[i].code, all);
		cr_assert_eq (m->kind, SP_FINDING_MEDICATION, "%s", names[i].text);
	}
}

Test (measure, penicillin_allergy_names_the_drug)
{
	g_autoptr (GArray) f = parse ("Allergic to penicillin (rash).");
	g_autofree gchar *all = dump (f);
	const SpFinding *p = find (f, "ATC:J01CE01");

	/* kind allergy is the context's business (i11-context); the substance is matched here */
	cr_assert_not_null (p, "%s", all);
	cr_assert (g_strv_contains ((const gchar *const *)p->concept->xrefs, "ATC:J01C"));
	cr_assert (g_strv_contains ((const gchar *const *)p->concept->xrefs, "ATC:J01CE"));
}

/* ---- substances: the negated terms of MV:4000 Drug allergy ---- */

static void
expect_term (gboolean zh, const gchar *key, const gchar *code, gboolean negated)
{
	const SpLexicon *lex = sp_parser_get_lexicon (sp_test_parser);
	gpointer packed = g_hash_table_lookup (zh ? lex->zh_concepts : lex->en_concepts, key);
	SpTerm t;
	gboolean neg;
	const SpConcept *c;

	cr_assert_not_null (packed, "no term '%s'", key);
	sp_term_unpack (packed, &t, &neg);
	cr_assert_eq (t.kind, SP_TERM_CONCEPT);
	c = g_ptr_array_index (lex->concepts, t.index);
	cr_assert_str_eq (c->code, code, "%s", key);
	cr_assert_eq (neg, negated, "%s", key);
}

Test (measure, substances_and_no_known_allergies)
{
	expect_term (FALSE, "nkda", "MV:4000", TRUE);
	/* "no known drug allergies": the key is the singular */
	expect_term (FALSE, "no known drug allergy", "MV:4000", TRUE);
	expect_term (FALSE, "drug allergy", "MV:4000", FALSE);
	expect_term (TRUE, "无药物过敏史", "MV:4000", TRUE);
	expect_term (TRUE, "否认药物过敏史", "MV:4000", TRUE);
	expect_term (TRUE, "药物过敏", "MV:4000", FALSE);
	expect_term (FALSE, "peanut", "MV:4001", FALSE);
	expect_term (TRUE, "海鲜", "MV:4004", FALSE);
	expect_term (FALSE, "latex", "MV:4011", FALSE);
	expect_term (TRUE, "花粉", "MV:4012", FALSE);
	expect_term (TRUE, "尘螨", "MV:4013", FALSE);
	expect_term (TRUE, "造影剂", "MV:4016", FALSE);
	{
		const SpLexicon *lex = sp_parser_get_lexicon (sp_test_parser);
		SpTerm t;
		gboolean neg;
		sp_term_unpack (g_hash_table_lookup (lex->en_concepts, "peanut"), &t, &neg);
		cr_assert_eq (((SpConcept *)g_ptr_array_index (lex->concepts, t.index))->kind,
			      SP_CONCEPT_SUBSTANCE);
	}
}

/* ---- hostile input ---- */

Test (measure, hostile_numbers_and_units)
{
	static const gchar *const texts[] = {
		"BP 999999999999999999999999/90",
		"temperature 1e308",
		"HR 1/0",
		"1/0",
		"BP 140/",
		"/90",
		"38..5℃",
		"38.5.5℃",
		"℃",
		"%",
		"kg mmHg bpm 次/分 mmol/L",
		"BP ////////",
		"T T T T T P P P R R R",
		"weight -5 kg",
		"height 5'99\"",
		"metformin 99999999999999 mg",
		"metformin mg mg mg bid bid",
		"口服",
		"每日次",
		"每8小时",
	};
	for (guint i = 0; i < G_N_ELEMENTS (texts); i++) {
		g_autoptr (GArray) f = parse (texts[i]);
		for (guint k = 0; k < f->len; k++) {
			const SpFinding *m = &g_array_index (f, SpFinding, k);
			cr_assert (isfinite (m->value.value) && isfinite (m->dose_value), "%s",
				   texts[i]);
			cr_assert (m->kind != SP_FINDING_MEASUREMENT, "%s: %s", texts[i],
				   m->concept->code);
		}
	}
	/* a long number glued to a unit is not a temperature */
	{
		g_autofree gchar *digits = g_strnfill (100000, '9');
		g_autofree gchar *t = g_strconcat ("体温", digits, "℃", NULL);
		expect_no_measurement (t);
	}
}

Test (measure, long_vitals_texts_are_linear)
{
	GString *s = g_string_new (NULL);
	g_autoptr (GArray) f = NULL;
	gint64 t0;

	while (s->len < 512 * 1024)
		g_string_append (s, "T 38.5 P 102 R 22 BP 150/95 metformin 500 mg bid ");
	t0 = g_get_monotonic_time ();
	f = parse (s->str);
	cr_assert_lt (g_get_monotonic_time () - t0, 10 * G_USEC_PER_SEC);
	/* merged: 5 measurements and one medication */
	cr_assert_eq (f->len, 6);
	g_string_free (s, TRUE);
}

/* A weight in pounds needs no name ("I'm 5'7 and 210 lbs"); a change of weight is no weight. */
Test (measure, pounds_alone_are_a_weight)
{
	expect_value ("I'm 5'7 and 210 lbs.", WEIGHT, 95.25, "kg", NULL);
	expect_value ("He is 180 pounds now", WEIGHT, 81.65, "kg", NULL);
	expect_no_measurement ("I lost 10 lbs this month.");
	expect_no_measurement ("down 5 pounds since May");
}
