/*
 * vr-recommender core — the safety filter: which contraindications a patient's codes trigger,
 * which apply to an item, and the pure check of one item against one patient.  Nothing here
 * is ever relaxed to fill a list: the ranking only sees what passed.
 */
#define G_LOG_DOMAIN "vr-recommender"

#include <string.h>

#include "vr-core.h"

/*
 * The codes that trigger each contraindication (README, "Contraindications"): HPO and Disease
 * Ontology ids match exactly (a finding carries its DOID and ICD-10 xrefs, checked too); an
 * ICD10: entry matches that code and every code under it (ICD10:G40 matches ICD10CM:G40.8).
 * Every HP: and DOID: id here exists in the HPO (hp-zh.babelon.tsv, 2026-06-22) and the Human
 * Disease Ontology (HumanDO.tsv, 2026-08-19) releases named in ../shared/data/README.md.
 */
static const gchar *const vr_triggers[VR_CONTRA_LAST][24] = {
	[VR_CONTRA_PHOTOSENSITIVE_EPILEPSY]
	= { "HP:0001250", "HP:0001327", "HP:0007207", "HP:0032855", "DOID:1826", "DOID:0060281",
	    "ICD10:G40", "ICD10:G41", "ICD10:R56", NULL },
	[VR_CONTRA_VESTIBULAR_DISORDER]
	= { "HP:0002321", "HP:0001756", "HP:0008568", "DOID:3426", "DOID:9849", "DOID:13941",
	    "DOID:1468", "DOID:12683", "ICD10:H81", "ICD10:H83.0", "ICD10:R42", NULL },
	[VR_CONTRA_RECENT_EYE_SURGERY]
	= { "ICD10:Z98.4", "ICD10:Z96.1", "ICD10:Z48.810", "ICD10:H59", NULL },
	[VR_CONTRA_PREGNANCY] = { "ICD10:Z33", "ICD10:Z34", "ICD10:Z3A", "ICD10:O", NULL },
	[VR_CONTRA_CARDIAC_HIGH_INTENSITY]
	= { "HP:0001635", "HP:0001658", "HP:0001681", "HP:0011675", "DOID:3393", "DOID:5844",
	    "ICD10:I20", "ICD10:I21", "ICD10:I22", "ICD10:I24", "ICD10:I25", "ICD10:I47",
	    "ICD10:I48", "ICD10:I49", "ICD10:I50", NULL },
	/* MV:0008: the symptom parser's motion sickness (no HPO term) */
	[VR_CONTRA_SEVERE_MOTION_SICKNESS] = { "DOID:2951", "ICD10:T75.3", "MV:0008", NULL },
	[VR_CONTRA_OPEN_WOUND_HEAD] = { "ICD10:S01", NULL },
	[VR_CONTRA_PSYCHOSIS]
	= { "HP:0000709", "HP:0000738", "DOID:2468", "DOID:5419", "ICD10:F20", "ICD10:F22",
	    "ICD10:F23", "ICD10:F25", "ICD10:F28", "ICD10:F29", NULL },
	[VR_CONTRA_CLAUSTROPHOBIA] = { "HP:0025253", "ICD10:F40.240", NULL },
	[VR_CONTRA_RECENT_CONCUSSION] = { "DOID:0081292", "ICD10:S06.0", "ICD10:F07.81", NULL },
};

/* what the patient reads for each contraindication, in both languages */
static const gchar *const vr_contra_text[VR_CONTRA_LAST][2] = {
	[VR_CONTRA_PHOTOSENSITIVE_EPILEPSY]
	= { "Flashing light in this content can trigger seizures in epilepsy",
	    "该内容中的闪光可能诱发癫痫发作" },
	[VR_CONTRA_VESTIBULAR_DISORDER]
	= { "Not with vertigo or a vestibular disorder: it is played standing, or its motion "
	    "(rated above comfortable) can worsen your vertigo",
	    "眩晕或前庭功能障碍时不宜使用：需站立进行，或其中的运动（舒适度高于“舒适”）可能加重"
	    "您的眩晕" },
	[VR_CONTRA_RECENT_EYE_SURGERY]
	= { "A headset presses on the eyes and face: not after recent eye surgery",
	    "头显会压迫眼部和面部：近期眼科手术后不宜使用" },
	[VR_CONTRA_PREGNANCY] = { "Not advised during pregnancy (balance, intensity or falls)",
				  "孕期不建议使用（平衡、强度或跌倒风险）" },
	[VR_CONTRA_CARDIAC_HIGH_INTENSITY]
	= { "Above the light intensity (3 METs) your heart condition allows without supervision",
	    "强度超过您的心脏疾病在无监护时允许的轻度强度（3 METs）" },
	[VR_CONTRA_SEVERE_MOTION_SICKNESS]
	= { "Likely to cause motion sickness", "容易引起晕动症" },
	[VR_CONTRA_OPEN_WOUND_HEAD] = { "A headset must not rest on an open wound of the head",
					"头显不能压在头部的开放性伤口上" },
	[VR_CONTRA_PSYCHOSIS]
	= { "Immersive VR is not advised with psychosis", "有精神病性症状时不建议使用沉浸式 VR" },
	[VR_CONTRA_CLAUSTROPHOBIA] = { "Enclosed scenes in this content can provoke claustrophobia",
				       "该内容中的封闭场景可能引发幽闭恐惧" },
	[VR_CONTRA_RECENT_CONCUSSION]
	= { "Visual and vestibular load is not advised after a recent concussion",
	    "近期脑震荡后不建议承受视觉和前庭负荷" },
};

/* a cardiac patient's ceiling without supervision: light intensity (ACSM, < 3 METs) */
#define VR_CARDIAC_METS 3.0

static gboolean
vr_code_matches (const gchar *trigger, const gchar *code)
{
	const gchar *rest;

	if (g_str_equal (trigger, code))
		return TRUE;
	if (!g_str_has_prefix (trigger, "ICD10:"))
		return FALSE;
	/* ICD10CM: (the parser's xrefs) and ICD10: name the same codes */
	if (g_str_has_prefix (code, "ICD10CM:"))
		rest = code + strlen ("ICD10CM:");
	else if (g_str_has_prefix (code, "ICD10:"))
		rest = code + strlen ("ICD10:");
	else
		return FALSE;
	return g_str_has_prefix (rest, trigger + strlen ("ICD10:"));
}

gboolean
vr_code_in_table (const gchar *const *table, const gchar *code)
{
	for (guint i = 0; table[i] != NULL; i++) {
		if (vr_code_matches (table[i], code))
			return TRUE;
	}
	return FALSE;
}

gboolean
vr_contra_matches (VrContra contra, const gchar *code)
{
	return vr_code_in_table (vr_triggers[contra], code);
}

guint
vr_contra_triggered (const VrPatient *p)
{
	guint bits = p->pregnant ? 1u << VR_CONTRA_PREGNANCY : 0;

	for (guint i = 0; i < p->codes->len; i++) {
		for (guint c = 0; c < VR_CONTRA_LAST; c++) {
			if (vr_contra_matches (c, g_ptr_array_index (p->codes, i)))
				bits |= 1u << c;
		}
	}
	/* a seizure history (an inactive or remitted epilepsy) still counts: photosensitive
	 * seizures recur, and "resolved" is the clinician's word (ILAE, README) */
	for (guint i = 0; i < p->history_codes->len; i++) {
		if (vr_contra_matches (VR_CONTRA_PHOTOSENSITIVE_EPILEPSY,
				       g_ptr_array_index (p->history_codes, i)))
			bits |= 1u << VR_CONTRA_PHOTOSENSITIVE_EPILEPSY;
	}
	return bits;
}

guint
vr_contra_of_item (const VrItem *item)
{
	/* a headset rests on the face and the eyes whatever the content */
	guint bits = item->contra | (1u << VR_CONTRA_RECENT_EYE_SURGERY)
		     | (1u << VR_CONTRA_OPEN_WOUND_HEAD);

	/* what the item's own ratings imply, whatever a clinic's item forgot to list */
	if (item->locomotion == VR_LOCOMOTION_SMOOTH || item->comfort == VR_COMFORT_INTENSE)
		bits |= (1u << VR_CONTRA_VESTIBULAR_DISORDER)
			| (1u << VR_CONTRA_SEVERE_MOTION_SICKNESS);
	/* a vestibular disorder caps comfort at comfortable: a rocking boat or a rowing lake
	 * (moderate) moves the visual field as much as it provokes vertigo (README) */
	if (item->comfort > VR_COMFORT_COMFORTABLE)
		bits |= 1u << VR_CONTRA_VESTIBULAR_DISORDER;
	if (item->mets > VR_CARDIAC_METS)
		bits |= 1u << VR_CONTRA_CARDIAC_HIGH_INTENSITY;
	/* standing in a headset that hides the floor: not with vertigo, not in pregnancy (the
	 * catalog lists pregnancy on every standing item; a clinic's item gets it too) */
	if (item->posture == VR_POSTURE_STANDING)
		bits |= (1u << VR_CONTRA_VESTIBULAR_DISORDER) | (1u << VR_CONTRA_PREGNANCY);
	return bits;
}

static void
vr_reason (GPtrArray *reasons, const gchar *code, const gchar *en, const gchar *zh)
{
	if (reasons != NULL)
		g_ptr_array_add (reasons, vr_reason_new (code, en, zh));
}

static gboolean
vr_filter_age (const VrItem *item, const VrPatient *p, GPtrArray *reasons)
{
	g_autofree gchar *en = NULL;
	g_autofree gchar *zh = NULL;

	if (p->age_years < 0) {
		/* no age: nothing made for children only, nothing for adults only over 18 */
		if (item->max_age == 0 && item->min_age <= 18)
			return TRUE;
		vr_reason (reasons, "age-unknown",
			   "Has an age limit, and your age is not in your record",
			   "有年龄限制，而您的记录中没有年龄");
		return FALSE;
	}
	if (p->age_years < item->min_age) {
		en = g_strdup_printf ("For ages %u and over", item->min_age);
		zh = g_strdup_printf ("适用于 %u 岁及以上", item->min_age);
		vr_reason (reasons, "age-below-minimum", en, zh);
		return FALSE;
	}
	/* max_age 12 admits a patient until the day before the 13th birthday */
	if (item->max_age > 0 && p->age_years >= item->max_age + 1.0) {
		en = g_strdup_printf ("For ages up to %u", item->max_age);
		zh = g_strdup_printf ("适用于 %u 岁及以下", item->max_age);
		vr_reason (reasons, "age-above-maximum", en, zh);
		return FALSE;
	}
	return TRUE;
}

/* fall risk (README, "Fall risk"): seated unless a plan said a posture, and never smooth
 * locomotion, whose visual flow moves the body (vection) whatever the posture */
static gboolean
vr_filter_fall_risk (const VrItem *item, const VrPatient *p, GPtrArray *reasons)
{
	gboolean standing = !p->posture_given && item->posture == VR_POSTURE_STANDING;
	gboolean smooth = item->locomotion == VR_LOCOMOTION_SMOOTH;

	if (!p->fall_risk || (!standing && !smooth))
		return TRUE;
	/* one reason per rule (the trial saw fall-risk twice on one item): both causes in it */
	if (standing && smooth)
		vr_reason (reasons, "fall-risk",
			   "Played standing with smooth motion through the scene, and your record "
			   "shows a risk of falling: seated content without smooth motion only",
			   "需站立进行且场景中有连续移动，而您的记录显示有跌倒风险：仅限无连续移动"
			   "的坐姿内容");
	else if (standing)
		vr_reason (
			reasons, "fall-risk",
			"Played standing, and your record shows a risk of falling: seated "
			"content only until your care plan says otherwise",
			"需站立进行，而您的记录显示有跌倒风险：在护理计划另行说明之前仅限坐姿内容");
	else
		vr_reason (reasons, "fall-risk",
			   "Smooth motion through the scene can upset your balance, and your "
			   "record shows a risk of falling",
			   "场景中的连续移动可能影响您的平衡，而您的记录显示有跌倒风险");
	return FALSE;
}

gboolean
vr_filter_item (const VrItem *item,
		const VrPatient *p,
		guint triggered,
		VrComfort tolerance,
		GPtrArray *reasons)
{
	guint hit = triggered & vr_contra_of_item (item);
	gboolean safe = vr_filter_age (item, p, reasons);

	for (guint c = 0; c < VR_CONTRA_LAST; c++) {
		g_autofree gchar *code = NULL;
		if ((hit & (1u << c)) == 0)
			continue;
		code = g_strdup_printf ("contraindication:%s", vr_contra_ids[c]);
		vr_reason (reasons, code, vr_contra_text[c][0], vr_contra_text[c][1]);
		safe = FALSE;
	}
	if (item->comfort > tolerance) {
		g_autofree gchar *en = g_strdup_printf (
			"Rated %s for motion comfort, above your comfort level (%s)",
			vr_comforts[item->comfort], vr_comforts[tolerance]);
		static const gchar *const zh_names[] = { "舒适", "中等", "强烈" };
		g_autofree gchar *zh
			= g_strdup_printf ("晕动舒适度为“%s”，高于您的耐受度（%s）",
					   zh_names[item->comfort], zh_names[tolerance]);
		vr_reason (reasons, "comfort-above-tolerance", en, zh);
		safe = FALSE;
	}
	if (p->max_mets >= 0 && item->mets > p->max_mets) {
		g_autofree gchar *en = g_strdup_printf (
			"Intensity %.1f METs is above your plan's limit of %.1f METs", item->mets,
			p->max_mets);
		g_autofree gchar *zh = g_strdup_printf ("强度 %.1f METs 高于您计划的上限 %.1f METs",
							item->mets, p->max_mets);
		vr_reason (reasons, "mets-above-limit", en, zh);
		safe = FALSE;
	}
	if (p->posture == VR_POSTURE_SEATED && item->posture == VR_POSTURE_STANDING) {
		vr_reason (reasons, "standing-for-seated",
			   "Played standing, and your care plan says you stay seated",
			   "需站立进行，而您的护理计划要求保持坐姿");
		safe = FALSE;
	}
	return vr_filter_fall_risk (item, p, reasons) && safe;
}

/* the history's latest date: the reference for "the last 14 days" (no clock in a plugin) */
static const GDate *
vr_history_latest (GPtrArray *history)
{
	const GDate *latest = NULL;

	for (guint i = 0; history != NULL && i < history->len; i++) {
		const VrSession *s = g_ptr_array_index (history, i);
		if (latest == NULL || g_date_compare (&s->date, latest) > 0)
			latest = &s->date;
	}
	return latest;
}

VrComfort
vr_tolerance_after (VrComfort tolerance, GPtrArray *history)
{
	const GDate *latest = vr_history_latest (history);
	guint severe = 0;

	for (guint i = 0; latest != NULL && i < history->len; i++) {
		const VrSession *s = g_ptr_array_index (history, i);
		if (s->sickness == 3 && g_date_days_between (&s->date, latest) < 14)
			severe++;
	}
	if (severe >= 2)
		return VR_COMFORT_COMFORTABLE;
	if (severe == 1 && tolerance > VR_COMFORT_COMFORTABLE)
		return tolerance - 1;
	return tolerance;
}

GHashTable *
vr_sickening_items (GPtrArray *history)
{
	GHashTable *ids = g_hash_table_new (g_str_hash, g_str_equal);

	for (guint i = 0; history != NULL && i < history->len; i++) {
		const VrSession *s = g_ptr_array_index (history, i);
		if (s->sickness == 3)
			g_hash_table_add (ids, s->content_id);
	}
	return ids;
}
