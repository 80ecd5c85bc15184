/*
 * vr-recommender offline evaluation — ranking metrics; the definitions are in vr-metrics.h.
 */
#include "vr-metrics.h"

#include <math.h>
#include <stdlib.h>

/* the index of @id in the relevant set, or -1; the sets are small (a patient's held-out
 * sessions), so a scan beats building a hash table per query */
static gint
relevant_index (const VrQuery *q, const gchar *id)
{
	for (guint i = 0; i < q->n_relevant; i++) {
		if (g_strcmp0 (q->relevant[i], id) == 0)
			return (gint)i;
	}
	return -1;
}

static guint
hits_at (const VrQuery *q, guint k)
{
	guint hits = 0;
	guint n = MIN (k, q->n_ranked);

	for (guint i = 0; i < n; i++) {
		if (relevant_index (q, q->ranked[i]) >= 0)
			hits++;
	}
	return hits;
}

gdouble
vr_metrics_precision_at (const VrQuery *q, guint k)
{
	g_return_val_if_fail (k > 0, 0.0);
	if (q->n_relevant == 0)
		return 0.0;
	return (gdouble)hits_at (q, k) / k;
}

gdouble
vr_metrics_recall_at (const VrQuery *q, guint k)
{
	g_return_val_if_fail (k > 0, 0.0);
	if (q->n_relevant == 0)
		return 0.0;
	return (gdouble)hits_at (q, k) / q->n_relevant;
}

gdouble
vr_metrics_average_precision (const VrQuery *q, guint k)
{
	guint n = k == 0 ? q->n_ranked : MIN (k, q->n_ranked);
	guint hits = 0;
	gdouble sum = 0.0;

	if (q->n_relevant == 0)
		return 0.0;
	for (guint i = 0; i < n; i++) {
		if (relevant_index (q, q->ranked[i]) >= 0) {
			hits++;
			sum += (gdouble)hits / (i + 1);
		}
	}
	return sum / (k == 0 ? q->n_relevant : MIN (k, q->n_relevant));
}

static gdouble
gain (const VrQuery *q, gint index)
{
	if (index < 0)
		return 0.0;
	return q->grades == NULL ? 1.0 : pow (2.0, q->grades[index]) - 1.0;
}

static gint
grade_descending (gconstpointer a, gconstpointer b)
{
	gdouble x = *(const gdouble *)a, y = *(const gdouble *)b;

	return (x < y) - (x > y);
}

gdouble
vr_metrics_ndcg_at (const VrQuery *q, guint k)
{
	g_autofree gdouble *ideal = NULL;
	gdouble dcg = 0.0, idcg = 0.0;

	g_return_val_if_fail (k > 0, 0.0);
	if (q->n_relevant == 0)
		return 0.0;
	for (guint i = 0; i < MIN (k, q->n_ranked); i++)
		dcg += gain (q, relevant_index (q, q->ranked[i])) / log2 (i + 2.0);
	/* the ideal list: every relevant item, the highest grades first */
	ideal = g_new (gdouble, q->n_relevant);
	for (guint i = 0; i < q->n_relevant; i++)
		ideal[i] = gain (q, (gint)i);
	qsort (ideal, q->n_relevant, sizeof (gdouble), grade_descending);
	for (guint i = 0; i < MIN (k, q->n_relevant); i++)
		idcg += ideal[i] / log2 (i + 2.0);
	return idcg > 0.0 ? dcg / idcg : 0.0;
}

gdouble
vr_metrics_mean (const VrQuery *queries, guint n, VrMetricFunc metric, guint k)
{
	gdouble sum = 0.0;

	if (n == 0)
		return 0.0;
	for (guint i = 0; i < n; i++)
		sum += metric (&queries[i], k);
	return sum / n;
}

gdouble
vr_metrics_coverage (const VrQuery *queries, guint n, guint k, guint catalog_size)
{
	g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

	if (catalog_size == 0)
		return 0.0;
	for (guint i = 0; i < n; i++) {
		for (guint j = 0; j < MIN (k, queries[i].n_ranked); j++)
			g_hash_table_add (seen, (gpointer)queries[i].ranked[j]);
	}
	return MIN (1.0, (gdouble)g_hash_table_size (seen) / catalog_size);
}
