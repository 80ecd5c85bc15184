/*
 * risk-scorer plugin — the thin SDK wrapper around the core (rs-model.h, rs-score.h): loads
 * every model file of its models directories at init and scores inputs against them.
 */
#define G_LOG_DOMAIN "risk-scorer"

#include <math.h>
#include <medverse/medverse-plugin.h>
#include <string.h>

#include "rs-model.h"
#include "rs-score.h"

/* A batch answer of this many results stays well under the daemon's 8 MiB answer limit (a
 * result of the largest shipped model is about 3 KB of JSON). */
#define RS_MAX_BATCH 1000

typedef struct {
	GPtrArray *models;   /* of RsModel, in load order: shipped first, then the clinic's */
	GHashTable *answers; /* RsModel -> what never changes in its answers (rs_answers_new) */
} RsPlugin;

static GHashTable *rs_answers_new (GPtrArray *models);
static void rs_answers_free (GHashTable *answers);

static const RsModel *
rs_plugin_find (RsPlugin *self, const gchar *id)
{
	for (guint i = 0; i < self->models->len; i++) {
		const RsModel *m = g_ptr_array_index (self->models, i);
		if (g_strcmp0 (m->id, id) == 0)
			return m;
	}
	return NULL;
}

static gint
rs_cmp_str (gconstpointer a, gconstpointer b)
{
	return g_strcmp0 (*(const gchar *const *)a, *(const gchar *const *)b);
}

/* Every *.json of @dir, in name order; a file that fails is refused with one warning naming it
 * and every problem, and the others load. */
static void
rs_plugin_load_dir (RsPlugin *self, MvHost *host, const gchar *dir)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GDir) d = g_dir_open (dir, 0, &error);
	g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
	const gchar *name;

	if (d == NULL) {
		mv_host_log (host, G_LOG_LEVEL_WARNING, "cannot read models directory: %s",
			     error->message);
		return;
	}
	while ((name = g_dir_read_name (d)) != NULL) {
		if (g_str_has_suffix (name, ".json"))
			g_ptr_array_add (names, g_strdup (name));
	}
	g_ptr_array_sort (names, rs_cmp_str);
	for (guint i = 0; i < names->len; i++) {
		g_autofree gchar *path = g_build_filename (dir, g_ptr_array_index (names, i), NULL);
		g_autoptr (GError) error_local = NULL;
		RsModel *m = rs_model_load_file (path, &error_local);

		if (m == NULL) {
			mv_host_log (host, G_LOG_LEVEL_WARNING, "refusing model %s",
				     error_local->message);
			continue;
		}
		if (rs_plugin_find (self, m->id) != NULL) {
			mv_host_log (host, G_LOG_LEVEL_WARNING,
				     "refusing model %s: id %s is already loaded from another "
				     "directory",
				     path, m->id);
			rs_model_free (m);
			continue;
		}
		g_ptr_array_add (self->models, m);
	}
}

static gboolean
rs_plugin_init (MvHost *host, gpointer *plugin_data, GError **error)
{
	g_autofree gchar *models_dir = mv_host_get_config_string (host, "models-dir");
	g_autofree gchar *extra_dir = mv_host_get_config_string (host, "extra-models-dir");
	RsPlugin *self = g_new0 (RsPlugin, 1);

	self->models = g_ptr_array_new_with_free_func ((GDestroyNotify)rs_model_free);
	if (models_dir == NULL || models_dir[0] == '\0') {
		g_free (models_dir);
		models_dir = g_build_filename (mv_host_get_data_dir (host), "models", NULL);
	}
	rs_plugin_load_dir (self, host, models_dir);
	if (extra_dir != NULL && extra_dir[0] != '\0')
		rs_plugin_load_dir (self, host, extra_dir);
	mv_host_log (host, G_LOG_LEVEL_INFO, "loaded %u risk models", self->models->len);
	self->answers = rs_answers_new (self->models);
	*plugin_data = self;
	return TRUE;
}

static void
rs_plugin_shutdown (MvHost *host, gpointer plugin_data)
{
	RsPlugin *self = plugin_data;

	if (self == NULL)
		return;
	rs_answers_free (self->answers);
	g_ptr_array_unref (self->models);
	g_free (self);
}

/* The argument if given, else the caller's Accept-Language. */
static RsLang
rs_call_lang (MvCall *call, const gchar *language)
{
	if (language != NULL && language[0] != '\0')
		return rs_lang_from_tag (language);
	return rs_lang_from_tag (mv_call_get_locale (call));
}

/* one member of an a{sv} being built (a GVariantBuilder: cheaper than a GVariantDict's hash
 * table, and the members keep their order in the JSON answer) */
static void
rs_put (GVariantBuilder *b, const gchar *key, GVariant *value)
{
	g_variant_builder_add (b, "{sv}", key, value);
}

static const RsModel *
rs_lookup (MvCall *call, const gchar *id, GError **error)
{
	const RsModel *m = rs_plugin_find (mv_call_get_plugin_data (call), id);

	if (m == NULL) {
		g_autofree gchar *en = g_strdup_printf ("no risk model \"%s\"", id);
		g_autofree gchar *zh = g_strdup_printf ("没有风险模型“%s”", id);
		mv_set_error_bilingual (error, MV_ERROR_NOT_FOUND, en, zh);
	}
	return m;
}

/* ---- JSON of a model file to a{sv}, for Describe and ListModels ---- */

static GVariant *rs_json_to_variant (JsonNode *node);

static GVariant *
rs_json_array_to_variant (JsonArray *a)
{
	GType common = G_TYPE_INVALID;
	gboolean objects = json_array_get_length (a) > 0;
	GVariantBuilder b;
	const gchar *type;

	/* typed arrays where the elements agree (as, ad, aa{sv}), av otherwise */
	for (guint i = 0; i < json_array_get_length (a); i++) {
		JsonNode *n = json_array_get_element (a, i);
		GType t = JSON_NODE_HOLDS_VALUE (n) ? json_node_get_value_type (n) : G_TYPE_NONE;

		objects = objects && JSON_NODE_HOLDS_OBJECT (n);
		if (t == G_TYPE_INT64)
			t = G_TYPE_DOUBLE;
		common = i == 0 ? t : common == t ? t : G_TYPE_NONE;
	}
	type = objects			  ? "aa{sv}"
	       : common == G_TYPE_STRING  ? "as"
	       : common == G_TYPE_DOUBLE  ? "ad"
	       : common == G_TYPE_BOOLEAN ? "ab"
					  : "av";
	g_variant_builder_init (&b, G_VARIANT_TYPE (type));
	for (guint i = 0; i < json_array_get_length (a); i++) {
		JsonNode *n = json_array_get_element (a, i);
		GVariant *v = g_strcmp0 (type, "ad") == 0
				      ? g_variant_new_double (json_node_get_double (n))
				      : rs_json_to_variant (n);
		g_variant_builder_add_value (
			&b, g_strcmp0 (type, "av") == 0 ? g_variant_new_variant (v) : v);
	}
	return g_variant_builder_end (&b);
}

static GVariant *
rs_json_to_variant (JsonNode *node)
{
	if (JSON_NODE_HOLDS_OBJECT (node)) {
		JsonObject *obj = json_node_get_object (node);
		g_autoptr (GList) names = json_object_get_members (obj);
		GVariantBuilder d;

		g_variant_builder_init (&d, G_VARIANT_TYPE_VARDICT);
		for (GList *l = names; l != NULL; l = l->next)
			rs_put (&d, l->data,
				rs_json_to_variant (json_object_get_member (obj, l->data)));
		return g_variant_builder_end (&d);
	}
	if (JSON_NODE_HOLDS_ARRAY (node))
		return rs_json_array_to_variant (json_node_get_array (node));
	if (JSON_NODE_HOLDS_NULL (node))
		return g_variant_new_maybe (G_VARIANT_TYPE_STRING, NULL);
	switch (json_node_get_value_type (node)) {
	case G_TYPE_INT64:
		return g_variant_new_int64 (json_node_get_int (node));
	case G_TYPE_DOUBLE:
		return g_variant_new_double (json_node_get_double (node));
	case G_TYPE_BOOLEAN:
		return g_variant_new_boolean (json_node_get_boolean (node));
	default:
		return g_variant_new_string (json_node_get_string (node));
	}
}

static GVariant *
rs_citation_variant (const RsModel *m)
{
	JsonObject *root = json_node_get_object (m->root);

	if (!json_object_has_member (root, "citation"))
		return g_variant_new ("a{sv}", NULL);
	return rs_json_to_variant (json_object_get_member (root, "citation"));
}

/* ---- ListModels, Describe ---- */

static GVariant *
rs_model_summary (const RsModel *m, RsLang lang)
{
	GVariantBuilder d;
	GVariantBuilder names;

	g_variant_builder_init (&d, G_VARIANT_TYPE_VARDICT);
	rs_put (&d, "id", g_variant_new ("s", m->id));
	rs_put (&d, "version", g_variant_new ("s", m->version));
	rs_put (&d, "title", g_variant_new ("s", rs_text_get (&m->title, lang)));
	rs_put (&d, "outcome", g_variant_new ("s", rs_text_get (&m->outcome, lang)));
	rs_put (&d, "horizon_years", g_variant_new ("d", m->horizon_years));
	rs_put (&d, "link", g_variant_new ("s", m->link == RS_LINK_COX ? "cox" : "logistic"));
	rs_put (&d, "citation", rs_citation_variant (m));
	g_variant_builder_init (&names, G_VARIANT_TYPE ("as"));
	for (guint i = 0; i < m->inputs->len; i++)
		g_variant_builder_add (&names, "s",
				       ((RsInput *)g_ptr_array_index (m->inputs, i))->name);
	rs_put (&d, "inputs", g_variant_builder_end (&names));
	return g_variant_builder_end (&d);
}

static GVariant *
rs_plugin_list_models (MvCall *call, GVariant *input, GError **error)
{
	RsPlugin *self = mv_call_get_plugin_data (call);
	const gchar *language = NULL;
	GVariantBuilder b;
	RsLang lang;

	g_variant_get (input, "(&s)", &language);
	lang = rs_call_lang (call, language);
	g_variant_builder_init (&b, G_VARIANT_TYPE ("aa{sv}"));
	for (guint i = 0; i < self->models->len; i++)
		g_variant_builder_add_value (
			&b, rs_model_summary (g_ptr_array_index (self->models, i), lang));
	return g_variant_new ("(aa{sv})", &b);
}

static GVariant *
rs_plugin_describe (MvCall *call, GVariant *input, GError **error)
{
	const gchar *id = NULL;
	const gchar *language = NULL;
	const RsModel *m;
	g_autoptr (GVariantDict) d = NULL;
	g_autoptr (GVariant) file = NULL;
	RsLang lang;

	g_variant_get (input, "(&s&s)", &id, &language);
	m = rs_lookup (call, id, error);
	if (m == NULL)
		return NULL;
	lang = rs_call_lang (call, language);
	/* everything in the file, and its texts resolved in the caller's language */
	file = g_variant_ref_sink (rs_json_to_variant (m->root));
	d = g_variant_dict_new (file);
	g_variant_dict_insert (d, "title_text", "s", rs_text_get (&m->title, lang));
	g_variant_dict_insert (d, "outcome_text", "s", rs_text_get (&m->outcome, lang));
	if (m->citation_short != NULL)
		g_variant_dict_insert (d, "citation_short", "s", m->citation_short);
	return g_variant_new ("(@a{sv})", g_variant_dict_end (d));
}

/* ---- Score, ScoreBatch ---- */

/* The types the answer is built of, as constants: G_VARIANT_TYPE() checks its string at every
 * call, which showed in the profile. */
#define RS_T_ENTRY ((const GVariantType *)"{sv}")
#define RS_T_DICT ((const GVariantType *)"a{sv}")
#define RS_T_DICTS ((const GVariantType *)"aa{sv}")

/* key -> <value>, a member of an a{sv}; @key is kept (ref'ed), a floating @value is taken */
static GVariant *
rs_entry (GVariant *key, GVariant *value)
{
	return g_variant_new_dict_entry (key, g_variant_new_variant (value));
}

/* an a{sv} of @n entries (taken when floating, ref'ed when kept) */
static GVariant *
rs_dict (GVariant **entries, gsize n)
{
	return g_variant_new_array (RS_T_ENTRY, entries, n);
}

static GVariant *
rs_keep (GVariant *v)
{
	return g_variant_ref_sink (v);
}

static GVariant *
rs_keep_entry (const gchar *key, GVariant *value)
{
	return rs_keep (rs_entry (g_variant_new_string (key), value));
}

static void
rs_unref_all (GVariant **v, gsize n)
{
	for (gsize i = 0; v != NULL && i < n; i++)
		g_clear_pointer (&v[i], g_variant_unref);
	g_free (v);
}

/* the keys of the members that change with the inputs, kept as "s" values */
typedef enum {
	RS_KEY_VALUE,
	RS_KEY_TERM_VALUE,
	RS_KEY_CONTRIBUTION,
	RS_KEY_EFFECT,
	RS_KEY_PROBABILITY,
	RS_KEY_LINEAR_PREDICTOR,
	RS_KEY_CONTRIBUTIONS,
	RS_KEY_INPUTS_USED,
	RS_KEY_DEFAULTED,
	RS_KEY_EFFECTS,
	RS_KEY_EXPLANATION,
	RS_N_KEYS,
} RsKey;

static const gchar *const rs_key_names[RS_N_KEYS] = {
	"value",       "term_value",	   "contribution",  "effect",
	"probability", "linear_predictor", "contributions", "inputs_used",
	"defaulted",   "effects",	   "explanation",
};

/*
 * What never changes in one model's answers in one language, built once at init as GVariant
 * keys and dictionary entries and ref'ed into each answer: names, labels, transforms,
 * coefficients, the citation, the categories and every boolean or category input's possible
 * values.  Building an answer from nested builders and format strings cost about 1.1 million
 * instructions a set under callgrind, over ten times the scoring, nearly all of it GLib
 * allocating, type-checking and freeing some 700 small GVariants; with these, an answer
 * allocates only the values that depend on the inputs.
 */
typedef struct {
	RsLang lang;
	guint n_features;
	guint n_inputs;
	guint n_categories;
	GVariant *key[RS_N_KEYS];
	GVariant *model, *version, *citation;  /* entries */
	GVariant **category, **category_label; /* entries, per category; [n]: none */
	const gchar **feature_label; /* per feature, in the model (the contributions are written
				      * serialised: rs_contributions_variant) */
	GVariant **input_name;	     /* per input, "s" (defaulted's elements, inputs_used's keys) */
	GVariant **effect_fixed;     /* per input 2 entries: input, label */
	GVariant ***used_entry;	     /* per input, per possible value (boolean, level): name ->
				      * value; NULL for numbers */
} RsAnswer;

/* how many values a boolean or category input can take; 0 for numbers */
static guint
rs_input_n_values (const RsInput *in)
{
	if (in->type == RS_INPUT_BOOLEAN)
		return 2;
	if (in->type == RS_INPUT_NUMBER)
		return 0;
	return g_strv_length (in->levels);
}

static GVariant *
rs_value_variant (const RsInput *in, const RsValue *v)
{
	if (in->type == RS_INPUT_NUMBER)
		return g_variant_new_double (v->number);
	if (in->type == RS_INPUT_BOOLEAN)
		return g_variant_new_boolean (v->boolean);
	return g_variant_new_string (in->levels[v->level]);
}

/* the kept value's index among the input's possible values (rs_input_n_values) */
static guint
rs_value_index (const RsInput *in, const RsValue *v)
{
	return in->type == RS_INPUT_BOOLEAN ? (v->boolean ? 1 : 0) : v->level;
}

static void
rs_answer_free (RsAnswer *a)
{
	if (a == NULL)
		return;
	for (guint k = 0; k < RS_N_KEYS; k++)
		g_clear_pointer (&a->key[k], g_variant_unref);
	g_clear_pointer (&a->model, g_variant_unref);
	g_clear_pointer (&a->version, g_variant_unref);
	g_clear_pointer (&a->citation, g_variant_unref);
	rs_unref_all (a->category, a->n_categories + 1);
	rs_unref_all (a->category_label, a->n_categories + 1);
	g_free (a->feature_label);
	rs_unref_all (a->input_name, a->n_inputs);
	rs_unref_all (a->effect_fixed, 2 * a->n_inputs);
	for (guint i = 0; i < a->n_inputs; i++) {
		g_autofree GVariant **ue = a->used_entry[i];
		for (guint k = 0; ue != NULL && ue[k] != NULL; k++)
			g_variant_unref (ue[k]);
	}
	g_free (a->used_entry);
	g_free (a);
}

static void
rs_answer_add_inputs (RsAnswer *a, const RsModel *m, RsLang lang)
{
	a->input_name = g_new0 (GVariant *, a->n_inputs);
	a->effect_fixed = g_new0 (GVariant *, 2 * a->n_inputs);
	a->used_entry = g_new0 (GVariant **, a->n_inputs);
	for (guint i = 0; i < a->n_inputs; i++) {
		const RsInput *in = g_ptr_array_index (m->inputs, i);
		guint n = rs_input_n_values (in);

		a->input_name[i] = rs_keep (g_variant_new_string (in->name));
		a->effect_fixed[2 * i] = rs_keep_entry ("input", g_variant_new_string (in->name));
		a->effect_fixed[2 * i + 1] = rs_keep_entry (
			"label", g_variant_new_string (rs_text_get (&in->label, lang)));
		if (n == 0)
			continue;
		a->used_entry[i] = g_new0 (GVariant *, n + 1); /* NULL-terminated */
		for (guint k = 0; k < n; k++) {
			RsValue v = { .boolean = k == 1, .level = k };
			a->used_entry[i][k]
				= rs_keep (rs_entry (a->input_name[i], rs_value_variant (in, &v)));
		}
	}
}

static RsAnswer *
rs_answer_new (const RsModel *m, RsLang lang)
{
	RsAnswer *a = g_new0 (RsAnswer, 1);

	a->lang = lang;
	a->n_features = m->features->len;
	a->n_inputs = m->inputs->len;
	a->n_categories = m->categories->len;
	for (guint k = 0; k < RS_N_KEYS; k++)
		a->key[k] = rs_keep (g_variant_new_string (rs_key_names[k]));
	a->model = rs_keep_entry ("model", g_variant_new_string (m->id));
	a->version = rs_keep_entry ("version", g_variant_new_string (m->version));
	a->citation = rs_keep_entry (
		"citation",
		g_variant_new_string (m->citation_short != NULL ? m->citation_short : ""));
	a->category = g_new0 (GVariant *, a->n_categories + 1);
	a->category_label = g_new0 (GVariant *, a->n_categories + 1);
	for (guint c = 0; c <= a->n_categories; c++) {
		const RsCategory *cat
			= c < a->n_categories ? g_ptr_array_index (m->categories, c) : NULL;
		a->category[c] = rs_keep_entry ("category",
						g_variant_new_string (cat != NULL ? cat->id : ""));
		a->category_label[c] = rs_keep_entry (
			"category_label",
			g_variant_new_string (cat != NULL ? rs_text_get (&cat->label, lang) : ""));
	}
	a->feature_label = g_new0 (const gchar *, MAX (a->n_features, 1));
	for (guint i = 0; i < a->n_features; i++) {
		const RsFeature *f = g_ptr_array_index (m->features, i);
		const RsInput *in = f->input >= 0 ? g_ptr_array_index (m->inputs, f->input) : NULL;

		a->feature_label[i] = f->label.en != NULL ? rs_text_get (&f->label, lang)
				      : in != NULL	  ? rs_text_get (&in->label, lang)
							  : f->name;
	}
	rs_answer_add_inputs (a, m, lang);
	return a;
}

/* model -> RsAnswer[RS_LANG_ZH + 1], for every loaded model; read-only after init, so calls
 * on several threads share it without a lock */
static GHashTable *
rs_answers_new (GPtrArray *models)
{
	GHashTable *answers = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);

	for (guint i = 0; i < models->len; i++) {
		const RsModel *m = g_ptr_array_index (models, i);
		RsAnswer **pair = g_new0 (RsAnswer *, RS_LANG_ZH + 1);
		pair[RS_LANG_EN] = rs_answer_new (m, RS_LANG_EN);
		pair[RS_LANG_ZH] = rs_answer_new (m, RS_LANG_ZH);
		g_hash_table_insert (answers, (gpointer)m, pair);
	}
	return answers;
}

static void
rs_answers_free (GHashTable *answers)
{
	GHashTableIter iter;
	gpointer pair;

	if (answers == NULL)
		return;
	g_hash_table_iter_init (&iter, answers);
	while (g_hash_table_iter_next (&iter, NULL, &pair)) {
		rs_answer_free (((RsAnswer **)pair)[RS_LANG_EN]);
		rs_answer_free (((RsAnswer **)pair)[RS_LANG_ZH]);
	}
	g_hash_table_unref (answers);
}

static const RsAnswer *
rs_answer_get (MvCall *call, const RsModel *m, RsLang lang)
{
	RsPlugin *self = mv_call_get_plugin_data (call);
	RsAnswer **pair = g_hash_table_lookup (self->answers, m);

	return pair[lang == RS_LANG_ZH ? RS_LANG_ZH : RS_LANG_EN];
}

/* an inputs_used member: kept or new */
static GVariant *
rs_used_entry (const RsAnswer *a, const RsInput *in, guint i, const RsValue *v)
{
	if (in->type == RS_INPUT_NUMBER)
		return rs_entry (a->input_name[i], g_variant_new_double (v->number));
	return a->used_entry[i][rs_value_index (in, v)];
}

/*
 * The contributions array written directly in GVariant's serialised form (the GVariant
 * specification, "Serialisation"), as one buffer: the array of 8-member dictionaries is about
 * 130 of an answer's GVariants, and made as a tree each costs an allocation, a type check and a
 * free.  Only what it needs: a{sv} whose values are s, d or b.  Containers start 8-aligned in
 * the buffer (a dictionary entry holds a variant, alignment 8), so alignment is absolute.
 */
typedef struct {
	const gchar *key;
	gchar type; /* 's', 'd' or 'b' */
	const gchar *s;
	gdouble d;
	gboolean b;
} RsMember;

/* the framing offset size of a container of @body bytes with @n offsets (gvs_calculate_total_size)
 */
static guint
rs_offset_size (gsize body, gsize n)
{
	if (body + n <= G_MAXUINT8)
		return 1;
	if (body + 2 * n <= G_MAXUINT16)
		return 2;
	return 4;
}

/* a buffer written front to back; sized beforehand by rs_member_bound, so never grown */
typedef struct {
	guint8 *data;
	gsize len;
} RsWriter;

static void
rs_w_put (RsWriter *w, const void *bytes, gsize n)
{
	memcpy (w->data + w->len, bytes, n);
	w->len += n;
}

static void
rs_put_offset (RsWriter *w, gsize value, guint size)
{
	for (guint i = 0; i < size; i++) /* little-endian, whatever the host */
		w->data[w->len++] = (guint8)((value >> (8 * i)) & 0xff);
}

static void
rs_pad8 (RsWriter *w)
{
	while (w->len % 8 != 0)
		w->data[w->len++] = 0;
}

/* the most bytes @m takes as an 8-aligned dictionary entry with its array offset */
static gsize
rs_member_bound (const RsMember *m)
{
	gsize value = m->type == 'd' ? 8 : m->type == 'b' ? 1 : strlen (m->s) + 1;
	return 7 + strlen (m->key) + 1 + 7 + value + 2 + 4 + 4;
}

/* {sv}: key, NUL, padding, the variant (value, NUL, type), the key's end as framing offset */
static void
rs_serialise_entry (RsWriter *w, const RsMember *m)
{
	gsize start = w->len;
	gsize key_end;
	guint8 trailer[2] = { 0, (guint8)m->type };

	rs_w_put (w, m->key, strlen (m->key) + 1);
	key_end = w->len - start;
	rs_pad8 (w);
	if (m->type == 'd') {
		rs_w_put (w, &m->d, sizeof (gdouble));
	} else if (m->type == 'b') {
		w->data[w->len++] = m->b ? 1 : 0;
	} else {
		rs_w_put (w, m->s, strlen (m->s) + 1);
	}
	rs_w_put (w, trailer, 2);
	rs_put_offset (w, key_end, rs_offset_size (w->len - start, 1));
}

/* a{sv} of @n members (at most 16): each entry 8-aligned, then the entries' ends */
static void
rs_serialise_dict (RsWriter *w, const RsMember *m, guint n)
{
	gsize start = w->len;
	gsize ends[16];

	g_assert (n <= G_N_ELEMENTS (ends));
	for (guint i = 0; i < n; i++) {
		rs_pad8 (w);
		rs_serialise_entry (w, &m[i]);
		ends[i] = w->len - start;
	}
	for (guint i = 0, size = rs_offset_size (w->len - start, n); i < n; i++)
		rs_put_offset (w, ends[i], size);
}

/* one contribution's members, in the order the answer always had */
static guint
rs_contribution_members (
	const RsAnswer *a, const RsModel *m, const RsResult *r, guint i, RsMember *e)
{
	const RsFeature *f = g_ptr_array_index (m->features, i);
	const RsInput *in = f->input >= 0 ? g_ptr_array_index (m->inputs, f->input) : NULL;
	guint n = 0;

	e[n++] = (RsMember){ "feature", 's', .s = f->name };
	e[n++] = (RsMember){ "input", 's', .s = in != NULL ? in->name : "" };
	if (in != NULL) {
		const RsValue *v = &g_array_index (r->values, RsValue, f->input);
		e[n++] = in->type == RS_INPUT_NUMBER ? (RsMember){ "value", 'd', .d = v->number }
			 : in->type == RS_INPUT_BOOLEAN
				 ? (RsMember){ "value", 'b', .b = v->boolean }
				 : (RsMember){ "value", 's', .s = in->levels[v->level] };
	}
	e[n++] = (RsMember){ "transform", 's', .s = rs_transform_to_string (f->transform) };
	e[n++] = (RsMember){ "term_value", 'd', .d = g_array_index (r->term_values, gdouble, i) };
	e[n++] = (RsMember){ "coefficient", 'd', .d = f->coefficient };
	e[n++] = (RsMember){ "contribution", 'd',
			     .d = g_array_index (r->contributions, gdouble, i) };
	e[n++] = (RsMember){ "label", 's', .s = a->feature_label[i] };
	return n;
}

static GVariant *
rs_contributions_variant (const RsAnswer *a, const RsModel *m, const RsResult *r)
{
	g_autofree RsMember *members = g_new (RsMember, 8 * MAX (a->n_features, 1));
	g_autofree guint *counts = g_new (guint, MAX (a->n_features, 1));
	g_autofree gsize *ends = g_new (gsize, MAX (a->n_features, 1));
	RsWriter w = { NULL, 0 };
	gsize bound = 8 + 4 * (gsize)a->n_features;
	guint size;

	for (guint i = 0; i < a->n_features; i++) {
		counts[i] = rs_contribution_members (a, m, r, i, &members[8 * i]);
		bound += 7 + 4 * counts[i];
		for (guint k = 0; k < counts[i]; k++)
			bound += rs_member_bound (&members[8 * i + k]);
	}
	w.data = g_malloc (bound);
	for (guint i = 0; i < a->n_features; i++) {
		rs_pad8 (&w);
		rs_serialise_dict (&w, &members[8 * i], counts[i]);
		ends[i] = w.len;
	}
	size = rs_offset_size (w.len, a->n_features);
	for (guint i = 0; i < a->n_features; i++)
		rs_put_offset (&w, ends[i], size);
	g_assert (w.len <= bound);
	return g_variant_new_from_data (RS_T_DICTS, w.data, w.len, FALSE, g_free, w.data);
}

/* inputs_used, defaulted and effects, appended to @e from @n; returns the new count */
static gsize
rs_inputs_used_entries (
	const RsAnswer *a, const RsModel *m, const RsResult *r, GVariant **e, gsize n)
{
	g_autofree GVariant **used = g_new (GVariant *, MAX (a->n_inputs, 1));
	g_autofree GVariant **defaulted = g_new (GVariant *, MAX (a->n_inputs, 1));
	g_autofree GVariant **effects = g_new (GVariant *, MAX (a->n_inputs, 1));
	gsize n_defaulted = 0;
	gsize n_effects = 0;

	for (guint i = 0; i < a->n_inputs; i++) {
		const RsInput *in = g_ptr_array_index (m->inputs, i);
		gdouble effect = g_array_index (r->effects, gdouble, i);

		used[i] = rs_used_entry (a, in, i, &g_array_index (r->values, RsValue, i));
		if (g_array_index (r->defaulted, gboolean, i))
			defaulted[n_defaulted++] = a->input_name[i];
		if (isfinite (effect)) {
			GVariant *ed[3] = { a->effect_fixed[2 * i], a->effect_fixed[2 * i + 1],
					    rs_entry (a->key[RS_KEY_EFFECT],
						      g_variant_new_double (effect)) };
			effects[n_effects++] = rs_dict (ed, 3);
		}
	}
	e[n++] = g_variant_new_dict_entry (a->key[RS_KEY_INPUTS_USED],
					   g_variant_new_variant (rs_dict (used, a->n_inputs)));
	e[n++] = g_variant_new_dict_entry (a->key[RS_KEY_DEFAULTED],
					   g_variant_new_variant (g_variant_new_array (
						   G_VARIANT_TYPE_STRING, defaulted, n_defaulted)));
	e[n++] = g_variant_new_dict_entry (
		a->key[RS_KEY_EFFECTS],
		g_variant_new_variant (g_variant_new_array (RS_T_DICT, effects, n_effects)));
	return n;
}

/* @full: Score's answer; else ScoreBatch's "summary": probability, category, linear_predictor */
static GVariant *
rs_result_variant (const RsAnswer *a, const RsModel *m, const RsResult *r, gboolean full)
{
	guint c = r->category >= 0 ? (guint)r->category : a->n_categories;
	GVariant *e[12];
	gsize n = 0;

	if (!full) {
		e[n++] = rs_entry (a->key[RS_KEY_PROBABILITY],
				   g_variant_new_double (r->probability));
		e[n++] = a->category[c];
		e[n++] = rs_entry (a->key[RS_KEY_LINEAR_PREDICTOR],
				   g_variant_new_double (r->linear_predictor));
		return rs_dict (e, n);
	}
	e[n++] = a->model;
	e[n++] = a->version;
	e[n++] = rs_entry (a->key[RS_KEY_PROBABILITY], g_variant_new_double (r->probability));
	e[n++] = a->category[c];
	e[n++] = a->category_label[c];
	e[n++] = rs_entry (a->key[RS_KEY_LINEAR_PREDICTOR],
			   g_variant_new_double (r->linear_predictor));
	e[n++] = rs_entry (a->key[RS_KEY_CONTRIBUTIONS], rs_contributions_variant (a, m, r));
	n = rs_inputs_used_entries (a, m, r, e, n);
	e[n++] = rs_entry (a->key[RS_KEY_EXPLANATION],
			   g_variant_new_take_string (rs_result_explain (m, r, a->lang)));
	e[n++] = a->citation;
	return rs_dict (e, n);
}

static GVariant *
rs_plugin_score (MvCall *call, GVariant *input, GError **error)
{
	const gchar *id = NULL;
	const gchar *language = NULL;
	g_autoptr (GVariant) inputs = NULL;
	g_autoptr (GPtrArray) problems
		= g_ptr_array_new_with_free_func ((GDestroyNotify)rs_problem_free);
	g_autoptr (RsResult) r = NULL;
	const RsModel *m;

	g_variant_get (input, "(&s@a{sv}&s)", &id, &inputs, &language);
	m = rs_lookup (call, id, error);
	if (m == NULL)
		return NULL;
	r = rs_model_score (m, inputs, problems);
	if (r == NULL) {
		/* one error listing every problem, each at its member of the input */
		for (guint i = 0; i < problems->len; i++) {
			const RsProblem *p = g_ptr_array_index (problems, i);
			g_autofree gchar *field = g_strdup_printf ("/inputs/%s", p->input);
			mv_error_add_problem (error, field, p->code, p->message, p->message_zh);
		}
		return NULL;
	}
	return g_variant_new_tuple (
		(GVariant *[]){ rs_result_variant (
			rs_answer_get (call, m, rs_call_lang (call, language)), m, r, TRUE) },
		1);
}

static GVariant *
rs_batch_error (GPtrArray *problems, RsLang lang)
{
	GVariantBuilder d;
	GVariantBuilder b;

	g_variant_builder_init (&d, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_init (&b, G_VARIANT_TYPE ("as"));
	for (guint i = 0; i < problems->len; i++) {
		const RsProblem *p = g_ptr_array_index (problems, i);
		g_autofree gchar *s = g_strdup_printf (
			"%s: %s", p->input, lang == RS_LANG_ZH ? p->message_zh : p->message);
		g_variant_builder_add (&b, "s", s);
	}
	rs_put (&d, "error",
		g_variant_new ("s", lang == RS_LANG_ZH ? "输入无效" : "invalid inputs"));
	rs_put (&d, "problems", g_variant_builder_end (&b));
	return g_variant_builder_end (&d);
}

static void
rs_unref0 (gpointer v)
{
	if (v != NULL)
		g_variant_unref (v);
}

/* ScoreBatch's detail: "full" (or empty) for Score's answer, "summary" for three members */
static gboolean
rs_batch_detail (const gchar *detail, gboolean *full, GError **error)
{
	if (detail[0] == '\0' || g_strcmp0 (detail, "full") == 0) {
		*full = TRUE;
		return TRUE;
	}
	if (g_strcmp0 (detail, "summary") == 0) {
		*full = FALSE;
		return TRUE;
	}
	mv_error_add_problem (error, "/detail", "unknown-detail",
			      "detail must be \"full\" or \"summary\"",
			      "detail 应为 \"full\" 或 \"summary\"");
	return FALSE;
}

static GVariant *
rs_plugin_score_batch (MvCall *call, GVariant *input, GError **error)
{
	const gchar *id = NULL;
	const gchar *language = NULL;
	const gchar *detail = NULL;
	g_autoptr (GVariant) sets = NULL;
	g_autoptr (GPtrArray) results = NULL;
	g_autoptr (GPtrArray) problems = NULL;
	const RsAnswer *answer;
	const RsModel *m;
	gboolean full = TRUE;
	RsLang lang;
	gsize n;

	g_variant_get (input, "(&s@aa{sv}&s&s)", &id, &sets, &language, &detail);
	m = rs_lookup (call, id, error);
	if (m == NULL)
		return NULL;
	n = g_variant_n_children (sets);
	if (n > RS_MAX_BATCH) {
		g_autofree gchar *en = g_strdup_printf ("input_sets holds %" G_GSIZE_FORMAT
							" sets; at most %d per call",
							n, RS_MAX_BATCH);
		g_autofree gchar *zh = g_strdup_printf (
			"input_sets 有 %" G_GSIZE_FORMAT " 组，每次最多 %d 组", n, RS_MAX_BATCH);
		mv_set_error_bilingual (error, MV_ERROR_TOO_LARGE, en, zh);
		return NULL;
	}
	lang = rs_call_lang (call, language);
	if (!rs_batch_detail (detail, &full, error))
		return NULL;
	answer = rs_answer_get (call, m, lang);
	/* the results as floating values, made into the array at once: one allocation of the
	 * array, no builder checking each result's type again */
	results = g_ptr_array_new_full ((guint)n, rs_unref0);
	problems = g_ptr_array_new_with_free_func ((GDestroyNotify)rs_problem_free);
	for (gsize i = 0; i < n; i++) {
		g_autoptr (GVariant) set = g_variant_get_child_value (sets, i);
		g_autoptr (RsResult) r = NULL;

		if (mv_call_is_cancelled (call)) {
			mv_set_error_bilingual (error, MV_ERROR_TIMED_OUT, "cancelled", "已取消");
			return NULL;
		}
		g_ptr_array_set_size (problems, 0);
		r = rs_model_score (m, set, problems);
		g_ptr_array_add (results, g_variant_ref_sink (
						  r != NULL ? rs_result_variant (answer, m, r, full)
							    : rs_batch_error (problems, lang)));
	}
	return g_variant_new_tuple ((GVariant *[]){ g_variant_new_array (
					    RS_T_DICT, (GVariant **)results->pdata, results->len) },
				    1);
}

static const MvArg rs_list_in[] = {
	{ "language", "s",
	  "\"en\" or \"zh\" (or a tag such as zh-CN) for the texts; empty: the caller's locale",
	  MV_ARG_OPTIONAL },
	MV_ARG_END,
};

static const MvArg rs_list_out[] = {
	{ "models", "aa{sv}",
	  "One per loaded model: id, version, title, outcome, horizon_years, link (logistic or "
	  "cox), citation (authors, year, title, journal, volume, pages, doi, where), inputs "
	  "(their names)",
	  MV_ARG_NONE },
	MV_ARG_END,
};

static const MvArg rs_describe_in[] = {
	{ "model", "s", "A model id, as ListModels gives it", MV_ARG_NONE },
	{ "language", "s",
	  "\"en\" or \"zh\" (or a tag such as zh-CN) for the texts; empty: the caller's locale",
	  MV_ARG_OPTIONAL },
	MV_ARG_END,
};

static const MvArg rs_describe_out[] = {
	{ "model", "a{sv}",
	  "Everything in the model file (docs/risk-models.md): inputs with label, unit, units, "
	  "range, required, default, reference and source; features; categories; citation; "
	  "examples; and title_text, outcome_text, citation_short in the language asked",
	  MV_ARG_NONE },
	MV_ARG_END,
};

static const MvArg rs_score_in[] = {
	{ "model", "s", "A model id, as ListModels gives it", MV_ARG_NONE },
	{ "inputs", "a{sv}",
	  "Input name to value: a number in the input's canonical unit, {\"value\": number, "
	  "\"unit\": string} in another accepted unit, true/false, or a category level",
	  MV_ARG_NONE },
	{ "language", "s",
	  "\"en\" or \"zh\" (or a tag such as zh-CN) for the texts; empty: the caller's locale",
	  MV_ARG_OPTIONAL },
	MV_ARG_END,
};

static const MvArg rs_score_out[] = {
	{ "result", "a{sv}",
	  "model, version, probability (0 to 1), category, category_label, linear_predictor, "
	  "contributions (feature, input, value, transform, term_value, coefficient, "
	  "contribution, label), inputs_used (name to canonical value), defaulted (names), "
	  "effects (input, label, effect: how far the input moves the linear predictor from its "
	  "reference value), explanation, citation",
	  MV_ARG_NONE },
	MV_ARG_END,
};

static const MvArg rs_batch_in[] = {
	{ "model", "s", "A model id, as ListModels gives it", MV_ARG_NONE },
	{ "input_sets", "aa{sv}", "Up to 1000 input objects, each as Score's inputs", MV_ARG_NONE },
	{ "language", "s",
	  "\"en\" or \"zh\" (or a tag such as zh-CN) for the texts; empty: the caller's locale",
	  MV_ARG_OPTIONAL },
	{ "detail", "s",
	  "\"full\" (the default): each result as Score's; \"summary\": probability, category "
	  "and linear_predictor only, for bulk screening (several times cheaper)",
	  MV_ARG_OPTIONAL },
	MV_ARG_END,
};

static const MvArg rs_batch_out[] = {
	{ "results", "aa{sv}",
	  "One per input set, in order: Score's result (with detail \"summary\": probability, "
	  "category, linear_predictor), or error and problems (each \"input: problem\")",
	  MV_ARG_NONE },
	MV_ARG_END,
};

static const MvMethod rs_methods[] = {
	{ .name = "ListModels",
	  .description = "Lists the loaded risk models with their citations",
	  .in_args = rs_list_in,
	  .out_args = rs_list_out,
	  .handler = rs_plugin_list_models },
	{ .name = "Describe",
	  .description = "One risk model in full: inputs, units, ranges, sources, features, "
			 "categories, examples",
	  .in_args = rs_describe_in,
	  .out_args = rs_describe_out,
	  .handler = rs_plugin_describe },
	{ .name = "Score",
	  .description = "Risk probability, category, each feature's contribution and an "
			 "explanation for one set of inputs",
	  .in_args = rs_score_in,
	  .out_args = rs_score_out,
	  .handler = rs_plugin_score },
	{ .name = "ScoreBatch",
	  .description = "Score for many input sets with one model; each set succeeds or lists "
			 "its problems; detail \"summary\" answers only probability, category "
			 "and linear_predictor a set",
	  .in_args = rs_batch_in,
	  .out_args = rs_batch_out,
	  .handler = rs_plugin_score_batch },
	MV_METHOD_END,
};

static const MvConfigKey rs_config_keys[] = {
	{ "models-dir", "s", "",
	  "Directory of the shipped model files (empty: the data directory's models/)" },
	{ "extra-models-dir", "s", "",
	  "Directory of a clinic's own model files, loaded after the shipped ones (empty: none)" },
	MV_CONFIG_KEY_END,
};

MV_PLUGIN_DEFINE (.name = "risk-scorer",
		  .version = "1.0.0",
		  .description = "Published and clinic risk models (logistic and Cox) from data "
				 "files, with contributions and explanations",
		  .methods = rs_methods,
		  .config_keys = rs_config_keys,
		  .init = rs_plugin_init,
		  .shutdown = rs_plugin_shutdown);
