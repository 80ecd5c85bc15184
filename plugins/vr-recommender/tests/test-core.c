/*
 * The vr-recommender core: the catalog and its checks, the tolerance after cybersickness,
 * cold start, the patient's own outcomes (continue, went badly, exploration), diversity,
 * training, determinism and bad inputs.  The 10,000-patient safety
 * test is test-safety.c.
 */
#include <criterion/criterion.h>

#include "test-lib.h"

#define ADULT "{\"language\":\"en\",\"age_years\":54"

Test (catalog, shipped_catalog_covers_every_category)
{
	g_autoptr (VrCatalog) cat = vrt_catalog ();
	guint per[16] = { 0 };

	cr_assert_geq (cat->items->len, 60);
	for (guint i = 0; i < cat->items->len; i++) {
		const VrItem *item = g_ptr_array_index (cat->items, i);
		per[item->category]++;
		cr_assert (item->title.en[0] != '\0' && item->title.zh[0] != '\0', "%s", item->id);
		cr_assert (item->evidence[0] != '\0', "%s", item->id);
	}
	for (guint c = 0; vr_categories[c] != NULL; c++)
		cr_assert_geq (per[c], 5, "%s has %u items", vr_categories[c], per[c]);
}

Test (catalog, bad_file_lists_every_problem_with_its_item)
{
	g_autofree gchar *path = vrt_path ("data/bad-catalog.json");
	g_autoptr (GError) error = NULL;
	g_autoptr (VrCatalog) cat = vr_catalog_load (path, &error);
	const gchar *const expected[] = {
		"bad-catalog.json: /items/1/colour",
		"bad-catalog.json: /items/1/mets",
		"bad-catalog.json: /items/1/comfort",
		"bad-catalog.json: /items/2/id",
		"bad-catalog.json: /items/3/title/zh",
		"bad-catalog.json: /items/3/targets/0",
		"bad-catalog.json: /items/3/contraindications/0",
		"bad-catalog.json: /items/4/contraindications",
		"bad-catalog.json: /items/4/comfort",
		NULL,
	};

	cr_assert_null (cat);
	cr_assert_not_null (error);
	cr_assert (g_str_has_prefix (error->message, "9 problems: "), "%s", error->message);
	for (guint i = 0; expected[i] != NULL; i++)
		cr_assert_not_null (strstr (error->message, expected[i]), "%s not in %s",
				    expected[i], error->message);
	cr_assert_null (strstr (error->message, "/items/0/"), "%s", error->message);
}

Test (catalog, not_json_is_refused_with_the_file)
{
	g_autofree gchar *path = vrt_path ("test-lib.h");
	g_autoptr (GError) error = NULL;
	g_autoptr (VrCatalog) cat = vr_catalog_load (path, &error);

	cr_assert_null (cat);
	cr_assert (g_str_has_prefix (error->message, "test-lib.h: "), "%s", error->message);
}

/* the JSON of the test data file @name */
static JsonNode *
item_file (const gchar *name)
{
	g_autofree gchar *path = vrt_path (name);
	g_autofree gchar *text = NULL;

	cr_assert (g_file_get_contents (path, &text, NULL, NULL), "%s", path);
	return vrt_json (text);
}

Test (catalog, clinic_item_lists_every_problem)
{
	g_autoptr (JsonNode) node = item_file ("data/bad-item.json");
	g_autoptr (GPtrArray) problems = vr_problems_new ();
	g_autoptr (VrItem) item = NULL;

	item = vr_item_read (node, "/item", problems);
	cr_assert_null (item);
	cr_assert_eq (problems->len, 5, "%u problems", problems->len);
	cr_assert (vrt_has_problem (problems, "/item/id", "invalid-format"));
	cr_assert (vrt_has_problem (problems, "/item/regions/0", "not-allowed"));
	cr_assert (vrt_has_problem (problems, "/item/mets", "wrong-type"));
	cr_assert (vrt_has_problem (problems, "/item/max_age", "inconsistent"));
	cr_assert (vrt_has_problem (problems, "/item/evidence", "required"));
	for (guint i = 0; i < problems->len; i++) {
		const VrProblem *p = g_ptr_array_index (problems, i);
		cr_assert (p->en[0] != '\0' && p->zh[0] != '\0' && strcmp (p->en, p->zh) != 0);
	}
}

/* A catalog rule is told with the other members' problems, not only once they are fixed; a
 * rule is not checked on a member already refused. */
Test (catalog, rules_are_told_with_the_other_problems)
{
	g_autoptr (JsonNode) node = item_file ("data/rule-and-field-item.json");
	g_autoptr (GPtrArray) problems = vr_problems_new ();
	g_autoptr (VrItem) item = NULL;

	item = vr_item_read (node, "", problems);
	cr_assert_null (item);
	cr_expect (vrt_has_problem (problems, "/title/zh", "required"));
	cr_expect (vrt_has_problem (problems, "/comfort", "inconsistent"));
	cr_expect (vrt_has_problem (problems, "/contraindications", "inconsistent"));
	cr_expect_eq (problems->len, 3, "%u problems", problems->len);
	g_ptr_array_set_size (problems, 0);
	/* a comfort that is not one of the ratings is that problem only */
	json_object_set_string_member (json_node_get_object (node), "comfort", "calm");
	json_object_set_member (
		json_object_get_object_member (json_node_get_object (node), "title"), "zh",
		json_node_init_string (json_node_alloc (), "湖上划船"));
	g_clear_pointer (&item, vr_item_free);
	item = vr_item_read (node, "", problems);
	cr_assert_null (item);
	cr_expect (vrt_has_problem (problems, "/comfort", "not-allowed"));
	cr_expect_eq (problems->len, 2, "%u problems", problems->len);
}

Test (catalog, normalised_item_round_trips)
{
	g_autoptr (VrCatalog) cat = vrt_catalog ();
	const VrItem *item = g_ptr_array_index (cat->items, 0);
	g_autoptr (GVariant) v = g_variant_ref_sink (vr_item_to_variant (item, NULL));
	g_autoptr (JsonNode) node = vr_variant_to_json (v);
	g_autoptr (GPtrArray) problems = vr_problems_new ();
	g_autoptr (VrItem) again = vr_item_read (node, "/item", problems);
	g_autoptr (GVariant) v2 = NULL;

	cr_assert_not_null (again, "%u problems", problems->len);
	v2 = g_variant_ref_sink (vr_item_to_variant (again, NULL));
	cr_assert (g_variant_equal (v, v2));
}

/* a patient whose tolerance is intense: the intense items are in the list until a severe
 * report; one report lowers the tolerance one step, two make it comfortable.  (No balance
 * condition: postural instability is a fall risk, and the standing ski slope is then out
 * whatever the tolerance, test-risk.c.) */
Test (tolerance, severe_cybersickness_changes_the_next_list)
{
	g_autoptr (VrCatalog) cat = vrt_catalog ();
	const gchar *patient = ADULT ",\"comfort_tolerance\":\"intense\",\"goals\":[\"balance\"]}";
	const gchar *opts = "{\"limit\":50,\"include_excluded\":true}";
	g_autoptr (GPtrArray) problems = vr_problems_new ();
	g_autoptr (GVariant) before = vrt_recommend (cat, patient, "[]", NULL, opts, problems);
	g_autoptr (GVariant) after = vrt_recommend (
		cat, patient,
		"[{\"content_id\":\"memory-market\",\"date\":\"2026-12-01\",\"duration_min\":4,"
		"\"completed\":false,\"cybersickness\":\"severe\"}]",
		NULL, opts, problems);
	g_autoptr (GVariant) twice = vrt_recommend (
		cat, patient,
		"[{\"content_id\":\"memory-market\",\"date\":\"2026-11-20\",\"duration_min\":4,"
		"\"completed\":false,\"cybersickness\":\"severe\"},{\"content_id\":\"narrow-path\","
		"\"date\":\"2026-12-01\",\"duration_min\":3,\"completed\":false,\"cybersickness\":"
		"\"severe\"}]",
		NULL, opts, problems);
	g_autoptr (GVariant) ski_before = vrt_find (before, "items", "ski-slope-balance");
	g_autoptr (GVariant) ski_after = vrt_find (after, "items", "ski-slope-balance");
	g_autoptr (GVariant) ski_excluded = vrt_find (after, "excluded", "ski-slope-balance");
	g_autoptr (GVariant) moderate_after = vrt_find (after, "excluded", "route-finding-town");
	g_autoptr (GVariant) moderate_twice = vrt_find (twice, "excluded", "route-finding-town");
	const gchar *tol = NULL;

	cr_assert_eq (problems->len, 0);
	cr_assert_not_null (ski_before, "the intense ski slope should be offered at first");
	cr_assert_null (ski_after, "the intense ski slope is still offered after a severe report");
	cr_assert (vrt_has_reason (ski_excluded, "comfort-above-tolerance"));
	/* a moderate item stays after one report, goes after two */
	cr_assert_null (moderate_after);
	cr_assert (vrt_has_reason (moderate_twice, "comfort-above-tolerance"));
	cr_assert_null (vrt_find (after, "items", "memory-market"), "the sickening item is back");
	g_variant_lookup (after, "comfort_tolerance", "&s", &tol);
	cr_assert_str_eq (tol, "moderate");
	g_variant_lookup (twice, "comfort_tolerance", "&s", &tol);
	cr_assert_str_eq (tol, "comfortable");
}

Test (tolerance, a_report_older_than_14_days_does_not_lower_it)
{
	g_autoptr (VrCatalog) cat = vrt_catalog ();
	g_autoptr (GPtrArray) problems = vr_problems_new ();
	g_autoptr (GVariant) r = vrt_recommend (
		cat, ADULT ",\"comfort_tolerance\":\"intense\"}",
		"[{\"content_id\":\"memory-market\",\"date\":\"2026-11-01\",\"duration_min\":4,"
		"\"completed\":false,\"cybersickness\":\"severe\"},{\"content_id\":\"forest-"
		"bathing\","
		"\"date\":\"2026-11-15\",\"duration_min\":15,\"completed\":true}]",
		NULL, "{}", problems);
	const gchar *tol = NULL;

	g_variant_lookup (r, "comfort_tolerance", "&s", &tol);
	cr_assert_str_eq (tol, "intense");
}

Test (ranking, cold_start_patient_gets_content_matches_first)
{
	g_autoptr (VrCatalog) cat = vrt_catalog ();
	g_autoptr (GPtrArray) problems = vr_problems_new ();
	g_autoptr (GVariant) r = vrt_recommend (
		cat, ADULT ",\"conditions\":[{\"code\":\"DOID:3083\",\"status\":\"active\"}]}",
		"[]", NULL, "{\"limit\":3}", problems);
	g_autoptr (GPtrArray) ids = vrt_ids (r, "items");
	g_autoptr (GVariant) first = vrt_find (r, "items", g_ptr_array_index (ids, 0));
	gboolean cold = FALSE;

	cr_assert (g_variant_lookup (r, "cold_start", "b", &cold) && cold);
	cr_assert_eq (ids->len, 3);
	/* COPD: the pursed-lip breathing coach, the lungs education, the inhaler coach */
	for (guint i = 0; i < ids->len; i++) {
		const VrItem *item = g_hash_table_lookup (cat->by_id, g_ptr_array_index (ids, i));
		cr_assert (g_strv_contains ((const gchar *const *)item->targets, "DOID:3083")
				   || g_strv_contains ((const gchar *const *)item->targets,
						       "ICD10:J44"),
			   "%s", item->id);
	}
	cr_assert (vrt_has_reason (first, "matches-condition"));
	cr_assert (vrt_has_reason (first, "safety-checked"));
}

/* sessions where everyone who did forest bathing also did the beach breathing and liked it */
#define CO_USE                                                                                     \
	"[{\"patient\":\"a\",\"content_id\":\"forest-bathing\",\"date\":\"2026-11-01\","           \
	"\"duration_min\":15,\"completed\":true,\"rating\":5},"                                    \
	"{\"patient\":\"a\",\"content_id\":\"breathing-beach\",\"date\":\"2026-11-02\","           \
	"\"duration_min\":10,\"completed\":true,\"rating\":5},"                                    \
	"{\"patient\":\"b\",\"content_id\":\"forest-bathing\",\"date\":\"2026-11-01\","            \
	"\"duration_min\":15,\"completed\":true},"                                                 \
	"{\"patient\":\"b\",\"content_id\":\"breathing-beach\",\"date\":\"2026-11-03\","           \
	"\"duration_min\":10,\"completed\":true},"                                                 \
	"{\"patient\":\"c\",\"content_id\":\"forest-bathing\",\"date\":\"2026-11-01\","            \
	"\"duration_min\":15,\"completed\":true},"                                                 \
	"{\"patient\":\"c\",\"content_id\":\"breathing-beach\",\"date\":\"2026-11-04\","           \
	"\"duration_min\":10,\"completed\":true,\"rating\":4},"                                    \
	"{\"patient\":\"d\",\"content_id\":\"memory-market\",\"date\":\"2026-11-04\","             \
	"\"duration_min\":2,\"completed\":false,\"rating\":1,\"cybersickness\":\"moderate\"}]"

Test (ranking, collaborative_signal_and_new_items)
{
	g_autoptr (VrCatalog) cat = vrt_catalog ();
	g_autoptr (GPtrArray) sessions = vrt_sessions (CO_USE, TRUE);
	g_autoptr (GVariant) model = g_variant_ref_sink (vr_train (sessions));
	g_autoptr (GPtrArray) problems = vr_problems_new ();
	g_autoptr (GVariant) r = vrt_recommend (
		cat, ADULT "}",
		"[{\"content_id\":\"forest-bathing\",\"date\":\"2026-11-20\",\"duration_min\":15,"
		"\"completed\":true,\"rating\":5}]",
		model, "{\"limit\":10}", problems);
	g_autoptr (GPtrArray) ids = vrt_ids (r, "items");
	g_autoptr (GVariant) beach = vrt_find (r, "items", "breathing-beach");
	g_autoptr (GVariant) forest = vrt_find (r, "items", "forest-bathing");
	g_autoptr (GVariant) fresh = vrt_find (r, "items", g_ptr_array_index (ids, 2));
	gboolean cold = TRUE;

	cr_assert (g_variant_lookup (r, "cold_start", "b", &cold) && !cold);
	/* completed and rated 5: the patient's programme, continued, and said so */
	cr_assert_str_eq (g_ptr_array_index (ids, 0), "forest-bathing");
	cr_assert (vrt_has_reason (forest, "continue-programme"));
	/* what the patients who liked it also liked comes next */
	cr_assert_str_eq (g_ptr_array_index (ids, 1), "breathing-beach");
	cr_assert (vrt_has_reason (beach, "similar-patients"));
	cr_assert_not (vrt_has_reason (beach, "continue-programme"));
	/* an item nobody used yet: content only, with the exploration bonus, said so */
	cr_assert (vrt_has_reason (fresh, "new-content"), "%s",
		   (gchar *)g_ptr_array_index (ids, 2));
}

Test (ranking, new_clinic_item_is_a_cold_start_item)
{
	g_autoptr (VrCatalog) cat = vrt_catalog ();
	g_autofree gchar *path = vrt_path ("data/good-item.json");
	g_autofree gchar *item = NULL;
	g_autofree gchar *patient = NULL;
	g_autoptr (GPtrArray) sessions = vrt_sessions (CO_USE, TRUE);
	g_autoptr (GVariant) model = g_variant_ref_sink (vr_train (sessions));
	g_autoptr (GPtrArray) problems = vr_problems_new ();
	g_autoptr (GVariant) r = NULL;
	g_autoptr (GVariant) found = NULL;

	cr_assert (g_file_get_contents (path, &item, NULL, NULL));
	patient = g_strdup_printf (ADULT ",\"conditions\":[{\"code\":\"ICD10:I63.9\"}],"
					 "\"goals\":[\"upper-limb\"],\"extra_items\":[%s]}",
				   item);
	r = vrt_recommend (cat, patient, "[]", model, "{\"limit\":10}", problems);
	cr_assert_not_null (r, "%u problems", problems->len);
	found = vrt_find (r, "items", "clinic-arm-reach");
	cr_assert_not_null (found, "the clinic's stroke item should be in the top 10");
	cr_assert (vrt_has_reason (found, "new-content"));
	cr_assert (vrt_has_reason (found, "matches-condition"));
	cr_assert (vrt_has_reason (found, "matches-goal"));
}

/* the categories of the result's items, counted */
static guint
vrt_category_count (const VrCatalog *cat, GPtrArray *ids, guint category, guint *distinct)
{
	gboolean seen[16] = { FALSE };
	guint n = 0;

	*distinct = 0;
	for (guint i = 0; i < ids->len; i++) {
		const VrItem *item = g_hash_table_lookup (cat->by_id, g_ptr_array_index (ids, i));
		n += item->category == category;
		*distinct += !seen[item->category];
		seen[item->category] = TRUE;
	}
	return n;
}

/* a stroke patient (hemiparesis) whose plan's goal is the upper limb */
#define STROKE_UPPER_GOAL                                                                          \
	ADULT ",\"conditions\":[{\"code\":\"HP:0001297\",\"status\":\"active\"}],"                 \
	      "\"goals\":[\"upper-limb\"]}"

Test (ranking, diversity_is_soft_for_a_new_patient)
{
	g_autoptr (VrCatalog) cat = vrt_catalog ();
	g_autoptr (GPtrArray) problems = vr_problems_new ();
	/* a stroke patient with an upper-limb goal: three upper-limb items match best, the
	 * lower-limb and balance ones for stroke a little less */
	g_autoptr (GVariant) r
		= vrt_recommend (cat, STROKE_UPPER_GOAL, "[]", NULL, "{\"limit\":10}", problems);
	g_autoptr (GPtrArray) ids = vrt_ids (r, "items");
	guint distinct = 0, upper, top_upper = 0;

	cr_assert_eq (ids->len, 10);
	upper = vrt_category_count (cat, ids, 0, &distinct);
	/* soft: what matches best keeps its places (the three seated stroke items; rowing moves
	 * through the scene, so it is out at fall risk; a cap of 3 is tested with a programme
	 * below)... */
	cr_assert_eq (upper, 3, "%u upper-limb", upper);
	/* ...but not the first ones all: each upper-limb item chosen costs the next one
	 * (1 − λ)/λ, more than the lower-limb items trail by (0.07) */
	for (guint i = 0; i < 3; i++) {
		const VrItem *item = g_hash_table_lookup (cat->by_id, g_ptr_array_index (ids, i));
		top_upper += item->category == 0;
	}
	cr_assert_lt (top_upper, 3, "the first three are all upper-limb");
	cr_assert_geq (distinct, 4, "%u categories", distinct);
}

/* four upper-limb items done and liked, a fifth that went badly */
#define UPPER_PROGRAMME                                                                            \
	"[{\"content_id\":\"reach-garden\",\"date\":\"2026-11-01\",\"duration_min\":15,"           \
	"\"completed\":true,\"rating\":5},"                                                        \
	"{\"content_id\":\"shelf-sorter\",\"date\":\"2026-11-02\",\"duration_min\":15,"            \
	"\"completed\":true,\"rating\":4},"                                                        \
	"{\"content_id\":\"piano-fingers\",\"date\":\"2026-11-03\",\"duration_min\":15,"           \
	"\"completed\":true},"                                                                     \
	"{\"content_id\":\"grip-pottery\",\"date\":\"2026-11-04\",\"duration_min\":15,"            \
	"\"completed\":true,\"rating\":5},"                                                        \
	"{\"content_id\":\"shoulder-painter\",\"date\":\"2026-11-05\",\"duration_min\":3,"         \
	"\"completed\":false,\"rating\":2}]"

Test (ranking, a_liked_programme_is_continued_not_capped)
{
	g_autoptr (VrCatalog) cat = vrt_catalog ();
	g_autoptr (GPtrArray) problems = vr_problems_new ();
	g_autoptr (GVariant) r = vrt_recommend (cat, STROKE_UPPER_GOAL, UPPER_PROGRAMME, NULL,
						"{\"limit\":10}", problems);
	g_autoptr (GPtrArray) ids = vrt_ids (r, "items");
	g_autoptr (GVariant) rowing = vrt_find (r, "items", "shoulder-painter");
	const gchar *liked[] = { "reach-garden", "shelf-sorter", "piano-fingers", "grip-pottery" };
	guint distinct = 0;

	cr_assert_eq (ids->len, 10);
	/* all four liked items, though of one category: a hard cap of 3 would drop one */
	for (guint i = 0; i < G_N_ELEMENTS (liked); i++) {
		g_autoptr (GVariant) found = vrt_find (r, "items", liked[i]);
		cr_assert_not_null (found, "%s should be continued", liked[i]);
		cr_assert (vrt_has_reason (found, "continue-programme"), "%s", liked[i]);
	}
	cr_assert_geq (vrt_category_count (cat, ids, 0, &distinct), 4);
	/* the one that went badly: pushed down below every liked one, or out, and said so */
	for (guint i = 0; rowing != NULL && i < 4; i++)
		cr_assert_str_neq (g_ptr_array_index (ids, i), "shoulder-painter");
	cr_assert (rowing == NULL || vrt_has_reason (rowing, "went-badly"));
	cr_assert (rowing == NULL || !vrt_has_reason (rowing, "continue-programme"));
}

/* the item's score in the result */
static gdouble
vrt_score (GVariant *result, const gchar *id)
{
	g_autoptr (GVariant) item = vrt_find (result, "items", id);
	gdouble score = 0;

	cr_assert_not_null (item, "%s not in the list", id);
	cr_assert (g_variant_lookup (item, "score", "d", &score));
	return score;
}

Test (ranking, what_went_badly_scores_lower_than_untried)
{
	g_autoptr (VrCatalog) cat = vrt_catalog ();
	g_autoptr (GPtrArray) problems = vr_problems_new ();
	const gchar *patient
		= ADULT ",\"conditions\":[{\"code\":\"HP:0001297\",\"status\":\"active\"}]}";
	g_autoptr (GVariant) untried
		= vrt_recommend (cat, patient, "[]", NULL, "{\"limit\":50}", problems);
	g_autoptr (GVariant) bad
		= vrt_recommend (cat, patient,
				 "[{\"content_id\":\"kitchen-sequencing\",\"date\":\"2026-11-05\","
				 "\"duration_min\":3,\"completed\":false,\"rating\":2}]",
				 NULL, "{\"limit\":50}", problems);

	/* abandoned and rated 2: the same item loses a clear step (VR_PENALTY_BAD) */
	cr_assert_gt (vrt_score (untried, "kitchen-sequencing")
			      - vrt_score (bad, "kitchen-sequencing"),
		      0.2);
}

Test (ranking, reasons_of_own_outcomes_are_bilingual)
{
	g_autoptr (VrCatalog) cat = vrt_catalog ();
	g_autoptr (GPtrArray) problems = vr_problems_new ();
	g_autoptr (GVariant) r = vrt_recommend (
		cat, ADULT ",\"conditions\":[{\"code\":\"HP:0001297\",\"status\":\"active\"}]}",
		UPPER_PROGRAMME, NULL, "{\"limit\":50}", problems);
	const gchar *const pairs[][2] = { { "reach-garden", "continue-programme" },
					  { "shoulder-painter", "went-badly" } };

	for (guint k = 0; k < G_N_ELEMENTS (pairs); k++) {
		g_autoptr (GVariant) item = vrt_find (r, "items", pairs[k][0]);
		g_autoptr (GVariant) reasons = NULL;
		gboolean found = FALSE;
		cr_assert_not_null (item, "%s", pairs[k][0]);
		reasons = g_variant_lookup_value (item, "reasons", G_VARIANT_TYPE ("aa{sv}"));
		for (gsize i = 0; i < g_variant_n_children (reasons); i++) {
			g_autoptr (GVariant) reason = g_variant_get_child_value (reasons, i);
			const gchar *code = NULL, *en = NULL, *zh = NULL;
			g_variant_lookup (reason, "code", "&s", &code);
			if (g_strcmp0 (code, pairs[k][1]) != 0)
				continue;
			found = TRUE;
			cr_assert (g_variant_lookup (reason, "en", "&s", &en) && en[0] != '\0');
			cr_assert (g_variant_lookup (reason, "zh", "&s", &zh) && zh[0] != '\0');
			cr_assert_str_neq (en, zh);
		}
		cr_assert (found, "%s: no %s", pairs[k][0], pairs[k][1]);
	}
}

Test (ranking, an_exploration_share_of_new_items)
{
	g_autoptr (VrCatalog) cat = vrt_catalog ();
	g_autoptr (GPtrArray) problems = vr_problems_new ();
	g_autoptr (GString) history = g_string_new ("[");
	g_autoptr (GVariant) r = NULL;
	g_autoptr (GPtrArray) ids = NULL;
	guint fresh = 0;

	/* twelve items done and liked, more than a list of 10 can hold */
	for (guint i = 0; i < 12; i++) {
		const VrItem *item = g_ptr_array_index (cat->items, i);
		g_string_append_printf (history,
					"%s{\"content_id\":\"%s\",\"date\":\"2026-11-%02u\","
					"\"duration_min\":15,\"completed\":true,\"rating\":5}",
					i > 0 ? "," : "", item->id, i + 1);
	}
	g_string_append (history, "]");
	r = vrt_recommend (cat, ADULT ",\"comfort_tolerance\":\"intense\"}", history->str, NULL,
			   "{\"limit\":10}", problems);
	cr_assert_not_null (r, "%u problems", problems->len);
	ids = vrt_ids (r, "items");
	cr_assert_eq (ids->len, 10);
	for (guint i = 0; i < ids->len; i++) {
		gboolean done = FALSE;
		for (guint k = 0; k < 12; k++) {
			const VrItem *item = g_ptr_array_index (cat->items, k);
			done = done || g_str_equal (item->id, g_ptr_array_index (ids, i));
		}
		fresh += !done;
	}
	/* three of ten places kept for what the patient has not tried; the rest continue */
	cr_assert_eq (fresh, 3, "%u new items in the list", fresh);
}

Test (ranking, same_seed_same_answer)
{
	g_autoptr (VrCatalog) cat = vrt_catalog ();
	g_autoptr (GPtrArray) problems = vr_problems_new ();
	const gchar *p = ADULT ",\"findings\":[{\"code\":\"HP:0000739\"}]}";
	g_autoptr (GVariant) a = vrt_recommend (cat, p, "[]", NULL, "{\"seed\":7}", problems);
	g_autoptr (GVariant) b = vrt_recommend (cat, p, "[]", NULL, "{\"seed\":7}", problems);

	cr_assert (g_variant_equal (a, b));
}

Test (train, same_sessions_in_any_order_give_the_same_model)
{
	g_autoptr (GPtrArray) s1 = vrt_sessions (CO_USE, TRUE);
	g_autoptr (GPtrArray) s2 = vrt_sessions (CO_USE, TRUE);
	g_autoptr (GVariant) m1 = NULL;
	g_autoptr (GVariant) m2 = NULL;
	g_autoptr (GVariant) items = NULL;
	guint32 trained = 0;

	for (guint i = 0; i < s2->len / 2; i++) {
		gpointer t = s2->pdata[i];
		s2->pdata[i] = s2->pdata[s2->len - 1 - i];
		s2->pdata[s2->len - 1 - i] = t;
	}
	m1 = g_variant_ref_sink (vr_train (s1));
	m2 = g_variant_ref_sink (vr_train (s2));
	cr_assert (g_variant_equal (m1, m2));
	cr_assert (g_variant_lookup (m1, "trained_on", "u", &trained));
	cr_assert_eq (trained, 7);
	items = g_variant_lookup_value (m1, "items", NULL);
	cr_assert_eq (g_variant_n_children (items), 3);
}

Test (input, bad_patient_lists_every_problem)
{
	g_autoptr (VrCatalog) cat = vrt_catalog ();
	g_autoptr (GPtrArray) problems = vr_problems_new ();
	g_autoptr (GVariant) r = vrt_recommend (
		cat,
		"{\"language\":\"fr\",\"age_years\":\"old\",\"shoe_size\":42,"
		"\"conditions\":[{\"status\":\"active\"}],\"findings\":[{\"code\":\"HP:0001250\","
		"\"polarity\":\"maybe\"}],\"max_mets\":0.2}",
		"[{\"content_id\":\"forest-bathing\",\"date\":\"2026-02-30\",\"duration_min\":-5,"
		"\"completed\":true,\"patient\":\"x\"}]",
		NULL, "{\"limit\":51,\"colour\":1}", problems);

	cr_assert_null (r);
	cr_assert (vrt_has_problem (problems, "/language", "not-allowed"));
	cr_assert (vrt_has_problem (problems, "/age_years", "wrong-type"));
	cr_assert (vrt_has_problem (problems, "/shoe_size", "unknown-member"));
	cr_assert (vrt_has_problem (problems, "/conditions/0/code", "required"));
	cr_assert (vrt_has_problem (problems, "/findings/0/polarity", "not-allowed"));
	cr_assert (vrt_has_problem (problems, "/max_mets", "out-of-range"));
	cr_assert (vrt_has_problem (problems, "/history/0/date", "invalid-format"));
	cr_assert (vrt_has_problem (problems, "/history/0/duration_min", "out-of-range"));
	cr_assert (vrt_has_problem (problems, "/history/0/patient", "unknown-member"));
	cr_assert (vrt_has_problem (problems, "/options/limit", "out-of-range"));
	cr_assert (vrt_has_problem (problems, "/options/colour", "unknown-member"));
	cr_assert_eq (problems->len, 11, "%u problems", problems->len);
}

Test (input, unknown_content_in_history_is_a_note_and_its_report_counts)
{
	g_autoptr (VrCatalog) cat = vrt_catalog ();
	g_autoptr (GPtrArray) problems = vr_problems_new ();
	g_autoptr (GVariant) r = vrt_recommend (
		cat, ADULT "}",
		"[{\"content_id\":\"retired-item\",\"date\":\"2026-12-01\",\"duration_min\":5,"
		"\"completed\":false,\"cybersickness\":\"severe\"}]",
		NULL, "{}", problems);
	g_autoptr (GVariant) notes = g_variant_lookup_value (r, "notes", NULL);
	g_autoptr (GVariant) note = NULL;
	const gchar *field = NULL, *tol = NULL;

	cr_assert_not_null (r);
	cr_assert_eq (g_variant_n_children (notes), 1);
	note = g_variant_get_child_value (notes, 0);
	cr_assert (g_variant_lookup (note, "field", "&s", &field));
	cr_assert_str_eq (field, "/history/0/content_id");
	g_variant_lookup (r, "comfort_tolerance", "&s", &tol);
	cr_assert_str_eq (tol, "comfortable");
}

Test (input, duplicate_extra_item_is_refused)
{
	g_autoptr (VrCatalog) cat = vrt_catalog ();
	g_autoptr (GPtrArray) problems = vr_problems_new ();
	g_autoptr (GVariant) list
		= g_variant_ref_sink (vr_item_to_variant (g_ptr_array_index (cat->items, 0), NULL));
	g_autoptr (JsonNode) node = vr_variant_to_json (list);
	g_autofree gchar *item = json_to_string (node, FALSE);
	g_autofree gchar *patient = g_strdup_printf (ADULT ",\"extra_items\":[%s]}", item);
	g_autoptr (GVariant) r = vrt_recommend (cat, patient, "[]", NULL, "{}", problems);

	cr_assert_null (r);
	cr_assert (vrt_has_problem (problems, "/extra_items/0/id", "duplicate"));
}

Test (filter, negated_and_family_findings_never_exclude)
{
	g_autoptr (VrCatalog) cat = vrt_catalog ();
	g_autoptr (GPtrArray) problems = vr_problems_new ();
	g_autoptr (GVariant) r = vrt_recommend (
		cat,
		ADULT ",\"findings\":[{\"code\":\"HP:0001250\",\"polarity\":\"absent\"},"
		      "{\"code\":\"HP:0002321\",\"experiencer\":\"family\"}],"
		      "\"conditions\":[{\"code\":\"DOID:1826\",\"status\":\"resolved\"}]}",
		"[]", NULL, "{\"limit\":50,\"include_excluded\":true}", problems);
	g_autoptr (GVariant) ex = g_variant_lookup_value (r, "excluded", NULL);

	for (gsize i = 0; i < g_variant_n_children (ex); i++) {
		g_autoptr (GVariant) e = g_variant_get_child_value (ex, i);
		cr_assert (!vrt_has_reason (e, "contraindication:photosensitive-epilepsy"));
		cr_assert (!vrt_has_reason (e, "contraindication:vestibular-disorder"));
	}
}

Test (filter, possible_epilepsy_excludes_flashing_content_with_a_reason)
{
	g_autoptr (VrCatalog) cat = vrt_catalog ();
	g_autoptr (GPtrArray) problems = vr_problems_new ();
	g_autoptr (GVariant) r = vrt_recommend (
		cat,
		ADULT ",\"findings\":[{\"code\":\"HP:0001327\",\"polarity\":\"possible\"}],"
		      "\"posture\":\"seated\",\"max_mets\":3.0}",
		"[]", NULL, "{\"limit\":50,\"include_excluded\":true}", problems);
	g_autoptr (GVariant) boxing = vrt_find (r, "excluded", "beat-boxing");
	g_autoptr (GVariant) snow = vrt_find (r, "excluded", "snow-world");

	cr_assert_not_null (boxing);
	cr_assert (vrt_has_reason (boxing, "contraindication:photosensitive-epilepsy"));
	cr_assert (vrt_has_reason (boxing, "mets-above-limit"));
	cr_assert (vrt_has_reason (boxing, "standing-for-seated"));
	cr_assert (vrt_has_reason (snow, "contraindication:photosensitive-epilepsy"));
	cr_assert_null (vrt_find (r, "items", "snow-world"));
}

static void
assert_same_model (const VrModel *a, const VrModel *b)
{
	GHashTableIter it;
	gpointer id, value;

	cr_assert_eq (a->trained_on, b->trained_on);
	cr_assert_eq (g_hash_table_size (a->items), g_hash_table_size (b->items));
	g_hash_table_iter_init (&it, a->items);
	while (g_hash_table_iter_next (&it, &id, &value)) {
		const VrModelItem *x = value, *y = g_hash_table_lookup (b->items, id);
		GHashTableIter jt;
		gpointer nid, w;
		cr_assert_not_null (y, "%s", (gchar *)id);
		cr_assert_float_eq (x->popularity, y->popularity, 1e-12);
		cr_assert_eq (g_hash_table_size (x->neighbours), g_hash_table_size (y->neighbours));
		g_hash_table_iter_init (&jt, x->neighbours);
		while (g_hash_table_iter_next (&jt, &nid, &w))
			cr_assert_float_eq (*(gdouble *)w,
					    *(gdouble *)g_hash_table_lookup (y->neighbours, nid),
					    1e-12);
	}
}

/* the quick reader of the model (GVariant, D-Bus types or the JSON adapter's) reads what the
 * JSON reader reads, and gives up on anything else */
Test (train, model_read_from_the_variant_or_json_alike)
{
	g_autoptr (GPtrArray) sessions = vrt_sessions (CO_USE, TRUE);
	g_autoptr (GVariant) model = g_variant_ref_sink (vr_train (sessions));
	g_autoptr (JsonNode) node = vr_variant_to_json (model);
	g_autoptr (GVariant) as_json
		= g_variant_ref_sink (json_gvariant_deserialize (node, NULL, NULL));
	g_autoptr (GPtrArray) problems = vr_problems_new ();
	g_autoptr (VrModel) from_json = vr_model_read (node, problems);
	g_autoptr (VrModel) quick = vr_model_from_variant (model, NULL);
	g_autoptr (VrModel) quick_json = vr_model_from_variant (as_json, NULL);
	g_autoptr (JsonNode) bad_node = vrt_json ("{\"format\":3,\"trained_on\":1,\"items\":[]}");
	g_autoptr (GVariant) bad
		= g_variant_ref_sink (json_gvariant_deserialize (bad_node, NULL, NULL));
	g_autoptr (VrModel) none = vr_model_from_variant (bad, NULL);

	cr_assert_not_null (from_json);
	cr_assert_not_null (quick);
	cr_assert_not_null (quick_json, "the JSON adapter's types (av, x) are refused");
	cr_assert_null (none);
	cr_assert_eq (g_hash_table_size (from_json->items), 3);
	assert_same_model (from_json, quick);
	assert_same_model (from_json, quick_json);
}

Test (catalog, target_codes_follow_the_schema_pattern)
{
	g_autofree gchar *path = vrt_path ("data/good-item.json");
	g_autofree gchar *text = NULL;
	const gchar *const good[]
		= { "HP:0001250", "DOID:1826", "ICD10:G40", "ICD10:F40.240", NULL };
	const gchar *const bad[]
		= { "HP:123",	  "HP:00012500",     "DOID:",	    "ICD10:G4",	  "ICD10:g40",
		    "ICD10:G40.", "ICD10:G40.12345", "ICD10CM:G40", "hp:0001250", NULL };

	cr_assert (g_file_get_contents (path, &text, NULL, NULL));
	for (guint pass = 0; pass < 2; pass++) {
		const gchar *const *codes = pass == 0 ? good : bad;
		for (guint i = 0; codes[i] != NULL; i++) {
			g_autoptr (JsonNode) node = vrt_json (text);
			g_autoptr (JsonArray) targets = json_array_new ();
			g_autoptr (GPtrArray) problems = vr_problems_new ();
			g_autoptr (VrItem) item = NULL;
			json_array_add_string_element (targets, codes[i]);
			json_object_set_array_member (json_node_get_object (node), "targets",
						      json_array_ref (targets));
			item = vr_item_read (node, "/item", problems);
			if (pass == 0)
				cr_assert_not_null (item, "%s refused", codes[i]);
			else
				cr_assert (item == NULL
						   && vrt_has_problem (problems, "/item/targets/0",
								       "invalid-format"),
					   "%s accepted", codes[i]);
		}
	}
}
