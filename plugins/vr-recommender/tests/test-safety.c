/*
 * The safety test of issue 14: 10,000 simulated patients with random conditions, findings
 * (negated and family-history ones among them), ages, tolerances, pregnancy, METs limits,
 * postures and histories with cybersickness reports, fall-risk factors, seizure histories and
 * implanted devices.  Every recommended item is checked against an oracle written here,
 * apart from the filter: no contraindication, age, comfort, METs, posture or fall-risk limit
 * is ever violated (vertigo: nothing standing; fall risk: nothing smooth, nothing standing
 * without a posture), every item carries reasons in both languages, and the notices are
 * exactly those the record calls for.
 */
#include <criterion/criterion.h>

#include <string.h>

#include "test-lib.h"

#define N_PATIENTS 10000

/* codes a patient may carry, with the contraindication each triggers (-1: none), whether it
 * is a fall-risk factor (1: at any age, 2: from 65), an implanted device, and whether no table
 * can read it (the notice unchecked-codes) — the test's own table, from the README's, in the
 * forms the record and the parser give (SNOMED CT as the daemon and others spell it) */
static const struct {
	const gchar *code;
	gint contra;
	guint fall;
	gboolean device;
	gboolean unreadable;
} codes[] = {
	{ "SNOMED:84757009", VR_CONTRA_PHOTOSENSITIVE_EPILEPSY, 0, FALSE },
	{ "SCT:91175000", VR_CONTRA_PHOTOSENSITIVE_EPILEPSY, 0, FALSE },
	{ "SNOMEDCT_US:399153001", VR_CONTRA_VESTIBULAR_DISORDER, 1, FALSE },
	{ "SNOMED:77386006", VR_CONTRA_PREGNANCY, 0, FALSE },
	{ "SNOMED:22298006", VR_CONTRA_CARDIAC_HIGH_INTENSITY, 0, FALSE },
	{ "MV:0008", VR_CONTRA_SEVERE_MOTION_SICKNESS, 0, FALSE },
	{ "SNOMED:230690007", -1, 1, FALSE },
	{ "SNOMED:49049000", -1, 1, FALSE },
	{ "SNOMED:441509002", -1, 0, TRUE },
	{ "SNOMED:38341003", -1, 0, FALSE, TRUE },
	{ "SYMP:0000099", -1, 0, FALSE, TRUE },
	{ "HP:0001250", VR_CONTRA_PHOTOSENSITIVE_EPILEPSY, 0, FALSE },
	{ "ICD10CM:G40.8", VR_CONTRA_PHOTOSENSITIVE_EPILEPSY, 0, FALSE },
	{ "ICD10CM:G40.909", VR_CONTRA_PHOTOSENSITIVE_EPILEPSY, 0, FALSE },
	{ "DOID:1826", VR_CONTRA_PHOTOSENSITIVE_EPILEPSY, 0, FALSE },
	{ "HP:0002321", VR_CONTRA_VESTIBULAR_DISORDER, 1, FALSE },
	{ "ICD10:H81.1", VR_CONTRA_VESTIBULAR_DISORDER, 1, FALSE },
	{ "DOID:9849", VR_CONTRA_VESTIBULAR_DISORDER, 1, FALSE },
	{ "ICD10CM:Z98.41", VR_CONTRA_RECENT_EYE_SURGERY, 0, FALSE },
	{ "ICD10:O09.9", VR_CONTRA_PREGNANCY, 0, FALSE },
	{ "ICD10CM:Z33.1", VR_CONTRA_PREGNANCY, 0, FALSE },
	{ "HP:0001635", VR_CONTRA_CARDIAC_HIGH_INTENSITY, 0, FALSE },
	{ "ICD10CM:I25.10", VR_CONTRA_CARDIAC_HIGH_INTENSITY, 0, FALSE },
	{ "DOID:5844", VR_CONTRA_CARDIAC_HIGH_INTENSITY, 0, FALSE },
	{ "DOID:2951", VR_CONTRA_SEVERE_MOTION_SICKNESS, 0, FALSE },
	{ "ICD10:T75.3", VR_CONTRA_SEVERE_MOTION_SICKNESS, 0, FALSE },
	{ "ICD10:S01.0", VR_CONTRA_OPEN_WOUND_HEAD, 0, FALSE },
	{ "HP:0000709", VR_CONTRA_PSYCHOSIS, 0, FALSE },
	{ "ICD10CM:F20.9", VR_CONTRA_PSYCHOSIS, 0, FALSE },
	{ "HP:0025253", VR_CONTRA_CLAUSTROPHOBIA, 0, FALSE },
	{ "ICD10CM:S06.0X0A", VR_CONTRA_RECENT_CONCUSSION, 0, FALSE },
	{ "HP:0001297", -1, 1, FALSE },
	{ "ICD10:I63.9", -1, 1, FALSE },
	{ "ICD10CM:G81.94", -1, 1, FALSE },
	{ "DOID:14330", -1, 1, FALSE },
	{ "HP:0002527", -1, 1, FALSE },
	{ "ICD10CM:Z91.81", -1, 1, FALSE },
	{ "ICD10:R26.81", -1, 1, FALSE },
	{ "HP:0001279", -1, 1, FALSE },
	{ "HP:0009830", -1, 1, FALSE },
	{ "ICD10CM:Z89.511", -1, 1, FALSE },
	{ "ICD10:H54.0", -1, 1, FALSE },
	{ "HP:0100543", -1, 2, FALSE },
	{ "ICD10CM:F03.90", -1, 2, FALSE },
	{ "HP:0001278", -1, 2, FALSE },
	{ "ICD10:Z95.0", -1, 0, TRUE },
	{ "HP:0000739", -1, 0, FALSE },
	{ "DOID:9352", -1, 0, FALSE },
	{ "HP:0001513", -1, 0, FALSE },
	{ "ICD10:M17.1", -1, 0, FALSE },
	{ "LOINC:4548-4", -1, 0, FALSE, TRUE },
};

/* counted (0–4): active or unknown, every rule; history (5–6): seizures only; resolved: none */
static const gchar *const statuses[] = { "active", "recurrence", "relapse",   "unknown",
					 NULL,	   "inactive",	 "remission", "resolved" };
static const gchar *const polarities[] = { "present", "possible", NULL, "absent" };
static const gchar *const experiencers[] = { "patient", NULL, "family" };

typedef enum { COUNTS_NOT, COUNTS_ALL, COUNTS_HISTORY } Counts;

typedef struct {
	guint contra; /* what the patient's record triggers, by the table above */
	gdouble age;  /* < 0: unknown */
	VrComfort tolerance;
	gdouble max_mets; /* < 0: none */
	gboolean seated;
	gboolean posture_given;
	guint fall; /* bit 1: a factor at any age, bit 2: a later-life factor */
	gboolean device;
	gboolean unchecked; /* a counted condition or finding no table can read */
	GHashTable *severe_items;
} Expect;

static const gchar *
pick_code (GRand *r, Expect *x, Counts counts, gboolean *unreadable)
{
	guint k = g_rand_int_range (r, 0, G_N_ELEMENTS (codes));

	*unreadable = codes[k].unreadable;
	if (counts == COUNTS_ALL && codes[k].contra >= 0)
		x->contra |= 1u << codes[k].contra;
	if (counts == COUNTS_HISTORY && codes[k].contra == VR_CONTRA_PHOTOSENSITIVE_EPILEPSY)
		x->contra |= 1u << codes[k].contra;
	if (counts == COUNTS_ALL) {
		x->fall |= codes[k].fall;
		x->device |= codes[k].device;
	}
	return codes[k].code;
}

/* the README's fall-risk rule, written again: 80 or more, a factor, or 65 and a later one */
static gboolean
expect_fall_risk (const Expect *x)
{
	return x->age >= 80 || (x->fall & 1) != 0 || (x->age >= 65 && (x->fall & 2) != 0);
}

static void
add_conditions (GRand *r, JsonBuilder *b, Expect *x)
{
	guint n = g_rand_int_range (r, 0, 4);

	json_builder_set_member_name (b, "conditions");
	json_builder_begin_array (b);
	for (guint i = 0; i < n; i++) {
		guint s = g_rand_int_range (r, 0, G_N_ELEMENTS (statuses));
		Counts counts = s <= 4 ? COUNTS_ALL : s <= 6 ? COUNTS_HISTORY : COUNTS_NOT;
		gboolean unreadable;
		json_builder_begin_object (b);
		json_builder_set_member_name (b, "code");
		json_builder_add_string_value (b, pick_code (r, x, counts, &unreadable));
		/* a resolved condition triggers nothing: nothing to check */
		x->unchecked |= unreadable && counts != COUNTS_NOT;
		if (statuses[s] != NULL) {
			json_builder_set_member_name (b, "status");
			json_builder_add_string_value (b, statuses[s]);
		}
		json_builder_end_object (b);
	}
	json_builder_end_array (b);
}

static void
add_findings (GRand *r, JsonBuilder *b, Expect *x)
{
	guint n = g_rand_int_range (r, 0, 5);

	json_builder_set_member_name (b, "findings");
	json_builder_begin_array (b);
	for (guint i = 0; i < n; i++) {
		guint pol = g_rand_int_range (r, 0, G_N_ELEMENTS (polarities));
		guint exp = g_rand_int_range (r, 0, G_N_ELEMENTS (experiencers));
		Counts counts = pol != 3 && exp != 2 ? COUNTS_ALL : COUNTS_NOT;
		gboolean code_unreadable, xref_unreadable = TRUE;
		json_builder_begin_object (b);
		json_builder_set_member_name (b, "kind");
		json_builder_add_string_value (b, "symptom");
		json_builder_set_member_name (b, "code");
		json_builder_add_string_value (b, pick_code (r, x, counts, &code_unreadable));
		if (g_rand_boolean (r)) {
			json_builder_set_member_name (b, "xrefs");
			json_builder_begin_array (b);
			json_builder_add_string_value (b,
						       pick_code (r, x, counts, &xref_unreadable));
			json_builder_end_array (b);
		}
		/* unchecked when neither the code nor its xref can be read */
		x->unchecked |= counts == COUNTS_ALL && code_unreadable && xref_unreadable;
		if (polarities[pol] != NULL) {
			json_builder_set_member_name (b, "polarity");
			json_builder_add_string_value (b, polarities[pol]);
		}
		if (experiencers[exp] != NULL) {
			json_builder_set_member_name (b, "experiencer");
			json_builder_add_string_value (b, experiencers[exp]);
		}
		json_builder_end_object (b);
	}
	json_builder_end_array (b);
}

static gchar *
random_patient (GRand *r, Expect *x)
{
	g_autoptr (JsonBuilder) b = json_builder_new ();
	g_autoptr (JsonNode) root = NULL;
	guint t = g_rand_int_range (r, 0, 4), posture = g_rand_int_range (r, 0, 4);

	json_builder_begin_object (b);
	json_builder_set_member_name (b, "language");
	json_builder_add_string_value (b, g_rand_boolean (r) ? "en" : "zh");
	x->age = g_rand_int_range (r, 0, 10) == 0 ? -1 : g_rand_double_range (r, 3, 95);
	if (x->age >= 0) {
		json_builder_set_member_name (b, "age_years");
		json_builder_add_double_value (b, x->age);
	}
	if (g_rand_int_range (r, 0, 10) == 0) {
		json_builder_set_member_name (b, "pregnant");
		json_builder_add_boolean_value (b, TRUE);
		x->contra |= 1u << VR_CONTRA_PREGNANCY;
	}
	x->tolerance = t < 3 ? (VrComfort)t : VR_COMFORT_MODERATE;
	if (t < 3) {
		json_builder_set_member_name (b, "comfort_tolerance");
		json_builder_add_string_value (b, vr_comforts[t]);
	}
	x->max_mets = g_rand_boolean (r) ? g_rand_double_range (r, 1.0, 8.0) : -1;
	if (x->max_mets >= 0) {
		json_builder_set_member_name (b, "max_mets");
		json_builder_add_double_value (b, x->max_mets);
	}
	x->seated = posture == 0;
	x->posture_given = posture < 3;
	if (posture < 3) {
		json_builder_set_member_name (b, "posture");
		json_builder_add_string_value (b, vr_postures[posture]);
	}
	add_conditions (r, b, x);
	add_findings (r, b, x);
	json_builder_end_object (b);
	root = json_builder_get_root (b);
	return json_to_string (root, FALSE);
}

/* 0 to 5 sessions in November 2026; a severe report in the last 14 days (before the latest
 * session) lowers the tolerance one step, two make it comfortable */
static gchar *
random_history (GRand *r, const VrCatalog *cat, Expect *x)
{
	static const gchar *const sick[] = { "none", "mild", "moderate", "severe" };
	g_autoptr (GString) s = g_string_new ("[");
	guint n = g_rand_int_range (r, 0, 6), latest = 0, days[6], severe = 0;
	gboolean is_severe[6];

	for (guint i = 0; i < n; i++) {
		const VrItem *item
			= g_ptr_array_index (cat->items, g_rand_int_range (r, 0, cat->items->len));
		guint k = g_rand_int_range (r, 0, 7);
		days[i] = g_rand_int_range (r, 1, 31);
		latest = MAX (latest, days[i]);
		is_severe[i] = k == 3;
		if (is_severe[i])
			g_hash_table_add (x->severe_items, item->id);
		g_string_append_printf (
			s,
			"%s{\"content_id\":\"%s\",\"date\":\"2026-11-%02u\","
			"\"duration_min\":%u,\"completed\":%s%s%s%s}",
			i > 0 ? "," : "", item->id, days[i], g_rand_int_range (r, 0, 40),
			g_rand_boolean (r) ? "true" : "false", k < 4 ? ",\"cybersickness\":\"" : "",
			k < 4 ? sick[k] : "", k < 4 ? "\"" : "");
	}
	for (guint i = 0; i < n; i++)
		severe += is_severe[i] && latest - days[i] < 14;
	if (severe >= 2)
		x->tolerance = VR_COMFORT_COMFORTABLE;
	else if (severe == 1 && x->tolerance > VR_COMFORT_COMFORTABLE)
		x->tolerance--;
	g_string_append (s, "]");
	return g_string_free (g_steal_pointer (&s), FALSE);
}

/* the contraindications that apply to an item, by the README's rules, written again here */
static guint
item_contra (const VrItem *item)
{
	guint bits = item->contra | (1u << VR_CONTRA_RECENT_EYE_SURGERY)
		     | (1u << VR_CONTRA_OPEN_WOUND_HEAD);

	if (item->locomotion == VR_LOCOMOTION_SMOOTH || item->comfort == VR_COMFORT_INTENSE)
		bits |= (1u << VR_CONTRA_VESTIBULAR_DISORDER)
			| (1u << VR_CONTRA_SEVERE_MOTION_SICKNESS);
	/* a vestibular disorder: comfortable content only */
	if (item->comfort != VR_COMFORT_COMFORTABLE)
		bits |= 1u << VR_CONTRA_VESTIBULAR_DISORDER;
	if (item->mets > 3.0)
		bits |= 1u << VR_CONTRA_CARDIAC_HIGH_INTENSITY;
	if (item->posture == VR_POSTURE_STANDING)
		bits |= (1u << VR_CONTRA_VESTIBULAR_DISORDER) | (1u << VR_CONTRA_PREGNANCY);
	return bits;
}

static gboolean
has_cjk (const gchar *s)
{
	for (const gchar *p = s; *p != '\0'; p = g_utf8_next_char (p)) {
		gunichar c = g_utf8_get_char (p);
		if (c >= 0x4e00 && c <= 0x9fff)
			return TRUE;
	}
	return FALSE;
}

/* one {code, en, zh} in both languages (the Chinese one in Chinese) */
static void
check_reasons_one (GVariant *r, const gchar *id)
{
	const gchar *code = NULL, *en = NULL, *zh = NULL;

	cr_assert (g_variant_lookup (r, "code", "&s", &code) && code[0] != '\0');
	cr_assert (g_variant_lookup (r, "en", "&s", &en) && en[0] != '\0', "%s", id);
	cr_assert (g_variant_lookup (r, "zh", "&s", &zh) && has_cjk (zh), "%s: %s", id, zh);
}

/* every reason in both languages (the Chinese one in Chinese); the contraindications among
 * them counted in @by_contra when it is not NULL */
static void
check_reasons (GVariant *element, const gchar *id, guint *by_contra)
{
	g_autoptr (GVariant) reasons = g_variant_lookup_value (element, "reasons", NULL);
	g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

	cr_assert (reasons != NULL && g_variant_n_children (reasons) > 0, "%s: no reason", id);
	for (gsize i = 0; i < g_variant_n_children (reasons); i++) {
		g_autoptr (GVariant) r = g_variant_get_child_value (reasons, i);
		const gchar *code = NULL, *en = NULL, *zh = NULL;
		gint c;
		cr_assert (g_variant_lookup (r, "code", "&s", &code) && code[0] != '\0');
		/* one reason per code (the trial saw fall-risk twice with two texts) */
		cr_assert (g_hash_table_add (seen, g_strdup (code)), "%s: %s twice", id, code);
		/* the patient reads these: spoken to, not about */
		cr_assert (g_variant_lookup (r, "en", "&s", &en)
				   && strstr (en, "the patient") == NULL,
			   "%s: %s", id, en);
		cr_assert (g_variant_lookup (r, "en", "&s", &en) && en[0] != '\0', "%s", id);
		cr_assert (g_variant_lookup (r, "zh", "&s", &zh) && has_cjk (zh), "%s: %s", id, zh);
		if (by_contra == NULL || !g_str_has_prefix (code, "contraindication:"))
			continue;
		c = vr_enum_parse (code + strlen ("contraindication:"), vr_contra_ids);
		cr_assert_geq (c, 0, "%s", code);
		by_contra[c]++;
	}
}

static void
check_item (const VrCatalog *cat, const Expect *x, GVariant *element)
{
	const gchar *id = NULL;
	const VrItem *item;

	cr_assert (g_variant_lookup (element, "id", "&s", &id));
	item = g_hash_table_lookup (cat->by_id, id);
	cr_assert_not_null (item, "%s is not a catalog item", id);
	cr_assert_eq (item_contra (item) & x->contra, 0, "%s violates a contraindication", id);
	if (x->age < 0) {
		cr_assert (item->min_age <= 18 && item->max_age == 0, "%s: age unknown", id);
	} else {
		cr_assert (x->age >= item->min_age, "%s: age %.1f < %u", id, x->age, item->min_age);
		cr_assert (item->max_age == 0 || x->age < item->max_age + 1.0, "%s: too old", id);
	}
	cr_assert_leq (item->comfort, x->tolerance, "%s: above the tolerance", id);
	cr_assert (x->max_mets < 0 || item->mets <= x->max_mets, "%s: above max_mets", id);
	cr_assert (!x->seated || item->posture != VR_POSTURE_STANDING, "%s: standing", id);
	/* fall risk: seated unless a posture was given, and never smooth locomotion */
	if (expect_fall_risk (x)) {
		cr_assert (x->posture_given || item->posture != VR_POSTURE_STANDING,
			   "%s: standing at fall risk with no posture", id);
		cr_assert (item->locomotion != VR_LOCOMOTION_SMOOTH, "%s: smooth at fall risk", id);
	}
	if (x->contra & (1u << VR_CONTRA_VESTIBULAR_DISORDER))
		cr_assert (item->posture != VR_POSTURE_STANDING, "%s: standing with vertigo", id);
	cr_assert (!g_hash_table_contains (x->severe_items, id), "%s made the patient sick", id);
	check_reasons (element, id, NULL);
}

/* whether the result's notices hold @code (each notice in both languages) */
static gboolean
notice (GVariant *notices, const gchar *code)
{
	gboolean found = FALSE;

	for (gsize i = 0; i < g_variant_n_children (notices); i++) {
		g_autoptr (GVariant) n = g_variant_get_child_value (notices, i);
		const gchar *c = NULL;
		check_reasons_one (n, "notice");
		g_variant_lookup (n, "code", "&s", &c);
		found = found || g_strcmp0 (c, code) == 0;
	}
	return found;
}

/* the notices exactly as the record says: a seizure (history), a device, a fall risk; the
 * member always there.  Returns whether the seizure notice was given */
static gboolean
check_notices (GVariant *result, const Expect *x, guint i)
{
	g_autoptr (GVariant) notices = g_variant_lookup_value (result, "notices", NULL);
	gboolean seizures = (x->contra & (1u << VR_CONTRA_PHOTOSENSITIVE_EPILEPSY)) != 0;

	cr_assert_not_null (notices, "patient %u: no notices", i);
	cr_assert_eq (notice (notices, "ask-doctor-first"), seizures, "patient %u", i);
	cr_assert_eq (notice (notices, "implanted-device"), x->device, "patient %u", i);
	cr_assert_eq (notice (notices, "fall-risk"), expect_fall_risk (x), "patient %u", i);
	cr_assert_eq (notice (notices, "unchecked-codes"), x->unchecked, "patient %u", i);
	return seizures;
}

static VrModel *
train_model (const VrCatalog *cat, GRand *r)
{
	g_autoptr (GString) s = g_string_new ("[");
	g_autoptr (GPtrArray) sessions = NULL;
	g_autoptr (GPtrArray) problems = vr_problems_new ();
	g_autoptr (GVariant) model = NULL;
	g_autoptr (JsonNode) node = NULL;
	VrModel *m;

	/* leave the last items out of the model: they are new items for the ranking */
	for (guint i = 0; i < 2000; i++) {
		const VrItem *item = g_ptr_array_index (
			cat->items, g_rand_int_range (r, 0, cat->items->len - 4));
		g_string_append_printf (s,
					"%s{\"patient\":\"p%u\",\"content_id\":\"%s\",\"date\":"
					"\"2026-10-01\",\"duration_min\":15,\"completed\":%s}",
					i > 0 ? "," : "", g_rand_int_range (r, 0, 300), item->id,
					g_rand_boolean (r) ? "true" : "false");
	}
	g_string_append (s, "]");
	sessions = vrt_sessions (s->str, TRUE);
	model = g_variant_ref_sink (vr_train (sessions));
	node = vr_variant_to_json (model);
	m = vr_model_read (node, problems);
	cr_assert_not_null (m);
	return m;
}

static GVariant *
recommend (const VrCatalog *cat,
	   const gchar *patient,
	   const gchar *history,
	   const VrModel *model,
	   guint limit,
	   guint seed)
{
	g_autoptr (GPtrArray) problems = vr_problems_new ();
	g_autoptr (JsonNode) pn = vrt_json (patient);
	g_autoptr (JsonNode) hn = vrt_json (history);
	g_autoptr (VrPatient) p = vr_patient_read (pn, cat, problems);
	g_autoptr (GPtrArray) h = vr_sessions_read (hn, "/history", FALSE, problems);
	VrOptions o = { .limit = limit, .include_excluded = TRUE, .seed = seed };

	cr_assert_eq (problems->len, 0, "refused: %s",
		      problems->len > 0 ? ((VrProblem *)problems->pdata[0])->field : "");
	return g_variant_ref_sink (vr_recommend (cat, p, h, model, &o));
}

Test (safety, ten_thousand_patients)
{
	g_autoptr (VrCatalog) cat = vrt_catalog ();
	g_autoptr (GRand) r = g_rand_new_with_seed (14);
	g_autoptr (VrModel) model = train_model (cat, r);
	g_autoptr (VrModel) empty = g_new0 (VrModel, 1);
	guint recommended = 0, excluded_by[VR_CONTRA_LAST] = { 0 }, lowered = 0;
	guint fall_excluded = 0, seizure_notices = 0, at_fall_risk = 0, unchecked = 0;

	/* the model is read once: this test is about the filter, not the model's reader */
	empty->items = g_hash_table_new (g_str_hash, g_str_equal);

	for (guint i = 0; i < N_PATIENTS; i++) {
		Expect x = { 0 };
		g_autoptr (GHashTable) severe = g_hash_table_new (g_str_hash, g_str_equal);
		g_autofree gchar *patient = NULL, *history = NULL;
		g_autoptr (GVariant) result = NULL;
		g_autoptr (GVariant) items = NULL;
		g_autoptr (GVariant) excluded = NULL;
		const gchar *tolerance = NULL;
		VrComfort before;

		x.severe_items = severe;
		patient = random_patient (r, &x);
		before = x.tolerance;
		history = random_history (r, cat, &x);
		lowered += x.tolerance < before;
		result = recommend (cat, patient, history, g_rand_boolean (r) ? model : empty,
				    g_rand_int_range (r, 1, 51), i);
		cr_assert (g_variant_lookup (result, "comfort_tolerance", "&s", &tolerance));
		cr_assert_str_eq (tolerance, vr_comforts[x.tolerance], "patient %u", i);
		items = g_variant_lookup_value (result, "items", NULL);
		for (gsize k = 0; k < g_variant_n_children (items); k++) {
			g_autoptr (GVariant) e = g_variant_get_child_value (items, k);
			check_item (cat, &x, e);
			recommended++;
		}
		excluded = g_variant_lookup_value (result, "excluded", NULL);
		for (gsize k = 0; k < g_variant_n_children (excluded); k++) {
			g_autoptr (GVariant) e = g_variant_get_child_value (excluded, k);
			check_reasons (e, "excluded", excluded_by);
			fall_excluded += vrt_has_reason (e, "fall-risk");
		}
		seizure_notices += check_notices (result, &x, i);
		at_fall_risk += expect_fall_risk (&x);
		unchecked += x.unchecked;
		/* nothing safe is lost: recommended and excluded together cover the catalog */
		cr_assert_leq (g_variant_n_children (items) + g_variant_n_children (excluded),
			       cat->items->len);
	}
	/* the run is not vacuous: lists were filled, every rule excluded something */
	cr_assert_gt (recommended, N_PATIENTS * 3, "only %u items recommended", recommended);
	cr_assert_gt (lowered, N_PATIENTS / 50, "only %u tolerances lowered", lowered);
	for (guint c = 0; c < VR_CONTRA_LAST; c++)
		cr_assert_gt (excluded_by[c], 0, "%s never excluded anything", vr_contra_ids[c]);
	cr_assert_gt (at_fall_risk, N_PATIENTS / 5, "only %u patients at fall risk", at_fall_risk);
	cr_assert_gt (fall_excluded, N_PATIENTS, "only %u fall-risk exclusions", fall_excluded);
	cr_assert_gt (seizure_notices, N_PATIENTS / 20, "only %u seizure notices", seizure_notices);
	cr_assert_gt (unchecked, N_PATIENTS / 20, "only %u unchecked-codes notices", unchecked);
}
