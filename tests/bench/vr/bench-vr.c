/*
 * Recommendation throughput of the vr-recommender, for tests/bench/vr/run.sh (issue 14).  Not a
 * test: prints recommendations (a list of 10 for one patient) per CPU second.
 *
 *   bench-vr PLUGIN.so DATA_DIR CATALOG.json SIMULATION.json REPS
 *
 * DATA_DIR is the plugin's data directory (its catalog is CATALOG.json); SIMULATION.json is
 * simulate.py's output for that catalog.  The model is the plugin's Train on every simulated
 * session; each patient's history is their sessions.  The ways, each over every patient:
 *  - recommend: the built plugin's Recommend through the SDK's test host, trained model;
 *  - recommend_cold: the same with the empty model {} (content and cold-start ranking);
 *  - score_sort: the named peer, a plain score-and-sort of the same catalog in this process: an
 *    item's score is the number of its targets among the patient's condition codes plus its
 *    share of the sessions, every item scored and the whole list sorted, the first 10 kept (no
 *    safety filter, no reasons, no diversity: the least a ranking of every item costs).
 * Output: "name value" lines, the rate being the median of REPS timed samples of CPU time (the
 * process's user + system: the machine is shared).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "vr-eval-host.h"

#define BENCH_MIN_SAMPLE_S 0.2
#define BENCH_K 10

typedef struct {
	gchar *id;
	gchar **targets;
	gdouble score;
} PeerItem;

typedef struct {
	MvTestHost *host;
	GVariant *model;
	GPtrArray *profiles;  /* GVariant a{sv} */
	GPtrArray *histories; /* GVariant aa{sv} */
	GPtrArray *codes;     /* GStrv: each patient's condition codes */
	GArray *items;	      /* PeerItem */
	GHashTable *share;    /* id -> gdouble* share of the sessions */
} Bench;

typedef gboolean (*BenchPass) (Bench *b);

static gdouble
cpu_seconds (void)
{
	struct timespec ts;

	clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (gdouble)ts.tv_sec + (gdouble)ts.tv_nsec / 1e9;
}

static gint
cmp_double (gconstpointer a, gconstpointer b)
{
	gdouble x = *(const gdouble *)a, y = *(const gdouble *)b;

	return (x > y) - (x < y);
}

static gboolean
pass_recommend_with (Bench *b, GVariant *model)
{
	for (guint i = 0; i < b->profiles->len; i++) {
		g_autoptr (GError) error = NULL;
		g_autoptr (GVariant) r = vr_eval_recommend (
			b->host, g_ptr_array_index (b->profiles, i),
			g_ptr_array_index (b->histories, i), model, BENCH_K, FALSE, &error);
		if (r == NULL) {
			fprintf (stderr, "bench-vr: Recommend: %s\n", error->message);
			return FALSE;
		}
	}
	return TRUE;
}

static gboolean
pass_recommend (Bench *b)
{
	return pass_recommend_with (b, b->model);
}

static gboolean
pass_recommend_cold (Bench *b)
{
	return pass_recommend_with (b, NULL);
}

static gint
peer_cmp (gconstpointer a, gconstpointer b)
{
	const PeerItem *x = a, *y = b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return strcmp (x->id, y->id);
}

static gboolean
pass_score_sort (Bench *b)
{
	for (guint i = 0; i < b->codes->len; i++) {
		const gchar *const *codes = g_ptr_array_index (b->codes, i);
		g_autoptr (GArray) ranked
			= g_array_sized_new (FALSE, FALSE, sizeof (PeerItem), b->items->len);
		g_auto (GStrv) top = g_new0 (gchar *, BENCH_K + 1);

		for (guint j = 0; j < b->items->len; j++) {
			PeerItem it = g_array_index (b->items, PeerItem, j);
			const gdouble *share = g_hash_table_lookup (b->share, it.id);
			it.score = share != NULL ? *share : 0.0;
			for (guint t = 0; it.targets[t] != NULL; t++)
				it.score += g_strv_contains (codes, it.targets[t]) ? 1.0 : 0.0;
			g_array_append_val (ranked, it);
		}
		g_array_sort (ranked, peer_cmp);
		for (guint j = 0; j < MIN (BENCH_K, ranked->len); j++)
			top[j] = g_strdup (g_array_index (ranked, PeerItem, j).id);
	}
	return TRUE;
}

/* recommendations per CPU second: the median of @reps samples, each whole passes */
static gdouble
bench_rate (BenchPass pass, Bench *b, guint reps)
{
	g_autofree gdouble *samples = g_new (gdouble, reps);
	gdouble start = cpu_seconds ();
	gdouble once;
	guint passes;

	if (!pass (b)) /* warms the caches and sizes the samples */
		exit (EXIT_FAILURE);
	once = MAX (cpu_seconds () - start, 1e-6);
	passes = once >= BENCH_MIN_SAMPLE_S ? 1 : (guint)ceil (BENCH_MIN_SAMPLE_S / once);
	for (guint r = 0; r < reps; r++) {
		start = cpu_seconds ();
		for (guint k = 0; k < passes; k++) {
			if (!pass (b))
				exit (EXIT_FAILURE);
		}
		samples[r] = (cpu_seconds () - start) / passes;
	}
	qsort (samples, reps, sizeof (gdouble), cmp_double);
	return b->profiles->len / samples[reps / 2];
}

static gboolean
bench_read_catalog (Bench *b, const gchar *path, GError **error)
{
	g_autoptr (JsonNode) root = vr_eval_read_json (path, error);
	JsonArray *items;

	if (root == NULL)
		return FALSE;
	items = json_object_get_array_member (json_node_get_object (root), "items");
	for (guint i = 0; i < json_array_get_length (items); i++) {
		JsonObject *o = json_array_get_object_element (items, i);
		JsonArray *targets = json_object_get_array_member (o, "targets");
		PeerItem it = { g_strdup (json_object_get_string_member (o, "id")),
				g_new0 (gchar *, json_array_get_length (targets) + 1), 0.0 };
		for (guint t = 0; t < json_array_get_length (targets); t++)
			it.targets[t] = g_strdup (json_array_get_string_element (targets, t));
		g_array_append_val (b->items, it);
	}
	return TRUE;
}

static GStrv
bench_codes (GVariant *profile)
{
	g_autoptr (GVariant) conds
		= g_variant_lookup_value (profile, "conditions", G_VARIANT_TYPE ("aa{sv}"));
	GStrvBuilder *sb = g_strv_builder_new ();
	GStrv out;

	for (gsize i = 0; conds != NULL && i < g_variant_n_children (conds); i++) {
		g_autoptr (GVariant) c = g_variant_get_child_value (conds, i);
		const gchar *code = NULL;
		if (g_variant_lookup (c, "code", "&s", &code))
			g_strv_builder_add (sb, code);
	}
	out = g_strv_builder_end (sb);
	g_strv_builder_unref (sb);
	return out;
}

/* every session trains the model and joins its patient's history */
static gboolean
bench_read_simulation (Bench *b, const gchar *path, GError **error)
{
	g_autoptr (JsonNode) root = vr_eval_read_json (path, error);
	g_autoptr (GVariant) sessions = NULL;
	g_autoptr (GHashTable) index = g_hash_table_new (g_str_hash, g_str_equal);
	g_autoptr (GPtrArray) hist
		= g_ptr_array_new_with_free_func ((GDestroyNotify)g_variant_builder_unref);
	g_autoptr (GVariant) trained = NULL;
	JsonObject *o;
	JsonArray *patients;

	if (root == NULL)
		return FALSE;
	o = json_node_get_object (root);
	patients = json_object_get_array_member (o, "patients");
	for (guint i = 0; i < json_array_get_length (patients); i++) {
		JsonObject *p = json_array_get_object_element (patients, i);
		GVariant *profile
			= vr_eval_value ("a{sv}", json_object_get_member (p, "profile"), error);
		if (profile == NULL)
			return FALSE;
		g_ptr_array_add (b->profiles, profile);
		g_ptr_array_add (b->codes, bench_codes (profile));
		g_ptr_array_add (hist, g_variant_builder_new (G_VARIANT_TYPE ("aa{sv}")));
		g_hash_table_insert (index, (gpointer)json_object_get_string_member (p, "id"),
				     GUINT_TO_POINTER (i + 1));
	}
	sessions = vr_eval_value ("aa{sv}", json_object_get_member (o, "sessions"), error);
	if (sessions == NULL)
		return FALSE;
	for (gsize i = 0; i < g_variant_n_children (sessions); i++) {
		g_autoptr (GVariant) s = g_variant_get_child_value (sessions, i);
		const gchar *pid = NULL, *content = NULL;
		gdouble *share;
		guint k;

		g_variant_lookup (s, "patient", "&s", &pid);
		g_variant_lookup (s, "content_id", "&s", &content);
		k = GPOINTER_TO_UINT (g_hash_table_lookup (index, pid));
		if (k > 0) {
			g_autoptr (GVariant) h = vr_eval_without_patient (s);
			g_variant_builder_add_value (g_ptr_array_index (hist, k - 1), h);
		}
		share = g_hash_table_lookup (b->share, content);
		if (share == NULL) {
			share = g_new0 (gdouble, 1);
			g_hash_table_insert (b->share, g_strdup (content), share);
		}
		*share += 1.0 / (gdouble)g_variant_n_children (sessions);
	}
	for (guint i = 0; i < hist->len; i++)
		g_ptr_array_add (b->histories, g_variant_ref_sink (g_variant_builder_end (
						       g_ptr_array_index (hist, i))));
	trained = mv_test_host_call (b->host, "Train",
				     g_variant_new_tuple ((GVariant *[]){ sessions }, 1), error);
	if (trained == NULL)
		return FALSE;
	b->model = g_variant_get_child_value (trained, 0);
	return TRUE;
}

int
main (int argc, char **argv)
{
	g_autoptr (GError) error = NULL;
	Bench b = { 0 };
	guint reps;

	if (argc != 6) {
		fprintf (stderr, "usage: bench-vr PLUGIN.so DATA_DIR CATALOG.json "
				 "SIMULATION.json REPS\n");
		return 2;
	}
	reps = MAX (1, (guint)atoi (argv[5]));
	b.profiles = g_ptr_array_new_with_free_func ((GDestroyNotify)g_variant_unref);
	b.histories = g_ptr_array_new_with_free_func ((GDestroyNotify)g_variant_unref);
	b.codes = g_ptr_array_new_with_free_func ((GDestroyNotify)g_strfreev);
	b.items = g_array_new (FALSE, FALSE, sizeof (PeerItem));
	b.share = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	b.host = vr_eval_host_open (argv[1], argv[2], &error);
	if (b.host == NULL || !bench_read_catalog (&b, argv[3], &error)
	    || !bench_read_simulation (&b, argv[4], &error)) {
		fprintf (stderr, "bench-vr: %s\n", error->message);
		return 1;
	}
	/* Recommend takes the model back on every call: its size is part of a call's cost */
	printf ("items %u\npatients %u\nmodel_bytes %" G_GSIZE_FORMAT "\n", b.items->len,
		b.profiles->len, g_variant_get_size (b.model));
	printf ("recommend %.1f\n", bench_rate (pass_recommend, &b, reps));
	printf ("recommend_cold %.1f\n", bench_rate (pass_recommend_cold, &b, reps));
	printf ("score_sort %.1f\n", bench_rate (pass_score_sort, &b, reps));
	return 0;
}
