/*
 * vr-recommender core — what the patient's record says beyond the contraindications: the risk
 * of falling (seated unless a plan says otherwise), the notices a patient reads before any VR
 * (risks no choice of content removes), and which items need an indication before they are
 * worth recommending (README, "Fall risk", "Notices", "Relevance").
 */
#define G_LOG_DOMAIN "vr-recommender"

#include "vr-core.h"

/*
 * Fall-risk factors that count at any age (README, "Fall risk"): the neurological, gait,
 * balance, vision and fall-history factors of NICE CG161's multifactorial assessment and of
 * CDC STEADI.  Every HP: and DOID: id exists in the releases named in ../shared/data; ICD10:
 * entries match the code and every code under it.  ICD10:W0 and ICD10:W1 stand for W00-W19,
 * the external causes that are falls.
 */
static const gchar *const vr_fall_factors[] = {
	/* stroke: infarction, haemorrhage, unspecified, sequelae */
	"HP:0001297", "DOID:0051061", "DOID:0051062", "DOID:0051063", "DOID:3526", "ICD10:I60",
	"ICD10:I61", "ICD10:I62", "ICD10:I63", "ICD10:I64", "ICD10:I69",
	/* hemiparesis, hemiplegia and other paralysis */
	"HP:0001269", "HP:0002301", "DOID:10969", "ICD10:G81", "ICD10:G82", "ICD10:G83",
	/* ataxia */
	"HP:0001251", "DOID:0050753", "ICD10:R27.0", "ICD10:G11",
	/* Parkinson disease and parkinsonism */
	"HP:0001300", "DOID:14330", "DOID:0080855", "ICD10:G20", "ICD10:G21",
	/* falls: a history of falling, repeated falls, a fall as the cause of an injury */
	"HP:0002527", "ICD10:Z91.81", "ICD10:R29.6", "ICD10:W0", "ICD10:W1",
	/* gait and balance */
	"HP:0001288", "HP:0002317", "HP:0002172", "HP:0031825", "ICD10:R26",
	/* vertigo, dizziness (the parser's dizziness carries HP:0002321) and vestibular disease */
	"HP:0002321", "ICD10:R42", "DOID:3426", "DOID:9849", "DOID:13941", "DOID:1468",
	"DOID:12683", "ICD10:H81",
	/* syncope and presyncope (MV:0007: the symptom parser's lightheadedness) */
	"HP:0001279", "HP:0031972", "ICD10:R55", "MV:0007",
	/* peripheral neuropathy, diabetic included */
	"HP:0009830", "HP:0001271", "DOID:1389", "DOID:9743", "ICD10:G60", "ICD10:G61", "ICD10:G62",
	"ICD10:G63", "ICD10:E10.4", "ICD10:E11.4",
	/* blindness and low vision */
	"HP:0000618", "DOID:1432", "ICD10:H54",
	/* lower-limb amputation: toe, foot, ankle, leg, both legs */
	"ICD10:Z89.4", "ICD10:Z89.5", "ICD10:Z89.6", "ICD10:Z89.7",
	/* fracture of the femur, the hip fracture among them */
	"ICD10:S72", NULL
};

/* factors that count from 65 years (CG161's cognitive, continence and cardiovascular parts
 * of the assessment; visual impairment short of low vision) */
static const gchar *const vr_fall_factors_later[]
	= { "HP:0100543", "DOID:1307", "DOID:10652",   "ICD10:F00",   "ICD10:F01",  "ICD10:F02",
	    "ICD10:F03",  "ICD10:G30", "ICD10:G31.84", "ICD10:F06.7", "HP:0001278", "ICD10:I95.1",
	    "HP:0000020", "ICD10:R32", "ICD10:N39.3",  "ICD10:N39.4", "HP:0000505", NULL };

/* implanted devices the headset's magnets and radios can affect (the Meta/Oculus health and
 * safety warnings: "do not use ... with a pacemaker or other implanted medical device
 * without first consulting your doctor"): pacemaker, cardiac implants, hearing implants,
 * neurostimulator, the care of a cardiac device */
static const gchar *const vr_device_codes[]
	= { "ICD10:Z95.0", "ICD10:Z95.81", "ICD10:Z96.2", "ICD10:Z96.82", "ICD10:Z45.0", NULL };

/* the age from which CG161 assesses everyone, and the age from which about half fall each
 * year (CG161's introduction): the later-life factors count from the first, age alone from
 * the second */
#define VR_FALL_AGE_FACTORS 65.0
#define VR_FALL_AGE_ALONE 80.0

static gboolean
vr_any_code_in (const VrPatient *p, const gchar *const *table)
{
	for (guint i = 0; i < p->codes->len; i++) {
		if (vr_code_in_table (table, g_ptr_array_index (p->codes, i)))
			return TRUE;
	}
	return FALSE;
}

gboolean
vr_fall_risk (const VrPatient *p)
{
	if (p->age_years >= VR_FALL_AGE_ALONE)
		return TRUE;
	if (vr_any_code_in (p, vr_fall_factors))
		return TRUE;
	return p->age_years >= VR_FALL_AGE_FACTORS && vr_any_code_in (p, vr_fall_factors_later);
}

gboolean
vr_patient_seated (const VrPatient *p)
{
	if (p->posture_given)
		return p->posture == VR_POSTURE_SEATED;
	return p->fall_risk;
}

static void
vr_notice_add (GVariantBuilder *b, const gchar *code, const gchar *en, const gchar *zh)
{
	g_autoptr (GVariant) n = vr_reason_new (code, en, zh);

	g_variant_builder_add_value (b, n);
}

/* codes no table can read (README, "Codes the filter cannot read"): not silence, a notice;
 * `codes` lists them for the clinician, the texts name none (a patient reads them) */
static void
vr_notice_unchecked (GVariantBuilder *b, const GPtrArray *codes)
{
	g_auto (GVariantBuilder) n = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
	g_auto (GVariantBuilder) list = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_STRING_ARRAY);

	for (guint i = 0; i < codes->len; i++)
		g_variant_builder_add (&list, "s", g_ptr_array_index (codes, i));
	g_variant_builder_add (&n, "{sv}", "code", g_variant_new_string ("unchecked-codes"));
	g_variant_builder_add (&n, "{sv}", "en",
			       g_variant_new_string ("Some of your conditions could not be checked "
						     "for VR safety: ask your clinician."));
	g_variant_builder_add (&n, "{sv}", "zh",
			       g_variant_new_string ("您的部分病情无法进行 VR 安全检查：请咨询您的"
						     "临床医生。"));
	g_variant_builder_add (&n, "{sv}", "codes", g_variant_builder_end (&list));
	g_variant_builder_add_value (b, g_variant_builder_end (&n));
}

GVariant *
vr_notices (const VrPatient *p, guint triggered)
{
	g_auto (GVariantBuilder) b = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("aa{sv}"));
	gboolean vestibular = (triggered & (1u << VR_CONTRA_VESTIBULAR_DISORDER)) != 0;

	/* any content can hold a flash the catalog does not know of (the warnings' 1 in 4,000) */
	if (triggered & (1u << VR_CONTRA_PHOTOSENSITIVE_EPILEPSY))
		vr_notice_add (&b, "ask-doctor-first",
			       "Ask your doctor before using VR: you have a history of seizures.",
			       "使用 VR 前请先咨询医生：您有癫痫发作史。");
	if (vr_any_code_in (p, vr_device_codes))
		vr_notice_add (&b, "implanted-device",
			       "Ask your doctor before using VR: the headset and controllers "
			       "contain magnets and radios that can affect an implanted device "
			       "such as a pacemaker.",
			       "使用 VR 前请先咨询医生：头显和手柄含有磁体和无线电部件，可能影响"
			       "起搏器等植入式医疗设备。");
	if (p->unchecked->len > 0)
		vr_notice_unchecked (&b, p->unchecked);
	/* a patient can stand up during any content: the notice says what the filter cannot */
	if (p->fall_risk && !p->posture_given)
		vr_notice_add (&b, "fall-risk",
			       "Stay seated while you use VR: your record shows a risk of falling, "
			       "so only content you can do seated is offered until your care plan "
			       "says otherwise.",
			       "使用 VR 时请保持坐姿：您的记录显示有跌倒风险，在护理计划另行说明"
			       "之前，仅提供可坐着进行的内容。");
	else if (p->fall_risk && (p->posture == VR_POSTURE_SEATED || vestibular))
		vr_notice_add (&b, "fall-risk",
			       "Stay seated while you use VR: your record shows a risk of falling.",
			       "使用 VR 时请保持坐姿：您的记录显示有跌倒风险。");
	else if (p->fall_risk)
		vr_notice_add (
			&b, "fall-risk",
			"Your record shows a risk of falling: clear the space around you and "
			"have someone with you when you play standing.",
			"您的记录显示有跌倒风险：站立进行时请清理周围空间，并有人陪同。");
	return g_variant_builder_end (&b);
}

/* disease education and procedure preparation mean nothing without the disease or the
 * procedure: a target of the patient's is required (generic education, no targets, is not) */
gboolean
vr_needs_target (const VrItem *item)
{
	const gchar *category = vr_categories[item->category];

	if (g_str_equal (category, "procedure-preparation"))
		return TRUE;
	return g_str_equal (category, "education") && item->targets[0] != NULL;
}

VrIndication
vr_indication_of (const VrItem *item)
{
	static const gchar *const training[] = {
		"upper-limb-rehab", "lower-limb-rehab", "balance-rehab", "cognitive-training", NULL,
	};
	const gchar *category = vr_categories[item->category];

	if (vr_needs_target (item))
		return VR_INDICATION_TARGET;
	/* pain distraction is not gated: the pain of a needle, a dressing change or an infusion
	 * is rarely coded, so it serves like relaxation (README, "Relevance") */
	return g_strv_contains (training, category) ? VR_INDICATION_TARGET_OR_GOAL
						    : VR_INDICATION_NONE;
}
