/*
 * The vr-recommender's safety defaults and relevance (issue 14, the docs-only trial's
 * findings): fall risk means seated unless a plan says a posture and never smooth locomotion;
 * vertigo excludes every standing item; a seizure history keeps the photosensitive filter and
 * gives a notice; procedure preparation and disease education need a matching target;
 * "popular" needs enough other patients.
 */
#include <criterion/criterion.h>

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
	g_autoptr (GVariant) forest = vrt_find (r, "items", "forest-bathing");

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
	g_autoptr (GVariant) forest = vrt_find (r, "items", "forest-bathing");

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
