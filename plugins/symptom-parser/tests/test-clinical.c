/*
 * The examples quoted at the top of issue 11, each in English and in Chinese, through the built
 * plugin with the real data directory (the shipped lexicon), and the bounded cost of an answer.
 *
 * Codes: a finding matches when its code or one of its xrefs is among the codes a careful coder
 * would accept (as the blind evaluation does, spec of issue 11 §4).
 */
#define G_LOG_DOMAIN "test-symptom-parser"

#include <criterion/criterion.h>
#include <medverse/medverse-plugin.h>
#include <string.h>
#include <time.h>

static GModule *module;
static const MvPluginInfo *info;
static MvTestHost *host;

static void
setup (void)
{
	g_autoptr (GError) error = NULL;
	gpointer sym = NULL;
	const gchar *path = g_getenv ("SP_PLUGIN_PATH");

	cr_assert_not_null (path, "SP_PLUGIN_PATH is not set");
	cr_assert_not_null (g_getenv ("SP_REAL_DATA_DIR"), "SP_REAL_DATA_DIR is not set");
	module = g_module_open (path, G_MODULE_BIND_LOCAL);
	cr_assert_not_null (module, "%s", g_module_error ());
	cr_assert (g_module_symbol (module, MV_PLUGIN_ENTRY_SYMBOL, &sym));
	info = sym;
	host = mv_test_host_new (info, NULL, g_getenv ("SP_REAL_DATA_DIR"), &error);
	cr_assert_not_null (host, "%s", error != NULL ? error->message : "");
}

static void
teardown (void)
{
	g_clear_pointer (&host, mv_test_host_free);
	g_clear_pointer (&module, g_module_close);
}

TestSuite (clinical, .init = setup, .fini = teardown);

/* Parse's whole answer, (saa{sv}b). */
static GVariant *
parse (const gchar *text)
{
	g_autoptr (GError) error = NULL;
	GVariant *out = mv_test_host_call (host, "Parse", g_variant_new ("(ss)", text, ""), &error);

	cr_assert_not_null (out, "%s: %s", text, error != NULL ? error->message : "");
	cr_assert (g_variant_is_of_type (out, G_VARIANT_TYPE ("(saa{sv}b)")));
	return out;
}

static gboolean
dict_has_code (GVariantDict *d, const gchar *const *codes)
{
	const gchar *code = NULL;
	g_autofree const gchar **xrefs = NULL;

	if (g_variant_dict_lookup (d, "code", "&s", &code) && g_strv_contains (codes, code))
		return TRUE;
	if (!g_variant_dict_lookup (d, "xrefs", "^a&s", &xrefs))
		return FALSE;
	for (guint i = 0; xrefs[i] != NULL; i++) {
		if (g_strv_contains (codes, xrefs[i]))
			return TRUE;
	}
	return FALSE;
}

static gboolean
dict_str_is (GVariantDict *d, const gchar *key, const gchar *want)
{
	const gchar *value = NULL;
	return want == NULL
	       || (g_variant_dict_lookup (d, key, "&s", &value) && g_strcmp0 (value, want) == 0);
}

/* The finding of @kind (NULL: any) with one of @codes and @polarity (NULL: any), or NULL. */
static GVariantDict *
lookup (GVariant *out, const gchar *kind, const gchar *const *codes, const gchar *polarity)
{
	g_autoptr (GVariant) findings = g_variant_get_child_value (out, 1);

	for (gsize i = 0; i < g_variant_n_children (findings); i++) {
		g_autoptr (GVariant) f = g_variant_get_child_value (findings, i);
		g_autoptr (GVariantDict) d = g_variant_dict_new (f);
		if (dict_str_is (d, "kind", kind) && dict_has_code (d, codes)
		    && dict_str_is (d, "polarity", polarity))
			return g_steal_pointer (&d);
	}
	return NULL;
}

static GVariantDict *
expect (GVariant *out,
	const gchar *text,
	const gchar *kind,
	const gchar *const *codes,
	const gchar *polarity)
{
	GVariantDict *d = lookup (out, kind, codes, polarity);
	g_autofree gchar *all = g_variant_print (out, FALSE);

	cr_assert_not_null (d, "%s: no %s %s %s finding in %s", text, polarity ? polarity : "",
			    kind ? kind : "", codes[0], all);
	return d;
}

static void
expect_str (GVariantDict *d, const gchar *key, const gchar *want, const gchar *text)
{
	const gchar *value = NULL;

	if (want == NULL) {
		cr_assert_not (g_variant_dict_contains (d, key), "%s: %s is stated", text, key);
		return;
	}
	cr_assert (g_variant_dict_lookup (d, key, "&s", &value), "%s: no %s", text, key);
	cr_assert_str_eq (value, want, "%s: %s", text, key);
}

static void
expect_num (GVariantDict *d, const gchar *key, gdouble want, gdouble tolerance, const gchar *text)
{
	gdouble value = 0;

	cr_assert (g_variant_dict_lookup (d, key, "d", &value), "%s: no %s", text, key);
	cr_assert_float_eq (value, want, tolerance, "%s: %s %g", text, key, value);
}

static const gchar *const HTN[] = { "HP:0000822", "DOID:10763", NULL };
static const gchar *const T2DM[] = { "HP:0005978", "DOID:9352", NULL };
static const gchar *const DM[] = { "HP:0000819", "DOID:9351", "HP:0005978", "DOID:9352", NULL };
static const gchar *const MI[] = { "HP:0001658", "DOID:5844", NULL };
static const gchar *const ASTHMA[] = { "HP:0002099", "DOID:2841", NULL };
static const gchar *const FEVER[] = { "HP:0001945", NULL };
static const gchar *const PAIN[] = { "HP:0012531", NULL };
static const gchar *const PAIN_SCORE[] = { "LOINC:72514-3", "LOINC:38208-5", NULL };
static const gchar *const HEADACHE[] = { "HP:0002315", NULL };
static const gchar *const PENICILLIN[] = { "ATC:J01CE01", "ATC:J01CE", "ATC:J01C", NULL };
static const gchar *const RASH[] = { "HP:0000988", NULL };
static const gchar *const METFORMIN[] = { "ATC:A10BA02", NULL };
static const gchar *const SYSTOLIC[] = { "LOINC:8480-6", NULL };
static const gchar *const DIASTOLIC[] = { "LOINC:8462-4", NULL };
static const gchar *const HEART_RATE[] = { "LOINC:8867-4", NULL };
static const gchar *const TEMPERATURE[] = { "LOINC:8310-5", NULL };
static const gchar *const WEIGHT_LOSS[] = { "HP:0001824", NULL };
static const gchar *const FREQUENCY[] = { "HP:0100515", NULL };
static const gchar *const VESICLES[]
	= { "HP:0200037", "HP:0008066", "HP:0031448", "DOID:8566", "DOID:8536", NULL };
static const gchar *const CRYING[] = { "MV:0067", "HP:0030215", NULL };
static const gchar *const IRRITABLE[] = { "HP:0000737", "HP:0000713", NULL };
static const gchar *const APPETITE[] = { "HP:0002039", "HP:0004396", NULL };

/* "Hx of HTN and T2DM, father had MI at 50" */
Test (clinical, history_of_chronic_conditions_and_family_mi)
{
	const gchar *texts[] = { "Hx of HTN and T2DM, father had MI at 50",
				 "既往高血压、2型糖尿病病史，父亲50岁时心梗" };
	for (guint i = 0; i < G_N_ELEMENTS (texts); i++) {
		g_autoptr (GVariant) out = parse (texts[i]);
		g_autoptr (GVariantDict) htn = expect (out, texts[i], "condition", HTN, "present");
		g_autoptr (GVariantDict) dm = expect (out, texts[i], "condition", T2DM, "present");
		g_autoptr (GVariantDict) mi = expect (out, texts[i], "condition", MI, "present");

		expect_str (htn, "experiencer", "patient", texts[i]);
		expect_str (htn, "temporality", "current", texts[i]);
		expect_str (htn, "status", "active", texts[i]);
		expect_str (dm, "experiencer", "patient", texts[i]);
		expect_str (dm, "status", "active", texts[i]);
		expect_str (mi, "experiencer", "family", texts[i]);
		expect_str (mi, "relation", "father", texts[i]);
		expect_num (mi, "onset_age", 50, 1e-9, texts[i]);
	}
}

/* 既往有哮喘病史 */
Test (clinical, history_of_asthma_is_active)
{
	const gchar *texts[] = { "既往有哮喘病史", "History of asthma." };
	for (guint i = 0; i < G_N_ELEMENTS (texts); i++) {
		g_autoptr (GVariant) out = parse (texts[i]);
		g_autoptr (GVariantDict) d = expect (out, texts[i], "condition", ASTHMA, "present");
		expect_str (d, "experiencer", "patient", texts[i]);
		expect_str (d, "temporality", "current", texts[i]);
		expect_str (d, "status", "active", texts[i]);
	}
}

/* 其母有糖尿病 */
Test (clinical, mother_has_diabetes)
{
	const gchar *texts[] = { "其母有糖尿病", "Her mother has diabetes." };
	for (guint i = 0; i < G_N_ELEMENTS (texts); i++) {
		g_autoptr (GVariant) out = parse (texts[i]);
		g_autoptr (GVariantDict) d = expect (out, texts[i], "condition", DM, "present");
		expect_str (d, "experiencer", "family", texts[i]);
		expect_str (d, "relation", "mother", texts[i]);
		expect_str (d, "status", NULL, texts[i]);
	}
}

/* The span is the term the text holds, not a synonym that starts a character earlier: the
 * lexicon once had 有糖尿 ("has diabetes") and 上吐, which took the 有 of 其母有糖尿病 and the 上
 * of 早上吐了 (a stranger's trial, 2026-12-06). */
Test (clinical, chinese_spans_start_at_the_term)
{
	static const gchar *const VOMITING[] = { "HP:0002013", NULL };
	const gchar *texts[] = { "其母有糖尿病", "他有糖尿病。", "既往有糖尿病史" };
	for (guint i = 0; i < G_N_ELEMENTS (texts); i++) {
		g_autoptr (GVariant) out = parse (texts[i]);
		g_autoptr (GVariantDict) d = lookup (out, "condition", DM, NULL);
		gchar *matched = NULL;
		cr_assert_not_null (d, "%s: no diabetes", texts[i]);
		cr_assert (g_variant_dict_lookup (d, "text", "s", &matched));
		/* 糖尿病史 ("history of diabetes") is a term of its own */
		cr_expect (g_str_has_prefix (matched, "糖尿病"), "%s: the span is %s", texts[i],
			   matched);
		g_free (matched);
	}
	{
		const gchar *text = "今天早上吐了两次";
		g_autoptr (GVariant) out = parse (text);
		g_autoptr (GVariantDict) d = expect (out, text, "symptom", VOMITING, "present");
		gchar *matched = NULL;
		cr_assert (g_variant_dict_lookup (d, "text", "s", &matched));
		cr_expect (g_str_has_prefix (matched, "吐"), "%s: the span is %s", text, matched);
		g_free (matched);
	}
}

/* 父亲死于心梗 */
Test (clinical, father_died_of_mi)
{
	const gchar *texts[] = { "父亲死于心梗", "Father died of a heart attack." };
	for (guint i = 0; i < G_N_ELEMENTS (texts); i++) {
		g_autoptr (GVariant) out = parse (texts[i]);
		g_autoptr (GVariantDict) d = expect (out, texts[i], "condition", MI, "present");
		expect_str (d, "experiencer", "family", texts[i]);
		expect_str (d, "relation", "father", texts[i]);
		expect_str (d, "temporality", "historical", texts[i]);
	}
}

/* A pain score of 0: either the pain finding is absent or the score finding says 0, and no pain
 * is present. */
static void
expect_no_pain (GVariant *out, const gchar *text)
{
	g_autoptr (GVariantDict) present = lookup (out, NULL, PAIN, "present");
	g_autoptr (GVariantDict) absent = lookup (out, "symptom", PAIN, "absent");
	g_autoptr (GVariantDict) score = lookup (out, "score", PAIN_SCORE, NULL);

	cr_assert_null (present, "%s: pain present", text);
	cr_assert (absent != NULL || score != NULL, "%s: neither absent pain nor a score", text);
	if (score != NULL)
		expect_num (score, "value", 0, 1e-9, text);
}

/* "temp 36.8 … Afebrile. Pain 0/10", 疼痛评分0分 */
Test (clinical, normal_temperature_afebrile_and_zero_pain)
{
	const gchar *texts[] = { "temp 36.8, alert and oriented. Afebrile. Pain 0/10",
				 "体温36.8℃，神志清楚。体温正常。疼痛评分0分" };
	for (guint i = 0; i < G_N_ELEMENTS (texts); i++) {
		g_autoptr (GVariant) out = parse (texts[i]);
		g_autoptr (GVariantDict) present = lookup (out, NULL, FEVER, "present");
		g_autoptr (GVariantDict) absent
			= expect (out, texts[i], "symptom", FEVER, "absent");
		g_autoptr (GVariantDict) temp
			= expect (out, texts[i], "measurement", TEMPERATURE, "present");

		cr_assert_null (present, "%s: fever present", texts[i]);
		expect_no_pain (out, texts[i]);
		expect_num (temp, "value", 36.8, 1e-9, texts[i]);
		expect_str (temp, "unit", "Cel", texts[i]);
		expect_str (temp, "interpretation", "normal", texts[i]);
	}
}

Test (clinical, zero_pain_score_alone)
{
	const gchar *texts[] = { "疼痛评分0分", "Pain score 0/10." };
	for (guint i = 0; i < G_N_ELEMENTS (texts); i++) {
		g_autoptr (GVariant) out = parse (texts[i]);
		expect_no_pain (out, texts[i]);
	}
}

/* "Headache is not severe" */
Test (clinical, negated_severity)
{
	const gchar *texts[] = { "Headache is not severe.", "头痛不严重" };
	for (guint i = 0; i < G_N_ELEMENTS (texts); i++) {
		g_autoptr (GVariant) out = parse (texts[i]);
		g_autoptr (GVariantDict) d = expect (out, texts[i], "symptom", HEADACHE, "present");
		expect_str (d, "severity", NULL, texts[i]);
	}
}

/* "Allergic to penicillin (rash)" */
Test (clinical, allergy_with_reaction)
{
	const gchar *texts[] = { "Allergic to penicillin (rash)", "对青霉素过敏（皮疹）" };
	for (guint i = 0; i < G_N_ELEMENTS (texts); i++) {
		g_autoptr (GVariant) out = parse (texts[i]);
		g_autoptr (GVariantDict) d
			= expect (out, texts[i], "allergy", PENICILLIN, "present");
		g_autoptr (GVariantDict) rash = lookup (out, NULL, RASH, NULL);

		expect_str (d, "reaction_code", RASH[0], texts[i]);
		expect_str (d, "experiencer", "patient", texts[i]);
		/* the reaction is not also a present symptom */
		cr_assert_null (rash, "%s: the reaction is reported on its own", texts[i]);
	}
}

/* metformin, with dose and schedule */
Test (clinical, metformin)
{
	const gchar *texts[] = { "Metformin 500 mg BID", "二甲双胍 500mg 每日两次" };
	for (guint i = 0; i < G_N_ELEMENTS (texts); i++) {
		g_autoptr (GVariant) out = parse (texts[i]);
		g_autoptr (GVariantDict) d
			= expect (out, texts[i], "medication", METFORMIN, "present");
		expect_num (d, "dose_value", 500, 1e-9, texts[i]);
		expect_str (d, "dose_unit", "mg", texts[i]);
		expect_str (d, "frequency", "BID", texts[i]);
	}
}

/* blood pressure: two findings */
Test (clinical, blood_pressure)
{
	const gchar *texts[] = { "BP 150/95 mmHg", "血压150/95mmHg" };
	for (guint i = 0; i < G_N_ELEMENTS (texts); i++) {
		g_autoptr (GVariant) out = parse (texts[i]);
		g_autoptr (GVariantDict) s = expect (out, texts[i], "measurement", SYSTOLIC, NULL);
		g_autoptr (GVariantDict) d = expect (out, texts[i], "measurement", DIASTOLIC, NULL);
		expect_num (s, "value", 150, 1e-9, texts[i]);
		expect_num (d, "value", 95, 1e-9, texts[i]);
		expect_str (s, "unit", "mm[Hg]", texts[i]);
		expect_str (s, "interpretation", "high", texts[i]);
		expect_str (d, "interpretation", "high", texts[i]);
	}
}

Test (clinical, heart_rate)
{
	const gchar *texts[] = { "HR 72 bpm", "心率72次/分" };
	for (guint i = 0; i < G_N_ELEMENTS (texts); i++) {
		g_autoptr (GVariant) out = parse (texts[i]);
		g_autoptr (GVariantDict) d
			= expect (out, texts[i], "measurement", HEART_RATE, NULL);
		expect_num (d, "value", 72, 1e-9, texts[i]);
		expect_str (d, "unit", "/min", texts[i]);
		expect_str (d, "interpretation", "normal", texts[i]);
	}
}

/* 39.2℃ (and 102.6 °F, kept as the original) */
Test (clinical, temperature_39_2)
{
	const gchar *texts[] = { "发热，体温39.2℃", "Fever, temp 102.6 F" };
	for (guint i = 0; i < G_N_ELEMENTS (texts); i++) {
		g_autoptr (GVariant) out = parse (texts[i]);
		g_autoptr (GVariantDict) d
			= expect (out, texts[i], "measurement", TEMPERATURE, NULL);
		g_autoptr (GVariantDict) fever
			= expect (out, texts[i], "symptom", FEVER, "present");
		expect_num (d, "value", 39.2, 0.05, texts[i]);
		expect_str (d, "unit", "Cel", texts[i]);
		expect_str (d, "interpretation", "high", texts[i]);
		if (i == 1) {
			expect_num (d, "original_value", 102.6, 1e-9, texts[i]);
			expect_str (d, "original_unit", "[degF]", texts[i]);
		}
	}
}

/* "lost 5 kg" */
Test (clinical, weight_loss)
{
	const gchar *texts[] = { "She lost 5 kg in two months.", "两个月体重下降5公斤" };
	for (guint i = 0; i < G_N_ELEMENTS (texts); i++) {
		g_autoptr (GVariant) out = parse (texts[i]);
		g_autoptr (GVariantDict) d = expect (out, texts[i], NULL, WEIGHT_LOSS, "present");
	}
}

/* urinary "frequency" */
Test (clinical, urinary_frequency)
{
	const gchar *texts[] = { "Dysuria and frequency for 2 days.", "尿痛、尿频2天" };
	for (guint i = 0; i < G_N_ELEMENTS (texts); i++) {
		g_autoptr (GVariant) out = parse (texts[i]);
		g_autoptr (GVariantDict) d
			= expect (out, texts[i], "symptom", FREQUENCY, "present");
		expect_num (d, "duration_hours", 48, 1e-9, texts[i]);
	}
	/* "frequency" alone is a urinary symptom only in a list of symptoms */
	for (guint i = 0; i < 2; i++) {
		const gchar *other[]
			= { "Increased frequency of headaches.", "Frequency: twice a week." };
		g_autoptr (GVariant) out = parse (other[i]);
		g_autoptr (GVariantDict) d = lookup (out, NULL, FREQUENCY, NULL);
		cr_expect_null (d, "%s: a urinary frequency", other[i]);
	}
}

/* 红疹, 疱疹 */
Test (clinical, red_rash_and_vesicles)
{
	struct {
		const gchar *text;
		const gchar *const *codes;
	} cases[] = {
		{ "宝宝身上起了红疹", RASH },
		{ "The baby has a red rash on his body.", RASH },
		{ "嘴边长了疱疹", VESICLES },
		{ "Vesicles around the mouth.", VESICLES },
	};
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr (GVariant) out = parse (cases[i].text);
		g_autoptr (GVariantDict) d
			= expect (out, cases[i].text, NULL, cases[i].codes, "present");
	}
}

/* 哭闹 / 烦躁 */
Test (clinical, crying_and_irritable)
{
	struct {
		const gchar *text;
		const gchar *const *codes;
	} cases[] = {
		/* 哭闹 is crying and fussing: Irritability, as both Chinese blind sets code it;
		 * 哭个不停 is the crying itself */
		{ "孩子晚上哭闹", IRRITABLE },
		{ "宝宝晚上哭个不停", CRYING },
		{ "He cries a lot at night.", CRYING },
		{ "孩子很烦躁", IRRITABLE },
		{ "The child is fussy and irritable.", IRRITABLE },
	};
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr (GVariant) out = parse (cases[i].text);
		g_autoptr (GVariantDict) d
			= expect (out, cases[i].text, "symptom", cases[i].codes, "present");
	}
}

/* 胃口差 / 不爱吃饭 */
Test (clinical, poor_appetite)
{
	const gchar *texts[] = { "最近胃口差", "孩子不爱吃饭", "Poor appetite lately.",
				 "He doesn't want to eat." };
	for (guint i = 0; i < G_N_ELEMENTS (texts); i++) {
		g_autoptr (GVariant) out = parse (texts[i]);
		g_autoptr (GVariantDict) d = expect (out, texts[i], "symptom", APPETITE, "present");
	}
}

/* ---- bounded cost ---- */

/* The goal is under 1 s on an idle machine: tests/bench/nlp/run.sh measures it (RESULTS.md).
 * Here the suite runs on a shared machine beside other tests, so the bound only catches what
 * is not linear (a quadratic walk over 100 000 mentions takes minutes, not seconds), and it is
 * the process's CPU time, not the wall clock: on a loaded 2-CPU machine a parse can wait for a
 * CPU longer than it runs.  A sanitizer build runs several times slower. */
#if defined(__SANITIZE_ADDRESS__)
#define TIME_LIMIT_USEC (10 * G_USEC_PER_SEC)
#else
#define TIME_LIMIT_USEC (3 * G_USEC_PER_SEC)
#endif
#define ANSWER_LIMIT_BYTES (2 * 1000 * 1000)

/* 1 MiB of @unit repeated */
static gchar *
repeat (const gchar *unit)
{
	GString *s = g_string_sized_new (1024 * 1024);
	while (s->len + strlen (unit) <= 1024 * 1024)
		g_string_append (s, unit);
	return g_string_free (s, FALSE);
}

static gint64
cpu_time_usec (void)
{
	struct timespec ts;

	clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (gint64)ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* Parses @text (timed) and returns the answer's JSON size; @n_findings, @truncated out.  The
 * machine the tests run on is shared: the bound holds when one of three tries meets it, as a
 * benchmark takes its best run. */
static gsize
bounded_parse (const gchar *text, gsize *n_findings, gboolean *truncated)
{
	g_autoptr (GVariant) findings = NULL;
	g_autoptr (GVariant) out = NULL;
	gint64 best = G_MAXINT64;
	gsize size = 0;

	for (guint attempt = 0; attempt < 3 && best >= TIME_LIMIT_USEC; attempt++) {
		g_autoptr (GError) error = NULL;
		g_autoptr (JsonNode) json = NULL;
		g_autofree gchar *body = NULL;
		gint64 t0 = cpu_time_usec ();

		g_clear_pointer (&out, g_variant_unref);
		out = mv_test_host_call (host, "Parse", g_variant_new ("(ss)", text, ""), &error);
		cr_assert_not_null (out, "%s", error != NULL ? error->message : "");
		json = json_gvariant_serialize (out);
		body = json_to_string (json, FALSE);
		best = MIN (best, cpu_time_usec () - t0);
		size = strlen (body);
	}
	cr_log_info ("%.40s…: %" G_GINT64_FORMAT " ms of CPU, %zu bytes of JSON", text, best / 1000,
		     size);
	cr_assert_lt (best, TIME_LIMIT_USEC, "%" G_GINT64_FORMAT " us", best);
	findings = g_variant_get_child_value (out, 1);
	*n_findings = g_variant_n_children (findings);
	g_variant_get_child (out, 2, "b", truncated);
	return size;
}

Test (clinical, one_repeated_word_is_one_small_answer)
{
	const gchar *units[] = { "fever ", "头痛", "BP 120/80 " };
	for (guint i = 0; i < G_N_ELEMENTS (units); i++) {
		g_autofree gchar *text = repeat (units[i]);
		gsize n = 0;
		gboolean truncated = TRUE;
		gsize size = bounded_parse (text, &n, &truncated);

		cr_assert_lt (size, ANSWER_LIMIT_BYTES, "%s: %zu bytes", units[i], size);
		/* merged: one finding (two for a blood pressure), with its mentions counted */
		cr_assert_leq (n, 2, "%s: %zu findings", units[i], n);
		cr_assert_not (truncated);
	}
}

Test (clinical, distinct_findings_are_capped)
{
	g_autoptr (GString) text = g_string_new (NULL);
	gsize n = 0;
	gboolean truncated = FALSE;
	gsize size;

	/* every mention has another duration, so none merges */
	for (guint i = 1; text->len < 1000 * 1000; i++)
		g_string_append_printf (text, "fever for %u hours. ", i);
	size = bounded_parse (text->str, &n, &truncated);
	cr_assert_eq (n, 200);
	cr_assert (truncated);
	cr_assert_lt (size, ANSWER_LIMIT_BYTES, "%zu bytes", size);
}

/* One term, several concepts (combos.tsv): each a finding of its own on the term's span, each
 * taking the context of the term. */
Test (clinical, one_term_names_several_concepts)
{
	static const gchar *const NAUSEA[] = { "HP:0002018", NULL };
	static const gchar *const VOMITING[] = { "HP:0002013", NULL };
	static const gchar *const DIARRHEA[] = { "HP:0002014", NULL };
	static const gchar *const LIPIDS[] = { "HP:0003077", NULL };
	g_autoptr (GVariant) en = parse ("Denies N/V/D.");
	g_autoptr (GVariant) zh = parse ("既往三高，无上吐下泻");
	g_autoptr (GVariantDict) n = expect (en, "N/V/D", "symptom", NAUSEA, "absent");
	g_autoptr (GVariantDict) v = expect (en, "N/V/D", "symptom", VOMITING, "absent");
	g_autoptr (GVariantDict) d = expect (en, "N/V/D", "symptom", DIARRHEA, "absent");
	g_autoptr (GVariantDict) h = expect (zh, "三高", "condition", HTN, "present");
	g_autoptr (GVariantDict) l = expect (zh, "三高", "condition", LIPIDS, "present");
	g_autoptr (GVariantDict) zv = expect (zh, "上吐下泻", "symptom", VOMITING, "absent");
	g_autoptr (GVariantDict) zd = expect (zh, "上吐下泻", "symptom", DIARRHEA, "absent");

	expect_str (v, "text", "N/V/D", "N/V/D");
	expect_str (h, "status", "active", "三高");
}

/* What discharge instructions suppose is possible (issue 11, round 3: it was no finding, which
 * the blind annotators of neither language do); what the note asserts is present. */
Test (clinical, hypothetical_mentions_are_possible)
{
	static const gchar *const CHEST_PAIN[] = { "HP:0100749", NULL };
	static const gchar *const COUGH[] = { "HP:0012735", NULL };
	g_autoptr (GVariant) en = parse ("Has a cough. Return if chest pain or fever.");
	g_autoptr (GVariant) zh = parse ("咳嗽3天。如出现胸痛、发热，及时就诊。");
	g_autoptr (GVariantDict) c1 = expect (en, "cough", "symptom", COUGH, "present");
	g_autoptr (GVariantDict) c2 = expect (zh, "咳嗽", "symptom", COUGH, "present");
	g_autoptr (GVariantDict) p1 = expect (en, "chest pain", "symptom", CHEST_PAIN, "possible");
	g_autoptr (GVariantDict) p2 = expect (zh, "胸痛", "symptom", CHEST_PAIN, "possible");
	g_autoptr (GVariantDict) f1 = expect (en, "fever", "symptom", FEVER, "possible");
	g_autoptr (GVariantDict) f2 = expect (zh, "发热", "symptom", FEVER, "possible");
	g_autoptr (GVariant) boiler = parse ("出院后门诊随访，如有不适及时就诊。");
	g_autoptr (GVariant) findings = g_variant_get_child_value (boiler, 1);

	/* 如有不适: the boilerplate names no complaint */
	cr_expect_eq (g_variant_n_children (findings), 0, "如有不适: a finding");
}

/* ---- what a stranger's notes showed (issue 11, before resolving) ---- */

Test (clinical, family_history_entries_and_review_of_systems_templates)
{
	static const gchar *const BREAST_CANCER[] = { "DOID:1612", NULL };
	static const gchar *const CHEST_PAIN[] = { "HP:0100749", NULL };
	static const gchar *const COUGH[] = { "HP:0012735", NULL };
	g_autoptr (GVariant) fhx = parse ("FHx: Mother: breast cancer. Father: HTN.");
	g_autoptr (GVariant) fhx_zh = parse ("家族史：母亲：糖尿病。");
	g_autoptr (GVariant) ros = parse ("ROS: Rash: none. Chest pain: denies. Cough: yes.");
	g_autoptr (GVariant) ros_zh = parse ("发热：无。胸痛（-）。咳嗽（+）");
	g_autoptr (GVariantDict) bc = expect (fhx, "FHx", "condition", BREAST_CANCER, "present");
	g_autoptr (GVariantDict) htn = expect (fhx, "FHx", "condition", HTN, "present");
	g_autoptr (GVariantDict) dm = expect (fhx_zh, "家族史", "condition", DM, "present");
	g_autoptr (GVariantDict) r1 = expect (ros, "ROS", "symptom", RASH, "absent");
	g_autoptr (GVariantDict) r2 = expect (ros, "ROS", "symptom", CHEST_PAIN, "absent");
	g_autoptr (GVariantDict) r3 = expect (ros, "ROS", "symptom", COUGH, "present");
	g_autoptr (GVariantDict) z1 = expect (ros_zh, "ROS zh", "symptom", FEVER, "absent");
	g_autoptr (GVariantDict) z2 = expect (ros_zh, "ROS zh", "symptom", CHEST_PAIN, "absent");
	g_autoptr (GVariantDict) z3 = expect (ros_zh, "ROS zh", "symptom", COUGH, "present");

	expect_str (bc, "relation", "mother", "Mother: breast cancer");
	expect_str (htn, "relation", "father", "Father: HTN");
	expect_str (dm, "relation", "mother", "母亲：糖尿病");
}

Test (clinical, the_present_illness_after_a_history_and_indications_of_prn_drugs)
{
	static const gchar *const COUGH[] = { "HP:0031245", "HP:0012735", NULL };
	static const gchar *const CHEST_PAIN[] = { "HP:0100749", NULL };
	static const gchar *const TOBACCO[] = { "HP:0430133", NULL };
	g_autoptr (GVariant) hpi
		= parse ("67 yo M with h/o HTN presents with 2 days of productive cough.");
	g_autoptr (GVariant) prn
		= parse ("ibuprofen 400 mg as needed for pain. NTG 0.4 SL prn CP.");
	g_autoptr (GVariant) smoker = parse ("Former smoker, quit 10 years ago.");
	g_autoptr (GVariantDict) c = expect (hpi, "hpi", "symptom", COUGH, "present");
	g_autoptr (GVariantDict) p1 = lookup (prn, NULL, PAIN, "possible");
	g_autoptr (GVariantDict) p2 = lookup (prn, NULL, CHEST_PAIN, "possible");
	g_autoptr (GVariantDict) t = expect (smoker, "former smoker", "condition", TOBACCO, NULL);

	expect_str (c, "temporality", "current", "presents with … cough");
	expect_num (c, "duration_hours", 48, 1e-9, "2 days of");
	/* a prn drug's indication is supposed, as the blind annotators have it: possible */
	cr_expect_not_null (p1, "as needed for pain: not a possible finding");
	cr_expect_not_null (p2, "prn CP: not a possible finding");
	expect_str (t, "status", "resolved", "former smoker");
}

Test (clinical, an_allergy_reaction_list_and_a_year_after_a_drug)
{
	static const gchar *const CODEINE[] = { "ATC:R05DA04", NULL };
	static const gchar *const VOMITING[] = { "HP:0002013", NULL };
	static const gchar *const AMOX[] = { "ATC:J01CA04", NULL };
	g_autoptr (GVariant) out = parse ("Allergies: codeine -> nausea and vomiting.");
	g_autoptr (GVariant) year = parse ("Tolerated amoxicillin 2020.");
	g_autoptr (GVariantDict) a = expect (out, "codeine", "allergy", CODEINE, "present");
	g_autoptr (GVariantDict) v = lookup (out, "symptom", VOMITING, NULL);
	g_autoptr (GVariantDict) m = expect (year, "amoxicillin", "medication", AMOX, "present");

	cr_expect_null (v, "vomiting of a reaction list reported as a symptom");
	cr_expect_not (g_variant_dict_contains (m, "dose_value"), "2020 read as a dose");
}

Test (clinical, a_language_tag_is_a_language_and_a_wrong_one_is_named)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GVariant) zh = mv_test_host_call (
		host, "Parse", g_variant_new ("(ss)", "发热三天", "zh-CN"), &error);
	g_autoptr (GVariant) bad = NULL;
	const gchar *used = NULL;

	cr_assert_not_null (zh, "%s", error != NULL ? error->message : "");
	g_variant_get_child (zh, 0, "&s", &used);
	cr_expect_str_eq (used, "zh");
	bad = mv_test_host_call (host, "Parse", g_variant_new ("(ss)", "fever", "fr"), &error);
	cr_assert_null (bad);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INVALID_INPUT));
	cr_assert_eq (mv_error_get_n_problems (error), 1);
	cr_expect_str_eq (mv_error_get_problem (error, 0)->field, "/language");
	cr_expect_not_null (mv_error_get_message_zh (error));
}
