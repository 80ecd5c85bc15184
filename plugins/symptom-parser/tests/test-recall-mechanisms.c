/*
 * Recall mechanisms of issue 11, round 7, with the REAL data directory: what finds wordings no
 * term lists, from what the lexicon knows — a body site composed with a generic symptom head
 * (oedema, a lump, redness; a joint's swelling and stiffness), a site with adverbs before its
 * head (大脚趾又肿), a second head of a list sharing the first one's site ("swollen and painful",
 * 肿胀、疼痛, 又肿又疼), sites listed with one head ("pain in my hips and lower back", 颜面部及
 * 双下肢水肿), and the four signs of inflammation (红肿热痛) as one complaint.  Sentences written
 * for these tests, not taken from the evaluation sets; each phenomenon has controls that must
 * not change.
 */
#define G_LOG_DOMAIN "test-recall-mechanisms"

#include <criterion/criterion.h>
#include <string.h>

#include "sp-parser.h"
#include "sp-test-data.h"

TestSuite (recall, .init = sp_test_data_setup, .fini = sp_test_data_teardown);

#define PAIN "HP:0012531"
#define SWELLING "MV:0004"
#define JOINT_SWELLING "HP:0001386"
#define JOINT_STIFFNESS "HP:0001387"
#define ARTHRALGIA "HP:0002829"
#define KNEE_PAIN "HP:0030839"
#define ELBOW_PAIN "HP:0030835"
#define WRIST_PAIN "HP:0030836"
#define HIP_PAIN "HP:0030838"
#define ANKLE_PAIN "HP:0030840"
#define NECK_PAIN "HP:0030833"
#define SHOULDER_PAIN "HP:0030834"
#define BACK_PAIN "HP:0003418"
#define LOW_BACK_PAIN "HP:0003419"
#define FACIAL_EDEMA "HP:0000282"
#define PEDAL_EDEMA "HP:0010741"
#define BREAST_MASS "HP:0032408"
#define RED_EYE "HP:0025337"
#define ERYTHEMA "HP:0010783"
#define HEADACHE "HP:0002315"
#define NAUSEA "HP:0002018"

static gchar *
dump (GArray *findings)
{
	GString *s = g_string_new (NULL);

	for (guint i = 0; i < findings->len; i++) {
		const SpFinding *f = &g_array_index (findings, SpFinding, i);
		g_string_append_printf (s, "\n  %s %s site=%s side=%d %s", f->concept->code,
					f->concept->label_en, f->site != NULL ? f->site : "-",
					f->laterality, sp_polarity_to_string (f->polarity));
	}
	return g_string_free (s, FALSE);
}

static const SpFinding *
find (GArray *findings, const gchar *code)
{
	for (guint i = 0; i < findings->len; i++) {
		const SpFinding *f = &g_array_index (findings, SpFinding, i);
		if (g_str_equal (f->concept->code, code))
			return f;
	}
	return NULL;
}

/* @sentence gives a finding of @code, at @site (NULL: none stated beyond the concept's own) */
static void
expect_at (const gchar *sentence, const gchar *code, const gchar *site)
{
	g_autoptr (GArray) findings = sp_test_parse (sentence, NULL);
	g_autofree gchar *all = dump (findings);
	const SpFinding *f = find (findings, code);

	cr_assert_not_null (f, "'%s': no %s in%s", sentence, code, all);
	cr_expect_str_eq (f->site != NULL ? f->site : "-", site != NULL ? site : "-",
			  "'%s' %s: site%s", sentence, code, all);
}

/* @sentence gives no finding of @code */
static void
expect_none (const gchar *sentence, const gchar *code)
{
	g_autoptr (GArray) findings = sp_test_parse (sentence, NULL);
	g_autofree gchar *all = dump (findings);

	cr_expect_null (find (findings, code), "'%s': %s should not be found in%s", sentence, code,
			all);
}

static SpLaterality
side_of (const gchar *sentence, const gchar *code)
{
	g_autoptr (GArray) findings = sp_test_parse (sentence, NULL);
	const SpFinding *f = find (findings, code);

	cr_assert_not_null (f, "'%s': no %s", sentence, code);
	return f->laterality;
}

/* oedema, a lump and redness are generic heads a site makes specific */
Test (recall, more_generic_heads)
{
	expect_at ("oedema of the face since this morning", FACIAL_EDEMA, NULL);
	expect_at ("she found a lump in her left breast", BREAST_MASS, NULL);
	expect_at ("redness of the right eye for two days", RED_EYE, NULL);
	expect_at ("面部水肿一周", FACIAL_EDEMA, NULL);
	/* controls: redness of the skin stays Erythema; "reduced" and "blurred" hold no "red" */
	expect_at ("redness of the skin on her arm", ERYTHEMA, NULL);
	expect_none ("redness of the skin on her arm", RED_EYE);
	expect_none ("blurred vision when reading", ERYTHEMA);
	expect_none ("a lump on his back", BREAST_MASS);
}

/* a generic at a joint with no concept of its own is the joint's */
Test (recall, joint_sites)
{
	expect_at ("his right wrist is swollen", JOINT_SWELLING, "SITE:wrist");
	expect_at ("my left elbow feels stiff", JOINT_STIFFNESS, "SITE:elbow");
	expect_at ("膝盖突然肿了", JOINT_SWELLING, "SITE:knee");
	/* controls: swollen ankles are dependent oedema; a sore toe need not be a joint's */
	expect_none ("both ankles are swollen by the evening", JOINT_SWELLING);
	expect_at ("a sore on my toe", PAIN, "SITE:toe");
	expect_none ("a sore on my toe", ARTHRALGIA);
}

/* a part of a region with no concept of its own is the region's (a sore thigh: Lower limb pain) */
Test (recall, part_of_region)
{
	expect_at ("a dull pain in her right thigh", "HP:0012514", "SITE:thigh");
	expect_at ("pain in the left forearm after lifting", "HP:0012513", "SITE:forearm");
	expect_at ("太阳穴胀痛两天", HEADACHE, "SITE:temple");
	/* control: a finger's pain is not the whole hand's */
	expect_none ("a cut on his finger, painful", "HP:0046505");
}

/* adverbs between a Chinese site and its head keep the site (又, 突然, 一直) */
Test (recall, zh_adverbs_between_site_and_head)
{
	expect_at ("右手腕又肿又疼", JOINT_SWELLING, "SITE:wrist");
	expect_at ("右手腕又肿又疼", WRIST_PAIN, NULL);
	expect_at ("这几天后背一直疼", BACK_PAIN, NULL);
	cr_expect_eq (side_of ("右手腕又肿又疼", WRIST_PAIN), SP_LATERALITY_RIGHT);
	/* and verbs of having with a place word (有, 上, 长了个) */
	expect_at ("乳房有包块两周", BREAST_MASS, NULL);
	expect_at ("左膝有肿胀", JOINT_SWELLING, "SITE:knee");
	/* controls: words that are no adverbs leave the site to its own verb; a head no site makes
	 * specific takes none through them (where a wheeze is heard is no site of it) */
	expect_at ("眼睛看手机又头痛", HEADACHE, NULL);
	expect_at ("喉咙里有喘鸣音", "HP:0030828", NULL);
}

/* the second head of a list takes the first one's site, then is made specific */
Test (recall, list_head_shares_site)
{
	expect_at ("her knee is swollen and painful", KNEE_PAIN, NULL);
	expect_at ("右肘肿胀、疼痛", ELBOW_PAIN, NULL);
	expect_none ("her knee is swollen and painful", PAIN);
	/* control: a complaint with no site of its own after a site's complaint takes none */
	expect_at ("头痛、恶心", NAUSEA, NULL);
}

/* one head with a list of sites: one finding per site that has a concept */
Test (recall, listed_sites)
{
	expect_at ("pain in my hips and lower back", LOW_BACK_PAIN, NULL);
	expect_at ("pain in my hips and lower back", HIP_PAIN, NULL);
	expect_at ("pain in the neck, shoulders and back", SHOULDER_PAIN, NULL);
	expect_at ("pain in the neck, shoulders and back", BACK_PAIN, NULL);
	expect_at ("swelling of the face and legs", PEDAL_EDEMA, NULL);
	expect_at ("swelling of the face and legs", FACIAL_EDEMA, NULL);
	expect_at ("颜面部及双下肢水肿", FACIAL_EDEMA, NULL);
	expect_at ("颈部及双肩疼痛", NECK_PAIN, NULL);
	cr_expect_eq (side_of ("左膝和右踝疼痛", KNEE_PAIN), SP_LATERALITY_LEFT);
	cr_expect_eq (side_of ("左膝和右踝疼痛", ANKLE_PAIN), SP_LATERALITY_RIGHT);
	/* controls: 伴 joins complaints, not sites; a comma after a head lists complaints; the
	 * joints of "joint pains in her hands and knees" are one Arthralgia; radiation is no list
	 */
	expect_none ("腰痛伴右下肢麻木", "HP:0012514");
	expect_none ("swelling of the hands, frontal headache", "HP:0046505");
	expect_none ("joint pains in her hands and knees", KNEE_PAIN);
	/* a list joined by commas only when "and" closes it */
	expect_none ("mild swelling R ankle, calves soft and non-tender", "HP:0010741");
}

/* 红肿热痛, the four signs of inflammation, is one complaint: no second, bare Pain */
Test (recall, inflammation_is_one_complaint)
{
	g_autoptr (GArray) findings = sp_test_parse ("右膝关节红肿热痛三天", NULL);
	g_autofree gchar *all = dump (findings);

	cr_expect_not_null (find (findings, JOINT_SWELLING), "%s", all);
	cr_expect_null (find (findings, PAIN), "a second Pain in%s", all);
	/* control: a pain told in its own clause stays a finding */
	expect_at ("右膝红肿，疼痛明显", PAIN, NULL);
	expect_at ("右膝红肿，疼痛明显", JOINT_SWELLING, "SITE:knee");
}

/* a symptom term written as an -ing word also matches its other verb forms */
Test (recall, english_verb_forms)
{
	expect_at ("the toddler sneezed all morning", "HP:0025095", NULL);
	expect_at ("my toes tingle at night", "HP:0003401", "SITE:toe");
	expect_at ("he wheezed after the run", "HP:0030828", NULL);
	expect_at ("she hallucinated last night", "HP:0000738", NULL);
	/* controls: forms that are ordinary words in another sense find nothing */
	expect_none ("a fit and active man", "HP:0001250");
	expect_none ("prognosis is guarded", "HP:0032546");
	expect_none ("a lesion spotted on the scan", "HP:0034263");
}

/* a condition treated by diet is the patient's ("T2DM diet-controlled"), a diet service named
 * by a condition is not */
Test (recall, diet_controlled_condition)
{
	expect_at ("PMH: gout, T2DM diet-controlled, asthma", "HP:0005978", NULL);
	expect_at ("Diabetes (diet controlled) since 2019", "HP:0000819", NULL);
	/* controls */
	expect_none ("she was referred to the diabetes diet clinic", "HP:0000819");
	expect_none ("mum asked for a diabetes diet leaflet", "HP:0000819");
}

/* diabetes called by its type alone, where the text speaks of diabetes care */
Test (recall, bare_diabetes_type)
{
	expect_at ("I've had type 1 since I was nine, on an insulin pump", "HP:0100651", NULL);
	expect_at ("Dad has type 2 and takes metformin", "HP:0005978", NULL);
	expect_at ("my type 2 is worse this winter, sugars in the teens", "HP:0005978", NULL);
	/* controls: no diabetes care in the text; a type that qualifies a noun; another scale */
	expect_none ("Type 2 for years, no problems", "HP:0005978");
	expect_none ("type 2 respiratory failure, started on insulin", "HP:0005978");
	expect_none ("Mobitz type 2 block, also on metformin", "HP:0005978");
	expect_none ("Bristol type 6 stools since the metformin", "HP:0005978");
}

/* where a complaint radiates is a pain of its own; the side goes with it */
Test (recall, radiation)
{
	expect_at ("crushing chest pain radiating to the jaw", "HP:0040264", NULL);
	expect_at ("epigastric pain for 6 hours, radiating to the back", BACK_PAIN, NULL);
	expect_at ("上腹痛一天，放射至后背", BACK_PAIN, NULL);
	expect_at ("心前区疼痛，向左肩放射", SHOULDER_PAIN, NULL);
	cr_expect_eq (side_of ("胸痛向左肩放射", "HP:0100749"), SP_LATERALITY_NONE);
	/* controls: 向 that radiates nothing; no radiation word */
	expect_none ("头痛，向医生咨询后服药", SHOULDER_PAIN);
	expect_none ("chest pain, and a cast on his left arm since the fall", "HP:0012513");
}
