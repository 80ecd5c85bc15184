/*
 * Context rules of issue 11, round 5, with the REAL data directory (test-context-rules.c is at
 * its size limit): when a measured value was taken (an earlier reading of a measurement is
 * historical, the later one current), each in English and Chinese and in variants written from
 * how clinicians write, not from the evaluation sets, with controls that must not change.
 */
#define G_LOG_DOMAIN "test-context-rules-2"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "sp-parser.h"
#include "sp-test-data.h"

TestSuite (context2, .init = sp_test_data_setup, .fini = sp_test_data_teardown);

#define TEMP "LOINC:8310-5"
#define SBP "LOINC:8480-6"
#define DBP "LOINC:8462-4"
#define HR "LOINC:8867-4"
#define WEIGHT "LOINC:29463-7"
#define GLUCOSE "LOINC:15074-8"
#define FPG "LOINC:14771-0"
#define HBA1C "LOINC:4548-4"
#define SODIUM "LOINC:2951-2"
#define HB "LOINC:718-7"

static gchar *
dump (GArray *findings)
{
	GString *s = g_string_new (NULL);

	for (guint i = 0; i < findings->len; i++) {
		const SpFinding *f = &g_array_index (findings, SpFinding, i);
		g_string_append_printf (s, "\n  %s %s %s %s value=%g",
					sp_finding_kind_to_string (f->kind), f->concept->code,
					sp_polarity_to_string (f->polarity),
					f->historical ? "historical" : "current", f->value.value);
	}
	return g_string_free (s, FALSE);
}

/* One reading a sentence must give: its code, its value as written (the canonical value when
 * @original is 0, else the original one) and its temporality ('c' or 'h'). */
typedef struct {
	const gchar *code;
	gdouble value;
	gchar temporality;
} Reading;

static void
check_readings (const gchar *sentence, const Reading *want, gsize n)
{
	g_autoptr (GArray) findings = sp_test_parse (sentence, NULL);
	g_autofree gchar *all = dump (findings);

	for (gsize i = 0; i < n; i++) {
		const SpFinding *f = NULL;
		for (guint j = 0; j < findings->len && f == NULL; j++) {
			const SpFinding *c = &g_array_index (findings, SpFinding, j);
			gdouble v = c->value.original_unit != NULL ? c->value.original_value
								   : c->value.value;
			if (g_strcmp0 (c->concept->code, want[i].code) == 0
			    && fabs (v - want[i].value) < 0.001)
				f = c;
		}
		cr_assert_not_null (f, "'%s': no %s of %g%s", sentence, want[i].code, want[i].value,
				    all);
		cr_expect_eq (f->historical, want[i].temporality == 'h', "'%s' %s %g: want %s%s",
			      sentence, want[i].code, want[i].value,
			      want[i].temporality == 'h' ? "historical" : "current", all);
	}
}

#define CHECK(sentence, ...)                                                                       \
	do {                                                                                       \
		const Reading want_[] = { __VA_ARGS__ };                                           \
		check_readings (sentence, want_, G_N_ELEMENTS (want_));                            \
	} while (0)

/* an earlier reading dated after its value: "on admission", "at presentation", "baseline" */
Test (context2, earlier_reading_dated_after_en)
{
	CHECK ("Sodium 128 on admission, 136 this morning.", { SODIUM, 128, 'h' },
	       { SODIUM, 136, 'c' });
	CHECK ("Glucose 22 mmol/L at presentation, 9.4 mmol/L after insulin.", { GLUCOSE, 22, 'h' },
	       { GLUCOSE, 9.4, 'c' });
	CHECK ("HR 124 (baseline 80), afebrile.", { HR, 124, 'c' }, { HR, 80, 'h' });
	CHECK ("Hgb 8.1 g/dL today (11.9 g/dL pre-op).", { HB, 8.1, 'c' }, { HB, 11.9, 'h' });
}

/* an earlier reading told before its value: "previously", "earlier", "from", Tmax, an arrow */
Test (context2, earlier_reading_dated_before_en)
{
	CHECK ("Weight 70 kg, previously 76 kg.", { WEIGHT, 70, 'c' }, { WEIGHT, 76, 'h' });
	CHECK ("Temp now 37.2, earlier 38.9.", { TEMP, 37.2, 'c' }, { TEMP, 38.9, 'h' });
	CHECK ("A1c 9.2% -> 7.1% on the new regimen.", { HBA1C, 9.2, 'h' }, { HBA1C, 7.1, 'c' });
	CHECK ("Tmax 39.4 overnight; T 37.6 this morning.", { TEMP, 39.4, 'h' },
	       { TEMP, 37.6, 'c' });
}

/* a pair is one reading: both numbers take the pair's time */
Test (context2, blood_pressure_pairs)
{
	CHECK ("BP 180/100 on arrival, 138/82 after treatment.", { SBP, 180, 'h' },
	       { DBP, 100, 'h' }, { SBP, 138, 'c' }, { DBP, 82, 'c' });
	CHECK ("入院时血压170/105mmHg，出院时血压130/80mmHg。", { SBP, 170, 'h' },
	       { DBP, 105, 'h' }, { SBP, 130, 'c' }, { DBP, 80, 'c' });
}

/* 入院时, 原来, 孕前, 最高 date the earlier reading; 降至, 复查, 现在 name the later one */
Test (context2, earlier_reading_zh)
{
	CHECK ("体重原来65kg，现在58kg。", { WEIGHT, 65, 'h' }, { WEIGHT, 58, 'c' });
	CHECK ("空腹血糖由9.8降至6.5mmol/L。", { FPG, 9.8, 'h' }, { FPG, 6.5, 'c' });
	CHECK ("心率最高150次/分，复查心率88次/分。", { HR, 150, 'h' }, { HR, 88, 'c' });
	CHECK ("孕前体重52kg，现体重61kg。", { WEIGHT, 52, 'h' }, { WEIGHT, 61, 'c' });
}

/* controls: a lone reading stays as its clause says, a conversion is the same reading, the ends
 * of a range are both today's, readings with no word of time are both current */
Test (context2, readings_that_stay_current)
{
	CHECK ("Vitals on admission: HR 96, T 37.1.", { HR, 96, 'c' }, { TEMP, 37.1, 'c' });
	CHECK ("Weight 90 kg (198 lb).", { WEIGHT, 90, 'c' }, { WEIGHT, 198, 'c' });
	CHECK ("HR 100-110 at rest.", { HR, 100, 'c' }, { HR, 110, 'c' });
	CHECK ("糖耐量：空腹5.1，2小时9.6。", { FPG, 5.1, 'c' });
	CHECK ("My sugar was 9.1 on Monday and 8.4 on Friday.", { GLUCOSE, 9.1, 'c' },
	       { GLUCOSE, 8.4, 'c' });
}

/* ---- habits: tobacco use told over (resolved), denied, or as a form's answer ---- */

#define TOBACCO "HP:0430133"

/* @code must be reported exactly once in @sentence, with @polarity, temporality 'c' or 'h'
 * and @status ("" none). */
static void
check_once (const gchar *sentence,
	    const gchar *code,
	    const gchar *polarity,
	    gchar temporality,
	    const gchar *status)
{
	g_autoptr (GArray) findings = sp_test_parse (sentence, NULL);
	g_autofree gchar *all = dump (findings);
	const SpFinding *f = NULL;
	guint n = 0;

	for (guint i = 0; i < findings->len; i++) {
		const SpFinding *c = &g_array_index (findings, SpFinding, i);
		if (g_strcmp0 (c->concept->code, code) == 0) {
			f = c;
			n++;
		}
	}
	cr_assert_eq (n, 1, "'%s': %u findings of %s, want 1%s", sentence, n, code, all);
	cr_expect_str_eq (sp_polarity_to_string (f->polarity), polarity, "'%s': polarity%s",
			  sentence, all);
	cr_expect_eq (f->historical, temporality == 'h', "'%s': temporality%s", sentence, all);
	cr_expect_str_eq (sp_status_to_string (f->status) ? sp_status_to_string (f->status) : "",
			  status, "'%s': status%s", sentence, all);
}

/* a habit named and then said to be over in the same sentence is one resolved habit */
Test (context2, habit_told_then_quit)
{
	check_once ("吸烟史20年，已戒烟5年。", TOBACCO, "present", 'h', "resolved");
	check_once ("抽烟二十多年，戒烟3年了。", TOBACCO, "present", 'h', "resolved");
	check_once ("Smoker for 30 years, ex-smoker since 2010.", TOBACCO, "present", 'h',
		    "resolved");
	check_once ("Tobacco: former, quit 2015.", TOBACCO, "present", 'h', "resolved");
	check_once ("30 pk-yr history, quit in 2012.", TOBACCO, "present", 'h', "resolved");
	/* controls: current habits */
	check_once ("吸烟20年，每天1包。", TOBACCO, "present", 'c', "active");
	check_once ("Smokes 10 a day and plans to cut down.", TOBACCO, "present", 'c', "active");
}

/* a form's answer and the combined 烟酒 forms */
Test (context2, habit_denied)
{
	check_once ("吸烟：否；饮酒：否。", TOBACCO, "absent", 'c', "");
	check_once ("烟酒史无。", TOBACCO, "absent", 'c', "");
	check_once ("个人史：无烟酒嗜好。", TOBACCO, "absent", 'c', "");
	check_once ("否认烟酒史。", TOBACCO, "absent", 'c', "");
	check_once ("Smoking: never.", TOBACCO, "absent", 'c', "");
	check_once ("Denies tobacco, alcohol or drug use.", TOBACCO, "absent", 'c', "");
	/* controls: a form's yes, and a habit of both */
	check_once ("吸烟：是，饮酒：偶尔。", TOBACCO, "present", 'c', "active");
	check_once ("有烟酒史30年。", TOBACCO, "present", 'c', "active");
}

/* ---- Chinese terms that open with a Latin word, and words that only look like terms ---- */

/* @code is no finding of @sentence */
static void
check_no (const gchar *sentence, const gchar *code)
{
	g_autoptr (GArray) findings = sp_test_parse (sentence, NULL);
	g_autofree gchar *all = dump (findings);

	for (guint i = 0; i < findings->len; i++)
		cr_expect_str_neq (g_array_index (findings, SpFinding, i).concept->code, code,
				   "'%s': %s reported%s", sentence, code, all);
}

Test (context2, zh_terms_opening_with_latin)
{
	check_once ("体检发现Hp阳性，准备四联疗法。", "HP:0005202", "present", 'c', "active");
	check_once ("呼气试验提示HP感染。", "HP:0005202", "present", 'c', "active");
	check_once ("HBsAg阳性多年，肝功能正常。", "DOID:2043", "present", 'c', "active");
	check_once ("孩子发烧一周，查EB病毒阳性。", "DOID:2938", "present", 'c', "active");
	check_once ("心电图示ST段压低。", "HP:0012250", "present", 'c', "");
	/* the longest term wins: the ST elevation of a STEMI is no finding of its own */
	check_once ("诊断：急性ST段抬高型心肌梗死（前壁）。", "HP:0001658", "present", 'c',
		    "active");
	check_no ("诊断：急性ST段抬高型心肌梗死（前壁）。", "HP:0012251");
	/* a Latin word glued to a Han word only starts a term at its own start */
	check_no ("ECGST段抬高", "HP:0012251");
}

Test (context2, zh_words_that_only_look_like_terms)
{
	check_no ("我想吐槽一下挂号太难了。", "HP:0002018");
	check_no ("在抖音上看到一个偏方。", "HP:0001337");
	/* controls */
	check_once ("吃完饭就想吐。", "HP:0002018", "present", 'c', "");
	check_once ("恶心情况较前好转。", "HP:0002018", "present", 'c', "");
	check_once ("手抖得厉害。", "HP:0001337", "present", 'c', "");
}

/* ---- plans: a drug for when the first one fails is possible, like one taken when needed ---- */

Test (context2, zh_drug_if_the_first_fails)
{
	check_once ("二甲双胍0.5g bid，效果不佳改用胰岛素。", "ATC:A10A", "possible", 'c', "");
	check_once ("氨氯地平5mg qd，血压控制不佳时加用缬沙坦。", "ATC:C09CA03", "possible", 'c',
		    "");
	check_once ("胸痛需要时含服硝酸甘油。", "ATC:C01DA02", "possible", 'c', "");
	/* controls: the drug taken first, a regimen, and a reliever the patient uses in attacks */
	check_once ("二甲双胍0.5g bid，效果不佳改用胰岛素。", "ATC:A10BA02", "present", 'c', "");
	check_once ("规律服用氨氯地平5mg qd。", "ATC:C08CA01", "present", 'c', "");
	check_once ("哮喘急性发作时用万托林2喷。", "ATC:R03AC02", "present", 'c', "");
}

/* ---- what is to be prevented is absent; a cue right before the next finding is that one's ---- */

Test (context2, prevented_and_next_finding_cues)
{
	check_once ("Enoxaparin 40 mg SC daily for DVT prophylaxis.", "HP:0002625", "absent", 'c',
		    "");
	check_once ("Aspirin 75 mg for prevention of stroke.", "HP:0001297", "absent", 'c', "");
	check_once ("Omeprazole to prevent GI bleeding while on steroids.", "HP:0002239", "absent",
		    'c', "");
	check_once ("Weight gain and possible akathisia on olanzapine.", "HP:0004324", "present",
		    'c', "");
	check_once ("Cough and possible pneumonia.", "HP:0012735", "present", 'c', "");
	/* controls: the drug given stays present, the cue's own finding stays possible, and a
	 * post-trigger with no finding after it still reaches back */
	check_once ("Enoxaparin 40 mg SC daily for DVT prophylaxis.", "ATC:B01AB05", "present", 'c',
		    "");
	check_once ("Weight gain and possible akathisia on olanzapine.", "HP:0031943", "possible",
		    'c', "");
	check_once ("Pneumonia possible on the X-ray.", "HP:0002090", "possible", 'c', "unknown");
}

/* ---- forum posts call their writer and readers sisters ---- */

static void
check_family (const gchar *sentence, const gchar *code, gboolean family)
{
	g_autoptr (GArray) findings = sp_test_parse (sentence, NULL);
	g_autofree gchar *all = dump (findings);
	const SpFinding *f = NULL;

	for (guint i = 0; i < findings->len && f == NULL; i++) {
		if (g_strcmp0 (g_array_index (findings, SpFinding, i).concept->code, code) == 0)
			f = &g_array_index (findings, SpFinding, i);
	}
	cr_assert_not_null (f, "'%s': no %s%s", sentence, code, all);
	cr_expect_eq (f->family, family, "'%s' %s: want %s%s", sentence, code,
		      family ? "family" : "patient", all);
}

Test (context2, forum_sisters)
{
	check_family ("求助！！28岁姐妹，月经推迟已经3个多月了。", "HP:0000141", FALSE);
	check_family ("姐妹们，我怀孕24周，血糖高，好焦虑。", "HP:0003074", FALSE);
	check_family ("有没有姐妹吃过二甲双胍？我吃了就拉肚子。", "HP:0002014", FALSE);
	/* controls: a sister named as a relative */
	check_family ("她的姐妹有乳腺癌。", "DOID:1612", TRUE);
	check_family ("我姐妹有甲减。", "HP:0000821", TRUE);
}

/* ---- round 6: a question its form or interview answers ---- */

/* @code is a finding of @sentence with @polarity */
static void
check_polarity (const gchar *sentence, const gchar *code, const gchar *polarity)
{
	g_autoptr (GArray) findings = sp_test_parse (sentence, NULL);
	g_autofree gchar *all = dump (findings);
	const SpFinding *f = NULL;

	for (guint i = 0; i < findings->len && f == NULL; i++) {
		if (g_strcmp0 (g_array_index (findings, SpFinding, i).concept->code, code) == 0)
			f = &g_array_index (findings, SpFinding, i);
	}
	cr_assert_not_null (f, "'%s': no %s%s", sentence, code, all);
	cr_expect_str_eq (sp_polarity_to_string (f->polarity), polarity, "'%s' %s%s", sentence,
			  code, all);
}

Test (context2, form_question_with_ticked_answer)
{
	check_polarity ("3. 最近一周有无咳嗽？□有 ☑无", "HP:0012735", "absent");
	check_polarity ("是否出过皮疹？ ☑是 □否", "HP:0000988", "present");
	check_polarity ("Any seizures in the past year? [ ] Yes [x] No", "HP:0001250", "absent");
	/* controls: no box ticked is still a question; a question with no form stays possible */
	check_polarity ("是否发热？□是 □否", "HP:0001945", "possible");
	check_polarity ("孩子是不是发烧了？", "HP:0001945", "possible");
}

Test (context2, interview_question_and_answer)
{
	check_polarity ("Q: Do you get chest pain or palpitations? A: No.", "HP:0100749", "absent");
	check_polarity ("Q: Do you get chest pain or palpitations? A: No.", "HP:0001962", "absent");
	check_polarity ("Q: Any cough at night? A: Yes, most nights.", "MV:0036", "present");
	check_polarity ("问：有没有头痛？答：没有。", "HP:0002315", "absent");
	check_polarity ("Fever? No. Rash? Yes, on the arms.", "HP:0001945", "absent");
	check_polarity ("Fever? No. Rash? Yes, on the arms.", "HP:0000988", "present");
	/* controls: an answer that is no yes or no leaves the question as it was */
	check_polarity ("Is it asthma? No idea, the GP never said.", "HP:0002099", "possible");
}

/* ---- round 6: who the patient is when a note or a carer names them ---- */

Test (context2, patient_addressed_by_surname)
{
	check_family ("12床李奶奶，胆囊切除术后第2天，诉腹胀，无呕吐。", "HP:0003270", FALSE);
	check_family ("随访：陈叔叔，72岁，高血压10年，近期头晕。", "HP:0000822", FALSE);
	check_family ("张大爷今天诉胸闷，夜间加重。", "HP:0031352", FALSE);
	/* controls: a relative named with a possessive stays a relative */
	check_family ("他奶奶有糖尿病。", "HP:0000819", TRUE);
	check_family ("患者阿姨有乳腺癌。", "DOID:1612", TRUE);
}

Test (context2, carer_writes_about_the_person_cared_for)
{
	check_family ("大夫您好，我妈72岁，有冠心病好多年了，最近老是胸闷。", "HP:0031352", FALSE);
	check_family ("我爸65岁，糖尿病十年，最近脚麻。", "HP:0000819", FALSE);
	check_family ("母亲陪诊，诉孩子咳嗽三天。", "HP:0012735", FALSE);
	/* controls: a writer's relative with an onset, and a relative's disease in an intake */
	check_family ("我妈45岁时得了乳腺癌。", "DOID:1612", TRUE);
	check_family ("家族史：我妈有高血压。", "HP:0000822", TRUE);
}

/* ---- round 6: what makes a complaint worse is no complaint ---- */

Test (context2, zh_aggravating_acts)
{
	check_no ("右侧胸痛3天，咳嗽、深呼吸时加重。", "HP:0012735");
	check_no ("腰痛1周，打喷嚏或咳嗽时加剧。", "HP:0012735");
	check_no ("头痛，咳嗽后加重。", "HP:0012735");
	/* controls: the complaint itself, and a cough told beside a complaint */
	check_once ("右侧胸痛3天，咳嗽、深呼吸时加重。", "HP:0100749", "present", 'c', "");
	check_polarity ("咳嗽、咳痰3天，夜间加重。", "HP:0012735", "present");
	check_polarity ("发热伴咳嗽，活动后加重。", "HP:0012735", "present");
}

/* ---- round 6: a vaccine, a screening or an action plan names no disease of the patient ---- */

Test (context2, vaccines_screening_and_plans)
{
	check_no ("Flu and pneumococcal vaccines given.", "DOID:8469");
	check_no ("Shingles and pneumococcal vaccines given today.", "DOID:8536");
	check_no ("Bowel cancer screening kit returned, result normal.", "DOID:9256");
	check_no ("Reviewed her asthma action plan with her.", "HP:0002099");
	check_no ("去年做了乳腺癌筛查，未见异常。", "DOID:1612");
	/* controls: the disease itself, and a service that names the patient's own condition */
	check_polarity ("Flu-like illness with fever for two days.", "DOID:8469", "present");
	check_polarity ("Had pneumonia last winter, then the pneumococcal vaccine.", "HP:0002090",
			"present");
	check_polarity ("Asthma clinic. Well controlled on Clenil.", "HP:0002099", "present");
}
