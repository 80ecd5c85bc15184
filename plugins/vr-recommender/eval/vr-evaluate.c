/*
 * vr-evaluate: the VR recommender's offline evaluation on a simulated clinic (issue 14, item 4).
 *
 *   vr-evaluate PLUGIN.so DATA_DIR SIMULATION.json
 *
 * SIMULATION.json is simulate.py's output.  Sessions dated before its `split` train the model
 * (the plugin's Train); each patient's sessions from `split` on are held out.  A held-out item is
 * relevant when a held-out session of it was completed with a rating of 4 or 5 (graded: the best
 * such rating minus 3, so 1 or 2).  Only patients with at least one relevant held-out item are
 * ranked (the others would score 0 under every ranking).  Four rankings of 10 items each:
 *  - recommender: Recommend with the trained model and the patient's training sessions;
 *  - content-only: the same call with the empty model {} (the recommender's own content and
 *    cold-start ranking, no collaborative signal);
 *  - popularity: the items the recommender's safety filter lets through for this patient
 *    (the catalog minus Recommend's `excluded`), by their number of completed training
 *    sessions, ties by id;
 *  - random: the same safe items in a seeded random order (a floor).
 * Output: Markdown tables (binary NDCG@10 is the headline, as Spark computes it; graded NDCG@10,
 * precision@10, recall@10, MAP@10, catalog coverage@10) for every relevant item and for the
 * items new to the patient, then the ratios the issue sets a goal for.  README.md explains.
 */
#include <stdio.h>
#include <stdlib.h>

#include "vr-eval-host.h"
#include "vr-metrics.h"

#define EVAL_K 10

typedef struct {
	gchar *id;
	GVariant *profile;
	GPtrArray *history;   /* GVariant a{sv}, training sessions without `patient` */
	GHashTable *relevant; /* id -> GINT_TO_POINTER (best rating - 3) */
	GHashTable *seen;     /* ids of the training sessions */
} EvalPatient;

static void
eval_patient_free (EvalPatient *p)
{
	g_free (p->id);
	g_clear_pointer (&p->profile, g_variant_unref);
	g_ptr_array_unref (p->history);
	g_hash_table_unref (p->relevant);
	g_hash_table_unref (p->seen);
	g_free (p);
}

enum { R_RECOMMENDER, R_CONTENT, R_POPULARITY, R_RANDOM, R_LAST };
static const gchar *const ranker_names[]
	= { "recommender (trained model)", "content-only (empty model)",
	    "popularity (safe items by training completions)", "random (safe items)" };

typedef struct {
	MvTestHost *host;
	gchar **catalog;
	gchar *split;
	GPtrArray *patients;	/* EvalPatient*, in the file's order */
	GHashTable *by_id;	/* id -> EvalPatient* */
	GPtrArray *train;	/* GVariant a{sv} */
	GHashTable *popularity; /* id -> completed training sessions */
	GVariant *model;
	GPtrArray *ranked[R_LAST];  /* gchar** per ranked patient */
	GPtrArray *ranked_patients; /* EvalPatient* (borrowed), same order */
} Eval;

static gboolean
eval_read_patients (Eval *e, JsonObject *root, GError **error)
{
	JsonArray *list = json_object_get_array_member (root, "patients");

	for (guint i = 0; i < json_array_get_length (list); i++) {
		JsonObject *o = json_array_get_object_element (list, i);
		EvalPatient *p = g_new0 (EvalPatient, 1);

		p->id = g_strdup (json_object_get_string_member (o, "id"));
		p->history = g_ptr_array_new_with_free_func ((GDestroyNotify)g_variant_unref);
		p->relevant = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
		p->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
		g_ptr_array_add (e->patients, p);
		g_hash_table_insert (e->by_id, p->id, p);
		p->profile = vr_eval_value ("a{sv}", json_object_get_member (o, "profile"), error);
		if (p->profile == NULL)
			return FALSE;
	}
	return TRUE;
}

static void
eval_add_session (Eval *e, EvalPatient *p, GVariant *s)
{
	const gchar *content = NULL, *date = NULL;
	gboolean completed = FALSE;
	gdouble rating = 0.0;

	g_variant_lookup (s, "content_id", "&s", &content);
	g_variant_lookup (s, "date", "&s", &date);
	g_variant_lookup (s, "completed", "b", &completed);
	g_variant_lookup (s, "rating", "d", &rating);
	if (g_strcmp0 (date, e->split) < 0) {
		g_ptr_array_add (e->train, g_variant_ref (s));
		g_ptr_array_add (p->history, vr_eval_without_patient (s));
		g_hash_table_add (p->seen, g_strdup (content));
		if (completed) {
			guint n = GPOINTER_TO_UINT (g_hash_table_lookup (e->popularity, content));
			g_hash_table_insert (e->popularity, g_strdup (content),
					     GUINT_TO_POINTER (n + 1));
		}
	} else if (completed && rating >= 4.0) {
		gint grade = (gint)rating - 3;
		gint old = GPOINTER_TO_INT (g_hash_table_lookup (p->relevant, content));
		g_hash_table_insert (p->relevant, g_strdup (content),
				     GINT_TO_POINTER (MAX (old, grade)));
	}
}

static gboolean
eval_read_sessions (Eval *e, JsonObject *root, GError **error)
{
	JsonArray *list = json_object_get_array_member (root, "sessions");

	for (guint i = 0; i < json_array_get_length (list); i++) {
		g_autoptr (GVariant) s
			= vr_eval_value ("a{sv}", json_array_get_element (list, i), error);
		const gchar *pid = NULL;
		EvalPatient *p;

		if (s == NULL)
			return FALSE;
		g_variant_lookup (s, "patient", "&s", &pid);
		p = pid != NULL ? g_hash_table_lookup (e->by_id, pid) : NULL;
		if (p == NULL) {
			g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
				     "sessions[%u]: no such patient in the simulation", i);
			return FALSE;
		}
		eval_add_session (e, p, s);
	}
	return TRUE;
}

static gboolean
eval_train (Eval *e, GError **error)
{
	GVariant *sessions = g_variant_new_array (G_VARIANT_TYPE_VARDICT,
						  (GVariant **)e->train->pdata, e->train->len);
	g_autoptr (GVariant) out
		= mv_test_host_call (e->host, "Train", g_variant_new_tuple (&sessions, 1), error);

	if (out == NULL)
		return FALSE;
	e->model = g_variant_get_child_value (out, 0);
	return TRUE;
}

/* the safe items ranked by training completions, ties by id */
static gint
eval_popularity_cmp (gconstpointer a, gconstpointer b, gpointer data)
{
	const gchar *x = *(const gchar *const *)a, *y = *(const gchar *const *)b;
	guint px = GPOINTER_TO_UINT (g_hash_table_lookup (data, x));
	guint py = GPOINTER_TO_UINT (g_hash_table_lookup (data, y));

	if (px != py)
		return px > py ? -1 : 1;
	return strcmp (x, y);
}

static GPtrArray *
eval_safe_items (Eval *e, gchar **excluded)
{
	GPtrArray *safe = g_ptr_array_new_with_free_func (g_free);

	for (guint i = 0; e->catalog[i] != NULL; i++) {
		if (!g_strv_contains ((const gchar *const *)excluded, e->catalog[i]))
			g_ptr_array_add (safe, g_strdup (e->catalog[i]));
	}
	return safe;
}

static gchar **
eval_first_k (GPtrArray *ids)
{
	GStrvBuilder *b = g_strv_builder_new ();
	gchar **out;

	for (guint i = 0; i < MIN (EVAL_K, ids->len); i++)
		g_strv_builder_add (b, g_ptr_array_index (ids, i));
	out = g_strv_builder_end (b);
	g_strv_builder_unref (b);
	return out;
}

static gboolean
eval_rank_patient (Eval *e, EvalPatient *p, guint index, GError **error)
{
	GVariant *history = g_variant_ref_sink (g_variant_new_array (
		G_VARIANT_TYPE_VARDICT, (GVariant **)p->history->pdata, p->history->len));
	g_autoptr (GVariant) rec
		= vr_eval_recommend (e->host, p->profile, history, e->model, EVAL_K, TRUE, error);
	g_autoptr (GVariant) content = NULL;
	g_auto (GStrv) excluded = NULL;
	g_autoptr (GPtrArray) safe = NULL;
	g_autoptr (GRand) rand = g_rand_new_with_seed (index + 1);

	if (rec != NULL)
		content = vr_eval_recommend (e->host, p->profile, history, NULL, EVAL_K, FALSE,
					     error);
	g_variant_unref (history);
	if (content == NULL)
		return FALSE;
	excluded = vr_eval_result_ids (rec, TRUE);
	safe = eval_safe_items (e, excluded);
	g_ptr_array_add (e->ranked[R_RECOMMENDER], vr_eval_result_ids (rec, FALSE));
	g_ptr_array_add (e->ranked[R_CONTENT], vr_eval_result_ids (content, FALSE));
	g_ptr_array_sort_with_data (safe, eval_popularity_cmp, e->popularity);
	g_ptr_array_add (e->ranked[R_POPULARITY], eval_first_k (safe));
	for (guint i = safe->len; i > 1; i--) {
		guint j = (guint)g_rand_int_range (rand, 0, (gint32)i);
		gpointer t = safe->pdata[i - 1];
		safe->pdata[i - 1] = safe->pdata[j];
		safe->pdata[j] = t;
	}
	g_ptr_array_add (e->ranked[R_RANDOM], eval_first_k (safe));
	g_ptr_array_add (e->ranked_patients, p);
	return TRUE;
}

/* The queries of one ranking: relevant = every relevant held-out item, or (@new_only) those
 * the patient had no training session of; patients left with none are skipped.  The id and
 * grade arrays live in @store. */
static GArray *
eval_queries (Eval *e, guint ranker, gboolean new_only, GPtrArray *store)
{
	GArray *queries = g_array_new (FALSE, TRUE, sizeof (VrQuery));

	for (guint i = 0; i < e->ranked_patients->len; i++) {
		EvalPatient *p = g_ptr_array_index (e->ranked_patients, i);
		gchar **ranked = g_ptr_array_index (e->ranked[ranker], i);
		GPtrArray *ids = g_ptr_array_new ();
		GArray *grades = g_array_new (FALSE, FALSE, sizeof (gdouble));
		GHashTableIter iter;
		gpointer id, grade;
		VrQuery q = { 0 };

		g_hash_table_iter_init (&iter, p->relevant);
		while (g_hash_table_iter_next (&iter, &id, &grade)) {
			gdouble g = GPOINTER_TO_INT (grade);
			if (new_only && g_hash_table_contains (p->seen, id))
				continue;
			g_ptr_array_add (ids, id);
			g_array_append_val (grades, g);
		}
		g_ptr_array_add (store, ids);
		g_ptr_array_add (store, grades);
		if (ids->len == 0)
			continue;
		q.ranked = (const gchar *const *)ranked;
		q.n_ranked = g_strv_length (ranked);
		q.relevant = (const gchar *const *)ids->pdata;
		q.grades = (const gdouble *)(gpointer)grades->data;
		q.n_relevant = ids->len;
		g_array_append_val (queries, q);
	}
	return queries;
}

static gdouble
eval_graded_ndcg (const VrQuery *q, guint k)
{
	return vr_metrics_ndcg_at (q, k);
}

static gdouble
eval_binary_ndcg (const VrQuery *q, guint k)
{
	VrQuery binary = *q;

	binary.grades = NULL;
	return vr_metrics_ndcg_at (&binary, k);
}

/* one table; @ndcg_out: each ranking's binary NDCG@10 */
static void
eval_table (Eval *e, gboolean new_only, gdouble *ndcg_out)
{
	guint n_catalog = g_strv_length (e->catalog);

	printf ("| ranking | patients | NDCG@10 | graded NDCG@10 | precision@10 | recall@10 | "
		"MAP@10 | catalog coverage@10 |\n|---|---|---|---|---|---|---|---|\n");
	for (guint r = 0; r < R_LAST; r++) {
		g_autoptr (GPtrArray) store = g_ptr_array_new ();
		g_autoptr (GArray) qs = eval_queries (e, r, new_only, store);
		const VrQuery *q = (const VrQuery *)(gpointer)qs->data;
		guint n = qs->len;

		ndcg_out[r] = vr_metrics_mean (q, n, eval_binary_ndcg, EVAL_K);
		printf ("| %s | %u | %.4f | %.4f | %.4f | %.4f | %.4f | %.3f |\n", ranker_names[r],
			n, ndcg_out[r], vr_metrics_mean (q, n, eval_graded_ndcg, EVAL_K),
			vr_metrics_mean (q, n, vr_metrics_precision_at, EVAL_K),
			vr_metrics_mean (q, n, vr_metrics_recall_at, EVAL_K),
			vr_metrics_mean (q, n, vr_metrics_average_precision, EVAL_K),
			vr_metrics_coverage (q, n, EVAL_K, n_catalog));
		for (guint i = 0; i < store->len; i += 2) {
			g_ptr_array_unref (g_ptr_array_index (store, i));
			g_array_unref (g_ptr_array_index (store, i + 1));
		}
	}
}

static gboolean
eval_load (Eval *e, const gchar *path, GError **error)
{
	g_autoptr (JsonNode) root = vr_eval_read_json (path, error);
	JsonObject *o;

	if (root == NULL)
		return FALSE;
	o = json_node_get_object (root);
	e->split = g_strdup (json_object_get_string_member (o, "split"));
	return eval_read_patients (e, o, error) && eval_read_sessions (e, o, error);
}

/* how many relevant held-out items (patient, item) there are, and how many of them the
 * patient had done in training: a ranking that lowers what was done before pays for these */
static void
eval_count_repeats (Eval *e, guint *relevant, guint *repeats)
{
	*relevant = *repeats = 0;
	for (guint i = 0; i < e->ranked_patients->len; i++) {
		EvalPatient *p = g_ptr_array_index (e->ranked_patients, i);
		GHashTableIter iter;
		gpointer id;

		g_hash_table_iter_init (&iter, p->relevant);
		while (g_hash_table_iter_next (&iter, &id, NULL)) {
			(*relevant)++;
			*repeats += g_hash_table_contains (p->seen, id);
		}
	}
}

static void
eval_report (Eval *e)
{
	gdouble all[R_LAST], fresh[R_LAST];
	gdouble ratio;
	guint relevant, repeats;

	printf ("Held out: every session from %s on; trained on %u sessions of %u patients; "
		"%u patients with a relevant held-out item ranked; catalog of %u items.\n\n",
		e->split, e->train->len, e->patients->len, e->ranked_patients->len,
		g_strv_length (e->catalog));
	eval_count_repeats (e, &relevant, &repeats);
	printf ("Relevant held-out items: %u, of which %u (%.0f %%) the patient had done before "
		"the split.\n\n",
		relevant, repeats, relevant > 0 ? 100.0 * repeats / relevant : 0.0);
	printf ("Every relevant held-out item (completed, rated 4 or 5):\n\n");
	eval_table (e, FALSE, all);
	printf ("\nOnly the relevant items new to the patient (no training session of them):\n\n");
	eval_table (e, TRUE, fresh);
	ratio = all[R_POPULARITY] > 0 ? all[R_RECOMMENDER] / all[R_POPULARITY] : 0.0;
	printf ("\nNDCG@10 recommender / popularity: %.3f (goal >= 1.20: %s); recommender / "
		"content-only: %.3f; new items only: %.3f and %.3f.\n",
		ratio, ratio >= 1.20 ? "met" : "NOT met",
		all[R_CONTENT] > 0 ? all[R_RECOMMENDER] / all[R_CONTENT] : 0.0,
		fresh[R_POPULARITY] > 0 ? fresh[R_RECOMMENDER] / fresh[R_POPULARITY] : 0.0,
		fresh[R_CONTENT] > 0 ? fresh[R_RECOMMENDER] / fresh[R_CONTENT] : 0.0);
}

static gboolean
eval_run (Eval *e, char **argv, GError **error)
{
	e->host = vr_eval_host_open (argv[1], argv[2], error);
	if (e->host == NULL || (e->catalog = vr_eval_catalog_ids (e->host, error)) == NULL
	    || !eval_load (e, argv[3], error) || !eval_train (e, error))
		return FALSE;
	for (guint i = 0; i < e->patients->len; i++) {
		EvalPatient *p = g_ptr_array_index (e->patients, i);
		if (g_hash_table_size (p->relevant) > 0 && !eval_rank_patient (e, p, i, error))
			return FALSE;
	}
	eval_report (e);
	return TRUE;
}

static void
eval_clear (Eval *e)
{
	g_clear_pointer (&e->host, mv_test_host_free);
	g_clear_pointer (&e->catalog, g_strfreev);
	g_clear_pointer (&e->split, g_free);
	g_clear_pointer (&e->by_id, g_hash_table_unref);
	g_clear_pointer (&e->patients, g_ptr_array_unref);
	g_clear_pointer (&e->train, g_ptr_array_unref);
	g_clear_pointer (&e->popularity, g_hash_table_unref);
	g_clear_pointer (&e->model, g_variant_unref);
	g_clear_pointer (&e->ranked_patients, g_ptr_array_unref);
	for (guint r = 0; r < R_LAST; r++)
		g_clear_pointer (&e->ranked[r], g_ptr_array_unref);
}

int
main (int argc, char **argv)
{
	g_autoptr (GError) error = NULL;
	Eval e = { 0 };

	if (argc != 4) {
		fprintf (stderr, "usage: vr-evaluate PLUGIN.so DATA_DIR SIMULATION.json\n");
		return 2;
	}
	e.patients = g_ptr_array_new_with_free_func ((GDestroyNotify)eval_patient_free);
	e.by_id = g_hash_table_new (g_str_hash, g_str_equal);
	e.train = g_ptr_array_new_with_free_func ((GDestroyNotify)g_variant_unref);
	e.popularity = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	e.ranked_patients = g_ptr_array_new ();
	for (guint r = 0; r < R_LAST; r++)
		e.ranked[r] = g_ptr_array_new_with_free_func ((GDestroyNotify)g_strfreev);
	if (!eval_run (&e, argv, &error)) {
		fprintf (stderr, "vr-evaluate: %s\n", error->message);
		eval_clear (&e);
		return 1;
	}
	eval_clear (&e);
	return 0;
}
