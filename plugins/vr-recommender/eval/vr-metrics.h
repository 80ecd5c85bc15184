/*
 * vr-recommender offline evaluation — ranking metrics (issue 14, item 4).
 *
 * The definitions are Apache Spark MLlib's RankingMetrics (the "Evaluation Metrics - RDD-based
 * API" page, section "Ranking systems"), so that a figure here means what it means there and the
 * test can check them against Spark's published worked example (tests/test-metrics.c):
 *  - a query whose relevant set is empty scores 0 on every metric and still counts in the mean;
 *  - precision@k divides by k even when fewer than k items were ranked;
 *  - average precision divides by the number of relevant items (by min(k, relevant) when cut
 *    at k);
 *  - NDCG@k: gain 1 for a relevant item (binary), or 2^grade - 1 (graded), discount
 *    1 / log2(position + 1); the ideal ranking puts the relevant items in descending grade.
 * Item ids are strings; the relevant set must not repeat an id.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One query: a ranked list and the relevant set (with grades, or NULL for binary relevance).
 * Nothing is copied: the arrays belong to the caller. */
typedef struct {
	const gchar *const *ranked;
	guint n_ranked;
	const gchar *const *relevant;
	const gdouble *grades; /* NULL, or one grade per relevant item (>= 0) */
	guint n_relevant;
} VrQuery;

gdouble vr_metrics_precision_at (const VrQuery *q, guint k);
gdouble vr_metrics_recall_at (const VrQuery *q, guint k);
/* k = 0: the whole ranked list, divided by the number of relevant items (Spark's
 * meanAveragePrecision); k > 0: Spark's meanAveragePrecisionAt(k). */
gdouble vr_metrics_average_precision (const VrQuery *q, guint k);
/* graded when q->grades is set, binary otherwise */
gdouble vr_metrics_ndcg_at (const VrQuery *q, guint k);

typedef gdouble (*VrMetricFunc) (const VrQuery *q, guint k);

/* The mean of @metric over @n queries (0 for none). */
gdouble vr_metrics_mean (const VrQuery *queries, guint n, VrMetricFunc metric, guint k);

/* Catalog coverage: the share of the @catalog_size items that appear in the first @k of at
 * least one query's ranked list (ids outside the catalog are not told apart: the caller passes
 * lists of catalog ids). */
gdouble vr_metrics_coverage (const VrQuery *queries, guint n, guint k, guint catalog_size);

G_END_DECLS
