/*
 * vr-recommender core — Train: the collaborative signal from a clinic's session outcomes,
 * item-item cosine similarity over implicit-feedback confidences (README, "Training"), and
 * the reader of the model it returns (Recommend's model argument).
 */
#define G_LOG_DOMAIN "vr-recommender"

#include <math.h>

#include "vr-core.h"

/* 2: each item says how many patients completed it (`patients`); a model of format 1 is
 * still read, its items with no count (never "popular") */
#define VR_MODEL_FORMAT 2
/* neighbours kept per item: enough for a 60-item catalog, bounded for 10,000 */
#define VR_NEIGHBOURS 20
/* similarity shrinkage: a pair seen by few patients counts for less (Koren 2008) */
#define VR_SHRINK 3.0

/* one session's implicit feedback: completion, rating, cybersickness (the ranking reads the
 * patient's own sessions the same way) */
gdouble
vr_session_signal (const VrSession *s)
{
	gdouble v = s->completed ? 1.0 : 0.3 * MIN (1.0, s->duration_min / 10.0);

	if (s->rating > 0)
		v += (s->rating - 3.0) / 2.0;
	if (s->sickness == 2)
		v -= 0.5;
	else if (s->sickness == 3)
		v -= 1.0;
	return v;
}

typedef struct {
	guint item;
	gdouble r;
} VrEntry;

/* per patient, the confidence of each item they used: log(1 + sum of signals), repeat use
 * adding up; an item whose signals sum to 0 or less is no evidence of liking it */
static GHashTable *
vr_confidences (GPtrArray *sessions, GHashTable *item_index, GPtrArray *item_ids)
{
	GHashTable *by_patient = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
							(GDestroyNotify)g_hash_table_unref);

	for (guint i = 0; i < sessions->len; i++) {
		const VrSession *s = g_ptr_array_index (sessions, i);
		GHashTable *items = g_hash_table_lookup (by_patient, s->patient);
		gpointer idx;
		gdouble *sum;
		if (!g_hash_table_lookup_extended (item_index, s->content_id, NULL, &idx)) {
			idx = GUINT_TO_POINTER (item_ids->len);
			g_ptr_array_add (item_ids, s->content_id);
			g_hash_table_insert (item_index, s->content_id, idx);
		}
		if (items == NULL) {
			items = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
			g_hash_table_insert (by_patient, s->patient, items);
		}
		/* [0]: the sum of the signals, [1]: completed sessions */
		sum = g_hash_table_lookup (items, idx);
		if (sum == NULL) {
			sum = g_new0 (gdouble, 2);
			g_hash_table_insert (items, idx, sum);
		}
		sum[0] += vr_session_signal (s);
		sum[1] += s->completed ? 1 : 0;
	}
	return by_patient;
}

static gint
vr_entry_cmp (gconstpointer a, gconstpointer b)
{
	const VrEntry *x = a, *y = b;

	return x->item < y->item ? -1 : x->item > y->item;
}

/* each patient's positive entries, sorted by item so the sums below run in one order */
static GPtrArray *
vr_patient_rows (GHashTable *by_patient)
{
	GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify)g_array_unref);
	g_autoptr (GList) patients
		= g_list_sort (g_hash_table_get_keys (by_patient), (GCompareFunc)g_strcmp0);

	/* patients in id order: the sums below add up in one order, whatever the sessions' */
	for (GList *l = patients; l != NULL; l = l->next) {
		GHashTable *items = g_hash_table_lookup (by_patient, l->data);
		GArray *row = g_array_new (FALSE, FALSE, sizeof (VrEntry));
		GHashTableIter jt;
		gpointer idx, sum;
		g_hash_table_iter_init (&jt, items);
		while (g_hash_table_iter_next (&jt, &idx, &sum)) {
			VrEntry e = { GPOINTER_TO_UINT (idx), log1p (*(gdouble *)sum) };
			if (*(gdouble *)sum > 0)
				g_array_append_val (row, e);
		}
		g_array_sort (row, vr_entry_cmp);
		g_ptr_array_add (rows, row);
	}
	return rows;
}

typedef struct {
	const gchar *id;
	gdouble weight;
} VrNeighbour;

static gint
vr_neighbour_cmp (gconstpointer a, gconstpointer b)
{
	const VrNeighbour *x = a, *y = b;

	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return g_strcmp0 (x->id, y->id);
}

/* per item, the patients who completed it at least once: what "popular" rests on */
static guint *
vr_completers (GHashTable *by_patient, guint n)
{
	guint *count = g_new0 (guint, n + 1);
	GHashTableIter it, jt;
	gpointer items, idx, sum;

	g_hash_table_iter_init (&it, by_patient);
	while (g_hash_table_iter_next (&it, NULL, &items)) {
		g_hash_table_iter_init (&jt, items);
		while (g_hash_table_iter_next (&jt, &idx, &sum)) {
			if (((gdouble *)sum)[1] > 0)
				count[GPOINTER_TO_UINT (idx)]++;
		}
	}
	return count;
}

static GVariant *
vr_model_item (const gchar *id, gdouble popularity, guint patients, GArray *neighbours)
{
	g_auto (GVariantBuilder) b = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
	g_auto (GVariantBuilder) nb = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("aa{sv}"));

	g_array_sort (neighbours, vr_neighbour_cmp);
	for (guint k = 0; k < MIN (neighbours->len, VR_NEIGHBOURS); k++) {
		const VrNeighbour *n = &g_array_index (neighbours, VrNeighbour, k);
		g_auto (GVariantBuilder) e = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
		g_variant_builder_add (&e, "{sv}", "id", g_variant_new_string (n->id));
		g_variant_builder_add (&e, "{sv}", "weight", g_variant_new_double (n->weight));
		g_variant_builder_add_value (&nb, g_variant_builder_end (&e));
	}
	g_variant_builder_add (&b, "{sv}", "id", g_variant_new_string (id));
	g_variant_builder_add (&b, "{sv}", "popularity", g_variant_new_double (popularity));
	g_variant_builder_add (&b, "{sv}", "patients", g_variant_new_uint32 (patients));
	g_variant_builder_add (&b, "{sv}", "neighbours", g_variant_builder_end (&nb));
	return g_variant_builder_end (&b);
}

static gint
vr_strcmp_indirect (gconstpointer a, gconstpointer b)
{
	return g_strcmp0 (*(const gchar *const *)a, *(const gchar *const *)b);
}

/* co-occurrence dot products and counts, pair by pair within each patient; each item's
 * squared norm and how many patients used it */
static GHashTable *
vr_cooccurrence (GPtrArray *rows, guint n, gdouble *norm, guint *users)
{
	GHashTable *dots = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);

	for (guint p = 0; p < rows->len; p++) {
		GArray *row = g_ptr_array_index (rows, p);
		for (guint a = 0; a < row->len; a++) {
			const VrEntry *x = &g_array_index (row, VrEntry, a);
			norm[x->item] += x->r * x->r;
			users[x->item]++;
			for (guint b = a + 1; b < row->len; b++) {
				const VrEntry *y = &g_array_index (row, VrEntry, b);
				gint64 key = (gint64)x->item * n + y->item;
				gdouble *d = g_hash_table_lookup (dots, &key);
				if (d == NULL) {
					d = g_new0 (gdouble, 2);
					g_hash_table_insert (dots, g_memdup2 (&key, sizeof key), d);
				}
				d[0] += x->r * y->r;
				d[1] += 1;
			}
		}
	}
	return dots;
}

/* per item, its neighbours with the shrunk cosine weight */
static GPtrArray *
vr_neighbour_lists (GHashTable *dots, guint n, const gdouble *norm, GPtrArray *ids)
{
	GPtrArray *lists = g_ptr_array_new_with_free_func ((GDestroyNotify)g_array_unref);
	GHashTableIter it;
	gpointer key, val;

	for (guint i = 0; i < n; i++)
		g_ptr_array_add (lists, g_array_new (FALSE, FALSE, sizeof (VrNeighbour)));
	g_hash_table_iter_init (&it, dots);
	while (g_hash_table_iter_next (&it, &key, &val)) {
		guint i = *(gint64 *)key / n, j = *(gint64 *)key % n;
		const gdouble *d = val;
		gdouble w = MIN (1.0, d[0] / sqrt (norm[i] * norm[j])) * d[1] / (d[1] + VR_SHRINK);
		VrNeighbour ni = { g_ptr_array_index (ids, j), w };
		VrNeighbour nj = { g_ptr_array_index (ids, i), w };
		g_array_append_val (g_ptr_array_index (lists, i), ni);
		g_array_append_val (g_ptr_array_index (lists, j), nj);
	}
	return lists;
}

GVariant *
vr_train (GPtrArray *sessions)
{
	g_autoptr (GHashTable) index = g_hash_table_new (g_str_hash, g_str_equal);
	g_autoptr (GPtrArray) ids = g_ptr_array_new ();
	g_autoptr (GHashTable) by_patient = vr_confidences (sessions, index, ids);
	g_autoptr (GPtrArray) rows = vr_patient_rows (by_patient);
	guint n = ids->len;
	g_autofree gdouble *norm = g_new0 (gdouble, n + 1);
	g_autofree guint *users = g_new0 (guint, n + 1);
	g_autoptr (GHashTable) dots = vr_cooccurrence (rows, n, norm, users);
	g_autoptr (GPtrArray) lists = vr_neighbour_lists (dots, n, norm, ids);
	g_autofree guint *completers = vr_completers (by_patient, n);
	g_autoptr (GPtrArray) by_id = g_ptr_array_copy (ids, NULL, NULL);
	g_auto (GVariantBuilder) items = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("aa{sv}"));
	g_auto (GVariantBuilder) model = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);

	/* items in id order, neighbours by weight then id: the same sessions in any order give
	 * the same model */
	g_ptr_array_sort (by_id, vr_strcmp_indirect);
	for (guint k = 0; k < n; k++) {
		const gchar *id = g_ptr_array_index (by_id, k);
		guint i = GPOINTER_TO_UINT (g_hash_table_lookup (index, id));
		gdouble pop = rows->len > 0 ? (gdouble)users[i] / rows->len : 0;
		g_variant_builder_add_value (&items, vr_model_item (id, pop, completers[i],
								    g_ptr_array_index (lists, i)));
	}
	g_variant_builder_add (&model, "{sv}", "format", g_variant_new_uint32 (VR_MODEL_FORMAT));
	g_variant_builder_add (&model, "{sv}", "trained_on", g_variant_new_uint32 (sessions->len));
	g_variant_builder_add (&model, "{sv}", "items", g_variant_builder_end (&items));
	return g_variant_builder_end (&model);
}

void
vr_model_free (VrModel *m)
{
	if (m == NULL)
		return;
	g_hash_table_unref (m->items);
	g_free (m);
}

static void
vr_model_item_free (VrModelItem *mi)
{
	g_hash_table_unref (mi->neighbours);
	g_free (mi);
}

static gboolean
vr_unit_number (
	JsonObject *obj, const gchar *path, const gchar *name, gdouble *out, GPtrArray *problems)
{
	if (!vr_json_number (obj, path, name, TRUE, out, problems))
		return FALSE;
	if (*out < 0 || *out > 1.0 + 1e-9) {
		g_autofree gchar *field = g_strdup_printf ("%s/%s", path, name);
		vr_problem_add (problems, field, "out-of-range", "is out of range (0 to 1)",
				"超出范围（0 至 1）");
		return FALSE;
	}
	return TRUE;
}

static VrModelItem *
vr_model_item_read (JsonObject *obj, const gchar *path, guint format, GPtrArray *problems)
{
	static const gchar *const members[]
		= { "id", "popularity", "patients", "neighbours", NULL };
	static const gchar *const n_members[] = { "id", "weight", NULL };
	VrModelItem *mi = g_new0 (VrModelItem, 1);
	JsonArray *list;

	mi->neighbours = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	vr_json_check_members (obj, path, members, problems);
	vr_unit_number (obj, path, "popularity", &mi->popularity, problems);
	/* format 1 had no count; format 2 always has one */
	vr_json_uint (obj, path, "patients", format >= 2, G_MAXUINT32, &mi->patients, problems);
	list = vr_json_array (obj, path, "neighbours", TRUE, problems);
	for (guint i = 0; list != NULL && i < json_array_get_length (list); i++) {
		g_autofree gchar *sub = g_strdup_printf ("%s/neighbours/%u", path, i);
		JsonObject *n = vr_json_object_at (json_array_get_element (list, i), sub, problems);
		const gchar *id;
		gdouble w = 0;
		if (n == NULL)
			continue;
		vr_json_check_members (n, sub, n_members, problems);
		id = vr_json_string (n, sub, "id", TRUE, problems);
		if (vr_unit_number (n, sub, "weight", &w, problems) && id != NULL)
			g_hash_table_insert (mi->neighbours, g_strdup (id),
					     g_memdup2 (&w, sizeof w));
	}
	return mi;
}

VrModel *
vr_model_read (JsonNode *node, GPtrArray *problems)
{
	static const gchar *const members[] = { "format", "trained_on", "items", NULL };
	g_autoptr (VrModel) m = g_new0 (VrModel, 1);
	guint before = problems->len;
	JsonObject *obj = vr_json_object_at (node, "/model", problems);
	JsonArray *list;
	guint format = 0;

	m->items = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
					  (GDestroyNotify)vr_model_item_free);
	if (obj == NULL)
		return NULL;
	/* {}: no model yet, every patient and item is a cold start */
	if (json_object_get_size (obj) == 0)
		return g_steal_pointer (&m);
	vr_json_check_members (obj, "/model", members, problems);
	if (vr_json_uint (obj, "/model", "format", TRUE, G_MAXUINT32, &format, problems)
	    && (format < 1 || format > VR_MODEL_FORMAT))
		vr_problem_add (problems, "/model/format", "not-allowed", "must be 1 or 2",
				"须为 1 或 2");
	vr_json_uint (obj, "/model", "trained_on", TRUE, G_MAXUINT32, &m->trained_on, problems);
	list = vr_json_array (obj, "/model", "items", TRUE, problems);
	for (guint i = 0; list != NULL && i < json_array_get_length (list); i++) {
		g_autofree gchar *sub = g_strdup_printf ("/model/items/%u", i);
		JsonObject *o = vr_json_object_at (json_array_get_element (list, i), sub, problems);
		const gchar *id = o != NULL ? vr_json_string (o, sub, "id", TRUE, problems) : NULL;
		VrModelItem *mi = o != NULL ? vr_model_item_read (o, sub, format, problems) : NULL;
		if (mi != NULL && id != NULL)
			g_hash_table_replace (m->items, g_strdup (id), mi);
		else if (mi != NULL)
			vr_model_item_free (mi);
	}
	return problems->len == before ? g_steal_pointer (&m) : NULL;
}

/*
 * The model read straight from the GVariant the call carries, without its JSON form: a model
 * of a 10,000-item catalog holds 200,000 neighbours, and Recommend reads it on every call.
 * Any shape it does not expect (a wrong type, an unknown member, a value out of range) gives
 * NULL, and the caller reads the JSON form with vr_model_read, which names every problem.
 */
static GVariant *
vr_unbox (GVariant *v)
{
	while (g_variant_is_of_type (v, G_VARIANT_TYPE_VARIANT)) {
		GVariant *inner = g_variant_get_variant (v);
		g_variant_unref (v);
		v = inner;
	}
	return v;
}

static gboolean
vr_variant_unit (GVariant *v, gdouble *out)
{
	if (g_variant_is_of_type (v, G_VARIANT_TYPE_DOUBLE))
		*out = g_variant_get_double (v);
	else if (g_variant_is_of_type (v, G_VARIANT_TYPE_INT64))
		*out = (gdouble)g_variant_get_int64 (v);
	else
		return FALSE;
	return *out >= 0 && *out <= 1.0 + 1e-9;
}

static gboolean
vr_variant_uint (GVariant *v, guint *out)
{
	if (g_variant_is_of_type (v, G_VARIANT_TYPE_UINT32))
		*out = g_variant_get_uint32 (v);
	else if (g_variant_is_of_type (v, G_VARIANT_TYPE_INT64) && g_variant_get_int64 (v) >= 0
		 && g_variant_get_int64 (v) <= G_MAXUINT32)
		*out = (guint)g_variant_get_int64 (v);
	else
		return FALSE;
	return TRUE;
}

/* {id, weight} or {id, popularity, patients?, neighbours}: fills @id and @number; @list and
 * @patients when given (@patients required in a model of format 2) */
static gboolean
vr_variant_entry (GVariant *dict,
		  const gchar *number,
		  const gchar **id,
		  gdouble *value,
		  GVariant **list,
		  guint *patients)
{
	guint seen = 0, counted = 0;

	if (!g_variant_is_of_type (dict, G_VARIANT_TYPE_VARDICT))
		return FALSE;
	for (gsize k = 0; k < g_variant_n_children (dict); k++) {
		g_autoptr (GVariant) entry = g_variant_get_child_value (dict, k);
		g_autoptr (GVariant) kv = g_variant_get_child_value (entry, 0);
		const gchar *key = g_variant_get_string (kv, NULL);
		GVariant *v = vr_unbox (g_variant_get_child_value (entry, 1));
		gboolean ok = FALSE;
		if (g_str_equal (key, "id") && g_variant_is_of_type (v, G_VARIANT_TYPE_STRING)) {
			*id = g_variant_get_string (v, NULL); /* owned by @dict */
			ok = TRUE;
		} else if (g_str_equal (key, number)) {
			ok = vr_variant_unit (v, value);
		} else if (list != NULL && g_str_equal (key, "neighbours")
			   && g_variant_is_container (v)) {
			*list = g_variant_ref (v);
			ok = TRUE;
		} else if (patients != NULL && g_str_equal (key, "patients")) {
			ok = vr_variant_uint (v, patients);
			counted++;
		}
		g_variant_unref (v);
		if (!ok)
			return FALSE;
		seen++;
	}
	return seen == (list != NULL ? 3u : 2u) + counted;
}

static VrModelItem *
vr_model_item_from_variant (GVariant *dict, GHashTable *wanted, guint format, const gchar **id)
{
	g_autoptr (GVariant) list = NULL;
	VrModelItem *mi = g_new0 (VrModelItem, 1);
	gboolean ok;

	mi->neighbours = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	/* a count of G_MAXUINT means none was given: wrong in format 2 */
	mi->patients = G_MAXUINT;
	ok = vr_variant_entry (dict, "popularity", id, &mi->popularity, &list, &mi->patients);
	if (mi->patients == G_MAXUINT) {
		ok = ok && format < 2;
		mi->patients = 0;
	}
	/* only the neighbours of the patient's own items are ever read (vr-rank.c) */
	if (ok && wanted != NULL && !g_hash_table_contains (wanted, *id))
		return mi;
	for (gsize i = 0; ok && i < g_variant_n_children (list); i++) {
		g_autoptr (GVariant) n = vr_unbox (g_variant_get_child_value (list, i));
		const gchar *nid = NULL;
		gdouble w = 0;
		ok = vr_variant_entry (n, "weight", &nid, &w, NULL, NULL);
		if (ok)
			g_hash_table_insert (mi->neighbours, g_strdup (nid),
					     g_memdup2 (&w, sizeof w));
	}
	if (!ok) {
		vr_model_item_free (mi);
		return NULL;
	}
	return mi;
}

static gboolean
vr_model_items_from_variant (VrModel *m, GVariant *list, GHashTable *wanted, guint format)
{
	if (!g_variant_is_container (list) || g_variant_is_of_type (list, G_VARIANT_TYPE_VARDICT))
		return FALSE;
	for (gsize i = 0; i < g_variant_n_children (list); i++) {
		g_autoptr (GVariant) dict = vr_unbox (g_variant_get_child_value (list, i));
		const gchar *id = NULL;
		VrModelItem *mi = vr_model_item_from_variant (dict, wanted, format, &id);
		if (mi == NULL)
			return FALSE;
		g_hash_table_replace (m->items, g_strdup (id), mi);
	}
	return TRUE;
}

VrModel *
vr_model_from_variant (GVariant *model, GHashTable *wanted)
{
	g_autoptr (VrModel) m = g_new0 (VrModel, 1);
	GVariantIter it;
	const gchar *key;
	GVariant *v;
	guint format = 0, seen = 0;

	m->items = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
					  (GDestroyNotify)vr_model_item_free);
	if (!g_variant_is_of_type (model, G_VARIANT_TYPE_VARDICT))
		return NULL;
	if (g_variant_n_children (model) == 0)
		return g_steal_pointer (&m);
	/* the format first: it says whether the items carry their patients */
	v = g_variant_lookup_value (model, "format", NULL);
	if (v == NULL)
		return NULL;
	v = vr_unbox (v);
	if (!vr_variant_uint (v, &format) || format < 1 || format > VR_MODEL_FORMAT) {
		g_variant_unref (v);
		return NULL;
	}
	g_variant_unref (v);
	g_variant_iter_init (&it, model);
	while (g_variant_iter_next (&it, "{&sv}", &key, &v)) {
		gboolean ok = FALSE;
		v = vr_unbox (v);
		if (g_str_equal (key, "format"))
			ok = TRUE;
		else if (g_str_equal (key, "trained_on"))
			ok = vr_variant_uint (v, &m->trained_on);
		else if (g_str_equal (key, "items"))
			ok = vr_model_items_from_variant (m, v, wanted, format);
		g_variant_unref (v);
		if (!ok)
			return NULL;
		seen++;
	}
	return seen == 3 ? g_steal_pointer (&m) : NULL;
}
