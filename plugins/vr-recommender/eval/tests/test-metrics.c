/*
 * The ranking metrics (vr-metrics.c) against Apache Spark's published worked example.
 *
 * Fixture: the example of pyspark.mllib.evaluation.RankingMetrics
 * (https://spark.apache.org/docs/latest/api/python/reference/api/pyspark.mllib.evaluation.RankingMetrics.html,
 * "Examples": three queries, the printed precisionAt(1) 0.33…, precisionAt(5) 0.26…,
 * precisionAt(15) 0.17…, meanAveragePrecision 0.35…, meanAveragePrecisionAt(1) 0.3333…,
 * meanAveragePrecisionAt(2) 0.25…, ndcgAt(3) 0.33…, ndcgAt(10) 0.48…, recallAt(1) 0.06…,
 * recallAt(5) 0.35…, recallAt(15) 0.66…), with the definitions of the MLlib guide's page
 * "Evaluation Metrics - RDD-based API", section "Ranking systems"
 * (https://spark.apache.org/docs/latest/mllib-evaluation-metrics.html#ranking-systems).
 * The printed figures are truncated; the full values asserted here at 1e-5 are those of Spark's
 * own test of the same example (mllib/src/test/scala/org/apache/spark/mllib/evaluation/
 * RankingMetricsSuite.scala: "Ranking metrics: MAP, NDCG, Recall", the graded "NDCG with
 * relevance" variant added in Spark 3.4, and "few predictions (SPARK-14886)"); each printed
 * figure is also checked as the prefix it is.
 */
#include <criterion/criterion.h>
#include <math.h>

#include "vr-metrics.h"

#define EPS 1e-5

static const gchar *const ranked1[] = { "1", "6", "2", "7", "8", "3", "9", "10", "4", "5" };
static const gchar *const relevant1[] = { "1", "2", "3", "4", "5" };
static const gchar *const ranked2[] = { "4", "1", "5", "6", "2", "7", "3", "8", "9", "10" };
static const gchar *const relevant2[] = { "1", "2", "3" };
static const gchar *const ranked3[] = { "1", "2", "3", "4", "5" };
static const gdouble grades1[] = { 3.0, 2.0, 1.0, 1.0, 1.0 };
static const gdouble grades2[] = { 2.0, 0.0, 0.0 };

static const VrQuery spark[] = {
	{ ranked1, 10, relevant1, NULL, 5 },
	{ ranked2, 10, relevant2, NULL, 3 },
	{ ranked3, 5, NULL, NULL, 0 },
};

static const VrQuery spark_graded[] = {
	{ ranked1, 10, relevant1, grades1, 5 },
	{ ranked2, 10, relevant2, grades2, 3 },
	{ ranked3, 5, NULL, NULL, 0 },
};

static gdouble
mean (const VrQuery *q, VrMetricFunc f, guint k)
{
	return vr_metrics_mean (q, 3, f, k);
}

/* the documentation prints "0.33..." for 0.3333…: the value starts with those digits */
static void
assert_printed (gdouble value, const gchar *printed)
{
	g_autofree gchar *text = g_strdup_printf ("%.16f", value);

	cr_assert (g_str_has_prefix (text, printed), "%s does not start with %s", text, printed);
}

Test (metrics, spark_printed_example)
{
	assert_printed (mean (spark, vr_metrics_precision_at, 1), "0.33");
	assert_printed (mean (spark, vr_metrics_precision_at, 5), "0.26");
	assert_printed (mean (spark, vr_metrics_precision_at, 15), "0.17");
	assert_printed (mean (spark, vr_metrics_average_precision, 0), "0.35");
	assert_printed (mean (spark, vr_metrics_average_precision, 1), "0.3333333333333333");
	assert_printed (mean (spark, vr_metrics_average_precision, 2), "0.25");
	assert_printed (mean (spark, vr_metrics_ndcg_at, 3), "0.33");
	assert_printed (mean (spark, vr_metrics_ndcg_at, 10), "0.48");
	assert_printed (mean (spark, vr_metrics_recall_at, 1), "0.06");
	assert_printed (mean (spark, vr_metrics_recall_at, 5), "0.35");
	assert_printed (mean (spark, vr_metrics_recall_at, 15), "0.66");
}

Test (metrics, spark_precision_recall)
{
	const gdouble precision[][2]
		= { { 1, 1.0 / 3 }, { 2, 1.0 / 3 },  { 3, 1.0 / 3 },  { 4, 0.75 / 3 },
		    { 5, 0.8 / 3 }, { 10, 0.8 / 3 }, { 15, 8.0 / 45 } };
	const gdouble recall[][2]
		= { { 1, 1.0 / 15 },  { 2, 8.0 / 45 }, { 3, 11.0 / 45 }, { 4, 11.0 / 45 },
		    { 5, 16.0 / 45 }, { 10, 2.0 / 3 }, { 15, 2.0 / 3 } };

	for (guint i = 0; i < G_N_ELEMENTS (precision); i++) {
		guint k = (guint)precision[i][0];
		cr_assert_float_eq (mean (spark, vr_metrics_precision_at, k), precision[i][1], EPS,
				    "precision@%u", k);
		k = (guint)recall[i][0];
		cr_assert_float_eq (mean (spark, vr_metrics_recall_at, k), recall[i][1], EPS,
				    "recall@%u", k);
	}
}

Test (metrics, spark_map_and_ndcg)
{
	cr_assert_float_eq (mean (spark, vr_metrics_average_precision, 0), 0.355026, EPS);
	cr_assert_float_eq (mean (spark, vr_metrics_average_precision, 1), 0.333334, EPS);
	cr_assert_float_eq (mean (spark, vr_metrics_average_precision, 2), 0.25, EPS);
	cr_assert_float_eq (mean (spark, vr_metrics_average_precision, 3), 0.24074, EPS);
	cr_assert_float_eq (mean (spark, vr_metrics_ndcg_at, 3), 1.0 / 3, EPS);
	cr_assert_float_eq (mean (spark, vr_metrics_ndcg_at, 5), 0.328788, EPS);
	cr_assert_float_eq (mean (spark, vr_metrics_ndcg_at, 10), 0.487913, EPS);
	cr_assert_float_eq (mean (spark, vr_metrics_ndcg_at, 15), 0.487913, EPS);
}

Test (metrics, spark_graded_ndcg)
{
	cr_assert_float_eq (mean (spark_graded, vr_metrics_ndcg_at, 3), 0.511959, EPS);
	cr_assert_float_eq (mean (spark_graded, vr_metrics_ndcg_at, 5), 0.487806, EPS);
	cr_assert_float_eq (mean (spark_graded, vr_metrics_ndcg_at, 10), 0.518700, EPS);
	cr_assert_float_eq (mean (spark_graded, vr_metrics_ndcg_at, 15), 0.518700, EPS);
	/* grades change NDCG only: the other metrics read the relevant set */
	cr_assert_float_eq (mean (spark_graded, vr_metrics_average_precision, 0), 0.355026, EPS);
}

Test (metrics, spark_few_predictions)
{
	static const gchar *const few[] = { "1", "6", "2" };
	const VrQuery q[] = {
		{ few, 3, relevant1, NULL, 5 },
		{ NULL, 0, relevant2, NULL, 3 },
	};

	cr_assert_float_eq (vr_metrics_mean (q, 2, vr_metrics_precision_at, 1), 0.5, EPS);
	cr_assert_float_eq (vr_metrics_mean (q, 2, vr_metrics_precision_at, 2), 0.25, EPS);
	cr_assert_float_eq (vr_metrics_mean (q, 2, vr_metrics_ndcg_at, 1), 0.5, EPS);
	cr_assert_float_eq (vr_metrics_mean (q, 2, vr_metrics_ndcg_at, 2), 0.30657, EPS);
	cr_assert_float_eq (vr_metrics_mean (q, 2, vr_metrics_recall_at, 1), 0.1, EPS);
	cr_assert_float_eq (vr_metrics_mean (q, 2, vr_metrics_recall_at, 2), 0.1, EPS);
}

Test (metrics, coverage)
{
	/* the first 3 of the fixture's lists: {1,6,2} ∪ {4,1,5} ∪ {1,2,3} = 6 ids of 20 */
	cr_assert_float_eq (vr_metrics_coverage (spark, 3, 3, 20), 6.0 / 20, 1e-12);
	/* every id of the lists: 1..10 */
	cr_assert_float_eq (vr_metrics_coverage (spark, 3, 50, 20), 10.0 / 20, 1e-12);
	cr_assert_float_eq (vr_metrics_coverage (spark, 0, 10, 20), 0.0, 1e-12);
	cr_assert_float_eq (vr_metrics_coverage (spark, 3, 10, 0), 0.0, 1e-12);
}

Test (metrics, perfect_and_empty)
{
	const VrQuery perfect = { relevant1, 5, relevant1, NULL, 5 };
	const VrQuery ordered = { ranked3, 5, relevant1, grades1, 5 };
	static const gchar *const backwards[] = { "5", "4", "3", "2", "1" };
	const VrQuery worst = { backwards, 5, relevant1, grades1, 5 };

	cr_assert_float_eq (vr_metrics_ndcg_at (&perfect, 10), 1.0, 1e-12);
	cr_assert_float_eq (vr_metrics_average_precision (&perfect, 0), 1.0, 1e-12);
	cr_assert_float_eq (vr_metrics_ndcg_at (&ordered, 5), 1.0, 1e-12);
	/* graded: the same set in the worst order scores below 1, binary it would not */
	cr_assert (vr_metrics_ndcg_at (&worst, 5) < 0.9);
	cr_assert_float_eq (vr_metrics_ndcg_at (&spark[2], 10), 0.0, 1e-12);
}
