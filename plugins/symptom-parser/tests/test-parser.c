/*
 * Unit tests of the parser core with a small fixed lexicon (tests/lexicon/) and the real cues.
 */
#define G_LOG_DOMAIN "test-symptom-parser"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "heap-meter.h"
#include "sp-parser.h"

static SpParser *parser;

static void
setup (void)
{
	g_autoptr (GError) error = NULL;
	const gchar *dir = g_getenv ("SP_TEST_DATA_DIR");

	cr_assert_not_null (dir, "SP_TEST_DATA_DIR is not set");
	parser = sp_parser_new (dir, &error);
	cr_assert_not_null (parser, "%s", error != NULL ? error->message : "");
}

static void
teardown (void)
{
	g_clear_pointer (&parser, sp_parser_free);
}

TestSuite (parser, .init = setup, .fini = teardown);

static GArray *
parse (const gchar *text)
{
	g_autoptr (GError) error = NULL;
	GArray *f = sp_parser_parse (parser, text, -1, NULL, SP_PARSER_DEFAULT_MAX_BYTES, NULL,
				     &error);
	cr_assert_not_null (f, "%s", error != NULL ? error->message : "");
	return f;
}

/* The finding for @code, which must be there exactly once. */
static const SpFinding *
find (GArray *findings, const gchar *code)
{
	const SpFinding *hit = NULL;
	for (guint i = 0; i < findings->len; i++) {
		const SpFinding *f = &g_array_index (findings, SpFinding, i);
		if (g_strcmp0 (f->concept->code, code) == 0) {
			cr_assert_null (hit, "%s found twice", code);
			hit = f;
		}
	}
	cr_assert_not_null (hit, "%s not found", code);
	return hit;
}

#define FEVER "HP:0001945"
#define HEADACHE "HP:0002315"
#define COUGH "HP:0012735"
#define ABDO "HP:0002027"
#define DYSPNEA "HP:0002094"
#define DIABETES "HP:0000819"
#define HTN "HP:0000822"
#define ARTHRALGIA "HP:0002829"
#define ASTHMA "HP:0002099"
#define T2DM "HP:0005978"
#define MI "HP:0001658"
#define PNEUMONIA "HP:0002090"
#define RASH "HP:0000988"
#define HIVES "HP:0001025"
#define PAIN "MV:0001"
#define PENICILLIN "ATC:J01CE01"
#define SULFA "ATC:J01EC"
#define METFORMIN "ATC:A10BA02"
#define PEANUT "MV:4001"
#define DRUG_ALLERGY "MV:4000"

Test (parser, english_synonyms_and_offsets)
{
	const gchar *text = "I've had a Tummy ache and I can't catch my breath.";
	g_autoptr (GArray) f = parse (text);
	const SpFinding *a = find (f, ABDO);
	const SpFinding *d = find (f, DYSPNEA);

	cr_assert_eq (f->len, 2);
	cr_assert_eq (a->start, 11);
	cr_assert_eq (a->end, 21);
	cr_assert_eq (a->polarity, SP_POLARITY_PRESENT);
	cr_assert_str_eq (a->concept->label_zh, "腹痛");
	/* the default site of the concept is implied by its code, not reported */
	cr_assert_null (a->site);
	cr_assert_eq (d->start, 28);
	cr_assert_eq (d->end, 49);
}

Test (parser, zh_label_resolved_from_hpo)
{
	g_autoptr (GArray) f = parse ("fever");
	cr_assert_str_eq (find (f, FEVER)->concept->label_zh, "发热");
}

Test (parser, chinese_offsets_are_code_points)
{
	const gchar *text = "我今天肚子疼😷，还拉肚子";
	g_autoptr (GArray) f = parse (text);
	const SpFinding *a = find (f, ABDO);
	const SpFinding *d = find (f, "HP:0002014");

	cr_assert_eq (a->start, 3);
	cr_assert_eq (a->end, 6);
	cr_assert_eq (d->start, 9);
	cr_assert_eq (d->end, 12);
	cr_assert_eq (d->byte_end - d->byte_start, 9);
}

Test (parser, negation_scope_and_lists)
{
	g_autoptr (GArray) f = parse ("Denies fever, cough or chest pain, but reports a headache.");
	cr_assert_eq (find (f, FEVER)->polarity, SP_POLARITY_ABSENT);
	cr_assert_eq (find (f, COUGH)->polarity, SP_POLARITY_ABSENT);
	cr_assert_eq (find (f, "HP:0100749")->polarity, SP_POLARITY_ABSENT);
	cr_assert_eq (find (f, HEADACHE)->polarity, SP_POLARITY_PRESENT);
}

Test (parser, negation_ends_at_clause_with_other_words)
{
	g_autoptr (GArray) f = parse ("No fever, feeling dizzy since this morning.");
	cr_assert_eq (find (f, FEVER)->polarity, SP_POLARITY_ABSENT);
	cr_assert_eq (find (f, "HP:0002321")->polarity, SP_POLARITY_PRESENT);
}

Test (parser, post_negation_and_possible)
{
	g_autoptr (GArray) a = parse ("Asthma was ruled out.");
	g_autoptr (GArray) b = parse ("Possible fever last night. Cough cannot be ruled out.");
	cr_assert_eq (find (a, "HP:0002099")->polarity, SP_POLARITY_ABSENT);
	cr_assert_eq (find (b, FEVER)->polarity, SP_POLARITY_POSSIBLE);
	cr_assert_eq (find (b, COUGH)->polarity, SP_POLARITY_POSSIBLE);
}

Test (parser, pseudo_triggers_do_not_negate)
{
	g_autoptr (GArray) a = parse ("Not only a headache but also a cough.");
	g_autoptr (GArray) b = parse ("无明显诱因出现头痛，不仅咳嗽，还发烧");
	cr_assert_eq (find (a, HEADACHE)->polarity, SP_POLARITY_PRESENT);
	cr_assert_eq (find (a, COUGH)->polarity, SP_POLARITY_PRESENT);
	cr_assert_eq (find (b, HEADACHE)->polarity, SP_POLARITY_PRESENT);
	cr_assert_eq (find (b, COUGH)->polarity, SP_POLARITY_PRESENT);
	cr_assert_eq (find (b, FEVER)->polarity, SP_POLARITY_PRESENT);
}

/* "no increase" is a pseudo-trigger: its "no" negates nothing, and a real negation later in
 * the sentence still does */
Test (parser, pseudo_trigger_no_increase)
{
	g_autoptr (GArray) a = parse ("No increase in headache since yesterday.");
	g_autoptr (GArray) b = parse ("No increase in chest pain, no fever.");
	g_autoptr (GArray) c = parse ("no increase of the abdominal pain");
	cr_assert_eq (find (a, HEADACHE)->polarity, SP_POLARITY_PRESENT);
	cr_assert_eq (find (b, "HP:0100749")->polarity, SP_POLARITY_PRESENT);
	cr_assert_eq (find (b, FEVER)->polarity, SP_POLARITY_ABSENT);
	cr_assert_eq (find (c, ABDO)->polarity, SP_POLARITY_PRESENT);
}

Test (parser, more_pseudo_negations)
{
	g_autoptr (GArray) a = parse ("No change in her chest pain.");
	g_autoptr (GArray) b = parse ("Not just a cough but also vomiting.");
	g_autoptr (GArray) c = parse ("Headache no better, diarrhea not improving.");
	g_autoptr (GArray) d = parse ("腹痛无明显变化，发烧不退，咳嗽未见好转");
	g_autoptr (GArray) e = parse ("不但头痛，而且恶心");
	cr_assert_eq (find (a, "HP:0100749")->polarity, SP_POLARITY_PRESENT);
	cr_assert_eq (find (b, COUGH)->polarity, SP_POLARITY_PRESENT);
	cr_assert_eq (find (b, "HP:0002013")->polarity, SP_POLARITY_PRESENT);
	cr_assert_eq (find (c, HEADACHE)->polarity, SP_POLARITY_PRESENT);
	cr_assert_eq (find (c, "HP:0002014")->polarity, SP_POLARITY_PRESENT);
	cr_assert_eq (find (d, ABDO)->polarity, SP_POLARITY_PRESENT);
	cr_assert_eq (find (d, FEVER)->polarity, SP_POLARITY_PRESENT);
	cr_assert_eq (find (d, COUGH)->polarity, SP_POLARITY_PRESENT);
	cr_assert_eq (find (e, HEADACHE)->polarity, SP_POLARITY_PRESENT);
	cr_assert_eq (find (e, "HP:0002018")->polarity, SP_POLARITY_PRESENT);
}

Test (parser, chinese_negation)
{
	g_autoptr (GArray) f = parse ("患者否认发热、咳嗽，但有头痛，无腹泻。疑似高血压");
	cr_assert_eq (find (f, FEVER)->polarity, SP_POLARITY_ABSENT);
	cr_assert_eq (find (f, COUGH)->polarity, SP_POLARITY_ABSENT);
	cr_assert_eq (find (f, HEADACHE)->polarity, SP_POLARITY_PRESENT);
	cr_assert_eq (find (f, "HP:0002014")->polarity, SP_POLARITY_ABSENT);
	cr_assert_eq (find (f, HTN)->polarity, SP_POLARITY_POSSIBLE);
}

Test (parser, chinese_comma_ends_scope)
{
	g_autoptr (GArray) f = parse ("没有发烧，咳嗽三天了");
	cr_assert_eq (find (f, FEVER)->polarity, SP_POLARITY_ABSENT);
	cr_assert_eq (find (f, COUGH)->polarity, SP_POLARITY_PRESENT);
	cr_assert_float_eq (find (f, COUGH)->duration_hours, 72, 1e-9);
}

Test (parser, experiencer_family)
{
	g_autoptr (GArray) a = parse ("My mother has diabetes and I have a headache.");
	g_autoptr (GArray) b = parse ("父亲有高血压，我头晕");
	g_autoptr (GArray) c = parse ("Family history of hypertension.");
	cr_assert (find (a, DIABETES)->family);
	cr_assert_not (find (a, HEADACHE)->family);
	cr_assert (find (b, HTN)->family);
	cr_assert_not (find (b, "HP:0002321")->family);
	cr_assert (find (c, HTN)->family);
}

Test (parser, temporality_historical)
{
	/* a time puts a condition in the past; a history heading alone does not (below) */
	g_autoptr (GArray) a = parse ("Had pneumonia years ago, now presents with cough.");
	g_autoptr (GArray) b = parse ("去年得过肺炎，现头痛2天");
	g_autoptr (GArray) c = parse ("History of headaches, now presents with cough.");
	cr_assert (find (a, PNEUMONIA)->historical);
	cr_assert_not (find (a, COUGH)->historical);
	cr_assert (find (b, PNEUMONIA)->historical);
	cr_assert_not (find (b, HEADACHE)->historical);
	cr_assert_float_eq (find (b, HEADACHE)->duration_hours, 48, 1e-9);
	/* a symptom has no status, whatever its time */
	cr_assert (find (c, HEADACHE)->historical);
	cr_assert_eq (find (c, HEADACHE)->status, SP_STATUS_NONE);
}

/* ---- issue 11: conditions, family, allergies, normal values, negated severity ---- */

/* @code must be absent from the findings. */
static void
assert_no (GArray *findings, const gchar *code, const gchar *text)
{
	for (guint i = 0; i < findings->len; i++)
		cr_assert_str_neq (g_array_index (findings, SpFinding, i).concept->code, code,
				   "%s: %s reported", text, code);
}

static void
assert_condition (GArray *findings,
		  const gchar *code,
		  SpStatus status,
		  gboolean historical,
		  const gchar *text)
{
	const SpFinding *f = find (findings, code);
	cr_assert_eq (f->kind, SP_FINDING_CONDITION, "%s: %s not a condition", text, code);
	cr_assert_eq (f->status, status, "%s: %s status %s", text, code,
		      sp_status_to_string (f->status));
	cr_assert_eq (f->historical, historical, "%s: %s temporality", text, code);
}

Test (parser, chronic_condition_stays_active_under_history)
{
	const gchar *texts[] = { "Hx of HTN and T2DM.", "History of asthma and hypertension.",
				 "既往有哮喘病史", "既往高血压、二型糖尿病病史" };
	for (guint i = 0; i < G_N_ELEMENTS (texts); i++) {
		g_autoptr (GArray) f = parse (texts[i]);
		for (guint j = 0; j < f->len; j++) {
			const SpFinding *x = &g_array_index (f, SpFinding, j);
			assert_condition (f, x->concept->code, SP_STATUS_ACTIVE, FALSE, texts[i]);
			cr_assert_eq (x->polarity, SP_POLARITY_PRESENT, "%s", texts[i]);
		}
		cr_assert_eq (f->len, 2 - (i == 2), "%s", texts[i]);
	}
	{
		/* issue 11: a history heading says the patient is known to have it, not that it
		 * is over; only a time or a resolution cue makes it past (sp-history.c) */
		g_autoptr (GArray) a = parse ("History of pneumonia.");
		g_autoptr (GArray) b = parse ("既往肺炎病史");
		assert_condition (a, PNEUMONIA, SP_STATUS_ACTIVE, FALSE, "History of pneumonia.");
		assert_condition (b, PNEUMONIA, SP_STATUS_ACTIVE, FALSE, "既往肺炎病史");
	}
	{
		/* current, so its duration is kept: the disease's duration */
		g_autoptr (GArray) f = parse ("有高血压病史10年");
		assert_condition (f, HTN, SP_STATUS_ACTIVE, FALSE, "有高血压病史10年");
		cr_assert_float_eq (find (f, HTN)->duration_hours, 87600, 1e-9);
	}
}

Test (parser, past_and_resolved_conditions)
{
	const gchar *resolved[] = { "had pneumonia last year",
				    "去年得过肺炎",
				    "Pneumonia, resolved.",
				    "肺炎，已治愈",
				    "肺炎已痊愈",
				    "recovered from pneumonia",
				    "pneumonia has resolved",
				    "History of pneumonia, resolved." };
	for (guint i = 0; i < G_N_ELEMENTS (resolved); i++) {
		g_autoptr (GArray) f = parse (resolved[i]);
		assert_condition (f, PNEUMONIA, SP_STATUS_RESOLVED, TRUE, resolved[i]);
		/* "resolved" is the condition's course, not its absence */
		cr_assert_eq (find (f, PNEUMONIA)->polarity, SP_POLARITY_PRESENT, "%s",
			      resolved[i]);
	}
	{
		/* a resolved cue wins over the chronic flag */
		g_autoptr (GArray) a = parse ("used to have asthma");
		g_autoptr (GArray) b = parse ("哮喘已治愈");
		assert_condition (a, ASTHMA, SP_STATUS_RESOLVED, TRUE, "used to have asthma");
		assert_condition (b, ASTHMA, SP_STATUS_RESOLVED, TRUE, "哮喘已治愈");
	}
	{
		/* a symptom that has resolved is absent, as before */
		g_autoptr (GArray) f = parse ("Headache has resolved. 头痛已痊愈");
		cr_assert_eq (find (f, HEADACHE)->polarity, SP_POLARITY_ABSENT);
		cr_assert_eq (find (f, HEADACHE)->n_mentions, 2);
	}
}

Test (parser, condition_status_follows_polarity)
{
	g_autoptr (GArray) a = parse ("Possible pneumonia. No asthma. Pneumonia.");
	g_autoptr (GArray) b = parse ("疑似肺炎。无哮喘。发热");
	const SpFinding *p = NULL;

	for (guint i = 0; i < a->len; i++) {
		const SpFinding *x = &g_array_index (a, SpFinding, i);
		if (g_strcmp0 (x->concept->code, PNEUMONIA) != 0)
			continue;
		if (x->polarity == SP_POLARITY_POSSIBLE)
			cr_assert_eq (x->status, SP_STATUS_UNKNOWN);
		else
			p = x;
	}
	cr_assert_not_null (p);
	cr_assert_eq (p->status, SP_STATUS_ACTIVE);
	cr_assert_eq (find (a, ASTHMA)->polarity, SP_POLARITY_ABSENT);
	cr_assert_eq (find (a, ASTHMA)->status, SP_STATUS_NONE);
	cr_assert_eq (find (b, PNEUMONIA)->status, SP_STATUS_UNKNOWN);
	cr_assert_eq (find (b, ASTHMA)->status, SP_STATUS_NONE);
	/* a symptom has no status */
	cr_assert_eq (find (b, FEVER)->kind, SP_FINDING_SYMPTOM);
	cr_assert_eq (find (b, FEVER)->status, SP_STATUS_NONE);
}

static void
assert_family (GArray *findings,
	       const gchar *code,
	       const gchar *relation,
	       gdouble onset_age,
	       const gchar *text)
{
	const SpFinding *f = find (findings, code);
	cr_assert (f->family, "%s: %s not family", text, code);
	cr_assert_str_eq (f->relation != NULL ? f->relation : "(none)",
			  relation != NULL ? relation : "(none)", "%s: %s", text, code);
	cr_assert_float_eq (f->onset_age, onset_age, 1e-9, "%s: %s onset age", text, code);
	/* a relative's condition has no status */
	cr_assert_eq (f->status, SP_STATUS_NONE, "%s: %s", text, code);
}

Test (parser, family_relation_for_each_finding)
{
	g_autoptr (GArray) a = parse ("家族史：父亲高血压，母亲糖尿病");
	g_autoptr (GArray) b
		= parse ("Family history: father with hypertension, mother with diabetes.");
	g_autoptr (GArray) c = parse ("其母有糖尿病，其兄哮喘");
	g_autoptr (GArray) d = parse ("My brother has asthma and my grandma had pneumonia.");
	g_autoptr (GArray) e = parse ("Family history of hypertension. 家族中有糖尿病");
	g_autoptr (GArray) g = parse ("父亲死于心梗");
	g_autoptr (GArray) h = parse ("Father died of MI.");

	assert_family (a, HTN, "father", -1, "a");
	assert_family (a, DIABETES, "mother", -1, "a");
	assert_family (b, HTN, "father", -1, "b");
	assert_family (b, DIABETES, "mother", -1, "b");
	assert_family (c, DIABETES, "mother", -1, "c");
	assert_family (c, ASTHMA, "brother", -1, "c");
	assert_family (d, ASTHMA, "brother", -1, "d");
	assert_family (d, PNEUMONIA, "grandmother", -1, "d");
	/* family history with no one named: a relative (issue 11's annotators, spec's list) */
	assert_family (e, HTN, "relative", -1, "e");
	assert_family (e, DIABETES, "relative", -1, "e");
	/* died of: a relative's condition, in the past */
	assert_family (g, MI, "father", -1, "g");
	assert_family (h, MI, "father", -1, "h");
	cr_assert (find (g, MI)->historical);
	cr_assert (find (h, MI)->historical);
	cr_assert_eq (find (h, MI)->kind, SP_FINDING_CONDITION);
}

Test (parser, family_onset_age)
{
	struct {
		const gchar *text;
		const gchar *code;
		const gchar *relation;
		gdouble age;
	} cases[] = {
		{ "father had MI at 50", MI, "father", 50 },
		{ "Mother diagnosed with diabetes at the age of 45.", DIABETES, "mother", 45 },
		{ "mother had diabetes at age 62", DIABETES, "mother", 62 },
		{ "sister, aged 30, has asthma", ASTHMA, "sister", -1 }, /* another clause */
		{ "父亲50岁时心梗", MI, "father", 50 },
		{ "其母五十岁患糖尿病", DIABETES, "mother", 50 },
		{ "父亲心梗，50岁", MI, "father", -1 },
		{ "father had an MI at 5 pm", MI, "father", -1 },
		{ "father had MI in his 50s", MI, "father", -1 },
	};
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr (GArray) f = parse (cases[i].text);
		assert_family (f, cases[i].code, cases[i].relation, cases[i].age, cases[i].text);
	}
	{
		/* the patient's own age is not a relative's onset age */
		g_autoptr (GArray) f = parse ("A 67 year old man whose father had an MI.");
		assert_family (f, MI, "father", -1, "67");
	}
}

static void
assert_allergy (GArray *findings,
		const gchar *code,
		SpPolarity polarity,
		const gchar *reaction,
		const gchar *text)
{
	const SpFinding *f = find (findings, code);
	cr_assert_eq (f->kind, SP_FINDING_ALLERGY, "%s: %s is %s", text, code,
		      sp_finding_kind_to_string (f->kind));
	cr_assert_eq (f->polarity, polarity, "%s: %s", text, code);
	cr_assert_str_eq (f->reaction != NULL ? f->reaction->code : "(none)",
			  reaction != NULL ? reaction : "(none)", "%s: %s reaction", text, code);
}

Test (parser, allergy_with_reaction)
{
	const gchar *texts[] = {
		"Allergic to penicillin (rash).",
		"对青霉素过敏（皮疹）",
		"penicillin allergy -> rash",
		"对青霉素过敏，表现为皮疹",
		"Allergies: penicillin - rash",
		"青霉素过敏，出现红疹",
		"PCN allergy (rash)",
	};
	for (guint i = 0; i < G_N_ELEMENTS (texts); i++) {
		g_autoptr (GArray) f = parse (texts[i]);
		assert_allergy (f, PENICILLIN, SP_POLARITY_PRESENT, RASH, texts[i]);
		/* the reaction is not also a present symptom */
		assert_no (f, RASH, texts[i]);
		cr_assert_eq (f->len, 1, "%s", texts[i]);
	}
}

Test (parser, allergy_lists_and_scope)
{
	g_autoptr (GArray) a
		= parse ("Allergies: penicillin (rash), sulfa (hives). Takes metformin.");
	g_autoptr (GArray) b = parse ("药物过敏史：青霉素、磺胺。服用二甲双胍");
	g_autoptr (GArray) c = parse ("penicillin and sulfa allergy");
	g_autoptr (GArray) d = parse ("Allergic to peanuts. Peanuts at lunch.");
	g_autoptr (GArray) e = parse ("Rash after a walk, allergic to penicillin");

	assert_allergy (a, PENICILLIN, SP_POLARITY_PRESENT, RASH, "a");
	assert_allergy (a, SULFA, SP_POLARITY_PRESENT, HIVES, "a");
	assert_no (a, RASH, "a");
	assert_no (a, HIVES, "a");
	/* a medication outside an allergy scope is a medication */
	cr_assert_eq (find (a, METFORMIN)->kind, SP_FINDING_MEDICATION);
	assert_allergy (b, PENICILLIN, SP_POLARITY_PRESENT, NULL, "b");
	assert_allergy (b, SULFA, SP_POLARITY_PRESENT, NULL, "b");
	cr_assert_eq (find (b, METFORMIN)->kind, SP_FINDING_MEDICATION);
	assert_allergy (c, PENICILLIN, SP_POLARITY_PRESENT, NULL, "c");
	assert_allergy (c, SULFA, SP_POLARITY_PRESENT, NULL, "c");
	/* a substance outside an allergy scope is no finding */
	assert_allergy (d, PEANUT, SP_POLARITY_PRESENT, NULL, "d");
	cr_assert_eq (find (d, PEANUT)->n_mentions, 1);
	/* a symptom that is no reaction stays a symptom */
	cr_assert_eq (find (e, RASH)->polarity, SP_POLARITY_PRESENT);
	assert_allergy (e, PENICILLIN, SP_POLARITY_PRESENT, NULL, "e");
}

Test (parser, no_known_allergies)
{
	const gchar *texts[] = { "NKDA", "No known allergies.", "无药物过敏史", "否认药物过敏史" };
	for (guint i = 0; i < G_N_ELEMENTS (texts); i++) {
		g_autoptr (GArray) f = parse (texts[i]);
		assert_allergy (f, DRUG_ALLERGY, SP_POLARITY_ABSENT, NULL, texts[i]);
	}
	{
		g_autoptr (GArray) a = parse ("No allergy to penicillin.");
		g_autoptr (GArray) b = parse ("否认青霉素过敏");
		assert_allergy (a, PENICILLIN, SP_POLARITY_ABSENT, NULL, "a");
		assert_allergy (b, PENICILLIN, SP_POLARITY_ABSENT, NULL, "b");
	}
}

Test (parser, zero_pain_score_is_absent)
{
	const gchar *texts[]
		= { "Pain 0/10", "0/10 pain", "疼痛评分0分", "pain 0 out of 10", "疼痛0分" };
	for (guint i = 0; i < G_N_ELEMENTS (texts); i++) {
		g_autoptr (GArray) f = parse (texts[i]);
		cr_assert_eq (find (f, PAIN)->polarity, SP_POLARITY_ABSENT, "%s", texts[i]);
		cr_assert_eq (find (f, PAIN)->severity, SP_SEVERITY_NONE, "%s", texts[i]);
	}
	{
		g_autoptr (GArray) f = parse ("pain 3/10");
		cr_assert_eq (find (f, PAIN)->polarity, SP_POLARITY_PRESENT);
		cr_assert_eq (find (f, PAIN)->severity, SP_SEVERITY_MILD);
	}
}

Test (parser, normal_words_are_absent_findings)
{
	g_autoptr (GArray) a = parse ("Temp normal. Afebrile.");
	g_autoptr (GArray) b = parse ("体温正常");
	g_autoptr (GArray) c = parse ("normal temperature, fever yesterday");
	const SpFinding *absent = NULL;
	const SpFinding *present = NULL;

	cr_assert_eq (find (a, FEVER)->polarity, SP_POLARITY_ABSENT);
	cr_assert_eq (find (b, FEVER)->polarity, SP_POLARITY_ABSENT);
	cr_assert_eq (find (b, FEVER)->start, 0);
	cr_assert_eq (find (b, FEVER)->end, 4);
	/* a normal word negates itself only, not the fever word beside it */
	for (guint i = 0; i < c->len; i++) {
		const SpFinding *x = &g_array_index (c, SpFinding, i);
		if (x->polarity == SP_POLARITY_ABSENT)
			absent = x;
		else
			present = x;
	}
	cr_assert_eq (c->len, 2);
	cr_assert_not_null (absent);
	cr_assert_not_null (present);
}

Test (parser, negated_severity_is_no_severity)
{
	struct {
		const gchar *text;
		const gchar *code;
		SpSeverity severity;
	} cases[] = {
		{ "Headache is not severe.", HEADACHE, SP_SEVERITY_NONE },
		{ "headache, not too severe", HEADACHE, SP_SEVERITY_NONE },
		{ "头痛不严重", HEADACHE, SP_SEVERITY_NONE },
		{ "头痛不是很厉害", HEADACHE, SP_SEVERITY_NONE },
		{ "不太疼", PAIN, SP_SEVERITY_NONE },
		{ "Headache is severe.", HEADACHE, SP_SEVERITY_SEVERE },
		{ "头痛很严重", HEADACHE, SP_SEVERITY_SEVERE },
		{ "not too tired, severe headache", HEADACHE, SP_SEVERITY_SEVERE },
	};
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr (GArray) f = parse (cases[i].text);
		const SpFinding *x = find (f, cases[i].code);
		/* the negation covers the severity only */
		cr_assert_eq (x->polarity, SP_POLARITY_PRESENT, "%s", cases[i].text);
		cr_assert_eq (x->severity, cases[i].severity, "%s: %s", cases[i].text,
			      sp_severity_to_string (x->severity));
	}
}

/* A finding listed after another shares its site even when that other one was merged into an
 * earlier mention: the previous finding, not the last of the array. */
Test (parser, list_inheritance_across_merged_findings)
{
	g_autoptr (GArray) a = parse ("左腿疼、咳嗽");
	g_autoptr (GArray) b = parse ("左腿疼。头痛。左腿疼、咳嗽");

	cr_assert_str_eq (find (a, COUGH)->site, "MV-S-LEG");
	cr_assert_str_eq (find (b, COUGH)->site, "MV-S-LEG");
	cr_assert_eq (find (b, COUGH)->laterality, SP_LATERALITY_LEFT);
	cr_assert_eq (find (b, PAIN)->n_mentions, 2);
}

Test (parser, max_findings_caps_distinct_findings)
{
	g_autoptr (GError) error = NULL;
	const gchar *text = "fever, cough, headache and diarrhea. fever fever cough";
	gboolean truncated = FALSE;
	g_autoptr (GArray) a = sp_parser_parse_full (
		parser, text, -1, NULL, SP_PARSER_DEFAULT_MAX_BYTES, 2, NULL, &truncated, &error);
	g_autoptr (GArray) b = NULL;

	cr_assert_not_null (a);
	cr_assert_eq (a->len, 2);
	cr_assert (truncated);
	/* later mentions of a kept finding are still merged into it */
	cr_assert_eq (find (a, FEVER)->n_mentions, 3);
	cr_assert_eq (find (a, COUGH)->n_mentions, 2);
	b = sp_parser_parse_full (parser, text, -1, NULL, SP_PARSER_DEFAULT_MAX_BYTES, 4, NULL,
				  &truncated, &error);
	cr_assert_eq (b->len, 4);
	cr_assert_not (truncated);
}

Test (parser, english_durations)
{
	struct {
		const gchar *text;
		gdouble hours;
	} cases[] = {
		{ "fever for 3 days", 72 },	 { "fever for 3days", 72 },
		{ "fever since yesterday", 24 }, { "fever started 2 weeks ago", 336 },
		{ "fever for a week", 168 },	 { "fever for the past month", 720 },
		{ "fever for 2-3 days", 72 },	 { "fever for half a day", 12 },
		{ "fever for 36 hours", 36 },	 { "fever for a couple of days", 48 },
		{ "fever for 30 minutes", 0.5 }, { "fever since the day before yesterday", 48 },
		{ "fever x3 days", 72 },	 { "fever for a day and a half", 36 },
	};
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr (GArray) f = parse (cases[i].text);
		cr_assert_float_eq (find (f, FEVER)->duration_hours, cases[i].hours, 1e-9, "%s",
				    cases[i].text);
	}
}

Test (parser, chinese_durations)
{
	struct {
		const gchar *text;
		gdouble hours;
	} cases[] = {
		{ "发烧3天", 72 },	{ "发烧两周", 336 },	  { "发烧半个月", 360 },
		{ "昨天开始发烧", 24 }, { "发烧一天半", 36 },	  { "发烧十二小时", 12 },
		{ "发烧1个月", 720 },	{ "发烧两个半月", 1800 }, { "发烧十余天", 240 },
		{ "前天开始发烧", 48 }, { "3天前开始发烧", 72 },  { "发烧二十天", 480 },
	};
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr (GArray) f = parse (cases[i].text);
		cr_assert_float_eq (find (f, FEVER)->duration_hours, cases[i].hours, 1e-9, "%s",
				    cases[i].text);
	}
}

Test (parser, no_duration_from_dates_ages_or_vague_spans)
{
	const gchar *texts[]
		= { "2020年发烧", "这两天发烧", "发烧十来天", "fever for several days",
		    "a 67 year old with fever", "yesterday I had a fever", "no fever for 3 days",
		    "昨晚开始发烧",
		    /* a child's age in brackets, as parents open a consultation */
		    "Our baby (8 months) has a fever.", "my son (4 years) has a fever" };
	for (guint i = 0; i < G_N_ELEMENTS (texts); i++) {
		g_autoptr (GArray) f = parse (texts[i]);
		cr_assert_lt (find (f, FEVER)->duration_hours, 0, "%s", texts[i]);
	}
	{
		/* brackets after the finding hold its duration */
		g_autoptr (GArray) f = parse ("Fever (3 days), worse today.");
		cr_assert_float_eq (find (f, FEVER)->duration_hours, 72, 1e-9);
	}
}

Test (parser, duration_applies_to_coordinated_findings_only)
{
	g_autoptr (GArray) a = parse ("Fever and cough for 3 days, headache.");
	g_autoptr (GArray) b = parse ("Two weeks of fever and cough, with headache.");
	g_autoptr (GArray) c = parse ("Fever for 3 days with cough.");
	cr_assert_float_eq (find (a, FEVER)->duration_hours, 72, 1e-9);
	cr_assert_float_eq (find (a, COUGH)->duration_hours, 72, 1e-9);
	cr_assert_lt (find (a, HEADACHE)->duration_hours, 0);
	cr_assert_float_eq (find (b, FEVER)->duration_hours, 336, 1e-9);
	cr_assert_float_eq (find (b, COUGH)->duration_hours, 336, 1e-9);
	cr_assert_lt (find (b, HEADACHE)->duration_hours, 0);
	cr_assert_lt (find (c, COUGH)->duration_hours, 0);
}

Test (parser, severity_and_laterality)
{
	g_autoptr (GArray) a
		= parse ("Severe headache, mild cough. Knee pain 7/10 in the left knee.");
	g_autoptr (GArray) b = parse ("剧烈头痛，轻微咳嗽，左膝盖疼");
	const SpFinding *k = find (a, ARTHRALGIA);
	cr_assert_eq (find (a, HEADACHE)->severity, SP_SEVERITY_SEVERE);
	cr_assert_eq (find (a, COUGH)->severity, SP_SEVERITY_MILD);
	cr_assert_eq (k->severity, SP_SEVERITY_SEVERE);
	cr_assert_eq (k->laterality, SP_LATERALITY_LEFT);
	cr_assert_str_eq (k->site, "MV-S-KNEE");
	cr_assert_eq (find (b, HEADACHE)->severity, SP_SEVERITY_SEVERE);
	cr_assert_eq (find (b, COUGH)->severity, SP_SEVERITY_MILD);
	cr_assert_eq (find (b, ARTHRALGIA)->laterality, SP_LATERALITY_LEFT);
}

Test (parser, scores)
{
	g_autoptr (GArray) a = parse ("headache 3/10");
	g_autoptr (GArray) b = parse ("headache 5 out of 10");
	g_autoptr (GArray) c = parse ("头痛8分");
	cr_assert_eq (find (a, HEADACHE)->severity, SP_SEVERITY_MILD);
	cr_assert_eq (find (b, HEADACHE)->severity, SP_SEVERITY_MODERATE);
	cr_assert_eq (find (c, HEADACHE)->severity, SP_SEVERITY_SEVERE);
}

Test (parser, mixed_language)
{
	const gchar *lang = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (GArray) f = sp_parser_parse (parser, "我有fever和cough，头痛", -1, NULL,
						SP_PARSER_DEFAULT_MAX_BYTES, &lang, &error);
	cr_assert_not_null (f);
	cr_assert_str_eq (lang, "zh");
	find (f, FEVER);
	find (f, COUGH);
	find (f, HEADACHE);
}

Test (parser, language_detection_and_override)
{
	const gchar *lang = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (GArray) a = sp_parser_parse (parser, "I have a fever", -1, "",
						SP_PARSER_DEFAULT_MAX_BYTES, &lang, &error);
	g_autoptr (GArray) b = NULL;
	g_autoptr (GArray) c = NULL;

	cr_assert_str_eq (lang, "en");
	b = sp_parser_parse (parser, "I have a fever", -1, "zh", SP_PARSER_DEFAULT_MAX_BYTES, &lang,
			     &error);
	cr_assert_str_eq (lang, "zh");
	c = sp_parser_parse (parser, "fever", -1, "fr", SP_PARSER_DEFAULT_MAX_BYTES, &lang, &error);
	cr_assert_null (c);
	cr_assert (g_error_matches (error, SP_PARSER_ERROR, SP_PARSER_ERROR_INVALID));
}

/* ---- bad input ---- */

Test (parser, invalid_utf8_is_malformed)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GArray) f = sp_parser_parse (parser, "fever \xc3\x28", -1, NULL,
						SP_PARSER_DEFAULT_MAX_BYTES, NULL, &error);
	cr_assert_null (f);
	cr_assert (g_error_matches (error, SP_PARSER_ERROR, SP_PARSER_ERROR_MALFORMED));
}

Test (parser, empty_text_has_no_findings)
{
	g_autoptr (GArray) f = parse ("");
	g_autoptr (GArray) g = parse ("   \n\t ");
	cr_assert_eq (f->len, 0);
	cr_assert_eq (g->len, 0);
}

/* @n bytes of a repeated phrase, cut at a character boundary */
static gchar *
make_text (const gchar *unit, gsize n)
{
	GString *s = g_string_sized_new (n + 16);
	gsize ulen = strlen (unit);
	while (s->len + ulen <= n)
		g_string_append (s, unit);
	while (s->len < n)
		g_string_append_c (s, ' ');
	return g_string_free (s, FALSE);
}

/* Mentions of all findings: repeated mentions of one concept are merged into one finding. */
static guint
n_mentions (GArray *findings)
{
	guint n = 0;
	for (guint i = 0; i < findings->len; i++)
		n += g_array_index (findings, SpFinding, i).n_mentions;
	return n;
}

Test (parser, one_mebibyte_accepted_one_more_byte_refused)
{
	g_autofree gchar *text
		= make_text ("No fever but a headache for 3 days; 头痛三天，无发热。",
			     SP_PARSER_DEFAULT_MAX_BYTES);
	g_autoptr (GError) error = NULL;
	g_autoptr (GArray) f = NULL;
	g_autoptr (GArray) g = NULL;
	gint64 t0 = g_get_monotonic_time ();
	gchar *big;

	cr_assert_eq (strlen (text), SP_PARSER_DEFAULT_MAX_BYTES);
	f = sp_parser_parse (parser, text, -1, NULL, SP_PARSER_DEFAULT_MAX_BYTES, NULL, &error);
	cr_assert_not_null (f, "%s", error != NULL ? error->message : "");
	/* repeated mentions are merged: a few findings, every mention counted */
	cr_assert_lt (f->len, 20);
	cr_assert_gt (n_mentions (f), 40000);
	/* bounded time: a 1 MiB note well within a second on any machine the tests run on */
	cr_assert_lt (g_get_monotonic_time () - t0, 10 * G_USEC_PER_SEC);
	big = g_strconcat (text, " ", NULL);
	g = sp_parser_parse (parser, big, -1, NULL, SP_PARSER_DEFAULT_MAX_BYTES, NULL, &error);
	g_free (big);
	cr_assert_null (g);
	cr_assert (g_error_matches (error, SP_PARSER_ERROR, SP_PARSER_ERROR_TOO_LARGE));
}

Test (parser, control_characters_and_emoji)
{
	g_autoptr (GArray) f = parse (
		"\x01\x02 fever\x1b[0m \x7f 🤒🤒 头痛👍🏽\u200d\u202e cough\r\n\f");
	find (f, FEVER);
	find (f, HEADACHE);
	find (f, COUGH);
}

Test (parser, long_words_are_bounded)
{
	g_autofree gchar *latin = make_text ("a", 10000);
	g_autofree gchar *han = make_text ("痛", 30000);
	g_autofree gchar *digits = make_text ("7", 10000);
	g_autofree gchar *hyphens = make_text ("a-", 20000);
	g_autofree gchar *neg = make_text ("no ", 30000);
	g_autofree gchar *list = make_text ("fever, ", 100000);
	gint64 t0 = g_get_monotonic_time ();
	g_autoptr (GArray) a = parse (latin);
	g_autoptr (GArray) b = parse (han);
	g_autoptr (GArray) c = parse (digits);
	g_autoptr (GArray) d = parse (hyphens);
	g_autoptr (GArray) e = parse (neg);
	g_autoptr (GArray) l = parse (list);

	cr_assert_eq (a->len, 0);
	cr_assert_eq (b->len, 1);
	cr_assert_eq (n_mentions (b), 10000);
	cr_assert_eq (c->len, 0);
	cr_assert_eq (d->len, 0);
	cr_assert_eq (e->len, 0);
	cr_assert_eq (l->len, 1);
	cr_assert_eq (n_mentions (l), 100000 / 7);
	cr_assert_lt (g_get_monotonic_time () - t0, 10 * G_USEC_PER_SEC);
}

Test (parser, text_need_not_be_nul_terminated)
{
	g_autoptr (GError) error = NULL;
	const gchar buf[] = { 'f', 'e', 'v', 'e', 'r', 'x' };
	g_autoptr (GArray) f
		= sp_parser_parse (parser, buf, 5, NULL, SP_PARSER_DEFAULT_MAX_BYTES, NULL, &error);
	cr_assert_eq (f->len, 1);
}

/* The meter the bounds below rest on: a block of known size is counted in full (and only
 * once), growing it moves the count by the growth, freeing it takes it back out, and the peak
 * saw the largest.  A meter that counted nothing would let every bound pass. */
Test (heap_meter, counts_a_known_allocation)
{
	const gsize size = 4 * 1024 * 1024;
	/* allocator rounding (malloc_usable_size) and whatever else the process allocates */
	const gssize slack = 256 * 1024;
	gchar *block;
	gssize live, grown, after;
	gsize peak;

	cr_assert (heap_meter_available (), "the heap meter is not compiled in");
	heap_meter_start ();
	block = g_malloc (size);
	memset (block, 1, size);
	live = heap_meter_current ();
	block = g_realloc (block, 2 * size);
	memset (block, 2, 2 * size);
	grown = heap_meter_current ();
	g_free (block);
	after = heap_meter_current ();
	peak = heap_meter_peak ();

	cr_assert (live >= (gssize)size && live < (gssize)size + slack,
		   "a %zu-byte block counted as %zd bytes", size, live);
	cr_assert (grown >= (gssize)(2 * size) && grown < (gssize)(2 * size) + slack,
		   "grown to %zu bytes, counted as %zd bytes", 2 * size, grown);
	cr_assert (after > -slack && after < slack, "%zd bytes counted after the free", after);
	cr_assert (peak >= 2 * size && peak < 3 * size + (gsize)slack,
		   "peak %zu bytes for blocks of %zu then %zu bytes", peak, size, 2 * size);
}

/* Peak heap of parsing @len bytes of @text (the result included), in bytes per input byte;
 * also checks that the parse frees all it allocated apart from the result. */
static gdouble
heap_per_byte (const gchar *text, gsize len)
{
	g_autoptr (GError) error = NULL;
	GArray *f;
	gsize peak;

	heap_meter_start ();
	f = sp_parser_parse (parser, text, (gssize)len, NULL, SP_PARSER_DEFAULT_MAX_BYTES, NULL,
			     &error);
	peak = heap_meter_peak ();
	cr_assert_not_null (f, "%s", error != NULL ? error->message : "");
	g_array_unref (f);
	cr_assert_leq (heap_meter_current (), 0, "%" G_GSSIZE_FORMAT " bytes not freed",
		       heap_meter_current ());
	return (gdouble)peak / (gdouble)len;
}

/* The README's bound: peak heap per input byte, whatever the text (worst measured: 162, a text
 * of nothing but punctuation just over a power of two in length, since one byte is then one
 * token and one item and arrays grow by doubling), and for a clinic-style note. */
#define MAX_HEAP_PER_BYTE 200.0
#define MAX_HEAP_PER_BYTE_NOTE 64.0

Test (parser, bad_input_memory_is_bounded)
{
	struct {
		const gchar *what;
		gchar *text;
	} cases[] = {
		{ "1 MiB note", make_text ("No fever but a headache for 3 days; 头痛三天，无发热。",
					   SP_PARSER_DEFAULT_MAX_BYTES) },
		{ "punctuation 2^19+1", make_text (".", 524289) },
		{ "newlines 2^17+1", make_text ("\n", 131073) },
		{ "Han concepts 2^18+1", make_text ("痛", 3 * 262145) },
		{ "10 000-character word", make_text ("a", 10000) },
		{ "10 000 digits", make_text ("7", 10000) },
		{ "hyphenated", make_text ("a-", 20000) },
		{ "one-letter words", make_text ("i ", 100000) },
		{ "negations", make_text ("no ", 30000) },
		{ "list", make_text ("fever, ", 100000) },
		{ "Chinese list", make_text ("痛、", 300000) },
		{ "Chinese durations", make_text ("痛3天", 100000) },
		{ "scores", make_text ("7/10,", 100000) },
		{ "emoji", make_text ("🤒", 40000) },
		{ "control characters", make_text ("\x01\x02\x1b", 30000) },
	};
	g_autoptr (GArray) warm = NULL;

	if (!heap_meter_available ())
		cr_skip_test ("the heap meter does not work under a sanitizer");
	/* one-time allocations (GLib, lazily built tables) are not per-input memory */
	warm = parse (
		"No fever but a headache for 3 days; 头痛三天，无发热。🤒 a-a 777 7/10");
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		gsize len = strlen (cases[i].text);
		gdouble per_byte = heap_per_byte (cases[i].text, len);

		cr_log_info ("%s: %" G_GSIZE_FORMAT " bytes, peak heap %.1f bytes per input byte",
			     cases[i].what, len, per_byte);
		cr_expect_leq (per_byte, i == 0 ? MAX_HEAP_PER_BYTE_NOTE : MAX_HEAP_PER_BYTE,
			       "%s: %.1f bytes of heap per input byte", cases[i].what, per_byte);
		g_free (cases[i].text);
	}
}
