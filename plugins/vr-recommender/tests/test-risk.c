/*
 * The vr-recommender's safety defaults and relevance (issue 14, the docs-only trial's
 * findings): fall risk means seated unless a plan says a posture and never smooth locomotion;
 * vertigo excludes every standing item; a seizure history keeps the photosensitive filter and
 * gives a notice; procedure preparation and disease education need a matching target;
 * "popular" needs enough other patients.
 */
#include <criterion/criterion.h>

#include <string.h>

#include "test-lib.h"

#define ALL "{\"limit\":50,\"include_excluded\":true}"

static GVariant *
rec (const VrCatalog *cat, const gchar *patient, const gchar *options)
{
	g_autoptr (GPtrArray) problems = vr_problems_new ();
	GVariant *r = vrt_recommend (cat, patient, "[]", NULL, options, problems);

	cr_assert_not_null (r, "refused: %u problems", problems->len);
	return r;
}

/* whether the result's notices hold @code, with an English and a Chinese text */
static gboolean
has_notice (GVariant *result, const gchar *code)
{
	g_autoptr (GVariant) notices = g_variant_lookup_value (result, "notices", NULL);

	cr_assert_not_null (notices, "no notices member");
	for (gsize i = 0; i < g_variant_n_children (notices); i++) {
		g_autoptr (GVariant) n = g_variant_get_child_value (notices, i);
		const gchar *c = NULL, *en = NULL, *zh = NULL;
		g_variant_lookup (n, "code", "&s", &c);
		if (g_strcmp0 (c, code) != 0)
			continue;
		cr_assert (g_variant_lookup (n, "en", "&s", &en) && en[0] != '\0');
		cr_assert (g_variant_lookup (n, "zh", "&s", &zh) && zh[0] != '\0');
		cr_assert_str_neq (en, zh);
		return TRUE;
	}
	return FALSE;
}

/* no recommended item is standing (@standing) or moves smoothly (@smooth) */
static void
assert_none (const VrCatalog *cat, GVariant *r, gboolean standing, gboolean smooth)
{
	g_autoptr (GPtrArray) ids = vrt_ids (r, "items");

	cr_assert_gt (ids->len, 0, "an empty list proves nothing");
	for (guint i = 0; i < ids->len; i++) {
		const VrItem *item = g_hash_table_lookup (cat->by_id, g_ptr_array_index (ids, i));
		cr_assert (!standing || item->posture != VR_POSTURE_STANDING, "%s is standing",
			   item->id);
		cr_assert (!smooth || item->locomotion != VR_LOCOMOTION_SMOOTH, "%s moves smoothly",
			   item->id);
	}
}

/* the trial's case: 70 years old, after a stroke, no plan (no posture) */
#define STROKE_70                                                                                  \
	"{\"language\":\"en\",\"age_years\":70,\"conditions\":[{\"code\":\"ICD10:I63.9\","         \
	"\"status\":\"active\"}]"

Test (fall_risk, stroke_without_a_plan_is_seated_and_never_smooth)
{
	g_autoptr (VrCatalog) cat = vrt_catalog ();
	g_autoptr (GVariant) r = rec (cat, STROKE_70 ",\"comfort_tolerance\":\"intense\"}", ALL);
	g_autoptr (GVariant) tower = vrt_find (r, "excluded", "sit-to-stand-tower");
	g_autoptr (GVariant) bike = vrt_find (r, "excluded", "mountain-bike-trail");
	g_autoptr (GVariant) forest = vrt_find (r, "items", "mountain-lake-meditation");

	assert_none (cat, r, TRUE, TRUE);
	/* a standing stroke exercise: out, with the reason in both languages */
	cr_assert_not_null (tower, "sit-to-stand tower is not excluded");
	cr_assert (vrt_has_reason (tower, "fall-risk"));
	/* seated, but smooth motion: out too */
	cr_assert (vrt_has_reason (bike, "fall-risk"));
	/* an item playable either way is offered, to be played seated */
	cr_assert_not_null (forest);
	cr_assert (vrt_has_reason (forest, "play-seated"));
	cr_assert (has_notice (r, "fall-risk"));
}

Test (fall_risk, an_explicit_posture_is_respected_but_not_smooth_locomotion)
{
	g_autoptr (VrCatalog) cat = vrt_catalog ();
	g_autoptr (GVariant) r
		= rec (cat, STROKE_70 ",\"posture\":\"either\",\"goals\":[\"lower-limb\"]}", ALL);
	g_autoptr (GVariant) stones = vrt_find (r, "items", "step-over-stones");
	g_autoptr (GVariant) treadmill = vrt_find (r, "excluded", "treadmill-city-walk");

	/* the plan allows standing: a standing stroke exercise (teleport) is offered */
	cr_assert_not_null (stones, "the plan's posture is not respected");
	cr_assert_not (vrt_has_reason (stones, "play-seated"));
	/* smooth locomotion stays out for fall risk whatever the posture */
	cr_assert_not_null (treadmill);
	cr_assert (vrt_has_reason (treadmill, "fall-risk"));
	assert_none (cat, r, FALSE, TRUE);
	cr_assert (has_notice (r, "fall-risk"));
}

/* whether the patient is at fall risk, as the filter reads it */
static gboolean
fall_risk_of (const VrCatalog *cat, const gchar *patient)
{
	g_autoptr (GPtrArray) problems = vr_problems_new ();
	g_autoptr (JsonNode) node = vrt_json (patient);
	g_autoptr (VrPatient) p = vr_patient_read (node, cat, problems);

	cr_assert_not_null (p, "%s refused", patient);
	return p->fall_risk;
}

Test (fall_risk, from_age_and_codes)
{
	g_autoptr (VrCatalog) cat = vrt_catalog ();
	const struct {
		const gchar *patient;
		gboolean risk;
	} cases[] = {
		/* age alone from 80 */
		{ "{\"language\":\"en\",\"age_years\":82}", TRUE },
		{ "{\"language\":\"en\",\"age_years\":70}", FALSE },
		/* a later-life factor (cognitive impairment) from 65, not at 50 */
		{ "{\"language\":\"en\",\"age_years\":70,\"findings\":[{\"code\":\"HP:0100543\"}]}",
		  TRUE },
		{ "{\"language\":\"en\",\"age_years\":50,\"findings\":[{\"code\":\"HP:0100543\"}]}",
		  FALSE },
		/* factors at any age, by ICD-10 family, HPO, DOID or xref */
		{ "{\"language\":\"zh\",\"age_years\":30,\"conditions\":[{\"code\":"
		  "\"ICD10CM:G81.94\"}]}",
		  TRUE },
		{ "{\"language\":\"en\",\"age_years\":40,\"conditions\":[{\"code\":\"DOID:14330\","
		  "\"status\":\"active\"}]}",
		  TRUE },
		{ "{\"language\":\"en\",\"age_years\":40,\"conditions\":[{\"code\":\"ICD10:Z91."
		  "81\","
		  "\"status\":\"unknown\"}]}",
		  TRUE },
		{ "{\"language\":\"en\",\"age_years\":40,\"findings\":[{\"code\":\"MV:0006\","
		  "\"xrefs\":[\"HP:0002321\"],\"polarity\":\"present\"}]}",
		  TRUE },
		{ "{\"language\":\"en\",\"age_years\":40,\"findings\":[{\"code\":\"HP:0001279\"}]}",
		  TRUE },
		{ "{\"language\":\"en\",\"age_years\":40,\"conditions\":[{\"code\":\"ICD10CM:Z89."
		  "511\"}"
		  "]}",
		  TRUE },
		/* a negated finding, a family history, a resolved stroke: no risk */
		{ "{\"language\":\"en\",\"age_years\":40,\"findings\":[{\"code\":\"HP:0002527\","
		  "\"polarity\":\"absent\"},{\"code\":\"HP:0001251\",\"experiencer\":\"family\"}],"
		  "\"conditions\":[{\"code\":\"ICD10:I63.9\",\"status\":\"resolved\"}]}",
		  FALSE },
		/* no age, no factor: no risk */
		{ "{\"language\":\"en\"}", FALSE },
	};

	for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
		cr_assert_eq (fall_risk_of (cat, cases[i].patient), cases[i].risk, "%s",
			      cases[i].patient);
}

Test (vertigo, excludes_every_standing_item_whatever_the_posture)
{
	g_autoptr (VrCatalog) cat = vrt_catalog ();
	g_autoptr (GVariant) r
		= rec (cat,
		       "{\"language\":\"en\",\"age_years\":45,\"posture\":\"standing\","
		       "\"comfort_tolerance\":\"intense\",\"conditions\":[{\"code\":\"HP:0002321\","
		       "\"status\":\"active\"}]}",
		       ALL);
	/* comfortable, no locomotion, lists no vestibular contraindication: standing only */
	g_autoptr (GVariant) tai_chi = vrt_find (r, "excluded", "tai-chi-garden");
	g_autoptr (GVariant) forest = vrt_find (r, "items", "mountain-lake-meditation");

	cr_assert_not_null (tai_chi, "a standing balance item reaches a patient with vertigo");
	cr_assert (vrt_has_reason (tai_chi, "contraindication:vestibular-disorder"));
	assert_none (cat, r, TRUE, TRUE);
	cr_assert (forest != NULL && vrt_has_reason (forest, "play-seated"));
}

Test (seizures, a_history_keeps_the_filter_and_asks_for_the_doctor)
{
	g_autoptr (VrCatalog) cat = vrt_catalog ();
	g_autoptr (GVariant) inactive = rec (
		cat,
		"{\"language\":\"en\",\"age_years\":30,\"conditions\":[{\"code\":\"DOID:1826\","
		"\"status\":\"inactive\"}]}",
		ALL);
	g_autoptr (GVariant) remission
		= rec (cat,
		       "{\"language\":\"zh\",\"age_years\":30,\"conditions\":[{\"code\":"
		       "\"ICD10CM:G40.909\",\"status\":\"remission\"}]}",
		       ALL);
	g_autoptr (GVariant) resolved = rec (
		cat,
		"{\"language\":\"en\",\"age_years\":30,\"conditions\":[{\"code\":\"DOID:1826\","
		"\"status\":\"resolved\"}]}",
		ALL);
	g_autoptr (GVariant) boxing = vrt_find (inactive, "excluded", "beat-boxing");

	cr_assert (vrt_has_reason (boxing, "contraindication:photosensitive-epilepsy"));
	cr_assert (has_notice (inactive, "ask-doctor-first"));
	cr_assert (has_notice (remission, "ask-doctor-first"));
	cr_assert_null (vrt_find (remission, "items", "beat-boxing"));
	/* resolved is the clinician's word that it is over */
	cr_assert_not (has_notice (resolved, "ask-doctor-first"));
}

/* A refuted condition (or one entered in error) is not the patient's; an unconfirmed or
 * provisional one counts, safety first. */
Test (seizures, refuted_is_not_the_patients_provisional_is)
{
	g_autoptr (VrCatalog) cat = vrt_catalog ();
	g_autoptr (GVariant) refuted = rec (
		cat,
		"{\"language\":\"en\",\"age_years\":30,\"conditions\":[{\"code\":\"ICD10:G40.9\","
		"\"status\":\"active\",\"verification_status\":\"refuted\"}]}",
		ALL);
	g_autoptr (GVariant) provisional = rec (
		cat,
		"{\"language\":\"en\",\"age_years\":30,\"conditions\":[{\"code\":\"ICD10:G40.9\","
		"\"status\":\"active\",\"verification_status\":\"provisional\"}]}",
		ALL);

	cr_assert_not (has_notice (refuted, "ask-doctor-first"));
	cr_assert_null (vrt_find (refuted, "excluded", "beat-boxing"));
	cr_assert (has_notice (provisional, "ask-doctor-first"));
	cr_assert_not_null (vrt_find (provisional, "excluded", "beat-boxing"));
}

Test (notices, always_present_and_empty_when_none)
{
	g_autoptr (VrCatalog) cat = vrt_catalog ();
	g_autoptr (GVariant) r = rec (cat, "{\"language\":\"en\",\"age_years\":40}", "{}");
	g_autoptr (GVariant) notices = g_variant_lookup_value (r, "notices", NULL);
	g_autoptr (GVariant) device
		= rec (cat,
		       "{\"language\":\"en\",\"age_years\":60,\"posture\":\"seated\","
		       "\"conditions\":[{\"code\":\"ICD10:Z95.0\",\"status\":\"active\"}]}",
		       "{}");

	cr_assert_not_null (notices);
	cr_assert (g_variant_is_of_type (notices, G_VARIANT_TYPE ("aa{sv}")));
	cr_assert_eq (g_variant_n_children (notices), 0);
	cr_assert (has_notice (device, "implanted-device"));
	cr_assert_not (has_notice (device, "fall-risk"));
}

/* whether any item of @result is of @category */
static gboolean
any_of_category (const VrCatalog *cat, GVariant *result, const gchar *category)
{
	g_autoptr (GPtrArray) ids = vrt_ids (result, "items");

	for (guint i = 0; i < ids->len; i++) {
		const VrItem *item = g_hash_table_lookup (cat->by_id, g_ptr_array_index (ids, i));
		if (g_str_equal (vr_categories[item->category], category))
			return TRUE;
	}
	return FALSE;
}

Test (relevance, procedure_preparation_and_disease_education_need_a_target)
{
	g_autoptr (VrCatalog) cat = vrt_catalog ();
	/* nothing in the record: a list of 50 holds no preparation, no disease lesson */
	g_autoptr (GVariant) none = rec (cat, "{\"language\":\"en\",\"age_years\":40}", ALL);
	g_autoptr (GVariant) cardiac
		= rec (cat,
		       "{\"language\":\"en\",\"age_years\":60,\"conditions\":[{\"code\":"
		       "\"ICD10CM:I25.10\",\"status\":\"active\"}]}",
		       ALL);
	g_autoptr (GVariant) screening
		= rec (cat,
		       "{\"language\":\"en\",\"age_years\":55,\"conditions\":[{\"code\":"
		       "\"ICD10CM:Z12.11\"}]}",
		       "{\"limit\":10}");
	g_autoptr (GVariant) pinned = rec (cat, "{\"language\":\"en\",\"age_years\":40}",
					   "{\"limit\":50,\"pin\":[\"mri-rehearsal\"]}");

	cr_assert_not (any_of_category (cat, none, "procedure-preparation"));
	cr_assert_not (any_of_category (cat, none, "education"));
	/* nor are they listed as unsafe: relevance is not safety */
	cr_assert_null (vrt_find (none, "excluded", "cath-lab-preview"));
	cr_assert_not_null (vrt_find (cardiac, "items", "cath-lab-preview"));
	cr_assert_not_null (vrt_find (cardiac, "items", "heart-tour"));
	cr_assert_null (vrt_find (cardiac, "items", "colonoscopy-guide"));
	/* a target of a subcategory matches the codes under it (ICD10:Z12.1 → Z12.11) */
	cr_assert_not_null (vrt_find (screening, "items", "colonoscopy-guide"));
	/* a clinician's pin is an indication no code gives (an MRI booked) */
	cr_assert_not_null (vrt_find (pinned, "items", "mri-rehearsal"));
}

/* a preparation watched and liked is done, not a programme to continue */
Test (relevance, a_completed_preparation_is_not_continued)
{
	g_autoptr (VrCatalog) cat = vrt_catalog ();
	g_autoptr (GPtrArray) problems = vr_problems_new ();
	g_autoptr (GVariant) r = vrt_recommend (
		cat,
		"{\"language\":\"en\",\"age_years\":55,\"conditions\":[{\"code\":"
		"\"ICD10CM:Z12.11\"}]}",
		"[{\"content_id\":\"colonoscopy-guide\",\"date\":\"2026-11-20\",\"duration_min\":"
		"12,\"completed\":true,\"rating\":5},{\"content_id\":\"forest-bathing\",\"date\":"
		"\"2026-11-21\",\"duration_min\":15,\"completed\":true,\"rating\":5}]",
		NULL, "{\"limit\":50}", problems);
	g_autoptr (GPtrArray) ids = NULL;
	g_autoptr (GVariant) guide = NULL;
	g_autoptr (GVariant) forest = NULL;

	cr_assert_not_null (r, "%u problems", problems->len);
	ids = vrt_ids (r, "items");
	guide = vrt_find (r, "items", "colonoscopy-guide");
	forest = vrt_find (r, "items", "forest-bathing");
	cr_assert_not_null (guide);
	cr_assert_not (vrt_has_reason (guide, "continue-programme"));
	cr_assert (vrt_has_reason (guide, "seen-before"));
	/* the relaxation the patient liked is the programme; the guide is not first */
	cr_assert (vrt_has_reason (forest, "continue-programme"));
	cr_assert_str_eq (g_ptr_array_index (ids, 0), "forest-bathing");
}

/* @n patients each completing @id, and one other item each */
static GVariant *
train_on (guint n, const gchar *id)
{
	g_autoptr (GString) s = g_string_new ("[");
	g_autoptr (GPtrArray) sessions = NULL;

	for (guint i = 0; i < n; i++)
		g_string_append_printf (
			s,
			"%s{\"patient\":\"p%u\",\"content_id\":\"%s\",\"date\":"
			"\"2026-11-01\",\"duration_min\":15,\"completed\":true},"
			"{\"patient\":\"p%u\",\"content_id\":\"breathing-beach\","
			"\"date\":\"2026-11-02\",\"duration_min\":2,\"completed\":false}",
			i > 0 ? "," : "", i, id, i);
	g_string_append (s, "]");
	sessions = vrt_sessions (s->str, TRUE);
	return g_variant_ref_sink (vr_train (sessions));
}

static GVariant *
rec_with (const VrCatalog *cat, GVariant *model, const gchar *history)
{
	g_autoptr (GPtrArray) problems = vr_problems_new ();
	GVariant *r = vrt_recommend (cat, "{\"language\":\"en\",\"age_years\":40}", history, model,
				     "{\"limit\":50}", problems);

	cr_assert_not_null (r, "refused: %u problems", problems->len);
	return r;
}

/* the model item of @id: its patients count */
static guint
model_patients (GVariant *model, const gchar *id)
{
	g_autoptr (GVariant) items = g_variant_lookup_value (model, "items", NULL);
	guint32 n = G_MAXUINT32;

	for (gsize i = 0; i < g_variant_n_children (items); i++) {
		g_autoptr (GVariant) it = g_variant_get_child_value (items, i);
		const gchar *iid = NULL;
		g_variant_lookup (it, "id", "&s", &iid);
		if (g_strcmp0 (iid, id) == 0)
			cr_assert (g_variant_lookup (it, "patients", "u", &n));
	}
	return n;
}

Test (popular, only_on_enough_other_patients)
{
	g_autoptr (VrCatalog) cat = vrt_catalog ();
	g_autoptr (GVariant) one = train_on (1, "forest-bathing");
	g_autoptr (GVariant) five = train_on (5, "forest-bathing");
	g_autoptr (GVariant) six = train_on (6, "forest-bathing");
	g_autoptr (GVariant) r1 = rec_with (cat, one, "[]");
	g_autoptr (GVariant) r6 = rec_with (cat, six, "[]");
	/* the patient is one of the five: four others */
	g_autoptr (GVariant) r5 = rec_with (
		cat, five,
		"[{\"content_id\":\"forest-bathing\",\"date\":\"2026-11-03\",\"duration_min\":15,"
		"\"completed\":true}]");
	g_autoptr (GVariant) f1 = vrt_find (r1, "items", "forest-bathing");
	g_autoptr (GVariant) f6 = vrt_find (r6, "items", "forest-bathing");
	g_autoptr (GVariant) f5 = vrt_find (r5, "items", "forest-bathing");
	g_autoptr (GVariant) beach = vrt_find (r6, "items", "breathing-beach");
	guint32 format = 0;

	cr_assert (g_variant_lookup (six, "format", "u", &format));
	cr_assert_eq (format, 2);
	/* distinct patients who completed it: the abandoned beach sessions count for nothing */
	cr_assert_eq (model_patients (six, "forest-bathing"), 6);
	cr_assert_eq (model_patients (six, "breathing-beach"), 0);
	cr_assert_not (vrt_has_reason (f1, "popular"), "popular on one patient");
	cr_assert (vrt_has_reason (f6, "popular"));
	cr_assert_not (vrt_has_reason (f5, "popular"), "the patient's own sessions counted");
	cr_assert_not (vrt_has_reason (beach, "popular"));
}

Test (popular, never_from_a_format_1_model)
{
	g_autoptr (VrCatalog) cat = vrt_catalog ();
	g_autoptr (GPtrArray) problems = vr_problems_new ();
	/* an old model, 100 % popularity, no patients count */
	const gchar *old = "{\"format\":1,\"trained_on\":40,\"items\":[{\"id\":\"forest-bathing\","
			   "\"popularity\":1.0,\"neighbours\":[]}]}";
	g_autoptr (JsonNode) node = vrt_json (old);
	g_autoptr (GVariant) model
		= g_variant_ref_sink (json_gvariant_deserialize (node, NULL, NULL));
	g_autoptr (VrModel) quick = vr_model_from_variant (model, NULL);
	g_autoptr (VrModel) slow = vr_model_read (node, problems);
	g_autoptr (GVariant) r = rec_with (cat, model, "[]");
	g_autoptr (GVariant) forest = vrt_find (r, "items", "forest-bathing");
	/* format 2 without the count is malformed */
	g_autoptr (JsonNode) bad_node
		= vrt_json ("{\"format\":2,\"trained_on\":40,\"items\":[{\"id\":\"forest-bathing\","
			    "\"popularity\":1.0,\"neighbours\":[]}]}");
	g_autoptr (GVariant) bad
		= g_variant_ref_sink (json_gvariant_deserialize (bad_node, NULL, NULL));
	g_autoptr (VrModel) bad_quick = vr_model_from_variant (bad, NULL);
	g_autoptr (GPtrArray) bad_problems = vr_problems_new ();
	g_autoptr (VrModel) bad_slow = vr_model_read (bad_node, bad_problems);

	cr_assert_not_null (quick, "a format-1 model is not read any more");
	cr_assert_not_null (slow);
	cr_assert_not_null (forest);
	cr_assert_not (vrt_has_reason (forest, "popular"));
	cr_assert_null (bad_quick);
	cr_assert_null (bad_slow);
	cr_assert (vrt_has_problem (bad_problems, "/model/items/0/patients", "required"));
}

/* ---- the second docs-only trial (2026-12-06): each test fails on the code before it ---- */

/* the notice @code's `codes` member, NULL when there is no such notice */
static GVariant *
notice_codes (GVariant *result, const gchar *code)
{
	g_autoptr (GVariant) notices = g_variant_lookup_value (result, "notices", NULL);

	for (gsize i = 0; i < g_variant_n_children (notices); i++) {
		g_autoptr (GVariant) n = g_variant_get_child_value (notices, i);
		const gchar *c = NULL;
		g_variant_lookup (n, "code", "&s", &c);
		if (g_strcmp0 (c, code) == 0)
			return g_variant_lookup_value (n, "codes", G_VARIANT_TYPE_STRING_ARRAY);
	}
	return NULL;
}

Test (codes, snomed_ct_of_every_trigger_is_checked)
{
	g_autoptr (VrCatalog) cat = vrt_catalog ();
	const struct {
		const gchar *condition;
		const gchar *excluded; /* an item now out */
		const gchar *reason;
		const gchar *notice;
	} cases[] = {
		/* as the daemon sends a snomed-ct condition, and as others spell it */
		{ "SNOMED:84757009", "sword-rhythm", "contraindication:photosensitive-epilepsy",
		  "ask-doctor-first" },
		{ "SCT:91175000", "beat-boxing", "contraindication:photosensitive-epilepsy",
		  "ask-doctor-first" },
		{ "SNOMEDCT_US:399153001", "tai-chi-garden", "contraindication:vestibular-disorder",
		  "fall-risk" },
		{ "snomed:230690007", "sit-to-stand-tower", "fall-risk", "fall-risk" },
		{ "SNOMED:50582007", "treadmill-city-walk", "fall-risk", "fall-risk" },
		{ "SNOMED:49049000", "step-over-stones", "fall-risk", "fall-risk" },
		{ "SNOMED:77386006", "dance-studio", "contraindication:pregnancy", NULL },
		{ "SNOMED:84114007", "table-tennis-club", "contraindication:cardiac-high-intensity",
		  NULL },
		{ "SNOMED:37031009", "snow-world", "contraindication:severe-motion-sickness",
		  NULL },
		{ "SNOMED:441509002", NULL, NULL, "implanted-device" },
	};

	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autofree gchar *patient = g_strdup_printf (
			"{\"language\":\"en\",\"age_years\":40,\"comfort_tolerance\":\"intense\","
			"\"conditions\":[{\"code\":\"%s\",\"status\":\"active\"}]}",
			cases[i].condition);
		g_autoptr (GVariant) r = rec (cat, patient, ALL);
		g_autoptr (GVariant) unchecked = notice_codes (r, "unchecked-codes");
		if (cases[i].excluded != NULL) {
			g_autoptr (GVariant) e = vrt_find (r, "excluded", cases[i].excluded);
			cr_assert_not_null (e, "%s: %s not excluded", cases[i].condition,
					    cases[i].excluded);
			cr_assert (vrt_has_reason (e, cases[i].reason), "%s", cases[i].condition);
		}
		if (cases[i].notice != NULL)
			cr_assert (has_notice (r, cases[i].notice), "%s: no %s", cases[i].condition,
				   cases[i].notice);
		cr_assert_null (unchecked, "%s is mapped, not unchecked", cases[i].condition);
	}
}

Test (codes, what_no_table_reads_is_a_notice_with_the_codes)
{
	g_autoptr (VrCatalog) cat = vrt_catalog ();
	/* an unmapped SNOMED CT condition (essential hypertension), a finding in another
	 * system, a history condition; but a resolved one, a medication finding (ATC), a
	 * parser symptom (MV:) and a finding with a readable xref are no concern */
	g_autoptr (GVariant) r = rec (
		cat,
		"{\"language\":\"zh\",\"age_years\":30,\"conditions\":["
		"{\"code\":\"SNOMED:38341003\",\"status\":\"active\"},"
		"{\"code\":\"SNOMED:73211009\",\"status\":\"inactive\"},"
		"{\"code\":\"SNOMED:195967001\",\"status\":\"resolved\"},"
		"{\"code\":\"SNOMED:38341003\"}],"
		"\"findings\":[{\"kind\":\"condition\",\"code\":\"SYMP:0000099\"},"
		"{\"kind\":\"medication\",\"code\":\"ATC:N02BE01\"},"
		"{\"kind\":\"symptom\",\"code\":\"MV:0001\"},"
		"{\"kind\":\"symptom\",\"code\":\"UMLS:C0012833\",\"xrefs\":[\"HP:0002321\"]}]}",
		ALL);
	g_autoptr (GVariant) codes = notice_codes (r, "unchecked-codes");
	g_autofree const gchar **list = NULL;
	g_autoptr (GVariant) healthy
		= rec (cat,
		       "{\"language\":\"en\",\"age_years\":30,\"findings\":[{\"kind\":"
		       "\"medication\",\"code\":\"ATC:N02BE01\"}]}",
		       ALL);

	cr_assert (has_notice (r, "unchecked-codes"));
	cr_assert_not_null (codes);
	list = g_variant_get_strv (codes, NULL);
	/* each once, in the record's order: the clinician reads which */
	cr_assert_eq (g_strv_length ((gchar **)list), 3, "%u codes",
		      g_strv_length ((gchar **)list));
	cr_assert_str_eq (list[0], "SNOMED:38341003");
	cr_assert_str_eq (list[1], "SNOMED:73211009");
	cr_assert_str_eq (list[2], "SYMP:0000099");
	/* the readable xref still works: vertigo excludes standing content */
	cr_assert (vrt_has_reason (vrt_find (r, "excluded", "tai-chi-garden"),
				   "contraindication:vestibular-disorder"));
	cr_assert_not (has_notice (healthy, "unchecked-codes"));
}

Test (vertigo, caps_comfort_at_comfortable)
{
	g_autoptr (VrCatalog) cat = vrt_catalog ();
	/* the trial's vertigo patient got the rocking boat and the rowing lake */
	g_autoptr (GVariant) r
		= rec (cat,
		       "{\"language\":\"en\",\"age_years\":45,\"posture\":\"seated\","
		       "\"comfort_tolerance\":\"intense\",\"goals\":[\"balance\",\"upper-limb\"],"
		       "\"conditions\":[{\"code\":\"ICD10:R42\",\"status\":\"active\"},"
		       "{\"code\":\"ICD10:I63.9\",\"status\":\"active\"}]}",
		       ALL);
	g_autoptr (GVariant) boat = vrt_find (r, "excluded", "seated-balance-boat");
	g_autoptr (GPtrArray) ids = vrt_ids (r, "items");

	cr_assert_not_null (boat, "a rocking boat reaches a patient with vertigo");
	cr_assert (vrt_has_reason (boat, "contraindication:vestibular-disorder"));
	cr_assert_gt (ids->len, 0);
	for (guint i = 0; i < ids->len; i++) {
		const VrItem *item = g_hash_table_lookup (cat->by_id, g_ptr_array_index (ids, i));
		cr_assert_eq (item->comfort, VR_COMFORT_COMFORTABLE, "%s", item->id);
	}
}

Test (catalog, summaries_that_move_are_labelled_so)
{
	g_autoptr (VrCatalog) cat = vrt_catalog ();
	/* the scene carries the player: drift by gaze, a path walked by marching, a trip around
	 * the planets, a boat rowed or paddled across the water */
	const gchar *moving[] = { "underwater-reef", "seated-stepping-path", "infusion-space-trip",
				  "bilateral-rowing", "ankle-pump-river" };

	for (guint i = 0; i < G_N_ELEMENTS (moving); i++) {
		const VrItem *item = g_hash_table_lookup (cat->by_id, moving[i]);
		cr_assert_not_null (item, "%s", moving[i]);
		cr_assert_eq (item->locomotion, VR_LOCOMOTION_SMOOTH, "%s", moving[i]);
		cr_assert_neq (item->comfort, VR_COMFORT_COMFORTABLE, "%s", moving[i]);
		cr_assert (item->contra & (1u << VR_CONTRA_SEVERE_MOTION_SICKNESS), "%s",
			   moving[i]);
	}
}

Test (relevance, training_for_a_condition_the_patient_has_not_is_left_out)
{
	g_autoptr (VrCatalog) cat = vrt_catalog ();
	/* the trial's healthy 56-year-old got Parkinson gait cueing and narrow-path training */
	g_autoptr (GVariant) healthy = rec (
		cat, "{\"language\":\"en\",\"age_years\":56,\"comfort_tolerance\":\"intense\"}",
		ALL);
	g_autoptr (GPtrArray) ids = vrt_ids (healthy, "items");
	g_autoptr (GVariant) goal = rec (cat,
					 "{\"language\":\"en\",\"age_years\":56,"
					 "\"goals\":[\"lower-limb\"]}",
					 ALL);
	g_autoptr (GVariant) pinned = rec (
		cat, "{\"language\":\"en\",\"age_years\":56}",
		"{\"limit\":50,\"include_excluded\":true,\"pin\":[\"cueing-gait-metronome\"]}");
	g_autoptr (GVariant) stroke
		= rec (cat,
		       "{\"language\":\"en\",\"age_years\":56,\"conditions\":[{\"code\":"
		       "\"ICD10:I63.9\",\"status\":\"active\"}]}",
		       ALL);
	g_autoptr (GPtrArray) problems = vr_problems_new ();
	g_autoptr (GVariant) done = vrt_recommend (
		cat, "{\"language\":\"en\",\"age_years\":56}",
		"[{\"content_id\":\"narrow-path\",\"date\":\"2026-11-03\",\"duration_min\":15,"
		"\"completed\":true}]",
		NULL, "{\"limit\":50}", problems);

	cr_assert_geq (ids->len, 10, "a healthy patient still gets a list: %u", ids->len);
	for (guint i = 0; i < ids->len; i++) {
		const VrItem *item = g_hash_table_lookup (cat->by_id, g_ptr_array_index (ids, i));
		cr_assert_eq (vr_indication_of (item), VR_INDICATION_NONE, "%s is filler",
			      item->id);
	}
	/* left out, not excluded: excluded is for safety */
	cr_assert_null (vrt_find (healthy, "items", "cueing-gait-metronome"));
	cr_assert_null (vrt_find (healthy, "excluded", "cueing-gait-metronome"));
	/* a region the record asks training for admits another item there: the hand tremor
	 * exercise for a stroke's arm (reach-garden targets stroke, upper-limb) */
	cr_assert_not_null (vrt_find (stroke, "items", "tremor-steady-hand"));
	/* a goal region, a pin, the patient's own programme each admit it */
	cr_assert_not_null (vrt_find (goal, "items", "knee-kick-goal"));
	cr_assert_not_null (vrt_find (pinned, "items", "cueing-gait-metronome"));
	cr_assert_not_null (vrt_find (done, "items", "narrow-path"));
}

/* the score of @id in @result */
static gdouble
score_of (GVariant *result, const gchar *id)
{
	g_autoptr (GVariant) item = vrt_find (result, "items", id);
	gdouble score = -1;

	cr_assert_not_null (item, "%s not in the list", id);
	g_variant_lookup (item, "score", "d", &score);
	return score;
}

Test (popular, popularity_counts_by_its_evidence)
{
	g_autoptr (VrCatalog) cat = vrt_catalog ();
	g_autoptr (GVariant) one = train_on (1, "forest-bathing");
	g_autoptr (GVariant) six = train_on (6, "forest-bathing");
	g_autoptr (JsonNode) old_node
		= vrt_json ("{\"format\":1,\"trained_on\":40,\"items\":[{\"id\":\"forest-bathing\","
			    "\"popularity\":1.0,\"neighbours\":[]},{\"id\":\"breathing-beach\","
			    "\"popularity\":0.0,\"neighbours\":[]}]}");
	g_autoptr (GVariant) old
		= g_variant_ref_sink (json_gvariant_deserialize (old_node, NULL, NULL));
	g_autoptr (GVariant) r1 = rec_with (cat, one, "[]");
	g_autoptr (GVariant) r6 = rec_with (cat, six, "[]");
	g_autoptr (GVariant) r_old = rec_with (cat, old, "[]");
	/* a new patient: 0.7 c + 0.3 p; forest-bathing and mountain-lake-meditation have the
	 * same content score, and the lake is in no model (a new item: 0.7 c + ≤ 0.05) */
	gdouble lift1 = score_of (r1, "forest-bathing") - score_of (r1, "mountain-lake-meditation");
	gdouble lift6 = score_of (r6, "forest-bathing") - score_of (r6, "mountain-lake-meditation");
	gdouble lift_old
		= score_of (r_old, "forest-bathing") - score_of (r_old, "mountain-lake-meditation");

	/* one patient's session: a fifth of the evidence, at most 0.3 × 1.0 × 1/5 */
	cr_assert_lt (lift1, 0.065, "one patient lifts it by %.3f", lift1);
	cr_assert_gt (lift6, 0.25, "six patients lift it by %.3f only", lift6);
	cr_assert_lt (lift_old, 0.055, "a format-1 model lifts it by %.3f", lift_old);
}

/* every reason code of @element, each asserted once */
static void
assert_codes_once (GVariant *element)
{
	g_autoptr (GVariant) reasons = g_variant_lookup_value (element, "reasons", NULL);
	g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

	for (gsize i = 0; i < g_variant_n_children (reasons); i++) {
		g_autoptr (GVariant) reason = g_variant_get_child_value (reasons, i);
		const gchar *code = NULL;
		g_variant_lookup (reason, "code", "&s", &code);
		cr_assert (g_hash_table_add (seen, g_strdup (code)), "%s twice", code);
	}
}

Test (reasons, new_content_only_where_nobody_tried)
{
	g_autoptr (VrCatalog) cat = vrt_catalog ();
	/* a two-patient model: most of the catalog is untried at the clinic */
	g_autoptr (GVariant) model = train_on (2, "forest-bathing");
	g_autoptr (GVariant) r = rec_with (
		cat, model,
		"[{\"content_id\":\"mountain-lake-meditation\",\"date\":\"2026-11-03\","
		"\"duration_min\":15,\"completed\":true},{\"content_id\":\"sleep-wind-down\","
		"\"date\":\"2026-11-04\",\"duration_min\":2,\"completed\":false}]");
	g_autoptr (GVariant) lake = vrt_find (r, "items", "mountain-lake-meditation");
	g_autoptr (GVariant) sleep = vrt_find (r, "items", "sleep-wind-down");
	g_autoptr (GVariant) items = g_variant_lookup_value (r, "items", NULL);
	guint said = 0;

	cr_assert (lake != NULL && vrt_has_reason (lake, "continue-programme"));
	cr_assert_not (vrt_has_reason (lake, "new-content"), "new next to continue");
	cr_assert (sleep != NULL && vrt_has_reason (sleep, "went-badly"));
	cr_assert_not (vrt_has_reason (sleep, "new-content"), "new next to went-badly");
	for (gsize i = 0; i < g_variant_n_children (items); i++) {
		g_autoptr (GVariant) e = g_variant_get_child_value (items, i);
		g_autoptr (GVariant) reasons = g_variant_lookup_value (e, "reasons", NULL);
		assert_codes_once (e);
		for (gsize k = 0; k < g_variant_n_children (reasons); k++) {
			g_autoptr (GVariant) reason = g_variant_get_child_value (reasons, k);
			const gchar *code = NULL, *en = NULL;
			g_variant_lookup (reason, "code", "&s", &code);
			g_variant_lookup (reason, "en", "&s", &en);
			if (g_strcmp0 (code, "new-content") != 0)
				continue;
			cr_assert_str_eq (en, "Not yet tried at your clinic");
			said++;
		}
	}
	cr_assert_gt (said, 0, "untried items say so");
}

Test (reasons, one_code_once_in_the_second_person)
{
	g_autoptr (VrCatalog) cat = vrt_catalog ();
	/* the trial's treadmill walk: standing and smooth, fall-risk twice */
	g_autoptr (GVariant) r = rec (
		cat, STROKE_70 ",\"max_mets\":2.0,\"comfort_tolerance\":\"comfortable\"}", ALL);
	g_autoptr (GVariant) treadmill = vrt_find (r, "excluded", "treadmill-city-walk");
	g_autoptr (GVariant) excluded = g_variant_lookup_value (r, "excluded", NULL);

	cr_assert (treadmill != NULL && vrt_has_reason (treadmill, "fall-risk"));
	for (gsize i = 0; i < g_variant_n_children (excluded); i++) {
		g_autoptr (GVariant) e = g_variant_get_child_value (excluded, i);
		g_autoptr (GVariant) reasons = g_variant_lookup_value (e, "reasons", NULL);
		assert_codes_once (e);
		for (gsize k = 0; k < g_variant_n_children (reasons); k++) {
			g_autoptr (GVariant) reason = g_variant_get_child_value (reasons, k);
			const gchar *en = NULL, *zh = NULL;
			g_variant_lookup (reason, "en", "&s", &en);
			g_variant_lookup (reason, "zh", "&s", &zh);
			cr_assert_null (strstr (en, "the patient"), "%s", en);
			cr_assert_null (strstr (zh, "患者"), "%s", zh);
		}
	}
}

Test (catalog, evidence_must_look_like_a_citation)
{
	g_autoptr (VrCatalog) cat = vrt_catalog ();
	g_autofree gchar *path = vrt_path ("data/good-item.json");
	g_autofree gchar *text = NULL;
	const gchar *refused[]
		= { "none", "N/A", "-", "Unknown", "NONE", "see README", "   not applicable   " };

	cr_assert (g_file_get_contents (path, &text, NULL, NULL));
	for (guint i = 0; i < G_N_ELEMENTS (refused) + 1; i++) {
		g_autoptr (JsonNode) node = vrt_json (text);
		g_autoptr (GPtrArray) problems = vr_problems_new ();
		g_autoptr (VrItem) item = NULL;
		const gchar *evidence
			= i < G_N_ELEMENTS (refused)
				  ? refused[i]
				  : "Riches S, et al. Soc Psychiatry Psychiatr Epidemiol. 2021";
		json_object_set_string_member (json_node_get_object (node), "evidence", evidence);
		item = vr_item_read (node, "", problems);
		if (i < G_N_ELEMENTS (refused)) {
			cr_assert_null (item, "\"%s\" taken as a citation", evidence);
			cr_assert (vrt_has_problem (problems, "/evidence", "invalid-format"), "%s",
				   evidence);
		} else {
			cr_assert_not_null (item, "a citation refused");
		}
	}
	/* every shipped item cites */
	for (guint i = 0; i < cat->items->len; i++)
		cr_assert_geq (strlen (((VrItem *)g_ptr_array_index (cat->items, i))->evidence),
			       10);
}
